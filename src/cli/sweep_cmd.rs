//! `omnisim sweep SCENARIO --vary PATH=FROM..TO[:STEP]`: writes `DIR/sweep.csv`,
//! `DIR/sweep.html` and, with `--target`, `DIR/target.json`; exit 1 when no value meets the
//! target.

use std::path::{Path, PathBuf};

use crate::workflows::sweep::{self, SweepSpec};
use crate::workflows::{grid, sweep_render, target};

use super::{default_out_dir, EXIT_BAD_INPUT, EXIT_OK, EXIT_THRESHOLD};
use crate::report::write_atomic;

/// The low-level arguments of `sweep`.
#[derive(Debug)]
pub(crate) struct SweepArgs {
    pub(crate) scenario: PathBuf,
    pub(crate) vary: Vec<String>,
    pub(crate) target: Option<String>,
    pub(crate) out: Option<PathBuf>,
    pub(crate) seed: Option<u64>,
    pub(crate) replications: Option<u32>,
    pub(crate) quiet: bool,
}

fn write(dir: &Path, files: &[(&str, String)]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, body) in files {
        write_atomic(&dir.join(name), body.as_bytes())?;
    }
    Ok(())
}

/// Runs the command.
pub(crate) fn run(a: SweepArgs) -> u8 {
    let spec = (|| -> Result<SweepSpec, String> {
        let text = std::fs::read_to_string(&a.scenario)
            .map_err(|e| format!("cannot read {}: {e}", a.scenario.display()))?;
        if a.vary.is_empty() {
            return Err("sweep needs at least one --vary PATH=FROM..TO[:STEP]".into());
        }
        if a.replications == Some(0) {
            return Err("--replications must be at least 1".into());
        }
        Ok(SweepSpec {
            text,
            origin: a.scenario.display().to_string(),
            axes: a
                .vary
                .iter()
                .map(|v| grid::parse(v))
                .collect::<Result<_, _>>()?,
            target: a.target.as_deref().map(target::parse).transpose()?,
            seed: a.seed,
            replications: a.replications,
        })
    })();
    let spec = match spec {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let result = match sweep::run(&spec) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}: {e}", a.scenario.display());
            return EXIT_BAD_INPUT;
        }
    };
    let name = result
        .points
        .first()
        .map_or_else(String::new, |p| p.summary.scenario.clone());
    let dir = a.out.unwrap_or_else(|| default_out_dir(&name));
    let csv = match sweep_render::csv(&result) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot render sweep.csv: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let mut files = vec![
        ("sweep.csv", csv),
        ("sweep.html", sweep_render::html(&result, &name)),
    ];
    if result.target.is_some() {
        let json =
            serde_json::to_string_pretty(&sweep_render::target_json(&result)).unwrap_or_default();
        files.push(("target.json", json));
    }
    if let Err(e) = write(&dir, &files) {
        eprintln!("error: cannot write reports to {}: {e}", dir.display());
        return EXIT_BAD_INPUT;
    }
    if !a.quiet {
        print!("{}", sweep_render::text(&result));
        println!("wrote {}", dir.join("sweep.csv").display());
    }
    if result.target.is_some() && result.answer.is_none() {
        EXIT_THRESHOLD
    } else {
        EXIT_OK
    }
}
