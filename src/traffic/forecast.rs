//! Interval forecasts for `[traffic] forecast`: volumes per interval become piecewise-constant
//! Poisson arrivals at volume ÷ interval length within each interval.
//!
//! Columns (contract "Real traffic"): `interval_start`, `queue` (absent when the scenario names
//! the queue), `volume`, optional `aht`. A queue's interval length is the smallest spacing
//! between two consecutive interval starts of that queue (the file's smallest when the queue has
//! one interval); an interval not followed by another within that length is followed by a rate
//! of 0.

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
    /// Its interval length: the smallest spacing between two of its interval starts (the
    /// file's smallest when it has only one).
    pub interval: SimDuration,
    /// `(from, rate per second)`, sorted, first at 0: the queue's arrival profile.
    pub profile: Vec<(SimTime, f64)>,
    /// `(interval start, mean handle time)` of the rows with an `aht`.
    pub aht: Vec<(SimTime, SimDuration)>,
}

/// A whole forecast file.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The smallest interval length over the queues.
    pub interval: SimDuration,
    /// By queue id.
    pub queues: Vec<QueueForecast>,
}

impl QueueForecast {
    /// The handle-time scale factors of this forecast against a work stream whose handle time
    /// has mean `ws_mean`: `aht ÷ ws_mean` within each interval with an `aht`, 1 elsewhere.
    pub fn aht_profile(&self, ws_mean: SimDuration) -> Option<AhtProfile> {
        let interval = self.interval;
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
    let spacing = |m: &BTreeMap<SimTime, (f64, Option<SimDuration>)>| {
        let ts: Vec<SimTime> = m.keys().copied().collect();
        ts.windows(2).map(|w| w[1].since(w[0])).min()
    };
    // Each queue's own spacing; a queue with one interval takes the file's smallest.
    let interval = by_queue.values().filter_map(spacing).min();
    let Some(interval) = interval else {
        p.file("cannot infer the interval length: give at least two intervals of one queue");
        return Err(p.finish());
    };
    let queues = by_queue
        .into_iter()
        .map(|(q, m)| {
            let len = spacing(&m).unwrap_or(interval);
            let mut profile: Vec<(SimTime, f64)> = Vec::with_capacity(m.len() + 2);
            let mut aht = Vec::new();
            let per_s = len.as_secs_f64();
            for (start, (volume, a)) in m {
                if profile.last().is_some_and(|(t, _)| *t == start) {
                    profile.pop();
                } else if profile.is_empty() && start > SimTime::ZERO {
                    profile.push((SimTime::ZERO, 0.0));
                }
                profile.push((start, volume / per_s));
                profile.push((start + len, 0.0));
                if let Some(a) = a {
                    aht.push((start, a));
                }
            }
            QueueForecast {
                queue: q,
                interval: len,
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
    fn each_queue_has_its_own_spacing() {
        let path = std::env::temp_dir().join(format!("omnisim-fc-{}.csv", std::process::id()));
        std::fs::write(
            &path,
            "\u{feff}interval_start,queue,volume\n0,a,15\n900,a,30\n0,b,60\n1800,b,60\n3600,c,9\n",
        )
        .unwrap();
        let names = ["a", "b", "c"];
        let resolve = |n: &str| {
            names
                .iter()
                .position(|x| *x == n)
                .map(|i| QueueId(i as u32))
                .ok_or_else(|| "unknown".to_string())
        };
        let f = read_forecast(&path, "f.csv", &Calendar::default(), None, &resolve).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(f.interval, SimDuration::from_secs(900));
        let (a, b, c) = (&f.queues[0], &f.queues[1], &f.queues[2]);
        assert_eq!(a.interval, SimDuration::from_secs(900));
        assert_eq!(
            a.profile,
            vec![
                (SimTime(0), 15.0 / 900.0),
                (SimTime(900_000), 30.0 / 900.0),
                (SimTime(1_800_000), 0.0)
            ]
        );
        // b: 60 per 30 minutes, back to back.
        assert_eq!(
            b.profile,
            vec![
                (SimTime(0), 60.0 / 1800.0),
                (SimTime(1_800_000), 60.0 / 1800.0),
                (SimTime(3_600_000), 0.0)
            ]
        );
        // c: one interval, the file's smallest spacing.
        assert_eq!(
            c.profile,
            vec![
                (SimTime(0), 0.0),
                (SimTime(3_600_000), 9.0 / 900.0),
                (SimTime(4_500_000), 0.0)
            ]
        );
    }

    #[test]
    fn aht_profile_resets_between_intervals() {
        let f = QueueForecast {
            queue: QueueId(0),
            interval: SimDuration::from_secs(1800),
            profile: vec![],
            aht: vec![
                (SimTime(0), SimDuration::from_secs(600)),
                (SimTime(1_800_000), SimDuration::from_secs(150)),
                (SimTime(7_200_000), SimDuration::from_secs(300)),
            ],
        };
        let p = f.aht_profile(SimDuration::from_secs(300)).unwrap();
        assert_eq!(p.factor(SimTime(10)), 2.0);
        assert_eq!(p.factor(SimTime(1_800_000)), 0.5);
        assert_eq!(p.factor(SimTime(3_600_000)), 1.0);
        assert_eq!(p.factor(SimTime(7_200_001)), 1.0);
    }
}
