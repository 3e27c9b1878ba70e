//! The per-replication parts of `summary.json`: `agent_groups` (what each agent group did) and
//! `by_replication` (one small summary per replication: the figures `omnisim compare` and
//! `omnisim ab` test differences on).
//!
//! A replication's figures have the same dotted paths as the whole run's (`wait_s.mean`,
//! `queues.billing.service_level`, `agent_groups.en.conversations`), so a tool finds the
//! per-replication series of a summary metric by its path. Counts are that replication's own
//! (not summed); count maps (`rule_violations.by_rule`, `policies`, `routing.by_rule`) list
//! only their non-zero entries: a count absent from a replication is 0 there.
//!
//! A row repeats each agent group's figures only up to [`MAX_REP_AGENT_GROUPS`] groups: above
//! it (a roster of thousands of agents, each a group of its own) the rows leave `agent_groups`
//! out and the summary says so ([`RepLeftOut`]), so `summary.json` no longer grows with
//! groups × replications (issue 25: 44,001 groups × 40 replications were 215 MB).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metrics::{AgentStats, RepMetrics};
use crate::scenario::Scenario;
use crate::sim::RunTotals;

use super::summary::{
    build_from, build_with, lookup_value, HandleTime, Overallocation, Reaction, Summary, Wait,
};

/// Most agent groups (distinct names, roster agents included) whose figures every
/// `by_replication` row repeats under `agent_groups.G`; a run with more lists them only over
/// all replications (`agent_groups`), and its rows none ([`RepLeftOut`]). 1,000 groups are
/// about 90 KB a row; the bundled scenarios have at most 460 (`scenarios/bank-week.toml`).
pub const MAX_REP_AGENT_GROUPS: u64 = 1_000;

/// What every `by_replication` row leaves out, and why: `summary.json`'s
/// `by_replication_left_out`, absent when the rows list everything. `compare` reads it to say
/// which metrics it cannot test across replications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepLeftOut {
    /// The run's agent groups (distinct names; a roster agent is a group of its own), none of
    /// which the rows list: more than `limit`.
    pub agent_groups: u64,
    /// The most agent groups a row lists ([`MAX_REP_AGENT_GROUPS`]).
    pub limit: u64,
}

impl RepLeftOut {
    /// What the rows of a run of `sc` leave out: `None` when the scenario has at most
    /// [`MAX_REP_AGENT_GROUPS`] agent groups (distinct names: a roster agent named like a group
    /// is that group). Depends on the scenario alone, so every row of a run, and of each shard
    /// of it, agrees.
    pub fn of(sc: &Scenario) -> Option<RepLeftOut> {
        if sc.agent_groups.len() as u64 <= MAX_REP_AGENT_GROUPS {
            return None;
        }
        let mut names: Vec<&str> = sc.agent_groups.iter().map(|g| g.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let n = names.len() as u64;
        (n > MAX_REP_AGENT_GROUPS).then_some(RepLeftOut {
            agent_groups: n,
            limit: MAX_REP_AGENT_GROUPS,
        })
    }

    /// The sentence `summary.json`'s `notes` and the terminal (`note:`) give.
    pub fn note(&self) -> String {
        format!(
            "by_replication lists no agent_groups: the run has {} agent groups (a roster \
             agent is a group of its own), more than the {} a replication's row repeats \
             (summary.json would grow with groups × replications). agent_groups holds every \
             group's figures over all replications; compare cannot test agent-group changes \
             across replications (ab can), every other figure is in the rows",
            self.agent_groups, self.limit
        )
    }
}

/// One agent group's figures after warm-up (`agent_groups.G`); a `[traffic] roster` agent is a
/// group of its own, under its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentGroupSummary {
    /// Conversations the group's agents accepted, picked or were transferred by a supervisor.
    pub conversations: u64,
    /// Agent-seconds holding any units, summed over the group's agents.
    pub busy_s: f64,
    /// Units held ÷ units on shift, time-weighted over the group's agents (the center's
    /// `occupancy` restricted to the group); null when none of them was on shift.
    pub occupancy: Option<f64>,
}

/// The `agent_groups` object of `agents` (each agent's figures, summed over the replications),
/// by group name in scenario order of first appearance (a `BTreeMap`: sorted by name in the
/// JSON).
pub fn agent_groups(sc: &Scenario, agents: &[AgentStats]) -> BTreeMap<String, AgentGroupSummary> {
    // Sorted by name, then groups of one name summed (integer sums: the order does not
    // matter) and the map built from the sorted run at once: a million roster agents cost a
    // sort, not a million tree insertions and name copies of a name already present.
    let mut named: Vec<(&str, AgentStats)> = sc
        .agent_groups
        .iter()
        .map(|g| {
            let mut t = AgentStats::default();
            let first = g.first.0 as usize;
            for a in agents.iter().skip(first).take(g.count as usize) {
                t.merge(a);
            }
            (g.name.as_str(), t)
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(b.0));
    named.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1.merge(&later.1);
        }
        same
    });
    named
        .into_iter()
        .map(|(name, t)| {
            let s = AgentGroupSummary {
                conversations: t.conversations,
                busy_s: t.busy_ms as f64 / 1000.0,
                occupancy: (t.staffed_unit_ms > 0)
                    .then(|| t.unit_ms as f64 / t.staffed_unit_ms as f64),
            };
            (name.to_owned(), s)
        })
        .collect()
}

/// One replication's conversation counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepConversations {
    /// Arrived after warm-up.
    pub arrived: u64,
    /// Reached Active at least once.
    pub answered: u64,
    /// Closed from Open before any agent accepted.
    pub abandoned: u64,
    /// Still live when the replication stopped.
    pub in_system_at_end: u64,
    /// Ended by overflow; present with unified routing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub overflowed: Option<u64>,
}

/// One replication's service level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepServiceLevel {
    /// As `service_level.fraction`; null when its denominator is 0.
    pub fraction: Option<f64>,
}

/// One replication's refusals: the total and the non-zero rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepViolations {
    /// All refusals.
    pub total: u64,
    /// Non-zero only.
    pub by_rule: BTreeMap<String, u64>,
}

/// One replication's refused supervisor actions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepActions {
    /// Actions the engine refused.
    pub refused: u64,
}

/// One policy's or script line's refusals in one replication (non-zero sources only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepPolicy {
    /// Actions refused.
    pub refused: u64,
    /// Non-zero only.
    pub by_rule: BTreeMap<String, u64>,
}

/// One queue in one replication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepQueue {
    /// Arrived after warm-up.
    pub arrived: u64,
    /// Answered.
    pub answered: u64,
    /// Abandoned.
    pub abandoned: u64,
    /// Mean and 90th percentile wait of answered conversations, seconds.
    pub wait_s: super::summary::QueueWait,
    /// Service level; null when its denominator is 0.
    pub service_level: Option<f64>,
    /// Ended by overflow here; present with unified routing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub overflowed: Option<u64>,
}

/// One replication's routing counts (unified routing only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepRouting {
    /// Conversations no member of their queue can serve.
    pub unmatched: u64,
    /// Assignments by `queue/rule`, non-zero only.
    pub by_rule: BTreeMap<String, u64>,
}

/// One replication's overflow endings (unified routing only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepOverflow {
    /// Conversations ended by overflow.
    pub ended: u64,
}

/// One element of `by_replication`: one replication's figures under the summary's own paths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepSummary {
    /// The replication index (0-based; replication `i` of two runs with the same seed draws
    /// the same random numbers).
    pub replication: u32,
    /// True when a stop (SIGINT or SIGTERM) cut this replication short: its figures count up
    /// to the stop, and its trace ends in an `interrupted` line. Absent (false) otherwise, so
    /// a whole run's rows are unchanged.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub partial: bool,
    /// Counts.
    pub conversations: RepConversations,
    /// Waits of answered conversations, seconds.
    pub wait_s: Wait,
    /// Handling durations, seconds.
    pub handle_s: HandleTime,
    /// Service level.
    pub service_level: RepServiceLevel,
    /// As the summary's; null when nothing arrived.
    pub abandonment_rate: Option<f64>,
    /// As the summary's; null when nobody was on shift.
    pub occupancy: Option<f64>,
    /// Overallocation.
    pub overallocation: Overallocation,
    /// Refusals.
    pub rule_violations: RepViolations,
    /// Invariant breaks.
    pub invariant_violations: u64,
    /// Refused supervisor actions.
    pub supervisor_actions: RepActions,
    /// Supervisor reaction time.
    pub supervisor_reaction_s: Reaction,
    /// Sources with refusals.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub policies: BTreeMap<String, RepPolicy>,
    /// Per queue.
    pub queues: BTreeMap<String, RepQueue>,
    /// Per agent group; absent when the run has more than [`MAX_REP_AGENT_GROUPS`] groups
    /// (the summary's `by_replication_left_out` says so).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub agent_groups: Option<BTreeMap<String, AgentGroupSummary>>,
    /// Unified routing, when the scenario uses it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub routing: Option<RepRouting>,
    /// Overflow, when the scenario uses unified routing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub overflow: Option<RepOverflow>,
}

fn nonzero(m: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    m.iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| (k.clone(), *n))
        .collect()
}

/// Projects the summary of a single replication `s` (built from that replication alone) onto
/// its `by_replication` element, moving its per-group and per-queue maps rather than copying
/// them; its agent groups only when `groups` (the run has at most [`MAX_REP_AGENT_GROUPS`]).
pub fn rep_summary(replication: u32, s: Summary, groups: bool) -> RepSummary {
    RepSummary {
        replication,
        partial: false,
        conversations: RepConversations {
            arrived: s.conversations.arrived,
            answered: s.conversations.answered,
            abandoned: s.conversations.abandoned,
            in_system_at_end: s.conversations.in_system_at_end,
            overflowed: s.conversations.overflowed,
        },
        wait_s: s.wait_s,
        handle_s: s.handle_s,
        service_level: RepServiceLevel {
            fraction: s.service_level.fraction,
        },
        abandonment_rate: s.abandonment_rate,
        occupancy: s.occupancy,
        overallocation: s.overallocation,
        rule_violations: RepViolations {
            total: s.rule_violations.total,
            by_rule: nonzero(&s.rule_violations.by_rule),
        },
        invariant_violations: s.invariant_violations,
        supervisor_actions: RepActions {
            refused: s.supervisor_actions.get("refused").copied().unwrap_or(0),
        },
        supervisor_reaction_s: s.supervisor_reaction_s,
        policies: s
            .policies
            .iter()
            .filter(|(_, p)| p.refused > 0)
            .map(|(k, p)| {
                let r = RepPolicy {
                    refused: p.refused,
                    by_rule: nonzero(&p.by_rule),
                };
                (k.clone(), r)
            })
            .collect(),
        queues: s
            .queues
            .into_iter()
            .map(|(k, q)| {
                let r = RepQueue {
                    arrived: q.arrived,
                    answered: q.answered,
                    abandoned: q.abandoned,
                    wait_s: q.wait_s,
                    service_level: q.service_level,
                    overflowed: q.overflowed,
                };
                (k, r)
            })
            .collect(),
        agent_groups: groups.then_some(s.agent_groups),
        routing: s.routing.as_ref().map(|r| RepRouting {
            unmatched: r.unmatched,
            by_rule: nonzero(&r.by_rule),
        }),
        overflow: s.overflow.as_ref().map(|o| RepOverflow { ended: o.ended }),
    }
}

/// What a run kept of one replication, as `summary.json`'s `by_replication` reads it.
pub trait PerReplication {
    /// The replication's `by_replication` element.
    fn by_replication(&self, sc: &Scenario) -> std::borrow::Cow<'_, RepSummary>;
}

impl PerReplication for RepMetrics {
    fn by_replication(&self, sc: &Scenario) -> std::borrow::Cow<'_, RepSummary> {
        let one = RunTotals::of(std::iter::once(self));
        let groups = RepLeftOut::of(sc).is_none();
        let summary = build_with(sc, &one, 0.0, groups);
        let mut row = rep_summary(self.replication, summary, groups);
        row.partial = self.partial;
        std::borrow::Cow::Owned(row)
    }
}

impl PerReplication for RepSummary {
    fn by_replication(&self, _: &Scenario) -> std::borrow::Cow<'_, RepSummary> {
        std::borrow::Cow::Borrowed(self)
    }
}

/// One replication's `by_replication` element: what a run keeps of each replication for
/// `summary.json` (pass it to [`crate::sim::run_keep`]). Its agent groups are neither built nor
/// kept when the run has more than [`MAX_REP_AGENT_GROUPS`].
pub fn rep_row(sc: &Scenario, r: &mut RepMetrics) -> RepSummary {
    let (replication, partial) = (r.replication, r.partial);
    let groups = RepLeftOut::of(sc).is_none();
    let mut row = RunTotals::lend(r, |t| {
        rep_summary(replication, build_with(sc, t, 0.0, groups), groups)
    });
    row.partial = partial;
    row
}

/// The value of each of `paths` (as [`super::lookup`] reads them) in the summary of the one
/// replication `r`: what `ab` keeps of a replication. The replication is lent, not copied
/// ([`RunTotals::lend`]), its summary is built once (no `by_replication` element, which would
/// hold every agent group again), and the summary is turned into JSON without its agent
/// groups: an `agent_groups.G.m` path reads group `G` alone. A center of 168,000 groups was
/// otherwise three copies of them and a JSON tree of two, per replication and side.
pub fn rep_values<S: AsRef<str>>(
    sc: &Scenario,
    r: &mut RepMetrics,
    paths: &[S],
) -> Vec<Option<f64>> {
    RunTotals::lend(r, |t| {
        let mut s = build_from(sc, t, 0.0);
        let groups = std::mem::take(&mut s.agent_groups);
        let Ok(v) = serde_json::to_value(&s) else {
            return vec![None; paths.len()];
        };
        paths
            .iter()
            .map(|p| match p.as_ref().strip_prefix("agent_groups.") {
                Some(rest) => group_value(&groups, rest),
                None => lookup_value(&v, p.as_ref()),
            })
            .collect()
    })
}

/// `lookup_value` of `rest` (`G.m`) in the JSON of `groups`, one group turned into JSON at a
/// time: the longest group name that gives a value wins, as for any key.
fn group_value(groups: &BTreeMap<String, AgentGroupSummary>, rest: &str) -> Option<f64> {
    let mut cut = rest.len();
    loop {
        let (head, tail) = (&rest[..cut], rest.get(cut + 1..).unwrap_or(""));
        if let Some(g) = groups.get(head) {
            let x = serde_json::to_value(g)
                .ok()
                .and_then(|v| lookup_value(&v, tail));
            if x.is_some() {
                return x;
            }
        }
        cut = rest[..cut].rfind('.')?;
    }
}
