//! The process groups of the subprocess engines this process started and has not killed yet,
//! kept where a signal handler can reach them: a second SIGINT / SIGTERM ends omnisim at once
//! (`cli::stop_flag`), with no destructor run, so before it does its handler kills every group
//! still listed here ([`kill_all`]); otherwise an engine whose wait to exit was under way (the
//! second or so after its standard input is closed) would outlive omnisim.
//!
//! A fixed table of atomics: adding and removing take no lock and [`kill_all`] does nothing a
//! signal handler may not (atomic loads and `kill(2)`). More engines at once than the table
//! holds (no command starts more than one) go unlisted and are killed only by their client.

use std::sync::atomic::{AtomicI32, Ordering};

/// How many engine groups can be listed at once.
const SLOTS: usize = 32;

static GROUPS: [AtomicI32; SLOTS] = [const { AtomicI32::new(0) }; SLOTS];

/// A listed process group; [`Listed::remove`] takes it off the list.
#[derive(Debug)]
pub(super) struct Listed(Option<usize>);

/// Lists process group `pgid` (a started engine's process id) until [`Listed::remove`].
pub(super) fn add(pgid: u32) -> Listed {
    let Ok(pgid) = i32::try_from(pgid) else {
        return Listed(None);
    };
    Listed(GROUPS.iter().position(|g| {
        g.compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }))
}

impl Listed {
    /// Takes the group off the list: call it after killing the group and before reaping its
    /// leader, so the handler never kills a group id the system has handed out again.
    pub(super) fn remove(&mut self) {
        if let Some(i) = self.0.take() {
            GROUPS[i].store(0, Ordering::SeqCst);
        }
    }
}

/// Kills (SIGKILL) every listed engine process group. Async-signal-safe: called from the
/// signal handler of the signal that ends omnisim, and on the way out of `cli::main`.
pub fn kill_all() {
    for g in &GROUPS {
        let pgid = g.load(Ordering::SeqCst);
        if pgid > 0 {
            // SAFETY: `kill` takes plain integers; a group that is already gone is ESRCH.
            let _ = unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_listed_until_removed() {
        let listed = |id: i32| GROUPS.iter().any(|g| g.load(Ordering::SeqCst) == id);
        // Ids no process has (above the kernel's pid_max).
        let mut a = add(0x7fff_fff0);
        let mut b = add(0x7fff_fff1);
        assert!(listed(0x7fff_fff0) && listed(0x7fff_fff1));
        a.remove();
        assert!(!listed(0x7fff_fff0) && listed(0x7fff_fff1));
        a.remove();
        // No `kill_all` here: lib tests that start engines run beside this one, and it would
        // kill their groups.
        b.remove();
        assert!(!listed(0x7fff_fff1));
    }
}
