//! `omnisim validate SCENARIO`: loads and checks the scenario, runs nothing; prints its
//! warnings and one line (`valid (2 queues, 30 agents, 1 supervisor)`); exit 0 valid · 2
//! invalid.

use std::path::PathBuf;

use crate::text::plural;

use super::error::CmdResult;
use super::{load, Global, EXIT_OK};

/// `omnisim validate` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// The scenario file.
    pub(crate) scenario: PathBuf,
    #[command(flatten)]
    pub(crate) global: Global,
    /// Accept a scenario beyond the size limits (agents, horizon, replications, arrivals).
    #[arg(long)]
    pub(crate) allow_huge: bool,
}

/// Runs the command; see the module docs for the exit codes.
pub(crate) fn run(a: ValidateArgs) -> CmdResult {
    // Its warnings are printed by `load`, under `--quiet` too: that hides only the "valid"
    // line.
    let sc = load(&a.scenario, a.allow_huge, None)?;
    if !a.global.quiet {
        println!(
            "{}: valid ({}, {}, {})",
            a.scenario.display(),
            plural(sc.queues.len() as u64, "queue"),
            plural(sc.agent_count() as u64, "agent"),
            plural(sc.supervisors.len() as u64, "supervisor")
        );
        if let Some(note) = count_thresholds_note(&sc) {
            eprintln!("note: {note}");
        }
    }
    Ok(EXIT_OK)
}

/// With more than one replication, the sentence saying that the scenario's `[[thresholds]]`
/// on counts judge totals over its replications (not a replication's figure), naming them;
/// `None` otherwise. `sweep --target` judges a count per replication instead
/// (docs/verdicts.md).
pub(crate) fn count_thresholds_note(sc: &crate::scenario::Scenario) -> Option<String> {
    let n = sc.replications;
    let counts: Vec<&str> = sc
        .thresholds
        .iter()
        .map(|t| t.metric.as_str())
        .filter(|m| crate::report::compare::is_count(m))
        .collect();
    (n > 1 && !counts.is_empty()).then(|| {
        format!(
            "[[thresholds]] on counts ({}) judge the total over the {n} replications, not one \
             replication's figure (a max of 20 allows about 20 ÷ {n} a replication); sweep \
             --target judges a count per replication",
            counts.join(", ")
        )
    })
}
