//! `omnisim serve` as a subprocess: JSON lines on stdin/stdout (answers in order, a bad line
//! answered with its field, end of input ends with exit 0), and HTTP/1.1 on an ephemeral
//! loopback port (the bound address printed first; requests written by hand on one kept-alive
//! `TcpStream`; 4xx naming the field; SIGTERM stops it with exit 130), each in bounded time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use super::procs::{temp_dir, wait_ended};

/// The conformance scenario of the supervisor rules (a copy of
/// `tests/conformance/rules-monitor-assign.toml`'s setup: queues a, b, cases; agents a-1, b-1,
/// c-1 of 100 units; supervisor lead over a and cases).
/// Answers the folder's guard beside the path (the folder goes when the guard is dropped).
fn scenario(tag: &str) -> (super::procs::TempDir, std::path::PathBuf) {
    let dir = temp_dir(&format!("serve-{tag}"));
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/conformance/rules-monitor-assign.toml"
    );
    let path = dir.join("s.toml");
    std::fs::copy(src, &path).expect("copy scenario");
    (dir, path)
}

#[test]
fn stdio_answers_each_line_in_order_and_ends_at_eof() {
    let (_dir, sc) = scenario("stdio");
    let mut child = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .arg("serve")
        .arg(sc)
        .arg("--stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn omnisim serve --stdio");
    let input = concat!(
        "{\"v\":1,\"op\":\"commands\",\"now_ms\":0,\"commands\":[{\"type\":\"arrive\",\"queue\":0},{\"type\":\"arrive\",\"queue\":2}]}\n",
        "{\"op\":\"commands\",\"now_ms\":60000,\"commands\":[{\"type\":\"monitor\",\"supervisor\":0,\"conv\":\"bad\"}]}\n",
        "{\"op\":\"conversations\"}\n",
        "{\"op\":\"nope\"}\n",
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    // stdin is dropped here: end of input.
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let status = wait_ended(&mut child);
    assert_eq!(status.code(), Some(0));
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    // Two arrivals: each invites its queue's only agent.
    for r in lines[0]["results"].as_array().unwrap() {
        let types: Vec<&str> = r["effects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap())
            .collect();
        assert!(
            types.starts_with(&["arrived"]) && types.contains(&"invited"),
            "{r}"
        );
    }
    assert_eq!(lines[1]["field"], "commands[0].conv", "{}", lines[1]);
    assert_eq!(lines[2]["conversations"].as_array().unwrap().len(), 2);
    assert!(lines[3]["error"].as_str().unwrap().contains("nope"));
}

/// Sends one request on `s` and reads one response (Content-Length framing).
fn http(
    s: &mut BufReader<TcpStream>,
    method: &str,
    path: &str,
    body: &str,
) -> (u16, String, String) {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.get_mut().write_all(req.as_bytes()).unwrap();
    let mut status_line = String::new();
    s.read_line(&mut status_line).unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let (mut len, mut ctype) = (0usize, String::new());
    loop {
        let mut h = String::new();
        s.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap();
        match k.to_ascii_lowercase().as_str() {
            "content-length" => len = v.trim().parse().unwrap(),
            "content-type" => ctype = v.trim().to_string(),
            _ => {}
        }
    }
    let mut buf = vec![0; len];
    s.read_exact(&mut buf).unwrap();
    (status, ctype, String::from_utf8(buf).unwrap())
}

#[test]
fn http_on_an_ephemeral_port_serves_and_stops_on_sigterm() {
    let (_dir, sc) = scenario("http");
    let (child, url) = serve_http(&sc);
    let addr = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("address: {url:?}"))
        .to_string();
    let stream = TcpStream::connect(&addr).expect("connect");
    stream
        // A hang guard, not a bound: an answer is waited for as long as a command is.
        .set_read_timeout(Some(super::procs::HANG_GUARD))
        .unwrap();
    let mut s = BufReader::new(stream);

    let (st, _, body) = http(&mut s, "GET", "/v1/health", "");
    assert_eq!(st, 200, "{body}");
    let (st, _, body) = http(
        &mut s,
        "POST",
        "/v1/commands",
        r#"{"now_ms":0,"commands":[{"type":"arrive","queue":0},{"type":"arrive","queue":0}]}"#,
    );
    assert_eq!(st, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let second = v["results"][1]["effects"][0]["conv"].as_str().unwrap();
    // MON-STATE: the second conversation is still open (a-1 is invited to the first).
    let (st, _, body) = http(
        &mut s,
        "POST",
        &format!("/v1/conversations/{second}/monitor"),
        r#"{"supervisor":0,"now_ms":1000}"#,
    );
    assert_eq!((st, body.as_str()), (200, r#"{"refused":"MON-STATE"}"#));
    let (st, _, body) = http(
        &mut s,
        "POST",
        "/v1/commands",
        r#"{"now_ms":2000,"commands":[{"type":"pick","agent":"x"}]}"#,
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (st, v["field"].as_str()),
        (400, Some("commands[0].agent")),
        "{body}"
    );
    let (st, ctype, body) = http(&mut s, "GET", "/metrics", "");
    assert_eq!(st, 200);
    assert!(ctype.starts_with("text/plain"), "{ctype}");
    assert!(
        body.contains("omnisim_refusals_total{rule=\"MON-STATE\"} 1"),
        "{body}"
    );
    let (st, _, body) = http(&mut s, "GET", "/v1/agents", "");
    assert_eq!(st, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["agents"].as_array().unwrap().len(), 3);

    // SIGTERM to this child (by its pid): a clean stop.
    stop(child);
}

#[test]
fn a_non_loopback_listen_address_is_refused() {
    let (_dir, sc) = scenario("nonloop");
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .arg("serve")
        .arg(sc)
        .args(["--listen", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .output()
        .expect("run omnisim serve");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

/// `omnisim serve SCENARIO --listen 127.0.0.1:0` and its address (`http://127.0.0.1:PORT`),
/// from its first line; shared by the conform and drive tests.
pub(crate) fn serve_http(scenario: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .arg("serve")
        .arg(scenario)
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn omnisim serve");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut first)
        .expect("first line");
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_string();
    (child, addr)
}

/// SIGTERM to this server (by its pid), which must stop with exit 130, as every command a
/// signal stops (README's exit-code table; it exited 0 before a sixteenth tester).
pub(crate) fn stop(child: Child) {
    stop_with(child, "-TERM");
}

/// `signal` (`-TERM`, `-INT`) to this server (by its pid): it stops within seconds with exit
/// 130 and says why on stderr (when piped).
pub(crate) fn stop_with(mut child: Child, signal: &str) {
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
    let status = wait_ended(&mut child);
    assert_eq!(status.code(), Some(130), "serve after kill {signal}");
}
