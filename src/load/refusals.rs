//! What the load driver's supervisor policies learn from the agents' answers (issue 25,
//! fourteenth session): an invitation a policy's assignment sent that the agent rejects or lets
//! time out is a failed attempt of that policy on the conversation, and an agent who refused a
//! conversation `refusals_before_skip` times in its queue is not invited to it again by a
//! supervisor's pick (RT-ELIGIBLE, as routing skips it); a policy naming that agent gives the
//! conversation up at once. The simulator does both (`sim::sup_tries`); before, the load driver
//! counted only the engine's refusals, so a policy inviting an agent who always rejects invited
//! it again at every tick and never gave up.
//!
//! One [`Book`] per run, made only when a policy assigns to agents. It is written under the
//! engine lock (the lock order is always the engine's, then the book's): by a worker for the
//! effects of the answers it applied ([`Book::absorb`]), by a policy task for the invitations its
//! assignments sent. So a policy's next tick sees every refusal the engine has applied.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::engine::{ConvId, Effect, RulesEngine};
use crate::model::{AgentId, QueueId};

/// The refusals and pending supervisor invitations of a load run. See the module docs.
#[derive(Debug)]
pub(crate) struct Book {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The policy (its task's index) whose assignment's invitation is pending on a conversation.
    invite: HashMap<ConvId, usize>,
    /// A conversation's refusals in the queue it was in: `(queue, [(agent, refusals)])`.
    refused: HashMap<ConvId, (QueueId, Vec<(AgentId, u32)>)>,
    /// Per policy, the conversations whose invitation (of its assignment) was refused since the
    /// policy last looked ([`Book::take_failed`]).
    failed: Vec<Vec<ConvId>>,
    /// The size at which [`Book::forget`] next looks for closed conversations.
    forget_at: usize,
}

/// The smallest size at which [`Book::forget`] looks.
const FORGET_FROM: usize = 1024;

impl Book {
    /// A book for `policies` policy tasks.
    pub(crate) fn new(policies: usize) -> Book {
        Book {
            inner: Mutex::new(Inner {
                failed: vec![Vec::new(); policies],
                forget_at: FORGET_FROM,
                ..Inner::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads effects just applied on `engine` (its lock held), in order: an invitation of a
    /// supervisor's assignment is `by`'s (the policy task that applied it, `None` for a
    /// worker); a refusal is remembered for RT-ELIGIBLE and, when the invitation was a
    /// policy's, is one more failed attempt of that policy; an acceptance or a withdrawal ends
    /// the pending invitation.
    pub(crate) fn absorb<E: RulesEngine>(&self, engine: &E, fx: &[Effect], by: Option<usize>) {
        let relevant = |e: &Effect| {
            matches!(
                e,
                Effect::Refusal { .. }
                    | Effect::Accepted { .. }
                    | Effect::InviteWithdrawn { .. }
                    | Effect::Invited {
                        by_supervisor: true,
                        ..
                    }
            )
        };
        if !fx.iter().any(relevant) {
            return;
        }
        let mut b = self.lock();
        for e in fx {
            match *e {
                Effect::Invited {
                    conv,
                    by_supervisor: true,
                    ..
                } => {
                    if let Some(p) = by {
                        b.invite.insert(conv, p);
                    }
                }
                Effect::Accepted { conv, .. } | Effect::InviteWithdrawn { conv, .. } => {
                    b.invite.remove(&conv);
                }
                Effect::Refusal { conv, agent, .. } => {
                    if let Some(queue) = engine.conversation(conv).map(|v| v.queue) {
                        let r = b.refused.entry(conv).or_insert((queue, Vec::new()));
                        if r.0 != queue {
                            *r = (queue, Vec::new());
                        }
                        match r.1.iter_mut().find(|(a, _)| *a == agent) {
                            Some((_, n)) => *n = n.saturating_add(1),
                            None => r.1.push((agent, 1)),
                        }
                    }
                    if let Some(p) = b.invite.remove(&conv) {
                        if let Some(list) = b.failed.get_mut(p) {
                            list.push(conv);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The conversations whose invitation of policy `policy` was refused since it last asked.
    pub(crate) fn take_failed(&self, policy: usize) -> Vec<ConvId> {
        self.lock()
            .failed
            .get_mut(policy)
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Whether a supervisor's pick passes over `agent` for `conv`, now in `queue`: the agent
    /// refused it `skip` times there (RT-ELIGIBLE).
    pub(crate) fn skips(&self, conv: ConvId, queue: QueueId, agent: AgentId, skip: u32) -> bool {
        self.lock()
            .refused
            .get(&conv)
            .is_some_and(|(q, by)| *q == queue && by.iter().any(|&(a, n)| a == agent && n >= skip))
    }

    /// Forgets the conversations `live` says are gone, once the book has doubled since it last
    /// looked (amortised: one look per entry added).
    pub(crate) fn forget(&self, live: impl Fn(ConvId) -> bool) {
        let mut b = self.lock();
        if b.refused.len() + b.invite.len() < b.forget_at {
            return;
        }
        b.refused.retain(|c, _| live(*c));
        b.invite.retain(|c, _| live(*c));
        b.forget_at = ((b.refused.len() + b.invite.len()) * 2).max(FORGET_FROM);
    }
}
