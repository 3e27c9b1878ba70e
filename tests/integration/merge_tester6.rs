//! Issue 25, ninth pass (a sixth fresh tester): `merge` of shards whose project folders are on
//! other machines. A sweep shard's merge read the input CSVs at shard 1's absolute path only,
//! and a missing file was reported as "the scenario at 2 points (…) is invalid"; merging shards
//! of different splits (1/3 with 2/2) listed duplicate and missing replications; shards of
//! different scenario files were named by the first shard's file.

use crate::procs::code_and_stderr as omnisim;
use std::path::Path;

const SCENARIO: &str = r#"
[scenario]
name = "nodes"
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
count = 20
queues = ["retail"]

[traffic]
forecast = "data/forecast.csv"
"#;

/// A project folder `dir` with the scenario `s.toml` and its forecast.
fn project(dir: &Path) {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("s.toml"), SCENARIO).unwrap();
    std::fs::write(
        dir.join("data/forecast.csv"),
        "interval_start,queue,volume\n0,retail,100\n1800,retail,100\n",
    )
    .unwrap();
}

/// The tester's layout: shard 1 run in `nodeA/`, shard 2 in a copy `nodeB/`, each writing to a
/// sibling folder; `nodeA/` then moved away. The merge, from a third folder, finds the inputs
/// beside shard 2's scenario (checked by hash). With no copy left anywhere it says "cannot
/// read" and names the file, never "invalid scenario". Run shards (the variant) alike.
#[test]
fn shards_from_two_nodes_merge_when_one_node_folder_is_gone() {
    let root = crate::procs::TempDir::new("merge-nodes");
    let elsewhere = root.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    for node in ["nodeA", "nodeB"] {
        project(&root.join(node));
    }
    let sweep = |node: &str, k: &str, out: &str| {
        let (c, e) = omnisim(
            &root.join(node),
            &[
                "sweep",
                "s.toml",
                "--vary",
                "agent_groups.a.count=10..20:10",
                "--shard",
                k,
                "--out",
                out,
                "--quiet",
            ],
        );
        assert_eq!(c, Some(0), "{e}");
        let (c, e) = omnisim(
            &root.join(node),
            &[
                "run",
                "s.toml",
                "--shard",
                k,
                "--out",
                &format!("{out}r"),
                "--quiet",
            ],
        );
        assert_eq!(c, Some(0), "{e}");
    };
    sweep("nodeA", "1/2", "../xA");
    sweep("nodeB", "2/2", "../xB");
    std::fs::rename(root.join("nodeA"), root.join("moved")).unwrap();
    let arg = |p: &str| root.join(p).display().to_string();
    for (a, b, out) in [("xA", "xB", "xAB"), ("xAr", "xBr", "xABr")] {
        let (c, e) = omnisim(
            &elsewhere,
            &["merge", &arg(a), &arg(b), "--out", &arg(out), "--quiet"],
        );
        assert_eq!(c, Some(0), "{a} {b}: {e}");
    }
    assert!(root.join("xAB/sweep.csv").is_file());
    assert!(root.join("xABr/summary.json").is_file());
    // No copy of the inputs anywhere: "cannot read" the file, not an invalid scenario.
    std::fs::remove_file(root.join("nodeB/data/forecast.csv")).unwrap();
    for (a, b) in [("xA", "xB"), ("xAr", "xBr")] {
        let (c, e) = omnisim(
            &elsewhere,
            &["merge", &arg(a), &arg(b), "--out", &arg("no")],
        );
        assert_eq!(c, Some(2), "{e}");
        assert!(e.contains("cannot read"), "{e}");
        assert!(e.contains("forecast.csv (traffic.forecast"), "{e}");
        assert!(!e.contains("invalid"), "{e}");
    }
    assert!(!root.join("no").exists());
}

/// Shards of different splits (1/3 with 2/2) are refused for that, not as duplicate and missing
/// replications; shards of two scenario files each name their own file.
#[test]
fn shards_of_different_splits_or_scenario_files_say_so() {
    let root = crate::procs::TempDir::new("merge-splits");
    project(&root);
    for (k, out) in [("1/3", "s13"), ("2/2", "s22")] {
        let (c, e) = omnisim(
            &root,
            &["run", "s.toml", "--shard", k, "--out", out, "--quiet"],
        );
        assert_eq!(c, Some(0), "{e}");
    }
    let (c, e) = omnisim(&root, &["merge", "s13", "s22", "--out", "m"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("s22 is shard 2/2 but s13 is shard 1/3"), "{e}");
    assert!(
        !e.contains("appears in both") && !e.contains("missing"),
        "{e}"
    );
    // Another scenario file: each shard's own file named.
    std::fs::write(
        root.join("long.toml"),
        SCENARIO.replace("horizon = \"1h\"", "horizon = \"2h\""),
    )
    .unwrap();
    let (c, e) = omnisim(
        &root,
        &[
            "run",
            "long.toml",
            "--shard",
            "1/2",
            "--out",
            "l1",
            "--quiet",
        ],
    );
    assert_eq!(c, Some(0), "{e}");
    let (c, e) = omnisim(
        &root,
        &["run", "s.toml", "--shard", "2/2", "--out", "s2", "--quiet"],
    );
    assert_eq!(c, Some(0), "{e}");
    let (c, e) = omnisim(&root, &["merge", "s2", "l1", "--out", "m"]);
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("l1 read long.toml and s2 read s.toml"), "{e}");
}
