//! Issue 25, "long jobs and odd inputs: nothing lost, nothing hung" (fixb, thirteenth
//! session), each fault fixed for its kind: every CSV reader numbers lines alike for LF, CRLF,
//! CR-only and mixed line ends; `fit`, `forecast`, `merge` and `conform` leave no older run's
//! file in their folder however they end; "did you mean" prefers a name equal but for case;
//! a supervisor policy giving a conversation up is in the trace and in `explain`, whose
//! stories fold runs of identical steps.

use crate::procs::{names, run_in, text, TempDir};
use std::path::Path;

fn dir(tag: &str) -> TempDir {
    TempDir::new(&format!("it-fixb13-{tag}"))
}

/// `omnisim ARGS…` in `dir`: exit code, stdout and stderr.
fn omnisim(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o = run_in(dir, args);
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

/// The line-end styles a file may be saved with: LF, CRLF, CR alone, and a mix of the three.
fn styles(lf: &str) -> Vec<(&'static str, String)> {
    let mixed: String = lf
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| match i % 3 {
            0 => l.replace('\n', "\r"),
            1 => l.replace('\n', "\r\n"),
            _ => l.to_string(),
        })
        .collect();
    vec![
        ("lf", lf.to_string()),
        ("crlf", lf.replace('\n', "\r\n")),
        ("cr", lf.replace('\n', "\r")),
        ("mixed", mixed),
    ]
}

const HISTORY: &str =
    "id,arrival,queue,outcome,wait,handle,wrap_up,patience,agent,replication,ended_in
1,7.312,a,answered,0,326.897,,119.128,ga-1,1,
2,53.179,a,answered,0,996.257,,1705.287,ga-2,1,

3,58.637,a,abandoned,-5,,,30.385,,1,
4,176.67,a,answered,0,172.359,,177.894,ga-3,1,
5,209.728,a,answered,x,499.789,,222.264,ga-4,1,
";

/// The tester's example: a CR-only history reported every problem at line 1 (fit). Variant:
/// CRLF and mixed line ends, a blank line before the problem; each style reports the same
/// lines and columns, and the same problems.
#[test]
fn fit_reports_the_same_lines_for_every_line_end_style() {
    let d = dir("fit-ends");
    let mut seen = Vec::new();
    for (tag, body) in styles(HISTORY) {
        let file = format!("h-{tag}.csv");
        std::fs::write(d.join(&file), body).unwrap();
        let out = format!("o-{tag}");
        let (code, _, err) = omnisim(&d, &["fit", &file, "--out", &out]);
        assert_eq!(code, Some(2), "{tag}: {err}");
        assert!(err.contains(&format!("{file}:5:5: wait:")), "{tag}: {err}");
        assert!(err.contains(&format!("{file}:7:5: wait:")), "{tag}: {err}");
        seen.push(err.replace(&file, "h.csv"));
    }
    assert!(seen.iter().all(|e| e == &seen[0]), "{seen:#?}");
}

/// Variant of another reader: a roster (`[traffic] roster`, read by `validate`) saved with
/// CR-only or mixed line ends names each bad row's own line.
#[test]
fn a_roster_reports_the_same_lines_for_every_line_end_style() {
    let d = dir("roster-ends");
    let roster = "agent,queues,shift_start,shift_end
ann,q,2026-03-02T08:00,2026-03-02T16:00
bob,x,2026-03-02T08:00,2026-03-02T16:00

cy,q,2026-03-02T10:00,2026-03-02T09:00
";
    for (tag, body) in styles(roster) {
        std::fs::write(d.join("r.csv"), body).unwrap();
        std::fs::write(
            d.join("s.toml"),
            r#"[scenario]
name = "s"
start = "2026-03-02T00:00"
horizon = "1d"
replications = 1
[[workstreams]]
name = "w"
channel = "voice"
handle_time = "4m"
[[queues]]
name = "q"
workstream = "w"
arrivals = { rate = "10/h" }
[traffic]
roster = "r.csv"
"#,
        )
        .unwrap();
        let (code, _, err) = omnisim(&d, &["validate", "s.toml"]);
        assert_eq!(code, Some(2), "{tag}: {err}");
        assert!(
            err.contains("r.csv:3:2: queues: unknown queue"),
            "{tag}: {err}"
        );
        assert!(err.contains("r.csv:5:4: shift_end"), "{tag}: {err}");
        assert!(!err.contains("r.csv:1:"), "{tag}: {err}");
    }
}

/// The tester's example: a `fit` that fails (a bad history) left the older fit's four files,
/// read as its own. Variant: `forecast` likewise; another file in the folder stays.
#[test]
fn a_failed_fit_or_forecast_leaves_no_older_file_of_its_own() {
    let d = dir("stale");
    std::fs::write(d.join("bad.csv"), HISTORY).unwrap();
    let out = d.join("out");
    std::fs::create_dir_all(&out).unwrap();
    for name in [
        "fitted.toml",
        "fit.json",
        "actuals.json",
        "fit.html",
        "forecast.csv",
        "forecast.json",
        "forecast.html",
        "notes.txt",
    ] {
        std::fs::write(out.join(name), "an older run's\n").unwrap();
    }
    let (code, _, err) = omnisim(&d, &["fit", "bad.csv", "--out", "out"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(
        names(&out),
        [
            "forecast.csv",
            "forecast.html",
            "forecast.json",
            "notes.txt"
        ]
    );
    std::fs::write(d.join("bad-fc.csv"), "arrival,queue\n12,a\nnot a time,a\n").unwrap();
    let (code, _, err) = omnisim(&d, &["forecast", "bad-fc.csv", "--out", "out"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(names(&out), ["notes.txt"], "{err}");
}

/// The tester's example: a key `C` suggested "a" while `c` exists (a queue named in another
/// case). Variant: a command-line value, `conform --rule assign-capacity`.
#[test]
fn a_name_equal_but_for_case_is_suggested_first() {
    let d = dir("case");
    std::fs::write(
        d.join("s.toml"),
        r#"[scenario]
name = "s"
horizon = "1h"
replications = 1
[[workstreams]]
name = "w"
channel = "voice"
handle_time = "4m"
[[queues]]
name = "a"
workstream = "w"
arrivals = { rate = "10/h" }
[[queues]]
name = "c"
workstream = "w"
arrivals = { rate = "10/h" }
[[agent_groups]]
name = "g"
count = 2
queues = ["a", "C"]
"#,
    )
    .unwrap();
    let (code, _, err) = omnisim(&d, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("did you mean \"c\"?"), "{err}");
    assert!(!err.contains("did you mean \"a\""), "{err}");
    let (code, _, err) = omnisim(
        &d,
        &[
            "conform",
            "--engine",
            "cmd:true",
            "--rule",
            "assign-capacity",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("did you mean \"ASSIGN-CAPACITY\"?"), "{err}");
}

const GIVEUP: &str = r#"[scenario]
name = "giveup"
horizon = "1h"
seed = 1
replications = 1
[engine]
overallocation = "deny"
[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "exponential", mean = "2h" }
[[queues]]
name = "support"
workstream = "chat"
arrivals = { rate = "10/h" }
[[queues]]
name = "other"
workstream = "chat"
[[agent_groups]]
name = "agent"
count = 1
capacity = 100
queues = ["support"]
[[supervisors]]
name = "s"
queues = ["support"]
[[supervisors.policies]]
name = "p"
every = "10ms"
when = { state = ["open", "active"] }
action = { assign_to = "queue", queue = "other" }
"#;

/// The tester's example: `explain` of a conversation policy s/p gave up printed its 10,000
/// refusals and never said so. Now the trace has one `gave_up` line per conversation given up
/// (as many as `given_up` counts), the story says "policy s/p gave up after 10,000 attempts"
/// and folds the refusals. Variant: refusals 100 ms apart, identical but for their times, are
/// folded too (the count gives the last one's time).
#[test]
fn explain_says_a_policy_gave_up_and_folds_its_refusals() {
    for every in ["10ms", "100ms"] {
        let d = dir(&format!("giveup-{every}"));
        let scenario = GIVEUP.replace("\"10ms\"", &format!("{every:?}"));
        std::fs::write(d.join("g.toml"), scenario).unwrap();
        let (code, _, err) = omnisim(&d, &["run", "g.toml", "--out", "out", "--trace", "--quiet"]);
        assert_eq!(code, Some(0), "{err}");
        let trace = std::fs::read_to_string(d.join("out/trace.jsonl")).unwrap();
        let gave_up: Vec<serde_json::Value> = trace
            .lines()
            .filter(|l| l.contains("\"kind\":\"gave_up\""))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let summary = std::fs::read_to_string(d.join("out/summary.json")).unwrap();
        let counted: usize = summary
            .split("\"given_up\":")
            .nth(1)
            .expect("given_up in summary.json")
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(counted > 0, "{every}");
        assert_eq!(gave_up.len(), counted, "{every}");
        assert_eq!(gave_up[0]["supervisor"], "s");
        assert_eq!(gave_up[0]["policy"], "p");
        assert_eq!(gave_up[0]["attempts"], 10_000);
        let c = gave_up[0]["conversation"].as_u64().unwrap().to_string();
        let (code, story, err) = omnisim(&d, &["explain", "out", "--conversation", &c]);
        assert_eq!(code, Some(0), "{every}: {err}");
        assert!(story.lines().count() < 20, "{every}: {story}");
        assert!(
            story.contains("policy s/p gave up after 10,000 attempts"),
            "{every}: {story}"
        );
        assert!(
            story.contains("… and 9,997 more the same, the last at"),
            "{every}: {story}"
        );
        let refusals = story.lines().filter(|l| l.contains("refused by")).count();
        assert_eq!(refusals, 3, "{every}: {story}");
    }
}
