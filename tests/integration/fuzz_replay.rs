//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the same harness
//! functions the fuzz targets run (`omnisim::harness`), without the fuzzer: every input that
//! once mattered to coverage, or that once found a bug, keeps passing in the normal test suite.

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("readable");
            (p, bytes)
        })
        .collect()
}

fn replay(target: &str, harness: fn(&[u8]) -> Result<(), String>) {
    let inputs = corpus(target);
    assert!(inputs.len() >= 20, "{target}: only {} inputs", inputs.len());
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|(path, bytes)| {
            harness(bytes)
                .err()
                .map(|e| format!("{}: {e}", path.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn scenario_corpus_replays_clean() {
    replay("scenario", omnisim::harness::scenario_bytes);
}

#[test]
fn engine_corpus_replays_clean() {
    replay("engine", omnisim::harness::engine_bytes);
}
