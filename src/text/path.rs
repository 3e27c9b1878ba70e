//! Metric paths into a JSON report (`summary.json`, `load.json`): `wait_s.p90`,
//! `queues.a.b.arrived`, `policies."sup/p".given_up`. A path is keys joined by dots; a key in
//! double quotes is taken whole (it may hold dots and slashes; `\"` and `\\` inside it stand for
//! `"` and `\`), and an unquoted run of keys matches an object's key holding dots too, the
//! longest first (`queues.a.b.arrived` finds the queue `a.b`). A number names an array element
//! (`ramp.0.rate_per_s`).
//!
//! [`split`] reads a path, [`resolve`] finds the value it names, [`render`] writes keys as a path
//! (quoting those with a dot, a slash or a quote), [`leaves`] lists the paths of every number,
//! boolean and `null` of a value.
//!
//! A foundation module: it imports nothing from the crate.

use serde_json::Value;

/// One key of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// Written without quotes: a run of them may also match one key holding dots.
    Plain(String),
    /// Written in double quotes: exactly this key.
    Quoted(String),
}

/// A path that could not be read: what is wrong, at which character (0-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    /// Character offset in the path.
    pub at: usize,
    /// What was expected.
    pub message: String,
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.at + 1)
    }
}

/// Reads a path into its keys. Errors: a quote left open, text right after a closing quote
/// (another key must follow a dot).
pub fn split(path: &str) -> Result<Vec<Key>, PathError> {
    let chars: Vec<char> = path.chars().collect();
    let mut keys = Vec::new();
    let mut i = 0;
    if chars.is_empty() {
        return Ok(keys);
    }
    loop {
        if chars.get(i) == Some(&'"') {
            let open = i;
            let mut key = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(PathError {
                            at: open,
                            message: "a quoted key is not closed (expected a closing \")".into(),
                        })
                    }
                    Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                        key.push(chars[i + 1]);
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        key.push(c);
                        i += 1;
                    }
                }
            }
            keys.push(Key::Quoted(key));
            match chars.get(i) {
                None => return Ok(keys),
                Some('.') => i += 1,
                Some(_) => {
                    return Err(PathError {
                        at: i,
                        message: "expected a dot after a quoted key".into(),
                    })
                }
            }
        } else {
            let start = i;
            while i < chars.len() && chars[i] != '.' {
                i += 1;
            }
            keys.push(Key::Plain(chars[start..i].iter().collect()));
            if i == chars.len() {
                return Ok(keys);
            }
            i += 1;
        }
    }
}

/// The value `keys` name in `v`, or `None` when there is none. An unquoted run of keys matches
/// an object's key holding dots, the longest first, going back to shorter ones when the rest of
/// the path is not found under the longer.
pub fn resolve<'a>(v: &'a Value, keys: &[Key]) -> Option<&'a Value> {
    let Some(first) = keys.first() else {
        return Some(v);
    };
    match v {
        Value::Object(obj) => match first {
            Key::Quoted(k) => resolve(obj.get(k)?, &keys[1..]),
            Key::Plain(_) => {
                let plain = keys
                    .iter()
                    .take_while(|k| matches!(k, Key::Plain(_)))
                    .count();
                for n in (1..=plain).rev() {
                    let joined = keys[..n]
                        .iter()
                        .map(|k| match k {
                            Key::Plain(s) | Key::Quoted(s) => s.as_str(),
                        })
                        .collect::<Vec<_>>()
                        .join(".");
                    if let Some(found) = obj.get(&joined).and_then(|c| resolve(c, &keys[n..])) {
                        return Some(found);
                    }
                }
                None
            }
        },
        Value::Array(items) => match first {
            Key::Plain(k) => resolve(items.get(k.parse::<usize>().ok()?)?, &keys[1..]),
            Key::Quoted(_) => None,
        },
        _ => None,
    }
}

/// Whether a key must be quoted in a path: it holds a dot, a slash, a quote or a backslash, or
/// is empty.
fn needs_quotes(key: &str) -> bool {
    key.is_empty() || key.contains(['.', '/', '"', '\\'])
}

/// Keys written as a path, each holding a dot, a slash or a quote in double quotes:
/// `["policies", "sup/p", "given_up"]` → `policies."sup/p".given_up`.
pub fn render<S: AsRef<str>>(keys: &[S]) -> String {
    keys.iter()
        .map(|k| {
            let k = k.as_ref();
            if needs_quotes(k) {
                format!("\"{}\"", k.replace('\\', "\\\\").replace('"', "\\\""))
            } else {
                k.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Every number, boolean and `null` under `v`, as its keys (array elements by their index), in
/// the value's order.
pub fn leaves(v: &Value) -> Vec<Vec<String>> {
    fn walk(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(obj) => {
                for (k, c) in obj {
                    at.push(k.clone());
                    walk(c, at, out);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, c) in items.iter().enumerate() {
                    at.push(i.to_string());
                    walk(c, at, out);
                    at.pop();
                }
            }
            Value::Number(_) | Value::Bool(_) | Value::Null => out.push(at.clone()),
            Value::String(_) => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn find<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
        resolve(v, &split(path).unwrap())
    }

    #[test]
    fn quoted_keys_hold_dots_and_slashes() {
        let v = json!({
            "policies": { "sup/p": { "given_up": 3 }, "a.b/c.d": { "given_up": 4 } },
            "queues": { "a.b": { "arrived": 5 }, "a": { "b": { "x": 6 } } },
            "ramp": [ { "rate_per_s": 7 } ],
        });
        assert_eq!(find(&v, "policies.\"sup/p\".given_up"), Some(&json!(3)));
        assert_eq!(find(&v, "policies.sup/p.given_up"), Some(&json!(3)));
        assert_eq!(find(&v, "policies.\"a.b/c.d\".given_up"), Some(&json!(4)));
        assert_eq!(find(&v, "policies.a.b/c.d.given_up"), Some(&json!(4)));
        assert_eq!(find(&v, "queues.a.b.arrived"), Some(&json!(5)));
        assert_eq!(find(&v, "queues.\"a.b\".arrived"), Some(&json!(5)));
        assert_eq!(
            find(&v, "queues.a.b.x"),
            Some(&json!(6)),
            "back to shorter keys"
        );
        assert_eq!(find(&v, "queues.\"a\".\"b\".x"), Some(&json!(6)));
        assert_eq!(find(&v, "queues.\"a.b\".x"), None, "a quoted key is exact");
        assert_eq!(find(&v, "ramp.0.rate_per_s"), Some(&json!(7)));
        assert_eq!(find(&v, "ramp.1.rate_per_s"), None);
        assert_eq!(find(&v, "policies.\"sup\".given_up"), None);
    }

    #[test]
    fn bad_paths_say_where() {
        let e = split("policies.\"sup/p.given_up").unwrap_err();
        assert_eq!(e.at, 9);
        assert!(e.message.contains("not closed"), "{e}");
        let e = split("policies.\"sup/p\"x.given_up").unwrap_err();
        assert!(e.message.contains("expected a dot"), "{e}");
        assert_eq!(
            split("a.\"b\\\"c\"").unwrap(),
            vec![Key::Plain("a".into()), Key::Quoted("b\"c".into())]
        );
    }

    #[test]
    fn rendered_paths_read_back() {
        let v = json!({ "p": { "s/x": { "n": 1 }, "a.b": null, "q\"r": true }, "t": [2] });
        let all = leaves(&v);
        assert_eq!(all.len(), 4);
        for keys in all {
            let p = render(&keys);
            assert!(find(&v, &p).is_some(), "{p}");
        }
        assert_eq!(
            render(&["policies", "sup/p", "given_up"]),
            "policies.\"sup/p\".given_up"
        );
        assert_eq!(render(&["a", "q\"r"]), "a.\"q\\\"r\"");
    }
}
