//! Issue 13 follow-ups: where routing inputs come from. A retrying customer keeps its attribute
//! values (and so its classification requirement) and meets its queue's overflow rules like any
//! new conversation; a roster agent's `skills` column becomes its routing skills; a `callback`
//! overflow action is for voice only.

use std::path::{Path, PathBuf};

use omnisim::model::QueueId;
use omnisim::report::Report;
use omnisim::scenario::{load_file, load_str, Scenario};
use omnisim::sim::{self, RunOptions};

fn run_log(sc: &Scenario) -> (sim::RunOutput, Vec<sim::log::ConvLog>) {
    sim::run_logged(sc, &RunOptions::default(), &|_, _, _| {})
}

fn temp_dir(tag: &str) -> crate::procs::TempDir {
    crate::procs::TempDir::new(&format!("routing-inputs-{tag}"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Spanish conversations (queue `es`, work stream `es-chat`: every conversation draws language
/// `es` and requires `spanish`) and English ones (queue `en`). One Spanish agent, busy for 5 min
/// per conversation, so most Spanish customers give up (patience 1 min) and half of them retry;
/// three English-only agents are members of both queues and mostly idle. Under exact matching
/// no English-only agent may ever take a Spanish conversation, first contact or retrial.
const RETRYING: &str = r#"
[scenario]
name = "retrying-spanish"
horizon = "8h"
seed = 3
replications = 2

[[workstreams]]
name = "es-chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "5m" }
patience = { dist = "exponential", mean = "1m" }
retrial = { probability = 0.5, delay = { dist = "exponential", mean = "2m" } }
attributes = { language = { es = 1.0 } }
skill_matching = "exact"

[[workstreams.classification]]
when = { language = "es" }
require = { spanish = 3 }

[[workstreams]]
name = "en-chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "5m" }
attributes = { language = { en = 1.0 } }

[[workstreams.classification]]
require = { english = 3 }

[[queues]]
name = "es"
workstream = "es-chat"
arrivals = { rate = "30/h" }

[[queues]]
name = "en"
workstream = "en-chat"
arrivals = { rate = "6/h" }

[[agent_groups]]
name = "spanish"
count = 1
queues = ["es"]
skills = { spanish = 5 }

[[agent_groups]]
name = "english"
count = 3
queues = ["es", "en"]
skills = { english = 5 }
"#;

/// Answered rows of queue `es` (wrong: not by a `spanish-` agent) and of queue `en`.
fn answered_by_language(sc: &Scenario, logs: &[sim::log::ConvLog]) -> (u32, u32, Vec<String>) {
    let (es, en) = (QueueId(0), QueueId(1));
    let (mut es_answered, mut en_answered, mut wrong) = (0, 0, Vec::new());
    for log in logs {
        for r in &log.rows {
            let Some(agent) = r.agent else { continue };
            let name = sc.agent_name(agent);
            if r.queue == es {
                es_answered += 1;
                if !name.starts_with("spanish-") {
                    wrong.push(format!(
                        "rep {} at {:?}: {name}",
                        log.replication, r.arrival
                    ));
                }
            } else if r.queue == en {
                en_answered += 1;
                assert!(name.starts_with("english-"), "{name}");
            }
        }
    }
    (es_answered, en_answered, wrong)
}

#[test]
fn a_retrial_keeps_its_classification_and_reaches_only_skilled_agents() {
    let sc = load_str(RETRYING, "retrying.toml").unwrap_or_else(|e| panic!("{e}"));
    let (out, logs) = run_log(&sc);
    let summary = Report::build(&sc, &out).summary;
    assert_eq!(summary.invariant_violations, 0);
    let c = &summary.conversations;
    // The run must exercise retrials, or the check below says nothing.
    assert!(c.retrials > 20, "{}", c.retrials);
    let (es_answered, en_answered, wrong) = answered_by_language(&sc, &logs);
    assert!(
        wrong.is_empty(),
        "Spanish contacts answered by English-only agents: {wrong:?}"
    );
    // Both sides did work: the English agents were free to take Spanish retrials had they been
    // offered them.
    assert!(
        es_answered > 50 && en_answered > 50,
        "{es_answered} {en_answered}"
    );
}

/// One work stream with its own arrivals, half Spanish, half English; route-to-queue sends
/// Spanish conversations to `es` and the rest to `en`; the same agents as above. A retrial comes
/// back to its first contact's queue with its first contact's language.
const ROUTED: &str = r#"
[scenario]
name = "retrying-routed"
horizon = "8h"
seed = 8
replications = 2

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "5m" }
patience = { dist = "exponential", mean = "1m" }
retrial = { probability = 0.5, delay = { dist = "exponential", mean = "2m" } }
attributes = { language = { en = 0.5, es = 0.5 } }
arrivals = { rate = "40/h" }
fallback_queue = "en"

[[workstreams.classification]]
when = { language = "es" }
require = { spanish = 3 }

[[workstreams.classification]]
when = { language = "en" }
require = { english = 3 }

[[workstreams.route_to_queue]]
when = { language = "es" }
queues = ["es"]

[[queues]]
name = "es"
workstream = "chat"

[[queues]]
name = "en"
workstream = "chat"

[[agent_groups]]
name = "spanish"
count = 1
queues = ["es"]
skills = { spanish = 5 }

[[agent_groups]]
name = "english"
count = 3
queues = ["es", "en"]
skills = { english = 5 }
"#;

#[test]
fn a_routed_retrial_keeps_its_language() {
    let sc = load_str(ROUTED, "routed.toml").unwrap_or_else(|e| panic!("{e}"));
    let (out, logs) = run_log(&sc);
    let summary = Report::build(&sc, &out).summary;
    assert_eq!(summary.invariant_violations, 0);
    assert!(
        summary.conversations.retrials > 20,
        "{}",
        summary.conversations.retrials
    );
    let (es_answered, en_answered, wrong) = answered_by_language(&sc, &logs);
    assert!(
        wrong.is_empty(),
        "Spanish contacts answered by English-only agents: {wrong:?}"
    );
    assert!(
        es_answered > 50 && en_answered > 50,
        "{es_answered} {en_answered}"
    );
}

/// Half Spanish, half English conversations, routed to queues `es` and `en` by language; a
/// `[[agent_groups]]` of English agents serving `en`, and a roster (written by the tests) of
/// `maria`, who alone holds `spanish`, and `john`, English only, both members of `es`.
const ROSTERED: &str = r#"
[scenario]
name = "roster-skills"
horizon = "8h"
seed = 4
replications = 2

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "3m" }
attributes = { language = { en = 0.5, es = 0.5 } }
arrivals = { rate = "20/h" }
fallback_queue = "en"

[[workstreams.classification]]
when = { language = "es" }
require = { SKILL = 3 }

[[workstreams.classification]]
when = { language = "en" }
require = { english = 3 }

[[workstreams.route_to_queue]]
when = { language = "es" }
queues = ["es"]

[[queues]]
name = "es"
workstream = "chat"

[[queues]]
name = "en"
workstream = "chat"

[[agent_groups]]
name = "english"
count = 2
queues = ["en"]
skills = { english = 6 }

[traffic]
roster = "roster.csv"
"#;

const ROSTER: &str = "agent,queues,shift_start,shift_end,capacity,skills\n\
    maria,es,0,28800,100,spanish:5\n\
    john,es;en,0,28800,100,english:4\n";

#[test]
fn roster_skills_are_routing_skills() {
    let dir = temp_dir("roster");
    write(&dir, "roster.csv", ROSTER);
    let sc = load_file(&write(
        &dir,
        "r.toml",
        &ROSTERED.replace("SKILL", "spanish"),
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    // The groups' skill first, then the roster-only one.
    assert_eq!(
        sc.skills,
        vec!["english".to_string(), "spanish".to_string()]
    );
    let skills_of = |name: &str| {
        let g = sc.agent_groups.iter().find(|g| g.name == name).unwrap();
        g.skills.clone()
    };
    assert_eq!(skills_of("maria"), vec![(1, 5)]);
    assert_eq!(skills_of("john"), vec![(0, 4)]);
    assert_eq!(
        sc.workstreams[0].routing.classification[0].require,
        vec![(1, 3)]
    );
    let (out, logs) = run_log(&sc);
    let summary = Report::build(&sc, &out).summary;
    assert_eq!(summary.invariant_violations, 0);
    let (es, en) = (QueueId(0), QueueId(1));
    let mut by = std::collections::BTreeMap::<(u32, String), u32>::new();
    for log in &logs {
        for r in &log.rows {
            if let Some(a) = r.agent {
                *by.entry((r.queue.0, sc.agent_name(a))).or_default() += 1;
            }
        }
    }
    let count = |q: QueueId, who: &str| by.get(&(q.0, who.to_string())).copied().unwrap_or(0);
    // Spanish conversations go to maria only; john (English only, a member of `es`) never
    // takes one, and does take English ones.
    let es_total: u32 = by
        .iter()
        .filter(|(k, _)| k.0 == es.0)
        .map(|(_, n)| *n)
        .sum();
    assert!(count(es, "maria") > 50, "{by:?}");
    assert_eq!(count(es, "maria"), es_total, "{by:?}");
    assert!(count(en, "john") > 10, "{by:?}");
    assert_eq!(count(en, "maria"), 0, "{by:?}");
}

#[test]
fn a_skill_nobody_holds_is_still_an_error_with_a_roster() {
    let dir = temp_dir("roster-typo");
    write(&dir, "roster.csv", ROSTER);
    let err = load_file(&write(&dir, "r.toml", &ROSTERED.replace("SKILL", "spansh")))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("skill \"spansh\" is held by no agent group or roster agent"),
        "{err}"
    );
    assert!(
        err.contains("the agents hold \"english\", \"spanish\""),
        "{err}"
    );
    assert!(err.contains("did you mean \"spanish\"?"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // A roster that cannot be read reports its own problem only: the skills it may hold are
    // unknown, so `spanish` is not called a skill nobody holds.
    write(
        &dir,
        "roster.csv",
        &ROSTER.replace("0,28800,100,spanish", "0,later,100,spanish"),
    );
    let err = load_file(&write(
        &dir,
        "r.toml",
        &ROSTERED.replace("SKILL", "spanish"),
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("roster.csv:2:"), "{err}");
    assert!(!err.contains("held by no agent"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// A voice queue whose every caller is offered a callback before queueing (`work_items_over`
/// with limit 0 always triggers): nobody abandons, every caller is answered in the end.
const CALLBACKS: &str = r#"
[scenario]
name = "callbacks"
horizon = "4h"
seed = 6

[[workstreams]]
name = "calls"
channel = "voice"
handle_time = { dist = "constant", value = "10m" }
patience = { dist = "exponential", mean = "1m" }

[[queues]]
name = "phone"
workstream = "calls"
arrivals = { rate = "20/h" }
OVERFLOW
[[agent_groups]]
name = "a"
count = 2
queues = ["phone"]
"#;

#[test]
fn a_voice_callback_keeps_every_caller_and_a_chat_callback_is_refused() {
    let rule =
        "[[queues.overflow]]\nwhen = \"work_items_over\"\nlimit = 0\naction = \"callback\"\n";
    let run = |text: &str| {
        let sc = load_str(text, "callbacks.toml").unwrap_or_else(|e| panic!("{e}"));
        let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
        Report::build(&sc, &out).summary
    };
    // Without the rule, 2 agents for 20 calls/h of 10 min (offered load 3.3) leave many callers
    // to give up.
    let plain = run(&CALLBACKS.replace("OVERFLOW", ""));
    assert!(
        plain.conversations.abandoned > 20,
        "{:?}",
        plain.conversations
    );
    let with = run(&CALLBACKS.replace("OVERFLOW", rule));
    let c = &with.conversations;
    assert_eq!(c.abandoned, 0);
    assert_eq!(c.answered, c.arrived);
    assert_eq!(with.overflow.as_ref().unwrap().callbacks, c.arrived);
    // The same rule on a live-chat queue is refused at its `action`.
    let chat = CALLBACKS
        .replace("OVERFLOW", rule)
        .replace("channel = \"voice\"", "channel = \"live_chat\"");
    let err = load_str(&chat, "chat.toml").unwrap_err().to_string();
    assert!(
        err.contains("queues[0].overflow[0].action: `callback` applies to voice only; queue \"phone\" takes work stream \"calls\", a live_chat channel"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// One caller at 10 min who gives up after 1 min and always calls back 30 min later; the queue
/// is open 00:00–00:45 and ends out-of-hours contacts.
const AFTER_HOURS: &str = r#"
[scenario]
name = "after-hours-retrial"
horizon = "2h"

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "constant", value = "5m" }
patience = { dist = "constant", value = "1m" }
retrial = { probability = 1.0, delay = { dist = "constant", value = "30m" } }

[[queues]]
name = "q"
workstream = "chat"
arrivals = { times = ["10m"] }
operating_hours = [{ from = "00:00", to = "00:45" }]

[[queues.overflow]]
when = "out_of_hours"
action = "end"

[[queues]]
name = "other"
workstream = "chat"

[[agent_groups]]
name = "a"
count = 1
queues = ["other"]
"#;

#[test]
fn a_retrial_meets_the_queues_overflow_rules() {
    let sc = load_str(AFTER_HOURS, "after-hours.toml").unwrap_or_else(|e| panic!("{e}"));
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    let s = Report::build(&sc, &out).summary;
    let c = &s.conversations;
    // 10 min: arrives, gives up at 11; 41 min (open): queued, gives up at 42; 72 min: out of
    // hours, ended by overflow, so it does not retry again.
    assert_eq!((c.arrived, c.retrials, s.customers), (3, 2, 1));
    assert_eq!((c.answered, c.abandoned, c.overflowed), (0, 2, Some(1)));
    assert_eq!(s.overflow.as_ref().unwrap().ended, 1);
    // The run lasts its 2 h horizon (issue 27 item 12: not until the last event, at 72 min).
    assert_eq!(out.reps[0].end.as_millis(), 2 * 3_600_000);
}
