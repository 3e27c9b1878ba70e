//! Per-task measurements: a latency histogram per command type, counts and refusals by rule.
//! Each task records into its own [`TaskStats`]; they are added together at the end, so no lock
//! is shared on the hot path.
//!
//! A command that fell due but was never applied (the engine fell behind, or the run was cut
//! short) is recorded too, with its age when the run ended ([`TaskStats::record_unapplied`]), so
//! the histograms cannot leave out the very commands an overloaded engine never reached.

use hdrhistogram::Histogram;

use crate::engine::{Command, Effect, RuleId};
use crate::metrics::RoutingCounts;

/// The command types latencies are kept for, in report order.
pub const KINDS: [&str; 14] = [
    "arrive",
    "accept",
    "reject",
    "timeout",
    "end",
    "close",
    "abandon",
    "assign_to_agent",
    "assign_to_queue",
    "monitor",
    "join",
    "transfer",
    "force_close",
    "other",
];

/// The index in [`KINDS`] of a command's type.
pub fn kind_of(cmd: &Command) -> usize {
    match cmd {
        Command::Arrive(..) => 0,
        Command::Accept(..) => 1,
        Command::Reject(..) => 2,
        Command::Timeout(..) => 3,
        Command::End(_) => 4,
        Command::Close(_) => 5,
        Command::Abandon(_) => 6,
        Command::AssignToAgent(..) => 7,
        Command::AssignToQueue(..) => 8,
        Command::Monitor(..) => 9,
        Command::Join(..) => 10,
        Command::Transfer(..) => 11,
        Command::ForceClose(..) => 12,
        _ => 13,
    }
}

/// A latency histogram in microseconds, 1 µs to 1 hour, 3 significant digits.
pub(crate) fn new_hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds")
}

/// What one task measured.
#[derive(Clone, Debug)]
pub struct TaskStats {
    /// Latency (µs, from due to done; for an unapplied command, from due to the end of the run)
    /// per command type, indexed like [`KINDS`].
    pub latency: Vec<Histogram<u64>>,
    /// The exact largest value recorded in each `latency` histogram, µs (HdrHistogram's own
    /// `max()` is its bucket's highest equivalent, which can read above it).
    pub max_us: [u64; KINDS.len()],
    /// Commands applied per command type.
    pub applied: [u64; KINDS.len()],
    /// Commands that fell due but were never applied, per command type.
    pub unapplied: [u64; KINDS.len()],
    /// Refusals per command type.
    pub refused_by_kind: [u64; KINDS.len()],
    /// Refusals per rule, indexed like [`RuleId::ALL`].
    pub refused_by_rule: Vec<u64>,
    /// Unified-routing effects seen: unmatched arrivals (RT-SKILL) and assignments per queue
    /// and assignment rule (RT-RULESET), for `load.json`'s `routing`.
    pub routing: RoutingCounts,
}

impl Default for TaskStats {
    fn default() -> Self {
        TaskStats {
            latency: (0..KINDS.len()).map(|_| new_hist()).collect(),
            max_us: [0; KINDS.len()],
            applied: [0; KINDS.len()],
            unapplied: [0; KINDS.len()],
            refused_by_kind: [0; KINDS.len()],
            refused_by_rule: vec![0; RuleId::ALL.len()],
            routing: RoutingCounts::default(),
        }
    }
}

impl TaskStats {
    /// Records one command: its type, latency in nanoseconds and outcome.
    #[inline]
    pub fn record(&mut self, kind: usize, latency_ns: u64, outcome: Result<(), RuleId>) {
        let us = (latency_ns / 1000).max(1);
        self.latency[kind].saturating_record(us);
        self.max_us[kind] = self.max_us[kind].max(us);
        self.applied[kind] += 1;
        if let Err(rule) = outcome {
            self.refused_by_kind[kind] += 1;
            self.refused_by_rule[rule as usize] += 1;
        }
    }

    /// Records `n` commands of one type that fell due but were never applied, each `age_ns`
    /// old when the run ended (one histogram update for the group).
    #[inline]
    pub fn record_unapplied(&mut self, kind: usize, age_ns: u64, n: u64) {
        if n == 0 {
            return;
        }
        let us = (age_ns / 1000).max(1);
        self.latency[kind].saturating_record_n(us, n);
        self.max_us[kind] = self.max_us[kind].max(us);
        self.unapplied[kind] += n;
    }

    /// Counts one effect's unified-routing figure, if it is one (`routing.unmatched`,
    /// `routing.by_rule`).
    #[inline]
    pub fn routing_effect(&mut self, e: &Effect) {
        match *e {
            Effect::Unmatched { .. } => self.routing.unmatched += 1,
            Effect::AssignedByRule { queue, rule, .. } => {
                self.routing.rule_assigned(queue.index(), usize::from(rule));
            }
            _ => {}
        }
    }

    /// Adds another task's measurements to these.
    pub fn merge(&mut self, other: &TaskStats) {
        self.routing.merge(&other.routing);
        for (a, b) in self.latency.iter_mut().zip(&other.latency) {
            a.add(b).expect("same bounds");
        }
        for k in 0..KINDS.len() {
            self.max_us[k] = self.max_us[k].max(other.max_us[k]);
            self.applied[k] += other.applied[k];
            self.unapplied[k] += other.unapplied[k];
        }
        for (a, b) in self.refused_by_kind.iter_mut().zip(&other.refused_by_kind) {
            *a += b;
        }
        for (a, b) in self.refused_by_rule.iter_mut().zip(&other.refused_by_rule) {
            *a += b;
        }
    }

    /// Commands applied.
    pub fn commands(&self) -> u64 {
        self.applied.iter().sum()
    }

    /// Commands that fell due but were never applied.
    pub fn unapplied_total(&self) -> u64 {
        self.unapplied.iter().sum()
    }

    /// All command types in one histogram, and its exact largest value (µs).
    pub fn all(&self) -> (Histogram<u64>, u64) {
        let mut h = new_hist();
        for k in &self.latency {
            h.add(k).expect("same bounds");
        }
        (h, self.max_us.iter().copied().max().unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unapplied_commands_enter_the_histogram_and_the_exact_max() {
        let mut s = TaskStats::default();
        s.record(0, 5_000, Ok(()));
        s.record(0, 7_000, Err(RuleId::ALL[0]));
        s.record_unapplied(0, 3_000_000_000, 4);
        s.record_unapplied(1, 1_234_567, 1);
        s.record_unapplied(1, 9, 0);
        assert_eq!(s.applied[0], 2);
        assert_eq!((s.unapplied[0], s.unapplied[1]), (4, 1));
        assert_eq!(s.latency[0].len(), 6);
        assert_eq!(s.max_us[0], 3_000_000);
        assert_eq!(s.max_us[1], 1_234);
        let mut t = TaskStats::default();
        t.record(1, 2_000_000, Ok(()));
        s.merge(&t);
        assert_eq!((s.commands(), s.unapplied_total()), (3, 5));
        assert_eq!(s.max_us[1], 2_000);
        let (all, max) = s.all();
        assert_eq!((all.len(), max), (8, 3_000_000));
        // HdrHistogram's own max is its bucket's highest equivalent, above the exact one.
        assert!(all.max() >= max);
    }
}
