//! Issue 25 (left open since the fourth pass): a byte that is not UTF-8 in a CSV input gave the
//! csv crate's message, "invalid utf-8: invalid UTF-8 in field N near byte index B" with a
//! 0-based field index and no column name. Every CSV reader goes through `traffic::read`, which
//! now names the file, the 1-based line, the column by name and 1-based number, and what was
//! expected; every such cell of the file is reported at once. One test per reader: a roster, a
//! scenario's forecast and replayed history, `fit`'s history and `forecast`'s volume history.

use std::path::{Path, PathBuf};

use omnisim::scenario::load_file;

use crate::traffic::temp_dir;

/// Writes `bytes` (Latin-1 `é` is 0xE9, not UTF-8) to `dir/name`.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The message for a bad cell of column `n`, `valid` bytes into the cell.
fn says(at: &str, column: &str, n: usize, valid: usize) -> String {
    let after = match valid {
        0 => "at its start".to_string(),
        1 => "after its first 1 byte".to_string(),
        v => format!("after its first {v} bytes"),
    };
    format!(
        "{at}: {column}: the cell in column {n} holds a byte that is not UTF-8 text ({after}); \
         expected UTF-8 text (save or export the file as UTF-8)"
    )
}

fn scenario_error(dir: &Path, toml: &str) -> String {
    let path = dir.join("s.toml");
    std::fs::write(&path, toml).unwrap();
    match load_file(&path) {
        Ok(_) => panic!("loaded"),
        Err(e) => e.to_string(),
    }
}

const STREAM: &str = r#"
[[workstreams]]
name = "calls"
channel = "voice"
handle_time = "4m"

[[queues]]
name = "retail"
workstream = "calls"
"#;

#[test]
fn a_roster_names_every_cell_that_is_not_utf8_by_column() {
    let dir = temp_dir("utf8-roster");
    write(
        &dir,
        "r.csv",
        b"agent,queues,shift_start,shift_end\nann,retail,0,7200\njos\xe9,retail\xff,0,7200\n",
    );
    let toml = format!(
        "[scenario]\nname = \"r\"\nhorizon = \"2h\"\n{STREAM}arrivals = {{ rate = \"10/h\" }}\n\n\
         [traffic]\nroster = \"r.csv\"\n"
    );
    let e = scenario_error(&dir, &toml);
    assert!(e.contains(&says("r.csv:3:1", "agent", 1, 3)), "{e}");
    assert!(e.contains(&says("r.csv:3:2", "queues", 2, 6)), "{e}");
    assert!(!e.contains("field"), "{e}");
    // In the header row: the column by number (its name is what cannot be read).
    write(&dir, "r.csv", b"agent,qu\xe9ues\nann,retail\n");
    let e = scenario_error(&dir, &toml);
    assert!(
        e.contains(
            "r.csv:1: the column name in column 2 holds a byte that is not UTF-8 text (after \
             its first 2 bytes); expected UTF-8 text"
        ),
        "{e}"
    );
}

#[test]
fn a_forecast_names_the_cell_that_is_not_utf8() {
    let dir = temp_dir("utf8-forecast");
    write(
        &dir,
        "f.csv",
        b"interval_start,volume\n2003-03-03T07:00,11\n2003-03-03T07:30,\xe912\n",
    );
    let toml = format!(
        "[scenario]\nname = \"f\"\nstart = \"2003-03-03T07:00\"\nhorizon = \"2h\"\n{STREAM}\n\
         [[agent_groups]]\nname = \"a\"\ncount = 5\nqueues = [\"retail\"]\n\n\
         [traffic]\nforecast = {{ file = \"f.csv\", queue = \"retail\" }}\n"
    );
    let e = scenario_error(&dir, &toml);
    assert!(e.contains(&says("f.csv:3:2", "volume", 2, 0)), "{e}");
}

#[test]
fn a_replayed_history_names_the_cell_that_is_not_utf8() {
    let dir = temp_dir("utf8-replay");
    write(&dir, "h.csv", b"arrival,queue\n0,retail\n60,ret\xe9il\n");
    let toml = format!(
        "[scenario]\nname = \"h\"\nhorizon = \"2h\"\n{STREAM}\n\
         [[agent_groups]]\nname = \"a\"\ncount = 5\nqueues = [\"retail\"]\n\n\
         [traffic]\nreplay = \"h.csv\"\n"
    );
    let e = scenario_error(&dir, &toml);
    assert!(e.contains(&says("h.csv:3:2", "queue", 2, 3)), "{e}");
}

#[test]
fn fit_and_forecast_histories_name_the_cell_that_is_not_utf8() {
    let dir = temp_dir("utf8-histories");
    let h = write(
        &dir,
        "h.csv",
        b"arrival,queue,outcome,wait,handle\n\
          2026-03-02T08:00,q,answered,10,300\n\
          2026-03-02T08:10,q,answ\xe9red,20,200\n",
    );
    let e = omnisim::fit::fit_file(&h, omnisim::time::SimDuration::from_secs(1800))
        .expect_err("not UTF-8");
    let shown: Vec<String> = e.iter().map(|d| d.to_string()).collect();
    assert!(
        shown
            .iter()
            .any(|d| d.ends_with(&says(":3:3", "outcome", 3, 4)[..])),
        "{shown:?}"
    );
    let mut v = b"interval_start,volume\n".to_vec();
    for d in 2..=6 {
        v.extend_from_slice(format!("2026-03-0{d}T08:00,10\n").as_bytes());
    }
    v.extend_from_slice(b"2026-03-09T08:00,1\xe90\n");
    let path = write(&dir, "v.csv", &v);
    let e = omnisim::forecast::read_history(&path, "v.csv", 30).expect_err("not UTF-8");
    let shown: Vec<String> = e.iter().map(|d| d.to_string()).collect();
    assert!(
        shown.contains(&says("v.csv:7:2", "volume", 2, 1)),
        "{shown:?}"
    );
}
