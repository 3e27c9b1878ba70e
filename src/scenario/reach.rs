//! The unmatched-requirement warning (issue 13, "Validation"): a skill requirement that no
//! member of a queue can ever meet under exact matching (RT-SKILL) is reported by `validate` as
//! a warning naming the queue and the skills. Such conversations stay queued and count in
//! `routing.unmatched`; the scenario still runs, so it is not an error.
//!
//! The requirements a work stream's conversations can carry are found by classifying every
//! combination of the values of the attributes its classification rules test (RT-CLASSIFY).
//! A queue is checked under the matching its conversations get there: the work stream's
//! `skill_matching` (only `exact` excludes anybody), or, with `[[queues.assignment_rules]]`,
//! the rules' own `skills` and `groups` (any rule that is not `exact` can serve everybody).
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
            // The groups that may serve this queue under exact matching; `None`: nobody is
            // excluded for skills.
            let members = |g: usize| sc.agent_groups[g].queues.iter().any(|m| m.index() == qi);
            let eligible: Option<Vec<usize>> = if q.assignment_rules.is_empty() {
                (ws.routing.skill_matching == SkillMatching::Exact)
                    .then(|| (0..sc.agent_groups.len()).filter(|&g| members(g)).collect())
            } else if q
                .assignment_rules
                .iter()
                .any(|r| r.skills != RuleSkills::Exact)
            {
                None
            } else {
                let mut gs: Vec<usize> = q
                    .assignment_rules
                    .iter()
                    .flat_map(|r| match &r.groups {
                        Some(gs) => gs.clone(),
                        None => (0..sc.agent_groups.len()).collect(),
                    })
                    .filter(|&g| members(g))
                    .collect();
                gs.sort_unstable();
                gs.dedup();
                Some(gs)
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
                cx.warn(
                    &path,
                    spans.get(qi).cloned().flatten(),
                    format!(
                        "no member of queue {:?} holds {skills}, which conversations with {when} (for example) require: under exact matching they stay queued and count in routing.unmatched",
                        q.name
                    ),
                    Some("give a member group these skills, or use skill_matching = \"closest\" (or a closest / any assignment rule)".into()),
                );
            }
        }
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
