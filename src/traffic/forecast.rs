//! Interval forecasts for `[traffic] forecast`: volumes per interval become piecewise-constant
//! Poisson arrivals at volume ÷ interval length within each interval.
//!
//! Columns (contract "Real traffic"): `interval_start`, `queue` (absent when the scenario names
//! the queue), `volume`, optional `aht`, optional `interval` (the row's length, e.g. `30m`).
//! A file has one grid (contract "Planner answers"): the longest interval named in the file,
//! else the most common spacing between consecutive interval starts of a queue (a tie is an
//! error unless the shortest is a grid with gaps: `most_common_spacing`), anchored at the
//! file's earliest interval start. A row off that grid is an error at its line (one stray row
//! a second off would otherwise shrink every interval to a second).
//! Every row's interval lasts one grid step, except a row naming a shorter `interval`: it lasts
//! that long. Only a day's last interval of a queue may be shorter (a center closing at 21:05
//! on a 30-minute grid: the 21:00 row lasts 5 minutes, so its volume arrives 21:00–21:05); a
//! shorter one inside a day is an error at its line (a typo would open a gap). An interval not
//! followed by another is followed by a rate of 0. A row dated (an ISO date-time) needs
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
    /// Warnings for the caller to print: each column that is none of [`COLUMNS`] (ignored).
    pub ignored: Vec<Diagnostic>,
}

/// Every column a forecast may have; a header name close to one (`AHT`, `ahts`) is refused,
/// any other is ignored with a warning.
pub const COLUMNS: [&str; 7] = [
    "interval_start",
    "queue",
    "volume",
    "aht",
    "interval",
    "volume_lo",
    "volume_hi",
];

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

/// One row of a queue: volume, aht, line, band `(volume_lo, volume_hi)`, named `interval`.
type Row = (
    f64,
    Option<SimDuration>,
    u64,
    Option<(f64, f64)>,
    Option<SimDuration>,
);
/// One queue's rows by interval start.
type Rows = BTreeMap<SimTime, Row>;

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
    // The longest interval named in the file.
    let mut named: Option<SimDuration> = None;
    let mut seen = CsvOffsets::default();
    let mut undated_reported = false;
    let mut skipped_unread = false;
    let (mut outside, mut outside_line) = (0u64, None);
    let mut band_missing = false;
    // Every row whose start and queue were read, by queue, with its line, whatever its other
    // cells: the grid is told and checked on these, so a row dropped for a bad `volume` opens
    // no gap and changes no spacing, and its start problems come with its cell problems.
    let mut starts: BTreeMap<QueueId, BTreeMap<SimTime, u64>> = BTreeMap::new();
    // Rows whose start was read but not their queue (checked against the grid too).
    let mut loose: Vec<(u64, SimTime)> = Vec::new();
    // Rows whose start or queue could not be read: a grid told from spacings may then be off.
    let mut unplaced = 0u64;
    // Every row inside the run whose `volume` was read, whatever its other cells (line,
    // volume, its own `interval` when read): the arrival-rate limit is checked on these, so a
    // row's bad `aht` does not hide its volume over the limit (issue 25, twelfth session).
    let mut volumes: Vec<(u64, f64, Option<SimDuration>)> = Vec::new();
    let header = read(path, &mut p, required, &COLUMNS, |r, p| {
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
                // An unreadable `start` (its own error): the row is skipped, not "no rows".
                skipped_unread |= cal.unread;
                if !undated_reported && !cal.unread {
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
            Ok(d) if d > SimDuration::ZERO => Ok(d),
            Ok(_) => Err("`interval` must be more than 0".to_string()),
            Err(e) => Err(e),
        });
        if let Some(Some(d)) = iv {
            named = named.max(Some(d));
        }
        let has_band = r.header.col("volume_lo").is_some() && r.header.col("volume_hi").is_some();
        band_missing |= band.is_some() && !has_band;
        let bounds = match (band.is_some() && has_band, volume) {
            (true, Some(v)) => read_band(r, p, v).map(Some),
            _ => Some(None),
        };
        let Some(start) = start else {
            unplaced += 1;
            if let Some(v) = volume {
                volumes.push((r.line, v, iv.flatten()));
            }
            return;
        };
        let Some(start) = start.filter(|t| end.is_none_or(|e| *t < e)) else {
            outside += 1;
            outside_line.get_or_insert(r.line);
            return;
        };
        if let Some(v) = volume {
            volumes.push((r.line, v, iv.flatten()));
        }
        let Some(q) = q else {
            unplaced += 1;
            loose.push((r.line, start));
            return;
        };
        match starts.entry(q).or_default().entry(start) {
            std::collections::btree_map::Entry::Occupied(o) => {
                r.problem(
                    p,
                    "interval_start",
                    format!(
                        "this queue already has an interval starting at this time (line {}); \
                         expected one row per queue and interval",
                        o.get()
                    ),
                );
                return;
            }
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(r.line);
            }
        }
        let (Some(volume), Some(aht), Some(iv), Some(bounds)) = (volume, aht, iv, bounds) else {
            return;
        };
        by_queue
            .entry(q)
            .or_default()
            .insert(start, (volume, aht, r.line, bounds, iv));
    });
    // Cell problems do not stop the grid and rate checks: they run on the rows that were read
    // and every problem is reported at once.
    let cell_problems = p.any() || skipped_unread;
    if let Some(h) = &header {
        super::warn_ignored(&mut p, h, &COLUMNS);
    }
    let ignored = p.take_warnings();
    let col = header
        .as_ref()
        .and_then(|h| h.col("interval_start"))
        .map_or(1, |c| c + 1);
    // A grid told from spacings while some row's start or queue is unknown may be off (that
    // row's absence merges two spacings): then only the cell problems are reported, and the
    // rows are checked against the grid once they can be read.
    let told = named.is_some() || unplaced == 0;
    let interval = match named {
        Some(d) => Some(d),
        None => match most_common_spacing(starts.values().map(|m| m.keys().copied().collect())) {
            Some(Ok(d)) if told => Some(d),
            found => {
                // No grid to check rows against, yet the rates are checked on the longest step
                // the read rows allow (a missing row only merges spacings; a tie's longest
                // reads every rate lowest), so a volume over the limit still shows beside the
                // problem that hid the grid (an empty row, a tie).
                let longest = match &found {
                    Some(Ok(d)) => Some(*d),
                    Some(Err((tied, _))) => tied.last().copied(),
                    None => None,
                };
                if let (true, Some(Err(tie))) = (told, &found) {
                    p.file(tie_message(
                        tie,
                        "an `interval` column naming the step (e.g. `30m` on every row), or more \
                         rows on the grid",
                    ));
                }
                match longest {
                    Some(step) => {
                        check_rates(&mut p, &volumes, step, header.as_ref());
                        return Err(p.finish());
                    }
                    None => None,
                }
            }
        },
    };
    let Some(interval) = interval else {
        if cell_problems {
            // Rows were there, with problems of their own: those say it.
            return Err(p.finish());
        }
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
                ignored,
            });
        }
        p.file(
            "cannot infer the interval length: give at least two intervals of one queue, or an \
             `interval` column",
        );
        return Err(p.finish());
    };
    let show = |t: SimTime| match cal.given {
        true => cal.iso(t),
        false => crate::text::seconds(t.as_millis()),
    };
    let rows = starts
        .values()
        .flat_map(|m| m.iter().map(|(t, line)| (*line, *t)))
        .chain(loose.iter().copied());
    check_rates(&mut p, &volumes, interval, header.as_ref());
    check_grid(&mut p, rows, interval, col, show);
    short_intervals(&mut p, cal, &by_queue, interval, header.as_ref());
    // The bands' day levels are checked on the rows read whatever else was found: one
    // problem must not hide another.
    let z = band.map(z_of);
    let queues = by_queue
        .into_iter()
        .map(|(q, m)| {
            let levels = z.filter(|_| !band_missing).map(|z| day_levels(cal, &m, z));
            let len = interval;
            let mut profile: Vec<(SimTime, f64)> = Vec::with_capacity(m.len() + 2);
            let mut aht = Vec::new();
            for (start, (volume, a, _, _, named)) in m {
                if profile.last().is_some_and(|(t, _)| *t == start) {
                    profile.pop();
                } else if profile.is_empty() && start > SimTime::ZERO {
                    profile.push((SimTime::ZERO, 0.0));
                }
                // A day's short last interval: its volume arrives within its own length.
                let row_len = named.map_or(len, |d| d.min(len));
                profile.push((start, volume / row_len.as_secs_f64()));
                profile.push((start + row_len, 0.0));
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
        ignored,
    })
}

/// The highest arrival rate accepted, per second, for one queue's or one work stream's arrival
/// process at any time of day: one arrival per millisecond on average. Simulated time counts
/// whole milliseconds and each gap is rounded to one, so above it arrivals pile up at single
/// instants (the rate is distorted), and far above it (from about 10,000/s) time stops
/// advancing: the run never ends. Not a size limit: `--allow-huge` does not lift it.
pub const MAX_RATE_PER_S: f64 = 1000.0;

/// Reports every row whose volume arrives faster than [`MAX_RATE_PER_S`] over its interval
/// (one grid step, or its shorter `interval`), at its line and the `volume` column, with the
/// file's other problems (an off-grid row does not hide it, nor another bad cell of its row).
fn check_rates(
    p: &mut Problems,
    volumes: &[(u64, f64, Option<SimDuration>)],
    grid: SimDuration,
    header: Option<&super::Header>,
) {
    let col = header.and_then(|h| h.col("volume")).map_or(1, |c| c + 1);
    let mut fast: Vec<(u64, String)> = Vec::new();
    for &(line, volume, named) in volumes {
        let len = named.map_or(grid, |d| d.min(grid));
        fast.extend(rate_problem(volume, len).map(|m| (line, m)));
    }
    fast.sort_by_key(|f| f.0);
    for (line, m) in fast {
        p.at(line, Some(("volume", col)), m);
    }
}

/// The problem of a row carrying `volume` arrivals in `len`: `None` at or under
/// [`MAX_RATE_PER_S`], else why faster arrivals cannot be simulated. Shared by the scenario's
/// forecast reader and `omnisim forecast`'s volume files (one limit, one wording).
pub fn rate_problem(volume: f64, len: SimDuration) -> Option<String> {
    let rate = volume / len.as_secs_f64().max(0.001);
    (rate > MAX_RATE_PER_S).then(|| {
        format!(
            "volume {} in {len} reaches {} arrivals per second, over \
             {MAX_RATE_PER_S:.0}/s: simulated time counts whole milliseconds, so faster \
             arrivals pile up at one instant and time stops advancing; expected a volume per \
             interval (a mistyped exponent?)",
            crate::text::number(volume),
            crate::text::whole(rate)
        )
    })
}

/// Reports every row naming an `interval` shorter than the grid that is not its queue's last
/// interval of its local day (only a day's close may fall inside a grid step).
fn short_intervals(
    p: &mut Problems,
    cal: &Calendar,
    by_queue: &BTreeMap<QueueId, Rows>,
    grid: SimDuration,
    header: Option<&super::Header>,
) {
    let col = header.and_then(|h| h.col("interval")).map_or(1, |c| c + 1);
    let mut bad: Vec<(u64, SimDuration)> = Vec::new();
    for rows in by_queue.values() {
        let mut it = rows.iter().peekable();
        while let Some((start, &(_, _, line, _, named))) = it.next() {
            let Some(len) = named.filter(|d| *d < grid) else {
                continue;
            };
            let same_day = it.peek().is_some_and(|(next, _)| {
                cal.to_local(**next).date() == cal.to_local(*start).date()
            });
            if same_day {
                bad.push((line, len));
            }
        }
    }
    bad.sort_unstable();
    for (line, len) in bad {
        p.at(
            line,
            Some(("interval", col)),
            format!(
                "{len} is shorter than the forecast's grid of {grid}, and a later interval of \
                 this queue falls on the same day; expected {grid} (only a day's last interval \
                 may be shorter, e.g. a 21:00 row of a center closing at 21:05)"
            ),
        );
    }
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
                "{} is outside its band [{}, {}]; expected volume_lo ≤ volume ≤ volume_hi",
                crate::text::number(volume),
                crate::text::number(lo),
                crate::text::number(hi)
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
    for (&start, &(volume, _, _, bounds, _)) in rows {
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

/// The message for a grid [`most_common_spacing`] cannot tell: the tied spacings, then
/// `expected` (what would settle it).
pub fn tie_message((tied, n): &(Vec<SimDuration>, u64), expected: &str) -> String {
    let list: Vec<String> = tied.iter().map(|d| d.to_string()).collect();
    format!(
        "cannot tell the forecast's grid: the spacings between interval starts {} are equally \
         common ({n} each), so a stray row cannot be told from the step; expected {expected}",
        list.join(", ")
    )
}

/// Reports every row off the grid of `interval` anchored at the earliest row's start (every
/// interval start is it plus a whole number of steps), at its line and column `col` of
/// `interval_start`, by line; `show` words an instant. Shared by the scenario's forecast
/// reader and `omnisim forecast`'s volume files: one stray row must not redefine the grid.
pub fn check_grid(
    p: &mut Problems,
    rows: impl Iterator<Item = (u64, SimTime)>,
    interval: SimDuration,
    col: usize,
    show: impl Fn(SimTime) -> String,
) {
    let rows: Vec<(u64, SimTime)> = rows.collect();
    let Some(origin) = rows.iter().map(|(_, t)| *t).min() else {
        return;
    };
    let step = interval.as_millis().max(1);
    let mut off: Vec<(u64, SimTime)> = rows
        .into_iter()
        .filter(|(_, t)| t.since(origin).as_millis() % step != 0)
        .collect();
    off.sort_unstable();
    for (line, t) in off {
        let k = t.since(origin).as_millis() / step;
        let (before, after) = (
            origin + SimDuration::from_millis(step * k),
            origin + SimDuration::from_millis(step * (k + 1)),
        );
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
}

/// The most common spacing between consecutive interval starts of a queue, pooled over the
/// queues; `None` when no queue has two intervals. On a tie, the shortest tied spacing when
/// every spacing is a whole number of it and the rows fill at least half of its slots (a gap),
/// else no grid (`Err`: the tied spacings, shortest first, and their count): in a short file
/// one stray row's two spacings tie with the true step (0, 3600, 3601, 7200: 1 s, 59m59s and
/// 1 h once each), and "the shorter" made every interval one second long.
pub fn most_common_spacing(
    queues: impl Iterator<Item = Vec<SimTime>>,
) -> Option<Result<SimDuration, (Vec<SimDuration>, u64)>> {
    let mut count: BTreeMap<SimDuration, u64> = BTreeMap::new();
    let spans: Vec<Vec<SimTime>> = queues.collect();
    for ts in &spans {
        for w in ts.windows(2) {
            *count.entry(w[1].since(w[0])).or_default() += 1;
        }
    }
    let max = count.values().copied().max()?;
    let tied: Vec<SimDuration> = count
        .iter()
        .filter(|(_, n)| **n == max)
        .map(|(d, _)| *d)
        .collect();
    if let [d] = tied[..] {
        return Some(Ok(d));
    }
    // A tie: the shortest is the grid only when every spacing is a whole number of its steps
    // and the rows fill at least half of its slots (0, 1800, 5400: a 30-minute grid with one
    // gap); 1 s under 0, 3600, 3601, 7200 fills 4 slots of 7,201.
    let step = tied[0].as_millis().max(1);
    let (rows, slots) = spans.iter().fold((0u64, 0u64), |(r, n), ts| {
        let span = match (ts.first(), ts.last()) {
            (Some(a), Some(b)) => b.since(*a).as_millis() / step + 1,
            _ => 0,
        };
        (r + ts.len() as u64, n + span)
    });
    let whole = spans.iter().all(|ts| {
        ts.windows(2)
            .all(|w| w[1].since(w[0]).as_millis() % step == 0)
    });
    Some(if whole && 2 * rows >= slots {
        Ok(tied[0])
    } else {
        Err((tied, max))
    })
}

#[cfg(test)]
mod tests;
