//! Issue 18, beyond one machine: sharded sweeps merge into the files one machine writes (byte
//! for byte, the target's bisection included), bad shard sets are refused with exit 2, and the
//! Kubernetes Indexed Job's manifest is well formed with shard arithmetic that covers 1…N.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// M/M/c at 300/h, exponential 100 s (as tests/conformance/erlang-c.toml) with a 40 h horizon
/// and 2 replications, so one point takes a few tens of milliseconds.
static MMC: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::mmc::scenario("mmc-scale", "40h", "1h", 2));

/// The grid 8, 12, 16 with a target between 10 and 11 agents: the search bisects (10, 11), so
/// the merge must run points that no shard ran.
const SWEEP: [&str; 4] = [
    "--vary",
    "agent_groups.agent.count=8..16:4",
    "--target",
    "service_level.fraction>=0.74",
];

/// The binary on one thread, to leave CPU to the tests beside these (results do not depend on
/// the thread count).
fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_omnisim"));
    c.env("RAYON_NUM_THREADS", "1");
    c
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
    std::fs::write(&s, &*MMC).unwrap();
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
        assert_eq!(j["format"], "omnisim.sweep-shard/3");
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
    std::fs::write(&s, &*MMC).unwrap();
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
    std::fs::write(&s, &*MMC).unwrap();
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
    assert!(err.contains("expected \"omnisim.shard/3\""), "{err}");
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

/// deploy/k8s-indexed-job.yaml, parsed: (the shard Job, the merge Job).
fn k8s_jobs() -> (serde_norway::Value, serde_norway::Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/k8s-indexed-job.yaml");
    let text = read(path);
    let docs: Vec<serde_norway::Value> = serde_norway::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).expect("valid YAML"))
        .collect();
    assert_eq!(docs.len(), 2, "the shard Job and the merge Job");
    (docs[0].clone(), docs[1].clone())
}

/// The one container of a Job: (image, `SHARDS` env, the shell script in `args`, mount paths).
fn container(job: &serde_norway::Value) -> (String, String, String, Vec<String>) {
    let c = &job["spec"]["template"]["spec"]["containers"][0];
    let env = c["env"].as_sequence().unwrap();
    let shards = env
        .iter()
        .find(|e| e["name"] == "SHARDS")
        .and_then(|e| e["value"].as_str())
        .expect("a SHARDS env value (a string)");
    assert_eq!(
        c["command"],
        serde_norway::from_str::<serde_norway::Value>(r#"["/bin/sh", "-c"]"#).unwrap()
    );
    let mounts = c["volumeMounts"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|m| m["mountPath"].as_str().unwrap().to_string())
        .collect();
    (
        c["image"].as_str().unwrap().to_string(),
        shards.to_string(),
        c["args"][0].as_str().unwrap().to_string(),
        mounts,
    )
}

/// Runs a container's shell script as its pod would (`/bin/sh -c`), with the results volume at
/// `results` and `omnisim` a stub that records its arguments: the recorded lines.
fn sh(script: &str, results: &Path, env: &[(&str, String)], log: &Path) -> Vec<String> {
    let stub_dir = log.parent().unwrap().join("bin");
    std::fs::create_dir_all(&stub_dir).unwrap();
    let stub = stub_dir.join("omnisim");
    std::fs::write(
        &stub,
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$OMNISIM_LOG\"\n",
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&stub)
        .status()
        .unwrap();
    let _ = std::fs::remove_file(log);
    let path = format!("{}:{}", stub_dir.display(), std::env::var("PATH").unwrap());
    let status = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(script.replace("/results", &results.display().to_string()))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("PATH", path)
        .env("OMNISIM_LOG", log)
        .status()
        .unwrap();
    assert!(status.success(), "{script}");
    read(log.to_path_buf()).lines().map(String::from).collect()
}

/// The Indexed Job runs `--shard K/N` for K = 1…N exactly once, N = completions, each into its
/// own folder; the merge Job waits for those N folders and merges exactly them; both run the
/// image the Dockerfile's documented `docker build` tags, at the crate's version.
#[test]
fn k8s_indexed_job_shards_cover_one_to_n() {
    let (shards_job, merge_job) = k8s_jobs();
    for (job, name) in [
        (&shards_job, "omnisim-shards"),
        (&merge_job, "omnisim-merge"),
    ] {
        assert_eq!(job["apiVersion"], "batch/v1");
        assert_eq!(job["kind"], "Job");
        assert_eq!(job["metadata"]["name"], name);
        assert_eq!(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
    }
    let spec = &shards_job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let n = spec["completions"].as_u64().expect("completions");
    let parallelism = spec["parallelism"].as_u64().expect("parallelism");
    assert!(
        n >= 1 && (1..=n).contains(&parallelism),
        "{n} {parallelism}"
    );

    let (image, shards_env, script, mounts) = container(&shards_job);
    let (merge_image, merge_shards_env, merge_script, merge_mounts) = container(&merge_job);
    assert_eq!(
        shards_env,
        n.to_string(),
        "SHARDS of the shard Job = completions"
    );
    assert_eq!(
        merge_shards_env,
        n.to_string(),
        "SHARDS of the merge Job = completions"
    );
    assert!(mounts.contains(&"/results".to_string()));
    assert_eq!(merge_mounts, vec!["/results".to_string()]);

    // Each index's pod, run through sh: the shard arithmetic as Kubernetes' pods do it.
    let d = tmp("k8s");
    let results = d.join("results");
    let log = d.join("calls.txt");
    let mut outs = Vec::new();
    let mut ks = Vec::new();
    for index in 0..n {
        let env = [
            ("JOB_COMPLETION_INDEX", index.to_string()),
            ("SHARDS", shards_env.clone()),
        ];
        let calls = sh(&script, &results, &env, &log);
        assert_eq!(calls.len(), 1, "{calls:?}");
        let words: Vec<&str> = calls[0].split_whitespace().collect();
        assert_eq!(words[0], "run");
        let after = |flag: &str| words[words.iter().position(|w| *w == flag).unwrap() + 1];
        let (k, total) = after("--shard").split_once('/').unwrap();
        assert_eq!(total, n.to_string());
        ks.push(k.parse::<u64>().unwrap());
        outs.push(after("--out").to_string());
    }
    assert_eq!(ks, (1..=n).collect::<Vec<_>>(), "shards 1…N, once each");
    // The merge waits for every shard's shard.json, then merges exactly those folders.
    for out in &outs {
        std::fs::create_dir_all(out).unwrap();
        std::fs::write(Path::new(out).join("shard.json"), "{}").unwrap();
    }
    let env = [("SHARDS", merge_shards_env.clone())];
    let calls = sh(&merge_script, &results, &env, &log);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let words: Vec<&str> = calls[0].split_whitespace().collect();
    assert_eq!(words[0], "merge");
    let dirs: Vec<String> = words[1..words.len() - 2]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(dirs, outs);
    assert_eq!(
        words[words.len() - 2..],
        ["--out", &*format!("{}/merged", results.display())]
    );

    // The image: the one deploy/README.md builds from the Dockerfile, at the crate's version.
    assert_eq!(image, merge_image);
    assert_eq!(
        image,
        format!("ghcr.io/example/omnisim:{}", env!("CARGO_PKG_VERSION"))
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let build = format!("docker build -t {image} .");
    assert!(
        read(root.join("deploy/README.md")).contains(&build),
        "{build}"
    );
    let dockerfile = read(root.join("Dockerfile"));
    assert!(dockerfile.contains(&build), "the Dockerfile's usage line");
    let froms: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(froms.len(), 2, "multi-stage: {froms:?}");
    assert!(froms[1].contains("slim"), "{froms:?}");
    assert!(
        dockerfile.contains("COPY --from=build /src/target/release/omnisim /usr/local/bin/omnisim")
    );
}
