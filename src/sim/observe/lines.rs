//! The trace lines of an [`Observer`]: one [`TraceLine`] per engine command, routing decision
//! and effect, with names (agents, queues, supervisors, assignment rules) resolved.

use std::collections::BTreeMap;

use crate::engine::{
    CloseReason, Command, ConvId, Decision, Effect, PassedOver, Rating, Recipient, SkillId,
};
use crate::model::{AgentId, QueueId, SupervisorId};
use crate::time::SimTime;
use crate::trace::{conversation_id, Kind, RuleTried, TraceLine};

use super::Observer;

impl Observer {
    pub(super) fn command_line(&self, now: SimTime, cmd: Command) -> TraceLine {
        let (what, conv, agent, sup, queue): (
            &str,
            Option<ConvId>,
            Option<AgentId>,
            Option<SupervisorId>,
            Option<QueueId>,
        ) = match cmd {
            Command::Arrive(q, _) => ("arrive", None, None, None, Some(q)),
            Command::Accept(c, _) => ("accept", Some(c), None, None, None),
            Command::Reject(c, _) => ("reject", Some(c), None, None, None),
            Command::Timeout(c, _) => ("timeout", Some(c), None, None, None),
            Command::Pick(a) => ("pick", None, Some(a), None, None),
            Command::End(c) => ("end", Some(c), None, None, None),
            Command::ReleaseWrapUp(c) => ("release_wrap_up", Some(c), None, None, None),
            Command::Close(c) => ("close", Some(c), None, None, None),
            Command::SetWaiting(c) => ("set_waiting", Some(c), None, None, None),
            Command::Resume(c) => ("resume", Some(c), None, None, None),
            Command::CustomerReturn(c) => ("customer_return", Some(c), None, None, None),
            Command::Release(c) => ("release", Some(c), None, None, None),
            Command::TransferToQueue(c, q) => ("transfer_to_queue", Some(c), None, None, Some(q)),
            Command::OverflowTransfer(c, q) => ("overflow_transfer", Some(c), None, None, Some(q)),
            Command::OverflowEnd(c) => ("overflow_end", Some(c), None, None, None),
            Command::Abandon(c) => ("abandon", Some(c), None, None, None),
            Command::AutoClose(c) => ("auto_close", Some(c), None, None, None),
            Command::SetPresence(a, _) => ("set_presence", None, Some(a), None, None),
            Command::JoinQueue(a, q) => ("join_queue", None, Some(a), None, Some(q)),
            Command::LeaveQueue(a, q) => ("leave_queue", None, Some(a), None, Some(q)),
            Command::Monitor(s, c) => ("monitor", Some(c), None, Some(s), None),
            Command::Join(s, c, _) => ("join", Some(c), None, Some(s), None),
            Command::AssignToAgent(s, c, a) => ("assign_to_agent", Some(c), Some(a), Some(s), None),
            Command::AssignToQueue(s, c, q) => ("assign_to_queue", Some(c), None, Some(s), Some(q)),
            Command::Transfer(s, c, a) => ("transfer", Some(c), Some(a), Some(s), None),
            Command::ForceClose(s, c) => ("force_close", Some(c), None, Some(s), None),
        };
        let mut l = self.line(now, Kind::Command, what);
        l.conversation = conv.and_then(|c| self.id(c));
        if let Command::Arrive(..) = cmd {
            l.conversation = (self.arrivals > 0).then(|| conversation_id(self.arrivals - 1));
        }
        l.agent = agent.and_then(|a| self.agent(a));
        l.supervisor = sup.and_then(|s| self.names.supervisors.get(s.index()).cloned());
        l.queue = queue.and_then(|q| self.names.queues.get(q.index()).cloned());
        if let Command::SetPresence(_, p) = cmd {
            l.to = Some(p.map_or("automatic", |p| p.as_str()).to_string());
        }
        l
    }

    pub(super) fn decision_line(&self, now: SimTime, d: &Decision) -> TraceLine {
        let what = if d.agent.is_some() {
            "routed"
        } else {
            "waiting"
        };
        let mut l = self.line(now, Kind::Routing, what);
        l.conversation = self.id(d.conv);
        l.agent = d.agent.and_then(|a| self.agent(a));
        l.rule = Some(d.rule.to_string());
        let rule_name = |r: u16| {
            self.names
                .rules
                .get(d.queue.index())?
                .get(r as usize)
                .cloned()
        };
        l.assignment_rule = d.assignment_rule.and_then(rule_name);
        l.bucket = d.bucket.map(|b| b as u32 + 1);
        l.queue = self.names.queues.get(d.queue.index()).cloned();
        l.method = Some(d.method.to_string());
        if d.agent.is_some() {
            l.order_by = Some(d.order_by.to_string());
            l.key = Some(d.key);
        }
        l.passed_over = Some(reasons(&d.passed));
        if !d.tried.is_empty() {
            l.tried = Some(
                d.tried
                    .iter()
                    .map(|(r, p)| RuleTried {
                        rule: rule_name(*r).unwrap_or_else(|| format!("#{}", r + 1)),
                        passed_over: reasons(p),
                    })
                    .collect(),
            );
        }
        if d.agent.is_none() {
            l.requires = self.skill_names(&d.required);
            l.missing = self.skill_names(&d.missing);
            l.qualified = d.qualified;
        }
        l
    }

    /// Skills by name with their ratings; `None` for none.
    pub(super) fn skill_names(&self, skills: &[(SkillId, Rating)]) -> Option<BTreeMap<String, u8>> {
        (!skills.is_empty()).then(|| {
            skills
                .iter()
                .map(|(s, r)| {
                    let name = self.names.skills.get(*s as usize).cloned();
                    (name.unwrap_or_else(|| format!("skill {s}")), *r)
                })
                .collect()
        })
    }

    pub(super) fn effect_line(&self, now: SimTime, e: &Effect) -> TraceLine {
        let q = |q: QueueId| self.names.queues.get(q.index()).cloned();
        let s = |s: SupervisorId| self.names.supervisors.get(s.index()).cloned();
        let mut l;
        match *e {
            Effect::AssignedByRule { conv, queue, rule } => {
                l = self.line(now, Kind::Effect, "assigned_by_rule");
                l.conversation = self.id(conv);
                l.queue = q(queue);
                l.rule = Some("RT-RULESET".into());
                l.assignment_rule = self
                    .names
                    .rules
                    .get(queue.index())
                    .and_then(|r| r.get(rule as usize).cloned());
            }
            Effect::Unmatched { conv, queue } => {
                l = self.line(now, Kind::Effect, "unmatched");
                l.conversation = self.id(conv);
                l.queue = q(queue);
                l.rule = Some("RT-SKILL".into());
            }
            Effect::Arrived { conv, queue } => {
                l = self.line(now, Kind::Effect, "arrived");
                l.conversation = self.id(conv);
                l.queue = q(queue);
            }
            Effect::Invited {
                conv,
                agent,
                by_supervisor,
                ..
            } => {
                l = self.line(now, Kind::Effect, "invited");
                l.conversation = self.id(conv);
                l.agent = self.agent(agent);
                l.rule = Some(
                    if by_supervisor {
                        "ASSIGN-INVITE"
                    } else {
                        "RT-INVITE"
                    }
                    .into(),
                );
            }
            Effect::InviteWithdrawn { conv, agent, .. } => {
                l = self.line(now, Kind::Effect, "invite_withdrawn");
                l.conversation = self.id(conv);
                l.agent = self.agent(agent);
            }
            Effect::Refusal {
                conv,
                agent,
                timed_out,
            } => {
                l = self.line(now, Kind::Effect, "invite_refused");
                l.conversation = self.id(conv);
                l.agent = self.agent(agent);
                l.detail = Some(if timed_out { "timed out" } else { "rejected" }.into());
            }
            Effect::Accepted {
                conv,
                agent,
                waited,
                ..
            } => {
                l = self.line(now, Kind::Effect, "accepted");
                l.conversation = self.id(conv);
                l.agent = self.agent(agent);
                l.waited_s = Some(waited.as_millis() as f64 / 1000.0);
            }
            Effect::StateChanged { conv, from, to } => {
                l = self.line(now, Kind::Effect, "state");
                l.conversation = self.id(conv);
                l.from = Some(from.as_str().into());
                l.to = Some(to.as_str().into());
            }
            Effect::Units {
                agent,
                after,
                capacity,
                ..
            } => {
                l = self.line(now, Kind::Effect, "units");
                l.agent = self.agent(agent);
                l.units = Some(after);
                l.capacity = Some(capacity);
            }
            Effect::Overallocated { agent, over } => {
                l = self.line(now, Kind::Effect, "overallocated");
                l.agent = self.agent(agent);
                l.units = Some(over as i64);
                l.rule = Some("CAP-OVER".into());
            }
            Effect::Presence { agent, from, to } => {
                l = self.line(now, Kind::Effect, "presence");
                l.agent = self.agent(agent);
                l.from = Some(from.as_str().into());
                l.to = Some(to.as_str().into());
            }
            Effect::Requeued { conv, from, to } => {
                l = self.line(now, Kind::Effect, "requeued");
                l.conversation = self.id(conv);
                l.from = q(from);
                l.to = q(to);
            }
            Effect::Monitoring { conv, supervisor } => {
                l = self.line(now, Kind::Effect, "monitoring");
                l.conversation = self.id(conv);
                l.supervisor = s(supervisor);
            }
            Effect::Joined {
                conv,
                supervisor,
                mode,
            } => {
                l = self.line(now, Kind::Effect, "joined");
                l.conversation = self.id(conv);
                l.supervisor = s(supervisor);
                l.detail = Some(format!("{mode:?}").to_lowercase());
            }
            Effect::Transferred { conv, from, to } => {
                l = self.line(now, Kind::Effect, "transferred");
                l.conversation = self.id(conv);
                l.agent = self.agent(to);
                l.from = self.agent(from);
                l.to = self.agent(to);
            }
            Effect::Notified { conv, to, notice } => {
                l = self.line(now, Kind::Effect, "notified");
                l.conversation = self.id(conv);
                match to {
                    Recipient::Agent(a) => l.agent = self.agent(a),
                    Recipient::Customer => l.to = Some("customer".into()),
                    Recipient::Supervisor(x) => l.supervisor = s(x),
                }
                l.detail = Some(match notice {
                    crate::engine::Notice::SupervisorJoined(x, mode) => format!(
                        "supervisor {} joined ({})",
                        s(x).unwrap_or_default(),
                        format!("{mode:?}").to_lowercase()
                    ),
                    crate::engine::Notice::Transferred => "transferred".into(),
                    crate::engine::Notice::ForceClosed => "force closed".into(),
                });
            }
            Effect::PickAvailable { queue } => {
                l = self.line(now, Kind::Effect, "pick_available");
                l.queue = q(queue);
                l.rule = Some("RT-PICK".into());
            }
            Effect::Closed {
                conv,
                queue,
                reason,
                arrived_at,
                answered,
            } => {
                l = self.line(now, Kind::Effect, "closed");
                l.conversation = self.id(conv);
                l.queue = q(queue);
                l.detail = Some(
                    match reason {
                        CloseReason::Completed => "completed",
                        CloseReason::Abandoned => "abandoned",
                        CloseReason::AutoClosed => "auto_closed",
                        CloseReason::ForceClosed => "force_closed",
                        CloseReason::Overflowed => "overflowed",
                    }
                    .into(),
                );
                let in_system = now.since(arrived_at).as_millis() as f64 / 1000.0;
                // The wait: until its first acceptance when answered (the observer saw it:
                // it watches the replication from its start), else until now.
                l.waited_s = if answered {
                    self.first_wait(conv).map(|ms| ms as f64 / 1000.0)
                } else {
                    Some(in_system)
                };
                l.in_system_s = Some(in_system);
            }
        }
        l
    }
}

/// The reasons with a count, by name.
fn reasons(p: &PassedOver) -> BTreeMap<String, u32> {
    p.reasons()
        .iter()
        .filter(|r| r.1 > 0)
        .map(|(k, n)| (k.to_string(), *n))
        .collect()
}
