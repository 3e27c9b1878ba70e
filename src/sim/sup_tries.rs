//! The runtime bound on a supervisor policy that tries again and again (issue 25, a loop that
//! never ends): a policy whose action on one conversation is refused by the engine (any rule:
//! ASSIGN-STATE on an Active conversation, ASSIGN-AGENT-PRESENCE for an Offline agent, …), not
//! sent (nobody usable to assign or transfer to) or, for an assignment, rejected or let time out
//! by the agent, tries it again at every `every`, for as long as the conversation lives: the
//! tester's `every = "1ms"` made 1.4 billion refusals in an 8-hour day.
//!
//! Each conversation's record keeps, per policy, how many of that policy's attempts on it
//! failed. At [`MAX_ATTEMPTS`] failures (the per-arrival loop limit,
//! [`crate::scenario::MAX_ROUNDS_PER_ARRIVAL`]) the policy gives the conversation up: it no longer
//! acts on it, and `supervisors.policies.P.given_up` counts it once. Successes are not
//! counted and reset nothing: a realistic policy (a refusal every 20 s while agents are full)
//! needs 55 hours of one conversation's life to reach the bound.
//!
//! An assignment also follows RT-ELIGIBLE (`[engine] refusals_before_skip`) as routing does:
//! an agent who refused the conversation (a rejection or a timeout, of any invitation) that
//! many times in its current queue is not invited to it again by a supervisor's pick; a policy
//! naming that agent gives the conversation up at once.

use crate::model::{AgentId, QueueId};

/// Failed attempts of one policy on one conversation after which it gives the conversation up.
pub(crate) const MAX_ATTEMPTS: u32 = crate::policy::MAX_FAILED_ATTEMPTS;

/// A conversation's record of supervisor attempts (boxed in its
/// [`ConvSim`](super::customer::ConvSim), made only when needed: most conversations have none).
#[derive(Clone, Debug, Default)]
pub(crate) struct SupTries {
    /// `(source, failed attempts)`, one entry per policy that failed on it.
    tries: Vec<(u32, u32)>,
    /// The source whose assignment invitation is pending on it, if any.
    pub(crate) invite: Option<u32>,
    /// The queue the refusals below were made in (the engine forgets them on a move).
    refused_in: Option<QueueId>,
    /// `(agent, refusals)` of the conversation's invitations in `refused_in` (RT-ELIGIBLE).
    refused_by: Vec<(AgentId, u32)>,
}

impl SupTries {
    /// Whether `source` has given the conversation up.
    #[inline]
    pub(crate) fn given_up(&self, source: u32) -> bool {
        self.tries
            .iter()
            .any(|&(s, n)| s == source && n >= MAX_ATTEMPTS)
    }

    /// The failed attempts of `source` on the conversation so far.
    pub(crate) fn failures(&self, source: u32) -> u32 {
        self.tries
            .iter()
            .find(|(s, _)| *s == source)
            .map_or(0, |&(_, n)| n)
    }

    /// One more failed attempt of `source`; `true` when this one makes it give up.
    pub(crate) fn fail(&mut self, source: u32) -> bool {
        match self.tries.iter_mut().find(|(s, _)| *s == source) {
            Some((_, n)) => {
                *n = n.saturating_add(1);
                *n == MAX_ATTEMPTS
            }
            None => {
                self.tries.push((source, 1));
                MAX_ATTEMPTS == 1
            }
        }
    }

    /// `source` gives the conversation up now (its named agent is skipped, RT-ELIGIBLE); `true`
    /// unless it already had.
    pub(crate) fn give_up(&mut self, source: u32) -> bool {
        match self.tries.iter_mut().find(|(s, _)| *s == source) {
            Some((_, n)) => {
                *n < MAX_ATTEMPTS && {
                    *n = MAX_ATTEMPTS;
                    true
                }
            }
            None => {
                self.tries.push((source, MAX_ATTEMPTS));
                true
            }
        }
    }

    /// `agent` refused an invitation to the conversation while it was in `queue`.
    pub(crate) fn refused(&mut self, queue: QueueId, agent: AgentId) {
        if self.refused_in != Some(queue) {
            self.refused_in = Some(queue);
            self.refused_by.clear();
        }
        match self.refused_by.iter_mut().find(|(a, _)| *a == agent) {
            Some((_, n)) => *n = n.saturating_add(1),
            None => self.refused_by.push((agent, 1)),
        }
    }

    /// Whether routing skips `agent` for the conversation, now in `queue`: it refused it
    /// `skip` times there (RT-ELIGIBLE).
    pub(crate) fn skips(&self, queue: QueueId, agent: AgentId, skip: u32) -> bool {
        self.refused_in == Some(queue)
            && self
                .refused_by
                .iter()
                .any(|&(a, n)| a == agent && n >= skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_gives_up_at_the_bound_once_and_others_go_on() {
        let mut t = SupTries::default();
        for _ in 1..MAX_ATTEMPTS {
            assert!(!t.fail(3));
        }
        assert!(!t.given_up(3));
        assert!(t.fail(3), "the bound-th failure gives up");
        assert!(t.given_up(3));
        assert!(!t.fail(3), "counted once");
        assert!(!t.given_up(4));
        assert!(t.give_up(4));
        assert!(!t.give_up(4), "counted once");
        assert!(t.given_up(4));
    }

    #[test]
    fn refusals_are_forgotten_when_the_queue_changes() {
        let mut t = SupTries::default();
        let (a, b, x) = (QueueId(0), QueueId(1), AgentId(7));
        for _ in 0..3 {
            t.refused(a, x);
        }
        assert!(t.skips(a, x, 3));
        assert!(!t.skips(a, x, 4));
        assert!(!t.skips(b, x, 3));
        t.refused(b, x);
        assert!(!t.skips(a, x, 1), "the move forgot queue a's refusals");
        assert!(t.skips(b, x, 1));
    }
}
