//! The event loop's guards: the stop flag (Ctrl-C, SIGTERM, a cancelled job) and the
//! invariant checks run after every event under `--check-invariants`.
//!
//! The loop asks [`Guard::after_event`] after each event and [`Guard::stopped`] every 4,096
//! events; with checking off the first is one test of a `bool`.

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
}

impl Guard {
    pub(crate) fn new(opts: &RunOptions) -> Guard {
        Guard {
            check_every_event: opts.check_invariants,
            breaks: 0,
            stop: opts.stop.clone(),
        }
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
