//! Shared helpers for the engine tests: small hand-built worlds, and a [`World`] that runs
//! commands, checks the invariants after every one, and checks that a refused command changed
//! nothing.

use omnisim::engine::{
    AgentSetup, Command, ConvId, Effect, Engine, EngineSetup, InviteId, QueueSetup, RuleId,
    SupervisorSetup,
};
use omnisim::model::{
    AgentId, AssignmentMethod, Channel, PresenceSet, QueueId, RoutingMode, SupervisorId,
    WorkstreamId, WorkstreamRules, WrapUpBlock,
};
use omnisim::time::SimTime;

/// A work stream of `channel` in `mode`, `units` per conversation, default presences, wrap-up
/// holds units.
pub fn ws(channel: Channel, mode: RoutingMode, units: u32) -> WorkstreamRules {
    WorkstreamRules {
        channel,
        mode,
        capacity_units: units,
        allowed_presences: PresenceSet::DEFAULT,
        block_capacity_for_wrap_up: WrapUpBlock::Always,
    }
}

/// A queue of work stream `w`.
pub fn queue(w: u32, method: AssignmentMethod, priority: u32) -> QueueSetup {
    QueueSetup {
        workstream: WorkstreamId(w),
        method,
        priority,
    }
}

/// An on-shift agent of `capacity` units in `queues`.
pub fn agent(capacity: u32, queues: &[u32]) -> AgentSetup {
    AgentSetup {
        capacity,
        queues: queues.iter().map(|&q| QueueId(q)).collect(),
        on_shift: true,
    }
}

/// A supervisor over `queues`, working as no agent.
pub fn supervisor(queues: &[u32]) -> SupervisorSetup {
    SupervisorSetup {
        queues: queues.iter().map(|&q| QueueId(q)).collect(),
        agent: None,
    }
}

/// One live-chat queue `Q0` (push, `method`), one agent per capacity in `caps`, all members, and
/// one supervisor `S0` over `Q0`. Default engine config.
pub fn one_queue(method: AssignmentMethod, units: u32, caps: &[u32]) -> EngineSetup {
    EngineSetup {
        workstreams: vec![ws(Channel::LiveChat, RoutingMode::Push, units)],
        queues: vec![queue(0, method, 1)],
        agents: caps.iter().map(|&c| agent(c, &[0])).collect(),
        supervisors: vec![supervisor(&[0])],
        ..EngineSetup::default()
    }
}

/// As [`one_queue`] but the queue is in pick mode, so nothing is routed automatically: the
/// world for supervisor assignments.
pub fn pick_queue(units: u32, caps: &[u32]) -> EngineSetup {
    let mut s = one_queue(AssignmentMethod::HighestCapacity, units, caps);
    s.workstreams[0].mode = RoutingMode::Pick;
    s
}

/// Shorthands for ids.
pub const Q0: QueueId = QueueId(0);
/// Queue 1.
pub const Q1: QueueId = QueueId(1);
/// Agent 0.
pub const A0: AgentId = AgentId(0);
/// Agent 1.
pub const A1: AgentId = AgentId(1);
/// Agent 2.
pub const A2: AgentId = AgentId(2);
/// Supervisor 0.
pub const S0: SupervisorId = SupervisorId(0);
/// Supervisor 1.
pub const S1: SupervisorId = SupervisorId(1);

/// An engine under test, with the clock, the last command's effects and every effect so far.
#[derive(Debug)]
pub struct World {
    /// The engine.
    pub e: Engine,
    /// The current time in ms (set with [`World::at`]).
    pub now: u64,
    /// Effects of the last command.
    pub fx: Vec<Effect>,
    /// Every effect so far.
    pub log: Vec<Effect>,
}

impl World {
    /// A world built from `setup`; the invariants must hold at once.
    pub fn new(setup: EngineSetup) -> World {
        let e = Engine::new(setup);
        assert_invariants(&e, "new");
        World {
            e,
            now: 0,
            fx: Vec::new(),
            log: Vec::new(),
        }
    }

    /// Moves the clock to `ms` (never backwards).
    pub fn at(&mut self, ms: u64) -> &mut Self {
        assert!(ms >= self.now, "time goes forward");
        self.now = ms;
        self
    }

    /// Runs `cmd`, checks the invariants, and returns its outcome. A refused command must leave
    /// the engine equal to its state before and report no effect.
    pub fn try_run(&mut self, cmd: Command) -> Result<(), RuleId> {
        let before = self.e.clone();
        self.fx.clear();
        let r = self.e.apply(SimTime(self.now), cmd, &mut self.fx);
        assert_invariants(&self.e, &format!("{cmd:?}"));
        if r.is_err() {
            assert!(
                self.e == before,
                "refused {cmd:?} ({r:?}) changed the engine"
            );
            assert!(
                self.fx.is_empty(),
                "refused {cmd:?} had effects {:?}",
                self.fx
            );
        }
        self.log.extend_from_slice(&self.fx);
        r
    }

    /// Runs `cmd`, which must be accepted; returns its effects.
    pub fn ok(&mut self, cmd: Command) -> Vec<Effect> {
        if let Err(r) = self.try_run(cmd) {
            panic!("{cmd:?} refused with {r}");
        }
        self.fx.clone()
    }

    /// Runs `cmd`, which must be refused with `rule` and change nothing.
    pub fn refused(&mut self, cmd: Command, rule: RuleId) {
        match self.try_run(cmd) {
            Err(r) => assert_eq!(r, rule, "{cmd:?} refused with {r}, expected {rule}"),
            Ok(()) => panic!("{cmd:?} accepted, expected refusal {rule}"),
        }
    }

    /// A conversation arrives in `q`.
    pub fn arrive(&mut self, q: QueueId) -> ConvId {
        let fx = self.ok(Command::Arrive(q, Default::default()));
        match fx[0] {
            Effect::Arrived { conv, queue } if queue == q => conv,
            ref other => panic!("arrive reported {other:?} first"),
        }
    }

    /// The invitation pending for `conv` (the last one sent), as reported by the effects.
    pub fn invite(&self, conv: ConvId) -> Option<(AgentId, InviteId)> {
        let (agent, invite) = self.log.iter().rev().find_map(|e| match *e {
            Effect::Invited {
                conv: c,
                agent,
                invite,
                ..
            } if c == conv => Some((agent, invite)),
            _ => None,
        })?;
        (self.e.conversation(conv)?.invited == Some(agent)).then_some((agent, invite))
    }

    /// The invited agent accepts `conv`; returns that agent.
    pub fn accept(&mut self, conv: ConvId) -> AgentId {
        let (agent, invite) = self.invite(conv).expect("an invitation is pending");
        self.ok(Command::Accept(conv, invite));
        agent
    }

    /// Arrives in `q` and the invited agent accepts; returns both.
    pub fn serve(&mut self, q: QueueId) -> (ConvId, AgentId) {
        let c = self.arrive(q);
        let a = self.accept(c);
        (c, a)
    }

    /// Whether the last command invited anyone to `conv`.
    pub fn invited_now(&self, conv: ConvId) -> Option<AgentId> {
        self.fx.iter().find_map(|e| match *e {
            Effect::Invited { conv: c, agent, .. } if c == conv => Some(agent),
            _ => None,
        })
    }

    /// The agent's used units.
    pub fn used(&self, a: AgentId) -> i64 {
        self.e.agent(a).used
    }
}

/// Panics with every broken invariant.
pub fn assert_invariants(e: &Engine, after: &str) {
    let breaks = e.check_invariants();
    assert!(
        breaks.is_empty(),
        "after {after}: invariants broken: {breaks:?}"
    );
}
