//! The "why" of a story, in words, from what the engine recorded (never re-derived here): a
//! conversation's attribute values and required skills (its arrival line), the candidates a
//! routing rule passed over by reason, the assignment rules tried before the one that decided,
//! and why a conversation that entered a queue waited (its `waiting` routing line: every
//! member by why it could not take it, per assignment rule, and the required skills nobody in
//! the queue holds).

use std::collections::BTreeMap;

use crate::trace::TraceLine;

/// The reasons with a count, in the engine's order, in words (`"2 at capacity"`); `in_rule`:
/// the presences are an assignment rule's, not the work stream's.
pub(super) fn reasons(p: &BTreeMap<String, u32>, in_rule: bool) -> Vec<String> {
    let presence = if in_rule {
        "in a presence the rule does not allow"
    } else {
        "in a presence the work stream does not allow"
    };
    let order = [
        ("pending_invitation", "with an invitation pending"),
        ("away", "on a break"),
        ("offline", "offline"),
        ("capacity", "at capacity"),
        ("presence", presence),
        ("rule_groups", "outside the rule's agent groups"),
        ("skills", "without a required skill or rating (RT-SKILL)"),
        ("refused", "refused it too often (RT-ELIGIBLE)"),
        ("ranked_below", "ranked below"),
    ];
    let mut parts: Vec<String> = order
        .iter()
        .filter_map(|(k, words)| {
            p.get(*k)
                .filter(|n| **n > 0)
                .map(|n| format!("{n} {words}"))
        })
        .collect();
    // Reasons added later appear under their own names.
    for (k, n) in p {
        if *n > 0 && !order.iter().any(|(o, _)| o == k) {
            parts.push(format!("{n} {}", k.replace('_', " ")));
        }
    }
    parts
}

/// `; before it, rule "a" found nobody (…); rule "b" found nobody (…)` for the assignment
/// rules a routing line tried before the one that decided; empty when none.
pub(super) fn tried(l: &TraceLine) -> String {
    let Some(tried) = l.tried.as_ref().filter(|t| !t.is_empty()) else {
        return String::new();
    };
    let rules: Vec<String> = tried
        .iter()
        .map(|t| {
            format!(
                "rule {:?} found nobody ({})",
                t.rule,
                nobody(&t.passed_over)
            )
        })
        .collect();
    format!("; before it, {}", rules.join("; "))
}

/// The members of a rule that found nobody, by reason; "no members" when the queue has none.
fn nobody(p: &BTreeMap<String, u32>) -> String {
    let parts = reasons(p, true);
    if parts.is_empty() {
        "the queue has no members".to_string()
    } else {
        parts.join(", ")
    }
}

/// Skills with ratings in words: `spanish 3, tech 4`.
fn skills(m: &BTreeMap<String, u8>) -> String {
    m.iter()
        .map(|(k, r)| format!("{k} {r}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `; attributes language es, tier vip; requires spanish 3, billing 2 (RT-CLASSIFY)` for an
/// arrival line that carries them; empty otherwise.
pub(super) fn tags(l: &TraceLine) -> String {
    let mut o = String::new();
    if let Some(a) = l.attributes.as_ref().filter(|a| !a.is_empty()) {
        let v: Vec<String> = a.iter().map(|(k, v)| format!("{k} {v}")).collect();
        o.push_str(&format!("; attributes {}", v.join(", ")));
    }
    match l.requires.as_ref().filter(|r| !r.is_empty()) {
        Some(r) => o.push_str(&format!("; requires {} (RT-CLASSIFY)", skills(r))),
        None if l.attributes.is_some() => o.push_str("; requires no skill"),
        None => {}
    }
    o
}

/// A `waiting` routing line in words: nobody in the queue could take the conversation, why
/// (every member by reason; with assignment rules, per rule), and which required skills nobody
/// there holds.
pub(super) fn waiting(l: &TraceLine) -> String {
    let queue = l.queue.as_deref().unwrap_or("?");
    let rule = l.rule.as_deref().unwrap_or("?");
    let mut o = format!("nobody in queue {queue} could take it, so it waits ({rule}");
    if let Some(b) = l.bucket {
        o.push_str(&format!(", priority bucket {b}"));
    }
    o.push(')');
    let empty = BTreeMap::new();
    let p = l.passed_over.as_ref().unwrap_or(&empty);
    let members: u32 = p.values().sum();
    match l.tried.as_ref().filter(|t| !t.is_empty()) {
        Some(tried) => {
            let rules: Vec<String> = tried
                .iter()
                .map(|t| format!("rule {:?}: {}", t.rule, nobody(&t.passed_over)))
                .collect();
            o.push_str(&format!(": {}", rules.join("; ")));
        }
        None if members == 0 => o.push_str(": the queue has no members"),
        None => o.push_str(&format!(
            ": of its {members} {}, {}",
            if members == 1 { "member" } else { "members" },
            reasons(p, false).join(", ")
        )),
    }
    if let Some(r) = l.requires.as_ref().filter(|r| !r.is_empty()) {
        o.push_str(&format!("; it requires {}", skills(r)));
        match (l.missing.as_ref().filter(|m| !m.is_empty()), l.qualified) {
            (Some(m), _) => o.push_str(&format!(
                ": no member of {queue} holds {}, so nobody there can ever serve it by an exact \
                 match",
                skills(m)
            )),
            (None, Some(0)) => o.push_str(&format!(
                ": no member of {queue} holds them all together, so nobody there can ever \
                 serve it by an exact match"
            )),
            (None, Some(1)) => o.push_str(", which 1 member holds"),
            (None, Some(n)) => o.push_str(&format!(", which {n} members hold")),
            (None, None) => {}
        }
    }
    o
}
