//! Issue 13, route-to-queue (RT-QUEUE) and the unified-routing keys' validation: a random
//! percentage split of Poisson arrivals gives independent Erlang C queues; every bad reference
//! or weight is reported with its key path.

use omnisim::erlang::erlang_c;
use omnisim::report::Report;
use omnisim::scenario::load_str;
use omnisim::sim::{self, RunOptions};

const SPLIT: &str = r#"
[scenario]
name = "split"
horizon = "1000h"
warmup = "10h"
seed = 31
replications = 10

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "60s" }
arrivals = { rate = "120/h" }

[[workstreams.route_to_queue]]
split = { a = 70, b = 30 }

[[queues]]
name = "a"
workstream = "chat"

[[queues]]
name = "b"
workstream = "chat"

[[agent_groups]]
name = "ga"
count = 2
queues = ["a"]

[[agent_groups]]
name = "gb"
count = 1
queues = ["b"]
"#;

#[test]
fn a_percentage_split_of_poisson_arrivals_gives_independent_erlang_c_queues() {
    let sc = load_str(SPLIT, "split.toml").unwrap();
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    let s = Report::build(&sc, &out).summary;
    assert_eq!(s.invariant_violations, 0);
    let (a, b) = (&s.queues["a"], &s.queues["b"]);
    let total = (a.arrived + b.arrived) as f64;
    // About 1.19 million arrivals: the split's share within 0.005 of 30 %.
    assert!(
        (b.arrived as f64 / total - 0.3).abs() < 0.005,
        "{} of {total}",
        b.arrived
    );
    // A thinned Poisson stream is Poisson: queue a is M/M/2 at 84/h, queue b M/M/1 at 36/h.
    for (q, lambda_h, servers) in [(a, 84.0, 2), (b, 36.0, 1)] {
        let exact = erlang_c(lambda_h / 3600.0, 60.0, servers as f64, 0.0)
            .unwrap()
            .mean_wait_all_s;
        let sim = q.wait_s.mean.unwrap();
        assert!(
            (sim - exact).abs() < 0.06 * exact,
            "{servers} agents: mean wait sim {sim} vs Erlang C {exact}"
        );
    }
}

const FIRST_MATCH: &str = r#"
[scenario]
name = "first-match"
horizon = "100h"
seed = 3

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = "10s"
arrivals = { rate = "600/h" }
attributes = { tier = { vip = 0.25, standard = 0.75 } }
fallback_queue = "general"

[[workstreams.route_to_queue]]
when = { tier = "vip" }
queues = ["vip", "general"]

[[queues]]
name = "vip"
workstream = "chat"

[[queues]]
name = "general"
workstream = "chat"

[[agent_groups]]
name = "all"
count = 5
queues = ["vip", "general"]
"#;

#[test]
fn the_first_matching_rule_decides_and_the_fallback_takes_the_rest() {
    let sc = load_str(FIRST_MATCH, "first.toml").unwrap();
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    let s = Report::build(&sc, &out).summary;
    let (vip, general) = (s.queues["vip"].arrived, s.queues["general"].arrived);
    let share = vip as f64 / (vip + general) as f64;
    // 60,000 arrivals, a quarter VIP: within 0.01.
    assert!(
        (share - 0.25).abs() < 0.01,
        "{vip} VIP of {}",
        vip + general
    );
    assert_eq!(s.conversations.arrived, vip + general);
}

fn errors(text: &str) -> String {
    load_str(text, "bad.toml").unwrap_err().to_string()
}

#[test]
fn bad_routing_keys_are_reported_with_their_paths() {
    let bad = FIRST_MATCH
        .replace("vip = 0.25, standard = 0.75", "vip = 0.25, standard = 0.7")
        .replace(
            "fallback_queue = \"general\"",
            "fallback_queue = \"genral\"",
        );
    let e = errors(&bad);
    assert!(
        e.contains("workstreams[0].attributes.tier") && e.contains("sum to 0.95"),
        "{e}"
    );
    assert!(
        e.contains("workstreams[0].fallback_queue") && e.contains("did you mean \"general\"?"),
        "{e}"
    );

    let no_fallback = FIRST_MATCH.replace("fallback_queue = \"general\"\n", "");
    let e = errors(&no_fallback);
    assert!(e.contains("`fallback_queue` is required"), "{e}");

    let split = SPLIT.replace("a = 70, b = 30", "a = 70, b = 20");
    let e = errors(&split);
    assert!(
        e.contains("route_to_queue[0].split") && e.contains("sum to 90, not 100"),
        "{e}"
    );

    let value = FIRST_MATCH.replace("when = { tier = \"vip\" }", "when = { tier = \"vp\" }");
    let e = errors(&value);
    assert!(
        e.contains("unknown value \"vp\"") && e.contains("did you mean \"vip\"?"),
        "{e}"
    );

    let skill = FIRST_MATCH
        .replacen(
            "[[workstreams.route_to_queue]]",
            "[[workstreams.classification]]\nrequire = { spanih = 3, english = 11 }\n\n[[workstreams.route_to_queue]]",
            1,
        )
        .replace("count = 5", "count = 5\nskills = { spanish = 4 }");
    let e = errors(&skill);
    assert!(
        e.contains("skill \"spanih\" is held by no agent group")
            && e.contains("did you mean \"spanish\"?"),
        "{e}"
    );
    assert!(e.contains("a rating from 1 to 10, found 11"), "{e}");
}
