//! Issue 25, seventh pass (a fresh tester's findings): work that grew with the product of two
//! sizes of a center with a roster. `ab` turned each replication's summary into JSON once per
//! compared metric (three per agent group, and each roster agent is a group of one: quadratic
//! in roster agents); reading a roster looked each row's queues up by a scan of every queue
//! (queues × roster agents).

use std::fmt::Write as _;
use std::path::Path;

use omnisim::scenario::load_file;
use omnisim::workflows::ab;

use crate::procs::thread_cpu_s;

use crate::procs::temp_dir;

/// `queues` queues of one chat work stream (`q0` …) and a roster of `agents` agents, agent `i`
/// on the queues `queues_of(i)` for the hour; a scenario of one hour and one replication.
fn center(dir: &Path, queues: usize, agents: usize, queues_of: impl Fn(usize) -> String) {
    let mut toml = String::from(
        "[scenario]\nname = \"wide\"\nhorizon = \"1h\"\nreplications = 1\n\n\
         [[workstreams]]\nname = \"chat\"\nchannel = \"live_chat\"\n\
         handle_time = { dist = \"exponential\", mean = \"5m\" }\n\n",
    );
    for q in 0..queues {
        let _ = write!(
            toml,
            "[[queues]]\nname = \"q{q}\"\nworkstream = \"chat\"\narrivals = {{ rate = \"1/h\" }}\n\n"
        );
    }
    toml.push_str("[traffic]\nroster = \"roster.csv\"\n");
    std::fs::write(dir.join("s.toml"), toml).expect("write s.toml");
    let mut csv = String::from("agent,queues,shift_start,shift_end,capacity,breaks\n");
    for i in 0..agents {
        let _ = writeln!(csv, "r{i},{},0,3600,100,600-900", queues_of(i));
    }
    std::fs::write(dir.join("roster.csv"), csv).expect("write roster.csv");
}

/// Found by a fresh tester: `ab` of a 100-queue center with 2,000 roster agents took over 30 s
/// (1,000 agents 16.8 s; `run` 0.05 s): 6,000 group metrics, each looked up in its own JSON
/// copy of a summary of 2,000 groups. At 3,000 agents that was minutes; one JSON copy per
/// replication takes well under a second. The work is counted in CPU time, all of it on this
/// thread (a one-thread pool made of it), not wall time: a loaded machine does not fail it
/// (issue 25: wall-clock bounds did).
#[test]
fn ab_with_a_large_roster_is_near_linear_in_roster_agents() {
    let dir = temp_dir("ab-roster");
    let n = 100;
    center(&dir, n, 3_000, |i| format!("q{};q{}", i % n, (i + 1) % n));
    let sc = load_file(&dir.join("s.toml")).expect("valid");
    assert_eq!(sc.agent_groups.len(), 3_000);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .use_current_thread()
        .build()
        .expect("a one-thread pool on this thread");
    let before = thread_cpu_s();
    let r = pool.install(|| ab::run(&sc, &sc, None));
    let cpu = thread_cpu_s() - before;
    drop(pool);
    // Every roster agent's three figures are compared (and the same scenario does not differ).
    assert_eq!(
        r.metrics
            .keys()
            .filter(|k| k.starts_with("agent_groups."))
            .count(),
        9_000
    );
    assert_eq!(r.metrics["agent_groups.r2999.busy_s"].diff, Some(0.0));
    let bound = if cfg!(debug_assertions) { 60.0 } else { 8.0 };
    assert!(cpu < bound, "ab took {cpu:.1} s of CPU");
}

/// Found by a fresh tester: validation grew with queues × roster agents (8,000 queues and
/// 320,000 agents 3.9 s, 4x per doubling). 40,000 queues and 80,000 roster agents on the last
/// queues: a scan per name is 6.4·10⁹ name comparisons (about 20 s of CPU); a hash look-up
/// about 2 s in all. This thread's CPU time, so a loaded machine does not fail it.
#[test]
fn a_roster_of_many_queues_validates_in_near_linear_time() {
    let dir = temp_dir("roster-wide");
    let n = 40_000;
    center(&dir, n, 80_000, |i| {
        format!("q{};q{}", n - 2 - i % 50, n - 1)
    });
    let before = thread_cpu_s();
    let sc = load_file(&dir.join("s.toml")).expect("valid");
    let cpu = thread_cpu_s() - before;
    assert_eq!(sc.agent_count(), 80_000);
    assert_eq!(sc.queues.len(), n);
    let bound = if cfg!(debug_assertions) { 60.0 } else { 8.0 };
    assert!(cpu < bound, "validation took {cpu:.1} s of CPU");
}
