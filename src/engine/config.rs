//! The `[engine]` settings: which supervisor features are on and how capacity rules apply.

use crate::time::SimDuration;

/// How far a supervisor assignment may take an agent past its capacity (CAP-OVER, ASSIGN-CAPACITY).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overallocation {
    /// Any amount (the product default); the overallocation is recorded.
    #[default]
    Allow,
    /// None: an assignment that would exceed capacity is refused.
    Deny,
    /// At most this many units over capacity.
    UpTo(u32),
}

/// The rules under test: every key of the scenario's `[engine]` section.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineConfig {
    /// ASSIGN-DISABLED: supervisors may assign.
    pub assign_enabled: bool,
    /// MON-DISABLED: supervisors may monitor (and so join).
    pub monitor_enabled: bool,
    /// TRANSFER-STATE: supervisors may transfer.
    pub transfer_enabled: bool,
    /// FORCE-CLOSE: supervisors may force close.
    pub force_close_enabled: bool,
    /// MON-STATE: Waiting conversations may be monitored too.
    pub monitor_waiting: bool,
    /// MON-CHANNEL: channels that may be monitored (bit mask of [`crate::model::Channel`]);
    /// entity records are never monitorable whatever this says.
    pub monitor_channels: u8,
    /// CAP-OVER.
    pub overallocation: Overallocation,
    /// ASSIGN-AGENT-PRESENCE: a hand-set presence outside the allowed list does not block assignment.
    pub assign_overrides_presence: bool,
    /// CAP-RESERVE: units are reserved when an invitation is sent.
    pub reserve_on_invite: bool,
    /// RT-ELIGIBLE: refusals of one conversation after which an agent is skipped for it.
    pub refusals_before_skip: u32,
    /// RT-INVITE: how long an invitation waits before it times out (the caller times it).
    pub notification_timeout: SimDuration,
    /// JOIN-LIMIT: most consultants on one conversation.
    pub max_consultants: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        use crate::model::Channel;
        EngineConfig {
            assign_enabled: true,
            monitor_enabled: true,
            transfer_enabled: true,
            force_close_enabled: false,
            monitor_waiting: false,
            monitor_channels: Channel::ALL
                .into_iter()
                .filter(|c| *c != Channel::EntityRecords)
                .fold(0, |m, c| m | c.bit()),
            overallocation: Overallocation::Allow,
            assign_overrides_presence: false,
            reserve_on_invite: false,
            refusals_before_skip: 3,
            notification_timeout: SimDuration::from_secs(120),
            max_consultants: 5,
        }
    }
}
