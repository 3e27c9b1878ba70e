//! Issue 25, thirteenth session ("long jobs and odd inputs: memory bounded"): what `fit` and
//! `forecast` hold per history row. A tester's 4,000,000-row log took `fit` past 1 GB and
//! `forecast` kept 200–300 bytes a row. Memory is counted by this test binary's allocator
//! ([`crate::large_reports::peak_during`]), not timed: the most bytes held at once while
//! reading 65,536 rows, less that for 16,384, per extra row. Both histories cover the same
//! days and minutes (the larger four times as dense), so what is kept per day, interval or
//! minute is the same in both and the figure is what is kept per row.

use std::fmt::Write as _;
use std::path::Path;

use omnisim::time::SimDuration;

use crate::large_reports::peak_during;

/// The rows of the two histories compared.
const ROWS: [usize; 2] = [16_384, 65_536];

/// Row `i`'s arrival of `rows`, spread evenly over 08:00–20:00 of five days from Monday
/// 2025-01-06 (at least one a minute).
fn arrival(i: usize, rows: usize) -> String {
    let at = i * 5 * 43_200 / rows;
    let (d, s) = (at / 43_200, 8 * 3600 + at % 43_200);
    format!(
        "2025-01-{:02}T{:02}:{:02}:{:02}",
        6 + d,
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// A conversation log of `rows` rows (three queues; answered, abandoned and overflowed),
/// with sequential ids as `omnisim run --log` writes them when `ids`.
fn log(path: &Path, rows: usize, ids: bool) {
    let mut csv = String::from(if ids { "id," } else { "" });
    csv.push_str("arrival,queue,outcome,wait,handle,wrap_up\n");
    for i in 0..rows {
        if ids {
            let _ = write!(csv, "{},", i + 1);
        }
        let (outcome, handle, wrap) = match i % 20 {
            0 | 7 => ("abandoned", String::new(), String::new()),
            13 => ("overflowed", String::new(), String::new()),
            _ => (
                "answered",
                format!("{}.{:03}", 60 + i % 240, i % 1000),
                format!("{}", i % 30),
            ),
        };
        let _ = writeln!(
            csv,
            "{},{},{outcome},{}.{:03},{handle},{wrap}",
            arrival(i, rows),
            ["billing", "sales", "support"][i % 3],
            i % 90,
            (i * 7) % 1000
        );
    }
    std::fs::write(path, csv).expect("write the log");
}

/// A conversation history (`arrival`, `queue`: one arrival a row) of `rows` rows.
fn arrivals(path: &Path, rows: usize) {
    let mut csv = String::from("arrival,queue\n");
    for i in 0..rows {
        let _ = writeln!(csv, "{},{}", arrival(i, rows), ["a", "b"][i % 2]);
    }
    std::fs::write(path, csv).expect("write the history");
}

/// A volume file of `rows` rows: 50 queues, 5-minute intervals 08:00–20:00.
fn volumes(path: &Path, rows: usize) {
    let mut csv = String::from("interval_start,queue,volume\n");
    for i in 0..rows {
        let (slot, q) = (i / 50, i % 50);
        let (d, k) = (slot / 144, slot % 144);
        let m = 8 * 60 + k * 5;
        let _ = writeln!(
            csv,
            "2025-{:02}-{:02}T{:02}:{:02},q{q:02},{}",
            1 + d / 28,
            1 + d % 28,
            m / 60,
            m % 60,
            i % 40
        );
    }
    std::fs::write(path, csv).expect("write the volume file");
}

/// The bytes held at once per extra row: `read` on the larger history less on the smaller,
/// over the rows between (each history written by `write` first, outside the count).
fn per_row(tag: &str, write: fn(&Path, usize), read: impl Fn(&Path)) -> f64 {
    let dir = crate::procs::TempDir::new(&format!("big-histories-{tag}"));
    let peaks: Vec<usize> = ROWS
        .iter()
        .map(|&n| {
            let path = dir.join(format!("{tag}-{n}.csv"));
            write(&path, n);
            peak_during(|| read(&path)).1
        })
        .collect();
    (peaks[1] as f64 - peaks[0] as f64) / (ROWS[1] - ROWS[0]) as f64
}

/// `forecast` of a conversation history bins each arrival as it is read: what it holds grows
/// with the days and minutes that had one, not the rows (before: 150 bytes a row and more, the links
/// table's entry per row, which a history without `id` and `retrial_of` never reads, and a
/// 16-byte (line, date) per row for the far-row check). Variant: a log with sequential ids
/// (one bit a conversation in the links' runs).
#[test]
fn forecast_of_a_conversation_history_keeps_no_bytes_per_row() {
    let read = |path: &Path| {
        omnisim::forecast::read_history(path, "h.csv", 30).expect("a valid history");
    };
    let plain = per_row("fc-arrivals", arrivals, read);
    eprintln!("forecast: {plain:.1} bytes a row");
    assert!(plain < 2.0, "{plain:.1} bytes a row");
    let ids = per_row("fc-log", |p, n| log(p, n, true), read);
    assert!(ids < 2.0, "{ids:.1} bytes a row with ids");
}

/// `fit` keeps what its outputs need of each row and nothing more: `actuals.json`'s 80-byte
/// row and the handle, wrap-up and wait samples (8 bytes each, a vector per queue with room
/// to grow, and a sorted copy while one is fitted): 130 bytes a row (before: 290 and more,
/// with a 16-byte arrival, a 16-byte (line, arrival), an 8-byte day and the links table's
/// 57-byte entry, with room to grow, per row). Variant: a history without ids.
#[test]
fn fit_keeps_only_what_its_outputs_need_per_row() {
    let read = |path: &Path| {
        omnisim::fit::fit_file(path, SimDuration::from_secs(1800)).expect("a valid history");
    };
    let ids = per_row("fit-log", |p, n| log(p, n, true), read);
    eprintln!("fit: {ids:.1} bytes a row");
    assert!(ids < 160.0, "{ids:.1} bytes a row");
    let plain = per_row("fit-no-ids", |p, n| log(p, n, false), read);
    assert!(plain < 160.0, "{plain:.1} bytes a row without ids");
}

/// A volume file's rows are its cells (one a queue and interval); what `forecast` keeps of
/// each is bounded: its (queue, start) → line entry holds a queue number, not the queue's
/// name (before: a `String` each, 40 bytes more a row): 115 bytes a row.
#[test]
fn forecast_of_a_volume_file_keeps_a_queue_number_per_row() {
    let read = |path: &Path| {
        omnisim::forecast::read_history(path, "v.csv", 30).expect("a valid volume file");
    };
    let v = per_row("fc-volumes", volumes, read);
    eprintln!("volume file: {v:.1} bytes a row");
    assert!(v < 150.0, "{v:.1} bytes a row");
}
