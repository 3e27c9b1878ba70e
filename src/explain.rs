//! `omnisim explain`: one conversation's or one agent's story, told from `trace.jsonl`.
//!
//! Key items: [`explain_file`], [`tell`], [`Subject`], [`ExplainError`].
//!
//! The story lists, in order, every trace line about the subject in plain words with its clock
//! time (`H:MM:SS` since the start of the replication, rounded to the second) and the rule that
//! decided or refused. A conversation transferred to another queue at the end of handling gets
//! a line of its own, and its wait there is measured from when it entered that queue (the
//! total since arrival given beside it, as `summary.json`'s `queues.Q.wait_s` counts it):
//!
//! ```text
//! 0:01:00 lead assigned it to a-1 (accepted)
//! 0:01:00 invitation sent to a-1 by the supervisor's assignment (ASSIGN-INVITE)
//! ```

use std::fmt::Write as _;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::trace::{clock, Kind, TraceLine};

use describe::describe;

/// Whose story to tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A conversation, by id (its arrival number in the replication, 1-based).
    Conversation(u64),
    /// An agent, by name (`<group>-<k>`).
    Agent(String),
}

/// Why no story could be told, in the trace's terms (the command line adds how to make a trace
/// and which conversation to try: `cli::explain_cmd`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExplainError {
    /// No trace file where it was looked for.
    #[error("{0}: no trace here")]
    NoTrace(PathBuf),
    /// No `trace.jsonl` in the folder, only the replications' part files: the run was stopped
    /// (a second SIGINT or SIGTERM) before it joined them.
    #[error(
        "{}: no trace.jsonl, only {parts} trace part file{} (trace.jsonl.part-*): the run was \
         stopped before its trace was assembled; run it again with --trace to get a trace \
         (that run removes the parts)",
        .dir.display(),
        if *.parts == 1 { "" } else { "s" }
    )]
    Unassembled {
        /// The folder.
        dir: PathBuf,
        /// How many part files it holds.
        parts: usize,
    },
    /// The file could not be read, or a line is not a trace line.
    #[error("{path}: {msg}")]
    Bad {
        /// The file.
        path: PathBuf,
        /// What went wrong, with the line number.
        msg: String,
    },
    /// The replication is not in the trace.
    #[error("replication {asked} is not in the trace; it holds {have}")]
    NoReplication {
        /// The replication asked for.
        asked: u32,
        /// The replications present, e.g. "1 to 3".
        have: String,
    },
    /// No conversation with that id. The message says when the replication has none, and when
    /// the run's interruption cut it (before any conversation arrived, or after `last`).
    #[error("{}", unknown_conversation(*.asked, *.replication, *.last, *.interrupted))]
    UnknownConversation {
        /// The id asked for.
        asked: u64,
        /// The replication.
        replication: u32,
        /// The largest id present (0: none).
        last: u64,
        /// The replication's trace ends with an `interrupted` line (SIGINT or SIGTERM cut it).
        interrupted: bool,
        /// The nearest id present (`None` when the replication has none).
        nearest: Option<u64>,
    },
    /// No agent with that name.
    #[error("no agent {asked:?} in the trace{hint}")]
    UnknownAgent {
        /// The name asked for.
        asked: String,
        /// A suggestion.
        hint: String,
    },
}

/// [`ExplainError::UnknownConversation`]'s words.
fn unknown_conversation(asked: u64, replication: u32, last: u64, interrupted: bool) -> String {
    let head = format!("no conversation {asked} in replication {replication}");
    match (last, interrupted) {
        (0, true) => format!(
            "{head}: the run was interrupted (SIGINT or SIGTERM) before any conversation arrived \
             in it"
        ),
        (0, false) => format!("{head}: no conversation arrived in it"),
        (_, true) => format!(
            "{head}; its conversations are 1 to {last} (the run was interrupted, SIGINT or \
             SIGTERM, before more arrived)"
        ),
        (_, false) => format!("{head}; its conversations are 1 to {last}"),
    }
}

/// Reads `dir/trace.jsonl` (or `dir` itself when it is a file) and tells `subject`'s story in
/// `replication` (1-based).
///
/// Two streaming passes, so memory follows one story, not the file: the first learns the
/// replications present and where the subject's lines are; the second keeps only the lines
/// [`tell`] needs for a conversation (the replication's lines from its first line to the one
/// after its last, plus the replication's `interrupted` line), or tells an agent's story as
/// its lines go by (its own lines, every line of a conversation it touched, the line after
/// each of those, and the `interrupted` line), holding only the story and the conversations
/// the agent holds.
pub fn explain_file(
    dir: &Path,
    subject: &Subject,
    replication: u32,
) -> Result<String, ExplainError> {
    let path = if dir.is_file() {
        dir.to_path_buf()
    } else {
        dir.join("trace.jsonl")
    };
    if !path.exists() {
        let parts = std::fs::read_dir(dir).map_or(0, |d| {
            d.filter_map(Result::ok)
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with("trace.jsonl.part-")
                })
                .count()
        });
        if parts > 0 {
            return Err(ExplainError::Unassembled {
                dir: dir.to_path_buf(),
                parts,
            });
        }
    }
    // Pass 1: the replications, and where the subject's lines are.
    let mut reps: Vec<u32> = Vec::new();
    let (mut first, mut last) = (None::<usize>, None::<usize>);
    let mut touched = std::collections::BTreeSet::new();
    let (mut last_conv, mut names) = (0u64, std::collections::BTreeSet::new());
    // The replication's last line, and its last `interrupted` line.
    let (mut rep_end, mut interrupted) = (0usize, None::<usize>);
    pass(&path, |i, l| {
        if reps.last() != Some(&l.replication) && !reps.contains(&l.replication) {
            reps.push(l.replication);
        }
        if l.replication != replication {
            // The trace holds each replication's lines together, in replication order (the
            // run joins its replications' parts so: `sim::observe::assemble`): once another
            // replication follows the one asked for, nothing later is about it.
            return !reps.contains(&replication);
        }
        rep_end = i;
        if l.kind == Kind::Interrupted {
            interrupted = Some(i);
        }
        last_conv = last_conv.max(l.conversation.unwrap_or(0));
        if let Some(a) = &l.agent {
            if !names.contains(a) {
                names.insert(a.clone());
            }
        }
        let hit = match subject {
            Subject::Conversation(c) => l.conversation == Some(*c),
            Subject::Agent(a) => {
                let own =
                    l.agent.as_deref() == Some(a.as_str()) || l.from.as_deref() == Some(a.as_str());
                if own {
                    touched.extend(l.conversation);
                }
                own
            }
        };
        if hit {
            first.get_or_insert(i);
            last = Some(i);
        }
        true
    })?;
    if !reps.contains(&replication) {
        reps.sort_unstable();
        let have = match (reps.first(), reps.last()) {
            (Some(a), Some(b)) if a == b => format!("replication {a} only"),
            (Some(a), Some(b)) => format!("replications {a} to {b}"),
            _ => "no lines".to_string(),
        };
        return Err(ExplainError::NoReplication {
            asked: replication,
            have,
        });
    }
    let told = match (first, last, subject) {
        (Some(_), Some(_), Subject::Agent(a)) => {
            // Pass 2 for an agent: its story told as its lines stream by (`agent`), from its
            // own lines, every line of a conversation it touched, the line after each of those
            // (it may be the refusal that counts it) and the `interrupted` line.
            let mut story = agent::AgentStory::new(subject, replication);
            let mut after_kept = false;
            pass(&path, |i, l| {
                if i > rep_end {
                    return false;
                }
                if l.replication != replication {
                    return true;
                }
                let needed = l.agent.as_deref() == Some(a.as_str())
                    || l.from.as_deref() == Some(a.as_str())
                    || l.conversation.is_some_and(|c| touched.contains(&c));
                if needed || after_kept || l.kind == Kind::Interrupted {
                    story.push(&l);
                }
                after_kept = needed;
                true
            })?;
            story.finish()
        }
        (Some(first), Some(last), _) => {
            // Pass 2: the lines the story needs.
            // Nothing is kept after the line after its last one and the replication's
            // `interrupted` line: the rest of the file is not read.
            let stop = (last + 1).max(interrupted.unwrap_or(0));
            let mut lines = Vec::new();
            let mut after_kept = false;
            pass(&path, |i, l| {
                if i > stop {
                    return false;
                }
                if l.replication != replication {
                    return true;
                }
                let needed = (first..=last + 1).contains(&i);
                // The line after a needed one too: it may be the refusal that counts it.
                if needed || after_kept || l.kind == Kind::Interrupted {
                    lines.push(l);
                }
                after_kept = needed;
                true
            })?;
            tell(&lines, subject, replication)
        }
        _ => Err(not_found(
            subject,
            replication,
            last_conv,
            interrupted.is_some(),
            names.iter().map(String::as_str).collect(),
        )),
    };
    match told {
        // An agent of the run (its row in agents.csv beside the trace) with no line at all:
        // never offered anything, never a presence change.
        // When the run's interruption cut the replication, that is all the trace can say.
        Err(ExplainError::UnknownAgent { asked, .. }) if in_agents_csv(&path, &asked) => Ok(
            never_assigned(&asked, replication, last_conv, interrupted.is_some()),
        ),
        other => other,
    }
}

/// The story of an agent of the run with no line in `replication`: never assigned, or, when the
/// replication's trace ends with an `interrupted` line, cut off by the interruption (before any
/// conversation arrived when `last_conv` is 0), as [`ExplainError::UnknownConversation`] says
/// for a conversation.
fn never_assigned(agent: &str, replication: u32, last_conv: u64, interrupted: bool) -> String {
    let head = format!("Agent {agent}, replication {replication}:");
    match (interrupted, last_conv) {
        (false, _) => format!(
            "{head}\nnever assigned: no conversation was offered to it and its presence never \
             changed in this replication\n"
        ),
        (true, 0) => format!(
            "{head}\nnothing to tell: the run was interrupted (SIGINT or SIGTERM) before any \
             conversation arrived in this replication, and the trace is partial\n"
        ),
        (true, _) => format!(
            "{head}\nno conversation was offered to it and its presence never changed before the \
             run was interrupted (SIGINT or SIGTERM; conversations 1 to {last_conv} arrived): the \
             trace is partial, so its story is cut off, not ended\n"
        ),
    }
}

/// One streaming pass over the trace at `path`: hands `line` each parsed line with its index
/// (0-based; blank lines are skipped but keep their number) until it returns `false` (the
/// rest is not read). Errors name the file and the line.
fn pass(path: &Path, mut line: impl FnMut(usize, TraceLine) -> bool) -> Result<(), ExplainError> {
    let file = std::fs::File::open(path).map_err(|_| ExplainError::NoTrace(path.to_path_buf()))?;
    let bad = |msg: String| ExplainError::Bad {
        path: path.to_path_buf(),
        msg,
    };
    for (i, raw) in std::io::BufReader::new(file).lines().enumerate() {
        let raw = raw.map_err(|e| bad(format!("cannot read: {e}")))?;
        if raw.trim().is_empty() {
            continue;
        }
        let l: TraceLine = serde_json::from_str(&raw)
            .map_err(|e| bad(format!("line {}: not a trace line: {e}", i + 1)))?;
        if !line(i, l) {
            break;
        }
    }
    Ok(())
}

/// Whether `agent` has a row in the `agents.csv` beside the trace `path` (the run's agents).
fn in_agents_csv(path: &Path, agent: &str) -> bool {
    let Some(csv) = path
        .parent()
        .and_then(|d| std::fs::read_to_string(d.join("agents.csv")).ok())
    else {
        return false;
    };
    csv.lines()
        .skip(1)
        .any(|l| l.split(',').next() == Some(agent))
}

/// Tells `subject`'s story from the lines of one replication.
pub fn tell(
    lines: &[TraceLine],
    subject: &Subject,
    replication: u32,
) -> Result<String, ExplainError> {
    let c = match subject {
        Subject::Conversation(c) => *c,
        // An agent's story is told as its lines stream by.
        Subject::Agent(_) => {
            let mut story = agent::AgentStory::new(subject, replication);
            for l in lines {
                story.push(l);
            }
            return story.finish();
        }
    };
    let mine: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].conversation == Some(c))
        .collect();
    if mine.is_empty() {
        let last = lines
            .iter()
            .filter_map(|l| l.conversation)
            .max()
            .unwrap_or(0);
        let names = lines.iter().filter_map(|l| l.agent.as_deref()).collect();
        let cut = lines.iter().any(|l| l.kind == Kind::Interrupted);
        return Err(not_found(subject, replication, last, cut, names));
    }
    let mut out = String::new();
    let _ = writeln!(out, "Conversation {c}, replication {replication}:");
    // Per conversation: the queue it is in and, after a transfer, when it entered it (followed
    // on every line, so an agent's story measures a transferred conversation's wait too).
    let mut whereabouts: std::collections::BTreeMap<u64, Whereabouts> = Default::default();
    let first = served_first(lines, c);
    let mut next = mine.iter().copied().peekable();
    for (i, l) in lines.iter().enumerate() {
        let special = l
            .conversation
            .and_then(|c| whereabouts.entry(c).or_default().observe(l));
        if next.peek() != Some(&i) {
            continue;
        }
        next.next();
        if let Some((at, text)) = &first {
            if *at == i {
                let _ = writeln!(out, "{} {text}", clock(l.t));
            }
        }
        let counted = lines
            .get(i + 1)
            .is_some_and(|n| n.kind == Kind::Refusal && n.rule == l.rule && n.t == l.t);
        let Some(text) = special.or_else(|| describe(l, subject, counted)) else {
            continue;
        };
        let _ = writeln!(out, "{} {text}", clock(l.t));
    }
    if let Some(note) = cut_off(lines, subject) {
        out.push_str(&note);
    }
    Ok(out)
}

/// The error for a subject with no line in the replication: `last`, the replication's largest
/// conversation id; `interrupted`, the replication's trace was cut by the run's interruption;
/// `names`, the agents its lines name (for a suggestion).
fn not_found(
    subject: &Subject,
    replication: u32,
    last: u64,
    interrupted: bool,
    mut names: Vec<&str>,
) -> ExplainError {
    match subject {
        Subject::Conversation(c) => ExplainError::UnknownConversation {
            asked: *c,
            replication,
            last,
            interrupted,
            nearest: (last > 0).then(|| (*c).clamp(1, last)),
        },
        Subject::Agent(a) => {
            names.sort_unstable();
            names.dedup();
            let hint = match crate::scenario::suggest::closest(a, names.iter().copied()) {
                Some(s) => format!("; did you mean {s:?}?"),
                None if names.is_empty() => String::new(),
                None => format!(
                    "; agents in the trace: {}{}",
                    names.iter().take(8).copied().collect::<Vec<_>>().join(", "),
                    if names.len() > 8 { ", …" } else { "" }
                ),
            };
            ExplainError::UnknownAgent {
                asked: a.clone(),
                hint,
            }
        }
    }
}

/// The last line of a story the run's interruption cut off (the replication's trace ends with
/// an `interrupted` line): a conversation not closed by then, or any agent's story. `None` for
/// a whole story.
fn cut_off(lines: &[TraceLine], subject: &Subject) -> Option<String> {
    let stop = lines.iter().rfind(|l| l.kind == Kind::Interrupted)?;
    let open = match subject {
        Subject::Conversation(c) => !lines
            .iter()
            .any(|l| l.conversation == Some(*c) && l.kind == Kind::Effect && l.what == "closed"),
        Subject::Agent(_) => true,
    };
    open.then(|| {
        let whose = match subject {
            Subject::Conversation(c) => format!(
                "the conversation was {} at that point; its story is cut off",
                state_at_cut(lines, *c)
            ),
            Subject::Agent(_) => "the agent's story is cut off".into(),
        };
        format!(
            "{} the run was interrupted here (SIGINT or SIGTERM) and the trace is partial: {whose}, not ended\n",
            clock(stop.t)
        )
    })
}

/// Where conversation `c` (not closed) stood when the run was cut, from its last `state`
/// effect (none: still open, as it arrived) and the agent of its last acceptance or transfer.
fn state_at_cut(lines: &[TraceLine], c: u64) -> String {
    let mine = || lines.iter().rev().filter(|l| l.conversation == Some(c));
    let state = mine()
        .find(|l| l.kind == Kind::Effect && l.what == "state")
        .and_then(|l| l.to.as_deref())
        .unwrap_or("open");
    let agent = mine()
        .find(|l| l.kind == Kind::Effect && matches!(l.what.as_str(), "accepted" | "transferred"))
        .and_then(|l| l.agent.as_deref());
    let by = |what: &str| match agent {
        Some(a) => format!("{what} by {a}"),
        None => what.to_string(),
    };
    // The offer still pending at the cut: its last invitation line, with no answer, refusal
    // or withdrawal after it.
    let offered = mine()
        .find(|l| {
            l.kind == Kind::Effect
                && matches!(
                    l.what.as_str(),
                    "invited" | "invite_withdrawn" | "invite_refused" | "accepted" | "state"
                )
        })
        .filter(|l| l.what == "invited");
    match state {
        "open" if offered.is_some() => {
            let l = offered.expect("checked");
            format!(
                "still open, being offered to {} (invitation sent at {}, not yet answered)",
                s(&l.agent),
                clock(l.t)
            )
        }
        "open" => "still open, waiting for an agent".into(),
        "active" => format!("still active ({})", by("being handled")),
        "waiting" => format!("still waiting, set aside ({})", by("held")),
        "wrap_up" => format!("in wrap-up ({})", by("notes")),
        other => format!("still {other}"),
    }
}

/// Why conversation `c` was not routed sooner: the routing decisions in its queue while it
/// waited there (from entering it to its own routing, or to the end of its story), by why
/// theirs came first — a higher priority bucket (RT-PRIORITIZE), an earlier arrival (RT-ORDER),
/// or a later arrival that an agent it could not have took (its skills or the rules). Returns
/// the index of the line to print it before, and the words; `None` when nothing went first.
fn served_first(lines: &[TraceLine], c: u64) -> Option<(usize, String)> {
    let mine = |l: &TraceLine| l.conversation == Some(c);
    let routed = lines
        .iter()
        .position(|l| mine(l) && l.kind == Kind::Routing && l.what != "waiting");
    // Never routed: until it closed (a `retried` line after that is no wait).
    let closed = || {
        lines
            .iter()
            .position(|l| mine(l) && l.kind == Kind::Effect && l.what == "closed")
    };
    let end = routed
        .or_else(closed)
        .unwrap_or_else(|| lines.iter().rposition(mine).unwrap_or(0));
    let (start, queue) = lines[..end]
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, l)| mine(l))
        .find_map(|(i, l)| match (l.kind, l.what.as_str()) {
            (Kind::Command, "arrive") => Some((i, l.queue.clone()?)),
            (Kind::Effect, "requeued") => Some((i, l.to.clone()?)),
            _ => None,
        })?;
    let own_bucket = routed.and_then(|r| lines[r].bucket);
    let (mut higher, mut earlier, mut later) = (0u32, 0u32, 0u32);
    for l in &lines[start..end] {
        if l.kind != Kind::Routing || l.what != "routed" || l.queue.as_deref() != Some(&queue) {
            continue;
        }
        let Some(other) = l.conversation.filter(|o| *o != c) else {
            continue;
        };
        // Same bucket (or none) and older: arrival order. Anything else that went first (a
        // later arrival, or one of a lower-priority bucket) had an agent this one could not.
        match (l.bucket, own_bucket) {
            (Some(b), Some(o)) if b < o => higher += 1,
            (Some(b), Some(o)) if b > o => later += 1,
            _ if other < c => earlier += 1,
            _ => later += 1,
        }
    }
    let total = higher + earlier + later;
    if total == 0 {
        return None;
    }
    let mut parts = Vec::new();
    if higher > 0 {
        parts.push(format!(
            "{higher} in a higher-priority bucket (RT-PRIORITIZE)"
        ));
    }
    if earlier > 0 {
        parts.push(format!("{earlier} that arrived earlier (RT-ORDER)"));
    }
    if later > 0 {
        parts.push(format!(
            "{later} later or lower-priority ones, to agents it could not have (skills, \
             assignment rules or their presences)"
        ));
    }
    let at = routed.unwrap_or(end);
    Some((
        at,
        format!(
            "while it waited in queue {queue}, {} routed first: {}",
            if total == 1 {
                "1 other conversation was".to_string()
            } else {
                format!("{total} other conversations were")
            },
            parts.join(", ")
        ),
    ))
}

/// Where a conversation is, as its story goes.
#[derive(Debug, Default)]
struct Whereabouts {
    /// The queue it is in.
    queue: Option<String>,
    /// When it entered that queue by a transfer at the end of handling (seconds).
    entered: Option<f64>,
}

impl Whereabouts {
    /// Follows `l`; the words for it when they differ from [`describe`]'s: the transfer line,
    /// and the acceptance after a transfer with the wait in the queue it was transferred to.
    fn observe(&mut self, l: &TraceLine) -> Option<String> {
        let ok = l.ok.unwrap_or(true);
        match (l.kind, l.what.as_str()) {
            (Kind::Command, "arrive") | (Kind::Routing, _) if l.queue.is_some() => {
                self.queue.clone_from(&l.queue);
            }
            (Kind::Command, "assign_to_queue") if ok => self.queue.clone_from(&l.queue),
            (Kind::Effect, "requeued") => self.queue.clone_from(&l.to),
            (Kind::Command, "transfer_to_queue") if ok => {
                let from = self.queue.replace(s(&l.queue).to_string());
                self.entered = Some(l.t);
                return Some(format!(
                    "transferred from queue {} to {} at the end of handling (LC-ACTIVE: the \
                     work stream's transfer share; Active → Open there)",
                    from.as_deref().unwrap_or("?"),
                    s(&l.queue)
                ));
            }
            (Kind::Effect, "accepted") => {
                if let Some(entered) = self.entered.take() {
                    return Some(format!(
                        "{} accepted it after a wait of {} in queue {} ({} since it arrived)",
                        s(&l.agent),
                        clock(l.t - entered),
                        self.queue.as_deref().unwrap_or("?"),
                        clock(l.waited_s.unwrap_or(0.0))
                    ));
                }
            }
            _ => {}
        }
        None
    }
}

fn s(o: &Option<String>) -> &str {
    o.as_deref().unwrap_or("?")
}

mod agent;
mod describe;
#[cfg(test)]
mod tests;
mod why;
