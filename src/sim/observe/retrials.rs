//! The trace lines of an [`Observer`] that no engine command gives: a customer who abandoned
//! and will retry (`will_retry`), its return as a new conversation (`retried`, and the new
//! `arrive` line's `retrial_of`), an agent kept away for the whole replication by its
//! `absence` (`absent`), and a supervisor policy giving a conversation up (`gave_up`).

use crate::engine::ConvId;
use crate::model::AgentId;
use crate::time::{SimDuration, SimTime};
use crate::trace::{conversation_id, Kind};

use super::Observer;

impl Observer {
    /// Conversation `conv` closed unanswered at `now` and its customer comes back `after`
    /// later: writes its `will_retry` line and returns its trace id (`None` when untraced or
    /// unnamed), for the retrial's `retrial_of`.
    pub(crate) fn will_retry(
        &mut self,
        now: SimTime,
        conv: ConvId,
        after: SimDuration,
    ) -> Option<u64> {
        self.trace.as_ref()?;
        let id = self.id(conv)?;
        let mut l = self.line(now, Kind::Effect, "will_retry");
        l.conversation = Some(id);
        l.retry_in_s = Some(after.as_millis() as f64 / 1000.0);
        self.write(&l);
        Some(id)
    }

    /// The `retried` line of the abandoned conversation `old`, whose customer just came back as
    /// the latest arrival (the retrial's `arrive` line was just written); `replayed`: the new
    /// one is a replayed history's retry contact (`replayed: true` on the line), which arrives
    /// as the history says whatever became of `old` in this run.
    pub(super) fn retried(&mut self, now: SimTime, old: u64, replayed: bool) {
        let mut l = self.line(now, Kind::Effect, "retried");
        l.conversation = Some(old);
        l.replayed = replayed.then_some(true);
        l.retrial = Some(conversation_id(self.arrivals.saturating_sub(1)));
        self.write(&l);
    }

    /// Policy `policy` of supervisor `supervisor` gives `conv` up at `now`, after `attempts`
    /// failed attempts on it; `skipped`: at once, because the agent it names (`Some(Some)`),
    /// or every member of the queue for a pick (`Some(None)`, no `agent` written), refused the
    /// conversation `refusals_before_skip` times (RT-ELIGIBLE). One `gave_up` line.
    pub(crate) fn gave_up(
        &mut self,
        now: SimTime,
        conv: ConvId,
        (supervisor, policy): (&str, &str),
        attempts: u32,
        skipped: Option<Option<AgentId>>,
    ) {
        if self.trace.is_none() {
            return;
        }
        let Some(id) = self.id(conv) else {
            return;
        };
        let mut l = self.line(now, Kind::GaveUp, "gave_up");
        l.conversation = Some(id);
        l.supervisor = Some(supervisor.to_string());
        l.policy = Some(policy.to_string());
        l.attempts = Some(attempts);
        if let Some(named) = skipped {
            l.agent = named.and_then(|a| self.agent(a));
            l.rule = Some("RT-ELIGIBLE".to_string());
        }
        self.write(&l);
    }

    /// Agent `agent` stays away for the whole replication: its group's or roster row's
    /// `absence` (probability `p`) drew it absent. One `absent` line at 0.
    pub(crate) fn absent(&mut self, agent: AgentId, p: f64) {
        if self.trace.is_none() {
            return;
        }
        let mut l = self.line(SimTime::ZERO, Kind::Effect, "absent");
        l.agent = self.agent(agent);
        l.detail = Some(format!("absence = {p}"));
        self.write(&l);
    }
}
