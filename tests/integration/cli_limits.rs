//! Issue 25, second pass (items B, F, L of the tester's findings): command-line values held to
//! the limits and rules the scenario file's own values meet, refused with the reason (exit 2,
//! every problem at once, nothing run): `--replications` of `run`, `sweep`, `staff` and `ab`;
//! `load`'s `--rate`, `--workers` and `--batch`; `fit` and `staff` `--interval`.

use std::path::PathBuf;
use std::process::{Command, Output};

fn omnisim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args(args)
        .output()
        .expect("omnisim runs")
}

/// Exit 2, nothing on stdout, and every one of `want` on stderr.
fn refused(args: &[&str], want: &[&str]) -> String {
    let out = omnisim(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}");
    for w in want {
        assert!(err.contains(w), "{args:?}: {w:?} not in\n{err}");
    }
    err
}

const SCENARIO: &str = "tests/conformance/erlang-c.toml";

/// `s.toml` holding `text` in a fresh folder (removed when the answered guard is dropped).
fn temp_scenario(tag: &str, text: &str) -> (crate::procs::TempDir, PathBuf) {
    let dir = crate::procs::TempDir::new(&format!("cli-limits-{tag}"));
    let p = dir.join("s.toml");
    std::fs::write(&p, text).expect("write");
    (dir, p)
}

#[test]
fn replications_on_the_command_line_meet_the_files_limit() {
    // The tester's example: `run --replications 10001` ran (1.66 GB) where the file's
    // `replications = 10001` is refused.
    refused(
        &["run", SCENARIO, "--replications", "10001", "--quiet"],
        &[
            "--replications 10001: 10001 replications is over the limit of 10000 replications",
            "--allow-huge",
        ],
    );
    // Variant: the same for the other commands that take the flag.
    for cmd in [
        vec!["staff", SCENARIO, "--target", "service_level.fraction>=0.8"],
        vec!["ab", SCENARIO, "--variant", SCENARIO],
        vec!["sweep", SCENARIO, "--vary", "agent_groups.agent.count=1..2"],
    ] {
        let mut args = cmd.clone();
        args.extend(["--replications", "20000", "--quiet"]);
        refused(
            &args,
            &["20000 replications is over the limit of 10000 replications"],
        );
    }
    // Variant: within the count limit, but the arrivals over that many replications are not
    // (1,000/s for a day is 8.64e7 a replication; 100 of them 8.64e9 > 2e9).
    let (_dir, p) = temp_scenario(
        "arrivals",
        "[scenario]\nname = \"busy\"\nhorizon = \"1d\"\n\n[[workstreams]]\nname = \"w\"\n\
         channel = \"voice\"\nhandle_time = { dist = \"exponential\", mean = \"1s\" }\n\n\
         [[queues]]\nname = \"q\"\nworkstream = \"w\"\narrivals = { rate = \"1000/s\" }\n\n\
         [[agent_groups]]\nname = \"a\"\ncount = 2000\nqueues = [\"q\"]\n",
    );
    let p = p.to_str().expect("utf-8");
    refused(
        &["run", p, "--replications", "100", "--quiet"],
        &["--replications 100: about 8.640e9 expected arrivals"],
    );
    refused(
        &["run", p, "--replications", "0", "--quiet"],
        &["--replications must be at least 1"],
    );
}

#[test]
fn load_refuses_rates_workers_and_batches_it_cannot_serve() {
    // The tester's example: --rate 1e12 for 1 s was accepted (3.3 GB, 23 s).
    refused(
        &["load", SCENARIO, "--rate", "1e12", "--duration", "1s"],
        &["--rate/--ramp: 1000000000000 conversations per second is over the limit of 10000000"],
    );
    // Variant: a ramp stage over the limit, and zero workers and batch, all at once.
    let err = refused(
        &[
            "load",
            SCENARIO,
            "--rate",
            "10",
            "--duration",
            "1s",
            "--ramp",
            "1s:20000000",
            "--workers",
            "0",
            "--batch",
            "0",
        ],
        &[
            "20000000 conversations per second is over the limit",
            "--workers must be between 1 and 1024",
            "--batch must be at least 1",
        ],
    );
    assert_eq!(err.lines().count(), 3, "{err}");
    // Variant: a rate within the limit for too long.
    refused(
        &["load", SCENARIO, "--rate", "5000000", "--duration", "1000s"],
        &["is over the limit of 2000000000"],
    );
}

#[test]
fn intervals_say_they_must_be_positive_and_at_most_a_day() {
    // The tester's examples: `fit --interval 0s` said "expected a duration such as 30m";
    // `fit --interval 25h` said "24 h is 0 × 1d1h and 1d more".
    refused(
        &["fit", "no-such-history.csv", "--interval", "0s"],
        &["--interval 0s is not positive"],
    );
    refused(
        &["fit", "no-such-history.csv", "--interval", "25h"],
        &["--interval 25h is longer than a day", "use at most 24h"],
    );
    // Issue 25, a seventh tester: the value is echoed as written, not normalised ("1d1h").
    refused(
        &["fit", "no-such-history.csv", "--interval", "90000s"],
        &["--interval 90000s is longer than a day"],
    );
    // Variant: `staff --interval 25h` was accepted and labelled an interval 25:00.
    refused(
        &[
            "staff",
            SCENARIO,
            "--target",
            "service_level.fraction>=0.8",
            "--interval",
            "25h",
        ],
        &["--interval 25h is longer than a day"],
    );
    refused(
        &[
            "staff",
            SCENARIO,
            "--target",
            "service_level.fraction>=0.8",
            "--interval",
            "7m",
        ],
        &["--interval 7m does not divide a day"],
    );
}

#[test]
fn ab_says_the_variants_own_seed_and_replications_are_not_used() {
    // The tester's example: a variant with its own seed ran silently on the base's.
    let base = std::fs::read_to_string(SCENARIO).expect("read");
    assert!(base.contains("seed = "), "the base names a seed");
    let (_dir, variant) = temp_scenario(
        "ab-seed",
        &base
            .replacen("seed = ", "seed = 9", 1)
            .replacen("count = ", "count = 1", 1),
    );
    let dir = variant.parent().expect("dir").join("out");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "ab",
            SCENARIO,
            "--variant",
            variant.to_str().expect("utf-8"),
            "--out",
            dir.to_str().expect("utf-8"),
        ];
        args.extend(extra);
        let out = omnisim(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = run(&["--replications", "1"]);
    assert!(err.contains("note: "), "{err}");
    assert!(err.contains("the variant's seed 9"), "{err}");
    assert!(
        err.contains("ignored: both sides run on common random numbers"),
        "{err}"
    );
    // Variant: --quiet prints no note.
    assert!(!run(&["--replications", "1", "--quiet"]).contains("note"));
}
