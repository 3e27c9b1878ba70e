//! Percentiles that stay within the observed range: [`hdr_quantile`]; and [`add_histogram`],
//! the exact sum of two of omnisim's latency histograms.
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

/// `into += from`: the counts of two 3-significant-digit, auto-resizing histograms (every
/// latency histogram omnisim records is `Histogram::new(3)`) added bucket by bucket.
///
/// An empty `into` (a fold's first replication, a report's first queue) takes a copy of
/// `from` instead: the same counts under the same layout, so every quantile, the count, the
/// minimum and the maximum are the same as after the addition, at the cost of one copy instead
/// of a resize and a walk over every bucket (issue 28: folding a 12,000-conversation
/// replication into empty run totals cost 4% of perf-check's instructions).
///
/// An empty `from` adds nothing and is not read: no copy, no walk over its buckets (issue 25
/// leftovers: a Ctrl-C on a 3,000-queue run copied two empty 16 kB histograms per queue per
/// replication into the totals, most of the 2–4 s between the signal and the exit; an empty
/// histogram's maximum is 0, so adding it never resizes `into` either).
pub fn add_histogram(into: &mut Histogram<u64>, from: &Histogram<u64>) {
    if from.is_empty() {
        return;
    }
    if into.is_empty() {
        into.clone_from(from);
    } else {
        into.add(from).expect("auto-resizing histograms always add");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Taking a copy into an empty histogram is the addition: same count, extremes and
    /// quantiles, and a later addition still resizes (the copy is auto-resizing too).
    #[test]
    fn adding_into_an_empty_histogram_is_exact() {
        let mut from = Histogram::<u64>::new(3).unwrap();
        for v in [0, 1, 7, 999, 12_345, 3_600_000] {
            from.record(v).unwrap();
        }
        let mut added = Histogram::<u64>::new(3).unwrap();
        added.add(&from).unwrap();
        let mut copied = Histogram::<u64>::new(3).unwrap();
        add_histogram(&mut copied, &from);
        for h in [&mut added, &mut copied] {
            let mut later = Histogram::<u64>::new(3).unwrap();
            later.record(86_400_000_000).unwrap();
            add_histogram(h, &later);
        }
        assert_eq!(added.len(), copied.len());
        assert_eq!((added.min(), added.max()), (copied.min(), copied.max()));
        for q in [0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(
                added.value_at_quantile(q),
                copied.value_at_quantile(q),
                "{q}"
            );
        }
    }

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
