//! Issue 16: `omnisim staff` — per-interval requirements by simulation against Erlang C, the
//! lag after a peak, the shift-covering roster, and bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use omnisim::scenario::{load_shifts_str, load_str};
use omnisim::sim::{self, RunOptions};
use omnisim::staffing::{self, layout, StaffSpec};
use omnisim::time::SimDuration;
use omnisim::workflows::target;

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("staffing-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn spec(target: &str, interval_min: u64, replications: u32) -> StaffSpec {
    StaffSpec {
        target: target::parse(target).unwrap(),
        interval: SimDuration::from_secs(interval_min * 60),
        group: None,
        shifts: None,
        shrinkage: 0.0,
        start_minute: 0,
        seed: None,
        replications: Some(replications),
    }
}

/// M/M/c at 360/h, 240 s, 80% within 20 s: Erlang C needs 29 agents (SL 0.840; 28 give 0.761).
const STATIONARY: &str = r#"
[scenario]
name = "staff-mmc"
horizon = "8h"
seed = 5
service_level = "20s"

[[workstreams]]
name = "calls"
channel = "voice"
capacity_units = 100
handle_time = { dist = "exponential", mean = "240s" }

[[queues]]
name = "q"
workstream = "calls"
arrivals = { rate = "360/h" }

[[agent_groups]]
name = "agents"
count = 40
capacity = 100
queues = ["q"]
"#;

#[test]
fn stationary_requirements_equal_erlang_c() {
    let sc = load_str(STATIONARY, "mmc.toml").unwrap();
    let r = staffing::run(&sc, &spec("service_level.fraction>=0.8", 60, 200)).unwrap();
    assert!(r.met);
    let required: Vec<u32> = r.rows.iter().map(|x| x.required).collect();
    // The first hour starts with nobody waiting, so it may need fewer.
    assert!(required[0] <= 29, "{required:?}");
    assert!(required[1..].iter().all(|&n| n == 29), "{required:?}");
    assert!(r.rows.iter().all(|x| x.erlang_c == Some(29)));
    assert!(r.rows.iter().all(|x| x.service_level.unwrap() >= 0.8));
    // Offered load is λ·E[S] = 24 agents once the system is full.
    for x in &r.rows[1..] {
        assert!((x.offered_load - 24.0).abs() < 1.5, "{}", x.offered_load);
    }
}

/// Long chats and a sharp peak: Erlang C per interval staffs for the arrivals, not for the load
/// still present after the peak.
const PEAK: &str = r#"
[scenario]
name = "staff-peak"
horizon = "8h"
seed = 9
service_level = "60s"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "exponential", mean = "20m" }

[[queues]]
name = "q"
workstream = "chat"
arrivals = { profile = [["0h", "30/h"], ["2h", "240/h"], ["3h30m", "30/h"]] }

[[agent_groups]]
name = "agents"
count = 40
capacity = 100
queues = ["q"]
"#;

#[test]
fn simulation_staffing_holds_after_the_peak_where_erlang_c_falls_short() {
    let sc = load_str(PEAK, "peak.toml").unwrap();
    let r = staffing::run(&sc, &spec("service_level.fraction>=0.8", 30, 128)).unwrap();
    assert!(r.met);
    assert!(r
        .rows
        .iter()
        .all(|x| x.service_level.is_none_or(|v| v >= 0.8)));
    // Right after the peak (3:30 to 4:00) the load is still high: Erlang C falls short.
    let after_peak = &r.rows[7];
    assert_eq!(after_peak.arrival_rate_per_h, 30.0);
    assert!(
        after_peak.erlang_c_service_level.unwrap() < 0.75,
        "{after_peak:?}"
    );
    assert!(
        after_peak.required > after_peak.erlang_c.unwrap() * 2,
        "{after_peak:?}"
    );

    // The check: the requirement run again on other customers (another seed, more
    // replications) reaches the target in every interval after the first hour, within the
    // noise of one interval's estimate.
    let required: Vec<u32> = r.rows.iter().map(|x| x.required).collect();
    let check = layout::staffed(&sc, 0, 1_800_000, &required).unwrap();
    let opts = RunOptions {
        seed: Some(77),
        replications: Some(64),
        ..RunOptions::default()
    };
    let out = sim::run(&check, &opts, &|_, _, _| {});
    let rep = omnisim::report::Report::build(&check, &out);
    for pair in rep.series.chunks(2).skip(2).take(14) {
        let (in_sl, done): (u64, u64) = pair.iter().fold((0, 0), |(a, b), row| {
            let sl = row.service_level.unwrap_or(1.0);
            let n = row.answered + row.abandoned;
            (a + (sl * n as f64).round() as u64, b + n)
        });
        if done > 0 {
            let sl = in_sl as f64 / done as f64;
            assert!(sl >= 0.75, "interval at {} s: {sl}", pair[0].start_s);
        }
    }
}

#[test]
fn the_roster_covers_the_requirement() {
    let sc = load_str(PEAK, "peak.toml").unwrap();
    let shifts = load_shifts_str(
        r#"
[[shifts]]
name = "full"
starts = ["00:00", "01:00", "02:00"]
length = "6h"
breaks = [{ after = "3h", length = "30m" }]

[[shifts]]
name = "short"
starts = ["00:00", "01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "07:00"]
length = "2h"
cost = 0.45
"#,
        "shifts.toml",
    )
    .unwrap();
    let mut s = spec("service_level.fraction>=0.8", 30, 8);
    s.shifts = Some(shifts);
    s.shrinkage = 0.25;
    let r = staffing::run(&sc, &s).unwrap();
    let roster = r.roster.as_ref().unwrap().as_ref().unwrap();
    for x in &r.rows {
        assert_eq!(x.scheduled, (x.required as f64 / 0.75).ceil() as u32);
        assert!(x.roster_coverage.unwrap() >= x.scheduled, "{x:?}");
    }
    let cost: f64 = roster
        .shifts
        .iter()
        .map(|s| s.shift.cost * s.agents as f64)
        .sum();
    assert!((cost - roster.cost).abs() < 1e-9);
    // Least cost: no agent can be taken off any shift without leaving an interval short.
    for (k, s) in roster.shifts.iter().enumerate() {
        let short = r.rows.iter().any(|x| {
            let (a, b) = (x.start, x.start + SimDuration::from_secs(1800));
            let covered: u32 = roster
                .shifts
                .iter()
                .enumerate()
                .filter(|(_, t)| t.shift.covers(a, b))
                .map(|(j, t)| t.agents - (j == k) as u32)
                .sum();
            covered < x.scheduled
        });
        assert!(
            short,
            "one agent less on {} at {:?} still covers",
            s.template, s.shift.start
        );
    }
    let csv = staffing::render::roster_csv(&sc, &r, roster, 0.0).unwrap();
    let agents: u32 = roster.shifts.iter().map(|s| s.agents).sum();
    assert_eq!(csv.lines().count() as u32, agents + 1);
    assert!(csv.starts_with("agent,queues,shift_start,shift_end,capacity,breaks"));

    // The roster check: the roster's agents in place of the group meet the target overall.
    let check = staffing::roster_scenario(&sc, &r, roster, 0.0).unwrap();
    assert_eq!(check.agent_count() as u32, agents);
    let out = sim::run(&check, &RunOptions::default(), &|_, _, _| {});
    let summary = omnisim::report::build(&check, &out);
    assert!(
        summary.service_level.fraction.unwrap() >= 0.8,
        "{:?}",
        summary.service_level
    );
    assert_eq!(summary.invariant_violations, 0);
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    let dir = tmp("bad");
    let file = dir.join("s.toml");
    std::fs::write(&file, STATIONARY).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
            .arg("staff")
            .arg(&file)
            .args(args)
            .args(["--quiet", "--out"])
            .arg(dir.join("out"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, err) = run(&["--target", "service_level.fractoin>=0.8"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("did you mean \"service_level.fraction\""),
        "{err}"
    );
    let (code, err) = run(&["--target", "service_level.fraction<=0.8"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("more agents make service_level.fraction higher"),
        "{err}"
    );
    let (code, err) = run(&["--target", "wait_s.mean<=20", "--interval", "20m"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("multiple of the report interval"), "{err}");
    let (code, err) = run(&["--target", "wait_s.mean<=20", "--group", "agnets"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("did you mean \"agents\""), "{err}");
    let shifts = dir.join("shifts.toml");
    std::fs::write(
        &shifts,
        "[[shifts]]\nname = \"a\"\nstarts = [\"7:61\"]\nlength = \"8h\"\n",
    )
    .unwrap();
    let (code, err) = run(&[
        "--target",
        "wait_s.mean<=20",
        "--shifts",
        shifts.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("shifts[0].starts[0]"), "{err}");
    // A good run writes its files and exits 0; with --shifts, the roster and its check too.
    let day = dir.join("day.toml");
    std::fs::write(
        &day,
        "[[shifts]]\nname = \"day\"\nstarts = [\"00:00\"]\nlength = \"8h\"\n",
    )
    .unwrap();
    let (code, err) = run(&[
        "--target",
        "wait_s.mean<=20",
        "--replications",
        "4",
        "--shifts",
        day.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(dir.join("out/roster.csv").exists());
    assert!(dir.join("out/roster-check/summary.json").exists());
    let csv = std::fs::read_to_string(dir.join("out/staffing.csv")).unwrap();
    assert!(csv.starts_with(
        "interval_start,group,required,erlang_c,offered_load,service_level,service_level_ci_low,service_level_ci_high"
    ));
    assert_eq!(csv.lines().count(), 1 + 16);
}

/// Tester finding 5: `staff --target "service_level.fraction>=1"` ran, then said "the target
/// CANNOT be met in every interval" while every row showed 100%, naming no interval. Such a
/// target is refused up front (exit 2, like `erlang --target-sl 1`), and when staff does say
/// the target cannot be met, it names the intervals that missed. Since branch fixe-14 the
/// precision is 5% of the target's distance from the metric's best value (it was a fixed
/// ±0.01, or ±0.5 s, whose guard band put 0.995–1 and 0–0.25 s out of reach, and was half of
/// `abandonment_rate<=0.01`): only a target at the best value is out of reach.
#[test]
fn a_target_that_can_never_be_shown_met_is_refused_and_misses_are_named() {
    for t in [
        "service_level.fraction>=1",
        "service_level.fraction>1",
        "abandonment_rate<=0",
        "abandonment_rate<0",
        "occupancy<=0",
        "wait_s.mean<0",
        "wait_s.mean<=0",
        "wait_s.p90<=0",
        "wait_s.p99<0",
    ] {
        let e = staffing::check_target(&target::parse(t).unwrap()).expect_err(t);
        assert!(e.to_string().contains("can never be shown met"), "{t}: {e}");
    }
    for t in [
        "service_level.fraction>=0.999",
        "service_level.fraction>0.995",
        "abandonment_rate<0.005",
        "abandonment_rate<=0.001",
        "occupancy<=0.005",
        "wait_s.mean<=0.2",
        "wait_s.p50<=0.1",
        "wait_s.p90<0.3",
    ] {
        staffing::check_target(&target::parse(t).unwrap()).expect(t);
    }
    // Each refusal is worded for its metric: seconds for a wait, no erlang hint but for the
    // service level.
    let why = |t: &str| {
        staffing::check_target(&target::parse(t).unwrap())
            .unwrap_err()
            .to_string()
    };
    let e = why("wait_s.mean<=0");
    assert!(
        e.contains("a mean wait cannot be below 0 s")
            && e.contains("expected a target above 0 s")
            && e.contains("5% of the target's distance from 0 s")
            && !e.contains("erlang"),
        "{e}"
    );
    let e = why("wait_s.p90<0");
    assert!(
        e.contains("a 90th-percentile wait cannot be below 0 s") && e.contains("above 0 s"),
        "{e}"
    );
    let e = why("abandonment_rate<=0");
    assert!(
        e.contains("an abandonment rate cannot be below 0;") && !e.contains("erlang"),
        "{e}"
    );
    let e = why("service_level.fraction>=1");
    assert!(
        e.contains("a service level cannot be above 100%") && e.contains("a target below 1"),
        "{e}"
    );
    let dir = tmp("never-met");
    std::fs::write(dir.join("s.toml"), STATIONARY).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args([
            "staff",
            "s.toml",
            "--target",
            "service_level.fraction>=1",
            "--out",
            "o",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--target") && stderr.contains("can never be shown met"),
        "{stderr}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args(["staff", "s.toml", "--target", "wait_s.mean<0", "--out", "o"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a mean wait cannot be below 0 s"),
        "{stderr}"
    );
    // Every invitation is accepted 30 s late, so nobody is answered within the 10 s of the
    // service level whatever the staffing: the intervals that miss are named.
    let late = STATIONARY
        .replace("service_level = \"20s\"", "service_level = \"10s\"")
        .replace("horizon = \"8h\"", "horizon = \"2h\"")
        .replace(
            "capacity = 100\n",
            "capacity = 100\naccept_delay = \"30s\"\n",
        );
    let sc = load_str(&late, "late.toml").unwrap();
    let r = staffing::run(&sc, &spec("service_level.fraction>=0.5", 60, 4)).unwrap();
    assert!(!r.met);
    assert_eq!(r.missed, vec![0, 1]);
    let text = staffing::render::text(&r);
    assert!(text.contains("the target CANNOT be met"), "{text}");
    assert!(
        text.contains("missed: 2 intervals still significantly missing the target"),
        "{text}"
    );
    // Issue 25, ninth pass: the missed intervals are in staffing.csv too (`target_status`),
    // not only in the terminal text; a staffing that meets the target says `met`.
    let status = |r: &staffing::StaffResult| -> Vec<String> {
        let csv = staffing::render::csv(r).unwrap();
        let mut lines = csv.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = head
            .iter()
            .position(|h| *h == "target_status")
            .expect("column");
        lines
            .map(|l| l.split(',').nth(at).unwrap().to_string())
            .collect()
    };
    assert_eq!(status(&r), ["missed", "missed"]);
    let sc = load_str(
        &STATIONARY.replace("horizon = \"8h\"", "horizon = \"2h\""),
        "s.toml",
    )
    .unwrap();
    let r = staffing::run(&sc, &spec("service_level.fraction>=0.5", 60, 4)).unwrap();
    assert!(r.met && r.missed.is_empty(), "{:?}", r.missed);
    let want: Vec<&str> = (0..r.rows.len())
        .map(|i| match r.unresolved.contains(&i) {
            true => "not_confirmed",
            false => "met",
        })
        .collect();
    assert_eq!(status(&r), want);
    assert!(want.contains(&"met"), "{want:?}");
}
