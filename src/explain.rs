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

/// Whose story to tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A conversation, by id (its arrival number in the replication, 1-based).
    Conversation(u64),
    /// An agent, by name (`<group>-<k>`).
    Agent(String),
}

/// Why no story could be told; each message says what to do instead.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExplainError {
    /// No trace file where it was looked for.
    #[error("{0}: no trace here; run `omnisim run SCENARIO --out DIR --trace` first")]
    NoTrace(PathBuf),
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
    /// No conversation with that id.
    #[error("no conversation {asked} in replication {replication}; its conversations are 1 to {last}{hint}")]
    UnknownConversation {
        /// The id asked for.
        asked: u64,
        /// The replication.
        replication: u32,
        /// The largest id present.
        last: u64,
        /// A suggestion.
        hint: String,
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

/// Reads `dir/trace.jsonl` (or `dir` itself when it is a file) and tells `subject`'s story in
/// `replication` (1-based).
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
    let file = std::fs::File::open(&path).map_err(|_| ExplainError::NoTrace(path.clone()))?;
    let bad = |msg: String| ExplainError::Bad {
        path: path.clone(),
        msg,
    };
    let mut lines = Vec::new();
    let mut reps: Vec<u32> = Vec::new();
    for (i, raw) in std::io::BufReader::new(file).lines().enumerate() {
        let raw = raw.map_err(|e| bad(format!("cannot read: {e}")))?;
        if raw.trim().is_empty() {
            continue;
        }
        let l: TraceLine = serde_json::from_str(&raw)
            .map_err(|e| bad(format!("line {}: not a trace line: {e}", i + 1)))?;
        if reps.last() != Some(&l.replication) && !reps.contains(&l.replication) {
            reps.push(l.replication);
        }
        if l.replication == replication {
            lines.push(l);
        }
    }
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
    tell(&lines, subject, replication)
}

/// Tells `subject`'s story from the lines of one replication.
pub fn tell(
    lines: &[TraceLine],
    subject: &Subject,
    replication: u32,
) -> Result<String, ExplainError> {
    // For an agent: its own lines, and the state changes of the conversations it holds (from
    // its acceptance until they close or are transferred away).
    let mut held = std::collections::BTreeSet::new();
    let mut mine: Vec<usize> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let keep = match subject {
            Subject::Conversation(c) => l.conversation == Some(*c),
            Subject::Agent(a) => {
                let own =
                    l.agent.as_deref() == Some(a.as_str()) || l.from.as_deref() == Some(a.as_str());
                if let Some(c) = l.conversation {
                    match l.what.as_str() {
                        "accepted" if own => {
                            held.insert(c);
                        }
                        "transferred" if l.from.as_deref() == Some(a.as_str()) => {
                            held.remove(&c);
                        }
                        "transferred" if own => {
                            held.insert(c);
                        }
                        _ => {}
                    }
                }
                let theirs = l.kind == Kind::Effect
                    && matches!(l.what.as_str(), "state" | "closed")
                    && l.conversation.is_some_and(|c| held.contains(&c));
                if l.what == "closed" {
                    if let Some(c) = l.conversation {
                        held.remove(&c);
                    }
                }
                own || theirs
            }
        };
        if keep {
            mine.push(i);
        }
    }
    if mine.is_empty() {
        return Err(match subject {
            Subject::Conversation(c) => {
                let last = lines
                    .iter()
                    .filter_map(|l| l.conversation)
                    .max()
                    .unwrap_or(0);
                let hint = if last == 0 {
                    String::new()
                } else {
                    format!(" (try --conversation {})", (*c).clamp(1, last))
                };
                ExplainError::UnknownConversation {
                    asked: *c,
                    replication,
                    last,
                    hint,
                }
            }
            Subject::Agent(a) => {
                let mut names: Vec<&str> =
                    lines.iter().filter_map(|l| l.agent.as_deref()).collect();
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
        });
    }
    let mut out = String::new();
    let _ = match subject {
        Subject::Conversation(c) => writeln!(out, "Conversation {c}, replication {replication}:"),
        Subject::Agent(a) => writeln!(out, "Agent {a}, replication {replication}:"),
    };
    // Per conversation: the queue it is in and, after a transfer, when it entered it (followed
    // on every line, so an agent's story measures a transferred conversation's wait too).
    let mut whereabouts: std::collections::BTreeMap<u64, Whereabouts> = Default::default();
    let first = match subject {
        Subject::Conversation(c) => served_first(lines, *c),
        Subject::Agent(_) => None,
    };
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
        let prefix = match (subject, l.conversation) {
            (Subject::Agent(_), Some(c)) => format!("conversation {c}: "),
            _ => String::new(),
        };
        let _ = writeln!(out, "{} {prefix}{text}", clock(l.t));
    }
    Ok(out)
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
        .position(|l| mine(l) && l.kind == Kind::Routing);
    let end = routed.unwrap_or_else(|| lines.iter().rposition(mine).unwrap_or(0));
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
        match (l.bucket, own_bucket) {
            (Some(b), Some(o)) if b < o => higher += 1,
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
            "{later} that arrived later, to agents it could not have (skills or assignment rules)"
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

/// Plain words for the reasons a routing rule passed candidates over.
fn passed_over(l: &TraceLine) -> String {
    let Some(p) = &l.passed_over else {
        return String::new();
    };
    let total: u32 = p.values().sum();
    if total == 0 {
        return "; no other candidate".to_string();
    }
    let order = [
        ("pending_invitation", "with an invitation pending"),
        ("away", "on a break"),
        ("offline", "offline"),
        ("capacity", "at capacity"),
        ("presence", "in a presence the work stream does not allow"),
        ("rule_groups", "outside the rule's agent groups"),
        ("skills", "without a required skill or rating (RT-SKILL)"),
        ("refused", "refused it too often (RT-ELIGIBLE)"),
        ("ranked_below", "ranked below"),
    ];
    let mut parts: Vec<String> = order
        .iter()
        .filter_map(|(k, words)| {
            p.get(*k)
                .filter(|n| **n > 0)
                .map(|n| format!("{n} {words}"))
        })
        .collect();
    // Reasons added later (skills, overflow) appear under their own names.
    for (k, n) in p {
        if *n > 0 && !order.iter().any(|(o, _)| o == k) {
            parts.push(format!("{n} {}", k.replace('_', " ")));
        }
    }
    format!("; passed over {total} ({})", parts.join(", "))
}

fn order_by(l: &TraceLine) -> String {
    let key = l.key.unwrap_or(0);
    match l.order_by.as_deref() {
        Some("free_units") => format!("most free units, {key}"),
        Some("queue_turns") => format!("fewest turns in this queue, {key}"),
        Some("member_position") => format!("next member after the last chosen, position {key}"),
        Some("last_release_ms") => format!(
            "longest since it last released capacity, at {}",
            clock(key as f64 / 1000.0)
        ),
        Some("available_capacity") => format!("most free units, {key}"),
        Some("round_robin") => format!("fewest turns in this queue, {key}"),
        Some("least_active") => format!(
            "longest since it last released capacity, at {}",
            clock(key as f64 / 1000.0)
        ),
        Some("most_proficient") => format!("highest sum of required-skill ratings, {key}"),
        Some("nearest_proficient") => format!(
            "nearest to the required ratings, {} missing, distance {}",
            key / 1000,
            key % 1000
        ),
        Some("skill_count") => format!("most required skills at rating, {key}"),
        Some(other) => format!("{other}, {key}"),
        None => String::new(),
    }
}

/// The assignment rule and prioritization bucket of a routing line, in words.
fn rule_and_bucket(l: &TraceLine) -> String {
    let mut o = String::new();
    if let Some(r) = &l.assignment_rule {
        o.push_str(&format!(", rule {r:?}"));
    }
    if let Some(b) = l.bucket {
        o.push_str(&format!(", priority bucket {b}"));
    }
    o
}

/// One line in plain words, or `None` when another line of the story already says it.
fn describe(l: &TraceLine, subject: &Subject, counted: bool) -> Option<String> {
    let about_agent = matches!(subject, Subject::Agent(_));
    let rule = l.rule.as_deref().unwrap_or("");
    let sup = s(&l.supervisor);
    Some(match l.kind {
        Kind::Refusal => return None,
        Kind::Routing if l.what == "picked" => {
            if about_agent {
                format!("picked it ({rule}: the oldest it may take)")
            } else {
                format!("picked by {} ({rule}: the oldest it may take)", s(&l.agent))
            }
        }
        Kind::Routing => {
            let who = if about_agent {
                "chosen".to_string()
            } else {
                format!("routed to {}", s(&l.agent))
            };
            format!(
                "{who} by {rule} ({}{}: {}){}",
                s(&l.method),
                rule_and_bucket(l),
                order_by(l),
                passed_over(l)
            )
        }
        Kind::Command => {
            let ok = l.ok.unwrap_or(true);
            let target = match l.what.as_str() {
                "assign_to_agent" => format!("assign it to {}", s(&l.agent)),
                "assign_to_queue" => format!("move it to queue {}", s(&l.queue)),
                "transfer" => format!("transfer it to {}", s(&l.agent)),
                "monitor" => "monitor it".to_string(),
                "join" => "join it".to_string(),
                "force_close" => "force-close it".to_string(),
                "arrive" => return Some(match rule {
                    "OVF-HOURS" => format!(
                        "arrived for queue {} out of its hours: sent on to queue {} (OVF-HOURS)",
                        s(&l.from),
                        s(&l.queue)
                    ),
                    "OVF-LIMIT" => format!(
                        "arrived for queue {} at its work-item limit: sent on to queue {} \
                             (OVF-LIMIT)",
                        s(&l.from),
                        s(&l.queue)
                    ),
                    "RT-QUEUE" => format!(
                        "arrived on its work stream; route-to-queue chose queue {} (RT-QUEUE)",
                        s(&l.queue)
                    ),
                    _ => format!("arrived in queue {}", s(&l.queue)),
                }),
                "pick" if ok => return None,
                "set_presence" if ok => return None,
                other if ok => {
                    let _ = other;
                    return None;
                }
                other => {
                    return Some(format!(
                        "{} refused by {rule}{}",
                        other.replace('_', " "),
                        if rule == "LC-CLOSED" || rule == "RT-INVITE" {
                            " (too late: the invitation or conversation was gone)"
                        } else {
                            ""
                        }
                    ))
                }
            };
            if ok {
                let done = match l.what.as_str() {
                    "assign_to_agent" => format!("assigned it to {}", s(&l.agent)),
                    "assign_to_queue" => format!("moved it to queue {}", s(&l.queue)),
                    "transfer" => format!("transferred it to {}", s(&l.agent)),
                    "monitor" => "started monitoring it".to_string(),
                    "join" => "joined it".to_string(),
                    _ => "force-closed it".to_string(),
                };
                format!("{sup} {done} (accepted)")
            } else {
                format!(
                    "{sup} tried to {target}: refused by {rule}{}",
                    if counted {
                        " (counted in rule_violations)"
                    } else {
                        ""
                    }
                )
            }
        }
        Kind::Effect => match l.what.as_str() {
            "arrived" => return None,
            "invited" if rule == "ASSIGN-INVITE" => format!(
                "invitation sent to {} by the supervisor's assignment ({rule})",
                s(&l.agent)
            ),
            "invited" => format!("offered to {} ({rule})", s(&l.agent)),
            "invite_withdrawn" => format!("invitation to {} withdrawn", s(&l.agent)),
            "invite_refused" => format!("{} {} the invitation", s(&l.agent), {
                if l.detail.as_deref() == Some("timed out") {
                    "let time out"
                } else {
                    "rejected"
                }
            }),
            "accepted" => format!(
                "{} accepted it after a wait of {}",
                s(&l.agent),
                clock(l.waited_s.unwrap_or(0.0))
            ),
            "state" => format!("{} → {}", s(&l.from), s(&l.to)),
            "units" => format!(
                "units in use {} of {}",
                l.units.unwrap_or(0),
                l.capacity.unwrap_or(0)
            ),
            "overallocated" => format!(
                "{} over capacity ({rule})",
                crate::report::format::plural(l.units.unwrap_or(0).max(0) as u64, "unit")
            ),
            "presence" => format!("presence {} → {}", s(&l.from), s(&l.to)),
            "requeued" if rule.is_empty() => {
                format!("moved from queue {} to {}", s(&l.from), s(&l.to))
            }
            "requeued" => format!(
                "moved from queue {0} to {1} ({rule}: it had waited in {0} longer than {0}'s \
                 overflow rule allows)",
                s(&l.from),
                s(&l.to)
            ),
            "monitoring" => format!("{sup} is monitoring"),
            "joined" => format!("{sup} joined ({})", s(&l.detail)),
            "transferred" => format!("transferred from {} to {}", s(&l.from), s(&l.to)),
            "notified" => {
                let who = l
                    .agent
                    .clone()
                    .or(l.to.clone())
                    .or(l.supervisor.clone())
                    .unwrap_or_default();
                format!("{who} notified ({})", s(&l.detail))
            }
            "closed" => format!(
                "closed ({}) {} after it arrived",
                s(&l.detail).replace('_', " "),
                clock(l.waited_s.unwrap_or(0.0))
            ),
            other => other.replace('_', " "),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(t: u64, kind: Kind, what: &str, conv: Option<u64>, agent: Option<&str>) -> TraceLine {
        let mut l = TraceLine::new(t, 1, kind, what);
        l.conversation = conv;
        l.agent = agent.map(String::from);
        l
    }

    #[test]
    fn a_wait_says_who_went_first_and_why() {
        // Conversation 5 (bucket 2) waits in `general` from 10 s to 100 s; meanwhile 3 (older,
        // bucket 2), 6 (VIP, bucket 1) and 8 (later, bucket 2: an agent 5 could not have) are
        // routed, and 9 in another queue.
        let q = |mut l: TraceLine, queue: &str, bucket: Option<u32>| {
            l.queue = Some(queue.into());
            l.bucket = bucket;
            l
        };
        let lines = vec![
            q(
                line(10_000, Kind::Command, "arrive", Some(5), None),
                "general",
                None,
            ),
            q(
                line(20_000, Kind::Routing, "routed", Some(3), Some("a")),
                "general",
                Some(2),
            ),
            q(
                line(30_000, Kind::Routing, "routed", Some(6), Some("b")),
                "general",
                Some(1),
            ),
            q(
                line(40_000, Kind::Routing, "routed", Some(8), Some("c")),
                "general",
                Some(2),
            ),
            q(
                line(50_000, Kind::Routing, "routed", Some(9), Some("d")),
                "vip",
                Some(1),
            ),
            q(
                line(100_000, Kind::Routing, "routed", Some(5), Some("a")),
                "general",
                Some(2),
            ),
        ];
        let (at, text) = served_first(&lines, 5).unwrap();
        assert_eq!(at, 5);
        assert_eq!(
            text,
            "while it waited in queue general, 3 other conversations were routed first: 1 in a \
             higher-priority bucket (RT-PRIORITIZE), 1 that arrived earlier (RT-ORDER), 1 that \
             arrived later, to agents it could not have (skills or assignment rules)"
        );
        // Routed at once: nothing to say.
        assert!(served_first(&lines, 3).is_none());
        let story = tell(&lines, &Subject::Conversation(5), 1).unwrap();
        assert!(story.contains("0:01:40 while it waited"), "{story}");
    }

    #[test]
    fn an_arrival_says_why_it_is_in_its_queue() {
        let mut l = line(10_000, Kind::Command, "arrive", Some(1), None);
        l.queue = Some("after-hours".into());
        l.from = Some("general".into());
        l.rule = Some("OVF-HOURS".into());
        let c = Subject::Conversation(1);
        assert_eq!(
            describe(&l, &c, false).unwrap(),
            "arrived for queue general out of its hours: sent on to queue after-hours (OVF-HOURS)"
        );
        l.from = None;
        l.queue = Some("vip".into());
        l.rule = Some("RT-QUEUE".into());
        assert_eq!(
            describe(&l, &c, false).unwrap(),
            "arrived on its work stream; route-to-queue chose queue vip (RT-QUEUE)"
        );
        l.rule = None;
        assert_eq!(describe(&l, &c, false).unwrap(), "arrived in queue vip");
    }

    #[test]
    fn an_overflow_move_names_its_rule() {
        let mut l = line(61_000, Kind::Effect, "requeued", Some(1), None);
        l.from = Some("a".into());
        l.to = Some("b".into());
        l.rule = Some("OVF-WAIT".into());
        let text = describe(&l, &Subject::Conversation(1), false).unwrap();
        assert_eq!(
            text,
            "moved from queue a to b (OVF-WAIT: it had waited in a longer than a's overflow rule \
             allows)"
        );
        l.rule = None;
        let text = describe(&l, &Subject::Conversation(1), false).unwrap();
        assert_eq!(text, "moved from queue a to b");
    }

    #[test]
    fn a_routing_decision_in_words() {
        let mut r = line(70_000, Kind::Routing, "routed", Some(7), Some("tier1-3"));
        r.rule = Some("RT-METHOD".into());
        r.method = Some("highest_capacity".into());
        r.order_by = Some("free_units".into());
        r.key = Some(65);
        r.passed_over = Some(
            [("away".to_string(), 1), ("capacity".to_string(), 1)]
                .into_iter()
                .collect(),
        );
        let story = tell(&[r], &Subject::Conversation(7), 1).unwrap();
        assert_eq!(
            story,
            "Conversation 7, replication 1:\n0:01:10 routed to tier1-3 by RT-METHOD \
             (highest_capacity: most free units, 65); passed over 2 (1 on a break, 1 at capacity)\n"
        );
    }

    /// A conversation handled in tier1, then transferred to tier2 (hand-made trace): the
    /// transfer has its own line, the wait in tier2 runs from the transfer (1.2 s, shown as
    /// 0:00:01) beside the total since arrival (191.6 s, rounded to 0:03:12, not cut to
    /// 0:03:11), and every clock time is rounded (211.6 s → 0:03:32).
    #[test]
    fn a_transfer_has_its_line_and_the_wait_there_counts_from_it() {
        let mut arrive = line(20_000, Kind::Command, "arrive", Some(2), None);
        arrive.queue = Some("tier1".into());
        let mut first = line(110_400, Kind::Effect, "accepted", Some(2), Some("t1-1"));
        first.waited_s = Some(90.4);
        let mut transfer = line(210_400, Kind::Command, "transfer_to_queue", Some(2), None);
        transfer.ok = Some(true);
        transfer.queue = Some("tier2".into());
        let mut second = line(211_600, Kind::Effect, "accepted", Some(2), Some("t2-1"));
        second.waited_s = Some(191.6);
        let lines = [arrive, first, transfer, second];
        // The second agent's story measures the wait in its queue too.
        let agent = tell(&lines, &Subject::Agent("t2-1".into()), 1).unwrap();
        assert!(
            agent.contains(
                "0:03:32 conversation 2: t2-1 accepted it after a wait of 0:00:01 in queue tier2"
            ),
            "{agent}"
        );
        let story = tell(&lines, &Subject::Conversation(2), 1).unwrap();
        assert_eq!(
            story,
            "Conversation 2, replication 1:\n\
             0:00:20 arrived in queue tier1\n\
             0:01:50 t1-1 accepted it after a wait of 0:01:30\n\
             0:03:30 transferred from queue tier1 to tier2 at the end of handling (LC-ACTIVE: \
             the work stream's transfer share; Active → Open there)\n\
             0:03:32 t2-1 accepted it after a wait of 0:00:01 in queue tier2 (0:03:12 since it \
             arrived)\n"
        );
    }

    #[test]
    fn unknown_subjects_get_a_suggestion() {
        let lines = vec![line(0, Kind::Effect, "accepted", Some(1), Some("tier1-3"))];
        let e = tell(&lines, &Subject::Agent("tier1-4".into()), 1).unwrap_err();
        assert!(e.to_string().contains("did you mean \"tier1-3\""), "{e}");
        let e = tell(&lines, &Subject::Conversation(9), 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no conversation 9 in replication 1; its conversations are 1 to 1 (try --conversation 1)"
        );
    }
}
