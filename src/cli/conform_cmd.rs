//! `omnisim conform --engine URL|"cmd:PROGRAM ARGS" [--out DIR] [--rule ID]…`: runs the rule
//! catalogue's conformance cases (`conform`) against an engine speaking protocol v1; prints
//! one line per rule id (PASS, FAIL with the first step that differed, SKIP with why a rule has
//! no cases) and writes `DIR/conformance.json` and `DIR/conformance.xml` (JUnit).
//!
//! Exit codes: 0 every rule with cases passed · 1 a rule failed · 2 bad input (an engine spec
//! that is not `http://HOST:PORT` or `cmd:PROGRAM ARGS`, an engine that cannot be reached or
//! started, an engine lost in the setup of the first cases, an unknown `--rule`, an output
//! folder that cannot be written) · 130 interrupted (SIGINT, SIGTERM: the engine is killed,
//! the rules whose every case ran are written, marked `"partial": true`).

use std::path::PathBuf;

use crate::conform;
use crate::service::client::EngineSpec;

use super::{write_files, CliError, CmdResult, Global, EXIT_OK, EXIT_THRESHOLD};

/// `omnisim conform` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct ConformArgs {
    /// The engine: `http://HOST:PORT` (an HTTP engine) or `"cmd:PROGRAM ARGS"` (a subprocess
    /// speaking JSON lines; split on spaces).
    #[arg(long)]
    engine: String,
    /// Output folder (default: reports/conform/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Only this rule id (repeatable).
    #[arg(long = "rule")]
    rules: Vec<String>,
    /// `--quiet`: print only failures and the total.
    #[command(flatten)]
    global: Global,
}

/// Runs the command; see the module docs for the exit codes.
pub(crate) fn run(a: ConformArgs) -> CmdResult {
    let mut problems: Vec<String> = a
        .rules
        .iter()
        .filter(|r| !conform::CATALOGUE.iter().any(|(id, _)| id == r))
        .map(|r| {
            let ids = conform::CATALOGUE.iter().map(|(id, _)| *id);
            // The rule ids are upper case: `assign-capacity` means `ASSIGN-CAPACITY`.
            let hint = crate::scenario::closest(r, ids.clone())
                .map(|c| format!("did you mean {c:?}? "))
                .unwrap_or_default();
            format!(
                "--rule {r:?}: not a rule id of the catalogue ({hint}expected one of {})",
                ids.collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    let spec = EngineSpec::parse(&a.engine).map_err(|e| format!("--engine {e}"));
    let spec = match spec {
        Ok(spec) if problems.is_empty() => spec,
        Ok(_) => return Err(CliError::BadInput(problems)),
        Err(e) => {
            problems.push(e);
            return Err(CliError::BadInput(problems));
        }
    };
    let only = (!a.rules.is_empty()).then_some(a.rules.as_slice());
    // The options are checked and the cases begin: an older run's files go first, so an
    // engine that fails or a stop before a rule is judged leaves none to be read as this
    // run's (issue 25, thirteenth pass).
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports/conform"));
    super::stale::clear(&dir, super::stale::Starting::Conform);
    let stop = super::stop_flag();
    let report = conform::run_stoppable(&spec, only, Some(&stop));
    if super::stop_flag().load(std::sync::atomic::Ordering::Relaxed) && report.is_err() {
        // The stop came before anything could be judged (e.g. while the first engine started).
        return Err(CliError::Interrupted(
            "conform stopped before a rule was judged; nothing was written".into(),
        ));
    }
    let report = report.map_err(|e| CliError::bad(format!("--engine: {e}")))?;
    let text = conform::render_text(&report);
    for line in text.lines() {
        if !a.global.quiet || !line.starts_with("PASS") && !line.starts_with("SKIP") {
            println!("{line}");
        }
    }
    let files = [
        ("conformance.json", conform::render_json(&report)),
        ("conformance.xml", conform::render_junit(&report)),
    ];
    write_files(&dir, &files)
        .map_err(|e| CliError::bad(format!("cannot write {}: {e}", dir.display())))?;
    if report.partial {
        return Err(CliError::Interrupted(format!(
            "wrote the {} whose every case ran (partial) to {}",
            crate::text::plural(report.order.len() as u64, "rule"),
            dir.display()
        )));
    }
    Ok(if report.all_passed() {
        EXIT_OK
    } else {
        EXIT_THRESHOLD
    })
}
