//! The refusal loop limit (issue 25, ninth pass): agents who reject (`reject_probability`) or
//! never see (`ignore_probability`, a timeout) an invitation send the conversation back to
//! routing, which offers it again, until each agent serving the queue has refused it
//! `[engine] refusals_before_skip` times. With a rejecting agent whose accept delay is 0 s,
//! every round happens at one instant: the tester's file (one agent rejecting everything,
//! `refusals_before_skip = 1000000000`) sent 284 million invitations at 80.5 s of simulated
//! time. Counted like the other loops of `loops` (lifted by `--allow-huge`):
//!
//! invitations per contact, nobody accepting, about
//! `min(1 + s · n, 1 / (1 − p), 1 + W / t)` where `s` is `refusals_before_skip`, `n` the agents
//! of the queue's groups that refuse, `p` the largest refusal probability (`reject + ignore`) of
//! those groups, `t` the smallest mean time one refusal takes in them (the accept delay for a
//! rejection, `notification_timeout` for an ignored invitation) and `W` how long a contact can
//! wait ([`super::waits::early_ends`], else the horizon plus the drain limit). Push-mode queues
//! only (pick mode sends no invitations). The total multiplies by each queue's arrivals and
//! their contacts ([`super::loops::contacts_per_arrival`]).

use super::diag::Ctx;
use super::limits::{at, HINT};
use super::loops::{about, mean_ms, over_limit, MAX_ROUNDS_PER_ARRIVAL};
use super::spanned::Table;
use super::types::Scenario;
use crate::model::RoutingMode;
use crate::time::SimTime;

/// A queue's refusal loop: invitations per contact and what bounds them.
#[derive(Debug, PartialEq)]
pub(crate) struct RefusalLoop {
    /// Expected invitations of one contact nobody accepts (≥ 1).
    pub(crate) rounds: f64,
    /// The group with the largest refusal probability (an index into `agent_groups`).
    pub(crate) group: usize,
    /// That probability (`reject_probability + ignore_probability`, in (0, 1]).
    pub(crate) p: f64,
    /// Agents of the queue's groups that may refuse.
    pub(crate) agents: u64,
    /// The smallest mean time one refusal takes (ms, ≥ 0).
    pub(crate) refusal_ms: f64,
}

/// Every queue's refusal loop (by index into `sc.queues`), `None` where no agent serving it
/// ever refuses or it is a pick-mode queue. `window_ms`: the horizon plus the drain limit;
/// `ends`: every queue's [`super::waits::early_ends`]. One pass over the groups' queue lists:
/// O(queues + Σ a group's queues), never queues × groups (40,000 queues and 80,000 roster
/// agents would be 3.2·10⁹ steps).
pub(crate) fn refusal_loops(
    sc: &Scenario,
    window_ms: f64,
    ends: &[Option<super::waits::EarlyEnd>],
) -> Vec<Option<RefusalLoop>> {
    struct Acc {
        worst: Option<(usize, f64)>,
        agents: u64,
        refusal_ms: f64,
        // The last group counted here: a queue listed twice by one group counts once.
        last: usize,
    }
    let timeout_ms = sc.engine.notification_timeout.as_millis() as f64;
    let mut acc: Vec<Acc> = (0..sc.queues.len())
        .map(|_| Acc {
            worst: None,
            agents: 0,
            refusal_ms: f64::INFINITY,
            last: usize::MAX,
        })
        .collect();
    for (g, a) in sc.agent_groups.iter().enumerate() {
        let p = (a.reject_probability + a.ignore_probability).min(1.0);
        if p <= 0.0 || a.count == 0 {
            continue;
        }
        // A rejection comes after the accept delay (a timeout when that is longer); an
        // ignored invitation after the timeout.
        let reject_ms = mean_ms(&a.accept_delay).min(timeout_ms);
        let t = (a.reject_probability * reject_ms + a.ignore_probability * timeout_ms) / p;
        for q in &a.queues {
            let x = &mut acc[q.index()];
            if std::mem::replace(&mut x.last, g) == g {
                continue;
            }
            x.agents += u64::from(a.count);
            if x.worst.is_none_or(|(_, w)| p > w) {
                x.worst = Some((g, p));
            }
            x.refusal_ms = x.refusal_ms.min(t);
        }
    }
    acc.into_iter()
        .enumerate()
        .map(|(q, x)| {
            let ws = &sc.workstreams[sc.queues[q].workstream.index()];
            if ws.rules.mode == RoutingMode::Pick {
                return None;
            }
            let (group, p) = x.worst?;
            let by_skips = 1.0 + f64::from(sc.engine.refusals_before_skip) * x.agents as f64;
            let by_p = if p >= 1.0 {
                f64::INFINITY
            } else {
                1.0 / (1.0 - p)
            };
            let wait_ms = ends[q]
                .as_ref()
                .map_or(window_ms, |e| e.wait_ms.min(window_ms));
            let by_time = if x.refusal_ms > 0.0 {
                1.0 + wait_ms / x.refusal_ms.max(1.0)
            } else {
                f64::INFINITY
            };
            Some(RefusalLoop {
                rounds: by_skips.min(by_p).min(by_time),
                group,
                p,
                agents: x.agents,
                refusal_ms: x.refusal_ms,
            })
        })
        .collect()
}

/// Refuses refusal loops over the limits (see the module's words), once per agent group at
/// its `reject_probability` (or `ignore_probability` when it only ignores), naming the queue.
pub(crate) fn check(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    let window_ms = (sc.horizon.as_millis() + sc.drain_limit.as_millis()) as f64;
    let horizon = SimTime::ZERO + sc.horizon;
    let reps = sc.replications as f64;
    let mut reported = vec![false; sc.agent_groups.len()];
    let ends = super::waits::early_ends(sc);
    let loops: Vec<(usize, RefusalLoop)> = refusal_loops(sc, window_ms, &ends)
        .into_iter()
        .enumerate()
        .filter_map(|(q, l)| l.map(|l| (q, l)))
        .collect();
    // Queues share unified-routing arrivals of their stream: counted at each (an upper bound).
    let total: f64 = loops
        .iter()
        .map(|(q, l)| {
            let ws = &sc.workstreams[sc.queues[*q].workstream.index()];
            let mass = sc.queues[*q].arrivals.mass(SimTime::ZERO, horizon)
                + ws.routing
                    .arrivals
                    .as_ref()
                    .map_or(0.0, |a| a.mass(SimTime::ZERO, horizon));
            l.rounds * mass * reps * super::loops::contacts_per_arrival(sc, *q, window_ms, &ends)
        })
        .sum();
    for (q, l) in &loops {
        let Some(why) = over_limit(l.rounds, total, "invitations") else {
            continue;
        };
        if std::mem::replace(&mut reported[l.group], true) {
            continue;
        }
        let g = &sc.agent_groups[l.group];
        let key = if g.reject_probability > 0.0 {
            "reject_probability"
        } else {
            "ignore_probability"
        };
        let time = if l.refusal_ms <= 0.0 {
            "every refusal at the same instant (accept delay 0 s)".to_string()
        } else {
            format!("{:.0} ms of simulated time per refusal", l.refusal_ms)
        };
        let (path, span) = at(root, "agent_groups", Some(l.group), key);
        cx.report(
            &path,
            span,
            format!(
                "a refusal loop: a conversation of queue `{}` nobody accepts can be offered about \
                 {} times (agents of group `{}` refuse an invitation with probability {}, \
                 and [engine] refusals_before_skip = {} lets each of the {} agents who may \
                 refuse do so that many times, {time}), {why}",
                sc.queues[*q].name,
                about(l.rounds, MAX_ROUNDS_PER_ARRIVAL),
                g.name,
                l.p,
                sc.engine.refusals_before_skip,
                l.agents,
            ),
            Some(HINT.into()),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{load_str, load_str_with, LoadOptions};

    const BASE: &str = r#"
[scenario]
name = "rej"
horizon = "1h"
replications = 1
[engine]
refusals_before_skip = SKIP
[[workstreams]]
name = "w"
channel = "live_chat"
handle_time = "1m"
[[queues]]
name = "a"
workstream = "w"
arrivals = { rate = "10/h" }
[[agent_groups]]
name = "ag"
count = 1
queues = ["a"]
GROUP
"#;

    fn file(skip: &str, group: &str) -> String {
        BASE.replace("SKIP", skip).replace("GROUP", group)
    }

    #[test]
    fn certain_refusals_at_one_instant_are_refused_and_realistic_ones_accepted() {
        // The tester's file: one agent rejects everything, a billion refusals allowed.
        let text = file("1000000000", "reject_probability = 1");
        let err = load_str(&text, "r.toml").unwrap_err().to_string();
        assert!(
            err.contains(
                "agent_groups[0].reject_probability: a refusal loop: a conversation of queue `a`"
            ),
            "{err}"
        );
        assert!(err.contains("about 1.000e9 times"), "{err}");
        assert!(err.contains("at the same instant"), "{err}");
        assert!(err.contains("--allow-huge"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        let opts = LoadOptions {
            allow_huge: true,
            replications: None,
        };
        assert!(load_str_with(&text, "r.toml", &opts).is_ok());
        // The default refusals_before_skip (3): at most 4 invitations, accepted.
        assert!(load_str(&file("3", "reject_probability = 1"), "r.toml").is_ok());
        // Probability below 1: 1 / (1 − p) bounds it (0.5: 2 invitations).
        assert!(load_str(&file("1000000000", "reject_probability = 0.5"), "r.toml").is_ok());
        // A near-certain rejection is refused by 1 / (1 − p).
        let err = load_str(
            &file("1000000000", "reject_probability = 0.999999"),
            "r.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("about 1.000e6 times"), "{err}");
        // Time advances: a 10 s accept delay allows 1 + (1 h + 24 h drain) / 10 s rounds.
        assert!(load_str(
            &file(
                "1000000000",
                "reject_probability = 1\naccept_delay = \"10s\""
            ),
            "r.toml"
        )
        .is_ok());
    }

    /// Variants: ignored invitations (each a timeout, as a refusal) with a 1 ms timeout, and
    /// many agents with the default skip count; a short patience ends the loop early.
    #[test]
    fn ignored_invitations_and_many_refusing_agents_count_too() {
        let text = file("1000000000", "ignore_probability = 1")
            .replace("[engine]", "[engine]\nnotification_timeout = \"1ms\"");
        let err = load_str(&text, "r.toml").unwrap_err().to_string();
        assert!(
            err.contains("agent_groups[0].ignore_probability: a refusal loop"),
            "{err}"
        );
        assert!(err.contains("1 ms of simulated time per refusal"), "{err}");
        // 5,000 agents rejecting at once, 3 refusals each: 15,001 invitations.
        let text = file("3", "reject_probability = 1").replace("count = 1", "count = 5000");
        let err = load_str(&text, "r.toml").unwrap_err().to_string();
        assert!(err.contains("about 15001 times"), "{err}");
        // The same with a patience of 1 s and a 1 ms timeout: about 1,001 invitations.
        let text = file("1000000000", "ignore_probability = 1")
            .replace("[engine]", "[engine]\nnotification_timeout = \"1ms\"")
            .replace(
                "handle_time = \"1m\"",
                "handle_time = \"1m\"\npatience = \"1s\"",
            );
        assert!(load_str(&text, "r.toml").is_ok());
    }
}
