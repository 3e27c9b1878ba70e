//! Issue 25 items 1 and 8: Ctrl-C in every long command. A real SIGINT sent to the real binary
//! in the middle of `sweep`, `run --shard`, `ab`, `staff`, `fit` and a traced `run`: exit 130
//! at once, what was finished written and marked partial, no temporary file left, and
//! (`--trace`) a trace that says where it was cut off. "At once" is counted in the work log,
//! not timed: after the signal, each thread's event loop runs a block or two of 4,096 events
//! at most, and no rows are read but a chunk or two. The signal is sent once the log shows the
//! work under way, not after a fixed sleep.

use std::process::Child;

use crate::procs::{
    bin, events_after, json, no_temporaries, signal_when, spawn_logged, temp_dir, WorkLog,
    ROWS_AFTER,
};
use crate::signals::LONG;

/// Once `log` holds `at` (a unit and its count), sends SIGINT and returns the exit code and
/// stderr once the command ended; asserts the work after the signal stayed within the
/// events and rows bounds.
fn interrupt((child, log): (Child, WorkLog), at: (&str, usize)) -> (Option<i32>, String) {
    let (code, err) = signal_when(child, &log, at, "-INT");
    log.assert_stopped_within(at.0, &[("events", events_after()), ("rows", ROWS_AFTER)]);
    (code, err)
}

#[test]
fn sigint_in_a_sweep_keeps_the_finished_points() {
    // Two points: a 1-hour horizon (done in a moment) and a 300-day one (minutes). Interrupted
    // once the first has finished, sweep.csv holds the finished point only, sweep.html says
    // partial, exit 130.
    let dir = temp_dir("sweep");
    let sc = dir.join("long.toml");
    std::fs::write(&sc, LONG).unwrap();
    let out = dir.join("out");
    let child = spawn_logged(&[
        "sweep",
        sc.to_str().unwrap(),
        "--vary",
        "scenario.horizon=1h,300d",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let (code, err) = interrupt(child, ("point", 1));
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    let csv = std::fs::read_to_string(out.join("sweep.csv")).expect("sweep.csv written");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "only the finished point:\n{csv}");
    assert!(rows[0].starts_with("1h,"), "{csv}");
    // Issue 25, fifth pass: the CSV says it is partial too (a last column `partial`, 1).
    assert!(csv.lines().next().unwrap().ends_with(",partial"), "{csv}");
    assert!(rows[0].ends_with(",1"), "{csv}");
    let html = std::fs::read_to_string(out.join("sweep.html")).unwrap();
    assert!(html.contains("interrupted (partial)"), "{html}");
    no_temporaries(&out);
}

#[test]
fn sigint_in_a_run_shard_writes_a_partial_shard_that_merge_refuses() {
    let dir = temp_dir("shard");
    let sc = dir.join("long.toml");
    std::fs::write(&sc, LONG).unwrap();
    let out = dir.join("s1");
    let child = spawn_logged(&[
        "run",
        sc.to_str().unwrap(),
        "--shard",
        "1/1",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let (code, err) = interrupt(child, ("events", 3));
    assert_eq!(code, Some(130), "{err}");
    let shard = json(&out.join("shard.json"));
    assert_eq!(shard["partial"], true);
    assert_eq!(shard["reps"][0]["partial"], true);
    no_temporaries(&out);
    let merged = bin()
        .args(["merge", out.to_str().unwrap(), "--out"])
        .arg(dir.join("merged"))
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(2));
    let e = String::from_utf8_lossy(&merged.stderr);
    assert!(e.contains("was interrupted"), "{e}");
}

#[test]
fn sigint_in_ab_writes_a_partial_comparison() {
    let dir = temp_dir("ab");
    let sc = dir.join("long.toml");
    std::fs::write(&sc, LONG).unwrap();
    let var = dir.join("var.toml");
    std::fs::write(&var, LONG.replace("count = 300", "count = 301")).unwrap();
    let out = dir.join("out");
    let child = spawn_logged(&[
        "ab",
        sc.to_str().unwrap(),
        "--variant",
        var.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let (code, err) = interrupt(child, ("events", 3));
    assert_eq!(code, Some(130), "{err}");
    let ab = json(&out.join("ab.json"));
    assert_eq!(ab["partial"], true);
    // The one replication was cut short on both sides: no pair finished.
    assert_eq!(ab["replications"], 0);
    no_temporaries(&out);
}

#[test]
fn sigint_in_fit_ends_it_with_nothing_written() {
    // A history long enough to take seconds to read and fit.
    let dir = temp_dir("fit");
    let hist = dir.join("history.csv");
    let mut text = String::from("arrival,queue,outcome,wait,handle\n");
    for i in 0..1_500_000u64 {
        text.push_str(&format!("{},q,answered,{},{}\n", i, i % 7, 60 + i % 90));
    }
    std::fs::write(&hist, text).unwrap();
    let out = dir.join("out");
    let child = spawn_logged(&[
        "fit",
        hist.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (code, err) = interrupt(child, ("rows", 1));
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted: fit"), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn sigint_in_a_traced_run_marks_the_trace_and_the_story_partial() {
    let dir = temp_dir("trace");
    let sc = dir.join("long.toml");
    std::fs::write(&sc, LONG).unwrap();
    let out = dir.join("out");
    let child = spawn_logged(&[
        "run",
        sc.to_str().unwrap(),
        "--trace",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let (code, err) = interrupt(child, ("events", 3));
    assert_eq!(code, Some(130), "{err}");
    let trace = std::fs::read_to_string(out.join("trace.jsonl")).expect("trace written");
    let last: serde_json::Value = serde_json::from_str(trace.lines().last().unwrap()).unwrap();
    assert_eq!(last["kind"], "interrupted", "{last}");
    // The newest conversation the trace never closes was still live when the run stopped
    // (not simply the newest: on a loaded machine it may have closed before the stop).
    let lines: Vec<serde_json::Value> = trace
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let closed: std::collections::HashSet<u64> = lines
        .iter()
        .filter(|l| l["what"] == "closed")
        .filter_map(|l| l["conversation"].as_u64())
        .collect();
    let newest = lines
        .iter()
        .filter_map(|l| l["conversation"].as_u64())
        .filter(|c| !closed.contains(c))
        .max()
        .expect("a conversation live at the stop");
    let story = bin()
        .args(["explain", out.to_str().unwrap(), "--conversation"])
        .arg(newest.to_string())
        .output()
        .unwrap();
    assert_eq!(story.status.code(), Some(0));
    let story = String::from_utf8_lossy(&story.stdout);
    assert!(
        story
            .trim_end()
            .ends_with("its story is cut off, not ended"),
        "{story}"
    );
}

#[test]
fn sigint_in_staff_keeps_the_last_finished_round() {
    // Staffing a 30-day scenario (30-minute intervals): its verification takes minutes.
    let dir = temp_dir("staff");
    let sc = dir.join("long.toml");
    std::fs::write(&sc, LONG.replace("horizon = \"300d\"", "horizon = \"30d\"")).unwrap();
    let out = dir.join("out");
    let child = spawn_logged(&[
        "staff",
        sc.to_str().unwrap(),
        "--target",
        "service_level.fraction>=0.8",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let (code, err) = interrupt(child, ("events", 3));
    assert_eq!(code, Some(130), "{err}");
    assert!(
        err.contains("interrupted: the verification was interrupted"),
        "{err}"
    );
    // What was finished is written whole: the staffing per interval (the model's, or the last
    // finished round's), and the HTML that says it was interrupted; no roster, no temporaries.
    let csv = std::fs::read_to_string(out.join("staffing.csv")).expect("staffing.csv written");
    assert!(csv.lines().count() > 1000, "30 days of half hours");
    // Marked partial in the file itself, as an interrupted sweep's CSV (issue 25, twelfth
    // session): a last column `partial`, 1 on every row.
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .ends_with(",target_status,existing,target_ci95_half,reason,partial"));
    assert!(lines.all(|l| l.ends_with(",1")), "{csv}");
    let html = std::fs::read_to_string(out.join("staffing.html")).unwrap();
    assert!(html.contains("INTERRUPTED"), "marked in the report");
    assert!(!out.join("roster.csv").exists());
    no_temporaries(&out);
}
