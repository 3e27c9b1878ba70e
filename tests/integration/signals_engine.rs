//! Issue 25, fifth pass (a fresh tester's findings): a stop signal while `run --engine` or
//! `load --engine` waits for an external engine ends the command at once with exit 130 (it
//! was ignored until the 30 s answer timeout, then exit 2), the engine's process group killed
//! and what finished written, marked partial. "At once" is counted, not timed: no request
//! is sent to the engine after the signal (the work log's `request` lines), and a wait for an
//! engine that never answers ends in 130, not in the timeout's exit 2. Each signal is sent once
//! the engine is up (its pid files) or the run under way (batches sent), not after a sleep.

use crate::procs::{
    assert_gone, json, signal_once, signal_when, spawn_logged, temp_dir, wrapper_engine, written,
};

/// Requests (command batches) a stopped run may still send after the signal: one begun
/// between the signal's line and the flag, with room. One that ignored the signal sent them
/// until the event loop's next check (up to 4,096 events) or the end of the replication.
const REQUESTS_AFTER: usize = 2;

/// M/M/c (300/h, exponential 100 s), four replications of 200 h: several seconds over a
/// JSON-lines engine.
static MMC: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::mmc::scenario("mmc-remote", "200h", "1h", 4));

/// Found by a fresh tester: `run --engine "cmd:sleep 1000"` ignored SIGINT and ended 29 s
/// later with exit 2 (no health answer within 30 s). Now: exit 130 (measured within 0.1 s of
/// the signal), no request sent, a summary marked partial with every replication empty, the
/// wrapper and its child killed. `load --engine` likewise (SIGTERM): 130, nothing written.
#[test]
fn a_stop_signal_ends_run_and_load_waiting_for_an_engine_and_kills_its_group() {
    let dir = temp_dir("engine-wait");
    let sc = dir.join("mmc.toml");
    std::fs::write(&sc, &*MMC).unwrap();
    let sc = sc.to_str().unwrap();
    let (engine, wrap, inner) = wrapper_engine(&dir);
    let out = dir.join("run");
    let (child, log) = spawn_logged(&[
        "run",
        sc,
        "--engine",
        &engine,
        "--out",
        out.to_str().unwrap(),
    ]);
    // Once the engine is up (both pid files written): the run waits for its answer.
    let (code, err) = signal_once(child, || written(&wrap) && written(&inner), "-INT");
    assert_eq!(code, Some(130), "{err}");
    log.assert_stopped_within("run", &[("request", 0), ("rep", 0)]);
    assert!(err.contains("partial"), "{err}");
    let s = json(&out.join("summary.json"));
    assert_eq!(s["partial"], true, "{s}");
    assert_eq!(s["replications_finished"], 0, "{s}");
    assert_gone("run", &[&wrap, &inner]);

    let _ = std::fs::remove_file(&wrap);
    let _ = std::fs::remove_file(&inner);
    let out = dir.join("load");
    let (child, log) = spawn_logged(&[
        "load",
        sc,
        "--rate",
        "100",
        "--duration",
        "10s",
        "--engine",
        &engine,
        "--out",
        out.to_str().unwrap(),
    ]);
    let (code, err) = signal_once(child, || written(&wrap) && written(&inner), "-TERM");
    assert_eq!(code, Some(130), "{err}");
    log.assert_stopped_within("load", &[("request", 0), ("load", 0)]);
    assert!(err.contains("before the load began"), "{err}");
    assert!(!out.join("load.json").exists());
    assert_gone("load", &[&wrap, &inner]);
}

/// A stop in the middle of `run --engine` on a real engine (`omnisim serve --stdio`): 130 at
/// once, replication 1 cut where it was (conversations counted, marked partial), the later
/// ones, never begun, without a `by_replication` row (issue 25), the engine gone.
#[test]
fn a_stop_signal_mid_run_on_an_engine_keeps_what_was_simulated() {
    let dir = temp_dir("engine-mid");
    let sc = dir.join("mmc.toml");
    std::fs::write(&sc, &*MMC).unwrap();
    let sc = sc.to_str().unwrap();
    let engine = format!("cmd:{} serve {sc} --stdio", env!("CARGO_BIN_EXE_omnisim"));
    let (s, arrived) = run_on_engine_stopped(&dir, sc, &engine, 200);
    assert!(arrived[0] > 0, "replication 1 sent 200 requests: {s}");
    assert!(
        arrived.len() < 4,
        "replication 4 never began: no row for it: {s}"
    );
    assert_eq!(s["by_replication"][0]["replication"], 0, "{s}");
}

/// `run SC --engine ENGINE --out DIR/out`, SIGINT once it has sent `requests` requests:
/// asserts exit 130, at most [`REQUESTS_AFTER`] requests sent after the signal and a partial
/// summary; returns it and each replication's arrivals.
fn run_on_engine_stopped(
    dir: &std::path::Path,
    sc: &str,
    engine: &str,
    requests: usize,
) -> (serde_json::Value, Vec<u64>) {
    let out = dir.join("out");
    let (child, log) = spawn_logged(&[
        "run",
        sc,
        "--engine",
        engine,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let (code, err) = signal_when(child, &log, ("request", requests), "-INT");
    assert_eq!(code, Some(130), "{err}");
    log.assert_stopped_within("run --engine", &[("request", REQUESTS_AFTER), ("rep", 0)]);
    let s = json(&out.join("summary.json"));
    assert_eq!(s["partial"], true, "{s}");
    let arrived = s["by_replication"]
        .as_array()
        .expect("by_replication")
        .iter()
        .map(|r| r["conversations"]["arrived"].as_u64().unwrap())
        .collect();
    (s, arrived)
}

/// Found by a fresh tester (sixth pass): an engine answering each command in 10–40 ms never
/// made a wait last the 50 ms poll slice, and the simulator looks at the flag only every 4,096
/// events, so SIGINT was ignored until the replication ended (18.8 s later). Now (measured
/// within 0.1 s of the signal) exit 130 behind a 10 ms-per-answer proxy, summary partial with
/// replication 1 cut and counted up to there: no batch is sent once the flag is set (the work
/// log's count after the signal).
#[test]
fn a_stop_signal_ends_a_run_on_an_engine_that_answers_quickly() {
    let dir = temp_dir("engine-quick");
    let sc = dir.join("mmc.toml");
    std::fs::write(&sc, &*MMC).unwrap();
    let sc = sc.to_str().unwrap();
    // Each request line waits 10 ms, then goes to `omnisim serve --stdio`; its answer comes back.
    let proxy = dir.join("slow.sh");
    std::fs::write(
        &proxy,
        format!(
            "coproc E {{ exec {} serve {sc} --stdio; }}\n\
             while IFS= read -r line; do sleep 0.01; printf '%s\\n' \"$line\" >&\"${{E[1]}}\"; \
             IFS= read -r ans <&\"${{E[0]}}\" || exit 1; printf '%s\\n' \"$ans\"; done\n",
            env!("CARGO_BIN_EXE_omnisim")
        ),
    )
    .unwrap();
    let engine = format!("cmd:bash {}", proxy.display());
    let (s, arrived) = run_on_engine_stopped(&dir, sc, &engine, 100);
    assert!(arrived[0] > 0, "replication 1 sent 100 batches: {s}");
    assert_eq!(
        arrived.len(),
        1,
        "replication 2 never began: no row for it: {s}"
    );
}
