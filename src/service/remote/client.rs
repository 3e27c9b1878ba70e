//! The lockstep engine client of `run --engine` and `load --engine` (typed: `WireCommand` in,
//! `WireResult` out, the setup compared with the local one; `omnisim conform` uses the untyped
//! [`crate::service::client`]; the two are to be unified). It speaks protocol v1 (`docs/protocol.md`) to an engine over HTTP/1.1
//! (`http://127.0.0.1:7070`) or as JSON lines to a subprocess it starts
//! (`cmd:omnisim serve scenario.toml --stdio`).
//!
//! Key items: [`EngineSpec`] (what `--engine` names), [`Client`] (`connect`, `setup`, `reset`,
//! `commands`), [`ClientError`].
//!
//! The client is synchronous and keeps one connection: HTTP/1.1 with keep-alive on one TCP
//! stream (`TCP_NODELAY`), or the subprocess's standard input and output. Every answer is
//! awaited at most [`Client::timeout`] (30 s by default), so an engine that hangs ends the run
//! with [`ClientError::Timeout`], never a hang. A subprocess the client started is stopped when
//! the client is dropped (standard input closed, then killed if it has not exited within a
//! second).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::{Child, ChildStdin, Command as Process, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::service::protocol::{
    BatchResults, CommandBatch, WireCommand, WireError, WireResult, VERSION,
};
use crate::service::SetupView;

/// Most bytes of an answer read (as the server's own request limit).
const MAX_ANSWER: usize = 64 << 20;

/// Where the engine is: what `--engine` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineSpec {
    /// An HTTP engine: `http://HOST:PORT` (an optional trailing `/`; HTTPS is not spoken).
    Http(String),
    /// A subprocess speaking JSON lines: `cmd:PROGRAM ARGS`, the program and its arguments
    /// split at white space (no quoting).
    Command(Vec<String>),
}

impl EngineSpec {
    /// Reads an `--engine` value: `http://HOST:PORT` or `cmd:PROGRAM ARGS`. Errors: a message
    /// saying what was expected.
    pub fn parse(s: &str) -> Result<EngineSpec, String> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("cmd:") {
            let argv: Vec<String> = rest.split_whitespace().map(str::to_string).collect();
            if argv.is_empty() {
                return Err(
                    "\"cmd:\" names no program: expected \"cmd:PROGRAM ARGS\", e.g. \"cmd:omnisim serve s.toml --stdio\""
                        .into(),
                );
            }
            return Ok(EngineSpec::Command(argv));
        }
        if let Some(rest) = s.strip_prefix("http://") {
            let host = rest.strip_suffix('/').unwrap_or(rest);
            if host.is_empty() || host.contains('/') || !host.contains(':') {
                return Err(format!(
                    "{s:?}: expected http://HOST:PORT (e.g. http://127.0.0.1:7070), with no path"
                ));
            }
            return Ok(EngineSpec::Http(host.to_string()));
        }
        if s.starts_with("https://") {
            return Err(format!(
                "{s:?}: HTTPS is not spoken; expected http://HOST:PORT or \"cmd:PROGRAM ARGS\""
            ));
        }
        Err(format!(
            "{s:?}: expected http://HOST:PORT or \"cmd:PROGRAM ARGS\" (a subprocess speaking JSON lines)"
        ))
    }
}

impl std::fmt::Display for EngineSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineSpec::Http(h) => write!(f, "http://{h}"),
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
        /// The I/O error.
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
}

/// A connection to one engine. See the module docs.
#[derive(Debug)]
pub struct Client {
    spec: EngineSpec,
    conn: Conn,
    /// Longest wait for one answer.
    pub timeout: Duration,
    body: Vec<u8>,
}

#[derive(Debug)]
enum Conn {
    Http(HttpConn),
    Lines(LinesConn),
}

#[derive(Debug)]
struct HttpConn {
    host: String,
    addr: SocketAddr,
    stream: BufReader<TcpStream>,
}

#[derive(Debug)]
struct LinesConn {
    child: Child,
    stdin: Option<io::BufWriter<ChildStdin>>,
    lines: Receiver<io::Result<Vec<u8>>>,
}

impl Drop for LinesConn {
    fn drop(&mut self) {
        // Closing standard input ends a JSON-lines engine (end of input); kill it if it lingers.
        drop(self.stdin.take());
        let until = Instant::now() + Duration::from_secs(1);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Client {
    /// Connects to (or starts) the engine and checks it speaks protocol version 1 (its health
    /// object's `v`). Errors: [`ClientError::Connect`], [`ClientError::Version`], or any error
    /// of the health request.
    pub fn connect(spec: &EngineSpec) -> Result<Client, ClientError> {
        let timeout = Duration::from_secs(30);
        let conn =
            match spec {
                EngineSpec::Http(host) => Conn::Http(HttpConn::open(host, timeout).map_err(
                    |e| ClientError::Connect {
                        spec: spec.to_string(),
                        source: e,
                    },
                )?),
                EngineSpec::Command(argv) => {
                    Conn::Lines(LinesConn::start(argv).map_err(|e| ClientError::Connect {
                        spec: spec.to_string(),
                        source: e,
                    })?)
                }
            };
        let mut c = Client {
            spec: spec.clone(),
            conn,
            timeout,
            body: Vec::with_capacity(4096),
        };
        let health: Value = c.request("health", "GET", "/v1/health", None)?;
        match health.get("v").and_then(Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => Ok(c),
            other => Err(ClientError::Version {
                found: other.map_or_else(|| "none (no \"v\" in health)".into(), |v| v.to_string()),
            }),
        }
    }

    /// The engine this client speaks to.
    pub fn spec(&self) -> &EngineSpec {
        &self.spec
    }

    /// Resets the engine and checks its setup (`POST /v1/setup` with an empty body) against
    /// `expected`: the same scenario, queues, agents and supervisors (ids, names, capacities,
    /// memberships). Errors: [`ClientError::Setup`] naming the first difference.
    pub fn setup(&mut self, expected: &SetupView) -> Result<(), ClientError> {
        let got: Value = self.request("setup", "POST", "/v1/setup", Some(b""))?;
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

    /// Back to the start: a fresh engine at simulated time 0.
    pub fn reset(&mut self) -> Result<(), ClientError> {
        let _: Value = self.request("reset", "POST", "/v1/reset", Some(b""))?;
        Ok(())
    }

    /// The engine's Prometheus text (`GET /metrics`, or the `metrics` JSON line's string).
    pub fn metrics(&mut self) -> Result<String, ClientError> {
        match &mut self.conn {
            Conn::Http(h) => {
                let (status, body) =
                    h.exchange("GET", "/metrics", None)
                        .map_err(|source| ClientError::Io {
                            op: "metrics".into(),
                            source,
                        })?;
                if status != 200 {
                    return Err(ClientError::Refused {
                        op: "metrics".into(),
                        status,
                        error: String::from_utf8_lossy(&body).into_owned(),
                        field: None,
                    });
                }
                Ok(String::from_utf8_lossy(&body).into_owned())
            }
            Conn::Lines(_) => {
                let v: Value = self.request("metrics", "GET", "/metrics", None)?;
                v.get("metrics")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| ClientError::BadAnswer {
                        op: "metrics".into(),
                        detail: "expected {\"metrics\": \"<Prometheus text>\"}".into(),
                    })
            }
        }
    }

    /// Applies `cmds` in order at simulated time `now_ms` and returns one result per command.
    /// Errors: any [`ClientError`]; a result count that differs from the command count is
    /// [`ClientError::BadAnswer`].
    pub fn commands(
        &mut self,
        now_ms: u64,
        cmds: &[WireCommand],
    ) -> Result<Vec<WireResult>, ClientError> {
        let batch = CommandBatch {
            v: None,
            now_ms,
            commands: cmds.to_vec(),
        };
        let mut body = std::mem::take(&mut self.body);
        body.clear();
        if matches!(self.conn, Conn::Lines(_)) {
            body.extend_from_slice(b"{\"op\":\"commands\",");
            let json = serde_json::to_vec(&batch).expect("a batch serializes");
            body.extend_from_slice(&json[1..]);
        } else {
            serde_json::to_writer(&mut body, &batch).expect("a batch serializes");
        }
        let r: Result<BatchResults, ClientError> =
            self.request("commands", "POST", "/v1/commands", Some(&body));
        self.body = body;
        let r = r?;
        if r.results.len() != cmds.len() {
            return Err(ClientError::BadAnswer {
                op: "commands".into(),
                detail: format!(
                    "{} results for {} commands (one per command expected)",
                    r.results.len(),
                    cmds.len()
                ),
            });
        }
        Ok(r.results)
    }

    /// One request: over HTTP `method path` with `body`; as a JSON line, `body` when it is a
    /// whole line (commands) or `{"op": op}`.
    fn request<T: DeserializeOwned>(
        &mut self,
        op: &str,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<T, ClientError> {
        let timeout = self.timeout;
        let io_err = |source: io::Error| {
            if matches!(
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
        };
        let (status, answer) = match &mut self.conn {
            Conn::Http(h) => h.exchange(method, path, body).map_err(io_err)?,
            Conn::Lines(l) => {
                let line: Vec<u8> = match body {
                    Some(b) if op == "commands" => b.to_vec(),
                    _ => format!("{{\"op\":\"{op}\"}}").into_bytes(),
                };
                let answer = l.exchange(&line, timeout).map_err(io_err)?;
                (200, answer)
            }
        };
        let bad = |detail: String| ClientError::BadAnswer {
            op: op.into(),
            detail,
        };
        if status != 200 || answer.starts_with(b"{\"error\"") {
            let e: WireError = serde_json::from_slice(&answer).map_err(|e| {
                bad(format!(
                    "status {status} with a body that is not an error object: {e}"
                ))
            })?;
            return Err(ClientError::Refused {
                op: op.into(),
                status: if status == 200 { 400 } else { status },
                error: e.error,
                field: e.field,
            });
        }
        serde_json::from_slice(&answer).map_err(|e| {
            let shown = String::from_utf8_lossy(&answer[..answer.len().min(200)]).into_owned();
            bad(format!("{e} (answer begins {shown:?})"))
        })
    }
}

impl HttpConn {
    fn open(host: &str, timeout: Duration) -> io::Result<HttpConn> {
        let addr = host.to_socket_addrs()?.next().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{host} resolves to nothing"),
            )
        })?;
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(HttpConn {
            host: host.to_string(),
            addr,
            stream: BufReader::with_capacity(64 << 10, stream),
        })
    }

    /// Sends one request and reads its answer: (status, body).
    fn exchange(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> io::Result<(u16, Vec<u8>)> {
        let body = body.unwrap_or(b"");
        let mut req = Vec::with_capacity(body.len() + 128);
        let _ = write!(
            req,
            "{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        req.extend_from_slice(body);
        self.stream.get_mut().write_all(&req)?;
        let mut line = String::new();
        if self.stream.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the engine closed the connection",
            ));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid(format!("not an HTTP status line: {line:?}")))?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            line.clear();
            if self.stream.read_line(&mut line)? == 0 {
                return Err(invalid("the headers end early".into()));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            let v = v.trim();
            if k.eq_ignore_ascii_case("content-length") {
                length = Some(
                    v.parse::<usize>()
                        .map_err(|_| invalid(format!("bad content-length {v:?}")))?,
                );
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.eq_ignore_ascii_case("chunked");
            } else if k.eq_ignore_ascii_case("connection") {
                close = v.eq_ignore_ascii_case("close");
            }
        }
        let mut out = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line)?;
                let n = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| invalid(format!("bad chunk size {line:?}")))?;
                if out.len() + n > MAX_ANSWER {
                    return Err(invalid("an answer over 64 MiB".into()));
                }
                let start = out.len();
                out.resize(start + n, 0);
                self.stream.read_exact(&mut out[start..])?;
                line.clear();
                self.stream.read_line(&mut line)?;
                if n == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            if n > MAX_ANSWER {
                return Err(invalid("an answer over 64 MiB".into()));
            }
            out.resize(n, 0);
            self.stream.read_exact(&mut out)?;
        } else {
            self.stream
                .get_mut()
                .take(MAX_ANSWER as u64)
                .read_to_end(&mut out)?;
            close = true;
        }
        if close {
            // The server ends the connection after this answer: open a new one for the next.
            let t = self.stream.get_ref().read_timeout()?;
            let stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5))?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(t)?;
            stream.set_write_timeout(t)?;
            self.stream = BufReader::with_capacity(64 << 10, stream);
        }
        Ok((status, out))
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

impl LinesConn {
    fn start(argv: &[String]) -> io::Result<LinesConn> {
        crate::service::ignore_broken_pipes();
        let mut child = Process::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::sync_channel(16);
        std::thread::spawn(move || {
            let mut r = BufReader::with_capacity(64 << 10, stdout);
            loop {
                let mut line = Vec::new();
                match Read::take(&mut r, MAX_ANSWER as u64 + 1).read_until(b'\n', &mut line) {
                    Ok(0) => {
                        let _ = tx.send(Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the engine process closed its output (did it exit?)",
                        )));
                        return;
                    }
                    Ok(_) if line.last() != Some(&b'\n') && line.len() > MAX_ANSWER => {
                        let _ = tx.send(Err(invalid("an answer line over 64 MiB".into())));
                        return;
                    }
                    Ok(_) => {
                        if line.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        if tx.send(Ok(line)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        Ok(LinesConn {
            child,
            stdin: Some(io::BufWriter::with_capacity(64 << 10, stdin)),
            lines: rx,
        })
    }

    fn exchange(&mut self, line: &[u8], timeout: Duration) -> io::Result<Vec<u8>> {
        let w = self.stdin.as_mut().expect("open until dropped");
        w.write_all(line)?;
        w.write_all(b"\n")?;
        w.flush()?;
        match self.lines.recv_timeout(timeout) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => Err(io::Error::new(io::ErrorKind::TimedOut, "")),
            Err(RecvTimeoutError::Disconnected) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the engine process closed its output",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_or_say_what_was_expected() {
        assert_eq!(
            EngineSpec::parse("http://127.0.0.1:7070/"),
            Ok(EngineSpec::Http("127.0.0.1:7070".into()))
        );
        assert_eq!(
            EngineSpec::parse("cmd:omnisim serve s.toml --stdio"),
            Ok(EngineSpec::Command(vec![
                "omnisim".into(),
                "serve".into(),
                "s.toml".into(),
                "--stdio".into()
            ]))
        );
        for bad in [
            "",
            "cmd:",
            "127.0.0.1:7070",
            "http://",
            "http://h:1/v1",
            "https://h:1",
        ] {
            let e = EngineSpec::parse(bad).unwrap_err();
            assert!(e.contains("expected") || e.contains("HTTPS"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_refused_connection_is_an_error_not_a_hang() {
        // Bind then drop a listener: its port is free and nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let e = Client::connect(&EngineSpec::Http(format!("127.0.0.1:{port}"))).unwrap_err();
        assert!(matches!(e, ClientError::Connect { .. }), "{e}");
        let e = Client::connect(&EngineSpec::Command(vec![
            "/nonexistent/omnisim-engine".into()
        ]))
        .unwrap_err();
        assert!(matches!(e, ClientError::Connect { .. }), "{e}");
    }

    #[test]
    fn a_program_that_is_not_an_engine_is_a_bad_answer() {
        // `echo` answers nothing JSON and exits: the health check reports it.
        let e =
            Client::connect(&EngineSpec::Command(vec!["echo".into(), "hello".into()])).unwrap_err();
        assert!(
            matches!(e, ClientError::BadAnswer { .. } | ClientError::Io { .. }),
            "{e}"
        );
    }
}
