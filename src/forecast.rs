//! `omnisim forecast`: interval volumes for the next open days from a history, with a
//! prediction interval that carries the day-level uncertainty (contract "Forecasting").
//!
//! Input ([`read_history`]): a volume file in the forecast format (`interval_start`, optional
//! `queue`, `volume`; ISO local date-times, a UTC offset is ignored: the wall clock counts) or a
//! conversation history (`arrival` ISO date-time, optional `queue`: one arrival per row).
//! Rows are binned into `--interval` buckets anchored at midnight, by *date* (a missing Monday
//! leaves a gap; it does not shift the weekdays of later days). A weekday with no traffic in
//! the whole history is closed; a date with no traffic on an open weekday (a holiday) is left
//! out of the model. A weekday with traffic on one date only (a stray row) and a cut first or
//! last day are left out with a note ([`checks`]); the open weekdays are those of the days kept. The method lives in [`model`], the files in [`output`].

pub mod backtest;
pub mod checks;
mod html;
pub mod model;
pub mod output;

use std::collections::BTreeMap;
use std::path::Path;

use jiff::civil::{Date, DateTime};

use crate::scenario::Diagnostic;
use crate::traffic::{read, Problems};

/// One day of one queue's history: volumes per bucket of the day's grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Day {
    /// The local date.
    pub date: Date,
    /// Monday = 0 … Sunday = 6.
    pub weekday: usize,
    /// Volumes per bucket, `History::n_buckets` long, bucket 0 at `History::first_bucket`.
    pub volumes: Vec<f64>,
}

impl Day {
    /// The day's total volume.
    pub fn total(&self) -> f64 {
        self.volumes.iter().sum()
    }
}

/// One queue's history: its days with traffic, in date order.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueHistory {
    /// The queue, `None` when the file has no `queue` column.
    pub queue: Option<String>,
    /// Days with a positive total, sorted by date (gaps allowed).
    pub days: Vec<Day>,
    /// Open weekdays (Monday = 0): those of the days kept in the model (a stray weekday's one
    /// day or a cut day left out does not open its weekday).
    pub open: [bool; 7],
}

/// A history binned on one grid.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// Bucket length in minutes (divides a day).
    pub interval_min: u32,
    /// A volume file's grid step in minutes (the most common spacing of its interval starts,
    /// [`checks::off_grid`], dividing a day); 0 for a conversation history.
    pub grid_min: u32,
    /// Minutes from midnight to the first bucket of the day (0 to `grid_min` − 1): the phase
    /// of a volume file's grid, kept (a 90-minute grid starting at 07:00 has buckets at
    /// 01:00, 02:30, …, 07:00, …: 60); 0 for a conversation history and a grid through
    /// midnight.
    pub phase_min: u32,
    /// Index (minutes from the day's first bucket `phase_min` ÷ interval) of the first bucket
    /// with traffic on any day.
    pub first_bucket: u32,
    /// Buckets from the first to the last with traffic on any day.
    pub n_buckets: usize,
    /// Length in minutes of the last bucket (1 to `interval_min`): the end of the file's
    /// latest grid slot with traffic on any day, minus the last bucket's start. Bank data on a
    /// 5-minute grid ending with the 21:00 slot gives 5 at `--interval 30m` (the day closes at
    /// 21:05). A conversation history has no grid: `interval_min`.
    pub last_bucket_min: u32,
    /// By queue name (`None` first).
    pub queues: Vec<QueueHistory>,
    /// The last date of the file (the forecast starts the day after).
    pub last_date: Date,
    /// What the history does not say and the model assumed instead (a cut first or last day
    /// left out, [`checks::drop_cut_days`]); printed as warnings and kept in forecast.json.
    pub notes: Vec<String>,
}

/// Monday = 0 … Sunday = 6.
pub fn weekday_index(d: Date) -> usize {
    d.weekday().to_monday_zero_offset() as usize
}

/// Parses an ISO local date-time, ignoring a trailing `Z` or `±HH:MM` offset.
fn parse_local(s: &str) -> Result<DateTime, String> {
    let local = crate::calendar::split_offset(s)
        .map(|(l, _)| l)
        .unwrap_or(s);
    local.parse::<DateTime>().map_err(|_| {
        format!(
            "{s:?} is not a date-time; expected an ISO local date-time such as 2003-03-03T07:00"
        )
    })
}

/// The cells of a history's time column written as seconds since t = 0 (a simulator's log of
/// a scenario without `[scenario] start`) when its first cell decided it is a column of
/// seconds: the first cell and how many there are, reported once.
#[derive(Default)]
struct SecondsColumn {
    /// (line, 1-based column, text) of the first.
    first: Option<(u64, usize, String)>,
    count: u64,
}

impl SecondsColumn {
    fn note(&mut self, line: u64, column: usize, text: &str) {
        self.first
            .get_or_insert_with(|| (line, column, text.to_string()));
        self.count += 1;
    }

    /// One problem at the first such cell, naming how many there are and the fix.
    fn report(&self, header: &crate::traffic::Header, p: &mut Problems) {
        let Some((line, column, text)) = &self.first else {
            return;
        };
        let volume_file = header.col("interval_start").is_some();
        let (name, fix) = if volume_file {
            (
                "interval_start",
                "write each interval's start as an ISO local date-time such as \
                 2026-03-02T07:00",
            )
        } else {
            (
                "arrival",
                "set `[scenario] start` (e.g. start = \"2026-03-02T00:00\") in the scenario \
                 that wrote the log and run it again: its log then has dated arrivals",
            )
        };
        let more = match self.count - 1 {
            0 => String::new(),
            1 => " and 1 more row".to_string(),
            n => format!(" and {n} more rows"),
        };
        p.at(
            *line,
            Some((name, *column)),
            format!(
                "`{name}` holds seconds since t = 0 ({text:?} here{more}), not date-times: a \
                 forecast needs dated {}, to know each row's weekday and time of day; {fix}",
                if volume_file { "intervals" } else { "arrivals" }
            ),
        );
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The columns of a volume file.
const VOLUME_COLUMNS: [&str; 3] = ["interval_start", "queue", "volume"];

/// Every column a history may have (a volume file's, a conversation history's): a header name
/// close to one (`Volume`, `Queue`) is refused.
fn known_columns() -> Vec<&'static str> {
    let mut v = VOLUME_COLUMNS.to_vec();
    for c in crate::traffic::history::COLUMNS {
        if !v.contains(&c) {
            v.push(c);
        }
    }
    v
}

/// The forecast interval (minutes) when `--interval` is not given: 30, or on a coarser grid
/// (`grid_min` minutes, 0 for none) the shortest multiple of it that divides a day and is at
/// least 30 (an hourly file: 60), so an hourly history forecasts without options.
pub fn default_interval(grid_min: u32) -> u32 {
    let step = grid_min.max(1);
    (step..=1440)
        .step_by(step as usize)
        .find(|m| 1440 % m == 0 && *m >= DEFAULT_INTERVAL_MIN)
        .unwrap_or(1440)
}

/// The forecast interval (minutes) on a history without a coarser grid.
pub const DEFAULT_INTERVAL_MIN: u32 = 30;

/// A few forecast intervals a `grid_min`-minute grid accepts (multiples of it dividing a
/// day), e.g. `1h, 2h, 3h, 4h, 6h or 24h` on an hourly grid.
pub fn intervals_on_grid(grid_min: u32) -> String {
    let step = grid_min.max(1);
    let mut lengths = vec![5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720];
    // A grid of its own length (45m, 90m): its multiples dividing a day first.
    if !lengths.contains(&step) {
        lengths.extend(
            (1..16)
                .map(|k| k * step)
                .filter(|m| 1440 % m == 0 && *m < 1440),
        );
        lengths.sort_unstable();
        lengths.dedup();
    }
    let fit: Vec<u32> = lengths
        .into_iter()
        .filter(|m| m % step == 0)
        .take(5)
        .chain([1440])
        .collect();
    let label = |m: &u32| match m % 60 {
        0 => format!("{}h", m / 60),
        _ => format!("{m}m"),
    };
    let mut v: Vec<String> = fit.iter().map(label).collect();
    let last = v.pop().unwrap_or_default();
    match v.is_empty() {
        true => last,
        false => format!("{} or {last}", v.join(", ")),
    }
}

/// Reads `path` (shown as `file`) and bins it into `interval_min`-minute buckets.
///
/// Errors: every problem with its line and column, all at once (unparsable date-time,
/// negative or non-numeric volume, a volume over the rate limit for the file's grid step, a
/// row off the grid or far outside the rest, missing columns), a grid the interval is not a
/// multiple of, or a history without traffic.
pub fn read_history(
    path: &Path,
    file: &str,
    interval_min: u32,
) -> Result<History, Vec<Diagnostic>> {
    read_history_with(path, file, Some(interval_min))
}

/// [`read_history`] with the interval given (`Some`, `--interval`) or not (`None`: the
/// [`default_interval`] of the file's grid, with a note when that is not 30 minutes).
///
/// Errors: as [`read_history`].
pub fn read_history_with(
    path: &Path,
    file: &str,
    given: Option<u32>,
) -> Result<History, Vec<Diagnostic>> {
    let mut p = Problems::new(file);
    let interval_min = given.unwrap_or(DEFAULT_INTERVAL_MIN);
    if interval_min == 0 || 1440 % interval_min != 0 {
        p.file(format!(
            "the forecast interval {interval_min}m does not divide a day; expected e.g. 15m, 30m or 1h"
        ));
        return Err(p.finish());
    }
    // (queue, date, minute of day) → volume
    let mut cells: BTreeMap<(Option<String>, Date), BTreeMap<u32, f64>> = BTreeMap::new();
    let mut step = 0u32;
    // A volume file's grid as its rows' spacing gives it ([`checks::off_grid`]).
    let mut grid: Option<crate::time::SimDuration> = None;
    // Some(true): a volume file; Some(false): conversations.
    let mut mode: Option<bool> = None;
    // The rows' days (and the first lines of each), for rows far outside the rest; a volume
    // file's (queue, start) seen.
    let mut rows = crate::stats::DayTally::new(crate::traffic::MAX_PROBLEMS);
    // Queues by number in `seen` (a volume file's rows are its cells: 24 bytes a row there, not
    // a queue name each; issue 25, thirteenth session).
    let mut queue_numbers: std::collections::HashMap<Option<String>, u32> = Default::default();
    let mut queue_names: Vec<Option<String>> = Vec::new();
    let mut seen: std::collections::HashMap<(u32, DateTime), u64> = Default::default();
    // A volume file's (line, volume) per row read, for the rate over the file's grid.
    let mut volumes: Vec<(u64, f64)> = Vec::new();
    let mut replications = crate::traffic::history::Replications::default();
    // A conversation history's repeats, and retry contacts and legs that link to no row as
    // they should (the rule `[traffic] replay` and `fit` apply).
    let mut links = crate::traffic::links::Links::default();
    // The time column's kind, decided by its first cell that is a date-time (`true`) or a
    // number of seconds (`false`); the seconds cells of a column of seconds: said once, after
    // the rows (issue 25: a log written without `[scenario] start` gave 2,500 lines).
    let mut dated: Option<bool> = None;
    let mut seconds = SecondsColumn::default();
    // The UTC offset of the time cells, as (line, seconds, date) at each line where it
    // changes: a wall-clock time repeated under another offset, or on the date the offset
    // changed, is the hour DST's end repeats.
    let mut offsets: Vec<(u64, Option<i32>, Date)> = Vec::new();
    // The offsets in file order, for one note when they change (`fit` says the same).
    let mut zones = crate::calendar::OffsetChanges::default();
    // A volume file's rows repeating a wall-clock interval under a smaller offset (line, first
    // line, start, offsets): the hour a fall-back repeats if the date's rows say so.
    let mut repeats: Vec<(u64, u64, DateTime, i32, i32)> = Vec::new();
    let (need, known): (&[&[&str]], _) = (&[&["interval_start", "arrival"]], known_columns());
    let header = read(path, &mut p, need, &known, |r, p| {
        let volume_file = *mode.get_or_insert_with(|| r.header.col("interval_start").is_some());
        let time_col = if volume_file {
            "interval_start"
        } else {
            "arrival"
        };
        // Every cell of the row is read before anything is skipped: a bad time must not hide
        // the same row's bad volume or replication.
        let t = match r.cell(time_col) {
            None => Some(None),
            Some(s) => match parse_local(s) {
                Ok(v) => {
                    zones.see(s);
                    dated.get_or_insert(true);
                    Some(Some(v))
                }
                Err(e) => {
                    let secs = s.trim().parse::<f64>().is_ok_and(|x| x.is_finite());
                    if secs && !*dated.get_or_insert(false) {
                        seconds.note(r.line, r.loc(time_col).map_or(1, |l| l.1), s);
                    } else {
                        r.problem(p, time_col, e);
                    }
                    None
                }
            },
        };
        if let Some(None) = t {
            r.problem(p, time_col, format!("`{time_col}` is empty"));
        }
        let volume = if volume_file {
            r.required(p, "volume")
                .and_then(|s| match s.parse::<f64>() {
                    Ok(v) if v.is_finite() && (0.0..=checks::MAX_ROW_VOLUME).contains(&v) => {
                        Some(v)
                    }
                    Ok(v) if v.is_finite() && v > 0.0 => {
                        r.problem(
                            p,
                            "volume",
                            format!(
                                "{s:?} is more than a day at the arrival-rate limit ({:.0}); \
                             expected a volume of one interval",
                                checks::MAX_ROW_VOLUME
                            ),
                        );
                        None
                    }
                    _ => {
                        r.problem(
                            p,
                            "volume",
                            format!("{s:?} is not a volume; expected a number ≥ 0"),
                        );
                        None
                    }
                })
        } else {
            replications.note(r, p);
            links.note(r, p);
            // A run's log with transfers or retrials: a transfer's later leg or a retry contact
            // is not an arrival the scenario offered; each conversation counts once.
            // A bad `leg` (reported) does not hide the row's empty `queue` (issue 25, twelfth
            // session); the row is not counted.
            match crate::traffic::history::contact(r, p) {
                Some(c) if !c.offered() => return,
                c => c.map(|_| 1.0),
            }
        };
        let q = r.cell("queue").map(str::to_string);
        // A file with a `queue` column names a queue on every row: an empty cell is a row of
        // no queue, not a queue named "" (it made a forecast.csv the scenario reader refuses;
        // `fit` and the scenario's history reader say the same). Checked whatever the row's
        // other cells (all problems at once).
        let no_queue = q.is_none() && r.header.col("queue").is_some();
        if no_queue {
            r.problem(p, "queue", "`queue` is empty");
        }
        // A volume read is checked against the file's grid whatever the row's other cells: a
        // bad `interval_start` does not hide the same row's volume over the arrival-rate limit.
        if let (true, Some(v)) = (volume_file, volume) {
            volumes.push((r.line, v));
        }
        let (Some(Some(t)), Some(volume), false) = (t, volume, no_queue) else {
            return;
        };
        let minute = t.hour() as u32 * 60 + t.minute() as u32;
        if volume_file {
            step = gcd(step, minute);
        }
        if volume_file {
            let offset = r
                .cell(time_col)
                .and_then(|c| crate::calendar::split_offset(c).ok())
                .and_then(|(_, o)| o);
            if offsets.last().is_none_or(|(_, o, _)| *o != offset) {
                offsets.push((r.line, offset, t.date()));
            }
            let number = match queue_numbers.get(&q) {
                Some(&n) => n,
                None => {
                    let n = queue_names.len() as u32;
                    queue_numbers.insert(q.clone(), n);
                    queue_names.push(q.clone());
                    n
                }
            };
            if let Some(first) = seen.insert((number, t), r.line) {
                let at_first = offsets.iter().rev().find(|(l, ..)| *l <= first);
                // The offset's last change, when it fell on this date before this row (an
                // export that wrote the repeated hour under the new offset twice). A change at
                // this very row is no evidence: a copy of a winter row appended after summer
                // rows was called the hour DST repeats (issue 25, eleventh tester).
                let change = offsets.len().checked_sub(2).and_then(|i| {
                    let ((_, a, _), (line, b, date)) = (&offsets[i], &offsets[i + 1]);
                    (*date == t.date() && *line < r.line).then_some((*a, *b, *line))
                });
                let message = match (at_first.and_then(|(_, o, _)| *o), offset, change) {
                    // The hour a fall-back repeats, given once under each offset: both rows
                    // count, over an exposure of 2 (checked against the date's change below).
                    (Some(a), Some(b), _) if a > b => {
                        repeats.push((r.line, first, t, a, b));
                        None
                    }
                    (Some(a), Some(b), _) if a != b => {
                        Some(checks::repeated_hour(t, first, a, b, None))
                    }
                    (_, _, Some((Some(a), Some(b), line))) if a > b => {
                        Some(checks::repeated_hour(t, first, a, b, Some(line)))
                    }
                    _ => Some(format!(
                        "this queue already has an interval starting at {t} (line {first}): a \
                         duplicated row? expected one row per queue and interval"
                    )),
                };
                if let Some(message) = message {
                    r.problem(p, time_col, message);
                    return;
                }
            }
        }
        rows.note(checks::day_number(t.date()), r.line);
        *cells
            .entry((q, t.date()))
            .or_default()
            .entry(minute)
            .or_insert(0.0) += volume;
    });
    links.finish(&mut p, false);
    // The wall-clock time each date's daylight-saving change repeated or skipped: a repeated
    // interval's two rows are its two occurrences; any other repeat is an error.
    let changes = zones.clock_changes();
    for (line, first, t, a, b) in repeats {
        let tod = t
            .time()
            .duration_since(jiff::civil::Time::midnight())
            .as_millis() as u64;
        let repeated = changes
            .iter()
            .any(|c| c.date == t.date() && c.repeated && (c.from_ms..c.to_ms).contains(&tod));
        if !repeated {
            let col = header.as_ref().and_then(|h| h.col("interval_start"));
            let message = checks::repeated_hour(t, first, a, b, None);
            p.at(
                line,
                Some(("interval_start", col.map_or(1, |c| c + 1))),
                message,
            );
        }
    }
    if let Some(h) = &header {
        if h.col("interval_start").is_some() && h.col("volume").is_none() {
            p.at(
                1,
                None,
                "missing column `volume`; a volume file has interval_start, [queue], volume",
            );
        }
    }
    if let Some(h) = &header {
        let name = if h.col("interval_start").is_some() {
            "interval_start"
        } else {
            "arrival"
        };
        let col = h.col(name).map_or(1, |c| c + 1);
        checks::far_rows(&rows, (name, col), &mut p);
        if name == "interval_start" {
            if let Some(g) = checks::off_grid(&seen, &queue_names, col, &mut p) {
                grid = Some(g);
                checks::grid_divides_a_day(g, &mut p);
                let col = h.col("volume").map_or(1, |c| c + 1);
                checks::fast_rows(&volumes, g, col, &mut p);
            }
        }
    }
    // The grid's step and phase (issue 25, eighteenth tester: the greatest common step of the
    // starts' minutes of day, 30 for a 90-minute grid from 07:00, binned it into 30-minute
    // buckets with two empty ones between each row's, and `--interval 90m` moved 07:00 to
    // 06:00).
    let earliest = seen.keys().map(|(_, t)| *t).min();
    drop((rows, seen, volumes));
    if let Some(h) = &header {
        seconds.report(h, &mut p);
    }
    // The interval against the file's grid (of the rows read) is checked whatever else was
    // found: the row problems must not hide it.
    let (step, phase) = grid_step_phase(grid, earliest, step);
    if given.is_some() && step != 0 && interval_min % step != 0 {
        p.file(format!(
            "--interval {interval_min}m is not a multiple of the {step}-minute grid of {file}; \
             expected a multiple of {step}m that divides a day, e.g. {}",
            intervals_on_grid(step)
        ));
    }
    // Without --interval: 30 minutes, or the file's coarser grid (an hourly file was refused
    // with "--interval 30m is not a multiple of the 60-minute grid" nobody had typed).
    let interval_min = given.unwrap_or_else(|| default_interval(step));
    if p.any() {
        return Err(p.finish());
    }
    // A volume file's other columns are ignored, with a warning (a conversation history's are
    // its attributes: nothing to say).
    if let Some(h) = header
        .as_ref()
        .filter(|h| h.col("interval_start").is_some())
    {
        crate::traffic::warn_ignored(&mut p, h, &VOLUME_COLUMNS);
    }
    let ignored: Vec<String> = p.take_warnings().iter().map(|d| d.to_string()).collect();
    let first_date = cells.keys().map(|(_, d)| *d).min();
    let Some(last_date) = cells.keys().map(|(_, d)| *d).max() else {
        p.file("the history has no rows; expected one row per interval (or per arrival)");
        return Err(p.finish());
    };
    // Buckets are anchored at the grid's phase, not at midnight (`phase` < `step` ≤ each
    // row's minute of day on the grid).
    let bucket = |minute: u32| minute.saturating_sub(phase) / interval_min;
    let (mut lo, mut hi, mut last_minute) = (u32::MAX, 0u32, 0u32);
    for m in cells.values() {
        for (&minute, &v) in m {
            if v > 0.0 {
                lo = lo.min(bucket(minute));
                hi = hi.max(bucket(minute));
                last_minute = last_minute.max(minute);
            }
        }
    }
    if lo > hi {
        p.file("the history has no traffic (every volume is 0)");
        return Err(p.finish());
    }
    let n_buckets = (hi - lo + 1) as usize;
    // The day closes at the end of the latest slot with traffic (a volume file's grid step).
    let last_bucket_min = if step == 0 {
        interval_min
    } else {
        (last_minute + step - phase - hi * interval_min).min(interval_min)
    };
    // A simulator's log holds every replication over the same days: volumes per replication.
    let copies = replications.copies();
    let mut by_queue: BTreeMap<Option<String>, Vec<Day>> = BTreeMap::new();
    for ((q, date), m) in cells {
        let mut volumes = vec![0.0; n_buckets];
        for (minute, v) in m {
            let b = bucket(minute);
            if (lo..=hi).contains(&b) {
                volumes[(b - lo) as usize] += v / copies;
            }
        }
        // A wall-clock interval a daylight-saving change repeated (skipped) on this date:
        // its count over its exposure, the real time it lasted in units of its length.
        for c in changes.iter().filter(|c| c.date == date) {
            for (b, v) in volumes.iter_mut().enumerate() {
                let start = (phase + (lo + b as u32) * interval_min) as u64 * 60_000;
                let e = c.exposure(start, interval_min as u64 * 60_000);
                if e > 0.0 {
                    *v /= e;
                }
            }
        }
        let days = by_queue.entry(q).or_default();
        let day = Day {
            date,
            weekday: weekday_index(date),
            volumes,
        };
        if day.total() > 0.0 {
            days.push(day);
        }
    }
    let mut notes = ignored;
    notes.extend(zones.note());
    if given.is_none() && interval_min != DEFAULT_INTERVAL_MIN {
        notes.push(format!(
            "the forecast interval is {interval_min}m, the shortest that the file's \
             {step}-minute grid allows (the default {DEFAULT_INTERVAL_MIN}m is finer than the \
             grid); --interval sets another multiple of {step}m"
        ));
    }
    if replications.count() > 1 {
        notes.push(format!(
            "a simulator's log of {} replications of the same days (its `replication` \
             column): volumes are averaged over them, per replication",
            replications.count()
        ));
    }
    let clock = |b: usize| {
        let m = phase as usize + (lo as usize + b) * interval_min as usize;
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    let queues = by_queue
        .into_iter()
        .map(|(queue, days)| {
            let had: Vec<Date> = days.iter().map(|d| d.date).collect();
            let mut q = QueueHistory {
                queue,
                days,
                open: [false; 7],
            };
            notes.extend(checks::drop_stray_weekdays(&mut q));
            notes.extend(checks::drop_cut_days(&mut q, interval_min, clock));
            // Open: the weekdays of the days kept, so that a stray or cut day left out of the
            // model is not read as an open weekday whose empty dates are closures.
            for d in &q.days {
                q.open[d.weekday] = true;
            }
            notes.extend(checks::closed_on_little_evidence(&q, first_date, last_date));
            notes.extend(checks::missing_days(&q, &had, last_date));
            q
        })
        .collect();
    Ok(History {
        interval_min,
        grid_min: step,
        phase_min: phase,
        first_bucket: lo,
        n_buckets,
        last_bucket_min,
        queues,
        last_date,
        notes,
    })
}

/// A volume file's grid step and phase in minutes: the step of its rows' spacing (`grid`,
/// [`checks::off_grid`]) and the minute of day of its `earliest` start modulo that step, so
/// buckets start where the file's intervals do. Without such a grid (one row per queue, a
/// spacing not in whole minutes): `gcd`, the greatest common step of the starts' minutes of
/// day, phase 0; 0 for a conversation history.
fn grid_step_phase(
    grid: Option<crate::time::SimDuration>,
    earliest: Option<DateTime>,
    gcd_min: u32,
) -> (u32, u32) {
    let fallback = || (if gcd_min == 0 { 0 } else { gcd(gcd_min, 1440) }, 0);
    let (Some(ms), Some(t)) = (grid.map(|g| g.as_millis()), earliest) else {
        return fallback();
    };
    if ms == 0 || ms % 60_000 != 0 || 86_400_000 % ms != 0 {
        return fallback();
    }
    let step = (ms / 60_000) as u32;
    (step, (t.hour() as u32 * 60 + t.minute() as u32) % step)
}

/// How far ahead: `Nd` / `N days` are the next N open days; `Nw` / `N weeks` the open days
/// of the next 7·N calendar days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Horizon {
    /// The next N open days.
    OpenDays(u32),
    /// The open days among the next N calendar days.
    CalendarDays(u32),
}

impl Horizon {
    /// Parses `1d`, `3 days`, `1w`, `2 weeks`. Errors: anything else, or 0, or over 366 days.
    pub fn parse(text: &str) -> Result<Horizon, String> {
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: u32 = num.parse().map_err(|_| bad_horizon(text))?;
        let h = match unit.trim() {
            "d" | "day" | "days" => Horizon::OpenDays(n),
            "w" | "week" | "weeks" => Horizon::CalendarDays(n.saturating_mul(7)),
            _ => return Err(bad_horizon(text)),
        };
        match h {
            Horizon::OpenDays(n) | Horizon::CalendarDays(n) if n == 0 || n > 366 => {
                Err(bad_horizon(text))
            }
            h => Ok(h),
        }
    }

    /// The dates to forecast after `last` given the open weekdays (empty when none is open).
    pub fn dates(self, last: Date, open: &[bool; 7]) -> Vec<Date> {
        let mut out = Vec::new();
        if !open.iter().any(|&o| o) {
            return out;
        }
        let mut d = last;
        let mut calendar = 0;
        loop {
            let Ok(next) = d.tomorrow() else { break };
            d = next;
            calendar += 1;
            match self {
                Horizon::OpenDays(n) if out.len() as u32 >= n => break,
                Horizon::CalendarDays(n) if calendar > n => break,
                _ => {}
            }
            if open[weekday_index(d)] {
                out.push(d);
            }
        }
        out
    }
}

fn bad_horizon(text: &str) -> String {
    format!("horizon {text:?}: expected 1d, N days (open days) or 1w, N weeks (1 to 366 days)")
}

#[cfg(test)]
mod tests;
