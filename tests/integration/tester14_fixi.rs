//! A fourteenth fresh tester on planner and CI answers that misled: a key varied twice by
//! `sweep`, a blank `queue` cell read by `forecast` as a queue named "".

use crate::procs::{code_and_stderr, temp_dir};
use std::path::Path;

fn erlang_c(dir: &Path) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/erlang-c.toml"),
    )
    .expect("erlang-c.toml");
    std::fs::write(dir.join("ec.toml"), text).expect("scenario");
}

/// Finding 3: two axes of one key ran a grid whose second value silently won, and the target
/// line named 8 agents as meeting 80% (they give 1%). Refused before any point runs.
#[test]
fn a_key_varied_twice_is_refused() {
    let dir = temp_dir("tester14-vary-twice");
    erlang_c(&dir);
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "sweep",
            "ec.toml",
            "--vary",
            "agent_groups.agent.count=8..16:4",
            "--vary",
            " agent_groups.agent.count =10,12",
            "--target",
            "service_level.fraction>=0.8",
            "--out",
            "sw",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("\"agent_groups.agent.count\" is varied twice"),
        "{err}"
    );
    assert!(!dir.join("sw").exists(), "nothing written");
}

/// Finding 5: an empty `queue` cell in a volume file with a `queue` column became a queue
/// named "", and its forecast.csv was refused by the scenario reader. `forecast` refuses the
/// row at its line and column, as `fit` does, with every other problem.
#[test]
fn forecast_refuses_an_empty_queue_cell() {
    let dir = temp_dir("tester14-blank-queue");
    let mut csv = String::from("interval_start,queue,volume\n");
    for day in 1..=28 {
        for hour in 8..18 {
            for q in ["retail", "cards"] {
                csv.push_str(&format!(
                    "2026-02-{day:02}T{hour:02}:00,{q},{}\n",
                    40 + hour
                ));
            }
        }
    }
    // Line 2 + 2 × 10 × 3 = 62: a row of the third day with its queue left out, and a bad
    // volume further on: both reported at once.
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    lines[61] = "2026-02-03T18:00,,82".into();
    lines[101] = "2026-02-05T08:00,cards,many".into();
    std::fs::write(dir.join("v.csv"), lines.join("\n") + "\n").expect("csv");
    let (code, err) = code_and_stderr(&dir, &["forecast", "v.csv", "--out", "fq"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("v.csv:62:2: queue: `queue` is empty"), "{err}");
    assert!(err.contains("v.csv:102:3"), "{err}");
    assert!(!dir.join("fq").join("forecast.csv").exists());
}

/// Finding 8: `--junit` naming a folder ran the whole run, then failed "Is a directory",
/// hiding the threshold result. Refused before the run.
#[test]
fn junit_into_a_folder_is_refused_before_the_run() {
    let dir = temp_dir("tester14-junit-folder");
    erlang_c(&dir);
    std::fs::create_dir(dir.join("jx")).expect("folder");
    let (code, err) = code_and_stderr(
        &dir,
        &["run", "ec.toml", "--junit", "jx", "--out", "out", "--quiet"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--junit jx: expected a file"), "{err}");
    assert!(!dir.join("out").exists(), "the run did not begin");
}

/// Finding 9: the JUnit file of an interrupted run showed every threshold passing and nothing
/// partial, so a CI view was green. It has an erroring "the run finished" case and the
/// `partial` property.
#[test]
fn an_interrupted_runs_junit_is_not_green() {
    let dir = temp_dir("tester14-junit-partial");
    erlang_c(&dir);
    let text = std::fs::read_to_string(dir.join("ec.toml"))
        .expect("scenario")
        .replace("horizon = \"500h\"", "horizon = \"60000h\"");
    std::fs::write(dir.join("long.toml"), text).expect("long");
    let (file, out) = (dir.join("j.xml"), dir.join("out"));
    let (child, log) = crate::procs::spawn_logged(&[
        "run",
        dir.join("long.toml").to_str().unwrap(),
        "--replications",
        "2",
        "--allow-huge",
        "--quiet",
        "--junit",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (code, err) = crate::procs::signal_when(child, &log, ("events", 3), "-INT");
    assert_eq!(code, Some(130), "{err}");
    let xml = std::fs::read_to_string(&file).expect("junit written");
    assert!(xml.contains("name=\"the run finished\""), "{xml}");
    assert!(xml.contains("<error message=\"interrupted: "), "{xml}");
    assert!(
        xml.contains("<property name=\"partial\" value=\"true\"/>"),
        "{xml}"
    );
    assert!(xml.contains("errors=\"1\""), "{xml}");
}

/// Finding 10: `ab` reported a variant that only moved the service-level threshold as a
/// significant gain; scenarios that measure differently are refused (as `compare` refuses
/// such summaries) unless `--allow-different`.
#[test]
fn ab_refuses_scenarios_that_measure_differently() {
    let dir = temp_dir("tester14-ab-measure");
    erlang_c(&dir);
    let base = std::fs::read_to_string(dir.join("ec.toml")).expect("scenario");
    assert!(base.contains("service_level = \"20s\""), "{base}");
    let variant = base
        .replace("service_level = \"20s\"", "service_level = \"60s\"")
        .replace("horizon = \"500h\"", "horizon = \"50h\"");
    std::fs::write(dir.join("v.toml"), variant).expect("variant");
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "ab",
            "ec.toml",
            "--variant",
            "v.toml",
            "--out",
            "ab",
            "--quiet",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("service_level: 20s (base) vs 1m (variant)")
            || err.contains("service_level: 20s (base) vs 60s (variant)"),
        "{err}"
    );
    assert!(err.contains("horizon: "), "{err}");
    assert!(err.contains("--allow-different"), "{err}");
    assert!(!dir.join("ab").exists());
}
