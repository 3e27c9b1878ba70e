//! Engine decision benchmarks: the cost of one routing decision and of supervisor checks at 100,
//! 1,000 and 10,000 agents in one queue, in a steady state where every agent holds one of its two
//! chat slots.
//!
//! - `route_cycle/<method>/<n>`: one conversation's whole life, arrive (routing picks an agent
//!   and invites it) → accept → end → close (capacity freed, routing runs again). The engine is
//!   back in the same state after each iteration.
//! - `supervisor/monitor/<n>`, `supervisor/assign_refused/<n>` (passes every rule up to
//!   ASSIGN-CAPACITY, refused there under `deny`), `supervisor/assign_accepted/<n>` (withdraws
//!   the pending supervisor invitation and invites the next agent).
//!
//! After criterion, a short loop times single monitor and assign checks with `Instant` and prints
//! p50/p99/p99.9 (see `reports/engine-bench.md`).

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, BenchmarkId, Criterion};
use omnisim::engine::{
    AgentSetup, ConvId, Effect, Engine, EngineSetup, InviteId, Overallocation, QueueSetup,
    SupervisorSetup,
};
use omnisim::model::{
    AgentId, AssignmentMethod, Channel, PresenceSet, QueueId, RoutingMode, SupervisorId,
    WorkstreamId, WorkstreamRules, WrapUpBlock,
};
use omnisim::time::SimTime;

const SIZES: [usize; 3] = [100, 1_000, 10_000];

fn setup(n: usize, method: AssignmentMethod, mode: RoutingMode) -> EngineSetup {
    let mut s = EngineSetup {
        workstreams: vec![WorkstreamRules {
            channel: Channel::LiveChat,
            mode,
            capacity_units: 50,
            allowed_presences: PresenceSet::DEFAULT,
            block_capacity_for_wrap_up: WrapUpBlock::Always,
        }],
        queues: vec![QueueSetup {
            workstream: WorkstreamId(0),
            method,
            priority: 1,
        }],
        agents: (0..n)
            .map(|_| AgentSetup {
                capacity: 100,
                queues: vec![QueueId(0)],
                on_shift: true,
            })
            .collect(),
        supervisors: vec![SupervisorSetup {
            queues: vec![QueueId(0)],
            agent: None,
        }],
        ..EngineSetup::default()
    };
    s.config.overallocation = Overallocation::Deny;
    s
}

fn invited(fx: &[Effect]) -> Option<(ConvId, InviteId)> {
    fx.iter().find_map(|e| match *e {
        Effect::Invited { conv, invite, .. } => Some((conv, invite)),
        _ => None,
    })
}

/// A push engine where each of `n` agents holds one Active conversation (one of two slots).
fn push_steady(n: usize, method: AssignmentMethod) -> (Engine, Vec<ConvId>, u64) {
    let mut e = Engine::new(setup(n, method, RoutingMode::Push));
    let mut fx = Vec::new();
    let mut held = Vec::with_capacity(n);
    let mut now = 0;
    for _ in 0..n {
        now += 1;
        fx.clear();
        e.arrive(SimTime(now), QueueId(0), &mut fx);
        let (c, i) = invited(&fx).expect("an agent is free");
        e.accept(SimTime(now), c, i, &mut fx).unwrap();
        held.push(c);
    }
    // Every agent holds exactly one.
    debug_assert!((0..n).all(|a| e.agent(AgentId(a as u32)).used == 50));
    (e, held, now)
}

/// A pick engine where every agent holds one Active conversation, agent 0 holds two (full),
/// and one Open conversation waits: the world for supervisor checks.
fn pick_steady(n: usize) -> (Engine, Vec<ConvId>, ConvId) {
    let mut e = Engine::new(setup(
        n,
        AssignmentMethod::HighestCapacity,
        RoutingMode::Pick,
    ));
    let mut fx = Vec::new();
    let mut held = Vec::with_capacity(n + 1);
    for a in 0..=n {
        e.arrive(SimTime(a as u64), QueueId(0), &mut fx);
        let agent = AgentId((a % n) as u32);
        held.push(e.pick(SimTime(a as u64), agent, &mut fx).unwrap());
    }
    fx.clear();
    let open = e.arrive(SimTime(n as u64 + 1), QueueId(0), &mut fx);
    (e, held, open)
}

fn route_cycle(c: &mut Criterion) {
    let mut g = c.benchmark_group("route_cycle");
    for method in [
        AssignmentMethod::HighestCapacity,
        AssignmentMethod::RoundRobin,
    ] {
        for &n in &SIZES {
            let (mut e, _, mut now) = push_steady(n, method);
            let mut fx = Vec::with_capacity(64);
            g.bench_function(BenchmarkId::new(method.as_str(), n), |b| {
                b.iter(|| {
                    now += 1;
                    let t = SimTime(now);
                    fx.clear();
                    let conv = e.arrive(t, QueueId(0), &mut fx);
                    let (_, inv) = invited(&fx).expect("routed");
                    e.accept(t, conv, inv, &mut fx).unwrap();
                    e.end(t, conv, &mut fx).unwrap();
                    e.close(t, conv, &mut fx).unwrap();
                    black_box(fx.len())
                })
            });
        }
    }
    g.finish();
}

fn supervisor(c: &mut Criterion) {
    let mut g = c.benchmark_group("supervisor");
    let s = SupervisorId(0);
    for &n in &SIZES {
        let (mut e, held, open) = pick_steady(n);
        let mut fx = Vec::with_capacity(16);
        let target = held[n / 2];
        g.bench_function(BenchmarkId::new("monitor", n), |b| {
            b.iter(|| {
                fx.clear();
                black_box(e.monitor(SimTime(1 << 40), s, black_box(target), &mut fx))
            })
        });
        g.bench_function(BenchmarkId::new("assign_refused", n), |b| {
            b.iter(|| {
                black_box(e.assign_to_agent(
                    SimTime(1 << 40),
                    s,
                    open,
                    black_box(AgentId(0)),
                    &mut fx,
                ))
            })
        });
        let mut k = 1usize;
        // An accepted assignment claims the conversation (a second one is refused ASSIGN-STATE
        // while its invitation is pending), so each iteration is the assignment plus the
        // invited agent's rejection, which frees it for the next one.
        g.bench_function(BenchmarkId::new("assign_accepted+reject", n), |b| {
            b.iter(|| {
                k = if k + 1 >= n { 1 } else { k + 1 };
                fx.clear();
                let r = e.assign_to_agent(SimTime(1 << 40), s, open, AgentId(k as u32), &mut fx);
                debug_assert!(r.is_ok());
                let inv = invite_in(&fx);
                black_box(e.reject(SimTime(1 << 40), open, inv, &mut fx)).ok();
                black_box(r)
            })
        });
    }
    g.finish();
}

/// The invitation an accepted assignment sent.
fn invite_in(fx: &[Effect]) -> InviteId {
    fx.iter()
        .find_map(|f| match f {
            Effect::Invited { invite, .. } => Some(*invite),
            _ => None,
        })
        .expect("an accepted assignment invites")
}

/// Times single monitor and assign checks with `Instant` and prints percentiles. Each sample
/// includes one `Instant::now()` pair, so the figures are upper bounds.
fn percentiles() {
    let s = SupervisorId(0);
    let clock = {
        let mut v: Vec<u64> = (0..100_000)
            .map(|_| {
                let t = Instant::now();
                black_box(());
                t.elapsed().as_nanos() as u64
            })
            .collect();
        v.sort_unstable();
        v[v.len() / 2]
    };
    println!("timer overhead (median of an empty sample): {clock} ns");
    for &n in &SIZES {
        let (mut e, held, open) = pick_steady(n);
        let mut fx = Vec::with_capacity(16);
        let target = held[n / 2];
        let mut samples: [Vec<u64>; 3] = Default::default();
        let mut k = 1usize;
        for round in 0..300_000u64 {
            let which = (round % 3) as usize;
            fx.clear();
            let t = Instant::now();
            let r = match which {
                0 => e.monitor(SimTime(1 << 40), s, target, &mut fx),
                1 => e.assign_to_agent(SimTime(1 << 40), s, open, AgentId(0), &mut fx),
                _ => {
                    k = if k + 1 >= n { 1 } else { k + 1 };
                    e.assign_to_agent(SimTime(1 << 40), s, open, AgentId(k as u32), &mut fx)
                }
            };
            let ns = t.elapsed().as_nanos() as u64;
            if which == 2 {
                // Untimed: the invited agent rejects, so the conversation is assignable again.
                assert!(r.is_ok(), "the accepted assignment was refused: {r:?}");
                let inv = invite_in(&fx);
                e.reject(SimTime(1 << 40), open, inv, &mut fx).ok();
            }
            black_box(r).ok();
            samples[which].push(ns);
        }
        for (name, v) in ["monitor", "assign_refused", "assign_accepted"]
            .iter()
            .zip(samples.iter_mut())
        {
            v.sort_unstable();
            let p = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
            println!(
                "p-check {name:<16} n={n:<6} samples={} p50={} ns p99={} ns p99.9={} ns max={} ns",
                v.len(),
                p(0.50),
                p(0.99),
                p(0.999),
                v[v.len() - 1]
            );
        }
    }
}

criterion_group!(benches, route_cycle, supervisor);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only on a real benchmark run, not under `cargo test --benches` or `--list`.
    if std::env::args().any(|a| a == "--bench") {
        percentiles();
    }
}
