//! The terminal summary of a [`Report`]: plain text in aligned columns, about 30 lines, no
//! colour, what `omnisim run` prints.

use std::fmt::Write;

use super::format::{duration, pct, plural, short, value};
use super::{Report, ThresholdResult};

/// Renders the terminal summary (ends with a newline).
pub fn render(r: &Report) -> String {
    let s = &r.summary;
    let mut o = String::new();
    let reps = plural(u64::from(s.replications), "replication");
    let _ = writeln!(
        o,
        "omnisim {} · scenario {} · {} · {} · {} simulated{}",
        s.omnisim_version,
        s.scenario,
        s.seed
            .map_or("no seed (a history)".to_string(), |n| format!("seed {n}")),
        reps,
        duration(s.simulated_s),
        if s.partial { " (PARTIAL)" } else { "" }
    );
    let c = &s.conversations;
    line(
        &mut o,
        "Conversations",
        format!(
            "{} arrived · {} answered · {} abandoned · {} delayed · {} in system at end",
            c.arrived, c.answered, c.abandoned, c.delayed, c.in_system_at_end
        ),
    );
    let w = &s.wait_s;
    line(
        &mut o,
        "Wait, answered",
        format!(
            "mean (ASA) {} · p50 {} · p90 {} · p99 {} · max {}",
            duration(w.mean),
            duration(w.p50),
            duration(w.p90),
            duration(w.p99),
            duration(w.max)
        ),
    );
    line(
        &mut o,
        "Service level",
        format!(
            "{} answered within {}{}{}",
            pct(s.service_level.fraction),
            duration(s.service_level.threshold_s),
            ci(s.ci95.service_level),
            if r.service_level_target_set {
                format!(" · target {}", pct(r.service_level_target))
            } else {
                String::new()
            }
        ),
    );
    line(
        &mut o,
        "Abandonment",
        format!("{}{}", pct(s.abandonment_rate), ci(s.ci95.abandonment_rate)),
    );
    line(&mut o, "Occupancy", pct(s.occupancy));
    let h = &s.handle_s;
    line(
        &mut o,
        "Handle time",
        format!(
            "mean {} · p50 {} · p90 {}",
            duration(h.mean),
            duration(h.p50),
            duration(h.p90)
        ),
    );
    let i = &s.invitations;
    line(
        &mut o,
        "Invitations",
        format!(
            "{} sent · {} accepted · {} rejected · {} timed out",
            i.sent, i.accepted, i.rejected, i.timed_out
        ),
    );
    if c.retrials > 0 || c.transferred > 0 {
        // "Chat behaviour" (the contract's section of these keys) only where a chat work
        // stream uses it: a voice call's callbacks and any overflow transfer are not chat.
        line(
            &mut o,
            if r.chat_behaviour {
                "Chat behaviour"
            } else {
                "Customers"
            },
            format!(
                "{} · {} · {} transferred",
                plural(s.customers, "customer"),
                plural(c.retrials, "retrial"),
                c.transferred
            ),
        );
    }
    if let (Some(r), Some(ov)) = (&s.routing, &s.overflow) {
        line(
            &mut o,
            "Routing",
            format!(
                "{} unmatched · overflow: {} ended, {} transferred, {} callbacks",
                r.unmatched, ov.ended, ov.transferred, ov.callbacks
            ),
        );
        if !r.by_rule.is_empty() {
            line(
                &mut o,
                "Rule use",
                r.by_rule
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(" · "),
            );
        }
    }
    let ov = &s.overallocation;
    line(
        &mut o,
        "Overallocation",
        if ov.events == 0 {
            "none".into()
        } else {
            format!(
                "{} · {} · max {} · {} unit·s · {} over capacity",
                plural(ov.events, "event"),
                plural(ov.agents, "agent"),
                plural(ov.max_units, "unit"),
                short(ov.unit_seconds),
                duration(ov.time_s)
            )
        },
    );
    line(&mut o, "Supervisor", nonzero(&s.supervisor_actions));
    let by_rule: Vec<(String, u64)> = r
        .violations_by_rule
        .iter()
        .map(|v| (v.rule.clone(), v.count))
        .collect();
    line(
        &mut o,
        "Rule violations",
        if by_rule.is_empty() {
            "none".into()
        } else {
            format!(
                "{} · {}",
                s.rule_violations.total,
                nonzero(by_rule.iter().map(|(k, v)| (k, v)))
            )
        },
    );
    if s.invariant_violations > 0 {
        line(
            &mut o,
            "INVARIANTS",
            format!("{} broken (a bug)", s.invariant_violations),
        );
    }
    queues(&mut o, r);
    if !s.thresholds.is_empty() {
        o.push_str("\nThresholds\n");
        for t in &s.thresholds {
            let _ = writeln!(o, "  {}", threshold(t, s.replications));
        }
    }
    o
}

fn line(o: &mut String, label: &str, text: String) {
    let _ = writeln!(o, "{label:<16}{text}");
}

fn ci(c: Option<[f64; 2]>) -> String {
    c.map(|[lo, hi]| format!(" (95% CI {} – {})", pct(lo), pct(hi)))
        .unwrap_or_default()
}

fn nonzero<'a>(m: impl IntoIterator<Item = (&'a String, &'a u64)>) -> String {
    let parts: Vec<String> = m
        .into_iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(" · ")
    }
}

fn queues(o: &mut String, r: &Report) {
    let qs = &r.summary.queues;
    if qs.is_empty() {
        return;
    }
    let width = qs
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    // A "transferred in" column only when some queue received transfers.
    let transfers = qs.values().any(|q| q.transferred_in > 0);
    let _ = write!(
        o,
        "\n{:<width$}  {:>8}  {:>8}  {:>9}  {:>9}  {:>9}  {:>6}",
        "Queue", "arrived", "answered", "abandoned", "ASA", "wait p90", "SL"
    );
    let _ = if transfers {
        writeln!(o, "  {:>14}", "transferred in")
    } else {
        writeln!(o)
    };
    for (name, q) in qs {
        let _ = write!(
            o,
            "{:<width$}  {:>8}  {:>8}  {:>9}  {:>9}  {:>9}  {:>6}",
            name,
            q.arrived,
            q.answered,
            q.abandoned,
            duration(q.wait_s.mean),
            duration(q.wait_s.p90),
            pct(q.service_level)
        );
        let _ = if transfers {
            writeln!(o, "  {:>14}", q.transferred_in)
        } else {
            writeln!(o)
        };
    }
}

/// One threshold's line. A count's threshold judges its total over the replications
/// (docs/scenario-format.md, `[[thresholds]]`), and with more than one replication the line
/// says so: "(want <= 150; a total over 4 replications)".
fn threshold(t: &ThresholdResult, replications: u32) -> String {
    let mut bound = match (t.min, t.max) {
        (Some(lo), Some(hi)) => format!("in [{}, {}]", value(lo), value(hi)),
        (Some(lo), None) => format!(">= {}", value(lo)),
        (None, Some(hi)) => format!("<= {}", value(hi)),
        (None, None) => "no bound".into(),
    };
    if replications > 1 && super::compare::is_count(&t.metric) {
        bound.push_str(&format!("; a total over {replications} replications"));
    }
    let value = t.value.map(value).unwrap_or_else(|| "no data".into());
    format!(
        "{}  {} = {} (want {})",
        if t.passed { "PASS" } else { "FAIL" },
        t.metric,
        value,
        bound
    )
}
