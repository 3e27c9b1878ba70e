//! Issue 25, tenth pass (a seventh fresh tester's nitpicks): validation problems are listed
//! in the order a reader fixes them, and a roster that takes a center over the agents limit
//! is named.

use std::fmt::Write as _;

use crate::procs::{code_and_stderr, temp_dir};

/// Problems of the scenario and of three CSV files: the scenario's first, by line; then each
/// file's, files by name, each by line then column. Was: the files in the order they were
/// read (replay, forecast, roster), and within the roster its overlap check (line 4) after a
/// later line's bad capacity (line 5).
#[test]
fn problems_are_listed_by_file_then_line_then_column() {
    let dir = temp_dir("problem-order");
    std::fs::write(
        dir.join("s.toml"),
        "[scenario]\nhorizon = \"1h\"\n\n[[workstreams]]\nname = \"w\"\nchannel = \"live_chat\"\n\
         handle_time = \"5m\"\n\n[[queues]]\nname = \"a\"\nworkstream = \"w\"\n\n\
         [[agent_groups]]\nname = \"ag\"\ncount = 2\nqueues = [\"a\"]\n\n[traffic]\n\
         roster = \"roster.csv\"\nforecast = \"fc.csv\"\nreplay = \"hist.csv\"\n",
    )
    .expect("s.toml");
    std::fs::write(
        dir.join("roster.csv"),
        "agent,queues,shift_start,shift_end,capacity\nx1,a,0,28800,100\nx2,a,0,100,abc\n\
         x1,a,3600,30000,100\nx4,a,0,100,0\n",
    )
    .expect("roster.csv");
    std::fs::write(
        dir.join("fc.csv"),
        "interval_start,queue,volume\n0,a,x\n900,zz,3\n",
    )
    .expect("fc.csv");
    std::fs::write(dir.join("hist.csv"), "arrival,queue\n5,a\n1,zz\n").expect("hist.csv");
    let (code, err) = code_and_stderr(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    let places: Vec<&str> = err
        .lines()
        .skip(1)
        .map(|l| l.split(": ").next().unwrap_or(""))
        .collect();
    assert_eq!(
        places,
        [
            "s.toml:1:1",
            "fc.csv:2:3",
            "fc.csv:3:2",
            "hist.csv:3:2",
            "roster.csv:3:5",
            "roster.csv:4:3",
            "roster.csv:5:5"
        ],
        "{err}"
    );
}

/// A center taken over the agents limit by its roster: the problem names the roster file and
/// the line of the first agent past the limit (was: `agent_groups[1].count`, a key the file
/// does not have, with no line). Variant: over the limit by the groups alone, still at the
/// group's `count`.
#[test]
fn a_roster_past_the_agents_limit_is_named_at_its_line() {
    let dir = temp_dir("roster-limit");
    let scenario = |count: u32| {
        format!(
            "[scenario]\nname = \"big\"\nhorizon = \"1h\"\n\n[[workstreams]]\nname = \"w\"\n\
             channel = \"live_chat\"\nhandle_time = \"5m\"\n\n[[queues]]\nname = \"a\"\n\
             workstream = \"w\"\narrivals = {{ rate = \"10/h\" }}\n\n[[agent_groups]]\n\
             name = \"ag\"\ncount = {count}\nqueues = [\"a\"]\n\n[traffic]\n\
             roster = \"roster.csv\"\n"
        )
    };
    let mut csv = String::from("agent,queues,shift_start,shift_end\n");
    for i in 0..3 {
        let _ = writeln!(csv, "r{i},a,0,3600");
    }
    std::fs::write(dir.join("roster.csv"), csv).expect("roster.csv");
    std::fs::write(dir.join("s.toml"), scenario(999_999)).expect("s.toml");
    let (code, err) = code_and_stderr(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(
            "roster.csv:3: agent: 1000002 agents in all (999999 of [[agent_groups]] and this \
             roster's 3 agents) is over the limit of 1000000 agents; agent \"r1\" of this line \
             is the first past it"
        ),
        "{err}"
    );
    assert!(!err.contains("agent_groups[1]"), "{err}");
    assert!(err.contains("--allow-huge"), "{err}");
    std::fs::write(dir.join("s.toml"), scenario(1_000_001)).expect("s.toml");
    let (code, err) = code_and_stderr(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("agent_groups[0].count: 1000004 agents in all is over the limit"),
        "{err}"
    );
}
