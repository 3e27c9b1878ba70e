//! `omnisim load SCENARIO --rate R --duration D`: checks the flags (every `--threshold` path
//! against `load.json`'s, with a "did you mean"), runs the load, writes `DIR/load.json`, prints
//! one line and decides the exit code.
//!
//! Exit codes: 130 interrupted (partial `load.json` written) · 3 the final engine is unsound or
//! a task failed · 1 a threshold failed (a figure with no data fails with "no data"; on a
//! partial run, one whose due commands were not all applied, no latency threshold passes) ·
//! 2 bad input · 0 otherwise. A run that left commands unapplied without a threshold exits 0
//! but says so on stderr and in `load.json` (`"partial": true`, `unapplied`).

use std::path::PathBuf;

use crate::load::{self, or_dash, LoadOptions, LoadReport};
use crate::report;

use super::error::{CliError, CmdResult};
use super::{default_out_dir, load, stop_flag, Global, EXIT_INVARIANT, EXIT_OK, EXIT_THRESHOLD};

/// Most conversations per second `--rate` (or a `--ramp` stage) may offer.
pub(crate) const MAX_LOAD_RATE: f64 = 10_000_000.0;
/// Most agent worker tasks (`--workers`).
pub(crate) const MAX_LOAD_WORKERS: usize = 1024;

/// `omnisim load` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct LoadArgs {
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
    /// Accept a scenario beyond the size limits or the loop limits (as `run --allow-huge`).
    #[arg(long)]
    allow_huge: bool,
    #[command(flatten)]
    global: Global,
    /// Load this engine over the network instead of the in-process one: http://HOST:PORT or
    /// "cmd:PROGRAM ARGS" (a subprocess speaking JSON lines).
    #[arg(long, value_name = "URL|cmd:…")]
    engine: Option<String>,
}

/// Runs the command; see the module docs for the exit codes.
pub(crate) fn run(a: LoadArgs) -> CmdResult {
    let quiet = a.global.quiet;
    let sc = load(&a.scenario, a.allow_huge, None)?;
    let mut problems = Vec::new();
    let dur = |flag: &str, v: &str| {
        crate::time::parse_duration(v)
            .map(|d| std::time::Duration::from_millis(d.as_millis()))
            .map_err(|e| format!("--{flag} {v:?}: {e}"))
    };
    let duration = dur("duration", &a.duration)
        .and_then(|d| {
            if d.is_zero() {
                Err(format!(
                    "--duration {:?}: must be longer than 0s (a load test of no time sends \
                     nothing and measures nothing)",
                    a.duration
                ))
            } else {
                Ok(d)
            }
        })
        .map_err(|e| problems.push(e))
        .ok();
    let drain = dur("drain", &a.drain).map_err(|e| problems.push(e)).ok();
    if !(a.rate.is_finite() && a.rate >= 0.0) {
        problems.push(format!(
            "--rate {}: must be a finite number ≥ 0 (conversations per second)",
            a.rate
        ));
    }
    if !(a.speed.is_finite() && a.speed > 0.0) {
        problems.push(format!(
            "--speed {}: must be a finite number > 0 (scenario time per wall time)",
            a.speed
        ));
    }
    let ramp = match a.ramp.as_deref().map(load::parse_ramp).transpose() {
        Ok(r) => r.unwrap_or_default(),
        Err(e @ load::RampError::NoStage) => {
            problems.push(format!("--ramp {e}"));
            Vec::new()
        }
        Err(e) => {
            // Every bad stage, one problem each.
            problems.extend(e.to_string().lines().map(String::from));
            Vec::new()
        }
    };
    // Size limits, as the scenario has for its arrivals: what a rate or a task count beyond
    // them asks for cannot be delivered, only exhausts memory (issue 25, F).
    let top = ramp.iter().map(|s| s.target).fold(a.rate, f64::max);
    if top > MAX_LOAD_RATE {
        problems.push(format!(
            "--rate/--ramp: {top} conversations per second is over the limit of \
             {MAX_LOAD_RATE:.0} per second (the batched engine applies about a million \
             commands a second on 2 cores)"
        ));
    }
    if top == 0.0 && a.rate == 0.0 {
        // Issue 25, fourteenth session: a load of no arrivals (an unset rate read as 0) ran,
        // measured nothing and passed every count threshold.
        problems.push(
            "--rate 0: offers no conversation (and no --ramp stage rises above 0): a load \
             test of no load measures nothing; give a rate above 0"
                .into(),
        );
    }
    let most = top * duration.map_or(0.0, |d| d.as_secs_f64());
    if top <= MAX_LOAD_RATE && most > crate::scenario::MAX_EXPECTED_ARRIVALS {
        problems.push(format!(
            "--rate × --duration: up to {most:.3e} conversations is over the limit of {:.0} \
             (the scenario's expected-arrivals limit)",
            crate::scenario::MAX_EXPECTED_ARRIVALS
        ));
    }
    if a.workers == Some(0) || a.workers.is_some_and(|w| w > MAX_LOAD_WORKERS) {
        problems.push(format!(
            "--workers must be between 1 and {MAX_LOAD_WORKERS} (default: one per core)"
        ));
    }
    if a.batch == 0 {
        problems.push("--batch must be at least 1 (1 = a lock per command)".into());
    }
    let mut thresholds = Vec::new();
    // The paths of this run's load.json: its policies, routing rules, ramp stages, and
    // `remote` with --engine.
    let scope = load::LoadScope::of(&sc, ramp.len(), a.engine.is_some());
    for t in &a.threshold {
        match load::parse_threshold(t) {
            Ok(t) => match scope.check(&t.metric) {
                Ok(()) => thresholds.push(t),
                Err(e) => problems.push(format!("--threshold: {e}")),
            },
            Err(e) => problems.push(e.to_string()),
        }
    }
    let engine = match a
        .engine
        .as_deref()
        .map(crate::service::client::EngineSpec::parse)
    {
        None => None,
        Some(Ok(spec)) => Some(spec),
        Some(Err(e)) => {
            problems.push(format!("--engine {e}"));
            None
        }
    };
    let (Some(duration), Some(drain), true) = (duration, drain, problems.is_empty()) else {
        return Err(CliError::BadInput(problems));
    };
    // A scenario threshold on a summary.json figure load.json does not have is not checked
    // here: said, so a pipeline does not take it for a gate that passed.
    let unchecked: Vec<String> = sc
        .thresholds
        .iter()
        .filter(|t| !scope.knows(&t.metric))
        .map(|t| format!("{:?}", t.metric))
        .collect();
    if !unchecked.is_empty() {
        eprintln!(
            "note: the scenario's {} on {} {} not checked by load: load.json has no such \
             figure (`omnisim run` checks {})",
            if unchecked.len() == 1 {
                "threshold"
            } else {
                "thresholds"
            },
            unchecked.join(", "),
            if unchecked.len() == 1 { "is" } else { "are" },
            if unchecked.len() == 1 { "it" } else { "them" },
        );
    }
    let ramp_s: f64 = ramp.iter().map(|s| s.secs).sum();
    if ramp_s > duration.as_secs_f64() {
        eprintln!(
            "warning: --ramp's stages last {ramp_s}s in all, longer than --duration {:?}: \
             arrivals stop at {}s, so the ramp is cut there (lengthen --duration to run it \
             whole)",
            a.duration,
            duration.as_secs_f64()
        );
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
        progress: !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        thresholds,
        stop: Some(stop_flag()),
        ..defaults
    };
    let dir = a.out.clone().unwrap_or_else(|| default_out_dir(&sc.name));
    // The engine must answer before the work begins (and before the older load.json goes).
    let reached = match &engine {
        Some(spec) => super::remote_run::reach(spec, stop_flag())?,
        None => None,
    };
    // The load begins: an older `load.json` goes first (however this one ends).
    super::stale::clear(&dir, super::stale::Starting::Load);
    let rep = match &engine {
        None => load::run(&sc, &opts),
        Some(spec) => match load::run_remote(&sc, &opts, spec, reached) {
            Ok(rep) => rep,
            Err(load::RemoteLoadError::Interrupted) => {
                return Err(CliError::Interrupted(format!(
                    "--engine {spec}: stopped while waiting for the engine, before the load \
                     began; nothing was written"
                )))
            }
            Err(e) => return Err(CliError::bad(format!("--engine {spec}: {e}"))),
        },
    };
    let json = serde_json::to_string_pretty(&rep).unwrap_or_default();
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| report::write_atomic(&dir.join("load.json"), json.as_bytes()));
    written.map_err(|e| {
        CliError::bad(format!(
            "cannot write {}: {e}",
            dir.join("load.json").display()
        ))
    })?;
    if !quiet {
        println!("{}", summary_line(&rep));
    }
    // A partial result and a failed threshold are warnings, not chatter: printed under
    // `--quiet` too (issue 25, twelfth session).
    if rep.unapplied > 0 {
        eprintln!(
            "partial: {} of {} due commands were never applied before the run ended (the \
             engine fell behind{}); latency_us counts each with its age then, and no latency \
             threshold can pass",
            rep.unapplied,
            rep.offered,
            if rep.interrupted {
                " or the run was interrupted"
            } else {
                ""
            }
        );
    }
    for t in rep.thresholds.iter().filter(|t| !t.passed) {
        eprintln!(
            "threshold failed: {} = {} (min {}, max {}){}",
            t.metric,
            or_dash(t.value),
            or_dash(t.min),
            or_dash(t.max),
            t.reason
                .as_deref()
                .map_or_else(String::new, |r| format!(": {r}"))
        );
    }
    if rep.errors > 0 {
        eprintln!(
            "error: {} load task(s) failed (see the panic above)",
            rep.errors
        );
    }
    if rep.interrupted {
        Err(CliError::Interrupted(
            "wrote a partial load.json (\"partial\": true)".into(),
        ))
    } else if !rep.sound() {
        Ok(EXIT_INVARIANT)
    } else if rep.thresholds.iter().any(|t| !t.passed) {
        Ok(EXIT_THRESHOLD)
    } else {
        Ok(EXIT_OK)
    }
}

/// The one line printed after a run; a figure with no data reads `—`.
fn summary_line(rep: &LoadReport) -> String {
    let l = &rep.latency_us;
    format!(
        "{}: {} due, {} applied, {} unapplied, {:.0}/s; latency µs from due p50 {} \
         p99 {} p99.9 {} max {}; refused {}; conversations {} arrived, {} closed, {} in system; \
         invariant violations {}",
        rep.scenario,
        crate::report::format::plural(rep.offered, "command"),
        rep.commands,
        rep.unapplied,
        rep.throughput_per_s,
        or_dash(l.p50),
        or_dash(l.p99),
        or_dash(l.p999),
        or_dash(l.max),
        rep.refused,
        rep.conversations.arrived,
        rep.conversations.closed,
        rep.conversations.in_system_at_end,
        rep.invariant_violations
    ) + &rep.remote.as_ref().map_or_else(String::new, |r| {
        format!(
            "\nengine {}: {} round trips of {} commands, round trip µs p50 {} p99 {}; engine {} µs and network {} µs per round trip ({} of the mean latency)",
            r.engine,
            r.round_trips,
            r.commands_per_round_trip,
            or_dash(r.round_trip_us.p50),
            or_dash(r.round_trip_us.p99),
            or_dash(r.engine_us_per_round_trip),
            or_dash(r.network_us_per_round_trip),
            r.network_share_of_latency
                .map_or_else(|| "—".into(), |s| format!("{:.1}%", s * 100.0)),
        )
    })
}
