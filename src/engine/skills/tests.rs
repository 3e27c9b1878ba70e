//! Unit tests of skill matching and of the grouping that keeps routing cheap.

use super::*;

#[test]
fn closeness_orders_exact_over_under() {
    let req = vec![(0, 3), (1, 5)];
    // Exactly qualified.
    assert_eq!(closeness(&[(0, 3), (1, 5)], &req), (0, 0, 0));
    // Over-qualified by 2 + 1.
    assert_eq!(closeness(&[(0, 5), (1, 6), (2, 9)], &req), (1, 0, 3));
    // Under-qualified: one below, one missing.
    assert_eq!(closeness(&[(0, 2)], &req), (2, 2, 6));
    assert!(closeness(&[(0, 3), (1, 5)], &req) < closeness(&[(0, 4), (1, 5)], &req));
    assert!(closeness(&[(0, 9), (1, 9)], &req) < closeness(&[(0, 3)], &req));
}

#[test]
fn satisfies_needs_every_skill_at_rating() {
    assert!(satisfies(&[(0, 3), (1, 5)], &[(1, 5)]));
    assert!(satisfies(&[(0, 3)], &[]));
    assert!(!satisfies(&[(0, 3), (1, 4)], &[(1, 5)]));
    assert!(!satisfies(&[(0, 3)], &[(0, 3), (2, 1)]));
}

#[test]
fn interning_keeps_the_higher_rating() {
    let mut s = SkillState::new(SkillSetup::default(), 0);
    let a = s.intern(vec![(2, 3), (1, 4), (2, 6)]);
    let b = s.intern(vec![(1, 4), (2, 6)]);
    assert_eq!(a, b);
    assert_eq!(s.reqs[a.0 as usize], vec![(1, 4), (2, 6)]);
    assert_eq!(s.intern(vec![]), ReqId(0));
}

mod scaling {
    use crate::engine::{AgentSetup, Effect, Engine, EngineSetup, QueueSetup};
    use crate::model::{
        AgentId, AssignmentMethod, Channel, PresenceSet, QueueId, RoutingMode, WorkstreamId,
        WorkstreamRules,
    };
    use crate::time::SimTime;

    use super::super::{closeness, satisfies, SkillMatching, SkillSetup};

    const ENGLISH: u16 = 0;

    /// `n` agents in one queue, each with English and two of twenty product skills (1..=20) at
    /// pseudo-random ratings: nearly every agent a profile of its own (issue 25's roster).
    fn roster(n: usize, matching: SkillMatching, method: AssignmentMethod) -> Engine {
        let mut x: u64 = 7;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        let skills = (0..n)
            .map(|_| {
                let a = next(20) as u16;
                let b = (a + 1 + next(19) as u16) % 20;
                let mut s = vec![
                    (ENGLISH, 1 + next(10) as u8),
                    (1 + a, 1 + next(10) as u8),
                    (1 + b, 1 + next(10) as u8),
                ];
                s.sort_unstable();
                s
            })
            .collect();
        Engine::new(EngineSetup {
            workstreams: vec![WorkstreamRules {
                channel: Channel::LiveChat,
                mode: RoutingMode::Push,
                capacity_units: 25,
                allowed_presences: PresenceSet::DEFAULT,
                block_capacity_for_wrap_up: crate::model::WrapUpBlock::Always,
            }],
            queues: vec![QueueSetup {
                workstream: WorkstreamId(0),
                method,
                priority: 1,
            }],
            agents: (0..n)
                .map(|_| AgentSetup {
                    capacity: 100,
                    queues: vec![QueueId(0)],
                    on_shift: true,
                })
                .collect(),
            skills: SkillSetup {
                enabled: true,
                agent_skills: skills,
                matching: vec![matching],
            },
            ..EngineSetup::default()
        })
    }

    /// The agent a scan of every member would choose for `req`: among those that may serve it
    /// (exact: that satisfy it; closest: the closest), round robin the first id after the last
    /// chosen, other methods the smallest key.
    fn scan(e: &Engine, req: &[(u16, u8)], matching: SkillMatching) -> Option<AgentId> {
        let s = e.skills.as_ref().expect("skills on");
        let q = &e.queues[0];
        let cands: Vec<_> = q
            .members
            .iter()
            .filter_map(|m| {
                let a = &e.agents[m.index()];
                let key = a.places[a.slot_of(QueueId(0))?].key?;
                let have = &s.profiles[s.agent_profile[m.index()] as usize];
                match matching {
                    SkillMatching::Exact => satisfies(have, req).then_some(((0, 0, 0), key)),
                    _ => Some((closeness(have, req), key)),
                }
            })
            .collect();
        let tier = cands.iter().map(|c| c.0).min()?;
        let tier = cands.iter().filter(|c| c.0 == tier).map(|c| c.1);
        if q.method == AssignmentMethod::RoundRobin {
            let start = q.rr_last.wrapping_add(1);
            let ids: Vec<u32> = tier.map(|k| k.2).collect();
            let after = ids.iter().filter(|&&a| u64::from(a) >= start).min();
            return after.or(ids.iter().min()).map(|&a| AgentId(a));
        }
        tier.min().map(|k| AgentId(k.2))
    }

    /// Offers `count` conversations alternating between two requirements, checking each
    /// choice against a scan; returns the queue's group count and its distinct profiles.
    fn route(
        n: usize,
        matching: SkillMatching,
        method: AssignmentMethod,
        count: usize,
    ) -> (usize, usize) {
        let mut e = roster(n, matching, method);
        let reqs = [vec![(ENGLISH, 5)], vec![(4, 3)], vec![(ENGLISH, 7), (9, 2)]];
        let mut fx = Vec::new();
        for i in 0..count {
            let req = &reqs[i % reqs.len()];
            let id = e.requirement(req);
            let want = scan(&e, req, matching);
            fx.clear();
            e.arrive_with(SimTime(1000 * i as u64), QueueId(0), id, &mut fx);
            let got = fx.iter().find_map(|f| match f {
                Effect::Invited { agent, .. } => Some(*agent),
                _ => None,
            });
            assert_eq!(
                got, want,
                "conversation {i} of {n} agents ({matching:?}, {method:?})"
            );
        }
        assert!(
            e.check_invariants().is_empty(),
            "{:?}",
            e.check_invariants()
        );
        let s = e.skills.as_ref().expect("skills on");
        let mut profiles: Vec<u32> = s.agent_profile.clone();
        profiles.sort_unstable();
        profiles.dedup();
        let qs = e.queues[0].skills.as_ref().expect("a skill queue");
        (qs.groups.len(), profiles.len())
    }

    /// Issue 25: routing walks the groups of a tier, so their number must not follow the
    /// roster's distinct profiles. Three requirements make at most 2³ classes under exact
    /// matching however many profiles; under closest, at most the product of each
    /// requirement's closeness values. Every choice is the one a scan of all members makes.
    #[test]
    fn groups_stay_few_as_distinct_profiles_grow() {
        for method in [
            AssignmentMethod::HighestCapacity,
            AssignmentMethod::RoundRobin,
        ] {
            let mut closest = Vec::new();
            for n in [300, 1200, 4800] {
                let (groups, profiles) = route(n, SkillMatching::Exact, method, 200);
                assert!(profiles > n / 2, "{profiles} distinct profiles of {n}");
                assert!(groups <= 8, "{groups} groups for {profiles} profiles");
                let (groups, profiles) = route(n, SkillMatching::Closest, method, 200);
                assert!(profiles > n / 2);
                closest.push(groups);
            }
            // Closest: English 1–10 against ratings 5 and 7, product 4 at 0–10, product 9 at
            // 0–10: the classes stop growing long before the profiles do.
            assert!(closest[2] <= 10 * 10 * 11 * 11, "{closest:?}");
            assert!(closest[2] < 2 * closest[1], "{closest:?}");
        }
    }
}
