//! A twentieth fresh tester (branch `fixf-14`): after a Waiting spell the whole handle time
//! started again (`tests/data/tester20/wspell.toml`: 600 s of work, a 60 s spell, 625 s Active;
//! summary.json said 625 where conversations.csv said 600), and the trace and `explain` called
//! the time since arrival of every acceptance a wait ("a-1 accepted it after a wait of 0:01:25"
//! for 25 s Active and 60 s away; the log's wait is 0).
//!
//! The kind: a handling's work is drawn once, and whatever suspends it (a Waiting spell, a
//! release back to the queue when its agent stays disconnected) resumes the rest, also when a
//! slowdown shares it out; every output (summary.json, conversations.csv, series.csv,
//! agents.csv, the trace, `explain`, `fit`'s actuals, a replay, `run --engine`) counts the same
//! handle time and waits. An `accepted` line's `waited_s` is the wait docs/metrics.md counts
//! for that acceptance (absent when it resumes a handling).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::procs::{json, run_in, temp_dir, text};

const BIN: &str = env!("CARGO_BIN_EXE_omnisim");

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/tester20")
        .join(name)
}

/// Runs `omnisim ARGS…` in `dir`, asserting exit 0; its stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let o = run_in(dir, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
    text(&o.stdout)
}

/// `fit LOG --service-level 60s --out OUT` in `dir`, and the `actuals.json` it wrote.
fn fit_actuals(dir: &Path, log: &str, out: &str) -> serde_json::Value {
    ok(dir, &["fit", log, "--service-level", "60s", "--out", out]);
    json(&dir.join(out).join("actuals.json"))
}

/// A CSV file's rows as maps from header to cell (no quoted cells in these files).
fn csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let t = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = t.lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|l| {
            head.iter()
                .zip(l.split(','))
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect()
}

fn trace(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("trace")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Seconds as whole milliseconds (the simulator's clock).
fn ms(s: f64) -> i64 {
    (s * 1000.0).round() as i64
}

fn ms_of(cell: &str) -> i64 {
    ms(cell
        .parse::<f64>()
        .unwrap_or_else(|_| panic!("a number: {cell:?}")))
}

/// `summary.json` without its wall-clock `engine` object.
fn summary(path: &Path) -> serde_json::Value {
    let mut v = json(path);
    v.as_object_mut().expect("object").remove("engine");
    v
}

/// Per (replication, conversation id, leg): the Active time in the trace (ms), summed over its
/// spells (an `→ active` state line to the next `active →` one; a transfer at the end of
/// handling starts the next leg); and what each `accepted` line of that leg said.
#[derive(Debug, Default)]
struct Leg {
    active_ms: i64,
    /// (`waited_s`, `in_system_s`, `detail`) of each acceptance, in order.
    accepted: Vec<(Option<f64>, Option<f64>, Option<String>)>,
}

fn legs(lines: &[serde_json::Value]) -> BTreeMap<(u64, u64, u32), Leg> {
    let mut legs: BTreeMap<(u64, u64, u32), Leg> = BTreeMap::new();
    let mut leg_of: BTreeMap<(u64, u64), u32> = BTreeMap::new();
    let mut since: BTreeMap<(u64, u64), i64> = BTreeMap::new();
    for l in lines {
        let (Some(rep), Some(c)) = (l["replication"].as_u64(), l["conversation"].as_u64()) else {
            continue;
        };
        let key = (rep, c);
        let t = ms(l["t"].as_f64().expect("t"));
        let leg = *leg_of.entry(key).or_insert(1);
        match (l["kind"].as_str(), l["what"].as_str()) {
            (Some("effect"), Some("state")) => {
                if l["to"] == "active" {
                    since.insert(key, t);
                } else if l["from"] == "active" {
                    let from = since.remove(&key).expect("an Active spell began");
                    legs.entry((rep, c, leg)).or_default().active_ms += t - from;
                }
            }
            (Some("effect"), Some("accepted")) => {
                legs.entry((rep, c, leg)).or_default().accepted.push((
                    l["waited_s"].as_f64(),
                    l["in_system_s"].as_f64(),
                    l["detail"].as_str().map(String::from),
                ));
            }
            // Its handling ended in this queue; the spell closes on the state line after it.
            (Some("command"), Some("transfer_to_queue")) if l["ok"] == true => {
                let a = t - since.remove(&key).expect("Active when transferred");
                legs.entry((rep, c, leg)).or_default().active_ms += a;
                since.insert(key, t);
                leg_of.insert(key, leg + 1);
            }
            _ => {}
        }
    }
    legs
}

/// Every answered leg of the log: its Active time in the trace is its `handle`, its first
/// acceptance's `waited_s` its `wait`, and a later acceptance of the leg (a handling resumed)
/// has no `waited_s` but a `resumed: …` detail and its time since arrival. Returns how many
/// acceptances resumed a handling.
fn check_log_against_trace(tag: &str, log: &Path, lines: &[serde_json::Value]) -> usize {
    let legs = legs(lines);
    let mut resumed = 0;
    let mut answered = 0;
    for r in csv(log) {
        if r["outcome"] != "answered" {
            continue;
        }
        answered += 1;
        let rep: u64 = r["replication"].parse().expect("replication");
        let id: u64 = r["id"].parse().expect("id");
        let leg: u32 = r.get("leg").map_or(1, |l| l.parse().expect("leg"));
        let what = format!("{tag}: conversation {id} leg {leg} of replication {rep}");
        let l = legs
            .get(&(rep, id, leg))
            .unwrap_or_else(|| panic!("{what}: not traced"));
        // A handling still Active when the run stopped is not here (none in these runs).
        assert_eq!(
            l.active_ms,
            ms_of(&r["handle"]),
            "{what}: Active time against handle"
        );
        let (first, rest) = l.accepted.split_first().expect("accepted");
        assert_eq!(first.0.map(ms), Some(ms_of(&r["wait"])), "{what}: waited_s");
        assert_eq!(first.2, None, "{what}");
        if leg == 1 {
            assert_eq!(
                first.1, None,
                "{what}: a first acceptance's waited_s is that"
            );
        } else {
            assert!(first.1 > first.0, "{what}: since arrival {:?}", first.1);
        }
        for (waited, in_system, detail) in rest {
            resumed += 1;
            assert_eq!(*waited, None, "{what}: a resumed handling ends no wait");
            assert!(in_system.is_some(), "{what}");
            assert!(
                detail
                    .as_deref()
                    .is_some_and(|d| d.starts_with("resumed: ")),
                "{what}"
            );
        }
    }
    assert!(answered > 0, "{tag}");
    resumed
}

#[test]
fn a_waiting_spell_resumes_the_rest_of_the_handle_time_in_every_output() {
    let dir = temp_dir("tester20-wspell");
    let sc = data("wspell.toml");
    let s = sc.to_str().expect("utf-8");
    ok(
        &dir,
        &["run", s, "--log", "--trace", "--out", "w", "--quiet"],
    );
    let sum = json(&dir.join("w/summary.json"));
    // 600 s of work: 25.336 s before the spell, 574.664 s after it (was 600 after it: 625).
    for k in ["mean", "p50", "p90"] {
        assert_eq!(
            sum["handle_s"][k], 600.0,
            "handle_s.{k}: {}",
            sum["handle_s"]
        );
    }
    assert_eq!(sum["agent_groups"]["a"]["busy_s"], 600.0);
    // One conversation, taken up again after the spell: counted once (the twenty-first
    // tester: 2 in summary.json and agents.csv, 1 in the log and in fit's actuals).
    assert_eq!(sum["agent_groups"]["a"]["conversations"], 1);
    let rows = csv(&dir.join("w/conversations.csv"));
    assert_eq!(
        (rows[0]["handle"].as_str(), rows[0]["wait"].as_str()),
        ("600", "0")
    );
    let agents = csv(&dir.join("w/agents.csv"));
    assert_eq!(agents[0]["busy_s"], "600");
    assert_eq!(agents[0]["conversations"], "1", "{:?}", agents[0]);
    let series = csv(&dir.join("w/series.csv"));
    // One agent, its 100 units held 600 s of the first 900 s interval.
    assert_eq!(series[0]["occupancy"], "0.666667", "{:?}", series[0]);

    let lines = trace(&dir.join("w/trace.jsonl"));
    assert_eq!(
        check_log_against_trace("wspell", &dir.join("w/conversations.csv"), &lines),
        1
    );
    let accepted: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["what"] == "accepted").collect();
    assert_eq!(accepted.len(), 2);
    assert_eq!(accepted[0]["waited_s"], 0.0);
    assert!(accepted[1].get("waited_s").is_none(), "{}", accepted[1]);
    assert_eq!(accepted[1]["in_system_s"], 85.336);
    assert_eq!(
        accepted[1]["detail"],
        "resumed: the customer came back from Waiting"
    );
    let end = lines
        .iter()
        .find(|l| l["what"] == "state" && l["to"] == "wrap_up")
        .expect("wrap-up");
    assert_eq!(end["t"], 660.0, "85.336 + 574.664");

    let story = ok(&dir, &["explain", "w", "--conversation", "1"]);
    assert!(
        story.contains(
            "0:01:25 a-1 took it up again 0:00:00 after the customer came back from Waiting: \
             the rest of its handling, not a wait (its wait, until its first acceptance, was \
             0:00:00)\n"
        ),
        "{story}"
    );
    assert!(story.contains("0:11:00 active → wrap_up\n"), "{story}");
    assert!(!story.contains("after a wait of 0:01:25"), "{story}");

    // fit's actuals of the log equal the summary.
    let actuals = fit_actuals(&dir, "w/conversations.csv", "f");
    assert_eq!(actuals["handle_s"], sum["handle_s"]);
    assert_eq!(actuals["wait_s"], sum["wait_s"]);

    // Replaying the log, and the engine as a service, count the same.
    let replay = dir.join("replay.toml");
    let t = std::fs::read_to_string(&sc).expect("scenario");
    let t = t.replace("arrivals = { times = [\"0s\"] }\n", "");
    let log = dir.join("w/conversations.csv");
    std::fs::write(&replay, format!("{t}\n[traffic]\nreplay = {:?}\n", log)).expect("writes");
    ok(
        &dir,
        &[
            "run",
            replay.to_str().expect("utf-8"),
            "--out",
            "r",
            "--quiet",
        ],
    );
    assert_eq!(
        json(&dir.join("r/summary.json"))["handle_s"],
        sum["handle_s"]
    );
    let engine = format!("cmd:{BIN} serve {s} --stdio");
    ok(
        &dir,
        &["run", s, "--engine", &engine, "--out", "e", "--quiet"],
    );
    assert_eq!(
        summary(&dir.join("e/summary.json")),
        summary(&dir.join("w/summary.json"))
    );
}

/// A messaging center with random handle times, a Waiting spell in half the handlings, a
/// transfer at the end of handling in a third, and `extra` lines in its agent group.
fn random_center(dir: &Path, name: &str, extra: &str, ws_extra: &str) -> PathBuf {
    let t = format!(
        r#"[scenario]
name = "{name}"
horizon = "3h"
seed = 7
replications = 2
service_level = "60s"

[[workstreams]]
name = "msg"
channel = "messaging"
capacity_units = 25
handle_time = {{ dist = "lognormal", mean = "8m", sd = "4m" }}
wrap_up_time = {{ dist = "exponential", mean = "30s" }}
waiting_probability = 0.5
waiting_time = {{ dist = "exponential", mean = "3m" }}
transfer = {{ probability = 0.3, queue = "tier2" }}
{ws_extra}

[[workstreams]]
name = "msg2"
channel = "messaging"
capacity_units = 25
handle_time = {{ dist = "exponential", mean = "5m" }}
waiting_probability = 0.5
waiting_time = {{ dist = "uniform", min = "30s", max = "4m" }}

[[queues]]
name = "q"
workstream = "msg"
arrivals = {{ rate = "40/h" }}

[[queues]]
name = "tier2"
workstream = "msg2"

[[agent_groups]]
name = "a"
count = 3
capacity = 100
queues = ["q", "tier2"]
{extra}
"#
    );
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, t).expect("writes");
    p
}

#[test]
fn random_handles_with_waiting_spells_and_transfers_count_alike_everywhere() {
    let dir = temp_dir("tester20-random");
    let sc = random_center(&dir, "random", "", "");
    let s = sc.to_str().expect("utf-8");
    ok(
        &dir,
        &["run", s, "--log", "--trace", "--out", "w", "--quiet"],
    );
    let lines = trace(&dir.join("w/trace.jsonl"));
    let log = dir.join("w/conversations.csv");
    let resumed = check_log_against_trace("random", &log, &lines);
    assert!(resumed > 20, "Waiting spells resumed: {resumed}");
    let legs = csv(&log).iter().filter(|r| r["leg"] == "2").count();
    assert!(legs > 10, "transferred legs: {legs}");

    let sum = json(&dir.join("w/summary.json"));
    let actuals = fit_actuals(&dir, "w/conversations.csv", "f");
    for k in ["handle_s", "wait_s", "service_level"] {
        assert_eq!(actuals[k], sum[k], "{k}");
    }
    // Per replication too (what `compare` tests).
    for (a, s) in actuals["by_replication"]
        .as_array()
        .expect("rows")
        .iter()
        .zip(sum["by_replication"].as_array().expect("rows"))
    {
        assert_eq!(a["handle_s"], s["handle_s"]);
    }
    let engine = format!("cmd:{BIN} serve {s} --stdio");
    ok(
        &dir,
        &["run", s, "--engine", &engine, "--out", "e", "--quiet"],
    );
    assert_eq!(
        summary(&dir.join("e/summary.json")),
        summary(&dir.join("w/summary.json"))
    );
}

#[test]
fn a_release_back_to_the_queue_and_a_slowed_share_resume_the_rest_too() {
    let dir = temp_dir("tester20-release");
    // Agents drop for 2–4 minutes about every 20 minutes and are released after 30 s; the
    // second center also shares work out (a slowdown of 1: the shared path, no slower).
    let drops = "disconnects = { every = \"20m\", duration = { dist = \"uniform\", min = \"2m\", \
                 max = \"4m\" }, reconnect_timeout = \"30s\" }";
    for (name, ws) in [
        ("released", ""),
        ("shared", "concurrency_slowdown = [1.0, 1.0]"),
    ] {
        let sc = random_center(&dir, name, drops, ws);
        let s = sc.to_str().expect("utf-8");
        let out = format!("w-{name}");
        ok(
            &dir,
            &["run", s, "--log", "--trace", "--out", &out, "--quiet"],
        );
        let sum = json(&dir.join(&out).join("summary.json"));
        let released = sum["conversations"]["released"].as_u64().expect("released");
        assert!(released > 5, "{name}: released {released}");
        let lines = trace(&dir.join(&out).join("trace.jsonl"));
        let log = dir.join(&out).join("conversations.csv");
        let resumed = check_log_against_trace(name, &log, &lines);
        let after_release = lines
            .iter()
            .filter(|l| l["detail"] == "resumed: released back to the queue")
            .count();
        assert!(
            after_release > 5 && resumed > after_release,
            "{name}: {after_release}"
        );
        let actuals = fit_actuals(&dir, log.to_str().expect("utf-8"), &format!("f-{name}"));
        assert_eq!(actuals["handle_s"], sum["handle_s"], "{name}");
    }
}
