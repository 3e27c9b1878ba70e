//! The mirror against the in-process engine: a [`Shadow`] engine applies every command to a
//! real [`Engine`] and answers every read view from a [`Mirror`] fed only with that engine's
//! effects, asserting at each call that the mirror's answer is the engine's. Whole simulations
//! of bundled scenarios (supervisors, pick mode, reservations, skills, chat) run on it and must
//! measure exactly what the in-process run measures.

use crate::engine::{
    AgentView, Command, ConvId, ConvView, Decision, Effect, Engine, EngineConfig, EngineCounters,
    InvariantBreak, Outcome, RulesEngine,
};
use crate::model::{AgentId, ConvState, QueueId, SupervisorId, WorkstreamRules};
use crate::scenario::{load_file, Scenario};
use crate::service::remote::Mirror;
use crate::setup::{engine_setup, RoutingTags};
use crate::time::SimTime;

use super::super::world::World;
use super::super::RunOptions;

struct Shadow {
    engine: Engine,
    mirror: Mirror,
    fx: Vec<Effect>,
}

impl RulesEngine for Shadow {
    fn apply(&mut self, now: SimTime, cmd: Command, out: &mut Vec<Effect>) -> Outcome {
        self.fx.clear();
        let r = self.engine.apply(now, cmd, &mut self.fx);
        self.mirror.command(&cmd, r.is_ok());
        for e in self.fx.drain(..) {
            let local = self
                .mirror
                .effect(now, e)
                .expect("the mirror follows the engine");
            // The mirror's slot table is the engine's: local ids are the engine's ids.
            assert_eq!(local, e);
            out.push(local);
        }
        r
    }
    fn config(&self) -> &EngineConfig {
        assert_eq!(self.engine.config(), self.mirror.config());
        self.mirror.config()
    }
    fn counters(&self) -> EngineCounters {
        let (e, m) = (self.engine.counters(), self.mirror.counters());
        assert_eq!(
            (e.arrived, e.closed, e.commands),
            (m.arrived, m.closed, m.commands)
        );
        m
    }
    fn live_conversations(&self) -> usize {
        assert_eq!(self.engine.live_conversations(), self.mirror.live());
        self.mirror.live()
    }
    fn agent(&self, id: AgentId) -> AgentView {
        assert_eq!(
            self.engine.agent(id),
            self.mirror.agent(id),
            "agent {}",
            id.0
        );
        self.mirror.agent(id)
    }
    fn members(&self, queue: QueueId) -> &[AgentId] {
        assert_eq!(self.engine.members(queue), self.mirror.members(queue));
        self.mirror.members(queue)
    }
    fn pick_candidates(&self, queue: QueueId) -> impl Iterator<Item = AgentId> + '_ {
        let e: Vec<AgentId> = self.engine.pick_candidates(queue).collect();
        let m: Vec<AgentId> = self.mirror.pick_candidates(queue).collect();
        assert_eq!(e, m, "pick candidates of queue {}", queue.0);
        self.mirror.pick_candidates(queue)
    }
    fn queue_rules(&self, queue: QueueId) -> &WorkstreamRules {
        assert_eq!(
            self.engine.queue_rules(queue),
            self.mirror.queue_rules(queue)
        );
        self.mirror.queue_rules(queue)
    }
    fn conversation(&self, id: ConvId) -> Option<ConvView> {
        assert_eq!(self.engine.conversation(id), self.mirror.conversation(id));
        self.mirror.conversation(id)
    }
    fn is_monitoring(&self, s: SupervisorId, conv: ConvId) -> bool {
        assert_eq!(
            self.engine.is_monitoring(s, conv),
            self.mirror.is_monitoring(s, conv)
        );
        self.mirror.is_monitoring(s, conv)
    }
    fn has_joined(&self, s: SupervisorId, conv: ConvId) -> bool {
        assert_eq!(
            self.engine.has_joined(s, conv),
            self.mirror.has_joined(s, conv)
        );
        self.mirror.has_joined(s, conv)
    }
    fn held_by(&self, agent: AgentId, state: ConvState) -> Vec<ConvId> {
        assert_eq!(
            self.engine.held_by(agent, state),
            self.mirror.held_by(agent, state)
        );
        self.mirror.held_by(agent, state)
    }
    fn open_in(
        &self,
        queue: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_ {
        let e: Vec<ConvId> = self.engine.open_in(queue).collect();
        let m: Vec<ConvId> = self.mirror.open_in(queue).collect();
        assert_eq!(e, m, "open in queue {}", queue.0);
        self.mirror.open_in(queue)
    }
    fn engaged_in(
        &self,
        queue: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_ {
        let e: Vec<ConvId> = self.engine.engaged_in(queue).collect();
        let m: Vec<ConvId> = self.mirror.engaged_in(queue).collect();
        assert_eq!(e, m, "engaged in queue {}", queue.0);
        self.mirror.engaged_in(queue)
    }
    fn routable_count(&self, queue: QueueId) -> usize {
        assert_eq!(
            self.engine.routable_count(queue),
            self.mirror.routable_count(queue)
        );
        self.mirror.routable_count(queue)
    }
    fn open_count(&self, queue: QueueId) -> usize {
        assert_eq!(self.engine.open_count(queue), self.mirror.open_count(queue));
        self.mirror.open_count(queue)
    }
    fn check_invariants(&self) -> Vec<InvariantBreak> {
        assert!(self.mirror.check().is_empty(), "{:?}", self.mirror.check());
        self.engine.check_invariants()
    }
    fn set_explain(&mut self, _on: bool) {}
    fn take_decisions(&mut self, _out: &mut Vec<Decision>) {}
}

fn scenario(path: &str) -> Scenario {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    load_file(&p).expect("a bundled scenario loads")
}

/// The replication's metrics as JSON without the wall-clock decision times.
fn measured(m: &crate::metrics::RepMetrics) -> serde_json::Value {
    let mut v = serde_json::to_value(m).expect("serializes");
    v.as_object_mut().expect("object").remove("decision_ns");
    v
}

fn shadow_run_matches(path: &str, reps: u32) {
    let sc = scenario(path);
    let opts = RunOptions::default();
    for rep in 0..reps.min(sc.replications) {
        let mut engine = Engine::new(engine_setup(&sc));
        let tags = RoutingTags::new(&sc, &mut engine);
        let mirror = Mirror::new(
            &engine,
            sc.agent_count(),
            sc.queues.len(),
            sc.supervisors.len(),
        );
        let shadow = Shadow {
            engine,
            mirror,
            fx: Vec::new(),
        };
        let (got, _, _) = World::with_engine(&sc, rep, &opts, false, shadow, tags)
            .run(&|_, _| {})
            .out;
        let (want, _, _) = World::new(&sc, rep, &opts, false).run(&|_, _| {}).out;
        assert_eq!(measured(&got), measured(&want), "{path} replication {rep}");
    }
}

#[test]
fn the_mirror_answers_as_the_engine_under_supervisors() {
    shadow_run_matches("tests/conformance/rules-monitor-assign.toml", 1);
    shadow_run_matches("scenarios/rules-playbook.toml", 1);
    shadow_run_matches("scenarios/rules-playbook-reserve.toml", 1);
}

#[test]
fn the_mirror_answers_as_the_engine_in_pick_mode_and_chat() {
    shadow_run_matches("scenarios/ci-smoke.toml", 1);
    shadow_run_matches("scenarios/chat-realistic.toml", 1);
    shadow_run_matches("tests/conformance/multichat.toml", 1);
}

#[test]
fn the_mirror_answers_as_the_engine_with_skills_and_shifts() {
    shadow_run_matches("scenarios/bilingual-support.toml", 1);
    shadow_run_matches("scenarios/demo.toml", 1);
}
