//! `omnisim fit HISTORY.csv [--interval 30m] [--service-level 20s] [--out DIR]`: 0 ok · 2 bad input.

use std::path::PathBuf;

use super::error::{CliError, CmdResult};
use super::{Global, EXIT_OK};
use crate::fit::fit_file;

/// `omnisim fit` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct FitArgs {
    /// The history CSV (the `conversations.csv` format).
    pub(crate) history: PathBuf,
    /// Interval of the arrival profile.
    #[arg(long, default_value = "30m")]
    pub(crate) interval: String,
    /// Service-level threshold of fitted.toml (`[scenario] service_level`) and of
    /// actuals.json's `service_level`: use the threshold of the runs you compare with.
    #[arg(long, visible_alias = "sl", default_value = "20s")]
    pub(crate) service_level: String,
    /// Output folder (default: reports/fit/).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) global: Global,
}

/// Fits the history and writes the four files; prints where they went.
pub(super) fn run(a: FitArgs) -> CmdResult {
    let (history, written, out, quiet) = (&a.history, a.interval.trim(), a.out, a.global.quiet);
    let interval = match crate::time::parse_duration(written) {
        Ok(d) => d,
        Err(_) => {
            return Err(CliError::bad(format!(
                "--interval {written:?}: expected a duration such as \"30m\""
            )))
        }
    };
    crate::fit::arrivals::check_interval(interval)
        .map_err(|e| CliError::bad(format!("--interval {written} {e}")))?;
    let sl_written = a.service_level.trim();
    let service_level = crate::time::parse_duration(sl_written).map_err(|e| {
        CliError::bad(format!(
            "--service-level {sl_written:?}: {e}; expected a duration such as \"20s\" or \"1m\""
        ))
    })?;
    let dir = out.unwrap_or_else(|| PathBuf::from("reports/fit"));
    // Reading the history is the fit's work: an older fit's four files go before it begins,
    // so a stop, a bad history or an error while the files are written leaves none of them
    // to be read as this fit's (issue 25, thirteenth pass).
    super::stale::clear(&dir, super::stale::Starting::Fit);
    let mut fitted = super::interrupt::or_interrupted("fit", || fit_file(history, interval))
        .map_err(|ds| {
            let mut text = format!("{} is not a valid history:", history.display());
            for d in ds {
                text.push_str(&format!("\n{d}"));
            }
            CliError::bad(text)
        })?;
    fitted.service_level = service_level;
    // What the history does not say, and the fit assumed instead (also in fit.json `notes`).
    let file = history.display().to_string();
    for note in &fitted.report.notes {
        super::warn_about(&file, note);
    }
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
            Ok(EXIT_OK)
        }
        Err(e) => Err(CliError::bad(format!(
            "cannot write the fit to {}: {e}",
            dir.display()
        ))),
    }
}
