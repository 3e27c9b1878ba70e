//! [`AgentStats`]: what one agent did in one replication (after warm-up), and the integrals
//! behind its group's occupancy in `summary.json`'s `agent_groups`.

use serde::{Deserialize, Serialize};

/// What one agent did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentStats {
    /// Conversations accepted, picked or transferred to it by a supervisor.
    pub conversations: u64,
    /// Milliseconds holding any units after warm-up, drain included (like `conversations`:
    /// busy time per conversation is the handle time).
    #[serde(with = "super::lossless::i128_str")]
    pub busy_ms: i128,
    /// Units held × milliseconds over [warm-up, horizon] (the numerator of occupancy, the
    /// center's window).
    #[serde(with = "super::lossless::i128_str", default)]
    pub unit_ms: i128,
    /// Units of capacity × milliseconds on shift over [warm-up, horizon] (the denominator of
    /// occupancy, the center's window).
    #[serde(with = "super::lossless::i128_str", default)]
    pub staffed_unit_ms: i128,
    /// Units above capacity × milliseconds.
    #[serde(with = "super::lossless::i128_str")]
    pub over_unit_ms: i128,
    /// Milliseconds above capacity.
    #[serde(with = "super::lossless::i128_str")]
    pub over_ms: i128,
    /// Invitations rejected or timed out.
    pub refusals: u64,
    /// Overallocation events.
    pub over_events: u64,
    /// Largest units above capacity.
    pub over_max: u32,
    pub(super) used: i64,
    pub(super) capacity: u32,
    pub(super) last: u64,
    #[serde(default)]
    pub(super) on_shift: bool,
}

impl AgentStats {
    /// An agent with `capacity` units, off shift, that did nothing yet.
    pub fn with_capacity(capacity: u32) -> Self {
        AgentStats {
            capacity,
            ..Default::default()
        }
    }

    /// Adds another replication's figures for the same agent (`over_max` is the larger).
    pub fn merge(&mut self, o: &AgentStats) {
        self.conversations += o.conversations;
        self.busy_ms += o.busy_ms;
        self.unit_ms += o.unit_ms;
        self.staffed_unit_ms += o.staffed_unit_ms;
        self.over_unit_ms += o.over_unit_ms;
        self.over_ms += o.over_ms;
        self.refusals += o.refusals;
        self.over_events += o.over_events;
        self.over_max = self.over_max.max(o.over_max);
    }
}
