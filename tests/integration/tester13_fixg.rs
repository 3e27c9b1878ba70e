//! Issue 25, a thirteenth fresh tester: `compare RUN/summary.json FIT/actuals.json` (the
//! history as current) warned that the metrics a history cannot know were "worse … too rare
//! to test" and called its test "different seeds"; a mistyped `--engine` emptied the folder's
//! older outputs before failing; `run --junit` into a missing folder simulated the whole run
//! and only then failed.

use std::path::Path;

use crate::procs::{code_and_stderr, run_in, temp_dir, text};

/// A run of bank-day with its log (3 replications) and the history fitted from that log,
/// compared in both orders: no not-comparable metric in a warning, and the test line names
/// the history.
#[test]
fn a_run_against_its_own_history_warns_of_nothing_either_way() {
    let dir = temp_dir("t13-history");
    let bank = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bank-day.toml");
    let s = bank.to_str().expect("utf-8 path");
    let o = run_in(
        &dir,
        &[
            "run",
            s,
            "--log",
            "--out",
            "r",
            "--quiet",
            "--replications",
            "3",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "run: {}", text(&o.stderr));
    let o = run_in(
        &dir,
        &["fit", "r/conversations.csv", "--out", "f", "--quiet"],
    );
    assert_eq!(o.status.code(), Some(0), "fit: {}", text(&o.stderr));
    for (base, current) in [
        ("r/summary.json", "f/actuals.json"),
        ("f/actuals.json", "r/summary.json"),
    ] {
        let o = run_in(&dir, &["compare", base, current]);
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        for word in [
            "too rare",
            "worse beyond",
            "rule_violations",
            "overallocation",
        ] {
            assert!(!err.contains(word), "{base} vs {current}: {word}\n{err}");
        }
        assert!(
            out.contains("a history (no seed)") && !out.contains("different seeds"),
            "{base} vs {current}:\n{out}"
        );
    }
}

/// A finished run's folder keeps its files when `run` or `load` is given an engine that cannot
/// be reached (exit 2 naming the engine); on main the folder was emptied first.
#[test]
fn an_unreachable_engine_leaves_the_folder_as_it_was() {
    let dir = temp_dir("t13-engine");
    std::fs::write(
        dir.join("small.toml"),
        crate::mmc::scenario("t13", "2h", "0s", 2),
    )
    .unwrap();
    let (code, err) = code_and_stderr(&dir, &["run", "small.toml", "--quiet", "--out", "d"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "load",
            "small.toml",
            "--rate",
            "50",
            "--duration",
            "1s",
            "--quiet",
            "--out",
            "d",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let before: Vec<(String, Vec<u8>)> = ["summary.json", "load.json", "report.html"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.join("d").join(f)).unwrap()))
        .collect();
    for engine in ["http://127.0.0.1:1", "cmd:/nonexistent/engine"] {
        let runs: [&[&str]; 2] = [
            &[
                "run",
                "small.toml",
                "--quiet",
                "--out",
                "d",
                "--engine",
                engine,
            ],
            &[
                "load",
                "small.toml",
                "--rate",
                "50",
                "--duration",
                "1s",
                "--quiet",
                "--out",
                "d",
                "--engine",
                engine,
            ],
        ];
        for args in runs {
            let (code, err) = code_and_stderr(&dir, args);
            assert_eq!(code, Some(2), "{args:?}: {err}");
            assert!(
                err.contains(&format!("--engine {engine}")),
                "{args:?}: {err}"
            );
            for (f, bytes) in &before {
                let now = std::fs::read(dir.join("d").join(f)).ok();
                assert_eq!(now.as_ref(), Some(bytes), "{args:?}: {f} changed or gone");
            }
        }
    }
}

/// `run --junit` into a folder that does not exist is bad input found before the run: exit 2
/// naming the option and the folder, and no summary written (the scenario would take long).
#[test]
fn junit_into_a_missing_folder_fails_before_the_run() {
    let dir = temp_dir("t13-junit");
    std::fs::write(
        dir.join("long.toml"),
        crate::mmc::scenario("t13", "9000h", "0s", 20),
    )
    .unwrap();
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "run",
            "long.toml",
            "--quiet",
            "--out",
            "d",
            "--junit",
            "no-such-folder/x.xml",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--junit") && err.contains("no-such-folder"),
        "{err}"
    );
    assert!(!dir.join("d").join("summary.json").exists());
}
