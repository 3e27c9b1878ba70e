//! Arrivals into the simulation: a queue's own arrivals, a work stream's arrivals routed to a
//! queue by its route-to-queue rules (RT-QUEUE), and admitting the conversation (its customer's
//! draws, metrics, the engine's arrival).

use crate::engine::Command;
use crate::model::QueueId;
use crate::time::SimDuration;

use super::customer::{customer_key, first_timer, ConvSim, LazyGiveUp, Mood};
use super::replay::NONE;
use super::world::World;

impl<E: crate::engine::RulesEngine> World<'_, E> {
    /// Per origin queue, the conversations still live at the end (`now`) that were never
    /// answered and have waited (arrived before `now`): not accepted at the instant they
    /// arrived, so `delayed` as docs/metrics.md defines it, whether or not they would have been
    /// answered later. Warm-up arrivals stay out. Add them with [`add_delayed`].
    pub(crate) fn delayed_at_end(&self) -> Vec<u64> {
        let mut late = vec![0; self.sc.queues.len()];
        for c in self.customers.live().filter(|c| c.counted) {
            let waiting = self
                .engine
                .conversation(c.id)
                .is_some_and(|v| v.answered_at.is_none() && v.arrived_at < self.now);
            late[c.origin.index()] += waiting as u64;
        }
        late
    }

    /// A queue's own arrival: admits the customer, schedules the queue's next arrival.
    pub(crate) fn arrival(&mut self, queue: QueueId) {
        let idx = self.intake.take_queue_index(queue.index());
        self.admit(queue, customer_key(queue, idx), None, Some(idx));
        let horizon = self.horizon();
        self.intake
            .next_for_queue(self.sc, queue.index(), self.now, horizon, &mut self.events);
    }

    /// A work stream's own arrival (RT-QUEUE): the conversation draws its attributes and then
    /// one more uniform (used by a percentage split) from its own stream; the first matching
    /// route-to-queue rule (or the fallback queue) picks the queue; then it is admitted there.
    pub(crate) fn ws_arrival(&mut self, w: usize) {
        let idx = self.intake.take_workstream_index(w);
        let key = super::routing::ws_customer_key(w, idx);
        let sc = self.sc;
        let routing = &sc.workstreams[w].routing;
        let mut rng = self.streams.attributes.member(key);
        let attrs = crate::setup::draw_attributes(routing, &mut rng);
        let u = rng.uniform01();
        // A queue overflows when one of its before-queueing rules would trigger now.
        let (engine, now) = (&self.engine, self.now);
        let overflowing = |q: QueueId| {
            super::overflow::before_queue(sc, q, now, || engine.open_count(q)).is_some()
        };
        let queue = routing
            .route(&attrs, u, overflowing)
            .expect("validation requires a fallback queue when a rule may not match");
        self.admit(queue, key, Some(attrs), None);
        let horizon = self.horizon();
        self.intake
            .next_for_workstream(self.sc, w, self.now, horizon, &mut self.events);
    }

    /// A conversation enters `queue` (customer stream `key`; attribute values `attrs` when
    /// already drawn; `idx`, the queue's own arrival index, for a replayed history's row):
    /// customer draws, metrics, the engine's arrival and its effects.
    fn admit(&mut self, queue: QueueId, key: u64, attrs: Option<Vec<u16>>, idx: Option<u64>) {
        let now = self.now;
        let via_workstream = attrs.is_some();
        let first_queue = queue;
        let counted = self.rec.counts(now);
        // A replayed retry contact (its row's `retrial_of`) is a retrial, as in the run that
        // logged it, not a new customer (the replay makes no retries of its own).
        if let Some(i) = idx {
            if self.replayed_retrial(first_queue, i) {
                self.rec.retrial(first_queue, counted);
            }
        }
        let (queue, callback, moved) = match self.enter(queue, counted, true) {
            Ok(entered) => entered,
            Err(ended_in) => {
                // Ended before queueing: its row says so (and its trace lines, already written), at
                // the queue it arrived at, with the queue a before-queueing transfer took it to
                // (`ended_in`) when that one's rule ended it.
                if self.out.logging() {
                    let row = match idx {
                        Some(i) => self.arrival_rows(first_queue, i, None).1,
                        None => self
                            .out
                            .log
                            .as_mut()
                            .map_or(NONE, |l| l.arrived(None, now, first_queue, None)),
                    };
                    if let Some(log) = &mut self.out.log {
                        if ended_in != first_queue {
                            log.moved(row, ended_in);
                        }
                        log.closed(row, false, true, now);
                    }
                }
                return;
            }
        };
        let ws_id = self.sc.queues[queue.index()].workstream;
        let ws = &self.sc.workstreams[ws_id.index()];
        let mut rng = self.customers.stream(key);
        let patience = self.streams.ws[ws_id.index()]
            .patience
            .as_ref()
            .map(|p| p.sample(&mut rng));
        let (patience, row, replay) = if !self.out.rows() {
            (patience, NONE, NONE)
        } else if let Some(idx) = idx {
            self.arrival_rows(first_queue, idx, patience)
        } else {
            let row = match &mut self.out.log {
                Some(log) => log.arrived(None, now, first_queue, patience),
                None => NONE,
            };
            (patience, row, NONE)
        };
        // Sent on before queueing: the row (at the queue it arrived at) says where it ended up.
        if let (Some(log), true) = (&mut self.out.log, moved.is_some()) {
            log.moved(row, queue);
        }
        let mood = ws
            .sentiment
            .map(|s| Mood::new(self.customers.sentiment(), key, s.start, now.as_millis()));
        // Only the Open-side timers are decided at arrival; the engine call may accept at once.
        let give_up = self.open_timer(ws.open_auto_close, patience);
        let mut fx = self.lend_fx();
        let t0 = self.sample_clock();
        let tag = if crate::setup::used(&ws.routing) {
            let mut attrs = attrs.unwrap_or_else(|| {
                crate::setup::draw_attributes(&ws.routing, &mut self.streams.attributes.member(key))
            });
            if let (Some(feed), true) = (&self.out.feed, replay != NONE) {
                feed.replay_attributes(replay, &ws.routing, &mut attrs);
            }
            if let (Some(log), true) = (&mut self.out.log, row != NONE) {
                log.attributes(row, ws_id, &attrs);
            }
            let w = ws_id.index();
            if let Some(o) = self.out.observer() {
                o.note_attributes(self.sc, w, &attrs);
            }
            self.streams.tags.tag(w, w, w, &attrs)
        } else {
            crate::engine::RoutingTag::default()
        };
        let conv = self.arrive(Command::Arrive(queue, tag), &mut fx);
        self.record_clock(t0);
        if let Some(o) = self.out.observer() {
            // Why it is in this queue: an overflow rule sent it on, or route-to-queue chose it.
            o.arrival_note = match moved {
                Some((rule, hops)) => Some((Some(first_queue), rule, hops)),
                None if via_workstream => Some((None, "RT-QUEUE", 0)),
                None => None,
            };
            self.observe(Command::Arrive(queue, tag), Ok(()), &fx);
        }
        let give_up = if callback { None } else { give_up };
        // Written in its slot, not built aside and copied there (issue 28: a 264-byte copy per
        // arrival).
        let cs = self
            .customers
            .vacant(conv)
            .insert(ConvSim::new(conv, queue, counted, rng, mood, give_up, key));
        cs.row = row;
        cs.replay = replay;
        cs.callback = callback;
        cs.moved = moved.is_some();
        self.installed(conv, queue, fx);
    }

    /// A contact enters `queue` (a new arrival or a retrial): the queue's before-queueing
    /// overflow rules apply first (OVF-HOURS, OVF-LIMIT), then the arrival is counted where it
    /// ends up. Returns that queue, whether it is a callback and the rule that moved it there,
    /// or `Err` with the queue whose rule ended it (counted as arrived, closed and overflowed
    /// there).
    // Inlined into both callers: as calls they cost the perf-check workload 1.2% instructions
    // (callgrind), as part of `admit` nothing.
    #[inline(always)]
    pub(crate) fn enter(
        &mut self,
        queue: QueueId,
        counted: bool,
        traced: bool,
    ) -> Result<super::overflow::Entered, QueueId> {
        let entered = if self.sc.queues[queue.index()].overflow.is_empty() {
            (queue, false, None)
        } else {
            self.overflow_before(queue, counted, traced)?
        };
        let now = self.now;
        self.rec.arrived(now, entered.0, counted);
        self.rec.queue_len(now, entered.0, 1);
        self.customers.admitted(counted);
        Ok(entered)
    }

    /// Applies an arrival command and returns the new conversation (named by its first
    /// effect, [`Effect::Arrived`](crate::engine::Effect::Arrived)).
    #[inline(always)]
    pub(crate) fn arrive(
        &mut self,
        cmd: Command,
        fx: &mut Vec<crate::engine::Effect>,
    ) -> crate::engine::ConvId {
        let start = fx.len();
        let r = self.engine.apply(self.now, cmd, fx);
        debug_assert!(r.is_ok(), "an arrival is never refused");
        match fx.get(start) {
            Some(crate::engine::Effect::Arrived { conv, .. }) => *conv,
            _ => unreachable!("an arrival's first effect is Arrived"),
        }
    }

    /// Stores a new contact's record, schedules its queue's waiting-time overflow rules and
    /// absorbs the effects of its arrival.
    #[inline(always)]
    #[allow(clippy::box_collection)] // lent boxed: see `World::fx`
    pub(crate) fn install(&mut self, cs: ConvSim, fx: Box<Vec<crate::engine::Effect>>) {
        let (conv, queue) = (cs.id, cs.queue);
        self.store(cs);
        self.installed(conv, queue, fx);
    }

    /// [`install`](Self::install) of a record already stored (`conv`, arrived in `queue`).
    #[inline(always)]
    #[allow(clippy::box_collection)] // lent boxed: see `World::fx`
    pub(crate) fn installed(
        &mut self,
        conv: crate::engine::ConvId,
        queue: QueueId,
        fx: Box<Vec<crate::engine::Effect>>,
    ) {
        if !self.sc.queues[queue.index()].overflow.is_empty() {
            self.schedule_waits(conv, queue);
        }
        self.settle(conv, fx);
    }

    /// The Open-side timer of a contact arriving now: its patience or the Open auto-close,
    /// whichever is due first, kept out of the event queue (see [`LazyGiveUp`]) with its
    /// sequence number reserved now. `None` when the customer never gives up.
    pub(crate) fn open_timer(
        &mut self,
        auto_close: Option<SimDuration>,
        patience: Option<SimDuration>,
    ) -> Option<LazyGiveUp> {
        let (after, auto) = match patience {
            Some(p) => first_timer(p, auto_close),
            None => (auto_close?, true),
        };
        Some(LazyGiveUp {
            at: self.now + after,
            seq: self.events.reserve_seq(),
            auto,
            cover: None,
        })
    }

    /// Stores a new contact's simulator record in its engine slot.
    pub(crate) fn store(&mut self, cs: ConvSim) {
        self.customers.store(cs);
    }

    /// Absorbs the arrival's effects, then puts the give-up timer in the event queue unless an
    /// invitation accepted no later than it is due covers it.
    #[allow(clippy::box_collection)] // lent boxed: see `World::fx`
    pub(crate) fn settle(
        &mut self,
        conv: crate::engine::ConvId,
        mut fx: Box<Vec<crate::engine::Effect>>,
    ) {
        self.absorb(&mut fx);
        self.return_fx(fx);
        if let Some(c) = self.customers.get_mut(conv) {
            if c.give_up.is_some_and(|g| g.cover.is_none()) {
                self.schedule_give_up(conv);
            }
        }
    }
}

/// Adds per-queue `late` counts (see [`World::delayed_at_end`]) to `delayed`, per queue and in
/// all.
pub(crate) fn add_delayed(m: &mut crate::metrics::RepMetrics, late: &[u64]) {
    for (q, n) in m.queues.iter_mut().zip(late) {
        q.delayed += n;
        m.total.delayed += n;
    }
}
