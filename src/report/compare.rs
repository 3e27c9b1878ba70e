//! Metric-by-metric comparison of two `summary.json` documents (pure: two JSON values in, rows
//! out). Rendering lives in [`compare_table`](super::compare_table).
//!
//! Every numeric leaf is compared under its dotted path (`queues.billing.wait_s.p90`; array
//! elements as `.0`, `.1`), except wall-clock figures under `engine`, the `seed`, and the
//! `thresholds` list (its metrics are compared under their own paths). Whether a change is
//! worse depends on the metric ([`direction`]); a worse change beyond the tolerance is a
//! regression, and so is a directional metric that had a value in the baseline and has no data
//! (`null`) now: a queue nobody answered any more must not read as "no regression".
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
    /// Worse beyond the tolerance.
    pub regression: bool,
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
                    if path.is_empty() && matches!(k.as_str(), "engine" | "seed" | "thresholds") {
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
/// nothing and let a regression pass. Errors name each unknown metric with the closest known
/// one.
pub fn check_tolerances(base: &Value, current: &Value, tol: &Tolerances) -> Result<(), String> {
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
            format!("--tolerance-for: unknown metric {m:?}: no such path in either summary{hint}")
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\nerror: "))
    }
}

/// Compares two summaries: one row per numeric metric of either, sorted by path.
pub fn compare(base: &Value, current: &Value, tol: &Tolerances) -> Result<Vec<Row>, CompareError> {
    check("baseline", base)?;
    check("current", current)?;
    let (b, c) = (flatten(base), flatten(current));
    let mut keys: Vec<&String> = b.keys().chain(c.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .map(|k| {
            let mut row = Row {
                metric: k.clone(),
                base: b.get(k).copied().flatten(),
                current: c.get(k).copied().flatten(),
                base_no_data: b.get(k).is_some_and(Option::is_none),
                current_no_data: c.get(k).is_some_and(Option::is_none),
                direction: direction(k),
                tolerance_pct: tol.for_metric(k),
                regression: false,
            };
            row.regression = row.lost_data()
                || (row.worse() && row.change_pct().is_none_or(|p| p.abs() > row.tolerance_pct));
            row
        })
        .collect())
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

    #[test]
    fn misspelt_tolerance_metrics_are_rejected() {
        let base = json!({"wait_s": {"mean": 10.0, "p90": 20.0}});
        let mut tol = Tolerances::new(5.0);
        tol.per_metric.insert("wait_s.p90".into(), 10.0);
        tol.per_metric.insert("wait_s".into(), 10.0);
        assert_eq!(check_tolerances(&base, &base, &tol), Ok(()));
        tol.per_metric.insert("wait_s.P90".into(), 10.0);
        let e = check_tolerances(&base, &base, &tol).unwrap_err();
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
