//! Issue 13, skills: RT-SKILL (exact match), RT-CLOSEST (closest match), RT-CLASSIFY, unmatched
//! conversations — table-driven engine tests, and agreement with an exact continuous-time Markov
//! chain on an N-design (an English-only and a bilingual agent, two classes, one FIFO queue).

use omnisim::engine::{AgentSetup, Effect, Engine, EngineSetup, ReqId, SkillMatching, SkillSetup};
use omnisim::model::{AgentId, AssignmentMethod, Channel, QueueId, RoutingMode};
use omnisim::report::Report;
use omnisim::scenario::load_str;
use omnisim::sim::{self, RunOptions};
use omnisim::time::SimTime;

use crate::support::{queue, ws};

/// A requirement or skill set: `(skill, rating)`.
type Skills = &'static [(u16, u8)];

const EN: u16 = 0;
const ES: u16 = 1;

/// One live-chat queue (units 100), agents of capacity 100 with `skills`, skill routing on.
fn skilled(method: AssignmentMethod, matching: SkillMatching, skills: &[&[(u16, u8)]]) -> Engine {
    Engine::new(EngineSetup {
        workstreams: vec![ws(Channel::LiveChat, RoutingMode::Push, 100)],
        queues: vec![queue(0, method, 1)],
        agents: skills
            .iter()
            .map(|_| AgentSetup {
                capacity: 100,
                queues: vec![QueueId(0)],
                on_shift: true,
            })
            .collect(),
        skills: SkillSetup {
            enabled: true,
            agent_skills: skills.iter().map(|s| s.to_vec()).collect(),
            matching: vec![matching],
        },
        ..EngineSetup::default()
    })
}

fn invited(fx: &[Effect]) -> Option<AgentId> {
    fx.iter().rev().find_map(|e| match e {
        Effect::Invited { agent, .. } => Some(*agent),
        _ => None,
    })
}

/// Arrives a conversation needing `req`; the agent invited, if any.
fn offer(e: &mut Engine, t: u64, req: &[(u16, u8)]) -> Option<AgentId> {
    let r = e.requirement(req);
    let mut fx = Vec::new();
    e.arrive_with(SimTime(t), QueueId(0), r, &mut fx);
    assert!(
        e.check_invariants().is_empty(),
        "{:?}",
        e.check_invariants()
    );
    invited(&fx)
}

#[test]
fn exact_match_offers_only_to_agents_holding_every_skill_at_rating() {
    // Agent 0: English 8. Agent 1: English 3, Spanish 5. Agent 2: Spanish 9.
    let agents: [&[(u16, u8)]; 3] = [&[(EN, 8)], &[(EN, 3), (ES, 5)], &[(ES, 9)]];
    // (requirement, who may be offered it, first choice by highest capacity = lowest id on ties)
    let table: [(Skills, Option<u32>); 6] = [
        (&[], Some(0)),
        (&[(EN, 5)], Some(0)),
        (&[(EN, 3), (ES, 5)], Some(1)),
        (&[(ES, 6)], Some(2)),
        (&[(EN, 9)], None),
        (&[(EN, 1), (ES, 9)], None),
    ];
    for (req, want) in table {
        let mut e = skilled(
            AssignmentMethod::HighestCapacity,
            SkillMatching::Exact,
            &agents,
        );
        assert_eq!(
            offer(&mut e, 1, req),
            want.map(AgentId),
            "requirement {req:?}"
        );
    }
}

#[test]
fn unmatched_conversation_is_reported_and_stays_queued() {
    let mut e = skilled(
        AssignmentMethod::HighestCapacity,
        SkillMatching::Exact,
        &[&[(EN, 8)]],
    );
    let r = e.requirement(&[(ES, 1)]);
    let mut fx = Vec::new();
    let c = e.arrive_with(SimTime(1), QueueId(0), r, &mut fx);
    assert!(fx.contains(&Effect::Unmatched {
        conv: c,
        queue: QueueId(0)
    }));
    assert_eq!(invited(&fx), None);
    assert_eq!(e.routable_count(QueueId(0)), 1);
    // An English conversation behind it is served at once: the agent is not held up by it.
    assert_eq!(offer(&mut e, 2, &[(EN, 1)]), Some(AgentId(0)));
}

#[test]
fn a_freed_agent_skips_conversations_it_cannot_take_in_fifo_order() {
    // Agent 0 English only, agent 1 Spanish only, both busy; the queue holds ES, ES, EN, EN.
    let mut e = skilled(
        AssignmentMethod::HighestCapacity,
        SkillMatching::Exact,
        &[&[(EN, 5)], &[(ES, 5)]],
    );
    let mut fx = Vec::new();
    let en = e.requirement(&[(EN, 1)]);
    let es = e.requirement(&[(ES, 1)]);
    let first = e.arrive_with(SimTime(0), QueueId(0), en, &mut fx);
    let inv = fx
        .iter()
        .find_map(|x| match x {
            Effect::Invited { invite, .. } => Some(*invite),
            _ => None,
        })
        .unwrap();
    e.accept(SimTime(0), first, inv, &mut fx).unwrap();
    // Agent 1 busy on a Spanish one.
    fx.clear();
    let s0 = e.arrive_with(SimTime(1), QueueId(0), es, &mut fx);
    let inv = fx
        .iter()
        .find_map(|x| match x {
            Effect::Invited { invite, .. } => Some(*invite),
            _ => None,
        })
        .unwrap();
    e.accept(SimTime(1), s0, inv, &mut fx).unwrap();
    let waiting: Vec<_> = [es, es, en, en]
        .iter()
        .enumerate()
        .map(|(i, r)| e.arrive_with(SimTime(10 + i as u64), QueueId(0), *r, &mut fx))
        .collect();
    assert_eq!(e.routable_count(QueueId(0)), 4);
    // Agent 0 finishes: it gets the oldest English conversation (the third waiting).
    fx.clear();
    e.end(SimTime(20), first, &mut fx).unwrap();
    e.close(SimTime(20), first, &mut fx).unwrap();
    let got = fx.iter().find_map(|x| match x {
        Effect::Invited { conv, agent, .. } => Some((*conv, *agent)),
        _ => None,
    });
    assert_eq!(got, Some((waiting[2], AgentId(0))));
    assert!(e.check_invariants().is_empty());
}

#[test]
fn closest_match_orders_exact_then_over_then_under_qualified() {
    // Product example: requirement Spanish 5. Agent 0 under (Spanish 3), agent 1 over
    // (Spanish 8), agent 2 exact (Spanish 5), agent 3 no Spanish at all.
    let agents: [&[(u16, u8)]; 4] = [&[(ES, 3)], &[(ES, 8)], &[(ES, 5)], &[(EN, 9)]];
    let mut e = skilled(
        AssignmentMethod::HighestCapacity,
        SkillMatching::Closest,
        &agents,
    );
    // Each offer keeps its agent busy (pending invitation), so the next goes one further down.
    let order: Vec<Option<AgentId>> = (0..5).map(|t| offer(&mut e, t, &[(ES, 5)])).collect();
    assert_eq!(
        order,
        vec![
            Some(AgentId(2)),
            Some(AgentId(1)),
            Some(AgentId(0)),
            Some(AgentId(3)),
            None
        ]
    );
}

#[test]
fn closest_match_then_the_method_inside_a_tier() {
    // Two exactly qualified agents: round robin rotates between them before anyone else.
    let agents: [&[(u16, u8)]; 3] = [&[(ES, 5)], &[(ES, 9)], &[(ES, 5)]];
    let mut e = skilled(
        AssignmentMethod::RoundRobin,
        SkillMatching::Closest,
        &agents,
    );
    assert_eq!(offer(&mut e, 0, &[(ES, 5)]), Some(AgentId(0)));
    assert_eq!(offer(&mut e, 1, &[(ES, 5)]), Some(AgentId(2)));
    assert_eq!(offer(&mut e, 2, &[(ES, 5)]), Some(AgentId(1)));
}

#[test]
fn skill_matching_none_ignores_requirements() {
    let mut e = skilled(
        AssignmentMethod::HighestCapacity,
        SkillMatching::None,
        &[&[(EN, 1)]],
    );
    assert_eq!(offer(&mut e, 0, &[(ES, 9)]), Some(AgentId(0)));
}

#[test]
fn without_skill_routing_every_requirement_is_empty() {
    let mut e = Engine::new(crate::support::one_queue(
        AssignmentMethod::HighestCapacity,
        100,
        &[100],
    ));
    assert_eq!(e.requirement(&[(ES, 3)]), ReqId(0));
}

// ---------------------------------------------------------------------------------------------
// The N-design oracle.

/// Agent A (id 0) speaks English; agent B (id 1) English and Spanish; one conversation each.
/// English conversations arrive at `le`, Spanish at `ls`, each served at rate `mu` by either
/// agent; one FIFO queue with exact matching and highest-capacity routing (ties: the agent
/// assigned least recently, then the lower id). The state is (A busy, B busy, who was assigned
/// last, the queue as a sequence of classes), truncated at `k` waiting.
struct NDesign {
    le: f64,
    ls: f64,
    mu: f64,
    k: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct St {
    a: bool,
    b: bool,
    /// 0: nobody yet, 1: A, 2: B.
    last: u8,
    len: usize,
    /// Bit i set: the i-th waiting (oldest first) is Spanish.
    bits: u32,
}

impl NDesign {
    fn count(&self) -> usize {
        4 * 3 * ((1usize << (self.k + 1)) - 1)
    }

    fn index(&self, s: St) -> usize {
        let q = (1usize << s.len) - 1 + s.bits as usize;
        ((q * 3 + s.last as usize) * 2 + s.a as usize) * 2 + s.b as usize
    }

    fn state(&self, i: usize) -> St {
        let b = i % 2 == 1;
        let a = (i / 2) % 2 == 1;
        let last = ((i / 4) % 3) as u8;
        let q = i / 12;
        let len = (usize::BITS - (q + 1).leading_zeros() - 1) as usize;
        let bits = (q + 1 - (1 << len)) as u32;
        St {
            a,
            b,
            last,
            len,
            bits,
        }
    }

    fn pop(s: &mut St, at: usize) {
        let low = s.bits & ((1 << at) - 1);
        let high = s.bits >> (at + 1);
        s.bits = low | (high << at);
        s.len -= 1;
    }

    /// Outgoing transitions (rate, next state).
    fn moves(&self, s: St) -> Vec<(f64, St)> {
        let mut out = Vec::new();
        // English arrival.
        let mut n = s;
        match (s.a, s.b) {
            (false, false) => {
                // Highest capacity: equal free units; the agent assigned least recently.
                if s.last == 1 {
                    n.b = true;
                    n.last = 2;
                } else {
                    n.a = true;
                    n.last = 1;
                }
            }
            (false, true) => {
                n.a = true;
                n.last = 1;
            }
            (true, false) => {
                n.b = true;
                n.last = 2;
            }
            (true, true) => {
                if s.len < self.k {
                    n.len += 1;
                }
            }
        }
        if n != s {
            out.push((self.le, n));
        }
        // Spanish arrival.
        let mut n = s;
        if !s.b {
            n.b = true;
            n.last = 2;
        } else if s.len < self.k {
            n.bits |= 1 << s.len;
            n.len += 1;
        }
        if n != s {
            out.push((self.ls, n));
        }
        // A finishes: takes the oldest English waiting.
        if s.a {
            let mut n = s;
            n.a = false;
            if let Some(i) = (0..s.len).find(|i| s.bits & (1 << i) == 0) {
                Self::pop(&mut n, i);
                n.a = true;
                n.last = 1;
            }
            out.push((self.mu, n));
        }
        // B finishes: takes the oldest waiting.
        if s.b {
            let mut n = s;
            n.b = false;
            if s.len > 0 {
                Self::pop(&mut n, 0);
                n.b = true;
                n.last = 2;
            }
            out.push((self.mu, n));
        }
        out
    }

    /// Stationary distribution by Gauss–Seidel on the balance equations.
    fn solve(&self) -> Vec<f64> {
        let n = self.count();
        let mut incoming: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        let mut out_rate = vec![0.0; n];
        for (i, rate) in out_rate.iter_mut().enumerate() {
            let s = self.state(i);
            if self.index(s) != i {
                continue;
            }
            for (r, t) in self.moves(s) {
                let j = self.index(t);
                if j != i {
                    incoming[j].push((i, r));
                    *rate += r;
                }
            }
        }
        let mut p = vec![1.0 / n as f64; n];
        for _ in 0..5_000 {
            let mut delta: f64 = 0.0;
            for j in 0..n {
                if out_rate[j] == 0.0 {
                    p[j] = 0.0;
                    continue;
                }
                let v = incoming[j].iter().map(|(i, r)| p[*i] * r).sum::<f64>() / out_rate[j];
                delta = delta.max((v - p[j]).abs());
                p[j] = v;
            }
            let total: f64 = p.iter().sum();
            p.iter_mut().for_each(|x| *x /= total);
            if delta < 1e-13 {
                break;
            }
        }
        p
    }

    /// (P(an arrival waits), mean wait in the time unit of the rates, occupancy).
    fn figures(&self) -> (f64, f64, f64) {
        let p = self.solve();
        let (mut wait_e, mut wait_s, mut lq, mut busy) = (0.0, 0.0, 0.0, 0.0);
        for (i, pi) in p.iter().enumerate() {
            let s = self.state(i);
            if s.a && s.b {
                wait_e += pi;
            }
            if s.b {
                wait_s += pi;
            }
            lq += pi * s.len as f64;
            busy += pi * (s.a as u8 + s.b as u8) as f64;
        }
        let lambda = self.le + self.ls;
        (
            (self.le * wait_e + self.ls * wait_s) / lambda,
            lq / lambda,
            busy / 2.0,
        )
    }
}

#[test]
fn ctmc_solver_agrees_with_erlang_c_when_both_classes_speak_english() {
    // Sanity check of the solver itself: with no Spanish traffic, the design is M/M/2.
    let d = NDesign {
        le: 0.8,
        ls: 0.0,
        mu: 1.0,
        k: 14,
    };
    let (pw, w, occ) = d.figures();
    // Truncation at 14 waiting loses about 0.4^14 ≈ 3e-6 of the mass.
    let e = omnisim::erlang::erlang_c(0.8, 1.0, 2.0, 0.0).unwrap();
    assert!((pw - e.p_wait).abs() < 1e-4, "{pw} vs {}", e.p_wait);
    assert!(
        (w - e.mean_wait_all_s).abs() < 1e-4,
        "{w} vs {}",
        e.mean_wait_all_s
    );
    assert!((occ - 0.4).abs() < 1e-4);
}

const N_DESIGN: &str = r#"
[scenario]
name = "n-design"
horizon = "2000h"
warmup = "10h"
seed = 13
replications = 8

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "exponential", mean = "60s" }
attributes = { language = { en = 0.6, es = 0.4 } }
skill_matching = "exact"

[[workstreams.classification]]
when = { language = "en" }
require = { english = 1 }

[[workstreams.classification]]
when = { language = "es" }
require = { spanish = 1 }

[[queues]]
name = "support"
workstream = "chat"
assignment = "highest_capacity"
arrivals = { rate = "66/h" }

[[agent_groups]]
name = "english"
count = 1
capacity = 100
queues = ["support"]
skills = { english = 5 }

[[agent_groups]]
name = "bilingual"
count = 1
capacity = 100
queues = ["support"]
skills = { english = 5, spanish = 5 }
"#;

#[test]
fn n_design_agrees_with_the_markov_chain() {
    // 66/h = 1.1 per minute: English 0.66, Spanish 0.44; service rate 1 per minute.
    let d = NDesign {
        le: 0.66,
        ls: 0.44,
        mu: 1.0,
        k: 14,
    };
    let (pw, w_min, occ) = d.figures();
    let sc = load_str(N_DESIGN, "n-design.toml").unwrap();
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    let r = Report::build(&sc, &out);
    let s = &r.summary;
    assert_eq!(s.invariant_violations, 0);
    assert_eq!(s.routing.as_ref().map(|x| x.unmatched), Some(0));
    let c = &s.conversations;
    let sim_pw = c.delayed as f64 / c.arrived as f64;
    let sim_w = s.wait_s.mean.unwrap();
    let sim_occ = s.occupancy.unwrap();
    // About a million conversations: P(wait) and occupancy within 0.01, the mean wait within
    // 4 half-widths of its 95% confidence interval across the 8 replications.
    assert!(
        (sim_pw - pw).abs() < 0.01,
        "P(wait) sim {sim_pw} vs exact {pw}"
    );
    assert!(
        (sim_occ - occ).abs() < 0.01,
        "occupancy sim {sim_occ} vs exact {occ}"
    );
    let [lo, hi] = s.ci95.wait_mean_s.unwrap();
    let half = (hi - lo) / 2.0;
    let exact_s = w_min * 60.0;
    assert!(
        (sim_w - exact_s).abs() < 4.0 * half + 0.5,
        "mean wait sim {sim_w} s (±{half}) vs exact {exact_s} s"
    );
    // The design matters: the same traffic with skills ignored is M/M/2, which waits less.
    let e = omnisim::erlang::erlang_c(1.1 / 60.0, 60.0, 2.0, 0.0).unwrap();
    assert!(
        e.mean_wait_all_s < exact_s - 1.0,
        "{} vs {exact_s}",
        e.mean_wait_all_s
    );
}

#[test]
fn bilingual_support_keeps_every_invariant_after_every_event() {
    // Skills, route-to-queue and overflow together, with the full invariant check (including
    // the profile groups and signature sets) after every event.
    let sc = omnisim::scenario::load_file(std::path::Path::new("scenarios/bilingual-support.toml"))
        .unwrap();
    let opts = RunOptions {
        replications: Some(1),
        check_invariants: true,
        ..RunOptions::default()
    };
    let out = sim::run(&sc, &opts, &|_, _, _| {});
    let s = Report::build(&sc, &out).summary;
    assert_eq!(s.invariant_violations, 0);
    let c = &s.conversations;
    assert!(c.arrived > 1000);
    assert_eq!(
        c.answered + c.abandoned + c.overflowed.unwrap() + c.in_system_at_end,
        c.arrived
    );
}
