//! [`TimeWeighted`]: the exact integral of a piecewise-constant level over time.

use crate::time::SimTime;

/// The integral of a piecewise-constant integer level, in level × milliseconds, overall (from a
/// start time on) and per fixed-length interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimeWeighted {
    level: i64,
    last: u64,
    from: u64,
    interval_ms: u64,
    total: i128,
    per_interval: Vec<i128>,
}

impl TimeWeighted {
    /// A gauge at level 0 that counts its total from `from` on and splits by `interval_ms`
    /// (0: no per-interval split).
    pub fn new(from: SimTime, interval_ms: u64) -> Self {
        TimeWeighted {
            from: from.as_millis(),
            interval_ms,
            ..Default::default()
        }
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
    pub fn add(&mut self, now: SimTime, delta: i64) {
        self.advance(now);
        self.level += delta;
    }

    /// Integrates the current level up to `now`.
    pub fn advance(&mut self, now: SimTime) {
        let now = now.as_millis();
        if now <= self.last {
            return;
        }
        if self.level != 0 {
            let counted_from = self.last.max(self.from);
            if now > counted_from {
                self.total += self.level as i128 * (now - counted_from) as i128;
            }
            if let Some(step) = std::num::NonZeroU64::new(self.interval_ms) {
                let mut t = self.last;
                while t < now {
                    let i = (t / step) as usize;
                    let end = ((i as u64 + 1) * step.get()).min(now);
                    if self.per_interval.len() <= i {
                        self.per_interval.resize(i + 1, 0);
                    }
                    self.per_interval[i] += self.level as i128 * (end - t) as i128;
                    t = end;
                }
            }
        }
        self.last = now;
    }

    /// The integral since `from`, in level × milliseconds.
    pub fn total(&self) -> i128 {
        self.total
    }

    /// The integral within each interval so far.
    pub fn per_interval(&self) -> &[i128] {
        &self.per_interval
    }
}

#[cfg(test)]
mod tests {
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
    fn counts_total_only_after_start() {
        let mut g = TimeWeighted::new(SimTime(1000), 0);
        g.set(SimTime(0), 3);
        g.advance(SimTime(3000));
        assert_eq!(g.total(), 3 * 2000);
    }
}
