//! Issue 13, the scenario side of RT-PRIORITIZE and RT-RULESET: `[[queues.prioritization]]` and
//! `[[queues.assignment_rules]]` are read into the structures the engine gets (checked field by
//! field), the warnings `validate` gives for rules that load but cannot do what they say, and
//! roster agents named in `groups`. The error messages are in `tests/data/bad/` (files
//! `prioritization-*` and `assignment-*`).

use std::path::{Path, PathBuf};
use std::process::Command;

use omnisim::engine::{OrderBy, RuleSkills};
use omnisim::model::{Presence, PresenceSet};
use omnisim::scenario::{load_file, load_str, AssignmentRuleSpec, Scenario};

const GOOD: &str = r#"
[scenario]
name = "rulesets"
horizon = "1h"

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "5m" }
attributes = { language = { en = 0.7, es = 0.3 }, tier = { vip = 0.1, standard = 0.9 } }

[[queues]]
name = "plain"
workstream = "chat"
arrivals = { rate = "60/h" }

[[queues]]
name = "general"
workstream = "chat"
arrivals = { rate = "60/h" }

[[queues.prioritization]]
when = { tier = "vip" }

[[queues.prioritization]]
when = { language = "es", tier = ["vip", "standard"] }

[[queues.assignment_rules]]
name = "spanish-experts"
skills = "exact"
presence = ["available", "busy"]
groups = ["bilingual"]
order_by = "most_proficient"

[[queues.assignment_rules]]
skills = "closest"
groups = ["english", "bilingual"]

[[queues.assignment_rules]]
name = "anyone"
skills = "any"
presence = "available"
groups = ["vip-team", "english"]
order_by = "skill_count"

[[agent_groups]]
name = "english"
count = 2
queues = ["plain", "general"]
skills = { billing = 3 }

[[agent_groups]]
name = "bilingual"
count = 2
queues = ["general"]
skills = { spanish = 4, billing = 2 }

[[agent_groups]]
name = "vip-team"
count = 1
queues = ["general"]
skills = { spanish = 5, billing = 5 }
"#;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn temp_dir(name: &str) -> crate::procs::TempDir {
    crate::procs::TempDir::new(&format!("rulesets-{name}"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// (attribute index, value index) by name in work stream 0.
fn value(sc: &Scenario, attr: &str, val: &str) -> (usize, u16) {
    let attrs = &sc.workstreams[0].routing.attributes;
    let a = attrs.iter().position(|a| a.name == attr).expect(attr);
    let v = attrs[a].values.iter().position(|v| v == val).expect(val);
    (a, v as u16)
}

#[test]
fn prioritization_and_assignment_rules_are_read_as_written() {
    let sc = load_str(GOOD, "good.toml").unwrap_or_else(|e| panic!("{e}"));
    assert!(sc.warnings.is_empty(), "{:?}", sc.warnings);
    // A queue without the keys: arrival order, its `assignment` method.
    assert!(sc.queues[0].prioritization.is_empty());
    assert!(sc.queues[0].assignment_rules.is_empty());

    let q = &sc.queues[1];
    let (lang, es) = value(&sc, "language", "es");
    let (_, en) = value(&sc, "language", "en");
    let (tier, vip) = value(&sc, "tier", "vip");
    let (_, std_) = value(&sc, "tier", "standard");
    assert_eq!(q.prioritization.len(), 2);
    assert_eq!(q.prioritization[0].when.0, vec![(tier, vec![vip])]);
    let mut second = q.prioritization[1].when.0.clone();
    second.sort();
    let mut want = vec![(lang, vec![es]), (tier, vec![vip, std_])];
    want.sort();
    assert_eq!(second, want);
    // Every listed attribute must hold (values indexed per attribute).
    let attrs = |l: u16, t: u16| {
        let mut v = vec![0u16; 2];
        v[lang] = l;
        v[tier] = t;
        v
    };
    assert!(q.prioritization[0].when.holds(&attrs(en, vip)));
    assert!(!q.prioritization[0].when.holds(&attrs(es, std_)));
    assert!(q.prioritization[1].when.holds(&attrs(es, std_)));
    assert!(!q.prioritization[1].when.holds(&attrs(en, vip)));

    // Group indices follow [[agent_groups]]: english 0, bilingual 1, vip-team 2; `groups`
    // keeps the file's order.
    assert_eq!(
        q.assignment_rules,
        vec![
            AssignmentRuleSpec {
                name: "spanish-experts".into(),
                skills: RuleSkills::Exact,
                presence: Some(PresenceSet::of(&[Presence::Available, Presence::Busy])),
                groups: Some(vec![1]),
                order_by: OrderBy::MostProficient,
            },
            AssignmentRuleSpec {
                name: "rule-2".into(),
                skills: RuleSkills::Closest,
                presence: None,
                groups: Some(vec![0, 1]),
                order_by: OrderBy::AvailableCapacity,
            },
            AssignmentRuleSpec {
                name: "anyone".into(),
                skills: RuleSkills::Any,
                presence: Some(PresenceSet::of(&[Presence::Available])),
                groups: Some(vec![2, 0]),
                order_by: OrderBy::SkillCount,
            },
        ]
    );
}

#[test]
fn every_order_by_and_skills_value_is_read() {
    for o in OrderBy::ALL {
        for s in ["exact", "closest", "any"] {
            let text = GOOD
                .replace(
                    "order_by = \"skill_count\"",
                    &format!("order_by = {:?}", o.as_str()),
                )
                .replace("skills = \"any\"", &format!("skills = {s:?}"));
            let sc = load_str(&text, "o.toml").unwrap_or_else(|e| panic!("{e}"));
            let rule = &sc.queues[1].assignment_rules[2];
            assert_eq!(rule.order_by, o);
            assert_eq!(rule.skills.as_str(), s);
        }
    }
}

#[test]
fn bundled_scenarios_load_without_warnings_and_only_bilingual_support_uses_rulesets() {
    let mut files = Vec::new();
    for dir in ["scenarios", "tests/conformance"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    for f in &files {
        let sc = load_file(f).unwrap_or_else(|e| panic!("{e}"));
        assert!(sc.warnings.is_empty(), "{}: {:?}", f.display(), sc.warnings);
        let uses = sc
            .queues
            .iter()
            .any(|q| !q.prioritization.is_empty() || !q.assignment_rules.is_empty());
        let bilingual = f.ends_with("scenarios/bilingual-support.toml");
        assert_eq!(uses, bilingual, "{}", f.display());
    }
}

#[test]
fn bilingual_support_serves_vips_first_and_routes_general_by_a_ruleset() {
    let sc = load_file(&root().join("scenarios/bilingual-support.toml")).unwrap();
    let general = sc.queues.iter().find(|q| q.name == "general").unwrap();
    let (tier, vip) = value(&sc, "tier", "vip");
    assert_eq!(general.prioritization.len(), 1);
    assert_eq!(general.prioritization[0].when.0, vec![(tier, vec![vip])]);
    let group = |n: &str| sc.agent_groups.iter().position(|g| g.name == n).unwrap();
    let rules: Vec<(&str, RuleSkills, Option<Vec<usize>>, OrderBy)> = general
        .assignment_rules
        .iter()
        .map(|r| (r.name.as_str(), r.skills, r.groups.clone(), r.order_by))
        .collect();
    assert_eq!(
        rules,
        vec![
            (
                "english-team",
                RuleSkills::Exact,
                Some(vec![group("english")]),
                OrderBy::LeastActive
            ),
            (
                "spanish-experts",
                RuleSkills::Exact,
                Some(vec![group("bilingual"), group("vip-team")]),
                OrderBy::MostProficient
            ),
            (
                "closest-fit",
                RuleSkills::Closest,
                None,
                OrderBy::AvailableCapacity
            ),
        ]
    );
    assert_eq!(
        general.assignment_rules[2].presence,
        Some(PresenceSet::of(&[Presence::Available]))
    );
    assert!(sc
        .queues
        .iter()
        .filter(|q| q.name != "general")
        .all(|q| q.prioritization.is_empty() && q.assignment_rules.is_empty()));
}

const WARNED: &str = r#"
[scenario]
name = "warned"
horizon = "1h"

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "5m" }
attributes = { tier = { vip = 0.1, standard = 0.9 } }

[[workstreams]]
name = "mail"
channel = "messaging"
mode = "pick"
handle_time = { dist = "exponential", mean = "5m" }

[[queues]]
name = "q"
workstream = "chat"
assignment = "round_robin"
arrivals = { rate = "60/h" }

[[queues.prioritization]]

[[queues.prioritization]]
when = { tier = "vip" }

[[queues.assignment_rules]]
groups = ["tier1", "tier2"]

[[queues]]
name = "m"
workstream = "mail"

[[queues.assignment_rules]]
name = "any"

[[agent_groups]]
name = "tier1"
count = 2
queues = ["q", "m"]

[[agent_groups]]
name = "tier2"
count = 2
queues = ["m"]
"#;

#[test]
fn rules_that_cannot_act_are_warnings_and_the_scenario_still_loads() {
    let sc = load_str(WARNED, "w.toml").unwrap_or_else(|e| panic!("{e}"));
    let shown: Vec<String> = sc.warnings.iter().map(|w| w.to_string()).collect();
    let want = [
        "w.toml:21:14: queues[0].assignment: queue \"q\" has assignment rules: they replace `assignment`, which is not used",
        "w.toml:26:1: queues[0].prioritization[1]: this prioritization rule of queue \"q\" never gets a conversation: rule 1 has no `when` and takes every conversation first",
        "w.toml:30:20: queues[0].assignment_rules[0].groups[1]: agent group \"tier2\" is not a member of queue \"q\": this rule never picks its agents (hint: add \"q\" to the agent group's queues)",
        "w.toml:36:1: queues[1].assignment_rules: queue \"m\" has assignment rules but its work stream \"mail\" is in pick mode: assignment rules only apply to push routing (agents pick in pick mode)",
    ];
    assert_eq!(shown.len(), want.len(), "{shown:#?}");
    for (got, want) in shown.iter().zip(want) {
        assert!(got.starts_with(want), "{got}\nwanted {want}");
    }
    // A group that is not a member is still resolved (the engine finds no agent of it there).
    assert_eq!(sc.queues[0].assignment_rules[0].groups, Some(vec![0, 1]));
}

#[test]
fn validate_prints_warnings_on_stderr_and_exits_0() {
    let dir = temp_dir("cli");
    let file = write(&dir, "w.toml", WARNED);
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 4, "{err}");
    assert!(err.lines().all(|l| l.starts_with("warning: ")), "{err}");
    assert!(err.contains("is in pick mode"), "{err}");
    let quiet = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args(["validate", "--quiet"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(quiet.status.code(), Some(0));
    // `--quiet` hides the "valid" line, not the warnings (issue 25, twelfth session).
    assert!(
        quiet.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stdout)
    );
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), err);
}

const ROSTERED: &str = r#"
[scenario]
name = "roster-rules"
horizon = "3h"

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "constant", value = "1m" }

[[queues]]
name = "retail"
workstream = "chat"
arrivals = { rate = "10/h" }

[[queues]]
name = "other"
workstream = "chat"

[[queues.assignment_rules]]
name = "named-agents"
groups = ["GROUPS"]

[[agent_groups]]
name = "tier1"
count = 3
queues = ["retail", "other"]

[traffic]
roster = "roster.csv"
"#;

#[test]
fn roster_agents_are_groups_of_one_named_after_the_agent() {
    let dir = temp_dir("roster");
    write(
        &dir,
        "roster.csv",
        "agent,queues,shift_start,shift_end\n\
         ann,retail;other,0,3600\n\
         bob,retail,1800,5400\n",
    );
    let text = ROSTERED.replace("\"GROUPS\"", "\"ann\", \"tier1\", \"bob\"");
    let sc = load_file(&write(&dir, "r.toml", &text)).unwrap_or_else(|e| panic!("{e}"));
    // [[agent_groups]] first (tier1 = 0), then one group per roster agent in order.
    assert_eq!(sc.queues[1].assignment_rules[0].groups, Some(vec![1, 0, 2]));
    assert_eq!(sc.warnings.len(), 1, "{:?}", sc.warnings);
    let w = sc.warnings[0].to_string();
    assert!(
        w.contains("queues[1].assignment_rules[0].groups[2]: roster agent \"bob\" is not a member of queue \"other\""),
        "{w}"
    );

    let text = ROSTERED.replace("\"GROUPS\"", "\"bobb\"");
    let e = load_file(&write(&dir, "bad.toml", &text))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("queues[1].assignment_rules[0].groups[0]: unknown agent group \"bobb\"; expected one of \"tier1\", \"ann\", \"bob\" (hint: did you mean \"bob\"?)"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
}

#[test]
fn an_unreadable_roster_does_not_add_unknown_group_errors() {
    let dir = temp_dir("noroster");
    let text = ROSTERED.replace("\"GROUPS\"", "\"ann\"");
    let e = load_file(&write(&dir, "r.toml", &text))
        .unwrap_err()
        .to_string();
    assert!(!e.contains("unknown agent group"), "{e}");
    assert!(e.contains("roster.csv"), "{e}");
}

const SKILLED: &str = r#"
[scenario]
name = "unmatched"
horizon = "1h"

[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "exponential", mean = "5m" }
attributes = { language = { en = 0.7, es = 0.3 }, product = { billing = 0.5, tech = 0.5 } }
skill_matching = "MATCHING"

[[workstreams.classification]]
when = { language = "es" }
require = { spanish = 3 }

[[workstreams.classification]]
when = { product = "tech" }
require = { tech = 2 }

[[queues]]
name = "q"
workstream = "chat"
arrivals = { rate = "60/h" }
RULES
[[agent_groups]]
name = "english"
count = 2
queues = ["q"]
skills = { tech = 5 }

[[agent_groups]]
name = "bilingual"
count = 1
queues = ["BILINGUAL_QUEUE"]
skills = { spanish = 2, tech = 1 }

[[agent_groups]]
name = "expert"
count = 1
queues = ["EXPERT_QUEUE"]
skills = { spanish = 3, tech = 2 }
"#;

/// The (start, also contains) of each expected routing.unmatched warning.
type Expected<'a> = Vec<(String, &'a str)>;

/// Issue 13: a requirement no member of a queue can ever meet under exact matching is a
/// warning naming the queue and the skills (hand-worked per case). With assignment rules the
/// warning names the rules' groups, and any member outside them that does hold the skills: it
/// never says "no member holds" then (a fresh-user trial found it did).
#[test]
fn requirements_no_member_can_meet_under_exact_matching_are_warnings() {
    let exact_rules =
        "\n[[queues.assignment_rules]]\nname = \"english-only\"\ngroups = [\"english\"]\n";
    let closest_rule = "\n[[queues.assignment_rules]]\nname = \"english-only\"\ngroups = [\"english\"]\n\n[[queues.assignment_rules]]\nname = \"anyone\"\nskills = \"closest\"\n";
    // A closest rule whose only group is not a member of the queue serves nobody.
    let closest_outside = "\n[[queues.assignment_rules]]\nname = \"english-only\"\ngroups = [\"english\"]\n\n[[queues.assignment_rules]]\nname = \"bilingual-closest\"\nskills = \"closest\"\ngroups = [\"bilingual\"]\n";
    let nobody = |skills: &str| {
        format!("queues[0]: no member of queue \"q\" holds {skills}, which conversations with ")
    };
    let ruled = |skills: &str| {
        format!("queues[0]: no agent the assignment rules of queue \"q\" can pick (their groups: \"english\") holds {skills}, which conversations with ")
    };
    let expert = "(member group \"expert\" holds them, but no exact rule picks from it): no rule can serve them";
    // (matching, rules, bilingual's queue, expert's queue, (start, also contains) of each
    // routing.unmatched warning)
    let cases: Vec<(&str, &str, &str, &str, Expected)> = vec![
        // Members english (tech 5) and bilingual (spanish 2, tech 1): es needs spanish ≥ 3 —
        // nobody; es + tech needs spanish ≥ 3 and tech ≥ 2 — nobody; en + tech: english.
        (
            "exact",
            "",
            "q",
            "other",
            vec![
                (nobody("spanish ≥ 3"), "under exact matching"),
                (nobody("tech ≥ 2 and spanish ≥ 3"), "under exact matching"),
            ],
        ),
        // The expert (spanish 3, tech 2) meets both.
        ("exact", "", "q", "q", vec![]),
        // Closest and none exclude nobody.
        ("closest", "", "q", "other", vec![]),
        ("none", "", "q", "other", vec![]),
        // A ruleset of exact rules limited to english: the expert is a member and holds the
        // skills, but no rule can pick it.
        (
            "exact",
            exact_rules,
            "q",
            "q",
            vec![
                (ruled("spanish ≥ 3"), expert),
                (ruled("tech ≥ 2 and spanish ≥ 3"), expert),
            ],
        ),
        // The same without the expert in the queue: nobody outside the rules holds them either.
        (
            "exact",
            exact_rules,
            "q",
            "other",
            vec![
                (ruled("spanish ≥ 3"), "require: no rule can serve them"),
                (
                    ruled("tech ≥ 2 and spanish ≥ 3"),
                    "require: no rule can serve them",
                ),
            ],
        ),
        // A closest rule over every member serves everybody.
        ("exact", closest_rule, "q", "q", vec![]),
        // A closest rule over a group that is not a member serves nobody.
        (
            "exact",
            closest_outside,
            "other",
            "q",
            vec![
                (ruled("spanish ≥ 3"), expert),
                (ruled("tech ≥ 2 and spanish ≥ 3"), expert),
            ],
        ),
    ];
    for (matching, rules, bq, eq, want) in cases {
        let text = SKILLED
            .replace("MATCHING", matching)
            .replace("RULES", rules)
            .replace("BILINGUAL_QUEUE", bq)
            .replace("EXPERT_QUEUE", eq)
            .replace("[[agent_groups]]\nname = \"bilingual\"", "[[queues]]\nname = \"other\"\nworkstream = \"chat\"\n\n[[agent_groups]]\nname = \"bilingual\"");
        let sc = load_str(&text, "u.toml").unwrap_or_else(|e| panic!("{e}"));
        let shown: Vec<String> = sc
            .warnings
            .iter()
            .map(|w| w.to_string())
            .filter(|w| w.contains("queues[0]: ") && w.contains("routing.unmatched"))
            .collect();
        assert_eq!(shown.len(), want.len(), "{matching} {rules}: {shown:#?}");
        for (got, (start, also)) in shown.iter().zip(&want) {
            assert!(got.contains(start.as_str()), "{got}\nwanted {start}");
            assert!(got.contains(also), "{got}\nwanted {also}");
            if !rules.is_empty() {
                assert!(!got.contains("no member"), "{got}");
            }
        }
    }
}

#[test]
fn more_than_250_rules_of_a_kind_per_queue_is_bad_input() {
    let mut text = String::from(
        "[scenario]\nname = \"many\"\nhorizon = \"1h\"\n\n[[workstreams]]\nname = \"chat\"\nchannel = \"live_chat\"\nhandle_time = { dist = \"exponential\", mean = \"5m\" }\nattributes = { tier = { vip = 0.5, standard = 0.5 } }\n\n[[queues]]\nname = \"q\"\nworkstream = \"chat\"\narrivals = { rate = \"60/h\" }\n",
    );
    for _ in 0..251 {
        text.push_str("\n[[queues.prioritization]]\nwhen = { tier = \"vip\" }\n");
    }
    text.push_str("\n[[agent_groups]]\nname = \"a\"\ncount = 1\nqueues = [\"q\"]\n");
    let e = load_str(&text, "m.toml").unwrap_err().to_string();
    assert!(e.contains("251 rules; at most 250 per queue"), "{e}");
}
