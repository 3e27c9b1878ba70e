//! Where a scenario's arrivals go before any agent sees them, bin by bin of the offered load's
//! grid: the part of the routing that does not depend on the run's state.
//!
//! A conversation arriving for a queue meets that queue's before-queueing overflow rules
//! ([`before_queue_rule`]): outside its operating hours an `out_of_hours` rule sends it on
//! (`transfer`, the target's rules applying in turn, each queue's at most once, as the
//! simulator walks them) or ends it (`end`: it reaches no queue); a `work_items_over` rule
//! with a limit of 0 always triggers. A work stream's route-to-queue list passes over a queue
//! one of whose before-queueing rules would trigger. Everything else a run decides from its
//! state (a queue's Open count against a limit above 0, a waiting-time rule) is left out: an
//! empty queue is assumed, as [`super::offered::route_share`] sends a list's traffic to its
//! first queue. Operating hours without an `out_of_hours` rule change nothing (the simulator
//! lets conversations in at any hour), so they change nothing here either.
//!
//! The rules that trigger at a time form a *regime* (one per distinct set: usually open and
//! closed); each bin of the grid is one regime, or two when the calendar's minutes do not start
//! on the grid's and the regime changes inside it.
//!
//! Key items: [`Reach`], [`Reach::enters`].

use std::collections::HashMap;

use crate::model::QueueId;
use crate::scenario::{before_queue_rule, Arrivals, OverflowAction, Scenario};
use crate::time::SimTime;

/// The before-queueing rules that trigger with an empty queue at some time, and where each
/// queue's arrivals go then.
#[derive(Clone, Debug, PartialEq)]
struct Regime {
    /// Per queue: the index of its first before-queueing rule that triggers (`None`: it lets a
    /// conversation in).
    rules: Vec<Option<u16>>,
    /// Per queue: the queue a conversation arriving for it enters (`None`: a rule ends it).
    dest: Vec<Option<QueueId>>,
}

/// The routing of a scenario's arrivals on a grid of bins (see the [module docs](self)).
#[derive(Debug)]
pub struct Reach<'a> {
    sc: &'a Scenario,
    step_ms: u64,
    horizon: SimTime,
    /// The distinct regimes met over the horizon.
    regimes: Vec<Regime>,
    /// Per bin: its regime, and where a second one starts inside it (the time, its regime).
    /// Empty when a single regime holds everywhere.
    bins: Vec<(u32, Option<(SimTime, u32)>)>,
    /// The queues whose arrivals some regime sends to another queue (or ends), in order.
    moved: Vec<usize>,
}

impl<'a> Reach<'a> {
    /// The routing of `sc` on bins of `step_ms` over `[0, horizon)`, `n` bins.
    pub fn new(sc: &'a Scenario, step_ms: u64, n: usize) -> Reach<'a> {
        let horizon = SimTime::ZERO + sc.horizon;
        let timed = sc.queues.iter().any(crate::scenario::closes_out_of_hours);
        let mut r = Reach {
            sc,
            step_ms,
            horizon,
            regimes: Vec::new(),
            bins: Vec::new(),
            moved: Vec::new(),
        };
        if !timed {
            let rules = r.rules_at(SimTime::ZERO);
            r.regime_of(rules);
            return r;
        }
        let mut index: HashMap<Vec<Option<u16>>, u32> = HashMap::new();
        let mut id = |r: &mut Reach<'a>, t: SimTime| -> u32 {
            let rules = r.rules_at(t);
            if let Some(&k) = index.get(&rules) {
                return k;
            }
            let k = r.regime_of(rules.clone());
            index.insert(rules, k);
            k
        };
        // Operating hours change at a calendar minute: one may fall inside a bin when the
        // calendar's minutes do not start on the grid's.
        let offset = sc.calendar.ms_of_day(SimTime::ZERO) % 60_000;
        for b in 0..n {
            let from = SimTime(b as u64 * step_ms);
            let first = id(&mut r, from);
            let next_minute = SimTime(from.as_millis() + (60_000 - offset) % 60_000);
            let to = SimTime((b as u64 + 1) * step_ms).min(horizon);
            let second = (offset != 0 && next_minute > from && next_minute < to)
                .then(|| (next_minute, id(&mut r, next_minute)))
                .filter(|&(_, k)| k != first);
            r.bins.push((first, second));
        }
        r
    }

    /// The index of each queue's first before-queueing rule that triggers at `t` with an
    /// empty queue.
    fn rules_at(&self, t: SimTime) -> Vec<Option<u16>> {
        self.sc
            .queues
            .iter()
            .map(|q| {
                before_queue_rule(q, &self.sc.calendar, t, || 0)
                    .and_then(|r| q.overflow.iter().position(|x| std::ptr::eq(x, r)))
                    .map(|i| i as u16)
            })
            .collect()
    }

    /// Adds the regime of `rules` (each queue's destination walked as the simulator walks its
    /// before-queueing rules); returns its index.
    fn regime_of(&mut self, rules: Vec<Option<u16>>) -> u32 {
        let sc = self.sc;
        let dest: Vec<Option<QueueId>> = (0..sc.queues.len())
            .map(|start| {
                let mut q = start;
                let mut visited = Vec::new();
                while !visited.contains(&q) {
                    let Some(i) = rules[q] else { break };
                    match &sc.queues[q].overflow[i as usize].action {
                        OverflowAction::Transfer(t) => {
                            visited.push(q);
                            q = t.index();
                        }
                        OverflowAction::End => return None,
                        OverflowAction::AssignAnyway | OverflowAction::Callback => break,
                    }
                }
                Some(QueueId(q as u32))
            })
            .collect();
        let sent: Vec<usize> = (0..dest.len())
            .filter(|&o| dest[o] != Some(QueueId(o as u32)))
            .collect();
        if !sent.is_empty() {
            self.moved.extend(sent);
            self.moved.sort_unstable();
            self.moved.dedup();
        }
        self.regimes.push(Regime { rules, dest });
        (self.regimes.len() - 1) as u32
    }

    /// The pieces of bin `b`: `(from, to, regime)`, one or two.
    fn pieces(&self, b: usize) -> impl Iterator<Item = (SimTime, SimTime, usize)> {
        let from = SimTime(b as u64 * self.step_ms);
        let to = SimTime((b as u64 + 1) * self.step_ms).min(self.horizon);
        let (first, second) = self.bins.get(b).copied().unwrap_or((0, None));
        let split = second.map_or(to, |s| s.0);
        std::iter::once((from, split, first as usize))
            .chain(second.map(|(at, k)| (at, to, k as usize)))
    }

    /// The regime at `t`.
    fn regime_at(&self, t: SimTime) -> &Regime {
        let b = (t.as_millis() / self.step_ms) as usize;
        let k = match self.bins.get(b) {
            Some(&(_, Some((at, k)))) if t >= at => k,
            Some(&(k, _)) => k,
            None => 0,
        };
        &self.regimes[k as usize]
    }

    /// The queue a conversation arriving for `origin` at `t` enters (`None`: a rule ends it).
    pub fn enters(&self, origin: QueueId, t: SimTime) -> Option<QueueId> {
        self.regime_at(t).dest[origin.index()]
    }

    /// The queues whose arrivals enter `q` at some time: `q` first when its own do, then the
    /// others in order.
    pub fn origins_into(&self, q: QueueId) -> Vec<QueueId> {
        let into = |o: usize| self.regimes.iter().any(|r| r.dest[o] == Some(q));
        let mut out: Vec<QueueId> = into(q.index()).then_some(q).into_iter().collect();
        // Only the queues some regime sends elsewhere can bring another queue's arrivals (a
        // few), not all of them: a group of 20,000 queues asks this 20,000 times.
        out.extend(
            self.moved
                .iter()
                .copied()
                .filter(|&o| o != q.index() && into(o))
                .map(|o| QueueId(o as u32)),
        );
        out
    }

    /// Whether nothing arriving for any of `queues` at `t` enters it (each is closed to its
    /// own arrivals: an `out_of_hours` rule, or a limit of 0, sends them on or ends them).
    pub fn closed(&self, queues: &[QueueId], t: SimTime) -> bool {
        let r = self.regime_at(t);
        !queues.is_empty() && queues.iter().all(|q| r.dest[q.index()] != Some(*q))
    }

    /// Adds into `mass` (one entry per bin) the expected arrivals of `arrivals` that arrive for
    /// queue `origin` and enter queue `into`: a queue's own arrivals (`ws` `None`, `origin` that
    /// queue) or work stream `ws`'s, the share its route-to-queue rules send to `origin` in each
    /// regime ([`super::offered::route_share`], passing over a queue whose rule triggers).
    pub fn add_mass(
        &self,
        arrivals: &Arrivals,
        ws: Option<usize>,
        origin: QueueId,
        into: QueueId,
        mass: &mut [f64],
    ) {
        let shares: Vec<f64> = self
            .regimes
            .iter()
            .map(|r| match ws {
                None => 1.0,
                Some(w) => {
                    super::offered::route_share(&self.sc.workstreams[w].routing, origin, |q| {
                        r.rules[q.index()].is_some()
                    })
                }
            })
            .collect();
        if shares.iter().all(|&s| s <= 0.0) {
            return;
        }
        for (b, m) in mass.iter_mut().enumerate() {
            for (from, to, k) in self.pieces(b) {
                let share = shares[k];
                if share > 0.0 && self.regimes[k].dest[origin.index()] == Some(into) {
                    *m += share * arrivals.mass(from, to);
                }
            }
        }
    }
}
