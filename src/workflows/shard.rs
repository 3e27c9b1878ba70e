//! Sharded runs and their merge.
//!
//! Shard `K/N` (1-based: `1 ≤ K ≤ N`) runs replications `K, K+N, K+2N, …` counted from 1 —
//! replication indices `K−1, K−1+N, …` counted from 0 — and writes `shard.json`
//! (`omnisim.shard/1`): the scenario's text (so the merge rebuilds the very same scenario), the
//! seed, the total replication count, and every replication's [`RepMetrics`] serialized
//! losslessly (HdrHistograms as V2 bytes in base64, `i128` integrals as strings; see
//! [`crate::metrics::lossless`]). [`merge`] checks the shards agree and cover every replication
//! exactly once, orders them, and returns the [`RunOutput`] one machine would have produced, so
//! `report::build` gives the same `summary.json` (apart from the wall-clock `engine` object).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metrics::RepMetrics;
use crate::scenario::{self, Scenario};
use crate::sim::{self, RunOptions, RunOutput};

/// The `format` tag of `shard.json`.
pub const FORMAT: &str = "omnisim.shard/1";

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
    /// The seed used.
    pub seed: u64,
    /// Replications of the whole run (all shards).
    pub replications: u32,
    /// `[K, N]`, 1-based.
    pub shard: [u32; 2],
    /// Wall-clock seconds this shard took.
    pub wall_s: f64,
    /// The replications this shard ran, in order.
    pub reps: Vec<RepMetrics>,
}

/// Parses `K/N` (1-based, `1 ≤ K ≤ N`).
pub fn parse_spec(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("--shard {text:?}: expected K/N with 1 <= K <= N, e.g. 1/4");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let k: u32 = k.trim().parse().map_err(|_| bad())?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Runs shard `k`/`n` (1-based) of the scenario whose file text is `text`.
pub fn run(
    sc: &Scenario,
    text: &str,
    origin: &str,
    (k, n): (u32, u32),
    seed: Option<u64>,
    replications: Option<u32>,
) -> ShardFile {
    let opts = RunOptions {
        seed,
        replications,
        check_invariants: false,
        shard: Some((k - 1, n)),
        stop: None,
        ..RunOptions::default()
    };
    let out = sim::run(sc, &opts, &|_, _, _| {});
    ShardFile {
        format: FORMAT.into(),
        omnisim_version: env!("CARGO_PKG_VERSION").into(),
        scenario: sc.name.clone(),
        scenario_origin: origin.into(),
        scenario_text: text.into(),
        seed: out.seed,
        replications: out.replications,
        shard: [k, n],
        wall_s: out.wall_s,
        reps: out.reps,
    }
}

/// Why shards do not merge.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No shard files were given.
    #[error("no shards to merge")]
    Empty,
    /// A shard is not a `shard.json` of this version.
    #[error("{name}: {problem}")]
    Bad {
        /// The shard's name (its folder).
        name: String,
        /// What is wrong.
        problem: String,
    },
    /// Two shards come from different runs: merge shards of one scenario, seed and count.
    #[error("{name} differs from {first} in its {what}: merge only shards of one run")]
    Mismatch {
        /// The first shard.
        first: String,
        /// The disagreeing shard.
        name: String,
        /// `scenario text`, `seed`, `replications` or `omnisim version`.
        what: &'static str,
    },
    /// A replication appears in two shards.
    #[error("replication {rep} appears in both {a} and {b}")]
    Duplicate {
        /// The replication (1-based).
        rep: u32,
        /// One shard.
        a: String,
        /// The other.
        b: String,
    },
    /// Replications are missing: run (or pass) the missing shards.
    #[error("replications missing from the shards (1-based): {0}")]
    Missing(String),
    /// The embedded scenario no longer loads.
    #[error("the shards' scenario is invalid:\n{0}")]
    Scenario(String),
}

/// Merges named shards into the scenario and the run output of the whole run.
pub fn merge(shards: Vec<(String, ShardFile)>) -> Result<(Scenario, RunOutput), MergeError> {
    let (first_name, first) = shards.first().ok_or(MergeError::Empty)?;
    for (name, s) in &shards {
        if s.format != FORMAT {
            return Err(MergeError::Bad {
                name: name.clone(),
                problem: format!("format is {:?}, expected {FORMAT:?}", s.format),
            });
        }
        let checks: [(&'static str, bool); 4] = [
            ("scenario text", s.scenario_text == first.scenario_text),
            ("seed", s.seed == first.seed),
            ("replications", s.replications == first.replications),
            (
                "omnisim version",
                s.omnisim_version == first.omnisim_version,
            ),
        ];
        if let Some((what, _)) = checks.iter().find(|(_, ok)| !ok) {
            return Err(MergeError::Mismatch {
                first: first_name.clone(),
                name: name.clone(),
                what,
            });
        }
    }
    let sc = scenario::load_str(&first.scenario_text, &first.scenario_origin)
        .map_err(|e| MergeError::Scenario(e.to_string()))?;
    let (seed, replications) = (first.seed, first.replications);
    let mut by_rep: BTreeMap<u32, (String, RepMetrics)> = BTreeMap::new();
    let mut wall_s = 0f64;
    for (name, s) in shards {
        wall_s = wall_s.max(s.wall_s);
        for r in s.reps {
            if r.replication >= replications {
                return Err(MergeError::Bad {
                    name,
                    problem: format!(
                        "replication {} is beyond the run's {replications}",
                        r.replication + 1
                    ),
                });
            }
            if let Some((other, _)) = by_rep.get(&r.replication) {
                return Err(MergeError::Duplicate {
                    rep: r.replication + 1,
                    a: other.clone(),
                    b: name,
                });
            }
            by_rep.insert(r.replication, (name.clone(), r));
        }
    }
    let missing: Vec<String> = (0..replications)
        .filter(|r| !by_rep.contains_key(r))
        .map(|r| (r + 1).to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing(missing.join(", ")));
    }
    let reps: Vec<_> = by_rep.into_values().map(|(_, r)| r).collect();
    let out = RunOutput {
        dashboard: None,
        seed,
        replications,
        partial: reps.iter().any(|r| r.partial),
        reps,
        wall_s,
    };
    Ok((sc, out))
}

#[cfg(test)]
mod tests {
    use super::parse_spec;

    #[test]
    fn specs() {
        assert_eq!(parse_spec("1/4"), Ok((1, 4)));
        assert_eq!(parse_spec("4/4"), Ok((4, 4)));
        assert!(parse_spec("0/4").is_err());
        assert!(parse_spec("5/4").is_err());
        assert!(parse_spec("1/0").is_err());
    }
}
