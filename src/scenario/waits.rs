//! What ends an unanswered contact early, for the loop limits (`loops`, `refusals`): a
//! customer's `patience`, the work stream's `open_auto_close`, and a supervisor's periodic
//! `force_close` of Open conversations (when `[engine] force_close_enabled`). Each closes the
//! contact unanswered, and so starts a retrial when the work stream has one; the earliest of
//! them bounds how long a queue's contact can wait (issue 25, ninth pass).

use super::types::{Action, Scenario};
use crate::model::ConvState;

/// The earliest thing that ends an unanswered contact of one queue, as a mean wait in ms and
/// the key that sets it (for messages: `patience`, `open_auto_close` or a supervisor's policy).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EarlyEnd {
    /// The mean wait before the contact ends (ms, ≥ 0): the smallest of the patience's mean,
    /// the auto-close time and a force-close policy's `waited_at_least + reaction + every`.
    /// Each is an upper bound on that end's own mean wait, so rounds counted from it are never
    /// more than the loop can make.
    pub(crate) wait_ms: f64,
    /// Which key sets it, as a message names it.
    pub(crate) by: String,
}

/// The earliest end of an unanswered contact of queue `q` (an index into `sc.queues`), or
/// `None` when nothing ends it (it waits until answered or the run ends).
pub(crate) fn early_end(sc: &Scenario, q: usize) -> Option<EarlyEnd> {
    let ws = &sc.workstreams[sc.queues[q].workstream.index()];
    let mut best: Option<EarlyEnd> = None;
    let mut offer = |wait_ms: f64, by: String| {
        if best.as_ref().is_none_or(|b| wait_ms < b.wait_ms) {
            best = Some(EarlyEnd { wait_ms, by });
        }
    };
    if let Some(p) = &ws.patience {
        offer(super::loops::mean_ms(p), "patience".into());
    }
    if let Some(a) = ws.open_auto_close {
        offer(a.as_millis() as f64, "open_auto_close".into());
    }
    if sc.engine.force_close_enabled {
        for s in &sc.supervisors {
            for p in &s.policies {
                if p.action != Action::ForceClose
                    || !p.when.states.contains(&ConvState::Open)
                    || p.when.sentiment_below.is_some()
                    || p.when
                        .channels
                        .as_ref()
                        .is_some_and(|c| !c.contains(&ws.rules.channel))
                {
                    continue;
                }
                let in_scope = match &p.when.queues {
                    Some(qs) => qs.iter().any(|x| x.index() == q),
                    None => s.queues.iter().any(|x| x.index() == q),
                };
                if !in_scope {
                    continue;
                }
                let wait = p.when.waited_at_least.map_or(0, |w| w.as_millis())
                    + s.reaction.as_millis()
                    + p.every.as_millis();
                offer(
                    wait as f64,
                    format!("supervisor `{}`'s force_close policy `{}`", s.name, p.name),
                );
            }
        }
    }
    best
}
