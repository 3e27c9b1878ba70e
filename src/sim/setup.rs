//! The table of supervisor action sources (each policy and each script line), which metrics
//! count refusals by. The scenario → engine setup itself lives one layer down, in
//! [`crate::setup`], shared with the load driver.

use crate::engine::ConvId;
use crate::kernel::EventQueue;
use crate::scenario::{Action, Scenario};
use crate::time::SimTime;

use super::event::Event;

/// Re-exported for the reports that ask whether a scenario uses unified routing.
pub(crate) use crate::setup::uses_routing;

/// Where a supervisor action comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SourceKind {
    /// `supervisors[sup].policies[i]`.
    Policy(usize),
    /// `supervisors[sup].script[i]` (sorted by time).
    Script(usize),
}

/// One action source and its round-robin cursor.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub(crate) sup: usize,
    pub(crate) kind: SourceKind,
    pub(crate) cursor: usize,
    /// The instant its last `skipped_no_agent` for nobody able to take work was counted: one
    /// a tick (a tick's actions all come due at one instant, its own or after the reaction).
    pub(crate) nobody_at: Option<SimTime>,
    /// A policy's given-up prefix of each view it walks: `[2 × i]` the Open view of its
    /// supervisor's `i`-th queue, `[2 × i + 1]` the engaged one (none for a script line).
    pub(crate) prefixes: Vec<crate::policy::GivenUpPrefix>,
}

/// Every policy and script line, numbered.
#[derive(Clone, Debug)]
pub(crate) struct Sources {
    pub(crate) list: Vec<Source>,
    /// Scratch of a policy tick, kept between ticks so that a tick allocates nothing: the
    /// conversations it acts on, `(arrival sequence, id, since)`.
    pub(crate) found: Vec<(u64, ConvId, SimTime)>,
    /// Whether a policy or script line assigns to agents (then refusals of invitations are
    /// remembered per conversation for RT-ELIGIBLE, `sup_tries`).
    pub(crate) assigns: bool,
}

impl Sources {
    pub(crate) fn new(sc: &Scenario) -> Sources {
        let mut list = Vec::new();
        for (si, s) in sc.supervisors.iter().enumerate() {
            for i in 0..s.policies.len() {
                list.push(Source {
                    sup: si,
                    kind: SourceKind::Policy(i),
                    cursor: 0,
                    nobody_at: None,
                    prefixes: vec![Default::default(); 2 * s.queues.len()],
                });
            }
            for i in 0..s.script.len() {
                list.push(Source {
                    sup: si,
                    kind: SourceKind::Script(i),
                    cursor: 0,
                    nobody_at: None,
                    prefixes: Vec::new(),
                });
            }
        }
        let assigns = sc.supervisors.iter().any(|s| {
            s.policies
                .iter()
                .map(|p| &p.action)
                .chain(s.script.iter().map(|l| &l.action))
                .any(|a| matches!(a, Action::AssignToAgent(_)))
        });
        Sources {
            list,
            found: Vec::new(),
            assigns,
        }
    }

    /// The action a source takes.
    pub(crate) fn action<'a>(&self, sc: &'a Scenario, source: u32) -> &'a Action {
        let s = &self.list[source as usize];
        let sup = &sc.supervisors[s.sup];
        match s.kind {
            SourceKind::Policy(i) => &sup.policies[i].action,
            SourceKind::Script(i) => &sup.script[i].action,
        }
    }

    /// Schedules each policy's first tick and each script line.
    pub(crate) fn schedule_all(&self, sc: &Scenario, events: &mut EventQueue<Event>) {
        for (i, s) in self.list.iter().enumerate() {
            let sup = &sc.supervisors[s.sup];
            let source = i as u32;
            match s.kind {
                SourceKind::Policy(p) => events.schedule(
                    SimTime::ZERO + sup.policies[p].every,
                    Event::PolicyTick { source },
                ),
                SourceKind::Script(l) => {
                    events.schedule(sup.script[l].at, Event::Script { source })
                }
            }
        }
    }
}

/// Names for reports: `supervisor/policy` or `supervisor/script[n]` (n = the line's position in
/// the file, 1-based).
pub(crate) fn source_names(sc: &Scenario, sources: &Sources) -> Vec<String> {
    sources
        .list
        .iter()
        .map(|s| {
            let sup = &sc.supervisors[s.sup];
            match s.kind {
                SourceKind::Policy(i) => format!("{}/{}", sup.name, sup.policies[i].name),
                SourceKind::Script(i) => format!("{}/script[{}]", sup.name, sup.script[i].line),
            }
        })
        .collect()
}
