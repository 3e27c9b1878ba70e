//! Conversation lifecycle and agent commands: arrive, accept, reject, time out, pick, end, close,
//! Waiting, release, abandon, auto-close, presence, queue membership (LC-*, CAP-*, PR-*).

use crate::model::{AgentId, ConvState, Presence, QueueId, RoutingMode, WrapUpBlock};
use crate::time::SimTime;

use super::effect::{CloseReason, Effect, InviteId};
use super::routing::Offer;
use super::rules::RuleId;
use super::ruleset::AttrId;
use super::skills::ReqId;
use super::state::{Conv, ConvId};
use super::{Engine, Outcome};

impl Engine {
    /// A conversation arrives in `queue` (Open) and routing runs (RT-TRIGGER).
    pub fn arrive(&mut self, now: SimTime, queue: QueueId, out: &mut Vec<Effect>) -> ConvId {
        self.arrive_with(now, queue, ReqId(0), out)
    }

    /// A conversation requiring the skills `req` (from [`requirement`](Self::requirement))
    /// arrives in `queue` (Open) and routing runs (RT-TRIGGER). A requirement no member of the
    /// queue can ever meet under exact matching is reported as [`Effect::Unmatched`] (RT-SKILL);
    /// the conversation stays queued.
    pub fn arrive_with(
        &mut self,
        now: SimTime,
        queue: QueueId,
        req: ReqId,
        out: &mut Vec<Effect>,
    ) -> ConvId {
        self.arrive_tagged(now, queue, req, AttrId(0), out)
    }

    /// As [`arrive_with`](Self::arrive_with), for a conversation with the attribute set `attrs`
    /// (from [`attributes`](Self::attributes)): a queue with prioritization rules puts it in
    /// the bucket of the first rule its attributes meet (RT-PRIORITIZE).
    pub fn arrive_tagged(
        &mut self,
        now: SimTime,
        queue: QueueId,
        req: ReqId,
        attrs: AttrId,
        out: &mut Vec<Effect>,
    ) -> ConvId {
        self.tally.0 += 1;
        self.counters.arrived += 1;
        let seq = self.next_seq;
        self.next_seq += 1;
        let (req, attrs) = match self.skills.as_ref() {
            Some(s) => (
                if s.enabled { req } else { ReqId(0) },
                if s.prioritized { attrs } else { AttrId(0) },
            ),
            None => (ReqId(0), AttrId(0)),
        };
        let (conv, record) = self.convs.vacant();
        *record = Some(Conv::arrived(seq, queue, now, req, attrs));
        let push = self.queue_rules(queue).mode == RoutingMode::Push;
        let q = &mut self.queues[queue.index()];
        q.open.insert((seq, conv.slot));
        out.push(Effect::Arrived { conv, queue });
        if q.skills.is_some() {
            self.arrive_skilled(now, queue, conv, ((seq, conv.slot), (req, attrs)), out);
            return conv;
        }
        if push && q.routable.is_empty() {
            // Fast path, same decisions as `route_queue`: with nothing older waiting, routing
            // would offer this conversation first, so offer it directly and touch the routable
            // set only if nobody takes it (then nobody can take anything else either).
            match self.choose_agent(queue, conv) {
                Some(agent) => self.invite_from(now, conv, agent, Offer::Method, false, out),
                None => {
                    let q = &mut self.queues[queue.index()];
                    q.routable.insert((seq, conv.slot));
                    q.offerable.insert((seq, conv.slot));
                }
            }
            return conv;
        }
        // Never refused yet, so offerable too (`engine::offerable`).
        q.routable.insert((seq, conv.slot));
        q.offerable.insert((seq, conv.slot));
        self.route_queue(now, queue, out);
        conv
    }

    /// The invited agent accepts: Open → Active (LC-OPEN-ACTIVE); units are held (CAP-HOLD).
    pub fn accept(
        &mut self,
        now: SimTime,
        conv: ConvId,
        invite: InviteId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let c = self.conv(conv)?;
        let inv = match c.invite {
            Some(i) if i.id == invite && c.state == ConvState::Open => i,
            _ => return Err(RuleId::LcOpenActive),
        };
        let c = self.convs.get_mut(conv).expect("checked");
        c.invite = None;
        let queue = c.queue;
        let a = &mut self.agents[inv.agent.index()];
        a.pending -= 1;
        a.reserved -= inv.reserved() as i64;
        a.pending_units -= inv.unreserved() as i64;
        if let Some(rule) = inv.rule {
            out.push(Effect::AssignedByRule { conv, queue, rule });
        }
        self.start_active(now, conv, inv.agent, false, out);
        // RT-TRIGGER: its invitation answered (and its presence perhaps changed), the agent
        // may take more of what is waiting.
        self.refresh_route(now, inv.agent, out);
        Ok(())
    }

    /// Open → Active for `agent` (after accept or pick): takes units, updates rotations. The
    /// caller refreshes the agent ([`refresh_agent`](Self::refresh_agent), or
    /// [`refresh_route`](Self::refresh_route) when it routes the agent next).
    /// `routable`: the conversation is in its queue's routable set (picked, not invited).
    fn start_active(
        &mut self,
        now: SimTime,
        conv: ConvId,
        agent: AgentId,
        routable: bool,
        out: &mut Vec<Effect>,
    ) {
        let units = self
            .queue_rules(self.convs.get(conv).expect("live").queue)
            .capacity_units;
        let c = self.convs.get_mut(conv).expect("live");
        let (key, req) = (c.key(conv.slot), c.tag());
        let queue = c.queue;
        c.state = ConvState::Active;
        c.primary = Some(agent);
        c.held = units;
        let first = c.answered_at.is_none();
        if first {
            c.answered_at = Some(now);
        }
        let waited = now.since(c.arrived_at);
        if routable {
            self.routable_remove(queue, &key, req);
        }
        let q = &mut self.queues[queue.index()];
        q.open.remove(&key);
        q.engaged.insert(key);
        q.turns += 1;
        let turn = q.turns;
        let a = &mut self.agents[agent.index()];
        a.holding += 1;
        a.last_assign = Some(now);
        if let Some(slot) = a.slot_of(queue) {
            a.queue_turn[slot] = turn;
        }
        out.push(Effect::StateChanged {
            conv,
            from: ConvState::Open,
            to: ConvState::Active,
        });
        out.push(Effect::Accepted {
            conv,
            agent,
            first,
            waited,
        });
        self.change_units(agent, units as i64, now, out);
    }

    /// Adds `delta` units to an agent's use, reporting the change and any overallocation.
    /// Inlined: a call cost about 20 instructions of frame for about 30 of work, twice an
    /// M/M/c conversation (issue 28).
    #[inline]
    pub(crate) fn change_units(
        &mut self,
        agent: AgentId,
        delta: i64,
        now: SimTime,
        out: &mut Vec<Effect>,
    ) {
        if delta == 0 {
            return;
        }
        let a = &mut self.agents[agent.index()];
        let before = a.used;
        a.used += delta;
        if delta < 0 {
            a.last_release = Some(now);
        }
        out.push(Effect::Units {
            agent,
            before,
            after: a.used,
            capacity: a.capacity,
        });
        if delta > 0 && a.used > a.capacity as i64 {
            out.push(Effect::Overallocated {
                agent,
                over: (a.used - a.capacity as i64) as u32,
            });
        }
    }

    /// The invited agent rejects (RT-INVITE): a refusal; the conversation is routed again.
    pub fn reject(
        &mut self,
        now: SimTime,
        conv: ConvId,
        invite: InviteId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.refuse(now, conv, invite, false, out)
    }

    /// The invitation timed out (`notification_timeout`): a refusal, as a rejection.
    pub fn timeout(
        &mut self,
        now: SimTime,
        conv: ConvId,
        invite: InviteId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.refuse(now, conv, invite, true, out)
    }

    fn refuse(
        &mut self,
        now: SimTime,
        conv: ConvId,
        invite: InviteId,
        timed_out: bool,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let c = self.conv(conv)?;
        let Some(inv) = c.invite.filter(|i| i.id == invite) else {
            return Err(RuleId::RtInvite);
        };
        let queue = c.queue;
        let c = self.convs.get_mut(conv).expect("checked");
        match c.refusals.iter_mut().find(|(a, _)| *a == inv.agent) {
            Some((_, n)) => *n += 1,
            None => c.refusals.push((inv.agent, 1)),
        }
        out.push(Effect::Refusal {
            conv,
            agent: inv.agent,
            timed_out,
        });
        self.withdraw_invite(conv, out);
        self.route_queue(now, queue, out);
        self.route_agent(now, inv.agent, out);
        Ok(())
    }

    /// Pick mode (RT-PICK): the agent takes the oldest eligible conversation of its pick queues,
    /// in queue priority order. Refused with PR-ALLOWED (presence), CAP-UNITS (free units) or
    /// RT-PICK (nothing to pick). Returns the conversation taken.
    pub fn pick(
        &mut self,
        now: SimTime,
        agent: AgentId,
        out: &mut Vec<Effect>,
    ) -> Result<ConvId, RuleId> {
        self.tally.0 += 1;
        let a = &self.agents[agent.index()];
        let mut reason = RuleId::RtPick;
        let mut best: Option<(u32, u64, u32)> = None;
        for q in a.queues() {
            let ws = self.queue_rules(q);
            if ws.mode != RoutingMode::Pick {
                continue;
            }
            if !ws.allowed_presences.contains(a.presence) {
                if reason == RuleId::RtPick {
                    reason = RuleId::PrAllowed;
                }
                continue;
            }
            if a.free() < ws.capacity_units as i64 {
                if reason != RuleId::PrAllowed {
                    reason = RuleId::CapUnits;
                }
                continue;
            }
            let qs = &self.queues[q.index()];
            if let Some((seq, slot)) = self.pick_in(agent, q) {
                let cand = (qs.priority, seq, slot);
                if best.is_none_or(|b| cand < b) {
                    best = Some(cand);
                }
            }
        }
        let Some((_, _, slot)) = best else {
            return Err(reason);
        };
        let conv = self.handle(slot);
        self.start_active(now, conv, agent, true, out);
        self.refresh_agent(agent, out);
        Ok(conv)
    }

    /// The conversation ends (customer or agent): Active → Wrap-up (LC-ACTIVE). Units stay held
    /// unless the work stream's `block_capacity_for_wrap_up` is `never` (CAP-HOLD).
    pub fn end(&mut self, now: SimTime, conv: ConvId, out: &mut Vec<Effect>) -> Outcome {
        self.tally.0 += 1;
        let c = self.conv(conv)?;
        if c.state != ConvState::Active {
            return Err(RuleId::LcActive);
        }
        let block = self.queue_rules(c.queue).block_capacity_for_wrap_up;
        let c = self.convs.get_mut(conv).expect("checked");
        c.state = ConvState::WrapUp;
        out.push(Effect::StateChanged {
            conv,
            from: ConvState::Active,
            to: ConvState::WrapUp,
        });
        if block == WrapUpBlock::Never {
            self.release_held(now, conv, out);
        }
        Ok(())
    }

    /// A timed wrap-up block ran out (`block_capacity_for_wrap_up = <duration>`): units are freed.
    /// Refused with CAP-HOLD unless the conversation is in Wrap-up on a work stream with a timed
    /// block (`always` holds the units until close; `never` freed them at the end).
    pub fn release_wrap_up(
        &mut self,
        now: SimTime,
        conv: ConvId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let c = self.conv(conv)?;
        let timed = matches!(
            self.queue_rules(c.queue).block_capacity_for_wrap_up,
            WrapUpBlock::For(_)
        );
        if c.state != ConvState::WrapUp || !timed {
            return Err(RuleId::CapHold);
        }
        self.release_held(now, conv, out);
        Ok(())
    }

    /// Frees the units a conversation holds on its primary agent and reroutes that agent.
    fn release_held(&mut self, now: SimTime, conv: ConvId, out: &mut Vec<Effect>) {
        let c = self.convs.get_mut(conv).expect("live");
        let held = c.held;
        c.held = 0;
        if let (Some(agent), true) = (c.primary, held > 0) {
            self.change_units(agent, -(held as i64), now, out);
            self.refresh_route(now, agent, out);
        }
    }

    /// The agent closes after wrap-up: Wrap-up → Closed (LC-WRAPUP).
    pub fn close(&mut self, now: SimTime, conv: ConvId, out: &mut Vec<Effect>) -> Outcome {
        self.tally.0 += 1;
        if self.conv(conv)?.state != ConvState::WrapUp {
            return Err(RuleId::LcWrapup);
        }
        self.finish(now, conv, CloseReason::Completed, out);
        Ok(())
    }

    /// Active → Waiting, persistent channels only (LC-WAITING); no units held while Waiting.
    pub fn set_waiting(&mut self, now: SimTime, conv: ConvId, out: &mut Vec<Effect>) -> Outcome {
        self.tally.0 += 1;
        let c = self.conv(conv)?;
        if !self.queue_rules(c.queue).channel.allows_waiting() {
            return Err(RuleId::LcWaiting);
        }
        if c.state != ConvState::Active {
            return Err(RuleId::LcActive);
        }
        self.convs.get_mut(conv).expect("checked").state = ConvState::Waiting;
        out.push(Effect::StateChanged {
            conv,
            from: ConvState::Active,
            to: ConvState::Waiting,
        });
        self.release_held(now, conv, out);
        Ok(())
    }

    /// The agent resumes a Waiting conversation: Waiting → Active (LC-WAITING). Needs free units
    /// (CAP-UNITS).
    pub fn resume(&mut self, now: SimTime, conv: ConvId, out: &mut Vec<Effect>) -> Outcome {
        self.tally.0 += 1;
        let c = self.conv(conv)?;
        if c.state != ConvState::Waiting {
            return Err(RuleId::LcWaiting);
        }
        let units = self.queue_rules(c.queue).capacity_units;
        let agent = c.primary.expect("Waiting has a primary agent");
        if self.agents[agent.index()].free() < units as i64 {
            return Err(RuleId::CapUnits);
        }
        let c = self.convs.get_mut(conv).expect("checked");
        c.state = ConvState::Active;
        c.held = units;
        out.push(Effect::StateChanged {
            conv,
            from: ConvState::Waiting,
            to: ConvState::Active,
        });
        self.change_units(agent, units as i64, now, out);
        self.refresh_agent(agent, out);
        Ok(())
    }

    /// The customer comes back to a Waiting conversation: Waiting → Open, routed again (LC-WAITING).
    pub fn customer_return(
        &mut self,
        now: SimTime,
        conv: ConvId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let c = self.conv(conv)?;
        if c.state != ConvState::Waiting {
            return Err(RuleId::LcWaiting);
        }
        let queue = c.queue;
        self.back_to_open(now, conv, queue, out);
        Ok(())
    }

    /// The agent releases an Active conversation back to its queue: Active → Open (LC-ACTIVE).
    pub fn release(&mut self, now: SimTime, conv: ConvId, out: &mut Vec<Effect>) -> Outcome {
        self.tally.0 += 1;
        if self.conv(conv)?.state != ConvState::Active {
            return Err(RuleId::LcActive);
        }
        let queue = self.conv(conv)?.queue;
        self.back_to_open(now, conv, queue, out);
        Ok(())
    }

    /// At the end of handling, the agent transfers an Active conversation to another queue of
    /// the same channel: Active → Open there (LC-ACTIVE; ASSIGN-QUEUE-SAME for the same queue or
    /// another channel). No wrap-up: the agent's units are freed at once.
    pub fn transfer_to_queue(
        &mut self,
        now: SimTime,
        conv: ConvId,
        target: QueueId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let c = self.conv(conv)?;
        if c.state != ConvState::Active {
            return Err(RuleId::LcActive);
        }
        if target.index() >= self.queues.len()
            || target == c.queue
            || self.queue_rules(target).channel != self.queue_rules(c.queue).channel
        {
            return Err(RuleId::AssignQueueSame);
        }
        self.back_to_open(now, conv, target, out);
        Ok(())
    }

    /// Active or Waiting → Open in `to` (its own queue, or another for a transfer): the primary
    /// agent lets go, the conversation is routed again.
    fn back_to_open(&mut self, now: SimTime, conv: ConvId, to: QueueId, out: &mut Vec<Effect>) {
        let c = self.convs.get_mut(conv).expect("live");
        let from = c.state;
        let held = c.held;
        let agent = c.primary.take().expect("Active or Waiting has a primary");
        c.held = 0;
        c.state = ConvState::Open;
        let (key, req) = (c.key(conv.slot), c.tag());
        let old = c.queue;
        if to != old {
            c.queue = to;
            c.refusals.clear();
        }
        let queue = to;
        self.queues[old.index()].engaged.remove(&key);
        let q = &mut self.queues[queue.index()];
        q.open.insert(key);
        self.routable_insert(queue, key, req);
        self.agents[agent.index()].holding -= 1;
        out.push(Effect::StateChanged {
            conv,
            from,
            to: ConvState::Open,
        });
        self.change_units(agent, -(held as i64), now, out);
        self.refresh_agent(agent, out);
        self.route_queue(now, queue, out);
        self.route_agent(now, agent, out);
    }

    /// The customer leaves while Open (patience): Open → Closed, abandoned (LC-ABANDON).
    pub fn abandon(&mut self, now: SimTime, conv: ConvId, out: &mut Vec<Effect>) -> Outcome {
        self.tally.0 += 1;
        if self.conv(conv)?.state != ConvState::Open {
            return Err(RuleId::LcAbandon);
        }
        self.finish(now, conv, CloseReason::Abandoned, out);
        Ok(())
    }

    /// An auto-close timer fired: Open (LC-ABANDON), Waiting (LC-WAITING) or Wrap-up (LC-WRAPUP)
    /// → Closed. Active conversations never auto-close (LC-ACTIVE). An Open conversation that
    /// auto-closes is counted as abandoned (LC-ABANDON), so its reason is `Abandoned`.
    pub fn auto_close(&mut self, now: SimTime, conv: ConvId, out: &mut Vec<Effect>) -> Outcome {
        self.tally.0 += 1;
        let reason = match self.conv(conv)?.state {
            ConvState::Active => return Err(RuleId::LcActive),
            ConvState::Open => CloseReason::Abandoned,
            _ => CloseReason::AutoClosed,
        };
        self.finish(now, conv, reason, out);
        Ok(())
    }

    /// Closes a live conversation from any state: withdraws its invitation, frees its units,
    /// removes it from every set and from the slab.
    pub(crate) fn finish(
        &mut self,
        now: SimTime,
        conv: ConvId,
        reason: CloseReason,
        out: &mut Vec<Effect>,
    ) {
        let invited = self.withdraw_invite(conv, out);
        let c = self.convs.get(conv).expect("live");
        let (key, queue, state, primary, held) =
            (c.key(conv.slot), c.queue, c.state, c.primary, c.held);
        let (answered, arrived_at, req) = (c.answered_at.is_some(), c.arrived_at, c.tag());
        self.convs.remove(conv);
        if state == ConvState::Open {
            // Open with no invitation (just withdrawn) is exactly what the routable set holds.
            self.routable_remove(queue, &key, req);
        }
        let q = &mut self.queues[queue.index()];
        q.open.remove(&key);
        q.engaged.remove(&key);
        self.counters.closed += 1;
        // A live conversation is never in state Closed: it leaves the slab as it closes.
        out.push(Effect::StateChanged {
            conv,
            from: state,
            to: ConvState::Closed,
        });
        out.push(Effect::Closed {
            conv,
            queue,
            reason,
            answered,
            arrived_at,
        });
        if let Some(agent) = primary {
            self.agents[agent.index()].holding -= 1;
            if held > 0 {
                self.change_units(agent, -(held as i64), now, out);
            }
            self.refresh_route(now, agent, out);
        }
        if let Some(agent) = invited {
            self.route_agent(now, agent, out);
        }
    }

    /// Sets an agent's presence by hand (`Some`, PR-MANUAL) or returns it to following capacity
    /// (`None`, PR-AUTO). Away or Offline withdraws its pending invitations. Routing runs.
    pub fn set_presence(
        &mut self,
        now: SimTime,
        agent: AgentId,
        presence: Option<Presence>,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        self.agents[agent.index()].manual = presence;
        self.refresh_agent(agent, out);
        if presence.is_some_and(Engine::stops_work) {
            self.withdraw_agent_invites(now, agent, out);
        } else {
            self.route_agent(now, agent, out);
        }
        Ok(())
    }

    /// The agent joins a queue; routing runs (RT-TRIGGER). Joining twice is a no-op.
    pub fn join_queue(
        &mut self,
        now: SimTime,
        agent: AgentId,
        queue: QueueId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        if self.agents[agent.index()].slot_of(queue).is_some() {
            return Ok(());
        }
        let prio = self.queues[queue.index()].priority;
        let a = &mut self.agents[agent.index()];
        let pos = a
            .queues()
            .position(|q| (self.queues[q.index()].priority, q.0) > (prio, queue.0))
            .unwrap_or(a.places.len());
        a.places.insert(pos, super::state::Place::new(queue));
        a.index_slots();
        a.queue_turn.insert(pos, 0);
        a.keyless = super::state::Keyless(false);
        let members = &mut self.queues[queue.index()].members;
        let at = members.partition_point(|m| *m < agent);
        members.insert(at, agent);
        self.rebuild_index(queue);
        self.refresh_agent(agent, out);
        self.route_agent(now, agent, out);
        Ok(())
    }

    /// The agent leaves a queue; what it holds stays with it. Leaving a queue it is not in is a no-op.
    pub fn leave_queue(
        &mut self,
        _now: SimTime,
        agent: AgentId,
        queue: QueueId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let Some(slot) = self.agents[agent.index()].slot_of(queue) else {
            return Ok(());
        };
        let a = &mut self.agents[agent.index()];
        a.places.remove(slot);
        a.index_slots();
        a.queue_turn.remove(slot);
        a.keyless = super::state::Keyless(false);
        self.queues[queue.index()].members.retain(|m| *m != agent);
        self.rebuild_index(queue);
        self.refresh_agent(agent, out);
        Ok(())
    }
}
