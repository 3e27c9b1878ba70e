//! From a validated scenario to a rules engine ready to drive: the layer below every driver of
//! the engine (the simulator [`crate::sim`] and the load driver [`crate::load`]), so both build
//! the same engine and send it the same arrivals.
//!
//! Key items: `engine_setup` (the scenario's [`EngineSetup`]), [`RoutingTags`] (every routing
//! tag an arrival can carry, interned into the engine once, before the first command),
//! `draw_attributes` (a contact's attribute values), `uses_skills`, `uses_routing`.
//!
//! Layering: this module reads `scenario`, `engine`, `model`, `rng` and `time`; it never reads
//! `sim`, `load`, `report` or `cli` (see ARCHITECTURE.md).

mod attributes;
mod tags;

pub(crate) use attributes::{draw_attributes, ruleset_setup, used};
pub use tags::{RoutingTags, MAX_TAGGED_COMBINATIONS};

use crate::engine::{AgentSetup, Engine, EngineSetup, QueueSetup, SkillSetup, SupervisorSetup};
use crate::scenario::Scenario;
use crate::time::SimTime;

/// The scenario's engine built from [`engine_setup`]; or, when `stop` answers `true` while it is
/// built (a signal during the seconds a center of thousands of queues takes to set up), an
/// engine with the same agents and queues and no memberships, built at once, for a run that
/// reports itself stopped before its first event (see [`Engine::new_until`]).
pub(crate) fn engine_or_hollow(sc: &Scenario, stop: &dyn Fn() -> bool) -> Engine {
    // Stopped already (a signal while a large center was read): the build would give up at
    // its first question (one per queue, one per `STOP_STEP` agents), so the hollow engine at
    // once, without first building a setup only to drop it (a center the build would finish,
    // no queue and few agents, is still built whole, as before).
    let asked = sc.agent_count() >= crate::engine::STOP_STEP || !sc.queues.is_empty();
    let gives_up = asked && stop();
    let full = (!gives_up).then(|| Engine::new_until(engine_setup(sc), stop));
    full.flatten().unwrap_or_else(|| {
        let mut setup = engine_setup(sc);
        for a in &mut setup.agents {
            a.queues.clear();
        }
        Engine::new(setup)
    })
}

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
        rulesets: ruleset_setup(sc),
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

#[cfg(test)]
thread_local! {
    /// Test-only: how many times this thread asked [`uses_routing`], each a walk over every
    /// queue and work stream (a report asking it once per queue cost Q², issue 25).
    pub(crate) static ROUTING_WALKS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Whether the scenario uses unified routing at all (skills, classification, route-to-queue,
/// overflow): only then does `summary.json` carry the routing and overflow figures.
pub(crate) fn uses_routing(sc: &Scenario) -> bool {
    #[cfg(test)]
    ROUTING_WALKS.with(|n| n.set(n.get() + 1));
    uses_skills(sc)
        || sc.queues.iter().any(|q| {
            !q.overflow.is_empty() || !q.prioritization.is_empty() || !q.assignment_rules.is_empty()
        })
        || sc
            .workstreams
            .iter()
            .any(|w| w.routing.arrivals.is_some() || !w.routing.route_to_queue.is_empty())
}
