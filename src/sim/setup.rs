//! From a validated scenario to the engine's setup, and the table of supervisor action sources
//! (each policy and each script line), which metrics count refusals by.

use crate::engine::{AgentSetup, EngineSetup, QueueSetup, SkillSetup, SupervisorSetup};
use crate::kernel::EventQueue;
use crate::scenario::{Action, Scenario};
use crate::time::SimTime;

use super::event::Event;

/// Builds the engine's setup: work-stream rules, queues, agents (Offline if their shift starts
/// later), supervisors.
pub(crate) fn engine_setup(sc: &Scenario) -> EngineSetup {
    let mut agents = Vec::with_capacity(sc.agent_count());
    let mut agent_skills = Vec::with_capacity(sc.agent_count());
    for g in &sc.agent_groups {
        agent_skills.extend((0..g.count).map(|_| g.skills.clone()));
        let on_shift = match &g.roster {
            Some(r) => r.shifts.first().is_some_and(|s| s.0 == SimTime::ZERO),
            None => g.shift.is_none_or(|s| s.start == SimTime::ZERO),
        };
        for _ in 0..g.count {
            agents.push(AgentSetup {
                capacity: g.capacity,
                queues: g.queues.clone(),
                on_shift,
            });
        }
    }
    EngineSetup {
        config: sc.engine.clone(),
        workstreams: sc.workstreams.iter().map(|w| w.rules.clone()).collect(),
        queues: sc
            .queues
            .iter()
            .map(|q| QueueSetup {
                workstream: q.workstream,
                method: q.assignment,
                priority: q.priority,
            })
            .collect(),
        agents,
        supervisors: sc
            .supervisors
            .iter()
            .map(|s| SupervisorSetup {
                queues: s.queues.clone(),
                agent: s.agent,
            })
            .collect(),
        open_views: sc.queues.iter().any(|q| {
            q.overflow
                .iter()
                .any(|r| matches!(r.when, crate::scenario::OverflowWhen::WorkItemsOver(_)))
        }),
        skills: SkillSetup {
            enabled: uses_skills(sc),
            agent_skills,
            matching: sc
                .workstreams
                .iter()
                .map(|w| w.routing.skill_matching)
                .collect(),
        },
        rulesets: super::attributes::ruleset_setup(sc),
    }
}

/// Whether the scenario routes by skills: some group holds skills or some work stream
/// classifies. Otherwise the engine routes exactly as without the feature.
pub(crate) fn uses_skills(sc: &Scenario) -> bool {
    !sc.skills.is_empty()
        || sc
            .workstreams
            .iter()
            .any(|w| !w.routing.classification.is_empty())
}

/// Whether the scenario uses unified routing at all (skills, classification, route-to-queue,
/// overflow): only then does `summary.json` carry the routing and overflow figures.
pub(crate) fn uses_routing(sc: &Scenario) -> bool {
    uses_skills(sc)
        || sc.queues.iter().any(|q| {
            !q.overflow.is_empty() || !q.prioritization.is_empty() || !q.assignment_rules.is_empty()
        })
        || sc
            .workstreams
            .iter()
            .any(|w| w.routing.arrivals.is_some() || !w.routing.route_to_queue.is_empty())
}

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
}

/// Every policy and script line, numbered.
#[derive(Clone, Debug)]
pub(crate) struct Sources {
    pub(crate) list: Vec<Source>,
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
                });
            }
            for i in 0..s.script.len() {
                list.push(Source {
                    sup: si,
                    kind: SourceKind::Script(i),
                    cursor: 0,
                });
            }
        }
        Sources { list }
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
