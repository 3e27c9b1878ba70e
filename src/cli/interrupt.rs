//! Ctrl-C for work that cannot stop part-way with something worth keeping (`fit`'s pass over a
//! history; `staff` keeps its last finished verification round instead): the work runs on a worker thread while the calling thread
//! watches the stop flag ([`super::stop_flag`]: SIGINT or SIGTERM). On a signal the process
//! ends at once with exit 130 and a message; nothing was written yet (the command writes its
//! files only after the work returns, each atomically), so nothing is left half-written. A
//! second signal ends the process at once even while files are being written.

use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often the calling thread looks at the stop flag: a signal is answered within this.
const POLL: Duration = Duration::from_millis(25);

/// Runs `work` and returns its result; on SIGINT or SIGTERM first, prints that `what` was
/// interrupted with nothing written and exits with 130 (the worker is abandoned).
pub(crate) fn or_interrupted<T: Send>(what: &str, work: impl FnOnce() -> T + Send) -> T {
    let stop = super::stop_flag();
    std::thread::scope(|s| {
        let worker = s.spawn(work);
        loop {
            if worker.is_finished() {
                return worker
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
            }
            if stop.load(Ordering::Relaxed) {
                eprintln!("interrupted: {what} stopped before it finished; nothing was written");
                crate::service::client::kill_engine_groups();
                std::process::exit(i32::from(super::EXIT_INTERRUPTED));
            }
            std::thread::sleep(POLL);
        }
    })
}
