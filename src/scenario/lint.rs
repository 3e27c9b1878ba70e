//! Warnings about a valid scenario: things that load and run but are almost certainly not meant,
//! printed by `omnisim validate` (stderr, exit 0).
//!
//! Key item: [`warnings`] → one [`Warning`] per finding, in queue order.
//!
//! A queue with no member agent (no agent group of at least one agent lists it, roster agents
//! included) is warned about in every case, worded by what can reach it:
//! - its own arrivals, a `[traffic] replay` row or a work stream's route-to-queue rules: nobody
//!   can ever serve those conversations; they wait until they abandon or the drain limit;
//! - only conversations moved there (a work stream's `transfer`, an overflow rule's
//!   `transfer`, a supervisor's `assign_to_queue`): the same for those;
//! - nothing at all: the queue is unused (often a typo in an agent group's `queues`).
//!
//! Names that look identical but are written with other Unicode code points (equal under NFC
//! normalization, [`lookalike_names`]) are warned about in every named section: they are two
//! queues (groups, work streams, supervisors), as two such roster names are two agents.

use std::fmt;

use super::{Action, Arrivals, OverflowAction, QueueTarget, Scenario};
use crate::model::QueueId;

/// One warning about a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The key path, e.g. `queues[1]`.
    pub path: String,
    /// What is likely wrong and what to do.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Whether an arrival specification can produce any arrival.
fn produces(a: &Arrivals) -> bool {
    match a {
        Arrivals::Rate(r) => *r > 0.0,
        Arrivals::Profile(p) => p.iter().any(|(_, r)| *r > 0.0),
        Arrivals::Times(t) => !t.is_empty(),
        Arrivals::None => false,
    }
}

/// The warnings of a loaded scenario (empty when nothing looks wrong).
pub fn warnings(sc: &Scenario) -> Vec<Warning> {
    let n = sc.queues.len();
    let mut members = vec![false; n];
    for g in sc.agent_groups.iter().filter(|g| g.count > 0) {
        for q in &g.queues {
            members[q.index()] = true;
        }
    }
    // What can bring conversations to each queue.
    let mut arrives = vec![false; n];
    let mut moved_by: Vec<Vec<String>> = vec![Vec::new(); n];
    for (i, q) in sc.queues.iter().enumerate() {
        arrives[i] |= produces(&q.arrivals);
        for rule in &q.overflow {
            if let OverflowAction::Transfer(to) = rule.action {
                moved_by[to.index()].push(format!("overflow from queue {:?}", q.name));
            }
        }
    }
    if let Some(r) = &sc.traffic.replay {
        for row in &r.rows {
            arrives[row.queue.index()] = true;
        }
    }
    for ws in &sc.workstreams {
        if ws.routing.arrivals.as_ref().is_some_and(produces) {
            let mut targets: Vec<QueueId> = ws.routing.fallback_queue.into_iter().collect();
            for rule in &ws.routing.route_to_queue {
                match &rule.target {
                    QueueTarget::First(list) => targets.extend(list),
                    QueueTarget::Split(w) => {
                        targets.extend(w.iter().filter(|(_, p)| *p > 0.0).map(|(q, _)| *q))
                    }
                }
            }
            for q in targets {
                arrives[q.index()] = true;
            }
        }
        if let Some(t) = ws.transfer.filter(|t| t.probability > 0.0) {
            moved_by[t.queue.index()].push(format!("transfer from work stream {:?}", ws.name));
        }
    }
    for s in &sc.supervisors {
        let actions = s
            .policies
            .iter()
            .map(|p| &p.action)
            .chain(s.script.iter().map(|l| &l.action));
        for a in actions {
            if let Action::AssignToQueue(q) = a {
                moved_by[q.index()].push(format!("supervisor {:?}'s assign_to_queue", s.name));
            }
        }
    }
    let mut out = Vec::new();
    for (i, q) in sc.queues.iter().enumerate() {
        if members[i] {
            continue;
        }
        let fix = "list it in an agent group's `queues`";
        let message = if arrives[i] {
            format!(
                "queue {:?} has arrivals but no member agent: nobody can ever serve its \
                 conversations; they wait until they abandon or the drain limit ({fix})",
                q.name
            )
        } else if !moved_by[i].is_empty() {
            let mut by = std::mem::take(&mut moved_by[i]);
            by.dedup();
            format!(
                "queue {:?} can receive conversations ({}) but has no member agent: nobody can \
                 ever serve them ({fix})",
                q.name,
                by.join(", ")
            )
        } else {
            format!(
                "queue {:?} has no arrivals, receives no conversations and has no member agent: \
                 it is unused (a misspelt name in an agent group's `queues`?)",
                q.name
            )
        };
        out.push(Warning {
            path: format!("queues[{i}]"),
            message,
        });
    }
    out.extend(hours_without_rule(sc));
    out.extend(transfer_into_own_queue(sc));
    out.extend(lookalike_names(sc));
    out
}

/// Queues with `operating_hours` and no `out_of_hours` overflow rule: the hours change nothing
/// (only that rule acts on them: conversations enter at any hour, and `staff` counts them at
/// any hour), which a planner who set them to close the queue would not expect.
fn hours_without_rule(sc: &Scenario) -> Vec<Warning> {
    sc.queues
        .iter()
        .enumerate()
        .filter(|(_, q)| !q.operating_hours.is_empty() && !super::closes_out_of_hours(q))
        .map(|(i, q)| Warning {
            path: format!("queues[{i}].operating_hours"),
            message: format!(
                "queue {:?} has operating hours but no `out_of_hours` overflow rule: the hours \
                 change nothing (conversations enter it at any hour, are served whenever an \
                 agent is on shift, and `staff` counts them at any hour); to close it, add a \
                 [[queues.overflow]] rule with when = \"out_of_hours\" and action = \"end\" or \
                 \"transfer\"",
                q.name
            ),
        })
        .collect()
}

/// Work streams whose `transfer` names their only queue: no conversation is ever transferred
/// (the engine refuses a move to the queue a conversation is in, ASSIGN-QUEUE-SAME). A fresh
/// tester's `transfer = { probability = 0.3, queue = "support" }` on the stream's only queue
/// transferred nothing, silently. (A stream of several queues transferring into one of them,
/// tier 1 to tier 2, is the usual design: the target queue's own conversations stay, as
/// docs/scenario-format.md says.)
fn transfer_into_own_queue(sc: &Scenario) -> Vec<Warning> {
    let mut out = Vec::new();
    for (i, ws) in sc.workstreams.iter().enumerate() {
        let Some(t) = ws.transfer.filter(|t| t.probability > 0.0) else {
            continue;
        };
        let own = sc
            .queues
            .iter()
            .filter(|q| q.workstream.index() == i)
            .count();
        let Some(only) = sc.queues.get(t.queue.index()) else {
            continue;
        };
        if own != 1 || only.workstream.index() != i {
            continue;
        }
        out.push(Warning {
            path: format!("workstreams[{i}].transfer"),
            message: format!(
                "work stream {:?}'s transfer names queue {:?}, its only queue, so no \
                 conversation is ever transferred: a transfer must move a conversation to \
                 another queue (ASSIGN-QUEUE-SAME); name a queue of another work stream of the \
                 same channel",
                ws.name, only.name
            ),
        });
    }
    out
}

/// Names of one section that differ only in how Unicode writes them: equal under NFC
/// normalization (an "é" as one code point, U+00E9, or as "e" and a combining accent,
/// U+0301), so they look identical in every output but are two entries. One warning per later
/// name, at its `name` key, naming the first. Roster agents (one-agent groups) are left to the
/// roster's own warning at the CSV line. Names already in NFC (every ASCII name) cost one check.
/// Source: Unicode Standard Annex #15, Unicode Normalization Forms.
pub(crate) fn lookalike_names(sc: &Scenario) -> Vec<Warning> {
    use std::collections::HashMap;
    use unicode_normalization::UnicodeNormalization as _;
    let sections: [(&str, &str, Vec<Option<&str>>); 4] = [
        (
            "workstreams",
            "work stream",
            sc.workstreams
                .iter()
                .map(|w| Some(w.name.as_str()))
                .collect(),
        ),
        (
            "queues",
            "queue",
            sc.queues.iter().map(|q| Some(q.name.as_str())).collect(),
        ),
        (
            "agent_groups",
            "agent group",
            sc.agent_groups
                .iter()
                .map(|g| g.roster.is_none().then_some(g.name.as_str()))
                .collect(),
        ),
        (
            "supervisors",
            "supervisor",
            sc.supervisors
                .iter()
                .map(|s| Some(s.name.as_str()))
                .collect(),
        ),
    ];
    let mut out = Vec::new();
    for (section, what, names) in sections {
        if names.iter().flatten().all(|n| n.is_ascii()) {
            continue;
        }
        let mut first: HashMap<String, usize> = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            let Some(name) = name else { continue };
            let nfc: String = name.nfc().collect();
            match first.get(&nfc) {
                Some(&j) => {
                    let earlier = names[j].unwrap_or_default();
                    // Identical names are refused when the scenario is read.
                    if earlier != *name {
                        out.push(Warning {
                            path: format!("{section}[{i}].name"),
                            message: format!(
                                "{what} {name:?} looks identical to {what} {earlier:?} \
                                 ({section}[{j}]) but is written with other Unicode code points \
                                 (the two are equal under Unicode normalization, NFC): they are \
                                 two {what}s; write the name the same way everywhere if they \
                                 are one"
                            ),
                        });
                    }
                }
                None => {
                    first.insert(nfc, i);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[scenario]
name = "w"
horizon = "1h"

[[workstreams]]
name = "a"
channel = "voice"
capacity_units = 100
handle_time = "100s"
transfer = { probability = 0.5, queue = "second" }

[[queues]]
name = "first"
workstream = "a"
arrivals = { rate = "10/h" }

[[queues]]
name = "second"
workstream = "a"

[[queues]]
name = "nobody"
workstream = "a"
arrivals = { rate = "5/h" }

[[queues]]
name = "spare"
workstream = "a"

[[agent_groups]]
name = "g"
count = 1
capacity = 100
queues = ["first"]
"#;

    #[test]
    fn queues_nobody_serves_are_named_by_what_reaches_them() {
        let sc = crate::scenario::load_str(BASE, "w.toml").expect("valid");
        let w = warnings(&sc);
        let texts: Vec<String> = w.iter().map(Warning::to_string).collect();
        assert_eq!(texts.len(), 3, "{texts:#?}");
        assert!(texts[0].starts_with("queues[1]: queue \"second\" can receive conversations (transfer from work stream \"a\")"), "{}", texts[0]);
        assert!(
            texts[1].starts_with("queues[2]: queue \"nobody\" has arrivals but no member agent"),
            "{}",
            texts[1]
        );
        assert!(
            texts[2].starts_with("queues[3]: queue \"spare\" has no arrivals"),
            "{}",
            texts[2]
        );
        // Served by someone: no warning.
        let served = BASE.replace(
            "queues = [\"first\"]",
            "queues = [\"first\", \"second\", \"nobody\", \"spare\"]",
        );
        let sc = crate::scenario::load_str(&served, "w.toml").expect("valid");
        assert_eq!(warnings(&sc), vec![]);
    }

    /// Issue 25, sixteenth session: operating hours without an `out_of_hours` rule close
    /// nothing (the simulator lets conversations in at any hour), said in a warning; with the
    /// rule, none.
    #[test]
    fn operating_hours_without_an_out_of_hours_rule_are_warned_about() {
        let served = BASE.replace(
            "queues = [\"first\"]",
            "queues = [\"first\", \"second\", \"nobody\", \"spare\"]",
        );
        let hours = served.replace(
            "name = \"first\"\n",
            "name = \"first\"\noperating_hours = [{ from = \"09:00\", to = \"12:00\" }]\n",
        );
        assert_ne!(hours, served);
        let sc = crate::scenario::load_str(&hours, "w.toml").expect("valid");
        let texts: Vec<String> = warnings(&sc).iter().map(Warning::to_string).collect();
        assert_eq!(texts.len(), 1, "{texts:#?}");
        assert!(
            texts[0].starts_with(
                "queues[0].operating_hours: queue \"first\" has operating hours but no \
                 `out_of_hours` overflow rule: the hours change nothing"
            ),
            "{}",
            texts[0]
        );
        let closed = hours.replace(
            "arrivals = { rate = \"10/h\" }\n",
            "arrivals = { rate = \"10/h\" }\n\n[[queues.overflow]]\nwhen = \"out_of_hours\"\naction = \"end\"\n",
        );
        assert_ne!(closed, hours);
        let sc = crate::scenario::load_str(&closed, "w.toml").expect("valid");
        assert_eq!(warnings(&sc), vec![]);
    }

    /// Issue 25, sixteenth session (a fresh tester): a work stream's transfer into its only
    /// queue never happens, said in a warning; into one of several of its queues (tier 1 to
    /// tier 2), none.
    #[test]
    fn a_transfer_into_the_streams_only_queue_is_warned_about() {
        let one = r#"
[scenario]
name = "w"
horizon = "1h"

[[workstreams]]
name = "a"
channel = "voice"
capacity_units = 100
handle_time = "100s"
transfer = { probability = 0.3, queue = "support" }

[[queues]]
name = "support"
workstream = "a"
arrivals = { rate = "10/h" }

[[agent_groups]]
name = "g"
count = 1
capacity = 100
queues = ["support"]
"#;
        let sc = crate::scenario::load_str(one, "w.toml").expect("valid");
        let w = warnings(&sc);
        assert_eq!(w.len(), 1, "{w:#?}");
        assert_eq!(w[0].path, "workstreams[0].transfer");
        assert!(
            w[0].message.contains(
                "names queue \"support\", its only queue, so no conversation is ever transferred"
            ),
            "{}",
            w[0]
        );
        // The tier design (BASE: a stream of four queues transferring into "second"): none.
        let served = BASE.replace(
            "queues = [\"first\"]",
            "queues = [\"first\", \"second\", \"nobody\", \"spare\"]",
        );
        assert_eq!(
            warnings(&crate::scenario::load_str(&served, "w.toml").unwrap()),
            vec![]
        );
    }

    #[test]
    fn names_equal_under_nfc_but_written_otherwise_are_warned_about() {
        // The twentieth tester: queue "café" written with U+00E9 and with "e" + U+0301 was
        // accepted as two queues without a word.
        let composed = "caf\u{e9}";
        let decomposed = "cafe\u{301}";
        let text = BASE
            .replace("name = \"spare\"", &format!("name = \"{composed}\""))
            .replace("name = \"nobody\"", &format!("name = \"{decomposed}\""))
            .replace(
                "queues = [\"first\"]",
                &format!("queues = [\"first\", \"second\", \"{composed}\", \"{decomposed}\"]"),
            );
        let sc = crate::scenario::load_str(&text, "w.toml").expect("valid");
        let w = warnings(&sc);
        assert_eq!(w.len(), 1, "{w:#?}");
        assert_eq!(w[0].path, "queues[3].name");
        assert!(
            w[0].message.contains("looks identical to queue"),
            "{}",
            w[0]
        );
        assert!(w[0].message.contains("(queues[2])"), "{}", w[0]);
        // Names that differ otherwise (case, ASCII) are not look-alikes.
        let plain = BASE
            .replace("name = \"spare\"", "name = \"Second\"")
            .replace(
                "queues = [\"first\"]",
                "queues = [\"first\", \"second\", \"nobody\", \"Second\"]",
            );
        let sc = crate::scenario::load_str(&plain, "w.toml").expect("valid");
        assert_eq!(warnings(&sc), vec![]);
    }
}
