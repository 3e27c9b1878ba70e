//! Issue 25 (fixs-9): the links between a conversation history's rows, as a kind. A replay's
//! own `conversations.csv` and trace mark a replayed retry contact as a retrial of the
//! replayed row it names, so `fit` and `forecast` of a replay's log count each offered arrival
//! once, as of the original's; `[traffic] replay`, `fit` and `forecast` check `retrial_of`
//! and `leg` by one rule (`src/traffic/links.rs`): a retrial of its own row or of a later row,
//! a leg missing in between or out of order, are bad input at line:column, all at once; a
//! retrial naming no row, or a later leg whose conversation has no earlier leg, a warning (the
//! history may be cut from a longer one).

use std::path::Path;

use crate::log_support::{csv_rows, replaying, run_logged, write_rows, Row, CHAT};
use crate::procs::{code_and_stderr, json, run_in, temp_dir, text};

/// `log_support::CHAT` without anything added to queue tier1.
fn chat() -> String {
    CHAT.replace("EXTRA", "")
}

/// Runs `r.toml` in `dir` once with `--log --trace` into `dir/out_dir` (warnings shown).
fn replay_logged(dir: &Path, out_dir: &str) {
    let o = run_in(
        dir,
        &[
            "run",
            "r.toml",
            "--replications",
            "1",
            "--log",
            "--trace",
            "--out",
            out_dir,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

/// `fit --interval 1h` of `log` into `dir/out_dir`: arrivals summed over the hours of queue
/// tier1, and stderr.
fn fitted_arrivals(dir: &Path, log: &str, out_dir: &str) -> (u64, String) {
    let o = run_in(dir, &["fit", log, "--out", out_dir, "--interval", "1h"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let fit = json(&dir.join(out_dir).join("fit.json"));
    let per_hour = &fit["queues"]["tier1"]["arrivals"]["by_time_of_day"];
    let total: f64 = per_hour
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    (total.round() as u64, text(&o.stderr))
}

/// `forecast` of `log`: the forecast day's volume of queue tier1.
fn forecast_volume(dir: &Path, log: &str, out_dir: &str) -> u64 {
    let o = run_in(dir, &["forecast", log, "--out", out_dir]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let day = out.lines().find(|l| l.starts_with("tier1: ")).unwrap();
    day.split_whitespace().nth(2).unwrap().parse().unwrap()
}

/// The trace's `arrive` lines that are retrials: (conversation, retrial_of).
fn traced_retrials(trace: &Path) -> Vec<(u64, u64)> {
    std::fs::read_to_string(trace)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l["what"] == "arrive" && !l["retrial_of"].is_null())
        .map(|l| {
            (
                l["conversation"].as_u64().unwrap(),
                l["retrial_of"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The ninth fresh tester: a replay run with `--log --trace` did not carry the history's
/// `retrial_of` into its own log and trace, so `fit` of the replay's log counted its retry
/// contacts as arrivals. Now the replay's log keeps each retry contact's `retrial_of` (the id
/// of the replayed row it names) and its trace's `arrive` line names that row's conversation;
/// `fit` and `forecast` of the replay's log count the offered arrivals as of the history.
#[test]
fn a_replays_log_and_trace_mark_its_retry_contacts_so_fit_counts_arrivals_once() {
    let d = temp_dir("links-replay-log");
    let s = run_logged(&d, &chat());
    assert!(s["conversations"]["retrials"].as_u64().unwrap() > 10, "{s}");
    // A retry contact at or after the horizon cannot be replayed: left out of the history.
    let log = csv_rows(&d.join("out/conversations.csv"));
    let kept: Vec<&Row> = log
        .iter()
        .filter(|r| r["leg"] != "1" || r["arrival"].as_str() < "2026-03-02T14:00")
        .collect();
    write_rows(&d.join("h.csv"), &kept);
    let retries: Vec<(&str, &str)> = kept
        .iter()
        .filter(|r| r["leg"] == "1" && !r["retrial_of"].is_empty())
        .map(|r| (r["id"].as_str(), r["retrial_of"].as_str()))
        .collect();
    std::fs::write(d.join("r.toml"), replaying(&chat(), "h.csv")).unwrap();
    replay_logged(&d, "rep");
    // The replay's log: the same retry contacts, each naming the same row.
    let rep = csv_rows(&d.join("rep/conversations.csv"));
    let marked: Vec<(&str, &str)> = rep
        .iter()
        .filter(|r| r["leg"] == "1" && !r["retrial_of"].is_empty())
        .map(|r| (r["id"].as_str(), r["retrial_of"].as_str()))
        .collect();
    assert_eq!(marked, retries);
    // Its trace: as many retrial arrivals, each naming an earlier conversation with a
    // `retried` line naming it back.
    let traced = traced_retrials(&d.join("rep/trace.jsonl"));
    assert_eq!(traced.len(), retries.len());
    let trace = std::fs::read_to_string(d.join("rep/trace.jsonl")).unwrap();
    for (new, old) in &traced {
        assert!(old < new, "{new} retries {old}");
        let back = format!("\"conversation\":{old},");
        assert!(
            trace.lines().any(|l| l.contains("\"what\":\"retried\"")
                && l.contains(&back)
                && l.contains(&format!("\"retrial\":{new}"))),
            "no retried line of {old} naming {new}"
        );
    }
    // fit and forecast of the replay's log count what they count of the history.
    let (history, _) = fitted_arrivals(&d, "h.csv", "fit-h");
    let (replayed, err) = fitted_arrivals(&d, "rep/conversations.csv", "fit-rep");
    assert_eq!(replayed, history);
    assert!(
        err.contains(&format!("{} retry contacts were left out", retries.len())),
        "{err}"
    );
    assert_eq!(
        forecast_volume(&d, "rep/conversations.csv", "fc-rep"),
        forecast_volume(&d, "h.csv", "fc-h")
    );
}

/// A variant: a history without `leg` whose scenario makes no retrials (so its replay's log
/// had no `retrial_of` column at all), cut from a longer one (a retrial of a contact before
/// its first row): the replay's log keeps both retry contacts' `retrial_of`, its trace links
/// the one whose row was replayed.
#[test]
fn a_replay_of_a_cut_history_keeps_its_retrial_of() {
    let d = temp_dir("links-replay-cut");
    std::fs::write(
        d.join("h.csv"),
        "id,arrival,queue,outcome,wait,handle,retrial_of\n\
         a,2026-03-02T08:01,tier1,answered,0,60,zz\n\
         b,2026-03-02T08:05,tier1,answered,0,60,\n\
         c,2026-03-02T08:09,tier1,answered,0,60,b\n",
    )
    .unwrap();
    let sc = chat()
        .replace(
            "retrial = { probability = 0.8, delay = { dist = \"exponential\", mean = \"5m\" } }\n",
            "",
        )
        .replace("transfer = { probability = 0.3, queue = \"tier2\" }\n", "");
    std::fs::write(d.join("r.toml"), replaying(&sc, "h.csv")).unwrap();
    replay_logged(&d, "rep");
    let rep = csv_rows(&d.join("rep/conversations.csv"));
    let marks: Vec<(&str, &str)> = rep
        .iter()
        .map(|r| (r["id"].as_str(), r["retrial_of"].as_str()))
        .collect();
    assert_eq!(marks, [("a", "zz"), ("b", ""), ("c", "b")]);
    assert_eq!(traced_retrials(&d.join("rep/trace.jsonl")), [(3, 2)]);
    let (arrivals, err) = fitted_arrivals(&d, "rep/conversations.csv", "fit-rep");
    assert_eq!(arrivals, 1);
    assert!(err.contains("2 retry contacts were left out"), "{err}");
}

/// The header of the link histories: `leg` is column 8, `retrial_of` column 9.
const HEADER: &str = "id,arrival,queue,outcome,wait,handle,wrap_up,leg,retrial_of\n";

/// Runs `[traffic] replay`, `fit` and `forecast` of history `file` (in `dir`): each one's
/// (name, exit code, stderr).
fn three_readers(dir: &Path, file: &str) -> Vec<(&'static str, Option<i32>, String)> {
    std::fs::write(dir.join("r.toml"), replaying(&chat(), file)).unwrap();
    let mut out = Vec::new();
    let runs: [(&str, Vec<&str>); 3] = [
        (
            "replay",
            vec!["run", "r.toml", "--replications", "1", "--out", "rep"],
        ),
        ("fit", vec!["fit", file, "--out", "fit"]),
        ("forecast", vec!["forecast", file, "--out", "fc"]),
    ];
    for (name, args) in runs {
        let (code, err) = code_and_stderr(dir, &args);
        out.push((name, code, err));
    }
    out
}

/// The ninth fresh tester: a `retrial_of` naming a later row, and a leg 3 without its leg 2
/// (or legs out of order), were accepted silently by replay, `fit` and `forecast` (and `fit`
/// and `forecast` did not check `retrial_of` at all). Now one rule for all three: each is bad
/// input at its line and column, all listed at once.
#[test]
fn retrial_of_and_legs_are_checked_alike_by_replay_fit_and_forecast() {
    let d = temp_dir("links-bad");
    let h = String::from(HEADER)
        + "a,2026-03-02T08:01,tier1,answered,0,60,5,1,\n\
           b,2026-03-02T08:05,tier1,answered,0,60,5,1,b\n\
           c,2026-03-02T08:07,tier1,answered,0,60,5,1,e\n\
           a,2026-03-02T08:10,tier2,answered,0,60,5,3,\n\
           e,2026-03-02T08:12,tier1,abandoned,30,,,1,\n\
           f,2026-03-02T08:20,tier2,answered,0,60,5,2,\n\
           f,2026-03-02T08:21,tier1,answered,0,60,5,1,\n";
    std::fs::write(d.join("bad.csv"), h).unwrap();
    for (name, code, err) in three_readers(&d, "bad.csv") {
        assert_eq!(code, Some(2), "{name}: {err}");
        for said in [
            "bad.csv:3:9: retrial_of: retrial_of \"b\" is this row's own id",
            "bad.csv:4:9: retrial_of: retrial_of \"e\" names the row on line 6, after this one",
            "bad.csv:5:8: leg: leg 3 of conversation \"a\" has no leg 2",
            "bad.csv:7:8: leg: leg 2 of conversation \"f\" comes before its leg 1 (line 8)",
        ] {
            assert!(err.contains(said), "{name}: {said}\n{err}");
        }
    }
}

/// A variant: a history cut from a longer one (a retrial of a contact before its first row, a
/// leg 2 whose leg 1 came before it, a leg 3 of a conversation with neither): read by all
/// three with one warning per kind, naming the lines.
#[test]
fn links_a_window_cut_explains_are_a_warning_for_all_three_readers() {
    let d = temp_dir("links-cut");
    let h = String::from(HEADER)
        + "a,2026-03-02T08:01,tier1,answered,0,60,5,1,zz\n\
           g,2026-03-02T08:03,tier2,answered,0,60,5,2,\n\
           b,2026-03-02T08:05,tier1,answered,0,60,5,1,a\n\
           k,2026-03-02T08:06,tier2,answered,0,60,5,3,\n\
           c,2026-03-02T08:09,tier1,answered,0,60,5,1,\n";
    std::fs::write(d.join("cut.csv"), h).unwrap();
    for (name, code, err) in three_readers(&d, "cut.csv") {
        assert_eq!(code, Some(0), "{name}: {err}");
        for said in [
            "cut.csv:2:9: retrial_of: 1 retrial_of cell naming no row of its replication \
             (first: \"zz\"; line 2)",
            "cut.csv:3:8: leg: 2 later-leg rows whose conversation has no earlier leg (first: \
             \"g\"; lines 3, 5)",
        ] {
            assert!(err.contains(said), "{name}: {said}\n{err}");
        }
    }
}
