//! Issue 25, sixteenth session (branch `fixe-16`): a sweep's target search decides each point
//! at a stated precision. A point whose 95 % interval reaches the target (a grid point up to
//! the first one meeting it, or a bisection step) is run again at doubled replications until
//! the interval decides, or at 128 (`sweep::MAX_REFINED_REPLICATIONS`) is "too close to call".
//! Before, the search decided on the estimate of whatever replications the sweep ran (a fresh
//! tester: `sweep bank-day.toml … --target service_level.fraction>=0.8` answered 291 at
//! 0.8065 ±0.0156, "met", its interval reaching 0.791).

use std::collections::HashMap;

use serde_json::Value;

use crate::procs::{csv_rows, json, run_in, temp_dir, text};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `sweep ci-smoke.toml --vary agent_groups.agent.count=RANGE --target TARGET --replications
/// REPS --out OUT` in `dir`: exit code, stdout, sweep.csv rows and target.json.
fn sweep(
    dir: &std::path::Path,
    range: &str,
    target: &str,
    reps: &str,
    out: &str,
) -> (Option<i32>, String, Vec<HashMap<String, String>>, Value) {
    let scenario = format!("{ROOT}/scenarios/ci-smoke.toml");
    let vary = format!("agent_groups.agent.count={range}");
    let o = run_in(
        dir,
        &[
            "sweep",
            &scenario,
            "--vary",
            &vary,
            "--target",
            target,
            "--replications",
            reps,
            "--out",
            out,
        ],
    );
    let csv = std::fs::read_to_string(dir.join(out).join("sweep.csv"))
        .unwrap_or_else(|e| panic!("{e}: {}", text(&o.stderr)));
    let rows = csv_rows(&csv);
    let t = json(&dir.join(out).join("target.json"));
    (o.status.code(), text(&o.stdout), rows, t)
}

fn f(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {row:?}"))
}

/// The points the answer rests on (the answer and the largest value below it), each decided
/// by its interval or run at 128 replications.
fn assert_decided(rows: &[HashMap<String, String>], t: &Value, goal: f64, stdout: &str) {
    let key = "agent_groups.agent.count";
    let answer = t["values"][key].as_f64().expect("an answer");
    let below = rows
        .iter()
        .filter(|r| f(r, key) < answer)
        .max_by(|a, b| f(a, key).total_cmp(&f(b, key)));
    let at = rows.iter().find(|r| f(r, key) == answer).unwrap();
    for r in [Some(at), below].into_iter().flatten() {
        let (x, h, n) = (
            f(r, "target_value"),
            f(r, "target_ci95_half"),
            f(r, "target_replications"),
        );
        assert!(
            (x - goal).abs() > h || n == 128.0,
            "{key}={} decided on {x} ±{h} at {n} replications\n{stdout}",
            f(r, key)
        );
    }
}

/// The tester's kind on the bundled smoke scenario: at 3 replications 5 agents read 0.5051
/// ±0.0741 against 0.5 (an interval reaching the target). The point is run again at doubled
/// replications until it decides; the answer line, `sweep.csv` (`target_replications`) and
/// `target.json` (`refined`) say so.
#[test]
fn a_grid_point_whose_interval_reaches_the_target_gets_more_replications() {
    let dir = temp_dir("fixe16-grid");
    let (code, stdout, rows, t) = sweep(&dir, "4..5", "service_level.fraction>=0.5", "3", "g");
    assert_eq!(code, Some(0), "{stdout}");
    let five = rows
        .iter()
        .find(|r| r["agent_groups.agent.count"] == "5")
        .unwrap();
    let n = f(five, "target_replications");
    assert!(n > 3.0, "{stdout}");
    assert_eq!(rows[0]["target_replications"], "3", "{rows:?}");
    assert_eq!(t["refined"][0]["replications"].as_f64(), Some(n), "{t}");
    assert!(
        stdout.contains("more replications where an interval reached the target: agent_groups.agent.count=5 at "),
        "{stdout}"
    );
    assert_decided(&rows, &t, 0.5, &stdout);
}

/// Variants: bisection steps between grid values are refined the same way, for targets across
/// the range, `>=` and `<=`; every decision the answer rests on is decided by its interval or
/// made at 128 replications, and then said to be too close to call.
#[test]
fn every_decision_of_the_search_is_made_at_a_stated_precision() {
    let dir = temp_dir("fixe16-bisect");
    for (i, goal) in [0.6, 0.7, 0.8, 0.9].into_iter().enumerate() {
        let target = format!("service_level.fraction>={goal}");
        let (code, stdout, rows, t) = sweep(&dir, "2..12:5", &target, "3", &format!("b{i}"));
        assert_eq!(code, Some(0), "{stdout}");
        assert_decided(&rows, &t, goal, &stdout);
        let capped = rows.iter().any(|r| r["target_replications"] == "128");
        if t["within_noise"].is_string() {
            assert!(capped, "{t}");
            assert!(
                stdout.contains("too close to call at 128 replications"),
                "{stdout}"
            );
        }
    }
    let (code, stdout, rows, t) = sweep(&dir, "2..12:5", "wait_s.mean<=20", "3", "w");
    assert_eq!(code, Some(0), "{stdout}");
    assert_decided(&rows, &t, 20.0, &stdout);
}

/// At 128 replications nothing is doubled: a target set at the point's own figure is too close
/// to call, said so, with no point refined.
#[test]
fn at_the_cap_a_point_is_too_close_to_call() {
    let dir = temp_dir("fixe16-cap");
    let (_, _, rows, _) = sweep(&dir, "5..5", "service_level.fraction>=0", "128", "probe");
    let x = f(&rows[0], "service_level.fraction");
    let target = format!("service_level.fraction>={}", x + 1e-9);
    let (code, stdout, rows, t) = sweep(&dir, "5..5", &target, "128", "cap");
    assert_eq!(code, Some(1), "{stdout}");
    assert_eq!(rows[0]["target_replications"], "128", "{rows:?}");
    assert_eq!(t["best"]["verdict"], "within_noise", "{t}");
    assert!(
        stdout.contains("too close to call at 128 replications"),
        "{stdout}"
    );
    assert_eq!(t["refined"], serde_json::json!([]), "{t}");
}
