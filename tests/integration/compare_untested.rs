//! Issue 25, ninth pass: `compare` of two runs with different seeds and a single replication
//! on a side exited 1 "REGRESSION (> 5%, untested)" (a CI false alarm: nothing can be tested).
//! Now exit 2 with the reason and the fix, unless `--allow-untested` (tolerance alone, with a
//! warning); the same seed with one replication stays a deterministic comparison.

use crate::procs::code_and_stderr as omnisim;

#[test]
fn different_seeds_with_one_replication_are_refused_unless_allowed() {
    let dir = crate::procs::TempDir::new("compare-untested");
    let storm = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/faults/supervisor-storm.toml"
    );
    for (seed, reps, out) in [
        ("101", "1", "a"),
        ("202", "1", "b"),
        ("101", "1", "c"),
        ("202", "3", "d"),
    ] {
        let (c, e) = omnisim(
            &dir,
            &[
                "run",
                storm,
                "--seed",
                seed,
                "--replications",
                reps,
                "--out",
                out,
                "--quiet",
            ],
        );
        assert_eq!(c, Some(0), "{e}");
    }
    // The tester's pair: seeds 101 and 202, one replication each.
    let (c, e) = omnisim(&dir, &["compare", "a/summary.json", "b/summary.json"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(
        e.contains("different seeds (101 and 202) and each has a single replication"),
        "{e}"
    );
    assert!(e.contains("--replications 2 or more"), "{e}");
    assert!(e.contains("the same --seed"), "{e}");
    assert!(e.contains("--allow-untested"), "{e}");
    // Variant: one replication on one side only.
    let (c, e) = omnisim(&dir, &["compare", "a/summary.json", "d/summary.json"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("the baseline has a single replication"), "{e}");
    // Allowed: today's tolerance-only comparison, with a warning (exit 0 or 1).
    let (c, e) = omnisim(
        &dir,
        &[
            "compare",
            "a/summary.json",
            "b/summary.json",
            "--allow-untested",
            "--quiet",
        ],
    );
    assert!(matches!(c, Some(0 | 1)), "{e}");
    assert!(
        e.contains("(--allow-untested): compared on the tolerance alone"),
        "{e}"
    );
    // The same seed with one replication: deterministic, identical, exit 0 and no warning of it.
    let (c, e) = omnisim(
        &dir,
        &["compare", "a/summary.json", "c/summary.json", "--quiet"],
    );
    assert_eq!(c, Some(0), "{e}");
    assert!(!e.contains("allow-untested"), "{e}");
}
