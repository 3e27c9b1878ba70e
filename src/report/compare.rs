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
//! directional metrics to a 5 % false-alarm rate together (metrics whose per-replication series
//! are identical, such as a one-queue center's queue and center figures, count once). Each
//! tested row states its precision: the smallest change its test catches 4 times in 5
//! ([`Row::detectable`]). A metric without per-replication
//! values on both sides (a summary written before `by_replication`, or one replication) is
//! judged on its tolerance alone, and [`Comparison::warnings`] says so. A directional metric
//! that had a value in the baseline and has no data (`null`) now is a regression whatever the
//! test: a queue nobody answered any more must not read as "no regression". Against a history
//! (`seed` null: `fit`'s `actuals.json`), a metric null or absent on either side is "not
//! comparable" ([`Row::not_comparable`]): neither tested nor a regression.
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

use super::compare_stats::{family as decide, t_test, TTest, TestKind};

mod check;
mod groups;
mod judgeable;
mod series;
use check::check;
pub use check::CompareError;
pub use groups::GROUPS_UNKNOWN;
pub use judgeable::{differences, is_partial, pooled_disagreements, unjudgeable};
pub use series::index_list;
use series::{covered_replications, replication_indices, series, values_of};

/// Why a metric null or absent on a history's side is not comparable ([`Row::not_comparable_why`]).
pub const NOT_IN_HISTORY: &str = "not in a history";

/// Why an agent group's metric is not comparable against a history that names no agent
/// groups (no `agent_group` column, or not for every answered row: its `actuals.json` has no
/// `agent_groups`; the history could have held them, it just did not name the groups).
pub const GROUPS_NOT_NAMED: &str = "the history does not name agent groups";

/// The family-wise false-alarm rate of the regression tests.
pub const ALPHA: f64 = 0.05;

/// The headline metrics: the figures a change of handling, staffing or routing moves first
/// (`summary.json`'s service level, mean wait, abandonment and mean handle time). In the
/// directional family they share half of [`ALPHA`], the other directional metrics (tails,
/// per-queue figures, refusals by rule, overallocation…) the other half, so a family of forty
/// metrics does not drown them.
pub const HEADLINE: [&str; 4] = [
    "service_level.fraction",
    "wait_s.mean",
    "abandonment_rate",
    "handle_s.mean",
];

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

/// The direction of a dotted summary path. `supervisor_reaction_s` is informational: it has
/// data only when a supervisor acted (none in a run where no policy fired), and its level is
/// set by the supervisor's `reaction` and the policy's `every` more than by the run; measured
/// on `scenarios/demo.toml`, its replications agree within a seed and differ between seeds
/// (14.6–15.1 s on seed 1, 20.7–20.9 s on seed 9): as a directional metric it failed 7 seed
/// changes in 40 (4 with no data now, 2 on tolerance alone, 1 "significant").
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
        | "invariant_violations" => return if last == "count" { Info } else { HigherIsWorse },
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
    /// The smallest |change| (metric unit; per replication for a count) its test catches 4
    /// times in 5 at the family's per-test level ([`TTest::detectable`]); `None` when untested
    /// or nothing varied.
    pub detectable: Option<f64>,
    /// The two-sided level its test met at Holm's first step (its share of [`ALPHA`]); 0 when
    /// it was not in a family (untested or constant).
    pub level: f64,
    /// Compared with a history (a document with a null `seed`: `fit`'s `actuals.json`, whose
    /// notes say why), a metric null or absent on either side (a figure a history cannot know,
    /// or an agent group of another name): neither tested nor a regression nor "new" / "gone".
    pub not_comparable: bool,
    /// Why a [`not_comparable`](Self::not_comparable) row is (empty otherwise):
    /// [`NOT_IN_HISTORY`], or, for an agent-group metric against a history with no
    /// `agent_groups` at all, [`GROUPS_NOT_NAMED`].
    pub not_comparable_why: &'static str,
    /// Untestable although both runs have per-replication figures (at least 2 replications
    /// each): the metric is worse beyond the tolerance, or has no data now, with data in fewer
    /// than 2 replications a side (a rare event: the wait of a queue that seldom gets a
    /// conversation). Not a regression: too little evidence either way.
    pub rare: bool,
    /// Not tested although both runs are tested across replications: an agent-group metric
    /// (`agent_groups.*`) with a value on both sides whose per-replication figures a side's
    /// `by_replication` rows do not hold (left out above 1,000 groups,
    /// `by_replication_left_out`, or rows without `agent_groups`). Neither passed nor
    /// failed: never a regression, never counted among "no regression"
    /// ([`Comparison::not_tested`] says why).
    pub not_tested: bool,
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
    /// whatever the tolerance — unless the baseline itself had data in fewer than 2 of its
    /// replications (`rare`): a queue answered in one replication of thirty and in none now is
    /// chance, not a lost queue.
    pub fn lost_data(&self) -> bool {
        self.base.is_some()
            && self.current_no_data
            && self.direction != Direction::Info
            && !self.rare
            && !self.not_comparable
    }

    /// [`Row::detectable`] relative to |base|, in percent; `None` without it or with base 0.
    pub fn detectable_pct(&self) -> Option<f64> {
        let (d, b) = (self.detectable?, self.base?);
        (b != 0.0).then(|| d / b.abs() * 100.0)
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
                            "engine"
                                | "seed"
                                | "thresholds"
                                | "by_replication"
                                | "by_replication_left_out"
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
        "wait_s"
        | "handle_s"
        | "service_level"
        | "abandonment_rate"
        | "occupancy"
        | "ci95"
        | "simulated_s"
        | "replications"
        | "replications_finished"
        | "partial" => false,
        "supervisor_reaction_s" => path.ends_with(".count"),
        "overallocation" => path != "overallocation.max_units",
        "queues" => !path.contains(".wait_s.") && !tail_is(&[".service_level"]),
        "agent_groups" => !tail_is(&[".occupancy"]),
        _ => true,
    }
}

/// A whole comparison: the rows, how the tests were run, and what the reader must know.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// One per metric, sorted by path.
    pub rows: Vec<Row>,
    /// Paired (same seed) or Welch; `None` when nothing could be tested.
    pub kind: Option<TestKind>,
    /// Directional metrics tested together under Holm–Bonferroni (each metric once).
    pub family: usize,
    /// Distinct tests among them: metrics with identical per-replication series on both sides
    /// (a one-queue center's `queues.Q.wait_s.mean` and `wait_s.mean`) are one test.
    pub distinct: usize,
    /// Replications tested a side (the larger side; pairs when paired); 0 when untested.
    pub replications: usize,
    /// Distinct directional tests among [`HEADLINE`]'s metrics (they share half of [`ALPHA`]
    /// when there are others).
    pub headline: usize,
    /// Notes such as "compared on tolerance alone".
    pub warnings: Vec<String>,
    /// One side is a history (`seed` null: `fit`'s `actuals.json`), so the test is Welch's
    /// against a document with no seed, not between runs of different seeds.
    pub history: bool,
    /// One sentence per partial side (`"partial": true`, compared with `--allow-partial`):
    /// which replications finished and which were cut (numbered from 1). Every output of the
    /// judgement (terminal, Markdown, JUnit) carries them: a verdict on partial data says so.
    pub partial: Vec<String>,
    /// Why the rows marked [`Row::not_tested`] were not tested (also in `warnings`), `None`
    /// when every row could be: every output of the judgement (terminal, Markdown, JUnit)
    /// carries it, and the verdict counts them apart from the metrics that passed.
    pub not_tested: Option<String>,
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
    // Counts are shown per replication the figure covers: on a partial run, the replications
    // that began, not those asked for (a fifteenth tester's 8,992 arrivals "per replication"
    // were 71,939 over 4 that ran, divided by 8).
    let reps_of = covered_replications;
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
    // Only replications run to their end are tested: one the signal cut holds part of a day.
    let ((ib, cut_b), (ic, cut_c)) = (replication_indices(base), replication_indices(current));
    let any_cut = !cut_b.is_empty() || !cut_c.is_empty();
    let seed = |v: &Value| v.get("seed").and_then(Value::as_u64);
    let same_seed = seed(base).is_some() && seed(base) == seed(current);
    // A history (`seed` null: fit's actuals.json) holds null or nothing for what it cannot
    // know; such a metric is not comparable.
    let history = |v: &Value| v.get("seed").is_some_and(Value::is_null);
    let (hb, hc) = (history(base), history(current));
    // A history side without agent groups: it did not name them (`fit`'s GROUPS_UNKNOWN).
    let unnamed = |v: &Value| {
        v.get("agent_groups")
            .and_then(Value::as_object)
            .is_none_or(|m| m.is_empty())
    };
    let groups_not_named = (hb && unnamed(base)) || (hc && unnamed(current));
    // A side whose rows hold no agent-group figures (left out above the cap, or rows without
    // them): its agent_groups.* metrics have no per-replication values (not zeros), so they
    // are not tested (a count absent from a row would otherwise read 0 in every one).
    let groups_out = (
        groups::not_in_rows("baseline", base),
        groups::not_in_rows("current", current),
    );
    let no_group_series = |k: &str| {
        k.starts_with("agent_groups.") && (groups_out.0.is_some() || groups_out.1.is_some())
    };
    let mut keys: Vec<&String> = b.keys().chain(c.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut series_keys: Vec<Vec<u64>> = Vec::new();
    let mut base_with_data: Vec<usize> = Vec::new();
    // Same seed, different replications (1 against 8): replication i of both drew the same
    // random numbers, the others have no counterpart. The tolerance is judged on the means of
    // the common replications, as the paired test is: the aggregates of 1 and of 8
    // replications differ by the other 7's noise alone (a fourteenth tester's false alarm).
    // With replications cut on a side, its run-wide figures hold their parts: the tolerance
    // is judged on the finished replications' means, as the tests are.
    let on_common = (same_seed && ib != ic) || any_cut;
    let mut common_means: Vec<Option<(f64, f64)>> = Vec::new();
    // Whether `by_replication` holds the metric on either side (a count absent there, such as
    // `customers`, reads 0 in every replication: its means are no figure to show).
    let mut in_series: Vec<bool> = Vec::new();
    let mut rows: Vec<Row> = keys
        .into_iter()
        .map(|k| {
            let per_replication = is_count(k) && !backtest;
            let (db, dc) = if per_replication {
                (rb, rc)
            } else {
                (1.0, 1.0)
            };
            let not_comparable = (hb || hc)
                && (b.get(k).is_none_or(Option::is_none) || c.get(k).is_none_or(Option::is_none));
            let (vb, vc) = if not_comparable || no_group_series(k) {
                Default::default()
            } else {
                (values_of(&sb, &ib, k), values_of(&sc, &ic, k))
            };
            base_with_data.push(vb.len());
            in_series.push(sb.contains_key(k.as_str()) || sc.contains_key(k.as_str()));
            let (x, y): (Vec<f64>, Vec<f64>) = if same_seed {
                vb.iter()
                    .filter_map(|(r, x)| Some((*x, *vc.get(r)?)))
                    .unzip()
            } else {
                (
                    vb.values().copied().collect(),
                    vc.values().copied().collect(),
                )
            };
            let test = t_test(&x, &y, same_seed);
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            common_means.push((on_common && !x.is_empty()).then(|| (mean(&x), mean(&y))));
            // The test's data, as bits: equal keys are the same test.
            let mut key: Vec<u64> = x.iter().map(|v| v.to_bits()).collect();
            key.push(u64::MAX);
            key.extend(y.iter().map(|v| v.to_bits()));
            series_keys.push(key);
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
                detectable: None,
                level: 0.0,
                not_comparable,
                not_comparable_why: match not_comparable {
                    false => "",
                    true if groups_not_named && k.starts_with("agent_groups.") => GROUPS_NOT_NAMED,
                    true => NOT_IN_HISTORY,
                },
                rare: false,
                not_tested: false,
            }
        })
        .collect();
    // Holm–Bonferroni, directional and informational metrics as two families, a series tested
    // under several names (identical on both sides) counted once, the headline metrics with
    // half the directional budget.
    let (mut family, mut distinct, mut headline) = (0, 0, 0);
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
        let k: Vec<&Vec<u64>> = members.iter().map(|&i| &series_keys[i]).collect();
        let top: Vec<bool> = members
            .iter()
            .map(|&i| directional && HEADLINE.contains(&rows[i].metric.as_str()))
            .collect();
        let f = decide(&p, &k, &top, ALPHA);
        for (n, &i) in members.iter().enumerate() {
            let row = &mut rows[i];
            row.significant = f.rejected[n];
            row.level = f.first_level[n];
            // The precision: what its test catches 4 times in 5 at Holm's first step.
            row.detectable = row.test.and_then(|t| t.detectable(row.level));
        }
        if directional {
            (family, distinct, headline) = (members.len(), f.distinct, f.headline);
        }
    }
    // Tolerance alone only where the runs give nothing to test (an older summary, or a run of
    // one replication); a metric with too few replications with data in runs that have them is
    // rare, not a regression.
    let testable_runs = ib.len() >= 2 && ic.len() >= 2;
    let (mut untested, mut rare) = (Vec::new(), Vec::new());
    for (((row, &with_data), common), &listed) in rows
        .iter_mut()
        .zip(&base_with_data)
        .zip(&common_means)
        .zip(&in_series)
    {
        // A side with cut replications: the table shows what the verdict judges, the
        // finished replications' means, where `by_replication` has the metric.
        if let (true, true, Some((b, c))) = (any_cut, listed, common) {
            (row.base, row.current) = (Some(*b), Some(*c));
        }
        let sparse_loss = testable_runs
            && with_data < 2
            && row.base.is_some()
            && row.current_no_data
            && row.direction != Direction::Info;
        let judged = match common {
            Some((b, c)) => Row {
                base: Some(*b),
                current: Some(*c),
                ..row.clone()
            },
            None => row.clone(),
        };
        let beyond = judged.worse()
            && judged
                .change_pct()
                .is_none_or(|p| p.abs() > row.tolerance_pct);
        // An agent-group metric whose per-replication figures a side does not hold, in runs
        // otherwise tested across replications: not tested (neither passed nor failed).
        row.not_tested = testable_runs
            && !row.not_comparable
            && no_group_series(&row.metric)
            && row.base.is_some()
            && row.current.is_some();
        let untestable = beyond
            && row.test.is_none()
            && !row.lost_data()
            && !row.not_comparable
            && !row.not_tested;
        // A metric a history cannot know is neither rare nor untested, whichever side the
        // history is on.
        row.rare = !row.not_comparable && (sparse_loss || (untestable && testable_runs));
        row.regression = !row.not_tested
            && (row.lost_data() || (beyond && (row.significant || (untestable && !row.rare))));
        if row.rare {
            rare.push(row.metric.clone());
        } else if untestable {
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
    if !rare.is_empty() {
        warnings.push(format!(
            "{} worse beyond tolerance (or without data now) with data in fewer than 2 \
             replications a side: too rare to test, not counted as regressions: {}",
            rare.len(),
            rare.join(", ")
        ));
    }
    let untested_groups = rows.iter().filter(|r| r.not_tested).count();
    let not_tested = groups::not_tested(groups_out, untested_groups);
    warnings.extend(not_tested.clone());
    let mut partial = Vec::new();
    for (which, v, cut) in [("baseline", base, &cut_b), ("current", current, &cut_c)] {
        let finished = if which == "baseline" { &ib } else { &ic };
        if is_partial(v) {
            let asked = v.get("replications").and_then(Value::as_u64).unwrap_or(0);
            partial.push(format!(
                "{which} is a partial run (--allow-partial): {} of its {asked} replications \
                 finished{}{}; only finished replications are judged",
                finished.len(),
                if finished.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", index_list(finished))
                },
                if cut.is_empty() {
                    String::new()
                } else {
                    format!(", {} cut by the signal ({})", cut.len(), index_list(cut))
                }
            ));
        }
        if cut.is_empty() {
            continue;
        }
        let asked = v.get("replications").and_then(Value::as_u64).unwrap_or(0);
        let began = finished.len() + cut.len();
        warnings.push(format!(
            "{which} is a partial run: {began} of its {asked} replications began, {} finished \
             ({}) and {} {} cut by the signal ({}); the table shows the finished replications' \
             means where by_replication has the metric (the tests and the verdict use only \
             those), its other figures cover the {began} that began (counts per replication \
             ÷ {began}, a cut one counted up to where it stopped)",
            finished.len(),
            if finished.is_empty() {
                "none".to_string()
            } else {
                index_list(finished)
            },
            cut.len(),
            if cut.len() == 1 { "was" } else { "were" },
            index_list(cut)
        ));
    }
    if same_seed && ib != ic {
        let common = ib.iter().filter(|r| ic.contains(r)).count();
        let (ran, both) = match any_cut {
            true => ("finished", "finished"),
            false => ("ran", "ran"),
        };
        warnings.push(format!(
            "same seed, different replications ({} and {} {ran}): judged on the {common} \
             replication{} both {both} (replication i of both drew the same random numbers); the \
             others' figures are in the table but not in the verdict",
            ib.len(),
            ic.len(),
            if common == 1 { "" } else { "s" }
        ));
    }
    warnings.extend(groups::warning(base, current, (hb, hc)));
    let kind = rows.iter().find_map(|r| r.test.map(|t| t.kind));
    let replications = rows
        .iter()
        .filter_map(|r| r.test.map(|t| t.n_base.max(t.n_current)))
        .max()
        .unwrap_or(0);
    Ok(Comparison {
        rows,
        kind,
        family,
        distinct,
        replications,
        headline,
        warnings,
        history: hb || hc,
        partial,
        not_tested,
    })
}

#[cfg(test)]
mod tests;
