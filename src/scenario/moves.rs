//! The supervisor move loop limit (issue 25, tenth pass): periodic policies that
//! `assign_to = "queue"` move Open conversations between queues, and two of them (or one with
//! a `waited_over` transfer) can send a conversation nobody answers round a cycle of queues
//! for ever: the tester's two policies, `every = "1ms"`, moving queue A's conversations to B
//! and B's back to A, made millions of moves in a 1-hour scenario. Time advances, so this is
//! the same rule as the other loops of `loops` (lifted by `--allow-huge`): the expected moves
//! of one conversation in its time in system, and those moves times the arrivals.
//!
//! Each queue's *move* is the fastest way an Open conversation leaves it without being
//! answered: a policy in whose scope the queue is (the supervisor's `queues`, narrowed by the
//! policy's `when.queue` and `when.channel`; Open state; no `sentiment_below`, which may never
//! match) acting within `every + reaction`, or the queue's `waited_over` transfer after its
//! `after` (as `overflow::waited_cycles` picks it). Taking only the fastest keeps the graph one
//! edge per queue, so its cycles are found in one pass, O(queues + the policies' queue lists).
//! Cycles made only of `waited_over` transfers are `loops`' own; this module counts the cycles
//! with at least one policy:
//!
//! moves per conversation, nobody answering, about `k · max(0, T − W) / R`, where `k` is the
//! cycle's queues, `R` the sum of its moves' times (`every + reaction`, `after`), `W` the
//! largest `waited_at_least` of its policies (counted from arrival, so it only delays the first
//! move) and `T` how long a conversation stays: the horizon plus the drain limit, or less when
//! something ends every queue's waits ([`super::waits::early_ends`], the largest of them).

use std::collections::HashSet;

use super::diag::Ctx;
use super::loops::{about, over_limit, MAX_ROUNDS_PER_ARRIVAL};
use super::overflow::{OverflowAction, OverflowWhen};
use super::spanned::Table;
use super::types::{Action, Scenario};
use crate::model::{ConvState, QueueId};
use crate::time::SimTime;

/// How a conversation leaves a queue unanswered, fastest first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum By {
    /// Policy `policy` of supervisor `sup`.
    Policy { sup: usize, policy: usize },
    /// The queue's `waited_over` rule `rule`.
    Waited { rule: usize },
}

/// One queue's move: where to, within how long (ms), and by what.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Move {
    pub(crate) to: usize,
    pub(crate) ms: u64,
    /// The policy's `waited_at_least` (ms; 0 for a `waited_over` rule).
    pub(crate) after_arrival_ms: u64,
    pub(crate) by: By,
}

/// A cycle of moves with at least one policy: its queues in order (the lowest index first),
/// each with the move that leaves it.
#[derive(Debug)]
pub(crate) struct MoveCycle {
    steps: Vec<(usize, Move)>,
}

/// Each queue's fastest unanswered move (see the module's words), `None` where nothing moves
/// its Open conversations to another queue.
pub(crate) fn moves(sc: &Scenario) -> Vec<Option<Move>> {
    fn offer(best: &mut Option<Move>, m: Move) {
        if best.is_none_or(|b| m.ms < b.ms) {
            *best = Some(m);
        }
    }
    let mut out: Vec<Option<Move>> = sc
        .queues
        .iter()
        .map(|q| {
            let (after, rule, action) = q
                .overflow
                .iter()
                .enumerate()
                .filter_map(|(r, rule)| match rule.when {
                    OverflowWhen::WaitedOver(after) => Some((after, r, &rule.action)),
                    _ => None,
                })
                .filter(|w| !matches!(w.2, OverflowAction::Callback))
                .min_by_key(|w| (w.0, w.1))?;
            match action {
                OverflowAction::Transfer(t) => Some(Move {
                    to: t.index(),
                    ms: after.as_millis(),
                    after_arrival_ms: 0,
                    by: By::Waited { rule },
                }),
                _ => None,
            }
        })
        .collect();
    for (si, s) in sc.supervisors.iter().enumerate() {
        for (pi, p) in s.policies.iter().enumerate() {
            let Action::AssignToQueue(to) = p.action else {
                continue;
            };
            if !p.when.states.contains(&ConvState::Open) || p.when.sentiment_below.is_some() {
                continue;
            }
            let only: Option<HashSet<QueueId>> = p
                .when
                .queues
                .as_ref()
                .map(|qs| qs.iter().copied().collect());
            let m = Move {
                to: to.index(),
                ms: p.every.as_millis() + s.reaction.as_millis(),
                after_arrival_ms: p.when.waited_at_least.map_or(0, |w| w.as_millis()),
                by: By::Policy {
                    sup: si,
                    policy: pi,
                },
            };
            for &q in &s.queues {
                if q == to || only.as_ref().is_some_and(|o| !o.contains(&q)) {
                    continue;
                }
                let ws = &sc.workstreams[sc.queues[q.index()].workstream.index()];
                if p.when
                    .channels
                    .as_ref()
                    .is_some_and(|c| !c.contains(&ws.rules.channel))
                {
                    continue;
                }
                offer(&mut out[q.index()], m);
            }
        }
    }
    out
}

/// Every cycle of the queues' fastest moves that holds at least one policy (one edge per
/// queue, so the cycles are disjoint and found in one pass).
pub(crate) fn move_cycles(sc: &Scenario) -> Vec<MoveCycle> {
    let next = moves(sc);
    let to: Vec<Option<usize>> = next.iter().map(|m| m.map(|m| m.to)).collect();
    let mut out = Vec::new();
    for mut queues in super::cycles::cycles(&to) {
        let low = (0..queues.len()).min_by_key(|&k| queues[k]).unwrap_or(0);
        queues.rotate_left(low);
        let steps: Vec<(usize, Move)> = queues
            .iter()
            .filter_map(|&q| next[q].map(|m| (q, m)))
            .collect();
        if steps.iter().any(|(_, m)| matches!(m.by, By::Policy { .. })) {
            out.push(MoveCycle { steps });
        }
    }
    out
}

/// The expected moves of one conversation round a cycle of `k` moves taking `round_ms` in all,
/// starting `wait_first_ms` after arrival, over a stay of `stay_ms`: `k · max(0, T − W) / R`.
pub(crate) fn cycle_moves(k: usize, round_ms: u64, wait_first_ms: u64, stay_ms: f64) -> f64 {
    let moving = (stay_ms - wait_first_ms as f64).max(0.0);
    k as f64 * moving / (round_ms.max(1) as f64)
}

/// A move out of queue `q` in words: which policy (its `every` and the supervisor's
/// `reaction`) or which `waited_over` rule moves its Open conversations, where to, and within
/// how long.
/// Expected arrivals over `[0, horizon)` of the queues of a cycle, times `reps` replications:
/// the arrivals a cycle's per-arrival rounds multiply (shared by `moves` and `mixed`).
pub(crate) fn cycle_arrivals(
    sc: &Scenario,
    queues: impl Iterator<Item = usize>,
    horizon: SimTime,
    reps: f64,
) -> f64 {
    queues
        .map(|q| sc.queues[q].arrivals.mass(SimTime::ZERO, horizon) * reps)
        .sum()
}

/// A cycle's queue names, quoted, with the first again at the end (`"a" → "b" → "a"` once
/// joined): as the loop-limit messages of `moves` and `mixed` name a cycle.
pub(crate) fn cycle_names(sc: &Scenario, queues: impl Iterator<Item = usize>) -> Vec<String> {
    let mut names: Vec<String> = queues.map(|q| format!("{:?}", sc.queues[q].name)).collect();
    if let Some(first) = names.first().cloned() {
        names.push(first);
    }
    names
}

pub(crate) fn describe(sc: &Scenario, q: usize, m: &Move) -> String {
    match m.by {
        By::Policy { sup, policy } => {
            let s = &sc.supervisors[sup];
            let p = &s.policies[policy];
            format!(
                "supervisor `{}`'s policy `{}` moves {:?} to {:?} within {} ms \
                 (every {} ms + reaction {} ms)",
                s.name,
                p.name,
                sc.queues[q].name,
                sc.queues[m.to].name,
                m.ms,
                p.every.as_millis(),
                s.reaction.as_millis()
            )
        }
        By::Waited { rule } => format!(
            "queue {:?}'s waited_over rule {} moves it to {:?} after {} ms",
            sc.queues[q].name,
            rule + 1,
            sc.queues[m.to].name,
            m.ms
        ),
    }
}

/// Refuses cycles of supervisor moves over the limits (see the module's words), at the `every`
/// of the cycle's first policy, naming every policy and rule of the cycle and the fix.
pub(crate) fn check(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    let cycles = move_cycles(sc);
    if cycles.is_empty() {
        return;
    }
    let window_ms = (sc.horizon.as_millis() + sc.drain_limit.as_millis()) as f64;
    let horizon = SimTime::ZERO + sc.horizon;
    let reps = sc.replications as f64;
    let ends = super::waits::early_ends(sc);
    for c in cycles {
        let round_ms: u64 = c.steps.iter().map(|(_, m)| m.ms).sum();
        let first_ms = c
            .steps
            .iter()
            .map(|(_, m)| m.after_arrival_ms)
            .max()
            .unwrap_or(0);
        // A conversation stays until the run ends, or until what ends waits in the queue it
        // is in; the largest of those over the cycle (a queue nothing ends: the window).
        let stay_ms = c
            .steps
            .iter()
            .map(|(q, _)| ends[*q].as_ref().map_or(window_ms, |e| e.wait_ms))
            .fold(0.0f64, f64::max)
            .min(window_ms);
        let moves = cycle_moves(c.steps.len(), round_ms, first_ms, stay_ms);
        let arrivals = cycle_arrivals(sc, c.steps.iter().map(|(q, _)| *q), horizon, reps);
        let Some(why) = over_limit(moves, moves * arrivals, "moves") else {
            continue;
        };
        let names = cycle_names(sc, c.steps.iter().map(|(q, _)| *q));
        let movers: Vec<String> = c.steps.iter().map(|(q, m)| describe(sc, *q, m)).collect();
        let Some((sup, policy)) = c.steps.iter().find_map(|(_, m)| match m.by {
            By::Policy { sup, policy } => Some((sup, policy)),
            By::Waited { .. } => None,
        }) else {
            continue;
        };
        let path = format!("supervisors[{sup}].policies[{policy}].every");
        let span =
            super::spanned::value_at(root, &format!("supervisors.{sup}.policies.{policy}.every"))
                .or_else(|| {
                    super::spanned::value_at(root, &format!("supervisors.{sup}.policies.{policy}"))
                })
                .map(|v| v.span());
        let stay = if stay_ms < window_ms {
            format!("in the {stay_ms:.0} ms it can wait")
        } else {
            "over the horizon and drain limit".to_string()
        };
        cx.report(
            &path,
            span,
            format!(
                "supervisor moves form a cycle of queues {} ({}): a conversation nobody answers \
                 can move about {} times {stay}, {why}",
                names.join(" → "),
                movers.join("; "),
                about(moves, MAX_ROUNDS_PER_ARRIVAL),
            ),
            Some(
                "give one of these policies a larger `every` or `reaction` (each move waits for \
                 them) or a `waited_at_least` (counted from arrival) past the time a \
                 conversation waits, narrow its `when.queue` so the cycle is broken, or end the \
                 wait with a `patience`; or pass --allow-huge to run it anyway"
                    .to_string(),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::cycle_moves;
    use crate::scenario::{load_str, load_str_with, LoadOptions};

    const HEAD: &str = r#"
[scenario]
name = "moves"
horizon = "1h"
replications = 1
[[workstreams]]
name = "w"
channel = "live_chat"
handle_time = "5m"
PATIENCE
[[queues]]
name = "a"
workstream = "w"
arrivals = { rate = "60/h" }
[[queues]]
name = "b"
workstream = "w"
[[queues]]
name = "c"
workstream = "w"
[[agent_groups]]
name = "ag"
count = 1
queues = ["a", "b", "c"]
"#;

    /// A supervisor over `from` moving its Open conversations to `to` every `every`.
    fn mover(sup: &str, from: &str, to: &str, every: &str) -> String {
        format!(
            "[[supervisors]]\nname = \"{sup}\"\nqueues = [\"{from}\"]\n\
             [[supervisors.policies]]\nname = \"{from}-to-{to}\"\nevery = \"{every}\"\n\
             action = {{ assign_to = \"queue\", queue = \"{to}\" }}\n"
        )
    }

    fn file(patience: &str, rest: &[String]) -> String {
        HEAD.replace("PATIENCE", patience) + &rest.concat()
    }

    #[test]
    fn moves_follow_the_round_and_the_first_wait() {
        let day = 86_400_000.0;
        // Two policies every 1 ms: two moves per 2 ms, the whole day.
        assert_eq!(cycle_moves(2, 2, 0, day), day);
        // Every 30 s and a reaction of 30 s, both ways: 2 moves per 2 min.
        assert_eq!(cycle_moves(2, 120_000, 0, day), 1440.0);
        // A waited_at_least past the stay: no move.
        assert_eq!(cycle_moves(2, 2, 90_000_000, day), 0.0);
    }

    /// The tester's file: A → B and B → A every 1 ms (9·10⁷ moves over 25 h), refused at the
    /// first policy's `every`, naming both policies and the fix; `--allow-huge` lifts it.
    #[test]
    fn two_policies_moving_back_and_forth_every_millisecond_are_refused() {
        let text = file(
            "",
            &[mover("s1", "a", "b", "1ms"), mover("s2", "b", "a", "1ms")],
        );
        let err = load_str(&text, "m.toml").unwrap_err().to_string();
        assert!(
            err.contains(
                "supervisors[0].policies[0].every: supervisor moves form a cycle of queues \
                 \"a\" → \"b\" → \"a\""
            ),
            "{err}"
        );
        assert!(err.contains("supervisor `s1`'s policy `a-to-b`"), "{err}");
        assert!(err.contains("supervisor `s2`'s policy `b-to-a`"), "{err}");
        assert!(err.contains("about 9.000e7 times"), "{err}");
        assert!(err.contains("a larger `every` or `reaction`"), "{err}");
        assert!(err.contains("--allow-huge"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        let opts = LoadOptions {
            allow_huge: true,
            replications: None,
        };
        assert!(load_str_with(&text, "m.toml", &opts).is_ok());
        // Realistic: every 5 minutes both ways (600 moves in 25 h), accepted.
        let text = file(
            "",
            &[mover("s1", "a", "b", "5m"), mover("s2", "b", "a", "5m")],
        );
        assert!(load_str(&text, "m.toml").is_ok());
        // A patience of 2 s ends the wait: about 2,000 moves, accepted.
        let text = file(
            "patience = \"2s\"",
            &[mover("s1", "a", "b", "1ms"), mover("s2", "b", "a", "1ms")],
        );
        assert!(load_str(&text, "m.toml").is_ok());
    }

    /// Variants: a cycle through three queues, and a policy with a queue's `waited_over`
    /// transfer back; a policy whose `when.queue` leaves the cycle's queue out is no cycle.
    #[test]
    fn three_queue_cycles_and_waited_over_transfers_back_count_too() {
        let text = file(
            "",
            &[
                mover("s1", "a", "b", "1ms"),
                mover("s2", "b", "c", "1ms"),
                mover("s3", "c", "a", "1ms"),
            ],
        );
        let err = load_str(&text, "m.toml").unwrap_err().to_string();
        assert!(
            err.contains("cycle of queues \"a\" → \"b\" → \"c\" → \"a\""),
            "{err}"
        );
        assert!(err.contains("policy `c-to-a`"), "{err}");
        // B sends its waits back to A after 10 ms; A's supervisor moves them to B every 1 ms.
        let text = file("", &[mover("s1", "a", "b", "1ms")]).replace(
            "name = \"b\"\nworkstream = \"w\"\n",
            "name = \"b\"\nworkstream = \"w\"\n[[queues.overflow]]\nwhen = \"waited_over\"\n\
             after = \"10ms\"\naction = \"transfer\"\nqueue = \"a\"\n",
        );
        let err = load_str(&text, "m.toml").unwrap_err().to_string();
        assert!(err.contains("supervisors[0].policies[0].every"), "{err}");
        assert!(
            err.contains("queue \"b\"'s waited_over rule 1 moves it to \"a\" after 10 ms"),
            "{err}"
        );
        // The supervisor of A and B, but its policy only looks at C: no cycle.
        let text = file(
            "",
            &[
                mover("s1", "a", "b", "1ms").replace(
                    "every = \"1ms\"",
                    "every = \"1ms\"\nwhen = { queue = \"c\" }",
                ),
                mover("s2", "b", "a", "1ms"),
            ],
        );
        assert!(load_str(&text, "m.toml").is_ok());
    }
}
