//! The give-up bound of a load run's supervisor policy (issue 25: the wall-clock supervisor
//! tried a refused action again at every tick for as long as the conversation lived, with no
//! bound, while the simulator's policies give a conversation up after
//! [`crate::policy::MAX_FAILED_ATTEMPTS`] failed attempts).
//!
//! One [`Tries`] per policy task: the failed attempts of that policy on each conversation (an
//! action the engine refused, a pick with nobody usable included: the load driver sends it and
//! the engine refuses it; an invitation of its assignment the agent rejected or let time out,
//! `super::refusals`). At the bound the policy gives the conversation up: it no longer
//! matches it, and `load.json`'s `policies."S/P".given_up` counts it once, as `summary.json`'s
//! does. Successes reset nothing. Conversations closed since are forgotten now and then
//! ([`Tries::forget`]), so the map holds at most about twice the live conversations with a
//! failure.

use std::collections::HashMap;

use crate::engine::ConvId;
use crate::policy::MAX_FAILED_ATTEMPTS;

/// One policy's failed attempts per conversation.
#[derive(Debug)]
pub(crate) struct Tries {
    failed: HashMap<ConvId, u32>,
    /// The size at which [`Tries::forget`] next looks for closed conversations.
    forget_at: usize,
}

/// The smallest size at which [`Tries::forget`] looks.
const FORGET_FROM: usize = 1024;

impl Default for Tries {
    fn default() -> Self {
        Tries {
            failed: HashMap::new(),
            forget_at: FORGET_FROM,
        }
    }
}

impl Tries {
    /// Whether the policy has given `conv` up.
    #[inline]
    pub(crate) fn given_up(&self, conv: ConvId) -> bool {
        self.failed
            .get(&conv)
            .is_some_and(|&n| n >= MAX_FAILED_ATTEMPTS)
    }

    /// One more failed attempt on `conv`; `true` when this one makes the policy give it up.
    pub(crate) fn fail(&mut self, conv: ConvId) -> bool {
        let n = self.failed.entry(conv).or_insert(0);
        *n = n.saturating_add(1);
        *n == MAX_FAILED_ATTEMPTS
    }

    /// The policy gives `conv` up now (the agent it names refused it `refusals_before_skip`
    /// times, RT-ELIGIBLE); `true` unless it already had.
    pub(crate) fn give_up(&mut self, conv: ConvId) -> bool {
        let n = self.failed.entry(conv).or_insert(0);
        *n < MAX_FAILED_ATTEMPTS && {
            *n = MAX_FAILED_ATTEMPTS;
            true
        }
    }

    /// Whether no failed attempt is recorded (tests).
    #[cfg(test)]
    pub(crate) fn failed_is_empty(&self) -> bool {
        self.failed.is_empty()
    }

    /// Forgets the conversations `live` says are gone, once the map has doubled since it last
    /// looked (amortised: one look per entry added).
    pub(crate) fn forget(&mut self, live: impl Fn(ConvId) -> bool) {
        if self.failed.len() < self.forget_at {
            return;
        }
        self.failed.retain(|c, _| live(*c));
        self.forget_at = (self.failed.len() * 2).max(FORGET_FROM);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(i: u64) -> ConvId {
        ConvId {
            slot: i as u32,
            gen: 0,
        }
    }

    #[test]
    fn a_conversation_is_given_up_at_the_bound_once() {
        let mut t = Tries::default();
        for _ in 1..MAX_FAILED_ATTEMPTS {
            assert!(!t.fail(conv(1)));
        }
        assert!(!t.given_up(conv(1)));
        assert!(t.fail(conv(1)), "the bound-th failure gives up");
        assert!(t.given_up(conv(1)));
        assert!(!t.fail(conv(1)), "counted once");
        assert!(!t.given_up(conv(2)));
    }

    #[test]
    fn closed_conversations_are_forgotten_once_the_map_doubles() {
        let mut t = Tries::default();
        for i in 0..FORGET_FROM as u64 - 1 {
            t.fail(conv(i));
        }
        t.forget(|_| false);
        assert_eq!(t.failed.len(), FORGET_FROM - 1, "not looked at yet");
        t.fail(conv(5_000));
        t.forget(|c| c == conv(5_000));
        assert_eq!(t.failed.len(), 1);
        assert_eq!(t.forget_at, FORGET_FROM);
    }
}
