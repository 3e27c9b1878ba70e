//! `omnisim explain`: one conversation's or one agent's story, told from `trace.jsonl`.
//!
//! Key items: [`explain_file`], [`tell`], [`Subject`], [`ExplainError`].
//!
//! The story lists, in order, every trace line about the subject in plain words with its clock
//! time (`H:MM:SS` since the start of the replication, rounded to the second; the local
//! date-time, as conversations.csv writes it, when the scenario has a `[scenario] start`: the
//! replication's `start` line carries it, see [`crate::trace`]) and the rule that decided or
//! refused. Durations (waits, times in system) are `H:MM:SS` either way. A conversation transferred to another queue at the end of handling gets
//! a line of its own, and its wait there is measured from when it entered that queue (the
//! total since arrival given beside it, as `summary.json`'s `queues.Q.wait_s` counts it):
//!
//! ```text
//! 0:01:00 lead assigned it to a-1 (accepted)
//! 0:01:00 invitation sent to a-1 by the supervisor's assignment (ASSIGN-INVITE)
//! ```
//!
//! A trace whose last line is incomplete (no newline at the end and not a whole JSON object:
//! copied while being written, or a disk full) is read as a trace cut off there: stories are
//! told up to the cut, and say the trace ends in a partial line at line N (a story that goes on
//! past it is cut off, as for an interrupted run). A bad line anywhere else is an error.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::trace::{Kind, TraceLine};

use describe::describe;

/// Whose story to tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A conversation, by id (its arrival number in the replication, 1-based).
    Conversation(u64),
    /// An agent, by name (`<group>-<k>`, or a roster agent's own name).
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
    /// The file could not be read, or a line is not a trace line (the last line too, when it
    /// ends with a newline: only a last line without one is read as a cut).
    #[error("{path}: {msg}")]
    Bad {
        /// The file.
        path: PathBuf,
        /// What went wrong, with the line number.
        msg: String,
    },
    /// The replication is not in the trace. The message says when the trace is cut (a partial
    /// last line, or an `interrupted` line: the run was stopped), which may be why.
    #[error("replication {asked} is not in the trace; it holds {have}{}", no_replication_cut(*.truncated, *.interrupted, *.open_last))]
    NoReplication {
        /// The replication asked for.
        asked: u32,
        /// The replications present, e.g. "1 to 3".
        have: String,
        /// The trace ends in a partial line at this line (1-based): the file looks truncated.
        truncated: Option<usize>,
        /// Some replication's trace ends with an `interrupted` line (SIGINT or SIGTERM).
        interrupted: bool,
        /// The trace's last replication, when it has no `end` line (nor an `interrupted` one):
        /// the file was cut at a line boundary after it, so later replications may be lost.
        open_last: Option<u32>,
        /// The trace's one replication, when it holds exactly one (`run --trace-replication
        /// N`): `explain` without `--replication` tells its story.
        only: Option<u32>,
    },
    /// No conversation with that id. The message says when the replication has none, and when
    /// the run's interruption cut it (before any conversation arrived, or after `last`).
    #[error("{}", unknown_conversation(*.asked, *.replication, *.last, *.interrupted, *.truncated, *.open))]
    UnknownConversation {
        /// The id asked for.
        asked: u64,
        /// The replication.
        replication: u32,
        /// The largest id present (0: none).
        last: u64,
        /// The replication's trace ends with an `interrupted` line (SIGINT or SIGTERM cut it).
        interrupted: bool,
        /// The trace ends in a partial line at this line (1-based): the file looks truncated.
        truncated: Option<usize>,
        /// The replication's trace has no `end` line (nor an `interrupted` one): the file was
        /// cut at a line boundary, so later conversations may be lost.
        open: bool,
        /// The nearest id present (`None` when the replication has none).
        nearest: Option<u64>,
    },
    /// The story could not be written (its reader went away, a full disk).
    #[error("cannot write the story: {0}")]
    Write(String),
    /// The story's reader went away (a closed pipe: `explain … | head`).
    #[error("the story's reader went away")]
    ReaderGone,
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
fn unknown_conversation(
    asked: u64,
    replication: u32,
    last: u64,
    interrupted: bool,
    truncated: Option<usize>,
    open: bool,
) -> String {
    let head = format!("no conversation {asked} in replication {replication}");
    if let Some(n) = truncated {
        let have = match last {
            0 => "none arrived before it".to_string(),
            _ => format!("its conversations are 1 to {last} before it"),
        };
        return format!("{head}: {}; {have}", truncated_words(n));
    }
    if open && !interrupted {
        let have = match last {
            0 => "no conversation arrived before the cut".to_string(),
            _ => format!("its conversations are 1 to {last} before the cut"),
        };
        return format!("{head}: {}; {have}", open_words(replication));
    }
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

/// [`ExplainError::NoReplication`]'s words on why the trace may hold fewer replications.
fn no_replication_cut(
    truncated: Option<usize>,
    interrupted: bool,
    open_last: Option<u32>,
) -> String {
    match (truncated, interrupted) {
        (Some(n), _) => format!(", and {}", truncated_words(n)),
        (None, false) if open_last.is_some() => format!(
            ", and {}: the replications after it are not in the file",
            open_words(open_last.unwrap_or(0))
        ),
        (None, true) => ", and the run was interrupted (SIGINT or SIGTERM): the trace is \
                          partial (a replication the stop reached before it began has no lines, \
                          as it has no by_replication row in summary.json)"
            .to_string(),
        (None, false) => String::new(),
    }
}

/// What an answer says of a replication whose trace has no `end` line and no `interrupted`
/// line: the file was cut at a line boundary (its stories say so too).
pub(crate) fn open_words(replication: u32) -> String {
    format!(
        "the trace ends without replication {replication}'s end line: it was cut (at a line \
         boundary: copied while being written, or cut short), so it holds only part of the run"
    )
}

/// What a story says of a trace cut at its partial line `line` (1-based).
pub(crate) fn truncated_words(line: usize) -> String {
    format!(
        "the trace ends in a partial line at line {line} (the file looks truncated: copied while \
         being written, or a disk full)"
    )
}

/// Reads `dir/trace.jsonl` (or `dir` itself when it is a file) and tells `subject`'s story in
/// `replication` (1-based).
///
/// Two streaming passes, so memory does not follow the file: the first learns the
/// replications present and where the subject's lines are; the second tells a conversation's
/// story as its lines go by (the replication's lines from its first line to the one after its
/// last, plus the replication's `interrupted` line), holding a few counters and one line, or
/// an agent's (its own lines, every line of a conversation it touched, the line after each of
/// those, and the `interrupted` line), holding only the story and the conversations the agent
/// holds. [`explain_to`] writes a conversation's story as it is told (memory bounded by a
/// constant: 6.7 MB for a story of 1.2 million lines, 957 MB before); this function returns it.
pub fn explain_file(
    dir: &Path,
    subject: &Subject,
    replication: u32,
) -> Result<String, ExplainError> {
    let mut out = Vec::new();
    explain_to(dir, subject, replication, &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// [`explain_file`], writing the story to `out` as it is told: a conversation's story line by
/// line as its lines are read (memory does not grow with it), an agent's when it is whole.
/// Nothing is written when the story cannot be told (every error but
/// [`ExplainError::Write`] comes before the first byte).
pub fn explain_to(
    dir: &Path,
    subject: &Subject,
    replication: u32,
    out: &mut dyn std::io::Write,
) -> Result<(), ExplainError> {
    let write = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::BrokenPipe => ExplainError::ReaderGone,
        _ => ExplainError::Write(e.to_string()),
    };
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
    // The replication's last line (and its time), and its last `interrupted` line.
    let (mut rep_end, mut rep_t, mut interrupted) = (0usize, 0.0f64, None::<usize>);
    let mut any_interrupted = false;
    // The replication's `start` line was seen, and its `end` line's time.
    let (mut started, mut ended) = (false, None::<f64>);
    // How its instants are written (the `start` line's `starts_at`), or what is wrong with it.
    let (mut at, mut bad_start) = (Times::default(), None::<String>);
    // The file's last replication so far, and whether its trace closed (an `end` or an
    // `interrupted` line): a file cut at a line boundary ends with one that did not.
    let (mut open_rep, mut closed) = (None::<u32>, true);
    let cut = pass(&path, |i, l| {
        if reps.last() != Some(&l.replication) && !reps.contains(&l.replication) {
            reps.push(l.replication);
        }
        if open_rep != Some(l.replication) {
            (open_rep, closed) = (Some(l.replication), false);
        }
        closed |= matches!(l.kind, Kind::End | Kind::Interrupted);
        any_interrupted |= l.kind == Kind::Interrupted;
        if l.replication != replication {
            // The trace holds each replication's lines together, in replication order (the
            // run joins its replications' parts so: `sim::observe::assemble`): once another
            // replication follows the one asked for, nothing later is about it.
            return !reps.contains(&replication);
        }
        rep_end = i;
        rep_t = l.t;
        match l.kind {
            Kind::Interrupted => interrupted = Some(i),
            Kind::Start => {
                started = true;
                match Times::of(&l) {
                    Ok(t) => at = t,
                    Err(e) => {
                        bad_start = Some(format!("line {}: {e}", i + 1));
                        return false;
                    }
                }
            }
            Kind::End => ended = Some(l.t),
            _ => {}
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
                // `from` is an agent only on a "transferred" line (else a state or a queue).
                let own = l.agent.as_deref() == Some(a.as_str())
                    || (l.what == "transferred" && l.from.as_deref() == Some(a.as_str()));
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
    if let Some(msg) = bad_start {
        return Err(ExplainError::Bad { path, msg });
    }
    if !reps.contains(&replication) {
        reps.sort_unstable();
        let have = match (reps.first(), reps.last()) {
            (Some(a), Some(b)) if a == b => format!("replication {a} only"),
            (Some(a), Some(b)) if (b - a) as usize + 1 == reps.len() => {
                format!("replications {a} to {b}")
            }
            // Some missing between (a stopped run's replications that never began).
            (Some(_), Some(_)) => {
                let all: Vec<String> = reps.iter().map(u32::to_string).collect();
                let (last, rest) = all.split_last().expect("two or more");
                format!("replications {} and {last}", rest.join(", "))
            }
            _ => "no lines".to_string(),
        };
        return Err(ExplainError::NoReplication {
            only: (reps.len() == 1).then(|| reps[0]),
            asked: replication,
            have,
            truncated: cut,
            interrupted: any_interrupted,
            open_last: open_rep.filter(|_| !closed),
        });
    }
    let told = match (first, last, subject) {
        (Some(_), Some(_), Subject::Agent(a)) => {
            // Pass 2 for an agent: its story told as its lines stream by (`agent`), from its
            // own lines, every line of a conversation it touched, the line after each of those
            // (it may be the refusal that counts it) and the `interrupted` line.
            let mut story = agent::AgentStory::new(subject, replication, at);
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
                let bound = matches!(l.kind, Kind::Interrupted | Kind::Start | Kind::End);
                if needed || after_kept || bound {
                    story.push(&l);
                }
                after_kept = needed;
                true
            })?;
            story.ends_at(rep_t);
            if let Some(n) = cut {
                story.truncated(rep_t, n);
            }
            story.names_seen(&names);
            story.finish()
        }
        (Some(first), Some(last), _) => {
            // Pass 2: the lines the story needs.
            // Nothing is kept after the line after its last one and the replication's
            // `interrupted` line: the rest of the file is not read.
            let stop = (last + 1).max(interrupted.unwrap_or(0));
            let Subject::Conversation(c) = subject else {
                unreachable!("an agent's story is told above")
            };
            let folded = fold::Fold::new(&mut *out);
            let mut story = conversation::ConvStory::new(*c, subject, replication, folded, at)
                .map_err(write)?;
            let mut after_kept = false;
            let mut failed = None;
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
                    if let Err(e) = story.push(&l) {
                        failed = Some(e);
                        return false;
                    }
                }
                after_kept = needed;
                true
            })?;
            if let Some(e) = failed {
                return Err(write(e));
            }
            story.bounds(started, ended, rep_t);
            if let Some(n) = cut {
                story.truncated(rep_t, n);
            }
            story.finish().map_err(write)?;
            return Ok(());
        }
        _ => Err(not_found(
            subject,
            replication,
            last_conv,
            interrupted.is_some(),
            cut,
            started && ended.is_none(),
            names.iter().map(String::as_str).collect(),
        )),
    };
    let told = match told {
        // An agent of the run (its row in agents.csv beside the trace) with no line at all:
        // never offered anything, never a presence change.
        // When the run's interruption cut the replication, that is all the trace can say.
        Err(ExplainError::UnknownAgent { asked, .. }) if in_agents_csv(&path, &asked) => {
            Ok(never_assigned(
                &heading_name(&asked, names.iter().map(String::as_str)),
                replication,
                last_conv,
                interrupted.is_some(),
                cut,
                started && ended.is_none(),
            ))
        }
        other => other,
    }?;
    out.write_all(told.as_bytes())
        .and_then(|()| out.flush())
        .map_err(write)
}

/// An agent's name for its story's heading: `agent` as it is, or, when another of `names` is
/// equal to it under Unicode normalization (NFC) but written with other code points (two
/// agents that look alike: an eleventh fresh tester saw two "Agent José" headings), with its
/// code points, e.g. `José (written J o s e U+0301; another agent's name looks the same)`.
pub(crate) fn heading_name<'n>(agent: &str, names: impl IntoIterator<Item = &'n str>) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    if agent.is_ascii() {
        return agent.to_string();
    }
    let nfc: String = agent.nfc().collect();
    let twin = names
        .into_iter()
        .any(|n| n != agent && !n.is_ascii() && n.nfc().eq(nfc.chars()));
    if !twin {
        return agent.to_string();
    }
    let points: Vec<String> = agent
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() {
                c.to_string()
            } else {
                format!("U+{:04X}", c as u32)
            }
        })
        .collect();
    format!(
        "{agent} (written {}; another agent's name looks the same)",
        points.join(" ")
    )
}

/// The story of an agent of the run with no line in `replication`: never assigned, or, when the
/// replication's trace ends with an `interrupted` line, cut off by the interruption (before any
/// conversation arrived when `last_conv` is 0), as [`ExplainError::UnknownConversation`] says
/// for a conversation; or cut off where the trace ends in a partial line (`truncated`).
fn never_assigned(
    agent: &str,
    replication: u32,
    last_conv: u64,
    interrupted: bool,
    truncated: Option<usize>,
    open: bool,
) -> String {
    let head = format!("Agent {agent}, replication {replication}:");
    if let Some(n) = truncated {
        return format!(
            "{head}\nno conversation was offered to it and its presence never changed before {}: \
             its story is cut off, not ended\n",
            truncated_words(n)
        );
    }
    if open && !interrupted {
        return format!(
            "{head}\nno conversation was offered to it and its presence never changed before the \
             cut: {}; its story is cut off, not ended\n",
            open_words(replication)
        );
    }
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
/// rest is not read). Errors name the file and the line. The file's last line, when it has
/// no newline and is not a trace line (cut in the middle of its JSON or of a character), is
/// the cut of a truncated file: the pass ends there and returns its line number (1-based).
fn pass(
    path: &Path,
    mut line: impl FnMut(usize, TraceLine) -> bool,
) -> Result<Option<usize>, ExplainError> {
    let file = std::fs::File::open(path).map_err(|_| ExplainError::NoTrace(path.to_path_buf()))?;
    let bad = |msg: String| ExplainError::Bad {
        path: path.to_path_buf(),
        msg,
    };
    let mut reader = std::io::BufReader::new(file);
    let mut raw = Vec::new();
    for i in 0.. {
        raw.clear();
        let n = reader
            .read_until(b'\n', &mut raw)
            .map_err(|e| bad(format!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        let ended = raw.last() == Some(&b'\n');
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let l: TraceLine = match serde_json::from_slice(text_of(&raw)) {
            Ok(l) => l,
            Err(_) if !ended => return Ok(Some(i + 1)),
            Err(e) => return Err(bad(not_a_trace_line(i + 1, &raw, &e))),
        };
        if !line(i, l) {
            break;
        }
    }
    Ok(None)
}

/// A line's text without its line ending (`\n` or `\r\n`), so the JSON parser's position
/// is within this one line.
fn text_of(raw: &[u8]) -> &[u8] {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    raw.strip_suffix(b"\r").unwrap_or(raw)
}

/// "line N, column C: not a trace line: WHAT" for the file's line `n` (1-based) whose text is
/// `raw`: the parser's message in our words, without its own "at line 1 column C" (it parsed
/// this line alone). The column counts characters from 1; a line that ends too early says so
/// instead of a column past its end.
fn not_a_trace_line(n: usize, raw: &[u8], e: &serde_json::Error) -> String {
    let said = e.to_string();
    let what = said
        .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
        .unwrap_or(&said);
    let text = String::from_utf8_lossy(text_of(raw));
    let chars = text.chars().count();
    // serde_json counts the column in bytes, from 1 (0 before the first byte of a line).
    let byte = e.column();
    if e.is_eof() || byte > text.len() {
        return format!(
            "line {n}: not a trace line: {what} (the line ends after {chars} characters)"
        );
    }
    let column = text
        .get(..byte.max(1))
        .map_or(byte.max(1), |t| t.chars().count());
    format!("line {n}, column {column}: not a trace line: {what}")
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

/// Tells `subject`'s story from the lines of one replication (its instants as date-times when
/// its `start` line carries `starts_at`).
///
/// Errors: as [`explain_file`]'s (a `starts_at` that is not a date-time: [`ExplainError::Bad`]
/// naming the lines' place as `(lines)`).
pub fn tell(
    lines: &[TraceLine],
    subject: &Subject,
    replication: u32,
) -> Result<String, ExplainError> {
    let at = match lines.iter().find(|l| l.kind == Kind::Start) {
        Some(start) => Times::of(start).map_err(|msg| ExplainError::Bad {
            path: PathBuf::from("(lines)"),
            msg,
        })?,
        None => Times::default(),
    };
    let c = match subject {
        Subject::Conversation(c) => *c,
        // An agent's story is told as its lines stream by.
        Subject::Agent(_) => {
            let mut story = agent::AgentStory::new(subject, replication, at);
            for l in lines {
                story.push(l);
            }
            return story.finish();
        }
    };
    if !lines.iter().any(|l| l.conversation == Some(c)) {
        let last = lines
            .iter()
            .filter_map(|l| l.conversation)
            .max()
            .unwrap_or(0);
        let names = lines.iter().filter_map(|l| l.agent.as_deref()).collect();
        let cut = lines.iter().any(|l| l.kind == Kind::Interrupted);
        let open = lines.iter().any(|l| l.kind == Kind::Start)
            && !lines.iter().any(|l| l.kind == Kind::End);
        return Err(not_found(
            subject,
            replication,
            last,
            cut,
            None,
            open,
            names,
        ));
    }
    let story = (|| {
        let folded = fold::Fold::new(Vec::new());
        let mut story = conversation::ConvStory::new(c, subject, replication, folded, at)?;
        for l in lines {
            story.push(l)?;
        }
        story.finish().map(fold::Fold::into_inner)
    })()
    .map_err(|e| ExplainError::Write(e.to_string()))?;
    Ok(String::from_utf8_lossy(&story).into_owned())
}

/// The error for a subject with no line in the replication: `last`, the replication's largest
/// conversation id; `interrupted`, the replication's trace was cut by the run's interruption;
/// `truncated`, the trace ends in a partial line at that line; `open`, the replication's trace
/// began but has no `end` line (cut at a line boundary); `names`, the agents its lines name
/// (for a suggestion).
fn not_found(
    subject: &Subject,
    replication: u32,
    last: u64,
    interrupted: bool,
    truncated: Option<usize>,
    open: bool,
    mut names: Vec<&str>,
) -> ExplainError {
    match subject {
        Subject::Conversation(c) => ExplainError::UnknownConversation {
            asked: *c,
            replication,
            last,
            interrupted,
            truncated,
            open,
            nearest: (last > 0).then(|| (*c).clamp(1, last)),
        },
        Subject::Agent(a) => {
            names.sort_unstable();
            names.dedup();
            // Every name the asked one matches but for case (`ann` and `Ann` for `ANN`), then
            // the nearest other name (issue 25 leftovers: only one of them was suggested).
            let lower = a.to_lowercase();
            let (case, others): (Vec<&str>, Vec<&str>) = names
                .iter()
                .copied()
                .partition(|n| n.to_lowercase() == lower);
            let nearest = crate::scenario::suggest::closest(a, others.iter().copied())
                .or_else(|| crate::scenario::suggest::closest(&lower, others.iter().copied()));
            let hint = match (case.as_slice(), nearest) {
                ([], Some(s)) => format!("; did you mean {s:?}?"),
                ([], None) if names.is_empty() => String::new(),
                ([_, ..], _) => format!(
                    "; did you mean {}{}?",
                    case.iter()
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    nearest.map_or(String::new(), |s| format!(" (other case), or {s:?}"))
                ),
                ([], None) => format!(
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

fn s(o: &Option<String>) -> &str {
    o.as_deref().unwrap_or("?")
}

mod agent;
mod conversation;
mod describe;
mod fold;
#[cfg(test)]
mod tests;
mod times;
mod whereabouts;
mod why;

use times::Times;
use whereabouts::Whereabouts;
