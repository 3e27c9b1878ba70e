//! Running one case against an engine: set it up from the case's scenario, send each step's
//! command (placeholders `"cN"` resolved to the conversation ids and invitations the engine
//! gave; an arrival's `attributes` to the routing tag the engine's setup lists for them), and
//! compare the result with what the step expects. What is compared (and only that):
//! a refusal's rule id; for an applied command, that each expected pattern matches a distinct
//! effect (every field of the pattern present with an equal value; other effects, their order
//! and extra fields are the engine's business), and that no effect matches an `absent` pattern.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::service::client::{Client, ClientError};
use crate::service::protocol::{why_not_results, WireCommand, WireResult};

use super::cases::{Case, Expect, Step};

/// Where a case first differed from the catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The case's name.
    pub case: String,
    /// The 1-based step (0: the setup).
    pub step: usize,
    /// What was expected and what came back.
    pub message: String,
    /// The engine was lost (I/O error, or an answer out of protocol): the connection may be
    /// out of step, so the next case starts a new one.
    pub lost: bool,
}

/// The conversation ids and latest invitations the engine gave during one case.
#[derive(Default)]
struct Names {
    convs: Vec<String>,
    invites: BTreeMap<String, Value>,
    /// The engine's setup answer (its `queues` and `tags`).
    setup: Value,
}

impl Names {
    fn learn(&mut self, effects: &[Value]) {
        for e in effects {
            let conv = e.get("conv").and_then(Value::as_str).map(str::to_string);
            match (e.get("type").and_then(Value::as_str), conv) {
                (Some("arrived"), Some(c)) if !self.convs.contains(&c) => self.convs.push(c),
                (Some("invited"), Some(c)) if e.get("invite").is_some() => {
                    self.invites.insert(c, e["invite"].clone());
                }
                _ => {}
            }
        }
    }

    /// The engine's id for placeholder `cN`.
    fn conv(&self, p: &str) -> Result<String, String> {
        let n: usize = p
            .strip_prefix('c')
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| format!("bad placeholder {p:?} (expected c0, c1, …)"))?;
        self.convs.get(n).cloned().ok_or_else(|| {
            format!(
                "conversation {p} never arrived (the engine reported {} arrival(s))",
                self.convs.len()
            )
        })
    }

    /// The routing tag the engine's setup lists for an arrival in `queue` with `attributes`.
    fn tag(&self, queue: &Value, attributes: &Value) -> Result<Value, String> {
        let ws = queue
            .as_u64()
            .and_then(|q| self.setup["queues"].get(q as usize))
            .and_then(|q| q.get("workstream"))
            .cloned()
            .ok_or_else(|| format!("the engine's setup lists no queue {queue}"))?;
        self.setup["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["workstream"] == ws && &t["attributes"] == attributes)
            .map(|t| t["tag"].clone())
            .ok_or_else(|| {
                format!(
                    "the engine's setup lists no routing tag for work stream {ws} with attributes {attributes} (setup \"tags\")"
                )
            })
    }

    /// `send` with placeholders resolved.
    fn command(&self, send: &Value) -> Result<Value, String> {
        let mut v = send.clone();
        if let Some(obj) = v.as_object_mut() {
            if let Some(attributes) = obj.remove("attributes") {
                let queue = obj.get("queue").cloned().unwrap_or(Value::Null);
                obj.insert("tag".into(), self.tag(&queue, &attributes)?);
            }
        }
        if let Some(Value::String(p)) = v.get("conv").cloned() {
            v["conv"] = Value::String(self.conv(&p)?);
        }
        if let Some(Value::String(p)) = v.get("invite").cloned() {
            let conv = self.conv(&p)?;
            let i = self
                .invites
                .get(&conv)
                .cloned()
                .ok_or_else(|| format!("{p} ({conv}) was never invited"))?;
            v["invite"] = i;
        }
        Ok(v)
    }

    /// A pattern with its `conv` placeholder resolved.
    fn pattern(&self, p: &Value) -> Result<Value, String> {
        let mut v = p.clone();
        if let Some(Value::String(c)) = v.get("conv").cloned() {
            if c.starts_with('c') {
                v["conv"] = Value::String(self.conv(&c)?);
            }
        }
        Ok(v)
    }
}

/// Runs `case` on `client`; `None` when every step showed what the rule defines.
pub fn run_case(client: &mut Client, case: &Case) -> Option<Failure> {
    let fail = |step: usize, message: String| {
        Some(Failure {
            case: case.name.clone(),
            step,
            message,
            lost: false,
        })
    };
    let engine = client.spec().to_string();
    let lost = |step: usize, what: String, e: &ClientError| {
        Some(Failure {
            case: case.name.clone(),
            step,
            message: format!("{what}{}", said(&engine, e)),
            lost: e.loses_the_engine(),
        })
    };
    let setup = match client.setup(Some(&case.scenario)) {
        Ok(v) => v,
        Err(e) => return lost(0, "setup failed: ".into(), &e),
    };
    let mut names = Names {
        setup,
        ..Names::default()
    };
    let mut now = 0;
    for (i, step) in case.steps.iter().enumerate() {
        now = step.at.unwrap_or(now);
        let shown = describe(&step.send);
        let sent = match names
            .command(&step.send)
            .and_then(|v| serde_json::from_value::<WireCommand>(v).map_err(|e| e.to_string()))
        {
            Ok(c) => c,
            Err(e) => return fail(i + 1, format!("{shown} at {now} ms: {e}")),
        };
        let result = match client.commands_raw(now, &[sent]) {
            Ok(mut r) => r.pop().unwrap_or(Value::Null),
            Err(e) => return lost(i + 1, format!("{shown} at {now} ms: "), &e),
        };
        // The answer must read as `run --engine` and `load --engine` read it (one decoder):
        // unknown fields and effect types pass, a malformed result fails with its path.
        if serde_json::from_value::<WireResult>(result.clone()).is_err() {
            let why = why_not_results(&serde_json::json!({ "results": [result] }));
            return fail(i + 1, format!("{shown} at {now} ms: bad answer: {why}"));
        }
        let effects: Vec<Value> = match result.get("effects") {
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        names.learn(&effects);
        if let Err(why) = compare(&names, step, &result, &effects) {
            return fail(i + 1, format!("{shown} at {now} ms: {why}"));
        }
    }
    None
}

/// A failed request in a case's message: a refusal names the engine and its status, as the
/// report always has (`engine cmd:… refused the request (400): … (field now_ms)`); any other
/// failure is the client's own message.
fn said(engine: &str, e: &ClientError) -> String {
    match e {
        ClientError::Refused {
            status,
            error,
            field,
            ..
        } => {
            let field = field.as_ref().map(|f| format!(" (field {f})"));
            format!(
                "engine {engine} refused the request ({status}): {error}{}",
                field.unwrap_or_default()
            )
        }
        e => e.to_string(),
    }
}

fn compare(names: &Names, step: &Step, result: &Value, effects: &[Value]) -> Result<(), String> {
    let Expect {
        refused,
        effects: want,
        absent,
    } = &step.expect;
    let got_refusal = result.get("refused").and_then(Value::as_str);
    if let Some(rule) = refused {
        return match got_refusal {
            Some(r) if r == rule => Ok(()),
            Some(r) => Err(format!("expected refused {rule}, got refused {r}")),
            None => Err(format!(
                "expected refused {rule}, got applied with effects {}",
                short(effects)
            )),
        };
    }
    if let Some(r) = got_refusal {
        return Err(format!("expected it applied, got refused {r}"));
    }
    if result.get("effects").is_none_or(|e| !e.is_array()) {
        return Err(format!(
            "expected {{\"effects\": [...]}} or {{\"refused\": …}}, got {result}"
        ));
    }
    let mut used = vec![false; effects.len()];
    for p in want {
        let p = names.pattern(p)?;
        let hit = effects
            .iter()
            .enumerate()
            .position(|(k, e)| !used[k] && matches(&p, e));
        match hit {
            Some(k) => used[k] = true,
            None => {
                return Err(format!(
                    "expected an effect {p}, got effects {}",
                    short(effects)
                ))
            }
        }
    }
    for p in absent {
        let p = names.pattern(p)?;
        if let Some(e) = effects.iter().find(|e| matches(&p, e)) {
            return Err(format!("expected no effect {p}, got {e}"));
        }
    }
    Ok(())
}

/// Whether `effect` holds every field of `pattern` with an equal value (nested objects: the
/// same rule, recursively).
fn matches(pattern: &Value, effect: &Value) -> bool {
    match (pattern, effect) {
        (Value::Object(p), Value::Object(e)) => p
            .iter()
            .all(|(k, v)| e.get(k).is_some_and(|x| matches(v, x))),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => pattern == effect,
    }
}

fn describe(send: &Value) -> String {
    let Some(obj) = send.as_object() else {
        return send.to_string();
    };
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("?");
    let rest: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| *k != "type")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let fields: Vec<String> = rest
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k} {s}"),
            v => format!("{k} {v}"),
        })
        .collect();
    if fields.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({})", fields.join(", "))
    }
}

fn short(effects: &[Value]) -> String {
    let s = Value::Array(effects.to_vec()).to_string();
    if s.len() > 600 {
        format!("{}…", s.chars().take(600).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_match_subsets_of_fields() {
        let e =
            json!({"type": "notified", "conv": "0.0", "to": {"agent": 3}, "notice": "transferred"});
        assert!(matches(&json!({"type": "notified"}), &e));
        assert!(matches(
            &json!({"type": "notified", "to": {"agent": 3}}),
            &e
        ));
        assert!(!matches(&json!({"type": "notified", "to": "customer"}), &e));
        assert!(!matches(&json!({"type": "notified", "extra": 1}), &e));
    }

    #[test]
    fn placeholders_resolve_to_the_engines_ids() {
        let mut n = Names::default();
        n.learn(&[
            json!({"type": "arrived", "conv": "7.1", "queue": 0}),
            json!({"type": "invited", "conv": "7.1", "agent": 0, "invite": 4}),
        ]);
        let c = n
            .command(&json!({"type": "accept", "conv": "c0", "invite": "c0"}))
            .unwrap();
        assert_eq!(c, json!({"type": "accept", "conv": "7.1", "invite": 4}));
        assert!(n.command(&json!({"type": "end", "conv": "c1"})).is_err());
    }

    #[test]
    fn each_pattern_needs_its_own_effect() {
        let step = Step {
            at: None,
            send: json!({}),
            expect: Expect {
                refused: None,
                effects: vec![json!({"type": "units"}), json!({"type": "units"})],
                absent: vec![],
            },
        };
        let one = vec![json!({"type": "units", "agent": 0})];
        let r = json!({ "effects": one });
        assert!(compare(&Names::default(), &step, &r, &one).is_err());
        let two = vec![json!({"type": "units"}), json!({"type": "units"})];
        let r = json!({ "effects": two });
        assert!(compare(&Names::default(), &step, &r, &two).is_ok());
    }
}
