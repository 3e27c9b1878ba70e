//! Issue 12: figures without data, percentiles within the observed range, names users type,
//! service-level definitions and aligned windows — each with its hand-counted value.

use std::path::{Path, PathBuf};
use std::process::Command;

use omnisim::report::{self, Report};
use omnisim::scenario::{load_str, Scenario};
use omnisim::sim::{self, RunOptions};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_omnisim"))
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("figures-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn report(sc: &Scenario) -> Report {
    let out = sim::run(sc, &RunOptions::default(), &|_, _, _| {});
    Report::build(sc, &out)
}

/// Six chats, the only agent on shift after the horizon, patience 60 s: everybody abandons;
/// `tech` gets no arrival at all.
const NOBODY_ANSWERS: &str = r#"
[scenario]
name = "nobody-answers"
horizon = "1h"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "5m" }
patience = { dist = "constant", value = "60s" }

[[queues]]
name = "billing"
workstream = "chat"
arrivals = { times = ["0s", "5m", "10m", "15m", "20m", "25m"] }

[[queues]]
name = "tech"
workstream = "chat"

[[agent_groups]]
name = "late"
count = 1
capacity = 100
queues = ["billing", "tech"]
shift = { start = "23h", end = "24h" }

[[thresholds]]
metric = "wait_s.mean"
max = 30

[[thresholds]]
metric = "queues.billing.wait_s.p90"
max = 30

[[thresholds]]
metric = "abandonment_rate"
max = 1
"#;

#[test]
fn figures_without_data_are_null_and_fail_thresholds() {
    let sc = load_str(NOBODY_ANSWERS, "nobody-answers.toml").unwrap();
    let r = report(&sc);
    let s = &r.summary;
    assert_eq!((s.conversations.arrived, s.conversations.abandoned), (6, 6));
    let w = &s.wait_s;
    assert_eq!(
        (w.mean, w.p50, w.p90, w.p99, w.max),
        (None, None, None, None, None)
    );
    assert_eq!(
        s.service_level.fraction,
        Some(0.0),
        "6 abandoned, none in time"
    );
    assert_eq!(s.abandonment_rate, Some(1.0));
    let tech = &s.queues["tech"];
    assert_eq!((tech.wait_s.mean, tech.wait_s.p90), (None, None));
    assert_eq!(
        tech.service_level, None,
        "a queue with no arrivals has no service level"
    );
    assert_eq!(
        s.occupancy, None,
        "nobody was on shift while the run lasted"
    );
    let json = serde_json::to_value(s).unwrap();
    assert!(json["wait_s"]["mean"].is_null() && json["queues"]["tech"]["service_level"].is_null());
    let t: Vec<(bool, Option<f64>)> = s.thresholds.iter().map(|t| (t.passed, t.value)).collect();
    assert_eq!(t, [(false, None), (false, None), (true, Some(1.0))]);
    let text = report::terminal::render(&r);
    assert!(
        text.contains("mean (ASA) — · p50 — · p90 — · p99 — · max —"),
        "{text}"
    );
    assert!(text.contains("FAIL  wait_s.mean = no data"), "{text}");
    // CSV: empty cells, never 0.
    let series = String::from_utf8(report::csv::series(&r).unwrap()).unwrap();
    let tech_row = series.lines().find(|l| l.contains(",tech,")).unwrap();
    assert!(tech_row.contains(",tech,0,0,0,,,"), "{tech_row}");

    // The real binary exits 1 on the failed thresholds.
    let dir = tmp("nobody");
    let file = dir.join("s.toml");
    std::fs::write(&file, NOBODY_ANSWERS).unwrap();
    let out = bin()
        .args(["run", file.to_str().unwrap(), "--quiet", "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/summary.json")).unwrap())
            .unwrap();
    assert!(written["wait_s"]["p90"].is_null());
}

/// Ten chats at 0 s, one agent, constant 10 s: waits are exactly 0, 10, …, 90 s.
const TEN_AT_ONCE: &str = r#"
[scenario]
name = "ten-at-once"
horizon = "1m"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "10s" }

[[queues]]
name = "q"
workstream = "chat"
arrivals = { times = ["0s", "0s", "0s", "0s", "0s", "0s", "0s", "0s", "0s", "0s"] }

[[agent_groups]]
name = "a"
count = 1
capacity = 100
queues = ["q"]

[[thresholds]]
metric = "wait_s.p99"
max = 90
"#;

#[test]
fn no_percentile_exceeds_the_largest_wait() {
    let sc = load_str(TEN_AT_ONCE, "ten.toml").unwrap();
    let r = report(&sc);
    let w = &r.summary.wait_s;
    assert_eq!(w.max, Some(90.0));
    assert_eq!(w.p99, Some(90.0));
    assert_eq!(w.mean, Some(45.0));
    assert!(
        w.p50.unwrap() >= 40.0 && w.p50.unwrap() <= 40.04,
        "{:?}",
        w.p50
    );
    // Nearest rank: the 9th of 10 waits, 80 s, within HdrHistogram's 0.1%.
    let p90 = r.summary.queues["q"].wait_s.p90.unwrap();
    assert!((80.0..=80.08).contains(&p90), "{p90}");
    assert!(r.summary.thresholds[0].passed, "nobody waited over 90 s");
    // The 15-minute series never reads above the largest wait either.
    let p90 = r.series[0].wait_p90_s.unwrap();
    assert!(p90 <= 90.0, "{p90}");
}

/// One agent, constant 100 s handling; q2's customers never abandon, q1's leave after 10 s,
/// q3's after 40 s. Seven customers: c1 (0 s, q2) waits 0; c2 (90 s, q2) waits 10; c3 (150 s,
/// q1) abandons after 10 s; c4 (190 s, q2) waits 10; c5 (210 s, q3) and c6 (220 s, q3) abandon
/// after 40 s; c7 (260 s, q2) waits 40. So 4 answered (3 within 20 s) and 3 abandoned (1 within
/// 20 s).
fn service_level_scenario(extra: &str) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "sl-definitions"
horizon = "5m"
{extra}

[[workstreams]]
name = "impatient"
channel = "live_chat"
capacity_units = 100
handle_time = {{ dist = "constant", value = "100s" }}
patience = {{ dist = "constant", value = "10s" }}

[[workstreams]]
name = "patient"
channel = "live_chat"
capacity_units = 100
handle_time = {{ dist = "constant", value = "100s" }}

[[workstreams]]
name = "middling"
channel = "live_chat"
capacity_units = 100
handle_time = {{ dist = "constant", value = "100s" }}
patience = {{ dist = "constant", value = "40s" }}

[[queues]]
name = "q1"
workstream = "impatient"
arrivals = {{ times = ["150s"] }}

[[queues]]
name = "q2"
workstream = "patient"
arrivals = {{ times = ["0s", "90s", "190s", "260s"] }}

[[queues]]
name = "q3"
workstream = "middling"
arrivals = {{ times = ["210s", "220s"] }}

[[agent_groups]]
name = "a"
count = 1
capacity = 100
queues = ["q1", "q2", "q3"]
"#
    );
    load_str(&text, "sl.toml").unwrap()
}

#[test]
fn service_level_definitions_by_hand_count() {
    let fraction = |extra: &str| {
        let r = report(&service_level_scenario(extra));
        let c = &r.summary.conversations;
        assert_eq!((c.arrived, c.answered, c.abandoned), (7, 4, 3));
        (r.summary.service_level.fraction, r.summary)
    };
    let (default, s) = fraction("");
    assert_eq!(default, Some(3.0 / 7.0));
    assert_eq!(
        s.conversations.short_abandoned, None,
        "absent unless short_abandon is set"
    );
    assert_eq!(s.wait_s.max, Some(40.0));
    let (answered, s) = fraction("service_level_definition = \"answered\"");
    assert_eq!(answered, Some(0.75));
    assert_eq!(s.service_level.definition.as_deref(), Some("answered"));
    assert_eq!(
        fraction("service_level_definition = \"offered\"").0,
        Some(3.0 / 7.0)
    );
    let (short, s) = fraction("short_abandon = \"20s\"");
    assert_eq!(short, Some(0.5));
    assert_eq!(s.conversations.short_abandoned, Some(1));
    assert_eq!(s.abandonment_rate, Some(2.0 / 6.0));
    assert_eq!(s.queues["q1"].short_abandoned, Some(1));
    assert_eq!(
        s.queues["q1"].service_level, None,
        "its only conversation was a short abandon: no data"
    );
}

/// With a 30-minute warm-up and a constant 60 s handle time, every agent's busy time per
/// conversation in `agents.csv` is 60 s: both are counted after warm-up.
#[test]
fn agent_counts_and_busy_time_share_the_warm_up_window() {
    let text = r#"
[scenario]
name = "agents-window"
horizon = "3h"
warmup = "30m"
seed = 3

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "60s" }

[[queues]]
name = "q"
workstream = "chat"
arrivals = { times = ["10m", "20m", "40m", "50m", "70m", "100m", "130m", "160m"] }

[[agent_groups]]
name = "a"
count = 1
capacity = 100
queues = ["q"]
"#;
    let r = report(&load_str(text, "w.toml").unwrap());
    let a = &r.agents[0];
    assert_eq!(
        a.conversations, 6,
        "the two arrivals before warm-up are not counted"
    );
    assert_eq!(a.busy_s, 360.0);
    assert_eq!(r.summary.conversations.answered, 6);
    // summary.json's agent_groups (issue 24): the same window. The one agent holds its 100
    // units 6 × 60 s out of 100 units on shift from warm-up (1,800 s) to the end, so the
    // group's occupancy is 360 ÷ (end − 1,800), exactly the center's with one group.
    let g = &r.summary.agent_groups["a"];
    assert_eq!((g.conversations, g.busy_s), (6, 360.0));
    let end = r.summary.simulated_s;
    assert_eq!(g.occupancy, Some(360.0 / (end - 1800.0)));
    assert_eq!(g.occupancy, r.summary.occupancy);
    let reps = &r.summary.by_replication;
    assert_eq!(reps.len(), 1);
    assert_eq!(reps[0].agent_groups.as_ref().expect("listed")["a"], *g);
    assert_eq!(reps[0].conversations.answered, 6);
}

/// A name typed on the command line that matches nothing is an error (exit 2) naming it with a
/// suggestion, never silently ignored.
#[test]
fn typed_names_that_match_nothing_exit_2_with_a_suggestion() {
    let dir = tmp("names");
    let base = dir.join("base.json");
    let cur = dir.join("cur.json");
    std::fs::write(
        &base,
        r#"{"format":"omnisim.summary/1","wait_s":{"p90":10.0}}"#,
    )
    .unwrap();
    std::fs::write(
        &cur,
        r#"{"format":"omnisim.summary/1","wait_s":{"p90":11.42}}"#,
    )
    .unwrap();
    let run = |tol_for: &str| {
        bin()
            .args(["compare"])
            .arg(&base)
            .arg(&cur)
            .args(["--tolerance", "20%", "--tolerance-for", tol_for])
            .output()
            .unwrap()
    };
    let ok = run("wait_s.p90=10%");
    assert_eq!(
        ok.status.code(),
        Some(1),
        "the regression (+14.2%) is found"
    );
    let typo = run("wait_s.P90=10%");
    assert_eq!(typo.status.code(), Some(2));
    let err = String::from_utf8_lossy(&typo.stderr);
    assert!(
        err.contains("\"wait_s.P90\"") && err.contains("did you mean \"wait_s.p90\""),
        "{err}"
    );

    // sweep: a misspelt target metric and a misspelt group name.
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, TEN_AT_ONCE).unwrap();
    let sweep = |vary: &str, target: &str| {
        bin()
            .args([
                "sweep",
                scenario.to_str().unwrap(),
                "--quiet",
                "--vary",
                vary,
            ])
            .args(["--target", target, "--out"])
            .arg(dir.join("sweep"))
            .output()
            .unwrap()
    };
    let out = sweep("agent_groups.a.count=1..2", "wait_s.p9O<=60");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean \"wait_s.p90\""), "{err}");
    let out = sweep("agent_groups.b.count=1..2", "wait_s.p90<=60");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean \"a\""), "{err}");
}
