//! Issue 25, validation messages that do not lie or hide: a bad `[scenario]` key no longer
//! loses `start` for the CSV readers (a false "no `[scenario] start`" that hid the CSV's real
//! errors); huge numbers print in scientific notation; `omnisim forecast` of a log in seconds
//! since t = 0 says so once.

use crate::procs::code_and_stderr as omnisim;
use std::path::Path;

const SCENARIO: &str = r#"
[scenario]
name = "f3"
horizon = "1d"
start = "2026-03-02"
BAD
[[workstreams]]
name = "w"
channel = "voice"
handle_time = "4m"
[[queues]]
name = "q"
workstream = "w"
arrivals = { rate = "10/h" }
[traffic]
TRAFFIC
"#;

fn scenario(dir: &Path, bad: &str, traffic: &str) {
    let text = SCENARIO.replace("BAD", bad).replace("TRAFFIC", traffic);
    std::fs::write(dir.join("s.toml"), text).unwrap();
}

const BAD_KEYS: [(&str, &str); 3] = [
    ("seed = -1", "scenario.seed"),
    ("replications = 0", "scenario.replications"),
    ("service_level = \"abc\"", "scenario.service_level"),
];

#[test]
fn a_bad_scenario_key_keeps_start_for_a_dated_roster() {
    let dir = crate::procs::TempDir::new("honest-roster");
    // Line 2 is good; line 3 has a real error (a shift end that is not a date-time).
    std::fs::write(
        dir.join("ro2.csv"),
        "agent,queues,shift_start,shift_end\nann,q,2026-03-02T08:00,2026-03-02T16:00\n\
         bob,q,2026-03-02T08:00,soon\n",
    )
    .unwrap();
    for (bad, path) in BAD_KEYS {
        scenario(&dir, bad, "roster = \"ro2.csv\"");
        let (c, e) = omnisim(&dir, &["validate", "s.toml"]);
        assert_eq!(c, Some(2), "{bad}: {e}");
        assert!(e.contains(path), "{bad}: {e}");
        assert!(!e.contains("has no `[scenario] start`"), "{bad}: {e}");
        assert!(e.contains("ro2.csv:3:4: shift_end"), "{bad}: {e}");
        assert!(!e.contains("ro2.csv:2:"), "{bad}: {e}");
    }
}

#[test]
fn a_bad_scenario_key_keeps_start_for_a_dated_forecast() {
    let dir = crate::procs::TempDir::new("honest-forecast");
    std::fs::write(
        dir.join("fc.csv"),
        "interval_start,queue,volume\n2026-03-02T08:00,q,10\n2026-03-02T08:30,q,1e12\n",
    )
    .unwrap();
    for (bad, path) in BAD_KEYS {
        scenario(&dir, bad, "forecast = \"fc.csv\"");
        let (c, e) = omnisim(&dir, &["validate", "s.toml"]);
        assert_eq!(c, Some(2), "{bad}: {e}");
        assert!(e.contains(path), "{bad}: {e}");
        assert!(!e.contains("has no `[scenario] start`"), "{bad}: {e}");
        // The real row error is reported together with the key's.
        assert!(e.contains("fc.csv:3:3: volume"), "{bad}: {e}");
    }
}

#[test]
fn huge_numbers_are_written_in_scientific_notation() {
    let dir = crate::procs::TempDir::new("honest-huge");
    std::fs::write(
        dir.join("fc.csv"),
        "interval_start,queue,volume\n2026-03-02T08:00,q,10\n2026-03-02T08:30,q,1e308\n",
    )
    .unwrap();
    scenario(&dir, "", "forecast = \"fc.csv\"");
    let (c, e) = omnisim(&dir, &["validate", "s.toml"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(!e.contains("0000000000"), "{e}");
    assert!(
        e.contains("volume 1.000e308 in 30m reaches 5.556e304 arrivals per second"),
        "{e}"
    );
    // Variant: a TOML float far out of range in a scenario key.
    let text = SCENARIO
        .replace("BAD", "")
        .replace("[traffic]\nTRAFFIC", "")
        .replace(
            "handle_time = \"4m\"",
            "handle_time = \"4m\"\nsentiment = { start = 0.5, volatility = -1e300 }",
        );
    std::fs::write(dir.join("s.toml"), text).unwrap();
    let (c, e) = omnisim(&dir, &["validate", "s.toml"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(
        e.contains("volatility must be at least 0, found -1.000e300"),
        "{e}"
    );
}

/// A conversation log written without `[scenario] start`: arrivals in seconds.
fn seconds_log(rows: usize) -> String {
    let mut s = String::from("conversation,queue,arrival\n");
    for i in 0..rows {
        s.push_str(&format!("{i},q,{}.5\n", 60 * i));
    }
    s
}

#[test]
fn a_forecast_of_a_log_in_seconds_says_so_once() {
    let dir = crate::procs::TempDir::new("honest-seconds");
    std::fs::write(dir.join("conversations.csv"), seconds_log(300)).unwrap();
    let (c, e) = omnisim(&dir, &["forecast", "conversations.csv"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(!e.contains("is not a date-time"), "{e}");
    assert!(!e.contains("more problems"), "{e}");
    assert!(
        e.contains("conversations.csv:2:3: arrival: `arrival` holds seconds since t = 0 (\"0.5\" here and 299 more rows), not date-times"),
        "{e}"
    );
    assert!(e.contains("[scenario] start"), "{e}");
    assert_eq!(e.matches("seconds since t = 0").count(), 1, "{e}");
    // Variant: a volume file whose interval_start is in seconds.
    let mut v = String::from("interval_start,volume\n");
    for i in 0..100 {
        v.push_str(&format!("{},5\n", 1800 * i));
    }
    std::fs::write(dir.join("v.csv"), v).unwrap();
    let (c, e) = omnisim(&dir, &["forecast", "v.csv"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(
        e.contains("v.csv:2:1: interval_start: `interval_start` holds seconds since t = 0 (\"0\" here and 99 more rows)"),
        "{e}"
    );
    assert!(!e.contains("is not a date-time"), "{e}");
    // A dated column keeps its per-cell errors for a stray number.
    std::fs::write(
        dir.join("m.csv"),
        "conversation,queue,arrival\n1,q,2026-03-02T08:00\n2,q,5.5\n",
    )
    .unwrap();
    let (c, e) = omnisim(&dir, &["forecast", "m.csv"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(
        e.contains("m.csv:3:3: arrival: \"5.5\" is not a date-time"),
        "{e}"
    );
}
