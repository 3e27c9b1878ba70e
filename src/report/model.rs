//! [`Report`]: the one model every human-facing report renders, built once from a scenario and
//! a run.
//!
//! It holds the [`Summary`] (what `summary.json` says) plus what the summary has no room for:
//! the 15-minute time series per queue ([`SeriesRow`]), per-agent figures ([`AgentRow`]) and rule
//! violations by rule and by policy ([`RuleCount`], [`SourceRow`]). Every number a renderer shows
//! is computed here; the renderers only format.

use std::collections::BTreeMap;

use crate::metrics::{Interval, LogHistogram, SlCounts, INTERVAL};
use crate::model::AgentId;
use crate::scenario::Scenario;
use crate::sim::{RunOutput, RunTotals};

use super::summary::{self, PerReplication, Summary};

/// The service-level target shown when a scenario sets no threshold on
/// `service_level.fraction`: the contact-center convention of 80% (as in "80/20").
pub const CONVENTIONAL_SL_TARGET: f64 = 0.8;

/// Everything the terminal, CSV and HTML reports show.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The `summary.json` model.
    pub summary: Summary,
    /// Length of one series interval in seconds (900).
    pub interval_s: f64,
    /// Warm-up in seconds: intervals before it include conversations the summary does not count.
    pub warmup_s: f64,
    /// Arrivals end here, in seconds.
    pub horizon_s: f64,
    /// `[scenario] start` when the scenario sets one: chart axes then show local clock times
    /// (and days of week beyond one day) instead of time since 0.
    pub calendar: Option<crate::calendar::Calendar>,
    /// Queue names, in scenario order (the order of each interval's rows in `series`).
    pub queues: Vec<String>,
    /// The service-level target: the `min` of a threshold on `service_level.fraction`, or
    /// [`CONVENTIONAL_SL_TARGET`] when the scenario sets none (see `service_level_target_set`).
    pub service_level_target: f64,
    /// Whether `service_level_target` comes from a threshold of the scenario.
    pub service_level_target_set: bool,
    /// Whether a chat work stream (`live_chat`, `persistent_chat`, `messaging`) sets one of
    /// the contract's "Chat behaviour" keys (`concurrency_slowdown`, `retrial`, `transfer`):
    /// the terminal then names its customers, retrials and transfers line "Chat behaviour",
    /// otherwise (voice, entity records, no such key) "Customers".
    pub chat_behaviour: bool,
    /// One row per (interval, queue), interval-major, pooled over replications.
    pub series: Vec<SeriesRow>,
    /// One row per agent, in id order, summed over replications.
    pub agents: Vec<AgentRow>,
    /// Refusals by rule id, non-zero only, most first (ties by rule id).
    pub violations_by_rule: Vec<RuleCount>,
    /// Actions and refusals by policy or script line, in name order.
    pub sources: Vec<SourceRow>,
    /// The replayed dashboard's event log, when the run recorded one.
    pub dashboard: Option<DashboardLog>,
}

/// The dashboard's event log as the page embeds it.
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardLog {
    /// The serialized [`crate::sim::DashLog`].
    pub json: String,
    /// Its replication, 1-based.
    pub replication: u32,
    /// The first moment of its window, in seconds (0: the start).
    pub from_s: f64,
    /// The last moment it covers, in seconds.
    pub until_s: f64,
    /// Whether it stops before the run's end.
    pub truncated: bool,
    /// Whether the event cap (rather than the window's end) cut it short.
    pub capped: bool,
}

/// One (15-minute interval, queue) cell of the time series, pooled over replications.
///
/// Counts are events that happened in the interval (an answer counts in the interval of its
/// accept, not of its arrival), warm-up included.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesRow {
    /// Start of the interval, in seconds since the start of the run.
    pub start_s: f64,
    /// The queue's name.
    pub queue: String,
    /// Conversations that arrived.
    pub arrived: u64,
    /// Conversations accepted for the first time.
    pub answered: u64,
    /// Conversations abandoned.
    pub abandoned: u64,
    /// The service level of the conversations answered or abandoned in the interval, under the
    /// scenario's definition; `None` when its denominator is 0.
    pub service_level: Option<f64>,
    /// 90th percentile of the waits of conversations answered in the interval, in seconds
    /// (log-bucketed, ≤ 9% high, never above the interval's largest wait); `None` when nothing
    /// was answered.
    pub wait_p90_s: Option<f64>,
    /// Time-averaged number of Open conversations in the queue.
    pub queue_len_mean: f64,
    /// Units held ÷ units staffed, center-wide (the same on every queue's row); `None` when
    /// nobody was on shift.
    pub occupancy: Option<f64>,
    /// Time-averaged units above capacity, center-wide (the same on every queue's row).
    pub overallocated_units: f64,
}

/// What one agent did, summed over replications.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentRow {
    /// `<group>-<k>`, or a roster agent's own name.
    pub name: String,
    /// Conversations accepted, picked or transferred to them by a supervisor.
    pub conversations: u64,
    /// Seconds holding any units.
    pub busy_s: f64,
    /// Units above capacity × seconds.
    pub over_unit_s: f64,
    /// Seconds above capacity.
    pub over_s: f64,
    /// Overallocation events.
    pub over_events: u64,
    /// Invitations rejected or timed out.
    pub refusals: u64,
}

/// A rule id and how many commands it refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule id (`ASSIGN-STATE`).
    pub rule: String,
    /// Refusals.
    pub count: u64,
}

/// One policy's or script line's actions and refusals.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRow {
    /// `supervisor/policy` or `supervisor/script[n]`.
    pub name: String,
    /// Actions accepted.
    pub accepted: u64,
    /// Actions refused.
    pub refused: u64,
    /// Refusals by rule, non-zero only, most first.
    pub by_rule: Vec<RuleCount>,
}

impl Report {
    /// Builds the report of a run: the summary (thresholds evaluated) and everything derived.
    pub fn build<R: PerReplication>(sc: &Scenario, out: &RunOutput<R>) -> Report {
        Report::from_summary(sc, out, summary::build(sc, out))
    }

    /// Builds the report around an already built summary.
    pub fn from_summary<R>(sc: &Scenario, out: &RunOutput<R>, summary: Summary) -> Report {
        let violations_by_rule = sorted_counts(&summary.rule_violations.by_rule);
        let sources = summary
            .policies
            .iter()
            .map(|(name, p)| SourceRow {
                name: name.clone(),
                accepted: p.accepted,
                refused: p.refused,
                by_rule: sorted_counts(&p.by_rule),
            })
            .collect();
        Report {
            interval_s: INTERVAL.as_secs_f64(),
            warmup_s: sc.warmup.as_secs_f64(),
            horizon_s: sc.horizon.as_secs_f64(),
            calendar: (sc.calendar != crate::calendar::Calendar::default()).then_some(sc.calendar),
            queues: sc.queues.iter().map(|q| q.name.clone()).collect(),
            service_level_target: sl_target(sc).unwrap_or(CONVENTIONAL_SL_TARGET),
            service_level_target_set: sl_target(sc).is_some(),
            chat_behaviour: chat_behaviour(sc),
            series: series(sc, &out.totals),
            agents: agents(sc, &out.totals),
            violations_by_rule,
            sources,
            dashboard: out.dashboard.as_ref().map(|d| DashboardLog {
                json: d.to_json(),
                replication: d.replication,
                from_s: d.from_ms as f64 / 1000.0,
                until_s: d.until_ms as f64 / 1000.0,
                truncated: d.truncated,
                capped: d.capped,
            }),
            summary,
        }
    }

    /// The rows of one queue (by index in [`Report::queues`]), in time order.
    pub fn queue_series(&self, queue: usize) -> impl Iterator<Item = &SeriesRow> {
        let n = self.queues.len().max(1);
        self.series.iter().skip(queue).step_by(n)
    }

    /// Every interval's center-wide row (the first queue's), in time order.
    pub fn center_series(&self) -> impl Iterator<Item = &SeriesRow> {
        self.queue_series(0)
    }
}

/// Whether a chat work stream uses a chat-behaviour key (see [`Report::chat_behaviour`]).
fn chat_behaviour(sc: &Scenario) -> bool {
    use crate::model::Channel;
    sc.workstreams.iter().any(|w| {
        let chat = matches!(
            w.rules.channel,
            Channel::LiveChat | Channel::PersistentChat | Channel::Messaging
        );
        chat && (w.concurrency_slowdown.is_some() || w.retrial.is_some() || w.transfer.is_some())
    })
}

fn sorted_counts(m: &BTreeMap<String, u64>) -> Vec<RuleCount> {
    let mut v: Vec<RuleCount> = m
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(rule, n)| RuleCount {
            rule: rule.clone(),
            count: *n,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.rule.cmp(&b.rule)));
    v
}

fn sl_target(sc: &Scenario) -> Option<f64> {
    sc.thresholds
        .iter()
        .filter(|t| t.metric == "service_level.fraction")
        .find_map(|t| t.min)
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

fn series(sc: &Scenario, t: &RunTotals) -> Vec<SeriesRow> {
    let n_int = t
        .intervals
        .len()
        .max(t.interval_used.len())
        .max(t.interval_staffed.len())
        .max(t.interval_over.len());
    let iv_ms = INTERVAL.as_millis() as f64;
    let n_reps = t.count.max(1) as f64;
    let at = |v: &Vec<i128>, i: usize| v.get(i).copied().unwrap_or(0);
    let mut rows = Vec::with_capacity(n_int * sc.queues.len());
    for i in 0..n_int {
        let (used, staffed, over) = (
            at(&t.interval_used, i),
            at(&t.interval_staffed, i),
            at(&t.interval_over, i),
        );
        let occupancy = ratio(used as f64, staffed as f64);
        let overallocated_units = over as f64 / iv_ms / n_reps;
        for (q, spec) in sc.queues.iter().enumerate() {
            let mut cell = Interval::default();
            let mut wait = LogHistogram::default();
            if let Some(c) = t.intervals.get(i).and_then(|row| row.get(q)) {
                cell.arrived += c.arrived;
                cell.answered += c.answered;
                cell.abandoned += c.abandoned;
                cell.short_abandoned += c.short_abandoned;
                cell.answered_in_sl += c.answered_in_sl;
                cell.queue_len_ms += c.queue_len_ms;
                wait.merge(&c.wait);
            }
            rows.push(SeriesRow {
                start_s: i as f64 * iv_ms / 1000.0,
                queue: spec.name.clone(),
                arrived: cell.arrived,
                answered: cell.answered,
                abandoned: cell.abandoned,
                service_level: SlCounts {
                    arrived: cell.arrived,
                    answered: cell.answered,
                    answered_in_sl: cell.answered_in_sl,
                    abandoned: cell.abandoned,
                    short_abandoned: cell.short_abandoned,
                }
                .service_level(sc.service_level_definition),
                wait_p90_s: wait.quantile(0.9).map(|ms| ms as f64 / 1000.0),
                queue_len_mean: cell.queue_len_ms as f64 / iv_ms / n_reps,
                occupancy,
                overallocated_units,
            });
        }
    }
    rows
}

fn agents(sc: &Scenario, totals: &RunTotals) -> Vec<AgentRow> {
    let mut names = agent_names(sc, totals.agents.len());
    (0..totals.agents.len())
        .map(|a| {
            let t = &totals.agents[a];
            AgentRow {
                name: names
                    .next()
                    .unwrap_or_else(|| sc.agent_name(AgentId(a as u32))),
                conversations: t.conversations,
                busy_s: t.busy_ms as f64 / 1000.0,
                over_unit_s: t.over_unit_ms as f64 / 1000.0,
                over_s: t.over_ms as f64 / 1000.0,
                over_events: t.over_events,
                refusals: t.refusals,
            }
        })
        .collect()
}

/// The names of agents `0..n` in order, as [`Scenario::agent_name`] gives them one by one,
/// group after group (groups hold consecutive ids in order): no search per agent.
fn agent_names(sc: &Scenario, n: usize) -> impl Iterator<Item = String> + '_ {
    let mut next = 0u32;
    let groups = sc.agent_groups.iter().filter(|g| g.count > 0);
    groups
        .flat_map(move |g| {
            // An id before this group's first (none in a valid scenario) is named as
            // `agent_name` names an agent of no group.
            let gap = (next..g.first.0).map(|a| format!("agent#{a}"));
            next = g.first.0.saturating_add(g.count);
            let own = (0..g.count).map(move |k| match &g.roster {
                Some(r) => r.name.clone(),
                None => format!("{}-{}", g.name, k + 1),
            });
            gap.chain(own)
        })
        .take(n)
}
