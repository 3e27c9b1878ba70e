//! Unified-routing keys of a scenario (contract.md "Unified routing"): a work stream's
//! `attributes`, `skill_matching` and `[[workstreams.classification]]` rules (RT-CLASSIFY), and
//! an agent group's `skills`.
//!
//! Skill names form one table: the skills the agent groups hold, in order of first appearance.
//! A classification rule may only require a skill some group holds (otherwise nobody could ever
//! serve it); those names are resolved after the groups are read ([`resolve_requirements`]).

use super::diag::Ctx;
use super::sections::{section, Names};
use super::spanned::{array, integer, one_of, string, table, Span, Table, Val};
use super::suggest::{closest, quoted_list};
use super::types::Workstream;
use crate::engine::{Rating, SkillId, SkillMatching, SkillSet};

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

/// A work stream's unified-routing settings. The default (no attributes, no rules, exact
/// matching) changes nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WsRouting {
    /// `attributes`, in file order.
    pub attributes: Vec<Attribute>,
    /// `skill_matching`.
    pub skill_matching: SkillMatching,
    /// `[[workstreams.classification]]`, in file order.
    pub classification: Vec<Classification>,
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

/// Reads a work stream's routing keys; skill names of its classification rules go to `pending`.
pub(crate) fn ws_routing(
    cx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    ws: usize,
    pending: &mut Vec<PendingSkill>,
) -> Option<WsRouting> {
    let attributes = t.or(cx, "attributes", Vec::new(), attributes)?;
    let skill_matching = t.or(cx, "skill_matching", SkillMatching::Exact, |cx, p, v| {
        one_of(&["exact", "closest", "none"])(cx, p, v).and_then(SkillMatching::parse)
    })?;
    let mut classification = Vec::new();
    let mut ok = true;
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
            let mut good = true;
            for (k, val) in rt.map.iter() {
                let kp = rt.path_of(k.get_ref());
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
    ok.then_some(WsRouting {
        attributes,
        skill_matching,
        classification,
    })
}

fn attributes(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<Vec<Attribute>> {
    let t = table(cx, path, v)?;
    let mut out = Vec::new();
    let mut ok = true;
    for (k, val) in t.map.iter() {
        let ap = t.path_of(k.get_ref());
        let Some(at) = table(cx, &ap, val) else {
            ok = false;
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
                    cx.error(&wp, w.span(), format!("a weight from 0 to 1, found {x}"));
                    ok = false;
                }
                None => ok = false,
            }
        }
        if values.is_empty() {
            cx.error(&ap, val.span(), "an attribute needs at least one value");
            ok = false;
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
            ok = false;
        }
        out.push(Attribute {
            name: k.get_ref().to_string(),
            values,
            weights,
        });
    }
    ok.then_some(out)
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

fn report_unknown(
    cx: &mut Ctx<'_>,
    path: &str,
    span: Span,
    what: &str,
    given: &str,
    known: &[&str],
) {
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
        let Some(r) = rating(cx, &kp, val) else {
            ok = false;
            continue;
        };
        let id = match names.skills.iter().position(|s| s == k.get_ref()) {
            Some(i) => i,
            None => {
                names.skills.push(k.get_ref().to_string());
                names.skills.len() - 1
            }
        };
        out.push((id as SkillId, r));
    }
    out.sort_unstable();
    ok.then_some(out)
}

/// Resolves classification skill names against the groups' skills: a skill no group holds is
/// an error (nobody could ever serve it), with a "did you mean".
pub(crate) fn resolve_requirements(
    cx: &mut Ctx<'_>,
    names: &Names,
    ws: &mut [Workstream],
    pending: Vec<PendingSkill>,
) -> bool {
    let mut ok = true;
    for p in pending {
        match names.skills.iter().position(|s| *s == p.skill) {
            Some(id) => {
                if let Some(rule) = ws
                    .get_mut(p.ws)
                    .and_then(|w| w.routing.classification.get_mut(p.rule))
                {
                    rule.require.push((id as SkillId, p.rating));
                    rule.require.sort_unstable();
                }
            }
            None => {
                let known: Vec<&str> = names.skills.iter().map(|s| s.as_str()).collect();
                let expected = if known.is_empty() {
                    "no agent group has skills".to_string()
                } else {
                    format!(
                        "the agent groups hold {}",
                        quoted_list(known.iter().copied())
                    )
                };
                let hint = closest(&p.skill, known.iter().copied())
                    .map(|c| format!("did you mean {c:?}?"));
                cx.report(
                    &p.path,
                    Some(p.span),
                    format!("skill {:?} is held by no agent group; {expected}", p.skill),
                    hint,
                );
                ok = false;
            }
        }
    }
    ok
}
