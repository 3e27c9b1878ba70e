//! [`LoadReport`]: the model of `load.json`, built from the merged task measurements and the
//! final engine state; and the threshold checks on its dotted paths.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::engine::RuleId;

use super::stats::{TaskStats, KINDS};

/// Latency percentiles in microseconds, measured from when each command was due.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencyUs {
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Largest.
    pub max: u64,
    /// Mean.
    pub mean: f64,
}

impl LatencyUs {
    /// The percentiles of a histogram (all zero when it is empty).
    pub fn of(h: &Histogram<u64>) -> LatencyUs {
        if h.is_empty() {
            return LatencyUs::default();
        }
        LatencyUs {
            p50: h.value_at_quantile(0.5),
            p90: h.value_at_quantile(0.9),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
            mean: (h.mean() * 10.0).round() / 10.0,
        }
    }
}

/// One command type's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CommandStats {
    /// Commands of this type handled.
    pub count: u64,
    /// Of which refused.
    pub refused: u64,
    /// Their latency.
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
    /// Arrivals the open-model schedule offered.
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
    /// The value found.
    pub value: f64,
    /// Whether it passed.
    pub passed: bool,
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
    /// Seconds of arrivals.
    pub duration_s: f64,
    /// Scenario time per wall time.
    pub speed: f64,
    /// Engine commands handled (every one timed).
    pub commands: u64,
    /// `commands` over the wall time of the run.
    pub throughput_per_s: f64,
    /// Latency of all commands.
    pub latency_us: LatencyUs,
    /// Commands refused by a rule.
    pub refused: u64,
    /// Tasks that failed (a panic, reported on stderr); 0 in a sound run.
    pub errors: u64,
    /// True when a signal cut the run short.
    pub partial: bool,
    /// Invariant breaks found in the final state.
    pub invariant_violations: u64,
    /// Whether `arrived = closed + in_system_at_end`.
    pub conservation_ok: bool,
    /// Conservation figures.
    pub conversations: Conversations,
    /// Per command type (only types that occurred).
    pub by_command: BTreeMap<String, CommandStats>,
    /// Refusals by rule id (only rules that refused).
    pub refused_by_rule: BTreeMap<String, u64>,
    /// How the run was driven.
    pub driver: Driver,
    /// Threshold checks, in the order given.
    pub thresholds: Vec<ThresholdResult>,
}

/// The per-type and per-rule parts of a report from merged task measurements.
pub(crate) fn breakdown(
    stats: &TaskStats,
) -> (BTreeMap<String, CommandStats>, BTreeMap<String, u64>) {
    let mut by_command = BTreeMap::new();
    for (k, name) in KINDS.iter().enumerate() {
        let h = &stats.latency[k];
        if !h.is_empty() {
            by_command.insert(
                (*name).to_string(),
                CommandStats {
                    count: h.len(),
                    refused: stats.refused_by_kind[k],
                    latency_us: LatencyUs::of(h),
                },
            );
        }
    }
    let refused_by_rule = RuleId::ALL
        .iter()
        .zip(&stats.refused_by_rule)
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| (r.as_str().to_string(), *n))
        .collect();
    (by_command, refused_by_rule)
}

/// A threshold that could not be read or names no path of `load.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdError(pub String);

impl std::fmt::Display for ThresholdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ThresholdError {}

/// A threshold on a `load.json` path, e.g. `latency_us.p99` or
/// `by_command.accept.latency_us.p99`: the scenario's [`Threshold`](crate::scenario::Threshold).
pub type LoadThreshold = crate::scenario::Threshold;

/// Reads `metric<=value` or `metric>=value` (as `--threshold` takes it).
pub fn parse_threshold(text: &str) -> Result<LoadThreshold, ThresholdError> {
    let (metric, op, value) = if let Some((m, v)) = text.split_once("<=") {
        (m, "<=", v)
    } else if let Some((m, v)) = text.split_once(">=") {
        (m, ">=", v)
    } else {
        return Err(ThresholdError(format!(
            "threshold {text:?}: expected METRIC<=VALUE or METRIC>=VALUE, e.g. latency_us.p99<=5000"
        )));
    };
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|_| ThresholdError(format!("threshold {text:?}: {value:?} is not a number")))?;
    let metric = metric.trim().to_string();
    Ok(if op == "<=" {
        LoadThreshold {
            metric,
            min: None,
            max: Some(value),
        }
    } else {
        LoadThreshold {
            metric,
            min: Some(value),
            max: None,
        }
    })
}

/// The numeric value at a dotted path of a JSON value.
pub fn lookup(v: &serde_json::Value, path: &str) -> Option<f64> {
    let mut cur = v;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    match cur {
        serde_json::Value::Bool(b) => Some(f64::from(u8::from(*b))),
        other => other.as_f64(),
    }
}

/// Whether `path` names a number of every `load.json` (paths under `by_command` and
/// `refused_by_rule` are accepted for any known command type or rule id).
pub fn is_load_path(path: &str) -> bool {
    let fixed = [
        "rate_per_s",
        "duration_s",
        "speed",
        "commands",
        "throughput_per_s",
        "refused",
        "errors",
        "invariant_violations",
        "conservation_ok",
        "conversations.arrived",
        "conversations.closed",
        "conversations.in_system_at_end",
        "driver.wall_s",
        "driver.offered_arrivals",
        "driver.missed_policy_ticks",
    ];
    const LAT: [&str; 6] = ["p50", "p90", "p99", "p999", "max", "mean"];
    if fixed.contains(&path) {
        return true;
    }
    if let Some(l) = path.strip_prefix("latency_us.") {
        return LAT.contains(&l);
    }
    if let Some(r) = path.strip_prefix("refused_by_rule.") {
        return RuleId::parse(r).is_some();
    }
    if let Some(rest) = path.strip_prefix("by_command.") {
        let Some((kind, field)) = rest.split_once('.') else {
            return false;
        };
        return KINDS.contains(&kind)
            && (field == "count"
                || field == "refused"
                || field
                    .strip_prefix("latency_us.")
                    .is_some_and(|l| LAT.contains(&l)));
    }
    false
}

impl LoadReport {
    /// Checks thresholds against this report and stores the results. A path the run did not
    /// produce (a command type that never occurred) reads as 0.
    pub fn check(&mut self, thresholds: &[LoadThreshold]) {
        let v = serde_json::to_value(&*self).unwrap_or_default();
        self.thresholds = thresholds
            .iter()
            .map(|t| {
                let value = lookup(&v, &t.metric).unwrap_or(0.0);
                let passed = t.passes(value);
                ThresholdResult {
                    metric: t.metric.clone(),
                    min: t.min,
                    max: t.max,
                    value,
                    passed,
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
    fn thresholds_parse_and_paths_are_known() {
        let t = parse_threshold("latency_us.p99<=5000").unwrap();
        assert_eq!(t.max, Some(5000.0));
        let t = parse_threshold("throughput_per_s >= 1e5").unwrap();
        assert_eq!((t.metric.as_str(), t.min), ("throughput_per_s", Some(1e5)));
        assert!(parse_threshold("p99 = 3").is_err());
        assert!(is_load_path("latency_us.p999"));
        assert!(is_load_path("by_command.accept.latency_us.p99"));
        assert!(is_load_path("refused_by_rule.ASSIGN-STATE"));
        assert!(!is_load_path("latency_us.p98"));
        assert!(!is_load_path("wait_s.p90"));
    }
}
