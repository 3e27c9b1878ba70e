//! A test hook that makes a stop countable: with `OMNISIM_TEST_WORK_LOG=PATH` in its environment, a
//! long command (`run`, `sweep`, `ab`, `staff`, `merge`, …: those that take the stop flag) appends
//! one line to `PATH` per unit of work it does, and the line `signal` when the first SIGINT or
//! SIGTERM arrives. A test reads the file and counts the units after the `signal` line: a command
//! that honours a stop does at most a few more (the unit under way on each thread), one that
//! ignores it (or looks at the flag too rarely) does all that was left. This replaces wall-clock
//! bounds in the tests (issue 25: they failed on a loaded machine); the test also waits for a unit
//! (`started`, the first `build` or `events` line) before it signals, instead of sleeping.
//!
//! Without the variable nothing is opened or written; the cost is one atomic load per unit. The log
//! never changes what a command computes or writes. `serve` (an engine a run starts, which inherits
//! the variable) does not open it. The units ([`Unit`]):
//!
//! - `started`: the stop flag is registered (the command's work begins: reading its inputs);
//! - `signal`: the first stop signal (written by the signal handler: one write(2));
//! - `rows`: 10,000 data rows of a `[traffic]` CSV file read ([`ROWS_PER_UNIT`]);
//! - `build`: one sweep grid point's scenario built (a whole load; `sweep`, `sweep --shard`,
//!   `merge`);
//! - `point`: one sweep point (a grid point or a bisection step) run to its end;
//! - `rep`: one replication begun (its world built);
//! - `events`: 4,096 events simulated (by one replication's event loop);
//! - `request`: one request sent to an external engine (`--engine`, `conform`): a command
//!   batch, or a health, version or reset request;
//! - `load`: a look of `load`'s stop watcher found the flag unset (every 20 ms of the load).
//!
//! Lines are written with one write(2) each on a file opened for appending, so lines of several
//! threads never interleave and their order is the order of the writes.

use std::sync::atomic::{AtomicI32, Ordering};

/// The environment variable naming the log file (a test hook; unset in normal use).
pub const ENV: &str = "OMNISIM_TEST_WORK_LOG";

/// Data rows of a CSV file per `rows` line.
pub const ROWS_PER_UNIT: u64 = 10_000;

/// The log's file descriptor once [`open`] opened it; -1 when there is none.
static FD: AtomicI32 = AtomicI32::new(-1);

/// A unit of work (one line of the log; see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// The stop flag was registered: the command's work begins.
    Started,
    /// [`ROWS_PER_UNIT`] data rows of a CSV file read.
    Rows,
    /// One sweep grid point's scenario built.
    Build,
    /// One sweep point run to its end.
    Point,
    /// One replication begun.
    Rep,
    /// 4,096 events simulated by one replication.
    Events,
    /// One request sent to an external engine.
    Request,
    /// A look of `load`'s stop watcher (every 20 ms) found the flag unset.
    Load,
}

impl Unit {
    /// The unit's line, newline included.
    fn line(self) -> &'static [u8] {
        match self {
            Unit::Started => b"started\n",
            Unit::Rows => b"rows\n",
            Unit::Build => b"build\n",
            Unit::Point => b"point\n",
            Unit::Rep => b"rep\n",
            Unit::Events => b"events\n",
            Unit::Request => b"request\n",
            Unit::Load => b"load\n",
        }
    }
}

/// Opens the log named by [`ENV`] for appending (created if missing), once per process; does
/// nothing when the variable is unset or the file cannot be opened (the hook is then off).
/// Called before the stop handlers are registered, so that [`note_signal`] finds it open.
pub fn open() {
    use std::os::fd::IntoRawFd;
    if FD.load(Ordering::SeqCst) >= 0 {
        return;
    }
    let Some(path) = std::env::var_os(ENV) else {
        return;
    };
    if let Ok(f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        // Kept open for the life of the process (a signal handler writes to it).
        let fd = f.into_raw_fd();
        if FD
            .compare_exchange(-1, fd, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            // SAFETY: `fd` was just opened here and is owned by nobody else.
            unsafe { libc::close(fd) };
        }
    }
}

/// Whether the log is open (a caller may then count finer work to note it in units).
#[inline]
pub fn on() -> bool {
    FD.load(Ordering::Relaxed) >= 0
}

/// Appends the line of `unit` when the log is open.
#[inline]
pub fn note(unit: Unit) {
    write(unit.line());
}

/// Appends `signal`: async-signal-safe (an atomic load and write(2)), for the stop handler.
pub fn note_signal() {
    write(b"signal\n");
}

/// One write(2) of `line` on the log, if open; a failed or short write is ignored (a test
/// reading the log then fails on its count, never the command).
fn write(line: &[u8]) {
    let fd = FD.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: `fd` is the log, open for the life of the process; `line` is a valid buffer
        // of `line.len()` bytes.
        let _ = unsafe { libc::write(fd, line.as_ptr().cast(), line.len()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every unit's line is one word and a newline, distinct from the others and `signal`.
    #[test]
    fn each_unit_is_one_distinct_line() {
        let all = [
            Unit::Started,
            Unit::Rows,
            Unit::Build,
            Unit::Point,
            Unit::Rep,
            Unit::Events,
            Unit::Request,
            Unit::Load,
        ];
        let mut lines: Vec<&[u8]> = all.iter().map(|u| u.line()).collect();
        lines.push(b"signal\n");
        for l in &lines {
            assert_eq!(l.iter().filter(|&&b| b == b'\n').count(), 1);
            assert_eq!(l.last(), Some(&b'\n'));
        }
        let n = lines.len();
        lines.sort();
        lines.dedup();
        assert_eq!(lines.len(), n);
    }
}
