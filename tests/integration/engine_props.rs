//! Property tests for the engine: long random sequences of legal and illegal commands against
//! random worlds and configs. After every command the invariants hold, a refused command leaves
//! the engine equal to its state before (and reports no effect), and conversations are conserved
//! (arrived = closed + live, also as counted from the effects).

use proptest::prelude::*;

use omnisim::engine::{
    AgentSetup, Command, ConvId, Effect, Engine, EngineConfig, EngineSetup, InviteId,
    Overallocation, QueueSetup, SupervisorSetup,
};
use omnisim::model::{
    AgentId, AssignmentMethod, Channel, ConvState, MessageMode, Presence, PresenceSet, QueueId,
    RoutingMode, SupervisorId, WorkstreamId, WorkstreamRules, WrapUpBlock,
};
use omnisim::time::{SimDuration, SimTime};

const METHODS: [AssignmentMethod; 4] = [
    AssignmentMethod::HighestCapacity,
    AssignmentMethod::AdvancedRoundRobin,
    AssignmentMethod::RoundRobin,
    AssignmentMethod::LeastActive,
];

fn config() -> impl Strategy<Value = EngineConfig> {
    (
        prop::array::uniform6(any::<bool>()),
        0u8..3,
        0u32..80,
        any::<u8>(),
        1u32..4,
        0u32..3,
    )
        .prop_map(|(b, over, n, channels, skip, consultants)| EngineConfig {
            assign_enabled: b[0] || b[1],
            monitor_enabled: b[1] || b[2],
            transfer_enabled: b[2] || b[3],
            force_close_enabled: b[3],
            monitor_waiting: b[4],
            monitor_channels: channels | 1,
            overallocation: match over {
                0 => Overallocation::Allow,
                1 => Overallocation::Deny,
                _ => Overallocation::UpTo(n),
            },
            assign_overrides_presence: b[5],
            reserve_on_invite: b[0] && !b[5] || b[4] && b[2],
            refusals_before_skip: skip,
            notification_timeout: SimDuration::from_secs(120),
            max_consultants: consultants,
        })
}

fn workstream() -> impl Strategy<Value = WorkstreamRules> {
    (0usize..5, any::<bool>(), 10u32..110, 0u8..3, 0u8..3).prop_map(
        |(ch, pick, units, block, allowed)| WorkstreamRules {
            channel: Channel::ALL[ch],
            mode: if pick {
                RoutingMode::Pick
            } else {
                RoutingMode::Push
            },
            capacity_units: units,
            allowed_presences: match allowed {
                0 => PresenceSet::DEFAULT,
                1 => PresenceSet::of(&[Presence::Available]),
                _ => PresenceSet::of(&[Presence::Available, Presence::Busy, Presence::BusyDnd]),
            },
            block_capacity_for_wrap_up: match block {
                0 => WrapUpBlock::Always,
                1 => WrapUpBlock::Never,
                _ => WrapUpBlock::For(SimDuration::from_secs(30)),
            },
        },
    )
}

fn setup() -> impl Strategy<Value = EngineSetup> {
    (
        config(),
        prop::collection::vec(workstream(), 1..5),
        prop::collection::vec((any::<u8>(), 0usize..4, 0u32..3), 1..5),
        prop::collection::vec((40u32..220, any::<u8>(), any::<u8>()), 1..8),
        prop::collection::vec((any::<u8>(), any::<u8>()), 1..4),
    )
        .prop_map(|(config, workstreams, queues, agents, sups)| {
            let nw = workstreams.len();
            let nq = queues.len();
            let nag = agents.len();
            let mask = |bits: u8| -> Vec<QueueId> {
                (0..nq)
                    .filter(|q| bits & (1 << q) != 0)
                    .map(|q| QueueId(q as u32))
                    .collect()
            };
            EngineSetup {
                config,
                queues: queues
                    .iter()
                    .map(|&(w, m, p)| QueueSetup {
                        workstream: WorkstreamId((w as usize % nw) as u32),
                        method: METHODS[m],
                        priority: p,
                    })
                    .collect(),
                workstreams,
                agents: agents
                    .iter()
                    .map(|&(cap, qs, shift)| AgentSetup {
                        capacity: cap,
                        queues: mask(qs),
                        on_shift: shift % 5 != 0,
                    })
                    .collect(),
                supervisors: sups
                    .iter()
                    .map(|&(qs, ag)| SupervisorSetup {
                        queues: mask(qs | 1),
                        agent: (ag % 3 == 0).then(|| AgentId((ag as usize % nag) as u32)),
                    })
                    .collect(),
            }
        })
}

/// One step: a command kind and selectors resolved against the run's history, and a time step.
type Step = (u8, u8, u8, u8, u16);

/// The run's memory for choosing targets: every conversation that arrived (live or closed), the
/// live ones, every invitation sent and the ones still pending.
#[derive(Default)]
struct History {
    convs: Vec<ConvId>,
    live: Vec<ConvId>,
    invites: Vec<(ConvId, InviteId)>,
    pending: Vec<(ConvId, InviteId)>,
}

impl History {
    /// Mostly a live conversation, sometimes any that ever arrived (closed ones included).
    fn conv(&self, sel: u8) -> ConvId {
        let from = if sel & 0xC0 != 0 && !self.live.is_empty() {
            &self.live
        } else {
            &self.convs
        };
        if from.is_empty() {
            return ConvId { slot: 0, gen: 0 };
        }
        from[sel as usize % from.len()]
    }

    /// Usually a live conversation in `state` (when there is one), otherwise as [`History::conv`].
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

    /// Mostly a pending invitation, sometimes a spent one, sometimes a made-up one.
    fn invite(&self, sel: u8, conv_sel: u8) -> (ConvId, InviteId) {
        if sel < 200 && !self.pending.is_empty() {
            self.pending[sel as usize % self.pending.len()]
        } else if sel < 230 && !self.invites.is_empty() {
            self.invites[sel as usize % self.invites.len()]
        } else {
            (self.conv(conv_sel), InviteId(sel as u64 % 40))
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
                self.invites.push((conv, invite));
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

fn command(e: &Engine, h: &History, (kind, x, y, z, _): Step) -> Command {
    let nq = e.queue_count() as u32;
    let na = e.agent_count() as u32;
    let q = QueueId(y as u32 % nq);
    let a = AgentId(z as u32 % na);
    let s = SupervisorId(x as u32 % 3);
    let c = h.conv(x);
    let active = h.conv_in(e, x, ConvState::Active);
    let open = h.conv_in(e, x, ConvState::Open);
    let wrap = h.conv_in(e, x, ConvState::WrapUp);
    let waiting = h.conv_in(e, x, ConvState::Waiting);
    match kind % 25 {
        0..=2 => Command::Arrive(QueueId(x as u32 % nq)),
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
        10 => Command::End(active),
        11 => Command::ReleaseWrapUp(wrap),
        12 => Command::Close(wrap),
        13 => match y % 3 {
            0 => Command::SetWaiting(active),
            1 => Command::Resume(waiting),
            _ => Command::CustomerReturn(waiting),
        },
        14 => match y % 3 {
            0 => Command::Release(active),
            1 => Command::Abandon(open),
            _ => Command::AutoClose(c),
        },
        15 => Command::SetPresence(a, (y % 7 < 5).then(|| Presence::ALL[y as usize % 7 % 5])),
        16 => {
            if y & 1 == 0 {
                Command::JoinQueue(a, q)
            } else {
                Command::LeaveQueue(a, q)
            }
        }
        17 | 18 => Command::Monitor(s, active),
        19 => Command::Join(
            s,
            active,
            if y & 1 == 0 {
                MessageMode::Internal
            } else {
                MessageMode::Public
            },
        ),
        20 | 21 => Command::AssignToAgent(s, open, AgentId(z as u32 % (na + 1))),
        22 => Command::AssignToQueue(s, open, QueueId(y as u32 % (nq + 1))),
        23 => Command::Transfer(s, active, a),
        _ => Command::ForceClose(s, c),
    }
}

fn run(setup: EngineSetup, steps: &[Step]) -> Result<(), TestCaseError> {
    let mut setup = setup;
    // Supervisor selectors use `% 3`: pad to three.
    while setup.supervisors.len() < 3 {
        setup.supervisors.push(SupervisorSetup::default());
    }
    let mut e = Engine::new(setup);
    prop_assert!(e.check_invariants().is_empty());
    let mut h = History::default();
    let (mut arrived, mut closed) = (0u64, 0u64);
    let mut now = 0u64;
    let mut fx = Vec::new();
    for &step in steps {
        now += step.4 as u64;
        let cmd = command(&e, &h, step);
        let before = e.clone();
        fx.clear();
        let r = e.apply(SimTime(now), cmd, &mut fx);
        let breaks = e.check_invariants();
        prop_assert!(breaks.is_empty(), "after {:?} → {:?}: {:?}", cmd, r, breaks);
        if let Err(rule) = r {
            prop_assert!(
                e == before,
                "refused {:?} ({}) changed the engine",
                cmd,
                rule
            );
            prop_assert!(fx.is_empty(), "refused {:?} had effects", cmd);
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
        prop_assert_eq!(k.arrived, arrived);
        prop_assert_eq!(k.closed, closed);
        prop_assert_eq!(arrived, closed + e.live_conversations() as u64);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn random_commands_keep_the_engine_sound(
        setup in setup(),
        steps in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), 0u16..4000), 200..800),
    ) {
        run(setup, &steps)?;
    }
}
