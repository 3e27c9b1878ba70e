//! Supervisor policies whose action the engine refuses whatever happens (issue 25, a loop that
//! never ends): a policy acts again at every `every` on each conversation it matches, so an
//! action that can never succeed is refused again and again for as long as the conversation
//! lives (the tester's `assign_to = "queue"` on Active conversations at `every = "1ms"`: 1.43
//! billion ASSIGN-STATE refusals in an 8-hour day, and `validate` said nothing).
//!
//! Judged from static facts only, rule by rule in the engine's catalogue order
//! (`engine::supervisor`), for each queue the policy looks at (the supervisor's `queues`,
//! narrowed by `when.queue` and `when.channel`, without the queues whose work stream has no
//! sentiment when `when.sentiment_below` is at most 0: it never matches there) and each state of
//! its `when.state`:
//!
//! - a switch of `[engine]` off: MON-DISABLED (monitor, join), ASSIGN-DISABLED (assign),
//!   TRANSFER-STATE (`transfer_enabled`), FORCE-CLOSE (`force_close_enabled`);
//! - JOIN-MONITORING: a join by a supervisor none of whose policies or script lines monitors;
//! - the state: MON-STATE (monitor: Active, Wrap-up, and Waiting with `monitor_waiting`),
//!   JOIN-STATE (Active), ASSIGN-STATE (Open), TRANSFER-STATE (Active, Waiting);
//! - the queue: MON-CHANNEL (its channel not monitorable), ASSIGN-QUEUE-SAME (a move to a
//!   queue of another channel), ASSIGN-AGENT-QUEUE (a named agent not a member of it);
//! - the named agent: ASSIGN-AGENT-PRESENCE when it is never on shift before the run ends
//!   (every shift starts at or after the horizon plus the drain limit, a roster agent with no
//!   shift, or `absence = 1`), RT-INVITE when it refuses every invitation;
//! - a `pick`: when no member group of the queue ever takes it, for any mix of the causes of
//!   [`super::available`] (absent, never on shift in the run, refusing every invitation; a
//!   transfer only the first two): ASSIGN-AGENT-PRESENCE when all are Offline, else RT-INVITE.
//!
//! When every (queue, state) the policy can match is refused, the policy can never act: an
//! error at its key path naming the rule (a warning for an `[engine]` switch turned off, which
//! an A/B of the rules does on purpose). When only some are, a warning naming the states or
//! queues refused (it can succeed elsewhere, so it is not refused). Script lines act once and
//! are not judged. A named agent whose capacity is short of one conversation's units by more
//! than `[engine] overallocation` allows even when idle is refused for every conversation
//! (ASSIGN-CAPACITY, judged per queue). What is refused only sometimes (a full agent; a break)
//! is bounded at run time instead (`sim::sup_tries`).
//!
//! Each message says what the run will then do, by rule ([`fate`]): a refusal by the engine is
//! tried again at each check until the policy gives the conversation up after
//! `policy::MAX_FAILED_ATTEMPTS` failed attempts; nobody able to take the work (a named agent or a
//! queue's agents Offline all run, a named agent too small under `overallocation`) is no
//! attempt at all: each check counts one `skipped_no_agent` and nothing is given up; an agent
//! refusing every invitation is skipped after `[engine] refusals_before_skip` refusals, and the
//! policy gives the conversation up then (a pick once every member of the queue has been), so
//! the number that applies is that one, of this scenario (issue 25: every message said 10,000
//! failed attempts).

use super::diag::Ctx;
use super::spanned::{value_at, Table};
use super::types::{Action, AgentGroup, AgentPick, Policy, Scenario, Supervisor};
use crate::engine::{state_rules, Overallocation};
use crate::model::{AgentId, Channel, ConvState, QueueId};

/// A supervisor policy's failed attempts on one conversation before it gives the conversation
/// up: `policy::MAX_FAILED_ATTEMPTS`, which is defined as this (the policy layer sits above
/// this one, so it is named here from its source).
const MAX_FAILED_ATTEMPTS: u32 = super::MAX_ROUNDS_PER_ARRIVAL as u32;

/// Why the engine refuses an action for some conversation: the rule id and the reason in words.
type Refusal = (&'static str, String);

/// Runs the check on every policy (see the module's words).
pub(crate) fn check(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    for (si, sup) in sc.supervisors.iter().enumerate() {
        for pi in 0..sup.policies.len() {
            policy(cx, root, sc, si, pi);
        }
    }
}

/// The queues a policy looks at: its supervisor's, narrowed by `when.queue` and `when.channel`.
fn seen<'a>(sc: &'a Scenario, sup: &'a Supervisor, p: &'a Policy) -> Vec<QueueId> {
    sup.queues
        .iter()
        .copied()
        .filter(|q| p.when.queues.as_ref().is_none_or(|qs| qs.contains(q)))
        // A work stream without sentiment reads 0: `sentiment_below` at or under 0 never
        // matches its conversations.
        .filter(|q| {
            let ws = &sc.workstreams[sc.queues[q.index()].workstream.index()];
            ws.sentiment.is_some() || p.when.sentiment_below.is_none_or(|b| b > 0.0)
        })
        .filter(|q| {
            p.when.channels.as_ref().is_none_or(|cs| {
                cs.contains(
                    &sc.workstreams[sc.queues[q.index()].workstream.index()]
                        .rules
                        .channel,
                )
            })
        })
        .collect()
}

fn channel(sc: &Scenario, q: QueueId) -> Channel {
    sc.workstreams[sc.queues[q.index()].workstream.index()]
        .rules
        .channel
}

/// The group an agent belongs to, and its index in the group (0-based).
fn group_of(sc: &Scenario, agent: AgentId) -> Option<(&AgentGroup, u32)> {
    sc.agent_groups.iter().find_map(|g| {
        let k = agent.0.wrapping_sub(g.first.0);
        (agent.0 >= g.first.0 && k < g.count).then_some((g, k))
    })
}

/// ASSIGN-CAPACITY whatever the agent holds: even idle, `agent`'s capacity is short of the
/// units one conversation of queue `q` takes by more than `[engine] overallocation` allows
/// (`engine::supervisor`'s check with nothing used or reserved). `None` when it can fit.
fn too_small(sc: &Scenario, agent: AgentId, q: QueueId) -> Option<Refusal> {
    let (g, _) = group_of(sc, agent)?;
    let ws = &sc.workstreams[sc.queues[q.index()].workstream.index()];
    let units = ws.rules.capacity_units;
    let over = i64::from(units) - i64::from(g.capacity);
    let (forbidden, allowed) = match sc.engine.overallocation {
        Overallocation::Allow => return None,
        Overallocation::Deny => (over > 0, "`[engine] overallocation = \"deny\"`".to_string()),
        Overallocation::UpTo(n) => (
            over > i64::from(n),
            format!("`[engine] overallocation` allows {n} units over"),
        ),
    };
    forbidden.then(|| {
        (
            "ASSIGN-CAPACITY",
            format!(
                "agent {:?} has capacity {}, a conversation of queue {:?} takes {units} units \
                 ({} over even when the agent is idle) and {allowed}",
                sc.agent_name(agent),
                g.capacity,
                sc.queues[q.index()].name,
                over
            ),
        )
    })
}

/// Why `agent` is Offline for the whole run (never on shift before the horizon plus the drain
/// limit, or never comes in: [`super::available::offline_cause`]), or `None` when it can be on
/// shift.
fn never_on_shift(sc: &Scenario, agent: AgentId) -> Option<String> {
    let (g, _) = group_of(sc, agent)?;
    let end = super::available::run_end(sc);
    let name = sc.agent_name(agent);
    Some(match super::available::offline_cause(sc, g)? {
        super::available::Cause::Absent => format!(
            "agent {name:?} never comes in (its group's `absence = {}`)",
            g.absence
        ),
        super::available::Cause::ShiftAfterRun(start) => format!(
            "agent {name:?} is on shift only from {} s, after the run ends (horizon + drain \
             limit = {} s)",
            start.as_millis() / 1000,
            end.as_millis() / 1000
        ),
        _ => format!(
            "roster agent {name:?} has no shift starting before the run ends (horizon + \
             drain limit = {} s)",
            end.as_millis() / 1000
        ),
    })
}

/// Why `agent` refuses every invitation (its group's `reject_probability +
/// ignore_probability` is 1), or `None`: an assignment invites, and the invitation is refused
/// (RT-INVITE) every time.
fn always_refuses(sc: &Scenario, agent: AgentId) -> Option<Refusal> {
    let (g, _) = group_of(sc, agent)?;
    (g.reject_probability + g.ignore_probability >= 1.0).then(|| {
        (
            "RT-INVITE",
            format!(
                "agent {:?} rejects or ignores every invitation (reject_probability {} + \
                 ignore_probability {} = 1), so each assignment's invitation is refused",
                sc.agent_name(agent),
                g.reject_probability,
                g.ignore_probability
            ),
        )
    })
}

/// Whether a supervisor ever monitors (a policy or a script line does).
fn monitors(sup: &Supervisor) -> bool {
    sup.policies
        .iter()
        .map(|p| &p.action)
        .chain(sup.script.iter().map(|l| &l.action))
        .any(|a| matches!(a, Action::Monitor { .. }))
}

/// The action's name as the file writes it.
fn action_name(a: &Action) -> &'static str {
    match a {
        Action::Monitor { .. } => "monitor",
        Action::Join { .. } => "join",
        Action::AssignToAgent(_) => "assign_to = \"agent\"",
        Action::AssignToQueue(_) => "assign_to = \"queue\"",
        Action::TransferToAgent(_) => "transfer_to = \"agent\"",
        Action::ForceClose => "force_close",
    }
}

/// What refuses the action of supervisor `sup` whatever the conversation: a switch off, a join
/// without monitoring, a named agent never on shift.
fn always(sc: &Scenario, sup: &Supervisor, a: &Action) -> Option<Refusal> {
    let e = &sc.engine;
    let off = |key: &str| format!("`[engine] {key} = false`");
    match a {
        Action::Monitor { .. } if !e.monitor_enabled => {
            Some(("MON-DISABLED", off("monitor_enabled")))
        }
        Action::Join { .. } if !e.monitor_enabled => Some(("MON-DISABLED", off("monitor_enabled"))),
        Action::Join { .. } if !monitors(sup) => Some((
            "JOIN-MONITORING",
            format!(
                "supervisor {:?} never monitors (none of its policies or script lines does), \
                 and only a monitored conversation can be joined",
                sup.name
            ),
        )),
        Action::AssignToAgent(_) | Action::AssignToQueue(_) if !e.assign_enabled => {
            Some(("ASSIGN-DISABLED", off("assign_enabled")))
        }
        Action::TransferToAgent(_) if !e.transfer_enabled => {
            Some(("TRANSFER-STATE", off("transfer_enabled")))
        }
        Action::ForceClose if !e.force_close_enabled => Some((
            "FORCE-CLOSE",
            "`[engine] force_close_enabled` is false (the default)".into(),
        )),
        Action::AssignToAgent(AgentPick::Named(x))
        | Action::TransferToAgent(AgentPick::Named(x)) => never_on_shift(sc, *x)
            .map(|why| ("ASSIGN-AGENT-PRESENCE", format!("{why}: Offline all run")))
            .or_else(|| match a {
                Action::AssignToAgent(_) => always_refuses(sc, *x),
                _ => None,
            }),
        _ => None,
    }
}

/// What refuses the action on a conversation in `state`, or `None` when the state is allowed.
fn by_state(sc: &Scenario, a: &Action, state: ConvState) -> Option<Refusal> {
    let e = &sc.engine;
    let s = state.as_str();
    match a {
        Action::Monitor { .. } => {
            (!state_rules::monitorable(state, e.monitor_waiting)).then(|| {
                let waiting = if e.monitor_waiting { ", waiting" } else { "" };
                (
                    "MON-STATE",
                    format!(
                        "only active, wrap_up{waiting} conversations can be monitored, not {s}"
                    ),
                )
            })
        }
        Action::Join { .. } => (!state_rules::joinable(state)).then(|| {
            (
                "JOIN-STATE",
                format!("only active conversations can be joined, not {s}"),
            )
        }),
        Action::AssignToAgent(_) | Action::AssignToQueue(_) => (!state_rules::assignable(state))
            .then(|| {
                (
                    "ASSIGN-STATE",
                    format!("only open conversations with no agent can be assigned, not {s}"),
                )
            }),
        Action::TransferToAgent(_) => (!state_rules::transferable(state)).then(|| {
            (
                "TRANSFER-STATE",
                format!("only active or waiting conversations can be transferred, not {s}"),
            )
        }),
        Action::ForceClose => None,
    }
}

/// What refuses the action on a conversation of queue `q`, or `None`.
fn by_queue(sc: &Scenario, a: &Action, q: QueueId) -> Option<Refusal> {
    let name = &sc.queues[q.index()].name;
    let ch = channel(sc, q);
    match a {
        Action::Monitor { .. }
            if ch == Channel::EntityRecords || sc.engine.monitor_channels & ch.bit() == 0 =>
        {
            Some((
                "MON-CHANNEL",
                format!("queue {name:?} serves {} (not monitorable)", ch.as_str()),
            ))
        }
        Action::AssignToQueue(t) if channel(sc, *t) != ch => Some((
            "ASSIGN-QUEUE-SAME",
            format!(
                "queue {name:?} serves {}, target queue {:?} serves {}: a move stays within a channel",
                ch.as_str(),
                sc.queues[t.index()].name,
                channel(sc, *t).as_str()
            ),
        )),
        Action::AssignToAgent(AgentPick::Named(x)) | Action::TransferToAgent(AgentPick::Named(x)) => {
            let member = group_of(sc, *x).is_some_and(|(g, _)| g.queues.contains(&q));
            if !member {
                return Some((
                    "ASSIGN-AGENT-QUEUE",
                    format!("agent {:?} is not a member of queue {name:?}", sc.agent_name(*x)),
                ));
            }
            too_small(sc, *x, q)
        }
        // A `pick` chooses among the queue's members who are not Offline: when every member
        // group is absent, never on shift in the run or refuses every invitation (any mix of
        // the causes), an assignment never succeeds (ASSIGN-AGENT-PRESENCE: nobody to pick, or
        // RT-INVITE: the one picked refuses); a transfer needs a member present.
        Action::AssignToAgent(_) | Action::TransferToAgent(_) => {
            let transfer = matches!(a, Action::TransferToAgent(_));
            let cause = |g: &AgentGroup| match transfer {
                true => super::available::offline_cause(sc, g),
                false => super::available::never_answers(sc, g),
            };
            let groups = super::available::nobody_in(sc, q, cause)?;
            if groups.iter().all(|(_, c)| !c.offline()) {
                // Every member refuses (the words of before the other causes were read).
                return Some((
                    "RT-INVITE",
                    format!(
                        "every agent of queue {name:?} rejects or ignores every invitation \
                         (reject_probability + ignore_probability = 1), so each assignment's \
                         invitation is refused"
                    ),
                ));
            }
            let refusing = groups.iter().any(|(_, c)| !c.offline());
            let causes: Vec<String> = groups
                .iter()
                .map(|&(g, c)| c.words(sc, &sc.agent_groups[g]))
                .collect();
            Some((
                if refusing {
                    "RT-INVITE"
                } else {
                    "ASSIGN-AGENT-PRESENCE"
                },
                format!(
                    "no member of queue {name:?} ever takes it: {}, so {}",
                    causes.join("; "),
                    if refusing {
                        "the agent picked refuses each assignment's invitation, and nobody \
                         else is there to pick"
                    } else {
                        "`pick` never finds an agent on shift"
                    }
                ),
            ))
        }
        _ => None,
    }
}

/// What a run does with a conversation the engine refuses by `rule` for action `a` (in queue
/// `q`, for a `pick`; `None` for a refusal whatever the queue), a policy checking `every`: the
/// words after "so", with the limit that applies in `sc` (see the module's words).
fn fate(sc: &Scenario, a: &Action, rule: &str, q: Option<QueueId>, every: &str) -> String {
    let bound = || {
        format!(
            "it would be refused again at each check ({every}) until the policy gives each \
             conversation up ({} failed attempts, counted in `given_up`)",
            thousands(MAX_FAILED_ATTEMPTS)
        )
    };
    match rule {
        "ASSIGN-AGENT-PRESENCE" | "ASSIGN-CAPACITY" => format!(
            "nobody can ever take its work: each check ({every}) with conversations waiting tries \
             none of them and counts one `skipped_no_agent`, for as long as they wait (nothing \
             is sent, nor given up)"
        ),
        "RT-INVITE" => {
            let skip = sc.engine.refusals_before_skip;
            let agents = match (a, q) {
                (Action::AssignToAgent(AgentPick::Named(_)), _) => Some(1),
                (_, Some(q)) => every_member_refuses(sc, q),
                _ => None,
            };
            match agents {
                Some(n) if u64::from(skip) * n < u64::from(MAX_FAILED_ATTEMPTS) => {
                    let who = if n == 1 {
                        "the agent".to_string()
                    } else {
                        format!("each of the queue's {n} agents")
                    };
                    format!(
                        "each check ({every}) invites again, and the policy gives each \
                         conversation up once {who} has refused it {skip} times (`[engine] refusals_before_skip = {skip}`, routing's invitations \
                         included): at most {} refused invitations of the policy per \
                         conversation, counted in `given_up`",
                        thousands_u64(u64::from(skip) * n)
                    )
                }
                _ => bound(),
            }
        }
        _ => bound(),
    }
}

/// The agents of queue `q` when every member group refuses every invitation (none of them
/// Offline all run: a pick then gives a conversation up once each has refused it
/// `refusals_before_skip` times), else `None`.
fn every_member_refuses(sc: &Scenario, q: QueueId) -> Option<u64> {
    let groups = super::available::nobody_in(sc, q, |g| super::available::never_answers(sc, g))?;
    groups.iter().all(|(_, c)| !c.offline()).then(|| {
        groups
            .iter()
            .map(|&(g, _)| u64::from(sc.agent_groups[g].count))
            .sum()
    })
}

/// `n` with thousands separators (`10,000`).
fn thousands(n: u32) -> String {
    thousands_u64(u64::from(n))
}

/// [`thousands`] of a `u64`.
fn thousands_u64(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The distinct [`fate`]s of a list of refusals (each with its queue), joined.
fn fates(sc: &Scenario, a: &Action, list: &[(Option<QueueId>, Refusal)], every: &str) -> String {
    let mut seen: Vec<String> = Vec::new();
    for (q, (rule, _)) in list {
        let f = fate(sc, a, rule, *q, every);
        if !seen.contains(&f) {
            seen.push(f);
        }
    }
    seen.join("; or ")
}

fn policy(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario, si: usize, pi: usize) {
    let sup = &sc.supervisors[si];
    let p = &sup.policies[pi];
    let a = &p.action;
    let states: Vec<ConvState> = p
        .when
        .states
        .iter()
        .copied()
        .filter(|s| *s != ConvState::Closed)
        .collect();
    let queues: Vec<QueueId> = seen(sc, sup, p)
        .into_iter()
        // A move's target queue is never walked (`sim::supervisors`).
        .filter(|q| !matches!(a, Action::AssignToQueue(t) if t == q))
        .collect();
    if states.is_empty() || queues.is_empty() {
        return;
    }
    let every = format!("every {} ms", p.every.as_millis());
    let what = format!(
        "policy {:?} of supervisor {:?} ({})",
        p.name,
        sup.name,
        action_name(a)
    );
    let base = format!("supervisors.{si}.policies.{pi}");
    let action_at = (
        format!("supervisors[{si}].policies[{pi}].action"),
        value_at(root, &format!("{base}.action")).map(|v| v.span()),
    );
    if let Some((rule, why)) = always(sc, sup, a) {
        let (path, span) = action_at;
        // An `[engine]` switch turned off on purpose (an A/B of the rules: the same file with
        // `assign_enabled = false`) is a warning: the run's bound (`sim::sup_tries`) holds it.
        let switch = why.starts_with("`[engine]");
        let message = format!(
            "{what} can never act: the engine refuses it for every conversation ({rule}: \
             {why}), so {}",
            fate(sc, a, rule, None, &every)
        );
        if switch {
            cx.warn(&path, span, message, Some(hint(rule).into()));
        } else {
            cx.report(&path, span, message, Some(hint(rule).into()));
        }
        return;
    }
    let refused_states: Vec<(ConvState, Refusal)> = states
        .iter()
        .filter_map(|&s| by_state(sc, a, s).map(|r| (s, r)))
        .collect();
    let refused_queues: Vec<(QueueId, Refusal)> = queues
        .iter()
        .filter_map(|&q| by_queue(sc, a, q).map(|r| (q, r)))
        .collect();
    let all_states = refused_states.len() == states.len();
    let all_queues = refused_queues.len() == queues.len();
    let state_at = || {
        let route = format!("{base}.when.state");
        match value_at(root, &route) {
            Some(v) => (
                format!("supervisors[{si}].policies[{pi}].when.state"),
                Some(v.span()),
            ),
            None => action_at.clone(),
        }
    };
    let words = |list: &[Refusal]| {
        let mut seen_rules: Vec<String> = Vec::new();
        for (rule, why) in list {
            let w = format!("{rule}: {why}");
            if !seen_rules.contains(&w) {
                seen_rules.push(w);
            }
        }
        seen_rules.join("; ")
    };
    if all_states || all_queues {
        let (path, span, list) = if all_states {
            let (p, s) = state_at();
            (
                p,
                s,
                refused_states
                    .iter()
                    .map(|(_, r)| (None, r.clone()))
                    .collect::<Vec<_>>(),
            )
        } else {
            let (p, s) = action_at.clone();
            (
                p,
                s,
                refused_queues
                    .iter()
                    .map(|(q, r)| (Some(*q), r.clone()))
                    .collect(),
            )
        };
        let rule = list[0].1 .0;
        let refusals: Vec<Refusal> = list.iter().map(|(_, r)| r.clone()).collect();
        cx.report(
            &path,
            span,
            format!(
                "{what} can never act: the engine refuses it for every conversation it matches \
                 ({}), so {}",
                words(&refusals),
                fates(sc, a, &list, &every)
            ),
            Some(hint(rule).into()),
        );
        return;
    }
    if !refused_states.is_empty() {
        let (path, span) = state_at();
        let names: Vec<&str> = refused_states.iter().map(|(s, _)| s.as_str()).collect();
        let list: Vec<Refusal> = refused_states.into_iter().map(|(_, r)| r).collect();
        cx.warn(
            &path,
            span,
            format!(
                "{what} is refused on every {} conversation it matches ({}): each is refused \
                 again at each check ({every}) until it leaves that state or the policy gives \
                 it up ({} failed attempts, counted in `given_up`)",
                names.join(" or "),
                words(&list),
                thousands(MAX_FAILED_ATTEMPTS)
            ),
            Some(format!(
                "drop {} from `when.state`",
                super::suggest::quoted_list(names.iter().copied())
            )),
        );
    }
    if !refused_queues.is_empty() {
        let (path, span) = action_at;
        let names: Vec<&str> = refused_queues
            .iter()
            .map(|(q, _)| sc.queues[q.index()].name.as_str())
            .collect();
        let with_queues: Vec<(Option<QueueId>, Refusal)> = refused_queues
            .iter()
            .map(|(q, r)| (Some(*q), r.clone()))
            .collect();
        let list: Vec<Refusal> = refused_queues.into_iter().map(|(_, r)| r).collect();
        cx.warn(
            &path,
            span,
            format!(
                "{what} is refused on every conversation of queue {} ({}), so {}",
                super::suggest::quoted_list(names.iter().copied()),
                words(&list),
                fates(sc, a, &with_queues, &every)
            ),
            Some("narrow the policy with `when.queue`".into()),
        );
    }
}

/// What to change, by rule.
fn hint(rule: &str) -> &'static str {
    match rule {
        "MON-DISABLED" => "set `[engine] monitor_enabled = true`, or remove the policy",
        "ASSIGN-DISABLED" => "set `[engine] assign_enabled = true`, or remove the policy",
        "FORCE-CLOSE" => "set `[engine] force_close_enabled = true`, or remove the policy",
        "JOIN-MONITORING" => {
            "give the supervisor a `monitor` policy (or use `{ monitor = true, join_if_sentiment_below = … }`)"
        }
        "ASSIGN-AGENT-PRESENCE" => {
            "name an agent on shift during the run, or `pick` in a queue with one on shift"
        }
        "RT-INVITE" => {
            "name an agent who accepts some invitations, or use `pick` in a queue with one"
        }
        "ASSIGN-AGENT-QUEUE" => "name a member of the queues the policy looks at, or use `pick`",
        "ASSIGN-QUEUE-SAME" => "move to a queue of the same channel",
        "ASSIGN-CAPACITY" => {
            "name an agent whose capacity holds one conversation, or allow overallocation (`[engine] overallocation`)"
        }
        "MON-CHANNEL" => "look at queues of a monitorable channel (`[engine] monitor_channels`)",
        "TRANSFER-STATE" => {
            "match active or waiting conversations in `when.state` (and keep `[engine] transfer_enabled` on)"
        }
        _ => "match the states the action applies to in `when.state` (see docs/scenario-format.md, Actions)",
    }
}
