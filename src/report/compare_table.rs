//! Renders [`compare`](super::compare) rows as a terminal table or a GitHub Markdown table.

use super::compare::Row;
use super::table::{self, num, signed};

fn status(r: &Row) -> String {
    match (r.base, r.current) {
        _ if r.lost_data() => "REGRESSION (no data now)".into(),
        (None, None) if r.base_no_data && r.current_no_data => "no data".into(),
        (None, _) if r.base_no_data => "no data before".into(),
        (_, None) if r.current_no_data => "no data now".into(),
        (None, _) => "new".into(),
        (_, None) => "gone".into(),
        _ if r.regression => format!("REGRESSION (> {}%)", num(r.tolerance_pct)),
        _ if r.worse() => "worse, within tolerance".into(),
        _ if r.better() => "better".into(),
        _ => String::new(),
    }
}

fn cells(r: &Row) -> Vec<String> {
    let opt = |x: Option<f64>, no_data: bool| {
        x.map_or_else(|| if no_data { "—" } else { "-" }.into(), num)
    };
    vec![
        r.metric.clone(),
        opt(r.base, r.base_no_data),
        opt(r.current, r.current_no_data),
        r.change().map_or_else(|| "-".into(), signed),
        r.change_pct().map_or_else(
            || "-".into(),
            |p| format!("{}%", signed((p * 10.0).round() / 10.0)),
        ),
        status(r),
    ]
}

const HEADER: [&str; 6] = ["metric", "base", "current", "change", "change %", "status"];

/// An aligned terminal table and a last line counting regressions.
pub fn render_text(rows: &[Row]) -> String {
    let body: Vec<Vec<String>> = rows.iter().map(cells).collect();
    format!("{}\n{}\n", table::text(&HEADER, &body), verdict(rows))
}

/// A GitHub Markdown table (regressions in bold) and the verdict line.
pub fn render_markdown(rows: &[Row]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut c = cells(r);
            if r.regression {
                c[0] = format!("**{}**", c[0]);
                c[5] = format!("❌ {}", c[5]);
            }
            c
        })
        .collect();
    format!("{}\n{}\n", table::markdown(&HEADER, &body), verdict(rows))
}

/// `No regression.` or `N regressions: a, b`.
pub fn verdict(rows: &[Row]) -> String {
    let bad: Vec<&str> = rows
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
