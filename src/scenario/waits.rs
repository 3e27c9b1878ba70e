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

/// The earliest end of an unanswered contact of each queue (by index into `sc.queues`), `None`
/// where nothing ends it (it waits until answered or the run ends). One pass over the work
/// streams, then over each force-close policy's queues: O(queues + the policies' queue lists),
/// never queues × lists (40,000 queues under one supervisor would be 1.6·10⁹ look-ups).
pub(crate) fn early_ends(sc: &Scenario) -> Vec<Option<EarlyEnd>> {
    fn offer(best: &mut Option<EarlyEnd>, wait_ms: f64, by: impl FnOnce() -> String) {
        if best.as_ref().is_none_or(|b| wait_ms < b.wait_ms) {
            *best = Some(EarlyEnd { wait_ms, by: by() });
        }
    }
    let mut ends: Vec<Option<EarlyEnd>> = sc
        .queues
        .iter()
        .map(|q| {
            let ws = &sc.workstreams[q.workstream.index()];
            let mut best = None;
            if let Some(p) = &ws.patience {
                offer(&mut best, super::loops::mean_ms(p), || "patience".into());
            }
            if let Some(a) = ws.open_auto_close {
                offer(&mut best, a.as_millis() as f64, || "open_auto_close".into());
            }
            best
        })
        .collect();
    if !sc.engine.force_close_enabled {
        return ends;
    }
    for s in &sc.supervisors {
        for p in &s.policies {
            if p.action != Action::ForceClose
                || !p.when.states.contains(&ConvState::Open)
                || p.when.sentiment_below.is_some()
            {
                continue;
            }
            let wait = p.when.waited_at_least.map_or(0, |w| w.as_millis())
                + s.reaction.as_millis()
                + p.every.as_millis();
            let scope = p.when.queues.as_ref().unwrap_or(&s.queues);
            for q in scope {
                let ws = &sc.workstreams[sc.queues[q.index()].workstream.index()];
                if p.when
                    .channels
                    .as_ref()
                    .is_some_and(|c| !c.contains(&ws.rules.channel))
                {
                    continue;
                }
                offer(&mut ends[q.index()], wait as f64, || {
                    format!("supervisor `{}`'s force_close policy `{}`", s.name, p.name)
                });
            }
        }
    }
    ends
}
