//! A queue's `waited_over` rule applies to a conversation however it entered the queue: at
//! arrival, by another `waited_over` move, by a transfer at the end of handling, or by a
//! supervisor's move, its wait counted from when it entered that queue (docs/scenario-format.md,
//! `[[queues.overflow]]`). Before fixk-11 the simulator scheduled the rule only at arrival and
//! after a `waited_over` move, so a conversation transferred or moved into such a queue waited
//! there to the drain limit. Each scenario is small and certain (constant times, scripted
//! moves); the rule's `after` (3m) tells "from entering" (0:05:00) apart from "from arrival".

use crate::procs::{run_in, temp_dir, text};

/// Runs `body` (after a one-replication `[scenario]` header) with `--trace` and returns the
/// story of conversation 1.
fn story(tag: &str, body: &str) -> String {
    let dir = temp_dir(tag);
    let sc = format!(
        "[scenario]\nname = \"w\"\nhorizon = \"1h\"\nseed = 1\nreplications = 1\n\n{body}\n"
    );
    std::fs::write(dir.join("w.toml"), sc).unwrap();
    let o = run_in(&dir, &["run", "w.toml", "--out", "r", "--trace", "--quiet"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run_in(&dir, &["explain", "r", "--conversation", "1"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

fn has(story: &str, start: &str) {
    assert!(
        story.lines().any(|l| l.starts_with(start)),
        "no line starting {start:?} in:\n{story}"
    );
}

/// Served in a for 2 minutes, transferred at the end of handling to b (nobody serves it),
/// whose `waited_over` rule sends it to c 3 minutes later, where gc answers it at once.
const TRANSFER_THEN_OVERFLOW: &str = r#"
[engine]
transfer_enabled = true

[[workstreams]]
name = "front"
channel = "live_chat"
handle_time = { dist = "constant", value = "2m" }
transfer = { probability = 1.0, queue = "b" }

[[workstreams]]
name = "back"
channel = "live_chat"
handle_time = { dist = "constant", value = "2m" }

[[queues]]
name = "a"
workstream = "front"
arrivals = { times = ["0s"] }

[[queues]]
name = "b"
workstream = "back"
overflow = [{ when = "waited_over", after = "3m", action = "transfer", queue = "c" }]

[[queues]]
name = "c"
workstream = "back"

[[agent_groups]]
name = "ga"
count = 1
queues = ["a"]

[[agent_groups]]
name = "gc"
count = 1
queues = ["c"]
"#;

/// Waits in a (nobody), moved by a supervisor to b at 0:02:00 (nobody), whose `waited_over`
/// rule sends it to c 3 minutes later, where gc answers it at once.
const MOVE_THEN_OVERFLOW: &str = r#"
[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "constant", value = "2m" }

[[queues]]
name = "a"
workstream = "chat"
arrivals = { times = ["0s"] }

[[queues]]
name = "b"
workstream = "chat"
overflow = [{ when = "waited_over", after = "3m", action = "transfer", queue = "c" }]

[[queues]]
name = "c"
workstream = "chat"

[[agent_groups]]
name = "gc"
count = 1
queues = ["c"]

[[supervisors]]
name = "sup"
queues = ["a", "b", "c"]

[[supervisors.script]]
at = "2m"
action = { assign_to = "queue", queue = "b" }
target = { queue = "a" }
"#;

/// a's `waited_over` rule sends it to b after 2 minutes, b's to c 3 minutes later.
const OVERFLOW_THEN_OVERFLOW: &str = r#"
[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "constant", value = "2m" }

[[queues]]
name = "a"
workstream = "chat"
arrivals = { times = ["0s"] }
overflow = [{ when = "waited_over", after = "2m", action = "transfer", queue = "b" }]

[[queues]]
name = "b"
workstream = "chat"
overflow = [{ when = "waited_over", after = "3m", action = "transfer", queue = "c" }]

[[queues]]
name = "c"
workstream = "chat"

[[agent_groups]]
name = "gc"
count = 1
queues = ["c"]
"#;

#[test]
fn a_transfer_at_the_end_of_handling_then_the_queue_s_waited_over_rule_fires() {
    let s = story("ovf-entry-t", TRANSFER_THEN_OVERFLOW);
    has(
        &s,
        "0:05:00 gc-1 accepted it after a wait of 0:03:00 in queues b (0:03:00) then c (0:00:00)",
    );
}

#[test]
fn a_supervisor_move_then_the_queue_s_waited_over_rule_fires() {
    let s = story("ovf-entry-m", MOVE_THEN_OVERFLOW);
    has(
        &s,
        "0:05:00 gc-1 accepted it after a wait of 0:05:00 in queues a (0:02:00), b (0:03:00) \
         then c (0:00:00)",
    );
}

#[test]
fn a_waited_over_move_then_the_next_queue_s_rule_fires_as_before() {
    let s = story("ovf-entry-o", OVERFLOW_THEN_OVERFLOW);
    has(
        &s,
        "0:05:00 gc-1 accepted it after a wait of 0:05:00 in queues a (0:02:00), b (0:03:00) \
         then c (0:00:00)",
    );
}
