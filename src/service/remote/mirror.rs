//! [`Mirror`]: the read views of a remote engine, rebuilt from what it reported. It starts
//! from the setup (agents' capacities and presences, queue memberships, the rules in force) and
//! changes only through the remote's effects (and, for what no effect reports, the accepted
//! commands that caused them: manual presence, queue membership). It decides nothing: it never
//! routes, never refuses, never computes an effect.
//!
//! It also checks the remote: an effect that names an unknown conversation, agent, queue or
//! supervisor, or that contradicts what the mirror knows (a state change from another state,
//! units that did not start where the last `units` effect left them), is a [`MirrorError`].
//!
//! Local conversation ids: the mirror gives each conversation a local [`ConvId`] from its own
//! slot table (lowest freed slot reused last-in first-out, its generation bumped on close, as
//! the in-process engine does), so the simulator's per-slot tables stay dense whatever ids the
//! remote uses; [`Mirror::remote_id`] and [`Mirror::local_id`] translate.

use std::collections::{BTreeSet, HashMap};

use crate::engine::{
    AgentView, Command, ConvId, ConvView, Effect, EngineConfig, EngineCounters, InviteId,
};
use crate::model::{
    AgentId, ConvState, Presence, QueueId, RoutingMode, SupervisorId, WorkstreamRules,
};
use crate::time::SimTime;

/// An effect the mirror cannot follow: the remote reported something impossible.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MirrorError(pub String);

#[derive(Clone, Copy, Debug)]
struct MAgent {
    capacity: u32,
    used: i64,
    reserved: i64,
    /// Units of its pending invitations not reserved (`reserve_on_invite` off).
    pending_units: i64,
    presence: Presence,
    manual: bool,
    holding: u32,
    pending: u32,
}

#[derive(Clone, Debug)]
struct MConv {
    remote: ConvId,
    state: ConvState,
    queue: QueueId,
    origin: QueueId,
    primary: Option<AgentId>,
    /// The pending invitation: agent, id, the units its conversation will hold once accepted
    /// (reserved on the agent with `reserve_on_invite`, else counted in its `pending_units`).
    invite: Option<(AgentId, InviteId, u32)>,
    arrived_at: SimTime,
    answered_at: Option<SimTime>,
    consultants: usize,
    seq: u64,
    monitors: Vec<SupervisorId>,
    joined: Vec<SupervisorId>,
}

impl MConv {
    /// (open-set queue, engaged-set queue, routable queue, holding agent): the derived
    /// memberships, compared before and after each change.
    fn places(
        &self,
    ) -> (
        Option<QueueId>,
        Option<QueueId>,
        Option<QueueId>,
        Option<AgentId>,
    ) {
        let open = self.state == ConvState::Open;
        let engaged = matches!(
            self.state,
            ConvState::Active | ConvState::Waiting | ConvState::WrapUp
        );
        (
            open.then_some(self.queue),
            engaged.then_some(self.queue),
            (open && self.invite.is_none()).then_some(self.queue),
            if engaged { self.primary } else { None },
        )
    }
}

#[derive(Clone, Debug, Default)]
struct Slot {
    gen: u32,
    conv: Option<MConv>,
}

/// The mirrored state of a remote engine. See the module docs.
#[derive(Clone, Debug)]
pub struct Mirror {
    cfg: EngineConfig,
    /// Work-stream rules by queue.
    rules: Vec<WorkstreamRules>,
    agents: Vec<MAgent>,
    members: Vec<Vec<AgentId>>,
    supervisors: usize,
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    by_remote: HashMap<ConvId, ConvId>,
    /// Per queue: Open and engaged conversations by (arrival sequence, slot).
    open: Vec<BTreeSet<(u64, u32)>>,
    engaged: Vec<BTreeSet<(u64, u32)>>,
    routable: Vec<usize>,
    next_seq: u64,
    counters: EngineCounters,
}

impl Mirror {
    /// The state at the start, from an engine built from the setup and never commanded (the
    /// setup's own view of agents, members and rules).
    pub fn new(
        template: &impl crate::engine::RulesEngine,
        agents: usize,
        queues: usize,
        supervisors: usize,
    ) -> Mirror {
        Mirror {
            cfg: template.config().clone(),
            rules: (0..queues)
                .map(|q| template.queue_rules(QueueId(q as u32)).clone())
                .collect(),
            agents: (0..agents)
                .map(|a| {
                    let v = template.agent(AgentId(a as u32));
                    MAgent {
                        capacity: v.capacity,
                        used: v.used,
                        reserved: v.reserved,
                        pending_units: v.pending_units,
                        presence: v.presence,
                        manual: v.manual,
                        holding: v.holding,
                        pending: v.pending_invites,
                    }
                })
                .collect(),
            members: (0..queues)
                .map(|q| template.members(QueueId(q as u32)).to_vec())
                .collect(),
            supervisors,
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            by_remote: HashMap::new(),
            open: vec![BTreeSet::new(); queues],
            engaged: vec![BTreeSet::new(); queues],
            routable: vec![0; queues],
            next_seq: 0,
            counters: EngineCounters::default(),
        }
    }

    /// The local id of a remote conversation, if live.
    pub fn local_id(&self, remote: ConvId) -> Option<ConvId> {
        self.by_remote.get(&remote).copied()
    }

    /// The remote id of a local conversation; a closed one maps to a never-issued id (so the
    /// remote refuses it, LC-CLOSED, as the in-process engine would).
    pub fn remote_id(&self, local: ConvId) -> ConvId {
        self.get(local).map_or(
            ConvId {
                slot: u32::MAX,
                gen: u32::MAX,
            },
            |c| c.remote,
        )
    }

    fn get(&self, id: ConvId) -> Option<&MConv> {
        self.slots
            .get(id.slot as usize)
            .filter(|s| s.gen == id.gen)
            .and_then(|s| s.conv.as_ref())
    }

    fn id_of(&self, slot: u32) -> ConvId {
        ConvId {
            slot,
            gen: self.slots[slot as usize].gen,
        }
    }

    /// Counts a command sent (applied or refused) and records what an applied one changed that
    /// no effect reports (manual presence, queue membership).
    pub fn command(&mut self, cmd: &Command, applied: bool) {
        self.counters.commands += 1;
        if !applied {
            return;
        }
        match *cmd {
            Command::SetPresence(a, p) => self.agents[a.index()].manual = p.is_some(),
            Command::JoinQueue(a, q) => {
                let m = &mut self.members[q.index()];
                if let Err(at) = m.binary_search(&a) {
                    m.insert(at, a);
                }
            }
            // A transfer to a queue reports no `requeued` (the conversation leaves its agent
            // for the other queue's Open set): the accepted command says where it went.
            Command::TransferToQueue(c, q) | Command::OverflowTransfer(c, q)
                if self.get(c).is_some() && q.index() < self.rules.len() =>
            {
                self.change(c, |v| v.queue = q);
            }
            Command::LeaveQueue(a, q) => {
                let m = &mut self.members[q.index()];
                if let Ok(at) = m.binary_search(&a) {
                    m.remove(at);
                }
            }
            _ => {}
        }
    }

    fn check_agent(&self, a: AgentId) -> Result<(), MirrorError> {
        if a.index() < self.agents.len() {
            Ok(())
        } else {
            Err(MirrorError(format!(
                "an effect names agent {}, but the scenario has {}",
                a.0,
                self.agents.len()
            )))
        }
    }

    fn check_queue(&self, q: QueueId) -> Result<(), MirrorError> {
        if q.index() < self.rules.len() {
            Ok(())
        } else {
            Err(MirrorError(format!(
                "an effect names queue {}, but the scenario has {}",
                q.0,
                self.rules.len()
            )))
        }
    }

    fn local(&self, remote: ConvId) -> Result<ConvId, MirrorError> {
        self.local_id(remote).ok_or_else(|| {
            MirrorError(format!(
                "an effect names conversation \"{}.{}\", which the engine never reported arriving (or already closed)",
                remote.slot, remote.gen
            ))
        })
    }

    /// Changes conversation `id` with `f`, keeping the derived sets and counts in step.
    fn change(&mut self, id: ConvId, f: impl FnOnce(&mut MConv)) {
        let slot = id.slot;
        let c = self.slots[slot as usize].conv.as_mut().expect("live");
        let before = c.places();
        f(c);
        let after = c.places();
        let key = (c.seq, slot);
        self.moved(key, before, after);
    }

    #[allow(clippy::type_complexity)]
    fn moved(
        &mut self,
        key: (u64, u32),
        before: (
            Option<QueueId>,
            Option<QueueId>,
            Option<QueueId>,
            Option<AgentId>,
        ),
        after: (
            Option<QueueId>,
            Option<QueueId>,
            Option<QueueId>,
            Option<AgentId>,
        ),
    ) {
        if before.0 != after.0 {
            if let Some(q) = before.0 {
                self.open[q.index()].remove(&key);
            }
            if let Some(q) = after.0 {
                self.open[q.index()].insert(key);
            }
        }
        if before.1 != after.1 {
            if let Some(q) = before.1 {
                self.engaged[q.index()].remove(&key);
            }
            if let Some(q) = after.1 {
                self.engaged[q.index()].insert(key);
            }
        }
        if before.2 != after.2 {
            if let Some(q) = before.2 {
                self.routable[q.index()] -= 1;
            }
            if let Some(q) = after.2 {
                self.routable[q.index()] += 1;
            }
        }
        if before.3 != after.3 {
            if let Some(a) = before.3 {
                self.agents[a.index()].holding -= 1;
            }
            if let Some(a) = after.3 {
                self.agents[a.index()].holding += 1;
            }
        }
    }

    /// Ends a pending invitation: the agent's pending count and its reservation (or its
    /// unreserved `pending_units`) drop.
    fn end_invite(&mut self, id: ConvId) {
        let Some((agent, _, units)) = self.get(id).and_then(|c| c.invite) else {
            return;
        };
        let reserves = self.cfg.reserve_on_invite;
        let a = &mut self.agents[agent.index()];
        a.pending = a.pending.saturating_sub(1);
        if reserves {
            a.reserved -= i64::from(units);
        } else {
            a.pending_units -= i64::from(units);
        }
        self.change(id, |c| c.invite = None);
    }

    /// Applies one remote effect at `now` and returns it with local conversation ids (what the
    /// simulator sees). Errors: the effect cannot be followed (see the module docs).
    pub fn effect(&mut self, now: SimTime, e: Effect) -> Result<Effect, MirrorError> {
        Ok(match e {
            Effect::Arrived { conv, queue } => {
                self.check_queue(queue)?;
                if self.by_remote.contains_key(&conv) {
                    return Err(MirrorError(format!(
                        "\"arrived\" reuses the id \"{}.{}\" of a live conversation",
                        conv.slot, conv.gen
                    )));
                }
                let local = self.insert(MConv {
                    remote: conv,
                    state: ConvState::Open,
                    queue,
                    origin: queue,
                    primary: None,
                    invite: None,
                    arrived_at: now,
                    answered_at: None,
                    consultants: 0,
                    seq: self.next_seq,
                    monitors: Vec::new(),
                    joined: Vec::new(),
                });
                self.next_seq += 1;
                self.counters.arrived += 1;
                Effect::Arrived { conv: local, queue }
            }
            Effect::Unmatched { conv, queue } => {
                self.check_queue(queue)?;
                Effect::Unmatched {
                    conv: self.local(conv)?,
                    queue,
                }
            }
            Effect::Invited {
                conv,
                agent,
                invite,
                by_supervisor,
            } => {
                self.check_agent(agent)?;
                let id = self.local(conv)?;
                self.end_invite(id);
                let queue = self.get(id).expect("live").queue;
                let units = self.rules[queue.index()].capacity_units;
                let a = &mut self.agents[agent.index()];
                a.pending += 1;
                if self.cfg.reserve_on_invite {
                    a.reserved += i64::from(units);
                } else {
                    a.pending_units += i64::from(units);
                }
                self.change(id, |c| c.invite = Some((agent, invite, units)));
                Effect::Invited {
                    conv: id,
                    agent,
                    invite,
                    by_supervisor,
                }
            }
            Effect::InviteWithdrawn {
                conv,
                agent,
                invite,
            } => {
                self.check_agent(agent)?;
                let id = self.local(conv)?;
                self.end_invite(id);
                Effect::InviteWithdrawn {
                    conv: id,
                    agent,
                    invite,
                }
            }
            Effect::Refusal {
                conv,
                agent,
                timed_out,
            } => {
                self.check_agent(agent)?;
                Effect::Refusal {
                    conv: self.local(conv)?,
                    agent,
                    timed_out,
                }
            }
            Effect::Accepted {
                conv,
                agent,
                first,
                waited,
            } => {
                self.check_agent(agent)?;
                let id = self.local(conv)?;
                self.end_invite(id);
                self.change(id, |c| {
                    c.primary = Some(agent);
                    if c.answered_at.is_none() {
                        c.answered_at = Some(now);
                    }
                });
                Effect::Accepted {
                    conv: id,
                    agent,
                    first,
                    waited,
                }
            }
            Effect::AssignedByRule { conv, queue, rule } => {
                self.check_queue(queue)?;
                Effect::AssignedByRule {
                    conv: self.local(conv)?,
                    queue,
                    rule,
                }
            }
            Effect::StateChanged { conv, from, to } => {
                let id = self.local(conv)?;
                let state = self.get(id).expect("live").state;
                if state != from {
                    return Err(MirrorError(format!(
                        "\"state_changed\" of \"{}.{}\" from {from:?}, but it was {state:?}",
                        conv.slot, conv.gen
                    )));
                }
                self.change(id, |c| {
                    c.state = to;
                    if to == ConvState::Open {
                        c.primary = None;
                    }
                });
                Effect::StateChanged { conv: id, from, to }
            }
            Effect::Units {
                agent,
                before,
                after,
                ..
            } => {
                self.check_agent(agent)?;
                let a = &mut self.agents[agent.index()];
                if a.used != before {
                    return Err(MirrorError(format!(
                        "\"units\" of agent {} from {before}, but it held {}",
                        agent.0, a.used
                    )));
                }
                a.used = after;
                e
            }
            Effect::Overallocated { agent, .. } => {
                self.check_agent(agent)?;
                e
            }
            Effect::Presence { agent, from, to } => {
                self.check_agent(agent)?;
                let a = &mut self.agents[agent.index()];
                if a.presence != from {
                    return Err(MirrorError(format!(
                        "\"presence\" of agent {} from {from:?}, but it was {:?}",
                        agent.0, a.presence
                    )));
                }
                a.presence = to;
                e
            }
            Effect::Requeued { conv, from, to } => {
                self.check_queue(from)?;
                self.check_queue(to)?;
                let id = self.local(conv)?;
                self.change(id, |c| c.queue = to);
                Effect::Requeued { conv: id, from, to }
            }
            Effect::Monitoring { conv, supervisor } => {
                self.check_supervisor(supervisor)?;
                let id = self.local(conv)?;
                self.change(id, |c| {
                    if !c.monitors.contains(&supervisor) {
                        c.monitors.push(supervisor);
                    }
                });
                Effect::Monitoring {
                    conv: id,
                    supervisor,
                }
            }
            Effect::Joined {
                conv,
                supervisor,
                mode,
            } => {
                self.check_supervisor(supervisor)?;
                let id = self.local(conv)?;
                self.change(id, |c| {
                    c.joined.push(supervisor);
                    c.consultants += 1;
                });
                Effect::Joined {
                    conv: id,
                    supervisor,
                    mode,
                }
            }
            Effect::Transferred { conv, from, to } => {
                self.check_agent(from)?;
                self.check_agent(to)?;
                let id = self.local(conv)?;
                self.change(id, |c| {
                    c.primary = Some(to);
                    c.consultants += 1;
                });
                Effect::Transferred { conv: id, from, to }
            }
            Effect::Notified { conv, to, notice } => {
                match to {
                    crate::engine::Recipient::Agent(a) => self.check_agent(a)?,
                    crate::engine::Recipient::Supervisor(s) => self.check_supervisor(s)?,
                    crate::engine::Recipient::Customer => {}
                }
                Effect::Notified {
                    conv: self.local(conv)?,
                    to,
                    notice,
                }
            }
            Effect::PickAvailable { queue } => {
                self.check_queue(queue)?;
                e
            }
            Effect::Closed {
                conv,
                queue,
                reason,
                answered,
                arrived_at,
            } => {
                self.check_queue(queue)?;
                let id = self.local(conv)?;
                self.end_invite(id);
                self.remove(id);
                self.counters.closed += 1;
                Effect::Closed {
                    conv: id,
                    queue,
                    reason,
                    answered,
                    arrived_at,
                }
            }
        })
    }

    fn check_supervisor(&self, s: SupervisorId) -> Result<(), MirrorError> {
        if s.index() < self.supervisors {
            Ok(())
        } else {
            Err(MirrorError(format!(
                "an effect names supervisor {}, but the scenario has {}",
                s.0, self.supervisors
            )))
        }
    }

    fn insert(&mut self, c: MConv) -> ConvId {
        let (remote, key) = (c.remote, (c.seq, 0));
        let before = (None, None, None, None);
        let after = c.places();
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize].conv = Some(c);
                slot
            }
            None => {
                self.slots.push(Slot {
                    gen: 0,
                    conv: Some(c),
                });
                (self.slots.len() - 1) as u32
            }
        };
        self.moved((key.0, slot), before, after);
        self.live += 1;
        let id = self.id_of(slot);
        self.by_remote.insert(remote, id);
        id
    }

    fn remove(&mut self, id: ConvId) {
        let s = &mut self.slots[id.slot as usize];
        let c = s.conv.take().expect("live");
        s.gen = s.gen.wrapping_add(1);
        self.free.push(id.slot);
        self.live -= 1;
        self.by_remote.remove(&c.remote);
        self.moved((c.seq, id.slot), c.places(), (None, None, None, None));
    }

    // ---- the read views of `RulesEngine` ----

    /// The rules in force.
    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }
    /// Counters: arrivals and closes reported, commands sent.
    pub fn counters(&self) -> EngineCounters {
        self.counters
    }
    /// Live conversations.
    pub fn live(&self) -> usize {
        self.live
    }
    /// An agent's mirrored state.
    pub fn agent(&self, id: AgentId) -> AgentView {
        let a = &self.agents[id.index()];
        AgentView {
            capacity: a.capacity,
            used: a.used,
            reserved: a.reserved,
            pending_units: a.pending_units,
            presence: a.presence,
            manual: a.manual,
            holding: a.holding,
            pending_invites: a.pending,
        }
    }
    /// A queue's members, in id order.
    pub fn members(&self, q: QueueId) -> &[AgentId] {
        &self.members[q.index()]
    }
    /// Members who could take the queue's work now (the in-process engine's routing-index
    /// test: no pending invitation unless pick mode, not Away or Offline, an allowed presence,
    /// the units free), in id order.
    pub fn pick_candidates(&self, q: QueueId) -> impl Iterator<Item = AgentId> + '_ {
        let ws = &self.rules[q.index()];
        self.members[q.index()].iter().copied().filter(move |a| {
            let a = &self.agents[a.index()];
            (a.pending == 0 || ws.mode == RoutingMode::Pick)
                && !matches!(a.presence, Presence::Away | Presence::Offline)
                && ws.allowed_presences.contains(a.presence)
                && i64::from(a.capacity) - a.used - a.reserved >= i64::from(ws.capacity_units)
        })
    }
    /// A queue's work-stream rules.
    pub fn queue_rules(&self, q: QueueId) -> &WorkstreamRules {
        &self.rules[q.index()]
    }
    /// A live conversation.
    pub fn conversation(&self, id: ConvId) -> Option<ConvView> {
        self.get(id).map(|c| ConvView {
            state: c.state,
            queue: c.queue,
            origin: c.origin,
            primary: c.primary,
            invited: c.invite.map(|i| i.0),
            arrived_at: c.arrived_at,
            answered_at: c.answered_at,
            consultants: c.consultants,
            seq: c.seq,
        })
    }
    /// Whether `s` monitors `conv`.
    pub fn is_monitoring(&self, s: SupervisorId, conv: ConvId) -> bool {
        self.get(conv).is_some_and(|c| c.monitors.contains(&s))
    }
    /// Whether `s` joined `conv`.
    pub fn has_joined(&self, s: SupervisorId, conv: ConvId) -> bool {
        self.get(conv).is_some_and(|c| c.joined.contains(&s))
    }
    /// Conversations `agent` is primary on in `state`, oldest first.
    pub fn held_by(&self, agent: AgentId, state: ConvState) -> Vec<ConvId> {
        let mut v: Vec<(u64, ConvId)> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.conv.as_ref().map(|c| (i, c)))
            .filter(|(_, c)| c.primary == Some(agent) && c.state == state)
            .map(|(i, c)| (c.seq, self.id_of(i as u32)))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(_, id)| id).collect()
    }
    /// Open conversations of a queue, oldest first.
    pub fn open_in(
        &self,
        q: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_ {
        self.open[q.index()].iter().map(|&(_, s)| self.id_of(s))
    }
    /// Active, Waiting and Wrap-up conversations of a queue, oldest first.
    pub fn engaged_in(
        &self,
        q: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_ {
        self.engaged[q.index()].iter().map(|&(_, s)| self.id_of(s))
    }
    /// Open conversations of a queue with no pending invitation.
    pub fn routable_count(&self, q: QueueId) -> usize {
        self.routable[q.index()]
    }
    /// Open conversations of a queue.
    pub fn open_count(&self, q: QueueId) -> usize {
        self.open[q.index()].len()
    }
    /// Conservation of the mirror itself (what the remote reported adds up).
    pub fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, a) in self.agents.iter().enumerate() {
            if a.reserved < 0 || a.used < 0 || a.pending_units < 0 {
                out.push(format!("agent {i}: negative units reported"));
            }
        }
        if self.counters.arrived != self.counters.closed + self.live as u64 {
            out.push("arrived ≠ closed + live".into());
        }
        out
    }
}
