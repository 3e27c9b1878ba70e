//! Size limits: scenarios that would exhaust memory or run for days are refused at validation,
//! naming the limit, unless the caller allows huge scenarios ([`LoadOptions::allow_huge`], the
//! command line's `--allow-huge`).
//!
//! | limit | value |
//! |---|---|
//! | agents, all groups together | [`MAX_AGENTS`] |
//! | horizon | [`MAX_HORIZON_DAYS`] days |
//! | replications | [`MAX_REPLICATIONS`] |
//! | entries of one `times` list | [`MAX_TIMES`] |
//! | expected arrivals (rate × horizon × replications, all queues) | [`MAX_EXPECTED_ARRIVALS`] |
//! | agent–queue memberships (Σ over agents of the queues each serves) | [`MAX_MEMBERSHIPS`]; a warning above [`WARN_MEMBERSHIPS`] |
//! | contacts of a retrial loop or moves of a `waited_over` cycle, per arrival and in all | `loops` |
//! | estimated memory of the queues (queues × replications) | `queue_memory` |
//! | events driven by time alone (policy evaluations, disconnects, breaks) | `timed` |

use toml::de::DeValue;

use super::diag::Ctx;
use super::spanned::{Span, Table, Val};
use super::types::{Arrivals, Scenario};
use crate::time::SimTime;

/// Most agents a scenario may have (all groups together).
pub const MAX_AGENTS: u64 = 1_000_000;
/// Longest horizon, in days.
pub const MAX_HORIZON_DAYS: u64 = 400;
/// Most replications.
pub const MAX_REPLICATIONS: u32 = 10_000;
/// Most entries in one queue's `times` list.
pub const MAX_TIMES: usize = 10_000_000;
/// Most expected arrivals over the whole run: rate × horizon × replications, summed over queues.
pub const MAX_EXPECTED_ARRIVALS: f64 = 2e9;
/// Measured memory of one agent–queue membership, in bytes: an agent's per-queue routing
/// record (`engine::state::Place`, 48 B), its leaf in the queue's routing index and the
/// simulator's share. Measured with `/usr/bin/time -v omnisim run` (fast profile) on one
/// group of agents listing all of 1,000 queues, 20/h each, horizon 1 min: 1,000 agents (1 M
/// memberships) 144,852 KB, 3,000 (3 M) 378,940 KB, 6,000 (6 M) 709,076 KB: 120 B and 113 B
/// per added membership.
pub const BYTES_PER_MEMBERSHIP: u64 = 120;
/// Most agent–queue memberships (Σ over agents, roster agents included, of the queues each
/// serves): 20,000,000, about 2.4 GB at [`BYTES_PER_MEMBERSHIP`]; every conversation also
/// costs time with the queues its agents serve.
pub const MAX_MEMBERSHIPS: u64 = 20_000_000;
/// Above this many memberships (about 240 MB) a scenario loads with a warning: runs get slow
/// (1,000 queues × 6,000 agents, 6 M memberships: 24 s for 30 simulated minutes; 5,000 queues
/// × 600 agents, 3 M: 33 s).
pub const WARN_MEMBERSHIPS: u64 = 2_000_000;
/// Most attribute-value combinations of one work stream (the product of its attributes' value
/// counts). Every routing tag is interned into the engine when a run is set up
/// (`setup::RoutingTags`), so this limit holds even with `--allow-huge`.
pub const MAX_ATTRIBUTE_COMBINATIONS: u64 = 4096;

/// How to load a scenario.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Accept scenarios beyond the size limits ([`MAX_AGENTS`], [`MAX_HORIZON_DAYS`],
    /// [`MAX_REPLICATIONS`], [`MAX_TIMES`], [`MAX_EXPECTED_ARRIVALS`], [`MAX_MEMBERSHIPS`]).
    pub allow_huge: bool,
    /// The command line's `--replications` (`run`, `staff`, `ab`, `sweep`), which the
    /// estimate of the queues' memory counts instead of the file's `replications` (against
    /// [`super::queue_memory::WARN_QUEUE_BYTES`] and [`super::queue_memory::MAX_QUEUE_BYTES`]),
    /// so its warning or refusal names the replications the run will have; `None`: the file's.
    pub replications: Option<u32>,
}

pub(super) const HINT: &str = "split the run, or pass --allow-huge to run it anyway";

/// The value at `key` of the table at `root[section]` (or `root[section][index]` for arrays of
/// tables), with its key path.
pub(super) fn at<'a, 'i>(
    root: &Table<'a, 'i>,
    section: &str,
    index: Option<usize>,
    key: &str,
) -> (String, Option<Span>) {
    let path = match index {
        Some(i) => format!("{section}[{i}].{key}"),
        None => format!("{section}.{key}"),
    };
    let mut v: Option<&Val<'i>> = root.get(section);
    if let Some(i) = index {
        v = match v.map(|v| v.get_ref()) {
            Some(DeValue::Array(items)) => items.get(i),
            _ => None,
        };
    }
    let span = match v.map(|v| v.get_ref()) {
        Some(DeValue::Table(t)) => t.get(key).map(|v| v.span()),
        _ => None,
    };
    (path, span.or_else(|| v.map(|v| v.span())))
}

/// Reports each work stream whose attributes have more than [`MAX_ATTRIBUTE_COMBINATIONS`]
/// value combinations, at its `attributes` key (checked with or without `--allow-huge`).
pub(crate) fn check_attributes(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    for (i, w) in sc.workstreams.iter().enumerate() {
        let combos = w.routing.attributes.iter().fold(1u64, |acc, a| {
            acc.saturating_mul(a.values.len().max(1) as u64)
        });
        if combos > MAX_ATTRIBUTE_COMBINATIONS {
            let (path, span) = at(root, "workstreams", Some(i), "attributes");
            cx.report(
                &path,
                span,
                format!(
                    "{combos} combinations of attribute values (the product of the value \
                     counts) is over the limit of {MAX_ATTRIBUTE_COMBINATIONS}"
                ),
                Some("merge rarely used values, or split the work stream".into()),
            );
        }
    }
}

/// The highest arrival rate accepted, per second (one arrival per millisecond on average); the
/// forecast reader checks its rows against it at their lines.
pub use crate::traffic::forecast::MAX_RATE_PER_S;

/// The highest rate of `arrivals` at any time, per second (0 for fixed times or none).
fn peak_rate(arrivals: &Arrivals) -> f64 {
    match arrivals {
        Arrivals::Rate(r) => *r,
        Arrivals::Profile(steps) => steps.iter().map(|s| s.1).fold(0.0, f64::max),
        Arrivals::Times(_) | Arrivals::None => 0.0,
    }
}

/// Refuses every arrival process faster than [`MAX_RATE_PER_S`] (a queue's `arrivals`, one
/// fed by a forecast, a work stream's `arrivals`), at the key that sets it: a loop at one
/// instant, whatever `--allow-huge` says.
pub(crate) fn instant_arrivals(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    let mut check = |where_: (String, Option<Span>), rate: f64, what: &str| {
        if rate > MAX_RATE_PER_S {
            cx.report(
                &where_.0,
                where_.1,
                format!(
                    "{what} reaches {} arrivals per second, over {MAX_RATE_PER_S:.0}/s: \
                     simulated time counts whole milliseconds, so faster arrivals pile up at \
                     one instant and time stops advancing",
                    crate::text::whole(rate)
                ),
                Some(
                    "model a shorter horizon at a realistic rate, or split the traffic over \
                     several queues"
                        .into(),
                ),
            );
        }
    };
    for (i, q) in sc.queues.iter().enumerate() {
        let what = match &q.arrivals {
            Arrivals::Profile(_) => "the arrival profile (or forecast) of this queue",
            _ => "this queue's arrival rate",
        };
        check(
            at(root, "queues", Some(i), "arrivals"),
            peak_rate(&q.arrivals),
            what,
        );
    }
    for (i, w) in sc.workstreams.iter().enumerate() {
        if let Some(a) = &w.routing.arrivals {
            check(
                at(root, "workstreams", Some(i), "arrivals"),
                peak_rate(a),
                "this work stream's arrival rate",
            );
        }
    }
}

/// The agent–queue memberships of `sc`: Σ over agents (roster agents included) of the queues
/// each serves. One pass over the groups.
pub fn memberships(sc: &Scenario) -> u64 {
    sc.agent_groups
        .iter()
        .map(|g| u64::from(g.count).saturating_mul(g.queues.len() as u64))
        .fold(0u64, u64::saturating_add)
}

/// Refuses a scenario with more than [`MAX_MEMBERSHIPS`] agent–queue memberships (unless
/// `allow_huge`), and warns above [`WARN_MEMBERSHIPS`] (with `allow_huge` too), giving the
/// count and the estimated memory; at whatever holds the most memberships: the `queues` of the
/// largest group, or (when the roster's agents hold more in all) the roster file's row of the
/// roster agent with the most.
pub(crate) fn check_memberships(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    sc: &Scenario,
    allow_huge: bool,
) {
    let total = memberships(sc);
    let refuse = total > MAX_MEMBERSHIPS && !allow_huge;
    if total <= WARN_MEMBERSHIPS {
        return;
    }
    let gb = (total * BYTES_PER_MEMBERSHIP) as f64 / 1e9;
    let message = if refuse {
        format!(
            "{total} agent–queue memberships in all (Σ over agents of the queues each serves, \
             about {gb:.1} GB at {BYTES_PER_MEMBERSHIP} B each) is over the limit of \
             {MAX_MEMBERSHIPS} memberships"
        )
    } else {
        format!(
            "{total} agent–queue memberships in all (Σ over agents of the queues each serves, \
             about {gb:.1} GB at {BYTES_PER_MEMBERSHIP} B each) is over {WARN_MEMBERSHIPS}: \
             the run will be slow (each conversation costs time with the queues its agents \
             serve)"
        )
    };
    let hint = if refuse {
        HINT.to_string()
    } else {
        "give each agent only the queues it really serves, or split the center".to_string()
    };
    // Whatever holds the most: the largest `[[agent_groups]]` group, or the roster (each
    // roster agent is a group of one; its memberships summed), pointed at by its agent with the
    // most (issue 25: a 500,000-row roster was blamed on a group of a few thousand).
    let of = |i: usize| {
        let g = &sc.agent_groups[i];
        u64::from(g.count).saturating_mul(g.queues.len() as u64)
    };
    let largest_of = |roster: bool| {
        (0..sc.agent_groups.len())
            .filter(|&i| sc.agent_groups[i].roster.is_some() == roster)
            .max_by_key(|&i| (of(i), std::cmp::Reverse(i)))
    };
    let roster_total = (0..sc.agent_groups.len())
        .filter(|&i| sc.agent_groups[i].roster.is_some())
        .map(of)
        .fold(0u64, u64::saturating_add);
    let group = largest_of(false);
    let largest = match (group, largest_of(true)) {
        (Some(g), Some(r)) if roster_total > of(g) => r,
        (Some(g), _) => g,
        (None, r) => r.unwrap_or(0),
    };
    match sc.agent_groups.get(largest).and_then(|g| g.roster.as_ref()) {
        Some(r) => {
            let file = sc
                .traffic
                .files
                .iter()
                .find(|(key, _, _)| key == "traffic.roster")
                .map_or_else(String::new, |(_, _, path)| path.display().to_string());
            let d = crate::diag::Diagnostic {
                file,
                path: "queues".into(),
                line: Some(r.line as usize),
                column: None,
                message: format!(
                    "{message}; the roster holds {roster_total} of them, and agent {:?} of this \
                     line serves the most ({})",
                    r.name,
                    of(largest)
                ),
                hint: Some(hint),
            };
            if refuse {
                cx.external(d);
            } else {
                cx.warn_external(d);
            }
        }
        None => {
            let (path, span) = at(root, "agent_groups", Some(largest), "queues");
            if refuse {
                cx.report(&path, span, message, Some(hint));
            } else {
                cx.warn(&path, span, message, Some(hint));
            }
        }
    }
}

/// Reports every limit `sc` exceeds, each at the key that makes it so.
pub(crate) fn check(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario) {
    let agents = sc.agent_count() as u64;
    if agents > MAX_AGENTS {
        // Point at the group that crosses the limit.
        let mut total = 0u64;
        let crossing = sc
            .agent_groups
            .iter()
            .position(|g| {
                total += g.count as u64;
                total > MAX_AGENTS
            })
            .unwrap_or(0);
        match sc
            .agent_groups
            .get(crossing)
            .and_then(|g| g.roster.as_ref())
        {
            // A roster agent crosses it: the roster file and the row of that agent (issue 25,
            // tenth pass: it was named by the TOML path of a group the file does not have).
            Some(first_over) => {
                let roster = sc
                    .agent_groups
                    .iter()
                    .filter(|g| g.roster.is_some())
                    .count();
                let file = sc
                    .traffic
                    .files
                    .iter()
                    .find(|(key, _, _)| key == "traffic.roster")
                    .map_or_else(String::new, |(_, _, path)| path.display().to_string());
                cx.external(crate::diag::Diagnostic {
                    file,
                    path: "agent".into(),
                    line: Some(first_over.line as usize),
                    column: None,
                    message: format!(
                        "{agents} agents in all ({} of [[agent_groups]] and this roster's {roster} \
                         agents) is over the limit of {MAX_AGENTS} agents; agent {:?} of this \
                         line is the first past it",
                        agents - roster as u64,
                        first_over.name
                    ),
                    hint: Some(HINT.into()),
                });
            }
            None => {
                let (path, span) = at(root, "agent_groups", Some(crossing), "count");
                cx.report(
                    &path,
                    span,
                    format!("{agents} agents in all is over the limit of {MAX_AGENTS} agents"),
                    Some(HINT.into()),
                );
            }
        }
    }
    let mut report = |(path, span): (String, Option<Span>), message: String| {
        cx.report(&path, span, message, Some(HINT.into()));
    };
    let horizon_days = sc.horizon.as_millis() as f64 / 86_400_000.0;
    if sc.horizon.as_millis() > MAX_HORIZON_DAYS * 86_400_000 {
        report(
            at(root, "scenario", None, "horizon"),
            format!(
                "a horizon of {horizon_days:.1} days is over the limit of {MAX_HORIZON_DAYS} days"
            ),
        );
    }
    if sc.replications > MAX_REPLICATIONS {
        report(
            at(root, "scenario", None, "replications"),
            format!(
                "{} replications is over the limit of {MAX_REPLICATIONS} replications",
                sc.replications
            ),
        );
    }
    for (i, q) in sc.queues.iter().enumerate() {
        if let Arrivals::Times(t) = &q.arrivals {
            if t.len() > MAX_TIMES {
                report(
                    at(root, "queues", Some(i), "arrivals"),
                    format!(
                        "{} arrival times is over the limit of {MAX_TIMES} entries per times list",
                        t.len()
                    ),
                );
            }
        }
    }
    let horizon = SimTime::ZERO + sc.horizon;
    let per_queue: Vec<f64> = sc
        .queues
        .iter()
        .map(|q| q.arrivals.mass(SimTime::ZERO, horizon) * sc.replications as f64)
        .collect();
    // Work streams' own arrivals (routed to queues) count too.
    let ws_expected: f64 = sc
        .workstreams
        .iter()
        .filter_map(|w| w.routing.arrivals.as_ref())
        .map(|a| a.mass(SimTime::ZERO, horizon) * sc.replications as f64)
        .sum();
    let expected: f64 = per_queue.iter().sum::<f64>() + ws_expected;
    if expected > MAX_EXPECTED_ARRIVALS {
        let largest = (0..per_queue.len())
            .max_by(|&a, &b| per_queue[a].total_cmp(&per_queue[b]))
            .unwrap_or(0);
        report(
            at(root, "queues", Some(largest), "arrivals"),
            format!(
                "about {expected:.3e} expected arrivals (rate × horizon × replications, all queues) \
                 is over the limit of {MAX_EXPECTED_ARRIVALS:.0} expected arrivals"
            ),
        );
    }
}

/// The expected arrivals of one replication (a count, not an integer): the arrival rate
/// integrated over the horizon, summed over queues and work streams' own arrivals. Retrials,
/// transfers and the drain after the horizon are not counted.
pub fn expected_arrivals(sc: &Scenario) -> f64 {
    let horizon = SimTime::ZERO + sc.horizon;
    sc.queues
        .iter()
        .map(|q| q.arrivals.mass(SimTime::ZERO, horizon))
        .sum::<f64>()
        + sc.workstreams
            .iter()
            .filter_map(|w| w.routing.arrivals.as_ref())
            .map(|a| a.mass(SimTime::ZERO, horizon))
            .sum::<f64>()
}

/// The limits a command line's replication count (`run`, `sweep`, `staff`, `ab` take one that
/// overrides the file's) must meet, as if the file had said it: [`MAX_REPLICATIONS`], and
/// [`MAX_EXPECTED_ARRIVALS`] with the arrivals counted over that many replications, and the
/// queues' estimated memory over that many replications
/// ([`super::queue_memory::MAX_QUEUE_BYTES`]). One sentence per limit crossed (empty: within
/// the limits).
pub fn replication_override_problems(sc: &Scenario, replications: u32) -> Vec<String> {
    let mut problems = Vec::new();
    if replications > MAX_REPLICATIONS {
        problems.push(format!(
            "{replications} replications is over the limit of {MAX_REPLICATIONS} replications"
        ));
    }
    let expected = expected_arrivals(sc) * replications as f64;
    if expected > MAX_EXPECTED_ARRIVALS {
        problems.push(format!(
            "about {expected:.3e} expected arrivals (rate × horizon × replications, all queues) \
             is over the limit of {MAX_EXPECTED_ARRIVALS:.0} expected arrivals"
        ));
    }
    let queues = sc.queues.len() as u64;
    let bytes = super::queue_memory::queue_bytes(queues, replications);
    if bytes > super::queue_memory::MAX_QUEUE_BYTES {
        problems.push(format!(
            "{queues} queues over {replications} replications need about {:.1} GB (their \
             metrics, whether or not conversations reach them), over the limit of {} GB",
            bytes as f64 / 1e9,
            super::queue_memory::MAX_QUEUE_BYTES / 1_000_000_000
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    /// The values the size limit's old `expected_arrivals(arrivals, horizon_s)` gave, now read
    /// from [`Arrivals::mass`] over `[0, horizon)`: 1/s for 10 s then 2/s for 20 s is 10 + 40.
    #[test]
    fn expected_arrivals_follow_the_profile_up_to_the_horizon() {
        let upto = |a: &Arrivals, s: u64| a.mass(SimTime::ZERO, SimTime(s * 1000));
        let p = Arrivals::Profile(vec![(SimTime(0), 1.0), (SimTime(10_000), 2.0)]);
        assert_eq!(upto(&p, 30), 10.0 + 40.0);
        assert_eq!(upto(&p, 5), 5.0);
        assert_eq!(upto(&Arrivals::Rate(0.5), 100), 50.0);
        assert_eq!(upto(&Arrivals::None, 100), 0.0);
        // Any window, not only from 0: [5 s, 15 s) is 5 × 1 + 5 × 2.
        assert_eq!(p.mass(SimTime(5_000), SimTime(15_000)), 15.0);
        assert_eq!(p.mass(SimTime(15_000), SimTime(5_000)), 0.0);
        // Listed times count in [from, to): 0 and 5 s in [0, 10 s), not 10 s.
        let t = Arrivals::Times(vec![SimTime(0), SimTime(5_000), SimTime(10_000)]);
        assert_eq!(t.mass(SimTime(0), SimTime(10_000)), 2.0);
        assert_eq!(t.mass(SimTime(5_000), SimTime(10_001)), 2.0);
    }

    /// A times list over the limit (too big for a corpus file: it would take 50 MB of TOML).
    #[test]
    fn a_times_list_over_the_limit_is_named() {
        let text = "[scenario]\nname = \"t\"\nhorizon = \"1h\"\n[[workstreams]]\nname = \"w\"\n\
                    channel = \"voice\"\nhandle_time = \"1m\"\n[[queues]]\nname = \"q\"\n\
                    workstream = \"w\"\narrivals = { times = [\"0s\"] }\n";
        let mut sc = crate::scenario::load_str(text, "t.toml").expect("valid");
        sc.queues[0].arrivals = Arrivals::Times(vec![SimTime(0); MAX_TIMES + 1]);
        let root_table = toml::de::DeTable::parse(text).expect("toml");
        let root = Table {
            path: "",
            span: None,
            map: root_table.get_ref(),
        };
        let mut cx = Ctx::new("t.toml", text);
        check(&mut cx, &root, &sc);
        let shown: Vec<String> = cx.finish().iter().map(|d| d.to_string()).collect();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].starts_with("t.toml:11:12: queues[0].arrivals: 10000001 arrival times is over the limit of 10000000 entries"),
            "{}",
            shown[0]
        );
    }
}
