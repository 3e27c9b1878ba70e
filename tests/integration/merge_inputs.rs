//! Issue 25 item 2: `merge` and the files the shards read. A shard records the content hash of
//! its scenario and of every CSV file it read; `merge` refuses shards that read different
//! files, and files changed since the shards ran (exit 2, naming the file). `merge` resolves
//! the CSV files against the scenario's folder, so it works from any folder; shards run with
//! `--allow-huge` merge.

use std::path::Path;
use std::process::Command;

const FORECAST: &str = r#"
[scenario]
name = "forecast-shards"
horizon = "1h"
replications = 2
seed = 3

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "2m" }

[[queues]]
name = "retail"
workstream = "chat"

[[agent_groups]]
name = "a"
count = 40
queues = ["retail"]

[traffic]
forecast = "data/forecast.csv"
"#;

fn temp_dir(tag: &str) -> crate::procs::TempDir {
    let dir = crate::procs::TempDir::new(&format!("merge-{tag}"));
    std::fs::create_dir_all(dir.join("data")).expect("temp dir");
    dir
}

/// 400 or 770 arrivals in the hour: two half-hour intervals.
fn forecast(dir: &Path, per_half_hour: u32) {
    std::fs::write(
        dir.join("data/forecast.csv"),
        format!(
            "interval_start,queue,volume\n0,retail,{per_half_hour}\n1800,retail,{per_half_hour}\n"
        ),
    )
    .unwrap();
}

/// Runs `omnisim ARGS…` in `cwd`: (exit code, stderr).
fn omnisim(cwd: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run omnisim");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn shards_of_different_forecasts_do_not_merge() {
    // The issue's example: the forecast re-exported between shard 1 (400 arrivals) and
    // shard 2 (770).
    let dir = temp_dir("differ");
    std::fs::write(dir.join("fc.toml"), FORECAST).unwrap();
    forecast(&dir, 200);
    let (c, e) = omnisim(
        &dir,
        &["run", "fc.toml", "--shard", "1/2", "--out", "s1", "--quiet"],
    );
    assert_eq!(c, Some(0), "{e}");
    forecast(&dir, 385);
    let (c, e) = omnisim(
        &dir,
        &["run", "fc.toml", "--shard", "2/2", "--out", "s2", "--quiet"],
    );
    assert_eq!(c, Some(0), "{e}");
    let (c, e) = omnisim(&dir, &["merge", "s1", "s2", "--out", "merged"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(
        e.contains("s2 read another data/forecast.csv than s1 (traffic.forecast"),
        "{e}"
    );
    assert!(!dir.join("merged").exists());
}

#[test]
fn a_file_changed_after_the_shards_ran_is_refused_and_merge_works_from_anywhere() {
    let dir = temp_dir("anywhere");
    std::fs::write(dir.join("fc.toml"), FORECAST).unwrap();
    forecast(&dir, 200);
    // Shard 1 from the scenario's folder, shard 2 from its parent (another relative path).
    let (c, e) = omnisim(
        &dir,
        &["run", "fc.toml", "--shard", "1/2", "--out", "s1", "--quiet"],
    );
    assert_eq!(c, Some(0), "{e}");
    let parent = dir.parent().unwrap();
    let name = dir.file_name().unwrap().to_str().unwrap();
    let (c, e) = omnisim(
        parent,
        &[
            "run",
            &format!("{name}/fc.toml"),
            "--shard",
            "2/2",
            "--out",
            &format!("{name}/s2"),
            "--quiet",
        ],
    );
    assert_eq!(c, Some(0), "{e}");
    // Merged from a folder that holds neither the scenario nor its data: works.
    let elsewhere = temp_dir("elsewhere");
    let s1 = dir.join("s1");
    let s2 = dir.join("s2");
    let merged = dir.join("merged");
    let args = |out: &Path| {
        vec![
            "merge".to_string(),
            s1.display().to_string(),
            s2.display().to_string(),
            "--out".to_string(),
            out.display().to_string(),
        ]
    };
    let a = args(&merged);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (c, e) = omnisim(&elsewhere, &a);
    assert_eq!(c, Some(0), "{e}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(merged.join("summary.json")).unwrap())
            .unwrap();
    assert!(summary["conversations"]["arrived"].as_u64().unwrap() > 0);
    // Variant: the forecast re-exported after both shards ran: the merge would rebuild another
    // scenario than the shards ran, so it refuses, naming the file.
    forecast(&dir, 385);
    let again = dir.join("merged2");
    let a = args(&again);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (c, e) = omnisim(&elsewhere, &a);
    assert_eq!(c, Some(2), "{e}");
    assert!(
        e.contains("data/forecast.csv (traffic.forecast) has changed since the shards read it"),
        "{e}"
    );
}

#[test]
fn shards_run_with_allow_huge_merge() {
    // 401 days is past the 400-day limit; one arrival keeps it instant.
    let dir = temp_dir("huge");
    let text = r#"
[scenario]
name = "huge-horizon"
horizon = "401d"
replications = 2

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = "1m"

[[queues]]
name = "q"
workstream = "chat"
arrivals = { times = ["1s"] }

[[agent_groups]]
name = "a"
count = 1
queues = ["q"]
"#;
    std::fs::write(dir.join("h.toml"), text).unwrap();
    let (c, e) = omnisim(
        &dir,
        &["run", "h.toml", "--shard", "1/2", "--out", "s1", "--quiet"],
    );
    assert_eq!(c, Some(2), "refused without --allow-huge: {e}");
    for k in ["1/2", "2/2"] {
        let out = format!("s{}", &k[..1]);
        let (c, e) = omnisim(
            &dir,
            &[
                "run",
                "h.toml",
                "--shard",
                k,
                "--out",
                &out,
                "--quiet",
                "--allow-huge",
            ],
        );
        assert_eq!(c, Some(0), "{e}");
    }
    let (c, e) = omnisim(&dir, &["merge", "s1", "s2", "--out", "merged", "--quiet"]);
    assert_eq!(c, Some(0), "{e}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("merged/summary.json")).unwrap())
            .unwrap();
    // One arrival in each of the two replications.
    assert_eq!(summary["conversations"]["arrived"], 2);
}

/// Copies the folder `from` (files and folders) to `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `summary.json` of `dir` without its wall-clock `engine` object.
fn summary_without_engine(dir: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("engine");
    v
}

/// Runs both shards of `scenario` (relative to `cwd`) into `cwd/<out>1` and `cwd/<out>2`.
fn two_shards(cwd: &Path, scenario: &str, out: &str) {
    for k in ["1/2", "2/2"] {
        let o = format!("{out}{}", &k[..1]);
        let (c, e) = omnisim(
            cwd,
            &["run", scenario, "--shard", k, "--out", &o, "--quiet"],
        );
        assert_eq!(c, Some(0), "{e}");
    }
}

#[test]
fn a_moved_project_folder_merges_with_the_same_result_and_a_changed_csv_is_refused() {
    // The tester's example (issue 25 H): shards built in a project folder, the folder moved
    // elsewhere (another machine's mount path), the original gone: merge used to read the
    // forecast at the old absolute path ("cannot read …/data/forecast.csv").
    let dir = temp_dir("moved-from");
    std::fs::write(dir.join("fc.toml"), FORECAST).unwrap();
    forecast(&dir, 200);
    two_shards(&dir, "fc.toml", "s");
    let reference = temp_dir("moved-ref");
    let (c, e) = omnisim(
        &dir,
        &[
            "merge",
            "s1",
            "s2",
            "--out",
            &reference.join("m").display().to_string(),
        ],
    );
    assert_eq!(c, Some(0), "{e}");
    let moved = crate::procs::TempDir::unmade("merge-moved-to");
    std::fs::rename(&dir, &moved).unwrap();
    assert!(!dir.exists());
    let (c, e) = omnisim(&moved, &["merge", "s1", "s2", "--out", "merged", "--quiet"]);
    assert_eq!(c, Some(0), "{e}");
    assert_eq!(
        summary_without_engine(&moved.join("merged")),
        summary_without_engine(&reference.join("m"))
    );
    // A changed forecast at the new place is still refused, by its hash.
    forecast(&moved, 385);
    let (c, e) = omnisim(&moved, &["merge", "s1", "s2", "--out", "merged2"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(
        e.contains("data/forecast.csv (traffic.forecast) has changed since the shards read it"),
        "{e}"
    );
    assert!(!moved.join("merged2").exists());
    let _ = std::fs::remove_dir_all(&moved);
    let _ = std::fs::remove_dir_all(&reference);
}

#[test]
fn a_copied_project_with_shards_in_a_sibling_folder_merges_from_anywhere() {
    // Variant: the scenario in `in/`, the shards in `runs/`, the project copied (not moved) to
    // a new path, the original removed, the merge run from a third folder.
    let dir = temp_dir("copied-from");
    std::fs::create_dir_all(dir.join("in/data")).unwrap();
    std::fs::create_dir_all(dir.join("runs")).unwrap();
    std::fs::write(dir.join("in/fc.toml"), FORECAST).unwrap();
    forecast(&dir.join("in"), 200);
    two_shards(&dir, "in/fc.toml", "runs/s");
    let (c, e) = omnisim(
        &dir,
        &["merge", "runs/s1", "runs/s2", "--out", "m", "--quiet"],
    );
    assert_eq!(c, Some(0), "{e}");
    let copy = temp_dir("copied-to");
    copy_tree(&dir, &copy);
    let reference = summary_without_engine(&dir.join("m"));
    std::fs::remove_dir_all(&dir).unwrap();
    let elsewhere = temp_dir("copied-elsewhere");
    let arg = |p: &str| copy.join(p).display().to_string();
    let (c, e) = omnisim(
        &elsewhere,
        &[
            "merge",
            &arg("runs/s1"),
            &arg("runs/s2"),
            "--out",
            &arg("m2"),
            "--quiet",
        ],
    );
    assert_eq!(c, Some(0), "{e}");
    assert_eq!(summary_without_engine(&copy.join("m2")), reference);
    forecast(&copy.join("in"), 385);
    let (c, e) = omnisim(
        &elsewhere,
        &[
            "merge",
            &arg("runs/s1"),
            &arg("runs/s2"),
            "--out",
            &arg("m3"),
        ],
    );
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("has changed since the shards read it"), "{e}");
    let _ = std::fs::remove_dir_all(&copy);
}

/// Tester finding 8: shards differing only in `--allow-huge` were refused ("differs from s1 in
/// its --allow-huge") even when the scenario is within every limit, so results are identical.
/// A shard records whether the flag lifted a limit; shards agree on that. When it did lift one
/// in one shard only, the message says the flag changes which inputs are accepted.
#[test]
fn shards_differing_only_in_an_allow_huge_that_lifted_nothing_merge() {
    let dir = temp_dir("huge-mixed");
    let small = r#"
[scenario]
name = "small"
horizon = "2h"
replications = 2

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = "1m"

[[queues]]
name = "q"
workstream = "chat"
arrivals = { rate = "10/h" }

[[agent_groups]]
name = "a"
count = 1
queues = ["q"]
"#;
    std::fs::write(dir.join("s.toml"), small).unwrap();
    let run = |k: &str, out: &str, huge: bool| {
        let mut args = vec!["run", "s.toml", "--shard", k, "--out", out, "--quiet"];
        if huge {
            args.push("--allow-huge");
        }
        let (c, e) = omnisim(&dir, &args);
        assert_eq!(c, Some(0), "{e}");
    };
    run("1/2", "a1", true);
    run("2/2", "a2", false);
    let (c, e) = omnisim(&dir, &["merge", "a1", "a2", "--out", "m", "--quiet"]);
    assert_eq!(c, Some(0), "{e}");
    run("1/2", "b1", false);
    let (c, e) = omnisim(&dir, &["merge", "b1", "a2", "--out", "whole", "--quiet"]);
    assert_eq!(c, Some(0), "{e}");
    assert_eq!(
        summary_without_engine(&dir.join("m")),
        summary_without_engine(&dir.join("whole"))
    );
    // A shard whose flag did lift a limit against one whose did not (a hand-edited record:
    // the scenario cannot be both): refused, saying why the flag matters.
    let path = dir.join("a1/shard.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["limits_lifted"], false);
    v["limits_lifted"] = true.into();
    std::fs::write(&path, v.to_string()).unwrap();
    let (c, e) = omnisim(&dir, &["merge", "a1", "a2", "--out", "m2", "--quiet"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(
        e.contains(
            "differs from a1 in its --allow-huge (the flag changes which inputs are accepted"
        ),
        "{e}"
    );
}
