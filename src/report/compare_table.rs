//! Renders a [`Comparison`] as a terminal table, a GitHub Markdown table or JUnit XML.
//!
//! The tables lead with regressions, then the other significant changes (improvements and
//! informational figures such as arrivals or an agent group's conversations); the rest is
//! counted in one line unless `all` is set. JUnit has one test case per metric, a `<failure>`
//! for each regression.

use super::compare::{Comparison, Row};
use super::compare_stats::TestKind;
use super::junit::escape;
use super::table::{self, num, signed};

fn p_cell(r: &Row) -> String {
    match r.test {
        Some(t) if t.p_value < 0.0001 => "<0.0001".into(),
        Some(t) => format!("{:.4}", t.p_value),
        None => "-".into(),
    }
}

fn status(r: &Row) -> String {
    let beyond = r.worse() && r.change_pct().is_none_or(|p| p.abs() > r.tolerance_pct);
    match (r.base, r.current) {
        _ if r.lost_data() => "REGRESSION (no data now)".into(),
        (None, None) if r.base_no_data && r.current_no_data => "no data".into(),
        (None, _) if r.base_no_data => "no data before".into(),
        (_, None) if r.current_no_data => "no data now".into(),
        (None, _) => "new".into(),
        (_, None) => "gone".into(),
        _ if r.regression && r.test.is_none() => {
            format!("REGRESSION (> {}%, untested)", num(r.tolerance_pct))
        }
        _ if r.regression => format!("REGRESSION (> {}%, significant)", num(r.tolerance_pct)),
        _ if beyond => format!("worse > {}%, not significant", num(r.tolerance_pct)),
        _ if r.worse() && r.significant => "worse, significant, within tolerance".into(),
        _ if r.worse() => "worse, within tolerance".into(),
        _ if r.better() && r.significant => "better, significant".into(),
        _ if r.better() => "better".into(),
        _ if r.significant => "changed, significant".into(),
        _ => String::new(),
    }
}

fn cells(r: &Row) -> Vec<String> {
    let opt = |x: Option<f64>, no_data: bool| {
        x.map_or_else(|| if no_data { "—" } else { "-" }.into(), num)
    };
    let name = if r.per_replication {
        format!("{} (per replication)", r.metric)
    } else {
        r.metric.clone()
    };
    vec![
        name,
        opt(r.base, r.base_no_data),
        opt(r.current, r.current_no_data),
        r.change().map_or_else(|| "-".into(), signed),
        r.change_pct().map_or_else(
            || "-".into(),
            |p| format!("{}%", signed((p * 10.0).round() / 10.0)),
        ),
        p_cell(r),
        status(r),
    ]
}

const HEADER: [&str; 7] = [
    "metric", "base", "current", "change", "change %", "p", "status",
];

/// The rows to print, in order (regressions, other significant changes, then the rest when
/// `all`), and how many were left out.
pub fn ordered(c: &Comparison, all: bool) -> (Vec<&Row>, usize) {
    let regressions = c.rows.iter().filter(|r| r.regression);
    let significant = c.rows.iter().filter(|r| !r.regression && r.significant);
    let rest = c.rows.iter().filter(|r| !r.regression && !r.significant);
    let mut out: Vec<&Row> = regressions.chain(significant).collect();
    let left = if all {
        out.extend(rest);
        0
    } else {
        rest.count()
    };
    (out, left)
}

/// How the tests were run, in one line.
pub fn method(c: &Comparison) -> String {
    match c.kind {
        Some(TestKind::Paired) if c.family == 0 => "Paired t-tests on replications with the \
             same seed: no directional metric differs in any pair of replications."
            .into(),
        Some(TestKind::Paired) => format!(
            "Paired t-tests on replications with the same seed; {} directional metrics held \
             to a 5% false-alarm rate together (Holm–Bonferroni).",
            c.family
        ),
        Some(TestKind::Welch) => format!(
            "Welch t-tests across replications (different seeds); {} directional metrics held \
             to a 5% false-alarm rate together (Holm–Bonferroni).",
            c.family
        ),
        None => "No per-replication figures to test: tolerance alone.".into(),
    }
}

fn elided(left: usize) -> String {
    match left {
        0 => String::new(),
        1 => "1 other metric: no regression, no significant change (--all lists it).\n".into(),
        n => {
            format!("{n} other metrics: no regression, no significant change (--all lists them).\n")
        }
    }
}

/// An aligned terminal table, then the elision line, the method and the verdict.
pub fn render_text(c: &Comparison, all: bool) -> String {
    let (rows, left) = ordered(c, all);
    let body: Vec<Vec<String>> = rows.iter().map(|r| cells(r)).collect();
    let table = if body.is_empty() {
        String::new()
    } else {
        format!("{}\n", table::text(&HEADER, &body))
    };
    format!("{table}{}{}\n{}\n", elided(left), method(c), verdict(c))
}

/// A GitHub Markdown table (regressions in bold), the elision line, method and verdict.
pub fn render_markdown(c: &Comparison, all: bool) -> String {
    let (rows, left) = ordered(c, all);
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut cells = cells(r);
            if r.regression {
                cells[0] = format!("**{}**", cells[0]);
                cells[6] = format!("❌ {}", cells[6]);
            }
            cells
        })
        .collect();
    let table = if body.is_empty() {
        String::new()
    } else {
        format!("{}\n", table::markdown(&HEADER, &body))
    };
    format!("{table}{}\n{}\n\n{}\n", elided(left), method(c), verdict(c))
}

/// `No regression.` or `N regressions: a, b`.
pub fn verdict(c: &Comparison) -> String {
    let bad: Vec<&str> = c
        .rows
        .iter()
        .filter(|r| r.regression)
        .map(|r| r.metric.as_str())
        .collect();
    match bad.len() {
        0 => "No regression.".into(),
        1 => format!("1 regression: {}", bad[0]),
        n => format!("{n} regressions: {}", bad.join(", ")),
    }
}

/// JUnit XML: a suite `omnisim.compare.<scenario>` with one test case per metric, a
/// `<failure>` (values, change, p-value) for each regression.
pub fn render_junit(c: &Comparison, scenario: &str) -> String {
    let class = escape(&format!("omnisim.compare.{scenario}"));
    let mut cases = String::new();
    for r in &c.rows {
        let name = escape(&r.metric);
        if r.regression {
            let cell = cells(r);
            let msg = escape(&format!(
                "{}: {} -> {} ({}, {}), p = {}: {}",
                r.metric, cell[1], cell[2], cell[3], cell[4], cell[5], cell[6]
            ));
            cases.push_str(&format!(
                "    <testcase classname=\"{class}\" name=\"{name}\">\n      <failure \
                 message=\"{msg}\" type=\"regression\">{msg}</failure>\n    </testcase>\n"
            ));
        } else {
            cases.push_str(&format!(
                "    <testcase classname=\"{class}\" name=\"{name}\"/>\n"
            ));
        }
    }
    let failures = c.rows.iter().filter(|r| r.regression).count();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"{n}\" \
         failures=\"{failures}\">\n  <testsuite name=\"{class}\" tests=\"{n}\" \
         failures=\"{failures}\">\n{cases}  </testsuite>\n</testsuites>\n",
        n = c.rows.len()
    )
}
