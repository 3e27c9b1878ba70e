//! Issue 25, odd-but-real histories given to `omnisim forecast` (found by a fresh tester): a
//! mistyped year, a duplicated row, an absurd volume and an export cut mid-day gave a wrong
//! forecast without a word. Now: the first three are errors at their line (all at once), the
//! cut day is left out of the model with a warning, and the forecast is the truth.

use std::path::Path;
use std::process::Command;

fn forecast(history: &Path, out: &Path, horizon: &str) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args([
            "forecast",
            &history.display().to_string(),
            "--horizon",
            horizon,
        ])
        .args(["--out", &out.display().to_string()])
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn dir(name: &str) -> crate::procs::TempDir {
    crate::procs::TempDir::new(&format!("it-fcin-{name}"))
}

/// A constant history, `per` a half hour around the clock, from Monday 2025-01-06 00:00 up to
/// (not including) `days` days and `end_min` minutes later.
fn constant(per: u32, days: u32, end_min: u32) -> String {
    let mut s = String::from("interval_start,volume\n");
    let start = jiff::civil::date(2025, 1, 6).at(0, 0, 0, 0);
    for k in 0..(days * 48 + end_min / 30) {
        let t = start
            .checked_add(jiff::Span::new().minutes(30 * i64::from(k)))
            .unwrap();
        s.push_str(&format!("{},{per}\n", t.strftime("%Y-%m-%dT%H:%M")));
    }
    s
}

/// The tester's example: 8 weeks and 8 hours of 150 a half hour (7,200 a day); the export
/// stops at 08:00 on Monday 3 March. That day used to be read as a real low day (forecast
/// 4,902 for the 4th, the band missing 7,200); it is left out, the forecast is 7,200 exactly,
/// and the warning names the day. Variant: the first day starting at 10:00.
#[test]
fn a_day_cut_by_the_export_is_left_out_with_a_warning() {
    let d = dir("cut");
    let h = d.join("cut.csv");
    std::fs::write(&h, constant(150, 56, 480)).unwrap();
    let (code, out, err) = forecast(&h, &d.join("out"), "3d");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "the last day, 2025-03-03, has its last traffic in 07:30–08:00 while the median \
             day has its last in 23:30–24:00"
        ),
        "{err}"
    );
    for day in ["2025-03-04", "2025-03-05", "2025-03-06"] {
        assert!(out.contains(&format!("{day} 7200 ")), "{out}");
    }
    let json = std::fs::read_to_string(d.join("out/forecast.json")).unwrap();
    assert!(json.contains("cut short by the export"), "{json}");
    // The first day starting at 10:00 (20 half hours missing): left out too.
    let text = constant(150, 56, 0);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.drain(1..21);
    std::fs::write(&h, lines.join("\n")).unwrap();
    let (code, out, err) = forecast(&h, &d.join("out2"), "1d");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("the first day, 2025-01-06, has its first traffic in 10:00–10:30"),
        "{err}"
    );
    assert!(out.contains("2025-03-03 7200 "), "{out}");
}

/// A mistyped year, a duplicated interval and a volume over a day at the arrival-rate limit:
/// each an error at its line and column, all reported at once, exit 2.
#[test]
fn mistyped_duplicated_and_absurd_rows_are_errors_at_their_lines() {
    let d = dir("rows");
    let h = d.join("h.csv");
    let mut text = constant(150, 28, 0); // lines 2 ..= 1345
    text.push_str("2030-01-27T10:00,5\n"); // line 1346: a mistyped year
    text.push_str("2025-02-02T23:30,150\n"); // line 1347: the file's last interval again
    text.push_str("2025-02-02T22:15,1e300\n"); // line 1348: no queue carries that
    std::fs::write(&h, text).unwrap();
    let (code, _, err) = forecast(&h, &d.join("out"), "1d");
    assert_eq!(code, 2, "{err}");
    let f = h.display().to_string();
    for want in [
        format!("{f}:1346:1: interval_start: 2030-01-27 is"),
        "a mistyped date?".to_string(),
        format!("{f}:1347:1: interval_start: this queue already has an interval starting at 2025-02-02T23:30:00 (line 1345)"),
        format!("{f}:1348:2: volume: \"1e300\" is more than a day at the arrival-rate limit"),
    ] {
        assert!(err.contains(&want), "missing {want:?} in\n{err}");
    }
    assert!(!d.join("out").exists(), "nothing written for a bad history");
}

/// Weekdays Monday 2025-01-06 … Friday 2025-02-28, 150 a half hour 08:00–18:00 (3,000 a day);
/// Wednesday 15 January a holiday (zeros), Thursday 16th twice as busy (the day after a
/// closure); `last_friday` the rows of the last Friday (`None`: the full day).
fn weekdays_with_a_holiday(last_friday: Option<&[(u32, u32)]>) -> String {
    let mut s = String::from("interval_start,volume\n");
    let first = jiff::civil::date(2025, 1, 6);
    for i in 0..54 {
        let date = first.checked_add(jiff::Span::new().days(i)).unwrap();
        if date.weekday().to_monday_zero_offset() >= 5 {
            continue;
        }
        let last = date == jiff::civil::date(2025, 2, 28);
        for k in 0..20u32 {
            let (h, m) = (8 + k / 2, 30 * (k % 2));
            let v = match (date.day(), last_friday) {
                (15, _) if date.month() == 1 => 0,
                (16, _) if date.month() == 1 => 300,
                _ if last => match last_friday {
                    None => 150,
                    Some(rows) => match rows.iter().find(|r| r.0 == k) {
                        Some(r) => r.1,
                        None => continue,
                    },
                },
                _ => 150,
            };
            s.push_str(&format!("{date}T{h:02}:{m:02},{v}\n"));
        }
    }
    s
}

fn monday_total(out: &str) -> f64 {
    let line = out
        .lines()
        .find(|l| l.starts_with("2025-03-03 "))
        .unwrap_or_else(|| panic!("no Monday in {out}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Issue 25, fourth pass (F3, found by a fresh tester on the bank data: Monday 38,738 against
/// 35,585): a last day cut by the export was left out of the model but then counted as a
/// closure, so the next Monday got the "day after a closure" uplift (here +19%: the history's
/// own holiday doubled the next day). A cut day, and a last day of zeros, are missing data,
/// not a holiday: Monday is 3,000 within the level's noise, the same with either file.
/// Variant: one stray Saturday row after that Friday: left out with a note, Saturday stays
/// closed (forecast.json), Monday unchanged.
#[test]
fn a_cut_or_empty_last_day_is_not_a_closure_and_a_stray_weekend_row_opens_nothing() {
    let d = dir("cut-closure");
    let h = d.join("h.csv");
    let cut: Vec<(u32, u32)> = (0..5).map(|k| (k, 150)).collect(); // 08:00–10:30
    let zero: Vec<(u32, u32)> = (0..20).map(|k| (k, 0)).collect();
    let mut mondays = Vec::new();
    for (name, rows) in [("cut", &cut), ("zero", &zero)] {
        std::fs::write(&h, weekdays_with_a_holiday(Some(rows))).unwrap();
        let (code, out, err) = forecast(&h, &d.join(name), "1w");
        assert_eq!(code, 0, "{err}");
        let m = monday_total(&out);
        assert!((m - 3000.0).abs() < 60.0, "{name}: Monday {m}\n{out}{err}");
        mondays.push(m);
    }
    assert_eq!(mondays[0], mondays[1]);
    // The stray Saturday: 3 calls at 10:00 on 1 March after a full Friday.
    let mut text = weekdays_with_a_holiday(None);
    text.push_str("2025-03-01T10:00,3\n");
    std::fs::write(&h, text).unwrap();
    let (code, out, err) = forecast(&h, &d.join("stray"), "1w");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "2025-03-01 is the only Saturday with traffic in 55 days (3 calls): a stray row?"
        ),
        "{err}"
    );
    let m = monday_total(&out);
    assert!((m - 3000.0).abs() < 60.0, "stray: Monday {m}\n{out}");
    assert!(!out.contains("2025-03-08"), "no Saturday forecast: {out}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("stray/forecast.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["queues"][0]["closed_weekdays"],
        serde_json::json!(["Sat", "Sun"])
    );
}

/// Issue 25, fifth pass (tester: bank data plus two one-row Sundays opened Sundays and
/// forecast one). Two stray Sunday rows, the last one the file's last date, in a history of 8
/// Sundays (2 of 8: a quarter) are left
/// out with one note naming both dates; Sunday stays closed and Monday is unchanged.
#[test]
fn two_stray_sundays_open_nothing() {
    let d = dir("stray-sundays");
    let h = d.join("h.csv");
    let mut text = weekdays_with_a_holiday(None);
    text.push_str("2025-01-12T10:00,50\n2025-03-02T11:00,50\n");
    std::fs::write(&h, text).unwrap();
    let (code, out, err) = forecast(&h, &d.join("out"), "1w");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "Sundays had traffic on 2 of the 8 Sundays in 56 days (2025-01-12 (50 calls), \
             2025-03-02 (50 calls)): stray rows?"
        ),
        "{err}"
    );
    let m = monday_total(&out);
    assert!((m - 3000.0).abs() < 60.0, "Monday {m}\n{out}");
    assert!(!out.contains("2025-03-09"), "no Sunday forecast: {out}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/forecast.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["queues"][0]["closed_weekdays"],
        serde_json::json!(["Sat", "Sun"])
    );
}

/// Issue 25, fourth pass (F10): `--backtest 5` on a one-day history printed "last 0 days" and
/// RMSE 0.0 for every method, exit 0: a perfect score from no data. Now exit 2 naming what a
/// backtest day needs and what the history has. Variant: two days (no earlier same weekday).
#[test]
fn a_backtest_that_can_score_no_day_is_refused() {
    let d = dir("bt-none");
    let h = d.join("h.csv");
    let mut one = String::from("interval_start,volume\n");
    for k in 0..20 {
        one.push_str(&format!(
            "2025-01-06T{:02}:{:02},150\n",
            8 + k / 2,
            30 * (k % 2)
        ));
    }
    let two = one.clone()
        + &one
            .lines()
            .skip(1)
            .map(|l| l.replace("01-06", "01-07") + "\n")
            .collect::<String>();
    for (text, days) in [(one, 1), (two, 2)] {
        std::fs::write(&h, text).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_omnisim"))
            .args([
                "forecast",
                &h.display().to_string(),
                "--backtest",
                "5",
                "--out",
            ])
            .arg(d.join("out"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("--backtest 5: no day of")
                && err.contains(&format!("the history has {days} day(s) with traffic")),
            "{err}"
        );
        assert!(!d.join("out").exists(), "nothing written");
    }
}

/// Issue 25, fourth pass (F15b): `--interval 7m` / `25h` said "…csv is not a valid history",
/// blaming the file for a bad option. Now an option error; variant: 8m against the file's
/// 30-minute grid names the option and the grid, not the file as invalid.
#[test]
fn a_bad_interval_is_the_options_fault() {
    let d = dir("bad-interval");
    let h = d.join("h.csv");
    std::fs::write(&h, constant(150, 14, 0)).unwrap();
    for (iv, want) in [
        ("7m", "--interval 7m does not divide a day"),
        // Each names the rule it breaks (a tester: 25h said "does not divide a day", 0m
        // "expected whole minutes").
        // Echoed as written (issue 25, a seventh tester: "1d1h" for 25h).
        ("25h", "--interval 25h is longer than a day"),
        ("1500m", "--interval 1500m is longer than a day"),
        ("0m", "--interval 0m is not positive"),
        (
            "8m",
            "--interval 8m is not a multiple of the 30-minute grid of",
        ),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_omnisim"))
            .args([
                "forecast",
                &h.display().to_string(),
                "--interval",
                iv,
                "--out",
            ])
            .arg(d.join("out"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(want), "{iv}: {err}");
        assert!(!err.contains("not a valid history"), "{iv}: {err}");
    }
}

/// Issue 25, sixth pass (tester): one stray `07:03` row appended to the bank's 5-minute file
/// was accepted without a word and made the file's grid 1 minute (`last_interval_min` 5 → 1,
/// every volume shifted). It is an error at its line, as in a scenario's forecast file; the
/// file without it still forecasts.
#[test]
fn a_row_off_the_volume_files_grid_is_an_error_at_its_line() {
    let d = dir("offgrid");
    let bank = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/bank-calls.csv");
    let mut text = std::fs::read_to_string(&bank).unwrap();
    let line = text.lines().count() + 1;
    text.push_str("2003-10-24T07:03,5\n");
    let h = d.join("h.csv");
    std::fs::write(&h, text).unwrap();
    let (code, _, err) = forecast(&h, &d.join("out"), "1d");
    assert_eq!(code, 2, "{err}");
    let want = format!(
        "{}:{line}:1: interval_start: 2003-10-24T07:03 is off the forecast's grid of 5m \
         (interval starts 2003-03-03T07:00 + k × 5m); expected 2003-10-24T07:00 or \
         2003-10-24T07:05",
        h.display()
    );
    assert!(err.contains(&want), "missing {want:?} in\n{err}");
    assert!(!d.join("out").exists(), "nothing written for a bad history");
    let (code, _, err) = forecast(&bank, &d.join("ok"), "1d");
    assert_eq!(code, 0, "{err}");
    let json = std::fs::read_to_string(d.join("ok/forecast.json")).unwrap();
    assert!(json.contains("\"last_interval_min\": 5"), "{json}");
    // Equally common spacings: no grid to tell a stray row by.
    std::fs::write(
        &h,
        "interval_start,volume\n2024-01-01T00:00,1\n2024-01-01T01:00,1\n\
         2024-01-01T01:00:01,1\n2024-01-01T02:00,1\n",
    )
    .unwrap();
    let (code, _, err) = forecast(&h, &d.join("tie"), "1d");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot tell the forecast's grid"), "{err}");
}
