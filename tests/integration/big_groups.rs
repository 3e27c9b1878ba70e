//! Issue 25, second pass (A): a large agent group made `run` quadratic in the group's size (the
//! end-of-run invariant check scanned the routing index once per member: 100,000 agents took
//! 7 s, a million never ended). The check now reads each member's own leaf. These runs finish
//! in well under a second of work now (minutes before) and must report no invariant break:
//! a wrong leaf-by-position check would report one per member.

use omnisim::report::Report;
use omnisim::sim::{self, RunOptions};

fn run_groups(counts: &[u32]) -> omnisim::report::Summary {
    let mut text = String::from(
        "[scenario]\nname = \"big\"\nhorizon = \"10m\"\nseed = 11\nreplications = 1\n\n\
         [[workstreams]]\nname = \"support\"\nchannel = \"voice\"\n\
         handle_time = { dist = \"exponential\", mean = \"100s\" }\n\n\
         [[queues]]\nname = \"support\"\nworkstream = \"support\"\narrivals = { rate = \"600/h\" }\n",
    );
    for (i, c) in counts.iter().enumerate() {
        text.push_str(&format!(
            "\n[[agent_groups]]\nname = \"g{i}\"\ncount = {c}\nqueues = [\"support\"]\n"
        ));
    }
    let sc = omnisim::scenario::load_str(&text, "big.toml").expect("loads");
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    Report::build(&sc, &out).summary
}

#[test]
fn a_100k_agent_group_runs_with_no_invariant_break() {
    let s = run_groups(&[100_000]);
    assert_eq!(s.invariant_violations, 0);
    assert!(s.conversations.arrived > 0);
}

#[test]
fn two_large_groups_on_one_queue_run_with_no_invariant_break() {
    let s = run_groups(&[60_000, 70_000]);
    assert_eq!(s.invariant_violations, 0);
    assert!(s.conversations.arrived > 0);
}
