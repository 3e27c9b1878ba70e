//! The wall-clock times a daylight-saving change repeats or skips, read from a history's own
//! UTC offsets (no time-zone database: the rows say when the offset changed).
//!
//! `fit` and `forecast` bin a history by the wall clock written in each row. On the date a
//! fall-back repeats an hour (`02:00+02:00` … `02:59+02:00`, then `02:00+01:00` …), that
//! wall-clock hour happened twice: its arrivals are two hours' worth, and counting them as one
//! hour's read a rate twice too high there (an eighteenth tester's Sunday 02:00: 79/h against
//! ~60/h elsewhere). The rule both readers apply ([`ClockChange::exposure`]): a wall-clock
//! interval's count is divided by its *exposure*, the real time it lasted on that date in
//! units of its length — 2 for an interval inside the repeated hour, 0 inside the hour a
//! spring-forward skips, 1 elsewhere.
//!
//! Where the change falls ([`DayOffsets::changes`]): on a date whose rows carry exactly two offsets, all
//! rows of the one in effect first earlier (in real time) than all rows of the other. The
//! change's wall-clock time E (under the earlier offset) is placed on a whole hour, the
//! earliest that puts no row in the repeated (skipped) span, else the earliest the rows
//! allow; a date whose two offsets interleave is no daylight-saving change and is left as it
//! is (the offsets note names it).

use std::collections::BTreeMap;

use jiff::civil::Date;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// One date's daylight-saving change: the wall-clock span `[from_ms, to_ms)` of the local day
/// (ms since its midnight) that happened twice (`repeated`) or not at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockChange {
    /// The local date.
    pub date: Date,
    /// Start of the span, ms since the date's midnight.
    pub from_ms: u64,
    /// End of the span (exclusive), ms since the date's midnight.
    pub to_ms: u64,
    /// `true`: a fall-back (the span happened twice); `false`: a spring-forward (skipped).
    pub repeated: bool,
    /// The offsets before and after, seconds east of UTC.
    pub offsets: (i32, i32),
}

impl ClockChange {
    /// The real time the wall-clock interval `[start_ms, start_ms + len_ms)` of this date
    /// lasted, in units of `len_ms`: 1 plus (or minus, for a skipped span) the share of it
    /// inside the span. A 30-minute interval inside a repeated hour: 2; a day: 25/24.
    pub fn exposure(&self, start_ms: u64, len_ms: u64) -> f64 {
        let end = start_ms.saturating_add(len_ms);
        let overlap = end
            .min(self.to_ms)
            .saturating_sub(start_ms.max(self.from_ms));
        let share = overlap as f64 / len_ms.max(1) as f64;
        if self.repeated {
            1.0 + share
        } else {
            1.0 - share
        }
    }

    /// One sentence for a note: the date, the span and what it means for the counts.
    pub fn describe(&self) -> String {
        let clock = |ms: u64| format!("{:02}:{:02}", ms / 3_600_000, ms / 60_000 % 60);
        let off = |s: i32| {
            let (sign, s) = if s < 0 { ('-', -s) } else { ('+', s) };
            format!("{sign}{:02}:{:02}", s / 3600, s % 3600 / 60)
        };
        let (a, b) = self.offsets;
        match self.repeated {
            true => format!(
                "on {} the wall clock {}–{} happened twice (UTC offset {} then {}: a \
                 daylight-saving fall-back): its arrivals are counted in its intervals and \
                 divided by their exposure, 2 there (a rate per hour the clock showed)",
                self.date,
                clock(self.from_ms),
                clock(self.to_ms),
                off(a),
                off(b)
            ),
            false => format!(
                "on {} the wall clock {}–{} did not happen (UTC offset {} then {}: a \
                 daylight-saving spring-forward): its intervals have no exposure that day and \
                 are averaged over the other days",
                self.date,
                clock(self.from_ms),
                clock(self.to_ms),
                off(a),
                off(b)
            ),
        }
    }
}

/// Per date, per offset (seconds): the earliest and latest wall-clock time of day (ms) of the
/// rows written with it. A few numbers per date, not per row.
#[derive(Clone, Debug, Default)]
pub struct DayOffsets {
    by_date: BTreeMap<Date, Vec<(i32, i64, i64)>>,
}

impl DayOffsets {
    /// Records a row's date, offset and wall-clock time of day (ms).
    pub fn see(&mut self, date: Date, offset: i32, tod_ms: i64) {
        let v = self.by_date.entry(date).or_default();
        match v.iter_mut().find(|(o, ..)| *o == offset) {
            Some((_, lo, hi)) => {
                *lo = (*lo).min(tod_ms);
                *hi = (*hi).max(tod_ms);
            }
            None => v.push((offset, tod_ms, tod_ms)),
        }
    }

    /// The dates' daylight-saving changes, in date order (see the module doc).
    pub fn changes(&self) -> Vec<ClockChange> {
        self.by_date
            .iter()
            .filter_map(|(d, v)| match v[..] {
                [x, y] => change(*d, x, y),
                _ => None,
            })
            .collect()
    }
}

/// The change between two offsets' rows of one date, `(offset s, first ms, last ms)` each.
fn change(date: Date, x: (i32, i64, i64), y: (i32, i64, i64)) -> Option<ClockChange> {
    // Real time of a row: wall clock − offset. The offset in effect first has every row
    // earlier than every row of the other.
    let real = |(o, lo, hi): (i32, i64, i64)| (lo - o as i64 * 1000, hi - o as i64 * 1000);
    let (first, second) = match (real(x), real(y)) {
        (a, b) if a.1 < b.0 => (x, y),
        (a, b) if b.1 < a.0 => (y, x),
        _ => return None,
    };
    let delta = (first.0 - second.0) as i64 * 1000;
    let (max1, min2) = (first.2, second.1);
    // The first whole hour in (lo, hi].
    let hour_in = |lo: i64, hi: i64| {
        let h = lo.div_euclid(HOUR_MS) * HOUR_MS + HOUR_MS;
        (h <= hi).then_some(h)
    };
    let (from, to) = if delta > 0 {
        // Repeated [E − Δ, E): rows of the first offset end before E, the second's start at
        // E − Δ or later.
        let e = hour_in(max1 + delta, min2)
            .or_else(|| hour_in(max1, min2 + delta))
            .unwrap_or(min2 + delta);
        (e - delta, e)
    } else {
        // Skipped [E, E + |Δ|): no row of either offset inside.
        let e = hour_in(max1, min2 + delta)?;
        (e, e - delta)
    };
    let (from, to) = (from.clamp(0, DAY_MS), to.clamp(0, DAY_MS));
    (from < to).then_some(ClockChange {
        date,
        from_ms: from as u64,
        to_ms: to as u64,
        repeated: delta > 0,
        offsets: (first.0, second.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR_MS;

    /// A round-the-clock history through the EU fall-back (03:00+02:00 → 02:00+01:00): the
    /// repeated hour is 02:00–03:00; a 30-minute interval in it lasted 2, a day 25/24.
    #[test]
    fn a_fall_back_repeats_the_hour_the_rows_show_twice() {
        let d = Date::constant(2026, 10, 25);
        let mut o = DayOffsets::default();
        o.see(d, 7200, 10_000); // 00:00:10+02:00
        o.see(d, 7200, 3 * H - 10_000); // 02:59:50+02:00
        o.see(d, 3600, 2 * H + 5_000); // 02:00:05+01:00
        o.see(d, 3600, 23 * H);
        let c = o.changes();
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(
            (c[0].from_ms, c[0].to_ms, c[0].repeated),
            (7_200_000, 10_800_000, true)
        );
        assert_eq!(c[0].exposure(2 * H as u64, 1_800_000), 2.0);
        assert_eq!(c[0].exposure(H as u64, 1_800_000), 1.0);
        assert_eq!(c[0].exposure(0, 86_400_000), 25.0 / 24.0);
        assert!(c[0].describe().contains("02:00–03:00 happened twice"));
    }

    /// A centre closed 22:00–06:00: the change is placed where no row is (03:00), not over
    /// the rows of 21:00 or 06:00; a spring-forward skips 02:00–03:00.
    #[test]
    fn a_change_while_closed_covers_no_row() {
        let d = Date::constant(2026, 10, 25);
        let mut o = DayOffsets::default();
        o.see(d, 7200, H + 50 * 60_000); // 01:50+02:00 (the night before's late rows)
        o.see(d, 3600, 6 * H); // 06:00+01:00
        let c = o.changes();
        assert_eq!(
            (c[0].from_ms, c[0].to_ms),
            (2 * H as u64, 3 * H as u64),
            "{c:?}"
        );
        let d = Date::constant(2026, 3, 29);
        let mut o = DayOffsets::default();
        o.see(d, 3600, H + 59 * 60_000); // 01:59+01:00
        o.see(d, 7200, 3 * H); // 03:00+02:00
        let c = o.changes();
        assert_eq!(
            (c[0].from_ms, c[0].to_ms, c[0].repeated),
            (2 * H as u64, 3 * H as u64, false)
        );
        assert_eq!(c[0].exposure(2 * H as u64, 3_600_000), 0.0);
        // Two offsets interleaved (a summer row copied under winter time) are no change.
        let mut o = DayOffsets::default();
        o.see(d, 7200, 9 * H);
        o.see(d, 7200, 20 * H);
        o.see(d, 3600, 12 * H);
        assert!(o.changes().is_empty());
    }
}
