//! The HTTP/1.1 framing (`omnisim serve SCENARIO [--listen 127.0.0.1:7070]`) on hyper 1 over a
//! single-threaded tokio runtime (the engine is one state machine behind one lock, so more
//! threads would only contend). [`route`] maps a request to an answer and is what the tests
//! call; [`serve_http`] binds a loopback address and serves until the stop flag is raised.
//!
//! Endpoints (all JSON unless said): `POST /v1/commands`, `POST /v1/reset`, `GET|POST
//! /v1/setup`, `GET /v1/conversations`, `GET /v1/agents`, `POST
//! /v1/conversations/{id}/monitor|join|assign`, `GET /v1/health`, `GET /metrics` (Prometheus
//! text). A bad request gets a 4xx with `{ "error": …, "field": … }`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};

use super::protocol::{too_many_commands, Action, CommandBatch, SetupRequest, WireConv};
use super::session::{ProtoError, Session};
use super::stdio::{parse_value, to_json};

/// Largest request body read (bytes); a larger one gets 413.
pub const MAX_BODY: usize = 64 << 20;

/// An answer: status, content type, body.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `application/json` or the Prometheus text type.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

const JSON: &str = "application/json";
const PROM: &str = "text/plain; version=0.0.4; charset=utf-8";

fn ok(body: String) -> Answer {
    Answer {
        status: 200,
        content_type: JSON,
        body,
    }
}

/// Answers one request (method, path without the query, body bytes) on `session`.
pub fn route(session: &mut Session, method: &str, path: &str, body: &[u8]) -> Answer {
    match answer(session, method, path, body) {
        Ok(a) => a,
        Err(e) => {
            session.count_bad_request();
            Answer {
                status: e.status,
                content_type: JSON,
                body: to_json(&e.body),
            }
        }
    }
}

fn answer(
    session: &mut Session,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<Answer, ProtoError> {
    let path = path.split('?').next().unwrap_or(path);
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    let method_is = |want: &str| {
        if method == want {
            Ok(())
        } else {
            Err(ProtoError::status(
                405,
                format!("{path} takes {want}, not {method}"),
            ))
        }
    };
    match parts.as_slice() {
        ["metrics"] => {
            method_is("GET")?;
            Ok(Answer {
                status: 200,
                content_type: PROM,
                body: session.metrics(),
            })
        }
        ["v1", rest @ ..] => match rest {
            ["commands"] => {
                method_is("POST")?;
                if let Some(e) = too_many_commands(body) {
                    return Err(ProtoError::status(413, e));
                }
                let batch: CommandBatch = parse_body(body)?;
                Ok(ok(to_json(&session.commands(&batch)?)))
            }
            ["reset"] => {
                method_is("POST")?;
                session.reset();
                Ok(ok(to_json(&session.health())))
            }
            ["setup"] => {
                if method == "POST" {
                    let req: SetupRequest = if body.iter().all(u8::is_ascii_whitespace) {
                        SetupRequest::default()
                    } else {
                        parse_body(body)?
                    };
                    Ok(ok(to_json(&session.configure(&req)?)))
                } else {
                    method_is("GET")?;
                    Ok(ok(to_json(&session.setup())))
                }
            }
            ["conversations"] => {
                method_is("GET")?;
                Ok(ok(to_json(&session.conversations())))
            }
            ["agents"] => {
                method_is("GET")?;
                Ok(ok(to_json(&session.agents())))
            }
            ["health"] => {
                method_is("GET")?;
                Ok(ok(to_json(&session.health())))
            }
            ["conversations", id, kind @ ("monitor" | "join" | "assign")] => {
                method_is("POST")?;
                let conv = WireConv::parse(id).ok_or_else(|| {
                    ProtoError::status(
                        404,
                        format!("no conversation {id:?}: ids look like \"0.0\""),
                    )
                })?;
                let a: Action = parse_body(body)?;
                if a.conv.is_some_and(|c| c != conv) {
                    return Err(ProtoError::field("conv", "differs from the id in the path"));
                }
                Ok(ok(to_json(&session.action(kind, conv, &a)?)))
            }
            _ => Err(not_found(path)),
        },
        [v, ..] if v.starts_with('v') && v[1..].bytes().all(|b| b.is_ascii_digit()) => {
            Err(ProtoError::status(
                404,
                format!("protocol version {v} is not spoken here; this engine speaks /v1"),
            ))
        }
        _ => Err(not_found(path)),
    }
}

fn not_found(path: &str) -> ProtoError {
    ProtoError::status(
        404,
        format!("no resource {path:?} (see docs/protocol.md: /v1/commands, /v1/reset, /v1/setup, /v1/conversations, /v1/agents, /v1/health, /metrics)"),
    )
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ProtoError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ProtoError::status(400, format!("the body is not JSON: {e}")))?;
    if !value.is_object() {
        return Err(ProtoError::status(400, "the body is a JSON object"));
    }
    parse_value(value)
}

/// Serves `session` over HTTP/1.1 on `addr` (loopback only: the caller checks) until `stop` is
/// raised; `bound` is called once with the address bound (port 0 picks a free one). Each
/// connection is kept alive for as many requests as the client sends. A request is answered on
/// a blocking thread, so a stop is seen within 50 ms even during a long batch, which is then
/// abandoned (not waited for). Errors: binding fails.
pub fn serve_http(
    session: Session,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let served = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        bound(listener.local_addr()?);
        let shared = Arc::new(Mutex::new(session));
        loop {
            tokio::select! {
                acc = listener.accept() => {
                    let Ok((stream, _)) = acc else { continue };
                    let _ = stream.set_nodelay(true);
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        let svc = hyper::service::service_fn(move |req| handle(shared.clone(), req));
                        // A connection error (the client went away) ends that connection only.
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                            .await;
                    });
                }
                _ = tokio::time::sleep(Duration::from_millis(50)) => {
                    if stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                }
            }
        }
    });
    // A request still being answered is abandoned, not awaited.
    rt.shutdown_background();
    served
}

async fn handle(
    shared: Arc<Mutex<Session>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            let e = ProtoError::status(413, format!("a request body is at most {MAX_BODY} bytes"));
            return Ok(respond(Answer {
                status: e.status,
                content_type: JSON,
                body: to_json(&e.body),
            }));
        }
    };
    // Off the runtime's one thread, so the accept loop keeps looking at the stop flag.
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        route(&mut s, method_str(&method), &path, &body)
    })
    .await
    .unwrap_or_else(|_| Answer {
        status: 500,
        content_type: JSON,
        body: to_json(&serde_json::json!({ "error": "the request's handler failed" })),
    });
    Ok(respond(answer))
}

fn method_str(m: &Method) -> &str {
    m.as_str()
}

fn respond(a: Answer) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(a.body)));
    *r.status_mut() = StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = hyper::header::HeaderValue::from_str(a.content_type) {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

#[cfg(test)]
mod tests;
