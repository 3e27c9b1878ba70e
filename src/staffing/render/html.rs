//! `staffing.html`: the requirement, Erlang C and the roster's coverage charted per interval,
//! the service level achieved, and the table, as one self-contained page (split out of
//! `staffing::render`, which writes the CSV files and the terminal text).

use std::fmt::Write;

use crate::report::html::escape;
use crate::report::svg::{line_chart, Line, LineChart};

use super::super::{IntervalRow, StaffResult};
use super::*;
/// `staffing.html`: the chart of requirement, Erlang C and the roster's coverage, the service
/// level achieved per interval, and the table.
pub fn html(r: &StaffResult, scenario: &str) -> String {
    let x_max = r.rows.len() as f64 * r.interval.as_secs_f64();
    let step = |f: &dyn Fn(&IntervalRow) -> Option<f64>| -> Vec<(f64, Option<f64>)> {
        // A step line: each interval's value held over its span.
        r.rows
            .iter()
            .flat_map(|row| {
                let a = row.start.as_secs_f64();
                [(a, f(row)), (a + r.interval.as_secs_f64(), f(row))]
            })
            .collect()
    };
    let mut lines = vec![
        Line {
            name: "required",
            points: step(&|x| Some(x.required as f64)),
        },
        Line {
            name: "offered load",
            points: step(&|x| Some(x.offered_load)),
        },
    ];
    if r.rows.iter().any(|x| x.erlang_c.is_some()) {
        lines.push(Line {
            name: "Erlang C",
            points: step(&|x| x.erlang_c.map(f64::from)),
        });
    }
    if r.rows.iter().any(|x| x.roster_coverage.is_some()) {
        lines.push(Line {
            name: "roster",
            points: step(&|x| x.roster_coverage.map(f64::from)),
        });
    }
    let agents = line_chart(&LineChart {
        title: "Agents per interval",
        x_max,
        y_min_top: 1.0,
        y_fixed_top: None,
        y_fmt: crate::report::format::tick,
        lines,
        target: None,
        warmup_s: 0.0,
        horizon_s: x_max,
        calendar: r.calendar,
    });
    let sl = line_chart(&LineChart {
        title: "Service level per interval",
        x_max,
        y_min_top: 1.0,
        y_fixed_top: Some(1.0),
        y_fmt: |y| format!("{:.0}%", y * 100.0),
        lines: vec![
            Line {
                name: "required",
                points: step(&|x| x.service_level),
            },
            Line {
                name: "Erlang C",
                points: step(&|x| x.erlang_c_service_level),
            },
        ],
        target: (r.target.metric == "service_level.fraction")
            .then(|| (r.target.value, format!("target {}", pct(r.target.value)))),
        warmup_s: 0.0,
        horizon_s: x_max,
        calendar: r.calendar,
    });
    let mut table = String::from("<table><tr>");
    for h in header(r) {
        let _ = write!(table, "<th>{}</th>", escape(h));
    }
    table.push_str("</tr>");
    for (i, row) in r.rows.iter().enumerate() {
        table.push_str("<tr>");
        for c in row_text(r, i, row) {
            let _ = write!(table, "<td>{}</td>", escape(&c));
        }
        table.push_str("</tr>");
    }
    table.push_str("</table>");
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Staffing · {s}</title>
<style>{css}</style></head>
<body><main><h1>Staffing · {s}</h1><pre>{summary}</pre><div class="charts">{agents}{sl}</div>
<h2>Per interval</h2>{table}
<p class="note">Per-interval figures count what happened in the interval (an answer in the interval of its accept); the last interval also takes the drain after the horizon. Service levels are pooled over the replications; <code>staffing.csv</code> has each one's 95% interval.</p></main></body></html>
"#,
        s = escape(scenario),
        css = crate::report::html::CSS,
        summary = escape(&text(r)),
    )
}
