//! Explaining a run (issue 17): `run --trace` lines, their refusals adding up to
//! `rule_violations.by_rule`, a traced run's results equal to the untraced run's, `omnisim
//! explain` stories and exit codes, and the replayed dashboard of `report.html` at known moments
//! of `tests/conformance/rules-monitor-assign.toml`, read from headless Chromium's DOM.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use omnisim::report::{self, Report};
use omnisim::scenario::load_file;
use omnisim::sim::{self, DashOptions, RunOptions, TraceOptions};
use omnisim::trace::{Kind, TraceLine};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn temp_dir(tag: &str) -> crate::procs::TempDir {
    crate::procs::TempDir::new(&format!("explain-{tag}"))
}

fn traced(
    scenario: &str,
    tag: &str,
) -> (
    Vec<TraceLine>,
    omnisim::report::Summary,
    crate::procs::TempDir,
) {
    let sc = load_file(&root().join(scenario)).expect("scenario loads");
    let dir = temp_dir(tag);
    let opts = RunOptions {
        trace: Some(TraceOptions {
            dir: dir.to_path_buf(),
            replication: None,
            errors: Default::default(),
        }),
        ..RunOptions::default()
    };
    let out = sim::run(&sc, &opts, &|_, _, _| {});
    let reps: Vec<u32> = (0..out.replications).collect();
    let path = sim::observe::assemble(&dir, &reps).expect("trace assembled");
    let lines = std::fs::read_to_string(&path)
        .expect("trace")
        .lines()
        .map(|l| serde_json::from_str::<TraceLine>(l).expect("a trace line"))
        .collect();
    (lines, report::build(&sc, &out), dir)
}

/// `rule_violations.by_rule` without its zero counts.
fn counted(s: &omnisim::report::Summary) -> BTreeMap<String, u64> {
    s.rule_violations
        .by_rule
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| (k.clone(), *n))
        .collect()
}

fn refusals_by_rule(lines: &[TraceLine]) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for l in lines.iter().filter(|l| l.kind == Kind::Refusal) {
        *m.entry(l.rule.clone().expect("a refusal names its rule"))
            .or_insert(0) += 1;
    }
    m
}

/// The conformance scenario's six refusals, one each of six rules (its header), appear as six
/// refusal lines; and every line carries the fields the contract fixes.
#[test]
fn refusal_lines_add_up_to_rule_violations_on_the_conformance_scenario() {
    let (lines, summary, dir) = traced("tests/conformance/rules-monitor-assign.toml", "conf");
    let by_rule = refusals_by_rule(&lines);
    assert_eq!(by_rule, counted(&summary));
    let expected: BTreeMap<String, u64> = [
        "ASSIGN-STATE",
        "ASSIGN-AGENT-QUEUE",
        "ASSIGN-QUEUE-SAME",
        "MON-CHANNEL",
        "MON-STATE",
        "MON-SCOPE",
    ]
    .into_iter()
    .map(|r| (r.to_string(), 1))
    .collect();
    assert_eq!(by_rule, expected);
    // Five arrivals, numbered 1 to 5 in arrival order: a, b, cases at 0 s, a at 10 s, a at 20 s.
    let arrivals: Vec<(f64, u64, String)> = lines
        .iter()
        .filter(|l| l.kind == Kind::Command && l.what == "arrive")
        .map(|l| (l.t, l.conversation.unwrap(), l.queue.clone().unwrap()))
        .collect();
    assert_eq!(
        arrivals,
        vec![
            (0.0, 1, "a".into()),
            (0.0, 2, "b".into()),
            (0.0, 3, "cases".into()),
            (10.0, 4, "a".into()),
            (20.0, 5, "a".into()),
        ]
    );
    // Every line round-trips with the fixed fields present.
    let text = std::fs::read_to_string(dir.join("trace.jsonl")).unwrap();
    for raw in text.lines() {
        let v: serde_json::Value = serde_json::from_str(raw).unwrap();
        for key in ["t", "replication", "kind", "conversation", "agent", "rule"] {
            assert!(v.get(key).is_some(), "{key} missing in {raw}");
        }
    }
    // The routing decision of conversation 5 at 1 h: b-1, the only member of queue b.
    let routed: Vec<&TraceLine> = lines
        .iter()
        .filter(|l| l.kind == Kind::Routing && l.what == "routed" && l.conversation == Some(5))
        .collect();
    assert_eq!(routed.len(), 1);
    assert_eq!(routed[0].agent.as_deref(), Some("b-1"));
    assert_eq!(routed[0].rule.as_deref(), Some("RT-METHOD"));
    assert_eq!(routed[0].t, 3600.0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// With a warm-up and five replications, refusals before warm-up are not counted and are not
/// refusal lines; the rest add up rule by rule. Tracing changes no result.
#[test]
fn refusal_lines_add_up_over_replications_with_warm_up_and_tracing_changes_nothing() {
    let (lines, summary, dir) = traced("scenarios/rules-playbook.toml", "playbook");
    let by_rule = refusals_by_rule(&lines);
    assert!(!by_rule.is_empty(), "the playbook has refusals");
    assert_eq!(by_rule, counted(&summary));
    let reps: Vec<u32> = lines.iter().map(|l| l.replication).collect();
    assert!(
        reps.windows(2).all(|w| w[0] <= w[1]),
        "replications in order"
    );
    assert_eq!(reps.last(), Some(&5));
    let sc = load_file(&root().join("scenarios/rules-playbook.toml")).unwrap();
    let plain = report::build(&sc, &sim::run(&sc, &RunOptions::default(), &|_, _, _| {}));
    let strip = |s: &omnisim::report::Summary| {
        let mut v = serde_json::to_value(s).unwrap();
        v.as_object_mut().unwrap().remove("engine");
        v
    };
    assert_eq!(strip(&plain), strip(&summary));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn omnisim(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args(args)
        .output()
        .expect("omnisim runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `omnisim explain` tells conversation 5's story in order, naming each rule, and exits 2 with
/// a suggestion for an unknown agent, an unknown conversation, or a run without a trace.
#[test]
fn explain_tells_the_story_and_refuses_unknown_subjects() {
    let dir = temp_dir("cli");
    let d = dir.to_str().unwrap();
    let scenario = root().join("tests/conformance/rules-monitor-assign.toml");
    let (code, _, err) = omnisim(&["explain", d, "--conversation", "5"]);
    assert_eq!(code, 2);
    assert!(err.contains("--trace"), "{err}");
    let (code, _, err) = omnisim(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        d,
        "--quiet",
        "--trace",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, story, err) = omnisim(&["explain", d, "--conversation", "5"]);
    assert_eq!(code, 0, "{err}");
    let expected = "Conversation 5, replication 1:
0:00:20 arrived in queue a
0:00:20 nobody in queue a could take it, so it waits (RT-METHOD): of its 1 member, 1 at capacity
0:03:00 lead tried to assign it to b-1: refused by ASSIGN-AGENT-QUEUE (counted in rule_violations)
0:04:00 lead tried to move it to queue a: refused by ASSIGN-QUEUE-SAME (counted in rule_violations)
0:06:00 lead tried to monitor it: refused by MON-STATE (counted in rule_violations)
0:10:00 lead moved it to queue b (accepted)
0:10:00 moved from queue a to b
0:10:00 nobody in queue b could take it, so it waits (RT-METHOD): of its 1 member, 1 at capacity
1:00:00 routed to b-1 by RT-METHOD (highest_capacity: most free units, 100); no other candidate
1:00:00 offered to b-1 (RT-INVITE)
1:00:00 open → active
1:00:00 b-1 accepted it after a wait of 0:59:40 in queues a (0:09:40) then b (0:50:00)
2:00:00 active → wrap_up
2:00:00 wrap_up → closed
2:00:00 closed (completed) 1:59:40 after it arrived
";
    assert_eq!(story, expected);
    let (code, story, _) = omnisim(&["explain", d, "--agent", "a-1"]);
    assert_eq!(code, 0);
    assert!(
        story.contains("0:01:00 100 units over capacity (CAP-OVER)"),
        "{story}"
    );
    assert!(story.contains("0:01:00 conversation 4: lead assigned it to a-1 (accepted)"));
    let (code, _, err) = omnisim(&["explain", d, "--agent", "a-2"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean \"a-1\""), "{err}");
    let (code, _, err) = omnisim(&["explain", d, "--conversation", "9"]);
    assert_eq!(code, 2);
    // The library says what exists; the command line adds the flag to try (5 is nearest 9).
    assert!(err.contains("1 to 5 (try --conversation 5)"), "{err}");
    let (code, _, err) = omnisim(&["explain", d, "--conversation", "1", "--replication", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("replication 1 only"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One element's `data-*` attributes, in the order given.
fn attrs(tag: &str, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| {
            let key = format!("{n}=\"");
            let at = tag.find(&key).unwrap_or_else(|| panic!("{n} in {tag}")) + key.len();
            tag[at..].split('"').next().unwrap().to_string()
        })
        .collect()
}

/// The rendered elements of a dumped DOM (scripts cut out, so their source does not count).
fn elements(dom: &str, marker: &str) -> Vec<String> {
    let mut body = String::new();
    let mut rest = dom;
    while let Some(i) = rest.find("<script") {
        body.push_str(&rest[..i]);
        rest = rest[i..].split_once("</script>").map_or("", |(_, r)| r);
    }
    body.push_str(rest);
    body.match_indices(marker)
        .map(|(i, _)| body[i..].split('>').next().unwrap().to_string())
        .collect()
}

/// The dashboard at fixed moments of the conformance scenario, as headless Chromium builds it
/// from `report.html#t=…` (the scenario's header has the timeline; every agent holds 100 of
/// 100 units per conversation). Skips with a note when Chromium is not installed.
#[test]
fn dashboard_replay_shows_units_and_states_at_known_moments() {
    let sc = load_file(&root().join("tests/conformance/rules-monitor-assign.toml")).unwrap();
    let opts = RunOptions {
        dashboard: Some(DashOptions {
            replication: 0,
            max_events: 10_000,
            from_ms: 0,
            to_ms: None,
        }),
        ..RunOptions::default()
    };
    let rep = Report::build(&sc, &sim::run(&sc, &opts, &|_, _, _| {}));
    let dir = temp_dir("dash");
    report::write_all(&dir, &rep).expect("written");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("id=\"dash-data\""));
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        println!("note: /usr/bin/chromium is not installed; the dashboard's DOM was not checked");
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }
    // (t, agents: name units over, conversations: id state queue)
    type Moment = (
        u32,
        Vec<(&'static str, u32, u32)>,
        Vec<(u32, &'static str, &'static str)>,
    );
    let moments: Vec<Moment> = vec![
        // 30 s: 1, 2, 3 taken at once; 4 (10 s) and 5 (20 s) wait in queue a behind a full a-1.
        (
            30,
            vec![("a-1", 100, 0), ("b-1", 100, 0), ("c-1", 100, 0)],
            vec![
                (1, "active", "a"),
                (2, "active", "b"),
                (3, "active", "cases"),
                (4, "open", "a"),
                (5, "open", "a"),
            ],
        ),
        // 90 s: the 1 m assignment gave 4 to a-1, 100 units over capacity.
        (
            90,
            vec![("a-1", 200, 100), ("b-1", 100, 0), ("c-1", 100, 0)],
            vec![
                (1, "active", "a"),
                (2, "active", "b"),
                (3, "active", "cases"),
                (4, "active", "a"),
                (5, "open", "a"),
            ],
        ),
        // 11 m: 5 was moved to queue b at 10 m and waits there.
        (
            660,
            vec![("a-1", 200, 100), ("b-1", 100, 0), ("c-1", 100, 0)],
            vec![
                (1, "active", "a"),
                (2, "active", "b"),
                (3, "active", "cases"),
                (4, "active", "a"),
                (5, "open", "b"),
            ],
        ),
        // 1 h 30 s: 1, 2, 3 ended at 1 h; b-1 took 5; 4 (accepted at 1 m) runs until 1 h 1 m.
        (
            3630,
            vec![("a-1", 100, 0), ("b-1", 100, 0), ("c-1", 0, 0)],
            vec![(4, "active", "a"), (5, "active", "b")],
        ),
    ];
    for (t, agents, convs) in moments {
        let profile = dir.join(format!("profile-{t}"));
        let url = format!("file://{}#t={t}", dir.join("report.html").display());
        let out = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--dump-dom")
            .arg(&url)
            .output()
            .expect("chromium runs");
        let dom = String::from_utf8_lossy(&out.stdout);
        let got_agents: Vec<(String, u32, u32)> = elements(&dom, "<tr data-agent=")
            .iter()
            .map(|e| {
                let a = attrs(e, &["data-agent", "data-units", "data-over"]);
                (a[0].clone(), a[1].parse().unwrap(), a[2].parse().unwrap())
            })
            .collect();
        let want: Vec<(String, u32, u32)> = agents
            .iter()
            .map(|(n, u, o)| (n.to_string(), *u, *o))
            .collect();
        assert_eq!(got_agents, want, "agents at t={t}");
        let got_convs: Vec<(u32, String, String)> = elements(&dom, "<tr data-conversation=")
            .iter()
            .map(|e| {
                let a = attrs(e, &["data-conversation", "data-state", "data-queue"]);
                (a[0].parse().unwrap(), a[1].clone(), a[2].clone())
            })
            .collect();
        let want: Vec<(u32, String, String)> = convs
            .iter()
            .map(|(i, s, q)| (*i, s.to_string(), q.to_string()))
            .collect();
        assert_eq!(got_convs, want, "conversations at t={t}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A conversation's id in `trace.jsonl` is its `id` in `conversations.csv` (`run --log`): the
/// same arrival time and queue for every conversation of every replication, both numbering
/// replications from 1.
#[test]
fn trace_ids_are_the_conversation_log_ids() {
    let dir = temp_dir("log");
    let d = dir.to_str().unwrap();
    let scenario = root().join("scenarios/rules-playbook.toml");
    let (code, _, err) = omnisim(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        d,
        "--quiet",
        "--trace",
        "--log",
        "--replications",
        "2",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut arrivals = BTreeMap::new();
    for raw in std::fs::read_to_string(dir.join("trace.jsonl"))
        .unwrap()
        .lines()
    {
        let l: TraceLine = serde_json::from_str(raw).unwrap();
        if l.kind == Kind::Command && l.what == "arrive" {
            arrivals.insert(
                (l.replication, l.conversation.unwrap()),
                (l.t, l.queue.unwrap()),
            );
        }
    }
    let csv = std::fs::read_to_string(dir.join("conversations.csv")).unwrap();
    let mut rows = 0;
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (id, arrival, queue, rep): (u64, f64, &str, u32) = (
            f[0].parse().unwrap(),
            f[1].parse().unwrap(),
            f[2],
            f[10].parse().unwrap(),
        );
        let got = arrivals.get(&(rep, id)).expect("the id is in the trace");
        assert_eq!(
            (got.0, got.1.as_str()),
            (arrival, queue),
            "conversation {id}"
        );
        rows += 1;
    }
    assert_eq!(rows, arrivals.len());
    assert!(rows > 500, "{rows}");
    std::fs::remove_dir_all(&dir).unwrap();
}
