//! `report.html`: one self-contained page (inline CSS, inline SVG, no scripts, no network
//! assets) rendering a [`Report`] for a planner: headline figures, thresholds, charts over time,
//! rule violations, the per-queue table and the agents.
//!
//! Every free-text string (scenario, queue, agent and policy names) goes through [`escape`].

use std::fmt::Write;

use super::format::{compact, duration, pct, plural, short, tick, value};
use super::svg::{hbars, line_chart, Line, LineChart};
use super::{Report, SeriesRow};

/// The chart titles, in page order.
pub const CHART_TITLES: [&str; 6] = [
    "Wait p90 per queue",
    "Mean queue length (open conversations)",
    "Service level per interval",
    "Occupancy (units held ÷ staffed)",
    "Overallocated units (mean above capacity)",
    "Rule violations by rule",
];

/// Escapes text for HTML content and attribute values: `& < > " '`.
pub fn escape(text: &str) -> String {
    let mut o = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

pub(crate) const CSS: &str = r#"
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1f24;background:#f6f7f9;margin:0;padding:24px 32px}
main{max-width:1200px;margin:0 auto}
h1{font-size:24px;margin:0 0 2px}
h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #d8dce2;padding-bottom:4px}
.meta{color:#59636e;margin:0 0 16px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{background:#fff;border:1px solid #d8dce2;border-radius:6px;padding:10px 12px}
.card .k{color:#59636e;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.card .v{font-size:22px;font-weight:600;margin-top:2px}
.card .s{color:#59636e;font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:14px}
figure.chart{margin:0;background:#fff;border:1px solid #d8dce2;border-radius:6px;padding:6px}
figure.chart svg{width:100%;height:auto;display:block}
svg text{font-family:inherit;fill:#1b1f24}
svg .title{font-size:13px;font-weight:600}
svg .tick,svg .legend,svg .bar-value,svg .bar-label{font-size:11px}
svg .tick{fill:#59636e}
svg .grid{stroke:#e6e9ed}
svg .axis{stroke:#8c959f}
svg .target{stroke:#cf222e;stroke-dasharray:5 4;stroke-width:1.5}
svg .target-label{font-size:11px;fill:#cf222e;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg .warmup{fill:#eef0f3}
svg .horizon{stroke:#59636e;stroke-dasharray:2 3}
svg .horizon-label{font-size:11px;fill:#59636e;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg .bar{fill:#d55e00}
svg .empty{font-size:12px;fill:#59636e}
table{border-collapse:collapse;background:#fff;border:1px solid #d8dce2;width:100%}
th,td{padding:5px 10px;border-bottom:1px solid #eef0f3;text-align:right;white-space:nowrap}
th{background:#f0f2f5;font-weight:600}
th:first-child,td:first-child{text-align:left}
.pass{color:#1a7f37;font-weight:700}.fail{color:#cf222e;font-weight:700}
.note{color:#59636e;font-size:12px}
details summary{cursor:pointer;margin:8px 0}
"#;

use super::dashboard::CSS as DASH_CSS;

/// Renders the whole page.
pub fn render(r: &Report) -> String {
    let mut out = Vec::new();
    // Writing to a Vec fails only when memory runs out; the parts are UTF-8 strings.
    let _ = write(r, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render`], streamed to `out`: the agent table (a row per agent: a million with a large
/// roster) is written in pieces instead of being held whole.
pub fn write<W: std::io::Write>(r: &Report, mut out: W) -> std::io::Result<()> {
    let s = &r.summary;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>omnisim · {name}</title><style>{CSS}{DASH_CSS}</style></head><body><main>\
         <h1>{name}</h1><p class=\"meta\">{} · {} replication{} · {} simulated · \
         service-level threshold {} · omnisim {}{}</p>",
        s.seed
            .map_or("no seed (a history)".to_string(), |n| format!("seed {n}")),
        s.replications,
        if s.replications == 1 { "" } else { "s" },
        duration(s.simulated_s),
        duration(s.service_level.threshold_s),
        escape(&s.omnisim_version),
        if s.partial {
            " · <b>partial run</b>"
        } else {
            ""
        },
        name = escape(&s.scenario),
    );
    cards(&mut o, r);
    thresholds(&mut o, r);
    o.push_str("<h2>Over time</h2><p class=\"note\">15-minute intervals, pooled over replications; the grey band is the warm-up (not counted in the figures above); the dotted line marks the end of arrivals, after which the run drains.</p><div class=\"charts\">");
    charts(&mut o, r);
    o.push_str("</div>");
    violations(&mut o, r);
    queue_table(&mut o, r);
    super::html_routing::section(&mut o, r);
    agent_table(&mut o, r, &mut out)?;
    if let Some(d) = &r.dashboard {
        super::dashboard::section(&mut o, d);
    }
    o.push_str("</main></body></html>\n");
    out.write_all(o.as_bytes())
}

fn card(o: &mut String, key: &str, value: &str, sub: &str) {
    let _ = write!(
        o,
        r#"<div class="card"><div class="k">{}</div><div class="v">{}</div><div class="s">{}</div></div>"#,
        escape(key),
        escape(value),
        escape(sub)
    );
}

fn ci(c: Option<[f64; 2]>, f: fn(f64) -> String) -> String {
    c.map(|[lo, hi]| format!("95% CI {} – {}", f(lo), f(hi)))
        .unwrap_or_default()
}

fn cards(o: &mut String, r: &Report) {
    let s = &r.summary;
    let c = &s.conversations;
    o.push_str(r#"<div class="cards">"#);
    card(
        o,
        &format!("Service level ({})", duration(s.service_level.threshold_s)),
        &pct(s.service_level.fraction),
        &ci(s.ci95.service_level, pct),
    );
    card(
        o,
        "Wait p90, answered",
        &duration(s.wait_s.p90),
        &format!(
            "mean (ASA) {} · p99 {} · max {}",
            duration(s.wait_s.mean),
            duration(s.wait_s.p99),
            duration(s.wait_s.max)
        ),
    );
    card(
        o,
        "Abandonment",
        &pct(s.abandonment_rate),
        &ci(s.ci95.abandonment_rate, pct),
    );
    card(o, "Occupancy", &pct(s.occupancy), "units held ÷ staffed");
    let (h, i) = (&s.handle_s, &s.invitations);
    card(
        o,
        "Handle time, mean",
        &duration(h.mean),
        &format!("p50 {} · p90 {}", duration(h.p50), duration(h.p90)),
    );
    card(
        o,
        "Invitations",
        &i.sent.to_string(),
        &format!(
            "{} accepted · {} rejected · {} timed out",
            i.accepted, i.rejected, i.timed_out
        ),
    );
    if c.retrials > 0 || c.transferred > 0 {
        card(
            o,
            "Customers",
            &s.customers.to_string(),
            &format!(
                "{} · {} transferred",
                plural(c.retrials, "retrial"),
                c.transferred
            ),
        );
    }
    card(
        o,
        "Conversations",
        &c.arrived.to_string(),
        &format!(
            "{} answered · {} abandoned · {} left",
            c.answered, c.abandoned, c.in_system_at_end
        ),
    );
    let ov = &s.overallocation;
    card(
        o,
        "Overallocation",
        &format!("{} unit·s", compact(ov.unit_seconds)),
        &format!(
            "{} · {} · max {}",
            plural(ov.events, "event"),
            plural(ov.agents, "agent"),
            plural(ov.max_units, "unit")
        ),
    );
    card(
        o,
        "Rule violations",
        &s.rule_violations.total.to_string(),
        &format!(
            "{} supervisor actions accepted",
            s.supervisor_actions
                .iter()
                .filter(|(k, _)| k.as_str() != "refused")
                .map(|(_, n)| n)
                .sum::<u64>()
        ),
    );
    card(
        o,
        "Invariant breaks",
        &s.invariant_violations.to_string(),
        if s.invariant_violations == 0 {
            "as it must be"
        } else {
            "a bug in the engine"
        },
    );
    o.push_str("</div>");
}

fn thresholds(o: &mut String, r: &Report) {
    let ts = &r.summary.thresholds;
    if ts.is_empty() {
        return;
    }
    o.push_str("<h2>Thresholds</h2><table><tr><th>metric</th><th>value</th><th>min</th><th>max</th><th>result</th></tr>");
    for t in ts {
        let f = |x: Option<f64>| x.map(value).unwrap_or_else(|| "–".into());
        let _ = write!(
            o,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="{}">{}</td></tr>"#,
            escape(&t.metric),
            t.value.map(value).unwrap_or_else(|| "no data".into()),
            f(t.min),
            f(t.max),
            if t.passed { "pass" } else { "fail" },
            if t.passed { "PASS" } else { "FAIL" }
        );
    }
    o.push_str("</table>");
}

fn per_queue<'a>(r: &'a Report, f: fn(&SeriesRow) -> Option<f64>) -> Vec<Line<'a>> {
    r.queues
        .iter()
        .enumerate()
        .map(|(q, name)| Line {
            name,
            points: r
                .queue_series(q)
                .map(|row| (row.start_s + r.interval_s / 2.0, f(row)))
                .collect(),
        })
        .collect()
}

fn center(r: &Report, f: fn(&SeriesRow) -> Option<f64>) -> Vec<Line<'_>> {
    vec![Line {
        name: "",
        points: r
            .center_series()
            .map(|row| (row.start_s + r.interval_s / 2.0, f(row)))
            .collect(),
    }]
}

fn charts(o: &mut String, r: &Report) {
    let x_max = (r.series.len() / r.queues.len().max(1)) as f64 * r.interval_s;
    let base = |title, lines, y_fmt: fn(f64) -> String| LineChart {
        title,
        x_max,
        y_min_top: 1.0,
        y_fixed_top: None,
        y_fmt,
        lines,
        target: None,
        warmup_s: r.warmup_s,
        horizon_s: r.horizon_s,
        calendar: r.calendar,
    };
    let secs: fn(f64) -> String = |y| format!("{}s", tick(y));
    let plain: fn(f64) -> String = tick;
    let percent: fn(f64) -> String = |y| format!("{:.0}%", y * 100.0);
    let [wait, queue, sl, occ, over, _] = CHART_TITLES;
    o.push_str(&line_chart(&LineChart {
        y_min_top: r.summary.service_level.threshold_s,
        target: Some((
            r.summary.service_level.threshold_s,
            format!(
                "threshold {}",
                duration(r.summary.service_level.threshold_s)
            ),
        )),
        ..base(wait, per_queue(r, |x| x.wait_p90_s), secs)
    }));
    o.push_str(&line_chart(&base(
        queue,
        per_queue(r, |x| Some(x.queue_len_mean)),
        plain,
    )));
    o.push_str(&line_chart(&LineChart {
        y_fixed_top: Some(1.0),
        target: Some((
            r.service_level_target,
            if r.service_level_target_set {
                format!("target {}", pct(r.service_level_target))
            } else {
                format!(
                    "usual target {} (no threshold set)",
                    pct(r.service_level_target)
                )
            },
        )),
        ..base(sl, per_queue(r, |x| x.service_level), percent)
    }));
    o.push_str(&line_chart(&LineChart {
        y_fixed_top: Some(1.0),
        ..base(occ, center(r, |x| x.occupancy), percent)
    }));
    o.push_str(&line_chart(&base(
        over,
        center(r, |x| Some(x.overallocated_units)),
        plain,
    )));
    let by_rule: Vec<(String, u64)> = r
        .violations_by_rule
        .iter()
        .map(|v| (v.rule.clone(), v.count))
        .collect();
    o.push_str(&hbars(CHART_TITLES[5], &by_rule, "No command was refused."));
}

fn violations(o: &mut String, r: &Report) {
    o.push_str("<h2>Rule violations by policy or script line</h2>");
    if r.sources.is_empty() {
        o.push_str("<p class=\"note\">No supervisor policies or script lines.</p>");
    } else {
        o.push_str("<table><tr><th>policy / script line</th><th>accepted</th><th>refused</th><th>refused by rule</th></tr>");
        for p in &r.sources {
            let rules: Vec<String> = p
                .by_rule
                .iter()
                .map(|v| format!("{} {}", escape(&v.rule), v.count))
                .collect();
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&p.name),
                p.accepted,
                p.refused,
                if rules.is_empty() {
                    "–".to_string()
                } else {
                    rules.join(" · ")
                }
            );
        }
        o.push_str("</table>");
    }
}

fn queue_table(o: &mut String, r: &Report) {
    o.push_str("<h2>Queues</h2><table><tr><th>queue</th><th>arrived</th><th>answered</th><th>abandoned</th><th>ASA (mean wait, answered)</th><th>wait p90, answered</th><th>service level</th></tr>");
    for (name, q) in &r.summary.queues {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            q.arrived,
            q.answered,
            q.abandoned,
            duration(q.wait_s.mean),
            duration(q.wait_s.p90),
            pct(q.service_level)
        );
    }
    o.push_str("</table>");
}

/// The agent table, appended to `o`; `o` is written to `out` whenever it holds a megabyte.
fn agent_table<W: std::io::Write>(o: &mut String, r: &Report, out: &mut W) -> std::io::Result<()> {
    let _ = write!(
        o,
        "<h2>Agents</h2><details><summary>{} (summed over replications)</summary><table><tr><th>agent</th><th>conversations</th><th>busy</th><th>overallocated unit·s</th><th>time over capacity</th><th>overallocation events</th><th>refusals</th></tr>",
        plural(r.agents.len() as u64, "agent")
    );
    for a in &r.agents {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&a.name),
            a.conversations,
            duration(a.busy_s),
            short(a.over_unit_s),
            duration(a.over_s),
            a.over_events,
            a.refusals
        );
        if o.len() >= 1 << 20 {
            out.write_all(o.as_bytes())?;
            o.clear();
        }
    }
    o.push_str("</table></details>");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_neutralises_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x")</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
        );
        assert_eq!(escape("a & b's"), "a &amp; b&#39;s");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }
}
