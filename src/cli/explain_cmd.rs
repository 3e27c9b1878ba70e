//! `omnisim explain DIR (--conversation ID | --agent NAME) [--replication N]`: tells one
//! conversation's or one agent's story from `DIR/trace.jsonl` (`run --trace`); exit 0 · 2 (no
//! trace, no such conversation or agent).

use std::path::PathBuf;

use crate::explain::{self, ExplainError, Subject};

use super::error::{CliError, CmdResult};
use super::EXIT_OK;

/// `omnisim explain` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// The run's output folder (or its trace.jsonl).
    pub(crate) dir: PathBuf,
    /// The conversation's id (its arrival number in the replication, 1-based).
    #[arg(long, conflicts_with = "agent", required_unless_present = "agent")]
    pub(crate) conversation: Option<u64>,
    /// The agent's name, e.g. tier1-3 (a group agent) or ann (a roster agent).
    #[arg(long)]
    pub(crate) agent: Option<String>,
    /// The replication (1-based; default 1, or the trace's only one).
    #[arg(long)]
    pub(crate) replication: Option<u32>,
}

/// Prints the story, or fails naming what is missing.
pub(crate) fn run(a: ExplainArgs) -> CmdResult {
    let subject = match (a.conversation, a.agent) {
        (Some(c), _) => Subject::Conversation(c),
        (None, Some(name)) => Subject::Agent(name),
        (None, None) => {
            return Err(CliError::bad(
                "explain needs --conversation ID or --agent NAME",
            ))
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut told = explain::explain_to(&a.dir, &subject, a.replication.unwrap_or(1), &mut out);
    if let (None, Err(ExplainError::NoReplication { only: Some(k), .. })) = (a.replication, &told) {
        // A `--trace-replication K` trace holds replication K only: its story (the header
        // names the replication), without asking for --replication K.
        let k = *k;
        told = explain::explain_to(&a.dir, &subject, k, &mut out);
    }
    // Its reader went away (`explain … | head`): nothing more to say.
    if told == Err(ExplainError::ReaderGone) {
        return Ok(EXIT_OK);
    }
    told.map_err(|e| {
        CliError::bad(match e {
            ExplainError::NoTrace(_) => {
                format!("{e}; run `omnisim run SCENARIO --out DIR --trace` first")
            }
            ExplainError::UnknownConversation {
                nearest: Some(n), ..
            } => format!("{e} (try --conversation {n})"),
            e => e.to_string(),
        })
    })?;
    Ok(EXIT_OK)
}
