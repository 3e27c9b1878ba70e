//! The statistics behind [`compare`](super::compare): per-replication series of a summary
//! metric (from `by_replication`), the two-sided t-test of their difference (paired when both
//! runs used the same seed: replication `i` of both drew the same random numbers; Welch's
//! otherwise), Holm–Bonferroni over a family of tests (metrics with identical per-replication
//! series tested once, headline metrics with half the budget: [`family`]) and the precision of
//! a test ([`TTest::detectable`]).
//!
//! ```
//! use omnisim::report::compare_stats::{holm, t_test};
//! // The same seed: paired differences 1, 1.2, 0.8, 1.1 — clearly not chance.
//! let t = t_test(&[10.0, 11.0, 9.0, 10.5], &[11.0, 12.2, 9.8, 11.6], true).unwrap();
//! assert!(t.p_value < 0.01);
//! // Holm at 5 %: 0.01 ≤ 0.05/3, then 0.03 > 0.05/2 stops.
//! assert_eq!(holm(&[0.03, 0.01, 0.2], 0.05), vec![false, true, false]);
//! ```

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Which t-test was run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestKind {
    /// Paired t on the per-replication differences (same seed, common random numbers).
    Paired,
    /// Welch's unequal-variance t (different seeds: independent samples).
    Welch,
}

/// A two-sided t-test of current − base.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TTest {
    /// Paired or Welch.
    pub kind: TestKind,
    /// Observations on the baseline side (pairs, for a paired test).
    pub n_base: usize,
    /// Observations on the current side (pairs, for a paired test).
    pub n_current: usize,
    /// Mean difference current − base (of the pairs, or of the two means).
    pub diff: f64,
    /// Two-sided p-value in [0, 1]. When the t statistic has no variance to scale by: 1 when
    /// nothing differs; 0, the t-test's own limit (|t| → ∞), when every pair differs by the
    /// same nonzero amount or neither side varies and they differ ([`TTest::exact`]). One
    /// test for every metric: a nearly constant difference gets a p near 0 from the same
    /// t-test, so a count moved by +2 in every pair and the rate it drives agree (an exact
    /// sign test here gave 2 · 0.5ⁿ, 0.125 at 4 pairs, never significant, while the rate's
    /// t-test said p < 0.0001).
    pub p_value: f64,
    /// Neither side varies and they agree (every paired difference 0): no evidence either
    /// way (left out of the Holm family, where it could only cost the other tests power).
    pub constant: bool,
    /// Standard error of `diff` (same unit as the metric); 0 when nothing varies.
    pub se: f64,
    /// Degrees of freedom of the t statistic (n − 1 paired; Welch–Satterthwaite otherwise); 0
    /// when nothing varies.
    pub df: f64,
    /// Welch's: the baseline's sample variance (metric unit squared); 0 for a paired test,
    /// whose spread is that of the differences (`se`).
    pub var_base: f64,
    /// Welch's: the current side's sample variance; 0 for a paired test.
    pub var_current: f64,
}

impl TTest {
    /// The difference is the same in every pair (or neither side varies) and is not 0: a
    /// change with no spread, so no precision can be stated for it (its `detectable` is
    /// `None`, printed "no spread", never "±0").
    pub fn exact(&self) -> bool {
        !self.constant && self.se <= 0.0
    }

    /// The smallest |change| (in the metric's unit) this test catches 4 times in 5 when each
    /// test of the family is run at two-sided level `alpha_each` (the family's rate ÷ its
    /// size): (t(1 − alpha_each/2, df) + t(0.8, df)) · se. `None` when nothing varied (no
    /// spread to scale by).
    pub fn detectable(&self, alpha_each: f64) -> Option<f64> {
        if self.se <= 0.0 || self.df < 1.0 || !self.se.is_finite() {
            return None;
        }
        let d = StudentsT::new(0.0, 1.0, self.df).ok()?;
        let crit = d.inverse_cdf(1.0 - alpha_each / 2.0);
        Some((crit + d.inverse_cdf(0.8)) * self.se)
    }

    /// The replications a side (pairs, when paired) at which [`TTest::detectable`] falls to
    /// `change`, assuming each side's spread stays what it was: paired, the standard error
    /// shrinks as 1/√pairs with n − 1 degrees of freedom; Welch's, with k replications on
    /// both sides, se = √((s²_base + s²_current) / k) and Welch–Satterthwaite's
    /// (k − 1)(s²_base + s²_current)² / (s⁴_base + s⁴_current) degrees of freedom, so sides of
    /// different sizes (2 against 10) are projected from each side's own variance, not from
    /// the larger count. `None` when nothing varied or `change` is not positive; capped at
    /// 1,000,000.
    pub fn replications_for(&self, change: f64, alpha_each: f64) -> Option<usize> {
        if self.se <= 0.0 || self.df < 1.0 || change.is_nan() || change <= 0.0 {
            return None;
        }
        let n = self.n_base.max(self.n_current) as f64;
        let (vb, vc) = (self.var_base, self.var_current);
        let at = |k: usize| {
            let k = k as f64;
            let (se, df) = match self.kind {
                TestKind::Paired => (self.se * (n / k).sqrt(), k - 1.0),
                TestKind::Welch if vb * vb + vc * vc > 0.0 => (
                    ((vb + vc) / k).sqrt(),
                    (k - 1.0) * (vb + vc).powi(2) / (vb * vb + vc * vc),
                ),
                TestKind::Welch => (self.se * (n / k).sqrt(), self.df * (k - 1.0) / (n - 1.0)),
            };
            TTest { se, df, ..*self }
                .detectable(alpha_each)
                .is_some_and(|d| d <= change)
        };
        let (mut lo, mut hi) = (1usize, 2usize);
        while !at(hi) {
            if hi >= 1_000_000 {
                return Some(1_000_000);
            }
            (lo, hi) = (hi, (hi * 2).min(1_000_000));
        }
        // at(lo) is false (or lo = 1), at(hi) true: bisect.
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if at(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v)
}

/// Two-sided p-value of `t` under Student's t with `df` degrees of freedom.
pub fn p_two_sided(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return 0.0;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => (2.0 * d.sf(t.abs())).clamp(0.0, 1.0),
        Err(_) => 1.0,
    }
}

/// Tests `current` against `base`: paired (`paired`: element `i` of each is replication `i`
/// of the same seed; the slices must be as long) or Welch. `None` with fewer than two
/// observations (pairs) on a side, or paired slices of different lengths.
pub fn t_test(base: &[f64], current: &[f64], paired: bool) -> Option<TTest> {
    let (nb, nc) = (base.len(), current.len());
    if nb < 2 || nc < 2 || (paired && nb != nc) {
        return None;
    }
    let equal = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0);
    if paired {
        let d: Vec<f64> = current.iter().zip(base).map(|(c, b)| c - b).collect();
        let (m, v) = mean_var(&d);
        let se = (v.max(0.0) / nb as f64).sqrt();
        let (p, constant) = if v <= 0.0 || equal(v.sqrt() + m.abs(), m.abs()) {
            if equal(m, 0.0) {
                (1.0, true)
            } else {
                // Every pair moved by the same amount: the t statistic's limit (|t| → ∞), as a
                // nearly constant difference's t-test gives p near 0 (docs/workflows.md §1).
                (0.0, false)
            }
        } else {
            (
                p_two_sided(m / (v / nb as f64).sqrt(), nb as f64 - 1.0),
                false,
            )
        };
        // No spread (floating-point noise of a constant difference included): no standard
        // error, so no precision is stated ([`TTest::exact`]).
        let se = if p == 0.0 || constant { 0.0 } else { se };
        return Some(TTest {
            kind: TestKind::Paired,
            n_base: nb,
            n_current: nc,
            diff: m,
            p_value: p,
            constant,
            se,
            df: if se > 0.0 { nb as f64 - 1.0 } else { 0.0 },
            var_base: 0.0,
            var_current: 0.0,
        });
    }
    let ((mb, vb), (mc, vc)) = (mean_var(base), mean_var(current));
    let (sb, sc) = (vb / nb as f64, vc / nc as f64);
    let diff = mc - mb;
    let df = if sb + sc > 0.0 {
        (sb + sc).powi(2) / (sb * sb / (nb as f64 - 1.0) + sc * sc / (nc as f64 - 1.0))
    } else {
        0.0
    };
    let (p, constant) = if sb + sc <= 0.0 {
        if equal(mb, mc) {
            (1.0, true)
        } else {
            // Neither side varies and they differ: the t statistic's limit, as above.
            (0.0, false)
        }
    } else {
        (p_two_sided(diff / (sb + sc).sqrt(), df), false)
    };
    Some(TTest {
        kind: TestKind::Welch,
        n_base: nb,
        n_current: nc,
        diff,
        p_value: p,
        constant,
        se: (sb + sc).sqrt(),
        df,
        var_base: vb,
        var_current: vc,
    })
}

/// Holm–Bonferroni at family-wise level `alpha`: which of `p_values` are rejected. Sorted
/// ascending, the k-th smallest (0-based) is rejected while p ≤ alpha ÷ (m − k); the first that
/// is not stops the procedure. Ties keep their order.
pub fn holm(p_values: &[f64], alpha: f64) -> Vec<bool> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]).then(a.cmp(&b)));
    let mut out = vec![false; m];
    for (k, &i) in order.iter().enumerate() {
        if p_values[i] <= alpha / (m - k) as f64 {
            out[i] = true;
        } else {
            break;
        }
    }
    out
}

/// Holm-adjusted p-values (Holm 1979; Wright 1992): sorted ascending, the k-th smallest
/// (0-based) becomes max over j ≤ k of min(1, (m − j) · p₍ⱼ₎), in the input's order. A test is
/// rejected by [`holm`] at `alpha` exactly when its adjusted p-value is ≤ `alpha`, so a report
/// can print the figure its verdict follows.
pub fn holm_adjusted(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]).then(a.cmp(&b)));
    let mut out = vec![1.0; m];
    let mut running: f64 = 0.0;
    for (k, &i) in order.iter().enumerate() {
        running = running.max(((m - k) as f64 * p_values[i]).min(1.0));
        out[i] = running;
    }
    out
}

/// Weighted Holm (Holm 1979): hypothesis `i` carries weight `weights[i]` > 0; sorted by
/// `p ÷ w`, each is rejected while p ≤ alpha · w ÷ (the weights not yet rejected); the first that
/// is not stops. The family-wise error rate stays ≤ alpha under any dependence; equal weights
/// give [`holm`].
pub fn holm_weighted(p_values: &[f64], weights: &[f64], alpha: f64) -> Vec<bool> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| {
        (p_values[a] / weights[a])
            .total_cmp(&(p_values[b] / weights[b]))
            .then(a.cmp(&b))
    });
    let mut left: f64 = weights.iter().sum();
    let mut out = vec![false; m];
    for &i in &order {
        if p_values[i] <= alpha * weights[i] / left {
            out[i] = true;
            left -= weights[i];
        } else {
            break;
        }
    }
    out
}

/// The Holm family of a comparison, decided. Members with equal `keys` (the same
/// per-replication series on both sides, such as a one-queue center's `queues.Q.wait_s.mean`
/// and `wait_s.mean`) are one test and share its outcome: testing one series twice adds no
/// evidence, only a smaller share of `alpha` for every test. When some distinct tests are
/// `headline` (a member is) and some are not, the headline tests share half of `alpha` and the
/// others the other half (weighted Holm); otherwise all weigh the same.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    /// Per member: rejected (significant).
    pub rejected: Vec<bool>,
    /// Per member: the two-sided level of its test at Holm's first step (alpha · its weight ÷
    /// all weights): what [`TTest::detectable`] uses.
    pub first_level: Vec<f64>,
    /// Distinct tests.
    pub distinct: usize,
    /// Distinct headline tests.
    pub headline: usize,
}

/// Decides a family (see [`Family`]): `p_values`, `keys` and `headline` per member.
pub fn family<K: Ord>(p_values: &[f64], keys: &[K], headline: &[bool], alpha: f64) -> Family {
    let mut firsts: Vec<usize> = Vec::new();
    let mut slot = vec![0usize; keys.len()];
    let mut by_key: std::collections::BTreeMap<&K, usize> = std::collections::BTreeMap::new();
    for (i, k) in keys.iter().enumerate() {
        slot[i] = *by_key.entry(k).or_insert_with(|| {
            firsts.push(i);
            firsts.len() - 1
        });
    }
    let m = firsts.len();
    let mut top = vec![false; m];
    for (i, &s) in slot.iter().enumerate() {
        top[s] |= headline[i];
    }
    let h = top.iter().filter(|t| **t).count();
    let w: Vec<f64> = top
        .iter()
        .map(|&t| match (h, t) {
            (0, _) => 1.0 / m as f64,
            _ if h == m => 1.0 / m as f64,
            (_, true) => 0.5 / h as f64,
            (_, false) => 0.5 / (m - h) as f64,
        })
        .collect();
    let p: Vec<f64> = firsts.iter().map(|&i| p_values[i]).collect();
    let rejected = holm_weighted(&p, &w, alpha);
    let total: f64 = w.iter().sum();
    Family {
        rejected: slot.iter().map(|&s| rejected[s]).collect(),
        first_level: slot.iter().map(|&s| alpha * w[s] / total).collect(),
        distinct: m,
        headline: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_match_tables() {
        // t = 2.776 with 4 df is the two-sided 5 % point; t = 2.0 with 10 df gives p = 0.0734.
        assert!((p_two_sided(2.776_445, 4.0) - 0.05).abs() < 1e-5);
        assert!((p_two_sided(2.0, 10.0) - 0.073_388).abs() < 1e-5);
        assert!((p_two_sided(-2.0, 10.0) - 0.073_388).abs() < 1e-5);
    }

    #[test]
    fn paired_and_welch_by_hand() {
        // Paired differences 1, 2, 3: mean 2, sd 1, t = 2/(1/√3) = 3.4641, 2 df → p = 0.0742.
        let t = t_test(&[0.0, 0.0, 0.0], &[1.0, 2.0, 3.0], true).unwrap();
        assert_eq!(t.kind, TestKind::Paired);
        assert!((t.diff - 2.0).abs() < 1e-12);
        assert!((t.p_value - 0.074_180).abs() < 1e-4, "{}", t.p_value);
        // Welch: means 2 and 5, variances 1 and 1, n 3 and 3: t = 3/√(2/3) = 3.674, df = 4,
        // p = 0.0213.
        let w = t_test(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], false).unwrap();
        assert_eq!(w.kind, TestKind::Welch);
        assert!((w.p_value - 0.021_311).abs() < 1e-4, "{}", w.p_value);
        // Constant sides.
        let c = t_test(&[1.0, 1.0], &[1.0, 1.0], false).unwrap();
        assert!(c.constant && c.p_value == 1.0);
        // Constant differences: the t-test's limit, p = 0, with no spread to state a
        // precision by.
        let s = t_test(&[0.0, 1.0, 0.0, 2.0], &[1.0, 2.0, 1.0, 3.0], true).unwrap();
        assert_eq!(s.p_value, 0.0);
        assert!(s.exact() && s.detectable(0.05).is_none());
        // Separated constants, 4 and 4: likewise.
        let w = t_test(&[0.0; 4], &[1.0; 4], false).unwrap();
        assert!(w.p_value == 0.0 && w.exact());
        assert!(t_test(&[1.0], &[1.0, 2.0], false).is_none());
    }

    #[test]
    fn holm_steps_down() {
        assert_eq!(
            holm(&[0.01, 0.04, 0.03, 0.005], 0.05),
            vec![true, false, false, true]
        );
        assert_eq!(holm(&[0.001, 0.02, 0.04], 0.05), vec![true, true, true]);
        assert!(holm(&[], 0.05).is_empty());
    }

    /// The adjusted p-values decide as `holm` does (≤ 0.05 exactly where it rejects), and are
    /// monotone in the raw ones.
    #[test]
    fn holm_adjusted_p_values_follow_the_verdict() {
        let p = [0.01, 0.04, 0.03, 0.005, 0.0068, 0.2];
        let adj = holm_adjusted(&p);
        // Sorted: 0.005·6, 0.0068·5, 0.01·4, 0.03·3, 0.04·2, 0.2·1 (running maximum).
        let want = [0.04, 0.09, 0.09, 0.03, 0.034, 0.2];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
        let verdict = holm(&p, 0.05);
        for (a, v) in adj.iter().zip(&verdict) {
            assert_eq!(*a <= 0.05, *v, "{adj:?} {verdict:?}");
        }
        assert_eq!(holm_adjusted(&[0.9, 0.8]), vec![1.0, 1.0]);
        assert!(holm_adjusted(&[]).is_empty());
    }

    /// Duplicates take one place: p = 0.02 with three distinct tests is rejected (0.02 ≤ 0.05/2
    /// after 0.001 ≤ 0.05/3) where plain Holm over four (0.02 > 0.05/3) is not.
    #[test]
    fn family_counts_identical_series_once() {
        let p = [0.001, 0.02, 0.02, 0.5];
        assert_eq!(holm(&p, 0.05), vec![true, false, false, false]);
        let f = family(&p, &["a", "b", "b", "c"], &[false; 4], 0.05);
        assert_eq!(f.rejected, vec![true, true, true, false]);
        assert_eq!((f.distinct, f.headline), (3, 0));
        assert!((f.first_level[1] - 0.05 / 3.0).abs() < 1e-15);
    }

    /// Equal weights are Holm; a headline test among ten gets half the 5 %: p = 0.02 ≤ 0.025 is
    /// rejected at once where Holm over ten asks 0.005; the nine others share 0.025 (0.002 78
    /// each at the first step), so p = 0.004 is then tested at 0.05 · (0.5/9) ÷ 0.5 = 0.005 56
    /// (the headline's weight gone) and rejected, 0.01 at 0.05 · (0.5/9) ÷ (8 · 0.5/9) =
    /// 0.006 25 is not.
    #[test]
    fn weighted_holm_by_hand() {
        let p = [0.01, 0.04, 0.03, 0.005];
        assert_eq!(holm_weighted(&p, &[0.25; 4], 0.05), holm(&p, 0.05));
        let mut p = vec![0.5; 10];
        p[0] = 0.02;
        p[1] = 0.004;
        p[2] = 0.01;
        let mut top = vec![false; 10];
        top[0] = true;
        let keys: Vec<usize> = (0..10).collect();
        let f = family(&p, &keys, &top, 0.05);
        assert_eq!(f.headline, 1);
        assert_eq!(&f.rejected[..4], &[true, true, false, false]);
        assert!((f.first_level[0] - 0.025).abs() < 1e-15);
        assert!((f.first_level[1] - 0.025 / 9.0).abs() < 1e-15);
        assert_eq!(holm(&p, 0.05)[..3], [false, true, false]);
    }

    /// Paired differences 1, 2, 3: se = 1/√3, 2 df. Alone at 5 %: (t(0.975, 2) + t(0.8, 2)) · se
    /// = (4.302_653 + 1.060_660) / √3 = 3.096_51.
    #[test]
    fn detectable_change_by_hand() {
        let t = t_test(&[0.0, 0.0, 0.0], &[1.0, 2.0, 3.0], true).unwrap();
        assert!((t.se - 1.0 / 3f64.sqrt()).abs() < 1e-12 && t.df == 2.0);
        let d = t.detectable(0.05).unwrap();
        assert!((d - 3.096_51).abs() < 1e-4, "{d}");
        // A family of 10 asks for more: t(1 − 0.0025, 2) = 14.089.
        let d10 = t.detectable(0.005).unwrap();
        assert!(
            (d10 - (14.088_87 + 1.060_660) / 3f64.sqrt()).abs() < 1e-3,
            "{d10}"
        );
        let c = t_test(&[1.0, 1.0], &[1.0, 1.0], false).unwrap();
        assert_eq!(c.detectable(0.05), None);
        assert_eq!(c.replications_for(1.0, 0.05), None);
        // Paired sd 1: at n pairs (t(0.975, n−1) + t(0.8, n−1)) / √n ≤ 1 first at n = 11
        // ((2.228 + 0.879) / √11 = 0.937; n = 10: (2.262 + 0.883) / √10 = 0.995 ≤ 1 too;
        // n = 9: (2.306 + 0.889) / 3 = 1.065 > 1): 10.
        assert_eq!(t.replications_for(1.0, 0.05), Some(10));
        // Already precise enough: its own count or fewer.
        assert!(t.replications_for(100.0, 0.05).unwrap() <= 3);
    }
}
