//! The staff already serving the staffed group's queues: the scenario's other agent groups and
//! its `[traffic] roster` agents. `staff` answers what the group must add on top of them.
//!
//! Per interval, each such agent counts by the fraction of the interval it is on shift and not
//! on break (a roster agent's own shifts and breaks; a group's shift, less its regular breaks'
//! share `length ÷ every`), times `1 − absence`, times its conversation slots relative to one
//! agent of the staffed group (`capacity ÷ units`, the units of the staffed queues). The figure
//! is in agents of the staffed group, a mean over the interval (not an integer).
//!
//! Approximation: an existing agent is counted as wholly available to the staffed queues even
//! when it also serves other queues (or only some of the staffed ones). That can only make the
//! stationary model's start point low, never high; the verification by simulation, run with
//! every existing agent in place, adds agents where the target is then missed.

use crate::model::QueueId;
use crate::scenario::{AgentGroup, Scenario};
use crate::time::SimTime;

/// The existing staff beside the staffed group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Existing {
    /// Per interval: the mean existing agents present (on shift, not on break, not absent), in
    /// agents of the staffed group (see the module docs).
    pub per_interval: Vec<f64>,
    /// The other agent groups serving a staffed queue: (name, agents).
    pub groups: Vec<(String, u32)>,
    /// How many `[traffic] roster` agents serve a staffed queue.
    pub roster_agents: u32,
    /// How many of all those agents also serve a queue outside the staffed ones, or only some
    /// of the staffed ones (counted as wholly available all the same: see the module docs).
    pub shared: u32,
}

impl Existing {
    /// Whether any existing agent serves the staffed queues.
    pub fn any(&self) -> bool {
        !self.groups.is_empty() || self.roster_agents > 0
    }

    /// One line naming the existing staff: "group late (4 agents), 320 roster agents".
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .groups
            .iter()
            .map(|(n, c)| {
                format!(
                    "group {n} ({})",
                    crate::report::format::plural(u64::from(*c), "agent")
                )
            })
            .collect();
        if self.roster_agents > 0 {
            parts.push(format!(
                "{} from [traffic] roster",
                crate::report::format::plural(u64::from(self.roster_agents), "roster agent")
            ));
        }
        parts.join(", ")
    }
}

/// Length of the overlap of `[a, b)` and `[c, d)`, in ms.
fn overlap(a: SimTime, b: SimTime, c: SimTime, d: SimTime) -> u64 {
    let lo = a.as_millis().max(c.as_millis());
    let hi = b.as_millis().min(d.as_millis());
    hi.saturating_sub(lo)
}

/// The fraction of `[a, b)` one agent of `g` is on shift and not on break.
fn presence(g: &AgentGroup, a: SimTime, b: SimTime) -> f64 {
    let span = b.as_millis().saturating_sub(a.as_millis()).max(1) as f64;
    if let Some(r) = &g.roster {
        let on: u64 = r.shifts.iter().map(|&(s, e)| overlap(a, b, s, e)).sum();
        // Breaks count only where they fall inside a shift.
        let off: u64 = r
            .breaks
            .iter()
            .flat_map(|&(bs, be)| {
                r.shifts.iter().map(move |&(s, e)| {
                    let (lo, hi) = (bs.max(s), be.min(e));
                    if lo < hi {
                        overlap(a, b, lo, hi)
                    } else {
                        0
                    }
                })
            })
            .sum();
        return on.saturating_sub(off) as f64 / span;
    }
    let on = match g.shift {
        Some(s) => overlap(a, b, s.start, s.end) as f64 / span,
        None => 1.0,
    };
    let working = g.breaks.map_or(1.0, |br| {
        1.0 - (br.length.as_millis() as f64 / br.every.as_millis().max(1) as f64).min(1.0)
    });
    on * working
}

/// The existing staff of `sc` beside group `group` serving any of `queues`, per interval of
/// `interval_ms` (`n` intervals; the last ends at the horizon); `units` is the capacity units
/// of one conversation of the staffed queues and `slots` the staffed group's slots per agent.
pub fn existing(
    sc: &Scenario,
    group: usize,
    queues: &[QueueId],
    interval_ms: u64,
    n: usize,
    units: u32,
    slots: u32,
) -> Existing {
    let mut out = Existing {
        per_interval: vec![0.0; n],
        ..Existing::default()
    };
    let end = sc.horizon.as_millis();
    for (gi, g) in sc.agent_groups.iter().enumerate() {
        let serves = g.queues.iter().any(|q| queues.contains(q));
        if gi == group || g.count == 0 || !serves {
            continue;
        }
        let same = g.queues.iter().all(|q| queues.contains(q)) && queues.len() == g.queues.len();
        if !same {
            out.shared += g.count;
        }
        if g.roster.is_some() {
            out.roster_agents += g.count;
        } else {
            out.groups.push((g.name.clone(), g.count));
        }
        let weight =
            f64::from(g.count) * (1.0 - g.absence) * f64::from((g.capacity / units).max(1))
                / f64::from(slots.max(1));
        for (i, x) in out.per_interval.iter_mut().enumerate() {
            let a = SimTime(i as u64 * interval_ms);
            let b = SimTime(((i + 1) as u64 * interval_ms).min(end));
            *x += weight * presence(g, a, b);
        }
    }
    out
}

/// The stationary model's total requirement `total` net of `existing` agents present, rounded
/// up and floored at 0: what the staffed group must add.
pub fn net(total: u32, existing: f64) -> u32 {
    (f64::from(total) - existing - 1e-9).ceil().max(0.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_groups_count_by_presence_and_slots() {
        let sc = crate::scenario::load_str(
            r#"
[scenario]
name = "e"
horizon = "2h"
[[workstreams]]
name = "w"
channel = "live_chat"
handle_time = "1m"
[[queues]]
name = "q"
workstream = "w"
[[queues]]
name = "r"
workstream = "w"
[[agent_groups]]
name = "staffed"
count = 0
queues = ["q"]
[[agent_groups]]
name = "early"
count = 4
queues = ["q"]
shift = { start = "0h", end = "1h" }
[[agent_groups]]
name = "wide"
count = 2
capacity = 200
queues = ["q", "r"]
breaks = { every = "1h", length = "15m" }
[[agent_groups]]
name = "elsewhere"
count = 9
queues = ["r"]
"#,
            "e.toml",
        )
        .unwrap();
        let q = sc.agent_groups[0].queues.clone();
        let e = existing(&sc, 0, &q, 1_800_000, 4, 100, 1);
        assert_eq!(
            e.groups,
            [("early".to_string(), 4), ("wide".to_string(), 2)]
        );
        assert_eq!((e.roster_agents, e.shared), (0, 2));
        // early: 4 for the first hour; wide: 2 agents × 2 slots × 3/4 of the time.
        let want = [7.0, 7.0, 3.0, 3.0];
        for (x, w) in e.per_interval.iter().zip(want) {
            assert!((x - w).abs() < 1e-9, "{:?}", e.per_interval);
        }
        assert_eq!(net(10, 7.0), 3);
        assert_eq!(net(10, 6.5), 4);
        assert_eq!(net(3, 7.0), 0);
        assert!(e.describe().contains("group early (4 agents)"));
    }
}
