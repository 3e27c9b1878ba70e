//! [`Client`]: the one client of a remote rules engine, speaking protocol v1
//! (`docs/protocol.md`) over HTTP/1.1 (`http://HOST:PORT`) or as JSON lines to a subprocess it
//! starts (`cmd:PROGRAM ARGS`, e.g. `cmd:omnisim serve scenario.toml --stdio`). `omnisim
//! conform` (raw JSON answers, the case's own scenario) and `run --engine` / `load --engine`
//! (typed results, the engine's setup compared with the scenario's) are both built on it.
//!
//! Key items: [`EngineSpec`] (what `--engine` names; [`SpecError`]), [`Client::connect`]
//! (start or connect, then check the protocol version), [`Client::start`] (without the check),
//! [`Client::setup`] / [`Client::check_setup`], [`Client::reset`], [`Client::commands`] (typed)
//! and [`Client::commands_raw`] (JSON values), [`Client::metrics`], [`ClientError`].
//!
//! The client is synchronous and keeps one connection (`transport`). Every answer is awaited
//! at most [`Client::timeout`] ([`DEFAULT_TIMEOUT`], 30 s), so an engine that hangs is a
//! [`ClientError::Timeout`], never a hang; nothing here panics on what an engine answers. A
//! subprocess the client started runs in a process group of its own, and is stopped when the
//! client is dropped (standard input closed, then the whole group killed if the engine has not
//! exited within a second, at once once the stop flag is set, so a wrapper script's child goes
//! too); a second signal, which ends omnisim at once, kills every such group first
//! ([`kill_engine_groups`], called by the signal handler). With a stop flag
//! ([`Client::set_stop`], or from the start [`Client::connect_stoppable`]) a wait for an answer
//! ends within a tenth of a second once the flag is set, and no request is sent once it is set
//! ([`ClientError::Interrupted`]; a subprocess engine's group is killed at once), so a stop ends
//! a run at its next command however fast the engine answers.

mod groups;
mod transport;

pub use groups::kill_all as kill_engine_groups;

use std::io;
use std::time::Duration;

use serde_json::{json, Value};

use super::protocol::{
    why_not_results, BatchResults, CommandBatch, WireCommand, WireError, WireResult, VERSION,
};
use super::SetupView;
use transport::{HttpConn, LinesConn, Transport};

/// How long a client waits for one answer unless told otherwise: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the engine is: what `--engine` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineSpec {
    /// An HTTP engine: `http://HOST:PORT[/PREFIX]` (requests go to `PREFIX/v1/…`; an optional
    /// trailing `/`; HTTPS is not spoken).
    Http {
        /// `HOST:PORT`.
        authority: String,
        /// The path prefix without a trailing slash (usually empty).
        prefix: String,
    },
    /// A subprocess speaking JSON lines: `cmd:PROGRAM ARGS`, the program and its arguments
    /// split at white space (no quoting).
    Command(Vec<String>),
}

/// An engine spec that is neither `http://HOST:PORT` nor `cmd:PROGRAM ARGS`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{spec:?}: {why}; expected http://HOST:PORT (e.g. http://127.0.0.1:7070) or \"cmd:PROGRAM ARGS\" (a subprocess speaking JSON lines, e.g. \"cmd:omnisim serve s.toml --stdio\")")]
pub struct SpecError {
    /// The spec given.
    pub spec: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl EngineSpec {
    /// Reads an engine spec. Errors: [`SpecError`] saying what is wrong and what was expected.
    pub fn parse(s: &str) -> Result<EngineSpec, SpecError> {
        let s = s.trim();
        let bad = |why| SpecError {
            spec: s.to_string(),
            why,
        };
        if let Some(rest) = s.strip_prefix("cmd:") {
            let argv: Vec<String> = rest.split_whitespace().map(str::to_string).collect();
            if argv.is_empty() {
                return Err(bad("no program after cmd:"));
            }
            return Ok(EngineSpec::Command(argv));
        }
        if let Some(rest) = s.strip_prefix("http://") {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let Some((host, port)) = authority.rsplit_once(':') else {
                return Err(bad("no port (http://HOST:PORT)"));
            };
            if host.is_empty() || port.parse::<u16>().is_err() {
                return Err(bad("HOST:PORT needs a host and a port from 0 to 65535"));
            }
            return Ok(EngineSpec::Http {
                authority: authority.to_string(),
                prefix: path.trim_end_matches('/').to_string(),
            });
        }
        if s.starts_with("https://") {
            return Err(bad("HTTPS is not spoken (engines listen on loopback http)"));
        }
        Err(bad("unknown scheme"))
    }
}

impl std::fmt::Display for EngineSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineSpec::Http { authority, prefix } => write!(f, "http://{authority}{prefix}"),
            EngineSpec::Command(argv) => write!(f, "cmd:{}", argv.join(" ")),
        }
    }
}

/// Why talking to the engine failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The engine could not be reached or started: check the address or the program.
    #[error("cannot reach the engine at {spec}: {source}")]
    Connect {
        /// The engine.
        spec: String,
        /// The I/O error (it names the program or the address).
        source: io::Error,
    },
    /// The connection broke mid-exchange (the engine closed it or exited).
    #[error("the engine connection broke during {op}: {source}")]
    Io {
        /// The request under way.
        op: String,
        /// The I/O error.
        source: io::Error,
    },
    /// No answer within the timeout.
    #[error("the engine did not answer {op} within {secs} s")]
    Timeout {
        /// The request under way.
        op: String,
        /// The timeout, seconds.
        secs: u64,
    },
    /// An answer that is not the JSON the protocol defines.
    #[error("bad answer to {op}: {detail}")]
    BadAnswer {
        /// The request under way.
        op: String,
        /// What was wrong.
        detail: String,
    },
    /// The engine speaks another protocol version.
    #[error("the engine speaks protocol version {found}; this omnisim speaks {VERSION}")]
    Version {
        /// The version the engine reported.
        found: String,
    },
    /// The engine refused the request (HTTP 4xx/5xx or an error line), with its reason.
    #[error("the engine refused {op} (status {status}): {error}{}", field.as_ref().map(|f| format!(" [field {f}]")).unwrap_or_default())]
    Refused {
        /// The request.
        op: String,
        /// HTTP status (400 for a JSON-lines error).
        status: u16,
        /// The engine's message.
        error: String,
        /// The key path it blamed.
        field: Option<String>,
    },
    /// The engine's setup differs from the scenario's.
    #[error("the engine's setup differs from the scenario: {0}")]
    Setup(String),
    /// The stop flag ([`Client::set_stop`]: SIGINT, SIGTERM) was set while waiting for the
    /// answer; a subprocess engine (its whole process group) was killed.
    #[error("interrupted while waiting for the answer to {op}")]
    Interrupted {
        /// The request under way.
        op: String,
    },
}

impl ClientError {
    /// Whether the connection may be out of step after this error (everything but a refusal
    /// or a setup that differs): a caller that goes on should connect again.
    pub fn loses_the_engine(&self) -> bool {
        !matches!(self, ClientError::Refused { .. } | ClientError::Setup(_))
    }
}

/// A connection to one engine. See the module docs.
#[derive(Debug)]
pub struct Client {
    spec: EngineSpec,
    conn: Transport,
    /// Longest wait for one answer.
    pub timeout: Duration,
    body: Vec<u8>,
    stop: Option<Stop>,
}

impl Drop for Client {
    /// A subprocess engine is given a second to exit after end of input, less once the stop
    /// flag is set (then it is killed at once); its whole group is killed either way.
    fn drop(&mut self) {
        if let Transport::Lines(l) = &mut self.conn {
            l.close(self.stop.as_ref());
        }
    }
}

/// A stop request (set by a signal handler): a wait for an answer looks at it every 50 ms.
pub type Stop = std::sync::Arc<std::sync::atomic::AtomicBool>;

impl Client {
    /// Starts (or connects to) the engine and checks it speaks protocol version 1 (its health
    /// object's `v`). Errors: [`ClientError::Connect`], [`ClientError::Version`], or any error
    /// of the health request.
    pub fn connect(spec: &EngineSpec) -> Result<Client, ClientError> {
        Client::connect_stoppable(spec, None)
    }

    /// As [`Client::connect`], with the stop flag `stop` set before the first wait (see
    /// [`Client::set_stop`]): a stop during the health request ends it within a tenth of a
    /// second with [`ClientError::Interrupted`], a subprocess engine killed (its whole process
    /// group) and reaped. Errors: as [`Client::connect`], and [`ClientError::Interrupted`].
    pub fn connect_stoppable(spec: &EngineSpec, stop: Option<Stop>) -> Result<Client, ClientError> {
        let mut c = Client::start(spec, DEFAULT_TIMEOUT)?;
        if let Some(s) = stop {
            c.set_stop(s);
        }
        let health = c.value("health", "GET", "/v1/health", b"")?;
        match health.get("v").and_then(Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => Ok(c),
            other => Err(ClientError::Version {
                found: other.map_or_else(|| "none (no \"v\" in health)".into(), |v| v.to_string()),
            }),
        }
    }

    /// Starts the subprocess or opens the first connection, with no request yet (no version
    /// check: `omnisim conform` judges every answer case by case); answers are awaited at most
    /// `timeout`. Errors: [`ClientError::Connect`] naming the program or the address.
    pub fn start(spec: &EngineSpec, timeout: Duration) -> Result<Client, ClientError> {
        let conn = match spec {
            EngineSpec::Http { authority, .. } => {
                HttpConn::open(authority, timeout).map(Transport::Http)
            }
            EngineSpec::Command(argv) => LinesConn::start(argv).map(Transport::Lines),
        }
        .map_err(|source| ClientError::Connect {
            spec: spec.to_string(),
            source,
        })?;
        Ok(Client {
            spec: spec.clone(),
            conn,
            timeout,
            body: Vec::with_capacity(4096),
            stop: None,
        })
    }

    /// Ends every later wait for an answer soon after `stop` is set, with
    /// [`ClientError::Interrupted`] (a subprocess engine is killed then).
    pub fn set_stop(&mut self, stop: Stop) {
        self.stop = Some(stop);
    }

    /// The engine this client speaks to.
    pub fn spec(&self) -> &EngineSpec {
        &self.spec
    }

    /// Sets the engine up with `scenario` (TOML text; `None`: the engine's own configuration)
    /// and answers its setup view as JSON (`{ "queues", "agents", "supervisors", "tags", … }`).
    /// The engine is fresh at simulated time 0 afterwards. Errors: any [`ClientError`].
    pub fn setup(&mut self, scenario: Option<&str>) -> Result<Value, ClientError> {
        let body = match scenario {
            Some(text) => json!({ "v": 1, "scenario": text }),
            None => json!({ "v": 1 }),
        };
        self.value("setup", "POST", "/v1/setup", body.to_string().as_bytes())
    }

    /// Sets the engine up with its own configuration and checks that setup against
    /// `expected`: the same queues, agents and supervisors (ids, names, capacities,
    /// memberships). Errors: [`ClientError::Setup`] naming the first difference, or any error
    /// of the request.
    pub fn check_setup(&mut self, expected: &SetupView) -> Result<(), ClientError> {
        let got = self.setup(None)?;
        let want = serde_json::to_value(expected).map_err(|e| ClientError::Setup(e.to_string()))?;
        for key in ["queues", "agents", "supervisors"] {
            let (g, w) = (got.get(key), want.get(key));
            if g != w {
                let n = |v: Option<&Value>| v.and_then(Value::as_array).map_or(0, Vec::len);
                return Err(ClientError::Setup(format!(
                    "{key}: the engine has {} , the scenario {} (or they differ in ids, names or queues)",
                    n(g),
                    n(w)
                )));
            }
        }
        Ok(())
    }

    /// Back to the start: a fresh engine at simulated time 0, same configuration.
    pub fn reset(&mut self) -> Result<(), ClientError> {
        self.value("reset", "POST", "/v1/reset", b"").map(|_| ())
    }

    /// The engine's Prometheus text (`GET /metrics`, or the `metrics` JSON line's string).
    pub fn metrics(&mut self) -> Result<String, ClientError> {
        if matches!(self.conn, Transport::Lines(_)) {
            let v = self.value("metrics", "GET", "/metrics", b"")?;
            return v
                .get("metrics")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| ClientError::BadAnswer {
                    op: "metrics".into(),
                    detail: "expected {\"metrics\": \"<Prometheus text>\"}".into(),
                });
        }
        let (status, body) = self.exchange("metrics", "GET", "/metrics", b"")?;
        let text = String::from_utf8_lossy(&body).into_owned();
        if status != 200 {
            return Err(ClientError::Refused {
                op: "metrics".into(),
                status,
                error: text,
                field: None,
            });
        }
        Ok(text)
    }

    /// Applies `cmds` in order at simulated time `now_ms` and returns one result per command.
    /// Unknown fields and effects of types this version does not know are ignored (v1 grows
    /// by them, `docs/protocol.md`). Errors: any [`ClientError`]; a result count that differs
    /// from the command count, or a result that does not read, is [`ClientError::BadAnswer`]
    /// naming each problem's path (`results[2].effects[0] (invited): missing field …`).
    pub fn commands(
        &mut self,
        now_ms: u64,
        cmds: &[WireCommand],
    ) -> Result<Vec<WireResult>, ClientError> {
        let r: BatchResults = self.batch(now_ms, cmds, |c, status, answer| {
            if status == 200 && !answer.starts_with(b"{\"error\"") {
                if let Ok(t) = serde_json::from_slice(answer) {
                    return Ok(t);
                }
            }
            let v = c.judge("commands", status, answer)?;
            Err(ClientError::BadAnswer {
                op: "commands".into(),
                detail: why_not_results(&v),
            })
        })?;
        Ok(r.results)
    }

    /// As [`Client::commands`], the results as raw JSON values (`{ "effects": [...] }` or
    /// `{ "refused": "RULE-ID" }`), for a caller that judges fields itself.
    pub fn commands_raw(
        &mut self,
        now_ms: u64,
        cmds: &[WireCommand],
    ) -> Result<Vec<Value>, ClientError> {
        self.batch(now_ms, cmds, |c, status, answer| {
            let mut v = c.judge("commands", status, answer)?;
            match v.get_mut("results").map(Value::take) {
                Some(Value::Array(results)) => Ok(results),
                _ => Err(ClientError::BadAnswer {
                    op: "commands".into(),
                    detail: format!("no \"results\" array in {}", shown(answer)),
                }),
            }
        })
    }

    /// Sends one command batch and reads the answer with `read`; checks one result per
    /// command.
    fn batch<T: HasLen>(
        &mut self,
        now_ms: u64,
        cmds: &[WireCommand],
        read: impl FnOnce(&Client, u16, &[u8]) -> Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        let batch = CommandBatch {
            v: None,
            now_ms,
            commands: cmds.to_vec(),
        };
        let mut body = std::mem::take(&mut self.body);
        body.clear();
        let r = serde_json::to_writer(&mut body, &batch)
            .map_err(|e| ClientError::BadAnswer {
                op: "commands".into(),
                detail: format!("the batch does not serialize: {e}"),
            })
            .and_then(|()| self.exchange("commands", "POST", "/v1/commands", &body));
        self.body = body;
        let (status, answer) = r?;
        let out = read(self, status, &answer)?;
        if out.len() != cmds.len() {
            return Err(ClientError::BadAnswer {
                op: "commands".into(),
                detail: format!(
                    "{} results for {} commands (one per command expected)",
                    out.len(),
                    cmds.len()
                ),
            });
        }
        Ok(out)
    }

    /// One request answered by a JSON value; an error object is [`ClientError::Refused`].
    fn value(
        &mut self,
        op: &str,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<Value, ClientError> {
        let (status, answer) = self.exchange(op, method, path, body)?;
        self.judge(op, status, &answer)
    }

    /// Reads `answer` as JSON: a refusal when the status is not 200 or the answer is an error
    /// object (`{ "error": …, "field": … }`).
    fn judge(&self, op: &str, status: u16, answer: &[u8]) -> Result<Value, ClientError> {
        let v: Value = serde_json::from_slice(answer).map_err(|e| bad_json(op, answer, &e))?;
        if status != 200 || v.get("error").is_some_and(Value::is_string) {
            let e: WireError = serde_json::from_value(v).map_err(|e| ClientError::BadAnswer {
                op: op.into(),
                detail: format!("status {status} with a body that is not an error object: {e}"),
            })?;
            return Err(refused(op, status, e));
        }
        Ok(v)
    }

    /// One exchange on the transport: over HTTP `method PREFIX+path` with `body`; as a JSON
    /// line, `{"op": op}` with the fields of `body`. Answers (status, body bytes).
    fn exchange(
        &mut self,
        op: &str,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<(u16, Vec<u8>), ClientError> {
        let timeout = self.timeout;
        let stop = self.stop.as_ref();
        let r = match &mut self.conn {
            Transport::Http(h) => {
                let prefix = match &self.spec {
                    EngineSpec::Http { prefix, .. } => prefix.as_str(),
                    EngineSpec::Command(_) => "",
                };
                if prefix.is_empty() {
                    h.exchange(method, path, body, stop)
                } else {
                    h.exchange(method, &format!("{prefix}{path}"), body, stop)
                }
            }
            Transport::Lines(l) => l.exchange(op, body, timeout, stop).map(|a| (200, a)),
        };
        r.map_err(|source| {
            if source.kind() == io::ErrorKind::Interrupted {
                ClientError::Interrupted { op: op.into() }
            } else if matches!(
                source.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) {
                ClientError::Timeout {
                    op: op.into(),
                    secs: timeout.as_secs(),
                }
            } else {
                ClientError::Io {
                    op: op.into(),
                    source,
                }
            }
        })
    }
}

/// A batch's results: one per command.
trait HasLen {
    fn len(&self) -> usize;
}

impl HasLen for BatchResults {
    fn len(&self) -> usize {
        self.results.len()
    }
}

impl HasLen for Vec<Value> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

fn refused(op: &str, status: u16, e: WireError) -> ClientError {
    ClientError::Refused {
        op: op.into(),
        status: if status == 200 { 400 } else { status },
        error: e.error,
        field: e.field,
    }
}

/// The first 200 characters of an answer.
fn shown(answer: &[u8]) -> String {
    String::from_utf8_lossy(answer).chars().take(200).collect()
}

fn bad_json(op: &str, answer: &[u8], e: &serde_json::Error) -> ClientError {
    ClientError::BadAnswer {
        op: op.into(),
        detail: format!("not JSON ({e}): {}", shown(answer)),
    }
}

#[cfg(test)]
mod tests;
