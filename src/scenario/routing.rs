//! Unified-routing keys of a scenario (contract.md "Unified routing"): a work stream's
//! `attributes`, `skill_matching` and `[[workstreams.classification]]` rules (RT-CLASSIFY), and
//! an agent group's `skills`.
//!
//! Skill names form one table: the skills the agent groups hold, in order of first appearance,
//! then those only roster agents hold (`[traffic] roster`, in roster order). A classification
//! rule may only require a skill some agent holds (otherwise nobody could ever serve it); those
//! names are resolved after the groups and the roster are read ([`resolve_requirements`]).

use super::diag::Ctx;
use super::sections::{section, Names};
use super::spanned::{array, integer, one_of, string, table, Span, Table, Val};
use super::suggest::{closest, quoted_list};
use super::types::Arrivals;
use super::types::Workstream;
use crate::engine::{Rating, SkillId, SkillMatching, SkillSet};
use crate::model::QueueId;
use crate::time::SimDuration;

/// One attribute of a work stream's conversations: its values and their weights (sum 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// The attribute's name (`language`).
    pub name: String,
    /// Its values, in file order (`en`, `es`).
    pub values: Vec<String>,
    /// The probability of each value; they sum to 1.
    pub weights: Vec<f64>,
}

/// A condition on a conversation's attributes: every `(attribute, allowed values)` must hold;
/// empty always holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Condition(pub Vec<(usize, Vec<u16>)>);

impl Condition {
    /// Whether the attribute values `attrs` (value index per attribute) satisfy it.
    pub fn holds(&self, attrs: &[u16]) -> bool {
        self.0
            .iter()
            .all(|(a, vals)| attrs.get(*a).is_some_and(|v| vals.contains(v)))
    }
}

/// A classification rule (RT-CLASSIFY): when its condition holds, it attaches its skills.
#[derive(Clone, Debug, PartialEq)]
pub struct Classification {
    /// `when`.
    pub when: Condition,
    /// `require`: skill → required rating.
    pub require: SkillSet,
}

/// Where a route-to-queue rule sends a conversation (RT-QUEUE).
#[derive(Clone, Debug, PartialEq)]
pub enum QueueTarget {
    /// `queues = [...]`: the first that is not overflowing (when all overflow, the first).
    First(Vec<QueueId>),
    /// `split = { q = percent }`: drawn at random with these weights (they sum to 100).
    Split(Vec<(QueueId, f64)>),
}

/// A route-to-queue rule: the first whose condition holds decides.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteRule {
    /// `when` (empty: always).
    pub when: Condition,
    /// `queues` or `split`.
    pub target: QueueTarget,
}

/// A work stream's unified-routing settings. The default (no attributes, no rules, exact
/// matching, no arrivals of its own) changes nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WsRouting {
    /// `attributes`, in file order.
    pub attributes: Vec<Attribute>,
    /// `skill_matching`.
    pub skill_matching: SkillMatching,
    /// `[[workstreams.classification]]`, in file order.
    pub classification: Vec<Classification>,
    /// `arrivals` on the work stream: they go through the route-to-queue rules.
    pub arrivals: Option<Arrivals>,
    /// `[[workstreams.route_to_queue]]`, in file order.
    pub route_to_queue: Vec<RouteRule>,
    /// `fallback_queue`: where a conversation no rule matches goes.
    pub fallback_queue: Option<QueueId>,
}

impl WsRouting {
    /// RT-QUEUE: the queue for a conversation with attribute values `attrs`; `u` is a uniform
    /// draw in [0, 1) from the conversation's own stream (used by a percentage split only);
    /// `overflowing` says whether a queue is overflowing now (a `queues` list takes the first
    /// that is not; when all are, the first). `None` only when no rule matches and there is no
    /// fallback (validation rules that out).
    pub fn route(
        &self,
        attrs: &[u16],
        u: f64,
        overflowing: impl Fn(QueueId) -> bool,
    ) -> Option<QueueId> {
        let Some(rule) = self.route_to_queue.iter().find(|r| r.when.holds(attrs)) else {
            return self.fallback_queue;
        };
        match &rule.target {
            QueueTarget::First(list) => list
                .iter()
                .copied()
                .find(|q| !overflowing(*q))
                .or_else(|| list.first().copied()),
            QueueTarget::Split(weights) => {
                let total: f64 = weights.iter().map(|w| w.1).sum();
                let x = u * total;
                let mut acc = 0.0;
                for (q, w) in weights {
                    acc += w;
                    if x < acc {
                        return Some(*q);
                    }
                }
                weights.iter().rev().find(|w| w.1 > 0.0).map(|w| w.0)
            }
        }
    }
}

/// A queue name in a work stream's routing keys, resolved after the queues are read.
#[derive(Debug)]
pub(crate) struct PendingQueue {
    pub(crate) ws: usize,
    /// `None`: the fallback queue; `Some(rule)`: a route-to-queue rule's target.
    pub(crate) rule: Option<usize>,
    /// For a split, the weight.
    pub(crate) weight: Option<f64>,
    pub(crate) name: String,
    pub(crate) path: String,
    pub(crate) span: Span,
}

impl WsRouting {
    /// RT-CLASSIFY: the skills every matching rule attaches (a skill attached twice keeps the
    /// higher rating), sorted by skill.
    pub fn classify(&self, attrs: &[u16]) -> SkillSet {
        let mut req: SkillSet = Vec::new();
        for rule in self.classification.iter().filter(|r| r.when.holds(attrs)) {
            for &(s, r) in &rule.require {
                match req.iter_mut().find(|e| e.0 == s) {
                    Some(e) => e.1 = e.1.max(r),
                    None => req.push((s, r)),
                }
            }
        }
        req.sort_unstable();
        req
    }
}

/// A classification requirement whose skill name is resolved after the agent groups.
#[derive(Debug)]
pub(crate) struct PendingSkill {
    pub(crate) ws: usize,
    pub(crate) rule: usize,
    pub(crate) skill: String,
    pub(crate) rating: Rating,
    pub(crate) path: String,
    pub(crate) span: Span,
}

/// Reads a work stream's routing keys; skill names of its classification rules go to
/// `pending`, queue names of its route-to-queue rules and fallback to `queues`, its attributes
/// (also when their weights were wrong) to `known_attributes`.
pub(crate) fn ws_routing(
    cx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    ws: usize,
    pending: &mut Vec<PendingSkill>,
    queues: &mut Vec<PendingQueue>,
    horizon: Option<SimDuration>,
    known_attributes: &mut Vec<Attribute>,
) -> Option<WsRouting> {
    // Attributes with bad weights are still known by name, so conditions on them are checked.
    let mut ok = true;
    let attributes = match t.get("attributes") {
        Some(v) => attributes(cx, &t.path_of("attributes"), v, &mut ok),
        None => Vec::new(),
    };
    known_attributes.clone_from(&attributes);
    let skill_matching = t.or(cx, "skill_matching", SkillMatching::Exact, |cx, p, v| {
        one_of(&["exact", "closest", "none"])(cx, p, v).and_then(SkillMatching::parse)
    });
    ok &= skill_matching.is_some();
    let skill_matching = skill_matching.unwrap_or_default();
    let mut classification = Vec::new();
    for (ri, (path, v)) in section(cx, t, "classification").into_iter().enumerate() {
        let Some(rt) = table(cx, &path, v) else {
            ok = false;
            continue;
        };
        rt.check_keys(cx, &["when", "require"]);
        let when = rt.or(cx, "when", Condition::default(), |cx, p, v| {
            condition(cx, p, v, &attributes)
        });
        let req = rt.req(cx, "require", "skill = rating (1–10)", |cx, p, v| {
            let rt = table(cx, p, v)?;
            if rt.map.is_empty() {
                cx.report(
                    p,
                    Some(v.span()),
                    "`require` is empty: a classification rule attaches at least one skill",
                    Some("name a skill with its required rating, e.g. `require = { spanish = 3 }`, or delete the rule".into()),
                );
                return None;
            }
            let mut good = true;
            for (k, val) in rt.map.iter() {
                let kp = rt.path_of(k.get_ref());
                if !skill_name(cx, &kp, k.get_ref(), k.span()) {
                    good = false;
                    continue;
                }
                match rating(cx, &kp, val) {
                    Some(r) => pending.push(PendingSkill {
                        ws,
                        rule: ri,
                        skill: k.get_ref().to_string(),
                        rating: r,
                        path: kp,
                        span: k.span(),
                    }),
                    None => good = false,
                }
            }
            good.then_some(())
        });
        match (when, req) {
            (Some(when), Some(())) => classification.push(Classification {
                when,
                require: Vec::new(),
            }),
            _ => ok = false,
        }
    }
    let arrivals = t.opt(cx, "arrivals", |cx, p, v| {
        super::arrivals::arrivals(cx, p, v, horizon)
    });
    let fallback = t.opt(cx, "fallback_queue", |cx, p, v| {
        let n = string(cx, p, v)?;
        queues.push(PendingQueue {
            ws,
            rule: None,
            weight: None,
            name: n,
            path: p.to_string(),
            span: v.span(),
        });
        Some(())
    });
    let mut route_to_queue = Vec::new();
    let mut always = false;
    for (ri, (path, v)) in section(cx, t, "route_to_queue").into_iter().enumerate() {
        let Some(rt) = table(cx, &path, v) else {
            ok = false;
            continue;
        };
        rt.check_keys(cx, &["when", "queues", "split"]);
        always |= rt.get("when").is_none();
        let when = rt.or(cx, "when", Condition::default(), |cx, p, v| {
            condition(cx, p, v, &attributes)
        });
        let target = match (rt.get("queues"), rt.get("split")) {
            (Some(qv), None) => {
                let qp = rt.path_of("queues");
                array(cx, &qp, qv).and_then(|items| {
                    if items.is_empty() {
                        cx.error(
                            &qp,
                            qv.span(),
                            "the queue list is empty; name at least one queue",
                        );
                        return None;
                    }
                    let mut good = super::spanned::no_repeats(cx, &qp, qv, "queue");
                    for (i, it) in items.iter().enumerate() {
                        let ip = format!("{qp}[{i}]");
                        match string(cx, &ip, it) {
                            Some(n) => queues.push(PendingQueue {
                                ws,
                                rule: Some(ri),
                                weight: None,
                                name: n,
                                path: ip,
                                span: it.span(),
                            }),
                            None => good = false,
                        }
                    }
                    good.then(|| QueueTarget::First(Vec::new()))
                })
            }
            (None, Some(sv)) => {
                let sp = rt.path_of("split");
                table(cx, &sp, sv).and_then(|st| {
                    let mut good = true;
                    let mut sum = 0.0;
                    for (k, w) in st.map.iter() {
                        let kp = st.path_of(k.get_ref());
                        match super::spanned::number(cx, &kp, w) {
                            Some(x) if x >= 0.0 => {
                                sum += x;
                                queues.push(PendingQueue {
                                    ws,
                                    rule: Some(ri),
                                    weight: Some(x),
                                    name: k.get_ref().to_string(),
                                    path: kp,
                                    span: k.span(),
                                });
                            }
                            Some(x) => {
                                cx.error(
                                    &kp,
                                    w.span(),
                                    format!(
                                        "a percentage of at least 0, found {}",
                                        crate::text::number(x)
                                    ),
                                );
                                good = false;
                            }
                            None => good = false,
                        }
                    }
                    if good && (sum - 100.0).abs() > 1e-9 {
                        cx.report(
                            &sp,
                            Some(sv.span()),
                            format!("the split's percentages sum to {sum}, not 100"),
                            Some("RT-QUEUE: a percentage split's weights add up to 100".into()),
                        );
                        good = false;
                    }
                    good.then(|| QueueTarget::Split(Vec::new()))
                })
            }
            _ => {
                cx.report(
                    &path,
                    rt.span.clone(),
                    "a route_to_queue rule needs exactly one of `queues` (a list) and `split` (percentages)",
                    None,
                );
                None
            }
        };
        match (when, target) {
            (Some(when), Some(target)) => route_to_queue.push(RouteRule { when, target }),
            _ => ok = false,
        }
    }
    let (arrivals, fallback) = (arrivals?, fallback?);
    let routes = arrivals.is_some() || !route_to_queue.is_empty();
    if routes && !always && fallback.is_none() {
        cx.report(
            &t.path_of("fallback_queue"),
            t.span.clone(),
            "`fallback_queue` is required: a conversation may match no route_to_queue rule",
            Some("add a fallback queue, or a last rule without `when`".into()),
        );
        ok = false;
    }
    ok.then_some(WsRouting {
        attributes,
        skill_matching,
        classification,
        arrivals,
        route_to_queue,
        fallback_queue: None,
    })
}

/// Resolves route-to-queue and fallback queue names; each must be a queue of the work stream.
pub(crate) fn resolve_queues(
    cx: &mut Ctx<'_>,
    names: &Names,
    ws: &mut [Workstream],
    pending: Vec<PendingQueue>,
) -> bool {
    let mut ok = true;
    for p in pending {
        let Some(qi) = names.queues.iter().position(|q| q.name == p.name) else {
            let known: Vec<&str> = names.queues.iter().map(|q| q.name.as_str()).collect();
            report_unknown(cx, &p.path, p.span, "queue", &p.name, &known);
            ok = false;
            continue;
        };
        if names.queues[qi].workstream.is_some_and(|w| w != p.ws) {
            let wname = names.workstreams.get(p.ws).map_or("", |w| w.name.as_str());
            cx.report(
                &p.path,
                Some(p.span),
                format!(
                    "queue {:?} belongs to another work stream, not {wname:?}",
                    p.name
                ),
                Some("route-to-queue targets a queue of the same work stream".into()),
            );
            ok = false;
            continue;
        }
        let q = QueueId(qi as u32);
        let Some(w) = ws.get_mut(p.ws) else { continue };
        match p.rule {
            None => w.routing.fallback_queue = Some(q),
            Some(r) => match w.routing.route_to_queue.get_mut(r).map(|r| &mut r.target) {
                Some(QueueTarget::First(list)) => list.push(q),
                Some(QueueTarget::Split(list)) => list.push((q, p.weight.unwrap_or(0.0))),
                None => {}
            },
        }
    }
    ok
}

fn attributes(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, ok: &mut bool) -> Vec<Attribute> {
    let mut out = Vec::new();
    let Some(t) = table(cx, path, v) else {
        *ok = false;
        return out;
    };
    for (k, val) in t.map.iter() {
        let ap = t.path_of(k.get_ref());
        let Some(at) = table(cx, &ap, val) else {
            *ok = false;
            continue;
        };
        let mut values = Vec::new();
        let mut weights = Vec::new();
        for (vk, w) in at.map.iter() {
            let wp = at.path_of(vk.get_ref());
            match super::spanned::number(cx, &wp, w) {
                Some(x) if (0.0..=1.0).contains(&x) => {
                    values.push(vk.get_ref().to_string());
                    weights.push(x);
                }
                Some(x) => {
                    cx.error(
                        &wp,
                        w.span(),
                        format!("a weight from 0 to 1, found {}", crate::text::number(x)),
                    );
                    *ok = false;
                }
                None => *ok = false,
            }
        }
        if values.is_empty() {
            cx.error(&ap, val.span(), "an attribute needs at least one value");
            *ok = false;
            continue;
        }
        let sum: f64 = weights.iter().sum();
        if (sum - 1.0).abs() > 1e-9 {
            cx.report(
                &ap,
                Some(val.span()),
                format!(
                    "the weights of attribute {:?} sum to {sum}, not 1",
                    k.get_ref()
                ),
                Some("each conversation draws one value; make the weights add up to 1".into()),
            );
            *ok = false;
        }
        out.push(Attribute {
            name: k.get_ref().to_string(),
            values,
            weights,
        });
    }
    out
}

/// `when = { attribute = value | [values] }`, resolved against the work stream's attributes.
pub(crate) fn condition(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    attrs: &[Attribute],
) -> Option<Condition> {
    let t = table(cx, path, v)?;
    let mut out = Vec::new();
    let mut ok = true;
    for (k, val) in t.map.iter() {
        let kp = t.path_of(k.get_ref());
        let Some(ai) = attrs.iter().position(|a| a.name == *k.get_ref()) else {
            let known: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
            report_unknown(cx, &kp, k.span(), "attribute", k.get_ref(), &known);
            ok = false;
            continue;
        };
        let raw: Vec<(String, Span)> = match val.get_ref() {
            toml::de::DeValue::Array(_) => {
                let Some(items) = array(cx, &kp, val) else {
                    ok = false;
                    continue;
                };
                if items.is_empty() {
                    cx.report(
                        &kp,
                        Some(val.span()),
                        format!(
                            "the value list of attribute {:?} is empty: a conversation has one value of it, so this condition never holds",
                            k.get_ref()
                        ),
                        Some("name at least one value, or leave the attribute out of `when`".into()),
                    );
                    ok = false;
                    continue;
                }
                ok &= super::spanned::no_repeats(cx, &kp, val, "value");
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, it)| {
                        string(cx, &format!("{kp}[{i}]"), it).map(|s| (s, it.span()))
                    })
                    .collect()
            }
            _ => match string(cx, &kp, val) {
                Some(s) => vec![(s, val.span())],
                None => {
                    ok = false;
                    continue;
                }
            },
        };
        let mut vals = Vec::new();
        for (s, span) in raw {
            match attrs[ai].values.iter().position(|x| *x == s) {
                Some(i) => vals.push(i as u16),
                None => {
                    let known: Vec<&str> = attrs[ai].values.iter().map(|x| x.as_str()).collect();
                    report_unknown(cx, &kp, span, "value", &s, &known);
                    ok = false;
                }
            }
        }
        out.push((ai, vals));
    }
    ok.then_some(Condition(out))
}

/// Reports `unknown {what} "given"; expected one of …` at `span`, with a "did you mean" hint.
pub(crate) fn report_unknown(
    cx: &mut Ctx<'_>,
    path: &str,
    span: Span,
    what: &str,
    given: &str,
    known: &[&str],
) {
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
        Some(span),
        format!("unknown {what} {given:?}; {expected}"),
        hint,
    );
}

/// Whether a skill name (a table key) is usable: an empty name is reported at its key.
fn skill_name(cx: &mut Ctx<'_>, path: &str, name: &str, span: Span) -> bool {
    if name.trim().is_empty() {
        let path = if name.is_empty() {
            format!("{path}\"\"")
        } else {
            path.to_string()
        };
        cx.error(
            &path,
            span,
            "a skill name must not be empty (expected a name such as \"spanish\")",
        );
        return false;
    }
    true
}

/// A rating: an integer 1–10.
fn rating(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<Rating> {
    let n = integer(cx, path, v)?;
    if !(1..=10).contains(&n) {
        cx.error(path, v.span(), format!("a rating from 1 to 10, found {n}"));
        return None;
    }
    Some(n as Rating)
}

/// An agent group's `skills = { name = rating }`; new names join the skill table.
pub(crate) fn group_skills(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    names: &mut Names,
) -> Option<SkillSet> {
    let t = table(cx, path, v)?;
    let mut out: SkillSet = Vec::new();
    let mut ok = true;
    for (k, val) in t.map.iter() {
        let kp = t.path_of(k.get_ref());
        if !skill_name(cx, &kp, k.get_ref(), k.span()) {
            ok = false;
            continue;
        }
        let Some(r) = rating(cx, &kp, val) else {
            ok = false;
            continue;
        };
        let id = names.intern_skill(k.get_ref());
        out.push((id as SkillId, r));
    }
    out.sort_unstable();
    ok.then_some(out)
}

/// Resolves classification skill names against the agents' skills (agent groups and roster
/// agents): a skill nobody holds is an error (nobody could ever serve it), with a "did you
/// mean". With `roster_unread` (a roster whose problems are already reported) an unknown name
/// may be the roster's and is not reported again.
pub(crate) fn resolve_requirements(
    cx: &mut Ctx<'_>,
    names: &Names,
    ws: &mut [Workstream],
    pending: Vec<PendingSkill>,
    roster_unread: bool,
) -> bool {
    let mut ok = true;
    for p in pending {
        match names.skill_id(&p.skill) {
            Some(id) => {
                if let Some(rule) = ws
                    .get_mut(p.ws)
                    .and_then(|w| w.routing.classification.get_mut(p.rule))
                {
                    rule.require.push((id as SkillId, p.rating));
                    rule.require.sort_unstable();
                }
            }
            None if roster_unread => ok = false,
            None => {
                let known: Vec<&str> = names.skills.iter().map(|s| s.as_str()).collect();
                let expected = if known.is_empty() {
                    "no agent has skills".to_string()
                } else {
                    format!("the agents hold {}", quoted_list(known.iter().copied()))
                };
                let hint = closest(&p.skill, known.iter().copied())
                    .map(|c| format!("did you mean {c:?}?"));
                cx.report(
                    &p.path,
                    Some(p.span),
                    format!(
                        "skill {:?} is held by no agent group or roster agent; {expected}",
                        p.skill
                    ),
                    hint,
                );
                ok = false;
            }
        }
    }
    ok
}
