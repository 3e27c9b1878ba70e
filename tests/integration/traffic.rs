//! Issue 14, real traffic: the calendar, `run --log`, history replay (exact round trip, A/B on
//! replayed traffic, hand-counted waits), CSV diagnostics, forecasts and rosters.

use std::path::{Path, PathBuf};

use omnisim::report::log as convlog;
use omnisim::scenario::{load_file, load_str, Scenario};
use omnisim::sim::{self, log::LogOutcome, RunOptions};
use omnisim::workflows::ab;

/// A fresh folder under the system temp dir for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("omnisim-traffic-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn load(path: &Path) -> Scenario {
    load_file(path).unwrap_or_else(|e| panic!("{e}"))
}

fn run_log(sc: &Scenario) -> (sim::RunOutput, Vec<sim::log::ConvLog>) {
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
        assert_eq!(v.diff, 0.0, "{m}");
    }
    let r = ab::run(&a, &fewer, None);
    let w = &r.metrics["wait_s.mean"];
    assert!(w.diff > 0.0 && w.ci95.unwrap()[0] > 0.0, "{w:?}");
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
        "id,arrival,queue,outcome,wait,handle,wrap_up,patience,agent,replication,language\n"
    ));
    assert!(
        csv.contains("\nb,10,retail,answered,50,60,,,a-1,0,es\n"),
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
