//! The simulator's events: small `Copy` values in the kernel's queue.
//!
//! Cancellation is lazy: an event that no longer matters (a patience timer of a conversation
//! already answered, a handle-time end of an earlier acceptance) is dropped when it is popped,
//! by checking the conversation's handle and its `epoch`.

use crate::engine::{ConvId, InviteId};

/// How an agent answers an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    Accept,
    Reject,
    Timeout,
}

/// One simulator event.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Event {
    /// The next arrival of a queue.
    Arrival {
        queue: u32,
    },
    /// A customer who abandoned comes back (`slot` in the pending retrials).
    Retrial {
        queue: u32,
        slot: u32,
    },
    /// The next arrival of a work stream with its own arrivals (RT-QUEUE picks the queue).
    WsArrival {
        ws: u32,
    },
    /// A waiting-time overflow rule (OVF-WAIT) of `queue` is due for a conversation.
    OverflowWait {
        conv: ConvId,
        queue: u32,
        rule: u16,
    },
    /// The customer's patience or the Open auto-close ran out.
    GiveUp {
        conv: ConvId,
        auto: bool,
    },
    /// The agent answers an invitation.
    InviteAnswer {
        conv: ConvId,
        invite: InviteId,
        answer: Answer,
    },
    /// The handle time of the current acceptance is over.
    HandleEnd {
        conv: ConvId,
        epoch: u32,
    },
    /// The agent sets the conversation Waiting (persistent channels).
    GoWaiting {
        conv: ConvId,
        epoch: u32,
    },
    /// A Waiting customer comes back, or the Waiting auto-close fires.
    WaitingOver {
        conv: ConvId,
        epoch: u32,
        auto: bool,
    },
    /// A timed wrap-up capacity block ran out.
    WrapUpRelease {
        conv: ConvId,
    },
    /// Wrap-up is over (the agent closes) or its auto-close fired.
    WrapUpEnd {
        conv: ConvId,
        auto: bool,
    },
    /// Shift and break changes.
    ShiftStart {
        agent: u32,
    },
    ShiftEnd {
        agent: u32,
    },
    BreakStart {
        agent: u32,
    },
    BreakEnd {
        agent: u32,
    },
    /// An agent's connection drops, comes back, or its reconnect timeout runs out.
    Disconnect {
        agent: u32,
    },
    Reconnect {
        agent: u32,
    },
    ReconnectTimeout {
        agent: u32,
        epoch: u32,
    },
    /// A pick-mode agent picks.
    Pick {
        agent: u32,
    },
    /// A periodic policy checks its condition.
    PolicyTick {
        source: u32,
    },
    /// A script line acts.
    Script {
        source: u32,
    },
    /// A supervisor acts on a conversation after its reaction delay.
    Act {
        source: u32,
        conv: ConvId,
        since_ms: u64,
    },
}

impl Event {
    /// The conversation the event is about, if any (a command it may send names it, even
    /// once the conversation has closed: an invitation's answer, a supervisor's action).
    pub(crate) fn conv(&self) -> Option<ConvId> {
        match *self {
            Event::OverflowWait { conv, .. }
            | Event::GiveUp { conv, .. }
            | Event::InviteAnswer { conv, .. }
            | Event::HandleEnd { conv, .. }
            | Event::GoWaiting { conv, .. }
            | Event::WaitingOver { conv, .. }
            | Event::WrapUpRelease { conv }
            | Event::WrapUpEnd { conv, .. }
            | Event::Act { conv, .. } => Some(conv),
            Event::Arrival { .. }
            | Event::Retrial { .. }
            | Event::WsArrival { .. }
            | Event::ShiftStart { .. }
            | Event::ShiftEnd { .. }
            | Event::BreakStart { .. }
            | Event::BreakEnd { .. }
            | Event::Disconnect { .. }
            | Event::Reconnect { .. }
            | Event::ReconnectTimeout { .. }
            | Event::Pick { .. }
            | Event::PolicyTick { .. }
            | Event::Script { .. } => None,
        }
    }
}
