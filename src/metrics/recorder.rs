//! [`Recorder`]: the metrics of one replication, fed by the simulator; [`RepMetrics`]: its result.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::engine::RuleId;
use crate::model::{AgentId, QueueId};
use crate::time::{SimDuration, SimTime};

use super::agent::AgentStats;
use super::chat::ChatStats;
use super::gauge::TimeWeighted;
use super::interval::interval_for;
use super::lazyhist::LazyHist;
use super::loghist::LogHistogram;
use super::routing::RoutingCounts;
use super::{SlCounts, SlDefinition};

/// Supervisor action kinds, in `summary.json`'s order.
pub const ACTION_KINDS: [&str; 6] = [
    "monitor",
    "join",
    "assign_to_agent",
    "assign_to_queue",
    "transfer",
    "force_close",
];

fn new_hist() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant digits is valid")
}

/// Conversation counts and waits of one queue (or of all queues).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct QueueStats {
    /// Arrived after warm-up.
    pub arrived: u64,
    /// Reached Active at least once.
    pub answered: u64,
    /// Closed from Open before any agent accepted.
    pub abandoned: u64,
    /// Of the abandoned, those that left within `short_abandon` (0 when it is not set).
    #[serde(default)]
    pub short_abandoned: u64,
    /// Not accepted at the instant of arrival (abandoned included).
    pub delayed: u64,
    /// Closed for any reason.
    pub closed: u64,
    /// Ended by overflow (OVF-*): neither answered nor abandoned.
    #[serde(default)]
    pub overflowed: u64,
    /// Times an Active conversation went back to Open (released by or taken from its agent).
    pub released: u64,
    /// Answered within the service-level threshold.
    pub answered_in_sl: u64,
    /// Waits of answered conversations, in milliseconds (built on the first record).
    #[serde(with = "super::lazyhist::serde_lazy")]
    pub wait: LazyHist,
    /// Exact sum of waits, in milliseconds.
    #[serde(with = "super::lossless::u128_str")]
    pub wait_sum_ms: u128,
    /// Exact largest wait, in milliseconds.
    pub wait_max_ms: u64,
}

impl QueueStats {
    /// Adds another's counts and waits.
    pub fn merge(&mut self, o: &QueueStats) {
        self.arrived += o.arrived;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.short_abandoned += o.short_abandoned;
        self.delayed += o.delayed;
        self.closed += o.closed;
        self.overflowed += o.overflowed;
        self.released += o.released;
        self.answered_in_sl += o.answered_in_sl;
        self.wait.add(&o.wait);
        self.wait_sum_ms += o.wait_sum_ms;
        self.wait_max_ms = self.wait_max_ms.max(o.wait_max_ms);
    }

    /// Mean wait of answered conversations in seconds; `None` when nothing was answered.
    pub fn wait_mean_s(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.wait_sum_ms as f64 / self.answered as f64 / 1000.0)
    }

    /// Wait at quantile `q`, in seconds, within [min, max] of the waits
    /// ([`hdr_quantile`](super::hdr_quantile)); `None` when nothing was answered.
    pub fn wait_quantile_s(&self, q: f64) -> Option<f64> {
        super::hdr_quantile(&self.wait, q, self.wait_max_ms).map(|ms| ms as f64 / 1000.0)
    }

    /// The largest wait in seconds; `None` when nothing was answered.
    pub fn wait_max_s(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.wait_max_ms as f64 / 1000.0)
    }

    /// The counts the service level and abandonment rate are computed from.
    pub fn sl_counts(&self) -> SlCounts {
        SlCounts {
            arrived: self.arrived,
            answered: self.answered,
            answered_in_sl: self.answered_in_sl,
            abandoned: self.abandoned,
            short_abandoned: self.short_abandoned,
        }
    }

    /// The service level under `def`; `None` when its denominator is 0.
    pub fn service_level(&self, def: SlDefinition) -> Option<f64> {
        self.sl_counts().service_level(def)
    }

    /// Abandonment rate (short abandons left out); `None` when nothing arrived.
    pub fn abandonment_rate(&self) -> Option<f64> {
        self.sl_counts().abandonment_rate()
    }
}

/// One (interval, queue) cell of the time series.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Arrivals in the interval.
    pub arrived: u64,
    /// First accepts in the interval.
    pub answered: u64,
    /// Abandons in the interval.
    pub abandoned: u64,
    /// Of those, abandons within `short_abandon`.
    #[serde(default)]
    pub short_abandoned: u64,
    /// First accepts within the service-level threshold.
    pub answered_in_sl: u64,
    /// Waits of the conversations answered in the interval.
    pub wait: LogHistogram,
    /// Their exact sum, in milliseconds.
    #[serde(default)]
    pub wait_sum_ms: u64,
    /// Of `arrived`, those a before-queueing overflow rule (`out_of_hours`, `work_items_over`)
    /// ended at once: they never entered a queue, so no agent could serve them (staffing reads
    /// the conversations that entered: `arrived` less these).
    #[serde(default)]
    pub ended_on_arrival: u64,
    /// Open conversations × milliseconds in the interval.
    #[serde(with = "super::lossless::i128_str")]
    pub queue_len_ms: i128,
}

/// Actions and refusals of one policy or script line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceStats {
    /// `supervisor/policy` or `supervisor/script[n]`.
    pub name: String,
    /// Actions the engine accepted.
    pub accepted: u64,
    /// Actions not sent: no usable agent to assign or transfer to.
    pub skipped: u64,
    /// Conversations the policy gave up (`sim::sup_tries`); absent from older files: 0.
    #[serde(default)]
    pub given_up: u64,
    /// Refusals by rule, indexed like [`RuleId::ALL`].
    pub refused: Vec<u64>,
}

/// Everything one replication measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RepMetrics {
    /// Replication index.
    pub replication: u32,
    /// When the run stopped.
    #[serde(with = "super::lossless::sim_time")]
    pub end: SimTime,
    /// Stopped early by a stop request: the figures cover `[0, end]` only.
    pub partial: bool,
    /// All queues together.
    pub total: QueueStats,
    /// Per queue, by id.
    pub queues: Vec<QueueStats>,
    /// Counted conversations still live when the run stopped.
    pub in_system_at_end: u64,
    /// Units held × ms over the counting window [warm-up, horizon] (work after the horizon
    /// is not counted).
    #[serde(with = "super::lossless::i128_str")]
    pub used_unit_ms: i128,
    /// Units of agents on shift (or off shift but still holding units) × ms over the
    /// counting window [warm-up, horizon].
    #[serde(with = "super::lossless::i128_str")]
    pub staffed_unit_ms: i128,
    /// Overallocation events after warm-up.
    pub over_events: u64,
    /// Largest units above capacity.
    pub over_max_units: u32,
    /// Units above capacity × ms after warm-up.
    #[serde(with = "super::lossless::i128_str")]
    pub over_unit_ms: i128,
    /// Agent-milliseconds above capacity after warm-up.
    #[serde(with = "super::lossless::i128_str")]
    pub over_ms: i128,
    /// Refused commands by rule, indexed like [`RuleId::ALL`].
    pub violations: Vec<u64>,
    /// Accepted supervisor actions by kind, indexed like [`ACTION_KINDS`].
    pub actions: [u64; 6],
    /// Refused supervisor actions.
    pub refused: u64,
    /// Supervisor reaction latency (condition true → action applied), in ms.
    #[serde(with = "super::lossless::histogram")]
    pub reaction: Histogram<u64>,
    /// Exact largest reaction latency, in ms.
    #[serde(default)]
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
    #[serde(with = "super::lossless::histogram")]
    pub decision_ns: Histogram<u64>,
    /// Invariant breaks found.
    pub invariant_violations: u64,
    /// The length of an interval of the series below ([`interval_for`] the horizon).
    pub interval: SimDuration,
    /// Per interval, per queue.
    pub intervals: Vec<Vec<Interval>>,
    /// Units held × ms per interval.
    #[serde(with = "super::lossless::i128_vec")]
    pub interval_used: Vec<i128>,
    /// Staffed units × ms per interval.
    #[serde(with = "super::lossless::i128_vec")]
    pub interval_staffed: Vec<i128>,
    /// Units above capacity × ms per interval.
    #[serde(with = "super::lossless::i128_vec")]
    pub interval_over: Vec<i128>,
    /// Per agent, by id.
    pub agents: Vec<AgentStats>,
    /// Per policy or script line.
    pub sources: Vec<SourceStats>,
    /// Handle time, invitations, retrials and transfers.
    #[serde(default)]
    pub chat: ChatStats,
    /// Unified-routing counts.
    #[serde(default)]
    pub routing: RoutingCounts,
}

/// Records one replication's metrics as the simulation runs.
#[derive(Debug)]
pub struct Recorder {
    warmup: SimTime,
    horizon: SimTime,
    interval_ms: u64,
    /// The interval `cell` found last: its [start, end) in ms and its index.
    cell_span: (u64, u64),
    cell_index: usize,
    sl_ms: u64,
    /// Abandons within this many ms are short abandons (`None`: not set).
    short_ms: Option<u64>,
    m: RepMetrics,
    used: TimeWeighted,
    staffed: TimeWeighted,
    over: TimeWeighted,
    queue_len: Vec<TimeWeighted>,
    /// Counted answers of each queue that waited 0 ms, not yet in its `wait` histogram: about
    /// half the answers of a lightly loaded queue. Added with one `record_n` in
    /// [`finish`](Self::finish), which gives the histogram the same counts as one record per
    /// answer (a zero changes no minimum or maximum of it), for a counter increment each.
    zero_waits: Vec<u64>,
    /// The other answers' waits and the handle times, held for their histograms and written
    /// a batch at a time (`pending`), and all of them in [`finish`](Self::finish).
    pending: pending::Pending,
}

impl Recorder {
    /// A recorder for `queues` queues and `agents` agents (with their capacities); policies and
    /// script lines are named in `sources`. Interval series use [`interval_for`]`(horizon)`.
    pub fn new(
        replication: u32,
        warmup: SimTime,
        horizon: SimDuration,
        service_level: SimDuration,
        queues: usize,
        capacities: &[u32],
        sources: Vec<String>,
    ) -> Self {
        let iv = interval_for(horizon).as_millis();
        let end = SimTime::ZERO + horizon;
        Recorder {
            warmup,
            horizon: end,
            interval_ms: iv,
            cell_span: (0, 0),
            cell_index: 0,
            sl_ms: service_level.as_millis(),
            short_ms: None,
            m: RepMetrics {
                replication,
                end: SimTime::ZERO,
                partial: false,
                total: QueueStats::default(),
                queues: (0..queues).map(|_| QueueStats::default()).collect(),
                in_system_at_end: 0,
                used_unit_ms: 0,
                staffed_unit_ms: 0,
                over_events: 0,
                over_max_units: 0,
                over_unit_ms: 0,
                over_ms: 0,
                violations: vec![0; RuleId::ALL.len()],
                actions: [0; 6],
                refused: 0,
                reaction: new_hist(),
                reaction_max_ms: 0,
                joins: 0,
                notify_agent: 0,
                notify_customer: 0,
                commands: 0,
                decision_ns: new_hist(),
                invariant_violations: 0,
                interval: SimDuration::from_millis(iv),
                intervals: Vec::new(),
                interval_used: Vec::new(),
                interval_staffed: Vec::new(),
                interval_over: Vec::new(),
                agents: capacities
                    .iter()
                    .map(|&c| AgentStats::with_capacity(c))
                    .collect(),
                sources: sources
                    .into_iter()
                    .map(|name| SourceStats {
                        name,
                        accepted: 0,
                        skipped: 0,
                        given_up: 0,
                        refused: vec![0; RuleId::ALL.len()],
                    })
                    .collect(),
                chat: ChatStats::new(queues),
                routing: RoutingCounts::default(),
            },
            used: TimeWeighted::new(warmup, iv).until(end),
            staffed: TimeWeighted::new(warmup, iv).until(end),
            over: TimeWeighted::new(warmup, iv),
            queue_len: (0..queues).map(|_| TimeWeighted::new(warmup, iv)).collect(),
            zero_waits: vec![0; queues],
            pending: pending::Pending::default(),
        }
    }

    /// Counts abandons within `short` as short abandons (`[scenario] short_abandon`).
    pub fn with_short_abandon(mut self, short: Option<SimDuration>) -> Self {
        self.short_ms = short.map(SimDuration::as_millis);
        self
    }

    // Inlined: two or three calls per conversation; as a call its prologue and epilogue cost
    // about as much as its body.
    #[inline(always)]
    fn cell(&mut self, now: SimTime, queue: QueueId) -> &mut Interval {
        // The interval of the previous call is the usual answer: no division then.
        let t = now.as_millis();
        let (start, end) = self.cell_span;
        let i = if t >= start && t < end {
            self.cell_index
        } else {
            let i = t / self.interval_ms;
            self.cell_span = (i * self.interval_ms, (i + 1) * self.interval_ms);
            self.cell_index = i as usize;
            i as usize
        };
        let nq = self.m.queues.len();
        if self.m.intervals.len() <= i {
            self.m
                .intervals
                .resize_with(i + 1, || vec![Interval::default(); nq]);
        }
        &mut self.m.intervals[i][queue.index()]
    }

    /// Whether a conversation arriving at `at` is counted (after warm-up).
    pub fn counts(&self, at: SimTime) -> bool {
        at >= self.warmup
    }

    /// A conversation arrived; `counted` when after warm-up.
    #[inline]
    pub fn arrived(&mut self, now: SimTime, queue: QueueId, counted: bool) {
        self.cell(now, queue).arrived += 1;
        if counted {
            self.m.queues[queue.index()].arrived += 1;
        }
    }

    /// A conversation counted [`arrived`](Self::arrived) now at `queue` was ended there at once
    /// by a before-queueing overflow rule (it never entered the queue): the interval's
    /// [`Interval::ended_on_arrival`].
    pub fn ended_on_arrival(&mut self, now: SimTime, queue: QueueId) {
        self.cell(now, queue).ended_on_arrival += 1;
    }

    /// The number of Open conversations of a queue changed by `delta`.
    #[inline]
    pub fn queue_len(&mut self, now: SimTime, queue: QueueId, delta: i64) {
        self.queue_len[queue.index()].add(now, delta);
    }

    /// A conversation was accepted for the first time after waiting `waited`.
    #[inline]
    pub fn answered(&mut self, now: SimTime, queue: QueueId, waited: SimDuration, counted: bool) {
        let ms = waited.as_millis();
        let in_sl = ms <= self.sl_ms;
        let cell = self.cell(now, queue);
        cell.answered += 1;
        cell.answered_in_sl += in_sl as u64;
        cell.wait.record(ms);
        cell.wait_sum_ms += ms;
        if counted {
            let q = &mut self.m.queues[queue.index()];
            q.answered += 1;
            q.answered_in_sl += in_sl as u64;
            q.delayed += (ms > 0) as u64;
            q.wait_sum_ms += ms as u128;
            q.wait_max_ms = q.wait_max_ms.max(ms);
            if ms == 0 {
                self.zero_waits[queue.index()] += 1;
            } else {
                // Written in a batch (`pending`): a record is a cache miss more often than not.
                self.hold_wait(queue.index(), ms);
            }
        }
    }

    /// A conversation was abandoned (closed from Open, never answered) after waiting `waited`.
    pub fn abandoned(&mut self, now: SimTime, queue: QueueId, waited: SimDuration, counted: bool) {
        let short = self.short_ms.is_some_and(|s| waited.as_millis() <= s) as u64;
        let cell = self.cell(now, queue);
        cell.abandoned += 1;
        cell.short_abandoned += short;
        if counted {
            let q = &mut self.m.queues[queue.index()];
            q.abandoned += 1;
            q.short_abandoned += short;
            q.delayed += 1;
        }
    }

    /// An Active conversation went back to Open.
    pub fn released(&mut self, queue: QueueId, counted: bool) {
        if counted {
            self.m.queues[queue.index()].released += 1;
        }
    }

    /// A conversation closed for any reason.
    pub fn closed(&mut self, queue: QueueId, counted: bool) {
        if counted {
            self.m.queues[queue.index()].closed += 1;
        }
    }

    /// Staffed units changed (an agent went on or off shift).
    pub fn staffed(&mut self, now: SimTime, delta: i64) {
        self.staffed.add(now, delta);
    }

    /// An agent went on (`on`) or off shift: its staffed units count from now (or stop).
    /// An agent off shift still holding units counts as staffed until it holds none (issue
    /// 25, a thirteenth tester: occupancy was 500% for work finished after a shift's end).
    pub fn agent_shift(&mut self, now: SimTime, agent: AgentId, on: bool) {
        let used = self.m.agents[agent.index()].used;
        self.units(now, agent, used, used);
        let a = &mut self.m.agents[agent.index()];
        let (held, cap) = (!a.on_shift && a.used > 0, a.capacity as i64);
        a.on_shift = on;
        self.held_off_shift(now, held, !on && used > 0, cap);
    }

    /// `cap` staffed units more (or fewer) as an agent off shift starts (or stops) holding
    /// units: [`staffed`](Self::staffed) counts shifts only.
    #[inline(always)]
    fn held_off_shift(&mut self, now: SimTime, before: bool, after: bool, cap: i64) {
        if before != after {
            self.staffed.add(now, if after { cap } else { -cap });
        }
    }

    /// An agent's used units changed.
    #[inline]
    pub fn units(&mut self, now: SimTime, agent: AgentId, before: i64, after: i64) {
        let t = now.as_millis();
        let counted_from = self.warmup.as_millis();
        let a = &mut self.m.agents[agent.index()];
        let from = a.last.max(counted_from);
        // Units held and units on shift (occupancy's two integrals) share the center's
        // window [warm-up, horizon]: the drain after the horizon is no staffed time (issue
        // 25, a twelfth tester). Busy time pairs with the conversations count (per event,
        // drain included) and overallocation with the center's (after warm-up, to the end).
        let to = t.min(self.horizon.as_millis());
        if to > from {
            let dt = (to - from) as i128;
            a.unit_ms += a.used.max(0) as i128 * dt;
            if a.on_shift || a.used > 0 {
                a.staffed_unit_ms += a.capacity as i128 * dt;
            }
        }
        if t > from {
            let dt = (t - from) as i128;
            let cap = a.capacity as i64;
            if a.used > 0 {
                a.busy_ms += dt;
            }
            if a.used > cap {
                a.over_unit_ms += (a.used - cap) as i128 * dt;
                a.over_ms += dt;
            }
        }
        a.last = t;
        let held = (!a.on_shift && a.used > 0, !a.on_shift && after > 0);
        a.used = after;
        let cap = a.capacity as i64;
        self.held_off_shift(now, held.0, held.1, cap);
        let over_before = (before - cap).max(0);
        let over_after = (after - cap).max(0);
        self.used.add(now, after - before);
        if over_before != over_after {
            self.over.add(now, over_after - over_before);
        }
    }

    /// An overallocation event: a change left `agent` `over` units above capacity.
    pub fn overallocated(&mut self, now: SimTime, agent: AgentId, over: u32) {
        if now < self.warmup {
            return;
        }
        self.m.over_events += 1;
        self.m.over_max_units = self.m.over_max_units.max(over);
        let a = &mut self.m.agents[agent.index()];
        a.over_events += 1;
        a.over_max = a.over_max.max(over);
    }

    /// A handling ended (Wrap-up or a transfer) after `handled` of Active time.
    #[inline]
    pub fn handled(&mut self, _now: SimTime, handled: SimDuration, counted: bool) {
        if counted {
            let ms = handled.as_millis();
            self.m.chat.handle.tally(ms);
            self.hold_handle(ms);
        }
    }

    /// A conversation was moved into `queue` after entering another (`first`: its first move).
    pub fn transferred(&mut self, queue: QueueId, first: bool, counted: bool) {
        if counted {
            self.m.chat.queues[queue.index()].transferred_in += 1;
            self.m.chat.moved += first as u64;
        }
    }

    /// A before-queueing overflow moved a new conversation on (it arrives where it ends up).
    pub fn moved_on_arrival(&mut self, counted: bool) {
        self.m.chat.moved += counted as u64;
    }

    /// A transferred conversation was accepted in `queue` after waiting `waited` there.
    pub fn transfer_wait(
        &mut self,
        _now: SimTime,
        queue: QueueId,
        waited: SimDuration,
        counted: bool,
    ) {
        if counted {
            self.m.chat.queues[queue.index()]
                .transfer_wait
                .record(waited.as_millis());
        }
    }

    /// A contact of `queue` was a customer's retrial.
    pub fn retrial(&mut self, queue: QueueId, counted: bool) {
        if counted {
            self.m.chat.queues[queue.index()].retrials += 1;
        }
    }

    /// An invitation was sent.
    pub fn invited(&mut self, now: SimTime) {
        if now >= self.warmup {
            self.m.chat.invitations.sent += 1;
        }
    }

    /// An invitation was accepted.
    pub fn invite_accepted(&mut self, now: SimTime) {
        if now >= self.warmup {
            self.m.chat.invitations.accepted += 1;
        }
    }

    /// An invitation was rejected, or timed out.
    pub fn invite_refused(&mut self, now: SimTime, timed_out: bool) {
        if now >= self.warmup {
            let i = &mut self.m.chat.invitations;
            if timed_out {
                i.timed_out += 1;
            } else {
                i.rejected += 1;
            }
        }
    }

    /// An agent rejected or let an invitation time out (counted after warm-up, like every
    /// per-agent figure).
    pub fn refusal(&mut self, now: SimTime, agent: AgentId) {
        if now >= self.warmup {
            self.m.agents[agent.index()].refusals += 1;
        }
    }

    /// An agent took a conversation (counted after warm-up, the window of its busy time).
    pub fn took(&mut self, now: SimTime, agent: AgentId) {
        if now >= self.warmup {
            self.m.agents[agent.index()].conversations += 1;
        }
    }

    /// A supervisor joined; notifications went to `agents` agents and `customers` customers.
    pub fn notified(&mut self, now: SimTime, joined: bool, agents: u64, customers: u64) {
        if now < self.warmup {
            return;
        }
        self.m.joins += joined as u64;
        self.m.notify_agent += agents;
        self.m.notify_customer += customers;
    }

    /// The number of engine commands the replication handled.
    pub fn commands(&mut self, n: u64) {
        self.m.commands = n;
    }

    /// A sampled wall-clock decision time.
    pub fn decision_ns(&mut self, ns: u64) {
        let _ = self.m.decision_ns.record(ns.max(1));
    }

    /// RT-SKILL: a conversation entered a queue no member can ever serve it in.
    pub fn unmatched(&mut self, counted: bool) {
        self.m.routing.unmatched += counted as u64;
    }

    /// RT-RULESET: assignment rule number `rule` of `queue` assigned a conversation.
    pub fn rule_assigned(&mut self, queue: QueueId, rule: u16, counted: bool) {
        if counted {
            self.m.routing.rule_assigned(queue.index(), rule as usize);
        }
    }

    /// An overflow rule of `queue` triggered; `kind` 0 out of hours, 1 work items, 2 waited.
    pub fn overflow_trigger(&mut self, queue: QueueId, kind: usize, counted: bool) {
        if counted {
            let by = &mut self.m.routing.by_queue;
            if by.len() <= queue.index() {
                by.resize(queue.index() + 1, [0; 3]);
            }
            by[queue.index()][kind] += 1;
        }
    }

    /// Overflow ended a conversation of `queue` (it closes: neither answered nor abandoned).
    pub fn overflow_ended(&mut self, queue: QueueId, counted: bool) {
        if counted {
            self.m.routing.ended += 1;
            self.m.queues[queue.index()].overflowed += 1;
        }
    }

    /// Overflow moved a conversation to another queue.
    pub fn overflow_transferred(&mut self, counted: bool) {
        self.m.routing.transferred += counted as u64;
    }

    /// Overflow turned a conversation into a callback.
    pub fn overflow_callback(&mut self, counted: bool) {
        self.m.routing.callbacks += counted as u64;
    }

    /// Invariant breaks found.
    pub fn invariant_breaks(&mut self, n: u64) {
        self.m.invariant_violations += n;
    }

    /// Marks the replication as cut short by a stop request.
    pub fn mark_partial(&mut self) {
        self.m.partial = true;
    }

    /// Where a replication stopping at `now` ends its figures (busy time, occupancy): at least
    /// the horizon, or `now` itself for a partial (interrupted) run. See [`Recorder::finish`].
    pub fn end_at(&self, now: SimTime) -> SimTime {
        match self.m.partial {
            true => now,
            false => now.max(self.horizon),
        }
    }

    /// Ends the replication at `now` with `in_system` counted conversations still live. A run
    /// that ends before its horizon (nothing left to do) lasts until the horizon all the same:
    /// its agents stay on shift until then (the caller has recorded every shift change up to
    /// it), so occupancy's window is [warm-up, horizon] and `end` is at least the horizon;
    /// a partial (interrupted) run ends where it stopped.
    pub fn finish(mut self, now: SimTime, in_system: u64) -> RepMetrics {
        let now = self.end_at(now);
        self.used.advance(now);
        self.staffed.advance(now);
        self.over.advance(now);
        // Close every agent's integrals at `now` (a change from its level to the same level).
        for a in 0..self.m.agents.len() {
            let used = self.m.agents[a].used;
            self.units(now, AgentId(a as u32), used, used);
        }
        // The series covers the whole run: gauges may outlast the last counted event (a queue
        // nobody serves stays long until the drain limit).
        for g in &mut self.queue_len {
            g.advance(now);
        }
        let n = self
            .queue_len
            .iter_mut()
            .chain([&mut self.used, &mut self.staffed, &mut self.over])
            .map(|g| g.per_interval().len())
            .max()
            .unwrap_or(0);
        if self.m.intervals.len() < n {
            let nq = self.m.queues.len();
            self.m
                .intervals
                .resize_with(n, || vec![Interval::default(); nq]);
        }
        for (q, g) in self.queue_len.iter_mut().enumerate() {
            for (i, v) in g.per_interval().iter().enumerate() {
                if let Some(row) = self.m.intervals.get_mut(i) {
                    row[q].queue_len_ms = *v;
                }
            }
        }
        self.write_held();
        for (q, &zeros) in self.m.queues.iter_mut().zip(&self.zero_waits) {
            q.wait.record_n(0, zeros);
        }
        let m = &mut self.m;
        m.end = now;
        m.in_system_at_end = in_system;
        m.used_unit_ms = self.used.total();
        m.staffed_unit_ms = self.staffed.total();
        m.over_unit_ms = self.over.total();
        m.over_ms = m.agents.iter().map(|a| a.over_ms).sum();
        m.interval_used = self.used.per_interval().to_vec();
        m.interval_staffed = self.staffed.per_interval().to_vec();
        m.interval_over = self.over.per_interval().to_vec();
        let mut total = QueueStats::default();
        for q in &m.queues {
            total.merge(q);
        }
        m.total = total;
        self.m
    }
}

mod pending;
mod supervisors;
#[cfg(test)]
mod tests;
