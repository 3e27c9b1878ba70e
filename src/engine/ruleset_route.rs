//! Custom assignment without scanning agents (RT-PRIORITIZE, RT-RULESET).
//!
//! Sources: the product's documentation on assignment methods (prioritization rulesets,
//! assignment rulesets and their order-by); the rules are RT-PRIORITIZE and RT-RULESET in
//! `docs/product.md`, the order-by definitions and the tie rule in `docs/contract.md`.
//!
//! A queue with either ruleset is routed by the skill machinery of `skills` (profile groups,
//! requirement signatures), so the same logarithmic bounds hold:
//!
//! - **Prioritization** makes the bucket part of a conversation's signature: a signature is a
//!   (requirement, bucket) pair with its own arrival-ordered set, and routing merges the
//!   signatures by (bucket, arrival). A conversation's bucket is the first rule its attributes
//!   meet (cached per interned attribute set and queue), so a transfer re-buckets it for free.
//! - **Assignment rules** each keep, per profile group, a *cell*: the group's members that are
//!   in the rule's agent groups, with a [`RoutingIndex`] keyed by the rule's own eligibility
//!   (its presences, the conversation's units free, no pending invitation) and order-by. For a
//!   signature, each rule caches its cells in tiers: the skill condition (exact: the groups that
//!   satisfy; closest: closeness tiers; any: all), each tier split again by the proficiency
//!   order-bys, whose value is the same for every member of a profile. The rule's choice is the
//!   best root of the first tier that has one: O(rules · groups · log n) per decision.

use std::collections::HashMap;

use crate::model::{AgentId, AssignmentMethod, RoutingMode};

use super::index::RoutingIndex;
use super::ruleset::{AssignmentRule, AttrCondition, AttrId, RuleSkills};
use super::skills::{Group, Rating, SkillId, SkillMatching, SkillSet};
use super::state::{ConvId, IndexKey};
use super::{Engine, QueueId};

/// Interned attribute sets: sorted `(attribute, value)` pairs. Entry 0 is empty.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AttrTable {
    pub(crate) sets: Vec<Vec<(u16, u16)>>,
    ids: HashMap<Vec<(u16, u16)>, AttrId>,
}

impl Default for AttrTable {
    fn default() -> Self {
        let mut ids = HashMap::new();
        ids.insert(Vec::new(), AttrId(0));
        AttrTable {
            sets: vec![Vec::new()],
            ids,
        }
    }
}

impl AttrTable {
    fn intern(&mut self, attrs: &[(u16, u16)]) -> AttrId {
        let mut v = attrs.to_vec();
        v.sort_unstable();
        v.dedup_by_key(|e| e.0);
        if let Some(id) = self.ids.get(&v) {
            return *id;
        }
        let id = AttrId(self.sets.len() as u32);
        self.sets.push(v.clone());
        self.ids.insert(v, id);
        id
    }
}

/// One assignment rule of a queue, with one cell per profile group of the queue.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RulePool {
    pub(crate) rule: AssignmentRule,
    /// `cells[g]`: profile group `g`'s members (same positions), keyed by the rule; members
    /// outside the rule's agent groups are never eligible.
    pub(crate) cells: Vec<Group>,
    /// `reach[g]`: some member of cell `g` is in the rule's agent groups.
    pub(crate) reach: Vec<bool>,
}

impl RulePool {
    pub(crate) fn new(rule: AssignmentRule) -> RulePool {
        RulePool {
            rule,
            cells: Vec::new(),
            reach: Vec::new(),
        }
    }

    /// Whether the rule can never serve a conversation whose cells, by tier, are `tiers`: none
    /// of them has a member in the rule's agent groups.
    pub(crate) fn never_serves(&self, tiers: &[Vec<u32>]) -> bool {
        tiers.iter().flatten().all(|&g| !self.reach[g as usize])
    }

    /// Whether some cell has an eligible agent.
    pub(crate) fn staffed(&self) -> bool {
        self.cells.iter().any(|c| !c.index.is_empty())
    }
}

/// A rule's tiers of cells for requirement `req`: the skill condition's tiers, each split by
/// the proficiency key when the order-by has one.
pub(crate) fn rule_tiers(
    rule: &AssignmentRule,
    groups: &[Group],
    profiles: &[SkillSet],
    req: &[(SkillId, Rating)],
) -> Vec<Vec<u32>> {
    let matching = match rule.skills {
        RuleSkills::Exact => SkillMatching::Exact,
        RuleSkills::Closest => SkillMatching::Closest,
        RuleSkills::Any => SkillMatching::None,
    };
    let tiers = super::skills::tiers_for(matching, groups, profiles, req);
    if !rule.order_by.by_proficiency() {
        return tiers;
    }
    let mut out = Vec::new();
    for tier in tiers {
        let mut keyed: Vec<(u64, u32)> = tier
            .iter()
            .map(|&g| {
                let have = &profiles[groups[g as usize].profile as usize];
                (super::rank::proficiency(rule.order_by, have, req).0, g)
            })
            .collect();
        keyed.sort_unstable();
        let mut last = None;
        for (k, g) in keyed {
            if last != Some(k) {
                out.push(Vec::new());
                last = Some(k);
            }
            out.last_mut().expect("pushed").push(g);
        }
    }
    out
}

/// RT-PRIORITIZE: the bucket of attribute values `set` under `buckets`: the first condition it
/// meets, or the number of conditions when it meets none.
pub(crate) fn bucket_of(buckets: &[AttrCondition], set: &[(u16, u16)]) -> u8 {
    buckets
        .iter()
        .position(|c| c.holds(set))
        .unwrap_or(buckets.len()) as u8
}

impl Engine {
    /// Interns a conversation's attribute values (sorted or not; `(attribute, value)` numbers
    /// of the caller, the same ones the setup's prioritization conditions use) for
    /// [`arrive_tagged`](Self::arrive_tagged). Without prioritization anywhere every set is
    /// `AttrId(0)`: nothing reads it.
    pub fn attributes(&mut self, attrs: &[(u16, u16)]) -> AttrId {
        match self.skills.as_mut() {
            Some(s) if s.prioritized => s.attrs.intern(attrs),
            _ => AttrId(0),
        }
    }

    /// RT-PRIORITIZE: the bucket of attribute set `attrs` in `queue` (a skill queue): the first
    /// prioritization rule it meets, or the number of rules when it meets none.
    pub(crate) fn bucket(&mut self, queue: QueueId, attrs: AttrId) -> u8 {
        let s = self.skills.as_ref().expect("skill queue");
        let qs = self.queues[queue.index()]
            .skills
            .as_mut()
            .expect("skill queue");
        if qs.buckets.is_empty() {
            return 0;
        }
        let a = attrs.0 as usize;
        if let Some(&b) = qs.bucket_of.get(a).filter(|b| **b != u8::MAX) {
            return b;
        }
        let b = bucket_of(&qs.buckets, &s.attrs.sets[a]);
        if qs.bucket_of.len() <= a {
            qs.bucket_of.resize(a + 1, u8::MAX);
        }
        qs.bucket_of[a] = b;
        b
    }

    /// The agent's key in rule `rule` of the queue in its `slot`: `None` unless the rule's
    /// conditions hold now (an allowed presence, the work stream's units free, no pending
    /// invitation in push mode). Group membership is the cell's, not checked here.
    pub(crate) fn rule_key(
        &self,
        agent: AgentId,
        slot: usize,
        rule: &AssignmentRule,
    ) -> Option<IndexKey> {
        let a = &self.agents[agent.index()];
        let queue = &self.queues[a.places[slot].queue.index()];
        let ws = &self.workstreams[queue.workstream.index()];
        if !super::routing::takes_work(a, ws, rule.presences) {
            return None;
        }
        Some(super::rank::index_key(
            super::rank::Order::Rule(rule.order_by),
            a,
            slot,
            agent,
        ))
    }

    /// Whether `agent` belongs in rule `rule`'s cells (its agent groups).
    pub(crate) fn in_rule_groups(&self, agent: AgentId, rule: &AssignmentRule) -> bool {
        match &rule.groups {
            None => true,
            Some(gs) => {
                let g = self
                    .skills
                    .as_ref()
                    .and_then(|s| s.agent_group.get(agent.index()).copied())
                    .unwrap_or(0);
                gs.contains(&g)
            }
        }
    }

    /// Re-keys the agent in its `slot`-th queue in an engine with assignment rules: its leaf in
    /// the queue's own routing index (and in its profile group's, when the queue has no rules),
    /// then, when the queue has assignment rules, in every rule cell there (its leaf is its
    /// position in its profile group). Returns whether every one of these keys is `None`.
    ///
    /// One pass per place (issue 28, tenth round): the place, its queue and work stream and the
    /// part of `takes_work` that does not depend on a presence list are looked up once and serve
    /// the queue's key (the method's order, as `index_key` gives it) and each rule's
    /// ([`cell_key`](Self::cell_key)'s, with the agent's group and its last assignment read
    /// once): this runs after every change to an agent, for each of its queues. A key equal to
    /// the stored one writes nothing (`RoutingIndex::set` compares at the leaf).
    pub(crate) fn reindex_place_ruled(&mut self, agent: AgentId, slot: usize) -> bool {
        let Engine {
            agents,
            queues,
            workstreams,
            skills,
            ..
        } = self;
        let a = &agents[agent.index()];
        let place = a.places[slot];
        let queue = &mut queues[place.queue.index()];
        let ws = &workstreams[queue.workstream.index()];
        // `takes_work` but for the presence list, evaluated once.
        let works = (a.pending == 0 || ws.mode == RoutingMode::Pick)
            && !Engine::stops_work(a.presence)
            && a.free() >= ws.capacity_units as i64;
        // A queue with assignment rules never ranks by its method: its own (leaves-only) index
        // only counts who is eligible, so it keys them in member order, `(0, 0, id)`, a key
        // that changes only when eligibility does (no leaf write when free units or the last
        // assignment move, as they do at most re-keys).
        let ruled = queue.skills.as_ref().is_some_and(|qs| !qs.rules.is_empty());
        let method = if ruled {
            AssignmentMethod::RoundRobin
        } else {
            queue.method
        };
        let want = (works && ws.allowed_presences.contains(a.presence))
            .then(|| super::rank::index_key(super::rank::Order::Method(method), a, slot, agent));
        let mut none = want.is_none();
        let (g, pos) = (place.group as usize, place.group_pos as usize);
        if want != place.key {
            queue.index.set(place.member_pos as usize, want);
            // A queue with assignment rules chooses from the rules' cells, so its profile
            // groups keep no index of their own.
            if let Some(qs) = queue.skills.as_mut().filter(|qs| qs.rules.is_empty()) {
                qs.groups[g].index.set(pos, want);
            }
            agents[agent.index()].places[slot].key = want;
        }
        let a = &agents[agent.index()];
        let Some(qs) = queue.skills.as_mut() else {
            return none;
        };
        let agent_group = || {
            skills
                .as_ref()
                .and_then(|s| s.agent_group.get(agent.index()).copied())
                .unwrap_or(0)
        };
        for pool in qs.rules.iter_mut() {
            let rule = &pool.rule;
            let in_groups = match &rule.groups {
                None => true,
                Some(gs) => gs.contains(&agent_group()),
            };
            let want = (in_groups && works && rule.presences.contains(a.presence)).then(|| {
                super::rank::index_key(super::rank::Order::Rule(rule.order_by), a, slot, agent)
            });
            none &= want.is_none();
            // `set` leaves an unchanged key alone.
            pool.cells[g].index.set(pos, want);
        }
        none
    }

    /// The agent's key in a cell of `rule`: [`rule_key`](Self::rule_key), `None` outside the
    /// rule's agent groups.
    #[inline]
    pub(crate) fn cell_key(
        &self,
        agent: AgentId,
        slot: usize,
        rule: &AssignmentRule,
    ) -> Option<IndexKey> {
        if !self.in_rule_groups(agent, rule) {
            return None;
        }
        self.rule_key(agent, slot, rule)
    }

    /// Builds a queue's rule cells from its profile groups (after `rebuild_groups` placed them):
    /// a cell has its group's members as leaves, those outside the rule's agent groups never
    /// eligible.
    pub(crate) fn rebuild_rule_cells(&mut self, queue: QueueId) {
        let Some(qs) = self.queues[queue.index()].skills.as_ref() else {
            return;
        };
        if qs.rules.is_empty() {
            return;
        }
        let mut pools = qs.rules.clone();
        for pool in &mut pools {
            pool.cells = qs
                .groups
                .iter()
                .map(|grp| {
                    let mut index = RoutingIndex::default();
                    index.rebuild(grp.members.iter().map(|m| {
                        let slot = self.agents[m.index()]
                            .slot_of(queue)
                            .expect("a member lists its queue");
                        self.cell_key(*m, slot, &pool.rule)
                    }));
                    Group {
                        profile: grp.profile,
                        members: grp.members.clone(),
                        index,
                    }
                })
                .collect();
            pool.reach = pool
                .cells
                .iter()
                .map(|c| {
                    c.members
                        .iter()
                        .any(|m| self.in_rule_groups(*m, &pool.rule))
                })
                .collect();
        }
        self.queues[queue.index()]
            .skills
            .as_mut()
            .expect("checked")
            .rules = pools;
        // The cells' keys were written here, not by `reindex`.
        for m in self.queues[queue.index()].members.clone() {
            self.agents[m.index()].keyless = super::state::Keyless(false);
        }
    }

    /// Whether anyone in the queue could be offered a conversation now: some member is in the
    /// method's index, or (with assignment rules) some rule has an eligible agent.
    pub(crate) fn anyone_eligible(&self, queue: QueueId) -> bool {
        let q = &self.queues[queue.index()];
        match q.skills.as_ref() {
            Some(qs) if !qs.rules.is_empty() => qs.rules.iter().any(RulePool::staffed),
            _ => !q.index.is_empty(),
        }
    }

    /// RT-RULESET: the first rule (in order) with an eligible agent for `conv` (signature
    /// `sig`) picks its best by its tiers and order-by, skipping agents that refused the
    /// conversation too often. Returns the agent and the rule's number.
    pub(crate) fn choose_by_rules(
        &self,
        queue: QueueId,
        sig: usize,
        conv: ConvId,
    ) -> Option<(AgentId, u16)> {
        let qs = self.queues[queue.index()].skills.as_ref()?;
        let c = self.convs.get(conv)?;
        let skip = self.cfg.refusals_before_skip;
        let ok = |agent: u32| c.refusals.is_empty() || c.refusals_by(AgentId(agent)) < skip;
        let sig = &qs.sigs[sig];
        for (r, pool) in qs.rules.iter().enumerate() {
            for tier in &sig.rule_tiers[r] {
                let mut best: Option<IndexKey> = None;
                for &g in tier {
                    let cell = &pool.cells[g as usize];
                    if cell.index.is_empty() {
                        continue;
                    }
                    if let Some(k) = cell.index.first_key_ok(ok) {
                        if best.is_none_or(|b| k < b) {
                            best = Some(k);
                        }
                    }
                }
                if let Some(k) = best {
                    return Some((AgentId(k.2), r as u16));
                }
            }
        }
        None
    }

    /// Whether some rule has an eligible agent in a cell that may serve signature `sig`.
    pub(crate) fn rules_staffed(&self, queue: QueueId, sig: usize) -> bool {
        let Some(qs) = self.queues[queue.index()].skills.as_ref() else {
            return false;
        };
        let s = &qs.sigs[sig];
        qs.rules.iter().enumerate().any(|(r, pool)| {
            s.rule_tiers[r]
                .iter()
                .flatten()
                .any(|&g| !pool.cells[g as usize].index.is_empty())
        })
    }

    /// Whether rule `rule` of the conversation's queue could have been offered `conv` by
    /// `agent` (the invariant check of a rule's offer).
    pub(crate) fn rule_offer_ok(&self, agent: AgentId, conv: ConvId, rule: u16) -> bool {
        let (Some(s), Some(c)) = (self.skills.as_ref(), self.convs.get(conv)) else {
            return false;
        };
        let Some(qs) = self.queues[c.queue.index()].skills.as_ref() else {
            return false;
        };
        let Some(pool) = qs.rules.get(rule as usize) else {
            return false;
        };
        let a = &self.agents[agent.index()];
        let Some(slot) = a.slot_of(c.queue) else {
            return false;
        };
        let skills_ok = pool.rule.skills != RuleSkills::Exact
            || super::skills::satisfies(
                &s.profiles[s.agent_profile[agent.index()] as usize],
                &s.reqs[c.req.0 as usize],
            );
        skills_ok && self.cell_key(agent, slot, &pool.rule).is_some()
    }
}

impl Engine {
    /// RT-PICK in one queue: the conversation `agent` would pick there, as `(sequence, slot)`:
    /// the first by (bucket, arrival) (RT-PRIORITIZE) that it has not refused too often and,
    /// under exact matching, whose skills it holds (RT-SKILL). A skill queue looks only at the
    /// front of each signature it may serve, never at conversations it cannot take.
    pub(crate) fn pick_in(&self, agent: AgentId, queue: QueueId) -> Option<(u64, u32)> {
        let q = &self.queues[queue.index()];
        let skip = self.cfg.refusals_before_skip;
        let fresh = |slot: u32| {
            self.convs
                .by_slot(slot)
                .is_some_and(|(_, c)| c.refusals.is_empty() || c.refusals_by(agent) < skip)
        };
        let (Some(qs), Some(s)) = (q.skills.as_ref(), self.skills.as_ref()) else {
            return q.offerable.iter().find(|k| fresh(k.1));
        };
        let have = &s.profiles[s.agent_profile[agent.index()] as usize];
        let mut best: Option<(u8, (u64, u32))> = None;
        for sig in &qs.sigs {
            if best.is_some_and(|b| b.0 < sig.bucket) {
                continue;
            }
            if qs.matching == SkillMatching::Exact
                && !super::skills::satisfies(have, &s.reqs[sig.req.0 as usize])
            {
                continue;
            }
            if let Some(k) = sig.offerable.iter().find(|k| fresh(k.1)) {
                let cand = (sig.bucket, k);
                if best.is_none_or(|b| cand < b) {
                    best = Some(cand);
                }
            }
        }
        best.map(|b| b.1)
    }
}

#[cfg(test)]
mod tests;
