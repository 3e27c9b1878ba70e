//! Issue 25 (fixp-8): `conversations.csv`'s legs and a replay's retrials tell the truth. Each
//! per-leg cell of a transferred conversation's rows (wait, agent, handle, wrap-up, outcome,
//! patience) is what its trace says of that leg (the first leg of a transfer has no wrap-up),
//! so `fit` of a log with transfers fits the scenario's wrap-up; a replay's `retrial_of` that
//! names the row itself is bad input at its cell, one naming no row a warning; a replayed log's
//! retry contacts count as retrials, not as new customers.

use std::path::Path;

use crate::log_support::{csv_rows as rows, replaying, run_logged, write_rows, Row};
use crate::procs::{code_and_stderr, json, run_in, temp_dir, text};

/// Chat whose tier 1 transfers a share to tier 2 and tier 2 a share to tier 3, at the end of
/// handling; each tier's wrap-up mean differs (30 s, 2 min, 5 min), so a leg row carrying
/// another leg's wrap-up shows. No slowdown (a leg's handle is its time Active). Abandonments
/// retry. No warm-up, a calendar.
const LEGS: &str = r#"
[scenario]
name = "legs"
horizon = "6h"
start = "2026-03-02T08:00"
seed = 9

[[workstreams]]
name = "tier1-chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "6m" }
wrap_up_time = { dist = "exponential", mean = "30s" }
patience = { dist = "exponential", mean = "2m" }
retrial = { probability = 0.5, delay = { dist = "exponential", mean = "5m" } }
transfer = { probability = 0.3, queue = "tier2" }

[[workstreams]]
name = "tier2-chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "5m" }
wrap_up_time = { dist = "exponential", mean = "2m" }
transfer = { probability = 0.4, queue = "tier3" }

[[workstreams]]
name = "tier3-chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "4m" }
wrap_up_time = { dist = "exponential", mean = "5m" }

[[queues]]
name = "tier2"
workstream = "tier2-chat"

[[queues]]
name = "tier3"
workstream = "tier3-chat"

[[queues]]
name = "tier1"
workstream = "tier1-chat"
arrivals = { rate = "60/h" }

[[agent_groups]]
name = "t1"
count = 5
queues = ["tier1"]

[[agent_groups]]
name = "t2"
count = 3
queues = ["tier2"]

[[agent_groups]]
name = "t3"
count = 2
queues = ["tier3"]
"#;

/// Runs `LEGS` once with `--log --trace` in `dir/out`; the summary.
fn run(dir: &Path) -> serde_json::Value {
    run_logged(dir, LEGS)
}

/// One leg as the trace tells it: when it entered its queue, the first acceptance there (time,
/// agent), when its handling ended (a transfer or `end`), its wrap-up (`None` on a transfer).
#[derive(Debug, Default)]
struct Leg {
    start: f64,
    accepted: Option<(f64, String)>,
    ended: Option<f64>,
    wrap_up: Option<f64>,
}

/// Conversation `id`'s legs from `trace` (one replication), and whether it closed completed.
fn trace_legs(trace: &[serde_json::Value], id: u64) -> (Vec<Leg>, bool) {
    let mut legs: Vec<Leg> = Vec::new();
    let mut completed = false;
    for l in trace
        .iter()
        .filter(|l| l["conversation"].as_u64() == Some(id))
    {
        let t = l["t"].as_f64().unwrap();
        let ok = l["ok"].as_bool() != Some(false);
        match (l["kind"].as_str().unwrap(), l["what"].as_str().unwrap()) {
            ("command", "arrive") if ok => legs.push(Leg {
                start: t,
                ..Leg::default()
            }),
            ("command", "transfer_to_queue") if ok => {
                legs.last_mut().unwrap().ended.get_or_insert(t);
                legs.push(Leg {
                    start: t,
                    ..Leg::default()
                });
            }
            ("effect", "accepted") => {
                let leg = legs.last_mut().unwrap();
                if leg.accepted.is_none() {
                    leg.accepted = Some((t, l["agent"].as_str().unwrap().to_string()));
                }
            }
            ("command", "end") if ok => {
                legs.last_mut().unwrap().ended.get_or_insert(t);
            }
            ("effect", "state") if l["from"] == "wrap_up" && l["to"] == "closed" => {
                let leg = legs.last_mut().unwrap();
                leg.wrap_up = Some(t - leg.ended.unwrap());
            }
            ("effect", "closed") => completed = l["detail"] == "completed",
            _ => {}
        }
    }
    (legs, completed)
}

/// A duration cell in seconds (empty: `None`).
fn secs(cell: &str) -> Option<f64> {
    (!cell.is_empty()).then(|| cell.parse().unwrap())
}

fn near(a: Option<f64>, b: Option<f64>, what: &str, row: &Row) {
    match (a, b) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 0.002, "{what}: {a} vs trace {b}: {row:?}"),
        (a, b) => assert_eq!(a, b, "{what}: {row:?}"),
    }
}

#[test]
fn each_leg_row_of_a_transferred_conversation_is_what_the_trace_says() {
    let d = temp_dir("legs-trace");
    run(&d);
    let log = rows(&d.join("out/conversations.csv"));
    let trace: Vec<serde_json::Value> = std::fs::read_to_string(d.join("out/trace.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let transferred: std::collections::BTreeSet<u64> = log
        .iter()
        .filter(|r| r["leg"] != "1")
        .map(|r| r["id"].parse().unwrap())
        .collect();
    let (mut checked, mut three_legs) = (0, 0);
    for &id in &transferred {
        let (legs, completed) = trace_legs(&trace, id);
        if !completed || legs.iter().any(|l| l.accepted.is_none()) {
            continue; // cut off at the end or ended unanswered in a later queue
        }
        let mut mine: Vec<&Row> = log.iter().filter(|r| r["id"] == id.to_string()).collect();
        mine.sort_by_key(|r| r["leg"].parse::<u32>().unwrap());
        assert_eq!(
            mine.len(),
            legs.len(),
            "conversation {id}: {mine:?} {legs:?}"
        );
        for (k, (row, leg)) in mine.iter().zip(&legs).enumerate() {
            let (at, agent) = leg.accepted.clone().unwrap();
            assert_eq!(row["leg"], (k + 1).to_string());
            assert_eq!(row["outcome"], "answered", "{row:?}");
            assert_eq!(row["agent"], agent, "{row:?}");
            near(secs(&row["wait"]), Some(at - leg.start), "wait", row);
            near(
                secs(&row["handle"]),
                Some(leg.ended.unwrap() - at),
                "handle",
                row,
            );
            // Only the last leg has a wrap-up (a transfer at the end of handling has none).
            near(secs(&row["wrap_up"]), leg.wrap_up, "wrap_up", row);
            assert_eq!(leg.wrap_up.is_some(), k + 1 == legs.len(), "{legs:?}");
            // The customer's patience is the first leg's (tier 1's work stream has one).
            assert_eq!(row["patience"].is_empty(), k > 0, "{row:?}");
        }
        checked += 1;
        three_legs += (legs.len() == 3) as u32;
    }
    assert!(checked >= 20 && three_legs >= 3, "{checked} {three_legs}");
}

/// `fit`'s tier-1 wrap-up mean of `log` (seconds).
fn fit_wrap_up_mean(dir: &Path, log: &str) -> f64 {
    let o = run_in(dir, &["fit", log, "--out", "fit"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let fit = json(&dir.join("fit/fit.json"));
    let w = &fit["queues"]["tier1"]["wrap_up"];
    w["candidates"][w["best"].as_str().unwrap()]["mean_s"]
        .as_f64()
        .unwrap()
}

#[test]
fn fit_of_a_log_with_transfers_fits_the_first_tiers_wrap_up() {
    // The tester's example: chat-realistic (tier 1 wrap-up mean 30 s; 15% transferred to a
    // tier 2 of mean 1 min) fitted 34.0 s.
    let d = temp_dir("legs-fit");
    let sc = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/chat-realistic.toml");
    let o = run_in(
        &d,
        &[
            "run",
            sc.to_str().unwrap(),
            "--quiet",
            "--log",
            "--out",
            "cr",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mean = fit_wrap_up_mean(&d, "cr/conversations.csv");
    // 5 replications, about 2,000 tier-1 wrap-ups: a standard error under 1 s.
    assert!((mean - 30.0).abs() < 2.0, "tier1 wrap-up mean {mean}");
    // A variant: 30% transferred to a tier of mean 2 min (and on to 5 min).
    let d = temp_dir("legs-fit-variant");
    run(&d);
    let mean = fit_wrap_up_mean(&d, "out/conversations.csv");
    assert!((mean - 30.0).abs() < 5.0, "tier1 wrap-up mean {mean}");
}

/// A history file with `rows` (id, arrival, retrial_of) at queue tier1 of `LEGS`, and a
/// scenario replaying it; runs it (not `--quiet`, which keeps warnings back); the exit code
/// and stderr.
fn replay_rows(dir: &Path, rows: &[(&str, &str, &str)]) -> (Option<i32>, String) {
    let mut csv = String::from("id,arrival,queue,outcome,wait,handle,wrap_up,leg,retrial_of\n");
    for (id, at, of) in rows {
        csv.push_str(&format!("{id},{at},tier1,answered,0,60,5,1,{of}\n"));
    }
    std::fs::write(dir.join("h.csv"), csv).unwrap();
    let sc = replaying(LEGS, "h.csv");
    std::fs::write(dir.join("r.toml"), sc).unwrap();
    code_and_stderr(
        dir,
        &["run", "r.toml", "--replications", "1", "--out", "rep"],
    )
}

#[test]
fn a_retrial_of_naming_its_own_row_is_bad_input_and_one_naming_no_row_a_warning() {
    let d = temp_dir("legs-retrial-of");
    // Two rows retrying themselves: both reported, at line and column (retrial_of: column 9).
    let (code, err) = replay_rows(
        &d,
        &[
            ("a", "2026-03-02T08:01", ""),
            ("b", "2026-03-02T08:05", "b"),
            ("c", "2026-03-02T08:07", "a"),
            ("d", "2026-03-02T08:09", "d"),
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("h.csv:3:9"), "{err}");
    assert!(err.contains("h.csv:5:9"), "{err}");
    assert!(
        err.contains("retrial_of \"b\" is this row's own id"),
        "{err}"
    );
    assert!(!err.contains("h.csv:4:"), "{err}");
    // A variant: a retrial of an id on no row (the history may start after the abandoned
    // contact): replayed, with one warning naming the lines.
    let (code, err) = replay_rows(
        &d,
        &[
            ("a", "2026-03-02T08:01", "zz"),
            ("b", "2026-03-02T08:05", "a"),
            ("c", "2026-03-02T08:07", "yy"),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning"), "{err}");
    assert!(err.contains("h.csv:2:9"), "{err}");
    assert!(
        err.contains("2 retrial_of cells naming no row of its replication"),
        "{err}"
    );
    assert!(err.contains("lines 2, 4"), "{err}");
    let s = json(&d.join("rep/summary.json"));
    assert_eq!(s["conversations"]["retrials"], 3, "{s}");
    assert_eq!(s["customers"], 0, "{s}");
}

#[test]
fn a_replayed_log_counts_its_retry_contacts_as_retrials() {
    let d = temp_dir("legs-replay-retrials");
    let s = run(&d);
    let c = &s["conversations"];
    let (arrived, retrials) = (
        c["arrived"].as_u64().unwrap(),
        c["retrials"].as_u64().unwrap(),
    );
    assert!(retrials > 10, "{c}");
    assert_eq!(s["customers"].as_u64(), Some(arrived - retrials));
    // A retry contact at or after the horizon cannot be replayed (replay arrivals fall before
    // it): those rows are left out (leg rows are skipped by the replay).
    let log = rows(&d.join("out/conversations.csv"));
    let kept: Vec<&Row> = log
        .iter()
        .filter(|r| r["leg"] != "1" || r["arrival"].as_str() < "2026-03-02T14:00")
        .collect();
    let late = log.len() - kept.len();
    let late_retrials = log
        .iter()
        .filter(|r| r["leg"] == "1" && r["arrival"].as_str() >= "2026-03-02T14:00")
        .filter(|r| !r["retrial_of"].is_empty())
        .count();
    write_rows(&d.join("h.csv"), &kept);
    let sc = replaying(LEGS, "h.csv");
    std::fs::write(d.join("r.toml"), sc).unwrap();
    let o = run_in(
        &d,
        &["run", "r.toml", "--replications", "1", "--out", "rep"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rs = json(&d.join("rep/summary.json"));
    let rc = &rs["conversations"];
    let replayed_retrials = (retrials as usize - late_retrials) as u64;
    assert_eq!(rc["arrived"].as_u64(), Some(arrived - late as u64), "{rc}");
    assert_eq!(rc["retrials"].as_u64(), Some(replayed_retrials), "{rc}");
    assert_eq!(
        rs["customers"].as_u64(),
        Some(arrived - retrials - (late - late_retrials) as u64),
        "{rs}"
    );
    // The terminal says the same.
    let out = text(&o.stdout);
    assert!(
        out.contains(&format!(
            "{} customers · {} retrials",
            rs["customers"], replayed_retrials
        )),
        "{out}"
    );
}
