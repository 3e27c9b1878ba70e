//! Renders a [`Comparison`] as a terminal table, a GitHub Markdown table or JUnit XML.
//!
//! The tables lead with regressions, then the other significant changes (improvements and
//! informational figures such as arrivals or an agent group's conversations); the rest is
//! counted in one line unless `all` is set. Each tested row gives its precision (`detectable`:
//! the smallest change its test catches 4 times in 5), and a [`precision`] line sums it up for
//! the headline metrics with the replications a side that would catch their tolerance. JUnit has one test case per metric, a `<failure>`
//! for each regression.

use super::compare::{Comparison, Row, HEADLINE};
use super::compare_stats::TestKind;
use super::junit::escape;
use super::table::{self, num, signed};

/// The p-value cell: "-" for a metric not tested, identical in every pair or on both sides
/// (docs/verdicts.md "Nothing differs": it stays out of the Holm family, so its p = 1 would
/// read as a test that was run; a twenty-third tester's find).
fn p_cell(r: &Row) -> String {
    match r.test {
        Some(t) if t.constant => "-".into(),
        Some(t) if t.p_value < 0.0001 => "<0.0001".into(),
        Some(t) => format!("{:.4}", t.p_value),
        None => "-".into(),
    }
}

fn status(r: &Row) -> String {
    let beyond = r.worse() && r.change_pct().is_none_or(|p| p.abs() > r.tolerance_pct);
    match (r.base, r.current) {
        _ if r.not_comparable => format!("not comparable ({})", r.not_comparable_why),
        _ if r.not_tested => "not tested (no per-replication figures)".into(),
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
        _ if r.rare => format!("worse > {}%, too rare to test", num(r.tolerance_pct)),
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
        detectable_cell(r),
        status(r),
    ]
}

fn detectable_cell(r: &Row) -> String {
    match (r.detectable_pct(), r.detectable) {
        _ if r.test.is_some_and(|t| t.exact()) => "no spread".into(),
        (Some(p), _) => format!("±{}%", pct1(p)),
        (None, Some(d)) => format!("±{}", small(d)),
        (None, None) => "-".into(),
    }
}

/// A positive figure with 2 significant digits when the table's 4 decimals would print it
/// as 0 (a detectable change of 0.0000052 is not "±0").
fn small(x: f64) -> String {
    if x > 0.0 && x < 0.00005 {
        let places = (1.0 - x.log10().floor()).clamp(5.0, 17.0) as usize;
        format!("{x:.places$}")
    } else {
        num(x)
    }
}

/// A percentage to one decimal under 10, whole above (precision, not a measurement); 2
/// significant digits under 0.05 (never "0").
fn pct1(p: f64) -> String {
    if p > 0.0 && p < 0.05 {
        let places = (1.0 - p.log10().floor()).clamp(2.0, 17.0) as usize;
        format!("{p:.places$}")
    } else if p < 10.0 {
        num((p * 10.0).round() / 10.0)
    } else {
        num(p.round())
    }
}

const HEADER: [&str; 8] = [
    "metric",
    "base",
    "current",
    "change",
    "change %",
    "p",
    "detectable",
    "status",
];

/// The precision in one or two sentences: for each headline metric tested, the smallest change
/// (in % of the baseline) the comparison catches 4 times in 5, then, for those whose tolerance
/// is finer than that, the replications a side that would catch a change of their tolerance
/// ([`TTest::replications_for`](super::compare_stats::TTest::replications_for)), and a
/// "No precision for …" line naming every metric, headline or not, changed by the same amount
/// in every pair (no spread). Empty when nothing was tested.
pub fn precision(c: &Comparison) -> String {
    let n = c.replications;
    let tested: Vec<(&Row, f64)> = HEADLINE
        .iter()
        .filter_map(|m| c.rows.iter().find(|r| r.metric == *m))
        .filter_map(|r| Some((r, r.detectable_pct()?)))
        .collect();
    // A metric changed by the same amount in every pair has no spread to state a precision
    // by: every one is named (docs/verdicts.md), the headline metrics first, then the others
    // by path (a count moved by +2 in every pair is no headline metric, and its row's
    // "no spread" needs the line as much).
    let exact_rows = c.rows.iter().filter(|r| r.test.is_some_and(|t| t.exact()));
    let (mut exact, others): (Vec<&str>, Vec<&str>) = exact_rows
        .map(|r| r.metric.as_str())
        .partition(|m| HEADLINE.contains(m));
    exact.sort_by_key(|m| HEADLINE.iter().position(|h| h == m));
    exact.extend(others);
    let exact_line = match exact.len() {
        0 => String::new(),
        _ => format!(
            "No precision for {}: the same change in every pair (no spread; p 0, the t-test's \
             limit).\n",
            exact.join(", ")
        ),
    };
    if tested.is_empty() || n == 0 {
        return exact_line;
    }
    // The replications each figure rests on: its test's two sides (pairs when paired; Welch's
    // standard error combines both sides' counts), said once when every figure shares them.
    let sides = |r: &Row| r.test.map(|t| (t.n_base, t.n_current));
    let shared = sides(tested[0].0).filter(|s| tested.iter().all(|(r, _)| sides(r) == Some(*s)));
    let list: Vec<String> = tested
        .iter()
        .map(|(r, d)| match (shared, sides(r)) {
            (None, Some((b, c))) => format!("{} ±{}% ({})", r.metric, pct1(*d), counts(b, c)),
            _ => format!("{} ±{}%", r.metric, pct1(*d)),
        })
        .collect();
    let at = match shared {
        Some((b, c)) if b == c => format!("{b} replications a side"),
        Some((b, c)) => format!("{b} replications of the baseline and {c} of the current run"),
        None => "the replications each names (baseline and current)".to_string(),
    };
    let mut out = format!(
        "Precision at {at} (the smallest change caught 4 times in 5): {}.",
        list.join(", ")
    );
    let need: Vec<String> = tested
        .iter()
        .filter(|(r, d)| *d > r.tolerance_pct)
        .filter_map(|(r, _)| {
            let change = r.tolerance_pct / 100.0 * r.base?.abs();
            let k = r.test?.replications_for(change, r.level)?;
            Some(format!("{} ({}%) {k}", r.metric, num(r.tolerance_pct)))
        })
        .collect();
    if !need.is_empty() {
        out.push_str(&format!(
            " Replications a side needed to catch a change of the tolerance: {}.",
            need.join(", ")
        ));
    }
    out.push('\n');
    out.push_str(&exact_line);
    out
}

/// "4 a side" or "2 and 10": the replications (pairs when paired) of a test's two sides.
fn counts(b: usize, c: usize) -> String {
    match b == c {
        true => format!("{b} a side"),
        false => format!("{b} and {c}"),
    }
}

/// The rows to print, in order (regressions, other significant changes, then the rest when
/// `all`), and how many were left out that passed (a row not tested, [`Row::not_tested`], is
/// counted by [`not_tested_line`] instead).
pub fn ordered(c: &Comparison, all: bool) -> (Vec<&Row>, usize) {
    let regressions = c.rows.iter().filter(|r| r.regression);
    let significant = c.rows.iter().filter(|r| !r.regression && r.significant);
    let rest = c
        .rows
        .iter()
        .filter(|r| !r.regression && !r.significant && (all || !r.not_tested));
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
            "Paired t-tests on replications with the same seed; {} (Holm–Bonferroni).",
            family(c)
        ),
        Some(TestKind::Welch) if c.history => format!(
            "Welch t-tests across replications against a history (no seed); {} \
             (Holm–Bonferroni).",
            family(c)
        ),
        Some(TestKind::Welch) => format!(
            "Welch t-tests across replications (different seeds); {} (Holm–Bonferroni).",
            family(c)
        ),
        None => "No per-replication figures to test: tolerance alone.".into(),
    }
}

/// "12 directional metrics", with "(9 distinct series)" when some share their per-replication
/// series and count once, and "; the 3 headline ones share half of it" when the headline
/// metrics have their own half of the budget.
fn family(c: &Comparison) -> String {
    let mut out = if c.distinct < c.family {
        format!(
            "{} directional metrics ({} distinct series)",
            c.family, c.distinct
        )
    } else {
        format!("{} directional metrics", c.family)
    };
    if c.headline > 0 && c.headline < c.distinct {
        out.push_str(&format!(
            " held to a 5% false-alarm rate together, the {} headline ones with half of it",
            c.headline
        ));
    } else {
        out.push_str(" held to a 5% false-alarm rate together");
    }
    out
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

/// How many metrics were not tested and why ([`Comparison::not_tested`]), one line, or empty:
/// they are neither passed nor failed, and every output says so.
pub fn not_tested_line(c: &Comparison) -> String {
    match &c.not_tested {
        Some(why) => format!("Not tested: {why}.\n"),
        None => String::new(),
    }
}

/// An aligned terminal table, then the elision line, the metrics not tested, the method and
/// the verdict.
pub fn render_text(c: &Comparison, all: bool) -> String {
    let (rows, left) = ordered(c, all);
    let body: Vec<Vec<String>> = rows.iter().map(|r| cells(r)).collect();
    let table = if body.is_empty() {
        String::new()
    } else {
        format!("{}\n", table::text(&HEADER, &body))
    };
    format!(
        "{table}{}{}{}\n{}{}{}\n",
        elided(left),
        not_tested_line(c),
        method(c),
        precision(c),
        partial_lines(c),
        verdict(c)
    )
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
                cells[7] = format!("❌ {}", cells[7]);
            }
            cells
        })
        .collect();
    let table = if body.is_empty() {
        String::new()
    } else {
        format!("{}\n", table::markdown(&HEADER, &body))
    };
    let precision = match precision(c) {
        p if p.is_empty() => String::new(),
        p => format!("\n{p}"),
    };
    let partial = match partial_lines(c) {
        p if p.is_empty() => String::new(),
        p => format!("\n{}", p.replace('\n', "\n\n").trim_end_matches('\n')),
    };
    let not_tested = match not_tested_line(c) {
        n if n.is_empty() => String::new(),
        n => format!("\n{}", n.trim_end_matches('\n')),
    };
    format!(
        "{table}{}{not_tested}\n{}\n{precision}{partial}\n{}\n",
        elided(left),
        method(c),
        verdict(c)
    )
}

/// The partial sides ([`Comparison::partial`]), one line each, or empty: a verdict on partial
/// data says so in every output.
pub fn partial_lines(c: &Comparison) -> String {
    c.partial
        .iter()
        .map(|p| format!("Partial: {p}.\n"))
        .collect()
}

/// `No regression.` or `N regressions: a, b`; with metrics not tested ([`Row::not_tested`]),
/// how many, apart from those that passed.
pub fn verdict(c: &Comparison) -> String {
    let bad: Vec<&str> = c
        .rows
        .iter()
        .filter(|r| r.regression)
        .map(|r| r.metric.as_str())
        .collect();
    let untested = c.rows.iter().filter(|r| r.not_tested).count();
    let tested = match untested {
        0 => String::new(),
        n => format!(
            "; {} not tested (neither passed nor failed; the exit code counts regressions \
             only)",
            crate::text::plural(n as u64, "metric")
        ),
    };
    match (bad.len(), untested) {
        (0, 0) => "No regression.".into(),
        (0, _) => format!("No regression{tested}."),
        (1, _) => format!("1 regression: {}{tested}", bad[0]),
        (n, _) => format!("{n} regressions: {}{tested}", bad.join(", ")),
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
                r.metric, cell[1], cell[2], cell[3], cell[4], cell[5], cell[7]
            ));
            cases.push_str(&format!(
                "    <testcase classname=\"{class}\" name=\"{name}\">\n      <failure \
                 message=\"{msg}\" type=\"regression\">{msg}</failure>\n    </testcase>\n"
            ));
        } else if r.not_tested {
            // Not tested: skipped (neither passed nor failed), with the reason.
            let why = escape(c.not_tested.as_deref().unwrap_or("not tested"));
            cases.push_str(&format!(
                "    <testcase classname=\"{class}\" name=\"{name}\">\n      <skipped \
                 message=\"not tested: {why}\"/>\n    </testcase>\n"
            ));
        } else if r.not_comparable {
            // Not comparable with a history: skipped (neither passed nor failed), saying why.
            let why = escape(r.not_comparable_why);
            cases.push_str(&format!(
                "    <testcase classname=\"{class}\" name=\"{name}\">\n      <skipped \
                 message=\"not comparable ({why})\"/>\n    </testcase>\n"
            ));
        } else {
            cases.push_str(&format!(
                "    <testcase classname=\"{class}\" name=\"{name}\"/>\n"
            ));
        }
    }
    let failures = c.rows.iter().filter(|r| r.regression).count();
    let mut skipped = c
        .rows
        .iter()
        .filter(|r| r.not_tested || r.not_comparable)
        .count();
    let mut props = String::new();
    if let Some(why) = &c.not_tested {
        props.push_str(&format!(
            "      <property name=\"not_tested\" value=\"{}\"/>\n",
            escape(why)
        ));
    }
    // A judgement on partial data (--allow-partial): a property the CI can read and one
    // skipped case its test view shows, carrying which replications finished and were cut.
    if !c.partial.is_empty() {
        let all = escape(&c.partial.join("; "));
        props.push_str("      <property name=\"partial\" value=\"true\"/>\n");
        cases.push_str(&format!(
            "    <testcase classname=\"{class}\" name=\"partial run\">\n      <skipped \
             message=\"{all}\"/>\n    </testcase>\n"
        ));
        skipped += 1;
    }
    if !props.is_empty() {
        props = format!("    <properties>\n{props}    </properties>\n");
    }
    // The partial run's case is one more than the rows; a metric not tested is a row.
    let n = c.rows.len() + usize::from(!c.partial.is_empty());
    let skip_attr = if skipped > 0 {
        format!(" skipped=\"{skipped}\"")
    } else {
        String::new()
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"{n}\" \
         failures=\"{failures}\"{skip_attr}>\n  <testsuite name=\"{class}\" tests=\"{n}\" \
         failures=\"{failures}\"{skip_attr}>\n{props}{cases}  </testsuite>\n</testsuites>\n"
    )
}
