//! The unmatched-requirement warning (issue 13, "Validation"): a skill requirement that no
//! member of a queue can ever meet under exact matching (RT-SKILL) is reported by `validate` as
//! a warning naming the queue and the skills. Such conversations stay queued and count in
//! `routing.unmatched`; the scenario still runs, so it is not an error.
//!
//! The requirements a work stream's conversations can carry are found by classifying every
//! combination of the values of the attributes its classification rules test (RT-CLASSIFY).
//! A queue is checked under the matching its conversations get there: the work stream's
//! `skill_matching` (only `exact` excludes anybody), or, with `[[queues.assignment_rules]]`,
//! the rules' own `skills` and `groups`. With rules, a conversation is unmatched when, for
//! every rule, no agent of the rule's groups (members of the queue) can serve it under the
//! rule's `skills`: under `exact`, none holds every required skill at ≥ its rating; under
//! `closest` or `any`, the rule has no such agent at all. The warning then names the rules'
//! groups (and any member outside them that does hold the skills), never "no member".
//! Conversations a transfer brings from another work stream are not followed, and a queue with
//! no eligible member at all is not reported (nothing is served there, skills or not).

use super::diag::Ctx;
use super::spanned::Table;
use super::types::Scenario;
use crate::engine::{RuleSkills, SkillMatching, SkillSet};

/// More combinations than this are not enumerated (no warning is given for that work stream).
pub(crate) const MAX_COMBINATIONS: usize = 4096;

/// Warns, once per queue and requirement, about requirements no eligible member can meet.
pub(crate) fn unmatched_requirements(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    let spans: Vec<_> = match root.get("queues").map(|v| v.get_ref()) {
        Some(toml::de::DeValue::Array(items)) => items.iter().map(|v| Some(v.span())).collect(),
        _ => Vec::new(),
    };
    for (wi, ws) in sc.workstreams.iter().enumerate() {
        let needs = requirements(&ws.routing);
        if needs.is_empty() {
            continue;
        }
        for (qi, q) in sc.queues.iter().enumerate() {
            if q.workstream.index() != wi {
                continue;
            }
            // The member groups (with agents) that may serve this queue under exact matching;
            // `None`: nobody is excluded for skills.
            let members: Vec<usize> = (0..sc.agent_groups.len())
                .filter(|&g| {
                    let grp = &sc.agent_groups[g];
                    grp.count > 0 && grp.queues.iter().any(|m| m.index() == qi)
                })
                .collect();
            let ruled = !q.assignment_rules.is_empty();
            let eligible: Option<Vec<usize>> = if !ruled {
                (ws.routing.skill_matching == SkillMatching::Exact).then(|| members.clone())
            } else {
                // Per rule, the members it may pick from (RT-RULESET); a closest or any rule
                // with at least one of them serves every conversation.
                let reach = |r: &super::AssignmentRuleSpec| -> Vec<usize> {
                    match &r.groups {
                        Some(gs) => members.iter().copied().filter(|g| gs.contains(g)).collect(),
                        None => members.clone(),
                    }
                };
                let serves_all = q
                    .assignment_rules
                    .iter()
                    .any(|r| r.skills != RuleSkills::Exact && !reach(r).is_empty());
                (!serves_all).then(|| {
                    let mut gs: Vec<usize> = q
                        .assignment_rules
                        .iter()
                        .filter(|r| r.skills == RuleSkills::Exact)
                        .flat_map(reach)
                        .collect();
                    gs.sort_unstable();
                    gs.dedup();
                    gs
                })
            };
            // A queue nobody serves (or whose rules name no member) waits whatever the skills:
            // that is not a skills problem (and a rule's group outside the queue is warned of
            // in `rulesets`).
            let Some(eligible) = eligible.filter(|e| !e.is_empty()) else {
                continue;
            };
            for (req, example) in &needs {
                let met = eligible
                    .iter()
                    .any(|&g| meets(&sc.agent_groups[g].skills, req));
                if met {
                    continue;
                }
                let skills = req
                    .iter()
                    .map(|(s, r)| format!("{} ≥ {r}", sc.skills[*s as usize]))
                    .collect::<Vec<_>>()
                    .join(" and ");
                let when = example
                    .iter()
                    .map(|(a, v)| {
                        let at = &ws.routing.attributes[*a];
                        format!("{} = {:?}", at.name, at.values[*v as usize])
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let path = format!("queues[{qi}]");
                let (message, hint) = if ruled {
                    let outside: Vec<&str> = members
                        .iter()
                        .filter(|&&g| meets(&sc.agent_groups[g].skills, req))
                        .map(|&g| sc.agent_groups[g].name.as_str())
                        .collect();
                    let also = if outside.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (member {} {} {} them, but no exact rule picks from {})",
                            if outside.len() == 1 {
                                "group"
                            } else {
                                "groups"
                            },
                            names_of(&outside),
                            if outside.len() == 1 { "holds" } else { "hold" },
                            if outside.len() == 1 { "it" } else { "them" }
                        )
                    };
                    let theirs: Vec<&str> = eligible
                        .iter()
                        .map(|&g| sc.agent_groups[g].name.as_str())
                        .collect();
                    (
                        format!(
                            "no agent the assignment rules of queue {:?} can pick (their groups: {}) holds {skills}, which conversations with {when} (for example) require{also}: no rule can serve them; they stay queued and count in routing.unmatched",
                            q.name,
                            names_of(&theirs)
                        ),
                        "add a group holding these skills to an exact rule's `groups`, or add a closest / any rule",
                    )
                } else {
                    (
                        format!(
                            "no member of queue {:?} holds {skills}, which conversations with {when} (for example) require: under exact matching they stay queued and count in routing.unmatched",
                            q.name
                        ),
                        "give a member group these skills, or use skill_matching = \"closest\" (or a closest / any assignment rule)",
                    )
                };
                cx.warn(
                    &path,
                    spans.get(qi).cloned().flatten(),
                    message,
                    Some(hint.into()),
                );
            }
        }
    }
}

/// Group names for a message: quoted, at most five, then how many more.
fn names_of(names: &[&str]) -> String {
    let shown = super::suggest::quoted_list(names.iter().take(5).copied());
    if names.len() > 5 {
        format!("{shown} and {} more", names.len() - 5)
    } else {
        shown
    }
}

/// Whether `have` holds every required skill at ≥ its rating.
fn meets(have: &SkillSet, req: &SkillSet) -> bool {
    req.iter().all(|(s, r)| {
        have.iter()
            .find(|(h, _)| h == s)
            .is_some_and(|(_, hr)| hr >= r)
    })
}

/// The distinct non-empty requirements the work stream's conversations can carry, each with
/// one attribute combination (`(attribute, value)` pairs of the tested attributes) giving it;
/// empty when there are more than [`MAX_COMBINATIONS`] combinations.
fn requirements(r: &super::routing::WsRouting) -> Vec<(SkillSet, Vec<(usize, u16)>)> {
    let mut tested: Vec<usize> = r
        .classification
        .iter()
        .flat_map(|c| c.when.0.iter().map(|(a, _)| *a))
        .collect();
    tested.sort_unstable();
    tested.dedup();
    let sizes: Vec<usize> = tested
        .iter()
        .map(|&a| r.attributes.get(a).map_or(1, |x| x.values.len().max(1)))
        .collect();
    let total = sizes
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .filter(|&n| n <= MAX_COMBINATIONS);
    let Some(total) = total else {
        return Vec::new();
    };
    let mut out: Vec<(SkillSet, Vec<(usize, u16)>)> = Vec::new();
    let mut attrs = vec![0u16; r.attributes.len()];
    for mut k in 0..total {
        let mut combo = Vec::with_capacity(tested.len());
        for (&a, &n) in tested.iter().zip(&sizes) {
            let v = (k % n) as u16;
            k /= n;
            if let Some(slot) = attrs.get_mut(a) {
                *slot = v;
            }
            combo.push((a, v));
        }
        let req = r.classify(&attrs);
        if !req.is_empty() && !out.iter().any(|(q, _)| *q == req) {
            out.push((req, combo));
        }
    }
    out
}
