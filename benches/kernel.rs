//! Kernel benchmarks: event-queue throughput under the classic hold model.
//!
//! Each iteration pops the earliest event and schedules one at `now + Exp(mean 1 s)`, so the
//! queue size stays constant; measured at 1 000 and 100 000 pending events.
//! Run with `cargo bench --bench kernel`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use omnisim::dist::exp_interarrival;
use omnisim::kernel::EventQueue;
use omnisim::rng::{stream, Source};
use omnisim::time::SimTime;

/// A payload of the size the simulator will use (a small `Copy` enum, 16 bytes).
#[derive(Clone, Copy, Debug)]
#[allow(
    dead_code,
    reason = "fields exist only to give the payload a realistic size"
)]
enum Ev {
    Arrival { queue: u32 },
    Timeout { conv: u32, gen: u32 },
    Done { agent: u32, conv: u32, gen: u32 },
}

fn hold(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernel_hold");
    group.throughput(Throughput::Elements(1));
    for &size in &[1_000usize, 100_000] {
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, &size| {
            let mut rng = stream(
                1,
                0,
                Source::Other {
                    tag: 1000,
                    index: 0,
                },
            );
            let mut q = EventQueue::with_capacity(size + 1);
            for i in 0..size as u32 {
                let t = SimTime(0) + exp_interarrival(1.0, &mut rng);
                q.schedule(t, Ev::Timeout { conv: i, gen: 0 });
            }
            b.iter(|| {
                let (now, ev) = q.pop().expect("the hold model keeps the queue full");
                let next = match ev {
                    Ev::Arrival { queue } => Ev::Arrival { queue },
                    Ev::Timeout { conv, gen } => Ev::Done {
                        agent: 0,
                        conv,
                        gen,
                    },
                    Ev::Done { conv, gen, .. } => Ev::Timeout { conv, gen },
                };
                q.schedule(now + exp_interarrival(1.0, &mut rng), black_box(next));
            });
        });
    }
    group.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);
