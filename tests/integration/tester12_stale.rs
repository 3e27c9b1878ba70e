//! Issue 25, a twelfth fresh tester: a second Ctrl-C (or a kill) while `run --log --trace` was
//! working left the older run's `conversations.csv` and `trace.jsonl` beside the new partial
//! summary (they were removed only once the new output was written). The older files of every
//! kind a command writes are now removed when its work begins. Also: a forecast rewritten in
//! place during `sweep --target` read as "the file is empty" at a bisection step (not "changed
//! while the sweep ran"), and the finished points were lost; `staff`'s `rostered.toml` named
//! its forecast by an absolute path and `run` warned about its own roster's `shift` column.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::procs::{code_and_stderr, kill, spawn, temp_dir, wait_ended, HANG_GUARD};

/// Waits (at most the hang guard: a generous "it happened" bound, not a timing assertion)
/// until `ready()` holds; fails with `what` if it never does.
fn wait_for(what: &str, ready: impl Fn() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < HANG_GUARD, "hung: never {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `run --log --trace` into a folder holding an older run's log and trace, killed once its
/// first trace part exists (its work under way): no older log, trace or summary is left
/// beside the new run's parts. On main the older 42 MB log stayed (the tester's second Ctrl-C
/// ends the process as a kill does).
#[test]
fn a_run_ended_at_once_leaves_no_older_log_or_trace() {
    let dir = temp_dir("t12-run-kill");
    std::fs::write(
        dir.join("small.toml"),
        crate::mmc::scenario("t12", "2h", "0s", 2),
    )
    .unwrap();
    std::fs::write(
        dir.join("long.toml"),
        crate::mmc::scenario("t12", "9000h", "0s", 20),
    )
    .unwrap();
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "run",
            "small.toml",
            "--log",
            "--trace",
            "--quiet",
            "--out",
            "d",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let d = dir.join("d");
    for f in ["conversations.csv", "trace.jsonl", "summary.json"] {
        assert!(d.join(f).exists(), "{f}");
    }
    let long = dir.join("long.toml");
    let mut child = spawn(&[
        "run",
        long.to_str().unwrap(),
        "--log",
        "--trace",
        "--quiet",
        "--out",
        d.to_str().unwrap(),
    ]);
    wait_for("the new run's first trace part", || {
        d.join("trace.jsonl.part-0").exists()
    });
    kill("-KILL", child.id());
    wait_ended(&mut child);
    for f in [
        "conversations.csv",
        "trace.jsonl",
        "summary.json",
        "report.html",
    ] {
        assert!(!d.join(f).exists(), "the older run's {f} is left");
    }
}

/// `sweep` into a folder holding an older sweep's files: they are gone once its points run,
/// so a sweep ended at once (a kill, a second signal) leaves none of them.
#[test]
fn a_sweep_ended_at_once_leaves_no_older_sweep_files() {
    let dir = temp_dir("t12-sweep-kill");
    std::fs::write(
        dir.join("small.toml"),
        crate::mmc::scenario("t12", "2h", "0s", 1),
    )
    .unwrap();
    std::fs::write(
        dir.join("long.toml"),
        crate::mmc::scenario("t12", "9000h", "0s", 4),
    )
    .unwrap();
    let vary = "agent_groups.agent.count=9..12";
    let target = "service_level.fraction>=0.8";
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "sweep",
            "small.toml",
            "--vary",
            vary,
            "--target",
            target,
            "--quiet",
            "--out",
            "s",
        ],
    );
    assert!(matches!(code, Some(0 | 1)), "{err}");
    let s = dir.join("s");
    for f in ["sweep.csv", "sweep.html", "target.json"] {
        assert!(s.join(f).exists(), "{f}");
    }
    let long = dir.join("long.toml");
    let mut child = spawn(&[
        "sweep",
        long.to_str().unwrap(),
        "--vary",
        vary,
        "--quiet",
        "--out",
        s.to_str().unwrap(),
    ]);
    wait_for("the older sweep's files removed as the points run", || {
        !s.join("sweep.csv").exists()
    });
    kill("-KILL", child.id());
    wait_ended(&mut child);
    for f in ["sweep.csv", "sweep.html", "target.json"] {
        assert!(!s.join(f).exists(), "the older sweep's {f} is left");
    }
}

/// The tester's forecast scenario, at `count` agents of group `a`.
const FC: &str = r#"[scenario]
name = "fc"
horizon = "8h"
seed = 3
replications = 2
service_level = "20s"

[[workstreams]]
name = "calls"
channel = "voice"
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "exponential", mean = "3m" }

[[queues]]
name = "q"
workstream = "calls"

[[agent_groups]]
name = "a"
count = 10
queues = ["q"]

[traffic]
forecast = { file = "data/fc.csv", queue = "q" }
"#;

/// Half-hour volumes of an 8-hour day, 300 or 600 a half hour.
fn volumes() -> String {
    let mut s = "interval_start,volume\n".to_string();
    for i in 0..16 {
        let v = if (4..12).contains(&i) { 600 } else { 300 };
        s += &format!("{},{v}\n", i * 1800);
    }
    s
}

/// The forecast emptied (rewritten in place) between the grid and the target search: the
/// bisection step's read fails, which is the file changing while the sweep ran, and the grid
/// is kept, marked partial, with the refusal's message (main: "the scenario at … is invalid:
/// … the file is empty", the grid lost).
#[test]
fn a_forecast_emptied_during_the_search_is_a_change_and_keeps_the_grid() {
    use omnisim::workflows::sweep::{self, SweepSpec};
    let dir = temp_dir("t12-sweep-changed");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/fc.csv"), volumes()).unwrap();
    let path = dir.join("fc.toml");
    std::fs::write(&path, FC).unwrap();
    let spec = SweepSpec::from_args(
        FC.to_string(),
        path.display().to_string(),
        &["agent_groups.a.count=20..120:50".to_string()],
        Some("service_level.fraction>=0.8"),
        None,
        None,
    )
    .unwrap();
    let grid = sweep::prepare(&spec).unwrap();
    let no_target = SweepSpec {
        target: None,
        ..spec.clone()
    };
    let ran = sweep::run_prepared(&no_target, grid, None).unwrap();
    assert_eq!(ran.points.len(), 3);
    // Rewritten in place, caught empty.
    std::fs::write(dir.join("data/fc.csv"), "").unwrap();
    let r = sweep::finish(&spec, ran.points).expect("kept, not an error");
    let why = r.refused.clone().expect("refused");
    assert!(
        why.contains("traffic.forecast = data/fc.csv changed while the sweep ran"),
        "{why}"
    );
    assert!(r.partial);
    assert_eq!(r.points.len(), 3, "the grid is kept");
    assert!(r.search_cut.is_some());
    let line = omnisim::workflows::sweep_render::answer_line(&r);
    assert!(
        line.starts_with("stopped (partial: an input file changed)"),
        "{line}"
    );
    // A stopped search gives no best point's verdict (branch fixe-16's fix of a fresh tester's
    // find: a stopped sweep's passing point was said to miss clearly).
    let t = omnisim::workflows::sweep_render::target_json(&r);
    assert!(t["best"].is_null(), "{t}");
    assert!(!line.contains("misses clearly"), "{line}");
}

/// `staff --shifts` on a scenario whose forecast lies in `data/`: `rostered.toml` names it
/// relative to its own folder (as it names `roster.csv`), so the project copied elsewhere
/// runs, and `run` reads omnisim's own `roster.csv` without a warning about its `shift` column.
#[test]
fn staffs_rostered_toml_runs_as_it_is_from_a_moved_project() {
    let dir = temp_dir("t12-rostered");
    let p = dir.join("p");
    std::fs::create_dir_all(p.join("data")).unwrap();
    std::fs::write(p.join("data/fc.csv"), volumes()).unwrap();
    std::fs::write(
        p.join("s.toml"),
        FC.replace("replications = 2", "replications = 4"),
    )
    .unwrap();
    std::fs::write(
        p.join("shifts.toml"),
        "[[shifts]]\nname = \"day\"\nstarts = [\"00:00\"]\nlength = \"8h\"\n",
    )
    .unwrap();
    let (code, err) = code_and_stderr(
        &p,
        &[
            "staff",
            "s.toml",
            "--target",
            "service_level.fraction>=0.8",
            "--interval",
            "30m",
            "--shifts",
            "shifts.toml",
            "--quiet",
            "--out",
            "out",
        ],
    );
    assert!(matches!(code, Some(0 | 1)), "{err}");
    let text = std::fs::read_to_string(p.join("out/rostered.toml")).unwrap();
    assert!(text.contains("file = \"../data/fc.csv\""), "{text}");
    // The project copied elsewhere, the original's forecast gone.
    let q = dir.join("q");
    std::fs::create_dir_all(q.join("data")).unwrap();
    std::fs::create_dir_all(q.join("out")).unwrap();
    for f in ["data/fc.csv", "out/rostered.toml", "out/roster.csv"] {
        std::fs::copy(p.join(f), q.join(f)).unwrap();
    }
    std::fs::remove_file(p.join("data/fc.csv")).unwrap();
    let (code, err) = code_and_stderr(
        &q,
        &[
            "run",
            "out/rostered.toml",
            "--replications",
            "1",
            "--out",
            "r",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert!(Path::new(&q.join("r/summary.json")).exists());
}
