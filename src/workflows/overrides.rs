//! Scenario overrides at the TOML level: set a dotted key path in the file's text and load the
//! result like any scenario file (so every validation still applies).
//!
//! In arrays of tables (`agent_groups`, `queues`, `workstreams`, `supervisors`, …) the segment
//! after the array's key is the element's `name`: `agent_groups.tier1.count`. Names may hold
//! dots (the longest matching name wins); an assignment rule without a `name` goes by its
//! default `rule-N`; any element, named or not, by its 1-based position
//! (`queues.general.overflow.2.after`). A missing final key is added. The text is edited in
//! place (`toml_edit`: comments, order and line numbers of everything else are kept, so a
//! diagnostic about the edited text can point to the user's file, [`line_map`], [`located`]).

use toml_edit::{DocumentMut, Item, TableLike, Value};

/// Sets `path` to `value` in `table`, keeping the decoration (spaces, trailing comment) of a
/// value it replaces.
pub fn set(table: &mut dyn TableLike, path: &str, value: Value) -> Result<(), String> {
    let segs: Vec<&str> = path.split('.').collect();
    set_in(table, &segs, &value).map_err(|e| format!("{path}: {e}"))
}

fn name_of(t: &dyn TableLike) -> Option<&str> {
    t.get("name").and_then(Item::as_str)
}

fn set_in(table: &mut dyn TableLike, segs: &[&str], value: &Value) -> Result<(), String> {
    let (key, rest) = (segs[0], &segs[1..]);
    if rest.is_empty() {
        let mut v = value.clone();
        match table.get_mut(key) {
            Some(Item::Value(old)) => {
                *v.decor_mut() = old.decor().clone();
                *old = v;
            }
            _ => {
                table.insert(key, Item::Value(v));
            }
        }
        return Ok(());
    }
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    let Some(item) = table.get_mut(key) else {
        let hint = crate::scenario::closest(key, keys.iter().map(String::as_str))
            .map(|c| format!(" (did you mean {c:?}?)"))
            .unwrap_or_default();
        return Err(format!("no key {key}{hint}"));
    };
    // The elements of an array of tables (`[[x]]`) or of inline tables (`x = [{…}]`).
    let elements: Vec<&mut dyn TableLike> = match item {
        Item::ArrayOfTables(a) => a.iter_mut().map(|t| t as &mut dyn TableLike).collect(),
        Item::Value(Value::Array(a)) => a
            .iter_mut()
            .filter_map(|v| v.as_inline_table_mut().map(|t| t as &mut dyn TableLike))
            .collect(),
        other => {
            return match other.as_table_like_mut() {
                Some(t) => set_in(t, rest, value),
                None => Err(format!("{key} is not a table")),
            }
        }
    };
    let names: Vec<String> = elements
        .iter()
        .filter_map(|t| name_of(&**t).map(str::to_string))
        .collect();
    // The longest name made of the next segments.
    let mut elements = elements;
    for take in (1..rest.len()).rev() {
        let name = rest[..take].join(".");
        if let Some(t) = elements
            .iter_mut()
            .find(|t| name_of(&***t) == Some(name.as_str()))
        {
            return set_in(&mut **t, &rest[take..], value);
        }
    }
    // An assignment rule without a `name` goes by its default, `rule-N` (N from 1), as in
    // `summary.json`'s `routing.by_rule`.
    if key == "assignment_rules" && rest.len() > 1 {
        let n = rest[0]
            .strip_prefix("rule-")
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(t) = n
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| elements.get_mut(i))
            .filter(|t| name_of(&***t).is_none())
        {
            return set_in(&mut **t, &rest[1..], value);
        }
    }
    // Any element by its 1-based position (overflow and prioritization rules have no name).
    let count = elements.len();
    if rest.len() > 1 {
        if let Some(t) = rest[0]
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| elements.get_mut(i))
        {
            return set_in(&mut **t, &rest[1..], value);
        }
    }
    let hint = crate::scenario::closest(rest[0], names.iter().map(String::as_str))
        .map(|c| format!("did you mean {c:?}? "))
        .unwrap_or_default();
    Err(format!(
        "no element of {key} named {:?} ({hint}names: {}; or a position 1–{count})",
        rest[0],
        names.join(", ")
    ))
}

/// The scenario text with every `(path, value)` set (see [`super::grid::Vary::toml`] for how a
/// sweep value becomes a TOML value). Everything else keeps its place, so a line of the result
/// is the same line of `text` unless an override changed it or added it (see [`line_map`]).
pub fn apply(text: &str, sets: &[(&str, Value)]) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    for (path, v) in sets {
        set(doc.as_table_mut(), path, v.clone())?;
    }
    Ok(doc.to_string())
}

/// For each line of `edited` (an [`apply`] result of `original`), the 1-based line of
/// `original` it is, or `None` for a line an override changed or added.
pub fn line_map(original: &str, edited: &str) -> Vec<Option<usize>> {
    let o: Vec<&str> = original.lines().collect();
    let e: Vec<&str> = edited.lines().collect();
    let mut map = Vec::with_capacity(e.len());
    let mut j = 0;
    for (i, line) in e.iter().enumerate() {
        if o.get(j) == Some(line) {
            map.push(Some(j + 1));
            j += 1;
        } else if e.get(i + 1).is_some() && e.get(i + 1) == o.get(j) {
            map.push(None); // added
        } else {
            map.push(None); // changed
            j += 1;
        }
    }
    map
}

/// The validation report of a point, each problem placed where the user can fix it: a line of
/// the scenario file (as the user wrote it), or the `--vary` value when the problem is in a
/// line an override changed or added. `original` is the scenario file's text (named `origin`),
/// `edited` it with the overrides `sets` (`path`, value shown) applied, `err` the edited text's
/// load error.
pub fn located(
    original: &str,
    origin: &str,
    edited: &str,
    sets: &[(&str, String)],
    err: crate::scenario::LoadError,
) -> String {
    let map = line_map(original, edited);
    let lines: Vec<&str> = edited.lines().collect();
    let mut out: Vec<String> = Vec::new();
    for mut d in err.diagnostics {
        // Only the scenario file's lines moved: a CSV file's line stays its own (a roster's
        // line 3 was shown as the `--vary` of the scenario's line 3).
        if d.file != origin {
            out.push(d.to_string());
            continue;
        }
        if let Some(l) = d.line {
            // A position past the last line (the end of the file) keeps its shift.
            let shift = map.len() as i64 - original.lines().count() as i64;
            match l.checked_sub(1).map(|i| map.get(i).copied()) {
                Some(Some(Some(orig))) => d.line = Some(orig),
                None | Some(None) => d.line = Some((l as i64 - shift).max(1) as usize),
                Some(Some(None)) => {
                    // The override whose key the line sets (the only one, or every one).
                    let text = lines.get(l - 1).copied().unwrap_or("");
                    let key_of = |p: &str| p.rsplit('.').next().unwrap_or(p).to_string();
                    let sets_key = |p: &str| {
                        let k = key_of(p);
                        let t = text.trim_start();
                        t.strip_prefix(k.as_str())
                            .is_some_and(|r| r.trim_start().starts_with('='))
                            || text.contains(&format!("{k} ="))
                    };
                    let mine: Vec<String> = sets
                        .iter()
                        .filter(|(p, _)| sets.len() == 1 || sets_key(p))
                        .map(|(p, v)| format!("{p}={v}"))
                        .collect();
                    d.file = format!("--vary {}", mine.join(", "));
                    d.line = None;
                    d.column = None;
                }
            }
        }
        out.push(d.to_string());
    }
    out.join("\n")
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
                ("agent_groups.a.b.count", Value::from(7)),
                ("scenario.seed", Value::from(3)),
            ],
        )
        .unwrap();
        let t: toml::Table = out.parse().unwrap();
        assert_eq!(t["agent_groups"][0]["count"].as_integer(), Some(7));
        assert_eq!(t["agent_groups"][1]["count"].as_integer(), Some(2));
        assert_eq!(t["scenario"]["seed"].as_integer(), Some(3));
        assert!(apply(text, &[("agent_groups.zz.count", Value::from(1))])
            .unwrap_err()
            .contains("named \"zz\""));
    }

    /// A string value in an array of inline tables named by `name` (an assignment rule).
    #[test]
    fn sets_strings_in_nested_arrays_of_tables() {
        let text = "[[queues]]\nname = \"g\"\n[[queues.assignment_rules]]\nname = \"fit\"\n\
                    order_by = \"available_capacity\"  # keep\n";
        let out = apply(
            text,
            &[(
                "queues.g.assignment_rules.fit.order_by",
                Value::from("most_proficient"),
            )],
        )
        .unwrap();
        assert!(
            out.ends_with("order_by = \"most_proficient\"  # keep\n"),
            "{out}"
        );
        // An unnamed rule goes by its default name `rule-N`.
        let text = "[[queues]]\nname = \"g\"\n[[queues.assignment_rules]]\nname = \"a\"\n\
                    [[queues.assignment_rules]]\nskills = \"any\"\n";
        let set = |p: &str| apply(text, &[(p, Value::from("round_robin"))]);
        let out = set("queues.g.assignment_rules.rule-2.order_by").unwrap();
        assert!(
            out.ends_with("skills = \"any\"\norder_by = \"round_robin\"\n"),
            "{out}"
        );
        assert!(set("queues.g.assignment_rules.rule-1.order_by").is_err());
        assert!(set("queues.g.assignment_rules.rule-3.order_by").is_err());
    }

    /// The edit keeps comments and lines in place: a changed value stays on its line (its
    /// trailing comment kept), an added key is one new line, and `line_map` sends every other
    /// line back to the user's line.
    #[test]
    fn unnamed_elements_by_position() {
        let text = "[[queues]]\nname = \"g\"\n\n[[queues.overflow]]\nwhen = \"out_of_hours\"\naction = \"end\"\n\n[[queues.overflow]]\nwhen = \"waited_over\"\nafter = \"5m\"\naction = \"end\"\n";
        let out = apply(text, &[("queues.g.overflow.2.after", Value::from("10m"))]).unwrap();
        assert!(out.contains("after = \"10m\""), "{out}");
        assert!(!out.contains("5m"), "{out}");
        let e = apply(text, &[("queues.g.overflow.3.after", Value::from("1m"))]).unwrap_err();
        assert!(e.contains("or a position 1–2"), "{e}");
    }

    #[test]
    fn edits_in_place_and_maps_lines_back() {
        let text = "# head\n[scenario]\nname = \"x\"\n\n[[agent_groups]]\nname = \"a\"\n\
                    count = 2   # two\ncapacity = 100\n";
        let out = apply(
            text,
            &[
                ("agent_groups.a.count", Value::from(0)),
                ("scenario.seed", Value::from(3)),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "# head\n[scenario]\nname = \"x\"\nseed = 3\n\n[[agent_groups]]\nname = \"a\"\n\
             count = 0   # two\ncapacity = 100\n"
        );
        assert_eq!(
            line_map(text, &out),
            vec![
                Some(1),
                Some(2),
                Some(3),
                None,
                Some(4),
                Some(5),
                Some(6),
                None,
                Some(8)
            ]
        );
    }
}
