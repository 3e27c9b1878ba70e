//! Supervisor policies: which conversations a policy's `when` matches, and which agent a
//! supervisor picks for an assignment or transfer. The simulator schedules and applies them;
//! these functions only decide.

use crate::engine::{ConvView, Overallocation, RulesEngine, View};
use crate::model::{AgentId, ConvState, Presence, QueueId};
use crate::scenario::{Action, AgentPick, Filter};
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
/// (unless `assign_overrides_presence`), nor `exclude`. Capacity is not filtered here: the
/// drivers pass over, through `skipped`, the agents who cannot [`can_take`] the conversation's
/// units now (full under `overallocation`, ASSIGN-CAPACITY), so a tick that filled its agents
/// tries none of them again. Ties go to the lowest id. `cursor` is the round-robin
/// position of this policy, advanced when used. `skipped` is also never picked: the agents
/// routing skips for this conversation (RT-ELIGIBLE, `refusals_before_skip`), for an
/// assignment, and those who cannot take it; a named agent is returned whatever `skipped`
/// says (the caller decides).
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

/// Whether `agent` could take `units` more units of `queue`'s work from a supervisor now, as
/// the dashboard shows it: not Offline, not on a break the work stream does not allow (unless
/// `assign_overrides_presence`), and within the capacity the engine's `overallocation` lets a
/// supervisor assignment reach (ASSIGN-AGENT-PRESENCE, ASSIGN-CAPACITY; with the default
/// `"allow"` capacity never stops it). Capacity is judged as the engine judges it: on
/// [`AgentView::uncommitted`](crate::engine::AgentView::uncommitted), what the agent will hold
/// once its pending invitations are accepted, reserved or not (issue 25, fixa-16: an agent
/// its tick has already invited to its capacity is passed over, and counts as unable in
/// `skipped_no_agent`, under `reserve_on_invite = false` too). Membership is not checked (the
/// caller's list is the queue's members, or the agent a policy names).
pub fn can_take<E: RulesEngine>(engine: &E, queue: QueueId, agent: AgentId, units: u32) -> bool {
    let v = engine.agent(agent);
    let cfg = engine.config();
    let present = v.presence != Presence::Offline
        && (!v.manual
            || cfg.assign_overrides_presence
            || engine
                .queue_rules(queue)
                .allowed_presences
                .contains(v.presence));
    let over = units as i64 - v.uncommitted();
    present
        && match cfg.overallocation {
            Overallocation::Allow => true,
            Overallocation::Deny => over <= 0,
            Overallocation::UpTo(n) => over <= n as i64,
        }
}

/// The units an assignment or transfer of a conversation now in `state` asks of its agent, as
/// the engine counts them (ASSIGN-CAPACITY): none for a transfer of a Waiting conversation, the
/// queue's `capacity_units` otherwise.
pub fn units_for<E: RulesEngine>(
    engine: &E,
    queue: QueueId,
    action: &Action,
    state: ConvState,
) -> u32 {
    match action {
        Action::TransferToAgent(_) if state == ConvState::Waiting => 0,
        _ => engine.queue_rules(queue).capacity_units,
    }
}

/// Whether anybody could take `units` of `queue`'s work from a supervisor's `pick` now: the
/// named agent, else any member of the queue, who [`can_take`] them. One look at each member
/// (a named agent: one).
pub fn anybody<E: RulesEngine>(engine: &E, queue: QueueId, pick: &AgentPick, units: u32) -> bool {
    match pick {
        AgentPick::Named(a) => can_take(engine, queue, *a, units),
        _ => engine
            .members(queue)
            .iter()
            .any(|a| can_take(engine, queue, *a, units)),
    }
}

/// Whether a supervisor policy with `action` and filter `f` has anybody to give `queue`'s
/// conversations to now: for an assignment or a transfer, an agent (the named one, else any
/// member of the queue) who [`can_take`] the fewest units the action may need (the queue's
/// units; 0 for a transfer of a Waiting conversation when `f` matches Waiting). Other actions
/// need no agent: always `true`. Costs one look at each member of the queue (a named agent:
/// one), whatever the number of conversations, so a tick with nobody to give them to walks
/// none of them (issue 25: a policy every second with nobody on shift tried every Open
/// conversation at every tick).
pub fn has_target<E: RulesEngine>(engine: &E, queue: QueueId, action: &Action, f: &Filter) -> bool {
    let units = engine.queue_rules(queue).capacity_units;
    let (pick, units) = match action {
        Action::AssignToAgent(p) => (p, units),
        Action::TransferToAgent(p) if f.states.contains(&ConvState::Waiting) => (p, 0),
        Action::TransferToAgent(p) => (p, units),
        _ => return true,
    };
    anybody(engine, queue, pick, units)
}

/// One supervisor policy's memory of one queue view (its Open or its engaged conversations):
/// every conversation of the view with an arrival sequence below `below` is one the policy
/// gave up, so its next walk starts there (issue 25: thousands of given-up conversations
/// waiting for ever each cost a step of the walk at every tick). Conversations leaving the
/// view keep that true; one put back below it (a requeue, a move, an accepted conversation
/// joining the engaged view behind newer ones) lowers `below` to its sequence, read from the
/// engine's mark of the view ([`RulesEngine::view_inserts`]). A policy's give-up is for good,
/// so nothing else can make the prefix wrong, and the walk after it finds exactly the
/// conversations the whole walk would act on. An engine that does not track its views (a
/// remote engine) is walked whole every time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GivenUpPrefix {
    /// Every conversation of the view below this sequence is given up by the policy.
    below: u64,
    /// The view's mark when `below` was last re-validated.
    mark: u64,
    /// Whether the engine tracks the view (its last answer).
    tracked: bool,
}

impl GivenUpPrefix {
    /// The walk of `queue`'s `view` now: the conversations from the first one not known to be
    /// given up on, oldest first, each with its arrival sequence. Report each step's verdict
    /// with [`step`](Self::step), in order, beginning with a fresh `extending = true`.
    pub fn walk<'e, E: RulesEngine>(
        &mut self,
        engine: &'e E,
        queue: QueueId,
        view: View,
    ) -> impl Iterator<Item = (u64, crate::engine::ConvId)> + 'e {
        match engine.view_inserts(queue, view, self.mark) {
            Some((mark, low)) => {
                if let Some(low) = low {
                    self.below = self.below.min(low);
                }
                self.mark = mark;
                self.tracked = true;
            }
            None => {
                *self = GivenUpPrefix::default();
            }
        }
        engine.view_from(queue, view, self.below)
    }

    /// The walk stepped on the conversation of sequence `seq`, which the policy has given up
    /// (`given_up`) or not: while every step so far was a given-up one (`extending`, cleared
    /// here at the first that is not), the prefix grows over it.
    #[inline]
    pub fn step(&mut self, extending: &mut bool, seq: u64, given_up: bool) {
        if !*extending {
            return;
        }
        if given_up && self.tracked {
            self.below = seq + 1;
        } else {
            *extending = false;
        }
    }
}
