//! [`RemoteEngine`]: a [`RulesEngine`] whose decisions come from another process, over the
//! protocol (`docs/protocol.md`, "Driving a remote engine"). Every command goes to the remote
//! engine at the driver's simulated time; its answer (effects, or the refusing rule) is what the
//! driver sees. The read views (an agent's units, a queue's Open conversations, …) are answered
//! by a [`Mirror`] built only from the remote's effects and the commands it accepted: nothing
//! here routes or refuses.
//!
//! Key items: [`Link`] (the client, its statistics and the first failure, shared with the
//! caller, which keeps it across replications), [`RemoteEngine`], [`RemoteFailure`].
//!
//! A failure (connection lost, a bad answer, an effect the mirror cannot follow) is recorded
//! once in the [`Link`], the run's stop flag is raised, and from then on the engine answers
//! locally without the remote (an arrival still gets an `Arrived` effect so the driver's
//! bookkeeping holds; every other command is refused `LC-CLOSED`) until the driver stops at its
//! next check. The caller then reports the failure instead of the run's results.

mod mirror;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use hdrhistogram::Histogram;

pub use mirror::{Mirror, MirrorError};

use crate::engine::{
    AgentView, Command, ConvId, ConvView, Decision, Effect, EngineConfig, EngineCounters,
    InvariantBreak, Outcome, RuleId, RulesEngine,
};
use crate::model::{AgentId, ConvState, QueueId, SupervisorId, WorkstreamRules};
use crate::time::SimTime;

use super::client::{Client, ClientError};
use super::protocol::{WireCommand, WireResult};

/// Why a run on a remote engine stopped.
#[derive(Debug, thiserror::Error)]
pub enum RemoteFailure {
    /// Talking to the engine failed (connection, timeout, bad JSON, version, a refused batch).
    #[error("{0}")]
    Client(#[from] ClientError),
    /// The engine's answer to a command cannot be followed.
    #[error("at {now_ms} ms, the answer to {command} is inconsistent: {error}")]
    Effect {
        /// Simulated time of the command.
        now_ms: u64,
        /// The command's wire type (`accept`, …).
        command: &'static str,
        /// What was wrong.
        error: MirrorError,
    },
}

/// Round trips and their wall time.
#[derive(Clone, Debug)]
pub struct LinkStats {
    /// Requests sent (one per batch).
    pub round_trips: u64,
    /// Commands sent.
    pub commands: u64,
    /// Commands sent at the same simulated instant as the command before them (what batching
    /// the commands of one instant could at most save).
    pub same_instant: u64,
    /// Commands sent whose answer never arrived (the engine stopped answering, the run was
    /// stopped while waiting, the connection broke).
    pub unanswered: u64,
    /// Wall-clock nanoseconds spent waiting for answers (request written to answer read).
    pub wire_ns: u64,
    /// Round-trip times, microseconds.
    pub round_trip_us: Histogram<u64>,
    last_now: Option<u64>,
}

impl Default for LinkStats {
    fn default() -> Self {
        LinkStats {
            round_trips: 0,
            commands: 0,
            same_instant: 0,
            unanswered: 0,
            wire_ns: 0,
            // Bounded up front: an auto-resizing histogram's `saturating_record` clamps to its
            // current range (2,047 µs at first) instead of growing.
            round_trip_us: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                .expect("valid bounds and 3 significant digits"),
            last_now: None,
        }
    }
}

/// The connection a run drives, shared between the caller and the replication's
/// [`RemoteEngine`].
#[derive(Debug)]
pub struct Link {
    /// The engine client.
    pub client: Client,
    /// The first failure, if any.
    pub failure: Option<RemoteFailure>,
    /// Round-trip counts and time.
    pub stats: LinkStats,
}

/// A [`Link`] shared by the caller and the engines driving it.
pub type SharedLink = Arc<Mutex<Link>>;

impl Link {
    /// A link over `client`, shareable with [`RemoteEngine::new`].
    pub fn new(client: Client) -> SharedLink {
        Arc::new(Mutex::new(Link {
            client,
            failure: None,
            stats: LinkStats::default(),
        }))
    }

    /// Locks a shared link (a panic elsewhere while it was held does not make it unusable).
    pub fn lock(link: &SharedLink) -> MutexGuard<'_, Link> {
        link.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A remote engine driven in lockstep. See the module docs. A clone drives the same remote
/// engine from a copy of the mirror (the load driver's final read of the state).
#[derive(Clone, Debug)]
pub struct RemoteEngine {
    link: SharedLink,
    mirror: Mirror,
    stop: Option<Arc<AtomicBool>>,
    failed: bool,
    answered: bool,
    phantoms: u32,
    wire: Vec<WireCommand>,
    remote_fx: Vec<Effect>,
}

impl RemoteEngine {
    /// Drives the engine behind `link`, starting from `mirror` (the setup's state); `stop` is
    /// raised on a failure so the driver stops at its next check.
    pub fn new(link: SharedLink, mirror: Mirror, stop: Option<Arc<AtomicBool>>) -> RemoteEngine {
        RemoteEngine {
            link,
            mirror,
            stop,
            failed: false,
            answered: true,
            phantoms: 0,
            wire: Vec::with_capacity(64),
            remote_fx: Vec::with_capacity(64),
        }
    }

    /// The mirrored state.
    pub fn mirror(&self) -> &Mirror {
        &self.mirror
    }

    fn fail(&mut self, f: RemoteFailure) {
        self.failed = true;
        let mut link = Link::lock(&self.link);
        if link.failure.is_none() {
            link.failure = Some(f);
        }
        if let Some(s) = &self.stop {
            s.store(true, Ordering::Relaxed);
        }
    }

    /// After a failure: an arrival gets a local conversation, anything else is refused.
    fn failed_apply(&mut self, now: SimTime, cmd: Command, out: &mut Vec<Effect>) -> Outcome {
        self.mirror.command(&cmd, false);
        if let Command::Arrive(queue, _) = cmd {
            self.phantoms += 1;
            let conv = ConvId {
                slot: u32::MAX,
                gen: self.phantoms,
            };
            if let Ok(e) = self.mirror.effect(now, Effect::Arrived { conv, queue }) {
                out.push(e);
                return Ok(());
            }
        }
        Err(RuleId::LcClosed)
    }

    /// Sends `cmds` as one batch at `now` and appends their effects (local ids) to `out`; `ends`
    /// gets each command's outcome and the end of its effects in `out`. The commands must not
    /// depend on each other's results (no command may name a conversation an earlier one of the
    /// batch creates). On a failure every command is answered as after a failure, and
    /// [`RulesEngine::answered`] is then `false`.
    pub fn apply_batch(
        &mut self,
        now: SimTime,
        cmds: &[Command],
        out: &mut Vec<Effect>,
        ends: &mut Vec<(Outcome, usize)>,
    ) {
        if cmds.is_empty() {
            // Nothing to send (no request: an empty batch is no round trip).
            return;
        }
        if !self.failed {
            // A stop raised before the request means the client sends nothing.
            let sending = !self
                .stop
                .as_ref()
                .is_some_and(|s| s.load(Ordering::Relaxed));
            self.wire.clear();
            for c in cmds {
                self.wire.push(WireCommand::from(self.to_remote(*c)));
            }
            let r = {
                let mut link = Link::lock(&self.link);
                let t0 = Instant::now();
                let r = link.client.commands(now.as_millis(), &self.wire);
                let ns = t0.elapsed().as_nanos() as u64;
                let st = &mut link.stats;
                st.round_trips += 1;
                st.commands += cmds.len() as u64;
                st.same_instant += cmds.len() as u64 - 1; // not empty: checked above
                if st.last_now == Some(now.as_millis()) {
                    st.same_instant += 1;
                }
                st.last_now = Some(now.as_millis());
                st.wire_ns += ns;
                st.round_trip_us.saturating_record((ns / 1000).max(1));
                r
            };
            match r {
                Ok(results) => {
                    for (c, res) in cmds.iter().zip(&results) {
                        let o = self.absorb(now, *c, res, out);
                        ends.push((o, out.len()));
                    }
                    self.answered = !self.failed;
                    return;
                }
                Err(e) => {
                    if sending {
                        Link::lock(&self.link).stats.unanswered += cmds.len() as u64;
                    }
                    self.fail(e.into());
                }
            }
        }
        self.answered = false;
        for c in cmds {
            let o = self.failed_apply(now, *c, out);
            ends.push((o, out.len()));
        }
    }

    /// Follows one command's result: the mirror takes its effects, `out` gets them with local
    /// ids.
    fn absorb(
        &mut self,
        now: SimTime,
        cmd: Command,
        res: &WireResult,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        if self.failed {
            return self.failed_apply(now, cmd, out);
        }
        let mut remote = std::mem::take(&mut self.remote_fx);
        remote.clear();
        let outcome = res.to_outcome(&mut remote);
        self.mirror.command(&cmd, outcome.is_ok());
        let start = out.len();
        let mut bad = None;
        for e in remote.drain(..) {
            match self.mirror.effect(now, e) {
                Ok(local) => out.push(local),
                Err(error) => {
                    bad = Some(error);
                    break;
                }
            }
        }
        self.remote_fx = remote;
        if bad.is_none() && matches!(cmd, Command::Arrive(..)) {
            match (outcome, out.get(start)) {
                (Ok(()), Some(Effect::Arrived { .. })) => {}
                _ => {
                    bad = Some(MirrorError(
                        "an arrival must be answered with effects, the first of them \"arrived\""
                            .into(),
                    ))
                }
            }
        }
        if let Some(error) = bad {
            out.truncate(start);
            self.fail(RemoteFailure::Effect {
                now_ms: now.as_millis(),
                command: WireCommand::from(cmd).kind(),
                error,
            });
            return self.failed_apply(now, cmd, out);
        }
        outcome
    }

    /// The command with remote conversation ids.
    fn to_remote(&self, cmd: Command) -> Command {
        let m = |c: ConvId| self.mirror.remote_id(c);
        match cmd {
            Command::Accept(c, i) => Command::Accept(m(c), i),
            Command::Reject(c, i) => Command::Reject(m(c), i),
            Command::Timeout(c, i) => Command::Timeout(m(c), i),
            Command::End(c) => Command::End(m(c)),
            Command::ReleaseWrapUp(c) => Command::ReleaseWrapUp(m(c)),
            Command::Close(c) => Command::Close(m(c)),
            Command::SetWaiting(c) => Command::SetWaiting(m(c)),
            Command::Resume(c) => Command::Resume(m(c)),
            Command::CustomerReturn(c) => Command::CustomerReturn(m(c)),
            Command::Release(c) => Command::Release(m(c)),
            Command::TransferToQueue(c, q) => Command::TransferToQueue(m(c), q),
            Command::OverflowTransfer(c, q) => Command::OverflowTransfer(m(c), q),
            Command::OverflowEnd(c) => Command::OverflowEnd(m(c)),
            Command::Abandon(c) => Command::Abandon(m(c)),
            Command::AutoClose(c) => Command::AutoClose(m(c)),
            Command::Monitor(s, c) => Command::Monitor(s, m(c)),
            Command::Join(s, c, mode) => Command::Join(s, m(c), mode),
            Command::AssignToAgent(s, c, a) => Command::AssignToAgent(s, m(c), a),
            Command::AssignToQueue(s, c, q) => Command::AssignToQueue(s, m(c), q),
            Command::Transfer(s, c, a) => Command::Transfer(s, m(c), a),
            Command::ForceClose(s, c) => Command::ForceClose(s, m(c)),
            Command::Arrive(..)
            | Command::Pick(_)
            | Command::SetPresence(..)
            | Command::JoinQueue(..)
            | Command::LeaveQueue(..) => cmd,
        }
    }
}

impl RulesEngine for RemoteEngine {
    const BATCHES: bool = true;
    const MEMORY_ONLY: bool = false;

    /// One command, one round trip (the simulator needs each command's effects before its next
    /// step; see `apply_all` for independent commands).
    fn apply(&mut self, now: SimTime, cmd: Command, out: &mut Vec<Effect>) -> Outcome {
        let mut ends = Vec::with_capacity(1);
        self.apply_batch(now, std::slice::from_ref(&cmd), out, &mut ends);
        ends[0].0
    }
    /// One round trip for the whole batch (see [`RemoteEngine::apply_batch`]).
    fn apply_all(
        &mut self,
        now: SimTime,
        cmds: &[Command],
        out: &mut Vec<Effect>,
        ends: &mut Vec<(Outcome, usize)>,
    ) {
        self.apply_batch(now, cmds, out, ends);
    }
    fn answered(&self) -> bool {
        self.answered
    }
    fn config(&self) -> &EngineConfig {
        self.mirror.config()
    }
    /// The mirror's counters, without the stand-in conversations of arrivals answered after a
    /// failure or a stop (the engine never had them).
    fn counters(&self) -> EngineCounters {
        let mut k = self.mirror.counters();
        k.arrived = k.arrived.saturating_sub(u64::from(self.phantoms));
        k
    }
    /// Live conversations the engine answered for (stand-ins left out, as in `counters`: they
    /// never close).
    fn live_conversations(&self) -> usize {
        self.mirror.live().saturating_sub(self.phantoms as usize)
    }
    fn agent(&self, id: AgentId) -> AgentView {
        self.mirror.agent(id)
    }
    fn members(&self, queue: QueueId) -> &[AgentId] {
        self.mirror.members(queue)
    }
    fn pick_candidates(&self, queue: QueueId) -> impl Iterator<Item = AgentId> + '_ {
        self.mirror.pick_candidates(queue)
    }
    fn queue_rules(&self, queue: QueueId) -> &WorkstreamRules {
        self.mirror.queue_rules(queue)
    }
    fn conversation(&self, id: ConvId) -> Option<ConvView> {
        self.mirror.conversation(id)
    }
    fn is_monitoring(&self, supervisor: SupervisorId, conv: ConvId) -> bool {
        self.mirror.is_monitoring(supervisor, conv)
    }
    fn has_joined(&self, supervisor: SupervisorId, conv: ConvId) -> bool {
        self.mirror.has_joined(supervisor, conv)
    }
    fn held_by(&self, agent: AgentId, state: ConvState) -> Vec<ConvId> {
        self.mirror.held_by(agent, state)
    }
    fn open_in(
        &self,
        queue: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_ {
        self.mirror.open_in(queue)
    }
    fn engaged_in(
        &self,
        queue: QueueId,
    ) -> impl DoubleEndedIterator<Item = ConvId> + ExactSizeIterator + '_ {
        self.mirror.engaged_in(queue)
    }
    fn routable_count(&self, queue: QueueId) -> usize {
        self.mirror.routable_count(queue)
    }
    fn open_count(&self, queue: QueueId) -> usize {
        self.mirror.open_count(queue)
    }
    /// The mirror's own conservation checks (the remote's internals are its own).
    fn check_invariants(&self) -> Vec<InvariantBreak> {
        if self.failed {
            return Vec::new();
        }
        self.mirror
            .check()
            .into_iter()
            .map(InvariantBreak)
            .collect()
    }
    /// Routing decisions are the remote's: none are recorded here.
    fn set_explain(&mut self, _on: bool) {}
    fn take_decisions(&mut self, _out: &mut Vec<Decision>) {}
}

#[cfg(test)]
mod tests;
