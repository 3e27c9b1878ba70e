//! Arrival processes: Poisson at a rate, piecewise-constant Poisson profiles (exact inversion
//! across segment boundaries) and fixed lists of times.

use crate::rng::SimRng;
use crate::scenario::Arrivals;
use crate::time::{SimDuration, SimTime};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Source};

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

    #[test]
    fn fixed_times_stop_at_the_horizon() {
        let spec = Arrivals::Times(vec![SimTime(0), SimTime(5_000), SimTime(20_000)]);
        assert_eq!(count(&spec, 10), 2);
    }
}
