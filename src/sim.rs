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

mod agents;
mod arrivals;
mod arrive;
mod chat;
mod customer;
mod customers;
mod event;
mod handling;
mod intake;
mod invites;
pub mod log;
pub mod observe;
mod outputs;
mod overflow;
mod record;
mod remote;
mod replay;
mod routing;
pub(crate) mod setup;
mod sharing;
mod supervisors;
mod world;

pub use observe::{DashLog, DashOptions, TraceOptions};
pub use remote::{run_remote, RemoteRunError};

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
    /// `--trace`: write every command, effect, counted refusal and routing decision.
    pub trace: Option<TraceOptions>,
    /// Record the compact event log `report.html` replays.
    pub dashboard: Option<DashOptions>,
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
    /// The dashboard's event log, when [`RunOptions::dashboard`] asked for one that ran.
    pub dashboard: Option<DashLog>,
}

impl RunOutput {
    /// The output of `reps` (in replication order) of a run of `replications` with `seed`
    /// that took `wall_s` wall-clock seconds: partial when any replication was cut short; no
    /// dashboard log.
    pub fn of(seed: u64, replications: u32, reps: Vec<RepMetrics>, wall_s: f64) -> RunOutput {
        RunOutput {
            seed,
            replications,
            partial: reps.iter().any(|r| r.partial),
            reps,
            wall_s,
            dashboard: None,
        }
    }
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
    world::World::new(sc, rep, opts, false)
        .run(&|t, n| progress(rep, t, n))
        .0
}

/// Runs every replication (of this shard) like [`run`], also keeping each replication's
/// conversation log ([`log::ConvLog`], in replication order) for `conversations.csv`.
pub fn run_logged(
    sc: &Scenario,
    opts: &RunOptions,
    progress: Progress<'_>,
) -> (RunOutput, Vec<log::ConvLog>) {
    let started = std::time::Instant::now();
    let (mine, replications) = mine(sc, opts);
    let all: Vec<world::RepOut> = mine
        .par_iter()
        .map(|&r| world::World::new(sc, r, opts, true).run(&|t, n| progress(r, t, n)))
        .collect();
    let mut reps = Vec::with_capacity(all.len());
    let mut logs = Vec::new();
    let mut dashboard = None;
    for (m, l, d) in all {
        reps.push(m);
        logs.push(l);
        dashboard = dashboard.or(d);
    }
    let out = RunOutput {
        dashboard,
        ..RunOutput::of(
            opts.seed.unwrap_or(sc.seed),
            replications,
            reps,
            started.elapsed().as_secs_f64(),
        )
    };
    (out, logs.into_iter().flatten().map(|l| *l).collect())
}

/// The replications this shard runs, and the run's replication count.
fn mine(sc: &Scenario, opts: &RunOptions) -> (Vec<u32>, u32) {
    let replications = opts.replications.unwrap_or(sc.replications);
    let mine = match opts.shard {
        Some((k, n)) => (0..replications).filter(|r| r % n == k).collect(),
        None => (0..replications).collect(),
    };
    (mine, replications)
}

/// Runs every replication (of this shard) in parallel and returns them in replication order.
pub fn run(sc: &Scenario, opts: &RunOptions, progress: Progress<'_>) -> RunOutput {
    let started = std::time::Instant::now();
    let (mine, replications) = mine(sc, opts);
    let (reps, dashes): (Vec<RepMetrics>, Vec<Option<DashLog>>) = mine
        .par_iter()
        .map(|&r| {
            let (m, _, d) = world::World::new(sc, r, opts, false).run(&|t, n| progress(r, t, n));
            (m, d)
        })
        .unzip();
    RunOutput {
        dashboard: dashes.into_iter().flatten().next(),
        ..RunOutput::of(
            opts.seed.unwrap_or(sc.seed),
            replications,
            reps,
            started.elapsed().as_secs_f64(),
        )
    }
}
