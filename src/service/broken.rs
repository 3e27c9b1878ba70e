//! Test-only: a wrapper that makes a [`Session`](super::Session) answer as an engine that
//! breaks one rule would, so `omnisim conform` can be checked on engines that are wrong in a
//! known way. It never touches the engine: it alters the wire results after the engine
//! answered. `omnisim serve` turns it on with the environment variable
//! `OMNISIM_TEST_BREAK_RULE=RULE-ID` (and says so on standard error).
//!
//! Two kinds of break, both per rule id:
//! - a refusal by the rule is answered as applied with no effects (the rule is not enforced);
//! - for rules defined by what happens, the effects that show the rule are dropped or altered
//!   ([`EFFECT_BREAKS`]).

use serde_json::Value;

use crate::engine::RuleId;

use super::protocol::{WireCommand, WireResult};

/// The rules broken through their effects, and how.
pub(crate) const EFFECT_BREAKS: &[(&str, &str)] = &[
    ("LC-OPEN-ACTIVE", "no state_changed open → active"),
    (
        "LC-ABANDON",
        "abandoned conversations are closed as completed",
    ),
    (
        "LC-ACTIVE",
        "no state_changed from active to wrap_up or open",
    ),
    ("LC-WAITING", "no state_changed to or from waiting"),
    ("LC-WRAPUP", "no state_changed from wrap_up"),
    ("CAP-HOLD", "no units effect on set_waiting, resume or end"),
    ("CAP-OVER", "no overallocated effect"),
    (
        "PR-AUTO",
        "no presence effect but on set_presence (presence never follows capacity)",
    ),
    ("RT-INVITE", "no refusal effect"),
    ("JOIN-NOTIFY", "no notified effect on join"),
    (
        "ASSIGN-INVITE",
        "a supervisor's invitation is not marked by_supervisor; assign to queue shows no requeue",
    ),
    ("FORCE-CLOSE", "no notified effect on force_close"),
];

/// One rule broken (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Breakage {
    rule: &'static str,
}

impl Breakage {
    /// The breakage of `rule`. Errors: not a rule this wrapper can break (listed).
    pub(crate) fn parse(rule: &str) -> Result<Breakage, String> {
        if let Some(r) = RuleId::parse(rule) {
            return Ok(Breakage { rule: r.as_str() });
        }
        if let Some((r, _)) = EFFECT_BREAKS.iter().find(|(r, _)| *r == rule) {
            return Ok(Breakage { rule: r });
        }
        Err(format!(
            "cannot break {rule:?}: expected a rule id of the catalogue's first part ({})",
            RuleId::ALL
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }

    /// Alters the result of command `c` as the broken engine would answer it.
    pub(crate) fn alter(&self, c: &WireCommand, result: &mut WireResult) {
        if let WireResult::Refused { refused } = result {
            if refused.0.as_str() == self.rule {
                *result = WireResult::Effects {
                    effects: Vec::new(),
                };
            }
            return;
        }
        let WireResult::Effects { effects } = result else {
            return;
        };
        let kind = c.kind();
        let mut values: Vec<Value> = effects
            .iter()
            .filter_map(|e| serde_json::to_value(e).ok())
            .collect();
        let field = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
        let is = |e: &Value, t: &str| field(e, "type").as_deref() == Some(t);
        let state = |e: &Value, from: Option<&str>, to: Option<&str>| {
            is(e, "state_changed")
                && from.is_none_or(|f| field(e, "from").as_deref() == Some(f))
                && to.is_none_or(|t| field(e, "to").as_deref() == Some(t))
        };
        match self.rule {
            "LC-OPEN-ACTIVE" => values.retain(|e| !state(e, Some("open"), Some("active"))),
            "LC-ABANDON" => {
                for e in values.iter_mut() {
                    if is(e, "closed") && field(e, "reason").as_deref() == Some("abandoned") {
                        e["reason"] = Value::String("completed".into());
                    }
                }
            }
            "LC-ACTIVE" => values.retain(|e| {
                !state(e, Some("active"), Some("wrap_up"))
                    && !state(e, Some("active"), Some("open"))
            }),
            "LC-WAITING" => values
                .retain(|e| !state(e, Some("waiting"), None) && !state(e, None, Some("waiting"))),
            "LC-WRAPUP" => values.retain(|e| !state(e, Some("wrap_up"), None)),
            "CAP-HOLD" if matches!(kind, "set_waiting" | "resume" | "end") => {
                values.retain(|e| !is(e, "units"))
            }
            "CAP-OVER" => values.retain(|e| !is(e, "overallocated")),
            "PR-AUTO" if kind != "set_presence" => values.retain(|e| !is(e, "presence")),
            "RT-INVITE" => values.retain(|e| !is(e, "refusal")),
            "JOIN-NOTIFY" if kind == "join" => values.retain(|e| !is(e, "notified")),
            "ASSIGN-INVITE" if matches!(kind, "assign_to_agent" | "assign_to_queue") => {
                values.retain(|e| !is(e, "requeued"));
                for e in values.iter_mut().filter(|e| is(e, "invited")) {
                    e["by_supervisor"] = Value::Bool(false);
                }
            }
            "FORCE-CLOSE" if kind == "force_close" => values.retain(|e| !is(e, "notified")),
            _ => return,
        }
        *effects = values
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect();
    }
}
