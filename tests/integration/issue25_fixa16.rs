//! Issue 25, sixteenth session, branch fixa-16 (a wrong answer found by a fresh tester):
//! `overallocation = "deny"` (and a number, "up to N") did not hold for supervisor
//! assignments when invitations reserve no units (`reserve_on_invite` off, the default).
//! ASSIGN-CAPACITY counted what an agent used and had reserved, not what its pending
//! invitations would hold once accepted, so a policy tick could invite one half-full agent
//! seven times and every invitation passed: 400 of 100 units once accepted, CAP-OVER
//! recorded, no refusal. Now the engine's check and the policies' view of who can take work
//! count the units of pending invitations, reserved or not; the units come back when an
//! invitation is rejected, times out or is withdrawn.
//!
//! The engine's own cases: `engine::supervisor::tests`; the protocol's: ASSIGN-CAPACITY and
//! CAP-RESERVE in `src/conform/cases/`; the load driver's: `load::supervisor::tests`.

use crate::procs::{code_and_stderr, json, temp_dir};

/// The tester's center: three agents of capacity 100, 50-unit chats that only Available agents
/// get from routing (so a half-full agent is left to the supervisor), 120 arrivals an hour
/// and a policy every 30 s assigning up to 50 Open chats to the agent with the most free
/// capacity, under `overallocation` = `limit`, agents rejecting invitations with `reject`.
fn center(limit: &str, reject: f64) -> String {
    format!(
        r#"[scenario]
name = "deny-pending"
horizon = "2h"
seed = 5
replications = 2

[engine]
overallocation = {limit}

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 50
allowed_presences = ["available"]
handle_time = {{ dist = "exponential", mean = "5m" }}

[[queues]]
name = "support"
workstream = "chat"
arrivals = {{ rate = "120/h" }}

[[agent_groups]]
name = "agent"
count = 3
capacity = 100
queues = ["support"]
reject_probability = {reject}
accept_delay = "5s"

[[supervisors]]
name = "lead"
queues = ["support"]

[[supervisors.policies]]
name = "push"
every = "30s"
when = {{ state = "open", limit = 50 }}
action = {{ assign_to = "agent", pick = "most_free_capacity" }}
"#
    )
}

/// `summary.json` of `run` on `text`.
fn run(tag: &str, text: &str) -> serde_json::Value {
    let dir = temp_dir(&format!("fixa16-{tag}"));
    std::fs::write(dir.join("s.toml"), text).unwrap();
    let (code, err) = code_and_stderr(&dir, &["run", "s.toml", "--quiet", "--out", "out"]);
    assert_eq!(code, Some(0), "{tag}: {err}");
    json(&dir.join("out").join("summary.json"))
}

fn n(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number: {v}"))
}

/// Under deny no agent is ever above capacity (main: 175 overallocations, up to 600 units
/// over, no refusal): the supervisor passes over the agents its pending invitations filled
/// and counts a skip when nobody is left; every chat is still answered.
#[test]
fn deny_holds_for_supervisor_assignments_without_reservation() {
    let s = run("deny", &center("\"deny\"", 0.0));
    let o = &s["overallocation"];
    assert_eq!(
        (n(&o["events"]), n(&o["agents"]), n(&o["max_units"])),
        (0.0, 0.0, 0.0),
        "{o}"
    );
    assert_eq!(n(&o["unit_seconds"]), 0.0, "{o}");
    assert_eq!(n(&s["invariant_violations"]), 0.0);
    let p = &s["policies"]["lead/push"];
    assert!(n(&p["accepted"]) > 0.0, "{p}");
    assert!(
        n(&p["skipped_no_agent"]) > 0.0,
        "full agents are skipped, not refused: {p}"
    );
    // What the policy's view does not catch (nothing, here) the engine refuses.
    let refused = n(&s["rule_violations"]["by_rule"]["ASSIGN-CAPACITY"]);
    assert_eq!(n(&p["refused"]), refused, "{p}");
    let c = &s["conversations"];
    assert_eq!(n(&c["answered"]), n(&c["arrived"]), "{c}");
}

/// Up to N units over: never more than capacity + N (main: up to 600 over a limit of 30).
#[test]
fn a_limit_in_units_holds_too() {
    for limit in [30u32, 50] {
        let s = run(&format!("upto-{limit}"), &center(&limit.to_string(), 0.0));
        let o = &s["overallocation"];
        assert!(n(&o["max_units"]) <= f64::from(limit), "limit {limit}: {o}");
        assert_eq!(n(&s["invariant_violations"]), 0.0);
    }
    // 50 lets a third chat on a full agent: the limit is reached, not just kept under.
    let s = run("upto-50-reached", &center("50", 0.0));
    assert_eq!(
        n(&s["overallocation"]["max_units"]),
        50.0,
        "{}",
        s["overallocation"]
    );
}

/// Agents rejecting a third of their invitations: each rejection gives its units back, the
/// agent is assigned again, and the limit still holds (every chat answered in the end).
#[test]
fn rejected_invitations_give_their_units_back() {
    let s = run("rejecting", &center("\"deny\"", 0.33));
    let o = &s["overallocation"];
    assert_eq!(n(&o["max_units"]), 0.0, "{o}");
    let p = &s["policies"]["lead/push"];
    assert!(n(&p["accepted"]) > 0.0, "{p}");
    let c = &s["conversations"];
    assert_eq!(n(&c["answered"]), n(&c["arrived"]), "{c}");
    assert_eq!(n(&s["invariant_violations"]), 0.0);
}
