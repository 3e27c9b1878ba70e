//! A roster row's `breaks` cell: `start-end` pairs, `;`-separated, read against the row's
//! shift. An end point is a CSV time (seconds since t = 0, or a local date-time) or a clock
//! time `HH:MM` (`HH:MM:SS`). A clock-time start is placed at its first occurrence at or after
//! the shift's start (a 01:30 break of a 22:00–06:00 shift is on the next day); a clock-time
//! end at its first occurrence at or after the break's start (`23:30-00:15` crosses
//! midnight). A break that is not inside its shift is reported as such, with the break and the
//! shift as the file wrote them, whatever side of the shift it falls on (issue 25 leftovers: a
//! break straddling a shift's start was called "must end after it starts").

use crate::calendar::Calendar;
use crate::time::SimTime;

/// One day in milliseconds: a clock-time break start is also read on the day before its
/// shift's start, when that puts it nearer the shift (for the message only).
const DAY_MS: i64 = 86_400_000;

/// A row's shift as its breaks are checked against it.
#[derive(Clone, Copy, Debug)]
pub struct Shift<'a> {
    /// Its start.
    pub start: SimTime,
    /// Its end; `None` when the `shift_end` cell is unusable (reported on its own): breaks are
    /// then checked against the start only.
    pub end: Option<SimTime>,
    /// The `shift_start` and `shift_end` cells as the file wrote them, for messages.
    pub written: (&'a str, &'a str),
}

/// `start-end;start-end` against `shift`. Returns the breaks `[start, end)` sorted.
///
/// Errors: every bad break of the cell at once, joined by `; `: an unparsable break; one that
/// does not end after it starts (both times shown); one not inside its shift (the break's
/// times and the shift's as written, and whether it ends before the shift, starts after it,
/// or straddles its start or end; a clock-time end earlier in the day than its start is read
/// on the next day, and the message says so); two breaks that overlap; breaks covering the
/// whole shift.
pub fn parse_breaks(
    s: &str,
    cal: &Calendar,
    shift: Shift<'_>,
) -> Result<Vec<(SimTime, SimTime)>, String> {
    breaks_in(s, cal, Some(shift))
}

/// The breaks of a row whose shift start is unusable (reported on its own): syntax, order and
/// overlaps are checked; a clock time is placed from t = 0, a clock-time end from its break's
/// start, since only the shift's start could say more (a dated roster without `[scenario]
/// start` called a valid night break reversed beside the real error, issue 25, sixth pass).
pub(super) fn breaks_on_their_own(
    s: &str,
    cal: &Calendar,
) -> Result<Vec<(SimTime, SimTime)>, String> {
    breaks_in(s, cal, None)
}

/// Whether `x` is written as a clock time (`HH:MM`, `HH:MM:SS`), not a CSV time.
fn is_clock(x: &str) -> bool {
    let x = x.trim();
    x.len() <= 8 && x.contains(':')
}

/// `x` as an instant: a clock time at its first occurrence at or after `from`, else a CSV time.
fn at(cal: &Calendar, x: &str, from: SimTime) -> Option<SimTime> {
    match is_clock(x) {
        true => cal.clock_on_or_after(x, from),
        false => cal.parse_time(x.trim()).ok(),
    }
}

/// How far `[a, b)` lies outside `[s, e)` (milliseconds since t = 0): 0 when they overlap.
fn distance((a, b): (i64, i64), s: i64, e: i64) -> i64 {
    if b <= s {
        s - b
    } else if a >= e {
        a - e
    } else {
        0
    }
}

/// The local date-time `ms` milliseconds from t = 0 (negative: before it).
fn local(cal: &Calendar, ms: i64) -> jiff::civil::DateTime {
    cal.start
        .checked_add(jiff::SignedDuration::from_millis(ms))
        .unwrap_or(cal.start)
}

/// `ms` (milliseconds since t = 0, negative before it) as [`show`] writes an instant.
fn show_ms(cal: &Calendar, ms: i64) -> String {
    match u64::try_from(ms) {
        Ok(t) => show(cal, SimTime(t)),
        Err(_) if cal.given => local(cal, ms).strftime("%Y-%m-%dT%H:%M:%S").to_string(),
        Err(_) => format!("-{}", crate::text::seconds(ms.unsigned_abs())),
    }
}

/// [`parse_breaks`]; `shift` `None`: [`breaks_on_their_own`].
fn breaks_in(
    s: &str,
    cal: &Calendar,
    shift: Option<Shift<'_>>,
) -> Result<Vec<(SimTime, SimTime)>, String> {
    let mut out: Vec<(SimTime, SimTime, &str)> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    let from = shift.map_or(SimTime::ZERO, |s| s.start);
    for part in s.split(';').map(str::trim).filter(|x| !x.is_empty()) {
        // Date-times contain '-': try every split and keep the first that parses on both sides.
        let pair = part.match_indices('-').find_map(|(i, _)| {
            let (x, y) = (&part[..i], &part[i + 1..]);
            let a = at(cal, x, from)?;
            Some((x, y, a, at(cal, y, a)?))
        });
        let Some((x, y, a, b)) = pair else {
            bad.push(format!(
                "{part:?} is not a break; expected start-end, e.g. \"10:00-10:15\" or \"3600-4500\""
            ));
            continue;
        };
        if b <= a {
            bad.push(format!(
                "break {part:?} must end after it starts ({})",
                span(cal, a, b)
            ));
            continue;
        }
        let Some(sh) = shift else {
            out.push((a, b, part));
            continue;
        };
        let Some(end) = sh.end else {
            match a < sh.start {
                true => bad.push(format!(
                    "break {part:?} ({}) starts before its shift does ({})",
                    span(cal, a, b),
                    sh.written.0
                )),
                false => out.push((a, b, part)),
            }
            continue;
        };
        if a >= sh.start && b <= end {
            out.push((a, b, part));
            continue;
        }
        // Outside the shift: a clock-time break may also be meant a day earlier (`07:30-08:15`
        // of an 08:00 shift, before t = 0 when the shift is on the first day); the reading
        // nearer the shift is shown, in signed milliseconds since t = 0.
        let ms = |t: SimTime| i64::try_from(t.0).unwrap_or(i64::MAX);
        let (s0, e0) = (ms(sh.start), ms(end));
        let here = (ms(a), ms(b));
        let before = (here.0 - DAY_MS, here.1 - DAY_MS);
        let (a, b) = match is_clock(x)
            && (cal.given || before.0 >= 0)
            && distance(before, s0, e0) < distance(here, s0, e0)
        {
            true => before,
            false => here,
        };
        // A break touching the shift only at its start or end is outside it too; said as such
        // (a twenty-second fresh tester: `12:00-12:30` of a shift ending 12:00 "starts after").
        let side = if b == s0 {
            "it ends when the shift starts"
        } else if b < s0 {
            "it ends before the shift starts"
        } else if a == e0 {
            "it starts when the shift ends"
        } else if a > e0 {
            "it starts after the shift ends"
        } else if a < s0 && b > e0 {
            "it starts before the shift and ends after it"
        } else if a < s0 {
            "it starts before the shift does"
        } else {
            "it ends after the shift does"
        };
        let midnight =
            if is_clock(y) && b - a < DAY_MS && local(cal, a).date() != local(cal, b).date() {
                "; its end is earlier in the day than its start, so it is read on the next day"
            } else {
                ""
            };
        bad.push(format!(
            "break {part:?} ({} to {}) is not inside its shift ({} to {}): {side}{midnight}",
            show_ms(cal, a),
            show_ms(cal, b),
            sh.written.0,
            sh.written.1,
        ));
    }
    out.sort_by_key(|b| (b.0, b.1));
    if let Some(w) = out.windows(2).find(|w| w[1].0 < w[0].1) {
        bad.push(format!(
            "breaks {:?} and {:?} overlap; an agent is on one break at a time",
            w[0].2, w[1].2
        ));
    }
    if !bad.is_empty() {
        return Err(bad.join("; "));
    }
    // Inside the shift and not overlapping: they cover it whole when their lengths add up to it.
    let on_break: u64 = out.iter().map(|b| b.1 .0 - b.0 .0).sum();
    if let Some((start, end)) = shift.and_then(|s| Some((s.start, s.end?))) {
        if end > start && on_break >= end.0 - start.0 {
            return Err(format!(
                "the breaks cover the whole shift ({}), so the agent never works; shorten them \
                 or remove the row",
                span(cal, start, end)
            ));
        }
    }
    Ok(out.into_iter().map(|(a, b, _)| (a, b)).collect())
}

/// `[a, b)` as the calendar's date-times with `[scenario] start`, else in seconds since t = 0
/// as a roster timed in seconds writes them (not the default calendar's invented 2024-01-01).
pub(super) fn span(cal: &Calendar, a: SimTime, b: SimTime) -> String {
    format!("{} to {}", show(cal, a), show(cal, b))
}

/// One instant as [`span`] writes it.
fn show(cal: &Calendar, t: SimTime) -> String {
    match cal.given {
        true => cal.iso(t),
        false => crate::text::seconds(t.as_millis()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `parse_breaks` against `[start, end)` written as `written`.
    fn breaks(
        s: &str,
        cal: &Calendar,
        start: SimTime,
        end: SimTime,
        written: (&str, &str),
    ) -> Result<Vec<(SimTime, SimTime)>, String> {
        parse_breaks(
            s,
            cal,
            Shift {
                start,
                end: Some(end),
                written,
            },
        )
    }

    #[test]
    fn breaks_inside_outside_and_overlapping() {
        let cal = Calendar::parse("2026-03-02T07:00").unwrap();
        let day = ("2026-03-02T08:00", "2026-03-02T16:00");
        let shift = SimTime(3_600_000); // 08:00
        let end = SimTime(9 * 3_600_000); // 16:00
        assert_eq!(
            breaks("10:00-10:15;3600-3700", &cal, shift, end, day).unwrap(),
            vec![
                (SimTime(3_600_000), SimTime(3_700_000)),
                (SimTime(3 * 3_600_000), SimTime(3 * 3_600_000 + 900_000)),
            ]
        );
        assert_eq!(
            breaks("2026-03-02T09:00-2026-03-02T09:30", &cal, shift, end, day).unwrap(),
            vec![(SimTime(2 * 3_600_000), SimTime(2 * 3_600_000 + 1_800_000))]
        );
        let e = breaks("10:15-10:00", &cal, shift, end, day).unwrap_err();
        assert!(e.contains("read on the next day"), "{e}");
        assert!(breaks("lunch", &cal, shift, end, day).is_err());
        // Issue 25 item 10: a break before the shift's start.
        let e = breaks("07:30-07:45", &cal, shift, end, day).unwrap_err();
        assert!(
            e.contains(
                "(2026-03-02T07:30:00 to 2026-03-02T07:45:00) is not inside its shift \
                 (2026-03-02T08:00 to 2026-03-02T16:00): it ends before the shift starts"
            ),
            "{e}"
        );
        // Touching the shift's ends is inside; one minute past its end is not.
        assert!(breaks("08:00-08:15;15:45-16:00", &cal, shift, end, day).is_ok());
        let e = breaks("15:50-16:01", &cal, shift, end, day).unwrap_err();
        assert!(
            e.contains("2026-03-02T15:50:00 to 2026-03-02T16:01:00"),
            "{e}"
        );
        assert!(e.ends_with("it ends after the shift does"), "{e}");
        // Overlapping breaks, in any order; back to back is fine.
        let e = breaks("12:15-12:45;12:00-12:30", &cal, shift, end, day).unwrap_err();
        assert!(
            e.contains("\"12:00-12:30\" and \"12:15-12:45\" overlap"),
            "{e}"
        );
        assert!(breaks("12:00-12:30;12:30-12:45", &cal, shift, end, day).is_ok());
        // Issue 25, fourth pass (F15f): without `[scenario] start` (a roster in seconds) the
        // times are shown in seconds, not as the default calendar's 2024-01-01 date-times.
        let e = breaks(
            "100-200",
            &Calendar::default(),
            SimTime(150_000),
            SimTime(900_000),
            ("150", "900"),
        )
        .unwrap_err();
        assert!(
            e.contains("(100 to 200) is not inside its shift (150 to 900): it starts before"),
            "{e}"
        );
        // A night shift 22:00 → 06:00: a 01:30 break is on the next day and inside.
        let night = (SimTime(15 * 3_600_000), SimTime(23 * 3_600_000));
        let nw = ("2026-03-02T22:00", "2026-03-03T06:00");
        assert_eq!(
            breaks("01:30-01:45", &cal, night.0, night.1, nw).unwrap(),
            vec![(
                SimTime(18 * 3_600_000 + 1_800_000),
                SimTime(18 * 3_600_000 + 2_700_000)
            )]
        );
        assert!(breaks("23:30-00:15", &cal, night.0, night.1, nw).is_ok());
    }
}
