//! The `run` progress bar on stderr: simulated time over the horizon, summed over replications,
//! and conversations simulated per wall-clock second.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::time::SimTime;

/// Bar units per replication (the bar's length is this × replications).
const PER_REP: u64 = 1000;

/// A progress bar fed from rayon threads (everything in it is `Sync`).
#[derive(Debug)]
pub(crate) struct RunProgress {
    bar: ProgressBar,
    horizon_ms: u64,
    sim_ms: Vec<AtomicU64>,
    arrived: Vec<AtomicU64>,
    started: Instant,
}

impl RunProgress {
    /// A bar for `replications` replications of a run whose arrivals end at `horizon_ms`.
    pub(crate) fn new(replications: u32, horizon_ms: u64) -> Self {
        let n = replications.max(1) as usize;
        let bar = ProgressBar::new(n as u64 * PER_REP).with_style(
            ProgressStyle::with_template(
                "{spinner} [{bar:32}] {percent:>3}% of simulated time · {msg} · {elapsed}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_message("starting");
        bar.enable_steady_tick(Duration::from_millis(200));
        RunProgress {
            bar,
            horizon_ms: horizon_ms.max(1),
            sim_ms: (0..n).map(|_| AtomicU64::new(0)).collect(),
            arrived: (0..n).map(|_| AtomicU64::new(0)).collect(),
            started: Instant::now(),
        }
    }

    /// Replication `rep` reached simulated time `now` with `arrived` conversations so far.
    pub(crate) fn update(&self, rep: u32, now: SimTime, arrived: u64) {
        let i = rep as usize % self.sim_ms.len();
        self.sim_ms[i].store(now.as_millis(), Ordering::Relaxed);
        self.arrived[i].store(arrived, Ordering::Relaxed);
        let pos: u64 = self
            .sim_ms
            .iter()
            .map(|t| t.load(Ordering::Relaxed).min(self.horizon_ms) * PER_REP / self.horizon_ms)
            .sum();
        let total: u64 = self.arrived.iter().map(|a| a.load(Ordering::Relaxed)).sum();
        let wall = self.started.elapsed().as_secs_f64().max(1e-3);
        self.bar.set_position(pos);
        self.bar.set_message(format!(
            "{} · {:.0} conversations/s",
            crate::report::format::plural(total, "conversation"),
            total as f64 / wall
        ));
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
