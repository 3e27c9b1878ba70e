//! [`RunTotals`]: every replication of a run folded into one record, as the replications
//! finish, so a run of many replications does not keep each one's histograms and series until
//! its report (issue 25 B).
//!
//! Every figure is an integer sum, an integer maximum or an HdrHistogram or log-histogram
//! addition (integer counts per bucket, also for the interval series' log histograms), so the fold is exact, associative and commutative:
//! the totals do not depend on the order replications finish in, nor on the thread count.
//! Nothing in here is a floating-point sum; a figure that needs one (a confidence interval) is
//! computed by the report from per-replication values kept in replication order.
//!
//! What is kept is what the run-wide reports read: `summary.json` (all but `by_replication`
//! and `ci95`), `series.csv` (interval series summed over replications) and `agents.csv`.

use hdrhistogram::Histogram;

use crate::metrics::{
    add_histogram, AgentStats, ChatStats, Interval, QueueStats, RepMetrics, RoutingCounts,
    SourceStats,
};
use crate::time::SimTime;

/// The sum of a run's replications (see the module documentation).
#[derive(Clone, Debug)]
pub struct RunTotals {
    /// Replications folded in.
    pub count: u32,
    /// Of those, the ones that ran to their end (not cut by a stop request).
    pub finished: u32,
    /// The latest end of a replication.
    pub end: SimTime,
    /// All queues together.
    pub total: QueueStats,
    /// Per queue, by id.
    pub queues: Vec<QueueStats>,
    /// Counted conversations still live when each replication stopped.
    pub in_system_at_end: u64,
    /// Units held × ms over the counting window.
    pub used_unit_ms: i128,
    /// Units of agents on shift × ms over the counting window.
    pub staffed_unit_ms: i128,
    /// Overallocation events after warm-up.
    pub over_events: u64,
    /// Agents overallocated at least once, counted in each replication and summed.
    pub over_agents: u64,
    /// Largest units above capacity in any replication.
    pub over_max_units: u32,
    /// Units above capacity × ms.
    pub over_unit_ms: i128,
    /// Agent-milliseconds above capacity.
    pub over_ms: i128,
    /// Refused commands by rule, indexed like `RuleId::ALL`.
    pub violations: Vec<u64>,
    /// Accepted supervisor actions by kind.
    pub actions: [u64; 6],
    /// Refused supervisor actions.
    pub refused: u64,
    /// Supervisor reaction latency, in ms.
    pub reaction: Histogram<u64>,
    /// Exact largest reaction latency, in ms.
    pub reaction_max_ms: u64,
    /// Joins accepted.
    pub joins: u64,
    /// Notifications to agents.
    pub notify_agent: u64,
    /// Notifications to customers.
    pub notify_customer: u64,
    /// Engine commands handled.
    pub commands: u64,
    /// Sampled wall-clock engine decision times, in ns.
    pub decision_ns: Histogram<u64>,
    /// Invariant breaks found.
    pub invariant_violations: u64,
    /// Per interval, per queue, summed over replications (as long as the longest one's).
    pub intervals: Vec<Vec<Interval>>,
    /// Units held × ms per interval.
    pub interval_used: Vec<i128>,
    /// Staffed units × ms per interval.
    pub interval_staffed: Vec<i128>,
    /// Units above capacity × ms per interval.
    pub interval_over: Vec<i128>,
    /// Per agent, by id.
    pub agents: Vec<AgentStats>,
    /// Per policy or script line, by name in order of first appearance.
    pub sources: Vec<SourceStats>,
    /// Handle time, invitations, retrials and transfers.
    pub chat: ChatStats,
    /// Unified-routing counts.
    pub routing: RoutingCounts,
}

impl Default for RunTotals {
    fn default() -> Self {
        let hist = empty_histogram;
        RunTotals {
            count: 0,
            finished: 0,
            end: SimTime::ZERO,
            total: QueueStats::default(),
            queues: Vec::new(),
            in_system_at_end: 0,
            used_unit_ms: 0,
            staffed_unit_ms: 0,
            over_events: 0,
            over_agents: 0,
            over_max_units: 0,
            over_unit_ms: 0,
            over_ms: 0,
            violations: Vec::new(),
            actions: [0; 6],
            refused: 0,
            reaction: hist(),
            reaction_max_ms: 0,
            joins: 0,
            notify_agent: 0,
            notify_customer: 0,
            commands: 0,
            decision_ns: hist(),
            invariant_violations: 0,
            intervals: Vec::new(),
            interval_used: Vec::new(),
            interval_staffed: Vec::new(),
            interval_over: Vec::new(),
            agents: Vec::new(),
            sources: Vec::new(),
            chat: ChatStats::default(),
            routing: RoutingCounts::default(),
        }
    }
}

/// `a[i] += b[i]`, `a` grown to `b`'s length.
fn add_vec<T: Copy + Default + std::ops::AddAssign>(a: &mut Vec<T>, b: &[T]) {
    if a.len() < b.len() {
        a.resize(b.len(), T::default());
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x += *y;
    }
}

/// `(a, b)` merged element by element, `a` grown to `b`'s length (each new element made
/// empty, not cloned from one: a clone copies a queue's histogram).
fn merge_vec<T: Default>(a: &mut Vec<T>, b: &[T], merge: impl Fn(&mut T, &T)) {
    if a.len() < b.len() {
        a.resize_with(b.len(), T::default);
    }
    for (x, y) in a.iter_mut().zip(b) {
        merge(x, y);
    }
}

fn merge_interval(a: &mut Interval, b: &Interval) {
    a.arrived += b.arrived;
    a.answered += b.answered;
    a.abandoned += b.abandoned;
    a.short_abandoned += b.short_abandoned;
    a.answered_in_sl += b.answered_in_sl;
    a.wait.merge(&b.wait);
    a.wait_sum_ms += b.wait_sum_ms;
    a.ended_on_arrival += b.ended_on_arrival;
    a.queue_len_ms += b.queue_len_ms;
}

impl RunTotals {
    /// The totals of `reps`.
    pub fn of<'a>(reps: impl IntoIterator<Item = &'a RepMetrics>) -> RunTotals {
        let mut t = RunTotals::default();
        for r in reps {
            t.add(r);
        }
        t
    }

    /// Folds one replication in (exact: see the module documentation).
    pub fn add(&mut self, r: &RepMetrics) {
        self.count += 1;
        self.finished += u32::from(!r.partial);
        self.end = self.end.max(r.end);
        self.total.merge(&r.total);
        merge_vec(&mut self.queues, &r.queues, QueueStats::merge);
        self.in_system_at_end += r.in_system_at_end;
        self.used_unit_ms += r.used_unit_ms;
        self.staffed_unit_ms += r.staffed_unit_ms;
        self.over_events += r.over_events;
        self.over_agents += r.over_agents();
        self.over_max_units = self.over_max_units.max(r.over_max_units);
        self.over_unit_ms += r.over_unit_ms;
        self.over_ms += r.over_ms;
        add_vec(&mut self.violations, &r.violations);
        for (a, b) in self.actions.iter_mut().zip(&r.actions) {
            *a += b;
        }
        self.refused += r.refused;
        add_histogram(&mut self.reaction, &r.reaction);
        self.reaction_max_ms = self.reaction_max_ms.max(r.reaction_max_ms);
        self.joins += r.joins;
        self.notify_agent += r.notify_agent;
        self.notify_customer += r.notify_customer;
        self.commands += r.commands;
        add_histogram(&mut self.decision_ns, &r.decision_ns);
        self.invariant_violations += r.invariant_violations;
        merge_vec(&mut self.intervals, &r.intervals, |a, b| {
            merge_vec(a, b, merge_interval)
        });
        add_vec(&mut self.interval_used, &r.interval_used);
        add_vec(&mut self.interval_staffed, &r.interval_staffed);
        add_vec(&mut self.interval_over, &r.interval_over);
        merge_vec(&mut self.agents, &r.agents, AgentStats::merge);
        for s in &r.sources {
            match self.sources.iter_mut().find(|t| t.name == s.name) {
                Some(t) => {
                    t.accepted += s.accepted;
                    t.skipped += s.skipped;
                    t.given_up += s.given_up;
                    add_vec(&mut t.refused, &s.refused);
                }
                None => self.sources.push(s.clone()),
            }
        }
        self.chat.merge(&r.chat);
        self.routing.merge(&r.routing);
    }

    /// Folds one replication in, as [`add`](Self::add), moving its histograms and series into
    /// totals that hold none yet instead of copying them (the first replication of a run: in a
    /// one-replication run the copy cost 1.2% of the instructions; issue 28).
    pub fn add_owned(&mut self, mut r: RepMetrics) {
        if self.count == 0 {
            let heavy = Heavy::take(&mut r);
            self.add(&r);
            heavy.put(self);
        } else {
            self.add(&r);
        }
    }

    /// Counts one more replication a stop reached before it began, once these totals hold the
    /// metrics of one such (`sim::world::not_started`, folded by [`add`](Self::add) or
    /// [`add_owned`](Self::add_owned)) or of a replication that began: those metrics are empty (no figure, every series and
    /// histogram empty, partial, ending at 0) and the same for every replication of the run, so
    /// folding them again would change nothing but the count (checked against the fold by
    /// `sim::tests::counting_a_replication_not_begun_is_folding_its_empty_metrics`).
    pub fn count_not_begun(&mut self) {
        self.count += 1;
    }

    /// Calls `f` with the totals of the one replication `r` (as `RunTotals::of([r])`), its
    /// histograms and series lent for the call instead of copied, and hands them back: `r` is
    /// as it was when `f` returns.
    pub fn lend<T>(r: &mut RepMetrics, f: impl FnOnce(&RunTotals) -> T) -> T {
        let heavy = Heavy::take(r);
        let mut t = RunTotals::default();
        t.add(r);
        heavy.put(&mut t);
        let out = f(&t);
        Heavy::take_back(&mut t).put_back(r);
        out
    }

    /// Whether a folded replication was cut short by a stop request.
    pub fn partial(&self) -> bool {
        self.finished < self.count
    }
}

/// The parts of a replication that are costly to copy: histograms and interval series. Folded
/// into totals that hold none of them, each comes out as it went in (an addition into empty
/// figures is the figures), so they can be moved instead of added.
struct Heavy {
    total: QueueStats,
    queues: Vec<QueueStats>,
    reaction: Histogram<u64>,
    decision_ns: Histogram<u64>,
    intervals: Vec<Vec<Interval>>,
    chat: ChatStats,
}

impl Heavy {
    /// Moves the parts out of `r`, leaving empty ones (which then add nothing).
    fn take(r: &mut RepMetrics) -> Heavy {
        Heavy {
            total: std::mem::take(&mut r.total),
            queues: std::mem::take(&mut r.queues),
            reaction: std::mem::replace(&mut r.reaction, empty_histogram()),
            decision_ns: std::mem::replace(&mut r.decision_ns, empty_histogram()),
            intervals: std::mem::take(&mut r.intervals),
            chat: std::mem::take(&mut r.chat),
        }
    }

    /// Moves the parts out of one-replication totals made by [`RunTotals::lend`].
    fn take_back(t: &mut RunTotals) -> Heavy {
        Heavy {
            total: std::mem::take(&mut t.total),
            queues: std::mem::take(&mut t.queues),
            reaction: std::mem::replace(&mut t.reaction, empty_histogram()),
            decision_ns: std::mem::replace(&mut t.decision_ns, empty_histogram()),
            intervals: std::mem::take(&mut t.intervals),
            chat: std::mem::take(&mut t.chat),
        }
    }

    /// Into totals that folded only `r` after [`take`](Self::take) (so hold empty parts).
    fn put(self, t: &mut RunTotals) {
        t.total = self.total;
        t.queues = self.queues;
        t.reaction = self.reaction;
        t.decision_ns = self.decision_ns;
        t.intervals = self.intervals;
        t.chat = self.chat;
    }

    /// Back into the replication they were taken from.
    fn put_back(self, r: &mut RepMetrics) {
        r.total = self.total;
        r.queues = self.queues;
        r.reaction = self.reaction;
        r.decision_ns = self.decision_ns;
        r.intervals = self.intervals;
        r.chat = self.chat;
    }
}

fn empty_histogram() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant digits is valid")
}
