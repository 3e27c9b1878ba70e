//! `omnisim staff`: agents needed per interval so that every interval meets a target, and the
//! cheapest roster of shifts that covers them.
//!
//! # Method
//!
//! 1. **Offered load from the arrival process** ([`offered`]): the Mt/G/∞ mean number in
//!    service, m(t) = E\[λ(t − Sₑ)\]·E\[S\] (Eick, Massey & Whitt 1993), from every arrival source
//!    (queue arrivals, forecasts, work-stream arrivals through route-to-queue, replays). No
//!    simulation and no seed: the load, and the requirement built on it, do not move with the
//!    seed. It lags the arrival rate after a peak when conversations are long.
//! 2. **Stationary model per sub-interval** ([`model`]): each interval's fewest agents such that
//!    the figures of the stationary model — Erlang C, or Erlang A when customers have patience —
//!    at each 5-minute sub-interval's offered load, averaged over the conversations each brings,
//!    meet the target (the modified-offered-load approach). With patience the answer may be
//!    below the offered load.
//! 3. **Verification with the rules in the loop**: simulate that staffing (the scenario's rules:
//!    transfers, overflow, retrials, chat concurrency — what the model does not see) and decide
//!    each interval at a stated precision ([`Precision`]: 5% of the target's distance from the
//!    metric's best value, at most ±0.01 for a fraction). An interval meets the target when its
//!    estimate (pooled over replications) meets it by a guard band of half the precision. One
//!    that does not gets more agents when it misses significantly (its one-sided 95% bound,
//!    Bonferroni-adjusted over the intervals, is on the wrong side of the target) or when it
//!    misses by more than the precision with a 95% interval narrower than it; otherwise (an
//!    estimate within the guard band of the target, on either side, or within the noise) it is
//!    undecided, and replications are doubled (up to [`Precision::max_replications`]).
//!    Nothing is trimmed on simulation noise: a trim judged on a handful of sample paths is a
//!    coin toss.
//!
//! **Existing staff.** The scenario's other groups and `[traffic] roster` agents serving the
//! staffed queues stay in every simulation, and every figure is what the staffed group adds on
//! top of them: the stationary model's (and Erlang C's and A's) total requirement less the
//! existing agents present in the interval ([`existing`]), floored at 0, then verified as
//! above with the existing agents in place.
//!
//! Beside it, `erlang_c` (and `erlang_a` with patience) is the classical pointwise staffing
//! from the interval's mean arrival rate and the mean holding time of its arrivals (a
//! forecast's `aht` column included), and `erlang_c_service_level` the simulated service
//! level with that staffing: with long conversations it falls short after each peak.
//!
//! Key items: [`StaffSpec`], [`run`], [`StaffResult`]; [`cover`] (the shift-covering integer
//! program), [`layout`] (a scenario staffed per interval), [`render`] (the output files).

pub mod cover;
mod decide;
mod evaluate;
pub mod existing;
mod group;
pub mod layout;
pub mod model;
pub mod offered;
mod precision;
pub mod reach;
pub mod render;
mod roster;
pub mod rostered;
pub mod span;
mod target;

use crate::model::QueueId;
use crate::scenario::{Scenario, ShiftTemplate};
use crate::sim::RunOptions;
use crate::stats::ratio_ci95;
use crate::time::{SimDuration, SimTime};
use crate::workflows::target::Target;

use cover::{Candidate, CoverError};
pub use decide::CheckVerdict;
use decide::{verdict, Verdict};
pub use evaluate::RosterRep;
use evaluate::{Ctx, Eval};
use group::pick_group;
pub use group::GroupError;
use layout::LayoutError;
use model::{Model, Slice};
pub use precision::{Precision, FRACTION_PRECISION, PRECISION_SHARE};
pub use roster::{roster_check, roster_scenario, RosterCheck, CHECK_SEED_OFFSET};
pub use target::check_target;

/// What `omnisim staff` was asked.
#[derive(Clone, Debug)]
pub struct StaffSpec {
    /// The per-interval target (`service_level.fraction>=0.8`, `wait_s.mean<=30`, …).
    pub target: Target,
    /// Interval length: a multiple of the report interval (15 minutes).
    pub interval: SimDuration,
    /// The group to staff (`None`: the scenario's only group).
    pub group: Option<String>,
    /// Shift templates for a roster, if wanted.
    pub shifts: Option<Vec<ShiftTemplate>>,
    /// Shrinkage in [0, 1): scheduled agents = on-shift agents ÷ (1 − shrinkage).
    pub shrinkage: f64,
    /// Minutes after midnight at t = 0 (0 without a calendar): where shift start clock times
    /// fall.
    pub start_minute: u32,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Overrides the scenario's replications.
    pub replications: Option<u32>,
}

/// The per-interval metrics a staffing target may name.
pub const METRICS: [&str; 7] = [
    "service_level.fraction",
    "wait_s.mean",
    "wait_s.p50",
    "wait_s.p90",
    "wait_s.p99",
    "abandonment_rate",
    "occupancy",
];

/// Why staffing could not be computed (bad input: exit 2). The messages speak of the
/// staffing spec (target, interval, group, shrinkage), not of command-line flags: `staff`
/// adds those (`cli::staff_cmd`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StaffError {
    /// The target names a metric staffing cannot evaluate per interval (the target as written,
    /// then a hint starting with its separator).
    #[error("target {0}: staffing evaluates {metrics} per interval{1}", metrics = METRICS.join(", "))]
    Metric(String, String),
    /// A target the verification can never show met at its precision (the target, why).
    #[error("target {0}: {1}")]
    Unreachable(String, String),
    /// More agents cannot help meet this target (e.g. `service_level.fraction<=0.5`): the
    /// target, its metric, the way more agents move it, the operators to use instead.
    #[error("target {0}: more agents make {1} {2}, so staffing cannot aim at it; use {3}")]
    Direction(String, String, &'static str, &'static str),
    /// The interval is not a whole multiple of the report interval (the interval, the report
    /// interval).
    #[error("interval {0}: must be a positive multiple of the report interval ({1})")]
    Interval(SimDuration, SimDuration),
    /// No group, or a group that does not exist, or several and none named.
    #[error(transparent)]
    Group(#[from] GroupError),
    /// The group's agents are named by a supervisor.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// Shrinkage outside [0, 1).
    #[error("shrinkage must be in [0%, 100%)")]
    Shrinkage,
}

/// One interval's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct IntervalRow {
    /// Start of the interval.
    pub start: SimTime,
    /// Mean arrival rate into the group's queues over the part of the interval with traffic
    /// ([`IntervalRow::traffic`]), per hour.
    pub arrival_rate_per_h: f64,
    /// Agents of the group on shift and not on break needed, in addition to the existing staff
    /// (`existing`).
    pub required: u32,
    /// `required ÷ (1 − shrinkage)`, rounded up (equal to `required` without shrinkage).
    pub scheduled: u32,
    /// What the stationary model on the offered load asks, before verification.
    pub model: u32,
    /// Pointwise Erlang C staffing for the target (service level, mean wait, a wait quantile,
    /// occupancy); `None` for an abandonment target ([`erlang_blank`] says why) and where no
    /// traffic reaches the group ([`IntervalRow::no_traffic`]).
    pub erlang_c: Option<u32>,
    /// Pointwise Erlang A staffing for the target when customers have patience (`None`
    /// without: [`erlang_blank`]; and where no traffic reaches the group).
    pub erlang_a: Option<u32>,
    /// Offered load in agents (ample staffing), over the part of the interval with traffic.
    pub offered_load: f64,
    /// The part of the interval with traffic and how long its agents are needed
    /// ([`span::traffic_span`]).
    pub traffic: span::TrafficSpan,
    /// The target metric with `required` agents (pooled over replications).
    pub value: Option<f64>,
    /// Its 95% half-width (the ratio estimator's, as the decision reads it; `None` with fewer
    /// than two replications with data): `staffing.csv`'s `target_ci95_half`.
    pub value_ci95_half: Option<f64>,
    /// A wait target with customers in the interval and none answered in any replication
    /// (every one abandoned): `value` is `None`, yet the interval was measured, an unbounded
    /// wait that misses the target (never "not measured").
    pub starved: bool,
    /// Service level with `required` agents, and its 95% interval across replications.
    pub service_level: Option<f64>,
    /// 95% interval of `service_level` (needs two replications with data).
    pub service_level_ci: Option<[f64; 2]>,
    /// Service level with `erlang_c` agents (for a service-level target).
    pub erlang_c_service_level: Option<f64>,
    /// Agents the roster puts on shift and not on break (with `--shifts`).
    pub roster_coverage: Option<u32>,
    /// Existing agents (other groups, roster agents) present in the interval, a mean in agents
    /// of the group ([`existing::Existing::per_interval`]); `model`, `erlang_c` and `erlang_a`
    /// are net of it.
    pub existing: f64,
    /// Set when no conversation can reach the group's queues in the interval (none expected by
    /// the arrival process, none measured by the simulation): `required` is 0 for any target,
    /// and `erlang_c` and `erlang_a` are `None` (no Erlang figure: there is nothing to serve).
    pub no_traffic: Option<NoTraffic>,
}

/// Why no conversation reaches the staffed group's queues in an interval
/// ([`IntervalRow::no_traffic`]; `staffing.csv`'s `reason`).
#[derive(Clone, Debug, PartialEq)]
pub enum NoTraffic {
    /// Every one of the group's queues is closed throughout the interval: a before-queueing
    /// rule (`out_of_hours` outside its operating hours) sends what arrives for it to another
    /// queue (counted there, for the groups working it) or ends it. The words name each
    /// queue's rule: `general: out of hours, sent to after-hours`.
    Closed(String),
    /// Nothing arrives for the group's queues then (their arrival process has none, or only
    /// another queue's closed hours would send some, and they do not then).
    NoArrivals,
}

/// Each of `queues`' before-queueing rule that sends its arrivals away at `t`, in words
/// (`general: out of hours, sent to after-hours; q: out of hours, ended`).
fn closed_words(sc: &Scenario, queues: &[QueueId], t: SimTime) -> String {
    use crate::scenario::{before_queue_rule, OverflowAction, OverflowWhen};
    let words: Vec<String> = queues
        .iter()
        .filter_map(|q| {
            let queue = &sc.queues[q.index()];
            let r = before_queue_rule(queue, &sc.calendar, t, || 0)?;
            let when = match r.when {
                OverflowWhen::OutOfHours => "out of hours".to_string(),
                OverflowWhen::WorkItemsOver(l) => format!("work_items_over {l}"),
                OverflowWhen::WaitedOver(_) => return None,
            };
            let what = match &r.action {
                OverflowAction::Transfer(to) => format!("sent to {}", sc.queues[to.index()].name),
                OverflowAction::End => "ended".to_string(),
                _ => return None,
            };
            Some(format!("{}: {when}, {what}", queue.name))
        })
        .collect();
    words.join("; ")
}

/// One candidate shift the roster uses.
#[derive(Clone, Debug, PartialEq)]
pub struct RosterShift {
    /// Its template's name.
    pub template: String,
    /// The candidate shift.
    pub shift: Candidate,
    /// Agents on it.
    pub agents: u32,
}

/// The cheapest roster.
#[derive(Clone, Debug, PartialEq)]
pub struct Roster {
    /// Shifts with at least one agent, by start then template.
    pub shifts: Vec<RosterShift>,
    /// Total cost.
    pub cost: f64,
    /// No roster of these shifts costs less than this (the integer program's proven bound).
    pub lower_bound: f64,
    /// Whether the roster is proven the cheapest (else the search stopped at its node limit).
    pub optimal: bool,
}

/// The whole answer.
#[derive(Clone, Debug)]
pub struct StaffResult {
    /// The staffed group's name.
    pub group: String,
    /// The group's index in the scenario.
    pub group_index: usize,
    /// The staff already serving the group's queues; every requirement is in addition to it.
    pub existing: existing::Existing,
    /// Interval length.
    pub interval: SimDuration,
    /// The target.
    pub target: Target,
    /// One row per interval of the horizon.
    pub rows: Vec<IntervalRow>,
    /// The horizon (the last interval may end before a whole interval).
    pub horizon: SimDuration,
    /// The stationary model used: `"Erlang A"` when customers have patience, else
    /// `"Erlang C"`.
    pub model_name: &'static str,
    /// Whether every interval meets the target.
    pub met: bool,
    /// Simulations run.
    pub evaluations: u32,
    /// Replications of the last verification.
    pub replications: u32,
    /// The precision the verification decided at.
    pub precision: Precision,
    /// The precision it reached: the widest 95% half-width of the target metric's pooled
    /// estimate over the intervals in the last verification (the ratio estimator's, as
    /// `staffing.csv`'s interval); `None` without two replications with data anywhere.
    pub reached: Option<f64>,
    /// Intervals whose estimate missed the target within the noise even at the most
    /// replications (not confirmed either way).
    pub unresolved: Vec<usize>,
    /// Intervals that still significantly missed the target when the verification stopped
    /// (the staffing cap reached, or the rounds used up): why `met` is `false`.
    pub missed: Vec<usize>,
    /// The roster, with `--shifts`; `Err` when the templates cannot cover the requirement.
    pub roster: Option<Result<Roster, CoverError>>,
    /// The scenario's calendar, when it sets `[scenario] start` (clock times on the axes).
    pub calendar: Option<crate::calendar::Calendar>,
    /// Set when a stop signal cut the verification short: what the figures are (the last
    /// finished verification round's, or the stationary model's when none finished). No
    /// roster is computed then and `met` is `false`.
    pub interrupted: Option<String>,
}

/// Capacity units of one conversation of `queues` (the largest), at least 1.
fn units(sc: &Scenario, queues: &[QueueId]) -> u32 {
    queues
        .iter()
        .map(|q| {
            sc.workstreams[sc.queues[q.index()].workstream.index()]
                .rules
                .capacity_units
        })
        .max()
        .unwrap_or(100)
        .max(1)
}

/// Conversations one agent of the group handles at once (capacity ÷ units), at least 1.
fn slots(sc: &Scenario, group: usize, queues: &[QueueId]) -> u32 {
    (sc.agent_groups[group].capacity / units(sc, queues)).max(1)
}

/// The sub-interval of the stationary model.
const SLICE: SimDuration = SimDuration::from_secs(300);

/// Runs the staffing (see the [module docs](self)).
///
/// # Errors
/// [`StaffError`]: a target that is not a per-interval metric, a shrinkage outside [0, 1), a
/// group that cannot be staffed.
pub fn run(base: &Scenario, spec: &StaffSpec) -> Result<StaffResult, StaffError> {
    run_until(base, spec, None)
}

/// [`run`], stopping the verification when `stop` is set (SIGINT/SIGTERM): the result then
/// holds the last finished verification round (a round cut short is dropped, never half
/// used), says so in [`StaffResult::interrupted`], and has no roster.
///
/// # Errors
/// As [`run`].
pub fn run_until(
    base: &Scenario,
    spec: &StaffSpec,
    stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
) -> Result<StaffResult, StaffError> {
    check_target(&spec.target)?;
    if !(0.0..1.0).contains(&spec.shrinkage) {
        return Err(StaffError::Shrinkage);
    }
    let report_iv = crate::metrics::interval_for(base.horizon);
    if spec.interval.as_millis() == 0 || spec.interval.as_millis() % report_iv.as_millis() != 0 {
        return Err(StaffError::Interval(spec.interval, report_iv));
    }
    let group = pick_group(base, spec.group.as_deref())?;
    let queues = base.agent_groups[group].queues.clone();
    let interval_ms = spec.interval.as_millis();
    let n = base.horizon.as_millis().div_ceil(interval_ms) as usize;
    let span = |i: usize| {
        (
            SimTime(i as u64 * interval_ms),
            SimTime(((i + 1) as u64 * interval_ms).min(base.horizon.as_millis())),
        )
    };

    // 1. Offered load from the arrival process.
    let load = offered::offered_load(base, &queues);
    let step_ms = load.step.as_millis();
    let bins = |i: usize| {
        let (a, b) = span(i);
        (
            (a.as_millis() / step_ms) as usize,
            b.as_millis().div_ceil(step_ms) as usize,
        )
    };
    let slot_count = slots(base, group, &queues);
    let mut model = Model {
        hold_s: load.hold_s,
        patience_s: load.patience_s,
        slots: slot_count,
        threshold_s: base.service_level.as_secs_f64(),
        definition: base.service_level_definition,
        level_sigma: 0.0,
    };
    // Each interval's day-level σ (a forecast with `uncertainty = true`): the largest of the
    // group's queues' and of the queues whose closed hours send their traffic there, so the
    // model staffs for the forecast's error, not only its mean.
    let sigma: Vec<f64> = (0..n)
        .map(|i| {
            queues
                .iter()
                .chain(load.origins.iter().filter(|o| !queues.contains(o)))
                .filter_map(|q| base.traffic.levels.get(q.0 as usize)?.as_ref())
                .map(|l| l.sigma_at(span(i).0))
                .fold(0.0, f64::max)
        })
        .collect();
    let slice_bins = (SLICE.as_millis().min(interval_ms) / step_ms).max(1) as usize;
    let slices: Vec<Vec<Slice>> = (0..n)
        .map(|i| {
            let (a, b) = bins(i);
            (a..b)
                .step_by(slice_bins)
                .map(|k| {
                    let e = (k + slice_bins).min(b);
                    Slice {
                        arrivals: load.arrivals_in(k, e),
                        busy: load.busy_in(k, e),
                    }
                })
                .collect()
        })
        .collect();
    // Each interval read over its part with traffic: rate, offered load, Erlang columns.
    let (traffic, offered, rates) = span::per_interval(base, &load, interval_ms, n, slot_count);
    // Intervals no conversation can reach the group's queues in: no agent, no Erlang figure.
    let unreached: Vec<Option<NoTraffic>> = (0..n)
        .map(|i| {
            let (a, b) = bins(i);
            (load.arrivals_in(a, b) <= 0.0).then(|| {
                match (a..b.min(load.closed.len())).all(|k| load.closed[k]) && a < b {
                    true => NoTraffic::Closed(closed_words(base, &queues, span(i).0)),
                    false => NoTraffic::NoArrivals,
                }
            })
        })
        .collect();
    let peak = offered.iter().copied().fold(0.0, f64::max);
    let cap = (peak * 4.0).ceil() as u32 + 50;

    // The staff already there (other groups, roster agents): the requirements are net of it.
    let there = existing::existing(
        base,
        group,
        &queues,
        interval_ms,
        n,
        units(base, &queues),
        slot_count,
    );
    let net = |v: Vec<u32>| -> Vec<u32> {
        v.iter()
            .zip(&there.per_interval)
            .map(|(&t, &e)| existing::net(t, e))
            .collect()
    };

    // 2. The stationary model per sub-interval.
    let from_model: Vec<u32> = (0..n)
        .map(|i| {
            if load.hold_s > 0.0 {
                let m = Model {
                    level_sigma: sigma[i],
                    ..model
                };
                m.required(&spec.target, &slices[i], cap)
            } else {
                0
            }
        })
        .collect();
    let from_model = net(from_model);

    // Pointwise Erlang C (and A) from each interval's mean arrival rate and the mean holding
    // time of the conversations arriving in it (a forecast's `aht` column included).
    let sl_target = spec.target.metric == "service_level.fraction";
    let pointwise = |m: &Model, i: usize| {
        let (a, b) = bins(i);
        let hold_s = load.hold_in(a, b);
        let m = Model { hold_s, ..*m };
        let s = [Slice {
            arrivals: rates[i],
            busy: rates[i] * hold_s,
        }];
        m.required(&spec.target, &s, cap)
    };
    // Every target the stationary model reads (service level, mean wait, a wait quantile
    // through P(W > t) = C·e^{-(cμ−λ)t}, occupancy, abandonment): Erlang A with patience;
    // Erlang C for all but abandonment, which Erlang C has none of ([`erlang_blank`]).
    let erlang_a: Option<Vec<u32>> = load
        .patience_s
        .is_some()
        .then(|| net((0..n).map(|i| pointwise(&model, i)).collect()));
    model.patience_s = None;
    let erlang_c: Option<Vec<u32>> = erlang_blank(&spec.target.metric, true, false)
        .is_none()
        .then(|| net((0..n).map(|i| pointwise(&model, i)).collect()));

    // 3. Verification with the rules in the loop, at a stated precision.
    let replications = spec.replications.unwrap_or(base.replications);
    let precision = Precision::for_target(&spec.target, replications);
    let mut cx = Ctx {
        base,
        target: &spec.target,
        group,
        queues: queues.clone(),
        n,
        cells_per_interval: (interval_ms / report_iv.as_millis()) as usize,
        interval_ms,
        opts: RunOptions {
            seed: spec.seed,
            stop: stop.clone(),
            ..RunOptions::default()
        },
        evaluations: 0,
    };
    let stopped = || {
        stop.as_ref()
            .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
    };
    let mut s = from_model.clone();
    let mut reps = precision.min_replications;
    let mut eval = cx.run(&s, reps)?;
    let mut rounds = 0;
    // The last finished round: its staffing and its measurement.
    let mut finished: Option<(Vec<u32>, Eval)> = None;
    let mut interrupted = None;
    let (met, unresolved, missed) =
        loop {
            if eval.partial || stopped() {
                interrupted =
                    Some(match &finished {
                        Some((_, e)) => format!(
                    "the verification was interrupted in round {}: the figures are round {}'s \
                     ({} replications), not decided at the stated precision",
                    rounds + 1,
                    rounds,
                    e.replications
                ),
                        None => format!(
                    "the verification was interrupted in its first round: `required` is the \
                     stationary model's ({}), not verified by simulation",
                    if load.patience_s.is_some() { "Erlang A" } else { "Erlang C" }
                ),
                    });
                match finished.take() {
                    Some((fs, fe)) => {
                        s = fs;
                        eval = fe;
                    }
                    None => {
                        s = from_model.clone();
                        eval = Eval {
                            value: vec![None; n],
                            per_rep: vec![Vec::new(); n],
                            sl: vec![None; n],
                            sl_ci: vec![None; n],
                            used_units: vec![0.0; n],
                            starved: vec![false; n],
                            replications: 0,
                            partial: true,
                        };
                    }
                }
                break (false, Vec::new(), Vec::new());
            }
            finished = Some((s.clone(), eval.clone()));
            rounds += 1;
            let tests = eval.value.iter().filter(|v| v.is_some()).count();
            let verdicts: Vec<Verdict> = (0..n)
                .map(|i| {
                    let reading = decide::read(
                        &spec.target,
                        &precision,
                        tests,
                        eval.value[i],
                        &eval.per_rep[i],
                    );
                    // Customers but nobody answered: a wait target is missed, not unread.
                    if eval.starved[i] {
                        return Verdict::Misses;
                    }
                    verdict(reading, &precision)
                })
                .collect();
            let misses: Vec<usize> = (0..n).filter(|&i| verdicts[i] == Verdict::Misses).collect();
            let undecided: Vec<usize> = (0..n)
                .filter(|&i| verdicts[i] == Verdict::Undecided)
                .collect();
            if rounds > MAX_ROUNDS {
                break (misses.is_empty() && undecided.is_empty(), undecided, misses);
            }
            if !misses.is_empty() {
                let mut grew = false;
                for &i in &misses {
                    // One agent, or the shortfall's share of all the staffing serving the
                    // queues (the existing staff's included) when it is large.
                    let gap = match eval.value[i] {
                        Some(v) if sl_target => (spec.target.value - v).max(0.0),
                        _ => 0.0,
                    };
                    let serving = f64::from(s[i]) + there.per_interval[i];
                    let add = ((serving * gap).ceil() as u32).max(1);
                    if s[i] < cap {
                        s[i] = (s[i] + add).min(cap);
                        grew = true;
                    }
                }
                if !grew {
                    break (false, undecided, misses);
                }
            } else if !undecided.is_empty() && reps < precision.max_replications {
                reps = (reps * 2).min(precision.max_replications);
            } else {
                break (true, undecided, Vec::new());
            }
            eval = cx.run(&s, reps)?;
        };

    // The service level Erlang C's staffing gets in the simulation (a service-level target's
    // comparison).
    let erlang_eval = match &erlang_c {
        Some(e) if sl_target && interrupted.is_none() => {
            Some(cx.run(e, reps)?).filter(|e| !e.partial)
        }
        _ => None,
    };

    let scheduled: Vec<u32> = s
        .iter()
        .map(|&r| (r as f64 / (1.0 - spec.shrinkage) - 1e-9).ceil().max(0.0) as u32)
        .collect();
    let roster = spec
        .shifts
        .as_ref()
        .filter(|_| interrupted.is_none())
        .map(|t| roster::roster(base, spec, t, &scheduled, interval_ms));
    let coverage = roster.as_ref().and_then(|r| r.as_ref().ok()).map(|r| {
        (0..n)
            .map(|i| r.coverage(span(i).0, span(i).1))
            .collect::<Vec<u32>>()
    });
    let rows = (0..n)
        .map(|i| {
            // Nothing reached the group there, in the model or the simulation.
            let no_traffic = unreached[i].clone().filter(|_| {
                s[i] == 0 && eval.value[i].is_none() && eval.starved.get(i) != Some(&true)
            });
            let blank = no_traffic.is_some();
            IntervalRow {
                start: span(i).0,
                arrival_rate_per_h: rates[i] * 3600.0,
                required: s[i],
                scheduled: scheduled[i],
                model: from_model[i],
                erlang_c: erlang_c.as_ref().map(|e| e[i]).filter(|_| !blank),
                erlang_a: erlang_a.as_ref().map(|e| e[i]).filter(|_| !blank),
                offered_load: offered[i],
                traffic: traffic[i],
                value: eval.value[i],
                value_ci95_half: eval.value[i].and_then(|v| ratio_ci95(v, &eval.per_rep[i])),
                starved: eval.starved.get(i).copied().unwrap_or(false),
                service_level: eval.sl[i],
                service_level_ci: eval.sl_ci[i],
                erlang_c_service_level: erlang_eval.as_ref().and_then(|e| e.sl[i]),
                roster_coverage: coverage.as_ref().map(|c| c[i]),
                existing: there.per_interval[i],
                no_traffic,
            }
        })
        .collect();
    let reached = (0..n)
        .filter_map(|i| ratio_ci95(eval.value[i]?, &eval.per_rep[i]))
        .reduce(f64::max);
    Ok(StaffResult {
        group: base.agent_groups[group].name.clone(),
        group_index: group,
        existing: there,
        interval: spec.interval,
        target: spec.target.clone(),
        rows,
        horizon: base.horizon,
        model_name: if load.patience_s.is_some() {
            "Erlang A"
        } else {
            "Erlang C"
        },
        met,
        evaluations: cx.evaluations,
        replications: eval.replications,
        precision,
        reached,
        unresolved,
        missed,
        roster,
        calendar: (base.calendar != crate::calendar::Calendar::default()).then_some(base.calendar),
        interrupted,
    })
}

/// Most verification rounds (each one simulation).
const MAX_ROUNDS: u32 = 40;

/// Why `staff`'s pointwise Erlang C (`c`) or Erlang A column is blank ("—") for a target on
/// `metric`, or `None` when the stationary model answers it: Erlang C has no abandonment (its
/// customers wait however long), so no staffing changes an abandonment rate in it; Erlang A
/// needs the customers' patience (`patience`: the scenario has one).
pub fn erlang_blank(metric: &str, c: bool, patience: bool) -> Option<&'static str> {
    match (c, patience) {
        (true, _) if metric == "abandonment_rate" => Some(
            "Erlang C has no abandonment (its customers wait however long), so no staffing \
             changes an abandonment rate in it",
        ),
        (true, _) => None,
        (false, true) => None,
        (false, false) => {
            Some("the customers have no patience, so Erlang A is Erlang C (the model used)")
        }
    }
}
