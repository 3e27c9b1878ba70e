//! Issue 25, fifth pass (a fresh tester's findings): a command leaves no older file of a kind
//! it did not write this time, across a command's two modes. `run --shard` into a folder of a
//! whole run left summary.json, series.csv, report.html, the log and the trace beside the new
//! shard.json (`explain` told the older run's story); a plain `run` into a shard folder left
//! shard.json (and `merge` merged it silently); `sweep --shard` into a sweep folder left
//! sweep.csv, sweep.html and target.json. Files that are not omnisim's, and the other
//! command's files (a run and a sweep share the default folder), are left alone.

use std::path::Path;

use crate::procs::{bin, names, temp_dir};

static MMC: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::mmc::scenario("mmc-stale", "2h", "10m", 2));

fn ok(args: &[&str]) {
    let o = bin()
        .args(args)
        .arg("--quiet")
        .output()
        .expect("omnisim runs");
    assert!(
        o.status.success(),
        "{args:?}: {:?}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn format_of(shard: &Path) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shard).unwrap()).unwrap();
    v["format"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_run_or_sweep_removes_the_older_files_of_its_other_mode() {
    let dir = temp_dir("stale-modes");
    let sc = dir.join("mmc.toml");
    std::fs::write(&sc, &*MMC).unwrap();
    let sc = sc.to_str().unwrap();
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let vary = "agent_groups.agent.count=8..12:4";

    // A whole run (log, trace), a whole sweep and a file of the user's in one folder.
    ok(&["run", sc, "--out", o, "--log", "--trace"]);
    ok(&[
        "sweep",
        sc,
        "--vary",
        vary,
        "--target",
        "service_level.fraction>=0.5",
        "--out",
        o,
    ]);
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let whole_run = [
        "agents.csv",
        "conversations.csv",
        "report.html",
        "series.csv",
        "summary.json",
        "trace.jsonl",
    ];
    let sweep = ["sweep.csv", "sweep.html", "target.json"];
    for f in whole_run.iter().chain(&sweep) {
        assert!(out.join(f).exists(), "{f}");
    }

    // (A) run --shard: the whole run's files go; the sweep's and the user's stay.
    ok(&["run", sc, "--shard", "1/2", "--out", o]);
    let mut want: Vec<&str> = sweep.to_vec();
    want.extend(["notes.txt", "shard.json"]);
    want.sort();
    assert_eq!(names(&out), want, "after run --shard");
    let e = bin()
        .args(["explain", o, "--conversation", "3"])
        .output()
        .unwrap();
    assert_eq!(
        e.status.code(),
        Some(2),
        "explain has no older trace to tell"
    );

    // (C) sweep --shard: the whole sweep's files go; its shard replaces the run shard.
    ok(&["sweep", sc, "--vary", vary, "--shard", "1/2", "--out", o]);
    assert_eq!(
        names(&out),
        ["notes.txt", "shard.json"],
        "after sweep --shard"
    );
    assert!(format_of(&out.join("shard.json")).starts_with("omnisim.sweep-shard/"));

    // A plain run leaves the sweep shard (not its kind); a plain sweep removes it.
    ok(&["run", sc, "--out", o]);
    assert!(
        out.join("shard.json").exists(),
        "a run removed a sweep shard"
    );
    ok(&["sweep", sc, "--vary", vary, "--out", o]);
    assert!(
        !out.join("shard.json").exists(),
        "an older sweep shard left"
    );
    assert!(
        out.join("summary.json").exists(),
        "a sweep removed a run's summary"
    );
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(
        !csv.lines().next().unwrap().contains("partial"),
        "a whole sweep's CSV has no partial column:\n{csv}"
    );

    // (B) a plain run into a run-shard folder removes the shard; merge then refuses it.
    let x = dir.join("x");
    let xs = x.to_str().unwrap();
    ok(&["run", sc, "--shard", "1/2", "--out", xs]);
    ok(&["run", sc, "--out", xs, "--seed", "5"]);
    assert!(!x.join("shard.json").exists(), "an older run shard left");
    let y = dir.join("y");
    ok(&["run", sc, "--shard", "2/2", "--out", y.to_str().unwrap()]);
    let m = bin()
        .args(["merge", xs, y.to_str().unwrap(), "--out"])
        .arg(dir.join("m"))
        .output()
        .unwrap();
    assert_eq!(m.status.code(), Some(2), "merge took a stale shard");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
}

/// Found by a fresh tester (sixth pass): a second signal during `run --trace` left the
/// replications' `trace.jsonl.part-<n>` (hundreds of MB), and a later `run` without `--trace`
/// kept them. Now any `run` removes an older run's trace parts and atomic writes' temporaries
/// (`<output name>.<pid>.tmp~` of a process that is gone), and nothing else.
#[test]
fn a_run_removes_an_older_runs_temporary_files() {
    let dir = temp_dir("stale-temporaries");
    let sc = dir.join("mmc.toml");
    std::fs::write(&sc, &*MMC).unwrap();
    let sc = sc.to_str().unwrap();
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    std::fs::create_dir_all(&out).unwrap();
    // As a killed run leaves them (process id 4194304 is above Linux's limit: never alive).
    let left = [
        "trace.jsonl.part-0",
        "trace.jsonl.part-1",
        "trace.jsonl.4194304.tmp~",
        "summary.json.4194304.tmp~",
    ];
    // Not omnisim's temporaries: kept.
    let mine = ["notes.txt", "trace.jsonl.part-x", "mine.4194304.tmp~"];
    for n in left.iter().chain(&mine) {
        std::fs::write(out.join(n), "x\n").unwrap();
    }
    ok(&["run", sc, "--out", o, "--replications", "1"]);
    let names = names(&out);
    for n in left {
        assert!(!names.contains(&n.to_string()), "{n} kept: {names:?}");
    }
    for n in mine {
        assert!(names.contains(&n.to_string()), "{n} removed: {names:?}");
    }
}
