//! Issue 25, a thirteenth fresh tester: occupancy above 100% when agents finish work after
//! their shift's end (the units they held counted, their capacity did not), and `fit`
//! accepting `patience` cells that replay refuses.

use crate::procs::{code_and_stderr, json, temp_dir};
use std::path::Path;

/// One roster agent (capacity 100) on shift 08:00–08:10 takes four 50-minute chats of 25
/// units in its first minute and holds them long after its shift (was "Occupancy 500.0%").
const ROSTER: &str = r#"
[scenario]
name = "occr"
start = "2026-03-02T08:00"
horizon = "1h"
seed = 5
replications = 2

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 25
handle_time = { dist = "constant", value = "50m" }

[[queues]]
name = "q"
workstream = "chat"
arrivals = { rate = "200/h" }

[traffic]
roster = "r7.csv"
"#;

/// Ten agents on shift 0–50 min with 40-minute chats (was "Occupancy 107.1%"); BREAKS is
/// replaced by nothing or by a group's regular breaks.
const GROUP: &str = r#"
[scenario]
name = "occ"
horizon = "1h"
seed = 5
replications = 3

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 25
handle_time = { dist = "lognormal", mean = "40m", sd = "20m" }
wrap_up_time = { dist = "constant", value = "2m" }

[[queues]]
name = "q"
workstream = "chat"
arrivals = { rate = "200/h" }

[[agent_groups]]
name = "g"
count = 10
capacity = 100
queues = ["q"]
shift = { start = "0s", end = "50m" }
BREAKS
"#;

fn run(dir: &Path, file: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["run", file, "--out", "o", "--quiet"];
    args.extend_from_slice(extra);
    let (code, err) = code_and_stderr(dir, &args);
    assert_eq!(code, Some(0), "{err}");
    json(&dir.join("o/summary.json"))
}

/// Every occupancy of a run without overallocation is at most 1: the centre's, each group's,
/// each replication's and each interval of series.csv.
fn assert_at_most_one(dir: &Path, s: &serde_json::Value) {
    assert_eq!(
        s["overallocation"]["events"].as_u64().unwrap_or(0),
        0,
        "{s}"
    );
    let occ = s["occupancy"].as_f64().unwrap();
    assert!(occ > 0.0 && occ <= 1.0, "occupancy {occ}");
    for (g, v) in s["agent_groups"].as_object().unwrap() {
        let o = v["occupancy"].as_f64().unwrap();
        assert!(o <= 1.0, "group {g}: {o}");
    }
    let series = std::fs::read_to_string(dir.join("o/series.csv")).unwrap();
    let mut lines = series.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = head.iter().position(|c| *c == "occupancy").unwrap();
    for l in lines {
        if let Some(Ok(o)) = l.split(',').nth(col).map(str::parse::<f64>) {
            assert!(o <= 1.0 + 1e-9, "series.csv: {l}");
        }
    }
}

#[test]
fn a_roster_agent_finishing_work_after_its_shift_is_staffed_while_it_holds_it() {
    let d = temp_dir("occ-roster");
    std::fs::write(d.join("s.toml"), ROSTER).unwrap();
    std::fs::write(
        d.join("r7.csv"),
        "agent,queues,shift_start,shift_end\nann,q,2026-03-02T08:00,2026-03-02T08:10\n",
    )
    .unwrap();
    let s = run(&d, "s.toml", &["--log"]);
    assert_at_most_one(&d, &s);
    // By hand from the log: each replication, ann holds n chats × 25 units for 3,000 s each
    // and counts 100 units from 0 until her last chat ends (past the 600 s shift end).
    let log = std::fs::read_to_string(d.join("o/conversations.csv")).unwrap();
    let start = 8.0 * 3600.0;
    let (mut used, mut last) = (0.0, [600.0f64; 2]);
    for l in log.lines().skip(1).filter(|l| l.contains(",ann,")) {
        let c: Vec<&str> = l.split(',').collect();
        let hms = c[1].split('T').nth(1).unwrap();
        let p: Vec<f64> = hms.split(':').map(|x| x.parse().unwrap()).collect();
        let answered = p[0] * 3600.0 + p[1] * 60.0 + p[2] - start + c[4].parse::<f64>().unwrap();
        let rep: usize = c[10].parse().unwrap();
        used += 25.0 * 3000.0;
        last[rep - 1] = last[rep - 1].max(answered + 3000.0);
    }
    assert!(last.iter().all(|&t| t < 3600.0), "{last:?}");
    let expected = used / (100.0 * (last[0] + last[1]));
    let occ = s["occupancy"].as_f64().unwrap();
    assert!((occ - expected).abs() < 1e-6, "{occ} vs {expected}");
    assert!(
        occ > 0.9,
        "{occ}: she is busy from her first minute to her last chat"
    );
    let g = s["agent_groups"]["ann"]["occupancy"].as_f64().unwrap();
    assert!((g - expected).abs() < 1e-6, "{g} vs {expected}");
}

#[test]
fn a_group_shift_ending_before_the_horizon_keeps_occupancy_at_most_one() {
    let d = temp_dir("occ-group");
    std::fs::write(d.join("s.toml"), GROUP.replace("BREAKS", "")).unwrap();
    let s = run(&d, "s.toml", &[]);
    assert_at_most_one(&d, &s);
}

#[test]
fn with_breaks_a_shift_ending_before_the_horizon_keeps_occupancy_at_most_one() {
    let d = temp_dir("occ-breaks");
    let text = GROUP.replace("BREAKS", "breaks = { every = \"15m\", length = \"5m\" }");
    std::fs::write(d.join("s.toml"), text).unwrap();
    let s = run(&d, "s.toml", &[]);
    assert_at_most_one(&d, &s);
}

const HISTORY: &str = "id,arrival,queue,outcome,wait,handle,wrap_up,patience,agent,replication\n\
1,2026-03-02T08:01:00,t1,answered,0,10,,,,1\n";

#[test]
fn fit_refuses_bad_patience_cells_as_replay_does() {
    let d = temp_dir("fit-patience");
    let csv = format!(
        "{HISTORY}2,2026-03-02T08:04:00,t1,abandoned,5,,,-3,,1\n\
         3,2026-03-02T08:05:00,t1,abandoned,5,,,abc,,1\n\
         4,2026-03-02T08:06:00,t1,answered,1,12,,NaN,,1\n\
         5,2026-03-02T08:07:00,t1,abandoned,5,,,inf,,1\n"
    );
    std::fs::write(d.join("h.csv"), csv).unwrap();
    let (code, err) = code_and_stderr(&d, &["fit", "h.csv", "--out", "f"]);
    assert_eq!(code, Some(2), "{err}");
    for cell in ["h.csv:3:8:", "h.csv:4:8:", "h.csv:5:8:", "h.csv:6:8:"] {
        assert!(err.contains(cell), "{cell} in {err}");
    }
    assert!(err.contains("patience"), "{err}");
}

#[test]
fn fit_refuses_bad_wrap_up_cells_all_at_once() {
    let d = temp_dir("fit-wrap");
    let csv = format!(
        "{HISTORY}2,2026-03-02T08:04:00,t1,answered,5,10,-1,,,1\n\
         3,2026-03-02T08:05:00,t1,answered,5,10,NaN,1e300,,1\n"
    );
    std::fs::write(d.join("h.csv"), csv).unwrap();
    let (code, err) = code_and_stderr(&d, &["fit", "h.csv", "--out", "f"]);
    assert_eq!(code, Some(2), "{err}");
    for cell in ["h.csv:3:7:", "h.csv:4:7:", "h.csv:4:8:"] {
        assert!(err.contains(cell), "{cell} in {err}");
    }
}
