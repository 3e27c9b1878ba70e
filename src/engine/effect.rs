//! What a command did: the effects the engine reports to its caller.

use crate::model::{AgentId, ConvState, MessageMode, Presence, QueueId, SupervisorId};
use crate::time::{SimDuration, SimTime};

use super::ConvId;

/// An invitation's id: unique for the engine's lifetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InviteId(pub u64);

/// Who receives a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// An agent.
    Agent(AgentId),
    /// The conversation's customer.
    Customer,
    /// A supervisor.
    Supervisor(SupervisorId),
}

/// What a notification says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A supervisor joined as a consultant (JOIN-NOTIFY).
    SupervisorJoined(SupervisorId, MessageMode),
    /// The conversation was transferred to another agent.
    Transferred,
    /// A supervisor force-closed the conversation.
    ForceClosed,
}

/// Why a conversation closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// Closed after wrap-up.
    Completed,
    /// The customer left while Open (patience).
    Abandoned,
    /// An auto-close timer of its state fired.
    AutoClosed,
    /// A supervisor force-closed it.
    ForceClosed,
    /// Overflow ended it (OVF-*): neither answered nor abandoned.
    Overflowed,
}

/// One effect of a command. A command's effects are appended to the caller's buffer in the order
/// they happened.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Effect {
    /// RT-SKILL: a conversation entered a queue none of whose members can ever meet its
    /// required skills under exact matching (in a queue with assignment rules: that no rule can
    /// ever serve, RT-RULESET); it stays queued (`routing.unmatched`).
    Unmatched {
        /// The conversation.
        conv: ConvId,
        /// The queue it entered.
        queue: QueueId,
    },
    /// RT-RULESET: an invitation sent by assignment rule number `rule` of `queue` (its
    /// position in the queue's list) was accepted (`routing.by_rule`).
    AssignedByRule {
        /// The conversation.
        conv: ConvId,
        /// Its queue.
        queue: QueueId,
        /// The rule's number.
        rule: u16,
    },
    /// A conversation arrived in a queue.
    Arrived {
        /// The new conversation.
        conv: ConvId,
        /// Its queue.
        queue: QueueId,
    },
    /// An agent was invited (RT-INVITE, ASSIGN-INVITE). The caller decides accept, reject or timeout.
    Invited {
        /// The conversation.
        conv: ConvId,
        /// The agent.
        agent: AgentId,
        /// The invitation.
        invite: InviteId,
        /// Sent by a supervisor assignment rather than by routing.
        by_supervisor: bool,
    },
    /// A pending invitation was withdrawn (conversation reassigned, closed, or the agent left).
    InviteWithdrawn {
        /// The conversation.
        conv: ConvId,
        /// The agent.
        agent: AgentId,
        /// The invitation.
        invite: InviteId,
    },
    /// An agent refused an invitation (rejected or let it time out).
    Refusal {
        /// The conversation.
        conv: ConvId,
        /// The agent.
        agent: AgentId,
        /// It timed out rather than being rejected.
        timed_out: bool,
    },
    /// An agent took a conversation (accept or pick): Open → Active.
    Accepted {
        /// The conversation.
        conv: ConvId,
        /// The agent.
        agent: AgentId,
        /// The conversation's first time Active.
        first: bool,
        /// Time since arrival.
        waited: SimDuration,
    },
    /// A lifecycle transition.
    StateChanged {
        /// The conversation.
        conv: ConvId,
        /// Before.
        from: ConvState,
        /// After.
        to: ConvState,
    },
    /// An agent's used units changed.
    Units {
        /// The agent.
        agent: AgentId,
        /// Units used before.
        before: i64,
        /// Units used after.
        after: i64,
        /// The agent's capacity.
        capacity: u32,
    },
    /// A change left an agent above its capacity (CAP-OVER): one overallocation event.
    Overallocated {
        /// The agent.
        agent: AgentId,
        /// Units above capacity after the change.
        over: u32,
    },
    /// An agent's effective presence changed.
    Presence {
        /// The agent.
        agent: AgentId,
        /// Before.
        from: Presence,
        /// After.
        to: Presence,
    },
    /// A conversation moved to another queue.
    Requeued {
        /// The conversation.
        conv: ConvId,
        /// The queue it left.
        from: QueueId,
        /// The queue it entered.
        to: QueueId,
    },
    /// A supervisor started monitoring.
    Monitoring {
        /// The conversation.
        conv: ConvId,
        /// The supervisor.
        supervisor: SupervisorId,
    },
    /// A supervisor joined as a consultant.
    Joined {
        /// The conversation.
        conv: ConvId,
        /// The supervisor.
        supervisor: SupervisorId,
        /// Internal or public.
        mode: MessageMode,
    },
    /// A primary agent changed by supervisor transfer.
    Transferred {
        /// The conversation.
        conv: ConvId,
        /// The previous primary agent (now a consultant).
        from: AgentId,
        /// The new primary agent.
        to: AgentId,
    },
    /// A notification was sent.
    Notified {
        /// The conversation.
        conv: ConvId,
        /// To whom.
        to: Recipient,
        /// What.
        notice: Notice,
    },
    /// Work is waiting in a pick-mode queue (RT-PICK): agents may pick it.
    PickAvailable {
        /// The queue.
        queue: QueueId,
    },
    /// A conversation closed (it is gone from the engine after this).
    Closed {
        /// The conversation.
        conv: ConvId,
        /// The queue it was in when it closed.
        queue: QueueId,
        /// Why.
        reason: CloseReason,
        /// It had been Active at least once.
        answered: bool,
        /// When it arrived (so a caller can tell how long an abandoning customer waited).
        arrived_at: SimTime,
    },
}
