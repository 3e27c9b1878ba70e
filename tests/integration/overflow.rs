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
