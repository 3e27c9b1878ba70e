//! Whether two summaries can be judged at all: a partial run, too few finished replications
//! on either side (`unjudgeable`, exit 2 whatever the flags), and definitions that differ
//! (scenario, service level). Split from `report::compare` (its size).

use serde_json::Value;

use super::series::{index_list, replication_indices};

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
