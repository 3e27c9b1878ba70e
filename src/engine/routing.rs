//! Automatic routing: the per-queue indices of eligible agents, the assignment methods, and
//! invitations (RT-ELIGIBLE, RT-ORDER, RT-METHOD, RT-TRIGGER, RT-INVITE, CAP-UNITS, PR-ALLOWED).
//!
//! Each queue keeps an ordered set of the agents eligible for its conversations right now
//! (member, allowed presence, free units ≥ the work stream's units, no pending invitation), keyed
//! in the order its method prefers. Choosing an agent is a walk from the front of that set, so a
//! decision among 10,000 agents costs a logarithm more than among 100, not a scan.

use crate::model::{
    AgentId, AssignmentMethod, ConvState, Presence, PresenceSet, QueueId, RoutingMode,
    WorkstreamRules,
};
use crate::time::SimTime;

use super::effect::{Effect, InviteId};
use super::state::{Agent, ConvId, IndexKey, Invite, Place};
use super::Engine;

/// Queues of an agent whose routing order [`Engine::route_agent`] sorts on the stack.
const QUEUES_ON_STACK: usize = 8;

/// What [`Engine::offered_first`] found for an agent being refreshed.
#[derive(Clone, Copy, Debug)]
enum First {
    /// Invite it to this conversation before keying it.
    Invite(ConvId),
    /// Not invited first: write this fresh key in its only queue ([`Engine::key_only_place`]).
    Key(IndexKey),
    /// It takes no work in its only queue and holds no key there: it stays keyless.
    Keyless,
    /// Neither is known: re-key it ([`Engine::reindex`]) and route as usual.
    Route,
}

/// Who chose the agent of an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Offer {
    /// A supervisor (ASSIGN-INVITE).
    Supervisor,
    /// The queue's assignment method (RT-METHOD, with RT-SKILL / RT-CLOSEST in a skill queue).
    Method,
    /// The queue's assignment rule with this number (RT-RULESET).
    Rule(u16),
}

/// Whether `a` may take automatic work of work stream `ws` now with `presences` allowed (the
/// work stream's, or an assignment rule's): no invitation pending in push mode, not Away or
/// Offline by hand (PR-MANUAL), an allowed presence (PR-ALLOWED), the units free (CAP-UNITS).
#[inline]
pub(crate) fn takes_work(a: &Agent, ws: &WorkstreamRules, presences: PresenceSet) -> bool {
    (a.pending == 0 || ws.mode == RoutingMode::Pick)
        && !Engine::stops_work(a.presence)
        && presences.contains(a.presence)
        && a.free() >= ws.capacity_units as i64
}

impl Engine {
    /// Whether routing may offer `queue`'s work to `agent` now, ignoring per-conversation refusals.
    /// In a push queue an agent with a pending invitation is not offered another. A pick queue
    /// offers nothing, and a pending (supervisor) invitation does not stop an agent picking
    /// (RT-PICK needs free units and an allowed presence), so its index holds the agents who
    /// could pick.
    pub(crate) fn eligible(&self, agent: AgentId, queue: QueueId) -> bool {
        let a = &self.agents[agent.index()];
        let ws = &self.workstreams[self.queues[queue.index()].workstream.index()];
        takes_work(a, ws, ws.allowed_presences) && a.slot_of(queue).is_some()
    }

    /// The agent's key in the routing index of its `slot`-th queue, `None` when not
    /// [`eligible`](Self::eligible) there (the same test, without looking up the slot again).
    #[inline(always)]
    fn index_key(&self, agent: AgentId, slot: usize) -> Option<IndexKey> {
        let a = &self.agents[agent.index()];
        let queue = &self.queues[a.places[slot].queue.index()];
        let ws = &self.workstreams[queue.workstream.index()];
        if !takes_work(a, ws, ws.allowed_presences) {
            return None;
        }
        Some(super::rank::index_key(
            super::rank::Order::Method(queue.method),
            a,
            slot,
            agent,
        ))
    }

    /// Recomputes the agent's effective presence (PR-AUTO unless PR-MANUAL) and its place in
    /// every routing index. Called after anything about the agent changed.
    pub(crate) fn refresh_agent(&mut self, agent: AgentId, out: &mut Vec<Effect>) {
        self.refresh_presence(agent, out);
        self.reindex(agent);
    }

    /// The presence half of [`refresh_agent`](Self::refresh_agent): PR-AUTO unless PR-MANUAL,
    /// an [`Effect::Presence`] when it changes.
    #[inline]
    fn refresh_presence(&mut self, agent: AgentId, out: &mut Vec<Effect>) {
        let a = &mut self.agents[agent.index()];
        let presence = a.manual.unwrap_or_else(|| a.auto_presence());
        if presence != a.presence {
            out.push(Effect::Presence {
                agent,
                from: a.presence,
                to: presence,
            });
            a.presence = presence;
        }
    }

    /// [`refresh_agent`](Self::refresh_agent) then [`route_agent`](Self::route_agent) (RT-TRIGGER
    /// after the agent's units or invitations changed), with the same decisions and effects in
    /// the same order. When the agent, now able to take work, would be the one its queue's method
    /// chooses for the oldest offerable conversation ([`offered_first`](Self::offered_first)),
    /// the invitation is sent before the agent is keyed: the key it would have been given, and
    /// taken back at once by the invitation, never reaches the routing index (two root-ward
    /// paths and a walk saved; about half the releases of a busy M/M/c). When it is not, what
    /// [`reindex`](Self::reindex) would do for an agent of one queue is done from what
    /// `offered_first` found, without computing its key again: the key written
    /// ([`key_only_place`](Self::key_only_place)), or, for an agent that takes no work there
    /// and held no key (full after an acceptance), nothing but the hint that it is keyless.
    pub(crate) fn refresh_route(&mut self, now: SimTime, agent: AgentId, out: &mut Vec<Effect>) {
        self.refresh_presence(agent, out);
        #[cfg(test)]
        if self.scratch.key_first {
            self.reindex(agent);
            self.route_agent(now, agent, out);
            return;
        }
        match self.offered_first(agent) {
            First::Invite(conv) => {
                #[cfg(test)]
                {
                    self.scratch.offered_unkeyed += 1;
                }
                self.invite(now, conv, agent, Offer::Method, out);
            }
            First::Key(key) => self.key_only_place(agent, key),
            // `reindex` would skip it (keyless, works nowhere) or find its one key `None`
            // again and mark it keyless: either way it ends keyless with nothing written.
            First::Keyless => self.agents[agent.index()].keyless = super::state::Keyless(true),
            First::Route => self.reindex(agent),
        }
        self.route_agent(now, agent, out);
    }

    /// What [`route_agent`](Self::route_agent) would offer `agent` first, when that is known
    /// without keying it: the engine has no assignment rules and records no decisions, the
    /// agent is in one queue only and holds no key there (so its index does not hold it), the
    /// queue is a push queue without skills whose method is not round robin, and the agent's
    /// fresh key is smaller than every key the index holds and the agent may be offered the
    /// queue's oldest offerable conversation (RT-METHOD's refusal skip): [`First::Invite`].
    /// With the same engine and agent (one queue, no key there), [`First::Keyless`] when it
    /// takes no work there, else, in a queue without skills, [`First::Key`] with its fresh key
    /// when it is not invited first. [`First::Route`] otherwise: the caller re-keys the agent
    /// ([`reindex`](Self::reindex)) and routes as usual.
    #[inline]
    fn offered_first(&self, agent: AgentId) -> First {
        if self.has_rules || self.decisions.on {
            return First::Route;
        }
        let a = &self.agents[agent.index()];
        if a.places.len() != 1 || a.places[0].key.is_some() {
            return First::Route;
        }
        let Some(want) = self.index_key(agent, 0) else {
            return First::Keyless;
        };
        let q = &self.queues[a.places[0].queue.index()];
        if q.skills.is_some() {
            return First::Route;
        }
        if q.method == AssignmentMethod::RoundRobin
            || self.workstreams[q.workstream.index()].mode != RoutingMode::Push
        {
            return First::Key(want);
        }
        let Some((_, slot)) = q.offerable.first() else {
            return First::Key(want);
        };
        if q.index.min_key().is_some_and(|k| k < want) {
            return First::Key(want);
        }
        match self.convs.by_slot(slot) {
            Some((conv, c))
                if c.refusals.is_empty()
                    || c.refusals_by(agent) < self.cfg.refusals_before_skip =>
            {
                First::Invite(conv)
            }
            _ => First::Key(want),
        }
    }

    /// Writes `key`, the fresh key [`offered_first`](Self::offered_first) computed, as the
    /// agent's key in its only queue (one without skills, in an engine without assignment
    /// rules, where it held none): what [`reindex`](Self::reindex) does there (the place's key,
    /// the queue's index, the agent no longer keyless), without computing the key again or
    /// walking the agent's places.
    #[inline]
    fn key_only_place(&mut self, agent: AgentId, key: IndexKey) {
        #[cfg(test)]
        {
            self.scratch.keyed_lean += 1;
        }
        let a = &mut self.agents[agent.index()];
        a.keyless = super::state::Keyless(false);
        let place = &mut a.places[0];
        place.key = Some(key);
        let (q, pos) = (place.queue, place.member_pos);
        self.queues[q.index()].index.set(pos as usize, Some(key));
    }

    /// Re-keys the agent in every routing index it is in: its queues' (and their profile
    /// groups'), and with assignment rules every rule cell ([`reindex_ruled`](Self::reindex_ruled)).
    /// Skipped when the agent was [`Keyless`](super::state::Keyless) and still takes no work
    /// anywhere ([`works_nowhere`](Self::works_nowhere)): every key would come out `None` again
    /// (an acceptance that leaves the agent full, say: one re-keying in three of an M/M/c
    /// conversation). The skip is tested first, for every engine, so that a caller into which
    /// this inlines pays no call for it ([`rekey`](Self::rekey) does the rest).
    #[inline]
    pub(crate) fn reindex(&mut self, agent: AgentId) {
        let a = &self.agents[agent.index()];
        if a.keyless.0 && self.works_nowhere(a) {
            return;
        }
        self.rekey(agent);
    }

    /// [`reindex`](Self::reindex) of an agent not skipped.
    fn rekey(&mut self, agent: AgentId) {
        if self.has_rules {
            self.reindex_ruled(agent);
            return;
        }
        let mut keyless = true;
        for slot in 0..self.agents[agent.index()].places.len() {
            keyless &= self.reindex_slot(agent, slot);
        }
        self.agents[agent.index()].keyless = super::state::Keyless(keyless);
    }

    /// Re-keys the agent in the routing index of its `slot`-th queue (and of its profile group
    /// there, unless the queue has assignment rules). Returns whether its key there is `None`.
    #[inline(always)]
    fn reindex_slot(&mut self, agent: AgentId, slot: usize) -> bool {
        let want = self.index_key(agent, slot);
        let a = &mut self.agents[agent.index()];
        let place = &mut a.places[slot];
        if want != place.key {
            place.key = want;
            let Place {
                queue: q,
                member_pos: pos,
                group: g,
                group_pos: gp,
                ..
            } = *place;
            let queue = &mut self.queues[q.index()];
            queue.index.set(pos as usize, want);
            // A queue with assignment rules chooses from the rules' cells, so its profile
            // groups keep no index of their own.
            if let Some(qs) = queue.skills.as_mut().filter(|qs| qs.rules.is_empty()) {
                qs.groups[g as usize].index.set(gp as usize, want);
            }
        }
        want.is_none()
    }

    /// [`reindex`](Self::reindex) in an engine with assignment rules, where an agent has a key
    /// in every rule cell of each of its queues besides the queue's own (both written in one
    /// pass per place, [`reindex_place_ruled`](Self::reindex_place_ruled)).
    fn reindex_ruled(&mut self, agent: AgentId) {
        let mut keyless = true;
        for slot in 0..self.agents[agent.index()].places.len() {
            keyless &= self.reindex_place_ruled(agent, slot);
        }
        self.agents[agent.index()].keyless = super::state::Keyless(keyless);
    }

    /// Whether `a` takes no automatic work in any queue, whatever the queue: stopped by hand
    /// (PR-MANUAL), an invitation pending with no pick work stream, or fewer units free than
    /// any work stream asks. Implies that [`takes_work`] is false for every work stream and
    /// presence list, so every key of the agent is `None`.
    #[inline]
    fn works_nowhere(&self, a: &Agent) -> bool {
        Engine::stops_work(a.presence)
            || (a.pending > 0 && !self.any_pick)
            || a.free() < self.min_units as i64
    }

    /// Records each member's position in the queue's member list (its routing-index leaf).
    pub(crate) fn place_members(&mut self, queue: QueueId) {
        for (p, m) in self.queues[queue.index()].members.iter().enumerate() {
            let a = &mut self.agents[m.index()];
            let slot = a.slot_of(queue).expect("a member lists its queue");
            a.places[slot].member_pos = p as u32;
            // Its keys in this queue are rewritten from here on, not by `reindex`.
            a.keyless = super::state::Keyless(false);
        }
    }

    /// Rebuilds a queue's routing index from its members' current keys (members changed, so
    /// their positions did).
    pub(crate) fn rebuild_index(&mut self, queue: QueueId) {
        self.place_members(queue);
        let q = &self.queues[queue.index()];
        let agents = &self.agents;
        let keys: Vec<Option<IndexKey>> = q
            .members
            .iter()
            .map(|m| {
                let a = &agents[m.index()];
                a.slot_of(queue).and_then(|s| a.places[s].key)
            })
            .collect();
        self.queues[queue.index()].index.rebuild(keys.into_iter());
        self.rebuild_groups(queue);
        // Other members, so other conversations no member may be offered.
        self.refresh_offerable(queue);
    }

    /// RT-METHOD: the agent the queue's method prefers for `conv`, skipping agents that refused it
    /// `refusals_before_skip` times.
    pub(crate) fn choose_agent(&self, queue: QueueId, conv: ConvId) -> Option<AgentId> {
        let q = &self.queues[queue.index()];
        let c = self.convs.get(conv)?;
        let skip = self.cfg.refusals_before_skip;
        let ok = |agent: u32| c.refusals.is_empty() || c.refusals_by(AgentId(agent)) < skip;
        if q.method == AssignmentMethod::RoundRobin {
            // A cyclic pointer over member positions: the first eligible after the last chosen.
            let start = q.rr_last.wrapping_add(1);
            let from = q.members.partition_point(|m| (m.0 as u64) < start);
            return q
                .index
                .first_from(from, ok)
                .or_else(|| q.index.first_from(0, ok))
                .map(AgentId);
        }
        q.index.first_ok(ok).map(AgentId)
    }

    /// RT-ORDER within a queue: offers its routable conversations, oldest first, while eligible
    /// agents remain. Conversations every eligible agent has refused too often are passed over.
    pub(crate) fn route_queue(&mut self, now: SimTime, queue: QueueId, out: &mut Vec<Effect>) {
        let mode = self.queue_rules(queue).mode;
        if mode == RoutingMode::Pick {
            if !self.queues[queue.index()].routable.is_empty() {
                out.push(Effect::PickAvailable { queue });
            }
            return;
        }
        if self.queues[queue.index()].skills.is_some() {
            self.route_skill_queue(now, queue, out);
            return;
        }
        let mut cursor: Option<(u64, u32)> = None;
        loop {
            let q = &self.queues[queue.index()];
            if q.index.is_empty() {
                return;
            }
            // Conversations every member refused too often are not even looked at.
            let next = match cursor {
                None => q.offerable.first(),
                Some(c) => q.offerable.first_after(c),
            };
            let Some(key) = next else { return };
            let conv = self.handle(key.1);
            match self.choose_agent(queue, conv) {
                Some(agent) => self.invite(now, conv, agent, Offer::Method, out),
                None => cursor = Some(key),
            }
        }
    }

    /// RT-TRIGGER for an agent: routes each of its queues, in priority order and, among equal
    /// priorities, the queue with the oldest waiting conversation first.
    pub(crate) fn route_agent(&mut self, now: SimTime, agent: AgentId, out: &mut Vec<Effect>) {
        let n = self.agents[agent.index()].places.len();
        if n == 1 {
            let q = self.agents[agent.index()].places[0].queue;
            self.route_queue(now, q, out);
            return;
        }
        // The order is fixed before any queue is routed. On the stack for agents of up to
        // QUEUES_ON_STACK queues (this runs at every acceptance and release).
        let key = |e: &Engine, q: QueueId| {
            let qs = &e.queues[q.index()];
            let head = qs.routable.first().map_or(u64::MAX, |k| k.0);
            (qs.priority, head, q)
        };
        if n <= QUEUES_ON_STACK {
            let mut order = [(0u32, 0u64, QueueId(0)); QUEUES_ON_STACK];
            let mut len = 0;
            for s in 0..n {
                let t = key(self, self.agents[agent.index()].places[s].queue);
                if t.1 != u64::MAX {
                    order[len] = t;
                    len += 1;
                }
            }
            order[..len].sort_unstable();
            for &(_, _, q) in &order[..len] {
                self.route_queue(now, q, out);
            }
            return;
        }
        let mut order: Vec<(u32, u64, QueueId)> = self.agents[agent.index()]
            .queues()
            .map(|q| key(self, q))
            .filter(|t| t.1 != u64::MAX)
            .collect();
        order.sort_unstable();
        for (_, _, q) in order {
            self.route_queue(now, q, out);
        }
    }

    /// Sends an invitation (RT-INVITE or ASSIGN-INVITE). The conversation leaves the routable set.
    pub(crate) fn invite(
        &mut self,
        now: SimTime,
        conv: ConvId,
        agent: AgentId,
        by: Offer,
        out: &mut Vec<Effect>,
    ) {
        self.invite_from(now, conv, agent, by, true, out);
    }

    /// [`invite`](Self::invite); `routable: false` for a conversation known not to be in its
    /// queue's routable set (an arrival offered directly), which then skips the removal that
    /// cannot hit.
    #[inline]
    pub(crate) fn invite_from(
        &mut self,
        _now: SimTime,
        conv: ConvId,
        agent: AgentId,
        by: Offer,
        routable: bool,
        out: &mut Vec<Effect>,
    ) {
        let id = InviteId(self.next_invite);
        self.next_invite += 1;
        let c = self.convs.get(conv).expect("invite a live conversation");
        let queue = c.queue;
        let by_supervisor = by == Offer::Supervisor;
        let rule = match by {
            Offer::Rule(r) => Some(r),
            _ => None,
        };
        if self.decisions.on && !by_supervisor {
            self.record_decision(conv, agent, queue, rule, out.len());
        }
        let offered_ok = match rule {
            Some(r) => self.rule_offer_ok(agent, conv, r),
            None => self.eligible(agent, queue) && self.skill_ok(agent, conv),
        };
        if !by_supervisor && !offered_ok {
            self.counters.ineligible_offers += 1;
        }
        let units = self.queue_rules(queue).capacity_units;
        let inv = Invite {
            id,
            agent,
            by_supervisor,
            reserves: self.cfg.reserve_on_invite,
            units,
            rule,
        };
        let c = self.convs.get_mut(conv).expect("live");
        debug_assert_eq!(c.state, ConvState::Open);
        c.invite = Some(inv);
        if routable {
            let (key, req) = (c.key(conv.slot), c.tag());
            self.routable_remove(queue, &key, req);
        }
        let q = &mut self.queues[queue.index()];
        if !by_supervisor && q.method == AssignmentMethod::RoundRobin {
            q.rr_last = agent.0 as u64;
        }
        let a = &mut self.agents[agent.index()];
        a.pending += 1;
        a.reserved += inv.reserved() as i64;
        a.pending_units += inv.unreserved() as i64;
        out.push(Effect::Invited {
            conv,
            agent,
            invite: id,
            by_supervisor,
        });
        self.refresh_presence(agent, out);
        #[cfg(test)]
        if self.scratch.key_first {
            self.reindex(agent);
            return;
        }
        // Pending now, and no pick work stream: the agent takes no work anywhere.
        match self.has_rules || self.any_pick {
            true => self.reindex(agent),
            false => self.unkey_invited(agent),
        }
    }

    /// [`reindex`](Self::reindex) of an agent just invited, in an engine without assignment
    /// rules or pick work streams: its invitation pending, every key of it is `None`
    /// ([`works_nowhere`](Self::works_nowhere)), so the keys it held are taken out of its
    /// queues' indexes (and their profile groups') and it is keyless, as `reindex` leaves it,
    /// without computing a key (issue 28: each arrival offered to an idle agent). A keyless
    /// agent holds no key: `reindex` skips it, and so does this.
    #[inline]
    fn unkey_invited(&mut self, agent: AgentId) {
        let a = &mut self.agents[agent.index()];
        if a.keyless.0 {
            return;
        }
        a.keyless = super::state::Keyless(true);
        for place in a.places.iter_mut() {
            if place.key.take().is_none() {
                continue;
            }
            #[cfg(test)]
            {
                self.scratch.unkeyed_lean += 1;
            }
            let queue = &mut self.queues[place.queue.index()];
            queue.index.set(place.member_pos as usize, None);
            if let Some(qs) = queue.skills.as_mut().filter(|qs| qs.rules.is_empty()) {
                qs.groups[place.group as usize]
                    .index
                    .set(place.group_pos as usize, None);
            }
        }
    }

    /// Clears a pending invitation without counting a refusal; the conversation becomes
    /// routable again if still Open. Returns the agent it was for (`None`: no invitation was
    /// pending, nothing changed).
    ///
    /// Inlined: most callers find none (every close of an answered conversation), and that
    /// answer costs a look-up instead of a call ([`withdraw_pending`](Self::withdraw_pending)
    /// does the rest).
    #[inline]
    pub(crate) fn withdraw_invite(
        &mut self,
        conv: ConvId,
        out: &mut Vec<Effect>,
    ) -> Option<AgentId> {
        self.convs.get(conv)?.invite?;
        self.withdraw_pending(conv, out)
    }

    /// [`withdraw_invite`](Self::withdraw_invite) of a conversation with an invitation pending.
    fn withdraw_pending(&mut self, conv: ConvId, out: &mut Vec<Effect>) -> Option<AgentId> {
        let c = self.convs.get_mut(conv)?;
        let inv = c.invite.take()?;
        let (key, req) = (c.key(conv.slot), c.tag());
        let queue = c.queue;
        if c.state == ConvState::Open {
            self.routable_insert(queue, key, req);
        }
        let a = &mut self.agents[inv.agent.index()];
        a.pending -= 1;
        a.reserved -= inv.reserved() as i64;
        a.pending_units -= inv.unreserved() as i64;
        out.push(Effect::InviteWithdrawn {
            conv,
            agent: inv.agent,
            invite: inv.id,
        });
        self.refresh_agent(inv.agent, out);
        Some(inv.agent)
    }

    /// Withdraws every invitation pending for `agent` (it went Away or Offline) and reroutes.
    pub(crate) fn withdraw_agent_invites(
        &mut self,
        now: SimTime,
        agent: AgentId,
        out: &mut Vec<Effect>,
    ) {
        if self.agents[agent.index()].pending == 0 {
            return;
        }
        let mine: Vec<ConvId> = self
            .convs
            .iter()
            .filter(|(_, c)| c.invite.is_some_and(|i| i.agent == agent))
            .map(|(id, _)| id)
            .collect();
        for conv in mine {
            let queue = self.convs.get(conv).map(|c| c.queue);
            self.withdraw_invite(conv, out);
            if let Some(q) = queue {
                self.route_queue(now, q, out);
            }
        }
    }

    /// Whether a presence is one an agent sets by hand to stop work (PR-MANUAL: such an agent
    /// gets no automatic work, whatever a presence list allows; PR-AUTO never sets it).
    #[inline]
    pub(crate) fn stops_work(p: Presence) -> bool {
        matches!(p, Presence::Away | Presence::Offline)
    }
}

#[cfg(test)]
mod tests;
