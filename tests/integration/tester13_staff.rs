//! A thirteenth fresh tester on `staff`'s messages: an interval no candidate shift covers is
//! named as the staffing table names it (clock time), not in seconds from t = 0.

use crate::procs::{run_in, temp_dir, text};

const SCENARIO: &str = r#"[scenario]
name = "uncovered"
start = "2026-03-02T08:00"
horizon = "2h"
seed = 3
replications = 2

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 50
handle_time = { dist = "exponential", mean = "5m" }

[[queues]]
name = "q"
workstream = "chat"
arrivals = { rate = "100/h" }

[[agent_groups]]
name = "g"
count = 0
capacity = 100
queues = ["q"]
"#;

/// Finding 8: the scenario starts at 08:00 and the only shift at 09:00, so 08:00 is uncovered;
/// the message said "0:00:00" while the table above it says "08:00".
#[test]
fn an_uncovered_interval_is_named_by_its_clock_time() {
    let dir = temp_dir("tester13-uncovered");
    std::fs::write(dir.join("s.toml"), SCENARIO).expect("scenario");
    std::fs::write(
        dir.join("sh.toml"),
        "[[shifts]]\nname = \"late\"\nstarts = [\"09:00\"]\nlength = \"1h\"\ncost = 1.0\n",
    )
    .expect("shifts");
    let o = run_in(
        &dir,
        &[
            "staff",
            "s.toml",
            "--target",
            "service_level.fraction>=0.8",
            "--shifts",
            "sh.toml",
            "--out",
            "st",
        ],
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(
        out.contains("no candidate shift covers the interval starting at 08:00 "),
        "{out}"
    );
    assert!(!out.contains("0:00:00"), "{out}");
}
