//! [`Outputs`]: the outputs subsystem of a replication's [`World`](super::world::World), what
//! it writes besides its metrics (the conversation log of `run --log`; the trace and dashboard
//! observer, and the dashboard log once that observer finished early) and the replayed history
//! it reads with `[traffic] replay`, whose hooks sit beside the log's (a replayed row overrides
//! a draw the log records).
//!
//! Each is built only when asked for, and one flag word says which are on, so a hook costs one
//! test when they are off: [`Outputs::watching`] once per engine command (the observer),
//! [`Outputs::logging`] once per batch of effects (the log's rows, [`Outputs::log_effects`]),
//! [`Outputs::rows`] once per handling (the log or the replay). Its step interface besides:
//! [`Outputs::observer`] / [`Outputs::stop_watching`] (the observer, until it has nothing left
//! to record), [`Outputs::replay`] (installs the replayed rows), [`Outputs::finish`] (the log
//! and the dashboard log). It schedules no event and draws no random number, so moving this
//! state out of the world changes no result.

use crate::engine::{CloseReason, Effect};
use crate::time::SimTime;

use super::customers::Customers;
use super::log::ConvLog;
use super::observe::{DashLog, Observer};
use super::replay::Feed;

/// The conversation log is on.
const LOG: u8 = 1;
/// The trace and dashboard observer is on.
const WATCH: u8 = 2;
/// A replayed history is on.
const FEED: u8 = 4;

/// What a replication writes besides its metrics, and the history it replays. See the module
/// docs.
#[derive(Debug)]
pub(crate) struct Outputs {
    /// Which of `LOG`, `WATCH`, `FEED` are on (zero: every hook is one test).
    on: u8,
    /// The conversation log, when asked for (`run --log`).
    pub(crate) log: Option<Box<ConvLog>>,
    /// The replayed rows of this replication, with `[traffic] replay`.
    pub(crate) feed: Option<Box<Feed>>,
    /// The trace writer and dashboard recorder, when this replication is watched.
    obs: Option<Box<Observer>>,
    /// The dashboard log once its observer finished early (its cap reached).
    dash_done: Option<DashLog>,
}

impl Outputs {
    /// The log of replication `rep` when `log`, and the observer, if any; no replay yet.
    pub(crate) fn new(rep: u32, log: bool, obs: Option<Box<Observer>>) -> Outputs {
        let log = log.then(|| {
            Box::new(ConvLog {
                replication: rep,
                rows: Vec::new(),
                arrivals: 0,
                held: Default::default(),
                units_of: None,
            })
        });
        Outputs {
            on: if log.is_some() { LOG } else { 0 } | if obs.is_some() { WATCH } else { 0 },
            log,
            feed: None,
            obs,
            dash_done: None,
        }
    }

    /// Replays `feed`'s rows from now on.
    pub(crate) fn replay(&mut self, feed: Feed) {
        self.feed = Some(Box::new(feed));
        self.on |= FEED;
    }

    /// The observer is on.
    #[inline(always)]
    pub(crate) fn watching(&self) -> bool {
        self.on & WATCH != 0
    }

    /// The conversation log is on.
    #[inline(always)]
    pub(crate) fn logging(&self) -> bool {
        self.on & LOG != 0
    }

    /// A replayed history is on.
    #[inline(always)]
    pub(crate) fn replaying(&self) -> bool {
        self.on & FEED != 0
    }

    /// The log or a replayed history is on: a conversation has rows to read or fill in.
    #[inline(always)]
    pub(crate) fn rows(&self) -> bool {
        self.on & (LOG | FEED) != 0
    }

    /// The observer, while it records.
    #[inline]
    pub(crate) fn observer(&mut self) -> Option<&mut Observer> {
        self.obs.as_deref_mut()
    }

    /// The observer has nothing left to record: keeps its dashboard log and stops observing
    /// (free from here on).
    pub(crate) fn stop_watching(&mut self, now: SimTime) {
        if let Some(o) = self.obs.take() {
            self.dash_done = o.finish(now, false);
        }
        self.on &= !WATCH;
    }

    /// The log's side of a batch of effects: a first answer's wait and agent, an unanswered
    /// close's outcome, the queue a move while waiting took it to, in the rows of the conversations' records (read before the world's
    /// follow-ups clear a closed conversation's slot).
    pub(crate) fn log_effects(&mut self, now: SimTime, fx: &[Effect], customers: &Customers) {
        let Some(log) = self.log.as_deref_mut() else {
            return;
        };
        // The conversation a units change belongs to: every engine command changes the units
        // of one conversation, named by an effect before the change (an acceptance, a state
        // change, a close, a supervisor's transfer) or, for a timed wrap-up block's release,
        // by the world (`units_of`).
        let mut named = log.units_of.take();
        for e in fx {
            match *e {
                Effect::Accepted {
                    conv,
                    agent,
                    first: true,
                    waited,
                } => {
                    named = Some(conv);
                    if let Some(c) = customers.get(conv) {
                        log.answered(c.row, waited, agent);
                    }
                }
                Effect::Accepted {
                    conv,
                    agent,
                    first: false,
                    ..
                } => {
                    named = Some(conv);
                    if let Some(c) = customers.get(conv).filter(|c| c.leg != u32::MAX) {
                        log.leg_answered(c.leg, now, agent);
                    }
                }
                Effect::StateChanged { conv, .. } | Effect::Transferred { conv, .. } => {
                    named = Some(conv);
                }
                Effect::Units {
                    agent,
                    before,
                    after,
                    ..
                } => {
                    if let Some(conv) = named {
                        // The leg it is in (its current row) when a spell starts.
                        let row =
                            customers
                                .get(conv)
                                .map(|c| if c.leg != u32::MAX { c.leg } else { c.row });
                        log.units(conv, row, agent, (before, after), now);
                    }
                }
                Effect::Requeued { conv, to, .. } => {
                    // A move while it waits starts no leg: the row of its current leg says
                    // where it ended up (`ended_in`).
                    if let Some(c) = customers.get(conv) {
                        let row = if c.leg != u32::MAX { c.leg } else { c.row };
                        log.moved(row, to);
                    }
                }
                Effect::Closed {
                    conv,
                    answered,
                    reason,
                    ..
                } => {
                    named = Some(conv);
                    if let Some(c) = customers.at(conv.slot as usize) {
                        let overflowed = reason == CloseReason::Overflowed;
                        log.closed(c.row, answered, overflowed, now);
                        if c.leg != u32::MAX {
                            log.closed(c.leg, answered, overflowed, now);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The end of a replication a stop reached before it began: nothing of it is kept (no
    /// conversation log, trace part or dashboard log), as it has no `by_replication` row.
    pub(crate) fn not_begun(&mut self) {
        if let Some(o) = self.obs.take() {
            o.discard();
        }
        self.on = 0;
        self.log = None;
        self.dash_done = None;
    }

    /// The end of the replication at `now` (cut short when `interrupted`): the conversation log
    /// (its spells under way ended at `end`, where the recorder ends its busy time) and the
    /// dashboard log.
    pub(crate) fn finish(
        &mut self,
        now: SimTime,
        end: SimTime,
        interrupted: bool,
    ) -> (Option<Box<ConvLog>>, Option<DashLog>) {
        if let Some(log) = self.log.as_deref_mut() {
            log.end_spells(end);
        }
        let dash = match self.obs.take() {
            Some(o) => o.finish(now, interrupted),
            None => self.dash_done.take(),
        };
        self.on = 0;
        (self.log.take(), dash)
    }
}
