//! Scenario validation: the bad-file corpus, the conformance files, the bundled scenarios, and
//! a property test that no input makes the loader panic.

use std::path::{Path, PathBuf};

use omnisim::dist::Dist;
use omnisim::model::{AgentId, ConvState, QueueId};
use omnisim::scenario::{load_file, load_str, Action, AgentPick, Arrivals, Scenario};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_in(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> Scenario {
    load_file(path).unwrap_or_else(|e| panic!("{} should load:\n{e}", path.display()))
}

/// Each bad file states its expected diagnostics in `# expect: <fragment>` lines, and may state
/// `# count: N` (the exact number of diagnostics).
#[test]
fn every_bad_file_reports_what_it_expects() {
    let files = files_in("tests/data/bad");
    assert!(files.len() >= 30, "only {} bad files", files.len());
    let mut most = 0;
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let expects: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect:"))
            .map(str::trim)
            .collect();
        let name = file.display();
        if expects.is_empty() {
            failures.push(format!("{name}: no `# expect:` line"));
            continue;
        }
        let err = match load_file(file) {
            Ok(_) => {
                failures.push(format!("{name}: loaded but should not"));
                continue;
            }
            Err(e) => e,
        };
        let shown = err.to_string();
        for want in &expects {
            if !shown.contains(want) {
                failures.push(format!("{name}: expected {want:?} in:\n{shown}"));
            }
        }
        let count = text
            .lines()
            .find_map(|l| l.strip_prefix("# count:"))
            .map(|n| n.trim().parse::<usize>().expect("count"))
            .unwrap_or(expects.len());
        if err.diagnostics.len() != count {
            failures.push(format!(
                "{name}: {} diagnostics, expected {count}:\n{shown}",
                err.diagnostics.len()
            ));
        }
        for d in &err.diagnostics {
            let whole_file = d.message.ends_with("in the file");
            if !whole_file && (d.line.is_none() || d.column.is_none()) {
                failures.push(format!("{name}: no position: {d}"));
            }
        }
        assert_eq!(shown.lines().count(), err.diagnostics.len());
        most = most.max(err.diagnostics.len());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(most >= 5, "no file reports several problems at once");
}

#[test]
fn an_unreadable_file_is_one_diagnostic() {
    let err = load_file(Path::new("/no/such/scenario.toml")).unwrap_err();
    assert_eq!(err.diagnostics.len(), 1);
    assert!(err
        .to_string()
        .starts_with("/no/such/scenario.toml: cannot read"));
}

#[test]
fn conformance_files_load() {
    let files = files_in("tests/conformance");
    assert_eq!(files.len(), 8); // erlang-c, erlang-a, multichat, rules-monitor-assign, erlang-a-overload, chat-abandon, staffing-erlang-c, staffing-erlang-a
    for f in &files {
        load(f);
    }
    let c = load(&root().join("tests/conformance/erlang-c.toml"));
    assert_eq!(c.name, "erlang-c");
    assert_eq!(c.horizon.as_millis(), 500 * 3_600_000);
    assert_eq!(c.warmup.as_millis(), 5 * 3_600_000);
    assert_eq!((c.seed, c.replications), (11, 4));
    match &c.queues[0].arrivals {
        Arrivals::Rate(r) => assert!((r - 1.0 / 12.0).abs() < 1e-12, "{r}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.agent_groups[0].count, 10);
    assert_eq!(c.agent_count(), 10);
    assert_eq!(c.workstreams[0].rules.capacity_units, 100);
    assert_eq!(
        c.workstreams[0].handle_time,
        Dist::Exponential {
            mean: omnisim::time::SimDuration::from_secs(100)
        }
    );
    assert!(c.workstreams[0].patience.is_none());

    let a = load(&root().join("tests/conformance/erlang-a.toml"));
    assert!(a.workstreams[0].patience.is_some());
    assert_eq!(a.service_level.as_millis(), 20_000);

    let r = load(&root().join("tests/conformance/rules-monitor-assign.toml"));
    let lead = &r.supervisors[0];
    assert_eq!(lead.queues, vec![QueueId(0), QueueId(2)]);
    assert_eq!(lead.script.len(), 10);
    let first = &lead.script[0];
    assert_eq!(first.line, 1);
    assert_eq!(
        first.action,
        Action::AssignToAgent(AgentPick::Named(AgentId(0)))
    );
    assert_eq!(first.target.queue, QueueId(0));
    assert_eq!(lead.script[1].target.state, ConvState::Active);
    assert_eq!(
        lead.script[2].action,
        Action::AssignToAgent(AgentPick::Named(AgentId(1)))
    );
    assert_eq!(lead.script[9].action, Action::AssignToQueue(QueueId(1)));
    assert_eq!(r.agent_groups[2].first, AgentId(2));
    assert_eq!(r.agent_name(AgentId(1)), "b-1");
    match &r.queues[0].arrivals {
        Arrivals::Times(t) => assert_eq!(t.len(), 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bundled_scenarios_load() {
    let files = files_in("scenarios");
    assert!(files.len() >= 2);
    for f in &files {
        load(f);
    }
    let retail = load(&root().join("scenarios/retail-day.toml"));
    assert!(retail.supervisors.len() >= 2);
    assert!(!retail.thresholds.is_empty());
}

#[test]
fn script_lines_sort_stably_by_time() {
    let text = r#"
[scenario]
name = "s"
horizon = "1h"
[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = "5m"
[[queues]]
name = "q"
workstream = "chat"
[[supervisors]]
name = "lead"
queues = ["q"]
[[supervisors.script]]
at = "2m"
action = { force_close = true }
target = { queue = "q" }
[[supervisors.script]]
at = "1m"
action = { monitor = true }
target = { queue = "q", state = "active" }
[[supervisors.script]]
at = "2m"
action = { join = true }
target = { queue = "q", pick = "newest" }
"#;
    let s = load_str(text, "inline.toml").unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<usize> = s.supervisors[0].script.iter().map(|l| l.line).collect();
    assert_eq!(lines, vec![2, 1, 3]);
    assert_eq!(s.queues[0].arrivals, Arrivals::None);
    assert_eq!(s.queues[0].priority, 1);
    // Off by default (customers never abandon unless the scenario says so).
    assert_eq!(s.workstreams[0].open_auto_close, None);
    assert_eq!(
        s.workstreams[0].wrap_up_auto_close,
        Some(omnisim::time::SimDuration::from_secs(900))
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const BASE: &str = include_str!("../conformance/rules-monitor-assign.toml");

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn arbitrary_text(text in "\\PC{0,300}") {
            let _ = load_str(&text, "p.toml");
        }

        #[test]
        fn mutated_scenarios(cuts in proptest::collection::vec((0usize..4000, 0usize..8, "[a-z0-9\"\\[\\]{}=., \n#-]{0,6}"), 1..6)) {
            let mut text = BASE.to_string();
            for (at, len, insert) in cuts {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) { at -= 1; }
                let mut end = (at + len).min(text.len());
                while !text.is_char_boundary(end) { end -= 1; }
                text.replace_range(at..end, &insert);
            }
            let _ = load_str(&text, "p.toml");
        }

        #[test]
        fn odd_numbers(n in any::<i64>(), f in any::<f64>(), s in "[0-9.]{0,12}[a-z/]{0,3}") {
            let text = format!(
                "[scenario]\nname = \"x\"\nhorizon = \"{s}\"\nseed = {n}\nreplications = {n}\n[[workstreams]]\nname = \"w\"\nchannel = \"voice\"\ncapacity_units = {n}\nhandle_time = {{ dist = \"uniform\", min = \"{s}\", max = \"1s\" }}\n[[queues]]\nname = \"q\"\nworkstream = \"w\"\narrivals = {{ rate = \"{s}\" }}\n[[agent_groups]]\nname = \"g\"\ncount = {n}\nqueues = [\"q\"]\nreject_probability = {f:?}\n"
            );
            let _ = load_str(&text, "p.toml");
        }
    }
}

/// Every bundled scenario (and every benchmark workload) loads, and the quick ones run
/// cleanly: no invariant break, every conversation accounted for, thresholds passing.
#[test]
fn bundled_scenarios_load_and_the_quick_ones_run_clean() {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/faults", "benches/scenarios"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "toml") {
                files.push(e.path());
            }
        }
    }
    files.sort();
    assert!(files.len() >= 8, "bundled scenarios found: {files:?}");
    let quick = [
        "demo",
        "ci-smoke",
        "rules-playbook",
        "rules-playbook-reserve",
        "chat-realistic",
    ];
    let mut ran = Vec::new();
    for path in &files {
        let sc = load(path);
        if quick.contains(&sc.name.as_str()) {
            ran.push(sc.name.clone());
            let out = omnisim::sim::run(&sc, &omnisim::sim::RunOptions::default(), &|_, _, _| {});
            let s = omnisim::report::build(&sc, &out);
            assert_eq!(s.invariant_violations, 0, "{}", path.display());
            let c = &s.conversations;
            assert!(c.arrived > 0, "{}: nothing arrived", path.display());
            assert_eq!(
                c.arrived,
                c.closed + c.in_system_at_end,
                "{}",
                path.display()
            );
            assert!(
                s.thresholds.iter().all(|t| t.passed),
                "{}: {:?}",
                path.display(),
                s.thresholds
            );
        }
    }
    // Every quick scenario was found and run (a renamed file must not make this pass vacuously).
    ran.sort();
    let mut want: Vec<String> = quick.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(ran, want);
}
