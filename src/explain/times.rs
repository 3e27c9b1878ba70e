//! [`Times`]: how a story writes an instant. Since t = 0 (`H:MM:SS`, hours past 24 keep
//! counting) by default; as the local date-time `conversations.csv` writes
//! (`2026-03-02T07:03:12`) when the replication's `start` line carries `starts_at` (a scenario
//! with `[scenario] start`), so a story and the log of the same run can be read side by side.
//! Both round to the second (half a second up). Durations (a wait, a time in system, a queue's
//! share) stay `H:MM:SS` ([`crate::trace::clock`]).

use jiff::civil::DateTime;

use crate::trace::{clock, TraceLine};

/// How a story writes instants: since t = 0, or as local date-times from t = 0's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Times(Option<DateTime>);

impl Times {
    /// The times of the replication whose `start` line is `start`: date-times from its
    /// `starts_at`, else since t = 0 (no `[scenario] start`, or a trace written before the
    /// field).
    ///
    /// Errors: a `starts_at` that is not a local date-time, in words naming it.
    pub(crate) fn of(start: &TraceLine) -> Result<Times, String> {
        let Some(text) = &start.starts_at else {
            return Ok(Times(None));
        };
        text.parse::<DateTime>()
            .map(|t0| Times(Some(t0)))
            .map_err(|_| {
                format!(
                    "the start line's starts_at {text:?} is not a local date-time (expected e.g. \
                 \"2026-03-02T07:00:00\")"
                )
            })
    }

    /// The instant `t_s` seconds after t = 0 (millisecond precision), rounded to the second.
    pub(crate) fn at(&self, t_s: f64) -> String {
        let Some(t0) = self.0 else {
            return clock(t_s);
        };
        let ms = (t_s.max(0.0) * 1000.0).round();
        let ms = if ms < i64::MAX as f64 {
            ms as i64
        } else {
            i64::MAX
        };
        let local = t0
            .checked_add(jiff::SignedDuration::from_millis(ms))
            .unwrap_or(DateTime::MAX);
        // Half a second up, as `clock` rounds (a date-time with milliseconds in the log reads
        // as the second it is nearest).
        let local = local.round(jiff::Unit::Second).unwrap_or(local);
        local.strftime("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Kind;

    fn start(at: Option<&str>) -> TraceLine {
        let mut l = TraceLine::new(0, 1, Kind::Start, "start");
        l.starts_at = at.map(String::from);
        l
    }

    #[test]
    fn instants_are_date_times_from_the_start_line() {
        let t = Times::of(&start(Some("2026-03-02T07:00:00"))).unwrap();
        assert_eq!(t.at(0.0), "2026-03-02T07:00:00");
        assert_eq!(t.at(3723.4), "2026-03-02T08:02:03");
        assert_eq!(t.at(59.5), "2026-03-02T07:01:00");
        // Past midnight: the next day.
        assert_eq!(t.at(17.0 * 3600.0 + 1.0), "2026-03-03T00:00:01");
        // A start with milliseconds: the date-time is rounded, not t.
        let t = Times::of(&start(Some("2026-03-02T07:00:00.600"))).unwrap();
        assert_eq!(t.at(0.0), "2026-03-02T07:00:01");
        assert_eq!(t.at(0.3), "2026-03-02T07:00:01");
    }

    #[test]
    fn without_starts_at_instants_count_from_zero() {
        let t = Times::of(&start(None)).unwrap();
        assert_eq!(t.at(3723.4), "1:02:03");
        assert_eq!(t, Times::default());
        let e = Times::of(&start(Some("monday"))).unwrap_err();
        assert!(e.contains("\"monday\" is not a local date-time"), "{e}");
    }
}
