//! The conformance cases as data: `src/conform/cases/*.toml`, compiled in. `bases.toml` holds
//! the base scenarios (`[bases.NAME] scenario = '''…'''`); every other file holds cases (`[[cases]]`: a rule id, a
//! name, a base, an optional `patch` deep-merged into the base — tables key by key, arrays of
//! tables element by element — and `steps`).
//!
//! A step sends one command (`send`, a protocol v1 command object) at `at` milliseconds (default:
//! the previous step's time) and states what the rule defines about its result (`expect`):
//! `{ refused = "RULE-ID" }`, or `{ effects = [patterns], absent = [patterns] }` (applied; each
//! pattern matches a distinct effect holding at least its fields with equal values; no effect
//! matches an `absent` pattern). A step without `expect` must be applied (any effects).
//! `"c0"`, `"c1"`, … in a command's `conv` or a pattern's `conv` stand for the conversations of
//! the case in the order of their `arrived` effects; in a command's `invite` for the latest
//! invitation (`invited` effect) of that conversation. An `arrive` may carry `attributes = {
//! tier = "vip" }` (one value per attribute of the queue's work stream) in place of a `tag`: the
//! tag the engine's setup answer lists for them (`tags`) is sent.

use serde::Deserialize;
use serde_json::Value;

/// The base scenarios (`[bases.NAME] scenario = '''…'''`), shared by every case file.
pub const BASES: &str = include_str!("cases/bases.toml");

/// The case files, by name (compiled in).
pub const FILES: &[(&str, &str)] = &[
    ("lifecycle.toml", include_str!("cases/lifecycle.toml")),
    ("capacity.toml", include_str!("cases/capacity.toml")),
    ("routing.toml", include_str!("cases/routing.toml")),
    ("supervisor.toml", include_str!("cases/supervisor.toml")),
    ("assign.toml", include_str!("cases/assign.toml")),
    ("overflow.toml", include_str!("cases/overflow.toml")),
    ("unified.toml", include_str!("cases/unified.toml")),
];

/// One step: a command at a time and what its result must show.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Simulated time, ms (default: the previous step's, 0 for the first).
    #[serde(default)]
    pub at: Option<u64>,
    /// The command, as protocol v1 writes it, with `"cN"` placeholders.
    pub send: Value,
    /// What the rule defines about the result (default: applied).
    #[serde(default)]
    pub expect: Expect,
}

/// What a step's result must show.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Refused with this rule id.
    #[serde(default)]
    pub refused: Option<String>,
    /// Applied, with effects matching these patterns (each a distinct effect).
    #[serde(default)]
    pub effects: Vec<Value>,
    /// Applied, with no effect matching any of these.
    #[serde(default)]
    pub absent: Vec<Value>,
}

/// One case of one rule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The rule id it checks.
    pub rule: String,
    /// What it shows, in a few words.
    pub name: String,
    /// The base scenario's name.
    pub base: String,
    /// Merged into the base (e.g. `{ engine = { monitor_enabled = false } }`).
    #[serde(default)]
    pub patch: Option<toml::Table>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The scenario text sent as the setup (filled in by [`load`]).
    #[serde(skip)]
    pub scenario: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Bases {
    bases: toml::Table,
}

/// Every case of every file, in file order, with its scenario text built. Errors (a broken
/// case file: a bug of omnisim, caught by its tests): the file and what is wrong.
pub fn load() -> Result<Vec<Case>, String> {
    let bases: Bases = toml::from_str(BASES).map_err(|e| format!("bases.toml: {e}"))?;
    let mut all = Vec::new();
    for (name, text) in FILES {
        let file: File = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        for mut case in file.cases {
            let base = bases
                .bases
                .get(&case.base)
                .and_then(|b| b.get("scenario"))
                .and_then(toml::Value::as_str)
                .ok_or_else(|| format!("{name}: case {:?}: no base {:?}", case.name, case.base))?;
            let mut table: toml::Table =
                toml::from_str(base).map_err(|e| format!("{name}: base {:?}: {e}", case.base))?;
            if let Some(p) = &case.patch {
                merge(&mut table, p);
            }
            case.scenario = toml::to_string(&table)
                .map_err(|e| format!("{name}: case {:?}: {e}", case.name))?;
            all.push(case);
        }
    }
    Ok(all)
}

/// Deep merge: tables key by key, arrays of tables element by element (extra elements
/// appended), anything else replaced.
fn merge(into: &mut toml::Table, patch: &toml::Table) {
    for (k, v) in patch {
        match (into.get_mut(k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            (Some(toml::Value::Array(a)), toml::Value::Array(b))
                if b.iter().all(toml::Value::is_table) && a.iter().all(toml::Value::is_table) =>
            {
                for (i, item) in b.iter().enumerate() {
                    match (a.get_mut(i), item) {
                        (Some(toml::Value::Table(x)), toml::Value::Table(y)) => merge(x, y),
                        _ => a.push(item.clone()),
                    }
                }
            }
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_loads_and_its_scenario_validates() {
        let cases = load().unwrap();
        assert!(!cases.is_empty());
        for c in &cases {
            let sc = crate::scenario::load_str(&c.scenario, &c.name);
            assert!(sc.is_ok(), "{} / {}: {:?}", c.rule, c.name, sc.err());
            assert!(!c.steps.is_empty(), "{}", c.name);
        }
    }

    #[test]
    fn merge_is_deep_and_element_wise() {
        let mut a: toml::Table =
            toml::from_str("[engine]\nx = 1\ny = 2\n[[w]]\nn = 1\nm = 1\n[[w]]\nn = 2\n").unwrap();
        let b: toml::Table = toml::from_str("engine = { y = 3 }\nw = [{ m = 5 }]\n").unwrap();
        merge(&mut a, &b);
        assert_eq!(a["engine"]["x"].as_integer(), Some(1));
        assert_eq!(a["engine"]["y"].as_integer(), Some(3));
        assert_eq!(a["w"][0]["m"].as_integer(), Some(5));
        assert_eq!(a["w"][0]["n"].as_integer(), Some(1));
        assert_eq!(a["w"][1]["n"].as_integer(), Some(2));
    }
}
