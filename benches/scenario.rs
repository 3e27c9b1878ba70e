//! Whole-scenario benchmarks: conversations simulated per second, end to end (scenario already
//! loaded; engine, event loop, customers, supervisors and metrics all included).
//!
//! - `scenario/center-1000-6h`: `benches/scenarios/center-1000.toml` cut to a 6-hour horizon
//!   (1,000 agents, 20 queues, multi-chat, wrap-up, abandonment, breaks, sentiment, two
//!   supervisors; about 36,000 conversations).
//! - `scenario/mmc-100k`: `benches/scenarios/mmc-2m.toml` cut to 333 hours (M/M/c, about
//!   100,000 conversations).
//!
//! Throughput is reported in conversations (elements) per second. The full-size workloads and
//! the comparison with SimPy are in `reports/performance.md`.
//! Run with `cargo bench --bench scenario`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use omnisim::scenario::{load_str, Scenario};
use omnisim::sim::{run, RunOptions};

/// Loads a workload file with its horizon replaced.
fn shortened(file: &str, horizon_from: &str, horizon_to: &str) -> Scenario {
    let path = format!("{}/benches/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the workload file exists");
    let from = format!("horizon = \"{horizon_from}\"");
    assert!(text.contains(&from), "{file} sets {from}");
    let text = text.replace(&from, &format!("horizon = \"{horizon_to}\""));
    load_str(&text, &path).expect("the workload is valid")
}

fn conversations(sc: &Scenario, opts: &RunOptions) -> u64 {
    run(sc, opts, &|_, _, _| {})
        .reps
        .iter()
        .map(|r| r.total.arrived)
        .sum()
}

fn scenarios(c: &mut Criterion) {
    let mut group = c.benchmark_group("scenario");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let opts = RunOptions::default();
    for (name, sc) in [
        ("center-1000-6h", shortened("center-1000.toml", "72h", "6h")),
        ("mmc-100k", shortened("mmc-2m.toml", "6667h", "333h")),
    ] {
        group.throughput(Throughput::Elements(conversations(&sc, &opts)));
        group.bench_function(name, |b| {
            b.iter(|| black_box(run(&sc, &opts, &|_, _, _| {})));
        });
    }
    group.finish();
}

criterion_group!(benches, scenarios);
criterion_main!(benches);
