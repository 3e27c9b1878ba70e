//! Issue 25, ninth pass (branch `fixj-7`): the leftovers of the seventh and eighth passes —
//! the trace's `closed` wait, the terminal's "Chat behaviour" line on voice, `sweep
//! --allow-huge`, and a warning before a `--trace` of gigabytes. (The stop flag of `sweep
//! --shard` is in `signals_setup`, `staff`'s missed intervals in `staffing`, the forecast
//! reader's problems at once in `traffic::forecast::tests`.)

use std::collections::HashMap;
use std::path::Path;

use crate::procs::{run_in as omnisim, text, TempDir};

/// A voice queue whose callers hang up after a minute and call back half the time.
const VOICE: &str = r#"
[scenario]
name = "voice-callbacks"
horizon = "2h"
replications = 1
seed = 3

[[workstreams]]
name = "calls"
channel = "voice"
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "exponential", mean = "1m" }
retrial = { probability = 0.5, delay = { dist = "exponential", mean = "5m" } }

[[queues]]
name = "q"
workstream = "calls"
arrivals = { rate = "60/h" }

[[agent_groups]]
name = "a"
count = 3
queues = ["q"]
"#;

/// The trace's `closed` line said `waited_s` for the time since arrival (wait, handling and
/// wrap-up). It is now the wait, as conversations.csv's `wait` (to the first acceptance, or
/// to the close of one never answered), and `in_system_s` is the time since arrival. Checked
/// for every conversation of the demo (answered, abandoned) and of the voice queue with
/// callbacks; `explain` still says how long after its arrival a conversation closed.
#[test]
fn the_traces_closed_wait_is_the_wait_and_time_in_system_is_its_own_field() {
    let dir = TempDir::new("fixj-closed");
    std::fs::write(dir.join("v.toml"), VOICE).expect("write v.toml");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo.toml");
    for (scenario, out) in [(demo.to_str().expect("utf-8"), "d"), ("v.toml", "v")] {
        let o = omnisim(
            &dir,
            &[
                "run",
                scenario,
                "--replications",
                "1",
                "--trace",
                "--log",
                "--quiet",
                "--out",
                out,
            ],
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        let csv = std::fs::read_to_string(dir.join(out).join("conversations.csv")).expect("csv");
        let mut lines = csv.lines();
        let head: Vec<&str> = lines.next().expect("header").split(',').collect();
        let col = |n: &str| head.iter().position(|h| *h == n).expect("column");
        let (id, outcome, wait) = (col("id"), col("outcome"), col("wait"));
        let rows: HashMap<u64, (String, f64)> = lines
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                let w = c[wait].parse::<f64>().unwrap_or(f64::NAN);
                (c[id].parse().expect("id"), (c[outcome].to_string(), w))
            })
            .collect();
        let trace = std::fs::read_to_string(dir.join(out).join("trace.jsonl")).expect("trace");
        let (mut answered, mut unanswered, mut longer) = (0, 0, 0);
        for l in trace.lines().filter(|l| l.contains(r#""what":"closed""#)) {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            let conv = v["conversation"].as_u64().expect("id");
            let waited = v["waited_s"].as_f64().expect("waited_s");
            let in_system = v["in_system_s"].as_f64().expect("in_system_s");
            let (outcome, wait) = &rows[&conv];
            assert!(
                (waited - wait).abs() < 1e-6,
                "{out}: conversation {conv} ({outcome}): trace waited {waited}, csv wait {wait}"
            );
            assert!(in_system >= waited, "{l}");
            if outcome == "answered" {
                answered += 1;
                longer += usize::from(in_system > waited + 1.0);
            } else {
                unanswered += 1;
                assert_eq!(in_system, waited, "{l}");
            }
        }
        assert!(
            answered > 20 && longer == answered,
            "{out}: {answered} {longer}"
        );
        assert!(
            out == "d" || unanswered > 10,
            "{out}: {unanswered} abandoned"
        );
    }
    // explain: "closed (completed) H:MM:SS after it arrived" is the time in system.
    let trace = std::fs::read_to_string(dir.join("d/trace.jsonl")).expect("trace");
    let first = trace
        .lines()
        .find(|l| l.contains(r#""what":"closed""#) && l.contains("completed"))
        .expect("a completed conversation");
    let v: serde_json::Value = serde_json::from_str(first).expect("json");
    let conv = v["conversation"].as_u64().expect("id").to_string();
    let s = v["in_system_s"].as_f64().expect("in_system_s").round() as u64;
    let clock = format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    let o = omnisim(&dir, &["explain", "d", "--conversation", &conv]);
    let story = text(&o.stdout);
    assert!(
        story.contains(&format!("closed (completed) {clock} after it arrived")),
        "{story}"
    );
}

/// The terminal summary called its customers · retrials · transferred line "Chat behaviour"
/// on a voice queue with callbacks. That name is now kept for chat work streams using the
/// chat-behaviour keys; elsewhere the line is "Customers". Variant: the same queue as live
/// chat keeps "Chat behaviour".
#[test]
fn a_voice_summary_does_not_speak_of_chat_behaviour() {
    let dir = TempDir::new("fixj-voice");
    std::fs::write(dir.join("v.toml"), VOICE).expect("write v.toml");
    std::fs::write(
        dir.join("c.toml"),
        VOICE.replace("\"voice\"", "\"live_chat\""),
    )
    .expect("write c.toml");
    let o = omnisim(&dir, &["run", "v.toml", "--out", "v"]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!out.contains("Chat behaviour"), "{out}");
    assert!(
        out.contains("Customers") && out.contains("retrials"),
        "{out}"
    );
    let o = omnisim(&dir, &["run", "c.toml", "--out", "c"]);
    let out = text(&o.stdout);
    assert!(
        out.contains("Chat behaviour") && out.contains("retrials"),
        "{out}"
    );
}

/// A scenario over the horizon limit (401 days), tiny otherwise.
fn long(dir: &Path, days: u32) {
    let sc = VOICE
        .replace("horizon = \"2h\"", &format!("horizon = \"{days}d\""))
        .replace("60/h", "1/h");
    std::fs::write(dir.join(format!("h{days}.toml")), sc).expect("write scenario");
}

/// `sweep` had no `--allow-huge`, yet told the user to pass it for a point over a size limit.
/// It now takes the flag with `run`'s meaning, and a sweep shard records whether it lifted a
/// limit (`limits_lifted`), as a run shard does: shards that agree merge, the flag lifting a
/// limit in one shard only is refused as for run shards. Variant: `--replications` over the
/// limit is lifted too, and `--help` lists the flag.
#[test]
fn sweep_takes_allow_huge_as_run_does_and_its_shards_record_it() {
    let dir = TempDir::new("fixj-huge");
    long(&dir, 401);
    long(&dir, 4);
    let vary = "agent_groups.a.count=1..2";
    let sweep = |file: &str, out: &str, more: &[&str]| {
        let mut args = vec!["sweep", file, "--vary", vary, "--out", out, "--quiet"];
        args.extend_from_slice(more);
        omnisim(&dir, &args)
    };
    let o = sweep("h401.toml", "refused", &[]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("over the limit of 400 days") && err.contains("--allow-huge"),
        "{err}"
    );
    let o = sweep("h401.toml", "whole", &["--allow-huge"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let whole = std::fs::read_to_string(dir.join("whole/sweep.csv")).expect("sweep.csv");
    assert_eq!(whole.lines().count(), 3, "{whole}");
    for k in ["1", "2"] {
        let o = sweep(
            "h401.toml",
            &format!("s{k}"),
            &["--allow-huge", "--shard", &format!("{k}/2")],
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        let shard: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("s{k}/shard.json"))).expect("shard"),
        )
        .expect("json");
        assert_eq!(shard["allow_huge"], true);
        assert_eq!(shard["limits_lifted"], true);
    }
    let o = omnisim(&dir, &["merge", "s1", "s2", "--out", "merged", "--quiet"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let merged = std::fs::read_to_string(dir.join("merged/sweep.csv")).expect("sweep.csv");
    assert_eq!(merged, whole);
    // Within the limits, the flag lifts nothing: with and without it, the shards merge.
    let o = sweep("h4.toml", "t1", &["--allow-huge", "--shard", "1/2"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = sweep("h4.toml", "t2", &["--shard", "2/2"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = omnisim(&dir, &["merge", "t1", "t2", "--out", "tm", "--quiet"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // --replications over the limit: refused, the refusal naming the flag that lifts it.
    let o = omnisim(
        &dir,
        &[
            "sweep",
            "h4.toml",
            "--vary",
            "agent_groups.a.count=1..1",
            "--replications",
            "10001",
            "--out",
            "r",
            "--quiet",
        ],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--allow-huge"), "{err}");
    let o = omnisim(&dir, &["sweep", "--help"]);
    let help = text(&o.stdout);
    assert!(help.contains("--allow-huge"), "{help}");
}

/// `run --trace` of a long run wrote gigabytes without a word. It now warns once on stderr
/// before the run when the trace is expected to pass 1 GB (expected conversations × about
/// 2.2 kB), with the estimate and how to make it smaller, and runs anyway. The warning comes
/// before the output folder is made, so an `--out` under a plain file shows it without
/// running the 1.9 million conversations. Variants: several replications suggest
/// `--trace-replication`; one traced replication, the horizon; a small run says nothing, and
/// `--quiet` still warns (a warning is not chatter: issue 25, twelfth session).
#[test]
fn a_trace_of_gigabytes_is_announced_before_the_run() {
    let dir = TempDir::new("fixj-tracesize");
    let big = VOICE
        .replace("horizon = \"2h\"", "horizon = \"400d\"")
        .replace("60/h", "200/h");
    std::fs::write(dir.join("big.toml"), big).expect("write big.toml");
    std::fs::write(dir.join("v.toml"), VOICE).expect("write v.toml");
    std::fs::write(dir.join("plain"), "").expect("write plain");
    let run = |more: &[&str]| {
        let mut args = vec!["run", "big.toml", "--trace", "--out", "plain/o"];
        args.extend_from_slice(more);
        let o = omnisim(&dir, &args);
        assert_eq!(o.status.code(), Some(2));
        text(&o.stderr)
    };
    let err = run(&[]);
    assert_eq!(
        err.matches("warning: --trace will write about").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("about 4.2 GB to plain/o/trace.jsonl")
            && err.contains("1.92M expected conversations a replication")
            && err.contains("shorten the horizon"),
        "{err}"
    );
    let err = run(&["--replications", "3"]);
    assert!(
        err.contains("about 12.7 GB") && err.contains("--trace-replication N (about 4.2 GB)"),
        "{err}"
    );
    let err = run(&["--replications", "3", "--trace-replication", "2"]);
    assert!(err.contains("about 4.2 GB"), "{err}");
    let err = run(&["--quiet"]);
    assert!(
        err.contains("warning: --trace will write about 4.2 GB to plain/o/trace.jsonl"),
        "{err}"
    );
    let o = omnisim(&dir, &["run", "v.toml", "--trace", "--out", "small"]);
    let err = text(&o.stderr);
    assert!(
        o.status.success() && !err.contains("--trace will write"),
        "{err}"
    );
}

/// The tester's 6g: `ab` and `staff` had no `--allow-huge`, so a scenario `run --allow-huge`
/// takes could be neither compared nor staffed. Both now take the flag with `run`'s meaning:
/// refused without it (naming the flag), loaded with it (`ab` runs both sides; `staff` gets as
/// far as its own checks, here a target it cannot read: a whole 401-day staffing is too long
/// for a test).
#[test]
fn ab_and_staff_take_allow_huge_as_run_does() {
    let dir = TempDir::new("fixj-huge-ab");
    long(&dir, 401);
    let ab = |more: &[&str]| {
        let mut args = vec!["ab", "h401.toml", "--variant", "h401.toml", "--out", "ab"];
        args.extend_from_slice(more);
        args.push("--quiet");
        omnisim(&dir, &args)
    };
    let o = ab(&[]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("over the limit of 400 days") && err.contains("--allow-huge"),
        "{err}"
    );
    let o = ab(&["--allow-huge"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(dir.join("ab/ab.json").exists());
    let staff = |more: &[&str]| {
        let mut args = vec!["staff", "h401.toml", "--target", "nonsense", "--quiet"];
        args.extend_from_slice(more);
        omnisim(&dir, &args)
    };
    let o = staff(&[]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("over the limit of 400 days"), "{err}");
    let o = staff(&["--allow-huge"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        !err.contains("400 days") && err.contains("nonsense"),
        "{err}"
    );
}
