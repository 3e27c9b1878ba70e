//! Issue 25, a twentieth fresh tester's findings in `staff` and `sweep` (reports/fixe-14.md):
//! `staff` gave an agent to intervals whose abandonment rate met the target (an estimate short
//! of a guard band of ±0.005, half of `abandonment_rate<=0.01`, with an interval narrower than
//! ±0.01, got an agent); `sweep` showed a target's metric twice when it is a default column.

use std::path::{Path, PathBuf};

use crate::procs::{run_in, temp_dir, text};

/// The tester's M/M/c+M day (`tests/data/tester20/st1a.toml`): 300 chats an hour, handle
/// 100 s, patience exponential 2 minutes, 8 hours, seed 3. Erlang A: 13 agents abandon
/// 0.0097, 12 abandon 0.0186.
fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tester20/st1a.toml")
}

/// `staff` on the tester's day for `target` (1-hour intervals) with `seed`: the terminal
/// text and `staffing.csv`'s rows as (required, model, target_status).
fn staff(tag: &str, target: &str, seed: &str) -> (String, Vec<(u32, u32, String)>) {
    // One directory per call: the tests run in parallel.
    let safe: String = format!("{tag}-{target}-{seed}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let dir = temp_dir(&safe);
    let sc = scenario();
    let out = run_in(
        &dir,
        &[
            "staff",
            sc.to_str().unwrap(),
            "--target",
            target,
            "--interval",
            "1h",
            "--seed",
            seed,
            "--out",
            "o",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0)),
        "{target} seed {seed}: {stdout}{}",
        text(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.join("o/staffing.csv")).unwrap();
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (req, model, status) = (col("required"), col("model"), col("target_status"));
    let rows = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[req].parse().unwrap(),
                f[model].parse().unwrap(),
                f[status].to_string(),
            )
        })
        .collect();
    (stdout, rows)
}

/// Every interval keeps the model's staffing (`agents`): met, or "not confirmed" where the
/// estimate is within the noise of the target; never an agent more.
fn keeps(target: &str, seed: &str, agents: u32) {
    let (stdout, rows) = staff("fixe14-keeps", target, seed);
    assert_eq!(rows.len(), 8, "{stdout}");
    for (i, (required, model, status)) in rows.iter().enumerate() {
        assert_eq!(*model, agents, "{target} seed {seed}, hour {i}: {stdout}");
        assert_eq!(
            *required, agents,
            "{target} seed {seed}, hour {i}: an agent added to an interval that meets the \
             target: {stdout}"
        );
        assert!(
            status == "met" || status == "not_confirmed",
            "{target} seed {seed}, hour {i}: {status}: {stdout}"
        );
    }
}

/// The tester's case: `--target "abandonment_rate<=0.01"` asked 14 or 15 agents every hour
/// where 13 abandon 0.009 ±0.0014 (sweep) and Erlang A says 0.0097; seeds 3, 4 and 5 alike.
/// Now 13 everywhere, and the precision printed is the one decided at: 5% of the target
/// (±0.0005), not ±0.01 (a guard band of half the target).
#[test]
fn staff_keeps_13_agents_for_an_abandonment_rate_of_one_percent() {
    for seed in ["3", "4", "5"] {
        keeps("abandonment_rate<=0.01", seed, 13);
    }
    let (stdout, _) = staff("fixe14-precision", "abandonment_rate<=0.01", "3");
    assert!(
        stdout.contains("decided at ±0.0005 (95%)") && !stdout.contains("±0.01 (95%)"),
        "{stdout}"
    );
}

/// The tester's second case, `abandonment_rate<=0.02` (Erlang A: 12 agents abandon 0.0186;
/// 6 of 8 hours got 13), and a variant: the strict `<` on another seed (every hour got 14 or
/// 15 with seed 4).
#[test]
fn staff_keeps_the_model_for_other_abandonment_targets_and_seeds() {
    keeps("abandonment_rate<=0.02", "3", 12);
    keeps("abandonment_rate<=0.02", "4", 12);
    keeps("abandonment_rate<0.01", "4", 13);
}

/// `sweep --target "abandonment_rate<=0.02"` printed the `abandonment_rate` column twice (the
/// target's, with its precision, and the default one). Every default column a target names
/// (`abandonment_rate`, `wait_s.mean`, `occupancy`) is shown once, in the table and in
/// `sweep.csv`.
#[test]
fn sweep_shows_a_target_metric_that_is_a_default_column_once() {
    let dir = temp_dir("fixe14-sweep");
    let sc = scenario();
    for target in [
        "abandonment_rate<=0.02",
        "wait_s.mean<=2",
        "occupancy<=0.7",
        "service_level.fraction>=0.9",
    ] {
        let out = run_in(
            &dir,
            &[
                "sweep",
                sc.to_str().unwrap(),
                "--vary",
                "agent_groups.agents.count=11..13",
                "--target",
                target,
                "--out",
                "o",
            ],
        );
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{target}: {stdout}");
        let metric = target.split(['<', '>']).next().unwrap();
        let header: Vec<&str> = stdout.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(
            header.iter().filter(|h| **h == metric).count(),
            1,
            "{target}: {stdout}"
        );
        // The target's column first (with its precision), then the other defaults once each.
        assert_eq!(header[1], metric, "{stdout}");
        for m in [
            "wait_s.mean",
            "abandonment_rate",
            "occupancy",
            "service_level.fraction",
        ] {
            let want = usize::from(m == metric || m != "service_level.fraction");
            assert_eq!(
                header.iter().filter(|h| **h == m).count(),
                want,
                "{target}, {m}: {stdout}"
            );
        }
        let first = stdout.lines().nth(2).unwrap();
        assert_eq!(
            first.split_whitespace().count(),
            header.len() + 1,
            "{stdout}"
        );
        let csv = std::fs::read_to_string(dir.join("o/sweep.csv")).unwrap();
        let cols: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        assert_eq!(
            cols.iter().filter(|c| **c == metric).count(),
            1,
            "{target}: {csv}"
        );
    }
}
