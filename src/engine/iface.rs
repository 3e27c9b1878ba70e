//! [`RulesEngine`]: the one interface every driver of the rules engine uses (the simulator, the
//! load driver, supervisor policies). Every change goes through [`RulesEngine::apply`] with a
//! [`Command`]; everything else is a narrow read view. The in-process [`Engine`] implements it;
//! drivers are generic over it, so in-process they compile to direct calls (monomorphised).
//!
//! Interning (requirements, attribute sets) is not part of the interface: it happens once at
//! setup (`setup::RoutingTags`), before the first command, and arrivals carry the interned
//! [`RoutingTag`](super::RoutingTag).

use crate::model::{AgentId, ConvState, QueueId, SupervisorId, WorkstreamRules};
use crate::time::SimTime;

use super::{
    AgentView, Command, ConvId, ConvView, Decision, Effect, Engine, EngineConfig, EngineCounters,
    InvariantBreak, Outcome, View,
};

/// A monitor & assign rules engine: commands in, effects or a refusal out, and the read views
/// drivers and policies need. See the `engine::iface` module docs.
pub trait RulesEngine {
    /// Whether [`apply_all`](Self::apply_all) is cheaper than one [`apply`](Self::apply) per
    /// command (a remote engine: one round trip per batch). A driver may then gather the
    /// commands that do not depend on each other's results and send them together. `false`
    /// for the in-process engine, so drivers keep their per-command path (a constant: the
    /// branch is compiled away).
    const BATCHES: bool = false;

    /// Whether the engine holds only memory (no connection, no process): a driver stopped by
    /// a signal may then leave it for the process's exit to reclaim instead of freeing it
    /// piece by piece. `false` for a remote engine, whose drop closes its link.
    const MEMORY_ONLY: bool = true;

    /// Applies one command at `now`: `Ok(())` with its effects appended to `out`, or the rule
    /// that refused it (nothing changed).
    fn apply(&mut self, now: SimTime, cmd: Command, out: &mut Vec<Effect>) -> Outcome;

    /// Applies commands that do not depend on each other's results, in order, at `now`: each
    /// one's outcome goes to `ends` with the end of its effects in `out`. By default one
    /// [`apply`](Self::apply) each.
    fn apply_all(
        &mut self,
        now: SimTime,
        cmds: &[Command],
        out: &mut Vec<Effect>,
        ends: &mut Vec<(Outcome, usize)>,
    ) {
        for c in cmds {
            let o = self.apply(now, *c, out);
            ends.push((o, out.len()));
        }
    }

    /// Whether the engine itself answered the last [`apply`](Self::apply) or
    /// [`apply_all`](Self::apply_all). Always `true` in-process; a remote engine that failed or
    /// was stopped answers locally (an arrival still gets a conversation, the rest is refused)
    /// so the driver's bookkeeping holds, and those answers are no engine's: a driver counts
    /// such commands as never applied.
    fn answered(&self) -> bool {
        true
    }

    /// The rules in force.
    fn config(&self) -> &EngineConfig;
    /// Conservation and command counters.
    fn counters(&self) -> EngineCounters;
    /// Conversations in the system.
    fn live_conversations(&self) -> usize;
    /// An agent's state (id in range).
    fn agent(&self, id: AgentId) -> AgentView;
    /// A queue's member agents, in id order.
    fn members(&self, queue: QueueId) -> &[AgentId];
    /// The agents who could pick (pick mode) or be invited (push mode) now, in id order.
    fn pick_candidates(&self, queue: QueueId) -> impl Iterator<Item = AgentId> + '_;
    /// The work-stream rules of a queue.
    fn queue_rules(&self, queue: QueueId) -> &WorkstreamRules;
    /// A live conversation, or `None` once it has closed.
    fn conversation(&self, id: ConvId) -> Option<ConvView>;
    /// Whether `supervisor` is monitoring `conv`.
    fn is_monitoring(&self, supervisor: SupervisorId, conv: ConvId) -> bool;
    /// Whether `supervisor` has joined `conv` as a consultant.
    fn has_joined(&self, supervisor: SupervisorId, conv: ConvId) -> bool;
    /// The conversations an agent is primary on in `state`, oldest first.
    fn held_by(&self, agent: AgentId, state: ConvState) -> Vec<ConvId>;
    /// Open conversations of a queue, oldest first.
    fn open_in(
        &self,
        queue: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_;
    /// Active, Waiting and Wrap-up conversations of a queue, oldest first.
    fn engaged_in(
        &self,
        queue: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_;
    /// A queue view's mark and the lowest sequence put back into it since mark `since` (never
    /// above the truth), for a reader that remembers a prefix of the view and starts its next
    /// walk after it ([`Engine::view_inserts`]); `None` when not tracked (by default: a remote
    /// engine's mirror), and the reader then walks the whole view every time.
    fn view_inserts(&self, queue: QueueId, view: View, since: u64) -> Option<(u64, Option<u64>)> {
        let _ = (queue, view, since);
        None
    }
    /// The conversations of a queue view with an arrival sequence of at least `from`, oldest
    /// first, with their sequences. By default [`open_in`](Self::open_in) or
    /// [`engaged_in`](Self::engaged_in) with each conversation's sequence looked up (linear).
    fn view_from(
        &self,
        queue: QueueId,
        view: View,
        from: u64,
    ) -> impl Iterator<Item = (u64, ConvId)> + '_ {
        let all: Box<dyn Iterator<Item = ConvId> + '_> = match view {
            View::Open => Box::new(self.open_in(queue)),
            View::Engaged => Box::new(self.engaged_in(queue)),
        };
        all.filter_map(move |c| {
            let seq = self.conversation(c)?.seq;
            (seq >= from).then_some((seq, c))
        })
    }
    /// Open conversations of a queue no agent is invited to.
    fn routable_count(&self, queue: QueueId) -> usize;
    /// Open conversations of a queue.
    fn open_count(&self, queue: QueueId) -> usize;
    /// The broken invariants (empty when sound).
    fn check_invariants(&self) -> Vec<InvariantBreak>;
    /// Turns recording of routing decisions on or off (off by default; costs nothing off).
    fn set_explain(&mut self, on: bool);
    /// Moves the routing decisions recorded since the last call into `out`.
    fn take_decisions(&mut self, out: &mut Vec<Decision>);
}

impl RulesEngine for Engine {
    #[inline(always)]
    fn apply(&mut self, now: SimTime, cmd: Command, out: &mut Vec<Effect>) -> Outcome {
        Engine::apply(self, now, cmd, out)
    }
    #[inline]
    fn config(&self) -> &EngineConfig {
        Engine::config(self)
    }
    #[inline]
    fn counters(&self) -> EngineCounters {
        Engine::counters(self)
    }
    #[inline]
    fn live_conversations(&self) -> usize {
        Engine::live_conversations(self)
    }
    #[inline]
    fn agent(&self, id: AgentId) -> AgentView {
        Engine::agent(self, id)
    }
    #[inline]
    fn members(&self, queue: QueueId) -> &[AgentId] {
        Engine::members(self, queue)
    }
    #[inline]
    fn pick_candidates(&self, queue: QueueId) -> impl Iterator<Item = AgentId> + '_ {
        Engine::pick_candidates(self, queue)
    }
    #[inline]
    fn queue_rules(&self, queue: QueueId) -> &WorkstreamRules {
        Engine::queue_rules(self, queue)
    }
    #[inline]
    fn conversation(&self, id: ConvId) -> Option<ConvView> {
        Engine::conversation(self, id)
    }
    #[inline]
    fn is_monitoring(&self, supervisor: SupervisorId, conv: ConvId) -> bool {
        Engine::is_monitoring(self, supervisor, conv)
    }
    #[inline]
    fn has_joined(&self, supervisor: SupervisorId, conv: ConvId) -> bool {
        Engine::has_joined(self, supervisor, conv)
    }
    #[inline]
    fn held_by(&self, agent: AgentId, state: ConvState) -> Vec<ConvId> {
        Engine::held_by(self, agent, state)
    }
    #[inline]
    fn open_in(
        &self,
        queue: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_ {
        Engine::open_in(self, queue)
    }
    #[inline]
    fn engaged_in(
        &self,
        queue: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_ {
        Engine::engaged_in(self, queue)
    }
    #[inline]
    fn view_inserts(&self, queue: QueueId, view: View, since: u64) -> Option<(u64, Option<u64>)> {
        Engine::view_inserts(self, queue, view, since)
    }
    #[inline]
    fn view_from(
        &self,
        queue: QueueId,
        view: View,
        from: u64,
    ) -> impl Iterator<Item = (u64, ConvId)> + '_ {
        Engine::view_from(self, queue, view, from)
    }
    #[inline]
    fn routable_count(&self, queue: QueueId) -> usize {
        Engine::routable_count(self, queue)
    }
    #[inline]
    fn open_count(&self, queue: QueueId) -> usize {
        Engine::open_count(self, queue)
    }
    fn check_invariants(&self) -> Vec<InvariantBreak> {
        Engine::check_invariants(self)
    }
    fn set_explain(&mut self, on: bool) {
        Engine::set_explain(self, on)
    }
    fn take_decisions(&mut self, out: &mut Vec<Decision>) {
        Engine::take_decisions(self, out)
    }
}
