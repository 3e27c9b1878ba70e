//! The simulator: runs a validated scenario's replications through the rules engine in virtual
//! time.
//!
//! Key items: [`run`] (every replication, in parallel, results in replication order),
//! [`run_keep`] (the same, keeping only what the caller needs of each replication),
//! [`run_replication`] (one), [`RunOptions`], [`RunOutput`], [`RunTotals`].
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
mod guard;
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
mod streams;
mod sup_tries;
mod supervisors;
pub mod totals;
mod world;

pub use observe::{
    trace_bytes_estimate, DashLog, DashOptions, TraceOptions, TRACE_BYTES_PER_CONVERSATION,
};
pub use remote::{run_remote, RemoteRunError};
pub use totals::RunTotals;

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

/// The result of a run: every replication folded into [`RunTotals`], and what was kept of
/// each replication, in replication order: its whole [`RepMetrics`] by default (`R`), or only
/// what a reader needs per replication ([`run_keep`]).
#[derive(Debug)]
pub struct RunOutput<R = RepMetrics> {
    /// The seed used.
    pub seed: u64,
    /// The replication count of the whole run (all shards).
    pub replications: u32,
    /// Every replication that ran, summed (exactly: the same whatever order they finished in).
    pub totals: RunTotals,
    /// What was kept of each replication that began, in replication order (one a stop
    /// reached before its first event is in `totals` only).
    pub reps: Vec<R>,
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
        let totals = RunTotals::of(&reps);
        RunOutput {
            seed,
            replications,
            partial: totals.partial(),
            totals,
            reps,
            wall_s,
            dashboard: None,
        }
    }
}

impl<R> RunOutput<R> {
    /// The same run keeping `f` of each replication instead.
    pub fn map_reps<S>(self, f: impl FnMut(R) -> S) -> RunOutput<S> {
        RunOutput {
            seed: self.seed,
            replications: self.replications,
            totals: self.totals,
            reps: self.reps.into_iter().map(f).collect(),
            wall_s: self.wall_s,
            partial: self.partial,
            dashboard: self.dashboard,
        }
    }
}

/// Progress reports: `(replication, simulated time, conversations arrived)`.
pub type Progress<'a> = &'a (dyn Fn(u32, SimTime, u64) + Sync);

/// What a run keeps of each replication as it finishes, before it is folded into the totals
/// (on the worker thread that ran it). It must hand the replication back as it found it: it
/// may lend its parts ([`RunTotals::lend`]), not keep them.
pub type Keep<'a, R> = &'a (dyn Fn(&mut RepMetrics) -> R + Sync);

/// Runs one replication.
pub fn run_replication(
    sc: &Scenario,
    rep: u32,
    opts: &RunOptions,
    progress: Progress<'_>,
) -> RepMetrics {
    world::World::new(sc, rep, opts, false)
        .run(&|t, n| progress(rep, t, n))
        .out
        .0
}

/// Runs every replication (of this shard) like [`run`], also keeping each replication's
/// conversation log ([`log::ConvLog`], in replication order) for `conversations.csv`.
pub fn run_logged(
    sc: &Scenario,
    opts: &RunOptions,
    progress: Progress<'_>,
) -> (RunOutput, Vec<log::ConvLog>) {
    drive(sc, opts, progress, true, &|m| m.clone())
}

/// As [`run_logged`], keeping `keep` of each replication.
pub fn run_logged_keep<R: Send>(
    sc: &Scenario,
    opts: &RunOptions,
    progress: Progress<'_>,
    keep: Keep<'_, R>,
) -> (RunOutput<R>, Vec<log::ConvLog>) {
    drive(sc, opts, progress, true, keep)
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
    drive(sc, opts, progress, false, &|m| m.clone()).0
}

/// Runs every replication (of this shard) in parallel; as each finishes, it is folded into
/// the run's totals and only `keep` of it is kept (in replication order), so memory does not
/// grow with the replications' histograms and series.
pub fn run_keep<R: Send>(
    sc: &Scenario,
    opts: &RunOptions,
    progress: Progress<'_>,
    keep: Keep<'_, R>,
) -> RunOutput<R> {
    drive(sc, opts, progress, false, keep).0
}

/// Whether replication `r` is reached by a stop request before it began and has nothing but
/// its metrics to give (no log, trace or dashboard part): it is then not built at all (its
/// engine, agents and streams grow with the roster: a second per replication for 500,000
/// roster agents, after the signal).
fn stopped_before(opts: &RunOptions, logged: bool, r: u32) -> bool {
    let stop = opts
        .stop
        .as_ref()
        .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed));
    stop && !logged
        && opts.trace.is_none()
        && opts.dashboard.as_ref().is_none_or(|d| d.replication != r)
}

/// Runs this shard's replications in parallel: each, as it finishes, is handed to `keep` and
/// then moved into the totals (under a lock; the fold is exact, so the order does not
/// matter); what `keep` returns is collected in replication order. A replication a stop
/// reaches before it begins is counted in the totals (partial) but not handed to `keep`: it
/// has no row (issue 25: a row per replication not begun, each one entry per roster agent,
/// took tens of seconds to write after the signal).
fn drive<R: Send>(
    sc: &Scenario,
    opts: &RunOptions,
    progress: Progress<'_>,
    logged: bool,
    keep: Keep<'_, R>,
) -> (RunOutput<R>, Vec<log::ConvLog>) {
    let started = std::time::Instant::now();
    let (mine, replications) = mine(sc, opts);
    let totals = std::sync::Mutex::new(RunTotals::default());
    // A replication the stop reaches before it begins is only counted here; once all have
    // ended, the totals count them (`RunTotals::count_not_begun`) without building and
    // folding their empty recorders (issue 25 leftovers: on 3,000 queues and 30 replications,
    // each one's two 16 kB histograms per queue took most of the 2–4 s between a Ctrl-C and
    // the exit). Only a run in which no replication began folds one (`world::not_started`),
    // for the totals' shape: after a replication that began, folding it changes only the
    // count (fixc-13: on 20,000 queues its recorder was a gigabyte of zeroed pages, most of
    // what was left of the time from the signal to the exit).
    let not_begun = std::sync::atomic::AtomicU32::new(0);
    let lock = || {
        totals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    // What each replication gives back: what `keep` kept (none when not begun), its log and
    // its dashboard log.
    type Kept<R> = (Option<R>, Option<Box<log::ConvLog>>, Option<DashLog>);
    let all: Vec<Kept<R>> = mine
        .par_iter()
        .map(|&r| {
            if stopped_before(opts, logged, r) {
                not_begun.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return (None, None, None);
            }
            crate::worklog::note(crate::worklog::Unit::Rep);
            let ran = world::World::new(sc, r, opts, logged).run(&|t, n| progress(r, t, n));
            let ((mut m, l, d), began) = (ran.out, ran.began);
            let kept = began.then(|| keep(&mut m));
            lock().add_owned(m);
            (kept, l, d)
        })
        .collect();
    let mut totals = totals
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut hollow = not_begun.into_inner();
    if hollow > 0 && totals.count == 0 {
        // None began (none was folded): one's empty metrics give the totals their shape.
        totals.add_owned(world::not_started(sc, mine[0]));
        hollow -= 1;
    }
    for _ in 0..hollow {
        totals.count_not_begun();
    }
    let mut reps = Vec::with_capacity(all.len());
    let mut logs = Vec::new();
    let mut dashboard = None;
    for (k, l, d) in all {
        reps.extend(k);
        logs.extend(l.map(|l| *l));
        dashboard = dashboard.or(d);
    }
    let out = RunOutput {
        seed: opts.seed.unwrap_or(sc.seed),
        replications,
        partial: totals.partial(),
        totals,
        reps,
        wall_s: started.elapsed().as_secs_f64(),
        dashboard,
    };
    (out, logs)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    use super::{run, world, RunOptions};
    use crate::scenario::load_str;

    /// A replication the stop reaches before it begins is not built, and its metrics are the
    /// ones a built replication stopped before its first event gives (issue 25: a stop of a
    /// 500,000-row roster's run built every later replication's engine and agents first).
    #[test]
    fn a_replication_not_begun_has_the_metrics_of_one_built_and_stopped() {
        let sc = load_str(
            "[scenario]\nname = \"n\"\nhorizon = \"2h\"\nwarmup = \"10m\"\nreplications = 3\n\
             short_abandon = \"5s\"\n\n\
             [[workstreams]]\nname = \"chat\"\nchannel = \"live_chat\"\n\
             handle_time = { dist = \"exponential\", mean = \"5m\" }\n\n\
             [[queues]]\nname = \"q\"\nworkstream = \"chat\"\narrivals = { rate = \"30/h\" }\n\n\
             [[agent_groups]]\nname = \"a\"\ncount = 3\ncapacity = 200\nqueues = [\"q\"]\n\n\
             [[agent_groups]]\nname = \"b\"\ncount = 2\nqueues = [\"q\"]\n",
            "n.toml",
        )
        .expect("valid");
        let built = |rep| {
            let opts = RunOptions::default();
            let stop = Arc::new(AtomicBool::new(true));
            let opts = RunOptions {
                stop: Some(stop),
                ..opts
            };
            let ran = world::World::new(&sc, rep, &opts, false).run(&|_, _| {});
            assert!(!ran.began);
            ran.out.0
        };
        // Compared as written to shard.json (lossless; RepMetrics has no `==`).
        let text = |m: &crate::metrics::RepMetrics| serde_json::to_string(m).expect("serializes");
        for rep in 0..3 {
            assert_eq!(text(&world::not_started(&sc, rep)), text(&built(rep)));
        }
        // Through the driver: every replication stopped before it began, none finished: each
        // is counted in the totals, none kept (no row per replication not begun, issue 25).
        let stop = Arc::new(AtomicBool::new(true));
        let out = run(
            &sc,
            &RunOptions {
                stop: Some(stop),
                ..RunOptions::default()
            },
            &|_, _, _| {},
        );
        assert!(out.partial);
        assert_eq!(out.totals.finished, 0);
        assert_eq!(out.totals.count, 3);
        assert!(out.reps.is_empty());
    }

    /// Issue 25 leftovers (Ctrl-C on 3,000 queues): a replication a stop reaches before it
    /// begins is only counted once the totals hold one such replication's empty metrics;
    /// counting it is folding it (the totals are the same, field for field), after a
    /// replication that ran or after another not begun, with supervisors, a roster and
    /// several queues.
    #[test]
    fn counting_a_replication_not_begun_is_folding_its_empty_metrics() {
        for path in [
            "scenarios/rules-playbook.toml",
            "scenarios/bilingual-support.toml",
            "scenarios/ci-smoke.toml",
        ] {
            let sc = crate::scenario::load_file(std::path::Path::new(path)).expect("valid");
            let ran = run(
                &sc,
                &RunOptions {
                    replications: Some(1),
                    ..RunOptions::default()
                },
                &|_, _, _| {},
            );
            for first in [Some(ran.reps[0].clone()), None] {
                let mut folded = super::RunTotals::default();
                if let Some(m) = first {
                    folded.add_owned(m);
                }
                folded.add_owned(world::not_started(&sc, 1));
                let mut counted = folded.clone();
                for rep in 2..5 {
                    folded.add_owned(world::not_started(&sc, rep));
                    counted.count_not_begun();
                }
                assert_eq!(format!("{folded:?}"), format!("{counted:?}"), "{path}");
            }
            // After a replication that began, none is folded at all (fixc-13: the first one's
            // empty recorder was a gigabyte on 20,000 queues): counting them is folding them.
            let mut folded = super::RunTotals::default();
            folded.add_owned(ran.reps[0].clone());
            let mut counted = folded.clone();
            for rep in 1..5 {
                folded.add_owned(world::not_started(&sc, rep));
                counted.count_not_begun();
            }
            assert_eq!(format!("{folded:?}"), format!("{counted:?}"), "{path}");
        }
    }

    /// Issue 25 leftover: the trace's ids of closed conversations (for a command still naming
    /// one, refused LC-CLOSED) grew ~32 B per conversation; they are pruned to those a pending
    /// event names. Pruning at every check (every 4,096 events) writes the same trace as the
    /// default (first prune at 65,536 ids, none in this run), LC-CLOSED refusals named: a
    /// supervisor's action an hour after it decided, on a conversation closed meanwhile (its
    /// slot taken by a later arrival), is refused after several prunes.
    #[test]
    fn pruning_the_retired_ids_leaves_the_trace_unchanged() {
        let sc = load_str(
            "[scenario]\nname = \"p\"\nhorizon = \"8h\"\nreplications = 1\n\n\
             [[workstreams]]\nname = \"chat\"\nchannel = \"live_chat\"\n\
             handle_time = { dist = \"exponential\", mean = \"4m\" }\n\
             patience = { dist = \"exponential\", mean = \"1m\" }\n\n\
             [[queues]]\nname = \"q\"\nworkstream = \"chat\"\narrivals = { rate = \"600/h\" }\n\n\
             [[agent_groups]]\nname = \"a\"\ncount = 30\nqueues = [\"q\"]\n\n\
             [[supervisors]]\nname = \"lead\"\nqueues = [\"q\"]\nreaction = \"1h\"\n\n\
             [[supervisors.policies]]\nname = \"move\"\nevery = \"10s\"\n\
             when = { state = \"open\", waited_at_least = \"5s\" }\n\
             action = { assign_to = \"agent\", pick = \"most_free_capacity\" }\n",
            "p.toml",
        )
        .expect("valid");
        let traced = |name: &str, prune_at: Option<usize>| {
            let dir = std::env::temp_dir().join(format!("omnisim-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("dir");
            let opts = RunOptions {
                trace: Some(super::TraceOptions {
                    dir: dir.clone(),
                    replication: None,
                    errors: Default::default(),
                }),
                ..RunOptions::default()
            };
            let mut w = world::World::new(&sc, 0, &opts, false);
            if let (Some(at), Some(o)) = (prune_at, w.out.observer()) {
                o.retired_mut().set_prune_at(at);
            }
            let ran = w.run(&|_, _| {});
            assert!(ran.began);
            let text = std::fs::read_to_string(dir.join("trace.jsonl.part-0")).expect("part");
            let _ = std::fs::remove_dir_all(&dir);
            text
        };
        let whole = traced("retired-whole", None);
        let pruned = traced("retired-pruned", Some(1));
        let closed = whole
            .lines()
            .filter(|l| l.contains("LC-CLOSED") && l.contains("\"conversation\""))
            .count();
        assert!(closed > 0, "no LC-CLOSED refusal naming a conversation");
        assert!(whole == pruned, "the trace changed with pruning");
    }
}
