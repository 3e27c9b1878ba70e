//! The supervisor figures of [`Recorder`](super::Recorder): actions accepted, not sent,
//! refused, and conversations a policy gave up (split out of `recorder`).

use crate::engine::RuleId;
use crate::time::{SimDuration, SimTime};

use super::Recorder;

impl Recorder {
    /// A supervisor action of `kind` (index into [`ACTION_KINDS`](super::ACTION_KINDS)) from `source` was accepted,
    /// `latency` after its condition became true. Supervisor figures cover the time after
    /// warm-up, like the conversation counts beside them.
    pub fn action(&mut self, now: SimTime, source: usize, kind: usize, latency: SimDuration) {
        if now < self.warmup {
            return;
        }
        self.m.actions[kind] += 1;
        self.m.sources[source].accepted += 1;
        let ms = latency.as_millis();
        self.m.reaction.record(ms).expect("auto-resizing histogram");
        self.m.reaction_max_ms = self.m.reaction_max_ms.max(ms);
    }

    /// A supervisor action from `source` was not sent: nobody usable to give it to.
    pub fn skipped(&mut self, now: SimTime, source: usize) {
        if now >= self.warmup {
            self.m.sources[source].skipped += 1;
        }
    }

    /// A supervisor action from `source` was refused by `rule`. Returns whether it counts (it
    /// happened after warm-up).
    pub fn refused(&mut self, now: SimTime, source: usize, rule: RuleId) -> bool {
        if now < self.warmup {
            return false;
        }
        let r = rule as usize;
        self.m.violations[r] += 1;
        self.m.refused += 1;
        self.m.sources[source].refused[r] += 1;
        true
    }

    /// Policy `source` gave a conversation up: its attempts on it failed too often, or its
    /// named agent refused it `refusals_before_skip` times (`sim::sup_tries`).
    pub fn gave_up(&mut self, now: SimTime, source: usize) {
        if now >= self.warmup {
            self.m.sources[source].given_up += 1;
        }
    }
}
