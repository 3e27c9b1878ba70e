//! `omnisim ab SCENARIO --variant OTHER.toml`: writes `DIR/ab.json` and `DIR/ab.html` and
//! prints the report, significant changes first.

use std::path::{Path, PathBuf};

use crate::workflows::ab;

use super::{default_out_dir, load, EXIT_BAD_INPUT, EXIT_OK};
use crate::report::write_atomic;

/// Runs the command.
pub(crate) fn run(
    scenario: &Path,
    variant: &Path,
    out: Option<PathBuf>,
    replications: Option<u32>,
    quiet: bool,
) -> u8 {
    let (base, var) = match (load(scenario, false), load(variant, false)) {
        (Ok(b), Ok(v)) => (b, v),
        (Err(c), _) | (_, Err(c)) => return c,
    };
    if replications == Some(0) {
        eprintln!("error: --replications must be at least 1");
        return EXIT_BAD_INPUT;
    }
    let report = ab::run_stoppable(&base, &var, replications, Some(super::stop_flag()));
    let dir = out.unwrap_or_else(|| default_out_dir(&base.name));
    let written = std::fs::create_dir_all(&dir).and_then(|_| {
        let json = serde_json::to_string_pretty(&report).map_err(std::io::Error::other)?;
        write_atomic(&dir.join("ab.json"), json.as_bytes())?;
        write_atomic(
            &dir.join("ab.html"),
            crate::workflows::ab_html::render_html(&report).as_bytes(),
        )
    });
    if let Err(e) = written {
        eprintln!("error: cannot write to {}: {e}", dir.display());
        return EXIT_BAD_INPUT;
    }
    if !quiet {
        print!("{}", ab::render_text(&report));
        println!(
            "\nwrote {} and {}",
            dir.join("ab.json").display(),
            dir.join("ab.html").display()
        );
    }
    if report.partial {
        eprintln!(
            "interrupted: wrote a partial comparison (\"partial\": true, {} replications both \
             sides finished) to {}",
            report.replications,
            dir.join("ab.json").display()
        );
        return super::EXIT_INTERRUPTED;
    }
    EXIT_OK
}
