//! Fuzz harnesses: the checks the coverage-guided fuzz targets in `fuzz/` run on every input, kept
//! in the library so the fuzz targets and the corpus replay test (`tests/integration/fuzz_replay.rs`)
//! run exactly the same code.
//!
//! Key items: [`scenario_bytes`] (any bytes → a clear error or a valid scenario; small valid ones
//! are also simulated with every invariant checked) and [`engine_bytes`] (bytes → a small engine
//! and a command sequence; after every command the invariants hold, and a refused command leaves
//! the engine equal to its clone).
//!
//! Each returns `Err(description)` when a check fails; a panic inside the library propagates as
//! a panic. The fuzz targets turn an `Err` into a panic so the fuzzer records the input.
//!
//! ```
//! assert!(omnisim::harness::scenario_bytes(b"[scenario]\nname = 1\n").is_ok());
//! assert!(omnisim::harness::engine_bytes(&[7; 64]).is_ok());
//! ```

use crate::engine::{
    AgentSetup, AssignmentRule, AttrCondition, Command, ConvId, Effect, Engine, EngineConfig,
    EngineSetup, InviteId, OrderBy, Overallocation, QueueRulesets, QueueSetup, RuleSkills,
    RulesetSetup, SkillMatching, SkillSetup, SupervisorSetup,
};
use crate::model::{
    AgentId, AssignmentMethod, Channel, ConvState, MessageMode, Presence, PresenceSet, QueueId,
    RoutingMode, SupervisorId, WorkstreamId, WorkstreamRules, WrapUpBlock,
};
use crate::scenario::{self, Action, AgentPick, Arrivals, LoadError, Scenario};
use crate::sim::{self, RunOptions};
use crate::time::{SimDuration, SimTime};

/// The origin name diagnostics carry in [`scenario_bytes`].
const ORIGIN: &str = "fuzz.toml";

/// Loads `data` as a scenario. Invalid UTF-8 or an invalid scenario must give a [`LoadError`]
/// whose every diagnostic is well formed (names the origin, has a message, a position inside the
/// text, one line each). A valid scenario must have every reference resolved and build an engine
/// whose invariants hold; a small one (see [`cheap`]) is simulated for one replication with the
/// invariants checked after every event, and must conserve conversations.
pub fn scenario_bytes(data: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    match scenario::load_str(text, ORIGIN) {
        Err(e) => check_error(text, &e),
        Ok(sc) => check_scenario(&sc),
    }
}

fn check_error(text: &str, e: &LoadError) -> Result<(), String> {
    if e.diagnostics.is_empty() {
        return Err("an error with no diagnostic".into());
    }
    let lines = text.split('\n').count();
    for d in &e.diagnostics {
        if d.file != ORIGIN {
            return Err(format!(
                "diagnostic names {:?}, not the origin: {d}",
                d.file
            ));
        }
        if d.message.trim().is_empty() {
            return Err(format!("empty message: {d:?}"));
        }
        if d.line.is_some_and(|l| l == 0 || l > lines) || d.column == Some(0) {
            return Err(format!("position outside the text ({lines} lines): {d:?}"));
        }
        if d.to_string().contains('\n') {
            return Err(format!("a diagnostic spans several lines: {d:?}"));
        }
    }
    Ok(())
}

/// Whether a valid scenario is small enough to simulate inside a fuzz iteration: few agents and
/// arrivals, a short run, and no timer firing more often than every few minutes.
pub fn cheap(sc: &Scenario) -> bool {
    const DAY_MS: u64 = 24 * 3_600_000;
    let span = sc
        .horizon
        .as_millis()
        .saturating_add(sc.drain_limit.as_millis());
    let h = sc.horizon.as_secs_f64();
    let arrivals: f64 = sc
        .queues
        .iter()
        .map(|q| match &q.arrivals {
            Arrivals::Rate(r) => r * h,
            Arrivals::Profile(p) => p.iter().map(|x| x.1).fold(0.0, f64::max) * h,
            Arrivals::Times(t) => t.len() as f64,
            Arrivals::None => 0.0,
        })
        .sum();
    let min = SimDuration::from_secs(300);
    span <= DAY_MS
        && sc.agent_count() <= 20
        && arrivals <= 200.0
        && sc
            .supervisors
            .iter()
            .all(|s| s.policies.iter().all(|p| p.every >= min) && s.script.len() <= 50)
        && sc.agent_groups.iter().all(|g| {
            g.breaks.is_none_or(|b| b.every >= min)
                && g.disconnects.as_ref().is_none_or(|d| d.every >= min)
        })
}

fn check_scenario(sc: &Scenario) -> Result<(), String> {
    let (nw, nq, na) = (sc.workstreams.len(), sc.queues.len(), sc.agent_count());
    let agent_ok = |a: AgentId| a.index() < na;
    let queue_ok = |q: QueueId| q.index() < nq;
    for q in &sc.queues {
        if q.workstream.index() >= nw {
            return Err(format!("queue {} has an unresolved work stream", q.name));
        }
    }
    let mut first = 0;
    for g in &sc.agent_groups {
        if g.first.0 as usize != first || !g.queues.iter().all(|&q| queue_ok(q)) {
            return Err(format!("agent group {} has unresolved references", g.name));
        }
        first += g.count as usize;
    }
    for s in &sc.supervisors {
        let actions = s
            .policies
            .iter()
            .map(|p| &p.action)
            .chain(s.script.iter().map(|l| &l.action));
        let action_ok = |a: &Action| match a {
            Action::AssignToAgent(AgentPick::Named(x))
            | Action::TransferToAgent(AgentPick::Named(x)) => agent_ok(*x),
            Action::AssignToQueue(q) => queue_ok(*q),
            _ => true,
        };
        let resolved = s.queues.iter().all(|&q| queue_ok(q))
            && s.agent.is_none_or(agent_ok)
            && s.script.iter().all(|l| queue_ok(l.target.queue))
            && s.policies.iter().all(|p| {
                p.when
                    .queues
                    .as_ref()
                    .is_none_or(|qs| qs.iter().all(|&q| queue_ok(q)))
            })
            && actions.clone().all(action_ok);
        if !resolved {
            return Err(format!("supervisor {} has unresolved references", s.name));
        }
    }
    if na > 100_000 {
        return Ok(());
    }
    let engine = Engine::new(crate::setup::engine_setup(sc));
    let breaks = engine.check_invariants();
    if !breaks.is_empty() {
        return Err(format!("a fresh engine breaks invariants: {breaks:?}"));
    }
    if !cheap(sc) {
        return Ok(());
    }
    let opts = RunOptions {
        replications: Some(1),
        check_invariants: true,
        ..RunOptions::default()
    };
    let out = sim::run(sc, &opts, &|_, _, _| {});
    let report = crate::report::Report::build(sc, &out);
    let s = &report.summary;
    if s.invariant_violations != 0 {
        return Err(format!("{} invariant violations", s.invariant_violations));
    }
    let c = &s.conversations;
    if c.arrived != c.closed + c.in_system_at_end {
        return Err(format!("conversations not conserved: {c:?}"));
    }
    serde_json::to_string(s).map_err(|e| format!("summary does not serialize: {e}"))?;
    Ok(())
}

/// A reader of fuzz bytes that yields zeros once the input is used up.
#[derive(Debug)]
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        self.u8() as usize % n
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

const METHODS: [AssignmentMethod; 4] = [
    AssignmentMethod::HighestCapacity,
    AssignmentMethod::AdvancedRoundRobin,
    AssignmentMethod::RoundRobin,
    AssignmentMethod::LeastActive,
];

/// Decodes a small engine: up to 4 work streams, 4 queues, 8 agents and 3 supervisors.
fn decode_setup(b: &mut Bytes<'_>) -> EngineSetup {
    let flags = b.u8();
    let bit = |i: u8| flags & (1 << i) != 0;
    let over = b.u8();
    let config = EngineConfig {
        assign_enabled: !bit(0),
        monitor_enabled: !bit(1),
        transfer_enabled: !bit(2),
        force_close_enabled: bit(3),
        monitor_waiting: bit(4),
        monitor_channels: b.u8(),
        overallocation: match over % 3 {
            0 => Overallocation::Allow,
            1 => Overallocation::Deny,
            _ => Overallocation::UpTo(u32::from(over / 3)),
        },
        assign_overrides_presence: bit(5),
        reserve_on_invite: bit(6),
        refusals_before_skip: 1 + b.below(4) as u32,
        notification_timeout: SimDuration::from_secs(1 + b.below(200) as u64),
        max_consultants: b.below(4) as u32,
    };
    let nw = 1 + b.below(4);
    let workstreams = (0..nw)
        .map(|_| {
            let x = b.u8();
            WorkstreamRules {
                channel: Channel::ALL[x as usize % Channel::ALL.len()],
                mode: if x & 0x80 != 0 {
                    RoutingMode::Pick
                } else {
                    RoutingMode::Push
                },
                capacity_units: u32::from(b.u8()) + 1,
                allowed_presences: PresenceSet(b.u8() | Presence::Available.bit()),
                block_capacity_for_wrap_up: match (x >> 4) & 3 {
                    0 | 3 => WrapUpBlock::Always,
                    1 => WrapUpBlock::Never,
                    _ => WrapUpBlock::For(SimDuration::from_secs(30)),
                },
            }
        })
        .collect();
    let nq = 1 + b.below(4);
    let queues = (0..nq)
        .map(|_| QueueSetup {
            workstream: WorkstreamId(b.below(nw) as u32),
            method: METHODS[b.below(4)],
            priority: b.below(3) as u32,
        })
        .collect();
    let mask = |bits: u8| -> Vec<QueueId> {
        (0..nq)
            .filter(|q| bits & (1 << q) != 0)
            .map(|q| QueueId(q as u32))
            .collect()
    };
    let na = 1 + b.below(8);
    let agents = (0..na)
        .map(|_| {
            let x = b.u8();
            AgentSetup {
                capacity: u32::from(b.u8()) + 1,
                queues: mask(x),
                on_shift: x & 0x80 == 0,
            }
        })
        .collect();
    let supervisors = (0..3)
        .map(|_| {
            let x = b.u8();
            SupervisorSetup {
                queues: mask(x | 1),
                agent: (x & 0x80 != 0).then(|| AgentId(b.below(na) as u32)),
            }
        })
        .collect();
    // Flag bit 7: skills, prioritization and assignment rules from more bytes.
    let (skills, rulesets) = if bit(7) {
        decode_routing(b, na, nq)
    } else {
        Default::default()
    };
    EngineSetup {
        config,
        workstreams,
        queues,
        agents,
        supervisors,
        skills,
        open_views: false,
        rulesets,
    }
}

/// Decodes skills (two skills, ratings 1–5, per agent), three agent groups, and per queue up
/// to two prioritization conditions on attribute 0 and up to three assignment rules.
fn decode_routing(b: &mut Bytes<'_>, na: usize, nq: usize) -> (SkillSetup, RulesetSetup) {
    let agent_skills = (0..na)
        .map(|_| {
            let x = b.u8();
            let mut s = Vec::new();
            if x & 1 != 0 {
                s.push((0, 1 + (x >> 1) % 5));
            }
            if x & 0x40 != 0 {
                s.push((1, 1 + (x >> 4) % 3));
            }
            s
        })
        .collect();
    let skills = SkillSetup {
        enabled: true,
        agent_skills,
        matching: (0..4)
            .map(|_| match b.below(3) {
                0 => SkillMatching::Exact,
                1 => SkillMatching::Closest,
                _ => SkillMatching::None,
            })
            .collect(),
    };
    let queues = (0..nq)
        .map(|_| {
            let prioritization = (0..b.below(3))
                .map(|_| {
                    let v = b.u8();
                    AttrCondition(vec![(0, (0..3).filter(|i| v & (1 << i) != 0).collect())])
                })
                .collect();
            let assignment = (0..b.below(4))
                .map(|_| {
                    let x = b.u8();
                    AssignmentRule {
                        skills: [RuleSkills::Exact, RuleSkills::Closest, RuleSkills::Any]
                            [x as usize % 3],
                        presences: PresenceSet(b.u8() | Presence::Available.bit()),
                        groups: (x & 0x80 != 0).then(|| vec![u32::from(x >> 3) % 3]),
                        order_by: OrderBy::ALL[b.below(OrderBy::ALL.len())],
                    }
                })
                .collect();
            QueueRulesets {
                prioritization,
                assignment,
            }
        })
        .collect();
    let rulesets = RulesetSetup {
        agent_groups: (0..na as u32).map(|a| a % 3).collect(),
        queues,
    };
    (skills, rulesets)
}

/// What the run has seen, to aim commands at real conversations and invitations.
#[derive(Debug, Default)]
struct History {
    convs: Vec<ConvId>,
    live: Vec<ConvId>,
    pending: Vec<(ConvId, InviteId)>,
    spent: Vec<(ConvId, InviteId)>,
}

impl History {
    fn conv(&self, sel: u8) -> ConvId {
        let from = if sel & 0xC0 != 0 && !self.live.is_empty() {
            &self.live
        } else {
            &self.convs
        };
        from.get(sel as usize % from.len().max(1))
            .copied()
            .unwrap_or(ConvId { slot: 0, gen: 0 })
    }

    fn conv_in(&self, e: &Engine, sel: u8, state: ConvState) -> ConvId {
        if sel & 0xE0 != 0 {
            let fit: Vec<ConvId> = self
                .live
                .iter()
                .copied()
                .filter(|c| e.conversation(*c).is_some_and(|v| v.state == state))
                .collect();
            if !fit.is_empty() {
                return fit[sel as usize % fit.len()];
            }
        }
        self.conv(sel)
    }

    fn invite(&self, sel: u8, conv_sel: u8) -> (ConvId, InviteId) {
        if sel < 200 && !self.pending.is_empty() {
            self.pending[sel as usize % self.pending.len()]
        } else if sel < 230 && !self.spent.is_empty() {
            self.spent[sel as usize % self.spent.len()]
        } else {
            (self.conv(conv_sel), InviteId(u64::from(sel) % 40))
        }
    }

    fn record(&mut self, f: &Effect) {
        match *f {
            Effect::Arrived { conv, .. } => {
                self.convs.push(conv);
                self.live.push(conv);
            }
            Effect::Closed { conv, .. } => {
                self.live.retain(|c| *c != conv);
                self.pending.retain(|p| p.0 != conv);
            }
            Effect::Invited { conv, invite, .. } => {
                self.spent.push((conv, invite));
                self.pending.push((conv, invite));
            }
            Effect::InviteWithdrawn { invite, .. } => self.pending.retain(|p| p.1 != invite),
            Effect::Refusal { conv, .. } | Effect::Accepted { conv, .. } => {
                self.pending.retain(|p| p.0 != conv)
            }
            _ => {}
        }
    }
}

/// Decodes one command from four bytes, aimed by the history.
fn decode_command(e: &Engine, h: &History, [kind, x, y, z]: [u8; 4]) -> Command {
    let nq = e.queue_count() as u32;
    let na = e.agent_count() as u32;
    let q = QueueId(u32::from(y) % nq);
    let a = AgentId(u32::from(z) % na);
    let s = SupervisorId(u32::from(x) % 3);
    let mode = if y & 1 == 0 {
        MessageMode::Internal
    } else {
        MessageMode::Public
    };
    match kind % 25 {
        0..=2 => Command::Arrive(QueueId(u32::from(x) % nq), Default::default()),
        3..=6 => {
            let (c, i) = h.invite(y, x);
            Command::Accept(c, i)
        }
        7 => {
            let (c, i) = h.invite(y, x);
            Command::Reject(c, i)
        }
        8 => {
            let (c, i) = h.invite(y, x);
            Command::Timeout(c, i)
        }
        9 => Command::Pick(a),
        10 => Command::End(h.conv_in(e, x, ConvState::Active)),
        11 => Command::ReleaseWrapUp(h.conv_in(e, x, ConvState::WrapUp)),
        12 => Command::Close(h.conv_in(e, x, ConvState::WrapUp)),
        13 => match y % 3 {
            0 => Command::SetWaiting(h.conv_in(e, x, ConvState::Active)),
            1 => Command::Resume(h.conv_in(e, x, ConvState::Waiting)),
            _ => Command::CustomerReturn(h.conv_in(e, x, ConvState::Waiting)),
        },
        14 => match y % 3 {
            0 => Command::Release(h.conv_in(e, x, ConvState::Active)),
            1 => Command::Abandon(h.conv_in(e, x, ConvState::Open)),
            _ => Command::AutoClose(h.conv(x)),
        },
        15 => Command::SetPresence(a, (y % 7 < 5).then(|| Presence::ALL[y as usize % 7 % 5])),
        16 if y & 0x80 == 0 => Command::JoinQueue(a, q),
        16 => Command::LeaveQueue(a, q),
        17 | 18 => Command::Monitor(s, h.conv_in(e, y, ConvState::Active)),
        19 => Command::Join(s, h.conv_in(e, z, ConvState::Active), mode),
        20 | 21 => Command::AssignToAgent(
            s,
            h.conv_in(e, y, ConvState::Open),
            AgentId(u32::from(z) % (na + 1)),
        ),
        22 => Command::AssignToQueue(
            s,
            h.conv_in(e, z, ConvState::Open),
            QueueId(u32::from(y) % (nq + 1)),
        ),
        23 => Command::Transfer(s, h.conv_in(e, y, ConvState::Active), a),
        _ => Command::ForceClose(s, h.conv(y)),
    }
}

/// The most commands one input runs (5 bytes each).
pub const MAX_COMMANDS: usize = 4096;

/// Decodes `data` into a small engine and a command sequence (each command five bytes: four to
/// choose it, one to advance the clock), runs it, and checks after every command: no invariant
/// broken, a refused command changed nothing and reported no effect, and conversations are
/// conserved (arrived = closed + live, also counted from the effects).
pub fn engine_bytes(data: &[u8]) -> Result<(), String> {
    let mut b = Bytes(data);
    let setup = decode_setup(&mut b);
    let routed = setup.skills.enabled;
    let mut e = Engine::new(setup);
    let breaks = e.check_invariants();
    if !breaks.is_empty() {
        return Err(format!("a fresh engine breaks invariants: {breaks:?}"));
    }
    let mut h = History::default();
    let (mut arrived, mut closed, mut now) = (0u64, 0u64, 0u64);
    let mut fx = Vec::new();
    for _ in 0..MAX_COMMANDS {
        if b.is_empty() {
            break;
        }
        let sel = [b.u8(), b.u8(), b.u8(), b.u8()];
        now += u64::from(b.u8()) * 250;
        let cmd = decode_command(&e, &h, sel);
        let before = e.clone();
        fx.clear();
        let r = match cmd {
            // With skills and rulesets, arrivals carry a requirement and an attribute set.
            Command::Arrive(q, _) if routed => {
                let [_, _, y, z] = sel;
                let req = match y % 4 {
                    0 => Vec::new(),
                    1 => vec![(0, 1 + z % 5)],
                    2 => vec![(1, 1 + z % 3)],
                    _ => vec![(0, 1 + z % 5), (1, 1 + (z >> 4) % 3)],
                };
                let req = e.requirement(&req);
                let attrs = e.attributes(&[(0, u16::from(y >> 2) % 3)]);
                e.arrive_tagged(SimTime(now), q, req, attrs, &mut fx);
                Ok(())
            }
            _ => e.apply(SimTime(now), cmd, &mut fx),
        };
        let breaks = e.check_invariants();
        if !breaks.is_empty() {
            return Err(format!("after {cmd:?} → {r:?}: {breaks:?}"));
        }
        if let Err(rule) = r {
            if e != before {
                return Err(format!("refused {cmd:?} ({rule}) changed the engine"));
            }
            if !fx.is_empty() {
                return Err(format!("refused {cmd:?} ({rule}) had effects {fx:?}"));
            }
        }
        for f in &fx {
            match f {
                Effect::Arrived { .. } => arrived += 1,
                Effect::Closed { .. } => closed += 1,
                _ => {}
            }
            h.record(f);
        }
        let k = e.counters();
        if (k.arrived, k.closed) != (arrived, closed)
            || arrived != closed + e.live_conversations() as u64
        {
            return Err(format!(
                "after {cmd:?}: counters {k:?}, effects {arrived} arrived {closed} closed, {} live",
                e.live_conversations()
            ));
        }
    }
    Ok(())
}
