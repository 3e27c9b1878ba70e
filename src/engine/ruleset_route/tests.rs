//! Unit tests of the rule cells' upkeep: the incremental re-keys leave every cell's index equal
//! to one rebuilt from scratch.

use crate::engine::index::RoutingIndex;
use crate::engine::{
    AgentSetup, AssignmentRule, Effect, Engine, EngineSetup, OrderBy, QueueRulesets, QueueSetup,
    RuleSkills, RulesetSetup, SkillSetup,
};
use crate::model::{
    AgentId, AssignmentMethod, Channel, Presence, PresenceSet, QueueId, RoutingMode, WorkstreamId,
    WorkstreamRules,
};
use crate::time::SimTime;

/// Two push queues of one work stream (25 units) with every order-by among their rules (one
/// rule available agents only, one in agent group 1 only), twelve agents of capacity 100 in one
/// or both queues, in two agent groups, with three skill profiles.
fn engine() -> Engine {
    let rule = |skills, presences, groups, order_by| AssignmentRule {
        skills,
        presences,
        groups,
        order_by,
    };
    let available = PresenceSet::of(&[Presence::Available]);
    let profiles: [&[(u16, u8)]; 3] = [&[(0, 5), (1, 3)], &[(0, 2)], &[(1, 7)]];
    Engine::new(EngineSetup {
        workstreams: vec![WorkstreamRules {
            channel: Channel::LiveChat,
            mode: RoutingMode::Push,
            capacity_units: 25,
            allowed_presences: PresenceSet::DEFAULT,
            block_capacity_for_wrap_up: crate::model::WrapUpBlock::Always,
        }],
        queues: (0..2)
            .map(|_| QueueSetup {
                workstream: WorkstreamId(0),
                method: AssignmentMethod::HighestCapacity,
                priority: 1,
            })
            .collect(),
        agents: (0..12)
            .map(|i| AgentSetup {
                capacity: 100,
                queues: match i % 3 {
                    0 => vec![QueueId(0)],
                    1 => vec![QueueId(1)],
                    _ => vec![QueueId(0), QueueId(1)],
                },
                on_shift: true,
            })
            .collect(),
        skills: SkillSetup {
            enabled: true,
            agent_skills: (0..12).map(|i| profiles[i % 3].to_vec()).collect(),
            matching: vec![Default::default()],
        },
        rulesets: RulesetSetup {
            agent_groups: (0..12).map(|i| (i / 6) as u32).collect(),
            queues: vec![
                QueueRulesets {
                    prioritization: vec![],
                    assignment: vec![
                        rule(RuleSkills::Exact, available, None, OrderBy::MostProficient),
                        rule(
                            RuleSkills::Any,
                            PresenceSet::DEFAULT,
                            None,
                            OrderBy::AvailableCapacity,
                        ),
                    ],
                },
                QueueRulesets {
                    prioritization: vec![],
                    assignment: vec![
                        rule(
                            RuleSkills::Any,
                            PresenceSet::DEFAULT,
                            Some(vec![1]),
                            OrderBy::LeastActive,
                        ),
                        rule(
                            RuleSkills::Closest,
                            PresenceSet::DEFAULT,
                            None,
                            OrderBy::RoundRobin,
                        ),
                        rule(
                            RuleSkills::Any,
                            PresenceSet::DEFAULT,
                            None,
                            OrderBy::NearestProficient,
                        ),
                    ],
                },
            ],
        },
        ..EngineSetup::default()
    })
}

/// How many rule cells differ from the index rebuilt from scratch (each member's
/// [`cell_key`](Engine::cell_key) now), over every queue, rule and group.
fn cells_out_of_step(e: &Engine) -> usize {
    let mut out = 0;
    for (qi, q) in e.queues.iter().enumerate() {
        let Some(qs) = q.skills.as_ref() else {
            continue;
        };
        for pool in &qs.rules {
            for cell in &pool.cells {
                let mut fresh = RoutingIndex::default();
                fresh.rebuild(cell.members.iter().map(|m| {
                    let slot = e.agents[m.index()]
                        .slot_of(QueueId(qi as u32))
                        .expect("a member lists its queue");
                    e.cell_key(*m, slot, &pool.rule)
                }));
                out += (fresh != cell.index) as usize;
            }
        }
    }
    out
}

/// Arrivals, acceptances, refusals, ends, releases and presences set by hand, in a
/// pseudo-random order: after every command each rule cell's index (leaves and every inner
/// node) is the one rebuilt from scratch, and the invariants hold (issue 28, tenth round: the
/// queue's key and the rule cells' keys are re-keyed in one pass per place).
#[test]
fn rule_cells_after_any_changes_equal_a_rebuild() {
    let mut e = engine();
    let reqs = [
        e.requirement(&[(0, 4)]),
        e.requirement(&[(1, 3)]),
        e.requirement(&[]),
    ];
    let mut x: u64 = 11;
    let mut next = |m: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    let (mut invited, mut active, mut ended) = (Vec::new(), Vec::new(), Vec::new());
    let (mut fx, mut accepted) = (Vec::new(), 0);
    for i in 0..600u64 {
        let now = SimTime(1_000 * i);
        fx.clear();
        match next(8) {
            0..=2 => {
                let q = QueueId(next(2) as u32);
                e.arrive_with(now, q, reqs[next(3) as usize], &mut fx);
            }
            3 if !invited.is_empty() => {
                let (c, inv) = invited.remove(next(invited.len() as u64) as usize);
                if e.accept(now, c, inv, &mut fx).is_ok() {
                    active.push(c);
                    accepted += 1;
                }
            }
            4 if !invited.is_empty() => {
                let (c, inv) = invited.remove(0);
                let _ = e.reject(now, c, inv, &mut fx);
            }
            5 if !active.is_empty() => {
                let c = active.remove(next(active.len() as u64) as usize);
                let _ = e.end(now, c, &mut fx);
                ended.push(c);
            }
            6 if !ended.is_empty() => {
                let c = ended.remove(0);
                let _ = e.release_wrap_up(now, c, &mut fx);
            }
            _ => {
                let a = AgentId(next(12) as u32);
                let p = [None, Some(Presence::Away), Some(Presence::BusyDnd)][next(3) as usize];
                let _ = e.set_presence(now, a, p, &mut fx);
            }
        }
        for f in &fx {
            if let Effect::Invited { conv, invite, .. } = f {
                invited.push((*conv, *invite));
            }
        }
        assert_eq!(cells_out_of_step(&e), 0, "after command {i}");
        assert!(
            e.check_invariants().is_empty(),
            "after command {i}: {:?}",
            e.check_invariants()
        );
    }
    assert!(accepted > 30, "only {accepted} acceptances");
}

/// A queue with assignment rules never ranks by its method, so its own index keys each eligible
/// member in member order, `(0, 0, id)`: a key that moves only with eligibility, not with free
/// units or the last assignment (issue 28, twelfth round: the queue's leaf was rewritten at
/// most re-keys for a key nothing reads).
#[test]
fn a_ruled_queues_own_index_keys_members_in_member_order() {
    let mut e = engine();
    let req = e.requirement(&[]);
    let mut fx = Vec::new();
    for i in 0..6 {
        e.arrive_with(SimTime(i), QueueId((i % 2) as u32), req, &mut fx);
    }
    let invites: Vec<_> = fx
        .iter()
        .filter_map(|f| match f {
            Effect::Invited { conv, invite, .. } => Some((*conv, *invite)),
            _ => None,
        })
        .collect();
    assert!(invites.len() >= 4, "{} invitations", invites.len());
    for (c, inv) in invites {
        e.accept(SimTime(10), c, inv, &mut fx).expect("accepted");
    }
    let mut eligible = 0;
    for (i, a) in e.agents.iter().enumerate() {
        for place in &a.places {
            if let Some(k) = place.key {
                assert_eq!(k, (0, 0, i as u32), "agent {i} in queue {:?}", place.queue);
                eligible += 1;
            }
            let q = &e.queues[place.queue.index()];
            assert_eq!(q.index.key_at(place.member_pos as usize), place.key);
        }
    }
    // Agents with units left after an acceptance stay eligible.
    assert!(eligible > 0);
    assert!(
        e.check_invariants().is_empty(),
        "{:?}",
        e.check_invariants()
    );
}
