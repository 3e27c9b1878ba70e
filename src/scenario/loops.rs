//! Loop limits: how many contacts one customer can be expected to make around a retrial loop
//! or a cycle of `waited_over` transfers when nobody answers, counted at validation. A size
//! limit like those of `limits` (lifted by `--allow-huge`): a file whose loops let one arrival
//! make more than [`MAX_ROUNDS_PER_ARRIVAL`] contacts (retrials) or moves (transfers), or whose
//! arrivals times those rounds exceed [`MAX_EXPECTED_ARRIVALS`], is refused at the key that
//! makes the loop, instead of running for hours (issue 25, fourth pass, F9).
//!
//! Rounds per arrival, nobody answering, over the horizon plus the drain limit `T`:
//!
//! - retrial with probability `p`, patience `P`, delay `D`: about
//!   `min(1 / (1 − p), 1 + T / (E[P] + E[D]))` contacts (the expected number of tries, and the
//!   renewal count of patience-plus-delay cycles that fit in `T`);
//! - a `waited_over` cycle whose `after`s sum to `A`: at most `T / A` moves.
//!
//! Means, not small quantiles: like the arrivals limit this bounds the expected size of a run,
//! so a realistic "always calls back" model (probability 1, patience and delay of minutes: a
//! few hundred tries a day for a customer nobody ever answers) is accepted, while a loop of
//! milliseconds or a probability a hair below 1 is refused.

use super::diag::Ctx;
use super::limits::{at, HINT, MAX_EXPECTED_ARRIVALS};
use super::spanned::Table;
use super::types::Scenario;
use crate::dist::Dist;
use crate::time::SimTime;

/// Most contacts (a retrial loop) or queue moves (a `waited_over` cycle) one arrival may make
/// (expected, nobody answering). Realistic retrial models (probability 0.9: 10 contacts) and cycles with
/// `after`s of minutes (a few hundred moves in a day) stay far below it.
pub(crate) const MAX_ROUNDS_PER_ARRIVAL: f64 = 10_000.0;

/// The mean of `d`, in ms.
pub(crate) fn mean_ms(d: &Dist) -> f64 {
    d.mean().0 as f64
}

/// The expected contacts of one arrival nobody answers in a retrial loop (1 without retrials): see the
/// module's words. `window_ms` is the horizon plus the drain limit.
pub(crate) fn retrial_rounds(p: f64, patience: Option<&Dist>, delay: &Dist, window_ms: f64) -> f64 {
    // Without patience nobody abandons, so nobody retries.
    let Some(patience) = patience else {
        return 1.0;
    };
    let by_p = if p >= 1.0 {
        f64::INFINITY
    } else {
        1.0 / (1.0 - p)
    };
    let cycle = mean_ms(patience) + mean_ms(delay);
    let by_time = if cycle > 0.0 {
        1.0 + window_ms / cycle.max(1.0)
    } else {
        f64::INFINITY
    };
    by_p.min(by_time)
}

/// Refuses retrial loops and `waited_over` cycles over the limits (see the module's words).
/// `cycles` are the `waited_over` cycles found by `overflow::waited_cycles`. Skipped with
/// `--allow-huge`, as the other size limits.
pub(crate) fn check(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    sc: &Scenario,
    cycles: &[super::overflow::Cycle],
) {
    let window_ms = (sc.horizon.as_millis() + sc.drain_limit.as_millis()) as f64;
    let horizon = SimTime::ZERO + sc.horizon;
    let reps = sc.replications as f64;
    let queue_mass = |q: usize| sc.queues[q].arrivals.mass(SimTime::ZERO, horizon) * reps;
    let mut report = |(path, span): (String, Option<super::spanned::Span>), message: String| {
        cx.report(&path, span, message, Some(HINT.into()));
    };
    for (i, w) in sc.workstreams.iter().enumerate() {
        let Some(r) = &w.retrial else { continue };
        let patience = w.patience.as_ref();
        // The loop at one instant is refused on its own (`chat::instant_retrial`).
        if r.probability >= 1.0 && r.delay.always_zero() && patience.is_some_and(Dist::always_zero)
        {
            continue;
        }
        let rounds = retrial_rounds(r.probability, patience, &r.delay, window_ms);
        let arrivals: f64 = (0..sc.queues.len())
            .filter(|&q| sc.queues[q].workstream.index() == i)
            .map(queue_mass)
            .sum::<f64>()
            + w.routing
                .arrivals
                .as_ref()
                .map_or(0.0, |a| a.mass(SimTime::ZERO, horizon) * reps);
        let total = rounds * arrivals;
        let why = if rounds > MAX_ROUNDS_PER_ARRIVAL {
            format!("over the limit of {MAX_ROUNDS_PER_ARRIVAL:.0} per arrival")
        } else if total > MAX_EXPECTED_ARRIVALS {
            format!(
                "about {total:.3e} contacts in all, over the limit of \
                 {MAX_EXPECTED_ARRIVALS:.0} expected arrivals"
            )
        } else {
            continue;
        };
        report(
            at(root, "workstreams", Some(i), "retrial"),
            format!(
                "a retrial loop: a customer nobody answers can make about {rounds:.3e} contacts \
                 (retrial probability {}, mean patience {:.0} ms and mean delay {:.0} ms, over \
                 the horizon and drain limit), {why}",
                r.probability,
                patience.map_or(0.0, mean_ms),
                mean_ms(&r.delay),
            ),
        );
    }
    for c in cycles {
        let rounds = window_ms / (c.round_ms.max(1) as f64);
        let arrivals: f64 = c.queues.iter().map(|&q| queue_mass(q)).sum();
        let total = rounds * arrivals;
        let why = if rounds > MAX_ROUNDS_PER_ARRIVAL {
            format!("over the limit of {MAX_ROUNDS_PER_ARRIVAL:.0} per arrival")
        } else if total > MAX_EXPECTED_ARRIVALS {
            format!(
                "about {total:.3e} moves in all, over the limit of \
                 {MAX_EXPECTED_ARRIVALS:.0} expected arrivals"
            )
        } else {
            continue;
        };
        let path = format!("queues[{}].overflow[{}].after", c.first, c.rule);
        let span = super::spanned::value_at(
            root,
            &format!("queues.{}.overflow.{}.after", c.first, c.rule),
        )
        .map(|v| v.span());
        report(
            (path, span),
            format!(
                "a cycle of waited_over transfers every {} ms: a conversation nobody answers can \
                 move about {rounds:.3e} times over the horizon and drain limit, {why}",
                c.round_ms
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    const DAY: f64 = 86_400_000.0;

    #[test]
    fn rounds_follow_the_probability_or_the_time() {
        let ms = |v| Dist::Constant(SimDuration(v));
        // Realistic: probability 0.4 → 1.67 contacts, whatever the time allows.
        let exp = |m| Dist::Exponential {
            mean: SimDuration(m),
        };
        let r = retrial_rounds(0.4, Some(&exp(180_000)), &exp(600_000), DAY);
        assert!((r - 1.0 / 0.6).abs() < 1e-9, "{r}");
        assert!(retrial_rounds(0.9, Some(&exp(180_000)), &exp(600_000), DAY) < 10.0 + 1e-9);
        // The tester's file: patience 1 ms, certain and immediate retrial: one per ms.
        let r = retrial_rounds(1.0, Some(&ms(1)), &ms(0), DAY);
        assert_eq!(r, 1.0 + DAY);
        // Nearly certain, at one instant: 1 / (1 − p).
        let r = retrial_rounds(0.9999999, Some(&ms(0)), &ms(0), DAY);
        assert!(r > 9.9e6 && r < 1.01e7, "{r}");
        // No patience: nobody abandons.
        assert_eq!(retrial_rounds(1.0, None, &ms(0), DAY), 1.0);
        // Certain retrial, patience and delay of minutes: the renewal count, accepted.
        let r = retrial_rounds(1.0, Some(&exp(180_000)), &exp(300_000), DAY);
        assert!((r - (1.0 + DAY / 480_000.0)).abs() < 1e-9, "{r}");
        assert!(r < MAX_ROUNDS_PER_ARRIVAL);
        // Means of exponential patience of 1 ms: refused like the constant.
        assert!(retrial_rounds(1.0, Some(&exp(1)), &ms(0), DAY) > MAX_ROUNDS_PER_ARRIVAL);
    }
}
