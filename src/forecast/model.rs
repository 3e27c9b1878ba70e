//! The forecasting method and its baselines, all on one queue's days (`&[Day]`, date order).
//!
//! Method `level-profile` (after Weinberg, Brown & Stroud 2007; Shen & Huang 2008): the day's
//! level is forecast on log day totals: a per-weekday exponentially weighted mean (weight
//! [`Params::beta`] on the newest same weekday) plus the last day's one-step residual damped by
//! [`Params::phi`] per day of lead (an AR(1) on the weekday-adjusted log totals). The intraday
//! profile is the average share profile of the last [`Params::k_profile`] same weekdays,
//! shrunk by [`Params::shrink`] toward the average profile of the last 5·K days of any weekday.
//! Forecast = exp(level) × profile.
//!
//! Prediction interval at level `p` in bucket `b` of mean `f`: `f·exp(±z·√(V + 1/f))`, `z` the
//! normal `(1+p)/2` quantile, `1/f` the Poisson variance of a log count, and `V` the variance
//! beyond Poisson, calibrated on the history's own lead-h forecast errors (level and profile
//! together) so that `p` percent of the history's buckets fall inside ([`spread`]): the day
//! level's error (over-dispersion between days) is in `V`, not only Poisson noise.
//!
//! Baselines: seasonal naive (the last earlier day of the same weekday, by date) and the mean
//! of the last four same weekdays.

use statrs::distribution::{ContinuousCDF, Normal};

use super::Day;

/// The method's parameters (chosen by the backtests recorded in `docs/forecast.md`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Params {
    /// Weight of the newest same-weekday log total in the per-weekday level (0–1).
    pub beta: f64,
    /// Share of the last one-step log-total residual carried to the next day (per day of lead).
    pub phi: f64,
    /// Same weekdays averaged for the intraday profile.
    pub k_profile: usize,
    /// Weight of the all-weekday profile in the profile (0–1).
    pub shrink: f64,
    /// Past days whose one-step errors estimate the interval's spread.
    pub error_days: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            beta: 0.15,
            phi: 0.35,
            k_profile: 8,
            shrink: 0.3,
            error_days: 60,
        }
    }
}

/// A forecast of one day: mean and interval per bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct DayForecast {
    /// Mean volume per bucket.
    pub mean: Vec<f64>,
    /// Lower bound per bucket.
    pub lo: Vec<f64>,
    /// Upper bound per bucket.
    pub hi: Vec<f64>,
}

/// The per-weekday level of `days` (log totals) and the last one-step residual.
fn levels(days: &[Day], beta: f64) -> ([Option<f64>; 7], f64) {
    let mut s: [Option<f64>; 7] = [None; 7];
    let mut last_r = 0.0;
    for d in days {
        let y = d.total().ln();
        s[d.weekday] = Some(match s[d.weekday] {
            Some(l) => {
                last_r = y - l;
                beta * y + (1.0 - beta) * l
            }
            None => y,
        });
    }
    (s, last_r)
}

/// The mean share profile of `days` (each day's volumes ÷ its total); `None` when empty.
fn share_profile<'a>(days: impl Iterator<Item = &'a Day>, n: usize) -> Option<Vec<f64>> {
    let mut acc = vec![0.0; n];
    let mut k = 0usize;
    for d in days {
        let t = d.total();
        for (a, v) in acc.iter_mut().zip(&d.volumes) {
            *a += v / t;
        }
        k += 1;
    }
    (k > 0).then(|| acc.iter().map(|a| a / k as f64).collect())
}

/// The profile for `weekday` from `days`.
fn profile(days: &[Day], weekday: usize, p: &Params) -> Option<Vec<f64>> {
    let n = days.first()?.volumes.len();
    let same = share_profile(
        days.iter()
            .rev()
            .filter(|d| d.weekday == weekday)
            .take(p.k_profile),
        n,
    )?;
    let all = share_profile(days.iter().rev().take(p.k_profile * 5), n)?;
    Some(
        same.iter()
            .zip(&all)
            .map(|(s, a)| (1.0 - p.shrink) * s + p.shrink * a)
            .collect(),
    )
}

/// The log level forecast for `weekday`, `lead` open days after the last of `days`.
fn log_level(days: &[Day], weekday: usize, lead: u32, p: &Params) -> Option<f64> {
    let (s, r) = levels(days, p.beta);
    Some(s[weekday]? + p.phi.powi(lead as i32) * r)
}

/// The mean forecast for a day of `weekday`, `lead` (≥ 1) open days after the last of `days`;
/// `None` when `days` has no day of that weekday.
pub fn point(days: &[Day], weekday: usize, lead: u32, p: &Params) -> Option<Vec<f64>> {
    let level = log_level(days, weekday, lead, p)?.exp();
    Some(
        profile(days, weekday, p)?
            .iter()
            .map(|s| s * level)
            .collect(),
    )
}

/// The spread of the interval, from the history's own lead-`lead` forecast errors over the
/// last [`Params::error_days`] days of `days` (each forecast from the days before it).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Spread {
    /// Root mean square of the day totals' log errors (the day level's uncertainty).
    pub sigma_level: f64,
    /// `V`: the variance of a bucket's log count beyond Poisson, calibrated so that
    /// `|log((x+½)/(f+½))| ≤ z·√(V + 1/f)` holds for `level` percent of the history's buckets.
    pub extra_var: f64,
    /// Days whose errors were used.
    pub days: usize,
}

/// Estimates the [`Spread`] at `level` percent. With fewer than 5 scorable days, `V` is 0.02
/// (a log standard deviation of 14%).
pub fn spread(days: &[Day], lead: u32, level: f64, p: &Params) -> Spread {
    let mut level_sq = Vec::new();
    let mut errs: Vec<(f64, f64)> = Vec::new(); // (|log error|, 1/f)
    let start = days
        .len()
        .saturating_sub(p.error_days)
        .max(10 + lead as usize);
    for t in start..days.len() {
        let hist = &days[..t + 1 - lead as usize];
        let day = &days[t];
        let (Some(y), Some(prof)) = (
            log_level(hist, day.weekday, lead, p),
            profile(hist, day.weekday, p),
        ) else {
            continue;
        };
        level_sq.push((day.total().ln() - y).powi(2));
        let scale = y.exp();
        for (s, v) in prof.iter().zip(&day.volumes) {
            let f = s * scale;
            if f > 0.0 {
                errs.push((((v + 0.5) / (f + 0.5)).ln().abs(), 1.0 / f.max(0.5)));
            }
        }
    }
    if level_sq.len() < 5 {
        return Spread {
            sigma_level: 0.1,
            extra_var: 0.02,
            days: level_sq.len(),
        };
    }
    let z = z_of(level);
    let covered = |v: f64| {
        errs.iter()
            .filter(|(e, pv)| *e <= z * (v + pv).sqrt())
            .count() as f64
            / errs.len() as f64
    };
    let (mut lo, mut hi) = (0.0, 4.0);
    if covered(lo) >= level / 100.0 {
        hi = 0.0;
    }
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if covered(mid) >= level / 100.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Spread {
        sigma_level: (level_sq.iter().sum::<f64>() / level_sq.len() as f64).sqrt(),
        extra_var: hi,
        days: level_sq.len(),
    }
}

/// The normal quantile `z` of a central interval at `level` percent (e.g. 80 → 1.2816).
pub fn z_of(level: f64) -> f64 {
    let n = Normal::new(0.0, 1.0).expect("standard normal");
    n.inverse_cdf(0.5 + level / 200.0)
}

/// Mean and interval for a day of `weekday`, `lead` open days after the last of `days`.
pub fn forecast(
    days: &[Day],
    weekday: usize,
    lead: u32,
    level: f64,
    p: &Params,
) -> Option<DayForecast> {
    let mean = point(days, weekday, lead, p)?;
    let v = spread(days, lead, level, p).extra_var;
    let z = z_of(level);
    let (mut lo, mut hi) = (Vec::new(), Vec::new());
    for &f in &mean {
        let sd = (v + 1.0 / f.max(0.5)).sqrt();
        lo.push(f * (-z * sd).exp());
        hi.push(f * (z * sd).exp());
    }
    Some(DayForecast { mean, lo, hi })
}

/// Seasonal naive: the volumes of the last day of `days` with `weekday`.
pub fn seasonal_naive(days: &[Day], weekday: usize) -> Option<Vec<f64>> {
    days.iter()
        .rev()
        .find(|d| d.weekday == weekday)
        .map(|d| d.volumes.clone())
}

/// The mean volumes of the last `k` days of `days` with `weekday`.
pub fn same_weekday_mean(days: &[Day], weekday: usize, k: usize) -> Option<Vec<f64>> {
    let picked: Vec<&Day> = days
        .iter()
        .rev()
        .filter(|d| d.weekday == weekday)
        .take(k)
        .collect();
    let first = picked.first()?;
    let mut acc = vec![0.0; first.volumes.len()];
    for d in &picked {
        for (a, v) in acc.iter_mut().zip(&d.volumes) {
            *a += v;
        }
    }
    Some(acc.iter().map(|a| a / picked.len() as f64).collect())
}
