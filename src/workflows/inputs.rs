//! What a shard read: the content hash of its scenario file and of every `[traffic]` CSV file
//! it read, so `omnisim merge` refuses shards computed from different inputs (a forecast
//! re-exported between shard 1 and shard 2) and inputs changed since the shards ran.
//!
//! The hash is FNV-1a over 128 bits, written `fnv1a128:<32 hex digits>`: not cryptographic (it
//! guards against accidents, not against an adversary), in-crate, stable across platforms and
//! versions.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;

/// One input file a shard read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// `"scenario"`, or the `[traffic]` key that names the file (`"traffic.forecast"`).
    pub key: String,
    /// The path as written: the scenario's as given on the command line, a CSV's as in
    /// `[traffic]` (relative to the scenario file's folder).
    pub file: String,
    /// [`hash_bytes`] of its contents.
    pub hash: String,
}

/// FNV-1a (128-bit) of `bytes`, as `fnv1a128:` and 32 lowercase hex digits.
pub fn hash_bytes(bytes: &[u8]) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let h = bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u128::from(b)).wrapping_mul(PRIME));
    format!("fnv1a128:{h:032x}")
}

/// The absolute path of the scenario file `path` (canonical when it exists), so a merge run
/// from any folder finds the scenario's CSV files where the shard did.
pub fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

/// The path of `target` relative to the folder `base` (both made [`absolute`]), e.g.
/// `../scenario.toml`: recorded in a shard so the merge finds the scenario beside the shard
/// folder wherever the project folder has moved. `None` when there is no relative path (another
/// drive).
pub fn relative(base: &Path, target: &Path) -> Option<String> {
    use std::path::Component;
    let (base, target) = (absolute(base), absolute(target));
    let b: Vec<Component<'_>> = base.components().collect();
    let t: Vec<Component<'_>> = target.components().collect();
    if b.first() != t.first() {
        return None;
    }
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut rel = PathBuf::new();
    for _ in common..b.len() {
        rel.push("..");
    }
    for c in &t[common..] {
        rel.push(c.as_os_str());
    }
    Some(rel.to_string_lossy().into_owned())
}

/// Where the merge reads the scenario's `[traffic]` files from: beside the scenario as it lies
/// now relative to the shard folder `found_in` (`from_shard`, recorded by the shard), when that
/// file exists; else at the absolute path the shard ran from (`recorded`). The files found are
/// then checked by content hash ([`unchanged`]), so a moved project folder merges (another
/// machine, other mount paths) and a changed file is still refused.
pub fn locate(recorded: &str, found_in: Option<&Path>, from_shard: Option<&str>) -> String {
    if let (Some(dir), Some(rel)) = (found_in, from_shard) {
        let here = dir.join(rel);
        if here.is_file() {
            return here.display().to_string();
        }
    }
    recorded.to_string()
}

/// [`locate`] over every shard (each `(recorded, found_in, from_shard)`): the scenario beside
/// the first shard folder that has it (shards copied to other machines each record their own
/// path), else the first recorded absolute path that exists, else the first shard's recorded
/// path. So a merge works when any one shard's project folder is still where it was.
pub fn locate_among(shards: &[(&str, Option<&Path>, Option<&str>)]) -> String {
    for &(_, dir, rel) in shards {
        if let (Some(dir), Some(rel)) = (dir, rel) {
            let here = dir.join(rel);
            if here.is_file() {
                return here.display().to_string();
            }
        }
    }
    shards
        .iter()
        .find(|(rec, ..)| Path::new(rec).is_file())
        .or(shards.first())
        .map_or_else(String::new, |(rec, ..)| rec.to_string())
}

/// The recorded `[traffic]` files that cannot be read beside the scenario at `scenario` (their
/// paths as written are relative to its folder): one line each, "cannot read …", saying why
/// the merge needs them. Empty when every file is there.
pub fn unreadable(scenario: &str, recorded: &[InputFile]) -> Vec<String> {
    let base = Path::new(scenario).parent().unwrap_or(Path::new(""));
    recorded
        .iter()
        .filter(|f| f.key != "scenario")
        .filter_map(|f| {
            let path = base.join(&f.file);
            std::fs::metadata(&path).err().map(|e| {
                format!(
                    "cannot read {} ({}, `{}` beside the scenario {scenario}): {e}; the merge \
                     rebuilds the summaries from the scenario and the files it names (checked \
                     against the content hashes the shards recorded): keep the scenario's folder \
                     beside a shard folder as it was when the shard ran, or at the path the \
                     shard ran from",
                    path.display(),
                    f.key,
                    f.file
                )
            })
        })
        .collect()
}

/// The inputs of a run: the scenario text (as read) under `origin`, then every distinct CSV
/// file the `scenarios` read (a sweep's grid points may name different files), hashed now.
///
/// Errors: a CSV file that can no longer be read, named.
pub fn record<'a>(
    text: &str,
    origin: &str,
    scenarios: impl IntoIterator<Item = &'a Scenario>,
) -> Result<Vec<InputFile>, String> {
    let mut out = vec![InputFile {
        key: "scenario".into(),
        file: origin.to_string(),
        hash: hash_bytes(text.as_bytes()),
    }];
    let mut seen: Vec<PathBuf> = Vec::new();
    for sc in scenarios {
        for (key, file, path) in &sc.traffic.files {
            if seen.contains(path) {
                continue;
            }
            seen.push(path.clone());
            // The key and the path as written too (issue 25, twelfth session).
            let bytes = std::fs::read(path).map_err(|e| {
                let written = match path.display().to_string() == *file {
                    true => String::new(),
                    false => format!(", written {file:?} in the scenario"),
                };
                format!("cannot read {} ({key}{written}): {e}", path.display())
            })?;
            out.push(InputFile {
                key: key.clone(),
                file: file.clone(),
                hash: hash_bytes(&bytes),
            });
        }
    }
    Ok(out)
}

/// Whether `a` and `b` are the same input: the same `[traffic]` key and path as written, or
/// both the scenario (its path as given may differ from shard to shard; its text is what
/// counts).
fn same(a: &InputFile, b: &InputFile) -> bool {
    a.key == b.key && (a.key == "scenario" || a.file == b.file)
}

/// Checks every shard read the first shard's inputs: one line per file whose content (or
/// presence) differs, naming the shard and the file.
pub fn agree(shards: &[(String, &[InputFile])]) -> Vec<String> {
    let mut problems = Vec::new();
    let Some((first_name, first)) = shards.first() else {
        return problems;
    };
    for (name, inputs) in &shards[1..] {
        for f in first.iter() {
            match inputs.iter().find(|g| same(f, g)) {
                Some(g) if g.hash == f.hash => {}
                Some(g) if g.file != f.file => problems.push(format!(
                    "{name} read {} and {first_name} read {} ({}, content hashes differ): \
                     the shards were computed from different input files; rerun them on one \
                     version of the file",
                    g.file, f.file, f.key
                )),
                Some(_) => problems.push(format!(
                    "{name} read another {} than {first_name} ({}, content hashes differ): \
                     the shards were computed from different input files; rerun them on one \
                     version of the file",
                    f.file, f.key
                )),
                None => problems.push(format!(
                    "{name} did not read {} ({}), which {first_name} read",
                    f.file, f.key
                )),
            }
        }
        for g in inputs.iter() {
            if !first.iter().any(|f| same(f, g)) {
                problems.push(format!(
                    "{name} read {} ({}), which {first_name} did not",
                    g.file, g.key
                ));
            }
        }
    }
    problems
}

/// Checks the files the merge just read (`now`, from [`record`]) are those the shards read:
/// one line per file changed, added or gone since.
pub fn unchanged(recorded: &[InputFile], now: &[InputFile]) -> Vec<String> {
    let mut problems = Vec::new();
    for f in recorded.iter().filter(|f| f.key != "scenario") {
        match now.iter().find(|g| same(f, g)) {
            Some(g) if g.hash == f.hash => {}
            Some(_) => problems.push(format!(
                "{} ({}) has changed since the shards read it (content hashes differ): merge \
                 with the file the shards ran on, or rerun the shards",
                f.file, f.key
            )),
            None => problems.push(format!(
                "{} ({}) was read by the shards but not by the merge",
                f.file, f.key
            )),
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_128_known_values() {
        // The FNV reference values: the empty string is the offset basis; "a" is
        // d228cb696f1a8caf78912b704e4a8964.
        assert_eq!(hash_bytes(b""), "fnv1a128:6c62272e07bb014262b821756295c58d");
        assert_eq!(
            hash_bytes(b"a"),
            "fnv1a128:d228cb696f1a8caf78912b704e4a8964"
        );
        assert_ne!(hash_bytes(b"400"), hash_bytes(b"770"));
    }

    #[test]
    fn disagreements_name_the_shard_and_the_file() {
        let f = |hash: &str| InputFile {
            key: "traffic.forecast".into(),
            file: "forecast.csv".into(),
            hash: hash.into(),
        };
        let (a, b) = (vec![f("x")], vec![f("y")]);
        let p = agree(&[("s1".into(), &a[..]), ("s2".into(), &b[..])]);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("s2 read another forecast.csv than s1"),
            "{}",
            p[0]
        );
        assert!(agree(&[("s1".into(), &a[..]), ("s2".into(), &a[..])]).is_empty());
        let p = unchanged(&a, &b);
        assert!(
            p[0].contains("forecast.csv (traffic.forecast) has changed"),
            "{}",
            p[0]
        );
        assert!(unchanged(&a, &a).is_empty());
    }

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        let rel = |b: &str, t: &str| relative(Path::new(b), Path::new(t));
        assert_eq!(
            rel("/p/out/s1", "/p/sc.toml").as_deref(),
            Some("../../sc.toml")
        );
        assert_eq!(rel("/p", "/p/in/sc.toml").as_deref(), Some("in/sc.toml"));
        assert_eq!(
            rel("/a/b", "/c/sc.toml").as_deref(),
            Some("../../c/sc.toml")
        );
    }
}
