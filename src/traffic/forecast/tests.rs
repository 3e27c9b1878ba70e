//! Unit tests of the forecast reader: grids, ties, rates, bands, day levels.

use super::*;

fn resolve(n: &str) -> Result<QueueId, String> {
    ["a", "b", "c"]
        .iter()
        .position(|x| *x == n)
        .map(|i| QueueId(i as u32))
        .ok_or_else(|| "unknown".to_string())
}

fn read_text(
    name: &str,
    text: &str,
    cal: &Calendar,
    horizon: Option<SimDuration>,
) -> Result<Forecast, Vec<Diagnostic>> {
    // A file of its own per call: tests run in parallel and may share a `name`.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path =
        std::env::temp_dir().join(format!("omnisim-fc-{name}-{}-{n}.csv", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let f = read_forecast(&path, "f.csv", cal, horizon, None, &resolve, None);
    let _ = std::fs::remove_file(&path);
    f
}

fn errors(r: Result<Forecast, Vec<Diagnostic>>) -> String {
    crate::diag::render(&r.unwrap_err())
}

/// Issue 25, fourth pass (F5, found by a fresh tester): starts 0, 3600, 3601, 7200 tie
/// three spacings (1 s, 59m59s, 1 h once each); "ties go to the shorter" made a 1-second
/// grid and each hour's volume arrived in its first second. A tie is an error asking for
/// an `interval` column; with it the stray row is an error at its line. Variant: a tie from
/// a gap in the grid (0, 1800, 5400) is still read as a 30-minute grid.
#[test]
fn a_tie_between_spacings_is_no_grid() {
    let cal = Calendar::default();
    let text = "interval_start,queue,volume\n0,a,10\n3600,a,10\n3601,a,10\n7200,a,5\n";
    let e = errors(read_text("tie", text, &cal, None));
    assert!(
        e.contains("cannot tell the forecast's grid: the spacings between interval starts 1s, 59m59s, 1h are equally common (1 each)")
            && e.contains("`interval` column"),
        "{e}"
    );
    let text = "interval_start,queue,volume,interval\n0,a,10,1h\n3600,a,10,1h\n3601,a,10,1h\n7200,a,5,1h\n";
    let e = errors(read_text("tie-named", text, &cal, None));
    assert!(
        e.contains("f.csv:4:1: interval_start: 3601 is off the forecast's grid of 1h"),
        "{e}"
    );
    // A gap ties too (30m and 1h once each) but is no stray: every spacing is whole
    // half hours and 3 of the 4 slots are filled. 0, 1800, 10800 (3 of 7) is ambiguous.
    let text = "interval_start,queue,volume\n0,a,10\n1800,a,10\n5400,a,10\n";
    let f = read_text("gap", text, &cal, None).unwrap();
    assert_eq!(f.interval, SimDuration::from_secs(1800));
    let text = "interval_start,queue,volume\n0,a,10\n1800,a,10\n10800,a,10\n";
    let e = errors(read_text("gap2", text, &cal, None));
    assert!(e.contains("30m, 2h30m are equally common"), "{e}");
}

/// Issue 27 item 10: one grid per file, the most common spacing (900 s: twice, against
/// 1800 s once); every interval lasts one step.
#[test]
fn a_file_has_one_grid() {
    let text = "\u{feff}interval_start,queue,volume\n0,a,15\n900,a,30\n0,b,60\n1800,b,60\n2700,b,9\n3600,c,9\n";
    let f = read_text("grid", text, &Calendar::default(), None).unwrap();
    assert_eq!(f.interval, SimDuration::from_secs(900));
    let (a, b, c) = (&f.queues[0], &f.queues[1], &f.queues[2]);
    assert_eq!(a.interval, SimDuration::from_secs(900));
    assert_eq!(
        a.profile,
        vec![
            (SimTime(0), 15.0 / 900.0),
            (SimTime(900_000), 30.0 / 900.0),
            (SimTime(1_800_000), 0.0)
        ]
    );
    // b: 60 in the quarter-hour at 0 and at 30 min, nothing in between.
    assert_eq!(
        b.profile,
        vec![
            (SimTime(0), 60.0 / 900.0),
            (SimTime(900_000), 0.0),
            (SimTime(1_800_000), 60.0 / 900.0),
            (SimTime(2_700_000), 9.0 / 900.0),
            (SimTime(3_600_000), 0.0)
        ]
    );
    assert_eq!(
        c.profile,
        vec![
            (SimTime(0), 0.0),
            (SimTime(3_600_000), 9.0 / 900.0),
            (SimTime(4_500_000), 0.0)
        ]
    );
    // The interval named in the file wins over the spacing.
    let named = "interval_start,queue,volume,interval\n0,a,15,1h\n7200,a,30,1h\n";
    let f = read_text("named", named, &Calendar::default(), None).unwrap();
    assert_eq!(f.interval, SimDuration::from_secs(3600));
    assert_eq!(f.queues[0].profile[1], (SimTime(3_600_000), 0.0));
    // A shorter interval inside a day is an error at its line (only a day's last may be).
    let two = "interval_start,queue,volume,interval\n0,a,15,1h\n3600,a,30,30m\n7200,a,9,1h\n";
    let e = errors(read_text("two", two, &Calendar::default(), None));
    assert!(
        e.contains("f.csv:3:4: interval: 30m is shorter than the forecast's grid of 1h"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
}

/// Issue 23: a day's last interval keeps its true length. A center open 07:00–08:05 on a
/// 30-minute grid: the 08:00 row names `5m`, so its 10 calls arrive at 10 ÷ 300 s within
/// 08:00–08:05 (not 10 ÷ 1800 s until 08:30), and the next day starts afresh at 07:00.
#[test]
fn a_days_short_last_interval_keeps_its_length() {
    let cal = Calendar::parse("2026-03-02T07:00").unwrap();
    let text = "interval_start,queue,volume,interval\n\
                2026-03-02T07:00,a,30,30m\n2026-03-02T07:30,a,60,30m\n2026-03-02T08:00,a,10,5m\n\
                2026-03-03T07:00,a,36,30m\n2026-03-03T07:30,a,6,30m\n2026-03-03T08:00,a,12,5m\n";
    let f = read_text("short", text, &cal, None).unwrap();
    assert_eq!(f.interval, SimDuration::from_secs(1800));
    let day = 86_400_000;
    assert_eq!(
        f.queues[0].profile,
        vec![
            (SimTime(0), 30.0 / 1800.0),
            (SimTime(1_800_000), 60.0 / 1800.0),
            (SimTime(3_600_000), 10.0 / 300.0),
            (SimTime(3_900_000), 0.0),
            (SimTime(day), 36.0 / 1800.0),
            (SimTime(day + 1_800_000), 6.0 / 1800.0),
            (SimTime(day + 3_600_000), 12.0 / 300.0),
            (SimTime(day + 3_900_000), 0.0),
        ]
    );
}

/// Issue 27 item 10: one stray row a second off the half-hour grid is an error at its
/// line (it used to make the grid one second long, squeezing every interval's volume into
/// its first second).
#[test]
fn a_row_off_the_grid_is_an_error_at_its_line() {
    let text = "interval_start,queue,volume\n0,a,10\n1800,a,10\n1801,a,10\n3600,a,10\n5400,a,10\n";
    let e = errors(read_text("off", text, &Calendar::default(), None));
    assert!(
        e.contains("f.csv:4:1: interval_start: 1801 is off the forecast's grid of 30m"),
        "{e}"
    );
    assert!(e.contains("expected 1800 or 3600"), "{e}");
    // Dated: the message speaks in date-times.
    let cal = Calendar::parse("2026-03-02T07:00").unwrap();
    let text = "interval_start,queue,volume\n2026-03-02T07:00,a,1\n2026-03-02T07:30,a,1\n2026-03-02T08:00,a,1\n2026-03-02T08:10,a,1\n";
    let e = errors(read_text("offd", text, &cal, None));
    assert!(
        e.contains("f.csv:5:1: interval_start: 2026-03-02T08:10:00 is off"),
        "{e}"
    );
}

/// Issue 27 item 10: a dated forecast without `[scenario] start` is an error (it used to
/// run empty with exit 0); rows outside the run are skipped and counted alike before and
/// after it.
#[test]
fn dated_rows_need_a_start_and_rows_outside_are_counted() {
    let text = "interval_start,queue,volume\n2026-03-02T06:30,a,1\n2026-03-02T07:00,a,2\n2026-03-02T07:30,a,3\n2026-03-02T08:00,a,4\n2026-03-02T08:30,a,5\n";
    let e = errors(read_text("nostart", text, &Calendar::default(), None));
    assert!(
        e.contains("f.csv:2:1: interval_start: \"2026-03-02T06:30\" is a date-time but the scenario has no `[scenario] start`"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "reported once: {e}");
    let cal = Calendar::parse("2026-03-02T07:00").unwrap();
    // Horizon 1 h: 06:30 is before, 08:00 and 08:30 after: three rows, the first at line 2.
    let f = read_text("outside", text, &cal, Some(SimDuration::from_secs(3600))).unwrap();
    assert_eq!((f.outside, f.outside_line), (3, Some(2)));
    assert_eq!(
        f.queues[0].profile,
        vec![
            (SimTime(0), 2.0 / 1800.0),
            (SimTime(1_800_000), 3.0 / 1800.0),
            (SimTime(3_600_000), 0.0)
        ]
    );
}

#[test]
fn aht_profile_resets_between_intervals() {
    let f = QueueForecast {
        queue: QueueId(0),
        interval: SimDuration::from_secs(1800),
        profile: vec![],
        aht: vec![
            (SimTime(0), SimDuration::from_secs(600)),
            (SimTime(1_800_000), SimDuration::from_secs(150)),
            (SimTime(7_200_000), SimDuration::from_secs(300)),
        ],
        levels: None,
    };
    let p = f.aht_profile(SimDuration::from_secs(300)).unwrap();
    assert_eq!(p.factor(SimTime(10)), 2.0);
    assert_eq!(p.factor(SimTime(1_800_000)), 0.5);
    assert_eq!(p.factor(SimTime(3_600_000)), 1.0);
    assert_eq!(p.factor(SimTime(7_200_001)), 1.0);
}

/// Issue 25, ninth pass: a row with a bad cell no longer hides the grid and rate checks. One
/// file with a bad volume, a stray row off the grid and a rate too fast gets all three at
/// once; the row dropped for its bad volume opens no gap and changes no spacing (with it gone
/// 1h would be as common as 30m), so no row is called off the grid because of it; a row whose
/// start cannot be read leaves a grid told from spacings unchecked (only its cell problem),
/// while a named `interval` still checks every row.
#[test]
fn a_bad_cell_does_not_hide_the_grid_and_rate_checks() {
    let cal = Calendar::default();
    let text = "interval_start,queue,volume\n0,a,10\n1800,a,ten\n3600,a,10\n3601,a,10\n\
                5400,a,9e9\n7200,a,10\n";
    let e = errors(read_text("all", text, &cal, None));
    assert!(
        e.contains("f.csv:3:3: volume: \"ten\" is not a volume"),
        "{e}"
    );
    assert!(
        e.contains("f.csv:5:1: interval_start: 3601 is off the forecast's grid of 30m"),
        "{e}"
    );
    assert!(
        e.contains("f.csv:6:3: volume: volume 9.000e9 in 30m"),
        "{e}"
    );
    assert_eq!(e.matches("off the forecast's grid").count(), 1, "{e}");
    // Dropping line 3 alone would leave spacings 1h, 30m, 30m, 1h... (a tie, or a 1h grid
    // with 1800 and 5400 off it): none of that is said.
    let text = "interval_start,queue,volume\n0,a,10\n1800,a,x\n3600,a,10\n5400,a,10\n9000,a,y\n\
                10800,a,10\n";
    let e = errors(read_text("gap", text, &cal, None));
    assert!(e.contains("f.csv:3:3") && e.contains("f.csv:6:3"), "{e}");
    assert!(!e.contains("grid"), "{e}");
    // A start that cannot be read: the grid told from spacings is not trusted.
    let text = "interval_start,queue,volume\n0,a,10\nnoon,a,10\n3600,a,10\n5400,a,10\n";
    let e = errors(read_text("start", text, &cal, None));
    assert!(e.contains("f.csv:3:1"), "{e}");
    assert!(!e.contains("grid"), "{e}");
    // ... but a named interval is: the stray row is reported beside the bad start.
    let text = "interval_start,queue,volume,interval\n0,a,10,30m\nnoon,a,10,30m\n\
                3600,a,10,30m\n3700,a,10,30m\n";
    let e = errors(read_text("named", text, &cal, None));
    assert!(e.contains("f.csv:3:1"), "{e}");
    assert!(e.contains("f.csv:5:1: interval_start: 3700 is off"), "{e}");
    // An unknown queue: its row is checked against the grid too.
    let text = "interval_start,queue,volume,interval\n0,a,10,30m\n1801,zz,10,30m\n1800,a,1,30m\n";
    let e = errors(read_text("queue", text, &cal, None));
    assert!(
        e.contains("f.csv:3:2") && e.contains("f.csv:3:1: interval_start: 1801"),
        "{e}"
    );
}
