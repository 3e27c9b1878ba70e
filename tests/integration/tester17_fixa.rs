//! Issue 25, a seventeenth tester (branch `fixa-13`): long jobs and odd inputs, no wrong
//! answers.
//!
//! 1. `conversations.csv`'s `ended_in` was written only when a *waiting* conversation could
//!    move, so a log whose only moves were before-queueing transfers (`out_of_hours`,
//!    `work_items_over`) had no column and `fit` fitted the answering queue's handle times to
//!    the arrival queue. Now every overflow transfer writes it, and a conversation a
//!    transferred-to queue's rule ended names that queue too.
//! 2. `staff --group G` for a group whose queue only receives moved conversations printed
//!    "every interval meets the target" and `met` in staffing.csv with no measured value. An
//!    interval with no value of the target's metric is "not measured" (`not_measured`), and a
//!    staffing with none measured says so and exits 1.
//! 3. `validate` judged a policy's `pick` and the "never answered" warning by refusals alone:
//!    a queue whose only group is absent (`absence = 1`) or never on shift in the run, alone or
//!    mixed with refusing groups, passed silently.

use crate::procs::{json, run_in, text, TempDir};

/// A folder holding `e.toml` with `body`.
fn with(tag: &str, body: &str) -> TempDir {
    let dir = TempDir::new(&format!("t17a-{tag}"));
    std::fs::write(dir.join("e.toml"), body).unwrap();
    dir
}

/// The rows of a CSV as maps from column name to cell.
fn rows(csv: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            head.iter()
                .zip(l.split(','))
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect()
}

/// Queue a opens 08:00–20:00 (its work stream: 60 s); out of hours its arrivals go to b
/// (600 s). One arrival at 07:00 (closed: answered in b), one at 08:30 (answered in a).
const OUT_OF_HOURS: &str = r#"
[scenario]
name = "bq"
start = "2026-03-02T07:00"
horizon = "2h"
seed = 1
replications = 1

[[workstreams]]
name = "wa"
channel = "voice"
handle_time = { dist = "constant", value = "60s" }

[[workstreams]]
name = "wb"
channel = "voice"
handle_time = { dist = "constant", value = "600s" }

[[queues]]
name = "a"
workstream = "wa"
arrivals = { times = ["0s", "5m", "90m", "95m"] }
operating_hours = [{ from = "08:00", to = "20:00" }]

[[queues.overflow]]
when = "out_of_hours"
action = "transfer"
queue = "b"

[[queues]]
name = "b"
workstream = "wb"
arrivals = { times = ["100m"] }

[[agent_groups]]
name = "ga"
count = 2
queues = ["a"]

[[agent_groups]]
name = "gb"
count = 2
queues = ["b"]
"#;

/// The tester's `bq.toml`, cut down: the two conversations answered in b name it, and `fit`
/// fits a's handle time to a's own 60 s (before: no column, a's handle times mixed 60 s and
/// 600 s).
#[test]
fn an_out_of_hours_transfer_names_the_queue_that_answered_and_fit_keeps_them_apart() {
    let dir = with("ooh", OUT_OF_HOURS);
    let o = run_in(&dir, &["run", "e.toml", "--out", "r", "--log", "--quiet"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = std::fs::read_to_string(dir.join("r/conversations.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",ended_in"), "{csv}");
    let r = rows(&csv);
    let moved: Vec<&str> = r
        .iter()
        .filter(|x| x["queue"] == "a")
        .map(|x| x["ended_in"].as_str())
        .collect();
    assert_eq!(moved, ["b", "b", "", ""], "{csv}");
    for x in r.iter().filter(|x| x["ended_in"] == "b") {
        assert!(
            x["agent"].starts_with("gb-") && x["handle"] == "600",
            "{csv}"
        );
    }
    let o = run_in(&dir, &["fit", "r/conversations.csv", "--out", "f"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let fit = json(&dir.join("f/fit.json"));
    let h = &fit["queues"]["a"]["handle"];
    assert_eq!(h["best"], "constant", "{h}");
    assert_eq!(h["candidates"]["constant"]["mean_s"], 60.0, "{h}");
    let h = &fit["queues"]["b"]["handle"];
    assert_eq!(h["candidates"]["constant"]["mean_s"], 600.0, "{h}");
    let e = text(&o.stderr);
    assert!(
        e.contains("2 conversations answered in another queue than the one they arrived at"),
        "{e}"
    );
}

/// A `work_items_over` chain: a holds one open conversation (nobody serves a), the next goes
/// to b, which holds one too (nobody serves b), and b's own rule ends the third: its row is a's,
/// overflowed, and names b, where it ended (before: no column at all, and with one the
/// overflowed row named no queue).
#[test]
fn a_conversation_a_transferred_to_queues_rule_ended_names_that_queue() {
    let body = r#"
[scenario]
name = "chain"
horizon = "10m"
seed = 1
replications = 1

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "constant", value = "1m" }

[[queues]]
name = "a"
workstream = "chat"
arrivals = { times = ["0s", "1s", "2s"] }

[[queues.overflow]]
when = "work_items_over"
limit = 1
action = "transfer"
queue = "b"

[[queues]]
name = "b"
workstream = "chat"

[[queues.overflow]]
when = "work_items_over"
limit = 1
action = "end"

[[queues]]
name = "c"
workstream = "chat"

[[agent_groups]]
name = "gc"
count = 1
queues = ["c"]
"#;
    let dir = with("chain", body);
    let o = run_in(&dir, &["run", "e.toml", "--out", "r", "--log", "--quiet"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = std::fs::read_to_string(dir.join("r/conversations.csv")).unwrap();
    let r = rows(&csv);
    let got: Vec<(&str, &str, &str)> = r
        .iter()
        .map(|x| {
            (
                x["queue"].as_str(),
                x["outcome"].as_str(),
                x["ended_in"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("a", "", ""), ("a", "", "b"), ("a", "overflowed", "b")],
        "{csv}"
    );
}

/// Queue a's waiting conversations move to c after 60 s; c's only group has 0 agents (the
/// tester's `moves-gc0.toml`, cut down), so nothing ever arrives at c of its own.
const MOVED_ONLY: &str = r#"
[scenario]
name = "moved-only"
horizon = "2h"
seed = 7
replications = 1

[[workstreams]]
name = "wa"
channel = "voice"
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "5m" }

[[workstreams]]
name = "wc"
channel = "voice"
handle_time = { dist = "exponential", mean = "20m" }
patience = { dist = "exponential", mean = "5m" }

[[queues]]
name = "a"
workstream = "wa"
arrivals = { rate = "100/h" }

[[queues.overflow]]
when = "waited_over"
after = "60s"
action = "transfer"
queue = "c"

[[queues]]
name = "c"
workstream = "wc"

[[agent_groups]]
name = "ga"
count = 6
queues = ["a"]

[[agent_groups]]
name = "gc"
count = 0
queues = ["c"]
"#;

/// `staff --group gc`, for a service-level and an abandonment target: "NOT MEASURED", no
/// `met` in staffing.csv (each row `not_measured`), exit 1 (before: "every interval meets the
/// target · peak 0 agents", `met` on every row, exit 0).
#[test]
fn a_staffing_with_nothing_measured_never_reads_as_met() {
    let dir = with("gc0", MOVED_ONLY);
    for (k, target) in ["service_level.fraction>=0.8", "abandonment_rate<=0.1"]
        .iter()
        .enumerate()
    {
        let out = format!("s{k}");
        let o = run_in(
            &dir,
            &[
                "staff", "e.toml", "--group", "gc", "--target", target, "--out", &out,
            ],
        );
        let stdout = text(&o.stdout);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{target}: {stdout}{}",
            text(&o.stderr)
        );
        assert!(stdout.contains("NOT MEASURED"), "{target}: {stdout}");
        assert!(!stdout.contains("meets the target"), "{target}: {stdout}");
        assert!(
            stdout.contains("not measured: 4 intervals of 4"),
            "{target}: {stdout}"
        );
        let csv = std::fs::read_to_string(dir.join(&out).join("staffing.csv")).unwrap();
        let r = rows(&csv);
        assert_eq!(r.len(), 4);
        for x in &r {
            assert_eq!(x["target_status"], "not_measured", "{target}: {csv}");
        }
        let html = std::fs::read_to_string(dir.join(&out).join("staffing.html")).unwrap();
        assert!(html.contains("NOT MEASURED"), "{target}");
    }
}

/// A group whose queue has arrivals in the first hour only: the measured intervals meet the
/// target, the others are "not measured" (before: "met"), and the staffing exits 0.
#[test]
fn intervals_with_nothing_to_measure_are_named_not_met() {
    let body = r#"
[scenario]
name = "first-hour"
horizon = "2h"
seed = 3
replications = 1

[[workstreams]]
name = "w"
channel = "voice"
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "5m" }

[[queues]]
name = "q"
workstream = "w"
arrivals = { profile = [["0h", "60/h"], ["1h", "0/h"]] }

[[agent_groups]]
name = "g"
count = 5
queues = ["q"]
"#;
    let dir = with("half", body);
    let o = run_in(
        &dir,
        &[
            "staff",
            "e.toml",
            "--group",
            "g",
            "--target",
            "abandonment_rate<=0.5",
            "--out",
            "s",
        ],
    );
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}{}", text(&o.stderr));
    let csv = std::fs::read_to_string(dir.join("s/staffing.csv")).unwrap();
    let status: Vec<String> = rows(&csv)
        .iter()
        .map(|x| x["target_status"].clone())
        .collect();
    let unmeasured = status.iter().filter(|s| *s == "not_measured").count();
    assert!(unmeasured >= 1, "{csv}");
    assert_eq!(status[0], "met", "{csv}");
    assert!(
        stdout.contains("every measured interval meets the target"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("not measured: {unmeasured} interval")),
        "{stdout}"
    );
}

/// One queue served by `groups` (TOML of `[[agent_groups]]`), with a supervisor `policy`
/// action when given.
fn served_by(groups: &str, policy: Option<&str>) -> String {
    let sup = policy.map_or(String::new(), |a| {
        format!(
            "[[supervisors]]\nname = \"s\"\nqueues = [\"support\"]\n\n[[supervisors.policies]]\n\
             name = \"p\"\nevery = \"100ms\"\nwhen = {{ state = \"open\" }}\naction = {a}\n"
        )
    });
    format!(
        r#"
[scenario]
name = "avail"
horizon = "1h"
seed = 1
replications = 1

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 50
handle_time = {{ dist = "exponential", mean = "5m" }}
patience = {{ dist = "exponential", mean = "10m" }}

[[queues]]
name = "support"
workstream = "chat"
arrivals = {{ rate = "60/h" }}

{groups}
{sup}"#
    )
}

const ABSENT: &str =
    "[[agent_groups]]\nname = \"a\"\ncount = 2\nqueues = [\"support\"]\nabsence = 1\n";
const LATE: &str = "[[agent_groups]]\nname = \"l\"\ncount = 2\nqueues = [\"support\"]\n\
                    shift = { start = \"30h\", end = \"31h\" }\n";
const REFUSING: &str = "[[agent_groups]]\nname = \"r\"\ncount = 2\nqueues = [\"support\"]\n\
                        reject_probability = 0.3\nignore_probability = 0.7\n";
const PRESENT: &str = "[[agent_groups]]\nname = \"ok\"\ncount = 1\nqueues = [\"support\"]\n";

/// `validate`'s exit code and stderr for `file`.
fn validate(tag: &str, file: &str) -> (Option<i32>, String) {
    let dir = with(tag, file);
    let o = run_in(&dir, &["validate", "e.toml"]);
    (o.status.code(), text(&o.stderr))
}

/// The tester's `absent-only.toml` and variants: a queue whose only group is absent, never on
/// shift in the run, or a mix of those with a refusing group, is warned about as never
/// answered, naming each group's cause; one present group silences it.
#[test]
fn a_queue_nobody_ever_answers_is_warned_about_whatever_the_cause() {
    for (tag, groups, causes) in [
        (
            "absent",
            ABSENT.to_string(),
            vec!["group \"a\" never comes in (`absence = 1`)"],
        ),
        (
            "late",
            LATE.to_string(),
            vec!["group \"l\" is on shift only from 1d6h, after the run ends"],
        ),
        (
            "mix",
            format!("{REFUSING}{ABSENT}"),
            vec![
                "group \"r\" rejects or ignores every invitation",
                "group \"a\" never comes in",
            ],
        ),
    ] {
        let (code, e) = validate(tag, &served_by(&groups, None));
        assert_eq!(code, Some(0), "{tag}: {e}");
        assert!(
            e.contains("no agent of queue \"support\" ever answers during the run"),
            "{tag}: {e}"
        );
        assert!(
            e.contains("its conversations are never answered"),
            "{tag}: {e}"
        );
        for c in causes {
            assert!(e.contains(c), "{tag}: {c:?} not in {e}");
        }
    }
    let (code, e) = validate("present", &served_by(&format!("{ABSENT}{PRESENT}"), None));
    assert_eq!(code, Some(0), "{e}");
    assert!(!e.contains("never answered"), "{e}");
}

/// The tester's `pol-absent.toml` and `pol-shiftlate.toml` with `pick`: an assignment whose
/// only non-refusing group is absent or never on shift can never act (an error at its action,
/// as a named agent's is); with a present group it can.
#[test]
fn a_pick_with_no_member_ever_available_can_never_act() {
    let pick = "{ assign_to = \"agent\", pick = \"most_free_capacity\" }";
    for (tag, groups, rule) in [
        ("p-absent", ABSENT.to_string(), "ASSIGN-AGENT-PRESENCE"),
        ("p-late", LATE.to_string(), "ASSIGN-AGENT-PRESENCE"),
        ("p-mix", format!("{REFUSING}{ABSENT}"), "RT-INVITE"),
        ("p-mix2", format!("{LATE}{REFUSING}"), "RT-INVITE"),
    ] {
        let (code, e) = validate(tag, &served_by(&groups, Some(pick)));
        assert_eq!(code, Some(2), "{tag}: {e}");
        assert!(
            e.contains("supervisors[0].policies[0].action: policy \"p\" of supervisor \"s\" (assign_to = \"agent\") can never act"),
            "{tag}: {e}"
        );
        assert!(e.contains(rule), "{tag}: {rule} not in {e}");
    }
    let (code, e) = validate(
        "p-ok",
        &served_by(&format!("{ABSENT}{PRESENT}"), Some(pick)),
    );
    assert_eq!(code, Some(0), "{e}");
    assert!(!e.contains("can never act"), "{e}");
}
