//! A fourteenth fresh tester, small wrong or misleading messages: `run --dashboard-from`
//! beyond the horizon accepted without a word; a name with a control character reported again
//! as unknown at each reference; `explain` of a one-replication trace asking for replication 1.

use std::path::Path;

use crate::procs::{code_and_stderr, run_in, temp_dir, text};

/// `run --dashboard-from 10h` on a 2h horizon drew an empty dashboard without a word. Now it
/// is refused (exit 2) naming the horizon, as `--trace-replication` beyond the run is, and
/// before anything is simulated.
#[test]
fn a_dashboard_window_after_the_horizon_is_refused() {
    let dir = temp_dir("t14-dash-from");
    let sc = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ci-smoke.toml");
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "run",
            sc.to_str().expect("utf-8 path"),
            "--dashboard-from",
            "10h",
            "--out",
            "r",
            "--quiet",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--dashboard-from \"10h\""), "{err}");
    assert!(err.contains("before the horizon (2h)"), "{err}");
    assert!(!dir.join("r").join("summary.json").exists());
}

/// A queue named with a control character (`"a\u0007b"`) gave its own error and, besides,
/// "unknown queue … none are defined" at each reference to it (the agent group's and the
/// supervisor's). Now one error for the bad name, none for the references.
#[test]
fn a_name_with_a_control_character_is_reported_once() {
    let dir = temp_dir("t14-bell");
    let sc = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ci-smoke.toml");
    let text = std::fs::read_to_string(sc)
        .expect("ci-smoke")
        .replace("\"support\"", "\"a\\u0007b\"");
    std::fs::write(dir.join("bell.toml"), text).expect("write");
    let (code, err) = code_and_stderr(&dir, &["run", "bell.toml", "--quiet"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.matches("control character U+0007").count(), 1, "{err}");
    assert!(!err.contains("unknown queue"), "{err}");
}

/// `explain` on a `--trace-replication 3` trace without `--replication` failed ("replication 1
/// is not in the trace; it holds replication 3 only"). Now it tells the story of the trace's
/// only replication, its header naming it.
#[test]
fn explain_uses_the_only_replication_of_a_trace() {
    let dir = temp_dir("t14-only-rep");
    let sc = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ci-smoke.toml");
    let o = run_in(
        &dir,
        &[
            "run",
            sc.to_str().expect("utf-8 path"),
            "--replications",
            "3",
            "--trace",
            "--trace-replication",
            "3",
            "--out",
            "r",
            "--quiet",
        ],
    );
    assert!(dir.join("r/trace.jsonl").exists(), "{}", text(&o.stderr));
    let o = run_in(&dir, &["explain", "r", "--conversation", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).starts_with("Conversation 1, replication 3:"),
        "{}",
        text(&o.stdout)
    );
    // Asked for, a replication not in the trace is still an error.
    let o = run_in(
        &dir,
        &["explain", "r", "--conversation", "1", "--replication", "1"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}
