//! Issue 25, kind 6 (only identical names clash), an eighteenth fresh tester's find:
//! `summary.json` counts an assignment rule at `routing.by_rule["QUEUE/RULE"]` and a policy at
//! `policies["SUPERVISOR/POLICY"]`. Queue `a/b` with rule `r` and queue `a` with rule `b/r`
//! both spelled `a/b/r`: one count (250 vs 117 answered) vanished and `validate` said "valid".
//! Such pairs are now refused at the later one's name; `/` in names that spell no other pair's
//! key stays allowed. The tester's files are in tests/data/compound-keys/.

use std::path::Path;

use omnisim::scenario::load_str;

use crate::procs::{code_and_stderr, temp_dir};

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/compound-keys")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn two_queue_rule_pairs_spelling_one_by_rule_key_are_refused_at_the_later_name() {
    let dir = temp_dir("compound-rules");
    let (code, err) = code_and_stderr(&dir, &["validate", &data("rules.toml")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("queues[1].assignment_rules[0].name"), "{err}");
    assert!(err.contains("\"a/b/r\""), "{err}");
    assert!(
        err.contains("queues[0].assignment_rules[0]"),
        "names the earlier pair: {err}"
    );
}

#[test]
fn two_supervisor_policy_pairs_spelling_one_policies_key_are_refused() {
    let text = std::fs::read_to_string(data("policies.toml")).expect("the tester's file");
    let err = load_str(&text, "policies.toml")
        .expect_err("a clash")
        .to_string();
    assert!(err.contains("supervisors[1].policies[0].name"), "{err}");
    assert!(err.contains("\"x/y/z\""), "{err}");
    // Names with `/` that spell no other pair's key load.
    let renamed = text.replace("name = \"y/z\"", "name = \"y-z\"");
    load_str(&renamed, "policies.toml").expect("no clash once renamed");
}

#[test]
fn a_clash_across_more_than_one_slash_is_refused_too() {
    // Variant: queue `a/b/c` with rule `d` and queue `a` with rule `b/c/d`.
    let text = std::fs::read_to_string(data("rules.toml"))
        .expect("the tester's file")
        .replace("name = \"a/b\"", "name = \"a/b/c\"")
        .replace("queues = [\"a/b\", \"a\"]", "queues = [\"a/b/c\", \"a\"]")
        .replace("name = \"r\"", "name = \"d\"")
        .replace("name = \"b/r\"", "name = \"b/c/d\"")
        .replace("routing.by_rule.a/b/r", "routing.by_rule.a/b/c/d");
    let err = load_str(&text, "rules.toml")
        .expect_err("a clash")
        .to_string();
    assert!(err.contains("\"a/b/c/d\""), "{err}");
}
