//! The forecasting method and its baselines, all on one queue's days (`&[Day]`, date order).
//!
//! Method `level-profile` (after Weinberg, Brown & Stroud 2007; Shen & Huang 2008): the day's
//! level is forecast on log day totals, the intraday profile separately; forecast =
//! exp(level) × profile.
//!
//! - **Level** ([`fit_level`]): a per-weekday exponentially weighted mean (weight
//!   [`Params::beta`] on the newest same weekday) of the log totals *with the calendar effects
//!   taken out*, plus the last day's one-step residual damped by [`Params::phi`] per day of lead
//!   (an AR(1) on the weekday-adjusted log totals), plus the target day's calendar effects. Two
//!   calendar effects, estimated from the history's own residuals: the **time of month** (six
//!   bins of the day of the month: 1–5, 6–10, 11–15, 16–20, 21–25, 26–31; a bank's
//!   turn-of-month days run 5–7% above its mid-month days) and the **day after a closure** (the
//!   first open day after an open weekday without traffic, a holiday: callers who could not call
//!   call the next day). Each effect is its residuals' sum ÷ (count + [`Params::calendar_prior`])
//!   — shrunk toward 0 while few days back it — and the fit runs twice (effects, then the level
//!   without them, then the effects again).
//! - **Profile**: the average share profile of the last [`Params::k_profile`] same weekdays,
//!   shrunk by [`Params::shrink`] toward the average profile of the last 5·K days of any weekday.
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

use jiff::civil::Date;

use super::{weekday_index, Day};

/// The method's parameters (chosen by the backtests recorded in `docs/forecast.md`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Params {
    /// Weight of the newest same-weekday log total in the per-weekday level (0–1).
    pub beta: f64,
    /// Share of the last one-step log-total residual carried to the next day (per day of lead).
    pub phi: f64,
    /// Pseudo-days of zero effect each calendar effect is shrunk with (its estimate is its
    /// residuals' sum ÷ (count + this)); 0 would trust one day's residual fully.
    pub calendar_prior: f64,
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
            beta: 0.25,
            phi: 0.5,
            calendar_prior: 3.0,
            k_profile: 8,
            shrink: 0.3,
            error_days: 60,
        }
    }
}

/// The day a forecast is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// Its date (weekday and day of the month come from it).
    pub date: Date,
    /// It is the first open day after a closure (an open weekday without traffic between it and
    /// the open day before it): see [`after_closure`].
    pub after_closure: bool,
}

impl Target {
    /// A target that does not follow a closure (the next open days of a forecast: the future's
    /// holidays are not known).
    pub fn plain(date: Date) -> Target {
        Target {
            date,
            after_closure: false,
        }
    }

    fn weekday(&self) -> usize {
        weekday_index(self.date)
    }
}

/// Whether an open weekday (`open`, Monday = 0) falls strictly between `prev` and `date`: then
/// `date` is the first open day after a closure (a holiday).
pub fn after_closure(prev: Date, date: Date, open: &[bool; 7]) -> bool {
    let mut d = prev;
    while let Ok(next) = d.tomorrow() {
        if next >= date {
            return false;
        }
        if open[weekday_index(next)] {
            return true;
        }
        d = next;
    }
    false
}

/// The time-of-month bin of a date: days 1–5, 6–10, 11–15, 16–20, 21–25, 26–31 → 0 … 5.
fn month_bin(d: Date) -> usize {
    ((d.day() as usize - 1) / 5).min(5)
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

/// The fitted level of `days`: per-weekday log levels without the calendar effects, the last
/// one-step residual without them, and the effects.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelFit {
    /// Per weekday (Monday = 0): the smoothed log total with the calendar effects taken out.
    pub weekday: [Option<f64>; 7],
    /// The last day's one-step residual (log), calendar effects taken out.
    pub last_residual: f64,
    /// Time-of-month effects (log), by `month_bin`.
    pub month: [f64; 6],
    /// The day-after-a-closure effect (log).
    pub after_closure: f64,
}

/// Fits the level of `days` (date order): see the module documentation.
pub fn fit_level(days: &[Day], p: &Params) -> LevelFit {
    let mut open = [false; 7];
    for d in days {
        open[d.weekday] = true;
    }
    let follows: Vec<bool> = (0..days.len())
        .map(|i| i > 0 && after_closure(days[i - 1].date, days[i].date, &open))
        .collect();
    let (mut month, mut hol) = ([0.0f64; 6], 0.0f64);
    let mut fit = LevelFit {
        weekday: [None; 7],
        last_residual: 0.0,
        month,
        after_closure: hol,
    };
    for _pass in 0..2 {
        let mut s: [Option<f64>; 7] = [None; 7];
        // (residual with the effects in, month bin, after a closure)
        let mut rs: Vec<(f64, usize, bool)> = Vec::with_capacity(days.len());
        for (d, &f) in days.iter().zip(&follows) {
            let bin = month_bin(d.date);
            let adj = month[bin] + if f { hol } else { 0.0 };
            let y = d.total().ln() - adj;
            s[d.weekday] = Some(match s[d.weekday] {
                Some(l) => {
                    rs.push((y - l + adj, bin, f));
                    p.beta * y + (1.0 - p.beta) * l
                }
                None => y,
            });
        }
        let (mut sum, mut n) = ([0.0f64; 6], [0usize; 6]);
        for &(r, b, f) in &rs {
            if !f {
                sum[b] += r;
                n[b] += 1;
            }
        }
        for b in 0..6 {
            month[b] = sum[b] / (n[b] as f64 + p.calendar_prior).max(f64::MIN_POSITIVE);
        }
        let (hs, hn) = rs
            .iter()
            .filter(|r| r.2)
            .fold((0.0, 0usize), |(a, k), &(r, b, _)| {
                (a + r - month[b], k + 1)
            });
        hol = hs / (hn as f64 + p.calendar_prior).max(f64::MIN_POSITIVE);
        let last = rs
            .last()
            .map_or(0.0, |&(r, b, f)| r - month[b] - if f { hol } else { 0.0 });
        fit = LevelFit {
            weekday: s,
            last_residual: last,
            month,
            after_closure: hol,
        };
    }
    fit
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

/// The log level forecast for `target`, `lead` open days after the last of `days`.
fn log_level(days: &[Day], target: Target, lead: u32, p: &Params) -> Option<f64> {
    let f = fit_level(days, p);
    let hol = if target.after_closure {
        f.after_closure
    } else {
        0.0
    };
    Some(
        f.weekday[target.weekday()]?
            + p.phi.powi(lead as i32) * f.last_residual
            + f.month[month_bin(target.date)]
            + hol,
    )
}

/// The mean forecast for `target`, `lead` (≥ 1) open days after the last of `days`; `None`
/// when `days` has no day of its weekday.
pub fn point(days: &[Day], target: Target, lead: u32, p: &Params) -> Option<Vec<f64>> {
    let level = log_level(days, target, lead, p)?.exp();
    Some(
        profile(days, target.weekday(), p)?
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

/// Scored days the interval's calibration needs: with fewer, [`spread`] falls back on a fixed
/// `V` and the interval is not calibrated (`omnisim forecast` warns, and marks the day in
/// `forecast.json`).
pub const MIN_CALIBRATION_DAYS: usize = 5;

/// Estimates the [`Spread`] at `level` percent. With fewer than [`MIN_CALIBRATION_DAYS`]
/// scorable days, `V` is 0.02 (a log standard deviation of 14%): not calibrated.
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
        let target = Target {
            date: day.date,
            after_closure: follows_closure(days, t),
        };
        let (Some(y), Some(prof)) = (
            log_level(hist, target, lead, p),
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
    if level_sq.len() < MIN_CALIBRATION_DAYS {
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

/// Whether `days[t]` is the first open day after a closure, judged on `days` (the open
/// weekdays are those of `days`): the calendar knows a past holiday in advance.
pub fn follows_closure(days: &[Day], t: usize) -> bool {
    let mut open = [false; 7];
    for d in days {
        open[d.weekday] = true;
    }
    t > 0 && after_closure(days[t - 1].date, days[t].date, &open)
}

/// Mean and interval for `target`, `lead` open days after the last of `days`.
pub fn forecast(
    days: &[Day],
    target: Target,
    lead: u32,
    level: f64,
    p: &Params,
) -> Option<DayForecast> {
    let mean = point(days, target, lead, p)?;
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
