//! The domain vocabulary shared by the engine, the scenario loader and the simulator.
//!
//! Key types: the compact ids ([`AgentId`], [`QueueId`], [`WorkstreamId`], [`SupervisorId`]),
//! [`Channel`], [`RoutingMode`], [`Presence`], [`ConvState`], [`WrapUpBlock`],
//! [`AssignmentMethod`], [`MessageMode`] and [`WorkstreamRules`], the part of a work stream
//! that the rules engine sees. Ids are indices into `Vec`s: the hot path never hashes a name.

use serde::Serialize;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into the owning `Vec`.
            #[inline]
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// An agent, by index in scenario order (group by group, `tier1-1` first).
    AgentId
);
id_type!(
    /// A queue, by index in scenario order.
    QueueId
);
id_type!(
    /// A work stream, by index in scenario order.
    WorkstreamId
);
id_type!(
    /// A supervisor, by index in scenario order.
    SupervisorId
);

/// The channel of a work stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Live web chat: never Waiting.
    LiveChat,
    /// Persistent (asynchronous) chat: may be set Waiting.
    PersistentChat,
    /// Asynchronous messaging channels (SMS, social): may be set Waiting.
    Messaging,
    /// Voice calls: never Waiting.
    Voice,
    /// Entity-records routing (cases, emails): never monitored.
    EntityRecords,
}

impl Channel {
    /// Every channel, in a fixed order.
    pub const ALL: [Channel; 5] = [
        Channel::LiveChat,
        Channel::PersistentChat,
        Channel::Messaging,
        Channel::Voice,
        Channel::EntityRecords,
    ];

    /// The scenario-file spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::LiveChat => "live_chat",
            Channel::PersistentChat => "persistent_chat",
            Channel::Messaging => "messaging",
            Channel::Voice => "voice",
            Channel::EntityRecords => "entity_records",
        }
    }

    /// Reads the scenario-file spelling.
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether a conversation of this channel may be set Waiting (LC-WAITING).
    pub fn allows_waiting(self) -> bool {
        matches!(self, Channel::PersistentChat | Channel::Messaging)
    }

    /// A bit for channel sets.
    pub(crate) fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// How work reaches agents (RT-INVITE, RT-PICK).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RoutingMode {
    /// The engine invites a chosen agent.
    #[default]
    Push,
    /// Agents pick the oldest eligible conversation themselves.
    Pick,
}

/// An agent's presence (PR-AUTO, PR-MANUAL, PR-ALLOWED).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// No units used.
    Available,
    /// Some units used.
    Busy,
    /// No units free (or set by hand: do not disturb).
    BusyDnd,
    /// Set by hand: on a break.
    Away,
    /// Set by hand: not working.
    Offline,
}

impl Presence {
    /// Every presence, in a fixed order.
    pub const ALL: [Presence; 5] = [
        Presence::Available,
        Presence::Busy,
        Presence::BusyDnd,
        Presence::Away,
        Presence::Offline,
    ];

    /// The scenario-file spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Available => "available",
            Presence::Busy => "busy",
            Presence::BusyDnd => "busy_dnd",
            Presence::Away => "away",
            Presence::Offline => "offline",
        }
    }

    /// Reads the scenario-file spelling.
    pub fn parse(s: &str) -> Option<Presence> {
        Presence::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// A bit for presence sets.
    #[inline]
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of presences, as a bit mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PresenceSet(pub u8);

impl PresenceSet {
    /// The product default: Available and Busy.
    pub const DEFAULT: PresenceSet =
        PresenceSet((1 << Presence::Available as u8) | (1 << Presence::Busy as u8));

    /// A set of the given presences.
    pub fn of(items: &[Presence]) -> Self {
        PresenceSet(items.iter().fold(0, |m, p| m | p.bit()))
    }

    /// Whether `p` is in the set.
    #[inline]
    pub fn contains(self, p: Presence) -> bool {
        self.0 & p.bit() != 0
    }
}

impl Default for PresenceSet {
    fn default() -> Self {
        PresenceSet::DEFAULT
    }
}

/// A conversation's lifecycle state.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ConvState {
    /// In a queue, no agent has accepted it.
    Open,
    /// An agent has accepted it.
    Active,
    /// Set aside by the agent (persistent chat only); holds no capacity.
    Waiting,
    /// Ended; the agent finishes notes.
    WrapUp,
    /// Terminal.
    Closed,
}

impl ConvState {
    /// Every state, in a fixed order.
    pub const ALL: [ConvState; 5] = [
        ConvState::Open,
        ConvState::Active,
        ConvState::Waiting,
        ConvState::WrapUp,
        ConvState::Closed,
    ];

    /// The scenario-file spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConvState::Open => "open",
            ConvState::Active => "active",
            ConvState::Waiting => "waiting",
            ConvState::WrapUp => "wrap_up",
            ConvState::Closed => "closed",
        }
    }

    /// Reads the scenario-file spelling.
    pub fn parse(s: &str) -> Option<ConvState> {
        ConvState::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Whether wrap-up holds the agent's units (CAP-HOLD).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WrapUpBlock {
    /// Units are held for the whole wrap-up (the default).
    #[default]
    Always,
    /// Units are freed when wrap-up starts.
    Never,
    /// Units are held for at most this long into wrap-up (the caller releases them).
    For(crate::time::SimDuration),
}

/// A queue's assignment method (RT-METHOD).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentMethod {
    /// Most free units; ties to the agent idle longest (earliest last assignment).
    #[default]
    HighestCapacity,
    /// Per-queue rotation (least recently assigned in this queue first); ties to the earliest
    /// last assignment anywhere.
    AdvancedRoundRobin,
    /// A cyclic pointer over the queue's members; the next eligible agent after the last one chosen.
    RoundRobin,
    /// Longest since the agent last released capacity.
    LeastActive,
}

impl AssignmentMethod {
    /// The scenario-file spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentMethod::HighestCapacity => "highest_capacity",
            AssignmentMethod::AdvancedRoundRobin => "advanced_round_robin",
            AssignmentMethod::RoundRobin => "round_robin",
            AssignmentMethod::LeastActive => "least_active",
        }
    }

    /// Reads the scenario-file spelling.
    pub fn parse(s: &str) -> Option<AssignmentMethod> {
        [
            AssignmentMethod::HighestCapacity,
            AssignmentMethod::AdvancedRoundRobin,
            AssignmentMethod::RoundRobin,
            AssignmentMethod::LeastActive,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// How a joining supervisor's messages are seen (JOIN-NOTIFY).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageMode {
    /// Seen by the agent only (the default).
    #[default]
    Internal,
    /// Seen by the agent and the customer.
    Public,
}

/// The part of a work stream the rules engine applies.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkstreamRules {
    /// The channel.
    pub channel: Channel,
    /// Push or pick.
    pub mode: RoutingMode,
    /// Units one conversation takes.
    pub capacity_units: u32,
    /// Presences that may receive automatic work.
    pub allowed_presences: PresenceSet,
    /// Whether wrap-up holds units.
    pub block_capacity_for_wrap_up: WrapUpBlock,
}
