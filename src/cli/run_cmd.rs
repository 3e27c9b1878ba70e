//! `omnisim run SCENARIO [--out DIR] [--seed N] [--replications N] [--shard K/N] [--trace]
//! [--log] [--junit FILE]`: simulates, prints the summary, writes `DIR/summary.json` and the
//! other reports; exit 0 ok · 1 a threshold failed · 2 bad input · 3 an invariant broke · 130
//! interrupted (a partial summary was written).

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::report::{self, Report};
use crate::sim::{self, RunOptions};

use super::error::{CliError, CmdResult};
use super::{default_out_dir, exit_code, load, progress, stop_flag, Global};

/// Events of replication 1 the dashboard in report.html replays by default.
pub const DASHBOARD_EVENTS: usize = 5_000;

/// `omnisim run` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// The scenario file.
    pub(crate) scenario: PathBuf,
    #[command(flatten)]
    pub(crate) sim: super::SimArgs,
    #[command(flatten)]
    pub(crate) global: Global,
    /// Check the engine's invariants after every event (slow).
    #[arg(long)]
    pub(crate) check_invariants: bool,
    /// Run only replications K, K+N, K+2N, … (1-based, 1 <= K <= N) and write
    /// DIR/shard.json for `omnisim merge`.
    #[arg(long, value_name = "K/N")]
    pub(crate) shard: Option<String>,
    /// Also write the thresholds as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,
    /// Accept a scenario beyond the size limits (agents, horizon, replications, arrivals).
    #[arg(long)]
    pub(crate) allow_huge: bool,
    /// Also write DIR/conversations.csv: one row per conversation of every replication,
    /// in the history format (replayable with `[traffic] replay`).
    #[arg(long)]
    pub(crate) log: bool,
    /// Also write DIR/trace.jsonl: every engine command, effect, refusal and routing
    /// decision (for `omnisim explain`).
    #[arg(long)]
    pub(crate) trace: bool,
    /// With --trace: trace only replication N (1-based), to keep the file small.
    #[arg(long, value_name = "N", requires = "trace")]
    pub(crate) trace_replication: Option<u32>,
    /// Events of replication 1 kept for the dashboard replayed in report.html (0: none).
    #[arg(long, value_name = "N", default_value_t = DASHBOARD_EVENTS)]
    pub(crate) dashboard_events: usize,
    /// The dashboard's window starts at TIME after the start of replication 1 (e.g. 10h):
    /// it shows what is live then and the events from then on (default: the start).
    #[arg(long, value_name = "TIME")]
    pub(crate) dashboard_from: Option<String>,
    /// The dashboard's window ends at TIME (default: the run's end, or the event cap).
    #[arg(long, value_name = "TIME")]
    pub(crate) dashboard_to: Option<String>,
    /// Drive this engine in lockstep instead of the in-process one: http://HOST:PORT or
    /// "cmd:PROGRAM ARGS" (a subprocess speaking JSON lines), e.g.
    /// "cmd:omnisim serve SCENARIO --stdio".
    #[arg(long, value_name = "URL|cmd:…")]
    pub(crate) engine: Option<String>,
}

/// The expected size of a trace above which `run --trace` warns (it still runs): 1 GB.
const TRACE_WARN_BYTES: f64 = 1e9;

/// The warning `run --trace` prints before the run when the trace of `traced` replications of
/// `sc` is expected to pass [`TRACE_WARN_BYTES`] ([`sim::trace_bytes_estimate`]): the
/// estimate, what it rests on, and how to make the trace smaller. `None` below the threshold.
fn trace_size_warning(
    sc: &crate::scenario::Scenario,
    traced: u32,
    dir: &std::path::Path,
) -> Option<String> {
    let bytes = sim::trace_bytes_estimate(sc, traced);
    if bytes <= TRACE_WARN_BYTES {
        return None;
    }
    let per_rep = crate::scenario::expected_arrivals(sc);
    let reduce = if traced > 1 {
        format!(
            "trace one replication with --trace-replication N (about {}), or shorten the horizon",
            gigabytes(bytes / f64::from(traced))
        )
    } else {
        "shorten the horizon (a run of its own with fewer days), or run without --trace".into()
    };
    Some(format!(
        "warning: --trace will write about {} to {} (about {} expected conversations a \
         replication × {} × about {:.1} kB each); to make it smaller, {reduce}",
        gigabytes(bytes),
        dir.join("trace.jsonl").display(),
        report::format::compact(per_rep),
        report::format::plural(u64::from(traced), "replication"),
        sim::TRACE_BYTES_PER_CONVERSATION / 1000.0,
    ))
}

/// Bytes as gigabytes with one decimal ("2.3 GB").
fn gigabytes(bytes: f64) -> String {
    format!("{:.1} GB", bytes / 1e9)
}

/// Runs the command; see the module docs for the exit codes.
pub(crate) fn run(a: RunArgs) -> CmdResult {
    let quiet = a.global.quiet;
    let window = |flag: &str, v: &Option<String>| match v {
        None => Ok(None),
        Some(t) => crate::time::parse_duration(t)
            .map(|d| Some(d.as_millis()))
            .map_err(|e| {
                format!("{flag} {t:?}: {e} (expected a time since the start, e.g. 10h or 90m)")
            }),
    };
    let (dash_from, dash_to) = match (
        window("--dashboard-from", &a.dashboard_from),
        window("--dashboard-to", &a.dashboard_to),
    ) {
        (Ok(f), Ok(t)) => (f.unwrap_or(0), t),
        (f, t) => {
            return Err(CliError::BadInput(
                [f.err(), t.err()].into_iter().flatten().collect(),
            ))
        }
    };
    if dash_to.is_some_and(|t| t <= dash_from) {
        return Err(CliError::bad(
            "--dashboard-to must be later than --dashboard-from",
        ));
    }
    if a.sim.replications == Some(0) {
        return Err(CliError::bad("--replications must be at least 1"));
    }
    let sc = load(&a.scenario, a.allow_huge, a.sim.replications)?;
    super::check_replications(a.sim.replications, &sc, Some(a.allow_huge))?;
    if let Some(from) = a
        .dashboard_from
        .as_deref()
        .filter(|_| dash_from >= sc.horizon.as_millis())
    {
        return Err(CliError::bad(format!(
            "--dashboard-from {from:?}: expected a time before the horizon ({}), \
             or the dashboard's window would be empty",
            sc.horizon
        )));
    }
    if a.shard.is_some() && a.trace {
        return Err(CliError::bad(
            "--trace does not combine with --shard (trace a run of its own)",
        ));
    }
    if a.log && a.shard.is_some() {
        return Err(CliError::bad(
            "--log cannot be combined with --shard (log the whole run instead)",
        ));
    }
    let engine = match a.engine.as_deref().map(super::remote_run::parse_engine) {
        None => None,
        Some(Ok(_)) if a.shard.is_some() => {
            return Err(CliError::bad("--engine does not combine with --shard"));
        }
        Some(spec) => Some(spec?),
    };
    let dir = a
        .sim
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&sc.name));
    if let Some(spec) = &a.shard {
        return super::shard_cmd::run_shard(&a, &sc, spec, &dir);
    }
    let total = a.sim.replications.unwrap_or(sc.replications);
    if let Some(n) = a.trace_replication {
        if n == 0 || n > total {
            return Err(CliError::bad(format!(
                "--trace-replication {n}: expected 1 to {total} (the run's replications)"
            )));
        }
    }
    // A warning about a consequence (a trace of gigabytes): printed under `--quiet` too.
    if a.trace {
        let traced = if a.trace_replication.is_some() {
            1
        } else {
            total
        };
        if let Some(w) = trace_size_warning(&sc, traced, &dir) {
            eprintln!("{w}");
        }
    }
    // An output path given by an option must have its folder, and the engine must answer,
    // before the work begins (and before the folder's older outputs go).
    if let Some(file) = &a.junit {
        check_parent(file, "--junit")?;
    }
    let reached = match &engine {
        Some(spec) => super::remote_run::reach(spec, stop_flag())?,
        None => None,
    };
    // The inputs are checked and the work begins: the folder's older files of the kinds a run
    // writes go first, so however this run ends (a second signal, an error) no older log,
    // trace or report is left beside its own (issue 25, twelfth tester).
    super::stale::clear(&dir, super::stale::Starting::Run);
    let trace_opts = if a.trace {
        std::fs::create_dir_all(&dir)
            .map_err(|e| CliError::bad(format!("cannot create {}: {e}", dir.display())))?;
        Some(sim::TraceOptions {
            dir: dir.clone(),
            replication: a.trace_replication.map(|n| n - 1),
            errors: Default::default(),
        })
    } else {
        None
    };
    let opts = RunOptions {
        seed: a.sim.seed,
        replications: a.sim.replications,
        check_invariants: a.check_invariants,
        shard: None,
        stop: Some(stop_flag()),
        trace: trace_opts.clone(),
        dashboard: Some(sim::DashOptions {
            replication: 0,
            max_events: a.dashboard_events,
            from_ms: dash_from,
            to_ms: dash_to,
        }),
    };
    let bar = (!quiet && std::io::stderr().is_terminal())
        .then(|| progress::RunProgress::new(total, sc.horizon.as_millis()));
    let progress = |rep, t, n| {
        if let Some(b) = &bar {
            b.update(rep, t, n);
        }
    };
    // Each replication, as it finishes, is folded into the run's totals and keeps only its
    // `by_replication` element (issue 25: memory does not grow with its histograms).
    let row = |m: &mut crate::metrics::RepMetrics| report::rep_row(&sc, m);
    let (output, logs) = if let Some(spec) = &engine {
        let (out, logs) =
            super::remote_run::run(&sc, &opts, spec, reached, a.log, &progress, quiet)?;
        (out.map_reps(|mut m| row(&mut m)), logs)
    } else if a.log {
        sim::run_logged_keep(&sc, &opts, &progress, &row)
    } else {
        (sim::run_keep(&sc, &opts, &progress, &row), Vec::new())
    };
    if let Some(b) = &bar {
        b.finish();
    }
    // A stop request that arrives after the simulation (while the reports, the log or the
    // trace are written) still ends the command with 130: what is finished is kept, the
    // summary says `"partial": true`, and a file cut short is not written.
    let stop = stop_flag();
    let stopped = || stop.load(std::sync::atomic::Ordering::Relaxed);
    let mut output = output;
    // Cut during the simulation: the trace's parts say where (joined whole, a copy); the log
    // is not written (a history with replications cut mid-way would replay as if whole).
    let cut_in_sim = output.partial;
    output.partial |= stopped();
    let mut report = Report::build(&sc, &output);
    let write_err = |e: std::io::Error| {
        CliError::bad(format!("cannot write reports to {}: {e}", dir.display()))
    };
    let mut written = report::write_all(&dir, &report).map_err(write_err)?;
    let mut cut: Vec<&str> = Vec::new();
    if a.log && output.partial {
        cut.push("conversations.csv");
    } else if a.log {
        match report::log::write(&dir, &sc, &logs, Some(&*stop)) {
            Ok(p) => written.push(p),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => cut.push("conversations.csv"),
            Err(e) => return Err(write_err(e)),
        }
    }
    drop(logs);
    if let Some(t) = &trace_opts {
        let reps: Vec<u32> = (0..total)
            .filter(|r| t.replication.is_none_or(|k| k == *r))
            .collect();
        let errors = t.errors.lock().map(|e| e.clone()).unwrap_or_default();
        let watch = (!cut_in_sim).then_some(&*stop);
        match sim::observe::assemble_stoppable(&dir, &reps, watch) {
            Ok(p) if errors.is_empty() => written.push(p),
            Ok(_) => {
                return Err(CliError::bad(format!(
                    "the trace is incomplete: {}",
                    errors.join("; ")
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => cut.push("trace.jsonl"),
            Err(e) => {
                return Err(CliError::bad(format!(
                    "cannot write {}: {e}",
                    dir.join("trace.jsonl").display()
                )))
            }
        }
    }
    if stopped() && a.log && !cut.contains(&"conversations.csv") {
        // Stopped after the log was written (in the trace's join): the log is only for a run
        // not interrupted (docs/workflows.md), so it goes too.
        written.retain(|p| !p.ends_with("conversations.csv"));
        cut.push("conversations.csv");
    }
    // An older run's file of a kind this run did not write (cut, or not asked for; an older
    // run shard) would pass for this run's (`explain` reads the folder's trace.jsonl and
    // conversations.csv, `merge` its shard.json).
    for name in &cut {
        let _ = std::fs::remove_file(dir.join(name));
    }
    super::stale::remove_stale(
        &dir,
        super::stale::Wrote::Run {
            log: a.log,
            trace: trace_opts.is_some(),
            merged: false,
        },
    );
    if stopped() && !report.summary.partial {
        // Interrupted after summary.json was written whole: say so in it, with the
        // replications finished (all of them) as every partial summary has.
        report.summary.partial = true;
        report.summary.replications_finished = Some(output.totals.finished);
        report::write_all(&dir, &report).map_err(write_err)?;
    }
    if let Some(file) = &a.junit {
        let xml = report::junit::render(&report.summary);
        report::write_atomic(file, xml.as_bytes())
            .map_err(|e| CliError::bad(format!("cannot write {}: {e}", file.display())))?;
    }
    if !quiet {
        print!("{}", report::terminal::render(&report));
        println!("\nReports in {}:", dir.display());
        for path in &written {
            println!("  {}", path.display());
        }
    }
    let summary = &report.summary;
    if !quiet {
        for note in &summary.notes {
            eprintln!("note: {note}");
        }
    }
    let result = if summary.partial {
        let not_written = if cut.is_empty() {
            String::new()
        } else {
            format!("; not written (interrupted): {}", cut.join(", "))
        };
        Err(CliError::Interrupted(format!(
            "wrote a partial summary (\"partial\": true) to {}{not_written}",
            dir.display()
        )))
    } else {
        Ok(exit_code(summary))
    };
    // The process ends once the result is printed: its memory goes back to the system at
    // once, where freeing a large center's report, totals and scenario piece by piece took
    // a second after the files were written (two million roster agents).
    super::leave_to_exit((report, output, sc));
    result
}

/// Checks that the folder of `file` (an output path given by `option`) exists, so a mistyped
/// path is bad input found before the work begins, not after it. Errors: bad input naming the
/// option, the file and the missing folder.
fn check_parent(file: &std::path::Path, option: &str) -> Result<(), CliError> {
    if file.is_dir() {
        // Found before the run, not after it (the run's threshold result was hidden behind
        // "Is a directory" at the end).
        return Err(CliError::bad(format!(
            "{option} {}: expected a file; that is a folder (e.g. {}/results.xml)",
            file.display(),
            file.display()
        )));
    }
    match file.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if !parent.is_dir() => Err(CliError::bad(format!(
            "{option} {}: expected a file in an existing folder; {} is not a folder",
            file.display(),
            parent.display()
        ))),
        _ => Ok(()),
    }
}
