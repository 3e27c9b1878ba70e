//! The rule catalogue, table-driven: every rule id of `product.md` (`RuleId::ALL`) has at least
//! one small hand-built world showing it hold, and, for rules that refuse commands, refusing with
//! exactly that id and leaving the engine unchanged. Invariants are checked after every command
//! (see [`crate::support::World`]). The last test fails when a rule has no case.

use omnisim::engine::{
    CloseReason, Command as C, Effect, EngineSetup, InviteId, Notice, Overallocation, Recipient,
    RuleId,
};
use omnisim::model::{
    AgentId, AssignmentMethod as M, Channel, ConvState, MessageMode, Presence, PresenceSet,
    RoutingMode, WrapUpBlock,
};
use omnisim::time::SimDuration;

use crate::support::*;

/// One case: the rule it shows, a name, and the check.
type Case = (RuleId, &'static str, fn());

/// Every case. Several cases may show one rule.
const TABLE: &[Case] = &[
    (
        RuleId::LcOpenActive,
        "accept opens, wrong invitation refused",
        lc_open_active,
    ),
    (RuleId::LcAbandon, "abandon and open auto-close", lc_abandon),
    (
        RuleId::LcActive,
        "active to wrap-up, open, waiting",
        lc_active,
    ),
    (
        RuleId::LcWaiting,
        "waiting transitions, persistent only",
        lc_waiting,
    ),
    (RuleId::LcWrapup, "wrap-up only closes", lc_wrapup),
    (
        RuleId::LcClosed,
        "every command on a closed conversation",
        lc_closed,
    ),
    (
        RuleId::CapUnits,
        "routing needs free units; pick and resume too",
        cap_units,
    ),
    (RuleId::CapHold, "wrap-up block always", cap_hold_always),
    (RuleId::CapHold, "wrap-up block never", cap_hold_never),
    (RuleId::CapHold, "wrap-up block timed", cap_hold_timed),
    (
        RuleId::CapHold,
        "waiting and monitoring hold none",
        cap_hold_waiting_monitoring,
    ),
    (
        RuleId::CapOver,
        "allow records the overallocation",
        cap_over_allow,
    ),
    (RuleId::CapOver, "deny refuses", cap_over_deny),
    (RuleId::CapOver, "up to n units", cap_over_up_to),
    (
        RuleId::CapReserve,
        "not reserved: assignments race",
        cap_reserve_false,
    ),
    (
        RuleId::CapReserve,
        "reserved: second assignment refused",
        cap_reserve_true,
    ),
    (
        RuleId::CapReserve,
        "reassigning to the invited agent",
        cap_reserve_same_conv,
    ),
    (RuleId::PrAuto, "presence follows units", pr_auto),
    (
        RuleId::PrManual,
        "away stays, gets nothing, then resumes",
        pr_manual,
    ),
    (
        RuleId::PrAllowed,
        "only allowed presences get work",
        pr_allowed,
    ),
    (RuleId::RtEligible, "refusals before skip", rt_eligible),
    (
        RuleId::RtOrder,
        "priority across queues, FIFO within",
        rt_order,
    ),
    (
        RuleId::RtMethod,
        "highest capacity",
        rt_method_highest_capacity,
    ),
    (
        RuleId::RtMethod,
        "advanced round robin",
        rt_method_advanced_round_robin,
    ),
    (RuleId::RtMethod, "round robin", rt_method_round_robin),
    (RuleId::RtMethod, "least active", rt_method_least_active),
    (
        RuleId::RtTrigger,
        "arrival, freed capacity, presence, join",
        rt_trigger,
    ),
    (
        RuleId::RtInvite,
        "reject and timeout are refusals",
        rt_invite,
    ),
    (RuleId::RtPick, "pick mode", rt_pick),
    (RuleId::MonDisabled, "monitor disabled", mon_disabled),
    (RuleId::MonScope, "out of scope", mon_scope),
    (
        RuleId::MonChannel,
        "entity records and narrowed channels",
        mon_channel,
    ),
    (RuleId::MonState, "active and wrap-up only", mon_state),
    (RuleId::MonSelf, "own conversation", mon_self),
    (
        RuleId::JoinMonitoring,
        "join needs monitoring",
        join_monitoring,
    ),
    (RuleId::JoinState, "join active only", join_state),
    (RuleId::JoinLimit, "max consultants", join_limit),
    (
        RuleId::JoinNotify,
        "agent and customer notified",
        join_notify,
    ),
    (RuleId::AssignDisabled, "assign disabled", assign_disabled),
    (RuleId::AssignScope, "out of scope", assign_scope),
    (RuleId::AssignState, "open and no agent only", assign_state),
    (
        RuleId::AssignAgentQueue,
        "agent must be a member",
        assign_agent_queue,
    ),
    (
        RuleId::AssignAgentPresence,
        "offline, by hand, override",
        assign_agent_presence,
    ),
    (
        RuleId::AssignCapacity,
        "only when overallocation forbids",
        assign_capacity,
    ),
    (
        RuleId::AssignQueueSame,
        "another queue, same channel",
        assign_queue_same,
    ),
    (
        RuleId::AssignInvite,
        "invitation, rejection, requeue",
        assign_invite,
    ),
    (
        RuleId::AssignInvite,
        "reassigning a routed conversation",
        assign_routed_conv,
    ),
    (
        RuleId::AssignDisabled,
        "catalogue order: assign to agent",
        assign_order_agent,
    ),
    (
        RuleId::AssignQueueSame,
        "catalogue order: assign to queue",
        assign_order_queue,
    ),
    (RuleId::MonSelf, "catalogue order: monitor", monitor_order),
    (RuleId::JoinLimit, "catalogue order: join", join_order),
    (RuleId::TransferState, "transfer", transfer_state),
    (RuleId::ForceClose, "force close", force_close),
];

#[test]
fn every_rule_case_holds() {
    let mut failed = Vec::new();
    for &(rule, name, case) in TABLE {
        if let Err(e) = std::panic::catch_unwind(case) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{rule} ({name}): {msg}"));
        }
    }
    assert!(failed.is_empty(), "failing cases:\n{}", failed.join("\n"));
}

#[test]
fn every_rule_has_a_case() {
    let missing: Vec<_> = RuleId::ALL
        .iter()
        .filter(|r| !TABLE.iter().any(|(t, _, _)| t == *r))
        .map(|r| r.as_str())
        .collect();
    assert!(missing.is_empty(), "rules without a test case: {missing:?}");
}

fn closed_reason(w: &World) -> Option<CloseReason> {
    w.fx.iter().find_map(|e| match e {
        Effect::Closed { reason, .. } => Some(*reason),
        _ => None,
    })
}

fn state(w: &World, c: omnisim::engine::ConvId) -> ConvState {
    w.e.conversation(c).map_or(ConvState::Closed, |v| v.state)
}

fn persistent(units: u32, caps: &[u32]) -> EngineSetup {
    let mut s = one_queue(M::HighestCapacity, units, caps);
    s.workstreams[0].channel = Channel::PersistentChat;
    s
}

// ---- LC-* ----

fn lc_open_active() {
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100]));
    let c = w.arrive(Q0);
    let (a, inv) = w.invite(c).unwrap();
    assert_eq!(state(&w, c), ConvState::Open);
    let handled = w.e.counters().commands;
    w.refused(C::Accept(c, InviteId(inv.0 + 100)), RuleId::LcOpenActive);
    assert_eq!(
        w.e.counters().commands,
        handled + 1,
        "refused commands are counted, yet leave the engine equal"
    );
    w.at(5).ok(C::Accept(c, inv));
    assert!(w.fx.contains(&Effect::StateChanged {
        conv: c,
        from: ConvState::Open,
        to: ConvState::Active
    }));
    assert_eq!(w.e.conversation(c).unwrap().primary, Some(a));
    // The invitation is spent: accepting again is no Open → Active.
    w.refused(C::Accept(c, inv), RuleId::LcOpenActive);
    // An Open conversation nobody was invited to cannot be accepted either.
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[]));
    let c = w.arrive(Q0);
    w.refused(C::Accept(c, InviteId(0)), RuleId::LcOpenActive);
}

fn lc_abandon() {
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100]));
    w.ok(C::SetPresence(A0, Some(Presence::Away)));
    let c = w.arrive(Q0);
    w.at(10).ok(C::Abandon(c));
    assert_eq!(closed_reason(&w), Some(CloseReason::Abandoned));
    assert!(w.e.conversation(c).is_none());
    // Open auto-close is counted as abandoned too.
    let c2 = w.arrive(Q0);
    w.at(20).ok(C::AutoClose(c2));
    assert_eq!(closed_reason(&w), Some(CloseReason::Abandoned));
    // Only Open conversations are abandoned.
    w.ok(C::SetPresence(A0, None));
    let (c3, _) = w.serve(Q0);
    w.refused(C::Abandon(c3), RuleId::LcAbandon);
    w.ok(C::End(c3));
    w.refused(C::Abandon(c3), RuleId::LcAbandon);
    assert_eq!(w.e.counters().arrived, 3);
    assert_eq!(w.e.counters().closed, 2);
}

fn lc_active() {
    // Active → Wrap-up.
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100]));
    let (c, _) = w.serve(Q0);
    w.ok(C::End(c));
    assert_eq!(state(&w, c), ConvState::WrapUp);
    w.refused(C::End(c), RuleId::LcActive);
    w.refused(C::Release(c), RuleId::LcActive);
    // Active → Open (released, routed again).
    let (c, a) = w.serve(Q0);
    w.ok(C::Release(c));
    assert!(w.fx.contains(&Effect::StateChanged {
        conv: c,
        from: ConvState::Active,
        to: ConvState::Open
    }));
    assert_eq!(w.e.conversation(c).unwrap().primary, None);
    assert_eq!(w.used(a), 50, "only the wrap-up conversation holds units");
    // Open cannot end, be released, or be set Waiting.
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[]));
    let c = w.arrive(Q0);
    w.refused(C::End(c), RuleId::LcActive);
    w.refused(C::Release(c), RuleId::LcActive);
    // Active never auto-closes.
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100]));
    let (c, _) = w.serve(Q0);
    w.refused(C::AutoClose(c), RuleId::LcActive);
    // Active → Waiting on a persistent channel.
    let mut w = World::new(persistent(50, &[100]));
    let (c, _) = w.serve(Q0);
    w.ok(C::SetWaiting(c));
    assert_eq!(state(&w, c), ConvState::Waiting);
    w.refused(C::SetWaiting(c), RuleId::LcActive);
}

fn lc_waiting() {
    let mut w = World::new(persistent(50, &[100]));
    let (c, a) = w.serve(Q0);
    w.refused(C::Resume(c), RuleId::LcWaiting);
    w.refused(C::CustomerReturn(c), RuleId::LcWaiting);
    w.ok(C::SetWaiting(c));
    w.ok(C::Resume(c));
    assert_eq!(state(&w, c), ConvState::Active);
    assert_eq!(w.used(a), 50);
    w.ok(C::SetWaiting(c));
    w.ok(C::CustomerReturn(c));
    assert!(w.fx.contains(&Effect::StateChanged {
        conv: c,
        from: ConvState::Waiting,
        to: ConvState::Open
    }));
    // Routed again: the agent is invited and accepts.
    w.accept(c);
    w.ok(C::SetWaiting(c));
    w.ok(C::AutoClose(c));
    assert_eq!(closed_reason(&w), Some(CloseReason::AutoClosed));
    // Never on live chat or voice.
    for ch in [Channel::LiveChat, Channel::Voice] {
        let mut s = one_queue(M::HighestCapacity, 50, &[100]);
        s.workstreams[0].channel = ch;
        let mut w = World::new(s);
        let (c, _) = w.serve(Q0);
        w.refused(C::SetWaiting(c), RuleId::LcWaiting);
    }
}

fn lc_wrapup() {
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100]));
    let (c, a) = w.serve(Q0);
    w.refused(C::Close(c), RuleId::LcWrapup);
    w.ok(C::End(c));
    w.refused(C::Release(c), RuleId::LcActive);
    w.refused(C::Resume(c), RuleId::LcWaiting);
    w.ok(C::Close(c));
    assert_eq!(closed_reason(&w), Some(CloseReason::Completed));
    assert_eq!(w.used(a), 0);
    let (c, _) = w.serve(Q0);
    w.ok(C::End(c));
    w.ok(C::AutoClose(c));
    assert_eq!(closed_reason(&w), Some(CloseReason::AutoClosed));
    // Open cannot close by the agent.
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[]));
    let c = w.arrive(Q0);
    w.refused(C::Close(c), RuleId::LcWrapup);
}

fn lc_closed() {
    let mut s = one_queue(M::HighestCapacity, 50, &[100, 100]);
    s.config.force_close_enabled = true;
    s.queues.push(queue(0, M::HighestCapacity, 1));
    s.supervisors[0].queues.push(Q1);
    let mut w = World::new(s);
    let (c, _) = w.serve(Q0);
    let (_, inv) = w.invite(c).map_or((A0, InviteId(0)), |x| x);
    w.ok(C::End(c));
    w.ok(C::Close(c));
    for cmd in [
        C::Accept(c, inv),
        C::Reject(c, inv),
        C::Timeout(c, inv),
        C::End(c),
        C::ReleaseWrapUp(c),
        C::Close(c),
        C::SetWaiting(c),
        C::Resume(c),
        C::CustomerReturn(c),
        C::Release(c),
        C::Abandon(c),
        C::AutoClose(c),
        C::Monitor(S0, c),
        C::Join(S0, c, MessageMode::Internal),
        C::AssignToAgent(S0, c, A1),
        C::AssignToQueue(S0, c, Q1),
        C::Transfer(S0, c, A1),
        C::ForceClose(S0, c),
    ] {
        w.refused(cmd, RuleId::LcClosed);
    }
    // The slot is reused by a new conversation; the old handle stays closed.
    let c2 = w.arrive(Q0);
    assert_eq!(c2.slot, c.slot);
    w.refused(C::End(c), RuleId::LcClosed);
    assert_eq!(state(&w, c2), ConvState::Open);
}

// ---- CAP-* ----

fn cap_units() {
    // A0 has 100, A1 has 50: a 60-unit conversation can go to A0 only.
    let mut w = World::new(one_queue(M::HighestCapacity, 60, &[50, 100]));
    let c = w.arrive(Q0);
    assert_eq!(w.invited_now(c), Some(A1));
    w.accept(c);
    let c2 = w.arrive(Q0);
    assert_eq!(w.invited_now(c2), None, "nobody has 60 free units");
    assert_eq!(w.e.routable_count(Q0), 1);
    // Pick: too few free units.
    let mut w = World::new(pick_queue(60, &[100]));
    let c = w.arrive(Q0);
    w.ok(C::Pick(A0));
    let _ = c;
    w.arrive(Q0);
    w.refused(C::Pick(A0), RuleId::CapUnits);
    // Resume needs free units.
    let mut w = World::new(persistent(60, &[100]));
    let (c, _) = w.serve(Q0);
    w.ok(C::SetWaiting(c));
    let (_c2, a) = w.serve(Q0);
    assert_eq!(a, A0);
    w.refused(C::Resume(c), RuleId::CapUnits);
}

fn cap_hold_always() {
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100]));
    let (c, a) = w.serve(Q0);
    w.ok(C::End(c));
    assert_eq!(w.used(a), 50);
    // Always holds for the whole wrap-up: there is no timed release.
    w.refused(C::ReleaseWrapUp(c), RuleId::CapHold);
    w.ok(C::Close(c));
    assert_eq!(w.used(a), 0);
}

fn cap_hold_never() {
    let mut s = one_queue(M::HighestCapacity, 100, &[100]);
    s.workstreams[0].block_capacity_for_wrap_up = WrapUpBlock::Never;
    let mut w = World::new(s);
    let (c, a) = w.serve(Q0);
    let waiting = w.arrive(Q0);
    assert_eq!(w.invited_now(waiting), None);
    w.at(10).ok(C::End(c));
    assert_eq!(w.used(a), 0);
    assert!(w.fx.contains(&Effect::Units {
        agent: a,
        before: 100,
        after: 0,
        capacity: 100
    }));
    // The freed units route the waiting conversation at once.
    assert_eq!(w.invited_now(waiting), Some(a));
    // Nothing left to release on a timer.
    w.refused(C::ReleaseWrapUp(c), RuleId::CapHold);
}

fn cap_hold_timed() {
    let mut s = one_queue(M::HighestCapacity, 100, &[100]);
    s.workstreams[0].block_capacity_for_wrap_up = WrapUpBlock::For(SimDuration::from_secs(30));
    let mut w = World::new(s);
    let (c, a) = w.serve(Q0);
    w.refused(C::ReleaseWrapUp(c), RuleId::CapHold);
    let waiting = w.arrive(Q0);
    w.at(10).ok(C::End(c));
    assert_eq!(w.used(a), 100);
    assert_eq!(w.invited_now(waiting), None);
    w.at(30_010).ok(C::ReleaseWrapUp(c));
    assert_eq!(w.used(a), 0);
    assert_eq!(w.invited_now(waiting), Some(a));
    assert_eq!(state(&w, c), ConvState::WrapUp);
    w.ok(C::Close(c));
}

fn cap_hold_waiting_monitoring() {
    let mut s = persistent(50, &[100]);
    s.config.monitor_waiting = true;
    let mut w = World::new(s);
    let (c, a) = w.serve(Q0);
    w.ok(C::Monitor(S0, c));
    w.ok(C::Join(S0, c, MessageMode::Public));
    assert_eq!(w.used(a), 50, "monitoring and joining hold nothing");
    assert!(!w.fx.iter().any(|e| matches!(e, Effect::Units { .. })));
    w.ok(C::SetWaiting(c));
    assert_eq!(w.used(a), 0);
    assert_eq!(w.e.agent(a).presence, Presence::Available);
}

fn two_assigned(setup: EngineSetup) -> (World, [omnisim::engine::ConvId; 2]) {
    let mut w = World::new(setup);
    let c1 = w.arrive(Q0);
    let c2 = w.arrive(Q0);
    (w, [c1, c2])
}

fn cap_over_allow() {
    let (mut w, [c1, c2]) = two_assigned(pick_queue(60, &[100]));
    w.ok(C::AssignToAgent(S0, c1, A0));
    w.accept(c1);
    w.ok(C::AssignToAgent(S0, c2, A0));
    w.accept(c2);
    assert!(w.fx.contains(&Effect::Overallocated {
        agent: A0,
        over: 20
    }));
    assert_eq!(w.e.agent(A0).free(), -20);
    assert_eq!(w.e.agent(A0).presence, Presence::BusyDnd);
}

fn cap_over_deny() {
    let mut s = pick_queue(60, &[100]);
    s.config.overallocation = Overallocation::Deny;
    let (mut w, [c1, c2]) = two_assigned(s);
    w.ok(C::AssignToAgent(S0, c1, A0));
    w.accept(c1);
    w.refused(C::AssignToAgent(S0, c2, A0), RuleId::AssignCapacity);
}

fn cap_over_up_to() {
    for (n, ok) in [(20, true), (19, false)] {
        let mut s = pick_queue(60, &[100]);
        s.config.overallocation = Overallocation::UpTo(n);
        let (mut w, [c1, c2]) = two_assigned(s);
        w.ok(C::AssignToAgent(S0, c1, A0));
        w.accept(c1);
        if ok {
            w.ok(C::AssignToAgent(S0, c2, A0));
            w.accept(c2);
            assert!(w.fx.contains(&Effect::Overallocated {
                agent: A0,
                over: 20
            }));
        } else {
            w.refused(C::AssignToAgent(S0, c2, A0), RuleId::AssignCapacity);
        }
    }
}

fn cap_reserve_false() {
    let mut s = pick_queue(60, &[100]);
    s.config.overallocation = Overallocation::Deny;
    let (mut w, [c1, c2]) = two_assigned(s);
    w.ok(C::AssignToAgent(S0, c1, A0));
    assert_eq!(w.e.agent(A0).reserved, 0);
    w.ok(C::AssignToAgent(S0, c2, A0));
    w.accept(c1);
    w.accept(c2);
    assert!(w.fx.contains(&Effect::Overallocated {
        agent: A0,
        over: 20
    }));
}

fn cap_reserve_true() {
    let mut s = pick_queue(60, &[100]);
    s.config.overallocation = Overallocation::Deny;
    s.config.reserve_on_invite = true;
    let (mut w, [c1, c2]) = two_assigned(s);
    w.ok(C::AssignToAgent(S0, c1, A0));
    assert_eq!(w.e.agent(A0).reserved, 60);
    assert_eq!(w.e.agent(A0).presence, Presence::Busy);
    w.refused(C::AssignToAgent(S0, c2, A0), RuleId::AssignCapacity);
    w.accept(c1);
    assert_eq!(w.e.agent(A0).reserved, 0);
    assert_eq!(w.used(A0), 60);
    // Routing reserves as well.
    let mut s = one_queue(M::HighestCapacity, 60, &[100]);
    s.config.reserve_on_invite = true;
    let mut w = World::new(s);
    let c = w.arrive(Q0);
    assert_eq!(w.e.agent(A0).reserved, 60);
    w.ok(C::Reject(c, w.invite(c).unwrap().1));
}

/// Regression: with `reserve_on_invite`, assigning a conversation to the agent it is already
/// reserved on counted its units twice and was refused under `deny`, although the result
/// (the agent holding just this conversation) is within capacity.
fn cap_reserve_same_conv() {
    let mut s = one_queue(M::HighestCapacity, 60, &[100]);
    s.config.overallocation = Overallocation::Deny;
    s.config.reserve_on_invite = true;
    let mut w = World::new(s);
    let c = w.arrive(Q0);
    assert_eq!(w.invited_now(c), Some(A0));
    w.ok(C::AssignToAgent(S0, c, A0));
    assert_eq!(w.e.agent(A0).reserved, 60);
    w.accept(c);
    assert_eq!(w.used(A0), 60);
}

// ---- PR-* ----

fn pr_auto() {
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100]));
    assert_eq!(w.e.agent(A0).presence, Presence::Available);
    let (c1, _) = w.serve(Q0);
    assert_eq!(w.e.agent(A0).presence, Presence::Busy);
    let (c2, _) = w.serve(Q0);
    assert_eq!(w.e.agent(A0).presence, Presence::BusyDnd);
    assert!(!w.e.agent(A0).manual);
    w.ok(C::End(c1));
    w.ok(C::Close(c1));
    assert_eq!(w.e.agent(A0).presence, Presence::Busy);
    w.ok(C::End(c2));
    w.ok(C::Close(c2));
    assert_eq!(w.e.agent(A0).presence, Presence::Available);
}

fn pr_manual() {
    let mut w = World::new(one_queue(M::HighestCapacity, 50, &[100]));
    let (c, _) = w.serve(Q0);
    w.ok(C::SetPresence(A0, Some(Presence::Away)));
    assert_eq!(w.e.agent(A0).presence, Presence::Away);
    w.ok(C::End(c));
    w.ok(C::Close(c));
    assert_eq!(
        w.e.agent(A0).presence,
        Presence::Away,
        "capacity does not move it"
    );
    let c2 = w.arrive(Q0);
    assert_eq!(w.invited_now(c2), None);
    w.ok(C::SetPresence(A0, None));
    assert_eq!(w.e.agent(A0).presence, Presence::Available);
    assert_eq!(w.invited_now(c2), Some(A0));
    // Away withdraws a pending invitation; Offline at start gets nothing.
    let c3 = w.arrive(Q0);
    let _ = c3;
    w.ok(C::SetPresence(A0, Some(Presence::Offline)));
    assert!(w
        .fx
        .iter()
        .any(|e| matches!(e, Effect::InviteWithdrawn { .. })));
    let mut s = one_queue(M::HighestCapacity, 50, &[100]);
    s.agents[0].on_shift = false;
    let mut w = World::new(s);
    let c = w.arrive(Q0);
    assert_eq!(w.invited_now(c), None);
    assert_eq!(w.e.agent(A0).presence, Presence::Offline);
}

fn pr_allowed() {
    let mut s = one_queue(M::HighestCapacity, 30, &[100]);
    s.workstreams[0].allowed_presences = PresenceSet::of(&[Presence::Available]);
    let mut w = World::new(s);
    let (_c, _) = w.serve(Q0);
    assert_eq!(w.e.agent(A0).presence, Presence::Busy);
    let c2 = w.arrive(Q0);
    assert_eq!(w.invited_now(c2), None, "Busy is not allowed");
    // A manual Busy-DND is not allowed by default.
    let mut w = World::new(one_queue(M::HighestCapacity, 30, &[100]));
    w.ok(C::SetPresence(A0, Some(Presence::BusyDnd)));
    let c = w.arrive(Q0);
    assert_eq!(w.invited_now(c), None);
    // Pick: presence not allowed.
    let mut w = World::new(pick_queue(30, &[100]));
    w.arrive(Q0);
    w.ok(C::SetPresence(A0, Some(Presence::Away)));
    w.refused(C::Pick(A0), RuleId::PrAllowed);
}

// ---- RT-* ----

fn rt_eligible() {
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

fn rt_order() {
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

fn rt_method_highest_capacity() {
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

fn rt_method_advanced_round_robin() {
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

fn rt_method_round_robin() {
    let mut w = World::new(one_queue(M::RoundRobin, 50, &[200, 200, 200]));
    let order: Vec<AgentId> = (0..4).map(|_| w.serve(Q0).1).collect();
    assert_eq!(order, vec![A0, A1, A2, A0], "cyclic, ignoring free units");
    // Ineligible members are skipped, the pointer wraps.
    w.ok(C::SetPresence(A1, Some(Presence::Away)));
    assert_eq!(w.serve(Q0).1, A2);
    assert_eq!(w.serve(Q0).1, A0);
}

fn rt_method_least_active() {
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

fn rt_trigger() {
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

fn rt_invite() {
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

fn rt_pick() {
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
fn pick_candidates_are_members_with_free_units_and_an_allowed_presence() {
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

// ---- MON-* and JOIN-* ----

/// Q0 live chat with A0 (and A1), S0 over Q0, S1 over nothing; one Active conversation on A0.
fn monitored_world(tweak: impl FnOnce(&mut EngineSetup)) -> (World, omnisim::engine::ConvId) {
    let mut s = one_queue(M::HighestCapacity, 50, &[100, 100]);
    s.supervisors.push(supervisor(&[]));
    tweak(&mut s);
    let mut w = World::new(s);
    let (c, a) = w.serve(Q0);
    assert_eq!(a, A0);
    (w, c)
}

fn mon_disabled() {
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

fn mon_scope() {
    let (mut w, c) = monitored_world(|_| {});
    w.refused(C::Monitor(S1, c), RuleId::MonScope);
    w.refused(C::Join(S1, c, MessageMode::Internal), RuleId::MonScope);
}

fn mon_channel() {
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

fn mon_state() {
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

fn mon_self() {
    let (mut w, c) = monitored_world(|s| s.supervisors[0].agent = Some(A0));
    w.refused(C::Monitor(S0, c), RuleId::MonSelf);
    let (mut w, c) = monitored_world(|s| s.supervisors[0].agent = Some(A1));
    w.ok(C::Monitor(S0, c));
}

fn join_monitoring() {
    let (mut w, c) = monitored_world(|_| {});
    w.refused(
        C::Join(S0, c, MessageMode::Internal),
        RuleId::JoinMonitoring,
    );
    w.ok(C::Monitor(S0, c));
    w.ok(C::Join(S0, c, MessageMode::Internal));
    assert!(w.e.has_joined(S0, c));
}

fn join_state() {
    let (mut w, c) = monitored_world(|_| {});
    w.ok(C::Monitor(S0, c));
    w.ok(C::End(c));
    w.refused(C::Join(S0, c, MessageMode::Internal), RuleId::JoinState);
}

fn join_limit() {
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

fn join_notify() {
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
fn assign_world(tweak: impl FnOnce(&mut EngineSetup)) -> (World, [omnisim::engine::ConvId; 2]) {
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

fn assign_disabled() {
    let (mut w, [c, _]) = assign_world(|s| s.config.assign_enabled = false);
    w.refused(C::AssignToAgent(S0, c, A0), RuleId::AssignDisabled);
    w.refused(C::AssignToQueue(S0, c, Q1), RuleId::AssignDisabled);
}

fn assign_scope() {
    let (mut w, [c, _]) = assign_world(|_| {});
    w.refused(C::AssignToAgent(S1, c, A0), RuleId::AssignScope);
    w.refused(C::AssignToQueue(S1, c, Q1), RuleId::AssignScope);
}

fn assign_state() {
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

fn assign_agent_queue() {
    let (mut w, [c, _]) = assign_world(|_| {});
    w.refused(C::AssignToAgent(S0, c, A2), RuleId::AssignAgentQueue);
    w.refused(
        C::AssignToAgent(S0, c, AgentId(99)),
        RuleId::AssignAgentQueue,
    );
}

fn assign_agent_presence() {
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

fn assign_capacity() {
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

fn assign_queue_same() {
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

fn assign_invite() {
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
fn assign_routed_conv() {
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

fn assign_order_agent() {
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

fn assign_order_queue() {
    let (mut w, [c, _]) = assign_world(|s| s.config.assign_enabled = false);
    w.refused(C::AssignToQueue(S1, c, Q0), RuleId::AssignDisabled);
    let (mut w, [c, _]) = assign_world(|_| {});
    w.ok(C::Pick(A0));
    w.refused(C::AssignToQueue(S1, c, Q0), RuleId::AssignScope);
    w.refused(C::AssignToQueue(S0, c, Q0), RuleId::AssignState);
}

fn monitor_order() {
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

fn join_order() {
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

fn transfer_state() {
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

fn force_close() {
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
