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
mod shard_cmd;
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

/// A flag set by the first SIGINT or SIGTERM; a second one ends the process at once.
fn stop_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM] {
        // Registration only fails for forbidden signals, which these are not; without it a
        // signal simply ends the process as usual.
        let _ = signal_hook::flag::register_conditional_shutdown(
            sig,
            EXIT_INTERRUPTED as i32,
            flag.clone(),
        );
        let _ = signal_hook::flag::register(sig, flag.clone());
    }
    flag
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
    /// Compare two summary.json files metric by metric; exit 1 on a regression.
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
        /// A key and its values: agent_groups.NAME.count=20..60[:STEP] or PATH=A,B,C.
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
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Erlang C (and A) figures for a single queue.
    Erlang {
        /// Arrival rate, e.g. 300/h.
        #[arg(long)]
        rate: String,
        /// Mean handle time, e.g. 100s.
        #[arg(long)]
        aht: String,
        /// Agents.
        #[arg(long)]
        agents: Option<u32>,
        /// Mean patience (exponential): adds Erlang A figures.
        #[arg(long)]
        patience: Option<String>,
        /// The service-level threshold.
        #[arg(long, default_value = "20s")]
        sl: String,
        /// Print the smallest agent count whose Erlang C service level meets this fraction.
        #[arg(long)]
        target_sl: Option<f64>,
    },
    /// Merge the shard.json files of `run --shard` into the summary one machine would write.
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
    Load(LoadArgs),
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

fn load(path: &Path, allow_huge: bool) -> Result<Scenario, u8> {
    scenario::load_file_with(path, &scenario::LoadOptions { allow_huge }).map_err(|e| {
        eprintln!("error: {} is not a valid scenario:\n{e}", path.display());
        EXIT_BAD_INPUT
    })
}

fn run(args: Args) -> u8 {
    match args.command {
        Command::Load(a) => load_cmd(a),
        Command::Validate {
            scenario,
            quiet,
            allow_huge,
        } => match load(&scenario, allow_huge) {
            Ok(sc) => {
                if !quiet {
                    println!(
                        "{}: valid ({} queues, {} agents, {} supervisors)",
                        scenario.display(),
                        sc.queues.len(),
                        sc.agent_count(),
                        sc.supervisors.len()
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
        } => {
            let sc = match load(&scenario, allow_huge) {
                Ok(sc) => sc,
                Err(code) => return code,
            };
            if shard.is_some() && trace {
                eprintln!("error: --trace does not combine with --shard (trace a run of its own)");
                return EXIT_BAD_INPUT;
            }
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
            let output = sim::run(&sc, &opts, &|rep, t, n| {
                if let Some(b) = &bar {
                    b.update(rep, t, n);
                }
            });
            if let Some(b) = &bar {
                b.finish();
            }
            let report = Report::build(&sc, &output);
            let mut written = match report::write_all(&dir, &report) {
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
            quiet,
        } => compare_cmd::run(
            &baseline,
            &current,
            &tolerance,
            &tolerance_for,
            markdown,
            quiet,
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
            quiet,
        } => sweep_cmd::run(sweep_cmd::SweepArgs {
            scenario,
            vary,
            target,
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
        } => erlang_cmd::run(erlang_cmd::ErlangArgs {
            rate,
            aht,
            agents,
            patience,
            sl,
            target_sl,
        }),
        Command::Merge { dirs, out, quiet } => shard_cmd::merge(&dirs, &out, quiet),
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

/// `omnisim load` flags.
#[derive(Debug, clap::Args)]
struct LoadArgs {
    /// The scenario file.
    scenario: PathBuf,
    /// Offered conversations per second (the start rate with --ramp).
    #[arg(long)]
    rate: f64,
    /// How long arrivals are offered, e.g. 10s.
    #[arg(long)]
    duration: String,
    /// Ramping stages DURATION:RATE,…, e.g. 10s:1000,20s:5000.
    #[arg(long)]
    ramp: Option<String>,
    /// Scenario time per wall time.
    #[arg(long, default_value_t = 60.0)]
    speed: f64,
    /// Most wall time in-flight work may take after arrivals stop.
    #[arg(long, default_value = "5s")]
    drain: String,
    /// Agent worker tasks (default: one per core).
    #[arg(long)]
    workers: Option<usize>,
    /// Most commands applied per engine lock (1 = a lock per command).
    #[arg(long, default_value_t = 1024)]
    batch: usize,
    /// A check on a load.json path, e.g. latency_us.p99<=5000 (repeatable).
    #[arg(long)]
    threshold: Vec<String>,
    /// Output folder (default: reports/<scenario name>/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

/// `omnisim load`: 0 ok · 1 a threshold failed · 2 bad input · 3 invariants or conservation broke.
fn load_cmd(a: LoadArgs) -> u8 {
    use crate::load::{self, LoadOptions};
    let bad = |msg: String| {
        eprintln!("error: {msg}");
        EXIT_BAD_INPUT
    };
    let sc = match load(&a.scenario, false) {
        Ok(sc) => sc,
        Err(code) => return code,
    };
    let dur = |flag: &str, v: &str| {
        crate::time::parse_duration(v)
            .map(|d| std::time::Duration::from_millis(d.as_millis()))
            .map_err(|e| format!("--{flag} {v:?}: {e}"))
    };
    let (duration, drain) = match (dur("duration", &a.duration), dur("drain", &a.drain)) {
        (Ok(d), Ok(r)) => (d, r),
        (Err(e), _) | (_, Err(e)) => return bad(e),
    };
    if !(a.rate.is_finite() && a.rate >= 0.0 && a.speed.is_finite() && a.speed > 0.0) {
        return bad("--rate must be ≥ 0 and --speed > 0".into());
    }
    let ramp = match a.ramp.as_deref().map(load::parse_ramp).transpose() {
        Ok(r) => r.unwrap_or_default(),
        Err(e) => return bad(e.to_string()),
    };
    let mut thresholds = Vec::new();
    for t in &a.threshold {
        match load::parse_threshold(t) {
            Ok(t) if load::is_load_path(&t.metric) => thresholds.push(t),
            Ok(t) => {
                return bad(format!(
                    "--threshold: {:?} is not a load.json path",
                    t.metric
                ))
            }
            Err(e) => return bad(e.to_string()),
        }
    }
    let defaults = LoadOptions::default();
    let opts = LoadOptions {
        rate: a.rate,
        ramp,
        duration,
        drain,
        speed: a.speed,
        workers: a.workers.unwrap_or(defaults.workers),
        batch: a.batch,
        progress: !a.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        thresholds,
        stop: Some(stop_flag()),
        ..defaults
    };
    let rep = load::run(&sc, &opts);
    let dir = a.out.unwrap_or_else(|| default_out_dir(&sc.name));
    let json = serde_json::to_string_pretty(&rep).unwrap_or_default();
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| report::write_atomic(&dir.join("load.json"), json.as_bytes()));
    if let Err(e) = written {
        return bad(format!(
            "cannot write {}: {e}",
            dir.join("load.json").display()
        ));
    }
    if !a.quiet {
        let l = &rep.latency_us;
        println!(
            "{}: {} commands, {:.0}/s; latency µs p50 {} p99 {} p99.9 {} max {}; refused {}; \
             conversations {} arrived, {} closed, {} in system; invariant violations {}",
            rep.scenario,
            rep.commands,
            rep.throughput_per_s,
            l.p50,
            l.p99,
            l.p999,
            l.max,
            rep.refused,
            rep.conversations.arrived,
            rep.conversations.closed,
            rep.conversations.in_system_at_end,
            rep.invariant_violations
        );
        for t in rep.thresholds.iter().filter(|t| !t.passed) {
            eprintln!(
                "threshold failed: {} = {} (min {:?}, max {:?})",
                t.metric, t.value, t.min, t.max
            );
        }
    }
    if rep.errors > 0 {
        eprintln!(
            "error: {} load task(s) failed (see the panic above)",
            rep.errors
        );
    }
    if rep.partial {
        eprintln!("interrupted: wrote a partial load.json (\"partial\": true)");
        EXIT_INTERRUPTED
    } else if !rep.sound() {
        EXIT_INVARIANT
    } else if rep.thresholds.iter().any(|t| !t.passed) {
        EXIT_THRESHOLD
    } else {
        EXIT_OK
    }
}
