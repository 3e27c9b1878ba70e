//! The layering of ARCHITECTURE.md ("Architecture invariant: layers"), checked on the source:
//! every `crate::<module>` path in the code of `src/` (use lines and inline paths, comments
//! left out) must name a module of a lower layer, or of the same layer for the foundations.
//! A new module must be given a layer here and in ARCHITECTURE.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its layer, lowest first (as in ARCHITECTURE.md).
const LAYERS: &[(&str, u8)] = &[
    // Foundations: no domain above them; they may use each other.
    ("time", 0),
    ("model", 0),
    ("rng", 0),
    ("kernel", 0),
    ("calendar", 0),
    ("dist", 0),
    ("erlang", 0),
    ("stats", 0),
    ("trace", 0),
    ("text", 0),
    ("diag", 0),
    ("worklog", 0),
    ("engine", 1),
    ("metrics", 2),
    ("traffic", 3),
    ("scenario", 4),
    ("setup", 5),
    ("policy", 5),
    ("service", 6),
    ("sim", 7),
    ("load", 7),
    ("report", 8),
    ("explain", 9),
    ("workflows", 9),
    ("conform", 9),
    ("staffing", 10),
    ("fit", 10),
    ("forecast", 10),
    ("cli", 11),
    ("harness", 11),
];

/// Known imports up the layers, each to be removed by the owner of the importing file:
/// `traffic` reads `Diagnostic` through its re-export in `scenario` (it lives in `diag` now).
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The modules a line of code names as `crate::<module>`.
fn named_modules(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
        rest = after;
    }
    out
}

/// The upward imports of the crate as (file, line number, from, to).
fn upward_imports() -> Vec<(String, usize, String, String)> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).expect("under src");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|s| s.trim_end_matches(".rs").to_string())
            .expect("a file name");
        if top == "lib" || top == "main" {
            continue;
        }
        let from = layer(&top).unwrap_or_else(|| {
            panic!("src/{top} has no layer: add it to LAYERS and to ARCHITECTURE.md")
        });
        let text = std::fs::read_to_string(&f).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for m in named_modules(code) {
                if m == top {
                    continue;
                }
                let to = layer(&m).unwrap_or_else(|| panic!("crate::{m} has no layer"));
                let up = to > from || (to == from && from > 0);
                if up && !KNOWN_EXCEPTIONS.contains(&(top.as_str(), m.as_str())) {
                    bad.push((rel.display().to_string(), n + 1, top.clone(), m));
                }
            }
        }
    }
    bad
}

#[test]
fn no_module_imports_up_the_layers() {
    let bad = upward_imports();
    assert!(
        bad.is_empty(),
        "imports up the layers (ARCHITECTURE.md, layers):\n{}",
        bad.iter()
            .map(|(f, n, a, b)| format!("src/{f}:{n}: {a} → {b}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The check itself can fail: it names `crate::` paths, and sees through comments.
#[test]
fn the_layer_check_reads_paths_and_skips_comments() {
    assert_eq!(
        named_modules("use crate::sim::setup::{engine_setup, X}; crate::report::format"),
        ["sim", "report"]
    );
    assert_eq!(named_modules(""), Vec::<String>::new());
    // Every layer named in the table is distinct and the table covers the exceptions.
    let names: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    assert_eq!(names.len(), LAYERS.len());
    for (a, b) in KNOWN_EXCEPTIONS {
        assert!(layer(a) < layer(b), "{a} → {b} is not an upward import");
    }
    assert!(layer("sim") > layer("setup") && layer("load") > layer("setup"));
    assert_eq!(
        layer("sim"),
        layer("load"),
        "sim and load may not import each other"
    );
}

/// The engine stays pure (ARCHITECTURE.md): of the foundations it never names `worklog`, the
/// test hook that writes a file (its drivers note the work). Fails on a `crate::worklog` path
/// in any file under `src/engine` (comments left out).
#[test]
fn the_engine_never_notes_work_in_the_test_hook() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join("engine.rs")];
    rust_files(&root.join("engine"), &mut files);
    let mut bad = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if named_modules(code).iter().any(|m| m == "worklog") {
                bad.push(format!("{}:{}", f.display(), n + 1));
            }
        }
    }
    assert!(bad.is_empty(), "the engine names crate::worklog: {bad:?}");
    // The check can fail: it reads such a path.
    assert_eq!(named_modules("crate::worklog::note(u)"), ["worklog"]);
}
