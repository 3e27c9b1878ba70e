//! Why an answer to a command batch does not read as [`BatchResults`](super::BatchResults):
//! each problem with its path in the answer (`results[2].effects[0] (invited)`) and what was
//! expected, for the client's "bad answer" message instead of the JSON library's words. The
//! one reading of results is still the typed one ([`super::WireResult`]); this only explains a
//! failure of it, so the two cannot disagree on what is accepted.

use serde_json::Value;

use super::{WireEffect, WireRule};

/// Most problems listed in one message (the rest are counted).
const MOST: usize = 5;

/// The problems of `answer` (a JSON value that failed to read as batch results), joined with
/// `"; "`: at most five, then how many more. Names each by its path; never empty.
pub fn why_not_results(answer: &Value) -> String {
    let mut found = Vec::new();
    match answer.get("results") {
        Some(Value::Array(results)) => {
            for (i, r) in results.iter().enumerate() {
                result_problems(&format!("results[{i}]"), r, &mut found);
            }
        }
        Some(other) => found.push(format!("results: expected an array, got {}", short(other))),
        None => found.push(format!(
            "expected {{\"results\": [...]}}, got {}",
            short(answer)
        )),
    }
    if found.is_empty() {
        // Not expected: the typed reading failed, yet each part reads.
        found.push("the answer does not read as {\"results\": [...]}".into());
    }
    let more = found.len().saturating_sub(MOST);
    found.truncate(MOST);
    let mut text = found.join("; ");
    if more > 0 {
        text.push_str(&format!("; and {more} more"));
    }
    text
}

/// One result's problems, each prefixed by `at`.
fn result_problems(at: &str, r: &Value, found: &mut Vec<String>) {
    let expected = "expected {\"effects\": [...]} or {\"refused\": \"RULE-ID\"}";
    if let Some(rule) = r.get("refused") {
        if let Err(e) = serde_json::from_value::<WireRule>(rule.clone()) {
            found.push(format!("{at}.refused: {e}"));
        }
        return;
    }
    match r.get("effects") {
        Some(Value::Array(effects)) => {
            for (j, e) in effects.iter().enumerate() {
                let at = format!("{at}.effects[{j}]");
                match e.get("type") {
                    Some(Value::String(t)) => {
                        if let Err(err) = serde_json::from_value::<WireEffect>(e.clone()) {
                            found.push(format!("{at} ({t}): {err}"));
                        }
                    }
                    _ => found.push(format!(
                        "{at}: expected an object with a \"type\" string, got {}",
                        short(e)
                    )),
                }
            }
        }
        Some(other) => found.push(format!(
            "{at}.effects: expected an array, got {}",
            short(other)
        )),
        None => found.push(format!("{at}: {expected}, got {}", short(r))),
    }
}

/// A value as JSON, cut to 120 characters.
fn short(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(120) {
        Some((k, _)) => format!("{}…", &s[..k]),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::protocol::BatchResults;

    fn read(text: &str) -> Result<BatchResults, String> {
        let v: Value = serde_json::from_str(text).unwrap();
        serde_json::from_value::<BatchResults>(v.clone()).map_err(|_| why_not_results(&v))
    }

    #[test]
    fn unknown_fields_and_effect_types_are_read_and_skipped() {
        let r = read(
            r#"{"results":[{"effects":[{"type":"arrived","conv":"0.0","queue":0,"vendor_extra":1},
                {"type":"vendor_event","x":1}]},{"refused":"LC-CLOSED","why":"x"}],"extra":2}"#,
        )
        .unwrap();
        let mut fx = Vec::new();
        assert!(r.results[0].to_outcome(&mut fx).is_ok());
        assert_eq!(fx.len(), 1, "the unknown type is skipped: {fx:?}");
        assert!(r.results[1].to_outcome(&mut fx).is_err());
    }

    #[test]
    fn a_bad_answer_names_every_problem_by_its_path() {
        let e = read(
            r#"{"results":[{"effects":[{"type":"invited","conv":"0.0","agent":"x","invite":1,
                "by_supervisor":false}]},{"refused":"NOPE"},{"effects":3},{"ok":1},
                {"effects":[{"conv":"0.0"}]}]}"#,
        )
        .unwrap_err();
        assert!(
            e.contains("results[0].effects[0] (invited): invalid type: string \"x\", expected u32"),
            "{e}"
        );
        assert!(
            e.contains("results[1].refused: unknown rule id \"NOPE\""),
            "{e}"
        );
        assert!(
            e.contains("results[2].effects: expected an array, got 3"),
            "{e}"
        );
        assert!(
            e.contains("results[3]: expected {\"effects\": [...]} or {\"refused\""),
            "{e}"
        );
        assert!(
            e.contains("results[4].effects[0]: expected an object with a \"type\""),
            "{e}"
        );
        assert!(!e.contains("untagged"), "{e}");
        let e = read(r#"{"results":[{"effects":[{"type":"arrived","conv":"0.0"}]}]}"#).unwrap_err();
        assert_eq!(e, "results[0].effects[0] (arrived): missing field `queue`");
        assert_eq!(
            read(r#"{"x":1}"#).unwrap_err(),
            "expected {\"results\": [...]}, got {\"x\":1}"
        );
    }
}
