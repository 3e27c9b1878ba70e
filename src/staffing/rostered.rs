//! `DIR/rostered.toml`: the user's scenario with the roster in place of the staffed group,
//! runnable as it is (`omnisim run DIR/rostered.toml`).
//!
//! The file is the scenario's own text edited in place with `toml_edit` (comments and order
//! kept): the staffed group keeps its place with `count = 0` (so the other groups' agents keep
//! their ids), `[traffic] roster` names the roster file beside it, and the paths of `[traffic]`
//! (replay, forecast) are made relative to the folder `rostered.toml` is written to, as the
//! roster's is, so the scenario's project moved or copied as a whole still runs (they were
//! absolute: issue 25, twelfth tester); absolute only where no relative path exists (another
//! drive).

use std::path::Path;

use toml_edit::{value, DocumentMut, Item, Table};

/// Why `rostered.toml` could not be written.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RosteredError {
    /// The scenario text did not parse (it did when it was loaded: the file changed).
    #[error("the scenario file no longer parses: {0}")]
    Parse(String),
    /// The staffed group is not in the file's `[[agent_groups]]`.
    #[error("agent group {0:?} is not in the scenario file")]
    Group(String),
    /// The scenario already has a `[traffic] roster`: the two rosters would have to be merged.
    #[error("the scenario already has a [traffic] roster; rostered.toml would replace it, so it is not written")]
    HasRoster,
}

/// The text of `rostered.toml` for the scenario at `scenario_path` (its text `text`), with
/// group `group` replaced by the roster file `roster_file` (a path relative to `out_dir`, the
/// folder `rostered.toml` is written to; the `[traffic]` files are named relative to it too).
pub fn rostered_toml(
    scenario_path: &Path,
    text: &str,
    group: &str,
    roster_file: &str,
    out_dir: &Path,
) -> Result<String, RosteredError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| RosteredError::Parse(e.to_string()))?;
    let groups = doc
        .get_mut("agent_groups")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| RosteredError::Group(group.to_string()))?;
    let g = groups
        .iter_mut()
        .find(|t| t.get("name").and_then(Item::as_str) == Some(group))
        .ok_or_else(|| RosteredError::Group(group.to_string()))?;
    g["count"] = value(0);
    g.remove("shift");
    g.remove("breaks");
    let dir = scenario_path
        .parent()
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        })
        .unwrap_or(Path::new("."));
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let absolute = |p: &str| -> String {
        let path = dir.join(p);
        crate::workflows::inputs::relative(out_dir, &path)
            .unwrap_or_else(|| path.display().to_string())
    };
    if doc.get("traffic").is_none() {
        doc["traffic"] = Item::Table(Table::new());
    }
    let traffic = doc["traffic"]
        .as_table_like_mut()
        .ok_or_else(|| RosteredError::Parse("[traffic] is not a table".into()))?;
    if traffic.get("roster").is_some() {
        return Err(RosteredError::HasRoster);
    }
    for key in ["replay", "forecast"] {
        let Some(item) = traffic.get_mut(key) else {
            continue;
        };
        if let Some(s) = item.as_str().map(str::to_string) {
            *item = value(absolute(&s));
        } else if let Some(t) = item.as_table_like_mut() {
            if let Some(f) = t.get("file").and_then(Item::as_str).map(str::to_string) {
                t.insert("file", value(absolute(&f)));
            }
        }
    }
    traffic.insert("roster", value(roster_file));
    Ok(format!(
        "# Written by omnisim staff: {} with group {group:?} replaced by {roster_file}\n{doc}",
        scenario_path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_group_and_keeps_the_rest() {
        let text = "[scenario]\nname = \"x\" # kept\n\n[[agent_groups]]\nname = \"a\"\ncount = 5\nqueues = [\"q\"]\n\n[[agent_groups]]\nname = \"b\"\ncount = 2\nqueues = [\"q\"]\n\n[traffic]\nforecast = { file = \"data/f.csv\", queue = \"q\" }\n";
        let out = rostered_toml(
            Path::new("/s/x.toml"),
            text,
            "a",
            "roster.csv",
            Path::new("/s/out"),
        )
        .unwrap();
        let doc: DocumentMut = out.parse().unwrap();
        let g = doc["agent_groups"].as_array_of_tables().unwrap();
        assert_eq!(g.get(0).unwrap()["count"].as_integer(), Some(0));
        assert_eq!(g.get(1).unwrap()["count"].as_integer(), Some(2));
        assert_eq!(doc["traffic"]["roster"].as_str(), Some("roster.csv"));
        // Relative to the folder rostered.toml is written to, as the roster is.
        assert_eq!(
            doc["traffic"]["forecast"]["file"].as_str(),
            Some("../data/f.csv")
        );
        assert!(out.contains("# kept"));
        assert_eq!(
            rostered_toml(Path::new("x.toml"), text, "c", "r.csv", Path::new(".")),
            Err(RosteredError::Group("c".into()))
        );
    }
}
