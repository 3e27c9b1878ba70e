//! The simulator's side of overflow (OVF-HOURS, OVF-LIMIT, OVF-WAIT): which rule of a queue
//! triggers before a conversation enters it, the waiting-time timers while it is queued, and
//! applying the actions through the engine.

use crate::engine::{Command, ConvId};
use crate::model::{ConvState, QueueId};
use crate::scenario::{is_open, OverflowAction, OverflowWhen, Scenario};
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
    let q = &sc.queues[queue.index()];
    q.overflow.iter().find_map(|r| match r.when {
        OverflowWhen::OutOfHours if !is_open(&q.operating_hours, &sc.calendar, now) => {
            Some((OUT_OF_HOURS, r.action.clone()))
        }
        OverflowWhen::WorkItemsOver(limit) if open() >= limit as usize => {
            Some((WORK_ITEMS_OVER, r.action.clone()))
        }
        _ => None,
    })
}

/// Where a contact entered after the before-queueing rules: the queue, whether it is a
/// callback, and when transfers moved it there, the first rule's id and how many transfers.
pub(crate) type Entered = (QueueId, bool, Option<(&'static str, u32)>);

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
        let mut q = queue;
        let mut hops = 0u32;
        let mut first: Option<&'static str> = None;
        let mut callback = false;
        // The queues whose rule already sent this conversation on (a cycle is short: a list).
        let mut visited: Vec<QueueId> = Vec::new();
        while !visited.contains(&q) {
            let engine = &self.engine;
            let Some((kind, action)) = before_queue(self.sc, q, now, || engine.open_count(q))
            else {
                break;
            };
            self.rec.overflow_trigger(q, kind, counted);
            match action {
                OverflowAction::Transfer(t) => {
                    // Each hop is one transfer action (`overflow.transferred` counts actions).
                    self.rec.overflow_transferred(counted);
                    visited.push(q);
                    q = t;
                    hops += 1;
                    first.get_or_insert(if kind == OUT_OF_HOURS {
                        "OVF-HOURS"
                    } else {
                        "OVF-LIMIT"
                    });
                }
                OverflowAction::End => {
                    if traced && self.out.watching() {
                        if let Some(o) = self.out.observer() {
                            let rule = if kind == OUT_OF_HOURS {
                                "OVF-HOURS"
                            } else {
                                "OVF-LIMIT"
                            };
                            o.ended_before_queue(now, queue, q, rule, first.map(|r| (r, hops)));
                        }
                    }
                    self.rec.moved_on_arrival(counted && hops > 0);
                    self.rec.arrived(now, q, counted);
                    self.rec.overflow_ended(q, counted);
                    self.rec.closed(q, counted);
                    return Err(q);
                }
                OverflowAction::AssignAnyway => break,
                OverflowAction::Callback => {
                    callback = true;
                    break;
                }
            }
        }
        if hops > 0 {
            self.rec.moved_on_arrival(counted);
        }
        if callback {
            self.rec.overflow_callback(counted);
        }
        Ok((q, callback, first.map(|r| (r, hops))))
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

    /// Where a waiting-time transfer from `from` to `to` lands once the before-queueing rules
    /// of the queues it reaches apply in turn (each queue's rule at most once, as on arrival,
    /// [`overflow_before`](Self::overflow_before)): the queue, what is done there
    /// (`Transfer(_)`: enter it and wait; `End`; `Callback`) and the number of transfer
    /// actions (1 plus the before-queueing transfers). Each rule that triggers is counted.
    fn waited_target(
        &mut self,
        from: QueueId,
        to: QueueId,
        counted: bool,
    ) -> (QueueId, OverflowAction, u32) {
        let now = self.now;
        let (mut q, mut hops) = (to, 1u32);
        let mut visited: Vec<QueueId> = vec![from];
        while !visited.contains(&q) {
            let engine = &self.engine;
            let Some((kind, action)) = before_queue(self.sc, q, now, || engine.open_count(q))
            else {
                break;
            };
            self.rec.overflow_trigger(q, kind, counted);
            match action {
                OverflowAction::Transfer(t) => {
                    visited.push(q);
                    q = t;
                    hops += 1;
                }
                OverflowAction::AssignAnyway => break,
                other => return (q, other, hops),
            }
        }
        (q, OverflowAction::Transfer(q), hops)
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
                let (t, then, hops) = self.waited_target(queue, t, counted);
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
                    match then {
                        OverflowAction::End => {
                            let _ = self.run_cmd(Command::OverflowEnd(conv));
                        }
                        OverflowAction::Callback if !already_callback => {
                            self.rec.overflow_callback(counted);
                            if let Some(c) = self.customers.get_mut(conv) {
                                c.callback = true;
                                c.give_up = None;
                            }
                            self.schedule_waits(conv, t);
                        }
                        _ => self.schedule_waits(conv, t),
                    }
                }
            }
            OverflowAction::End => {
                let _ = self.run_cmd(Command::OverflowEnd(conv));
            }
            OverflowAction::Callback => {
                if !already_callback {
                    self.rec.overflow_callback(counted);
                    if let Some(c) = self.customers.get_mut(conv) {
                        c.callback = true;
                        c.give_up = None;
                    }
                }
            }
            // Validation allows assign_anyway before queueing only.
            OverflowAction::AssignAnyway => {}
        }
    }
}
