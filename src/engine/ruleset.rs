//! Custom assignment (RT-PRIORITIZE, RT-RULESET): the setup types.
//!
//! Sources: the product's documentation on assignment methods ("Create and manage assignment
//! methods": prioritization rulesets and assignment rulesets); the rules are RT-PRIORITIZE and
//! RT-RULESET in `docs/product.md`, the keys `[[queues.prioritization]]` and
//! `[[queues.assignment_rules]]` in `docs/contract.md`.
//!
//! Prioritization sorts a queue's Open conversations into ordered buckets by their attributes;
//! an assignment ruleset replaces the queue's method: its rules are tried in order for each
//! conversation and the first that matches an eligible agent picks by its order-by. How the
//! engine keeps both logarithmic is in `ruleset_route`.

use crate::model::PresenceSet;

/// A rule's skill condition (`skills` of an assignment rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RuleSkills {
    /// Only agents holding every required skill at ≥ the required rating (RT-SKILL).
    #[default]
    Exact,
    /// Nobody is excluded; closer agents first (RT-CLOSEST), then the order-by.
    Closest,
    /// Skills are ignored.
    Any,
}

impl RuleSkills {
    /// The scenario-file spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSkills::Exact => "exact",
            RuleSkills::Closest => "closest",
            RuleSkills::Any => "any",
        }
    }

    /// Reads `exact` / `closest` / `any`.
    pub fn parse(s: &str) -> Option<RuleSkills> {
        [RuleSkills::Exact, RuleSkills::Closest, RuleSkills::Any]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// An assignment rule's order-by (contract.md, "Unified routing"). Ties always go to the
/// earliest last assignment, then the lowest agent id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderBy {
    /// Most free units first.
    #[default]
    AvailableCapacity,
    /// Per-queue rotation: the agent whose last assignment in this queue is the oldest first.
    RoundRobin,
    /// Longest since the agent last released capacity first.
    LeastActive,
    /// Highest sum of ratings over the required skills first.
    MostProficient,
    /// Fewest required skills missing or below rating, then smallest Σ |rating − required|.
    NearestProficient,
    /// Most required skills held at the required rating first.
    SkillCount,
}

impl OrderBy {
    /// Every order-by, in the contract's order.
    pub const ALL: [OrderBy; 6] = [
        OrderBy::AvailableCapacity,
        OrderBy::RoundRobin,
        OrderBy::LeastActive,
        OrderBy::MostProficient,
        OrderBy::NearestProficient,
        OrderBy::SkillCount,
    ];

    /// The scenario-file spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderBy::AvailableCapacity => "available_capacity",
            OrderBy::RoundRobin => "round_robin",
            OrderBy::LeastActive => "least_active",
            OrderBy::MostProficient => "most_proficient",
            OrderBy::NearestProficient => "nearest_proficient",
            OrderBy::SkillCount => "skill_count",
        }
    }

    /// Reads the scenario-file spelling.
    pub fn parse(s: &str) -> Option<OrderBy> {
        OrderBy::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether the order depends on the agent's skills against the conversation's requirement.
    pub fn by_proficiency(self) -> bool {
        matches!(
            self,
            OrderBy::MostProficient | OrderBy::NearestProficient | OrderBy::SkillCount
        )
    }
}

/// One assignment rule as the engine needs it (names stay with the caller; rules are numbered
/// by their position in the queue's list).
#[derive(Clone, Debug, PartialEq)]
pub struct AssignmentRule {
    /// The skill condition.
    pub skills: RuleSkills,
    /// Presences an agent may have (the caller resolves the work stream's default).
    pub presences: PresenceSet,
    /// Agent groups (numbers from [`RulesetSetup::agent_groups`]) the agent must be in;
    /// `None`: every member of the queue.
    pub groups: Option<Vec<u32>>,
    /// The order among the agents that match.
    pub order_by: OrderBy,
}

/// A condition on a conversation's attributes: every `(attribute, allowed values)` must hold
/// (attribute and value numbers are the caller's, global across work streams); empty always
/// holds. A conversation without the attribute does not meet it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttrCondition(pub Vec<(u16, Vec<u16>)>);

impl AttrCondition {
    /// Whether `attrs` (sorted `(attribute, value)` pairs) meets it.
    pub fn holds(&self, attrs: &[(u16, u16)]) -> bool {
        self.0.iter().all(|(a, vals)| {
            attrs
                .binary_search_by_key(a, |e| e.0)
                .is_ok_and(|i| vals.contains(&attrs[i].1))
        })
    }
}

/// A queue's prioritization and assignment rules.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueRulesets {
    /// RT-PRIORITIZE: bucket conditions in order (empty: arrival order).
    pub prioritization: Vec<AttrCondition>,
    /// RT-RULESET: the assignment rules in order (empty: the queue's method).
    pub assignment: Vec<AssignmentRule>,
}

impl QueueRulesets {
    /// Whether the queue uses either ruleset.
    pub fn any(&self) -> bool {
        !self.prioritization.is_empty() || !self.assignment.is_empty()
    }
}

/// The rulesets part of an engine setup. The default (no rules) routes exactly as before.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RulesetSetup {
    /// Each agent's group number, by agent id (for rules' `groups`; past the end: group 0).
    pub agent_groups: Vec<u32>,
    /// Each queue's rules, by queue id (past the end: none).
    pub queues: Vec<QueueRulesets>,
}

impl RulesetSetup {
    /// Whether any queue uses a ruleset.
    pub fn any(&self) -> bool {
        self.queues.iter().any(QueueRulesets::any)
    }
}

/// An interned set of attribute values (from [`Engine::attributes`](super::Engine::attributes));
/// `AttrId(0)` has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct AttrId(pub u32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_need_every_attribute() {
        let c = AttrCondition(vec![(0, vec![1]), (2, vec![0, 3])]);
        assert!(c.holds(&[(0, 1), (1, 5), (2, 3)]));
        assert!(!c.holds(&[(0, 1), (2, 2)]));
        assert!(!c.holds(&[(0, 1)]));
        assert!(AttrCondition::default().holds(&[]));
    }

    #[test]
    fn spellings_round_trip() {
        for o in OrderBy::ALL {
            assert_eq!(OrderBy::parse(o.as_str()), Some(o));
        }
        assert_eq!(RuleSkills::parse("any"), Some(RuleSkills::Any));
        assert_eq!(RuleSkills::parse("none"), None);
    }
}
