//! Issue 25, eleventh tester (branch `fixz-9`): roster and CSV messages — an agent's
//! `absence` that differs between its rows, a bad cell quoted whole (20 MB of stderr), a
//! break checked against a shift end that did not parse, every bad break of a row, a bad row
//! hiding the next row's disagreement, and a duplicated volume row blamed on daylight saving.

use crate::procs::{run_in as omnisim, text, TempDir};

/// Two queues (`tier1`, `tier2`), no groups, `[traffic] roster = "roster.csv"`.
const SCENARIO: &str = r#"
[scenario]
name = "t11"
horizon = "3h"
seed = 5

[[workstreams]]
name = "t1"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "4m" }

[[queues]]
name = "tier1"
workstream = "t1"
arrivals = { rate = "60/h" }

[[queues]]
name = "tier2"
workstream = "t1"

[traffic]
roster = "roster.csv"
"#;

/// `validate s.toml` of [`SCENARIO`] with roster `csv` in a new directory: exit code and
/// stderr.
fn validate(tag: &str, csv: &str) -> (Option<i32>, String) {
    let dir = TempDir::new(&format!("t11-{tag}"));
    std::fs::write(dir.join("s.toml"), SCENARIO).unwrap();
    std::fs::write(dir.join("roster.csv"), csv).unwrap();
    let o = omnisim(&dir, &["validate", "s.toml"]);
    (o.status.code(), text(&o.stderr))
}

/// Finding 1: bob's `absence` was 0.5 on one row and 0 on the other and row order decided
/// (0/20 or 9/20 absent); now the second row is an error naming the first's line.
#[test]
fn an_agents_absence_must_agree_across_its_rows() {
    let (code, e) = validate(
        "absence",
        "agent,queues,shift_start,shift_end,capacity,absence\n\
         ann,tier1,0,10800,100,1\n\
         bob,tier1;tier2,6000,9000,200,0.5\n\
         bob,tier1;tier2,0,5000,200,0\n",
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("roster.csv:4:6: absence: agent \"bob\" has absence 0.5 on line 3"),
        "{e}"
    );
    // Variant: an empty cell is absence 0, so it disagrees with 0.3 on either side.
    let (code, e) = validate(
        "absence-empty",
        "agent,queues,shift_start,shift_end,absence\n\
         cid,tier1,0,5000,\n\
         cid,tier1,6000,9000,0.3\n",
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("roster.csv:3:5: absence: agent \"cid\" has absence 0 on line 2"),
        "{e}"
    );
}

/// Finding 2: a 20 MB `volume` cell was quoted whole in the error (20 MB of stderr), likewise
/// a roster `shift_end` and a `fit` `handle`; every CSV reader's message now cuts a quoted cell
/// to 200 characters and gives its length.
#[test]
fn a_huge_cell_is_quoted_short_in_every_reader() {
    let huge = "9".repeat(1_000_000);
    let dir = TempDir::new("t11-huge");
    std::fs::write(
        dir.join("h.csv"),
        format!("interval_start,volume\n2026-02-02T08:00,{huge}\n"),
    )
    .unwrap();
    let o = omnisim(&dir, &["forecast", "h.csv", "--out", "o"]);
    let e = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", e.len());
    assert!(e.len() < 5_000, "{} bytes of stderr", e.len());
    assert!(e.contains("(1000000 characters in all)"), "{e}");
    // The roster's `shift_end`.
    let (code, e) = validate(
        "huge-roster",
        &format!(
            "agent,queues,shift_start,shift_end\nann,tier1,0,{}\n",
            "x".repeat(1_000_000)
        ),
    );
    assert_eq!(code, Some(2));
    assert!(e.len() < 5_000, "{} bytes of stderr", e.len());
    assert!(e.contains("characters in all"), "{e}");
    // Variant: `fit`'s `handle` in a conversation history, and a roster agent's long name in
    // a cross-row message (a problem not of the cell's own column).
    std::fs::write(
        dir.join("c.csv"),
        format!(
            "id,arrival,queue,outcome,wait,handle\n1,2026-03-02T08:00,q,answered,0,{}\n",
            "h".repeat(1_000_000)
        ),
    )
    .unwrap();
    let o = omnisim(&dir, &["fit", "c.csv", "--out", "f"]);
    let e = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", e.len());
    assert!(e.len() < 5_000, "{} bytes of stderr", e.len());
    assert!(e.contains("(1000000 characters in all)"), "{e}");
    let name = "n".repeat(5_000);
    let (code, e) = validate(
        "huge-name",
        &format!(
            "agent,queues,shift_start,shift_end,capacity\n{name},tier1,0,100,100\n\
             {name},tier1,200,300,200\n"
        ),
    );
    assert_eq!(code, Some(2));
    assert!(e.contains("has capacity 100 on line 2"), "{e}");
    assert!(e.len() < 2_000, "{} bytes of stderr", e.len());
}

/// Finding 3: a break was checked against a shift end that did not parse (shown as
/// 18446744073709551.615), and only a row's first bad break was reported.
#[test]
fn breaks_are_not_checked_against_a_bad_shift_end_and_all_are_reported() {
    let (code, e) = validate(
        "breaks",
        "agent,queues,shift_start,shift_end,capacity,breaks\n\
         cid,tier1,5000,100,100,200-300\n\
         dan,tier1,0,3600,100,4000-4100;5-4\n\
         eve,tier1,1000,soon,100,200-300;500-400\n",
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(!e.contains("18446744073709551"), "{e}");
    assert!(
        e.contains("roster.csv:2:4: shift_end: the shift must end after it starts"),
        "{e}"
    );
    // The start is still known: a break before it is still an error, without an end.
    assert!(
        e.contains("roster.csv:2:6: breaks: break \"200-300\" (200 to 300) starts before its shift does (5000)"),
        "{e}"
    );
    // Every bad break of a row, not only its first.
    assert!(
        e.contains("roster.csv:3:6: breaks: break \"4000-4100\" (4000 to 4100) is not inside its shift (0 to 3600): it starts after the shift ends; break \"5-4\" must end after it starts (5 to 4)"),
        "{e}"
    );
    // Variant: an unparsable end, a break before the start and a reversed one.
    assert!(
        e.contains("roster.csv:4:6: breaks: break \"200-300\" (200 to 300) starts before its shift does (1000); break \"500-400\" must end after it starts"),
        "{e}"
    );
}

/// Finding 4: a row with a bad cell skipped the cross-row checks, so the next row's queues
/// differing was reported only once the first was fixed.
#[test]
fn a_bad_row_still_takes_part_in_every_cross_row_check() {
    let (code, e) = validate(
        "cross",
        "agent,queues,shift_start,shift_end,capacity,skills,absence\n\
         bob,tier1,0,3600,abc,,\n\
         bob,tier2,4000,5000,100,,\n",
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("roster.csv:2:5: capacity: \"abc\" is not a capacity"),
        "{e}"
    );
    assert!(
        e.contains("roster.csv:3:2: queues: agent \"bob\" has other queues on line 2"),
        "{e}"
    );
    // Variant: capacity, skills and absence of a row whose shift is bad.
    let (code, e) = validate(
        "cross2",
        "agent,queues,shift_start,shift_end,capacity,skills,absence\n\
         ann,tier1,0,later,150,es:3,0.2\n\
         ann,tier1,4000,5000,100,es:4,0.1\n",
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("roster.csv:3:5: capacity: agent \"ann\" has capacity 150 on line 2"),
        "{e}"
    );
    assert!(
        e.contains("roster.csv:3:6: skills: agent \"ann\" has other skills on line 2"),
        "{e}"
    );
    assert!(
        e.contains("roster.csv:3:7: absence: agent \"ann\" has absence 0.2 on line 2"),
        "{e}"
    );
}

/// Finding 5: a copy of a winter (+01:00) row appended after summer (+02:00) rows was blamed
/// on daylight saving; it is a duplicated row, naming the earlier line.
#[test]
fn a_duplicated_volume_row_is_not_blamed_on_daylight_saving() {
    let dir = TempDir::new("t11-dup");
    std::fs::write(
        dir.join("h.csv"),
        "interval_start,volume\n\
         2026-02-02T13:00+01:00,100\n\
         2026-02-02T14:00+01:00,100\n\
         2026-04-10T18:00+02:00,107\n\
         2026-04-10T19:00+02:00,112\n\
         2026-02-02T13:00+01:00,100\n",
    )
    .unwrap();
    let o = omnisim(&dir, &["forecast", "h.csv", "--out", "o"]);
    let e = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(!e.contains("daylight"), "{e}");
    assert!(
        e.contains("h.csv:6:1: interval_start: this queue already has an interval starting at 2026-02-02T13:00:00 (line 2): a duplicated row?"),
        "{e}"
    );
    // Variant: the same duplicate with no offsets at all.
    std::fs::write(
        dir.join("h2.csv"),
        "interval_start,volume\n2026-02-02T13:00,100\n2026-04-10T18:00,107\n2026-02-02T13:00,100\n",
    )
    .unwrap();
    let o = omnisim(&dir, &["forecast", "h2.csv", "--out", "o"]);
    let e = text(&o.stderr);
    assert!(!e.contains("daylight"), "{e}");
    assert!(e.contains("(line 2): a duplicated row?"), "{e}");
}

/// Finding 6: a run's own log replayed with the run's horizon has retry contacts past it; the
/// hint said to set `[scenario] start` to the history's first day, which it already was. Now
/// it says to make the horizon longer; a history wholly past the horizon still gets the
/// start hint. Nitpick: `[scenario] start`'s message no longer says "(no time zone)".
#[test]
fn a_history_past_the_horizon_gets_the_hint_that_applies() {
    let dir = TempDir::new("t11-horizon");
    let scenario = |start: &str| {
        format!(
            "[scenario]\nname = \"rp\"\nhorizon = \"1h\"\nstart = \"{start}\"\n\n\
             [[workstreams]]\nname = \"t1\"\nchannel = \"live_chat\"\n\
             handle_time = {{ dist = \"exponential\", mean = \"4m\" }}\n\n\
             [[queues]]\nname = \"tier1\"\nworkstream = \"t1\"\n\n\
             [[agent_groups]]\nname = \"g\"\ncount = 1\nqueues = [\"tier1\"]\n\n\
             [traffic]\nreplay = \"h.csv\"\n"
        )
    };
    std::fs::write(
        dir.join("h.csv"),
        "id,arrival,queue\n1,2026-03-02T07:10,tier1\n2,2026-03-02T08:20,tier1\n",
    )
    .unwrap();
    std::fs::write(dir.join("a.toml"), scenario("2026-03-02T07:00")).unwrap();
    let o = omnisim(&dir, &["validate", "a.toml"]);
    let e = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("make `[scenario] horizon` longer"), "{e}");
    assert!(!e.contains("history's first day"), "{e}");
    // Variant: start a day early, every arrival past the horizon: the start is what is wrong.
    std::fs::write(dir.join("b.toml"), scenario("2026-03-01T07:00")).unwrap();
    let o = omnisim(&dir, &["validate", "b.toml"]);
    let e = text(&o.stderr);
    assert!(
        e.contains("set `[scenario] start` to the history's first day"),
        "{e}"
    );
    assert!(!e.contains("horizon` longer"), "{e}");
    std::fs::write(dir.join("c.toml"), scenario("monday")).unwrap();
    let o = omnisim(&dir, &["validate", "c.toml"]);
    let e = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        !e.contains("no time zone") && e.contains("may follow"),
        "{e}"
    );
}

/// Nitpick: `ann\u{200b}` (a zero-width space) was accepted as a second agent beside `ann`;
/// a name holding an invisible format character is refused like one holding a control
/// character. Variant: a right-to-left mark.
#[test]
fn a_name_with_an_invisible_character_is_refused() {
    let (code, e) = validate(
        "zw",
        "agent,queues,shift_start,shift_end\nann,tier1,0,100\nann\u{200b},tier1,0,100\n\
         bob\u{200f},tier1,0,100\n",
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("roster.csv:3:1: agent: agent name \"ann\\u{200b}\" holds the invisible format character U+200B"),
        "{e}"
    );
    assert!(
        e.contains("roster.csv:4:1: agent:") && e.contains("U+200F"),
        "{e}"
    );
}
