//! Issue 25, fifth pass (tester): a CSV column read by nobody was dropped without a word (a
//! forecast's `AHT` or `ahts` left the work stream's mean handle time in force; a roster's
//! `break`, `Breaks` or `absense` let the agent work through). A header name close to a known
//! column (another case, or a small edit distance) is refused at line 1 and its column with
//! 'did you mean'; any other unknown column of a forecast, roster or volume history is ignored
//! with a warning; a conversation history's other columns stay its attributes.

use std::path::Path;
use std::process::Command;

use omnisim::scenario::load_file;

use crate::traffic::{temp_dir, write};

const FORECAST: &str = r#"
[scenario]
name = "fc"
start = "2003-03-03T07:00"
horizon = "2h"

[[workstreams]]
name = "calls"
channel = "voice"
handle_time = { dist = "exponential", mean = "4m" }

[[queues]]
name = "retail"
workstream = "calls"

[[agent_groups]]
name = "agents"
count = 5
queues = ["retail"]

[traffic]
forecast = { file = "f.csv", queue = "retail" }
"#;

const ROSTER: &str = r#"
[scenario]
name = "ro"
horizon = "2h"

[[workstreams]]
name = "calls"
channel = "voice"
handle_time = "4m"

[[queues]]
name = "retail"
workstream = "calls"
arrivals = { rate = "10/h" }

[traffic]
roster = "r.csv"
"#;

fn forecast(dir: &Path, third: &str) -> Result<omnisim::scenario::Scenario, String> {
    write(
        dir,
        "f.csv",
        &format!(
            "interval_start,volume,{third}\n2003-03-03T07:00,11,60s\n2003-03-03T07:30,12,60s\n"
        ),
    );
    load_file(&write(dir, "fc.toml", FORECAST)).map_err(|e| e.to_string())
}

fn roster(dir: &Path, fifth: &str) -> Result<omnisim::scenario::Scenario, String> {
    write(
        dir,
        "r.csv",
        &format!("agent,queues,shift_start,shift_end,{fifth}\nann,retail,0,7200,\n"),
    );
    load_file(&write(dir, "ro.toml", ROSTER)).map_err(|e| e.to_string())
}

#[test]
fn forecast_and_roster_columns_close_to_a_known_one_are_refused() {
    let dir = temp_dir("csv-columns-typo");
    assert!(forecast(&dir, "aht").is_ok());
    for (typo, why) in [("AHT", "column names are lower case"), ("ahts", "mistyped")] {
        let e = forecast(&dir, typo).expect_err(typo);
        assert!(
            e.contains(&format!(
                "f.csv:1:3: {typo}: unknown column \"{typo}\": did you mean \"aht\"?"
            )) && e.contains(why),
            "{e}"
        );
    }
    assert!(roster(&dir, "breaks").is_ok());
    for (typo, meant) in [
        ("break", "breaks"),
        ("Breaks", "breaks"),
        ("absense", "absence"),
    ] {
        let e = roster(&dir, typo).expect_err(typo);
        assert!(
            e.contains(&format!(
                "r.csv:1:5: {typo}: unknown column \"{typo}\": did you mean \"{meant}\"?"
            )),
            "{e}"
        );
    }
    // The command line: exit 2, file, line 1 and the column.
    forecast(&dir, "ahts").expect_err("refused");
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .arg("validate")
        .arg(dir.join("fc.toml"))
        .output()
        .expect("run omnisim");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("f.csv:1:3: ahts:"), "{stderr}");
}

#[test]
fn other_unknown_columns_are_ignored_with_a_warning() {
    let dir = temp_dir("csv-columns-ignored");
    let sc = forecast(&dir, "comment").expect("loads");
    let w: Vec<String> = sc.warnings.iter().map(|d| d.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("f.csv:1:3: comment: column \"comment\"") && w.contains("ignored")),
        "{w:?}"
    );
    let sc = roster(&dir, "team").expect("loads");
    let w: Vec<String> = sc.warnings.iter().map(|d| d.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("r.csv:1:5: team: column \"team\"") && w.contains("ignored")),
        "{w:?}"
    );
    // Known columns only: no warning.
    let sc = roster(&dir, "capacity").expect("loads");
    assert!(sc.warnings.is_empty(), "{:?}", sc.warnings);
}

#[test]
fn history_readers_refuse_mistyped_columns_and_keep_attributes() {
    let dir = temp_dir("csv-columns-history");
    let history = |handle: &str| {
        write(
            &dir,
            "h.csv",
            &format!(
                "arrival,queue,outcome,wait,{handle},language\n\
                 2026-03-02T08:00,q,answered,10,300,en\n\
                 2026-03-02T08:10,q,answered,20,200,fr\n"
            ),
        )
    };
    let minutes30 = omnisim::time::SimDuration::from_secs(1800);
    assert!(omnisim::fit::fit_file(&history("handle"), minutes30).is_ok());
    let e = omnisim::fit::fit_file(&history("Handle"), minutes30).expect_err("Handle");
    let shown: Vec<String> = e.iter().map(|d| d.to_string()).collect();
    assert!(
        shown.iter().any(
            |d| d.contains(":1:5: Handle: unknown column \"Handle\": did you mean \"handle\"?")
        ),
        "{shown:?}"
    );
    // A volume history for `omnisim forecast`: `Queue` is refused, `note` is a warning.
    let vol = |third: &str| {
        let mut s = format!("interval_start,volume{third}\n");
        let extra = if third.is_empty() { "" } else { ",x" };
        for d in 2..=6 {
            for t in ["08:00", "08:30"] {
                s.push_str(&format!("2026-03-0{d}T{t},10{extra}\n"));
            }
        }
        write(&dir, "v.csv", &s)
    };
    let read = |p: &Path| omnisim::forecast::read_history(p, "v.csv", 30);
    if let Err(e) = read(&vol("")) {
        panic!("{e:?}");
    }
    let e = read(&vol(",Queue")).expect_err("Queue");
    assert!(
        e.iter().any(|d| d
            .to_string()
            .contains("v.csv:1:3: Queue: unknown column \"Queue\": did you mean \"queue\"?")),
        "{e:?}"
    );
    let h = read(&vol(",note")).expect("loads");
    assert!(
        h.notes
            .iter()
            .any(|n| n.contains("column \"note\"") && n.contains("ignored")),
        "{:?}",
        h.notes
    );
}

/// Tester finding 7: a spreadsheet export's trailing commas (`volume,,` with rows ending `,,`,
/// or rows ending `,` under a header without) were "column `` appears twice" or "4 cells,
/// expected 3" on every line. The shared reader (`traffic::read`) now ignores empty trailing
/// header columns and empty trailing cells, with one warning naming the cause, for every
/// reader: forecast, roster, replayed history, fit's history and a volume history.
#[test]
fn trailing_empty_columns_are_ignored_with_a_warning() {
    let dir = temp_dir("csv-columns-trailing");
    let warned = |w: &[String], what: &str| {
        assert!(
            w.iter().any(|w| w.contains(what)
                && w.contains("trailing commas")
                && w.contains("ignored")),
            "{what}: {w:?}"
        );
    };
    let strings = |sc: &omnisim::scenario::Scenario| -> Vec<String> {
        sc.warnings.iter().map(|d| d.to_string()).collect()
    };
    // Forecast: header `aht,,` and rows ending `,,`; then rows with one extra `,` only.
    let sc = forecast(&dir, "aht,,").expect("trailing header columns");
    warned(&strings(&sc), "f.csv:1:4:");
    write(
        &dir,
        "f.csv",
        "interval_start,volume,aht\n2003-03-03T07:00,11,60s,\n2003-03-03T07:30,12,60s,\n",
    );
    let sc = load_file(&dir.join("fc.toml")).expect("trailing cells");
    warned(&strings(&sc), "f.csv:2:4:");
    // A non-empty cell beyond the header is still refused.
    write(
        &dir,
        "f.csv",
        "interval_start,volume,aht,,\n2003-03-03T07:00,11,60s,,x\n",
    );
    let e = load_file(&dir.join("fc.toml")).expect_err("a cell beyond the header");
    assert!(
        e.to_string().contains("f.csv:2:4: 5 cells, expected 3"),
        "{e}"
    );
    // Roster.
    write(
        &dir,
        "r.csv",
        "agent,queues,shift_start,shift_end,,\nann,retail,0,7200,,\n",
    );
    let sc = load_file(&write(&dir, "ro.toml", ROSTER)).expect("roster");
    warned(&strings(&sc), "r.csv:1:5:");
    // Fit's history and a replayed history.
    let h = write(
        &dir,
        "h.csv",
        "arrival,queue,outcome,wait,handle,\n\
         2003-03-03T07:10,retail,answered,10,300,\n\
         2003-03-03T07:20,retail,answered,20,200,\n",
    );
    let fitted = omnisim::fit::fit_file(&h, omnisim::time::SimDuration::from_secs(1800))
        .expect("fit reads it");
    warned(&fitted.report.notes, "h.csv:1:6:");
    let sc = load_file(&write(
        &dir,
        "rp.toml",
        &FORECAST.replace(
            "forecast = { file = \"f.csv\", queue = \"retail\" }",
            "replay = \"h.csv\"",
        ),
    ))
    .expect("replay");
    warned(&strings(&sc), "h.csv:1:6:");
    // A volume history for `omnisim forecast`.
    let mut s = String::from("interval_start,volume,,\n");
    for d in 2..=6 {
        for t in ["08:00", "08:30"] {
            s.push_str(&format!("2026-03-0{d}T{t},10,,\n"));
        }
    }
    let v = write(&dir, "v.csv", &s);
    let h = omnisim::forecast::read_history(&v, "v.csv", 30).expect("volume history");
    warned(&h.notes, "v.csv:1:3:");
}

/// Tester finding 6 (a, b): a forecast row whose volume arrives faster than 1,000/s was
/// reported at the scenario's `queues[0].arrivals` key, not at the CSV row; and a stray
/// off-grid row hid it until fixed. Both are now reported at once, each at its CSV line.
#[test]
fn a_forecast_rate_too_high_is_reported_at_its_row_with_the_other_problems() {
    let dir = temp_dir("csv-forecast-rate");
    write(
        &dir,
        "f.csv",
        "interval_start,volume\n2003-03-03T07:00,10\n2003-03-03T07:30,1e9\n\
         2003-03-03T08:00,10\n2003-03-03T08:01,10\n",
    );
    let e = load_file(&write(&dir, "fc.toml", FORECAST))
        .expect_err("too fast")
        .to_string();
    assert!(
        e.contains("f.csv:3:2: volume: volume 1000000000 in ")
            && e.contains("reaches 555556 arrivals per second"),
        "{e}"
    );
    assert!(
        e.contains("f.csv:5:1: interval_start:") && e.contains("off the forecast's grid"),
        "{e}"
    );
    assert!(!e.contains("queues[0].arrivals"), "{e}");
}

/// Tester finding 6 (c): a byte that is not UTF-8 in the scenario file gave "stream did not
/// contain valid UTF-8" with no place; now its line and column, and the byte.
#[test]
fn a_non_utf8_byte_in_the_scenario_is_named_at_its_line_and_column() {
    let dir = temp_dir("toml-latin1");
    let path = dir.join("lat.toml");
    let mut bytes = b"[scenario]\nname = \"supp".to_vec();
    bytes.push(0xe9);
    bytes.extend_from_slice(b"rt\"\nhorizon = \"1h\"\n");
    std::fs::write(&path, bytes).unwrap();
    let e = load_file(&path).expect_err("not UTF-8").to_string();
    assert!(e.contains("lat.toml:2:13: byte 0xe9 is not UTF-8"), "{e}");
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .arg("validate")
        .arg(&path)
        .output()
        .expect("run omnisim");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(":2:13: byte 0xe9"));
}

/// Tester finding (fixi 2, 3): a row's wrong cell count named no column and said "1 cells";
/// fit printed its warnings with the file twice; a roster `shift_end` of `1e30` was read as
/// the clock's end without a word; fit left out an answered row with an empty handle time,
/// which replay refuses.
#[test]
fn csv_cell_counts_name_their_column_and_times_past_the_clock_are_refused() {
    let dir = temp_dir("csv-cell-counts");
    write(&dir, "fc.toml", FORECAST);
    // Short: at the first missing cell, named; long: at the first cell past the header.
    write(
        &dir,
        "f.csv",
        "interval_start,volume,aht\n2003-03-03T07:00\n2003-03-03T07:30,12,60s,x\n",
    );
    let e = load_file(&dir.join("fc.toml"))
        .expect_err("bad cell counts")
        .to_string();
    assert!(
        e.contains("f.csv:2:2: volume: 1 cell, expected 3 (one per header column)"),
        "{e}"
    );
    assert!(e.contains("f.csv:3:4: 4 cells, expected 3"), "{e}");
    // A roster time past the simulated clock.
    for end in ["1e30", "99999999999999999999999999"] {
        write(
            &dir,
            "r.csv",
            &format!("agent,queues,shift_start,shift_end\nann,retail,0,{end}\n"),
        );
        let e = load_file(&write(&dir, "ro.toml", ROSTER))
            .expect_err(end)
            .to_string();
        assert!(
            e.contains("r.csv:2:4: shift_end:")
                && e.contains("past the end of the simulated clock"),
            "{end}: {e}"
        );
    }
    // Fit: an answered row with an empty handle time is an error at its cell.
    let h = write(
        &dir,
        "h.csv",
        "arrival,queue,outcome,wait,handle,wrap_up\n\
         60,q,answered,3,200,5\n\
         120,q,answered,3,,5\n",
    );
    let e = omnisim::fit::fit_file(&h, omnisim::time::SimDuration::from_secs(1800))
        .expect_err("empty handle");
    let shown: Vec<String> = e.iter().map(|d| d.to_string()).collect();
    assert!(
        shown
            .iter()
            .any(|d| d.contains("h.csv:3:5: handle: an answered row needs its handle time")),
        "{shown:?}"
    );
    // Fit's warnings name the file once.
    let h = write(
        &dir,
        "h2.csv",
        "arrival,queue,outcome,wait,handle,\n60,q,answered,3,200,\n120,q,answered,4,300,\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args(["fit", h.to_str().unwrap(), "--out", "fitted", "--quiet"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("h2.csv:1:6:"), "{stderr}");
    assert!(
        stderr
            .lines()
            .filter(|l| l.contains("h2.csv:1:6:"))
            .all(|l| l.matches("h2.csv").count() == 1),
        "{stderr}"
    );
    // So do forecast's (the same printing, which had kept `warning: v.csv: v.csv:1:3:`).
    // The bank's first four weeks, each line ending in a comma.
    let bank = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/data/bank-calls.csv"
    ))
    .unwrap();
    let volumes: String = bank
        .lines()
        .take(1 + 20 * 204)
        .map(|l| format!("{l},\n"))
        .collect();
    let v = write(&dir, "v.csv", &volumes);
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args([
            "forecast",
            v.to_str().unwrap(),
            "--horizon",
            "3d",
            "--out",
            "fc",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("v.csv:1:3:"), "{stderr}");
    assert!(
        stderr
            .lines()
            .filter(|l| l.contains("v.csv:1:3:"))
            .all(|l| l.matches("v.csv").count() == 1),
        "{stderr}"
    );
}
