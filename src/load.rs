//! Wall-clock load testing of the rules engine with tokio: the same [`Engine`] code as the
//! simulator, driven by concurrent tasks at an offered rate (open model).
//!
//! Key items: [`run`], [`LoadOptions`], [`LoadReport`] (`load.json`), [`SharedEngine`] (the
//! engine behind a concurrency-safe handle), [`parse_ramp`], [`parse_threshold`], [`LoadScope`] (the paths a threshold may name).
//!
//! How a run works:
//! - An [`ArrivalSchedule`] gives every conversation's due time from `--rate` (and `--ramp`
//!   stages). Arrivals never wait for the system (open model).
//! - `workers` agent worker tasks each own the agents `a` with `a % workers == id` and every
//!   `workers`-th arrival. Each loop a worker takes every command due by now, applies them under
//!   one lock, and records each command's latency from its **due** time, so a stalled engine
//!   shows in the tail (no coordinated omission).
//! - Every agent is on shift from the start (no shifts or breaks under load).
//! - One task per supervisor policy ticks every `every / speed` and acts through the engine.
//! - After `duration` arrivals stop; in-flight work runs for at most `drain`; what is still live
//!   counts as `in_system_at_end`. The invariant checker then runs on the final engine.
//! - Arrivals come from the scenario's queues and work streams (route-to-queue) in proportion
//!   to their expected arrivals, each with its attribute values and routing tag, so skills,
//!   prioritization and assignment rules act as in the simulator (see `plan`); `load.json`
//!   reports `routing` like `summary.json` when the scenario uses unified routing.
//! - Every command that fell due but was never applied by the end (an engine that fell behind,
//!   an interrupted run) is counted in `unapplied` and enters the latency histograms with its
//!   age at the end; any such command marks the report `partial` (see `unapplied`).
//!
//! ```no_run
//! use omnisim::load::{run, LoadOptions};
//! # let scenario: omnisim::scenario::Scenario = unimplemented!();
//! let report = run(&scenario, &LoadOptions { rate: 1000.0, ..LoadOptions::default() });
//! assert_eq!(report.invariant_violations, 0);
//! ```

mod paths;
mod plan;
mod progress;
mod refusals;
mod remote;
mod report;
mod schedule;
mod shared;
mod stats;
mod supervisor;
mod tries;
mod unapplied;
mod worker;

use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use paths::{
    is_latency_path, lookup, parse_threshold, LoadScope, LoadThreshold, ThresholdError,
};
pub use remote::{run_remote, RemoteLatency, RemoteLoadError};
pub use report::{
    or_dash, CommandStats, Conversations, Driver, LatencyUs, LoadReport, LoadRouting, PolicyCounts,
    ThresholdResult,
};
pub use schedule::{parse_ramp, ArrivalSchedule, RampError, Stage};
pub use shared::{Clock, EngineGuard, SharedEngine};
pub use stats::{kind_of, TaskStats, KINDS};
pub use supervisor::MAX_ACTIONS_PER_TICK;

use crate::engine::{Engine, RulesEngine};
use crate::scenario::Scenario;

/// How to drive a load run.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Offered conversations per second (the start rate when `ramp` is given).
    pub rate: f64,
    /// k6-style ramping stages after the start rate.
    pub ramp: Vec<Stage>,
    /// How long arrivals are offered.
    pub duration: Duration,
    /// Most wall time in-flight work may take after arrivals stop.
    pub drain: Duration,
    /// Scenario time per wall time (durations in the scenario are divided by it).
    pub speed: f64,
    /// Agent worker tasks (default: one per core).
    pub workers: usize,
    /// Tokio runtime threads (default: one per core).
    pub threads: usize,
    /// Most commands applied per lock (1 = a lock per command).
    pub batch: usize,
    /// Artificial cost per command, a busy wait under the lock (tests: a tiny-capacity engine).
    pub engine_delay: Duration,
    /// Print a progress line a second on stderr.
    pub progress: bool,
    /// Thresholds to check on `load.json` paths.
    pub thresholds: Vec<LoadThreshold>,
    /// When set to true (by a signal handler), the run stops within about 40 ms: arrivals and
    /// in-flight work end (commands already due get at most 20 ms more), the report is marked
    /// partial and interrupted, and what fell due but was not applied counts as unapplied.
    pub stop: Option<Arc<AtomicBool>>,
    /// Fault injection for tests: the worker task with this id panics after its first batch,
    /// while it holds the engine lock, to show that a failed task is counted in `errors` and
    /// the others finish. The command line never sets it.
    pub panic_worker: Option<usize>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        LoadOptions {
            rate: 100.0,
            ramp: Vec::new(),
            duration: Duration::from_secs(10),
            drain: Duration::from_secs(5),
            speed: 60.0,
            workers: cores,
            threads: cores,
            batch: 1024,
            engine_delay: Duration::ZERO,
            progress: false,
            thresholds: Vec::new(),
            stop: None,
            panic_worker: None,
        }
    }
}

/// Runs a load test of `scenario` and returns `load.json`'s model. Stops by itself after
/// `duration + drain` at the latest. Thresholds in `opts` are checked; the scenario's
/// `[[thresholds]]` whose metric is a `load.json` path are checked too.
pub fn run(scenario: &Scenario, opts: &LoadOptions) -> LoadReport {
    let workers = opts.workers.max(1);
    // Setup, below the driver: the scenario's engine, and every routing tag interned into it
    // before the first command.
    // The load driver has no shifts or breaks (a run lasts seconds to minutes of wall time):
    // every agent is on shift from the start, so the scenario's whole staff serves.
    let mut setup = crate::setup::engine_setup(scenario);
    for a in &mut setup.agents {
        a.on_shift = true;
    }
    let mut engine = Engine::new(setup);
    let tags = crate::setup::RoutingTags::new(scenario, &mut engine);
    let plan = plan::Plan::new(scenario, tags, opts.speed.max(1e-9), workers);
    drive(scenario, opts, engine, plan)
}

/// Drives `engine` (set up from `scenario`, its routing tags in `plan`) through a load run:
/// generic over the engine, monomorphised for the in-process [`Engine`].
fn drive<E: RulesEngine + Clone + Send + 'static>(
    scenario: &Scenario,
    opts: &LoadOptions,
    engine: E,
    plan: plan::Plan,
) -> LoadReport {
    let workers = opts.workers.max(1);
    let threads = opts.threads.max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_time()
        .build()
        .expect("a tokio runtime can be built");
    let clock = Clock::new();
    let shared = Arc::new(
        SharedEngine::new(engine, clock, opts.speed.max(1e-9)).with_delay(opts.engine_delay),
    );
    let plan = Arc::new(plan);
    let duration_s = opts.duration.as_secs_f64();
    let schedule = Arc::new(ArrivalSchedule::new(opts.rate, &opts.ramp, duration_s));
    let end_ns = opts.duration.as_nanos() as u64;
    let live = Arc::new(worker::Live {
        commands: AtomicU64::new(0),
        in_system: AtomicU64::new(0),
        missed_ticks: AtomicU64::new(0),
        recent: Mutex::new((stats::new_hist(), 0)),
        done: AtomicBool::new(false),
        cutoff_ns: AtomicU64::new(u64::MAX),
        arrival_workers: std::sync::atomic::AtomicUsize::new(workers),
        end_ns,
        deadline_ns: end_ns + opts.drain.as_nanos() as u64,
    });
    let (senders, inboxes): (Vec<_>, Vec<_>) = (0..workers)
        .map(|_| tokio::sync::mpsc::unbounded_channel())
        .unzip();
    let mail = worker::Mailboxes(senders);
    // The agents' answers to invitations, read by the policies when one assigns to agents.
    let assigns = scenario.supervisors.iter().any(|s| {
        s.policies
            .iter()
            .any(|p| matches!(p.action, crate::scenario::Action::AssignToAgent(_)))
    });
    let book = assigns.then(|| Arc::new(refusals::Book::new(policy_count(scenario))));
    let policies =
        supervisor::PolicyTask::all(scenario, &plan, &shared, &live, &mail, book.as_ref());
    let supervisor_tasks = policies.len();
    let interrupted = Arc::new(AtomicBool::new(false));
    let tallies = worker::tallies(workers, threads);
    let (merged, worker_ends, errors, policy_counts) = rt.block_on(async {
        let mut worker_handles = Vec::new();
        let mut handles = Vec::new();
        for (id, inbox) in inboxes.into_iter().enumerate() {
            let w = worker::Worker {
                id,
                plan: plan.clone(),
                shared: shared.clone(),
                live: live.clone(),
                schedule: schedule.clone(),
                inbox,
                mail: mail.clone(),
                batch: opts.batch.max(1),
                panics: opts.panic_worker == Some(id),
                tally: tallies[id % tallies.len()].clone(),
                book: book.clone(),
            };
            worker_handles.push(tokio::spawn(w.run()));
        }
        for p in policies {
            handles.push(tokio::spawn(p.run()));
        }
        drop(mail);
        let progress = opts
            .progress
            .then(|| tokio::spawn(progress::run(live.clone(), clock)));
        let watcher = opts.stop.clone().map(|stop| {
            let (live, interrupted) = (live.clone(), interrupted.clone());
            tokio::spawn(async move {
                use std::sync::atomic::Ordering::Relaxed;
                while !live.done.load(Relaxed) {
                    if stop.load(Relaxed) {
                        interrupted.store(true, Relaxed);
                        live.finish(clock.ns());
                        break;
                    }
                    crate::worklog::note(crate::worklog::Unit::Load);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        });
        let mut merged = TaskStats::default();
        let mut policy_counts = std::collections::BTreeMap::new();
        let mut errors = 0u64;
        let mut ends = Vec::new();
        for h in worker_handles {
            match h.await {
                Ok(end) => ends.push(end),
                Err(_) => errors += 1,
            }
        }
        for h in handles {
            match h.await {
                Ok((s, name, counts)) => {
                    merged.merge(&s);
                    policy_counts.insert(name, counts);
                }
                Err(_) => errors += 1,
            }
        }
        live.finish(clock.ns());
        if let Some(p) = progress {
            let _ = p.await;
        }
        if let Some(w) = watcher {
            let _ = w.await;
        }
        (merged, ends, errors, policy_counts)
    });
    // The run has ended: everything due by the cutoff and never applied is owed, with its age
    // now.
    let stop = clock.ns();
    let cutoff = live.cutoff();
    let wall_s = stop as f64 / 1e9;
    drop(rt);
    let engine = match Arc::try_unwrap(shared) {
        Ok(s) => s.into_engine(),
        Err(s) => s.lock().engine().clone(),
    };
    let mut merged = merged;
    for t in &tallies {
        merged.merge(&t.lock().unwrap_or_else(|p| p.into_inner()).stats);
    }
    for end in worker_ends {
        unapplied::worker(
            end,
            &schedule,
            workers as u64,
            &engine,
            cutoff,
            stop,
            &mut merged,
        );
    }
    let breaks = engine.check_invariants();
    let k = engine.counters();
    let conversations = Conversations {
        arrived: k.arrived,
        closed: k.closed,
        in_system_at_end: engine.live_conversations() as u64,
    };
    let commands = merged.commands();
    let unapplied = merged.unapplied_total();
    let interrupted = interrupted.load(std::sync::atomic::Ordering::Relaxed);
    let (by_command, refused_by_rule) = report::breakdown(&merged);
    let (all, max_us) = merged.all();
    let arrive = stats::kind_of(&crate::engine::Command::Arrive(
        crate::model::QueueId(0),
        Default::default(),
    ));
    let mut rep = LoadReport {
        format: "omnisim.load/1",
        omnisim_version: env!("CARGO_PKG_VERSION"),
        scenario: scenario.name.clone(),
        rate_per_s: opts.rate,
        ramp: opts.ramp.clone(),
        duration_s,
        speed: opts.speed,
        offered: commands + unapplied,
        commands,
        unapplied,
        throughput_per_s: (commands as f64 / wall_s.max(1e-9)).round(),
        latency_us: LatencyUs::of(&all, max_us),
        refused: merged.refused_by_kind.iter().sum(),
        errors,
        partial: interrupted || unapplied > 0,
        interrupted,
        invariant_violations: breaks.len() as u64,
        conservation_ok: conversations.arrived
            == conversations.closed + conversations.in_system_at_end,
        conversations,
        by_command,
        refused_by_rule,
        policies: policy_counts,
        driver: Driver {
            design: "mutex-batched".into(),
            workers,
            supervisor_tasks,
            threads,
            batch: opts.batch.max(1),
            offered_arrivals: merged.applied[arrive] + merged.unapplied[arrive],
            missed_policy_ticks: live.missed_ticks.load(std::sync::atomic::Ordering::Relaxed),
            wall_s: (wall_s * 1000.0).round() / 1000.0,
        },
        thresholds: Vec::new(),
        routing: crate::setup::uses_routing(scenario)
            .then(|| report::routing_summary(scenario, &merged.routing)),
        remote: None,
    };
    rep.check(&thresholds(scenario, opts, false));
    rep
}

/// The number of supervisor policies (one task each).
fn policy_count(scenario: &Scenario) -> usize {
    scenario.supervisors.iter().map(|s| s.policies.len()).sum()
}

/// The thresholds a load run checks: the scenario's `[[thresholds]]` whose metric is also a
/// `load.json` path of this run ([`LoadScope`]), then `opts.thresholds`.
pub(crate) fn thresholds(
    scenario: &Scenario,
    opts: &LoadOptions,
    remote: bool,
) -> Vec<LoadThreshold> {
    let scope = LoadScope::of(scenario, opts.ramp.len(), remote);
    let mut all: Vec<LoadThreshold> = scenario
        .thresholds
        .iter()
        .filter(|t| scope.knows(&t.metric))
        .cloned()
        .collect();
    all.extend(opts.thresholds.iter().cloned());
    all
}
