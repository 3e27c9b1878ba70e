//! The length of the report intervals: 15 minutes, widened for very long horizons so the series
//! stays bounded.

use crate::time::SimDuration;

/// The default length of a report interval: 15 minutes.
pub const INTERVAL: SimDuration = SimDuration::from_secs(15 * 60);

/// The most intervals a horizon is split into (30 days of 15-minute intervals). Longer horizons
/// get wider intervals (see [`interval_for`]), so the interval series — one [`Interval`](super::Interval) cell per
/// queue, about 1.4 KB once used — stays bounded however long the run: memory follows the
/// conversations in the system, not the horizon.
pub const MAX_INTERVALS: u64 = 2_880;

/// The interval length for a horizon: 15 minutes up to 30 days, otherwise the smallest multiple
/// of 15 minutes that splits the horizon into at most [`MAX_INTERVALS`] intervals. (The drain
/// after the horizon, at most `drain_limit`, may add a few more.)
pub fn interval_for(horizon: SimDuration) -> SimDuration {
    let base = INTERVAL.as_millis();
    let per = horizon.as_millis().div_ceil(base * MAX_INTERVALS).max(1);
    SimDuration::from_millis(base * per)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_stay_15_minutes_up_to_30_days_then_widen() {
        let h = |hours: u64| SimDuration::from_secs(hours * 3600);
        assert_eq!(interval_for(h(72)), INTERVAL);
        assert_eq!(interval_for(h(720)), INTERVAL);
        assert_eq!(interval_for(h(721)), SimDuration::from_secs(30 * 60));
        let long = h(33_334);
        let iv = interval_for(long);
        assert_eq!(iv.as_millis() % INTERVAL.as_millis(), 0);
        assert!(long.as_millis().div_ceil(iv.as_millis()) <= MAX_INTERVALS);
    }
}
