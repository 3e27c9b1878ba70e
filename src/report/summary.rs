//! [`Summary`]: the `summary.json` model, built from a run's replications.
//!
//! Everything outside `engine` is a pure function of the scenario, the seed and the version,
//! so it is byte-identical across machines and thread counts; wall-clock figures live under
//! `engine` only.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::RuleId;
use crate::metrics::{
    hdr_quantile, ChatStats, Durations, Invitations, QueueChat, QueueStats, SlDefinition,
    ACTION_KINDS,
};
use crate::scenario::Scenario;
use crate::sim::{RunOutput, RunTotals};

use super::summary_reps::{agent_groups, AgentGroupSummary, RepLeftOut, RepSummary};
pub use super::summary_reps::{rep_row, PerReplication};

/// The `format` tag of `summary.json`.
pub const FORMAT: &str = "omnisim.summary/1";

/// `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Always [`FORMAT`].
    pub format: String,
    /// The omnisim version that wrote it.
    pub omnisim_version: String,
    /// The scenario's name.
    pub scenario: String,
    /// The seed used; null in `fit`'s `actuals.json` (a conversation history has no seed, so
    /// `compare` never calls a seed difference with it a mismatch). A run always writes it.
    pub seed: Option<u64>,
    /// Replications run.
    pub replications: u32,
    /// True when the run was interrupted and the figures cover only part of it.
    pub partial: bool,
    /// On a partial run only: the replications that ran to their end (the others were cut by
    /// the signal and count up to where they stopped; `replications` stays the count asked
    /// for). Absent on a whole run, so whole runs' summaries are unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications_finished: Option<u32>,
    /// Simulated seconds of the longest replication (arrivals and drain).
    pub simulated_s: f64,
    /// Conversation counts.
    pub conversations: Conversations,
    /// Distinct customers: contacts after warm-up that were not retrials.
    #[serde(default)]
    pub customers: u64,
    /// Handling duration (Active to the end of handling or a transfer, slowdown included).
    #[serde(default)]
    pub handle_s: HandleTime,
    /// Invitations by outcome.
    #[serde(default)]
    pub invitations: Invitations,
    /// Wait from arrival to first Active, answered conversations only.
    pub wait_s: Wait,
    /// Service level.
    pub service_level: ServiceLevel,
    /// (Abandoned − short abandons) ÷ (arrived − short abandons); null when nothing arrived.
    pub abandonment_rate: Option<f64>,
    /// Units held ÷ units staffed, time-weighted; null when nobody was on shift.
    pub occupancy: Option<f64>,
    /// Capacity overallocation.
    pub overallocation: Overallocation,
    /// Refused commands by rule.
    pub rule_violations: RuleViolations,
    /// Invariant breaks (must be 0).
    pub invariant_violations: u64,
    /// Supervisor actions the engine accepted, by kind, and those it refused.
    pub supervisor_actions: BTreeMap<String, u64>,
    /// Supervisor reaction time, condition true → action applied.
    pub supervisor_reaction_s: Reaction,
    /// Joins and the notifications they sent.
    pub joins: Joins,
    /// Refusals and actions by policy or script line.
    pub policies: BTreeMap<String, PolicyStats>,
    /// Wall-clock figures (the only part that varies between identical runs).
    pub engine: EngineStats,
    /// 95% confidence intervals across replications (null with one replication).
    pub ci95: Ci95,
    /// Per queue.
    pub queues: BTreeMap<String, QueueSummary>,
    /// Per agent group (after warm-up).
    #[serde(default)]
    pub agent_groups: BTreeMap<String, AgentGroupSummary>,
    /// Threshold results.
    pub thresholds: Vec<ThresholdResult>,
    /// Unified routing; present only when the scenario uses it (a first-part scenario keeps
    /// its exact `summary.json`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub routing: Option<RoutingSummary>,
    /// Overflow (OVF-*); present only when the scenario uses unified routing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub overflow: Option<OverflowSummary>,
    /// What every `by_replication` row leaves out, and why (a run of more than
    /// [`super::summary_reps::MAX_REP_AGENT_GROUPS`] agent groups: their per-replication
    /// figures); absent when the rows list everything, and in older summaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_replication_left_out: Option<RepLeftOut>,
    /// Each replication's figures, in replication order (what `compare` and `ab` test
    /// differences on); empty in summaries written before it existed.
    #[serde(default)]
    pub by_replication: Vec<RepSummary>,
    /// Why a figure is null, 0 or surprising although the file claims to describe the run:
    /// `fit`'s `actuals.json` (a conversation history does not say when agents were on shift,
    /// so `occupancy` is null), and a run that ended with conversations still in the system
    /// ([`drain_note`]); absent when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Overflow figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverflowSummary {
    /// Conversations ended by overflow.
    pub ended: u64,
    /// Conversations moved to another queue by overflow.
    pub transferred: u64,
    /// Overflow callbacks.
    pub callbacks: u64,
    /// Triggers per queue and kind.
    pub by_queue: BTreeMap<String, OverflowByKind>,
}

/// One queue's overflow triggers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverflowByKind {
    /// OVF-HOURS.
    pub out_of_hours: u64,
    /// OVF-LIMIT.
    pub work_items_over: u64,
    /// OVF-WAIT.
    pub waited_over: u64,
}

/// Unified-routing figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutingSummary {
    /// RT-SKILL: conversations whose required skills no member of their queue holds.
    pub unmatched: u64,
    /// RT-RULESET: assignments made by each `queue/rule` (empty without assignment rules).
    pub by_rule: BTreeMap<String, u64>,
}

/// Conversation counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversations {
    /// Arrived after warm-up.
    pub arrived: u64,
    /// Reached Active at least once.
    pub answered: u64,
    /// Closed from Open before any agent accepted.
    pub abandoned: u64,
    /// Of the abandoned, those within `short_abandon`; present only when it is set.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub short_abandoned: Option<u64>,
    /// Not accepted at the instant of arrival.
    pub delayed: u64,
    /// Closed.
    pub closed: u64,
    /// Still live when the run stopped.
    pub in_system_at_end: u64,
    /// Times an Active conversation went back to Open (released by, or taken back from, its
    /// agent) and was routed again.
    pub released: u64,
    /// Contacts that were retrials of a customer who had abandoned.
    #[serde(default)]
    pub retrials: u64,
    /// Moved to another queue: transferred at the end of handling, or by overflow.
    #[serde(default)]
    pub transferred: u64,
    /// Ended by overflow (neither answered nor abandoned); present when the scenario uses
    /// unified routing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub overflowed: Option<u64>,
}

/// Handling durations in seconds; each null when nothing was handled. Percentiles as for
/// [`Wait`], within the exact largest value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HandleTime {
    /// Mean.
    pub mean: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
}

/// Wait statistics of answered conversations, in seconds; each null when nothing was answered.
/// Percentiles are HdrHistogram's (3 significant digits: at most 0.1% above the true order
/// statistic) and never exceed `max`, the exact largest wait.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Wait {
    /// Mean over answered conversations (ASA).
    pub mean: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
}

/// Service level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceLevel {
    /// The threshold in seconds.
    pub threshold_s: f64,
    /// Answered within it ÷ the definition's denominator (default: answered + abandoned −
    /// short abandons); null when that is 0.
    pub fraction: Option<f64>,
    /// The denominator, when not the default (`answered` | `offered`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub definition: Option<String>,
}

/// Overallocation figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overallocation {
    /// Changes that left an agent above capacity.
    pub events: u64,
    /// Agents overallocated at least once (summed over replications).
    pub agents: u64,
    /// Largest units above capacity.
    pub max_units: u64,
    /// Units above capacity × seconds.
    pub unit_seconds: f64,
    /// Agent-seconds spent above capacity.
    pub time_s: f64,
}

/// Refusals by rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleViolations {
    /// All refusals.
    pub total: u64,
    /// By rule id (every rule of the catalogue, zeros included).
    pub by_rule: BTreeMap<String, u64>,
}

/// Reaction time in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reaction {
    /// Actions measured.
    pub count: u64,
    /// Mean; null with no action.
    pub mean: Option<f64>,
    /// 90th percentile; null with no action.
    pub p90: Option<f64>,
    /// Largest; null with no action.
    pub max: Option<f64>,
}

/// Joins and notifications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Joins {
    /// Joins accepted.
    pub count: u64,
    /// Notifications to agents (joins, transfers, force closes).
    pub notified_agent: u64,
    /// Notifications to customers.
    pub notified_customer: u64,
}

/// One policy's or script line's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyStats {
    /// Actions accepted.
    pub accepted: u64,
    /// Actions refused.
    pub refused: u64,
    /// Actions not sent: no usable agent (all Offline or on a break) to assign or transfer to.
    pub skipped_no_agent: u64,
    /// Conversations the policy stopped acting on: 10,000 of its attempts on one failed
    /// (refused, not sent, or an invitation rejected), or the agent it names refused it
    /// `refusals_before_skip` times (RT-ELIGIBLE). 0 for a script line.
    #[serde(default)]
    pub given_up: u64,
    /// Refusals by rule id (non-zero only).
    pub by_rule: BTreeMap<String, u64>,
}

/// Wall-clock figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineStats {
    /// Commands the engine handled.
    pub commands: u64,
    /// Sampled wall-clock time per command.
    pub decision_ns: DecisionNs,
    /// Wall-clock seconds of the run.
    pub wall_s: f64,
    /// Conversations simulated per wall-clock second.
    pub conversations_per_s: f64,
}

/// Decision-time percentiles in nanoseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionNs {
    /// Median; null when nothing was sampled.
    pub p50: Option<u64>,
    /// 99th percentile; null when nothing was sampled.
    pub p99: Option<u64>,
    /// Largest (HdrHistogram's highest equivalent); null when nothing was sampled.
    pub max: Option<u64>,
}

/// Confidence intervals across replications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ci95 {
    /// Of the mean wait.
    pub wait_mean_s: Option<[f64; 2]>,
    /// Of the service level.
    pub service_level: Option<[f64; 2]>,
    /// Of the abandonment rate.
    pub abandonment_rate: Option<[f64; 2]>,
}

/// One queue's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueSummary {
    /// Arrived after warm-up.
    pub arrived: u64,
    /// Answered.
    pub answered: u64,
    /// Abandoned.
    pub abandoned: u64,
    /// Of the abandoned, those within `short_abandon`; present only when it is set.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub short_abandoned: Option<u64>,
    /// Wait of answered conversations: arrival to first Active, and for conversations
    /// transferred in, entering this queue to Active here.
    pub wait_s: QueueWait,
    /// Conversations transferred into this queue.
    #[serde(default)]
    pub transferred_in: u64,
    /// Service level (the scenario's definition); null when its denominator is 0.
    pub service_level: Option<f64>,
    /// Ended by overflow in this queue; present with unified routing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub overflowed: Option<u64>,
}

/// A queue's wait figures of answered conversations, in seconds; null when none was answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueWait {
    /// Mean over answered conversations.
    pub mean: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
}

/// A threshold's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThresholdResult {
    /// The dotted path.
    pub metric: String,
    /// The smallest passing value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min: Option<f64>,
    /// The largest passing value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max: Option<f64>,
    /// The measured value (null when the metric has no data: the threshold then fails).
    pub value: Option<f64>,
    /// Whether it passed.
    pub passed: bool,
}

fn secs(ms: u128) -> f64 {
    ms as f64 / 1000.0
}

/// One queue's figures. `uses_routing` is [`crate::sim::setup::uses_routing`] of `sc`, asked
/// once by the caller: it walks every queue, so asking it per queue made a summary of a center
/// of Q queues cost Q² (seconds for 20,000 queues, once for the totals and again for each
/// replication's row: most of the time a Ctrl-C took to write a partial run, issue 25).
fn queue_summary(sc: &Scenario, q: &QueueStats, c: &QueueChat, uses_routing: bool) -> QueueSummary {
    QueueSummary {
        arrived: q.arrived,
        answered: q.answered,
        abandoned: q.abandoned,
        short_abandoned: sc.short_abandon.map(|_| q.short_abandoned),
        wait_s: queue_wait(q, &c.transfer_wait),
        transferred_in: c.transferred_in,
        service_level: q.service_level(sc.service_level_definition),
        overflowed: uses_routing.then_some(q.overflowed),
    }
}

/// A queue's waits: its arrivals' first waits together with the waits of conversations
/// transferred in (exactly the first-wait figures when there were none).
fn queue_wait(q: &QueueStats, t: &Durations) -> QueueWait {
    if t.n == 0 {
        return QueueWait {
            mean: q.wait_mean_s(),
            p90: q.wait_quantile_s(0.9),
        };
    }
    let n = q.answered + t.n;
    let sum = q.wait_sum_ms + t.sum_ms;
    let mut h = q.wait.clone();
    crate::metrics::add_histogram(&mut h, &t.hist);
    let max = q.wait_max_ms.max(t.max_ms);
    QueueWait {
        mean: Some(sum as f64 / n as f64 / 1000.0),
        p90: hdr_quantile(&h, 0.9, max).map(|ms| ms as f64 / 1000.0),
    }
}

/// Builds the summary of a run (thresholds evaluated, `by_replication` filled): the run-wide
/// figures from its totals, `ci95` and `by_replication` from what it kept of each replication
/// (its whole [`crate::metrics::RepMetrics`], or its `by_replication` element already made by [`rep_row`]).
pub fn build<R: PerReplication>(sc: &Scenario, out: &RunOutput<R>) -> Summary {
    let mut summary = build_from(sc, &out.totals, out.wall_s);
    summary.seed = Some(out.seed);
    summary.replications = out.replications;
    summary.partial = out.partial;
    summary.replications_finished = out.partial.then_some(out.totals.finished);
    if let Some(note) = drain_note(sc, &summary) {
        summary.notes.push(note);
    }
    summary.by_replication_left_out = RepLeftOut::of(sc);
    if let Some(left) = &summary.by_replication_left_out {
        summary.notes.push(left.note());
    }
    let rows: Vec<std::borrow::Cow<'_, RepSummary>> =
        out.reps.iter().map(|r| r.by_replication(sc)).collect();
    summary.ci95 = super::summary_ci::ci95(sc, &summary, &rows);
    // Thresholds before `by_replication`: their lookups serialize the summary, without the
    // per-replication part.
    summary.thresholds = evaluate_thresholds(sc, &summary);
    summary.by_replication = rows.into_iter().map(|r| r.into_owned()).collect();
    summary
}

/// The summary of the replications folded into `t`, without seed, replication count,
/// partial marks, `ci95`, thresholds or `by_replication`.
pub(super) fn build_from(sc: &Scenario, t: &RunTotals, wall_s: f64) -> Summary {
    build_with(sc, t, wall_s, true)
}

/// [`build_from`], its `agent_groups` left empty unless `groups` (a `by_replication` row of a
/// run of too many groups: not built only to be dropped).
pub(super) fn build_with(sc: &Scenario, t: &RunTotals, wall_s: f64, groups: bool) -> Summary {
    // The folded figures are read in place: a replication records every queue of the
    // scenario, so only totals with no replication folded in (a run stopped before any ended)
    // are padded, with empty figures. (Copying them, histograms and all, cost 2% of a
    // one-replication run's instructions; issue 28.)
    let n = sc.queues.len();
    let total = &t.total;
    let queues: Cow<'_, [QueueStats]> = if t.queues.len() >= n {
        Cow::Borrowed(&t.queues[..n])
    } else {
        let mut q = t.queues.clone();
        q.resize_with(n, QueueStats::default);
        Cow::Owned(q)
    };
    let mut violations = vec![0u64; RuleId::ALL.len()];
    for (a, b) in violations.iter_mut().zip(&t.violations) {
        *a += b;
    }
    let actions = t.actions;
    let (refused, in_system, used, staffed) = (
        t.refused,
        t.in_system_at_end,
        t.used_unit_ms,
        t.staffed_unit_ms,
    );
    let (over_events, over_agents, over_max, over_unit_ms, over_ms) = (
        t.over_events,
        t.over_agents,
        t.over_max_units,
        t.over_unit_ms,
        t.over_ms,
    );
    let (joins, n_agent, n_customer, commands, invariants) = (
        t.joins,
        t.notify_agent,
        t.notify_customer,
        t.commands,
        t.invariant_violations,
    );
    let reaction = &t.reaction;
    let decision = &t.decision_ns;
    let reaction_max = t.reaction_max_ms;
    let mut policies: BTreeMap<String, PolicyStats> = BTreeMap::new();
    let end_ms = t.end.as_millis();
    let chat: Cow<'_, ChatStats> = if t.chat.queues.len() >= n {
        Cow::Borrowed(&t.chat)
    } else {
        let mut c = ChatStats::new(n);
        c.merge(&t.chat);
        Cow::Owned(c)
    };
    let routing = &t.routing;
    let uses_routing = crate::sim::setup::uses_routing(sc);
    for s in &t.sources {
        let p = policies
            .entry(s.name.clone())
            .or_insert_with(|| PolicyStats {
                accepted: 0,
                refused: 0,
                skipped_no_agent: 0,
                given_up: 0,
                by_rule: BTreeMap::new(),
            });
        p.accepted += s.accepted;
        p.skipped_no_agent += s.skipped;
        p.given_up += s.given_up;
        for (i, n) in s.refused.iter().enumerate().filter(|(_, n)| **n > 0) {
            p.refused += n;
            *p.by_rule
                .entry(RuleId::ALL[i].as_str().to_string())
                .or_default() += n;
        }
    }
    let mut supervisor_actions: BTreeMap<String, u64> = ACTION_KINDS
        .iter()
        .zip(actions)
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    supervisor_actions.insert("refused".into(), refused);
    let def = sc.service_level_definition;
    // The sum of the replications' arrivals, each exact in an f64 (as the per-replication sum
    // of earlier versions was).
    let conversations_per_s = if wall_s > 0.0 {
        total.arrived as f64 / wall_s
    } else {
        0.0
    };
    Summary {
        format: FORMAT.into(),
        omnisim_version: env!("CARGO_PKG_VERSION").into(),
        scenario: sc.name.clone(),
        seed: Some(0),
        replications: t.count,
        partial: t.partial(),
        replications_finished: None,
        simulated_s: secs(end_ms as u128),
        conversations: Conversations {
            arrived: total.arrived,
            answered: total.answered,
            abandoned: total.abandoned,
            short_abandoned: sc.short_abandon.map(|_| total.short_abandoned),
            delayed: total.delayed,
            closed: total.closed,
            in_system_at_end: in_system,
            released: total.released,
            retrials: chat.retrials(),
            transferred: chat.moved,
            overflowed: uses_routing.then_some(total.overflowed),
        },
        customers: total.arrived - chat.retrials().min(total.arrived),
        handle_s: HandleTime {
            mean: chat.handle.mean_s(),
            p50: chat.handle.quantile_s(0.5),
            p90: chat.handle.quantile_s(0.9),
        },
        invitations: chat.invitations,
        wait_s: Wait {
            mean: total.wait_mean_s(),
            p50: total.wait_quantile_s(0.5),
            p90: total.wait_quantile_s(0.9),
            p99: total.wait_quantile_s(0.99),
            max: total.wait_max_s(),
        },
        service_level: ServiceLevel {
            threshold_s: sc.service_level.as_secs_f64(),
            fraction: total.service_level(def),
            definition: (def != SlDefinition::default()).then(|| def.as_str().to_string()),
        },
        abandonment_rate: total.abandonment_rate(),
        occupancy: (staffed > 0).then(|| used as f64 / staffed as f64),
        overallocation: Overallocation {
            events: over_events,
            agents: over_agents,
            max_units: over_max as u64,
            unit_seconds: over_unit_ms as f64 / 1000.0,
            time_s: over_ms as f64 / 1000.0,
        },
        rule_violations: RuleViolations {
            total: violations.iter().sum(),
            by_rule: RuleId::ALL
                .iter()
                .zip(&violations)
                .map(|(r, n)| (r.as_str().to_string(), *n))
                .collect(),
        },
        invariant_violations: invariants,
        supervisor_actions,
        supervisor_reaction_s: Reaction {
            count: reaction.len(),
            mean: (!reaction.is_empty()).then(|| reaction.mean() / 1000.0),
            p90: hdr_quantile(reaction, 0.9, reaction_max).map(|ms| ms as f64 / 1000.0),
            max: (!reaction.is_empty()).then(|| reaction_max as f64 / 1000.0),
        },
        joins: Joins {
            count: joins,
            notified_agent: n_agent,
            notified_customer: n_customer,
        },
        policies,
        engine: EngineStats {
            commands,
            decision_ns: DecisionNs {
                p50: hdr_quantile(decision, 0.5, decision.max()),
                p99: hdr_quantile(decision, 0.99, decision.max()),
                max: (!decision.is_empty()).then(|| decision.max()),
            },
            wall_s,
            conversations_per_s,
        },
        ci95: Ci95 {
            wait_mean_s: None,
            service_level: None,
            abandonment_rate: None,
        },
        queues: sc
            .queues
            .iter()
            .zip(queues.iter())
            .zip(&chat.queues)
            .map(|((spec, q), c)| (spec.name.clone(), queue_summary(sc, q, c, uses_routing)))
            .collect(),
        agent_groups: if groups {
            agent_groups(sc, &t.agents)
        } else {
            BTreeMap::new()
        },
        thresholds: Vec::new(),
        routing: uses_routing.then(|| RoutingSummary {
            unmatched: routing.unmatched,
            by_rule: sc
                .queues
                .iter()
                .enumerate()
                .flat_map(|(qi, q)| {
                    q.assignment_rules.iter().enumerate().map(move |(ri, r)| {
                        (
                            format!("{}/{}", q.name, r.name),
                            routing.assigned_by(qi, ri),
                        )
                    })
                })
                .collect(),
        }),
        overflow: uses_routing.then(|| OverflowSummary {
            ended: routing.ended,
            transferred: routing.transferred,
            callbacks: routing.callbacks,
            by_queue: sc
                .queues
                .iter()
                .enumerate()
                .filter(|(_, q)| !q.overflow.is_empty())
                .map(|(i, q)| {
                    let k = routing.by_queue.get(i).copied().unwrap_or([0; 3]);
                    (
                        q.name.clone(),
                        OverflowByKind {
                            out_of_hours: k[0],
                            work_items_over: k[1],
                            waited_over: k[2],
                        },
                    )
                })
                .collect(),
        }),
        by_replication_left_out: None,
        by_replication: Vec::new(),
        notes: Vec::new(),
    }
}

/// The note of a run that ended with conversations still live (`in_system_at_end` > 0, not
/// interrupted): the run lasted to the end of the drain (`horizon + drain_limit`), and they
/// count as neither answered nor abandoned; they were either still being handled at the cut or
/// never served (a twenty-third tester: the note named only the second, for calls answered and
/// cut mid-handling). `None` otherwise.
pub fn drain_note(sc: &Scenario, summary: &Summary) -> Option<String> {
    let n = summary.conversations.in_system_at_end;
    if n == 0 || summary.partial {
        return None;
    }
    let (verb, them) = if n == 1 {
        ("was", "it")
    } else {
        ("were", "them")
    };
    Some(format!(
        "{} {verb} still in the system at the end of the drain ({} s after the horizon, `drain_limit`): \
         counted in `in_system_at_end`, neither answered nor abandoned, and the run lasted to \
         the drain's end. Either an agent was still handling {them} at the cut (a handling, \
         wrap-up or Waiting spell longer than what was left of the drain), or nobody served \
         {them}: a queue whose members are off shift, or no member at all; a conversation \
         transferred at the end of handling never abandons in its new queue (its patience was \
         for the first answer), nor does one whose work stream has no `patience`",
        crate::text::plural(n, "conversation"),
        crate::text::seconds(sc.drain_limit.as_millis())
    ))
}

/// Looks up a dotted path (`queues.billing.wait_s.p90`) in the summary as a number. Queue names
/// may contain dots: the longest matching key wins at each level.
/// Only the field the path starts with is turned into JSON (`report::summary_field`).
pub fn lookup(summary: &Summary, path: &str) -> Option<f64> {
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    if let Some(v) = super::summary_field::field(summary, head) {
        return lookup_value(&v, rest);
    }
    let v = serde_json::to_value(summary).ok()?;
    lookup_value(&v, path)
}

/// [`lookup`] of each of `paths`, the summary turned into JSON once (not once per path: a
/// report of many agent groups looks up as many paths, issue 25 seventh pass).
pub fn lookup_many<S: AsRef<str>>(summary: &Summary, paths: &[S]) -> Vec<Option<f64>> {
    match serde_json::to_value(summary) {
        Ok(v) => paths.iter().map(|p| lookup_value(&v, p.as_ref())).collect(),
        Err(_) => vec![None; paths.len()],
    }
}

/// [`lookup`] on a summary (or one `by_replication` element) already turned into JSON. A key in
/// double quotes is taken whole (`policies."sup/p".given_up`); an unquoted run of keys matches
/// a key holding dots, the longest first (`crate::text::path`).
pub fn lookup_value(v: &serde_json::Value, path: &str) -> Option<f64> {
    let keys = crate::text::path::split(path).ok()?;
    crate::text::path::resolve(v, &keys)?.as_f64()
}

/// Evaluates the scenario's thresholds against a summary.
pub fn evaluate_thresholds(sc: &Scenario, summary: &Summary) -> Vec<ThresholdResult> {
    sc.thresholds
        .iter()
        .map(|t| {
            let value = lookup(summary, &t.metric);
            let passed = value.is_some_and(|v| t.passes(v));
            ThresholdResult {
                metric: t.metric.clone(),
                min: t.min,
                max: t.max,
                value,
                passed,
            }
        })
        .collect()
}

#[cfg(test)]
mod walks;
