//! The chat-behaviour keys of a work stream: `concurrency_slowdown`, `retrial` and `transfer`
//! (contract section "Chat behaviour").
//!
//! `concurrency_slowdown` and `retrial` are read with the work stream; `transfer` names a queue,
//! so [`transfers`] reads it in a second pass once the queues are known.

use super::diag::Ctx;
use super::sections::{section, Names};
use super::spanned::{array, dist, number, probability, table, Table, Val};
use super::types::{Retrial, Transfer};

/// The most entries a `concurrency_slowdown` list may have (far above any agent's chat slots).
const MAX_LEVELS: usize = 1000;

/// The largest slowdown factor accepted (one conversation progressing a thousand times slower
/// than alone is already no longer a chat).
const MAX_FACTOR: f64 = 1000.0;

/// `concurrency_slowdown = [1.0, 1.2, 1.5]`: non-empty, each entry finite, in [1, 1000] and no
/// smaller than the one before (holding more conversations never speeds each one up).
pub(crate) fn slowdown(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<Vec<f64>> {
    let items = array(cx, path, v)?;
    if items.is_empty() || items.len() > MAX_LEVELS {
        cx.report(
            path,
            Some(v.span()),
            format!(
                "expected 1 to {MAX_LEVELS} factors, one per number of parallel conversations; got {}",
                items.len()
            ),
            Some("e.g. [1.0, 1.2, 1.5]: each of 2 parallel chats takes 1.2× its solo time".into()),
        );
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let Some(x) = number(cx, &p, item) else {
            ok = false;
            continue;
        };
        if !(1.0..=MAX_FACTOR).contains(&x) {
            cx.report(
                &p,
                Some(item.span()),
                format!(
                    "slowdown factor {} is outside [1, {MAX_FACTOR}]",
                    crate::text::number(x)
                ),
                Some("a factor is how many times longer than alone a conversation takes".into()),
            );
            ok = false;
        } else if out.last().is_some_and(|&prev| x < prev) {
            cx.report(
                &p,
                Some(item.span()),
                format!(
                    "slowdown factor {} is smaller than the one before it",
                    crate::text::number(x)
                ),
                Some(
                    "the factors must not decrease: more parallel work never speeds each up".into(),
                ),
            );
            ok = false;
        }
        out.push(x);
    }
    ok.then_some(out)
}

/// `retrial = { probability = 0.4, delay = { dist = "exponential", mean = "10m" } }`.
pub(crate) fn retrial(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<Retrial> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["probability", "delay"]);
    let p = t.req(cx, "probability", "a number in [0, 1]", probability);
    let delay = t.req(cx, "delay", "a distribution", dist);
    Some(Retrial {
        probability: p?,
        delay: delay?,
    })
}

/// Refuses a loop at one instant (the retrial twin of a certain transfer cycle): a customer who
/// certainly gives up at once (patience always 0 ms) and certainly comes back at once
/// (retrial probability 1, delay always 0 ms) abandons and retries for ever at the same instant
/// whenever no agent takes it on entry, so simulated time never advances and the run never
/// ends. A probability below 1 or a delay or patience that can be positive ends the loop with
/// probability 1. `path` is the work stream's key path, `at` the `retrial` value's span.
pub(crate) fn instant_retrial(
    cx: &mut Ctx<'_>,
    path: &str,
    at: Option<std::ops::Range<usize>>,
    patience: Option<&crate::dist::Dist>,
    retrial: Option<&Retrial>,
) {
    let (Some(patience), Some(r)) = (patience, retrial) else {
        return;
    };
    if r.probability >= 1.0 && r.delay.always_zero() && patience.always_zero() {
        cx.report(
            &format!("{path}.retrial"),
            at,
            "patience is always 0s and every customer retries (probability 1) after a delay of \
             always 0s: a customer no agent takes at once abandons and retries for ever at the \
             same instant, so simulated time never advances",
            Some(
                "give the retrial a positive delay, a probability below 1, or a patience that \
                 can be positive"
                    .into(),
            ),
        );
    }
}

/// Reads every work stream's `transfer = { probability, queue }` once the queues are known:
/// the queue must exist (with a "did you mean" hint), serve the same channel, and not be a
/// queue of the same work stream when the probability is 1 (the conversation would never end).
/// Returns one entry per `[[workstreams]]` table, in file order.
pub(crate) fn transfers(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    names: &Names,
) -> Vec<Option<Transfer>> {
    let items = section(cx, root, "workstreams");
    let mut out = vec![None; items.len()];
    // (work stream, target's work stream, probability 1, key path, span) of each transfer.
    let mut certain = Vec::new();
    for (i, (path, v)) in items.into_iter().enumerate() {
        let Some(tv) = v.get_ref().as_table().and_then(|t| t.get("transfer")) else {
            continue;
        };
        let tpath = format!("{path}.transfer");
        let Some(tt) = table(cx, &tpath, tv) else {
            continue;
        };
        tt.check_keys(cx, &["probability", "queue"]);
        let p = tt.req(cx, "probability", "a number in [0, 1]", probability);
        let q = tt.req(
            cx,
            "queue",
            "the name of the queue it moves to",
            |cx, p, v| names.queue(cx, p, v),
        );
        let (Some(p), Some(q)) = (p, q) else {
            continue;
        };
        let qpath = tt.path_of("queue");
        let span = tt.get("queue").map(|v| v.span());
        let target_ws = names.queues[q.index()].workstream;
        let from = names.workstreams.get(i).and_then(|w| w.channel);
        let to = target_ws.and_then(|w| names.workstreams.get(w)?.channel);
        if let (Some(from), Some(to)) = (from, to) {
            if from != to {
                cx.report(
                    &qpath,
                    span,
                    format!(
                        "queue {:?} serves {}, but this work stream is {}",
                        names.queues[q.index()].name,
                        to.as_str(),
                        from.as_str()
                    ),
                    Some("a transfer keeps the channel: name a queue of the same channel".into()),
                );
                continue;
            }
        }
        if target_ws == Some(i) && p >= 1.0 {
            cx.report(
                &qpath,
                span,
                "every conversation would be transferred back into this work stream for ever",
                Some("use a probability below 1 or a queue of another work stream".into()),
            );
            continue;
        }
        out[i] = Some(Transfer {
            probability: p,
            queue: q,
        });
        certain.push((i, target_ws, p >= 1.0, qpath, span));
    }
    // A cycle of certain transfers across work streams (A always to B's queue, B always to A's)
    // would move every conversation for ever, as a certain transfer into its own stream would.
    for (start, _, sure, qpath, span) in &certain {
        if !*sure {
            continue;
        }
        let mut at = *start;
        for _ in 0..certain.len() {
            let next = certain.iter().find(|c| c.0 == at && c.2).and_then(|c| c.1);
            match next {
                Some(n) if n == *start => {
                    cx.report(
                        qpath,
                        span.clone(),
                        "certain transfers (probability 1) form a cycle of work streams: every \
                         conversation would be transferred for ever",
                        Some("use a probability below 1 somewhere in the cycle".into()),
                    );
                    break;
                }
                Some(n) => at = n,
                None => break,
            }
        }
    }
    out
}
