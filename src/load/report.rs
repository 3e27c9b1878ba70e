//! [`LoadReport`]: the model of `load.json`, built from the merged task measurements and the
//! final engine state; and the threshold checks on its paths (`super::paths`).

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::engine::RuleId;
use crate::metrics::{hdr_quantile, RoutingCounts};
use crate::scenario::Scenario;

use super::paths::{is_latency_path, lookup, LoadThreshold};
use super::stats::{TaskStats, KINDS};

/// Latency percentiles in microseconds, measured from when each command was due (an unapplied
/// command counts with its age when the run ended). Every figure is `None` (`null` in
/// `load.json`) when no command was recorded; no percentile exceeds the exact largest value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencyUs {
    /// Median.
    pub p50: Option<u64>,
    /// 90th percentile.
    pub p90: Option<u64>,
    /// 99th percentile.
    pub p99: Option<u64>,
    /// 99.9th percentile.
    pub p999: Option<u64>,
    /// Largest (exact, not a bucket bound).
    pub max: Option<u64>,
    /// Mean, to 0.1 µs.
    pub mean: Option<f64>,
}

impl LatencyUs {
    /// The figures of a histogram whose exact largest value is `max_exact` (µs); all `None`
    /// when it is empty. Percentiles are HdrHistogram's (3 significant digits: within 0.1% of
    /// the true order statistic), clamped to `max_exact` by [`hdr_quantile`].
    pub fn of(h: &Histogram<u64>, max_exact: u64) -> LatencyUs {
        if h.is_empty() {
            return LatencyUs::default();
        }
        let q = |q| hdr_quantile(h, q, max_exact);
        LatencyUs {
            p50: q(0.5),
            p90: q(0.9),
            p99: q(0.99),
            p999: q(0.999),
            max: Some(max_exact),
            mean: Some((h.mean() * 10.0).round() / 10.0),
        }
    }
}

/// `Some(x)` as `x`, `None` as `—` (a figure with no data, in terminal output).
pub fn or_dash<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_string(), |x| x.to_string())
}

/// One command type's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CommandStats {
    /// Commands of this type the engine applied.
    pub count: u64,
    /// Commands of this type that fell due but were never applied before the run ended.
    pub unapplied: u64,
    /// Of the applied, refused.
    pub refused: u64,
    /// Their latency (applied and unapplied; `null` figures when there were none).
    pub latency_us: LatencyUs,
}

/// Conservation figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Conversations {
    /// Conversations that arrived.
    pub arrived: u64,
    /// That closed.
    pub closed: u64,
    /// Still live when the run stopped.
    pub in_system_at_end: u64,
}

/// `load.json`'s `policies."S/P"`: what one supervisor policy did, counted as `summary.json`'s
/// `policies` counts it (docs/load.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PolicyCounts {
    /// Actions the engine applied.
    pub accepted: u64,
    /// Actions the engine refused.
    pub refused: u64,
    /// Actions not sent because nobody usable was there, as `summary.json` counts them: one a
    /// tick at which nobody in a queue could take work (Offline, on a break, or full under
    /// `overallocation`), and one a conversation whose own pick found nobody.
    pub skipped_no_agent: u64,
    /// Conversations the policy stopped acting on after
    /// [`crate::policy::MAX_FAILED_ATTEMPTS`] failed attempts on each.
    pub given_up: u64,
}

/// How the run was driven.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Driver {
    /// The concurrency design: `"mutex-batched"`.
    pub design: String,
    /// Agent worker tasks.
    pub workers: usize,
    /// Supervisor policy tasks.
    pub supervisor_tasks: usize,
    /// Tokio runtime threads.
    pub threads: usize,
    /// Most commands applied per lock.
    pub batch: usize,
    /// Arrivals that fell due before the run ended (applied or not).
    pub offered_arrivals: u64,
    /// Supervisor policy ticks skipped because their task ran more than a period late.
    pub missed_policy_ticks: u64,
    /// Wall seconds from start to stop (arrivals plus drain).
    pub wall_s: f64,
}

/// The result of one threshold check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThresholdResult {
    /// The dotted path.
    pub metric: String,
    /// Smallest passing value.
    pub min: Option<f64>,
    /// Largest passing value.
    pub max: Option<f64>,
    /// The value found; `None` when the figure has no data.
    pub value: Option<f64>,
    /// Whether it passed.
    pub passed: bool,
    /// Why it failed when not by its value: `"no data"`, or that the run is partial (a
    /// latency threshold never passes on a partial run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `load.json`. See the contract for the fixed keys; `by_command`, `refused_by_rule`, `driver`
/// and `thresholds` are extra.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadReport {
    /// `"omnisim.load/1"`.
    pub format: &'static str,
    /// omnisim's version.
    pub omnisim_version: &'static str,
    /// The scenario's name.
    pub scenario: String,
    /// The starting (or constant) offered rate, conversations per second.
    pub rate_per_s: f64,
    /// `--ramp`'s stages after the start rate, in order: `{ "duration_s", "rate_per_s" }` (the
    /// rate reached at the stage's end); absent without `--ramp`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ramp: Vec<super::Stage>,
    /// Seconds of arrivals.
    pub duration_s: f64,
    /// Scenario time per wall time.
    pub speed: f64,
    /// Commands that fell due (arrivals, agents' answers, ends, closes, supervisor actions…):
    /// `commands + unapplied`.
    pub offered: u64,
    /// Engine commands applied (every one timed).
    pub commands: u64,
    /// Commands that fell due but were never applied before the run ended (the engine fell
    /// behind, or the run was interrupted). Each is in `latency_us` with its age at the end.
    pub unapplied: u64,
    /// `commands` over the wall time of the run.
    pub throughput_per_s: f64,
    /// Latency of all commands, applied and unapplied.
    pub latency_us: LatencyUs,
    /// Commands refused by a rule.
    pub refused: u64,
    /// Tasks that failed (a panic, reported on stderr); 0 in a sound run.
    pub errors: u64,
    /// True when the figures do not cover every command that fell due: a signal cut the run
    /// short, or `unapplied > 0`. A latency threshold never passes on a partial run.
    pub partial: bool,
    /// True when a signal cut the run short.
    pub interrupted: bool,
    /// Invariant breaks found in the final state.
    pub invariant_violations: u64,
    /// Whether `arrived = closed + in_system_at_end`.
    pub conservation_ok: bool,
    /// Conservation figures.
    pub conversations: Conversations,
    /// Per command type (every type in [`KINDS`]; `null` latencies for a type that never fell
    /// due).
    pub by_command: BTreeMap<String, CommandStats>,
    /// Refusals by rule id (only rules that refused).
    pub refused_by_rule: BTreeMap<String, u64>,
    /// How the run was driven.
    pub driver: Driver,
    /// Threshold checks, in the order given.
    pub thresholds: Vec<ThresholdResult>,
    /// Unified-routing figures as in `summary.json` (`unmatched`, `by_rule`: assignments per
    /// `queue/rule`), present when the scenario uses unified routing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing: Option<LoadRouting>,
    /// Per supervisor policy (`S/P`), its applied and refused actions and the conversations it
    /// gave up ([`PolicyCounts`]); absent when the scenario has no policy.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, PolicyCounts>,
    /// With `--engine`: where the latency went (round trips, engine time, network).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<super::remote::RemoteLatency>,
}

/// `load.json`'s `routing`: the shape of `summary.json`'s (`report::summary::RoutingSummary`),
/// kept here so the load driver does not import the report layer above it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadRouting {
    /// RT-SKILL: arrivals whose required skills no member of their queue holds.
    pub unmatched: u64,
    /// RT-RULESET: assignments made by each `queue/rule` (empty without assignment rules).
    pub by_rule: BTreeMap<String, u64>,
}

/// `load.json`'s `routing` from the counts every task merged: every assignment rule of every
/// queue by `queue/rule`, as `summary.json` names them.
pub(crate) fn routing_summary(sc: &Scenario, counts: &RoutingCounts) -> LoadRouting {
    LoadRouting {
        unmatched: counts.unmatched,
        by_rule: sc
            .queues
            .iter()
            .enumerate()
            .flat_map(|(qi, q)| {
                q.assignment_rules.iter().enumerate().map(move |(ri, r)| {
                    (format!("{}/{}", q.name, r.name), counts.assigned_by(qi, ri))
                })
            })
            .collect(),
    }
}

/// The per-type and per-rule parts of a report from merged task measurements.
pub(crate) fn breakdown(
    stats: &TaskStats,
) -> (BTreeMap<String, CommandStats>, BTreeMap<String, u64>) {
    let mut by_command = BTreeMap::new();
    for (k, name) in KINDS.iter().enumerate() {
        by_command.insert(
            (*name).to_string(),
            CommandStats {
                count: stats.applied[k],
                unapplied: stats.unapplied[k],
                refused: stats.refused_by_kind[k],
                latency_us: LatencyUs::of(&stats.latency[k], stats.max_us[k]),
            },
        );
    }
    let refused_by_rule = RuleId::ALL
        .iter()
        .zip(&stats.refused_by_rule)
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| (r.as_str().to_string(), *n))
        .collect();
    (by_command, refused_by_rule)
}

impl LoadReport {
    /// Checks thresholds against this report and stores the results. A figure with no data
    /// (`null`) fails with reason "no data"; a latency threshold fails on a partial run (some
    /// due commands were never applied, or the run was interrupted), whatever its value. A
    /// refusal count of a rule that never refused reads as 0.
    pub fn check(&mut self, thresholds: &[LoadThreshold]) {
        let v = serde_json::to_value(&*self).unwrap_or_default();
        let partial = self.partial;
        let unapplied = self.unapplied;
        self.thresholds = thresholds
            .iter()
            .map(|t| {
                let value = match lookup(&v, &t.metric) {
                    Some(x) => x,
                    None if t.metric.starts_with("refused_by_rule.") => Some(0.0),
                    None => None,
                };
                let (passed, reason) = match value {
                    None => (false, Some("no data".to_string())),
                    Some(_) if partial && is_latency_path(&t.metric) => (
                        false,
                        Some(if unapplied > 0 {
                            format!(
                                "partial run: {unapplied} due commands were never applied, \
                                 so no latency figure can pass"
                            )
                        } else {
                            "partial run: interrupted, so no latency figure can pass".to_string()
                        }),
                    ),
                    Some(x) => (t.passes(x), None),
                };
                ThresholdResult {
                    metric: t.metric.clone(),
                    min: t.min,
                    max: t.max,
                    value,
                    passed,
                    reason,
                }
            })
            .collect();
    }

    /// Whether the final state is sound: no invariant broke and conversations are conserved.
    pub fn sound(&self) -> bool {
        self.invariant_violations == 0 && self.conservation_ok && self.errors == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_histogram_is_null_and_percentiles_stay_under_the_max() {
        let h = super::super::stats::new_hist();
        let l = LatencyUs::of(&h, 0);
        assert_eq!(l, LatencyUs::default());
        let j = serde_json::to_value(l).unwrap();
        assert!(j["p99"].is_null() && j["max"].is_null() && j["mean"].is_null());
        let mut h = super::super::stats::new_hist();
        for v in [1_000u64, 2_000, 90_001] {
            h.record(v).unwrap();
        }
        assert!(
            h.value_at_quantile(0.99) > 90_001,
            "a bucket bound above the max"
        );
        let l = LatencyUs::of(&h, 90_001);
        assert_eq!(
            (l.p99, l.p999, l.max),
            (Some(90_001), Some(90_001), Some(90_001))
        );
        assert_eq!(or_dash(Some(7u64)), "7");
        assert_eq!(or_dash::<u64>(None), "—");
    }
}
