//! Issue 7, CI and rollout workflows: `compare`, `ab`, `sweep` (against Erlang C), sharded
//! `run` + `merge`, `--junit` and `erlang`, through the library and the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use omnisim::erlang::erlang_c;
use omnisim::report::compare::{compare, Tolerances};
use omnisim::scenario::load_str;
use omnisim::workflows::{ab, grid, sweep, target};

/// M/M/c as in tests/conformance/erlang-c.toml (300/h, exponential 100 s, 10 agents) with a
/// 40 h horizon and 8 replications, so a run takes a few tens of milliseconds.
static MMC: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::mmc::scenario("mmc-fast", "40h", "1h", 8));

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_omnisim"))
}

/// A fresh folder for one test.
fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("workflows-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, file: &str, text: &str) -> PathBuf {
    let p = dir.join(file);
    std::fs::write(&p, text).unwrap();
    p
}

fn code(cmd: &mut Command) -> i32 {
    let out = cmd.output().unwrap();
    out.status.code().unwrap()
}

/// The summary text without its `engine` object (the only wall-clock part).
fn without_engine(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("  \"engine\": {") {
            skipping = true;
        } else if skipping {
            skipping = !line.starts_with("  }");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn ab_identical_variant_has_exactly_zero_diffs() {
    let sc = load_str(&MMC, "mmc.toml").unwrap();
    let r = ab::run(&sc, &sc, Some(4));
    assert_eq!(r.format, "omnisim.ab/1");
    for m in ab::METRICS {
        let x = &r.metrics[m];
        assert_eq!(x.diff, Some(0.0), "{m}");
        assert_eq!(x.ci95, Some([0.0, 0.0]), "{m}");
        assert_eq!(x.base, x.variant, "{m}");
    }
}

#[test]
fn ab_one_agent_fewer_waits_longer_with_interval_above_zero() {
    let base = load_str(&MMC, "mmc.toml").unwrap();
    let fewer = load_str(&MMC.replace("count = 10", "count = 9"), "mmc9.toml").unwrap();
    let r = ab::run(&base, &fewer, None);
    let w = &r.metrics["wait_s.mean"];
    assert!(w.diff > Some(0.0), "{w:?}");
    assert!(w.ci95.unwrap()[0] > 0.0, "{w:?}");
    let sl = &r.metrics["service_level.fraction"];
    assert!(sl.ci95.unwrap()[1] < 0.0, "{sl:?}");
}

#[test]
fn ab_cli_writes_ab_json() {
    let d = tmp("ab");
    let s = write(&d, "base.toml", &MMC);
    let v = write(&d, "var.toml", &MMC.replace("count = 10", "count = 11"));
    let rc = code(
        bin()
            .args(["ab", "--quiet", "--replications", "2", "--out"])
            .arg(d.join("out"))
            .arg(&s)
            .arg("--variant")
            .arg(&v),
    );
    assert_eq!(rc, 0);
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/ab.json")).unwrap()).unwrap();
    assert_eq!(j["format"], "omnisim.ab/1");
    assert_eq!(j["replications"], 2);
    assert!(j["metrics"]["rule_violations.total"]["ci95"].is_array());
    let bad = write(&d, "bad.toml", "[scenario]\nname = 1\n");
    assert_eq!(code(bin().arg("ab").arg(&s).arg("--variant").arg(&bad)), 2);
}

/// The sweep's smallest agent count with service level ≥ 0.74 is Erlang C's: 11 (Erlang C
/// gives 0.651 at 10 agents and 0.824 at 11, so 0.74 sits ~0.08 from both, several standard
/// errors of this 8 × 39 h run). The coarse grid 8, 12, 16 makes the search bisect.
#[test]
fn sweep_smallest_count_matches_erlang_c() {
    let (lambda, aht, t) = (300.0 / 3600.0, 100.0, 20.0);
    let sl = |n: u32| {
        erlang_c(lambda, aht, f64::from(n), t)
            .unwrap()
            .service_level
    };
    assert!(sl(10) < 0.74 - 0.05 && sl(11) > 0.74 + 0.05);
    let expected = omnisim::erlang::erlang_c_agents(lambda, aht, t, 0.74).unwrap();
    assert_eq!(expected, 11);
    let spec = sweep::SweepSpec {
        text: MMC.to_string(),
        origin: "mmc.toml".into(),
        axes: vec![grid::parse("agent_groups.agent.count=8..16:4").unwrap()],
        target: Some(target::parse("service_level.fraction>=0.74").unwrap()),
        seed: None,
        replications: None,
        allow_huge: false,
        pins: Default::default(),
    };
    let r = sweep::run(&spec).unwrap();
    let a = r.answer.unwrap();
    assert_eq!(a.values, vec![expected as f64]);
    assert_eq!(a.method, sweep::Method::Bisection);
    let counts: Vec<f64> = r.points.iter().map(|p| p.values[0]).collect();
    assert_eq!(counts, vec![8.0, 10.0, 11.0, 12.0, 16.0]);
}

#[test]
fn sweep_cli_files_and_exit_codes() {
    let d = tmp("sweep");
    let s = write(
        &d,
        "mmc.toml",
        &MMC.replace("replications = 8", "replications = 2"),
    );
    let out = d.join("out");
    let rc = code(
        bin()
            .args([
                "sweep",
                "--quiet",
                "--vary",
                "agent_groups.agent.count=10..12",
                "--target",
                "wait_s.mean<=1000",
                "--out",
            ])
            .arg(&out)
            .arg(&s),
    );
    assert_eq!(rc, 0);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.starts_with("agent_groups.agent.count,"));
    let html = std::fs::read_to_string(out.join("sweep.html")).unwrap();
    assert!(html.contains("<svg"));
    let no_svg_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !no_svg_ns.contains("http") && !html.contains("<script"),
        "network asset"
    );
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("target.json")).unwrap()).unwrap();
    assert_eq!(t["values"]["agent_groups.agent.count"], 10.0);
    // Nothing meets an impossible target: exit 1.
    let rc = code(
        bin()
            .args([
                "sweep",
                "--quiet",
                "--vary",
                "agent_groups.agent.count=10..11",
                "--target",
                "wait_s.mean<0",
                "--out",
            ])
            .arg(&out)
            .arg(&s),
    );
    assert_eq!(rc, 1);
    // An unknown element name or an invalid value: exit 2.
    for vary in [
        "agent_groups.nobody.count=1..2",
        "agent_groups.agent.capacity=0..1",
    ] {
        let rc = code(
            bin()
                .args(["sweep", "--quiet", "--vary", vary, "--out"])
                .arg(&out)
                .arg(&s),
        );
        assert_eq!(rc, 2, "{vary}");
    }
}

#[test]
fn merged_shards_equal_one_machine() {
    let d = tmp("shards");
    let s = write(&d, "mmc.toml", &MMC);
    let run = |extra: &[&str], out: &str| {
        code(
            bin()
                .args(["run", "--quiet", "--replications", "4"])
                .args(extra)
                .arg("--out")
                .arg(d.join(out))
                .arg(&s),
        )
    };
    assert_eq!(run(&[], "single"), 0);
    assert_eq!(run(&["--shard", "1/2"], "s1"), 0);
    assert_eq!(run(&["--shard", "2/2"], "s2"), 0);
    let rc = code(
        bin()
            .args(["merge", "--quiet", "--out"])
            .arg(d.join("merged"))
            .arg(d.join("s2"))
            .arg(d.join("s1")),
    );
    assert_eq!(rc, 0);
    let one = std::fs::read_to_string(d.join("single/summary.json")).unwrap();
    let merged = std::fs::read_to_string(d.join("merged/summary.json")).unwrap();
    assert!(one.contains("\"engine\""));
    assert_eq!(without_engine(&one), without_engine(&merged));
    // A missing shard, a repeated shard, a bad spec: exit 2.
    let m = |dirs: &[&str]| {
        let mut c = bin();
        c.args(["merge", "--quiet", "--out"]).arg(d.join("m"));
        for x in dirs {
            c.arg(d.join(x));
        }
        code(&mut c)
    };
    assert_eq!(m(&["s1"]), 2);
    assert_eq!(m(&["s1", "s1", "s2"]), 2);
    assert_eq!(m(&["nothing-here"]), 2);
    assert_eq!(run(&["--shard", "3/2"], "s3"), 2);
}

#[test]
fn compare_exit_codes_and_markdown() {
    let d = tmp("compare");
    let base = r#"{"format":"omnisim.summary/1","seed":1,"wait_s":{"p90":100},"service_level":{"fraction":0.8},"engine":{"wall_s":1}}"#;
    let same = base.replace("\"wall_s\":1", "\"wall_s\":50");
    let worse = base.replace("\"p90\":100", "\"p90\":108");
    let (b, s, w) = (
        write(&d, "b.json", base),
        write(&d, "s.json", &same),
        write(&d, "w.json", &worse),
    );
    assert_eq!(code(bin().arg("compare").arg(&b).arg(&s)), 0);
    assert_eq!(code(bin().arg("compare").arg(&b).arg(&w)), 1);
    assert_eq!(
        code(
            bin()
                .arg("compare")
                .arg(&b)
                .arg(&w)
                .args(["--tolerance", "10%"])
        ),
        0
    );
    assert_eq!(
        code(
            bin()
                .arg("compare")
                .arg(&b)
                .arg(&w)
                .args(["--tolerance-for", "wait_s=10%"])
        ),
        0
    );
    let out = bin()
        .arg("compare")
        .arg(&b)
        .arg(&w)
        .arg("--markdown")
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("| **wait_s.p90** | 100 | 108 | +8 | +8% |"),
        "{md}"
    );
    let junk = write(&d, "junk.json", "{ not json");
    let out = bin().arg("compare").arg(&b).arg(&junk).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.json"));
    // The library agrees.
    let rows = compare(
        &serde_json::from_str(base).unwrap(),
        &serde_json::from_str(&worse).unwrap(),
        &Tolerances::new(5.0),
    )
    .unwrap();
    assert_eq!(rows.iter().filter(|r| r.regression).count(), 1);
}

/// Issue 25 (found by a fresh tester): a run interrupted by Ctrl-C (`"partial": true`, 41%
/// fewer conversations answered) compared as "No regression", so a CI gate passed on a killed
/// run. A partial baseline or current is refused (exit 2, naming the file) unless
/// `--allow-partial`, which warns.
#[test]
fn compare_refuses_a_partial_run() {
    let d = tmp("compare-partial");
    let base = r#"{"format":"omnisim.summary/1","seed":1,"partial":false,"wait_s":{"p90":100}}"#;
    let part = base.replace("\"partial\":false", "\"partial\":true");
    let (b, p) = (write(&d, "b.json", base), write(&d, "p.json", &part));
    for (x, y) in [(&b, &p), (&p, &b)] {
        let out = bin().arg("compare").arg(x).arg(y).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{} is a partial run", p.display())),
            "{err}"
        );
    }
    let out = bin()
        .arg("compare")
        .arg(&b)
        .arg(&p)
        .arg("--allow-partial")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a partial run (--allow-partial)"));
    // Two finished runs (and summaries from before the key) compare as before.
    assert_eq!(code(bin().arg("compare").arg(&b).arg(&b)), 0);
}

#[test]
fn junit_lists_thresholds_with_failures() {
    let d = tmp("junit");
    let text = format!(
        "{}\n[[thresholds]]\nmetric = \"wait_s.mean\"\nmax = 1000\n\n[[thresholds]]\nmetric = \"service_level.fraction\"\nmin = 0.99\n",
        *MMC
    )
    .replace("replications = 8", "replications = 1");
    let s = write(&d, "t.toml", &text);
    let xml_path = d.join("junit.xml");
    let rc = code(
        bin()
            .args(["run", "--quiet", "--out"])
            .arg(d.join("out"))
            .arg("--junit")
            .arg(&xml_path)
            .arg(&s),
    );
    assert_eq!(rc, 1);
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    assert!(xml.contains("tests=\"3\" failures=\"1\""), "{xml}");
    assert!(xml.contains("name=\"wait_s.mean &lt;= 1000\"/>"), "{xml}");
    assert!(
        xml.contains("<failure message=\"service_level.fraction = 0."),
        "{xml}"
    );
}

#[test]
fn erlang_cli_target() {
    let out = bin()
        .args([
            "erlang",
            "--rate",
            "300/h",
            "--aht",
            "100s",
            "--agents",
            "10",
            "--patience",
            "120s",
            "--target-sl",
            "0.74",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("P(wait)                                              0.4876"),
        "{text}"
    );
    assert!(text.contains("Erlang A"), "{text}");
    assert!(
        text.contains("agents needed for service level >= 0.74              11\n"),
        "{text}"
    );
    assert_eq!(
        code(bin().args(["erlang", "--rate", "fast", "--aht", "100s", "--agents", "3"])),
        2
    );
}
