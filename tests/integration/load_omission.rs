//! `omnisim load` cannot hide what the engine never applied (issue 12, items 6, 1, 2 and 3 in
//! load): an engine made too slow to keep up (every command busy-waits under the lock) leaves
//! due commands unapplied; they are counted (`offered = commands + unapplied`), enter the
//! latency histograms with their age at the end, mark the run partial and fail every latency
//! threshold. A figure with no data is `null` and fails its threshold with "no data"; a typo'd
//! threshold path is refused with a suggestion.
//!
//! The bounds asserted are logical ones: a command costs at least the injected delay, and an
//! arrival due before the end of `duration` that was never applied is at least `drain` old when
//! the run stops at its deadline.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use omnisim::load::{
    parse_ramp, parse_threshold, run, ArrivalSchedule, LoadOptions, LoadReport, ThresholdResult,
};

use super::load::{scenario, SERIAL};

/// Every command costs 100 µs under the lock: at most 10,000 commands a second of wall time.
const DELAY_US: u64 = 100;

fn overloaded(rate: f64, ramp: &str, thresholds: &[&str]) -> LoadReport {
    let _g = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    run(
        &scenario(),
        &LoadOptions {
            rate,
            ramp: if ramp.is_empty() {
                Vec::new()
            } else {
                parse_ramp(ramp).unwrap()
            },
            duration: Duration::from_millis(100),
            drain: Duration::from_millis(200),
            speed: 20_000.0,
            workers: 1,
            batch: 1,
            engine_delay: Duration::from_micros(DELAY_US),
            thresholds: thresholds
                .iter()
                .map(|t| parse_threshold(t).unwrap())
                .collect(),
            ..LoadOptions::default()
        },
    )
}

/// Arrivals the schedule makes due before the end of its duration, counted one by one.
fn due_arrivals(s: &ArrivalSchedule) -> u64 {
    (0..).take_while(|&i| s.due_ns(i).is_some()).count() as u64
}

/// The result of the threshold on `metric` given on the command line (the scenario's own
/// thresholds on `load.json` paths come first).
fn th<'a>(r: &'a LoadReport, metric: &str) -> &'a ThresholdResult {
    r.thresholds
        .iter()
        .rev()
        .find(|t| t.metric == metric)
        .unwrap()
}

/// The accounting every report must satisfy.
fn conserved(r: &LoadReport) {
    assert_eq!(r.offered, r.commands + r.unapplied);
    let applied: u64 = r.by_command.values().map(|c| c.count).sum();
    let unapplied: u64 = r.by_command.values().map(|c| c.unapplied).sum();
    assert_eq!((applied, unapplied), (r.commands, r.unapplied));
    let arrive = &r.by_command["arrive"];
    assert_eq!(r.driver.offered_arrivals, arrive.count + arrive.unapplied);
    assert_eq!(arrive.count, r.conversations.arrived);
}

#[test]
fn an_engine_that_falls_behind_reports_every_due_command() {
    // 1,000,000 arrivals/s for 0.1 s: 100,000 arrivals due; in 0.3 s of wall time the engine
    // can apply at most 3,000 commands.
    let r = overloaded(
        1_000_000.0,
        "",
        &[
            "latency_us.p99<=1e12",
            "by_command.abandon.latency_us.p99<=1",
            "invariant_violations<=0",
        ],
    );
    conserved(&r);
    assert_eq!(
        r.driver.offered_arrivals, 100_000,
        "every due arrival counted"
    );
    let wall_cap = (r.driver.wall_s + 0.001) * 1e6 / DELAY_US as f64;
    assert!(
        (r.commands as f64) <= wall_cap,
        "{} commands in {} s at ≥ {DELAY_US} µs each",
        r.commands,
        r.driver.wall_s
    );
    assert!(r.unapplied >= 100_000 - r.commands, "{}", r.unapplied);
    assert!(r.partial && !r.interrupted);
    assert!(r.sound(), "falling behind is not an unsound engine");
    // Over 1% of all due commands are unapplied arrivals, each at least `drain` (200 ms) old.
    assert!(r.by_command["arrive"].unapplied * 100 > r.offered);
    let p99 = r.latency_us.p99.unwrap();
    assert!(p99 >= 200_000, "p99 {p99} µs");
    let max = r.latency_us.max.unwrap();
    assert!(p99 <= max && r.latency_us.p999.unwrap() <= max);
    // A latency threshold cannot pass on a partial run, however loose.
    let t = th(&r, "latency_us.p99");
    assert!(!t.passed, "{t:?}");
    assert!(t.reason.as_deref().unwrap().starts_with("partial run"));
    // No abandon command in this scenario (no patience): no data, not 0.
    assert_eq!(
        r.by_command["abandon"].count + r.by_command["abandon"].unapplied,
        0
    );
    assert_eq!(r.by_command["abandon"].latency_us.p99, None);
    let t = th(&r, "by_command.abandon.latency_us.p99");
    assert_eq!((t.value, t.passed), (None, false));
    assert_eq!(t.reason.as_deref(), Some("no data"));
    let t = th(&r, "invariant_violations");
    assert!(t.passed, "a non-latency threshold is judged on its value");
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["by_command"]["abandon"]["latency_us"]["p99"].is_null());
    assert_eq!(json["unapplied"], r.unapplied);
    assert_eq!(json["offered"], r.offered);
    assert_eq!(json["partial"], true);
}

#[test]
fn ramp_stages_count_every_arrival_they_make_due() {
    // 0 → 200,000/s over 50 ms, then back to 0 over 50 ms: 5,000 + 5,000 arrivals (hand count).
    let r = overloaded(0.0, "50ms:200000,50ms:0", &[]);
    let s = ArrivalSchedule::new(0.0, &parse_ramp("50ms:200000,50ms:0").unwrap(), 0.1);
    let due = due_arrivals(&s);
    assert!((9_999..=10_001).contains(&due), "{due}");
    conserved(&r);
    assert_eq!(r.driver.offered_arrivals, due);
    assert!(r.unapplied > 0 && r.partial);
}

#[test]
fn an_interrupted_run_is_partial_and_counts_what_fell_due() {
    let _g = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let r = run(
        &scenario(),
        &LoadOptions {
            rate: 1000.0,
            duration: Duration::from_secs(30),
            speed: 20_000.0,
            stop: Some(Arc::new(AtomicBool::new(true))),
            thresholds: vec![parse_threshold("latency_us.max<=1e12").unwrap()],
            ..LoadOptions::default()
        },
    );
    assert!(r.interrupted && r.partial);
    conserved(&r);
    assert!(
        r.driver.offered_arrivals < 30_000,
        "only arrivals due by the stop"
    );
    assert!(!th(&r, "latency_us.max").passed);
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_omnisim"))
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("load-omission-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn scenario_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/load-1000.toml")
}

#[test]
fn unknown_threshold_paths_exit_2_naming_each_with_a_suggestion() {
    let d = tmp("typo");
    let out = bin()
        .arg("load")
        .arg(scenario_path())
        .args(["--rate", "10", "--duration", "10ms", "--quiet", "--out"])
        .arg(&d)
        .args(["--threshold", "latency_us.P99<=5"])
        .args(["--threshold", "by_command.abandn.count<=0"])
        .args(["--threshold", "latency_us.p99<=3"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("\"latency_us.P99\"") && err.contains("did you mean latency_us.p99?"),
        "{err}"
    );
    assert!(
        err.contains("did you mean by_command.abandon.count?"),
        "every problem at once: {err}"
    );
    assert!(
        !d.join("load.json").exists(),
        "nothing run, nothing written"
    );
}

#[test]
fn a_threshold_on_a_figure_with_no_data_fails_with_no_data() {
    let _g = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let d = tmp("nodata");
    let out = bin()
        .arg("load")
        .arg(scenario_path())
        .args(["--rate", "1000", "--duration", "50ms", "--speed", "20000"])
        .args(["--drain", "1s", "--out"])
        .arg(&d)
        .args(["--threshold", "by_command.abandon.latency_us.p99<=1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("by_command.abandon.latency_us.p99 = —"),
        "{err}"
    );
    assert!(err.contains("no data"), "{err}");
    assert!(stdout.contains("commands due"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("load.json")).unwrap()).unwrap();
    assert!(json["by_command"]["abandon"]["latency_us"]["p99"].is_null());
    let t = json["thresholds"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(t["metric"], "by_command.abandon.latency_us.p99");
    assert!(t["value"].is_null());
    assert_eq!(t["reason"], "no data");
}
