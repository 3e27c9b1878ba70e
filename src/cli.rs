//! The command line: the only place that knows flags, exit codes and default paths.
//!
//! Exit codes: 0 ok · 1 a threshold failed (or a regression, or no sweep value met the target)
//! · 2 bad input · 3 an invariant broke.

mod progress;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod ab_cmd;
mod compare_cmd;
mod erlang_cmd;
mod fit_cmd;
mod forecast_cmd;
mod interrupt;
mod load_cmd;
mod remote_run;
mod serve_cmd;
mod shard_cmd;
mod staff_cmd;
mod sweep_cmd;

pub use erlang_cmd::smallest_agents;

use crate::report::{self, Report, Summary};
use crate::scenario::{self, Scenario};
use crate::sim::{self, RunOptions};

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

/// A flag set by the first SIGINT or SIGTERM; a second one ends the process at once (exit
/// 130). One flag per process, registered on the first call: every long command (`run`,
/// `run --shard`, `sweep`, `ab`, `staff`, `fit`) takes it before its work starts.
pub(crate) fn stop_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    static FLAG: std::sync::OnceLock<std::sync::Arc<std::sync::atomic::AtomicBool>> =
        std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        for sig in [SIGINT, SIGTERM] {
            // Registration only fails for forbidden signals, which these are not; without it
            // a signal simply ends the process as usual.
            let _ = signal_hook::flag::register_conditional_shutdown(
                sig,
                EXIT_INTERRUPTED as i32,
                flag.clone(),
            );
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

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and write DIR/summary.json and the other reports.
    Run {
        /// The scenario file.
        scenario: PathBuf,
        /// Output folder (default: reports/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overrides the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Overrides the scenario's replication count.
        #[arg(long)]
        replications: Option<u32>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
        /// Check the engine's invariants after every event (slow).
        #[arg(long)]
        check_invariants: bool,
        /// Run only replications K, K+N, K+2N, … (1-based, 1 <= K <= N) and write
        /// DIR/shard.json for `omnisim merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Also write the thresholds as JUnit XML to FILE.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Accept a scenario beyond the size limits (agents, horizon, replications, arrivals).
        #[arg(long)]
        allow_huge: bool,
        /// Also write DIR/conversations.csv: one row per conversation of every replication,
        /// in the history format (replayable with `[traffic] replay`).
        #[arg(long)]
        log: bool,
        /// Also write DIR/trace.jsonl: every engine command, effect, refusal and routing
        /// decision (for `omnisim explain`).
        #[arg(long)]
        trace: bool,
        /// With --trace: trace only replication N (1-based), to keep the file small.
        #[arg(long, value_name = "N", requires = "trace")]
        trace_replication: Option<u32>,
        /// Events of replication 1 kept for the dashboard replayed in report.html (0: none).
        #[arg(long, value_name = "N", default_value_t = DASHBOARD_EVENTS)]
        dashboard_events: usize,
        /// Drive this engine in lockstep instead of the in-process one: http://HOST:PORT or
        /// "cmd:PROGRAM ARGS" (a subprocess speaking JSON lines), e.g.
        /// "cmd:omnisim serve SCENARIO --stdio".
        #[arg(long, value_name = "URL|cmd:…")]
        engine: Option<String>,
    },
    /// Tell one conversation's or one agent's story from DIR/trace.jsonl (`run --trace`).
    Explain {
        /// The run's output folder (or its trace.jsonl).
        dir: PathBuf,
        /// The conversation's id (its arrival number in the replication, 1-based).
        #[arg(long, conflicts_with = "agent", required_unless_present = "agent")]
        conversation: Option<u64>,
        /// The agent's name, e.g. tier1-3.
        #[arg(long)]
        agent: Option<String>,
        /// The replication (1-based; default 1).
        #[arg(long, default_value_t = 1)]
        replication: u32,
    },
    /// Compare two summary.json files metric by metric; exit 1 on a regression (worse beyond
    /// the tolerance and significant across replications).
    Compare {
        /// The baseline summary.json.
        baseline: PathBuf,
        /// The current summary.json.
        current: PathBuf,
        /// How much worse a metric may get, in percent of the baseline (e.g. 5%).
        #[arg(long, default_value = "5%")]
        tolerance: String,
        /// A tolerance for one metric or a prefix of whole segments (wait_s.p90=10%).
        #[arg(long, value_name = "METRIC=PCT")]
        tolerance_for: Vec<String>,
        /// Print a GitHub Markdown table.
        #[arg(long)]
        markdown: bool,
        /// List every metric, not only regressions and significant changes.
        #[arg(long)]
        all: bool,
        /// Write JUnit XML, one test case per metric, to FILE.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Compare summaries of different scenarios or service-level definitions.
        #[arg(long)]
        allow_different: bool,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Run a scenario and a variant on common random numbers; write DIR/ab.json.
    Ab {
        /// The base scenario.
        scenario: PathBuf,
        /// The variant scenario.
        #[arg(long)]
        variant: PathBuf,
        /// Output folder (default: reports/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replications of each (default: the base scenario's).
        #[arg(long)]
        replications: Option<u32>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Run a scenario over a grid of overrides; write DIR/sweep.csv and DIR/sweep.html.
    Sweep {
        /// The scenario file.
        scenario: PathBuf,
        /// A key and its values: agent_groups.NAME.count=20..60[:STEP] or PATH=A,B,C (a list
        /// with words sets strings: ...order_by=most_proficient,least_active).
        #[arg(long, value_name = "PATH=FROM..TO[:STEP]")]
        vary: Vec<String>,
        /// Find the smallest value meeting this, e.g. "service_level.fraction>=0.8".
        #[arg(long)]
        target: Option<String>,
        /// Output folder (default: reports/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overrides the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Overrides the scenario's replication count.
        #[arg(long)]
        replications: Option<u32>,
        /// Run only grid points K, K+N, K+2N, … (1-based, 1 <= K <= N, in sweep.csv order) and
        /// write DIR/shard.json for `omnisim merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Agents needed per interval, by simulation; with --shifts, the cheapest roster. Writes
    /// DIR/staffing.csv, DIR/staffing.html (and DIR/roster.csv).
    Staff {
        /// The scenario file.
        scenario: PathBuf,
        /// The per-interval target, e.g. "service_level.fraction>=0.8" or "wait_s.mean<=30".
        #[arg(long)]
        target: String,
        /// Interval length (a multiple of 15 minutes).
        #[arg(long, default_value = "30m")]
        interval: String,
        /// The agent group to staff (needed when there are several).
        #[arg(long)]
        group: Option<String>,
        /// Shift templates file: also find the cheapest roster covering the requirement.
        #[arg(long, value_name = "SHIFTS.toml")]
        shifts: Option<PathBuf>,
        /// Shrinkage: scheduled agents = required ÷ (1 − shrinkage), e.g. 30%.
        #[arg(long)]
        shrinkage: Option<String>,
        /// Output folder (default: reports/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overrides the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Overrides the scenario's replication count.
        #[arg(long)]
        replications: Option<u32>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Erlang C, Erlang A and multi-chat figures for a single queue.
    Erlang {
        /// Arrival rate, e.g. 300/h or 646/30m.
        #[arg(long)]
        rate: String,
        /// Mean handle time, e.g. 100s.
        #[arg(long)]
        aht: String,
        /// Agents (fractional, e.g. 13.5, for Erlang C only).
        #[arg(long)]
        agents: Option<String>,
        /// Mean patience (exponential): adds Erlang A figures.
        #[arg(long)]
        patience: Option<String>,
        /// The service-level threshold.
        #[arg(long, default_value = "20s")]
        sl: String,
        /// Print, per model, the smallest agent count whose service level meets this fraction.
        #[arg(long)]
        target_sl: Option<f64>,
        /// Shrinkage, e.g. 30%: adds scheduled agents = agents needed / (1 − shrinkage).
        #[arg(long)]
        shrinkage: Option<String>,
        /// Chat slots per agent: adds the exact multi-chat model.
        #[arg(long)]
        chat: Option<u32>,
        /// Concurrency slowdown per chats held, e.g. 1,1.3,1.7 (needs --chat).
        #[arg(long)]
        slowdown: Option<String>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Fit a conversation history (arrivals per interval, handle, wrap-up and patience by
    /// maximum likelihood); write DIR/fitted.toml, fit.json, actuals.json and fit.html.
    Fit {
        /// The history CSV (the `conversations.csv` format).
        history: PathBuf,
        /// Interval of the arrival profile.
        #[arg(long, default_value = "30m")]
        interval: String,
        /// Output folder (default: reports/fit/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Merge the shard.json files of `run --shard` (or `sweep --shard`) into the summary (or
    /// sweep.csv, sweep.html and target.json) one machine would write.
    Merge {
        /// Shard folders (or shard.json files).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Wall-clock load on the engine (open model); writes DIR/load.json.
    Load(load_cmd::LoadArgs),
    /// Forecast interval volumes for the next open days from a history, with prediction
    /// intervals; write DIR/forecast.csv, forecast.json and forecast.html.
    Forecast(forecast_cmd::ForecastArgs),
    /// The scenario's rules engine as an HTTP/1.1 JSON service on loopback, or JSON lines on
    /// stdin/stdout with --stdio (docs/protocol.md).
    Serve(serve_cmd::ServeArgs),
    /// Load and check a scenario; run nothing.
    Validate {
        /// The scenario file.
        scenario: PathBuf,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
        /// Accept a scenario beyond the size limits (agents, horizon, replications, arrivals).
        #[arg(long)]
        allow_huge: bool,
    },
}

/// Runs the command line and returns the process exit code.
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
    ExitCode::from(run(args))
}

/// Writes `(file name, contents)` pairs into `dir` (created if missing), each atomically.
fn write_files(dir: &Path, files: &[(&str, String)]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, body) in files {
        report::write_atomic(&dir.join(name), body.as_bytes())?;
    }
    Ok(())
}

fn load(path: &Path, allow_huge: bool) -> Result<Scenario, u8> {
    scenario::load_file_with(path, &scenario::LoadOptions { allow_huge }).map_err(|e| {
        eprintln!("error: {} is not a valid scenario:\n{e}", path.display());
        EXIT_BAD_INPUT
    })
}

/// Prints a loaded scenario's warnings (problems that do not stop a run) on standard error.
/// The scenario's warnings on standard error: those found while reading it (with their
/// position), then the whole-scenario checks of `scenario::warnings` (queues nobody serves).
fn print_warnings(sc: &Scenario, path: &std::path::Path) {
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
    for w in scenario::warnings(sc) {
        eprintln!("warning: {}: {w}", path.display());
    }
}

fn run(args: Args) -> u8 {
    match args.command {
        Command::Load(a) => load_cmd::run(a),
        Command::Forecast(a) => forecast_cmd::run(a),
        Command::Serve(a) => serve_cmd::run(a),
        Command::Validate {
            scenario,
            quiet,
            allow_huge,
        } => match load(&scenario, allow_huge) {
            Ok(sc) => {
                if !quiet {
                    print_warnings(&sc, &scenario);
                    println!(
                        "{}: valid ({}, {}, {})",
                        scenario.display(),
                        crate::report::format::plural(sc.queues.len() as u64, "queue"),
                        crate::report::format::plural(sc.agent_count() as u64, "agent"),
                        crate::report::format::plural(sc.supervisors.len() as u64, "supervisor")
                    );
                }
                EXIT_OK
            }
            Err(code) => code,
        },
        Command::Run {
            scenario,
            out,
            seed,
            replications,
            quiet,
            check_invariants,
            shard,
            junit,
            allow_huge,
            trace,
            trace_replication,
            dashboard_events,
            log,
            engine,
        } => {
            if replications == Some(0) {
                eprintln!("error: --replications must be at least 1");
                return EXIT_BAD_INPUT;
            }
            let sc = match load(&scenario, allow_huge) {
                Ok(sc) => sc,
                Err(code) => return code,
            };
            if !quiet {
                print_warnings(&sc, &scenario);
            }
            if shard.is_some() && trace {
                eprintln!("error: --trace does not combine with --shard (trace a run of its own)");
                return EXIT_BAD_INPUT;
            }
            if log && shard.is_some() {
                eprintln!(
                    "error: --log cannot be combined with --shard (log the whole run instead)"
                );
                return EXIT_BAD_INPUT;
            }
            let engine = match engine.as_deref().map(remote_run::parse_engine) {
                None => None,
                Some(Ok(spec)) if shard.is_none() => Some(spec),
                Some(Ok(_)) => {
                    eprintln!("error: --engine does not combine with --shard");
                    return EXIT_BAD_INPUT;
                }
                Some(Err(code)) => return code,
            };
            if let Some(spec) = shard {
                let dir = out.unwrap_or_else(|| default_out_dir(&sc.name));
                return shard_cmd::run_shard(
                    &scenario,
                    &sc,
                    &spec,
                    &dir,
                    seed,
                    replications,
                    quiet,
                    allow_huge,
                );
            }
            let dir = out.unwrap_or_else(|| default_out_dir(&sc.name));
            let total = replications.unwrap_or(sc.replications);
            if let Some(n) = trace_replication {
                if n == 0 || n > total {
                    eprintln!("error: --trace-replication {n}: expected 1 to {total} (the run's replications)");
                    return EXIT_BAD_INPUT;
                }
            }
            let trace_opts = if trace {
                if let Err(e) = std::fs::create_dir_all(&dir) {
                    eprintln!("error: cannot create {}: {e}", dir.display());
                    return EXIT_BAD_INPUT;
                }
                Some(sim::TraceOptions {
                    dir: dir.clone(),
                    replication: trace_replication.map(|n| n - 1),
                    errors: Default::default(),
                })
            } else {
                None
            };
            let opts = RunOptions {
                seed,
                replications,
                check_invariants,
                shard: None,
                stop: Some(stop_flag()),
                trace: trace_opts.clone(),
                dashboard: Some(sim::DashOptions {
                    replication: 0,
                    max_events: dashboard_events,
                }),
            };
            let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
                progress::RunProgress::new(
                    replications.unwrap_or(sc.replications),
                    sc.horizon.as_millis(),
                )
            });
            let progress = |rep, t, n| {
                if let Some(b) = &bar {
                    b.update(rep, t, n);
                }
            };
            let (output, logs) = if let Some(spec) = &engine {
                match remote_run::run(&sc, &opts, spec, log, &progress, quiet) {
                    Ok(x) => x,
                    Err(code) => return code,
                }
            } else if log {
                sim::run_logged(&sc, &opts, &progress)
            } else {
                (sim::run(&sc, &opts, &progress), Vec::new())
            };
            if let Some(b) = &bar {
                b.finish();
            }
            let report = Report::build(&sc, &output);
            let mut written = match report::write_all(&dir, &report).and_then(|mut w| {
                if log {
                    w.push(report::log::write(&dir, &sc, &logs)?);
                }
                Ok(w)
            }) {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("error: cannot write reports to {}: {e}", dir.display());
                    return EXIT_BAD_INPUT;
                }
            };
            if let Some(t) = &trace_opts {
                let reps: Vec<u32> = (0..total)
                    .filter(|r| t.replication.is_none_or(|k| k == *r))
                    .collect();
                let errors = t.errors.lock().map(|e| e.clone()).unwrap_or_default();
                match sim::observe::assemble(&dir, &reps) {
                    Ok(p) if errors.is_empty() => written.push(p),
                    Ok(_) => {
                        eprintln!("error: the trace is incomplete: {}", errors.join("; "));
                        return EXIT_BAD_INPUT;
                    }
                    Err(e) => {
                        eprintln!(
                            "error: cannot write {}: {e}",
                            dir.join("trace.jsonl").display()
                        );
                        return EXIT_BAD_INPUT;
                    }
                }
            }
            if let Some(file) = junit {
                let xml = report::junit::render(&report.summary);
                if let Err(e) = report::write_atomic(&file, xml.as_bytes()) {
                    eprintln!("error: cannot write {}: {e}", file.display());
                    return EXIT_BAD_INPUT;
                }
            }
            if !quiet {
                print!("{}", report::terminal::render(&report));
                println!("\nReports in {}:", dir.display());
                for path in &written {
                    println!("  {}", path.display());
                }
            }
            let summary = &report.summary;
            if summary.partial {
                eprintln!(
                    "interrupted: wrote a partial summary (\"partial\": true) to {}",
                    dir.display()
                );
                return EXIT_INTERRUPTED;
            }
            exit_code(summary)
        }
        Command::Compare {
            baseline,
            current,
            tolerance,
            tolerance_for,
            markdown,
            all,
            junit,
            allow_different,
            quiet,
        } => compare_cmd::run(
            &baseline,
            &current,
            &tolerance,
            &tolerance_for,
            compare_cmd::Output {
                markdown,
                all,
                junit,
                allow_different,
                quiet,
            },
        ),
        Command::Ab {
            scenario,
            variant,
            out,
            replications,
            quiet,
        } => ab_cmd::run(&scenario, &variant, out, replications, quiet),
        Command::Sweep {
            scenario,
            vary,
            target,
            out,
            seed,
            replications,
            shard,
            quiet,
        } => sweep_cmd::run(sweep_cmd::SweepArgs {
            scenario,
            vary,
            target,
            out,
            seed,
            replications,
            shard,
            quiet,
        }),
        Command::Staff {
            scenario,
            target,
            interval,
            group,
            shifts,
            shrinkage,
            out,
            seed,
            replications,
            quiet,
        } => staff_cmd::run(staff_cmd::StaffArgs {
            scenario,
            target,
            interval,
            group,
            shifts,
            shrinkage,
            out,
            seed,
            replications,
            quiet,
        }),
        Command::Erlang {
            rate,
            aht,
            agents,
            patience,
            sl,
            target_sl,
            shrinkage,
            chat,
            slowdown,
            json,
        } => erlang_cmd::run(erlang_cmd::ErlangArgs {
            rate,
            aht,
            agents,
            patience,
            sl,
            target_sl,
            shrinkage,
            chat,
            slowdown,
            json,
        }),
        Command::Merge { dirs, out, quiet } => shard_cmd::merge(&dirs, &out, quiet),
        Command::Fit {
            history,
            interval,
            out,
            quiet,
        } => fit_cmd::run(&history, &interval, out, quiet),
        Command::Explain {
            dir,
            conversation,
            agent,
            replication,
        } => explain_cmd(&dir, conversation, agent.as_deref(), replication),
    }
}

/// Events of replication 1 the dashboard in report.html replays by default.
pub const DASHBOARD_EVENTS: usize = 5_000;

/// `omnisim explain`: prints the story, or exits 2 naming what is missing.
fn explain_cmd(dir: &Path, conversation: Option<u64>, agent: Option<&str>, replication: u32) -> u8 {
    use crate::explain::{self, Subject};
    let subject = match (conversation, agent) {
        (Some(c), _) => Subject::Conversation(c),
        (None, Some(a)) => Subject::Agent(a.to_string()),
        (None, None) => {
            eprintln!("error: explain needs --conversation ID or --agent NAME");
            return EXIT_BAD_INPUT;
        }
    };
    match explain::explain_file(dir, &subject, replication) {
        Ok(story) => {
            print!("{story}");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_BAD_INPUT
        }
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
