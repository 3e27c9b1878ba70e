//! Offerable conversations: a queue's routable conversations less those no member may ever be
//! offered (RT-ELIGIBLE), so routing walks past a pile of them in no time.
//!
//! A conversation that every member of its queue has refused `refusals_before_skip` times is
//! *exhausted*: [`choose_agent`](Engine::choose_agent) (and a skill queue's choice, and a pick)
//! can only answer "nobody" for it, since every routing index holds members only. Routing used
//! to find that out again at each trigger, conversation by conversation from the oldest: with
//! all agents refusing, the pile of exhausted conversations grows with the run and each agent
//! freed walked all of it (a quadratic run: 10.5 s of CPU for 3,296 arrivals over 32 h with
//! 3 agents). Each queue (and each skill signature) therefore keeps a second ordered set beside
//! its routable one, `offerable` = routable less the exhausted, and routing walks that one.
//!
//! Exhaustion depends only on the conversation's refusals and the queue's members, so it is
//! decided as a conversation enters the routable set (an arrival, a withdrawn or refused
//! invitation, a release, an overflow; refusals are counted before the re-entry) and again for
//! the whole queue when its members change ([`refresh_offerable`](Engine::refresh_offerable)).
//! The routable sets themselves are unchanged (queue heads, pick availability and counts read
//! them), and a conversation is left out only where routing would have passed it over anyway:
//! the decisions are the same.

use crate::model::QueueId;

use super::state::{Conv, SeqKey};
use super::Engine;

impl Engine {
    /// Whether every member of `queue` refused `c` `refusals_before_skip` times (no member may
    /// be offered it, RT-ELIGIBLE). A conversation never refused is never exhausted, as
    /// [`choose_agent`](Engine::choose_agent) lets anyone take it whatever the limit. Costs
    /// O(r log m) for r refusers and m members, and nothing for a conversation never refused.
    #[inline]
    pub(crate) fn exhausted(&self, queue: QueueId, c: &Conv) -> bool {
        if c.refusals.is_empty() {
            return false;
        }
        let skip = self.cfg.refusals_before_skip;
        if skip == 0 {
            return true;
        }
        let members = &self.queues[queue.index()].members;
        if c.refusals.len() < members.len() {
            return false;
        }
        let skipped = c
            .refusals
            .iter()
            .filter(|(a, n)| *n >= skip && members.binary_search(a).is_ok())
            .count();
        skipped == members.len()
    }

    /// Whether the conversation in `slot` is [`exhausted`](Self::exhausted) in `queue` (false
    /// for an empty slot).
    #[inline]
    pub(crate) fn exhausted_slot(&self, queue: QueueId, slot: u32) -> bool {
        self.convs
            .by_slot(slot)
            .is_some_and(|(_, c)| self.exhausted(queue, c))
    }

    /// Recomputes the offerable sets of `queue` (and of its skill signatures) from its routable
    /// ones: after its members changed, which can exhaust a conversation (a member left) or
    /// revive one (an agent joined). O(routable conversations).
    pub(crate) fn refresh_offerable(&mut self, queue: QueueId) {
        let qi = queue.index();
        let keys: Vec<(SeqKey, bool)> = self.queues[qi]
            .routable
            .iter()
            .map(|k| (k, self.exhausted_slot(queue, k.1)))
            .collect();
        let q = &mut self.queues[qi];
        q.offerable = Default::default();
        for &(k, parked) in &keys {
            if !parked {
                q.offerable.insert(k);
            }
        }
        if let Some(qs) = q.skills.as_mut() {
            for sig in &mut qs.sigs {
                let mut offerable = super::seqset::SeqSet::default();
                for k in sig.routable.iter() {
                    let at = keys.partition_point(|e| e.0 .0 < k.0);
                    if !keys[at].1 {
                        offerable.insert(k);
                    }
                }
                sig.offerable = offerable;
            }
        }
    }

    /// The invariant check of the offerable sets (see `check_invariants`): each holds exactly
    /// its routable set's conversations that are not exhausted. `None` when sound.
    pub(crate) fn offerable_break(&self, qi: usize) -> Option<String> {
        let q = &self.queues[qi];
        let queue = QueueId(qi as u32);
        let want = |set: &super::seqset::SeqSet| -> Vec<SeqKey> {
            set.iter()
                .filter(|k| !self.exhausted_slot(queue, k.1))
                .collect()
        };
        if q.offerable.iter().ne(want(&q.routable)) {
            return Some(format!("queue {qi}: offerable set out of step"));
        }
        let sigs = q.skills.as_ref().map_or(&[][..], |qs| &qs.sigs[..]);
        for (i, sig) in sigs.iter().enumerate() {
            if sig.offerable.iter().ne(want(&sig.routable)) {
                return Some(format!(
                    "queue {qi}: signature {i}'s offerable set out of step"
                ));
            }
        }
        None
    }
}
