//! Issue 25, eleventh fresh tester (branch `fixy-9`): a `sweep --target` whose bisection steps
//! read a roster edited after the grid read it (one answer from two inputs), `ab` of one pair
//! saying "No significant change" (`"significant": false`) when nothing could be tested, a
//! small difference printed as 0, and `ab` of two different replayed histories without a
//! note that the pairs no longer see the same customers.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use omnisim::workflows::ab::{self, AbMetric, AbReport};
use omnisim::workflows::{grid, sweep, target};

use crate::procs::{json, run_in as omnisim, temp_dir, text};

/// One queue `a` with traffic, a queue `b` without, `count` agents on `a`; `traffic` is the
/// `[traffic]` table's body (may be empty).
fn scenario(name: &str, count: u32, arrivals: bool, traffic: &str) -> String {
    let rate = if arrivals {
        "arrivals = { rate = \"60/h\" }"
    } else {
        ""
    };
    let mut s = format!(
        "[scenario]\nname = \"{name}\"\nhorizon = \"1h\"\nreplications = 2\nseed = 3\n\n\
         [[workstreams]]\nname = \"w\"\nchannel = \"live_chat\"\nhandle_time = \"5m\"\n\n\
         [[queues]]\nname = \"a\"\nworkstream = \"w\"\n{rate}\n\n\
         [[queues]]\nname = \"b\"\nworkstream = \"w\"\n\n\
         [[agent_groups]]\nname = \"ag\"\ncount = {count}\nqueues = [\"a\"]\n"
    );
    if !traffic.is_empty() {
        let _ = write!(s, "\n[traffic]\n{traffic}\n");
    }
    s
}

fn write(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// A roster of `rows` agents on queue `b` (where nothing arrives).
fn roster(rows: usize) -> String {
    let mut csv = String::from("agent,queues,shift_start,shift_end\n");
    for i in 0..rows {
        let _ = writeln!(csv, "r{i},b,0,3600");
    }
    csv
}

fn sweep_spec(dir: &Path) -> sweep::SweepSpec {
    let origin = dir.join("s.toml");
    sweep::SweepSpec {
        text: std::fs::read_to_string(&origin).expect("s.toml"),
        origin: origin.display().to_string(),
        axes: vec![grid::parse("agent_groups.ag.count=1..9:8").expect("axis")],
        target: Some(target::parse("service_level.fraction>=0.8").expect("target")),
        seed: None,
        replications: Some(1),
        allow_huge: false,
        pins: Default::default(),
    }
}

/// Finding 1: the roster is edited after the grid read it; the bisection steps read the new
/// one. The sweep is refused, naming the file, instead of an answer "found by bisection" from
/// two rosters. Since the twelfth tester's pass the refusal keeps the grid (partial, no
/// answer, the message in `refused`; the command exits 2 once it has written them).
#[test]
fn a_sweep_refuses_a_roster_edited_between_the_grid_and_its_search() {
    let dir = temp_dir("tester11-sweep-edit");
    write(
        &dir,
        "s.toml",
        &scenario("s", 1, true, "roster = \"roster.csv\""),
    );
    write(&dir, "roster.csv", &roster(3));
    let spec = sweep_spec(&dir);
    let grid = sweep::prepare(&spec).expect("grid");
    // Another length: the edit shows in the file's stamp whatever the clock's resolution.
    write(&dir, "roster.csv", &roster(40));
    match sweep::run_prepared(&spec, grid, None) {
        Ok(r) => {
            assert_eq!(r.answer, None, "answered from two rosters");
            assert!(r.partial);
            let m = r.refused.expect("refused");
            assert!(m.contains("traffic.roster = roster.csv changed"), "{m}");
        }
        Err(e) => panic!("another error: {e}"),
    }
}

/// Finding 1, own variant: an unchanged roster still gives the bisection's answer, and a
/// sweep with no file at all is untouched.
#[test]
fn a_sweep_with_unchanged_inputs_still_bisects() {
    let dir = temp_dir("tester11-sweep-same");
    write(
        &dir,
        "s.toml",
        &scenario("s", 1, true, "roster = \"roster.csv\""),
    );
    write(&dir, "roster.csv", &roster(3));
    let r = sweep::run(&sweep_spec(&dir)).expect("sweep");
    let a = r.answer.expect("an answer");
    assert_eq!(a.method, sweep::Method::Bisection);
    assert!(r.points.iter().any(|p| p.refined), "bisection steps ran");
    write(&dir, "s.toml", &scenario("s", 1, true, ""));
    let r = sweep::run(&sweep_spec(&dir)).expect("sweep without files");
    assert_eq!(r.answer.expect("answer").method, sweep::Method::Bisection);
}

/// Finding 3: one pair cannot be tested. The text says untested (not "No significant
/// change") and every metric's `significant` is null in `ab.json`.
#[test]
fn ab_of_one_pair_says_untested() {
    let dir = temp_dir("tester11-ab-one");
    write(&dir, "base.toml", &scenario("base", 1, true, ""));
    write(&dir, "var.toml", &scenario("var", 3, true, ""));
    let o = omnisim(
        &dir,
        &[
            "ab",
            "base.toml",
            "--variant",
            "var.toml",
            "--replications",
            "1",
            "--out",
            "ab",
        ],
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    assert!(out.contains("Untested: 1 replication paired"), "{out}");
    assert!(!out.contains("No significant change"), "{out}");
    let j = json(&dir.join("ab/ab.json"));
    let metrics = j["metrics"].as_object().expect("metrics");
    assert!(!metrics.is_empty());
    for (k, m) in metrics {
        assert!(m["significant"].is_null(), "{k}: {m}");
        assert!(m["p_value"].is_null(), "{k}: {m}");
    }
    let html = std::fs::read_to_string(dir.join("ab/ab.html")).expect("ab.html");
    assert!(html.contains("<h2>Untested</h2>"), "{html}");
}

/// Finding 3, own variant: two pairs are tested as before (`significant` true or false,
/// never null where there is a p-value; no "Untested" line).
#[test]
fn ab_of_two_pairs_is_tested() {
    let dir = temp_dir("tester11-ab-two");
    write(&dir, "base.toml", &scenario("base", 1, true, ""));
    write(&dir, "var.toml", &scenario("var", 3, true, ""));
    let o = omnisim(
        &dir,
        &["ab", "base.toml", "--variant", "var.toml", "--out", "ab"],
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    assert!(!out.contains("Untested"), "{out}");
    let j = json(&dir.join("ab/ab.json"));
    for (k, m) in j["metrics"].as_object().expect("metrics") {
        assert_eq!(
            m["significant"].is_boolean(),
            !m["p_value"].is_null(),
            "{k}: {m}"
        );
    }
}

/// Finding 3 (digits): a difference the table's 4 decimals show as 0 gets its own digits.
#[test]
fn ab_prints_a_small_difference_with_its_digits() {
    assert_eq!(ab::fine(0.000017), "+0.000017");
    assert_eq!(ab::fine(-0.00003), "-0.000030");
    assert_eq!(ab::fine(0.0019), "+0.0019");
    assert_eq!(ab::fine(0.0), "0");
    let m = AbMetric {
        base: Some(0.013849),
        variant: Some(0.013866),
        diff: Some(0.000017),
        ci95: Some([0.000002, 0.000032]),
        pairs: 3,
        p_value: Some(0.04),
        p_holm: Some(0.08),
        significant: Some(false),
    };
    let r = AbReport {
        format: ab::FORMAT.into(),
        scenario: "a".into(),
        variant: "b".into(),
        replications: 3,
        seed: 5,
        metrics: BTreeMap::from([("abandonment_rate".to_string(), m)]),
        partial: false,
    };
    let t = ab::render_text(&r);
    let row = t
        .lines()
        .find(|l| l.starts_with("abandonment_rate"))
        .expect("row");
    assert!(row.contains("+0.000017"), "{t}");
    assert!(row.contains("[+0.0000020, +0.000032]"), "{t}");
}

/// Writes a conversation log of `seed` into `dir/NAME.csv` (from `run --log`).
fn log(dir: &Path, seed: u64, name: &str) {
    let src = scenario("src", 2, true, "").replace("seed = 3", &format!("seed = {seed}"));
    write(dir, "src.toml", &src);
    let o = omnisim(
        dir,
        &["run", "src.toml", "--out", "src", "--log", "--quiet"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    std::fs::copy(dir.join("src/conversations.csv"), dir.join(name)).expect("copy log");
}

/// Finding 4: base and variant replay different histories: `ab` notes that the pairs do not
/// see the same customers.
#[test]
fn ab_notes_different_replayed_histories() {
    let dir = temp_dir("tester11-ab-replay");
    log(&dir, 1, "h1.csv");
    log(&dir, 2, "h2.csv");
    write(
        &dir,
        "base.toml",
        &scenario("base", 2, false, "replay = \"h1.csv\""),
    );
    write(
        &dir,
        "var.toml",
        &scenario("var", 2, false, "replay = \"h2.csv\""),
    );
    let o = omnisim(
        &dir,
        &["ab", "base.toml", "--variant", "var.toml", "--out", "ab"],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("base.toml replays h1.csv but var.toml replays h2.csv")
            && err.contains("do not see the same customers"),
        "{err}"
    );
}

/// Finding 4, own variant: the same history under two names (a byte-identical copy) gives no
/// note.
#[test]
fn ab_of_the_same_history_twice_gives_no_note() {
    let dir = temp_dir("tester11-ab-replay-same");
    log(&dir, 1, "h1.csv");
    std::fs::copy(dir.join("h1.csv"), dir.join("copy.csv")).expect("copy");
    write(
        &dir,
        "base.toml",
        &scenario("base", 2, false, "replay = \"h1.csv\""),
    );
    write(
        &dir,
        "var.toml",
        &scenario("var", 3, false, "replay = \"copy.csv\""),
    );
    let o = omnisim(
        &dir,
        &["ab", "base.toml", "--variant", "var.toml", "--out", "ab"],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("same customers"), "{err}");
}
