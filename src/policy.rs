//! Supervisor policies: which conversations a policy's `when` matches, and which agent a
//! supervisor picks for an assignment or transfer. The simulator schedules and applies them;
//! these functions only decide.

use crate::engine::{ConvView, RulesEngine};
use crate::model::{AgentId, ConvState, Presence, QueueId};
use crate::scenario::{AgentPick, Filter};
use crate::time::SimTime;

/// Failed attempts of one supervisor policy on one conversation after which the policy gives
/// the conversation up (the per-arrival loop limit,
/// [`crate::scenario::MAX_ROUNDS_PER_ARRIVAL`]): the one bound of both drivers, the
/// simulator's (`sim::sup_tries`) and the load driver's (`load::tries`), each counting it in
/// `policies."S/P".given_up` (`summary.json`, `load.json`).
pub const MAX_FAILED_ATTEMPTS: u32 = crate::scenario::MAX_ROUNDS_PER_ARRIVAL as u32;

/// Whether a conversation matches a filter's state, channel and waited conditions (sentiment is
/// checked by the caller, which owns it). `queue` filtering is done by the caller's iteration.
pub fn matches_basic<E: RulesEngine>(
    filter: &Filter,
    engine: &E,
    conv: &ConvView,
    now: SimTime,
) -> bool {
    if !filter.states.contains(&conv.state) {
        return false;
    }
    if let Some(w) = filter.waited_at_least {
        if now.since(conv.arrived_at) < w {
            return false;
        }
    }
    if let Some(ch) = &filter.channels {
        if !ch.contains(&engine.queue_rules(conv.queue).channel) {
            return false;
        }
    }
    true
}

/// Whether a filter can match Open conversations, engaged ones (Active, Waiting, Wrap-up), or both.
pub fn wants(filter: &Filter) -> (bool, bool) {
    let open = filter.states.contains(&ConvState::Open);
    let engaged = filter.states.iter().any(|s| {
        matches!(
            s,
            ConvState::Active | ConvState::Waiting | ConvState::WrapUp
        )
    });
    (open, engaged)
}

/// The agent a supervisor picks in `queue`, as a supervisor reading the dashboard would: never
/// an Offline agent, nor one whose hand-set presence (a break) the work stream does not allow
/// (unless `assign_overrides_presence`), nor `exclude`. Capacity is not filtered: that is the
/// engine's to judge (ASSIGN-CAPACITY). Ties go to the lowest id. `cursor` is the round-robin
/// position of this policy, advanced when used. `skipped` is also never picked: the agents
/// routing skips for this conversation (RT-ELIGIBLE, `refusals_before_skip`), for an
/// assignment; a named agent is returned whatever `skipped` says (the caller decides).
pub fn pick_agent<E: RulesEngine>(
    engine: &E,
    queue: QueueId,
    pick: &AgentPick,
    cursor: &mut usize,
    exclude: Option<AgentId>,
    skipped: &dyn Fn(AgentId) -> bool,
) -> Option<AgentId> {
    let members = engine.members(queue);
    let allowed = engine.queue_rules(queue).allowed_presences;
    let overrides = engine.config().assign_overrides_presence;
    let usable = |a: &&AgentId| {
        let v = engine.agent(**a);
        Some(**a) != exclude
            && !skipped(**a)
            && v.presence != Presence::Offline
            && (!v.manual || overrides || allowed.contains(v.presence))
    };
    match pick {
        AgentPick::Named(a) => Some(*a),
        AgentPick::MostFreeCapacity => members
            .iter()
            .filter(usable)
            .max_by_key(|a| (engine.agent(**a).free(), std::cmp::Reverse(a.0)))
            .copied(),
        AgentPick::LeastLoaded => members
            .iter()
            .filter(usable)
            .min_by_key(|a| {
                let v = engine.agent(**a);
                (v.holding + v.pending_invites, -v.free(), a.0)
            })
            .copied(),
        AgentPick::RoundRobin => {
            let n = members.len();
            for k in 0..n {
                let a = members[(*cursor + k) % n];
                if usable(&&a) {
                    *cursor = (*cursor + k + 1) % n;
                    return Some(a);
                }
            }
            None
        }
    }
}
