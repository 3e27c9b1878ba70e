//! The JSON-lines framing (`omnisim serve SCENARIO --stdio`): one request per line on standard
//! input ([`Request`], `{ "op": "commands", "now_ms": …, "commands":
//! [...] }`), one answer per line on standard output, in order; a blank line is skipped; a bad
//! line gets `{ "error": …, "field": … }` and the session goes on; end of input ends it (exit 0).

use std::io::{self, BufRead, Read, Write};

use serde::Serialize;
use serde_json::Value;

use super::protocol::{too_many_commands, Action, CommandBatch, Request, WireError};
use super::session::{check_version, ProtoError, Session};

/// Longest request line read (bytes); a longer one is refused and skipped.
pub const MAX_LINE: usize = 64 << 20;

/// Answers requests from `input` on `output` until end of input. Errors: only I/O errors of
/// the streams themselves.
pub fn serve_stdio(
    session: &mut Session,
    mut input: impl BufRead,
    mut output: impl Write,
) -> io::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = Read::take(&mut input, MAX_LINE as u64 + 1).read_until(b'\n', &mut line)?;
        if n == 0 {
            return output.flush();
        }
        if line.len() > MAX_LINE && line.last() != Some(&b'\n') {
            // Skip the rest of the over-long line without holding it: a line with no end
            // (`< /dev/zero`) must not grow memory.
            skip_line(&mut input)?;
            let e = ProtoError::status(413, format!("a request line is at most {MAX_LINE} bytes"));
            session.count_bad_request();
            writeln!(output, "{}", to_json(&e.body))?;
            output.flush()?;
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let answer = answer_line(session, &line);
        output.write_all(answer.as_bytes())?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
}

/// Reads and drops `input` up to and including the next newline (or to its end), holding at
/// most one buffer of it at a time.
fn skip_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

/// The answer to one request line (without its newline): the op's answer, or a
/// [`WireError`] naming the field.
pub fn answer_line(session: &mut Session, line: &[u8]) -> String {
    match answer(session, line) {
        Ok(s) => s,
        Err(e) => {
            session.count_bad_request();
            to_json(&e.body)
        }
    }
}

fn answer(session: &mut Session, line: &[u8]) -> Result<String, ProtoError> {
    let text = std::str::from_utf8(line)
        .map_err(|e| ProtoError::status(400, format!("the line is not UTF-8: {e}")))?;
    if let Some(e) = too_many_commands(line) {
        return Err(ProtoError::status(413, e));
    }
    let mut value: Value = serde_json::from_str(text).map_err(|e| {
        ProtoError::status(
            400,
            format!("the line is not JSON: {e} (one request per line)"),
        )
    })?;
    let Value::Object(map) = &mut value else {
        return Err(ProtoError::status(
            400,
            "a request is a JSON object such as {\"op\": \"health\"}",
        ));
    };
    if let Some(v) = map.remove("v") {
        match v.as_u64() {
            Some(v) => check_version(u32::try_from(v).unwrap_or(u32::MAX))?,
            None => return Err(ProtoError::field("v", "expected the integer 1")),
        }
    }
    if !map.contains_key("op") {
        return Err(ProtoError::field(
            "op",
            "missing: one of setup, reset, commands, conversations, agents, health, metrics, monitor, join, assign",
        ));
    }
    if map.get("op").and_then(Value::as_str) == Some("commands") {
        // Read as a batch (not through the tagged `Request`) so a bad value's path reaches
        // inside the batch.
        map.remove("op");
        let batch: CommandBatch = parse_value(value)?;
        return Ok(to_json(&session.commands(&batch)?));
    }
    let req: Request = parse_value(value)?;
    Ok(match req {
        Request::Setup(req) => to_json(&session.configure(&req)?),
        Request::Reset => {
            session.reset();
            to_json(&session.health())
        }
        Request::Commands { now_ms, commands } => {
            let batch = CommandBatch {
                v: None,
                now_ms,
                commands,
            };
            to_json(&session.commands(&batch)?)
        }
        Request::Conversations => to_json(&session.conversations()),
        Request::Agents => to_json(&session.agents()),
        Request::Health => to_json(&session.health()),
        Request::Metrics => to_json(&serde_json::json!({ "metrics": session.metrics() })),
        Request::Monitor(a) => action(session, "monitor", &a)?,
        Request::Join(a) => action(session, "join", &a)?,
        Request::Assign(a) => action(session, "assign", &a)?,
    })
}

fn action(session: &mut Session, kind: &str, a: &Action) -> Result<String, ProtoError> {
    let conv = a
        .conv
        .ok_or_else(|| ProtoError::field("conv", "missing: the conversation id"))?;
    Ok(to_json(&session.action(kind, conv, a)?))
}

/// Deserializes `value` as `T`, naming the key path of the first bad value.
pub(crate) fn parse_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ProtoError> {
    let copy = value.clone();
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.inner().to_string();
        if path == "." {
            return ProtoError::status(400, msg);
        }
        // An internally tagged value (a command) is buffered whole, so the path stops at it:
        // find the field inside that is to blame.
        match at_path(&copy, e.path()).and_then(bad_field) {
            Some((field, why)) => ProtoError::field(format!("{path}.{field}"), why),
            None => ProtoError::field(path, msg),
        }
    })
}

/// The value at a serde path (object keys and array indices).
fn at_path<'a>(v: &'a Value, path: &serde_path_to_error::Path) -> Option<&'a Value> {
    use serde_path_to_error::Segment;
    let mut cur = v;
    for seg in path.iter() {
        cur = match seg {
            Segment::Seq { index } => cur.get(*index)?,
            Segment::Map { key } => cur.get(key.as_str())?,
            Segment::Enum { .. } | Segment::Unknown => return None,
        };
    }
    Some(cur)
}

/// The first field of a command or action object whose value has the wrong shape, with what
/// was expected.
fn bad_field(v: &Value) -> Option<(&'static str, String)> {
    use super::protocol::{WireConv, WireTag};
    let obj = v.as_object()?;
    let got = |x: &Value| {
        let s = x.to_string();
        if s.len() > 40 {
            format!("{}…", s.chars().take(40).collect::<String>())
        } else {
            s
        }
    };
    for (k, want) in [
        ("conv", "a conversation id \"SLOT.GEN\" such as \"0.0\""),
        ("agent", "an agent id (an integer from 0)"),
        ("queue", "a queue id (an integer from 0)"),
        ("supervisor", "a supervisor id (an integer from 0)"),
        ("invite", "an invitation id (an integer from 0)"),
        (
            "presence",
            "null or one of available, busy, busy_dnd, away, offline",
        ),
        ("mode", "\"internal\" or \"public\""),
        ("tag", "{\"req\": integer, \"attrs\": integer}"),
    ] {
        let Some(x) = obj.get(k) else { continue };
        let fits = match k {
            "conv" => x.as_str().and_then(WireConv::parse).is_some(),
            "invite" => x.as_u64().is_some(),
            "presence" => {
                serde_json::from_value::<Option<crate::model::Presence>>(x.clone()).is_ok()
            }
            "mode" => serde_json::from_value::<crate::model::MessageMode>(x.clone()).is_ok(),
            "tag" => serde_json::from_value::<WireTag>(x.clone()).is_ok(),
            _ => x.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)),
        };
        if !fits {
            return Some((k, format!("expected {want}, got {}", got(x))));
        }
    }
    None
}

/// Serializes an answer (the wire types always serialize).
pub(crate) fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| {
        to_json_error(&WireError {
            error: format!("internal: {e}"),
            field: None,
        })
    })
}

fn to_json_error(e: &WireError) -> String {
    format!(
        "{{\"error\":{}}}",
        serde_json::Value::String(e.error.clone())
    )
}
