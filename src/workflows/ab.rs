//! A/B runs: base and variant scenarios run replication by replication on the same seed, so
//! replication `i` of both sees the same customers with the same draws (common random numbers);
//! each metric gets its paired difference and 95 % interval. Written as `ab.json`
//! (`omnisim.ab/1`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::report::{self, Summary};
use crate::scenario::Scenario;
use crate::sim::{self, RunOptions, RunOutput};
use crate::stats::paired_ci95;

/// The `format` tag of `ab.json`.
pub const FORMAT: &str = "omnisim.ab/1";

/// The metrics an A/B report covers (dotted `summary.json` paths).
pub const METRICS: [&str; 8] = [
    "wait_s.mean",
    "wait_s.p90",
    "service_level.fraction",
    "abandonment_rate",
    "occupancy",
    "overallocation.unit_seconds",
    "rule_violations.total",
    "conversations.abandoned",
];

/// Unified-routing metrics, compared too when either scenario uses unified routing.
pub const ROUTING_METRICS: [&str; 6] = [
    "conversations.overflowed",
    "conversations.transferred",
    "overflow.ended",
    "overflow.callbacks",
    "routing.unmatched",
    "conversations.answered",
];

/// `ab.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AbReport {
    /// Always [`FORMAT`].
    pub format: String,
    /// The base scenario's name.
    pub scenario: String,
    /// The variant scenario's name.
    pub variant: String,
    /// Replications of each.
    pub replications: u32,
    /// The seed both used.
    pub seed: u64,
    /// By metric path.
    pub metrics: BTreeMap<String, AbMetric>,
    /// True when a stop request (SIGINT, SIGTERM) cut the runs short: the comparison then
    /// covers only the replications both sides finished (`replications` counts them). Left
    /// out of `ab.json` when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

/// One metric's paired comparison. A replication where the metric has no data (the mean wait
/// of a replication that answered nobody) leaves the mean of its side and every pair it is in;
/// a figure with no data at all is null.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AbMetric {
    /// Mean over the base's replications with data.
    pub base: Option<f64>,
    /// Mean over the variant's replications with data.
    pub variant: Option<f64>,
    /// Mean of the per-replication differences variant − base, over the replications where
    /// both have data.
    pub diff: Option<f64>,
    /// Paired 95 % interval of the difference (null with fewer than two pairs).
    pub ci95: Option<[f64; 2]>,
    /// Replications where both sides have data (the pairs `diff` and `ci95` use).
    pub pairs: u32,
}

/// The value of each of `metrics` in each replication of `out` (a one-replication summary per
/// replication): `[metric][replication]`; `None` where the metric has no data.
pub fn per_replication(sc: &Scenario, out: &RunOutput, metrics: &[&str]) -> Vec<Vec<Option<f64>>> {
    let summaries: Vec<Summary> = out
        .reps
        .iter()
        .map(|r| {
            let one = RunOutput {
                dashboard: None,
                seed: out.seed,
                replications: 1,
                reps: vec![r.clone()],
                wall_s: 0.0,
                partial: r.partial,
            };
            report::build(sc, &one)
        })
        .collect();
    metrics
        .iter()
        .map(|m| summaries.iter().map(|s| report::lookup(s, m)).collect())
        .collect()
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn present(v: &[Option<f64>]) -> Vec<f64> {
    v.iter().flatten().copied().collect()
}

/// Runs base and variant with the base's seed and `replications` (default: the base's) and
/// compares them.
pub fn run(base: &Scenario, variant: &Scenario, replications: Option<u32>) -> AbReport {
    run_stoppable(base, variant, replications, None)
}

/// As [`run`]; when `stop` is set during the runs (a signal handler), both stop at their next
/// check and the report compares only the replications both finished, marked `partial`.
pub fn run_stoppable(
    base: &Scenario,
    variant: &Scenario,
    replications: Option<u32>,
    stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
) -> AbReport {
    let opts = RunOptions {
        seed: Some(base.seed),
        replications: Some(replications.unwrap_or(base.replications)),
        check_invariants: false,
        shard: None,
        stop,
        ..RunOptions::default()
    };
    let (mut a, mut b) = rayon::join(
        || sim::run(base, &opts, &|_, _, _| {}),
        || sim::run(variant, &opts, &|_, _, _| {}),
    );
    let partial = a.partial || b.partial;
    if partial {
        // Pairs only: replication i of both, each run to its end.
        let whole = |o: &RunOutput| -> std::collections::BTreeSet<u32> {
            o.reps
                .iter()
                .filter(|r| !r.partial)
                .map(|r| r.replication)
                .collect()
        };
        let both: std::collections::BTreeSet<u32> =
            whole(&a).intersection(&whole(&b)).copied().collect();
        a.reps.retain(|r| both.contains(&r.replication));
        b.reps.retain(|r| both.contains(&r.replication));
    }
    let mut list: Vec<&str> = METRICS.to_vec();
    if crate::sim::setup::uses_routing(base) || crate::sim::setup::uses_routing(variant) {
        list.extend(ROUTING_METRICS);
    }
    // RT-RULESET: each assignment rule of either scenario (`routing.by_rule."Q/rule"`).
    let rules: std::collections::BTreeSet<String> = [base, variant]
        .iter()
        .flat_map(|sc| {
            sc.queues.iter().flat_map(|q| {
                q.assignment_rules
                    .iter()
                    .map(move |r| format!("routing.by_rule.{}/{}", q.name, r.name))
            })
        })
        .collect();
    list.extend(rules.iter().map(String::as_str));
    let va = per_replication(base, &a, &list);
    let vb = per_replication(variant, &b, &list);
    let metrics = list
        .iter()
        .zip(va.iter().zip(&vb))
        .map(|(m, (xa, xb))| {
            let (pb, pa): (Vec<f64>, Vec<f64>) = xb
                .iter()
                .zip(xa)
                .filter_map(|(y, x)| Some(((*y)?, (*x)?)))
                .unzip();
            let diffs: Vec<f64> = pb.iter().zip(&pa).map(|(y, x)| y - x).collect();
            let ci95 = paired_ci95(&pb, &pa).map(|(d, h)| [d - h, d + h]);
            let metric = AbMetric {
                base: mean(&present(xa)),
                variant: mean(&present(xb)),
                diff: mean(&diffs),
                ci95,
                pairs: diffs.len() as u32,
            };
            (m.to_string(), metric)
        })
        .collect();
    AbReport {
        format: FORMAT.into(),
        scenario: base.name.clone(),
        variant: variant.name.clone(),
        replications: if partial {
            a.reps.len() as u32
        } else {
            a.replications
        },
        seed: a.seed,
        metrics,
        partial,
    }
}

/// A readable table: metric, base, variant, diff, 95 % interval, and whether the interval
/// excludes 0.
pub fn render_text(r: &AbReport) -> String {
    use crate::report::table::{num, signed, text};
    let rows: Vec<Vec<String>> = r
        .metrics
        .iter()
        .map(|(k, m)| {
            let (ci, sig) = match m.ci95 {
                Some([lo, hi]) => (
                    format!("[{}, {}]", signed(lo), signed(hi)),
                    if lo > 0.0 || hi < 0.0 { "yes" } else { "no" },
                ),
                None => ("-".into(), "-"),
            };
            let no_data = || crate::report::NO_DATA.to_string();
            vec![
                k.clone(),
                m.base.map_or_else(no_data, num),
                m.variant.map_or_else(no_data, num),
                m.diff.map_or_else(no_data, signed),
                ci,
                sig.into(),
            ]
        })
        .collect();
    format!(
        "A/B: {} (base) vs {} (variant), {} paired replications, seed {}\n\n{}",
        r.scenario,
        r.variant,
        r.replications,
        r.seed,
        text(
            &[
                "metric",
                "base",
                "variant",
                "diff",
                "95% CI of diff",
                "significant"
            ],
            &rows
        )
    )
}
