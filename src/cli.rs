//! The command line: the only place that knows flags, exit codes and default paths.
//!
//! Exit codes: 0 ok · 1 a threshold failed (or a regression, or no sweep value met the target)
//! · 2 bad input · 3 an invariant broke · 130 interrupted.
//!
//! Each command is one file, `cli/<name>_cmd.rs`, with its argument struct (clap's derive, the
//! shared `Global` flags such as `--quiet` flattened in) and a `run` returning its exit code or
//! a `CliError` (`cli/error.rs`); [`main`] prints the error in one place. Library errors carry
//! no flag names: the command adds them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod ab_cmd;
mod compare_cmd;
mod conform_cmd;
mod erlang_cmd;
mod error;
mod explain_cmd;
mod fit_cmd;
mod forecast_cmd;
mod interrupt;
mod load_cmd;
mod progress;
mod remote_run;
mod run_cmd;
mod serve_cmd;
mod shard_cmd;
mod staff_cmd;
mod stale;
mod sweep_cmd;
mod validate_cmd;
mod warnings;

pub use run_cmd::DASHBOARD_EVENTS;

use crate::report::{self, Summary};
use crate::scenario::{self, Scenario};
use error::{CliError, CmdResult};

/// Success.
pub const EXIT_OK: u8 = 0;
/// A threshold failed.
pub const EXIT_THRESHOLD: u8 = 1;
/// Bad input.
pub const EXIT_BAD_INPUT: u8 = 2;
/// An invariant broke.
pub const EXIT_INVARIANT: u8 = 3;
/// Interrupted by SIGINT or SIGTERM (a partial summary was written).
pub const EXIT_INTERRUPTED: u8 = 130;

/// A flag set by the first SIGINT or SIGTERM; a second one at least
/// [`interrupt::SECOND_SIGNAL_GRACE`] later ends the process at once (exit 130, saying what
/// it may have lost), killing first the process groups of the subprocess engines still
/// running. A second one sooner is the same stop delivered again (GNU `timeout -s INT`
/// signals the process and its group, so it can arrive twice within milliseconds) and is
/// ignored. One flag per process, registered on the first call: every long command (`run`,
/// `run --shard`, `sweep`, `ab`, `staff`, `fit`, `merge`, `load`, `forecast`, `explain`,
/// `conform`) takes it first thing, before reading its inputs.
pub(crate) fn stop_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    static FLAG: std::sync::OnceLock<std::sync::Arc<std::sync::atomic::AtomicBool>> =
        std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let since = std::time::Instant::now();
        for sig in [SIGINT, SIGTERM] {
            // Registration only fails for forbidden signals, which these are not; without it
            // a signal simply ends the process as usual.
            // SAFETY: the action does only what a signal handler may: clock_gettime(2), an
            // atomic compare-exchange, write(2), kill(2) (`kill_engine_groups`) and _exit(2).
            let _ = unsafe {
                signal_hook::low_level::register(sig, move || {
                    interrupt::on_signal(since);
                })
            };
            let _ = signal_hook::flag::register(sig, flag.clone());
        }
        flag
    })
    .clone()
}

/// omnisim: simulate and load-test an omnichannel monitor & assign rules engine.
#[derive(Debug, Parser)]
#[command(name = "omnisim", version, about)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

/// The flags every command that prints takes (flattened into each one's arguments).
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct Global {
    /// Print no progress, summary or table: only warnings and errors (on stderr).
    #[arg(long)]
    pub(crate) quiet: bool,
}

/// The flags of the commands that simulate a scenario (`run`, `sweep`, `staff`), flattened
/// into each one's arguments.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SimArgs {
    /// Output folder (default: reports/<scenario name>/).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Overrides the scenario's seed.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Overrides the scenario's replication count.
    #[arg(long)]
    pub(crate) replications: Option<u32>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and write DIR/summary.json and the other reports.
    Run(run_cmd::RunArgs),
    /// Tell one conversation's or one agent's story from DIR/trace.jsonl (`run --trace`).
    Explain(explain_cmd::ExplainArgs),
    /// Compare two summary.json files metric by metric; exit 1 on a regression (worse beyond
    /// the tolerance and significant across replications).
    Compare(compare_cmd::CompareArgs),
    /// Run a scenario and a variant on common random numbers; write DIR/ab.json.
    Ab(ab_cmd::AbArgs),
    /// Run a scenario over a grid of overrides; write DIR/sweep.csv and DIR/sweep.html.
    Sweep(sweep_cmd::SweepArgs),
    /// Agents needed per interval, by simulation; with --shifts, the cheapest roster. Writes
    /// DIR/staffing.csv, DIR/staffing.html (and DIR/roster.csv).
    Staff(staff_cmd::StaffArgs),
    /// Erlang C, Erlang A and multi-chat figures for a single queue.
    Erlang(erlang_cmd::ErlangArgs),
    /// Fit a conversation history (arrivals per interval, handle, wrap-up and patience by
    /// maximum likelihood); write DIR/fitted.toml, fit.json, actuals.json and fit.html.
    Fit(fit_cmd::FitArgs),
    /// Merge the shard.json files of `run --shard` (or `sweep --shard`) into the summary (or
    /// sweep.csv, sweep.html and target.json) one machine would write.
    Merge(shard_cmd::MergeArgs),
    /// Wall-clock load on the engine (open model); writes DIR/load.json.
    Load(load_cmd::LoadArgs),
    /// Forecast interval volumes for the next open days from a history, with prediction
    /// intervals; write DIR/forecast.csv, forecast.json and forecast.html.
    Forecast(forecast_cmd::ForecastArgs),
    /// The scenario's rules engine as an HTTP/1.1 JSON service on loopback, or JSON lines on
    /// stdin/stdout with --stdio (docs/protocol.md).
    Serve(serve_cmd::ServeArgs),
    /// Run the rule catalogue's conformance cases against an engine (docs/protocol.md);
    /// write DIR/conformance.json and DIR/conformance.xml.
    Conform(conform_cmd::ConformArgs),
    /// Load and check a scenario; run nothing.
    Validate(validate_cmd::ValidateArgs),
}

/// Runs the command line and returns the process exit code: clap's own errors (usage, an
/// unknown flag) exit 2 and `--help` / `--version` 0; a command's error is printed here, once.
pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                EXIT_OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = run(args).unwrap_or_else(|e| e.report());
    // Every client has ended its engine by now; should one have been leaked, its group goes too.
    crate::service::client::kill_engine_groups();
    ExitCode::from(code)
}

/// Runs one command: its exit code, or the error [`main`] prints.
fn run(args: Args) -> CmdResult {
    // Long commands take the stop flag before anything else (reading the scenario can take
    // seconds on a loaded machine): a signal that arrives before their work starts then stops
    // the work at once, with what it writes marked partial, instead of killing the process
    // with nothing written and no message.
    if matches!(
        args.command,
        Command::Run(_)
            | Command::Ab(_)
            | Command::Sweep(_)
            | Command::Staff(_)
            | Command::Fit(_)
            | Command::Merge(_)
            | Command::Load(_)
            | Command::Forecast(_)
            | Command::Explain(_)
            | Command::Conform(_)
            | Command::Validate(_)
    ) {
        // The test hook's log (`worklog`, off unless OMNISIM_TEST_WORK_LOG is set) is opened
        // before the handlers, which note the first signal in it.
        crate::worklog::open();
        stop_flag();
        crate::worklog::note(crate::worklog::Unit::Started);
    }
    match args.command {
        Command::Run(a) => run_cmd::run(a),
        // These write only when their work is done (atomically): a stop signal ends them at
        // once, exit 130, nothing written.
        Command::Explain(a) => interrupt::or_interrupted("explain", || explain_cmd::run(a)),
        Command::Compare(a) => compare_cmd::run(a),
        Command::Ab(a) => ab_cmd::run(a),
        Command::Sweep(a) => sweep_cmd::run(a),
        Command::Staff(a) => staff_cmd::run(a),
        Command::Erlang(a) => erlang_cmd::run(a),
        Command::Fit(a) => fit_cmd::run(a),
        Command::Merge(a) => interrupt::or_interrupted("merge", || shard_cmd::merge(a)),
        Command::Load(a) => load_cmd::run(a),
        Command::Forecast(a) => interrupt::or_interrupted("forecast", || forecast_cmd::run(a)),
        Command::Serve(a) => serve_cmd::run(a),
        Command::Conform(a) => conform_cmd::run(a),
        // Writes nothing: a stop signal while it reads and checks a large center ends it at
        // once (exit 130), as for any command still reading its inputs (`load`, then its
        // warnings, each watched on its own: one watcher at a time, one message).
        Command::Validate(a) => validate_cmd::run(a),
    }
}

/// Writes `(file name, contents)` pairs into `dir` (created if missing), each atomically.
fn write_files(dir: &Path, files: &[(&str, String)]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, body) in files {
        report::write_atomic(&dir.join(name), body.as_bytes())?;
    }
    Ok(())
}

/// Leaves `large` (a command's scenario and results, just before the command returns) for
/// the process's exit to reclaim rather than freeing it piece by piece: millions of small
/// allocations (a roster agent's name, groups and figures) take a second to free, after the
/// output is written and while a Ctrl-C is waiting for the process to end.
fn leave_to_exit<T>(large: T) {
    std::mem::forget(large);
}

/// Loads the scenario at `path` and prints its warnings ([`warnings`]: stderr, under
/// `--quiet` too): the one way a command reads a scenario file, so every command that reads
/// one warns alike (issue 25: `sweep`, `staff`, `ab` and `load` printed none). Bad input lists
/// every diagnostic under one heading (and prints no warning).
///
/// Reading and checking run under the stop flag ([`interrupt::or_interrupted`]): a SIGINT or
/// SIGTERM while the scenario and its CSV files are still being read (seconds for a roster of
/// millions of rows) ends the process at once with exit 130 and nothing written, since
/// nothing was run yet.
fn load(path: &Path, allow_huge: bool, replications: Option<u32>) -> Result<Scenario, CliError> {
    let (sc, lines) = load_unwarned(path, allow_huge, replications)?;
    warnings::print(&lines);
    Ok(sc)
}

/// As [`load`], printing nothing: the scenario and its warning lines, for a command that reads
/// two side by side and prints each one's in a fixed order (`ab`).
fn load_unwarned(
    path: &Path,
    allow_huge: bool,
    replications: Option<u32>,
) -> Result<(Scenario, Vec<String>), CliError> {
    let what = format!("reading {}", path.display());
    let opts = scenario::LoadOptions {
        allow_huge,
        replications,
    };
    interrupt::or_interrupted(&what, || {
        let sc = scenario::load_file_with(path, &opts)?;
        let lines = warnings::lines(&sc, path);
        Ok((sc, lines))
    })
    .map_err(|e: scenario::LoadError| {
        CliError::bad(format!("{} is not a valid scenario:\n{e}", path.display()))
    })
}

/// `--replications N` held to the limits the scenario file's own `replications` meets
/// (`scenario::replication_override_problems`) unless `allow_huge` is `Some(true)` (`None`:
/// the command has no `--allow-huge`); `0` refused too. Every problem at once, each naming
/// the flag.
pub(crate) fn check_replications(
    n: Option<u32>,
    sc: &Scenario,
    allow_huge: Option<bool>,
) -> Result<(), CliError> {
    let Some(n) = n else { return Ok(()) };
    if n == 0 {
        return Err(CliError::bad("--replications must be at least 1"));
    }
    if allow_huge == Some(true) {
        return Ok(());
    }
    let hint = if allow_huge.is_some() {
        "split the run, or pass --allow-huge to run it anyway"
    } else {
        "split the run (`run --shard`)"
    };
    let problems: Vec<String> = scenario::replication_override_problems(sc, n)
        .into_iter()
        .map(|p| format!("--replications {n}: {p}; {hint}"))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::BadInput(problems))
    }
}

/// A warning about input `file` on standard error: a note that already names the file (a CSV
/// reader's diagnostic, `FILE:LINE:COLUMN: …`) as it is, any other after the file's name.
pub(crate) fn warn_about(file: &str, note: &str) {
    match note.strip_prefix(file) {
        Some(rest) if rest.starts_with(':') => eprintln!("warning: {note}"),
        _ => eprintln!("warning: {file}: {note}"),
    }
}

/// The exit code a finished run earns: invariants first, then thresholds.
pub fn exit_code(summary: &Summary) -> u8 {
    if summary.invariant_violations > 0 {
        EXIT_INVARIANT
    } else if summary.thresholds.iter().any(|t| !t.passed) {
        EXIT_THRESHOLD
    } else {
        EXIT_OK
    }
}

/// `reports/<name>/`, with the name made safe for a folder: letters, digits, `-`, `_` and `.`
/// kept, anything else replaced by `-`, never empty, never `.` or `..`.
pub fn default_out_dir(name: &str) -> PathBuf {
    let mut safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    safe = safe.trim_matches(|c| c == '.' || c == '-').to_string();
    if safe.is_empty() {
        safe = "scenario".into();
    }
    safe.truncate(100);
    Path::new("reports").join(safe)
}
