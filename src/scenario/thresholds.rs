//! The `[[thresholds]]` section: checks on `summary.json` paths after a run.

use super::diag::Ctx;
use super::metric_paths::{is_known_metric, suggest, MetricScope};
use super::sections::{section, Names};
use super::spanned::{number, string, table, Table, Val};
use super::types::{Queue, Supervisor, Threshold};

/// `[[thresholds]]`. `queues` (when `[[queues]]` had no errors) gives the rule names and
/// overflow rules that `routing.by_rule` and `overflow.by_queue` paths name; `sups` (when
/// `[[supervisors]]` had none) the policies and script lines `policies.<S/P>` paths name.
pub(crate) fn thresholds(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    names: &Names,
    queues: Option<&[Queue]>,
    sups: Option<&[Supervisor]>,
) -> Option<Vec<Threshold>> {
    let mut scope = match queues {
        Some(qs) => MetricScope::of(qs),
        None => {
            let names: Vec<&str> = names.queues.iter().map(|q| q.name.as_str()).collect();
            MetricScope::names_only(&names)
        }
    };
    // Agent groups by name; roster agents (also groups) are read later, so a scenario with a
    // `[traffic]` table accepts any group name here.
    scope.groups = names.groups.iter().map(|g| g.name.clone()).collect();
    scope.groups_complete = root.get("traffic").is_none();
    if let Some(sups) = sups {
        scope.policies = super::metric_paths::policy_names(sups);
        scope.policies_complete = true;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (path, v) in section(cx, root, "thresholds") {
        match threshold(cx, &path, v, &scope) {
            Some(t) => out.push(t),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn threshold(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, scope: &MetricScope) -> Option<Threshold> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["metric", "min", "max"]);
    let metric = t.req(
        cx,
        "metric",
        "a summary.json path such as \"wait_s.p90\"",
        |cx, p, v| {
            let m = string(cx, p, v)?;
            if is_known_metric(&m, scope) {
                return Some(m);
            }
            let hint = suggest(&m, scope)
                .or_else(|| Some("see summary.json in the docs for the paths".into()));
            cx.report(
                p,
                Some(v.span()),
                format!("unknown metric path {m:?}"),
                hint,
            );
            None
        },
    );
    let min = t.opt(cx, "min", number);
    let max = t.opt(cx, "max", number);
    let (min, max) = (min?, max?);
    if min.is_none() && max.is_none() {
        cx.report(
            path,
            t.span.clone(),
            "a threshold needs `min`, `max` or both",
            None,
        );
        return None;
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            cx.error(
                path,
                v.span(),
                format!("min ({lo}) is greater than max ({hi}): nothing can pass"),
            );
            return None;
        }
    }
    Some(Threshold {
        metric: metric?,
        min,
        max,
    })
}
