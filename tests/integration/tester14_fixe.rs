//! Issue 25 leftovers (branch `fixe-11`): a `cmd:` engine started twice by `run --engine` and
//! `load --engine` (once to check it before older outputs are cleared, again for the work);
//! refusals and retrials inside a cycle of transfers and moves counted per queue, not as steps
//! of the cycle; and the history links of `fit` / `forecast`, now keyed by numbers (an id
//! written `017` is still not the id `17`).

use std::path::Path;

use crate::procs::{code_and_stderr, spawn, stderr, temp_dir, wait_ended};

const BIN: &str = env!("CARGO_BIN_EXE_omnisim");

/// A `cmd:` engine that appends a line to `starts.txt` in `dir` each time it starts, then
/// becomes `omnisim serve SCENARIO --stdio`.
fn counting_engine(dir: &Path, scenario: &Path) -> String {
    let script = dir.join("engine.sh");
    std::fs::write(
        &script,
        format!(
            "echo start >> {}\nexec {BIN} serve {} --stdio\n",
            dir.join("starts.txt").display(),
            scenario.display()
        ),
    )
    .expect("write the engine script");
    format!("cmd:sh {}", script.display())
}

fn starts(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("starts.txt"))
        .map_or(0, |s| s.lines().filter(|l| *l == "start").count())
}

/// `run --engine cmd:…` started its engine twice (the check, then the run); now once per
/// run, whatever the replications (the design: one engine for all of them, reset between),
/// and `load --engine` once too.
#[test]
fn a_cmd_engine_is_started_once_per_run_and_per_load() {
    let dir = temp_dir("t14-engine-starts");
    let s = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/erlang-c.toml");
    let engine = counting_engine(&dir, &s);
    let out = dir.join("run");
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "run",
            s.to_str().unwrap(),
            "--replications",
            "3",
            "--engine",
            &engine,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
    );
    assert!(code.is_some_and(|c| c <= 1), "{code:?} {err}");
    assert!(out.join("summary.json").exists(), "{err}");
    assert_eq!(starts(&dir), 1, "one engine for the run's 3 replications");

    std::fs::remove_file(dir.join("starts.txt")).expect("remove");
    let out = dir.join("load");
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "load",
            s.to_str().unwrap(),
            "--rate",
            "50",
            "--duration",
            "1s",
            "--engine",
            &engine,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
    );
    assert!(code.is_some_and(|c| c <= 1), "{code:?} {err}");
    assert!(out.join("load.json").exists(), "{err}");
    assert_eq!(starts(&dir), 1, "one engine for the load");
}

/// The twelfth tester's mixed cycle (`tester12_loops`): stream `ca` (queue `a`, served by
/// group `g`) hands conversations on to `b` after 1 ms with probability `p`; nobody serves
/// `b`; a supervisor moves `b`'s Open conversations back to `a` every second. `GROUP` and
/// `STREAM` are lines added to group `g` and stream `ca`.
fn mixed(p: &str, group: &str, stream: &str) -> String {
    format!(
        r#"[scenario]
name = "mixed"
horizon = "8h"
replications = 1

[engine]
refusals_before_skip = 1000

[[workstreams]]
name = "ca"
channel = "live_chat"
handle_time = "1ms"
transfer = {{ probability = {p}, queue = "b" }}
{stream}

[[workstreams]]
name = "cb"
channel = "live_chat"
handle_time = "5m"

[[queues]]
name = "a"
workstream = "ca"
arrivals = {{ rate = "100/h" }}

[[queues]]
name = "b"
workstream = "cb"

[[agent_groups]]
name = "g"
count = 5
queues = ["a"]
{group}

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

/// Validates `text` within a generous bound (it must never hang): exit code and stderr.
fn validate(tag: &str, text: &str) -> (Option<i32>, String) {
    let dir = temp_dir(&format!("t14-mixed-{tag}"));
    let file = dir.join("mixed.toml");
    std::fs::write(&file, text).unwrap();
    let mut child = spawn(&["validate", file.to_str().unwrap()]);
    let status = wait_ended(&mut child);
    (status.code(), stderr(&mut child))
}

/// A transfer `a` → `b` with probability 0.995 and a move back: about 2 · 200 = 400 steps per
/// arrival, within the limit. Agents of `a` who reject 99% of invitations (about 100 a visit)
/// are within the refusal limit on their own; in the cycle each visit to `a` costs those 100
/// invitations, about 101 · 200 = 20,200 steps: refused, naming the transfer, the move and the
/// refusals. Customers of `a` who abandon after 1 s and retry (probability 0.99, about 100
/// contacts) likewise. Without either, accepted as before.
#[test]
fn refusals_and_retrials_inside_a_mixed_cycle_are_steps_of_it() {
    let (code, err) = validate("plain", &mixed("0.995", "", ""));
    assert_eq!(code, Some(0), "{err}");

    let refusing = mixed("0.995", "reject_probability = 0.99", "");
    let (code, err) = validate("refusals", &refusing);
    assert_eq!(code, Some(2), "{err}");
    for want in [
        "workstreams[0].transfer: transfers and moves form a cycle of queues \"a\" → \"b\" → \"a\"",
        "work stream `ca`'s transfer",
        "supervisor `s1`'s policy `b-to-a`",
        "at \"a\", agents of group `g` refuse its invitations (probability 0.99): about 100 \
         invitations a visit",
        "can be offered, handled and moved (each invitation a step) about 20200 times",
        "over the limit of 10000 per arrival",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    assert!(
        !err.contains("agent_groups[0]"),
        "the refusal loop alone is fine: {err}"
    );

    let retrying = mixed(
        "0.995",
        "",
        "patience = \"1s\"\nretrial = { probability = 0.99, delay = \"1s\" }",
    );
    let (code, err) = validate("retrials", &retrying);
    assert_eq!(code, Some(2), "{err}");
    for want in [
        "workstreams[0].transfer: transfers and moves form a cycle",
        "at \"a\", customers who abandon retry (work stream `ca`'s retrial, probability 0.99): \
         about 100 contacts a visit",
        "handled, retried and moved (each contact a step)",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    assert!(
        !err.contains("workstreams[0].retrial"),
        "the retrial loop alone is fine: {err}"
    );
}

/// The links of a history keyed by numbers: `17` and `017` are two conversations, a text id
/// repeated is still named at its line and column with the earlier line, and every problem is
/// listed at once.
#[test]
fn history_ids_are_compared_as_written() {
    let dir = temp_dir("t14-fit-ids");
    let h = dir.join("h.csv");
    std::fs::write(
        &h,
        "id,arrival,queue,outcome,wait,handle\n\
         17,10,q,answered,0,60\n017,20,q,answered,0,60\nx-1,30,q,answered,0,60\n\
         x-1,40,q,answered,0,60\n17,50,q,answered,zz,60\n",
    )
    .unwrap();
    let (code, err) = code_and_stderr(&dir, &["fit", "h.csv", "--out", "fit"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("h.csv:5:1: id: conversation \"x-1\" is already on line 4"),
        "{err}"
    );
    assert!(
        err.contains("h.csv:6:1: id: conversation \"17\" is already on line 2"),
        "{err}"
    );
    assert!(err.contains("h.csv:6:5: wait:"), "{err}");
    assert!(!err.contains("\"017\""), "{err}");
}
