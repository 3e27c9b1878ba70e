//! The `[[supervisors]]` section: scope, periodic policies, timeline scripts and their actions.

use super::diag::Ctx;
use super::sections::{section, unique_name, Names};
use super::spanned::{
    boolean, duration, one_of, one_or_many, positive_duration, string, table, u32_at_least,
    unit_interval, Table, Val,
};
use super::types::{Action, AgentPick, Filter, Policy, ScriptLine, Supervisor, Target, TargetPick};
use crate::model::{ConvState, MessageMode};
use crate::time::{SimDuration, SimTime};

/// `[[supervisors]]`.
pub(crate) fn supervisors(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    names: &Names,
) -> Option<Vec<Supervisor>> {
    let items = section(cx, root, "supervisors");
    let mut seen = super::sections::Seen::default();
    let mut out = Vec::new();
    let mut ok = true;
    for (path, v) in &items {
        match supervisor(cx, path, v, &mut seen, names) {
            Some(s) => out.push(s),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn supervisor(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    seen: &mut super::sections::Seen,
    names: &Names,
) -> Option<Supervisor> {
    let t = table(cx, path, v)?;
    t.check_keys(
        cx,
        &["name", "queues", "reaction", "agent", "policies", "script"],
    );
    let name = unique_name(cx, &t, "supervisor", seen);
    let queues = t.req(cx, "queues", "the queues it supervises", |cx, p, v| {
        names.queue_list(cx, p, v)
    });
    let reaction = t.or(cx, "reaction", SimDuration::ZERO, duration);
    let agent = t.opt(cx, "agent", |cx, p, v| names.agent(cx, p, v));
    let mut ok = true;
    let mut policies = Vec::new();
    for (i, (p, v)) in section(cx, &t, "policies").into_iter().enumerate() {
        match policy(cx, &p, v, i, names) {
            Some(x) => policies.push(x),
            None => ok = false,
        }
    }
    let mut script = Vec::new();
    for (i, (p, v)) in section(cx, &t, "script").into_iter().enumerate() {
        match script_line(cx, &p, v, i + 1, names) {
            Some(x) => script.push(x),
            None => ok = false,
        }
    }
    script.sort_by_key(|l: &ScriptLine| l.at);
    if !ok {
        return None;
    }
    Some(Supervisor {
        name: name?,
        queues: queues?,
        reaction: reaction?,
        agent: agent?,
        policies,
        script,
    })
}

fn policy(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    index: usize,
    names: &Names,
) -> Option<Policy> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["name", "every", "when", "action"]);
    let name = t.or(
        cx,
        "name",
        format!("policy-{}", index + 1),
        super::spanned::name,
    );
    let every = t.req(
        cx,
        "every",
        "how often it is checked, e.g. \"30s\"",
        positive_duration,
    );
    let when = t.or(cx, "when", Filter::default_open(), |cx, p, v| {
        filter(cx, p, v, names)
    });
    let action = t.req(cx, "action", "what it does", |cx, p, v| {
        action(cx, p, v, names)
    });
    Some(Policy {
        name: name?,
        every: every?,
        when: when?,
        action: action?,
    })
}

impl Filter {
    /// Open conversations in any of the supervisor's queues.
    fn default_open() -> Filter {
        Filter {
            states: vec![ConvState::Open],
            queues: None,
            channels: None,
            waited_at_least: None,
            sentiment_below: None,
            limit: None,
        }
    }
}

const STATES: [&str; 5] = ["open", "active", "waiting", "wrap_up", "closed"];

fn state(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<ConvState> {
    one_of(&STATES)(cx, path, v).and_then(ConvState::parse)
}

fn filter(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, names: &Names) -> Option<Filter> {
    let t = table(cx, path, v)?;
    t.check_keys(
        cx,
        &[
            "state",
            "queue",
            "channel",
            "waited_at_least",
            "sentiment_below",
            "limit",
        ],
    );
    let states = t.or(cx, "state", vec![ConvState::Open], |cx, p, v| {
        one_or_many(cx, p, v, state)
    });
    let queues = t.opt(cx, "queue", |cx, p, v| {
        one_or_many(cx, p, v, |cx, p, v| names.queue(cx, p, v))
    });
    let channels = t.opt(cx, "channel", |cx, p, v| {
        one_or_many(cx, p, v, super::load::channel)
    });
    let waited_at_least = t.opt(cx, "waited_at_least", duration);
    let sentiment_below = t.opt(cx, "sentiment_below", unit_interval);
    let limit = t.opt(cx, "limit", u32_at_least(1));
    Some(Filter {
        states: states?,
        queues: queues?,
        channels: channels?,
        waited_at_least: waited_at_least?,
        sentiment_below: sentiment_below?,
        limit: limit?,
    })
}

const ACTION_KINDS: [&str; 5] = ["monitor", "join", "assign_to", "transfer_to", "force_close"];

/// A supervisor action: exactly one of the action keys, with that action's options.
pub(crate) fn action(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, names: &Names) -> Option<Action> {
    let t = table(cx, path, v)?;
    let kinds: Vec<&str> = ACTION_KINDS
        .into_iter()
        .filter(|k| t.get(k).is_some())
        .collect();
    let kind = match kinds.as_slice() {
        [k] => *k,
        [] => {
            t.check_keys(
                cx,
                &[
                    "monitor",
                    "join",
                    "assign_to",
                    "transfer_to",
                    "force_close",
                    "agent",
                    "pick",
                    "queue",
                    "message_mode",
                    "join_if_sentiment_below",
                ],
            );
            cx.report(
                path,
                Some(v.span()),
                "no action given; expected one of `monitor`, `join`, `assign_to`, `transfer_to`, `force_close`",
                Some("e.g. action = { assign_to = \"agent\", pick = \"most_free_capacity\" }".into()),
            );
            return None;
        }
        many => {
            cx.error(
                path,
                v.span(),
                format!("one action at a time; found {}", many.join(" and ")),
            );
            return None;
        }
    };
    let flag = |cx: &mut Ctx<'_>, key: &str| -> Option<()> {
        let b = t.req(cx, key, "true", boolean)?;
        if !b {
            cx.error(
                &t.path_of(key),
                t.get(key).map_or(v.span(), |v| v.span()),
                format!("`{key} = false` is not an action; write `{key} = true`"),
            );
            return None;
        }
        Some(())
    };
    let mode = |cx: &mut Ctx<'_>| {
        t.or(cx, "message_mode", MessageMode::Internal, |cx, p, v| {
            one_of(&["internal", "public"])(cx, p, v).map(|m| {
                if m == "public" {
                    MessageMode::Public
                } else {
                    MessageMode::Internal
                }
            })
        })
    };
    match kind {
        "monitor" => {
            t.check_keys(cx, &["monitor", "join_if_sentiment_below", "message_mode"]);
            let f = flag(cx, "monitor");
            let below = t.opt(cx, "join_if_sentiment_below", unit_interval);
            let message_mode = mode(cx);
            f?;
            Some(Action::Monitor {
                join_if_sentiment_below: below?,
                message_mode: message_mode?,
            })
        }
        "join" => {
            t.check_keys(cx, &["join", "message_mode"]);
            let f = flag(cx, "join");
            let message_mode = mode(cx);
            f?;
            Some(Action::Join {
                message_mode: message_mode?,
            })
        }
        "force_close" => {
            t.check_keys(cx, &["force_close"]);
            flag(cx, "force_close")?;
            Some(Action::ForceClose)
        }
        "transfer_to" => {
            t.check_keys(cx, &["transfer_to", "agent", "pick"]);
            t.req(cx, "transfer_to", "\"agent\"", one_of(&["agent"]))?;
            agent_pick(cx, &t, names).map(Action::TransferToAgent)
        }
        _ => {
            let to = t.req(
                cx,
                "assign_to",
                "\"agent\" or \"queue\"",
                one_of(&["agent", "queue"]),
            );
            match to? {
                "queue" => {
                    t.check_keys(cx, &["assign_to", "queue"]);
                    t.req(cx, "queue", "the target queue", |cx, p, v| {
                        names.queue(cx, p, v)
                    })
                    .map(Action::AssignToQueue)
                }
                _ => {
                    t.check_keys(cx, &["assign_to", "agent", "pick"]);
                    agent_pick(cx, &t, names).map(Action::AssignToAgent)
                }
            }
        }
    }
}

const PICKS: [&str; 3] = ["most_free_capacity", "least_loaded", "round_robin"];

fn agent_pick(cx: &mut Ctx<'_>, t: &Table<'_, '_>, names: &Names) -> Option<AgentPick> {
    match (t.get("agent"), t.get("pick")) {
        (Some(a), None) => names
            .agent(cx, &t.path_of("agent"), a)
            .map(AgentPick::Named),
        (None, Some(p)) => {
            let path = t.path_of("pick");
            let s = string(cx, &path, p)?;
            match s.as_str() {
                "most_free_capacity" => Some(AgentPick::MostFreeCapacity),
                "least_loaded" => Some(AgentPick::LeastLoaded),
                "round_robin" => Some(AgentPick::RoundRobin),
                _ if s.contains('-') || names.is_roster_agent(&s) => {
                    names.agent(cx, &path, p).map(AgentPick::Named)
                }
                _ => {
                    one_of(&PICKS)(cx, &path, p);
                    None
                }
            }
        }
        (Some(_), Some(_)) => {
            cx.error(
                t.path,
                t.span.clone().unwrap_or_default(),
                "give either `agent` or `pick`, not both",
            );
            None
        }
        (None, None) => {
            cx.report(
                t.path,
                t.span.clone(),
                "which agent? give `agent = \"<group>-<n>\"` (or a roster agent's name) or `pick = \"most_free_capacity\" | \"least_loaded\" | \"round_robin\"`",
                None,
            );
            None
        }
    }
}

fn script_line(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    line: usize,
    names: &Names,
) -> Option<ScriptLine> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["at", "action", "target"]);
    let at = t.req(cx, "at", "a time such as \"1h30m\"", duration);
    let action = t.req(cx, "action", "what it does", |cx, p, v| {
        action(cx, p, v, names)
    });
    let target = t.req(cx, "target", "which conversation", |cx, p, v| {
        target(cx, p, v, names)
    });
    Some(ScriptLine {
        at: SimTime(at?.as_millis()),
        action: action?,
        target: target?,
        line,
    })
}

fn target(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, names: &Names) -> Option<Target> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["queue", "state", "pick"]);
    let queue = t.req(cx, "queue", "the queue to look in", |cx, p, v| {
        names.queue(cx, p, v)
    });
    let state = t.or(cx, "state", ConvState::Open, state);
    let pick = t.or(cx, "pick", TargetPick::Oldest, |cx, p, v| {
        one_of(&["oldest", "newest"])(cx, p, v).map(|s| {
            if s == "newest" {
                TargetPick::Newest
            } else {
                TargetPick::Oldest
            }
        })
    });
    Some(Target {
        queue: queue?,
        state: state?,
        pick: pick?,
    })
}
