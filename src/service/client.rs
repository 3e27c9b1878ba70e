//! [`Client`]: a remote rules engine spoken to in protocol v1 (`docs/protocol.md`), either over
//! HTTP/1.1 (`http://HOST:PORT`, a minimal blocking client on a `TcpStream`) or as a
//! subprocess speaking JSON lines on its standard input and output (`cmd:PROGRAM ARGS`).
//!
//! Key items: [`connect`] (an engine spec to a client), [`Client::setup`] (a configuration as
//! scenario text), [`Client::reset`], [`Client::commands`] (a batch at one simulated instant;
//! raw JSON results with [`Client::commands_raw`]). Every failure is a [`ClientError`] naming
//! what went wrong; nothing here panics on what an engine answers.
//!
//! Used by `omnisim conform` (and meant for drivers that run against a remote engine).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::{Child, ChildStdin, Command as Process, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use serde_json::{json, Value};

use super::protocol::{WireCommand, WireResult};

/// How long a client waits for one answer before it gives up on the engine.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a request to a remote engine failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The engine spec is not `http://HOST:PORT[/PREFIX]` or `cmd:PROGRAM ARGS`.
    #[error("bad engine spec {spec:?}: {why} (expected http://HOST:PORT or \"cmd:PROGRAM ARGS\")")]
    Spec {
        /// The spec given.
        spec: String,
        /// What is wrong with it.
        why: String,
    },
    /// Connecting, writing or reading failed (or the subprocess ended, or timed out).
    #[error("engine {engine}: {why}")]
    Io {
        /// The engine, as [`Client::describe`] names it.
        engine: String,
        /// What failed.
        why: String,
    },
    /// The engine answered with an error object (`{ "error": …, "field": … }`) or a non-200
    /// status.
    #[error("engine {engine} refused the request ({status}): {error}")]
    Refused {
        /// The engine.
        engine: String,
        /// HTTP status (400 for a JSON-lines error line).
        status: u16,
        /// The error text (with its field, when named).
        error: String,
    },
    /// The answer is not what protocol v1 says.
    #[error("engine {engine}: bad answer: {why}")]
    BadAnswer {
        /// The engine.
        engine: String,
        /// What was wrong.
        why: String,
    },
}

/// How to reach an engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineSpec {
    /// `http://HOST:PORT[/PREFIX]`: requests go to `PREFIX/v1/...`.
    Http {
        /// `HOST:PORT`.
        authority: String,
        /// Path prefix without a trailing slash (usually empty).
        prefix: String,
    },
    /// `cmd:PROGRAM ARGS`: split on whitespace (no quoting); the program speaks JSON lines.
    Cmd {
        /// The program and its arguments.
        argv: Vec<String>,
    },
}

impl EngineSpec {
    /// Reads an engine spec. Errors: [`ClientError::Spec`] naming what is wrong.
    pub fn parse(spec: &str) -> Result<EngineSpec, ClientError> {
        let bad = |why: &str| ClientError::Spec {
            spec: spec.to_string(),
            why: why.to_string(),
        };
        if let Some(rest) = spec.strip_prefix("cmd:") {
            let argv: Vec<String> = rest.split_whitespace().map(str::to_string).collect();
            if argv.is_empty() {
                return Err(bad("no program after cmd:"));
            }
            return Ok(EngineSpec::Cmd { argv });
        }
        if let Some(rest) = spec.strip_prefix("http://") {
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
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
        if spec.starts_with("https://") {
            return Err(bad("https is not spoken; engines listen on loopback http"));
        }
        Err(bad("unknown scheme"))
    }
}

/// A connection to a remote engine. Dropping it ends a subprocess engine (its standard input
/// closes, then it is killed if it has not exited).
#[derive(Debug)]
pub struct Client {
    name: String,
    link: Link,
}

#[derive(Debug)]
enum Link {
    Http {
        authority: String,
        prefix: String,
        stream: Option<BufReader<TcpStream>>,
    },
    Cmd {
        child: Child,
        stdin: Option<ChildStdin>,
        lines: Receiver<std::io::Result<String>>,
    },
}

/// Connects to the engine `spec` names (`http://HOST:PORT` or `cmd:PROGRAM ARGS`): starts the
/// subprocess, or opens the first connection. Errors: a bad spec, or the engine cannot be
/// reached/started.
pub fn connect(spec: &str) -> Result<Client, ClientError> {
    let parsed = EngineSpec::parse(spec)?;
    let name = spec.to_string();
    let link = match parsed {
        EngineSpec::Http { authority, prefix } => {
            let stream = Some(open(&name, &authority)?);
            Link::Http {
                authority,
                prefix,
                stream,
            }
        }
        EngineSpec::Cmd { argv } => {
            super::ignore_broken_pipes();
            let mut child = Process::new(&argv[0])
                .args(&argv[1..])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .map_err(|e| ClientError::Io {
                    engine: name.clone(),
                    why: format!("cannot start {:?}: {e}", argv[0]),
                })?;
            let stdin = child.stdin.take();
            let stdout = child.stdout.take().ok_or_else(|| ClientError::Io {
                engine: name.clone(),
                why: "no standard output".into(),
            })?;
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let mut r = BufReader::new(stdout);
                loop {
                    let mut line = String::new();
                    match r.read_line(&mut line) {
                        Ok(0) => return,
                        Ok(_) => {
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
            Link::Cmd {
                child,
                stdin,
                lines: rx,
            }
        }
    };
    Ok(Client { name, link })
}

fn open(name: &str, authority: &str) -> Result<BufReader<TcpStream>, ClientError> {
    let io = |why: String| ClientError::Io {
        engine: name.to_string(),
        why,
    };
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| io(format!("cannot resolve {authority}: {e}")))?
        .next()
        .ok_or_else(|| io(format!("{authority} resolves to no address")))?;
    let s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| io(format!("cannot connect to {authority}: {e}")))?;
    let _ = s.set_nodelay(true);
    s.set_read_timeout(Some(ANSWER_TIMEOUT))
        .map_err(|e| io(e.to_string()))?;
    Ok(BufReader::new(s))
}

impl Client {
    /// The engine as given to [`connect`].
    pub fn describe(&self) -> &str {
        &self.name
    }

    /// Sets the engine up with `scenario` (TOML text; `None`: the engine's own configuration)
    /// and answers its setup view (`{ "queues", "agents", "supervisors", … }`). The engine is
    /// fresh at simulated time 0 afterwards.
    pub fn setup(&mut self, scenario: Option<&str>) -> Result<Value, ClientError> {
        let body = match scenario {
            Some(text) => json!({ "v": 1, "scenario": text }),
            None => json!({ "v": 1 }),
        };
        self.call("POST", "setup", body)
    }

    /// A fresh engine at simulated time 0, same configuration.
    pub fn reset(&mut self) -> Result<(), ClientError> {
        self.call("POST", "reset", json!({})).map(|_| ())
    }

    /// Applies `commands` in order at `now_ms`; one raw JSON result per command
    /// (`{ "effects": [...] }` or `{ "refused": "RULE-ID" }`). Errors: the engine refused the
    /// batch, or answered with a different number of results.
    pub fn commands_raw(
        &mut self,
        now_ms: u64,
        commands: &[WireCommand],
    ) -> Result<Vec<Value>, ClientError> {
        let body = json!({ "v": 1, "now_ms": now_ms, "commands": commands });
        let answer = self.call("POST", "commands", body)?;
        let Some(Value::Array(results)) = answer.get("results") else {
            return Err(self.bad(format!("no \"results\" array in {}", short(&answer))));
        };
        if results.len() != commands.len() {
            return Err(self.bad(format!(
                "{} results for {} commands",
                results.len(),
                commands.len()
            )));
        }
        Ok(results.clone())
    }

    /// As [`Client::commands_raw`], read as [`WireResult`]s; effect types this version does
    /// not know are left out (protocol v1 grows by new effect types).
    pub fn commands(
        &mut self,
        now_ms: u64,
        commands: &[WireCommand],
    ) -> Result<Vec<WireResult>, ClientError> {
        let raw = self.commands_raw(now_ms, commands)?;
        let mut out = Vec::with_capacity(raw.len());
        for (i, mut r) in raw.into_iter().enumerate() {
            if let Some(Value::Array(effects)) = r.get_mut("effects") {
                effects.retain(known_effect_type);
            }
            let res: WireResult = serde_json::from_value(r.clone())
                .map_err(|e| self.bad(format!("results[{i}]: {e} in {}", short(&r))))?;
            out.push(res);
        }
        Ok(out)
    }

    /// One request: over HTTP `METHOD PREFIX/v1/OP` with `body`; as a JSON line, `body` with
    /// `"op": OP`. Answers the JSON answer. Errors: I/O, an error answer, or not JSON.
    pub fn call(&mut self, method: &str, op: &str, body: Value) -> Result<Value, ClientError> {
        let (status, text) = match &mut self.link {
            Link::Http {
                authority,
                prefix,
                stream,
            } => {
                let path = format!("{prefix}/v1/{op}");
                let payload = if method == "GET" {
                    String::new()
                } else {
                    body.to_string()
                };
                http_call(&self.name, authority, stream, method, &path, &payload)?
            }
            Link::Cmd { stdin, lines, .. } => {
                let mut line = body;
                if let Value::Object(m) = &mut line {
                    m.insert("op".into(), Value::String(op.into()));
                }
                let io = |why: String| ClientError::Io {
                    engine: self.name.clone(),
                    why,
                };
                let w = stdin
                    .as_mut()
                    .ok_or_else(|| io("standard input is closed".into()))?;
                writeln!(w, "{line}")
                    .and_then(|_| w.flush())
                    .map_err(|e| io(format!("cannot write a request: {e}")))?;
                let answer = match lines.recv_timeout(ANSWER_TIMEOUT) {
                    Ok(Ok(l)) => l,
                    Ok(Err(e)) => return Err(io(format!("cannot read an answer: {e}"))),
                    Err(RecvTimeoutError::Timeout) => {
                        return Err(io(format!(
                            "no answer within {} s",
                            ANSWER_TIMEOUT.as_secs()
                        )))
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        return Err(io("the engine ended (end of its standard output)".into()))
                    }
                };
                (200, answer)
            }
        };
        let value: Value = serde_json::from_str(text.trim()).map_err(|e| {
            self.bad(format!(
                "not JSON ({e}): {}",
                text.chars().take(200).collect::<String>()
            ))
        })?;
        if status != 200 || value.get("error").is_some_and(Value::is_string) {
            let mut error = value
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("(no error text)")
                .to_string();
            if let Some(f) = value.get("field").and_then(Value::as_str) {
                error = format!("{error} (field {f})");
            }
            return Err(ClientError::Refused {
                engine: self.name.clone(),
                status: if status == 200 { 400 } else { status },
                error,
            });
        }
        Ok(value)
    }

    fn bad(&self, why: String) -> ClientError {
        ClientError::BadAnswer {
            engine: self.name.clone(),
            why,
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Link::Cmd { child, stdin, .. } = &mut self.link {
            drop(stdin.take());
            for _ in 0..50 {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn known_effect_type(e: &Value) -> bool {
    const KNOWN: [&str; 18] = [
        "arrived",
        "unmatched",
        "invited",
        "invite_withdrawn",
        "refusal",
        "accepted",
        "assigned_by_rule",
        "state_changed",
        "units",
        "overallocated",
        "presence",
        "requeued",
        "monitoring",
        "joined",
        "transferred",
        "notified",
        "pick_available",
        "closed",
    ];
    e.get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| KNOWN.contains(&t))
}

fn short(v: &Value) -> String {
    v.to_string().chars().take(200).collect()
}

/// One HTTP/1.1 exchange on the kept-alive connection (reopened when the server closed it).
/// Answers (status, body).
fn http_call(
    name: &str,
    authority: &str,
    stream: &mut Option<BufReader<TcpStream>>,
    method: &str,
    path: &str,
    body: &str,
) -> Result<(u16, String), ClientError> {
    let io = |why: String| ClientError::Io {
        engine: name.to_string(),
        why,
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {authority}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    // A kept-alive connection may have been closed by the server: retry once on a new one.
    for attempt in 0..2 {
        if stream.is_none() {
            *stream = Some(open(name, authority)?);
        }
        let s = stream.as_mut().expect("opened above");
        let sent = s
            .get_mut()
            .write_all(request.as_bytes())
            .and_then(|_| s.get_mut().flush());
        let answer = sent.and_then(|_| read_response(s));
        match answer {
            Ok((status, text, close)) => {
                if close {
                    *stream = None;
                }
                return Ok((status, text));
            }
            Err(e) => {
                *stream = None;
                if attempt == 1 {
                    return Err(io(format!("{method} {path}: {e}")));
                }
            }
        }
    }
    Err(io(format!("{method} {path}: no answer")))
}

/// Reads one HTTP/1.x response: (status, body, whether the connection closes after it).
fn read_response(r: &mut BufReader<TcpStream>) -> std::io::Result<(u16, String, bool)> {
    let bad = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string());
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    let mut parts = line.split_whitespace();
    let version = parts.next().unwrap_or("");
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status line"))?;
    let mut close = version == "HTTP/1.0";
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Err(bad("headers cut short"));
        }
        let h = line.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
            match k.as_str() {
                "content-length" => length = v.parse::<usize>().ok(),
                "transfer-encoding" => chunked = v.contains("chunked"),
                "connection" => close = v.contains("close"),
                _ => {}
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let n = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| bad("bad chunk size"))?;
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else {
        r.read_to_end(&mut body)?;
        close = true;
    }
    let text = String::from_utf8(body).map_err(|_| bad("the body is not UTF-8"))?;
    Ok((status, text, close))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_or_name_the_problem() {
        assert_eq!(
            EngineSpec::parse("http://127.0.0.1:7070").unwrap(),
            EngineSpec::Http {
                authority: "127.0.0.1:7070".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            EngineSpec::parse("cmd:python3 engine.py --x").unwrap(),
            EngineSpec::Cmd {
                argv: vec!["python3".into(), "engine.py".into(), "--x".into()]
            }
        );
        for (bad, why) in [
            ("ftp://x", "unknown scheme"),
            ("cmd:  ", "no program"),
            ("http://localhost", "no port"),
            ("http://localhost:99999", "port"),
            ("https://a:1", "https"),
        ] {
            let e = EngineSpec::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn a_subprocess_that_is_missing_is_an_io_error() {
        let e = connect("cmd:/nonexistent/engine-program").unwrap_err();
        assert!(matches!(e, ClientError::Io { .. }), "{e}");
    }
}
