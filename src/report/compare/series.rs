//! A summary's per-replication series for `compare`'s tests: the values of each metric by
//! replication, which replications finished and which a signal cut, and how many
//! replications a run-wide figure covers.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{flatten, is_count, is_partial};

/// A summary's per-replication values of every metric: path → (replication index → value,
/// `None` for no data). Empty when the summary has no `by_replication`.
pub(super) fn series(v: &Value) -> BTreeMap<String, BTreeMap<u32, Option<f64>>> {
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

/// The indices of a summary's `by_replication` rows: `(finished, cut)`, a row of a
/// replication the signal cut (`"partial": true`, on a partial run only) in the second list.
pub(super) fn replication_indices(v: &Value) -> (Vec<u32>, Vec<u32>) {
    let reps = v.get("by_replication").and_then(Value::as_array);
    let (mut finished, mut cut) = (Vec::new(), Vec::new());
    for (i, r) in reps.into_iter().flatten().enumerate() {
        let idx = r
            .get("replication")
            .and_then(Value::as_u64)
            .map_or(i as u32, |r| r as u32);
        match r.get("partial").and_then(Value::as_bool) == Some(true) {
            true => cut.push(idx),
            false => finished.push(idx),
        }
    }
    (finished, cut)
}

/// The replications a summary's run-wide figures cover: `replications`, or on a partial run
/// the rows of `by_replication` (the replications that began: the finished ones and those the
/// signal cut, counted up to where they stopped), not the count asked for.
pub(super) fn covered_replications(v: &Value) -> f64 {
    let rows = v
        .get("by_replication")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if is_partial(v) && rows > 0 {
        return rows as f64;
    }
    v.get("replications")
        .and_then(Value::as_f64)
        .filter(|n| *n >= 1.0)
        .unwrap_or(1.0)
}

/// Lists replication indices (0-based, as `by_replication[i].replication` holds them) as
/// every human message writes them, numbered from 1 as traces, `explain` and shards do:
/// `[0, 4]` → "1, 5".
pub fn index_list(v: &[u32]) -> String {
    v.iter()
        .map(|r| (u64::from(*r) + 1).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The values of `metric` per replication of one side: a count absent from a replication
/// (count maps list non-zero entries only) is 0 there; other metrics absent are no data.
pub(super) fn values_of(
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
