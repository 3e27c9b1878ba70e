//! The invariant checker: the properties of `product.md` that must never break. A break is a
//! bug in the engine, not a rule violation. Cost is linear in the live state, so tests run it
//! after every command and real runs run it behind a flag.

use std::collections::BTreeSet;

use crate::model::{ConvState, Presence};

use super::state::SeqKey;
use super::Engine;

/// One broken invariant, described for a bug report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvariantBreak(pub String);

impl std::fmt::Display for InvariantBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Engine {
    /// Checks every invariant; an empty list means the state is sound.
    ///
    /// - conservation: arrived = closed + live;
    /// - each agent's used units = the units its conversations hold; reserved units, pending
    ///   invitations and their unreserved units match the invitations outstanding; `holding`
    ///   counts its conversations;
    /// - one primary agent at most, and only where the state has one (Active, Waiting, Wrap-up);
    ///   Open never holds units; Waiting holds none;
    /// - every queue set (open, routable, engaged) holds exactly the conversations it should;
    /// - each routing index holds exactly the agents eligible now, so routing cannot offer to an
    ///   ineligible agent; no routing offer so far went to an ineligible agent;
    /// - presence follows capacity unless set by hand;
    /// - skill queues: each profile group's index holds exactly its members' keys, and the
    ///   signatures' routable sets partition the queue's; with assignment rules, each rule
    ///   cell's leaves hold its members' keys under the rule; every group's and cell's tree is
    ///   the one rebuilt from its leaves.
    pub fn check_invariants(&self) -> Vec<InvariantBreak> {
        let mut breaks = Vec::new();
        let mut fail = |s: String| breaks.push(InvariantBreak(s));
        let k = self.counters;
        if k.arrived != k.closed + self.convs.live() as u64 {
            fail(format!(
                "conservation: arrived {} ≠ closed {} + live {}",
                k.arrived,
                k.closed,
                self.convs.live()
            ));
        }
        if k.ineligible_offers > 0 {
            fail(format!(
                "{} routing offers to ineligible agents",
                k.ineligible_offers
            ));
        }
        let n = self.agents.len();
        let (mut used, mut reserved, mut pending, mut holding) =
            (vec![0i64; n], vec![0i64; n], vec![0u32; n], vec![0u32; n]);
        let mut promised = vec![0i64; n];
        let nq = self.queues.len();
        let mut open: Vec<BTreeSet<SeqKey>> = vec![BTreeSet::new(); nq];
        let mut routable = open.clone();
        let mut engaged = open.clone();
        for (id, c) in self.convs.iter() {
            let key = c.key(id.slot);
            match c.state {
                ConvState::Open => {
                    open[c.queue.index()].insert(key);
                    if c.invite.is_none() {
                        routable[c.queue.index()].insert(key);
                    }
                    if c.primary.is_some() || c.held > 0 {
                        fail(format!("{id:?}: Open with a primary agent or held units"));
                    }
                }
                ConvState::Active | ConvState::Waiting | ConvState::WrapUp => {
                    engaged[c.queue.index()].insert(key);
                    if c.primary.is_none() {
                        fail(format!("{id:?}: {:?} without a primary agent", c.state));
                    }
                    if c.invite.is_some() {
                        fail(format!("{id:?}: {:?} with a pending invitation", c.state));
                    }
                    if c.state == ConvState::Waiting && c.held > 0 {
                        fail(format!("{id:?}: Waiting holds units"));
                    }
                }
                ConvState::Closed => fail(format!("{id:?}: Closed but still live")),
            }
            if let Some(a) = c.primary {
                used[a.index()] += c.held as i64;
                holding[a.index()] += 1;
            }
            if let Some(inv) = c.invite {
                pending[inv.agent.index()] += 1;
                reserved[inv.agent.index()] += inv.reserved() as i64;
                promised[inv.agent.index()] += inv.unreserved() as i64;
                if inv.reserves != self.cfg.reserve_on_invite {
                    fail(format!(
                        "{id:?}: invitation reserving against reserve_on_invite"
                    ));
                }
            }
        }
        for (i, a) in self.agents.iter().enumerate() {
            if a.used != used[i] {
                fail(format!("agent {i}: used {} ≠ held {}", a.used, used[i]));
            }
            if a.reserved != reserved[i]
                || a.pending != pending[i]
                || a.pending_units != promised[i]
            {
                fail(format!(
                    "agent {i}: reserved/pending/pending_units out of step with invitations"
                ));
            }
            if a.holding != holding[i] {
                fail(format!("agent {i}: holding {} ≠ {}", a.holding, holding[i]));
            }
            let want = a.manual.unwrap_or_else(|| a.auto_presence());
            if a.presence != want {
                fail(format!(
                    "agent {i}: presence {:?}, expected {:?}",
                    a.presence, want
                ));
            }
            if a.manual.is_none() && matches!(a.presence, Presence::Away | Presence::Offline) {
                fail(format!("agent {i}: automatic presence {:?}", a.presence));
            }
        }
        // Memberships, agent by agent along its own per-queue arrays (one pass over agents ×
        // queues in memory order: a queue-major pass with a slot lookup per member took 4 s
        // for 5,000 queues of 2,500 agents). Each (agent, slot) must sit at its position in
        // its queue's member list, and its index leaf must hold its key exactly when it is
        // eligible; with every queue's member count equal to the agents that list it, the
        // member lists and the agents' queue lists are the same relation.
        let mut eligible = vec![0usize; nq];
        let mut claimed = vec![0usize; nq];
        for (i, a) in self.agents.iter().enumerate() {
            let m = crate::model::AgentId(i as u32);
            // Its slot lookup: every slot once, sorted by queue.
            let lookup_ok = a.slots.len() == a.places.len()
                && a.slots.windows(2).all(|w| w[0].0 < w[1].0)
                && a.slots
                    .iter()
                    .all(|&(q, s)| a.places.get(s as usize).map(|p| p.queue) == Some(q));
            if !lookup_ok {
                fail(format!("agent {i}: its queue slot lookup is out of step"));
            }
            for place in &a.places {
                let queue = place.queue;
                let (qi, q) = (queue.index(), &self.queues[queue.index()]);
                claimed[qi] += 1;
                let pos = place.member_pos as usize;
                if q.members.get(pos) != Some(&m) {
                    fail(format!("queue {qi}: agent {i} has a wrong member position"));
                }
                let key = place.key;
                let ws = &self.workstreams[q.workstream.index()];
                let is = super::routing::takes_work(a, ws, ws.allowed_presences);
                let indexed = key.is_some() && q.index.key_at(pos) == key;
                if is != indexed {
                    fail(format!(
                        "queue {qi}: agent {i} eligible={is} but index disagrees"
                    ));
                }
                eligible[qi] += is as usize;
            }
        }
        for (qi, q) in self.queues.iter().enumerate() {
            let same = |set: &super::seqset::SeqSet, model: &BTreeSet<SeqKey>| {
                set.len() == model.len() && set.iter().eq(model.iter().copied())
            };
            let views_ok =
                !q.open.on || (same(&q.open.set, &open[qi]) && same(&q.engaged.set, &engaged[qi]));
            if !views_ok || !same(&q.routable, &routable[qi]) {
                fail(format!("queue {qi}: conversation sets out of step"));
            }
            if let Some(b) = self.offerable_break(qi) {
                fail(b);
            }
            if q.index.len() != eligible[qi] {
                fail(format!(
                    "queue {qi}: index holds {} agents, {} eligible",
                    q.index.len(),
                    eligible[qi]
                ));
            }
            if q.members.len() != claimed[qi] {
                fail(format!(
                    "queue {qi}: {} members, {} agents list it",
                    q.members.len(),
                    claimed[qi]
                ));
            }
            if let Some(msg) = self.skill_queue_break(qi) {
                fail(msg);
            }
        }
        breaks
    }
}
