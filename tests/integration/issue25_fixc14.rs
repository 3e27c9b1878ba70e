//! Issue 25, fresh testers on the precision and verdict messages (reports/fixc-14.md): `sweep`
//! at one replication stated no margin (`within_noise: null`, a bare figure); `compare`'s
//! precision line named only headline metrics with no spread; `compare` judged a summary whose
//! `by_replication` rows disagree with its pooled counts; the roster check's too-close line
//! left out the intervals not measured; an interval with customers and none answered (a wait
//! target's "starved" miss) read "not measured" in the terminal and the roster check.

use std::path::Path;

use serde_json::Value;

use crate::procs::{json, run_in, temp_dir, text};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn write(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).unwrap();
}

/// A `sweep.csv` column by name.
fn column(csv: &str, name: &str) -> Vec<String> {
    let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let at = head
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("no {name}: {csv}"));
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').nth(at).unwrap().to_string())
        .collect()
}

fn sweep(dir: &Path, range: &str, reps: &str, out: &str) -> String {
    let scenario = format!("{ROOT}/scenarios/ci-smoke.toml");
    let o = run_in(
        dir,
        &[
            "sweep",
            &scenario,
            "--vary",
            &format!("agent_groups.agent.count={range}"),
            "--target",
            "service_level.fraction>=0.8",
            "--replications",
            reps,
            "--out",
            out,
        ],
    );
    // 1 when no value meets the target.
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&o.stderr)
    );
    text(&o.stdout)
}

/// The tester's example: a sweep at `--replications 1` wrote `within_noise: null` (read as
/// "clear of the target") and a bare figure. Every output now says there is no margin: the
/// table, the answer line, `sweep.csv` (`target_replications` 1 beside an empty half-width)
/// and `target.json` (`no_margin`, no `within_noise`). A variant: no value meets the target.
#[test]
fn a_one_replication_sweep_says_it_has_no_margin() {
    let dir = temp_dir("fixc14-sweep1");
    let table = sweep(&dir, "2..12", "1", "met");
    let answer = table
        .lines()
        .find(|l| l.starts_with("smallest value meeting"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        answer.ends_with("; no margin: 1 replication; run --replications ≥ 2"),
        "{answer}"
    );
    let seven = table.lines().find(|l| l.starts_with("7 ")).unwrap();
    assert!(seven.contains("(no margin)"), "{seven}");
    let csv = std::fs::read_to_string(dir.join("met/sweep.csv")).unwrap();
    assert!(column(&csv, "target_replications").iter().all(|n| n == "1"));
    assert!(column(&csv, "target_ci95_half")
        .iter()
        .all(String::is_empty));
    let t = json(&dir.join("met/target.json"));
    assert_eq!(
        t["no_margin"], "no margin: 1 replication; run --replications ≥ 2",
        "{t}"
    );
    assert!(t.get("within_noise").is_none(), "{t}");
    assert!(t["metric_ci95_half"].is_null(), "{t}");

    // Nothing meets the target: that decision has no margin either.
    let table = sweep(&dir, "2..5", "1", "none");
    let answer = table
        .lines()
        .find(|l| l.starts_with("no value in the sweep meets"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(answer.contains("; no margin: 1 replication"), "{answer}");
    let t = json(&dir.join("none/target.json"));
    assert!(
        t["no_margin"].is_string() && t.get("within_noise").is_none(),
        "{t}"
    );
}

/// With replications the margin is stated as before: `within_noise` a sentence or null, no
/// `no_margin`, and `target_replications` the count the half-width rests on.
#[test]
fn a_sweep_with_replications_keeps_its_margin() {
    let dir = temp_dir("fixc14-sweep3");
    let table = sweep(&dir, "5..9", "3", "three");
    assert!(!table.contains("no margin"), "{table}");
    let csv = std::fs::read_to_string(dir.join("three/sweep.csv")).unwrap();
    // 3 each, or (branch fixe-16) doubled where a point's interval reached the target.
    assert!(
        column(&csv, "target_replications")
            .iter()
            .all(|n| ["3", "6", "12", "24", "48", "96", "128"].contains(&n.as_str())),
        "{csv}"
    );
    let t = json(&dir.join("three/target.json"));
    assert!(t.get("no_margin").is_none(), "{t}");
    assert!(
        t["within_noise"].is_null() || t["within_noise"].is_string(),
        "{t}"
    );
    assert!(
        t["metric_ci95_half"].as_f64().is_some_and(|h| h > 0.0),
        "{t}"
    );
}

/// `staff`, `ab` and `compare` at one replication each say what their decision rests on:
/// `staff` raises the count and states its precision; `ab` says it is untested; `compare`
/// judges on the tolerance alone and says so.
#[test]
fn staff_ab_and_compare_at_one_replication_state_their_precision() {
    let dir = temp_dir("fixc14-one");
    let smoke = format!("{ROOT}/scenarios/ci-smoke.toml");
    let peak = format!("{ROOT}/scenarios/staffing-peak.toml");
    let o = run_in(
        &dir,
        &[
            "staff",
            &peak,
            "--target",
            "service_level.fraction>=0.8",
            "--replications",
            "1",
            "--out",
            "st",
        ],
    );
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(err.contains("--replications 1 raised to"), "{err}");
    assert!(out.contains("decided at ±0.01 (95%)"), "{out}");
    let o = run_in(
        &dir,
        &[
            "ab",
            &smoke,
            "--variant",
            &smoke,
            "--replications",
            "1",
            "--out",
            "ab",
        ],
    );
    let out = text(&o.stdout);
    assert!(
        out.contains("Untested: 1 replication paired (a paired t-test needs at least 2)"),
        "{out}"
    );
    for name in ["a", "b"] {
        let o = run_in(
            &dir,
            &[
                "run",
                &smoke,
                "--replications",
                "1",
                "--out",
                name,
                "--quiet",
            ],
        );
        assert!(
            o.status.code().is_some_and(|c| c < 2),
            "{}",
            text(&o.stderr)
        );
    }
    let o = run_in(&dir, &["compare", "a/summary.json", "b/summary.json"]);
    let out = text(&o.stdout);
    assert!(
        out.contains("No per-replication figures to test: tolerance alone."),
        "{out}"
    );
}

/// A summary of 4 replications on seed 1: each metric's per-replication values, the pooled
/// figure their sum (counts) or mean (others).
fn summary(metrics: &[(&str, [f64; 4])]) -> Value {
    let mut reps: Vec<Value> = (0..4)
        .map(|i| serde_json::json!({ "replication": i }))
        .collect();
    let mut doc = serde_json::json!({"format": "omnisim.summary/1", "scenario": "s", "seed": 1,
        "replications": 4});
    let set = |v: &mut Value, path: &str, x: f64| {
        let segs: Vec<&str> = path.split('.').collect();
        let mut at = v;
        for s in &segs[..segs.len() - 1] {
            at = at
                .as_object_mut()
                .unwrap()
                .entry(*s)
                .or_insert_with(|| serde_json::json!({}));
        }
        at[segs[segs.len() - 1]] = serde_json::json!(x);
    };
    for (path, values) in metrics {
        for (i, x) in values.iter().enumerate() {
            set(&mut reps[i], path, *x);
        }
        let sum: f64 = values.iter().sum();
        let count = !path.starts_with("wait_s") && !path.ends_with("rate");
        set(&mut doc, path, if count { sum } else { sum / 4.0 });
    }
    doc["by_replication"] = Value::Array(reps);
    doc
}

/// docs/verdicts.md: with no spread "the precision line says 'No precision for …: the same
/// change in every pair'". The line named headline metrics only, so a count moved by +2 in
/// every pair (the eighteenth tester's abandons) printed "no spread" with no line. Every such
/// metric is named now, headline ones first. A variant: a headline and a non-headline metric.
#[test]
fn compare_names_every_metric_with_no_spread() {
    let dir = temp_dir("fixc14-spread");
    let arrived = [13480.0, 13522.0, 13391.0, 13610.0];
    let plus2 = arrived.map(|n| n + 2.0);
    let base = summary(&[
        ("conversations.arrived", arrived),
        ("conversations.abandoned", [0.0; 4]),
        ("abandonment_rate", [0.0; 4]),
    ]);
    let cur = summary(&[
        ("conversations.arrived", plus2),
        ("conversations.abandoned", [2.0; 4]),
        ("abandonment_rate", [0, 1, 2, 3].map(|i| 2.0 / plus2[i])),
    ]);
    write(&dir, "b.json", &base.to_string());
    write(&dir, "c.json", &cur.to_string());
    let o = run_in(&dir, &["compare", "b.json", "c.json"]);
    let out = text(&o.stdout);
    let line = out
        .lines()
        .find(|l| l.starts_with("No precision for "))
        .unwrap_or_else(|| panic!("no precision line:\n{out}{}", text(&o.stderr)));
    assert!(line.contains("conversations.abandoned"), "{line}");
    assert!(!line.contains("abandonment_rate"), "{line}");

    let base = summary(&[
        ("wait_s.mean", [10.0, 12.0, 11.0, 13.0]),
        ("rule_violations.total", [1.0, 0.0, 2.0, 1.0]),
    ]);
    let cur = summary(&[
        ("wait_s.mean", [11.0, 13.0, 12.0, 14.0]),
        ("rule_violations.total", [4.0, 3.0, 5.0, 4.0]),
    ]);
    write(&dir, "b2.json", &base.to_string());
    write(&dir, "c2.json", &cur.to_string());
    let out = text(&run_in(&dir, &["compare", "b2.json", "c2.json", "--markdown"]).stdout);
    assert!(
        out.contains("No precision for wait_s.mean, rule_violations.total: the same change"),
        "{out}"
    );
}

/// A hand-edited or mixed summary whose `by_replication` counts do not add up to its pooled
/// counts was judged anyway (the tests on the rows, the tolerance on the pooled figures).
/// Refused now (exit 2): the file, each key path and both figures, every problem at once. A
/// variant: a row removed (replications 3 against 2 rows). The files a run writes (whole and
/// partial, tests/data/tester16) still compare.
#[test]
fn compare_refuses_a_summary_whose_rows_disagree_with_its_pooled_figures() {
    let dir = temp_dir("fixc14-pooled");
    let smoke = format!("{ROOT}/scenarios/ci-smoke.toml");
    let o = run_in(
        &dir,
        &[
            "run",
            &smoke,
            "--replications",
            "3",
            "--out",
            "r",
            "--quiet",
        ],
    );
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&o.stderr)
    );
    let whole = json(&dir.join("r/summary.json"));
    let mut edited = whole.clone();
    let arrived = edited["conversations"]["arrived"].as_f64().unwrap();
    edited["conversations"]["arrived"] = serde_json::json!(arrived + 5.0);
    edited["by_replication"][1]["rule_violations"]["total"] = serde_json::json!(1000);
    write(&dir, "edited.json", &edited.to_string());
    let o = run_in(&dir, &["compare", "r/summary.json", "edited.json"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "edited.json: by_replication disagrees with the pooled figures: \
             conversations.arrived is"
        ),
        "{err}"
    );
    assert!(
        err.contains("by_replication[*].rule_violations.total sums to"),
        "{err}"
    );
    assert!(!err.contains("r/summary.json: by_replication"), "{err}");

    let mut short = whole.clone();
    short["by_replication"].as_array_mut().unwrap().pop();
    write(&dir, "short.json", &short.to_string());
    let o = run_in(&dir, &["compare", "short.json", "r/summary.json"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("replications is 3 but by_replication has 2 rows"),
        "{err}"
    );

    let o = run_in(&dir, &["compare", "r/summary.json", "r/summary.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let data = format!("{ROOT}/tests/data/tester16");
    let o = run_in(
        &dir,
        &[
            "compare",
            &format!("{data}/midfull.json"),
            &format!("{data}/midpart.json"),
            "--allow-partial",
        ],
    );
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&o.stderr)
    );
}

fn staff(dir: &Path, scenario: &str, target: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["staff", scenario, "--target", target, "--out", "st"];
    args.extend(extra);
    let o = run_in(dir, &args);
    (o.status.code(), text(&o.stdout) + &text(&o.stderr))
}

/// The tester's example: `staff --shifts` whose roster check has intervals too close to call
/// and intervals with no traffic (here 5:00 and 5:30 of staffing-peak with a gap in its
/// arrivals). The "too close" lines now count the unmeasured ones too, as the "every measured
/// interval meets" line does.
#[test]
fn a_roster_checks_too_close_lines_count_the_unmeasured_intervals() {
    let dir = temp_dir("fixc14-close");
    let peak = std::fs::read_to_string(format!("{ROOT}/scenarios/staffing-peak.toml")).unwrap();
    let gap = peak.replace(
        "[\"3h30m\", \"30/h\"]]",
        "[\"3h30m\", \"30/h\"], [\"5h\", \"0/h\"], [\"6h\", \"30/h\"]]",
    );
    assert_ne!(gap, peak);
    write(&dir, "gap.toml", &gap);
    let shifts = format!("{ROOT}/scenarios/shifts/day.toml");
    let args = ["--shifts", &shifts, "--shrinkage", "30%", "--seed", "5"];
    let (_, out) = staff(&dir, "gap.toml", "service_level.fraction>=0.8", &args);
    let head = out
        .lines()
        .find(|l| l.starts_with("roster check ("))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        head.ends_with(
            "too close to call (below); 2 intervals of 16 not measured (no conversation \
             counted there)"
        ),
        "{head}"
    );
    let close = out
        .lines()
        .find(|l| l.starts_with("roster check too close to call at this precision: "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        close.ends_with("; 2 intervals of 16 not measured (no conversation counted there)"),
        "{close}"
    );
}

/// Customers with 2 s of patience and agents who take 10 s to accept: nobody is ever
/// answered, so a wait target has no figure, yet every interval was measured (an unbounded
/// wait). `Eval::starved` makes such an interval a miss in the verification (more agents, up
/// to the cap, then "missed") and in the roster check ("clearly miss"); the lines said "not
/// measured" (and "NOT MEASURED") beside "missed", and the roster check only "not measured".
#[test]
fn an_interval_with_customers_and_none_answered_misses_a_wait_target() {
    let dir = temp_dir("fixc14-starved");
    write(
        &dir,
        "s.toml",
        "[scenario]\nname = \"starve\"\nhorizon = \"2h\"\nseed = 3\nreplications = 4\n\
         service_level = \"20s\"\n\n[[workstreams]]\nname = \"chat\"\nchannel = \"live_chat\"\n\
         capacity_units = 100\nhandle_time = { dist = \"exponential\", mean = \"5m\" }\n\
         patience = { dist = \"constant\", value = \"2s\" }\n\n[[queues]]\nname = \"support\"\n\
         workstream = \"chat\"\narrivals = { rate = \"60/h\" }\n\n[[agent_groups]]\n\
         name = \"agents\"\ncount = 5\ncapacity = 100\nqueues = [\"support\"]\n\
         accept_delay = { dist = \"constant\", value = \"10s\" }\n",
    );
    write(
        &dir,
        "shifts.toml",
        "[[shifts]]\nname = \"all\"\nstarts = [\"00:00\"]\nlength = \"2h\"\ncost = 1.0\n",
    );
    let (code, out) = staff(
        &dir,
        "s.toml",
        "wait_s.mean<=10",
        &["--shifts", "shifts.toml"],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(!out.to_lowercase().contains("not measured"), "{out}");
    assert!(
        out.contains("the target CANNOT be met in every interval"),
        "{out}"
    );
    // The verification's miss: more agents than the model's 1, then "missed".
    let missed = out
        .lines()
        .find(|l| l.starts_with("missed: 4 intervals"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(missed.contains("0:00 (none answered)"), "{missed}");
    // The roster check's: a clear miss, shown as none answered.
    let check = out
        .lines()
        .find(|l| l.starts_with("roster check ("))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        check.contains("4 intervals of 4 clearly miss wait_s.mean<=10 (worst: 0:00 none answered"),
        "{check}"
    );
    let csv = std::fs::read_to_string(dir.join("st/staffing.csv")).unwrap();
    assert!(
        column(&csv, "target_status").iter().all(|s| s == "missed"),
        "{csv}"
    );
}
