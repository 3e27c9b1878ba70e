//! The roster side of `omnisim staff`: candidate shifts of the templates (with their break
//! placements), the cheapest cover, the roster-check scenario with absence, and its run.

use super::cover::{cheapest_cover, Candidate, CoverError};
use super::decide::{self, check_verdict, CheckVerdict};
use super::evaluate::{Ctx, RosterRep};
use super::{layout, Roster, RosterShift, StaffError, StaffResult, StaffSpec};
use crate::scenario::{Scenario, ShiftTemplate};
use crate::sim::{RunOptions, RunOutput};
use crate::time::{SimDuration, SimTime};

/// The scenario of the roster check (`DIR/roster-check/`): the staffed group replaced by the
/// roster's agents, `<group>-1` … in `roster.csv`'s order, each a `[traffic] roster` agent with
/// its one shift and its breaks, behaving as the group's agents do (accept delay, rejections),
/// each absent for a whole replication with probability `absence` (the shrinkage).
pub fn roster_scenario(
    base: &Scenario,
    r: &StaffResult,
    roster: &Roster,
    absence: f64,
) -> Result<Scenario, StaffError> {
    let g = &base.agent_groups[r.group_index];
    let mut groups = Vec::new();
    for s in &roster.shifts {
        for _ in 0..s.agents {
            let name = format!("{}-{}", r.group, groups.len() + 1);
            groups.push(crate::scenario::AgentGroup {
                name: name.clone(),
                count: 1,
                shift: None,
                breaks: None,
                roster: Some(crate::traffic::roster::RosterAgent {
                    name,
                    line: 0,
                    capacity: g.capacity,
                    queues: g.queues.clone(),
                    skills: Vec::new(),
                    shifts: vec![(s.shift.start, s.shift.end)],
                    breaks: s.shift.breaks.clone(),
                    absence,
                }),
                absence,
                ..g.clone()
            });
        }
    }
    Ok(layout::replace_group(base, r.group_index, groups)?)
}

impl Roster {
    /// Agents the roster puts on shift and not on break over the whole of `[from, to)`.
    pub fn coverage(&self, from: SimTime, to: SimTime) -> u32 {
        self.shifts
            .iter()
            .filter(|x| x.shift.covers(from, to))
            .map(|x| x.agents)
            .sum()
    }
}

/// The roster check: the roster run in place of the staffed group, each rostered agent absent
/// for a whole replication with probability `shrinkage`, with another seed than the staffing's
/// (so it is an independent check), decided as the verification decides
/// (`staffing::decide`): it starts at the verification's replications and doubles them, up to
/// [`super::Precision::max_replications`], while an interval is too close to call (its 95%
/// interval reaches the target, or its estimate is within the guard band). `stop` (Ctrl-C)
/// ends it early, its output marked partial.
#[allow(missing_debug_implementations)] // RunOutput holds histograms and traces
pub struct RosterCheck {
    /// The scenario run.
    pub scenario: Scenario,
    /// Its output (for the reports of `run`): the last simulation's.
    pub output: RunOutput<RosterRep>,
    /// The target metric per interval (pooled over replications).
    pub value: Vec<Option<f64>>,
    /// Per interval: customers arrived and none was answered, for a wait target (`value` is
    /// `None`, but the interval was measured: a clear miss, never "not measured").
    pub starved: Vec<bool>,
    /// Its 95% half-width per interval (the ratio estimator's; `None` without two
    /// replications with data).
    pub half_width: Vec<Option<f64>>,
    /// Each interval's verdict.
    pub verdicts: Vec<CheckVerdict>,
    /// The intervals that clearly miss the target ([`CheckVerdict::Misses`]).
    pub missed: Vec<usize>,
    /// The intervals too close to call at this precision ([`CheckVerdict::TooClose`]).
    pub too_close: Vec<usize>,
    /// Replications of the last simulation.
    pub replications: u32,
    /// The precision decided at (the verification's).
    pub precision: super::Precision,
    /// Whether an interval is too close to call (more replications could decide it; at
    /// [`super::Precision::max_replications`] they are not run).
    pub open: bool,
}

/// Runs the roster check (see [`RosterCheck`]).
pub fn roster_check(
    base: &Scenario,
    spec: &StaffSpec,
    r: &StaffResult,
    roster: &Roster,
    stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
) -> Result<RosterCheck, StaffError> {
    let scenario = roster_scenario(base, r, roster, spec.shrinkage)?;
    let report_iv = crate::metrics::interval_for(base.horizon);
    let seed = spec
        .seed
        .unwrap_or(base.seed)
        .wrapping_add(CHECK_SEED_OFFSET);
    let mut cx = Ctx {
        base,
        target: &spec.target,
        group: r.group_index,
        queues: base.agent_groups[r.group_index].queues.clone(),
        n: r.rows.len(),
        cells_per_interval: (r.interval.as_millis() / report_iv.as_millis()) as usize,
        interval_ms: r.interval.as_millis(),
        opts: RunOptions {
            seed: Some(seed),
            stop,
            ..RunOptions::default()
        },
        evaluations: 0,
    };
    let p = r.precision;
    let mut reps = r.replications.max(1);
    let mut last: Option<RosterCheck> = None;
    loop {
        let (output, eval) = cx.run_scenario(&scenario, reps);
        if output.partial {
            // A stop cut the doubled run short: the last whole run is the finished work, kept
            // and marked partial (its verdicts are not at the precision asked).
            return Ok(match last {
                Some(mut whole) => {
                    whole.output.partial = true;
                    whole
                }
                None => decided(scenario, &spec.target, &p, output, eval),
            });
        }
        let check = decided(scenario.clone(), &spec.target, &p, output, eval);
        if check.open && reps < p.max_replications {
            reps = (reps * 2).min(p.max_replications);
            last = Some(check);
            continue;
        }
        return Ok(check);
    }
}

/// The check's verdicts on one run (see [`RosterCheck`]).
fn decided(
    scenario: Scenario,
    target: &crate::workflows::target::Target,
    p: &super::Precision,
    output: RunOutput<RosterRep>,
    eval: super::evaluate::Eval,
) -> RosterCheck {
    let n = eval.value.len();
    let tests = eval.value.iter().filter(|v| v.is_some()).count();
    let readings: Vec<_> = (0..n)
        .map(|i| decide::read(target, p, tests, eval.value[i], &eval.per_rep[i]))
        .collect();
    // Customers but nobody answered: a wait target is clearly missed there.
    let verdicts: Vec<CheckVerdict> = (0..n)
        .map(|i| match eval.starved.get(i) {
            Some(true) => CheckVerdict::Misses,
            _ => check_verdict(readings[i]),
        })
        .collect();
    let with = |v: CheckVerdict| (0..n).filter(|&i| verdicts[i] == v).collect();
    RosterCheck {
        scenario,
        replications: eval.replications,
        half_width: readings
            .iter()
            .map(|x| x.and_then(|x| x.half_width))
            .collect(),
        missed: with(CheckVerdict::Misses),
        too_close: with(CheckVerdict::TooClose),
        open: (0..n)
            .any(|i| verdicts[i] == CheckVerdict::TooClose && decide::wants_more(readings[i])),
        verdicts,
        output,
        starved: (0..n)
            .map(|i| eval.starved.get(i).copied().unwrap_or(false))
            .collect(),
        value: eval.value,
        precision: *p,
    }
}

/// Added to the seed for the roster check, so it does not see the staffing's sample paths.
pub const CHECK_SEED_OFFSET: u64 = 0x5EED_C4EC;

/// Most break placements one template's shift gets as candidates.
const MAX_PLACEMENTS: usize = 64;

/// The ways a template's breaks can lie: each break at `after` moved by whole staffing
/// intervals within its window (`after ± window/2`), inside the shift and not overlapping the
/// break before it; the placement as written first. Several placements of one start are
/// separate candidates, so the optimiser staggers a start time's breaks.
fn break_placements(t: &ShiftTemplate, interval_ms: u64) -> Vec<Vec<(SimDuration, SimDuration)>> {
    let mut out: Vec<Vec<(SimDuration, SimDuration)>> = vec![Vec::new()];
    for (k, &(after, len)) in t.breaks.iter().enumerate() {
        let half = t.break_windows.get(k).map_or(0, |w| w.as_millis() / 2);
        let steps = (half / interval_ms.max(1)) as i64;
        let mut offsets: Vec<i64> = vec![0];
        for j in 1..=steps {
            offsets.push(j);
            offsets.push(-j);
        }
        let mut next = Vec::new();
        for prefix in &out {
            for &j in &offsets {
                let at = after.as_millis() as i64 + j * interval_ms as i64;
                if at <= 0 || at as u64 + len.as_millis() > t.length.as_millis() {
                    continue;
                }
                let at = SimDuration::from_millis(at as u64);
                if prefix.last().is_some_and(|&(a, l)| a + l > at) {
                    continue;
                }
                let mut p = prefix.clone();
                p.push((at, len));
                next.push(p);
                if next.len() >= MAX_PLACEMENTS {
                    break;
                }
            }
        }
        if next.is_empty() {
            // No placement fits: keep the break as written (validation checked it fits).
            next = out
                .into_iter()
                .map(|mut p| {
                    p.push((after, len));
                    p
                })
                .collect();
        }
        out = next;
    }
    out
}

/// Candidate shifts of the templates that start within the horizon, and the cheapest cover.
pub(super) fn roster(
    base: &Scenario,
    spec: &StaffSpec,
    templates: &[ShiftTemplate],
    required: &[u32],
    interval_ms: u64,
) -> Result<Roster, CoverError> {
    let horizon_ms = base.horizon.as_millis();
    let day_ms = 86_400_000u64;
    let days = horizon_ms / day_ms + 2;
    let mut candidates = Vec::new();
    for (ti, t) in templates.iter().enumerate() {
        for &minute in &t.starts {
            for d in 0..days {
                let at = (d * 1440 + minute as u64) as i64 - spec.start_minute as i64;
                if at < 0 || at as u64 * 60_000 >= horizon_ms {
                    continue;
                }
                let start = SimTime(at as u64 * 60_000);
                for breaks in break_placements(t, interval_ms) {
                    candidates.push(Candidate {
                        template: ti,
                        start,
                        end: start + t.length,
                        breaks: breaks
                            .iter()
                            .map(|&(after, len)| (start + after, start + after + len))
                            .collect(),
                        cost: t.cost,
                        max_agents: t.max_agents,
                    });
                }
            }
        }
    }
    candidates
        .sort_by(|a, b| (a.start, a.template, &a.breaks).cmp(&(b.start, b.template, &b.breaks)));
    let cover = cheapest_cover(
        &candidates,
        required,
        interval_ms,
        SimTime::ZERO + base.horizon,
    )?;
    let shifts: Vec<RosterShift> = candidates
        .into_iter()
        .zip(cover.agents)
        .filter(|(_, n)| *n > 0)
        .map(|(c, agents)| RosterShift {
            template: templates[c.template].name.clone(),
            shift: c,
            agents,
        })
        .collect();
    let cost = shifts.iter().map(|s| s.shift.cost * s.agents as f64).sum();
    Ok(Roster {
        shifts,
        cost,
        lower_bound: cover.lower_bound,
        optimal: cover.optimal,
    })
}
