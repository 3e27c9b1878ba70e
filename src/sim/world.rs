//! One replication: the event loop that drives the engine and records metrics.
//!
//! The world owns the engine, the event queue, the per-conversation and per-agent simulator
//! state and the metrics recorder. Every engine command goes through [`World::run_cmd`], which
//! samples its wall-clock time and hands its effects to [`World::absorb`], the single place where
//! effects turn into metrics and follow-up events.

use std::time::Instant;

use crate::dist::Sampler;
use crate::engine::{CloseReason, ConvId, Effect, Engine, Outcome, Recipient};
use crate::kernel::EventQueue;
use crate::metrics::{Recorder, RepMetrics};
use crate::model::{AgentId, ConvState, Presence, QueueId, RoutingMode, WrapUpBlock};
use crate::rng::{stream, SimRng, Source, StreamFamily};
use crate::scenario::{Arrivals, Scenario};
use crate::time::{SimDuration, SimTime};

use super::arrivals::ArrivalProcess;
pub(crate) use super::customer::slot_mut;
use super::customer::{customer_family, first_timer, sentiment_family, ConvSim};
use super::event::{Answer, Event};
use super::setup::{engine_setup, source_names, Sources};
use super::RunOptions;

/// Engine commands between two wall-clock samples of decision time.
const DECISION_SAMPLE_EVERY: u64 = 64;

/// Per-agent simulator state.
#[derive(Debug)]
pub(crate) struct AgentSim {
    pub(crate) group: usize,
    pub(crate) rng: SimRng,
    pub(crate) on_shift: bool,
    pub(crate) on_break: bool,
    pub(crate) pick_pending: bool,
    pub(crate) picks: bool,
    /// Its connection is down.
    pub(crate) disconnected: bool,
    /// Bumped at each disconnect, so a stale reconnect timeout is ignored.
    pub(crate) link_epoch: u32,
}

/// Per-work-stream samplers, built once.
#[derive(Debug)]
pub(crate) struct WsSim {
    pub(crate) handle: Sampler,
    pub(crate) wrap_up: Option<Sampler>,
    pub(crate) patience: Option<Sampler>,
    pub(crate) waiting: Option<Sampler>,
}

/// One replication in progress.
#[derive(Debug)]
pub(crate) struct World<'s> {
    pub(crate) sc: &'s Scenario,
    pub(crate) engine: Engine,
    pub(crate) events: EventQueue<Event>,
    pub(crate) fx: Vec<Effect>,
    /// Scratch list of the agents a pick signal reaches (kept to reuse its allocation).
    pick_buf: Vec<AgentId>,
    pub(crate) convs: Vec<Option<ConvSim>>,
    pub(crate) agents: Vec<AgentSim>,
    pub(crate) ws: Vec<WsSim>,
    pub(crate) accept: Vec<Sampler>,
    pub(crate) arrivals: Vec<ArrivalProcess>,
    pub(crate) arrival_index: Vec<u64>,
    pub(crate) arrivals_open: usize,
    pub(crate) sources: Sources,
    pub(crate) rec: Recorder,
    pub(crate) live_counted: u64,
    pub(crate) now: SimTime,
    check_every_event: bool,
    pub(crate) invariant_breaks: u64,
    stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    pub(crate) customer_streams: StreamFamily,
    pub(crate) sentiment_streams: StreamFamily,
    pub(crate) attribute_streams: StreamFamily,
    pub(crate) ws_arrivals: Vec<ArrivalProcess>,
    pub(crate) ws_arrival_index: Vec<u64>,
    /// The latest give-up time ever kept out of the queue (see [`LazyGiveUp`]): a stale timer
    /// popped after the last real event would have moved the clock there.
    lazy_give_up_max: Option<SimTime>,
}

impl<'s> World<'s> {
    pub(crate) fn new(sc: &'s Scenario, rep: u32, opts: &RunOptions) -> World<'s> {
        let seed = opts.seed.unwrap_or(sc.seed);
        let engine = Engine::new(engine_setup(sc));
        let mut agents = Vec::with_capacity(sc.agent_count());
        let mut capacities = Vec::with_capacity(sc.agent_count());
        for (gi, g) in sc.agent_groups.iter().enumerate() {
            let picks = g.queues.iter().any(|q| {
                sc.workstreams[sc.queues[q.index()].workstream.index()]
                    .rules
                    .mode
                    == RoutingMode::Pick
            });
            for k in 0..g.count {
                let id = g.first.0 + k;
                agents.push(AgentSim {
                    group: gi,
                    rng: stream(seed, rep, Source::Agent(id)),
                    on_shift: false,
                    on_break: false,
                    pick_pending: false,
                    picks,
                    disconnected: false,
                    link_epoch: 0,
                });
                capacities.push(g.capacity);
            }
        }
        let ws = sc
            .workstreams
            .iter()
            .map(|w| WsSim {
                handle: Sampler::new(&w.handle_time),
                wrap_up: w.wrap_up_time.as_ref().map(Sampler::new),
                patience: w.patience.as_ref().map(Sampler::new),
                waiting: w.waiting_time.as_ref().map(Sampler::new),
            })
            .collect();
        let sources = Sources::new(sc);
        let rec = Recorder::new(
            rep,
            SimTime::ZERO + sc.warmup,
            sc.horizon,
            sc.service_level,
            sc.queues.len(),
            &capacities,
            source_names(sc, &sources),
        )
        .with_short_abandon(sc.short_abandon);
        World {
            sc,
            engine,
            events: EventQueue::with_capacity(1024),
            fx: Vec::with_capacity(64),
            pick_buf: Vec::new(),
            convs: Vec::new(),
            agents,
            ws,
            accept: sc
                .agent_groups
                .iter()
                .map(|g| Sampler::new(&g.accept_delay))
                .collect(),
            arrivals: (0..sc.queues.len())
                .map(|q| {
                    let rng = stream(seed, rep, Source::Arrivals(q as u32));
                    ArrivalProcess::new(rng, &sc.queues[q].arrivals)
                })
                .collect(),
            arrival_index: vec![0; sc.queues.len()],
            arrivals_open: 0,
            sources,
            rec,
            live_counted: 0,
            now: SimTime::ZERO,
            check_every_event: opts.check_invariants,
            invariant_breaks: 0,
            stop: opts.stop.clone(),
            lazy_give_up_max: None,
            customer_streams: customer_family(seed, rep),
            sentiment_streams: sentiment_family(seed, rep),
            attribute_streams: super::routing::attribute_family(seed, rep),
            ws_arrivals: (0..sc.workstreams.len())
                .map(|w| {
                    let spec = sc.workstreams[w].routing.arrivals.as_ref();
                    ArrivalProcess::new(
                        super::routing::ws_arrival_stream(seed, rep, w),
                        spec.unwrap_or(&Arrivals::None),
                    )
                })
                .collect(),
            ws_arrival_index: vec![0; sc.workstreams.len()],
        }
    }

    pub(crate) fn horizon(&self) -> SimTime {
        SimTime::ZERO + self.sc.horizon
    }

    /// Schedules the first arrivals, shifts, breaks, policy ticks and script lines.
    fn start(&mut self) {
        let horizon = self.horizon();
        for q in 0..self.sc.queues.len() {
            if let Some(t) =
                self.arrivals[q].next(&self.sc.queues[q].arrivals, SimTime::ZERO, horizon)
            {
                self.events.schedule(t, Event::Arrival { queue: q as u32 });
                self.arrivals_open += 1;
            }
        }
        for (w, ws) in self.sc.workstreams.iter().enumerate() {
            let Some(spec) = ws.routing.arrivals.as_ref() else {
                continue;
            };
            if let Some(t) = self.ws_arrivals[w].next(spec, SimTime::ZERO, horizon) {
                self.events.schedule(t, Event::WsArrival { ws: w as u32 });
                self.arrivals_open += 1;
            }
        }
        for (gi, g) in self.sc.agent_groups.iter().enumerate() {
            for k in 0..g.count {
                let agent = g.first.0 + k;
                let start = g.shift.map_or(SimTime::ZERO, |s| s.start);
                if start == SimTime::ZERO {
                    self.agents[agent as usize].on_shift = true;
                    self.rec.staffed(SimTime::ZERO, g.capacity as i64);
                    self.schedule_break(agent, gi, SimTime::ZERO, true);
                    self.schedule_disconnect(agent);
                } else {
                    self.events.schedule(start, Event::ShiftStart { agent });
                }
                if let Some(s) = g.shift {
                    self.events.schedule(s.end, Event::ShiftEnd { agent });
                }
            }
        }
        self.sources.schedule_all(self.sc, &mut self.events);
    }

    /// Schedules the agent's next break. The first break of a shift is staggered across the
    /// group (agent k of n starts at `every·(k+1)/(n+1)` into the shift), so a group never goes
    /// on break all at once; later breaks follow every `every` after the previous one ended.
    fn schedule_break(&mut self, agent: u32, group: usize, from: SimTime, first: bool) {
        let g = &self.sc.agent_groups[group];
        if let Some(b) = g.breaks {
            let gap = if first {
                let k = (agent - g.first.0) as u64;
                SimDuration::from_millis(b.every.as_millis() * (k + 1) / (g.count as u64 + 1))
            } else {
                b.every
            };
            let at = from + gap;
            if g.shift.is_none_or(|s| at < s.end) {
                self.events.schedule(at, Event::BreakStart { agent });
            }
        }
    }

    /// Runs to the end: arrivals over and nothing live, or the drain limit.
    pub(crate) fn run(mut self, progress: &dyn Fn(SimTime, u64)) -> RepMetrics {
        if self.stopped() {
            // Stopped before this replication began: report it empty and partial.
            self.rec.mark_partial();
            return self.rec.finish(SimTime::ZERO, 0);
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
                if let Some(m) = self.lazy_give_up_max {
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
            if self.check_every_event {
                self.invariant_breaks += self.engine.check_invariants().len() as u64;
            }
            if n & 0xFFF == 0 {
                if n & 0xFFFF == 0 {
                    progress(t, self.engine.counters().arrived);
                }
                if self.stopped() {
                    self.rec.mark_partial();
                    interrupted = true;
                    break;
                }
            }
            if self.arrivals_open == 0 && self.engine.live_conversations() == 0 {
                break;
            }
        }
        if !interrupted && self.engine.live_conversations() > 0 {
            // Nothing is scheduled any more (say, a queue nobody serves and customers who never
            // give up): the conversations still wait, so the run lasts until the drain limit.
            self.now = limit;
        }
        let breaks = self.engine.check_invariants().len() as u64 + self.invariant_breaks;
        self.rec.invariant_breaks(breaks);
        let k = self.engine.counters();
        if k.arrived != k.closed + self.engine.live_conversations() as u64 {
            self.rec.invariant_breaks(1);
        }
        self.rec.commands(k.commands);
        progress(self.now, k.arrived);
        self.rec.finish(self.now, self.live_counted)
    }

    fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    }

    #[inline(always)]
    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Arrival { queue } => self.arrival(QueueId(queue)),
            Event::WsArrival { ws } => self.ws_arrival(ws as usize),
            Event::OverflowWait { conv, queue, rule } => {
                self.overflow_wait(conv, QueueId(queue), rule as usize)
            }
            Event::GiveUp { conv, auto } => {
                let callback = self.conv_sim(conv).is_some_and(|c| c.callback);
                let open_never_answered = !callback
                    && self
                        .engine
                        .conversation(conv)
                        .is_some_and(|c| c.state == ConvState::Open && c.answered_at.is_none());
                if open_never_answered {
                    let _ = if auto {
                        self.run_cmd(|e, now, fx| e.auto_close(now, conv, fx))
                    } else {
                        self.run_cmd(|e, now, fx| e.abandon(now, conv, fx))
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
                    Answer::Accept => self.run_cmd(|e, now, fx| e.accept(now, conv, invite, fx)),
                    Answer::Reject => self.run_cmd(|e, now, fx| e.reject(now, conv, invite, fx)),
                    Answer::Timeout => self.run_cmd(|e, now, fx| e.timeout(now, conv, invite, fx)),
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
                        self.run_cmd(|e, now, fx| e.auto_close(now, conv, fx))
                    } else {
                        self.run_cmd(|e, now, fx| e.customer_return(now, conv, fx))
                    };
                }
            }
            Event::WrapUpRelease { conv } => {
                if self
                    .engine
                    .conversation(conv)
                    .is_some_and(|c| c.state == ConvState::WrapUp)
                {
                    let _ = self.run_cmd(|e, now, fx| e.release_wrap_up(now, conv, fx));
                }
            }
            Event::WrapUpEnd { conv, auto } => {
                if self
                    .engine
                    .conversation(conv)
                    .is_some_and(|c| c.state == ConvState::WrapUp)
                {
                    let _ = if auto {
                        self.run_cmd(|e, now, fx| e.auto_close(now, conv, fx))
                    } else {
                        self.run_cmd(|e, now, fx| e.close(now, conv, fx))
                    };
                }
            }
            Event::ShiftStart { agent } => self.shift_start(agent),
            Event::ShiftEnd { agent } => self.shift_end(agent),
            Event::BreakStart { agent } => {
                let a = &mut self.agents[agent as usize];
                if a.on_shift {
                    a.on_break = true;
                    let g = a.group;
                    let len = self.sc.agent_groups[g]
                        .breaks
                        .map_or(SimDuration::ZERO, |b| b.length);
                    self.apply_presence(agent);
                    self.events
                        .schedule(self.now + len, Event::BreakEnd { agent });
                }
            }
            Event::BreakEnd { agent } => {
                let a = &mut self.agents[agent as usize];
                if a.on_shift && a.on_break {
                    a.on_break = false;
                    let g = a.group;
                    self.apply_presence(agent);
                    self.schedule_break(agent, g, self.now, false);
                }
            }
            Event::Disconnect { agent } => self.disconnect(agent),
            Event::Reconnect { agent } => {
                let a = &mut self.agents[agent as usize];
                if a.disconnected {
                    a.disconnected = false;
                    self.apply_presence(agent);
                    self.schedule_disconnect(agent);
                }
            }
            Event::ReconnectTimeout { agent, epoch } => {
                let a = &self.agents[agent as usize];
                if a.disconnected && a.link_epoch == epoch {
                    // The engine gives up on the agent: its Active conversations go back to Open.
                    let held = self.engine.held_by(AgentId(agent), ConvState::Active);
                    for conv in held {
                        let _ = self.run_cmd(|e, now, fx| e.release(now, conv, fx));
                    }
                }
            }
            Event::Pick { agent } => {
                self.agents[agent as usize].pick_pending = false;
                let _ = self.run_cmd(|e, now, fx| e.pick(now, AgentId(agent), fx).map(|_| ()));
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
            && self.conv_sim(conv).is_some_and(|c| c.epoch == epoch)
    }

    pub(crate) fn conv_sim(&self, conv: ConvId) -> Option<&ConvSim> {
        self.convs
            .get(conv.slot as usize)
            .and_then(|c| c.as_ref())
            .filter(|c| c.id == conv)
    }

    pub(crate) fn conv_sim_mut(&mut self, conv: ConvId) -> Option<&mut ConvSim> {
        slot_mut(&mut self.convs, conv)
    }

    /// Moves the conversation's lazy give-up timer into the event queue, at its reserved place.
    pub(crate) fn schedule_give_up(&mut self, conv: ConvId) {
        let Some(g) = slot_mut(&mut self.convs, conv).and_then(|c| c.give_up.take()) else {
            return;
        };
        self.events
            .schedule_reserved(g.at, g.seq, Event::GiveUp { conv, auto: g.auto });
    }

    pub(crate) fn sample_clock(&self) -> Option<Instant> {
        (self.engine.counters().commands % DECISION_SAMPLE_EVERY == 0).then(Instant::now)
    }

    pub(crate) fn record_clock(&mut self, t0: Option<Instant>) {
        if let Some(t0) = t0 {
            self.rec.decision_ns(t0.elapsed().as_nanos() as u64);
        }
    }

    /// Runs one engine command at `now` and absorbs its effects.
    pub(crate) fn run_cmd(
        &mut self,
        f: impl FnOnce(&mut Engine, SimTime, &mut Vec<Effect>) -> Outcome,
    ) -> Outcome {
        let mut fx = std::mem::take(&mut self.fx);
        fx.clear();
        let t0 = self.sample_clock();
        let r = f(&mut self.engine, self.now, &mut fx);
        self.record_clock(t0);
        self.absorb(&mut fx);
        self.fx = fx;
        r
    }

    /// Turns effects into metrics and follow-up events.
    pub(crate) fn absorb(&mut self, fx: &mut Vec<Effect>) {
        let now = self.now;
        // Read in place (matching on the place copies only the fields an arm uses; draining
        // would copy every effect out first), then cleared.
        for e in fx.iter() {
            match *e {
                Effect::Invited {
                    conv,
                    agent,
                    invite,
                    ..
                } => self.answer_invite(conv, agent, invite),
                Effect::Refusal { agent, .. } => self.rec.refusal(now, agent),
                Effect::Accepted {
                    conv,
                    agent,
                    first,
                    waited,
                } => {
                    self.rec.took(now, agent);
                    let Some(c) = slot_mut(&mut self.convs, conv) else {
                        continue;
                    };
                    if let Some(g) = c.give_up.take() {
                        // Answered: the timer would only have been dropped when popped.
                        self.lazy_give_up_max = self.lazy_give_up_max.max(Some(g.at));
                    }
                    let (origin, counted) = (c.origin, c.counted);
                    if first {
                        self.rec.answered(now, origin, waited, counted);
                    }
                    self.start_handling(conv);
                }
                Effect::StateChanged { conv, from, to } => {
                    // Only transitions into or out of Open change a queue's length (or count a
                    // release); the others need no lookup.
                    if from != ConvState::Open && to != ConvState::Open {
                        continue;
                    }
                    let q = self.conv_sim(conv).map(|c| (c.queue, c.origin, c.counted));
                    if let Some((q, origin, counted)) = q {
                        if from == ConvState::Active && to == ConvState::Open {
                            self.rec.released(origin, counted);
                        }
                        if from == ConvState::Open {
                            self.rec.queue_len(now, q, -1);
                        }
                        if to == ConvState::Open {
                            self.rec.queue_len(now, q, 1);
                        }
                    }
                }
                Effect::Units {
                    agent,
                    before,
                    after,
                    ..
                } => {
                    self.rec.units(now, agent, before, after);
                    if after < before && self.agents[agent.index()].picks {
                        self.offer_pick(agent);
                    }
                }
                Effect::Overallocated { agent, over } => self.rec.overallocated(now, agent, over),
                Effect::Requeued { conv, from, to } => {
                    self.rec.queue_len(now, from, -1);
                    self.rec.queue_len(now, to, 1);
                    if let Some(c) = self.conv_sim_mut(conv) {
                        c.queue = to;
                    }
                }
                Effect::Joined { .. } => self.rec.notified(now, true, 0, 0),
                Effect::Notified { to, .. } => match to {
                    Recipient::Agent(_) => self.rec.notified(now, false, 1, 0),
                    Recipient::Customer => self.rec.notified(now, false, 0, 1),
                    Recipient::Supervisor(_) => {}
                },
                Effect::PickAvailable { queue } => self.pick_available(queue),
                Effect::Closed {
                    conv,
                    answered,
                    arrived_at,
                    reason,
                    ..
                } => {
                    // Read the two fields and clear the slot in place (moving the whole
                    // record out would copy it for nothing).
                    let slot = &mut self.convs[conv.slot as usize];
                    let Some((origin, counted)) = slot.as_ref().map(|c| (c.origin, c.counted))
                    else {
                        continue;
                    };
                    *slot = None;
                    if reason == CloseReason::Overflowed {
                        self.rec.overflow_ended(origin, counted);
                    } else if !answered {
                        self.rec
                            .abandoned(now, origin, now.since(arrived_at), counted);
                    }
                    self.rec.closed(origin, counted);
                    self.live_counted -= counted as u64;
                }
                Effect::InviteWithdrawn { conv, invite, .. } => {
                    let covered = self
                        .conv_sim(conv)
                        .and_then(|c| c.give_up)
                        .is_some_and(|g| g.cover == Some(invite));
                    if covered {
                        self.schedule_give_up(conv);
                    }
                }
                Effect::Unmatched { conv, .. } => {
                    let counted = slot_mut(&mut self.convs, conv).is_none_or(|c| c.counted);
                    self.rec.unmatched(counted);
                }
                Effect::Arrived { .. }
                | Effect::Presence { .. }
                | Effect::Monitoring { .. }
                | Effect::Transferred { .. } => {}
            }
        }
        fx.clear();
    }

    /// RT-INVITE from the agent's side: accept after its delay, reject, or never see it.
    fn answer_invite(&mut self, conv: ConvId, agent: AgentId, invite: crate::engine::InviteId) {
        let timeout = self.engine.config().notification_timeout;
        let a = &mut self.agents[agent.index()];
        let g = &self.sc.agent_groups[a.group];
        let (answer, delay) = if g.ignore_probability == 0.0 && g.reject_probability == 0.0 {
            (Answer::Accept, self.accept[a.group].sample(&mut a.rng))
        } else {
            let u = a.rng.uniform01();
            if u < g.ignore_probability {
                (Answer::Timeout, timeout)
            } else if u < g.ignore_probability + g.reject_probability {
                (Answer::Reject, self.accept[a.group].sample(&mut a.rng))
            } else {
                (Answer::Accept, self.accept[a.group].sample(&mut a.rng))
            }
        };
        let (answer, delay) = if delay >= timeout {
            (Answer::Timeout, timeout)
        } else {
            (answer, delay)
        };
        let at = self.now + delay;
        if let Some(g) = slot_mut(&mut self.convs, conv).and_then(|c| c.give_up.as_mut()) {
            if answer == Answer::Accept && at < g.at {
                g.cover = Some(invite);
            } else {
                self.schedule_give_up(conv);
            }
        }
        self.events.schedule(
            self.now + delay,
            Event::InviteAnswer {
                conv,
                invite,
                answer,
            },
        );
    }

    /// After an acceptance: the handle time (and, for persistent channels, maybe a Waiting spell).
    fn start_handling(&mut self, conv: ConvId) {
        let now = self.now;
        let sc = self.sc;
        let Some(c) = slot_mut(&mut self.convs, conv) else {
            return;
        };
        c.epoch += 1;
        let epoch = c.epoch;
        let ws_id = sc.queues[c.queue.index()].workstream.index();
        let ws = &sc.workstreams[ws_id];
        let handle = self.ws[ws_id].handle.sample(&mut c.rng);
        let wait_p = ws.waiting_probability;
        if !c.waited && wait_p > 0.0 && c.rng.uniform01() < wait_p {
            c.waited = true;
            let at =
                SimDuration::from_millis((handle.as_millis() as f64 * c.rng.uniform01()) as u64);
            self.events
                .schedule(now + at, Event::GoWaiting { conv, epoch });
        } else {
            self.events
                .schedule(now + handle, Event::HandleEnd { conv, epoch });
        }
    }

    fn go_waiting(&mut self, conv: ConvId) {
        if self
            .run_cmd(|e, now, fx| e.set_waiting(now, conv, fx))
            .is_err()
        {
            return;
        }
        let now = self.now;
        let sc = self.sc;
        let Some(c) = slot_mut(&mut self.convs, conv) else {
            return;
        };
        let ws_id = sc.queues[c.queue.index()].workstream.index();
        let away = self.ws[ws_id]
            .waiting
            .as_ref()
            .map_or(SimDuration::from_secs(600), |s| s.sample(&mut c.rng));
        let epoch = c.epoch;
        let (after, auto) = first_timer(away, sc.workstreams[ws_id].waiting_auto_close);
        self.events
            .schedule(now + after, Event::WaitingOver { conv, epoch, auto });
    }

    /// Active → Wrap-up, then the wrap-up timers (or close at once without wrap-up).
    fn end_handling(&mut self, conv: ConvId) {
        if self.run_cmd(|e, now, fx| e.end(now, conv, fx)).is_err() {
            return;
        }
        let now = self.now;
        let sc = self.sc;
        let Some(c) = slot_mut(&mut self.convs, conv) else {
            return;
        };
        let ws_id = sc.queues[c.queue.index()].workstream.index();
        let ws = &sc.workstreams[ws_id];
        let Some(wrap) = self.ws[ws_id]
            .wrap_up
            .as_ref()
            .map(|s| s.sample(&mut c.rng))
        else {
            let _ = self.run_cmd(|e, now, fx| e.close(now, conv, fx));
            return;
        };
        let (after, auto) = first_timer(wrap, ws.wrap_up_auto_close);
        if let WrapUpBlock::For(d) = ws.rules.block_capacity_for_wrap_up {
            if d < after {
                self.events.schedule(now + d, Event::WrapUpRelease { conv });
            }
        }
        self.events
            .schedule(now + after, Event::WrapUpEnd { conv, auto });
    }

    fn shift_start(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if a.on_shift {
            return;
        }
        a.on_shift = true;
        let g = a.group;
        self.rec
            .staffed(self.now, self.sc.agent_groups[g].capacity as i64);
        let _ = self.run_cmd(|e, now, fx| e.set_presence(now, AgentId(agent), None, fx));
        self.schedule_break(agent, g, self.now, true);
    }

    /// Offline: no new work; what it holds it completes.
    fn shift_end(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if !a.on_shift {
            return;
        }
        a.on_shift = false;
        a.on_break = false;
        let g = a.group;
        self.rec
            .staffed(self.now, -(self.sc.agent_groups[g].capacity as i64));
        let _ = self
            .run_cmd(|e, now, fx| e.set_presence(now, AgentId(agent), Some(Presence::Offline), fx));
    }

    /// Sets the agent's presence from its situation: off shift or disconnected → Offline, on a
    /// break → Away (both by hand, PR-MANUAL), otherwise following capacity (PR-AUTO).
    fn apply_presence(&mut self, agent: u32) {
        let a = &self.agents[agent as usize];
        let p = if !a.on_shift || a.disconnected {
            Some(Presence::Offline)
        } else if a.on_break {
            Some(Presence::Away)
        } else {
            None
        };
        let _ = self.run_cmd(|e, now, fx| e.set_presence(now, AgentId(agent), p, fx));
    }

    /// Schedules the agent's next connection drop, if its group has them.
    fn schedule_disconnect(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        let Some(d) = &self.sc.agent_groups[a.group].disconnects else {
            return;
        };
        let gap = a.rng.exp1() * d.every.as_secs_f64();
        self.events.schedule(
            self.now + SimDuration::from_secs_f64(gap),
            Event::Disconnect { agent },
        );
    }

    /// The agent's connection drops: Offline at once (pending invitations are withdrawn); back
    /// after its drawn duration; its Active conversations are released if it is not back within
    /// the reconnect timeout.
    fn disconnect(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if !a.on_shift || a.disconnected {
            return;
        }
        let Some(d) = &self.sc.agent_groups[a.group].disconnects else {
            return;
        };
        a.disconnected = true;
        a.link_epoch += 1;
        let epoch = a.link_epoch;
        let away = Sampler::new(&d.duration).sample(&mut a.rng);
        let timeout = d.reconnect_timeout;
        self.events
            .schedule(self.now + away, Event::Reconnect { agent });
        self.events
            .schedule(self.now + timeout, Event::ReconnectTimeout { agent, epoch });
        self.apply_presence(agent);
    }

    /// RT-PICK: a pick-mode agent with room picks after its accept delay.
    fn offer_pick(&mut self, agent: AgentId) {
        let a = &mut self.agents[agent.index()];
        if a.pick_pending || !a.on_shift {
            return;
        }
        a.pick_pending = true;
        let delay = self.accept[a.group].sample(&mut a.rng);
        self.events
            .schedule(self.now + delay, Event::Pick { agent: agent.0 });
    }

    /// Work waits in a pick queue: members who could pick (in id order) and have no pick under
    /// way go and pick, one per waiting conversation.
    fn pick_available(&mut self, queue: QueueId) {
        let want = self.engine.routable_count(queue);
        let mut chosen = std::mem::take(&mut self.pick_buf);
        for agent in self.engine.pick_candidates(queue) {
            if chosen.len() >= want {
                break;
            }
            if !self.agents[agent.index()].pick_pending {
                chosen.push(agent);
            }
        }
        for &agent in &chosen {
            self.offer_pick(agent);
        }
        chosen.clear();
        self.pick_buf = chosen;
    }
}
