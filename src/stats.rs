//! Small statistics: confidence intervals across replications, and the bulk of a history's
//! days ([`bulk_range`], for rows far outside the rest: a mistyped year). The queueing formulas
//! (Erlang C, Erlang A, multi-chat) live in one place, [`crate::erlang`].
//!
//! Key items: [`mean_ci95`], [`ratio_ci95`], [`paired_ci95`], [`t975`], [`bulk_range`] and
//! [`DayTally`] (a history's days counted as its rows are read).
//!
//! ```
//! use omnisim::stats::mean_ci95;
//! let (mean, half) = mean_ci95(&[1.0, 2.0, 3.0]).unwrap();
//! assert_eq!(mean, 2.0);
//! assert!((half - 2.4841).abs() < 1e-3); // t(0.975, 2) = 4.3027, s = 1, n = 3
//! ```

/// t(0.975, df) for df = 1..=30, exact to 9 decimals.
const T975: [f64; 30] = [
    12.706_204_736,
    4.302_652_730,
    3.182_446_305,
    2.776_445_105,
    2.570_581_836,
    2.446_911_851,
    2.364_624_252,
    2.306_004_135,
    2.262_157_163,
    2.228_138_852,
    2.200_985_160,
    2.178_812_830,
    2.160_368_656,
    2.144_786_688,
    2.131_449_546,
    2.119_905_299,
    2.109_815_578,
    2.100_922_040,
    2.093_024_054,
    2.085_963_447,
    2.079_613_845,
    2.073_873_068,
    2.068_657_610,
    2.063_898_562,
    2.059_538_553,
    2.055_529_439,
    2.051_830_516,
    2.048_407_142,
    2.045_229_642,
    2.042_272_456,
];

/// z(0.975), the standard normal quantile.
const Z975: f64 = 1.959_963_984_540_054;

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
///
/// Exact (table) for df ≤ 30; above, the Cornish–Fisher expansion in 1/df to the fourth order,
/// which is within 1e-6 of the exact value there. `df = 0` gives +∞.
pub fn t975(df: u64) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T975[(df - 1) as usize],
        _ => {
            let z = Z975;
            let v = df as f64;
            let z2 = z * z;
            let g1 = (z2 + 1.0) * z / 4.0;
            let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
            let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
            let g4 =
                ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92_160.0;
            z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v)
        }
    }
}

/// The mean of `samples` and the half-width of its 95 % confidence interval,
/// t(0.975, n − 1) · s / √n. `None` when there are fewer than two samples.
pub fn mean_ci95(samples: &[f64]) -> Option<(f64, f64)> {
    let n = samples.len();
    if n < 2 {
        return None;
    }
    let mean = samples.iter().sum::<f64>() / n as f64;
    let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some((mean, t975(n as u64 - 1) * (var / n as f64).sqrt()))
}

/// The half-width of the 95 % confidence interval of a ratio estimator `point` = Σ yᵢ ÷ Σ xᵢ
/// (a pooled service level, a pooled mean wait) over replications, from each replication's
/// own ratio and weight `samples[i] = (yᵢ ÷ xᵢ, xᵢ)` (xᵢ > 0: its denominator, 1 for a figure
/// that is no ratio). The delta method: the residuals eᵢ = xᵢ·(vᵢ − point), s² = Σ eᵢ² ÷ (n − 1),
/// half-width t(0.975, n − 1) · s ÷ (x̄ · √n). The interval `point ± half` is centred on the
/// point itself, so a pooled figure always lies inside its own interval (a mean of the
/// replications' ratios does not: it weighs a quiet replication like a busy one). With equal
/// weights and `point` the mean of the vᵢ this is [`mean_ci95`]'s half-width. `None` with
/// fewer than two samples or no weight.
pub fn ratio_ci95(point: f64, samples: &[(f64, f64)]) -> Option<f64> {
    let n = samples.len();
    let w_sum: f64 = samples.iter().map(|s| s.1).sum();
    if n < 2 || w_sum <= 0.0 || !point.is_finite() {
        return None;
    }
    let w_mean = w_sum / n as f64;
    let ss: f64 = samples.iter().map(|(v, w)| (w * (v - point)).powi(2)).sum();
    let sd = (ss / (n - 1) as f64).sqrt() / w_mean;
    Some(t975(n as u64 - 1) * sd / (n as f64).sqrt())
}

/// The mean of the paired differences `a[i] − b[i]` and the half-width of its 95 % confidence
/// interval (use with common random numbers: replication `i` of both variants shares seeds).
/// `None` when the lengths differ or there are fewer than two pairs.
pub fn paired_ci95(a: &[f64], b: &[f64]) -> Option<(f64, f64)> {
    if a.len() != b.len() {
        return None;
    }
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    mean_ci95(&diffs)
}

/// Histories with fewer rows than this are not checked for rows far outside the rest: there
/// is no bulk to speak of.
pub const OUTLIER_MIN_ROWS: usize = 8;

/// Slack (days) beyond three interquartile ranges of the row days before a row counts as far
/// outside the rest: a month.
pub const OUTLIER_SLACK_DAYS: u64 = 31;

/// The days (counted from any epoch) a history row may fall on: `[lo, hi]`, from the quartiles
/// `q1`, `q3` of the history's dates widened by three interquartile ranges and
/// [`OUTLIER_SLACK_DAYS`]: `lo = q1 − (3·(q3 − q1) + 31)`, `hi = q3 + 3·(q3 − q1) + 31`.
/// `days` holds each row's day. The quartiles are of the distinct dates (each date once,
/// however many rows it has: a month of 5-minute rows must not outweigh two years of daily
/// rows, nor a log's replications one another); with fewer than [`OUTLIER_MIN_ROWS`] dates,
/// of the rows' days (a few days' rows and one mistyped row: the rows tell which is the stray).
/// For a uniform history of D days that reaches D + 31 days beyond either end; one mistyped
/// year (2062 in 2026) is far beyond it. `None` with fewer than [`OUTLIER_MIN_ROWS`] rows.
/// Also returns the quartiles, for the message. Sorts `days`.
pub fn bulk_range(days: &mut [u64]) -> Option<((u64, u64), (u64, u64))> {
    let mut counts = std::collections::BTreeMap::new();
    for &d in days.iter() {
        *counts.entry(d).or_insert(0u64) += 1;
    }
    days.sort_unstable();
    bulk_range_counted(&counts)
}

/// [`bulk_range`] of the rows' days counted: `counts` maps each day to its rows (so a reader
/// keeps one entry a day, not one a row).
pub fn bulk_range_counted(
    counts: &std::collections::BTreeMap<u64, u64>,
) -> Option<((u64, u64), (u64, u64))> {
    let rows: u64 = counts.values().sum();
    if rows < OUTLIER_MIN_ROWS as u64 {
        return None;
    }
    let (q1, q3) = if counts.len() >= OUTLIER_MIN_ROWS {
        let dates: Vec<u64> = counts.keys().copied().collect();
        let n = dates.len() - 1;
        (dates[n / 4], dates[3 * n / 4])
    } else {
        // The k-th (from 0) of the rows' days in order.
        let nth = |k: u64| {
            let mut seen = 0;
            for (&d, &c) in counts {
                seen += c;
                if k < seen {
                    return d;
                }
            }
            *counts.keys().next_back().expect("rows")
        };
        let n = rows - 1;
        (nth(n / 4), nth(3 * n / 4))
    };
    let margin = 3 * (q3 - q1) + OUTLIER_SLACK_DAYS;
    Some(((q1.saturating_sub(margin), q3 + margin), (q1, q3)))
}

/// The days of a history's rows counted as they are read, with the lines of each day's first
/// `keep` rows: [`bulk_range`] and the rows outside it (up to `keep` of them named, the others
/// counted) in memory bounded by the days, not the rows (issue 25, thirteenth session: `fit`
/// and `forecast` kept 16 bytes a row, and a copy of 8, for this check alone).
#[derive(Clone, Debug)]
pub struct DayTally {
    keep: usize,
    /// Day → (rows, lines of its first `keep` rows in the order noted).
    days: std::collections::BTreeMap<u64, (u64, Vec<u64>)>,
}

impl DayTally {
    /// An empty tally naming up to `keep` rows of each day.
    pub fn new(keep: usize) -> DayTally {
        DayTally {
            keep,
            days: Default::default(),
        }
    }

    /// Notes a row on `day` at `line`.
    pub fn note(&mut self, day: u64, line: u64) {
        let (n, lines) = self.days.entry(day).or_default();
        *n += 1;
        if lines.len() < self.keep {
            lines.push(line);
        }
    }

    /// [`bulk_range`] of the rows noted.
    pub fn range(&self) -> Option<((u64, u64), (u64, u64))> {
        let counts = self.days.iter().map(|(&d, (n, _))| (d, *n)).collect();
        bulk_range_counted(&counts)
    }

    /// The rows on a day outside `lo..=hi`: `(line, day)` of those named (each day's first
    /// `keep`, which hold the first `keep` of them all when noted in line order), by line, and
    /// how many others there are.
    pub fn outside(&self, (lo, hi): (u64, u64)) -> (Vec<(u64, u64)>, u64) {
        let mut named = Vec::new();
        let mut others = 0;
        for (&d, (n, lines)) in self.days.iter().filter(|(d, _)| !(lo..=hi).contains(*d)) {
            named.extend(lines.iter().map(|&l| (l, d)));
            others += n - lines.len() as u64;
        }
        named.sort_unstable();
        (named, others)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 27 item 8: a mistyped year is far outside; a month either side is not.
    #[test]
    fn the_bulk_of_a_history() {
        // 30 days × 10 rows from day 46_000 (2026), one row 36 years later.
        let mut days: Vec<u64> = (0..300).map(|i| 46_000 + i / 10).collect();
        days.push(46_000 + 36 * 365);
        let ((lo, hi), (q1, q3)) = bulk_range(&mut days).unwrap();
        assert_eq!((q1, q3), (46_007, 46_022));
        assert_eq!((lo, hi), (46_007 - 76, 46_022 + 76));
        assert!(days.iter().filter(|d| **d > hi).count() == 1);
        assert_eq!(bulk_range(&mut [1, 2, 3]), None);
    }

    /// Issue 25, a seventh tester: the bulk counted rows, so a history whose intervals changed
    /// length was misjudged: two years of daily rows (one a day) then a month of 5-minute rows
    /// (168 a day) put both quartiles in the last month, and every daily row before it was
    /// "far from the bulk". Judged by dates, nothing is; a mistyped year still is.
    #[test]
    fn the_bulk_counts_dates_not_rows() {
        let mut days: Vec<u64> = (0..730).map(|d| 46_000 + d).collect();
        for d in 730..760 {
            days.extend(std::iter::repeat_n(46_000 + d, 168));
        }
        days.push(46_000 + 36 * 365);
        let ((lo, hi), _) = bulk_range(&mut days).unwrap();
        let far = days.iter().filter(|d| !(lo..=hi).contains(d)).count();
        assert_eq!(far, 1, "only the mistyped year ({lo}..={hi})");
        // Variant: the same dates on a 30-minute grid (28 rows a day) give the same range.
        let mut coarse: Vec<u64> = (0..730).map(|d| 46_000 + d).collect();
        for d in 730..760 {
            coarse.extend(std::iter::repeat_n(46_000 + d, 28));
        }
        coarse.push(46_000 + 36 * 365);
        assert_eq!(bulk_range(&mut coarse).unwrap().0, (lo, hi));
        // A few dates: the rows still tell the stray (200 rows on one day, one 36 years before).
        let mut few: Vec<u64> = vec![46_000; 200];
        few.push(46_000 - 36 * 365);
        let ((lo, _), _) = bulk_range(&mut few).unwrap();
        assert!(lo > 46_000 - 36 * 365);
    }

    /// Issue 25, thirteenth session: the days counted give the range the rows' days give, and
    /// the rows outside it named by line (each day's first `keep`, holding the first `keep`
    /// of them all) with the others counted, in memory of the days, not the rows.
    #[test]
    fn a_day_tally_finds_the_rows_a_list_of_days_finds() {
        for rows in [
            // Many dates, a few far rows on two days (one with more than `keep`).
            (0..400u64)
                .map(|i| 46_000 + i / 10)
                .chain(std::iter::repeat_n(90_000, 7))
                .chain(std::iter::repeat_n(10, 3))
                .collect::<Vec<u64>>(),
            // Few dates: the rows' days decide.
            std::iter::repeat_n(46_000, 200)
                .chain([46_001, 46_000 - 36 * 365])
                .collect(),
        ] {
            let mut tally = DayTally::new(5);
            for (line, d) in rows.iter().enumerate() {
                tally.note(*d, line as u64 + 2);
            }
            let mut days = rows.clone();
            let range = bulk_range(&mut days).unwrap();
            assert_eq!(tally.range(), Some(range));
            let far: Vec<(u64, u64)> = rows
                .iter()
                .enumerate()
                .filter(|(_, d)| !(range.0 .0..=range.0 .1).contains(*d))
                .map(|(l, d)| (l as u64 + 2, *d))
                .collect();
            let (named, others) = tally.outside(range.0);
            assert_eq!(named[..5.min(named.len())], far[..5.min(far.len())]);
            assert_eq!(named.len() as u64 + others, far.len() as u64);
        }
    }

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b} (± {tol})");
    }

    #[test]
    fn t_quantiles() {
        close(t975(1), 12.7062, 1e-4);
        close(t975(30), 2.0423, 1e-4);
        // Cornish–Fisher just past the table, against exact values.
        close(t975(31), 2.039_513_446, 1e-6);
        close(t975(40), 2.021_075_390, 1e-6);
        close(t975(60), 2.000_297_822, 1e-6);
        close(t975(120), 1.979_930_405, 1e-6);
        close(t975(1_000_000), Z975, 1e-5);
        assert!(t975(0).is_infinite());
    }

    #[test]
    fn confidence_intervals() {
        assert_eq!(mean_ci95(&[]), None);
        assert_eq!(mean_ci95(&[1.0]), None);
        let (m, h) = mean_ci95(&[2.0, 4.0, 6.0, 8.0]).unwrap();
        close(m, 5.0, 1e-12);
        // s = sqrt(20/3), n = 4, t(3) = 3.182446305
        close(h, 3.182_446_305 * (20.0f64 / 3.0).sqrt() / 2.0, 1e-9);
        let (m, h) = mean_ci95(&[3.0; 5]).unwrap();
        assert_eq!((m, h), (3.0, 0.0));
    }

    #[test]
    fn ratio_intervals_hold_their_point() {
        // Equal weights and the mean as the point: mean_ci95's half-width.
        let (m, h) = mean_ci95(&[0.7, 0.8, 0.9]).unwrap();
        let r = ratio_ci95(m, &[(0.7, 1.0), (0.8, 1.0), (0.9, 1.0)]).unwrap();
        close(r, h, 1e-12);
        // A busy replication with a high ratio: the pooled point (2 + 45 + 9) ÷ 80 = 0.7 lies
        // above the replications' mean ratio 0.6167; the interval is centred on the point.
        let reps = [(0.2, 10.0), (0.75, 60.0), (0.9, 10.0)];
        let h = ratio_ci95(0.7, &reps).unwrap();
        // Residuals e = x·(v − R): (−5, 3, 2); s² = 38 ÷ 2; x̄ = 80 ÷ 3.
        let want = 4.302_652_730 * (38.0_f64 / 2.0).sqrt() / (80.0 / 3.0) / 3f64.sqrt();
        close(h, want, 1e-9);
        assert_eq!(ratio_ci95(0.5, &[(0.5, 3.0)]), None);
        assert_eq!(ratio_ci95(0.5, &[]), None);
    }

    #[test]
    fn paired_intervals() {
        let a = [10.0, 12.0, 14.0];
        let b = [9.0, 10.0, 11.0];
        let (m, h) = paired_ci95(&a, &b).unwrap();
        close(m, 2.0, 1e-12);
        close(h, 4.302_652_730 / 3f64.sqrt(), 1e-9);
        assert_eq!(paired_ci95(&a, &b[..2]), None);
    }
}
