//! Issue 25 item 7: the tie rule at t = 0. "Never assigned" (and "never released", for least
//! active) ranks before any time, 0 ms included, so an agent that took work at 0 s is not taken
//! again before one that never took any.

use omnisim::engine::Command as C;
use omnisim::model::{AgentId, AssignmentMethod as M};

use crate::support::{one_queue, World, Q0};

/// One conversation at each of `times` (ms) in a one-queue world of three idle agents whose
/// conversations take all their units; each is accepted, ended and closed at its arrival
/// instant, so every agent is idle again at the next arrival. The agents picked, in order.
fn picks(method: M, times: &[u64]) -> Vec<u32> {
    let mut w = World::new(one_queue(method, 100, &[100, 100, 100]));
    let mut got = Vec::new();
    for &t in times {
        w.at(t);
        let (c, a) = w.serve(Q0);
        w.ok(C::End(c));
        w.ok(C::Close(c));
        got.push(a.0);
    }
    got
}

#[test]
fn never_assigned_ranks_before_an_assignment_at_zero() {
    // The example: all idle, arrivals at 0 s, 10 s, 20 s under highest capacity (every
    // agent has 100 free units at each arrival, so the tie rule decides): a-1, a-2, a-3, not
    // a-1, a-1, a-2 (a-1's assignment at 0 ms used to tie with "never").
    assert_eq!(
        picks(M::HighestCapacity, &[0, 10_000, 20_000]),
        vec![0, 1, 2]
    );
    // Away from 0 the rule was already right, and stays so.
    assert_eq!(
        picks(M::HighestCapacity, &[5, 10_000, 20_000]),
        vec![0, 1, 2]
    );
}

#[test]
fn never_released_ranks_before_a_release_at_zero() {
    // Variant, least active: agent 0 takes and releases a conversation all at 0 ms; agents 1
    // and 2 never released anything, so they have been "least active" longest: 1, then 2.
    assert_eq!(picks(M::LeastActive, &[0, 0, 0]), vec![0, 1, 2]);
    // Three arrivals at the same instant 0, each answered and closed at once.
    let mut w = World::new(one_queue(M::LeastActive, 100, &[100, 100]));
    let (c, a) = w.serve(Q0);
    assert_eq!(a, AgentId(0));
    w.ok(C::End(c));
    w.ok(C::Close(c));
    w.at(1);
    let (_, b) = w.serve(Q0);
    assert_eq!(b, AgentId(1), "the agent that never released goes first");
}

/// Issue 25, fourth pass, F11: the method `least_active` broke ties by id alone, so agents that
/// had just taken work at 0 s (nobody had released anything yet) were picked again before
/// never-assigned ones (the tester's 10 chats at 0 s went g-1, g-2, g-1, g-2, g-3…). It now
/// breaks them as the rule's `least_active` and every other order do: the earliest last
/// assignment, never assigned first, then the lowest id.
fn held(method: M, units: u32, caps: &[u32], n: usize) -> Vec<u32> {
    let mut w = World::new(one_queue(method, units, caps));
    (0..n).map(|_| w.serve(Q0).1 .0).collect()
}

#[test]
fn least_active_method_spreads_ties_at_zero_over_never_assigned_agents() {
    // Three agents of 100 units, chats of 50 held open at 0 s: each agent once, then again.
    assert_eq!(
        held(M::LeastActive, 50, &[100, 100, 100], 6),
        vec![0, 1, 2, 0, 1, 2]
    );
    // Variant: five agents, ten chats of 20 units (each agent could take five): the never
    // assigned go first; once all were assigned at the same 0 ms the tie goes to the lowest id
    // (the old key gave 0, 0, 0, 0, 0, 1…: agent 0 took all five it could hold first).
    assert_eq!(
        held(M::LeastActive, 20, &[100; 5], 10),
        vec![0, 1, 2, 3, 4, 0, 0, 0, 0, 1]
    );
    assert_eq!(
        held(M::HighestCapacity, 20, &[100; 5], 10),
        vec![0, 1, 2, 3, 4, 0, 1, 2, 3, 4]
    );
    // Advanced round robin: the same rotation at 0 s.
    assert_eq!(
        held(M::AdvancedRoundRobin, 20, &[100; 5], 10),
        vec![0, 1, 2, 3, 4, 0, 1, 2, 3, 4]
    );
}
