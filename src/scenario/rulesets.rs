//! Custom-assignment keys of a queue (contract.md "Unified routing"):
//! `[[queues.prioritization]]` (RT-PRIORITIZE) and `[[queues.assignment_rules]]` (RT-RULESET).

use super::routing::Condition;
use crate::engine::{OrderBy, RuleSkills};
use crate::model::PresenceSet;

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
    /// `name`, unique in its queue (`summary.json` counts it as `routing.by_rule["Q/name"]`).
    pub name: String,
    /// `skills`: `exact` (default), `closest`, `any`.
    pub skills: RuleSkills,
    /// `presence`; `None`: the work stream's `allowed_presences`.
    pub presence: Option<PresenceSet>,
    /// `groups` as agent-group indices; `None`: every member of the queue.
    pub groups: Option<Vec<usize>>,
    /// `order_by` (default `available_capacity`).
    pub order_by: OrderBy,
}
