//! Loop limits: how many contacts one customer can be expected to make around a retrial loop,
//! a cycle of `waited_over` transfers when nobody answers, or a cycle of work streams'
//! `transfer`s (each handled conversation moves on with some probability), counted at
//! validation. A size
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
//! - a `waited_over` cycle whose `after`s sum to `A`: at most `min(T, W) / A` rounds, `W` the
//!   slowest mean early end of its queues' waits (patience, auto-close, a force close; `T`
//!   when one queue has none): a patience of 0 s never waits the first `after`, so the cycle
//!   never turns (issue 25, sixteenth session: such a cycle was refused as 57,600 moves);
//! - a cycle of `transfer`s through `k` work streams whose probabilities multiply to `p` and
//!   whose mean handle times sum to `H`: about `k · min(1 / (1 − p), 1 + T / H)` handlings (the
//!   expected rounds, and the rounds that fit in `T`; issue 25, fifth pass). A certain cycle
//!   (`p = 1`) is refused on its own (`chat::transfers`).
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
pub const MAX_ROUNDS_PER_ARRIVAL: f64 = 10_000.0;

/// Why `rounds` per arrival and `total` in all (of `what`: contacts, moves, handlings) are too
/// many, or `None` within both limits. A count is over a limit when it is, rounded to a whole
/// number, more than the limit: exactly the limit is accepted (probability 0.9999 makes 10,000
/// contacts, not the 10,000.000000001 of its floating-point sum), and a refused count is shown
/// ([`about`]) as a number above the limit, never as the limit itself.
pub(crate) fn over_limit(rounds: f64, total: f64, what: &str) -> Option<String> {
    if rounds.round() > MAX_ROUNDS_PER_ARRIVAL {
        Some(format!(
            "over the limit of {MAX_ROUNDS_PER_ARRIVAL:.0} per arrival"
        ))
    } else if total.round() > MAX_EXPECTED_ARRIVALS {
        Some(format!(
            "about {} {what} in all, over the limit of {MAX_EXPECTED_ARRIVALS:.0} expected \
             arrivals",
            about(total, MAX_EXPECTED_ARRIVALS)
        ))
    } else {
        None
    }
}

/// A count compared with `limit`, as a message shows it: a whole number below ten times the
/// limit (so a count just over it reads as more, 10001 against 10000), else three decimals of
/// scientific notation (9.000e7).
pub(crate) fn about(count: f64, limit: f64) -> String {
    if count < 10.0 * limit {
        format!("{}", count.round() as u64)
    } else {
        format!("{count:.3e}")
    }
}

/// The mean of `d`, in ms.
pub(crate) fn mean_ms(d: &Dist) -> f64 {
    d.mean().0 as f64
}

/// The expected contacts of one arrival nobody answers in a retrial loop (1 without retrials):
/// see the module's words. `wait_ms` is the mean wait before an unanswered contact ends
/// ([`super::waits::early_ends`]: patience, `open_auto_close`, a supervisor's force close), `None`
/// when nothing ends it (nobody abandons, so nobody retries); `delay` the retrial delay;
/// `window_ms` the horizon plus the drain limit.
pub(crate) fn retrial_rounds(p: f64, wait_ms: Option<f64>, delay: &Dist, window_ms: f64) -> f64 {
    let Some(wait_ms) = wait_ms else {
        return 1.0;
    };
    let by_p = if p >= 1.0 {
        f64::INFINITY
    } else {
        1.0 / (1.0 - p)
    };
    let cycle = wait_ms + mean_ms(delay);
    let by_time = if cycle > 0.0 {
        1.0 + window_ms / cycle.max(1.0)
    } else {
        f64::INFINITY
    };
    by_p.min(by_time)
}

/// The expected contacts one arrival at queue `q` makes when nobody answers it: its retrial
/// loop's rounds ([`retrial_rounds`]), 1 without retrials. `window_ms` as there.
/// `ends`: every queue's [`super::waits::early_ends`].
pub(crate) fn contacts_per_arrival(
    sc: &Scenario,
    q: usize,
    window_ms: f64,
    ends: &[Option<super::waits::EarlyEnd>],
) -> f64 {
    let w = &sc.workstreams[sc.queues[q].workstream.index()];
    let Some(r) = &w.retrial else { return 1.0 };
    let wait = ends[q].as_ref().map(|e| e.wait_ms);
    retrial_rounds(r.probability, wait, &r.delay, window_ms)
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
    let mut report_with =
        |(path, span): (String, Option<super::spanned::Span>), message: String, hint: String| {
            cx.report(&path, span, message, Some(hint));
        };
    let mut report = |at, message| report_with(at, message, HINT.into());
    let ends = super::waits::early_ends(sc);
    let mut queues_of: Vec<Vec<usize>> = vec![Vec::new(); sc.workstreams.len()];
    for (q, queue) in sc.queues.iter().enumerate() {
        queues_of[queue.workstream.index()].push(q);
    }
    for (i, w) in sc.workstreams.iter().enumerate() {
        let Some(r) = &w.retrial else { continue };
        // The loop at one instant is refused on its own (`chat::instant_retrial`).
        if r.probability >= 1.0
            && r.delay.always_zero()
            && w.patience.as_ref().is_some_and(Dist::always_zero)
        {
            continue;
        }
        // Each queue of the stream by what ends its waits; arrivals the stream classifies
        // into its queues (unified routing) counted at its worst queue.
        let mut worst: Option<(f64, &super::waits::EarlyEnd)> = None;
        let mut total = 0.0;
        for &q in &queues_of[i] {
            let rounds = contacts_per_arrival(sc, q, window_ms, &ends);
            total += rounds * queue_mass(q);
            if let Some(end) = &ends[q] {
                if worst.as_ref().is_none_or(|(w, _)| rounds > *w) {
                    worst = Some((rounds, end));
                }
            }
        }
        let Some((rounds, end)) = worst else { continue };
        total += rounds
            * w.routing
                .arrivals
                .as_ref()
                .map_or(0.0, |a| a.mass(SimTime::ZERO, horizon) * reps);
        let Some(why) = over_limit(rounds, total, "contacts") else {
            continue;
        };
        report(
            at(root, "workstreams", Some(i), "retrial"),
            format!(
                "a retrial loop: a customer nobody answers can make about {} contacts \
                 (retrial probability {}, a wait ended after {:.0} ms on average by {} and \
                 mean delay {:.0} ms, over the horizon and drain limit), {why}",
                about(rounds, MAX_ROUNDS_PER_ARRIVAL),
                r.probability,
                end.wait_ms,
                end.by,
                mean_ms(&r.delay),
            ),
        );
    }
    for c in cycles {
        // Nobody answering, a conversation goes round until its wait ends: the slowest mean
        // early end (patience, auto-close, a force close) of the cycle's queues, the window
        // when one of them has none (a patience of 0 s never waits the first `after`).
        let ended = c
            .queues
            .iter()
            .try_fold(0.0f64, |m, &q| ends[q].as_ref().map(|e| m.max(e.wait_ms)));
        let wait_ms = ended.map_or(window_ms, |w| w.min(window_ms));
        let rounds = wait_ms / (c.round_ms.max(1) as f64);
        let arrivals: f64 = c.queues.iter().map(|&q| queue_mass(q)).sum();
        let total = rounds * arrivals;
        let Some(why) = over_limit(rounds, total, "moves") else {
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
                 move about {} times {}, {why}",
                c.round_ms,
                about(rounds, MAX_ROUNDS_PER_ARRIVAL),
                match ended {
                    Some(w) if w < window_ms => format!(
                        "before its wait ends ({w:.0} ms on average, the slowest of the cycle's \
                         queues)"
                    ),
                    _ => "over the horizon and drain limit".to_string(),
                },
            ),
        );
    }
    for c in transfer_cycles(sc) {
        if c.closing >= 1.0 {
            continue;
        }
        let rounds = c.streams.len() as f64 * cycle_rounds(c.closing, c.round_ms, window_ms);
        // Every arrival whose transfers lead into the cycle, weighted by the chance it gets there.
        let arrivals: f64 = (0..sc.workstreams.len())
            .map(|w| {
                let Some(reach) = reach_probability(sc, w, c.streams[0]) else {
                    return 0.0;
                };
                let own: f64 = (0..sc.queues.len())
                    .filter(|&q| sc.queues[q].workstream.index() == w)
                    .map(queue_mass)
                    .sum::<f64>()
                    + sc.workstreams[w]
                        .routing
                        .arrivals
                        .as_ref()
                        .map_or(0.0, |a| a.mass(SimTime::ZERO, horizon) * reps);
                own * reach
            })
            .sum();
        let total = rounds * arrivals;
        let Some(why) = over_limit(rounds, total, "handlings") else {
            continue;
        };
        let names: Vec<&str> = c
            .streams
            .iter()
            .chain(c.streams.first())
            .map(|&w| sc.workstreams[w].name.as_str())
            .collect();
        // The queues the cycle goes through: each stream's transfer target, in the cycle's
        // order (the first stream's own queue closes it).
        let queues: Vec<String> = c
            .streams
            .iter()
            .filter_map(|&w| sc.workstreams[w].transfer)
            .map(|t| format!("{:?}", sc.queues[t.queue.index()].name))
            .collect();
        let keys: Vec<String> = c
            .streams
            .iter()
            .map(|&w| {
                format!(
                    "workstreams.{}.transfer.probability",
                    sc.workstreams[w].name
                )
            })
            .collect();
        report_with(
            at(root, "workstreams", Some(c.streams[0]), "transfer"),
            format!(
                "transfers form a cycle of work streams {} (probability {} of going round \
                 once, mean handle time {:.0} ms per round): a conversation that enters it is \
                 handled about {} times over the horizon and drain limit, {why}; the cycle's \
                 transfers go to queues {} and back",
                names.join(" → "),
                format!("{:.12}", c.closing)
                    .trim_end_matches('0')
                    .trim_end_matches('.'),
                c.round_ms,
                about(rounds, MAX_ROUNDS_PER_ARRIVAL),
                queues.join(" → "),
            ),
            format!(
                "lower {} (going round once has the product of those probabilities: at 0.5 a \
                 conversation is handled about twice), or send one of those transfers to a \
                 queue outside the cycle; or pass --allow-huge to run it anyway",
                keys.join(" or ")
            ),
        );
    }
}

/// Expected rounds of a transfer cycle whose probabilities multiply to `closing` (< 1) and whose
/// mean handle times sum to `round_ms`, over `window_ms`: `min(1 / (1 − p), 1 + T / H)`.
pub(crate) fn cycle_rounds(closing: f64, round_ms: f64, window_ms: f64) -> f64 {
    let by_p = if closing >= 1.0 {
        f64::INFINITY
    } else {
        1.0 / (1.0 - closing)
    };
    let by_time = if round_ms > 0.0 {
        1.0 + window_ms / round_ms.max(1.0)
    } else {
        f64::INFINITY
    };
    by_p.min(by_time)
}

/// A cycle of work streams' `transfer`s: the streams in order (the lowest index first), the
/// product of their probabilities, the sum of their mean handle times (ms).
#[derive(Debug)]
pub(crate) struct TransferCycle {
    pub(crate) streams: Vec<usize>,
    pub(crate) closing: f64,
    pub(crate) round_ms: f64,
}

/// The work stream a conversation handled in `w` may move to, and the probability.
fn next_stream(sc: &Scenario, w: usize) -> Option<(usize, f64)> {
    let t = sc.workstreams[w].transfer.filter(|t| t.probability > 0.0)?;
    Some((sc.queues[t.queue.index()].workstream.index(), t.probability))
}

/// Every cycle of `transfer`s (each work stream has at most one, so the cycles are disjoint
/// and found in one pass over the streams).
pub(crate) fn transfer_cycles(sc: &Scenario) -> Vec<TransferCycle> {
    let next: Vec<Option<usize>> = (0..sc.workstreams.len())
        .map(|w| next_stream(sc, w).map(|(t, _)| t))
        .collect();
    let mut out = Vec::new();
    for mut streams in super::cycles::cycles(&next) {
        let low = (0..streams.len()).min_by_key(|&k| streams[k]).unwrap_or(0);
        streams.rotate_left(low);
        let closing = streams
            .iter()
            .map(|&w| next_stream(sc, w).map_or(0.0, |(_, p)| p))
            .product();
        let round_ms = streams
            .iter()
            .map(|&w| mean_ms(&sc.workstreams[w].handle_time))
            .sum();
        out.push(TransferCycle {
            streams,
            closing,
            round_ms,
        });
    }
    out
}

/// The chance that a conversation handled in `from` is later handled in `target` (1 when they
/// are the same), following the transfers; `None` when it never can be.
fn reach_probability(sc: &Scenario, from: usize, target: usize) -> Option<f64> {
    let mut at = from;
    let mut p = 1.0;
    for _ in 0..=sc.workstreams.len() {
        if at == target {
            return Some(p);
        }
        let (next, q) = next_stream(sc, at)?;
        p *= q;
        at = next;
    }
    None
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
        let r = retrial_rounds(0.4, Some(180_000.0), &exp(600_000), DAY);
        assert!((r - 1.0 / 0.6).abs() < 1e-9, "{r}");
        assert!(retrial_rounds(0.9, Some(180_000.0), &exp(600_000), DAY) < 10.0 + 1e-9);
        // The tester's file: patience 1 ms, certain and immediate retrial: one per ms.
        let r = retrial_rounds(1.0, Some(1.0), &ms(0), DAY);
        assert_eq!(r, 1.0 + DAY);
        // Nearly certain, at one instant: 1 / (1 − p).
        let r = retrial_rounds(0.9999999, Some(0.0), &ms(0), DAY);
        assert!(r > 9.9e6 && r < 1.01e7, "{r}");
        // No patience: nobody abandons.
        assert_eq!(retrial_rounds(1.0, None, &ms(0), DAY), 1.0);
        // Certain retrial, patience and delay of minutes: the renewal count, accepted.
        let r = retrial_rounds(1.0, Some(180_000.0), &exp(300_000), DAY);
        assert!((r - (1.0 + DAY / 480_000.0)).abs() < 1e-9, "{r}");
        assert!(r < MAX_ROUNDS_PER_ARRIVAL);
        // Means of exponential patience of 1 ms: refused like the constant.
        assert!(retrial_rounds(1.0, Some(1.0), &ms(0), DAY) > MAX_ROUNDS_PER_ARRIVAL);
    }

    /// Issue 25, sixth pass: probability 0.9999 (1 / (1 − p) = 10,000 in decimals,
    /// 10,000.000000001 in floating point) was refused as "about 1.000e4 contacts … over the
    /// limit of 10000". Exactly the limit is accepted; one more is refused and shown as more.
    #[test]
    fn a_count_at_the_limit_is_accepted_and_one_over_is_shown_as_more() {
        let ms = |v| Dist::Constant(SimDuration(v));
        let at_limit = retrial_rounds(0.9999, Some(0.0), &ms(0), DAY);
        assert!(
            at_limit > MAX_ROUNDS_PER_ARRIVAL,
            "the float is a hair over: {at_limit}"
        );
        assert_eq!(over_limit(at_limit, at_limit, "contacts"), None);
        assert_eq!(over_limit(10_000.49, 1.0, "contacts"), None);
        let why = over_limit(10_000.5, 1.0, "contacts").expect("10,001 is over");
        assert_eq!(why, "over the limit of 10000 per arrival");
        assert_eq!(about(10_000.5, MAX_ROUNDS_PER_ARRIVAL), "10001");
        assert_eq!(about(9.0e7, MAX_ROUNDS_PER_ARRIVAL), "9.000e7");
        // The total: at 2,000,000,000 accepted, one more refused and shown whole.
        assert_eq!(over_limit(1.0, MAX_EXPECTED_ARRIVALS, "moves"), None);
        let why = over_limit(1.0, MAX_EXPECTED_ARRIVALS + 1.0, "moves").expect("over");
        assert_eq!(
            why,
            "about 2000000001 moves in all, over the limit of 2000000000 expected arrivals"
        );
    }

    #[test]
    fn transfer_cycle_rounds_follow_the_probability_or_the_time() {
        // The tester's cycle: two streams at 0.999999999999, handle time 0 s.
        let p = 0.999999999999f64 * 0.999999999999;
        assert!(cycle_rounds(p, 0.0, DAY) > 1e11);
        // Realistic: each way with probability 0.3 → 1.1 rounds.
        assert!((cycle_rounds(0.09, 600_000.0, DAY) - 1.0 / 0.91).abs() < 1e-9);
        // Nearly certain but 5 min per round: the rounds that fit in a day, accepted.
        let r = cycle_rounds(0.999_999, 300_000.0, DAY);
        assert!((r - (1.0 + DAY / 300_000.0)).abs() < 1e-9, "{r}");
        assert!(2.0 * r < MAX_ROUNDS_PER_ARRIVAL);
    }
}
