//! A contact's attributes and the engine's side of custom assignment (RT-PRIORITIZE,
//! RT-RULESET): attribute draws, one attribute space
//! across work streams (attribute and value numbers by name, so a conversation transferred to
//! another work stream's queue is still bucketed by its `tier`), and the engine's ruleset setup
//! from the scenario's `[[queues.prioritization]]` and `[[queues.assignment_rules]]`.

use std::collections::HashMap;

use crate::engine::{AssignmentRule, AttrCondition, QueueRulesets, RulesetSetup};
use crate::rng::SimRng;
use crate::scenario::{Condition, Scenario, WsRouting};

/// Attribute and value numbers shared by every work stream.
#[derive(Clone, Debug, Default)]
pub(crate) struct AttrSpace {
    /// `per_ws[w][a]`: the global number of work stream `w`'s attribute `a`, and of each of its
    /// values.
    per_ws: Vec<Vec<(u16, Vec<u16>)>>,
}

impl AttrSpace {
    /// Numbers every attribute by its name and every value by (attribute, value name), in order
    /// of first appearance over the work streams.
    pub(crate) fn new(sc: &Scenario) -> AttrSpace {
        let mut attrs: HashMap<&str, (u16, HashMap<&str, u16>)> = HashMap::new();
        let mut per_ws = Vec::with_capacity(sc.workstreams.len());
        for w in &sc.workstreams {
            let mut mine = Vec::with_capacity(w.routing.attributes.len());
            for a in &w.routing.attributes {
                let next = attrs.len() as u16;
                let (id, values) = attrs
                    .entry(a.name.as_str())
                    .or_insert_with(|| (next, HashMap::new()));
                let vals = a
                    .values
                    .iter()
                    .map(|v| {
                        let n = values.len() as u16;
                        *values.entry(v.as_str()).or_insert(n)
                    })
                    .collect();
                mine.push((*id, vals));
            }
            per_ws.push(mine);
        }
        AttrSpace { per_ws }
    }

    /// Work stream `ws`'s drawn values (a value number per attribute) as global pairs.
    pub(crate) fn pairs(&self, ws: usize, attrs: &[u16]) -> Vec<(u16, u16)> {
        self.per_ws[ws]
            .iter()
            .zip(attrs)
            .map(|((a, vals), v)| (*a, vals[*v as usize]))
            .collect()
    }

    /// A condition on work stream `ws`'s attributes, in global numbers.
    fn condition(&self, ws: usize, c: &Condition) -> AttrCondition {
        AttrCondition(
            c.0.iter()
                .map(|(a, vals)| {
                    let (g, map) = &self.per_ws[ws][*a];
                    (*g, vals.iter().map(|v| map[*v as usize]).collect())
                })
                .collect(),
        )
    }
}

/// Whether some queue has prioritization rules (only then do conversations carry attribute
/// sets into the engine).
pub(crate) fn prioritized(sc: &Scenario) -> bool {
    sc.queues.iter().any(|q| !q.prioritization.is_empty())
}

/// The engine's ruleset setup: each agent's group number (its agent group's index) and each
/// queue's bucket conditions and assignment rules, a rule's presences defaulting to its work
/// stream's allowed presences.
pub(crate) fn ruleset_setup(sc: &Scenario) -> RulesetSetup {
    if !sc
        .queues
        .iter()
        .any(|q| !q.prioritization.is_empty() || !q.assignment_rules.is_empty())
    {
        return RulesetSetup::default();
    }
    let space = AttrSpace::new(sc);
    let mut agent_groups = Vec::with_capacity(sc.agent_count());
    for (gi, g) in sc.agent_groups.iter().enumerate() {
        agent_groups.extend((0..g.count).map(|_| gi as u32));
    }
    let queues = sc
        .queues
        .iter()
        .map(|q| {
            let ws = q.workstream.index();
            QueueRulesets {
                prioritization: q
                    .prioritization
                    .iter()
                    .map(|p| space.condition(ws, &p.when))
                    .collect(),
                assignment: q
                    .assignment_rules
                    .iter()
                    .map(|r| AssignmentRule {
                        skills: r.skills,
                        presences: r
                            .presence
                            .unwrap_or(sc.workstreams[ws].rules.allowed_presences),
                        groups: r
                            .groups
                            .as_ref()
                            .map(|gs| gs.iter().map(|g| *g as u32).collect()),
                        order_by: r.order_by,
                    })
                    .collect(),
            }
        })
        .collect();
    RulesetSetup {
        agent_groups,
        queues,
    }
}

/// One value index per attribute of work stream routing `ws`, each drawn with the attribute's
/// weights (inverse CDF on one uniform per attribute, in attribute order).
pub(crate) fn draw_attributes(ws: &WsRouting, rng: &mut SimRng) -> Vec<u16> {
    ws.attributes
        .iter()
        .map(|a| {
            let u = rng.uniform01();
            let mut acc = 0.0;
            for (i, w) in a.weights.iter().enumerate() {
                acc += w;
                if u < acc {
                    return i as u16;
                }
            }
            // Rounding left the sum a hair under 1: the last value with weight.
            a.weights.iter().rposition(|w| *w > 0.0).unwrap_or(0) as u16
        })
        .collect()
}

/// Whether the work stream uses attributes or classification at all.
pub(crate) fn used(ws: &WsRouting) -> bool {
    !ws.attributes.is_empty() || !ws.classification.is_empty()
}
