//! Finds of the twenty-second fresh tester (issue 25) fixed on `main`: the order of
//! conversation ids at one instant, as the README states it.

use crate::procs::{run_in, temp_dir, text};

/// README: "a queue's next arrival is drawn when its last one comes; at one instant the one
/// drawn first comes first: at 0 s queues take turns in file order". The tester's case: q1 at
/// 0, 0, 0.0005 (read as 0.001), 1, 1 s and q2 at 0, 1 s. At 0 s q1, q2, q1; at 1 s q2's
/// arrival (drawn at 0 s) before q1's two (drawn at 0.001 s and 1 s).
#[test]
fn ids_at_one_instant_follow_the_order_arrivals_were_drawn() {
    let dir = temp_dir("tester22-ties");
    let scenario = r#"
[scenario]
name = "edge0"
horizon = "10m"
seed = 1
service_level = "0s"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "0s" }

[[queues]]
name = "q1"
workstream = "chat"
arrivals = { times = ["0s", "0s", "0.0005s", "1s", "1s"] }

[[queues]]
name = "q2"
workstream = "chat"
arrivals = { times = ["0s", "1s"] }

[[agent_groups]]
name = "g"
count = 1
capacity = 100
queues = ["q1", "q2"]
"#;
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    let out = run_in(&dir, &["run", "s.toml", "--out", "r", "--log", "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let log = std::fs::read_to_string(dir.join("r/conversations.csv")).unwrap();
    let rows: Vec<(String, String, String)> = log
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].to_string(), c[1].to_string(), c[2].to_string())
        })
        .collect();
    let want = [
        ("1", "0", "q1"),
        ("2", "0", "q2"),
        ("3", "0", "q1"),
        ("4", "0.001", "q1"),
        ("5", "1", "q2"),
        ("6", "1", "q1"),
        ("7", "1", "q1"),
    ];
    let got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert_eq!(got, want, "{log}");
}

/// A twenty-third tester: 20 idle agents, 30-minute calls, `drain_limit = "1m"`: the
/// conversations left at the end were answered and still being handled at the cut, but the
/// note said only "Nobody served them". It now names both causes.
#[test]
fn the_drain_note_names_a_handling_cut_by_the_drain() {
    let dir = temp_dir("tester23-drain");
    let scenario = r#"
[scenario]
name = "drain"
horizon = "10m"
seed = 1
drain_limit = "1m"

[[workstreams]]
name = "voice"
channel = "voice"
handle_time = { dist = "constant", value = "30m" }

[[queues]]
name = "q"
workstream = "voice"
arrivals = { times = ["1m", "2m", "3m"] }

[[agent_groups]]
name = "a"
count = 20
queues = ["q"]
"#;
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    let out = run_in(&dir, &["run", "s.toml", "--out", "r", "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r/summary.json")).unwrap())
            .unwrap();
    assert_eq!(s["conversations"]["answered"], 3, "{s}");
    assert_eq!(s["conversations"]["in_system_at_end"], 3, "{s}");
    let notes = s["notes"].to_string();
    assert!(
        notes.contains("3 conversations were still in the system at the end of the drain")
            && notes.contains("Either an agent was still handling them at the cut"),
        "{notes}"
    );
}
