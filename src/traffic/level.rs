//! Forecast error as a random day level: `[traffic] forecast = { file = "…", uncertainty = true }`.
//!
//! With `uncertainty = true` each replication multiplies every interval of a forecast day by one
//! level factor `L` drawn for that day (a doubly stochastic arrival process: the day's rate is
//! random, arrivals are Poisson given it), so runs and `omnisim staff`'s verification see the
//! forecast's error, not only Poisson noise.
//!
//! **The level's law.** `L = exp(σ·Z − σ²/2)`, `Z` standard normal: lognormal with **mean 1**
//! (so the mean offered load, and `staff`'s Erlang requirement, are the forecast's), one
//! independent draw per day and queue (day errors are not correlated across days here).
//!
//! **σ from the band.** A forecast row's band `[volume_lo, volume_hi]` is read as the central
//! `level` % interval of that interval's *count* (as `omnisim forecast` builds it:
//! `f·exp(±z·√(V + 1/f))`, `1/f` the Poisson variance of a log count, `V` the variance beyond
//! Poisson). So each row gives `V = (ln(hi ÷ lo) ÷ 2z)² − 1/max(f, ½)` ([`row_extra_variance`]),
//! and the day's `σ² = V` averaged over its rows with `volume > 0` and `volume_lo > 0`, floored
//! at 0 (a band narrower than Poisson adds nothing). Poisson noise is removed because the
//! simulator draws it itself; all the rest of the band (the level error *and* the profile
//! error, which `omnisim forecast` calibrates together) is attributed to the day level: an
//! assumption that makes a simulated interval's count cover the band at about `level` %
//! while it overstates the spread of the day's *total* (the profile errors of a day partly
//! cancel in the total). `docs/forecast.md` states it for users.
//!
//! **Days** are the local calendar dates of the rows' interval starts.
//!
//! Theory used by the tests: a day of mean count `Λ` has `Var N = Λ + Λ²·(e^{σ²} − 1)`
//! ([`day_count_variance`]).

use statrs::distribution::{ContinuousCDF, Normal};

use crate::rng::SimRng;
use crate::time::SimTime;

/// The random-stream tag of the day levels (`Source::Other { tag, index: queue }`): a stream of
/// its own, so a scenario without `uncertainty` draws exactly what it drew before.
pub const LEVEL_TAG: u32 = 1012;

/// The widest day-level spread a forecast band may imply (log standard deviation): at σ = 1
/// the level's median is already e^{−½} ≈ 61% of the forecast and its 10th percentile 17%.
/// A wider band is refused (it is almost surely a unit or export error: bands of 0.001 to
/// 100,000 around 100 gave σ ≈ 7 and no arrivals at all).
pub const MAX_LEVEL_SIGMA: f64 = 1.0;

/// One queue's forecast days and the spread of their levels.
#[derive(Clone, Debug, PartialEq)]
pub struct DayLevels {
    /// `(the day's first interval start, σ)`, sorted by time: σ is the standard deviation of
    /// the day's log level (dimensionless; 0.06 is about ±6%).
    pub days: Vec<(SimTime, f64)>,
}

impl DayLevels {
    /// One level factor per day (in [`DayLevels::days`] order) for one replication: lognormal
    /// of mean 1 and log standard deviation σ. Consumes one normal draw per day from `rng`.
    pub fn draw(&self, rng: &mut SimRng) -> Vec<f64> {
        use rand_distr::Distribution;
        self.days
            .iter()
            .map(|&(_, s)| {
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                (s * z - 0.5 * s * s).exp()
            })
            .collect()
    }

    /// σ of the day that `t` falls in: the last day starting at or before `t` (0 before the
    /// first day).
    pub fn sigma_at(&self, t: SimTime) -> f64 {
        let i = self.days.partition_point(|(start, _)| *start <= t);
        if i == 0 {
            0.0
        } else {
            self.days[i - 1].1
        }
    }

    /// `profile` (`(from, rate per second)`, sorted) with each segment's rate multiplied by the
    /// factor of its day: the last day starting at or before the segment (segments before the
    /// first day keep their rate). `factors` is [`DayLevels::draw`]'s output.
    pub fn apply(&self, profile: &[(SimTime, f64)], factors: &[f64]) -> Vec<(SimTime, f64)> {
        profile
            .iter()
            .map(|&(from, rate)| {
                let i = self.days.partition_point(|(start, _)| *start <= from);
                let k = if i == 0 { 1.0 } else { factors[i - 1] };
                (from, rate * k)
            })
            .collect()
    }
}

/// The normal quantile `z` of a central interval of `level` percent (80 → 1.2816).
pub fn z_of(level: f64) -> f64 {
    let n = Normal::new(0.0, 1.0).expect("standard normal");
    n.inverse_cdf(0.5 + level / 200.0)
}

/// The variance of a row's log count beyond Poisson implied by its band: `(ln(hi ÷ lo) ÷ 2z)²
/// − 1/max(volume, ½)`, not floored; `None` when the row says nothing (`volume` or `lo` is 0).
pub fn row_extra_variance(volume: f64, lo: f64, hi: f64, z: f64) -> Option<f64> {
    if volume <= 0.0 || lo <= 0.0 || z <= 0.0 {
        return None;
    }
    let sd = (hi / lo).ln() / (2.0 * z);
    Some(sd * sd - 1.0 / volume.max(0.5))
}

/// σ of a day from its rows' extra variances ([`row_extra_variance`]): the square root of their
/// mean floored at 0; 0 for a day without a usable row.
pub fn day_sigma(extra: &[f64]) -> f64 {
    if extra.is_empty() {
        return 0.0;
    }
    (extra.iter().sum::<f64>() / extra.len() as f64)
        .max(0.0)
        .sqrt()
}

/// `Var N` of a day's arrival count under the doubly stochastic process: `Λ + Λ²·(e^{σ²} − 1)`,
/// `Λ` the day's mean count (Poisson given the level, plus the level's variance `e^{σ²} − 1`).
pub fn day_count_variance(mean: f64, sigma: f64) -> f64 {
    mean + mean * mean * ((sigma * sigma).exp() - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Source};

    /// The band `omnisim forecast` writes, `f·exp(±z·√(V + 1/f))`, gives back its `V`.
    #[test]
    fn the_band_gives_back_its_extra_variance() {
        let (f, v, z) = (398.8_f64, 0.004, z_of(80.0));
        assert!((z - 1.281_551_565).abs() < 1e-6, "{z}");
        let sd = (v + 1.0 / f).sqrt();
        let (lo, hi) = (f * (-z * sd).exp(), f * (z * sd).exp());
        let got = row_extra_variance(f, lo, hi, z).unwrap();
        assert!((got - v).abs() < 1e-12, "{got}");
        // The bundled bank forecast's first row (398.8, 359.9–442.0 at 80%): V ≈ 0.00393.
        let bank = row_extra_variance(398.8, 359.9, 442.0, z).unwrap();
        assert!((bank - 0.00393).abs() < 0.00002, "{bank}");
        assert_eq!(row_extra_variance(0.0, 0.0, 3.0, z), None);
        // A band narrower than Poisson adds no level spread.
        assert_eq!(day_sigma(&[-0.001, -0.002]), 0.0);
        assert_eq!(day_sigma(&[]), 0.0);
        assert!((day_sigma(&[0.01, 0.03]) - 0.02_f64.sqrt()).abs() < 1e-15);
    }

    /// Factors have mean 1 and log standard deviation σ (20,000 draws: the sample mean's sd is
    /// about σ/√n = 0.0014, the tolerance 0.006 is over 4 sd); segments take their day's factor.
    #[test]
    fn factors_have_mean_one_and_apply_by_day() {
        let d = DayLevels {
            days: vec![(SimTime(0), 0.2), (SimTime(86_400_000), 0.0)],
        };
        let mut rng = stream(
            7,
            0,
            Source::Other {
                tag: LEVEL_TAG,
                index: 0,
            },
        );
        let n = 20_000;
        let (mut sum, mut sum_log2) = (0.0, 0.0);
        for _ in 0..n {
            let f = d.draw(&mut rng);
            assert_eq!(f[1], 1.0, "σ = 0: the factor is exactly 1");
            sum += f[0];
            sum_log2 += (f[0].ln() + 0.02).powi(2);
        }
        let mean = sum / n as f64;
        assert!((mean - 1.0).abs() < 0.006, "{mean}");
        let sd_log = (sum_log2 / n as f64).sqrt();
        assert!((sd_log - 0.2).abs() < 0.006, "{sd_log}");
        let profile = vec![
            (SimTime(0), 1.0),
            (SimTime(3_600_000), 0.0),
            (SimTime(86_400_000), 2.0),
            (SimTime(90_000_000), 0.0),
        ];
        assert_eq!(
            d.apply(&profile, &[1.5, 0.5]),
            vec![
                (SimTime(0), 1.5),
                (SimTime(3_600_000), 0.0),
                (SimTime(86_400_000), 1.0),
                (SimTime(90_000_000), 0.0)
            ]
        );
    }
}
