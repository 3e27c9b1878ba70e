//! What a history must not slip past `omnisim forecast` unnoticed (issue 25, found by a fresh
//! tester): a row far outside the rest (a mistyped year would move the forecast decades
//! ahead), a volume no queue can carry, and a first or last day cut short by the export's
//! window (read as a real low day, it drags the level down and the band misses the truth).
//!
//! The first two are errors at their line ([`far_rows`], [`MAX_ROW_VOLUME`], and over one step
//! of the file's grid [`fast_rows`]), as is a volume file's row off the file's grid
//! ([`off_grid`]: one stray `07:03` row in a 5-minute file made every bucket end 1 minute in);
//! a cut day is left out of the model with a note ([`drop_cut_days`]), as `fit` notes it
//! (`fit::checks`); weekdays taken as closed on fewer than two dates are named
//! ([`closed_on_little_evidence`]); a volume file's interval given twice where no
//! daylight-saving fall-back explains it is named ([`repeated_hour`]); open days without traffic at the
//! end of the file or for a week or more are named ([`missing_days`]).

use std::collections::{BTreeMap, HashMap};

use jiff::civil::{Date, DateTime};
use jiff::SignedDuration;

use super::{Day, QueueHistory};
use crate::scenario::MAX_RATE_PER_S;
use crate::stats::DayTally;
use crate::time::{SimDuration, SimTime};
use crate::traffic::forecast::{check_grid, most_common_spacing, rate_problem, tie_message};
use crate::traffic::Problems;

/// The largest volume one row may carry: a whole day at the scenario's arrival-rate limit
/// ([`MAX_RATE_PER_S`] × 86,400 s = 86.4 million). A row above it cannot be simulated in any
/// interval and is almost surely an export or unit error.
pub const MAX_ROW_VOLUME: f64 = MAX_RATE_PER_S * 86_400.0;

/// A first or last day whose traffic starts (ends) more than this many minutes after (before)
/// the median open day's is cut short: the same hour `fit`'s note uses.
pub const CUT_DAY_MIN: u32 = 60;

/// Days since 0000-01-01 (any fixed epoch works for [`crate::stats::bulk_range`]; a date before
/// it is day 0).
pub fn day_number(d: Date) -> u64 {
    (d - Date::constant(0, 1, 1)).get_days().max(0) as u64
}

/// A volume file's rows off its grid: the grid is inferred as the scenario's forecast reader
/// infers it (the most common spacing between consecutive starts of a queue, anchored at the
/// earliest start; [`most_common_spacing`], [`check_grid`]), each row off it is an error at
/// its line. `seen`: `(queue, start) → line` per row, the queue by its index in `queues`;
/// `col`: `interval_start`'s 1-based number. Returns the grid (`None`: too few rows, or a tie,
/// reported).
pub fn off_grid(
    seen: &HashMap<(u32, DateTime), u64>,
    queues: &[Option<String>],
    col: usize,
    p: &mut Problems,
) -> Option<SimDuration> {
    let base = seen.keys().map(|(_, t)| *t).min()?;
    // Wall-clock instants as milliseconds since the earliest start (no time zone: the wall
    // clock counts, as in the binning).
    let at = |t: DateTime| {
        SimTime::ZERO + SimDuration::from_millis(t.duration_since(base).as_millis().max(0) as u64)
    };
    let mut by_queue: BTreeMap<&Option<String>, Vec<SimTime>> = BTreeMap::new();
    for (q, t) in seen.keys() {
        by_queue
            .entry(&queues[*q as usize])
            .or_default()
            .push(at(*t));
    }
    for v in by_queue.values_mut() {
        v.sort_unstable();
    }
    let interval = match most_common_spacing(by_queue.into_values()) {
        None => return None,
        Some(Ok(d)) => d,
        Some(Err(tie)) => {
            p.file(tie_message(&tie, "more rows on the grid"));
            return None;
        }
    };
    let show = |t: SimTime| {
        let dt = base
            .checked_add(SignedDuration::from_millis(t.as_millis() as i64))
            .unwrap_or(base);
        match dt.second() == 0 && dt.subsec_nanosecond() == 0 {
            true => dt.strftime("%Y-%m-%dT%H:%M").to_string(),
            false => dt.strftime("%Y-%m-%dT%H:%M:%S%.f").to_string(),
        }
    };
    let rows = seen.iter().map(|((_, t), line)| (*line, at(*t)));
    check_grid(p, rows, interval, col, show);
    Some(interval)
}

/// A volume file's grid (its rows' spacing, [`off_grid`]) that does not divide a day is an
/// error naming it: the forecast bins by time of day, and no interval dividing a day is a
/// multiple of such a grid (a 7-minute grid's slots fall across every interval's bounds and
/// were binned silently; 1440 minutes has no factor 7).
pub fn grid_divides_a_day(grid: SimDuration, p: &mut Problems) {
    let (ms, day) = (grid.as_millis(), 86_400_000u64);
    if ms == 0 || day % ms == 0 {
        return;
    }
    let shown = match ms % 60_000 {
        0 => format!("{} minutes", ms / 60_000),
        _ => format!("{} s", ms as f64 / 1000.0),
    };
    p.file(format!(
        "interval_start: the rows are {shown} apart (the file's grid), which does not divide a day: \
         the forecast bins volumes by time of day in intervals that divide a day and are \
         multiples of the grid, and none is a multiple of {shown}; expected a grid that divides \
         a day (5, 10, 15, 20, 30 or 60 minutes, …): aggregate the file to one"
    ));
}

/// A volume file's rows whose volume arrives faster than the scenario's limit over one step of
/// the file's `grid` (what `[traffic] forecast` would refuse in the forecast written from them:
/// 86,400,000 in a 5-minute row passed [`MAX_ROW_VOLUME`] and gave a forecast of 86 million
/// calls no run could take), each an error at its line and `volume`'s column `col`, with the
/// scenario reader's words ([`rate_problem`]). `rows`: `(line, volume)`.
pub fn fast_rows(rows: &[(u64, f64)], grid: SimDuration, col: usize, p: &mut Problems) {
    for &(line, volume) in rows {
        if let Some(m) = rate_problem(volume, grid) {
            p.at(line, Some(("volume", col)), m);
        }
    }
}

/// Rows whose date lies far outside the bulk of the history (three interquartile ranges and a
/// month beyond its middle half, [`crate::stats::bulk_range`]): an error at each row's line, in
/// line order (the first [`crate::traffic::MAX_PROBLEMS`] named, as [`Problems`] keeps them, the others
/// counted). `rows`: each row's day ([`day_number`]) and line, noted in line order into a
/// tally keeping that many lines a day; `column`: the date-time column's name and 1-based
/// number.
pub fn far_rows(rows: &DayTally, column: (&str, usize), p: &mut Problems) {
    let Some(((lo, hi), (q1, q3))) = rows.range() else {
        return;
    };
    let date = |n: u64| {
        Date::constant(0, 1, 1)
            .checked_add(jiff::Span::new().days(n as i64))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    let (named, others) = rows.outside((lo, hi));
    for (line, n) in named {
        let gap = if n > hi { n - q3 } else { q1 - n };
        p.at(
            line,
            Some(column),
            format!(
                "{} is {gap} days from the bulk of the history (its middle half is {} … {}): a \
                 mistyped date? expected a day between {} and {}; fix or remove the row",
                date(n),
                date(q1),
                date(q3),
                date(lo),
                date(hi)
            ),
        );
    }
    p.count_beyond_cap(others);
}

/// The first and last bucket with traffic of a day, `None` for a day without any.
fn span(d: &Day) -> Option<(usize, usize)> {
    let first = d.volumes.iter().position(|v| *v > 0.0)?;
    let last = d.volumes.iter().rposition(|v| *v > 0.0)?;
    Some((first, last))
}

fn median(mut v: Vec<usize>) -> usize {
    v.sort_unstable();
    v[v.len() / 2]
}

/// Leaves out of `q.days` a first or last day whose traffic starts later or ends earlier than
/// the median day's by more than [`CUT_DAY_MIN`] (an export cut mid-day), and returns a note
/// per day left out. The median is over the other days of the same weekday when there are at
/// least two (a centre closing at 13:00 on Saturdays has a short last Saturday that is not
/// cut), else over all other days. Needs at least three days; the days in between are never
/// touched (a short day there is the centre's own, e.g. a half holiday).
/// `interval_min`: the bucket length; `clock(b)`: bucket `b`'s start as `HH:MM`.
pub fn drop_cut_days(
    q: &mut QueueHistory,
    interval_min: u32,
    clock: impl Fn(usize) -> String,
) -> Vec<String> {
    let mut notes = Vec::new();
    if q.days.len() < 3 {
        return notes;
    }
    // The median first and last bucket of the days other than `i`, like it in weekday.
    let usual = |i: usize| -> (usize, usize) {
        let others = |same: bool| {
            q.days
                .iter()
                .enumerate()
                .filter(|&(j, d)| j != i && (!same || d.weekday == q.days[i].weekday))
                .filter_map(|(_, d)| span(d))
                .collect::<Vec<_>>()
        };
        let mut spans = others(true);
        if spans.len() < 2 {
            spans = others(false);
        }
        (
            median(spans.iter().map(|s| s.0).collect()),
            median(spans.iter().map(|s| s.1).collect()),
        )
    };
    let (last_i, first_i) = (q.days.len() - 1, 0);
    let ((_, end), (start, _)) = (usual(last_i), usual(first_i));
    let slack = (CUT_DAY_MIN / interval_min) as usize;
    let name = queue_prefix(q);
    let cut = |d: &Day, last: bool| -> Option<String> {
        let (first, final_) = span(d)?;
        if last && final_ + slack < end {
            Some(format!(
                "{name}{}: cut short by the export? it is left out of the model, and not read \
                 as a closure (the forecast still starts the day after it, without the \
                 day-after-a-closure effect)",
                crate::text::cut_day(
                    true,
                    &d.date.to_string(),
                    (&clock(final_), &clock(final_ + 1)),
                    (&clock(end), &clock(end + 1))
                )
            ))
        } else if !last && first > start + slack {
            Some(format!(
                "{name}{}: cut short by the export? it is left out of the model",
                crate::text::cut_day(
                    false,
                    &d.date.to_string(),
                    (&clock(first), &clock(first + 1)),
                    (&clock(start), &clock(start + 1))
                )
            ))
        } else {
            None
        }
    };
    if let Some(n) = q.days.last().and_then(|d| cut(d, true)) {
        q.days.pop();
        notes.push(n);
    }
    if let Some(n) = q.days.first().and_then(|d| cut(d, false)) {
        q.days.remove(0);
        notes.push(n);
    }
    notes
}

/// Histories spanning fewer calendar days than this are too short to call a weekday with
/// traffic on one date only a stray ([`drop_stray_weekdays`]): three weeks give every
/// regularly open weekday three dates.
pub const STRAY_SPAN_DAYS: i32 = 21;

/// Leaves out of `q.days` the days of a weekday that is rarely open, in a history spanning at
/// least [`STRAY_SPAN_DAYS`] calendar days: a weekday with traffic on one date only (a stray
/// Saturday row in a Monday–Friday history), or on a quarter or less of its dates in the span
/// (two stray Sundays among 33; the rule `fit` warns about). Returns a note per weekday left
/// out, naming its dates. Such a weekday stays closed: no forecast for it, and its empty dates
/// are not closures (read as open, every Monday after it would count as "the day after a
/// closure"). Does not touch `q.open`; the caller sets it from the days kept.
pub fn drop_stray_weekdays(q: &mut QueueHistory) -> Vec<String> {
    use crate::text::WEEKDAYS as NAMES;
    let mut notes = Vec::new();
    let (Some(first), Some(last)) = (q.days.first(), q.days.last()) else {
        return notes;
    };
    let span = (last.date - first.date).get_days() + 1;
    if span < STRAY_SPAN_DAYS {
        return notes;
    }
    // Each weekday's dates in the span (first to last date, both in).
    let first_weekday = first.weekday;
    let dates = |wd: usize| {
        let offset = ((wd + 7 - first_weekday) % 7) as i32;
        if offset >= span {
            0
        } else {
            ((span - 1 - offset) / 7 + 1) as usize
        }
    };
    let mut count = [0usize; 7];
    for d in &q.days {
        count[d.weekday] += 1;
    }
    let rare: Vec<bool> = (0..7)
        .map(|wd| count[wd] == 1 || (count[wd] > 0 && count[wd] * 4 <= dates(wd)))
        .collect();
    let name = queue_prefix(q);
    let mut left_out: [Vec<&Day>; 7] = Default::default();
    for d in q.days.iter().filter(|d| rare[d.weekday]) {
        left_out[d.weekday].push(d);
    }
    // (first date, note), in date order as the days were.
    let mut dated = Vec::new();
    for (wd, days) in left_out.iter().enumerate() {
        match days[..] {
            [] => {}
            [d] => dated.push((
                d.date,
                format!(
                    "{name}{} is the only {} with traffic in {span} days ({:.0} calls): a stray \
                 row? it is left out of the model and {}s stay closed (not forecast)",
                    d.date,
                    NAMES[wd],
                    d.total(),
                    NAMES[wd]
                ),
            )),
            _ => {
                let listed: Vec<String> = days
                    .iter()
                    .map(|d| format!("{} ({:.0} calls)", d.date, d.total()))
                    .collect();
                dated.push((
                    days[0].date,
                    format!(
                        "{name}{}s had traffic on {} of the {} {}s in {span} days ({}): stray \
                     rows? a weekday open on a quarter of its dates or fewer is left out of \
                     the model and {}s stay closed (not forecast)",
                        NAMES[wd],
                        days.len(),
                        dates(wd),
                        NAMES[wd],
                        listed.join(", "),
                        NAMES[wd]
                    ),
                ));
            }
        }
    }
    dated.sort_by_key(|(date, _)| *date);
    notes.extend(dated.into_iter().map(|(_, n)| n));
    q.days.retain(|d| !rare[d.weekday]);
    notes
}

/// A note naming the weekdays `q` takes as closed (no day of theirs kept) on the evidence of
/// fewer than two of their dates in the file's span `first ..= last` (`first` `None`: no
/// rows): a one-day history closed six weekdays, and one Wednesday of zeros in a Monday–Friday
/// week closed every Wednesday, silently. They stay closed (nothing else is known); the note
/// says on what evidence. `None` when every closed weekday had at least two dates.
pub fn closed_on_little_evidence(
    q: &QueueHistory,
    first: Option<Date>,
    last: Date,
) -> Option<String> {
    use crate::text::WEEKDAYS as NAMES;
    let first = first?;
    let mut dates: [Vec<Date>; 7] = Default::default();
    let mut d = first;
    while d <= last {
        let wd = super::weekday_index(d);
        if dates[wd].len() < 2 {
            dates[wd].push(d);
        }
        d = d.tomorrow().ok()?;
    }
    let span = (last - first).get_days() + 1;
    let thin: Vec<String> = (0..7)
        .filter(|&wd| !q.open[wd] && dates[wd].len() < 2)
        .map(|wd| match dates[wd].first() {
            None => format!("{} (no date)", NAMES[wd]),
            Some(d) => format!("{} (only {d}, without traffic)", NAMES[wd]),
        })
        .collect();
    if thin.is_empty() {
        return None;
    }
    Some(format!(
        "{}taken as closed (not forecast) on fewer than two dates each in the history's {}: {}; \
         too few to tell a closed weekday from one the history misses (a history of two weeks \
         or more tells them apart)",
        queue_prefix(q),
        crate::text::plural(span as u64, "day"),
        thin.join(", "),
    ))
}

/// Notes on the open-weekday dates of `q` without traffic (`had`: the sorted dates with traffic
/// before any day was left out, so a cut day's own note is not repeated), from its first day
/// with traffic to the file's `last` date: a run at the end (an all-zero last day was read as
/// a holiday, silently) and a run in the middle as long as a week of open days or longer (a
/// history missing a whole week passed without a word). Both stay out of the model as
/// closures, as before; the note says which dates and that.
pub fn missing_days(q: &QueueHistory, had: &[Date], last: Date) -> Vec<String> {
    let Some(&first) = had.first() else {
        return Vec::new();
    };
    let week = q.open.iter().filter(|&&o| o).count().max(2);
    // Runs of consecutive open-weekday dates without traffic.
    let mut runs: Vec<Vec<Date>> = Vec::new();
    let mut run: Vec<Date> = Vec::new();
    let mut d = first;
    while d <= last {
        if q.open[super::weekday_index(d)] {
            if had.binary_search(&d).is_ok() {
                runs.extend((!run.is_empty()).then(|| std::mem::take(&mut run)));
            } else {
                run.push(d);
            }
        }
        let Ok(next) = d.tomorrow() else { break };
        d = next;
    }
    let dates = |r: &[Date]| match r {
        [a] => a.to_string(),
        [a, b] => format!("{a} and {b}"),
        [a, .., b] => format!("{a} … {b}"),
        [] => String::new(),
    };
    let mut notes: Vec<String> = runs
        .iter()
        .filter(|r| r.len() >= week)
        .map(|r| {
            format!(
                "{}no traffic on the {} from {} (a week of open days or more, between days with \
                 traffic): a gap in the export? read as closures (holidays), left out of the \
                 model",
                queue_prefix(q),
                crate::text::plural(r.len() as u64, "open day"),
                dates(r)
            )
        })
        .collect();
    if !run.is_empty() {
        notes.push(format!(
            "{}the history's last {} ({}) {} no traffic: read as closures (holidays), left out \
             of the model, and the forecast starts after {last}; if the export missed their \
             traffic, remove their rows",
            queue_prefix(q),
            match run.len() {
                1 => "open day".to_string(),
                n => crate::text::plural(n as u64, "open day"),
            },
            dates(&run),
            if run.len() == 1 { "has" } else { "have" }
        ));
    }
    notes
}

/// `queue NAME: ` for a named queue, else empty: the start of a note.
fn queue_prefix(q: &QueueHistory) -> String {
    q.queue
        .as_deref()
        .map(|n| format!("queue {n}: "))
        .unwrap_or_default()
}

/// The message for a volume file's interval given twice where no daylight-saving change
/// explains it: under a smaller UTC offset on a date whose rows show no fall-back repeating it
/// (`change` `None`; `first`: the earlier line, `a` and `b`: the two offsets in seconds), or
/// under one offset on the date the file's offset fell from `a` to `b` (`change`: that line),
/// an export that wrote the repeated hour under the new offset twice. A fall-back's repeated
/// interval given once under each offset is not an error: both count, over its exposure
/// ([`crate::calendar::dst`]).
pub fn repeated_hour(t: DateTime, first: u64, a: i32, b: i32, change: Option<u64>) -> String {
    let off = |s: i32| {
        let (sign, s) = if s < 0 { ('-', -s) } else { ('+', s) };
        format!("{sign}{:02}:{:02}", s / 3600, s % 3600 / 60)
    };
    let why = match change {
        None => format!(
            "(line {first}, UTC offset {}; this row {}), but this date's rows show no \
             daylight-saving fall-back repeating it (every row under {} before every row \
             under {}, the change on the hour)",
            off(a),
            off(b),
            off(a),
            off(b)
        ),
        Some(line) => format!(
            "(line {first}); the file's UTC offset falls from {} to {} on this date (line \
             {line}): the hour repeated when daylight saving time ends? Its first occurrence \
             is then written under {}: the forecast counts both, over the hour's two \
             occurrences",
            off(a),
            off(b),
            off(a)
        ),
    };
    format!(
        "this queue already has an interval starting at {t} {why}; expected one row per \
         wall-clock interval and UTC offset: fix the offset or remove the duplicate row at {}",
        t.strftime("%Y-%m-%dT%H:%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: Date, volumes: Vec<f64>) -> Day {
        Day {
            date,
            weekday: crate::forecast::weekday_index(date),
            volumes,
        }
    }

    fn clock(b: usize) -> String {
        format!("{:02}:00", b)
    }

    /// A constant 24-hour history exported at 08:00 on its last day: that day (8 of 24 hourly
    /// buckets) is left out with a note; a first day starting at 10:00 likewise; a full day in
    /// the middle that is short stays.
    #[test]
    fn a_cut_first_or_last_day_is_left_out_with_a_note() {
        let d0 = Date::constant(2025, 1, 6);
        let mut days: Vec<Day> = (0..10)
            .map(|i| {
                let date = d0.checked_add(jiff::Span::new().days(i)).unwrap();
                day(date, vec![150.0; 24])
            })
            .collect();
        days[0].volumes[..10].fill(0.0); // starts at 10:00
        days[5].volumes[12..].fill(0.0); // a half day in the middle: the centre's own
        days[9].volumes[8..].fill(0.0); // export cut at 08:00
        let mut q = QueueHistory {
            queue: None,
            days,
            open: [true; 7],
        };
        let notes = drop_cut_days(&mut q, 60, clock);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].contains("the last day, 2025-01-15, has its last traffic in 07:00–08:00"),
            "{}",
            notes[0]
        );
        assert!(
            notes[1].contains("the first day, 2025-01-06, has its first traffic in 10:00–11:00"),
            "{}",
            notes[1]
        );
        assert_eq!(q.days.len(), 8);
        assert_eq!(q.days[0].date, Date::constant(2025, 1, 7));
        assert_eq!(q.days[7].date, Date::constant(2025, 1, 14));
        // Within the hour of slack: nothing is left out.
        let mut q2 = q.clone();
        q2.days[7].volumes[23] = 0.0;
        assert!(drop_cut_days(&mut q2, 60, clock).is_empty());
        assert_eq!(q2.days.len(), 8);
    }

    /// A centre open 24 h on weekdays and 00:00–13:00 on Saturdays, its file ending on a
    /// Saturday: that Saturday is like the other Saturdays, not cut (compared with all days it
    /// would have been left out). Found in review: the check must compare like weekdays.
    #[test]
    fn a_short_weekday_of_its_own_is_not_a_cut_day() {
        let d0 = Date::constant(2025, 1, 6); // a Monday
        let days: Vec<Day> = (0..27)
            .filter(|i| i % 7 != 6) // closed on Sundays
            .map(|i| {
                let date = d0.checked_add(jiff::Span::new().days(i)).unwrap();
                let mut v = vec![150.0; 24];
                if i % 7 == 5 {
                    v[13..].fill(0.0); // Saturday: 00:00–13:00
                }
                day(date, v)
            })
            .collect();
        assert_eq!(days.last().unwrap().date, Date::constant(2025, 2, 1)); // a Saturday
        let mut q = QueueHistory {
            queue: None,
            days,
            open: [true, true, true, true, true, true, false],
        };
        let n = q.days.len();
        assert!(drop_cut_days(&mut q, 60, clock).is_empty());
        assert_eq!(q.days.len(), n);
        // The same Saturday cut at 08:00 is still left out.
        q.days.last_mut().unwrap().volumes[8..].fill(0.0);
        let notes = drop_cut_days(&mut q, 60, clock);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains(
                "has its last traffic in 07:00–08:00 while the median day has its last in \
                 12:00–13:00"
            ),
            "{}",
            notes[0]
        );
    }

    /// Issue 25, fourth pass (F3): a stray Saturday row in a Monday–Friday history is left
    /// out with a note (its weekday stays closed); in a history under three weeks nothing is.
    #[test]
    fn a_weekday_with_traffic_on_one_date_only_is_a_stray() {
        let d0 = Date::constant(2025, 1, 6); // a Monday
        let mut days: Vec<Day> = (0..26)
            .filter(|i| i % 7 < 5)
            .map(|i| {
                day(
                    d0.checked_add(jiff::Span::new().days(i)).unwrap(),
                    vec![150.0; 4],
                )
            })
            .collect();
        days.insert(
            5,
            day(Date::constant(2025, 1, 11), vec![3.0, 0.0, 0.0, 0.0]),
        );
        let mut q = QueueHistory {
            queue: Some("q".into()),
            days,
            open: [false; 7],
        };
        let n = q.days.len();
        let notes = drop_stray_weekdays(&mut q);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with(
                "queue q: 2025-01-11 is the only Saturday with traffic in 26 days (3 calls)"
            ),
            "{}",
            notes[0]
        );
        assert_eq!(q.days.len(), n - 1);
        assert!(q.days.iter().all(|d| d.weekday < 5));
        // Two weeks only: every weekday has one or two dates, nothing is a stray.
        q.days.truncate(8);
        assert!(drop_stray_weekdays(&mut q).is_empty());
        assert_eq!(q.days.len(), 8);
    }

    /// Issue 25, fifth pass (tester): two stray Sundays among 33 opened Sundays and forecast
    /// them. A weekday open on a quarter of its dates or fewer is left out, with one note
    /// naming its dates; a weekday open on more than a quarter (a Saturday every other week)
    /// stays.
    #[test]
    fn a_weekday_open_on_a_quarter_of_its_dates_or_fewer_is_a_stray() {
        let d0 = Date::constant(2025, 1, 6); // a Monday
        let at = |i: i64| d0.checked_add(jiff::Span::new().days(i)).unwrap();
        // 9 weeks Monday–Friday (61 days to the last Friday): Sundays on 2 of 8 dates,
        // Saturdays on 3 of 8.
        let mut days: Vec<Day> = (0..63)
            .filter(|i| i % 7 < 5 || [13, 20].contains(i) || [5, 19, 33].contains(i))
            .map(|i| day(at(i), vec![if i % 7 < 5 { 150.0 } else { 50.0 }; 4]))
            .collect();
        days.sort_by_key(|d| d.date);
        let mut q = QueueHistory {
            queue: None,
            days,
            open: [false; 7],
        };
        let n = q.days.len();
        let notes = drop_stray_weekdays(&mut q);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with(
                "Sundays had traffic on 2 of the 8 Sundays in 61 days (2025-01-19 (200 calls), \
                 2025-01-26 (200 calls))"
            ),
            "{}",
            notes[0]
        );
        assert_eq!(q.days.len(), n - 2);
        assert!(q.days.iter().all(|d| d.weekday != 6));
        assert_eq!(q.days.iter().filter(|d| d.weekday == 5).count(), 3);
    }

    /// A mistyped year is an error at its line; rows within a month of the bulk are not.
    #[test]
    fn a_row_far_outside_the_rest_is_an_error_at_its_line() {
        let d0 = Date::constant(2003, 3, 3);
        let mut rows = DayTally::new(crate::traffic::MAX_PROBLEMS);
        for i in 0..100 {
            let d = d0.checked_add(jiff::Span::new().days(i as i64)).unwrap();
            rows.note(day_number(d), i + 2);
        }
        rows.note(day_number(Date::constant(2030, 10, 24)), 102);
        rows.note(day_number(Date::constant(2003, 7, 1)), 103);
        let mut p = Problems::new("h.csv");
        far_rows(&rows, ("interval_start", 1), &mut p);
        let e: Vec<String> = p.finish().iter().map(|d| d.to_string()).collect();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("h.csv:102:1"), "{}", e[0]);
        assert!(
            e[0].contains("2030-10-24") && e[0].contains("mistyped"),
            "{}",
            e[0]
        );
    }
}
