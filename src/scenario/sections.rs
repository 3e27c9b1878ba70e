//! The work stream, queue and agent group sections, and the name tables that later sections
//! resolve their references against.

use super::diag::Ctx;
use super::load::channel;
use super::spanned::{
    array, dist, name, number, one_of, positive_duration, probability, rate, string, table,
    u32_at_least, unit_interval, Span, Table, Val,
};
use super::suggest::{closest, quoted_list};
use super::types::{AgentGroup, Arrivals, Breaks, Queue, Sentiment, Shift, Workstream};
use crate::dist::Dist;
use crate::model::{
    AgentId, AssignmentMethod, Channel, Presence, PresenceSet, QueueId, RoutingMode, WorkstreamId,
    WorkstreamRules, WrapUpBlock,
};
use crate::time::{SimDuration, SimTime};

/// What later sections need to know about a work stream.
#[derive(Debug)]
pub(crate) struct WsInfo {
    pub(crate) name: String,
    pub(crate) path: String,
    pub(crate) span: Option<Span>,
    pub(crate) units: Option<u32>,
}

/// What later sections need to know about a queue.
#[derive(Debug)]
pub(crate) struct QueueInfo {
    pub(crate) name: String,
    pub(crate) workstream: Option<usize>,
}

/// What later sections need to know about an agent group.
#[derive(Debug)]
pub(crate) struct GroupInfo {
    pub(crate) name: String,
    /// `None` when the count was invalid (agent references are then not checked further).
    pub(crate) count: Option<u32>,
    pub(crate) first: u32,
}

/// The names defined so far, for resolving references.
#[derive(Debug, Default)]
pub(crate) struct Names {
    pub(crate) workstreams: Vec<WsInfo>,
    pub(crate) queues: Vec<QueueInfo>,
    pub(crate) groups: Vec<GroupInfo>,
}

fn unknown(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, what: &str, given: &str, known: &[&str]) {
    let expected = if known.is_empty() {
        "none are defined".to_string()
    } else {
        format!("expected one of {}", quoted_list(known.iter().copied()))
    };
    let hint = closest(given, known.iter().copied()).map(|c| format!("did you mean {c:?}?"));
    cx.report(
        path,
        Some(v.span()),
        format!("unknown {what} {given:?}; {expected}"),
        hint,
    );
}

impl Names {
    /// Resolves a queue name.
    pub(crate) fn queue(&self, cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<QueueId> {
        let n = string(cx, path, v)?;
        if let Some(i) = self.queues.iter().position(|q| q.name == n) {
            return u32::try_from(i).ok().map(QueueId);
        }
        let known: Vec<&str> = self.queues.iter().map(|q| q.name.as_str()).collect();
        unknown(cx, path, v, "queue", &n, &known);
        None
    }

    /// A list of queue names: non-empty, no repeats.
    pub(crate) fn queue_list(
        &self,
        cx: &mut Ctx<'_>,
        path: &str,
        v: &Val<'_>,
    ) -> Option<Vec<QueueId>> {
        let items = array(cx, path, v)?;
        if items.is_empty() {
            cx.error(
                path,
                v.span(),
                "the queue list is empty; name at least one queue",
            );
            return None;
        }
        let mut out: Vec<QueueId> = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            match self.queue(cx, &p, item) {
                Some(q) if out.contains(&q) => {
                    cx.error(&p, item.span(), "queue listed twice");
                    ok = false;
                }
                Some(q) => out.push(q),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Resolves an agent name `<group>-<k>`.
    pub(crate) fn agent(&self, cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<AgentId> {
        let n = string(cx, path, v)?;
        let groups: Vec<&str> = self.groups.iter().map(|g| g.name.as_str()).collect();
        let parsed = n
            .rsplit_once('-')
            .and_then(|(g, k)| Some((g, k.parse::<u32>().ok()?)));
        let Some((gname, k)) = parsed else {
            cx.report(
                path,
                Some(v.span()),
                format!(
                    "{n:?} is not an agent name; expected <group>-<number>, e.g. \"{}-1\"",
                    groups.first().copied().unwrap_or("tier1")
                ),
                None,
            );
            return None;
        };
        let Some(g) = self.groups.iter().find(|g| g.name == gname) else {
            unknown(cx, path, v, "agent group", gname, &groups);
            return None;
        };
        let count = g.count?;
        if k == 0 || k > count {
            cx.error(
                path,
                v.span(),
                format!("no agent {n:?}: group {gname:?} has agents {gname}-1 … {gname}-{count}"),
            );
            return None;
        }
        g.first.checked_add(k - 1).map(AgentId)
    }
}

/// The tables of an array-of-tables section such as `[[queues]]`, with their paths.
pub(crate) fn section<'a, 'i>(
    cx: &mut Ctx<'_>,
    parent: &Table<'a, 'i>,
    key: &str,
) -> Vec<(String, &'a Val<'i>)> {
    let Some(v) = parent.get(key) else {
        return Vec::new();
    };
    let path = parent.path_of(key);
    match array(cx, &path, v) {
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("{path}[{i}]"), item))
            .collect(),
        None => Vec::new(),
    }
}

/// Reads the `name` key and reports duplicates among `seen`.
pub(crate) fn unique_name(
    cx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    what: &str,
    seen: &mut Vec<(String, String)>,
) -> Option<String> {
    let n = t.req(cx, "name", what, name)?;
    if let Some((_, first)) = seen.iter().find(|(s, _)| *s == n) {
        let span = t.get("name").map(|v| v.span());
        cx.report(
            &t.path_of("name"),
            span,
            format!("duplicate {what} name {n:?}"),
            Some(format!(
                "names must be unique; {n:?} is already the name of `{first}`"
            )),
        );
        return None;
    }
    seen.push((n.clone(), t.path.to_string()));
    Some(n)
}

fn auto_close(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<Option<SimDuration>> {
    if let toml::de::DeValue::String(s) = v.get_ref() {
        if s.trim() == "never" {
            return Some(None);
        }
    }
    let d = super::spanned::duration(cx, path, v)?;
    if d == SimDuration::ZERO {
        cx.report(
            path,
            Some(v.span()),
            "must be longer than 0s",
            Some("write \"never\" to turn the auto-close off".into()),
        );
        return None;
    }
    Some(Some(d))
}

/// `[[workstreams]]`.
pub(crate) fn workstreams(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    names: &mut Names,
) -> Option<Vec<Workstream>> {
    let items = section(cx, root, "workstreams");
    if items.is_empty() && root.get("workstreams").is_none() {
        root.missing(cx, "workstreams", "at least one [[workstreams]] table");
        return None;
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    let mut ok = true;
    for (path, v) in &items {
        match workstream(cx, path, v, &mut seen, names) {
            Some(w) => out.push(w),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

const WS_KEYS: [&str; 15] = [
    "name",
    "channel",
    "mode",
    "capacity_units",
    "allowed_presences",
    "block_capacity_for_wrap_up",
    "handle_time",
    "wrap_up_time",
    "patience",
    "sentiment",
    "open_auto_close",
    "wrap_up_auto_close",
    "waiting_probability",
    "waiting_time",
    "waiting_auto_close",
];

fn workstream(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    seen: &mut Vec<(String, String)>,
    names: &mut Names,
) -> Option<Workstream> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &WS_KEYS);
    let name = unique_name(cx, &t, "work stream", seen);
    let channel = t.req(
        cx,
        "channel",
        "live_chat | persistent_chat | messaging | voice | entity_records",
        channel,
    );
    let mode = t.or(cx, "mode", RoutingMode::Push, |cx, p, v| {
        one_of(&["push", "pick"])(cx, p, v).map(|m| {
            if m == "pick" {
                RoutingMode::Pick
            } else {
                RoutingMode::Push
            }
        })
    });
    let units = t.or(cx, "capacity_units", 100, u32_at_least(1));
    let presences = t.or(cx, "allowed_presences", PresenceSet::DEFAULT, |cx, p, v| {
        const P: [&str; 5] = ["available", "busy", "busy_dnd", "away", "offline"];
        let list = super::spanned::one_or_many(cx, p, v, |cx, p, v| {
            one_of(&P)(cx, p, v).and_then(Presence::parse)
        })?;
        Some(PresenceSet::of(&list))
    });
    let block = t.or(
        cx,
        "block_capacity_for_wrap_up",
        WrapUpBlock::Always,
        |cx, p, v| match v.get_ref() {
            toml::de::DeValue::String(s) if s == "always" => Some(WrapUpBlock::Always),
            toml::de::DeValue::String(s) if s == "never" => Some(WrapUpBlock::Never),
            _ => super::spanned::duration(cx, p, v).map(WrapUpBlock::For),
        },
    );
    let handle_time = t.req(cx, "handle_time", "a distribution", dist);
    let wrap_up_time = t.opt(cx, "wrap_up_time", dist);
    let patience = t.opt(cx, "patience", dist);
    let sentiment = t.opt(cx, "sentiment", sentiment);
    let chat = channel.map(|c| {
        matches!(
            c,
            Channel::LiveChat | Channel::PersistentChat | Channel::Messaging
        )
    });
    let open_default = (chat == Some(true)).then(|| SimDuration::from_secs(20 * 60));
    let wrap_default = (chat == Some(true)).then(|| SimDuration::from_secs(15 * 60));
    let open_auto_close = t.or(cx, "open_auto_close", open_default, auto_close);
    let wrap_up_auto_close = t.or(cx, "wrap_up_auto_close", wrap_default, auto_close);
    let waiting_probability = t.or(cx, "waiting_probability", 0.0, probability);
    let waiting_time = t.opt(cx, "waiting_time", dist);
    let waiting_auto_close = t.or(cx, "waiting_auto_close", None, auto_close);
    let mut waiting_bad = false;
    if let Some(c) = channel.filter(|c| !c.allows_waiting()) {
        for key in ["waiting_probability", "waiting_time", "waiting_auto_close"] {
            if let Some(v) = t.get(key) {
                cx.report(
                    &t.path_of(key),
                    Some(v.span()),
                    format!(
                        "`{key}` applies only to persistent_chat and messaging, not {}",
                        c.as_str()
                    ),
                    Some("LC-WAITING: live chat, voice and entity records never wait".into()),
                );
                waiting_bad = true;
            }
        }
    }
    names.workstreams.push(WsInfo {
        name: name.clone().unwrap_or_default(),
        path: path.to_string(),
        span: t.get("capacity_units").map(|v| v.span()).or(t.span.clone()),
        units,
    });
    if waiting_bad {
        return None;
    }
    let waiting_probability = waiting_probability?;
    let waiting_time = waiting_time?.or_else(|| {
        (waiting_probability > 0.0).then(|| Dist::Exponential {
            mean: SimDuration::from_secs(600),
        })
    });
    Some(Workstream {
        name: name?,
        rules: WorkstreamRules {
            channel: channel?,
            mode: mode?,
            capacity_units: units?,
            allowed_presences: presences?,
            block_capacity_for_wrap_up: block?,
        },
        handle_time: handle_time?,
        wrap_up_time: wrap_up_time?,
        patience: patience?,
        sentiment: sentiment?,
        open_auto_close: open_auto_close?,
        wrap_up_auto_close: wrap_up_auto_close?,
        waiting_probability,
        waiting_time,
        waiting_auto_close: waiting_auto_close?,
    })
}

fn sentiment(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<Sentiment> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["start", "drift", "volatility"]);
    let start = t.or(cx, "start", 0.0, unit_interval);
    let drift = t.or(cx, "drift", 0.0, number);
    let volatility = t.or(cx, "volatility", 0.0, |cx, p, v| {
        let x = number(cx, p, v)?;
        if x < 0.0 {
            cx.error(
                p,
                v.span(),
                format!("volatility must be at least 0, found {x}"),
            );
            return None;
        }
        Some(x)
    });
    Some(Sentiment {
        start: start?,
        drift: drift?,
        volatility: volatility?,
    })
}

/// `[[queues]]`.
pub(crate) fn queues(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    names: &mut Names,
    horizon: Option<SimDuration>,
) -> Option<Vec<Queue>> {
    let items = section(cx, root, "queues");
    if items.is_empty() && root.get("queues").is_none() {
        root.missing(cx, "queues", "at least one [[queues]] table");
        return None;
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    let mut ok = true;
    for (path, v) in &items {
        match queue(cx, path, v, &mut seen, names, horizon) {
            Some(q) => out.push(q),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn queue(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    seen: &mut Vec<(String, String)>,
    names: &mut Names,
    horizon: Option<SimDuration>,
) -> Option<Queue> {
    let t = table(cx, path, v)?;
    t.check_keys(
        cx,
        &["name", "workstream", "assignment", "priority", "arrivals"],
    );
    let name = unique_name(cx, &t, "queue", seen);
    let ws = t.req(cx, "workstream", "a work stream's name", |cx, p, v| {
        let n = string(cx, p, v)?;
        if let Some(i) = names.workstreams.iter().position(|w| w.name == n) {
            return Some(i);
        }
        let known: Vec<&str> = names.workstreams.iter().map(|w| w.name.as_str()).collect();
        unknown(cx, p, v, "work stream", &n, &known);
        None
    });
    const METHODS: [&str; 4] = [
        "highest_capacity",
        "advanced_round_robin",
        "round_robin",
        "least_active",
    ];
    let assignment = t.or(cx, "assignment", AssignmentMethod::default(), |cx, p, v| {
        one_of(&METHODS)(cx, p, v).and_then(AssignmentMethod::parse)
    });
    let priority = t.or(cx, "priority", 1, u32_at_least(0));
    let arrivals = t.or(cx, "arrivals", Arrivals::None, |cx, p, v| {
        arrivals(cx, p, v, horizon)
    });
    names.queues.push(QueueInfo {
        name: name.clone().unwrap_or_default(),
        workstream: ws,
    });
    Some(Queue {
        name: name?,
        workstream: WorkstreamId(u32::try_from(ws?).ok()?),
        assignment: assignment?,
        priority: priority?,
        arrivals: arrivals?,
    })
}

fn arrivals(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    horizon: Option<SimDuration>,
) -> Option<Arrivals> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["rate", "profile", "times"]);
    let given: Vec<&str> = ["rate", "profile", "times"]
        .into_iter()
        .filter(|k| t.get(k).is_some())
        .collect();
    if given.len() != 1 {
        cx.report(
            path,
            Some(v.span()),
            format!(
                "arrivals need exactly one of `rate`, `profile` or `times`, found {}",
                if given.is_empty() {
                    "none".to_string()
                } else {
                    given.join(" and ")
                }
            ),
            Some("e.g. arrivals = { rate = \"90/h\" }".into()),
        );
        return None;
    }
    if let Some(r) = t.get("rate") {
        return rate(false)(cx, &t.path_of("rate"), r).map(Arrivals::Rate);
    }
    if let Some(pv) = t.get("profile") {
        let p = t.path_of("profile");
        let items = array(cx, &p, pv)?;
        if items.is_empty() {
            cx.error(
                &p,
                pv.span(),
                "the profile is empty; give at least [[\"0h\", rate]]",
            );
            return None;
        }
        let mut out: Vec<(SimTime, f64)> = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{p}[{i}]");
            let pair = array(cx, &ip, item);
            let Some(pair) = pair else {
                ok = false;
                continue;
            };
            if pair.len() != 2 {
                cx.error(
                    &ip,
                    item.span(),
                    format!("expected a pair [time, rate], found {} items", pair.len()),
                );
                ok = false;
                continue;
            }
            let at = super::spanned::duration(cx, &format!("{ip}[0]"), &pair[0]);
            let r = rate(true)(cx, &format!("{ip}[1]"), &pair[1]);
            let (Some(at), Some(r)) = (at, r) else {
                ok = false;
                continue;
            };
            let at = SimTime(at.as_millis());
            if i == 0 && at != SimTime::ZERO {
                cx.error(
                    &format!("{ip}[0]"),
                    pair[0].span(),
                    "the profile must start at \"0h\"",
                );
                ok = false;
            }
            if let Some((prev, _)) = out.last() {
                if at <= *prev {
                    cx.error(
                        &format!("{ip}[0]"),
                        pair[0].span(),
                        "profile times must increase",
                    );
                    ok = false;
                }
            }
            out.push((at, r));
        }
        if ok && out.iter().all(|(_, r)| *r == 0.0) {
            cx.error(
                &p,
                pv.span(),
                "every rate of the profile is 0: nothing would arrive",
            );
            ok = false;
        }
        return ok.then_some(Arrivals::Profile(out));
    }
    let tv = t.get("times")?;
    let p = t.path_of("times");
    let items = array(cx, &p, tv)?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let ip = format!("{p}[{i}]");
        match super::spanned::duration(cx, &ip, item) {
            Some(d) if horizon.is_some_and(|h| d >= h) => {
                cx.report(
                    &ip,
                    Some(item.span()),
                    format!(
                        "arrival at {d} is not before the horizon ({})",
                        horizon.unwrap_or_default()
                    ),
                    Some("arrivals happen in [0, horizon)".into()),
                );
                ok = false;
            }
            Some(d) => out.push(SimTime(d.as_millis())),
            None => ok = false,
        }
    }
    out.sort();
    ok.then_some(Arrivals::Times(out))
}

/// `[[agent_groups]]`, then the check that every work stream fits some agent that serves it.
pub(crate) fn agent_groups(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    names: &mut Names,
) -> Option<Vec<AgentGroup>> {
    let items = section(cx, root, "agent_groups");
    let mut seen = Vec::new();
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
                        "work stream {:?} takes {units} units per conversation but the agents serving its queues have at most {max}: no agent can ever hold its conversations",
                        ws.name
                    ),
                    Some("lower capacity_units or raise the groups' capacity".into()),
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

const GROUP_KEYS: [&str; 9] = [
    "name",
    "count",
    "capacity",
    "queues",
    "shift",
    "breaks",
    "accept_delay",
    "reject_probability",
    "ignore_probability",
];

fn group(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    seen: &mut Vec<(String, String)>,
    names: &mut Names,
    next: &mut u32,
) -> Option<AgentGroup> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &GROUP_KEYS);
    let name = unique_name(cx, &t, "agent group", seen);
    let count = t.req(cx, "count", "how many agents", u32_at_least(1));
    let capacity = t.or(cx, "capacity", 100, u32_at_least(1));
    let queues = t.req(cx, "queues", "the queues its agents serve", |cx, p, v| {
        names.queue_list(cx, p, v)
    });
    let shift = t.opt(cx, "shift", shift);
    let breaks = t.opt(cx, "breaks", breaks);
    let accept_delay = t.or(cx, "accept_delay", Dist::Constant(SimDuration::ZERO), dist);
    let reject = t.or(cx, "reject_probability", 0.0, probability);
    let ignore = t.or(cx, "ignore_probability", 0.0, probability);
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
        accept_delay: accept_delay?,
        reject_probability: reject?,
        ignore_probability: ignore?,
        first: AgentId(first),
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
