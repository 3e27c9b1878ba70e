//! The command line's one error printer (issue 22): every bad-input path prints `error: …`
//! lines from `cli::main` and exits 2, and library errors that name no flag come out with the
//! flag the command adds, word for word as before the refactor.

use std::process::{Command, Output};

fn omnisim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args(args)
        .output()
        .expect("omnisim runs")
}

/// Exit 2 and exactly this standard error.
fn bad(args: &[&str], stderr: &str) {
    let out = omnisim(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), stderr, "{args:?}");
    assert!(out.stdout.is_empty(), "{args:?}");
}

const SCENARIO: &str = "tests/conformance/erlang-c.toml";

#[test]
fn library_errors_get_their_flag_from_the_command() {
    bad(
        &["run", SCENARIO, "--shard", "0/4"],
        "error: --shard \"0/4\": expected K/N with 1 <= K <= N, e.g. 1/4\n",
    );
    bad(
        &["sweep", SCENARIO, "--vary", "x=a..b", "--shard", "1/2"],
        "error: --vary \"x=a..b\": \"a\" is not a number\n",
    );
    bad(
        &["sweep", SCENARIO, "--vary", "x"],
        "error: --vary \"x\": expected PATH=FROM..TO[:STEP] or PATH=A,B,C\n",
    );
    bad(
        &["sweep", SCENARIO],
        "error: sweep needs at least one --vary PATH=FROM..TO[:STEP]\n",
    );
    bad(
        &[
            "sweep",
            SCENARIO,
            "--vary",
            "agent_groups.agent.count=1..2",
            "--replications",
            "0",
        ],
        "error: --replications must be at least 1\n",
    );
    // 1440 min = 205 × 7 min + 5 min (checked before the file is read).
    let out = omnisim(&["fit", "no-such-history.csv", "--interval", "7m"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(
            "error: --interval 7m does not divide a day (24 h is 205 such intervals and 5m more)"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn load_flag_problems_are_all_listed_with_their_flags() {
    let out = omnisim(&[
        "load",
        SCENARIO,
        "--rate",
        "1",
        "--duration",
        "1s",
        "--ramp",
        "",
        "--threshold",
        "latency_us.p98<=5",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(
            "error: --ramp has no stage\n\
             error: --threshold: unknown load.json path \"latency_us.p98\" ("
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
}

#[test]
fn every_problem_of_both_ab_scenarios_is_printed() {
    let out = omnisim(&[
        "ab",
        "no-such-base.toml",
        "--variant",
        "no-such-variant.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let base = err.find("error: no-such-base.toml is not a valid scenario:");
    let variant = err.find("error: no-such-variant.toml (--variant) is not a valid scenario:");
    assert!(
        matches!((base, variant), (Some(b), Some(v)) if b < v),
        "{err}"
    );
}

#[test]
fn quiet_is_one_flag_every_printing_command_takes() {
    let out = omnisim(&["validate", SCENARIO, "--quiet"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    let out = omnisim(&["validate", SCENARIO]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(": valid ("));
    // Commands that print nothing but their answer take no --quiet.
    let out = omnisim(&[
        "erlang", "--rate", "300/h", "--aht", "100s", "--agents", "10", "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
