//! Custom-assignment keys of a queue (contract.md "Unified routing"):
//! `[[queues.prioritization]]` (RT-PRIORITIZE) and `[[queues.assignment_rules]]` (RT-RULESET).
//!
//! Both are read with the queue's other routing keys, once every queue name is known
//! ([`queue_rulesets`]). A prioritization rule's `when` is checked against the attributes of the
//! queue's work stream. An assignment rule's `groups` may name agent groups, which are read
//! after the queues, and `[traffic] roster` agents (each its own group of one, named after the
//! agent), which are read later still: the names wait in [`PendingGroup`]s, are checked by
//! [`check_group_names`] once both are known, and become group indices in [`resolve_groups`]
//! once the roster is merged.
//!
//! Problems that do not stop a run are warnings ([`Ctx::warn`]): a `groups` entry that is not a
//! member of the queue, assignment rules on a pick-mode work stream (agents pick there; nobody
//! is assigned), `assignment` next to `assignment_rules` (the rules replace it), and a
//! prioritization rule after one without `when` (its bucket stays empty).

use super::diag::Ctx;
use super::routing::{condition, report_unknown, Attribute, Condition};
use super::sections::{section, Names};
use super::spanned::{array, name, one_of, string, table, Span, Table, Val};
use super::types::{AgentGroup, Queue};
use crate::engine::{OrderBy, RuleSkills};
use crate::model::{Presence, PresenceSet, RoutingMode};

/// One `[[queues.prioritization]]` rule: conversations whose attributes meet `when` form its
/// bucket; buckets are served in rule order, conversations matching no rule last.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PriorityRule {
    /// `when`, on the attributes of the queue's work stream (empty: always).
    pub when: Condition,
}

/// One `[[queues.assignment_rules]]` rule.
#[derive(Clone, Debug, PartialEq)]
pub struct AssignmentRuleSpec {
    /// `name`, unique in its queue (`summary.json` counts it as `routing.by_rule["Q/name"]`);
    /// default `rule-N`, N its 1-based position in the queue's list.
    pub name: String,
    /// `skills`: `exact` (default), `closest`, `any`.
    pub skills: RuleSkills,
    /// `presence`; `None`: the work stream's `allowed_presences`.
    pub presence: Option<PresenceSet>,
    /// `groups` as agent-group indices (into [`super::Scenario::agent_groups`], roster agents
    /// included), in file order; `None`: every member of the queue.
    pub groups: Option<Vec<usize>>,
    /// `order_by` (default `available_capacity`).
    pub order_by: OrderBy,
}

/// A `groups` entry of an assignment rule, resolved once the agent groups and the roster are
/// read.
#[derive(Debug)]
pub(crate) struct PendingGroup {
    /// The queue's index.
    queue: usize,
    /// The rule's position in the queue's list.
    rule: usize,
    name: String,
    path: String,
    span: Span,
}

const PRESENCES: [&str; 5] = ["available", "busy", "busy_dnd", "away", "offline"];
const SKILLS: [&str; 3] = ["exact", "closest", "any"];

/// Reads queue `qi`'s `[[queues.prioritization]]` and `[[queues.assignment_rules]]`; group
/// names go to `pending` (their `groups` stay empty until [`resolve_groups`]).
pub(crate) fn queue_rulesets(
    cx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    qi: usize,
    names: &Names,
    pending: &mut Vec<PendingGroup>,
) -> Option<(Vec<PriorityRule>, Vec<AssignmentRuleSpec>)> {
    let mut ok = true;
    let info = names.queues.get(qi);
    let qname = info.map_or("", |q| q.name.as_str());
    // `None` when the queue's work stream is unknown (already reported): conditions on its
    // attributes are then not checked.
    let ws = info
        .and_then(|q| q.workstream)
        .and_then(|w| names.workstreams.get(w));
    let mut prioritization: Vec<PriorityRule> = Vec::new();
    let mut always_at: Option<usize> = None;
    for (ri, (path, v)) in section(cx, t, "prioritization").into_iter().enumerate() {
        let Some(rt) = table(cx, &path, v) else {
            ok = false;
            continue;
        };
        rt.check_keys(cx, &["when"]);
        if let Some(first) = always_at {
            cx.warn(
                &path,
                rt.span.clone(),
                format!(
                    "this prioritization rule of queue {qname:?} never gets a conversation: rule {} has no `when` and takes every conversation first",
                    first + 1
                ),
                Some("RT-PRIORITIZE: the first rule that matches decides the bucket; move the rule without `when` last, or delete it".into()),
            );
        }
        let when = match ws {
            Some(w) => rt.or(cx, "when", Condition::default(), |cx, p, v| {
                condition(cx, p, v, &w.attributes)
            }),
            None => None,
        };
        match when {
            Some(when) => {
                if when.0.is_empty() && always_at.is_none() {
                    always_at = Some(ri);
                }
                let attrs = ws.map_or(&[][..], |w| &w.attributes[..]);
                let shadow = prioritization
                    .iter()
                    .position(|e| takes_all(&e.when, &when, attrs))
                    .filter(|_| always_at.is_none_or(|a| a == ri));
                if let Some(m) = shadow {
                    let same = same_condition(&prioritization[m].when, &when, attrs);
                    let how = if same {
                        "has the same `when` as"
                    } else {
                        "matches only conversations that also match"
                    };
                    cx.warn(
                        &path,
                        rt.span.clone(),
                        format!(
                            "this prioritization rule of queue {qname:?} never gets a conversation: it {how} rule {} before it, which takes them first",
                            m + 1
                        ),
                        Some("RT-PRIORITIZE: the first rule that matches decides the bucket; merge the rules, or make the later one narrower and move it first".into()),
                    );
                }
                prioritization.push(PriorityRule { when });
            }
            None => ok = false,
        }
    }
    let items = section(cx, t, "assignment_rules");
    if !items.is_empty() {
        if let Some(w) = ws.filter(|w| w.mode == Some(RoutingMode::Pick)) {
            cx.warn(
                &t.path_of("assignment_rules"),
                t.get("assignment_rules").map(|v| v.span()),
                format!(
                    "queue {qname:?} has assignment rules but its work stream {:?} is in pick mode: assignment rules only apply to push routing (agents pick in pick mode)",
                    w.name
                ),
                Some("set the work stream's `mode = \"push\"`, or remove the assignment rules".into()),
            );
        }
        if let Some(v) = t.get("assignment") {
            cx.warn(
                &t.path_of("assignment"),
                Some(v.span()),
                format!(
                    "queue {qname:?} has assignment rules: they replace `assignment`, which is not used"
                ),
                Some("RT-RULESET: give each rule its own `order_by`; remove `assignment`".into()),
            );
        }
    }
    let mut rules: Vec<AssignmentRuleSpec> = Vec::new();
    // (name, path of the rule that has it) of each rule read so far, valid or not.
    let mut seen: Vec<(String, String)> = Vec::new();
    for (ri, (path, v)) in items.into_iter().enumerate() {
        let Some(rt) = table(cx, &path, v) else {
            ok = false;
            continue;
        };
        let (rule, group_names) = assignment_rule(cx, &rt, ri, qname, &mut seen);
        // Checked even when the rule has other problems, so every bad name is reported at once.
        for (name, gpath, span) in group_names {
            pending.push(PendingGroup {
                queue: qi,
                rule: ri,
                name,
                path: gpath,
                span,
            });
        }
        match rule {
            Some(rule) => rules.push(rule),
            None => ok = false,
        }
    }
    // Buckets and rule numbers are small integers in the engine (a bucket is a byte).
    for (key, n) in [
        ("prioritization", prioritization.len()),
        ("assignment_rules", rules.len()),
    ] {
        if n > MAX_RULES {
            let span = t.get(key).map(|v| v.span());
            cx.report(
                &t.path_of(key),
                span,
                format!("{n} rules; at most {MAX_RULES} per queue"),
                None,
            );
            ok = false;
        }
    }
    ok.then_some((prioritization, rules))
}

/// The most prioritization rules, and the most assignment rules, one queue may have.
pub(super) const MAX_RULES: usize = 250;

/// The values of attribute `a` that `c` allows (`None`: every value; `c` does not test it or
/// lists them all), sorted.
fn allowed(c: &Condition, a: usize, attrs: &[Attribute]) -> Option<Vec<u16>> {
    let n = attrs.get(a).map_or(0, |x| x.values.len());
    let mut vals: Vec<u16> = Vec::new();
    let mut tested = false;
    for (_, cv) in c.0.iter().filter(|(ca, _)| *ca == a) {
        if tested {
            vals.retain(|v| cv.contains(v));
        } else {
            vals = cv.clone();
            tested = true;
        }
    }
    vals.sort_unstable();
    vals.dedup();
    (tested && vals.len() < n).then_some(vals)
}

/// Whether every conversation matching `later` matches `earlier` (so `earlier`, ahead of it,
/// takes them all).
fn takes_all(earlier: &Condition, later: &Condition, attrs: &[Attribute]) -> bool {
    (0..attrs.len()).all(
        |a| match (allowed(earlier, a, attrs), allowed(later, a, attrs)) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(e), Some(l)) => l.iter().all(|v| e.contains(v)),
        },
    )
}

/// Whether two conditions hold for the same conversations.
fn same_condition(a: &Condition, b: &Condition, attrs: &[Attribute]) -> bool {
    takes_all(a, b, attrs) && takes_all(b, a, attrs)
}

/// A group name with its key path and position.
type GroupRef = (String, String, Span);

/// One assignment rule (`None` after a reported problem; its `groups` is `Some(empty)` until
/// [`resolve_groups`]) and the group names it gives, to resolve.
fn assignment_rule(
    cx: &mut Ctx<'_>,
    rt: &Table<'_, '_>,
    ri: usize,
    qname: &str,
    seen: &mut Vec<(String, String)>,
) -> (Option<AssignmentRuleSpec>, Vec<GroupRef>) {
    rt.check_keys(cx, &["name", "skills", "presence", "groups", "order_by"]);
    let rule_name = match rt.get("name") {
        Some(v) => name(cx, &rt.path_of("name"), v),
        None => Some(format!("rule-{}", ri + 1)),
    };
    let rule_name = rule_name.and_then(|n| {
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == n) {
            let (path, span, how) = match rt.get("name") {
                Some(v) => (rt.path_of("name"), Some(v.span()), String::new()),
                None => (
                    rt.path.to_string(),
                    rt.span.clone(),
                    " (the default name of a rule without `name`)".to_string(),
                ),
            };
            cx.report(
                &path,
                span,
                format!("duplicate assignment rule name {n:?}{how} in queue {qname:?}"),
                Some(format!(
                    "rule names must be unique within a queue; {n:?} is already the name of `{first}`"
                )),
            );
            return None;
        }
        seen.push((n.clone(), rt.path.to_string()));
        Some(n)
    });
    let skills = rt.or(cx, "skills", RuleSkills::Exact, |cx, p, v| {
        one_of(&SKILLS)(cx, p, v).and_then(RuleSkills::parse)
    });
    let presence = rt.opt(cx, "presence", presence_list);
    let mut group_refs = Vec::new();
    let groups = rt.opt(cx, "groups", |cx, p, v| {
        group_list(cx, p, v, &mut group_refs)
    });
    let order_names: Vec<&str> = OrderBy::ALL.iter().map(|o| o.as_str()).collect();
    let order_by = rt.or(cx, "order_by", OrderBy::AvailableCapacity, |cx, p, v| {
        one_of(&order_names)(cx, p, v).and_then(OrderBy::parse)
    });
    let rule = (|| {
        Some(AssignmentRuleSpec {
            name: rule_name?,
            skills: skills?,
            presence: presence?,
            groups: groups?.map(|()| Vec::new()),
            order_by: order_by?,
        })
    })();
    (rule, group_refs)
}

/// `presence = ["available", "busy"]` (or one name): a non-empty set of presences.
fn presence_list(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<PresenceSet> {
    let distinct = super::spanned::no_repeats(cx, path, v, "presence");
    let list = super::spanned::one_or_many(cx, path, v, |cx, p, v| {
        let s = string(cx, p, v)?;
        let found = PRESENCES
            .iter()
            .find(|n| **n == s)
            .and_then(|n| Presence::parse(n));
        if found.is_none() {
            report_unknown(cx, p, v.span(), "presence", &s, &PRESENCES);
        }
        found
    })?;
    if !distinct {
        return None;
    }
    manual_presences(cx, path, v, &list);
    Some(PresenceSet::of(&list))
}

/// The PR-MANUAL warning for a presence list naming `away` or `offline`: agents in those
/// presences get no automatic work, so listing them changes nothing.
pub(crate) fn manual_presences(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, list: &[Presence]) {
    let manual: Vec<&str> = [Presence::Away, Presence::Offline]
        .into_iter()
        .filter(|p| list.contains(p))
        .map(|p| p.as_str())
        .collect();
    if manual.is_empty() {
        return;
    }
    cx.warn(
        path,
        Some(v.span()),
        format!(
            "lists {}: agents Away or Offline get no automatic work (PR-MANUAL): listing them here changes nothing",
            super::suggest::quoted_list(manual.iter().copied())
        ),
        Some("remove them from the list".into()),
    );
}

/// `groups = ["tier2", …]`: a non-empty list of names without repeats; the names go to `out`
/// (also when another entry is wrong) to be resolved later.
fn group_list(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, out: &mut Vec<GroupRef>) -> Option<()> {
    let items = array(cx, path, v)?;
    if items.is_empty() {
        cx.error(
            path,
            v.span(),
            "the group list is empty; name at least one agent group, or leave `groups` out for every member of the queue",
        );
        return None;
    }
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        match name(cx, &p, item) {
            Some(n) if out.iter().any(|g| g.0 == n) => {
                cx.error(&p, item.span(), format!("group {n:?} listed twice"));
                ok = false;
            }
            Some(n) => out.push((n, p, item.span())),
            None => ok = false,
        }
    }
    ok.then_some(())
}

/// The names an assignment rule's `groups` may use: `[[agent_groups]]` names, then roster
/// agents. `roster` is `None` when a `[traffic] roster` is given but could not be read (its
/// problems are reported): names that are not agent groups are then not reported again.
pub(crate) fn check_group_names(
    cx: &mut Ctx<'_>,
    names: &Names,
    roster: Option<&[String]>,
    pending: &[PendingGroup],
) -> bool {
    let mut ok = true;
    for p in pending {
        if names.groups.iter().any(|g| g.name == p.name) {
            continue;
        }
        let Some(roster) = roster else { continue };
        if roster.contains(&p.name) {
            continue;
        }
        let known: Vec<&str> = names
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .chain(roster.iter().map(String::as_str))
            .collect();
        report_unknown(cx, &p.path, p.span.clone(), "agent group", &p.name, &known);
        ok = false;
    }
    ok
}

/// Fills the assignment rules' `groups` with group indices (roster agents are groups of one,
/// after the `[[agent_groups]]`; a name that is both means the agent group), and warns about a
/// group that is not a member of the rule's queue (the rule never picks its agents there).
/// Names were checked by [`check_group_names`]; one that is still unknown is skipped.
pub(crate) fn resolve_groups(
    cx: &mut Ctx<'_>,
    pending: Vec<PendingGroup>,
    qs: &mut [Queue],
    groups: &[AgentGroup],
) {
    for p in pending {
        let found = groups
            .iter()
            .position(|g| g.roster.is_none() && g.name == p.name)
            .or_else(|| {
                groups
                    .iter()
                    .position(|g| g.roster.is_some() && g.name == p.name)
            });
        let Some(gi) = found else { continue };
        let Some(q) = qs.get_mut(p.queue) else {
            continue;
        };
        let member = groups[gi].queues.iter().any(|m| m.index() == p.queue);
        if !member {
            let what = if groups[gi].roster.is_some() {
                "roster agent"
            } else {
                "agent group"
            };
            cx.warn(
                &p.path,
                Some(p.span.clone()),
                format!(
                    "{what} {:?} is not a member of queue {:?}: this rule never picks its agents",
                    p.name, q.name
                ),
                Some(format!("add {:?} to the {what}'s queues", q.name)),
            );
        }
        if let Some(list) = q
            .assignment_rules
            .get_mut(p.rule)
            .and_then(|r| r.groups.as_mut())
        {
            list.push(gi);
        }
    }
}
