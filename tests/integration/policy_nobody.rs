//! Issue 25, kind 3 ("a loop that never ends; a CI job must never hang"), twentieth tester: a
//! supervisor policy assigning to an agent with nobody on shift made a short scenario run for
//! minutes, and `validate` said nothing. `noshift2.toml` (2 days, 600/h, one agent on shift for
//! the first hour, a policy every second): 2 min 23 s of wall time, `skipped_no_agent` =
//! 282,100,000 and 28,210 conversations given up, because every tick tried every Open
//! conversation (a pick finding nobody, each a failed attempt) until each had failed 10,000
//! times.
//!
//! Now a tick whose assignment or transfer has nobody who can take work in a queue (every
//! member Offline, on a break, or full under `overallocation = "deny"`; a named agent so)
//! tries none of that queue's conversations, charges none of them a failed attempt, and counts
//! one `skipped_no_agent` for the tick. Work is counted here, not time: the policy's attempts
//! (`accepted + refused + skipped_no_agent`) are bounded by its ticks plus the conversations.

use crate::procs::{code_and_stderr, json, temp_dir};

/// The tester's `noshift2.toml`, as found.
const NOSHIFT2: &str = r#"[scenario]
name = "noshift2"
horizon = "2d"
seed = 1
replications = 1

[[workstreams]]
name = "w"
channel = "live_chat"
handle_time = "5m"

[[queues]]
name = "q"
workstream = "w"
arrivals = { rate = "600/h" }

[[agent_groups]]
name = "a"
count = 1
queues = ["q"]
shift = { start = "0h", end = "1h" }

[[supervisors]]
name = "s"
queues = ["q"]
reaction = "0s"

[[supervisors.policies]]
name = "p"
every = "1s"
when = { state = "open", waited_at_least = "0s" }
action = { assign_to = "agent", pick = "most_free_capacity" }
"#;

/// One live-chat queue `q` (120/h for 2 h, drain limit 20 min, no patience, `handle` each),
/// the `groups` given, and supervisor `s` with policy `p` every `every` on Open conversations
/// doing `action`; `extra` ends the file (an `[engine]` section).
fn scenario(groups: &str, action: &str, every: &str, handle: &str, extra: &str) -> String {
    format!(
        r#"[scenario]
name = "nobody"
horizon = "2h"
drain_limit = "20m"
seed = 1

[[workstreams]]
name = "w"
channel = "live_chat"
handle_time = "{handle}"

[[queues]]
name = "q"
workstream = "w"
arrivals = {{ rate = "120/h" }}

{groups}

[[supervisors]]
name = "s"
queues = ["q"]

[[supervisors.policies]]
name = "p"
every = "{every}"
when = {{ state = "open" }}
action = {action}
{extra}
"#
    )
}

const MOST_FREE: &str = r#"{ assign_to = "agent", pick = "most_free_capacity" }"#;

/// Runs `text` (exit 0 asserted) and returns its summary.json.
fn run(tag: &str, text: &str) -> serde_json::Value {
    let dir = temp_dir(&format!("nobody-{tag}"));
    std::fs::write(dir.join("s.toml"), text).unwrap();
    let (code, err) = code_and_stderr(&dir, &["run", "s.toml", "--quiet", "--out", "out"]);
    assert_eq!(code, Some(0), "{tag}: {err}");
    json(&dir.join("out").join("summary.json"))
}

/// `policies."s/p"` counts of a summary: (accepted, refused, skipped_no_agent, given_up).
fn counts(s: &serde_json::Value) -> (u64, u64, u64, u64) {
    let p = &s["policies"]["s/p"];
    let n = |k: &str| p[k].as_u64().unwrap_or_else(|| panic!("{k}: {p}"));
    (
        n("accepted"),
        n("refused"),
        n("skipped_no_agent"),
        n("given_up"),
    )
}

fn arrived(s: &serde_json::Value) -> u64 {
    s["conversations"]["arrived"].as_u64().unwrap()
}

/// The tester's file: one skip per tick at most (2 days + the 24-hour drain limit, every
/// second: 259,200 ticks), no conversation given up and nothing refused. On main: 282,100,000
/// skips (one per Open conversation per tick) and 28,210 conversations given up.
#[test]
fn tester20_noshift2_costs_a_tick_not_a_conversation_per_tick() {
    let s = run("noshift2", NOSHIFT2);
    let (accepted, refused, skipped, given_up) = counts(&s);
    assert!(arrived(&s) > 20_000, "{s}");
    assert!(skipped > 0 && skipped <= 259_200, "{skipped} skips: {s}");
    assert_eq!((refused, given_up), (0, 0), "{s}");
    assert!(accepted > 0, "the hour on shift is still worked: {s}");
    // What is left waits for an agent (none comes back): counted at the end, not given up.
    assert_eq!(
        s["conversations"]["in_system_at_end"].as_u64().unwrap(),
        arrived(&s) - s["conversations"]["answered"].as_u64().unwrap(),
        "{s}"
    );
}

/// Variants: the only agent on a break nearly all the time; the only agent full (a 10-hour
/// conversation, `overallocation = "deny"`, round robin); a pick whose agents are all absent
/// (`absence = 1`, beside one agent on shift for 10 minutes); a named agent on shift only at
/// the end. Each tick with nobody costs one skip at most (2 h 20 min every second: 8,400
/// ticks), and nothing is refused or given up. On main: 41,111 skips; 1,211,943 ASSIGN-CAPACITY
/// refusals; 1,041,043 skips; 763,124 ASSIGN-AGENT-PRESENCE refusals.
#[test]
fn nobody_on_break_full_absent_or_off_shift_costs_one_skip_per_tick() {
    let one = |extra: &str| {
        format!("[[agent_groups]]\nname = \"a\"\ncount = 1\nqueues = [\"q\"]\n{extra}")
    };
    let cases = [
        (
            "break",
            scenario(
                &one("breaks = { every = \"10m\", length = \"9m50s\" }"),
                MOST_FREE,
                "1s",
                "5m",
                "",
            ),
        ),
        (
            "full",
            scenario(
                &one(""),
                r#"{ assign_to = "agent", pick = "round_robin" }"#,
                "1s",
                "10h",
                "\n[engine]\noverallocation = \"deny\"",
            ),
        ),
        (
            "absent",
            scenario(
                "[[agent_groups]]\nname = \"a\"\ncount = 2\nqueues = [\"q\"]\nabsence = 1\n\n\
                 [[agent_groups]]\nname = \"b\"\ncount = 1\nqueues = [\"q\"]\n\
                 shift = { start = \"0h\", end = \"10m\" }",
                r#"{ assign_to = "agent", pick = "least_loaded" }"#,
                "1s",
                "5m",
                "",
            ),
        ),
        (
            "named",
            scenario(
                &one("shift = { start = \"1h50m\", end = \"3h\" }"),
                r#"{ assign_to = "agent", agent = "a-1" }"#,
                "1s",
                "5m",
                "",
            ),
        ),
    ];
    for (tag, text) in cases {
        let s = run(tag, &text);
        let (_, refused, skipped, given_up) = counts(&s);
        assert!(arrived(&s) > 100, "{tag}: {s}");
        assert!(
            skipped > 0 && skipped <= 8_400,
            "{tag}: {skipped} skips: {s}"
        );
        assert_eq!((refused, given_up), (0, 0), "{tag}: {s}");
    }
}

/// A pick whose every agent (two, rejecting nearly everything) refused a conversation
/// `refusals_before_skip` times can never give it to anybody in its queue: the policy gives it
/// up at once, one skip for it, as it does for a named agent so skipped. On main: 2,590,000
/// skips, each conversation tried at every tick (every 100 ms) until its 10,000th failure.
#[test]
fn a_pick_every_agent_of_which_refused_the_conversation_gives_it_up_at_once() {
    let text = scenario(
        "[[agent_groups]]\nname = \"a\"\ncount = 2\nqueues = [\"q\"]\nreject_probability = 0.999",
        MOST_FREE,
        "100ms",
        "5m",
        "",
    );
    let s = run("refusing", &text);
    let (accepted, refused, skipped, given_up) = counts(&s);
    let n = arrived(&s);
    assert!(n > 100, "{s}");
    assert!(given_up >= 1 && given_up <= n, "{s}");
    assert!(skipped <= n, "{skipped} skips for {n} conversations: {s}");
    assert!(accepted + refused <= 3 * 2 * n, "{s}");
}

/// `validate` counts the conversations policy ticks look at: a monitor policy every second
/// over a month of 600 Active chats at once (3,600/h × 10 minutes) walks them all at every
/// tick, about 1.6 × 10⁹ looks, and is warned about at its `every`; the tester's file (a tick
/// looks at the few arrived since the last) is not. On main neither had a word.
#[test]
fn validate_warns_when_policy_ticks_would_look_at_too_many_conversations() {
    let busy = scenario(
        "[[agent_groups]]\nname = \"a\"\ncount = 700\nqueues = [\"q\"]",
        r#"{ monitor = true }"#,
        "1s",
        "10m",
        "",
    )
    .replace("horizon = \"2h\"", "horizon = \"30d\"")
    .replace("rate = \"120/h\"", "rate = \"3600/h\"")
    .replace(
        "when = { state = \"open\" }",
        "when = { state = \"active\" }",
    );
    for (tag, text, warned) in [
        ("busy", busy, true),
        ("noshift2", NOSHIFT2.to_string(), false),
    ] {
        let dir = temp_dir(&format!("nobody-validate-{tag}"));
        std::fs::write(dir.join("s.toml"), &text).unwrap();
        let (code, err) = code_and_stderr(&dir, &["validate", "s.toml"]);
        assert_eq!(code, Some(0), "{tag}: {err}");
        let said = err.contains(
            "supervisors[0].policies[0].every: supervisor policies are expected to look at about",
        );
        assert_eq!(said, warned, "{tag}: {err}");
        if warned {
            assert!(err.contains("the run will be slow"), "{err}");
            assert!(
                err.contains("× about 600 conversations each tick can try × 1 replication"),
                "{err}"
            );
        }
    }
}
