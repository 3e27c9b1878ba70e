//! Issue 25, a twelfth fresh tester (branch `fixe-10`): a roster agent could not be named by a
//! supervisor (`agent = "ann"`: "not an agent name; expected <group>-<number>"); a roster
//! agent's empty `skills` cell on its first row made a later row's skills "other skills"; an
//! agent handed conversations by supervisor transfers showed 0 conversations in `agents.csv`
//! and "never assigned" in `explain`; and on a cut trace each agent's story put the trace's end
//! at the agent's own last line.

use std::path::Path;

use crate::procs::{json, run_in, temp_dir, text};

/// The tester's `tr` scenario: queue `q` (chat, 20/h), group `g` of 2, roster `r.csv` (ann,
/// 08:00–08:30, 300 units), supervisor `boss` with the two policies `to_ann` and `to_g1`
/// (each a `transfer_to = "agent"` action), and `sup_extra` lines in `[[supervisors]]`.
fn tr(to_ann: &str, to_g1: &str, sup_extra: &str) -> String {
    format!(
        r#"[scenario]
name = "tr"
start = "2026-03-02T08:00"
horizon = "1h"
seed = 2

[[workstreams]]
name = "c"
channel = "live_chat"
handle_time = {{ dist = "exponential", mean = "10m" }}
patience = {{ dist = "exponential", mean = "5m" }}

[[queues]]
name = "q"
workstream = "c"
arrivals = {{ rate = "20/h" }}

[[agent_groups]]
name = "g"
count = 2
queues = ["q"]

[[supervisors]]
name = "boss"
queues = ["q"]
reaction = "2s"
{sup_extra}

[[supervisors.policies]]
name = "to-ann"
every = "30s"
when = {{ state = "active", queue = "q" }}
action = {{ transfer_to = "agent", {to_ann} }}

[[supervisors.policies]]
name = "to-g1"
every = "45s"
when = {{ state = "active", queue = "q" }}
action = {{ transfer_to = "agent", {to_g1} }}

[traffic]
roster = "r.csv"
"#
    )
}

const ROSTER: &str = "agent,queues,shift_start,shift_end,capacity\n\
                      ann,q,2026-03-02T08:00,2026-03-02T08:30,300\n";

/// A folder holding `s.toml` (`scenario`) and `r.csv` ([`ROSTER`]).
fn folder(tag: &str, scenario: &str) -> crate::procs::TempDir {
    let dir = temp_dir(tag);
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    std::fs::write(dir.join("r.csv"), ROSTER).unwrap();
    dir
}

/// `omnisim ARGS` in `dir`: exit code and stderr.
fn omnisim(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = run_in(dir, args);
    (o.status.code(), text(&o.stderr))
}

/// Finding 1: `transfer_to = "agent", agent = "ann"` and `[[supervisors]] agent = "ann"`
/// (ann a roster agent) were refused as no agent name; both load, and the transfers go to ann.
#[test]
fn a_roster_agent_is_named_like_a_group_agent() {
    let dir = folder("t12-name", &tr(r#"agent = "ann""#, r#"agent = "g-1""#, ""));
    let (code, e) = omnisim(&dir, &["run", "s.toml", "--out", "o", "--trace"]);
    assert_eq!(code, Some(0), "{e}");
    let trace = std::fs::read_to_string(dir.join("o/trace.jsonl")).unwrap();
    // The policy's transfers are commands to ann (refused TRANSFER-STATE while ann, routing's
    // favourite at 300 units, already holds the conversation).
    let to_ann = trace
        .lines()
        .filter(|l| l.contains(r#""kind":"command""#) && l.contains(r#""what":"transfer""#))
        .filter(|l| l.contains(r#""agent":"ann""#))
        .count();
    assert!(to_ann > 0, "no transfer to ann in the trace");
    // The supervisor working as the roster agent (MON-SELF).
    let dir = folder(
        "t12-self",
        &tr(r#"agent = "ann""#, r#"agent = "g-1""#, r#"agent = "ann""#),
    );
    let (code, e) = omnisim(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{e}");
    // Variant: `pick` naming the roster agent, and `assign_to = "agent"` in a script.
    let script = "[[supervisors.script]]\nat = \"5m\"\n\
                  action = { assign_to = \"agent\", agent = \"ann\" }\ntarget = { queue = \"q\" }";
    let text = tr(r#"pick = "ann""#, r#"agent = "g-2""#, "") + "\n";
    let text = text.replace("[traffic]", &format!("{script}\n\n[traffic]"));
    let dir = folder("t12-pick", &text);
    let (code, e) = omnisim(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{e}");
}

/// Finding 1, the message: an unknown name says which names are valid (the group agents'
/// ranges and the roster's names) and suggests the nearest, whatever kind it is.
#[test]
fn an_unknown_agent_lists_group_and_roster_names_with_the_nearest() {
    let dir = folder(
        "t12-unknown",
        &tr(r#"agent = "an""#, r#"agent = "g-3""#, r#"agent = "g1""#),
    );
    let (code, e) = omnisim(&dir, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{e}");
    let expected = "expected a group agent's name <group>-<number> (g-1 … g-2) or a roster \
                    agent's name (\"ann\")";
    assert!(
        e.contains(&format!(
            "supervisors[0].policies[0].action.agent: unknown agent \"an\"; {expected} (hint: \
             did you mean \"ann\"?)"
        )),
        "{e}"
    );
    assert!(
        e.contains(&format!(
            "supervisors[0].policies[1].action.agent: unknown agent \"g-3\"; {expected}"
        )),
        "{e}"
    );
    assert!(
        e.contains(&format!(
            "supervisors[0].agent: unknown agent \"g1\"; {expected} (hint: did you mean \"g-1\"?)"
        )),
        "{e}"
    );
    assert!(!e.contains("not an agent name"), "{e}");
}

/// A roster-only scenario: queue `q` whose conversations require skill `x` at 3, so the
/// scenario loads only when a roster agent holds it; roster `roster.csv`.
const SKILLED: &str = r#"
[scenario]
name = "ro"
start = "2026-03-02T00:00"
horizon = "2d"
seed = 1

[[workstreams]]
name = "c"
channel = "voice"
handle_time = "5m"

[[workstreams.classification]]
require = { x = 3 }

[[queues]]
name = "q"
workstream = "c"
arrivals = { rate = "10/h" }

[traffic]
roster = "roster.csv"
"#;

/// `omnisim ARGS` in a new folder with [`SKILLED`] as `s.toml` and roster `csv`.
fn skilled(tag: &str, csv: &str, args: &[&str]) -> (Option<i32>, String, crate::procs::TempDir) {
    let dir = temp_dir(tag);
    std::fs::write(dir.join("s.toml"), SKILLED).unwrap();
    std::fs::write(dir.join("roster.csv"), csv).unwrap();
    let (code, e) = omnisim(&dir, args);
    (code, e, dir)
}

/// Finding 2: an empty `skills` cell on kim's first row, `x:3` on the second, was "other
/// skills on line 2" (the other order was valid); both orders load and kim serves `x` on both
/// days.
#[test]
fn a_row_may_leave_skills_out_before_or_after_the_rows_that_give_them() {
    for (tag, first, second) in [("after", "x:3", ""), ("before", "", "x:3")] {
        let csv = format!(
            "agent,queues,shift_start,shift_end,skills\n\
             kim,q,2026-03-02T08:00,2026-03-02T16:00,{first}\n\
             kim,q,2026-03-03T08:00,2026-03-03T16:00,{second}\n"
        );
        let (code, e, dir) = skilled(
            &format!("t12-skills-{tag}"),
            &csv,
            &["run", "s.toml", "--out", "o"],
        );
        assert_eq!(code, Some(0), "{tag}: {e}");
        let s = json(&dir.join("o/summary.json"));
        let answered = s["conversations"]["answered"].as_u64().unwrap();
        assert!(answered > 100, "{tag}: kim answered {answered}");
    }
    // Variant: the same skills written in another order agree.
    let csv = "agent,queues,shift_start,shift_end,skills\n\
               kim,q,2026-03-02T08:00,2026-03-02T16:00,x:3;y:2\n\
               kim,q,2026-03-03T08:00,2026-03-03T16:00,y:2;x:3\n";
    let (code, e, _) = skilled("t12-skills-order", csv, &["validate", "s.toml"]);
    assert_eq!(code, Some(0), "{e}");
    // Skills that differ are still refused, naming the line that gave the others.
    let csv = "agent,queues,shift_start,shift_end,skills\n\
               kim,q,2026-03-01T08:00,2026-03-01T16:00,\n\
               kim,q,2026-03-02T08:00,2026-03-02T16:00,x:3\n\
               kim,q,2026-03-03T08:00,2026-03-03T16:00,x:4\n";
    let (code, e, _) = skilled("t12-skills-differ", csv, &["validate", "s.toml"]);
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("roster.csv:4:5: skills: agent \"kim\" has other skills on line 3"),
        "{e}"
    );
}

/// Finding 2, another column: an empty `capacity` is 100 on any row, so it disagrees with 50
/// in either order, and the message says which line's cell is empty.
#[test]
fn an_empty_capacity_disagrees_in_either_order_and_says_so() {
    let rows = |a: &str, b: &str| {
        format!(
            "agent,queues,shift_start,shift_end,capacity,skills\n\
             kim,q,2026-03-02T08:00,2026-03-02T16:00,{a},x:3\n\
             kim,q,2026-03-03T08:00,2026-03-03T16:00,{b},x:3\n"
        )
    };
    let (code, e, _) = skilled(
        "t12-cap-empty-first",
        &rows("", "50"),
        &["validate", "s.toml"],
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains(
            "roster.csv:3:5: capacity: agent \"kim\" has capacity 100 on line 2 (its cell is \
             empty: an empty capacity is 100)"
        ),
        "{e}"
    );
    let (code, e, _) = skilled(
        "t12-cap-empty-second",
        &rows("50", ""),
        &["validate", "s.toml"],
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains(
            "roster.csv:3:5: capacity: agent \"kim\" has capacity 50 on line 2 (this row's \
             cell is empty: an empty capacity is 100)"
        ),
        "{e}"
    );
}

/// How many trace lines of `trace` hand `agent` a conversation: accepted by it, or transferred
/// to it.
fn handed(trace: &str, agent: &str) -> u64 {
    trace
        .lines()
        .filter(|l| {
            (l.contains(r#""what":"accepted""#) && l.contains(&format!(r#""agent":"{agent}""#)))
                || (l.contains(r#""what":"transferred""#)
                    && l.contains(&format!(r#""to":"{agent}"}}"#)))
        })
        .count() as u64
}

/// Finding 3: g-1, handed conversations only by supervisor transfers, had 0 conversations in
/// `agents.csv` and was "never assigned" in `explain`; every way work reaches an agent counts,
/// alike in `agents.csv`, `summary.json` and `explain`.
#[test]
fn a_conversation_transferred_to_an_agent_counts_for_it_everywhere() {
    let dir = folder(
        "t12-count",
        &tr(r#"pick = "most_free_capacity""#, r#"agent = "g-1""#, ""),
    );
    let (code, e) = omnisim(&dir, &["run", "s.toml", "--out", "o", "--trace", "--log"]);
    assert_eq!(code, Some(0), "{e}");
    let trace = std::fs::read_to_string(dir.join("o/trace.jsonl")).unwrap();
    let csv = std::fs::read_to_string(dir.join("o/agents.csv")).unwrap();
    let mut group = 0;
    for agent in ["g-1", "g-2", "ann"] {
        let row = csv
            .lines()
            .find(|l| l.starts_with(&format!("{agent},")))
            .unwrap_or_else(|| panic!("no row for {agent} in {csv}"));
        let n: u64 = row.split(',').nth(1).unwrap().parse().unwrap();
        assert_eq!(n, handed(&trace, agent), "{agent}: {csv}");
        if agent != "ann" {
            group += n;
        }
    }
    assert!(handed(&trace, "g-1") > 0, "nothing transferred to g-1");
    let s = json(&dir.join("o/summary.json"));
    assert_eq!(
        s["agent_groups"]["g"]["conversations"].as_u64(),
        Some(group)
    );
    let o = run_in(&dir, &["explain", "o", "--agent", "g-1"]);
    let story = text(&o.stdout);
    assert!(o.status.success(), "{story}");
    assert!(story.contains("boss transferred it to g-1"), "{story}");
    assert!(!story.contains("never assigned"), "{story}");
}

/// Finding 4: on a trace cut at a line boundary, each agent's story said the trace ended at
/// the agent's own last line (0:29:00, 0:30:00, 0:31:00); every story now gives the trace's
/// last line's time (a date-time under the scenario's `start`).
#[test]
fn a_cut_trace_ends_at_its_last_line_in_every_story() {
    let dir = folder(
        "t12-cut",
        &tr(r#"pick = "most_free_capacity""#, r#"agent = "g-1""#, ""),
    );
    let (code, e) = omnisim(&dir, &["run", "s.toml", "--out", "o", "--trace"]);
    assert_eq!(code, Some(0), "{e}");
    let trace = std::fs::read_to_string(dir.join("o/trace.jsonl")).unwrap();
    let lines: Vec<&str> = trace.lines().collect();
    let cut: Vec<&str> = lines[..lines.len() / 2].to_vec();
    std::fs::create_dir(dir.join("cut")).unwrap();
    std::fs::write(dir.join("cut/trace.jsonl"), cut.join("\n") + "\n").unwrap();
    let last: serde_json::Value = serde_json::from_str(cut[cut.len() - 1]).unwrap();
    // Under the scenario's `start` the stories tell date-times (the start line's `starts_at`
    // plus t, rounded to the second, as conversations.csv writes them; fixc-12).
    let first: serde_json::Value = serde_json::from_str(cut[0]).unwrap();
    let t = last["t"].as_f64().unwrap();
    let at = match first["starts_at"].as_str() {
        Some(s0) => {
            let t0: jiff::civil::DateTime = s0.parse().unwrap();
            let ms = (t * 1000.0).round() as i64;
            let local = t0
                .checked_add(jiff::SignedDuration::from_millis(ms))
                .unwrap()
                .round(jiff::Unit::Second)
                .unwrap();
            local.strftime("%Y-%m-%dT%H:%M:%S").to_string()
        }
        None => omnisim::trace::clock(t),
    };
    for agent in ["g-1", "g-2", "ann"] {
        let o = run_in(&dir, &["explain", "cut", "--agent", agent]);
        let story = text(&o.stdout);
        assert!(o.status.success(), "{agent}: {}", text(&o.stderr));
        let end = story.lines().last().unwrap_or_default();
        assert!(
            end.starts_with(&format!("{at} the trace ends here")),
            "{agent}: trace cut at {at}: {end}"
        );
    }
    let o = run_in(&dir, &["explain", "cut", "--conversation", "1"]);
    assert!(text(&o.stdout).contains(&at), "{}", text(&o.stdout));
}
