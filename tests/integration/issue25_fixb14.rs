//! Issue 25, fourteenth session (branch `fixb-14`): fresh testers' wrong answers on `fit` /
//! `forecast` backtests. A backtest compared no agent group (`actuals.json` put every agent in
//! the fitted scenario's group `agents`, the run had `agent`); `fit` and `forecast` named a cut
//! last day at different instants; a before-queueing transfer's patience went to the arrival
//! queue without a word.

use crate::procs::{json, run_in, text, TempDir};

fn omnisim(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let o = run_in(dir, args);
    (
        o.status.code().unwrap_or(-1),
        text(&o.stdout),
        text(&o.stderr),
    )
}

/// The tester's `eao.toml` cut to one hour: one group `agent` of 10 on one queue.
const ONE_GROUP: &str = r#"
[scenario]
name = "eao"
horizon = "1h"
start = "2026-03-02T00:00"
seed = 21
replications = 3

[[workstreams]]
name = "chat"
channel = "live_chat"
mode = "push"
capacity_units = 100
handle_time = { dist = "exponential", mean = "100s" }
patience = { dist = "exponential", mean = "120s" }

[[queues]]
name = "support"
workstream = "chat"
arrivals = { rate = "600/h" }

[[agent_groups]]
name = "agent"
count = 10
capacity = 100
queues = ["support"]
"#;

/// Runs `sc` with `--log`, fits its log; returns (summary, actuals, compare's stdout+stderr
/// with `--all`).
fn backtest(d: &TempDir, sc: &str) -> (serde_json::Value, serde_json::Value, String) {
    std::fs::write(d.join("s.toml"), sc).unwrap();
    let (rc, _, err) = omnisim(d, &["run", "s.toml", "--log", "--out", "r", "--quiet"]);
    assert_eq!(rc, 0, "{err}");
    let (rc, _, err) = omnisim(d, &["fit", "r/conversations.csv", "--out", "f", "--quiet"]);
    assert_eq!(rc, 0, "{err}");
    let (_, out, err) = omnisim(d, &["compare", "f/actuals.json", "r/summary.json", "--all"]);
    (
        json(&d.join("r/summary.json")),
        json(&d.join("f/actuals.json")),
        out + &err,
    )
}

/// Each group of the run has the same figures in the actuals of its own log, and `compare`
/// compares them (no `agent_groups.G.conversations` "not comparable").
fn groups_match(run: &serde_json::Value, act: &serde_json::Value, cmp: &str) {
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["agent_groups"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(names(act), names(run), "{}", act["agent_groups"]);
    for g in names(run) {
        let (a, r) = (&act["agent_groups"][&g], &run["agent_groups"][&g]);
        assert_eq!(a["conversations"], r["conversations"], "{g}");
        let (ab, rb) = (a["busy_s"].as_f64().unwrap(), r["busy_s"].as_f64().unwrap());
        assert!(rb > 0.0 && (ab - rb).abs() < 1e-6 * rb, "{g}: {ab} vs {rb}");
        let line = cmp
            .lines()
            .find(|l| l.starts_with(&format!("agent_groups.{g}.conversations ")))
            .unwrap_or_else(|| panic!("no row for {g}: {cmp}"));
        assert!(!line.contains("not comparable"), "{line}");
    }
    assert!(!cmp.contains("agent groups:"), "{cmp}");
}

/// The tester's example: `run --log`, `fit`, `compare actuals.json summary.json --all` read
/// every `agent_groups.agent.*` "not comparable" while actuals.json had `agents.*`. The log
/// now says each agent's group (`agent_group`), actuals.json counts per group under the
/// simulator's names, and fitted.toml names its one group after the history's.
#[test]
fn a_backtest_compares_the_runs_agent_group() {
    let d = TempDir::new("fixb14-one-group");
    let (run, act, cmp) = backtest(&d, ONE_GROUP);
    let log = std::fs::read_to_string(d.join("r/conversations.csv")).unwrap();
    assert!(
        log.starts_with(
            "id,arrival,queue,outcome,wait,handle,wrap_up,patience,agent,agent_group,replication\n"
        ),
        "{}",
        &log[..200]
    );
    groups_match(&run, &act, &cmp);
    let fitted = std::fs::read_to_string(d.join("f/fitted.toml")).unwrap();
    assert!(
        fitted.contains("[[agent_groups]]\nname = \"agent\"\n"),
        "{fitted}"
    );
    // Per replication too (what compare tests on).
    assert_eq!(
        act["by_replication"][1]["agent_groups"]["agent"]["conversations"],
        run["by_replication"][1]["agent_groups"]["agent"]["conversations"]
    );
}

/// Variant: two groups sharing one queue: each group's figures under its own name.
#[test]
fn a_backtest_compares_each_of_several_groups() {
    let d = TempDir::new("fixb14-two-groups");
    let sc = ONE_GROUP.replace(
        "[[agent_groups]]\nname = \"agent\"\ncount = 10\n",
        "[[agent_groups]]\nname = \"day\"\ncount = 4\ncapacity = 100\nqueues = [\"support\"]\n\n\
         [[agent_groups]]\nname = \"night\"\ncount = 6\n",
    );
    let (run, act, cmp) = backtest(&d, &sc);
    assert_eq!(run["agent_groups"].as_object().unwrap().len(), 2);
    groups_match(&run, &act, &cmp);
    // fitted.toml's one group cannot be both: it says so.
    let fitted = std::fs::read_to_string(d.join("f/fitted.toml")).unwrap();
    assert!(
        fitted.contains("The history's 2 agent groups (day, night) are this one group"),
        "{fitted}"
    );
}

/// A history that does not say which group each agent is in (no `agent_group` column, as
/// every log before this change, or a cell missing on some answered row) gets no
/// `agent_groups` at all, and `fit` and `compare` say so (before: all its agents in the
/// invented group `agents`).
#[test]
fn a_history_without_groups_gets_none_and_says_so() {
    let d = TempDir::new("fixb14-no-groups");
    let phrase = "agent groups: the history does not say which group each agent is in";
    let full = "arrival,queue,outcome,wait,handle,agent,agent_group\n\
                2026-03-02T09:00:00,support,answered,0,100,agent-1,agent\n\
                2026-03-02T09:01:00,support,answered,0,100,agent-2,agent\n\
                2026-03-02T09:02:00,support,abandoned,30,,,\n";
    for (name, history) in [
        // No column.
        (
            "none",
            "arrival,queue,outcome,wait,handle,agent\n\
             2026-03-02T09:00:00,support,answered,0,100,agent-1\n\
             2026-03-02T09:01:00,support,answered,0,100,agent-2\n\
             2026-03-02T09:02:00,support,abandoned,30,,\n"
                .to_string(),
        ),
        // The column, but one answered row without its cell.
        ("some", full.replace("agent-2,agent\n", "agent-2,\n")),
    ] {
        std::fs::write(d.join(format!("{name}.csv")), &history).unwrap();
        let out = format!("f-{name}");
        let (rc, _, err) = omnisim(&d, &["fit", &format!("{name}.csv"), "--out", &out]);
        assert_eq!(rc, 0, "{name}: {err}");
        assert!(err.contains(phrase), "{name}: {err}");
        let act = json(&d.join(format!("{out}/actuals.json")));
        assert_eq!(act["agent_groups"], serde_json::json!({}), "{name}");
        assert!(act["notes"].to_string().contains(phrase), "{name}");
        let fit = json(&d.join(format!("{out}/fit.json")));
        assert!(fit["notes"].to_string().contains(phrase), "{name}");
    }
    // compare against a run with groups: said, naming the run's groups.
    std::fs::write(d.join("s.toml"), ONE_GROUP).unwrap();
    let (rc, _, err) = omnisim(&d, &["run", "s.toml", "--out", "r", "--quiet"]);
    assert_eq!(rc, 0, "{err}");
    let (_, _, err) = omnisim(&d, &["compare", "f-none/actuals.json", "r/summary.json"]);
    assert!(
        err.contains(phrase) && err.contains("the run's agent groups (agent) are not compared"),
        "{err}"
    );
}

/// Ten weekdays 08:00–17:00, one arrival every 10 minutes; the last day's export stops after
/// its 12:10 arrival.
fn cut_history() -> String {
    let mut s = String::from("arrival,queue,outcome,wait,handle\n");
    for day in [6, 7, 8, 9, 10, 13, 14, 15, 16, 17] {
        for k in 0..54 {
            let m = 8 * 60 + k * 10;
            if day == 17 && m > 12 * 60 + 10 {
                break;
            }
            s.push_str(&format!(
                "2025-01-{day:02}T{:02}:{:02}:00,q,answered,0,60\n",
                m / 60,
                m % 60
            ));
        }
    }
    s
}

/// The tester's finding: for one history with a last day cut mid-interval, `fit` said it
/// "ends at 12:10" (the last arrival's minute; the tester's case read 00:00) and `forecast`
/// "ends at 12:30" (its last interval's end). Both now name the interval of the day's last
/// traffic, in one wording, and the median day's likewise.
#[test]
fn fit_and_forecast_name_a_cut_last_day_alike() {
    let d = TempDir::new("fixb14-cut-day");
    std::fs::write(d.join("h.csv"), cut_history()).unwrap();
    let said = "the last day, 2025-01-17, has its last traffic in 12:00–12:30 while the median \
                day has its last in 16:30–17:00";
    let (rc, _, fit_err) = omnisim(&d, &["fit", "h.csv", "--out", "f"]);
    assert_eq!(rc, 0, "{fit_err}");
    let (rc, _, fc_err) = omnisim(&d, &["forecast", "h.csv", "--out", "fc"]);
    assert_eq!(rc, 0, "{fc_err}");
    assert!(fit_err.contains(said), "{fit_err}");
    assert!(fc_err.contains(said), "{fc_err}");
    // Variant: at 15-minute intervals both name the 15-minute interval.
    let said15 = "has its last traffic in 12:00–12:15 while the median day has its last in \
                  16:45–17:00";
    let (rc, _, fit_err) = omnisim(&d, &["fit", "h.csv", "--interval", "15m", "--out", "f2"]);
    assert_eq!(rc, 0, "{fit_err}");
    let (rc, _, fc_err) = omnisim(
        &d,
        &["forecast", "h.csv", "--interval", "15m", "--out", "fc2"],
    );
    assert_eq!(rc, 0, "{fc_err}");
    assert!(fit_err.contains(said15), "{fit_err}");
    assert!(fc_err.contains(said15), "{fc_err}");
}

/// A queue that is always closed, its `out_of_hours` rule transferring every arrival before
/// it waits to `back` (patience 30 s there, 1 h in `front`'s work stream).
const BEFORE_QUEUEING: &str = r#"
[scenario]
name = "bq"
horizon = "2h"
seed = 5
replications = 1

[[workstreams]]
name = "slow"
channel = "voice"
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "exponential", mean = "1h" }

[[workstreams]]
name = "fast"
channel = "voice"
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "exponential", mean = "30s" }

[[queues]]
name = "front"
workstream = "slow"
arrivals = { rate = "120/h" }
operating_hours = [{ days = ["sun"], from = "00:00", to = "00:01" }]

[[queues.overflow]]
when = "out_of_hours"
action = "transfer"
queue = "back"

[[queues]]
name = "back"
workstream = "fast"

[[agent_groups]]
name = "g"
count = 1
queues = ["back"]
"#;

/// The tester's finding: `fit` fitted the patience of customers a before-queueing transfer
/// moved (they waited only in `back`, with its 30 s patience) to `front`, saying nothing. The
/// log cannot tell such a move from one while waiting (`wait` is the whole wait, `ended_in`
/// the last queue), so `fit` now says so in its notes (stderr and fit.json).
#[test]
fn a_move_the_log_cannot_place_is_said_in_the_patience_notes() {
    let d = TempDir::new("fixb14-before-queueing");
    std::fs::write(d.join("s.toml"), BEFORE_QUEUEING).unwrap();
    let (rc, _, err) = omnisim(&d, &["run", "s.toml", "--log", "--out", "r", "--quiet"]);
    assert_eq!(rc, 0, "{err}");
    let (rc, _, err) = omnisim(&d, &["fit", "r/conversations.csv", "--out", "f"]);
    assert_eq!(rc, 0, "{err}");
    let said = "does not say whether a move came before the customer waited";
    assert!(
        err.contains(
            "moved to another queue (`ended_in`) are fitted to the patience of the \
                      queue each arrived at"
        ) && err.contains(said),
        "{err}"
    );
    let fit = json(&d.join("f/fit.json"));
    assert!(fit["notes"].to_string().contains(said));
    // What the note warns of: front's patience is back's customers' (about 30 s, not 1 h).
    let mean = fit["queues"]["front"]["patience"]["candidates"]["exponential"]["mean_s"]
        .as_f64()
        .unwrap();
    assert!(mean < 300.0, "{mean}");
}
