//! Issue 25, a sixteenth fresh tester's finds of wrong answers and misleading messages
//! (reports/fixf-12.md): `compare --allow-partial` divided a partial run's counts by the
//! replications asked for and tested the cut ones as finished; `fit` and `forecast` binned a
//! history across a daylight-saving change differently; `explain` on a trace cut at a line
//! boundary called the cut replication whole; a 7-minute volume grid was binned silently;
//! `serve` over HTTP exited 0 on SIGINT.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;

use crate::procs::{bin, json, run_in, stderr, temp_dir, text, wait_ended};

/// The tester's summaries (`tests/data/tester16/`): `midfull.json`, a whole run of 8
/// replications; `midpart.json`, the same scenario and seed interrupted with 4 replications
/// begun, 2 finished (0, 4) and 2 cut (1, 5), 71,939 arrivals in all.
fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/tester16")
        .join(name)
}

/// The base and current figures of `metric`'s row in `compare`'s table.
fn row(table: &str, metric: &str) -> (f64, f64, String) {
    let line = table
        .lines()
        .find(|l| l.starts_with(&format!("{metric} ")))
        .unwrap_or_else(|| panic!("no row {metric}:\n{table}"));
    let rest = line[metric.len()..].trim();
    let cells: Vec<&str> = rest.split_whitespace().collect();
    (
        cells[0].parse().unwrap(),
        cells[1].parse().unwrap(),
        line.to_string(),
    )
}

/// The tester's example: the partial run's arrivals "per replication" were 71,939 ÷ 8 asked
/// (8,992.4, −53.5%, answered "worse") and the verdict was "judged on the 4 replications both
/// ran", the 2 cut ones among them. Now counts are ÷ the 4 that began, the cut ones are left
/// out of the tests and the verdict, and the warning names which finished and which were cut.
#[test]
fn compare_of_a_partial_run_divides_by_the_replications_that_ran_and_tests_finished_ones() {
    let dir = temp_dir("fixf-partial");
    let (full, part) = (data("midfull.json"), data("midpart.json"));
    let args = |b: &Path, c: &Path| {
        let mut v = vec![
            "compare".to_string(),
            b.display().to_string(),
            c.display().to_string(),
        ];
        v.extend(["--allow-partial".to_string(), "--all".to_string()]);
        v
    };
    let a = args(&full, &part);
    let out = run_in(&dir, &a.iter().map(String::as_str).collect::<Vec<_>>());
    let (table, err) = (text(&out.stdout), text(&out.stderr));
    let all = format!("{table}\n{err}");
    // A figure of by_replication: the means of replications 0 and 4, finished on both sides.
    let mean_of = |p: &Path| {
        let v = json(p);
        let rows = v["by_replication"].as_array().unwrap().clone();
        let x: Vec<f64> = rows
            .iter()
            .filter(|r| [0, 4].contains(&r["replication"].as_u64().unwrap()))
            .map(|r| r["conversations"]["arrived"].as_f64().unwrap())
            .collect();
        x.iter().sum::<f64>() / x.len() as f64
    };
    let (base, cur, line) = row(&table, "conversations.arrived (per replication)");
    assert!((base - mean_of(&full)).abs() < 0.01, "{line}");
    assert!((cur - mean_of(&part)).abs() < 0.01, "{line}");
    // A figure only in the run-wide totals: per replication that began (4), not asked (8).
    let (_, cur, line) = row(&table, "customers (per replication)");
    assert_eq!(cur, 71939.0 / 4.0, "{line}");
    assert!(
        all.contains("2 finished (1, 5) and 2 were cut by the signal (2, 6)"),
        "{all}"
    );
    assert!(
        all.contains("judged on the 2 replications both finished"),
        "{all}"
    );
    // Judged on replications 0 and 4 of both: answered is not "worse > 5%".
    let (.., answered) = row(&table, "conversations.answered (per replication)");
    assert!(!answered.contains("worse > 5%"), "{answered}");
    assert_eq!(out.status.code(), Some(0), "{all}");
    // Variant: the partial run as the baseline.
    let a = args(&part, &full);
    let out = run_in(&dir, &a.iter().map(String::as_str).collect::<Vec<_>>());
    let table = text(&out.stdout);
    let (base, ..) = row(&table, "invitations.sent (per replication)");
    let rows = json(&part)["by_replication"].as_array().unwrap().len() as f64;
    let total = json(&part)["invitations"]["sent"].as_f64().unwrap();
    assert!(
        (base - total / rows).abs() < 0.01,
        "{base} vs {}",
        total / rows
    );
    assert!(text(&out.stderr).contains("baseline is a partial run"));
}

/// Variant of the same kind: whether two runs of different seeds can be tested counted the
/// replications asked for; a partial run with one replication finished (its others cut) was
/// compared on its tolerance alone without a word. Now it is refused as a single replication
/// is, unless --allow-untested.
#[test]
fn a_partial_run_with_one_finished_replication_is_untestable_against_another_seed() {
    let dir = temp_dir("fixf-untestable");
    let mut base = json(&data("midfull.json"));
    base["seed"] = Value::from(7u64);
    let mut cur = json(&data("midpart.json"));
    cur["replications_finished"] = Value::from(1u64);
    for r in cur["by_replication"].as_array_mut().unwrap() {
        if r["replication"].as_u64() != Some(0) {
            r["partial"] = Value::Bool(true);
        }
    }
    std::fs::write(dir.join("b.json"), base.to_string()).unwrap();
    std::fs::write(dir.join("c.json"), cur.to_string()).unwrap();
    let out = run_in(&dir, &["compare", "b.json", "c.json", "--allow-partial"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the current run has a single replication that finished"),
        "{err}"
    );
}

/// A history of `days` days from `first`, 20 arrivals a day between 09:00 and 10:57 local
/// wall clock, written with offset `before` until `change` and `after` from it.
fn dst_history(first: &str, days: i64, change: &str, before: &str, after: &str) -> String {
    let first: jiff::civil::Date = first.parse().unwrap();
    let change: jiff::civil::Date = change.parse().unwrap();
    let mut csv = String::from("id,arrival,queue,outcome,wait,handle\n");
    let mut id = 0;
    for d in 0..days {
        let date = first.checked_add(jiff::Span::new().days(d)).unwrap();
        let off = if date < change { before } else { after };
        for k in 0..20 {
            id += 1;
            let m = 9 * 60 + k * 6;
            csv.push_str(&format!(
                "{id},{date}T{:02}:{:02}:00{off},q,answered,5,300\n",
                m / 60,
                m % 60
            ));
        }
    }
    csv
}

/// `fit --interval 1h`'s profile hours and notes, and `forecast --interval 1h`'s hours and
/// notes, of `csv`.
fn fit_and_forecast(dir: &Path, csv: &str) -> (Vec<String>, String, Vec<String>, String) {
    std::fs::write(dir.join("h.csv"), csv).unwrap();
    let out = run_in(dir, &["fit", "h.csv", "--interval", "1h", "--out", "fit"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fit = json(&dir.join("fit/fit.json"));
    let hours: Vec<String> = fit["queues"]["q"]["arrivals"]["by_time_of_day"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let out = run_in(
        dir,
        &["forecast", "h.csv", "--interval", "1h", "--out", "fc"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fc = std::fs::read_to_string(dir.join("fc/forecast.csv")).unwrap();
    let mut fc_hours: Vec<String> = fc.lines().skip(1).map(|l| l[11..16].to_string()).collect();
    fc_hours.sort();
    fc_hours.dedup();
    let fc_notes = json(&dir.join("fc/forecast.json"))["notes"].to_string();
    (hours, fit["notes"].to_string(), fc_hours, fc_notes)
}

/// The tester's example: traffic at 09:00–11:00 local every day, +01:00 before 2026-03-29 and
/// +02:00 after: `fit` moved every time to the first row's offset (an 08:00 hour of traffic
/// that never was), `forecast` ignored offsets. Both now bin by the wall clock written in the
/// row and say once that the offsets change, naming the dates.
#[test]
fn fit_and_forecast_agree_across_a_spring_daylight_saving_change() {
    let dir = temp_dir("fixf-dst-spring");
    let csv = dst_history("2026-03-16", 28, "2026-03-29", "+01:00", "+02:00");
    let (fit, fit_notes, fc, fc_notes) = fit_and_forecast(&dir, &csv);
    assert_eq!(fit, ["09:00", "10:00"], "{fit_notes}");
    assert_eq!(fc, ["09:00", "10:00"]);
    for notes in [&fit_notes, &fc_notes] {
        assert!(
            notes.contains("+01:00 from 2026-03-16 to 2026-03-28, +02:00 from 2026-03-29"),
            "{notes}"
        );
    }
}

/// Variant: autumn, the first rows in summer time (+02:00), then +01:00 from 2026-10-25; and
/// a history in one offset throughout has no note.
#[test]
fn fit_and_forecast_agree_across_an_autumn_change_and_say_nothing_without_one() {
    let dir = temp_dir("fixf-dst-autumn");
    let csv = dst_history("2026-10-12", 28, "2026-10-25", "+02:00", "+01:00");
    let (fit, fit_notes, fc, _) = fit_and_forecast(&dir, &csv);
    assert_eq!(fit, ["09:00", "10:00"], "{fit_notes}");
    assert_eq!(fc, ["09:00", "10:00"]);
    assert!(fit_notes.contains("+01:00 from 2026-10-25"), "{fit_notes}");
    let csv = dst_history("2026-10-12", 28, "2026-10-25", "+02:00", "+02:00");
    let (fit, fit_notes, _, fc_notes) = fit_and_forecast(&dir, &csv);
    assert_eq!(fit, ["09:00", "10:00"]);
    assert!(!fit_notes.contains("UTC offsets change"), "{fit_notes}");
    assert!(!fc_notes.contains("UTC offsets change"), "{fc_notes}");
}

/// A volume file on a `step`-minute grid, continuous over `days` days from 2026-01-05.
fn grid_file(step: i64, days: i64) -> String {
    let start: jiff::civil::DateTime = "2026-01-05T00:00".parse().unwrap();
    let mut csv = String::from("interval_start,volume\n");
    let mut t = start;
    let end = start.checked_add(jiff::Span::new().days(days)).unwrap();
    let mut k = 0;
    while t < end {
        csv.push_str(&format!("{},{}\n", t.strftime("%Y-%m-%dT%H:%M"), 5 + k % 7));
        t = t.checked_add(jiff::Span::new().minutes(step)).unwrap();
        k += 1;
    }
    csv
}

/// The tester's example: a 7-minute grid (no interval dividing a day is a multiple of it) was
/// binned into 30-minute intervals without a word, with `--interval 1h` too. Now an error
/// naming the grid and why.
#[test]
fn forecast_refuses_a_volume_grid_that_does_not_divide_a_day() {
    let dir = temp_dir("fixf-grid7");
    std::fs::write(dir.join("g7.csv"), grid_file(7, 35)).unwrap();
    for extra in [&[][..], &["--interval", "1h"][..]] {
        let mut args = vec!["forecast", "g7.csv", "--horizon", "1d", "--out", "o"];
        args.extend(extra);
        let out = run_in(&dir, &args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(
                "the rows are 7 minutes apart (the file's grid), which does not divide a day"
            ),
            "{err}"
        );
        assert!(!dir.join("o/forecast.csv").exists());
    }
    // Variant: 11 minutes, refused; 20 minutes (divides a day) is read.
    std::fs::write(dir.join("g11.csv"), grid_file(11, 35)).unwrap();
    let out = run_in(&dir, &["forecast", "g11.csv", "--out", "o11"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("11 minutes apart"));
    std::fs::write(dir.join("g20.csv"), grid_file(20, 35)).unwrap();
    let out = run_in(&dir, &["forecast", "g20.csv", "--out", "o20"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A run of ci-smoke with 2 replications and its trace: the folder and the trace's lines.
fn traced_run(dir: &Path) -> Vec<String> {
    let sc = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/ci-smoke.toml");
    let out = run_in(
        dir,
        &[
            "run",
            sc,
            "--replications",
            "2",
            "--out",
            "full",
            "--trace",
            "--quiet",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    std::fs::read_to_string(dir.join("full/trace.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A copy of the run's folder (summary.json, agents.csv) whose trace is `lines` (each ends
/// with a newline: a cut at a line boundary).
fn cut_copy(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    for f in ["summary.json", "agents.csv"] {
        std::fs::copy(dir.join("full").join(f), d.join(f)).unwrap();
    }
    std::fs::write(d.join("trace.jsonl"), lines.join("\n") + "\n").unwrap();
    d
}

fn explain(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut a = vec!["explain"];
    a.extend(args);
    let out = run_in(dir, &a);
    (
        out.status.code(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

/// The tester's examples: replication 2 without its end line (the file cut at a line
/// boundary) answered "no conversation N in replication 2; its conversations are 1 to 398" as
/// if the replication had ended there; replication 1 alone without its end line answered
/// "replication 2 is not in the trace; it holds replication 1 only". Each answer about a cut
/// replication now says the trace was cut there; a variant: an agent with no line before the
/// cut is not "never assigned".
#[test]
fn explain_on_a_trace_cut_at_a_line_boundary_says_it_was_cut() {
    let dir = temp_dir("fixf-cut");
    let lines = traced_run(&dir);
    let rep_of = |l: &String| serde_json::from_str::<Value>(l).unwrap()["replication"].as_u64();
    let rep2: Vec<usize> = (0..lines.len())
        .filter(|&i| rep_of(&lines[i]) == Some(2))
        .collect();
    let last_conv = lines
        .iter()
        .filter(|l| rep_of(l) == Some(2))
        .filter_map(|l| serde_json::from_str::<Value>(l).unwrap()["conversation"].as_u64())
        .max()
        .unwrap();
    // c2: replication 2 cut halfway.
    let c2 = cut_copy(&dir, "c2", &lines[..rep2[rep2.len() / 2]]);
    let c2s = c2.to_str().unwrap();
    let conv = last_conv.to_string();
    let (code, said) = explain(&dir, &[c2s, "--conversation", &conv, "--replication", "2"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("the trace ends without replication 2's end line: it was cut"),
        "{said}"
    );
    assert!(said.contains("before the cut"), "{said}");
    // c3: replication 1 alone, without its end line, beside a summary of 2.
    let c3 = cut_copy(&dir, "c3", &lines[..rep2[0] - 1]);
    let (code, said) = explain(
        &dir,
        &[
            c3.to_str().unwrap(),
            "--conversation",
            "1",
            "--replication",
            "2",
        ],
    );
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("replication 2 is not in the trace; it holds replication 1 only, and the trace ends without replication 1's end line"),
        "{said}"
    );
    // Variant: replication 2 cut after its first line; an agent of the run has no line in it.
    let c4 = cut_copy(&dir, "c4", &lines[..rep2[0] + 1]);
    let agents = std::fs::read_to_string(dir.join("full/agents.csv")).unwrap();
    let agent = agents.lines().nth(1).unwrap().split(',').next().unwrap();
    let (code, said) = explain(
        &dir,
        &[c4.to_str().unwrap(), "--agent", agent, "--replication", "2"],
    );
    assert_eq!(code, Some(0), "{said}");
    assert!(!said.contains("never assigned"), "{said}");
    assert!(said.contains("it was cut"), "{said}");
    // The whole trace still answers as before: no cut to speak of.
    let (_, said) = explain(
        &dir,
        &["full", "--conversation", &conv, "--replication", "2"],
    );
    assert!(!said.contains("cut"), "{said}");
}

/// `omnisim serve --listen 127.0.0.1:0` with stderr kept, and its first line read.
fn serve(sc: &Path) -> std::process::Child {
    let mut child = bin()
        .arg("serve")
        .arg(sc)
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn omnisim serve");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("listening on "), "{first:?}");
    child
}

/// The tester's example: `serve` over HTTP exited 0 on SIGINT while the README's exit-code
/// table says 130 for every command; now 130, with SIGTERM as the variant.
#[test]
fn serve_over_http_exits_130_on_sigint_and_sigterm() {
    let sc =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/rules-monitor-assign.toml");
    for signal in ["-INT", "-TERM"] {
        let mut child = serve(&sc);
        crate::procs::kill(signal, child.id());
        let status = wait_ended(&mut child);
        let err = stderr(&mut child);
        assert_eq!(status.code(), Some(130), "{signal}: {err}");
        assert!(
            err.contains("interrupted: serve stopped by a signal"),
            "{signal}: {err}"
        );
    }
}
