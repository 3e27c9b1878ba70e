//! Issue 25, fourth pass (a fresh tester's findings): a stop signal during `sweep`'s target
//! search (bisection) and during `conform` against an engine that never answers; an engine
//! that never answers a setup ends `conform` early; and a run's output folder holds no file of
//! a kind the run did not write (an older run's trace or log told its own story to
//! `explain`).

use crate::procs::{
    assert_gone, bin, json, kill, signal_once, signal_when, silent_engine, spawn, spawn_logged,
    stderr, temp_dir, wait_ended, written, HANG_GUARD,
};

/// M/M/c (300/h, exponential 100 s): 10 agents miss a 0.74 service level, 11 meet it. Over
/// the grid 10, 1034 the search bisects ten times, each step a whole run.
static MMC: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::mmc::scenario("mmc-search", "400h", "1h", 2));

/// Found by a fresh tester: a SIGINT in the bisection was ignored (exit 0 seconds later, the
/// search run to its end, target.json unmarked), a second one lost everything. Now: 130, the
/// grid and the finished bisection steps written, target.json `"partial": true` with where the
/// search was cut, and no step finished after the signal (but one racing it): the work log's
/// `point` lines. The signal is sent once the grid's two points and the first step have
/// finished (the log), not at a multiple of the grid's measured time.
#[test]
fn sigint_in_a_sweep_target_search_keeps_the_grid_and_the_finished_steps() {
    let dir = temp_dir("sweep-search");
    let sc = dir.join("mmc.toml");
    std::fs::write(&sc, &*MMC).unwrap();
    let sc = sc.to_str().unwrap().to_string();
    let vary = "agent_groups.agent.count=10,1034";
    let out = dir.join("out");
    let (child, log) = spawn_logged(&[
        "sweep",
        &sc,
        "--vary",
        vary,
        "--target",
        "service_level.fraction>=0.74",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    // Past the grid (two points) and the search's first step: early in its ten steps.
    let (code, err) = signal_when(child, &log, ("point", 3), "-INT");
    assert!(err.contains("the target search was cut"), "{err}");
    assert_eq!(code, Some(130), "{err}");
    log.assert_stopped_within("sweep --target", &[("point", 1)]);
    let target = json(&out.join("target.json"));
    assert_eq!(target["partial"], true, "{target}");
    assert_eq!(target["met"], false, "{target}");
    let (lo, hi) = (
        target["search_cut"]["last_failing"].as_f64().unwrap(),
        target["search_cut"]["first_passing"].as_f64().unwrap(),
    );
    assert!(lo == 10.0 && (11.0..=1034.0).contains(&hi), "{target}");
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert!(rows.iter().any(|r| r.starts_with("10,")), "{csv}");
    assert!(rows.iter().any(|r| r.starts_with("1034,")), "{csv}");
    // Every finished step is written: the bracket's ends are points of the file.
    for v in [lo, hi] {
        assert!(
            rows.iter().any(|r| r.starts_with(&format!("{v},"))),
            "{v}: {csv}"
        );
    }
}

/// Found by a fresh tester: against an engine that never answers, `conform` ignored SIGINT
/// (in a background job), and SIGTERM killed it with 143 and left the engine running. Now
/// both end it with 130 (not the answer timeouts' exit 2), the engine killed, the report
/// written and marked partial.
#[test]
fn a_stop_signal_ends_conform_against_a_silent_engine_and_kills_it() {
    for signal in ["-INT", "-TERM"] {
        let dir = temp_dir(&format!("conform{signal}"));
        let (engine, pid_file) = silent_engine(&dir);
        let out = dir.join("out");
        let child = spawn(&[
            "conform",
            "--engine",
            &engine,
            "--out",
            out.to_str().unwrap(),
        ]);
        // Once the engine is up (its pid file): conform waits for its first answer. Ignored,
        // the signal would leave it to the answer timeouts (exit 2) or kill it (143).
        let (code, err) = signal_once(child, || written(&pid_file), signal);
        assert_eq!(code, Some(130), "{signal}: {err}");
        assert_gone(signal, &[&pid_file]);
        let report = json(&out.join("conformance.json"));
        assert_eq!(report["partial"], true, "{report}");
        assert_eq!(report["failed"], 0, "no verdict on rules not run: {report}");
        // A fourteenth tester: a rule with no case (RT-QUEUE) was listed as one "whose every
        // case ran" when the stop came before any case ended. Nothing ran, nothing listed.
        assert_eq!(report["not_covered"], 0, "{report}");
        assert!(!err.contains("wrote the 1 rule"), "{signal}: {err}");
        let xml = std::fs::read_to_string(out.join("conformance.xml")).unwrap();
        assert!(xml.contains("name=\"partial\" value=\"true\""), "{xml}");
    }
}

/// Found by a fresh tester: an engine that never answers was waited for in every case (91
/// cases, 10 s each). Now the run ends after the first three setups with exit 2, and the
/// engine is not left running.
#[test]
fn conform_gives_up_on_an_engine_that_never_answers_a_setup() {
    let dir = temp_dir("conform-silent");
    let (engine, pid_file) = silent_engine(&dir);
    let out = dir.join("out");
    let mut child = spawn(&[
        "conform",
        "--engine",
        &engine,
        "--out",
        out.to_str().unwrap(),
    ]);
    let status = wait_ended(&mut child);
    assert_gone("conform", &[&pid_file]);
    let err = stderr(&mut child);
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains("was lost in the setup of every case (the first 3 cases")
            && err.contains("did not answer setup"),
        "{err}"
    );
    assert!(!out.join("conformance.json").exists());
}

/// Found by a fresh tester: a run without `--trace` / `--log` into a folder of a traced,
/// logged run left the older trace.jsonl and conversations.csv, and `explain` told the older
/// run's story; a sweep without `--target` left an older target.json.
#[test]
fn a_run_leaves_no_older_file_of_a_kind_it_did_not_write() {
    let dir = temp_dir("stale");
    let sc = dir.join("mmc.toml");
    std::fs::write(&sc, MMC.replace("400h", "2h")).unwrap();
    let sc = sc.to_str().unwrap();
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let run = |extra: &[&str]| {
        let s = bin()
            .args(["run", sc, "--out", o, "--quiet"])
            .args(extra)
            .status()
            .unwrap();
        assert_eq!(s.code(), Some(0), "{extra:?}");
    };
    run(&["--log", "--trace", "--trace-replication", "1"]);
    assert!(out.join("trace.jsonl").exists() && out.join("conversations.csv").exists());
    run(&["--log"]);
    assert!(!out.join("trace.jsonl").exists(), "an older trace left");
    assert!(out.join("conversations.csv").exists());
    run(&[]);
    assert!(!out.join("conversations.csv").exists(), "an older log left");
    let e = bin()
        .args(["explain", o, "--conversation", "3"])
        .output()
        .unwrap();
    assert_eq!(
        e.status.code(),
        Some(2),
        "explain has no trace to tell from"
    );
    let sweep = |target: &[&str]| {
        bin()
            .args([
                "sweep",
                sc,
                "--vary",
                "agent_groups.agent.count=10,12",
                "--quiet",
            ])
            .args(["--out", o])
            .args(target)
            .status()
            .unwrap()
    };
    assert_eq!(
        sweep(&["--target", "service_level.fraction>=0.5"]).code(),
        Some(0)
    );
    assert!(out.join("target.json").exists());
    assert_eq!(sweep(&[]).code(), Some(0));
    assert!(
        !out.join("target.json").exists(),
        "an older target.json left"
    );
}

/// Found by a fresh tester (sixth pass): a signal after every replication finished (while
/// `run --trace` joined its trace) marked summary.json `"partial": true` without
/// `replications_finished`, which every partial summary has. Measured now: the signal once
/// summary.json is written, exit 130, `"partial": true`, `replications_finished` 2 of 2.
#[test]
fn a_signal_after_the_simulation_says_every_replication_finished() {
    let dir = temp_dir("late-partial");
    let sc = dir.join("mmc.toml");
    std::fs::write(&sc, &*MMC).unwrap();
    let sc = sc.to_str().unwrap();
    let out = dir.join("out");
    let mut child = spawn(&[
        "run",
        sc,
        "--trace",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    // summary.json is written (atomically) after the simulation, before the trace is joined.
    let summary = out.join("summary.json");
    let t = std::time::Instant::now();
    while !summary.exists() {
        assert!(t.elapsed() < HANG_GUARD, "hung: no summary.json");
        assert!(
            child.try_wait().unwrap().is_none(),
            "ended before its summary"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    kill("-INT", child.id());
    let status = wait_ended(&mut child);
    assert_eq!(
        status.code(),
        Some(130),
        "the trace was joined before the signal"
    );
    let s = json(&summary);
    assert_eq!(s["partial"], true, "{s}");
    assert_eq!(s["replications_finished"], 2, "{s}");
    assert_eq!(s["replications"], 2, "{s}");
}
