//! Issue 25, sixteenth session: `staff --group G` asked for agents in hours when G's queues are
//! closed. The offered load counted every queue's arrivals at every hour, ignoring operating
//! hours and the `out_of_hours` rules that send a closed queue's traffic to another queue (or
//! end it); the verification read conversations a closed queue ended at once as arrivals to
//! judge. Now each interval counts the traffic that can enter the group's queues then, an
//! interval it cannot reach needs 0 agents and says why (`reason` closed / no_traffic, no
//! Erlang figure), and a not-measured interval that keeps the model's figure is marked.

use std::collections::HashMap;
use std::path::Path;

use crate::procs::{csv_rows as rows, run_in, temp_dir, text};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `omnisim staff SCENARIO --target TARGET EXTRA… --replications 10 --out OUT` in `dir`: its
/// exit code, stdout and `staffing.csv`'s rows.
fn staff(
    dir: &Path,
    scenario: &str,
    target: &str,
    extra: &[&str],
    out: &str,
) -> (Option<i32>, String, Vec<HashMap<String, String>>) {
    let mut args = vec!["staff", scenario, "--target", target];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--replications", "10", "--out", out]);
    let o = run_in(dir, &args);
    let stdout = text(&o.stdout);
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{stdout}{}",
        text(&o.stderr)
    );
    let csv = std::fs::read_to_string(dir.join(out).join("staffing.csv")).unwrap();
    (o.status.code(), stdout, rows(&csv))
}

fn cell<'a>(row: &'a HashMap<String, String>, col: &str) -> &'a str {
    row.get(col)
        .unwrap_or_else(|| panic!("no column {col}: {row:?}"))
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    cell(row, col)
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {row:?}"))
}

/// The hour an interval starts at (`interval_start` in seconds; no calendar).
fn hour(row: &HashMap<String, String>) -> f64 {
    num(row, "interval_start") / 3600.0
}

/// Asserts that `row` is a closed interval: 0 agents, no arrivals, no Erlang figure.
fn assert_closed(row: &HashMap<String, String>, out: &str) {
    assert_eq!(cell(row, "required"), "0", "{row:?}\n{out}");
    assert_eq!(cell(row, "model"), "0", "{row:?}");
    assert_eq!(cell(row, "reason"), "closed", "{row:?}");
    assert_eq!(cell(row, "erlang_c"), "", "{row:?}");
    assert_eq!(num(row, "arrival_rate_per_h"), 0.0, "{row:?}");
    assert_ne!(cell(row, "target_status"), "met", "{row:?}");
}

/// The tester's example: `general` (the bilingual group's only queue) is open 08–20; outside,
/// its traffic is transferred to `after-hours`. Before: 2–3 agents required every night
/// interval, at 20–30 arrivals/h counted for the group. Now 0 with the reason, no Erlang
/// figure, and the day rows as before (traffic, agents).
#[test]
fn the_bilingual_group_needs_no_agent_while_general_is_closed() {
    let dir = temp_dir("fixb16-bilingual");
    let sc = format!("{ROOT}/scenarios/bilingual-support.toml");
    let (code, out, r) = staff(
        &dir,
        &sc,
        "service_level.fraction>=0.8",
        &["--group", "bilingual"],
        "b",
    );
    assert_eq!(r.len(), 48, "{out}");
    for row in &r {
        let h = hour(row);
        if !(8.0..20.0).contains(&h) {
            assert_closed(row, &out);
        } else {
            assert_eq!(cell(row, "reason"), "", "{row:?}");
            assert!(num(row, "arrival_rate_per_h") > 100.0, "{row:?}");
            assert!(cell(row, "erlang_c").parse::<u32>().is_ok(), "{row:?}");
        }
    }
    assert!(
        out.contains(
            "closed: 24 intervals of 48 (0:00–7:30, 20:00–23:30): general: out of hours, sent \
             to after-hours; no conversation reaches group bilingual there"
        ),
        "{out}"
    );
    assert!(!out.contains("CANNOT"), "{out}");
    assert_eq!(code, Some(0), "{out}");
}

/// The same traffic counted for the group that receives it: `night` works `after-hours` and
/// `vip`. At night it gets general's standard conversations (18/h at 0:00) as well as the VIP
/// ones (2/h); by day only the VIP ones (22/h at 12:00). Before: 2/h at night (after-hours
/// has no arrivals of its own, so its transferred traffic was counted nowhere).
#[test]
fn after_hours_traffic_counts_for_the_group_working_after_hours() {
    let dir = temp_dir("fixb16-night");
    let sc = format!("{ROOT}/scenarios/bilingual-support.toml");
    let (_, out, r) = staff(
        &dir,
        &sc,
        "service_level.fraction>=0.8",
        &["--group", "night"],
        "n",
    );
    let rate = |h: f64| {
        let row = r.iter().find(|x| hour(x) == h).unwrap();
        num(row, "arrival_rate_per_h")
    };
    assert!((rate(0.0) - 20.0).abs() < 1e-6, "{}\n{out}", rate(0.0));
    assert!((rate(21.0) - 30.0).abs() < 1e-6, "{}", rate(21.0));
    assert!((rate(12.0) - 22.0).abs() < 1e-6, "{}", rate(12.0));
    assert!(r.iter().all(|x| cell(x, "reason").is_empty()), "{out}");
    let night: u32 = r
        .iter()
        .filter(|x| hour(x) < 7.0)
        .map(|x| cell(x, "required").parse::<u32>().unwrap())
        .max()
        .unwrap();
    assert!(night >= 1, "{out}");
}

/// A variant: one queue open 09:00–12:00 in a 24-hour day, whose `out_of_hours` rule ends what
/// arrives outside (no queue to overflow to). Before: agents required around the clock for
/// 60 arrivals/h; with a wait target, the conversations ended at once read as customers
/// nobody answered (a miss), so agents were added up to the cap.
const OPEN_3H: &str = r#"
[scenario]
name = "open-3h"
horizon = "24h"
seed = 7
replications = 2
service_level = "30s"

[[workstreams]]
name = "calls"
channel = "voice"
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "5m" }

[[queues]]
name = "q"
workstream = "calls"
arrivals = { rate = "60/h" }
operating_hours = [{ from = "09:00", to = "12:00" }]

[[queues.overflow]]
when = "out_of_hours"
action = "end"

[[agent_groups]]
name = "g"
count = 5
queues = ["q"]
"#;

#[test]
fn a_queue_open_three_hours_needs_agents_only_then() {
    let dir = temp_dir("fixb16-open3h");
    std::fs::write(dir.join("s.toml"), OPEN_3H).unwrap();
    for (k, target) in ["service_level.fraction>=0.8", "wait_s.mean<=30"]
        .iter()
        .enumerate()
    {
        let (code, out, r) = staff(&dir, "s.toml", target, &[], &format!("o{k}"));
        assert_eq!(r.len(), 48, "{out}");
        for row in &r {
            if (9.0..12.0).contains(&hour(row)) {
                assert_eq!(cell(row, "reason"), "", "{target}: {row:?}");
                assert!(num(row, "required") >= 3.0, "{target}: {row:?}");
            } else {
                assert_closed(row, &out);
            }
        }
        assert!(
            out.contains(
                "closed: 42 intervals of 48 (0:00–8:30, 12:00–23:30): q: out of hours, ended; \
                 no conversation reaches group g there"
            ),
            "{target}: {out}"
        );
        assert!(!out.contains("missed:"), "{target}: {out}");
        assert_eq!(code, Some(0), "{target}: {out}");
    }
}
