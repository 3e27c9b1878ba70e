//! Issue 25 B (memory per replication): a run folds each replication into its totals as it
//! finishes and keeps only its `by_replication` element. These tests guard that this changes
//! nothing: the report is the one built from every replication's full metrics folded in
//! replication order, whatever order the replications are folded in (as they finish on any
//! number of threads), and the rows a run keeps are each replication's own, in order.

use std::path::PathBuf;

use omnisim::metrics::RepMetrics;
use omnisim::report::{self, Report};
use omnisim::scenario::{load_file, Scenario};
use omnisim::sim::{self, RunOptions, RunOutput, RunTotals};

fn scenario(rel: &str) -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    load_file(&path).unwrap_or_else(|e| panic!("{} should load:\n{e}", path.display()))
}

/// The report with its wall-clock figures (`engine`) replaced by `like`'s.
fn same_clock(mut r: Report, like: &Report) -> Report {
    r.summary.engine = like.summary.engine.clone();
    r
}

/// The orders replications may finish in on several threads: reversed, the second half first
/// (rayon splitting the range between two threads), odd ones first.
fn orders(n: usize) -> Vec<Vec<usize>> {
    let reversed = (0..n).rev().collect();
    let halves = (n / 2..n).chain(0..n / 2).collect();
    let odd_first = (1..n).step_by(2).chain((0..n).step_by(2)).collect();
    vec![reversed, halves, odd_first]
}

#[test]
fn folding_replications_in_any_order_gives_the_all_at_once_report() {
    // Supervisor actions and refusals (ci-smoke); unified routing, overflow, rule sets and
    // transfers (bilingual-support).
    for (rel, n) in [
        ("scenarios/ci-smoke.toml", 24),
        ("scenarios/bilingual-support.toml", 6),
    ] {
        let sc = scenario(rel);
        let opts = RunOptions {
            replications: Some(n),
            ..RunOptions::default()
        };
        let full = sim::run(&sc, &opts, &|_, _, _| {});
        assert_eq!(full.reps.len(), n as usize);
        let reps: Vec<RepMetrics> = full.reps;
        // The reference: every replication's full metrics, folded in replication order.
        let all_at_once = RunOutput::of(full.seed, full.replications, reps.clone(), 0.0);
        let reference = Report::build(&sc, &all_at_once);
        assert_eq!(reference.summary.by_replication.len(), n as usize);
        for order in orders(n as usize) {
            let mut out = RunOutput::of(full.seed, full.replications, reps.clone(), 0.0);
            out.totals = RunTotals::of(order.iter().map(|&i| &reps[i]));
            assert_eq!(
                Report::build(&sc, &out),
                reference,
                "{rel}: folded in the order {order:?}"
            );
            // Moving each replication in (the first one's histograms and series are moved,
            // not copied) is the same fold.
            let mut moved = RunTotals::default();
            for &i in &order {
                moved.add_owned(reps[i].clone());
            }
            out.totals = moved;
            assert_eq!(
                Report::build(&sc, &out),
                reference,
                "{rel}: moved in the order {order:?}"
            );
        }
        // A replication lent for its row is handed back as it was.
        let mut lent = reps[1].clone();
        let row = report::rep_row(&sc, &mut lent);
        assert_eq!(row, reference.summary.by_replication[1], "{rel}: lent row");
        let again = RunOutput::of(full.seed, 1, vec![lent], 0.0);
        let copy = RunOutput::of(full.seed, 1, vec![reps[1].clone()], 0.0);
        assert_eq!(
            Report::build(&sc, &again),
            Report::build(&sc, &copy),
            "{rel}: a lent replication comes back whole"
        );
        // What `omnisim run` keeps: the totals and each replication's row, on 1 and 2 threads.
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool");
            let kept = pool
                .install(|| sim::run_keep(&sc, &opts, &|_, _, _| {}, &|m| report::rep_row(&sc, m)));
            assert_eq!(kept.reps.len(), n as usize);
            let got = same_clock(Report::build(&sc, &kept), &reference);
            assert_eq!(got, reference, "{rel}: run_keep on {threads} thread(s)");
        }
    }
}

#[test]
fn a_cut_replication_is_counted_as_cut_by_the_folded_totals() {
    let sc = scenario("scenarios/ci-smoke.toml");
    let opts = RunOptions {
        replications: Some(4),
        ..RunOptions::default()
    };
    let mut reps = sim::run(&sc, &opts, &|_, _, _| {}).reps;
    reps[2].partial = true;
    let out = RunOutput::of(1, 4, reps, 0.0);
    assert!(out.partial);
    assert_eq!((out.totals.count, out.totals.finished), (4, 3));
    let s = report::build(&sc, &out);
    assert_eq!(s.replications_finished, Some(3));
    assert_eq!(s.by_replication.len(), 4);
}
