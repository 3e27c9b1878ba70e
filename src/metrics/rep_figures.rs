//! Figures derived from one replication's [`RepMetrics`]: occupancy and overallocated agents.

use super::RepMetrics;

impl RepMetrics {
    /// Agents overallocated at least once.
    pub fn over_agents(&self) -> u64 {
        self.agents.iter().filter(|a| a.over_events > 0).count() as u64
    }

    /// Time-weighted occupancy: units held ÷ units of agents on shift (or
    /// off shift and still holding units), both over
    /// [warm-up, horizon]; `None` when nobody was on shift.
    pub fn occupancy(&self) -> Option<f64> {
        (self.staffed_unit_ms > 0).then(|| self.used_unit_ms as f64 / self.staffed_unit_ms as f64)
    }
}
