//! Commands that fell due but were never applied (coordinated omission, counted): once every
//! task has stopped, each worker's arrivals still owed by the open-model schedule, its timers
//! (agents' answers, ends, closes, abandonments…) and the jobs left in its inbox that fell due
//! before the run's cutoff (its deadline, or when it was declared over) are recorded as unapplied,
//! with their age when the run ended.
//!
//! Supervisor policies count their own owed actions when they stop (see `supervisor`). A task
//! that failed (a panic) takes its pending commands with it; its failure already makes the run
//! unsound (`errors`).

use crate::engine::{Command, RulesEngine};
use crate::model::ConvState;

use super::schedule::ArrivalSchedule;
use super::stats::{kind_of, TaskStats};
use super::worker::{Job, WorkerEnd};

/// Arrivals `from`, `from + step`, … due before `cutoff` (ns): recorded as unapplied with age
/// `stop − due` (`stop ≥ cutoff`: when the run ended). Arrivals of the same age in microseconds
/// are found by a galloping search on the schedule and recorded as one group (one
/// `record_n`), so the cost grows with the microseconds of schedule owed, not with the number
/// of arrivals (10⁸ owed arrivals at 10⁹/s cost ~10⁵ groups). Returns how many there were.
pub(crate) fn arrivals(
    schedule: &ArrivalSchedule,
    from: u64,
    step: u64,
    cutoff: u64,
    stop: u64,
    stats: &mut TaskStats,
) -> u64 {
    const ARRIVE: usize = 0;
    let step = step.max(1);
    let mut total = 0u64;
    let mut i = from;
    while let Some(due) = schedule.due_ns(i).filter(|&d| d < cutoff) {
        let age_us = stop.saturating_sub(due) / 1000;
        // The group: every arrival of this worker due in (…, last] has this age in µs.
        let last = stop
            .saturating_sub(age_us * 1000)
            .min(cutoff.saturating_sub(1));
        let in_group = |k: u64| {
            k.checked_mul(step)
                .and_then(|o| i.checked_add(o))
                .and_then(|j| schedule.due_ns(j))
                .is_some_and(|d| d <= last)
        };
        // Largest k with in_group(k) (k = 0 holds): gallop, then bisect.
        let (mut lo, mut hi) = (0u64, 1u64);
        while in_group(hi) {
            lo = hi;
            hi = hi.saturating_mul(2);
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if in_group(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let n = lo + 1;
        stats.record_unapplied(ARRIVE, age_us * 1000, n);
        total += n;
        i += n * step;
    }
    total
}

/// Timers and mailed jobs due before `cutoff`: recorded as unapplied with age
/// `stop − due`. An abandonment counts only if its conversation is still waiting unanswered in
/// `engine` (patience is cancelled lazily: otherwise it would never have been sent).
pub(crate) fn jobs(
    jobs: impl IntoIterator<Item = Job>,
    engine: &impl RulesEngine,
    cutoff: u64,
    stop: u64,
    stats: &mut TaskStats,
) {
    for j in jobs {
        if j.due >= cutoff {
            continue;
        }
        if let Command::Abandon(c) = j.cmd {
            let waiting = engine
                .conversation(c)
                .is_some_and(|v| v.state == ConvState::Open && v.answered_at.is_none());
            if !waiting {
                continue;
            }
        }
        stats.record_unapplied(kind_of(&j.cmd), stop.saturating_sub(j.due), 1);
    }
}

/// Everything one stopped worker left due by `cutoff`: its arrivals, its timers, its inbox and
/// the commands a remote engine never answered, aged at `stop`.
/// Call once every task has stopped, so nothing more can be mailed to it.
/// Recorded in `stats` (shared by every worker: one set of histograms, not one each).
pub(crate) fn worker(
    mut end: WorkerEnd,
    schedule: &ArrivalSchedule,
    workers: u64,
    engine: &impl RulesEngine,
    cutoff: u64,
    stop: u64,
    stats: &mut TaskStats,
) {
    arrivals(schedule, end.next_arrival, workers, cutoff, stop, stats);
    let mut pending = std::mem::take(&mut end.pending);
    while let Ok(v) = end.inbox.try_recv() {
        pending.extend(v);
    }
    jobs(pending, engine, cutoff, stop, stats);
    for j in end.lost {
        stats.record_unapplied(kind_of(&j.cmd), stop.saturating_sub(j.due), 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QueueId;

    #[test]
    fn owed_arrivals_are_counted_with_their_age() {
        // 1000/s for 1 s: arrival i is due at i ms. Worker 1 of 2 stopped before taking
        // arrival 501; the run ended at 2 s.
        let s = ArrivalSchedule::new(1000.0, &[], 1.0);
        let mut st = TaskStats::default();
        let n = arrivals(&s, 501, 2, 1_500_000_000, 2_000_000_000, &mut st);
        assert_eq!(n, 250, "501, 503, …, 999");
        assert_eq!(st.unapplied[0], 250);
        assert_eq!(st.applied[0], 0);
        // The oldest is 501 ms due, 1.499 s old; the youngest 999 ms due, 1.001 s old.
        assert_eq!(st.max_us[0], 1_499_000);
        // Interrupted at 0.6 s: only those due by then (aged when the run ended, at 0.61 s).
        let mut st = TaskStats::default();
        assert_eq!(arrivals(&s, 501, 2, 600_000_000, 610_000_000, &mut st), 50);
        assert_eq!(st.max_us[0], 109_000);
    }

    #[test]
    fn a_hundred_million_owed_arrivals_are_counted_exactly_and_fast() {
        // 10⁹/s for 0.1 s: 10⁸ arrivals (hand count), a thousand per µs; the run ended at 0.3 s,
        // so ages run from 0.2 s (the last) to 0.3 s (the first).
        let s = ArrivalSchedule::new(1e9, &[], 0.1);
        let mut st = TaskStats::default();
        let n = arrivals(&s, 0, 1, 300_000_000, 300_000_000, &mut st);
        assert_eq!(n, 100_000_000);
        assert_eq!(st.unapplied[0], n);
        assert_eq!(st.latency[0].len(), n);
        assert_eq!(st.max_us[0], 300_000);
        assert!(st.latency[0].value_at_quantile(0.0) <= 200_000);
        // Three workers: the residues split them exactly.
        let per: Vec<u64> = (0..3)
            .map(|w| {
                arrivals(
                    &s,
                    w,
                    3,
                    300_000_000,
                    300_000_000,
                    &mut TaskStats::default(),
                )
            })
            .collect();
        assert_eq!(per, vec![33_333_334, 33_333_333, 33_333_333]);
    }

    #[test]
    fn a_constant_rate_groups_equal_ages() {
        // 5 arrivals per microsecond: every group holds 5.
        let s = ArrivalSchedule::new(5_000_000.0, &[], 0.01);
        let mut st = TaskStats::default();
        let n = arrivals(&s, 0, 1, 20_000_000, 20_000_000, &mut st);
        assert_eq!(n, 50_000);
        assert_eq!(st.latency[0].len(), 50_000);
        assert_eq!(st.max_us[0], 20_000);
    }

    #[test]
    fn jobs_due_by_the_end_count_and_dead_patience_does_not() {
        let engine = crate::engine::Engine::new(crate::engine::EngineSetup::default());
        let mut st = TaskStats::default();
        let c = crate::engine::ConvId { slot: 7, gen: 0 };
        let j = |due, cmd| Job { due, cmd };
        jobs(
            [
                j(10, Command::Arrive(QueueId(0), Default::default())),
                j(2_000_000, Command::End(c)),
                j(5_000_000_000, Command::Close(c)), // not yet due
                j(0, Command::Abandon(c)),           // no such conversation waiting
            ],
            &engine,
            3_000_000_000,
            3_000_000_000,
            &mut st,
        );
        assert_eq!(st.unapplied_total(), 2);
        assert_eq!(st.unapplied[kind_of(&Command::End(c))], 1);
        assert_eq!(st.max_us[0], 2_999_999);
    }
}
