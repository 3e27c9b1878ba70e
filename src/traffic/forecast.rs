//! Interval forecasts for `[traffic] forecast`: volumes per interval become piecewise-constant
//! Poisson arrivals at volume ÷ interval length within each interval.
//!
//! Columns (contract "Real traffic"): `interval_start`, `queue` (absent when the scenario names
//! the queue), `volume`, optional `aht`, optional `interval` (the grid's length, e.g. `30m`,
//! the same on every row). A file has one grid (contract "Planner answers"): the interval
//! named in the file, else the most common spacing between consecutive interval starts of a
//! queue (ties: the shorter), anchored at the file's earliest interval start. A row off that
//! grid is an error at its line (one stray row a second off would otherwise shrink every
//! interval to a second). Every row's interval lasts one grid step; an interval not followed
//! by another is followed by a rate of 0. A row dated (an ISO date-time) needs
//! `[scenario] start`. Rows outside the run (before its start or at or after its horizon) are
//! skipped, counted in [`Forecast::outside`] and reported as one warning, before or after.
//!
//! With a band level (`[traffic] forecast = { …, uncertainty = true }`) the optional
//! `volume_lo` / `volume_hi` columns are read too (`0 ≤ volume_lo ≤ volume ≤ volume_hi`, each
//! row) and become each day's level spread ([`super::level`]); without it they are ignored.

use std::collections::BTreeMap;
use std::path::Path;

use super::level::{day_sigma, row_extra_variance, z_of, DayLevels, MAX_LEVEL_SIGMA};
use super::{parse_csv_duration, read, AhtProfile, Problems};
use crate::calendar::{Calendar, CsvOffsets};
use crate::diag::Diagnostic;
use crate::model::QueueId;
use crate::time::{SimDuration, SimTime};

/// One queue's forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueForecast {
    /// The queue.
    pub queue: QueueId,
    /// Its interval length: the file's grid step.
    pub interval: SimDuration,
    /// `(from, rate per second)`, sorted, first at 0: the queue's arrival profile.
    pub profile: Vec<(SimTime, f64)>,
    /// `(interval start, mean handle time)` of the rows with an `aht`.
    pub aht: Vec<(SimTime, SimDuration)>,
    /// The days' level spreads read from the band (`uncertainty = true` and the file has
    /// `volume_lo` and `volume_hi`); `None` otherwise.
    pub levels: Option<DayLevels>,
}

/// A whole forecast file.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The file's grid step.
    pub interval: SimDuration,
    /// By queue id.
    pub queues: Vec<QueueForecast>,
    /// Rows outside the run (before t = 0 or at or after the horizon), skipped.
    pub outside: u64,
    /// The line of the first of them.
    pub outside_line: Option<u64>,
    /// A band was asked for (`band` of [`read_forecast`]) but the file lacks `volume_lo` or
    /// `volume_hi`: the caller reports it at its key.
    pub band_missing: bool,
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

/// One queue's rows: interval start → (volume, aht, line, band `(volume_lo, volume_hi)`).
type Rows = BTreeMap<SimTime, (f64, Option<SimDuration>, u64, Option<(f64, f64)>)>;

/// Reads a forecast. `queue` resolves the `queue` column; with `fixed`, the file has no queue
/// column and every row feeds that queue. Rows at or after `horizon` (and dated rows before
/// the calendar's start) are skipped and counted. With `band = Some(level)` (percent, the
/// central interval the band stands for, `0 < level < 100`), `volume_lo` and `volume_hi` are
/// read and each queue gets its [`QueueForecast::levels`] (or [`Forecast::band_missing`] is
/// set when the file lacks the columns).
///
/// Errors: every problem (missing column, unparsable time, negative or non-numeric volume, bad
/// `aht` or `interval`, unknown queue, the same interval twice, a row off the grid, a dated
/// row without `[scenario] start`, no way to tell the grid; with a band: an empty, negative or
/// non-numeric bound, `volume_lo > volume_hi`, a volume outside its band), each with file,
/// line and column.
pub fn read_forecast(
    path: &Path,
    file: &str,
    cal: &Calendar,
    horizon: Option<SimDuration>,
    fixed: Option<QueueId>,
    queue: super::history::Resolve<'_>,
    band: Option<f64>,
) -> Result<Forecast, Vec<Diagnostic>> {
    let mut p = Problems::new(file);
    let required: &[&[&str]] = if fixed.is_some() {
        &[&["interval_start"], &["volume"]]
    } else {
        &[&["interval_start"], &["queue"], &["volume"]]
    };
    let end = horizon.map(|h| SimTime::ZERO + h);
    let mut by_queue: BTreeMap<QueueId, Rows> = BTreeMap::new();
    let mut named: Option<(SimDuration, u64)> = None;
    let mut seen = CsvOffsets::default();
    let mut undated_reported = false;
    let (mut outside, mut outside_line) = (0u64, None);
    let mut band_missing = false;
    let header = read(path, &mut p, required, |r, p| {
        // Some(None): outside the run.
        let start = r.required(p, "interval_start").and_then(|s| {
            let local = match cal.csv_local(s, &mut seen) {
                Ok(t) => t,
                Err(e) => {
                    r.problem(p, "interval_start", e);
                    return None;
                }
            };
            if local.is_err() && !cal.given {
                if !undated_reported {
                    undated_reported = true;
                    r.problem(
                        p,
                        "interval_start",
                        format!(
                            "{s:?} is a date-time but the scenario has no `[scenario] start`: a \
                             dated forecast needs one (the calendar its dates are read against)"
                        ),
                    );
                }
                return None;
            }
            Some(match local {
                Ok(t) => Some(t),
                Err(dt) => cal.from_local(dt),
            })
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
        let iv = r.parse(p, "interval", |s| match parse_csv_duration(s) {
            Ok(d) if d > SimDuration::ZERO => match named {
                Some((n, line)) if n != d => Err(format!(
                    "{s:?} differs from line {line}'s interval ({n}); a forecast has one grid"
                )),
                _ => Ok(d),
            },
            Ok(_) => Err("`interval` must be more than 0".to_string()),
            Err(e) => Err(e),
        });
        if let Some(Some(d)) = iv {
            named.get_or_insert((d, r.line));
        }
        let has_band = r.header.col("volume_lo").is_some() && r.header.col("volume_hi").is_some();
        band_missing |= band.is_some() && !has_band;
        let bounds = match (band.is_some() && has_band, volume) {
            (true, Some(v)) => read_band(r, p, v).map(Some),
            _ => Some(None),
        };
        let (Some(start), Some(q), Some(volume), Some(aht), Some(_), Some(bounds)) =
            (start, q, volume, aht, iv, bounds)
        else {
            return;
        };
        let Some(start) = start.filter(|t| end.is_none_or(|e| *t < e)) else {
            outside += 1;
            outside_line.get_or_insert(r.line);
            return;
        };
        if by_queue
            .entry(q)
            .or_default()
            .insert(start, (volume, aht, r.line, bounds))
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
    let col = header
        .as_ref()
        .and_then(|h| h.col("interval_start"))
        .map_or(1, |c| c + 1);
    let interval = match named {
        Some((d, _)) => Some(d),
        None => most_common_spacing(by_queue.values().map(|m| m.keys().copied().collect())),
    };
    let Some(interval) = interval else {
        if by_queue.is_empty() && outside == 0 {
            // A header and nothing else: a run would see no arrivals without a word.
            p.file("the forecast has no rows; expected one row per queue and interval");
            return Err(p.finish());
        }
        if by_queue.is_empty() {
            // Every row outside the run: nothing arrives, the warning says why.
            return Ok(Forecast {
                interval: SimDuration::from_secs(1800),
                queues: Vec::new(),
                outside,
                outside_line,
                band_missing,
            });
        }
        p.file(
            "cannot infer the interval length: give at least two intervals of one queue, or an \
             `interval` column",
        );
        return Err(p.finish());
    };
    // The grid: every interval start is the earliest one plus a whole number of steps.
    let origin = by_queue
        .values()
        .filter_map(|m| m.keys().next().copied())
        .min()
        .unwrap_or(SimTime::ZERO);
    let step = interval.as_millis();
    let mut off: Vec<(u64, SimTime)> = by_queue
        .values()
        .flat_map(|m| m.iter().map(|(t, (_, _, line, _))| (*line, *t)))
        .filter(|(_, t)| t.since(origin).as_millis() % step != 0)
        .collect();
    off.sort_unstable();
    for (line, t) in off {
        let k = t.since(origin).as_millis() / step;
        let (before, after) = (
            origin + SimDuration::from_millis(step * k),
            origin + SimDuration::from_millis(step * (k + 1)),
        );
        let show = |t: SimTime| match cal.given {
            true => cal.iso(t),
            false => crate::text::seconds(t.as_millis()),
        };
        p.at(
            line,
            Some(("interval_start", col)),
            format!(
                "{} is off the forecast's grid of {interval} (interval starts {} + k × {interval}); \
                 expected {} or {}",
                show(t),
                show(origin),
                show(before),
                show(after)
            ),
        );
    }
    if p.any() {
        return Err(p.finish());
    }
    let z = band.map(z_of);
    let queues = by_queue
        .into_iter()
        .map(|(q, m)| {
            let levels = z.filter(|_| !band_missing).map(|z| day_levels(cal, &m, z));
            let len = interval;
            let mut profile: Vec<(SimTime, f64)> = Vec::with_capacity(m.len() + 2);
            let mut aht = Vec::new();
            let per_s = len.as_secs_f64();
            for (start, (volume, a, _, _)) in m {
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
                levels,
            }
        })
        .collect::<Vec<QueueForecast>>();
    // A band so wide its level would be near 0 on most days (a run would silently see no
    // arrivals): refused, each day once.
    let mut wide: BTreeMap<jiff::civil::Date, f64> = BTreeMap::new();
    for l in queues.iter().filter_map(|q| q.levels.as_ref()) {
        for &(start, sigma) in l.days.iter().filter(|d| d.1 > MAX_LEVEL_SIGMA) {
            let s = wide.entry(cal.to_local(start).date()).or_insert(0.0);
            *s = s.max(sigma);
        }
    }
    for (date, sigma) in wide {
        p.file(format!(
            "the volume_lo–volume_hi bands of {date}'s rows imply a day level with log standard \
             deviation σ = {sigma:.2} (half the days would get under {:.0}% of the forecast): \
             expected σ ≤ {MAX_LEVEL_SIGMA} (docs/scenario-format.md, \"Forecast error\"); check \
             the bands' units",
            100.0 * (-0.5 * sigma * sigma).exp()
        ));
    }
    if p.any() {
        return Err(p.finish());
    }
    Ok(Forecast {
        interval,
        queues,
        outside,
        outside_line,
        band_missing,
    })
}

/// A row's `volume_lo` and `volume_hi` (`0 ≤ lo ≤ volume ≤ hi`); `None` after a reported
/// problem.
fn read_band(r: &super::Row<'_>, p: &mut Problems, volume: f64) -> Option<(f64, f64)> {
    let mut bound = |name: &str| {
        let s = r.required(p, name)?;
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
            _ => {
                r.problem(
                    p,
                    name,
                    format!("{s:?} is not a volume bound; expected a number ≥ 0"),
                );
                None
            }
        }
    };
    let (lo, hi) = (bound("volume_lo"), bound("volume_hi"));
    let (lo, hi) = (lo?, hi?);
    if lo > hi {
        r.problem(
            p,
            "volume_lo",
            format!("{lo} is above volume_hi {hi}; expected volume_lo ≤ volume ≤ volume_hi"),
        );
        return None;
    }
    if !(lo..=hi).contains(&volume) {
        r.problem(
            p,
            "volume",
            format!(
                "{volume} is outside its band [{lo}, {hi}]; expected volume_lo ≤ volume ≤ \
                 volume_hi"
            ),
        );
        return None;
    }
    Some((lo, hi))
}

/// One queue's [`DayLevels`]: its rows grouped by the local date of their interval start, each
/// day's σ from its rows' bands at quantile `z` ([`super::level`]).
fn day_levels(cal: &Calendar, rows: &Rows, z: f64) -> DayLevels {
    // date → (first start, extra variances)
    let mut days: BTreeMap<jiff::civil::Date, (SimTime, Vec<f64>)> = BTreeMap::new();
    for (&start, &(volume, _, _, bounds)) in rows {
        let day = days
            .entry(cal.to_local(start).date())
            .or_insert((start, Vec::new()));
        if let Some(v) = bounds.and_then(|(lo, hi)| row_extra_variance(volume, lo, hi, z)) {
            day.1.push(v);
        }
    }
    DayLevels {
        days: days
            .into_values()
            .map(|(start, extra)| (start, day_sigma(&extra)))
            .collect(),
    }
}

/// The most common spacing between consecutive interval starts of a queue, pooled over the
/// queues (ties: the shorter); `None` when no queue has two intervals.
fn most_common_spacing(queues: impl Iterator<Item = Vec<SimTime>>) -> Option<SimDuration> {
    let mut count: BTreeMap<SimDuration, u64> = BTreeMap::new();
    for ts in queues {
        for w in ts.windows(2) {
            *count.entry(w[1].since(w[0])).or_default() += 1;
        }
    }
    // The largest count; among equals the first (shortest) spacing.
    let max = count.values().copied().max()?;
    count.into_iter().find(|(_, n)| *n == max).map(|(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(n: &str) -> Result<QueueId, String> {
        ["a", "b", "c"]
            .iter()
            .position(|x| *x == n)
            .map(|i| QueueId(i as u32))
            .ok_or_else(|| "unknown".to_string())
    }

    fn read_text(
        name: &str,
        text: &str,
        cal: &Calendar,
        horizon: Option<SimDuration>,
    ) -> Result<Forecast, Vec<Diagnostic>> {
        let path =
            std::env::temp_dir().join(format!("omnisim-fc-{name}-{}.csv", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let f = read_forecast(&path, "f.csv", cal, horizon, None, &resolve, None);
        let _ = std::fs::remove_file(&path);
        f
    }

    fn errors(r: Result<Forecast, Vec<Diagnostic>>) -> String {
        r.unwrap_err()
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Issue 27 item 10: one grid per file, the most common spacing (900 s: twice, against
    /// 1800 s once); every interval lasts one step.
    #[test]
    fn a_file_has_one_grid() {
        let text = "\u{feff}interval_start,queue,volume\n0,a,15\n900,a,30\n0,b,60\n1800,b,60\n2700,b,9\n3600,c,9\n";
        let f = read_text("grid", text, &Calendar::default(), None).unwrap();
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
        // b: 60 in the quarter-hour at 0 and at 30 min, nothing in between.
        assert_eq!(
            b.profile,
            vec![
                (SimTime(0), 60.0 / 900.0),
                (SimTime(900_000), 0.0),
                (SimTime(1_800_000), 60.0 / 900.0),
                (SimTime(2_700_000), 9.0 / 900.0),
                (SimTime(3_600_000), 0.0)
            ]
        );
        assert_eq!(
            c.profile,
            vec![
                (SimTime(0), 0.0),
                (SimTime(3_600_000), 9.0 / 900.0),
                (SimTime(4_500_000), 0.0)
            ]
        );
        // The interval named in the file wins over the spacing.
        let named = "interval_start,queue,volume,interval\n0,a,15,1h\n7200,a,30,1h\n";
        let f = read_text("named", named, &Calendar::default(), None).unwrap();
        assert_eq!(f.interval, SimDuration::from_secs(3600));
        assert_eq!(f.queues[0].profile[1], (SimTime(3_600_000), 0.0));
        let two = "interval_start,queue,volume,interval\n0,a,15,1h\n3600,a,30,30m\n";
        let e = errors(read_text("two", two, &Calendar::default(), None));
        assert!(
            e.contains("f.csv:3:4: interval: \"30m\" differs from line 2's interval (1h)"),
            "{e}"
        );
    }

    /// Issue 27 item 10: one stray row a second off the half-hour grid is an error at its
    /// line (it used to make the grid one second long, squeezing every interval's volume into
    /// its first second).
    #[test]
    fn a_row_off_the_grid_is_an_error_at_its_line() {
        let text =
            "interval_start,queue,volume\n0,a,10\n1800,a,10\n1801,a,10\n3600,a,10\n5400,a,10\n";
        let e = errors(read_text("off", text, &Calendar::default(), None));
        assert!(
            e.contains("f.csv:4:1: interval_start: 1801 is off the forecast's grid of 30m"),
            "{e}"
        );
        assert!(e.contains("expected 1800 or 3600"), "{e}");
        // Dated: the message speaks in date-times.
        let cal = Calendar::parse("2026-03-02T07:00").unwrap();
        let text = "interval_start,queue,volume\n2026-03-02T07:00,a,1\n2026-03-02T07:30,a,1\n2026-03-02T08:00,a,1\n2026-03-02T08:10,a,1\n";
        let e = errors(read_text("offd", text, &cal, None));
        assert!(
            e.contains("f.csv:5:1: interval_start: 2026-03-02T08:10:00 is off"),
            "{e}"
        );
    }

    /// Issue 27 item 10: a dated forecast without `[scenario] start` is an error (it used to
    /// run empty with exit 0); rows outside the run are skipped and counted alike before and
    /// after it.
    #[test]
    fn dated_rows_need_a_start_and_rows_outside_are_counted() {
        let text = "interval_start,queue,volume\n2026-03-02T06:30,a,1\n2026-03-02T07:00,a,2\n2026-03-02T07:30,a,3\n2026-03-02T08:00,a,4\n2026-03-02T08:30,a,5\n";
        let e = errors(read_text("nostart", text, &Calendar::default(), None));
        assert!(
            e.contains("f.csv:2:1: interval_start: \"2026-03-02T06:30\" is a date-time but the scenario has no `[scenario] start`"),
            "{e}"
        );
        assert_eq!(e.lines().count(), 1, "reported once: {e}");
        let cal = Calendar::parse("2026-03-02T07:00").unwrap();
        // Horizon 1 h: 06:30 is before, 08:00 and 08:30 after: three rows, the first at line 2.
        let f = read_text("outside", text, &cal, Some(SimDuration::from_secs(3600))).unwrap();
        assert_eq!((f.outside, f.outside_line), (3, Some(2)));
        assert_eq!(
            f.queues[0].profile,
            vec![
                (SimTime(0), 2.0 / 1800.0),
                (SimTime(1_800_000), 3.0 / 1800.0),
                (SimTime(3_600_000), 0.0)
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
            levels: None,
        };
        let p = f.aht_profile(SimDuration::from_secs(300)).unwrap();
        assert_eq!(p.factor(SimTime(10)), 2.0);
        assert_eq!(p.factor(SimTime(1_800_000)), 0.5);
        assert_eq!(p.factor(SimTime(3_600_000)), 1.0);
        assert_eq!(p.factor(SimTime(7_200_001)), 1.0);
    }
}
