//! `summary.json` keys made of two names (issue 25, kind 6: only identical names clash; an
//! eighteenth fresh tester's find). An assignment rule is counted at
//! `routing.by_rule["QUEUE/RULE"]` and a supervisor policy at `policies["SUPERVISOR/POLICY"]`;
//! names may hold `/`, so two different pairs can spell one key (queue `a/b` with rule `r`,
//! queue `a` with rule `b/r`: both `a/b/r`), and one count silently overwrote the other while
//! a threshold on that key was ambiguous. Such a pair is refused at the later one's `name`,
//! naming the earlier; names with `/` that spell no other pair's key stay allowed. A
//! supervisor's script lines (`policies["SUPERVISOR/script[N]"]`) take part beside its policies.

use super::diag::Ctx;
use super::spanned::{value_at, Table};
use super::types::Scenario;

/// Refuses every compound key spelled by two different (outer, inner) name pairs.
pub(crate) fn check(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    let rules = sc.queues.iter().enumerate().flat_map(|(qi, q)| {
        q.assignment_rules
            .iter()
            .enumerate()
            .map(move |(ri, r)| Pair {
                outer: &q.name,
                inner: r.name.clone(),
                route: format!("queues.{qi}.assignment_rules.{ri}"),
                path: format!("queues[{qi}].assignment_rules[{ri}]"),
            })
    });
    clashes(
        cx,
        root,
        "routing.by_rule",
        "queue",
        "assignment rule",
        rules,
    );
    // A script line is counted at `policies["SUPERVISOR/script[N]"]` beside the policies.
    let policies = sc.supervisors.iter().enumerate().flat_map(|(si, s)| {
        let lines = s.script.iter().enumerate().map(move |(k, l)| Pair {
            outer: &s.name,
            inner: format!("script[{}]", l.line),
            route: format!("supervisors.{si}.script.{k}"),
            path: format!("supervisors[{si}].script[{k}]"),
        });
        s.policies
            .iter()
            .enumerate()
            .map(move |(pi, p)| Pair {
                outer: &s.name,
                inner: p.name.clone(),
                route: format!("supervisors.{si}.policies.{pi}"),
                path: format!("supervisors[{si}].policies[{pi}]"),
            })
            .chain(lines)
    });
    clashes(cx, root, "policies", "supervisor", "policy", policies);
}

/// One (outer, inner) name pair and where its inner item is written.
struct Pair<'a> {
    outer: &'a str,
    inner: String,
    /// The dotted route to the inner item ([`value_at`]).
    route: String,
    /// The key path shown to the user.
    path: String,
}

/// Reports each pair whose `outer/inner` key an earlier pair already spells. Sorted, so
/// near-linear in the number of pairs.
fn clashes<'a>(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    section: &str,
    outer_kind: &str,
    inner_kind: &str,
    pairs: impl Iterator<Item = Pair<'a>>,
) {
    let pairs: Vec<Pair<'a>> = pairs.collect();
    // Only a `/` in a name can make two different pairs spell one key.
    if !pairs
        .iter()
        .any(|p| p.outer.contains('/') || p.inner.contains('/'))
        && !pairs.iter().any(|p| p.inner.starts_with("script["))
    {
        return;
    }
    let mut keyed: Vec<(String, usize)> = pairs
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("{}/{}", p.outer, p.inner), i))
        .collect();
    keyed.sort();
    for w in keyed.windows(2) {
        let ((key, first), (_, later)) = (&w[0], &w[1]);
        if w[0].0 != w[1].0 {
            continue;
        }
        let (a, b) = (&pairs[*first], &pairs[*later]);
        let (at, span) = match value_at(root, &format!("{}.name", b.route)) {
            Some(v) => (format!("{}.name", b.path), Some(v.span())),
            None => (b.path.clone(), value_at(root, &b.route).map(|v| v.span())),
        };
        cx.report(
            &at,
            span,
            format!(
                "{inner_kind} {:?} of {outer_kind} {:?} is counted at `{section}` key {key:?}, \
                 as {inner_kind} {:?} of {outer_kind} {:?} (`{}`) is: one count would hide the other",
                b.inner, b.outer, a.inner, a.outer, a.path
            ),
            Some(format!(
                "rename one of them; a `/` in a {outer_kind} or {inner_kind} name can make two \
                 different pairs spell the same `{section}` key"
            )),
        );
    }
}
