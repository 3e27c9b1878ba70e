//! Hand-written inline SVG charts for the HTML report: time-series line charts with `h:mm`
//! ticks ([`line_chart`]) and horizontal bar charts ([`hbars`]). No scripts, no external assets;
//! every text is escaped.

use std::fmt::Write;

use super::format::clock;
use super::html::escape;
use super::tenths::push_tenths;

/// Series colours (Okabe–Ito, colour-blind safe), cycled.
pub(crate) const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
];

const W: f64 = 560.0;
const H: f64 = 270.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 44.0;
const BARS_TOP: f64 = 30.0;
const BOTTOM: f64 = 30.0;

/// One line: a name for the legend and `(x seconds, y)` points; `None` breaks the line.
#[derive(Debug)]
pub(crate) struct Line<'a> {
    pub(crate) name: &'a str,
    pub(crate) points: Vec<(f64, Option<f64>)>,
}

/// A time-series chart.
#[derive(Debug)]
pub(crate) struct LineChart<'a> {
    /// Shown above the plot.
    pub(crate) title: &'a str,
    /// The x axis runs from 0 to this (seconds).
    pub(crate) x_max: f64,
    /// The y axis starts at 0 and reaches at least this (the data may raise it).
    pub(crate) y_min_top: f64,
    /// A fixed top (e.g. 1 for fractions), overriding the data.
    pub(crate) y_fixed_top: Option<f64>,
    /// Formats a y tick.
    pub(crate) y_fmt: fn(f64) -> String,
    /// The lines.
    pub(crate) lines: Vec<Line<'a>>,
    /// A dashed horizontal reference line and its label.
    pub(crate) target: Option<(f64, String)>,
    /// Shade `[0, this)` as warm-up.
    pub(crate) warmup_s: f64,
    /// Mark the end of arrivals with a dotted vertical line (when inside the axis).
    pub(crate) horizon_s: f64,
    /// Label the x axis with this calendar's clock times instead of time since 0.
    pub(crate) calendar: Option<crate::calendar::Calendar>,
}

/// An x tick label: time since 0, or the local clock time (with the day beyond one day).
fn x_label(x: f64, x_max: f64, cal: Option<&crate::calendar::Calendar>) -> String {
    let Some(cal) = cal else {
        return clock(x);
    };
    let t = crate::time::SimTime((x.max(0.0) * 1000.0) as u64);
    if x_max > 86_400.0 {
        format!("{} {}", cal.weekday(t), cal.clock(t))
    } else {
        cal.clock(t)
    }
}

/// A "nice" step (1, 2, 2.5 or 5 × 10^k) giving about `n` ticks over `span`.
fn nice_step(span: f64, n: f64) -> f64 {
    let raw = (span / n).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Time ticks in seconds: a step of 15 min, 30 min or whole hours, at most about 10 ticks.
fn time_step(x_max: f64) -> f64 {
    const STEPS: [f64; 10] = [
        900.0, 1800.0, 3600.0, 7200.0, 10800.0, 14400.0, 21600.0, 43200.0, 86400.0, 172800.0,
    ];
    STEPS
        .iter()
        .copied()
        .find(|s| x_max / s <= 10.0)
        .unwrap_or_else(|| (x_max / 10.0 / 86400.0).ceil() * 86400.0)
}

fn open(o: &mut String, title: &str, height: f64) {
    let _ = write!(
        o,
        r#"<figure class="chart"><svg viewBox="0 0 {W} {height}" role="img" aria-label="{t}"><title>{t}</title><text class="title" x="{LEFT}" y="18">{t}</text>"#,
        t = escape(title)
    );
}

/// Renders a line chart.
pub(crate) fn line_chart(c: &LineChart<'_>) -> String {
    let mut o = String::new();
    open(&mut o, c.title, H);
    let data_top = c
        .lines
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|p| p.1))
        .chain(c.target.as_ref().map(|t| t.0))
        .fold(c.y_min_top, f64::max);
    let step = nice_step(c.y_fixed_top.unwrap_or(data_top), 4.0);
    let y_top = c
        .y_fixed_top
        .unwrap_or_else(|| (data_top / step).ceil().max(1.0) * step);
    let x_max = c.x_max.max(1.0);
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let sx = |x: f64| LEFT + x / x_max * pw;
    let sy = |y: f64| TOP + ph - (y / y_top).clamp(0.0, 1.05) * ph;
    if c.warmup_s > 0.0 {
        let _ = write!(
            o,
            r#"<rect class="warmup" x="{:.1}" y="{TOP}" width="{:.1}" height="{ph}"><title>warm-up</title></rect>"#,
            sx(0.0),
            sx(c.warmup_s.min(x_max)) - sx(0.0)
        );
    }
    // y grid and ticks
    let mut y = 0.0;
    while y <= y_top * 1.0001 {
        let py = sy(y);
        let _ = write!(
            o,
            r#"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{py:.1}" y2="{py:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            py + 4.0,
            escape(&(c.y_fmt)(y))
        );
        y += step;
    }
    // x ticks
    let xs = time_step(x_max);
    let mut x = 0.0;
    while x <= x_max + 1e-9 {
        let px = sx(x);
        let _ = write!(
            o,
            r#"<line class="axis" x1="{px:.1}" x2="{px:.1}" y1="{b:.1}" y2="{b2:.1}"/><text class="tick" x="{px:.1}" y="{ty:.1}" text-anchor="middle">{}</text>"#,
            x_label(x, x_max, c.calendar.as_ref()),
            b = TOP + ph,
            b2 = TOP + ph + 4.0,
            ty = TOP + ph + 17.0
        );
        x += xs;
    }
    let _ = write!(
        o,
        r#"<line class="axis" x1="{LEFT}" x2="{:.1}" y1="{b:.1}" y2="{b:.1}"/>"#,
        W - RIGHT,
        b = TOP + ph
    );
    if c.horizon_s > 0.0 && c.horizon_s < x_max {
        let px = sx(c.horizon_s);
        let _ = write!(
            o,
            r#"<line class="horizon" x1="{px:.1}" x2="{px:.1}" y1="{TOP}" y2="{:.1}"/><text class="horizon-label" x="{:.1}" y="{:.1}">arrivals end</text>"#,
            TOP + ph,
            px + 4.0,
            TOP + 10.0
        );
    }
    if let Some((t, label)) = &c.target {
        let py = sy(*t);
        let _ = write!(
            o,
            r#"<line class="target" x1="{LEFT}" x2="{:.1}" y1="{py:.1}" y2="{py:.1}"/><text class="target-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            W - RIGHT - 4.0,
            py - 5.0,
            escape(label)
        );
    }
    for (i, l) in c.lines.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        // Each run's points all have a y (the split takes the gaps out). Coordinates are
        // written with `push_tenths`, the `{:.1}` text without the formatter's cost.
        for run in l.points.split(|p| p.1.is_none()).filter(|r| !r.is_empty()) {
            if let [(x, Some(y))] = run {
                o.push_str(r#"<circle cx=""#);
                push_tenths(&mut o, sx(*x));
                o.push_str(r#"" cy=""#);
                push_tenths(&mut o, sy(*y));
                let _ = write!(o, r#"" r="2.5" fill="{color}"/>"#);
            } else {
                let _ = write!(
                    o,
                    r#"<polyline fill="none" stroke="{color}" stroke-width="2" stroke-linejoin="round" points=""#
                );
                for (i, &(x, y)) in run.iter().enumerate() {
                    let Some(y) = y else { continue };
                    if i > 0 {
                        o.push(' ');
                    }
                    push_tenths(&mut o, sx(x));
                    o.push(',');
                    push_tenths(&mut o, sy(y));
                }
                o.push_str(r#""/>"#);
            }
        }
    }
    legend(&mut o, c.lines.iter().map(|l| l.name));
    o.push_str("</svg></figure>");
    o
}

fn legend<'a>(o: &mut String, names: impl Iterator<Item = &'a str>) {
    let names: Vec<&str> = names.collect();
    if names.len() < 2 && names.first().is_none_or(|n| n.is_empty()) {
        return;
    }
    // a row under the title, left to right
    let mut x = LEFT;
    for (i, name) in names.iter().enumerate() {
        let shown: String = if name.chars().count() > 18 {
            name.chars().take(17).chain(['…']).collect()
        } else {
            name.to_string()
        };
        let _ = write!(
            o,
            r#"<rect x="{:.1}" y="28" width="12" height="4" fill="{}"/><text class="legend" x="{:.1}" y="34">{}</text>"#,
            x,
            PALETTE[i % PALETTE.len()],
            x + 16.0,
            escape(&shown)
        );
        x += 6.5 * shown.chars().count() as f64 + 30.0;
    }
}

/// Renders a horizontal bar chart of `(label, count)`; an empty list says so.
pub(crate) fn hbars(title: &str, items: &[(String, u64)], empty: &str) -> String {
    let row = 24.0;
    let label_w = 190.0;
    let height = BARS_TOP + row * items.len().max(1) as f64 + 10.0;
    let mut o = String::new();
    open(&mut o, title, height);
    if items.is_empty() {
        let _ = write!(
            o,
            r#"<text class="empty" x="{LEFT}" y="{:.1}">{}</text>"#,
            BARS_TOP + 16.0,
            escape(empty)
        );
    }
    let max = items.iter().map(|i| i.1).max().unwrap_or(1).max(1) as f64;
    let bar_w = W - label_w - RIGHT - 60.0;
    for (i, (label, n)) in items.iter().enumerate() {
        let y = BARS_TOP + i as f64 * row;
        let w = (*n as f64 / max * bar_w).max(1.0);
        let _ = write!(
            o,
            r#"<text class="bar-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar" x="{label_w}" y="{:.1}" width="{w:.1}" height="{:.1}"/><text class="bar-value" x="{:.1}" y="{:.1}">{n}</text>"#,
            label_w - 8.0,
            y + 15.0,
            escape(label),
            y + 3.0,
            row - 6.0,
            label_w + w + 6.0,
            y + 15.0,
        );
    }
    o.push_str("</svg></figure>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_nice() {
        assert_eq!(nice_step(1.0, 4.0), 0.25);
        assert_eq!(nice_step(130.0, 4.0), 50.0);
        assert_eq!(nice_step(7.0, 4.0), 2.0);
        assert_eq!(time_step(4.0 * 3600.0), 1800.0);
        assert_eq!(time_step(8.0 * 3600.0), 3600.0);
        assert_eq!(time_step(2.0 * 86400.0), 21600.0);
    }

    #[test]
    fn axis_labels_follow_the_calendar() {
        let cal = crate::calendar::Calendar::parse("2026-03-02T07:00").unwrap();
        assert_eq!(x_label(5400.0, 3600.0 * 8.0, None), "1:30");
        assert_eq!(x_label(5400.0, 3600.0 * 8.0, Some(&cal)), "08:30");
        assert_eq!(x_label(86_400.0, 2.0 * 86_400.0, Some(&cal)), "tue 07:00");
    }

    #[test]
    fn charts_escape_their_text() {
        let svg = line_chart(&LineChart {
            title: "t<1>",
            x_max: 3600.0,
            y_min_top: 1.0,
            y_fixed_top: None,
            y_fmt: |y| format!("{y}"),
            lines: vec![Line {
                name: "q&\"a\"",
                points: vec![(0.0, Some(1.0)), (900.0, None), (1800.0, Some(2.0))],
            }],
            target: None,
            warmup_s: 0.0,
            horizon_s: 0.0,
            calendar: None,
        });
        assert!(svg.contains("t&lt;1&gt;") && svg.contains("q&amp;&quot;a&quot;"));
        assert!(!svg.contains("t<1>"));
        let bars = hbars("v", &[("<x>".into(), 3)], "none");
        assert!(bars.contains("&lt;x&gt;") && bars.contains(">3</text>"));
    }
}
