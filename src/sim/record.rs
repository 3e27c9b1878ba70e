//! The recorder's side of an engine command: [`Recorder::absorb`] turns one effect into metrics,
//! apart from the follow-up events the world schedules for the same effect
//! ([`World::follow_up`](super::world::World)).
//!
//! It lives on the simulator's side (an inherent method of [`Recorder`] written here) because
//! it reads the simulator's record of the conversation an effect names: its origin and current
//! queue, whether it counts (after the warm-up), whether it is being moved, and when it entered
//! its queue by a transfer. `metrics` stays below `sim` and never sees [`Customers`].
//!
//! It only reads [`Customers`]; it schedules nothing and draws no random number, so the world
//! calls it first for each effect and then its follow-ups, in the order the engine emitted the
//! effects (a follow-up may change what the next effect's recording reads: a requeue's new
//! queue, a closed conversation's slot).

use crate::engine::{CloseReason, Effect, Recipient};
use crate::metrics::Recorder;
use crate::model::ConvState;
use crate::time::SimTime;

use super::customers::Customers;

impl Recorder {
    /// Records what effect `e`, emitted at `now`, changes in the metrics.
    #[inline(always)]
    pub(crate) fn absorb(&mut self, now: SimTime, e: &Effect, customers: &Customers) {
        // Matching on the place copies only the fields an arm uses.
        match *e {
            Effect::Invited { .. } => self.invited(now),
            Effect::Refusal {
                agent, timed_out, ..
            } => {
                self.refusal(now, agent);
                self.invite_refused(now, timed_out);
            }
            Effect::Accepted {
                conv,
                agent,
                first,
                waited,
            } => {
                let c = customers.get(conv);
                // A handling taken up again (after a Waiting spell or a release back to the
                // queue) was counted when it began: each conversation counts once
                // (docs/metrics.md; the twenty-first tester's wspell counted 2 for 1).
                if !c.is_some_and(|c| c.work.under_way) {
                    self.took(now, agent);
                }
                let Some(c) = c else {
                    return;
                };
                if first {
                    self.answered(now, c.origin, waited, c.counted);
                } else if let Some(t) = c.entered {
                    // Transferred: its wait in this queue, from entering it.
                    self.transfer_wait(now, c.queue, now.since(t), c.counted);
                }
            }
            Effect::StateChanged { conv, from, to } => {
                // Only transitions into or out of Open change a queue's length (or count a
                // release); the others need no lookup.
                if from != ConvState::Open && to != ConvState::Open {
                    return;
                }
                let Some(c) = customers.get(conv) else {
                    return;
                };
                if from == ConvState::Active && to == ConvState::Open && !c.moving {
                    self.released(c.origin, c.counted);
                }
                if from == ConvState::Open {
                    self.queue_len(now, c.queue, -1);
                }
                if to == ConvState::Open {
                    self.queue_len(now, c.queue, 1);
                }
            }
            Effect::Units {
                agent,
                before,
                after,
                ..
            } => self.units(now, agent, before, after),
            Effect::Overallocated { agent, over } => self.overallocated(now, agent, over),
            Effect::Requeued { from, to, .. } => {
                self.queue_len(now, from, -1);
                self.queue_len(now, to, 1);
            }
            Effect::Joined { .. } => self.notified(now, true, 0, 0),
            Effect::Notified { to, .. } => match to {
                Recipient::Agent(_) => self.notified(now, false, 1, 0),
                Recipient::Customer => self.notified(now, false, 0, 1),
                Recipient::Supervisor(_) => {}
            },
            Effect::Closed {
                conv,
                answered,
                arrived_at,
                reason,
                ..
            } => {
                // The record in the conversation's slot (cleared by the follow-up).
                let Some(c) = customers.at(conv.slot as usize) else {
                    return;
                };
                let (origin, counted) = (c.origin, c.counted);
                if reason == CloseReason::Overflowed {
                    self.overflow_ended(origin, counted);
                } else if !answered {
                    self.abandoned(now, origin, now.since(arrived_at), counted);
                }
                self.closed(origin, counted);
            }
            Effect::AssignedByRule { conv, queue, rule } => {
                let counted = customers.get(conv).is_none_or(|c| c.counted);
                self.rule_assigned(queue, rule, counted);
            }
            Effect::Unmatched { conv, .. } => {
                let counted = customers.get(conv).is_none_or(|c| c.counted);
                self.unmatched(counted);
            }
            // A supervisor's transfer to an agent hands it the conversation without an
            // acceptance: it counts for the new agent like any conversation it took (issue 25,
            // twelfth tester: g-1 held ten transferred conversations and showed 0).
            Effect::Transferred { to, .. } => self.took(now, to),
            Effect::PickAvailable { .. }
            | Effect::InviteWithdrawn { .. }
            | Effect::Arrived { .. }
            | Effect::Presence { .. }
            | Effect::Monitoring { .. } => {}
        }
    }
}
