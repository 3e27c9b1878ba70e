//! Overflow (OVF-HOURS, OVF-LIMIT, OVF-WAIT): the engine's side. The simulator decides when a
//! queue overflows (operating hours, its Open count, a conversation's wait) and which action
//! applies; the engine moves an Open conversation to another queue or ends it, counting it as
//! overflowed (never answered, never abandoned).

use crate::model::{ConvState, QueueId};
use crate::time::SimTime;

use super::effect::{CloseReason, Effect};
use super::rules::RuleId;
use super::state::ConvId;
use super::{Engine, Outcome};

impl Engine {
    /// Moves a live Open conversation to `target` (withdrawing any invitation; refusals are
    /// forgotten) and routes it there; the agent whose invitation was withdrawn is routed again
    /// only afterwards.
    pub(crate) fn move_to_queue(
        &mut self,
        now: SimTime,
        conv: ConvId,
        target: QueueId,
        out: &mut Vec<Effect>,
    ) {
        let from = self.convs.get(conv).expect("live").queue;
        let prev = self.withdraw_invite(conv, out);
        let c = self.convs.get_mut(conv).expect("checked");
        let (key, req) = (c.key(conv.slot), c.tag());
        c.queue = target;
        c.refusals.clear();
        self.routable_remove(from, &key, req);
        self.queues[from.index()].open.remove(&key);
        self.queues[target.index()].open.insert(key);
        self.check_unmatched(target, conv, req, out);
        self.routable_insert(target, key, req);
        out.push(Effect::Requeued {
            conv,
            from,
            to: target,
        });
        self.route_queue(now, target, out);
        // Only now, with the conversation in its new queue, may the agent whose invitation was
        // withdrawn be routed again (before, it could be re-offered this conversation).
        if let Some(prev) = prev {
            self.route_agent(now, prev, out);
        }
    }

    /// Overflow transfer: an Open conversation moves to queue `target` (which must differ from
    /// its own; refused with LC-OPEN-ACTIVE when it is not Open, LC-CLOSED when closed).
    pub fn overflow_transfer(
        &mut self,
        now: SimTime,
        conv: ConvId,
        target: QueueId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let c = self.conv(conv)?;
        if c.state != ConvState::Open || target == c.queue || target.index() >= self.queues.len() {
            return Err(RuleId::LcOpenActive);
        }
        self.move_to_queue(now, conv, target, out);
        Ok(())
    }

    /// Overflow end: an Open conversation closes as overflowed (refused with LC-OPEN-ACTIVE when
    /// it is not Open).
    pub fn overflow_end(&mut self, now: SimTime, conv: ConvId, out: &mut Vec<Effect>) -> Outcome {
        self.tally.0 += 1;
        if self.conv(conv)?.state != ConvState::Open {
            return Err(RuleId::LcOpenActive);
        }
        self.finish(now, conv, CloseReason::Overflowed, out);
        Ok(())
    }
}
