//! Supervisor commands: monitor, join, assign to agent or queue, transfer, force close
//! (MON-*, JOIN-*, ASSIGN-*, TRANSFER-STATE, FORCE-CLOSE). Rules are checked in the catalogue's
//! order and the first that fails refuses the command; nothing changes before all have passed.

use crate::model::{AgentId, Channel, ConvState, MessageMode, Presence, QueueId, SupervisorId};
use crate::time::SimTime;

use super::config::Overallocation;
use super::effect::{CloseReason, Effect, Notice, Recipient};
use super::routing::Offer;
use super::rules::RuleId;
use super::state::{ConvId, Participant};
use super::{Engine, Outcome};

/// The conversation states each supervisor action's state rule allows, from
/// docs/product.md's rule catalogue: the one reading of MON-STATE, JOIN-STATE, ASSIGN-STATE's
/// state part and TRANSFER-STATE's, used by the engine's commands and by the scenario's check
/// of policies that can never act (`scenario::never_acts`).
pub mod state_rules {
    use crate::model::ConvState;

    /// MON-STATE: active or wrap-up conversations, and waiting ones when `monitor_waiting`.
    #[inline]
    pub fn monitorable(state: ConvState, monitor_waiting: bool) -> bool {
        matches!(state, ConvState::Active | ConvState::WrapUp)
            || (monitor_waiting && state == ConvState::Waiting)
    }

    /// JOIN-STATE: active conversations only.
    #[inline]
    pub fn joinable(state: ConvState) -> bool {
        state == ConvState::Active
    }

    /// ASSIGN-STATE's state part: open conversations only (the rule also wants no agent and
    /// no pending supervisor invitation, which the state alone does not tell).
    #[inline]
    pub fn assignable(state: ConvState) -> bool {
        state == ConvState::Open
    }

    /// TRANSFER-STATE's state part: active or waiting conversations (the rule also refuses a
    /// transfer to the conversation's own agent).
    #[inline]
    pub fn transferable(state: ConvState) -> bool {
        matches!(state, ConvState::Active | ConvState::Waiting)
    }
}

impl Engine {
    fn supervisor_sees(&self, sup: SupervisorId, queue: QueueId) -> bool {
        self.supervisors[sup.index()].sees(queue)
    }

    /// The rules monitor and join share, in catalogue order: MON-DISABLED, then (the
    /// conversation being live, else LC-CLOSED) MON-SCOPE.
    fn in_view(&self, sup: SupervisorId, conv: ConvId) -> Result<&super::state::Conv, RuleId> {
        if !self.cfg.monitor_enabled {
            return Err(RuleId::MonDisabled);
        }
        let c = self.conv(conv)?;
        if !self.supervisor_sees(sup, c.queue) {
            return Err(RuleId::MonScope);
        }
        Ok(c)
    }

    /// Starts monitoring (MON-DISABLED, MON-SCOPE, MON-CHANNEL, MON-STATE, MON-SELF). Monitoring
    /// a conversation already monitored is accepted and changes nothing.
    pub fn monitor(
        &mut self,
        _now: SimTime,
        sup: SupervisorId,
        conv: ConvId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let c = self.in_view(sup, conv)?;
        let channel = self.queue_rules(c.queue).channel;
        if channel == Channel::EntityRecords || self.cfg.monitor_channels & channel.bit() == 0 {
            return Err(RuleId::MonChannel);
        }
        if !state_rules::monitorable(c.state, self.cfg.monitor_waiting) {
            return Err(RuleId::MonState);
        }
        if c.primary.is_some() && c.primary == self.supervisors[sup.index()].agent {
            return Err(RuleId::MonSelf);
        }
        let c = self.convs.get_mut(conv).expect("checked");
        if !c.monitors.contains(&sup) {
            c.monitors.push(sup);
            out.push(Effect::Monitoring {
                conv,
                supervisor: sup,
            });
        }
        Ok(())
    }

    /// Joins as a consultant (MON-DISABLED, MON-SCOPE, JOIN-MONITORING, JOIN-STATE, JOIN-LIMIT),
    /// notifying the agent and the customer (JOIN-NOTIFY). Joining again is accepted and changes
    /// nothing.
    pub fn join(
        &mut self,
        _now: SimTime,
        sup: SupervisorId,
        conv: ConvId,
        mode: MessageMode,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let c = self.in_view(sup, conv)?;
        if !c.monitors.contains(&sup) {
            return Err(RuleId::JoinMonitoring);
        }
        if !state_rules::joinable(c.state) {
            return Err(RuleId::JoinState);
        }
        let already = c
            .consultants
            .iter()
            .any(|p| matches!(p, Participant::Supervisor(s, _) if *s == sup));
        if already {
            return Ok(());
        }
        if c.consultants.len() >= self.cfg.max_consultants as usize {
            return Err(RuleId::JoinLimit);
        }
        let c = self.convs.get_mut(conv).expect("checked");
        c.consultants.push(Participant::Supervisor(sup, mode));
        let agent = c.primary.expect("Active has a primary agent");
        out.push(Effect::Joined {
            conv,
            supervisor: sup,
            mode,
        });
        let notice = Notice::SupervisorJoined(sup, mode);
        out.push(Effect::Notified {
            conv,
            to: Recipient::Agent(agent),
            notice,
        });
        out.push(Effect::Notified {
            conv,
            to: Recipient::Customer,
            notice,
        });
        Ok(())
    }

    /// ASSIGN-AGENT-QUEUE, ASSIGN-AGENT-PRESENCE and ASSIGN-CAPACITY for giving `units` of
    /// `queue`'s work to `agent`. The result ASSIGN-CAPACITY judges is what the agent holds
    /// once every invitation pending for it is accepted: its used units, the units its pending
    /// invitations reserved (CAP-RESERVE) and those they promised without reserving
    /// (`pending_units`, `reserve_on_invite` off), plus `units` (issue 25, fixa-16: without
    /// the unreserved ones a tick could invite one half-full agent seven times under
    /// `"deny"`, 400 of 100 units once accepted). `already` is what the agent's own pending
    /// invitation to this very conversation counts there: it would be replaced, not added to.
    /// O(1).
    fn check_target_agent(
        &self,
        agent: AgentId,
        queue: QueueId,
        units: u32,
        already: u32,
    ) -> Outcome {
        let Some(a) = self.agents.get(agent.index()) else {
            return Err(RuleId::AssignAgentQueue);
        };
        if a.slot_of(queue).is_none() {
            return Err(RuleId::AssignAgentQueue);
        }
        if a.presence == Presence::Offline {
            return Err(RuleId::AssignAgentPresence);
        }
        let allowed = self.queue_rules(queue).allowed_presences;
        if let Some(p) = a.manual {
            if !allowed.contains(p) && !self.cfg.assign_overrides_presence {
                return Err(RuleId::AssignAgentPresence);
            }
        }
        let committed = a.used + a.reserved + a.pending_units;
        let over = committed - already as i64 + units as i64 - a.capacity as i64;
        let forbidden = match self.cfg.overallocation {
            Overallocation::Allow => false,
            Overallocation::Deny => over > 0,
            Overallocation::UpTo(n) => over > n as i64,
        };
        if forbidden {
            return Err(RuleId::AssignCapacity);
        }
        Ok(())
    }

    /// The rules both assignments share, in catalogue order: ASSIGN-DISABLED, ASSIGN-SCOPE and
    /// ASSIGN-STATE (Open, no agent, and not already claimed by a pending supervisor invitation).
    fn assignable(&self, sup: SupervisorId, conv: ConvId) -> Result<&super::state::Conv, RuleId> {
        if !self.cfg.assign_enabled {
            return Err(RuleId::AssignDisabled);
        }
        let c = self.conv(conv)?;
        if !self.supervisor_sees(sup, c.queue) {
            return Err(RuleId::AssignScope);
        }
        if !state_rules::assignable(c.state)
            || c.primary.is_some()
            || c.invite.is_some_and(|i| i.by_supervisor)
        {
            return Err(RuleId::AssignState);
        }
        Ok(c)
    }

    /// Assigns an Open conversation to an agent (ASSIGN-DISABLED, ASSIGN-SCOPE, ASSIGN-STATE,
    /// which also refuses a conversation another supervisor assignment has already claimed
    /// (its invitation pending), so two supervisors assigning at once → exactly one wins;
    /// ASSIGN-AGENT-QUEUE, ASSIGN-AGENT-PRESENCE, ASSIGN-CAPACITY, which counts the units of the
    /// agent's pending invitations, reserved or not): a pending routing invitation is withdrawn
    /// and the agent is invited (ASSIGN-INVITE). Overallocation happens at accept, which is
    /// never refused for capacity: the limit is judged here, at the assignment.
    pub fn assign_to_agent(
        &mut self,
        now: SimTime,
        sup: SupervisorId,
        conv: ConvId,
        agent: AgentId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let c = self.assignable(sup, conv)?;
        let queue = c.queue;
        let already = c.invite.filter(|i| i.agent == agent).map_or(0, |i| i.units);
        self.check_target_agent(
            agent,
            queue,
            self.queue_rules(queue).capacity_units,
            already,
        )?;
        // Invite before rerouting the agent whose invitation was withdrawn: routing it first could
        // offer this very conversation again and leave two invitations on it.
        let prev = self.withdraw_invite(conv, out);
        self.invite(now, conv, agent, Offer::Supervisor, out);
        if let Some(prev) = prev {
            self.route_agent(now, prev, out);
        }
        Ok(())
    }

    /// Assigns an Open conversation to another queue of the same channel (ASSIGN-DISABLED,
    /// ASSIGN-SCOPE, ASSIGN-STATE, ASSIGN-QUEUE-SAME); routing takes over there.
    pub fn assign_to_queue(
        &mut self,
        now: SimTime,
        sup: SupervisorId,
        conv: ConvId,
        target: QueueId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        let c = self.assignable(sup, conv)?;
        if target.index() >= self.queues.len()
            || target == c.queue
            || self.queue_rules(target).channel != self.queue_rules(c.queue).channel
        {
            return Err(RuleId::AssignQueueSame);
        }
        self.move_to_queue(now, conv, target, out);
        Ok(())
    }

    /// Transfers an Active or Waiting conversation to another agent of its queue, who becomes
    /// primary at once; the previous agent becomes a consultant (TRANSFER-STATE, ASSIGN-SCOPE,
    /// ASSIGN-AGENT-QUEUE, ASSIGN-AGENT-PRESENCE, ASSIGN-CAPACITY, counting the target's pending
    /// invitations as an assignment does).
    pub fn transfer(
        &mut self,
        now: SimTime,
        sup: SupervisorId,
        conv: ConvId,
        agent: AgentId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        if !self.cfg.transfer_enabled {
            return Err(RuleId::TransferState);
        }
        let c = self.conv(conv)?;
        if !self.supervisor_sees(sup, c.queue) {
            return Err(RuleId::AssignScope);
        }
        if !state_rules::transferable(c.state) || c.primary == Some(agent) {
            return Err(RuleId::TransferState);
        }
        let units = if c.state == ConvState::Active {
            self.queue_rules(c.queue).capacity_units
        } else {
            0
        };
        self.check_target_agent(agent, c.queue, units, 0)?;
        let c = self.convs.get_mut(conv).expect("checked");
        let from = c.primary.expect("Active or Waiting has a primary agent");
        let held = c.held;
        c.primary = Some(agent);
        c.held = units;
        c.consultants.push(Participant::Agent(from));
        self.agents[from.index()].holding -= 1;
        let a = &mut self.agents[agent.index()];
        a.holding += 1;
        a.last_assign = Some(now);
        out.push(Effect::Transferred {
            conv,
            from,
            to: agent,
        });
        for to in [
            Recipient::Agent(from),
            Recipient::Agent(agent),
            Recipient::Customer,
        ] {
            out.push(Effect::Notified {
                conv,
                to,
                notice: Notice::Transferred,
            });
        }
        self.change_units(from, -(held as i64), now, out);
        self.change_units(agent, units as i64, now, out);
        self.refresh_agent(from, out);
        self.refresh_agent(agent, out);
        self.route_agent(now, from, out);
        Ok(())
    }

    /// Force-closes any live conversation (FORCE-CLOSE, ASSIGN-SCOPE), notifying its participants:
    /// the primary agent, every consultant and the customer.
    pub fn force_close(
        &mut self,
        now: SimTime,
        sup: SupervisorId,
        conv: ConvId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        self.tally.0 += 1;
        if !self.cfg.force_close_enabled {
            return Err(RuleId::ForceClose);
        }
        let c = self.conv(conv)?;
        if !self.supervisor_sees(sup, c.queue) {
            return Err(RuleId::AssignScope);
        }
        // Every participant: the primary agent, the consultants (joined supervisors, agents who
        // transferred it away) and the customer.
        let consultants = c.consultants.iter().map(|p| match *p {
            Participant::Supervisor(s, _) => Recipient::Supervisor(s),
            Participant::Agent(a) => Recipient::Agent(a),
        });
        for to in c
            .primary
            .map(Recipient::Agent)
            .into_iter()
            .chain(consultants)
            .chain([Recipient::Customer])
        {
            out.push(Effect::Notified {
                conv,
                to,
                notice: Notice::ForceClosed,
            });
        }
        self.finish(now, conv, CloseReason::ForceClosed, out);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
