//! Issue 25, fresh tester (size not announced): a center whose agents each list thousands of
//! queues (5,000 queues × 6,000 agents: 30 million agent–queue memberships) validated in
//! 0.08 s without a word and then ran 51 of 480 simulated minutes in 300 s with 3.5 GB. The
//! memberships (Σ over agents, roster agents included, of the queues each serves) are a size
//! limit now (`scenario::MAX_MEMBERSHIPS`, refused without `--allow-huge`), with a warning
//! above `scenario::WARN_MEMBERSHIPS`. These tests only validate: nothing is run.

use std::fmt::Write as _;
use std::path::Path;

use crate::procs::{code_and_stderr, temp_dir};

/// `queues` queues of 20/h over 8 h and one group of `agents` agents (capacity 300) listing all
/// of them, as `s.toml` in `dir`; with `roster`, `[traffic] roster = "roster.csv"` too.
fn center(dir: &Path, queues: usize, agents: usize, roster: bool) {
    let mut toml = String::from(
        "[scenario]\nname = \"wide\"\nhorizon = \"8h\"\n\n[[workstreams]]\nname = \"chat\"\n\
         channel = \"live_chat\"\nhandle_time = { dist = \"exponential\", mean = \"5m\" }\n\n",
    );
    for q in 0..queues {
        let _ = write!(
            toml,
            "[[queues]]\nname = \"q{q}\"\nworkstream = \"chat\"\narrivals = {{ rate = \"20/h\" }}\n\n"
        );
    }
    let all: Vec<String> = (0..queues).map(|q| format!("\"q{q}\"")).collect();
    let _ = write!(
        toml,
        "[[agent_groups]]\nname = \"g\"\ncount = {agents}\ncapacity = 300\nqueues = [{}]\n\n",
        all.join(", ")
    );
    if roster {
        toml.push_str("[traffic]\nroster = \"roster.csv\"\n");
    }
    std::fs::write(dir.join("s.toml"), toml).expect("write s.toml");
}

#[test]
fn the_testers_center_is_refused_naming_memberships_memory_and_the_flag() {
    let dir = temp_dir("memberships-tester");
    center(&dir, 5_000, 6_000, false);
    let (code, err) = code_and_stderr(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    for want in [
        "agent_groups[0].queues: 30000000 agent–queue memberships in all",
        "about 3.6 GB at 120 B each",
        "over the limit of 20000000 memberships",
        "--allow-huge",
    ] {
        assert!(err.contains(want), "{want:?} not in\n{err}");
    }
    // With --allow-huge it loads, still warned about.
    let (code, err) = code_and_stderr(&dir, &["validate", "s.toml", "--allow-huge"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning: ") && err.contains("30000000 agent–queue memberships"),
        "{err}"
    );
}

#[test]
fn roster_agents_count_towards_the_memberships() {
    // 3,999 agents × 5,000 queues is 19,995,000, under the limit; two roster agents on every
    // queue take the center over it.
    let dir = temp_dir("memberships-roster");
    center(&dir, 5_000, 3_999, true);
    let queues: Vec<String> = (0..5_000).map(|q| format!("q{q}")).collect();
    let mut csv = String::from("agent,queues,shift_start,shift_end,capacity,breaks\n");
    for i in 0..2 {
        let _ = writeln!(csv, "r{i},{},0,3600,100,600-900", queues.join(";"));
    }
    std::fs::write(dir.join("roster.csv"), csv).expect("write roster.csv");
    let (code, err) = code_and_stderr(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("20005000 agent–queue memberships in all") && err.contains("--allow-huge"),
        "{err}"
    );
}

#[test]
fn the_warning_starts_just_above_its_threshold() {
    let dir = temp_dir("memberships-warn");
    // 1,000 × 2,000 is exactly the threshold: no warning.
    center(&dir, 1_000, 2_000, false);
    let (code, err) = code_and_stderr(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("memberships"), "{err}");
    // One agent more: warned, with the estimate, exit 0.
    center(&dir, 1_000, 2_001, false);
    let (code, err) = code_and_stderr(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning: ")
            && err.contains("2001000 agent–queue memberships in all")
            && err.contains("about 0.2 GB")
            && err.contains("the run will be slow"),
        "{err}"
    );
}
