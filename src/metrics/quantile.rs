//! Percentiles that stay within the observed range: [`hdr_quantile`].
//!
//! HdrHistogram reports a quantile as the *highest equivalent* value of the bucket that holds it
//! (with 3 significant digits, a bucket is at most 0.1% of its value wide), so a percentile
//! taken from the bucket of the largest sample can read above that sample: ten waits of exactly
//! 0, 10, …, 90 s gave a p99 of 90.047 s. The highest equivalent never falls below the sample
//! it stands for, so clamping it to the exact largest observation keeps every percentile in
//! [min, max] while losing no precision elsewhere.

use hdrhistogram::Histogram;

/// The value at quantile `q` (in [0, 1]) of `h`, in the histogram's unit: HdrHistogram's
/// highest-equivalent value of the bucket holding that rank, clamped to `max_exact`, the
/// largest value actually recorded. `None` when `h` is empty (a figure with no data).
///
/// Precision: within one bucket, i.e. at most 0.1% above the true order statistic for the
/// 3-significant-digit histograms omnisim records, never above the maximum and never below the
/// minimum.
pub fn hdr_quantile(h: &Histogram<u64>, q: f64, max_exact: u64) -> Option<u64> {
    if h.is_empty() {
        return None;
    }
    Some(h.value_at_quantile(q.clamp(0.0, 1.0)).min(max_exact))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_waits_keep_p99_at_the_largest() {
        let mut h = Histogram::<u64>::new(3).unwrap();
        for i in 0..10u64 {
            h.record(i * 10_000).unwrap();
        }
        // Unclamped, HdrHistogram reads above the largest sample.
        assert!(h.value_at_quantile(0.99) > 90_000);
        assert_eq!(hdr_quantile(&h, 0.99, 90_000), Some(90_000));
        assert_eq!(hdr_quantile(&h, 0.0, 90_000), Some(0));
        let p50 = hdr_quantile(&h, 0.5, 90_000).unwrap();
        assert!((40_000..=40_040).contains(&p50), "{p50}");
    }

    #[test]
    fn empty_is_no_data() {
        let h = Histogram::<u64>::new(3).unwrap();
        assert_eq!(hdr_quantile(&h, 0.5, 0), None);
    }
}
