//! Issue 25, eleventh pass: `sweep` reads each `[traffic]` CSV file once for the grid points
//! that read it alike (`traffic::cache`). A point whose keys change what the file gives still
//! gets its own reading: `[scenario] start` (the roster's dated shifts) and a group's `count`
//! (a roster agent named like one of the group's agents) are varied here, and each point's
//! row must be what a sweep of that point alone gives. Also: a CSV file's problem at a line
//! an override changed in the scenario file is shown at the CSV line (was: as the `--vary`).

use crate::procs::{code_and_stderr, temp_dir, text, TempDir};

const SCENARIO: &str = r#"[scenario]
name = "cache"
start = "2026-01-05T08:00"
horizon = "2h"
seed = 5
replications = 1

[[workstreams]]
name = "calls"
channel = "voice"
handle_time = { dist = "exponential", mean = "5m" }

[[queues]]
name = "q"
workstream = "calls"
arrivals = { rate = "60/h" }

[[agent_groups]]
name = "ag"
count = 1
queues = ["q"]

[traffic]
roster = "roster.csv"
"#;

fn setup(tag: &str, roster: &str) -> TempDir {
    let dir = temp_dir(tag);
    std::fs::write(dir.join("s.toml"), SCENARIO).expect("s.toml");
    std::fs::write(dir.join("roster.csv"), roster).expect("roster.csv");
    dir
}

/// The rows of `sweep.csv` (no header) of `sweep s.toml --vary VARY` in `dir`.
fn sweep_rows(dir: &std::path::Path, vary: &str, out: &str) -> Vec<String> {
    let (code, err) = code_and_stderr(
        dir,
        &["sweep", "s.toml", "--vary", vary, "--out", out, "--quiet"],
    );
    assert_eq!(code, Some(0), "{vary}: {err}");
    let csv = std::fs::read(dir.join(out).join("sweep.csv")).expect("sweep.csv");
    text(&csv).lines().skip(1).map(str::to_string).collect()
}

#[test]
fn points_that_read_a_roster_differently_each_get_their_own_reading() {
    let dir = setup(
        "sweep-cache-start",
        "agent,queues,shift_start,shift_end\n\
         r1,q,2026-01-05T09:00,2026-01-05T10:00\n\
         r2,q,2026-01-05T09:00,2026-01-05T11:00\n\
         r3,q,2026-01-05T10:00,2026-01-05T11:00\n",
    );
    let both = sweep_rows(
        &dir,
        "scenario.start=2026-01-05T08:00,2026-01-05T09:00",
        "both",
    );
    let early = sweep_rows(&dir, "scenario.start=2026-01-05T08:00", "early");
    let late = sweep_rows(&dir, "scenario.start=2026-01-05T09:00", "late");
    assert_eq!(both, [early[0].clone(), late[0].clone()]);
    // The start moves the roster's shifts: the two points differ.
    assert_ne!(both[0][17..], both[1][17..], "{both:?}");
}

#[test]
fn a_count_that_makes_a_roster_name_clash_is_refused_at_that_point_only() {
    let dir = setup(
        "sweep-cache-clash",
        "agent,queues,shift_start,shift_end\n\
         r1,q,2026-01-05T08:00,2026-01-05T10:00\n\
         ag-2,q,2026-01-05T08:00,2026-01-05T10:00\n",
    );
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "sweep",
            "s.toml",
            "--vary",
            "agent_groups.ag.count=1..3",
            "--out",
            "out",
            "--quiet",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("at 2 points (agent_groups.ag.count=2; agent_groups.ag.count=3)"),
        "{err}"
    );
    assert_eq!(
        err.matches("roster.csv:3:1: agent: roster agent \"ag-2\" has the name")
            .count(),
        2,
        "{err}"
    );
    // Count 1 alone reads cleanly, after and before a point that clashes.
    assert_eq!(sweep_rows(&dir, "agent_groups.ag.count=1", "one").len(), 1);
}

#[test]
fn a_csv_problem_is_shown_at_its_own_line_not_at_an_override() {
    // The scenario's line 3 is `start`, which the sweep overrides; the roster's line 3 has a
    // problem of its own.
    let dir = setup(
        "sweep-cache-lines",
        "agent,queues,shift_start,shift_end\n\
         r1,q,2026-01-05T09:00,2026-01-05T10:00\n\
         r2,q,2026-01-05T08:00,2026-01-05T10:00\n",
    );
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "sweep",
            "s.toml",
            "--vary",
            "scenario.start=2026-01-05T09:00",
            "--out",
            "out",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("roster.csv:3:3: shift_start: \"2026-01-05T08:00\" is before the start"),
        "{err}"
    );
    assert!(!err.contains("--vary scenario.start"), "{err}");
}
