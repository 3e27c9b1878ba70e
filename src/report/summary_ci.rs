//! `summary.json`'s `ci95`: the 95% intervals of the pooled mean wait, service level and
//! abandonment rate, each the ratio estimator's interval ([`ratio_ci95`]) from the
//! replications' own figures, so each is centred on the pooled figure it belongs to.

use std::borrow::Cow;

use crate::metrics::SlDefinition;
use crate::scenario::Scenario;
use crate::stats::ratio_ci95;

use super::summary::{Ci95, Summary};
use super::summary_reps::RepSummary;

/// The `ci95` of `summary` (its pooled figures already set) from the replications' `rows`.
/// A replication weighs by its figure's denominator: answered (mean wait), arrived
/// (abandonment rate), the service level definition's (answered + abandoned, answered or
/// arrived; short abandons, which `by_replication` does not list, are not subtracted: they
/// change the weights slightly, never the centre). Null without a pooled figure or with fewer
/// than two replications with data.
pub(super) fn ci95(sc: &Scenario, summary: &Summary, rows: &[Cow<'_, RepSummary>]) -> Ci95 {
    // Each figure is a pooled ratio (Σ numerators ÷ Σ denominators over the replications), so
    // its interval is the ratio estimator's, centred on it (issue 25, a twelfth tester: a
    // Student-t interval of the replications' own ratios is centred on their mean, which
    // weighs a quiet replication like a busy one, and may leave the pooled figure outside).
    // Each replication's figure is weighed by its denominator, read from its counts.
    let per_rep = |point: Option<f64>,
                   f: &dyn Fn(&RepSummary) -> Option<f64>,
                   weight: &dyn Fn(&RepSummary) -> u64,
                   lo: f64,
                   hi: f64| {
        let samples: Vec<(f64, f64)> = rows
            .iter()
            .filter_map(|r| Some((f(r)?, weight(r) as f64)))
            .filter(|s| s.1 > 0.0)
            .collect();
        ci(point, &samples, lo, hi)
    };
    let def = sc.service_level_definition;
    let sl_weight = move |r: &RepSummary| {
        let c = &r.conversations;
        match def {
            SlDefinition::AnsweredAndAbandoned => c.answered + c.abandoned,
            SlDefinition::Answered => c.answered,
            SlDefinition::Offered => c.arrived,
        }
    };
    Ci95 {
        wait_mean_s: per_rep(
            summary.wait_s.mean,
            &|r| r.wait_s.mean,
            &|r| r.conversations.answered,
            0.0,
            f64::INFINITY,
        ),
        service_level: per_rep(
            summary.service_level.fraction,
            &|r| r.service_level.fraction,
            &sl_weight,
            0.0,
            1.0,
        ),
        abandonment_rate: per_rep(
            summary.abandonment_rate,
            &|r| r.abandonment_rate,
            &|r| r.conversations.arrived,
            0.0,
            1.0,
        ),
    }
}

/// The 95% interval of the pooled ratio `point` from the replications that have data,
/// `(their own figure, its denominator)` ([`ratio_ci95`]: centred on `point`), clipped to the
/// figure's possible range (`lo..=hi`): a fraction's interval never leaves [0, 1]. Null
/// without a point or with fewer than two replications with data.
fn ci(point: Option<f64>, samples: &[(f64, f64)], lo: f64, hi: f64) -> Option<[f64; 2]> {
    let point = point?;
    ratio_ci95(point, samples).map(|h| [(point - h).max(lo), (point + h).min(hi)])
}
