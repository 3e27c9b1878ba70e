//! The agent's side of an invitation: accept after its delay, reject, or never see it (and
//! time out). Split out of `world`.

use crate::engine::ConvId;
use crate::model::AgentId;

use super::event::{Answer, Event};
use super::world::World;

impl<E: crate::engine::RulesEngine> World<'_, E> {
    /// RT-INVITE from the agent's side: accept after its delay, reject, or never see it.
    pub(crate) fn answer_invite(
        &mut self,
        conv: ConvId,
        agent: AgentId,
        invite: crate::engine::InviteId,
    ) {
        let timeout = self.engine.config().notification_timeout;
        let i = agent.index();
        let g = &self.sc.agent_groups[self.agents[i].group];
        let (answer, delay) = if g.ignore_probability == 0.0 && g.reject_probability == 0.0 {
            (Answer::Accept, self.agents.accept_delay(i))
        } else {
            let u = self.agents[i].rng.uniform01();
            if u < g.ignore_probability {
                (Answer::Timeout, timeout)
            } else if u < g.ignore_probability + g.reject_probability {
                (Answer::Reject, self.agents.accept_delay(i))
            } else {
                (Answer::Accept, self.agents.accept_delay(i))
            }
        };
        let (answer, delay) = if delay >= timeout {
            (Answer::Timeout, timeout)
        } else {
            (answer, delay)
        };
        let at = self.now + delay;
        if let Some(g) = self
            .customers
            .get_mut(conv)
            .and_then(|c| c.give_up.as_mut())
        {
            // An acceptance due at the give-up instant wins (the give-up pops last there).
            if answer == Answer::Accept && at <= g.at {
                g.cover = Some(invite);
            } else {
                self.schedule_give_up(conv);
            }
        }
        self.events.schedule(
            self.now + delay,
            Event::InviteAnswer {
                conv,
                invite,
                answer,
            },
        );
    }
}
