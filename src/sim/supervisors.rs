//! Supervisors in the simulation: periodic policies, script lines and the actions they apply
//! through the engine after the supervisor's reaction delay.
//!
//! A policy looks only at its supervisor's queues (the Ongoing Conversations dashboard) and walks
//! each queue's conversations oldest first through the engine's ordered sets, stopping at its
//! `limit` or, with `waited_at_least`, at the first conversation that has not waited long enough,
//! so a tick costs what it matches, not what is in the system. Sentiment is computed only for
//! the conversations a policy looks at.

use crate::engine::{Command, ConvId, ConvView, RuleId, RulesEngine, View};
use crate::model::{AgentId, ConvState, QueueId, SupervisorId};
use crate::policy::GivenUpPrefix;
use crate::policy::{anybody, can_take, has_target, matches_basic, pick_agent, units_for, wants};
use crate::scenario::{Action, AgentPick, Filter, Scenario, TargetPick};
use crate::time::SimTime;

use super::customer::ConvSim;
use super::customers::Customers;
use super::event::Event;
use super::setup::SourceKind;
use super::world::World;

impl<E: crate::engine::RulesEngine> World<'_, E> {
    /// The sentiment of a conversation now (0 where its work stream has none).
    pub(crate) fn sentiment(&mut self, conv: ConvId) -> f64 {
        sentiment_at(self.sc, &mut self.customers, conv, self.now)
    }

    pub(crate) fn policy_tick(&mut self, source: u32) {
        let sc = self.sc;
        let src = &self.sources.list[source as usize];
        let SourceKind::Policy(p) = src.kind else {
            return;
        };
        let sup_i = src.sup;
        let sup = &sc.supervisors[sup_i];
        let policy = &sup.policies[p];
        let now = self.now;
        self.events
            .schedule(now + policy.every, Event::PolicyTick { source });
        let f = &policy.when;
        let (want_open, want_engaged) = wants(f);
        let limit = f.limit.map_or(usize::MAX, |l| l as usize);
        let sid = SupervisorId(sup_i as u32);
        // The tick's list lives in `Sources` between ticks (taken here, put back at the end).
        let mut found = std::mem::take(&mut self.sources.found);
        found.clear();
        let walk = Walk {
            f,
            action: &policy.action,
            source,
            sid,
            limit,
            now,
        };
        let mut nobody = false;
        for (qi, &q) in sup.queues.iter().enumerate() {
            if f.queues.as_ref().is_some_and(|qs| !qs.contains(&q)) {
                continue;
            }
            // A move to the queue a conversation is already in is an action already in
            // effect (ASSIGN-QUEUE-SAME every tick otherwise): the target queue is not walked.
            if matches!(policy.action, Action::AssignToQueue(t) if t == q) {
                continue;
            }
            // Nobody to give the queue's conversations to (an assignment or transfer with
            // every agent Offline, on a break or full): none of them is tried, nor charged a
            // failed attempt; the tick counts one skip if any of them would have been looked
            // at. One look at the members, not one pick per conversation (issue 25).
            if !has_target(&self.engine, q, &policy.action, f) {
                nobody = nobody
                    || (want_open && walk.has_any(self.engine.open_in(q), &self.engine))
                    || (want_engaged && walk.has_any(self.engine.engaged_in(q), &self.engine));
                continue;
            }
            // Each queue's conversations are walked straight from the engine's ordered sets
            // (nothing changes the engine during a walk; only the sentiment walks advance),
            // not copied into a list first: a policy over every Active conversation walks them
            // all at every tick. A walk starts after the conversations it gave up that lead
            // the set (`policy::GivenUpPrefix`).
            let prefixes = &mut self.sources.list[source as usize].prefixes;
            for (view, wanted) in [(View::Open, want_open), (View::Engaged, want_engaged)] {
                if wanted {
                    let prefix = &mut prefixes[2 * qi + (view == View::Engaged) as usize];
                    walk.queue(
                        q,
                        view,
                        prefix,
                        &self.engine,
                        sc,
                        &mut self.customers,
                        &mut found,
                    );
                }
            }
        }
        if nobody {
            self.nobody(source);
        }
        found.sort_unstable_by_key(|x| x.0);
        found.truncate(limit);
        for &(_, conv, since) in &found {
            self.schedule_act(source, sup_i, conv, since);
        }
        self.sources.found = found;
    }

    pub(crate) fn script(&mut self, source: u32) {
        let sc = self.sc;
        let src = &self.sources.list[source as usize];
        let SourceKind::Script(l) = src.kind else {
            return;
        };
        let sup_i = src.sup;
        let line = &sc.supervisors[sup_i].script[l];
        let t = &line.target;
        let pick = |it: &mut dyn DoubleEndedIterator<Item = ConvId>| match t.pick {
            TargetPick::Oldest => it.next(),
            TargetPick::Newest => it.next_back(),
        };
        let engine = &self.engine;
        let conv = if t.state == ConvState::Open {
            pick(&mut engine.open_in(t.queue))
        } else {
            let state = t.state;
            pick(
                &mut engine
                    .engaged_in(t.queue)
                    .filter(move |c| engine.conversation(*c).is_some_and(|v| v.state == state)),
            )
        };
        if let Some(conv) = conv {
            self.schedule_act(source, sup_i, conv, line.at);
        }
    }

    fn schedule_act(&mut self, source: u32, sup: usize, conv: ConvId, since: SimTime) {
        let reaction = self.sc.supervisors[sup].reaction;
        if reaction.as_millis() == 0 {
            self.apply_action(source, conv, since);
        } else {
            if let Some(c) = self.customers.get_mut(conv) {
                c.pending_acts += 1;
            }
            self.events.schedule(
                self.now + reaction,
                Event::Act {
                    source,
                    conv,
                    since_ms: since.as_millis(),
                },
            );
        }
    }

    /// A scheduled action comes due.
    pub(crate) fn act(&mut self, source: u32, conv: ConvId, since: SimTime) {
        if let Some(c) = self.customers.get_mut(conv) {
            c.pending_acts = c.pending_acts.saturating_sub(1);
        }
        self.apply_action(source, conv, since);
    }

    /// The agent an assignment or transfer goes to, or why none: [`Miss::Nobody`] when, for a
    /// policy, no agent of the conversation's queue (or the named agent) can take its units now (Offline,
    /// on a break, or full under `overallocation`: the tick's earlier actions may have filled
    /// them), [`Miss::NotSent`] when the pick found nobody for this conversation (the agents
    /// left refused it, RT-ELIGIBLE, or are its own agent). An assignment's pick passes over
    /// the agents routing skips for the conversation and, for a policy seeing them full,
    /// those who cannot take it (no ASSIGN-CAPACITY refusal); a policy naming an agent routing
    /// skips gives the conversation up (`sup_tries`) and sends nothing.
    fn target_agent(
        &mut self,
        source: u32,
        conv: ConvId,
        action: &Action,
        pick: &AgentPick,
    ) -> Result<AgentId, Miss> {
        let Some(v) = self.engine.conversation(conv) else {
            // Closed meanwhile: the command is still sent, and refused (LC-CLOSED).
            return Ok(AgentId(0));
        };
        let assign = matches!(action, Action::AssignToAgent(_));
        // A policy sees who can take work; a script line acts once, as written, and the
        // engine judges it (its refusal is the line's result).
        let policy = self.is_policy(source);
        let units = units_for(&self.engine, v.queue, action, v.state);
        if policy && !anybody(&self.engine, v.queue, pick, units) {
            return Err(Miss::Nobody);
        }
        let skip = self.engine.config().refusals_before_skip;
        if let AgentPick::Named(a) = pick {
            let skipped = assign
                && self
                    .customers
                    .get(conv)
                    .and_then(|c| c.sup.as_deref())
                    .is_some_and(|t| t.skips(v.queue, *a, skip));
            if skipped {
                self.give_up(source, conv, Some(*a));
                return Err(Miss::NotSent);
            }
            return Ok(*a);
        }
        let tries = self
            .customers
            .get(conv)
            .and_then(|c| c.sup.as_deref())
            .filter(|_| assign);
        let skipped = |a: AgentId| tries.is_some_and(|t| t.skips(v.queue, a, skip));
        let engine = &self.engine;
        let passed = |a: AgentId| skipped(a) || (policy && !can_take(engine, v.queue, a, units));
        let cursor = &mut self.sources.list[source as usize].cursor;
        let got = pick_agent(engine, v.queue, pick, cursor, v.primary, &passed);
        // Every member of the queue refused the conversation `refusals_before_skip` times: no
        // pick will ever find anybody for it there (the refusals stay while it stays), so the
        // policy gives it up at once, as it does for a named agent so skipped, instead of a
        // failed attempt at every tick (issue 25).
        let members = engine.members(v.queue);
        if got.is_none()
            && tries.is_some()
            && !members.is_empty()
            && members.iter().all(|&a| skipped(a))
        {
            self.give_up(source, conv, None);
        }
        got.ok_or(Miss::NotSent)
    }

    /// Nobody can take work for source `source` now: one `skipped_no_agent` for the tick (its
    /// actions come due at one instant), none more at that instant, and no failed attempt.
    fn nobody(&mut self, source: u32) {
        let now = self.now;
        let src = &mut self.sources.list[source as usize];
        if src.nobody_at != Some(now) {
            src.nobody_at = Some(now);
            self.rec.skipped(now, source as usize);
        }
    }

    fn apply_action(&mut self, source: u32, conv: ConvId, since: SimTime) {
        let sc = self.sc;
        let sup = SupervisorId(self.sources.list[source as usize].sup as u32);
        let action = self.sources.action(sc, source);
        let (kind, r) = match action {
            Action::Monitor {
                join_if_sentiment_below,
                message_mode,
            } => {
                // A conversation already monitored is back only to re-check the join: sending
                // the monitor again would count one more action every tick.
                let r = if self.engine.is_monitoring(sup, conv) {
                    Ok(())
                } else {
                    let r = self.run_cmd(Command::Monitor(sup, conv));
                    self.count_for(source, conv, 0, since, r);
                    r
                };
                if let (Ok(()), Some(below)) = (r, join_if_sentiment_below) {
                    if !self.engine.has_joined(sup, conv) && self.sentiment(conv) < *below {
                        let mode = *message_mode;
                        let r = self.run_cmd(Command::Join(sup, conv, mode));
                        self.count_for(source, conv, 1, since, r);
                    }
                }
                return;
            }
            Action::Join { message_mode } => {
                let mode = *message_mode;
                (1, self.run_cmd(Command::Join(sup, conv, mode)))
            }
            Action::AssignToAgent(pick) => {
                let agent = match self.target_agent(source, conv, action, pick) {
                    Ok(a) => a,
                    Err(m) => return self.missed(source, conv, m),
                };
                let r = self.run_cmd(Command::AssignToAgent(sup, conv, agent));
                if r.is_ok() && self.is_policy(source) {
                    // Its rejection or timeout is this policy's failure too (`sup_tries`).
                    if let Some(c) = self.customers.get_mut(conv) {
                        c.sup.get_or_insert_default().invite = Some(source);
                    }
                }
                (2, r)
            }
            Action::AssignToQueue(q) => {
                let q: QueueId = *q;
                let r = self.run_cmd(Command::AssignToQueue(sup, conv, q));
                if r.is_ok() {
                    self.moved_by_supervisor(conv, q);
                }
                (3, r)
            }
            Action::TransferToAgent(pick) => {
                let agent = match self.target_agent(source, conv, action, pick) {
                    Ok(a) => a,
                    Err(m) => return self.missed(source, conv, m),
                };
                (4, self.run_cmd(Command::Transfer(sup, conv, agent)))
            }
            Action::ForceClose => (5, self.run_cmd(Command::ForceClose(sup, conv))),
        };
        self.count_for(source, conv, kind, since, r);
    }

    /// A supervisor moved `conv` to queue `to`: a move into `to` of a conversation that had
    /// already entered a queue, counted as a `waited_over` transfer's is (`queues.Q.
    /// transferred_in`, `conversations.transferred` on its first move). Its arrived, answered
    /// and abandoned counts stay with the queue it arrived at (docs/metrics.md).
    fn moved_by_supervisor(&mut self, conv: ConvId, to: QueueId) {
        let Some(c) = self.customers.get_mut(conv) else {
            return;
        };
        let first = !std::mem::replace(&mut c.moved, true);
        let counted = c.counted;
        self.rec.transferred(to, first, counted);
    }

    /// [`count`](Self::count), and a refusal is one more failed attempt of the policy on
    /// `conv` (`sup_tries`).
    fn count_for(
        &mut self,
        source: u32,
        conv: ConvId,
        kind: usize,
        since: SimTime,
        r: Result<(), RuleId>,
    ) {
        self.count(source, kind, since, r);
        if r.is_err() {
            self.failed(source, conv);
        }
    }

    /// An action not sent: nobody can take work ([`Miss::Nobody`]: one skip for the tick, no
    /// failed attempt), or nobody for this conversation ([`Miss::NotSent`]: a skip, and one
    /// more failed attempt of the policy on `conv`).
    fn missed(&mut self, source: u32, conv: ConvId, m: Miss) {
        match m {
            Miss::Nobody => self.nobody(source),
            Miss::NotSent => {
                self.rec.skipped(self.now, source as usize);
                self.failed(source, conv);
            }
        }
    }

    fn is_policy(&self, source: u32) -> bool {
        matches!(
            self.sources.list[source as usize].kind,
            SourceKind::Policy(_)
        )
    }

    /// One more failed attempt of policy `source` on `conv` (a script line acts once: not
    /// counted); at the bound the policy gives it up (`sup_tries`).
    fn failed(&mut self, source: u32, conv: ConvId) {
        if !self.is_policy(source) {
            return;
        }
        let Some(c) = self.customers.get_mut(conv) else {
            return;
        };
        if c.sup.get_or_insert_default().fail(source) {
            self.rec.gave_up(self.now, source as usize);
            self.trace_gave_up(source, conv, super::sup_tries::MAX_ATTEMPTS, None);
        }
    }

    /// Policy `source` gives `conv` up at once: `agent`, the agent it names, is skipped
    /// (RT-ELIGIBLE), or (`None`) every member of the conversation's queue is, for a pick.
    fn give_up(&mut self, source: u32, conv: ConvId, agent: Option<AgentId>) {
        if !self.is_policy(source) {
            return;
        }
        let Some(c) = self.customers.get_mut(conv) else {
            return;
        };
        let tries = c.sup.get_or_insert_default();
        let attempts = tries.failures(source);
        if tries.give_up(source) {
            self.rec.gave_up(self.now, source as usize);
            self.trace_gave_up(source, conv, attempts, Some(agent));
        }
    }

    /// The trace's `gave_up` line of policy `source` on `conv` (when traced). `skipped`: `None`
    /// for the bound of failed attempts; RT-ELIGIBLE with the named agent skipped, or every
    /// member of the queue skipped for a pick (`Some(None)`).
    fn trace_gave_up(
        &mut self,
        source: u32,
        conv: ConvId,
        attempts: u32,
        skipped: Option<Option<AgentId>>,
    ) {
        let sc = self.sc;
        let src = &self.sources.list[source as usize];
        let SourceKind::Policy(i) = src.kind else {
            return;
        };
        let sup = &sc.supervisors[src.sup];
        let names = (sup.name.as_str(), sup.policies[i].name.as_str());
        if let Some(o) = self.out.observer() {
            o.gave_up(self.now, conv, names, attempts, skipped);
        }
    }

    /// An agent refused (rejected, or let time out) an invitation to `conv`: remembered for
    /// RT-ELIGIBLE when a supervisor may assign to agents, and a failed attempt of the policy
    /// whose assignment it was. Effects come after the engine applied the command, so the
    /// conversation's queue is the one the invitation was for (a refusal moves nothing).
    pub(crate) fn invite_refused(&mut self, conv: ConvId, agent: AgentId) {
        if !self.sources.assigns {
            return;
        }
        let Some(queue) = self.engine.conversation(conv).map(|v| v.queue) else {
            return;
        };
        let Some(c) = self.customers.get_mut(conv) else {
            return;
        };
        let t = c.sup.get_or_insert_default();
        t.refused(queue, agent);
        if let Some(source) = t.invite.take() {
            self.failed(source, conv);
        }
    }

    /// `conv`'s invitation ended otherwise (accepted or withdrawn): no supervisor's one pending.
    #[inline]
    pub(crate) fn invite_ended(&mut self, conv: ConvId) {
        if !self.sources.assigns {
            return;
        }
        if let Some(t) = self.customers.get_mut(conv).and_then(|c| c.sup.as_mut()) {
            t.invite = None;
        }
    }

    fn count(&mut self, source: u32, kind: usize, since: SimTime, r: Result<(), RuleId>) {
        match r {
            Ok(()) => self
                .rec
                .action(self.now, source as usize, kind, self.now.since(since)),
            Err(rule) => {
                let counted = self.rec.refused(self.now, source as usize, rule);
                if let (true, Some(o)) = (counted, self.out.observer()) {
                    o.refusal(rule);
                }
            }
        }
    }
}

/// Why an assignment or transfer was not sent ([`World::target_agent`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Miss {
    /// No agent of the queue (or the named one) can take the conversation's units now.
    Nobody,
    /// The pick found nobody for this conversation (or the named agent is skipped).
    NotSent,
}

/// The sentiment of `conv` at `now` (0 where its work stream has none): its mood walk advanced
/// to `now` (the same value whenever and however often it is looked at).
fn sentiment_at(sc: &Scenario, customers: &mut Customers, conv: ConvId, now: SimTime) -> f64 {
    customers.get_mut(conv).map_or(0.0, |c| mood_at(sc, c, now))
}

/// [`sentiment_at`] of a conversation's record.
#[inline]
fn mood_at(sc: &Scenario, c: &mut ConvSim, now: SimTime) -> f64 {
    let ws = &sc.workstreams[sc.queues[c.queue.index()].workstream.index()];
    match (ws.sentiment.as_ref(), c.mood.as_mut()) {
        (Some(s), Some(m)) => m.at(s, now.as_millis()),
        _ => 0.0,
    }
}

/// Whether the policy's action has already been done to the conversation `conv`, whose view
/// is `v` (so a periodic policy does not repeat itself every tick).
#[inline]
fn already_done<E: RulesEngine>(
    engine: &E,
    sup: SupervisorId,
    action: &Action,
    conv: ConvId,
    v: &ConvView,
) -> bool {
    match action {
        Action::Monitor {
            join_if_sentiment_below,
            ..
        } => {
            engine.is_monitoring(sup, conv)
                && (join_if_sentiment_below.is_none() || engine.has_joined(sup, conv))
        }
        Action::Join { .. } => engine.has_joined(sup, conv),
        Action::AssignToAgent(_) => v.invited.is_some(),
        Action::TransferToAgent(_) => v.consultants > 0,
        // A conversation already in the target queue is never walked (`policy_tick` skips
        // that queue): a move of a walked one is never done already.
        Action::AssignToQueue(_) | Action::ForceClose => false,
    }
}

#[cfg(test)]
thread_local! {
    /// Steps of the policies' walks on this thread (tests count them: issue 25's given-up
    /// conversations cost none once they lead a view).
    pub(crate) static WALK_STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// One policy tick's filter, action and limit, for its walk of each queue.
struct Walk<'a> {
    f: &'a Filter,
    action: &'a Action,
    /// The policy's source number (a conversation it gave up is not acted on again).
    source: u32,
    sid: SupervisorId,
    limit: usize,
    now: SimTime,
}

impl Walk<'_> {
    /// Whether one of a queue's ordered sets holds a conversation the policy's walk would look
    /// at: its oldest, when that one has waited `waited_at_least` (O(1): the walk stops at the
    /// first that has not, and nothing else about it is checked).
    fn has_any<E: RulesEngine>(&self, mut convs: impl Iterator<Item = ConvId>, engine: &E) -> bool {
        convs
            .next()
            .and_then(|c| engine.conversation(c))
            .is_some_and(|v| {
                self.f
                    .waited_at_least
                    .is_none_or(|w| self.now.since(v.arrived_at) >= w)
            })
    }

    /// Walks one of a queue's ordered sets (`view`: Open, or engaged), oldest first, after the
    /// conversations `prefix` knows the policy gave up, adding the conversations the policy
    /// acts on to `found` (`(arrival sequence, conversation, since)`), at most `limit` from
    /// this set; with `waited_at_least`, stops at the first conversation that has not waited
    /// long enough. The given-up conversations it steps over before any other grow `prefix`.
    #[allow(clippy::too_many_arguments)]
    fn queue<E: RulesEngine>(
        &self,
        q: QueueId,
        view: View,
        prefix: &mut GivenUpPrefix,
        engine: &E,
        sc: &Scenario,
        customers: &mut Customers,
        found: &mut Vec<(u64, ConvId, SimTime)>,
    ) {
        let (f, now) = (self.f, self.now);
        let mut taken = 0usize;
        let mut extending = true;
        for (seq, conv) in prefix.walk(engine, q, view) {
            if taken >= self.limit {
                break;
            }
            #[cfg(test)]
            WALK_STEPS.with(|n| n.set(n.get() + 1));
            // One look-up of the record, for the pending actions, the policy's give-up and the
            // sentiment, first: a conversation the policy gave up costs no engine call, no
            // filter and no command at any later tick (issue 25), and once every one before it
            // is given up too, not even this step (`prefix`).
            // (Skipping it before the `waited_at_least` stop is sound: a later conversation
            // arrived later, so the stop still comes at the first one that has not waited.)
            let c = customers.get_mut(conv);
            let given_up = c
                .as_ref()
                .is_some_and(|c| c.sup.as_ref().is_some_and(|t| t.given_up(self.source)));
            prefix.step(&mut extending, seq, given_up);
            let Some(c) = c.filter(|c| c.pending_acts == 0 && !given_up) else {
                continue;
            };
            let Some(v) = engine.conversation(conv) else {
                continue;
            };
            if let Some(w) = f.waited_at_least {
                if now.since(v.arrived_at) < w {
                    break; // oldest first: no later conversation has waited longer
                }
            }
            if !matches_basic(f, engine, &v, now) {
                continue;
            }
            if already_done(engine, self.sid, self.action, conv, &v) {
                continue;
            }
            if let Some(below) = f.sentiment_below {
                if mood_at(sc, c, now) >= below {
                    continue;
                }
            }
            let since = f
                .waited_at_least
                .map_or(now, |w| (v.arrived_at + w).min(now));
            found.push((v.seq, conv, since));
            taken += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WALK_STEPS;
    use crate::sim::{world::World, RunOptions};

    /// Two agents rejecting 999 invitations in 1,000, a policy every 100 ms assigning every
    /// Open conversation (`rate` an hour, no patience: nobody abandons) for `horizon`.
    fn rejecting(rate: u32, horizon: &str) -> crate::scenario::Scenario {
        let text = format!(
            "[scenario]\nname = \"rej\"\nhorizon = \"{horizon}\"\ndrain_limit = \"1s\"\nseed = 1\n\
             replications = 1\n\n\
             [[workstreams]]\nname = \"w\"\nchannel = \"live_chat\"\nhandle_time = \"5m\"\n\n\
             [[queues]]\nname = \"q\"\nworkstream = \"w\"\narrivals = {{ rate = \"{rate}/h\" }}\n\n\
             [[agent_groups]]\nname = \"a\"\ncount = 2\nqueues = [\"q\"]\n\
             reject_probability = 0.999\n\n\
             [[supervisors]]\nname = \"s\"\nqueues = [\"q\"]\n\n\
             [[supervisors.policies]]\nname = \"p\"\nevery = \"100ms\"\n\
             when = {{ state = \"open\" }}\n\
             action = {{ assign_to = \"agent\", pick = \"most_free_capacity\" }}\n"
        );
        crate::scenario::load_str(&text, "rej.toml").expect("valid")
    }

    /// (walk steps, conversations given up) of one replication of `sc`.
    fn steps(sc: &crate::scenario::Scenario) -> (u64, u64) {
        WALK_STEPS.with(|n| n.set(0));
        let ran = World::new(sc, 0, &RunOptions::default(), false).run(&|_, _| {});
        let given_up = ran.out.0.sources[0].given_up;
        (WALK_STEPS.with(|n| n.get()), given_up)
    }

    /// Issue 25, sixteenth session: a policy's walk no longer steps over the conversations it
    /// gave up that lead its queue, so the steps of a run do not grow with given-up
    /// conversations × ticks (main: each given-up conversation, waiting for ever, was a step
    /// at every later tick). Counted, not timed: 36,000 ticks in the hour, hundreds given up.
    /// A variant: four times the arrivals (four times the given-up pile) adds about the
    /// steps of the new conversations only, not four times a pile's per tick.
    #[test]
    fn given_up_conversations_cost_no_step_of_later_ticks() {
        let ticks = 36_000;
        let (few, few_up) = steps(&rejecting(120, "1h"));
        let (many, many_up) = steps(&rejecting(480, "1h"));
        eprintln!("steps {few} ({few_up} given up), {many} ({many_up} given up)");
        assert!(few_up > 50 && many_up > 3 * few_up, "{few_up} {many_up}");
        for (steps, up) in [(few, few_up), (many, many_up)] {
            assert!(
                steps < ticks + 200 * up,
                "{steps} steps for {up} given up in {ticks} ticks"
            );
        }
    }
}
