//! [`SharedEngine`]: the rules engine behind a concurrency-safe handle, as a service would hold it.
//!
//! One [`Engine`] sits behind a `std::sync::Mutex`. Callers lock once per *batch* of commands
//! ([`SharedEngine::lock`] → [`EngineGuard`]) so the lock is taken thousands of times per second
//! rather than once per command (see `reports/load.md` for the figures that chose this design).
//! The engine's `now` is the wall time since the handle was built, scaled by `speed`, and never
//! goes back even when callers race.
//!
//! Concurrency rules it guarantees:
//! - Every command is applied whole under the lock, so two agents or supervisors racing on one
//!   conversation see one outcome: an accept and a timeout of the same invitation → one
//!   succeeds, the other is refused (LC-OPEN-ACTIVE or RT-INVITE).
//! - Two supervisors assigning the same Open conversation at once: the engine refuses the
//!   second with ASSIGN-STATE (a supervisor invitation is already pending), so exactly one wins.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::engine::{Command, ConvId, Effect, Engine, Outcome, RulesEngine};
use crate::model::{AgentId, SupervisorId};
use crate::time::SimTime;

/// The wall clock of a load run: nanoseconds since its start.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: Instant,
}

impl Clock {
    /// A clock starting now.
    pub fn new() -> Clock {
        Clock {
            start: Instant::now(),
        }
    }

    /// Nanoseconds since the start.
    #[inline]
    pub fn ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// The instant `ns` nanoseconds after the start.
    pub fn at(&self, ns: u64) -> Instant {
        self.start + Duration::from_nanos(ns)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

#[derive(Debug)]
struct Core<E> {
    engine: E,
    now: SimTime,
}

/// The engine behind a mutex, with a scaled wall clock. See the module docs of `load::shared`.
/// Generic over the engine ([`RulesEngine`]); the in-process [`Engine`] by default.
#[derive(Debug)]
pub struct SharedEngine<E = Engine> {
    core: Mutex<Core<E>>,
    clock: Clock,
    speed: f64,
    /// Artificial extra cost per command (busy wait), to model a slow engine in tests.
    delay: Duration,
}

impl<E: RulesEngine> SharedEngine<E> {
    /// Wraps `engine`; scenario time runs `speed` times faster than the wall clock.
    pub fn new(engine: E, clock: Clock, speed: f64) -> SharedEngine<E> {
        SharedEngine {
            core: Mutex::new(Core {
                engine,
                now: SimTime::ZERO,
            }),
            clock,
            speed,
            delay: Duration::ZERO,
        }
    }

    /// Adds an artificial cost to every command (a busy wait under the lock), to model an engine
    /// with a tiny capacity. For overload tests and demonstrations.
    pub fn with_delay(mut self, delay: Duration) -> SharedEngine<E> {
        self.delay = delay;
        self
    }

    /// The run's clock.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Takes the lock and advances the engine's `now` to the scaled wall time.
    pub fn lock(&self) -> EngineGuard<'_, E> {
        let mut g = self.core.lock().unwrap_or_else(|p| p.into_inner());
        let t = SimTime((self.clock.ns() as f64 * self.speed / 1e6) as u64);
        if t > g.now {
            g.now = t;
        }
        EngineGuard {
            core: g,
            delay: self.delay,
        }
    }

    /// One command under its own lock (convenient; batches should use [`SharedEngine::lock`]).
    pub fn apply(&self, cmd: Command, out: &mut Vec<Effect>) -> Outcome {
        self.lock().apply(cmd, out)
    }

    /// The engine, once every task is done with the handle.
    pub fn into_engine(self) -> E {
        self.core
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .engine
    }
}

/// The engine, locked: apply a batch of commands, read its state.
#[derive(Debug)]
pub struct EngineGuard<'a, E = Engine> {
    core: MutexGuard<'a, Core<E>>,
    delay: Duration,
}

impl<E: RulesEngine> EngineGuard<'_, E> {
    /// The engine's `now` for this batch.
    pub fn now(&self) -> SimTime {
        self.core.now
    }

    /// Read access to the engine.
    pub fn engine(&self) -> &E {
        &self.core.engine
    }

    /// Applies one command at this batch's `now`.
    #[inline]
    pub fn apply(&mut self, cmd: Command, out: &mut Vec<Effect>) -> Outcome {
        if !self.delay.is_zero() {
            let t0 = Instant::now();
            while t0.elapsed() < self.delay {
                std::hint::spin_loop();
            }
        }
        let now = self.core.now;
        self.core.engine.apply(now, cmd, out)
    }

    /// Applies commands that do not depend on each other's results at this batch's `now`
    /// ([`RulesEngine::apply_all`]: one round trip for a remote engine).
    pub fn apply_all(
        &mut self,
        cmds: &[Command],
        out: &mut Vec<Effect>,
        ends: &mut Vec<(Outcome, usize)>,
    ) {
        let now = self.core.now;
        self.core.engine.apply_all(now, cmds, out, ends);
    }

    /// A supervisor assigns `conv` to `agent` only if nobody has claimed it yet: refused with
    /// ASSIGN-STATE when it is no longer Open or already has a pending invitation (routing's or
    /// another supervisor's); otherwise the engine judges the assignment as usual.
    pub fn assign_unclaimed(
        &mut self,
        sup: SupervisorId,
        conv: ConvId,
        agent: AgentId,
        out: &mut Vec<Effect>,
    ) -> Outcome {
        // The engine refuses (ASSIGN-STATE) a conversation another supervisor's assignment has
        // already claimed, so the race is settled by the same rule as in the simulator.
        self.apply(Command::AssignToAgent(sup, conv, agent), out)
    }
}
