//! The rule catalogue: every rule id of `product.md`, as an enum with its stable spelling.

use std::fmt;

macro_rules! rules {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A rule of the catalogue. Refusals name one; reports count refusals by it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $($(#[$doc])* $variant,)*
        }

        impl RuleId {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The stable id, e.g. `"ASSIGN-STATE"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $text,)*
                }
            }
        }
    };
}

rules! {
    /// Open → Active only by accept or pick.
    LcOpenActive = "LC-OPEN-ACTIVE",
    /// Open → Closed by patience or Open auto-close.
    LcAbandon = "LC-ABANDON",
    /// Active → Wrap-up, Open or Waiting only.
    LcActive = "LC-ACTIVE",
    /// Waiting is for persistent channels only; Waiting → Active, Open or Closed.
    LcWaiting = "LC-WAITING",
    /// Wrap-up → Closed only.
    LcWrapup = "LC-WRAPUP",
    /// Closed is final.
    LcClosed = "LC-CLOSED",
    /// Routing offers only to agents with enough free units.
    CapUnits = "CAP-UNITS",
    /// Which states hold units.
    CapHold = "CAP-HOLD",
    /// Supervisor assignment may overallocate, per the `overallocation` setting.
    CapOver = "CAP-OVER",
    /// Units reserved at invitation or at accept.
    CapReserve = "CAP-RESERVE",
    /// Presence follows capacity unless set by hand.
    PrAuto = "PR-AUTO",
    /// Away and Offline set by hand stay until changed.
    PrManual = "PR-MANUAL",
    /// Routing offers only to agents whose presence is allowed.
    PrAllowed = "PR-ALLOWED",
    /// Who may be offered a conversation.
    RtEligible = "RT-ELIGIBLE",
    /// Priority across queues, FIFO within.
    RtOrder = "RT-ORDER",
    /// The queue's assignment method picks the agent.
    RtMethod = "RT-METHOD",
    /// When routing runs.
    RtTrigger = "RT-TRIGGER",
    /// Push invitations; reject and timeout are refusals.
    RtInvite = "RT-INVITE",
    /// Pick mode: agents pick the oldest eligible conversation.
    RtPick = "RT-PICK",
    /// Monitor must be enabled.
    MonDisabled = "MON-DISABLED",
    /// A supervisor acts only in its queues.
    MonScope = "MON-SCOPE",
    /// Entity records can never be monitored.
    MonChannel = "MON-CHANNEL",
    /// Only Active and Wrap-up (and Waiting if enabled) can be monitored.
    MonState = "MON-STATE",
    /// A supervisor cannot monitor its own conversation.
    MonSelf = "MON-SELF",
    /// Join only what you monitor.
    JoinMonitoring = "JOIN-MONITORING",
    /// Only Active can be joined.
    JoinState = "JOIN-STATE",
    /// At most `max_consultants` consultants.
    JoinLimit = "JOIN-LIMIT",
    /// Joining notifies agent and customer.
    JoinNotify = "JOIN-NOTIFY",
    /// Assign must be enabled.
    AssignDisabled = "ASSIGN-DISABLED",
    /// As MON-SCOPE.
    AssignScope = "ASSIGN-SCOPE",
    /// Only Open conversations with no agent can be assigned.
    AssignState = "ASSIGN-STATE",
    /// The agent must be a member of the conversation's queue.
    AssignAgentQueue = "ASSIGN-AGENT-QUEUE",
    /// The agent must not be Offline (nor away by hand, unless overridden).
    AssignAgentPresence = "ASSIGN-AGENT-PRESENCE",
    /// Refused only when the overallocation setting forbids it.
    AssignCapacity = "ASSIGN-CAPACITY",
    /// The target queue differs and has the same channel.
    AssignQueueSame = "ASSIGN-QUEUE-SAME",
    /// An accepted assignment sends an invitation.
    AssignInvite = "ASSIGN-INVITE",
    /// Transfer needs `transfer_enabled` and an Active or Waiting conversation.
    TransferState = "TRANSFER-STATE",
    /// Force close needs `force_close_enabled`.
    ForceClose = "FORCE-CLOSE",
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for RuleId {}

impl RuleId {
    /// Reads a rule id such as `"ASSIGN-STATE"`.
    pub fn parse(s: &str) -> Option<RuleId> {
        RuleId::ALL.iter().copied().find(|r| r.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_38_distinct_ids() {
        assert_eq!(RuleId::ALL.len(), 38);
        let mut names: Vec<_> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 38);
        for r in RuleId::ALL {
            assert_eq!(RuleId::parse(r.as_str()), Some(*r));
        }
    }
}
