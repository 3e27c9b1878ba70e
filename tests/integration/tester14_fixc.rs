//! Issue 25 leftovers (fixc-11): roster and agent messages a fresh tester flagged. A break
//! outside its shift (overnight or day, before, after, straddling either end, in clock times
//! or seconds) says so with the break's and the shift's times, never "must end after it
//! starts"; a shift ending before it starts names both cells; what a scenario error keeps the
//! roster reader from checking is said; `explain --agent` lists every name differing only in
//! case, then the nearest; an agent absent all day is told so, without an "available →
//! offline" change; a replay of a replay's own log (retry contacts whose original the replay
//! answered) gives no warning.

use std::path::Path;

use crate::procs::{code_and_stderr, run_in, temp_dir, text};

/// A scenario from t = 0 = 2026-03-02T00:00 over two days, roster `r.csv`; `extra` goes into
/// `[scenario]`.
fn scenario(extra: &str) -> String {
    format!(
        r#"[scenario]
name = "fixc"
horizon = "48h"
start = "2026-03-02T00:00"
seed = 1
{extra}

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = {{ dist = "constant", value = "1m" }}
patience = {{ dist = "constant", value = "10m" }}

[[queues]]
name = "retail"
workstream = "chat"
arrivals = {{ rate = "10/h" }}

[traffic]
roster = "r.csv"
"#
    )
}

/// `validate` of `toml` beside roster `csv` in a fresh folder `tag`: exit code and stderr.
fn validate(tag: &str, toml: &str, csv: &str) -> (Option<i32>, String) {
    let d = temp_dir(tag);
    std::fs::write(d.join("s.toml"), toml).unwrap();
    std::fs::write(d.join("r.csv"), csv).unwrap();
    code_and_stderr(&d, &["validate", "s.toml"])
}

/// Every break/shift combination, overnight and day shifts, clock times and seconds: each
/// break outside its shift is "not inside its shift" with both spans and the side it falls
/// on, at the row's `breaks` cell, all at once. Before the fix a break straddling the shift's
/// start (or written before it) was "must end after it starts".
#[test]
fn breaks_outside_their_shift_say_where_whatever_the_shift() {
    let night = "(2026-03-02T22:00 to 2026-03-03T06:00)";
    let day = "(2026-03-03T08:00 to 2026-03-03T16:00)";
    let (code, e) = validate(
        "fixc-breaks",
        &scenario(""),
        "agent,queues,shift_start,shift_end,breaks\n\
         ann,retail,2026-03-02T22:00,2026-03-03T06:00,21:30-22:15\n\
         bob,retail,2026-03-02T22:00,2026-03-03T06:00,20:00-21:00;07:00-07:30;05:45-06:15;01:00-01:30;01:15-01:45\n\
         cat,retail,2026-03-03T08:00,2026-03-03T16:00,07:30-08:15;06:00-07:00;17:00-17:30;15:45-16:15;12:00-11:00\n\
         dan,retail,2026-03-02T22:00,2026-03-03T06:00,23:30-00:15;01:30-01:45\n\
         eve,retail,2026-03-03T08:00,2026-03-03T07:00,\n",
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(!e.contains("21:30-22:15\" must end"), "{e}");
    assert!(!e.contains("07:30-08:15\" must end"), "{e}");
    for want in [
        format!(
            "r.csv:2:5: breaks: break \"21:30-22:15\" (2026-03-02T21:30:00 to \
             2026-03-02T22:15:00) is not inside its shift {night}: it starts before the shift does"
        ),
        format!(
            "r.csv:3:5: breaks: break \"20:00-21:00\" (2026-03-02T20:00:00 to \
             2026-03-02T21:00:00) is not inside its shift {night}: it ends before the shift starts"
        ),
        format!(
            "break \"07:00-07:30\" (2026-03-03T07:00:00 to 2026-03-03T07:30:00) is not inside \
             its shift {night}: it starts after the shift ends"
        ),
        format!(
            "break \"05:45-06:15\" (2026-03-03T05:45:00 to 2026-03-03T06:15:00) is not inside \
             its shift {night}: it ends after the shift does"
        ),
        "breaks \"01:00-01:30\" and \"01:15-01:45\" overlap".to_string(),
        format!(
            "r.csv:4:5: breaks: break \"07:30-08:15\" (2026-03-03T07:30:00 to \
             2026-03-03T08:15:00) is not inside its shift {day}: it starts before the shift does"
        ),
        format!(
            "break \"06:00-07:00\" (2026-03-03T06:00:00 to 2026-03-03T07:00:00) is not inside \
             its shift {day}: it ends before the shift starts"
        ),
        format!(
            "break \"17:00-17:30\" (2026-03-03T17:00:00 to 2026-03-03T17:30:00) is not inside \
             its shift {day}: it starts after the shift ends"
        ),
        format!(
            "break \"15:45-16:15\" (2026-03-03T15:45:00 to 2026-03-03T16:15:00) is not inside \
             its shift {day}: it ends after the shift does"
        ),
        format!(
            "break \"12:00-11:00\" (2026-03-03T12:00:00 to 2026-03-04T11:00:00) is not inside \
             its shift {day}: it ends after the shift does; its end is earlier in the day than \
             its start, so it is read on the next day"
        ),
        "r.csv:6:4: shift_end: the shift must end after it starts (shift_start \
         \"2026-03-03T08:00\", shift_end \"2026-03-03T07:00\")"
            .to_string(),
    ] {
        assert!(e.contains(&want), "missing {want:?} in\n{e}");
    }
    // dan's night breaks (one crossing midnight) are inside.
    assert!(!e.contains("r.csv:5:"), "{e}");
    // The same in seconds since t = 0.
    let (code, e) = validate(
        "fixc-seconds",
        &scenario(""),
        "agent,queues,shift_start,shift_end,breaks\n\
         dan,retail,3600,7200,3000-3700;7000-7300;100-200;8000-9000;5000-4000\n",
    );
    assert_eq!(code, Some(2), "{e}");
    for want in [
        "r.csv:2:5: breaks: break \"3000-3700\" (2026-03-02T00:50:00 to 2026-03-02T01:01:40) \
         is not inside its shift (3600 to 7200): it starts before the shift does"
            .to_string(),
        "break \"7000-7300\" (2026-03-02T01:56:40 to 2026-03-02T02:01:40) is not inside its \
         shift (3600 to 7200): it ends after the shift does"
            .to_string(),
        "break \"100-200\" (2026-03-02T00:01:40 to 2026-03-02T00:03:20) is not inside its \
         shift (3600 to 7200): it ends before the shift starts"
            .to_string(),
        "break \"8000-9000\" (2026-03-02T02:13:20 to 2026-03-02T02:30:00) is not inside its \
         shift (3600 to 7200): it starts after the shift ends"
            .to_string(),
        "break \"5000-4000\" must end after it starts (2026-03-02T01:23:20 to \
         2026-03-02T01:06:40)"
            .to_string(),
    ] {
        assert!(e.contains(&want), "missing {want:?} in\n{e}");
    }
    // Touching the shift only at its start or its end is outside it, and said so (a
    // twenty-second fresh tester: a break starting as the shift ends "starts after" it).
    let (code, e) = validate(
        "fixc-edges",
        &scenario(""),
        "agent,queues,shift_start,shift_end,breaks\n\
         eve,retail,3600,7200,7200-7500;3000-3600;3500-3600\n",
    );
    assert_eq!(code, Some(2), "{e}");
    for (part, side) in [
        ("7200-7500", "it starts when the shift ends"),
        ("3000-3600", "it ends when the shift starts"),
        ("3500-3600", "it ends when the shift starts"),
    ] {
        let want = format!("break \"{part}\" (");
        let line = e
            .lines()
            .flat_map(|l| l.split("; "))
            .find(|l| l.contains(&want))
            .unwrap_or_else(|| panic!("missing {part} in\n{e}"));
        assert!(line.ends_with(side), "{part}: {line}");
    }
}

/// A bad key of the scenario and bad roster rows: one list, exit 2 (both orders of sections).
/// What a scenario error keeps the roster reader from checking is said: a TOML syntax error
/// (nothing of `[traffic]` is read), an unusable `[scenario] start` (the roster's date-times).
/// Before the fix both were silent.
#[test]
fn scenario_and_roster_problems_come_together_or_say_why_not() {
    let bad_row = "agent,queues,shift_start,shift_end,breaks\n\
                   ann,retail,2026-03-02T22:00,2026-03-03T06:00,21:30-22:15\n\
                   bob,retial,3600,7200,\n";
    let toml = scenario("bogus_key = 3").replace(
        "workstream = \"chat\"\n",
        "workstream = \"chat\"\nbogus_queue_key = 1\n",
    );
    let (code, e) = validate("fixc-together", &toml, bad_row);
    assert_eq!(code, Some(2), "{e}");
    for want in [
        "s.toml:6:1: scenario.bogus_key: unknown key",
        "queues[0].bogus_queue_key: unknown key",
        "r.csv:2:5: breaks: break \"21:30-22:15\"",
        "r.csv:3:2: queues: unknown queue \"retial\"",
    ] {
        assert!(e.contains(want), "missing {want:?} in\n{e}");
    }
    // A syntax error: the roster cannot be read, and the message says so.
    let (code, e) = validate("fixc-syntax", &scenario("bogus key = 3"), bad_row);
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("TOML syntax error"), "{e}");
    assert!(
        e.contains("the [traffic] files (roster, forecast, replay) are not read until the scenario file parses"),
        "{e}"
    );
    // An unusable start: the roster's seconds are still checked, its date-times said unchecked.
    let (code, e) = validate(
        "fixc-start",
        &scenario("").replace("2026-03-02T00:00", "2026-03-02X00:00"),
        bad_row,
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("scenario.start:"), "{e}");
    assert!(
        e.contains(
            "r.csv:2:3: shift_start: \"2026-03-02T22:00\" and the roster's other date-times are \
             not checked: `[scenario] start` is unusable"
        ),
        "{e}"
    );
    assert!(
        e.contains("r.csv:3:2: queues: unknown queue \"retial\""),
        "{e}"
    );
}

/// `run` of `toml` with roster `csv` in `d` with `--trace --log` into `d/out`.
fn traced(d: &Path, toml: &str, csv: &str) {
    std::fs::write(d.join("s.toml"), toml).unwrap();
    std::fs::write(d.join("r.csv"), csv).unwrap();
    let o = run_in(
        d,
        &[
            "run",
            "s.toml",
            "--replications",
            "1",
            "--quiet",
            "--trace",
            "--log",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

/// `explain --agent ANN` with agents `ann`, `Ann` and `Anne`: both case matches, then the
/// nearest. Before the fix only one of `ann`/`Ann` was suggested. An agent absent all day is
/// told so, with no "available → offline" at 0:00, and agents.csv agrees (no conversation).
#[test]
fn explain_agent_names_every_case_match_and_absent_agents_plainly() {
    let d = temp_dir("fixc-explain");
    traced(
        &d,
        &scenario("").replace("48h", "4h"),
        "agent,queues,shift_start,shift_end,absence\n\
         ann,retail,0,14400,0\n\
         Ann,retail,0,14400,0\n\
         Anne,retail,0,14400,0\n\
         zed,retail,0,14400,1\n",
    );
    let (code, e) = code_and_stderr(&d, &["explain", "out", "--agent", "ANN"]);
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("did you mean \"Ann\" or \"ann\" (other case), or \"Anne\"?"),
        "{e}"
    );
    let o = run_in(&d, &["explain", "out", "--agent", "zed"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let story = text(&o.stdout);
    assert!(story.contains("absent all day (absence = 1"), "{story}");
    assert!(story.contains("never available"), "{story}");
    assert!(!story.contains("available → offline"), "{story}");
    let agents = std::fs::read_to_string(d.join("out/agents.csv")).unwrap();
    assert!(
        agents.lines().any(|l| l.starts_with("zed,0,0,")),
        "{agents}"
    );
}

/// The tester11 combination: retrials, end-of-handling transfers, a supervisor moving waiting
/// contacts, a roster; `arrivals` and `[traffic] replay` as given.
fn combo(arrivals: &str, replay: &str, horizon: &str) -> String {
    format!(
        r#"[scenario]
name = "combo"
horizon = "{horizon}"
seed = 5
replications = 1
service_level = "30s"
start = "2026-03-02T07:00"

[[workstreams]]
name = "t1"
channel = "live_chat"
capacity_units = 100
handle_time = {{ dist = "exponential", mean = "4m" }}
wrap_up_time = {{ dist = "constant", value = "10s" }}
patience = {{ dist = "exponential", mean = "2m" }}
retrial = {{ probability = 0.5, delay = {{ dist = "exponential", mean = "5m" }} }}
transfer = {{ probability = 0.3, queue = "tier2" }}

[[workstreams]]
name = "t2"
channel = "live_chat"
capacity_units = 100
handle_time = {{ dist = "exponential", mean = "6m" }}
patience = {{ dist = "exponential", mean = "3m" }}

[[queues]]
name = "tier1"
workstream = "t1"
{arrivals}

[[queues]]
name = "tier2"
workstream = "t2"

[traffic]
roster = "r.csv"
{replay}

[[supervisors]]
name = "lead"
queues = ["tier1", "tier2"]
reaction = "5s"

[[supervisors.policies]]
name = "move"
every = "30s"
when = {{ state = "open", waited_at_least = "40s" }}
action = {{ assign_to = "agent", pick = "most_free_capacity" }}
"#
    )
}

/// A run's log replayed with `--log`, and that replay's log replayed and fitted: no warning
/// that a `retrial_of` names an answered contact (the replay answered some contacts its
/// history had abandoned; their retry contacts keep the history's link), each retry contact
/// a retrial all the same. A hand-written row naming an answered contact still warns.
#[test]
fn a_replay_of_a_replays_log_does_not_warn_of_its_retry_contacts() {
    let d = temp_dir("fixc-replay");
    let roster = "agent,queues,shift_start,shift_end,capacity,breaks\n\
                  ann,tier1,0,10800,100,3600-4500\n\
                  bob,tier1;tier2,0,10800,200,\n\
                  cid,tier2,0,5400,100,\n\
                  cid,tier2,5400,10800,100,\n\
                  dan,tier1,1800,9000,100,\n";
    std::fs::write(d.join("r.csv"), roster).unwrap();
    let files = [
        (
            "run.toml",
            combo("arrivals = { rate = \"60/h\" }", "", "3h"),
        ),
        (
            "rp1.toml",
            combo("", "replay = \"run/conversations.csv\"", "4h"),
        ),
        (
            "rp2.toml",
            combo("", "replay = \"rp1/conversations.csv\"", "5h"),
        ),
    ];
    for (name, body) in &files {
        std::fs::write(d.join(name), body).unwrap();
    }
    for (toml, out) in [
        ("run.toml", "run"),
        ("rp1.toml", "rp1"),
        ("rp2.toml", "rp2"),
    ] {
        let o = run_in(&d, &["run", toml, "--log", "--out", out]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(
            !err.contains("names a contact that was answered"),
            "{toml}: {err}"
        );
    }
    // The replay's log has such rows (else the check above proves nothing).
    let log = std::fs::read_to_string(d.join("rp1/conversations.csv")).unwrap();
    let rows: Vec<Vec<&str>> = log
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let answered = |id: &str| rows.iter().any(|r| r[0] == id && r[3] == "answered");
    let linked = rows
        .iter()
        .filter(|r| !r[12].is_empty() && answered(r[12]))
        .count();
    assert!(linked > 0, "no retry contact of an answered row in\n{log}");
    // Replayed as retrials: the second replay counts as many as the first.
    let retrials = |out: &str| {
        crate::procs::json(&d.join(out).join("summary.json"))["conversations"]["retrials"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(retrials("rp2"), retrials("rp1"));
    let o = run_in(&d, &["fit", "rp1/conversations.csv", "--out", "fit"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        !text(&o.stderr).contains("names a contact that was answered"),
        "{}",
        text(&o.stderr)
    );
    // Hand-written: a retry of a contact answered before its patience ran out still warns.
    std::fs::write(
        d.join("h.csv"),
        "id,arrival,queue,outcome,wait,handle,patience,retrial_of\n\
         1,60,tier1,answered,5,30,100,\n\
         2,120,tier1,answered,0,30,100,1\n",
    )
    .unwrap();
    std::fs::write(d.join("hw.toml"), combo("", "replay = \"h.csv\"", "1h")).unwrap();
    let (code, e) = code_and_stderr(&d, &["validate", "hw.toml"]);
    assert_eq!(code, Some(0), "{e}");
    assert!(
        e.contains("retrial_of \"1\" names a contact that was answered at line 2"),
        "{e}"
    );
}

/// Two rows of one agent that disagree, or whose shifts overlap: each message names both
/// values (the other line's and this row's), at this row's cell. Before, queues and skills
/// named only the other line, capacity and absence only its value, an overlap no times.
#[test]
fn conflicting_roster_rows_name_both_values() {
    let toml = scenario("") + "\n[[queues]]\nname = \"billing\"\nworkstream = \"chat\"\n";
    let (code, e) = validate(
        "fixc-conflicts",
        &toml,
        "agent,queues,shift_start,shift_end,capacity,skills,absence\n\
         ann,retail,0,3600,100,a:1,0\n\
         ann,retail;billing,1800,7200,200,a:2,0.5\n",
    );
    assert_eq!(code, Some(2), "{e}");
    for want in [
        "r.csv:3:2: queues: agent \"ann\" has other queues on line 2 (\"retail\" there, \
         \"retail;billing\" here)",
        "r.csv:3:5: capacity: agent \"ann\" has capacity 100 on line 2, 200 on this row",
        "r.csv:3:6: skills: agent \"ann\" has other skills on line 2 (\"a:1\" there, \"a:2\" \
         here)",
        "r.csv:3:7: absence: agent \"ann\" has absence 0 on line 2, 0.5 on this row; an agent's",
        "r.csv:3:3: shift_start: this shift overlaps another shift of agent \"ann\" (line 2): \
         2026-03-02T00:30:00 to 2026-03-02T02:00:00 here, 2026-03-02T00:00:00 to \
         2026-03-02T01:00:00 there",
    ] {
        assert!(e.contains(want), "missing {want:?} in\n{e}");
    }
}
