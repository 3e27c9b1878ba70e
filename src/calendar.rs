//! The calendar: simulated time ↔ local date-times, days of week and clock times.
//!
//! Key items: [`Calendar`] (`[scenario] start`, the local date-time of t = 0, no time zone),
//! [`Calendar::parse_time`] (a CSV time: seconds since t = 0 or an ISO local date-time),
//! [`Calendar::to_local`], [`Calendar::weekday`], [`Calendar::clock`].
//!
//! Local date-times carry no zone and no daylight-saving jumps: a simulated day is always
//! 24 hours (contract, "Calendar"). Date arithmetic is `jiff`'s civil date-times.
//!
//! A CSV date-time may carry a UTC offset (`2026-06-01T09:00:00+02:00`, `…Z`): it is converted
//! to the calendar's local time using the offset of `[scenario] start` when that has one, else
//! the offset of the file's first date-time ([`CsvOffsets`]); when neither has one the row is
//! refused (the local time it means is unknown). An offset is never dropped by the scenario's
//! readers; `fit` and `forecast` bin a history by the local wall clock written in each row and
//! note when its offsets change ([`OffsetChanges`]); the wall-clock time a daylight-saving
//! change repeats or skips counts by its real length there ([`dst`]).
//!
//! ```
//! use omnisim::calendar::Calendar;
//! use omnisim::time::SimTime;
//! let cal = Calendar::parse("2026-03-02T07:00").unwrap();
//! assert_eq!(cal.weekday(SimTime(0)), "mon");
//! assert_eq!(cal.clock(SimTime(3_600_000)), "08:00");
//! assert_eq!(cal.parse_time("2026-03-02T07:30").unwrap(), SimTime(1_800_000));
//! assert_eq!(cal.parse_time("90").unwrap(), SimTime(90_000));
//! ```

pub mod dst;

use jiff::civil::{self, DateTime, Weekday};
use jiff::SignedDuration;

use crate::time::{SimDuration, SimTime};

/// The latest CSV time in seconds: the simulated clock's end (`u64::MAX / 2` ms, where
/// durations saturate); a later one (`1e30`) is refused, not read as the clock's end.
pub const MAX_CSV_TIME_S: f64 = (u64::MAX / 2) as f64 / 1000.0;

/// Maps simulated time to local (zone-less) date-times: t = 0 is [`Calendar::start`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Calendar {
    /// The local date-time of t = 0.
    pub start: DateTime,
    /// The UTC offset (seconds east of UTC) `[scenario] start` was written with, if any: CSV
    /// date-times with an offset are converted to it.
    pub offset: Option<i32>,
    /// Whether `[scenario] start` was given (a dated forecast needs it); `false` for the
    /// default Monday.
    pub given: bool,
    /// Whether `[scenario] start` was given but could not be read (its own error says so):
    /// the CSV readers then skip their dated cells without calling `start` missing.
    pub unread: bool,
}

/// Without `[scenario] start`, t = 0 is a Monday at 00:00: Monday 2024-01-01.
impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            start: civil::date(2024, 1, 1).at(0, 0, 0, 0),
            offset: None,
            given: false,
            unread: false,
        }
    }
}

/// What one CSV file's date-times said about UTC offsets so far: the first date-time's offset
/// (or its lack of one) is the file's reference when `[scenario] start` has none.
#[derive(Clone, Copy, Debug, Default)]
pub struct CsvOffsets {
    /// The first date-time read: its offset, `Some(None)` when it had none.
    first: Option<Option<i32>>,
}

impl CsvOffsets {
    /// The offset of the file's first date-time (`None`: none yet, or it had none).
    pub fn first(&self) -> Option<i32> {
        self.first.flatten()
    }
}

/// The short day names, Monday first (as `operating_hours` days are written).
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Calendar {
    /// Parses `[scenario] start`: an ISO local date-time such as `"2026-03-02T07:00"`
    /// (seconds optional; a space may replace the `T`; a bare date means 00:00).
    ///
    /// Errors: a message saying what was expected.
    /// A UTC offset (`"2026-03-02T07:00+01:00"`, `Z`) is kept as the calendar's
    /// [`Calendar::offset`]: CSV date-times with another offset are converted to it.
    pub fn parse(text: &str) -> Result<Calendar, String> {
        let (local, offset) = split_offset(text.trim())?;
        parse_local(local).map(|start| Calendar {
            start,
            offset,
            given: true,
            unread: false,
        })
    }

    /// The local date-time of `t`.
    pub fn to_local(&self, t: SimTime) -> DateTime {
        let d = SignedDuration::from_millis(i64::try_from(t.as_millis()).unwrap_or(i64::MAX));
        self.start.checked_add(d).unwrap_or(DateTime::MAX)
    }

    /// The simulated time of a local date-time; `None` before t = 0 (or beyond any run).
    pub fn from_local(&self, dt: DateTime) -> Option<SimTime> {
        let ms = dt.duration_since(self.start).as_millis();
        u64::try_from(ms).ok().map(SimTime)
    }

    /// The day of week of `t`: `"mon"` … `"sun"`.
    pub fn weekday(&self, t: SimTime) -> &'static str {
        DAY_NAMES[weekday_index(self.to_local(t).weekday())]
    }

    /// The clock time of `t`, `"HH:MM"` (seconds dropped).
    pub fn clock(&self, t: SimTime) -> String {
        let dt = self.to_local(t);
        format!("{:02}:{:02}", dt.hour(), dt.minute())
    }

    /// Milliseconds since the local midnight of `t`'s day.
    pub fn ms_of_day(&self, t: SimTime) -> u64 {
        let dt = self.to_local(t);
        let tm = dt.time();
        (tm.hour() as u64 * 3600 + tm.minute() as u64 * 60 + tm.second() as u64) * 1000
            + tm.millisecond() as u64
    }

    /// A local ISO date-time for `t`, `"2026-03-02T07:00:00"` (milliseconds when not whole).
    pub fn iso(&self, t: SimTime) -> String {
        let dt = self.to_local(t);
        if dt.millisecond() == 0 {
            dt.strftime("%Y-%m-%dT%H:%M:%S").to_string()
        } else {
            dt.strftime("%Y-%m-%dT%H:%M:%S%.3f").to_string()
        }
    }

    /// A CSV time: seconds since t = 0 (`"90"`, `"12.5"`) or a local ISO date-time read
    /// against [`Calendar::start`], as the only row of its file (see
    /// [`Calendar::parse_csv_time`]).
    ///
    /// Errors: unparsable text, a negative number, or a date-time before t = 0.
    pub fn parse_time(&self, text: &str) -> Result<SimTime, String> {
        self.parse_csv_time(text, &mut CsvOffsets::default())
    }

    /// A CSV time of a file whose offsets so far are `seen`: seconds since t = 0 or an ISO
    /// date-time, local or with a UTC offset (converted to the local time of
    /// [`Calendar::offset`], else of the file's first date-time's offset).
    ///
    /// Errors: unparsable text, a negative number, a date-time before t = 0, or an offset
    /// with no local offset to convert it to.
    pub fn parse_csv_time(&self, text: &str, seen: &mut CsvOffsets) -> Result<SimTime, String> {
        let dt = match self.csv_local(text, seen)? {
            Ok(t) => return Ok(t),
            Err(dt) => dt,
        };
        let s = text.trim();
        self.from_local(dt).ok_or_else(|| {
            format!(
                "{s:?} is before the start of the simulation ({})",
                self.start.strftime("%Y-%m-%dT%H:%M")
            )
        })
    }

    /// A CSV time as seconds (`Ok(Ok(t))`) or as a local date-time after offset conversion
    /// (`Ok(Err(dt))`), not yet placed on the simulated axis.
    pub fn csv_local(
        &self,
        text: &str,
        seen: &mut CsvOffsets,
    ) -> Result<Result<SimTime, DateTime>, String> {
        let s = text.trim();
        if let Ok(secs) = s.parse::<f64>() {
            if !secs.is_finite() {
                return Err(format!(
                    "{s:?} is not a time: not a finite number of seconds"
                ));
            }
            if secs < 0.0 {
                return Err(format!("{s:?} is not a time: seconds must be ≥ 0"));
            }
            // Beyond the clock the time would saturate (1e30 read as the clock's end).
            if secs >= MAX_CSV_TIME_S {
                return Err(format!(
                    "{s:?} is not a time: past the end of the simulated clock; expected seconds \
                     since t = 0 below {MAX_CSV_TIME_S:.1e} (about 292 million years)"
                ));
            }
            return Ok(Ok(SimTime(SimDuration::from_secs_f64(secs).as_millis())));
        }
        let (local, offset) = split_offset(s)?;
        let dt = parse_local(local).map_err(|_| {
            format!(
                "{s:?} is not a time; expected seconds since t = 0 or a local date-time such as \"2026-03-02T07:00\" (optionally with a UTC offset, \"+02:00\" or \"Z\")"
            )
        })?;
        let first = *seen.first.get_or_insert(offset);
        let Some(off) = offset else {
            return Ok(Err(dt));
        };
        let Some(target) = self.offset.or(first) else {
            return Err(format!(
                "{s:?} carries a UTC offset, but neither [scenario] start nor the file's first \
                 date-time has one: the local time it means is unknown; write every date-time \
                 with its offset, or give [scenario] start one (e.g. \"2026-06-01T00:00+02:00\")"
            ));
        };
        let shift = SignedDuration::from_secs(i64::from(target) - i64::from(off));
        dt.checked_add(shift)
            .map(Err)
            .map_err(|_| format!("{s:?} is out of the calendar's range"))
    }

    /// A CSV clock time `"HH:MM"` (or `"HH:MM:SS"`) on the local day of `day_of`, taken at or
    /// after `day_of` (the next day when the clock time is earlier).
    pub fn clock_on_or_after(&self, text: &str, day_of: SimTime) -> Option<SimTime> {
        let tm: civil::Time = text.trim().parse().ok()?;
        let base = self.to_local(day_of);
        let mut dt = base.date().to_datetime(tm);
        if dt < base {
            dt = dt.checked_add(SignedDuration::from_hours(24)).ok()?;
        }
        self.from_local(dt)
    }
}

/// Monday = 0 … Sunday = 6.
fn weekday_index(w: Weekday) -> usize {
    w.to_monday_zero_offset() as usize
}

/// Splits a trailing UTC offset off an ISO date-time: `Z`, `±HH:MM`, `±HHMM` or `±HH` after
/// the time of day. Returns the local part and the offset in seconds east of UTC.
///
/// Errors: a zone name in brackets (`[Europe/Paris]`) or an offset out of range.
pub fn split_offset(s: &str) -> Result<(&str, Option<i32>), String> {
    if s.contains('[') {
        return Err(format!(
            "{s:?}: time zone names are not supported; give a UTC offset such as \"+02:00\" or a local date-time"
        ));
    }
    // The time of day starts after the date (`YYYY-MM-DD` then `T` or a space).
    let Some(tpos) = s.find(['T', 't', ' ']).filter(|&i| i >= 10) else {
        return Ok((s, None));
    };
    let time = &s[tpos + 1..];
    if let Some(rest) = time.strip_suffix(['Z', 'z']) {
        return Ok((&s[..tpos + 1 + rest.len()], Some(0)));
    }
    let Some(i) = time.rfind(['+', '-']) else {
        return Ok((s, None));
    };
    let (sign, digits) = (if &time[i..i + 1] == "-" { -1 } else { 1 }, &time[i + 1..]);
    let bad = || {
        format!(
            "{s:?}: {:?} is not a UTC offset; expected e.g. \"+02:00\" or \"Z\"",
            &time[i..]
        )
    };
    let (h, m) = match digits.len() {
        2 => (digits, "00"),
        4 => (&digits[..2], &digits[2..]),
        5 if &digits[2..3] == ":" => (&digits[..2], &digits[3..]),
        _ => return Err(bad()),
    };
    let (Ok(h), Ok(m)) = (h.parse::<i32>(), m.parse::<i32>()) else {
        return Err(bad());
    };
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok((&s[..tpos + 1 + i], Some(sign * (h * 3600 + m * 60))))
}

/// The UTC offsets a history's date-times were written with, in file order: `fit` and
/// `forecast` bin a history by the local time of day written in each row (a centre's day is its
/// wall clock: `09:00+02:00` is 09:00), the offset not used to move it, and say once when the
/// offsets change within the history (a daylight-saving change), naming the dates
/// ([`OffsetChanges::note`]). A sixteenth tester's history of traffic at 09:00–11:00 every day,
/// `+01:00` then `+02:00`, gave `fit` an 08:00 hour it never had and `forecast` none.
#[derive(Clone, Debug, Default)]
pub struct OffsetChanges {
    /// (offset, first date, last date) per run of consecutive rows written with one offset.
    runs: Vec<(Option<i32>, civil::Date, civil::Date)>,
    /// Per date and offset, the rows' earliest and latest wall clock: where a daylight-saving
    /// change repeats or skips wall-clock time ([`OffsetChanges::clock_changes`]).
    days: dst::DayOffsets,
}

impl OffsetChanges {
    /// Records one time cell (a date-time, with or without an offset; anything else is not
    /// recorded).
    pub fn see(&mut self, text: &str) {
        let Ok((local, offset)) = split_offset(text.trim()) else {
            return;
        };
        let Ok(dt) = parse_local(local) else {
            return;
        };
        let d = dt.date();
        if let Some(o) = offset {
            let tod = dt.time().duration_since(civil::Time::midnight());
            self.days.see(d, o, tod.as_millis() as i64);
        }
        match self.runs.last_mut() {
            Some((o, first, last)) if *o == offset => {
                *first = (*first).min(d);
                *last = (*last).max(d);
            }
            _ => self.runs.push((offset, d, d)),
        }
    }

    /// The dates whose rows show a daylight-saving change, with the wall-clock span it
    /// repeated or skipped ([`dst::ClockChange`]: `fit` and `forecast` divide a wall-clock
    /// interval's count by its exposure there).
    pub fn clock_changes(&self) -> Vec<dst::ClockChange> {
        self.days.changes()
    }

    /// The note when the history's offsets change (`None` when every row has the same offset
    /// or none): each offset with its dates, in file order (at most six runs named).
    pub fn note(&self) -> Option<String> {
        let first = self.runs.first()?.0;
        if self.runs.iter().all(|r| r.0 == first) {
            return None;
        }
        let shown = |o: Option<i32>| match o {
            None => "no offset".to_string(),
            Some(0) => "Z".to_string(),
            Some(x) => format!(
                "{}{:02}:{:02}",
                if x < 0 { '-' } else { '+' },
                x.abs() / 3600,
                x.abs() % 3600 / 60
            ),
        };
        let mut runs: Vec<String> = self
            .runs
            .iter()
            .take(6)
            .map(|(o, a, b)| match a == b {
                true => format!("{} on {a}", shown(*o)),
                false => format!("{} from {a} to {b}", shown(*o)),
            })
            .collect();
        if self.runs.len() > 6 {
            runs.push(format!("{} more changes", self.runs.len() - 6));
        }
        Some(format!(
            "the UTC offsets change within the history ({}; a daylight-saving change?): times \
             of day are the local wall clock written in each row (09:00+02:00 is 09:00), the \
             offsets do not move them{}",
            runs.join(", "),
            self.clock_changes()
                .iter()
                .map(|c| format!("; {}", c.describe()))
                .collect::<String>()
        ))
    }
}

/// An ISO local date-time (`T` or space), seconds optional, or a bare date (00:00).
fn parse_local(text: &str) -> Result<DateTime, String> {
    let s = text.trim();
    let expected = || {
        format!(
            "{s:?} is not a local date-time; expected e.g. \"2026-03-02T07:00\" (a UTC offset \
             such as \"+01:00\" may follow)"
        )
    };
    if let Ok(dt) = s.parse::<DateTime>() {
        return Ok(dt);
    }
    if let Ok(d) = s.parse::<civil::Date>() {
        return Ok(d.to_datetime(civil::Time::midnight()));
    }
    Err(expected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_start_is_a_monday_midnight() {
        let cal = Calendar::default();
        assert_eq!(cal.weekday(SimTime(0)), "mon");
        assert_eq!(cal.clock(SimTime(0)), "00:00");
        // Six days and 23 hours later: Sunday 23:00.
        let t = SimTime((6 * 24 + 23) * 3_600_000);
        assert_eq!(cal.weekday(t), "sun");
        assert_eq!(cal.clock(t), "23:00");
        assert_eq!(cal.weekday(SimTime(7 * 24 * 3_600_000)), "mon");
    }

    #[test]
    fn start_moves_the_axis() {
        // 2026-03-02 is a Monday; 07:00 + 18 h = Tuesday 01:00.
        let cal = Calendar::parse("2026-03-02T07:00").unwrap();
        let t = SimTime(18 * 3_600_000);
        assert_eq!(cal.weekday(t), "tue");
        assert_eq!(cal.clock(t), "01:00");
        assert_eq!(cal.ms_of_day(t), 3_600_000);
        assert_eq!(cal.iso(t), "2026-03-03T01:00:00");
        assert_eq!(cal.iso(SimTime(1_500)), "2026-03-02T07:00:01.500");
    }

    #[test]
    fn csv_times_past_the_clock_are_refused() {
        let cal = Calendar::default();
        for x in ["1e30", "99999999999999999999999999", "9.3e15"] {
            let e = cal.parse_time(x).unwrap_err();
            assert!(
                e.contains("past the end of the simulated clock"),
                "{x}: {e}"
            );
        }
        assert!(cal.parse_time("9e15").is_ok());
    }

    #[test]
    fn csv_times_in_both_forms() {
        let cal = Calendar::parse("2026-03-02 07:00:00").unwrap();
        assert_eq!(cal.parse_time("0").unwrap(), SimTime(0));
        assert_eq!(cal.parse_time("12.345").unwrap(), SimTime(12_345));
        assert_eq!(
            cal.parse_time("2026-03-03T07:00").unwrap(),
            SimTime(24 * 3_600_000)
        );
        assert_eq!(
            cal.parse_time("2026-03-02 07:00:30").unwrap(),
            SimTime(30_000)
        );
        assert!(cal
            .parse_time("2026-03-02T06:59")
            .unwrap_err()
            .contains("before the start"));
        assert!(cal.parse_time("-1").unwrap_err().contains("must be ≥ 0"));
        for x in ["nan", "1e400", "inf"] {
            assert!(
                cal.parse_time(x)
                    .unwrap_err()
                    .contains("not a finite number"),
                "{x}"
            );
        }
        assert!(cal.parse_time("soon").unwrap_err().contains("not a time"));
        assert!(Calendar::parse("2026-13-01").is_err());
        assert_eq!(
            Calendar::parse("2026-03-02").unwrap().start,
            civil::date(2026, 3, 2).at(0, 0, 0, 0)
        );
    }

    /// Issue 27 item 11: offsets are converted, never dropped; with no reference offset they
    /// are refused.
    #[test]
    fn utc_offsets_are_converted_to_the_calendars_local_time() {
        // start at +02:00: a row at 07:00Z is 09:00 local, one at 08:00+01:00 is 09:00 too.
        let cal = Calendar::parse("2026-06-01T00:00+02:00").unwrap();
        assert_eq!(cal.offset, Some(7200));
        let nine = SimTime(9 * 3_600_000);
        let mut seen = CsvOffsets::default();
        for s in [
            "2026-06-01T07:00:00Z",
            "2026-06-01T08:00+01:00",
            "2026-06-01T09:00:00+0200",
        ] {
            assert_eq!(cal.parse_csv_time(s, &mut seen), Ok(nine), "{s}");
        }
        // Without an offset in start: the file's first date-time gives it. Two exports either
        // side of a DST change (+02:00 then +01:00) line up.
        let cal = Calendar::parse("2026-10-24").unwrap();
        let mut seen = CsvOffsets::default();
        assert_eq!(
            cal.parse_csv_time("2026-10-24T09:00+02:00", &mut seen),
            Ok(nine)
        );
        assert_eq!(seen.first(), Some(7200));
        assert_eq!(
            cal.parse_csv_time("2026-10-25T08:00+01:00", &mut seen),
            Ok(SimTime((24 + 9) * 3_600_000))
        );
        // A local first row: an offset later has no reference.
        let mut seen = CsvOffsets::default();
        assert_eq!(cal.parse_csv_time("2026-10-24T09:00", &mut seen), Ok(nine));
        let e = cal
            .parse_csv_time("2026-10-24T09:00+02:00", &mut seen)
            .unwrap_err();
        assert!(e.contains("carries a UTC offset"), "{e}");
        for bad in [
            "2026-10-24T09:00+25:00",
            "2026-10-24T09:00+2",
            "2026-10-24T09:00[Europe/Paris]",
        ] {
            assert!(cal.parse_time(bad).is_err(), "{bad}");
        }
        // A bare date and a date-time without offset are untouched.
        assert_eq!(split_offset("2026-10-24"), Ok(("2026-10-24", None)));
        assert_eq!(
            split_offset("2026-10-24 09:00:00"),
            Ok(("2026-10-24 09:00:00", None))
        );
    }

    #[test]
    fn clock_times_roll_to_the_next_day() {
        let cal = Calendar::parse("2026-03-02T07:00").unwrap();
        let shift = SimTime(15 * 3_600_000); // 22:00
        assert_eq!(
            cal.clock_on_or_after("23:00", shift),
            Some(SimTime(16 * 3_600_000))
        );
        assert_eq!(
            cal.clock_on_or_after("01:30", shift),
            Some(SimTime(18 * 3_600_000 + 1_800_000))
        );
        assert_eq!(cal.clock_on_or_after("25:00", shift), None);
    }
}
