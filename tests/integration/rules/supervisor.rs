//! The rule catalogue's supervisor cases (MON-*, JOIN-*, ASSIGN-*, TRANSFER-*, FORCE-CLOSE),
//! listed in the table of `rules.rs`.

use super::*;

// ---- MON-* and JOIN-* ----

/// Q0 live chat with A0 (and A1), S0 over Q0, S1 over nothing; one Active conversation on A0.
pub(super) fn monitored_world(
    tweak: impl FnOnce(&mut EngineSetup),
) -> (World, omnisim::engine::ConvId) {
    let mut s = one_queue(M::HighestCapacity, 50, &[100, 100]);
    s.supervisors.push(supervisor(&[]));
    tweak(&mut s);
    let mut w = World::new(s);
    let (c, a) = w.serve(Q0);
    assert_eq!(a, A0);
    (w, c)
}

pub(super) fn mon_disabled() {
    let (mut w, c) = monitored_world(|s| s.config.monitor_enabled = false);
    w.refused(C::Monitor(S0, c), RuleId::MonDisabled);
    w.refused(C::Join(S0, c, MessageMode::Internal), RuleId::MonDisabled);
    let (mut w, c) = monitored_world(|_| {});
    w.ok(C::Monitor(S0, c));
    assert!(w.fx.contains(&Effect::Monitoring {
        conv: c,
        supervisor: S0
    }));
    assert!(w.e.is_monitoring(S0, c));
}

pub(super) fn mon_scope() {
    let (mut w, c) = monitored_world(|_| {});
    w.refused(C::Monitor(S1, c), RuleId::MonScope);
    w.refused(C::Join(S1, c, MessageMode::Internal), RuleId::MonScope);
}

pub(super) fn mon_channel() {
    let (mut w, c) = monitored_world(|s| {
        s.workstreams[0].channel = Channel::EntityRecords;
        s.config.monitor_channels = u8::MAX;
    });
    w.refused(C::Monitor(S0, c), RuleId::MonChannel);
    let (mut w, c) = monitored_world(|s| s.config.monitor_channels = 0);
    w.refused(C::Monitor(S0, c), RuleId::MonChannel);
    for ch in [Channel::Voice, Channel::PersistentChat, Channel::Messaging] {
        let (mut w, c) = monitored_world(|s| s.workstreams[0].channel = ch);
        w.ok(C::Monitor(S0, c));
    }
}

pub(super) fn mon_state() {
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[]));
    let open = w.arrive(Q0);
    w.refused(C::Monitor(S0, open), RuleId::MonState);
    for waiting_ok in [false, true] {
        let mut s = persistent(50, &[100]);
        s.config.monitor_waiting = waiting_ok;
        let mut w = World::new(s);
        let (c, _) = w.serve(Q0);
        w.ok(C::SetWaiting(c));
        if waiting_ok {
            w.ok(C::Monitor(S0, c));
        } else {
            w.refused(C::Monitor(S0, c), RuleId::MonState);
        }
        w.ok(C::Resume(c));
        w.ok(C::End(c));
        w.ok(C::Monitor(S0, c));
        assert!(w.e.is_monitoring(S0, c));
    }
}

pub(super) fn mon_self() {
    let (mut w, c) = monitored_world(|s| s.supervisors[0].agent = Some(A0));
    w.refused(C::Monitor(S0, c), RuleId::MonSelf);
    let (mut w, c) = monitored_world(|s| s.supervisors[0].agent = Some(A1));
    w.ok(C::Monitor(S0, c));
}

pub(super) fn join_monitoring() {
    let (mut w, c) = monitored_world(|_| {});
    w.refused(
        C::Join(S0, c, MessageMode::Internal),
        RuleId::JoinMonitoring,
    );
    w.ok(C::Monitor(S0, c));
    w.ok(C::Join(S0, c, MessageMode::Internal));
    assert!(w.e.has_joined(S0, c));
}

pub(super) fn join_state() {
    let (mut w, c) = monitored_world(|_| {});
    w.ok(C::Monitor(S0, c));
    w.ok(C::End(c));
    w.refused(C::Join(S0, c, MessageMode::Internal), RuleId::JoinState);
}

pub(super) fn join_limit() {
    let (mut w, c) = monitored_world(|s| {
        s.config.max_consultants = 1;
        s.supervisors[1].queues.push(Q0);
    });
    w.ok(C::Monitor(S0, c));
    w.ok(C::Monitor(S1, c));
    w.ok(C::Join(S0, c, MessageMode::Internal));
    w.refused(C::Join(S1, c, MessageMode::Internal), RuleId::JoinLimit);
    // Joining again is no new consultant.
    w.ok(C::Join(S0, c, MessageMode::Internal));
    assert!(w.fx.is_empty());
    assert_eq!(w.e.conversation(c).unwrap().consultants, 1);
}

pub(super) fn join_notify() {
    for mode in [MessageMode::Internal, MessageMode::Public] {
        let (mut w, c) = monitored_world(|_| {});
        w.ok(C::Monitor(S0, c));
        let used = w.used(A0);
        let fx = w.ok(C::Join(S0, c, mode));
        let notice = Notice::SupervisorJoined(S0, mode);
        assert_eq!(
            fx,
            vec![
                Effect::Joined {
                    conv: c,
                    supervisor: S0,
                    mode
                },
                Effect::Notified {
                    conv: c,
                    to: Recipient::Agent(A0),
                    notice
                },
                Effect::Notified {
                    conv: c,
                    to: Recipient::Customer,
                    notice
                },
            ]
        );
        assert_eq!(w.used(A0), used, "a consultant holds no capacity");
    }
    assert_eq!(MessageMode::default(), MessageMode::Internal);
}

// ---- ASSIGN-* ----

/// Pick-mode Q0 (live chat, 60 units) and Q1 (live chat) and Q2 (voice); agents A0, A1 in Q0,
/// A2 in Q1; S0 over Q0..Q2, S1 over Q1; two Open conversations in Q0.
pub(super) fn assign_world(
    tweak: impl FnOnce(&mut EngineSetup),
) -> (World, [omnisim::engine::ConvId; 2]) {
    let mut s = pick_queue(60, &[100, 100, 100]);
    s.agents[2].queues = vec![Q1];
    s.workstreams
        .push(ws(Channel::Voice, RoutingMode::Pick, 60));
    s.queues.push(queue(0, M::HighestCapacity, 1));
    s.queues.push(queue(1, M::HighestCapacity, 1));
    s.supervisors = vec![supervisor(&[0, 1, 2]), supervisor(&[1])];
    tweak(&mut s);
    two_assigned(s)
}

pub(super) fn assign_disabled() {
    let (mut w, [c, _]) = assign_world(|s| s.config.assign_enabled = false);
    w.refused(C::AssignToAgent(S0, c, A0), RuleId::AssignDisabled);
    w.refused(C::AssignToQueue(S0, c, Q1), RuleId::AssignDisabled);
}

pub(super) fn assign_scope() {
    let (mut w, [c, _]) = assign_world(|_| {});
    w.refused(C::AssignToAgent(S1, c, A0), RuleId::AssignScope);
    w.refused(C::AssignToQueue(S1, c, Q1), RuleId::AssignScope);
}

pub(super) fn assign_state() {
    let (mut w, [c, _]) = assign_world(|_| {});
    w.ok(C::Pick(A0));
    w.refused(C::AssignToAgent(S0, c, A1), RuleId::AssignState);
    w.refused(C::AssignToQueue(S0, c, Q1), RuleId::AssignState);
    w.ok(C::End(c));
    w.refused(C::AssignToAgent(S0, c, A1), RuleId::AssignState);
    // Open with a pending supervisor invitation is claimed: a second assignment (by any
    // supervisor) is refused, so two supervisors racing for it → exactly one wins.
    let (mut w, [c, _]) = assign_world(|_| {});
    w.ok(C::AssignToAgent(S0, c, A0));
    w.refused(C::AssignToAgent(S0, c, A1), RuleId::AssignState);
    w.refused(C::AssignToQueue(S0, c, Q1), RuleId::AssignState);
    // Once that invitation is rejected, the conversation is assignable again.
    let (_, inv) = w.invite(c).expect("the supervisor's invitation is pending");
    w.ok(C::Reject(c, inv));
    w.ok(C::AssignToAgent(S0, c, A1));
}

pub(super) fn assign_agent_queue() {
    let (mut w, [c, _]) = assign_world(|_| {});
    w.refused(C::AssignToAgent(S0, c, A2), RuleId::AssignAgentQueue);
    w.refused(
        C::AssignToAgent(S0, c, AgentId(99)),
        RuleId::AssignAgentQueue,
    );
}

pub(super) fn assign_agent_presence() {
    let (mut w, [c, _]) = assign_world(|_| {});
    w.ok(C::SetPresence(A0, Some(Presence::Offline)));
    w.refused(C::AssignToAgent(S0, c, A0), RuleId::AssignAgentPresence);
    w.ok(C::SetPresence(A0, Some(Presence::Away)));
    w.refused(C::AssignToAgent(S0, c, A0), RuleId::AssignAgentPresence);
    w.ok(C::SetPresence(A0, Some(Presence::BusyDnd)));
    w.refused(C::AssignToAgent(S0, c, A0), RuleId::AssignAgentPresence);
    // Busy-DND that only follows capacity never blocks a supervisor.
    w.ok(C::SetPresence(A0, None));
    w.ok(C::SetPresence(A1, Some(Presence::Available)));
    w.ok(C::Pick(A0));
    let open = w.e.open_in(Q0).next().unwrap();
    w.ok(C::AssignToAgent(S0, open, A0));
    w.accept(open);
    assert_eq!(w.e.agent(A0).presence, Presence::BusyDnd);
    // Override: Away may be assigned, Offline never.
    for (p, ok) in [(Presence::Away, true), (Presence::Offline, false)] {
        let (mut w, [c, _]) = assign_world(|s| s.config.assign_overrides_presence = true);
        w.ok(C::SetPresence(A0, Some(p)));
        if ok {
            w.ok(C::AssignToAgent(S0, c, A0));
        } else {
            w.refused(C::AssignToAgent(S0, c, A0), RuleId::AssignAgentPresence);
        }
    }
}

pub(super) fn assign_capacity() {
    let (mut w, [c1, c2]) = assign_world(|s| s.config.overallocation = Overallocation::Deny);
    w.ok(C::AssignToAgent(S0, c1, A0));
    w.accept(c1);
    w.refused(C::AssignToAgent(S0, c2, A0), RuleId::AssignCapacity);
    w.ok(C::AssignToAgent(S0, c2, A1));
    // Allowed: recorded as overallocation at accept.
    let (mut w, [c1, c2]) = assign_world(|_| {});
    w.ok(C::AssignToAgent(S0, c1, A0));
    w.accept(c1);
    w.ok(C::AssignToAgent(S0, c2, A0));
    w.accept(c2);
    assert!(w.fx.contains(&Effect::Overallocated {
        agent: A0,
        over: 20
    }));
}

pub(super) fn assign_queue_same() {
    let (mut w, [c, _]) = assign_world(|_| {});
    w.refused(C::AssignToQueue(S0, c, Q0), RuleId::AssignQueueSame);
    w.refused(
        C::AssignToQueue(S0, c, omnisim::model::QueueId(2)),
        RuleId::AssignQueueSame,
    );
    w.refused(
        C::AssignToQueue(S0, c, omnisim::model::QueueId(9)),
        RuleId::AssignQueueSame,
    );
    w.ok(C::AssignToQueue(S0, c, Q1));
    assert_eq!(w.e.conversation(c).unwrap().queue, Q1);
}

pub(super) fn assign_invite() {
    // To an agent: an invitation marked as the supervisor's; a rejection is a refusal.
    let mut s = one_queue(M::HighestCapacity, 50, &[100, 100]);
    s.workstreams[0].mode = RoutingMode::Push;
    let mut w = World::new(s);
    w.ok(C::SetPresence(A0, Some(Presence::Away)));
    w.ok(C::SetPresence(A1, Some(Presence::Away)));
    let c = w.arrive(Q0);
    w.ok(C::SetPresence(A1, None));
    let (a, inv) = w.invite(c).unwrap();
    assert_eq!(a, A1);
    w.ok(C::SetPresence(A0, Some(Presence::Available)));
    w.ok(C::AssignToAgent(S0, c, A0));
    assert!(w
        .fx
        .iter()
        .any(|e| matches!(e, Effect::InviteWithdrawn { invite, .. } if *invite == inv)));
    assert!(w.fx.iter().any(|e| matches!(
        e,
        Effect::Invited { agent, by_supervisor: true, .. } if *agent == A0
    )));
    let (_, sinv) = w.invite(c).unwrap();
    w.ok(C::Reject(c, sinv));
    assert!(w.fx.contains(&Effect::Refusal {
        conv: c,
        agent: A0,
        timed_out: false
    }));
    assert!(w.invited_now(c).is_some(), "routing takes over");
    // To a queue: requeued, routed there.
    let mut s = one_queue(M::HighestCapacity, 50, &[100, 100]);
    s.queues.push(queue(0, M::HighestCapacity, 1));
    s.agents[1].queues = vec![Q1];
    s.agents[0].on_shift = false;
    s.supervisors[0].queues.push(Q1);
    let mut w = World::new(s);
    let c = w.arrive(Q0);
    assert_eq!(w.invited_now(c), None);
    w.ok(C::AssignToQueue(S0, c, Q1));
    assert!(w.fx.contains(&Effect::Requeued {
        conv: c,
        from: Q0,
        to: Q1
    }));
    assert_eq!(w.invited_now(c), Some(A1));
}

/// Regression: assigning a conversation that routing had offered withdrew that invitation and
/// rerouted the agent *before* the new invitation (or the requeue), so routing could offer the
/// same conversation again and leave two invitations on it (pending/reserved out of step), or
/// move it to another queue with its old queue's invitation still pending.
pub(super) fn assign_routed_conv() {
    for reserve in [false, true] {
        // To an agent.
        let mut s = one_queue(M::HighestCapacity, 50, &[100, 100]);
        s.config.reserve_on_invite = reserve;
        let mut w = World::new(s);
        let c = w.arrive(Q0);
        assert_eq!(w.invited_now(c), Some(A0));
        w.ok(C::AssignToAgent(S0, c, A1));
        assert_eq!(w.e.conversation(c).unwrap().invited, Some(A1));
        assert_eq!(w.e.agent(A0).pending_invites, 0);
        // The supervisor's invitation claims it: no second assignment.
        w.refused(C::AssignToAgent(S0, c, A0), RuleId::AssignState);
        assert_eq!(w.e.conversation(c).unwrap().invited, Some(A1));
        w.accept(c);
        // To a queue A0 is not in.
        let mut s = one_queue(M::HighestCapacity, 50, &[100]);
        s.config.reserve_on_invite = reserve;
        s.queues.push(queue(0, M::HighestCapacity, 1));
        s.supervisors[0].queues.push(Q1);
        let mut w = World::new(s);
        let c = w.arrive(Q0);
        assert_eq!(w.invited_now(c), Some(A0));
        w.ok(C::AssignToQueue(S0, c, Q1));
        let v = w.e.conversation(c).unwrap();
        assert_eq!((v.queue, v.invited), (Q1, None));
        assert_eq!(w.e.routable_count(Q1), 1);
    }
}

pub(super) fn assign_order_agent() {
    // Each pair of failing rules: the earlier in the catalogue wins.
    // DISABLED + SCOPE.
    let (mut w, [c, _]) = assign_world(|s| s.config.assign_enabled = false);
    w.refused(C::AssignToAgent(S1, c, A2), RuleId::AssignDisabled);
    // SCOPE + STATE.
    let (mut w, [c, _]) = assign_world(|_| {});
    w.ok(C::Pick(A0));
    w.refused(C::AssignToAgent(S1, c, A2), RuleId::AssignScope);
    // STATE + AGENT-QUEUE.
    w.refused(C::AssignToAgent(S0, c, A2), RuleId::AssignState);
    // AGENT-QUEUE + AGENT-PRESENCE.
    let (mut w, [c, _]) = assign_world(|_| {});
    w.ok(C::SetPresence(A2, Some(Presence::Offline)));
    w.refused(C::AssignToAgent(S0, c, A2), RuleId::AssignAgentQueue);
    // AGENT-PRESENCE + CAPACITY.
    let (mut w, [c1, c2]) = assign_world(|s| s.config.overallocation = Overallocation::Deny);
    w.ok(C::AssignToAgent(S0, c1, A0));
    w.accept(c1);
    w.ok(C::SetPresence(A0, Some(Presence::Away)));
    w.refused(C::AssignToAgent(S0, c2, A0), RuleId::AssignAgentPresence);
}

pub(super) fn assign_order_queue() {
    let (mut w, [c, _]) = assign_world(|s| s.config.assign_enabled = false);
    w.refused(C::AssignToQueue(S1, c, Q0), RuleId::AssignDisabled);
    let (mut w, [c, _]) = assign_world(|_| {});
    w.ok(C::Pick(A0));
    w.refused(C::AssignToQueue(S1, c, Q0), RuleId::AssignScope);
    w.refused(C::AssignToQueue(S0, c, Q0), RuleId::AssignState);
}

pub(super) fn monitor_order() {
    // DISABLED + SCOPE.
    let (mut w, c) = monitored_world(|s| s.config.monitor_enabled = false);
    w.refused(C::Monitor(S1, c), RuleId::MonDisabled);
    // SCOPE + CHANNEL.
    let (mut w, c) = monitored_world(|s| s.workstreams[0].channel = Channel::EntityRecords);
    w.refused(C::Monitor(S1, c), RuleId::MonScope);
    // CHANNEL + STATE.
    let mut s = one_queue(M::HighestCapacity, 50, &[]);
    s.workstreams[0].channel = Channel::EntityRecords;
    let mut w = World::new(s);
    let open = w.arrive(Q0);
    w.refused(C::Monitor(S0, open), RuleId::MonChannel);
    // STATE + SELF.
    let mut s = persistent(50, &[100]);
    s.supervisors[0].agent = Some(A0);
    let mut w = World::new(s);
    let (c, _) = w.serve(Q0);
    w.ok(C::SetWaiting(c));
    w.refused(C::Monitor(S0, c), RuleId::MonState);
}

pub(super) fn join_order() {
    // SCOPE + MONITORING.
    let (mut w, c) = monitored_world(|_| {});
    w.refused(C::Join(S1, c, MessageMode::Internal), RuleId::MonScope);
    // MONITORING + STATE.
    w.ok(C::End(c));
    w.refused(
        C::Join(S0, c, MessageMode::Internal),
        RuleId::JoinMonitoring,
    );
    // STATE + LIMIT.
    let (mut w, c) = monitored_world(|s| s.config.max_consultants = 0);
    w.ok(C::Monitor(S0, c));
    w.refused(C::Join(S0, c, MessageMode::Internal), RuleId::JoinLimit);
    w.ok(C::End(c));
    w.refused(C::Join(S0, c, MessageMode::Internal), RuleId::JoinState);
}

// ---- TRANSFER-STATE, FORCE-CLOSE ----

pub(super) fn transfer_state() {
    let (mut w, c) = monitored_world(|s| s.config.transfer_enabled = false);
    w.refused(C::Transfer(S0, c, A1), RuleId::TransferState);
    let (mut w, c) = monitored_world(|_| {});
    w.refused(C::Transfer(S0, c, A0), RuleId::TransferState);
    w.refused(C::Transfer(S1, c, A1), RuleId::AssignScope);
    w.ok(C::Transfer(S0, c, A1));
    assert!(w.fx.contains(&Effect::Transferred {
        conv: c,
        from: A0,
        to: A1
    }));
    assert_eq!((w.used(A0), w.used(A1)), (0, 50));
    assert_eq!(w.e.conversation(c).unwrap().primary, Some(A1));
    assert_eq!(w.e.conversation(c).unwrap().consultants, 1);
    w.ok(C::End(c));
    w.refused(C::Transfer(S0, c, A0), RuleId::TransferState);
    let open = w.arrive(Q0);
    w.ok(C::SetPresence(A0, Some(Presence::Away)));
    w.refused(C::Transfer(S0, open, A0), RuleId::TransferState);
    // Waiting moves with no units.
    let mut w = World::new(persistent(50, &[100, 100]));
    let (c, _) = w.serve(Q0);
    w.ok(C::SetWaiting(c));
    w.ok(C::Transfer(S0, c, A1));
    assert_eq!((w.used(A0), w.used(A1)), (0, 0));
    w.ok(C::Resume(c));
    assert_eq!(w.used(A1), 50);
}

pub(super) fn force_close() {
    let (mut w, c) = monitored_world(|_| {});
    w.refused(C::ForceClose(S0, c), RuleId::ForceClose);
    let (mut w, c) = monitored_world(|s| s.config.force_close_enabled = true);
    w.refused(C::ForceClose(S1, c), RuleId::AssignScope);
    w.ok(C::ForceClose(S0, c));
    for to in [Recipient::Agent(A0), Recipient::Customer] {
        assert!(w.fx.contains(&Effect::Notified {
            conv: c,
            to,
            notice: Notice::ForceClosed
        }));
    }
    assert_eq!(closed_reason(&w), Some(CloseReason::ForceClosed));
    assert_eq!(w.used(A0), 0);
    // Any non-closed state: Open and Wrap-up too.
    let open = w.arrive(Q0);
    let _ = w.accept(open);
    w.ok(C::End(open));
    w.ok(C::ForceClose(S0, open));
    let o2 = w.arrive(Q0);
    w.ok(C::ForceClose(S0, o2));
    assert_eq!(w.e.counters().closed, 3);
}
