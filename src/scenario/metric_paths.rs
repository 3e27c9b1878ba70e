//! The `summary.json` paths a threshold may name: every numeric leaf of the summary object.

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

/// Whether `path` names a numeric leaf of `summary.json` for a scenario with these queues.
pub fn is_known_metric(path: &str, queue_names: &[&str]) -> bool {
    if FIXED.contains(&path) {
        return true;
    }
    if let Some(rule) = path.strip_prefix("rule_violations.by_rule.") {
        return RuleId::parse(rule).is_some();
    }
    if let Some(rest) = path.strip_prefix("queues.") {
        // Queue names may contain dots, so try each known name as a prefix.
        return queue_names.iter().any(|q| {
            rest.strip_prefix(q)
                .and_then(|r| r.strip_prefix('.'))
                .is_some_and(|leaf| QUEUE_LEAVES.contains(&leaf))
        });
    }
    false
}

/// Every known path for these queues (for "did you mean" hints).
pub(crate) fn all_metrics(queue_names: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
    out.extend(
        RuleId::ALL
            .iter()
            .map(|r| format!("rule_violations.by_rule.{}", r.as_str())),
    );
    for q in queue_names {
        out.extend(QUEUE_LEAVES.iter().map(|l| format!("queues.{q}.{l}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths() {
        let queues = ["billing", "a.b"];
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
        let queues = ["billing"];
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
        let queues = ["q"];
        for p in all_metrics(&queues) {
            assert!(is_known_metric(&p, &queues), "{p}");
        }
    }
}
