//! What `compare` says of agent groups against a history (`fit`'s `actuals.json`, `seed`
//! null): a history that does not say which group each agent is in has no `agent_groups`
//! (its note, [`GROUPS_UNKNOWN`], is repeated), and groups of other
//! names on the two sides are named, so a backtest never silently compares no group
//! (issue 25, fourteenth session: every `agent_groups.agent.*` read "not comparable" while
//! the history's figures sat under the fitted scenario's `agents`).

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
