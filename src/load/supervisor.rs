//! Supervisor tasks: one per policy, running concurrently with the agent workers. Every
//! `every / speed` of wall time a tick is due; at the tick the task locks the engine, looks at
//! the open (or engaged) conversations of its queues oldest first as the simulator's policies
//! do, and applies the action to each match through the engine. Each action is timed from the
//! tick's due time. Invitations it causes go to the worker owning the invited agent.
//!
//! Simplifications (documented in `reports/load.md`): the supervisor's `reaction` delay is not
//! modelled; sentiment conditions never match (no sentiment walk under load); at most
//! [`MAX_ACTIONS_PER_TICK`] actions per tick, to keep a lock hold bounded. An assignment is a
//! compare-and-set ([`super::shared::EngineGuard::assign_unclaimed`]).
//!
//! The give-up bound is the simulator's: a policy whose action on one conversation failed
//! [`crate::policy::MAX_FAILED_ATTEMPTS`] times (the engine refused it, a pick that found
//! nobody for it, or the agent rejected or let time out the invitation its assignment sent)
//! gives the conversation up ([`super::tries`]), counted in `policies."S/P".given_up`
//! ([`PolicyCounts`]). As in the simulator (`crate::policy::has_target`), a tick of an
//! assignment or transfer with nobody in a queue who can take work (every member Offline, on a
//! break, or full under `overallocation`; a named agent so) tries none of that queue's
//! conversations, charges none a failed attempt and counts one `skipped_no_agent`; agents the
//! tick's own assignments filled are passed over, and once nobody is left the rest of the
//! tick sends nothing (issue 25: a pick with nobody sent `AgentId(u32::MAX)`, refused per
//! conversation, up to 1,000 a tick, each a failed attempt). An assignment's pick passes over an agent who refused the conversation
//! `refusals_before_skip` times in its queue (RT-ELIGIBLE), and a policy naming that agent gives
//! the conversation up at once, as in the simulator (`super::refusals`).

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use crate::engine::{Command, ConvId, Effect, Engine, RulesEngine, View};
use crate::model::SupervisorId;
use crate::policy::{
    anybody, can_take, has_target, matches_basic, pick_agent, units_for, wants, GivenUpPrefix,
};
use crate::rng::{stream, Source};
use crate::scenario::{Action, AgentPick, Policy, Scenario};

use super::plan::Plan;
use super::refusals::Book;
use super::report::PolicyCounts;
use super::shared::{EngineGuard, SharedEngine};
use super::stats::{kind_of, TaskStats};
use super::tries::Tries;
use super::worker::{follow_up, Job, Live, Mailboxes};

/// Most actions one policy tick applies.
pub const MAX_ACTIONS_PER_TICK: usize = 1000;

/// One policy of one supervisor.
#[derive(Debug)]
pub(crate) struct PolicyTask<E = Engine> {
    pub(crate) sup: usize,
    /// Its position among the run's policy tasks (its failures in the [`Book`]).
    pub(crate) index: usize,
    /// The answers to invitations, when some policy assigns to agents.
    pub(crate) book: Option<Arc<Book>>,
    /// `S/P`: the supervisor's and the policy's names, as `summary.json` keys `policies`.
    pub(crate) name: String,
    pub(crate) policy: Policy,
    pub(crate) queues: Vec<crate::model::QueueId>,
    pub(crate) plan: Arc<Plan>,
    pub(crate) shared: Arc<SharedEngine<E>>,
    pub(crate) live: Arc<Live>,
    pub(crate) mail: Mailboxes,
}

impl<E: RulesEngine> PolicyTask<E> {
    /// The tasks for every policy of a scenario.
    pub(crate) fn all(
        sc: &Scenario,
        plan: &Arc<Plan>,
        shared: &Arc<SharedEngine<E>>,
        live: &Arc<Live>,
        mail: &Mailboxes,
        book: Option<&Arc<Book>>,
    ) -> Vec<PolicyTask<E>> {
        let mut out = Vec::new();
        for (i, s) in sc.supervisors.iter().enumerate() {
            for p in &s.policies {
                out.push(PolicyTask {
                    sup: i,
                    index: out.len(),
                    book: book.cloned(),
                    name: format!("{}/{}", s.name, p.name),
                    policy: p.clone(),
                    queues: s.queues.clone(),
                    plan: plan.clone(),
                    shared: shared.clone(),
                    live: live.clone(),
                    mail: mail.clone(),
                });
            }
        }
        out
    }

    /// Ticks until the end of the run's arrivals (and through the drain while work is left).
    ///
    /// Lateness is never hidden: a tick that runs more than a period late stands for the ticks
    /// it missed (counted in `missed_ticks`), and its actions are timed from the *first* missed
    /// tick; a tick that hit [`MAX_ACTIONS_PER_TICK`] leaves a backlog whose actions are timed
    /// from that tick. A tick (or backlog) due when the run ends is evaluated on the engine as
    /// it is then, and each action it would take is recorded as unapplied with its age.
    ///
    /// Returns its measurements, with its name and counts (`load.json`'s `policies`).
    pub(crate) async fn run(self) -> (TaskStats, String, PolicyCounts) {
        let clock = self.shared.clock();
        let every = self.plan.wall_ns(self.policy.every).max(1_000_000);
        let mut rng = stream(1, 0, Source::Supervisor(self.sup as u32));
        let mut tally = Tally::default();
        let mut fx = Vec::new();
        let mut out: Vec<Vec<Job>> = vec![Vec::new(); self.plan.workers];
        let mut due = every;
        // The due time of the earliest action owed but not yet taken (missed ticks, backlog).
        let mut owed: Option<u64> = None;
        let sid = SupervisorId(self.sup as u32);
        let limit = self
            .policy
            .when
            .limit
            .map_or(MAX_ACTIONS_PER_TICK, |l| l as usize)
            .min(MAX_ACTIONS_PER_TICK);
        loop {
            if due >= self.live.deadline_ns || self.live.done.load(Relaxed) {
                if due < self.live.cutoff() {
                    owed.get_or_insert(due);
                }
                break;
            }
            tokio::time::sleep_until(tokio::time::Instant::from_std(clock.at(due))).await;
            if self.live.done.load(Relaxed) {
                if due < self.live.cutoff() {
                    owed.get_or_insert(due);
                }
                break;
            }
            let stamp = owed.unwrap_or(due);
            fx.clear();
            let mut marks = Vec::new();
            let capped = {
                let mut g = self.shared.lock();
                let tick = Tick { sid, limit, stamp };
                self.act(&mut g, &tick, &mut tally, &mut fx, &mut marks, &|| {
                    clock.ns()
                })
            };
            owed = capped.then_some(stamp);
            self.live.commands.fetch_add(marks.len() as u64, Relaxed);
            let base = marks.last().copied().unwrap_or(due);
            for e in &fx {
                if matches!(e, Effect::Invited { .. }) {
                    follow_up(&self.plan, 0, e, 0, base, &mut rng, &mut out);
                }
            }
            for (w, v) in out.iter_mut().enumerate() {
                if !v.is_empty() {
                    let _ = self.mail.0[w].send(std::mem::take(v));
                }
            }
            // A tick that ran late does not replay the ticks it missed (the policy looks at the
            // state as it is now); they are counted, and the next tick is timed from the first.
            let now = clock.ns();
            let next = due + every;
            let skip = now.saturating_sub(next) / every;
            if skip > 0 {
                self.live.missed_ticks.fetch_add(skip, Relaxed);
                owed.get_or_insert(next);
            }
            due = next + skip * every;
        }
        if let Some(since) = owed {
            // What the owed tick would do on the engine as the run ends: never applied.
            let g = self.shared.lock();
            let end = clock.ns();
            let all = self.policy.when.limit.map_or(usize::MAX, |l| l as usize);
            let mut nobody = false;
            let found = self.matches(&g, sid, all, &tally.tries, &mut tally.prefixes, &mut nobody);
            for conv in found {
                if let Ok(cmd) = self.command(&g, sid, conv, &mut tally.cursor) {
                    tally
                        .stats
                        .record_unapplied(kind_of(&cmd), end.saturating_sub(since), 1);
                }
            }
        }
        (tally.stats, self.name, tally.counts)
    }

    /// One tick's actions under the lock `g`: at most `tick.limit` matches acted on, each
    /// outcome recorded in `tally` (latency from `tick.stamp` to `now()`, ns) and each applied
    /// action's finish time pushed on `marks`; a failed attempt counts towards the policy's
    /// give-up bound ([`Tries`]). Returns whether the tick hit [`MAX_ACTIONS_PER_TICK`] (a
    /// backlog is left).
    fn act(
        &self,
        g: &mut EngineGuard<'_, E>,
        tick: &Tick,
        tally: &mut Tally,
        fx: &mut Vec<Effect>,
        marks: &mut Vec<u64>,
        now: &dyn Fn() -> u64,
    ) -> bool {
        if let Some(book) = &self.book {
            // The invitations of its assignments refused since the last tick: failed attempts.
            for conv in book.take_failed(self.index) {
                if tally.tries.fail(conv) {
                    tally.counts.given_up += 1;
                }
            }
        }
        let mut nobody = false;
        let mut found = self.matches(
            g,
            tick.sid,
            tick.limit + 1,
            &tally.tries,
            &mut tally.prefixes,
            &mut nobody,
        );
        let capped = tick.limit == MAX_ACTIONS_PER_TICK && found.len() > tick.limit;
        found.truncate(tick.limit);
        for conv in found {
            let cmd = match self.command(g, tick.sid, conv, &mut tally.cursor) {
                Ok(cmd) => cmd,
                // Nobody can take work (the tick's own assignments may have filled them): one
                // skip for the tick, no failed attempt, nothing sent.
                Err(Miss::Nobody) => {
                    nobody = true;
                    continue;
                }
                // The pick found nobody for this conversation: a skip and a failed attempt.
                Err(Miss::NotSent) => {
                    tally.counts.skipped_no_agent += 1;
                    if tally.tries.fail(conv) {
                        tally.counts.given_up += 1;
                    }
                    continue;
                }
                // Still there: its named agent, or every member of its queue for a pick,
                // refused it `refusals_before_skip` times, so the policy gives it up at once
                // and sends nothing (RT-ELIGIBLE).
                Err(Miss::GiveUp) => {
                    if g.engine().conversation(conv).is_some() && tally.tries.give_up(conv) {
                        tally.counts.given_up += 1;
                    }
                    continue;
                }
                Err(Miss::Gone) => continue,
            };
            let start = fx.len();
            let r = match cmd {
                Command::AssignToAgent(s, c, a) => g.assign_unclaimed(s, c, a, fx),
                other => g.apply(other, fx),
            };
            let done = now();
            if !g.engine().answered() {
                // A remote engine that never answered: not applied, no follow-ups.
                let age = done.saturating_sub(tick.stamp);
                tally.stats.record_unapplied(kind_of(&cmd), age, 1);
                fx.truncate(start);
                continue;
            }
            tally
                .stats
                .record(kind_of(&cmd), done.saturating_sub(tick.stamp), r);
            marks.push(done);
            if let Some(book) = &self.book {
                book.absorb(g.engine(), &fx[start..], Some(self.index));
            }
            if r.is_ok() {
                tally.counts.accepted += 1;
            } else {
                tally.counts.refused += 1;
                if tally.tries.fail(conv) {
                    tally.counts.given_up += 1;
                }
            }
        }
        if nobody {
            tally.counts.skipped_no_agent += 1;
        }
        let e = g.engine();
        tally.tries.forget(|c| e.conversation(c).is_some());
        if let Some(book) = &self.book {
            book.forget(|c| e.conversation(c).is_some());
        }
        capped
    }

    /// The conversations the policy acts on at a tick, oldest first, at most `limit` per
    /// queue list (and in all); those it gave up (`tries`) left out, and not even stepped
    /// over once every conversation before them in their list is given up too (`prefixes`,
    /// one per queue list, grown here). A queue where nobody can take the work of an
    /// assignment or transfer (`crate::policy::has_target`) is not walked; `nobody` is set
    /// when such a queue had a conversation to look at.
    fn matches(
        &self,
        g: &EngineGuard<'_, E>,
        sid: SupervisorId,
        limit: usize,
        tries: &Tries,
        prefixes: &mut Vec<GivenUpPrefix>,
        nobody: &mut bool,
    ) -> Vec<ConvId> {
        prefixes.resize(2 * self.queues.len(), GivenUpPrefix::default());
        let f = &self.policy.when;
        let (want_open, want_engaged) = wants(f);
        let now = g.now();
        let e = g.engine();
        let mut found: Vec<(u64, ConvId)> = Vec::new();
        for (qi, &q) in self.queues.iter().enumerate() {
            if f.queues.as_ref().is_some_and(|qs| !qs.contains(&q)) {
                continue;
            }
            if !has_target(e, q, &self.policy.action, f) {
                let waited = |c: ConvId| {
                    e.conversation(c).is_some_and(|v| {
                        f.waited_at_least
                            .is_none_or(|w| now.since(v.arrived_at) >= w)
                    })
                };
                *nobody = *nobody
                    || (want_open && e.open_in(q).next().is_some_and(waited))
                    || (want_engaged && e.engaged_in(q).next().is_some_and(waited));
                continue;
            }
            for (view, wanted) in [(View::Open, want_open), (View::Engaged, want_engaged)] {
                if !wanted {
                    continue;
                }
                let prefix = &mut prefixes[2 * qi + (view == View::Engaged) as usize];
                let mut taken = 0;
                let mut extending = true;
                for (seq, conv) in prefix.walk(e, q, view) {
                    if taken >= limit {
                        break;
                    }
                    #[cfg(test)]
                    tests::WALK_STEPS.with(|n| n.set(n.get() + 1));
                    // A conversation the policy gave up costs no engine call at later ticks
                    // (before the `waited_at_least` stop: a later one arrived later), nor a
                    // step once the ones before it are given up too.
                    let given_up = tries.given_up(conv);
                    prefix.step(&mut extending, seq, given_up);
                    if given_up {
                        continue;
                    }
                    let Some(v) = e.conversation(conv) else {
                        continue;
                    };
                    if let Some(w) = f.waited_at_least {
                        if now.since(v.arrived_at) < w {
                            break;
                        }
                    }
                    if !matches_basic(f, e, &v, now)
                        || f.sentiment_below.is_some()
                        || already_done(e, sid, &self.policy.action, conv)
                    {
                        continue;
                    }
                    found.push((v.seq, conv));
                    taken += 1;
                }
            }
        }
        found.sort_unstable_by_key(|x| x.0);
        found.truncate(limit);
        found.into_iter().map(|x| x.1).collect()
    }

    /// The command the policy's action makes for a conversation, or why none ([`Miss`]): it is
    /// gone; nobody in its queue (or the named agent) can take its units now; the pick found
    /// nobody for it (the agents left refused it `refusals_before_skip` times in its queue,
    /// RT-ELIGIBLE, or are its own agent); or the policy gives it up at once (its named agent,
    /// or every member of its queue for a pick, so refused it). A pick passes over agents who
    /// cannot take it (full, as the tick's own assignments may have made them).
    fn command(
        &self,
        g: &EngineGuard<'_, E>,
        sid: SupervisorId,
        conv: ConvId,
        cursor: &mut usize,
    ) -> Result<Command, Miss> {
        let e = g.engine();
        let v = e.conversation(conv).ok_or(Miss::Gone)?;
        let skip = e.config().refusals_before_skip;
        let skipped = |a| {
            self.book
                .as_ref()
                .is_some_and(|b| b.skips(conv, v.queue, a, skip))
        };
        let none = |_| false;
        let action = &self.policy.action;
        let agent = |pick, cursor: &mut usize, assign: bool| {
            let units = units_for(e, v.queue, action, v.state);
            if !anybody(e, v.queue, pick, units) {
                return Err(Miss::Nobody);
            }
            let refused: &dyn Fn(crate::model::AgentId) -> bool =
                if assign { &skipped } else { &none };
            let passed = |a| refused(a) || !can_take(e, v.queue, a, units);
            let got = pick_agent(e, v.queue, pick, cursor, v.primary, &passed);
            got.ok_or_else(|| {
                let members = e.members(v.queue);
                let all = assign && !members.is_empty() && members.iter().all(|&a| skipped(a));
                if all {
                    Miss::GiveUp
                } else {
                    Miss::NotSent
                }
            })
        };
        Ok(match action {
            Action::Monitor { .. } => Command::Monitor(sid, conv),
            Action::Join { message_mode } => Command::Join(sid, conv, *message_mode),
            Action::AssignToAgent(p) => {
                if let AgentPick::Named(a) = p {
                    if skipped(*a) && anybody(e, v.queue, p, units_for(e, v.queue, action, v.state))
                    {
                        return Err(Miss::GiveUp);
                    }
                }
                Command::AssignToAgent(sid, conv, agent(p, cursor, true)?)
            }
            Action::AssignToQueue(q) => Command::AssignToQueue(sid, conv, *q),
            Action::TransferToAgent(p) => Command::Transfer(sid, conv, agent(p, cursor, false)?),
            Action::ForceClose => Command::ForceClose(sid, conv),
        })
    }
}

/// Why a policy sends no command for a conversation ([`PolicyTask::command`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Miss {
    /// The conversation is gone.
    Gone,
    /// Nobody in its queue (or the named agent) can take its units now: one skip a tick.
    Nobody,
    /// The pick found nobody for it: a skip and a failed attempt.
    NotSent,
    /// The policy gives it up at once (RT-ELIGIBLE).
    GiveUp,
}

/// What a tick acts with: its supervisor, its action limit and the due time its actions are
/// timed from (ns).
struct Tick {
    sid: SupervisorId,
    limit: usize,
    stamp: u64,
}

/// What a policy task keeps from tick to tick.
#[derive(Default)]
struct Tally {
    /// The applied and refused actions' measurements.
    stats: TaskStats,
    /// `policies."S/P"`'s counts.
    counts: PolicyCounts,
    /// Failed attempts per conversation (the give-up bound).
    tries: Tries,
    /// The round-robin pick's position.
    cursor: usize,
    /// The given-up prefix of each view its walks take: `[2 × i]` the Open view of its
    /// `i`-th queue, `[2 × i + 1]` the engaged one (`crate::policy::GivenUpPrefix`).
    prefixes: Vec<GivenUpPrefix>,
}

/// Whether the action was already done to the conversation (as in the simulator's policies).
fn already_done<E: RulesEngine>(e: &E, sup: SupervisorId, a: &Action, conv: ConvId) -> bool {
    let Some(v) = e.conversation(conv) else {
        return true;
    };
    match a {
        Action::Monitor { .. } => e.is_monitoring(sup, conv),
        Action::Join { .. } => e.has_joined(sup, conv),
        Action::AssignToAgent(_) => v.invited.is_some(),
        Action::TransferToAgent(_) => v.consultants > 0,
        Action::AssignToQueue(_) | Action::ForceClose => false,
    }
}

#[cfg(test)]
mod tests;
