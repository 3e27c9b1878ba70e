//! Issue 25, small faults a fresh tester found (fixb, twelfth session), each fixed for its
//! kind: every CSV reader reports every bad cell of a row at once (a bad cell no longer hides
//! a check that runs after the row: the forecast's arrival-rate limit, `fit`'s far dates, a
//! history's `leg`); `--quiet` hides chatter, never a warning; a `[traffic]` file that cannot
//! be read is named at its key, as written and as resolved. (An interrupted command's CSV
//! files marking themselves partial is checked where the signals are sent: signals.rs,
//! signals_long.rs.)

use crate::procs::{run_in, text, TempDir};
use std::path::Path;

fn dir(tag: &str) -> TempDir {
    TempDir::new(&format!("it-fixb12-{tag}"))
}

/// `omnisim ARGS…` in `dir`: exit code and stderr.
fn omnisim(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = run_in(dir, args);
    (o.status.code(), text(&o.stderr))
}

/// One voice queue `q`, five agents, two hours, and `traffic` as its `[traffic]` lines.
fn scenario(traffic: &str) -> String {
    format!(
        r#"[scenario]
name = "s"
horizon = "2h"
seed = 1
replications = 1
service_level = "20s"

[[workstreams]]
name = "calls"
channel = "voice"
capacity_units = 100
handle_time = {{ dist = "exponential", mean = "4m" }}

[[queues]]
name = "q"
workstream = "calls"

[[agent_groups]]
name = "agents"
count = 5
capacity = 100
queues = ["q"]

[traffic]
{traffic}
"#
    )
}

/// The tester's example: a forecast row with a bad `aht` and a volume over the arrival-rate
/// limit reports both (the volume was hidden until the `aht` was fixed). Variant: a bad
/// `interval` cell beside the volume (the rate is then checked over the grid).
#[test]
fn a_forecast_row_reports_its_bad_aht_and_its_volume_over_the_limit() {
    let d = dir("fc");
    std::fs::write(
        d.join("s.toml"),
        scenario(r#"forecast = { file = "f.csv", queue = "q" }"#),
    )
    .unwrap();
    std::fs::write(
        d.join("f.csv"),
        "interval_start,volume,aht\n0,10,3m\n1800,1e12,zz\n3600,10,3m\n5400,10,3m\n",
    )
    .unwrap();
    let (code, err) = omnisim(&d, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("f.csv:3:3: aht: \"zz\" is not a duration"),
        "{err}"
    );
    assert!(
        err.contains("f.csv:3:2: volume: volume 1.000e12 in 30m reaches"),
        "{err}"
    );
    std::fs::write(
        d.join("f.csv"),
        "interval_start,volume,interval\n0,10,30m\n1800,5e9,soon\n3600,10,30m\n5400,10,30m\n",
    )
    .unwrap();
    let (code, err) = omnisim(&d, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("f.csv:3:3: interval: \"soon\""), "{err}");
    assert!(
        err.contains("f.csv:3:2: volume: volume 5.000e9 in 30m"),
        "{err}"
    );
}

/// A replayed history's row with a bad `leg` and a bad `wait`: both reported (the bad leg hid
/// the whole row). Variant: a bad leg beside an unknown queue.
#[test]
fn a_replay_row_reports_its_bad_leg_and_its_other_bad_cells() {
    let d = dir("replay");
    std::fs::write(d.join("s.toml"), scenario(r#"replay = "h.csv""#)).unwrap();
    std::fs::write(
        d.join("h.csv"),
        "id,arrival,queue,outcome,wait,handle,leg\n1,10,q,answered,5,100,1\n\
         2,20,q,answered,zz,100,x\n3,30,nowhere,answered,1,50,0\n",
    )
    .unwrap();
    let (code, err) = omnisim(&d, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    for want in [
        "h.csv:3:5: wait: \"zz\" is not a duration",
        "h.csv:3:7: leg: \"x\" is not a leg number",
        "h.csv:4:3: queue: unknown queue \"nowhere\"",
        "h.csv:4:7: leg: \"0\" is not a leg number",
    ] {
        assert!(err.contains(want), "{want}:\n{err}");
    }
}

/// A history of 400 answered calls over three days from Monday 2025-01-06, as `run --log`
/// writes one (with `replication` and `leg`).
fn history() -> Vec<String> {
    let mut rows =
        vec!["id,arrival,queue,outcome,wait,handle,wrap_up,patience,agent,replication,leg".into()];
    for i in 0..400u32 {
        let t = i * 600;
        rows.push(format!(
            "{},2025-01-{:02}T{:02}:{:02}:00,q,answered,{},{},5,,a{},1,1",
            i + 1,
            6 + t / 86400,
            (t % 86400) / 3600,
            (t % 3600) / 60,
            i % 30,
            60 + i % 300,
            i % 5
        ));
    }
    rows
}

/// Sets cell `col` (0-based) of data row `row` (1-based) of `rows` to `value`.
fn set(rows: &mut [String], row: usize, col: usize, value: &str) {
    let mut cells: Vec<String> = rows[row].split(',').map(str::to_string).collect();
    cells[col] = value.to_string();
    rows[row] = cells.join(",");
}

/// `fit`: a row with a bad `leg` and a bad `wait` reports both; a row with a bad `wait` and a
/// mistyped year reports both (the far-date check ran on whole rows only).
#[test]
fn a_fit_history_row_reports_every_bad_cell_and_its_far_date() {
    let d = dir("fit");
    let mut rows = history();
    set(&mut rows, 11, 10, "x");
    set(&mut rows, 11, 4, "zz");
    set(&mut rows, 21, 4, "qq");
    let far = rows[21].replace(",2025-01-06T", ",2052-01-06T");
    rows[21] = far;
    std::fs::write(d.join("h.csv"), rows.join("\n") + "\n").unwrap();
    let (code, err) = omnisim(&d, &["fit", "h.csv", "--out", "out"]);
    assert_eq!(code, Some(2), "{err}");
    for want in [
        "h.csv:12:5: wait: \"zz\" is not a duration",
        "h.csv:12:11: leg: \"x\" is not a leg number",
        "h.csv:22:2: arrival: 2052-01-06 is ",
        "h.csv:22:5: wait: \"qq\" is not a duration",
    ] {
        assert!(err.contains(want), "{want}:\n{err}");
    }
    assert!(!d.join("out").exists());
}

/// `forecast`: a volume file's row with a bad `interval_start` and a volume over the rate
/// limit reports both; a conversation history's row with a bad `leg` and an empty `queue`
/// reports both.
#[test]
fn a_forecast_history_row_reports_every_bad_cell() {
    let d = dir("fcmd");
    let mut v = vec!["interval_start,queue,volume".to_string()];
    let mut c = vec!["arrival,queue,leg".to_string()];
    for k in 0..48 * 21u32 {
        let (day, min) = (6 + k / 48, (k % 48) * 30);
        let t = format!("2025-01-{day:02}T{:02}:{:02}", min / 60, min % 60);
        v.push(format!("{t},q,100"));
        c.push(format!("{t},q,1"));
    }
    v[10] = "2025-01-0xT04:30,q,5000000".into();
    c[10] = "2025-01-06T04:30,,x".into();
    std::fs::write(d.join("v.csv"), v.join("\n") + "\n").unwrap();
    std::fs::write(d.join("c.csv"), c.join("\n") + "\n").unwrap();
    let (code, err) = omnisim(&d, &["forecast", "v.csv", "--out", "o1"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("v.csv:11:1: interval_start: \"2025-01-0xT04:30\" is not a date-time"),
        "{err}"
    );
    assert!(
        err.contains("v.csv:11:3: volume: volume 5000000 in 30m reaches"),
        "{err}"
    );
    let (code, err) = omnisim(&d, &["forecast", "c.csv", "--out", "o2"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("c.csv:11:2: queue: `queue` is empty"), "{err}");
    assert!(
        err.contains("c.csv:11:3: leg: \"x\" is not a leg number"),
        "{err}"
    );
}

/// The roster reader already reported every bad cell of a row (kept so: two and four bad
/// cells in one row, and a bad row after it).
#[test]
fn a_roster_row_reports_every_bad_cell() {
    let d = dir("roster");
    std::fs::write(d.join("s.toml"), scenario(r#"roster = "r.csv""#)).unwrap();
    std::fs::write(
        d.join("r.csv"),
        "agent,queues,shift_start,shift_end,capacity,skills,absence\n\
         a,q,0,3600,0,x:99,\nb,q,zz,3600,0,x:99,2\nc,nope,0,10,100,,\n",
    )
    .unwrap();
    let (code, err) = omnisim(&d, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    for want in [
        "r.csv:2:5: capacity",
        "r.csv:2:6: skills",
        "r.csv:3:3: shift_start",
        "r.csv:3:5: capacity",
        "r.csv:3:6: skills",
        "r.csv:3:7: absence",
        "r.csv:4:2: queues",
    ] {
        assert!(err.contains(want), "{want}:\n{err}");
    }
}

/// `--quiet` hides the report, not warnings: `run --trace --quiet` still announces a trace
/// of gigabytes, and `run --quiet` and `validate --quiet` still print the scenario's warning
/// (a queue nobody serves).
#[test]
fn quiet_hides_chatter_not_warnings() {
    let d = dir("quiet");
    let big = scenario("")
        .replace("[traffic]\n", "")
        .replace("horizon = \"2h\"", "horizon = \"400d\"")
        .replace(
            "workstream = \"calls\"",
            "workstream = \"calls\"\narrivals = { rate = \"200/h\" }",
        );
    std::fs::write(d.join("big.toml"), big).unwrap();
    // A file where the output folder's parent should be: the run stops after the warning.
    std::fs::write(d.join("plain"), "").unwrap();
    let (code, err) = omnisim(
        &d,
        &["run", "big.toml", "--trace", "--quiet", "--out", "plain/o"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("warning: --trace will write about"), "{err}");
    let unserved = scenario("")
        .replace("[traffic]\n", "")
        .replace("queues = [\"q\"]", "queues = [\"q\"]\n\n[[queues]]\nname = \"lost\"\nworkstream = \"calls\"\narrivals = { rate = \"6/h\" }")
        .replace("name = \"q\"\nworkstream = \"calls\"", "name = \"q\"\nworkstream = \"calls\"\narrivals = { rate = \"60/h\" }");
    std::fs::write(d.join("u.toml"), unserved).unwrap();
    for args in [
        &["validate", "u.toml", "--quiet"][..],
        &["run", "u.toml", "--quiet", "--out", "o"][..],
    ] {
        let o = run_in(&d, args);
        let err = text(&o.stderr);
        assert!(o.status.code().is_some_and(|c| c < 2), "{args:?}: {err}");
        assert!(
            err.contains("warning: u.toml") && err.contains("lost"),
            "{args:?}: {err}"
        );
        assert!(o.stdout.is_empty(), "{args:?}: {}", text(&o.stdout));
    }
}

/// A `[traffic]` file that cannot be read is named at its key, as written and as resolved
/// against the scenario's folder (run from another folder, the tester's example); from the
/// scenario's own folder, the two are the same and it is named once. A flag's file names the
/// flag (`--shifts`, `--variant`).
#[test]
fn a_missing_traffic_file_is_named_at_its_key_as_written_and_resolved() {
    let d = dir("missing");
    std::fs::create_dir_all(d.join("sc/data")).unwrap();
    std::fs::write(
        d.join("sc/s.toml"),
        scenario(r#"forecast = { file = "data/x.csv", queue = "q" }"#),
    )
    .unwrap();
    let (code, err) = omnisim(&d, &["validate", "sc/s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(
            "traffic.forecast.file: cannot read \"data/x.csv\" (resolved against the \
             scenario's folder: sc/data/x.csv): No such file"
        ),
        "{err}"
    );
    std::fs::write(d.join("sc/r.toml"), scenario(r#"roster = "r.csv""#)).unwrap();
    let (code, err) = omnisim(&d.join("sc"), &["validate", "r.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("traffic.roster: cannot read \"r.csv\": No such file"),
        "{err}"
    );
    std::fs::write(
        d.join("sc/data/x.csv"),
        "interval_start,volume\n0,10\n1800,10\n",
    )
    .unwrap();
    let (code, err) = omnisim(
        &d,
        &[
            "staff",
            "sc/s.toml",
            "--target",
            "service_level.fraction>=0.8",
            "--shifts",
            "nope.toml",
            "--out",
            "o",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("nope.toml (--shifts) is not a valid shift templates file"),
        "{err}"
    );
    let (code, err) = omnisim(&d, &["ab", "sc/s.toml", "--variant", "nope.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("error: nope.toml (--variant) is not a valid scenario:"),
        "{err}"
    );
}
