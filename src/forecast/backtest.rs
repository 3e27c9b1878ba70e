//! `--backtest N`: each of the last N days forecast from the days before it (rolling origin,
//! `lead` open days ahead), scored on interval counts beside the two baselines.

use serde::Serialize;

use super::model::{follows_closure, forecast, same_weekday_mean, seasonal_naive, Params, Target};
use super::Day;

/// Scores of one method over the backtest days.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    /// The method's name.
    pub method: String,
    /// Root mean squared error of interval counts (calls per interval).
    pub rmse: f64,
    /// Mean absolute percentage error of day totals (percent).
    pub mape_day_pct: f64,
    /// Share of actual interval counts inside the prediction interval (0–1); `None` for a
    /// method without one.
    pub coverage: Option<f64>,
    /// Days scored.
    pub days: usize,
}

/// Accumulates squared errors, day APEs and coverage.
#[derive(Default)]
struct Acc {
    se: f64,
    n: usize,
    ape: Vec<f64>,
    inside: usize,
}

impl Acc {
    fn add(&mut self, actual: &[f64], mean: &[f64], band: Option<(&[f64], &[f64])>) {
        for (i, (a, f)) in actual.iter().zip(mean).enumerate() {
            self.se += (a - f).powi(2);
            self.n += 1;
            if let Some((lo, hi)) = band {
                if lo[i] <= *a && *a <= hi[i] {
                    self.inside += 1;
                }
            }
        }
        let (ta, tf): (f64, f64) = (actual.iter().sum(), mean.iter().sum());
        if ta > 0.0 {
            self.ape.push((tf - ta).abs() / ta);
        }
    }

    fn score(&self, method: &str, band: bool) -> Score {
        let n = self.n.max(1) as f64;
        Score {
            method: method.to_string(),
            rmse: (self.se / n).sqrt(),
            mape_day_pct: 100.0 * self.ape.iter().sum::<f64>() / self.ape.len().max(1) as f64,
            coverage: band.then(|| self.inside as f64 / n),
            days: self.ape.len(),
        }
    }
}

/// Backtests the last `n` days of `days` at `lead` open days ahead (1 = one day ahead): the
/// method first, then `seasonal naive`, then `mean of last 4 same weekdays`. Days whose
/// weekday has no earlier day are skipped. Empty when fewer than 2 days exist.
pub fn backtest(days: &[Day], n: usize, lead: u32, level: f64, p: &Params) -> Vec<Score> {
    let (mut m, mut naive, mut avg4) = (Acc::default(), Acc::default(), Acc::default());
    let lead_us = lead.max(1) as usize;
    let start = days.len().saturating_sub(n).max(lead_us);
    for t in start..days.len() {
        let hist = &days[..t + 1 - lead_us];
        let day = &days[t];
        let (Some(f), Some(b1), Some(b2)) = (
            forecast(
                hist,
                Target {
                    date: day.date,
                    after_closure: follows_closure(days, t),
                },
                lead,
                level,
                p,
            ),
            seasonal_naive(hist, day.weekday),
            same_weekday_mean(hist, day.weekday, 4),
        ) else {
            continue;
        };
        m.add(&day.volumes, &f.mean, Some((&f.lo, &f.hi)));
        naive.add(&day.volumes, &b1, None);
        avg4.add(&day.volumes, &b2, None);
    }
    vec![
        m.score("level-profile", true),
        naive.score("seasonal naive", false),
        avg4.score("mean of last 4 same weekdays", false),
    ]
}
