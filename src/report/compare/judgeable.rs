//! Whether two summaries can be judged at all: a partial run, too few finished replications
//! on either side (`unjudgeable`, exit 2 whatever the flags), and definitions that differ
//! (scenario, service level). Split from `report::compare` (its size).

use serde_json::Value;

use super::series::{index_list, replication_indices, series};
use super::{flatten, is_count};

/// Whether a summary is of a partial run (`"partial": true`: cut short by Ctrl-C or a signal,
/// its figures cover only what finished). A summary without the key is not partial.
pub fn is_partial(summary: &Value) -> bool {
    summary.get("partial").and_then(Value::as_bool) == Some(true)
}

/// Why two summaries hold too few finished replications to judge, or `None`. Only a side
/// with replications cut by a signal (a partial run's `by_replication[i].partial`) can fall
/// short: with the same seed, the verdict needs a replication both finished (replication i of
/// both drew the same random numbers); with different seeds, a finished replication on each
/// side. Short of that, whatever was judged would be cut data (a replication counted up to
/// where the signal stopped it), so no flag allows it.
pub fn unjudgeable(base: &Value, current: &Value) -> Option<String> {
    let ((fb, cb), (fc, cc)) = (replication_indices(base), replication_indices(current));
    if cb.is_empty() && cc.is_empty() {
        return None;
    }
    let seed = |v: &Value| v.get("seed").and_then(Value::as_u64);
    let same_seed = seed(base).is_some() && seed(base) == seed(current);
    let list = |v: &[u32]| match v.len() {
        0 => "none".to_string(),
        _ => index_list(v),
    };
    let sides = || {
        format!(
            "baseline: finished {}, cut {}; current: finished {}, cut {}",
            list(&fb),
            list(&cb),
            list(&fc),
            list(&cc)
        )
    };
    if same_seed {
        if fb.iter().any(|r| fc.contains(r)) {
            return None;
        }
        return Some(format!(
            "no replication finished on both sides ({}): with the same seed the verdict \
             judges replication i of both, and every such pair has a cut side",
            sides()
        ));
    }
    if !fb.is_empty() && !fc.is_empty() {
        return None;
    }
    Some(format!(
        "a side finished no replication ({}): there is nothing finished to judge",
        sides()
    ))
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

/// Where a summary's `by_replication` disagrees with its pooled (run-wide) figures, one
/// sentence per key path, or empty: the rows' count against `replications` (on a partial run,
/// the finished rows against `replications_finished`), and each count (a figure that adds up
/// over replications, [`is_count`]) found in both against the sum of its rows (a row without
/// it holds 0). The tests read the rows and the tolerance the pooled figures, so a file whose
/// two disagree (hand-edited, or pieces of two runs put together) would be judged on two
/// different runs at once: `compare` refuses it (exit 2). A summary without `by_replication`
/// has nothing to disagree with. Sums are compared to a millionth of the figure (at least
/// 0.001 a row: durations are written to the millisecond).
pub fn pooled_disagreements(summary: &Value) -> Vec<String> {
    let Some(rows) = summary.get("by_replication").and_then(Value::as_array) else {
        return Vec::new();
    };
    if rows.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let (finished, cut) = replication_indices(summary);
    let (key, expected, have) = match is_partial(summary) {
        true => ("replications_finished", "finished rows", finished.len()),
        false => ("replications", "rows", finished.len() + cut.len()),
    };
    if let Some(n) = summary.get(key).and_then(Value::as_u64) {
        if n != have as u64 {
            out.push(format!(
                "{key} is {n} but by_replication has {have} {expected}"
            ));
        }
    }
    let pooled = flatten(summary);
    for (path, by_rep) in series(summary) {
        if !is_count(&path) {
            continue;
        }
        let Some(Some(total)) = pooled.get(&path).copied() else {
            continue;
        };
        let sum: f64 = by_rep.values().flatten().sum();
        let slack = 1e-6 * total.abs().max(1.0) + 0.001 * rows.len() as f64;
        if (sum - total).abs() > slack {
            out.push(format!(
                "{path} is {} pooled but by_replication[*].{path} sums to {} over {} rows",
                crate::report::table::num(total),
                crate::report::table::num(sum),
                rows.len()
            ));
        }
    }
    out
}
