//! Events driven by time alone, and staff who can never answer (issue 25, twelfth pass).
//!
//! Arrivals are bounded by [`super::limits::MAX_EXPECTED_ARRIVALS`] and loops by `loops`, but a
//! supervisor policy is evaluated every `every` whatever happens, an agent's connection drops
//! every `disconnects.every` on average and a break starts every `breaks.every`: the tester's
//! policy of `every = "1ms"` over 400 days is 3.5 × 10¹⁰ evaluations (about an hour of CPU),
//! and 50 agents disconnecting every millisecond 1.7 × 10¹² events (days), both validated
//! silently. [`check`] estimates these events over the run (horizon + drain limit, times the
//! replications), refuses more than [`MAX_TIMED_EVENTS`] unless `--allow-huge`, and warns above
//! [`WARN_TIMED_EVENTS`], at the key of the largest source.
//!
//! It also warns where the run cannot answer anybody and would only find out afterwards: a
//! group whose `shift` starts after the run ends (the horizon plus the drain limit), and a queue
//! none of whose agents ever answers (each group absent, never on shift in the run, or refusing
//! every invitation, `reject_probability + ignore_probability` ≥ 1; [`super::available`]): its
//! conversations wait until their patience runs out or the drain limit stops the run.

use toml::de::DeValue;

use super::diag::Ctx;
use super::limits::{at, LoadOptions, HINT};
use super::loops::about;
use super::spanned::{Span, Table, Val};
use super::types::Scenario;
use crate::text::plural;
use crate::time::SimDuration;

/// Most time-driven events a run may be expected to have (policy evaluations, disconnects and
/// breaks, all replications together) unless `--allow-huge`. Measured (fast profile): a policy
/// evaluation with nothing to do cost 0.02 µs (3.6 million in 0.08 s of CPU), and the tester
/// estimated about 0.3 µs per disconnect event, so 2 × 10⁹ is a minute to ten of CPU; the same
/// bound as the expected arrivals. The estimate counts to the horizon plus the drain limit, an
/// upper bound (a run with nothing left at the horizon stops there).
pub const MAX_TIMED_EVENTS: f64 = 2e9;

/// Above this many expected time-driven events (seconds to half a minute of CPU) `validate`
/// and `run` warn, with `--allow-huge` too.
pub const WARN_TIMED_EVENTS: f64 = 1e8;

/// Above this many conversations expected to be looked at by supervisor policy ticks (each
/// tick walks the conversations in its states and queues; [`policy_looks`]) `validate` and
/// `run` warn that the run will be slow (with `--allow-huge` too; never refused). Measured
/// (fast profile): the tester's 282 million looks, each a pick and a skip, took 67 s of CPU
/// (0.24 µs each), so 10⁸ is about half a minute.
pub(crate) const WARN_POLICY_LOOKS: f64 = 1e8;

/// One source of time-driven events.
#[derive(Debug, PartialEq)]
pub(crate) struct Source {
    /// Its key path, as `at` and [`policy_at`] give it.
    pub(crate) path: String,
    /// Expected events over the run, all replications.
    pub(crate) events: f64,
    /// What they are, for the message ("evaluations of this policy", …).
    pub(crate) what: String,
}

/// A duration as the scenario format writes it (`1d1h`, `1ms`).
fn duration(d: SimDuration) -> String {
    d.to_string()
}

/// The run's length: horizon + drain limit, in ms.
fn run_ms(sc: &Scenario) -> u64 {
    sc.horizon
        .as_millis()
        .saturating_add(sc.drain_limit.as_millis())
}

/// How long agents of group `g` are on shift during the run, in ms (the whole run without a
/// `shift`, or for a roster agent: an upper bound).
fn on_shift_ms(sc: &Scenario, g: usize) -> u64 {
    let end = run_ms(sc);
    match sc.agent_groups[g].shift {
        Some(s) => s.end.0.min(end).saturating_sub(s.start.0.min(end)),
        None => end,
    }
}

/// Events of one run of `ms` at one every `every` (0 for an empty span).
fn per(ms: u64, every: SimDuration) -> f64 {
    ms as f64 / every.as_millis().max(1) as f64
}

/// The time-driven event sources of `sc`, each with its expected events over the run (all
/// replications): each supervisor policy ((horizon + drain limit) ÷ `every`), each group's
/// disconnects (agents × time on shift ÷ `every`, each a drop and a return: two events) and
/// breaks (agents × time on shift ÷ `every`, a start and an end each), times `replications`
/// (the run's: the command line's `--replications`, else the file's). The key paths are
/// `supervisors[i].policies[j].every`, `agent_groups[g].disconnects`, `agent_groups[g].breaks`.
pub(crate) fn sources(sc: &Scenario, replications: u32) -> Vec<Source> {
    let reps = f64::from(replications.max(1));
    let run = run_ms(sc);
    let mut out = Vec::new();
    for (i, s) in sc.supervisors.iter().enumerate() {
        for (j, p) in s.policies.iter().enumerate() {
            out.push(Source {
                path: format!("supervisors[{i}].policies[{j}].every"),
                events: per(run, p.every) * reps,
                what: format!(
                    "evaluations of policy {:?} (every {} over the horizon and drain limit, {})",
                    p.name,
                    duration(p.every),
                    duration(SimDuration(run))
                ),
            });
        }
    }
    for (g, grp) in sc.agent_groups.iter().enumerate() {
        let agents = f64::from(grp.count);
        let shift = on_shift_ms(sc, g);
        if let Some(d) = &grp.disconnects {
            out.push(Source {
                path: format!("agent_groups[{g}].disconnects"),
                events: 2.0 * agents * per(shift, d.every) * reps,
                what: format!(
                    "disconnects and reconnections of group {:?} ({} agents, one about every {} \
                     of their {} on shift)",
                    grp.name,
                    grp.count,
                    duration(d.every),
                    duration(SimDuration(shift))
                ),
            });
        }
        if let Some(b) = &grp.breaks {
            out.push(Source {
                path: format!("agent_groups[{g}].breaks"),
                events: 2.0 * agents * per(shift, b.every) * reps,
                what: format!(
                    "break starts and ends of group {:?} ({} agents, one break every {} of \
                     their {} on shift)",
                    grp.name,
                    grp.count,
                    duration(b.every),
                    duration(SimDuration(shift))
                ),
            });
        }
    }
    out
}

/// The conversations each supervisor policy's ticks are expected to look at over the run, all
/// replications (issue 25, twentieth tester): its ticks over the horizon (`horizon` ÷ `every`;
/// after it no more arrive and what is left drains) × the conversations one tick walks, at most `limit`: by Little's law, the arrival rate of
/// its queues (their expected arrivals ÷ the horizon) × the time a conversation spends in its
/// states there: one `every` in Open (a tick acts on what arrived since the last; a tick of an
/// assignment or transfer with nobody to give work to walks nothing), the mean `handle_time`
/// for Active, the mean `waiting_time` × `waiting_probability` for Waiting and the mean
/// `wrap_up_time` for Wrap-up (a policy over engaged conversations walks every one of them at
/// every tick, monitored already or not). Times `replications`, the replications the run
/// will have (the command line's `--replications`, else the file's: a sixteenth-session
/// review found the file's count used under `--replications 40`). Sources at
/// `supervisors[i].policies[j].every`; each one's `what` spells its product out: ticks ×
/// conversations each tick can try × replications.
pub(crate) fn policy_looks(sc: &Scenario, replications: u32) -> Vec<Source> {
    use crate::model::ConvState;
    let reps = f64::from(replications.max(1));
    let horizon = sc.horizon.as_millis();
    let horizon_ms = horizon.max(1) as f64;
    let end = crate::time::SimTime::ZERO + sc.horizon;
    let mut out = Vec::new();
    for (i, s) in sc.supervisors.iter().enumerate() {
        for (j, p) in s.policies.iter().enumerate() {
            let f = &p.when;
            let has = |st: ConvState| f.states.contains(&st);
            let mut at_once = 0.0;
            for &q in &s.queues {
                if f.queues.as_ref().is_some_and(|qs| !qs.contains(&q)) {
                    continue;
                }
                let queue = &sc.queues[q.index()];
                let ws = &sc.workstreams[queue.workstream.index()];
                let rate = queue.arrivals.mass(crate::time::SimTime::ZERO, end) / horizon_ms;
                let mut ms = 0.0;
                if has(ConvState::Open) {
                    ms += p.every.as_millis() as f64;
                }
                if has(ConvState::Active) {
                    ms += super::loops::mean_ms(&ws.handle_time);
                }
                if has(ConvState::Waiting) {
                    ms += ws
                        .waiting_time
                        .as_ref()
                        .map_or(0.0, |d| ws.waiting_probability * super::loops::mean_ms(d));
                }
                if has(ConvState::WrapUp) {
                    ms += ws.wrap_up_time.as_ref().map_or(0.0, super::loops::mean_ms);
                }
                at_once += rate * ms;
            }
            let walked = f.limit.map_or(at_once, |l| at_once.min(f64::from(l)));
            let ticks = per(horizon, p.every);
            out.push(Source {
                path: format!("supervisors[{i}].policies[{j}].every"),
                events: ticks * walked * reps,
                what: format!(
                    "policy {:?}: {} ticks (every {} over the horizon, {}) × about {} \
                     conversations each tick can try × {}",
                    p.name,
                    about(ticks, 1e7),
                    duration(p.every),
                    duration(sc.horizon),
                    about(walked, 1e7),
                    plural(u64::from(replications.max(1)), "replication"),
                ),
            });
        }
    }
    out
}

/// Warns when the supervisor policies' ticks are expected to look at more than
/// [`WARN_POLICY_LOOKS`] conversations in all ([`policy_looks`], over the `replications` the
/// run will have), at the `every` of the policy with the most, its product spelled out.
fn policy_work(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario, replications: Reps) {
    let all = policy_looks(sc, replications.count);
    let total: f64 = all.iter().map(|s| s.events).sum();
    if total <= WARN_POLICY_LOOKS {
        return;
    }
    let Some(top) = all.iter().max_by(|a, b| a.events.total_cmp(&b.events)) else {
        return;
    };
    let (path, span) = locate(root, &top.path);
    cx.warn(
        &path,
        span,
        format!(
            "supervisor policies are expected to look at about {} conversations in all, over \
             {}{}; {} = about {} looks; over {WARN_POLICY_LOOKS:.0}: the run will be slow",
            about(total, 1e7),
            plural(u64::from(replications.count.max(1)), "replication"),
            replications.flag(),
            top.what,
            about(top.events, 1e7)
        ),
        Some(
            "make `every` longer, or give the policy a `limit` or narrower `when.state` / \
             `when.queue`"
                .into(),
        ),
    );
}

/// The replications a run will have: `count`, and whether the command line's `--replications`
/// gave it (`flag`; else the file's `replications`).
#[derive(Clone, Copy, Debug)]
struct Reps {
    count: u32,
    flag: bool,
}

impl Reps {
    /// ` (--replications N)` when the command line gave the count, else nothing.
    fn flag(self) -> String {
        if self.flag {
            format!(" (--replications {})", self.count)
        } else {
            String::new()
        }
    }
}

/// Item `n` of the array `v`.
fn item<'a, 'i>(v: Option<&'a Val<'i>>, n: usize) -> Option<&'a Val<'i>> {
    match v.map(|v| v.get_ref()) {
        Some(DeValue::Array(items)) => items.get(n),
        _ => None,
    }
}

/// The value at `k` of the table `v`.
fn key<'a, 'i>(v: Option<&'a Val<'i>>, k: &str) -> Option<&'a Val<'i>> {
    match v.map(|v| v.get_ref()) {
        Some(DeValue::Table(t)) => t.get(k),
        _ => None,
    }
}

/// The span of `supervisors[i].policies[j].every` (or of the nearest table holding it).
fn policy_span(root: &Table<'_, '_>, i: usize, j: usize) -> Option<Span> {
    let sup = item(root.get("supervisors"), i);
    let pol = item(key(sup, "policies"), j);
    key(pol, "every").or(pol).or(sup).map(|v| v.span())
}

/// The key path and span of a [`Source`].
fn locate(root: &Table<'_, '_>, path: &str) -> (String, Option<Span>) {
    let nums: Vec<usize> = path
        .split(['[', ']'])
        .filter_map(|s| s.parse().ok())
        .collect();
    match (path.starts_with("supervisors"), &nums[..]) {
        (true, [i, j]) => (path.to_string(), policy_span(root, *i, *j)),
        (false, [g]) => {
            let key = path.rsplit('.').next().unwrap_or("");
            at(root, "agent_groups", Some(*g), key)
        }
        _ => (path.to_string(), None),
    }
}

/// Refuses a scenario expected to have more than [`MAX_TIMED_EVENTS`] time-driven events
/// (unless `allow_huge`) and warns above [`WARN_TIMED_EVENTS`] (with `allow_huge` too), at the
/// key of the source with the most, giving the total and that source's share. Then the
/// warnings of [`policy_work`], [`never_on_shift`] and [`all_refuse`].
pub(crate) fn check(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario, opts: &LoadOptions) {
    let allow_huge = opts.allow_huge;
    let replications = Reps {
        count: opts.replications.unwrap_or(sc.replications),
        flag: opts.replications.is_some(),
    };
    let all = sources(sc, replications.count);
    let total: f64 = all.iter().map(|s| s.events).sum();
    if let Some(top) = all
        .iter()
        .filter(|_| total > WARN_TIMED_EVENTS)
        .max_by(|a, b| a.events.total_cmp(&b.events))
    {
        let refuse = total > MAX_TIMED_EVENTS && !allow_huge;
        let reps = if replications.count > 1 {
            format!(
                ", over {} replications{}",
                replications.count,
                replications.flag()
            )
        } else {
            String::new()
        };
        let head = format!(
            "about {} events driven by time alone (supervisor policy evaluations, disconnects, \
             breaks{reps}); this one makes {} of them: {}",
            about(total, MAX_TIMED_EVENTS),
            about(top.events, MAX_TIMED_EVENTS),
            top.what
        );
        let (path, span) = locate(root, &top.path);
        if refuse {
            cx.report(
                &path,
                span,
                format!("{head}; over the limit of {MAX_TIMED_EVENTS:.0} such events"),
                Some(format!(
                    "make `every` longer (time counts whole milliseconds), or {}",
                    HINT.trim_start_matches("split the run, or ")
                )),
            );
        } else {
            cx.warn(
                &path,
                span,
                format!("{head}; over {WARN_TIMED_EVENTS:.0}: the run will be slow"),
                Some("make `every` longer if the events need not be this frequent".into()),
            );
        }
    }
    policy_work(cx, root, sc, replications);
    never_on_shift(cx, root, sc);
    all_refuse(cx, root, sc);
}

/// Warns at each group's `shift` that starts when the run is over (at or after the horizon plus
/// the drain limit): its agents never work. When that is every agent of the scenario (no roster
/// agents, who keep their own shifts), the message says nobody answers anything.
pub(crate) fn never_on_shift(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    let end = run_ms(sc);
    let idle: Vec<usize> = (0..sc.agent_groups.len())
        .filter(|&g| {
            let grp = &sc.agent_groups[g];
            grp.roster.is_none() && grp.count > 0 && grp.shift.is_some_and(|s| s.start.0 >= end)
        })
        .collect();
    let staffed = sc.agent_groups.iter().filter(|g| g.count > 0).count();
    let nobody = !idle.is_empty() && idle.len() == staffed;
    for g in idle {
        let grp = &sc.agent_groups[g];
        let start = grp.shift.map_or(0, |s| s.start.0);
        let (path, span) = at(root, "agent_groups", Some(g), "shift");
        let whole = if nobody {
            "; no agent of the scenario is on shift during the run, so every conversation \
             waits unanswered until its patience runs out or the run ends"
        } else {
            ""
        };
        cx.warn(
            &path,
            span,
            format!(
                "group {:?}'s shift starts at {}, when the run is over (horizon {} + drain \
                 limit {} = {}): its agents never work{whole}",
                grp.name,
                duration(SimDuration(start)),
                duration(sc.horizon),
                duration(sc.drain_limit),
                duration(SimDuration(end))
            ),
            Some("start the shift before the horizon (shift times count from t = 0)".into()),
        );
    }
}

/// Warns, for each queue with agents none of whose agents ever answers anything during the
/// run ([`super::available::never_answers`]: absent, never on shift in the run, or refusing
/// every invitation, in any mix), at the first such group's key of its cause: its
/// conversations are never answered and wait until their patience runs out or the drain limit
/// ends the run. Every group refusing keeps its words of before; any other cause is named
/// group by group (issue 25, a seventeenth tester: a queue whose only group was absent, or
/// never on shift, had no warning).
pub(crate) fn all_refuse(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    use super::available::{never_answers, Cause};
    // One pass over the memberships (not queues × groups × a group's queue list: a group
    // serving 40,000 queues made validation quadratic): each queue's groups with agents.
    let causes: Vec<Option<Cause>> = sc
        .agent_groups
        .iter()
        .map(|g| never_answers(sc, g))
        .collect();
    for (q, groups) in sc.queues.iter().zip(super::available::members(sc)) {
        if groups.is_empty() || groups.iter().any(|&g| causes[g].is_none()) {
            continue;
        }
        let first = &sc.agent_groups[groups[0]];
        let first_cause = causes[groups[0]].unwrap_or(Cause::RefusesAll);
        let names: Vec<String> = groups
            .iter()
            .map(|&g| format!("{:?}", sc.agent_groups[g].name))
            .collect();
        // A roster agent (a group made from `[traffic] roster`) is written in that file.
        let (path, span) = match first.roster {
            Some(_) => at(root, "traffic", None, "roster"),
            None => at(
                root,
                "agent_groups",
                Some(groups[0]),
                first_cause.key(first),
            ),
        };
        let refusing = groups.iter().all(|&g| causes[g] == Some(Cause::RefusesAll));
        let (why, hint) = if refusing {
            (
                format!(
                    "every agent of queue {:?} (groups {}) refuses every invitation \
                     (reject_probability + ignore_probability = 1)",
                    q.name,
                    names.join(", ")
                ),
                "lower reject_probability / ignore_probability below 1",
            )
        } else {
            let words: Vec<String> = groups
                .iter()
                .filter_map(|&g| Some(causes[g]?.words(sc, &sc.agent_groups[g])))
                .collect();
            (
                format!(
                    "no agent of queue {:?} ever answers during the run: {}",
                    q.name,
                    words.join("; ")
                ),
                "give the queue a group that is on shift during the run, comes in \
                 (`absence` below 1) and accepts invitations",
            )
        };
        cx.warn(
            &path,
            span,
            format!(
                "{why}: its conversations are never answered and wait until their patience \
                 runs out or the drain limit ({}) ends the run",
                duration(sc.drain_limit)
            ),
            Some(hint.into()),
        );
    }
}
