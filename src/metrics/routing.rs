//! [`RoutingCounts`]: a replication's unified-routing counts (unmatched conversations,
//! overflow by queue and action), merged across replications.

use serde::{Deserialize, Serialize};

/// Unified-routing counts of one replication (counted conversations only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingCounts {
    /// RT-SKILL: conversations that entered a queue none of whose members can ever meet their
    /// required skills.
    pub unmatched: u64,
    /// Ended by overflow.
    pub ended: u64,
    /// Moved to another queue by overflow.
    pub transferred: u64,
    /// Overflow callbacks (the customer stopped abandoning).
    pub callbacks: u64,
    /// Overflow triggers per queue: `[out_of_hours, work_items_over, waited_over]`.
    pub by_queue: Vec<[u64; 3]>,
}

impl RoutingCounts {
    /// Adds another replication's counts.
    pub fn merge(&mut self, o: &RoutingCounts) {
        self.unmatched += o.unmatched;
        self.ended += o.ended;
        self.transferred += o.transferred;
        self.callbacks += o.callbacks;
        if self.by_queue.len() < o.by_queue.len() {
            self.by_queue.resize(o.by_queue.len(), [0; 3]);
        }
        for (a, b) in self.by_queue.iter_mut().zip(&o.by_queue) {
            for k in 0..3 {
                a[k] += b[k];
            }
        }
    }
}
