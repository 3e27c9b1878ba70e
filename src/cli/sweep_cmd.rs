//! `omnisim sweep SCENARIO --vary PATH=FROM..TO[:STEP]`: writes `DIR/sweep.csv`,
//! `DIR/sweep.html` and, with `--target`, `DIR/target.json`; exit 1 when no value meets the
//! target. With `--shard K/N` it runs grid points K, K+N, … only and writes `DIR/shard.json`
//! for `omnisim merge` (see [`crate::workflows::sweep_shard`]).

use std::path::PathBuf;

use crate::workflows::sweep::{self, SweepResult};
use crate::workflows::sweep_render;
use crate::workflows::sweep_shard::{self, SweepWords};

use super::{default_out_dir, EXIT_BAD_INPUT, EXIT_OK, EXIT_THRESHOLD};

/// The low-level arguments of `sweep`.
#[derive(Debug)]
pub(crate) struct SweepArgs {
    pub(crate) scenario: PathBuf,
    pub(crate) vary: Vec<String>,
    pub(crate) target: Option<String>,
    pub(crate) out: Option<PathBuf>,
    pub(crate) seed: Option<u64>,
    pub(crate) replications: Option<u32>,
    pub(crate) shard: Option<String>,
    pub(crate) quiet: bool,
}

/// Runs the command.
pub(crate) fn run(a: SweepArgs) -> u8 {
    let words = match std::fs::read_to_string(&a.scenario) {
        Ok(text) => SweepWords {
            text,
            origin: a.scenario.display().to_string(),
            vary: a.vary.clone(),
            target: a.target.clone(),
            seed: a.seed,
            replications: a.replications,
        },
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", a.scenario.display());
            return EXIT_BAD_INPUT;
        }
    };
    if let Some(spec) = &a.shard {
        return run_shard(&a, &words, spec);
    }
    let spec = match words.spec() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let stop = super::stop_flag();
    let result = match sweep::run_stoppable(&spec, Some(&stop)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}: {e}", a.scenario.display());
            return EXIT_BAD_INPUT;
        }
    };
    write_result(&result, a.out, a.quiet)
}

/// Writes a finished sweep's `sweep.csv`, `sweep.html` and (with a target) `target.json` to
/// `out` (default: `reports/<scenario name>/`) and prints its table; the exit code of `sweep`.
/// `omnisim merge` of sweep shards writes through here too.
pub(crate) fn write_result(result: &SweepResult, out: Option<PathBuf>, quiet: bool) -> u8 {
    let name = result
        .points
        .first()
        .map_or_else(String::new, |p| p.summary.scenario.clone());
    let dir = out.unwrap_or_else(|| default_out_dir(&name));
    let csv = match sweep_render::csv(result) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot render sweep.csv: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let mut files = vec![
        ("sweep.csv", csv),
        ("sweep.html", sweep_render::html(result, &name)),
    ];
    if result.target.is_some() {
        let json =
            serde_json::to_string_pretty(&sweep_render::target_json(result)).unwrap_or_default();
        files.push(("target.json", json));
    }
    if let Err(e) = super::write_files(&dir, &files) {
        eprintln!("error: cannot write reports to {}: {e}", dir.display());
        return EXIT_BAD_INPUT;
    }
    if !quiet {
        print!("{}", sweep_render::text(result));
        println!("wrote {}", dir.join("sweep.csv").display());
    }
    if result.partial {
        eprintln!(
            "interrupted: wrote the {} finished of the grid (partial; no target search) to {}",
            crate::report::format::plural(result.points.len() as u64, "point"),
            dir.display()
        );
        super::EXIT_INTERRUPTED
    } else if result.target.is_some() && result.answer.is_none() {
        EXIT_THRESHOLD
    } else {
        EXIT_OK
    }
}

fn run_shard(a: &SweepArgs, words: &SweepWords, spec: &str) -> u8 {
    let (k, n) = match crate::workflows::shard::parse_spec(spec) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let stop = super::stop_flag();
    let file = match sweep_shard::run_stoppable(words, (k, n), Some(&stop)) {
        Ok(f) => f,
        Err(sweep_shard::SweepShardError::Words(e)) => {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
        Err(e) => {
            eprintln!("error: {}: {e}", a.scenario.display());
            return EXIT_BAD_INPUT;
        }
    };
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&file.scenario));
    let written = serde_json::to_string(&file)
        .map_err(std::io::Error::other)
        .and_then(|json| super::write_files(&dir, &[("shard.json", json)]));
    if let Err(e) = written {
        eprintln!(
            "error: cannot write {}: {e}",
            dir.join("shard.json").display()
        );
        return EXIT_BAD_INPUT;
    }
    if file.partial {
        eprintln!(
            "interrupted: wrote a partial sweep shard ({} finished; \"partial\": true, merge \
             refuses it) to {}",
            crate::report::format::plural(file.runs.len() as u64, "grid point"),
            dir.join("shard.json").display()
        );
        return super::EXIT_INTERRUPTED;
    }
    if !a.quiet {
        let points: Vec<String> = file
            .runs
            .iter()
            .map(|r| (r.point + 1).to_string())
            .collect();
        println!(
            "sweep shard {k}/{n} of {}: grid points {} of {} → {}",
            file.scenario,
            if points.is_empty() {
                "(none)".into()
            } else {
                points.join(", ")
            },
            file.points,
            dir.join("shard.json").display()
        );
    }
    EXIT_OK
}
