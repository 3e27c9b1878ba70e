//! Unit tests of the history reader (weekdays by date, closed days, gaps), the horizon and the
//! baselines, with hand-computed values.

use super::model::{point, same_weekday_mean, seasonal_naive, z_of, Params};
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
    // Mondays only, constant total 100 split 30/70: the level stays ln 100, the residuals 0,
    // the profile 0.3/0.7 → exactly 30 and 70.
    let days: Vec<Day> = (0..4)
        .map(|w| day(2024, 1, 1 + 7 * w, &[30.0, 70.0]))
        .collect();
    let f = point(&days, 0, 1, &Params::default()).unwrap();
    assert!(
        (f[0] - 30.0).abs() < 1e-9 && (f[1] - 70.0).abs() < 1e-9,
        "{f:?}"
    );
    // Totals 100 then 200 on two Mondays: level = 0.15·ln 200 + 0.85·ln 100, residual
    // ln 2, lead 1 adds 0.35·ln 2: exp → 100·2^0.5 = 141.42.
    let days = vec![
        day(2024, 1, 1, &[50.0, 50.0]),
        day(2024, 1, 8, &[100.0, 100.0]),
    ];
    let f = point(&days, 0, 1, &Params::default()).unwrap();
    assert!(
        (f.iter().sum::<f64>() - 100.0 * 2f64.powf(0.5)).abs() < 1e-6,
        "{f:?}"
    );
    assert!((z_of(80.0) - 1.281_551_565_5).abs() < 1e-6);
}
