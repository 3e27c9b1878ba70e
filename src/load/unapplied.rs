//! Commands that fell due but were never applied (coordinated omission, counted): once every
//! task has stopped, each worker's arrivals still owed by the open-model schedule, its timers
//! (agents' answers, ends, closes, abandonments…) and the jobs left in its inbox that fell due
//! before the run's cutoff (its deadline, or when it was declared over) are recorded as unapplied,
//! with their age when the run ended.
//!
//! Supervisor policies count their own owed actions when they stop (see `supervisor`). A task
//! that failed (a panic) takes its pending commands with it; its failure already makes the run
//! unsound (`errors`).

use crate::engine::{Command, Engine};
use crate::model::ConvState;

use super::schedule::ArrivalSchedule;
use super::stats::{kind_of, TaskStats};
use super::worker::{Job, WorkerEnd};

/// Arrivals `from`, `from + step`, … due before `cutoff` (ns): recorded as unapplied
/// with age `stop − due` (`stop ≥ cutoff`: when the run ended). Consecutive arrivals of the same age in microseconds are recorded as one
/// group, so millions of them cost one histogram update per microsecond of schedule.
/// Returns how many there were.
pub(crate) fn arrivals(
    schedule: &ArrivalSchedule,
    from: u64,
    step: u64,
    cutoff: u64,
    stop: u64,
    stats: &mut TaskStats,
) -> u64 {
    const ARRIVE: usize = 0;
    let (mut total, mut run_age, mut run_n) = (0u64, u64::MAX, 0u64);
    let mut i = from;
    while let Some(due) = schedule.due_ns(i) {
        if due >= cutoff {
            break;
        }
        let age_us = stop.saturating_sub(due) / 1000;
        if age_us != run_age {
            stats.record_unapplied(ARRIVE, run_age.saturating_mul(1000), run_n);
            (run_age, run_n) = (age_us, 0);
        }
        run_n += 1;
        total += 1;
        i += step.max(1);
    }
    stats.record_unapplied(ARRIVE, run_age.saturating_mul(1000), run_n);
    total
}

/// Timers and mailed jobs due before `cutoff`: recorded as unapplied with age
/// `stop − due`. An abandonment counts only if its conversation is still waiting unanswered in
/// `engine` (patience is cancelled lazily: otherwise it would never have been sent).
pub(crate) fn jobs(
    jobs: impl IntoIterator<Item = Job>,
    engine: &Engine,
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

/// Everything one stopped worker left due by `cutoff`: its arrivals, its timers and its inbox,
/// aged at `stop`.
/// Call once every task has stopped, so nothing more can be mailed to it.
pub(crate) fn worker(
    mut end: WorkerEnd,
    schedule: &ArrivalSchedule,
    workers: u64,
    engine: &Engine,
    cutoff: u64,
    stop: u64,
) -> TaskStats {
    let mut stats = std::mem::take(&mut end.stats);
    arrivals(
        schedule,
        end.next_arrival,
        workers,
        cutoff,
        stop,
        &mut stats,
    );
    let mut pending = std::mem::take(&mut end.pending);
    while let Ok(v) = end.inbox.try_recv() {
        pending.extend(v);
    }
    jobs(pending, engine, cutoff, stop, &mut stats);
    stats
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
        let engine = Engine::new(crate::engine::EngineSetup::default());
        let mut st = TaskStats::default();
        let c = crate::engine::ConvId { slot: 7, gen: 0 };
        let j = |due, cmd| Job { due, cmd };
        jobs(
            [
                j(10, Command::Arrive(QueueId(0))),
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
