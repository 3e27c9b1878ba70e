//! Metric-by-metric comparison of two `summary.json` documents (pure: two JSON values in, rows
//! out). Rendering lives in [`compare_table`](super::compare_table), the tests in
//! [`compare_stats`](super::compare_stats).
//!
//! Every numeric leaf is compared under its dotted path (`queues.billing.wait_s.p90`; array
//! elements as `.0`, `.1`), except wall-clock figures under `engine`, the `seed`, the
//! `thresholds` list (its metrics are compared under their own paths) and `by_replication`
//! (the per-replication series the tests use). Counts (additive over replications: arrivals,
//! refusals, assignments by rule…) are compared per replication, so runs with different
//! replication counts compare. Whether a change is worse depends on the metric
//! ([`direction`]).
//!
//! A worse change is a regression when it is beyond the tolerance **and** statistically
//! significant: a two-sided t-test on the metric's per-replication values (paired when both
//! runs used the same seed, Welch's otherwise), with Holm–Bonferroni holding the family of
//! directional metrics to a 5 % false-alarm rate together. A metric without per-replication
//! values on both sides (a summary written before `by_replication`, or one replication) is
//! judged on its tolerance alone, and [`Comparison::warnings`] says so. A directional metric
//! that had a value in the baseline and has no data (`null`) now is a regression whatever the
//! test: a queue nobody answered any more must not read as "no regression".
//!
//! ```
//! use omnisim::report::compare::{compare, Tolerances};
//! let base = serde_json::json!({ "format": "omnisim.summary/1",
//!     "wait_s": { "mean": 10.0 }, "conversations": { "arrived": 5 } });
//! let cur = serde_json::json!({ "format": "omnisim.summary/1",
//!     "wait_s": { "mean": 12.0 }, "conversations": { "arrived": 9 } });
//! let rows = compare(&base, &cur, &Tolerances::new(5.0)).unwrap();
//! assert!(rows.iter().any(|r| r.metric == "wait_s.mean" && r.regression));
//! assert!(rows.iter().all(|r| r.metric != "conversations.arrived" || !r.regression));
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

use super::compare_stats::{holm, t_test, TTest, TestKind};

/// The family-wise false-alarm rate of the regression tests.
pub const ALPHA: f64 = 0.05;

/// Which way a metric gets worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Higher is worse (waits, abandons, violations…).
    HigherIsWorse,
    /// Lower is worse (service level, answered).
    LowerIsWorse,
    /// Informational: never a regression (counts, configuration, intervals).
    Info,
}

/// The direction of a dotted summary path.
pub fn direction(path: &str) -> Direction {
    use Direction::*;
    let segs: Vec<&str> = path.split('.').collect();
    let first = segs[0];
    let last = *segs.last().unwrap_or(&"");
    if first == "ci95" || last == "threshold_s" {
        return Info;
    }
    match first {
        "wait_s"
        | "handle_s"
        | "abandonment_rate"
        | "overallocation"
        | "rule_violations"
        | "invariant_violations"
        | "supervisor_reaction_s" => return if last == "count" { Info } else { HigherIsWorse },
        "service_level" => return LowerIsWorse,
        "conversations" => {
            return match last {
                "abandoned" | "in_system_at_end" | "overflowed" => HigherIsWorse,
                "answered" => LowerIsWorse,
                _ => Info,
            }
        }
        "supervisor_actions" if last == "refused" => return HigherIsWorse,
        // Unified routing: conversations ended by overflow or that nobody can ever serve.
        "overflow" if last == "ended" => return HigherIsWorse,
        "routing" if last == "unmatched" => return HigherIsWorse,
        "policies" if last == "refused" || path.contains(".by_rule.") => return HigherIsWorse,
        "queues" => {
            // queues.NAME.… : the queue name may hold dots, so look at the tail.
            if path.ends_with(".abandoned")
                || path.ends_with(".overflowed")
                || path.contains(".wait_s.")
            {
                return HigherIsWorse;
            }
            if path.ends_with(".service_level") || path.ends_with(".answered") {
                return LowerIsWorse;
            }
            return Info;
        }
        _ => {}
    }
    Info
}

/// Tolerances in percent: a default and per-metric overrides.
#[derive(Clone, Debug, PartialEq)]
pub struct Tolerances {
    /// Applies to metrics without an override.
    pub default_pct: f64,
    /// By metric path, or by a prefix of whole segments (`wait_s` covers `wait_s.p90`); the
    /// longest match wins.
    pub per_metric: BTreeMap<String, f64>,
}

impl Tolerances {
    /// A default tolerance and no overrides.
    pub fn new(default_pct: f64) -> Self {
        Tolerances {
            default_pct,
            per_metric: BTreeMap::new(),
        }
    }

    /// The tolerance of `metric`, in percent.
    pub fn for_metric(&self, metric: &str) -> f64 {
        self.per_metric
            .iter()
            .filter(|(k, _)| {
                metric == k.as_str()
                    || (metric.starts_with(k.as_str()) && metric[k.len()..].starts_with('.'))
            })
            .max_by_key(|(k, _)| k.len())
            .map_or(self.default_pct, |(_, v)| *v)
    }
}

/// Reads a percentage: `"5%"`, `"5"` (both 5 %), `"0.5%"`. Negative or non-finite is an error.
pub fn parse_pct(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let n = t.strip_suffix('%').unwrap_or(t).trim();
    match n.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "{text:?} is not a percentage (expected e.g. \"5%\")"
        )),
    }
}

/// One metric's comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The dotted path.
    pub metric: String,
    /// The baseline's value (`None`: absent there, or no data: see `base_no_data`).
    pub base: Option<f64>,
    /// The current value (`None`: absent there, or no data: see `current_no_data`).
    pub current: Option<f64>,
    /// The baseline has the metric, with no data (`null`).
    pub base_no_data: bool,
    /// The current summary has the metric, with no data (`null`).
    pub current_no_data: bool,
    /// Which way is worse.
    pub direction: Direction,
    /// The tolerance applied, in percent.
    pub tolerance_pct: f64,
    /// Worse beyond the tolerance and significant (or, untested, beyond the tolerance alone),
    /// or a directional metric that lost its data.
    pub regression: bool,
    /// A count shown per replication (`base` and `current` are the summary's ÷ its
    /// `replications`).
    pub per_replication: bool,
    /// The t-test on the per-replication values; `None` without them on both sides.
    pub test: Option<TTest>,
    /// Significant after Holm–Bonferroni within its family (directional metrics together,
    /// informational ones together).
    pub significant: bool,
}

impl Row {
    /// current − base, when both exist.
    pub fn change(&self) -> Option<f64> {
        Some(self.current? - self.base?)
    }

    /// The change relative to |base|, in percent; `None` when absent or base is 0 (and the
    /// change is not).
    pub fn change_pct(&self) -> Option<f64> {
        let (b, d) = (self.base?, self.change()?);
        if d == 0.0 {
            Some(0.0)
        } else if b == 0.0 {
            None
        } else {
            Some(d / b.abs() * 100.0)
        }
    }

    /// Whether the change goes the worse way (at all).
    pub fn worse(&self) -> bool {
        match (self.direction, self.change()) {
            (Direction::HigherIsWorse, Some(d)) => d > 0.0,
            (Direction::LowerIsWorse, Some(d)) => d < 0.0,
            _ => false,
        }
    }

    /// A directional metric with a value in the baseline and no data now: a regression
    /// whatever the tolerance.
    pub fn lost_data(&self) -> bool {
        self.base.is_some() && self.current_no_data && self.direction != Direction::Info
    }

    /// Whether the change goes the better way.
    pub fn better(&self) -> bool {
        match (self.direction, self.change()) {
            (Direction::HigherIsWorse, Some(d)) => d < 0.0,
            (Direction::LowerIsWorse, Some(d)) => d > 0.0,
            _ => false,
        }
    }
}

/// Why two documents cannot be compared.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CompareError {
    /// The document is not a JSON object: pass a `summary.json`.
    #[error("{which}: expected a summary.json object")]
    NotAnObject {
        /// `baseline` or `current`.
        which: &'static str,
    },
    /// The `format` tag is not a summary's: pass the `summary.json` a run wrote.
    #[error("{which}: format is {found:?}, expected \"omnisim.summary/1\"")]
    WrongFormat {
        /// `baseline` or `current`.
        which: &'static str,
        /// The format found.
        found: String,
    },
}

fn check(which: &'static str, v: &Value) -> Result<(), CompareError> {
    let obj = v.as_object().ok_or(CompareError::NotAnObject { which })?;
    match obj.get("format") {
        None => Err(CompareError::WrongFormat {
            which,
            found: "nothing (no \"format\" key)".into(),
        }),
        Some(Value::String(f)) if f.starts_with("omnisim.summary/") => Ok(()),
        Some(other) => Err(CompareError::WrongFormat {
            which,
            found: other
                .as_str()
                .map_or_else(|| other.to_string(), String::from),
        }),
    }
}

/// Every numeric leaf by dotted path (`null` leaves as `None`: a figure without data), skipping
/// `engine`, `seed` and `thresholds` at the top.
pub fn flatten(v: &Value) -> BTreeMap<String, Option<f64>> {
    fn walk(v: &Value, path: &str, out: &mut BTreeMap<String, Option<f64>>) {
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            Value::Number(n) => {
                if let Some(x) = n.as_f64() {
                    out.insert(path.to_string(), Some(x));
                }
            }
            Value::Null if !path.is_empty() => {
                out.insert(path.to_string(), None);
            }
            Value::Object(m) => {
                for (k, child) in m {
                    if path.is_empty()
                        && matches!(
                            k.as_str(),
                            "engine" | "seed" | "thresholds" | "by_replication"
                        )
                    {
                        continue;
                    }
                    walk(child, &join(k), out);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    walk(child, &join(&i.to_string()), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    walk(v, "", &mut out);
    out
}

/// Checks that every metric named in `tol` is a path of `base` or `current`, or a prefix of
/// whole segments of one (`wait_s` for `wait_s.p90`): a misspelt name would otherwise change
/// nothing and let a regression pass. Errors: one message per unknown metric, with the closest
/// known one.
pub fn check_tolerances(
    base: &Value,
    current: &Value,
    tol: &Tolerances,
) -> Result<(), Vec<String>> {
    let (b, c) = (flatten(base), flatten(current));
    let mut known: Vec<String> = b.keys().chain(c.keys()).cloned().collect();
    let mut prefixes: Vec<String> = Vec::new();
    for k in &known {
        let mut cut = k.as_str();
        while let Some(i) = cut.rfind('.') {
            cut = &cut[..i];
            prefixes.push(cut.to_string());
        }
    }
    known.extend(prefixes);
    known.sort();
    known.dedup();
    let problems: Vec<String> = tol
        .per_metric
        .keys()
        .filter(|m| known.binary_search(m).is_err())
        .map(|m| {
            let hint = crate::scenario::closest(m, known.iter().map(String::as_str))
                .map(|c| format!(" (did you mean {c:?}?)"))
                .unwrap_or_default();
            format!("unknown metric {m:?}: no such path in either summary{hint}")
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Whether a summary metric adds up over replications (a count or a sum of durations), so it
/// is compared per replication; rates, means, percentiles, maxima and intervals are not.
pub fn is_count(path: &str) -> bool {
    let first = path.split('.').next().unwrap_or("");
    let tail_is = |t: &[&str]| t.iter().any(|x| path.ends_with(x));
    match first {
        "wait_s" | "handle_s" | "service_level" | "abandonment_rate" | "occupancy" | "ci95"
        | "simulated_s" | "replications" | "partial" => false,
        "supervisor_reaction_s" => path.ends_with(".count"),
        "overallocation" => path != "overallocation.max_units",
        "queues" => !path.contains(".wait_s.") && !tail_is(&[".service_level"]),
        "agent_groups" => !tail_is(&[".occupancy"]),
        _ => true,
    }
}

/// A summary's per-replication values of every metric: path → (replication index → value,
/// `None` for no data). Empty when the summary has no `by_replication`.
fn series(v: &Value) -> BTreeMap<String, BTreeMap<u32, Option<f64>>> {
    let mut out: BTreeMap<String, BTreeMap<u32, Option<f64>>> = BTreeMap::new();
    let reps = v.get("by_replication").and_then(Value::as_array);
    for (i, rep) in reps.into_iter().flatten().enumerate() {
        let idx = rep
            .get("replication")
            .and_then(Value::as_u64)
            .map_or(i as u32, |r| r as u32);
        for (k, x) in flatten(rep) {
            if k != "replication" {
                out.entry(k).or_default().insert(idx, x);
            }
        }
    }
    out
}

fn replication_indices(v: &Value) -> Vec<u32> {
    let reps = v.get("by_replication").and_then(Value::as_array);
    reps.into_iter()
        .flatten()
        .enumerate()
        .map(|(i, r)| {
            r.get("replication")
                .and_then(Value::as_u64)
                .map_or(i as u32, |r| r as u32)
        })
        .collect()
}

/// The values of `metric` per replication of one side: a count absent from a replication
/// (count maps list non-zero entries only) is 0 there; other metrics absent are no data.
fn values_of(
    s: &BTreeMap<String, BTreeMap<u32, Option<f64>>>,
    reps: &[u32],
    metric: &str,
) -> BTreeMap<u32, f64> {
    let by_rep = s.get(metric);
    reps.iter()
        .filter_map(|&r| {
            let v = match by_rep.and_then(|m| m.get(&r)) {
                Some(v) => *v,
                None if is_count(metric) => Some(0.0),
                None => None,
            };
            Some((r, v?))
        })
        .collect()
}

/// A whole comparison: the rows, how the tests were run, and what the reader must know.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// One per metric, sorted by path.
    pub rows: Vec<Row>,
    /// Paired (same seed) or Welch; `None` when nothing could be tested.
    pub kind: Option<TestKind>,
    /// Directional metrics tested together under Holm–Bonferroni.
    pub family: usize,
    /// Notes such as "compared on tolerance alone".
    pub warnings: Vec<String>,
}

/// What differs between the two runs' definitions (scenario name, service-level threshold or
/// definition); empty when they are comparable. `fit`'s `actuals.json` (scenario `actuals`)
/// compares with a run of any scenario (a backtest), the service level still checked.
pub fn differences(base: &Value, current: &Value) -> Vec<String> {
    let actuals = [base, current]
        .iter()
        .any(|v| v.get("scenario").and_then(Value::as_str) == Some("actuals"));
    let field = |v: &Value, p: &[&str]| {
        let mut x = v;
        for k in p {
            match x.get(k) {
                Some(y) => x = y,
                None => return "(none)".to_string(),
            }
        }
        x.as_str().map_or_else(|| x.to_string(), str::to_string)
    };
    [
        (vec!["scenario"], "scenario"),
        (
            vec!["service_level", "threshold_s"],
            "service_level.threshold_s",
        ),
        (
            vec!["service_level", "definition"],
            "service_level.definition",
        ),
    ]
    .iter()
    .filter(|(_, name)| !(actuals && *name == "scenario"))
    .filter_map(|(p, name)| {
        let (b, c) = (field(base, p), field(current, p));
        (b != c).then(|| format!("{name}: {b} (baseline) vs {c} (current)"))
    })
    .collect()
}

/// Compares two summaries: one row per numeric metric of either, sorted by path.
pub fn compare(base: &Value, current: &Value, tol: &Tolerances) -> Result<Vec<Row>, CompareError> {
    Ok(compare_runs(base, current, tol)?.rows)
}

/// Compares two summaries with the tests described in the module documentation.
pub fn compare_runs(
    base: &Value,
    current: &Value,
    tol: &Tolerances,
) -> Result<Comparison, CompareError> {
    check("baseline", base)?;
    check("current", current)?;
    let (b, c) = (flatten(base), flatten(current));
    let reps_of = |v: &Value| {
        v.get("replications")
            .and_then(Value::as_f64)
            .filter(|n| *n >= 1.0)
            .unwrap_or(1.0)
    };
    // fit's actuals.json holds the whole history as one replication however many periods it
    // covers; the backtest run has fitted.toml's replications (one per period of the history),
    // so a backtest compares counts as totals.
    let backtest = [base, current]
        .iter()
        .any(|v| v.get("scenario").and_then(Value::as_str) == Some("actuals"));
    let (rb, rc) = if backtest {
        (1.0, 1.0)
    } else {
        (reps_of(base), reps_of(current))
    };
    let (sb, sc) = (series(base), series(current));
    let (ib, ic) = (replication_indices(base), replication_indices(current));
    let same_seed = base.get("seed").is_some() && base.get("seed") == current.get("seed");
    let mut keys: Vec<&String> = b.keys().chain(c.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut rows: Vec<Row> = keys
        .into_iter()
        .map(|k| {
            let per_replication = is_count(k) && !backtest;
            let (db, dc) = if per_replication {
                (rb, rc)
            } else {
                (1.0, 1.0)
            };
            let (vb, vc) = (values_of(&sb, &ib, k), values_of(&sc, &ic, k));
            let test = if same_seed {
                let (x, y): (Vec<f64>, Vec<f64>) = vb
                    .iter()
                    .filter_map(|(r, x)| Some((*x, *vc.get(r)?)))
                    .unzip();
                t_test(&x, &y, true)
            } else {
                let x: Vec<f64> = vb.values().copied().collect();
                let y: Vec<f64> = vc.values().copied().collect();
                t_test(&x, &y, false)
            };
            Row {
                metric: k.clone(),
                base: b.get(k).copied().flatten().map(|x| x / db),
                current: c.get(k).copied().flatten().map(|x| x / dc),
                base_no_data: b.get(k).is_some_and(Option::is_none),
                current_no_data: c.get(k).is_some_and(Option::is_none),
                direction: direction(k),
                tolerance_pct: tol.for_metric(k),
                regression: false,
                per_replication,
                test,
                significant: false,
            }
        })
        .collect();
    // Holm–Bonferroni, directional and informational metrics as two families.
    let mut family = 0;
    for directional in [true, false] {
        let members: Vec<usize> = (0..rows.len())
            .filter(|&i| {
                (rows[i].direction != Direction::Info) == directional
                    && rows[i].test.is_some_and(|t| !t.constant)
            })
            .collect();
        let p: Vec<f64> = members
            .iter()
            .map(|&i| rows[i].test.map_or(1.0, |t| t.p_value))
            .collect();
        for (&i, sig) in members.iter().zip(holm(&p, ALPHA)) {
            rows[i].significant = sig;
        }
        if directional {
            family = members.len();
        }
    }
    let mut untested = Vec::new();
    for row in &mut rows {
        let beyond = row.worse() && row.change_pct().is_none_or(|p| p.abs() > row.tolerance_pct);
        row.regression = row.lost_data() || (beyond && (row.significant || row.test.is_none()));
        if beyond && row.test.is_none() && !row.lost_data() {
            untested.push(row.metric.clone());
        }
    }
    let mut warnings = Vec::new();
    for (which, v) in [("baseline", base), ("current", current)] {
        if v.get("by_replication").is_none() {
            warnings.push(format!(
                "{which} has no by_replication (written by an older omnisim): metrics are \
                 compared on their tolerance alone, so a change by chance can fail; rerun it \
                 to test significance"
            ));
        }
    }
    if !untested.is_empty() && warnings.is_empty() {
        warnings.push(format!(
            "{} worse beyond tolerance without enough replications with data to test \
             (at least 2 a side), judged on tolerance alone: {}",
            untested.len(),
            untested.join(", ")
        ));
    }
    let kind = rows.iter().find_map(|r| r.test.map(|t| t.kind));
    Ok(Comparison {
        rows,
        kind,
        family,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn directions() {
        use Direction::*;
        for (p, d) in [
            ("wait_s.p90", HigherIsWorse),
            ("handle_s.mean", HigherIsWorse),
            ("abandonment_rate", HigherIsWorse),
            ("overallocation.unit_seconds", HigherIsWorse),
            ("rule_violations.by_rule.ASSIGN-STATE", HigherIsWorse),
            ("invariant_violations", HigherIsWorse),
            ("queues.a.b.abandoned", HigherIsWorse),
            ("queues.billing.wait_s.mean", HigherIsWorse),
            ("service_level.fraction", LowerIsWorse),
            ("service_level.threshold_s", Info),
            ("conversations.answered", LowerIsWorse),
            ("queues.billing.service_level", LowerIsWorse),
            ("conversations.arrived", Info),
            ("ci95.wait_mean_s.0", Info),
            ("occupancy", Info),
        ] {
            assert_eq!(direction(p), d, "{p}");
        }
    }

    #[test]
    fn tolerance_and_zero_base() {
        let base = json!({"format": "omnisim.summary/1", "seed": 1, "engine": {"wall_s": 1.0},
            "wait_s": {"mean": 100.0, "p90": 100.0}, "rule_violations": {"total": 0},
            "service_level": {"fraction": 0.8}});
        let cur = json!({"format": "omnisim.summary/1", "seed": 2, "engine": {"wall_s": 9.0},
            "wait_s": {"mean": 104.0, "p90": 120.0}, "rule_violations": {"total": 1},
            "service_level": {"fraction": 0.9}});
        let mut tol = Tolerances::new(5.0);
        tol.per_metric.insert("wait_s.p90".into(), 25.0);
        let rows = compare(&base, &cur, &tol).unwrap();
        let get = |m: &str| rows.iter().find(|r| r.metric == m).unwrap();
        assert!(!get("wait_s.mean").regression);
        assert!(!get("wait_s.p90").regression);
        assert!(get("rule_violations.total").regression);
        assert!(get("service_level.fraction").better());
        assert!(rows
            .iter()
            .all(|r| r.metric != "seed" && !r.metric.starts_with("engine")));
        assert_eq!(tol.for_metric("wait_s.p90"), 25.0);
        assert_eq!(tol.for_metric("wait_s.p99"), 5.0);
    }

    #[test]
    fn a_figure_that_lost_its_data_is_a_regression() {
        let base = json!({"format": "omnisim.summary/1", "wait_s": {"mean": 10.0},
            "queues": {"q": {"service_level": 0.9}}, "occupancy": 0.5});
        let cur = json!({"format": "omnisim.summary/1", "wait_s": {"mean": null},
            "queues": {"q": {"service_level": null}}, "occupancy": null});
        let rows = compare(&base, &cur, &Tolerances::new(1000.0)).unwrap();
        let get = |m: &str| rows.iter().find(|r| r.metric == m).unwrap();
        assert!(get("wait_s.mean").regression);
        assert!(get("queues.q.service_level").regression);
        assert!(!get("occupancy").regression, "informational");
        // The other way round is no regression.
        let rows = compare(&cur, &base, &Tolerances::new(0.0)).unwrap();
        assert!(rows.iter().all(|r| !r.regression));
    }

    /// Counts per replication, the paired test on the same seed, Welch otherwise, and a count
    /// absent from a replication's map read as 0.
    #[test]
    fn counts_per_replication_and_tests() {
        let doc = |seed: u64, waits: &[f64], refusals: &[u64]| {
            let reps: Vec<Value> = waits
                .iter()
                .zip(refusals)
                .enumerate()
                .map(|(i, (w, r))| {
                    let by_rule = if *r > 0 {
                        json!({"ASSIGN-STATE": r})
                    } else {
                        json!({})
                    };
                    json!({"replication": i, "conversations": {"arrived": 100},
                        "wait_s": {"mean": w},
                        "rule_violations": {"total": r, "by_rule": by_rule}})
                })
                .collect();
            let total: u64 = refusals.iter().sum();
            let mean = waits.iter().sum::<f64>() / waits.len() as f64;
            json!({"format": "omnisim.summary/1", "seed": seed, "replications": waits.len(),
                "conversations": {"arrived": 100 * waits.len()}, "wait_s": {"mean": mean},
                "rule_violations": {"total": total, "by_rule": {"ASSIGN-STATE": total}},
                "by_replication": reps})
        };
        let base = doc(1, &[10.0, 12.0, 11.0, 13.0], &[0, 1, 0, 1]);
        // 8 replications, the first 4 the same: per replication nothing moved.
        let eight = doc(
            1,
            &[10.0, 12.0, 11.0, 13.0, 9.0, 14.0, 10.0, 12.0],
            &[0, 1, 0, 1, 0, 0, 1, 0],
        );
        let c = compare_runs(&base, &eight, &Tolerances::new(5.0)).unwrap();
        let get = |c: &Comparison, m: &str| c.rows.iter().find(|r| r.metric == m).cloned().unwrap();
        let arrived = get(&c, "conversations.arrived");
        assert!(arrived.per_replication && arrived.base == Some(100.0));
        assert_eq!(arrived.current, Some(100.0));
        assert!(c.rows.iter().all(|r| !r.regression), "{:?}", c.rows);
        assert_eq!(c.kind, Some(TestKind::Paired));
        // Same seed, every replication's wait +1 s: mean +9 %, paired differences constant, so
        // the sign test (p = 2 · 0.5⁴ = 0.125): not significant, no regression.
        let plus1 = doc(1, &[11.0, 13.0, 12.0, 14.0], &[0, 1, 0, 1]);
        let w = get(
            &compare_runs(&base, &plus1, &Tolerances::new(5.0)).unwrap(),
            "wait_s.mean",
        );
        assert_eq!(w.test.unwrap().p_value, 0.125);
        assert!(!w.regression && !w.significant);
        // Varying differences 2, 3, 2, 3 (mean 2.5, sd 0.577): t = 8.66, 3 df, p = 0.0032.
        let more = doc(1, &[12.0, 15.0, 13.0, 16.0], &[0, 1, 0, 1]);
        let w = get(
            &compare_runs(&base, &more, &Tolerances::new(5.0)).unwrap(),
            "wait_s.mean",
        );
        assert!(
            (w.test.unwrap().p_value - 0.003_23).abs() < 5e-5,
            "{:?}",
            w.test
        );
        assert!(w.significant && w.regression);
        // Another seed: Welch; a refusal count present only in some replications' maps.
        let other = doc(2, &[10.5, 12.5, 11.5, 12.0], &[1, 0, 0, 0]);
        let c = compare_runs(&base, &other, &Tolerances::new(5.0)).unwrap();
        assert_eq!(c.kind, Some(TestKind::Welch));
        let r = get(&c, "rule_violations.by_rule.ASSIGN-STATE");
        let t = r.test.unwrap();
        assert_eq!((t.n_base, t.n_current), (4, 4), "absent counts are zeros");
        assert!(c.rows.iter().all(|r| !r.regression));
    }

    /// fit's actuals.json (the whole history as one replication) against a backtest run of
    /// fitted.toml's replications: counts as totals.
    #[test]
    fn a_backtest_compares_totals() {
        let actuals = json!({"format": "omnisim.summary/1", "scenario": "actuals",
            "replications": 1, "conversations": {"answered": 5195}});
        let run = json!({"format": "omnisim.summary/1", "scenario": "fitted",
            "replications": 5, "conversations": {"answered": 5163}});
        let rows = compare(&actuals, &run, &Tolerances::new(5.0)).unwrap();
        let r = rows
            .iter()
            .find(|r| r.metric == "conversations.answered")
            .unwrap();
        assert!(!r.per_replication && !r.regression);
        assert_eq!((r.base, r.current), (Some(5195.0), Some(5163.0)));
        assert!(differences(&actuals, &run).is_empty());
    }

    #[test]
    fn misspelt_tolerance_metrics_are_rejected() {
        let base = json!({"wait_s": {"mean": 10.0, "p90": 20.0}});
        let mut tol = Tolerances::new(5.0);
        tol.per_metric.insert("wait_s.p90".into(), 10.0);
        tol.per_metric.insert("wait_s".into(), 10.0);
        assert_eq!(check_tolerances(&base, &base, &tol), Ok(()));
        tol.per_metric.insert("wait_s.P90".into(), 10.0);
        let e = check_tolerances(&base, &base, &tol).unwrap_err().join("\n");
        assert!(
            e.contains("\"wait_s.P90\"") && e.contains("did you mean \"wait_s.p90\""),
            "{e}"
        );
    }

    #[test]
    fn rejects_other_documents() {
        assert!(compare(&json!([1]), &json!({}), &Tolerances::new(5.0)).is_err());
        // A JSON object that is not a summary (`{}`, a fit.json) is refused, not compared.
        let summary = json!({"format": "omnisim.summary/1"});
        assert!(compare(&summary, &json!({}), &Tolerances::new(5.0)).is_err());
        let ab = json!({"format": "omnisim.ab/1"});
        assert!(matches!(
            compare(&json!({}), &ab, &Tolerances::new(5.0)),
            Err(CompareError::WrongFormat { .. })
        ));
        assert_eq!(parse_pct("5%"), Ok(5.0));
        assert!(parse_pct("-1%").is_err());
    }
}
