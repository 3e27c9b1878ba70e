//! A scenario whose staffed group works a given number of agents in each interval.
//!
//! Agent `k` (0-based) of the group is on shift in interval `i` when `staffing[i] > k`; each
//! maximal run of such intervals is one shift. Identical shifts become one agent group
//! (`<group>~<from>-<to>`, interval indices), appended after the other groups; the original
//! group keeps its place with no agents, so the other groups' agents keep their order. A run
//! that reaches the last interval lasts to the end of the run (the drain after the horizon), as
//! an unshifted group would. The group's periodic breaks are dropped: a requirement counts
//! agents on shift and not on break.

use std::collections::BTreeMap;

use crate::model::AgentId;
use crate::scenario::{Action, AgentGroup, AgentPick, Scenario, Shift};
use crate::time::SimTime;

/// Why the group cannot be re-staffed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LayoutError {
    /// A supervisor works as, or names, one of the group's agents: staff another group or
    /// name another agent.
    #[error("supervisor {supervisor:?} refers to agent {agent:?} of group {group:?}, whose agents staffing replaces")]
    AgentReferenced {
        /// The supervisor.
        supervisor: String,
        /// The agent's name.
        agent: String,
        /// The group.
        group: String,
    },
}

/// `base` with group `group` replaced by `staffing[i]` agents in each interval of `interval_ms`.
pub fn staffed(
    base: &Scenario,
    group: usize,
    interval_ms: u64,
    staffing: &[u32],
) -> Result<Scenario, LayoutError> {
    // Runs of intervals per layer, counted by identical (from, to).
    let mut runs: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    let top = staffing.iter().copied().max().unwrap_or(0);
    for k in 0..top {
        let mut i = 0;
        while i < staffing.len() {
            if staffing[i] > k {
                let from = i;
                while i < staffing.len() && staffing[i] > k {
                    i += 1;
                }
                *runs.entry((from, i)).or_default() += 1;
            } else {
                i += 1;
            }
        }
    }
    let end_of_run = SimTime::ZERO + base.horizon + base.drain_limit;
    let template = &base.agent_groups[group];
    let groups = runs
        .into_iter()
        .map(|((from, to), n)| {
            let start = SimTime(from as u64 * interval_ms);
            let end = if to == staffing.len() {
                end_of_run
            } else {
                SimTime(to as u64 * interval_ms)
            };
            AgentGroup {
                name: format!("{}~{from}-{to}", template.name),
                count: n,
                shift: Some(Shift { start, end }),
                breaks: None,
                // A requirement counts agents present: nobody of a layer stays away.
                absence: 0.0,
                ..template.clone()
            }
        })
        .collect();
    replace_group(base, group, groups)
}

/// `base` with group `group` emptied (it keeps its place, so earlier agents keep their ids)
/// and `groups` appended after the others; agent ids are renumbered and every supervisor's
/// reference to an agent follows.
///
/// Errors: a supervisor works as, or names, an agent of the replaced group.
pub fn replace_group(
    base: &Scenario,
    group: usize,
    groups: Vec<AgentGroup>,
) -> Result<Scenario, LayoutError> {
    let g = &base.agent_groups[group];
    let (first, count) = (g.first.0, g.count);
    let remap = |a: AgentId, sup: &str| -> Result<AgentId, LayoutError> {
        if a.0 >= first && a.0 < first + count {
            Err(LayoutError::AgentReferenced {
                supervisor: sup.to_string(),
                agent: base.agent_name(a),
                group: g.name.clone(),
            })
        } else if a.0 >= first + count {
            Ok(AgentId(a.0 - count))
        } else {
            Ok(a)
        }
    };
    let mut sc = base.clone();
    for s in &mut sc.supervisors {
        if let Some(a) = s.agent {
            s.agent = Some(remap(a, &s.name)?);
        }
        let name = s.name.clone();
        let actions = s
            .policies
            .iter_mut()
            .map(|p| &mut p.action)
            .chain(s.script.iter_mut().map(|l| &mut l.action));
        for action in actions {
            if let Action::AssignToAgent(AgentPick::Named(a))
            | Action::TransferToAgent(AgentPick::Named(a)) = action
            {
                *a = remap(*a, &name)?;
            }
        }
    }
    sc.agent_groups[group].count = 0;
    sc.agent_groups.extend(groups);
    let mut next = 0;
    for g in &mut sc.agent_groups {
        g.first = AgentId(next);
        next += g.count;
    }
    Ok(sc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_become_shifts() {
        let base = crate::scenario::load_str(
            r#"
[scenario]
name = "l"
horizon = "2h"
[[workstreams]]
name = "w"
channel = "live_chat"
handle_time = "1m"
[[queues]]
name = "q"
workstream = "w"
[[agent_groups]]
name = "a"
count = 3
queues = ["q"]
[[agent_groups]]
name = "b"
count = 2
queues = ["q"]
"#,
            "l.toml",
        )
        .unwrap();
        let half_hour = 1_800_000;
        let sc = staffed(&base, 0, half_hour, &[1, 3, 2, 0]).unwrap();
        type Row = (String, u32, Option<(u64, u64)>);
        let groups: Vec<Row> = sc
            .agent_groups
            .iter()
            .map(|g| {
                let shift = g.shift.map(|s| (s.start.as_millis(), s.end.as_millis()));
                (g.name.clone(), g.count, shift)
            })
            .collect();
        let h = 3_600_000;
        assert_eq!(
            groups,
            [
                ("a".into(), 0, None),
                ("b".into(), 2, None),
                ("a~0-3".into(), 1, Some((0, 3 * half_hour))),
                ("a~1-2".into(), 1, Some((half_hour, h))),
                ("a~1-3".into(), 1, Some((half_hour, 3 * half_hour))),
            ]
        );
        assert_eq!(sc.agent_groups[1].first, AgentId(0));
        assert_eq!(sc.agent_groups[4].first, AgentId(4));
        // A run that reaches the last interval lasts to the end of the run.
        let sc = staffed(&base, 0, half_hour, &[0, 0, 0, 1]).unwrap();
        let s = sc.agent_groups[2].shift.unwrap();
        assert_eq!(s.end, SimTime::ZERO + base.horizon + base.drain_limit);
    }
}
