//! Scenario overrides at the TOML level: set a dotted key path in the file's text, re-serialize,
//! and load the result like any scenario file (so every validation still applies).
//!
//! In arrays of tables (`agent_groups`, `queues`, `workstreams`, `supervisors`, …) the segment
//! after the array's key is the element's `name`: `agent_groups.tier1.count`. Names may hold
//! dots (the longest matching name wins). A missing final key is added.

use toml::{Table, Value};

/// Sets `path` to `value` in `table`.
pub fn set(table: &mut Table, path: &str, value: Value) -> Result<(), String> {
    let segs: Vec<&str> = path.split('.').collect();
    set_in(table, &segs, value).map_err(|e| format!("{path}: {e}"))
}

fn set_in(table: &mut Table, segs: &[&str], value: Value) -> Result<(), String> {
    let (key, rest) = (segs[0], &segs[1..]);
    if rest.is_empty() {
        table.insert(key.to_string(), value);
        return Ok(());
    }
    match table.get_mut(key) {
        Some(Value::Table(t)) => set_in(t, rest, value),
        Some(Value::Array(items)) => {
            // The longest name made of the next segments.
            for take in (1..rest.len()).rev() {
                let name = rest[..take].join(".");
                let found = items.iter_mut().find_map(|it| match it {
                    Value::Table(t) if t.get("name").and_then(Value::as_str) == Some(&name) => {
                        Some(t)
                    }
                    _ => None,
                });
                if let Some(t) = found {
                    return set_in(t, &rest[take..], value);
                }
            }
            let names: Vec<&str> = items
                .iter()
                .filter_map(|it| it.get("name").and_then(Value::as_str))
                .collect();
            let hint = crate::scenario::closest(rest[0], names.iter().copied())
                .map(|c| format!("did you mean {c:?}? "))
                .unwrap_or_default();
            Err(format!(
                "no element of {key} named {:?} ({hint}names: {})",
                rest[0],
                names.join(", ")
            ))
        }
        Some(_) => Err(format!("{key} is not a table")),
        None => {
            let hint = crate::scenario::closest(key, table.keys().map(String::as_str))
                .map(|c| format!(" (did you mean {c:?}?)"))
                .unwrap_or_default();
            Err(format!("no key {key}{hint}"))
        }
    }
}

/// The scenario text with every `(path, value)` set; integers are written as TOML integers.
pub fn apply(text: &str, sets: &[(&str, f64, bool)]) -> Result<String, String> {
    let mut table: Table = text.parse().map_err(|e| format!("{e}"))?;
    for (path, v, integer) in sets {
        let value = if *integer {
            Value::Integer(*v as i64)
        } else {
            Value::Float(*v)
        };
        set(&mut table, path, value)?;
    }
    toml::to_string(&table).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_by_name_in_arrays() {
        let text = "[scenario]\nname = \"x\"\n[[agent_groups]]\nname = \"a.b\"\ncount = 1\n\
                    [[agent_groups]]\nname = \"c\"\ncount = 2\n";
        let out = apply(
            text,
            &[
                ("agent_groups.a.b.count", 7.0, true),
                ("scenario.seed", 3.0, true),
            ],
        )
        .unwrap();
        let t: Table = out.parse().unwrap();
        assert_eq!(t["agent_groups"][0]["count"].as_integer(), Some(7));
        assert_eq!(t["agent_groups"][1]["count"].as_integer(), Some(2));
        assert_eq!(t["scenario"]["seed"].as_integer(), Some(3));
        assert!(apply(text, &[("agent_groups.zz.count", 1.0, true)])
            .unwrap_err()
            .contains("named \"zz\""));
    }
}
