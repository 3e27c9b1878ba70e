//! The example outputs of README.md and docs/workflows.md are the program's output: every
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
    // The markers exist (a test that checks no block could not fail).
    assert!(readme.contains("<!-- example: demo"));
    for name in [
        "compare-markdown",
        "compare-seed",
        "explain-585",
        "explain-waited",
    ] {
        assert!(
            workflows.contains(&format!("<!-- example: {name} -->")),
            "docs/workflows.md lost the {name} block"
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
