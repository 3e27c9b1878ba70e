//! The event loop's guards: the stop flag (Ctrl-C, SIGTERM, a cancelled job) and the
//! invariant checks run after every event under `--check-invariants`.
//!
//! The loop asks [`Guard::after_event`] after each event and [`Guard::stopped`] every
//! [`Guard::stop_due`] event: every 4,096 events, or more often in a center whose agents each
//! serve many queues, where one event re-keys an agent in every queue it serves (issue 25: with
//! 50 agents each in 20,000 queues, 4,096 events were 82 million re-keyings, seconds between a
//! Ctrl-C and its check). With checking off the first is one test of a `bool`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::engine::RulesEngine;

use super::RunOptions;

/// Stop flag and per-event invariant checking of one replication.
#[derive(Debug)]
pub(crate) struct Guard {
    check_every_event: bool,
    /// Invariant breaks found by the per-event checks so far.
    breaks: u64,
    stop: Option<Arc<AtomicBool>>,
    /// The stop flag is read after event `n` when `n & stop_mask == 0` ([`Guard::stop_due`]).
    stop_mask: u64,
}

/// Most events between two reads of the stop flag.
const STOP_EVERY: u64 = 4096;

/// The agent–queue places an event may re-key between two reads of the stop flag, at most
/// (about a millisecond of re-keying): [`STOP_EVERY`] events of an agent serving 64 queues.
const STOP_WORK: u64 = STOP_EVERY * 64;

/// The mask of [`Guard::stop_due`] for a center whose agents serve at most `widest` queues
/// each: events between reads, a power of two, at most [`STOP_EVERY`] and at most
/// [`STOP_WORK`] ÷ `widest` (at least 1).
fn stop_mask(widest: u64) -> u64 {
    let most = (STOP_WORK / widest.max(1)).clamp(1, STOP_EVERY);
    // The largest power of two not above `most`.
    (1u64 << (63 - most.leading_zeros())) - 1
}

impl Guard {
    /// The guard of a replication run with `opts`, of a center whose agents serve at most
    /// `widest` queues each (what one event may re-key).
    pub(crate) fn new(opts: &RunOptions, widest: u64) -> Guard {
        Guard {
            check_every_event: opts.check_invariants,
            breaks: 0,
            stop: opts.stop.clone(),
            stop_mask: stop_mask(widest),
        }
    }

    /// Whether the loop reads the stop flag after its `n`-th event (it never changes what the
    /// run does, only how soon it sees a stop).
    #[inline(always)]
    pub(crate) fn stop_due(&self, n: u64) -> bool {
        n & self.stop_mask == 0
    }

    /// After one event: checks every engine invariant when asked to (`--check-invariants`).
    #[inline(always)]
    pub(crate) fn after_event<E: RulesEngine>(&mut self, engine: &E) {
        if self.check_every_event {
            self.breaks += engine.check_invariants().len() as u64;
        }
    }

    /// The invariant breaks the per-event checks found.
    pub(crate) fn breaks(&self) -> u64 {
        self.breaks
    }

    /// Whether the run was asked to stop (the flag is shared with the signal handler).
    pub(crate) fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events between two reads of the stop flag, for agents serving `widest` queues each.
    fn between(widest: u64) -> u64 {
        stop_mask(widest) + 1
    }

    /// The work between two reads of the stop flag is bounded whatever the queues an agent
    /// serves (before: 4,096 events however wide, 82 million re-keyings for the tester's 50
    /// agents in 20,000 queues each); a narrow center reads it as rarely as before.
    #[test]
    fn the_work_between_two_stop_checks_does_not_grow_with_the_queues() {
        for widest in [1, 2, 64, 65, 1_000, 20_000, 300_000, 5_000_000] {
            let n = between(widest);
            assert!(n.is_power_of_two() && n <= STOP_EVERY, "{widest}: {n}");
            assert!(n == 1 || n * widest <= STOP_WORK, "{widest}: {n}");
        }
        assert_eq!(between(0), STOP_EVERY);
        assert_eq!(between(64), STOP_EVERY);
        assert_eq!(between(20_000), 8);
        let g = Guard::new(&RunOptions::default(), 20_000);
        let due: Vec<u64> = (1..=32).filter(|&n| g.stop_due(n)).collect();
        assert_eq!(due, vec![8, 16, 24, 32]);
    }
}
