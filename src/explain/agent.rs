//! An agent's story told as its lines stream by, so `explain --agent` holds the story and the
//! conversations the agent holds, not the trace's lines (issue 25, fourth pass, F12: a 2 GB
//! trace used to take 1 GB of memory). [`AgentStory`] is the only teller of agent stories:
//! `tell` feeds it a replication's lines from memory, `explain_file` the lines of its second
//! pass as they are read, so both tell the same story.
//!
//! A line is written once the next line is seen (a refusal right after it counts it); a
//! conversation's whereabouts are dropped when it closes (nothing after its `closed` line moves
//! it or is told with them).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{describe, not_found, ExplainError, Subject, Times, Whereabouts};
use crate::trace::{Kind, TraceLine};

/// One agent's story so far.
pub(super) struct AgentStory<'s> {
    agent: &'s str,
    subject: &'s Subject,
    replication: u32,
    /// Conversations it holds: from its acceptance until they close or are transferred away.
    held: BTreeSet<u64>,
    /// Where each open conversation seen so far is.
    whereabouts: BTreeMap<u64, Whereabouts>,
    out: String,
    /// Whether any line was the agent's.
    any: bool,
    /// Whether it was routed or accepted anything.
    assigned: bool,
    /// Whether its `absent` line was seen: absent all day, its presence set offline at 0 is
    /// no change to tell (issue 25 leftovers: the story said "available → offline").
    absent: bool,
    /// The time of the last `interrupted` line.
    stop: Option<f64>,
    /// The trace ends in a partial line: the last complete line's time, the partial line's
    /// number (1-based).
    truncated: Option<(f64, usize)>,
    /// The replication's trace has a `start` line, an `end` line; the time of its last line
    /// (the last line pushed, or the replication's last line when [`AgentStory::ends_at`]
    /// says so: a story told from a file sees only the lines it needs).
    started: bool,
    ended: bool,
    last_t: f64,
    /// For the error when nothing was the agent's: the largest conversation id, the names.
    last_conv: u64,
    names: BTreeSet<String>,
    /// The agent's last line, with its words from the whereabouts, until the next line is seen.
    pending: Option<(TraceLine, Option<String>)>,
    /// How instants are written (date-times under `[scenario] start`).
    at: Times,
}

impl<'s> AgentStory<'s> {
    /// An empty story of `subject` (an agent) in `replication`, its instants written by `at`.
    pub(super) fn new(subject: &'s Subject, replication: u32, at: Times) -> Self {
        let agent = match subject {
            Subject::Agent(a) => a.as_str(),
            Subject::Conversation(_) => "",
        };
        let mut out = String::new();
        let _ = writeln!(out, "Agent {agent}, replication {replication}:");
        AgentStory {
            agent,
            subject,
            replication,
            held: BTreeSet::new(),
            whereabouts: BTreeMap::new(),
            out,
            any: false,
            assigned: false,
            absent: false,
            stop: None,
            truncated: None,
            started: false,
            ended: false,
            last_t: 0.0,
            last_conv: 0,
            names: BTreeSet::new(),
            pending: None,
            at,
        }
    }

    /// Marks the story as told from a trace that ends in a partial line at `line` (1-based),
    /// its last complete line at `t` seconds.
    pub(super) fn truncated(&mut self, t: f64, line: usize) {
        self.truncated = Some((t, line));
    }

    /// The replication's last line is at `t` seconds, whether or not it was pushed: where a
    /// cut trace ends is where its last line is, the same in every story (issue 25, twelfth
    /// tester: each agent's story said the trace ended at the agent's own last line).
    pub(super) fn ends_at(&mut self, t: f64) {
        self.last_t = self.last_t.max(t);
    }

    /// Agent names of the replication beyond the lines pushed (the first pass's), for the
    /// heading's look-alike check.
    pub(super) fn names_seen<'n>(&mut self, names: impl IntoIterator<Item = &'n String>) {
        for n in names {
            if !self.names.contains(n) {
                self.names.insert(n.clone());
            }
        }
    }

    /// Follows the replication's next line.
    pub(super) fn push(&mut self, l: &TraceLine) {
        let a = self.agent;
        self.last_conv = self.last_conv.max(l.conversation.unwrap_or(0));
        if let Some(n) = &l.agent {
            if !self.names.contains(n) {
                self.names.insert(n.clone());
            }
        }
        match l.kind {
            Kind::Interrupted => self.stop = Some(l.t),
            Kind::Start => self.started = true,
            Kind::End => self.ended = true,
            _ => {}
        }
        self.last_t = self.last_t.max(l.t);
        // Its own lines, and the state changes of the conversations it holds.
        // `from` names an agent only on a "transferred" line (elsewhere it is a state, a
        // presence or a queue, which an agent's name may spell).
        let own = l.agent.as_deref() == Some(a)
            || (l.what == "transferred" && l.from.as_deref() == Some(a));
        if let Some(c) = l.conversation {
            match l.what.as_str() {
                "accepted" if own => {
                    self.held.insert(c);
                }
                "transferred" if l.from.as_deref() == Some(a) => {
                    self.held.remove(&c);
                }
                "transferred" if own => {
                    self.held.insert(c);
                }
                _ => {}
            }
        }
        // A held conversation's transfer to a queue (an eleventh fresh tester: bob's story
        // showed "active → open" without the transfer to tier2 the conversation's story gives).
        let moved = l.kind == Kind::Command
            && l.ok != Some(false)
            && matches!(l.what.as_str(), "transfer_to_queue" | "assign_to_queue");
        let theirs = (moved
            || l.kind == Kind::Effect && matches!(l.what.as_str(), "state" | "closed"))
            && l.conversation.is_some_and(|c| self.held.contains(&c));
        // A held conversation back in a queue (transferred to a queue, requeued) has left the
        // agent: its own "active → open" is the agent's last line about it; what follows (the
        // next agent accepting it, whose state line names no agent) is not (a tenth fresh
        // tester: bob's story ended with ann's "open → active").
        if theirs && l.what == "state" && l.to.as_deref() == Some("open") {
            if let Some(c) = l.conversation {
                self.held.remove(&c);
            }
        }
        let special = l.conversation.and_then(|c| {
            let words = self.whereabouts.entry(c).or_default().observe(l, self.at);
            if l.what == "closed" {
                self.held.remove(&c);
                self.whereabouts.remove(&c);
            }
            words
        });
        let counted = l.kind == Kind::Refusal;
        if let Some((p, special)) = self.pending.take() {
            let counted = counted && l.rule == p.rule && l.t == p.t;
            self.write(&p, special, counted);
        }
        // An absent agent was never available: the presence it is set to at 0 is not a change.
        self.absent |= own && l.what == "absent";
        let absent_offline = self.absent && l.what == "presence" && l.t == 0.0;
        if (own || theirs) && !absent_offline {
            self.any = true;
            // Routed to it, accepted by it, or transferred to it by a supervisor (issue 25,
            // twelfth tester: g-1, handed ten conversations so, was "never assigned").
            let to_it = l.what == "transferred" && l.to.as_deref() == Some(a);
            self.assigned |= to_it
                || l.agent.as_deref() == Some(a)
                    && (l.what == "accepted" || l.kind == Kind::Routing);
            self.pending = Some((l.clone(), special));
        }
    }

    fn write(&mut self, l: &TraceLine, special: Option<String>, counted: bool) {
        let Some(text) = special.or_else(|| describe(l, self.subject, counted, self.at)) else {
            return;
        };
        let prefix = l
            .conversation
            .map(|c| format!("conversation {c}: "))
            .unwrap_or_default();
        let _ = writeln!(self.out, "{} {prefix}{text}", self.at.at(l.t));
    }

    /// The story, or why there is none (no line was the agent's).
    pub(super) fn finish(mut self) -> Result<String, ExplainError> {
        if let Some((p, special)) = self.pending.take() {
            self.write(&p, special, false);
        }
        if !self.any {
            let names = self.names.iter().map(String::as_str).collect();
            return Err(not_found(
                self.subject,
                self.replication,
                self.last_conv,
                false,
                self.truncated.map(|c| c.1),
                self.started && !self.ended,
                names,
            ));
        }
        let heading = super::heading_name(self.agent, self.names.iter().map(String::as_str));
        if heading != self.agent {
            let first = self.out.find('\n').unwrap_or(0);
            self.out.replace_range(
                ..first,
                &format!("Agent {heading}, replication {}:", self.replication),
            );
        }
        let open = self.started && !self.ended && self.truncated.is_none() && self.stop.is_none();
        if !self.assigned && open {
            // Not "never": the replication went on past the trace's last line.
            self.out
                .push_str("not assigned a conversation before the trace's last line\n");
        } else if !self.assigned {
            self.out
                .push_str("never assigned a conversation in this replication\n");
        }
        if let Some((t, line)) = self.truncated {
            let _ = writeln!(
                self.out,
                "{} {}: the agent's story is cut off, not ended",
                self.at.at(t),
                super::truncated_words(line)
            );
        } else if let Some(t) = self.stop {
            let _ = writeln!(
                self.out,
                "{} the run was interrupted here (SIGINT or SIGTERM) and the trace is partial: \
                 the agent's story is cut off, not ended",
                self.at.at(t)
            );
        } else if self.started && !self.ended {
            let _ = writeln!(
                self.out,
                "{} the trace ends here without this replication's end line: it was cut (at a \
                 line boundary); the agent's story is cut off, not ended",
                self.at.at(self.last_t)
            );
        }
        Ok(super::fold::fold_text(&self.out))
    }
}
