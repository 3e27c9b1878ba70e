//! The work stream and queue sections, and the name tables that later sections
//! resolve their references against.

use super::diag::Ctx;
use super::load::channel;
use super::spanned::{
    array, dist, name, number, one_of, probability, string, table, u32_at_least, unit_interval,
    Span, Table, Val,
};
use super::suggest::{closest, quoted_list};
use super::types::{Arrivals, Queue, Sentiment, Workstream};
use crate::dist::Dist;
use crate::model::{
    AssignmentMethod, Channel, Presence, PresenceSet, QueueId, RoutingMode, WorkstreamId,
    WorkstreamRules, WrapUpBlock,
};
use crate::time::SimDuration;

/// What later sections need to know about a work stream.
#[derive(Debug)]
pub(crate) struct WsInfo {
    pub(crate) name: String,
    pub(crate) path: String,
    pub(crate) span: Option<Span>,
    pub(crate) units: Option<u32>,
    pub(crate) channel: Option<Channel>,
    /// `mode`, when it was valid.
    pub(crate) mode: Option<RoutingMode>,
    /// `attributes` by name and values (also when their weights were wrong), for the
    /// conditions of the work stream's queues.
    pub(crate) attributes: Vec<super::routing::Attribute>,
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
    /// Skill names held by agent groups (then roster agents), by skill id (first appearance).
    /// Grown only through [`Names::intern_skill`], which keeps `skill_ids` in step.
    pub(crate) skills: Vec<String>,
    /// Each name of `skills` → its id, so interning a roster of n distinct names is O(n log n),
    /// not a linear search per name (issue 25, fifth pass: 90,000 names took 11.6 s).
    skill_ids: std::collections::BTreeMap<String, usize>,
    /// Each name of `queues` → its index (the first queue of a repeated name), kept in step by
    /// [`Names::add_queue`]: a group's queue references are hash look-ups, not scans.
    queue_ids: std::collections::HashMap<String, usize>,
    /// Classification skill names to resolve once the groups are read.
    pub(crate) pending_skills: Vec<super::routing::PendingSkill>,
    /// Route-to-queue queue names to resolve once the queues are read.
    pub(crate) pending_queues: Vec<super::routing::PendingQueue>,
    /// Assignment-rule group names to resolve once the groups and the roster are read.
    pub(crate) pending_groups: Vec<super::rulesets::PendingGroup>,
    /// The roster's agent names, set once it is read, before the sections that name agents
    /// ([`Names::agent`], in `agents`).
    pub(crate) roster: super::agents::RosterNames,
}

impl Names {
    /// Adds a queue (read, valid or not) to `queues` and its name to the index.
    pub(crate) fn add_queue(&mut self, q: QueueInfo) {
        let at = self.queues.len();
        self.queue_ids.entry(q.name.clone()).or_insert(at);
        self.queues.push(q);
    }

    /// The id of skill `name`, adding it to the skill table when it is new.
    pub(crate) fn intern_skill(&mut self, name: &str) -> usize {
        if let Some(&id) = self.skill_ids.get(name) {
            return id;
        }
        let id = self.skills.len();
        self.skills.push(name.to_string());
        self.skill_ids.insert(name.to_string(), id);
        id
    }

    /// The id of skill `name`, if some agent group or roster agent holds it.
    pub(crate) fn skill_id(&self, name: &str) -> Option<usize> {
        self.skill_ids.get(name).copied()
    }
}

fn unknown(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, what: &str, given: &str, known: &[&str]) {
    if cx.is_refused_name(given) {
        return; // Already reported where the name was given.
    }
    let known = &super::suggest::distinct_names(known)[..];
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
        if let Some(&i) = self.queue_ids.get(&n) {
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
    seen: &mut Seen,
) -> Option<String> {
    let n = t.req(cx, "name", what, name)?;
    if let Some(first) = seen.get(&n) {
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
    seen.insert(n.clone(), t.path.to_string());
    Some(n)
}

/// The names of a section's entries read so far, each with the path of the entry that has
/// it (the first): a hash map, so checking 8,000 queues' names is not 8,000² comparisons.
pub(crate) type Seen = std::collections::HashMap<String, String>;

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
            super::spanned::zero_message(v),
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
    horizon: Option<SimDuration>,
) -> Option<Vec<Workstream>> {
    let items = section(cx, root, "workstreams");
    if items.is_empty() && root.get("workstreams").is_none() {
        root.missing(cx, "workstreams", "at least one [[workstreams]] table");
        return None;
    }
    let mut seen = Seen::default();
    let mut out = Vec::new();
    let mut ok = true;
    for (path, v) in &items {
        match workstream(cx, path, v, &mut seen, names, horizon) {
            Some(w) => out.push(w),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

const WS_KEYS: [&str; 24] = [
    "arrivals",
    "fallback_queue",
    "route_to_queue",
    "attributes",
    "skill_matching",
    "classification",
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
    "concurrency_slowdown",
    "retrial",
    "transfer",
];

fn workstream(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    seen: &mut Seen,
    names: &mut Names,
    horizon: Option<SimDuration>,
) -> Option<Workstream> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &WS_KEYS);
    let name = unique_name(cx, &t, "work stream", seen);
    let mut attributes = Vec::new();
    let routing = super::routing::ws_routing(
        cx,
        &t,
        names.workstreams.len(),
        &mut names.pending_skills,
        &mut names.pending_queues,
        horizon,
        &mut attributes,
    );
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
        let distinct = super::spanned::no_repeats(cx, p, v, "presence");
        let list = super::spanned::one_or_many(cx, p, v, |cx, p, v| {
            one_of(&P)(cx, p, v).and_then(Presence::parse)
        })?;
        distinct.then(|| PresenceSet::of(&list))
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
    // Off by default: the contract's default is "customers never abandon", and an Open
    // auto-close is an abandonment. The product's chat value is "20m"; set it to test it.
    let open_default: Option<SimDuration> = None;
    let wrap_default = (chat == Some(true)).then(|| SimDuration::from_secs(15 * 60));
    let open_auto_close = t.or(cx, "open_auto_close", open_default, auto_close);
    let wrap_up_auto_close = t.or(cx, "wrap_up_auto_close", wrap_default, auto_close);
    let waiting_probability = t.or(cx, "waiting_probability", 0.0, probability);
    let waiting_time = t.opt(cx, "waiting_time", dist);
    let waiting_auto_close = t.or(cx, "waiting_auto_close", None, auto_close);
    let slowdown = t.opt(cx, "concurrency_slowdown", super::chat::slowdown);
    let retrial = t.opt(cx, "retrial", super::chat::retrial);
    if let (Some(p), Some(r)) = (&patience, &retrial) {
        let at = t.get("retrial").map(|v| v.span());
        super::chat::instant_retrial(cx, path, at, p.as_ref(), r.as_ref());
    }
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
        channel,
        mode,
        attributes,
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
        concurrency_slowdown: slowdown?,
        retrial: retrial?,
        // Read by `chat::transfers` once the queues are known.
        transfer: None,
        routing: routing?,
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
                format!(
                    "volatility must be at least 0, found {}",
                    crate::text::number(x)
                ),
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
    let mut seen = Seen::default();
    let mut out = Vec::new();
    let mut ok = true;
    for (path, v) in &items {
        match queue(cx, path, v, &mut seen, names, horizon) {
            Some(q) => out.push(q),
            None => ok = false,
        }
    }
    // Overflow targets may name any queue, so they are read once every name is known; so are
    // the rulesets (their conditions need the queue's work stream).
    let mut pending_groups = Vec::new();
    // The queue's index in `names.queues` (a queue that is not a table has no entry there).
    let mut qi = 0;
    for (i, (path, v)) in items.iter().enumerate() {
        let Some(t) = table(cx, path, v) else {
            continue;
        };
        qi += 1;
        match super::overflow::queue_overflow(cx, &t, qi - 1, names) {
            Some((rules, hours)) => {
                if let Some(q) = out.get_mut(i).filter(|_| ok) {
                    q.overflow = rules;
                    q.operating_hours = hours;
                }
            }
            None => ok = false,
        }
        match super::rulesets::queue_rulesets(cx, &t, qi - 1, names, &mut pending_groups) {
            Some((prioritization, rules)) => {
                if let Some(q) = out.get_mut(i).filter(|_| ok) {
                    q.prioritization = prioritization;
                    q.assignment_rules = rules;
                }
            }
            None => ok = false,
        }
    }
    names.pending_groups = pending_groups;
    ok.then_some(out)
}

fn queue(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    seen: &mut Seen,
    names: &mut Names,
    horizon: Option<SimDuration>,
) -> Option<Queue> {
    let t = table(cx, path, v)?;
    t.check_keys(
        cx,
        &[
            "name",
            "workstream",
            "assignment",
            "priority",
            "arrivals",
            "overflow",
            "operating_hours",
            "prioritization",
            "assignment_rules",
        ],
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
        super::arrivals::arrivals(cx, p, v, horizon)
    });
    names.add_queue(QueueInfo {
        name: name.clone().unwrap_or_default(),
        workstream: ws,
    });
    Some(Queue {
        name: name?,
        workstream: WorkstreamId(u32::try_from(ws?).ok()?),
        assignment: assignment?,
        priority: priority?,
        arrivals: arrivals?,
        overflow: Vec::new(),
        operating_hours: Vec::new(),
        prioritization: Vec::new(),
        assignment_rules: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn skills_are_interned_once_in_first_appearance_order() {
        let mut names = Names::default();
        // Many distinct names (the tester's roster shape) and repeats: ids by first appearance.
        for i in 0..20_000 {
            assert_eq!(names.intern_skill(&format!("sk{i}")), i);
        }
        assert_eq!(names.intern_skill("sk7"), 7);
        assert_eq!(names.intern_skill("spanish"), 20_000);
        assert_eq!(names.skills.len(), 20_001);
        assert_eq!(names.skills[20_000], "spanish");
        assert_eq!(names.skill_id("sk19999"), Some(19_999));
        assert_eq!(names.skill_id("Spanish"), None);
    }
}
