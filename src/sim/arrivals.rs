//! Arrival processes: Poisson at a rate, piecewise-constant Poisson profiles (exact inversion
//! across segment boundaries) and fixed lists of times; a forecast's profile scaled by this
//! replication's day levels (`uncertainty = true`, [`crate::traffic::level`]).

use crate::rng::{stream, SimRng, Source};
use crate::scenario::Arrivals;
use crate::time::{SimDuration, SimTime};
use crate::traffic::level::{DayLevels, LEVEL_TAG};

/// One queue's arrival process.
#[derive(Debug)]
pub(crate) struct ArrivalProcess {
    rng: SimRng,
    next_index: usize,
    /// For a constant rate: the mean gap in milliseconds (`1000 / rate`), so a draw multiplies
    /// instead of dividing.
    mean_gap_ms: f64,
    /// Replayed arrival times (sorted) that replace the queue's own process.
    replayed: Option<Vec<SimTime>>,
    /// This replication's profile (the forecast's, each day scaled by its drawn level) that
    /// replaces the queue's own.
    leveled: Option<Vec<(SimTime, f64)>>,
}

impl ArrivalProcess {
    /// The process of `spec`, drawing from `rng`.
    pub(crate) fn new(rng: SimRng, spec: &Arrivals) -> Self {
        let mean_gap_ms = match spec {
            Arrivals::Rate(rate) if *rate > 0.0 => 1000.0 / rate,
            _ => 0.0,
        };
        ArrivalProcess {
            rng,
            next_index: 0,
            mean_gap_ms,
            replayed: None,
            leveled: None,
        }
    }

    /// A process that follows `profile` (a forecast's, scaled by this replication's day
    /// levels), whatever the queue's own spec.
    pub(crate) fn leveled(rng: SimRng, profile: Vec<(SimTime, f64)>) -> Self {
        ArrivalProcess {
            leveled: Some(profile),
            ..ArrivalProcess::new(rng, &Arrivals::None)
        }
    }

    /// A process that yields `times` (sorted: a replayed history's arrivals), whatever the
    /// queue's own spec.
    pub(crate) fn replayed(rng: SimRng, times: Vec<SimTime>) -> Self {
        ArrivalProcess {
            replayed: Some(times),
            ..ArrivalProcess::new(rng, &Arrivals::None)
        }
    }

    /// The first arrival at or after `now`, strictly before `horizon`, or `None` when arrivals are over.
    pub(crate) fn next(
        &mut self,
        spec: &Arrivals,
        now: SimTime,
        horizon: SimTime,
    ) -> Option<SimTime> {
        if let Some(times) = &self.replayed {
            let t = *times.get(self.next_index)?;
            self.next_index += 1;
            return (t < horizon).then_some(t.max(now));
        }
        if let Some(segments) = self.leveled.take() {
            let t = self.next_in_profile(&segments, now, horizon);
            self.leveled = Some(segments);
            return t.filter(|t| *t < horizon);
        }
        let t = match spec {
            Arrivals::None => return None,
            Arrivals::Times(times) => {
                let t = *times.get(self.next_index)?;
                self.next_index += 1;
                t.max(now)
            }
            Arrivals::Rate(rate) => {
                if *rate <= 0.0 {
                    return None;
                }
                now + SimDuration::from_millis_f64(self.rng.exp1() * self.mean_gap_ms)
            }
            Arrivals::Profile(segments) => self.next_in_profile(segments, now, horizon)?,
        };
        (t < horizon).then_some(t)
    }

    /// Inversion of the cumulative rate: an Exp(1) amount of "rate mass" is spent across segments.
    fn next_in_profile(
        &mut self,
        segments: &[(SimTime, f64)],
        now: SimTime,
        horizon: SimTime,
    ) -> Option<SimTime> {
        let mut mass = self.rng.exp1();
        let mut t = now.as_millis() as f64 / 1000.0;
        let end = horizon.as_millis() as f64 / 1000.0;
        let mut i = segments
            .iter()
            .rposition(|(from, _)| from.as_millis() as f64 / 1000.0 <= t)?;
        loop {
            let rate = segments[i].1;
            let seg_end = segments
                .get(i + 1)
                .map_or(f64::INFINITY, |(from, _)| from.as_millis() as f64 / 1000.0)
                .min(end);
            if rate > 0.0 {
                let dt = mass / rate;
                if t + dt < seg_end {
                    return Some(SimTime(crate::time::round_non_negative((t + dt) * 1000.0)));
                }
                mass -= (seg_end - t) * rate;
            }
            if seg_end >= end || i + 1 >= segments.len() {
                return None;
            }
            t = seg_end;
            i += 1;
        }
    }
}

impl<E: crate::engine::RulesEngine> super::world::World<'_, E> {
    /// Replaces the arrival process of each queue whose forecast has day levels
    /// (`uncertainty = true`) by its profile scaled by this replication's level factors, drawn
    /// from the stream `Source::Other { tag: LEVEL_TAG, index: queue }`; the arrival times
    /// still come from the queue's own stream. A scenario without levels draws nothing here.
    pub(crate) fn install_levels(&mut self, seed: u64, rep: u32) {
        for (q, levels) in self.sc.traffic.levels.iter().enumerate() {
            let (Some(levels), Arrivals::Profile(profile)) = (levels, &self.sc.queues[q].arrivals)
            else {
                continue;
            };
            self.intake.queues[q] = ArrivalProcess::leveled(
                stream(seed, rep, Source::Arrivals(q as u32)),
                leveled_profile(levels, profile, seed, rep, q),
            );
        }
    }
}

/// Queue `q`'s `profile` scaled by the day levels of replication `rep` (its own stream).
pub(crate) fn leveled_profile(
    levels: &DayLevels,
    profile: &[(SimTime, f64)],
    seed: u64,
    rep: u32,
    q: usize,
) -> Vec<(SimTime, f64)> {
    let mut rng = stream(
        seed,
        rep,
        Source::Other {
            tag: LEVEL_TAG,
            index: q as u64,
        },
    );
    levels.apply(profile, &levels.draw(&mut rng))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(spec: &Arrivals, horizon_s: u64) -> usize {
        let mut p = ArrivalProcess::new(stream(1, 0, Source::Arrivals(0)), spec);
        let horizon = SimTime(horizon_s * 1000);
        let mut now = SimTime::ZERO;
        let mut n = 0;
        while let Some(t) = p.next(spec, now, horizon) {
            assert!(t >= now);
            now = t;
            n += 1;
        }
        n
    }

    #[test]
    fn poisson_rate_gives_the_expected_count() {
        // 10/s for 10,000 s: 100,000 ± 5 sd (sd ≈ 316).
        let n = count(&Arrivals::Rate(10.0), 10_000) as f64;
        assert!((n - 100_000.0).abs() < 1_600.0, "{n}");
    }

    #[test]
    fn profile_follows_its_segments() {
        // 0/s for the first 1,000 s, then 20/s for 1,000 s, then 5/s for 2,000 s: 30,000 expected.
        let spec = Arrivals::Profile(vec![
            (SimTime(0), 0.0),
            (SimTime(1_000_000), 20.0),
            (SimTime(2_000_000), 5.0),
        ]);
        let n = count(&spec, 4_000) as f64;
        assert!((n - 30_000.0).abs() < 900.0, "{n}");
    }

    /// Issue 23: with `uncertainty = true` the day counts are doubly stochastic. Day 1: Λ = 1000
    /// over 10 h, σ = 0.2, so Var N = Λ + Λ²(e^{σ²} − 1) = 1000 + 40,810.8 = 41,810.8 (Poisson
    /// alone: 1000); day 2: Λ = 500, σ = 0.1: 500 + 2,512.5 = 3,012.5. 2,000 replications: the
    /// sample variance's relative sd is about √(2/n)·√(1 + κ/2) ≈ 3.6% (κ ≈ 16σ², the
    /// lognormal's excess kurtosis), so ±12% is over 3 sd; means within 3 sd; the two days'
    /// levels are independent (|r| < 0.1, 4.5 sd).
    #[test]
    fn day_counts_have_poisson_plus_level_variance() {
        let day = 86_400_000;
        let profile = vec![
            (SimTime(0), 1000.0 / 36_000.0),
            (SimTime(36_000_000), 0.0),
            (SimTime(day), 500.0 / 36_000.0),
            (SimTime(day + 36_000_000), 0.0),
        ];
        let levels = DayLevels {
            days: vec![(SimTime(0), 0.2), (SimTime(day), 0.1)],
        };
        let horizon = SimTime(2 * day);
        let n = 2000u32;
        let mut counts: Vec<(f64, f64)> = Vec::new();
        for rep in 0..n {
            let scaled = leveled_profile(&levels, &profile, 11, rep, 0);
            let mut p = ArrivalProcess::leveled(stream(11, rep, Source::Arrivals(0)), scaled);
            let (mut now, mut c) = (SimTime::ZERO, (0.0, 0.0));
            while let Some(t) = p.next(&Arrivals::None, now, horizon) {
                now = t;
                if t.as_millis() < day {
                    c.0 += 1.0;
                } else {
                    c.1 += 1.0;
                }
            }
            counts.push(c);
        }
        let stats = |x: Vec<f64>| {
            let m = x.iter().sum::<f64>() / x.len() as f64;
            let v = x.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64;
            (m, v)
        };
        let (m1, v1) = stats(counts.iter().map(|c| c.0).collect());
        let (m2, v2) = stats(counts.iter().map(|c| c.1).collect());
        let want1 = crate::traffic::level::day_count_variance(1000.0, 0.2);
        let want2 = crate::traffic::level::day_count_variance(500.0, 0.1);
        assert!((want1 - 41_810.8).abs() < 0.1 && (want2 - 3_012.5).abs() < 0.1);
        assert!(
            (m1 - 1000.0).abs() < 3.0 * (want1 / n as f64).sqrt(),
            "{m1}"
        );
        assert!((m2 - 500.0).abs() < 3.0 * (want2 / n as f64).sqrt(), "{m2}");
        assert!((v1 / want1 - 1.0).abs() < 0.12, "day 1: {v1} vs {want1}");
        assert!((v2 / want2 - 1.0).abs() < 0.12, "day 2: {v2} vs {want2}");
        let cov = counts.iter().map(|c| (c.0 - m1) * (c.1 - m2)).sum::<f64>() / (n - 1) as f64;
        let r = cov / (v1 * v2).sqrt();
        assert!(r.abs() < 0.1, "days correlated: r = {r}");
    }

    #[test]
    fn fixed_times_stop_at_the_horizon() {
        let spec = Arrivals::Times(vec![SimTime(0), SimTime(5_000), SimTime(20_000)]);
        assert_eq!(count(&spec, 10), 2);
    }
}
