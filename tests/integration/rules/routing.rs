//! The rule catalogue's routing cases (RT-*), listed in the table of `rules.rs`.

use super::*;

// ---- RT-* ----

pub(super) fn rt_eligible() {
    let mut s = one_queue(M::HighestCapacity, 50, &[100, 100]);
    s.config.refusals_before_skip = 2;
    s.agents.push(agent(100, &[])); // A2: not a member
    let mut w = World::new(s);
    let c = w.arrive(Q0);
    assert_eq!(w.invited_now(c), Some(A0));
    w.ok(C::Reject(c, w.invite(c).unwrap().1));
    assert_eq!(w.invited_now(c), Some(A0), "one refusal: still eligible");
    w.ok(C::Reject(c, w.invite(c).unwrap().1));
    assert_eq!(w.invited_now(c), Some(A1), "two refusals: A0 skipped");
    w.ok(C::Reject(c, w.invite(c).unwrap().1));
    w.ok(C::Reject(c, w.invite(c).unwrap().1));
    assert_eq!(
        w.invited_now(c),
        None,
        "everyone skipped, never the non-member"
    );
    assert_eq!(w.e.routable_count(Q0), 1);
    // Other conversations still reach A0.
    let c2 = w.arrive(Q0);
    assert_eq!(w.invited_now(c2), Some(A0));
}

pub(super) fn rt_order() {
    // Q0 priority 5, Q1 priority 1; A0 (one slot) serves both.
    let s = EngineSetup {
        workstreams: vec![ws(Channel::LiveChat, RoutingMode::Push, 100)],
        queues: vec![
            queue(0, M::HighestCapacity, 5),
            queue(0, M::HighestCapacity, 1),
        ],
        agents: vec![agent(100, &[0, 1])],
        supervisors: vec![supervisor(&[0, 1])],
        ..EngineSetup::default()
    };
    let mut w = World::new(s);
    let (c0, _) = w.serve(Q0);
    let low = w.arrive(Q0);
    let high1 = w.arrive(Q1);
    let high2 = w.arrive(Q1);
    let mut served = Vec::new();
    let mut cur = c0;
    for _ in 0..3 {
        w.ok(C::End(cur));
        w.ok(C::Close(cur));
        let next =
            w.fx.iter()
                .find_map(|e| match e {
                    Effect::Invited { conv, .. } => Some(*conv),
                    _ => None,
                })
                .expect("freed capacity routes");
        w.accept(next);
        served.push(next);
        cur = next;
    }
    assert_eq!(served, vec![high1, high2, low]);
}

pub(super) fn rt_method_highest_capacity() {
    // Most free units first.
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100, 150]));
    let c = w.arrive(Q0);
    assert_eq!(w.invited_now(c), Some(A1));
    // Ties: earliest last assignment, then lowest id.
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100, 100, 100]));
    let mut order = Vec::new();
    // All tie at first (same free units, never assigned): lowest id. Once all hold one, the
    // earliest last assignment wins.
    for t in 1..=4 {
        w.at(t);
        order.push(w.serve(Q0).1);
    }
    assert_eq!(order, vec![A0, A1, A2, A0]);
}

pub(super) fn rt_method_advanced_round_robin() {
    // Q0: A0, A1, A2. Q1: A0 only.
    let s = EngineSetup {
        workstreams: vec![ws(Channel::LiveChat, RoutingMode::Push, 50)],
        queues: vec![
            queue(0, M::AdvancedRoundRobin, 1),
            queue(0, M::AdvancedRoundRobin, 1),
        ],
        agents: vec![agent(300, &[0, 1]), agent(300, &[0]), agent(300, &[0])],
        supervisors: vec![supervisor(&[0, 1])],
        ..EngineSetup::default()
    };
    let mut w = World::new(s);
    w.at(1);
    assert_eq!(w.serve(Q1).1, A0);
    // All tie in Q0's rotation: earliest last assignment wins, so not A0 (assigned at 1).
    w.at(2);
    assert_eq!(w.serve(Q0).1, A1);
    w.at(3);
    assert_eq!(w.serve(Q0).1, A2);
    w.at(4);
    assert_eq!(w.serve(Q0).1, A0);
    // Least recently assigned in Q0: A1, although it has the same free units as A2 and A0 was
    // assigned most recently anywhere.
    w.at(5);
    assert_eq!(w.serve(Q0).1, A1);
    w.at(6);
    assert_eq!(w.serve(Q0).1, A2);
}

pub(super) fn rt_method_round_robin() {
    let mut w = World::new(one_queue(M::RoundRobin, 50, &[200, 200, 200]));
    let order: Vec<AgentId> = (0..4).map(|_| w.serve(Q0).1).collect();
    assert_eq!(order, vec![A0, A1, A2, A0], "cyclic, ignoring free units");
    // Ineligible members are skipped, the pointer wraps.
    w.ok(C::SetPresence(A1, Some(Presence::Away)));
    assert_eq!(w.serve(Q0).1, A2);
    assert_eq!(w.serve(Q0).1, A0);
}

pub(super) fn rt_method_least_active() {
    // One slot each, so an agent is eligible again only once it released.
    let mut w = World::new(one_queue(M::LeastActive, 50, &[50, 50, 50]));
    let cs: Vec<_> = (0..3).map(|_| w.serve(Q0)).collect();
    assert_eq!(
        cs.iter().map(|x| x.1).collect::<Vec<_>>(),
        vec![A0, A1, A2],
        "never released: lowest id"
    );
    // Releases at 10 (A2), 20 (A0), 30 (A1).
    for (t, i) in [(10, 2), (20, 0), (30, 1)] {
        w.at(t);
        w.ok(C::End(cs[i].0));
        w.ok(C::Close(cs[i].0));
    }
    w.at(40);
    assert_eq!(w.serve(Q0).1, A2);
    assert_eq!(w.serve(Q0).1, A0);
    assert_eq!(w.serve(Q0).1, A1);
}

pub(super) fn rt_trigger() {
    // Arrival.
    let mut w = World::new(one_queue(M::HighestCapacity, 100, &[100]));
    let (c1, _) = w.serve(Q0);
    // Capacity freed (close after wrap-up).
    let c2 = w.arrive(Q0);
    assert_eq!(w.invited_now(c2), None);
    w.ok(C::End(c1));
    assert_eq!(w.invited_now(c2), None);
    w.ok(C::Close(c1));
    assert_eq!(w.invited_now(c2), Some(A0));
    // Presence change.
    let mut w = World::new(one_queue(M::HighestCapacity, 100, &[100]));
    w.ok(C::SetPresence(A0, Some(Presence::Away)));
    let c = w.arrive(Q0);
    assert_eq!(w.invited_now(c), None);
    w.ok(C::SetPresence(A0, None));
    assert_eq!(w.invited_now(c), Some(A0));
    // Joining a queue.
    let mut s = one_queue(M::HighestCapacity, 100, &[]);
    s.agents.push(agent(100, &[]));
    let mut w = World::new(s);
    let c = w.arrive(Q0);
    assert_eq!(w.invited_now(c), None);
    w.ok(C::JoinQueue(A0, Q0));
    assert_eq!(w.invited_now(c), Some(A0));
}

pub(super) fn rt_invite() {
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100, 100]));
    let c = w.arrive(Q0);
    let (a, inv) = w.invite(c).unwrap();
    assert_eq!(a, A0);
    w.refused(C::Reject(c, InviteId(inv.0 + 7)), RuleId::RtInvite);
    w.ok(C::Reject(c, inv));
    assert!(w.fx.contains(&Effect::Refusal {
        conv: c,
        agent: A0,
        timed_out: false
    }));
    assert!(w.invited_now(c).is_some(), "routed again");
    let (_, inv2) = w.invite(c).unwrap();
    w.refused(C::Timeout(c, inv), RuleId::RtInvite);
    w.ok(C::Timeout(c, inv2));
    assert!(w.fx.iter().any(|e| matches!(
        e,
        Effect::Refusal {
            timed_out: true,
            ..
        }
    )));
    assert!(w.invited_now(c).is_some(), "routed again");
    w.accept(c);
    // No invitation once Active.
    w.refused(C::Reject(c, inv2), RuleId::RtInvite);
}

pub(super) fn rt_pick() {
    let s = EngineSetup {
        workstreams: vec![ws(Channel::LiveChat, RoutingMode::Pick, 20)],
        queues: vec![
            queue(0, M::HighestCapacity, 5),
            queue(0, M::HighestCapacity, 1),
        ],
        agents: vec![agent(100, &[0, 1]), agent(100, &[])],
        supervisors: vec![supervisor(&[0, 1])],
        ..EngineSetup::default()
    };
    let mut w = World::new(s);
    let low = w.arrive(Q0);
    assert!(w.fx.contains(&Effect::PickAvailable { queue: Q0 }));
    let c1 = w.arrive(Q1);
    let c2 = w.arrive(Q1);
    assert!(
        !w.log.iter().any(|e| matches!(e, Effect::Invited { .. })),
        "pick mode pushes nothing"
    );
    // A1 is in no pick queue: nothing to pick.
    w.refused(C::Pick(A1), RuleId::RtPick);
    // Higher priority first, oldest first inside a queue.
    let mut picked = Vec::new();
    for _ in 0..3 {
        let before = w.e.live_conversations();
        w.ok(C::Pick(A0));
        assert_eq!(w.e.live_conversations(), before);
        picked.push(
            w.fx.iter()
                .find_map(|e| match e {
                    Effect::Accepted { conv, agent, .. } if *agent == A0 => Some(*conv),
                    _ => None,
                })
                .unwrap(),
        );
    }
    assert_eq!(picked, vec![c1, c2, low]);
    w.refused(C::Pick(A0), RuleId::RtPick);
}

/// Who may pick (RT-PICK): the queue's members with an allowed presence and free units for the
/// work stream, in id order. A pending supervisor invitation does not stop an agent picking
/// (unlike push routing, which invites an agent to one conversation at a time). The simulator
/// offers picks to exactly these agents.
#[test]
pub(super) fn pick_candidates_are_members_with_free_units_and_an_allowed_presence() {
    let mut w = World::new(pick_queue(60, &[100, 100, 100, 100]));
    w.ok(C::SetPresence(AgentId(0), Some(Presence::Away)));
    let c1 = w.arrive(Q0);
    let _c2 = w.arrive(Q0);
    w.ok(C::AssignToAgent(S0, c1, AgentId(1))); // pending, nothing reserved
    w.ok(C::Pick(AgentId(2))); // takes c2: 40 units left, under 60
    let got: Vec<AgentId> = w.e.pick_candidates(Q0).collect();
    assert_eq!(got, vec![AgentId(1), AgentId(3)]);
    let allowed = w.e.queue_rules(Q0).allowed_presences;
    let by_definition: Vec<AgentId> =
        w.e.members(Q0)
            .iter()
            .copied()
            .filter(|&m| w.e.agent(m).free() >= 60 && allowed.contains(w.e.agent(m).presence))
            .collect();
    assert_eq!(got, by_definition);
}

#[test]
fn an_agent_who_accepts_is_offered_what_still_waits_if_it_has_room() {
    // RT-TRIGGER: one agent, two chats of 50 units at once, away while two conversations
    // arrive. Back, it is offered the first (one invitation at a time); accepting it changes
    // its presence (Available → Busy) and leaves it room, so the second is offered at once.
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100]));
    w.ok(C::SetPresence(AgentId(0), Some(Presence::Away)));
    let a = w.arrive(Q0);
    let b = w.arrive(Q0);
    w.at(1000).ok(C::SetPresence(AgentId(0), None));
    assert_eq!(w.invited_now(a), Some(AgentId(0)));
    assert_eq!(w.invited_now(b), None);
    w.at(2000).accept(a);
    assert_eq!(w.invited_now(b), Some(AgentId(0)));
}
