//! Issue 25, ninth pass (a sixth fresh tester), small messages: a duration that rounds to 0 ms
//! says so; a header-only roster warns (as a header-only replay does); `staff --replications 2`
//! says it is raised; `load --duration 0s` is refused.

use crate::procs::code_and_stderr as omnisim;
use std::path::Path;

const SCENARIO: &str = r#"
[scenario]
name = "small"
horizon = "1h"
replications = 1

[[workstreams]]
name = "w"
channel = "live_chat"
handle_time = "1m"
PATIENCE

[[queues]]
name = "a"
workstream = "w"
arrivals = { rate = "10/h" }

[[agent_groups]]
name = "ag"
count = 2
queues = ["a"]
TRAFFIC
"#;

fn scenario(dir: &Path, patience: &str, traffic: &str) {
    let text = SCENARIO
        .replace("PATIENCE", patience)
        .replace("TRAFFIC", traffic);
    std::fs::write(dir.join("s.toml"), text).unwrap();
}

#[test]
fn a_duration_rounding_to_zero_ms_says_so() {
    let dir = crate::procs::TempDir::new("small-ms");
    scenario(
        &dir,
        r#"patience = { dist = "lognormal", mean = "0.1ms", sd = "0.1ms" }"#,
        "",
    );
    let (c, e) = omnisim(&dir, &["validate", "s.toml"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("workstreams[0].patience.mean: must be longer than 0s: \"0.1ms\" rounds to 0 ms (times are whole milliseconds)"), "{e}");
    // Variant: an auto-close of 0.4 ms; a plain "0s" keeps the short message.
    scenario(&dir, r#"open_auto_close = "0.4ms""#, "");
    let (c, e) = omnisim(&dir, &["validate", "s.toml"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("\"0.4ms\" rounds to 0 ms"), "{e}");
    scenario(&dir, r#"open_auto_close = "0s""#, "");
    let (_, e) = omnisim(&dir, &["validate", "s.toml"]);
    assert!(
        e.contains("must be longer than 0s") && !e.contains("rounds"),
        "{e}"
    );
}

#[test]
fn a_header_only_roster_warns() {
    let dir = crate::procs::TempDir::new("small-roster");
    std::fs::write(
        dir.join("roster.csv"),
        "agent,queues,shift_start,shift_end\n",
    )
    .unwrap();
    scenario(&dir, "", "[traffic]\nroster = \"roster.csv\"");
    let (c, e) = omnisim(&dir, &["validate", "s.toml"]);
    assert_eq!(c, Some(0), "{e}");
    assert!(e.contains("warning"), "{e}");
    assert!(e.contains("traffic.roster: the roster has no rows"), "{e}");
}

#[test]
fn staff_says_when_it_raises_replications_and_load_refuses_no_time() {
    let dir = crate::procs::TempDir::new("small-staff");
    scenario(&dir, "", "");
    let (c, e) = omnisim(
        &dir,
        &[
            "staff",
            "s.toml",
            "--target",
            "service_level.fraction>=0.5",
            "--replications",
            "2",
            "--out",
            "st",
            "--quiet",
        ],
    );
    assert!(matches!(c, Some(0 | 1)), "{e}");
    assert!(e.contains("warning: --replications 2 raised to 10"), "{e}");
    let (c, e) = omnisim(&dir, &["load", "s.toml", "--rate", "1", "--duration", "0s"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(
        e.contains("--duration \"0s\": must be longer than 0s"),
        "{e}"
    );
}
