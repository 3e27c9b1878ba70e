//! Issue 25, a tenth fresh tester, supervisor moves and the drain: a policy moving Open
//! conversations to `tier2` with `tier2` in its scope drew thousands of ASSIGN-QUEUE-SAME
//! refusals (it kept moving conversations already there); supervisor moves counted nowhere in
//! `queues.Q.transferred_in`; a run whose transferred conversations waited out the whole drain
//! (nobody on shift, no patience in the new queue) did not say so.

use crate::procs::{code_and_stderr, json, temp_dir};

/// `billing` (nobody serves it) and `tier2` (one group); `lead` moves Open conversations that
/// waited 10 s to `tier2`, with `tier2` in its scope. `WHEN_QUEUE` is replaced by the
/// policy's `when.queue` (or nothing).
const MOVES: &str = r#"
[scenario]
name = "moves"
horizon = "2h"
seed = 3
replications = 1
drain_limit = "1h"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "10m" }

[[queues]]
name = "billing"
workstream = "chat"
arrivals = { rate = "30/h" }

[[queues]]
name = "tier2"
workstream = "chat"
arrivals = { rate = "10/h" }

[[agent_groups]]
name = "t2"
count = 3
capacity = 100
queues = ["tier2"]

[[supervisors]]
name = "lead"
queues = ["billing", "tier2"]
reaction = "5s"

[[supervisors.policies]]
name = "move"
every = "30s"
when = { state = "open", waited_at_least = "10s" WHEN_QUEUE}
action = { assign_to = "queue", queue = "tier2" }
"#;

/// Found by the tester: 9,443 ASSIGN-QUEUE-SAME refusals, the policy moving conversations
/// already in its target queue at every tick. A move to the queue a conversation is in is an
/// action already in effect: skipped, like a conversation already monitored. The moves it
/// makes count as transfers into `tier2` (as a `waited_over` rule's do), while arrived,
/// answered and abandoned stay with the queue each conversation arrived at.
#[test]
fn a_policy_skips_conversations_already_in_its_target_queue_and_its_moves_count() {
    let dir = temp_dir("t10-moves");
    std::fs::write(dir.join("s.toml"), MOVES.replace("WHEN_QUEUE", "")).unwrap();
    let (code, err) = code_and_stderr(&dir, &["run", "s.toml", "--quiet", "--out", "o"]);
    assert_eq!(code, Some(0), "{err}");
    let s = json(&dir.join("o/summary.json"));
    let same = &s["rule_violations"]["by_rule"]["ASSIGN-QUEUE-SAME"];
    assert_eq!(same, 0, "{}", s["policies"]);
    let moved = s["supervisor_actions"]["assign_to_queue"].as_u64().unwrap();
    assert!(moved > 10, "{}", s["supervisor_actions"]);
    // Each accepted move is a move into tier2 (nothing else transfers here).
    assert_eq!(
        s["queues"]["tier2"]["transferred_in"], moved,
        "{}",
        s["queues"]
    );
    assert_eq!(
        s["conversations"]["transferred"], moved,
        "{}",
        s["conversations"]
    );
    // Counted where they arrived: nobody arrived in tier2 from billing.
    let billing = &s["queues"]["billing"];
    let (arrived, answered) = (
        billing["arrived"].as_u64().unwrap(),
        billing["answered"].as_u64().unwrap(),
    );
    assert!(answered > 0 && answered <= arrived, "{billing}");
}

/// A policy whose only queue (scope and `when.queue`) is the queue it moves to never acts:
/// `validate` says so at the policy's key path.
#[test]
fn a_policy_moving_into_the_only_queue_it_sees_is_warned_about() {
    let dir = temp_dir("t10-moves-warn");
    std::fs::write(
        dir.join("s.toml"),
        MOVES.replace("WHEN_QUEUE", ", queue = \"tier2\""),
    )
    .unwrap();
    let (code, err) = code_and_stderr(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("supervisors[0].policies[0].action"), "{err}");
    assert!(
        err.contains("moves conversations to queue \"tier2\", the only queue it looks at"),
        "{err}"
    );
    // Moving from billing too: no warning.
    std::fs::write(dir.join("t.toml"), MOVES.replace("WHEN_QUEUE", "")).unwrap();
    let (code, err) = code_and_stderr(&dir, &["validate", "t.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("only queue it looks at"), "{err}");
}

/// Found by the tester: every conversation transferred after the last shift ended waited out
/// the whole drain (a transferred conversation does not abandon in its new queue), and the run
/// only showed "N in system at end". Now `summary.json` has a note, printed on stderr too.
#[test]
fn conversations_left_at_the_end_of_the_drain_are_explained() {
    let dir = temp_dir("t10-drain");
    let sc = r#"
[scenario]
name = "drain"
horizon = "1h"
seed = 5
replications = 1
drain_limit = "30m"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = "2m"
patience = "5m"
transfer = { probability = 1.0, queue = "tier2" }

[[workstreams]]
name = "second"
channel = "live_chat"
capacity_units = 100
handle_time = "2m"
patience = "5m"

[[queues]]
name = "billing"
workstream = "chat"
arrivals = { rate = "20/h" }

[[queues]]
name = "tier2"
workstream = "second"

[[agent_groups]]
name = "t1"
count = 2
capacity = 100
queues = ["billing"]

[[agent_groups]]
name = "t2"
count = 2
capacity = 100
queues = ["tier2"]
shift = { start = "0h", end = "10m" }
"#;
    std::fs::write(dir.join("s.toml"), sc).unwrap();
    let (code, err) = code_and_stderr(&dir, &["run", "s.toml", "--out", "o"]);
    assert_eq!(code, Some(0), "{err}");
    let s = json(&dir.join("o/summary.json"));
    let left = s["conversations"]["in_system_at_end"].as_u64().unwrap();
    assert!(left > 0, "{}", s["conversations"]);
    let notes = s["notes"].to_string();
    assert!(
        notes.contains(&format!(
            "{left} conversations were still in the system at the end of the drain (1800 s after the horizon"
        )),
        "{notes}"
    );
    assert!(notes.contains("never abandons in its new queue"), "{notes}");
    assert!(err.contains("note: "), "{err}");
    assert!(
        err.contains("still in the system at the end of the drain"),
        "{err}"
    );
    // A run that ends with nothing left has no note.
    std::fs::write(
        dir.join("t.toml"),
        sc.replace("end = \"30m\"", "end = \"1h\"")
            .replace("transfer = { probability = 1.0, queue = \"tier2\" }\n", ""),
    )
    .unwrap();
    let (code, err) = code_and_stderr(&dir, &["run", "t.toml", "--quiet", "--out", "p"]);
    assert_eq!(code, Some(0), "{err}");
    let s = json(&dir.join("p/summary.json"));
    assert_eq!(s["conversations"]["in_system_at_end"], 0);
    assert!(s.get("notes").is_none(), "{}", s["notes"]);
}
