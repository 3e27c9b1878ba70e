//! Issue 25, kind "a loop that never ends": a supervisor policy whose action the engine refuses
//! (or whose invitation the agent rejects) on a conversation tried again at every `every` for
//! as long as the conversation lived, and `validate` said nothing: `assign_to = "queue"` on
//! Active conversations at `every = "1ms"` made 1.43 billion ASSIGN-STATE refusals in an 8-hour
//! day; a named agent never on shift 1.44 billion ASSIGN-AGENT-PRESENCE refusals; agents who
//! reject everything 242 million invitations in 100 s, past `refusals_before_skip`.
//!
//! Now: a policy the engine refuses for every conversation it can match is a validation error
//! naming the rule (a warning when only some of its states or queues are refused); at run time
//! a policy gives a conversation up after 10,000 failed attempts (counted in `given_up`), and
//! its assignments follow RT-ELIGIBLE as routing's do.

use crate::procs::{code_and_stderr, json, temp_dir};

/// One queue `a` (and an empty `b`), group `g` of `AGENTS` agents serving both, the `EXTRA`
/// lines, one supervisor over both with policy `p` (`every`, `when`, `action`).
fn file(agents: u32, extra: &str, every: &str, when: &str, action: &str) -> String {
    format!(
        r#"[scenario]
name = "loop"
horizon = "2m"
drain_limit = "20m"
seed = 1

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = "10m"

[[queues]]
name = "a"
workstream = "chat"
arrivals = {{ rate = "120/h" }}

[[queues]]
name = "b"
workstream = "chat"

[[agent_groups]]
name = "g"
count = {agents}
queues = ["a", "b"]
{extra}

[[supervisors]]
name = "s"
queues = ["a", "b"]

[[supervisors.policies]]
name = "p"
every = "{every}"
when = {when}
action = {action}
"#
    )
}

/// [`file`] with a policy assigning every Open conversation to `small-1`, of capacity 50 where a
/// conversation takes 100 units, under `[engine] overallocation = OVERALLOCATION`.
fn small_agent(overallocation: &str) -> String {
    file(
        2,
        &format!(
            "\n[[agent_groups]]\nname = \"small\"\ncount = 1\ncapacity = 50\n\
             queues = [\"a\", \"b\"]\n\n[engine]\noverallocation = {overallocation}"
        ),
        "1ms",
        "{ state = \"open\" }",
        "{ assign_to = \"agent\", agent = \"small-1\" }",
    )
}

/// Validates `text`: exit code and stderr.
fn validate(tag: &str, text: &str) -> (Option<i32>, String) {
    let dir = temp_dir(&format!("suploops-{tag}"));
    std::fs::write(dir.join("s.toml"), text).unwrap();
    code_and_stderr(&dir, &["validate", "s.toml"])
}

/// Runs `text` and returns (exit code, stderr, summary.json).
fn run(tag: &str, text: &str) -> (Option<i32>, String, serde_json::Value) {
    let dir = temp_dir(&format!("suploops-run-{tag}"));
    std::fs::write(dir.join("s.toml"), text).unwrap();
    let (code, err) = code_and_stderr(&dir, &["run", "s.toml", "--quiet", "--out", "out"]);
    let summary = json(&dir.join("out").join("summary.json"));
    (code, err, summary)
}

fn u(v: &serde_json::Value, path: &[&str]) -> u64 {
    let mut v = v;
    for p in path {
        v = &v[*p];
    }
    v.as_u64()
        .unwrap_or_else(|| panic!("{path:?} is not a count: {v}"))
}

/// The tester's three files: each policy can never act, and `validate` says so with the rule,
/// at the policy's key path, exit 2.
#[test]
fn policies_that_can_never_act_are_refused_with_their_rule() {
    let cases = [
        (
            "active",
            file(
                60,
                "",
                "1ms",
                "{ state = \"active\" }",
                "{ assign_to = \"queue\", queue = \"b\" }",
            ),
            "supervisors[0].policies[0].when.state: policy \"p\" of supervisor \"s\" \
             (assign_to = \"queue\") can never act",
            "ASSIGN-STATE",
        ),
        (
            "offline",
            file(
                2,
                "\n[[agent_groups]]\nname = \"night\"\ncount = 1\nqueues = [\"a\"]\n\
                 shift = { start = \"30h\", end = \"31h\" }",
                "1ms",
                "{ state = \"open\" }",
                "{ assign_to = \"agent\", agent = \"night-1\" }",
            ),
            "supervisors[0].policies[0].action: policy \"p\" of supervisor \"s\" \
             (assign_to = \"agent\") can never act",
            "ASSIGN-AGENT-PRESENCE: agent \"night-1\" is on shift only from 108000 s",
        ),
        (
            "reject",
            file(
                2,
                "\n[[agent_groups]]\nname = \"r\"\ncount = 1\nqueues = [\"a\"]\n\
                 reject_probability = 1.0",
                "1ms",
                "{ state = \"open\" }",
                "{ assign_to = \"agent\", agent = \"r-1\" }",
            ),
            "can never act",
            "RT-INVITE: agent \"r-1\" rejects or ignores every invitation",
        ),
        // An eighteenth tester's find: an agent too small for one conversation even when
        // idle, with overallocation denied (19,509 refusals of 19,509, `validate` said valid).
        (
            "capacity-deny",
            small_agent("\"deny\""),
            "can never act",
            "ASSIGN-CAPACITY: agent \"small-1\" has capacity 50",
        ),
        // Variant: a bound on the overallocation that one conversation still exceeds.
        (
            "capacity-up-to",
            small_agent("20"),
            "can never act",
            "allows 20 units over",
        ),
    ];
    for (tag, text, at, rule) in cases {
        let (code, err) = validate(tag, &text);
        assert_eq!(code, Some(2), "{tag}: {err}");
        assert!(err.contains(at), "{tag}: {err}");
        assert!(err.contains(rule), "{tag}: {err}");
        assert!(err.contains("every 1 ms"), "{tag}: {err}");
    }
    // A bound the conversation fits within is accepted (over by 50, 60 allowed).
    let fits = small_agent("60");
    let (code, err) = validate("capacity-fits", &fits);
    assert_eq!(code, Some(0), "{err}");
}

/// Variants of my own: every kind of action the policy language offers, each refused for a
/// static reason; an absent agent (`absence = 1`); a pick among agents who all reject. And
/// what can succeed sometimes is not refused: a named agent on shift later in the run, a
/// monitor of Active conversations.
#[test]
fn every_action_kind_is_judged_and_what_can_succeed_is_accepted() {
    let never = [
        (
            "monitor-open",
            "{ state = \"open\" }",
            "{ monitor = true }",
            "",
            "MON-STATE",
        ),
        (
            "join-alone",
            "{ state = \"active\" }",
            "{ join = true }",
            "",
            "JOIN-MONITORING",
        ),
        (
            "transfer-open",
            "{ state = \"open\" }",
            "{ transfer_to = \"agent\", pick = \"least_loaded\" }",
            "",
            "TRANSFER-STATE",
        ),
        (
            "pick-all-reject",
            "{ state = \"open\" }",
            "{ assign_to = \"agent\", pick = \"most_free_capacity\" }",
            "REJECT",
            "RT-INVITE: every agent of queue \"a\"",
        ),
        (
            "absent",
            "{ state = \"open\" }",
            "{ assign_to = \"agent\", agent = \"g-1\" }",
            "ABSENT",
            "ASSIGN-AGENT-PRESENCE: agent \"g-1\" never comes in",
        ),
    ];
    for (tag, when, action, engine, rule) in never {
        let extra = match engine {
            "REJECT" => "reject_probability = 1.0",
            "ABSENT" => "absence = 1.0",
            _ => "",
        };
        let mut text = file(3, extra, "1s", when, action);
        if engine.starts_with('[') {
            text = text.replace("[[workstreams]]", &format!("{engine}\n[[workstreams]]"));
        }
        let (code, err) = validate(tag, &text);
        assert_eq!(code, Some(2), "{tag}: {err}");
        assert!(err.contains("can never act"), "{tag}: {err}");
        assert!(err.contains(rule), "{tag}: {err}");
        assert_eq!(err.matches("can never act").count(), 1, "{tag}: {err}");
    }
    // An `[engine]` switch off (an A/B of the rules does it on purpose): a warning.
    let switched = [
        (
            "force-close-off",
            "{ force_close = true }",
            "",
            "FORCE-CLOSE",
        ),
        (
            "assign-off",
            "{ assign_to = \"agent\", pick = \"round_robin\" }",
            "[engine]\nassign_enabled = false\n",
            "ASSIGN-DISABLED",
        ),
    ];
    for (tag, action, engine, rule) in switched {
        let text = file(3, "", "1s", "{ state = \"open\" }", action)
            .replace("[[workstreams]]", &format!("{engine}\n[[workstreams]]"));
        let (code, err) = validate(tag, &text);
        assert_eq!(code, Some(0), "{tag}: {err}");
        assert!(err.contains("warning: "), "{tag}: {err}");
        assert!(err.contains("can never act"), "{tag}: {err}");
        assert!(err.contains(rule), "{tag}: {err}");
    }
    let fine = [
        (
            "later-shift",
            "\n[[agent_groups]]\nname = \"late\"\ncount = 1\nqueues = [\"a\", \"b\"]\n\
             shift = { start = \"1m\", end = \"3h\" }",
            "{ state = \"open\" }",
            "{ assign_to = \"agent\", agent = \"late-1\" }",
        ),
        (
            "monitor-active",
            "",
            "{ state = \"active\" }",
            "{ monitor = true, join_if_sentiment_below = 0.5 }",
        ),
        (
            "some-reject",
            "\n[[agent_groups]]\nname = \"r\"\ncount = 1\nqueues = [\"a\"]\nreject_probability = 1.0",
            "{ state = \"open\" }",
            "{ assign_to = \"agent\", pick = \"least_loaded\" }",
        ),
    ];
    for (tag, extra, when, action) in fine {
        let (code, err) = validate(tag, &file(3, extra, "1s", when, action));
        assert_eq!(code, Some(0), "{tag}: {err}");
        assert!(!err.contains("refused"), "{tag}: {err}");
    }
}

/// A policy refused on some of its states only is a warning, not an error; at run time each
/// Active conversation it keeps trying is given up after 10,000 refusals (on main: 3,594,000
/// refusals for the 6 conversations, one per millisecond of each 10-minute handling).
#[test]
fn a_policy_refused_again_and_again_gives_the_conversation_up() {
    let text = file(
        10,
        "",
        "1ms",
        "{ state = [\"open\", \"active\"], waited_at_least = \"1s\" }",
        "{ assign_to = \"queue\", queue = \"b\" }",
    );
    let (code, err) = validate("mixed", &text);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(
            "warning: s.toml:34:18: supervisors[0].policies[0].when.state: policy \"p\" of \
             supervisor \"s\" (assign_to = \"queue\") is refused on every active conversation"
        ),
        "{err}"
    );
    assert!(err.contains("ASSIGN-STATE"), "{err}");
    let (code, err, s) = run("mixed", &text);
    assert_eq!(code, Some(0), "{err}");
    let arrived = u(&s, &["conversations", "arrived"]);
    assert!(arrived > 0);
    let refused = u(&s, &["policies", "s/p", "refused"]);
    let given_up = u(&s, &["policies", "s/p", "given_up"]);
    // Each conversation is Active for 10 minutes with agents free: refused at most 10,000
    // times, and given up once.
    assert!(
        refused <= 10_000 * arrived,
        "{refused} refusals for {arrived}"
    );
    assert!(
        given_up >= 1 && given_up <= arrived,
        "{given_up} of {arrived}"
    );
    assert_eq!(refused, 10_000 * given_up, "{s}");
}

/// The rejection loop: a named agent who rejects nearly everything (validation cannot call it
/// never) is invited by the policy no more than `refusals_before_skip` times per
/// conversation, as routing's RT-ELIGIBLE skips it; the policy gives the conversation up.
/// On main the policy invited it again at every check.
#[test]
fn a_named_agent_who_keeps_rejecting_is_skipped_as_routing_skips_it() {
    let text = file(
        0,
        "\n[[agent_groups]]\nname = \"r\"\ncount = 1\nqueues = [\"a\"]\nreject_probability = 0.999",
        "100ms",
        "{ state = \"open\" }",
        "{ assign_to = \"agent\", agent = \"r-1\" }",
    );
    let (code, err, s) = run("reject", &text);
    assert_eq!(code, Some(0), "{err}");
    let arrived = u(&s, &["conversations", "arrived"]);
    assert!(arrived > 0);
    let invited = u(&s, &["policies", "s/p", "accepted"]);
    let given_up = u(&s, &["policies", "s/p", "given_up"]);
    assert!(
        invited <= 3 * arrived,
        "{invited} invitations for {arrived}"
    );
    assert!(given_up >= 1, "{s}");
}
