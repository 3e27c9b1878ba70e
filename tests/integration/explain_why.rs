//! Issue 24: `explain` says why, from the engine's own records in `trace.jsonl`: a
//! conversation's attributes and required skills, the assignment rules tried before the one
//! that decided, why a conversation waited (every member of its queue by reason), the skill
//! nobody in the queue holds, and "never" for an agent never assigned.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use omnisim::trace::{Kind, TraceLine};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `scenario` with `--trace --trace-replication 1` into a fresh folder; its lines.
fn traced(scenario: &str, tag: &str) -> (Vec<TraceLine>, crate::procs::TempDir) {
    let dir = crate::procs::TempDir::unmade(&format!("why-{tag}"));
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .arg("run")
        .arg(root().join(scenario))
        .args(["--trace", "--trace-replication", "1", "--quiet", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = std::fs::read_to_string(dir.join("trace.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines, dir)
}

fn explain(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .arg("explain")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn map<V: Copy>(pairs: &[(&str, V)]) -> BTreeMap<String, V> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// Every conversation of `tests/data/explain/missing-skill.toml` requires french 2 in a queue
/// of two English speakers: the first one, in an empty center, finds both members free and
/// without the skill; the story names the skill nobody there holds. The French speaker, whose
/// queue gets nothing, was never assigned.
#[test]
fn a_conversation_nobody_can_serve_names_the_missing_skill() {
    let (lines, dir) = traced("tests/data/explain/missing-skill.toml", "missing");
    let arrive = lines
        .iter()
        .find(|l| l.what == "arrive" && l.conversation == Some(1))
        .unwrap();
    let fr = BTreeMap::from([("language".to_string(), "fr".to_string())]);
    assert_eq!(arrive.attributes, Some(fr));
    assert_eq!(arrive.requires, Some(map(&[("french", 2u8)])));
    let waits: Vec<&TraceLine> = lines.iter().filter(|l| l.what == "waiting").collect();
    let arrivals = lines.iter().filter(|l| l.what == "arrive").count();
    assert!(arrivals > 3);
    assert_eq!(waits.len(), arrivals, "every arrival waits");
    let first = waits[0];
    assert_eq!(first.conversation, Some(1));
    assert_eq!((first.kind, first.agent.as_deref()), (Kind::Routing, None));
    assert_eq!(first.passed_over, Some(map(&[("skills", 2u32)])));
    assert_eq!(first.missing, Some(map(&[("french", 2u8)])));
    assert_eq!(first.qualified, Some(0));
    for w in &waits {
        assert_eq!(w.passed_over.as_ref().unwrap().values().sum::<u32>(), 2);
        assert_eq!(w.missing, Some(map(&[("french", 2u8)])));
    }
    let (code, story) = explain(&dir, &["--conversation", "1"]);
    assert_eq!(code, 0, "{story}");
    assert!(
        story.contains(
            "arrived in queue main; attributes language fr; requires french 2 (RT-CLASSIFY)"
        ),
        "{story}"
    );
    assert!(
        story.contains(
            "nobody in queue main could take it, so it waits (RT-SKILL): of its 2 members, 2 \
             without a required skill or rating (RT-SKILL); it requires french 2: no member of \
             main holds french 2, so nobody there can ever serve it by an exact match"
        ),
        "{story}"
    );
    assert!(
        story.contains("closed (abandoned) 0:05:00 after it arrived"),
        "{story}"
    );
    let (code, story) = explain(&dir, &["--agent", "franco-1"]);
    assert_eq!(code, 0, "{story}");
    assert!(story.contains("never assigned"), "{story}");
    // A misspelt name is still an error with a suggestion.
    let (code, story) = explain(&dir, &["--agent", "franco-9"]);
    assert_eq!(code, 2, "{story}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The bilingual day (replication 1): every wait counts each member of its queue once (vip
/// has the 3 VIP agents and the 2 night agents, after-hours the 2 night agents), and every
/// choice by `spanish-experts` of a Spanish conversation says why `english-team` found nobody:
/// the 10 bilingual and VIP agents are outside its groups, and none of its 14 English agents
/// was eligible (no Spanish, or busy, away, offline first).
#[test]
fn waits_and_earlier_rules_count_every_member_by_reason() {
    let (lines, dir) = traced("scenarios/bilingual-support.toml", "bilingual");
    let members = map(&[("vip", 5u32), ("after-hours", 2), ("general", 24)]);
    let waits: Vec<&TraceLine> = lines.iter().filter(|l| l.what == "waiting").collect();
    assert!(waits.len() > 50, "{}", waits.len());
    for w in &waits {
        let q = w.queue.clone().unwrap();
        let total: u32 = w.passed_over.as_ref().unwrap().values().sum();
        assert_eq!(total, members[&q], "{w:?}");
        assert!(
            w.requires.is_some(),
            "every conversation requires a skill here"
        );
    }
    let spanish: Vec<u64> = lines
        .iter()
        .filter(|l| l.what == "arrive")
        .filter(|l| {
            l.requires
                .as_ref()
                .is_some_and(|r| r.contains_key("spanish"))
        })
        .filter_map(|l| l.conversation)
        .collect();
    let by_experts: Vec<&TraceLine> = lines
        .iter()
        .filter(|l| l.what == "routed" && l.assignment_rule.as_deref() == Some("spanish-experts"))
        .filter(|l| l.conversation.is_some_and(|c| spanish.contains(&c)))
        .collect();
    assert!(by_experts.len() > 100, "{}", by_experts.len());
    for l in &by_experts {
        let tried = l.tried.as_ref().expect("english-team was tried first");
        assert_eq!(tried.len(), 1);
        assert_eq!(tried[0].rule, "english-team");
        let p = &tried[0].passed_over;
        assert_eq!(p.get("rule_groups"), Some(&10), "{l:?}");
        assert_eq!(p.values().sum::<u32>(), 24, "{l:?}");
        assert!(!p.contains_key("ranked_below"), "{l:?}");
    }
    // Conversation 164: Spanish, routed by spanish-experts at 8:01:36 with every English
    // agent free, so all 14 lacked the skill.
    let (code, story) = explain(&dir, &["--conversation", "164"]);
    assert_eq!(code, 0, "{story}");
    assert!(
        story.contains("attributes language es, product tech, tier standard; requires spanish 3, tech 2 (RT-CLASSIFY)"),
        "{story}"
    );
    assert!(
        story.contains("before it, rule \"english-team\" found nobody (10 outside the rule's agent groups, 14 without a required skill or rating (RT-SKILL))"),
        "{story}"
    );
    // Conversation 811 waited in vip at 12:14:21 with all five members at capacity.
    let (_, story) = explain(&dir, &["--conversation", "811"]);
    assert!(
        story.contains("12:14:21 nobody in queue vip could take it, so it waits (RT-SKILL): of its 5 members, 5 at capacity; it requires tech 4, which 5 members hold"),
        "{story}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `least_active` of an agent that has released no capacity yet: "never", not "at 0:00:00".
#[test]
fn least_active_of_an_agent_never_assigned_says_never() {
    let (lines, dir) = traced("scenarios/rules-playbook.toml", "playbook");
    let first = lines
        .iter()
        .find(|l| l.what == "routed" && l.order_by.as_deref() == Some("last_release_ms"))
        .expect("tech routes by least_active");
    assert_eq!(first.key, Some(-1), "nobody has released capacity yet");
    let c = first.conversation.unwrap().to_string();
    let (_, story) = explain(&dir, &["--conversation", &c]);
    assert!(
        story.contains("least_active: longest since it last released capacity: never"),
        "{story}"
    );
    assert!(!story.contains("at 0:00:00"), "{story}");
    std::fs::remove_dir_all(&dir).unwrap();
}
