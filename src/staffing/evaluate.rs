//! The simulation side of staffing: run a scenario staffed per interval with the rules in the
//! loop and read each interval's target metric, pooled over the replications and per
//! replication (for its confidence interval).
//!
//! Per-interval figures count what happened in the interval (an answer in the interval of its
//! accept), like `series.csv`; the last interval also takes what happens after the horizon (the
//! drain), so a backlog left at the end counts against the staffing that left it. An interval
//! no conversation arrived in (in any replication) has no service level, wait or abandonment
//! of its own ("not measured", in the verification and the roster check alike; its occupancy
//! still counts): what is answered or abandoned there is a backlog of earlier arrivals, and
//! counts in the last interval before it with arrivals, as the drain counts in the last
//! interval (issue 25, fifteenth session: with arrivals stopping at 7:00, the roster check
//! called 7:00 a clear miss at 0 ±0, a backlog served late, where the verification said "not
//! measured"). A conversation a before-queueing overflow rule ended at once (a closed queue's
//! `out_of_hours` rule with `end`) did not enter the queue: it counts nowhere here.

use super::layout::staffed;
use super::StaffError;
use crate::metrics::{Interval, LogHistogram, RepMetrics, SlCounts};
use crate::model::QueueId;
use crate::report::summary_reps::RepSummary;
use crate::report::{rep_row, PerReplication};
use crate::scenario::Scenario;
use crate::sim::{self, RunOptions, RunOutput};
use crate::stats::ratio_ci95;
use crate::workflows::target::Target;

/// Per-interval results of one simulation.
#[derive(Clone, Debug, Default)]
pub(super) struct Eval {
    /// The target metric, pooled over replications (`None`: no data).
    pub(super) value: Vec<Option<f64>>,
    /// The target metric per replication with its weight, the metric's denominator in that
    /// replication (1 for a percentile, no ratio): replications without data left out.
    pub(super) per_rep: Vec<Vec<(f64, f64)>>,
    /// Service level, pooled.
    pub(super) sl: Vec<Option<f64>>,
    /// 95% interval of the pooled service level across replications (the ratio estimator's,
    /// [`ratio_ci95`]: centred on `sl`).
    pub(super) sl_ci: Vec<Option<[f64; 2]>>,
    /// Mean units in use.
    pub(super) used_units: Vec<f64>,
    /// Per interval: the target is a wait metric and customers arrived but none was answered
    /// in any replication (every one abandoned), so the metric has no value although the
    /// interval was measured: an unbounded wait, a miss, never "not measured".
    pub(super) starved: Vec<bool>,
    /// Replications run.
    pub(super) replications: u32,
    /// Whether the simulation was stopped (SIGINT/SIGTERM) before its replications finished.
    pub(super) partial: bool,
}

/// What a staffing evaluation keeps of each replication: its interval series (issue 25: not
/// its histograms).
#[derive(Clone, Debug)]
pub(super) struct RepSeries {
    intervals: Vec<Vec<Interval>>,
    interval_used: Vec<i128>,
    interval_staffed: Vec<i128>,
}

impl RepSeries {
    fn of(m: &mut RepMetrics) -> RepSeries {
        RepSeries {
            intervals: m.intervals.clone(),
            interval_used: m.interval_used.clone(),
            interval_staffed: m.interval_staffed.clone(),
        }
    }
}

/// What the roster check keeps of each replication: its `by_replication` element (for the
/// reports of `run`) and its interval series.
#[derive(Clone, Debug)]
pub struct RosterRep {
    row: RepSummary,
    series: RepSeries,
}

impl PerReplication for RosterRep {
    fn by_replication(&self, _: &Scenario) -> std::borrow::Cow<'_, RepSummary> {
        std::borrow::Cow::Borrowed(&self.row)
    }
}

/// Everything an evaluation needs, fixed for a staffing run.
pub(super) struct Ctx<'a> {
    pub(super) base: &'a Scenario,
    pub(super) target: &'a Target,
    pub(super) group: usize,
    pub(super) queues: Vec<QueueId>,
    pub(super) n: usize,
    pub(super) cells_per_interval: usize,
    pub(super) interval_ms: u64,
    pub(super) opts: RunOptions,
    pub(super) evaluations: u32,
}

impl Ctx<'_> {
    /// Simulates `staffing` (agents per interval) with `replications` replications.
    pub(super) fn run(&mut self, staffing: &[u32], replications: u32) -> Result<Eval, StaffError> {
        let sc = staffed(self.base, self.group, self.interval_ms, staffing)?;
        self.evaluations += 1;
        let opts = RunOptions {
            replications: Some(replications),
            ..self.opts.clone()
        };
        let out = sim::run_keep(&sc, &opts, &|_, _, _| {}, &RepSeries::of);
        let mut e = self.measure(&sc, &out.reps.iter().collect::<Vec<_>>());
        e.partial = out.partial;
        Ok(e)
    }

    /// Simulates `sc` as it is (a roster check) and measures it per interval.
    pub(super) fn run_scenario(
        &mut self,
        sc: &Scenario,
        replications: u32,
    ) -> (RunOutput<RosterRep>, Eval) {
        self.evaluations += 1;
        let opts = RunOptions {
            replications: Some(replications),
            ..self.opts.clone()
        };
        let keep = |m: &mut RepMetrics| RosterRep {
            row: rep_row(sc, m),
            series: RepSeries::of(m),
        };
        let out = sim::run_keep(sc, &opts, &|_, _, _| {}, &keep);
        let e = self.measure(sc, &out.reps.iter().map(|r| &r.series).collect::<Vec<_>>());
        (out, e)
    }

    /// Each interval's figures of the replications' series `reps`.
    fn measure(&self, sc: &Scenario, reps: &[&RepSeries]) -> Eval {
        let def = sc.service_level_definition;
        let mut e = Eval {
            replications: reps.len() as u32,
            ..Eval::default()
        };
        let cpi = self.cells_per_interval;
        // Conversations that arrived and entered the group's queues in each interval, over
        // every replication (one a before-queueing rule ended at once reached no agent).
        let arrived: Vec<u64> = (0..self.n)
            .map(|i| {
                reps.iter()
                    .flat_map(|r| r.intervals.iter().skip(i * cpi).take(cpi))
                    .map(|row| {
                        self.queues
                            .iter()
                            .map(|q| entered(&row[q.index()]))
                            .sum::<u64>()
                    })
                    .sum()
            })
            .collect();
        for i in 0..self.n {
            // An interval with arrivals counts up to the next one with arrivals (the backlog
            // served in between is its customers'); the last such interval takes the drain.
            // One without arrivals counts nothing (its units in use still count).
            let last = if arrived[i] == 0 {
                i * cpi
            } else {
                (i + 1..self.n)
                    .find(|&j| arrived[j] > 0)
                    .map_or(usize::MAX, |j| j * cpi)
            };
            let cells = i * cpi..last;
            let own_end = (i + 1) * cpi;
            let mut pooled = Cell::default();
            let mut per_rep_sl = Vec::new();
            let mut per_rep = Vec::new();
            for r in reps {
                let mut c = Cell::default();
                let end = cells
                    .end
                    .max(own_end)
                    .min(r.intervals.len().max(r.interval_used.len()));
                for k in cells.start..end {
                    if let Some(row) = r.intervals.get(k).filter(|_| k < cells.end) {
                        for q in &self.queues {
                            c.add(&row[q.index()]);
                        }
                    }
                    if k < own_end {
                        c.used += r.interval_used.get(k).copied().unwrap_or(0);
                        c.staffed += r.interval_staffed.get(k).copied().unwrap_or(0);
                    }
                }
                let sl_metric = "service_level.fraction";
                per_rep_sl.extend(c.weighed(sl_metric, def));
                per_rep.extend(c.weighed(self.target.metric.as_str(), def));
                pooled.merge(&c);
            }
            let value = pooled.value(self.target.metric.as_str(), def);
            let c = &pooled.counts;
            e.starved.push(
                value.is_none()
                    && self.target.metric.starts_with("wait_s.")
                    && c.answered == 0
                    && c.arrived > c.short_abandoned,
            );
            e.value.push(value);
            e.per_rep.push(per_rep);
            let sl = pooled.counts.service_level(def);
            e.sl.push(sl);
            e.sl_ci.push(sl.and_then(|p| {
                ratio_ci95(p, &per_rep_sl).map(|h| [(p - h).max(0.0), (p + h).min(1.0)])
            }));
            let span_ms = (self.interval_ms * reps.len().max(1) as u64) as f64;
            e.used_units.push(pooled.used as f64 / span_ms);
        }
        e
    }
}

/// The conversations of cell `c` that arrived and entered the queue: its arrivals less those a
/// before-queueing overflow rule ended at once (an `out_of_hours` rule's `end` while the queue
/// is closed). Those reached no agent, whatever the staffing: they neither make an interval
/// measured nor weigh in its service level or abandonment rate (issue 25, sixteenth session).
fn entered(c: &crate::metrics::Interval) -> u64 {
    c.arrived.saturating_sub(c.ended_on_arrival)
}

/// Counts of one interval over the group's queues.
#[derive(Default)]
struct Cell {
    counts: SlCounts,
    wait: LogHistogram,
    wait_sum_ms: u64,
    used: i128,
    staffed: i128,
}

impl Cell {
    fn add(&mut self, c: &crate::metrics::Interval) {
        self.counts.arrived += entered(c);
        self.counts.answered += c.answered;
        self.counts.answered_in_sl += c.answered_in_sl;
        self.counts.abandoned += c.abandoned;
        self.counts.short_abandoned += c.short_abandoned;
        self.wait.merge(&c.wait);
        self.wait_sum_ms += c.wait_sum_ms;
    }

    fn merge(&mut self, o: &Cell) {
        self.counts.arrived += o.counts.arrived;
        self.counts.answered += o.counts.answered;
        self.counts.answered_in_sl += o.counts.answered_in_sl;
        self.counts.abandoned += o.counts.abandoned;
        self.counts.short_abandoned += o.counts.short_abandoned;
        self.wait.merge(&o.wait);
        self.wait_sum_ms += o.wait_sum_ms;
        self.used += o.used;
        self.staffed += o.staffed;
    }

    /// The metric with its weight in a pooled ratio (its denominator; 1 for a percentile):
    /// `None` without data.
    fn weighed(&self, metric: &str, def: crate::metrics::SlDefinition) -> Option<(f64, f64)> {
        use crate::metrics::SlDefinition as D;
        let v = self.value(metric, def)?;
        let c = &self.counts;
        let w = match metric {
            "service_level.fraction" => match def {
                D::AnsweredAndAbandoned => {
                    (c.answered + c.abandoned).saturating_sub(c.short_abandoned) as f64
                }
                D::Answered => c.answered as f64,
                D::Offered => c.arrived.saturating_sub(c.short_abandoned) as f64,
            },
            "abandonment_rate" => c.arrived.saturating_sub(c.short_abandoned) as f64,
            "wait_s.mean" => c.answered as f64,
            "wait_s.p50" | "wait_s.p90" | "wait_s.p99" => 1.0,
            _ => self.staffed as f64,
        };
        Some((v, w))
    }

    fn value(&self, metric: &str, def: crate::metrics::SlDefinition) -> Option<f64> {
        match metric {
            "service_level.fraction" => self.counts.service_level(def),
            "abandonment_rate" => self.counts.abandonment_rate(),
            "wait_s.mean" => (self.counts.answered > 0)
                .then(|| self.wait_sum_ms as f64 / self.counts.answered as f64 / 1000.0),
            "wait_s.p50" => self.wait.quantile(0.5).map(|ms| ms as f64 / 1000.0),
            "wait_s.p90" => self.wait.quantile(0.9).map(|ms| ms as f64 / 1000.0),
            "wait_s.p99" => self.wait.quantile(0.99).map(|ms| ms as f64 / 1000.0),
            _ => (self.staffed > 0).then(|| self.used as f64 / self.staffed as f64),
        }
    }
}
