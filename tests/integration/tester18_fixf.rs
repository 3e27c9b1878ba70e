//! Issue 25, an eighteenth tester (branch fixf-13): odd-but-real histories that gave
//! `forecast` and `fit` a wrong answer without a word.
//!
//! - A volume file's grid is its step AND its phase: a 90-minute grid from 07:00 was binned
//!   into 30-minute buckets (07:00 100, then 0, 0, 08:30 10), and `--interval 90m` put the
//!   07:00 interval's volume under 06:00 (buckets anchored at midnight).

use std::path::Path;
use std::process::Command;

fn omnisim(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn dir(name: &str) -> crate::procs::TempDir {
    crate::procs::TempDir::new(&format!("it-t18f-{name}"))
}

/// Four weeks of weekdays from Monday 2026-03-02, one row every `step` minutes from `first`
/// (minutes from midnight), `n` rows a day: 100 in the first, 10 in the others.
fn volumes(step: u32, first: u32, n: u32) -> String {
    let mut s = String::from("interval_start,volume\n");
    let d0 = jiff::civil::date(2026, 3, 2);
    for day in 0..26 {
        let date = d0.checked_add(jiff::Span::new().days(day)).unwrap();
        if date.weekday().to_monday_zero_offset() >= 5 {
            continue;
        }
        for k in 0..n {
            let m = first + k * step;
            let v = if k == 0 { 100 } else { 10 };
            s.push_str(&format!("{date}T{:02}:{:02},{v}\n", m / 60, m % 60));
        }
    }
    s
}

/// The (start, volume, interval) of forecast.csv's rows.
fn rows(out: &Path) -> Vec<(String, f64, String)> {
    let text = std::fs::read_to_string(out.join("forecast.csv")).unwrap();
    // With a `queue` column, the volume is one column further.
    let q = usize::from(text.starts_with("interval_start,queue,"));
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                c[0][11..].to_string(),
                c[1 + q].parse().unwrap(),
                c[4 + q].to_string(),
            )
        })
        .collect()
}

/// The tester's vol90.csv (a 90-minute grid from 07:00) and vol45.csv: the forecast's
/// intervals are the file's, at the file's times; `--interval 90m` keeps 07:00 (it printed
/// 06:00), `--interval 3h` holds 07:00 and 08:30 in the 07:00 bucket.
#[test]
fn a_coarse_grid_keeps_its_step_and_its_phase() {
    let d = dir("grid90");
    std::fs::write(d.join("vol90.csv"), volumes(90, 420, 8)).unwrap();
    std::fs::write(d.join("vol45.csv"), volumes(45, 420, 8)).unwrap();
    for (file, args, want) in [
        (
            "vol90.csv",
            vec![],
            vec![("07:00", 100.0, "90m"), ("08:30", 10.0, "90m")],
        ),
        (
            "vol90.csv",
            vec!["--interval", "90m"],
            vec![("07:00", 100.0, "90m"), ("08:30", 10.0, "90m")],
        ),
        (
            "vol90.csv",
            vec!["--interval", "3h"],
            vec![("07:00", 110.0, "180m"), ("10:00", 20.0, "180m")],
        ),
        (
            "vol45.csv",
            vec![],
            vec![("07:00", 100.0, "45m"), ("07:45", 10.0, "45m")],
        ),
    ] {
        let out = d.join("out");
        let mut a = vec!["forecast", file, "--horizon", "1d", "--out", "out"];
        a.extend(args.iter().copied());
        let (code, _, err) = omnisim(&d, &a);
        assert_eq!(code, 0, "{file} {args:?}: {err}");
        let got = rows(&out);
        for (i, (t, v, iv)) in want.iter().enumerate() {
            assert_eq!(
                (got[i].0.as_str(), got[i].1, got[i].2.as_str()),
                (*t, *v, *iv),
                "{file} {args:?}: {got:?}"
            );
        }
        // Eight rows a day on the grid: no empty bucket between two of the file's.
        assert!(got.iter().all(|r| r.1 > 0.0), "{file} {args:?}: {got:?}");
    }
    // A length the grid cannot hold is refused, suggesting the grid's own multiples.
    let (code, _, err) = omnisim(
        &d,
        &["forecast", "vol90.csv", "--interval", "1h", "--out", "out"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not a multiple of the 90-minute grid") && err.contains("e.g. 90m, 3h"),
        "{err}"
    );
}

/// A variant: a 30-minute grid whose intervals start at :15 and :45 (07:15, 07:45, …) kept
/// its step but lost its phase (the 07:15 volume under 07:00); at `--interval 1h` the
/// buckets start at 07:15 and 08:15 as the file's intervals do.
#[test]
fn a_grid_off_the_hour_keeps_its_phase() {
    let d = dir("grid15");
    std::fs::write(d.join("v.csv"), volumes(30, 435, 20)).unwrap();
    let out = d.join("out");
    let (code, _, err) = omnisim(&d, &["forecast", "v.csv", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    let got = rows(&out);
    assert_eq!(
        (got[0].0.as_str(), got[0].1, got[1].0.as_str(), got[1].1),
        ("07:15", 100.0, "07:45", 10.0),
        "{got:?}"
    );
    assert_eq!(got.len(), 20, "{got:?}");
    let (code, _, err) = omnisim(
        &d,
        &["forecast", "v.csv", "--interval", "1h", "--out", "out"],
    );
    assert_eq!(code, 0, "{err}");
    let got = rows(&out);
    assert_eq!(
        (got[0].0.as_str(), got[0].1, got[1].0.as_str(), got[1].1),
        ("07:15", 110.0, "08:15", 20.0),
        "{got:?}"
    );
    // The day's last bucket keeps its true length: the 16:45 slot ends at 17:15.
    let last = got.last().unwrap();
    assert_eq!(
        (last.0.as_str(), last.2.as_str()),
        ("16:15", "60m"),
        "{got:?}"
    );
}

/// One answered conversation a minute, round the clock, three weeks from Monday 2026-10-12,
/// with Central Europe's UTC offsets (+02:00 until 2026-10-25 03:00, then +01:00): the hour
/// 02:00–03:00 of Sunday 25 October is written twice, once under each offset.
fn round_the_clock() -> String {
    let mut s = String::from("id,arrival,queue,outcome,wait,handle\n");
    let start = jiff::civil::date(2026, 10, 12).at(0, 0, 30, 0);
    // Real minutes from 2026-10-12 00:00+02:00; the change at 2026-10-25 01:00 UTC.
    let change = 13 * 1440 + 3 * 60;
    for (id, m) in (0..(21 * 1440 + 60)).enumerate() {
        let local = if m < change { m } else { m - 60 };
        if local >= 21 * 1440 {
            break;
        }
        let t = start
            .checked_add(jiff::Span::new().minutes(local as i64))
            .unwrap();
        let off = if m < change { 2 } else { 1 };
        s.push_str(&format!(
            "{},{}+0{off}:00,q,answered,1,300\n",
            id + 1,
            t.strftime("%Y-%m-%dT%H:%M:%S")
        ));
    }
    s
}

/// The tester's hist_fallback.csv, a one-a-minute history through the autumn change: `fit`
/// read Sunday 02:00 at 90/h (both 02:00 hours as one) against 60/h elsewhere. Now the
/// repeated hour counts over its two hours: 60/h, and a note names the hour.
#[test]
fn fit_counts_the_repeated_hour_over_two_hours() {
    let d = dir("fitdst");
    std::fs::write(d.join("h.csv"), round_the_clock()).unwrap();
    let (code, _, err) = omnisim(&d, &["fit", "h.csv", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/fit.json")).unwrap()).unwrap();
    let sun = &json["queues"]["q"]["arrivals"]["by_day_of_week"]["sun"];
    for at in ["01:30", "02:00", "02:30", "03:00"] {
        assert_eq!(sun[at].as_f64(), Some(60.0), "{at}: {sun}");
    }
    assert_eq!(
        json["queues"]["q"]["arrivals"]["by_time_of_day"]["02:00"].as_f64(),
        Some(60.0)
    );
    assert!(
        err.contains("on 2026-10-25 the wall clock 02:00–03:00 happened twice"),
        "{err}"
    );
    // A variant: one-hour intervals, the same rule.
    let (code, _, err) = omnisim(&d, &["fit", "h.csv", "--interval", "1h", "--out", "out1"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out1/fit.json")).unwrap()).unwrap();
    assert_eq!(
        json["queues"]["q"]["arrivals"]["by_day_of_week"]["sun"]["02:00"].as_f64(),
        Some(60.0)
    );
}

/// `forecast` of the same history: the repeated hour is one hour's volume per occurrence, so
/// a constant history forecasts a constant 30 a half hour, on the Sunday too (the merged hour
/// raised Sunday's 02:00 and its day total).
#[test]
fn forecast_counts_the_repeated_hour_over_two_hours() {
    let d = dir("fcdst");
    std::fs::write(d.join("h.csv"), round_the_clock()).unwrap();
    let (code, _, err) = omnisim(
        &d,
        &["forecast", "h.csv", "--horizon", "1w", "--out", "out"],
    );
    assert_eq!(code, 0, "{err}");
    let got = rows(&d.join("out"));
    assert_eq!(got.len(), 7 * 48);
    assert!(
        got.iter().all(|r| (r.1 - 30.0).abs() < 0.05),
        "{:?}",
        got.iter()
            .filter(|r| (r.1 - 30.0).abs() >= 0.05)
            .collect::<Vec<_>>()
    );
    assert!(err.contains("02:00–03:00 happened twice"), "{err}");
}

/// `fit` quoted a bad arrival without its offset ("2026-13-23T09:05:15" for
/// "2026-13-23T09:05:15+01:00") where `forecast` quotes the cell whole; a variant with `Z`.
#[test]
fn fit_quotes_a_bad_cell_as_written() {
    let d = dir("quote");
    let mut s = String::from("id,arrival,queue,outcome,wait,handle\n");
    for k in 0..20 {
        s.push_str(&format!(
            "{},2026-03-23T09:{k:02}:00+01:00,q,answered,1,300\n",
            k + 1
        ));
    }
    s.push_str("21,2026-13-23T09:05:15+01:00,q,answered,1,300\n");
    s.push_str("22,2026-03-23T25:00:00Z,q,answered,1,300\n");
    std::fs::write(d.join("h.csv"), s).unwrap();
    let (code, _, err) = omnisim(&d, &["fit", "h.csv", "--out", "out"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("h.csv:22:2: arrival: \"2026-13-23T09:05:15+01:00\" is not")
            && err.contains("h.csv:23:2: arrival: \"2026-03-23T25:00:00Z\" is not"),
        "{err}"
    );
}
