//! Issue 13 in the simulator: conversations' attributes in `conversations.csv` and in replays
//! (a replayed history's attribute columns route the conversation), and prioritization against
//! its exact oracle (Cobham's non-preemptive priority M/M/c).

use std::path::Path;

use omnisim::report::log as convlog;
use omnisim::scenario::load_file;
use omnisim::sim::{self, RunOptions};

use crate::traffic::{load, temp_dir, write};

/// A small bilingual center: Spanish conversations need Spanish 3 (exact), two English-only and
/// one bilingual agent. `ES` is the Spanish weight, `TRAFFIC` the queue's arrivals or a replay.
const BILINGUAL: &str = r#"
[scenario]
name = "bilingual"
horizon = "4h"
seed = 3
replications = 2
TRAFFIC_SECTION

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "exponential", mean = "6m" }
patience = { dist = "exponential", mean = "10m" }
attributes = { language = { en = EN, es = ES } }

[[workstreams.classification]]
when = { language = "es" }
require = { spanish = 3 }

[[queues]]
name = "support"
workstream = "chat"
ARRIVALS

[[agent_groups]]
name = "english"
count = 2
capacity = 100
queues = ["support"]

[[agent_groups]]
name = "bilingual"
count = 1
capacity = 100
queues = ["support"]
skills = { spanish = 5 }
"#;

fn bilingual(es: f64, arrivals: bool, traffic: &str) -> String {
    BILINGUAL
        .replace("EN", &format!("{}", 1.0 - es))
        .replace("ES", &format!("{es}"))
        .replace(
            "ARRIVALS",
            if arrivals {
                "arrivals = { rate = \"25/h\" }"
            } else {
                ""
            },
        )
        .replace("TRAFFIC_SECTION", traffic)
}

#[test]
fn a_log_carries_attributes_and_its_replay_routes_by_them() {
    let dir = temp_dir("attrs");
    let sc = load(&write(&dir, "base.toml", &bilingual(0.3, true, "")));
    let (_, logs) = sim::run_logged(&sc, &RunOptions::default(), &|_, _, _| {});
    let first = String::from_utf8(convlog::render(&sc, &logs).unwrap()).unwrap();
    let header = first.lines().next().unwrap();
    assert!(header.ends_with(",replication,language"), "{header}");
    // Spanish conversations are only ever answered by the bilingual agent.
    let mut spanish = 0;
    for line in first.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[11] == "es" {
            spanish += 1;
            if f[3] == "answered" {
                assert_eq!(f[8], "bilingual-1", "{line}");
            }
        }
    }
    assert!(spanish > 20, "{spanish}");
    std::fs::write(dir.join("conversations.csv"), &first).unwrap();
    // Replayed with a scenario whose draw would make nearly everyone Spanish: the history's
    // `language` column decides, so every row comes out the same.
    let traffic = "[traffic]\nreplay = \"conversations.csv\"";
    let rsc = load(&write(
        &dir,
        "replay.toml",
        &bilingual(0.95, false, traffic),
    ));
    let (_, rlogs) = sim::run_logged(&rsc, &RunOptions::default(), &|_, _, _| {});
    let second = String::from_utf8(convlog::render(&rsc, &rlogs).unwrap()).unwrap();
    assert_eq!(first.lines().count(), second.lines().count());
    for (i, (x, y)) in first.lines().zip(second.lines()).enumerate() {
        assert_eq!(x, y, "line {}", i + 1);
    }
}

#[test]
fn a_replayed_value_the_attribute_does_not_list_is_bad_input() {
    let dir = temp_dir("badattr");
    // Line 3: "fr" (no suggestion), line 4: "EN" (case), line 5 empty (draws), line 6 a bad
    // arrival reported in the same pass.
    std::fs::write(
        dir.join("h.csv"),
        "id,arrival,queue,language\n1,10,support,es\n2,20,support,fr\n3,25,support,EN\n\
         4,30,support,\n5,soon,support,esp\n",
    )
    .unwrap();
    let traffic = "[traffic]\nreplay = \"h.csv\"";
    let e = load_file(&write(&dir, "s.toml", &bilingual(0.3, false, traffic)))
        .unwrap_err()
        .to_string();
    let f = dir.join("h.csv").display().to_string();
    for want in [
        format!(
            "{f}:3:4: language: \"fr\" is not a value of the attribute `language` of work \
             stream \"chat\" (queue \"support\"); expected one of \"en\", \"es\" or an empty cell\n"
        ),
        format!("{f}:4:4: language: \"EN\" is not a value"),
        "or an empty cell (did you mean \"en\"?)".to_string(),
        format!("{f}:6:2: arrival: \"soon\" is not a time"),
        format!("{f}:6:4: language: \"esp\" is not a value"),
        "(did you mean \"es\"?)".to_string(),
    ] {
        assert!(e.contains(&want), "missing {want:?} in\n{e}");
    }
    assert!(!e.contains(&format!("{f}:5:")), "an empty cell draws: {e}");
}

/// A column one letter off an attribute name is kept as an unknown extra column, so the value
/// would be drawn at random: a warning names the file, the column and the attribute meant; a
/// column far from every name is allowed silently (contract: extra columns are allowed). One
/// a letter off a history column (`wrapup`) is refused at line 1 and its column (issue 25,
/// fifth pass: a mistyped column of a fixed set is an error in every CSV reader).
#[test]
fn a_misspelled_attribute_column_is_a_warning() {
    let dir = temp_dir("colwarn");
    std::fs::write(
        dir.join("h.csv"),
        "id,arrival,queue,langauge,customer_segment\n1,10,support,es,gold\n",
    )
    .unwrap();
    let traffic = "[traffic]\nreplay = \"h.csv\"";
    let sc = load(&write(&dir, "s.toml", &bilingual(0.3, false, traffic)));
    let f = dir.join("h.csv").display().to_string();
    let w: Vec<String> = sc.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(&format!(
            "{f}:1:4: langauge: column `langauge` is not an attribute of any work stream; did \
             you mean `language`?"
        )),
        "{w:?}"
    );
    std::fs::write(
        dir.join("h.csv"),
        "id,arrival,queue,langauge,wrapup,customer_segment\n1,10,support,es,5,gold\n",
    )
    .unwrap();
    let e = omnisim::scenario::load_file(&write(&dir, "s.toml", &bilingual(0.3, false, traffic)))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!(
            "{f}:1:5: wrapup: unknown column \"wrapup\": did you mean \"wrap_up\"?"
        )),
        "{e}"
    );
}

/// Ten agents, one conversation each, 4-minute exponential handling, Poisson 120/h (offered
/// load 8, ρ = 0.8), no abandonment; 20% VIP conversations served first (RT-PRIORITIZE).
const COBHAM: &str = r#"
[scenario]
name = "cobham"
horizon = "200h"
warmup = "5h"
seed = 17
replications = 8

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "exponential", mean = "4m" }
attributes = { tier = { vip = 0.2, standard = 0.8 } }

[[queues]]
name = "support"
workstream = "chat"
arrivals = { rate = "120/h" }

[[queues.prioritization]]
when = { tier = "vip" }

[[agent_groups]]
name = "agents"
count = 10
capacity = 100
queues = ["support"]
"#;

#[test]
fn prioritization_agrees_with_cobhams_priority_queue() {
    // Cobham (1954), non-preemptive priority M/M/c with one service rate (Kleinrock, Queueing
    // Systems II, §3.6): class k waits W_k = C(c, a) / (c μ) / ((1 − σ_{k−1})(1 − σ_k)), with
    // σ_k the load of classes 1..k over c servers; the classes' average is FIFO's Erlang C wait.
    let (c, mu, lambda, p_vip) = (10.0, 1.0 / 240.0, 120.0 / 3600.0, 0.2);
    let erlang = omnisim::erlang::erlang_c(lambda, 1.0 / mu, c, 0.0).unwrap();
    let base = erlang.p_wait / (c * mu);
    let s1 = p_vip * lambda / (c * mu);
    let s2 = lambda / (c * mu);
    let (w_vip, w_std) = (base / (1.0 - s1), base / ((1.0 - s1) * (1.0 - s2)));
    let sc = load_file(&write(&temp_dir("cobham"), "c.toml", COBHAM)).unwrap();
    let (out, logs) = sim::run_logged(&sc, &RunOptions::default(), &|_, _, _| {});
    let warmup = sc.warmup.as_millis();
    let tier = &sc.workstreams[0].routing.attributes[0];
    let vip_value = tier.values.iter().position(|v| v == "vip").unwrap() as u16;
    // Per replication, the mean wait of each class over conversations arriving after warm-up.
    let mut per_rep: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for log in &logs {
        let mut sum = [0.0; 2];
        let mut n = [0u64; 2];
        for r in log.rows.iter().filter(|r| r.arrival.as_millis() >= warmup) {
            let Some(w) = r.wait else { continue };
            let vip = r.attributes.as_ref().expect("drawn").1[0] == vip_value;
            let k = if vip { 0 } else { 1 };
            sum[k] += w.as_millis() as f64 / 1000.0;
            n[k] += 1;
        }
        for k in 0..2 {
            per_rep[k].push(sum[k] / n[k] as f64);
        }
    }
    for (k, exact) in [(0, w_vip), (1, w_std)] {
        let (mean, half) = omnisim::stats::mean_ci95(&per_rep[k]).unwrap();
        assert!(
            (mean - exact).abs() < 4.0 * half + 0.02 * exact,
            "class {k}: sim {mean:.2} s (±{half:.2}) vs Cobham {exact:.2} s"
        );
    }
    // VIP conversations wait several times less than FIFO would make everyone wait.
    let fifo = erlang.mean_wait_all_s;
    assert!(w_vip < fifo / 3.0 && w_std > fifo, "{w_vip} {w_std} {fifo}");
    let s = omnisim::report::build(&sc, &out);
    assert!(
        (s.wait_s.mean.unwrap() - fifo).abs() < 0.08 * fifo,
        "overall {} vs FIFO {fifo} (work conservation)",
        s.wait_s.mean.unwrap()
    );
    assert_eq!(s.invariant_violations, 0);
}

#[test]
fn bilingual_support_uses_its_rules_and_says_so() {
    // The bundled scenario's `general` queue: VIP first, then `english-team`,
    // `spanish-experts`, `closest-fit`. Every answer there comes from one of its rules, and the
    // terminal lists their use.
    let sc = load_file(Path::new("scenarios/bilingual-support.toml")).unwrap();
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    let r = omnisim::report::Report::build(&sc, &out);
    let s = &r.summary;
    assert_eq!(s.invariant_violations, 0);
    let by_rule = &s.routing.as_ref().unwrap().by_rule;
    assert_eq!(by_rule.len(), 3, "{by_rule:?}");
    let used: u64 = by_rule.values().sum();
    assert_eq!(used, s.queues["general"].answered);
    assert!(by_rule["general/spanish-experts"] > 0);
    assert!(by_rule["general/english-team"] > 0);
    let text = omnisim::report::terminal::render(&r);
    let line = text.lines().find(|l| l.starts_with("Rule use")).unwrap();
    assert!(line.contains("general/spanish-experts"), "{line}");
}

/// Two queues that hand a waiting conversation to each other every minute (OVF-WAIT), one
/// agent in `b` only from 30 minutes on.
const PING_PONG: &str = r#"
[scenario]
name = "ping-pong"
horizon = "1h"
seed = 5

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "10m" }

[[queues]]
name = "a"
workstream = "chat"
arrivals = { times = ["10s", "20s"] }

[[queues.overflow]]
when = "waited_over"
after = "1m"
action = "transfer"
queue = "b"

[[queues]]
name = "b"
workstream = "chat"

[[queues.overflow]]
when = "waited_over"
after = "1m"
action = "transfer"
queue = "a"

[[agent_groups]]
name = "late"
count = 1
capacity = 200
queues = ["b"]
shift = { start = "30m", end = "1h" }
accept_delay = { dist = "constant", value = "0s" }
"#;

#[test]
fn moves_count_conversations_once_and_each_move_into_its_queue() {
    // Each of the two conversations moves a → b at 1 min, b → a at 2 min, … and is in `b` at
    // an odd minute; the agent (two at a time) starts at 30 min. Conversation 1 arrived at
    // 10 s: moves at 1:10, 2:10, …, 29:10 (29 moves, in b after odd ones), answered at 30:00
    // in b after its 29th move (a → b); conversation 2 the same 10 s later.
    let sc = load_file(&write(&temp_dir("pingpong"), "p.toml", PING_PONG)).unwrap();
    let (out, logs) = sim::run_logged(&sc, &RunOptions::default(), &|_, _, _| {});
    let s = omnisim::report::build(&sc, &out);
    assert_eq!(s.conversations.arrived, 2);
    assert_eq!(s.conversations.answered, 2);
    assert_eq!(s.conversations.transferred, 2, "conversations, not moves");
    let overflow = s.overflow.as_ref().unwrap();
    assert_eq!(overflow.transferred, 58, "29 moves each");
    assert_eq!(s.queues["b"].transferred_in, 30, "15 moves into b each");
    assert_eq!(s.queues["a"].transferred_in, 28);
    // The log keeps the queue each arrived at.
    assert!(logs[0]
        .rows
        .iter()
        .all(|r| r.queue == omnisim::model::QueueId(0)));
}

#[test]
fn a_logged_day_with_overflow_and_rules_replays_exactly() {
    // bilingual-support: route-to-queue, VIP prioritization, assignment rules, an out-of-hours
    // transfer and a waiting-time end. Its own log (rows at the queue each conversation
    // arrived at, `overflowed` outcomes, attribute columns) replays to the same figures.
    let dir = temp_dir("bilingual-replay");
    let text = std::fs::read_to_string("scenarios/bilingual-support.toml").unwrap();
    let sc = load(&write(&dir, "b.toml", &text));
    let (out, logs) = sim::run_logged(&sc, &RunOptions::default(), &|_, _, _| {});
    let csv = String::from_utf8(convlog::render(&sc, &logs).unwrap()).unwrap();
    assert!(csv.contains(",overflowed,"), "overflow-ended rows say so");
    std::fs::write(dir.join("conversations.csv"), &csv).unwrap();
    let replay: String = text
        .lines()
        .filter(|l| !l.starts_with("arrivals = { profile"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n\n[traffic]\nreplay = \"conversations.csv\"\n";
    let rsc = load(&write(&dir, "r.toml", &replay));
    let (rout, rlogs) = sim::run_logged(&rsc, &RunOptions::default(), &|_, _, _| {});
    let again = String::from_utf8(convlog::render(&rsc, &rlogs).unwrap()).unwrap();
    assert_eq!(csv.lines().count(), again.lines().count());
    for (i, (x, y)) in csv.lines().zip(again.lines()).enumerate() {
        assert_eq!(x, y, "line {}", i + 1);
    }
    let (a, b) = (
        omnisim::report::build(&sc, &out),
        omnisim::report::build(&rsc, &rout),
    );
    let v = |s: &omnisim::report::Summary| {
        serde_json::to_value((&s.conversations, &s.overflow, &s.routing, &s.wait_s)).unwrap()
    };
    assert_eq!(v(&a), v(&b));
}

#[test]
fn each_before_queueing_hop_is_one_transfer_action() {
    // a and b are closed on Mondays (t = 0 is a Monday): a conversation for a goes on to b,
    // then to c. Two transfer actions, one conversation moved.
    let text = r#"
[scenario]
name = "hops"
horizon = "1h"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "1m" }

[[queues]]
name = "a"
workstream = "chat"
arrivals = { times = ["10s"] }
operating_hours = [{ days = ["sat"], from = "08:00", to = "09:00" }]

[[queues.overflow]]
when = "out_of_hours"
action = "transfer"
queue = "b"

[[queues]]
name = "b"
workstream = "chat"
operating_hours = [{ days = ["sat"], from = "08:00", to = "09:00" }]

[[queues.overflow]]
when = "out_of_hours"
action = "transfer"
queue = "c"

[[queues]]
name = "c"
workstream = "chat"

[[agent_groups]]
name = "c-team"
count = 1
capacity = 100
queues = ["c"]
"#;
    let sc = load_file(&write(&temp_dir("hops"), "h.toml", text)).unwrap();
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    let s = omnisim::report::build(&sc, &out);
    let o = s.overflow.as_ref().unwrap();
    assert_eq!(o.transferred, 2);
    assert_eq!(s.conversations.transferred, 1);
    assert_eq!(s.queues["c"].answered, 1);
    assert_eq!(o.by_queue["a"].out_of_hours, 1);
    assert_eq!(o.by_queue["b"].out_of_hours, 1);
}

#[test]
fn a_history_with_a_header_only_is_a_warning() {
    let dir = temp_dir("header-only");
    std::fs::write(dir.join("h.csv"), "id,arrival,queue\n").unwrap();
    let traffic = "[traffic]\nreplay = \"h.csv\"";
    let sc = load(&write(&dir, "s.toml", &bilingual(0.3, false, traffic)));
    let w: Vec<String> = sc.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("no rows; nothing arrives from the history")),
        "{w:?}"
    );
}
