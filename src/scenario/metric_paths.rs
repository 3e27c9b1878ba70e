//! The `summary.json` paths a threshold or a sweep target may name: every numeric leaf of the
//! summary object. Some depend on the scenario ([`MetricScope`]): `queues.<queue>.<leaf>`,
//! `routing.by_rule.<queue>/<rule>` (contract "Unified routing") and
//! `overflow.by_queue.<queue>.<kind>` (queues with `[[queues.overflow]]` rules) and
//! `agent_groups.<group>.<leaf>` and `policies.<S/P>.<leaf>` (each supervisor policy and
//! script line). Queue, rule and policy names may hold dots and slashes: a path is compared
//! with every path the scenario has, and a key may be written in double quotes
//! (`policies."sup/p".given_up`, `crate::text::path`).

use crate::engine::RuleId;

/// The fixed paths (those that do not depend on queue names or rule ids). A test checks that
/// each resolves to a number in a real `summary.json`.
pub const FIXED: [&str; 62] = [
    "seed",
    "replications",
    "simulated_s",
    "conversations.arrived",
    "conversations.answered",
    "conversations.abandoned",
    "conversations.short_abandoned",
    "conversations.delayed",
    "conversations.closed",
    "conversations.in_system_at_end",
    "conversations.released",
    "conversations.retrials",
    "conversations.transferred",
    "customers",
    "handle_s.mean",
    "handle_s.p50",
    "handle_s.p90",
    "invitations.sent",
    "invitations.accepted",
    "invitations.rejected",
    "invitations.timed_out",
    "conversations.overflowed",
    "overflow.ended",
    "overflow.transferred",
    "overflow.callbacks",
    "routing.unmatched",
    "wait_s.mean",
    "wait_s.p50",
    "wait_s.p90",
    "wait_s.p99",
    "wait_s.max",
    "service_level.threshold_s",
    "service_level.fraction",
    "abandonment_rate",
    "occupancy",
    "overallocation.events",
    "overallocation.agents",
    "overallocation.max_units",
    "overallocation.unit_seconds",
    "overallocation.time_s",
    "rule_violations.total",
    "invariant_violations",
    "supervisor_actions.monitor",
    "supervisor_actions.join",
    "supervisor_actions.assign_to_agent",
    "supervisor_actions.assign_to_queue",
    "supervisor_actions.transfer",
    "supervisor_actions.force_close",
    "supervisor_actions.refused",
    "supervisor_reaction_s.count",
    "supervisor_reaction_s.mean",
    "supervisor_reaction_s.p90",
    "supervisor_reaction_s.max",
    "joins.count",
    "joins.notified_agent",
    "joins.notified_customer",
    "engine.commands",
    "engine.decision_ns.p50",
    "engine.decision_ns.p99",
    "engine.decision_ns.max",
    "engine.wall_s",
    "engine.conversations_per_s",
];

/// The leaves under `queues.<name>.`.
pub const QUEUE_LEAVES: [&str; 9] = [
    "arrived",
    "overflowed",
    "answered",
    "abandoned",
    "short_abandoned",
    "service_level",
    "wait_s.mean",
    "wait_s.p90",
    "transferred_in",
];

/// The leaves under `overflow.by_queue.<name>.` (OVF-HOURS, OVF-LIMIT, OVF-WAIT).
pub const OVERFLOW_KINDS: [&str; 3] = ["out_of_hours", "work_items_over", "waited_over"];

/// What the scenario-dependent paths depend on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricScope {
    /// Per queue, in file order.
    pub queues: Vec<QueueScope>,
    /// `false` while the queues' rules are unknown (the `[[queues]]` section has errors of its
    /// own): then any rule name and any queue's overflow kinds are accepted.
    pub complete: bool,
    /// Agent group names (`agent_groups.<group>.<leaf>`; roster agents by their names).
    pub groups: Vec<String>,
    /// `false` while roster agents are not known yet (a `[traffic] roster` read later): then
    /// any group name is accepted.
    pub groups_complete: bool,
    /// `summary.json`'s `policies` keys: `S/P` of every supervisor policy and `S/script[n]` of
    /// every script line.
    pub policies: Vec<String>,
    /// `false` while the supervisors are unknown (their section has errors of its own): then
    /// any policy name is accepted.
    pub policies_complete: bool,
}

/// The leaves under `policies.<S/P>.` (besides `by_rule.<RULE>`).
pub(crate) const POLICY_LEAVES: [&str; 4] = ["accepted", "refused", "skipped_no_agent", "given_up"];

/// `summary.json`'s `policies` keys of these supervisors: `S/P` of each policy, `S/script[n]`
/// of each script line (`n` its line in the file), as the simulator names its sources.
pub(crate) fn policy_names(sups: &[super::Supervisor]) -> Vec<String> {
    sups.iter()
        .flat_map(|s| {
            s.policies
                .iter()
                .map(move |p| format!("{}/{}", s.name, p.name))
                .chain(
                    s.script
                        .iter()
                        .map(move |l| format!("{}/script[{}]", s.name, l.line)),
                )
        })
        .collect()
}

/// The leaves under `agent_groups.<name>.`.
pub(crate) const GROUP_LEAVES: [&str; 3] = ["conversations", "busy_s", "occupancy"];

/// One queue's names in `summary.json`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueScope {
    /// `name`.
    pub name: String,
    /// Its `[[queues.assignment_rules]]` names (default `rule-N`): `routing.by_rule.<name>/<rule>`.
    pub rules: Vec<String>,
    /// Whether it has `[[queues.overflow]]` rules: `overflow.by_queue.<name>.<kind>`.
    pub overflow: bool,
}

impl MetricScope {
    /// The scope of these queues.
    pub fn of(queues: &[super::Queue]) -> MetricScope {
        MetricScope {
            queues: queues
                .iter()
                .map(|q| QueueScope {
                    name: q.name.clone(),
                    rules: q.assignment_rules.iter().map(|r| r.name.clone()).collect(),
                    overflow: !q.overflow.is_empty(),
                })
                .collect(),
            complete: true,
            groups: Vec::new(),
            groups_complete: false,
            policies: Vec::new(),
            policies_complete: false,
        }
    }

    /// The scope of a loaded scenario: its queues and its agent groups (roster agents included).
    pub fn of_scenario(sc: &super::Scenario) -> MetricScope {
        MetricScope {
            groups: sc.agent_groups.iter().map(|g| g.name.clone()).collect(),
            groups_complete: true,
            policies: policy_names(&sc.supervisors),
            policies_complete: true,
            ..MetricScope::of(&sc.queues)
        }
    }

    /// The scope of queues known by name only (their rules unknown, see
    /// [`MetricScope::complete`]).
    pub fn names_only(names: &[&str]) -> MetricScope {
        MetricScope {
            queues: names
                .iter()
                .map(|n| QueueScope {
                    name: n.to_string(),
                    ..QueueScope::default()
                })
                .collect(),
            complete: false,
            ..MetricScope::default()
        }
    }
}

/// `rest` is `<name>.<leaf>` with `leaf` one of `leaves`.
fn queue_leaf(rest: &str, name: &str, leaves: &[&str]) -> bool {
    rest.strip_prefix(name)
        .and_then(|r| r.strip_prefix('.'))
        .is_some_and(|leaf| leaves.contains(&leaf))
}

/// Whether `path` names a numeric leaf of `summary.json` for a scenario of this scope. Keys in
/// double quotes are read as the keys they quote (`policies."sup/p".given_up`).
pub fn is_known_metric(path: &str, scope: &MetricScope) -> bool {
    if path.contains('"') {
        return crate::text::path::split(path).is_ok_and(|keys| {
            let plain: Vec<&str> = keys
                .iter()
                .map(|k| match k {
                    crate::text::path::Key::Plain(s) | crate::text::path::Key::Quoted(s) => {
                        s.as_str()
                    }
                })
                .collect();
            // Not `is_known_metric` again: a key may itself hold a quote (a group named
            // `a"`), and its joined path would be read as quoted again, for ever (the
            // twenty-first tester's stack overflow).
            known_unquoted(&plain.join("."), scope)
        });
    }
    known_unquoted(path, scope)
}

/// [`is_known_metric`] of a path whose quotes, if any, are part of its names.
fn known_unquoted(path: &str, scope: &MetricScope) -> bool {
    if FIXED.contains(&path) {
        return true;
    }
    if let Some(rule) = path.strip_prefix("rule_violations.by_rule.") {
        return RuleId::parse(rule).is_some();
    }
    if let Some(rest) = path.strip_prefix("queues.") {
        // Queue names may contain dots, so try each known name as a prefix.
        return scope
            .queues
            .iter()
            .any(|q| queue_leaf(rest, &q.name, &QUEUE_LEAVES));
    }
    if let Some(rest) = path.strip_prefix("routing.by_rule.") {
        return scope.queues.iter().any(|q| {
            rest.strip_prefix(q.name.as_str())
                .and_then(|r| r.strip_prefix('/'))
                .is_some_and(|rule| !scope.complete || q.rules.iter().any(|r| r == rule))
        });
    }
    if let Some(rest) = path.strip_prefix("agent_groups.") {
        return match rest.rsplit_once('.') {
            Some((g, leaf)) if GROUP_LEAVES.contains(&leaf) => {
                !scope.groups_complete || scope.groups.iter().any(|n| n == g)
            }
            _ => false,
        };
    }
    if let Some(rest) = path.strip_prefix("overflow.by_queue.") {
        return scope.queues.iter().any(|q| {
            (q.overflow || !scope.complete) && queue_leaf(rest, &q.name, &OVERFLOW_KINDS)
        });
    }
    if let Some(rest) = path.strip_prefix("policies.") {
        let leaf = |l: &str| {
            POLICY_LEAVES.contains(&l)
                || l.strip_prefix("by_rule.")
                    .is_some_and(|r| RuleId::parse(r).is_some())
        };
        if !scope.policies_complete {
            // Any name: the leaf is what follows one of the dots.
            return rest
                .match_indices('.')
                .any(|(i, _)| i > 0 && leaf(&rest[i + 1..]));
        }
        return scope.policies.iter().any(|p| {
            rest.strip_prefix(p.as_str())
                .and_then(|r| r.strip_prefix('.'))
                .is_some_and(leaf)
        });
    }
    false
}

/// Every known path for this scope (for "did you mean" hints).
pub(crate) fn all_metrics(scope: &MetricScope) -> Vec<String> {
    let mut out: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
    out.extend(
        RuleId::ALL
            .iter()
            .map(|r| format!("rule_violations.by_rule.{}", r.as_str())),
    );
    for g in &scope.groups {
        out.extend(GROUP_LEAVES.iter().map(|l| format!("agent_groups.{g}.{l}")));
    }
    for p in &scope.policies {
        let p = crate::text::path::render(&[p]);
        out.extend(POLICY_LEAVES.iter().map(|l| format!("policies.{p}.{l}")));
    }
    for q in &scope.queues {
        let n = &q.name;
        out.extend(QUEUE_LEAVES.iter().map(|l| format!("queues.{n}.{l}")));
        out.extend(q.rules.iter().map(|r| format!("routing.by_rule.{n}/{r}")));
        if q.overflow {
            out.extend(
                OVERFLOW_KINDS
                    .iter()
                    .map(|k| format!("overflow.by_queue.{n}.{k}")),
            );
        }
    }
    out
}

/// The "did you mean" hint for an unknown `path`: the closest known path, else (a queue's rule
/// or overflow counts the scenario does not have) what that part of the summary holds.
pub(crate) fn suggest(path: &str, scope: &MetricScope) -> Option<String> {
    let known = all_metrics(scope);
    if let Some(c) = super::suggest::closest(path, known.iter().map(String::as_str)) {
        return Some(format!("did you mean {c:?}?"));
    }
    let under = |prefix: &str| -> Option<String> {
        path.starts_with(prefix).then(|| {
            let here: Vec<&str> = known
                .iter()
                .filter(|k| k.starts_with(prefix))
                .map(String::as_str)
                .collect();
            if here.is_empty() {
                format!(
                    "this scenario has no `{}` paths",
                    prefix.trim_end_matches('.')
                )
            } else {
                format!("expected one of {}", super::suggest::quoted_list(here))
            }
        })
    };
    under("routing.by_rule.").or_else(|| under("overflow.by_queue."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(names: &[&str]) -> MetricScope {
        MetricScope {
            complete: true,
            ..MetricScope::names_only(names)
        }
    }

    /// Unified routing's per-rule and per-queue overflow counts, with names holding dots and
    /// slashes (`routing.by_rule["a.b/x/y"]`).
    #[test]
    fn routing_and_overflow_paths() {
        let mut s = scope(&["general", "a.b", "vip"]);
        s.queues[0].rules = vec!["closest-fit".into(), "rule-2".into()];
        s.queues[0].overflow = true;
        s.queues[1].rules = vec!["x/y".into()];
        for p in [
            "routing.by_rule.general/closest-fit",
            "routing.by_rule.general/rule-2",
            "routing.by_rule.a.b/x/y",
            "overflow.by_queue.general.out_of_hours",
            "overflow.by_queue.general.waited_over",
            "routing.unmatched",
            "overflow.callbacks",
        ] {
            assert!(is_known_metric(p, &s), "{p}");
        }
        for p in [
            "routing.by_rule.general/closest",
            "routing.by_rule.vip/rule-1",
            "routing.by_rule.general",
            "routing.by_rule.a.b/x",
            "overflow.by_queue.vip.out_of_hours",
            "overflow.by_queue.general.waited",
        ] {
            assert!(!is_known_metric(p, &s), "{p}");
        }
        assert_eq!(
            suggest("routing.by_rule.general/closets-fit", &s).as_deref(),
            Some("did you mean \"routing.by_rule.general/closest-fit\"?")
        );
        assert_eq!(
            suggest("overflow.by_queue.vip.work_items_over", &s).as_deref(),
            Some("did you mean \"overflow.by_queue.general.work_items_over\"?")
        );
        // Rules unknown (the queues had errors): any rule of a known queue passes.
        let lax = MetricScope::names_only(&["general"]);
        assert!(is_known_metric("routing.by_rule.general/anything", &lax));
        assert!(!is_known_metric("routing.by_rule.other/anything", &lax));
    }

    /// Issue 25, fourteenth session: `summary.json`'s `policies."S/P".…` could not be gated
    /// (a scenario threshold on it was an unknown path), quoted or not.
    #[test]
    fn policy_paths() {
        let mut s = scope(&["q"]);
        s.policies = vec!["sup/p".into(), "a.b/c".into(), "sup/script[4]".into()];
        s.policies_complete = true;
        for p in [
            "policies.\"sup/p\".given_up",
            "policies.sup/p.given_up",
            "policies.\"a.b/c\".skipped_no_agent",
            "policies.a.b/c.refused",
            "policies.sup/script[4].accepted",
            "policies.\"sup/p\".by_rule.ASSIGN-STATE",
            "queues.\"q\".arrived",
        ] {
            assert!(is_known_metric(p, &s), "{p}");
        }
        for p in [
            "policies.\"sup/x\".given_up",
            "policies.sup/p.gave_up",
            "policies.sup/p",
            "policies.\"sup/p.given_up",
            "policies.sup/p.by_rule.NOPE",
        ] {
            assert!(!is_known_metric(p, &s), "{p}");
        }
        assert_eq!(
            suggest("policies.\"sup/p\".givenup", &s).as_deref(),
            Some("did you mean \"policies.\\\"sup/p\\\".given_up\"?")
        );
        // Supervisors unknown (their section had errors): any name passes, not any leaf.
        let lax = scope(&["q"]);
        assert!(is_known_metric("policies.x/y.given_up", &lax));
        assert!(!is_known_metric("policies.x/y.gave_up", &lax));
    }

    #[test]
    fn known_paths() {
        let queues = scope(&["billing", "a.b"]);
        for p in [
            "wait_s.p90",
            "service_level.fraction",
            "rule_violations.by_rule.ASSIGN-STATE",
            "queues.billing.wait_s.p90",
            "queues.a.b.arrived",
            "overallocation.unit_seconds",
            "supervisor_actions.refused",
        ] {
            assert!(is_known_metric(p, &queues), "{p}");
        }
    }

    #[test]
    fn unknown_paths() {
        let queues = scope(&["billing"]);
        for p in [
            "wait_s.p95",
            "wait_s",
            "rule_violations.by_rule.NOPE",
            "queues.tech.arrived",
            "queues.billing.wait_s.p99",
            "scenario",
            "",
        ] {
            assert!(!is_known_metric(p, &queues), "{p}");
        }
    }

    #[test]
    fn every_listed_path_is_known() {
        let mut queues = scope(&["q", "r.s"]);
        queues.queues[1].rules = vec!["rule-1".into(), "a/b".into()];
        queues.queues[1].overflow = true;
        for p in all_metrics(&queues) {
            assert!(is_known_metric(&p, &queues), "{p}");
        }
    }

    /// The twenty-first tester: a quoted key holding an escaped quote (`queues."a\"".arrived`,
    /// the queue `a"`) overflowed the stack (exit 134) instead of being read.
    #[test]
    fn a_quoted_key_holding_a_quote_is_read_once() {
        let s = scope(&["a\"", "b"]);
        assert!(is_known_metric(r#"queues."a\"".arrived"#, &s));
        assert!(is_known_metric(r#"queues.a".arrived"#, &s));
        assert!(!is_known_metric(r#"queues."b\"".arrived"#, &s));
        assert!(!is_known_metric(r#"queues."a\"".nothing"#, &s));
    }
}
