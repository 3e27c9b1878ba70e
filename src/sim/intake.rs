//! [`Intake`]: the arrivals subsystem of a replication's [`World`](super::world::World). It
//! owns one [`ArrivalProcess`] per queue and per work stream with arrivals of its own
//! (RT-QUEUE), the arrival counters that key each customer's random stream, and the count of
//! sources that may still bring a conversation (open processes and customers yet to retry), so
//! the event loop knows when arrivals are over.
//!
//! Its step interface: [`Intake::start`] schedules every first arrival;
//! [`Intake::next_for_queue`] / [`Intake::next_for_workstream`] take an arrival's index and
//! schedule the source's next arrival (or close the source); [`Intake::hold`] /
//! [`Intake::release`] count a customer waiting to retry; [`Intake::over`] says whether
//! anything may still arrive. It schedules only `Arrival` and `WsArrival` events and draws
//! only from the arrival streams, in the order the world always has (queues, then work
//! streams), so the split changes no result.

use crate::kernel::EventQueue;
use crate::rng::{stream, Source};
use crate::scenario::{Arrivals, Scenario};
use crate::time::SimTime;

use super::arrivals::ArrivalProcess;
use super::event::Event;

/// The arrival processes and counters of one replication. See the module docs.
#[derive(Debug)]
pub(crate) struct Intake {
    /// Per queue: its own arrival process (replaced by a replayed or leveled one at setup).
    pub(crate) queues: Vec<ArrivalProcess>,
    /// Per queue: arrivals so far (the next arrival's index).
    queue_index: Vec<u64>,
    /// Per work stream: its routed arrival process ([`Arrivals::None`] when it has none).
    workstreams: Vec<ArrivalProcess>,
    /// Per work stream: arrivals so far.
    workstream_index: Vec<u64>,
    /// Sources that may still bring a conversation: open processes and waiting retrials.
    open: usize,
}

impl Intake {
    /// The processes of `sc` for replication `rep` with `seed`, each on its own stream
    /// (`Source::Arrivals(queue)`; a work stream's routing stream); nothing scheduled yet.
    pub(crate) fn new(sc: &Scenario, seed: u64, rep: u32) -> Intake {
        Intake {
            queues: (0..sc.queues.len())
                .map(|q| {
                    let rng = stream(seed, rep, Source::Arrivals(q as u32));
                    ArrivalProcess::new(rng, &sc.queues[q].arrivals)
                })
                .collect(),
            queue_index: vec![0; sc.queues.len()],
            workstreams: (0..sc.workstreams.len())
                .map(|w| {
                    let spec = sc.workstreams[w].routing.arrivals.as_ref();
                    ArrivalProcess::new(
                        super::routing::ws_arrival_stream(seed, rep, w),
                        spec.unwrap_or(&Arrivals::None),
                    )
                })
                .collect(),
            workstream_index: vec![0; sc.workstreams.len()],
            open: 0,
        }
    }

    /// Schedules each queue's first arrival, then each work stream's, before `horizon`.
    pub(crate) fn start(
        &mut self,
        sc: &Scenario,
        horizon: SimTime,
        events: &mut EventQueue<Event>,
    ) {
        for q in 0..sc.queues.len() {
            if let Some(t) = self.queues[q].next(&sc.queues[q].arrivals, SimTime::ZERO, horizon) {
                events.schedule(t, Event::Arrival { queue: q as u32 });
                self.open += 1;
            }
        }
        for (w, ws) in sc.workstreams.iter().enumerate() {
            let Some(spec) = ws.routing.arrivals.as_ref() else {
                continue;
            };
            if let Some(t) = self.workstreams[w].next(spec, SimTime::ZERO, horizon) {
                events.schedule(t, Event::WsArrival { ws: w as u32 });
                self.open += 1;
            }
        }
    }

    /// Queue `q`'s arrival: its index (0-based, per queue), counted.
    #[inline]
    pub(crate) fn take_queue_index(&mut self, q: usize) -> u64 {
        let idx = self.queue_index[q];
        self.queue_index[q] += 1;
        idx
    }

    /// Work stream `w`'s arrival: its index (0-based, per work stream), counted.
    #[inline]
    pub(crate) fn take_workstream_index(&mut self, w: usize) -> u64 {
        let idx = self.workstream_index[w];
        self.workstream_index[w] += 1;
        idx
    }

    /// Schedules queue `q`'s next arrival after `now` (before `horizon`), or closes it.
    #[inline]
    pub(crate) fn next_for_queue(
        &mut self,
        sc: &Scenario,
        q: usize,
        now: SimTime,
        horizon: SimTime,
        events: &mut EventQueue<Event>,
    ) {
        match self.queues[q].next(&sc.queues[q].arrivals, now, horizon) {
            Some(t) => events.schedule(t, Event::Arrival { queue: q as u32 }),
            None => self.open -= 1,
        }
    }

    /// Schedules work stream `w`'s next arrival after `now` (before `horizon`), or closes it.
    #[inline]
    pub(crate) fn next_for_workstream(
        &mut self,
        sc: &Scenario,
        w: usize,
        now: SimTime,
        horizon: SimTime,
        events: &mut EventQueue<Event>,
    ) {
        let spec = sc.workstreams[w]
            .routing
            .arrivals
            .as_ref()
            .expect("scheduled only with arrivals");
        match self.workstreams[w].next(spec, now, horizon) {
            Some(t) => events.schedule(t, Event::WsArrival { ws: w as u32 }),
            None => self.open -= 1,
        }
    }

    /// A customer will retry: one more source that may bring a conversation.
    #[inline]
    pub(crate) fn hold(&mut self) {
        self.open += 1;
    }

    /// A customer retried (or a held source ended).
    #[inline]
    pub(crate) fn release(&mut self) {
        self.open -= 1;
    }

    /// Whether nothing may arrive any more.
    #[inline]
    pub(crate) fn over(&self) -> bool {
        self.open == 0
    }
}
