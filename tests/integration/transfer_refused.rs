//! A transfer the engine refuses ends the handling as if none was drawn (a ninth fresh
//! tester, issue 25): a work stream whose `transfer` names a queue that also uses it (or a
//! conversation a supervisor moved into the target queue) drew a transfer to the queue it was
//! already in; the engine refused it (ASSIGN-QUEUE-SAME) and the conversation stayed Active
//! with its agent for ever: an 8-hour horizon drained for 32 hours and ended with conversations
//! in system and agents blocked.

use crate::procs::{json, run_in, text, TempDir};

const SELF_TRANSFER: &str = r#"
[scenario]
name = "selftr"
horizon = "8h"
seed = 1

[[workstreams]]
name = "voice"
channel = "voice"
handle_time = { dist = "exponential", mean = "4m" }
transfer = { probability = 0.2, queue = "b" }

[[queues]]
name = "a"
workstream = "voice"
arrivals = { rate = "30/h" }

[[queues]]
name = "b"
workstream = "voice"

[[agent_groups]]
name = "ga"
count = 4
queues = ["a"]

[[agent_groups]]
name = "gb"
count = 3
queues = ["b"]
"#;

/// The variant: a supervisor moves waiting conversations of `a` into `b`, where the work
/// stream's transfer to `b` is then refused; with patience and retrials.
const SUPERVISOR_MOVE: &str = r#"
[[supervisors]]
name = "s"
queues = ["a", "b"]

[[supervisors.policies]]
name = "rescue"
every = "10s"
when = { state = "open", queue = "a", waited_at_least = "1m" }
action = { assign_to = "queue", queue = "b" }
"#;

fn run(d: &std::path::Path, sc: &str, out: &str) -> serde_json::Value {
    std::fs::write(d.join(format!("{out}.toml")), sc).unwrap();
    let o = run_in(
        d,
        &[
            "run",
            &format!("{out}.toml"),
            "--out",
            out,
            "--quiet",
            "--check-invariants",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    json(&d.join(out).join("summary.json"))
}

#[test]
fn a_refused_transfer_ends_the_handling_and_nothing_is_left_in_system() {
    let d = TempDir::new("transfer-refused");
    let s = run(&d, SELF_TRANSFER, "self");
    let c = &s["conversations"];
    assert_eq!(c["in_system_at_end"], 0, "{c}");
    assert_eq!(c["arrived"], c["closed"], "{c}");
    assert!(c["transferred"].as_u64().unwrap() > 0, "{c}");
    let sc = SELF_TRANSFER
        .replace("seed = 1", "seed = 9")
        .replace("horizon = \"8h\"", "horizon = \"2h\"")
        .replace(
            "transfer = { probability",
            "patience = { dist = \"exponential\", mean = \"5m\" }\nretrial = { probability = 0.5, delay = { dist = \"exponential\", mean = \"2m\" } }\ntransfer = { probability",
        )
        .replace("rate = \"30/h\"", "rate = \"90/h\"")
        + SUPERVISOR_MOVE;
    let s = run(&d, &sc, "moved");
    let c = &s["conversations"];
    assert_eq!(c["in_system_at_end"], 0, "{c}");
}
