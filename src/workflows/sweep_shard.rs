//! Sharded sweeps and their merge, on the design of [`super::shard`] (the same `K/N` spec, the
//! same agreement and exactly-once checks).
//!
//! Shard `K/N` (1-based: `1 ≤ K ≤ N`) runs grid points `K, K+N, K+2N, …` counted from 1 in grid
//! order (the first axis slowest, as `sweep.csv` lists them) and writes `shard.json`
//! (`omnisim.sweep-shard/3`): the scenario's text and absolute path, the content hash of every
//! input file ([`super::inputs`]), the `--vary` and `--target` words and the
//! overrides as given (so the merge rebuilds the very same grid), the grid's size, and for each
//! point it ran the raw [`RunOutput`] — every replication's [`RepMetrics`] serialized losslessly,
//! as in run shards. [`merge`] checks the shards agree and cover every grid point exactly once,
//! builds each point's summary exactly as one machine does, and finishes the sweep with
//! [`sweep::finish`].
//!
//! **The target.** One machine's target search may bisect between two grid values; each step
//! depends on the one before, so it cannot be spread over shards. Shards therefore run grid
//! points only, and the merge runs the bisection points itself (at most ⌈log₂ STEP⌉ runs of
//! the scenario, sequential, each with every core): the merged `sweep.csv`, `sweep.html` and
//! `target.json` are then byte for byte those of one machine.

use serde::{Deserialize, Serialize};

use crate::metrics::RepMetrics;
use crate::report;
use crate::sim::RunOutput;

use super::inputs::{self, InputFile};
use super::shard::{check_agree, cover_once, MergeError, ShardHeader};
use super::sweep::{self, SpecError, SweepError, SweepPoint, SweepResult, SweepSpec};

/// The `format` tag of a sweep shard's `shard.json`.
pub const FORMAT: &str = "omnisim.sweep-shard/3";

/// A sweep shard's `shard.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SweepShardFile {
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
    /// Every input file's content hash: the scenario, then each CSV file the grid read.
    pub inputs: Vec<InputFile>,
    /// The `--vary` arguments, as given.
    pub vary: Vec<String>,
    /// The `--target` argument, as given.
    pub target: Option<String>,
    /// The `--seed` override, if any.
    pub seed: Option<u64>,
    /// The `--replications` override, if any.
    pub replications: Option<u32>,
    /// The shard ran with `--allow-huge`: the merge builds the grid with it too. Absent (false)
    /// in shards of older versions.
    #[serde(default)]
    pub allow_huge: bool,
    /// Whether `--allow-huge` lifted a size limit for some grid point (it would be refused
    /// without the flag); `false` without the flag. Shards agree on this, not on the flag, as
    /// run shards do. Absent in shards of older versions (then taken as `allow_huge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits_lifted: Option<bool>,
    /// Grid points of the whole sweep (all shards).
    pub points: u32,
    /// `[K, N]`, 1-based.
    pub shard: [u32; 2],
    /// Wall-clock seconds this shard took.
    pub wall_s: f64,
    /// True when a stop request (SIGINT, SIGTERM) cut the shard short: `runs` holds only the
    /// points run to their end. The merge refuses it.
    pub partial: bool,
    /// The grid points this shard ran, in grid order.
    pub runs: Vec<PointRun>,
}

/// One grid point's raw output.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PointRun {
    /// Its index in grid order, from 0.
    pub point: u32,
    /// Its varied values, in axis order (a labelled axis' value is its position in the
    /// `--vary` list; for readers: the merge recomputes them from `vary`).
    pub values: Vec<f64>,
    /// The seed used.
    pub seed: u64,
    /// Its replication count.
    pub replications: u32,
    /// Wall-clock seconds it took.
    pub wall_s: f64,
    /// True when a stop request cut it short.
    pub partial: bool,
    /// Every replication's metrics.
    pub reps: Vec<RepMetrics>,
}

/// The command line's words for a sweep, kept in the shard so the merge rebuilds its spec.
#[derive(Clone, Debug)]
pub struct SweepWords {
    /// The scenario file's text.
    pub text: String,
    /// Its file name.
    pub origin: String,
    /// `--vary` arguments.
    pub vary: Vec<String>,
    /// `--target`.
    pub target: Option<String>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--replications`.
    pub replications: Option<u32>,
    /// `--allow-huge`: grid points beyond the size limits are accepted.
    pub allow_huge: bool,
}

impl SweepWords {
    /// The spec these words describe (see [`SweepSpec::from_args`] for the errors).
    pub fn spec(&self) -> Result<SweepSpec, SpecError> {
        SweepSpec::from_args(
            self.text.clone(),
            self.origin.clone(),
            &self.vary,
            self.target.as_deref(),
            self.seed,
            self.replications,
        )
        .map(|spec| SweepSpec {
            allow_huge: self.allow_huge,
            ..spec
        })
    }
}

/// Why a sweep shard could not run, or sweep shards could not merge.
#[derive(Debug, thiserror::Error)]
pub enum SweepShardError {
    /// The words do not make a sweep (a bad axis, target or override).
    #[error(transparent)]
    Words(SpecError),
    /// The grid or the target is invalid for the scenario.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// The shards do not merge.
    #[error(transparent)]
    Merge(#[from] MergeError),
}

/// Runs shard `k`/`n` (1-based) of the sweep: checks the whole grid first (as one machine
/// does), then runs its points in parallel.
pub fn run(words: &SweepWords, (k, n): (u32, u32)) -> Result<SweepShardFile, SweepShardError> {
    run_stoppable(words, (k, n), None)
}

/// As [`run`]; once `stop` is set, points not yet started are skipped, running ones stop, and
/// the file holds the points run to their end, marked `partial`.
pub fn run_stoppable(
    words: &SweepWords,
    (k, n): (u32, u32),
    stop: Option<&sweep::Stop>,
) -> Result<SweepShardFile, SweepShardError> {
    run_starting(words, (k, n), stop, |_| {})
}

/// As [`run_stoppable`], calling `starting` with the grid (each point's values and scenario,
/// in grid order; the first point's name is the scenario's) once it is built and checked, just
/// before its points run (`omnisim sweep --shard` prints the points' scenario warnings and
/// clears its output folder there: the folder's default name is the scenario's).
pub fn run_starting(
    words: &SweepWords,
    (k, n): (u32, u32),
    stop: Option<&sweep::Stop>,
    starting: impl FnOnce(&[(Vec<f64>, crate::scenario::Scenario)]),
) -> Result<SweepShardFile, SweepShardError> {
    use rayon::prelude::*;
    let start = std::time::Instant::now();
    let spec = words.spec().map_err(SweepShardError::Words)?;
    let total = super::grid::points(&spec.axes).len() as u32;
    // A stop request between two grid points' builds (each a whole load: seconds for a large
    // center) ends the build there: the shard runs no point and is written partial.
    let (grid, limits_lifted) = sweep::prepare_noting(&spec, stop)?;
    let cut = (grid.len() as u32) < total;
    let read = inputs::record(&words.text, &words.origin, grid.iter().map(|(_, sc)| sc))
        .map_err(|e| MergeError::Problems(vec![e]))?;
    let scenario = grid
        .first()
        .map_or_else(String::new, |(_, sc)| sc.name.clone());
    starting(&grid);
    let mine: Vec<(u32, Vec<f64>, crate::scenario::Scenario)> = grid
        .into_iter()
        .enumerate()
        .skip((k - 1) as usize)
        .step_by(n as usize)
        .map(|(i, (v, sc))| (i as u32, v, sc))
        .collect();
    let runs: Vec<Option<PointRun>> = mine
        .into_par_iter()
        .map(|(point, values, sc)| {
            if cut || sweep::stopped(stop) {
                return None;
            }
            let out = sweep::evaluate_stoppable(&spec, &sc, stop);
            (!out.partial).then_some(PointRun {
                point,
                values,
                seed: out.seed,
                replications: out.replications,
                wall_s: out.wall_s,
                partial: out.partial,
                reps: out.reps,
            })
        })
        .collect();
    let partial = cut || runs.iter().any(Option::is_none);
    let runs: Vec<PointRun> = runs.into_iter().flatten().collect();
    Ok(SweepShardFile {
        format: FORMAT.into(),
        omnisim_version: env!("CARGO_PKG_VERSION").into(),
        scenario,
        scenario_origin: words.origin.clone(),
        scenario_text: words.text.clone(),
        scenario_path: inputs::absolute(std::path::Path::new(&words.origin))
            .display()
            .to_string(),
        scenario_from_shard: None,
        found_in: None,
        inputs: read,
        vary: words.vary.clone(),
        target: words.target.clone(),
        seed: words.seed,
        replications: words.replications,
        allow_huge: words.allow_huge,
        limits_lifted: Some(limits_lifted),
        points: total,
        shard: [k, n],
        wall_s: start.elapsed().as_secs_f64(),
        partial,
        runs,
    })
}

impl ShardHeader for SweepShardFile {
    fn format(&self) -> &str {
        &self.format
    }
    fn identity(&self) -> Vec<(&'static str, String)> {
        vec![
            ("scenario text", self.scenario_text.clone()),
            ("--vary", self.vary.join(" ")),
            ("--target", format!("{:?}", self.target)),
            ("seed", format!("{:?}", self.seed)),
            ("replications", format!("{:?}", self.replications)),
            ("grid size", self.points.to_string()),
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

/// Merges named sweep shards into the sweep one machine would have finished (bisection points,
/// if the target search needs them, are run here).
pub fn merge(shards: Vec<(String, SweepShardFile)>) -> Result<SweepResult, SweepShardError> {
    let first = shards.first().ok_or(MergeError::Empty)?.1.clone();
    let mut problems = check_agree(&shards, FORMAT, "sweep shard");
    // Every problem at once: the grid points' cover too, counted against the first shard's.
    let indices = shards
        .iter()
        .flat_map(|(name, s)| s.runs.iter().map(move |r| (name.clone(), r.point, ())));
    // Not across splits: check_agree says why they would look duplicate and missing.
    if shards.iter().all(|(_, s)| s.shard[1] == first.shard[1]) {
        problems.extend(
            cover_once(indices, first.points, "grid point")
                .err()
                .unwrap_or_default(),
        );
    }
    if !problems.is_empty() {
        return Err(MergeError::Problems(problems).into());
    }
    // Resolved against the scenario's folder as it lies now beside the first shard (else as
    // the shard saw it): the merge works from any folder and in a moved project folder.
    let at: Vec<_> = shards
        .iter()
        .map(|(_, s)| {
            (
                s.scenario_path.as_str(),
                s.found_in.as_deref(),
                s.scenario_from_shard.as_deref(),
            )
        })
        .collect();
    let origin = inputs::locate_among(&at);
    // A missing input is "cannot read", not an invalid scenario at every grid point.
    let missing = inputs::unreadable(&origin, &first.inputs);
    if !missing.is_empty() {
        return Err(MergeError::Problems(missing).into());
    }
    let words = SweepWords {
        text: first.scenario_text.clone(),
        origin,
        vary: first.vary,
        target: first.target,
        seed: first.seed,
        replications: first.replications,
        allow_huge: first.allow_huge,
    };
    let spec = words.spec().map_err(SweepShardError::Words)?;
    let grid = sweep::prepare(&spec)?;
    let now = inputs::record(
        &first.scenario_text,
        &first.scenario_origin,
        grid.iter().map(|(_, sc)| sc),
    )
    .map_err(|e| MergeError::Problems(vec![e]))?;
    let changed = inputs::unchanged(&first.inputs, &now);
    if !changed.is_empty() {
        return Err(MergeError::Problems(changed).into());
    }
    if grid.len() as u32 != first.points {
        return Err(MergeError::Problems(vec![format!(
            "the shards say the grid has {} points, but their --vary gives {}",
            first.points,
            grid.len()
        )])
        .into());
    }
    let items = shards
        .into_iter()
        .flat_map(|(name, s)| s.runs.into_iter().map(move |r| (name.clone(), r.point, r)));
    let runs = cover_once(items, first.points, "grid point").map_err(MergeError::Problems)?;
    // Within a point, every replication once (a shard.json edited by hand could break this).
    let mut problems = Vec::new();
    let runs: Vec<PointRun> = runs
        .into_iter()
        .filter_map(|mut r| {
            let reps = std::mem::take(&mut r.reps)
                .into_iter()
                .map(|m| ("its shard".to_string(), m.replication, m));
            match cover_once(reps, r.replications, "replication") {
                Ok(reps) => {
                    r.reps = reps;
                    Some(r)
                }
                Err(p) => {
                    problems.extend(
                        p.into_iter()
                            .map(|p| format!("grid point {}: {p}", r.point + 1)),
                    );
                    None
                }
            }
        })
        .collect();
    if !problems.is_empty() {
        return Err(MergeError::Problems(problems).into());
    }
    let points = grid
        .into_iter()
        .zip(runs)
        .map(|((values, sc), r)| {
            let out = RunOutput {
                partial: r.partial,
                ..RunOutput::of(r.seed, r.replications, r.reps, r.wall_s)
            };
            SweepPoint {
                values,
                summary: report::build(&sc, &out),
                refined: false,
            }
        })
        .collect();
    Ok(sweep::finish(&spec, points)?)
}
