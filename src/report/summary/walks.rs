//! A summary of a center of many queues costs linear work in its queues (issue 25: a Ctrl-C
//! on 20,000 queues and 4 replications took 4.7 s to exit, most of it asking a scenario-wide
//! question, [`crate::setup::uses_routing`], once per queue of each summary built). Counted,
//! not timed: the question's walks over the scenario, on this thread.

use std::fmt::Write as _;

use crate::scenario::Scenario;
use crate::setup::ROUTING_WALKS;
use crate::sim::{self, RunOptions};

/// `queues` queues served by one group, ten minutes, `replications` replications.
fn center(queues: usize) -> Scenario {
    let mut t = String::from(
        "[scenario]\nname = \"wide\"\nhorizon = \"10m\"\nseed = 1\nreplications = 3\n\n\
         [[workstreams]]\nname = \"calls\"\nchannel = \"voice\"\n\
         handle_time = { dist = \"exponential\", mean = \"3m\" }\n\n",
    );
    let mut names = Vec::new();
    for q in 0..queues {
        let _ = write!(
            t,
            "[[queues]]\nname = \"q{q}\"\nworkstream = \"calls\"\narrivals = {{ rate = \"6/h\" }}\n\n"
        );
        names.push(format!("\"q{q}\""));
    }
    let _ = write!(
        t,
        "[[agent_groups]]\nname = \"g\"\ncount = 3\nqueues = [{}]\n",
        names.join(", ")
    );
    crate::scenario::load_str(&t, "wide.toml").expect("valid")
}

/// The walks `f` makes on this thread.
fn walks(f: impl FnOnce()) -> u64 {
    let before = ROUTING_WALKS.with(|n| n.get());
    f();
    ROUTING_WALKS.with(|n| n.get()) - before
}

/// The tester's example: a run's `summary.json` (the totals and each replication's row) and
/// whole report asked the question once per queue of each (Q² a summary; before: 4 × 301
/// walks for 300 queues and 3 replications).
#[test]
fn a_runs_summary_and_report_ask_once_per_summary_not_per_queue() {
    let mut seen = Vec::new();
    for queues in [3, 300] {
        let sc = center(queues);
        let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
        let summary = walks(|| {
            let _ = super::build(&sc, &out);
        });
        let report = walks(|| {
            let _ = crate::report::Report::build(&sc, &out);
        });
        seen.push((summary, report));
    }
    assert_eq!(seen[0], seen[1], "the same whatever the queues: {seen:?}");
    assert_eq!(
        seen[0].0, 4,
        "the totals and each of 3 replications: {seen:?}"
    );
}

/// A variant: the row a `run` keeps of each replication as it finishes, or as a stop cuts it
/// ([`super::rep_row`]: what a Ctrl-C has left to do for each replication in flight), asks
/// once whatever the queues.
#[test]
fn a_replications_row_asks_once_whatever_the_queues() {
    for queues in [3, 300] {
        let sc = center(queues);
        let mut m = sim::run_replication(&sc, 0, &RunOptions::default(), &|_, _, _| {});
        let n = walks(|| {
            let _ = super::rep_row(&sc, &mut m);
        });
        assert_eq!(n, 1, "{queues} queues");
    }
}
