//! `forecast.html`: per queue, one chart of the history's last days and the forecast with its
//! prediction band (inline SVG), the forecast days' totals, and the backtest table.

use std::fmt::Write as _;

use super::output::Output;

const W: f64 = 900.0;
const H: f64 = 260.0;
const PAD: f64 = 40.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Points `x,y` of `values` from slot `from` on an x axis of `slots` slots, y scaled to `max`.
fn points(values: &[f64], from: usize, slots: usize, max: f64) -> String {
    let dx = (W - 2.0 * PAD) / slots.max(1) as f64;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                PAD + (from + i) as f64 * dx,
                H - PAD - v / max * (H - 2.0 * PAD)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The page.
pub(super) fn page(o: &Output<'_>) -> String {
    let mut s = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>omnisim forecast</title>\
         <style>body{font-family:sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse}\
         td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}\
         </style></head><body>",
    );
    let _ = write!(
        s,
        "<h1>Forecast</h1><p>History <code>{}</code>, {}-minute intervals, method level-profile \
         (per-weekday smoothed log level with an AR(1) correction × per-weekday share profile), \
         {}% prediction intervals.</p>",
        esc(&o.file),
        o.history.interval_min,
        o.level
    );
    let tail_days = 5;
    for (q, h) in o.queues.iter().zip(&o.history.queues) {
        let name = q.queue.as_deref().unwrap_or("all traffic");
        let _ = write!(s, "<h2>{}</h2>", esc(name));
        let tail: Vec<f64> = h
            .days
            .iter()
            .rev()
            .take(tail_days)
            .rev()
            .flat_map(|d| d.volumes.iter().copied())
            .collect();
        let mean: Vec<f64> = q
            .days
            .iter()
            .flat_map(|d| d.forecast.mean.iter().copied())
            .collect();
        let lo: Vec<f64> = q
            .days
            .iter()
            .flat_map(|d| d.forecast.lo.iter().copied())
            .collect();
        let hi: Vec<f64> = q
            .days
            .iter()
            .flat_map(|d| d.forecast.hi.iter().copied())
            .collect();
        let slots = tail.len() + mean.len();
        let max = tail.iter().chain(&hi).copied().fold(1e-9, f64::max) * 1.05;
        let mut band = points(&hi, tail.len(), slots, max);
        let mut lo_rev = lo.clone();
        lo_rev.reverse();
        let dx = (W - 2.0 * PAD) / slots.max(1) as f64;
        for (i, v) in lo_rev.iter().enumerate() {
            let x = PAD + (tail.len() + lo.len() - 1 - i) as f64 * dx;
            let _ = write!(band, " {x:.1},{:.1}", H - PAD - v / max * (H - 2.0 * PAD));
        }
        let _ = write!(
            s,
            "<figure><figcaption>Volume per interval: the last {} history days (grey), the \
             forecast (blue) and its band (shaded)</figcaption><svg width=\"{W}\" height=\"{H}\" \
             role=\"img\"><line x1=\"{PAD}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" stroke=\"#999\"/>\
             <text x=\"2\" y=\"{PAD}\" font-size=\"11\">{max:.0}</text>\
             <text x=\"2\" y=\"{y0}\" font-size=\"11\">0</text>\
             <polygon points=\"{band}\" fill=\"#6a9fd8\" fill-opacity=\"0.3\"/>\
             <polyline points=\"{}\" fill=\"none\" stroke=\"#777\"/>\
             <polyline points=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.5\"/></svg></figure>",
            tail_days.min(h.days.len()),
            points(&tail, 0, slots, max),
            points(&mean, tail.len(), slots, max),
            y0 = H - PAD,
            x1 = W - PAD,
        );
        s.push_str("<table><tr><th>date</th><th>lead (open days)</th><th>volume</th><th>sum of interval lows</th><th>sum of interval highs</th></tr>");
        for d in &q.days {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.0}</td><td>{:.0}</td></tr>",
                d.date,
                d.lead,
                d.forecast.mean.iter().sum::<f64>(),
                d.forecast.lo.iter().sum::<f64>(),
                d.forecast.hi.iter().sum::<f64>()
            );
        }
        s.push_str("</table>");
        if !q.backtest.is_empty() {
            let window = match o.backtest_until {
                Some(u) => format!("{} days up to {u}", q.backtest[0].days),
                None => format!("last {} days", q.backtest[0].days),
            };
            let _ = write!(
                s,
                "<h3>Backtest</h3><p>Each of the {window} forecast {} open day(s) ahead from \
                 the days before it, scored on {}-minute counts.</p><table><tr><th>method</th>\
                 <th>RMSE</th><th>MAPE of day totals</th><th>{}% interval coverage</th></tr>",
                o.backtest.1, o.history.interval_min, o.level
            );
            for sc in &q.backtest {
                let cov = sc
                    .coverage
                    .map_or("–".to_string(), |c| format!("{:.1}%", 100.0 * c));
                let _ = write!(
                    s,
                    "<tr><td>{}</td><td>{:.1}</td><td>{:.2}%</td><td>{cov}</td></tr>",
                    esc(&sc.method),
                    sc.rmse,
                    sc.mape_day_pct
                );
            }
            s.push_str("</table>");
        }
    }
    s.push_str("</body></html>\n");
    s
}
