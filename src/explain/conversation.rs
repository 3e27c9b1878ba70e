//! A conversation's story told as the replication's lines stream by ([`ConvStory`]), written
//! out line by line, so `explain --conversation` holds a few counters and one line, not the
//! story's lines (the sixth tester: one conversation refused 300,000 times, 1.2 million lines,
//! took 957 MB). `tell` feeds it a replication's lines from memory, `explain_file` the lines of
//! its second pass as they are read, so both tell the same story.
//!
//! A line of the story is written once the next line of the replication is seen (a refusal
//! right after it counts it), and once the next line of the story is seen (the "routed first"
//! summary goes before the story's last line when the conversation was neither routed nor
//! closed).

use std::collections::BTreeMap;
use std::io::Write;

use super::{describe, s, Subject, Times, Whereabouts};
use crate::trace::{Kind, TraceLine};

/// Who was routed first in the conversation's queue while it waited there, by (their
/// prioritization bucket, whether they arrived before it): the count.
type Firsts = BTreeMap<(Option<u32>, bool), u32>;

/// One conversation's story so far, written to `out`.
pub(super) struct ConvStory<'s, W: Write> {
    c: u64,
    subject: &'s Subject,
    out: W,
    /// Where the conversation is.
    whereabouts: Whereabouts,
    /// Its last line (with its words from the whereabouts), until the replication's next line.
    pending: Option<(TraceLine, Option<String>)>,
    /// Its last line told: its time and words (none for a line another says), until its next
    /// line is told (or the end).
    held: Option<(f64, Option<String>)>,
    /// While it waits, not yet routed or closed: the queue it entered and the routings there
    /// since.
    waiting: Option<(String, Firsts)>,
    /// `waiting` as it was just before its latest line (the summary of a wait that never
    /// ended counts until the story's last line).
    snapshot: Option<(String, Firsts)>,
    /// The summary was written, or its moment passed (routed or closed).
    summarized: bool,
    /// At the cut: the last `interrupted` line's time, closed, its last state, the agent of its
    /// last acceptance or transfer, its offer pending (agent, time).
    stop: Option<f64>,
    /// The trace ends in a partial line: the last complete line's time, the partial line's
    /// number (1-based).
    truncated: Option<(f64, usize)>,
    closed: bool,
    /// The replication's trace has a `start` line (so, unless cut, an `end` line), the time
    /// of its `end` line, the time of its last line.
    started: bool,
    ended: Option<f64>,
    last_t: f64,
    state: Option<String>,
    agent: Option<String>,
    offer: Option<(Option<String>, f64)>,
    /// How instants are written (date-times under `[scenario] start`).
    at: Times,
}

impl<'s, W: Write> ConvStory<'s, W> {
    /// The story of conversation `c` (`subject`) in `replication`, written to `out` from its
    /// heading on, its instants written by `at`.
    pub(super) fn new(
        c: u64,
        subject: &'s Subject,
        replication: u32,
        mut out: W,
        at: Times,
    ) -> std::io::Result<Self> {
        writeln!(out, "Conversation {c}, replication {replication}:")?;
        Ok(ConvStory {
            c,
            subject,
            out,
            whereabouts: Whereabouts::default(),
            pending: None,
            held: None,
            waiting: None,
            snapshot: None,
            summarized: false,
            stop: None,
            truncated: None,
            closed: false,
            started: false,
            ended: None,
            last_t: 0.0,
            state: None,
            agent: None,
            offer: None,
            at,
        })
    }

    /// Follows the replication's next line.
    pub(super) fn push(&mut self, l: &TraceLine) -> std::io::Result<()> {
        match l.kind {
            Kind::Interrupted => self.stop = Some(l.t),
            Kind::Start => self.started = true,
            Kind::End => self.ended = Some(l.t),
            _ => {}
        }
        self.last_t = self.last_t.max(l.t);
        let counted = l.kind == Kind::Refusal;
        if let Some((p, special)) = self.pending.take() {
            let counted = counted && l.rule == p.rule && l.t == p.t;
            self.tell(&p, special, counted)?;
        }
        if l.conversation != Some(self.c) {
            self.count_other(l);
            return Ok(());
        }
        let special = self.whereabouts.observe(l, self.at);
        if !self.summarized {
            self.snapshot.clone_from(&self.waiting);
        }
        self.follow(l)?;
        self.pending = Some((l.clone(), special));
        Ok(())
    }

    /// A routing of another conversation in the queue this one waits in.
    fn count_other(&mut self, l: &TraceLine) {
        let Some((queue, firsts)) = self.waiting.as_mut() else {
            return;
        };
        if l.kind != Kind::Routing || l.what != "routed" || l.queue.as_deref() != Some(queue) {
            return;
        }
        if let Some(other) = l.conversation {
            *firsts.entry((l.bucket, other < self.c)).or_default() += 1;
        }
    }

    /// Follows one of its own lines: where it waits, the summary before its routing or close,
    /// and what the cut-off line needs.
    fn follow(&mut self, l: &TraceLine) -> std::io::Result<()> {
        match (l.kind, l.what.as_str()) {
            (Kind::Command, "arrive") if !self.summarized => {
                if let Some(q) = l.queue.clone() {
                    self.waiting = Some((q, Firsts::new()));
                }
            }
            (Kind::Effect, "requeued") if !self.summarized => {
                // Moved while it waits: what went first in the queue it leaves is told now,
                // naming that queue; the count starts again in the next one.
                if let Some((queue, firsts)) = self.waiting.take() {
                    if let Some(text) = summary(&queue, &firsts, None) {
                        self.write_held()?;
                        writeln!(self.out, "{} {text}", self.at.at(l.t))?;
                    }
                }
                if let Some(q) = l.to.clone() {
                    self.waiting = Some((q, Firsts::new()));
                }
            }
            (Kind::Command, "transfer_to_queue") if l.ok.unwrap_or(true) => {
                // A new wait, in the queue the transfer at the end of handling names.
                self.summarized = false;
                self.waiting = l.queue.clone().map(|q| (q, Firsts::new()));
            }
            (Kind::Routing, what) if what != "waiting" && !self.summarized => {
                let wait = self.waiting.take();
                self.summarize(wait, l.bucket, l.t)?;
            }
            (Kind::Effect, "closed") if !self.summarized => {
                let wait = self.waiting.take();
                self.summarize(wait, None, l.t)?;
            }
            // Accepted without a routing line of its own (a supervisor's assignment): its wait
            // ended here; routings after it were not "first while it waited" (a fresh tester:
            // 7 conversations routed after conversation 50 was accepted were counted).
            (Kind::Effect, "accepted") if !self.summarized => {
                let wait = self.waiting.take();
                self.summarize(wait, None, l.t)?;
            }
            _ => {}
        }
        if l.kind == Kind::Effect {
            match l.what.as_str() {
                "closed" => self.closed = true,
                "state" => {
                    self.state.clone_from(&l.to);
                    self.offer = None;
                }
                "accepted" | "transferred" => {
                    self.agent.clone_from(&l.agent);
                    self.offer = None;
                }
                "invited" => self.offer = Some((l.agent.clone(), l.t)),
                "invite_withdrawn" | "invite_refused" => self.offer = None,
                _ => {}
            }
        }
        Ok(())
    }

    /// Writes the line told before, then the "routed first" summary of `wait` (its own
    /// bucket `own`) at `t`: before the line that ended the wait.
    fn summarize(
        &mut self,
        wait: Option<(String, Firsts)>,
        own: Option<u32>,
        t: f64,
    ) -> std::io::Result<()> {
        self.summarized = true;
        self.waiting = None;
        self.write_held()?;
        if let Some((queue, firsts)) = wait {
            if let Some(text) = summary(&queue, &firsts, own) {
                writeln!(self.out, "{} {text}", self.at.at(t))?;
            }
        }
        Ok(())
    }

    fn write_held(&mut self) -> std::io::Result<()> {
        if let Some((_, Some(text))) = self.held.take() {
            writeln!(self.out, "{text}")?;
        }
        Ok(())
    }

    fn tell(
        &mut self,
        l: &TraceLine,
        special: Option<String>,
        counted: bool,
    ) -> std::io::Result<()> {
        let text = special.or_else(|| describe(l, self.subject, counted, self.at));
        self.write_held()?;
        let at = self.at.at(l.t);
        self.held = Some((l.t, text.map(|x| format!("{at} {x}"))));
        Ok(())
    }

    /// Marks the story as told from a trace that ends in a partial line at `line` (1-based),
    /// its last complete line at `t` seconds.
    pub(super) fn truncated(&mut self, t: f64, line: usize) {
        self.truncated = Some((t, line));
    }

    /// What the first pass saw of the replication's bounds (its second pass stops after the
    /// story's last line): a `start` line, the `end` line's time, the last line's time.
    pub(super) fn bounds(&mut self, started: bool, ended: Option<f64>, last_t: f64) {
        self.started |= started;
        self.ended = self.ended.or(ended);
        self.last_t = self.last_t.max(last_t);
    }

    /// Ends the story: its last line (after the summary of a wait that neither a routing nor
    /// its close ended, counted until that line), and the cut-off line when the run's
    /// interruption cut it. Hands back the writer.
    pub(super) fn finish(mut self) -> std::io::Result<W> {
        if let Some((p, special)) = self.pending.take() {
            self.tell(&p, special, false)?;
        }
        if !self.summarized {
            // Before the story's last line.
            let last = self.held.take();
            let t = last.as_ref().map_or(0.0, |h| h.0);
            let wait = self.snapshot.take();
            self.summarize(wait, None, t)?;
            self.held = last;
        }
        self.write_held()?;
        if let Some((t, line)) = self.truncated {
            let words = super::truncated_words(line);
            if self.closed {
                writeln!(self.out, "(it closed before the cut: {words})")?;
            } else {
                writeln!(
                    self.out,
                    "{} {words}: the conversation was {} at its last complete line; its story \
                     is cut off, not ended",
                    self.at.at(t),
                    self.state_at_cut()
                )?;
            }
        } else if let (Some(stop), false) = (self.stop, self.closed) {
            writeln!(
                self.out,
                "{} the run was interrupted here (SIGINT or SIGTERM) and the trace is partial: \
                 the conversation was {} at that point; its story is cut off, not ended",
                self.at.at(stop),
                self.state_at_cut()
            )?;
        } else if let Some(stop) = self.stop {
            writeln!(
                self.out,
                "(it closed before the cut: the run was interrupted at {} (SIGINT or SIGTERM) \
                 and this replication's trace is partial)",
                self.at.at(stop)
            )?;
        } else {
            self.write_bounds()?;
        }
        self.out.flush()?;
        Ok(self.out)
    }

    /// The end of a story neither a partial line nor an interruption cut: still in the system
    /// at the replication's `end` line, or a replication with a `start` line and no `end` line
    /// (a trace cut at a line boundary).
    fn write_bounds(&mut self) -> std::io::Result<()> {
        match (self.ended, self.started, self.closed) {
            (Some(end), _, false) => writeln!(
                self.out,
                "{} the run ended with the conversation still in the system: it was {} then",
                self.at.at(end),
                self.state_at_cut()
            ),
            (None, true, false) => writeln!(
                self.out,
                "{} the trace ends here without this replication's end line: it was cut (at a \
                 line boundary); the conversation was {} at its last line; its story is cut \
                 off, not ended",
                self.at.at(self.last_t),
                self.state_at_cut()
            ),
            (None, true, true) => writeln!(
                self.out,
                "(it closed before the cut: the trace ends at {} without this replication's end \
                 line)",
                self.at.at(self.last_t)
            ),
            _ => Ok(()),
        }
    }

    /// Where it stood when the run was cut: its last state (none: still open, as it arrived),
    /// the agent of its last acceptance or transfer, the offer pending.
    fn state_at_cut(&self) -> String {
        let by = |what: &str| match &self.agent {
            Some(a) => format!("{what} by {a}"),
            None => what.to_string(),
        };
        match self.state.as_deref().unwrap_or("open") {
            "open" => match &self.offer {
                Some((agent, t)) => format!(
                    "still open, being offered to {} (invitation sent at {}, not yet answered)",
                    s(agent),
                    self.at.at(*t)
                ),
                None => "still open, waiting for an agent".into(),
            },
            "active" => format!("still active ({})", by("being handled")),
            "waiting" => format!("still waiting, set aside ({})", by("held")),
            "wrap_up" => format!("in wrap-up ({})", by("notes")),
            other => format!("still {other}"),
        }
    }
}

/// Why the conversation was not routed sooner: the routings in its `queue` while it waited
/// there (`firsts`), by why theirs came first — a higher priority bucket (RT-PRIORITIZE) than
/// its own (`own`), an earlier arrival (RT-ORDER), or a later arrival that an agent it could
/// not have took (its skills or the rules). `None` when nothing went first.
fn summary(queue: &str, firsts: &Firsts, own: Option<u32>) -> Option<String> {
    let (mut higher, mut earlier, mut later) = (0u32, 0u32, 0u32);
    for (&(bucket, before), &n) in firsts {
        // Same bucket (or none) and older: arrival order. Anything else that went first (a
        // later arrival, or one of a lower-priority bucket) had an agent this one could not.
        match (bucket, own) {
            (Some(b), Some(o)) if b < o => higher += n,
            (Some(b), Some(o)) if b > o => later += n,
            _ if before => earlier += n,
            _ => later += n,
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
    Some(format!(
        "while it waited in queue {queue}, {} routed first: {}",
        if total == 1 {
            "1 other conversation was".to_string()
        } else {
            format!("{total} other conversations were")
        },
        parts.join(", ")
    ))
}
