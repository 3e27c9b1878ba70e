//! Routing decisions explained: which rule chose the agent, by which order-by key, and which
//! candidates it passed over and why. Recorded only when [`Engine::set_explain`] is on, so an
//! engine that nobody asks to explain itself pays one predictable branch per routing invitation.
//!
//! Key types: [`Decision`], [`PassedOver`]. A new routing rule (skills, overflow) adds its
//! decisions as one more `Decision` with its own `rule`, and a new reason to pass a candidate
//! over as one more [`PassedOver`] field listed in [`PassedOver::reasons`].

use crate::model::{AgentId, ConvState, Presence, PresenceSet, QueueId, RoutingMode};

use super::rank::{shown, Order};
use super::ruleset::RuleSkills;
use super::skills::{rating_of, satisfies, Rating, SkillId, SkillMatching};
use super::state::ConvId;
use super::Engine;

/// Why the members of a queue other than the chosen agent were not chosen, counted by reason.
/// Each member counts once, under the first reason that applies, in the order of the fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassedOver {
    /// It already had an invitation pending (one offer at a time).
    pub pending_invitation: u32,
    /// Away by hand (a break).
    pub away: u32,
    /// Offline (off shift, disconnected).
    pub offline: u32,
    /// Fewer free units than the work stream needs (CAP-UNITS).
    pub capacity: u32,
    /// A presence the work stream (or the deciding assignment rule) does not allow (PR-ALLOWED),
    /// other than Away and Offline.
    pub presence: u32,
    /// Not in the deciding assignment rule's agent groups (RT-RULESET).
    pub rule_groups: u32,
    /// It lacks a required skill or rating under exact matching (RT-SKILL).
    pub skills: u32,
    /// It refused this conversation `refusals_before_skip` times (RT-ELIGIBLE).
    pub refused: u32,
    /// Eligible, but later in the method's order than the chosen agent.
    pub ranked_below: u32,
}

impl PassedOver {
    /// Every reason with its count, in a fixed order (stable trace output).
    pub fn reasons(&self) -> [(&'static str, u32); 9] {
        [
            ("pending_invitation", self.pending_invitation),
            ("away", self.away),
            ("offline", self.offline),
            ("capacity", self.capacity),
            ("presence", self.presence),
            ("rule_groups", self.rule_groups),
            ("skills", self.skills),
            ("refused", self.refused),
            ("ranked_below", self.ranked_below),
        ]
    }

    /// How many candidates were passed over in all.
    pub fn total(&self) -> u32 {
        self.reasons().iter().map(|r| r.1).sum()
    }
}

/// One routing decision: the rule that chose `agent` for `conv`, or, with `agent` `None`, a
/// conversation that entered a queue (arrival, transfer, overflow, a supervisor's move) and
/// found nobody who could take it now, so it waits.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// How many effects the command had produced when the decision was taken (the decision
    /// precedes the effect at this index, its invitation; a wait follows the command's effects).
    pub effect_index: usize,
    /// The conversation routed.
    pub conv: ConvId,
    /// The queue it was routed in.
    pub queue: QueueId,
    /// The agent chosen; `None`: nobody could take it, it waits (then `passed` counts every
    /// member of the queue by why it could not).
    pub agent: Option<AgentId>,
    /// The rule that decided: `RT-METHOD` (the queue's assignment method), `RT-SKILL` /
    /// `RT-CLOSEST` (the method among the agents skill matching allows, for a conversation with
    /// required skills) or `RT-RULESET` (an assignment rule; for a wait in a queue with
    /// assignment rules, the rules as a whole).
    pub rule: &'static str,
    /// The assignment method, e.g. `highest_capacity`, or `assignment_rules`.
    pub method: &'static str,
    /// What the method orders by, e.g. `free_units`, or the assignment rule's order-by.
    pub order_by: &'static str,
    /// The chosen agent's value of `order_by` (units, a turn count, a member position, ms; for
    /// the proficiency order-bys: the sum of ratings, `missing × 1000 + distance`, the count).
    /// For `last_release_ms`, `-1` when the agent never released capacity. 0 for a wait.
    pub key: i64,
    /// The assignment rule that decided, by its number in the queue's list (RT-RULESET).
    pub assignment_rule: Option<u16>,
    /// The conversation's prioritization bucket (0 first; RT-PRIORITIZE), when the queue has
    /// prioritization rules.
    pub bucket: Option<u8>,
    /// The other members, by why they were not chosen.
    pub passed: PassedOver,
    /// The assignment rules tried before the one that decided (every rule, for a wait), by
    /// number, each with the queue's members by why that rule found none of them.
    pub tried: Vec<(u16, PassedOver)>,
    /// The conversation's required skills (`(skill, rating)`, sorted by skill; empty without
    /// skill routing).
    pub required: Vec<(SkillId, Rating)>,
    /// The required `(skill, rating)` pairs that no member of the queue holds at that rating
    /// (only for a wait): skills nobody in the queue can ever bring.
    pub missing: Vec<(SkillId, Rating)>,
    /// How many members of the queue hold every required skill at its rating, whatever their
    /// state now (only for a wait with required skills; `None` otherwise).
    pub qualified: Option<u32>,
}

/// The decisions of the current command while explaining is on. Bookkeeping, not state:
/// equality ignores it (a refused command must leave the engine equal to its clone).
#[derive(Clone, Debug, Default)]
pub(crate) struct DecisionLog {
    pub(crate) on: bool,
    pub(crate) list: Vec<Decision>,
}

impl PartialEq for DecisionLog {
    fn eq(&self, _: &DecisionLog) -> bool {
        true
    }
}

impl Engine {
    /// An agent's skills and ratings (empty when the engine has no skills).
    fn skill_profile(&self, m: AgentId) -> &[(SkillId, Rating)] {
        match self.skills.as_deref() {
            Some(s) => &s.profiles[s.agent_profile[m.index()] as usize],
            None => &[],
        }
    }

    /// Turns the recording of routing decisions on or off (off by default). While on, each
    /// routing invitation records a [`Decision`], and the caller collects them with
    /// [`take_decisions`](Self::take_decisions) after each command. Counting the passed-over
    /// candidates scans the queue's members: O(members) per decision, only while on.
    pub fn set_explain(&mut self, on: bool) {
        self.decisions.on = on;
        self.decisions.list.clear();
    }

    /// Moves the decisions recorded since the last call into `into` (appending).
    pub fn take_decisions(&mut self, into: &mut Vec<Decision>) {
        into.append(&mut self.decisions.list);
    }

    /// Records the choice of `agent` for `conv` in `queue` by the queue's method or by its
    /// assignment rule `rule` (called before the invitation changes anything).
    pub(crate) fn record_decision(
        &mut self,
        conv: ConvId,
        agent: AgentId,
        queue: QueueId,
        rule: Option<u16>,
        effect_index: usize,
    ) {
        let q = &self.queues[queue.index()];
        let qs = q.skills.as_deref();
        let pool = rule.and_then(|r| qs.and_then(|qs| qs.rules.get(r as usize)));
        let req = self.required(conv);
        let profile = |m: AgentId| self.skill_profile(m);
        let passed = self.passed_over(conv, queue, rule, Some(agent));
        let tried = (0..rule.unwrap_or(0))
            .map(|r| (r, self.passed_over(conv, queue, Some(r), None)))
            .collect();
        let a = &self.agents[agent.index()];
        let slot = a.slot_of(queue).unwrap_or(0);
        let turn = a.queue_turn.get(slot).copied().unwrap_or(0) as i64;
        let position = || q.members.iter().position(|x| *x == agent).unwrap_or(0) as i64 + 1;
        let order = match pool {
            Some(p) => Order::Rule(p.rule.order_by),
            None => Order::Method(q.method),
        };
        let (order_by, mut key) = shown(order, a, turn, position, profile(agent), req);
        if a.last_release.is_none() && matches!(order_by, "last_release_ms" | "least_active") {
            // Shown as "never", not as a release at the start.
            key = -1;
        }
        let (rule_id, method) = match pool {
            Some(_) => ("RT-RULESET", "assignment_rules"),
            None => (self.method_rule(queue, req), q.method.as_str()),
        };
        let d = Decision {
            effect_index,
            conv,
            queue,
            agent: Some(agent),
            rule: rule_id,
            method,
            order_by,
            key,
            assignment_rule: rule,
            bucket: self.bucket_of(conv, queue),
            passed,
            tried,
            required: req.to_vec(),
            missing: Vec::new(),
            qualified: None,
        };
        self.decisions.list.push(d);
    }

    /// Records that `conv`, having just entered its queue (the command's effects are all in,
    /// `effect_index` of them), found nobody who could take it: an Open conversation of a push
    /// queue with no invitation. Nothing when it was offered to someone, closed, or its queue
    /// is a pick queue. Called only while explaining is on.
    #[cold]
    #[inline(never)]
    pub(crate) fn record_wait(&mut self, conv: ConvId, effect_index: usize) {
        let Some(c) = self.convs.get(conv) else {
            return;
        };
        let queue = c.queue;
        if c.state != ConvState::Open
            || c.invite.is_some()
            || self.queue_rules(queue).mode != RoutingMode::Push
        {
            return;
        }
        let q = &self.queues[queue.index()];
        let qs = q.skills.as_deref();
        let rules = qs.map_or(0, |qs| qs.rules.len()) as u16;
        let req = self.required(conv);
        let sk = self.skills.as_deref();
        let profile = |m: AgentId| -> &[_] {
            match sk {
                Some(s) => &s.profiles[s.agent_profile[m.index()] as usize],
                None => &[],
            }
        };
        let missing = req
            .iter()
            .filter(|(s, r)| q.members.iter().all(|&m| rating_of(profile(m), *s) < *r))
            .copied()
            .collect();
        let qualified = (!req.is_empty()).then(|| {
            q.members
                .iter()
                .filter(|&&m| satisfies(profile(m), req))
                .count() as u32
        });
        let (rule, method) = if rules > 0 {
            ("RT-RULESET", "assignment_rules")
        } else {
            (self.method_rule(queue, req), q.method.as_str())
        };
        let d = Decision {
            effect_index,
            conv,
            queue,
            agent: None,
            rule,
            method,
            order_by: "",
            key: 0,
            assignment_rule: None,
            bucket: self.bucket_of(conv, queue),
            passed: self.passed_over(conv, queue, None, None),
            tried: (0..rules)
                .map(|r| (r, self.passed_over(conv, queue, Some(r), None)))
                .collect(),
            required: req.to_vec(),
            missing,
            qualified,
        };
        self.decisions.list.push(d);
    }

    /// The requirement of `conv` (empty without skill routing or once closed).
    fn required(&self, conv: ConvId) -> &[(SkillId, Rating)] {
        match (self.skills.as_deref(), self.convs.get(conv)) {
            (Some(s), Some(c)) => &s.reqs[c.req.0 as usize],
            _ => &[],
        }
    }

    /// The rule a queue's own method decides by for a conversation requiring `req`.
    fn method_rule(&self, queue: QueueId, req: &[(SkillId, Rating)]) -> &'static str {
        let qs = self.queues[queue.index()].skills.as_deref();
        match qs.map(|qs| qs.matching) {
            _ if req.is_empty() => "RT-METHOD",
            Some(SkillMatching::Exact) => "RT-SKILL",
            Some(SkillMatching::Closest) => "RT-CLOSEST",
            _ => "RT-METHOD",
        }
    }

    /// The prioritization bucket of `conv` in `queue` (RT-PRIORITIZE), when it has buckets.
    fn bucket_of(&self, conv: ConvId, queue: QueueId) -> Option<u8> {
        let qs = self.queues[queue.index()].skills.as_deref();
        match (qs, self.convs.get(conv)) {
            (Some(qs), Some(c)) if !qs.buckets.is_empty() => self.skills.as_deref().map(|s| {
                super::ruleset_route::bucket_of(&qs.buckets, &s.attrs.sets[c.attrs.0 as usize])
            }),
            _ => None,
        }
    }

    /// The members of `queue` other than `chosen`, counted by the first reason they could not
    /// take `conv` under assignment rule `rule` (or the queue's method and skill matching).
    /// O(members).
    fn passed_over(
        &self,
        conv: ConvId,
        queue: QueueId,
        rule: Option<u16>,
        chosen: Option<AgentId>,
    ) -> PassedOver {
        let q = &self.queues[queue.index()];
        let ws = &self.workstreams[q.workstream.index()];
        let skip = self.cfg.refusals_before_skip;
        let c = self.convs.get(conv);
        let qs = q.skills.as_deref();
        let pool = rule.and_then(|r| qs.and_then(|qs| qs.rules.get(r as usize)));
        let req = self.required(conv);
        let profile = |m: AgentId| self.skill_profile(m);
        let exact = match pool {
            Some(p) => p.rule.skills == RuleSkills::Exact,
            None => qs.is_some_and(|qs| qs.matching == SkillMatching::Exact),
        };
        let presences: PresenceSet = pool.map_or(ws.allowed_presences, |p| p.rule.presences);
        let mut passed = PassedOver::default();
        for &m in &q.members {
            if Some(m) == chosen {
                continue;
            }
            let a = &self.agents[m.index()];
            if pool.is_some_and(|p| !self.in_rule_groups(m, &p.rule)) {
                passed.rule_groups += 1;
            } else if a.pending != 0 && ws.mode == RoutingMode::Push {
                passed.pending_invitation += 1;
            } else if a.presence == Presence::Away {
                passed.away += 1;
            } else if a.presence == Presence::Offline {
                passed.offline += 1;
            } else if a.free() < ws.capacity_units as i64 {
                passed.capacity += 1;
            } else if !presences.contains(a.presence) {
                passed.presence += 1;
            } else if exact && !satisfies(profile(m), req) {
                passed.skills += 1;
            } else if c.is_some_and(|c| c.refusals_by(m) >= skip) {
                passed.refused += 1;
            } else {
                passed.ranked_below += 1;
            }
        }
        passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{AgentSetup, EngineSetup, QueueSetup};
    use crate::model::{
        AssignmentMethod, Channel, PresenceSet, RoutingMode, WorkstreamId, WorkstreamRules,
        WrapUpBlock,
    };
    use crate::time::SimTime;

    /// Five members of one highest-capacity queue (50 units a conversation): 0 (100 units),
    /// 1 away, 2 off shift, 3 with 40 units, 4 with 60 units.
    fn engine() -> Engine {
        let agent = |capacity, on_shift| AgentSetup {
            capacity,
            queues: vec![QueueId(0)],
            on_shift,
        };
        let mut e = Engine::new(EngineSetup {
            workstreams: vec![WorkstreamRules {
                channel: Channel::LiveChat,
                mode: RoutingMode::Push,
                capacity_units: 50,
                allowed_presences: PresenceSet::DEFAULT,
                block_capacity_for_wrap_up: WrapUpBlock::Always,
            }],
            queues: vec![QueueSetup {
                workstream: WorkstreamId(0),
                method: AssignmentMethod::HighestCapacity,
                priority: 1,
            }],
            agents: vec![
                agent(100, true),
                agent(100, true),
                agent(100, false),
                agent(40, true),
                agent(60, true),
            ],
            ..EngineSetup::default()
        });
        let mut fx = Vec::new();
        e.set_presence(SimTime(0), AgentId(1), Some(Presence::Away), &mut fx)
            .unwrap();
        e
    }

    #[test]
    fn passed_over_candidates_are_counted_by_reason() {
        let mut e = engine();
        e.set_explain(true);
        let mut fx = Vec::new();
        e.arrive(SimTime(1_000), QueueId(0), &mut fx);
        e.arrive(SimTime(2_000), QueueId(0), &mut fx);
        let mut d = Vec::new();
        e.take_decisions(&mut d);
        assert_eq!(d.len(), 2);
        // First: agent 0 has the most free units (100); agent 4 (60) ranks below.
        assert_eq!(
            (d[0].agent, d[0].key, d[0].order_by),
            (Some(AgentId(0)), 100, "free_units")
        );
        let one = PassedOver {
            away: 1,
            offline: 1,
            capacity: 1,
            ranked_below: 1,
            ..PassedOver::default()
        };
        assert_eq!(d[0].passed, one);
        // Second: agent 0 has an invitation pending, so agent 4 with 60 free units.
        assert_eq!((d[1].agent, d[1].key), (Some(AgentId(4)), 60));
        let two = PassedOver {
            pending_invitation: 1,
            away: 1,
            offline: 1,
            capacity: 1,
            ..PassedOver::default()
        };
        assert_eq!(d[1].passed, two);
        assert_eq!(d[1].passed.total(), 4);
        assert_eq!(d[1].rule, "RT-METHOD");
    }

    #[test]
    fn nothing_is_recorded_while_explaining_is_off() {
        let mut e = engine();
        let mut fx = Vec::new();
        e.arrive(SimTime(1_000), QueueId(0), &mut fx);
        let mut d = Vec::new();
        e.take_decisions(&mut d);
        assert!(d.is_empty());
    }
}
