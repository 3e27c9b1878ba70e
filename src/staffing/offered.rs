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
//! the row has one; averaged over the history's replication groups).
//!
//! The survival function P(S > x) comes from a fixed sample of [`SAMPLES`] draws of the work
//! stream's distributions on a stream that does not depend on the scenario's seed, so the load
//! is the same for every seed (its relative error is about 1/√SAMPLES in the tail).
//!
//! Key items: [`OfferedLoad`], [`offered_load`].

use crate::dist::Sampler;
use crate::model::{QueueId, WrapUpBlock};
use crate::rng::{stream, Source};
use crate::scenario::{Arrivals, QueueTarget, Scenario, WsRouting};
use crate::time::{SimDuration, SimTime};

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

/// Expected arrivals per bin of one arrival process over `[0, horizon)` ([`Arrivals::mass`] of
/// each bin), added into `mass` times `share`.
fn add_mass(arrivals: &Arrivals, share: f64, step_ms: u64, horizon: SimTime, mass: &mut [f64]) {
    if share <= 0.0 {
        return;
    }
    for (bin, m) in mass.iter_mut().enumerate() {
        let from = SimTime(bin as u64 * step_ms);
        let to = SimTime((bin as u64 + 1) * step_ms).min(horizon);
        *m += share * arrivals.mass(from, to);
    }
}

/// The share of work stream arrivals that route-to-queue sends to `queue`: the probability of
/// each combination of attribute values times the share its rule gives the queue (a `queues`
/// list sends everything to its first queue: an overflowing queue is a state of the run, not
/// of the arrivals).
pub fn route_share(r: &WsRouting, queue: QueueId) -> f64 {
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
            QueueTarget::First(list) => f64::from(u8::from(list.first() == Some(&queue))),
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
    for &q in queues {
        let ws = sc.queues[q.index()].workstream.index();
        let mut mass = vec![0.0; n];
        add_mass(
            &sc.queues[q.index()].arrivals,
            1.0,
            step_ms,
            horizon,
            &mut mass,
        );
        for w in &sc.workstreams {
            if let Some(a) = &w.routing.arrivals {
                add_mass(a, route_share(&w.routing, q), step_ms, horizon, &mut mass);
            }
        }
        // Replayed rows: exact holding when the row has its handle time.
        let mut exact = 0.0;
        if let Some(rep) = &sc.traffic.replay {
            let groups = rep.groups.len().max(1) as f64;
            for row in rep
                .rows
                .iter()
                .filter(|r| r.queue == q && r.arrival < horizon)
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
                    None => mass[bin] += 1.0 / groups,
                }
            }
        }
        let total: f64 = mass.iter().sum();
        if total + exact <= 0.0 {
            continue;
        }
        let s = survival[ws].get_or_insert_with(|| Survival::of(sc, ws));
        if total > 0.0 {
            // A forecast's `aht` column scales the holding time of the conversations arriving
            // in its intervals (handle and held wrap-up together: an approximation for the
            // wrap-up); one kernel per distinct factor.
            let aht = sc.traffic.aht.get(q.index()).and_then(|a| a.as_ref());
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
    }
}
