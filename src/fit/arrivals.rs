//! The arrival side of `fit`: which days had traffic, the open-day and per-weekday profiles,
//! and the check for rows far outside the rest of the history (a mistyped year).
//!
//! Key items: [`check_interval`] (the profile interval must divide a day into whole minutes),
//! [`Tally`] (arrivals counted as they are read), [`profiles`] (counts per interval of the day,
//! averaged over open days, overall and per weekday).
//!
//! A day is *open* when any queue had an arrival on it (in any replication of a simulator's
//! log); the others within the history's span are *closed*. Averaging over open days keeps a
//! Monday–Friday history from reading 2/7 low (weekends are not empty days of the same
//! traffic, they are closed).

use crate::calendar::dst::ClockChange;
use crate::calendar::Calendar;
use crate::time::{SimDuration, SimTime};

/// One day in milliseconds.
pub const DAY_MS: u64 = 24 * 3_600_000;

/// Why an arrival-profile interval cannot be used. The message is the predicate only ("is
/// longer than a day: …"): the caller puts the value before it as the user wrote it (`25h`,
/// not the normalised `1d1h`) with the flag's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IntervalError {
    /// Zero: an interval must be positive; use e.g. 15m, 30m or 1h.
    #[error("is not positive: an interval must be longer than 0; use e.g. 15m, 30m or 1h")]
    NotPositive(SimDuration),
    /// Longer than a day: the profile has one value per interval of the day; use at most 24h,
    /// a length that divides it.
    #[error(
        "is longer than a day: the arrival profile has one value per interval of the day; \
         use at most 24h, a length that divides it, such as 15m, 30m, 1h or 24h"
    )]
    LongerThanDay(SimDuration),
    /// Not a whole number of minutes (or under one): the profile's labels are `HH:MM`; use
    /// e.g. 5m, 15m, 30m or 1h.
    #[error(
        "is not a whole number of minutes; the arrival profile has one value per interval \
         of the day, labelled HH:MM: use e.g. 5m, 15m, 30m or 1h"
    )]
    NotWholeMinutes(SimDuration),
    /// Does not divide 24 h: the day's last interval would be shorter than the others; use a
    /// divisor of 24 h such as 5m, 10m, 15m, 20m, 30m or 1h.
    #[error(
        "does not divide a day (24 h is {whole} and {rest} more): the last \
         interval of the day would be shorter than the others; use a length that divides 24 h, \
         such as 5m, 10m, 15m, 20m, 30m or 1h",
        whole = crate::text::plural(DAY_MS / .0.as_millis().max(1), "such interval"),
        rest = SimDuration::from_millis(DAY_MS % .0.as_millis().max(1))
    )]
    NotDividingDay(SimDuration),
}

impl IntervalError {
    /// What is wrong, without the lengths to use instead: a caller that knows a history's
    /// grid suggests only lengths that grid accepts (`forecast --interval`).
    pub fn reason(&self) -> String {
        match self {
            IntervalError::NotPositive(_) => "is not positive".to_string(),
            IntervalError::LongerThanDay(_) => "is longer than a day".to_string(),
            IntervalError::NotWholeMinutes(_) => "is not a whole number of minutes".to_string(),
            IntervalError::NotDividingDay(d) => {
                let ms = d.as_millis().max(1);
                format!(
                    "does not divide a day (24 h is {} and {} more)",
                    crate::text::plural(DAY_MS / ms, "such interval"),
                    SimDuration::from_millis(DAY_MS % ms)
                )
            }
        }
    }
}

/// Checks an arrival-profile interval (`fit --interval`): whole minutes (the profile's labels
/// are `HH:MM`), and a whole number of them in a day (the last interval of the day must be as
/// long as the others).
///
/// Errors: [`IntervalError`] (its message does not repeat the value: the caller shows it as
/// given).
pub fn check_interval(iv: SimDuration) -> Result<(), IntervalError> {
    let ms = iv.as_millis();
    if ms == 0 {
        return Err(IntervalError::NotPositive(iv));
    }
    if ms > DAY_MS {
        return Err(IntervalError::LongerThanDay(iv));
    }
    if ms < 60_000 || ms % 60_000 != 0 {
        return Err(IntervalError::NotWholeMinutes(iv));
    }
    if DAY_MS % ms != 0 {
        return Err(IntervalError::NotDividingDay(iv));
    }
    Ok(())
}

/// Arrival profiles of a history.
#[derive(Clone, Debug, Default)]
pub struct Profiles {
    /// Days in the history's span (first to last day with traffic).
    pub days: u64,
    /// Per day of the span: whether it had traffic.
    pub open: Vec<bool>,
    /// Weekday (Monday = 0) of day 0.
    pub first_weekday: usize,
    /// Per queue, per interval of the day: arrivals, averaged over open days and copies.
    pub profile: Vec<Vec<f64>>,
    /// Per queue, per weekday (Monday = 0): arrivals per interval of the day averaged over
    /// that weekday's open days and copies; `None` for a weekday without an open day.
    pub weekday: Vec<[Option<Vec<f64>>; 7]>,
}

impl Profiles {
    /// Number of open days.
    pub fn open_days(&self) -> usize {
        self.open.iter().filter(|o| **o).count()
    }

    /// The weekday (Monday = 0) of day `d` of the span.
    pub fn weekday_of(&self, d: u64) -> usize {
        (self.first_weekday + d as usize) % 7
    }
}

/// One day's offered arrivals (all queues) in a [`Tally`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DayCount {
    /// Arrivals that day.
    pub arrivals: u64,
    /// The first and last arrival's time of day (ms).
    pub first: u64,
    /// See `first`.
    pub last: u64,
}

/// A history's offered arrivals counted as they are read, in memory bounded by the queues,
/// the intervals of a day and the days, not by the rows (issue 25, thirteenth session: `fit`
/// kept 16 bytes a row for the profiles): per queue (as the reader numbers it), per weekday
/// of its absolute day (day `t / DAY_MS` mod 7) and per interval of the day, and per day its
/// arrivals and first and last time of day. [`profiles`] and [`super::checks::days`] read it
/// as they read each arrival before.
#[derive(Clone, Debug)]
pub struct Tally {
    iv: u64,
    /// Per queue: 7 × intervals counts, weekday-major.
    counts: Vec<Vec<u64>>,
    /// By absolute day.
    days: std::collections::BTreeMap<u64, DayCount>,
}

impl Tally {
    /// An empty tally of intervals of `iv` ms (dividing a day).
    pub fn new(iv: u64) -> Tally {
        Tally {
            iv,
            counts: Vec::new(),
            days: Default::default(),
        }
    }

    /// Notes an arrival of queue `q` at `t` ms (from any midnight).
    pub fn note(&mut self, q: usize, t: u64) {
        let buckets = (DAY_MS / self.iv) as usize;
        if self.counts.len() <= q {
            self.counts.resize_with(q + 1, || vec![0; 7 * buckets]);
        }
        let (d, tod) = (t / DAY_MS, t % DAY_MS);
        self.counts[q][(d % 7) as usize * buckets + (tod / self.iv) as usize] += 1;
        let day = self.days.entry(d).or_insert(DayCount {
            arrivals: 0,
            first: tod,
            last: tod,
        });
        day.arrivals += 1;
        day.first = day.first.min(tod);
        day.last = day.last.max(tod);
    }

    /// Arrivals noted.
    pub fn rows(&self) -> u64 {
        self.days.values().map(|d| d.arrivals).sum()
    }

    /// The first day with an arrival.
    pub fn first_day(&self) -> Option<u64> {
        self.days.keys().next().copied()
    }

    /// Per day with an arrival (absolute day numbers), its arrivals.
    pub fn days(&self) -> &std::collections::BTreeMap<u64, DayCount> {
        &self.days
    }

    /// The queues renumbered: queue `q` becomes `to[q]` (`u32::MAX`: left out), `queues` of
    /// them.
    pub fn renumber(&mut self, to: &[u32], queues: usize) {
        let buckets = (DAY_MS / self.iv) as usize;
        let mut counts = vec![vec![0; 7 * buckets]; queues];
        for (q, c) in std::mem::take(&mut self.counts).into_iter().enumerate() {
            if let Some(n) = to.get(q).filter(|n| (**n as usize) < queues) {
                counts[*n as usize] = c;
            }
        }
        self.counts = counts;
    }
}

/// Profiles from the arrivals of `tally` (queues numbered `0..queues`, [`Tally::renumber`]),
/// its day `t0_day` the first day's midnight: `copies` replications of the same days, `cal`
/// the calendar of the first day's midnight. `changes`: the days (numbered from `t0_day`)
/// whose wall clock a daylight-saving change repeated or skipped: an interval's count there
/// is over its exposure ([`ClockChange::exposure`]: 2 in a repeated hour), so each profile
/// value is arrivals ÷ (open days' exposure × copies); the tally's per-weekday counts suffice
/// (no per-day counts are kept).
pub fn profiles(
    tally: &Tally,
    queues: usize,
    t0_day: u64,
    cal: &Calendar,
    copies: f64,
    changes: &[(u64, ClockChange)],
) -> Profiles {
    let last = tally.days.keys().next_back().copied().unwrap_or(t0_day);
    let days = last - t0_day + 1;
    let iv = tally.iv;
    let buckets = (DAY_MS / iv) as usize;
    let first_weekday = crate::calendar::DAY_NAMES
        .iter()
        .position(|d| *d == cal.weekday(SimTime::ZERO))
        .unwrap_or(0);
    let mut open = vec![false; days as usize];
    for d in tally.days.keys() {
        open[(d - t0_day) as usize] = true;
    }
    // The weekday (span day 0 is `first_weekday`) of an absolute day `d` mod 7.
    let shift = (first_weekday + 7 - (t0_day % 7) as usize) % 7;
    let mut by_weekday = vec![vec![vec![0.0; buckets]; 7]; queues];
    for (q, c) in tally.counts.iter().enumerate().take(queues) {
        for (abs, row) in c.chunks(buckets).enumerate() {
            let wd = (abs + shift) % 7;
            for (b, n) in row.iter().enumerate() {
                by_weekday[q][wd][b] = *n as f64;
            }
        }
    }
    let mut open_of_weekday = [0u64; 7];
    for (d, o) in open.iter().enumerate() {
        if *o {
            open_of_weekday[(first_weekday + d) % 7] += 1;
        }
    }
    // Per weekday and interval: the open days' exposure (1 a day, but for a change's day).
    let mut exposure: Vec<Vec<f64>> = open_of_weekday
        .iter()
        .map(|&n| vec![n as f64; buckets])
        .collect();
    for (d, c) in changes {
        if open.get(*d as usize) == Some(&true) {
            let wd = (first_weekday + *d as usize) % 7;
            for (b, e) in exposure[wd].iter_mut().enumerate() {
                *e += c.exposure(b as u64 * iv, iv) - 1.0;
            }
        }
    }
    let all_exposure: Vec<f64> = (0..buckets)
        .map(|b| exposure.iter().map(|e| e[b]).sum::<f64>().max(1.0))
        .collect();
    let mut out = Profiles {
        days,
        open,
        first_weekday,
        profile: Vec::with_capacity(queues),
        weekday: Vec::with_capacity(queues),
    };
    for counts in by_weekday {
        let mut all = vec![0.0; buckets];
        for c in &counts {
            all.iter_mut().zip(c).for_each(|(a, c)| *a += c);
        }
        all.iter_mut()
            .zip(&all_exposure)
            .for_each(|(c, e)| *c /= e * copies);
        out.profile.push(all);
        let mut per: [Option<Vec<f64>>; 7] = Default::default();
        for (wd, mut c) in counts.into_iter().enumerate() {
            let n = open_of_weekday[wd];
            if n > 0 {
                c.iter_mut()
                    .zip(&exposure[wd])
                    .for_each(|(x, e)| *x /= e.max(f64::MIN_POSITIVE) * copies);
                per[wd] = Some(c);
            }
        }
        out.weekday.push(per);
    }
    out
}

/// `"HH:MM"` of an offset into the day (ms).
pub fn clock_label(ms: u64) -> String {
    format!("{:02}:{:02}", ms / 3_600_000, ms / 60_000 % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 25 item 9: intervals that do not divide a day, or are not whole minutes, are
    /// refused with the reason.
    #[test]
    fn intervals_must_divide_a_day_into_whole_minutes() {
        for ok in [60, 300, 900, 1800, 3600, 7200, 86_400] {
            assert_eq!(check_interval(SimDuration::from_secs(ok)), Ok(()), "{ok}");
        }
        let e = check_interval(SimDuration::from_secs(7 * 60)).unwrap_err();
        assert_eq!(
            e,
            IntervalError::NotDividingDay(SimDuration::from_secs(7 * 60))
        );
        // 1440 min = 205 × 7 min + 5 min; the message names neither the flag nor the value
        // (the CLI puts both before it, the value as written).
        assert!(
            e.to_string()
                .starts_with("does not divide a day (24 h is 205 such intervals and 5m more)"),
            "{e}"
        );
        // Issue 25, L: zero and over a day say so (not "expected a duration", not "0 × 1d1h").
        for (iv, want) in [
            (SimDuration::ZERO, "is not positive"),
            (SimDuration::from_secs(25 * 3600), "is longer than a day"),
            (SimDuration::from_secs(48 * 3600), "use at most 24h"),
        ] {
            let e = check_interval(iv).unwrap_err();
            assert!(e.to_string().contains(want), "{e}");
        }
        assert!(check_interval(SimDuration::from_secs(24 * 3600)).is_ok());
        let e = check_interval(SimDuration::from_millis(1)).unwrap_err();
        assert_eq!(
            e,
            IntervalError::NotWholeMinutes(SimDuration::from_millis(1))
        );
        assert!(
            e.to_string().contains("not a whole number of minutes"),
            "{e}"
        );
        assert!(check_interval(SimDuration::from_secs(90)).is_err());
        assert!(check_interval(SimDuration::from_secs(2 * 86_400)).is_err());
    }

    /// Issue 27 item 7: a Monday–Friday history averages over its open days (not 7/5 low);
    /// each weekday keeps its own profile.
    #[test]
    fn open_days_and_weekday_profiles() {
        // Two weeks from Monday 2024-01-01: 10 arrivals at 09:00 each weekday, 20 on Fridays,
        // none at weekends.
        let mut arr = Tally::new(3_600_000);
        for d in 0..14u64 {
            let n = match d % 7 {
                0..=3 => 10,
                4 => 20,
                _ => 0,
            };
            for k in 0..n {
                arr.note(0, d * DAY_MS + 9 * 3_600_000 + k * 1000);
            }
        }
        let p = profiles(&arr, 1, 0, &Calendar::default(), 1.0, &[]);
        assert_eq!(p.days, 12); // the last open day is the second Friday
        assert_eq!(p.open_days(), 10);
        assert!(!p.open[5] && !p.open[6]);
        // (4 × 10 + 20) × 2 weeks ÷ 10 open days = 12 at 09:00 (a calendar-day average read
        // 120 ÷ 12 days = 10, and 120 ÷ 14 = 8.6 over whole weeks).
        assert_eq!(p.profile[0][9], 12.0);
        assert_eq!(p.weekday[0][0].as_ref().unwrap()[9], 10.0);
        assert_eq!(p.weekday[0][4].as_ref().unwrap()[9], 20.0);
        assert!(p.weekday[0][5].is_none() && p.weekday[0][6].is_none());
        assert_eq!(p.weekday_of(11), 4);
    }

    /// The merge of fixd-13 (a [`Tally`], no per-row pairs) with fixf-13 (a clock change's
    /// interval over its exposure): the change's day is numbered from `t0_day`, not from the
    /// tally's absolute day 0, and the weekday counts are divided by the exposure summed over
    /// that weekday's open days.
    #[test]
    fn a_tally_from_a_later_day_divides_a_clock_change_by_its_exposure() {
        use crate::calendar::dst::ClockChange;
        let h = 3_600_000;
        for (repeated, n_at_2) in [(true, 120u64), (false, 0)] {
            // Absolute days 100..=107 (span days 0..=7: two Mondays); 60 arrivals at 02:00 and
            // 09:00 a day, but span day 7 has its 02:00 hour twice (120) or never (0).
            let mut t = Tally::new(h);
            for d in 100..108u64 {
                let at_2 = if d == 107 { n_at_2 } else { 60 };
                for k in 0..at_2 {
                    t.note(0, d * DAY_MS + 2 * h + k * 1000);
                }
                for k in 0..60 {
                    t.note(0, d * DAY_MS + 9 * h + k * 1000);
                }
            }
            let change = ClockChange {
                date: jiff::civil::date(2024, 1, 8),
                from_ms: 2 * h,
                to_ms: 3 * h,
                repeated,
                offsets: if repeated { (7200, 3600) } else { (3600, 7200) },
            };
            let p = profiles(&t, 1, 100, &Calendar::default(), 1.0, &[(7, change)]);
            assert_eq!(p.days, 8);
            let monday = p.weekday[0][p.weekday_of(0)].as_ref().unwrap();
            // (60 + 120) ÷ (1 + 2) or (60 + 0) ÷ (1 + 0): 60 per hour the clock showed.
            assert_eq!(monday[2], 60.0, "repeated {repeated}");
            assert_eq!(monday[9], 60.0);
            assert_eq!(p.profile[0][2], 60.0, "repeated {repeated}");
            // Without the change the hour reads 90 (or 30) on Mondays.
            let plain = profiles(&t, 1, 100, &Calendar::default(), 1.0, &[]);
            let monday = plain.weekday[0][plain.weekday_of(0)].as_ref().unwrap();
            assert_eq!(monday[2], if repeated { 90.0 } else { 30.0 });
        }
    }
}
