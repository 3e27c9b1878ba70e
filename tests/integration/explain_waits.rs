//! Issue 25 leftovers (fixd-11): `explain --conversation` names the queue a conversation
//! waited in for each wait. Before, a conversation transferred at the end of handling to b and
//! then moved by a supervisor to c "accepted it after a wait of 0:03:00 in queue c" (it waited
//! those three minutes in b), and a wait that a supervisor move or a `waited_over` overflow
//! rule split between queues was told without them (an acceptance named none, a close
//! neither). Each scenario is small and certain (constant times, scripted moves); one per
//! combination of an end-of-handling transfer, a supervisor move, a `waited_over` move, a
//! refusal and a retrial. (A `waited_over` rule of a queue entered by a transfer at the end of
//! handling or by a supervisor move: tests/integration/overflow_entry.rs.)

use crate::procs::{run_in, temp_dir, text};

/// Runs `scenario` (its body after a one-replication `[scenario]` header) with `--trace` and
/// returns the story of `conversation`.
fn story(tag: &str, body: &str, conversation: u32) -> String {
    let dir = temp_dir(tag);
    let sc = format!(
        "[scenario]\nname = \"w\"\nhorizon = \"1h\"\nseed = 1\nreplications = 1\n\n{body}\n"
    );
    std::fs::write(dir.join("w.toml"), sc).unwrap();
    let o = run_in(&dir, &["run", "w.toml", "--out", "r", "--trace", "--quiet"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let c = conversation.to_string();
    let o = run_in(&dir, &["explain", "r", "--conversation", &c]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

fn has(story: &str, line: &str) {
    assert!(
        story.lines().any(|l| l == line),
        "no line {line:?} in:\n{story}"
    );
}

/// Transferred at the end of handling to b (nobody serves it), moved by a supervisor to c at
/// 0:05:00 and answered there at once: three minutes in b, none in c.
const TRANSFER_THEN_MOVE: &str = r#"
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

[[supervisors]]
name = "sup"
queues = ["a", "b", "c"]

[[supervisors.script]]
at = "5m"
action = { assign_to = "queue", queue = "c" }
target = { queue = "b" }
"#;

/// Moved by a supervisor from a (nobody) to b at 0:02:00, answered there, then transferred at
/// the end of handling to c and answered there at once.
const MOVE_THEN_TRANSFER: &str = r#"
[[workstreams]]
name = "front"
channel = "live_chat"
handle_time = { dist = "constant", value = "2m" }
transfer = { probability = 1.0, queue = "c" }

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
workstream = "front"

[[queues]]
name = "c"
workstream = "back"

[[agent_groups]]
name = "gb"
count = 1
queues = ["b"]

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

/// Refused three times in a (its one agent rejects every invitation), then moved by a
/// supervisor to c at 0:03:00 and answered there.
const REFUSALS_THEN_MOVE: &str = r#"
[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "constant", value = "2m" }

[[queues]]
name = "a"
workstream = "chat"
arrivals = { times = ["0s"] }

[[queues]]
name = "c"
workstream = "chat"

[[agent_groups]]
name = "ga"
count = 1
queues = ["a"]
accept_delay = { dist = "constant", value = "10s" }
reject_probability = 1.0

[[agent_groups]]
name = "gc"
count = 1
queues = ["c"]

[[supervisors]]
name = "sup"
queues = ["a", "c"]

[[supervisors.script]]
at = "3m"
action = { assign_to = "queue", queue = "c" }
target = { queue = "a" }
"#;

/// Moved by a's `waited_over` rule to b at 0:01:00 (nobody), then by a supervisor to d at
/// 0:02:00, answered there.
const OVERFLOW_THEN_MOVE: &str = r#"
[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "constant", value = "2m" }
patience = { dist = "constant", value = "4m" }
retrial = { probability = 1.0, delay = { dist = "constant", value = "10m" } }

[[queues]]
name = "a"
workstream = "chat"
arrivals = { times = ["0s"] }
overflow = [{ when = "waited_over", after = "1m", action = "transfer", queue = "b" }]

[[queues]]
name = "b"
workstream = "chat"

[[queues]]
name = "d"
workstream = "chat"

[[agent_groups]]
name = "gd"
count = 1
queues = ["d"]

[[supervisors]]
name = "sup"
queues = ["a", "b", "d"]

[[supervisors.script]]
at = "2m"
action = { assign_to = "queue", queue = "d" }
target = { queue = "b" }
"#;

#[test]
fn a_transfer_then_a_move_names_the_queue_it_waited_in() {
    let s = story("waits-tm", TRANSFER_THEN_MOVE, 1);
    has(
        &s,
        "0:05:00 gc-1 accepted it after a wait of 0:03:00 in queues b (0:03:00) then c \
         (0:00:00) (0:05:00 since it arrived)",
    );
    assert!(!s.contains("in queue c ("), "{s}");
}

#[test]
fn a_move_then_a_transfer_names_each_wait_s_queues() {
    let s = story("waits-mt", MOVE_THEN_TRANSFER, 1);
    has(
        &s,
        "0:02:00 gb-1 accepted it after a wait of 0:02:00 in queues a (0:02:00) then b (0:00:00)",
    );
    has(
        &s,
        "0:04:00 gc-1 accepted it after a wait of 0:00:00 in queue c (0:04:00 since it arrived)",
    );
}

#[test]
fn refusals_then_a_move_name_both_queues() {
    let s = story("waits-rm", REFUSALS_THEN_MOVE, 1);
    assert_eq!(s.matches("ga-1 rejected the invitation").count(), 3, "{s}");
    has(
        &s,
        "0:03:00 gc-1 accepted it after a wait of 0:03:00 in queues a (0:03:00) then c (0:00:00)",
    );
}

#[test]
fn an_overflow_then_a_move_names_the_three_queues() {
    let s = story("waits-om", OVERFLOW_THEN_MOVE, 1);
    has(
        &s,
        "0:02:00 gd-1 accepted it after a wait of 0:02:00 in queues a (0:01:00), b (0:01:00) \
         then d (0:00:00)",
    );
}

/// The same with the supervisor's move at 0:16:00: conversation 1 abandons in b (its patience
/// is four minutes) and its customer comes back as conversation 2 at 0:14:00, in its origin
/// queue a, whose wait goes a, b, d as the first's did.
#[test]
fn a_close_after_moves_and_its_retrial_name_their_queues() {
    let late = OVERFLOW_THEN_MOVE.replace("at = \"2m\"", "at = \"16m\"");
    let s = story("waits-retry-1", &late, 1);
    has(
        &s,
        "0:04:00 closed (abandoned) 0:04:00 after it arrived, unanswered after waiting in queues \
         a (0:01:00) then b (0:03:00)",
    );
    let s = story("waits-retry-2", &late, 2);
    assert!(s.contains("0:14:00 arrived in queue a (a retrial"), "{s}");
    has(
        &s,
        "0:16:00 gd-1 accepted it after a wait of 0:02:00 in queues a (0:01:00), b (0:01:00) \
         then d (0:00:00)",
    );
}

/// A fresh tester (sixteenth session): a conversation a supervisor assigned (no routing line of
/// its own) kept counting conversations routed after it was accepted as "routed first while it
/// waited" (ci-smoke's conversation 50, accepted at 0:24:07: "8 … 7 later", told at its close
/// 0:27:58). Its wait ends at its acceptance: the summary is told then, and every conversation
/// it counts was routed in its queue between its arrival and its acceptance (the trace's lines).
#[test]
fn a_supervisor_assigned_conversation_counts_only_routings_while_it_waited() {
    let dir = temp_dir("explain-assigned-wait");
    let scenario = format!("{}/scenarios/ci-smoke.toml", env!("CARGO_MANIFEST_DIR"));
    let o = run_in(
        &dir,
        &[
            "run",
            &scenario,
            "--replications",
            "1",
            "--trace",
            "--out",
            "r",
            "--quiet",
        ],
    );
    // ci-smoke's thresholds may fail on one replication (exit 1): the trace is written alike.
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        text(&o.stderr)
    );
    let trace = std::fs::read_to_string(dir.join("r/trace.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = trace
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // Conversations a supervisor's assignment invited: "assign_to_agent" commands that worked.
    let assigned: Vec<u64> = lines
        .iter()
        .filter(|l| l["what"] == "assign_to_agent" && l["ok"] != false)
        .filter_map(|l| l["conversation"].as_u64())
        .take(5)
        .collect();
    assert!(
        !assigned.is_empty(),
        "ci-smoke's supervisor assigns conversations"
    );
    for c in assigned {
        let t_of = |what: &str| {
            lines
                .iter()
                .find(|l| l["conversation"] == c && l["what"] == what)
                .and_then(|l| l["t"].as_f64())
        };
        let (Some(arrived), Some(accepted)) = (t_of("arrive"), t_of("accepted")) else {
            continue;
        };
        let routed_meanwhile = lines
            .iter()
            .filter(|l| l["what"] == "routed" && l["conversation"] != c)
            .filter(|l| {
                l["t"]
                    .as_f64()
                    .is_some_and(|t| t >= arrived && t <= accepted)
            })
            .count();
        let o = run_in(&dir, &["explain", "r", "--conversation", &c.to_string()]);
        let story = text(&o.stdout);
        let counted: usize = story
            .lines()
            .filter(|l| l.contains("routed first:"))
            .filter_map(|l| {
                let n = l.split(", ").nth(1)?.split_whitespace().next()?;
                n.parse::<usize>().ok()
            })
            .sum();
        assert!(
            counted <= routed_meanwhile,
            "conversation {c}: {counted} counted, {routed_meanwhile} routed between its arrival \
             ({arrived} s) and its acceptance ({accepted} s):\n{story}"
        );
    }
}
