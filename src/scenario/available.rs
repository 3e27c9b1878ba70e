//! Agents who never answer anything during the run, for whatever cause (issue 25, a
//! seventeenth tester): validation's "never acts" check of supervisor policies
//! ([`super::never_acts`]) and its "never answered" warning on queues ([`super::timed`]) read
//! the same causes here, so a group absent all run counts as one never on shift or one that
//! refuses every invitation (before, a policy's `pick` and the queue warning knew only the
//! refusals, and the named-agent check only absence and late shifts).
//!
//! The causes, for a group with agents (`count > 0`; a group of 0 agents is no member at all):
//! - [`Cause::Absent`]: `absence = 1`, so no agent of it ever comes in;
//! - [`Cause::ShiftAfterRun`]: its `shift` starts at or after the run's end (the horizon plus
//!   the drain limit);
//! - [`Cause::RosterNoShift`]: a `[traffic] roster` agent none of whose shifts starts before
//!   the run ends;
//! - [`Cause::RefusesAll`]: `reject_probability + ignore_probability` is 1, so each invitation
//!   it gets is refused (it is present, but never accepts).

use super::types::{AgentGroup, Scenario};
use crate::model::QueueId;
use crate::time::{SimDuration, SimTime};

/// Why the agents of a group never answer anything during the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cause {
    /// `absence = 1`: its agents never come in.
    Absent,
    /// Its `shift` starts at this time, at or after the run's end (horizon + drain limit).
    ShiftAfterRun(SimTime),
    /// A roster agent with no shift starting before the run ends.
    RosterNoShift,
    /// `reject_probability + ignore_probability` = 1: every invitation is refused.
    RefusesAll,
}

impl Cause {
    /// Whether the agents are never present (Offline all run), as against present and refusing.
    pub(crate) fn offline(self) -> bool {
        !matches!(self, Cause::RefusesAll)
    }

    /// The group's key the cause is written at (`absence`, `shift`, …), for a diagnostic.
    pub(crate) fn key(self, g: &AgentGroup) -> &'static str {
        match self {
            Cause::Absent => "absence",
            Cause::ShiftAfterRun(_) => "shift",
            Cause::RosterNoShift => "roster",
            Cause::RefusesAll if g.reject_probability >= 1.0 => "reject_probability",
            Cause::RefusesAll => "ignore_probability",
        }
    }

    /// The cause in words, naming group `g` of scenario `sc` (as `group "a" …`, or `roster
    /// agent "ann" …`).
    pub(crate) fn words(self, sc: &Scenario, g: &AgentGroup) -> String {
        let end = run_end(sc);
        match self {
            Cause::Absent => format!(
                "group {:?} never comes in (`absence = {}`)",
                g.name, g.absence
            ),
            Cause::ShiftAfterRun(start) => format!(
                "group {:?} is on shift only from {}, after the run ends (horizon + drain limit \
                 = {})",
                g.name,
                SimDuration(start.0),
                SimDuration(end.0)
            ),
            Cause::RosterNoShift => format!(
                "roster agent {:?} has no shift starting before the run ends (horizon + drain \
                 limit = {})",
                g.roster.as_ref().map_or(&g.name, |r| &r.name),
                SimDuration(end.0)
            ),
            Cause::RefusesAll => format!(
                "group {:?} rejects or ignores every invitation (reject_probability {} + \
                 ignore_probability {} = 1)",
                g.name, g.reject_probability, g.ignore_probability
            ),
        }
    }
}

/// The end of the run: t = 0 plus the horizon and the drain limit.
pub(crate) fn run_end(sc: &Scenario) -> SimTime {
    SimTime::ZERO + sc.horizon + sc.drain_limit
}

/// Why the agents of group `g` are never present during the run (Offline all run), or `None`
/// when they can be on shift.
pub(crate) fn offline_cause(sc: &Scenario, g: &AgentGroup) -> Option<Cause> {
    let end = run_end(sc);
    if g.absence >= 1.0 {
        return Some(Cause::Absent);
    }
    match (&g.roster, g.shift) {
        (Some(r), _) if r.shifts.iter().all(|&(s, _)| s >= end) => Some(Cause::RosterNoShift),
        (None, Some(s)) if s.start >= end => Some(Cause::ShiftAfterRun(s.start)),
        _ => None,
    }
}

/// Why the agents of group `g` never answer anything during the run (never present, or
/// refusing every invitation), or `None` when they can.
pub(crate) fn never_answers(sc: &Scenario, g: &AgentGroup) -> Option<Cause> {
    offline_cause(sc, g).or_else(|| {
        (g.reject_probability + g.ignore_probability >= 1.0).then_some(Cause::RefusesAll)
    })
}

/// Each queue's member groups with agents (indexes into `agent_groups`, in group order, each
/// once). One pass over the memberships: O(queues + Σ a group's queues).
pub(crate) fn members(sc: &Scenario) -> Vec<Vec<usize>> {
    let mut of_queue: Vec<Vec<usize>> = vec![Vec::new(); sc.queues.len()];
    for (g, grp) in sc.agent_groups.iter().enumerate() {
        if grp.count == 0 {
            continue;
        }
        for id in &grp.queues {
            if let Some(groups) = of_queue.get_mut(id.index()) {
                if groups.last() != Some(&g) {
                    groups.push(g);
                }
            }
        }
    }
    of_queue
}

/// When queue `q` has member groups with agents and none of them ever answers anything
/// (`cause(group)` says why for each), each group with its cause; else `None`.
pub(crate) fn nobody_in(
    sc: &Scenario,
    q: QueueId,
    cause: impl Fn(&AgentGroup) -> Option<Cause>,
) -> Option<Vec<(usize, Cause)>> {
    let mut out = Vec::new();
    for (g, grp) in sc.agent_groups.iter().enumerate() {
        if grp.count == 0 || !grp.queues.contains(&q) {
            continue;
        }
        out.push((g, cause(grp)?));
    }
    (!out.is_empty()).then_some(out)
}
