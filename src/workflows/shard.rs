//! Sharded runs and their merge.
//!
//! Shard `K/N` (1-based: `1 ≤ K ≤ N`) runs replications `K, K+N, K+2N, …` counted from 1 —
//! replication indices `K−1, K−1+N, …` counted from 0 — and writes `shard.json`
//! (`omnisim.shard/3`): the scenario's text (so the merge rebuilds the very same scenario), its
//! absolute path (so the merge, run from any folder, reads the CSV files the shard read), the
//! content hash of every input file ([`super::inputs`]), whether `--allow-huge` was given, the
//! seed, the total replication count, and every replication's [`RepMetrics`] serialized
//! losslessly (HdrHistograms as V2 bytes in base64, `i128` integrals as strings; see
//! [`crate::metrics::lossless`]). [`merge`] checks the shards agree and cover every replication
//! exactly once, orders them, and returns the [`RunOutput`] one machine would have produced, so
//! `report::build` gives the same `summary.json` (apart from the wall-clock `engine` object).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::inputs::{self, InputFile};
use crate::metrics::RepMetrics;
use crate::scenario::{self, Scenario};
use crate::sim::{self, RunOptions, RunOutput};

/// The `format` tag of `shard.json`.
pub const FORMAT: &str = "omnisim.shard/3";

/// `shard.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The omnisim version that wrote it (shards of different versions do not merge).
    pub omnisim_version: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file's name, for messages.
    pub scenario_origin: String,
    /// The scenario file's full text.
    pub scenario_text: String,
    /// The scenario file's absolute path: the merge resolves `[traffic]` files against its
    /// folder, whatever folder the merge runs from.
    pub scenario_path: String,
    /// The scenario file's path relative to the folder `shard.json` was written to
    /// (`../scenario.toml`): the merge looks for the scenario there first, so a project folder
    /// moved as a whole (another machine, other mount paths) still merges. Absent in shards of
    /// older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_from_shard: Option<String>,
    /// The folder this `shard.json` was read from (never written; set by the reader).
    #[serde(skip)]
    pub found_in: Option<std::path::PathBuf>,
    /// The replication indices (0-based) of `reps` when a reader set `reps` aside to read them
    /// again one shard at a time ([`ShardFile::set_aside`]; never written).
    #[serde(skip)]
    pub set_aside: Option<Vec<u32>>,
    /// Every input file's content hash: the scenario, then each CSV file it read.
    pub inputs: Vec<InputFile>,
    /// The shard ran with `--allow-huge`: the merge loads the scenario with it too.
    pub allow_huge: bool,
    /// Whether `--allow-huge` lifted a size limit (the scenario would be refused without it);
    /// `false` without the flag. Shards agree on this, not on the flag: a scenario within
    /// every limit runs the same with or without it. Absent in shards of older versions (then
    /// taken as `allow_huge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits_lifted: Option<bool>,
    /// The seed used.
    pub seed: u64,
    /// Replications of the whole run (all shards).
    pub replications: u32,
    /// `[K, N]`, 1-based.
    pub shard: [u32; 2],
    /// Wall-clock seconds this shard took.
    pub wall_s: f64,
    /// True when a stop request (SIGINT, SIGTERM) cut the shard short: the replications it
    /// finished are whole, the one it was running is marked partial. The merge refuses it.
    pub partial: bool,
    /// The replications this shard ran, in order.
    pub reps: Vec<RepMetrics>,
}

/// A shard spec that is not `K/N` with `1 ≤ K ≤ N` (the text as given; the command line adds
/// the flag's name).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?}: expected K/N with 1 <= K <= N, e.g. 1/4")]
pub struct ShardSpecError(pub String);

/// Parses `K/N` (1-based, `1 ≤ K ≤ N`).
///
/// Errors: [`ShardSpecError`] when the text is not two whole numbers `K/N` with `1 ≤ K ≤ N`.
pub fn parse_spec(text: &str) -> Result<(u32, u32), ShardSpecError> {
    let bad = || ShardSpecError(text.to_string());
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let k: u32 = k.trim().parse().map_err(|_| bad())?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Where a shard's scenario came from and how it was loaded.
#[derive(Clone, Debug)]
pub struct ShardSource<'a> {
    /// The scenario file's text, as read.
    pub text: &'a str,
    /// Its path as given, for messages.
    pub origin: &'a str,
    /// Its path (relative paths are made absolute against the current folder).
    pub path: &'a std::path::Path,
    /// Loaded with `--allow-huge`.
    pub allow_huge: bool,
}

/// Runs shard `k`/`n` (1-based) of the scenario `sc` read from `src`; `stop`, when set,
/// ends the shard early (the replications finished are kept, marked partial).
///
/// Errors: an input CSV file that can no longer be read for its hash.
pub fn run(
    sc: &Scenario,
    src: &ShardSource<'_>,
    (k, n): (u32, u32),
    seed: Option<u64>,
    replications: Option<u32>,
    stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
) -> Result<ShardFile, String> {
    let (text, origin) = (src.text, src.origin);
    let inputs = inputs::record(text, origin, [sc])?;
    // Whether the flag changed anything: the scenario loads without it too (it loaded with
    // it, so only a size limit can refuse it now).
    let limits_lifted = src.allow_huge
        && scenario::load_str_with(text, origin, &scenario::LoadOptions::default()).is_err();
    let opts = RunOptions {
        seed,
        replications,
        check_invariants: false,
        shard: Some((k - 1, n)),
        stop,
        ..RunOptions::default()
    };
    let out = sim::run(sc, &opts, &|_, _, _| {});
    Ok(ShardFile {
        format: FORMAT.into(),
        omnisim_version: env!("CARGO_PKG_VERSION").into(),
        scenario: sc.name.clone(),
        scenario_origin: origin.into(),
        scenario_text: text.into(),
        scenario_path: inputs::absolute(src.path).display().to_string(),
        scenario_from_shard: None,
        found_in: None,
        set_aside: None,
        inputs,
        allow_huge: src.allow_huge,
        limits_lifted: Some(limits_lifted),
        seed: out.seed,
        replications: out.replications,
        shard: [k, n],
        wall_s: out.wall_s,
        partial: out.partial,
        reps: out.reps,
    })
}

impl ShardFile {
    /// Drops the replications' metrics (the bulk of a shard in memory: a merge of many shards
    /// held them all at once), keeping their indices for the checks; [`merge_folding`] reads
    /// them again, one shard at a time.
    pub fn set_aside(&mut self) {
        let indices = self.reps.iter().map(|r| r.replication).collect();
        self.reps = Vec::new();
        self.set_aside = Some(indices);
    }

    /// The replication indices (0-based) this shard holds, in its order.
    pub fn indices(&self) -> Vec<u32> {
        match &self.set_aside {
            Some(i) => i.clone(),
            None => self.reps.iter().map(|r| r.replication).collect(),
        }
    }
}

/// Why shards do not merge.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No shard files were given.
    #[error("no shards to merge")]
    Empty,
    /// The shards are not of one run: each line names a shard and what is wrong with it (a
    /// wrong format, a different scenario, seed, count or version, a duplicate, a gap).
    #[error("{}", .0.join("\n"))]
    Problems(Vec<String>),
    /// The embedded scenario no longer loads.
    #[error("the shards' scenario is invalid:\n{0}")]
    Scenario(String),
}

/// Checks that named shards can be merged as one run, for both kinds of shard file: every
/// shard's format is `expected`, each agrees with the first on its
/// [`identity`](ShardHeader::identity) (scenario text, seed, counts, version), their input
/// files are the same, and none was interrupted (the message says to rerun `rerun K/N`, e.g.
/// "sweep shard 2/4"). Returns one line per problem, all at once, in that order.
pub fn check_agree<S: ShardHeader>(
    shards: &[(String, S)],
    expected: &str,
    rerun: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let Some((first_name, first)) = shards.first() else {
        return problems;
    };
    let want = first.identity();
    let [k1, n1] = first.shard();
    for (name, s) in shards {
        let [k, n] = s.shard();
        if s.format() == expected && n != n1 {
            // Replications or points would show as duplicate and missing: say why instead.
            problems.push(format!(
                "{name} is {rerun} {k}/{n} but {first_name} is {rerun} {k1}/{n1}: the shards \
                 were split {n} and {n1} ways; merge the shards of one split (every shard run \
                 with the same N in --shard K/N)"
            ));
            continue;
        }
        if s.format() != expected {
            problems.push(format!(
                "{name}: format is {:?}, expected {expected:?}",
                s.format()
            ));
            continue;
        }
        for ((what, a), (_, b)) in want.iter().zip(s.identity()) {
            if *a != b {
                problems.push(format!(
                    "{name} differs from {first_name} in its {what}: merge only shards of one run"
                ));
            }
        }
    }
    let read: Vec<(String, &[InputFile])> = shards
        .iter()
        .map(|(name, s)| (name.clone(), s.inputs()))
        .collect();
    problems.extend(inputs::agree(&read));
    for (name, s) in shards {
        if let Some([k, n]) = s.interrupted() {
            problems.push(format!(
                "{name} was interrupted (\"partial\": true): rerun {rerun} {k}/{n}"
            ));
        }
    }
    problems
}

/// The header every kind of shard file carries ([`ShardFile`],
/// [`SweepShardFile`](super::sweep_shard::SweepShardFile)), read by [`check_agree`].
pub trait ShardHeader {
    /// The file's `format` string.
    fn format(&self) -> &str;
    /// What every shard of one run must share: (what, its value as text), in a fixed order.
    fn identity(&self) -> Vec<(&'static str, String)>;
    /// The input files the shard read, with their hashes.
    fn inputs(&self) -> &[InputFile];
    /// `Some([k, n])` (shard k of n) when the shard was interrupted (`"partial": true`).
    fn interrupted(&self) -> Option<[u32; 2]>;
    /// `[k, n]`: shard k of n.
    fn shard(&self) -> [u32; 2];
}

impl ShardHeader for ShardFile {
    fn format(&self) -> &str {
        &self.format
    }
    fn identity(&self) -> Vec<(&'static str, String)> {
        vec![
            ("scenario text", self.scenario_text.clone()),
            ("seed", self.seed.to_string()),
            ("replications", self.replications.to_string()),
            ("omnisim version", self.omnisim_version.clone()),
            (
                "--allow-huge (the flag changes which inputs are accepted: it lifted a size \
                 limit in one shard and not in the other)",
                self.limits_lifted.unwrap_or(self.allow_huge).to_string(),
            ),
        ]
    }
    fn inputs(&self) -> &[InputFile] {
        &self.inputs
    }
    fn interrupted(&self) -> Option<[u32; 2]> {
        self.partial.then_some(self.shard)
    }
    fn shard(&self) -> [u32; 2] {
        self.shard
    }
}

/// Gathers items numbered `0..total` from named shards, checking each number appears exactly
/// once (`unit` names them in messages, which count from 1): the items in order, or one line
/// per problem (beyond the total, in two shards, missing), all at once.
pub fn cover_once<T>(
    items: impl IntoIterator<Item = (String, u32, T)>,
    total: u32,
    unit: &str,
) -> Result<Vec<T>, Vec<String>> {
    let mut by_index: BTreeMap<u32, (String, T)> = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, i, item) in items {
        if i >= total {
            problems.push(format!(
                "{name}: {unit} {} is beyond the {total} of the run",
                i + 1
            ));
        } else if let Some((other, _)) = by_index.get(&i) {
            problems.push(format!(
                "{unit} {} appears in both {other} and {name}",
                i + 1
            ));
        } else {
            by_index.insert(i, (name, item));
        }
    }
    let missing: Vec<String> = (0..total)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| (i + 1).to_string())
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "{unit}s missing from the shards (1-based): {}; run (or pass) the missing shards",
            missing.join(", ")
        ));
    }
    if problems.is_empty() {
        Ok(by_index.into_values().map(|(_, t)| t).collect())
    } else {
        Err(problems)
    }
}

/// Merges named shards into the scenario and the run output of the whole run.
pub fn merge(shards: Vec<(String, ShardFile)>) -> Result<(Scenario, RunOutput), MergeError> {
    let sc = checked(&shards)?;
    let (seed, replications) = (shards[0].1.seed, shards[0].1.replications);
    let wall_s = shards.iter().map(|(_, s)| s.wall_s).fold(0f64, f64::max);
    let items = shards.into_iter().flat_map(|(name, s)| {
        s.reps
            .into_iter()
            .map(move |r| (name.clone(), r.replication, r))
    });
    let reps = cover_once(items, replications, "replication").map_err(MergeError::Problems)?;
    Ok((sc, RunOutput::of(seed, replications, reps, wall_s)))
}

/// As [`merge`], for shards whose metrics were [set aside](ShardFile::set_aside): `reps_of(i)`
/// reads shard `i`'s replications again; each is folded into the totals and only `keep` of it
/// is kept, so memory holds one shard's metrics at a time (as a run on one machine holds one
/// replication's per thread), not every shard's.
///
/// Errors: as [`merge`]; `reps_of`'s message (a shard that can no longer be read) as a
/// problem.
pub fn merge_folding<R>(
    shards: Vec<(String, ShardFile)>,
    mut reps_of: impl FnMut(usize) -> Result<Vec<RepMetrics>, String>,
    keep: impl Fn(&Scenario, &mut RepMetrics) -> R,
) -> Result<(Scenario, RunOutput<R>), MergeError> {
    let sc = checked(&shards)?;
    let (seed, replications) = (shards[0].1.seed, shards[0].1.replications);
    let wall_s = shards.iter().map(|(_, s)| s.wall_s).fold(0f64, f64::max);
    let mut totals = sim::RunTotals::default();
    let mut items = Vec::new();
    for (i, (name, _)) in shards.iter().enumerate() {
        for mut m in reps_of(i).map_err(|e| MergeError::Problems(vec![e]))? {
            let kept = keep(&sc, &mut m);
            items.push((name.clone(), m.replication, kept));
            totals.add_owned(m);
        }
    }
    let reps = cover_once(items, replications, "replication").map_err(MergeError::Problems)?;
    Ok((
        sc,
        RunOutput {
            seed,
            replications,
            partial: totals.partial(),
            totals,
            reps,
            wall_s,
            dashboard: None,
        },
    ))
}

/// Checks named shards merge (see [`check_agree`]; the replications' cover too, and the input
/// files as read now) and loads their scenario.
fn checked(shards: &[(String, ShardFile)]) -> Result<Scenario, MergeError> {
    let first = &shards.first().ok_or(MergeError::Empty)?.1;
    let mut problems = check_agree(shards, FORMAT, "shard");
    // Every problem at once: the replications' cover too (a shard of another seed beside a
    // duplicate), counted against the first shard's total.
    let indices = shards
        .iter()
        .flat_map(|(name, s)| s.indices().into_iter().map(move |i| (name.clone(), i, ())));
    // Not across splits: check_agree says why they would look duplicate and missing.
    if shards.iter().all(|(_, s)| s.shard[1] == first.shard[1]) {
        problems.extend(
            cover_once(indices, first.replications, "replication")
                .err()
                .unwrap_or_default(),
        );
    }
    if !problems.is_empty() {
        return Err(MergeError::Problems(problems));
    }
    // The CSV files are resolved against the scenario's folder as it lies now beside the first
    // shard (else as the shard saw it), so the merge works from any folder and in a moved
    // project folder; their hashes are checked below.
    let opts = scenario::LoadOptions {
        allow_huge: first.allow_huge,
        replications: None,
    };
    let at = inputs::locate_among(
        &shards
            .iter()
            .map(|(_, s)| {
                (
                    s.scenario_path.as_str(),
                    s.found_in.as_deref(),
                    s.scenario_from_shard.as_deref(),
                )
            })
            .collect::<Vec<_>>(),
    );
    let missing = inputs::unreadable(&at, &first.inputs);
    if !missing.is_empty() {
        return Err(MergeError::Problems(missing));
    }
    let sc = scenario::load_str_with(&first.scenario_text, &at, &opts)
        .map_err(|e| MergeError::Scenario(e.to_string()))?;
    let now = inputs::record(&first.scenario_text, &first.scenario_origin, [&sc])
        .map_err(|e| MergeError::Problems(vec![e]))?;
    let changed = inputs::unchanged(&first.inputs, &now);
    if !changed.is_empty() {
        return Err(MergeError::Problems(changed));
    }
    Ok(sc)
}

#[cfg(test)]
mod tests {
    use super::{cover_once, parse_spec};

    #[test]
    fn specs() {
        assert_eq!(parse_spec("1/4"), Ok((1, 4)));
        assert_eq!(parse_spec("4/4"), Ok((4, 4)));
        assert!(parse_spec("0/4").is_err());
        assert!(parse_spec("5/4").is_err());
        assert!(parse_spec("1/0").is_err());
        // The message names the text and what was expected, not the flag (the CLI adds it).
        assert_eq!(
            parse_spec("2/x").unwrap_err().to_string(),
            "\"2/x\": expected K/N with 1 <= K <= N, e.g. 1/4"
        );
    }

    #[test]
    fn coverage_problems_all_at_once() {
        let item = |name: &str, i| (name.to_string(), i, i);
        assert_eq!(
            cover_once(vec![item("b", 1), item("a", 0)], 2, "point"),
            Ok(vec![0, 1])
        );
        let e = cover_once(vec![item("a", 0), item("b", 0), item("c", 5)], 4, "point").unwrap_err();
        assert_eq!(
            e,
            vec![
                "point 1 appears in both a and b".to_string(),
                "c: point 6 is beyond the 4 of the run".to_string(),
                "points missing from the shards (1-based): 2, 3, 4; run (or pass) the missing \
                 shards"
                    .to_string(),
            ]
        );
    }
}
