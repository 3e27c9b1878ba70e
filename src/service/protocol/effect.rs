//! [`WireEffect`]: every [`Effect`] on the wire, `{ "type": "invited", "conv": "0.0", ... }`,
//! with its recipients, notices and close reasons; total conversions both ways.

use serde::{Deserialize, Serialize};

use crate::engine::{CloseReason, Effect, InviteId, Notice, Recipient};
use crate::model::{AgentId, ConvState, MessageMode, Presence, QueueId, SupervisorId};
use crate::time::{SimDuration, SimTime};

use super::WireConv;

/// Who receives a notification: `{ "agent": 3 }`, `"customer"` or `{ "supervisor": 0 }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireRecipient {
    /// An agent.
    Agent(u32),
    /// The conversation's customer.
    Customer,
    /// A supervisor.
    Supervisor(u32),
}

/// What a notification says: `{ "supervisor_joined": { "supervisor": 0, "mode": "public" } }`,
/// `"transferred"` or `"force_closed"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireNotice {
    /// JOIN-NOTIFY.
    SupervisorJoined {
        /// Who joined.
        supervisor: u32,
        /// Internal or public.
        mode: MessageMode,
    },
    /// The conversation was transferred to another agent.
    Transferred,
    /// A supervisor force-closed the conversation.
    ForceClosed,
}

/// Why a conversation closed: `"completed"`, `"abandoned"`, `"auto_closed"`, `"force_closed"`,
/// `"overflowed"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum WireCloseReason {
    Completed,
    Abandoned,
    AutoClosed,
    ForceClosed,
    Overflowed,
}

/// One effect on the wire; the types and fields are those of [`Effect`] in snake case, with
/// durations and instants in milliseconds (`waited_ms`, `arrived_at_ms`).
///
/// Read leniently, as `docs/protocol.md` says v1 grows (new optional fields, new effect
/// types): a field this version does not know is ignored, and an effect of a type it does not
/// know reads as [`WireEffect::Unknown`], which a client skips.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum WireEffect {
    /// RT-SKILL: no member can ever serve it; it stays queued.
    Unmatched { conv: WireConv, queue: u32 },
    /// RT-RULESET: accepted from an invitation of assignment rule `rule` of `queue`.
    AssignedByRule {
        conv: WireConv,
        queue: u32,
        rule: u16,
    },
    /// A conversation arrived: `conv` is its id from now on.
    Arrived { conv: WireConv, queue: u32 },
    /// An agent was invited; the caller answers accept, reject or timeout with `invite`.
    Invited {
        conv: WireConv,
        agent: u32,
        invite: u64,
        by_supervisor: bool,
    },
    /// A pending invitation was withdrawn.
    InviteWithdrawn {
        conv: WireConv,
        agent: u32,
        invite: u64,
    },
    /// An agent refused an invitation (rejected, or let it time out).
    Refusal {
        conv: WireConv,
        agent: u32,
        timed_out: bool,
    },
    /// An agent took a conversation (Open → Active).
    Accepted {
        conv: WireConv,
        agent: u32,
        first: bool,
        waited_ms: u64,
    },
    /// A lifecycle transition.
    StateChanged {
        conv: WireConv,
        from: ConvState,
        to: ConvState,
    },
    /// An agent's used units changed.
    Units {
        agent: u32,
        before: i64,
        after: i64,
        capacity: u32,
    },
    /// CAP-OVER: the change left the agent `over` units above capacity.
    Overallocated { agent: u32, over: u32 },
    /// An agent's effective presence changed.
    Presence {
        agent: u32,
        from: Presence,
        to: Presence,
    },
    /// A conversation moved to another queue.
    Requeued { conv: WireConv, from: u32, to: u32 },
    /// A supervisor started monitoring.
    Monitoring { conv: WireConv, supervisor: u32 },
    /// A supervisor joined as a consultant.
    Joined {
        conv: WireConv,
        supervisor: u32,
        mode: MessageMode,
    },
    /// The primary agent changed by supervisor transfer.
    Transferred { conv: WireConv, from: u32, to: u32 },
    /// A notification was sent.
    Notified {
        conv: WireConv,
        to: WireRecipient,
        notice: WireNotice,
    },
    /// RT-PICK: work is waiting in a pick-mode queue.
    PickAvailable { queue: u32 },
    /// A conversation closed (its id is stale from now on).
    Closed {
        conv: WireConv,
        queue: u32,
        reason: WireCloseReason,
        answered: bool,
        arrived_at_ms: u64,
    },
    /// An effect of a type this version does not know (a newer engine's): read, then skipped.
    /// Never written by this version.
    #[serde(other)]
    Unknown,
}

impl From<Effect> for WireEffect {
    fn from(e: Effect) -> WireEffect {
        use WireEffect as W;
        let w = WireConv;
        match e {
            Effect::Unmatched { conv, queue } => W::Unmatched {
                conv: w(conv),
                queue: queue.0,
            },
            Effect::AssignedByRule { conv, queue, rule } => W::AssignedByRule {
                conv: w(conv),
                queue: queue.0,
                rule,
            },
            Effect::Arrived { conv, queue } => W::Arrived {
                conv: w(conv),
                queue: queue.0,
            },
            Effect::Invited {
                conv,
                agent,
                invite,
                by_supervisor,
            } => W::Invited {
                conv: w(conv),
                agent: agent.0,
                invite: invite.0,
                by_supervisor,
            },
            Effect::InviteWithdrawn {
                conv,
                agent,
                invite,
            } => W::InviteWithdrawn {
                conv: w(conv),
                agent: agent.0,
                invite: invite.0,
            },
            Effect::Refusal {
                conv,
                agent,
                timed_out,
            } => W::Refusal {
                conv: w(conv),
                agent: agent.0,
                timed_out,
            },
            Effect::Accepted {
                conv,
                agent,
                first,
                waited,
            } => W::Accepted {
                conv: w(conv),
                agent: agent.0,
                first,
                waited_ms: waited.0,
            },
            Effect::StateChanged { conv, from, to } => W::StateChanged {
                conv: w(conv),
                from,
                to,
            },
            Effect::Units {
                agent,
                before,
                after,
                capacity,
            } => W::Units {
                agent: agent.0,
                before,
                after,
                capacity,
            },
            Effect::Overallocated { agent, over } => W::Overallocated {
                agent: agent.0,
                over,
            },
            Effect::Presence { agent, from, to } => W::Presence {
                agent: agent.0,
                from,
                to,
            },
            Effect::Requeued { conv, from, to } => W::Requeued {
                conv: w(conv),
                from: from.0,
                to: to.0,
            },
            Effect::Monitoring { conv, supervisor } => W::Monitoring {
                conv: w(conv),
                supervisor: supervisor.0,
            },
            Effect::Joined {
                conv,
                supervisor,
                mode,
            } => W::Joined {
                conv: w(conv),
                supervisor: supervisor.0,
                mode,
            },
            Effect::Transferred { conv, from, to } => W::Transferred {
                conv: w(conv),
                from: from.0,
                to: to.0,
            },
            Effect::Notified { conv, to, notice } => W::Notified {
                conv: w(conv),
                to: match to {
                    Recipient::Agent(a) => WireRecipient::Agent(a.0),
                    Recipient::Customer => WireRecipient::Customer,
                    Recipient::Supervisor(s) => WireRecipient::Supervisor(s.0),
                },
                notice: match notice {
                    Notice::SupervisorJoined(s, mode) => WireNotice::SupervisorJoined {
                        supervisor: s.0,
                        mode,
                    },
                    Notice::Transferred => WireNotice::Transferred,
                    Notice::ForceClosed => WireNotice::ForceClosed,
                },
            },
            Effect::PickAvailable { queue } => W::PickAvailable { queue: queue.0 },
            Effect::Closed {
                conv,
                queue,
                reason,
                answered,
                arrived_at,
            } => W::Closed {
                conv: w(conv),
                queue: queue.0,
                reason: match reason {
                    CloseReason::Completed => WireCloseReason::Completed,
                    CloseReason::Abandoned => WireCloseReason::Abandoned,
                    CloseReason::AutoClosed => WireCloseReason::AutoClosed,
                    CloseReason::ForceClosed => WireCloseReason::ForceClosed,
                    CloseReason::Overflowed => WireCloseReason::Overflowed,
                },
                answered,
                arrived_at_ms: arrived_at.0,
            },
        }
    }
}

impl WireEffect {
    /// The engine effect (the inverse of `From<Effect>`); `None` for [`WireEffect::Unknown`].
    pub fn to_effect(self) -> Option<Effect> {
        use WireEffect as W;
        let (a, q, s) = (AgentId, QueueId, SupervisorId);
        Some(match self {
            W::Unknown => return None,
            W::Unmatched { conv, queue } => Effect::Unmatched {
                conv: conv.0,
                queue: q(queue),
            },
            W::AssignedByRule { conv, queue, rule } => Effect::AssignedByRule {
                conv: conv.0,
                queue: q(queue),
                rule,
            },
            W::Arrived { conv, queue } => Effect::Arrived {
                conv: conv.0,
                queue: q(queue),
            },
            W::Invited {
                conv,
                agent,
                invite,
                by_supervisor,
            } => Effect::Invited {
                conv: conv.0,
                agent: a(agent),
                invite: InviteId(invite),
                by_supervisor,
            },
            W::InviteWithdrawn {
                conv,
                agent,
                invite,
            } => Effect::InviteWithdrawn {
                conv: conv.0,
                agent: a(agent),
                invite: InviteId(invite),
            },
            W::Refusal {
                conv,
                agent,
                timed_out,
            } => Effect::Refusal {
                conv: conv.0,
                agent: a(agent),
                timed_out,
            },
            W::Accepted {
                conv,
                agent,
                first,
                waited_ms,
            } => Effect::Accepted {
                conv: conv.0,
                agent: a(agent),
                first,
                waited: SimDuration(waited_ms),
            },
            W::StateChanged { conv, from, to } => Effect::StateChanged {
                conv: conv.0,
                from,
                to,
            },
            W::Units {
                agent,
                before,
                after,
                capacity,
            } => Effect::Units {
                agent: a(agent),
                before,
                after,
                capacity,
            },
            W::Overallocated { agent, over } => Effect::Overallocated {
                agent: a(agent),
                over,
            },
            W::Presence { agent, from, to } => Effect::Presence {
                agent: a(agent),
                from,
                to,
            },
            W::Requeued { conv, from, to } => Effect::Requeued {
                conv: conv.0,
                from: q(from),
                to: q(to),
            },
            W::Monitoring { conv, supervisor } => Effect::Monitoring {
                conv: conv.0,
                supervisor: s(supervisor),
            },
            W::Joined {
                conv,
                supervisor,
                mode,
            } => Effect::Joined {
                conv: conv.0,
                supervisor: s(supervisor),
                mode,
            },
            W::Transferred { conv, from, to } => Effect::Transferred {
                conv: conv.0,
                from: a(from),
                to: a(to),
            },
            W::Notified { conv, to, notice } => Effect::Notified {
                conv: conv.0,
                to: match to {
                    WireRecipient::Agent(x) => Recipient::Agent(a(x)),
                    WireRecipient::Customer => Recipient::Customer,
                    WireRecipient::Supervisor(x) => Recipient::Supervisor(s(x)),
                },
                notice: match notice {
                    WireNotice::SupervisorJoined { supervisor, mode } => {
                        Notice::SupervisorJoined(s(supervisor), mode)
                    }
                    WireNotice::Transferred => Notice::Transferred,
                    WireNotice::ForceClosed => Notice::ForceClosed,
                },
            },
            W::PickAvailable { queue } => Effect::PickAvailable { queue: q(queue) },
            W::Closed {
                conv,
                queue,
                reason,
                answered,
                arrived_at_ms,
            } => Effect::Closed {
                conv: conv.0,
                queue: q(queue),
                reason: match reason {
                    WireCloseReason::Completed => CloseReason::Completed,
                    WireCloseReason::Abandoned => CloseReason::Abandoned,
                    WireCloseReason::AutoClosed => CloseReason::AutoClosed,
                    WireCloseReason::ForceClosed => CloseReason::ForceClosed,
                    WireCloseReason::Overflowed => CloseReason::Overflowed,
                },
                answered,
                arrived_at: SimTime(arrived_at_ms),
            },
        })
    }
}
