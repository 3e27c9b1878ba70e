//! Unified routing in thresholds, sweep targets and sweeps: `summary.json` paths
//! `routing.by_rule.<queue>/<rule>`, `overflow.by_queue.<queue>.<kind>` and every other leaf the
//! bundled bilingual-support scenario's summary has, with "did you mean" for typos.

use omnisim::report::{self, Summary};
use omnisim::scenario::{is_known_metric, load_str, MetricScope, Scenario};
use omnisim::sim::{self, RunOptions};
use omnisim::workflows::target;

fn bilingual(extra: &str) -> Result<Scenario, String> {
    let text = std::fs::read_to_string("scenarios/bilingual-support.toml").unwrap() + extra;
    load_str(&text, "bilingual-support.toml").map_err(|e| e.to_string())
}

fn run(sc: &Scenario) -> Summary {
    report::build(sc, &sim::run(sc, &RunOptions::default(), &|_, _, _| {}))
}

/// Thresholds on rule counts and overflow counts resolve and pass or fail by their value.
/// Every assignment in `general` is made by one of its three rules, so their counts add up to
/// the queue's answered conversations; `general` is closed before 08:00, so its out-of-hours
/// overflow fires.
#[test]
fn thresholds_on_rule_and_overflow_counts() {
    let sc = bilingual(
        r#"
[[thresholds]]
metric = "routing.by_rule.general/closest-fit"
max = 0

[[thresholds]]
metric = "routing.by_rule.general/closest-fit"
min = 1

[[thresholds]]
metric = "routing.by_rule.general/english-team"
min = 1

[[thresholds]]
metric = "overflow.by_queue.general.out_of_hours"
min = 1

[[thresholds]]
metric = "overflow.by_queue.after-hours.waited_over"
max = 0
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let s = run(&sc);
    let v = |p: &str| report::lookup(&s, p).unwrap_or_else(|| panic!("{p} has no value"));
    let rules = ["english-team", "spanish-experts", "closest-fit"]
        .map(|r| v(&format!("routing.by_rule.general/{r}")));
    assert_eq!(rules.iter().sum::<f64>(), v("queues.general.answered"));
    assert_eq!(rules[2], 0.0, "nobody falls through to closest-fit here");
    assert!(v("overflow.by_queue.after-hours.waited_over") > 0.0);
    let got: Vec<(&str, Option<f64>, bool)> = s
        .thresholds
        .iter()
        .map(|t| (t.metric.as_str(), t.value, t.passed))
        .collect();
    assert_eq!(
        got,
        vec![
            ("routing.by_rule.general/closest-fit", Some(0.0), true),
            ("routing.by_rule.general/closest-fit", Some(0.0), false),
            ("routing.by_rule.general/english-team", Some(rules[0]), true),
            (
                "overflow.by_queue.general.out_of_hours",
                Some(v("overflow.by_queue.general.out_of_hours")),
                true
            ),
            (
                "overflow.by_queue.after-hours.waited_over",
                Some(v("overflow.by_queue.after-hours.waited_over")),
                false
            ),
        ]
    );
}

/// A typo in a rule name, a rule of a queue without rules and a kind of a queue without
/// overflow rules are refused at load with a suggestion; `sweep --target` says the same.
#[test]
fn typos_in_routing_paths_get_a_suggestion() {
    let e = bilingual(
        "\n[[thresholds]]\nmetric = \"routing.by_rule.general/closets-fit\"\nmax = 0\n\
         \n[[thresholds]]\nmetric = \"overflow.by_queue.general.waited_ovr\"\nmax = 0\n",
    )
    .unwrap_err();
    assert!(
        e.contains("unknown metric path \"routing.by_rule.general/closets-fit\" (hint: did you mean \"routing.by_rule.general/closest-fit\"?)"),
        "{e}"
    );
    assert!(
        e.contains("(hint: did you mean \"overflow.by_queue.general.waited_over\"?)"),
        "{e}"
    );
    let sc = bilingual("").unwrap();
    let check = |m: &str| target::check(&target::parse(m).unwrap(), &sc);
    assert_eq!(check("routing.by_rule.general/closest-fit>=1"), Ok(()));
    assert_eq!(check("overflow.by_queue.vip.work_items_over<=3"), Ok(()));
    let e = check("routing.by_rule.general/englsh-team>=1").unwrap_err();
    assert!(
        e.contains("(did you mean \"routing.by_rule.general/english-team\"?)"),
        "{e}"
    );
    let e = check("routing.by_rule.vip/rule-1>=1").unwrap_err();
    assert!(
        e.contains("expected one of \"routing.by_rule.general/english-team\", \"routing.by_rule.general/spanish-experts\", \"routing.by_rule.general/closest-fit\""),
        "{e}"
    );
}

fn leaves(v: &serde_json::Value, path: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(x, p, out);
            }
        }
        serde_json::Value::Number(_) | serde_json::Value::Null => out.push(path),
        _ => {}
    }
}

/// Every numeric leaf of the scenario's `summary.json` is a path a threshold may name, and
/// every name the scope lists there resolves (the validator and the summary cannot drift).
#[test]
fn every_leaf_of_a_routing_summary_is_a_known_path() {
    let sc = bilingual("").unwrap();
    let s = run(&sc);
    let mut paths = Vec::new();
    leaves(
        &serde_json::to_value(&s).unwrap(),
        String::new(),
        &mut paths,
    );
    let scope = MetricScope::of_scenario(&sc);
    let unknown: Vec<&String> = paths
        .iter()
        .filter(|p| !is_known_metric(p, &scope))
        .collect();
    assert!(
        unknown.is_empty(),
        "leaves a threshold cannot name: {unknown:?}"
    );
    for p in [
        "routing.by_rule.general/spanish-experts",
        "overflow.by_queue.vip.work_items_over",
        "queues.after-hours.overflowed",
        "queues.general.transferred_in",
        "routing.unmatched",
        "overflow.callbacks",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} is not in the summary");
        assert!(report::lookup(&s, p).is_some(), "{p}");
    }
}

/// `--vary` with words: each point's scenario gets the word as a TOML string (an assignment
/// rule named in the path by its `name`), `sweep.csv` shows the words, and a misspelled word is
/// refused before anything runs, at the `--vary` value, with the loader's suggestion.
#[test]
fn sweep_varies_a_string_key() {
    use omnisim::engine::OrderBy;
    use omnisim::workflows::{grid, sweep, sweep_render};
    let text = std::fs::read_to_string("scenarios/bilingual-support.toml").unwrap();
    let spec = |vary: &str| sweep::SweepSpec {
        text: text.clone(),
        origin: "bilingual-support.toml".into(),
        axes: vec![grid::parse(vary).unwrap()],
        target: None,
        seed: None,
        replications: Some(1),
        allow_huge: false,
        pins: Default::default(),
    };
    let path = "queues.general.assignment_rules.spanish-experts.order_by";
    let s = spec(&format!("{path}=most_proficient,least_active"));
    let points = sweep::prepare(&s).unwrap();
    let order_by: Vec<(Vec<f64>, OrderBy)> = points
        .iter()
        .map(|(v, sc)| {
            let q = sc.queues.iter().find(|q| q.name == "general").unwrap();
            (v.clone(), q.assignment_rules[1].order_by)
        })
        .collect();
    assert_eq!(
        order_by,
        vec![
            (vec![0.0], OrderBy::MostProficient),
            (vec![1.0], OrderBy::LeastActive)
        ]
    );
    let r = sweep::run(&s).unwrap();
    let csv = sweep_render::csv(&r).unwrap();
    let firsts: Vec<&str> = csv.lines().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        firsts,
        vec![path, "most_proficient", "least_active"],
        "{csv}"
    );
    let e = sweep::prepare(&spec(&format!("{path}=most_profcient,least_active")))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("--vary {path}=most_profcient")) && e.contains("most_proficient"),
        "{e}"
    );
    // Every bad point at once.
    let e = sweep::prepare(&spec(&format!("{path}=most_profcient,least_active,5")))
        .unwrap_err()
        .to_string();
    assert!(e.contains("2 points"), "{e}");
    assert!(e.contains(&format!("--vary {path}=most_profcient")), "{e}");
    assert!(e.contains(&format!("--vary {path}=5")), "{e}");
}
