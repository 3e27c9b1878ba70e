//! The `[[agent_groups]]` section, and the check that every work stream fits an agent serving it.

use super::diag::Ctx;
use super::sections::{section, unique_name, GroupInfo, Names};
use super::spanned::{dist, positive_duration, probability, table, u32_at_least, Table, Val};
use super::types::{AgentGroup, Breaks, Disconnects, Shift};
use crate::dist::Dist;
use crate::model::{AgentId, QueueId};
use crate::time::{SimDuration, SimTime};

/// `[[agent_groups]]`, then the check that every work stream fits some agent that serves it.
pub(crate) fn agent_groups(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    names: &mut Names,
) -> Option<Vec<AgentGroup>> {
    let items = section(cx, root, "agent_groups");
    let mut seen = super::sections::Seen::default();
    let mut out = Vec::new();
    let mut ok = true;
    let mut next: u32 = 0;
    // (queues served, capacity) of each group, for the fit check.
    let mut serving: Vec<(Vec<QueueId>, u32)> = Vec::new();
    for (path, v) in &items {
        match group(cx, path, v, &mut seen, names, &mut next) {
            Some(g) => {
                serving.push((g.queues.clone(), g.capacity));
                out.push(g);
            }
            None => ok = false,
        }
    }
    for (wi, ws) in names.workstreams.iter().enumerate() {
        let Some(units) = ws.units else { continue };
        let caps: Vec<u32> = serving
            .iter()
            .filter(|(qs, _)| {
                qs.iter()
                    .any(|q| names.queues.get(q.index()).and_then(|qi| qi.workstream) == Some(wi))
            })
            .map(|(_, c)| *c)
            .collect();
        if let Some(max) = caps.iter().max() {
            if *max < units {
                cx.report(
                    &format!("{}.capacity_units", ws.path),
                    ws.span.clone(),
                    format!(
                        "work stream {:?} takes {} per conversation but the agents serving its queues have at most {max}: no agent can ever hold its conversations",
                        ws.name,
                        crate::text::plural(u64::from(units), "unit")
                    ),
                    Some("lower capacity_units or raise the groups' capacity".into()),
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

const GROUP_KEYS: [&str; 12] = [
    "name",
    "skills",
    "count",
    "capacity",
    "queues",
    "shift",
    "breaks",
    "accept_delay",
    "reject_probability",
    "ignore_probability",
    "disconnects",
    "absence",
];

fn group(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    seen: &mut super::sections::Seen,
    names: &mut Names,
    next: &mut u32,
) -> Option<AgentGroup> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &GROUP_KEYS);
    let name = unique_name(cx, &t, "agent group", seen);
    // `count = 0` keeps a group's place with no agents (a staffed group whose roster replaced it).
    let count = t.req(cx, "count", "how many agents", u32_at_least(0));
    let absence = t.or(cx, "absence", 0.0, probability);
    let capacity = t.or(cx, "capacity", 100, u32_at_least(1));
    let queues = t.req(cx, "queues", "the queues its agents serve", |cx, p, v| {
        names.queue_list(cx, p, v)
    });
    let shift = t.opt(cx, "shift", shift);
    let breaks = t.opt(cx, "breaks", breaks);
    let accept_delay = t.or(cx, "accept_delay", Dist::Constant(SimDuration::ZERO), dist);
    let reject = t.or(cx, "reject_probability", 0.0, probability);
    let ignore = t.or(cx, "ignore_probability", 0.0, probability);
    let disconnects = t.opt(cx, "disconnects", disconnects);
    let skills = t.or(cx, "skills", Vec::new(), |cx, p, v| {
        super::routing::group_skills(cx, p, v, names)
    });
    if let (Some(r), Some(i)) = (reject, ignore) {
        if r + i > 1.0 {
            cx.error(
                &t.path_of("ignore_probability"),
                t.get("ignore_probability").map_or(v.span(), |v| v.span()),
                format!(
                    "reject_probability + ignore_probability = {} is more than 1",
                    r + i
                ),
            );
            return None;
        }
    }
    let first = *next;
    let mut count_ok = count;
    if let Some(c) = count {
        match next.checked_add(c) {
            Some(n) => *next = n,
            None => {
                cx.error(
                    &t.path_of("count"),
                    t.get("count").map_or(v.span(), |v| v.span()),
                    "too many agents in all",
                );
                count_ok = None;
            }
        }
    }
    names.groups.push(GroupInfo {
        name: name.clone().unwrap_or_default(),
        count: count_ok,
        first,
    });
    Some(AgentGroup {
        name: name?,
        count: count_ok?,
        capacity: capacity?,
        queues: queues?,
        shift: shift?,
        breaks: breaks?,
        absence: absence?,
        accept_delay: accept_delay?,
        reject_probability: reject?,
        ignore_probability: ignore?,
        disconnects: disconnects?,
        first: AgentId(first),
        roster: None,
        skills: skills?,
    })
}

fn shift(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<Shift> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["start", "end"]);
    let start = t.req(cx, "start", "a duration", super::spanned::duration);
    let end = t.req(cx, "end", "a duration", super::spanned::duration);
    let (start, end) = (start?, end?);
    if end <= start {
        cx.error(
            path,
            v.span(),
            format!("shift end ({end}) must be after its start ({start})"),
        );
        return None;
    }
    Some(Shift {
        start: SimTime(start.as_millis()),
        end: SimTime(end.as_millis()),
    })
}

fn breaks(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<Breaks> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["every", "length"]);
    let every = t.req(cx, "every", "a duration", positive_duration);
    let length = t.req(cx, "length", "a duration", positive_duration);
    let (every, length) = (every?, length?);
    if length >= every {
        cx.error(
            path,
            v.span(),
            format!(
                "break length ({length}) must be shorter than the time between breaks ({every})"
            ),
        );
        return None;
    }
    Some(Breaks { every, length })
}

fn disconnects(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<Disconnects> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["every", "duration", "reconnect_timeout"]);
    let every = t.req(
        cx,
        "every",
        "the mean time between an agent's disconnects, e.g. \"4h\"",
        positive_duration,
    );
    let duration = t.req(
        cx,
        "duration",
        "a distribution of how long it stays disconnected",
        dist,
    );
    let timeout = t.or(
        cx,
        "reconnect_timeout",
        SimDuration::from_secs(60),
        positive_duration,
    );
    Some(Disconnects {
        every: every?,
        duration: duration?,
        reconnect_timeout: timeout?,
    })
}
