//! The example outputs of README.md and docs/workflows*.md are the program's output: every
//! fenced block after a `<!-- example: NAME -->` marker is rewritten by
//! `scripts/docs-examples.sh` from fresh runs of the bundled scenarios, and this test runs the
//! script in `--check` mode with the binary under test, so a block that drifts from the
//! program (a changed figure, a changed message) fails here with the diff.

use std::path::Path;
use std::process::Command;

#[test]
fn documented_example_outputs_are_the_programs_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let workflows = std::fs::read_to_string(root.join("docs/workflows.md")).unwrap();
    let traffic = std::fs::read_to_string(root.join("docs/workflows-traffic.md")).unwrap();
    // The markers exist (a test that checks no block could not fail).
    assert!(readme.contains("<!-- example: demo"));
    assert!(readme.contains("<!-- example: readme-compare -->"));
    assert!(readme.contains("<!-- example: bank-week -->"));
    // The prose's figures too: README's issue-15 chat figures were typed by hand ("0.011 as
    // independent slots", matching neither Erlang C's 0.0121 nor Erlang A's 0.0104).
    let format = std::fs::read_to_string(root.join("docs/scenario-format.md")).unwrap();
    let erlang_doc = std::fs::read_to_string(root.join("docs/erlang.md")).unwrap();
    for (doc, text, names) in [
        (
            "README.md",
            &readme,
            &[
                "chat15-erlang-a",
                "chat15-erlang-c",
                "chat15-slowdown",
                "slowdown-erlang-a-agents",
                "slowdown-chat-agents",
            ][..],
        ),
        (
            "docs/erlang.md",
            &erlang_doc,
            &["chat15-erlang-a", "chat15-slowdown"][..],
        ),
        (
            "docs/scenario-format.md",
            &format,
            &["chat15-erlang-a", "chat15-slowdown"][..],
        ),
    ] {
        for name in names {
            assert!(
                text.contains(&format!("<!-- figure: {name} -->")),
                "{doc} lost the {name} figure"
            );
        }
    }
    for (doc, text, names) in [
        (
            "docs/workflows.md",
            &workflows,
            &[
                "compare-markdown",
                "compare-seed",
                "sweep",
                "staff",
                "shards",
            ][..],
        ),
        (
            "docs/workflows-traffic.md",
            &traffic,
            &["replay-ab", "backtest", "explain-585", "explain-waited"][..],
        ),
    ] {
        for name in names {
            assert!(
                text.contains(&format!("<!-- example: {name} -->")),
                "{doc} lost the {name} block"
            );
        }
    }
    // Every output block (```text, ```json) of these documents follows a marker, so none is
    // typed by hand (README.md's bank-week figures were, and drifted from the program).
    let erlang = std::fs::read_to_string(root.join("docs/erlang.md")).unwrap();
    for (doc, text) in [
        ("README.md", &readme),
        ("docs/workflows.md", &workflows),
        ("docs/workflows-traffic.md", &traffic),
        ("docs/erlang.md", &erlang),
    ] {
        let lines: Vec<&str> = text.lines().collect();
        let unmarked: Vec<usize> = (1..lines.len())
            .filter(|&i| matches!(lines[i], "```text" | "```json"))
            .filter(|&i| {
                !lines[i - 1].starts_with("<!-- example: ")
                    && !lines[i - 1].starts_with("<!-- readme-")
            })
            .map(|i| i + 1)
            .collect();
        assert!(
            unmarked.is_empty(),
            "{doc}: output blocks without an example marker at lines {unmarked:?}"
        );
    }
    let out = Command::new("bash")
        .arg(root.join("scripts/docs-examples.sh"))
        .arg("--check")
        .env("OMNISIM", env!("CARGO_BIN_EXE_omnisim"))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
