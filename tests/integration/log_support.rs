//! Helpers shared by the tests of `conversations.csv`, its legs and retry contacts
//! (`log_contacts`, `log_legs`, `log_links`): run a scenario with `--log --trace`, read a CSV
//! as rows of column → cell, write rows back, and turn a scenario into one replaying a history;
//! `CHAT`, the scenario with retrials and a transfer they share.

use std::collections::BTreeMap;
use std::path::Path;

use crate::procs::{json, run_in, text};

/// Chat with many abandonments that retry and a share transferred to tier 2; no warm-up, a
/// calendar (so the log's arrivals are date-times `forecast` reads). `EXTRA` is appended to
/// queue `tier1`'s table.
pub const CHAT: &str = r#"
[scenario]
name = "contacts"
horizon = "6h"
start = "2026-03-02T08:00"
seed = 4

[[workstreams]]
name = "tier1-chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "6m" }
patience = { dist = "exponential", mean = "1m" }
retrial = { probability = 0.8, delay = { dist = "exponential", mean = "5m" } }
transfer = { probability = 0.3, queue = "tier2" }

[[workstreams]]
name = "tier2-chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "8m" }

[[queues]]
name = "tier2"
workstream = "tier2-chat"

[[queues]]
name = "tier1"
workstream = "tier1-chat"
arrivals = { rate = "60/h" }
EXTRA

[[agent_groups]]
name = "t1"
count = 5
queues = ["tier1"]

[[agent_groups]]
name = "t2"
count = 2
queues = ["tier2"]
"#;

/// A CSV row: column → cell.
pub type Row = BTreeMap<String, String>;

/// Writes `toml` as `dir/s.toml` and runs it once (`--replications 1 --quiet --log --trace`)
/// into `dir/out`; the summary. Panics (the test fails) on a non-zero exit.
pub fn run_logged(dir: &Path, toml: &str) -> serde_json::Value {
    std::fs::write(dir.join("s.toml"), toml).unwrap();
    let o = run_in(
        dir,
        &[
            "run",
            "s.toml",
            "--replications",
            "1",
            "--quiet",
            "--log",
            "--trace",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    json(&dir.join("out/summary.json"))
}

/// The rows of CSV `path` as maps of column → cell.
pub fn csv_rows(path: &Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            h.iter()
                .zip(x.iter())
                .map(|(a, b)| (a.into(), b.into()))
                .collect()
        })
        .collect()
}

/// Writes `rows` (maps with the same columns, in column-name order) as CSV `path`.
pub fn write_rows(path: &Path, rows: &[&Row]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    if let Some(first) = rows.first() {
        w.write_record(first.keys()).unwrap();
    }
    for r in rows {
        w.write_record(r.values()).unwrap();
    }
    w.flush().unwrap();
}

/// `toml` (whose queue `tier1` has `arrivals = { rate = "60/h" }`) without those arrivals,
/// replaying `history` instead.
pub fn replaying(toml: &str, history: &str) -> String {
    toml.replace("arrivals = { rate = \"60/h\" }", "")
        + &format!("\n[traffic]\nreplay = \"{history}\"\n")
}
