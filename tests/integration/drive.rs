//! `omnisim run --engine`: the simulator in lockstep with `omnisim serve` over JSON lines
//! (`cmd:`) and over HTTP (a server started here on a free loopback port, stopped by its pid)
//! writes the in-process `summary.json`, byte for byte outside the wall-clock `engine` object,
//! on every conformance scenario; and a remote failure (nothing listening, a program that is no
//! engine, an engine of another scenario) ends the run with exit 2 and a named reason, in
//! bounded time.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::procs::temp_dir;
use super::serve::{serve_http, stop};

const BIN: &str = env!("CARGO_BIN_EXE_omnisim");

/// `summary.json` without its `"engine"` object (the only wall-clock part), as text.
fn without_engine(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("  \"engine\": {") {
            skipping = !line.trim_end().ends_with("},") && !line.trim_end().ends_with('}');
            continue;
        }
        if skipping {
            if line.starts_with("  }") {
                skipping = false;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    assert!(
        text.contains("\"engine\""),
        "no engine object in {}",
        path.display()
    );
    out
}

fn run(scenario: &Path, out: &Path, engine: Option<&str>) -> std::process::Output {
    let mut c = Command::new(BIN);
    c.arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        // Two replications: byte-identity needs no more, and a lockstep run is one round trip
        // per command (the whole conformance set at full counts took ~15 minutes).
        .args(["--replications", "2"])
        .stdin(Stdio::null());
    if let Some(e) = engine {
        c.args(["--engine", e]);
    }
    c.output().expect("run omnisim")
}

fn conformance() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/conformance")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    assert!(v.len() >= 8, "{v:?}");
    v
}

#[test]
fn summaries_over_stdio_and_http_are_the_in_process_one_on_every_conformance_scenario() {
    let dir = temp_dir("drive-conformance");
    for s in conformance() {
        let name = s.file_stem().unwrap().to_string_lossy().into_owned();
        let base = dir.join(format!("{name}-in"));
        let o = run(&s, &base, None);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{name}: {o:?}");
        let want = without_engine(&base.join("summary.json"));

        let lines = dir.join(format!("{name}-stdio"));
        let spec = format!("cmd:{BIN} serve {} --stdio", s.display());
        let o = run(&s, &lines, Some(&spec));
        assert_eq!(o.status.code(), run_code(&base), "{name} stdio: {o:?}");
        assert_eq!(
            without_engine(&lines.join("summary.json")),
            want,
            "{name} over stdio"
        );

        let (server, url) = serve_http(&s);
        let web = dir.join(format!("{name}-http"));
        let o = run(&s, &web, Some(&url));
        stop(server);
        assert_eq!(o.status.code(), run_code(&base), "{name} http: {o:?}");
        assert_eq!(
            without_engine(&web.join("summary.json")),
            want,
            "{name} over http"
        );
    }
}

/// The exit code the in-process run had (0, or 1 for a failed threshold).
fn run_code(out: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(out.join("summary.json")).expect("summary");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let failed = v["thresholds"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t["passed"] == false));
    Some(i32::from(failed))
}

fn stderr_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn remote_failures_end_the_run_with_exit_2_and_a_reason() {
    let dir = temp_dir("drive-failures");
    let s = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/erlang-c.toml");
    // Nothing listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let o = run(
        &s,
        &dir.join("a"),
        Some(&format!("http://127.0.0.1:{port}")),
    );
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        stderr_of(&o).contains("cannot reach the engine"),
        "{}",
        stderr_of(&o)
    );
    assert!(
        !dir.join("a/summary.json").exists(),
        "no report after a failure"
    );

    // A program that exits at once without reading: the write to its closed pipe is a named
    // failure (exit 2), never a death by SIGPIPE (seen with `cmd:echo hello` before the fix:
    // killed by signal 13, nothing said). Five tries, as the race favours an early exit.
    for k in 0..5 {
        let o = run(&s, &dir.join(format!("t{k}")), Some("cmd:true"));
        assert_eq!(o.status.code(), Some(2), "{o:?}");
    }

    // A program that is no engine: its answer is not the protocol's JSON.
    let o = run(&s, &dir.join("b"), Some("cmd:echo hello"));
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        stderr_of(&o).contains("--engine cmd:echo hello"),
        "{}",
        stderr_of(&o)
    );

    // An engine serving another scenario: the setup check names the difference.
    let other =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/rules-monitor-assign.toml");
    let spec = format!("cmd:{BIN} serve {} --stdio", other.display());
    let o = run(&s, &dir.join("c"), Some(&spec));
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stderr_of(&o).contains("setup differs"), "{}", stderr_of(&o));

    // A bad --engine value.
    let o = run(&s, &dir.join("d"), Some("ftp://x"));
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        stderr_of(&o).contains("expected http://HOST:PORT"),
        "{}",
        stderr_of(&o)
    );
}

/// A fake engine: a shell script answering JSON lines (health and reset as given, setup with
/// the real setup of the scenario, and each command batch with `answers`, one per batch, the
/// last repeated).
fn fake_engine(dir: &Path, scenario: &Path, health: &str, answers: &[&str]) -> String {
    let setup = Command::new(BIN)
        .arg("serve")
        .arg(scenario)
        .arg("--stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .expect("piped")
                .write_all(b"{\"op\":\"setup\"}\n")?;
            c.wait_with_output()
        })
        .expect("the real setup");
    let setup_file = dir.join("setup.json");
    std::fs::write(&setup_file, &setup.stdout).expect("write setup");
    let mut cases = String::new();
    for (i, a) in answers.iter().enumerate() {
        cases.push_str(&format!("    {}) echo '{a}';;\n", i + 1));
    }
    let script = format!(
        "n=0\nwhile IFS= read -r line; do\n  case \"$line\" in\n  *'\"op\":\"health\"'*|*'\"op\":\"reset\"'*) echo '{health}';;\n  *'\"op\":\"setup\"'*) cat {};;\n  *) n=$((n+1)); case $n in\n{cases}    *) echo '{}';;\n    esac;;\n  esac\ndone\n",
        setup_file.display(),
        answers.last().expect("an answer")
    );
    let path = dir.join("engine.sh");
    std::fs::write(&path, script).expect("write fake engine");
    format!("cmd:sh {}", path.display())
}

#[test]
fn a_wrong_version_or_an_unknown_conversation_is_a_named_failure() {
    let dir = temp_dir("drive-fake");
    let s = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/erlang-c.toml");
    let ok = r#"{"status":"ok","v":1}"#;

    let spec = fake_engine(&dir, &s, r#"{"status":"ok","v":2}"#, &["{}"]);
    let o = run(&s, &dir.join("v"), Some(&spec));
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        stderr_of(&o).contains("protocol version 2"),
        "{}",
        stderr_of(&o)
    );

    // One arrival reported, then a state change of a conversation never reported.
    let spec = fake_engine(
        &dir,
        &s,
        ok,
        &[
            r#"{"results":[{"effects":[{"type":"arrived","conv":"0.0","queue":0}]}]}"#,
            r#"{"results":[{"effects":[{"type":"state_changed","conv":"7.3","from":"open","to":"active"}]}]}"#,
        ],
    );
    let o = run(&s, &dir.join("u"), Some(&spec));
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let e = stderr_of(&o);
    assert!(
        e.contains("\"7.3\"") && e.contains("never reported arriving"),
        "{e}"
    );
    assert!(!dir.join("u/summary.json").exists());

    // Not JSON at all.
    let spec = fake_engine(&dir, &s, ok, &["results: none"]);
    let o = run(&s, &dir.join("j"), Some(&spec));
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        stderr_of(&o).contains("bad answer to commands"),
        "{}",
        stderr_of(&o)
    );
}

#[test]
fn load_on_a_remote_engine_batches_and_splits_the_latency() {
    let dir = temp_dir("drive-load");
    let s = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/erlang-c.toml");
    let (server, url) = serve_http(&s);
    let out = dir.join("load");
    let o = Command::new(BIN)
        .arg("load")
        .arg(&s)
        .args([
            "--rate",
            "200",
            "--duration",
            "1s",
            "--speed",
            "600",
            "--drain",
            "2s",
        ])
        .args(["--engine", &url, "--quiet", "--out"])
        .arg(&out)
        .stdin(Stdio::null())
        .output()
        .expect("run omnisim load");
    stop(server);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{o:?}");
    let text = std::fs::read_to_string(out.join("load.json")).expect("load.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["invariant_violations"], 0, "{text}");
    assert_eq!(v["conservation_ok"], true, "{text}");
    assert_eq!(v["driver"]["design"], "remote-batched");
    let arrived = v["conversations"]["arrived"].as_u64().expect("arrived");
    assert!(arrived > 100, "{text}");
    let r = &v["remote"];
    let trips = r["round_trips"].as_u64().expect("round trips");
    let cmds = v["commands"].as_u64().expect("commands");
    // Every command went over the wire, some several to a request.
    assert!(trips > 0 && trips <= cmds, "{text}");
    assert!(r["engine_us_per_round_trip"].as_f64().is_some(), "{text}");
    let share = r["network_share_of_latency"].as_f64().expect("share");
    assert!((0.0..=1.0).contains(&share), "{text}");
}
