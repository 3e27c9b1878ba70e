//! Issue 25, fifteenth session ("decisions are made at a stated precision"): `staff` called an
//! interval met on its estimate alone, with a 95% interval still reaching the target (a
//! tester's `wait_s.p90<=20` at ±20.03), and stopped doubling the replications; a `sweep` with
//! replications and no value meeting its target said nothing of the noise at its best point.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::procs::{csv_rows as rows, json, run_in, temp_dir, text};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `omnisim staff SCENARIO --target TARGET EXTRA… --replications 10 --out OUT` in `dir`: its
/// stdout and `staffing.csv`'s rows.
fn staff_with(
    dir: &Path,
    scenario: &str,
    target: &str,
    extra: &[&str],
    out: &str,
) -> (String, Vec<HashMap<String, String>>) {
    let mut args = vec!["staff", scenario, "--target", target];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--replications", "10", "--out", out]);
    let o = run_in(dir, &args);
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&o.stderr)
    );
    let csv = std::fs::read_to_string(dir.join(out).join("staffing.csv")).unwrap();
    (text(&o.stdout), rows(&csv))
}

/// [`staff_with`] without extra options.
fn staff(
    dir: &Path,
    scenario: &str,
    target: &str,
    out: &str,
) -> (String, Vec<HashMap<String, String>>) {
    staff_with(dir, scenario, target, &[], out)
}

fn num(row: &HashMap<String, String>, col: &str) -> Option<f64> {
    row.get(col)
        .unwrap_or_else(|| panic!("no {col}: {row:?}"))
        .parse()
        .ok()
}

/// Every `met` row's interval clears the target: `target_value` ± `target_ci95_half` on the
/// target's side (and for a service level, `service_level_ci_low` at least the target);
/// rows too close to call are "not confirmed" at the replications reached, never "met".
fn assert_met_rows_clear(
    target: &str,
    at_least: bool,
    bound: f64,
    out: &str,
    rows: &[HashMap<String, String>],
) {
    let met: Vec<_> = rows
        .iter()
        .filter(|r| r["target_status"] == "met")
        .collect();
    assert!(!met.is_empty(), "{target}: some row met\n{out}");
    for r in &met {
        if target.starts_with("service_level") {
            let low = num(r, "service_level_ci_low").expect("an interval");
            assert!(
                low >= bound - 1e-9,
                "{target}: met at ci_low {low}: {r:?}\n{out}"
            );
        }
        let v = num(r, "target_value").expect("a value");
        let h = num(r, "target_ci95_half").expect("a half-width");
        let clears = if at_least {
            v - h >= bound
        } else {
            v + h <= bound
        };
        assert!(clears, "{target}: met at {v} ±{h}: {r:?}\n{out}");
    }
    for r in rows
        .iter()
        .filter(|r| r["target_status"] == "not_confirmed")
    {
        let start = &r["interval_start"];
        assert!(
            out.contains("too close to call at 128 replications"),
            "{target}: {start} not confirmed below 128 replications\n{out}"
        );
    }
}

/// The tester's kind on the bundled staffing-peak day: at 10 replications a service level of
/// 0.8 and a p90 wait of 20 s were "met" in rows whose interval reached the target (0.76 to
/// 0.99 around 0.88; the p90's "Precision reached: ±33.7"). Now every met row's interval
/// clears the target, and the rows that cannot be told at 128 replications say so.
#[test]
fn staff_meets_an_interval_only_when_its_interval_clears_the_target() {
    let dir = temp_dir("fixb15-staff");
    let peak = format!("{ROOT}/scenarios/staffing-peak.toml");
    let (out, r) = staff(&dir, &peak, "service_level.fraction>=0.8", "sl");
    assert_met_rows_clear("service_level.fraction>=0.8", true, 0.8, &out, &r);
    let (out, r) = staff(&dir, &peak, "wait_s.p90<=20", "p90");
    assert_met_rows_clear("wait_s.p90<=20", false, 20.0, &out, &r);
}

/// A variant of its own: an abandonment target (the day with customers' patience), and a mean
/// wait, decided the same way.
#[test]
fn staff_abandonment_and_mean_wait_targets_are_decided_alike() {
    let dir = temp_dir("fixb15-staff-ab");
    let body = std::fs::read_to_string(format!("{ROOT}/scenarios/staffing-peak.toml"))
        .unwrap()
        .replace(
            "handle_time = { dist = \"exponential\", mean = \"20m\" }",
            "handle_time = { dist = \"exponential\", mean = \"20m\" }\n\
             patience = { dist = \"exponential\", mean = \"2m\" }",
        );
    std::fs::write(dir.join("patient.toml"), body).unwrap();
    let (out, r) = staff(&dir, "patient.toml", "abandonment_rate<=0.05", "ab");
    assert_met_rows_clear("abandonment_rate<=0.05", false, 0.05, &out, &r);
    let (out, r) = staff(&dir, "patient.toml", "wait_s.mean<=20", "mean");
    assert_met_rows_clear("wait_s.mean<=20", false, 20.0, &out, &r);
}

/// `sweep ci-smoke.toml --vary agent_groups.agent.count=RANGE --target TARGET --replications 3`
/// in `dir`: the answer line and `target.json`.
fn sweep(dir: &Path, range: &str, target: &str, out: &str) -> (String, Value) {
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
            "3",
            "--out",
            out,
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "nothing meets: {}",
        text(&o.stderr)
    );
    let stdout = text(&o.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("no value in the sweep meets"))
        .unwrap_or_else(|| panic!("{stdout}"))
        .to_string();
    (line, json(&dir.join(out).join("target.json")))
}

/// The tester's kind: with 3 replications and no value meeting the target, the sweep said
/// only "no value in the sweep meets …" (at 1 replication it says "no margin"). Now the best
/// point's verdict is in the answer line and `target.json` (`best`): a clear miss (its 95%
/// interval wholly below the target: `within_noise` null) or within the noise (an interval
/// reaching the target: `within_noise` the same sentence), with the replications it rests on.
#[test]
fn a_sweep_meeting_nothing_says_whether_its_best_point_misses_clearly() {
    let dir = temp_dir("fixb15-sweep");
    // 2 to 5 agents stay far below a service level of 0.8.
    let (line, t) = sweep(&dir, "2..5", "service_level.fraction>=0.8", "far");
    assert!(
        line.contains("; best point misses clearly: at agent_groups.agent.count=5 "),
        "{line}"
    );
    assert!(line.contains("(95%, 3 replications)"), "{line}");
    let best = &t["best"];
    assert_eq!(best["verdict"], "misses_clearly", "{t}");
    assert_eq!(best["values"]["agent_groups.agent.count"], 5.0, "{t}");
    assert_eq!(best["replications"], 3, "{t}");
    let (x, h) = (
        best["metric_value"].as_f64().unwrap(),
        best["metric_ci95_half"].as_f64().unwrap(),
    );
    assert!(x + h < 0.8, "{t}");
    assert!(
        t["within_noise"].is_null() && t.get("no_margin").is_none(),
        "{t}"
    );
    assert!(
        line.ends_with(best["sentence"].as_str().unwrap()),
        "{line}\n{t}"
    );

    // A variant: a target of 0.6, which 5 agents miss on their estimate but not on their
    // interval at 3 replications (they spread widely). Since branch fixe-16 the search doubles
    // that point's replications until its interval decides (or 128): a clear miss then, or
    // within the noise only at the cap, never on 3 replications.
    let (line, t) = sweep(&dir, "4..5", "service_level.fraction>=0.6", "near");
    let best = &t["best"];
    let reps = best["replications"].as_u64().unwrap();
    assert!(reps > 3, "{line}\n{t}");
    let (x, h) = (
        best["metric_value"].as_f64().unwrap(),
        best["metric_ci95_half"].as_f64().unwrap(),
    );
    if best["verdict"] == "within_noise" {
        assert_eq!(reps, 128, "{t}");
        assert!(x < 0.6 && x + h >= 0.6, "{t}");
        assert!(
            line.contains("too close to call at 128 replications"),
            "{line}"
        );
        assert_eq!(t["within_noise"], best["sentence"], "{t}");
    } else {
        assert_eq!(best["verdict"], "misses_clearly", "{t}");
        assert!(x + h < 0.6, "{t}");
        assert!(
            line.contains("; best point misses clearly: at agent_groups.agent.count=5 "),
            "{line}"
        );
    }
    assert_eq!(t["refined"][0]["replications"], reps, "{t}");

    // A `<=` target: the best point is the smallest figure, judged on the same rule.
    let (line, t) = sweep(&dir, "2..4", "wait_s.mean<=10", "wait");
    let best = &t["best"];
    assert_eq!(best["values"]["agent_groups.agent.count"], 4.0, "{t}");
    let (x, h) = (
        best["metric_value"].as_f64().unwrap(),
        best["metric_ci95_half"].as_f64().unwrap(),
    );
    let verdict = if x - h <= 10.0 {
        "within_noise"
    } else {
        "misses_clearly"
    };
    assert_eq!(best["verdict"], verdict, "{line}\n{t}");
}

/// `staff` with the bundled shifts and 30% shrinkage on staffing-peak with its arrival profile
/// replaced by `profile`: stdout and `staffing.csv`'s rows.
fn staff_roster(
    dir: &Path,
    profile: &str,
    target: &str,
    out: &str,
) -> (String, Vec<HashMap<String, String>>) {
    let body = std::fs::read_to_string(format!("{ROOT}/scenarios/staffing-peak.toml"))
        .unwrap()
        .replace(
            r#"[["0h", "30/h"], ["2h", "240/h"], ["3h30m", "30/h"]]"#,
            profile,
        );
    assert!(body.contains(profile));
    let file = format!("{out}.toml");
    std::fs::write(dir.join(&file), body).unwrap();
    let shifts = format!("{ROOT}/scenarios/shifts/day.toml");
    staff_with(
        dir,
        &file,
        target,
        &["--shifts", &shifts, "--shrinkage", "30%"],
        out,
    )
}

/// Asserts that the intervals starting at `quiet` (seconds, with their labels) are "not
/// measured" in both the verification (`target_status`) and the roster check, which names
/// none of them among its misses or too-close intervals.
fn assert_quiet_unmeasured(out: &str, rows: &[HashMap<String, String>], quiet: &[(&str, &str)]) {
    for (start, label) in quiet {
        let row = rows.iter().find(|r| r["interval_start"] == *start).unwrap();
        assert_eq!(
            row["target_status"], "not_measured",
            "{start}: {row:?}\n{out}"
        );
        for line in out.lines().filter(|l| l.starts_with("roster check")) {
            assert!(
                !line.contains(&format!("{label} ")),
                "{label} judged: {line}\n{out}"
            );
        }
    }
    let count = format!("{} intervals of 16 not measured", quiet.len());
    let check: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("roster check ("))
        .collect();
    assert!(check.len() == 1 && check[0].contains(&count), "{out}");
}

/// The tester's kind: arrivals stop at 7h. The roster check called 7:00 a clear miss ("7:00
/// 0.0000 ±0.0000": a backlog, which nobody rostered drained, answered late there) and 7:30
/// too close to call, while the verification called both "not measured". An interval with no
/// arrivals has no service level to measure: both now read it "not measured", and the backlog
/// served there counts in the interval its customers arrived in (the last with arrivals).
#[test]
fn an_interval_without_arrivals_is_not_measured_in_the_check_either() {
    let dir = temp_dir("fixb15-quiet");
    let (out, r) = staff_roster(
        &dir,
        r#"[["0h", "30/h"], ["2h", "240/h"], ["3h30m", "30/h"], ["7h", "0/h"]]"#,
        "service_level.fraction>=0.8",
        "stop7",
    );
    assert_quiet_unmeasured(&out, &r, &[("25200", "7:00"), ("27000", "7:30")]);
    // A variant of its own: a quiet hour mid-day, and a mean-wait target.
    let (out, r) = staff_roster(
        &dir,
        r#"[["0h", "30/h"], ["2h", "240/h"], ["3h30m", "30/h"], ["5h", "0/h"], ["6h", "30/h"]]"#,
        "wait_s.mean<=30",
        "gap5",
    );
    assert_quiet_unmeasured(&out, &r, &[("18000", "5:00"), ("19800", "5:30")]);
}
