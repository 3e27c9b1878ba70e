//! Size limits: the `tests/data/bad/limit-*.toml` files are refused by default (the corpus test
//! checks their messages) and accepted with `LoadOptions { allow_huge: true }`, and the command
//! line's `--allow-huge` does the same for `validate`.

use std::path::PathBuf;
use std::process::Command;

use omnisim::scenario::{load_file, load_file_with, LoadOptions};

fn limit_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/data/bad")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("limit-"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn huge_scenarios_load_only_when_allowed() {
    let files = limit_files();
    assert_eq!(files.len(), 4);
    let allow = LoadOptions {
        allow_huge: true,
        replications: None,
    };
    for f in &files {
        let err = load_file(f).expect_err("refused by default");
        assert!(
            err.diagnostics
                .iter()
                .all(|d| d.message.contains("over the limit of")),
            "{}: {err}",
            f.display()
        );
        if let Err(e) = load_file_with(f, &allow) {
            panic!("{} should load with allow_huge:\n{e}", f.display());
        }
    }
}

#[test]
fn validate_takes_allow_huge() {
    let file = &limit_files()[0];
    let validate = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_omnisim"))
            .arg("validate")
            .arg(file)
            .args(extra)
            .output()
            .expect("run omnisim")
    };
    let refused = validate(&[]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("over the limit of 1000000 agents"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-huge"), "{stderr}");
    let allowed = validate(&["--allow-huge", "--quiet"]);
    assert_eq!(allowed.status.code(), Some(0));
}
