//! Issue 25, sixteenth session (branch `fixf-16`), a fresh tester's two finds:
//!
//! 1. `staff` read an interval's arrival rate over the whole interval even when its traffic
//!    covered only part of it: the bank forecast's 5-minute 21:00 row read 157/h and an Erlang C
//!    of 16 on Monday, and 840/h with an Erlang C of 70 on Tuesday, where the horizon cut the
//!    interval at 21:05; Monday's agent-hours counted the half-hour, Tuesday's 5 minutes.
//! 2. `validate` refused a `waited_over` cycle as "about 57600 moves" though its customers'
//!    patience of 0 s never waits the cycle's 1 s.

use std::collections::HashMap;
use std::path::Path;

use crate::procs::{run_in, temp_dir, text};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fixf16");

/// `staffing.csv`'s rows by `interval_start`, each a map from column name to cell.
fn rows(csv: &str) -> HashMap<String, HashMap<String, String>> {
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            let row: HashMap<String, String> = head
                .iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(str::to_string))
                .collect();
            (row["interval_start"].clone(), row)
        })
        .collect()
}

/// `omnisim staff SCENARIO --target service_level.fraction>=0.8 --out s` in `dir`: its stdout
/// and `staffing.csv`'s rows.
fn staff(dir: &Path, scenario: &str) -> (String, HashMap<String, HashMap<String, String>>) {
    let o = run_in(
        dir,
        &[
            "staff",
            scenario,
            "--target",
            "service_level.fraction>=0.8",
            "--out",
            "s",
        ],
    );
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&o.stderr)
    );
    let csv = std::fs::read_to_string(dir.join("s/staffing.csv")).unwrap();
    (text(&o.stdout), rows(&csv))
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {row:?}"))
}

/// The Erlang figures and the rate of a row: what "reads alike" compares.
fn reading(row: &HashMap<String, String>) -> (String, String, String) {
    (
        format!("{:.1}", num(row, "arrival_rate_per_h")),
        row["erlang_c"].clone(),
        row["erlang_a"].clone(),
    )
}

/// The tester's two days: each day's 21:00 row is 5 minutes of traffic and reads over those 5
/// minutes (78.4 calls: 940.8/h; 70: 840/h), on Monday as on Tuesday (where the horizon ends
/// at 21:05). With Tuesday's row given Monday's volume, both rows read the same rate and Erlang
/// figures, and the printed agent-hours count each 21:00 interval's agents for its 5 minutes
/// plus the mean holding time (4 min handle + 30 s wrap-up), on both days.
#[test]
fn a_short_last_row_reads_alike_on_both_days() {
    let dir = temp_dir("fixf16-fc2d");
    for f in ["fc2d.toml", "fc2d.csv"] {
        std::fs::copy(Path::new(DATA).join(f), dir.join(f)).unwrap();
    }
    let (out, rows) = staff(&dir, "fc2d.toml");
    let (mon, tue) = (&rows["2003-10-27T21:00:00"], &rows["2003-10-28T21:00:00"]);
    assert!(
        (num(mon, "arrival_rate_per_h") - 940.8).abs() < 0.05,
        "{mon:?}"
    );
    assert!(
        (num(tue, "arrival_rate_per_h") - 840.0).abs() < 0.05,
        "{tue:?}"
    );
    // Monday's Erlang C describes 940.8/h, not a quiet half-hour (it read 16 for 74 required).
    assert!(
        num(mon, "erlang_c") > num(tue, "erlang_c"),
        "{mon:?} {tue:?}"
    );
    assert!(num(mon, "erlang_c") >= num(mon, "erlang_a"), "{mon:?}");
    for day in ["2003-10-27 21:00:00", "2003-10-28 21:00:00"] {
        assert!(
            out.contains(&format!("{day} (arrivals only 21:00–21:05)")),
            "{day}: {out}"
        );
    }
    // Agent-hours: a half-hour for every whole interval, 9.5 minutes for each 21:00 one.
    let expected: f64 = rows
        .iter()
        .map(|(at, r)| {
            let hours = if at.ends_with("T21:00:00") {
                9.5 / 60.0
            } else {
                0.5
            };
            num(r, "required") * hours
        })
        .sum();
    let printed: f64 = out
        .split(" agent-hours required")
        .next()
        .and_then(|s| s.rsplit("· ").next())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!((printed - expected).abs() < 0.06, "{printed} vs {expected}");

    // Tuesday's row with Monday's volume: the same reading.
    let csv = std::fs::read_to_string(dir.join("fc2d.csv")).unwrap();
    let same = csv.replace(
        "2003-10-28T21:00,70.0,59.0,83.1",
        "2003-10-28T21:00,78.4,66.8,92.0",
    );
    assert_ne!(same, csv);
    std::fs::write(dir.join("fc2d.csv"), same).unwrap();
    let (_, rows) = staff(&dir, "fc2d.toml");
    let (mon, tue) = (&rows["2003-10-27T21:00:00"], &rows["2003-10-28T21:00:00"]);
    assert_eq!(reading(mon), reading(tue));
    assert_eq!(reading(mon).0, "940.8");
}

/// A forecast on a 10-minute grid whose 10:00 row is followed by nothing until 10:30 (a
/// forecast's rows are a day's grid: a 10-minute row among half-hours is this): the 10:00
/// half-hour's 50 calls read as 300/h, the rate of the 10:30 half-hour's 150 calls, with the
/// same Erlang figures (it read 100/h, Erlang C 11, and SL (Erlang C) 14.7%); whole half-hours
/// read as before (200/h). The same with a rate curve (a profile) that stops at 1:10.
#[test]
fn a_ten_minute_row_and_a_stopping_rate_read_over_their_time_with_traffic() {
    let dir = temp_dir("fixf16-ten");
    let mut csv = String::from("interval_start,volume,interval\n");
    for h in 9..12 {
        for m in (0..60).step_by(10) {
            let v = match (h, m) {
                (10, 10 | 20) => continue,
                (10, _) => 50.0,
                _ => 100.0 / 3.0,
            };
            csv.push_str(&format!("2026-03-02T{h:02}:{m:02},{v:.4},10m\n"));
        }
    }
    std::fs::write(dir.join("day.csv"), csv).unwrap();
    let toml = std::fs::read_to_string(Path::new(DATA).join("fc2d.toml"))
        .unwrap()
        .replace("2003-10-27T07:00", "2026-03-02T09:00")
        .replace("38h5m", "3h")
        .replace("fc2d.csv", "day.csv")
        .replace("count = 260", "count = 40");
    std::fs::write(dir.join("day.toml"), &toml).unwrap();
    let (out, rows) = staff(&dir, "day.toml");
    let ten = &rows["2026-03-02T10:00:00"];
    assert_eq!(reading(ten), reading(&rows["2026-03-02T10:30:00"]), "{out}");
    assert_eq!(reading(ten).0, "300.0");
    assert_eq!(reading(&rows["2026-03-02T09:30:00"]).0, "200.0");
    assert!(out.contains("10:00 (arrivals only 10:00–10:10)"), "{out}");
    assert!(!out.contains("(arrivals only 09:30"), "{out}");

    // A rate curve: 200/h, 300/h from 1:00, nothing 1:10–1:30, 300/h again.
    let profile = toml
        .replace("start = \"2026-03-02T09:00\"\n", "")
        .replace("horizon = \"3h\"", "horizon = \"2h\"")
        .replace(
            "forecast = { file = \"day.csv\", queue = \"retail\" }",
            "",
        )
        .replace(
            "workstream = \"calls\"\n\n[[agent_groups]]",
            "workstream = \"calls\"\narrivals = { profile = [[\"0h\", \"200/h\"], [\"1h\", \"300/h\"], \
             [\"1h10m\", \"0/h\"], [\"1h30m\", \"300/h\"]] }\n\n[[agent_groups]]",
        );
    assert!(
        profile.contains("arrivals = { profile") && !profile.contains("forecast = {"),
        "{profile}"
    );
    std::fs::write(dir.join("curve.toml"), profile).unwrap();
    let (out, rows) = staff(&dir, "curve.toml");
    assert_eq!(reading(&rows["3600"]), reading(&rows["5400"]), "{out}");
    assert_eq!(reading(&rows["3600"]).0, "300.0");
    assert!(out.contains("1:00 (arrivals only 1:00–1:10)"), "{out}");
}

/// `validate` on a `waited_over` cycle a → b → a every 1 s: with a patience of 0 s nobody waits
/// the first second, so the cycle never turns and the file is accepted; with a patience of
/// 10 s a conversation goes round about 5 times before it abandons (accepted, a count of its
/// patience, not of the 32-hour window); without patience it goes round until the run ends
/// and is still refused.
#[test]
fn a_waited_over_cycle_counts_the_patience_that_ends_its_waits() {
    let dir = temp_dir("fixf16-loop");
    let base = std::fs::read_to_string(Path::new(DATA).join("loop1.toml")).unwrap();
    let validate = |name: &str, body: &str| {
        std::fs::write(dir.join(name), body).unwrap();
        let o = run_in(&dir, &["validate", name]);
        (o.status.code(), text(&o.stderr))
    };
    let (code, err) = validate("loop1.toml", &base);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("can move about"), "{err}");
    let ten = base.replace(
        "patience = { dist = \"constant\", value = \"0s\" }",
        "patience = { dist = \"constant\", value = \"10s\" }",
    );
    assert_ne!(ten, base);
    let (code, err) = validate("ten.toml", &ten);
    assert_eq!(code, Some(0), "{err}");
    let forever = base.replace("patience = { dist = \"constant\", value = \"0s\" }\n", "");
    let forever = forever.replace(
        "retrial = { probability = 0.99, delay = { dist = \"constant\", value = \"0s\" } }\n",
        "",
    );
    assert_ne!(forever, base);
    let (code, err) = validate("forever.toml", &forever);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("queues[0].overflow[1].after: a cycle of waited_over transfers every 2000 ms")
            && err.contains("over the horizon and drain limit, over the limit of 10000"),
        "{err}"
    );
    // A patience of hours: the cycle turns until the wait ends, 18,000 rounds: refused, saying so.
    let hours = base.replace(
        "patience = { dist = \"constant\", value = \"0s\" }",
        "patience = { dist = \"constant\", value = \"10h\" }",
    );
    let (code, err) = validate("hours.toml", &hours);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("move about 18000 times before its wait ends (36000000 ms on average"),
        "{err}"
    );
}
