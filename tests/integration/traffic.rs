//! Issue 14, real traffic: the calendar, `run --log`, history replay (exact round trip, A/B on
//! replayed traffic, hand-counted waits), CSV diagnostics, forecasts and rosters.

use std::path::{Path, PathBuf};

use omnisim::report::log as convlog;
use omnisim::scenario::{load_file, load_str, Scenario};
use omnisim::sim::{self, log::LogOutcome, RunOptions};
use omnisim::workflows::ab;

/// A fresh folder under the system temp dir for one test.
pub(crate) fn temp_dir(name: &str) -> crate::procs::TempDir {
    crate::procs::TempDir::new(&format!("traffic-{name}"))
}

pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

pub(crate) fn load(path: &Path) -> Scenario {
    load_file(path).unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn run_log(sc: &Scenario) -> (sim::RunOutput, Vec<sim::log::ConvLog>) {
    sim::run_logged(sc, &RunOptions::default(), &|_, _, _| {})
}

/// Two queues, multi-chat agents with accept delays and refusals, patience, wrap-up and a
/// rescue policy: every source of randomness a replay must line up. `ARRIVALS` marks where the
/// queues' own arrivals go (removed for the replay).
const CENTER: &str = r#"
[scenario]
name = "NAME"
horizon = "3h"
warmup = "10m"
seed = 5
replications = 3
service_level = "60s"
TRAFFIC

[[workstreams]]
name = "web-chat"
channel = "live_chat"
capacity_units = 50
handle_time = { dist = "lognormal", mean = "8m", sd = "4m" }
wrap_up_time = { dist = "exponential", mean = "40s" }
patience = { dist = "exponential", mean = "3m" }

[[queues]]
name = "sales"
workstream = "web-chat"
priority = 1
ARRIVALS_SALES

[[queues]]
name = "support"
workstream = "web-chat"
priority = 2
assignment = "least_active"
ARRIVALS_SUPPORT

[[agent_groups]]
name = "agent"
count = AGENTS
capacity = 100
queues = ["sales", "support"]
accept_delay = { dist = "uniform", min = "2s", max = "8s" }
reject_probability = 0.05

[[supervisors]]
name = "lead"
queues = ["sales", "support"]
reaction = "5s"

[[supervisors.policies]]
name = "rescue"
every = "30s"
when = { state = "open", waited_at_least = "2m", limit = 1 }
action = { assign_to = "agent", pick = "most_free_capacity" }
"#;

fn center(name: &str, traffic: &str, own_arrivals: bool, agents: u32) -> String {
    let (s, u) = if own_arrivals {
        (
            "arrivals = { rate = \"150/h\" }",
            "arrivals = { rate = \"180/h\" }",
        )
    } else {
        ("", "")
    };
    CENTER
        .replace("NAME", name)
        .replace("TRAFFIC", traffic)
        .replace("ARRIVALS_SALES", s)
        .replace("ARRIVALS_SUPPORT", u)
        .replace("AGENTS", &agents.to_string())
}

#[test]
fn calendar_start_is_checked_and_read() {
    let bad = "[scenario]\nname = \"x\"\nhorizon = \"1h\"\nstart = \"2026-02-30T07:00\"\n";
    let e = load_str(bad, "s.toml").unwrap_err().to_string();
    assert!(e.contains("s.toml:4:9: scenario.start"), "{e}");
    assert!(e.contains("not a local date-time"), "{e}");
    let ok = ONE_AGENT
        .replace(
            "horizon = \"1h\"",
            "horizon = \"1h\"\nstart = \"2026-03-07T22:30\"",
        )
        .replace("[traffic]\nreplay = \"history.csv\"", "");
    let sc = load_str(&ok, "s.toml").unwrap();
    // Saturday 22:30 + 2 h = Sunday 00:30.
    let t = omnisim::time::SimTime(2 * 3_600_000);
    assert_eq!(sc.calendar.weekday(t), "sun");
    assert_eq!(sc.calendar.clock(t), "00:30");
}

#[test]
fn replaying_a_runs_own_log_reproduces_every_wait() {
    let dir = temp_dir("roundtrip");
    let base = write(&dir, "base.toml", &center("base", "", true, 9));
    let sc = load(&base);
    let (out, logs) = run_log(&sc);
    assert_eq!(logs.len(), 3);
    let first = convlog::render(&sc, &logs).unwrap();
    std::fs::write(dir.join("conversations.csv"), &first).unwrap();
    // The run is busy enough that waits, abandonments and refusals all happen.
    let rows: Vec<_> = logs.iter().flat_map(|l| &l.rows).collect();
    assert!(rows.iter().any(|r| r.outcome == LogOutcome::Abandoned));
    assert!(rows
        .iter()
        .any(|r| r.outcome == LogOutcome::Answered && r.wait.unwrap().as_millis() > 60_000));
    assert_eq!(
        rows.len() as u64,
        logs.iter().map(|l| l.rows.len() as u64).sum::<u64>()
    );
    let traffic = "\n[traffic]\nreplay = \"conversations.csv\"\n";
    let replay = write(&dir, "replay.toml", &center("base", traffic, false, 9));
    let rsc = load(&replay);
    let (rout, rlogs) = run_log(&rsc);
    let second = convlog::render(&rsc, &rlogs).unwrap();
    // Row by row, every column: ids, arrivals, outcomes, waits, handle, wrap-up, patience,
    // agents and replications.
    let (a, b) = (
        String::from_utf8(first).unwrap(),
        String::from_utf8(second).unwrap(),
    );
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        assert_eq!(x, y, "line {}", i + 1);
    }
    assert_eq!(a.lines().count(), b.lines().count());
    // And so the summaries agree.
    let (s1, s2) = (
        omnisim::report::build(&sc, &out),
        omnisim::report::build(&rsc, &rout),
    );
    assert_eq!(
        serde_json::to_value(&s1.wait_s).unwrap(),
        serde_json::to_value(&s2.wait_s).unwrap()
    );
    assert_eq!(s1.conversations.arrived, s2.conversations.arrived);
}

#[test]
fn ab_runs_on_replayed_traffic() {
    let dir = temp_dir("ab");
    let base = write(&dir, "base.toml", &center("base", "", true, 9));
    let sc = load(&base);
    let (_, logs) = run_log(&sc);
    std::fs::write(
        dir.join("history.csv"),
        convlog::render(&sc, &logs).unwrap(),
    )
    .unwrap();
    let traffic = "\n[traffic]\nreplay = \"history.csv\"\n";
    let a = load(&write(&dir, "a.toml", &center("a", traffic, false, 9)));
    let same = load(&write(
        &dir,
        "same.toml",
        &center("same", traffic, false, 9),
    ));
    let fewer = load(&write(
        &dir,
        "fewer.toml",
        &center("fewer", traffic, false, 7),
    ));
    let r = ab::run(&a, &same, None);
    for (m, v) in &r.metrics {
        assert_eq!(v.diff, Some(0.0), "{m}");
    }
    let r = ab::run(&a, &fewer, None);
    let w = &r.metrics["wait_s.mean"];
    assert!(w.diff > Some(0.0) && w.ci95.unwrap()[0] > 0.0, "{w:?}");
    // Both sides saw the same customers.
    let arrived = |sc: &Scenario| {
        let out = sim::run(sc, &RunOptions::default(), &|_, _, _| {});
        omnisim::report::build(sc, &out).conversations.arrived
    };
    assert_eq!(arrived(&a), arrived(&fewer));
}

const ONE_AGENT: &str = r#"
[scenario]
name = "hand"
horizon = "1h"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "10m" }

[[queues]]
name = "retail"
workstream = "chat"

[[agent_groups]]
name = "a"
count = 1
capacity = 100
queues = ["retail"]

[traffic]
replay = "history.csv"
"#;

#[test]
fn hand_made_history_gives_hand_counted_waits() {
    let dir = temp_dir("hand");
    // One agent, one conversation at a time. a: 0 s, served at once until 60 s. b: 10 s,
    // waits for a → 50 s. c: 20 s, patience 30 s → abandons at 50 s. d: 30 s, handle 5 s,
    // after b (60 + 60 = 120 s) → 90 s. e: answered without a handle column value is not
    // allowed, so it has one; it arrives at 200 s, free agent → 0 s.
    write(
        &dir,
        "history.csv",
        "id,arrival,queue,outcome,handle,patience,language\n\
         a,0,retail,answered,60,,en\n\
         b,10,retail,answered,60,,es\n\
         c,20,retail,abandoned,,30,en\n\
         d,30,retail,answered,5,,\n\
         e,200,retail,answered,1m,,fr\n",
    );
    let sc = load(&write(&dir, "hand.toml", ONE_AGENT));
    let replay = sc.traffic.replay.as_ref().unwrap();
    assert_eq!(replay.attribute_names, vec!["language".to_string()]);
    assert_eq!(&*replay.rows[1].attributes[0], "es");
    let (_, logs) = run_log(&sc);
    let got: Vec<(String, &str, Option<u64>)> = logs[0]
        .rows
        .iter()
        .map(|r| {
            let id = match r.id {
                sim::log::RecordId::Replay(i) => replay.rows[i as usize].id.to_string(),
                sim::log::RecordId::Seq(n) => n.to_string(),
            };
            (id, r.outcome.as_str(), r.wait.map(|w| w.as_millis() / 1000))
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("a".to_string(), "answered", Some(0)),
            ("b".to_string(), "answered", Some(50)),
            ("c".to_string(), "abandoned", Some(30)),
            ("d".to_string(), "answered", Some(90)),
            ("e".to_string(), "answered", Some(0)),
        ]
    );
    // The log carries the attributes along.
    let csv = String::from_utf8(convlog::render(&sc, &logs).unwrap()).unwrap();
    assert!(csv.starts_with(
        "id,arrival,queue,outcome,wait,handle,wrap_up,patience,agent,agent_group,replication,language\n"
    ));
    assert!(
        csv.contains("\nb,10,retail,answered,50,60,,,a-1,a,1,es\n"),
        "{csv}"
    );
}

#[test]
fn bad_history_rows_are_all_reported_with_line_and_column() {
    let dir = temp_dir("bad");
    write(
        &dir,
        "history.csv",
        "id,arrival,queue,outcome,handle\n\
         a,0,retail,answered,60\n\
         b,soon,retial,answered,60\n\
         c,20,retail,answered,\n\
         d,30,retail,answered,-5\n\
         e,99999,retail,answered,5\n",
    );
    let path = write(&dir, "hand.toml", ONE_AGENT);
    let e = load_file(&path).unwrap_err().to_string();
    let f = dir.join("history.csv").display().to_string();
    for want in [
        format!("{f}:3:2: arrival: \"soon\" is not a time"),
        format!("{f}:3:3: queue: unknown queue \"retial\"; expected one of \"retail\" (did you mean \"retail\"?)"),
        format!("{f}:4:5: handle: an answered row needs its `handle` time"),
        format!("{f}:5:5: handle: \"-5\" is not a duration"),
        format!("{f}:6:2: arrival: arrival 99999 is not before the horizon"),
    ] {
        assert!(e.contains(&want), "missing {want:?} in\n{e}");
    }
    write(&dir, "history.csv", "id,when,queue\na,0,retail\n");
    let e = load_file(&path).unwrap_err().to_string();
    assert!(e.contains(":1: missing column `arrival`"), "{e}");
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled bank week: simulated arrivals follow the real five-minute volumes. Per interval
/// the count over R replications is Poisson with mean R × volume, so (stated tolerances):
/// the total is within 4 sd of its mean, Pearson's X² over the 845 intervals is within 5 sd
/// (sd = √(2·845) ≈ 41) of its 845 degrees of freedom, and the per-interval correlation is
/// at least 0.98; nothing arrives outside the intervals (nights).
#[test]
fn bank_week_arrivals_follow_the_real_volumes() {
    let sc = load(&repo().join("scenarios/bank-week.toml"));
    let reps = sc.replications as f64;
    let text = std::fs::read_to_string(repo().join("scenarios/data/bank-calls-week.csv")).unwrap();
    let mut expected = std::collections::BTreeMap::new();
    for line in text.lines().skip(1) {
        let (t, v) = line.split_once(',').unwrap();
        let at = sc.calendar.parse_time(t).unwrap().as_millis() / 300_000;
        expected.insert(at, v.parse::<f64>().unwrap() * reps);
    }
    assert_eq!(expected.len(), 845);
    let (out, logs) = run_log(&sc);
    let mut observed = std::collections::BTreeMap::new();
    for r in logs.iter().flat_map(|l| &l.rows) {
        *observed
            .entry(r.arrival.as_millis() / 300_000)
            .or_insert(0.0) += 1.0;
    }
    let outside: f64 = observed
        .iter()
        .filter(|(k, _)| !expected.contains_key(k))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(outside, 0.0);
    let total_e: f64 = expected.values().sum();
    let total_o: f64 = observed.values().sum();
    assert!(
        (total_o - total_e).abs() <= 4.0 * total_e.sqrt(),
        "{total_o} vs {total_e}"
    );
    let pairs: Vec<(f64, f64)> = expected
        .iter()
        .map(|(k, e)| (observed.get(k).copied().unwrap_or(0.0), *e))
        .collect();
    let x2: f64 = pairs.iter().map(|(o, e)| (o - e).powi(2) / e).sum();
    let df = pairs.len() as f64;
    assert!((x2 - df).abs() <= 5.0 * (2.0 * df).sqrt(), "X² = {x2}");
    let n = df;
    let (mo, me) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let cov: f64 = pairs.iter().map(|(o, e)| (o - mo) * (e - me)).sum();
    let so: f64 = pairs
        .iter()
        .map(|(o, _)| (o - mo).powi(2))
        .sum::<f64>()
        .sqrt();
    let se: f64 = pairs
        .iter()
        .map(|(_, e)| (e - me).powi(2))
        .sum::<f64>()
        .sqrt();
    assert!(cov / (so * se) >= 0.98, "correlation {}", cov / (so * se));
    let s = omnisim::report::build(&sc, &out);
    assert_eq!(s.invariant_violations, 0);
    assert_eq!(s.conversations.arrived as f64, total_o);
}

const FORECAST: &str = r#"
[scenario]
name = "aht"
horizon = "2h"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 10
handle_time = { dist = "constant", value = "2m" }

[[queues]]
name = "retail"
workstream = "chat"

[[agent_groups]]
name = "a"
count = 50
capacity = 100
queues = ["retail"]

[traffic]
forecast = "forecast.csv"
"#;

#[test]
fn forecast_intervals_and_aht_rescale_handle_times() {
    let dir = temp_dir("aht");
    // 30-minute spacing inferred; the hour 1800–3600 → 5400 has no row: nothing arrives then.
    write(
        &dir,
        "forecast.csv",
        "interval_start,queue,volume,aht\n0,retail,40,60\n1800,retail,40,240\n5400,retail,40,\n",
    );
    let sc = load(&write(&dir, "f.toml", FORECAST));
    assert_eq!(
        sc.queues[0].arrivals,
        omnisim::scenario::Arrivals::Profile(vec![
            (omnisim::time::SimTime(0), 40.0 / 1800.0),
            (omnisim::time::SimTime(1_800_000), 40.0 / 1800.0),
            (omnisim::time::SimTime(3_600_000), 0.0),
            (omnisim::time::SimTime(5_400_000), 40.0 / 1800.0),
            (omnisim::time::SimTime(7_200_000), 0.0),
        ])
    );
    let (_, logs) = run_log(&sc);
    let rows = &logs[0].rows;
    assert!(rows.len() > 60);
    for r in rows {
        let (t, h) = (r.arrival.as_millis(), r.handle.unwrap().as_millis());
        let want = match t {
            0..1_800_000 => 60_000,
            1_800_000..3_600_000 => 240_000,
            3_600_000..5_400_000 => panic!("arrival at {t} ms in the gap"),
            _ => 120_000,
        };
        assert_eq!(h, want, "arrival at {t} ms");
    }
}

#[test]
fn bad_forecasts_are_reported() {
    let dir = temp_dir("badforecast");
    write(
        &dir,
        "forecast.csv",
        "interval_start,queue,volume\n0,retial,40\nlater,retail,-2\n",
    );
    let path = write(&dir, "f.toml", FORECAST);
    let e = load_file(&path).unwrap_err().to_string();
    let f = dir.join("forecast.csv").display().to_string();
    for want in [
        format!("{f}:2:2: queue: unknown queue \"retial\""),
        format!("{f}:3:1: interval_start: \"later\" is not a time"),
        format!("{f}:3:3: volume: \"-2\" is not a volume"),
    ] {
        assert!(e.contains(&want), "missing {want:?} in\n{e}");
    }
    // A file without a queue column needs the queue named in the scenario.
    write(&dir, "forecast.csv", "interval_start,volume\n0,4\n1800,5\n");
    let e = load_file(&path).unwrap_err().to_string();
    assert!(e.contains(":1: missing column `queue`"), "{e}");
    let named = FORECAST.replace(
        "forecast = \"forecast.csv\"",
        "forecast = { file = \"forecast.csv\", queue = \"retial\" }",
    );
    let e = load_file(&write(&dir, "g.toml", &named))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("traffic.forecast.queue: unknown queue \"retial\""),
        "{e}"
    );
    let own = FORECAST.replace(
        "workstream = \"chat\"\n\n[[agent",
        "workstream = \"chat\"\narrivals = { rate = \"1/m\" }\n\n[[agent",
    );
    write(
        &dir,
        "forecast.csv",
        "interval_start,queue,volume\n0,retail,4\n1800,retail,5\n",
    );
    let e = load_file(&write(&dir, "h.toml", &own))
        .unwrap_err()
        .to_string();
    assert!(e.contains("queue \"retail\" has its own `arrivals`"), "{e}");
}

const ROSTERED: &str = r#"
[scenario]
name = "roster"
horizon = "3h"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "1m" }

[[queues]]
name = "retail"
workstream = "chat"
arrivals = { times = ["700s", "1900s", "1900s", "2000s", "6000s"] }

[[queues]]
name = "other"
workstream = "chat"

[traffic]
roster = "roster.csv"
"#;

#[test]
fn roster_shifts_and_breaks_by_hand_count() {
    let dir = temp_dir("roster");
    // ann: on 0–3600 s with a break 600–1200 s, again 7200–9000 s; bob: on 1800–5400 s.
    write(
        &dir,
        "roster.csv",
        "agent,queues,shift_start,shift_end,capacity,skills,breaks\n\
         ann,retail;other,0,3600,100,spanish:4;billing:2,600-1200\n\
         bob,retail,1800,5400,100,,\n\
         ann,retail;other,7200,9000,100,spanish:4;billing:2,\n",
    );
    let sc = load(&write(&dir, "r.toml", ROSTERED));
    assert_eq!(sc.agent_count(), 2);
    let ann = sc.agent_groups[0].roster.as_ref().unwrap();
    assert_eq!(
        ann.skills,
        vec![("spanish".into(), 4), ("billing".into(), 2)]
    );
    assert_eq!(ann.shifts.len(), 2);
    let (out, logs) = run_log(&sc);
    // On shift, 100 units each, over [0, horizon]: ann 3,600 s, bob 3,600 s, and ann's whole
    // second shift, 7,200–9,000 s, though the last conversation closes at 7,260 s (issue 27
    // item 12: it counted only 60 s of it, up to the last event). The run lasts the horizon.
    assert_eq!(out.reps[0].end.as_millis(), 10_800_000);
    assert_eq!(
        out.reps[0].staffed_unit_ms,
        100 * (3_600 + 3_600 + 1_800) * 1000
    );
    // 700 s: ann on break, bob off → served at 1,200 s (wait 500 s). 1,900 s twice: ann and
    // bob. 2,000 s: both free again → 0. 6,000 s: bob gone, ann back at 7,200 s → 1,200 s.
    let got: Vec<(u64, String)> = logs[0]
        .rows
        .iter()
        .map(|r| {
            (
                r.wait.unwrap().as_millis() / 1000,
                sc.agent_name(r.agent.unwrap()),
            )
        })
        .collect();
    assert_eq!(got[0], (500, "ann".to_string()));
    assert_eq!((got[1].0, got[2].0, got[3].0), (0, 0, 0));
    let mut pair = vec![got[1].1.clone(), got[2].1.clone()];
    pair.sort();
    assert_eq!(pair, vec!["ann".to_string(), "bob".to_string()]);
    assert_eq!(got[4], (1_200, "ann".to_string()));
}

#[test]
fn bad_rosters_are_reported() {
    let dir = temp_dir("badroster");
    write(
        &dir,
        "roster.csv",
        "agent,queues,shift_start,shift_end,breaks\n\
         ann,retail,0,3600,lunch\n\
         ann,retail,1800,5000,\n\
         bob,retial,100,50,\n",
    );
    let e = load_file(&write(&dir, "r.toml", ROSTERED))
        .unwrap_err()
        .to_string();
    let f = dir.join("roster.csv").display().to_string();
    for want in [
        format!("{f}:2:5: breaks: \"lunch\" is not a break"),
        format!("{f}:4:2: queues: unknown queue \"retial\""),
        format!("{f}:4:4: shift_end: the shift must end after it starts"),
    ] {
        assert!(e.contains(&want), "missing {want:?} in\n{e}");
    }
    write(
        &dir,
        "roster.csv",
        "agent,queues,shift_start,shift_end\nann,retail,0,3600\nann,retail,1800,5000\n",
    );
    let e = load_file(&write(&dir, "r.toml", ROSTERED))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(":3:3: shift_start: this shift overlaps another shift of agent \"ann\""),
        "{e}"
    );
}

#[test]
fn the_binary_logs_and_refuses_bad_csv_with_exit_2() {
    let dir = temp_dir("binary");
    let path = write(&dir, "hand.toml", ONE_AGENT);
    write(
        &dir,
        "history.csv",
        "id,arrival,queue,outcome,handle\na,0,retail,answered,60\nb,10,retail,answered,60\n",
    );
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_omnisim"))
            .arg("run")
            .arg(&path)
            .args(["--quiet", "--out"])
            .arg(dir.join("out"))
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, err) = run(&["--log"]);
    assert_eq!(code, Some(0), "{err}");
    let log = std::fs::read_to_string(dir.join("out/conversations.csv")).unwrap();
    assert_eq!(
        log,
        "id,arrival,queue,outcome,wait,handle,wrap_up,patience,agent,agent_group,replication\n\
         a,0,retail,answered,0,60,,,a-1,a,1\n\
         b,10,retail,answered,50,60,,,a-1,a,1\n"
    );
    write(
        &dir,
        "history.csv",
        "id,arrival,queue\na,-4,retail\nb,5,nowhere\n",
    );
    let _ = std::fs::remove_dir_all(dir.join("out"));
    let (code, err) = run(&[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("history.csv:2:2: arrival"), "{err}");
    assert!(
        err.contains("history.csv:3:3: queue: unknown queue \"nowhere\""),
        "{err}"
    );
    assert!(!dir.join("out").exists(), "nothing is written on bad input");
}

#[test]
fn traffic_files_must_exist_and_be_regular_files() {
    let dir = temp_dir("nofile");
    let text = ONE_AGENT.replace("history.csv", "missing.csv");
    let e = load_file(&write(&dir, "a.toml", &text))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "traffic.replay: cannot read \"missing.csv\" (resolved against the scenario's folder: "
        ) && e.contains("missing.csv): No such file"),
        "{e}"
    );
    let text = ONE_AGENT.replace("\"history.csv\"", "\"/dev/zero\"");
    let e = load_file(&write(&dir, "b.toml", &text))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("traffic.replay: cannot read \"/dev/zero\": not a regular file"),
        "{e}"
    );
    let text = ONE_AGENT.replace(
        "replay = \"history.csv\"",
        "replay = \"h.csv\"\nrost = \"r.csv\"",
    );
    let e = load_file(&write(&dir, "c.toml", &text))
        .unwrap_err()
        .to_string();
    assert!(e.contains("traffic.rost: unknown key `rost`"), "{e}");
}
