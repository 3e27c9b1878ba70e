//! Issue 25 (a tester's finding): `fit`'s `actuals.json` of a run's own log against that run's
//! `summary.json`. Every figure a log carries is counted as the summary counts it (retry
//! contacts, later legs, every leg's handle time, the log's replications), what a history
//! cannot know is null with a note, `seed` is null, and `compare` shows the nulls "not
//! comparable": no regression. Scenarios with a warm-up are run without it (a run's summary
//! counts arrivals after its warm-up, its log holds them all), and chat-realistic without its
//! concurrency slowdown (the log's `handle` is the drawn work, not the slowed Active time) and
//! one tier-1 agent fewer (so customers abandon and retry).

use std::path::Path;

use super::procs::{json, run_in, temp_dir, text};

const COUNTS: [&str; 8] = [
    "arrived",
    "answered",
    "abandoned",
    "delayed",
    "closed",
    "in_system_at_end",
    "retrials",
    "transferred",
];

/// Runs `scenario` with `--log`, fits the log at `sl` and compares; returns (actuals, summary,
/// compare's stdout).
fn round_trip(
    dir: &Path,
    tag: &str,
    scenario: &Path,
    sl: &str,
) -> (serde_json::Value, serde_json::Value, String) {
    let run = format!("r-{tag}");
    let fit = format!("f-{tag}");
    let s = scenario.to_str().expect("utf-8 path");
    let o = run_in(
        dir,
        &[
            "run",
            s,
            "--log",
            "--out",
            &run,
            "--quiet",
            "--replications",
            "3",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{tag} run: {}", text(&o.stderr));
    let log = format!("{run}/conversations.csv");
    let o = run_in(dir, &["fit", &log, "--out", &fit, "--service-level", sl]);
    assert_eq!(o.status.code(), Some(0), "{tag} fit: {}", text(&o.stderr));
    let actuals = format!("{fit}/actuals.json");
    let summary = format!("{run}/summary.json");
    let o = run_in(
        dir,
        &["compare", &actuals, &summary, "--tolerance", "10%", "--all"],
    );
    let out = text(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{tag}: compare of a run's own actuals must show no regression:\n{out}{}",
        text(&o.stderr)
    );
    (json(&dir.join(&actuals)), json(&dir.join(&summary)), out)
}

/// `scenarios/NAME.toml` with each `(from, to)` line replaced, written into `dir`.
fn variant(dir: &Path, name: &str, edits: &[(&str, &str)]) -> std::path::PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
    let mut t = std::fs::read_to_string(src).expect("bundled scenario");
    for (from, to) in edits {
        t = t
            .lines()
            .map(|l| if l.starts_with(from) { *to } else { l })
            .collect::<Vec<_>>()
            .join("\n");
    }
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, t).expect("writes");
    p
}

fn assert_counts_equal(tag: &str, a: &serde_json::Value, s: &serde_json::Value) {
    for k in COUNTS {
        assert_eq!(
            a["conversations"][k], s["conversations"][k],
            "{tag}: conversations.{k}"
        );
    }
    assert_eq!(a["customers"], s["customers"], "{tag}: customers");
    assert_eq!(a["replications"], s["replications"], "{tag}: replications");
    let queues = s["queues"].as_object().expect("queues");
    for (q, qs) in queues {
        for k in ["arrived", "answered", "abandoned", "transferred_in"] {
            assert_eq!(a["queues"][q][k], qs[k], "{tag}: queues.{q}.{k}");
        }
    }
    assert!(a["seed"].is_null(), "{tag}: a history has no seed");
    assert!(a["overallocation"]["events"].is_null(), "{tag}");
    assert!(a["rule_violations"]["total"].is_null(), "{tag}");
    assert!(a["supervisor_actions"]["refused"].is_null(), "{tag}");
    let notes = a["notes"].to_string();
    assert!(notes.contains("overallocation is null"), "{tag}: {notes}");
}

#[test]
fn a_runs_own_log_gives_actuals_equal_to_its_summary() {
    let dir = temp_dir("fit-actuals");
    let bank = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bank-day.toml");
    // Retrials, transfers to a queue only a transfer reaches, abandonment.
    let chat = variant(
        &dir,
        "chat-realistic",
        &[
            ("warmup", "warmup = \"0s\""),
            ("concurrency_slowdown", ""),
            // Tier 1 a chat-agent short (no slowdown): customers abandon and come back.
            ("count = 4", "count = 3"),
        ],
    );
    // Supervisors (monitor, join, assign, force close, transfer) refused by rules.
    let rules = variant(&dir, "rules-playbook", &[("warmup", "warmup = \"0s\"")]);
    for (tag, sc, sl, handle) in [
        ("bank", bank.as_path(), "20s", true),
        ("chat", chat.as_path(), "60s", true),
        ("rules", rules.as_path(), "45s", false),
    ] {
        let (a, s, out) = round_trip(&dir, tag, sc, sl);
        assert_counts_equal(tag, &a, &s);
        if tag == "chat" {
            let c = &s["conversations"];
            assert!(c["retrials"].as_u64() > Some(0) && c["transferred"].as_u64() > Some(0));
        }
        if handle {
            // Every leg's handling, as the summary counts it.
            assert_eq!(a["handle_s"], s["handle_s"], "{tag}: handle_s");
        }
        assert!(out.contains("No regression"), "{tag}: {out}");
        if tag == "rules" {
            assert!(
                out.lines().any(|l| l.starts_with("rule_violations.total")
                    && l.contains("not comparable")),
                "{out}"
            );
        }
    }
}

/// A messaging center of a few single-conversation agents in two groups whose conversations
/// pause in Waiting (the agent takes another meanwhile; the rest is done later, perhaps by
/// another agent): the tester's shape.
const WAITING: &str = r#"[scenario]
name = "wspells"
horizon = "4h"
seed = 5
replications = 3
service_level = "60s"

[[workstreams]]
name = "msg"
channel = "messaging"
capacity_units = 100
handle_time = { dist = "lognormal", mean = "6m", sd = "3m" }
wrap_up_time = { dist = "exponential", mean = "30s" }
waiting_probability = 0.6
waiting_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "20m" }

[[queues]]
name = "q"
workstream = "msg"
arrivals = { rate = "20/h" }

[[agent_groups]]
name = "day"
count = 2
capacity = 100
queues = ["q"]

[[agent_groups]]
name = "late"
count = 1
capacity = 100
queues = ["q"]
"#;

/// Variant: multi-chat agents whose connection drops (their Active chats released back to the
/// queue after 60 s, the rest done by whoever takes them) and a wrap-up that frees the units
/// after 10 s of its 30 s.
const DISCONNECTS: &str = r#"[scenario]
name = "drops"
horizon = "3h"
seed = 9
replications = 3
service_level = "60s"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 50
handle_time = { dist = "exponential", mean = "6m" }
wrap_up_time = { dist = "constant", value = "30s" }
block_capacity_for_wrap_up = "10s"
patience = { dist = "exponential", mean = "10m" }

[[queues]]
name = "support"
workstream = "chat"
arrivals = { rate = "50/h" }

[[agent_groups]]
name = "agent"
count = 4
capacity = 100
queues = ["support"]
disconnects = { every = "20m", duration = { dist = "uniform", min = "30s", max = "5m" }, reconnect_timeout = "60s" }
"#;

/// Each agent group's `busy_s` of the actuals equals the run's, overall and per replication,
/// and `compare` tests it without a difference.
fn busy_equal(tag: &str, a: &serde_json::Value, s: &serde_json::Value, out: &str) {
    let groups = s["agent_groups"].as_object().expect("groups");
    for g in groups.keys() {
        let (ab, sb) = (
            &a["agent_groups"][g]["busy_s"],
            &s["agent_groups"][g]["busy_s"],
        );
        let (x, y) = (ab.as_f64().expect("a number"), sb.as_f64().unwrap());
        assert!(
            y > 0.0 && (x - y).abs() <= 1e-9 * y,
            "{tag} {g}: {x} vs {y}"
        );
        let reps = s["by_replication"].as_array().unwrap();
        for (i, r) in reps.iter().enumerate() {
            let (x, y) = (
                a["by_replication"][i]["agent_groups"][g]["busy_s"]
                    .as_f64()
                    .unwrap(),
                r["agent_groups"][g]["busy_s"].as_f64().unwrap(),
            );
            assert!(
                (x - y).abs() <= 1e-9 * y.max(1.0),
                "{tag} {g} rep {i}: {x} vs {y}"
            );
        }
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("agent_groups.{g}.busy_s ")))
            .unwrap_or_else(|| panic!("{tag}: no busy_s row: {out}"));
        assert!(
            !line.contains("not comparable") && !line.contains("significant"),
            "{tag}: {line}"
        );
        assert_eq!(
            a["agent_groups"][g]["conversations"],
            s["agent_groups"][g]["conversations"]
        );
    }
}

/// Issue 25, fifteenth session (a tester: fit's busy_s 86,889 against the run's 101,766,
/// "changed, significant"): fit counted a row from acceptance to acceptance + handle +
/// wrap-up and could not see a Waiting spell's gap nor a release. The log's `busy` column
/// gives each spell, so the actuals of a run's own log equal its summary's busy time.
#[test]
fn busy_time_of_a_runs_own_log_with_waiting_spells_and_releases() {
    let dir = temp_dir("fit-busy");
    for (tag, toml) in [("waiting", WAITING), ("drops", DISCONNECTS)] {
        let sc = dir.join(format!("{tag}.toml"));
        std::fs::write(&sc, toml).expect("writes");
        let (a, s, out) = round_trip(&dir, tag, &sc, "60s");
        assert_counts_equal(tag, &a, &s);
        busy_equal(tag, &a, &s, &out);
        let log =
            std::fs::read_to_string(dir.join(format!("r-{tag}/conversations.csv"))).expect("log");
        assert!(
            log.lines().next().unwrap().contains(",replication,busy"),
            "{tag}"
        );
        if tag == "waiting" {
            // A handling split by a Waiting spell: two spells in one cell.
            assert!(log.contains("],["), "{tag}: no split handling");
        } else {
            assert!(
                s["conversations"]["released"].as_u64() > Some(0),
                "{tag}: no release"
            );
        }
    }
}

/// Variant: a history without the column (an older log, an export, a log of plain handlings)
/// reads each answered row as one spell, with a note that says what that misses; with the
/// column, a row's cell gives its spells (one agent's overlaps counted once) and a row without
/// one is a plain spell; a bad cell is an error at its line and column.
#[test]
fn a_history_without_busy_spells_has_no_busy_time() {
    let dir = temp_dir("fit-busy-none");
    let h = "arrival,queue,outcome,wait,handle,wrap_up,agent,agent_group\n\
             2003-03-03T09:00:00,q,answered,0,100,10,a-1,agents\n\
             2003-03-03T09:00:50,q,answered,0,100,0,a-1,agents\n";
    std::fs::write(dir.join("h.csv"), h).expect("writes");
    let o = run_in(&dir, &["fit", "h.csv", "--out", "f"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let a = json(&dir.join("f/actuals.json"));
    assert_eq!(a["agent_groups"]["agents"]["conversations"], 2);
    // a-1: 0–110 and 50–150: 150 s.
    assert_eq!(a["agent_groups"]["agents"]["busy_s"], 150.0, "{a}");
    assert!(
        a["notes"].to_string().contains("no `busy` column"),
        "{}",
        a["notes"]
    );
    // With the spells (a-1 from 09:00 for 110 s, from 09:00:50 for 100 s): 150 s, not 210.
    let h = "arrival,queue,outcome,wait,handle,wrap_up,agent,agent_group,busy\n\
             2003-03-03T09:00:00,q,answered,0,100,10,a-1,agents,\"[[0,110,\"\"a-1\"\",\"\"agents\"\"]]\"\n\
             2003-03-03T09:00:50,q,answered,0,100,0,a-1,agents,\"[[0,30,\"\"a-1\"\",\"\"agents\"\"],[90,70,\"\"a-2\"\",\"\"agents\"\"]]\"\n\
             2003-03-03T09:10:00,q,answered,5,50,0,a-2,agents,\n";
    std::fs::write(dir.join("b.csv"), h).expect("writes");
    let o = run_in(&dir, &["fit", "b.csv", "--out", "b"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let a = json(&dir.join("b/actuals.json"));
    // a-1: 0–110 and 50–80 (one span, 110 s); a-2: 140–210 (70 s) and, without a cell,
    // 605–655 (50 s).
    assert_eq!(a["agent_groups"]["agents"]["busy_s"], 230.0, "{a}");
    assert!(
        !a["notes"].to_string().contains("no `busy` column"),
        "{}",
        a["notes"]
    );
    let bad = "arrival,queue,outcome,wait,handle,agent,busy\n\
               2003-03-03T09:00:00,q,answered,0,100,a-1,soon\n\
               2003-03-03T09:01:00,q,answered,0,100,a-1,\"[[-1,5,\"\"a-1\"\",\"\"g\"\"]]\"\n";
    std::fs::write(dir.join("bad.csv"), bad).expect("writes");
    let o = run_in(&dir, &["fit", "bad.csv", "--out", "x"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.csv:2:7: busy: \"soon\" is not a list of busy spells"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv:3:7: busy:") && err.contains("spell 1 needs"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Overflow ending conversations that waited 2 minutes (unified routing: a summary has
/// `conversations.overflowed`, each queue's `overflowed`, `overflow`, `routing`), a
/// supervisor policy (`policies`) and `short_abandon` (`short_abandoned`), a waited_over
/// transfer first in `front` (a move a log shows in `ended_in`) so some end in a queue they
/// did not arrive at.
const OVERFLOWING: &str = r#"[scenario]
name = "over"
horizon = "3h"
seed = 3
replications = 3
service_level = "60s"
short_abandon = "5s"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "exponential", mean = "3m" }

[[queues]]
name = "front"
workstream = "chat"
arrivals = { rate = "30/h" }

[[queues.overflow]]
when = "waited_over"
after = "1m"
action = "transfer"
queue = "back"

[[queues]]
name = "back"
workstream = "chat"
arrivals = { rate = "20/h" }

[[queues.overflow]]
when = "waited_over"
after = "2m"
action = "end"

[[agent_groups]]
name = "agent"
count = 4
capacity = 100
queues = ["front", "back"]

[[supervisors]]
name = "lead"
queues = ["front", "back"]

[[supervisors.policies]]
name = "watch"
every = "1m"
when = { state = "active" }
action = { monitor = true }
"#;

/// The numeric leaves of `v` under their dotted paths (array elements as `.0`, `.1`).
fn leaves(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| leaves(x, &at(k), out)),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| leaves(x, &at(&i.to_string()), out)),
        serde_json::Value::Number(_) => out.push(path.to_string()),
        _ => {}
    }
}

/// Issue 25, sixteenth session: a summary's `conversations.overflowed` (and each queue's) had
/// no figure in `actuals.json` and no reason, nor had `policies`, `overflow` and `routing`:
/// `compare` showed them "not comparable (not in a history)" with nothing saying why. The
/// log's overflowed rows give the run's figures exactly; what a history cannot hold is named
/// in the notes. The kind, closed: every numeric figure of the run's summary (compare's, so
/// not `engine`, `seed`, `thresholds`, `by_replication`) is in `actuals.json` or named by a
/// note of it.
#[test]
fn every_figure_of_a_summary_is_in_actuals_or_named_in_its_notes() {
    let dir = temp_dir("fit-overflow");
    let sc = dir.join("over.toml");
    std::fs::write(&sc, OVERFLOWING).expect("writes");
    let (a, s, out) = round_trip(&dir, "over", &sc, "60s");
    assert_counts_equal("over", &a, &s);
    let over = &s["conversations"]["overflowed"];
    assert!(
        over.as_u64() > Some(0),
        "no overflow: {}",
        s["conversations"]
    );
    assert_eq!(a["conversations"]["overflowed"], *over);
    for q in ["front", "back"] {
        assert_eq!(
            a["queues"][q]["overflowed"], s["queues"][q]["overflowed"],
            "{q}"
        );
    }
    for (i, r) in s["by_replication"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            a["by_replication"][i]["conversations"]["overflowed"], r["conversations"]["overflowed"],
            "replication {i}"
        );
    }
    let line = out
        .lines()
        .find(|l| l.starts_with("conversations.overflowed"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(!line.contains("not comparable"), "{line}");
    // Every figure: in actuals.json, or under a path a note names.
    let notes: Vec<&str> = a["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    let mut paths = Vec::new();
    leaves(&s, "", &mut paths);
    let skip = ["engine.", "by_replication.", "thresholds.", "seed"];
    let mut missing = Vec::new();
    for p in paths
        .iter()
        .filter(|p| !skip.iter().any(|k| p.starts_with(k)))
    {
        let mut at = Some(&a);
        for k in p.split('.') {
            at = at.and_then(|x| x.get(k).or_else(|| x.get(k.parse::<usize>().ok()?)));
        }
        // A note's path names `p` or a prefix of it, `*` standing for any one key.
        let noted = notes.iter().any(|n| {
            let named: Vec<&str> = n.split(' ').next().unwrap_or("").split('.').collect();
            let keys: Vec<&str> = p.split('.').collect();
            keys.len() >= named.len()
                && named.iter().zip(&keys).all(|(a, b)| a == b || *a == "*")
                && (n.contains(" is null (not comparable): ")
                    || n.contains(" is absent (not comparable): "))
        });
        if at.is_none() && !noted {
            missing.push(p.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "neither in actuals.json nor noted: {missing:?}\n{notes:?}"
    );
    assert!(s["policies"]["lead/watch"]["accepted"].as_u64() > Some(0));
    assert!(notes
        .iter()
        .any(|n| n.starts_with("policies is absent (not comparable)")));
    assert!(s["conversations"]["short_abandoned"].as_u64() > Some(0));
}
