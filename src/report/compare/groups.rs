//! What `compare` says of agent groups against a history (`fit`'s `actuals.json`, `seed`
//! null): a history that does not say which group each agent is in has no `agent_groups`
//! (its note, [`GROUPS_UNKNOWN`], is repeated), and groups of other
//! names on the two sides are named, so a backtest never silently compares no group
//! (issue 25, fourteenth session: every `agent_groups.agent.*` read "not comparable" while
//! the history's figures sat under the fitted scenario's `agents`). And, against any
//! summary, the agent-group metrics a side's `by_replication` rows do not hold: not tested,
//! and said so ([`not_in_rows`], [`not_tested`]).

use serde_json::Value;

/// The opening words of `actuals.json`'s note when the history does not say which group each
/// agent is in (written by `fit`, repeated by `compare`).
pub const GROUPS_UNKNOWN: &str =
    "agent groups: the history does not say which group each agent is in";

/// The group names of a summary's `agent_groups` (sorted; empty when absent).
fn names(v: &Value) -> Vec<&str> {
    v.get("agent_groups")
        .and_then(Value::as_object)
        .map_or(Vec::new(), |m| m.keys().map(String::as_str).collect())
}

/// The warning about agent groups when one side is a history (`history` says which: base,
/// current) and the two do not share every group: none when neither is a history, or both
/// name the same groups.
pub(super) fn warning(base: &Value, current: &Value, history: (bool, bool)) -> Option<String> {
    let (hist, run) = match history {
        (true, false) => (base, current),
        (false, true) => (current, base),
        _ => return None,
    };
    let (h, r) = (names(hist), names(run));
    if h.is_empty() {
        let said = hist
            .get("notes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|n| n.starts_with(GROUPS_UNKNOWN));
        let why = said.map_or_else(
            || format!("{GROUPS_UNKNOWN} (it has no agent_groups)"),
            str::to_string,
        );
        return (!r.is_empty()).then(|| {
            format!(
                "{why}; the run's agent groups ({}) are not compared",
                crate::traffic::shown(&r.join(", "))
            )
        });
    }
    let only = |a: &[&str], b: &[&str]| -> Vec<String> {
        a.iter()
            .filter(|n| !b.contains(n))
            .map(|n| n.to_string())
            .collect()
    };
    let (only_h, only_r) = (only(&h, &r), only(&r, &h));
    if only_h.is_empty() && only_r.is_empty() {
        return None;
    }
    let list = |v: &[String]| match v.is_empty() {
        true => "none".to_string(),
        false => crate::traffic::shown(&v.join(", ")),
    };
    let shared = h.len() - only_h.len();
    Some(format!(
        "agent groups: {} with the history; the history's other groups ({}) and the run's ({}) \
         are not compared (a group's figures compare only under one name on both sides)",
        match shared {
            0 => "none of the run's groups has a name shared".to_string(),
            n => format!("{} compared", crate::text::plural(n as u64, "group")),
        },
        list(&only_h),
        list(&only_r)
    ))
}

/// Why `v`'s `by_replication` rows hold no agent-group figures (`which` names the side), or
/// `None` when they list them (or it has no rows or no groups): its rows leave them out
/// (`by_replication_left_out`: more groups than a row lists) or have no `agent_groups` (a
/// side written without them).
pub(super) fn not_in_rows(which: &str, v: &Value) -> Option<String> {
    let rows = v.get("by_replication").and_then(Value::as_array)?;
    if rows.is_empty() || names(v).is_empty() {
        return None;
    }
    if let Some(l) = v.get("by_replication_left_out") {
        let n = l.get("agent_groups").and_then(Value::as_u64).unwrap_or(0);
        let limit = l.get("limit").and_then(Value::as_u64).unwrap_or(0);
        return Some(format!(
            "{which} has {n} agent groups (its rows list at most {limit})"
        ));
    }
    rows.iter()
        .any(|r| r.get("agent_groups").is_none())
        .then(|| format!("{which}'s by_replication rows have no agent_groups"))
}

/// The sentence of `n` agent-group metrics not tested ([`super::Row::not_tested`]) for the
/// sides' reasons ([`not_in_rows`]); `None` when none is.
pub(super) fn not_tested(sides: (Option<String>, Option<String>), n: usize) -> Option<String> {
    if n == 0 {
        return None;
    }
    let why: Vec<String> = [sides.0, sides.1].into_iter().flatten().collect();
    Some(format!(
        "{n} agent-group metrics (agent_groups.*) not tested across replications: {}, so \
         there are no per-replication agent-group figures to test; they are shown on their \
         totals and counted as not tested, neither passed nor failed (the exit code counts \
         regressions only), and every other metric is tested (omnisim ab tests agent groups)",
        why.join(" and ")
    ))
}
