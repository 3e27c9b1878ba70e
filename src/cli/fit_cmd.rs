//! `omnisim fit HISTORY.csv [--interval 30m] [--out DIR]`: 0 ok · 2 bad input.

use std::path::{Path, PathBuf};

use super::{EXIT_BAD_INPUT, EXIT_OK};
use crate::fit::fit_file;

/// Fits the history and writes the four files; prints where they went.
pub(super) fn run(history: &Path, interval: &str, out: Option<PathBuf>, quiet: bool) -> u8 {
    let interval = match crate::time::parse_duration(interval) {
        Ok(d) if d.as_millis() > 0 => d,
        _ => {
            eprintln!("error: --interval {interval:?}: expected a duration such as \"30m\"");
            return EXIT_BAD_INPUT;
        }
    };
    if let Err(e) = crate::fit::arrivals::check_interval(interval) {
        eprintln!("error: {e}");
        return EXIT_BAD_INPUT;
    }
    let fitted = match super::interrupt::or_interrupted("fit", || fit_file(history, interval)) {
        Ok(f) => f,
        Err(ds) => {
            eprintln!("error: {} is not a valid history:", history.display());
            for d in ds {
                eprintln!("{d}");
            }
            return EXIT_BAD_INPUT;
        }
    };
    // What the history does not say, and the fit assumed instead (also in fit.json `notes`).
    for note in &fitted.report.notes {
        eprintln!("warning: {}: {note}", history.display());
    }
    let dir = out.unwrap_or_else(|| PathBuf::from("reports/fit"));
    match fitted.write(&dir) {
        Ok(paths) => {
            if !quiet {
                for (name, q) in &fitted.report.queues {
                    let best = |f: &Option<crate::fit::DistFit>| {
                        f.as_ref().map_or("-".to_string(), |f| {
                            let c = &f.candidates[&f.best];
                            format!("{} (mean {:.1} s, KS {:.3})", f.best, c.mean_s, c.ks)
                        })
                    };
                    let handle = match &q.assumed_handle {
                        Some(a) => format!(
                            "not in the history (assumed {}, mean {} s)",
                            a.dist, a.mean_s
                        ),
                        None => best(&q.handle),
                    };
                    println!(
                        "{name}: handle {handle} · wrap-up {} · patience {}",
                        best(&q.wrap_up),
                        best(&q.patience)
                    );
                }
                println!("\nWrote:");
                for p in paths {
                    println!("  {}", p.display());
                }
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: cannot write the fit to {}: {e}", dir.display());
            EXIT_BAD_INPUT
        }
    }
}
