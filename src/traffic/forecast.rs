//! Interval forecasts for `[traffic] forecast`: volumes per interval become piecewise-constant
//! Poisson arrivals at volume ÷ interval length within each interval.
//!
//! Columns (contract "Real traffic"): `interval_start`, `queue` (absent when the scenario names
//! the queue), `volume`, optional `aht`. The interval length is the smallest spacing between
//! two consecutive interval starts of a queue (over the whole file); an interval not followed by
//! another within that length is followed by a rate of 0.

use std::collections::BTreeMap;
use std::path::Path;

use super::{parse_csv_duration, read, AhtProfile, Problems};
use crate::calendar::Calendar;
use crate::model::QueueId;
use crate::scenario::Diagnostic;
use crate::time::{SimDuration, SimTime};

/// One queue's forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueForecast {
    /// The queue.
    pub queue: QueueId,
    /// `(from, rate per second)`, sorted, first at 0: the queue's arrival profile.
    pub profile: Vec<(SimTime, f64)>,
    /// `(interval start, mean handle time)` of the rows with an `aht`.
    pub aht: Vec<(SimTime, SimDuration)>,
}

/// A whole forecast file.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The inferred interval length.
    pub interval: SimDuration,
    /// By queue id.
    pub queues: Vec<QueueForecast>,
}

impl QueueForecast {
    /// The handle-time scale factors of this forecast against a work stream whose handle time
    /// has mean `ws_mean`: `aht ÷ ws_mean` within each interval with an `aht`, 1 elsewhere.
    pub fn aht_profile(&self, interval: SimDuration, ws_mean: SimDuration) -> Option<AhtProfile> {
        if self.aht.is_empty() || ws_mean == SimDuration::ZERO {
            return None;
        }
        let mut out: Vec<(SimTime, f64)> = Vec::new();
        for &(start, aht) in &self.aht {
            if out.last().is_some_and(|(t, _)| *t == start) {
                out.pop();
            }
            out.push((start, aht.as_secs_f64() / ws_mean.as_secs_f64()));
            out.push((start + interval, 1.0));
        }
        // Keep the last entry at each instant (a next interval overrides the previous's reset).
        let mut dedup: Vec<(SimTime, f64)> = Vec::with_capacity(out.len());
        for e in out {
            if dedup.last().is_some_and(|(t, _)| *t == e.0) {
                dedup.pop();
            }
            dedup.push(e);
        }
        Some(AhtProfile(dedup))
    }
}

/// Reads a forecast. `queue` resolves the `queue` column; with `fixed`, the file has no queue
/// column and every row feeds that queue.
///
/// Errors: every problem (missing column, unparsable time, negative or non-numeric volume, bad
/// `aht`, unknown queue, the same interval twice, a queue with a single interval when no other
/// queue gives the spacing), each with file, line and column.
pub fn read_forecast(
    path: &Path,
    file: &str,
    cal: &Calendar,
    fixed: Option<QueueId>,
    queue: super::history::Resolve<'_>,
) -> Result<Forecast, Vec<Diagnostic>> {
    let mut p = Problems::new(file);
    let required: &[&[&str]] = if fixed.is_some() {
        &[&["interval_start"], &["volume"]]
    } else {
        &[&["interval_start"], &["queue"], &["volume"]]
    };
    // queue → start → (volume, aht, line)
    let mut by_queue: BTreeMap<QueueId, BTreeMap<SimTime, (f64, Option<SimDuration>)>> =
        BTreeMap::new();
    read(path, &mut p, required, |r, p| {
        let start = r
            .required(p, "interval_start")
            .and_then(|s| match cal.parse_time(s) {
                Ok(t) => Some(t),
                Err(e) => {
                    r.problem(p, "interval_start", e);
                    None
                }
            });
        let q = match fixed {
            Some(q) => Some(q),
            None => r.required(p, "queue").and_then(|s| match queue(s) {
                Ok(q) => Some(q),
                Err(e) => {
                    r.problem(p, "queue", e);
                    None
                }
            }),
        };
        let volume = r
            .required(p, "volume")
            .and_then(|s| match s.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
                _ => {
                    r.problem(
                        p,
                        "volume",
                        format!("{s:?} is not a volume; expected a number ≥ 0"),
                    );
                    None
                }
            });
        let aht = r.parse(p, "aht", |s| match parse_csv_duration(s) {
            Ok(d) if d > SimDuration::ZERO => Ok(d),
            Ok(_) => Err("`aht` must be more than 0".to_string()),
            Err(e) => Err(e),
        });
        let (Some(start), Some(q), Some(volume), Some(aht)) = (start, q, volume, aht) else {
            return;
        };
        if by_queue
            .entry(q)
            .or_default()
            .insert(start, (volume, aht))
            .is_some()
        {
            r.problem(
                p,
                "interval_start",
                "this queue already has an interval starting at this time",
            );
        }
    });
    if p.any() {
        return Err(p.finish());
    }
    let interval = by_queue
        .values()
        .flat_map(|m| {
            let ts: Vec<SimTime> = m.keys().copied().collect();
            ts.windows(2)
                .map(|w| w[1].since(w[0]))
                .collect::<Vec<SimDuration>>()
        })
        .min();
    let Some(interval) = interval else {
        p.file("cannot infer the interval length: give at least two intervals of one queue");
        return Err(p.finish());
    };
    let queues = by_queue
        .into_iter()
        .map(|(q, m)| {
            let mut profile: Vec<(SimTime, f64)> = Vec::with_capacity(m.len() + 2);
            let mut aht = Vec::new();
            let per_s = interval.as_secs_f64();
            for (start, (volume, a)) in m {
                if profile.last().is_some_and(|(t, _)| *t == start) {
                    profile.pop();
                } else if profile.is_empty() && start > SimTime::ZERO {
                    profile.push((SimTime::ZERO, 0.0));
                }
                profile.push((start, volume / per_s));
                profile.push((start + interval, 0.0));
                if let Some(a) = a {
                    aht.push((start, a));
                }
            }
            QueueForecast {
                queue: q,
                profile,
                aht,
            }
        })
        .collect();
    Ok(Forecast { interval, queues })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aht_profile_resets_between_intervals() {
        let f = QueueForecast {
            queue: QueueId(0),
            profile: vec![],
            aht: vec![
                (SimTime(0), SimDuration::from_secs(600)),
                (SimTime(1_800_000), SimDuration::from_secs(150)),
                (SimTime(7_200_000), SimDuration::from_secs(300)),
            ],
        };
        let p = f
            .aht_profile(SimDuration::from_secs(1800), SimDuration::from_secs(300))
            .unwrap();
        assert_eq!(p.factor(SimTime(10)), 2.0);
        assert_eq!(p.factor(SimTime(1_800_000)), 0.5);
        assert_eq!(p.factor(SimTime(3_600_000)), 1.0);
        assert_eq!(p.factor(SimTime(7_200_001)), 1.0);
    }
}
