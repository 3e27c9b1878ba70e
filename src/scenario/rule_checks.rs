//! Warnings about routing settings that can only be judged once the whole scenario is read
//! (issue 13, "Validation"): things that load and run but cannot do what they say.
//!
//! - a work stream's `allowed_presences` naming `away` or `offline` (PR-MANUAL: agents Away or
//!   Offline by hand get no automatic work); `away` is not warned about when a supervisor's
//!   assign or transfer to an agent may reach an Away agent through it (ASSIGN-AGENT-PRESENCE, with
//!   `[engine] assign_overrides_presence = false`), nor on a pick-mode work stream;
//! - an assignment rule that never picks because an earlier rule of the same queue takes every
//!   agent it could (RT-RULESET: the first rule that matches an agent picks);
//! - a supervisor policy moving conversations (`assign_to = "queue"`) that looks only at the
//!   queue it moves them to: it skips conversations already in its target queue, so it never
//!   acts.
//!
//! An assignment rule's own `presence` naming `away` or `offline` is warned about where it is
//! read ([`super::rulesets`]).

use super::diag::Ctx;
use super::spanned::{value_at, Table};
use super::types::{Action, Scenario};
use crate::engine::RuleSkills;
use crate::model::{Presence, PresenceSet, RoutingMode};

/// Runs every check of this module.
pub(crate) fn check(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    allowed_presences(cx, root, sc);
    rules_that_never_pick(cx, root, sc);
    moves_into_the_only_queue_seen(cx, root, sc);
}

fn span(root: &Table<'_, '_>, route: &str) -> Option<super::spanned::Span> {
    value_at(root, route).map(|v| v.span())
}

fn allowed_presences(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    let supervisor_assigns = !sc.engine.assign_overrides_presence
        && sc.supervisors.iter().any(|s| {
            s.policies
                .iter()
                .map(|p| &p.action)
                .chain(s.script.iter().map(|l| &l.action))
                .any(|a| matches!(a, Action::AssignToAgent(_) | Action::TransferToAgent(_)))
        });
    for (wi, ws) in sc.workstreams.iter().enumerate() {
        if ws.rules.mode != RoutingMode::Push {
            continue;
        }
        let set = ws.rules.allowed_presences;
        let mut manual = Vec::new();
        if set.contains(Presence::Away) && !supervisor_assigns {
            manual.push(Presence::Away.as_str());
        }
        if set.contains(Presence::Offline) {
            manual.push(Presence::Offline.as_str());
        }
        if manual.is_empty() {
            continue;
        }
        let path = format!("workstreams[{wi}].allowed_presences");
        cx.warn(
            &path,
            span(root, &format!("workstreams.{wi}.allowed_presences")),
            format!(
                "lists {}: agents Away or Offline get no automatic work (PR-MANUAL): listing them here changes nothing",
                super::suggest::quoted_list(manual.iter().copied())
            ),
            Some("remove them from the list".into()),
        );
    }
}

/// The presences in which a rule can pick: its `presence` (or the work stream's allowed
/// presences) without Away and Offline (PR-MANUAL).
fn picks_in(set: PresenceSet) -> Vec<Presence> {
    Presence::ALL
        .into_iter()
        .filter(|p| !matches!(p, Presence::Away | Presence::Offline) && set.contains(*p))
        .collect()
}

fn rules_that_never_pick(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    for (qi, q) in sc.queues.iter().enumerate() {
        if q.assignment_rules.is_empty() {
            continue;
        }
        let Some(ws) = sc.workstreams.get(q.workstream.index()) else {
            continue;
        };
        // The agent groups (with agents) that are members of the queue.
        let members: Vec<usize> = (0..sc.agent_groups.len())
            .filter(|&g| {
                let grp = &sc.agent_groups[g];
                grp.count > 0 && grp.queues.iter().any(|m| m.index() == qi)
            })
            .collect();
        // Per rule: the member groups it may pick from, and the presences it picks in.
        let reach: Vec<(Vec<usize>, Vec<Presence>)> = q
            .assignment_rules
            .iter()
            .map(|r| {
                let groups = match &r.groups {
                    Some(gs) => members.iter().copied().filter(|g| gs.contains(g)).collect(),
                    None => members.clone(),
                };
                let presence = picks_in(r.presence.unwrap_or(ws.rules.allowed_presences));
                (groups, presence)
            })
            .collect();
        for (n, later) in q.assignment_rules.iter().enumerate() {
            // A rule with no member group or no usable presence is warned about elsewhere.
            if reach[n].0.is_empty() || reach[n].1.is_empty() {
                continue;
            }
            let earlier = (0..n).find(|&m| {
                let rule = &q.assignment_rules[m];
                let skills = match rule.skills {
                    RuleSkills::Any | RuleSkills::Closest => true,
                    RuleSkills::Exact => later.skills == RuleSkills::Exact,
                };
                skills
                    && reach[n].0.iter().all(|g| reach[m].0.contains(g))
                    && reach[n].1.iter().all(|p| reach[m].1.contains(p))
            });
            let Some(m) = earlier else { continue };
            let first = &q.assignment_rules[m];
            cx.warn(
                &format!("queues[{qi}].assignment_rules[{n}]"),
                span(root, &format!("queues.{qi}.assignment_rules.{n}")),
                format!(
                    "rule {} ({:?}) of queue {:?} never picks: rule {} ({:?}) before it takes every agent it could (skills {:?}, {}, presences {})",
                    n + 1,
                    later.name,
                    q.name,
                    m + 1,
                    first.name,
                    first.skills.as_str(),
                    if first.groups.is_none() {
                        "every member of the queue".to_string()
                    } else {
                        "the same groups or more".to_string()
                    },
                    super::suggest::quoted_list(reach[m].1.iter().map(|p| p.as_str()))
                ),
                Some("RT-RULESET: the first rule that matches an agent picks; move the narrower rule first, or delete it".into()),
            );
        }
    }
}

fn moves_into_the_only_queue_seen(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    for (si, sup) in sc.supervisors.iter().enumerate() {
        for (pi, p) in sup.policies.iter().enumerate() {
            let Action::AssignToQueue(to) = p.action else {
                continue;
            };
            let mut seen = sup
                .queues
                .iter()
                .filter(|q| p.when.queues.as_ref().is_none_or(|qs| qs.contains(q)));
            if !seen.all(|q| *q == to) {
                continue;
            }
            let route = format!("supervisors.{si}.policies.{pi}.action");
            cx.warn(
                &format!("supervisors[{si}].policies[{pi}].action"),
                span(root, &route),
                format!(
                    "policy {:?} of supervisor {:?} moves conversations to queue {:?}, the only queue it looks at: a conversation already in the queue a policy moves to is skipped, so it never acts",
                    p.name, sup.name, sc.queues[to.index()].name
                ),
                Some("list the queues to move from in the supervisor's `queues` or the policy's `when.queue`".into()),
            );
        }
    }
}
