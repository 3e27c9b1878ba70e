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
