//! Unit tests of [`Recorder`](super::Recorder): what its shortcuts must not change.

use hdrhistogram::Histogram;

use super::Recorder;
use crate::model::QueueId;
use crate::time::{SimDuration, SimTime};

/// Waits of 0 ms are counted aside and added in `finish` (issue 28, seventh round): the queue's
/// and the run's wait histograms must come out as if every wait had been recorded at once,
/// zeros and all, and only counted (after warm-up) answers go in.
#[test]
fn zero_waits_held_back_give_the_same_histograms() {
    let mut r = Recorder::new(
        1,
        SimTime(1_000),
        SimDuration::from_millis(3_600_000),
        SimDuration::from_millis(20_000),
        2,
        &[1],
        Vec::new(),
    );
    let answers: [(u64, u32, u64, bool); 7] = [
        (500, 0, 0, false), // in the warm-up: not counted
        (2_000, 0, 0, true),
        (3_000, 0, 7, true),
        (4_000, 1, 0, true),
        (5_000, 0, 0, true),
        (6_000, 0, 25_000, true),
        (7_000, 1, 3, true),
    ];
    let mut want = [
        Histogram::<u64>::new(3).unwrap(),
        Histogram::new(3).unwrap(),
    ];
    for &(at, q, wait, counted) in &answers {
        let waited = SimDuration::from_millis(wait);
        r.answered(SimTime(at), QueueId(q), waited, counted);
        if counted {
            want[q as usize].record(wait).unwrap();
        }
    }
    let m = r.finish(SimTime(3_600_000), 0);
    for (q, w) in want.iter().enumerate() {
        let got: &Histogram<u64> = &m.queues[q].wait;
        assert_eq!(got, w, "queue {q}");
        assert_eq!(got.len(), w.len());
        assert_eq!((got.min(), got.max()), (w.min(), w.max()));
    }
    assert_eq!(m.total.wait.len(), 6);
    assert_eq!(m.total.wait.count_at(0), 3);
    assert_eq!(m.queues[0].delayed, 2);
}

/// Issue 28 ("memory flat"): a queue's wait and transfer-wait histograms (16 kB each) are
/// built only when something is recorded in them; a 20,000-queue center no longer pays them
/// for the queues that answer nothing. What they read as (and write) is unchanged.
#[test]
fn histograms_of_queues_that_record_nothing_are_not_built() {
    let mut r = Recorder::new(
        1,
        SimTime::ZERO,
        SimDuration::from_millis(3_600_000),
        SimDuration::from_millis(20_000),
        4,
        &[1],
        Vec::new(),
    );
    r.answered(
        SimTime(1_000),
        QueueId(1),
        SimDuration::from_millis(250),
        true,
    );
    r.answered(SimTime(2_000), QueueId(2), SimDuration::ZERO, true);
    r.transfer_wait(
        SimTime(3_000),
        QueueId(3),
        SimDuration::from_millis(40),
        true,
    );
    let m = r.finish(SimTime(3_600_000), 0);
    let built: Vec<bool> = m.queues.iter().map(|q| q.wait.is_built()).collect();
    assert_eq!(built, [false, true, true, false]);
    let transfer: Vec<bool> = m
        .chat
        .queues
        .iter()
        .map(|q| q.transfer_wait.hist.is_built())
        .collect();
    assert_eq!(transfer, [false, false, false, true]);
    // Unbuilt, a queue's histogram reads as an empty one.
    assert_eq!(m.queues[0].wait.len(), 0);
    assert_eq!(m.queues[0].wait_quantile_s(0.5), None);
    assert_eq!(m.queues[2].wait.count_at(0), 1);
    assert_eq!(m.total.wait.len(), 2);
}
