//! The monitor & assign rules engine.
//!
//! The [`Engine`] owns the live state of a contact center (agents, queues, conversations,
//! supervisors) and takes commands: a conversation arrives, an agent accepts, a supervisor
//! assigns… Each command is answered with `Ok(())` and its [`Effect`]s appended to the caller's
//! buffer, or `Err(RuleId)` naming the rule that refused it. A refused command changes nothing.
//!
//! The engine reads no clock, no random source and no file: the caller passes `now`. The same
//! code runs under the simulator (virtual time), the load driver (wall time) and the tests.
//!
//! Key types: [`Engine`], [`EngineSetup`], [`Command`], [`Effect`], [`RuleId`], [`ConvId`].
//!
//! ```
//! use omnisim::engine::{Engine, EngineSetup, AgentSetup, QueueSetup, Effect};
//! use omnisim::model::*;
//! use omnisim::time::SimTime;
//!
//! let mut engine = Engine::new(EngineSetup {
//!     workstreams: vec![WorkstreamRules {
//!         channel: Channel::LiveChat,
//!         mode: RoutingMode::Push,
//!         capacity_units: 50,
//!         allowed_presences: PresenceSet::DEFAULT,
//!         block_capacity_for_wrap_up: WrapUpBlock::Always,
//!     }],
//!     queues: vec![QueueSetup { workstream: WorkstreamId(0), method: AssignmentMethod::HighestCapacity, priority: 1 }],
//!     agents: vec![AgentSetup { capacity: 100, queues: vec![QueueId(0)], on_shift: true }],
//!     ..EngineSetup::default()
//! });
//! let mut fx = Vec::new();
//! let conv = engine.arrive(SimTime(0), QueueId(0), &mut fx);
//! let invite = fx.iter().find_map(|e| match e { Effect::Invited { invite, .. } => Some(*invite), _ => None }).unwrap();
//! engine.accept(SimTime(2_000), conv, invite, &mut fx).unwrap();
//! assert_eq!(engine.agent(AgentId(0)).used, 50);
//! ```

mod command;
mod config;
mod decision;
mod effect;
mod iface;
mod index;
mod invariants;
mod lifecycle;
mod offerable;
mod overflow;
mod rank;
mod routing;
mod rules;
mod ruleset;
mod ruleset_route;
mod seqset;
mod skills;
mod state;
mod supervisor;
mod view_marks;
pub use supervisor::state_rules;

pub use command::{Command, RoutingTag};
pub use config::{EngineConfig, Overallocation};
pub use decision::{Decision, PassedOver};
pub use effect::{CloseReason, Effect, InviteId, Notice, Recipient};
pub use iface::RulesEngine;
pub use invariants::InvariantBreak;
pub use rules::RuleId;
pub use ruleset::{
    AssignmentRule, AttrCondition, AttrId, OrderBy, QueueRulesets, RuleSkills, RulesetSetup,
};
pub use skills::{
    closeness, rating_of, satisfies, Rating, ReqId, SkillId, SkillMatching, SkillSet, SkillSetup,
};
pub use state::{ConvId, Participant};
pub use view_marks::View;

use crate::model::{
    AgentId, AssignmentMethod, ConvState, Presence, QueueId, RoutingMode, SupervisorId,
    WorkstreamId, WorkstreamRules,
};
use crate::time::SimTime;
use state::{Agent, Conv, Queue, SeqKey, Slab, Supervisor, ViewSet};

/// [`Engine::new_until`] asks its stop question once per this many agents (and once per queue).
pub const STOP_STEP: usize = 1024;

/// The result of a command: `Err` names the rule that refused it.
pub type Outcome = Result<(), RuleId>;

/// A queue as the engine needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueSetup {
    /// Its work stream.
    pub workstream: WorkstreamId,
    /// RT-METHOD.
    pub method: AssignmentMethod,
    /// RT-ORDER: lower first.
    pub priority: u32,
}

/// An agent as the engine needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentSetup {
    /// Units.
    pub capacity: u32,
    /// Queues it is a member of.
    pub queues: Vec<QueueId>,
    /// On shift at the start (otherwise Offline by hand).
    pub on_shift: bool,
}

/// A supervisor as the engine needs it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SupervisorSetup {
    /// Its scope.
    pub queues: Vec<QueueId>,
    /// The agent it also works as, if any (MON-SELF).
    pub agent: Option<AgentId>,
}

/// Everything the engine is built from.
#[derive(Clone, Debug, Default)]
pub struct EngineSetup {
    /// The `[engine]` rules.
    pub config: EngineConfig,
    /// Work streams by id.
    pub workstreams: Vec<WorkstreamRules>,
    /// Queues by id.
    pub queues: Vec<QueueSetup>,
    /// Agents by id.
    pub agents: Vec<AgentSetup>,
    /// Supervisors by id.
    pub supervisors: Vec<SupervisorSetup>,
    /// Skill routing (RT-SKILL, RT-CLOSEST); off by default.
    pub skills: SkillSetup,
    /// Prioritization and assignment rulesets (RT-PRIORITIZE, RT-RULESET); none by default.
    pub rulesets: RulesetSetup,
    /// Keep each queue's ordered Open set even without supervisors, so
    /// [`open_count`](Engine::open_count) is O(1) (a work-item overflow limit reads it).
    pub open_views: bool,
}

/// A read-only view of an agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentView {
    /// Units.
    pub capacity: u32,
    /// Units held.
    pub used: i64,
    /// Units reserved by pending invitations.
    pub reserved: i64,
    /// Units its pending invitations will hold once accepted without having reserved them
    /// (`reserve_on_invite` off; 0 when reserving). Not in [`free`](Self::free) (CAP-RESERVE);
    /// in [`uncommitted`](Self::uncommitted), what ASSIGN-CAPACITY judges.
    pub pending_units: i64,
    /// Effective presence.
    pub presence: Presence,
    /// Whether the presence was set by hand.
    pub manual: bool,
    /// Conversations it is primary on.
    pub holding: u32,
    /// Pending invitations.
    pub pending_invites: u32,
}

impl AgentView {
    /// Free units (negative when overallocated).
    pub fn free(&self) -> i64 {
        self.capacity as i64 - self.used - self.reserved
    }

    /// Free units once every pending invitation is accepted: [`free`](Self::free) less
    /// [`pending_units`](Self::pending_units). What a supervisor assignment or transfer may
    /// take under `overallocation` (ASSIGN-CAPACITY: negative when the agent is, or will be,
    /// over capacity).
    pub fn uncommitted(&self) -> i64 {
        self.free() - self.pending_units
    }
}

/// A read-only view of a conversation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConvView {
    /// Its lifecycle state.
    pub state: ConvState,
    /// The queue it is in now.
    pub queue: QueueId,
    /// The queue it arrived in.
    pub origin: QueueId,
    /// Its primary agent.
    pub primary: Option<AgentId>,
    /// The agent invited, if an invitation is pending.
    pub invited: Option<AgentId>,
    /// When it arrived.
    pub arrived_at: SimTime,
    /// When it was first accepted.
    pub answered_at: Option<SimTime>,
    /// Consultants on it.
    pub consultants: usize,
    /// Arrival sequence number (oldest first ordering).
    pub seq: u64,
}

/// Counters the engine keeps for conservation checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineCounters {
    /// Conversations that arrived.
    pub arrived: u64,
    /// Conversations that closed, for any reason.
    pub closed: u64,
    /// Commands handled (accepted or refused).
    pub commands: u64,
    /// Routing offers to an agent that was not eligible (must stay 0).
    pub ineligible_offers: u64,
}

/// The rules engine. See the [module docs](self).
#[derive(Clone, Debug, PartialEq)]
pub struct Engine {
    cfg: EngineConfig,
    workstreams: Vec<WorkstreamRules>,
    queues: Vec<Queue>,
    agents: Vec<Agent>,
    supervisors: Vec<Supervisor>,
    convs: Slab,
    /// Skill tables, only when skill routing or a ruleset is on.
    skills: Option<Box<skills::SkillState>>,
    /// Some queue has assignment rules (their cells are re-keyed with the agent).
    has_rules: bool,
    /// The smallest `capacity_units` of any work stream (`u32::MAX` without any): an agent
    /// with fewer units free takes no automatic work anywhere.
    min_units: u32,
    /// Whether some work stream is in pick mode (where a pending invitation does not stop work).
    any_pick: bool,
    next_seq: u64,
    next_invite: u64,
    counters: EngineCounters,
    /// Commands handled, accepted or refused: kept apart from the state, see `CommandTally`.
    tally: CommandTally,
    /// Reused buffers of the routing walks (see `Scratch`).
    scratch: Scratch,
    /// Routing decisions recorded while explaining is on (see `decision`).
    decisions: decision::DecisionLog,
}

/// The count of commands handled. It is bookkeeping, not state: a refused command counts but
/// changes nothing, so equality ignores it and `engine == clone_before` holds after a refusal.
#[derive(Clone, Copy, Debug, Default)]
struct CommandTally(u64);

impl PartialEq for CommandTally {
    fn eq(&self, _: &CommandTally) -> bool {
        true
    }
}

/// Buffers a routing walk borrows and gives back, so that a walk too large for the stack
/// allocates once per engine, not once per routing trigger. Not state: empty between walks,
/// so equality ignores it and a clone starts without.
#[derive(Debug, Default)]
struct Scratch {
    /// A skill queue's walk: per signature, its cursor and whether it is passed over; the
    /// signatures to visit, as bits.
    sig_walk: (Vec<Option<state::SeqKey>>, Vec<bool>, Vec<u64>),
    /// Tests only: skill-queue walks so far (`Engine::route_skill_queue` calls).
    #[cfg(test)]
    walks: usize,
    /// Tests only: every skill-queue arrival takes the walk, as before the direct offer of
    /// `Engine::arrive_skilled` (to compare the two).
    #[cfg(test)]
    walk_arrivals: bool,
    /// Tests only: every `Engine::refresh_route` keys the agent before routing it, as before
    /// its invitation sent first (to compare the two).
    #[cfg(test)]
    key_first: bool,
    /// Tests only: invitations `Engine::refresh_route` sent before keying the agent.
    #[cfg(test)]
    offered_unkeyed: usize,
    /// Tests only: keys `Engine::refresh_route` wrote without re-keying the agent
    /// (`Engine::key_only_place`).
    #[cfg(test)]
    keyed_lean: usize,
    /// Tests only: keys `Engine::invite_from` took out without re-keying the agent
    /// (`Engine::unkey_invited`).
    #[cfg(test)]
    unkeyed_lean: usize,
}

impl Clone for Scratch {
    fn clone(&self) -> Scratch {
        Scratch::default()
    }
}

impl PartialEq for Scratch {
    fn eq(&self, _: &Scratch) -> bool {
        true
    }
}

impl Engine {
    /// Builds an engine with no conversations. Agents not `on_shift` start Offline by hand.
    ///
    /// Ids in the setup must resolve (a validated scenario guarantees it); an id out of range
    /// panics here, at build time, never later.
    pub fn new(setup: EngineSetup) -> Engine {
        Self::new_until(setup, &|| false).expect("never asked to stop")
    }

    /// [`new`](Self::new), giving up (`None`) as soon as `stop` answers `true`. `stop` is asked
    /// once per queue and once per 1,024 agents while the routing indexes are built, the part
    /// that grows with agents × queues (5,000 queues of 2,500 agents each take seconds): a
    /// caller stopping on a signal stops within one queue's or 1,024 agents' work. The engine
    /// stays pure: `stop` is the caller's question, not a clock or a flag of its own.
    pub fn new_until(setup: EngineSetup, stop: &dyn Fn() -> bool) -> Option<Engine> {
        let EngineSetup {
            config,
            workstreams,
            queues,
            agents,
            supervisors,
            skills: skill_setup,
            rulesets,
            open_views,
        } = setup;
        let has_rules = rulesets.queues.iter().any(|q| !q.assignment.is_empty());
        let min_units = workstreams
            .iter()
            .map(|w| w.capacity_units)
            .min()
            .unwrap_or(u32::MAX);
        let any_pick = workstreams.iter().any(|w| w.mode == RoutingMode::Pick);
        let skill_state = (skill_setup.enabled || rulesets.any()).then(|| {
            let mut s = skills::SkillState::new(skill_setup, agents.len());
            s.prioritized = rulesets.queues.iter().any(|q| !q.prioritization.is_empty());
            s.agent_group = rulesets.agent_groups.clone();
            Box::new(s)
        });
        let no_rules = QueueRulesets::default();
        // Supervisor views (per-queue Open and engaged sets) only when someone looks at them.
        let views = !supervisors.is_empty() || open_views;
        let mut qs: Vec<Queue> = queues
            .iter()
            .enumerate()
            .map(|(i, q)| {
                assert!(
                    q.workstream.index() < workstreams.len(),
                    "queue work stream out of range"
                );
                Queue {
                    workstream: q.workstream,
                    method: q.method,
                    priority: q.priority,
                    members: Vec::new(),
                    open: ViewSet::new(views),
                    routable: Default::default(),
                    offerable: Default::default(),
                    engaged: ViewSet::new(views),
                    index: Default::default(),
                    rr_last: u64::MAX,
                    turns: 0,
                    skills: skill_state.as_ref().and_then(|s| {
                        let m = if s.enabled {
                            s.matching
                                .get(q.workstream.index())
                                .copied()
                                .unwrap_or_default()
                        } else {
                            SkillMatching::None
                        };
                        let rules = rulesets.queues.get(i).unwrap_or(&no_rules);
                        (m != SkillMatching::None || rules.any())
                            .then(|| Box::new(skills::QueueSkills::new(m, rules)))
                    }),
                }
            })
            .collect();
        let mut ags = Vec::with_capacity(agents.len());
        for (i, a) in agents.iter().enumerate() {
            if i % STOP_STEP == STOP_STEP - 1 && stop() {
                return None;
            }
            let mut mine = a.queues.clone();
            mine.sort_by_key(|q| (qs[q.index()].priority, q.0));
            mine.dedup();
            // Its position in each queue's member list is known as it is pushed: the member
            // lists are built agent by agent (a queue-by-queue placement afterwards looked each
            // member's slot up, 3 s for 5,000 queues of 2,500 agents).
            let places: Vec<state::Place> = mine
                .iter()
                .map(|&q| {
                    let members = &mut qs[q.index()].members;
                    members.push(AgentId(i as u32));
                    state::Place {
                        member_pos: (members.len() - 1) as u32,
                        ..state::Place::new(q)
                    }
                })
                .collect();
            let manual = if a.on_shift {
                None
            } else {
                Some(Presence::Offline)
            };
            ags.push(Agent {
                capacity: a.capacity,
                used: 0,
                reserved: 0,
                pending_units: 0,
                manual,
                presence: manual.unwrap_or(Presence::Available),
                queue_turn: vec![0; mine.len()],
                slots: Agent::slots_of(&places),
                places,
                pending: 0,
                holding: 0,
                last_assign: None,
                last_release: None,
                keyless: state::Keyless(false),
            });
        }
        let mut engine = Engine {
            cfg: config,
            workstreams,
            queues: qs,
            agents: ags,
            supervisors: supervisors
                .into_iter()
                .map(|s| Supervisor {
                    queues: s.queues,
                    agent: s.agent,
                })
                .collect(),
            convs: Slab::default(),
            skills: skill_state,
            has_rules,
            min_units,
            any_pick,
            next_seq: 0,
            next_invite: 0,
            counters: EngineCounters::default(),
            tally: CommandTally::default(),
            scratch: Scratch::default(),
            decisions: Default::default(),
        };
        for q in 0..engine.queues.len() {
            if stop() {
                return None;
            }
            engine.queues[q].index = index::RoutingIndex::new(engine.queues[q].members.len());
            // A push queue with skills (or assignment rules) chooses from its profile groups
            // (or its rules' cells): its own index is only counted, never walked.
            let push = engine.queue_rules(QueueId(q as u32)).mode == RoutingMode::Push;
            if push && engine.queues[q].skills.is_some() {
                engine.queues[q].index.leaves_only();
            }
            engine.rebuild_groups(QueueId(q as u32));
        }
        for a in 0..engine.agents.len() {
            if a % STOP_STEP == STOP_STEP - 1 && stop() {
                return None;
            }
            engine.reindex(AgentId(a as u32));
        }
        Some(engine)
    }

    /// The rules in force.
    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    /// Conservation and command counters.
    pub fn counters(&self) -> EngineCounters {
        EngineCounters {
            commands: self.tally.0,
            ..self.counters
        }
    }

    /// Conversations in the system.
    pub fn live_conversations(&self) -> usize {
        self.convs.live()
    }

    /// Number of agents.
    pub fn agent_count(&self) -> usize {
        self.agents.len()
    }

    /// Number of queues.
    pub fn queue_count(&self) -> usize {
        self.queues.len()
    }

    /// An agent's state. Panics on an id out of range.
    pub fn agent(&self, id: AgentId) -> AgentView {
        let a = &self.agents[id.index()];
        AgentView {
            capacity: a.capacity,
            used: a.used,
            reserved: a.reserved,
            pending_units: a.pending_units,
            presence: a.presence,
            manual: a.manual.is_some(),
            holding: a.holding,
            pending_invites: a.pending,
        }
    }

    /// Whether `agent` is a member of `queue`.
    pub fn is_member(&self, agent: AgentId, queue: QueueId) -> bool {
        self.agents[agent.index()].slot_of(queue).is_some()
    }

    /// A queue's member agents, in id order.
    pub fn members(&self, queue: QueueId) -> &[AgentId] {
        &self.queues[queue.index()].members
    }

    /// The members of a pick-mode queue who could pick now (allowed presence, free units for
    /// its work stream), in id order, O(log n) per agent rather than a scan of the members.
    /// (For a push queue: the agents routing could invite now, in id order.)
    pub fn pick_candidates(&self, queue: QueueId) -> impl Iterator<Item = AgentId> + '_ {
        self.queues[queue.index()]
            .index
            .in_position_order()
            .map(AgentId)
    }

    /// The work-stream rules of a queue.
    pub fn queue_rules(&self, queue: QueueId) -> &WorkstreamRules {
        &self.workstreams[self.queues[queue.index()].workstream.index()]
    }

    /// A live conversation, or `None` once it has closed.
    pub fn conversation(&self, id: ConvId) -> Option<ConvView> {
        self.convs.get(id).map(|c| ConvView {
            state: c.state,
            queue: c.queue,
            origin: c.origin,
            primary: c.primary,
            invited: c.invite.map(|i| i.agent),
            arrived_at: c.arrived_at,
            answered_at: c.answered_at,
            consultants: c.consultants.len(),
            seq: c.seq,
        })
    }

    /// Whether `supervisor` is monitoring `conv`.
    pub fn is_monitoring(&self, supervisor: SupervisorId, conv: ConvId) -> bool {
        self.convs
            .get(conv)
            .is_some_and(|c| c.monitors.contains(&supervisor))
    }

    /// Whether `supervisor` has joined `conv` as a consultant.
    pub fn has_joined(&self, supervisor: SupervisorId, conv: ConvId) -> bool {
        self.convs.get(conv).is_some_and(|c| {
            c.consultants
                .iter()
                .any(|p| matches!(p, Participant::Supervisor(s, _) if *s == supervisor))
        })
    }

    /// The conversations an agent is primary on in `state`, oldest first. Scans the live
    /// conversations: for rare events (an agent's connection dropping), not for routing.
    pub fn held_by(&self, agent: AgentId, state: ConvState) -> Vec<ConvId> {
        let mut v: Vec<(u64, ConvId)> = self
            .convs
            .iter()
            .filter(|(_, c)| c.primary == Some(agent) && c.state == state)
            .map(|(id, c)| (c.seq, id))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(_, id)| id).collect()
    }

    /// Open conversations of a queue, oldest first.
    ///
    /// Walks the queue's ordered view when the engine keeps one (it has supervisors); otherwise
    /// scans the live conversations and sorts them, which costs what is in the system.
    pub fn open_in(
        &self,
        queue: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_ {
        self.view(queue, false)
    }

    /// Active, Waiting and Wrap-up conversations of a queue, oldest first.
    /// (Ordered view or scan, as [`open_in`](Self::open_in).)
    pub fn engaged_in(
        &self,
        queue: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_ {
        self.view(queue, true)
    }

    fn view(&self, queue: QueueId, engaged: bool) -> ConvsIn<'_> {
        let q = &self.queues[queue.index()];
        let v = if engaged { &q.engaged } else { &q.open };
        let keys = if v.on {
            Keys::Set(v.set.iter())
        } else {
            Keys::List(self.scan_view(queue, engaged).into_iter())
        };
        ConvsIn { engine: self, keys }
    }

    /// Open conversations no agent is invited to, in a queue (what routing or picking serves).
    pub fn routable_count(&self, queue: QueueId) -> usize {
        self.queues[queue.index()].routable.len()
    }

    /// Open conversations in a queue.
    pub fn open_count(&self, queue: QueueId) -> usize {
        let v = &self.queues[queue.index()].open;
        if v.on {
            v.set.len()
        } else {
            self.view(queue, false).count()
        }
    }

    fn handle(&self, slot: u32) -> ConvId {
        self.convs
            .by_slot(slot)
            .map(|(id, _)| id)
            .expect("queue sets hold live conversations only")
    }

    fn conv(&self, id: ConvId) -> Result<&Conv, RuleId> {
        self.convs.get(id).ok_or(RuleId::LcClosed)
    }

    /// Handles any [`Command`]: the uniform entry point used by the load driver and the tests.
    #[inline(always)]
    pub fn apply(
        &mut self,
        now: SimTime,
        cmd: Command,
        out: &mut Vec<crate::engine::Effect>,
    ) -> Outcome {
        command::apply(self, now, cmd, out)
    }
}

/// The conversations of a queue view, oldest first (see [`Engine::open_in`]).
struct ConvsIn<'a> {
    engine: &'a Engine,
    keys: Keys<'a>,
}

enum Keys<'a> {
    Set(seqset::Iter<'a>),
    List(std::vec::IntoIter<SeqKey>),
}

impl Iterator for ConvsIn<'_> {
    type Item = ConvId;

    fn next(&mut self) -> Option<ConvId> {
        let (_, slot) = match &mut self.keys {
            Keys::Set(it) => it.next()?,
            Keys::List(it) => it.next()?,
        };
        Some(self.engine.handle(slot))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.keys {
            Keys::Set(it) => it.size_hint(),
            Keys::List(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for ConvsIn<'_> {}

impl DoubleEndedIterator for ConvsIn<'_> {
    fn next_back(&mut self) -> Option<ConvId> {
        let (_, slot) = match &mut self.keys {
            Keys::Set(it) => it.next_back()?,
            Keys::List(it) => it.next_back()?,
        };
        Some(self.engine.handle(slot))
    }
}

#[cfg(test)]
mod setup_tests {
    use super::*;
    use crate::model::{Channel, PresenceSet, RoutingMode, WorkstreamId, WorkstreamRules};

    /// `agents` agents, every one a member of each of `queues` highest-capacity queues.
    fn setup(queues: u32, agents: usize) -> EngineSetup {
        EngineSetup {
            workstreams: vec![WorkstreamRules {
                channel: Channel::LiveChat,
                mode: RoutingMode::Push,
                capacity_units: 50,
                allowed_presences: PresenceSet::DEFAULT,
                block_capacity_for_wrap_up: crate::model::WrapUpBlock::Always,
            }],
            queues: (0..queues)
                .map(|q| QueueSetup {
                    workstream: WorkstreamId(0),
                    method: AssignmentMethod::HighestCapacity,
                    priority: 1 + q % 3,
                })
                .collect(),
            agents: (0..agents)
                .map(|i| AgentSetup {
                    capacity: 100,
                    queues: (0..queues).rev().map(QueueId).collect(),
                    on_shift: i % 5 != 0,
                })
                .collect(),
            ..EngineSetup::default()
        }
    }

    #[test]
    fn building_gives_up_when_asked_and_not_otherwise() {
        let asked = std::cell::Cell::new(0);
        let stop_at_third = || {
            asked.set(asked.get() + 1);
            asked.get() >= 3
        };
        assert!(Engine::new_until(setup(4, 3000), &stop_at_third).is_none());
        assert_eq!(asked.get(), 3, "asked per 1,024 agents, then per queue");
        let built = Engine::new_until(setup(4, 3000), &|| false).expect("never stopped");
        assert_eq!(built, Engine::new(setup(4, 3000)));
        assert!(built.check_invariants().is_empty());
    }

    #[test]
    fn member_positions_set_while_building_are_the_placed_ones() {
        let e = Engine::new(setup(7, 40));
        let mut placed = e.clone();
        for q in 0..7 {
            placed.place_members(QueueId(q));
        }
        assert_eq!(e, placed);
        assert!(e.check_invariants().is_empty());
    }

    #[test]
    fn the_invariant_check_sees_a_broken_membership() {
        let e = Engine::new(setup(5, 12));
        let mut pos = e.clone();
        pos.agents[3].places[2].member_pos += 1;
        assert!(
            !pos.check_invariants().is_empty(),
            "a wrong member position"
        );
        let mut lookup = e.clone();
        lookup.agents[4].slots.swap(0, 1);
        assert!(
            !lookup.check_invariants().is_empty(),
            "a slot lookup out of order"
        );
        let mut extra = e.clone();
        extra.queues[1].members.push(AgentId(0));
        assert!(!extra.check_invariants().is_empty(), "a member twice");
        let mut key = e;
        key.agents[1].places[0].key = None;
        assert!(
            !key.check_invariants().is_empty(),
            "an eligible agent without its key"
        );
    }
}
