//! Unit tests of a skill queue's arrival offered directly (`Engine::arrive_skilled`, issue 28,
//! twelfth round): the decision, effects and state are those of the whole walk, and an arrival
//! with nothing else routable takes no walk.

use crate::engine::{
    AgentSetup, AssignmentRule, Effect, Engine, EngineSetup, OrderBy, QueueRulesets, QueueSetup,
    RuleSkills, RulesetSetup, SkillSetup,
};
use crate::model::{
    AgentId, AssignmentMethod, Channel, Presence, PresenceSet, QueueId, RoutingMode, WorkstreamId,
    WorkstreamRules,
};
use crate::time::SimTime;

use super::SkillMatching;

/// Two push queues of one work stream (25 units, `matching`), twelve agents of capacity 100 in
/// one or both queues with three skill profiles; with `ruled`, each queue assigns by two rules
/// (available experts by proficiency, then anyone by free units), else by `method`.
fn engine(matching: SkillMatching, method: AssignmentMethod, ruled: bool) -> Engine {
    let profiles: [&[(u16, u8)]; 3] = [&[(0, 5), (1, 3)], &[(0, 2)], &[(1, 7)]];
    let rules = |_| QueueRulesets {
        prioritization: vec![],
        assignment: if ruled {
            vec![
                AssignmentRule {
                    skills: RuleSkills::Exact,
                    presences: PresenceSet::of(&[Presence::Available]),
                    groups: None,
                    order_by: OrderBy::MostProficient,
                },
                AssignmentRule {
                    skills: RuleSkills::Closest,
                    presences: PresenceSet::DEFAULT,
                    groups: Some(vec![1]),
                    order_by: OrderBy::AvailableCapacity,
                },
            ]
        } else {
            vec![]
        },
    };
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
                method,
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
            matching: vec![matching],
        },
        rulesets: RulesetSetup {
            agent_groups: (0..12).map(|i| (i / 6) as u32).collect(),
            queues: (0..2).map(rules).collect(),
        },
        ..EngineSetup::default()
    })
}

/// Runs the same pseudo-random commands (arrivals, acceptances, refusals, ends, closes,
/// abandonments of the longest waiting, presences set by hand) on `e` and on a copy whose arrivals all take the walk;
/// after every command both gave the same effects (decision records included) and are equal.
/// Returns how many arrivals were invited at once and how many waited.
fn same_as_the_walk(mut e: Engine) -> (usize, usize) {
    e.set_explain(true);
    let reqs = [
        e.requirement(&[(0, 2)]),
        e.requirement(&[(1, 3)]),
        e.requirement(&[]),
        // Nobody in queue 1 holds it (exact matching: waits there until abandoned).
        e.requirement(&[(0, 4)]),
    ];
    let mut w = e.clone();
    w.scratch.walk_arrivals = true;
    let mut x: u64 = 29;
    let mut next = |m: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    let (mut invited, mut active, mut ended) = (Vec::new(), Vec::new(), Vec::new());
    let mut queued = std::collections::VecDeque::new();
    let (mut fe, mut fw) = (Vec::new(), Vec::new());
    let (mut direct, mut waited) = (0, 0);
    for i in 0..4_000u64 {
        let now = SimTime(1_000 * i);
        fe.clear();
        fw.clear();
        let mut arrival = None;
        match next(13) {
            0 | 1 => {
                let (q, r) = (QueueId(next(2) as u32), reqs[next(4) as usize]);
                let c = e.arrive_with(now, q, r, &mut fe);
                assert_eq!(w.arrive_with(now, q, r, &mut fw), c);
                arrival = Some(c);
            }
            2..=4 if !invited.is_empty() => {
                let (c, inv) = invited.remove(next(invited.len() as u64) as usize);
                if e.accept(now, c, inv, &mut fe).is_ok() {
                    active.push(c);
                }
                let _ = w.accept(now, c, inv, &mut fw);
            }
            5 if !invited.is_empty() => {
                let (c, inv) = invited.remove(0);
                let _ = e.reject(now, c, inv, &mut fe);
                let _ = w.reject(now, c, inv, &mut fw);
            }
            6 | 7 if !active.is_empty() => {
                let c = active.remove(next(active.len() as u64) as usize);
                let _ = e.end(now, c, &mut fe);
                let _ = w.end(now, c, &mut fw);
                ended.push(c);
            }
            8 | 9 if !ended.is_empty() => {
                let c = ended.remove(0);
                let _ = e.close(now, c, &mut fe);
                let _ = w.close(now, c, &mut fw);
            }
            10 | 11 if !queued.is_empty() => {
                // The customer who has waited longest leaves (an error if it was answered).
                let c = queued.pop_front().expect("checked");
                let _ = e.abandon(now, c, &mut fe);
                let _ = w.abandon(now, c, &mut fw);
            }
            _ => {
                let a = AgentId(next(12) as u32);
                let p =
                    [None, None, Some(Presence::Away), Some(Presence::BusyDnd)][next(4) as usize];
                let _ = e.set_presence(now, a, p, &mut fe);
                let _ = w.set_presence(now, a, p, &mut fw);
            }
        }
        assert_eq!(fe, fw, "effects of command {i}");
        assert!(e == w, "engines differ after command {i}");
        for f in &fe {
            if let Effect::Invited { conv, invite, .. } = f {
                invited.push((*conv, *invite));
                if arrival == Some(*conv) {
                    direct += 1;
                }
            }
        }
        if let Some(c) = arrival.filter(|c| !invited.iter().any(|(v, _)| v == c)) {
            waited += 1;
            queued.push_back(c);
        }
        assert!(
            e.check_invariants().is_empty(),
            "after command {i}: {:?}",
            e.check_invariants()
        );
    }
    assert!(e.decisions.list.len() > 50, "too few decisions recorded");
    (direct, waited)
}

/// The direct offer decides as the walk, for exact and closest matching, the methods that
/// rank (highest capacity, least active) and the cyclic pointer (round robin), and for
/// assignment rules; both of its outcomes (invited at once, left waiting) happen often.
#[test]
fn an_arrival_offered_directly_is_the_walks_decision() {
    for matching in [SkillMatching::Exact, SkillMatching::Closest] {
        for method in [
            AssignmentMethod::HighestCapacity,
            AssignmentMethod::RoundRobin,
            AssignmentMethod::LeastActive,
        ] {
            let (direct, waited) = same_as_the_walk(engine(matching, method, false));
            assert!(
                direct > 100 && waited > 20,
                "{matching:?} {method:?}: {direct} {waited}"
            );
        }
    }
    let (direct, waited) = same_as_the_walk(engine(
        SkillMatching::Exact,
        AssignmentMethod::HighestCapacity,
        true,
    ));
    assert!(direct > 100 && waited > 20, "rules: {direct} {waited}");
}

/// An arrival with nothing else routable in its push queue is offered (or left waiting)
/// without the walk over the queue's signatures; one arriving behind a waiting conversation
/// still takes it (the order among waiting conversations is the walk's).
#[test]
fn an_arrival_with_nothing_routable_takes_no_walk() {
    for ruled in [false, true] {
        let mut e = engine(
            SkillMatching::Exact,
            AssignmentMethod::HighestCapacity,
            ruled,
        );
        let req = e.requirement(&[(0, 2)]);
        let mut fx = Vec::new();
        // Each agent takes one invitation at a time: arrivals are invited at once until
        // nobody is left, and the first that waits does so without a walk too.
        let mut t = 0;
        loop {
            fx.clear();
            e.arrive_with(SimTime(t), QueueId(0), req, &mut fx);
            t += 1;
            assert_eq!(e.scratch.walks, 0, "ruled {ruled}: arrival {t}");
            if !fx.iter().any(|f| matches!(f, Effect::Invited { .. })) {
                break;
            }
        }
        assert!(t >= 5, "ruled {ruled}: only {t} arrivals");
        // The next arrives behind a waiting conversation: the walk decides.
        e.arrive_with(SimTime(t), QueueId(0), req, &mut fx);
        assert_eq!(e.scratch.walks, 1, "ruled {ruled}");
        assert!(e.check_invariants().is_empty());
    }
}
