//! Interruption: a real SIGINT or SIGTERM sent to the real binary in the middle of a long run
//! makes it stop at once (a block or two of 4,096 events on each thread after the
//! signal, counted in the work log: no wall-clock bound) with exit code 130, leaving a parseable
//! `summary.json` marked `"partial": true` and no temporary file (every report file is written
//! to a temporary name and renamed into place).

use std::path::Path;
use std::process::Child;

use crate::procs::{self, kill, temp_dir, wait_ended, WorkLog};

/// A scenario that runs for minutes: 300 days at one arrival a second (about 26 million
/// conversations, well inside the size limits).
pub(crate) const LONG: &str = r#"
[scenario]
name = "long-run"
horizon = "300d"
seed = 1

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 50
handle_time = { dist = "exponential", mean = "2m" }

[[queues]]
name = "q"
workstream = "chat"
arrivals = { rate = "1/s" }

[[agent_groups]]
name = "a"
count = 300
capacity = 100
queues = ["q"]
"#;

fn spawn(dir: &Path) -> (Child, WorkLog) {
    let scenario = dir.join("long.toml");
    std::fs::write(&scenario, LONG).expect("write scenario");
    let out = dir.join("out");
    procs::spawn_logged(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ])
}

fn interrupt_with(signal: &str, tag: &str) {
    let dir = temp_dir(tag);
    let (mut child, log) = spawn(&dir);
    // Into the run: a few blocks of 4,096 events simulated.
    assert!(
        log.wait_for(&mut child, "events", 3),
        "the long run ended before the signal"
    );
    kill(signal, child.id());
    let status = wait_ended(&mut child);
    assert_eq!(status.code(), Some(130), "{signal}: exit status {status:?}");
    log.assert_stopped_within(signal, &[("events", procs::events_after())]);

    let out = dir.join("out");
    let text = std::fs::read_to_string(out.join("summary.json")).expect("summary.json written");
    let summary: serde_json::Value = serde_json::from_str(&text).expect("summary.json parses");
    assert_eq!(summary["partial"], serde_json::Value::Bool(true));
    // Issue 25: a partial summary says how many replications ran to their end (none of this
    // 300-day run's did), beside the count asked for.
    assert_eq!(
        summary["replications_finished"],
        serde_json::json!(0),
        "{text}"
    );
    assert!(summary["replications"].as_u64().is_some_and(|r| r >= 1));
    assert!(
        summary["conversations"]["arrived"]
            .as_u64()
            .expect("arrived")
            > 0
    );
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("out dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.iter().all(|n| !n.contains(".tmp")),
        "temporary files left: {names:?}"
    );
    for f in omnisim::report::FILES {
        assert!(names.iter().any(|n| n == f), "{f} missing: {names:?}");
    }
    // The CSV files mark themselves partial too (issue 25, twelfth session): a last column
    // `partial`, 1 on every row, as an interrupted sweep's `sweep.csv`.
    for f in ["series.csv", "agents.csv"] {
        let csv = std::fs::read_to_string(out.join(f)).expect("written");
        let mut lines = csv.lines();
        assert!(lines.next().unwrap().ends_with(",partial"), "{f}: {csv}");
        let rows: Vec<&str> = lines.collect();
        assert!(
            !rows.is_empty() && rows.iter().all(|l| l.ends_with(",1")),
            "{f}: {csv}"
        );
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn sigint_stops_the_run_with_a_partial_summary() {
    interrupt_with("-INT", "int");
}

#[test]
fn sigterm_stops_the_run_with_a_partial_summary() {
    interrupt_with("-TERM", "term");
}

/// The load driver likewise: SIGINT during a 30-second load run stops it at once (its stop watcher
/// looks at most once more after the signal; one that ignored it would look every 20 ms to the
/// end), writes `load.json` marked partial (invariants and conservation still checked on the final
/// engine) and exits 130.
#[test]
fn sigint_stops_a_load_run_with_a_partial_load_json() {
    let dir = temp_dir("load");
    let scenario = dir.join("long.toml");
    std::fs::write(&scenario, LONG).expect("write scenario");
    let out = dir.join("out");
    let (mut child, log) = procs::spawn_logged(&[
        "load",
        scenario.to_str().expect("utf-8 path"),
        "--rate",
        "2000",
        "--duration",
        "30s",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    // Into the load: its stop watcher has looked a few times (every 20 ms).
    assert!(
        log.wait_for(&mut child, "load", 5),
        "the load run ended early"
    );
    kill("-INT", child.id());
    let status = wait_ended(&mut child);
    assert_eq!(status.code(), Some(130), "exit status {status:?}");
    log.assert_stopped_within("load", &[("load", 1)]);
    let text = std::fs::read_to_string(dir.join("out/load.json")).expect("load.json written");
    let report: serde_json::Value = serde_json::from_str(&text).expect("load.json parses");
    assert_eq!(report["partial"], serde_json::Value::Bool(true));
    assert_eq!(report["invariant_violations"], 0);
    assert_eq!(report["conservation_ok"], serde_json::Value::Bool(true));
    assert!(
        report["conversations"]["arrived"]
            .as_u64()
            .expect("arrived")
            > 0
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// A whole run's summary has no `replications_finished` (the key is only for partial runs, so
/// whole runs' summaries are what they were).
#[test]
fn a_whole_run_has_no_replications_finished() {
    let dir = temp_dir("whole");
    let scenario = dir.join("short.toml");
    std::fs::write(&scenario, LONG.replace("300d", "10m")).expect("write scenario");
    let status = procs::bin()
        .args(["run", &scenario.display().to_string(), "--quiet", "--out"])
        .arg(dir.join("out"))
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(0));
    let text = std::fs::read_to_string(dir.join("out/summary.json")).expect("summary.json");
    let summary: serde_json::Value = serde_json::from_str(&text).expect("parses");
    assert_eq!(summary["partial"], serde_json::Value::Bool(false));
    assert!(summary.get("replications_finished").is_none(), "{text}");
}
