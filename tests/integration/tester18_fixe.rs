//! Issue 25, an eighteenth fresh tester's wrong answers (reports/fixe-13.md): `compare
//! --allow-partial` judged a run that finished no replication on its cut data; the same effect
//! got opposite verdicts as a count (constant paired difference, a sign test that 4 pairs can
//! never pass) and as the rate it drives (a t-test); `compare`'s Markdown and JUnit never said
//! they judged a partial run; its warnings numbered replications from 0; `staff` left its
//! Erlang columns blank for wait-quantile and abandonment targets; `sweep` stated no precision.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::procs::{json, run_in, temp_dir, text};

/// The sixteenth tester's summaries (`tests/data/tester16/`): `midfull.json`, a whole run of 8
/// replications; `midpart.json`, the same scenario and seed interrupted with 4 replications
/// begun, 2 finished (0, 4) and 2 cut (1, 5).
fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/tester16")
        .join(name)
}

/// `midpart.json` with the replications of `finished` finished and the others cut.
fn partial_with(finished: &[u64]) -> Value {
    let mut cur = json(&data("midpart.json"));
    cur["replications_finished"] = Value::from(finished.len() as u64);
    for r in cur["by_replication"].as_array_mut().unwrap() {
        let i = r["replication"].as_u64().unwrap();
        if finished.contains(&i) {
            r.as_object_mut().unwrap().remove("partial");
        } else {
            r["partial"] = Value::Bool(true);
        }
    }
    cur
}

fn write(dir: &Path, name: &str, v: &Value) {
    std::fs::write(dir.join(name), v.to_string()).unwrap();
}

/// The tester's example: the current run finished no replication (one began, cut after 1 s);
/// `compare --allow-partial` gave 15 REGRESSION rows "judged on the 0 replications both
/// finished" (exit 1). Nothing finished is nothing to judge: exit 2 with the reason, whatever
/// the flags.
#[test]
fn compare_refuses_a_partial_run_that_finished_no_replication() {
    let dir = temp_dir("fixe13-none");
    write(&dir, "b.json", &json(&data("midfull.json")));
    write(&dir, "c.json", &partial_with(&[]));
    for extra in [&[][..], &["--allow-untested", "--markdown"][..]] {
        let mut args = vec!["compare", "b.json", "c.json", "--allow-partial"];
        args.extend(extra);
        let out = run_in(&dir, &args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("too few finished replications to judge")
                && err.contains("current: finished none, cut 1, 2, 5, 6"),
            "{err}"
        );
        assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
    }
}

/// Variants of the same kind: on the same seed, replications finished on each side but none on
/// both (every pair has a cut side); on different seeds, a side with nothing finished, even
/// with --allow-untested.
#[test]
fn compare_refuses_when_no_pair_finished_or_a_side_finished_nothing() {
    let dir = temp_dir("fixe13-nopair");
    write(&dir, "b.json", &partial_with(&[0, 4]));
    write(&dir, "c.json", &partial_with(&[1, 5]));
    let out = run_in(&dir, &["compare", "b.json", "c.json", "--allow-partial"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no replication finished on both sides"),
        "{err}"
    );
    let mut base = json(&data("midfull.json"));
    base["seed"] = Value::from(7u64);
    write(&dir, "b.json", &base);
    write(&dir, "c.json", &partial_with(&[]));
    let out = run_in(
        &dir,
        &[
            "compare",
            "b.json",
            "c.json",
            "--allow-partial",
            "--allow-untested",
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("a side finished no replication"), "{err}");
    // One pair finished on the same seed is still judged (a deterministic comparison).
    write(&dir, "b.json", &json(&data("midfull.json")));
    write(&dir, "c.json", &partial_with(&[4]));
    let out = run_in(&dir, &["compare", "b.json", "c.json", "--allow-partial"]);
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

/// The tester's example: `--junit` and `--markdown` of a comparison with a partial run never
/// said so (stderr only). Now the Markdown, the terminal table and the JUnit XML each carry
/// "partial" with the replications that finished and were cut (numbered from 1).
#[test]
fn every_output_of_a_partial_comparison_says_partial() {
    let dir = temp_dir("fixe13-outputs");
    std::fs::copy(data("midfull.json"), dir.join("b.json")).unwrap();
    std::fs::copy(data("midpart.json"), dir.join("c.json")).unwrap();
    let want = "current is a partial run (--allow-partial): 2 of its 8 replications finished \
                (1, 5), 2 cut by the signal (2, 6)";
    let out = run_in(
        &dir,
        &[
            "compare",
            "b.json",
            "c.json",
            "--allow-partial",
            "--markdown",
            "--junit",
            "cmp.xml",
        ],
    );
    let md = text(&out.stdout);
    assert!(md.contains(&format!("Partial: {want}")), "{md}");
    let xml = std::fs::read_to_string(dir.join("cmp.xml")).unwrap();
    assert!(
        xml.contains("<property name=\"partial\" value=\"true\"/>")
            && xml.contains(&format!("<skipped message=\"{want}")),
        "{xml}"
    );
    assert!(xml.contains("skipped=\"1\""), "{xml}");
    // Variant: the partial run as the baseline, the terminal table.
    let out = run_in(&dir, &["compare", "c.json", "b.json", "--allow-partial"]);
    let table = text(&out.stdout);
    assert!(
        table.contains("Partial: baseline is a partial run (--allow-partial): 2 of its 8"),
        "{table}"
    );
    // A whole run's outputs do not say it.
    let out = run_in(
        &dir,
        &["compare", "b.json", "b.json", "--junit", "whole.xml"],
    );
    assert!(!text(&out.stdout).contains("Partial"));
    let xml = std::fs::read_to_string(dir.join("whole.xml")).unwrap();
    assert!(!xml.contains("partial"), "{xml}");
}

/// The tester's nitpick: `compare`'s partial-run warning named replications from 0 ("(0)")
/// where traces, `explain` and shards count from 1. Now from 1.
#[test]
fn compare_warnings_number_replications_from_one() {
    let dir = temp_dir("fixe13-numbers");
    std::fs::copy(data("midfull.json"), dir.join("b.json")).unwrap();
    std::fs::copy(data("midpart.json"), dir.join("c.json")).unwrap();
    let out = run_in(&dir, &["compare", "b.json", "c.json", "--allow-partial"]);
    let err = text(&out.stderr);
    assert!(
        err.contains("2 finished (1, 5) and 2 were cut by the signal (2, 6)"),
        "{err}"
    );
    // Variant: one finished replication, the first: "(1)", not "(0)".
    write(&dir, "c.json", &partial_with(&[0]));
    let out = run_in(&dir, &["compare", "b.json", "c.json", "--allow-partial"]);
    let err = text(&out.stderr);
    assert!(
        err.contains("1 finished (1) and 3 were cut by the signal (2, 5, 6)"),
        "{err}"
    );
}

/// A summary of `reps` replications on seed 1 whose abandons per replication are `abandoned`
/// out of `arrived`: `conversations.abandoned` and `abandonment_rate` per replication.
fn abandons(abandoned: &[u64], arrived: &[u64]) -> Value {
    let reps: Vec<Value> = abandoned
        .iter()
        .zip(arrived)
        .enumerate()
        .map(|(i, (a, n))| {
            serde_json::json!({"replication": i,
                "conversations": {"arrived": n, "abandoned": a},
                "abandonment_rate": *a as f64 / *n as f64})
        })
        .collect();
    let (a, n): (u64, u64) = (abandoned.iter().sum(), arrived.iter().sum());
    serde_json::json!({"format": "omnisim.summary/1", "scenario": "s", "seed": 1,
        "replications": abandoned.len(),
        "conversations": {"arrived": n, "abandoned": a},
        "abandonment_rate": a as f64 / n as f64, "by_replication": reps})
}

/// The tester's example, as summaries: the variant adds 2 customers who always abandon. The
/// count moved by +2 in every pair (no spread: a sign test, p 0.125, "not significant") and
/// the rate by 2/(arrived+2), nearly constant (a t-test, p < 0.0001, "REGRESSION"). One test
/// now: both significant, and the count's precision is "no spread", not "±0".
#[test]
fn a_count_and_its_rate_moved_by_the_same_customers_get_one_verdict() {
    let dir = temp_dir("fixe13-coherent");
    let arrived = [13480u64, 13522, 13391, 13610];
    let plus2: Vec<u64> = arrived.iter().map(|n| n + 2).collect();
    write(&dir, "b.json", &abandons(&[0, 0, 0, 0], &arrived));
    write(&dir, "c.json", &abandons(&[2, 2, 2, 2], &plus2));
    let out = run_in(&dir, &["compare", "b.json", "c.json", "--all"]);
    let table = text(&out.stdout);
    let line = |m: &str| {
        table
            .lines()
            .find(|l| l.starts_with(m))
            .unwrap_or_else(|| panic!("{m}:\n{table}"))
            .to_string()
    };
    let count = line("conversations.abandoned");
    let rate = line("abandonment_rate");
    assert!(
        count.contains("REGRESSION") && count.contains("no spread"),
        "{count}"
    );
    assert!(rate.contains("REGRESSION"), "{rate}");
    assert!(!rate.contains("±0 "), "{rate}");
    assert_eq!(out.status.code(), Some(1), "{table}");
    // Variant: a constant +1 s in every pair of a mean and a varying +2, +3, +2, +3 s: the
    // constant one was "not significant" (p 0.125) while the noisier one was significant.
    let waits = |w: [f64; 4]| {
        let reps: Vec<Value> = w
            .iter()
            .enumerate()
            .map(|(i, x)| serde_json::json!({"replication": i, "wait_s": {"mean": x}}))
            .collect();
        serde_json::json!({"format": "omnisim.summary/1", "scenario": "s", "seed": 1,
            "replications": 4, "wait_s": {"mean": w.iter().sum::<f64>() / 4.0},
            "by_replication": reps})
    };
    write(&dir, "b.json", &waits([10.0, 12.0, 11.0, 13.0]));
    for w in [[11.0, 13.0, 12.0, 14.0], [12.0, 15.0, 13.0, 16.0]] {
        write(&dir, "c.json", &waits(w));
        let out = run_in(&dir, &["compare", "b.json", "c.json"]);
        assert_eq!(out.status.code(), Some(1), "{w:?}: {}", text(&out.stdout));
    }
}

/// An M/M/c scenario (240/h, 5-minute calls: 20 Erlangs), 2 hours, with `patience` lines.
fn mmc(patience: &str) -> String {
    format!(
        "[scenario]\nname = \"mmc\"\nhorizon = \"2h\"\nseed = 1\nreplications = 4\n\
         service_level = \"30s\"\n\n[[workstreams]]\nname = \"calls\"\nchannel = \"voice\"\n\
         handle_time = {{ dist = \"exponential\", mean = \"5m\" }}\n{patience}\n\
         [[queues]]\nname = \"line\"\nworkstream = \"calls\"\narrivals = {{ rate = \"240/h\" }}\n\n\
         [[agent_groups]]\nname = \"agents\"\ncount = 40\nqueues = [\"line\"]\n"
    )
}

/// Erlang C's probability of waiting with `c` agents at `a` Erlangs (Erlang B recursion).
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let c = f64::from(c);
    c * b / (c - a * (1.0 - b))
}

/// The fewest agents at 20 Erlangs (λ = 240/h, μ = 1/300 s) with P(W ≤ t) ≥ q:
/// 1 − C · e^{−(cμ − λ)t}.
fn erlang_c_quantile(t: f64, q: f64) -> u32 {
    let (lambda, mu, a) = (240.0 / 3600.0, 1.0 / 300.0, 20.0);
    (21..200)
        .find(|&c| 1.0 - erlang_c(c, a) * (-(f64::from(c) * mu - lambda) * t).exp() >= q)
        .unwrap()
}

/// The `erlang_c` / `erlang_a` cells of `staffing.csv`, one per interval.
fn erlang_cells(csv: &str, column: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == column).unwrap();
    lines
        .map(|l| l.split(',').nth(i).unwrap().to_string())
        .collect()
}

/// The tester's example: `staff … --target "wait_s.p90<=20"` left `Erlang C` blank although
/// the stationary model is Erlang C and gives 26 agents (P(W ≤ 20 s) ≥ 0.9). Now the column
/// holds Erlang C's wait-quantile staffing, the theory's figure.
#[test]
fn staff_fills_erlang_c_for_a_wait_quantile_target() {
    let dir = temp_dir("fixe13-staff-p90");
    std::fs::write(dir.join("s.toml"), mmc("")).unwrap();
    let out = run_in(
        &dir,
        &[
            "staff",
            "s.toml",
            "--target",
            "wait_s.p90<=20",
            "--interval",
            "1h",
            "--out",
            "st",
        ],
    );
    let csv = std::fs::read_to_string(dir.join("st/staffing.csv"))
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    let want = erlang_c_quantile(20.0, 0.9);
    assert_eq!(want, 26);
    for cell in erlang_cells(&csv, "erlang_c") {
        assert_eq!(cell, want.to_string(), "{csv}");
    }
    let table = text(&out.stdout);
    assert!(
        table.contains("Erlang A —: the customers have no patience"),
        "{table}"
    );
}

/// Variant: an abandonment target with patience. Erlang A answers it (the column is filled);
/// Erlang C has no abandonment, so its column is "—" and a line says why.
#[test]
fn staff_fills_erlang_a_for_an_abandonment_target_and_says_why_erlang_c_cannot() {
    let dir = temp_dir("fixe13-staff-ab");
    std::fs::write(
        dir.join("s.toml"),
        mmc("patience = { dist = \"exponential\", mean = \"4m\" }\n"),
    )
    .unwrap();
    let out = run_in(
        &dir,
        &[
            "staff",
            "s.toml",
            "--target",
            "abandonment_rate<=0.05",
            "--interval",
            "1h",
            "--out",
            "st",
        ],
    );
    let csv = std::fs::read_to_string(dir.join("st/staffing.csv"))
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    for cell in erlang_cells(&csv, "erlang_a") {
        let n: u32 = cell.parse().unwrap_or_else(|_| panic!("{cell:?}: {csv}"));
        assert!((15..=30).contains(&n), "{csv}");
    }
    assert!(erlang_cells(&csv, "erlang_c").iter().all(String::is_empty));
    let table = text(&out.stdout);
    assert!(
        table.contains("Erlang C —: Erlang C has no abandonment"),
        "{table}"
    );
}

/// The tester's example: `sweep --target` said "smallest value … = 5" with 4 at 0.7941 against
/// 0.8 from 3 replications and no precision. Now the table, the answer line, `sweep.csv` and
/// `target.json` carry the 95% half-width, and the answer says it is within the noise.
#[test]
fn sweep_states_its_precision_and_when_the_answer_is_within_the_noise() {
    let dir = temp_dir("fixe13-sweep");
    let sc = mmc("").replace("replications = 4", "replications = 3");
    std::fs::write(dir.join("s.toml"), sc).unwrap();
    let out = run_in(
        &dir,
        &[
            "sweep",
            "s.toml",
            "--vary",
            "agent_groups.agents.count=20..28:4",
            "--target",
            "service_level.fraction>=0.8",
            "--out",
            "sw",
        ],
    );
    let table = text(&out.stdout);
    assert!(table.contains(" ±"), "{table}");
    let answer = table
        .lines()
        .find(|l| l.starts_with("smallest value meeting"))
        .unwrap_or_else(|| panic!("{table}{}", text(&out.stderr)));
    assert!(answer.contains("(95%)"), "{answer}");
    let csv = std::fs::read_to_string(dir.join("sw/sweep.csv")).unwrap();
    let halves = erlang_cells(&csv, "target_ci95_half");
    assert!(
        halves
            .iter()
            .all(|h| h.parse::<f64>().is_ok_and(|h| h > 0.0)),
        "{csv}"
    );
    let t = json(&dir.join("sw/target.json"));
    let h = t["metric_ci95_half"].as_f64().unwrap();
    assert!(h > 0.0, "{t}");
    // Within the noise exactly when the answer's interval, or the one below it, reaches 0.8.
    let rows: Vec<(f64, f64, f64)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
            let at = |n: &str| {
                c[head.iter().position(|h| *h == n).unwrap()]
                    .parse()
                    .unwrap()
            };
            (
                at("agent_groups.agents.count"),
                at("service_level.fraction"),
                at("target_ci95_half"),
            )
        })
        .collect();
    let n = t["values"]["agent_groups.agents.count"].as_f64().unwrap();
    let near = |x: f64, h: f64| (x - 0.8).abs() <= h;
    let noisy = rows.iter().any(|&(k, x, h)| k == n && near(x, h))
        || rows
            .iter()
            .filter(|r| r.0 < n)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .is_some_and(|&(_, x, h)| near(x, h));
    assert_eq!(t["within_noise"].is_string(), noisy, "{t}\n{csv}");
    assert_eq!(answer.contains("within the noise"), noisy, "{answer}");
}
