//! The HTML report's unified-routing section: overflow by queue and trigger, and routing rule
//! use (shown only when the scenario uses unified routing).

use std::fmt::Write;

use super::html::escape;
use super::model::Report;

/// Appends the "Routing and overflow" section, if the summary has routing figures.
pub(crate) fn section(o: &mut String, r: &Report) {
    let s = &r.summary;
    let (Some(routing), Some(overflow)) = (&s.routing, &s.overflow) else {
        return;
    };
    let _ = write!(
        o,
        "<h2>Routing and overflow</h2><p class=\"note\">{} ended by overflow (neither answered \
         nor abandoned) · {} moved to another queue · {} callbacks · {} unmatched (no member of \
         their queue holds the required skills)</p>",
        overflow.ended, overflow.transferred, overflow.callbacks, routing.unmatched
    );
    if !overflow.by_queue.is_empty() {
        o.push_str("<table><tr><th>queue</th><th>out of hours</th><th>work items over</th><th>waited over</th><th>ended here</th></tr>");
        for (name, k) in &overflow.by_queue {
            let ended = s.queues.get(name).and_then(|q| q.overflowed).unwrap_or(0);
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                k.out_of_hours,
                k.work_items_over,
                k.waited_over,
                ended
            );
        }
        o.push_str("</table>");
    }
    if !routing.by_rule.is_empty() {
        o.push_str("<table><tr><th>assignment rule</th><th>assignments</th></tr>");
        for (rule, n) in &routing.by_rule {
            let _ = write!(o, "<tr><td>{}</td><td>{n}</td></tr>", escape(rule));
        }
        o.push_str("</table>");
    }
}
