//! `omnisim run … --shard K/N` (writes `DIR/shard.json`) and `omnisim merge DIR… --out DIR`
//! (writes the `summary.json` one machine would have written). K is 1-based: `1 ≤ K ≤ N`.

use std::path::{Path, PathBuf};

use crate::report;
use crate::scenario::Scenario;
use crate::workflows::shard::{self, ShardFile};

use super::{EXIT_BAD_INPUT, EXIT_OK};
use crate::report::write_atomic;

/// Runs one shard of `sc` (loaded from `path`) and writes `dir/shard.json`.
pub(crate) fn run_shard(
    path: &Path,
    sc: &Scenario,
    spec: &str,
    dir: &Path,
    seed: Option<u64>,
    replications: Option<u32>,
    quiet: bool,
) -> u8 {
    let (k, n) = match shard::parse_spec(spec) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return EXIT_BAD_INPUT;
        }
    };
    let origin = path.display().to_string();
    let file = shard::run(sc, &text, &origin, (k, n), seed, replications);
    let written = std::fs::create_dir_all(dir).and_then(|_| {
        let json = serde_json::to_string(&file).map_err(std::io::Error::other)?;
        write_atomic(&dir.join("shard.json"), json.as_bytes())
    });
    if let Err(e) = written {
        eprintln!(
            "error: cannot write {}: {e}",
            dir.join("shard.json").display()
        );
        return EXIT_BAD_INPUT;
    }
    if !quiet {
        let reps: Vec<String> = file
            .reps
            .iter()
            .map(|r| (r.replication + 1).to_string())
            .collect();
        println!(
            "shard {k}/{n} of {}: replications {} of {} → {}",
            file.scenario,
            if reps.is_empty() {
                "(none)".into()
            } else {
                reps.join(", ")
            },
            file.replications,
            dir.join("shard.json").display()
        );
    }
    EXIT_OK
}

fn read_shard(dir: &Path) -> Result<ShardFile, String> {
    let path = if dir.is_dir() {
        dir.join("shard.json")
    } else {
        dir.to_path_buf()
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a valid shard.json: {e}", path.display()))
}

/// Merges shard folders (or `shard.json` files) and writes the reports one machine would have
/// written (`summary.json` and the rest). Exit 0, or 2 on bad input, as the contract says;
/// failed thresholds are printed and marked `passed: false` in `summary.json`.
pub(crate) fn merge(dirs: &[PathBuf], out: &Path, quiet: bool) -> u8 {
    let mut shards = Vec::new();
    for d in dirs {
        match read_shard(d) {
            Ok(s) => shards.push((d.display().to_string(), s)),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_BAD_INPUT;
            }
        }
    }
    let (sc, output) = match shard::merge(shards) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: cannot merge: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let rep = report::Report::build(&sc, &output);
    if let Err(e) = report::write_all(out, &rep) {
        eprintln!("error: cannot write reports to {}: {e}", out.display());
        return EXIT_BAD_INPUT;
    }
    let summary = &rep.summary;
    for t in summary.thresholds.iter().filter(|t| !t.passed) {
        eprintln!("threshold failed: {} = {:?}", t.metric, t.value);
    }
    if summary.invariant_violations > 0 {
        eprintln!("invariant violations: {}", summary.invariant_violations);
    }
    if !quiet {
        println!(
            "merged {} replications of {} → {}",
            output.reps.len(),
            sc.name,
            out.join("summary.json").display()
        );
    }
    EXIT_OK
}
