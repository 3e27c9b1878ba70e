//! One replication: the event loop that drives the engine and records metrics.
//!
//! The world owns the loop's own state (the engine, the event queue, the clock, the effects
//! buffer) and eight subsystems that own the rest: [`Intake`] the arrival processes,
//! [`Customers`] the live conversations' records and the customers' streams, [`Agents`] the
//! agents' shift, break, link and pick state, [`Streams`] the work streams' samplers and
//! routing draws, [`Sources`] the supervisors' policies and scripts, [`ChatSim`] chat sharing
//! and retrials, [`Recorder`] the metrics and [`Outputs`] the log, trace, dashboard and replay;
//! [`Guard`] holds the stop flag and the per-event invariant checks. Every engine command goes
//! through [`World::run_cmd`] (or, for the End and Close of a conversation without wrap-up,
//! `World::end_and_close` in `handling`, which applies both and absorbs them as one batch),
//! which samples its wall-clock time and hands its effects to
//! [`World::absorb`]: for each effect in turn the recorder takes its metrics
//! ([`Recorder::absorb`](crate::metrics::Recorder), in `record`), then the world its follow-up
//! events ([`World::follow_up`]).

use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::engine::{CloseReason, Command, ConvId, Effect, Engine, Outcome, RulesEngine};
use crate::kernel::EventQueue;
use crate::metrics::{Recorder, RepMetrics};
use crate::model::{AgentId, ConvState, QueueId};
use crate::scenario::Scenario;
use crate::time::SimTime;

use super::agents::Agents;
use super::chat::ChatSim;
pub(crate) use super::customer::first_timer;
use super::customers::Customers;
use super::event::{Answer, Event};
use super::guard::Guard;
use super::intake::Intake;
use super::log::ConvLog;
use super::observe::{DashLog, Observer};
use super::outputs::Outputs;
use super::setup::{source_names, Sources};
use super::streams::Streams;
use super::RunOptions;
use crate::setup::{engine_or_hollow, RoutingTags};

/// Engine commands between two wall-clock samples of decision time.
const DECISION_SAMPLE_EVERY: u64 = 64;

/// What one replication hands back: its metrics, its conversation log (`run --log`) and its
/// dashboard log.
pub(crate) type RepOut = (RepMetrics, Option<Box<ConvLog>>, Option<DashLog>);

/// A replication as [`World::run`] ends it: its output, and whether it began (false: a stop
/// came before its first event, and the output is empty and partial, as [`not_started`]'s).
pub(crate) struct Ran {
    /// Metrics, log and dashboard log.
    pub(crate) out: RepOut,
    /// False when the stop came before the first event.
    pub(crate) began: bool,
}

/// One replication in progress.
#[derive(Debug)]
pub(crate) struct World<'s, E = Engine> {
    pub(crate) sc: &'s Scenario,
    /// The rules engine it drives, through [`RulesEngine`] only (monomorphised).
    pub(crate) engine: E,
    pub(crate) events: EventQueue<Event>,
    /// The effects buffer, lent to each engine command and the absorption of its effects
    /// ([`lend_fx`](World::lend_fx), [`return_fx`](World::return_fx)). Boxed: lending it
    /// moves one pointer out and back instead of the vector's three words through the stack
    /// and a drop of the empty vector left in its place (issue 28: about 20 instructions a
    /// command). `None` only while it is lent.
    #[allow(clippy::box_collection)] // the box is the point: see above
    pub(crate) fx: Option<Box<Vec<Effect>>>,
    /// The live conversations' records and the customers' streams.
    pub(crate) customers: Customers,
    /// The agents' simulator state, accept delays and pick scratch list.
    pub(crate) agents: Agents,
    /// The work streams' samplers, attribute streams and routing tags.
    pub(crate) streams: Streams,
    /// The arrival processes (Poisson, forecast, replay) and their streams.
    pub(crate) intake: Intake,
    /// The supervisors' policies and scripts.
    pub(crate) sources: Sources,
    /// The replication's metrics.
    pub(crate) rec: Recorder,
    pub(crate) now: SimTime,
    /// The stop flag and the per-event invariant checks.
    guard: Guard,
    /// Slowdown shares and pending retrials.
    pub(crate) chat: ChatSim,
    /// The conversation log, the trace and dashboard observer, the replayed history.
    pub(crate) out: Outputs,
}

impl<'s> World<'s> {
    pub(crate) fn new(sc: &'s Scenario, rep: u32, opts: &RunOptions, log: bool) -> World<'s> {
        // A stop during a large center's setup ends the setup (the run then reports at once).
        let stop = opts.stop.clone();
        let stopped = move || stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed));
        let mut engine = engine_or_hollow(sc, &stopped);
        let tags = RoutingTags::new(sc, &mut engine);
        World::with_engine(sc, rep, opts, log, engine, tags)
    }
}

/// The most queues one agent of `sc` serves (an agent group's `queues`; a roster agent is a
/// group of one): what one event may re-key ([`Guard::new`]).
fn widest(sc: &Scenario) -> u64 {
    sc.agent_groups
        .iter()
        .filter(|g| g.count > 0)
        .map(|g| g.queues.len() as u64)
        .max()
        .unwrap_or(0)
}

/// Replication `rep`'s recorder for `sc`: one figure per agent (`capacities`, units, in agent
/// order) and per supervisor source, the warm-up, horizon, service level and short-abandon
/// threshold of the scenario. The one construction [`World::new`] and [`not_started`] share.
fn recorder(sc: &Scenario, rep: u32, capacities: &[u32], sources: &Sources) -> Recorder {
    Recorder::new(
        rep,
        SimTime::ZERO + sc.warmup,
        sc.horizon,
        sc.service_level,
        sc.queues.len(),
        capacities,
        source_names(sc, sources),
    )
    .with_short_abandon(sc.short_abandon)
}

/// The metrics of replication `rep` of `sc` stopped before it began, as [`World::run`] gives
/// them (empty, partial, one figure per agent and queue), without building the replication's
/// engine, agents or streams: for a replication with no log, trace or dashboard part.
pub(crate) fn not_started(sc: &Scenario, rep: u32) -> RepMetrics {
    let capacities: Vec<u32> = sc
        .agent_groups
        .iter()
        .flat_map(|g| std::iter::repeat_n(g.capacity, g.count as usize))
        .collect();
    let mut rec = recorder(sc, rep, &capacities, &Sources::new(sc));
    rec.mark_partial();
    rec.finish(SimTime::ZERO, 0)
}

impl<'s, E: RulesEngine> World<'s, E> {
    /// A replication driving `engine` (fresh, built from `sc`'s setup), with the routing tags
    /// interned for it.
    pub(crate) fn with_engine(
        sc: &'s Scenario,
        rep: u32,
        opts: &RunOptions,
        log: bool,
        mut engine: E,
        tags: RoutingTags,
    ) -> World<'s, E> {
        let seed = opts.seed.unwrap_or(sc.seed);
        let obs = Observer::new(
            sc,
            &mut engine,
            rep,
            opts.trace.as_ref(),
            opts.dashboard.as_ref(),
        );
        let (agents, capacities) = Agents::new(sc, seed, rep);
        let sources = Sources::new(sc);
        let rec = recorder(sc, rep, &capacities, &sources);
        let mut w = World {
            sc,
            engine,
            events: EventQueue::with_capacity(1024),
            fx: Some(Box::new(Vec::with_capacity(64))),
            customers: Customers::new(seed, rep),
            agents,
            streams: Streams::new(sc, seed, rep, tags),
            intake: Intake::new(sc, seed, rep),
            sources,
            rec,
            now: SimTime::ZERO,
            guard: Guard::new(opts, widest(sc)),
            chat: ChatSim::new(sc, sc.agent_count()),
            out: Outputs::new(rep, log, obs),
        };
        if let Some(o) = w.out.observer() {
            for (a, g) in w.agents.absent() {
                o.absent(a, sc.agent_groups[g].absence);
            }
        }
        w.install_levels(seed, rep);
        w.install_replay(seed, rep);
        w
    }
}

impl<'s, E: RulesEngine> World<'s, E> {
    pub(crate) fn horizon(&self) -> SimTime {
        SimTime::ZERO + self.sc.horizon
    }

    /// Schedules the first arrivals, shifts, breaks, policy ticks and script lines.
    fn start(&mut self) {
        let horizon = self.horizon();
        self.intake.start(self.sc, horizon, &mut self.events);
        self.start_agents();
        self.sources.schedule_all(self.sc, &mut self.events);
    }

    /// Runs to the end: arrivals over and nothing live, or the drain limit.
    pub(crate) fn run(mut self, progress: &dyn Fn(SimTime, u64)) -> Ran {
        if self.stopped() {
            // Stopped before this replication began: report it empty and partial, with no
            // log, trace part or dashboard log (it has no `by_replication` row either).
            self.rec.mark_partial();
            self.out.not_begun();
            return Ran {
                out: (self.rec.finish(SimTime::ZERO, 0), None, None),
                began: false,
            };
        }
        self.start();
        let limit = self.horizon() + self.sc.drain_limit;
        let mut n: u64 = 0;
        let mut interrupted = false;
        loop {
            let Some((t, ev)) = self.events.pop() else {
                // Out of events with conversations still live: the timers kept out of the
                // queue would have been popped (and dropped) here, moving the clock as far as
                // the latest, or to the limit.
                if let Some(m) = self.customers.lazy_give_up_max() {
                    self.now = if m > limit { limit } else { self.now.max(m) };
                }
                break;
            };
            if t > limit {
                self.now = limit;
                break;
            }
            self.now = t;
            self.handle(ev);
            n += 1;
            self.guard.after_event(&self.engine);
            if n & 0xFFF == 0 {
                // The test hook's count of work (`worklog`, off unless asked for): 4,096 events.
                crate::worklog::note(crate::worklog::Unit::Events);
                if let Some(o) = self.out.observer().filter(|o| o.wants_prune()) {
                    o.prune_retired(self.events.iter().filter_map(Event::conv));
                }
                if n & 0xFFFF == 0 {
                    progress(t, self.engine.counters().arrived);
                }
            }
            // Every 4,096 events, sooner when one event re-keys an agent in thousands of
            // queues (`Guard::stop_due`): the time from a stop to its check stays bounded.
            if self.guard.stop_due(n) && self.stopped() {
                self.rec.mark_partial();
                interrupted = true;
                break;
            }
            if self.intake.over() && self.engine.live_conversations() == 0 {
                break;
            }
        }
        if !interrupted && self.engine.live_conversations() > 0 {
            // Nothing is scheduled any more (say, a queue nobody serves and customers who never
            // give up): the conversations still wait, so the run lasts until the drain limit.
            self.now = limit;
        }
        if !interrupted && self.now < self.horizon() {
            self.record_shifts_to_horizon();
        }
        // A stopped run skips the whole-state check, linear in agents × queues (seconds for a
        // center of thousands of queues): it must end within a second or two of the signal.
        // The per-event checks (`--check-invariants`) made so far still count.
        let whole = if interrupted {
            0
        } else {
            self.engine.check_invariants().len() as u64
        };
        let breaks =
            whole + self.guard.breaks() + self.chat.stale_shares(self.engine.live_conversations());
        self.rec.invariant_breaks(breaks);
        let k = self.engine.counters();
        if k.arrived != k.closed + self.engine.live_conversations() as u64 {
            self.rec.invariant_breaks(1);
        }
        self.rec.commands(k.commands);
        progress(self.now, k.arrived);
        // The log's spells under way end where the recorder ends the agents' busy time.
        let end = self.rec.end_at(self.now);
        let (log, dash) = self.out.finish(self.now, end, interrupted);
        let late = self.delayed_at_end();
        let mut m = self.rec.finish(self.now, self.customers.live_counted());
        super::arrive::add_delayed(&mut m, &late);
        if interrupted {
            // A stop ends the process once the reports are written: the engine, agents and
            // live conversations (millions of small allocations with a large roster, most of
            // a second to free) are left for the exit to reclaim.
            if E::MEMORY_ONLY {
                std::mem::forget(self.engine);
            }
            std::mem::forget(self.agents);
            std::mem::forget(self.customers);
            std::mem::forget(self.events);
        }
        Ran {
            out: (m, log, dash),
            began: true,
        }
    }

    fn stopped(&self) -> bool {
        self.guard.stopped()
    }

    #[inline(always)]
    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Arrival { queue } => self.arrival(QueueId(queue)),
            Event::Retrial { queue, slot } => self.retrial_arrival(QueueId(queue), slot),
            Event::WsArrival { ws } => self.ws_arrival(ws as usize),
            Event::OverflowWait { conv, queue, rule } => {
                self.overflow_wait(conv, QueueId(queue), rule as usize)
            }
            Event::GiveUp { conv, auto } => {
                let callback = self.customers.get(conv).is_some_and(|c| c.callback);
                let open_never_answered = !callback
                    && self
                        .engine
                        .conversation(conv)
                        .is_some_and(|c| c.state == ConvState::Open && c.answered_at.is_none());
                if open_never_answered {
                    let _ = if auto {
                        self.run_cmd(Command::AutoClose(conv))
                    } else {
                        self.run_cmd(Command::Abandon(conv))
                    };
                }
            }
            Event::InviteAnswer {
                conv,
                invite,
                answer,
            } => {
                // A withdrawn invitation is refused by the engine; the agent simply never saw it.
                let _ = match answer {
                    Answer::Accept => {
                        let r = self.run_cmd(Command::Accept(conv, invite));
                        if r.is_ok() {
                            self.rec.invite_accepted(self.now);
                        }
                        r
                    }
                    Answer::Reject => self.run_cmd(Command::Reject(conv, invite)),
                    Answer::Timeout => self.run_cmd(Command::Timeout(conv, invite)),
                };
            }
            Event::HandleEnd { conv, epoch } => {
                if self.current(conv, epoch, ConvState::Active) {
                    self.end_handling(conv);
                }
            }
            Event::GoWaiting { conv, epoch } => {
                if self.current(conv, epoch, ConvState::Active) {
                    self.go_waiting(conv);
                }
            }
            Event::WaitingOver { conv, epoch, auto } => {
                if self.current(conv, epoch, ConvState::Waiting) {
                    let _ = if auto {
                        self.run_cmd(Command::AutoClose(conv))
                    } else {
                        self.run_cmd(Command::CustomerReturn(conv))
                    };
                }
            }
            Event::WrapUpRelease { conv } => {
                if self
                    .engine
                    .conversation(conv)
                    .is_some_and(|c| c.state == ConvState::WrapUp)
                {
                    // Its one effect is the release: the log's spell ends in its row.
                    if let Some(log) = self.out.log.as_deref_mut() {
                        log.units_of = Some(conv);
                    }
                    let _ = self.run_cmd(Command::ReleaseWrapUp(conv));
                }
            }
            Event::WrapUpEnd { conv, auto } => {
                if self
                    .engine
                    .conversation(conv)
                    .is_some_and(|c| c.state == ConvState::WrapUp)
                {
                    let _ = if auto {
                        self.run_cmd(Command::AutoClose(conv))
                    } else {
                        self.run_cmd(Command::Close(conv))
                    };
                }
            }
            Event::ShiftStart { agent } => self.shift_start(agent),
            Event::ShiftEnd { agent } => self.shift_end(agent),
            Event::BreakStart { agent } => self.break_start(agent),
            Event::BreakEnd { agent } => self.break_end(agent),
            Event::Disconnect { agent } => self.disconnect(agent),
            Event::Reconnect { agent } => self.reconnect(agent),
            Event::ReconnectTimeout { agent, epoch } => self.reconnect_timeout(agent, epoch),
            Event::Pick { agent } => {
                self.agents[agent as usize].pick_pending = false;
                let _ = self.run_cmd(Command::Pick(AgentId(agent)));
            }
            Event::PolicyTick { source } => self.policy_tick(source),
            Event::Script { source } => self.script(source),
            Event::Act {
                source,
                conv,
                since_ms,
            } => self.act(source, conv, SimTime(since_ms)),
        }
    }

    fn current(&self, conv: ConvId, epoch: u32, state: ConvState) -> bool {
        self.engine
            .conversation(conv)
            .is_some_and(|c| c.state == state)
            && self.customers.get(conv).is_some_and(|c| c.epoch == epoch)
    }

    /// Moves the conversation's lazy give-up timer into the event queue, at its reserved place
    /// among the give-ups of its instant and after every other event of that instant (also
    /// those scheduled later, while the run is at it): a customer an agent takes at the instant
    /// its patience (or the Open auto-close) runs out is served; it abandons only if its wait is
    /// strictly longer than its patience.
    pub(crate) fn schedule_give_up(&mut self, conv: ConvId) {
        let Some(g) = self.customers.get_mut(conv).and_then(|c| c.give_up.take()) else {
            return;
        };
        self.events
            .schedule_reserved_last(g.at, g.seq, Event::GiveUp { conv, auto: g.auto });
    }

    pub(crate) fn sample_clock(&self) -> Option<Instant> {
        (self.engine.counters().commands % DECISION_SAMPLE_EVERY == 0).then(Instant::now)
    }

    pub(crate) fn record_clock(&mut self, t0: Option<Instant>) {
        if let Some(t0) = t0 {
            self.rec.decision_ns(t0.elapsed().as_nanos() as u64);
        }
    }

    /// Runs one engine command at `now` and absorbs its effects. Inlined so each call site's
    /// known command compiles to the direct engine method.
    #[inline(always)]
    pub(crate) fn run_cmd(&mut self, cmd: Command) -> Outcome {
        let mut fx = self.lend_fx();
        let t0 = self.sample_clock();
        let r = self.engine.apply(self.now, cmd, &mut fx);
        self.record_clock(t0);
        if self.out.watching() {
            self.observe(cmd, r, &fx);
        }
        self.absorb(&mut fx);
        self.return_fx(fx);
        r
    }

    /// Lends the effects buffer out, empty, for one command (or a batch) and the absorption of
    /// its effects; give it back with [`return_fx`](Self::return_fx). A command run while the
    /// buffer is out (none is: the follow-ups of an effect command nothing) would get a buffer
    /// of its own.
    #[inline(always)]
    #[allow(clippy::box_collection)] // lent boxed: see `World::fx`
    pub(crate) fn lend_fx(&mut self) -> Box<Vec<Effect>> {
        let mut fx = self.fx.take().unwrap_or_default();
        fx.clear();
        fx
    }

    /// Takes back the effects buffer [`lend_fx`](Self::lend_fx) lent.
    #[inline(always)]
    #[allow(clippy::box_collection)] // lent boxed: see `World::fx`
    pub(crate) fn return_fx(&mut self, fx: Box<Vec<Effect>>) {
        self.fx = Some(fx);
    }

    /// Turns effects into metrics (the recorder, [`Recorder::absorb`]) and follow-up events
    /// ([`World::follow_up`]), effect by effect in the engine's order.
    pub(crate) fn absorb(&mut self, fx: &mut Vec<Effect>) {
        let now = self.now;
        if self.out.logging() {
            self.out.log_effects(now, fx, &self.customers);
        }
        // One dispatch per effect: each arm runs the recorder and then the follow-up with the
        // effect's kind known, so their inlined matches fold into the arm (and into nothing
        // where neither reads the kind) instead of being two jump tables per effect.
        macro_rules! each_kind {
            ($($kind:ident),* $(,)?) => {
                // By reference: each arm loads the fields it reads, not the whole effect first.
                for e in fx.iter() {
                    match *e {
                        $(Effect::$kind { .. } => {
                            self.rec.absorb(now, e, &self.customers);
                            self.follow_up(e);
                        })*
                    }
                }
            };
        }
        each_kind!(
            Unmatched,
            AssignedByRule,
            Arrived,
            Invited,
            InviteWithdrawn,
            Refusal,
            Accepted,
            StateChanged,
            Units,
            Overallocated,
            Presence,
            Requeued,
            Monitoring,
            Joined,
            Transferred,
            Notified,
            PickAvailable,
            Closed,
        );
        fx.clear();
    }

    /// The world's side of one effect: the events it calls for (an invitation's answer, the end
    /// of handling, a pick, a give-up timer, a retry), the chat shares it moves and the
    /// customers' records it changes. Runs after the recorder has read the same effect (and
    /// the log the whole batch).
    #[inline(always)]
    fn follow_up(&mut self, e: &Effect) {
        // Matching on the place copies only the fields an arm uses.
        match *e {
            Effect::Invited {
                conv,
                agent,
                invite,
                ..
            } => self.answer_invite(conv, agent, invite),
            Effect::Accepted {
                conv, agent, first, ..
            } => {
                self.invite_ended(conv);
                self.start_handling(conv, agent, first);
            }
            Effect::StateChanged {
                conv,
                from: ConvState::Active,
                to,
            } => {
                let left = match self.chat.slowed() {
                    true => self.share_leave(conv),
                    false => None,
                };
                // Released back to its queue mid-handling: the next acceptance resumes it.
                if to == ConvState::Open {
                    self.suspend(conv, left);
                }
            }
            Effect::StateChanged { .. } => {}
            Effect::Units {
                agent,
                before,
                after,
                ..
            } => {
                if after < before && self.agents[agent.index()].picks {
                    self.offer_pick(agent);
                }
            }
            Effect::Requeued { conv, to, .. } => {
                let Some(c) = self.customers.get_mut(conv) else {
                    return;
                };
                c.queue = to;
                // A supervisor's move: the new queue's waiting-time rules apply from now (a
                // `waited_over` move schedules them itself, after its command).
                if !c.overflowing {
                    self.schedule_waits(conv, to);
                }
            }
            Effect::PickAvailable { queue } => self.pick_available(queue),
            Effect::Closed {
                conv,
                answered,
                reason,
                ..
            } => {
                // Read the few fields needed and clear the slot in place (moving the whole
                // record out would copy it for nothing).
                let slot = conv.slot as usize;
                let Some((origin, counted, key)) = self
                    .customers
                    .at(slot)
                    .map(|c| (c.origin, c.counted, c.key))
                else {
                    return;
                };
                // A replayed history already holds its retry contacts as rows of their own.
                if !answered
                    && self.chat.retries()
                    && !self.out.replaying()
                    && reason != CloseReason::Overflowed
                {
                    self.maybe_retry(slot, origin, key);
                }
                self.customers.remove(slot);
                self.customers.left(counted);
            }
            Effect::InviteWithdrawn { conv, invite, .. } => {
                self.invite_ended(conv);
                let covered = self
                    .customers
                    .get(conv)
                    .and_then(|c| c.give_up)
                    .is_some_and(|g| g.cover == Some(invite));
                if covered {
                    self.schedule_give_up(conv);
                }
            }
            Effect::Transferred { conv, to, .. } => {
                if self.chat.slowed() {
                    self.share_move(conv, to);
                }
            }
            Effect::Refusal { conv, agent, .. } => self.invite_refused(conv, agent),
            Effect::Overallocated { .. }
            | Effect::Joined { .. }
            | Effect::Notified { .. }
            | Effect::AssignedByRule { .. }
            | Effect::Unmatched { .. }
            | Effect::Arrived { .. }
            | Effect::Presence { .. }
            | Effect::Monitoring { .. } => {}
        }
    }
}
