//! `omnisim sweep SCENARIO --vary PATH=FROM..TO[:STEP]`: writes `DIR/sweep.csv`,
//! `DIR/sweep.html` and, with `--target`, `DIR/target.json`; exit 1 when no value meets the
//! target. With `--shard K/N` it runs grid points K, K+N, … only and writes `DIR/shard.json`
//! for `omnisim merge` (see [`crate::workflows::sweep_shard`]).

use std::path::PathBuf;

use crate::workflows::sweep::{self, SpecError, SweepError, SweepResult};
use crate::workflows::sweep_render;
use crate::workflows::sweep_shard::{self, SweepWords};

use super::error::{CliError, CmdResult};
use super::shard_cmd::parse_shard_flag;
use super::{default_out_dir, Global, EXIT_OK, EXIT_THRESHOLD};

/// `omnisim sweep` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct SweepArgs {
    /// The scenario file.
    pub(crate) scenario: PathBuf,
    /// A key and its values: agent_groups.NAME.count=20..60[:STEP] or PATH=A,B,C (a list
    /// with words sets strings: ...order_by=most_proficient,least_active).
    #[arg(long, value_name = "PATH=FROM..TO[:STEP]")]
    pub(crate) vary: Vec<String>,
    /// Find the smallest value meeting this, e.g. "service_level.fraction>=0.8".
    #[arg(long)]
    pub(crate) target: Option<String>,
    #[command(flatten)]
    pub(crate) sim: super::SimArgs,
    /// Run only grid points K, K+N, K+2N, … (1-based, 1 <= K <= N, in sweep.csv order) and
    /// write DIR/shard.json for `omnisim merge`.
    #[arg(long, value_name = "K/N")]
    pub(crate) shard: Option<String>,
    /// Accept grid points beyond the size limits (agents, horizon, replications, arrivals), as
    /// `run --allow-huge` does; sweep shards record whether it lifted a limit.
    #[arg(long)]
    pub(crate) allow_huge: bool,
    #[command(flatten)]
    pub(crate) global: Global,
}

/// Runs the command: exit 0, 1 when no value meets the target, 2 on bad input, 130
/// interrupted.
pub(crate) fn run(a: SweepArgs) -> CmdResult {
    if let Some(n) = a
        .sim
        .replications
        .filter(|&n| n > crate::scenario::MAX_REPLICATIONS && !a.allow_huge)
    {
        // The same limit as the file's own `replications` (each point runs that many).
        return Err(CliError::bad(format!(
            "--replications {n}: {n} replications is over the limit of {} replications; \
             split the run (`sweep --shard`), or pass --allow-huge to run it anyway",
            crate::scenario::MAX_REPLICATIONS
        )));
    }
    // The read-stop rule (docs/workflows.md, "Interrupted"): a stop while the scenario or a
    // grid point's scenario (its CSV files too) is read ends the command at once, exit 130,
    // nothing written; the grid's points are all built before the first runs.
    let what = format!("reading {}", a.scenario.display());
    let text = super::interrupt::or_interrupted(&what, || std::fs::read_to_string(&a.scenario))
        .map_err(|e| CliError::bad(format!("cannot read {}: {e}", a.scenario.display())))?;
    let words = SweepWords {
        text,
        origin: a.scenario.display().to_string(),
        vary: a.vary.clone(),
        target: a.target.clone(),
        seed: a.sim.seed,
        replications: a.sim.replications,
        allow_huge: a.allow_huge,
    };
    if let Some(spec) = &a.shard {
        return run_shard(&a, &words, spec);
    }
    let spec = words.spec().map_err(|e| CliError::bad(spec_message(&e)))?;
    let stop = super::stop_flag();
    let grid = super::interrupt::or_interrupted(&what, || sweep::prepare(&spec))
        .map_err(|e| CliError::bad(sweep_message(&a, &e)))?;
    print_point_warnings(&a, &spec.axes, &grid, true);
    // The grid is read and checked; the points run now. The folder's older sweep files go
    // first, so however the sweep ends no older one is left beside its own.
    let name = grid.first().map_or("", |(_, sc)| sc.name.as_str());
    let dir = a.sim.out.clone().unwrap_or_else(|| default_out_dir(name));
    super::stale::clear(&dir, super::stale::Starting::Sweep);
    let result = sweep::run_prepared(&spec, grid, Some(&stop))
        .map_err(|e| CliError::bad(sweep_message(&a, &e)))?;
    write_result(&result, a.sim.out, a.global.quiet, false)
}

/// The scenario warnings of the grid's points (as every command reading a scenario prints
/// them, issue 25), each once: one every point gives as `run` prints it, one only some give
/// naming them ([`super::warnings::point_lines`]). With `watched`, checked under the stop flag
/// as the grid was read (a stop ends the sweep at once, nothing written); without (`sweep
/// --shard`, which writes a partial shard when a stop cut its grid), not printed at all once a
/// stop came. The target search's bisection steps, between grid values, are not checked.
fn print_point_warnings(
    a: &SweepArgs,
    axes: &[crate::workflows::grid::Vary],
    grid: &[(Vec<f64>, crate::scenario::Scenario)],
    watched: bool,
) {
    let lines = || {
        let points: Vec<(String, Vec<String>)> = grid
            .iter()
            .map(|(v, sc)| {
                (
                    sweep::describe(axes, v),
                    super::warnings::lines(sc, &a.scenario),
                )
            })
            .collect();
        super::warnings::point_lines(&points)
    };
    let lines = if watched {
        let what = format!("reading {}", a.scenario.display());
        super::interrupt::or_interrupted(&what, lines)
    } else if super::stop_flag().load(std::sync::atomic::Ordering::Relaxed) {
        return;
    } else {
        lines()
    };
    super::warnings::print(&lines);
}

/// The message of words that do not make a sweep, naming the flag each came from.
fn spec_message(e: &SpecError) -> String {
    match e {
        SpecError::NoAxis => "sweep needs at least one --vary PATH=FROM..TO[:STEP]".into(),
        SpecError::ZeroReplications => "--replications must be at least 1".into(),
        SpecError::Axis(e) => format!("--vary {e}"),
        SpecError::Target(m) => m.clone(),
        SpecError::DuplicateAxis(_) => format!("--vary {e}"),
    }
}

/// The message of a sweep that could not run, after the scenario's name (an axis whose key is
/// not in the scenario names `--vary`).
fn sweep_message(a: &SweepArgs, e: &SweepError) -> String {
    match e {
        SweepError::Override(m) => format!("{}: --vary: {m}", a.scenario.display()),
        e => format!("{}: {e}", a.scenario.display()),
    }
}

/// Writes a finished sweep's `sweep.csv`, `sweep.html` and (with a target) `target.json` to
/// `out` (default: `reports/<scenario name>/`) and prints its table; the exit code of `sweep`.
/// `omnisim merge` of sweep shards writes through here too (`merged`: an older sweep shard in
/// the folder, maybe one of the merge's inputs, is left; `sweep` removes it).
pub(crate) fn write_result(
    result: &SweepResult,
    out: Option<PathBuf>,
    quiet: bool,
    merged: bool,
) -> CmdResult {
    let name = result
        .points
        .first()
        .map_or_else(String::new, |p| p.summary.scenario.clone());
    let dir = out.unwrap_or_else(|| default_out_dir(&name));
    let csv = sweep_render::csv(result)
        .map_err(|e| CliError::bad(format!("cannot render sweep.csv: {e}")))?;
    let mut files = vec![
        ("sweep.csv", csv),
        ("sweep.html", sweep_render::html(result, &name)),
    ];
    if result.target.is_some() {
        let json =
            serde_json::to_string_pretty(&sweep_render::target_json(result)).unwrap_or_default();
        files.push(("target.json", json));
    }
    super::write_files(&dir, &files)
        .map_err(|e| CliError::bad(format!("cannot write reports to {}: {e}", dir.display())))?;
    // An older sweep's answer, or an older sweep shard, would pass for this one's.
    super::stale::remove_stale(
        &dir,
        super::stale::Wrote::Sweep {
            target: result.target.is_some(),
            merged,
        },
    );
    if !quiet {
        print!("{}", sweep_render::text(result));
        println!("wrote {}", dir.join("sweep.csv").display());
    }
    if let Some(why) = &result.refused {
        // An input file changed during the target search: bad input (exit 2), the grid and
        // the steps run before it kept.
        Err(CliError::bad(format!(
            "{why}; wrote the grid and the finished bisection steps (partial) to {}",
            dir.display()
        )))
    } else if let (true, Some(_)) = (result.partial, result.search_cut) {
        Err(CliError::Interrupted(format!(
            "wrote the grid and the finished bisection steps (partial; the target search was \
             cut: {}) to {}",
            sweep_render::answer_line(result)
                .rsplit("; ")
                .next()
                .unwrap_or_default(),
            dir.display()
        )))
    } else if result.partial {
        Err(CliError::Interrupted(format!(
            "wrote the {} finished of the grid (partial; no target search) to {}",
            crate::report::format::plural(result.points.len() as u64, "point"),
            dir.display()
        )))
    } else if result.target.is_some() && result.answer.is_none() {
        Ok(EXIT_THRESHOLD)
    } else {
        Ok(EXIT_OK)
    }
}

fn run_shard(a: &SweepArgs, words: &SweepWords, spec: &str) -> CmdResult {
    let (k, n) = parse_shard_flag(spec)?;
    let stop = super::stop_flag();
    // A shard stopped while it builds its grid writes a partial shard (no point run) rather
    // than nothing: the ninth pass's documented behaviour, kept.
    // Once the grid is read and checked, before its points run: the folder's older sweep
    // files and shard go, so however the shard ends no older one is left beside its own.
    let out = a.sim.out.clone();
    let axes = words.spec().map(|s| s.axes).unwrap_or_default();
    let starting = |grid: &[(Vec<f64>, crate::scenario::Scenario)]| {
        print_point_warnings(a, &axes, grid, false);
        let name = grid.first().map_or("", |(_, sc)| sc.name.as_str());
        let dir = out.clone().unwrap_or_else(|| default_out_dir(name));
        super::stale::clear(&dir, super::stale::Starting::SweepShard);
    };
    let run = sweep_shard::run_starting(words, (k, n), Some(&stop), starting);
    let mut file = run.map_err(|e| match e {
        sweep_shard::SweepShardError::Words(e) => CliError::bad(spec_message(&e)),
        sweep_shard::SweepShardError::Sweep(e) => CliError::bad(sweep_message(a, &e)),
        e => CliError::bad(format!("{}: {e}", a.scenario.display())),
    })?;
    let dir = a
        .sim
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&file.scenario));
    // The folder first, so its path is canonical like the scenario's (a failure is reported by
    // the write below).
    let _ = std::fs::create_dir_all(&dir);
    file.scenario_from_shard =
        crate::workflows::inputs::relative(&dir, std::path::Path::new(&words.origin));
    let written = serde_json::to_string(&file)
        .map_err(std::io::Error::other)
        .and_then(|json| super::write_files(&dir, &[("shard.json", json)]));
    written.map_err(|e| {
        CliError::bad(format!(
            "cannot write {}: {e}",
            dir.join("shard.json").display()
        ))
    })?;
    // An older whole sweep's files would tell its answer beside this shard.
    super::stale::remove_stale(&dir, super::stale::Wrote::SweepShard);
    if file.partial {
        return Err(CliError::Interrupted(format!(
            "wrote a partial sweep shard ({} finished; \"partial\": true, merge refuses it) to \
             {}",
            crate::report::format::plural(file.runs.len() as u64, "grid point"),
            dir.join("shard.json").display()
        )));
    }
    if !a.global.quiet {
        let points: Vec<String> = file
            .runs
            .iter()
            .map(|r| (r.point + 1).to_string())
            .collect();
        println!(
            "sweep shard {k}/{n} of {}: grid points {} of {} → {}",
            file.scenario,
            if points.is_empty() {
                "(none)".into()
            } else {
                points.join(", ")
            },
            file.points,
            dir.join("shard.json").display()
        );
    }
    Ok(EXIT_OK)
}
