//! A/B runs: base and variant scenarios run replication by replication on the same seed, so
//! replication `i` of both sees the same customers with the same draws (common random numbers);
//! each metric gets its paired difference, 95 % interval, paired t-test p-value and a
//! `significant` flag (Holm–Bonferroni over all the report's tested metrics at 5 %). Besides
//! the center-wide figures, each queue's, each agent group's and each assignment rule's: a
//! rule change moves work between groups, which the center-wide figures cannot show. Written
//! as `ab.json` (`omnisim.ab/1`) and `ab.html` ([`render_html`](super::ab_html::render_html)).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metrics::RepMetrics;
use crate::report;
use crate::report::compare::ALPHA;
use crate::report::compare_stats::{holm, holm_adjusted, t_test};
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
    /// Two-sided paired t-test p-value of the difference, per metric, not adjusted (null when
    /// not tested: fewer than two pairs, or every pair identical).
    #[serde(default)]
    pub p_value: Option<f64>,
    /// `p_value` Holm-adjusted over every tested metric of the report
    /// ([`holm_adjusted`]): `significant` is exactly `p_holm ≤ 0.05` (null when not tested,
    /// as `p_value`).
    #[serde(default)]
    pub p_holm: Option<f64>,
    /// The difference is significant at 5 % after Holm–Bonferroni over every tested metric of
    /// the report (so `ci95`, a per-metric interval not adjusted for the other tests, may
    /// exclude 0 while this is false); null when not tested, as `p_value` (fewer than two
    /// pairs, or every pair identical).
    #[serde(default)]
    pub significant: Option<bool>,
}

impl AbMetric {
    /// Whether the difference was tested and found significant.
    pub fn is_significant(&self) -> bool {
        self.significant == Some(true)
    }
}

/// Per queue (`queues.Q.*`) and per agent group (`agent_groups.G.*`) figures an A/B report
/// covers, after the queue's or group's name.
pub const QUEUE_METRICS: [&str; 4] = ["answered", "abandoned", "wait_s.mean", "service_level"];

/// Per agent group figures.
pub const GROUP_METRICS: [&str; 3] = ["conversations", "busy_s", "occupancy"];

/// The value of each of `metrics` in each replication of `out` (a one-replication summary per
/// replication): `[metric][replication]`; `None` where the metric has no data.
pub fn per_replication(sc: &Scenario, out: &RunOutput, metrics: &[&str]) -> Vec<Vec<Option<f64>>> {
    let rows: Vec<Vec<Option<f64>>> = out
        .reps
        .iter()
        .map(|r| report::rep_values(sc, &mut r.clone(), metrics))
        .collect();
    metrics
        .iter()
        .enumerate()
        .map(|(i, _)| rows.iter().map(|v| v[i]).collect())
        .collect()
}

/// What `ab` keeps of each replication: whether it ran to its end, and its metrics' values.
struct AbRep {
    replication: u32,
    partial: bool,
    values: Vec<Option<f64>>,
}

/// What `ab` keeps of each replication of `sc`, for `metrics`.
fn keeper<'a>(
    sc: &'a Scenario,
    metrics: &'a [&str],
) -> impl Fn(&mut RepMetrics) -> AbRep + Sync + 'a {
    // A replication cut short is never compared (only pairs run to their end are): its
    // summary is not built, so a stop is not followed by seconds of work on a large center.
    move |m| AbRep {
        replication: m.replication,
        partial: m.partial,
        values: if m.partial {
            Vec::new()
        } else {
            report::rep_values(sc, m, metrics)
        },
    }
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
    let names = |f: &dyn Fn(&Scenario) -> Vec<String>| -> std::collections::BTreeSet<String> {
        f(base).into_iter().chain(f(variant)).collect()
    };
    let queues = names(&|sc| sc.queues.iter().map(|q| q.name.clone()).collect());
    let groups = names(&|sc| sc.agent_groups.iter().map(|g| g.name.clone()).collect());
    let scoped: Vec<String> = queues
        .iter()
        .flat_map(|q| QUEUE_METRICS.iter().map(move |m| format!("queues.{q}.{m}")))
        .chain(groups.iter().flat_map(|g| {
            GROUP_METRICS
                .iter()
                .map(move |m| format!("agent_groups.{g}.{m}"))
        }))
        .collect();
    list.extend(scoped.iter().map(String::as_str));
    let opts = RunOptions {
        seed: Some(base.seed),
        replications: Some(replications.unwrap_or(base.replications)),
        check_invariants: false,
        shard: None,
        stop,
        ..RunOptions::default()
    };
    // Each replication keeps only its metrics' values (issue 25: not its histograms).
    let (keep_a, keep_b) = (keeper(base, &list), keeper(variant, &list));
    let (mut a, mut b) = rayon::join(
        || sim::run_keep(base, &opts, &|_, _, _| {}, &keep_a),
        || sim::run_keep(variant, &opts, &|_, _, _| {}, &keep_b),
    );
    let partial = a.partial || b.partial;
    if partial {
        // Pairs only: replication i of both, each run to its end.
        let whole = |o: &RunOutput<AbRep>| -> std::collections::BTreeSet<u32> {
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
    let column = |o: &RunOutput<AbRep>, i: usize| -> Vec<Option<f64>> {
        o.reps.iter().map(|r| r.values[i]).collect()
    };
    let va: Vec<Vec<Option<f64>>> = (0..list.len()).map(|i| column(&a, i)).collect();
    let vb: Vec<Vec<Option<f64>>> = (0..list.len()).map(|i| column(&b, i)).collect();
    let mut metrics: BTreeMap<String, AbMetric> = BTreeMap::new();
    let mut tests: Vec<(String, f64)> = Vec::new();
    for (m, (xa, xb)) in list.iter().zip(va.iter().zip(&vb)) {
        let (pb, pa): (Vec<f64>, Vec<f64>) = xb
            .iter()
            .zip(xa)
            .filter_map(|(y, x)| Some(((*y)?, (*x)?)))
            .unzip();
        let diffs: Vec<f64> = pb.iter().zip(&pa).map(|(y, x)| y - x).collect();
        let ci95 = paired_ci95(&pb, &pa).map(|(d, h)| [d - h, d + h]);
        let test = t_test(&pa, &pb, true);
        if let Some(t) = test.filter(|t| !t.constant) {
            tests.push((m.to_string(), t.p_value));
        }
        let metric = AbMetric {
            base: mean(&present(xa)),
            variant: mean(&present(xb)),
            diff: mean(&diffs),
            ci95,
            pairs: diffs.len() as u32,
            // Every pair identical: nothing varies, so nothing is tested (no p, and no Holm
            // adjustment); not significant.
            p_value: test.filter(|t| !t.constant).map(|t| t.p_value),
            p_holm: None,
            // Untested (fewer than two pairs): neither significant nor not.
            significant: test.filter(|t| !t.constant).map(|_| false),
        };
        metrics.insert(m.to_string(), metric);
    }
    let p: Vec<f64> = tests.iter().map(|(_, p)| *p).collect();
    for (((m, _), sig), adj) in tests.iter().zip(holm(&p, ALPHA)).zip(holm_adjusted(&p)) {
        if let Some(x) = metrics.get_mut(m) {
            x.significant = Some(sig);
            x.p_holm = Some(adj);
        }
    }
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

/// The metrics in reading order: significant ones first (largest relative change first), then
/// the rest by path.
pub fn ordered(r: &AbReport) -> Vec<(&String, &AbMetric)> {
    let rel = |m: &AbMetric| match (m.diff, m.base) {
        (Some(d), Some(b)) if b != 0.0 => (d / b).abs(),
        (Some(d), _) if d != 0.0 => f64::INFINITY,
        _ => 0.0,
    };
    let mut sig: Vec<(&String, &AbMetric)> = r
        .metrics
        .iter()
        .filter(|(_, m)| m.is_significant())
        .collect();
    sig.sort_by(|a, b| rel(b.1).total_cmp(&rel(a.1)).then(a.0.cmp(b.0)));
    sig.extend(r.metrics.iter().filter(|(_, m)| !m.is_significant()));
    sig
}

/// `table::signed`, with enough digits for a small difference: one the table's 4 decimals
/// would show as 0 (0.01388 vs 0.01385) gets 2 significant digits (`+0.000030`).
pub fn fine(x: f64) -> String {
    use crate::report::table::signed;
    if x != 0.0 && x.is_finite() && x.abs() < 0.00005 {
        let places = (1.0 - x.abs().log10().floor()).clamp(5.0, 17.0) as usize;
        let s = format!("{x:.places$}");
        if x > 0.0 {
            format!("+{s}")
        } else {
            s
        }
    } else {
        signed(x)
    }
}

fn row(k: &str, m: &AbMetric) -> Vec<String> {
    use crate::report::table::num;
    let signed = fine;
    let no_data = || crate::report::NO_DATA.to_string();
    let ci = m.ci95.map_or_else(
        || "-".into(),
        |[lo, hi]| format!("[{}, {}]", signed(lo), signed(hi)),
    );
    vec![
        k.to_string(),
        m.base.map_or_else(no_data, num),
        m.variant.map_or_else(no_data, num),
        m.diff.map_or_else(no_data, signed),
        ci,
        p_text(m.p_value, "-"),
        p_text(m.p_holm, "-"),
    ]
}

/// A p-value as the tables show it (`<0.0001`, else 4 decimals), `none` when there is none.
pub fn p_text(p: Option<f64>, none: &str) -> String {
    match p {
        Some(p) if p < 0.0001 => "<0.0001".into(),
        Some(p) => format!("{p:.4}"),
        None => none.into(),
    }
}

/// The table's header: the interval and `p` are per metric; `p (Holm)` is what the verdict
/// follows ([`LEGEND`]).
pub const HEADER: [&str; 7] = [
    "metric",
    "base",
    "variant",
    "diff",
    "95% CI of diff",
    "p",
    "p (Holm)",
];

/// How to read the table's columns together (the terminal's and `ab.html`'s last line): the
/// interval and `p` are one metric's own, the verdict is adjusted for all the tests.
pub const LEGEND: &str = "95% CI and p: each metric on its own, not adjusted for the other \
     tests; p (Holm): adjusted over all the tested metrics, significant when at most 0.05 (a CI \
     excluding 0 with p (Holm) above 0.05 is no significant change).";

/// What `-` in both p columns means, added to [`LEGEND`] when a row of `r` shows it.
pub const UNTESTED_LEGEND: &str = " p and p (Holm) \"-\": not tested (every pair identical, so \
     no difference to test, or fewer than two pairs); such a metric is not in the Holm \
     adjustment.";

/// What a p of 0 means (printed "<0.0001"), added to [`LEGEND`] when a row of `r` has it.
pub const NO_SPREAD_LEGEND: &str = " p 0: the same nonzero difference in every pair, no spread \
     (the t-test's limit, as a nearly constant difference gets a p near 0; docs/verdicts.md).";

/// [`LEGEND`], with [`UNTESTED_LEGEND`] when some metric of `r` was not tested and
/// [`NO_SPREAD_LEGEND`] when some difference had no spread.
pub fn legend(r: &AbReport) -> String {
    let mut out = LEGEND.to_string();
    if r.metrics.values().any(|m| m.p_value.is_none()) {
        out.push_str(UNTESTED_LEGEND);
    }
    if r.metrics.values().any(|m| m.p_value == Some(0.0)) {
        out.push_str(NO_SPREAD_LEGEND);
    }
    out
}

/// The terminal report: what changed significantly first (largest relative change first), then
/// every other metric.
pub fn render_text(r: &AbReport) -> String {
    use crate::report::table::text;
    let all = ordered(r);
    let n_sig = all.iter().filter(|(_, m)| m.is_significant()).count();
    let sig: Vec<Vec<String>> = all.iter().take(n_sig).map(|(k, m)| row(k, m)).collect();
    let rest: Vec<Vec<String>> = all.iter().skip(n_sig).map(|(k, m)| row(k, m)).collect();
    let mut out = format!(
        "A/B: {} (base) vs {} (variant), {} paired replications, seed {}\n\n",
        r.scenario, r.variant, r.replications, r.seed
    );
    if r.metrics.values().all(|m| m.pairs < 2) {
        // Nothing has a p-value: a paired t-test needs at least 2 pairs.
        out.push_str(&format!(
            "Untested: {} paired (a paired t-test needs at least 2); the differences \
             below are not evidence of a change or of none.\n",
            crate::text::plural(u64::from(r.replications), "replication")
        ));
    } else if sig.is_empty() {
        out.push_str("No significant change (paired t-tests, Holm–Bonferroni at 5%).\n");
    } else {
        out.push_str(&format!(
            "Changed significantly ({n_sig}; paired t-tests, Holm–Bonferroni at 5%):\n{}",
            text(&HEADER, &sig)
        ));
    }
    if !rest.is_empty() {
        let title = if sig.is_empty() {
            "Every metric"
        } else {
            "No significant change"
        };
        out.push_str(&format!(
            "\n{title} ({}):\n{}",
            rest.len(),
            text(&HEADER, &rest)
        ));
    }
    if r.metrics.values().any(|m| m.pairs >= 2) {
        out.push_str(&format!("\n{}\n", legend(r)));
    }
    out
}
