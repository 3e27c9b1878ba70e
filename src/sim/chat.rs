//! Chat behaviour in the simulator: the per-agent slowdown shares and customers who retry.
//!
//! A retrying customer keeps its own random stream (the draws continue where its abandoned
//! contact left off), so common random numbers hold across rule changes. Retrials come back
//! even after the horizon (the customer exists); a pending retrial keeps the run going like an
//! open arrival process.

use crate::dist::Sampler;
use crate::model::QueueId;
use crate::rng::SimRng;
use crate::scenario::Scenario;

use super::customer::{ConvSim, Mood};
use super::event::Event;
use super::sharing::{AgentShares, Due, Speeds};
use super::world::World;

/// The chat-behaviour state of one replication.
#[derive(Debug)]
pub(crate) struct ChatSim {
    /// Per work stream: its slowdown speeds, if it has a slowdown.
    pub(crate) speeds: Vec<Option<Speeds>>,
    /// Some work stream has a slowdown.
    pub(crate) slowed: bool,
    /// Per agent: its Active slowed conversations (empty without slowdown).
    pub(crate) shares: Vec<AgentShares>,
    /// Scratch list of moved completions (kept to reuse its allocation).
    pub(crate) dues: Vec<Due>,
    /// Per work stream: its retrial delay sampler, if customers retry.
    pub(crate) retry_delay: Vec<Option<Sampler>>,
    /// Some work stream has retrials.
    pub(crate) retries: bool,
    /// Customers waiting to retry: their stream and key, by slot (freed slots reused).
    pending: Vec<Option<(SimRng, u64)>>,
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
    /// Slowdown shares left over when no conversation is live (each an invariant break: a
    /// conversation left Active without leaving its agent's shares).
    pub(crate) fn stale_shares(&self, live: usize) -> u64 {
        if live > 0 {
            return 0;
        }
        self.shares.iter().map(|a| a.len() as u64).sum()
    }
}

impl World<'_> {
    /// An unanswered contact in slot `slot` of the sim's table was abandoned: its customer comes
    /// back with the origin queue's retrial probability, after its drawn delay (both drawn from
    /// the customer's own stream).
    pub(crate) fn maybe_retry(&mut self, slot: usize, origin: QueueId, key: u64) {
        let ws = self.sc.queues[origin.index()].workstream.index();
        let (Some(r), Some(delay)) = (
            self.sc.workstreams[ws].retrial.as_ref(),
            self.chat.retry_delay[ws].as_ref(),
        ) else {
            return;
        };
        let Some(c) = self.convs.get_mut(slot).and_then(|c| c.as_mut()) else {
            return;
        };
        if c.rng.uniform01() >= r.probability {
            return;
        }
        let after = delay.sample(&mut c.rng);
        let entry = Some((c.rng.clone(), key));
        let idx = match self.chat.free.pop() {
            Some(i) => {
                self.chat.pending[i as usize] = entry;
                i
            }
            None => {
                self.chat.pending.push(entry);
                (self.chat.pending.len() - 1) as u32
            }
        };
        // Like an open arrival process: the run does not end while a customer is yet to retry.
        self.arrivals_open += 1;
        self.events.schedule(
            self.now + after,
            Event::Retrial {
                queue: origin.0,
                slot: idx,
            },
        );
    }

    /// A customer retries: a new contact of `queue`, drawing patience and the rest from the
    /// customer's stream where it left off.
    pub(crate) fn retrial_arrival(&mut self, queue: QueueId, idx: u32) {
        self.arrivals_open -= 1;
        let Some((mut rng, key)) = self.chat.pending[idx as usize].take() else {
            return;
        };
        self.chat.free.push(idx);
        let now = self.now;
        let counted = self.rec.counts(now);
        self.rec.arrived(now, queue, counted);
        self.rec.retrial(queue, counted);
        self.rec.queue_len(now, queue, 1);
        self.live_counted += counted as u64;
        let ws_id = self.sc.queues[queue.index()].workstream;
        let ws = &self.sc.workstreams[ws_id.index()];
        let patience = self.ws[ws_id.index()]
            .patience
            .as_ref()
            .map(|p| p.sample(&mut rng));
        let mood = ws
            .sentiment
            .map(|s| Mood::new(self.sentiment_streams, key, s.start, now.as_millis()));
        let give_up = self.open_timer(ws.open_auto_close, patience);
        let mut fx = std::mem::take(&mut self.fx);
        fx.clear();
        let conv = self.engine.arrive(now, queue, &mut fx);
        if self.obs.is_some() {
            self.observe(crate::engine::Command::Arrive(queue), Ok(()), &fx);
        }
        let mut cs = ConvSim::new(conv, queue, counted, rng, mood, give_up, key);
        if let Some(log) = &mut self.log {
            // A retrial is a contact of its own in conversations.csv.
            cs.row = log.arrived(None, now, queue, patience);
        }
        self.store(cs);
        self.settle(conv, fx);
    }
}
