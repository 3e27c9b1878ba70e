//! The simulator's side of overflow (OVF-HOURS, OVF-LIMIT, OVF-WAIT): which rule of a queue
//! triggers before a conversation enters it, the waiting-time timers while it is queued, and
//! applying the actions through the engine.

use crate::engine::{Command, ConvId};
use crate::model::{ConvState, QueueId};
use crate::scenario::{before_queue_rule, OverflowAction, OverflowWhen, Scenario};
use crate::time::SimTime;

use super::event::Event;
use super::world::World;

/// Index of a trigger kind in the per-queue counts.
pub(crate) const OUT_OF_HOURS: usize = 0;
/// See [`OUT_OF_HOURS`].
pub(crate) const WORK_ITEMS_OVER: usize = 1;
/// See [`OUT_OF_HOURS`].
pub(crate) const WAITED_OVER: usize = 2;

/// The first of `queue`'s before-queueing rules (out of hours, work-item limit) that triggers
/// now, with its kind; `open` is the queue's Open count.
pub(crate) fn before_queue(
    sc: &Scenario,
    queue: QueueId,
    now: SimTime,
    open: impl Fn() -> usize,
) -> Option<(usize, OverflowAction)> {
    let r = before_queue_rule(&sc.queues[queue.index()], &sc.calendar, now, open)?;
    let kind = match r.when {
        OverflowWhen::OutOfHours => OUT_OF_HOURS,
        _ => WORK_ITEMS_OVER,
    };
    Some((kind, r.action.clone()))
}

/// Where a contact entered after the before-queueing rules: the queue, whether it is a
/// callback, and when transfers moved it there, the first rule's id and how many transfers.
pub(crate) type Entered = (QueueId, bool, Option<(&'static str, u32)>);

/// Where a walk of the before-queueing rules ended ([`World::walk_before_queue`]).
struct Walk {
    /// The queue reached.
    queue: QueueId,
    /// The trigger kind and action of the rule that stopped it there (`End`, `Callback`,
    /// `AssignAnyway`); `None`: no rule triggered there, or its rule already sent it on.
    stop: Option<(usize, OverflowAction)>,
    /// Transfers followed.
    hops: u32,
    /// The trigger kind of the first transfer.
    first: Option<usize>,
}

/// The rule id of a before-queueing trigger kind.
fn rule_id(kind: usize) -> &'static str {
    if kind == OUT_OF_HOURS {
        "OVF-HOURS"
    } else {
        "OVF-LIMIT"
    }
}

impl<E: crate::engine::RulesEngine> World<'_, E> {
    /// Applies the before-queueing rules from `queue` on, following transfers with each queue's
    /// rule applied at most once: a conversation that reaches a queue whose rule already sent
    /// it on (a cycle of before-queueing transfers) enters that queue past its rule, so it goes
    /// round once, one transfer action per queue. Returns the queue to enter, whether it is a
    /// callback and, when transfers moved it there, the rule id of the first rule that did
    /// (`OVF-HOURS` or `OVF-LIMIT`) with the number of transfer actions, or `Err` with the queue
    /// whose rule ended the conversation (`queue` itself, or one transfers took it to; it is
    /// then counted as arrived, closed and overflowed there; `traced`: a new contact, with a row
    /// in conversations.csv, so also a story in the trace).
    pub(crate) fn overflow_before(
        &mut self,
        queue: QueueId,
        counted: bool,
        traced: bool,
    ) -> Result<Entered, QueueId> {
        let now = self.now;
        let w = self.walk_before_queue(queue, Vec::new(), counted);
        // Each hop is one transfer action (`overflow.transferred` counts actions).
        for _ in 0..w.hops {
            self.rec.overflow_transferred(counted);
        }
        let (q, hops) = (w.queue, w.hops);
        let first = w.first.map(rule_id);
        match w.stop {
            Some((kind, OverflowAction::End)) => {
                if traced && self.out.watching() {
                    if let Some(o) = self.out.observer() {
                        o.ended_before_queue(
                            now,
                            queue,
                            q,
                            rule_id(kind),
                            first.map(|r| (r, hops)),
                        );
                    }
                }
                self.rec.moved_on_arrival(counted && hops > 0);
                self.rec.arrived(now, q, counted);
                self.rec.ended_on_arrival(now, q);
                self.rec.overflow_ended(q, counted);
                self.rec.closed(q, counted);
                return Err(q);
            }
            _ if hops > 0 => self.rec.moved_on_arrival(counted),
            _ => {}
        }
        let callback = matches!(w.stop, Some((_, OverflowAction::Callback)));
        if callback {
            self.rec.overflow_callback(counted);
        }
        Ok((q, callback, first.map(|r| (r, hops))))
    }

    /// Follows the before-queueing rules (out of hours, work-item limit) from `start` on, each
    /// queue's rule at most once (`visited`: queues already left, whose rule is not applied
    /// again): every rule that triggers is counted, transfers are followed. The walk ends in a
    /// queue where no rule triggers, at a queue already visited (a cycle: it enters past the
    /// rule), or at a rule that does not transfer (`stop`). The one walk of arrivals
    /// ([`overflow_before`](Self::overflow_before)) and of waiting-time transfers
    /// ([`overflow_wait`](Self::overflow_wait)).
    fn walk_before_queue(
        &mut self,
        start: QueueId,
        mut visited: Vec<QueueId>,
        counted: bool,
    ) -> Walk {
        let now = self.now;
        let mut w = Walk {
            queue: start,
            stop: None,
            hops: 0,
            first: None,
        };
        while !visited.contains(&w.queue) {
            let q = w.queue;
            let engine = &self.engine;
            let Some((kind, action)) = before_queue(self.sc, q, now, || engine.open_count(q))
            else {
                break;
            };
            self.rec.overflow_trigger(q, kind, counted);
            match action {
                OverflowAction::Transfer(t) => {
                    visited.push(q);
                    w.queue = t;
                    w.hops += 1;
                    w.first.get_or_insert(kind);
                }
                other => {
                    w.stop = Some((kind, other));
                    break;
                }
            }
        }
        w
    }

    /// Marks a waiting conversation a callback (OVF-WAIT's `callback`, or a before-queueing
    /// `callback` of the queue a waiting-time transfer took it to), counted once.
    fn make_callback(&mut self, conv: ConvId, counted: bool, already: bool) {
        if already {
            return;
        }
        self.rec.overflow_callback(counted);
        if let Some(c) = self.customers.get_mut(conv) {
            c.callback = true;
            c.give_up = None;
        }
    }

    /// Schedules the waiting-time rules of `queue` for a conversation that just entered it,
    /// however it got there (arrival or retrial, a `waited_over` move, a transfer at the end of
    /// handling, a supervisor's move): each rule is due its `after` from now, and a timer of an
    /// earlier stay in the same queue becomes stale (`ConvSim::queued_at`).
    pub(crate) fn schedule_waits(&mut self, conv: ConvId, queue: QueueId) {
        let now = self.now;
        let rules = &self.sc.queues[queue.index()].overflow;
        if !rules
            .iter()
            .any(|r| matches!(r.when, OverflowWhen::WaitedOver(_)))
        {
            return;
        }
        if let Some(c) = self.customers.get_mut(conv) {
            c.queued_at = now;
        }
        for (r, rule) in self.sc.queues[queue.index()].overflow.iter().enumerate() {
            if let OverflowWhen::WaitedOver(after) = rule.when {
                self.events.schedule(
                    now + after,
                    Event::OverflowWait {
                        conv,
                        queue: queue.0,
                        rule: r as u16,
                    },
                );
            }
        }
    }

    /// OVF-WAIT: a waiting-time rule is due; it applies if the conversation is still Open in
    /// that queue and has been since the stay that scheduled it (its wait counted from when it
    /// entered the queue; a timer of an earlier stay is stale).
    pub(crate) fn overflow_wait(&mut self, conv: ConvId, queue: QueueId, rule: usize) {
        let still = self
            .engine
            .conversation(conv)
            .is_some_and(|c| c.state == ConvState::Open && c.queue == queue);
        let after = match self.sc.queues[queue.index()].overflow[rule].when {
            OverflowWhen::WaitedOver(after) => after,
            _ => return,
        };
        let now = self.now;
        let Some(counted) = still
            .then(|| {
                self.customers
                    .get_mut(conv)
                    .filter(|c| c.queued_at + after == now)
                    .map(|c| (c.counted, c.callback, c.moved))
            })
            .flatten()
        else {
            return;
        };
        let (counted, already_callback, moved) = counted;
        let action = self.sc.queues[queue.index()].overflow[rule].action.clone();
        self.rec.overflow_trigger(queue, WAITED_OVER, counted);
        match action {
            OverflowAction::Transfer(t) => {
                // "Moved there; that queue's rules apply in turn": the target's before-queueing
                // rules (out of hours, work-item limit) are followed first, as on arrival.
                let w = self.walk_before_queue(t, vec![queue], counted);
                let (t, hops) = (w.queue, w.hops + 1);
                if t == queue {
                    // The rules sent it back where it waits: it stays.
                    return;
                }
                // Its new queue's rules are scheduled below, after the command's effects (as
                // they always were), not by the `Requeued` follow-up.
                if let Some(c) = self.customers.get_mut(conv) {
                    c.overflowing = true;
                }
                let ok = self.run_cmd(Command::OverflowTransfer(conv, t)).is_ok();
                if let Some(c) = self.customers.get_mut(conv) {
                    c.overflowing = false;
                }
                if ok {
                    for _ in 0..hops {
                        self.rec.overflow_transferred(counted);
                    }
                    self.rec.transferred(t, !moved, counted);
                    if let Some(c) = self.customers.get_mut(conv) {
                        c.moved = true;
                    }
                    match w.stop {
                        Some((_, OverflowAction::End)) => {
                            let _ = self.run_cmd(Command::OverflowEnd(conv));
                        }
                        stop => {
                            if matches!(stop, Some((_, OverflowAction::Callback))) {
                                self.make_callback(conv, counted, already_callback);
                            }
                            self.schedule_waits(conv, t);
                        }
                    }
                }
            }
            OverflowAction::End => {
                let _ = self.run_cmd(Command::OverflowEnd(conv));
            }
            OverflowAction::Callback => self.make_callback(conv, counted, already_callback),
            // Validation allows assign_anyway before queueing only.
            OverflowAction::AssignAnyway => {}
        }
    }
}
