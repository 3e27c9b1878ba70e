//! `ab.html`: the A/B report as one self-contained page (inline CSS, no scripts, no network
//! assets): what changed significantly first, largest relative change first, each with its
//! paired 95 % interval drawn against zero; then every other metric.

use crate::report::html::{escape, CSS};
use crate::report::table::num;

use super::ab::{fine as signed, legend, ordered, p_text, AbMetric, AbReport};

/// An inline SVG of the interval `[lo, hi]` and the difference on an axis through 0, scaled to
/// `span` (the largest |bound| of the interval, or 1).
fn interval_svg(m: &AbMetric) -> String {
    let (Some([lo, hi]), Some(d)) = (m.ci95, m.diff) else {
        return String::new();
    };
    let span = lo.abs().max(hi.abs()).max(f64::MIN_POSITIVE);
    let x = |v: f64| 60.0 + v / span * 55.0;
    format!(
        "<svg width=\"120\" height=\"14\" viewBox=\"0 0 120 14\" role=\"img\" \
         aria-label=\"95% interval {lo} to {hi}\"><line x1=\"60\" y1=\"0\" x2=\"60\" y2=\"14\" \
         class=\"axis\" stroke=\"#8c959f\"/><line x1=\"{:.1}\" y1=\"7\" x2=\"{:.1}\" y2=\"7\" \
         stroke=\"#0969da\" stroke-width=\"3\"/><circle cx=\"{:.1}\" cy=\"7\" r=\"3\" \
         fill=\"#1b1f24\"/></svg>",
        x(lo),
        x(hi),
        x(d)
    )
}

fn rows(items: &[(&String, &AbMetric)]) -> String {
    let mut out = String::from(
        "<table><thead><tr><th>metric</th><th>base</th><th>variant</th><th>diff</th>\
         <th>95% interval of diff</th><th></th><th>p</th><th>p (Holm)</th></tr></thead>\
         <tbody>\n",
    );
    for (k, m) in items {
        let no = || "—".to_string();
        let ci = m
            .ci95
            .map_or_else(no, |[lo, hi]| format!("[{}, {}]", signed(lo), signed(hi)));
        let p = escape(&p_text(m.p_value, "—"));
        let p_holm = escape(&p_text(m.p_holm, "—"));
        out.push_str(&format!(
            "<tr{}><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>\n",
            if m.is_significant() {
                " class=\"sig\""
            } else {
                ""
            },
            escape(k),
            m.base.map_or_else(no, num),
            m.variant.map_or_else(no, num),
            m.diff.map_or_else(no, signed),
            escape(&ci),
            interval_svg(m),
            p,
            p_holm
        ));
    }
    out.push_str("</tbody></table>\n");
    out
}

/// The page.
pub fn render_html(r: &AbReport) -> String {
    let all = ordered(r);
    let n_sig = all.iter().filter(|(_, m)| m.is_significant()).count();
    let title = format!("A/B: {} vs {}", r.scenario, r.variant);
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"meta\">{} (base) vs {} (variant), {} paired replications on \
         seed {} (common random numbers). Significant: paired t-test, Holm–Bonferroni over \
         the {} metrics at 5%.</p>\n",
        escape(&title),
        escape(&r.scenario),
        escape(&r.variant),
        r.replications,
        r.seed,
        r.metrics.len()
    );
    if r.metrics.values().all(|m| m.pairs < 2) {
        body.push_str(&format!(
            "<h2>Untested</h2>\n<p>{} paired: a paired t-test needs at least 2; the \
             differences below are not evidence of a change or of none.</p>\n",
            crate::text::plural(u64::from(r.replications), "replication")
        ));
    } else if n_sig == 0 {
        body.push_str("<h2>Changed significantly</h2>\n<p>No significant change.</p>\n");
    } else {
        body.push_str(&format!(
            "<h2>Changed significantly ({n_sig})</h2>\n{}",
            rows(&all[..n_sig])
        ));
    }
    if all.len() > n_sig {
        let title = if n_sig == 0 {
            "Every metric"
        } else {
            "No significant change"
        };
        body.push_str(&format!(
            "<h2>{title} ({})</h2>\n{}",
            all.len() - n_sig,
            rows(&all[n_sig..])
        ));
    }
    if r.metrics.values().any(|m| m.pairs >= 2) {
        body.push_str(&format!("<p class=\"meta\">{}</p>\n", escape(&legend(r))));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{CSS}\ntable{{border-collapse:collapse;background:#fff;\
         width:100%}}td,th{{border:1px solid #d8dce2;padding:3px 8px;text-align:left}}\
         td.n{{text-align:right;font-variant-numeric:tabular-nums}}\
         tr.sig td{{background:#fff8c5}}</style></head>\n<body><main>\n{body}</main></body>\
         </html>\n",
        escape(&title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn significant_first_and_escaped() {
        let m = |d: f64, sig: bool| AbMetric {
            base: Some(10.0),
            variant: Some(10.0 + d),
            diff: Some(d),
            ci95: Some([d - 1.0, d + 1.0]),
            pairs: 4,
            p_value: Some(if sig { 0.001 } else { 0.5 }),
            p_holm: Some(if sig { 0.002 } else { 1.0 }),
            significant: Some(sig),
        };
        let r = AbReport {
            format: super::super::ab::FORMAT.into(),
            scenario: "a<b".into(),
            variant: "v".into(),
            replications: 4,
            seed: 1,
            partial: false,
            metrics: BTreeMap::from([
                ("agent_groups.en.conversations".to_string(), m(5.0, true)),
                ("aa.first.by.name".to_string(), m(0.1, false)),
            ]),
        };
        let html = render_html(&r);
        assert!(html.contains("a&lt;b") && !html.contains("a<b"));
        let (sig, rest) = (
            html.find("agent_groups.en.conversations").unwrap(),
            html.find("aa.first.by.name").unwrap(),
        );
        assert!(sig < rest, "significant first");
        assert!(html.contains("Changed significantly (1)"));
        assert!(html.contains("<th>p (Holm)</th>") && html.contains("not adjusted"));
        assert!(
            !html.contains("http://") && !html.contains("https://") && !html.contains("<script")
        );
    }
}
