//! `fit.html`: one self-contained page per fit: for each queue, arrivals by time of day (bars),
//! histograms of handle and wrap-up times with the best fitted density drawn over them, and
//! patience as a Kaplan–Meier survival curve (it is censored) against the fitted survival
//! function (inline SVG, no scripts).

use std::fmt::Write;

use super::mle::{best, Candidate, Sample};
use super::Fitted;

const W: f64 = 520.0;
const H: f64 = 180.0;
const PAD: f64 = 30.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Bars of `values` (label every few), y from 0 to the largest value.
fn bars(title: &str, labels: &[String], values: &[f64]) -> String {
    let max = values.iter().copied().fold(0.0, f64::max).max(1e-9);
    let n = values.len().max(1) as f64;
    let bw = (W - 2.0 * PAD) / n;
    let mut s = format!(
        "<figure><figcaption>{}</figcaption><svg width=\"{W}\" height=\"{H}\" role=\"img\">",
        esc(title)
    );
    for (i, v) in values.iter().enumerate() {
        let h = v / max * (H - 2.0 * PAD);
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#6a9fd8\"><title>{} {:.1}</title></rect>",
            PAD + i as f64 * bw,
            H - PAD - h,
            (bw - 1.0).max(0.5),
            h,
            esc(labels.get(i).map_or("", String::as_str)),
            v
        );
    }
    let step = (values.len() / 8).max(1);
    for i in (0..values.len()).step_by(step) {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>",
            PAD + i as f64 * bw,
            H - PAD + 12.0,
            esc(labels.get(i).map_or("", String::as_str))
        );
    }
    let _ = write!(
        s,
        "<text x=\"2\" y=\"{:.1}\" font-size=\"10\">{:.0}</text></svg></figure>",
        PAD - 4.0,
        max
    );
    s
}

/// A histogram of the sample's events with the best candidate's density (scaled to the
/// histogram's area) as a line.
fn histogram(title: &str, s: &Sample, c: &Option<Vec<Candidate>>) -> String {
    let Some(b) = c.as_ref().and_then(|c| best(c)) else {
        return format!("<p>{}: no data</p>", esc(title));
    };
    let mut xs: Vec<f64> = s.events.clone();
    xs.sort_by(f64::total_cmp);
    let hi = xs[((xs.len() as f64 * 0.99) as usize).min(xs.len() - 1)].max(1e-3);
    let bins = 40;
    let width = hi / bins as f64;
    let mut counts = vec![0.0; bins];
    for x in &xs {
        if *x < hi {
            counts[((x / width) as usize).min(bins - 1)] += 1.0;
        }
    }
    let n = xs.len() as f64;
    let dens: Vec<f64> = (0..bins)
        .map(|i| b.family.pdf((i as f64 + 0.5) * width) * n * width)
        .collect();
    let max = counts
        .iter()
        .chain(&dens)
        .copied()
        .fold(0.0, f64::max)
        .max(1e-9);
    let bw = (W - 2.0 * PAD) / bins as f64;
    let y = |v: f64| H - PAD - v / max * (H - 2.0 * PAD);
    let (m, sd) = b.family.mean_sd();
    let mut out = format!(
        "<figure><figcaption>{} — best {} (mean {:.1} s, sd {:.1} s, KS {:.3}); {} observations{}</figcaption><svg width=\"{W}\" height=\"{H}\" role=\"img\">",
        esc(title),
        b.family.name(),
        m,
        sd,
        b.ks,
        xs.len(),
        if s.censored.is_empty() {
            String::new()
        } else {
            format!(", {} censored (not shown)", s.censored.len())
        }
    );
    for (i, c) in counts.iter().enumerate() {
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#c9d8ea\"/>",
            PAD + i as f64 * bw,
            y(*c),
            (bw - 1.0).max(0.5),
            H - PAD - y(*c)
        );
    }
    let pts: Vec<String> = dens
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{:.1},{:.1}", PAD + (i as f64 + 0.5) * bw, y(*d)))
        .collect();
    let _ = write!(
        out,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">0</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{:.0} s</text></svg></figure>",
        pts.join(" "),
        PAD,
        H - PAD + 12.0,
        W - PAD - 30.0,
        H - PAD + 12.0,
        hi
    );
    out
}

/// For censored data (patience): the Kaplan–Meier survival curve of the sample (steps) against
/// the best candidate's survival function (line), both from 1 down, over the observed range.
fn survival(title: &str, s: &Sample, c: &Option<Vec<Candidate>>) -> String {
    let Some(b) = c.as_ref().and_then(|c| best(c)) else {
        return format!("<p>{}: no data</p>", esc(title));
    };
    let mut all: Vec<(f64, bool)> = s
        .events
        .iter()
        .map(|&x| (x, true))
        .chain(s.censored.iter().map(|&x| (x, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let hi = all.last().map_or(1.0, |x| x.0).max(1e-3);
    let sx = |x: f64| PAD + x / hi * (W - 2.0 * PAD);
    let sy = |p: f64| H - PAD - p * (H - 2.0 * PAD);
    let mut at_risk = all.len() as f64;
    let mut surv = 1.0;
    let mut steps = vec![format!("{:.1},{:.1}", sx(0.0), sy(1.0))];
    let mut i = 0;
    while i < all.len() {
        let t = all[i].0;
        let (mut events, mut leaving) = (0.0, 0.0);
        while i < all.len() && all[i].0 == t {
            events += all[i].1 as u8 as f64;
            leaving += 1.0;
            i += 1;
        }
        if events > 0.0 {
            steps.push(format!("{:.1},{:.1}", sx(t), sy(surv)));
            surv *= 1.0 - events / at_risk;
            steps.push(format!("{:.1},{:.1}", sx(t), sy(surv)));
        }
        at_risk -= leaving;
    }
    steps.push(format!("{:.1},{:.1}", sx(hi), sy(surv)));
    let fitted: Vec<String> = (0..=60)
        .map(|k| {
            let x = hi * k as f64 / 60.0;
            format!("{:.1},{:.1}", sx(x), sy(1.0 - b.family.cdf(x.max(1e-3))))
        })
        .collect();
    let (m, sd) = b.family.mean_sd();
    format!(
        "<figure><figcaption>{} — best {} (mean {:.1} s, sd {:.1} s, KS {:.3}); {} abandonments, {} answered after waiting (lower bounds). Steps: Kaplan–Meier survival; line: fitted</figcaption>\
         <svg width=\"{W}\" height=\"{H}\" role=\"img\"><polyline points=\"{}\" fill=\"none\" stroke=\"#6a9fd8\" stroke-width=\"2\"/>\
         <polyline points=\"{}\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\"/>\
         <text x=\"2\" y=\"{:.1}\" font-size=\"10\">1</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">0</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{:.0} s</text></svg></figure>",
        esc(title),
        b.family.name(),
        m,
        sd,
        b.ks,
        s.events.len(),
        s.censored.len(),
        steps.join(" "),
        fitted.join(" "),
        sy(1.0) + 4.0,
        PAD,
        H - PAD + 12.0,
        W - PAD - 30.0,
        H - PAD + 12.0,
        hi
    )
}

/// The whole page.
pub fn render(f: &Fitted) -> String {
    let mut s = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>omnisim fit</title>\
         <style>body{font-family:sans-serif;margin:2em}figure{margin:1em 0}figcaption{font-size:13px}</style>\
         </head><body><h1>omnisim fit</h1>",
    );
    let _ = write!(
        s,
        "<p>{}, {} from {}; arrivals per {} s interval of the day, averaged over the days with traffic.</p>",
        crate::report::format::plural(f.rows, "conversation"),
        crate::report::format::plural(f.days, "day"),
        f.calendar.start.strftime("%Y-%m-%d"),
        f.interval.as_millis() / 1000
    );
    for (q, name) in f.queue_names.iter().enumerate() {
        let _ = write!(s, "<h2>Queue {}</h2>", esc(name));
        let arr = &f.report.queues[name].arrivals.by_time_of_day;
        let labels: Vec<String> = arr.keys().cloned().collect();
        let values: Vec<f64> = arr.values().copied().collect();
        s += &bars("Arrivals per hour by time of day", &labels, &values);
        let [h, w, p] = &f.samples[q];
        match &f.report.queues[name].assumed_handle {
            Some(a) => {
                let _ = write!(
                    s,
                    "<p>Handle time: none in the history; <strong>not fitted</strong>: \
                     fitted.toml assumes {}, mean {} s — replace it with your own.</p>",
                    esc(&a.dist),
                    a.mean_s
                );
            }
            None => s += &histogram("Handle time", &h.0, &h.1),
        }
        s += &histogram("Wrap-up time", &w.0, &w.1);
        s += &survival("Patience", &p.0, &p.1);
    }
    s += "</body></html>\n";
    s
}
