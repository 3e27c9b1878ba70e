//! Issue 25 leftover: a customer abandons only if its wait is strictly longer than its patience
//! (Erlang A / Palm: P(abandon) = P(patience < wait)). A customer an agent can take at the
//! instant its patience runs out is served: with a patience of 0 s and an idle agent, at
//! arrival (every customer abandoned before, 104 of 104, as the give-up event popped before the
//! same-instant acceptance); with a deterministic patience T, when an agent is freed, a shift
//! starts or an acceptance falls due exactly at arrival + T, also for a replayed row and a
//! retrial contact. One millisecond less patience still abandons, as does a patience that runs
//! out while an invitation's accept delay is still running.

use omnisim::report::{self, lookup, Summary};
use omnisim::scenario::{load_file, load_str, Scenario};
use omnisim::sim::{self, RunOptions};

use crate::procs::temp_dir;

fn summarize(sc: &Scenario) -> Summary {
    report::build(sc, &sim::run(sc, &RunOptions::default(), &|_, _, _| {}))
}

fn get(s: &Summary, path: &str) -> f64 {
    lookup(s, path).unwrap_or_else(|| panic!("no {path} in the summary"))
}

/// `(answered, abandoned, delayed)` of a run.
fn outcome(s: &Summary) -> (f64, f64, f64) {
    (
        get(s, "conversations.answered"),
        get(s, "conversations.abandoned"),
        get(s, "conversations.delayed"),
    )
}

/// One queue of `agents` agents (`group` adds lines to the group), a work stream with
/// `stream` lines (patience, handle time…), arrivals `arrivals`, one replication.
fn scenario(stream: &str, arrivals: &str, agents: u32, group: &str) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "ties"
horizon = "1h"
seed = 11
replications = 1
service_level = "20s"

[[workstreams]]
name = "chat"
channel = "live_chat"
{stream}

[[queues]]
name = "q"
workstream = "chat"
arrivals = {arrivals}

[[agent_groups]]
name = "a"
count = {agents}
queues = ["q"]
{group}
"#
    );
    load_str(&text, "ties.toml").unwrap_or_else(|e| panic!("loads:\n{e}"))
}

#[test]
fn patience_zero_with_idle_agents_is_served_at_once() {
    let sc = scenario(
        "handle_time = { dist = \"exponential\", mean = \"1m\" }\npatience = \"0s\"",
        "{ rate = \"100/h\" }",
        50,
        "",
    );
    let s = summarize(&sc);
    let arrived = get(&s, "conversations.arrived");
    assert!(arrived > 50.0, "{arrived}");
    assert_eq!(outcome(&s), (arrived, 0.0, 0.0));
    assert_eq!(get(&s, "service_level.fraction"), 1.0);
    assert_eq!(get(&s, "abandonment_rate"), 0.0);
    assert_eq!(get(&s, "wait_s.max"), 0.0);
}

#[test]
fn patience_zero_with_every_agent_busy_or_off_shift_abandons() {
    // One agent, busy for the hour with the first customer: the three others abandon at once.
    let arrivals = "{ times = [\"0s\", \"10s\", \"20s\", \"30s\"] }";
    let busy = scenario("handle_time = \"1h\"\npatience = \"0s\"", arrivals, 1, "");
    assert_eq!(outcome(&summarize(&busy)), (1.0, 3.0, 3.0));
    // Nobody on shift before 40 s: all four abandon.
    let off = scenario(
        "handle_time = \"1m\"\npatience = \"0s\"",
        arrivals,
        2,
        "shift = { start = \"40s\", end = \"1h\" }",
    );
    let s = summarize(&off);
    assert_eq!(outcome(&s), (0.0, 4.0, 4.0));
    assert_eq!(get(&s, "service_level.fraction"), 0.0);
}

#[test]
fn an_agent_freed_at_the_patience_instant_serves() {
    // The only agent takes the first customer at 0 s for 60 s; the second arrives at 30 s with
    // 30 s of patience: the agent is freed exactly when it runs out, and takes it (wait 30 s).
    let arrivals = "{ times = [\"0s\", \"30s\"] }";
    let s = summarize(&scenario(
        "handle_time = \"60s\"\npatience = \"30s\"",
        arrivals,
        1,
        "",
    ));
    assert_eq!(outcome(&s), (2.0, 0.0, 1.0));
    assert_eq!(get(&s, "wait_s.max"), 30.0);
    // One millisecond less patience: its wait (30 s) is longer, it abandons.
    let s = summarize(&scenario(
        "handle_time = \"60s\"\npatience = \"29.999s\"",
        arrivals,
        1,
        "",
    ));
    assert_eq!(outcome(&s), (1.0, 1.0, 1.0));
}

#[test]
fn a_shift_starting_at_the_patience_instant_serves() {
    let arrivals = "{ times = [\"0s\", \"5s\"] }";
    let shift = "shift = { start = \"10s\", end = \"1h\" }";
    // Both wait for the shift at 10 s: 10 s of patience reaches it (the second too), 9 s does not.
    let s = summarize(&scenario(
        "handle_time = \"1m\"\npatience = \"10s\"",
        arrivals,
        2,
        shift,
    ));
    assert_eq!(outcome(&s), (2.0, 0.0, 2.0));
    let s = summarize(&scenario(
        "handle_time = \"1m\"\npatience = \"9s\"",
        arrivals,
        2,
        shift,
    ));
    assert_eq!(outcome(&s), (1.0, 1.0, 2.0));
}

#[test]
fn an_acceptance_due_at_the_patience_instant_wins_a_later_one_loses() {
    // An idle agent invites at once and accepts after its accept delay: an acceptance due when
    // the patience runs out is served; one still pending then loses (the invitation is
    // withdrawn, the customer abandons), also with a patience of 0 s.
    let arrivals = "{ times = [\"0s\"] }";
    let accept = "accept_delay = \"10s\"";
    let run = |patience: &str| {
        summarize(&scenario(
            &format!("handle_time = \"1m\"\npatience = \"{patience}\""),
            arrivals,
            1,
            accept,
        ))
    };
    assert_eq!(outcome(&run("10s")), (1.0, 0.0, 1.0));
    assert_eq!(outcome(&run("9.999s")), (0.0, 1.0, 1.0));
    assert_eq!(outcome(&run("0s")), (0.0, 1.0, 1.0));
}

#[test]
fn a_retrial_contact_is_served_when_an_agent_is_freed_at_its_patience_instant() {
    // The agent serves the first customer 0 s – 70 s. The second (0 s) gives up at 5 s and
    // comes back at 65 s with 5 s of patience: the agent is freed at 70 s and takes it.
    let s = summarize(&scenario(
        "handle_time = \"70s\"\npatience = \"5s\"\nretrial = { probability = 1.0, delay = \"60s\" }",
        "{ times = [\"0s\", \"0s\"] }",
        1,
        "",
    ));
    assert_eq!(outcome(&s), (2.0, 1.0, 2.0));
    assert_eq!(get(&s, "conversations.retrials"), 1.0);
}

#[test]
fn a_replayed_row_is_served_when_an_agent_is_freed_at_its_patience_instant() {
    let dir = temp_dir("patience-replay");
    // Row 2's patience (30 s) runs out when the agent is freed from row 1 (60 s of handling).
    std::fs::write(
        dir.join("h.csv"),
        "id,arrival,queue,outcome,wait,handle,patience\n\
         a,0,q,answered,0,60,\n\
         b,30,q,abandoned,30,60,30\n",
    )
    .unwrap();
    let toml = |patience: &str| {
        format!(
            r#"
[scenario]
name = "replay-ties"
horizon = "1h"
seed = 11
replications = 1

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = "60s"
patience = "{patience}"

[[queues]]
name = "q"
workstream = "chat"

[traffic]
replay = "h.csv"

[[agent_groups]]
name = "a"
count = 1
queues = ["q"]
"#
        )
    };
    // The row's own patience is used (the work stream's 1 s is not drawn for it).
    std::fs::write(dir.join("s.toml"), toml("1s")).unwrap();
    let sc = load_file(&dir.join("s.toml")).unwrap_or_else(|e| panic!("loads:\n{e}"));
    assert_eq!(outcome(&summarize(&sc)), (2.0, 0.0, 1.0));
    // Without the cell, the abandoned row's wait (30 s) is its patience: served all the same.
    std::fs::write(
        dir.join("h.csv"),
        "id,arrival,queue,outcome,wait,handle,patience\n\
         a,0,q,answered,0,60,\n\
         b,30,q,abandoned,30,60,\n",
    )
    .unwrap();
    let sc = load_file(&dir.join("s.toml")).unwrap_or_else(|e| panic!("loads:\n{e}"));
    assert_eq!(outcome(&summarize(&sc)), (2.0, 0.0, 1.0));
}

/// M/M/c+M (exponential patience, erlang-a.toml cut to 40 h × 4 replications): ties between a
/// give-up and another event are (nearly) impossible, so the results are main's before the
/// change, to the last bit (main at dfa3cd9: `omnisim run` of the same cut file).
#[test]
fn exponential_patience_results_are_unchanged() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/erlang-a.toml"),
    )
    .expect("readable")
    .replace("horizon = \"500h\"", "horizon = \"40h\"")
    .replace("warmup = \"5h\"", "warmup = \"1h\"");
    let s = summarize(&load_str(&text, "erlang-a-40h.toml").expect("loads"));
    assert_eq!(get(&s, "conversations.arrived"), 46_638.0);
    assert_eq!(outcome(&s), (43_978.0, 2_660.0, 15_507.0));
    assert_eq!(get(&s, "wait_s.mean"), 6.251814680067307);
    assert_eq!(get(&s, "abandonment_rate"), 0.05703503580771045);
    assert_eq!(get(&s, "service_level.fraction"), 0.8264290921566105);
}
