//! Issue 25 item 4 (second pass, G): `explain` reads the trace in two streaming passes and keeps
//! only the lines one story needs. Every story it tells from the file must be the story
//! `explain::tell` tells from the whole replication in memory (the old way): every conversation
//! and every agent of a rules-heavy conformance scenario (supervisors, refusals), and the
//! variant: multi-chat agents with abandonments over two replications, asked about each.

use std::path::PathBuf;

use omnisim::explain::{explain_file, tell, Subject};
use omnisim::sim::{self, RunOptions, TraceOptions};
use omnisim::trace::TraceLine;

fn same_stories(scenario: &str, tag: &str, replications: Option<u32>, edit: &[(&str, &str)]) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = crate::procs::TempDir::new(&format!("explain-stream-{tag}"));
    let mut text = std::fs::read_to_string(root.join(scenario)).expect("read");
    for (from, to) in edit {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    let sc = omnisim::scenario::load_str(&text, scenario).expect("loads");
    let opts = RunOptions {
        replications,
        trace: Some(TraceOptions {
            dir: dir.to_path_buf(),
            replication: None,
            errors: Default::default(),
        }),
        ..RunOptions::default()
    };
    let out = sim::run(&sc, &opts, &|_, _, _| {});
    let reps: Vec<u32> = (0..out.replications).collect();
    let path = sim::observe::assemble(&dir, &reps).expect("assembled");
    let all: Vec<TraceLine> = std::fs::read_to_string(&path)
        .expect("read")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a trace line"))
        .collect();
    let mut told = 0;
    for rep in 1..=out.replications {
        let lines: Vec<TraceLine> = all
            .iter()
            .filter(|l| l.replication == rep)
            .cloned()
            .collect();
        let last = lines
            .iter()
            .filter_map(|l| l.conversation)
            .max()
            .unwrap_or(0);
        let mut agents: Vec<String> = lines.iter().filter_map(|l| l.agent.clone()).collect();
        agents.sort();
        agents.dedup();
        // Every conversation, one past the last (unknown), every agent and a misspelt one.
        let subjects = (1..=last + 1)
            .map(Subject::Conversation)
            .chain(agents.into_iter().map(Subject::Agent))
            .chain([Subject::Agent("nobody-1".into())]);
        for s in subjects {
            let streamed = explain_file(&dir, &s, rep);
            let in_memory = tell(&lines, &s, rep);
            assert_eq!(streamed, in_memory, "{s:?}, replication {rep}");
            told += 1;
        }
    }
    assert!(told >= 8, "{told} stories");
}

#[test]
fn streamed_stories_equal_the_in_memory_ones() {
    same_stories(
        "tests/conformance/rules-monitor-assign.toml",
        "rules",
        None,
        &[],
    );
}

#[test]
fn streamed_stories_equal_the_in_memory_ones_with_abandons_and_replications() {
    // Multi-chat agents and customers who give up, two replications, two hours each.
    same_stories(
        "tests/conformance/chat-abandon.toml",
        "abandon",
        Some(2),
        &[
            ("horizon = \"400h\"", "horizon = \"2h\""),
            ("warmup = \"5h\"", "warmup = \"30m\""),
        ],
    );
}
