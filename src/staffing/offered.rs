//! The offered load of a group's queues, computed from the arrival process itself (no
//! simulation, so no sampling noise and no seed).
//!
//! For Poisson arrivals of rate λ(t) and a holding time S (handle time plus the wrap-up that
//! holds the agent's units), the mean number of conversations in service with ample agents is
//!
//! m(t) = ∫₀^∞ λ(t − x) · P(S > x) dx = E[λ(t − Sₑ)] · E\[S\]
//!
//! (Eick, Massey & Whitt 1993, "The physics of the Mt/G/∞ queue", *Operations Research* 41(4)),
//! Sₑ the stationary-excess time of S. It lags and damps λ(t)·E\[S\] when conversations are long
//! against the rate's changes. omnisim evaluates it on a grid of [`STEP`] bins: the arrival mass
//! of each bin (expected arrivals) convolved with the survival function of S averaged over the
//! positions of arrival and observation inside their bins.
//!
//! A forecast's `aht` factors scale the holding time of the conversations arriving in their
//! intervals. Every arrival source of the scenario counts: a queue's own `arrivals` (rate, profile — which
//! is what a `[traffic] forecast` becomes — or fixed times), a work stream's arrivals through its
//! route-to-queue rules (each queue's share over the attribute values' probabilities), and a
//! replayed history (each replayed row at its own arrival, holding for its own handle time when
//! the row has one; averaged over the history's replication groups). Each counts for the queue
//! it enters ([`super::reach`]): outside a queue's operating hours, its `out_of_hours` rule
//! sends its arrivals to another queue (counted there) or ends them (counted nowhere), and a
//! route-to-queue list passes over it (issue 25, sixteenth session: a closed queue's traffic
//! was counted for it at every hour).
//!
//! The survival function P(S > x) comes from a fixed sample of [`SAMPLES`] draws of the work
//! stream's distributions on a stream that does not depend on the scenario's seed, so the load
//! is the same for every seed (its relative error is about 1/√SAMPLES in the tail).
//!
//! Key items: [`OfferedLoad`], [`offered_load`].

use crate::dist::Sampler;
use crate::model::{QueueId, WrapUpBlock};
use crate::rng::{stream, Source};
use crate::scenario::{QueueTarget, Scenario, WsRouting};
use crate::time::{SimDuration, SimTime};

use super::reach::Reach;

/// Bin width of the load grid.
pub const STEP: SimDuration = SimDuration::from_secs(60);
/// Draws of a holding time that make its survival function.
pub const SAMPLES: usize = 1 << 16;
/// The random-stream tag of those draws (independent of the scenario's seed).
const SURVIVAL_TAG: u32 = 1010;
/// Most attribute-value combinations enumerated for a work stream's route shares.
const MAX_COMBINATIONS: usize = 1 << 16;

/// The offered load of some queues on a grid of [`STEP`] bins from t = 0 to the horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct OfferedLoad {
    /// Bin width.
    pub step: SimDuration,
    /// Expected arrivals in each bin (conversations).
    pub arrivals: Vec<f64>,
    /// Mean conversations in service over each bin with ample agents (the offered load, in
    /// conversations; divide by the conversations an agent holds at once for agents).
    pub busy: Vec<f64>,
    /// Expected holding work arriving in each bin: Σ over its arrivals of their mean holding
    /// time (seconds; a forecast's `aht` factor included), so `work / arrivals` is the bin's
    /// mean holding time.
    pub work: Vec<f64>,
    /// Mean holding time in seconds (handle plus held wrap-up), weighted by arrivals.
    pub hold_s: f64,
    /// Mean patience in seconds, weighted by arrivals; `None` when some arrivals never abandon.
    pub patience_s: Option<f64>,
    /// The queues whose arrivals enter these queues somewhere in the horizon (each of these
    /// queues with arrivals of its own, and any whose closed hours transfer to one of them),
    /// in the order first met.
    pub origins: Vec<QueueId>,
    /// Per bin: every one of these queues is closed to the arrivals for it at the bin's start
    /// (an `out_of_hours` rule, or a `work_items_over` limit of 0, sends them on or ends them;
    /// [`Reach::closed`]).
    pub closed: Vec<bool>,
}

impl OfferedLoad {
    /// Expected arrivals over bins `[from, to)`.
    pub fn arrivals_in(&self, from: usize, to: usize) -> f64 {
        self.arrivals[from.min(self.arrivals.len())..to.min(self.arrivals.len())]
            .iter()
            .sum()
    }

    /// Mean holding time in seconds of the conversations arriving in bins `[from, to)`
    /// (the whole horizon's [`OfferedLoad::hold_s`] when none arrive there).
    pub fn hold_in(&self, from: usize, to: usize) -> f64 {
        let a = self.arrivals_in(from, to);
        if a > 0.0 {
            self.work[from.min(self.work.len())..to.min(self.work.len())]
                .iter()
                .sum::<f64>()
                / a
        } else {
            self.hold_s
        }
    }

    /// Mean offered load (conversations in service) over bins `[from, to)`.
    pub fn busy_in(&self, from: usize, to: usize) -> f64 {
        let s = &self.busy[from.min(self.busy.len())..to.min(self.busy.len())];
        if s.is_empty() {
            0.0
        } else {
            s.iter().sum::<f64>() / s.len() as f64
        }
    }
}

/// The survival function of one holding time, from a sorted sample.
struct Survival {
    sorted_ms: Vec<u64>,
    mean_s: f64,
}

impl Survival {
    fn of(sc: &Scenario, ws: usize) -> Self {
        let w = &sc.workstreams[ws];
        let handle = Sampler::new(&w.handle_time);
        let wrap = w.wrap_up_time.as_ref().map(Sampler::new);
        let mut rng = stream(
            0,
            0,
            Source::Other {
                tag: SURVIVAL_TAG,
                index: ws as u64,
            },
        );
        // Each part's sample is scaled to its exact mean (mean matching: the load's level is
        // exact; only the shape of the survival function carries sampling error).
        let mut draw = |sampler: &Sampler, mean: f64| -> Vec<f64> {
            let x: Vec<f64> = (0..SAMPLES)
                .map(|_| sampler.sample(&mut rng).as_millis() as f64)
                .collect();
            let m = x.iter().sum::<f64>() / SAMPLES as f64;
            let k = if m > 0.0 { mean / m } else { 1.0 };
            x.into_iter().map(|v| v * k).collect()
        };
        let handle_ms = draw(&handle, w.handle_time.mean().as_millis() as f64);
        let wrap_ms: Vec<f64> = match (&wrap, &w.wrap_up_time, w.rules.block_capacity_for_wrap_up) {
            (Some(s), Some(d), WrapUpBlock::Always) => draw(s, d.mean().as_millis() as f64),
            (Some(s), Some(d), WrapUpBlock::For(cap)) => draw(s, d.mean().as_millis() as f64)
                .into_iter()
                .map(|v| v.min(cap.as_millis() as f64))
                .collect(),
            _ => vec![0.0; SAMPLES],
        };
        let mut sorted_ms: Vec<u64> = handle_ms
            .iter()
            .zip(&wrap_ms)
            .map(|(h, w)| (h + w).round() as u64)
            .collect();
        sorted_ms.sort_unstable();
        let mean_s = sorted_ms.iter().map(|&x| x as f64).sum::<f64>() / SAMPLES as f64 / 1000.0;
        Survival { sorted_ms, mean_s }
    }

    /// P(S > x), x in milliseconds.
    fn above(&self, x_ms: f64) -> f64 {
        if x_ms < 0.0 {
            return 0.0;
        }
        let at_or_below = self.sorted_ms.partition_point(|&s| (s as f64) <= x_ms);
        (self.sorted_ms.len() - at_or_below) as f64 / self.sorted_ms.len() as f64
    }

    /// The kernel K[k]: the mean of P(S > lag) when an arrival falls uniformly in one bin and
    /// the observation uniformly in the bin k later, so that busy[j] = Σᵢ arrivals[i]·K[j − i].
    /// The lag is (k + D)·bin with D = U₁ − U₂ triangular on (−1, 1); the integral over D is
    /// the midpoint rule on 128 points (a negative lag has not arrived yet: 0).
    fn kernel(&self, step_ms: f64, factor: f64) -> Vec<f64> {
        const POINTS: usize = 128;
        let max = *self.sorted_ms.last().unwrap_or(&0) as f64 * factor;
        let len = ((max / step_ms).ceil() as usize + 2).min(1 << 20);
        let h = 2.0 / POINTS as f64;
        (0..len)
            .map(|k| {
                (0..POINTS)
                    .map(|p| {
                        let d = -1.0 + (p as f64 + 0.5) * h;
                        (1.0 - d.abs()) * h * self.above((k as f64 + d) * step_ms / factor)
                    })
                    .sum()
            })
            .collect()
    }
}

/// The share of work stream arrivals that route-to-queue sends to `queue`: the probability of
/// each combination of attribute values times the share its rule gives the queue. A `queues`
/// list sends everything to its first queue that is not `overflowing` (the first when all
/// are); [`super::reach`] calls a queue overflowing when a before-queueing rule triggers with
/// the queue empty (a closed queue's `out_of_hours` rule): an Open count over a limit is a
/// state of the run, not of the arrivals.
pub fn route_share(r: &WsRouting, queue: QueueId, overflowing: impl Fn(QueueId) -> bool) -> f64 {
    let combos: usize = r
        .attributes
        .iter()
        .map(|a| a.values.len().max(1))
        .try_fold(1usize, |acc, n| acc.checked_mul(n))
        .unwrap_or(usize::MAX);
    let share_of = |attrs: &[u16]| -> f64 {
        let Some(rule) = r.route_to_queue.iter().find(|x| x.when.holds(attrs)) else {
            return f64::from(u8::from(r.fallback_queue == Some(queue)));
        };
        match &rule.target {
            QueueTarget::First(list) => {
                let to = list.iter().find(|q| !overflowing(**q)).or(list.first());
                f64::from(u8::from(to == Some(&queue)))
            }
            QueueTarget::Split(w) => {
                let total: f64 = w.iter().map(|x| x.1).sum();
                if total > 0.0 {
                    w.iter().filter(|x| x.0 == queue).map(|x| x.1).sum::<f64>() / total
                } else {
                    0.0
                }
            }
        }
    };
    if r.attributes.is_empty() || combos > MAX_COMBINATIONS {
        // Conditions on attributes cannot be told apart without enumerating them: with too
        // many combinations, the first rule with no condition (or the fallback) decides.
        return share_of(&vec![u16::MAX; r.attributes.len()]);
    }
    let mut idx = vec![0u16; r.attributes.len()];
    let mut total = 0.0;
    loop {
        let p: f64 = idx
            .iter()
            .zip(&r.attributes)
            .map(|(&v, a)| a.weights.get(v as usize).copied().unwrap_or(0.0))
            .product();
        if p > 0.0 {
            total += p * share_of(&idx);
        }
        // Next combination (odometer).
        let mut k = 0;
        loop {
            if k == idx.len() {
                return total;
            }
            idx[k] += 1;
            if (idx[k] as usize) < r.attributes[k].values.len() {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
}

/// The offered load of `queues` in `sc` (see the [module docs](self)).
pub fn offered_load(sc: &Scenario, queues: &[QueueId]) -> OfferedLoad {
    let step_ms = STEP.as_millis();
    let horizon = SimTime::ZERO + sc.horizon;
    let n = sc.horizon.as_millis().div_ceil(step_ms).max(1) as usize;
    let mut arrivals = vec![0.0; n];
    let mut busy = vec![0.0; n];
    let mut work = vec![0.0; n];
    let (mut hold_num, mut pat_num, mut weight) = (0.0, 0.0, 0.0);
    let mut all_patient = true;
    let mut survival: Vec<Option<Survival>> = (0..sc.workstreams.len()).map(|_| None).collect();
    let reach = Reach::new(sc, step_ms, n);
    let mut origins: Vec<QueueId> = Vec::new();
    for &q in queues {
        let ws = sc.queues[q.index()].workstream.index();
        // The arrivals entering q, by the queue they arrived for (q's own first): operating
        // hours and before-queueing transfers decide which reach it when.
        let mut parts: Vec<(QueueId, Vec<f64>)> = Vec::new();
        for o in reach.origins_into(q) {
            let mut mass = vec![0.0; n];
            reach.add_mass(&sc.queues[o.index()].arrivals, None, o, q, &mut mass);
            for (wi, w) in sc.workstreams.iter().enumerate() {
                if let Some(a) = &w.routing.arrivals {
                    reach.add_mass(a, Some(wi), o, q, &mut mass);
                }
            }
            parts.push((o, mass));
        }
        // Replayed rows: exact holding when the row has its handle time.
        let mut exact = 0.0;
        if let Some(rep) = &sc.traffic.replay {
            let groups = rep.groups.len().max(1) as f64;
            for row in rep
                .rows
                .iter()
                .filter(|r| r.arrival < horizon && reach.enters(r.queue, r.arrival) == Some(q))
            {
                let bin = (row.arrival.as_millis() / step_ms) as usize;
                match row.handle {
                    Some(h) => {
                        let held = row.wrap_up.map_or(0, |w| {
                            match sc.workstreams[ws].rules.block_capacity_for_wrap_up {
                                WrapUpBlock::Always => w.as_millis(),
                                WrapUpBlock::Never => 0,
                                WrapUpBlock::For(d) => w.as_millis().min(d.as_millis()),
                            }
                        });
                        let (a, b) = (
                            row.arrival.as_millis(),
                            row.arrival.as_millis() + h.as_millis() + held,
                        );
                        let mut t = a;
                        while t < b && ((t / step_ms) as usize) < n {
                            let k = (t / step_ms) as usize;
                            let end = ((k as u64 + 1) * step_ms).min(b);
                            busy[k] += (end - t) as f64 / step_ms as f64 / groups;
                            t = end;
                        }
                        arrivals[bin] += 1.0 / groups;
                        exact += 1.0 / groups;
                        let hold = (h.as_millis() + held) as f64 / 1000.0 / groups;
                        hold_num += hold;
                        work[bin] += hold;
                    }
                    None => match parts.iter_mut().find(|p| p.0 == row.queue) {
                        Some(p) => p.1[bin] += 1.0 / groups,
                        None => {
                            let mut mass = vec![0.0; n];
                            mass[bin] = 1.0 / groups;
                            parts.push((row.queue, mass));
                        }
                    },
                }
            }
        }
        parts.retain(|p| p.1.iter().any(|&m| m > 0.0));
        let total: f64 = parts.iter().map(|p| p.1.iter().sum::<f64>()).sum();
        if total + exact <= 0.0 {
            continue;
        }
        for (o, _) in &parts {
            if !origins.contains(o) {
                origins.push(*o);
            }
        }
        let s = survival[ws].get_or_insert_with(|| Survival::of(sc, ws));
        // A forecast's `aht` column scales the holding time of the conversations arriving in
        // its intervals for its queue (the one they arrived for, as the simulator draws it;
        // handle and held wrap-up together: an approximation for the wrap-up); one kernel per
        // distinct factor.
        for (o, mass) in &parts {
            let aht = sc.traffic.aht.get(o.index()).and_then(|a| a.as_ref());
            let factor_at = |i: usize| aht.map_or(1.0, |a| a.factor(SimTime(i as u64 * step_ms)));
            let mut factors: Vec<f64> = (0..n).filter(|&i| mass[i] > 0.0).map(factor_at).collect();
            factors.sort_by(f64::total_cmp);
            factors.dedup();
            for f in factors {
                let kernel = s.kernel(step_ms as f64, f);
                for (i, &m) in mass.iter().enumerate() {
                    if m == 0.0 || factor_at(i) != f {
                        continue;
                    }
                    arrivals[i] += m;
                    hold_num += m * s.mean_s * f;
                    work[i] += m * s.mean_s * f;
                    for (k, g) in kernel.iter().enumerate() {
                        match busy.get_mut(i + k) {
                            Some(b) => *b += m * g,
                            None => break,
                        }
                    }
                }
            }
        }
        weight += total + exact;
        match &sc.workstreams[ws].patience {
            Some(p) => pat_num += (total + exact) * p.mean().as_secs_f64(),
            None => all_patient = false,
        }
    }
    OfferedLoad {
        step: STEP,
        arrivals,
        busy,
        work,
        hold_s: if weight > 0.0 { hold_num / weight } else { 0.0 },
        patience_s: (all_patient && weight > 0.0).then(|| pat_num / weight),
        origins,
        closed: (0..n)
            .map(|b| reach.closed(queues, SimTime(b as u64 * step_ms)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One day: `day` open 08–20, its out-of-hours traffic sent to `night`; `short` open 09–12,
    /// ending what arrives outside; `lax` has hours but no `out_of_hours` rule (the simulator
    /// lets its conversations in at any hour); the work stream's own arrivals go to `short`,
    /// or to `night` when `short` is closed (a list passes over a closed queue).
    const HOURS: &str = r#"
[scenario]
name = "hours"
horizon = "24h"
seed = 1

[[workstreams]]
name = "w"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "5m" }
arrivals = { rate = "10/h" }
fallback_queue = "night"

[[workstreams.route_to_queue]]
queues = ["short", "night"]

[[queues]]
name = "day"
workstream = "w"
arrivals = { rate = "60/h" }
operating_hours = [{ from = "08:00", to = "20:00" }]

[[queues.overflow]]
when = "out_of_hours"
action = "transfer"
queue = "night"

[[queues]]
name = "night"
workstream = "w"

[[queues]]
name = "short"
workstream = "w"
arrivals = { rate = "30/h" }
operating_hours = [{ from = "09:00", to = "12:00" }]

[[queues.overflow]]
when = "out_of_hours"
action = "end"

[[queues]]
name = "lax"
workstream = "w"
arrivals = { rate = "12/h" }
operating_hours = [{ from = "09:00", to = "12:00" }]

[[agent_groups]]
name = "days"
count = 5
queues = ["day", "short", "lax"]

[[agent_groups]]
name = "nights"
count = 2
queues = ["night"]
"#;

    fn load_of(sc: &Scenario, names: &[&str]) -> OfferedLoad {
        let queues: Vec<QueueId> = names
            .iter()
            .map(|n| QueueId(sc.queues.iter().position(|q| q.name == *n).unwrap() as u32))
            .collect();
        offered_load(sc, &queues)
    }

    /// Expected arrivals in the minute starting at `h`:`m`.
    fn at(l: &OfferedLoad, h: usize, m: usize) -> f64 {
        l.arrivals[h * 60 + m]
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Issue 25, sixteenth session: the offered load of a queue counted its arrivals at every
    /// hour, and a closed queue's transferred traffic nowhere. Now each bin counts what enters
    /// the queues then: a closed queue's traffic for the queue its rule sends it to, nothing
    /// for one that ends it, and a route-to-queue list passes over a closed queue.
    #[test]
    fn the_offered_load_counts_only_the_traffic_that_enters_the_queues_each_minute() {
        let sc = crate::scenario::load_str(HOURS, "hours.toml").unwrap();
        let ws = 10.0 / 60.0;
        // `day`: its own 1 a minute while open, nothing while closed.
        let day = load_of(&sc, &["day"]);
        assert!(close(at(&day, 7, 59), 0.0) && close(at(&day, 20, 0), 0.0));
        assert!(close(at(&day, 8, 0), 1.0) && close(at(&day, 19, 59), 1.0));
        assert!(day.closed[7 * 60] && !day.closed[12 * 60] && day.closed[23 * 60]);
        assert!(close(day.busy[3 * 60], 0.0), "{}", day.busy[3 * 60]);
        // `night`: `day`'s traffic while it is closed, and the work stream's while `short` is.
        let night = load_of(&sc, &["night"]);
        assert!(close(at(&night, 3, 0), 1.0 + ws), "{}", at(&night, 3, 0));
        assert!(close(at(&night, 10, 0), 0.0), "{}", at(&night, 10, 0));
        assert!(close(at(&night, 13, 0), ws), "{}", at(&night, 13, 0));
        assert!(close(at(&night, 21, 0), 1.0 + ws));
        assert!((night.busy[3 * 60] - (1.0 + ws) * 5.0).abs() < 0.1);
        assert!(!night.closed[3 * 60] && !night.closed[10 * 60]);
        assert!(night.origins.len() == 2, "{:?}", night.origins);
        // `short`: its own and the work stream's while open; what arrives outside is ended.
        let short = load_of(&sc, &["short"]);
        assert!(close(at(&short, 9, 0), 0.5 + ws) && close(at(&short, 11, 59), 0.5 + ws));
        assert!(close(at(&short, 8, 59), 0.0) && close(at(&short, 12, 0), 0.0));
        let total: f64 = short.arrivals.iter().sum();
        assert!(close(total, 3.0 * 60.0 * (0.5 + ws)), "{total}");
        // `lax`: hours without an `out_of_hours` rule close nothing.
        let lax = load_of(&sc, &["lax"]);
        assert!(close(at(&lax, 3, 0), 0.2) && close(at(&lax, 10, 0), 0.2));
        assert!(!lax.closed[3 * 60]);
        // A group of several queues: closed only when each is.
        let both = load_of(&sc, &["day", "short"]);
        assert!(both.closed[7 * 60] && !both.closed[8 * 60] && !both.closed[10 * 60]);
        // The whole center: every arrival counted once, less what `short` ends.
        let all = load_of(&sc, &["day", "night", "short", "lax"]);
        let sum: f64 = all.arrivals.iter().sum();
        let ended = 21.0 * 30.0;
        assert!(
            close(sum, 24.0 * (60.0 + 10.0 + 30.0 + 12.0) - ended),
            "{sum}"
        );
    }

    /// A calendar whose minutes do not start on the grid's (t = 0 at 07:59:30): the minute bin
    /// holding 08:00 is cut there, half closed and half open.
    #[test]
    fn an_opening_inside_a_bin_splits_it() {
        let text = HOURS.replace("seed = 1\n", "seed = 1\nstart = \"2026-06-01T07:59:30\"\n");
        let sc = crate::scenario::load_str(&text, "hours.toml").unwrap();
        let day = load_of(&sc, &["day"]);
        assert!(close(day.arrivals[0], 0.5), "{}", day.arrivals[0]);
        assert!(close(day.arrivals[1], 1.0), "{}", day.arrivals[1]);
        let night = load_of(&sc, &["night"]);
        assert!(
            close(night.arrivals[0], 0.5 + 10.0 / 60.0),
            "{}",
            night.arrivals[0]
        );
    }
}
