//! Issue 25 (fixn-8): the trace, `conversations.csv` and `explain` tell the whole story of
//! retrials and transfers. A retrial is in the trace (`will_retry`, `retried`, the new arrival's
//! `retrial_of`) and `explain` tells it; a transfer's later leg and a retrial ended before
//! queueing are rows of `conversations.csv` (`leg`, `retrial_of`), which `fit`, `forecast` and
//! replay count once per offered arrival. `explain` names an absent agent, an offer pending at
//! a cut, and a folder of unassembled trace parts.

use std::path::Path;

use crate::log_support::{csv_rows, replaying, run_logged, Row, CHAT};
use crate::procs::{code_and_stderr, json, run_in, temp_dir, text};

/// Runs `CHAT` (with `extra` in queue tier1) with `--log --trace` in `dir/out`; the summary.
fn run(dir: &Path, extra: &str) -> serde_json::Value {
    run_logged(dir, &CHAT.replace("EXTRA", extra))
}

/// The log's rows as maps of column → cell.
fn rows(dir: &Path) -> Vec<Row> {
    csv_rows(&dir.join("out/conversations.csv"))
}

fn explain(dir: &Path, args: &[&str]) -> String {
    let mut a = vec!["explain", "out"];
    a.extend_from_slice(args);
    let o = run_in(dir, &a);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout)
}

#[test]
fn a_retrial_is_in_the_trace_and_explain_tells_it() {
    let d = temp_dir("contacts-explain");
    run(&d, "");
    let r = rows(&d);
    let retrial = r
        .iter()
        .find(|x| !x["retrial_of"].is_empty())
        .expect("a retrial");
    let (new, old) = (&retrial["id"], &retrial["retrial_of"]);
    // The abandoned conversation's story goes on to the retrial ...
    let story = explain(&d, &["--conversation", old]);
    assert!(story.contains("closed (abandoned)"), "{story}");
    assert!(story.contains("its customer will try again in"), "{story}");
    assert!(
        story.contains(&format!("the retrial is conversation {new}")),
        "{story}"
    );
    // ... and the retrial's starts from it (the trace and the log name the same ids).
    let story = explain(&d, &["--conversation", new]);
    assert!(
        story.contains(&format!("a retrial: the customer of conversation {old}")),
        "{story}"
    );
    // No wait is told after the abandonment (the retrial line is not a wait).
    let story = explain(&d, &["--conversation", old]);
    let routed_first = story.lines().position(|l| l.contains("routed first"));
    let closed = story.lines().position(|l| l.contains("closed (abandoned)"));
    if let (Some(a), Some(b)) = (routed_first, closed) {
        assert!(a < b, "{story}");
    }
}

#[test]
fn an_old_trace_without_retrial_lines_is_still_read() {
    let d = temp_dir("contacts-old-trace");
    run(&d, "");
    let trace = std::fs::read_to_string(d.join("out/trace.jsonl")).unwrap();
    // A trace of a version before them: no retrial lines, no `retrial_of`.
    let old: String = trace
        .lines()
        .filter(|l| !l.contains("\"will_retry\"") && !l.contains("\"retried\""))
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("retrial_of");
            v.to_string() + "\n"
        })
        .collect();
    assert_ne!(old, trace);
    std::fs::write(d.join("out/trace.jsonl"), old).unwrap();
    let r = rows(&d);
    let retrial = r.iter().find(|x| !x["retrial_of"].is_empty()).unwrap();
    let story = explain(&d, &["--conversation", &retrial["retrial_of"]]);
    assert!(story.contains("closed (abandoned)"), "{story}");
    assert!(!story.contains("try again"), "{story}");
}

#[test]
fn a_transfer_leg_is_a_row_and_fit_forecast_and_replay_count_arrivals_once() {
    let d = temp_dir("contacts-legs");
    let s = run(&d, "");
    let c = &s["conversations"];
    let (arrived, retrials) = (
        c["arrived"].as_u64().unwrap(),
        c["retrials"].as_u64().unwrap(),
    );
    let transferred = c["transferred"].as_u64().unwrap();
    assert!(retrials > 0 && transferred > 0, "{c}");
    let r = rows(&d);
    let legs: Vec<_> = r.iter().filter(|x| x["leg"] != "1").collect();
    assert_eq!(legs.len() as u64, transferred, "one row per leg in tier 2");
    for l in &legs {
        assert_eq!(l["queue"], "tier2");
        let first = r
            .iter()
            .find(|x| x["id"] == l["id"] && x["leg"] == "1")
            .expect("its first leg");
        assert_eq!(first["queue"], "tier1");
        assert!(l["arrival"] > first["arrival"], "{l:?} {first:?}");
    }
    assert!(
        legs.iter().any(|l| l["outcome"] == "answered"
            && !l["agent"].is_empty()
            && l["agent"].starts_with("t2")),
        "{legs:?}"
    );
    // One leg-1 row per arrival summary.json counts (no warm-up), retrials included.
    let first_legs = r.iter().filter(|x| x["leg"] == "1").count() as u64;
    assert_eq!(first_legs, arrived);
    let offered = arrived - retrials;
    // fit: arrivals per hour by time of day over the one day, as the scenario offered them
    // (before: the retry contacts counted too).
    let o = run_in(
        &d,
        &[
            "fit",
            "out/conversations.csv",
            "--out",
            "fit",
            "--interval",
            "1h",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let fit = json(&d.join("fit/fit.json"));
    let per_hour = &fit["queues"]["tier1"]["arrivals"]["by_time_of_day"];
    let total: f64 = per_hour
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert_eq!(total.round() as u64, offered, "{per_hour}");
    assert!(fit["queues"].get("tier2").is_none(), "{}", fit["queues"]);
    // forecast: the day's volume.
    let o = run_in(&d, &["forecast", "out/conversations.csv", "--out", "fc"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let day = out.lines().find(|l| l.starts_with("tier1: ")).unwrap();
    let volume: u64 = day.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert_eq!(volume, offered, "{out}");
    // replay of the log: its leg rows are not arrivals (some enter tier 2 after the horizon
    // without being an error); each retry contact is one. A retry contact after the horizon
    // cannot be replayed (replay arrivals fall before it; left as it was): those rows are
    // left out here, and out of the count.
    let log = std::fs::read_to_string(d.join("out/conversations.csv")).unwrap();
    let mut late = 0;
    let kept: String = log
        .lines()
        .filter(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let after = c[1] >= "2026-03-02T14:00" && c[11] == "1";
            late += after as u64;
            !after
        })
        .map(|l| l.to_string() + "\n")
        .collect();
    std::fs::write(d.join("replay.csv"), kept).unwrap();
    let replay = replaying(&CHAT.replace("EXTRA", ""), "replay.csv");
    std::fs::write(d.join("r.toml"), replay).unwrap();
    let o = run_in(
        &d,
        &[
            "run",
            "r.toml",
            "--replications",
            "1",
            "--quiet",
            "--out",
            "rep",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rs = json(&d.join("rep/summary.json"));
    assert_eq!(
        rs["conversations"]["arrived"].as_u64(),
        Some(arrived - late)
    );
    let late_leg = |l: &&str| {
        let c: Vec<&str> = l.split(',').collect();
        c[11] == "2" && c[1] >= "2026-03-02T14:00"
    };
    assert!(
        log.lines().any(|l| late_leg(&l)),
        "no leg after the horizon"
    );
}

#[test]
fn a_retrial_ended_before_queueing_has_a_row_and_a_story() {
    let d = temp_dir("contacts-ended");
    let s = run(
        &d,
        "\n[[queues.overflow]]\nwhen = \"work_items_over\"\nlimit = 4\naction = \"end\"\n",
    );
    let c = &s["conversations"];
    let arrived = c["arrived"].as_u64().unwrap();
    let r = rows(&d);
    let ended: Vec<_> = r
        .iter()
        .filter(|x| !x["retrial_of"].is_empty() && x["outcome"] == "overflowed")
        .collect();
    assert!(!ended.is_empty(), "no retrial ended before queueing");
    // Before: such retrials had no row (and no trace lines), so rows and ids fell short.
    assert_eq!(r.iter().filter(|x| x["leg"] == "1").count() as u64, arrived);
    let trace = std::fs::read_to_string(d.join("out/trace.jsonl")).unwrap();
    let arrives = trace
        .lines()
        .filter(|l| l.contains("\"what\":\"arrive\""))
        .count() as u64;
    assert_eq!(arrives, arrived);
    let e = ended[0];
    let story = explain(&d, &["--conversation", &e["id"]]);
    assert!(
        story.contains("ended before queueing by OVF-LIMIT"),
        "{story}"
    );
    assert!(
        story.contains(&format!(
            "a retrial: the customer of conversation {}",
            e["retrial_of"]
        )),
        "{story}"
    );
}

#[test]
fn explain_says_an_agent_was_absent() {
    let d = temp_dir("contacts-absent");
    // A group's absence, and a roster row's (the tester's example).
    let toml = CHAT.replace("EXTRA", "").replace(
        "name = \"t2\"\ncount = 2",
        "name = \"t2\"\ncount = 2\nabsence = 1",
    ) + "\n[traffic]\nroster = \"roster.csv\"\n";
    std::fs::write(d.join("s.toml"), toml).unwrap();
    std::fs::write(
        d.join("roster.csv"),
        "agent,queues,shift_start,shift_end,absence\nann,tier1,0,21600,1\nbob,tier1,0,21600,0\n",
    )
    .unwrap();
    let o = run_in(
        &d,
        &[
            "run",
            "s.toml",
            "--replications",
            "1",
            "--quiet",
            "--trace",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for agent in ["ann", "t2-1"] {
        let story = explain(&d, &["--agent", agent]);
        assert!(
            story.contains("absent all day (absence = 1"),
            "{agent}: {story}"
        );
        assert!(
            !story.contains("never assigned: no conversation"),
            "{story}"
        );
    }
    let story = explain(&d, &["--agent", "bob"]);
    assert!(!story.contains("absent"), "{story}");
}

#[test]
fn explain_of_unassembled_trace_parts_says_the_run_was_stopped() {
    let d = temp_dir("contacts-parts");
    std::fs::create_dir_all(d.join("out")).unwrap();
    std::fs::write(d.join("out/trace.jsonl.part-0"), "").unwrap();
    let (code, err) = code_and_stderr(&d, &["explain", "out", "--conversation", "1"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("only 1 trace part file (trace.jsonl.part-*)")
            && err.contains("stopped before its trace was assembled")
            && err.contains("run it again with --trace"),
        "{err}"
    );
    assert!(!err.contains("no trace here"), "{err}");
    // Two parts (two replications); an empty folder still has no trace.
    std::fs::write(d.join("out/trace.jsonl.part-1"), "").unwrap();
    let (code, err) = code_and_stderr(&d, &["explain", "out", "--agent", "t1-1"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("only 2 trace part files"), "{err}");
    std::fs::create_dir_all(d.join("empty")).unwrap();
    let (_, err) = code_and_stderr(&d, &["explain", "empty", "--conversation", "1"]);
    assert!(err.contains("no trace here"), "{err}");
}

#[test]
fn a_leg_that_is_not_a_number_is_bad_input_at_its_cell() {
    let d = temp_dir("contacts-bad-leg");
    std::fs::write(
        d.join("h.csv"),
        "id,arrival,queue,outcome,wait,handle,leg,retrial_of\n\
         1,2026-03-02T08:00,tier1,answered,0,60,1,\n\
         1,2026-03-02T08:05,tier2,answered,0,60,x,\n\
         2,2026-03-02T08:06,tier1,answered,0,60,0,\n",
    )
    .unwrap();
    for cmd in ["fit", "forecast"] {
        let (code, err) = code_and_stderr(&d, &[cmd, "h.csv", "--out", cmd]);
        assert_eq!(code, Some(2), "{cmd}: {err}");
        // Both at once, at their line and column.
        assert!(
            err.contains("h.csv:3:7") && err.contains("\"x\" is not a leg number"),
            "{cmd}: {err}"
        );
        assert!(err.contains("h.csv:4:7"), "{cmd}: {err}");
    }
}
