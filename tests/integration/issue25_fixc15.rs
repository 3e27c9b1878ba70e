//! Issue 25, kind 3 ("a loop never ends / a CI job must never hang"), fifteenth session:
//! supervisor policies.
//!
//! - A tick whose own assignments fill the agents stops trying them: the rest of the tick
//!   sends nothing and counts one `skipped_no_agent` (before: every other conversation was
//!   sent and refused, ASSIGN-CAPACITY, each a failed attempt), in the simulator whatever the
//!   reaction delay, as in the load driver (`load::supervisor` unit tests).
//! - `load.json` counts `policies."S/P".skipped_no_agent` as `summary.json` does.
//! - `validate`'s error for a policy that can never act cites the limit that applies to the
//!   scenario (`refusals_before_skip` refusals for an agent refusing every invitation, a skip
//!   per check for nobody on shift) instead of "10,000 failed attempts" for every rule.
//! - The policy-work warning counts the replications the run will have (`--replications`) and
//!   spells its product out: ticks × conversations each tick can try × replications.
//!
//! Work is counted here, never timed.

use crate::procs::{code_and_stderr, json, temp_dir};
use omnisim::scenario::{load_str_with, LoadOptions};

/// Two agents of capacity 100 for 60-unit chats, a supervisor allowed 50 units over
/// (`overallocation = 50`) and invitations reserving their units: routing places one
/// conversation on each agent, a supervisor one more on each (120 of 150), and then nobody can
/// take another (180). 600/h for an hour, a policy every 5 minutes assigning by `pick` after
/// `reaction`: its first tick finds about 50 conversations waiting.
fn filling(pick: &str, reaction: &str) -> String {
    format!(
        r#"[scenario]
name = "fill"
horizon = "1h"
drain_limit = "10m"
seed = 1

[engine]
overallocation = 50
reserve_on_invite = true

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 60
handle_time = "2h"

[[queues]]
name = "support"
workstream = "chat"
arrivals = {{ rate = "600/h" }}

[[agent_groups]]
name = "agent"
count = 2
capacity = 100
queues = ["support"]

[[supervisors]]
name = "s"
queues = ["support"]
reaction = "{reaction}"

[[supervisors.policies]]
name = "p"
every = "5m"
when = {{ state = "open" }}
action = {{ assign_to = "agent", pick = "{pick}" }}
"#
    )
}

/// `policies."s/p"` of `run`'s summary.json of `text`.
fn run_policy(tag: &str, text: &str) -> serde_json::Value {
    let dir = temp_dir(&format!("fixc15-{tag}"));
    std::fs::write(dir.join("s.toml"), text).unwrap();
    let (code, err) = code_and_stderr(&dir, &["run", "s.toml", "--quiet", "--out", "out"]);
    assert_eq!(code, Some(0), "{tag}: {err}");
    json(&dir.join("out").join("summary.json"))["policies"]["s/p"].clone()
}

/// The tick that fills both agents places two conversations and tries no other (main: the
/// other 50 were sent and refused, ASSIGN-CAPACITY, 50 failed attempts); every tick after it
/// finds nobody at once. Variants: `least_loaded` after a 30 s reaction (each action checked
/// when it comes due: a tick's actions share that instant, so one skip for them all).
#[test]
fn a_tick_stops_trying_agents_its_own_assignments_filled() {
    // 14 ticks: every 5 minutes over the hour and the 10-minute drain limit.
    let ticks = 14;
    for (tag, pick, reaction) in [
        ("rr", "round_robin", "0s"),
        ("ll-late", "least_loaded", "30s"),
        ("most", "most_free_capacity", "0s"),
    ] {
        let p = run_policy(tag, &filling(pick, reaction));
        assert_eq!(p["accepted"], 2, "{tag}: {p}");
        assert_eq!(p["refused"], 0, "{tag}: nothing sent to a full agent: {p}");
        assert_eq!(p["by_rule"], serde_json::json!({}), "{tag}: {p}");
        assert_eq!(p["skipped_no_agent"], ticks, "{tag}: one skip a tick: {p}");
        assert_eq!(p["given_up"], 0, "{tag}: {p}");
    }
}

/// `load.json` counts `policies."S/P".skipped_no_agent` (main: no such key, so a threshold on
/// it was bad input, exit 2). A named agent full under `deny` is never sent an assignment:
/// `refused` is 0 however the ticks fall (the engine is read and written under one lock).
#[test]
fn load_counts_skipped_no_agent_and_sends_nothing_to_a_full_agent() {
    let text = r#"[scenario]
name = "full"
horizon = "1h"
seed = 1

[engine]
overallocation = "deny"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = "2h"

[[queues]]
name = "support"
workstream = "chat"
arrivals = { rate = "600/h" }

[[agent_groups]]
name = "agent"
count = 1
capacity = 100
queues = ["support"]
accept_delay = "0s"

[[supervisors]]
name = "s"
queues = ["support"]

[[supervisors.policies]]
name = "p"
every = "1s"
when = { state = "open" }
action = { assign_to = "agent", agent = "agent-1" }
"#;
    let dir = temp_dir("fixc15-load");
    std::fs::write(dir.join("s.toml"), text).unwrap();
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "load",
            "s.toml",
            "--rate",
            "40",
            "--duration",
            "1s",
            "--drain",
            "0s",
            "--threshold",
            "policies.\"s/p\".skipped_no_agent>=0",
            "--threshold",
            "policies.\"s/p\".refused<=0",
            "--out",
            "out",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let l = json(&dir.join("out").join("load.json"));
    let p = &l["policies"]["s/p"];
    assert_eq!(p["refused"], 0, "{p}");
    assert_eq!(p["given_up"], 0, "{p}");
    assert!(p["skipped_no_agent"].is_u64(), "{p}");
}

/// `validate` of `text`: (exit code, stderr).
fn validate(tag: &str, text: &str) -> (Option<i32>, String) {
    let dir = temp_dir(&format!("fixc15-v-{tag}"));
    std::fs::write(dir.join("s.toml"), text).unwrap();
    code_and_stderr(&dir, &["validate", "s.toml"])
}

/// Two agents refusing every invitation, a policy every 100 ms assigning to `action`;
/// `engine` is the `[engine]` section's body.
fn refusing(action: &str, engine: &str, group: &str) -> String {
    format!(
        r#"[scenario]
name = "rej"
horizon = "8h"
seed = 1

[engine]
{engine}

[[workstreams]]
name = "w"
channel = "live_chat"
handle_time = "5m"

[[queues]]
name = "q"
workstream = "w"
arrivals = {{ rate = "120/h" }}

[[agent_groups]]
name = "a"
count = 2
queues = ["q"]
{group}

[[supervisors]]
name = "s"
queues = ["q"]

[[supervisors.policies]]
name = "p"
every = "100ms"
when = {{ state = "open" }}
action = {{ assign_to = "agent", {action} }}
"#
    )
}

/// The error for a policy that can never act says what the run will do with this scenario:
/// an agent refusing every invitation is skipped after `refusals_before_skip` refusals and the
/// conversation given up then (2 agents × 3 = at most 6 for a pick, 5 for a named agent with
/// `refusals_before_skip = 5`); nobody ever on shift is a skip per check, nothing given up.
/// Main said "10,000 failed attempts" for all three. A refusal by the engine keeps the bound.
#[test]
fn validate_cites_the_limit_that_applies_to_the_scenario() {
    let reject = "reject_probability = 1.0";
    let cases = [
        (
            "pick",
            refusing("pick = \"most_free_capacity\"", "", reject),
            "once each of the queue's 2 agents has refused it 3 times (`[engine] \
             refusals_before_skip = 3`",
            "at most 6 refused invitations of the policy per conversation",
        ),
        (
            "named",
            refusing("agent = \"a-1\"", "refusals_before_skip = 5", reject),
            "once the agent has refused it 5 times (`[engine] refusals_before_skip = 5`",
            "at most 5 refused invitations",
        ),
        (
            "absent",
            refusing("agent = \"a-2\"", "", "absence = 1"),
            "nobody can ever take its work: each check (every 100 ms) with conversations \
             waiting tries none of them and counts one `skipped_no_agent`",
            "nothing is sent, nor given up",
        ),
    ];
    for (tag, text, says, also) in cases {
        let (code, err) = validate(tag, &text);
        assert_eq!(code, Some(2), "{tag}: {err}");
        assert!(err.contains("can never act"), "{tag}: {err}");
        assert!(err.contains(says), "{tag}: {err}");
        assert!(err.contains(also), "{tag}: {err}");
        assert!(!err.contains("10,000"), "{tag}: {err}");
    }
    // A variant: more refusals allowed than the bound: the bound is what applies.
    let (code, err) = validate(
        "many",
        &refusing(
            "agent = \"a-1\"",
            "refusals_before_skip = 20000",
            "reject_probability = 1.0",
        ),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("until the policy gives each conversation up (10,000 failed attempts"),
        "{err}"
    );
}

/// A policy monitoring about 600 Active chats at each of a day's 86,400 ticks: 5.2 × 10⁷ looks
/// with one replication (no warning), 2.1 × 10⁹ with `--replications 40`.
fn monitoring() -> String {
    r#"[scenario]
name = "mon"
horizon = "1d"
seed = 1
replications = 1

[[workstreams]]
name = "w"
channel = "live_chat"
handle_time = "10m"

[[queues]]
name = "q"
workstream = "w"
arrivals = { rate = "3600/h" }

[[agent_groups]]
name = "a"
count = 700
queues = ["q"]

[[supervisors]]
name = "s"
queues = ["q"]

[[supervisors.policies]]
name = "p"
every = "1s"
when = { state = "active" }
action = { monitor = true }
"#
    .to_string()
}

/// The policy-work warning counts the command line's `--replications` (main: the file's one
/// replication, so `run --replications 40` of 2.1 × 10⁹ looks had no warning) and spells its
/// product out. Variants through the library's load: the file's count without an override
/// (40 in the file: warned, no flag named), and an override of 1 for that file (no warning).
#[test]
fn the_policy_work_warning_counts_the_replications_run_and_spells_its_product() {
    let text = monitoring();
    let dir = temp_dir("fixc15-looks");
    std::fs::write(dir.join("s.toml"), &text).unwrap();
    // A --trace-replication out of range stops the run right after the scenario is read and
    // its warnings printed.
    let (code, err) = code_and_stderr(
        &dir,
        &[
            "run",
            "s.toml",
            "--replications",
            "40",
            "--trace",
            "--trace-replication",
            "41",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("supervisor policies are expected to look at about")
            && err.contains("conversations in all, over 40 replications (--replications 40);"),
        "{err}"
    );
    assert!(
        err.contains(
            "policy \"p\": 86400 ticks (every 1s over the horizon, 1d) × about 600 \
             conversations each tick can try × 40 replications = about"
        ),
        "{err}"
    );
    let warned = |file_reps: u32, reps: Option<u32>| {
        let t = text.replace("replications = 1", &format!("replications = {file_reps}"));
        let opts = LoadOptions {
            allow_huge: false,
            replications: reps,
        };
        let sc = load_str_with(&t, "s.toml", &opts).expect("valid");
        sc.warnings
            .iter()
            .find(|w| w.message.contains("expected to look at"))
            .map(|w| w.message.clone())
    };
    assert_eq!(warned(1, None), None);
    let w = warned(40, None).expect("the file's 40 replications");
    assert!(w.contains("over 40 replications;"), "{w}");
    assert!(!w.contains("--replications"), "{w}");
    assert_eq!(warned(40, Some(1)), None, "the run has one replication");
}
