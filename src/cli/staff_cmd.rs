//! `omnisim staff SCENARIO --target "service_level.fraction>=0.8"`: agents per interval by
//! simulation (`DIR/staffing.csv`, `DIR/staffing.html`) and, with `--shifts`, the cheapest
//! roster (`DIR/roster.csv`) and its check run (`DIR/roster-check/summary.json` and the other
//! reports of `run`); exit 1 when the target cannot be met in every interval or the
//! shift templates cannot cover it, 2 on bad input.

use std::path::PathBuf;

use crate::report::Report;
use crate::staffing::{self, render, StaffSpec};
use crate::time::parse_duration;
use crate::workflows::target;

use super::{default_out_dir, EXIT_BAD_INPUT, EXIT_OK, EXIT_THRESHOLD};

/// The low-level arguments of `staff`.
#[derive(Debug)]
pub(crate) struct StaffArgs {
    pub(crate) scenario: PathBuf,
    pub(crate) target: String,
    pub(crate) interval: String,
    pub(crate) group: Option<String>,
    pub(crate) shifts: Option<PathBuf>,
    pub(crate) shrinkage: Option<String>,
    pub(crate) out: Option<PathBuf>,
    pub(crate) seed: Option<u64>,
    pub(crate) replications: Option<u32>,
    pub(crate) quiet: bool,
}

/// Reads a share as `omnisim erlang` does: `"30%"` or `"0.3"`, in [0, 1); a bare number of 1 or
/// more (`"30"`) is refused rather than guessed.
fn parse_share(text: &str) -> Option<f64> {
    let t = text.trim();
    let x = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok()? / 100.0,
        None => t.parse::<f64>().ok()?,
    };
    (x.is_finite() && (0.0..1.0).contains(&x)).then_some(x)
}

/// Runs the command.
pub(crate) fn run(a: StaffArgs) -> u8 {
    let sc = match super::load(&a.scenario, false) {
        Ok(sc) => sc,
        Err(code) => return code,
    };
    let spec = (|| -> Result<StaffSpec, String> {
        let target = target::parse(&a.target)?;
        staffing::check_target(&target).map_err(|e| e.to_string())?;
        let interval = parse_duration(&a.interval).map_err(|e| format!("--interval: {e}"))?;
        let shrinkage = match &a.shrinkage {
            Some(s) => parse_share(s).ok_or_else(|| {
                format!(
                    "--shrinkage {s:?}: expected a share in [0, 100%), e.g. \"30%\" or 0.3 \
                     (as omnisim erlang reads it)"
                )
            })?,
            None => 0.0,
        };
        let shifts = match &a.shifts {
            Some(p) => Some(crate::scenario::load_shifts_file(p).map_err(|e| {
                format!("{} is not a valid shift templates file:\n{e}", p.display())
            })?),
            None => None,
        };
        if a.replications == Some(0) {
            return Err("--replications must be at least 1".into());
        }
        Ok(StaffSpec {
            target,
            interval,
            group: a.group.clone(),
            shifts,
            shrinkage,
            start_minute: (sc.calendar.ms_of_day(crate::time::SimTime::ZERO) / 60_000) as u32,
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
    // A stop signal ends the verification at its next event: the last finished round is kept
    // and written, marked interrupted (exit 130).
    let result = match staffing::run_until(&sc, &spec, Some(super::stop_flag())) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}: {e}", a.scenario.display());
            return EXIT_BAD_INPUT;
        }
    };
    let dir = a.out.unwrap_or_else(|| default_out_dir(&sc.name));
    let mut files = match render::csv(&result) {
        Ok(csv) => vec![
            ("staffing.csv", csv),
            ("staffing.html", render::html(&result, &sc.name)),
        ],
        Err(e) => {
            eprintln!("error: cannot render staffing.csv: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    if let Some(Ok(roster)) = &result.roster {
        match render::roster_csv(&sc, &result, roster, spec.shrinkage) {
            Ok(csv) => files.push(("roster.csv", csv)),
            Err(e) => {
                eprintln!("error: cannot render roster.csv: {e}");
                return EXIT_BAD_INPUT;
            }
        }
    }
    let mut rostered_note = None;
    if result.roster.as_ref().is_some_and(|r| r.is_ok()) {
        let text = std::fs::read_to_string(&a.scenario).unwrap_or_default();
        match staffing::rostered::rostered_toml(&a.scenario, &text, &result.group, "roster.csv") {
            Ok(t) => files.push(("rostered.toml", t)),
            Err(e) => rostered_note = Some(format!("rostered.toml not written: {e}")),
        }
    }
    // Files of an earlier run into the same folder that this run does not write would be read
    // as this run's: remove them.
    for stale in ["roster.csv", "rostered.toml"] {
        if !files.iter().any(|(n, _)| *n == stale) {
            let _ = std::fs::remove_file(dir.join(stale));
        }
    }
    if result.roster.as_ref().is_none_or(|r| r.is_err()) {
        let _ = std::fs::remove_dir_all(dir.join("roster-check"));
    }
    if let Err(e) = super::write_files(&dir, &files) {
        eprintln!("error: cannot write reports to {}: {e}", dir.display());
        return EXIT_BAD_INPUT;
    }
    if let Some(why) = &result.interrupted {
        if !a.quiet {
            print!("{}", render::text(&result));
            for (name, _) in &files {
                println!("wrote {}", dir.join(name).display());
            }
        }
        eprintln!(
            "interrupted: {why}; wrote {} (no roster, no roster check)",
            dir.join("staffing.csv").display()
        );
        return super::EXIT_INTERRUPTED;
    }
    // The roster check: the scenario run with the roster's agents in place of the group.
    let mut check = None;
    if let Some(Ok(roster)) = &result.roster {
        let rc = match staffing::roster_check(&sc, &spec, &result, roster, Some(super::stop_flag()))
        {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {}: {e}", a.scenario.display());
                return EXIT_BAD_INPUT;
            }
        };
        let report = Report::build(&rc.scenario, &rc.output);
        let check_dir = dir.join("roster-check");
        if let Err(e) = crate::report::write_all(&check_dir, &report) {
            eprintln!(
                "error: cannot write reports to {}: {e}",
                check_dir.display()
            );
            return EXIT_BAD_INPUT;
        }
        check = Some((check_dir, report.summary, rc));
    }
    if !a.quiet {
        print!("{}", render::text(&result));
        for (name, _) in &files {
            println!("wrote {}", dir.join(name).display());
        }
        if let Some(n) = &rostered_note {
            println!("{n}");
        }
        if let Some((d, s, rc)) = &check {
            // An interrupted check's figures are of cut-short replications: no verdict.
            if !s.partial {
                print!("{}", render::check_text(&result, &spec, rc));
            }
            println!(
                "roster check overall: service level {} · ASA {} · abandonment {} · wrote {}",
                crate::report::format::pct(s.service_level.fraction),
                crate::report::format::duration(s.wait_s.mean),
                crate::report::format::pct(s.abandonment_rate),
                d.join("summary.json").display()
            );
        }
    }
    if let Some((d, _, _)) = check.as_ref().filter(|(_, s, _)| s.partial) {
        eprintln!(
            "interrupted: the roster check is partial (\"partial\": true) in {}",
            d.display()
        );
        return super::EXIT_INTERRUPTED;
    }
    let roster_failed = matches!(result.roster, Some(Err(_)));
    if !result.met || roster_failed {
        EXIT_THRESHOLD
    } else {
        EXIT_OK
    }
}
