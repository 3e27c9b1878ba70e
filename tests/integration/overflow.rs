//! Issue 13, overflow (OVF-LIMIT, OVF-HOURS, OVF-WAIT): a work-item limit that ends
//! conversations is M/M/c/K, so P(overflow) = π_K in closed form; out-of-hours and waiting-time
//! rules with hand-counted results; overflowed conversations are neither answered nor
//! abandoned, and every arrival is accounted for.

use omnisim::report::Report;
use omnisim::scenario::load_str;
use omnisim::sim::{self, RunOptions};

/// M/M/c/K: the probability that the system holds K (an arrival is blocked), offered load `a`.
fn mmck_block(a: f64, c: u32, k: u32) -> f64 {
    let mut terms = Vec::new();
    let mut t = 1.0;
    for n in 0..=k {
        if n > 0 {
            t *= a / f64::from(n.min(c));
        }
        terms.push(t);
    }
    let total: f64 = terms.iter().sum();
    terms[k as usize] / total
}

const LIMIT: &str = r#"
[scenario]
name = "limit"
horizon = "500h"
warmup = "5h"
seed = 17
replications = 10

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "60s" }

[[queues]]
name = "q"
workstream = "chat"
arrivals = { rate = "90/h" }

[[queues.overflow]]
when = "work_items_over"
limit = 3
action = "end"

[[agent_groups]]
name = "g"
count = 2
queues = ["q"]
"#;

#[test]
fn a_work_item_limit_that_ends_conversations_is_mm_c_k() {
    let sc = load_str(LIMIT, "limit.toml").unwrap();
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    let s = Report::build(&sc, &out).summary;
    assert_eq!(s.invariant_violations, 0);
    let c = &s.conversations;
    let ended = s.overflow.as_ref().unwrap().ended;
    assert_eq!(c.overflowed, Some(ended));
    assert_eq!(s.queues["q"].overflowed, Some(ended));
    assert_eq!(
        s.overflow.as_ref().unwrap().by_queue["q"].work_items_over,
        ended
    );
    // Every arrival is answered, overflowed or still in the system; none abandons.
    assert_eq!(c.abandoned, 0);
    assert_eq!(c.answered + ended + c.in_system_at_end, c.arrived);
    // Two agents and three waiting places: K = 5, offered load 1.5 erlangs.
    let exact = mmck_block(1.5, 2, 5);
    let sim = ended as f64 / c.arrived as f64;
    assert!(
        (sim - exact).abs() < 0.004,
        "P(overflow) sim {sim} vs π_K {exact}"
    );
}

const HOURS: &str = r#"
[scenario]
name = "hours"
horizon = "48h"

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = "1m"

[[queues]]
name = "day"
workstream = "chat"
operating_hours = [{ days = ["mon", "tue"], from = "08:00", to = "20:00" }]
arrivals = { times = ["7h", "9h", "19h59m", "20h", "33h", "45h"] }

[[queues.overflow]]
when = "out_of_hours"
action = "transfer"
queue = "night"

[[queues]]
name = "night"
workstream = "chat"

[[queues.overflow]]
when = "waited_over"
after = "10m"
action = "end"

[[agent_groups]]
name = "day"
count = 1
queues = ["day"]
"#;

#[test]
fn out_of_hours_transfers_and_a_long_wait_ends() {
    // t = 0 is a Monday 00:00. Open Monday and Tuesday 08:00–20:00: 09:00, 19:59 (Monday) and
    // 09:00 (Tuesday, 33 h) stay; 07:00, 20:00 and 21:00 Tuesday (45 h) go to `night`, which
    // nobody serves, and end there after 10 minutes.
    let sc = load_str(HOURS, "hours.toml").unwrap();
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    let r = Report::build(&sc, &out);
    let html = omnisim::report::html::render(&r);
    assert!(html.contains("<h2>Routing and overflow</h2>"));
    assert!(html.contains("<tr><td>night</td><td>0</td><td>0</td><td>3</td><td>3</td></tr>"));
    let s = r.summary;
    let o = s.overflow.as_ref().unwrap();
    assert_eq!(o.by_queue["day"].out_of_hours, 3);
    assert_eq!(o.by_queue["night"].waited_over, 3);
    assert_eq!((o.transferred, o.ended), (3, 3));
    assert_eq!(s.conversations.transferred, 3);
    assert_eq!((s.queues["day"].arrived, s.queues["night"].arrived), (3, 3));
    assert_eq!(s.queues["day"].answered, 3);
    assert_eq!(s.queues["night"].overflowed, Some(3));
    assert_eq!(s.conversations.abandoned, 0);
}

#[test]
fn a_scenario_without_routing_keys_has_no_routing_figures() {
    let sc = load_str(
        &LIMIT.replace(
            "[[queues.overflow]]\nwhen = \"work_items_over\"\nlimit = 3\naction = \"end\"\n",
            "",
        ),
        "plain.toml",
    )
    .unwrap();
    let r = Report::build(&sc, &sim::run(&sc, &RunOptions::default(), &|_, _, _| {}));
    assert!(!omnisim::report::html::render(&r).contains("Routing and overflow"));
    let s = r.summary;
    let json = serde_json::to_value(&s).unwrap();
    assert!(json.get("routing").is_none() && json.get("overflow").is_none());
    assert!(json["conversations"].get("overflowed").is_none());
}

/// `n` queues, all closed during the run, each sending its arrivals out of hours to the next
/// (the last back to the first): a cycle of before-queueing transfers. Only the first queue
/// has arrivals.
fn hours_cycle(n: usize) -> String {
    let names: Vec<String> = (0..n).map(|i| format!("q{i}")).collect();
    let mut s = String::from(
        "[scenario]\nname = \"cycle\"\nhorizon = \"1h\"\n\n[[workstreams]]\nname = \"A\"\n\
         channel = \"live_chat\"\nhandle_time = { dist = \"exponential\", mean = \"1m\" }\n",
    );
    for (i, q) in names.iter().enumerate() {
        s += &format!("\n[[queues]]\nname = \"{q}\"\nworkstream = \"A\"\n");
        if i == 0 {
            s += "arrivals = { rate = \"100/h\" }\n";
        }
        s += &format!(
            "operating_hours = [{{ from = \"08:00\", to = \"09:00\" }}]\n[[queues.overflow]]\n\
             when = \"out_of_hours\"\naction = \"transfer\"\nqueue = \"{}\"\n",
            names[(i + 1) % n]
        );
    }
    s + &format!(
        "\n[[agent_groups]]\nname = \"a\"\ncount = 1\nqueues = [{}]\n",
        names
            .iter()
            .map(|q| format!("\"{q}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A cycle of before-queueing transfers goes round once, one transfer per queue, and the
/// conversation enters the queue it arrived for, past that queue's rule (docs/scenario-format.md):
/// `overflow.transferred` is n per conversation (it was n + 1, ending one queue further on),
/// each queue's `out_of_hours` once per conversation, and the trace and `explain` say so.
#[test]
fn a_cycle_of_before_queueing_transfers_goes_round_once() {
    for n in [2usize, 3] {
        let sc = load_str(&hours_cycle(n), "cycle.toml").unwrap();
        let dir =
            std::env::temp_dir().join(format!("omnisim-ovf-cycle-{n}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let opts = RunOptions {
            trace: Some(sim::TraceOptions {
                dir: dir.clone(),
                replication: None,
                errors: Default::default(),
            }),
            ..RunOptions::default()
        };
        let out = sim::run(&sc, &opts, &|_, _, _| {});
        let reps: Vec<u32> = (0..out.replications).collect();
        let trace = sim::observe::assemble(&dir, &reps).unwrap();
        let s = Report::build(&sc, &out).summary;
        let arrived = s.conversations.arrived;
        assert!(arrived > 50, "{n} queues: {arrived} arrivals");
        let o = s.overflow.as_ref().unwrap();
        assert_eq!(o.transferred, n as u64 * arrived, "{n} queues");
        for i in 0..n {
            assert_eq!(
                o.by_queue[&format!("q{i}")].out_of_hours,
                arrived,
                "{n} queues, q{i}"
            );
        }
        // Every conversation entered q0, where it arrived, and was answered there.
        assert_eq!(s.queues["q0"].arrived, arrived, "{n} queues");
        assert_eq!(
            s.queues["q0"].answered, s.conversations.answered,
            "{n} queues"
        );
        assert_eq!(s.conversations.transferred, arrived, "{n} queues");
        let text = std::fs::read_to_string(&trace).unwrap();
        let first = text
            .lines()
            .map(|l| serde_json::from_str::<omnisim::trace::TraceLine>(l).unwrap())
            .find(|l| l.rule.as_deref() == Some("OVF-HOURS"))
            .unwrap();
        assert_eq!(
            first.detail.as_deref(),
            Some(format!("{n} transfers").as_str())
        );
        let story = omnisim::explain::explain_file(
            &trace,
            &omnisim::explain::Subject::Conversation(first.conversation.unwrap()),
            first.replication,
        )
        .unwrap();
        assert!(
            story.contains(&format!(
                "arrived for queue q0 out of its hours: sent on to queue q0 ({n} transfers, one \
                 per queue it passed) (OVF-HOURS)"
            )),
            "{story}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `end1`: queue a (closed until 20:00, its out-of-hours rule ends) gets arrivals at 10 s and
/// 20 s, queue b one at 15 s; `all_ended`: b ends out of hours too.
fn ended_scenario(all_ended: bool) -> String {
    let b_rule = if all_ended {
        "operating_hours = [{ from = \"20:00\", to = \"24:00\" }]\n\
         [[queues.overflow]]\nwhen = \"out_of_hours\"\naction = \"end\"\n"
    } else {
        ""
    };
    format!(
        r#"[scenario]
name = "end1"
horizon = "1h"
seed = 1
replications = 1
service_level = "60s"
[[workstreams]]
name = "ws"
channel = "voice"
handle_time = {{ dist = "exponential", mean = "3m" }}
[[queues]]
name = "a"
workstream = "ws"
operating_hours = [{{ from = "20:00", to = "24:00" }}]
arrivals = {{ times = ["10s", "20s"] }}
[[queues.overflow]]
when = "out_of_hours"
action = "end"
[[queues]]
name = "b"
workstream = "ws"
arrivals = {{ times = ["15s"] }}
{b_rule}[[agent_groups]]
name = "g"
count = 1
queues = ["a","b"]
"#
    )
}

/// Conversations a before-queueing overflow rule ends are in the trace, with the ids of
/// conversations.csv, and `explain` tells their story (issue 25: they were missing, so every
/// later id was off and `explain --conversation N` told another conversation's story).
#[test]
fn conversations_ended_before_queueing_are_in_the_trace_with_their_csv_ids() {
    for all_ended in [false, true] {
        let dir = crate::procs::TempDir::new(&format!("overflow-ended-trace-{all_ended}"));
        let scenario = dir.join("end1.toml");
        std::fs::write(&scenario, ended_scenario(all_ended)).expect("scenario written");
        let out = dir.join("out");
        let st = crate::procs::bin()
            .arg("run")
            .arg(&scenario)
            .arg("--out")
            .arg(&out)
            .args(["--trace", "--log", "--quiet"])
            .status()
            .expect("omnisim runs");
        assert!(st.success());
        let csv = std::fs::read_to_string(out.join("conversations.csv")).expect("log");
        let rows: Vec<(u64, String, String)> = csv
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0].parse().expect("an id"), f[2].into(), f[3].into())
            })
            .collect();
        let expect_b = if all_ended { "overflowed" } else { "answered" };
        assert_eq!(
            rows,
            vec![
                (1, "a".into(), "overflowed".into()),
                (2, "b".into(), expect_b.into()),
                (3, "a".into(), "overflowed".into()),
            ]
        );
        let trace = std::fs::read_to_string(out.join("trace.jsonl")).expect("trace");
        let lines: Vec<omnisim::trace::TraceLine> = trace
            .lines()
            .map(|l| serde_json::from_str(l).expect("a trace line"))
            .collect();
        // One arrival line per conversation, with its csv id and queue.
        let arrivals: Vec<(u64, String)> = lines
            .iter()
            .filter(|l| l.kind == omnisim::trace::Kind::Command && l.what == "arrive")
            .map(|l| {
                (
                    l.conversation.expect("an id"),
                    l.queue.clone().expect("a queue"),
                )
            })
            .collect();
        let csv_ids: Vec<(u64, String)> = rows.iter().map(|r| (r.0, r.1.clone())).collect();
        assert_eq!(arrivals, csv_ids, "all_ended {all_ended}");
        // Each ended one closes as overflowed by OVF-HOURS at once.
        for (id, _, outcome) in &rows {
            let closed = lines
                .iter()
                .find(|l| l.what == "closed" && l.conversation == Some(*id))
                .expect("a closed line");
            let detail = closed.detail.as_deref();
            if outcome == "overflowed" {
                assert_eq!(closed.rule.as_deref(), Some("OVF-HOURS"));
                assert_eq!(detail, Some("overflowed"));
                assert_eq!(closed.waited_s, Some(0.0));
            } else {
                assert_eq!(detail, Some("completed"));
            }
        }
        let explain = |n: &str| {
            let o = crate::procs::bin()
                .arg("explain")
                .arg(&out)
                .args(["--conversation", n])
                .output()
                .expect("explain runs");
            assert!(o.status.success(), "explain {n}: {o:?}");
            String::from_utf8(o.stdout).expect("utf-8")
        };
        for n in ["1", "3"] {
            let story = explain(n);
            assert!(story.starts_with(&format!("Conversation {n}, replication 1:")));
            assert!(story.contains("arrived in queue a\n"), "{story}");
            assert!(
                story.contains(
                    "ended before queueing by OVF-HOURS at queue a (it arrived out of the \
                     queue's hours); counted as overflowed"
                ),
                "{story}"
            );
        }
        let story = explain("2");
        assert!(story.contains("arrived in queue b\n"), "{story}");
        if all_ended {
            assert!(story.contains("ended before queueing by OVF-HOURS at queue b"));
        } else {
            assert!(story.contains("g-1 accepted it"), "{story}");
        }
    }
}
