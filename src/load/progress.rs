//! The live progress line on stderr: once a second, the command rate achieved, the p99 latency
//! of the commands applied in the last second (never above their exact maximum; `—` when none
//! was) and the conversations in the system.

use std::io::Write;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use super::shared::Clock;
use super::worker::Live;

/// Prints a line a second until the run is done or past its deadline.
pub(crate) async fn run(live: Arc<Live>, clock: Clock) {
    let mut last = 0u64;
    let mut t = 1_000_000_000u64;
    while t < live.deadline_ns && !live.done.load(Relaxed) {
        tokio::time::sleep_until(tokio::time::Instant::from_std(clock.at(t))).await;
        let n = live.commands.load(Relaxed);
        let p99 = match live.recent.lock() {
            Ok(mut h) => {
                let p = crate::metrics::hdr_quantile(&h.0, 0.99, h.1);
                h.0.reset();
                h.1 = 0;
                p
            }
            Err(_) => None,
        };
        let phase = if t <= live.end_ns { "load" } else { "drain" };
        eprint!(
            "\r[{phase} {:>4}s] {:>10} cmd/s  p99 {:>9} µs  in system {:>8}   ",
            t / 1_000_000_000,
            n - last,
            super::report::or_dash(p99),
            live.in_system.load(Relaxed)
        );
        let _ = std::io::stderr().flush();
        last = n;
        t += 1_000_000_000;
    }
    eprintln!();
}
