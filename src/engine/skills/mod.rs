//! Skill-based routing (RT-SKILL exact match, RT-CLOSEST closest match) without scanning agents.
//!
//! Sources: the product's documentation on skill-based routing (exact and closest match); the
//! rules are RT-SKILL and RT-CLOSEST in `docs/product.md`.
//!
//! A conversation carries a *requirement* ([`ReqId`]: an interned, sorted list of
//! `(skill, rating)`), attached by classification before it arrives. An agent has a skill set;
//! agents with the same skill set share a *profile*. Each queue that matches skills groups its
//! members and keeps one [`RoutingIndex`] per group, next to the queue's all-members index.
//! Without assignment rules a group is a *class* of profiles that every requirement seen in the
//! queue treats alike (see `groups`): thousands of distinct profiles make a few classes, and a
//! new requirement that tells members of a class apart regroups the queue once. For each
//! requirement *signature* seen in a queue it caches which groups can serve it, in closeness
//! tiers (exact match: one tier of the groups that satisfy it; closest match: every group,
//! tiered by closeness), and keeps that signature's routable conversations in their own
//! arrival-ordered set. Routing a queue then merges the signatures by arrival, skipping a whole
//! signature at once when none of its groups has an eligible agent: a freed agent never walks
//! conversations it cannot take one by one. The best agent for a conversation is the method's
//! favourite among the roots of the groups of the first tier that has one: O(groups · log n),
//! never a scan, with groups bounded by the classes, not by the agents.

use std::collections::HashMap;

use crate::model::{AgentId, AssignmentMethod, QueueId};

mod groups;

pub(crate) use groups::tiers_for;

use super::effect::Effect;
use super::index::RoutingIndex;
use super::routing::Offer;
use super::ruleset_route::{AttrTable, RulePool};
use super::seqset::SeqSet;
use super::state::{ConvId, IndexKey, SeqKey, Tag};
use super::Engine;

/// A skill, by its index in the scenario's skill table.
pub type SkillId = u16;

/// A skill rating, 1–10.
pub type Rating = u8;

/// A set of skills with ratings: sorted by skill, one entry per skill. Used both for what an
/// agent holds and for what a conversation requires.
pub type SkillSet = Vec<(SkillId, Rating)>;

/// How the out-of-the-box assignment methods use skills (`skill_matching` on a work stream).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SkillMatching {
    /// RT-SKILL: only agents holding every required skill at ≥ the required rating.
    #[default]
    Exact,
    /// RT-CLOSEST: nobody is excluded; agents are ordered by closeness, then by the method.
    Closest,
    /// Skills are ignored.
    None,
}

impl SkillMatching {
    /// Parses `exact` / `closest` / `none`.
    pub fn parse(s: &str) -> Option<SkillMatching> {
        match s {
            "exact" => Some(SkillMatching::Exact),
            "closest" => Some(SkillMatching::Closest),
            "none" => Some(SkillMatching::None),
            _ => None,
        }
    }
}

/// An interned requirement: an index into the engine's requirement table. `ReqId(0)` is the
/// empty requirement (every agent qualifies).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ReqId(pub u32);

/// The skills part of an engine setup. The default (`enabled = false`) routes exactly as an
/// engine without skills.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SkillSetup {
    /// Turns skill routing on. Off, requirements are ignored.
    pub enabled: bool,
    /// Each agent's skills, by agent id (an agent past the end has none).
    pub agent_skills: Vec<SkillSet>,
    /// Each work stream's matching, by work stream id (past the end: exact).
    pub matching: Vec<SkillMatching>,
}

/// Whether `have` holds every skill of `req` at a rating ≥ the required one (RT-SKILL).
pub fn satisfies(have: &[(SkillId, Rating)], req: &[(SkillId, Rating)]) -> bool {
    req.iter().all(|(s, r)| rating_of(have, *s) >= *r)
}

/// The rating `have` holds for `skill` (0: not held).
pub fn rating_of(have: &[(SkillId, Rating)], skill: SkillId) -> Rating {
    have.binary_search_by_key(&skill, |e| e.0)
        .map_or(0, |i| have[i].1)
}

/// RT-CLOSEST's order key, smaller is closer: `(class, missing, distance)` where class 0 is
/// exactly qualified (every required skill at exactly its rating), 1 over-qualified (every
/// required skill at ≥ its rating, some above), 2 under-qualified; `missing` counts required
/// skills not held or held below the rating; `distance` is Σ |rating − required| over the
/// required skills (a skill not held has rating 0).
pub fn closeness(have: &[(SkillId, Rating)], req: &[(SkillId, Rating)]) -> (u8, u32, u32) {
    let mut missing = 0u32;
    let mut distance = 0u32;
    let mut above = false;
    for (s, r) in req {
        let h = rating_of(have, *s);
        if h < *r {
            missing += 1;
        }
        above |= h > *r;
        distance += (h as i32 - *r as i32).unsigned_abs();
    }
    let class = if missing > 0 {
        2
    } else if above {
        1
    } else {
        0
    };
    (class, missing, distance)
}

/// The engine-wide skill tables.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SkillState {
    /// Interned requirements, by [`ReqId`]; entry 0 is empty.
    pub(crate) reqs: Vec<SkillSet>,
    req_ids: HashMap<SkillSet, ReqId>,
    /// Distinct agent skill sets.
    pub(crate) profiles: Vec<SkillSet>,
    /// Each agent's profile.
    pub(crate) agent_profile: Vec<u32>,
    /// Each work stream's matching.
    pub(crate) matching: Vec<SkillMatching>,
    /// Whether skill routing itself is on (the state may exist for rulesets alone).
    pub(crate) enabled: bool,
    /// Interned attribute sets (RT-PRIORITIZE), used only when `prioritized`.
    pub(crate) attrs: AttrTable,
    /// Some queue has prioritization rules.
    pub(crate) prioritized: bool,
    /// Each agent's group number (RT-RULESET `groups`).
    pub(crate) agent_group: Vec<u32>,
}

impl SkillState {
    pub(crate) fn new(setup: SkillSetup, agents: usize) -> SkillState {
        let mut profiles: Vec<SkillSet> = vec![Vec::new()];
        // Profile ids in order of first appearance; looked up by set, not by a scan of the
        // profiles (80,000 agents each with a skill of its own took seconds: issue 25).
        let mut profile_ids: HashMap<SkillSet, u32> = HashMap::from([(Vec::new(), 0)]);
        let mut agent_profile = Vec::with_capacity(agents);
        for a in 0..agents {
            let mut s = setup.agent_skills.get(a).cloned().unwrap_or_default();
            s.sort_unstable();
            s.dedup_by_key(|e| e.0);
            let p = *profile_ids.entry(s).or_insert_with_key(|s| {
                profiles.push(s.clone());
                (profiles.len() - 1) as u32
            });
            agent_profile.push(p);
        }
        let mut req_ids = HashMap::new();
        req_ids.insert(Vec::new(), ReqId(0));
        SkillState {
            reqs: vec![Vec::new()],
            req_ids,
            profiles,
            agent_profile,
            enabled: setup.enabled,
            matching: setup.matching,
            attrs: AttrTable::default(),
            prioritized: false,
            agent_group: Vec::new(),
        }
    }

    fn intern(&mut self, mut req: SkillSet) -> ReqId {
        req.sort_unstable();
        // Two entries for one skill: the higher rating stands (RT-CLASSIFY).
        req.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                kept.1 = kept.1.max(later.1);
                true
            } else {
                false
            }
        });
        if let Some(id) = self.req_ids.get(&req) {
            return *id;
        }
        let id = ReqId(self.reqs.len() as u32);
        self.reqs.push(req.clone());
        self.req_ids.insert(req, id);
        id
    }
}

/// One class's members in a queue (see `groups`), with their own routing index.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Group {
    /// Its first member's profile, which stands for the class.
    pub(crate) profile: u32,
    /// Members of the class, in id order.
    pub(crate) members: Vec<AgentId>,
    /// Their keys in the queue's method order (not kept in a queue with assignment rules,
    /// whose rules' cells replace it).
    pub(crate) index: RoutingIndex,
}

/// One requirement signature in a queue: a requirement and a prioritization bucket.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sig {
    pub(crate) req: ReqId,
    /// RT-PRIORITIZE: its bucket (0 without prioritization); routing serves lower first.
    pub(crate) bucket: u8,
    /// Its routable conversations, by arrival.
    pub(crate) routable: SeqSet,
    /// Its routable conversations less those every member of the queue refused too often
    /// (what routing walks; see `engine::offerable`).
    pub(crate) offerable: SeqSet,
    /// The groups that may serve it, best tier first (exact: one tier, possibly empty).
    pub(crate) tiers: Vec<Vec<u32>>,
    /// RT-RULESET: per assignment rule, its cells that may serve it, best tier first.
    pub(crate) rule_tiers: Vec<Vec<Vec<u32>>>,
}

impl Sig {
    /// No member of the queue can ever serve it (exact match with no satisfying group).
    pub(crate) fn unmatched(&self) -> bool {
        self.tiers.iter().all(|t| t.is_empty())
    }
}

/// A queue's skill routing state (only for queues whose work stream matches skills).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct QueueSkills {
    pub(crate) matching: SkillMatching,
    /// Its members by class (without assignment rules) or by profile (with them).
    pub(crate) groups: Vec<Group>,
    /// Each group's distinct profiles (to tell whether a new requirement splits it).
    pub(crate) group_profiles: Vec<Vec<u32>>,
    /// The requirements the classes are drawn by, sorted (those of `sigs`, and any a
    /// signature brought without splitting a class).
    pub(crate) class_reqs: Vec<ReqId>,
    pub(crate) sigs: Vec<Sig>,
    /// The signatures with routable conversations, as bits (bit `i % 64` of word `i / 64`):
    /// a routing walk visits these, not every signature.
    pub(crate) waiting: Vec<u64>,
    /// Signature index by `ReqId × (buckets + 1) + bucket` (`u32::MAX`: none yet).
    pub(crate) sig_of: Vec<u32>,
    /// RT-PRIORITIZE: the bucket conditions, in order.
    pub(crate) buckets: Vec<super::ruleset::AttrCondition>,
    /// Each attribute set's bucket here, by [`AttrId`] (`u8::MAX`: not yet computed).
    pub(crate) bucket_of: Vec<u8>,
    /// RT-RULESET: the assignment rules, in order (empty: the queue's method).
    pub(crate) rules: Vec<RulePool>,
}

impl QueueSkills {
    /// A queue's empty skill state.
    pub(crate) fn new(
        matching: SkillMatching,
        rulesets: &super::ruleset::QueueRulesets,
    ) -> QueueSkills {
        QueueSkills {
            matching,
            groups: Vec::new(),
            group_profiles: Vec::new(),
            class_reqs: Vec::new(),
            sigs: Vec::new(),
            waiting: Vec::new(),
            sig_of: Vec::new(),
            buckets: rulesets.prioritization.clone(),
            bucket_of: Vec::new(),
            rules: rulesets
                .assignment
                .iter()
                .cloned()
                .map(RulePool::new)
                .collect(),
        }
    }
}

impl Engine {
    /// Interns a requirement (a list of `(skill, rating)`; a skill listed twice keeps its higher
    /// rating, RT-CLASSIFY) and returns its id for [`arrive_with`](Self::arrive_with). The same
    /// list always gets the same id. Without skill routing, every requirement is `ReqId(0)`.
    pub fn requirement(&mut self, req: &[(SkillId, Rating)]) -> ReqId {
        match self.skills.as_mut() {
            Some(s) => s.intern(req.to_vec()),
            None => ReqId(0),
        }
    }

    /// Whether `tag` names a requirement and an attribute set this engine interned (always true
    /// for the default tag; only it without skills or attributes): a driver that reads tags from outside (`omnisim serve`) checks it
    /// before [`arrive_tagged`](Self::arrive_tagged), which indexes the tables by them.
    pub fn knows_tag(&self, tag: super::RoutingTag) -> bool {
        let (req, attrs) = (tag.req.0 as usize, tag.attrs.0 as usize);
        match self.skills.as_ref() {
            // Whether or not routing reads them, only interned ids are known.
            Some(s) => {
                (req == 0 || req < s.reqs.len()) && (attrs == 0 || attrs < s.attrs.sets.len())
            }
            // No skills and no attributes: every arrival carries the default tag.
            None => req == 0 && attrs == 0,
        }
    }

    /// Whether routing may offer `conv` to `agent` for skills: always, unless the conversation's
    /// queue matches exactly and the agent lacks a required skill or rating (RT-SKILL).
    pub(crate) fn skill_ok(&self, agent: AgentId, conv: ConvId) -> bool {
        let (Some(s), Some(c)) = (self.skills.as_ref(), self.convs.get(conv)) else {
            return true;
        };
        match self.queues[c.queue.index()].skills.as_ref() {
            Some(qs) if qs.matching == SkillMatching::Exact => satisfies(
                &s.profiles[s.agent_profile[agent.index()] as usize],
                &s.reqs[c.req.0 as usize],
            ),
            _ => true,
        }
    }

    /// Marks a conversation routable in its queue (and in its signature's set).
    /// Unless every member refused it too often, it is offerable too (`engine::offerable`).
    pub(crate) fn routable_insert(&mut self, queue: QueueId, key: SeqKey, tag: Tag) {
        let offerable = !self.exhausted_slot(queue, key.1);
        let q = &mut self.queues[queue.index()];
        q.routable.insert(key);
        if offerable {
            q.offerable.insert(key);
        }
        if self.queues[queue.index()].skills.is_some() {
            let s = self.sig_index(queue, tag);
            let qs = self.queues[queue.index()].skills.as_mut().expect("checked");
            qs.sigs[s].routable.insert(key);
            if offerable {
                qs.sigs[s].offerable.insert(key);
            }
            if qs.waiting.len() <= s / 64 {
                qs.waiting.resize(s / 64 + 1, 0);
            }
            qs.waiting[s / 64] |= 1 << (s % 64);
        }
    }

    /// Removes a conversation from its queue's routable sets.
    pub(crate) fn routable_remove(&mut self, queue: QueueId, key: &SeqKey, tag: Tag) {
        let q = &mut self.queues[queue.index()];
        q.routable.remove(key);
        q.offerable.remove(key);
        if self.queues[queue.index()].skills.is_some() {
            let s = self.sig_index(queue, tag);
            let qs = self.queues[queue.index()].skills.as_mut().expect("checked");
            qs.sigs[s].routable.remove(key);
            qs.sigs[s].offerable.remove(key);
            if qs.sigs[s].routable.is_empty() {
                qs.waiting[s / 64] &= !(1 << (s % 64));
            }
        }
    }

    /// Reports RT-SKILL's "no member can ever match" when a conversation enters `queue`.
    pub(crate) fn check_unmatched(
        &mut self,
        queue: QueueId,
        conv: ConvId,
        tag: Tag,
        out: &mut Vec<Effect>,
    ) {
        if self.queues[queue.index()].skills.is_none() || tag.0 .0 == 0 {
            return;
        }
        let s = self.sig_index(queue, tag);
        let qs = self.queues[queue.index()].skills.as_ref().expect("checked");
        let sig = &qs.sigs[s];
        // With assignment rules: no rule can ever serve it (RT-RULESET); else no member can
        // (RT-SKILL).
        let never = if qs.rules.is_empty() {
            sig.unmatched()
        } else {
            qs.rules
                .iter()
                .zip(&sig.rule_tiers)
                .all(|(p, tiers)| p.never_serves(tiers))
        };
        if never {
            out.push(Effect::Unmatched { conv, queue });
        }
    }

    /// The agent the queue's method prefers for `conv` (signature `sig`) among the groups of
    /// the best tier that has one, skipping agents that refused it too often.
    pub(crate) fn choose_skilled(
        &self,
        queue: QueueId,
        sig: usize,
        conv: ConvId,
    ) -> Option<AgentId> {
        let q = &self.queues[queue.index()];
        let qs = q.skills.as_ref()?;
        let c = self.convs.get(conv)?;
        let skip = self.cfg.refusals_before_skip;
        let ok = |agent: u32| c.refusals.is_empty() || c.refusals_by(AgentId(agent)) < skip;
        for tier in &qs.sigs[sig].tiers {
            let mut best: Option<IndexKey> = None;
            for &g in tier {
                let grp = &qs.groups[g as usize];
                if grp.index.is_empty() {
                    continue;
                }
                let cand = if q.method == AssignmentMethod::RoundRobin {
                    // The cyclic pointer over all members: agents after the last chosen first
                    // (0), then from the start (1); the smallest id within each.
                    let start = q.rr_last.wrapping_add(1);
                    let from = grp.members.partition_point(|m| (m.0 as u64) < start);
                    grp.index
                        .first_from(from, ok)
                        .map(|a| (0, 0, a))
                        .or_else(|| grp.index.first_from(0, ok).map(|a| (1, 0, a)))
                } else {
                    grp.index.first_key_ok(ok)
                };
                if let Some(k) = cand {
                    if best.is_none_or(|b| k < b) {
                        best = Some(k);
                    }
                }
            }
            if let Some(k) = best {
                return Some(AgentId(k.2));
            }
        }
        None
    }

    /// RT-TRIGGER for a conversation `conv` (tag `tag`, routable key `key`) that has just
    /// arrived in the skill queue `queue`: reports it unmatched if no member (rule) can ever
    /// serve it ([`check_unmatched`](Self::check_unmatched)), then routes the queue.
    ///
    /// When nothing else is routable in a push queue, the walk of
    /// [`route_skill_queue`](Self::route_skill_queue) would look at this conversation alone:
    /// offer it to the agent its signature's groups (or its queue's assignment rules) choose,
    /// or leave it waiting. That decision is taken here directly, the same one with the same
    /// effects (a signature whose groups or cells hold no eligible agent chooses nobody either
    /// way), and the conversation enters the routable sets only if it stays: the plain queue's
    /// arrival does the same (`Engine::arrive_tagged`). Every arrival of a skill queue ran the
    /// whole walk and the set insertion and removal before (issue 28, twelfth round).
    pub(crate) fn arrive_skilled(
        &mut self,
        now: crate::time::SimTime,
        queue: QueueId,
        conv: ConvId,
        (key, tag): (SeqKey, Tag),
        out: &mut Vec<Effect>,
    ) {
        self.check_unmatched(queue, conv, tag, out);
        let push = self.queue_rules(queue).mode == crate::model::RoutingMode::Push;
        if !push || !self.queues[queue.index()].routable.is_empty() || self.walk_every_arrival() {
            self.routable_insert(queue, key, tag);
            self.route_queue(now, queue, out);
            return;
        }
        // Created here if new (as `routable_insert` would), before anyone is chosen.
        let s = self.sig_index(queue, tag);
        if self.anyone_eligible(queue) {
            let ruled = self.queues[queue.index()]
                .skills
                .as_ref()
                .is_some_and(|qs| !qs.rules.is_empty());
            let chosen = if ruled {
                self.choose_by_rules(queue, s, conv)
                    .map(|(a, r)| (a, Offer::Rule(r)))
            } else {
                self.choose_skilled(queue, s, conv)
                    .map(|a| (a, Offer::Method))
            };
            if let Some((agent, by)) = chosen {
                // The waiting bits' length as `routable_insert` would have left it.
                let qs = self.queues[queue.index()].skills.as_mut().expect("checked");
                if qs.waiting.len() <= s / 64 {
                    qs.waiting.resize(s / 64 + 1, 0);
                }
                self.invite_from(now, conv, agent, by, false, out);
                return;
            }
        }
        self.routable_insert(queue, key, tag);
    }

    /// Whether every arrival takes the walk (tests: the path before the direct offer).
    #[inline(always)]
    fn walk_every_arrival(&self) -> bool {
        #[cfg(test)]
        return self.scratch.walk_arrivals;
        #[cfg(not(test))]
        false
    }

    /// RT-ORDER within a skill queue: the signatures' routable conversations merged by
    /// (bucket, arrival) (RT-PRIORITIZE), each offered to the best agent its groups have (or
    /// its assignment rules pick, RT-RULESET); a signature none of whose groups (rules) has an
    /// eligible agent is passed over whole.
    pub(crate) fn route_skill_queue(
        &mut self,
        now: crate::time::SimTime,
        queue: QueueId,
        out: &mut Vec<Effect>,
    ) {
        let n = match self.queues[queue.index()].skills.as_ref() {
            Some(qs) => qs.sigs.len(),
            None => return,
        };
        // Per signature: where its walk stands and whether it is passed over (in the engine's
        // reused buffers, taken for the walk and given back after: this runs at every routing
        // trigger of a skill queue). The signatures to visit are those with routable
        // conversations as the walk starts; the others are passed over from the start.
        #[cfg(test)]
        {
            self.scratch.walks += 1;
        }
        let (mut cursor, mut done, mut visit) = std::mem::take(&mut self.scratch.sig_walk);
        cursor.clear();
        cursor.resize(n, None);
        done.clear();
        done.resize(n, false);
        visit.clear();
        let qs = self.queues[queue.index()].skills.as_ref().expect("checked");
        visit.extend_from_slice(&qs.waiting);
        self.walk_skill_queue(now, queue, &mut cursor, &mut done, &visit, out);
        self.scratch.sig_walk = (cursor, done, visit);
    }

    /// [`route_skill_queue`](Self::route_skill_queue)'s walk, with its per-signature cursors
    /// and passed-over marks (all `None` and `false` at first).
    #[inline(always)]
    fn walk_skill_queue(
        &mut self,
        now: crate::time::SimTime,
        queue: QueueId,
        cursor: &mut [Option<SeqKey>],
        done: &mut [bool],
        visit: &[u64],
        out: &mut Vec<Effect>,
    ) {
        let ruled = self.queues[queue.index()]
            .skills
            .as_ref()
            .is_some_and(|qs| !qs.rules.is_empty());
        loop {
            if !self.anyone_eligible(queue) {
                return;
            }
            let qs = self.queues[queue.index()].skills.as_ref().expect("checked");
            let mut best: Option<((u8, SeqKey), usize)> = None;
            // The set bits of `visit`, in order.
            let visited = visit.iter().enumerate().flat_map(|(w, &word)| {
                let mut bits = word;
                std::iter::from_fn(move || {
                    let b = bits.trailing_zeros();
                    bits &= bits.wrapping_sub(1);
                    (b < 64).then_some(w * 64 + b as usize)
                })
            });
            for i in visited {
                let sig = &qs.sigs[i];
                if done[i] {
                    continue;
                }
                let next = match cursor[i] {
                    None => sig.offerable.first(),
                    Some(c) => sig.offerable.first_after(c),
                };
                let Some(k) = next else {
                    done[i] = true;
                    continue;
                };
                let staffed = if ruled {
                    self.rules_staffed(queue, i)
                } else {
                    sig.tiers
                        .iter()
                        .flatten()
                        .any(|&g| !qs.groups[g as usize].index.is_empty())
                };
                if !staffed {
                    done[i] = true;
                    continue;
                }
                let k = (sig.bucket, k);
                if best.is_none_or(|b| k < b.0) {
                    best = Some((k, i));
                }
            }
            let Some(((_, key), i)) = best else { return };
            let conv = self.handle(key.1);
            let chosen = if ruled {
                self.choose_by_rules(queue, i, conv)
                    .map(|(a, r)| (a, Offer::Rule(r)))
            } else {
                self.choose_skilled(queue, i, conv)
                    .map(|a| (a, Offer::Method))
            };
            match chosen {
                Some((agent, by)) => self.invite(now, conv, agent, by, out),
                None => cursor[i] = Some(key),
            }
        }
    }
}

impl Engine {
    /// The invariant check of a skill queue (see `check_invariants`): `None` when sound.
    pub(crate) fn skill_queue_break(&self, qi: usize) -> Option<String> {
        let qs = self.queues[qi].skills.as_ref()?;
        let queue = QueueId(qi as u32);
        let mut in_groups = 0;
        for (g, grp) in qs.groups.iter().enumerate() {
            for (pos, m) in grp.members.iter().enumerate() {
                let a = &self.agents[m.index()];
                let place = &a.places[a.slot_of(queue)?];
                if (place.group, place.group_pos) != (g as u32, pos as u32) {
                    return Some(format!(
                        "queue {qi}: agent {} has a wrong group position",
                        m.0
                    ));
                }
                if qs.rules.is_empty() && grp.index.key_at(pos) != place.key {
                    return Some(format!("queue {qi}: agent {} group index out of step", m.0));
                }
                in_groups += 1;
            }
            if qs.rules.is_empty() && !tree_holds(&grp.index, grp.members.len()) {
                return Some(format!("queue {qi}: group {g}'s index tree out of step"));
            }
        }
        if !self.classes_hold(qi) {
            return Some(format!("queue {qi}: a group mixes skill classes"));
        }
        if in_groups != self.queues[qi].members.len() {
            return Some(format!(
                "queue {qi}: profile groups do not cover the members"
            ));
        }
        for (r, pool) in qs.rules.iter().enumerate() {
            for cell in &pool.cells {
                for (pos, m) in cell.members.iter().enumerate() {
                    let slot = self.agents[m.index()].slot_of(queue)?;
                    if cell.index.key_at(pos) != self.cell_key(*m, slot, &pool.rule) {
                        return Some(format!(
                            "queue {qi}: agent {} out of step in assignment rule {r}",
                            m.0
                        ));
                    }
                }
                if !tree_holds(&cell.index, cell.members.len()) {
                    return Some(format!(
                        "queue {qi}: a cell's index tree out of step in assignment rule {r}"
                    ));
                }
            }
        }
        for (i, sig) in qs.sigs.iter().enumerate() {
            let bit = qs
                .waiting
                .get(i / 64)
                .is_some_and(|w| w >> (i % 64) & 1 == 1);
            if bit == sig.routable.is_empty() {
                return Some(format!("queue {qi}: signature {i} waiting bit out of step"));
            }
        }
        let in_sigs: usize = qs.sigs.iter().map(|s| s.routable.len()).sum();
        if in_sigs != self.queues[qi].routable.len() {
            return Some(format!("queue {qi}: signature sets out of step"));
        }
        None
    }
}

/// Whether `index` (over `members` leaves) is exactly the index rebuilt from its own leaves:
/// every inner node the smallest of its children, the count right, so the re-keys that wrote
/// it one root-ward path at a time left what a rebuild from scratch would.
fn tree_holds(index: &RoutingIndex, members: usize) -> bool {
    let mut fresh = index.clone();
    fresh.rebuild((0..members).map(|p| index.key_at(p)));
    fresh == *index
}

#[cfg(test)]
mod arrival_tests;
#[cfg(test)]
mod tests;
