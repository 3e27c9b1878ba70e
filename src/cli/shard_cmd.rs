//! `omnisim run … --shard K/N` (writes `DIR/shard.json`) and `omnisim merge DIR… --out DIR`
//! (writes the `summary.json` one machine would have written, or for the shards of
//! `sweep … --shard K/N` the `sweep.csv`, `sweep.html` and `target.json`). K is 1-based:
//! `1 ≤ K ≤ N`.

use std::path::{Path, PathBuf};

use crate::report;
use crate::scenario::Scenario;
use crate::workflows::inputs;
use crate::workflows::shard::{self, ShardFile};
use crate::workflows::sweep_shard::{self, SweepShardFile};

use super::error::{all_or_bad, CliError, CmdResult};
use super::run_cmd::RunArgs;
use super::{Global, EXIT_OK};
use crate::report::write_atomic;

/// `omnisim merge` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct MergeArgs {
    /// Shard folders (or shard.json files).
    #[arg(required = true)]
    pub(crate) dirs: Vec<PathBuf>,
    /// Output folder.
    #[arg(long)]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) global: Global,
}

/// Reads a shard spec `K/N` of `--shard`.
pub(crate) fn parse_shard_flag(spec: &str) -> Result<(u32, u32), CliError> {
    shard::parse_spec(spec).map_err(|e| CliError::bad(format!("--shard {e}")))
}

/// Runs one shard (`a.shard`, spec `spec`) of `sc` (loaded from `a.scenario`, with
/// `--allow-huge` when set) and writes `dir/shard.json`. Interrupted (SIGINT, SIGTERM): the
/// replications run so far are written, the shard marked `"partial": true` (the merge refuses
/// it), exit 130.
pub(crate) fn run_shard(a: &RunArgs, sc: &Scenario, spec: &str, dir: &Path) -> CmdResult {
    let path = a.scenario.as_path();
    let (k, n) = parse_shard_flag(spec)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::bad(format!("cannot read {}: {e}", path.display())))?;
    let origin = path.display().to_string();
    let src = shard::ShardSource {
        text: &text,
        origin: &origin,
        path,
        allow_huge: a.allow_huge,
    };
    // The work begins: no older file of a kind this writes or replaces is left, however it
    // ends.
    super::stale::clear(dir, super::stale::Starting::RunShard);
    let file = shard::run(
        sc,
        &src,
        (k, n),
        a.sim.seed,
        a.sim.replications,
        Some(super::stop_flag()),
    )
    .map_err(|e| CliError::bad(e.to_string()))?;
    let mut file = file;
    let written = std::fs::create_dir_all(dir).and_then(|_| {
        file.scenario_from_shard = inputs::relative(dir, path);
        let json = serde_json::to_string(&file).map_err(std::io::Error::other)?;
        write_atomic(&dir.join("shard.json"), json.as_bytes())
    });
    written.map_err(|e| {
        CliError::bad(format!(
            "cannot write {}: {e}",
            dir.join("shard.json").display()
        ))
    })?;
    // An older whole run's reports, log and trace would tell its story beside this shard.
    super::stale::remove_stale(dir, super::stale::Wrote::RunShard);
    if file.partial {
        return Err(CliError::Interrupted(format!(
            "wrote a partial shard (\"partial\": true; merge refuses it) to {}",
            dir.join("shard.json").display()
        )));
    }
    if !a.global.quiet {
        let reps: Vec<String> = file
            .reps
            .iter()
            .map(|r| (r.replication + 1).to_string())
            .collect();
        println!(
            "shard {k}/{n} of {}: replications {} of {} → {}",
            file.scenario,
            if reps.is_empty() {
                "(none)".into()
            } else {
                reps.join(", ")
            },
            file.replications,
            dir.join("shard.json").display()
        );
    }
    Ok(EXIT_OK)
}

/// What a `shard.json` holds: a run shard or a sweep shard (told apart by its `format`).
enum AnyShard {
    Run(Box<ShardFile>),
    Sweep(Box<SweepShardFile>),
}

fn read_shard(dir: &Path) -> Result<AnyShard, String> {
    #[derive(serde::Deserialize)]
    struct Tag {
        format: String,
    }
    let path = if dir.is_dir() {
        dir.join("shard.json")
    } else {
        dir.to_path_buf()
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let bad = |e: serde_json::Error| format!("{} is not a valid shard.json: {e}", path.display());
    let tag: Tag = serde_json::from_str(&text).map_err(bad)?;
    let found_in = path.parent().map(Path::to_path_buf);
    match tag.format.as_str() {
        shard::FORMAT => {
            let mut s: Box<ShardFile> = serde_json::from_str(&text).map_err(bad)?;
            s.found_in = found_in;
            Ok(AnyShard::Run(s))
        }
        sweep_shard::FORMAT => {
            let mut s: Box<SweepShardFile> = serde_json::from_str(&text).map_err(bad)?;
            s.found_in = found_in;
            Ok(AnyShard::Sweep(s))
        }
        other => Err(format!(
            "{}: format is {other:?}, expected {:?} (run --shard) or {:?} (sweep --shard)",
            path.display(),
            shard::FORMAT,
            sweep_shard::FORMAT
        )),
    }
}

/// Merges shard folders (or `shard.json` files) of one sharded `run` or one sharded `sweep`
/// and writes what one machine would have written: `summary.json` and the other reports, or
/// `sweep.csv`, `sweep.html` and `target.json`. Exit 0, or 2 on bad input (unreadable, mixed,
/// mismatched, duplicate or missing shards, every problem listed), as the contract says; failed
/// thresholds (or an unmet sweep target) are printed and recorded in the files.
pub(crate) fn merge(a: MergeArgs) -> CmdResult {
    let (dirs, out, quiet) = (&a.dirs, a.out.as_path(), a.global.quiet);
    let mut runs = Vec::new();
    let mut sweeps = Vec::new();
    let mut problems = Vec::new();
    let mut run_dirs = Vec::new();
    for d in dirs {
        let name = d.display().to_string();
        match read_shard(d) {
            // Its metrics are read again, one shard at a time, when they are folded.
            Ok(AnyShard::Run(mut s)) => {
                s.set_aside();
                runs.push((name, *s));
                run_dirs.push(d.clone());
            }
            Ok(AnyShard::Sweep(s)) => sweeps.push((name, *s)),
            Err(e) => problems.push(e),
        }
    }
    if let (Some((r, _)), Some((s, _))) = (runs.first(), sweeps.first()) {
        problems.push(format!(
            "{r} is a run shard (run --shard) but {s} is a sweep shard (sweep --shard): \
             merge the shards of one run or of one sweep"
        ));
    }
    all_or_bad(problems)?;
    // The shards are read and of one kind: the older files of the kind the merge writes go
    // before it folds them, so a stop, a refusal ("cannot merge") or an error while it writes
    // leaves none to be read as this merge's (issue 25, thirteenth pass).
    let kind = if sweeps.is_empty() {
        super::stale::Starting::MergeRuns
    } else {
        super::stale::Starting::MergeSweeps
    };
    super::stale::clear(out, kind);
    if sweeps.is_empty() {
        merge_runs(runs, &run_dirs, out, quiet)
    } else {
        merge_sweeps(sweeps, out, quiet)
    }
}

/// Merges sweep shards; exit 0 even when no value met the target (said on stderr, and in
/// `target.json`), as the contract says of `merge`.
fn merge_sweeps(shards: Vec<(String, SweepShardFile)>, out: &Path, quiet: bool) -> CmdResult {
    let n = shards.len();
    let result =
        sweep_shard::merge(shards).map_err(|e| CliError::bad(format!("cannot merge:\n{e}")))?;
    super::sweep_cmd::write_result(&result, Some(out.to_path_buf()), quiet, true)?;
    if result.target.is_some() && result.answer.is_none() {
        eprintln!("{}", crate::workflows::sweep_render::answer_line(&result));
    }
    if !quiet {
        println!(
            "merged {} ({})",
            crate::report::format::plural(n as u64, "sweep shard"),
            crate::report::format::plural(result.points.len() as u64, "point")
        );
    }
    Ok(EXIT_OK)
}

/// Merges run shards whose metrics were set aside (`dirs[i]` is shard `i`'s folder or file):
/// each shard's replications are read again and folded in turn, keeping each one's
/// `by_replication` row only, so memory holds one shard's metrics at a time.
fn merge_runs(
    shards: Vec<(String, ShardFile)>,
    dirs: &[PathBuf],
    out: &Path,
    quiet: bool,
) -> CmdResult {
    let reps_of = |i: usize| match read_shard(&dirs[i])? {
        AnyShard::Run(s) => Ok(s.reps),
        AnyShard::Sweep(_) => Err(format!("{}: no longer a run shard", dirs[i].display())),
    };
    let (sc, output) = shard::merge_folding(shards, reps_of, report::rep_row)
        .map_err(|e| CliError::bad(format!("cannot merge:\n{e}")))?;
    let rep = report::Report::build(&sc, &output);
    report::write_all(out, &rep)
        .map_err(|e| CliError::bad(format!("cannot write reports to {}: {e}", out.display())))?;
    // A merged run has no log or trace: an older run's would pass for its.
    super::stale::remove_stale(
        out,
        super::stale::Wrote::Run {
            log: false,
            trace: false,
            merged: true,
        },
    );
    let summary = &rep.summary;
    for t in summary.thresholds.iter().filter(|t| !t.passed) {
        eprintln!("threshold failed: {} = {:?}", t.metric, t.value);
    }
    if summary.invariant_violations > 0 {
        eprintln!("invariant violations: {}", summary.invariant_violations);
    }
    if !quiet {
        println!(
            "merged {} of {} → {}",
            crate::report::format::plural(output.reps.len() as u64, "replication"),
            sc.name,
            out.join("summary.json").display()
        );
    }
    Ok(EXIT_OK)
}
