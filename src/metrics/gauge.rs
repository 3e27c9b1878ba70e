//! [`TimeWeighted`]: the exact integral of a piecewise-constant level over time.

use crate::time::SimTime;

/// The integral of a piecewise-constant integer level, in level × milliseconds, overall (from a
/// start time on) and per fixed-length interval.
///
/// The interval holding the last update accumulates in `cur_acc` and is written to
/// `per_interval` only when time moves past it (or when read), so an update within the same
/// interval — nearly all of them — is a comparison and a multiply-add.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimeWeighted {
    level: i64,
    last: u64,
    from: u64,
    /// The total counts up to here (ms); `u64::MAX`: no end.
    until: u64,
    interval_ms: u64,
    total: i128,
    /// Finished intervals (and earlier visits to the current one). An interval gets an entry
    /// once a non-zero level spent time in it; later ones are not padded.
    per_interval: Vec<i128>,
    /// The interval holding `last`: its index, its end, the integral in it since it was last
    /// written out, and whether a non-zero level spent time in it since then.
    cur: usize,
    cur_end: u64,
    cur_acc: i128,
    cur_touched: bool,
}

impl TimeWeighted {
    /// A gauge at level 0 that counts its total from `from` on and splits by `interval_ms`
    /// (0: no per-interval split).
    pub fn new(from: SimTime, interval_ms: u64) -> Self {
        TimeWeighted {
            from: from.as_millis(),
            until: u64::MAX,
            interval_ms,
            cur_end: interval_ms,
            ..Default::default()
        }
    }

    /// Counts the total only up to `until` (the per-interval split goes on beyond it): a
    /// counting window `[from, until]`.
    pub fn until(mut self, until: SimTime) -> Self {
        self.until = until.as_millis();
        self
    }

    /// The current level.
    pub fn level(&self) -> i64 {
        self.level
    }

    /// Integrates up to `now`, then sets the level.
    pub fn set(&mut self, now: SimTime, level: i64) {
        self.advance(now);
        self.level = level;
    }

    /// Integrates up to `now`, then adds `delta` to the level.
    #[inline]
    pub fn add(&mut self, now: SimTime, delta: i64) {
        self.advance(now);
        self.level += delta;
    }

    /// Integrates the current level up to `now`.
    #[inline]
    pub fn advance(&mut self, now: SimTime) {
        let now = now.as_millis();
        if now <= self.last {
            return;
        }
        if self.level != 0 {
            let counted_from = self.last.max(self.from);
            let counted_to = now.min(self.until);
            if counted_to > counted_from {
                self.total += self.level as i128 * (counted_to - counted_from) as i128;
            }
            if self.interval_ms != 0 {
                if now <= self.cur_end {
                    // Still in the interval of `last` (its end belongs to the next one, but
                    // nothing has been spent there yet).
                    self.cur_acc += self.level as i128 * (now - self.last) as i128;
                    self.cur_touched = true;
                } else {
                    self.split(now);
                }
            }
        } else if self.interval_ms != 0 && now >= self.cur_end {
            self.move_to(now);
        }
        self.last = now;
    }

    /// Adds the level × time from `last` to `now`, which lies beyond the current interval, to
    /// the intervals it spans.
    #[cold]
    fn split(&mut self, now: u64) {
        let iv = self.interval_ms;
        let level = self.level as i128;
        let mut t = self.last;
        while self.cur_end < now {
            self.cur_acc += level * (self.cur_end - t) as i128;
            self.cur_touched |= self.cur_end > t;
            t = self.cur_end;
            self.flush();
            self.cur += 1;
            self.cur_end += iv;
        }
        self.cur_acc += level * (now - t) as i128;
        self.cur_touched |= now > t;
    }

    /// With the level at 0: makes the interval holding `now` the current one.
    #[cold]
    fn move_to(&mut self, now: u64) {
        self.flush();
        let iv = self.interval_ms;
        self.cur = (now / iv) as usize;
        self.cur_end = (self.cur as u64 + 1) * iv;
    }

    /// Writes the current interval's accumulation out.
    fn flush(&mut self) {
        if self.cur_touched {
            if self.per_interval.len() <= self.cur {
                self.per_interval.resize(self.cur + 1, 0);
            }
            self.per_interval[self.cur] += self.cur_acc;
        }
        self.cur_acc = 0;
        self.cur_touched = false;
    }

    /// The integral over `[from, until]` so far, in level × milliseconds.
    pub fn total(&self) -> i128 {
        self.total
    }

    /// The integral within each interval so far (the current interval written out first).
    pub fn per_interval(&mut self) -> &[i128] {
        self.flush();
        &self.per_interval
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_total_stops_at_until() {
        // Level 2 from 0 to 10 s, counted over [1 s, 6 s]: 10 unit-seconds; the series goes on.
        let mut g = TimeWeighted::new(SimTime(1000), 1000).until(SimTime(6000));
        g.set(SimTime(0), 2);
        g.set(SimTime(10_000), 0);
        assert_eq!(g.total(), 2 * 5000);
        assert_eq!(g.per_interval().iter().sum::<i128>(), 2 * 10_000);
    }

    use super::*;

    #[test]
    fn integrates_exactly_and_splits_by_interval() {
        let mut g = TimeWeighted::new(SimTime(0), 1000);
        g.set(SimTime(500), 2); // 0 for 0..500
        g.set(SimTime(1500), 4); // 2 for 500..1500
        g.advance(SimTime(2000)); // 4 for 1500..2000
        assert_eq!(g.total(), 2 * 1000 + 4 * 500);
        assert_eq!(g.per_interval(), &[1000, 1000 + 2000]);
    }

    #[test]
    fn splits_like_a_millisecond_by_millisecond_sum() {
        // Irregular steps (some within an interval, some spanning several) against a naive sum.
        let iv = 700;
        let mut g = TimeWeighted::new(SimTime(0), iv);
        let mut naive = vec![0i128; 0];
        let (mut t, mut level, mut x) = (0u64, 0i64, 12_345u64);
        for _ in 0..500 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let step = (x >> 33) % 1_500;
            let next = t + step;
            for ms in t..next {
                let i = (ms / iv) as usize;
                if naive.len() <= i {
                    naive.resize(i + 1, 0);
                }
                naive[i] += level as i128;
            }
            t = next;
            level = ((x >> 20) % 5) as i64 - 1;
            g.set(SimTime(t), level);
        }
        let n = g.per_interval().len();
        naive.resize(n.max(naive.len()), 0);
        assert_eq!(g.per_interval(), &naive[..n]);
        assert!(naive[n..].iter().all(|v| *v == 0));
    }

    #[test]
    fn counts_total_only_after_start() {
        let mut g = TimeWeighted::new(SimTime(1000), 0);
        g.set(SimTime(0), 3);
        g.advance(SimTime(3000));
        assert_eq!(g.total(), 3 * 2000);
    }
}
