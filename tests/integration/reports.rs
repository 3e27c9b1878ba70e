//! Reports: a run of `scenarios/demo.toml` rendered through the one `Report` model into
//! summary.json, series.csv, agents.csv and a self-contained report.html; escaping of free text;
//! the terminal summary; and, when Debian's chromium is installed, a real headless render.

use std::path::{Path, PathBuf};
use std::process::Command;

use omnisim::cli::default_out_dir;
use omnisim::report::{self, csv::SERIES_COLUMNS, html::CHART_TITLES, Report};
use omnisim::scenario::{load_file, load_str, Scenario};
use omnisim::sim::{self, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn demo_text() -> String {
    std::fs::read_to_string(root().join("scenarios/demo.toml")).expect("demo scenario")
}

fn run(sc: &Scenario) -> Report {
    let opts = RunOptions {
        replications: Some(2),
        ..RunOptions::default()
    };
    Report::build(sc, &sim::run(sc, &opts, &|_, _, _| {}))
}

/// A fresh, empty folder under the system temp dir, unique to this process and `tag`.
fn temp_dir(tag: &str) -> crate::procs::TempDir {
    crate::procs::TempDir::new(tag)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn write_all_writes_every_report_file() {
    let sc = load_file(&root().join("scenarios/demo.toml")).expect("demo loads");
    let rep = run(&sc);
    let dir = temp_dir("reports-demo");
    let written = report::write_all(&dir, &rep).expect("written");
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["summary.json", "series.csv", "agents.csv", "report.html"]
    );
    for p in &written {
        assert!(p.starts_with(&dir) && p.metadata().expect("exists").len() > 0);
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");

    // summary.json is the report's Summary, exactly.
    let json = read(&dir.join("summary.json"));
    let summary: report::Summary = serde_json::from_str(&json).expect("valid summary.json");
    assert_eq!(
        json,
        serde_json::to_string_pretty(&rep.summary).unwrap() + "\n"
    );

    // series.csv: the documented header, one row per (interval, queue), counts that add up.
    let series = read(&dir.join("series.csv"));
    let mut lines = series.lines();
    assert_eq!(lines.next(), Some(SERIES_COLUMNS.join(",").as_str()));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(
        rows.len() >= 16 * 2,
        "a 4h run has at least 16 intervals × 2 queues"
    );
    assert_eq!(rows.len(), rep.series.len());
    assert!(rows.iter().all(|r| r.len() == SERIES_COLUMNS.len()));
    assert_eq!(rows[0][1], "sales");
    assert_eq!(rows[1][1], "support");
    assert_eq!(rows[2][0], "900");
    let arrived: u64 = rep.series.iter().map(|r| r.arrived).sum();
    assert!(
        arrived >= summary.conversations.arrived,
        "series includes warm-up"
    );
    let counted: u64 = rep
        .series
        .iter()
        .filter(|r| r.start_s >= rep.warmup_s)
        .map(|r| r.arrived)
        .sum();
    assert_eq!(counted, summary.conversations.arrived);

    // agents.csv: one row per agent.
    let agents = read(&dir.join("agents.csv"));
    assert!(agents.starts_with("agent,conversations,busy_s,"));
    assert_eq!(agents.lines().count(), 1 + 15);
    assert!(agents.contains("\nagent-15,"));
    let took: u64 = rep.agents.iter().map(|a| a.conversations).sum();
    assert!(took >= summary.conversations.answered);

    // report.html: self-contained, every chart present.
    let html = read(&dir.join("report.html"));
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.matches("<svg").count() >= CHART_TITLES.len());
    for title in CHART_TITLES {
        assert!(html.contains(&report::html::escape(title)), "{title}");
    }
    for banned in ["http://", "https://", "<script", "<link", "@import", "src="] {
        assert!(!html.contains(banned), "report.html contains {banned}");
    }
    assert!(html.contains(">2:00<"), "hour:minute tick labels");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn free_text_is_escaped_and_the_folder_name_is_safe() {
    let nasty = r#"<b>"x"&"#;
    let text = demo_text()
        .replace(r#"name = "demo""#, r#"name = '<b>"x"&'"#)
        .replace(
            r#"name = "sales""#,
            r#"name = "<script>alert('q')</script>""#,
        )
        .replace(r#""sales""#, r#""<script>alert('q')</script>""#)
        .replace(r#"name = "rescue-long-waits""#, r#"name = "p<&>""#);
    let sc = load_str(&text, "nasty.toml").expect("nasty names are valid");
    assert_eq!(sc.name, nasty);
    let rep = run(&sc);
    let html = report::html::render(&rep);
    assert!(!html.contains(nasty) && !html.contains("<b>"));
    assert!(html.contains("&lt;b&gt;&quot;x&quot;&amp;"));
    assert!(!html.contains("<script"));
    assert!(html.contains("&lt;script&gt;alert(&#39;q&#39;)&lt;/script&gt;"));
    assert!(html.contains("lead/p&lt;&amp;&gt;"));
    let terminal = report::terminal::render(&rep);
    assert!(
        terminal.contains(nasty),
        "the terminal shows names as they are"
    );

    let dir = default_out_dir(&sc.name);
    let leaf = dir.file_name().expect("a folder name").to_string_lossy();
    assert_eq!(dir.parent(), Some(Path::new("reports")));
    assert!(
        leaf.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
        "{leaf}"
    );
    assert!(!leaf.is_empty() && leaf != "." && leaf != "..");
}

#[test]
fn terminal_summary_is_short_and_complete() {
    let sc = load_file(&root().join("scenarios/demo.toml")).expect("demo loads");
    let rep = run(&sc);
    let text = report::terminal::render(&rep);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() <= 32, "{} lines:\n{text}", lines.len());
    assert!(lines[0].contains("scenario demo") && lines[0].contains("seed 42"));
    for label in [
        "Conversations",
        "Wait",
        "Service level",
        "Abandonment",
        "Occupancy",
        "Overallocation",
        "Supervisor",
        "Rule violations",
        "Thresholds",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(label)),
            "{label}:\n{text}"
        );
    }
    let header = lines.iter().position(|l| l.starts_with("Queue")).unwrap();
    assert!(lines[header + 1].starts_with("sales ") && lines[header + 2].starts_with("support "));
    // columns line up: every row of the table is as wide as its header
    assert_eq!(lines[header].len(), lines[header + 1].len());
    let verdict = if rep.summary.thresholds[0].passed {
        "PASS"
    } else {
        "FAIL"
    };
    assert!(text.contains(&format!("{verdict}  invariant_violations")));
}

/// Renders the page in headless chromium when it is installed; otherwise checks the page's
/// structure (every SVG closed, charts inside figures), which is what the browser would parse.
#[test]
fn report_html_renders_in_a_browser_or_is_well_formed() {
    let sc = load_file(&root().join("scenarios/demo.toml")).expect("demo loads");
    let rep = run(&sc);
    let dir = temp_dir("reports-browser");
    report::write_all(&dir, &rep).expect("written");
    let html = read(&dir.join("report.html"));
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    assert_eq!(
        html.matches("<figure").count(),
        html.matches("</figure>").count()
    );
    assert_eq!(
        html.matches("<table").count(),
        html.matches("</table>").count()
    );
    assert_eq!(html.matches("<svg").count(), CHART_TITLES.len());
    assert!(html.matches("<polyline").count() >= 2 * 3 + 2);
    if Path::new("/usr/bin/chromium").exists() {
        let png = dir.join("report.png");
        let status = Command::new(root().join("scripts/screenshot-report.sh"))
            .arg(dir.join("report.html"))
            .arg(&png)
            .status()
            .expect("script runs");
        assert!(status.success());
        let bytes = std::fs::read(&png).expect("screenshot");
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every path a threshold may name resolves to a number in a real summary, so the validator
/// and `summary.json` cannot drift apart.
#[test]
fn every_known_threshold_path_resolves_in_a_real_summary() {
    // `short_abandon` set, and an overflow rule (unified routing), so the paths that exist
    // only with them are there too.
    let text = std::fs::read_to_string("scenarios/demo.toml")
        .unwrap()
        .replacen("[scenario]\n", "[scenario]\nshort_abandon = \"5s\"\n", 1)
        + "\n[[queues.overflow]]\nwhen = \"waited_over\"\nafter = \"100h\"\naction = \"end\"\n";
    let sc = omnisim::scenario::load_str(&text, "demo.toml").unwrap();
    let out = omnisim::sim::run(&sc, &omnisim::sim::RunOptions::default(), &|_, _, _| {});
    let summary = omnisim::report::build(&sc, &out);
    let mut missing = Vec::new();
    for path in omnisim::scenario::METRIC_PATHS {
        if omnisim::report::lookup(&summary, path).is_none() {
            missing.push(path.to_string());
        }
    }
    for q in &sc.queues {
        for leaf in omnisim::scenario::QUEUE_LEAVES {
            let path = format!("queues.{}.{leaf}", q.name);
            if omnisim::report::lookup(&summary, &path).is_none() {
                missing.push(path);
            }
        }
    }
    for rule in omnisim::engine::RuleId::ALL {
        let path = format!("rule_violations.by_rule.{}", rule.as_str());
        if omnisim::report::lookup(&summary, &path).is_none() {
            missing.push(path);
        }
    }
    assert!(missing.is_empty(), "paths that do not resolve: {missing:?}");
}
