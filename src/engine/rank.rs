//! The one ranking of agents: every order-by, the queue's out-of-the-box assignment methods
//! (RT-METHOD) as built-in orders beside the assignment rules' `order_by` (RT-RULESET). The
//! routing indices key agents with [`index_key`], the rules' cells split their tiers with
//! [`proficiency`], and explained decisions show [`shown`]: a new order-by is one arm in each
//! of these three functions, side by side.
//!
//! Keys are `(primary, tie-break, agent id)`, smaller first. Every order but the method round
//! robin (member order, a cyclic pointer) breaks ties by the last assignment (oldest first,
//! never assigned before an assignment at 0 ms) and then by id: the method least active as the
//! rule's `least_active` does (it broke them by id alone, so at t = 0 agents that had just
//! taken work were picked again before never-assigned ones; issue 25, fourth pass, F11).

use crate::model::{AgentId, AssignmentMethod};

use super::ruleset::OrderBy;
use super::skills::{closeness, rating_of, Rating, SkillId};
use super::state::{Agent, IndexKey};

/// What ranks the agents of a queue: its assignment method, or an assignment rule's order-by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    /// The queue's method (RT-METHOD).
    Method(AssignmentMethod),
    /// An assignment rule's `order_by` (RT-RULESET).
    Rule(OrderBy),
}

/// The most free units first, as a key (smaller first).
#[inline]
fn most_free(a: &Agent) -> u64 {
    u64::MAX / 2 - a.free().max(0) as u64
}

/// Agent `id`'s key under `order` in its `slot`-th queue (eligibility is the caller's).
/// Proficiency order-bys rank here by the tie-break only: their proficiency is constant within
/// a profile group and splits the cells into tiers instead ([`proficiency`]).
#[inline]
pub(crate) fn index_key(order: Order, a: &Agent, slot: usize, id: AgentId) -> IndexKey {
    let last = a.assign_key();
    let (first, tie) = match order {
        Order::Method(AssignmentMethod::HighestCapacity)
        | Order::Rule(OrderBy::AvailableCapacity) => (most_free(a), last),
        Order::Method(AssignmentMethod::AdvancedRoundRobin) | Order::Rule(OrderBy::RoundRobin) => {
            (a.queue_turn[slot], last)
        }
        // Member order: the cyclic pointer walks the index from the last chosen position.
        Order::Method(AssignmentMethod::RoundRobin) => (0, 0),
        Order::Method(AssignmentMethod::LeastActive) | Order::Rule(OrderBy::LeastActive) => {
            (a.release_key(), last)
        }
        Order::Rule(OrderBy::MostProficient | OrderBy::NearestProficient | OrderBy::SkillCount) => {
            (0, last)
        }
    };
    (first, tie, id.0)
}

/// A proficiency order-by for an agent with skills `have` serving `req`: its tier key (smaller
/// first) and the value an explained decision shows (a rating sum, `missing·1000 + distance`,
/// a count of skills held at the rating). `(0, 0)` for the order-bys that do not look at skills.
#[inline]
pub(crate) fn proficiency(
    order_by: OrderBy,
    have: &[(SkillId, Rating)],
    req: &[(SkillId, Rating)],
) -> (u64, i64) {
    match order_by {
        OrderBy::MostProficient => {
            let sum: u64 = req.iter().map(|(s, _)| rating_of(have, *s) as u64).sum();
            (u64::MAX / 2 - sum, sum as i64)
        }
        OrderBy::NearestProficient => {
            let (_, missing, distance) = closeness(have, req);
            (
                ((missing as u64) << 32) | distance as u64,
                missing as i64 * 1000 + distance as i64,
            )
        }
        OrderBy::SkillCount => {
            let held = req
                .iter()
                .filter(|(s, r)| rating_of(have, *s) >= *r)
                .count() as u64;
            (u64::MAX / 2 - held, held as i64)
        }
        OrderBy::AvailableCapacity | OrderBy::RoundRobin | OrderBy::LeastActive => (0, 0),
    }
}

/// What an explained decision shows of the chosen agent's rank under `order`: the order's name
/// and the agent's value (free units, a turn count, a 1-based member position, ms, or the
/// proficiency value). `position` is asked only for the method round robin.
pub(crate) fn shown(
    order: Order,
    a: &Agent,
    turn: i64,
    position: impl FnOnce() -> i64,
    have: &[(SkillId, Rating)],
    req: &[(SkillId, Rating)],
) -> (&'static str, i64) {
    match order {
        Order::Method(m) => match m {
            AssignmentMethod::HighestCapacity => ("free_units", a.free()),
            AssignmentMethod::AdvancedRoundRobin => ("queue_turns", turn),
            AssignmentMethod::RoundRobin => ("member_position", position()),
            AssignmentMethod::LeastActive => (
                "last_release_ms",
                a.last_release.map_or(0, |t| t.as_millis() as i64),
            ),
        },
        Order::Rule(o) => {
            let value = match o {
                OrderBy::AvailableCapacity => a.free(),
                OrderBy::RoundRobin => turn,
                OrderBy::LeastActive => a.last_release.map_or(0, |t| t.as_millis() as i64),
                OrderBy::MostProficient | OrderBy::NearestProficient | OrderBy::SkillCount => {
                    proficiency(o, have, req).1
                }
            };
            (o.as_str(), value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Presence, QueueId};
    use crate::time::SimTime;

    /// 100 units, 30 used and 20 reserved (50 free), 4 turns in its queue, last assigned at
    /// 7 s and last released at 9 s.
    fn agent() -> Agent {
        Agent {
            capacity: 100,
            used: 30,
            reserved: 20,
            pending_units: 0,
            manual: None,
            presence: Presence::Available,
            places: vec![crate::engine::state::Place::new(QueueId(0))],
            slots: vec![(QueueId(0), 0)],
            queue_turn: vec![4],
            pending: 0,
            holding: 0,
            last_assign: Some(SimTime(7_000)),
            last_release: Some(SimTime(9_000)),
            keyless: crate::engine::state::Keyless(false),
        }
    }

    #[test]
    fn methods_and_rule_order_bys_share_their_keys_but_not_every_tie_break() {
        let a = agent();
        let id = AgentId(3);
        let key = |o| index_key(o, &a, 0, id);
        // Times are keyed as ms + 1 (never = 0 ranks first): last assignment 7000 ms → 7001,
        // last release 9000 ms → 9001 (`Agent::assign_key`, `release_key`).
        // Highest capacity and available capacity: the most free units first (50 free).
        let cap = (u64::MAX / 2 - 50, 7_001, 3);
        assert_eq!(key(Order::Method(AssignmentMethod::HighestCapacity)), cap);
        assert_eq!(key(Order::Rule(OrderBy::AvailableCapacity)), cap);
        // Advanced round robin and the rules' round robin: the fewest turns first.
        assert_eq!(
            key(Order::Method(AssignmentMethod::AdvancedRoundRobin)),
            (4, 7_001, 3)
        );
        assert_eq!(key(Order::Rule(OrderBy::RoundRobin)), (4, 7_001, 3));
        // Least active: the method and the rule both break ties by last assignment first.
        assert_eq!(
            key(Order::Method(AssignmentMethod::LeastActive)),
            (9_001, 7_001, 3)
        );
        assert_eq!(key(Order::Rule(OrderBy::LeastActive)), (9_001, 7_001, 3));
        assert_eq!(key(Order::Method(AssignmentMethod::RoundRobin)), (0, 0, 3));
        assert_eq!(key(Order::Rule(OrderBy::MostProficient)), (0, 7_001, 3));
    }

    #[test]
    fn proficiency_keys_and_shown_values_agree() {
        // Holds skill 0 at 5 and skill 1 at 3; the requirement is skill 0 at 3 and skill 1 at 4.
        let have = [(0, 5), (1, 3)];
        let req = [(0, 3), (1, 4)];
        // Ratings 5 + 3 = 8.
        assert_eq!(
            proficiency(OrderBy::MostProficient, &have, &req),
            (u64::MAX / 2 - 8, 8)
        );
        // Skill 1 is missing (3 < 4); distance |5 − 3| + |3 − 4| = 3.
        assert_eq!(
            proficiency(OrderBy::NearestProficient, &have, &req),
            ((1 << 32) | 3, 1003)
        );
        // Only skill 0 is held at its rating.
        assert_eq!(
            proficiency(OrderBy::SkillCount, &have, &req),
            (u64::MAX / 2 - 1, 1)
        );
        assert_eq!(proficiency(OrderBy::LeastActive, &have, &req), (0, 0));
        let a = agent();
        let shown_as = |o| shown(o, &a, 4, || 2, &have, &req);
        assert_eq!(
            shown_as(Order::Method(AssignmentMethod::HighestCapacity)),
            ("free_units", 50)
        );
        assert_eq!(
            shown_as(Order::Method(AssignmentMethod::RoundRobin)),
            ("member_position", 2)
        );
        assert_eq!(
            shown_as(Order::Rule(OrderBy::MostProficient)),
            ("most_proficient", 8)
        );
        assert_eq!(
            shown_as(Order::Rule(OrderBy::LeastActive)),
            ("least_active", 9_000)
        );
    }
}
