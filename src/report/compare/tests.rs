//! Unit tests of [`compare`](super): directions, tolerances, lost data, counts per replication,
//! the paired and Welch tests, backtests and rejected documents.

use super::*;
use serde_json::json;

#[test]
fn directions() {
    use Direction::*;
    for (p, d) in [
        ("wait_s.p90", HigherIsWorse),
        ("handle_s.mean", HigherIsWorse),
        ("abandonment_rate", HigherIsWorse),
        ("overallocation.unit_seconds", HigherIsWorse),
        ("rule_violations.by_rule.ASSIGN-STATE", HigherIsWorse),
        ("invariant_violations", HigherIsWorse),
        ("queues.a.b.abandoned", HigherIsWorse),
        ("queues.billing.wait_s.mean", HigherIsWorse),
        ("service_level.fraction", LowerIsWorse),
        ("service_level.threshold_s", Info),
        ("conversations.answered", LowerIsWorse),
        ("queues.billing.service_level", LowerIsWorse),
        ("conversations.arrived", Info),
        ("ci95.wait_mean_s.0", Info),
        ("occupancy", Info),
        ("supervisor_reaction_s.mean", Info),
    ] {
        assert_eq!(direction(p), d, "{p}");
    }
}

#[test]
fn tolerance_and_zero_base() {
    let base = json!({"format": "omnisim.summary/1", "seed": 1, "engine": {"wall_s": 1.0},
        "wait_s": {"mean": 100.0, "p90": 100.0}, "rule_violations": {"total": 0},
        "service_level": {"fraction": 0.8}});
    let cur = json!({"format": "omnisim.summary/1", "seed": 2, "engine": {"wall_s": 9.0},
        "wait_s": {"mean": 104.0, "p90": 120.0}, "rule_violations": {"total": 1},
        "service_level": {"fraction": 0.9}});
    let mut tol = Tolerances::new(5.0);
    tol.per_metric.insert("wait_s.p90".into(), 25.0);
    let rows = compare(&base, &cur, &tol).unwrap();
    let get = |m: &str| rows.iter().find(|r| r.metric == m).unwrap();
    assert!(!get("wait_s.mean").regression);
    assert!(!get("wait_s.p90").regression);
    assert!(get("rule_violations.total").regression);
    assert!(get("service_level.fraction").better());
    assert!(rows
        .iter()
        .all(|r| r.metric != "seed" && !r.metric.starts_with("engine")));
    assert_eq!(tol.for_metric("wait_s.p90"), 25.0);
    assert_eq!(tol.for_metric("wait_s.p99"), 5.0);
}

#[test]
fn a_figure_that_lost_its_data_is_a_regression() {
    let base = json!({"format": "omnisim.summary/1", "wait_s": {"mean": 10.0},
        "queues": {"q": {"service_level": 0.9}}, "occupancy": 0.5});
    let cur = json!({"format": "omnisim.summary/1", "wait_s": {"mean": null},
        "queues": {"q": {"service_level": null}}, "occupancy": null});
    let rows = compare(&base, &cur, &Tolerances::new(1000.0)).unwrap();
    let get = |m: &str| rows.iter().find(|r| r.metric == m).unwrap();
    assert!(get("wait_s.mean").regression);
    assert!(get("queues.q.service_level").regression);
    assert!(!get("occupancy").regression, "informational");
    // The other way round is no regression.
    let rows = compare(&cur, &base, &Tolerances::new(0.0)).unwrap();
    assert!(rows.iter().all(|r| !r.regression));
}

/// Counts per replication, the paired test on the same seed, Welch otherwise, and a count
/// absent from a replication's map read as 0.
#[test]
fn counts_per_replication_and_tests() {
    let doc = |seed: u64, waits: &[f64], refusals: &[u64]| {
        let reps: Vec<Value> = waits
            .iter()
            .zip(refusals)
            .enumerate()
            .map(|(i, (w, r))| {
                let by_rule = if *r > 0 {
                    json!({"ASSIGN-STATE": r})
                } else {
                    json!({})
                };
                json!({"replication": i, "conversations": {"arrived": 100},
                    "wait_s": {"mean": w},
                    "rule_violations": {"total": r, "by_rule": by_rule}})
            })
            .collect();
        let total: u64 = refusals.iter().sum();
        let mean = waits.iter().sum::<f64>() / waits.len() as f64;
        json!({"format": "omnisim.summary/1", "seed": seed, "replications": waits.len(),
            "conversations": {"arrived": 100 * waits.len()}, "wait_s": {"mean": mean},
            "rule_violations": {"total": total, "by_rule": {"ASSIGN-STATE": total}},
            "by_replication": reps})
    };
    let base = doc(1, &[10.0, 12.0, 11.0, 13.0], &[0, 1, 0, 1]);
    // 8 replications, the first 4 the same: per replication nothing moved.
    let eight = doc(
        1,
        &[10.0, 12.0, 11.0, 13.0, 9.0, 14.0, 10.0, 12.0],
        &[0, 1, 0, 1, 0, 0, 1, 0],
    );
    let c = compare_runs(&base, &eight, &Tolerances::new(5.0)).unwrap();
    let get = |c: &Comparison, m: &str| c.rows.iter().find(|r| r.metric == m).cloned().unwrap();
    let arrived = get(&c, "conversations.arrived");
    assert!(arrived.per_replication && arrived.base == Some(100.0));
    assert_eq!(arrived.current, Some(100.0));
    assert!(c.rows.iter().all(|r| !r.regression), "{:?}", c.rows);
    assert_eq!(c.kind, Some(TestKind::Paired));
    // Same seed, every replication's wait +1 s: mean +9 %, paired differences constant: the
    // t-test's limit, p 0 (no spread), significant and a regression, as the noisier +2, +3
    // below is (an exact sign test here, p 0.125, called it not significant).
    let plus1 = doc(1, &[11.0, 13.0, 12.0, 14.0], &[0, 1, 0, 1]);
    let w = get(
        &compare_runs(&base, &plus1, &Tolerances::new(5.0)).unwrap(),
        "wait_s.mean",
    );
    assert_eq!(w.test.unwrap().p_value, 0.0);
    assert!(w.test.unwrap().exact() && w.detectable.is_none());
    assert!(w.regression && w.significant);
    // Varying differences 2, 3, 2, 3 (mean 2.5, sd 0.577): t = 8.66, 3 df, p = 0.0032.
    let more = doc(1, &[12.0, 15.0, 13.0, 16.0], &[0, 1, 0, 1]);
    let w = get(
        &compare_runs(&base, &more, &Tolerances::new(5.0)).unwrap(),
        "wait_s.mean",
    );
    assert!(
        (w.test.unwrap().p_value - 0.003_23).abs() < 5e-5,
        "{:?}",
        w.test
    );
    assert!(w.significant && w.regression);
    // Another seed: Welch; a refusal count present only in some replications' maps.
    let other = doc(2, &[10.5, 12.5, 11.5, 12.0], &[1, 0, 0, 0]);
    let c = compare_runs(&base, &other, &Tolerances::new(5.0)).unwrap();
    assert_eq!(c.kind, Some(TestKind::Welch));
    let r = get(&c, "rule_violations.by_rule.ASSIGN-STATE");
    let t = r.test.unwrap();
    assert_eq!((t.n_base, t.n_current), (4, 4), "absent counts are zeros");
    assert!(c.rows.iter().all(|r| !r.regression));
}

/// fit's actuals.json (the whole history as one replication) against a backtest run of
/// fitted.toml's replications: counts as totals.
#[test]
fn a_backtest_compares_totals() {
    let actuals = json!({"format": "omnisim.summary/1", "scenario": "actuals",
        "replications": 1, "conversations": {"answered": 5195}});
    let run = json!({"format": "omnisim.summary/1", "scenario": "fitted",
        "replications": 5, "conversations": {"answered": 5163}});
    let rows = compare(&actuals, &run, &Tolerances::new(5.0)).unwrap();
    let r = rows
        .iter()
        .find(|r| r.metric == "conversations.answered")
        .unwrap();
    assert!(!r.per_replication && !r.regression);
    assert_eq!((r.base, r.current), (Some(5195.0), Some(5163.0)));
    assert!(differences(&actuals, &run).is_empty());
}

#[test]
fn misspelt_tolerance_metrics_are_rejected() {
    let base = json!({"wait_s": {"mean": 10.0, "p90": 20.0}});
    let mut tol = Tolerances::new(5.0);
    tol.per_metric.insert("wait_s.p90".into(), 10.0);
    tol.per_metric.insert("wait_s".into(), 10.0);
    assert_eq!(check_tolerances(&base, &base, &tol), Ok(()));
    tol.per_metric.insert("wait_s.P90".into(), 10.0);
    let e = check_tolerances(&base, &base, &tol).unwrap_err().join("\n");
    assert!(
        e.contains("\"wait_s.P90\"") && e.contains("did you mean \"wait_s.p90\""),
        "{e}"
    );
}

#[test]
fn rejects_other_documents() {
    assert!(compare(&json!([1]), &json!({}), &Tolerances::new(5.0)).is_err());
    // A JSON object that is not a summary (`{}`, a fit.json) is refused, not compared.
    let summary = json!({"format": "omnisim.summary/1"});
    assert!(compare(&summary, &json!({}), &Tolerances::new(5.0)).is_err());
    let ab = json!({"format": "omnisim.ab/1"});
    assert!(matches!(
        compare(&json!({}), &ab, &Tolerances::new(5.0)),
        Err(CompareError::WrongFormat { .. })
    ));
    assert_eq!(parse_pct("5%"), Ok(5.0));
    assert!(parse_pct("-1%").is_err());
}

/// Found by a fresh tester: a file that is not a summary was refused with `format is
/// "nothing (no \"format\" key)"`. Now the refusal says the file is not a summary.json or
/// actuals.json of omnisim, and names the omnisim kind it is when it has one.
#[test]
fn a_refused_document_is_named_for_what_it_is() {
    let summary = json!({"format": "omnisim.summary/1"});
    let tol = Tolerances::new(5.0);
    let err = compare(&summary, &json!({"a": 1}), &tol)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "current: not a summary.json or actuals.json of omnisim (no \"format\" key)"
    );
    let err = compare(&json!({"format": "omnisim.ab/1"}), &summary, &tol)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "baseline: an omnisim ab file (format \"omnisim.ab/1\"), not a summary.json or \
         actuals.json of omnisim"
    );
    let err = compare(&summary, &json!({"format": 3}), &tol)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a summary.json or actuals.json"), "{err}");
}

/// A summary with per-replication series: `metrics` are (path, per-replication values; `None`
/// for no data), the summary's own figure the mean of the values with data.
fn with_reps(seed: u64, metrics: &[(&str, Vec<Option<f64>>)]) -> Value {
    let n = metrics[0].1.len();
    let mut doc = json!({"format": "omnisim.summary/1", "seed": seed, "replications": n});
    let mut reps: Vec<Value> = (0..n).map(|i| json!({ "replication": i })).collect();
    let set = |v: &mut Value, path: &str, x: Option<f64>| {
        let mut at = v;
        let segs: Vec<&str> = path.split('.').collect();
        for s in &segs[..segs.len() - 1] {
            at = at
                .as_object_mut()
                .unwrap()
                .entry(*s)
                .or_insert_with(|| json!({}));
        }
        at[segs[segs.len() - 1]] = x.map_or(Value::Null, |x| json!(x));
    };
    for (path, values) in metrics {
        for (i, x) in values.iter().enumerate() {
            set(&mut reps[i], path, *x);
        }
        let data: Vec<f64> = values.iter().flatten().copied().collect();
        let mean = (!data.is_empty()).then(|| data.iter().sum::<f64>() / data.len() as f64);
        set(&mut doc, path, mean);
    }
    doc["by_replication"] = Value::Array(reps);
    doc
}

/// Issue 24: a series shared by two names (one queue: the queue's and the center's wait) is one
/// test. Paired differences 1, 2, 1, 2.5 (mean 1.625, sd 0.75, t = 4.333, 3 df: p = 0.0227 by
/// the closed form of t with 3 df) under two names, and 1, 2, 1, 3 (mean 1.75, sd 0.957,
/// t = 3.656: p = 0.0354) under one. As two distinct tests Holm rejects 0.0227 ≤ 0.05/2, then
/// 0.0354 ≤ 0.05: all three significant. Counted as three, 0.0227 > 0.05/3 stops at once.
#[test]
fn a_series_under_two_names_is_one_test() {
    let s = |v: [f64; 4]| v.iter().map(|x| Some(*x)).collect::<Vec<_>>();
    let base = with_reps(
        1,
        &[
            ("wait_s.mean", s([10.0, 12.0, 11.0, 13.0])),
            ("queues.q.wait_s.mean", s([10.0, 12.0, 11.0, 13.0])),
            ("handle_s.mean", s([100.0, 100.0, 100.0, 100.0])),
        ],
    );
    let cur = with_reps(
        1,
        &[
            ("wait_s.mean", s([11.0, 14.0, 12.0, 15.5])),
            ("queues.q.wait_s.mean", s([11.0, 14.0, 12.0, 15.5])),
            ("handle_s.mean", s([101.0, 102.0, 101.0, 103.0])),
        ],
    );
    let c = compare_runs(&base, &cur, &Tolerances::new(0.5)).unwrap();
    assert_eq!((c.family, c.distinct), (3, 2));
    // Both distinct series are headline metrics' (wait_s.mean, handle_s.mean): equal weights.
    assert_eq!(c.headline, 2);
    let get = |m: &str| c.rows.iter().find(|r| r.metric == m).unwrap();
    let (w, q, h) = (
        get("wait_s.mean"),
        get("queues.q.wait_s.mean"),
        get("handle_s.mean"),
    );
    assert_eq!(w.test, q.test);
    let (pw, ph) = (w.test.unwrap().p_value, h.test.unwrap().p_value);
    assert!((pw - 0.022_67).abs() < 2e-5, "{pw}");
    assert!((ph - 0.035_34).abs() < 2e-5, "{ph}");
    assert!(w.significant && q.significant && h.significant);
    assert!(w.regression && q.regression && h.regression);
    // Plain Holm over the three names would have rejected nothing.
    assert_eq!(
        crate::report::compare_stats::holm(&[pw, pw, ph], 0.05),
        vec![false; 3]
    );
    // Every tested row states its precision, at the family's per-test level.
    assert_eq!((w.level, h.level), (0.025, 0.025));
    assert_eq!(h.detectable, h.test.unwrap().detectable(0.025));
    assert!(h.detectable.unwrap() > 0.0);
}

/// A supervisor-like rare figure with data in one replication of a run of four is too rare to
/// test: worse beyond tolerance, flagged `rare`, not a regression, and a warning names it. The
/// same summaries without `by_replication` are judged on tolerance alone (a regression).
#[test]
fn a_rare_figure_is_not_a_regression_by_tolerance_alone() {
    let base = with_reps(
        1,
        &[
            ("wait_s.mean", vec![Some(10.0); 4]),
            ("wait_s.p99", vec![Some(30.0), Some(31.0), None, None]),
        ],
    );
    let cur = with_reps(
        2,
        &[
            ("wait_s.mean", vec![Some(10.0); 4]),
            ("wait_s.p99", vec![None, None, Some(60.0), None]),
        ],
    );
    let c = compare_runs(&base, &cur, &Tolerances::new(5.0)).unwrap();
    let r = c.rows.iter().find(|r| r.metric == "wait_s.p99").unwrap();
    assert!(
        r.worse() && r.test.is_none() && r.rare && !r.regression,
        "{r:?}"
    );
    assert!(c
        .warnings
        .iter()
        .any(|w| w.contains("too rare to test") && w.contains("wait_s.p99")));
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("by_replication");
        v
    };
    let c = compare_runs(&strip(base), &strip(cur), &Tolerances::new(5.0)).unwrap();
    let r = c.rows.iter().find(|r| r.metric == "wait_s.p99").unwrap();
    assert!(r.regression && !r.rare);
}

/// A queue answered in one replication of four before and in none now has lost no data worth
/// the name (rare, no regression); answered in two before and none now, it has (a regression,
/// "no data now").
#[test]
fn losing_a_rare_figure_is_not_a_regression() {
    let run = |seed: u64, sl: Vec<Option<f64>>| {
        with_reps(
            seed,
            &[
                ("wait_s.mean", vec![Some(10.0); 4]),
                ("queues.q.service_level", sl),
            ],
        )
    };
    let none = run(2, vec![None; 4]);
    let once = run(1, vec![Some(0.9), None, None, None]);
    let c = compare_runs(&once, &none, &Tolerances::new(5.0)).unwrap();
    let r = c
        .rows
        .iter()
        .find(|r| r.metric == "queues.q.service_level")
        .unwrap();
    assert!(
        r.current_no_data && r.rare && !r.lost_data() && !r.regression,
        "{r:?}"
    );
    assert!(c
        .warnings
        .iter()
        .any(|w| w.contains("queues.q.service_level")));
    let twice = run(1, vec![Some(0.9), None, Some(0.8), None]);
    let c = compare_runs(&twice, &none, &Tolerances::new(5.0)).unwrap();
    let r = c
        .rows
        .iter()
        .find(|r| r.metric == "queues.q.service_level")
        .unwrap();
    assert!(r.lost_data() && r.regression && !r.rare, "{r:?}");
}

/// Issue 25: a history (`seed` null: fit's actuals.json) compared either way with a run: what
/// it holds null (a refusal count it cannot know) or lacks (an agent group of another name) is
/// "not comparable", never a regression, never lost data; what both hold is compared.
#[test]
fn a_history_s_null_or_absent_metric_is_not_comparable() {
    let history = json!({ "format": "omnisim.summary/1", "seed": null, "replications": 1,
        "rule_violations": { "total": null }, "wait_s": { "mean": 10.0 } });
    let run = json!({ "format": "omnisim.summary/1", "seed": 7, "replications": 1,
        "rule_violations": { "total": 316 }, "wait_s": { "mean": 20.0 },
        "agent_groups": { "tech": { "busy_s": 5.0 } } });
    for (b, c) in [(&history, &run), (&run, &history)] {
        let rows = compare(b, c, &Tolerances::new(5.0)).unwrap();
        let row = |m: &str| rows.iter().find(|r| r.metric == m).unwrap();
        for m in ["rule_violations.total", "agent_groups.tech.busy_s"] {
            assert!(row(m).not_comparable && !row(m).regression && !row(m).lost_data());
        }
        assert!(!row("wait_s.mean").not_comparable);
    }
    // Two runs: a lost figure is still a regression.
    let mut lost = run.clone();
    lost["wait_s"]["mean"] = serde_json::Value::Null;
    let rows = compare(&run, &lost, &Tolerances::new(5.0)).unwrap();
    assert!(rows
        .iter()
        .any(|r| r.metric == "wait_s.mean" && r.regression));
}

/// Issue 25 (tester 13): with per-replication series on both sides, a run as baseline and a
/// history as current marked what the history holds null (a violation count) "too rare to
/// test" and warned about it; a not-comparable metric is in no list or warning, either order,
/// and the test line names the history.
#[test]
fn a_not_comparable_metric_is_never_rare_in_either_order() {
    let s = |v: [f64; 3]| v.iter().map(|x| Some(*x)).collect::<Vec<_>>();
    let run = with_reps(
        7,
        &[
            ("wait_s.mean", s([10.0, 11.0, 12.0])),
            ("rule_violations.total", s([300.0, 310.0, 320.0])),
        ],
    );
    let mut history = with_reps(
        1,
        &[
            ("wait_s.mean", s([10.5, 11.5, 12.5])),
            ("rule_violations.total", vec![None, None, None]),
        ],
    );
    history["seed"] = Value::Null;
    for (b, c) in [(&run, &history), (&history, &run)] {
        let cmp = compare_runs(b, c, &Tolerances::new(5.0)).unwrap();
        let r = cmp
            .rows
            .iter()
            .find(|r| r.metric == "rule_violations.total")
            .unwrap();
        assert!(r.not_comparable && !r.rare && !r.regression, "{r:?}");
        assert!(
            cmp.warnings.iter().all(|w| !w.contains("rule_violations")),
            "{:?}",
            cmp.warnings
        );
        assert!(cmp.history);
        let line = crate::report::compare_table::method(&cmp);
        assert!(line.contains("a history (no seed)"), "{line}");
    }
}

/// A fourteenth tester: the same seed with 1 and 8 replications failed a build ("6
/// regressions", wait +13.1%) though replication 0 was identical on both sides; the verdict is
/// made on the common replications, and a real change in them is still caught.
#[test]
fn same_seed_different_replications_is_judged_on_the_common_ones() {
    let doc = |waits: &[f64]| {
        let reps: Vec<Value> = waits
            .iter()
            .enumerate()
            .map(|(i, w)| json!({"replication": i, "wait_s": {"mean": w}}))
            .collect();
        let mean = waits.iter().sum::<f64>() / waits.len() as f64;
        json!({"format": "omnisim.summary/1", "seed": 7, "replications": waits.len(),
            "wait_s": {"mean": mean}, "by_replication": reps})
    };
    let one = doc(&[20.0]);
    let eight = doc(&[20.0, 25.0, 24.0, 26.0, 23.0, 22.0, 27.0, 21.0]);
    for (b, c) in [(&one, &eight), (&eight, &one)] {
        let cmp = compare_runs(b, c, &Tolerances::new(5.0)).unwrap();
        let w = cmp.rows.iter().find(|r| r.metric == "wait_s.mean").unwrap();
        assert!(!w.regression, "{w:?}");
        assert!(
            cmp.warnings
                .iter()
                .any(|m| m.contains("judged on the 1 replication both ran")),
            "{:?}",
            cmp.warnings
        );
    }
    // Replication 0 itself 50% worse: beyond the tolerance, judged on it alone (one pair).
    let worse = doc(&[30.0, 25.0, 24.0, 26.0, 23.0, 22.0, 27.0, 21.0]);
    let cmp = compare_runs(&one, &worse, &Tolerances::new(5.0)).unwrap();
    let w = cmp.rows.iter().find(|r| r.metric == "wait_s.mean").unwrap();
    assert!(w.regression, "{w:?}");
}

/// Issue 25, fifteenth session: 2 replications against 10 (different seeds) read "Precision
/// at 10 replications a side" (the larger side), while Welch's standard error, and so the
/// `detectable` figure, rests on both counts. The line now names both.
#[test]
fn precision_names_both_sides_counts() {
    let base = with_reps(1, &[("wait_s.mean", vec![Some(10.0), Some(14.0)])]);
    let ten: Vec<Option<f64>> = (0..10).map(|i| Some(11.0 + f64::from(i % 3))).collect();
    let cur = with_reps(2, &[("wait_s.mean", ten)]);
    let c = compare_runs(&base, &cur, &Tolerances::new(5.0)).unwrap();
    let row = c.rows.iter().find(|r| r.metric == "wait_s.mean").unwrap();
    let t = row.test.expect("tested");
    assert_eq!((t.kind, t.n_base, t.n_current), (TestKind::Welch, 2, 10));
    let p = crate::report::compare_table::precision(&c);
    assert!(
        p.starts_with(
            "Precision at 2 replications of the baseline and 10 of the current run (the \
             smallest change caught 4 times in 5): wait_s.mean ±"
        ),
        "{p}"
    );
    assert!(!p.contains("10 replications a side"), "{p}");
    // Equal sides keep their wording.
    let four = |s: u64, x: f64| {
        with_reps(
            s,
            &[(
                "wait_s.mean",
                vec![Some(x), Some(x + 2.0), Some(x + 1.0), Some(x + 4.0)],
            )],
        )
    };
    let c = compare_runs(&four(1, 10.0), &four(2, 10.5), &Tolerances::new(5.0)).unwrap();
    let p = crate::report::compare_table::precision(&c);
    assert!(p.starts_with("Precision at 4 replications a side ("), "{p}");
}

/// Variant: headline metrics resting on different counts (a service level with data in 2 of
/// the baseline's 3 replications) name each its own, and the replications needed to catch
/// the tolerance come from each side's own spread, not from the larger count.
#[test]
fn precision_names_each_metrics_counts_when_they_differ() {
    let base = with_reps(
        1,
        &[
            ("wait_s.mean", vec![Some(10.0), Some(16.0), Some(13.0)]),
            ("service_level.fraction", vec![Some(0.8), None, Some(0.7)]),
        ],
    );
    let ten = |a: f64, s: f64| -> Vec<Option<f64>> {
        (0..10).map(|i| Some(a + s * f64::from(i % 3))).collect()
    };
    let cur = with_reps(
        2,
        &[
            ("wait_s.mean", ten(12.0, 0.5)),
            ("service_level.fraction", ten(0.75, 0.01)),
        ],
    );
    let c = compare_runs(&base, &cur, &Tolerances::new(5.0)).unwrap();
    let p = crate::report::compare_table::precision(&c);
    assert!(
        p.starts_with("Precision at the replications each names (baseline and current)"),
        "{p}"
    );
    assert!(
        p.contains("% (2 and 10)") && p.contains("% (3 and 10)"),
        "{p}"
    );
    // Welch at k a side: se = √((s²_b + s²_c) / k). The larger count (10) read the 3
    // baseline replications' spread as if there were 10: far too many replications needed.
    let t = c
        .rows
        .iter()
        .find(|r| r.metric == "wait_s.mean")
        .and_then(|r| r.test)
        .unwrap();
    assert_eq!(t.var_base, 9.0);
    let k = t.replications_for(1.0, 0.05).unwrap();
    let at = |k: usize| {
        TTest {
            se: ((t.var_base + t.var_current) / k as f64).sqrt(),
            df: (k as f64 - 1.0) * (t.var_base + t.var_current).powi(2)
                / (t.var_base.powi(2) + t.var_current.powi(2)),
            ..t
        }
        .detectable(0.05)
        .unwrap()
    };
    assert!(at(k) <= 1.0 && at(k - 1) > 1.0, "{k}");
}

/// A summary of `n` replications whose top level has agent group `g` (conversations, busy
/// time) and whose rows list it only when `rows` (else, with `left_out`, a
/// `by_replication_left_out` as a run with over 1,000 groups writes).
fn with_groups(seed: u64, n: usize, rows: bool, left_out: bool) -> Value {
    let waits: Vec<Option<f64>> = (0..n).map(|i| Some(10.0 + i as f64)).collect();
    let mut doc = with_reps(seed, &[("wait_s.mean", waits)]);
    doc["agent_groups"] = json!({"g": {"conversations": 10 * n, "busy_s": 500.0 * n as f64}});
    if rows {
        for (i, r) in doc["by_replication"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .enumerate()
        {
            r["agent_groups"] =
                json!({"g": {"conversations": 10 + i % 2, "busy_s": 500.0 + i as f64}});
        }
    }
    if left_out {
        doc["by_replication_left_out"] = json!({"agent_groups": 1200, "limit": 1000});
    }
    doc
}

/// Issue 25, fifteenth session: agent-group metrics a side's rows do not hold were counted
/// among "no regression" (a count absent from a row read 0 in every one: zeros against the
/// other side's figures, or against zeros) and the warning was on stderr only. They are not
/// tested, said in the table, the verdict, Markdown and JUnit (skipped cases), and the exit
/// code still counts regressions only.
#[test]
fn untested_group_metrics_are_not_counted_as_passed() {
    use crate::report::compare_table::{render_junit, render_markdown, render_text, verdict};
    // One side lacking them (its rows have no agent_groups), the other listing them.
    let c = compare_runs(
        &with_groups(1, 4, false, false),
        &with_groups(2, 4, true, false),
        &Tolerances::new(5.0),
    )
    .unwrap();
    let groups: Vec<&Row> = c
        .rows
        .iter()
        .filter(|r| r.metric.starts_with("agent_groups."))
        .collect();
    assert_eq!(groups.len(), 2);
    for r in &groups {
        assert!(r.not_tested && r.test.is_none() && !r.regression, "{r:?}");
    }
    let why = c.not_tested.clone().expect("said");
    assert!(
        why.starts_with(
            "2 agent-group metrics (agent_groups.*) not tested across replications: \
             baseline's by_replication rows have no agent_groups"
        ),
        "{why}"
    );
    assert!(c.warnings.contains(&why));
    let v = verdict(&c);
    assert_eq!(
        v,
        "No regression; 2 metrics not tested (neither passed nor failed; the exit code \
         counts regressions only)."
    );
    let text = render_text(&c, false);
    assert!(text.contains(&format!("Not tested: {why}.\n")), "{text}");
    assert!(
        text.contains("2 other metrics: no regression, no significant change"),
        "{text}"
    );
    let all = render_text(&c, true);
    assert!(
        all.contains("not tested (no per-replication figures)"),
        "{all}"
    );
    let md = render_markdown(&c, false);
    assert!(
        md.contains(&format!("Not tested: {why}.")) && md.contains(&v),
        "{md}"
    );
    let xml = render_junit(&c, "s");
    assert!(
        xml.contains("tests=\"4\" failures=\"0\" skipped=\"2\""),
        "{xml}"
    );
    assert!(xml.contains("name=\"agent_groups.g.busy_s\">\n      <skipped message=\"not tested: "));
    assert!(xml.contains("<property name=\"not_tested\""), "{xml}");
}

/// Variant: both sides above the 1,000-group cap (`by_replication_left_out`): zeros against
/// zeros passed as "nothing differs"; now not tested, with each side's count.
#[test]
fn groups_left_out_on_both_sides_are_not_tested() {
    let c = compare_runs(
        &with_groups(1, 3, false, true),
        &with_groups(1, 3, false, true),
        &Tolerances::new(5.0),
    )
    .unwrap();
    assert!(c
        .rows
        .iter()
        .filter(|r| r.metric.starts_with("agent_groups."))
        .all(|r| r.not_tested));
    let why = c.not_tested.clone().expect("said");
    assert!(
        why.contains(
            "baseline has 1200 agent groups (its rows list at most 1000) and current has 1200 \
             agent groups"
        ),
        "{why}"
    );
    // Rows listing them on both sides: tested as before, nothing said.
    let c = compare_runs(
        &with_groups(1, 3, true, false),
        &with_groups(2, 3, true, false),
        &Tolerances::new(5.0),
    )
    .unwrap();
    assert!(c.not_tested.is_none() && c.rows.iter().all(|r| !r.not_tested));
    let groups = c
        .rows
        .iter()
        .filter(|r| r.metric.starts_with("agent_groups."));
    assert!(groups.clone().count() == 2 && groups.clone().all(|r| r.test.is_some()));
}

/// A metric identical on both sides in every replication (0 in each, different seeds: Welch;
/// the same seed: paired) is not tested (docs/verdicts.md "Nothing differs"): its p cell reads
/// "-", not "1.0000", which read as a test that was run (a twenty-third tester's find). A
/// tested metric beside it keeps its p.
#[test]
fn a_metric_identical_on_both_sides_shows_no_p() {
    use crate::report::compare_table::render_text;
    let s = |v: [f64; 4]| v.iter().map(|x| Some(*x)).collect::<Vec<_>>();
    for (seed_b, seed_c) in [(1, 2), (1, 1)] {
        let base = with_reps(
            seed_b,
            &[
                ("abandonment_rate", s([0.0; 4])),
                ("wait_s.mean", s([10.0, 12.0, 11.0, 13.0])),
            ],
        );
        let cur = with_reps(
            seed_c,
            &[
                ("abandonment_rate", s([0.0; 4])),
                ("wait_s.mean", s([11.0, 14.0, 12.0, 15.5])),
            ],
        );
        let c = compare_runs(&base, &cur, &Tolerances::new(0.5)).unwrap();
        let text = render_text(&c, true);
        let line = |m: &str| {
            text.lines()
                .find(|l| l.starts_with(m))
                .unwrap_or_else(|| panic!("no {m} in\n{text}"))
                .to_string()
        };
        let cells = |l: String| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let a = cells(line("abandonment_rate"));
        assert!(
            !a.contains(&"1.0000".to_string()),
            "{seed_b}/{seed_c}: {a:?}"
        );
        let w = cells(line("wait_s.mean"));
        assert!(
            w.iter().any(|c| c.starts_with("0.") || c == "<0.0001"),
            "{seed_b}/{seed_c}: {w:?}"
        );
    }
}

/// Issue 25, sixteenth session: an agent group's metric against a history that names no agent
/// groups (no `agent_groups` in its actuals.json) read "not comparable (not in a history)",
/// but a history can hold groups (the log's `agent_group`): this one did not name them, and
/// every output now says so (terminal, Markdown, JUnit: a skipped case with the reason). A
/// figure no history holds keeps "not in a history"; a variant: a history naming other groups
/// than the run's keeps it too (the group is not in it).
#[test]
fn an_agent_group_against_a_history_naming_none_says_so_everywhere() {
    let history = json!({ "format": "omnisim.summary/1", "seed": null, "replications": 1,
        "rule_violations": { "total": null }, "wait_s": { "mean": 10.0 } });
    let run = json!({ "format": "omnisim.summary/1", "seed": 7, "replications": 1,
        "rule_violations": { "total": 316 }, "wait_s": { "mean": 10.0 },
        "agent_groups": { "tech": { "busy_s": 5.0 } } });
    let said = "not comparable (the history does not name agent groups)";
    for (b, c) in [(&history, &run), (&run, &history)] {
        let cmp = compare_runs(b, c, &Tolerances::new(5.0)).unwrap();
        let row = |m: &str| cmp.rows.iter().find(|r| r.metric == m).unwrap();
        assert_eq!(
            row("agent_groups.tech.busy_s").not_comparable_why,
            GROUPS_NOT_NAMED
        );
        assert_eq!(
            row("rule_violations.total").not_comparable_why,
            NOT_IN_HISTORY
        );
        assert_eq!(row("wait_s.mean").not_comparable_why, "");
        let text = crate::report::compare_table::render_text(&cmp, true);
        let md = crate::report::compare_table::render_markdown(&cmp, true);
        let xml = crate::report::compare_table::render_junit(&cmp, "s");
        for out in [&text, &md, &xml] {
            assert!(out.contains(said), "{out}");
            assert!(out.contains("not comparable (not in a history)"), "{out}");
        }
        assert!(xml.contains("skipped=\"2\""), "{xml}");
    }
    // A history naming another group: the run's group is not in it.
    let mut named = history.clone();
    named["agent_groups"] = json!({ "sales": { "busy_s": 4.0 } });
    let cmp = compare_runs(&named, &run, &Tolerances::new(5.0)).unwrap();
    let r = cmp
        .rows
        .iter()
        .find(|r| r.metric == "agent_groups.tech.busy_s")
        .unwrap();
    assert!(r.not_comparable, "{r:?}");
    assert_eq!(r.not_comparable_why, NOT_IN_HISTORY);
}
