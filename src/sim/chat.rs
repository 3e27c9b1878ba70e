//! Chat behaviour in the simulator: the per-agent slowdown shares and customers who retry.
//!
//! A retrying customer keeps its own random stream (the draws continue where its abandoned
//! contact left off), so common random numbers hold across rule changes. It also keeps its
//! attribute values (unified routing): the same customer comes back with the same language and
//! tier, so its retrial carries the same classification requirement. Retrials come back even
//! after the horizon (the customer exists); a pending retrial keeps the run going like an open
//! arrival process.
//!
//! [`ChatSim`] is the chat subsystem of a replication's [`World`]; its state is its own, behind
//! a small step interface. Slowdown shares: [`ChatSim::slowed`] (one test when no work stream
//! is slowed), [`ChatSim::join`] (a conversation starts its work on an agent),
//! [`ChatSim::leave`] (it stops being Active there), each handing back the completions that
//! moved, which the world schedules with [`schedule_dues`] (a fresh epoch each). Retrials:
//! [`ChatSim::retries`], [`ChatSim::retry_delay`], [`ChatSim::park`] (a customer waits to retry)
//! and [`ChatSim::unpark`] (it comes back). It schedules no event and draws no random number
//! itself.

use crate::dist::Sampler;
use crate::engine::ConvId;
use crate::kernel::EventQueue;
use crate::model::QueueId;
use crate::rng::SimRng;
use crate::scenario::Scenario;
use crate::time::SimTime;

use super::customer::{ConvSim, Mood};
use super::customers::Customers;
use super::event::Event;
use super::sharing::{AgentShares, Due, Share, Speeds};
use super::world::World;

/// Schedules the moved completions `dues` (draining them), each with a fresh epoch so the
/// earlier completion event is stale when popped.
pub(crate) fn schedule_dues(
    customers: &mut Customers,
    events: &mut EventQueue<Event>,
    dues: &mut Vec<Due>,
) {
    for d in dues.drain(..) {
        let Some(c) = customers.get_mut(d.conv) else {
            continue;
        };
        c.epoch += 1;
        let epoch = c.epoch;
        let ev = if d.then_waiting {
            Event::GoWaiting {
                conv: d.conv,
                epoch,
            }
        } else {
            Event::HandleEnd {
                conv: d.conv,
                epoch,
            }
        };
        events.schedule(d.due, ev);
    }
}

/// A customer waiting to retry.
#[derive(Debug)]
struct Retrying {
    /// Its own stream, where its abandoned contact left off.
    rng: SimRng,
    /// Its customer key (that of its first contact).
    key: u64,
    /// Its attribute values (one value index per attribute of the work stream they were drawn
    /// for; empty when that work stream has no attributes).
    attrs: Vec<u16>,
    /// The abandoned contact's log row (`u32::MAX` when not logging): the retrial's row names
    /// its id in `retrial_of`.
    row: u32,
    /// The abandoned contact's trace id, when traced.
    traced: Option<u64>,
}

/// The chat-behaviour state of one replication. See the module docs.
#[derive(Debug)]
pub(crate) struct ChatSim {
    /// Per work stream: its slowdown speeds, if it has a slowdown.
    speeds: Vec<Option<Speeds>>,
    /// Some work stream has a slowdown.
    slowed: bool,
    /// Per agent: its Active slowed conversations (empty without slowdown).
    shares: Vec<AgentShares>,
    /// Scratch list of moved completions (kept to reuse its allocation).
    dues: Vec<Due>,
    /// Per work stream: its retrial delay sampler, if customers retry.
    retry_delay: Vec<Option<Sampler>>,
    /// Some work stream has retrials.
    retries: bool,
    /// Customers waiting to retry, by slot (freed slots reused).
    pending: Vec<Option<Retrying>>,
    free: Vec<u32>,
}

impl ChatSim {
    pub(crate) fn new(sc: &Scenario, agents: usize) -> ChatSim {
        let speeds: Vec<Option<Speeds>> = sc
            .workstreams
            .iter()
            .map(|w| w.concurrency_slowdown.as_deref().map(Speeds::new))
            .collect();
        let slowed = speeds.iter().any(Option::is_some);
        let retry_delay: Vec<Option<Sampler>> = sc
            .workstreams
            .iter()
            .map(|w| w.retrial.as_ref().map(|r| Sampler::new(&r.delay)))
            .collect();
        ChatSim {
            slowed,
            shares: if slowed {
                vec![AgentShares::default(); agents]
            } else {
                Vec::new()
            },
            speeds,
            dues: Vec::new(),
            retries: retry_delay.iter().any(Option::is_some),
            retry_delay,
            pending: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl ChatSim {
    /// Some work stream has a slowdown.
    #[inline(always)]
    pub(crate) fn slowed(&self) -> bool {
        self.slowed
    }

    /// Work stream `ws` has a slowdown.
    #[inline]
    pub(crate) fn slows(&self, ws: usize) -> bool {
        self.speeds[ws].is_some()
    }

    /// Some work stream has retrials.
    #[inline(always)]
    pub(crate) fn retries(&self) -> bool {
        self.retries
    }

    /// `conv`, of slowed work stream `ws`, starts `work` units of solo work (then goes Waiting
    /// when `then_waiting`) on `agent` at `now`: the completions that moved, its own included,
    /// to schedule (and drain). Nothing for a work stream without a slowdown.
    pub(crate) fn join(
        &mut self,
        agent: usize,
        conv: ConvId,
        ws: u32,
        work: u64,
        then_waiting: bool,
        now: SimTime,
    ) -> &mut Vec<Due> {
        self.dues.clear();
        if let Some(speeds) = self.speeds[ws as usize].as_ref() {
            self.shares[agent].join(conv, ws, work, then_waiting, now, speeds, &mut self.dues);
        }
        &mut self.dues
    }

    /// `conv` stops being Active on `agent` at `now`: what was left of its work (`None` when
    /// it held no share there), and the completions of the agent's others that moved, to
    /// schedule (and drain).
    pub(crate) fn leave(
        &mut self,
        agent: usize,
        conv: ConvId,
        now: SimTime,
    ) -> (Option<Share>, &mut Vec<Due>) {
        self.dues.clear();
        let left = self.shares[agent].leave(conv, now, &self.speeds, &mut self.dues);
        (left, &mut self.dues)
    }

    /// Work stream `ws`'s retrial delay, if its customers retry.
    #[inline]
    pub(crate) fn retry_delay(&self, ws: usize) -> Option<&Sampler> {
        self.retry_delay[ws].as_ref()
    }

    /// A customer waits to retry: its place (freed places reused).
    fn park(&mut self, r: Retrying) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.pending[i as usize] = Some(r);
                i
            }
            None => {
                self.pending.push(Some(r));
                (self.pending.len() - 1) as u32
            }
        }
    }

    /// The customer waiting in place `idx` comes back (`None`: none there).
    fn unpark(&mut self, idx: u32) -> Option<Retrying> {
        let r = self.pending[idx as usize].take()?;
        self.free.push(idx);
        Some(r)
    }

    /// Slowdown shares left over when no conversation is live (each an invariant break: a
    /// conversation left Active without leaving its agent's shares).
    pub(crate) fn stale_shares(&self, live: usize) -> u64 {
        if live > 0 {
            return 0;
        }
        self.shares.iter().map(|a| a.len() as u64).sum()
    }
}

impl<E: crate::engine::RulesEngine> World<'_, E> {
    /// An unanswered contact in slot `slot` of the sim's table was abandoned: its customer comes
    /// back with the origin queue's retrial probability, after its drawn delay (both drawn from
    /// the customer's own stream).
    pub(crate) fn maybe_retry(&mut self, slot: usize, origin: QueueId, key: u64) {
        let ws = self.sc.queues[origin.index()].workstream.index();
        let (Some(r), Some(delay)) = (
            self.sc.workstreams[ws].retrial.as_ref(),
            self.chat.retry_delay(ws),
        ) else {
            return;
        };
        let Some(c) = self.customers.at_mut(slot) else {
            return;
        };
        if c.rng.uniform01() >= r.probability {
            return;
        }
        let after = delay.sample(&mut c.rng);
        let rng = c.rng.clone();
        let (row, conv) = (c.row, c.id);
        let attrs = retry_attributes(self.sc, self.streams.attributes, key, origin);
        let now = self.now;
        let traced = match self.out.observer() {
            Some(o) => o.will_retry(now, conv, after),
            None => None,
        };
        let idx = self.chat.park(Retrying {
            rng,
            key,
            attrs,
            row,
            traced,
        });
        // Like an open arrival process: the run does not end while a customer is yet to retry.
        self.intake.hold();
        self.events.schedule(
            self.now + after,
            Event::Retrial {
                queue: origin.0,
                slot: idx,
            },
        );
    }

    /// A customer retries: a new contact of `queue`, drawing patience and the rest from the
    /// customer's stream where it left off, with its first contact's attribute values (and so
    /// its classification requirement, RT-CLASSIFY). The queue's overflow rules apply to it as
    /// to any conversation entering the queue.
    pub(crate) fn retrial_arrival(&mut self, queue: QueueId, idx: u32) {
        self.intake.release();
        let Some(Retrying {
            mut rng,
            key,
            attrs,
            row: prev_row,
            traced,
        }) = self.chat.unpark(idx)
        else {
            return;
        };
        let now = self.now;
        if let Some(o) = self.out.observer() {
            o.retrial_of = traced;
        }
        let counted = self.rec.counts(now);
        self.rec.retrial(queue, counted);
        // A retrial enters its queue like any new conversation: the queue's before-queueing
        // overflow rules apply first (OVF-HOURS, OVF-LIMIT), its waiting-time rules once queued.
        let first_queue = queue;
        // The work stream whose attributes the values are (see `retry_attributes`).
        let src = arrival_workstream(key)
            .filter(|w| *w < self.sc.workstreams.len())
            .unwrap_or(self.sc.queues[queue.index()].workstream.index());
        // Ended by overflow (counted as arrived, closed and overflowed): a row of its own in
        // conversations.csv (overflowed) and its story in the trace, as any arrival so ended.
        let (queue, callback, moved) = match self.enter(queue, counted, true) {
            Ok(entered) => entered,
            Err(ended_in) => {
                if let Some(log) = &mut self.out.log {
                    let row = log.arrived(None, now, first_queue, None);
                    log.retrial_of(row, prev_row);
                    if ended_in != first_queue {
                        log.moved(row, ended_in);
                    }
                    log.closed(row, false, true, now);
                }
                return;
            }
        };
        let ws_id = self.sc.queues[queue.index()].workstream;
        let ws = &self.sc.workstreams[ws_id.index()];
        let patience = self.streams.ws[ws_id.index()]
            .patience
            .as_ref()
            .map(|p| p.sample(&mut rng));
        let mood = ws
            .sentiment
            .map(|s| Mood::new(self.customers.sentiment(), key, s.start, now.as_millis()));
        let give_up = self.open_timer(ws.open_auto_close, patience);
        let mut fx = self.lend_fx();
        // The work stream the values were drawn for (see `retry_attributes`).
        let drawn_for = arrival_workstream(key)
            .filter(|w| *w < self.sc.workstreams.len())
            .map_or(ws_id, |w| crate::model::WorkstreamId(w as u32));
        let tag = self
            .streams
            .tags
            .tag(ws_id.index(), drawn_for.index(), src, &attrs);
        let cmd = crate::engine::Command::Arrive(queue, tag);
        let conv = self.arrive(cmd, &mut fx);
        if self.out.watching() {
            self.observe(cmd, Ok(()), &fx);
        }
        // A callback customer no longer abandons.
        let give_up = if callback { None } else { give_up };
        let mut cs = ConvSim::new(conv, queue, counted, rng, mood, give_up, key);
        cs.callback = callback;
        cs.moved = moved.is_some();
        if let Some(log) = &mut self.out.log {
            // A retrial is a contact of its own in conversations.csv.
            cs.row = log.arrived(None, now, first_queue, patience);
            log.retrial_of(cs.row, prev_row);
            if moved.is_some() {
                log.moved(cs.row, queue);
            }
            if !attrs.is_empty() {
                log.attributes(cs.row, drawn_for, &attrs);
            }
        }
        self.install(cs, fx);
    }
}

/// The attribute values of the customer `key` whose contact arrived at `origin`: exactly those
/// its first contact drew. Every conversation draws its attribute values first from its own
/// attribute stream (`Streams::attributes.member(key)`), with the attributes of the work stream
/// it arrived on: a work stream's own arrival (its key from [`super::routing::ws_customer_key`])
/// with that work stream's, a queue's arrival with its queue's. Re-reading a fresh copy of that
/// stream touches no other stream (common random numbers hold). Empty when that work stream
/// uses no unified routing.
fn retry_attributes(
    sc: &Scenario,
    streams: crate::rng::StreamFamily,
    key: u64,
    origin: QueueId,
) -> Vec<u16> {
    let ws = arrival_workstream(key)
        .filter(|w| *w < sc.workstreams.len())
        .unwrap_or(sc.queues[origin.index()].workstream.index());
    let routing = &sc.workstreams[ws].routing;
    if !crate::setup::used(routing) {
        return Vec::new();
    }
    crate::setup::draw_attributes(routing, &mut streams.member(key))
}

/// The work stream whose own arrivals gave out the customer key `key`, if any (see
/// [`super::routing::ws_customer_key`]; queue keys have a queue id below 2^23).
fn arrival_workstream(key: u64) -> Option<usize> {
    let q = key >> 40;
    (q >= 1 << 23).then(|| (q - (1 << 23)) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_work_stream_key_names_its_work_stream_and_a_queue_key_none() {
        assert_eq!(
            arrival_workstream(super::super::routing::ws_customer_key(0, 7)),
            Some(0)
        );
        assert_eq!(
            arrival_workstream(super::super::routing::ws_customer_key(5, 1 << 39)),
            Some(5)
        );
        let q = super::super::customer::customer_key(QueueId((1 << 23) - 1), 3);
        assert_eq!(arrival_workstream(q), None);
        assert_eq!(
            arrival_workstream(super::super::customer::customer_key(QueueId(0), 0)),
            None
        );
    }
}
