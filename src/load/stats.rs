//! Per-task measurements: a latency histogram per command type, counts and refusals by rule.
//! Each task records into its own [`TaskStats`]; they are added together at the end, so no lock
//! is shared on the hot path.

use hdrhistogram::Histogram;

use crate::engine::{Command, RuleId};

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
        Command::Arrive(_) => 0,
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
    /// Latency (µs, from due to done) per command type, indexed like [`KINDS`].
    pub latency: Vec<Histogram<u64>>,
    /// Refusals per command type.
    pub refused_by_kind: [u64; KINDS.len()],
    /// Refusals per rule, indexed like [`RuleId::ALL`].
    pub refused_by_rule: Vec<u64>,
}

impl Default for TaskStats {
    fn default() -> Self {
        TaskStats {
            latency: (0..KINDS.len()).map(|_| new_hist()).collect(),
            refused_by_kind: [0; KINDS.len()],
            refused_by_rule: vec![0; RuleId::ALL.len()],
        }
    }
}

impl TaskStats {
    /// Records one command: its type, latency in nanoseconds and outcome.
    #[inline]
    pub fn record(&mut self, kind: usize, latency_ns: u64, outcome: Result<(), RuleId>) {
        self.latency[kind].saturating_record((latency_ns / 1000).max(1));
        if let Err(rule) = outcome {
            self.refused_by_kind[kind] += 1;
            self.refused_by_rule[rule as usize] += 1;
        }
    }

    /// Adds another task's measurements to these.
    pub fn merge(&mut self, other: &TaskStats) {
        for (a, b) in self.latency.iter_mut().zip(&other.latency) {
            a.add(b).expect("same bounds");
        }
        for (a, b) in self.refused_by_kind.iter_mut().zip(&other.refused_by_kind) {
            *a += b;
        }
        for (a, b) in self.refused_by_rule.iter_mut().zip(&other.refused_by_rule) {
            *a += b;
        }
    }

    /// Commands recorded.
    pub fn commands(&self) -> u64 {
        self.latency.iter().map(Histogram::len).sum()
    }

    /// All command types in one histogram.
    pub fn all(&self) -> Histogram<u64> {
        let mut h = new_hist();
        for k in &self.latency {
            h.add(k).expect("same bounds");
        }
        h
    }
}
