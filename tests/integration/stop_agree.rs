//! Issue 25 leftovers (fixd-11): a stopped `--trace` run's outputs agree on which replications
//! it holds. Before, a replication the stop reached before it began had no `by_replication`
//! row but a trace part of its own (a `start` and an `interrupted` line), so the trace told
//! of replications the summary did not list; a replication the stop cut had a row that did not
//! say so. Now the trace holds exactly the replications `by_replication` lists (its
//! `replication` is the 0-based index, the trace's the 1-based number), each such row says
//! `"partial": true`, the log (`--log`) is not written, and `explain` says the trace is
//! partial for every story of a cut replication, closed or not.

use std::collections::BTreeSet;

use crate::procs::{bin, json, signal_when, spawn_logged, temp_dir, text};
use crate::signals::LONG;

#[test]
fn a_stopped_traced_run_holds_the_same_replications_in_every_output() {
    let dir = temp_dir("stop-agree");
    let sc = dir.join("long.toml");
    // Sixteen replications of 300 days: on a few cores, the later ones never begin.
    let body = LONG.replace("seed = 1", "seed = 1\nreplications = 16");
    std::fs::write(&sc, body).unwrap();
    let out = dir.join("out");
    let (child, log) = spawn_logged(&[
        "run",
        sc.to_str().unwrap(),
        "--trace",
        "--log",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    // Once the first replications run (a few blocks of 4,096 events simulated).
    let (code, err) = signal_when(child, &log, ("events", 3), "-INT");
    assert_eq!(code, Some(130), "{err}");
    let s = json(&out.join("summary.json"));
    assert_eq!(s["partial"], true, "{s}");
    let rows = s["by_replication"].as_array().expect("by_replication");
    // Trace numbers (1-based) of the rows.
    let listed: BTreeSet<u64> = rows
        .iter()
        .map(|r| r["replication"].as_u64().expect("an index") + 1)
        .collect();
    for r in rows {
        // 300 days each: none ran to its end, so every row says it was cut.
        assert_eq!(r["partial"], true, "a cut replication's row: {r}");
    }
    let trace = std::fs::read_to_string(out.join("trace.jsonl")).expect("trace written");
    let mut traced = BTreeSet::new();
    let mut interrupted = BTreeSet::new();
    for l in trace.lines() {
        let v: serde_json::Value = serde_json::from_str(l).expect("a trace line");
        let r = v["replication"].as_u64().expect("a replication");
        traced.insert(r);
        if v["kind"] == "interrupted" {
            interrupted.insert(r);
        }
    }
    assert_eq!(traced, listed, "the trace and by_replication disagree");
    assert_eq!(interrupted, listed, "each cut replication's trace ends so");
    assert!(
        listed.len() < 16,
        "on a few cores the stop came before some replication began: {listed:?}"
    );
    assert!(
        !out.join("conversations.csv").exists(),
        "a stopped run writes no log"
    );
    // A replication not begun: explain says why it is not in the trace.
    let missing = (1..=16u64).find(|r| !listed.contains(r)).expect("one");
    let o = bin()
        .args(["explain", out.to_str().unwrap(), "--conversation", "1"])
        .args(["--replication", &missing.to_string()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = text(&o.stderr);
    assert!(
        e.contains("a replication the stop reached before it began has no lines"),
        "{e}"
    );
    // A cut replication: conversation 1 closed long before the stop, and its story says the
    // replication's trace is partial all the same.
    if let Some(first) = listed.iter().next() {
        let o = bin()
            .args(["explain", out.to_str().unwrap(), "--conversation", "1"])
            .args(["--replication", &first.to_string()])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let story = text(&o.stdout);
        assert!(
            story.contains("this replication's trace is partial")
                || story.contains("the trace is partial"),
            "{story}"
        );
    }
}
