//! [`Session`]: one scenario's engine as the service holds it: the engine (rebuilt on reset),
//! its routing tags, the simulated time of the last batch, and the counters `/metrics` shows.
//! Both framings (HTTP and JSON lines) call the same methods, so they answer alike.
//!
//! Nothing a client sends panics the engine: every id of a batch is range-checked before the
//! first command of the batch is applied (a bad batch changes nothing and names the field), and
//! the engine call itself runs under `catch_unwind` as a last guard (a panic poisons the
//! session until `reset`).

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use crate::engine::{AttrId, Effect, Engine, ReqId, RoutingTag};
use crate::scenario::Scenario;
use crate::setup::{engine_setup, RoutingTags};
use crate::time::SimTime;

use super::protocol::{
    Action, BatchResults, CommandBatch, SetupRequest, WireCommand, WireConv, WireError, WireResult,
};
use super::views::SetupView;

/// A refused request: the HTTP status (400 bad value, 404 unknown resource, 409 time went
/// backwards or the session is poisoned, 413 too large) and the wire error.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtoError {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: WireError,
}

impl ProtoError {
    /// A 400 naming `field`.
    pub fn field(field: impl Into<String>, error: impl Into<String>) -> ProtoError {
        ProtoError {
            status: 400,
            body: WireError {
                error: error.into(),
                field: Some(field.into()),
            },
        }
    }

    /// An error with no field to blame.
    pub fn status(status: u16, error: impl Into<String>) -> ProtoError {
        ProtoError {
            status,
            body: WireError {
                error: error.into(),
                field: None,
            },
        }
    }
}

/// Upper bounds (seconds) of the command-latency histogram's buckets.
pub(crate) const LATENCY_BUCKETS: [f64; 8] = [1e-6, 4e-6, 16e-6, 64e-6, 256e-6, 1e-3, 4e-3, 16e-3];

/// The counters of `/metrics`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stats {
    /// Commands applied or refused, by `type`.
    pub(crate) commands: BTreeMap<&'static str, u64>,
    /// Refusals by rule id.
    pub(crate) refusals: BTreeMap<&'static str, u64>,
    /// Latency histogram counts, one per bucket of [`LATENCY_BUCKETS`] plus +Inf.
    pub(crate) latency: [u64; 9],
    /// Sum of command latencies, seconds.
    pub(crate) latency_sum: f64,
    /// Requests refused (4xx).
    pub(crate) bad_requests: u64,
}

/// One scenario's engine as a service. See the module docs of `service::session`.
#[derive(Debug)]
pub struct Session {
    pub(crate) sc: Scenario,
    pub(crate) engine: Engine,
    pub(crate) now: SimTime,
    pub(crate) stats: Stats,
    pub(crate) tags: RoutingTags,
    poisoned: bool,
    buf: Vec<Effect>,
    broken: Option<super::broken::Breakage>,
}

impl Session {
    /// A fresh engine for `sc` (as `omnisim run` builds it: `setup::engine_setup`, then every
    /// routing tag interned).
    pub fn new(sc: Scenario) -> Session {
        let (engine, tags) = fresh(&sc);
        Session {
            sc,
            engine,
            tags,
            now: SimTime::ZERO,
            stats: Stats::default(),
            poisoned: false,
            buf: Vec::new(),
            broken: None,
        }
    }

    /// Test-only: from now on this session answers as an engine that breaks `rule` would
    /// (see `service::broken`). Errors: a rule this wrapper cannot break (the message lists
    /// those it can).
    #[doc(hidden)]
    pub fn break_rule(&mut self, rule: &str) -> Result<(), String> {
        self.broken = Some(super::broken::Breakage::parse(rule)?);
        Ok(())
    }

    /// Back to the start: a fresh engine at simulated time 0 (the counters of `/metrics` keep
    /// counting, as Prometheus counters do).
    pub fn reset(&mut self) {
        (self.engine, self.tags) = fresh(&self.sc);
        self.now = SimTime::ZERO;
        self.poisoned = false;
    }

    /// `POST /v1/setup` (and the `setup` line): with a `scenario` text, validates it (400 with
    /// its diagnostics, `field: "scenario"`, when it does not load; the session is then
    /// unchanged) and serves its engine from now on; without, restarts the current one. Either
    /// way a fresh engine at simulated time 0; answers the setup view.
    pub fn configure(&mut self, req: &SetupRequest) -> Result<SetupView, ProtoError> {
        if let Some(v) = req.v {
            check_version(v)?;
        }
        if let Some(text) = &req.scenario {
            let sc = crate::scenario::load_str(text, "setup.scenario").map_err(|e| {
                ProtoError::field(
                    "scenario",
                    format!("the scenario does not load: {}", e.to_string().trim_end()),
                )
            })?;
            self.sc = sc;
        }
        self.reset();
        Ok(self.setup())
    }

    /// The scenario served.
    pub fn scenario(&self) -> &Scenario {
        &self.sc
    }

    /// The engine (read-only).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Simulated time of the last batch.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Counts a refused request (for `/metrics`).
    pub fn count_bad_request(&mut self) {
        self.stats.bad_requests += 1;
    }

    /// Applies a batch: every command checked first (a bad id refuses the whole batch with its
    /// field, `commands[i].agent`, and changes nothing), then applied in order at `now_ms`.
    /// Errors: 409 if `now_ms` is before the previous batch's, or the session is poisoned.
    pub fn commands(&mut self, batch: &CommandBatch) -> Result<BatchResults, ProtoError> {
        if let Some(v) = batch.v {
            check_version(v)?;
        }
        let now = self.advance(batch.now_ms, "now_ms")?;
        for (i, c) in batch.commands.iter().enumerate() {
            self.check(c, &format!("commands[{i}]"))?;
        }
        self.now = now;
        let mut results = Vec::with_capacity(batch.commands.len());
        for c in &batch.commands {
            results.push(self.apply(c)?);
        }
        Ok(BatchResults { results })
    }

    /// A supervisor action on `conv` (`monitor`, `join` or `assign`), answered like a command.
    pub fn action(
        &mut self,
        kind: &str,
        conv: WireConv,
        a: &Action,
    ) -> Result<WireResult, ProtoError> {
        let (supervisor, conv_) = (a.supervisor, conv);
        let cmd = match kind {
            "monitor" => WireCommand::Monitor {
                supervisor,
                conv: conv_,
            },
            "join" => WireCommand::Join {
                supervisor,
                conv: conv_,
                mode: a.mode.unwrap_or_default(),
            },
            "assign" => match (a.agent, a.queue) {
                (Some(agent), None) => WireCommand::AssignToAgent {
                    supervisor,
                    conv: conv_,
                    agent,
                },
                (None, Some(queue)) => WireCommand::AssignToQueue {
                    supervisor,
                    conv: conv_,
                    queue,
                },
                _ => {
                    return Err(ProtoError::field(
                        "agent",
                        "assign takes exactly one of \"agent\" and \"queue\"",
                    ))
                }
            },
            other => {
                return Err(ProtoError::status(
                    404,
                    format!("unknown action {other:?} (expected monitor, join or assign)"),
                ))
            }
        };
        let now = match a.now_ms {
            Some(ms) => self.advance(ms, "now_ms")?,
            None => self.now,
        };
        self.check(&cmd, "")?;
        self.now = now;
        self.apply(&cmd)
    }

    fn advance(&self, now_ms: u64, field: &str) -> Result<SimTime, ProtoError> {
        if self.poisoned {
            return Err(ProtoError::status(
                409,
                "the engine failed on an earlier command; send reset",
            ));
        }
        if now_ms < self.now.0 {
            return Err(ProtoError {
                status: 409,
                body: WireError {
                    error: format!(
                        "{now_ms} is before the previous batch's {} (simulated time never goes back; reset starts again at 0)",
                        self.now.0
                    ),
                    field: Some(field.into()),
                },
            });
        }
        Ok(SimTime(now_ms))
    }

    /// Range-checks every id of `c` (at key path `at`).
    fn check(&self, c: &WireCommand, at: &str) -> Result<(), ProtoError> {
        let path = |f: &str| {
            if at.is_empty() {
                f.to_string()
            } else {
                format!("{at}.{f}")
            }
        };
        let range = |field: &str, v: u32, n: usize, what: &str| {
            if (v as usize) < n {
                Ok(())
            } else {
                Err(ProtoError::field(
                    path(field),
                    format!(
                        "no {what} {v}: the scenario has {n} (ids 0 to {})",
                        n as i64 - 1
                    ),
                ))
            }
        };
        let (na, nq, ns) = (
            self.engine.agent_count(),
            self.engine.queue_count(),
            self.sc.supervisors.len(),
        );
        let (agent, queue, supervisor) = c.ids();
        if let Some(v) = agent {
            range("agent", v, na, "agent")?;
        }
        if let Some(v) = queue {
            range("queue", v, nq, "queue")?;
        }
        if let Some(v) = supervisor {
            range("supervisor", v, ns, "supervisor")?;
        }
        if let WireCommand::Arrive { tag, .. } = c {
            let t = RoutingTag {
                req: ReqId(tag.req),
                attrs: AttrId(tag.attrs),
            };
            if !self.engine.knows_tag(t) {
                return Err(ProtoError::field(
                    path("tag"),
                    format!(
                        "routing tag {{req: {}, attrs: {}}} was not interned at setup (GET /v1/setup)",
                        tag.req, tag.attrs
                    ),
                ));
            }
        }
        Ok(())
    }

    fn apply(&mut self, c: &WireCommand) -> Result<WireResult, ProtoError> {
        self.buf.clear();
        let (now, cmd) = (self.now, c.to_command());
        let (engine, buf) = (&mut self.engine, &mut self.buf);
        let t0 = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| engine.apply(now, cmd, buf)));
        let dt = t0.elapsed().as_secs_f64();
        let Ok(outcome) = outcome else {
            self.poisoned = true;
            return Err(ProtoError::status(
                500,
                format!("the engine failed on {cmd:?}; send reset"),
            ));
        };
        *self.stats.commands.entry(c.kind()).or_default() += 1;
        if let Err(rule) = outcome {
            *self.stats.refusals.entry(rule.as_str()).or_default() += 1;
        }
        let b = LATENCY_BUCKETS
            .iter()
            .position(|&le| dt <= le)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.stats.latency[b] += 1;
        self.stats.latency_sum += dt;
        let mut result = WireResult::new(outcome, &self.buf);
        if let Some(b) = &self.broken {
            b.alter(c, &mut result);
        }
        Ok(result)
    }
}

/// Refuses a version other than [`VERSION`](super::protocol::VERSION) (400 naming `v`).
pub(crate) fn check_version(v: u32) -> Result<(), ProtoError> {
    if v == super::protocol::VERSION {
        Ok(())
    } else {
        Err(ProtoError::field(
            "v",
            format!(
                "protocol version {v} is not spoken here; this engine speaks {}",
                super::protocol::VERSION
            ),
        ))
    }
}

fn fresh(sc: &Scenario) -> (Engine, RoutingTags) {
    let mut engine = Engine::new(engine_setup(sc));
    let tags = RoutingTags::new(sc, &mut engine);
    (engine, tags)
}
