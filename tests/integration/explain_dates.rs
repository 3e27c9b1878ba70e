//! Issue 25 leftovers: `explain` told times since t = 0 ("0:03:00") where `conversations.csv`
//! of the same run writes local date-times (a scenario with `[scenario] start`), so the two
//! could not be matched. The trace's `start` line now carries `starts_at` and every instant a
//! story tells (a conversation's, an agent's) is that date-time; durations stay `H:MM:SS`. A
//! trace without the field (an older version's) still reads, its times since t = 0.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use jiff::civil::DateTime;

/// ci-smoke starting at 23:30, so its two hours cross midnight (the date changes), with
/// `replications` replications.
fn scenario(dir: &Path, replications: u32) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ci-smoke.toml"),
    )
    .expect("read ci-smoke");
    let text = text
        .replace(
            "name = \"ci-smoke\"\n",
            "name = \"ci-smoke\"\nstart = \"2026-03-01T23:30\"\n",
        )
        .replace(
            "replications = 30",
            &format!("replications = {replications}"),
        );
    assert!(text.contains("start = \"2026-03-01T23:30\""));
    std::fs::write(dir.join("s.toml"), text).expect("write s.toml");
}

fn omnisim(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run omnisim");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One row of conversations.csv, by column name.
type Row = BTreeMap<String, String>;

fn rows(csv: &str) -> Vec<Row> {
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|l| {
            head.iter()
                .zip(l.split(','))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Seconds (up to three decimals) as milliseconds.
fn ms(cell: &str) -> i64 {
    (cell.parse::<f64>().expect("seconds") * 1000.0).round() as i64
}

/// `at` plus `ms`, rounded to the second (half up), as a story writes it.
fn story_time(at: DateTime, ms: i64) -> String {
    at.checked_add(jiff::SignedDuration::from_millis(ms))
        .expect("in range")
        .round(jiff::Unit::Second)
        .expect("rounds")
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// The time at the start of the story line that contains `what`.
fn time_of<'s>(story: &'s str, what: &str) -> &'s str {
    let line = story
        .lines()
        .find(|l| l.contains(what))
        .unwrap_or_else(|| panic!("no line with {what:?} in:\n{story}"));
    line.split(' ').next().expect("a time")
}

/// Every story line that starts with a time starts with a date-time, none with `H:MM:SS`.
fn all_dated(story: &str) {
    for l in story.lines().skip(1) {
        let first = l.split(' ').next().unwrap_or("");
        if first.starts_with('(') {
            continue;
        }
        assert!(
            first.parse::<DateTime>().is_ok(),
            "a line not starting with a date-time: {l:?}\n{story}"
        );
    }
}

#[test]
fn explain_tells_the_date_times_conversations_csv_writes() {
    let dir = crate::procs::temp_dir("explain-dates");
    scenario(&dir, 2);
    let (code, _, err) = omnisim(
        &dir,
        &[
            "run", "s.toml", "--out", "out", "--log", "--trace", "--quiet",
        ],
    );
    // ci-smoke's thresholds may fail on 2 replications (exit 1); the outputs are written.
    assert!(matches!(code, Some(0 | 1)), "{err}");
    let csv = std::fs::read_to_string(dir.join("out/conversations.csv")).expect("log");
    let rows: Vec<Row> = rows(&csv)
        .into_iter()
        .filter(|r| r["replication"] == "1")
        .collect();
    let answered: Vec<&Row> = rows.iter().filter(|r| r["outcome"] == "answered").collect();
    let abandoned: Vec<&Row> = rows
        .iter()
        .filter(|r| r["outcome"] == "abandoned")
        .collect();
    assert!(answered.len() > 20, "{} answered", answered.len());
    // Some after midnight: the date changes within the run.
    assert!(rows.iter().any(|r| r["arrival"].starts_with("2026-03-02T")));
    let picks = [
        answered[0],
        answered[answered.len() / 2],
        answered[answered.len() - 1],
    ]
    .into_iter()
    .chain(abandoned.first().copied());
    let mut agents_checked = 0;
    for r in picks {
        let id = &r["id"];
        let arrival: DateTime = r["arrival"].parse().expect("a date-time arrival");
        let (code, story, err) = omnisim(&dir, &["explain", "out", "--conversation", id]);
        assert_eq!(code, Some(0), "{err}");
        all_dated(&story);
        assert_eq!(
            time_of(&story, "arrived in queue"),
            story_time(arrival, 0),
            "{story}"
        );
        let wait = ms(&r["wait"]);
        if r["outcome"] == "answered" {
            let accepted = time_of(&story, "accepted it after a wait of");
            assert_eq!(accepted, story_time(arrival, wait), "{story}");
            // The agent's story gives the acceptance the same date-time.
            let agent = &r["agent"];
            let (code, told, err) = omnisim(&dir, &["explain", "out", "--agent", agent]);
            assert_eq!(code, Some(0), "{err}");
            all_dated(&told);
            let own = format!("conversation {id}: {agent} accepted it after a wait of");
            assert_eq!(time_of(&told, &own), accepted, "{told}");
            agents_checked += 1;
            if !r["wrap_up"].is_empty() {
                let closed = ms(&r["handle"]) + ms(&r["wrap_up"]);
                assert_eq!(
                    time_of(&story, "closed (completed)"),
                    story_time(arrival, wait + closed),
                    "{story}"
                );
            }
        } else {
            // Unanswered: its wait runs to its close.
            assert_eq!(
                time_of(&story, "closed (abandoned)"),
                story_time(arrival, wait),
                "{story}"
            );
        }
    }
    assert_eq!(agents_checked, 3);
}

/// A trace written before `starts_at` (its start lines without it), and one older still
/// (neither start nor end lines), tell the same stories with times since t = 0: the csv's
/// date-time less the start.
#[test]
fn a_trace_without_starts_at_still_reads_with_times_since_zero() {
    let dir = crate::procs::temp_dir("explain-dates-old");
    scenario(&dir, 1);
    let (code, _, err) = omnisim(
        &dir,
        &[
            "run", "s.toml", "--out", "out", "--log", "--trace", "--quiet",
        ],
    );
    assert!(matches!(code, Some(0 | 1)), "{err}");
    let trace = std::fs::read_to_string(dir.join("out/trace.jsonl")).expect("trace");
    assert!(
        trace.contains("\"starts_at\":\"2026-03-01T23:30:00\""),
        "{}",
        &trace[..300]
    );
    let csv = std::fs::read_to_string(dir.join("out/conversations.csv")).expect("log");
    let row = rows(&csv)
        .into_iter()
        .rev()
        .find(|r| r["outcome"] == "answered")
        .expect("an answered conversation");
    let start: DateTime = "2026-03-01T23:30".parse().expect("start");
    let arrival: DateTime = row["arrival"].parse().expect("arrival");
    let since = start.duration_until(arrival).as_millis() as i64;
    let secs = (since + 500) / 1000;
    let clock = format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    let dated = omnisim(&dir, &["explain", "out", "--conversation", &row["id"]]).1;
    for (name, keep_bounds) in [("without-field", true), ("without-bounds", false)] {
        let old: String = trace
            .lines()
            .filter_map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).expect("json");
                let kind = v["kind"].as_str().unwrap_or("").to_string();
                if !keep_bounds && (kind == "start" || kind == "end") {
                    return None;
                }
                v.as_object_mut().expect("object").remove("starts_at");
                Some(serde_json::to_string(&v).expect("json") + "\n")
            })
            .collect();
        assert!(!old.contains("starts_at"));
        let old_dir = dir.join(name);
        std::fs::create_dir_all(&old_dir).expect("mkdir");
        std::fs::write(old_dir.join("trace.jsonl"), old).expect("write");
        let (code, story, err) = omnisim(&dir, &["explain", name, "--conversation", &row["id"]]);
        assert_eq!(code, Some(0), "{name}: {err}");
        assert_eq!(
            time_of(&story, "arrived in queue"),
            clock,
            "{name}: {story}"
        );
        // The same story but for its times.
        assert_eq!(
            story.lines().count(),
            dated.lines().count(),
            "{name}:\n{story}\n{dated}"
        );
    }
}

/// A `starts_at` that is not a date-time is a bad trace line, named, not a story told with
/// wrong times (nor a panic).
#[test]
fn a_start_line_with_a_bad_starts_at_is_refused_naming_it() {
    let dir = crate::procs::temp_dir("explain-dates-bad");
    let lines = [
        r#"{"t":0.0,"replication":1,"kind":"start","conversation":null,"agent":null,"rule":null,"what":"start","starts_at":"next monday"}"#,
        r#"{"t":1.0,"replication":1,"kind":"command","conversation":1,"agent":null,"rule":null,"what":"arrive","ok":true,"queue":"q"}"#,
    ];
    std::fs::write(dir.join("trace.jsonl"), lines.join("\n") + "\n").expect("write");
    let (code, out, err) = omnisim(&dir, &["explain", ".", "--conversation", "1"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("line 1: the start line's starts_at \"next monday\" is not a local date-time"),
        "{err}"
    );
    assert!(out.is_empty(), "{out}");
}
