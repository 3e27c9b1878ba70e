//! Issue 25, a sixteenth fresh tester (branch `fixe-12`), "a CI job must never hang" and
//! "memory bounded": a pile of conversations every agent had refused made each routing trigger
//! walk all of it (quadratic: 10.5 s of CPU for 3,296 arrivals); supervisor policies,
//! disconnects and breaks every millisecond validated silently (an hour to days of CPU), as did
//! a group never on shift during the run and a queue whose every agent refuses everything; and
//! 40,000 queues took 2.35 GB with no limit or warning.
//!
//! The speed itself is not asserted (no timing in tests): the runs below lock the routing work
//! instead (each conversation offered exactly `refusals_before_skip` times to each member, and
//! answered once a member who never refused it comes on shift), and the CPU before and after is
//! in `reports/fixe-12.md`.

use crate::procs::{json, run_in, temp_dir, text};

/// The tester's `E` scenario: one queue (100/h, no patience), `groups` (TOML of
/// `[[agent_groups]]` tables), `extra` appended to the work stream.
fn e(horizon: &str, ws_extra: &str, groups: &str) -> String {
    format!(
        r#"[scenario]
name = "h"
horizon = "{horizon}"
seed = 1
replications = 1
service_level = "60s"

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = {{ dist = "exponential", mean = "5m" }}
{ws_extra}

[[queues]]
name = "a"
workstream = "chat"
arrivals = {{ rate = "100/h" }}

{groups}
"#
    )
}

/// Three agents who reject everything.
const REJECTERS: &str = "[[agent_groups]]\nname = \"g\"\ncount = 3\nqueues = [\"a\"]\n\
                         reject_probability = 1.0\n";

/// `omnisim ARGS` on `s.toml` (written from `scenario`) in a fresh folder: exit code, stderr
/// and the folder.
fn omnisim(
    tag: &str,
    scenario: &str,
    args: &[&str],
) -> (Option<i32>, String, crate::procs::TempDir) {
    let dir = temp_dir(tag);
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    let o = run_in(&dir, args);
    (o.status.code(), text(&o.stderr), dir)
}

/// A run's `summary.json` figure at `path` (`conversations.arrived`), as an integer.
fn figure(dir: &std::path::Path, path: &str) -> u64 {
    let s = json(&dir.join("o/summary.json"));
    let v = path.split('.').fold(&s, |v, k| &v[k]);
    v.as_u64().unwrap_or_else(|| panic!("{path}: {v}"))
}

/// Finding 1: with every agent rejecting, each conversation is offered exactly
/// `refusals_before_skip` (3) times to each of the 3 agents and then waits to the end; the
/// tester's 8 h run (824 arrivals, 7,416 invitations as before the fix) and a skill queue
/// (attributes and a requirement the agents hold: routed by signatures) alike.
#[test]
fn a_pile_every_agent_refused_gets_every_offer_and_no_more() {
    let plain = e("8h", "", REJECTERS);
    let skilled = e(
        "8h",
        "attributes = { language = { en = 0.5, es = 0.5 } }\n\n\
         [[workstreams.classification]]\nwhen = { language = \"es\" }\nrequire = { spanish = 3 }",
        &format!("{REJECTERS}skills = {{ spanish = 5 }}\n"),
    );
    for (tag, s) in [("t16-pile", plain), ("t16-pile-skills", skilled)] {
        let (code, err, dir) = omnisim(tag, &s, &["run", "s.toml", "--out", "o", "--quiet"]);
        assert_eq!(code, Some(0), "{tag}: {err}");
        let arrived = figure(&dir, "conversations.arrived");
        assert!(arrived > 700, "{tag}: {arrived} arrivals");
        assert_eq!(figure(&dir, "invitations.sent"), 9 * arrived, "{tag}");
        assert_eq!(figure(&dir, "invitations.rejected"), 9 * arrived, "{tag}");
        assert_eq!(
            figure(&dir, "conversations.in_system_at_end"),
            arrived,
            "{tag}"
        );
    }
    // The tester's E-8h exactly (main's figures before the fix).
    let (code, err, dir) = omnisim(
        "t16-pile-e8",
        &e("8h", "", REJECTERS),
        &["run", "s.toml", "--out", "o", "--quiet"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(figure(&dir, "conversations.arrived"), 824);
    assert_eq!(figure(&dir, "invitations.sent"), 7416);
}

/// Finding 1, the variant: a conversation every *present* agent refused is not given up while
/// a member who never refused it is still to come on shift (at 1 h): it answers the pile, oldest
/// first, and every rejecter was offered each conversation it had the chance to refuse.
#[test]
fn a_member_who_never_refused_still_gets_the_pile() {
    let groups = format!(
        "{REJECTERS}\n[[agent_groups]]\nname = \"late\"\ncount = 1\nqueues = [\"a\"]\n\
         capacity = 100\nshift = {{ start = \"1h\", end = \"3h\" }}\n"
    );
    let s = e("2h", "", &groups);
    let (code, err, dir) = omnisim("t16-late", &s, &["run", "s.toml", "--out", "o", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
    let answered = figure(&dir, "conversations.answered");
    // Half an hour of the late agent's two hours drain the first hour's pile (5 min each).
    assert!(answered >= 20, "{answered} answered");
    assert_eq!(figure(&dir, "invitations.accepted"), answered);
    // No warning that the queue's every agent refuses: one of them does not.
    let (code, err, _dir) = omnisim("t16-late-v", &s, &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("refuses every invitation"), "{err}");
}

/// Finding 1, validate: a queue whose every agent refuses every invitation (reject, or
/// reject and ignore summing to 1 in every group) is a warning at the first group's key, naming the
/// queue and what then happens; one group refusing less is not.
#[test]
fn a_queue_whose_every_agent_refuses_warns() {
    let (code, err, _d) = omnisim("t16-rej", &e("8h", "", REJECTERS), &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning:"), "{err}");
    assert!(err.contains("agent_groups[0].reject_probability"), "{err}");
    assert!(err.contains("every agent of queue \"a\""), "{err}");
    assert!(err.contains("drain limit"), "{err}");
    let mixed = "[[agent_groups]]\nname = \"i\"\ncount = 2\nqueues = [\"a\"]\n\
                 reject_probability = 0.5\nignore_probability = 0.5\n\n\
                 [[agent_groups]]\nname = \"r\"\ncount = 1\nqueues = [\"a\"]\n\
                 reject_probability = 1.0\n";
    let (code, err, _d) = omnisim("t16-rej2", &e("8h", "", mixed), &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("agent_groups[0].ignore_probability"), "{err}");
    assert!(err.contains("groups \"i\", \"r\""), "{err}");
    let some = mixed.replace("ignore_probability = 0.5", "ignore_probability = 0.4");
    let (code, err, _d) = omnisim("t16-rej3", &e("8h", "", &some), &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("refuses every invitation"), "{err}");
}

/// The tester's `A` and `C` scenarios: a supervisor policy, or disconnects, of `every`
/// (`which`) over `horizon`.
fn timed(horizon: &str, which: &str, every: &str) -> String {
    let (group_extra, sup) = match which {
        "policy" => (
            String::new(),
            format!(
                "[[supervisors]]\nname = \"s\"\nqueues = [\"q\"]\n\n[[supervisors.policies]]\n\
                 name = \"p\"\nevery = \"{every}\"\nwhen = {{ state = \"open\" }}\n\
                 action = {{ assign_to = \"agent\", pick = \"most_free_capacity\" }}\n"
            ),
        ),
        "disconnects" => (
            format!(
                "disconnects = {{ every = \"{every}\", duration = {{ dist = \"constant\", \
                 value = \"1ms\" }} }}\n"
            ),
            String::new(),
        ),
        _ => (
            format!("breaks = {{ every = \"{every}\", length = \"1ms\" }}\n"),
            String::new(),
        ),
    };
    format!(
        r#"[scenario]
name = "h"
horizon = "{horizon}"
seed = 1
service_level = "60s"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 50
handle_time = {{ dist = "exponential", mean = "5m" }}

[[queues]]
name = "q"
workstream = "chat"
arrivals = {{ rate = "1/h" }}

[[agent_groups]]
name = "a"
count = 50
queues = ["q"]
{group_extra}
{sup}"#
    )
}

/// Finding 3: a policy every 1 ms over 400 days (3.5 × 10¹⁰ evaluations), disconnects and
/// breaks every few milliseconds of 50 agents are refused at their key with the estimate;
/// `--allow-huge` turns the refusal into a warning; a policy every 1 ms over 4 h (1.0 × 10⁸
/// with the drain limit) warns, every second does not.
#[test]
fn time_driven_events_are_estimated_and_limited() {
    let cases = [
        (
            "policy",
            "400d",
            "1ms",
            "supervisors[0].policies[0].every",
            "3.465e10",
        ),
        (
            "disconnects",
            "400d",
            "1ms",
            "agent_groups[0].disconnects",
            "3.465e12",
        ),
        ("breaks", "30d", "2ms", "agent_groups[0].breaks", "1.339e11"),
    ];
    for (which, horizon, every, key, count) in cases {
        let s = timed(horizon, which, every);
        let (code, err, _d) = omnisim("t16-timed", &s, &["validate", "s.toml"]);
        assert_eq!(code, Some(2), "{which}: {err}");
        assert!(err.contains("s.toml:"), "{which}: {err}");
        assert!(err.contains(key), "{which}: {err}");
        assert!(err.contains(count), "{which}: {err}");
        assert!(
            err.contains("over the limit of 2000000000"),
            "{which}: {err}"
        );
        assert!(!err.contains("panicked"), "{which}: {err}");
        let (code, err, _d) = omnisim("t16-timed-h", &s, &["validate", "s.toml", "--allow-huge"]);
        assert_eq!(code, Some(0), "{which}: {err}");
        assert!(
            err.contains("warning:") && err.contains(key),
            "{which}: {err}"
        );
    }
    let (code, err, _d) = omnisim(
        "t16-a4h",
        &timed("4h", "policy", "1ms"),
        &["validate", "s.toml"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning:"), "{err}");
    assert!(err.contains("supervisors[0].policies[0].every"), "{err}");
    assert!(err.contains("100800000"), "{err}");
    let (code, err, _d) = omnisim(
        "t16-a1s",
        &timed("4h", "policy", "1s"),
        &["validate", "s.toml"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("driven by time"), "{err}");
}

/// Finding 3: every agent's shift starting after the horizon + drain limit is a warning at
/// validate, at the group's `shift`; with another group on shift, the idle group alone is.
#[test]
fn nobody_on_shift_during_the_run_warns() {
    let idle = "[[agent_groups]]\nname = \"g\"\ncount = 5\nqueues = [\"a\"]\n\
                shift = { start = \"30h\", end = \"40h\" }\n";
    let (code, err, _d) = omnisim("t16-noshift", &e("4h", "", idle), &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("agent_groups[0].shift"), "{err}");
    assert!(err.contains("1d4h"), "{err}");
    assert!(
        err.contains("no agent of the scenario is on shift"),
        "{err}"
    );
    let both = format!("[[agent_groups]]\nname = \"w\"\ncount = 1\nqueues = [\"a\"]\n\n{idle}");
    let (code, err, _d) = omnisim("t16-noshift2", &e("4h", "", &both), &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("agent_groups[1].shift"), "{err}");
    assert!(err.contains("never work"), "{err}");
    assert!(!err.contains("no agent of the scenario"), "{err}");
    // Within the drain limit is no warning: they answer what the horizon left.
    let drain = idle.replace("30h", "20h");
    let (code, err, _d) = omnisim(
        "t16-noshift3",
        &e("4h", "", &drain),
        &["validate", "s.toml"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("never work"), "{err}");
}

/// `n` queues of 0.01/h, one agent serving all, `reps` replications.
fn many_queues(n: usize, reps: u32) -> String {
    let mut s = format!(
        "[scenario]\nname = \"mq\"\nhorizon = \"1h\"\nseed = 1\nreplications = {reps}\n\n\
         [[workstreams]]\nname = \"chat\"\nchannel = \"live_chat\"\n\
         handle_time = {{ dist = \"exponential\", mean = \"5m\" }}\n"
    );
    for i in 0..n {
        s += &format!("\n[[queues]]\nname = \"q{i}\"\nworkstream = \"chat\"\narrivals = {{ rate = \"0.01/h\" }}\n");
    }
    let names: Vec<String> = (0..n).map(|i| format!("\"q{i}\"")).collect();
    s += &format!(
        "\n[[agent_groups]]\nname = \"a\"\ncount = 1\nqueues = [{}]\n",
        names.join(",")
    );
    s
}

/// Finding 2: the queues' memory (about 60 KB each, 15 KB more per further replication) is
/// estimated at validate: a warning above 1 GB at `queues[0].name`, a refusal above 16 GB
/// unless `--allow-huge`; 2,000 queues once is neither.
#[test]
fn many_queues_warn_or_are_refused_with_their_memory() {
    let (code, err, _d) = omnisim("t16-q1", &many_queues(2000, 1), &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("GB"), "{err}");
    let (code, err, _d) = omnisim("t16-q2", &many_queues(2000, 100), &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning:") && err.contains("queues[0].name"),
        "{err}"
    );
    assert!(
        err.contains("2000 queues over 100 replications need"),
        "{err}"
    );
    assert!(err.contains("3.1 GB"), "{err}");
    let (code, err, _d) = omnisim("t16-q3", &many_queues(2000, 1000), &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("queues[0].name") && err.contains("over the limit of 16 GB"),
        "{err}"
    );
    let (code, err, _d) = omnisim(
        "t16-q4",
        &many_queues(2000, 1000),
        &["validate", "s.toml", "--allow-huge"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning:") && err.contains("30.1 GB"), "{err}");
}

/// A seventeenth tester: `run --replications 100` on a file of 1 replication skipped the
/// queue-memory limit the file's own `replications = 100` meets (docs/workflows.md, "Command-line
/// limits"): refused naming the flag, before anything runs; `--allow-huge` lets it through.
#[test]
fn a_command_line_replication_count_meets_the_queue_memory_limit() {
    let (code, err, _d) = omnisim(
        "t17-q1",
        &many_queues(2000, 1),
        &["run", "s.toml", "--replications", "1000", "--out", "o"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--replications 1000") && err.contains("over the limit of 16 GB"),
        "{err}"
    );
    let (code, err, _d) = omnisim("t17-q2", &many_queues(2000, 1), &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{err}");
}

/// Rejects every invitation of `conv` until none is pending; returns how many.
fn reject_all(w: &mut crate::support::World, conv: omnisim::engine::ConvId) -> usize {
    let mut n = 0;
    while let Some((_, inv)) = w.invite(conv) {
        w.ok(omnisim::engine::Command::Reject(conv, inv));
        n += 1;
        assert!(n < 100, "rejections never end");
    }
    n
}

/// Finding 1 in the engine: a conversation both members refused 3 times is passed over (no
/// invitation left), a new one is still offered, an agent joining the queue is offered the
/// passed-over ones oldest first, and one leaving it leaves them passed over; the invariant
/// check after each command (`World`) includes the offerable sets being exactly the routable
/// conversations some member may still be offered.
#[test]
fn the_engine_passes_over_exhausted_conversations_and_revives_them_on_a_join() {
    use crate::support::{agent, one_queue, World};
    use omnisim::engine::Command;
    use omnisim::model::{AgentId, AssignmentMethod, QueueId};
    let mut setup = one_queue(AssignmentMethod::HighestCapacity, 50, &[100, 100]);
    setup.agents.push(agent(100, &[]));
    let mut w = World::new(setup);
    let q = QueueId(0);
    let c1 = w.arrive(q);
    assert_eq!(reject_all(&mut w, c1), 6);
    w.at(1_000);
    let c2 = w.arrive(q);
    assert_eq!(reject_all(&mut w, c2), 6);
    assert_eq!(w.invite(c1), None);
    w.at(2_000);
    w.ok(Command::JoinQueue(AgentId(2), q));
    assert_eq!(w.invite(c1).map(|i| i.0), Some(AgentId(2)));
    assert_eq!(w.accept(c1), AgentId(2));
    // Agent 2 has room for one more: c2, which the others refused.
    assert_eq!(w.invite(c2).map(|i| i.0), Some(AgentId(2)));
    w.at(3_000);
    w.ok(Command::LeaveQueue(AgentId(2), q));
    let c3 = w.arrive(q);
    assert!(w.invite(c3).is_some());
    assert_eq!(reject_all(&mut w, c3), 6);
    w.ok(Command::LeaveQueue(AgentId(0), q));
    assert_eq!(w.invite(c3), None);
}
