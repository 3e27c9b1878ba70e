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
    /// RT-RULESET: assignments per queue and assignment rule (by their numbers).
    #[serde(default)]
    pub by_rule: Vec<Vec<u64>>,
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
        if self.by_rule.len() < o.by_rule.len() {
            self.by_rule.resize(o.by_rule.len(), Vec::new());
        }
        for (a, b) in self.by_rule.iter_mut().zip(&o.by_rule) {
            if a.len() < b.len() {
                a.resize(b.len(), 0);
            }
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// RT-RULESET: counts an assignment by rule number `rule` of queue number `queue`.
    pub fn rule_assigned(&mut self, queue: usize, rule: usize) {
        if self.by_rule.len() <= queue {
            self.by_rule.resize(queue + 1, Vec::new());
        }
        let q = &mut self.by_rule[queue];
        if q.len() <= rule {
            q.resize(rule + 1, 0);
        }
        q[rule] += 1;
    }

    /// The assignments of rule number `rule` of queue number `queue`.
    pub fn assigned_by(&self, queue: usize, rule: usize) -> u64 {
        self.by_rule
            .get(queue)
            .and_then(|q| q.get(rule))
            .copied()
            .unwrap_or(0)
    }
}
