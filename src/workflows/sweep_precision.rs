//! The precision of a sweep point's target metric: its figures per replication
//! (`by_replication`), the Student-t 95 % half-width they give, and whether that interval
//! decides the target ([`Reading`]). The target search refines an undecided point by doubling
//! its replications ([`super::sweep`]); the renderer states the precision reached
//! ([`super::sweep_render`]).

use super::sweep::SweepPoint;
use super::target::Target;

/// Whether `metric` lies in a count map whose `by_replication` rows list only non-zero
/// entries (`rule_violations.by_rule`, `routing.by_rule`, a policy's `refused` and `by_rule`),
/// so that a replication without it counted 0 there (docs/metrics.md, "per replication").
pub(super) fn sparse_count(metric: &str) -> bool {
    metric.starts_with("rule_violations.by_rule.")
        || metric.starts_with("routing.by_rule.")
        || (metric.starts_with("policies.")
            && (metric.ends_with(".refused") || metric.contains(".by_rule.")))
}

/// The figures of `metric` at a point, one per replication with data (`by_replication`): a
/// count of a sparse map ([`sparse_count`]) absent from a row is 0 there.
fn figures(p: &SweepPoint, metric: &str) -> Vec<f64> {
    let sparse = sparse_count(metric);
    p.summary
        .by_replication
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .filter_map(|v| match crate::report::lookup_value(&v, metric) {
            None if sparse => Some(0.0),
            x => x,
        })
        .collect()
}

/// Replications of a point with a value of `metric`: what its half-width rests on
/// (`sweep.csv`'s `target_replications`; fewer than 2 is no margin).
pub fn replications_with_data(p: &SweepPoint, metric: &str) -> usize {
    figures(p, metric).len()
}

/// The 95 % half-width of `metric` at a point: Student t over its replications' figures
/// (`by_replication`), t(0.975, n − 1) · sd ÷ √n, in the metric's unit; `None` with fewer
/// than 2 replications with data. The precision a sweep's answer rests on.
pub fn half_width(p: &SweepPoint, metric: &str) -> Option<f64> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let xs = figures(p, metric);
    let n = xs.len();
    if n < 2 {
        return None;
    }
    let m = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .ok()?
        .inverse_cdf(0.975);
    Some(t * (var / n as f64).sqrt())
}

/// What a point's 95 % interval says of the target (docs/verdicts.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// The estimate meets the target and the interval lies wholly on its side.
    Meets,
    /// The estimate misses and the interval lies wholly on the wrong side.
    Misses,
    /// The interval reaches the target: more replications decide.
    Undecided,
    /// No interval (fewer than 2 replications with data, or no figure): the estimate alone
    /// decides, and the sweep says it has no margin.
    NoMargin,
}

/// Reads `p` against `t`: [`Reading::Undecided`] when the 95 % half-width of the judged
/// figure ([`Target::judged`], per replication for a count) is at least its distance to the
/// target, as [`super::sweep_render::within_noise`] says it.
pub fn read(t: &Target, p: &SweepPoint) -> Reading {
    let Some(x) = t.judged(&p.summary).filter(|x| x.is_finite()) else {
        return Reading::NoMargin;
    };
    match half_width(p, &t.metric) {
        None => Reading::NoMargin,
        Some(h) if (x - t.value).abs() <= h => Reading::Undecided,
        Some(_) if t.meets(x) => Reading::Meets,
        Some(_) => Reading::Misses,
    }
}
