//! Issue 25, a twelfth fresh tester: a loop made of an end-of-handling `transfer` and a
//! supervisor move back (or a `waited_over` transfer back) was counted by neither the transfer
//! cycle limit nor the move cycle limit: `validate` accepted the tester's file, whose run made
//! 52 million supervisor moves for 824 arrivals (the documented limit is 10,000 per arrival).
//! Mixed cycles now count against the same per-arrival limit, named by their queues.

use crate::procs::{code_and_stderr, temp_dir};

/// The tester's `mixed.toml`: stream `ca` (queue `a`, served) hands every conversation on to
/// queue `b` after 1 ms with probability `P`; nobody serves `b`; a supervisor moves `b`'s
/// Open conversations back to `a` every second.
fn mixed(p: &str, rate: &str) -> String {
    format!(
        r#"[scenario]
name = "mixed"
horizon = "8h"

[[workstreams]]
name = "ca"
channel = "live_chat"
handle_time = "1ms"
transfer = {{ probability = {p}, queue = "b" }}

[[workstreams]]
name = "cb"
channel = "live_chat"
handle_time = "5m"

[[queues]]
name = "a"
workstream = "ca"
arrivals = {{ rate = "{rate}" }}

[[queues]]
name = "b"
workstream = "cb"

[[agent_groups]]
name = "g"
count = 5
queues = ["a"]

[[supervisors]]
name = "s1"
queues = ["b"]
reaction = "0s"

[[supervisors.policies]]
name = "b-to-a"
every = "1s"
when = {{ state = "open", waited_at_least = "0s", queue = "b" }}
action = {{ assign_to = "queue", queue = "a" }}
"#
    )
}

/// Validates `text` (written to `name` in a fresh folder) with `extra` flags: exit code and
/// stderr.
fn validate(name: &str, text: &str, extra: &[&str]) -> (Option<i32>, String) {
    let dir = temp_dir(&format!("t12-loops-{name}"));
    std::fs::write(dir.join(name), text).unwrap();
    let mut args = vec!["validate", name];
    args.extend_from_slice(extra);
    code_and_stderr(&dir, &args)
}

/// The tester's file (probability 0.99999) and its variant (probability 1, 1000/h, which was
/// still running after a minute): refused at the transfer, naming the cycle's queues and both
/// steps; `--allow-huge` lifts it, as the other loop limits.
#[test]
fn a_transfer_and_a_supervisor_move_back_are_one_loop() {
    for p in ["0.99999", "1"] {
        let text = mixed(p, if p == "1" { "1000/h" } else { "100/h" });
        let (code, err) = validate("mixed.toml", &text, &[]);
        assert_eq!(code, Some(2), "probability {p}: {err}");
        assert!(
            err.contains(
                "workstreams[0].transfer: transfers and moves form a cycle of queues \"a\" → \
                 \"b\" → \"a\""
            ),
            "{err}"
        );
        assert!(err.contains("work stream `ca`'s transfer"), "{err}");
        assert!(err.contains("supervisor `s1`'s policy `b-to-a`"), "{err}");
        assert!(err.contains("over the limit of 10000 per arrival"), "{err}");
        let (code, err) = validate("mixed.toml", &text, &["--allow-huge"]);
        assert_eq!(code, Some(0), "{err}");
    }
    // Realistic: one conversation in three sent on, moved back every 5 minutes: accepted.
    let text = mixed("0.3", "100/h").replace("every = \"1s\"", "every = \"5m\"");
    let (code, err) = validate("mixed.toml", &text, &[]);
    assert_eq!(code, Some(0), "{err}");
}

/// A variant of three queues and three kinds: `a`'s stream transfers every conversation to
/// `b`, `b`'s `waited_over` rule sends its waits to `c` after 10 ms, and a supervisor moves
/// `c` back to `a` every second.
#[test]
fn a_three_queue_mix_of_transfer_waited_over_and_policy_is_one_loop() {
    let text = mixed("1", "100/h")
        .replace(
            "name = \"b\"\nworkstream = \"cb\"\n",
            "name = \"b\"\nworkstream = \"cb\"\n\n[[queues.overflow]]\nwhen = \"waited_over\"\n\
             after = \"10ms\"\naction = \"transfer\"\nqueue = \"c\"\n\n[[queues]]\nname = \"c\"\n\
             workstream = \"cb\"\n",
        )
        .replace("queues = [\"b\"]", "queues = [\"c\"]")
        .replace("queue = \"b\" }\naction", "queue = \"c\" }\naction");
    let (code, err) = validate("three.toml", &text, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("a cycle of queues \"a\" → \"b\" → \"c\" → \"a\""),
        "{err}"
    );
    assert!(
        err.contains("queue \"b\"'s waited_over rule 1 moves it to \"c\" after 10 ms"),
        "{err}"
    );
    assert!(
        err.contains("policy `b-to-a` moves \"c\" to \"a\""),
        "{err}"
    );
    // A patience of 5 ms in `b` and `c` ends the waits before either move: no loop.
    let text = text.replace(
        "handle_time = \"5m\"\n",
        "handle_time = \"5m\"\npatience = \"5ms\"\n",
    );
    let (code, err) = validate("three.toml", &text, &[]);
    assert_eq!(code, Some(0), "{err}");
}
