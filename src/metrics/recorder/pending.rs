//! Histogram records the [`Recorder`](super::Recorder) holds back and writes in batches: the
//! counted answers' waits (each queue's `wait`) and the handle times (`chat.handle`).
//!
//! Why (issue 28, sixteenth session's cycle profile): a 3-significant-digit HdrHistogram of
//! waits or handle times spans about 100 kB of `u64` counters, and each record touches one at
//! a random place, a cache miss far more often than not. Recorded one at a time, with a
//! conversation's worth of other work between two records, every miss stalled the core on
//! its own (the M/M/c spent about a tenth of its time on that one load, for 2% of its
//! instructions). Written [`BATCH`] at a time, the records of a batch are independent of
//! each other, so their loads overlap.
//!
//! What the histograms hold is unchanged: the same values are recorded, only later, and a
//! histogram's counts, total, minimum, maximum and size (auto-resized to its largest value)
//! do not depend on the order of its records. Nothing reads these histograms before
//! [`Recorder::finish`](super::Recorder::finish), which writes what is still held first.

use super::Recorder;

/// Records held before they are written. Large enough that a batch's loads overlap, small
/// enough that the held values stay in the first-level cache (1 kB each list).
pub(super) const BATCH: usize = 64;

/// The held records (see the [module docs](self)).
#[derive(Debug)]
pub(super) struct Pending {
    /// Counted answers that waited more than 0 ms, not yet in their queue's `wait`: (queue
    /// index, wait in ms).
    waits: Vec<(u32, u64)>,
    /// Counted handle times (ms), not yet in `chat.handle`'s histogram (its count, sum and
    /// maximum are kept at once).
    handles: Vec<u64>,
}

impl Default for Pending {
    fn default() -> Self {
        Pending {
            waits: Vec::with_capacity(BATCH),
            handles: Vec::with_capacity(BATCH),
        }
    }
}

impl Recorder {
    /// Holds a counted answer's wait of `ms` (> 0) for queue `queue`'s `wait` histogram.
    #[inline]
    pub(super) fn hold_wait(&mut self, queue: usize, ms: u64) {
        if self.pending.waits.len() >= BATCH {
            self.write_waits();
        }
        self.pending.waits.push((queue as u32, ms));
    }

    /// Holds a counted handle time of `ms` for `chat.handle`'s histogram.
    #[inline]
    pub(super) fn hold_handle(&mut self, ms: u64) {
        if self.pending.handles.len() >= BATCH {
            self.write_handles();
        }
        self.pending.handles.push(ms);
    }

    /// Writes every held record into its histogram.
    pub(super) fn write_held(&mut self) {
        self.write_waits();
        self.write_handles();
    }

    #[inline(never)]
    fn write_waits(&mut self) {
        for &(q, ms) in &self.pending.waits {
            self.m.queues[q as usize].wait.record(ms);
        }
        self.pending.waits.clear();
    }

    #[inline(never)]
    fn write_handles(&mut self) {
        let h = &mut self.m.chat.handle.hist;
        for &ms in &self.pending.handles {
            h.record(ms);
        }
        self.pending.handles.clear();
    }
}

#[cfg(test)]
mod tests {
    use crate::metrics::Recorder;
    use crate::model::QueueId;
    use crate::time::{SimDuration, SimTime};

    /// More records than a batch, in two queues, and handle times: the finished histograms
    /// are byte for byte those of recording each value at once, in any order, and every held
    /// record is written by `finish` (also those of a batch not yet full).
    #[test]
    fn held_records_give_the_histograms_of_immediate_ones() {
        use hdrhistogram::serialization::{Serializer as _, V2Serializer};
        fn bytes(h: &hdrhistogram::Histogram<u64>) -> Vec<u8> {
            let mut b = Vec::new();
            V2Serializer::new().serialize(h, &mut b).unwrap();
            b
        }
        let n = 3 * super::BATCH + 5;
        let mut rec = Recorder::new(
            0,
            SimTime::ZERO,
            SimDuration::from_secs(3600),
            SimDuration::from_secs(20),
            2,
            &[1],
            Vec::new(),
        );
        let mut eager = [
            crate::metrics::lazyhist::new_hist(),
            crate::metrics::lazyhist::new_hist(),
        ];
        let mut handle = crate::metrics::lazyhist::new_hist();
        let mut x: u64 = 12345;
        for i in 0..n {
            // A pseudo-random spread over six decades, the largest late (the histograms grow).
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let ms = 1 + (x >> 40) % (10u64.pow(1 + (i * 5 / n) as u32));
            let q = (x >> 20) as usize % 2;
            let now = SimTime::ZERO + SimDuration::from_millis(i as u64);
            rec.answered(now, QueueId(q as u32), SimDuration::from_millis(ms), true);
            eager[q].record(ms).unwrap();
            rec.handled(now, SimDuration::from_millis(ms * 3), true);
            handle.record(ms * 3).unwrap();
        }
        let m = rec.finish(SimTime::ZERO + SimDuration::from_secs(3600), 0);
        for (q, eager) in eager.iter().enumerate() {
            let got = &m.queues[q].wait;
            assert_eq!(bytes(got), bytes(eager), "queue {q}");
            assert_eq!((got.len(), got.max()), (eager.len(), eager.max()));
        }
        assert_eq!(m.total.wait.len(), n as u64);
        assert_eq!(bytes(&m.chat.handle.hist), bytes(&handle));
        assert_eq!(m.chat.handle.n, n as u64);
        assert_eq!(m.chat.handle.hist.len(), n as u64);
        assert_eq!(m.chat.handle.hist.max(), handle.max());
    }
}
