//! [`LogHistogram`]: a small fixed-bucket histogram of milliseconds for per-interval percentiles,
//! where a full HdrHistogram per (interval, queue) cell would cost too much memory.

/// Buckets: exact 0, then 8 buckets per power of two from 1 ms to about 2^40 ms (≤ 9% relative
/// error), up to 329 counters of `u32`. Only the buckets up to the largest value recorded are
/// stored (a cell whose waits stay under 10 s holds about 100 counters, not 329), so the
/// 15-minute series costs what its waits need.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LogHistogram {
    counts: Vec<u32>,
    total: u64,
    /// The exact largest value recorded: quantiles never read above it.
    #[serde(default)]
    max: u64,
}

const SUB: u32 = 8;
const BUCKETS: usize = 1 + 41 * SUB as usize;

#[inline]
fn bucket(ms: u64) -> usize {
    if ms == 0 {
        return 0;
    }
    let p = 63 - ms.leading_zeros(); // 2^p <= ms
    let frac = if p >= 3 {
        ((ms >> (p - 3)) & 7) as u32
    } else {
        ((ms << (3 - p)) & 7) as u32
    };
    (1 + (p.min(40) * SUB + frac) as usize).min(BUCKETS - 1)
}

fn upper(b: usize) -> u64 {
    if b == 0 {
        return 0;
    }
    let i = (b - 1) as u32;
    let (p, frac) = (i / SUB, i % SUB);
    // upper edge of the bucket: 2^p * (1 + (frac + 1) / 8)
    ((1u128 << p) * (SUB + frac + 1) as u128 / SUB as u128) as u64
}

impl LogHistogram {
    /// Records one value in milliseconds.
    #[inline]
    pub fn record(&mut self, ms: u64) {
        let b = bucket(ms);
        if self.counts.len() <= b {
            // Exactly as many counters as needed: these live in every (interval, queue) cell.
            self.counts.reserve_exact(b + 1 - self.counts.len());
            self.counts.resize(b + 1, 0);
        }
        self.counts[b] = self.counts[b].saturating_add(1);
        self.total += 1;
        self.max = self.max.max(ms);
    }

    /// Values recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &LogHistogram) {
        if other.counts.is_empty() {
            return;
        }
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a.saturating_add(*b);
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// The value at quantile `q` in [0, 1]: the upper edge of its bucket, which is never below
    /// the smallest value recorded, clamped to the largest recorded; `None` if empty.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= rank {
                return Some(upper(b).min(self.max));
            }
        }
        Some(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_within_bucket_error() {
        let mut h = LogHistogram::default();
        for v in 1..=1000u64 {
            h.record(v * 100);
        }
        let p90 = h.quantile(0.9).unwrap() as f64;
        assert!((p90 / 90_000.0 - 1.0).abs() < 0.13, "{p90}");
        assert_eq!(LogHistogram::default().quantile(0.5), None);
    }

    #[test]
    fn quantiles_stay_within_the_observed_range() {
        let mut h = LogHistogram::default();
        for i in 0..10u64 {
            h.record(i * 10_000);
        }
        assert_eq!(h.quantile(0.99), Some(90_000));
        assert_eq!(h.quantile(1.0), Some(90_000));
        let mut one = LogHistogram::default();
        one.record(1_234);
        assert_eq!(one.quantile(0.5), Some(1_234));
        let mut merged = LogHistogram::default();
        merged.merge(&h);
        merged.merge(&one);
        assert_eq!(merged.quantile(1.0), Some(90_000));
    }

    #[test]
    fn buckets_are_monotone() {
        let mut last = 0;
        for ms in [
            0u64,
            1,
            2,
            3,
            7,
            8,
            9,
            100,
            1_000,
            65_000,
            1 << 35,
            u64::MAX,
        ] {
            let b = bucket(ms);
            assert!(b >= last);
            assert!(upper(b) >= ms.min(upper(BUCKETS - 1)));
            last = b;
        }
    }
}
