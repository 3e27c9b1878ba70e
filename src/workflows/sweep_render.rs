//! Renders a [`SweepResult`]: `sweep.csv` (one row per point), `sweep.html` (a self-contained
//! SVG line chart of the target metric against the first varied key), `target.json` and a
//! terminal table.

use serde_json::json;

use crate::report::junit::escape;
use crate::report::lookup;
use crate::report::table::{self, num};

use super::sweep::{Method, SweepPoint, SweepResult};
use super::sweep_precision::sparse_count;
pub use super::sweep_precision::{half_width, replications_with_data};
use super::target::Target;

/// The metrics every sweep row carries.
pub const KEY_METRICS: [&str; 10] = [
    "conversations.arrived",
    "conversations.answered",
    "conversations.abandoned",
    "wait_s.mean",
    "wait_s.p90",
    "service_level.fraction",
    "abandonment_rate",
    "occupancy",
    "overallocation.unit_seconds",
    "rule_violations.total",
];

fn metrics(r: &SweepResult) -> Vec<String> {
    let mut m: Vec<String> = KEY_METRICS.iter().map(|s| s.to_string()).collect();
    if let Some(t) = &r.target {
        if !m.contains(&t.metric) {
            m.push(t.metric.clone());
        }
    }
    m
}

/// Why no `by_replication` row of a point records `metric` at all, or `None` when a row does
/// (with data or without) or the point has no rows: then no number of replications gives the
/// target a ± precision, and "run more replications" is no advice. Either the metric is not
/// one the rows list (`customers`, `invitations.rejected`, `conversations.delayed`: the rows
/// hold what `compare` tests, docs/metrics.md "per replication"), or it is an agent group's
/// and the scenario has more agent groups than a row repeats
/// ([`crate::report::summary_reps::MAX_REP_AGENT_GROUPS`]).
pub fn not_recorded(p: &SweepPoint, metric: &str) -> Option<String> {
    let rows = &p.summary.by_replication;
    if rows.is_empty() || sparse_count(metric) {
        return None;
    }
    let keys = crate::text::path::split(metric).ok()?;
    let present = rows
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .any(|v| crate::text::path::resolve(&v, &keys).is_some());
    if present {
        return None;
    }
    Some(match &p.summary.by_replication_left_out {
        Some(lo) if metric.starts_with("agent_groups.") => format!(
            "{metric} is not recorded per replication: the scenario has {} agent groups, more \
             than the {} whose figures a replication's row repeats (docs/metrics.md, \"Agent \
             groups per replication\"), so it has no ± precision at any number of replications",
            lo.agent_groups, lo.limit
        ),
        _ => format!(
            "{metric} is not recorded per replication (the rows hold conversations.arrived, \
             .answered, .abandoned, wait_s, handle_s, service_level.fraction, abandonment_rate, \
             occupancy, overallocation, rule_violations, queues.Q and agent_groups.G: \
             docs/metrics.md, \"per replication\"), so it has no ± precision at any number of \
             replications"
        ),
    })
}

/// A figure and its precision: "0.7941 ±0.0597", or "0.8776 (no margin)" without one (fewer
/// than 2 replications with data: [`no_margin`] says why).
fn with_pm(x: f64, h: Option<f64>) -> String {
    match h {
        Some(h) => format!("{} ±{}", num(x), num(h)),
        None => format!("{} (no margin)", num(x)),
    }
}

/// Why the sweep's decision has no margin, or `None` when it has one: a point it rests on (the
/// answer and the largest failing value below it; without an answer, every point) has fewer
/// than 2 replications with a value of the target's metric, so no 95 % interval, and whether
/// the answer is within the noise cannot be told. "no margin: 1 replication; run
/// --replications ≥ 2" (docs/verdicts.md); `None` without a target or points.
pub fn no_margin(r: &SweepResult) -> Option<String> {
    let t = r.target.as_ref()?;
    let judged: Vec<&SweepPoint> = match &r.answer {
        Some(a) => {
            let below = r
                .points
                .iter()
                .filter(|p| p.values[1..] == a.values[1..] && p.values[0] < a.values[0])
                .max_by(|x, y| x.values[0].total_cmp(&y.values[0]));
            r.points
                .iter()
                .filter(|p| p.values == a.values)
                .chain(below)
                .collect()
        }
        None => r.points.iter().collect(),
    };
    let short = judged
        .into_iter()
        .map(|p| (p, replications_with_data(p, &t.metric)))
        .filter(|(_, n)| *n < 2)
        .min_by_key(|(_, n)| *n)?;
    // No row records the metric: more replications cannot help (issue 25, fifteenth
    // session: "0 replications of 4 with a value of customers …; run more replications").
    if let Some(why) = not_recorded(short.0, &t.metric) {
        return Some(format!("no margin: {why}"));
    }
    let plural = crate::report::format::plural;
    let reps = short.0.summary.replications;
    Some(if reps < 2 {
        format!(
            "no margin: {}; run --replications ≥ 2",
            plural(u64::from(reps), "replication")
        )
    } else {
        let at = r
            .axes
            .iter()
            .zip(&short.0.values)
            .map(|(ax, v)| format!("{}={}", ax.path, ax.show(*v)))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "no margin: {} of {reps} with a value of {} at {at}; run more replications",
            plural(short.1 as u64, "replication"),
            t.metric
        )
    })
}

/// When the answer is within the noise: the answer's 95 % interval, or that of the largest
/// failing point below it (the other axes the same), reaches the target. The sentence says
/// which point and why; `None` when both intervals clear the target (or no target/answer).
pub fn within_noise(r: &SweepResult) -> Option<String> {
    let (t, a) = (r.target.as_ref()?, r.answer.as_ref()?);
    let ax = r.axes.first()?;
    let at = |vals: &[f64]| r.points.iter().find(|p| p.values == vals);
    let reaches = |p: &SweepPoint| {
        let (x, h) = (t.judged(&p.summary)?, half_width(p, &t.metric)?);
        ((x - t.value).abs() <= h).then_some((x, h))
    };
    let below = r
        .points
        .iter()
        .filter(|p| p.values[1..] == a.values[1..] && p.values[0] < a.values[0])
        .max_by(|x, y| x.values[0].total_cmp(&y.values[0]));
    let reps = |p: &SweepPoint| p.summary.by_replication.len() as u64;
    let decide = |p: &SweepPoint| {
        if p.summary.replications >= super::sweep::MAX_REFINED_REPLICATIONS {
            format!("too close to call at {} replications", reps(p))
        } else {
            "more replications decide".to_string()
        }
    };
    let say = |p: &SweepPoint, (x, h): (f64, f64), what: &str| {
        format!(
            "within the noise: at {}={} {} = {} ±{}{} (95%, {}), an interval that reaches the \
             target {}, so {what}; {}",
            ax.path,
            ax.show(p.values[0]),
            t.metric,
            num(x),
            num(h),
            t.unit(),
            crate::report::format::plural(reps(p), "replication"),
            num(t.value),
            decide(p)
        )
    };
    if let Some(p) = below {
        if let Some(xh) = reaches(p) {
            return Some(say(p, xh, "the smallest value may be lower"));
        }
    }
    let p = at(&a.values)?;
    reaches(p).map(|xh| say(p, xh, "the answer may not meet it"))
}

/// The points the target search ran at more replications than the sweep's (their 95 %
/// interval reached the target: [`super::sweep`] doubles them, up to
/// [`super::sweep::MAX_REFINED_REPLICATIONS`]), with their counts, or `None` when none was:
/// "more replications where an interval reached the target: agent_groups.agent.count=5 at 6
/// (the sweep's 3)".
pub fn refined_note(r: &SweepResult) -> Option<String> {
    let base = r.points.iter().map(|p| p.summary.replications).min()?;
    let more: Vec<String> = r
        .points
        .iter()
        .filter(|p| p.summary.replications > base)
        .map(|p| {
            let at = r
                .axes
                .iter()
                .zip(&p.values)
                .map(|(ax, v)| format!("{}={}", ax.path, ax.show(*v)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{at} at {}", p.summary.replications)
        })
        .collect();
    (!more.is_empty()).then(|| {
        format!(
            "more replications where an interval reached the target: {} (the sweep's {base})",
            more.join("; ")
        )
    })
}

/// Without an answer, the point nearest to meeting the target (the largest value of a `>=`
/// target's metric, the smallest of a `<=` one; `None` with an answer, no target, no point
/// with a value, or a partial sweep: an interrupted search decides nothing), with its figure.
pub fn best_point(r: &SweepResult) -> Option<(&SweepPoint, f64)> {
    let t = r.target.as_ref()?;
    // An interrupted search has no verdict: its points may meet the target (a fresh tester's
    // stopped bisection said its best point, 0.9969 ±0.0103 against 0.8, "misses clearly").
    if r.answer.is_some() || r.partial {
        return None;
    }
    let higher = matches!(t.op, super::target::Op::Ge | super::target::Op::Gt);
    r.points
        .iter()
        .filter_map(|p| Some((p, t.judged(&p.summary).filter(|x| x.is_finite())?)))
        .max_by(|a, b| {
            if higher {
                a.1.total_cmp(&b.1)
            } else {
                b.1.total_cmp(&a.1)
            }
        })
}

/// Without an answer, the noise verdict on the [best point](best_point): `Some((true, …))` when
/// its 95 % interval reaches the target (within the noise: more replications may find a value
/// meeting it), `Some((false, …))` when it lies wholly on the wrong side (a clear miss), with
/// the sentence; `None` with an answer or without an interval (fewer than 2 replications with
/// data: [`no_margin`] says so). Before (issue 25, fifteenth session), a sweep with replications
/// and no value meeting its target said nothing of the noise.
pub fn best_verdict(r: &SweepResult) -> Option<(bool, String)> {
    let t = r.target.as_ref()?;
    let (p, x) = best_point(r)?;
    let h = half_width(p, &t.metric)?;
    let at = r
        .axes
        .iter()
        .zip(&p.values)
        .map(|(ax, v)| format!("{}={}", ax.path, ax.show(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let figure = format!(
        "at {at} {} = {} ±{}{} (95%, {})",
        t.metric,
        num(x),
        num(h),
        t.unit(),
        crate::report::format::plural(replications_with_data(p, &t.metric) as u64, "replication")
    );
    let within = (x - t.value).abs() <= h;
    Some(if within {
        (
            true,
            format!(
                "best point within the noise: {figure}, an interval that reaches the target {}, \
                 so a value of the grid may meet it; {}",
                num(t.value),
                if p.summary.replications >= super::sweep::MAX_REFINED_REPLICATIONS {
                    format!(
                        "too close to call at {} replications",
                        p.summary.by_replication.len()
                    )
                } else {
                    "more replications decide".to_string()
                }
            ),
        )
    } else {
        (
            false,
            format!(
                "best point misses clearly: {figure}, an interval wholly on the wrong side of \
                 the target {}",
                num(t.value)
            ),
        )
    })
}

fn value(p: &SweepPoint, m: &str) -> String {
    lookup(&p.summary, m).map_or_else(String::new, |v| v.to_string())
}

/// `sweep.csv`: the varied keys, the key metrics (and the target's), `bisection` (1 for points
/// added by the search), with a target `meets_target`, and for an interrupted sweep a last
/// column `partial` (1 on every row: only the points run to their end are in the file).
pub fn csv(r: &SweepResult) -> Result<String, csv::Error> {
    let ms = metrics(r);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = r.axes.iter().map(|a| a.path.clone()).collect();
    header.extend(ms.iter().cloned());
    header.push("bisection".into());
    if r.target.is_some() {
        header.push("meets_target".into());
        header.push("target_ci95_half".into());
        // What the half-width rests on: under 2, no margin (the half-width is empty).
        header.push("target_replications".into());
        // The figure the target judges: a count's mean per replication, else the metric.
        header.push("target_value".into());
    }
    if r.partial {
        // Interrupted: the file holds only the points run to their end, not the whole grid
        // (or search); a whole sweep's file has no such column.
        header.push("partial".into());
    }
    w.write_record(&header)?;
    for p in &r.points {
        let mut row: Vec<String> = r
            .axes
            .iter()
            .zip(&p.values)
            .map(|(a, v)| a.show(*v))
            .collect();
        row.extend(ms.iter().map(|m| value(p, m)));
        row.push((p.refined as u8).to_string());
        if let Some(t) = &r.target {
            let judged = t.judged(&p.summary);
            row.push((judged.is_some_and(|v| t.meets(v)) as u8).to_string());
            row.push(half_width(p, &t.metric).map_or_else(String::new, |h| h.to_string()));
            row.push(replications_with_data(p, &t.metric).to_string());
            row.push(judged.map_or_else(String::new, |v| v.to_string()));
        }
        if r.partial {
            row.push("1".into());
        }
        w.write_record(&row)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The terminal table's columns after the shown metric (the target's, or the service level).
const TABLE_METRICS: [&str; 3] = ["wait_s.mean", "abandonment_rate", "occupancy"];

/// A terminal table of the points (varied keys, the target metric or service level, mean wait).
pub fn text(r: &SweepResult) -> String {
    let shown = r
        .target
        .as_ref()
        .map_or("service_level.fraction".to_string(), |t| t.metric.clone());
    // The shown metric first, then the default columns it is not (a target on
    // `abandonment_rate`, `wait_s.mean` or `occupancy` is shown once, with its precision).
    let columns: Vec<&str> = std::iter::once(shown.as_str())
        .chain(
            TABLE_METRICS
                .iter()
                .copied()
                .filter(|m| *m != shown.as_str()),
        )
        .collect();
    // A count target's column is its mean per replication, headed so.
    let shown_head = format!("{shown}{}", r.target.as_ref().map_or("", |t| t.unit()));
    let mut header: Vec<&str> = r.axes.iter().map(|a| a.path.as_str()).collect();
    header.push(&shown_head);
    header.extend(columns[1..].iter().copied());
    let rows: Vec<Vec<String>> = r
        .points
        .iter()
        .map(|p| {
            let mut row: Vec<String> = r
                .axes
                .iter()
                .zip(&p.values)
                .map(|(a, v)| a.show(*v))
                .collect();
            for &m in &columns {
                let x = match &r.target {
                    Some(t) if m == shown => t.judged(&p.summary),
                    _ => lookup(&p.summary, m),
                };
                row.push(match x {
                    // The shown metric with its 95 % half-width (the precision).
                    Some(x) if m == shown => with_pm(x, half_width(p, m)),
                    Some(x) => num(x),
                    None => "-".into(),
                });
            }
            if p.refined {
                row[0].push_str(" (bisection)");
            }
            row
        })
        .collect();
    let mut out = table::text(&header, &rows);
    out.push('\n');
    out.push_str(&answer_line(r));
    out.push('\n');
    out
}

/// The answer in words (empty without a target).
pub fn answer_line(r: &SweepResult) -> String {
    if let (true, Some((lo, hi)), Some(t), Some(ax)) =
        (r.partial, r.search_cut, &r.target, r.axes.first())
    {
        return format!(
            "{} during the target search: the grid and {} finished; \
             the smallest value meeting {t} lies above {}={} and at most {}",
            if r.refused.is_some() {
                "stopped (partial: an input file changed)"
            } else {
                "interrupted (partial)"
            },
            crate::report::format::plural(
                r.points.iter().filter(|p| p.refined).count() as u64,
                "bisection step"
            ),
            ax.path,
            ax.show(lo),
            ax.show(hi)
        );
    }
    if r.partial {
        return format!(
            "{} (partial): {} of the grid finished; no target search was made",
            if r.refused.is_some() {
                "stopped: an input file changed"
            } else {
                "interrupted"
            },
            crate::report::format::plural(r.points.len() as u64, "point")
        );
    }
    let Some(t) = &r.target else {
        return String::new();
    };
    // The precision the decision rests on: within the noise, or no margin at all; without an
    // answer, the best point's verdict.
    let noise: String = [
        within_noise(r),
        best_verdict(r).map(|b| b.1),
        no_margin(r),
        refined_note(r),
    ]
    .into_iter()
    .flatten()
    .map(|n| format!("; {n}"))
    .collect();
    let at = |a: &super::sweep::Answer| {
        r.points
            .iter()
            .find(|p| p.values == a.values)
            .and_then(|p| half_width(p, &t.metric))
    };
    match &r.answer {
        Some(a) => format!(
            "smallest value meeting {t}{}: {} ({} = {}; {}){noise}",
            t.unit(),
            r.axes
                .iter()
                .zip(&a.values)
                .map(|(ax, v)| format!("{}={}", ax.path, ax.show(*v)))
                .collect::<Vec<_>>()
                .join(", "),
            t.metric,
            match at(a) {
                Some(h) => format!("{} ±{}{} (95%)", num(a.metric_value), num(h), t.unit()),
                None => format!("{}{}", num(a.metric_value), t.unit()),
            },
            match a.method {
                Method::Bisection => "found by bisection",
                Method::GridScan => "found on the grid",
            }
        ),
        None => format!("no value in the sweep meets {t}{}{noise}", t.unit()),
    }
}

/// `target.json`: the target, whether it was met, and where, with the precision: the answer's
/// 95 % half-width (`metric_ci95_half`), `within_noise` (a sentence, or null when the
/// intervals clear the target), and without an interval `no_margin` (why) in place of a null
/// `within_noise`.
pub fn target_json(r: &SweepResult) -> serde_json::Value {
    let values = |vals: &[f64]| -> serde_json::Map<String, serde_json::Value> {
        r.axes
            .iter()
            .zip(vals)
            .map(|(a, v)| {
                let v = match &a.labels {
                    Some(_) => json!(a.show(*v)),
                    None => json!(v),
                };
                (a.path.clone(), v)
            })
            .collect()
    };
    let base = r.points.iter().map(|p| p.summary.replications).min();
    let refined: Vec<serde_json::Value> = r
        .points
        .iter()
        .filter(|p| base < Some(p.summary.replications))
        .map(|p| json!({ "values": values(&p.values), "replications": p.summary.replications }))
        .collect();
    let mut j = json!({
        "format": "omnisim.sweep-target/1",
        "target": r.target.as_ref().map(|t| t.to_string()),
        // A count's target judges its mean per replication: `metric_value`, its half-width
        // and `best`'s figures are then per replication (not totals over the replications).
        "per_replication": r.target.as_ref().map(Target::per_replication),
        "met": r.answer.is_some(),
        "values": r.answer.as_ref().map(|a| values(&a.values)),
        "metric_value": r.answer.as_ref().map(|a| a.metric_value),
        // The 95 % half-width of metric_value over its replications, and whether the answer
        // is within the noise (`within_noise`: a sentence, or null).
        "metric_ci95_half": r.answer.as_ref().and_then(|a| {
            let t = r.target.as_ref()?;
            half_width(r.points.iter().find(|p| p.values == a.values)?, &t.metric)
        }),
        // Without an answer: the best point's sentence when its interval reaches the target,
        // null when it misses clearly (`best` has the figures and the verdict).
        "within_noise": within_noise(r).or_else(|| best_verdict(r).filter(|b| b.0).map(|b| b.1)),
        "best": best_point(r).map(|(p, x)| {
            let t = r.target.as_ref();
            let b = best_verdict(r);
            json!({
                "values": values(&p.values),
                "metric_value": x,
                "metric_ci95_half": t.and_then(|t| half_width(p, &t.metric)),
                "replications": t.map(|t| replications_with_data(p, &t.metric)),
                "verdict": match &b {
                    Some((true, _)) => json!("within_noise"),
                    Some((false, _)) => json!("misses_clearly"),
                    None => json!(null),
                },
                "sentence": b.map(|b| b.1),
            })
        }),
        // Why there is no interval to judge the noise by (fewer than 2 replications with
        // data): `within_noise` is then left out, neither a sentence nor null.
        "no_margin": no_margin(r),
        // The points run at more replications than the sweep's because their interval reached
        // the target (each with its count; empty when none was).
        "refined": refined,
        "method": r.answer.as_ref().map(|a| match a.method {
            Method::Bisection => "bisection",
            Method::GridScan => "grid",
        }),
    });
    if let Some(o) = j.as_object_mut() {
        if o["best"].is_null() {
            o.remove("best");
        }
        if o["no_margin"].is_null() {
            o.remove("no_margin");
        } else if o["within_noise"].is_null() {
            // No interval: not "clear of the target" (null), but unknown.
            o.remove("within_noise");
        }
    }
    if r.partial {
        // Interrupted: only some grid points ran and no search was made, or the bisection was
        // cut between a failing and a passing value.
        j["partial"] = json!(true);
        if let Some((lo, hi)) = r.search_cut {
            j["search_cut"] = json!({ "last_failing": lo, "first_passing": hi });
        }
        if let Some(why) = &r.refused {
            // Cut by an input file that changed, not by a signal.
            j["refused"] = json!(why);
        }
    }
    j
}

const COLORS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
];

/// `sweep.html`: one SVG chart, the shown metric against the first axis, one line per
/// combination of the other axes, the target as a dashed line. No scripts or network assets.
pub fn html(r: &SweepResult, scenario: &str) -> String {
    let shown = r
        .target
        .as_ref()
        .map_or("service_level.fraction".to_string(), |t| t.metric.clone());
    // Series keyed by the other axes' values.
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for p in &r.points {
        let y = match &r.target {
            Some(t) => t.judged(&p.summary),
            None => lookup(&p.summary, &shown),
        };
        let Some(y) = y else {
            continue;
        };
        let key = r.axes[1..]
            .iter()
            .zip(&p.values[1..])
            .map(|(a, v)| format!("{}={}", a.path, a.show(*v)))
            .collect::<Vec<_>>()
            .join(", ");
        match series.iter_mut().find(|(k, _)| *k == key) {
            Some((_, pts)) => pts.push((p.values[0], y)),
            None => series.push((key, vec![(p.values[0], y)])),
        }
    }
    let all = series.iter().flat_map(|(_, p)| p.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if let Some(t) = &r.target {
        y0 = y0.min(t.value);
        y1 = y1.max(t.value);
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if x1 == x0 {
        x1 = x0 + 1.0;
    }
    if y1 == y0 {
        y1 = y0 + 1.0;
    }
    let (w, h, l, b, top, right) = (720.0, 420.0, 70.0, 50.0, 20.0, 20.0);
    let sx = |x: f64| l + (x - x0) / (x1 - x0) * (w - l - right);
    let sy = |y: f64| h - b - (y - y0) / (y1 - y0) * (h - b - top);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n\
         <line x1=\"{l}\" y1=\"{yb}\" x2=\"{xr}\" y2=\"{yb}\" stroke=\"black\"/>\n\
         <line x1=\"{l}\" y1=\"{top}\" x2=\"{l}\" y2=\"{yb}\" stroke=\"black\"/>\n",
        yb = h - b,
        xr = w - right
    );
    let x_axis = &r.axes[0];
    for i in 0..=4 {
        let (xv, yv) = (
            x0 + (x1 - x0) * i as f64 / 4.0,
            y0 + (y1 - y0) * i as f64 / 4.0,
        );
        if x_axis.labels.is_none() {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
                sx(xv),
                h - b + 18.0,
                num((xv * 100.0).round() / 100.0),
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            l - 6.0,
            sy(yv) + 4.0,
            num((yv * 1000.0).round() / 1000.0)
        ));
    }
    // A labelled axis: one tick per value, at its position.
    for &xv in x_axis
        .labels
        .as_ref()
        .map_or(&[][..], |_| &x_axis.values[..])
    {
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            sx(xv),
            h - b + 18.0,
            escape(&x_axis.show(xv)),
        ));
    }
    svg.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n\
         <text x=\"14\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {:.1})\">{}</text>\n",
        (l + w - right) / 2.0,
        h - 10.0,
        escape(&r.axes[0].path),
        (top + h - b) / 2.0,
        (top + h - b) / 2.0,
        escape(&format!("{shown}{}", r.target.as_ref().map_or("", |t| t.unit())))
    ));
    if let Some(t) = &r.target {
        svg.push_str(&format!(
            "<line x1=\"{l}\" y1=\"{y:.1}\" x2=\"{xr}\" y2=\"{y:.1}\" stroke=\"gray\" \
             stroke-dasharray=\"6 4\"/>\n<text x=\"{xr}\" y=\"{yt:.1}\" text-anchor=\"end\" \
             fill=\"gray\">target {}</text>\n",
            escape(&t.to_string()),
            y = sy(t.value),
            yt = sy(t.value) - 4.0,
            xr = w - right
        ));
    }
    for (i, (key, pts)) in series.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        let path: Vec<String> = pts
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
            .collect();
        svg.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{c}\" stroke-width=\"2\" points=\"{}\"/>\n",
            path.join(" ")
        ));
        for &(x, y) in pts {
            svg.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{c}\"><title>{} = {}</title></circle>\n",
                sx(x),
                sy(y),
                escape(&x_axis.show(x)),
                num(y)
            ));
        }
        if !key.is_empty() {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{c}\">{}</text>\n",
                l + 10.0,
                top + 14.0 * (i + 1) as f64,
                escape(key)
            ));
        }
    }
    svg.push_str("</svg>");
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>omnisim sweep: {name}</title>\
         </head>\n<body style=\"font-family:sans-serif\">\n<h1>Sweep of {name}</h1>\n{svg}\n\
         <p>{answer}</p>\n</body></html>\n",
        name = escape(scenario),
        answer = escape(&answer_line(r))
    )
}
