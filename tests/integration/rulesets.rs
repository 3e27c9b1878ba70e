//! Issue 13, custom assignment: RT-RULESET (assignment rules: skill, presence and group
//! conditions, every order-by, rule order, the tie rule) and RT-PRIORITIZE (buckets, FIFO inside,
//! pick mode, re-bucketing on transfer) — table-driven engine tests, with the invariants checked
//! after every command.

use omnisim::engine::{
    AgentSetup, AssignmentRule, AttrCondition, AttrId, ConvId, Effect, Engine, EngineSetup,
    InviteId, OrderBy, QueueRulesets, RuleSkills, RulesetSetup, SkillSetup,
};
use omnisim::model::{
    AgentId, AssignmentMethod, Channel, Presence, PresenceSet, QueueId, RoutingMode,
};
use omnisim::time::SimTime;

use crate::support::{queue, ws};

const ES: u16 = 0;
const BILL: u16 = 1;
const TECH: u16 = 2;

/// One agent: capacity, group number, skills.
type A = (u32, u32, &'static [(u16, u8)]);

fn rule(skills: RuleSkills, order_by: OrderBy) -> AssignmentRule {
    AssignmentRule {
        skills,
        presences: PresenceSet::DEFAULT,
        groups: None,
        order_by,
    }
}

/// One live-chat push queue (`units` per conversation) with these assignment rules and
/// prioritization conditions, skill routing on.
fn engine_with(
    units: u32,
    agents: &[A],
    rules: Vec<AssignmentRule>,
    buckets: Vec<AttrCondition>,
    mode: RoutingMode,
) -> Engine {
    Engine::new(EngineSetup {
        workstreams: vec![ws(Channel::LiveChat, mode, units)],
        queues: vec![queue(0, AssignmentMethod::HighestCapacity, 1)],
        agents: agents
            .iter()
            .map(|a| AgentSetup {
                capacity: a.0,
                queues: vec![QueueId(0)],
                on_shift: true,
            })
            .collect(),
        skills: SkillSetup {
            enabled: agents.iter().any(|a| !a.2.is_empty()),
            agent_skills: agents.iter().map(|a| a.2.to_vec()).collect(),
            matching: vec![Default::default()],
        },
        rulesets: RulesetSetup {
            agent_groups: agents.iter().map(|a| a.1).collect(),
            queues: vec![QueueRulesets {
                prioritization: buckets,
                assignment: rules,
            }],
        },
        ..EngineSetup::default()
    })
}

fn sound(e: &Engine) {
    assert!(
        e.check_invariants().is_empty(),
        "{:?}",
        e.check_invariants()
    );
    assert_eq!(e.counters().ineligible_offers, 0);
}

fn invited(fx: &[Effect]) -> Option<(ConvId, AgentId, InviteId)> {
    fx.iter().rev().find_map(|e| match e {
        Effect::Invited {
            conv,
            agent,
            invite,
            ..
        } => Some((*conv, *agent, *invite)),
        _ => None,
    })
}

/// A conversation requiring `req` arrives at `t` seconds; the agent invited, if any.
fn offer(e: &mut Engine, t: u64, req: &[(u16, u8)]) -> Option<AgentId> {
    let r = e.requirement(req);
    let mut fx = Vec::new();
    e.arrive_with(SimTime(t * 1000), QueueId(0), r, &mut fx);
    sound(e);
    invited(&fx).map(|i| i.1)
}

/// The agent each order-by picks from the same four agents, for one conversation requiring
/// Spanish 5 and billing 3 (units 10). Agents: 0 (cap 40, es 5, bill 3: exact), 1 (cap 100,
/// es 9, bill 3: over-qualified by 4), 2 (cap 60, es 6, bill 4: over by 2), 3 (cap 100, es 4,
/// tech 7: under-qualified, holds 0 of 2 at rating, one below).
const FOUR: [A; 4] = [
    (40, 0, &[(ES, 5), (BILL, 3)]),
    (100, 0, &[(ES, 9), (BILL, 3)]),
    (60, 0, &[(ES, 6), (BILL, 4)]),
    (100, 0, &[(ES, 4), (TECH, 7)]),
];
const REQ: &[(u16, u8)] = &[(ES, 5), (BILL, 3)];

#[test]
fn each_order_by_picks_its_agent() {
    let cases: &[(RuleSkills, OrderBy, u32, &str)] = &[
        // Exact match ordered by capacity: agents 1 and 3 have 100 free, 3 is not qualified.
        (
            RuleSkills::Exact,
            OrderBy::AvailableCapacity,
            1,
            "exact, capacity",
        ),
        // Exact match, most proficient: 9 + 3 = 12 beats 6 + 4 = 10 and 5 + 3 = 8.
        (
            RuleSkills::Exact,
            OrderBy::MostProficient,
            1,
            "exact, most proficient",
        ),
        // Exact match, nearest proficient: distance 0 (agent 0) before 2 (agent 2) and 4.
        (
            RuleSkills::Exact,
            OrderBy::NearestProficient,
            0,
            "exact, nearest",
        ),
        // Any skills, most proficient: agent 3's 4 + 0 loses to agent 1's 12.
        (
            RuleSkills::Any,
            OrderBy::MostProficient,
            1,
            "any, most proficient",
        ),
        // Any skills, capacity: 1 and 3 tie on 100 free units, no last assignment: lowest id.
        (
            RuleSkills::Any,
            OrderBy::AvailableCapacity,
            1,
            "any, capacity tie",
        ),
        // Closest match first: exactly qualified agent 0, whatever the order-by.
        (
            RuleSkills::Closest,
            OrderBy::AvailableCapacity,
            0,
            "closest, capacity",
        ),
        // Any skills, skill count: agents 0–2 hold both at rating, agent 3 none; among 0–2 the
        // tie goes to the lowest id.
        (RuleSkills::Any, OrderBy::SkillCount, 0, "any, skill count"),
    ];
    for (skills, order_by, want, what) in cases {
        let mut e = engine_with(
            10,
            &FOUR,
            vec![rule(*skills, *order_by)],
            vec![],
            RoutingMode::Push,
        );
        assert_eq!(offer(&mut e, 1, REQ), Some(AgentId(*want)), "{what}");
    }
}

#[test]
fn nearest_proficient_counts_missing_skills_before_distance() {
    // Req es 5, bill 3, tech 4 under `any`: agent 0 misses tech (1 missing, distance 4),
    // agent 1 holds all three but far above (0 missing, distance 4 + 6 + 5 = 15): agent 1.
    let agents: [A; 2] = [
        (100, 0, &[(ES, 5), (BILL, 3)]),
        (100, 0, &[(ES, 9), (BILL, 9), (TECH, 9)]),
    ];
    let mut e = engine_with(
        10,
        &agents,
        vec![rule(RuleSkills::Any, OrderBy::NearestProficient)],
        vec![],
        RoutingMode::Push,
    );
    assert_eq!(
        offer(&mut e, 1, &[(ES, 5), (BILL, 3), (TECH, 4)]),
        Some(AgentId(1))
    );
}

#[test]
fn closest_orders_exact_over_under_qualified_then_the_order_by() {
    // Closest tiers (RT-CLOSEST's closeness: class, missing skills, rating distance): agent 0
    // exact; agent 2 over-qualified by 2; agent 1 over by 4; agent 3 under. An agent with an
    // invitation pending gets no other, so four conversations go to the four in that order.
    let mut e = engine_with(
        40,
        &FOUR,
        vec![rule(RuleSkills::Closest, OrderBy::MostProficient)],
        vec![],
        RoutingMode::Push,
    );
    let got: Vec<Option<AgentId>> = (1..=5).map(|t| offer(&mut e, t, REQ)).collect();
    let want = [Some(0), Some(2), Some(1), Some(3), None];
    assert_eq!(got, want.map(|a| a.map(AgentId)));
    // Two agents in one closeness tier (both over-qualified by 4): the order-by decides
    // (available capacity: agent 1's 100 free units over agent 0's 50).
    let tied: [A; 2] = [
        (50, 0, &[(ES, 5), (BILL, 7)]),
        (100, 0, &[(ES, 9), (BILL, 3)]),
    ];
    let mut e = engine_with(
        10,
        &tied,
        vec![rule(RuleSkills::Closest, OrderBy::AvailableCapacity)],
        vec![],
        RoutingMode::Push,
    );
    assert_eq!(offer(&mut e, 1, REQ), Some(AgentId(1)));
}

#[test]
fn the_first_rule_with_an_eligible_agent_picks() {
    // Rule 1: tier-2 group (group 1) only; rule 2: anyone. Agent 1 is tier 2.
    let agents: [A; 3] = [(100, 0, &[]), (100, 1, &[]), (100, 0, &[])];
    let tier2 = AssignmentRule {
        groups: Some(vec![1]),
        ..rule(RuleSkills::Any, OrderBy::AvailableCapacity)
    };
    let anyone = rule(RuleSkills::Any, OrderBy::RoundRobin);
    let mut e = engine_with(100, &agents, vec![tier2, anyone], vec![], RoutingMode::Push);
    let mut fx = Vec::new();
    e.arrive(SimTime(1000), QueueId(0), &mut fx);
    let (c, a, inv) = invited(&fx).expect("invited");
    assert_eq!(a, AgentId(1));
    fx.clear();
    e.accept(SimTime(2000), c, inv, &mut fx).unwrap();
    assert!(fx.contains(&Effect::AssignedByRule {
        conv: c,
        queue: QueueId(0),
        rule: 0
    }));
    sound(&e);
    // Agent 1 is full: rule 1 matches nobody, rule 2 (round robin) takes agent 0.
    fx.clear();
    e.arrive(SimTime(3000), QueueId(0), &mut fx);
    let (c2, a2, inv2) = invited(&fx).expect("invited");
    assert_eq!(a2, AgentId(0));
    fx.clear();
    e.accept(SimTime(4000), c2, inv2, &mut fx).unwrap();
    assert!(fx.contains(&Effect::AssignedByRule {
        conv: c2,
        queue: QueueId(0),
        rule: 1
    }));
    sound(&e);
}

#[test]
fn no_rule_matches_the_conversation_stays_queued_until_one_does() {
    // One rule: Spanish 3 exact, Available only. Agent 0 speaks no Spanish; agent 1 does but is
    // busy (one conversation, free units left, presence Busy).
    let agents: [A; 2] = [(100, 0, &[]), (100, 0, &[(ES, 4)])];
    let only_available = AssignmentRule {
        presences: PresenceSet::of(&[Presence::Available]),
        ..rule(RuleSkills::Exact, OrderBy::AvailableCapacity)
    };
    let mut e = engine_with(40, &agents, vec![only_available], vec![], RoutingMode::Push);
    let mut fx = Vec::new();
    let es = e.requirement(&[(ES, 3)]);
    e.arrive_with(SimTime(1000), QueueId(0), es, &mut fx);
    let (c, a, inv) = invited(&fx).expect("agent 1 is available");
    assert_eq!(a, AgentId(1));
    e.accept(SimTime(2000), c, inv, &mut fx).unwrap();
    assert_eq!(e.agent(AgentId(1)).presence, Presence::Busy);
    fx.clear();
    e.arrive_with(SimTime(3000), QueueId(0), es, &mut fx);
    assert_eq!(invited(&fx), None, "Busy is outside the rule's presences");
    assert_eq!(e.routable_count(QueueId(0)), 1);
    sound(&e);
    // The first conversation ends and closes: agent 1 is Available again and takes the second.
    fx.clear();
    e.end(SimTime(5000), c, &mut fx).unwrap();
    e.close(SimTime(6000), c, &mut fx).unwrap();
    assert_eq!(invited(&fx).map(|i| i.1), Some(AgentId(1)));
    sound(&e);
}

#[test]
fn ties_go_to_the_earliest_last_assignment_then_the_lowest_id() {
    // Three identical agents, most proficient (all equal): 0, 1, 2 in turn as each gets one
    // conversation (the earliest last assignment first), then 0 again.
    assert_eq!(turns(10_000, 1), vec![0, 1, 2, 0]);
}

/// Three identical agents (Spanish 5) under one exact, most-proficient rule; four arrivals
/// 10 s apart from `first` ms, each accepted `accept_after` ms after it arrives: the agent each
/// went to, in order.
fn turns(first: u64, accept_after: u64) -> Vec<u32> {
    let agents: [A; 3] = [
        (200, 0, &[(ES, 5)]),
        (200, 0, &[(ES, 5)]),
        (200, 0, &[(ES, 5)]),
    ];
    let mut e = engine_with(
        50,
        &agents,
        vec![rule(RuleSkills::Exact, OrderBy::MostProficient)],
        vec![],
        RoutingMode::Push,
    );
    let mut got = Vec::new();
    for k in 0..4 {
        let t = first + k * 10_000;
        let mut fx = Vec::new();
        let es = e.requirement(&[(ES, 5)]);
        e.arrive_with(SimTime(t), QueueId(0), es, &mut fx);
        let (c, a, inv) = invited(&fx).expect("invited");
        e.accept(SimTime(t + accept_after), c, inv, &mut fx)
            .unwrap();
        sound(&e);
        got.push(a.0);
    }
    got
}

#[test]
fn an_assignment_at_zero_ranks_after_never_in_a_rule() {
    // Issue 25 item 7 through assignment rules: arrivals at 0 s, 10 s, 20 s, 30 s, each
    // accepted at its arrival instant (agent 0 at 0 ms): 0, 1, 2, then 0 again — not 0, 0, 1.
    let got = turns(0, 0);
    assert_eq!(got, vec![0, 1, 2, 0]);
}

#[test]
fn least_active_and_round_robin_follow_their_keys() {
    // Least active: the agent who released capacity longest ago. Agent 1 ends and closes a
    // conversation at 20 s, agent 0 at 30 s: the next goes to agent 1.
    let agents: [A; 2] = [(100, 0, &[]), (100, 0, &[])];
    let mut e = engine_with(
        100,
        &agents,
        vec![rule(RuleSkills::Any, OrderBy::LeastActive)],
        vec![],
        RoutingMode::Push,
    );
    let mut fx = Vec::new();
    let mut convs = Vec::new();
    for t in [1, 2] {
        fx.clear();
        e.arrive(SimTime(t * 1000), QueueId(0), &mut fx);
        let (c, a, inv) = invited(&fx).expect("invited");
        e.accept(SimTime(t * 1000 + 1), c, inv, &mut fx).unwrap();
        convs.push((c, a));
    }
    let of = |a: u32| convs.iter().find(|x| x.1 == AgentId(a)).unwrap().0;
    for (agent, t) in [(1, 20_000), (0, 30_000)] {
        e.end(SimTime(t), of(agent), &mut fx).unwrap();
        e.close(SimTime(t + 1), of(agent), &mut fx).unwrap();
    }
    fx.clear();
    e.arrive(SimTime(40_000), QueueId(0), &mut fx);
    assert_eq!(invited(&fx).map(|i| i.1), Some(AgentId(1)));
    sound(&e);
}

/// Attribute `tier` (0) with value `vip` (0) or `standard` (1).
fn tier(e: &mut Engine, vip: bool) -> AttrId {
    e.attributes(&[(0, if vip { 0 } else { 1 })])
}

#[test]
fn prioritization_serves_buckets_in_order_fifo_inside() {
    // No agent until t = 10 s; arrivals std, vip, std, vip; one agent (one conversation at a
    // time) then takes vip 2, vip 4, std 1, std 3.
    let agents: [A; 1] = [(100, 0, &[])];
    let vip = AttrCondition(vec![(0, vec![0])]);
    let mut e = engine_with(100, &agents, vec![], vec![vip], RoutingMode::Push);
    let mut fx = Vec::new();
    e.set_presence(SimTime(0), AgentId(0), Some(Presence::Away), &mut fx)
        .unwrap();
    let mut ids = Vec::new();
    for (t, v) in [(1, false), (2, true), (3, false), (4, true)] {
        let a = tier(&mut e, v);
        let r = e.requirement(&[]);
        ids.push(e.arrive_tagged(SimTime(t * 1000), QueueId(0), r, a, &mut fx));
    }
    sound(&e);
    fx.clear();
    e.set_presence(SimTime(10_000), AgentId(0), None, &mut fx)
        .unwrap();
    let mut order = Vec::new();
    for step in 0..4u64 {
        let (c, _, inv) = invited(&fx).expect("offered");
        order.push(ids.iter().position(|x| *x == c).unwrap() + 1);
        fx.clear();
        let t = 20_000 + step * 10_000;
        e.accept(SimTime(t), c, inv, &mut fx).unwrap();
        e.end(SimTime(t + 1000), c, &mut fx).unwrap();
        fx.clear();
        e.close(SimTime(t + 2000), c, &mut fx).unwrap();
        sound(&e);
    }
    assert_eq!(order, vec![2, 4, 1, 3]);
}

#[test]
fn prioritization_orders_what_agents_pick() {
    let agents: [A; 1] = [(100, 0, &[])];
    let vip = AttrCondition(vec![(0, vec![0])]);
    let mut e = engine_with(100, &agents, vec![], vec![vip], RoutingMode::Pick);
    let mut fx = Vec::new();
    let std_ = tier(&mut e, false);
    let vip_ = tier(&mut e, true);
    let r = e.requirement(&[]);
    let first = e.arrive_tagged(SimTime(1000), QueueId(0), r, std_, &mut fx);
    let second = e.arrive_tagged(SimTime(2000), QueueId(0), r, vip_, &mut fx);
    assert_eq!(e.pick(SimTime(3000), AgentId(0), &mut fx), Ok(second));
    e.end(SimTime(4000), second, &mut fx).unwrap();
    e.close(SimTime(5000), second, &mut fx).unwrap();
    assert_eq!(e.pick(SimTime(6000), AgentId(0), &mut fx), Ok(first));
    sound(&e);
}

#[test]
fn a_transfer_rebuckets_the_conversation_in_its_new_queue() {
    // Queue 0 prioritizes nothing; queue 1 puts vip first. Two conversations wait in queue 1
    // (std, then vip moved in from queue 0 later): the vip one is served first there.
    let mut e = Engine::new(EngineSetup {
        workstreams: vec![ws(Channel::LiveChat, RoutingMode::Push, 100)],
        queues: vec![
            queue(0, AssignmentMethod::HighestCapacity, 1),
            queue(0, AssignmentMethod::HighestCapacity, 1),
        ],
        agents: vec![AgentSetup {
            capacity: 100,
            queues: vec![QueueId(1)],
            on_shift: false,
        }],
        rulesets: RulesetSetup {
            agent_groups: vec![0],
            queues: vec![
                QueueRulesets::default(),
                QueueRulesets {
                    prioritization: vec![AttrCondition(vec![(0, vec![0])])],
                    assignment: vec![],
                },
            ],
        },
        ..EngineSetup::default()
    });
    let mut fx = Vec::new();
    let (std_, vip_) = (tier(&mut e, false), tier(&mut e, true));
    let r = e.requirement(&[]);
    let s = e.arrive_tagged(SimTime(1000), QueueId(1), r, std_, &mut fx);
    let v = e.arrive_tagged(SimTime(2000), QueueId(0), r, vip_, &mut fx);
    e.overflow_transfer(SimTime(3000), v, QueueId(1), &mut fx)
        .unwrap();
    sound(&e);
    fx.clear();
    e.set_presence(SimTime(4000), AgentId(0), None, &mut fx)
        .unwrap();
    assert_eq!(invited(&fx).map(|i| i.0), Some(v));
    assert_ne!(Some(s), invited(&fx).map(|i| i.0));
    sound(&e);
}

#[test]
fn rules_never_offer_outside_their_conditions_under_churn() {
    // A small random walk of arrivals, accepts, ends and presence changes over two rules; the
    // invariant check (rule cells in step with every agent) and the offer check hold throughout.
    let agents: [A; 5] = [
        (100, 0, &[(ES, 3)]),
        (100, 1, &[(ES, 7), (BILL, 2)]),
        (60, 1, &[(BILL, 5)]),
        (100, 0, &[]),
        (80, 2, &[(ES, 5), (BILL, 5)]),
    ];
    let experts = AssignmentRule {
        groups: Some(vec![1, 2]),
        presences: PresenceSet::of(&[Presence::Available]),
        ..rule(RuleSkills::Exact, OrderBy::MostProficient)
    };
    let anyone = rule(RuleSkills::Closest, OrderBy::LeastActive);
    let mut e = engine_with(
        30,
        &agents,
        vec![experts, anyone],
        vec![AttrCondition(vec![(0, vec![0])])],
        RoutingMode::Push,
    );
    let reqs: [&[(u16, u8)]; 4] = [&[], &[(ES, 3)], &[(BILL, 4)], &[(ES, 6), (BILL, 2)]];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut live: Vec<ConvId> = Vec::new();
    let mut invites: std::collections::HashMap<ConvId, InviteId> = Default::default();
    let mut fx = Vec::new();
    for step in 0..2_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let t = SimTime(step * 1000);
        fx.clear();
        match x % 6 {
            0 | 1 => {
                let r = e.requirement(reqs[(x >> 8) as usize % 4]);
                let a = tier(&mut e, (x >> 12) % 3 == 0);
                live.push(e.arrive_tagged(t, QueueId(0), r, a, &mut fx));
            }
            2 => {
                // Accept every pending invitation.
                for c in live.clone() {
                    if let Some(v) = e.conversation(c) {
                        if v.invited.is_some() {
                            let _ = e.accept(t, c, invites[&c], &mut fx);
                            // Accepting routes the agent again: new invitations.
                            for f in fx.drain(..) {
                                if let Effect::Invited { conv, invite, .. } = f {
                                    invites.insert(conv, invite);
                                }
                            }
                        }
                    }
                }
            }
            3 => {
                if let Some(&c) = live.get((x >> 20) as usize % live.len().max(1)) {
                    let _ = e.end(t, c, &mut fx);
                    let _ = e.close(t, c, &mut fx);
                }
            }
            4 => {
                let a = AgentId((x >> 24) as u32 % 5);
                let p =
                    [None, Some(Presence::Away), Some(Presence::Offline)][(x >> 30) as usize % 3];
                let _ = e.set_presence(t, a, p, &mut fx);
            }
            _ => {
                if let Some(&c) = live.get((x >> 20) as usize % live.len().max(1)) {
                    let _ = e.abandon(t, c, &mut fx);
                }
            }
        }
        for f in &fx {
            if let Effect::Invited { conv, invite, .. } = f {
                invites.insert(*conv, *invite);
            }
        }
        live.retain(|c| e.conversation(*c).is_some());
        sound(&e);
    }
}

#[test]
fn away_and_offline_by_hand_get_no_automatic_work_whatever_a_list_allows() {
    // PR-MANUAL: agent 0 is Offline (off shift), agent 1 Away; the rule and the work stream
    // both list every presence. Nobody is offered the conversation until agent 1 comes back.
    let agents: [A; 2] = [(100, 0, &[]), (100, 0, &[])];
    let everything = PresenceSet::of(&Presence::ALL);
    let anyone = AssignmentRule {
        presences: everything,
        ..rule(RuleSkills::Any, OrderBy::AvailableCapacity)
    };
    for rules in [vec![anyone], vec![]] {
        let mut e = Engine::new(EngineSetup {
            workstreams: vec![{
                let mut w = ws(Channel::LiveChat, RoutingMode::Push, 100);
                w.allowed_presences = everything;
                w
            }],
            queues: vec![queue(0, AssignmentMethod::HighestCapacity, 1)],
            agents: agents
                .iter()
                .enumerate()
                .map(|(i, a)| AgentSetup {
                    capacity: a.0,
                    queues: vec![QueueId(0)],
                    on_shift: i == 1,
                })
                .collect(),
            rulesets: RulesetSetup {
                agent_groups: vec![0, 0],
                queues: vec![QueueRulesets {
                    prioritization: vec![],
                    assignment: rules.clone(),
                }],
            },
            ..EngineSetup::default()
        });
        let mut fx = Vec::new();
        e.set_presence(SimTime(0), AgentId(1), Some(Presence::Away), &mut fx)
            .unwrap();
        fx.clear();
        e.arrive(SimTime(1000), QueueId(0), &mut fx);
        assert_eq!(invited(&fx), None, "rules: {}", rules.len());
        sound(&e);
        fx.clear();
        e.set_presence(SimTime(2000), AgentId(1), None, &mut fx)
            .unwrap();
        assert_eq!(invited(&fx).map(|i| i.1), Some(AgentId(1)));
        sound(&e);
    }
}

#[test]
fn a_conversation_no_rule_can_ever_serve_is_unmatched() {
    // Agent 0 (group 0) speaks Spanish 5, agent 1 (group 1) Spanish 1. The only rule takes
    // group 1 under exact matching: a Spanish-3 conversation can never be served there, though
    // a member of the queue holds the skill. A Spanish-1 conversation can.
    let agents: [A; 2] = [(100, 0, &[(ES, 5)]), (100, 1, &[(ES, 1)])];
    let low = AssignmentRule {
        groups: Some(vec![1]),
        ..rule(RuleSkills::Exact, OrderBy::AvailableCapacity)
    };
    let mut e = engine_with(100, &agents, vec![low.clone()], vec![], RoutingMode::Push);
    let mut fx = Vec::new();
    let es3 = e.requirement(&[(ES, 3)]);
    let c = e.arrive_with(SimTime(1000), QueueId(0), es3, &mut fx);
    assert!(fx.contains(&Effect::Unmatched {
        conv: c,
        queue: QueueId(0)
    }));
    assert_eq!(invited(&fx), None);
    fx.clear();
    let es1 = e.requirement(&[(ES, 1)]);
    e.arrive_with(SimTime(2000), QueueId(0), es1, &mut fx);
    assert!(!fx.iter().any(|f| matches!(f, Effect::Unmatched { .. })));
    assert_eq!(invited(&fx).map(|i| i.1), Some(AgentId(1)));
    // A closest rule on group 1 can serve anything: nothing is unmatched.
    let closest = AssignmentRule {
        skills: RuleSkills::Closest,
        ..low
    };
    let mut e = engine_with(100, &agents, vec![closest], vec![], RoutingMode::Push);
    let es3 = e.requirement(&[(ES, 3)]);
    fx.clear();
    e.arrive_with(SimTime(1000), QueueId(0), es3, &mut fx);
    assert!(!fx.iter().any(|f| matches!(f, Effect::Unmatched { .. })));
    sound(&e);
}
