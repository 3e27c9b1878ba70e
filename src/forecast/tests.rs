//! Unit tests of the history reader (weekdays by date, closed days, gaps), the horizon and the
//! baselines, with hand-computed values.

use super::model::{point, same_weekday_mean, seasonal_naive, z_of, Params, Target};
use super::*;

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("omnisim-forecast-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("h.csv");
    std::fs::write(&p, text).unwrap();
    p
}

fn day(y: i16, m: i8, d: i8, volumes: &[f64]) -> Day {
    let date = jiff::civil::date(y, m, d);
    Day {
        date,
        weekday: weekday_index(date),
        volumes: volumes.to_vec(),
    }
}

#[test]
fn gaps_keep_weekdays_and_closed_days_are_found() {
    // Mon 2024-01-01, Tue 01-02, (Wed missing), Thu 01-04, Sat 01-06 with zero traffic,
    // Mon 01-08. 15-minute rows binned to 30 minutes.
    let text = "interval_start,volume\n\
        2024-01-01T09:00,10\n2024-01-01T09:15,5\n2024-01-01T09:30,1\n\
        2024-01-02T09:00,20\n\
        2024-01-04T09:45,7\n\
        2024-01-06T09:00,0\n\
        2024-01-08T09:00+01:00,3\n";
    let p = write("gaps", text);
    let h = read_history(&p, "h.csv", 30).unwrap();
    assert_eq!(h.interval_min, 30);
    assert_eq!(h.first_bucket, 18); // 09:00
    assert_eq!(h.n_buckets, 2); // 09:00 and 09:30
    let q = &h.queues[0];
    let got: Vec<(String, usize, Vec<f64>)> = q
        .days
        .iter()
        .map(|d| (d.date.to_string(), d.weekday, d.volumes.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2024-01-01".to_string(), 0, vec![15.0, 1.0]),
            ("2024-01-02".to_string(), 1, vec![20.0, 0.0]),
            ("2024-01-04".to_string(), 3, vec![0.0, 7.0]),
            ("2024-01-08".to_string(), 0, vec![3.0, 0.0]),
        ]
    );
    // Wednesday is open? No traffic on any Wednesday: closed. Saturday had a zero row: closed.
    assert_eq!(q.open, [true, true, false, true, false, false, false]);
    assert_eq!(h.last_date, jiff::civil::date(2024, 1, 8));
    // The next 3 open days after Monday 8th: Tue 9th, Thu 11th, Mon 15th.
    let dates: Vec<String> = Horizon::OpenDays(3)
        .dates(h.last_date, &q.open)
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(dates, ["2024-01-09", "2024-01-11", "2024-01-15"]);
    // A calendar week: Tue 9th, Thu 11th, Mon 15th (day 7 is Monday the 15th).
    assert_eq!(
        Horizon::CalendarDays(7).dates(h.last_date, &q.open).len(),
        3
    );
    assert_eq!(
        Horizon::CalendarDays(6).dates(h.last_date, &q.open).len(),
        2
    );
}

#[test]
fn conversation_history_counts_arrivals_per_queue() {
    let text = "id,arrival,queue\n1,2024-01-01T09:01:00,a\n2,2024-01-01T09:29:59,a\n\
        3,2024-01-01T10:00:00,b\n";
    let p = write("conv", text);
    let h = read_history(&p, "h.csv", 30)
        .map_err(|e| format!("{e:?}"))
        .unwrap();
    assert_eq!(h.n_buckets, 3); // 09:00, 09:30, 10:00
    assert_eq!(h.queues.len(), 2);
    assert_eq!(h.queues[0].queue.as_deref(), Some("a"));
    assert_eq!(h.queues[0].days[0].volumes, vec![2.0, 0.0, 0.0]);
    assert_eq!(h.queues[1].days[0].volumes, vec![0.0, 0.0, 1.0]);
}

#[test]
fn bad_rows_name_line_and_column() {
    let p = write(
        "bad",
        "interval_start,volume\n2024-01-01T09:00,1\n2024-01-01T09:30,-2\nnoon,3\n",
    );
    let e = read_history(&p, "h.csv", 30).unwrap_err();
    let text: Vec<String> = e.iter().map(|d| d.to_string()).collect();
    assert!(text[0].contains("h.csv:3:2"), "{text:?}");
    assert!(text[1].contains("h.csv:4:1"), "{text:?}");
    // A 30-minute grid cannot be binned into 20-minute buckets... 20 is no multiple of 30.
    let p = write(
        "grid",
        "interval_start,volume\n2024-01-01T09:00,1\n2024-01-01T09:30,2\n",
    );
    let e = read_history(&p, "h.csv", 20).unwrap_err();
    assert!(e[0].to_string().contains("30-minute grid"), "{e:?}");
}

#[test]
fn horizon_parses() {
    assert_eq!(Horizon::parse("1d"), Ok(Horizon::OpenDays(1)));
    assert_eq!(Horizon::parse("3 days"), Ok(Horizon::OpenDays(3)));
    assert_eq!(Horizon::parse("1w"), Ok(Horizon::CalendarDays(7)));
    assert!(Horizon::parse("0d").is_err());
    assert!(Horizon::parse("tomorrow").is_err());
}

#[test]
fn baselines_by_hand() {
    // Mondays 1, 8, 15, 22, 29 Jan 2024 (plus a Tuesday in between), two buckets each.
    let days = vec![
        day(2024, 1, 1, &[10.0, 20.0]),
        day(2024, 1, 8, &[12.0, 22.0]),
        day(2024, 1, 9, &[100.0, 100.0]),
        day(2024, 1, 15, &[14.0, 24.0]),
        day(2024, 1, 22, &[16.0, 26.0]),
        day(2024, 1, 29, &[18.0, 28.0]),
    ];
    assert_eq!(seasonal_naive(&days, 0), Some(vec![18.0, 28.0]));
    assert_eq!(seasonal_naive(&days, 1), Some(vec![100.0, 100.0]));
    assert_eq!(seasonal_naive(&days, 2), None);
    // (12+14+16+18)/4 = 15, (22+24+26+28)/4 = 25.
    assert_eq!(same_weekday_mean(&days, 0, 4), Some(vec![15.0, 25.0]));
}

#[test]
fn method_by_hand() {
    let p = Params::default();
    let monday = |d: jiff::civil::Date| Target::plain(d);
    // Mondays only, constant total 100 split 30/70: the level stays ln 100, the residuals and
    // the calendar effects 0, the profile 0.3/0.7 → exactly 30 and 70.
    let days: Vec<Day> = (0..4)
        .map(|w| day(2024, 1, 1 + 7 * w, &[30.0, 70.0]))
        .collect();
    let f = point(&days, monday(jiff::civil::date(2024, 1, 29)), 1, &p).unwrap();
    assert!(
        (f[0] - 30.0).abs() < 1e-9 && (f[1] - 70.0).abs() < 1e-9,
        "{f:?}"
    );
    // Totals 100 (Mon 1st, month bin 0) then 200 (Mon 8th, bin 1). Pass 1: residual ln 2 in
    // bin 1, effect ln 2 ÷ (1 + 3) = ¼ ln 2. Pass 2: the 8th adjusted to ln 200 − ¼ ln 2, its
    // residual ¾ ln 2, level ln 100 + 0.25 · ¾ ln 2 = ln 100 + 0.1875 ln 2; the effect again ¼ ln 2,
    // the last residual without it ¾ ln 2. Monday 15th (bin 2, no effect), lead 1, φ = 0.5:
    // ln 100 + (0.1875 + 0.375) ln 2 → 100 · 2^0.5625 = 147.65; Monday 8 April (bin 1) adds
    // the effect: 100 · 2^0.8125 = 175.63.
    let days = vec![
        day(2024, 1, 1, &[50.0, 50.0]),
        day(2024, 1, 8, &[100.0, 100.0]),
    ];
    let total = |days: &[Day], t: Target| point(days, t, 1, &p).unwrap().iter().sum::<f64>();
    let got = total(&days, monday(jiff::civil::date(2024, 1, 15)));
    assert!((got - 100.0 * 2f64.powf(0.5625)).abs() < 1e-6, "{got}");
    let got = total(&days, monday(jiff::civil::date(2024, 4, 8)));
    assert!((got - 100.0 * 2f64.powf(0.8125)).abs() < 1e-6, "{got}");
    assert!((z_of(80.0) - 1.281_551_565_5).abs() < 1e-6);
}

/// The day after a closure: Mondays and Tuesdays open, Tuesday 9 January without traffic (a
/// holiday), Monday 15th at 200 against 100 on the others. Monday 15th follows the closure (its
/// residual ln 2, in month bin 2 with no other day): pass 1 gives the effect ln 2 ÷ (1 + 3) =
/// ¼ ln 2, pass 2 the same, the level ln 100 + 0.1875 ln 2, the last residual ¾ ln 2 (as in
/// `method_by_hand`). Monday 22nd: 100 · 2^0.5625 = 147.65; the same day after a closure adds
/// the effect: 100 · 2^0.8125 = 175.63.
#[test]
fn the_day_after_a_closure_by_hand() {
    let p = Params::default();
    let days = vec![
        day(2024, 1, 1, &[100.0]),
        day(2024, 1, 2, &[100.0]),
        day(2024, 1, 8, &[100.0]),
        day(2024, 1, 15, &[200.0]),
    ];
    assert!(model::follows_closure(&days, 3));
    assert!(!model::follows_closure(&days, 2)); // Monday 8th follows Tuesday 2nd: no gap
    let fit = model::fit_level(&days, &p);
    assert!(
        (fit.after_closure - 0.25 * 2f64.ln()).abs() < 1e-12,
        "{fit:?}"
    );
    assert_eq!(fit.month, [0.0; 6]);
    let date = jiff::civil::date(2024, 1, 22);
    let total = |after_closure| {
        point(
            &days,
            Target {
                date,
                after_closure,
            },
            1,
            &p,
        )
        .unwrap()
        .iter()
        .sum::<f64>()
    };
    assert!((total(false) - 100.0 * 2f64.powf(0.5625)).abs() < 1e-6);
    assert!((total(true) - 100.0 * 2f64.powf(0.8125)).abs() < 1e-6);
}

/// Issue 23: the day's last bucket keeps its true length. 5-minute rows 07:00–08:00 (the day
/// closes at 08:05) binned at 30 minutes: buckets 07:00, 07:30 and 08:00, the last one 5
/// minutes long, and forecast.csv names `5m` on its rows (30m on the others), so
/// `[traffic] forecast` spreads its volume over 08:00–08:05, not 08:00–08:30.
#[test]
fn a_short_last_bucket_keeps_its_length_in_forecast_csv() {
    let mut text = String::from("interval_start,volume\n");
    for d in ["2024-01-01", "2024-01-08"] {
        for k in 0..13 {
            text += &format!("{d}T{:02}:{:02},2\n", 7 + k * 5 / 60, k * 5 % 60);
        }
    }
    let p = write("tail", &text);
    let h = read_history(&p, "h.csv", 30).unwrap();
    assert_eq!((h.first_bucket, h.n_buckets, h.last_bucket_min), (14, 3, 5));
    assert_eq!(h.queues[0].days[0].volumes, vec![12.0, 12.0, 2.0]);
    // At --interval 5m (the file's grid) every bucket is whole, the last one too.
    let h5 = read_history(&p, "h.csv", 5).unwrap();
    assert_eq!((h5.n_buckets, h5.last_bucket_min), (13, 5));
    // A 1-hour interval: 07:00–08:00 and 08:00–08:05.
    let h60 = read_history(&p, "h.csv", 60).unwrap();
    assert_eq!((h60.n_buckets, h60.last_bucket_min), (2, 5));
    let fc = model::DayForecast {
        mean: vec![12.0, 12.0, 2.0],
        lo: vec![10.0, 10.0, 1.0],
        hi: vec![14.0, 14.0, 3.0],
    };
    let out = output::Output {
        file: "h.csv".into(),
        history: &h,
        params: Params::default(),
        level: 80.0,
        backtest: (0, 1),
        backtest_until: None,
        queues: vec![output::QueueResult {
            queue: None,
            days: vec![output::ForecastDay {
                date: jiff::civil::date(2024, 1, 15),
                lead: 1,
                forecast: fc,
                calibration_days: 0,
            }],
            backtest: vec![],
        }],
    };
    assert_eq!(
        out.csv(),
        "interval_start,volume,volume_lo,volume_hi,interval\n\
         2024-01-15T07:00,12.0,10.0,14.0,30m\n\
         2024-01-15T07:30,12.0,10.0,14.0,30m\n\
         2024-01-15T08:00,2.0,1.0,3.0,5m\n"
    );
    // A conversation history has no grid: its last bucket is whole.
    let p = write("tail-conv", "arrival\n2024-01-01T07:01\n2024-01-01T08:02\n");
    let h = read_history(&p, "h.csv", 30).unwrap();
    assert_eq!((h.n_buckets, h.last_bucket_min), (3, 30));
}

/// Issue 25, sixth pass (tester): a bad row after blank lines is named at its own line (the
/// bank file plus a blank line and `garbage,row` said line 27718, not 27719).
#[test]
fn a_bad_row_after_blank_lines_is_named_at_its_line() {
    let p = write(
        "blank",
        "interval_start,volume\n2024-01-01T09:00,1\n\n2024-01-01T09:30,2\n\n\ngarbage,row\n",
    );
    let e = read_history(&p, "h.csv", 30).unwrap_err();
    let text: Vec<String> = e.iter().map(|d| d.to_string()).collect();
    // Both of the row's bad cells (issue 25, a seventh tester: a bad time hid the volume).
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(text[0].starts_with("h.csv:7:1: interval_start"), "{text:?}");
    assert!(
        text[1].starts_with("h.csv:7:2: volume: \"row\""),
        "{text:?}"
    );
}
