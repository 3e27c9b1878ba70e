//! A skill queue's member groups and the tiers each requirement signature caches over them.
//!
//! Routing in a skill queue walks, per signature, the groups of a tier and takes the method's
//! favourite among their roots, so its cost follows the number of groups. A queue without
//! assignment rules therefore groups its members by *class*, not by raw skill set: two
//! profiles share a class when every requirement seen in the queue puts them in the same
//! closeness tier (exact match: both satisfy it or neither does; closest match: the same
//! closeness key; no matching: always). Every tier of every signature is then a union of whole
//! classes, and the favourite of a union of routing indexes is the favourite of one index over
//! all their members (keys are unique, ties broken by agent id; round robin's "first at or
//! after the pointer" is likewise the smallest over the parts), so the chosen agent is exactly
//! the one per-profile groups would give. With realistic diversity (thousands of profiles, a
//! handful of requirements) a queue has a few classes however many agents it has.
//!
//! A requirement not seen before may split a class: [`Engine::sig_index`] checks each class's
//! profiles against it and regroups the queue ([`Engine::rebuild_groups`], O(members)) only
//! when it does, once per new requirement. A queue with assignment rules keeps one group per
//! profile: its rules' cells, proficiency tiers and agent-group reach are per profile.

use std::collections::HashMap;

use super::super::index::RoutingIndex;
use super::super::seqset::SeqSet;
use super::super::state::{IndexKey, Tag};
use super::super::Engine;
use super::{closeness, satisfies, Group, Rating, ReqId, Sig, SkillId, SkillMatching, SkillSet};
use crate::model::QueueId;

/// The groups that may serve `req` under `matching`, best tier first: exact, one tier of the
/// groups that satisfy it; closest, every group in closeness tiers; none, one tier of all.
/// A group is judged by its `profile` (any of its members': they share the class).
pub(crate) fn tiers_for(
    matching: SkillMatching,
    groups: &[Group],
    profiles: &[SkillSet],
    req: &[(SkillId, Rating)],
) -> Vec<Vec<u32>> {
    match matching {
        SkillMatching::Closest => {
            let mut keyed: Vec<((u8, u32, u32), u32)> = groups
                .iter()
                .enumerate()
                .map(|(g, grp)| (closeness(&profiles[grp.profile as usize], req), g as u32))
                .collect();
            keyed.sort_unstable();
            let mut tiers: Vec<Vec<u32>> = Vec::new();
            let mut last = None;
            for (k, g) in keyed {
                if last != Some(k) {
                    tiers.push(Vec::new());
                    last = Some(k);
                }
                tiers.last_mut().expect("pushed").push(g);
            }
            tiers
        }
        SkillMatching::None => vec![(0..groups.len() as u32).collect()],
        SkillMatching::Exact => vec![groups
            .iter()
            .enumerate()
            .filter(|(_, grp)| satisfies(&profiles[grp.profile as usize], req))
            .map(|(g, _)| g as u32)
            .collect()],
    }
}

/// Appends what `matching` tells apart in skill set `have` for requirement `req` (its tier
/// there): exact, whether it satisfies; closest, its closeness; none, nothing.
fn push_tier_key(
    matching: SkillMatching,
    have: &[(SkillId, Rating)],
    req: &[(SkillId, Rating)],
    key: &mut Vec<u32>,
) {
    match matching {
        SkillMatching::Exact => key.push(u32::from(satisfies(have, req))),
        SkillMatching::Closest => {
            let (class, missing, distance) = closeness(have, req);
            key.extend([u32::from(class), missing, distance]);
        }
        SkillMatching::None => {}
    }
}

/// A profile's class in a queue: its tier for each of `reqs` under `matching` (with
/// assignment rules, the profile itself).
pub(crate) fn class_key(
    matching: SkillMatching,
    ruled: bool,
    profile: u32,
    profiles: &[SkillSet],
    reqs: impl Iterator<Item = ReqId>,
    table: &[SkillSet],
) -> Vec<u32> {
    if ruled {
        return vec![profile];
    }
    let mut key = Vec::new();
    for r in reqs {
        push_tier_key(
            matching,
            &profiles[profile as usize],
            &table[r.0 as usize],
            &mut key,
        );
    }
    key
}

impl Engine {
    /// Builds (or rebuilds, after a membership change or a new requirement that splits a
    /// class) a queue's member groups and re-caches its signatures' tiers. Members must
    /// already be placed.
    pub(crate) fn rebuild_groups(&mut self, queue: QueueId) {
        let Some(s) = self.skills.as_ref() else {
            return;
        };
        let q = &self.queues[queue.index()];
        let Some(old) = q.skills.as_ref() else {
            return;
        };
        let ruled = !old.rules.is_empty();
        let matching = old.matching;
        let mut reqs: Vec<ReqId> = old.sigs.iter().map(|sig| sig.req).collect();
        reqs.sort_unstable();
        reqs.dedup();
        // Group by class, the class looked up once per distinct profile.
        let mut groups: Vec<(Group, Vec<u32>)> = Vec::new();
        let mut group_of_profile: HashMap<u32, usize> = HashMap::new();
        let mut group_of_class: HashMap<Vec<u32>, usize> = HashMap::new();
        for &m in &q.members {
            let p = s.agent_profile[m.index()];
            let gi = match group_of_profile.get(&p) {
                Some(&gi) => gi,
                None => {
                    let mut fresh = || {
                        let g = Group {
                            profile: p,
                            members: Vec::new(),
                            index: RoutingIndex::default(),
                        };
                        groups.push((g, Vec::new()));
                        groups.len() - 1
                    };
                    let gi = if ruled {
                        // One group per profile.
                        fresh()
                    } else {
                        let reqs = reqs.iter().copied();
                        let key = class_key(matching, false, p, &s.profiles, reqs, &s.reqs);
                        *group_of_class.entry(key).or_insert_with(fresh)
                    };
                    groups[gi].1.push(p);
                    group_of_profile.insert(p, gi);
                    gi
                }
            };
            groups[gi].0.members.push(m);
        }
        groups.sort_by_key(|g| g.0.profile);
        let (mut groups, group_profiles): (Vec<Group>, Vec<Vec<u32>>) = groups.into_iter().unzip();
        for (gi, g) in groups.iter_mut().enumerate() {
            let keys: Vec<Option<IndexKey>> = g
                .members
                .iter()
                .enumerate()
                .map(|(pos, m)| {
                    let a = &mut self.agents[m.index()];
                    let slot = a.slot_of(queue).expect("a member lists its queue");
                    let place = &mut a.places[slot];
                    (place.group, place.group_pos) = (gi as u32, pos as u32);
                    a.keyless = super::super::state::Keyless(false);
                    a.places[slot].key
                })
                .collect();
            if !ruled {
                g.index.rebuild(keys.into_iter());
            }
        }
        let s = self.skills.as_ref().expect("checked");
        let qs = self.queues[queue.index()].skills.as_mut().expect("checked");
        for sig in qs.sigs.iter_mut() {
            let req = &s.reqs[sig.req.0 as usize];
            sig.tiers = tiers_for(matching, &groups, &s.profiles, req);
            sig.rule_tiers = qs
                .rules
                .iter()
                .map(|p| {
                    super::super::ruleset_route::rule_tiers(&p.rule, &groups, &s.profiles, req)
                })
                .collect();
        }
        qs.groups = groups;
        qs.group_profiles = group_profiles;
        qs.class_reqs = reqs;
        self.rebuild_rule_cells(queue);
    }

    /// The signature index of `tag` (requirement, attribute set) in `queue` (a skill queue),
    /// created on first use with its tiers cached (regrouping the queue first when its
    /// requirement splits a class).
    #[inline]
    pub(crate) fn sig_index(&mut self, queue: QueueId, tag: Tag) -> usize {
        let (req, attrs) = tag;
        let bucket = self.bucket(queue, attrs);
        let qs = self.queues[queue.index()]
            .skills
            .as_ref()
            .expect("skill queue");
        let at = req.0 as usize * (qs.buckets.len() + 1) + bucket as usize;
        match qs.sig_of.get(at) {
            Some(&i) if i != u32::MAX => i as usize,
            _ => self.new_sig(queue, req, bucket, at),
        }
    }

    /// Creates signature (`req`, `bucket`) of `queue` at `at` in its `sig_of`.
    #[inline(never)]
    fn new_sig(&mut self, queue: QueueId, req: ReqId, bucket: u8, at: usize) -> usize {
        let s = self.skills.as_ref().expect("skill queue");
        let qs = self.queues[queue.index()]
            .skills
            .as_mut()
            .expect("skill queue");
        let r = req.0 as usize;
        if qs.sig_of.len() <= at {
            qs.sig_of.resize(at + 1, u32::MAX);
        }
        let ruled = !qs.rules.is_empty();
        let mut split = false;
        if let Err(pos) = qs.class_reqs.binary_search(&req) {
            // Does the new requirement tell apart profiles of one class?
            let key = |p: u32| {
                class_key(
                    qs.matching,
                    ruled,
                    p,
                    &s.profiles,
                    std::iter::once(req),
                    &s.reqs,
                )
            };
            split = qs
                .group_profiles
                .iter()
                .any(|ps| ps.iter().skip(1).any(|&p| key(p) != key(ps[0])));
            qs.class_reqs.insert(pos, req);
        }
        let (tiers, rule_tiers) = if split {
            // `rebuild_groups` caches them.
            (Vec::new(), Vec::new())
        } else {
            let tiers = tiers_for(qs.matching, &qs.groups, &s.profiles, &s.reqs[r]);
            let rule_tiers = qs
                .rules
                .iter()
                .map(|p| {
                    super::super::ruleset_route::rule_tiers(
                        &p.rule,
                        &qs.groups,
                        &s.profiles,
                        &s.reqs[r],
                    )
                })
                .collect();
            (tiers, rule_tiers)
        };
        qs.sigs.push(Sig {
            req,
            bucket,
            routable: SeqSet::default(),
            offerable: SeqSet::default(),
            tiers,
            rule_tiers,
        });
        let i = qs.sigs.len() - 1;
        qs.sig_of[at] = i as u32;
        if split {
            self.rebuild_groups(queue);
        }
        i
    }

    /// Whether every member of the skill queue `qi` shares its group's class (part of
    /// `skill_queue_break`).
    pub(crate) fn classes_hold(&self, qi: usize) -> bool {
        let (Some(s), Some(qs)) = (self.skills.as_ref(), self.queues[qi].skills.as_ref()) else {
            return true;
        };
        let ruled = !qs.rules.is_empty();
        let mut class: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut key = |p: u32| {
            class
                .entry(p)
                .or_insert_with(|| {
                    let reqs = qs.class_reqs.iter().copied();
                    class_key(qs.matching, ruled, p, &s.profiles, reqs, &s.reqs)
                })
                .clone()
        };
        qs.groups.iter().all(|g| {
            let want = key(g.profile);
            g.members
                .iter()
                .all(|m| key(s.agent_profile[m.index()]) == want)
        })
    }
}
