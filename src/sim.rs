//! The simulator: runs a validated scenario's replications through the rules engine in virtual
//! time.
//!
//! Key items: [`run`] (every replication, in parallel, results in replication order),
//! [`run_replication`] (one), [`RunOptions`], [`RunOutput`].
//!
//! Each replication is independent: it has its own engine, event queue and random streams, all
//! derived from (seed, replication, source). Replications run on rayon's pool and are collected
//! in replication order, so the results are identical on 1 thread or many.
//!
//! The run of a replication ends when arrivals are over (the horizon) and no conversation is
//! live; or, if some never close (a queue nobody serves), at `horizon + drain_limit`, where what
//! remains counts as `in_system_at_end`.

mod arrivals;
mod arrive;
mod customer;
mod event;
mod overflow;
mod routing;
pub(crate) mod setup;
mod supervisors;
mod world;

pub(crate) use setup::engine_setup;

use rayon::prelude::*;

use crate::metrics::RepMetrics;
use crate::scenario::Scenario;
use crate::time::SimTime;

/// How to run a scenario.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Overrides the scenario's replication count.
    pub replications: Option<u32>,
    /// Check the engine's invariants after every event (slow; for tests and debugging). They
    /// are always checked once at the end.
    pub check_invariants: bool,
    /// Run only replications `k, k+n, k+2n, …` (0-based `k`), for sharded runs.
    pub shard: Option<(u32, u32)>,
    /// When set to true (by a signal handler), every replication stops at its next check
    /// (every few thousand events) and reports what it has, marked partial.
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// The result of a run: one [`RepMetrics`] per replication, in replication order.
#[derive(Debug)]
pub struct RunOutput {
    /// The seed used.
    pub seed: u64,
    /// The replication count of the whole run (all shards).
    pub replications: u32,
    /// What each replication that ran measured.
    pub reps: Vec<RepMetrics>,
    /// Wall-clock seconds the run took.
    pub wall_s: f64,
    /// True when a stop request cut the run short.
    pub partial: bool,
}

/// Progress reports: `(replication, simulated time, conversations arrived)`.
pub type Progress<'a> = &'a (dyn Fn(u32, SimTime, u64) + Sync);

/// Runs one replication.
pub fn run_replication(
    sc: &Scenario,
    rep: u32,
    opts: &RunOptions,
    progress: Progress<'_>,
) -> RepMetrics {
    world::World::new(sc, rep, opts).run(&|t, n| progress(rep, t, n))
}

/// Runs every replication (of this shard) in parallel and returns them in replication order.
pub fn run(sc: &Scenario, opts: &RunOptions, progress: Progress<'_>) -> RunOutput {
    let started = std::time::Instant::now();
    let replications = opts.replications.unwrap_or(sc.replications);
    let mine: Vec<u32> = match opts.shard {
        Some((k, n)) => (0..replications).filter(|r| r % n == k).collect(),
        None => (0..replications).collect(),
    };
    let reps: Vec<RepMetrics> = mine
        .par_iter()
        .map(|&r| run_replication(sc, r, opts, progress))
        .collect();
    RunOutput {
        seed: opts.seed.unwrap_or(sc.seed),
        replications,
        partial: reps.iter().any(|r| r.partial),
        reps,
        wall_s: started.elapsed().as_secs_f64(),
    }
}
