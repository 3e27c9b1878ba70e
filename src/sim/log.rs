//! The conversation log of `omnisim run --log`: one [`ConvRecord`] per conversation of a
//! replication, in arrival order, filled in as the conversation goes (written as
//! `conversations.csv` by [`crate::report::log`]).
//!
//! Only built when asked for: without `--log` the world's `Outputs` (`super::outputs`)
//! holds `None` and every hook is one test of its flag word.

use std::collections::BTreeMap;

use crate::engine::ConvId;
use crate::model::{AgentId, QueueId, WorkstreamId};
use crate::time::{SimDuration, SimTime};

/// One spell of an agent holding units of a row's conversation: from the change that gave it
/// the units (an acceptance, a resume after Waiting, a supervisor's transfer to it) to the one
/// that took them away (Waiting, a release back to the queue, a transfer, the end of handling
/// or of the wrap-up block, the close), or to the end of the run. An agent's `busy_s` is the
/// time it holds any units, so the union of its spells over every row is its busy time
/// (`conversations.csv`'s `busy` column; `fit`'s `actuals.json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spell {
    /// The agent holding the units.
    pub agent: AgentId,
    /// When it got them.
    pub from: SimTime,
    /// When it gave them up (or the run ended).
    pub to: SimTime,
}

/// How a conversation ended, as far as the log knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogOutcome {
    /// Not answered and not closed when the run stopped.
    Open,
    /// Reached Active at least once.
    Answered,
    /// Closed from Open before any agent accepted.
    Abandoned,
    /// Ended by an overflow rule (neither answered nor abandoned).
    Overflowed,
}

impl LogOutcome {
    /// The CSV word (`""` for [`LogOutcome::Open`]).
    pub fn as_str(self) -> &'static str {
        match self {
            LogOutcome::Open => "",
            LogOutcome::Answered => "answered",
            LogOutcome::Abandoned => "abandoned",
            LogOutcome::Overflowed => "overflowed",
        }
    }
}

/// A conversation's id in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordId {
    /// The n-th arrival of the replication (1-based).
    Seq(u64),
    /// The replayed history row of this index (its own `id`).
    Replay(u32),
}

/// One conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvRecord {
    /// Its id.
    pub id: RecordId,
    /// When it arrived.
    pub arrival: SimTime,
    /// The queue it arrived at.
    pub queue: QueueId,
    /// How it ended.
    pub outcome: LogOutcome,
    /// Arrival to first Active (answered) or to abandonment.
    pub wait: Option<SimDuration>,
    /// Its first handle time (as drawn or replayed, before any Waiting spell).
    pub handle: Option<SimDuration>,
    /// Its wrap-up time (as drawn, before any auto-close).
    pub wrap_up: Option<SimDuration>,
    /// The customer's patience (`None` when the work stream has none).
    pub patience: Option<SimDuration>,
    /// The agent who answered first.
    pub agent: Option<AgentId>,
    /// Its attribute values: its work stream and a value index per attribute of it (`None`
    /// when the work stream has no attributes).
    pub attributes: Option<(WorkstreamId, Box<[u16]>)>,
    /// 1 for the queue it arrived at; 2, 3, … for each queue a transfer at the end of
    /// handling sent it to (such a row keeps its first row's `id`).
    pub leg: u32,
    /// A retrial: the id of the abandoned contact whose customer came back as this one.
    pub retrial_of: Option<RecordId>,
    /// The queue the row's conversation was in when it was answered (this leg's first
    /// acceptance) or closed unanswered, when a move that starts no leg took it out of `queue`
    /// (a supervisor's `assign_to = "queue"`, a `waited_over` transfer, a before-queueing
    /// transfer at arrival); `None` when nothing moved it. Equal to `queue` after a move back.
    pub ended_in: Option<QueueId>,
    /// Every spell of an agent holding this row's conversation (this leg's), in order: one
    /// from acceptance to the end of wrap-up for a plain handling; more when a Waiting spell,
    /// a release back to the queue or a supervisor's transfer split it (issue 25, fifteenth
    /// session: `fit` counted acceptance + handle + wrap-up and missed the gap).
    pub busy: Vec<Spell>,
}

/// The log of one replication.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConvLog {
    /// Its replication (0-based).
    pub replication: u32,
    /// In arrival order (a transfer's later leg when it entered that queue).
    pub rows: Vec<ConvRecord>,
    /// Arrivals so far (rows of leg 1): the next arrival's id is one more.
    pub arrivals: u64,
    /// The spells under way: per conversation, each agent holding its units, the row of the
    /// leg it holds and since when.
    pub(crate) held: BTreeMap<ConvId, Vec<(AgentId, u32, SimTime)>>,
    /// The conversation whose units the next batch of effects changes when no effect of the
    /// batch names it (the end of a timed wrap-up block: its one effect is the release).
    pub(crate) units_of: Option<ConvId>,
}

impl ConvLog {
    /// Starts a row at arrival; returns its index.
    pub(crate) fn arrived(
        &mut self,
        id: Option<u32>,
        arrival: SimTime,
        queue: QueueId,
        patience: Option<SimDuration>,
    ) -> u32 {
        let n = self.rows.len();
        self.arrivals += 1;
        self.rows.push(ConvRecord {
            id: id.map_or(RecordId::Seq(self.arrivals), RecordId::Replay),
            arrival,
            queue,
            outcome: LogOutcome::Open,
            wait: None,
            handle: None,
            wrap_up: None,
            patience,
            agent: None,
            attributes: None,
            leg: 1,
            retrial_of: None,
            ended_in: None,
            busy: Vec::new(),
        });
        n as u32
    }

    /// Row `row` is a retrial of the contact of row `prev` (nothing when either is missing).
    pub(crate) fn retrial_of(&mut self, row: u32, prev: u32) {
        let id = self.rows.get(prev as usize).map(|r| r.id);
        if let (Some(r), Some(id)) = (self.rows.get_mut(row as usize), id) {
            r.retrial_of = Some(id);
        }
    }

    /// The conversation of row `prev` (its first or latest leg) was transferred at `now` to
    /// `queue` at the end of handling: starts the row of its leg there (same `id`, the next
    /// leg number, its attributes); returns its index (`u32::MAX` when `prev` is missing).
    pub(crate) fn transferred(&mut self, prev: u32, now: SimTime, queue: QueueId) -> u32 {
        let Some(p) = self.rows.get(prev as usize) else {
            return u32::MAX;
        };
        let r = ConvRecord {
            id: p.id,
            arrival: now,
            queue,
            outcome: LogOutcome::Open,
            wait: None,
            handle: None,
            wrap_up: None,
            patience: None,
            agent: None,
            attributes: p.attributes.clone(),
            leg: p.leg + 1,
            retrial_of: None,
            ended_in: None,
            busy: Vec::new(),
        };
        self.rows.push(r);
        (self.rows.len() - 1) as u32
    }

    /// The conversation of row `row` (its current leg) moved to `queue` without starting a
    /// leg (a `requeued` move while it waits, or a before-queueing transfer at arrival): its
    /// [`ConvRecord::ended_in`], while the row is unanswered (a leg's queue is where it was
    /// first accepted).
    pub(crate) fn moved(&mut self, row: u32, queue: QueueId) {
        if let Some(r) = self.rows.get_mut(row as usize) {
            if r.outcome == LogOutcome::Open {
                r.ended_in = Some(queue);
            }
        }
    }

    /// Removes row `row` when it is the last (a transfer refused: no leg after all).
    pub(crate) fn unstart(&mut self, row: u32) {
        if row != u32::MAX && row as usize + 1 == self.rows.len() {
            self.rows.pop();
        }
    }

    /// A later leg's acceptance (the conversation's first in that queue): its wait there, from
    /// entering the queue to `now`, and the agent.
    pub(crate) fn leg_answered(&mut self, row: u32, now: SimTime, agent: AgentId) {
        if let Some(r) = self.rows.get_mut(row as usize) {
            if r.outcome == LogOutcome::Open {
                r.outcome = LogOutcome::Answered;
                r.wait = Some(now.since(r.arrival));
                r.agent = Some(agent);
            }
        }
    }

    /// The attribute values the conversation routes by (drawn or replayed).
    pub(crate) fn attributes(&mut self, row: u32, ws: WorkstreamId, attrs: &[u16]) {
        if let Some(r) = self.rows.get_mut(row as usize) {
            r.attributes = Some((ws, attrs.into()));
        }
    }

    /// The first acceptance.
    pub(crate) fn answered(&mut self, row: u32, wait: SimDuration, agent: AgentId) {
        if let Some(r) = self.rows.get_mut(row as usize) {
            r.outcome = LogOutcome::Answered;
            r.wait = Some(wait);
            r.agent = Some(agent);
        }
    }

    /// The first handle time.
    pub(crate) fn handle(&mut self, row: u32, d: SimDuration) {
        if let Some(r) = self.rows.get_mut(row as usize) {
            r.handle.get_or_insert(d);
        }
    }

    /// The wrap-up time.
    pub(crate) fn wrap_up(&mut self, row: u32, d: SimDuration) {
        if let Some(r) = self.rows.get_mut(row as usize) {
            r.wrap_up.get_or_insert(d);
        }
    }

    /// Closed; an unanswered conversation counts as abandoned after waiting until `now`, or as
    /// overflowed when an overflow rule ended it. A later leg's row (`leg` > 1) counts so when
    /// nobody answered it in that queue.
    pub(crate) fn closed(&mut self, row: u32, answered: bool, overflowed: bool, now: SimTime) {
        if let Some(r) = self.rows.get_mut(row as usize) {
            if (!answered || r.leg > 1) && r.outcome == LogOutcome::Open {
                r.outcome = if overflowed {
                    LogOutcome::Overflowed
                } else {
                    LogOutcome::Abandoned
                };
                r.wait = Some(now.since(r.arrival));
            }
        }
    }

    /// `agent`'s units went from `before` to `after` at `now` for `conv` (a conversation's
    /// units are taken or given up whole, once each): a spell of `conv` starts (in row `row`,
    /// its current leg) when they grow, ends when they shrink; the agent's other
    /// conversations (a multi-chat agent's) keep theirs.
    pub(crate) fn units(
        &mut self,
        conv: ConvId,
        row: Option<u32>,
        agent: AgentId,
        (before, after): (i64, i64),
        now: SimTime,
    ) {
        if after > before {
            if let Some(row) = row {
                self.held.entry(conv).or_default().push((agent, row, now));
            }
        } else if after < before {
            let Some(spells) = self.held.get_mut(&conv) else {
                return;
            };
            if let Some(i) = spells.iter().position(|s| s.0 == agent) {
                let (agent, row, from) = spells.swap_remove(i);
                if spells.is_empty() {
                    self.held.remove(&conv);
                }
                self.spell(row, agent, from, now);
            }
        }
    }

    fn spell(&mut self, row: u32, agent: AgentId, from: SimTime, to: SimTime) {
        if let Some(r) = self.rows.get_mut(row as usize) {
            if to > from {
                r.busy.push(Spell { agent, from, to });
            }
        }
    }

    /// The run ended at `end`: every spell under way ends there (the recorder counts busy
    /// time up to the same instant).
    pub(crate) fn end_spells(&mut self, end: SimTime) {
        let mut touched = Vec::new();
        for (_, spells) in std::mem::take(&mut self.held) {
            for (agent, row, from) in spells {
                self.spell(row, agent, from, end);
                touched.push(row);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for row in touched {
            if let Some(r) = self.rows.get_mut(row as usize) {
                r.busy.sort_by_key(|s| (s.from, s.to, s.agent));
            }
        }
    }
}
