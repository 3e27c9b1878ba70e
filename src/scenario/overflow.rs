//! Overflow keys of a queue (contract.md "Unified routing"): `operating_hours` and
//! `[[queues.overflow]]` rules (OVF-HOURS, OVF-LIMIT, OVF-WAIT), and the weekday/minute reading
//! of simulated time that operating hours need.

use super::diag::Ctx;
use super::sections::{section, Names};
use super::spanned::{array, one_of, string, table, Table, Val};
use crate::model::{Channel, QueueId};
use crate::time::SimDuration;

/// When an overflow rule triggers (OVF-*).
#[derive(Clone, Debug, PartialEq)]
pub enum OverflowWhen {
    /// OVF-HOURS: outside the queue's operating hours (checked before queueing).
    OutOfHours,
    /// OVF-LIMIT: the queue already holds this many Open conversations (before queueing).
    WorkItemsOver(u32),
    /// OVF-WAIT: the conversation has waited this long in the queue while Open.
    WaitedOver(SimDuration),
}

/// What an overflow rule does.
#[derive(Clone, Debug, PartialEq)]
pub enum OverflowAction {
    /// Move the conversation to this queue (its overflow rules are checked there in turn).
    Transfer(QueueId),
    /// End it: counted as overflowed, neither answered nor abandoned.
    End,
    /// Queue it anyway (before queueing only).
    AssignAnyway,
    /// Voice callback: it stays queued and the customer no longer abandons.
    Callback,
}

/// One `[[queues.overflow]]` rule.
#[derive(Clone, Debug, PartialEq)]
pub struct OverflowRule {
    /// `when` with its `limit` or `after`.
    pub when: OverflowWhen,
    /// `action` with its `queue`.
    pub action: OverflowAction,
}

/// One `operating_hours` entry: open on `days` (bit 0 Monday … bit 6 Sunday) from `from` to
/// `to` (minutes after midnight, `to` exclusive).
#[derive(Clone, Debug, PartialEq)]
pub struct OperatingHours {
    /// Day mask.
    pub days: u8,
    /// Opening minute of the day.
    pub from: u32,
    /// Closing minute of the day (exclusive; 1440 = midnight).
    pub to: u32,
}

/// The day of week (0 = Monday) and the minute of the day of `t`, read against the scenario's
/// calendar (`[scenario] start`; without it t = 0 is a Monday at 00:00).
pub fn weekday_minute(cal: &crate::calendar::Calendar, t: crate::time::SimTime) -> (u32, u32) {
    let day = crate::calendar::DAY_NAMES
        .iter()
        .position(|d| *d == cal.weekday(t))
        .unwrap_or(0) as u32;
    (day, (cal.ms_of_day(t) / 60_000) as u32)
}

/// Whether a queue with these operating hours is open at `t` (no entries: always open).
pub fn is_open(
    hours: &[OperatingHours],
    cal: &crate::calendar::Calendar,
    t: crate::time::SimTime,
) -> bool {
    if hours.is_empty() {
        return true;
    }
    let (day, minute) = weekday_minute(cal, t);
    hours
        .iter()
        .any(|h| h.days & (1 << day) != 0 && h.from <= minute && minute < h.to)
}

/// Whether queue `q` closes outside its operating hours: it has hours and an `out_of_hours`
/// rule (without the rule the hours change nothing: conversations enter at any hour). Read by
/// `validate`'s warning and staffing's offered load (`staffing::reach`).
pub fn closes_out_of_hours(q: &super::Queue) -> bool {
    !q.operating_hours.is_empty()
        && q.overflow
            .iter()
            .any(|r| r.when == super::OverflowWhen::OutOfHours)
}

/// The first of queue `q`'s before-queueing rules (`out_of_hours` outside its operating hours,
/// `work_items_over` with `open()` Open conversations at or above its limit) that triggers at
/// `t`, in file order; `None`: a conversation arriving now enters it. `open` is read only for a
/// `work_items_over` rule. The one reading of these rules: the simulator applies it with the
/// queue's Open count; staffing's offered load (`staffing::reach`) with an empty queue (`|| 0`:
/// only a limit of 0 then triggers), which is what does not depend on the run's state.
pub fn before_queue_rule<'q>(
    q: &'q super::Queue,
    cal: &crate::calendar::Calendar,
    t: crate::time::SimTime,
    open: impl Fn() -> usize,
) -> Option<&'q OverflowRule> {
    q.overflow.iter().find(|r| match r.when {
        OverflowWhen::OutOfHours => !is_open(&q.operating_hours, cal, t),
        OverflowWhen::WorkItemsOver(limit) => open() >= limit as usize,
        OverflowWhen::WaitedOver(_) => false,
    })
}

/// Reads queue `qi`'s `operating_hours` and `[[queues.overflow]]` (all queue names are
/// known). A `transfer` must name another queue (a conversation cannot move to the queue it is
/// in: the engine refuses it) of the same channel (a transfer keeps the channel, as a work stream's
/// `transfer` does).
pub(crate) fn queue_overflow(
    cx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    qi: usize,
    names: &Names,
) -> Option<(Vec<OverflowRule>, Vec<OperatingHours>)> {
    let mut ok = true;
    let mut hours = Vec::new();
    if let Some(v) = t.get("operating_hours") {
        let p = t.path_of("operating_hours");
        match array(cx, &p, v) {
            Some(items) => {
                for (i, it) in items.iter().enumerate() {
                    match hours_entry(cx, &format!("{p}[{i}]"), it) {
                        Some(h) => hours.push(h),
                        None => ok = false,
                    }
                }
            }
            None => ok = false,
        }
    }
    let mut rules = Vec::new();
    for (path, v) in section(cx, t, "overflow") {
        let Some(rt) = table(cx, &path, v) else {
            ok = false;
            continue;
        };
        rt.check_keys(cx, &["when", "limit", "after", "action", "queue"]);
        const WHEN: [&str; 3] = ["out_of_hours", "work_items_over", "waited_over"];
        let when = rt.req(
            cx,
            "when",
            "out_of_hours | work_items_over | waited_over",
            |cx, p, v| one_of(&WHEN)(cx, p, v),
        );
        let when = match when {
            Some("out_of_hours") => Some(OverflowWhen::OutOfHours),
            Some("work_items_over") => rt
                .req(
                    cx,
                    "limit",
                    "Open conversations already in the queue",
                    super::spanned::u32_at_least(0),
                )
                .map(OverflowWhen::WorkItemsOver),
            Some("waited_over") => rt
                .req(
                    cx,
                    "after",
                    "a duration such as \"5m\"",
                    super::spanned::positive_duration,
                )
                .map(OverflowWhen::WaitedOver),
            _ => None,
        };
        const ACTIONS: [&str; 4] = ["transfer", "end", "assign_anyway", "callback"];
        let action = rt.req(
            cx,
            "action",
            "transfer | end | assign_anyway | callback",
            |cx, p, v| one_of(&ACTIONS)(cx, p, v),
        );
        let action = match action {
            Some("transfer") => rt
                .req(cx, "queue", "the queue to transfer to", |cx, p, v| {
                    let q = names.queue(cx, p, v)?;
                    transfer_target(cx, p, v, qi, q, names)
                })
                .map(OverflowAction::Transfer),
            Some("end") => Some(OverflowAction::End),
            Some("assign_anyway") => {
                if matches!(when, Some(OverflowWhen::WaitedOver(_))) {
                    let span = rt.get("action").map(|v| v.span());
                    cx.report(
                        &rt.path_of("action"),
                        span,
                        "`assign_anyway` applies before queueing only, not to `waited_over`",
                        Some("use transfer or end (or callback on voice)".into()),
                    );
                    None
                } else {
                    Some(OverflowAction::AssignAnyway)
                }
            }
            Some("callback") => {
                let waited = matches!(when, Some(OverflowWhen::WaitedOver(_)));
                callback_on_voice(cx, &rt, t, names, waited)
            }
            _ => None,
        };
        // A key another `when` or `action` needs is a mistake here, not a no-op.
        let stray = [
            (
                "limit",
                when.is_some() && !matches!(when, Some(OverflowWhen::WorkItemsOver(_))),
                "`limit` goes with when = \"work_items_over\"",
            ),
            (
                "after",
                when.is_some() && !matches!(when, Some(OverflowWhen::WaitedOver(_))),
                "`after` goes with when = \"waited_over\"",
            ),
            (
                "queue",
                action.is_some() && !matches!(action, Some(OverflowAction::Transfer(_))),
                "`queue` goes with action = \"transfer\"",
            ),
        ];
        for (key, wrong, why) in stray {
            if let (true, Some(v)) = (wrong, rt.get(key)) {
                cx.report(
                    &rt.path_of(key),
                    Some(v.span()),
                    format!("`{key}` does nothing in this rule: {why}"),
                    Some(format!("remove `{key}` or change `when` / `action`")),
                );
            }
        }
        match (when, action) {
            (Some(when), Some(action)) => rules.push(OverflowRule { when, action }),
            _ => ok = false,
        }
    }
    ok.then_some((rules, hours))
}

/// Checks an overflow transfer from queue `from` to `to`: another queue, of the same channel.
fn transfer_target(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    from: usize,
    to: QueueId,
    names: &Names,
) -> Option<QueueId> {
    let qname = |i: usize| names.queues.get(i).map_or("", |q| q.name.as_str());
    if to.index() == from {
        cx.report(
            path,
            Some(v.span()),
            format!(
                "an overflow rule of queue {:?} transfers to queue {:?} itself: a conversation cannot move to the queue it is in (the engine refuses it), so the rule does nothing",
                qname(from),
                qname(from)
            ),
            Some("name another queue, or use `end` (or `callback` on voice)".into()),
        );
        return None;
    }
    let channel = |i: usize| {
        let ws = names.queues.get(i)?.workstream?;
        names.workstreams.get(ws)?.channel
    };
    if let (Some(a), Some(b)) = (channel(from), channel(to.index())) {
        if a != b {
            cx.report(
                path,
                Some(v.span()),
                format!(
                    "queue {:?} serves {}, but queue {:?} is {}",
                    qname(to.index()),
                    b.as_str(),
                    qname(from),
                    a.as_str()
                ),
                Some("a transfer keeps the channel: name a queue of the same channel".into()),
            );
            return None;
        }
    }
    Some(to)
}

/// Warns about cycles of `waited_over` transfers (queue a → b → … → a): a conversation nobody
/// answers moves around such a cycle for ever, once per the sum of the `after`s. Each queue's
/// waiting-time move is the first `waited_over` rule to fall due (smallest `after`, then file
/// order) that is not a `callback` (a callback keeps the conversation where it is); when that
/// rule ends the conversation, the queue leads nowhere.
/// Returns the cycles found, for the loop limits (`loops`).
pub(crate) fn waited_cycles(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    sc: &super::Scenario,
) -> Vec<Cycle> {
    // (next queue, after, rule index) per queue.
    let next: Vec<Option<(usize, SimDuration, usize)>> = sc
        .queues
        .iter()
        .map(|q| {
            let mut waits: Vec<(SimDuration, usize, &OverflowAction)> = q
                .overflow
                .iter()
                .enumerate()
                .filter_map(|(r, rule)| match rule.when {
                    OverflowWhen::WaitedOver(after) => Some((after, r, &rule.action)),
                    _ => None,
                })
                .collect();
            waits.sort_by_key(|w| (w.0, w.1));
            let (after, r, action) = waits
                .into_iter()
                .find(|w| !matches!(w.2, OverflowAction::Callback))?;
            match action {
                OverflowAction::Transfer(t) => Some((t.index(), after, r)),
                _ => None,
            }
        })
        .collect();
    let to: Vec<Option<usize>> = next.iter().map(|t| t.map(|t| t.0)).collect();
    let cycles: Vec<Cycle> = super::cycles::cycles(&to)
        .iter()
        .filter_map(|c| report_cycle(cx, root, sc, c, &next))
        .collect();
    cycles
}

/// A cycle of `waited_over` transfers: its queues, the sum of their `after`s (ms), and the
/// queue and rule it is reported at (the first queue in file order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Cycle {
    pub(crate) queues: Vec<usize>,
    pub(crate) round_ms: u64,
    pub(crate) first: usize,
    pub(crate) rule: usize,
}

/// Warns about cycles of before-queueing transfers (`out_of_hours` or `work_items_over` →
/// `transfer`): a conversation arriving while every queue of the cycle overflows would go round
/// for ever, so the simulator follows at most one hop per queue and then queues it where it got
/// to, whatever that queue's rule says. One warning per cycle, at the rule of its first queue
/// in file order.
pub(crate) fn before_queue_cycles(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &super::Scenario) {
    let n = sc.queues.len();
    // Every before-queueing transfer: (target, rule index), per queue.
    let edges: Vec<Vec<(usize, usize)>> = sc
        .queues
        .iter()
        .map(|q| {
            q.overflow
                .iter()
                .enumerate()
                .filter_map(|(r, rule)| match (&rule.when, &rule.action) {
                    (
                        OverflowWhen::OutOfHours | OverflowWhen::WorkItemsOver(_),
                        OverflowAction::Transfer(t),
                    ) => Some((t.index(), r)),
                    _ => None,
                })
                .collect()
        })
        .collect();
    // For each queue, in file order: is there a path back to it through queues after it? (A
    // cycle is reported from its smallest queue only.)
    for start in 0..n {
        let mut seen = vec![false; n];
        let mut stack: Vec<(usize, Vec<usize>)> = vec![(start, vec![start])];
        let mut found: Option<Vec<usize>> = None;
        while let Some((at, path)) = stack.pop() {
            for &(t, _) in &edges[at] {
                if t == start {
                    found = Some(path.clone());
                    break;
                }
                if t > start && !seen[t] {
                    seen[t] = true;
                    let mut p = path.clone();
                    p.push(t);
                    stack.push((t, p));
                }
            }
            if found.is_some() {
                break;
            }
        }
        let Some(cycle) = found else { continue };
        let Some(&(_, rule)) = edges[start]
            .iter()
            .find(|e| cycle.get(1).is_none_or(|c| e.0 == *c))
        else {
            continue;
        };
        let mut names: Vec<String> = cycle
            .iter()
            .map(|&q| format!("{:?}", sc.queues[q].name))
            .collect();
        names.push(format!("{:?}", sc.queues[start].name));
        let path = format!("queues[{start}].overflow[{rule}].queue");
        let span = super::spanned::value_at(root, &format!("queues.{start}.overflow.{rule}.queue"))
            .map(|v| v.span());
        cx.warn(
            &path,
            span,
            format!(
                "before-queueing transfers can form a cycle of queues {}: a conversation \
                 arriving while they all overflow goes round once and then enters the queue it \
                 reached, past that queue's own rule",
                names.join(" → ")
            ),
            Some(
                "OVF-HOURS / OVF-LIMIT: end or assign anyway in one of the queues, or transfer \
                 out of the cycle"
                    .into(),
            ),
        );
    }
}

fn report_cycle(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    sc: &super::Scenario,
    cycle: &[usize],
    next: &[Option<(usize, SimDuration, usize)>],
) -> Option<Cycle> {
    // Reported at the rule of the cycle's first queue in file order.
    let &first = cycle.iter().min()?;
    let k = cycle.iter().position(|&q| q == first).unwrap_or(0);
    let ordered: Vec<usize> = cycle[k..].iter().chain(&cycle[..k]).copied().collect();
    let mut names: Vec<&str> = ordered
        .iter()
        .map(|&q| sc.queues[q].name.as_str())
        .collect();
    names.push(sc.queues[first].name.as_str());
    let total_ms: u64 = ordered
        .iter()
        .filter_map(|&q| next[q].map(|n| n.1.as_millis()))
        .sum();
    let (_, _, rule) = next[first]?;
    let path = format!("queues[{first}].overflow[{rule}].queue");
    let span = super::spanned::value_at(root, &format!("queues.{first}.overflow.{rule}.queue"))
        .map(|v| v.span());
    cx.warn(
        &path,
        span,
        format!(
            "waited_over transfers form a cycle of queues {}: a conversation can move around it every {} and never leaves it unless answered or abandoned",
            names
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(" → "),
            SimDuration::from_millis(total_ms)
        ),
        Some("OVF-WAIT: end the conversation in one of the queues, or transfer out of the cycle".into()),
    );
    Some(Cycle {
        queues: ordered,
        round_ms: total_ms,
        first,
        rule,
    })
}

/// `action = "callback"` applies to voice only (contract: "callback (voice: …)"): on a queue
/// whose work stream has another channel it is an error at the rule's `action` (`waited`: the
/// rule is `waited_over`, where `assign_anyway` is no alternative). A queue whose
/// work stream is unknown or has no valid channel is reported elsewhere.
fn callback_on_voice(
    cx: &mut Ctx<'_>,
    rule: &Table<'_, '_>,
    queue: &Table<'_, '_>,
    names: &Names,
    waited: bool,
) -> Option<OverflowAction> {
    let text = |key: &str| match queue.get(key).map(|v| v.get_ref()) {
        Some(toml::de::DeValue::String(s)) => Some(s.to_string()),
        _ => None,
    };
    let ws = text("workstream");
    let channel = ws.as_deref().and_then(|w| {
        names
            .workstreams
            .iter()
            .find(|x| x.name == w)
            .and_then(|x| x.channel)
    });
    match channel {
        Some(c) if c != Channel::Voice => {
            cx.report(
                &rule.path_of("action"),
                rule.get("action").map(|v| v.span()),
                format!(
                    "`callback` applies to voice only; queue {:?} takes work stream {:?}, a {} channel",
                    text("name").unwrap_or_default(),
                    ws.unwrap_or_default(),
                    c.as_str()
                ),
                Some(format!(
                    "use {} here, or put the callback on a queue of a voice work stream",
                    if waited {
                        "transfer or end"
                    } else {
                        "transfer, end or assign_anyway"
                    }
                )),
            );
            None
        }
        _ => Some(OverflowAction::Callback),
    }
}

fn hours_entry(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<OperatingHours> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["days", "from", "to"]);
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let days = t.or(cx, "days", 0x7f, |cx, p, v| {
        let list = super::spanned::one_or_many(cx, p, v, |cx, p, v| one_of(&DAYS)(cx, p, v))?;
        if let Some(d) = list
            .iter()
            .enumerate()
            .find_map(|(i, d)| list[..i].contains(d).then_some(d))
        {
            cx.error(p, v.span(), format!("day {d:?} listed twice"));
            return None;
        }
        Some(
            list.iter()
                .filter_map(|d| DAYS.iter().position(|x| x == d))
                .fold(0u8, |m, i| m | (1 << i)),
        )
    });
    let clock = |cx: &mut Ctx<'_>, p: &str, v: &Val<'_>| -> Option<u32> {
        let s = string(cx, p, v)?;
        let parsed = s.split_once(':').and_then(|(h, m)| {
            let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
            (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
        });
        if parsed.is_none() {
            cx.error(
                p,
                v.span(),
                format!("expected a clock time \"HH:MM\" (00:00–24:00), found {s:?}"),
            );
        }
        parsed
    };
    let from = t.req(cx, "from", "a clock time such as \"08:00\"", clock);
    let to = t.req(cx, "to", "a clock time such as \"20:00\"", clock);
    let (days, from, to) = (days?, from?, to?);
    if from >= to {
        cx.report(
            path,
            Some(v.span()),
            "`from` must be before `to` (a day's opening hours do not cross midnight)",
            Some("split a night shift into two entries".into()),
        );
        return None;
    }
    Some(OperatingHours { days, from, to })
}
