//! [`ChatStats`]: the figures of the chat-behaviour keys and of handling — handle time,
//! invitations, retrials, transfers — kept apart from [`QueueStats`](super::QueueStats) so the
//! first-part figures are recorded exactly as before.

use super::lazyhist::LazyHist;
use serde::{Deserialize, Serialize};

/// A duration sample set in milliseconds: histogram, exact count, sum and maximum.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Durations {
    /// Samples, in milliseconds (built on the first record: a queue's transfer waits are
    /// one per queue and most queues never see a transfer).
    #[serde(with = "super::lazyhist::serde_lazy")]
    pub hist: LazyHist,
    /// How many.
    pub n: u64,
    /// Exact sum, in milliseconds.
    #[serde(with = "super::lossless::u128_str")]
    pub sum_ms: u128,
    /// Exact largest, in milliseconds.
    pub max_ms: u64,
}

impl Durations {
    /// Adds one sample.
    pub fn record(&mut self, ms: u64) {
        self.hist.record(ms);
        self.tally(ms);
    }

    /// Counts one sample of `ms` in the count, sum and maximum but not in the histogram, which
    /// the caller records later (the recorder's batches: `metrics::recorder::pending`); until
    /// then the histogram holds fewer samples than `n`.
    pub fn tally(&mut self, ms: u64) {
        self.n += 1;
        self.sum_ms += ms as u128;
        self.max_ms = self.max_ms.max(ms);
    }

    /// Adds another set.
    pub fn merge(&mut self, o: &Durations) {
        self.hist.add(&o.hist);
        self.n += o.n;
        self.sum_ms += o.sum_ms;
        self.max_ms = self.max_ms.max(o.max_ms);
    }

    /// Mean in seconds; `None` without samples.
    pub fn mean_s(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum_ms as f64 / self.n as f64 / 1000.0)
    }

    /// Quantile `q` in seconds, within [min, max] ([`hdr_quantile`](super::hdr_quantile));
    /// `None` without samples.
    pub fn quantile_s(&self, q: f64) -> Option<f64> {
        super::hdr_quantile(&self.hist, q, self.max_ms).map(|ms| ms as f64 / 1000.0)
    }

    /// Largest in seconds; `None` without samples.
    pub fn max_s(&self) -> Option<f64> {
        (self.n > 0).then(|| self.max_ms as f64 / 1000.0)
    }
}

/// One queue's chat figures (counted after warm-up, by the conversation's arrival).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct QueueChat {
    /// Contacts that were retrials of an abandoned customer.
    pub retrials: u64,
    /// Moves into this queue of conversations that had entered another one (a transfer at the
    /// end of handling, or a waiting-time overflow transfer); a conversation moved back and
    /// forth counts each time.
    pub transferred_in: u64,
    /// Waits of transferred conversations here, from entering the queue to Active.
    pub transfer_wait: Durations,
}

/// Invitations by outcome (counted when they happen, after warm-up).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitations {
    /// Sent (routing and supervisor assignments).
    pub sent: u64,
    /// Accepted by the agent.
    pub accepted: u64,
    /// Rejected by the agent.
    pub rejected: u64,
    /// Not answered within the notification timeout.
    pub timed_out: u64,
}

/// The chat-behaviour and handling figures of one replication (or of several, merged).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ChatStats {
    /// Handling durations: Active time from acceptance to the end of handling (or to a transfer),
    /// slowdown included; Active time before a Waiting spell of the same handling counts.
    pub handle: Durations,
    /// Invitations.
    pub invitations: Invitations,
    /// Per queue.
    pub queues: Vec<QueueChat>,
    /// Conversations moved to another queue at least once (by a transfer at the end of
    /// handling or by overflow), each counted once.
    #[serde(default)]
    pub moved: u64,
}

impl ChatStats {
    /// Empty figures for `queues` queues: each queue's made empty, not cloned from one (a
    /// clone copies its 16 kB histogram: 96 MB for 3,000 queues, per replication).
    pub fn new(queues: usize) -> ChatStats {
        ChatStats {
            queues: (0..queues).map(|_| QueueChat::default()).collect(),
            ..ChatStats::default()
        }
    }

    /// Adds another's figures (same queues).
    pub fn merge(&mut self, o: &ChatStats) {
        self.handle.merge(&o.handle);
        let (a, b) = (&mut self.invitations, &o.invitations);
        a.sent += b.sent;
        a.accepted += b.accepted;
        a.rejected += b.rejected;
        a.timed_out += b.timed_out;
        self.moved += o.moved;
        if self.queues.len() < o.queues.len() {
            self.queues.resize_with(o.queues.len(), QueueChat::default);
        }
        for (q, p) in self.queues.iter_mut().zip(&o.queues) {
            q.retrials += p.retrials;
            q.transferred_in += p.transferred_in;
            q.transfer_wait.merge(&p.transfer_wait);
        }
    }

    /// Retrials over all queues.
    pub fn retrials(&self) -> u64 {
        self.queues.iter().map(|q| q.retrials).sum()
    }

    /// Transfers over all queues.
    pub fn transferred(&self) -> u64 {
        self.queues.iter().map(|q| q.transferred_in).sum()
    }
}
