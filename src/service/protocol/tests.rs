//! Round trips of every command, effect and result through JSON, the exact wire spellings of a
//! few, and the refusals of malformed values.

use super::*;
use crate::engine::{CloseReason, Notice, Recipient};
use crate::model::ConvState;
use crate::time::{SimDuration, SimTime};

fn c(slot: u32, gen: u32) -> ConvId {
    ConvId { slot, gen }
}

fn every_command() -> Vec<Command> {
    let (a, q, s, i) = (AgentId(7), QueueId(2), SupervisorId(1), InviteId(41));
    let cv = c(3, 9);
    vec![
        Command::Arrive(q, RoutingTag::default()),
        Command::Arrive(
            q,
            RoutingTag {
                req: ReqId(4),
                attrs: AttrId(5),
            },
        ),
        Command::Accept(cv, i),
        Command::Reject(cv, i),
        Command::Timeout(cv, i),
        Command::Pick(a),
        Command::End(cv),
        Command::ReleaseWrapUp(cv),
        Command::Close(cv),
        Command::SetWaiting(cv),
        Command::Resume(cv),
        Command::CustomerReturn(cv),
        Command::Release(cv),
        Command::TransferToQueue(cv, q),
        Command::OverflowTransfer(cv, q),
        Command::OverflowEnd(cv),
        Command::Abandon(cv),
        Command::AutoClose(cv),
        Command::SetPresence(a, Some(Presence::Away)),
        Command::SetPresence(a, None),
        Command::JoinQueue(a, q),
        Command::LeaveQueue(a, q),
        Command::Monitor(s, cv),
        Command::Join(s, cv, MessageMode::Public),
        Command::AssignToAgent(s, cv, a),
        Command::AssignToQueue(s, cv, q),
        Command::Transfer(s, cv, a),
        Command::ForceClose(s, cv),
    ]
}

fn every_effect() -> Vec<Effect> {
    let (a, q, s, cv) = (AgentId(7), QueueId(2), SupervisorId(1), c(0, 1));
    vec![
        Effect::Unmatched { conv: cv, queue: q },
        Effect::AssignedByRule {
            conv: cv,
            queue: q,
            rule: 3,
        },
        Effect::Arrived { conv: cv, queue: q },
        Effect::Invited {
            conv: cv,
            agent: a,
            invite: InviteId(9),
            by_supervisor: true,
        },
        Effect::InviteWithdrawn {
            conv: cv,
            agent: a,
            invite: InviteId(9),
        },
        Effect::Refusal {
            conv: cv,
            agent: a,
            timed_out: true,
        },
        Effect::Accepted {
            conv: cv,
            agent: a,
            first: true,
            waited: SimDuration(1500),
        },
        Effect::StateChanged {
            conv: cv,
            from: ConvState::Active,
            to: ConvState::WrapUp,
        },
        Effect::Units {
            agent: a,
            before: 1,
            after: -1,
            capacity: 3,
        },
        Effect::Overallocated { agent: a, over: 2 },
        Effect::Presence {
            agent: a,
            from: Presence::Available,
            to: Presence::BusyDnd,
        },
        Effect::Requeued {
            conv: cv,
            from: q,
            to: QueueId(0),
        },
        Effect::Monitoring {
            conv: cv,
            supervisor: s,
        },
        Effect::Joined {
            conv: cv,
            supervisor: s,
            mode: MessageMode::Internal,
        },
        Effect::Transferred {
            conv: cv,
            from: a,
            to: AgentId(8),
        },
        Effect::Notified {
            conv: cv,
            to: Recipient::Agent(a),
            notice: Notice::SupervisorJoined(s, MessageMode::Public),
        },
        Effect::Notified {
            conv: cv,
            to: Recipient::Customer,
            notice: Notice::Transferred,
        },
        Effect::Notified {
            conv: cv,
            to: Recipient::Supervisor(s),
            notice: Notice::ForceClosed,
        },
        Effect::PickAvailable { queue: q },
        Effect::Closed {
            conv: cv,
            queue: q,
            reason: CloseReason::AutoClosed,
            answered: false,
            arrived_at: SimTime(12_000),
        },
    ]
}

#[test]
fn every_command_round_trips_through_json() {
    let all = every_command();
    // 26 command types, two of them twice (arrive with and without a tag; presence set and
    // back to automatic).
    assert_eq!(all.len(), 28);
    let mut kinds: Vec<&str> = all.iter().map(|c| WireCommand::from(*c).kind()).collect();
    kinds.dedup();
    assert_eq!(kinds.len(), 26);
    for cmd in all {
        let json = serde_json::to_string(&WireCommand::from(cmd)).unwrap();
        let back: WireCommand = serde_json::from_str(&json).unwrap();
        assert_eq!(back.to_command(), cmd, "{json}");
        assert!(
            json.contains(&format!("\"type\":\"{}\"", back.kind())),
            "{json}"
        );
    }
}

#[test]
fn every_effect_round_trips_through_json() {
    for e in every_effect() {
        let json = serde_json::to_string(&WireEffect::from(e)).unwrap();
        let back: WireEffect = serde_json::from_str(&json).unwrap();
        assert_eq!(back.to_effect(), Some(e), "{json}");
    }
}

#[test]
fn results_round_trip_and_have_the_contract_shapes() {
    let effects = every_effect();
    let ok = WireResult::new(Ok(()), &effects);
    let json = serde_json::to_string(&ok).unwrap();
    assert!(json.starts_with("{\"effects\":["), "{json}");
    let back: WireResult = serde_json::from_str(&json).unwrap();
    let mut out = Vec::new();
    assert_eq!(back.to_outcome(&mut out), Ok(()));
    assert_eq!(out, effects);

    let refused = WireResult::new(Err(RuleId::AssignState), &[]);
    let json = serde_json::to_string(&refused).unwrap();
    assert_eq!(json, r#"{"refused":"ASSIGN-STATE"}"#);
    let back: WireResult = serde_json::from_str(&json).unwrap();
    assert_eq!(back.to_outcome(&mut out), Err(RuleId::AssignState));
}

#[test]
fn wire_spellings_are_the_documented_ones() {
    let cmd = WireCommand::from(Command::Accept(c(3, 9), InviteId(41)));
    assert_eq!(
        serde_json::to_string(&cmd).unwrap(),
        r#"{"type":"accept","conv":"3.9","invite":41}"#
    );
    let arrive = WireCommand::from(Command::Arrive(QueueId(0), RoutingTag::default()));
    assert_eq!(
        serde_json::to_string(&arrive).unwrap(),
        r#"{"type":"arrive","queue":0}"#
    );
    let e = WireEffect::from(Effect::Notified {
        conv: c(0, 1),
        to: Recipient::Agent(AgentId(2)),
        notice: Notice::SupervisorJoined(SupervisorId(0), MessageMode::Public),
    });
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        r#"{"type":"notified","conv":"0.1","to":{"agent":2},"notice":{"supervisor_joined":{"supervisor":0,"mode":"public"}}}"#
    );
    let batch: CommandBatch =
        serde_json::from_str(r#"{ "now_ms": 12000, "commands": [ {"type":"pick","agent":1} ] }"#)
            .unwrap();
    assert_eq!(batch.now_ms, 12_000);
    assert_eq!(batch.commands[0].to_command(), Command::Pick(AgentId(1)));
}

#[test]
fn malformed_values_are_refused_with_their_field() {
    let bad = |s: &str| {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        let e = crate::service::stdio::parse_value::<CommandBatch>(v).unwrap_err();
        (e.body.field.unwrap_or_default(), e.body.error)
    };
    let (path, msg) =
        bad(r#"{"now_ms":1,"commands":[{"type":"pick","agent":1},{"type":"end","conv":"x"}]}"#);
    assert_eq!(path, "commands[1].conv");
    assert!(msg.contains("SLOT.GEN"), "{msg}");
    let (path, msg) = bad(r#"{"now_ms":1,"commands":[{"type":"fly"}]}"#);
    assert_eq!(path, "commands[0].type");
    assert!(msg.contains("unknown variant `fly`"), "{msg}");
    let (_, msg) = bad(r#"{"now_ms":1,"commands":[{"type":"pick"}]}"#);
    assert!(msg.contains("missing field `agent`"), "{msg}");
    let (path, _) = bad(r#"{"now_ms":-1,"commands":[]}"#);
    assert_eq!(path, "now_ms");
    let (_, msg) = bad(r#"{"now_ms":1,"commands":[{"type":"pick","agent":1,"extra":2}]}"#);
    assert!(msg.contains("unknown field `extra`"), "{msg}");
    for s in [
        "",
        ".",
        "1.",
        ".1",
        "1.2.3",
        "-1.0",
        "1.99999999999",
        "a.b",
        "+1.0",
    ] {
        assert_eq!(WireConv::parse(s), None, "{s:?}");
    }
    assert_eq!(
        WireConv::parse("4294967295.0"),
        Some(WireConv(c(u32::MAX, 0)))
    );
}

#[test]
fn requests_read_every_op() {
    let r: Request = serde_json::from_str(r#"{"op":"reset"}"#).unwrap();
    assert_eq!(r, Request::Reset);
    let r: Request =
        serde_json::from_str(r#"{"op":"assign","conv":"0.0","supervisor":0,"queue":1}"#).unwrap();
    let Request::Assign(a) = r else {
        panic!("assign")
    };
    assert_eq!(
        (a.conv, a.queue, a.agent),
        (Some(WireConv(c(0, 0))), Some(1), None)
    );
    let r: Request = serde_json::from_str(r#"{"op":"commands","now_ms":5,"commands":[]}"#).unwrap();
    assert!(matches!(r, Request::Commands { now_ms: 5, .. }));
}
