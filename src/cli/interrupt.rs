//! Ctrl-C for work that cannot stop part-way with something worth keeping (`fit`'s pass over a
//! history; `staff` keeps its last finished verification round instead): the work runs on a worker thread while the calling thread
//! watches the stop flag ([`super::stop_flag`]: SIGINT or SIGTERM). On a signal the process
//! ends at once with exit 130 and a message; nothing was written yet (the command writes its
//! files only after the work returns, each atomically), so nothing is left half-written. A
//! second signal ends the process at once even while files are being written
//! ([`on_signal`], the handler every long command shares), unless it comes within
//! [`SECOND_SIGNAL_GRACE`] of the first: then it is the same stop delivered twice.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long after the first stop signal a second one still counts as the same stop, delivered
/// again: GNU `timeout -s INT` signals the child and its process group, and a shell's Ctrl-C
/// reaches every process of the foreground group, so one stop can arrive twice within
/// milliseconds. Only a signal at least this long after the first ends the process at once.
pub(crate) const SECOND_SIGNAL_GRACE: Duration = Duration::from_secs(1);

/// Nanoseconds (plus one) from the handler's registration to the first stop signal; 0 before.
static FIRST_SIGNAL: AtomicU64 = AtomicU64::new(0);

/// What a forced end prints (one write(2): a signal handler may not allocate or lock).
const FORCED: &[u8] = b"interrupted again: ended at once; output not yet written was lost \
(the folder's older files of its kinds were removed when the work began; files being written \
are left as `*.tmp~` temporaries or unjoined trace parts, which the next command in the folder \
removes or explain reports)\n";

/// The stop signals' handler (SIGINT, SIGTERM; `since`: when it was registered). The first
/// signal is only noted (the stop flag, set by its own handler, does the rest); one within
/// [`SECOND_SIGNAL_GRACE`] of it is ignored; a later one prints [`FORCED`], kills the process
/// groups of the subprocess engines still running and exits 130 at once. Async-signal-safe:
/// clock_gettime(2), an atomic compare-exchange, write(2), kill(2) and _exit(2) only. The
/// first is also noted in the test hook's log ([`crate::worklog`]), when one is open.
pub(crate) fn on_signal(since: Instant) {
    let now = u64::try_from(since.elapsed().as_nanos())
        .unwrap_or(u64::MAX - 1)
        .saturating_add(1);
    match FIRST_SIGNAL.compare_exchange(0, now, Ordering::SeqCst, Ordering::SeqCst) {
        // The test hook's `signal` line (`worklog`: an atomic load and write(2)).
        Ok(_) => crate::worklog::note_signal(),
        Err(first) => {
            if u128::from(now.saturating_sub(first)) >= SECOND_SIGNAL_GRACE.as_nanos() {
                // SAFETY: write(2) on standard error with a static buffer is async-signal-safe.
                let _ = unsafe { libc::write(2, FORCED.as_ptr().cast(), FORCED.len()) };
                crate::service::client::kill_engine_groups();
                signal_hook::low_level::exit(i32::from(super::EXIT_INTERRUPTED));
            }
        }
    }
}

/// How often the calling thread looks at the stop flag: a signal is answered within this.
const POLL: Duration = Duration::from_millis(25);

/// Runs `work` and returns its result; on SIGINT or SIGTERM first, prints that `what` was
/// interrupted with nothing written and exits with 130 (the worker is abandoned).
///
/// The calling thread wakes as soon as the work is done, not at its next look at the stop
/// flag: every command reads its scenario through here, and a read of a few milliseconds paid
/// a whole [`POLL`] of sleep (25 ms of each process's wall clock, issue 28).
pub(crate) fn or_interrupted<T: Send>(what: &str, work: impl FnOnce() -> T + Send) -> T {
    let stop = super::stop_flag();
    let on_stop = || -> T {
        eprintln!("interrupted: {what} stopped before it finished; nothing was written");
        crate::service::client::kill_engine_groups();
        std::process::exit(i32::from(super::EXIT_INTERRUPTED));
    };
    watch(POLL, || stop.load(Ordering::Relaxed), on_stop, work).0
}

/// Runs `work` on a scoped worker thread while the calling thread asks `stopped` before each
/// wait of at most `poll`; a wait ends at once when the work is done (or panicked: the panic
/// is resumed here). Returns the work's value and how many waits ran out before it came (0
/// for work done within the first wait). When `stopped` answers true first, `on_stop` runs
/// on the calling thread while the worker still runs ([`or_interrupted`]'s exits the process;
/// a value it returns is returned once the worker has finished too). A finished work wins over
/// a stop seen at the same look, as in the sleeping loop this replaced.
fn watch<T: Send>(
    poll: Duration,
    stopped: impl Fn() -> bool,
    on_stop: impl FnOnce() -> T,
    work: impl FnOnce() -> T + Send,
) -> (T, u32) {
    use std::sync::mpsc::{sync_channel, RecvTimeoutError, TryRecvError};
    let (done, finished) = sync_channel::<()>(1);
    std::thread::scope(|s| {
        let worker = s.spawn(move || {
            let value = work();
            // Dropped without a send on a panic: the watcher then sees the channel closed.
            let _ = done.send(());
            value
        });
        let mut waits = 0;
        loop {
            if !matches!(finished.try_recv(), Err(TryRecvError::Empty)) {
                break;
            }
            if stopped() {
                return (on_stop(), waits);
            }
            match finished.recv_timeout(poll) {
                Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => waits += 1,
            }
        }
        let value = worker
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (value, waits)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Work done long before the first look would end: its value comes back without one wait
    /// running out (the sleeping loop slept a whole poll, 25 ms of every command).
    #[test]
    fn done_work_wakes_the_watcher_at_once() {
        let (value, waits) = watch(Duration::from_secs(3600), || false, || 0, || 42);
        assert_eq!((value, waits), (42, 0));
        // A variant: work that waits for a message from another thread before it returns.
        let (tx, rx) = std::sync::mpsc::channel();
        let sender = std::thread::spawn(move || tx.send(7u32));
        let (value, waits) = watch(
            Duration::from_secs(3600),
            || false,
            || 0,
            move || rx.recv().unwrap_or(0),
        );
        let _ = sender.join();
        assert_eq!((value, waits), (7, 0));
    }

    /// A stop seen before the work is done runs `on_stop` (the caller's exit); a work that
    /// panics has its panic resumed on the watcher's thread, not a hang.
    #[test]
    fn a_stop_or_a_panic_ends_the_watch() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (value, _) = watch(
            Duration::from_millis(1),
            || true,
            || {
                let _ = tx.send(());
                130
            },
            move || {
                // Finishes only once the stop was handled.
                let _ = rx.recv();
                0
            },
        );
        assert_eq!(value, 130);
        let panicked = std::panic::catch_unwind(|| {
            watch(
                Duration::from_secs(3600),
                || false,
                || 0,
                || -> u32 { panic!("work failed") },
            )
        });
        assert!(panicked.is_err());
    }
}
