//! The mixed loop limit (issue 25, twelfth tester): a conversation can go round a cycle of
//! queues by more than one way at once — handled in A and moved on by its work stream's
//! `transfer` (the end of handling), then moved back from B, where nobody answers it, by a
//! supervisor policy or a `waited_over` rule. Each pure kind is counted on its own (`loops`:
//! transfer cycles, `moves`: move cycles); a cycle that needs both was counted by neither, and
//! the tester's file (`transfer = { probability = 0.99999, queue = "b" }` after a 1 ms handle
//! time, a policy moving B back to A every second) made 52 million moves for 824 arrivals.
//! Counted here against the same limit ([`MAX_ROUNDS_PER_ARRIVAL`] per arrival, the arrivals
//! limit in all; lifted by `--allow-huge`).
//!
//! The graph's nodes are the queues; each queue has at most two ways on: its work stream's
//! `transfer` (taken after a handling, with the transfer's probability, in the stream's mean
//! handle time) and its fastest unanswered move (`moves::moves`: taken with certainty when
//! nobody answers, within `every + reaction` or `after`; left out when what ends the queue's
//! waits, [`super::waits::early_ends`], does so sooner on average). A cycle with at least one of
//! each makes, per conversation that enters it, about
//! `k · min(1 / (1 − p), 1 + max(0, T − W) / R)` steps, where `k` is its steps, `p` the product
//! of its transfers' probabilities, `R` the sum of its steps' times, `W` the largest
//! `waited_at_least` of its policies and `T` the horizon plus the drain limit: the transfer
//! cycles' rounds with the moves' time. A certain mix (every transfer of probability 1) is
//! bounded by time alone, as a pure move cycle is.
//!
//! Refusals and retrials inside such a cycle are steps of it too (issue 25 leftover): a visit
//! to a queue whose agents refuse invitations (`refusals::refusal_loops`: about `r`
//! invitations per contact) or, at a queue the cycle leaves by a transfer, whose customers
//! abandon and retry (`loops::contacts_per_arrival`: about `c` contacts) costs `c · r` steps,
//! not one; `k` above is the sum of these weights over the cycle's queues. Each loop alone
//! may be within its own limit (a refusal loop of 100 invitations, a mixed cycle of 400
//! steps) while the cycle makes their product per arrival; such a cycle is refused with each
//! refusal and retrial step named. A queue left by a move has no retrials counted: the move
//! comes before its waits end (else it is no way on, above). The weights do not lengthen the
//! round time `R` (an upper bound).
//!
//! With at most two ways out of each queue the cycles are no longer disjoint: they are listed
//! by a depth-first search from each queue over the queues after it (each cycle once, from its
//! lowest queue), within [`SEARCH_STEPS`] steps, far more than any real file needs.

use super::diag::Ctx;
use super::limits::at;
use super::loops::{about, mean_ms, over_limit, MAX_ROUNDS_PER_ARRIVAL};
use super::moves::{cycle_arrivals, cycle_names, describe, moves, By, Move};
use super::spanned::Table;
use super::types::Scenario;
use crate::time::SimTime;

/// The most search steps spent listing mixed cycles (a bound on the validation's time, for a
/// file of thousands of queues wired every way; cycles past it are not counted).
const SEARCH_STEPS: usize = 1_000_000;

/// One way on from a queue.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// Work stream `stream`'s `transfer` to `to`, with probability `p`, after its mean handle
    /// time `ms`.
    Transfer {
        stream: usize,
        to: usize,
        p: f64,
        ms: f64,
    },
    /// An unanswered move.
    Move(Move),
}

impl Step {
    fn to(&self) -> usize {
        match self {
            Step::Transfer { to, .. } => *to,
            Step::Move(m) => m.to,
        }
    }
}

/// A cycle of steps with at least one transfer and one move: each queue with the step taken
/// out of it, in order.
#[derive(Debug)]
pub(crate) struct MixedCycle {
    steps: Vec<(usize, Step)>,
}

/// Each queue's ways on (see the module's words).
fn ways(sc: &Scenario) -> Vec<Vec<Step>> {
    let ends = super::waits::early_ends(sc);
    let fastest = moves(sc);
    (0..sc.queues.len())
        .map(|q| {
            let mut out = Vec::with_capacity(2);
            let w = sc.queues[q].workstream.index();
            if let Some(t) = sc.workstreams[w].transfer.filter(|t| t.probability > 0.0) {
                out.push(Step::Transfer {
                    stream: w,
                    to: t.queue.index(),
                    p: t.probability,
                    ms: mean_ms(&sc.workstreams[w].handle_time),
                });
            }
            if let Some(m) = fastest[q] {
                let ended_first = ends[q].as_ref().is_some_and(|e| e.wait_ms < m.ms as f64);
                if !ended_first {
                    out.push(Step::Move(m));
                }
            }
            out
        })
        .collect()
}

/// Every cycle of the queues' ways on that holds at least one transfer and one move (each
/// once, from its lowest queue), within [`SEARCH_STEPS`].
pub(crate) fn mixed_cycles(sc: &Scenario) -> Vec<MixedCycle> {
    let ways = ways(sc);
    let n = ways.len();
    let mut out = Vec::new();
    let mut budget = SEARCH_STEPS;
    let mut on_path = vec![false; n];
    for start in 0..n {
        if ways[start].is_empty() {
            continue;
        }
        // The path: (queue, index of the way being tried next).
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        on_path[start] = true;
        while let Some(&(q, i)) = path.last() {
            if budget == 0 {
                return out;
            }
            budget -= 1;
            let Some(step) = ways[q].get(i) else {
                on_path[q] = false;
                path.pop();
                continue;
            };
            if let Some(top) = path.last_mut() {
                top.1 += 1;
            }
            let to = step.to();
            if to == start {
                let steps: Vec<(usize, Step)> =
                    path.iter().map(|&(q, i)| (q, ways[q][i - 1])).collect();
                let transfers = steps
                    .iter()
                    .any(|(_, s)| matches!(s, Step::Transfer { .. }));
                let moved = steps.iter().any(|(_, s)| matches!(s, Step::Move(_)));
                if transfers && moved {
                    out.push(MixedCycle { steps });
                }
            } else if to > start && !on_path[to] {
                on_path[to] = true;
                path.push((to, 0));
            }
        }
    }
    out
}

/// The expected steps of one conversation round a mixed cycle whose visits cost `weight`
/// steps in all (its `k` steps, each weighted by the refusals and retrials of its queue: 1
/// without), whose transfers' probabilities multiply to `p` and whose steps take `round_ms` in
/// all, the first move `wait_first_ms` after arrival, over `window_ms`:
/// `weight · min(1 / (1 − p), 1 + max(0, T − W) / R)`.
pub(crate) fn mixed_rounds(
    weight: f64,
    p: f64,
    round_ms: f64,
    wait_first_ms: f64,
    window_ms: f64,
) -> f64 {
    let by_p = if p >= 1.0 {
        f64::INFINITY
    } else {
        1.0 / (1.0 - p)
    };
    let by_time = 1.0 + (window_ms - wait_first_ms).max(0.0) / round_ms.max(1.0);
    weight * by_p.min(by_time)
}

/// The steps one visit to queue `q` of a mixed cycle costs, left by `step`: its contacts
/// (retrials, at a queue left by a transfer) times its invitations (refusals), 1 when neither
/// loops; and the words naming each such step (none when neither), each with whether it is a
/// retrial (else a refusal).
fn visit_weight(
    sc: &Scenario,
    q: usize,
    step: &Step,
    refusals: &[Option<super::refusals::RefusalLoop>],
    window_ms: f64,
    ends: &[Option<super::waits::EarlyEnd>],
) -> (f64, Vec<(bool, String)>) {
    let mut words = Vec::new();
    let name = &sc.queues[q].name;
    let invites = match &refusals[q] {
        Some(l) if l.rounds > 1.0 => {
            let g = &sc.agent_groups[l.group];
            words.push((
                false,
                format!(
                    "at {name:?}, agents of group `{}` refuse its invitations (probability {}): \
                     about {} invitations a visit",
                    g.name,
                    l.p,
                    about(l.rounds, MAX_ROUNDS_PER_ARRIVAL)
                ),
            ));
            l.rounds
        }
        _ => 1.0,
    };
    let contacts = match step {
        Step::Transfer { .. } => super::loops::contacts_per_arrival(sc, q, window_ms, ends),
        Step::Move(_) => 1.0,
    };
    if contacts > 1.0 {
        let w = &sc.workstreams[sc.queues[q].workstream.index()];
        let p = w.retrial.as_ref().map_or(0.0, |r| r.probability);
        words.push((
            true,
            format!(
                "at {name:?}, customers who abandon retry (work stream `{}`'s retrial, \
                 probability {p}): about {} contacts a visit",
                w.name,
                about(contacts, MAX_ROUNDS_PER_ARRIVAL)
            ),
        ));
    }
    (contacts * invites, words)
}

/// Refuses mixed cycles over the limits (see the module's words), at the `transfer` of the
/// cycle's first work stream, naming its queues and every step (refusals and retrials
/// included).
pub(crate) fn check(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    let cycles = mixed_cycles(sc);
    if cycles.is_empty() {
        return;
    }
    let window_ms = (sc.horizon.as_millis() + sc.drain_limit.as_millis()) as f64;
    let ends = super::waits::early_ends(sc);
    let refusals = super::refusals::refusal_loops(sc, window_ms, &ends);
    let horizon = SimTime::ZERO + sc.horizon;
    let reps = sc.replications as f64;
    for c in cycles {
        let mut p = 1.0;
        let mut round_ms = 0.0;
        let mut first_ms = 0.0f64;
        for (_, s) in &c.steps {
            match s {
                Step::Transfer { p: tp, ms, .. } => {
                    p *= tp;
                    round_ms += ms;
                }
                Step::Move(m) => {
                    round_ms += m.ms as f64;
                    if matches!(m.by, By::Policy { .. }) {
                        first_ms = first_ms.max(m.after_arrival_ms as f64);
                    }
                }
            }
        }
        let mut weight = 0.0;
        let mut looped: Vec<(bool, String)> = Vec::new();
        for (q, s) in &c.steps {
            let (w, words) = visit_weight(sc, *q, s, &refusals, window_ms, &ends);
            weight += w;
            looped.extend(words);
        }
        let rounds = mixed_rounds(weight, p, round_ms, first_ms, window_ms);
        let arrivals = cycle_arrivals(sc, c.steps.iter().map(|(q, _)| *q), horizon, reps);
        let Some(why) = over_limit(rounds, rounds * arrivals, "moves") else {
            continue;
        };
        let names = cycle_names(sc, c.steps.iter().map(|(q, _)| *q));
        let mut words: Vec<String> = c
            .steps
            .iter()
            .map(|(q, s)| match s {
                Step::Transfer { stream, to, p, ms } => format!(
                    "work stream `{}`'s transfer moves {:?}'s handled conversations to {:?} \
                     with probability {} after {:.0} ms of handling on average",
                    sc.workstreams[*stream].name, sc.queues[*q].name, sc.queues[*to].name, p, ms
                ),
                Step::Move(m) => describe(sc, *q, m),
            })
            .collect();
        let (retried, offered) = (
            looped.iter().any(|(r, _)| *r),
            looped.iter().any(|(r, _)| !*r),
        );
        let what = match (offered, retried) {
            (false, false) => "handled and moved",
            (true, false) => "offered, handled and moved (each invitation a step)",
            (false, true) => "handled, retried and moved (each contact a step)",
            (true, true) => {
                "offered, handled, retried and moved (each invitation and contact a step)"
            }
        };
        words.extend(looped.into_iter().map(|(_, w)| w));
        let Some(stream) = c.steps.iter().find_map(|(_, s)| match s {
            Step::Transfer { stream, .. } => Some(*stream),
            Step::Move(_) => None,
        }) else {
            continue;
        };
        let (path, span) = at(root, "workstreams", Some(stream), "transfer");
        cx.report(
            &path,
            span,
            format!(
                "transfers and moves form a cycle of queues {} ({}): a conversation that \
                 enters it can be {what} about {} times over the horizon and drain \
                 limit, {why}",
                names.join(" → "),
                words.join("; "),
                about(rounds, MAX_ROUNDS_PER_ARRIVAL),
            ),
            Some(format!(
                "lower a transfer's probability{}, lengthen a move (`every`, `reaction`, \
                 `after`) or give the policy a `waited_at_least`, have someone answer the \
                 queue a move leaves, or narrow a policy's `when.queue` so the cycle is \
                 broken; or pass --allow-huge to run it anyway",
                match (offered, retried) {
                    (false, false) => "",
                    (true, false) => " or the agents' refusal probability",
                    (false, true) => " or the retrial probability",
                    (true, true) => " or the refusal and retrial probabilities",
                }
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::mixed_rounds;

    #[test]
    fn rounds_follow_the_probability_or_the_time() {
        let day = 86_400_000.0;
        // The tester's: 0.99999 (1e5 by probability), 1 ms + 1 s a round (about 86,314).
        let r = mixed_rounds(2.0, 0.99999, 1_001.0, 0.0, day);
        assert!((r - 2.0 * (1.0 + day / 1_001.0)).abs() < 1e-6, "{r}");
        // A realistic mix: transfer 0.3, a move every 5 minutes: 2 · 1/0.7 steps.
        let r = mixed_rounds(2.0, 0.3, 600_000.0, 0.0, day);
        assert!((r - 2.0 / 0.7).abs() < 1e-9, "{r}");
        // Certain, bounded by time; a first wait past the window: one round.
        assert_eq!(mixed_rounds(2.0, 1.0, 1_000.0, day, day), 2.0);
    }
}
