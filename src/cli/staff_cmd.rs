//! `omnisim staff SCENARIO --target "service_level.fraction>=0.8"`: agents per interval by
//! simulation (`DIR/staffing.csv`, `DIR/staffing.html`) and, with `--shifts`, the cheapest
//! roster (`DIR/roster.csv`) and its check run (`DIR/roster-check/summary.json` and the other
//! reports of `run`); exit 1 when the target cannot be met in every interval or the
//! shift templates cannot cover it, 2 on bad input.

use std::path::PathBuf;

use crate::report::Report;
use crate::staffing::{self, render, GroupError, StaffError, StaffSpec};
use crate::time::parse_duration;
use crate::workflows::target;

use super::error::{CliError, CmdResult};
use super::{default_out_dir, Global, EXIT_OK, EXIT_THRESHOLD};

/// `omnisim staff` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct StaffArgs {
    /// The scenario file.
    pub(crate) scenario: PathBuf,
    /// The per-interval target, e.g. "service_level.fraction>=0.8" or "wait_s.mean<=30".
    #[arg(long)]
    pub(crate) target: String,
    /// Interval length (a multiple of 15 minutes).
    #[arg(long, default_value = "30m")]
    pub(crate) interval: String,
    /// The agent group to staff (needed when there are several).
    #[arg(long)]
    pub(crate) group: Option<String>,
    /// Shift templates file: also find the cheapest roster covering the requirement.
    #[arg(long, value_name = "SHIFTS.toml")]
    pub(crate) shifts: Option<PathBuf>,
    /// Shrinkage: scheduled agents = required ÷ (1 − shrinkage), e.g. 30%.
    #[arg(long)]
    pub(crate) shrinkage: Option<String>,
    /// Accept a scenario and --replications beyond the size limits (agents, horizon,
    /// replications, arrivals, loops), as `run --allow-huge` does.
    #[arg(long)]
    pub(crate) allow_huge: bool,
    #[command(flatten)]
    pub(crate) sim: super::SimArgs,
    #[command(flatten)]
    pub(crate) global: Global,
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

/// A staffing error in the command's words: the flag that set the value in question.
fn flagged(e: &StaffError) -> String {
    match e {
        StaffError::Metric(..)
        | StaffError::Unreachable(..)
        | StaffError::Direction(..)
        | StaffError::Interval(..)
        | StaffError::Shrinkage => format!("--{e}"),
        StaffError::Group(g @ GroupError::NoSuch { .. }) => format!("--group {g}"),
        StaffError::Group(g @ GroupError::OnlyRoster { .. }) => {
            format!("{g}, and name it with --group")
        }
        StaffError::Group(g @ GroupError::Several(_)) => format!("{g}: name one with --group"),
        e => e.to_string(),
    }
}

/// Runs the command.
pub(crate) fn run(a: StaffArgs) -> CmdResult {
    let sc = super::load(&a.scenario, a.allow_huge, a.sim.replications)?;
    super::check_replications(a.sim.replications, &sc, Some(a.allow_huge))?;
    let spec = (|| -> Result<StaffSpec, String> {
        let target = target::parse(&a.target)?;
        staffing::check_target(&target).map_err(|e| flagged(&e))?;
        let interval = parse_duration(&a.interval).map_err(|e| format!("--interval: {e}"))?;
        // Labelled HH:MM like fit's profile: positive, at most a day and dividing it; and a
        // whole multiple of the run's report interval. The suggestions are only lengths that
        // pass both (fit's list named 5m, 10m and 20m, which staff then refused).
        staff_interval(
            interval,
            a.interval.trim(),
            crate::metrics::interval_for(sc.horizon),
        )?;
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
                format!(
                    "{} (--shifts) is not a valid shift templates file:\n{e}",
                    p.display()
                )
            })?),
            None => None,
        };
        if a.sim.replications == Some(0) {
            return Err("--replications must be at least 1".into());
        }
        Ok(StaffSpec {
            target,
            interval,
            group: a.group.clone(),
            shifts,
            shrinkage,
            start_minute: (sc.calendar.ms_of_day(crate::time::SimTime::ZERO) / 60_000) as u32,
            seed: a.sim.seed,
            replications: a.sim.replications,
        })
    })();
    let spec = spec.map_err(CliError::bad)?;
    // The verification's own floor (`staffing::Precision`): a smaller --replications is
    // raised; say so rather than run more than asked in silence.
    if let Some(asked) = a.sim.replications {
        let floor = staffing::Precision::for_target(&spec.target, asked).min_replications;
        if floor > asked {
            eprintln!(
                "warning: --replications {asked} raised to {floor}: the verification starts at \
                 {floor} replications (and adds more up to its precision) so each interval's \
                 figure is known well enough to call the target met or missed"
            );
        }
    }
    // A stop signal ends the verification at its next event: the last finished round is kept
    // and written, marked interrupted (exit 130).
    let dir = a.sim.out.unwrap_or_else(|| default_out_dir(&sc.name));
    // The work begins: the folder's older staffing files (and roster check) go first, so
    // however this ends no older one is left beside its own.
    super::stale::clear(&dir, super::stale::Starting::Staff);
    let result = staffing::run_until(&sc, &spec, Some(super::stop_flag()))
        .map_err(|e| CliError::bad(format!("{}: {}", a.scenario.display(), flagged(&e))))?;
    let csv = render::csv(&result)
        .map_err(|e| CliError::bad(format!("cannot render staffing.csv: {e}")))?;
    let mut files = vec![
        ("staffing.csv", csv),
        ("staffing.html", render::html(&result, &sc.name)),
    ];
    if let Some(Ok(roster)) = &result.roster {
        let csv = render::roster_csv(&sc, &result, roster, spec.shrinkage)
            .map_err(|e| CliError::bad(format!("cannot render roster.csv: {e}")))?;
        files.push(("roster.csv", csv));
    }
    let mut rostered_note = None;
    if result.roster.as_ref().is_some_and(|r| r.is_ok()) {
        let text = std::fs::read_to_string(&a.scenario).unwrap_or_default();
        // The folder first, so the paths written relative to it are of its canonical path.
        let _ = std::fs::create_dir_all(&dir);
        let made = staffing::rostered::rostered_toml(
            &a.scenario,
            &text,
            &result.group,
            "roster.csv",
            &dir,
        );
        match made {
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
    super::write_files(&dir, &files)
        .map_err(|e| CliError::bad(format!("cannot write reports to {}: {e}", dir.display())))?;
    if let Some(why) = &result.interrupted {
        if !a.global.quiet {
            print!("{}", render::text(&result));
            for (name, _) in &files {
                println!("wrote {}", dir.join(name).display());
            }
        }
        return Err(CliError::Interrupted(format!(
            "{why}; wrote {} (no roster, no roster check)",
            dir.join("staffing.csv").display()
        )));
    }
    // The roster check: the scenario run with the roster's agents in place of the group.
    let mut check = None;
    if let Some(Ok(roster)) = &result.roster {
        let rc = staffing::roster_check(&sc, &spec, &result, roster, Some(super::stop_flag()))
            .map_err(|e| CliError::bad(format!("{}: {}", a.scenario.display(), flagged(&e))))?;
        let report = Report::build(&rc.scenario, &rc.output);
        let check_dir = dir.join("roster-check");
        crate::report::write_all(&check_dir, &report).map_err(|e| {
            CliError::bad(format!(
                "cannot write reports to {}: {e}",
                check_dir.display()
            ))
        })?;
        check = Some((check_dir, report.summary, rc));
    }
    if !a.global.quiet {
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
            println!("{}", roster_check_line(s, &d.join("summary.json")));
            // What the check's summary.json left out of its rows (a roster of many agents).
            if let Some(left) = &s.by_replication_left_out {
                eprintln!(
                    "note: {}: {}",
                    d.join("summary.json").display(),
                    left.note()
                );
            }
        }
    }
    if let Some((d, _, _)) = check.as_ref().filter(|(_, s, _)| s.partial) {
        return Err(CliError::Interrupted(format!(
            "the roster check is partial (\"partial\": true) in {}",
            d.display()
        )));
    }
    let roster_failed = matches!(result.roster, Some(Err(_)));
    // Nothing measured: the target is not shown met anywhere (exit 1, as for a miss).
    Ok(
        if !result.met || roster_failed || render::nothing_measured(&result) {
            EXIT_THRESHOLD
        } else {
            EXIT_OK
        },
    )
}

/// The `roster check overall` line of the check's summary `s` (written to `summary`): an
/// interrupted check says on the line itself that its figures are partial (stdout may be read
/// without stderr).
fn roster_check_line(s: &crate::report::Summary, summary: &std::path::Path) -> String {
    format!(
        "roster check overall{}: service level {} · ASA {} · abandonment {} · wrote {}",
        if s.partial {
            " (PARTIAL: interrupted, the figures cover only what finished)"
        } else {
            ""
        },
        crate::report::format::pct(s.service_level.fraction),
        crate::report::format::duration(s.wait_s.mean),
        crate::report::format::pct(s.abandonment_rate),
        summary.display()
    )
}

#[cfg(test)]
mod tests {
    use super::roster_check_line;

    fn summary(partial: bool) -> crate::report::Summary {
        let text = "[scenario]\nname = \"m\"\nhorizon = \"10m\"\nreplications = 1\n\n\
            [[workstreams]]\nname = \"v\"\nchannel = \"voice\"\nhandle_time = \"1m\"\n\n\
            [[queues]]\nname = \"q\"\nworkstream = \"v\"\narrivals = { rate = \"30/h\" }\n\n\
            [[agent_groups]]\nname = \"a\"\ncount = 2\nqueues = [\"q\"]\n";
        let sc = crate::scenario::load_str(text, "m.toml").expect("valid");
        let out = crate::sim::run(&sc, &crate::sim::RunOptions::default(), &|_, _, _| {});
        let mut s = crate::report::Report::build(&sc, &out).summary;
        s.partial = partial;
        s
    }

    #[test]
    fn an_interrupted_roster_check_says_partial_on_its_line() {
        // Issue 25 K: stdout said "roster check overall: service level 84.0% …" of a check cut
        // short, only stderr said partial.
        let line = roster_check_line(&summary(true), std::path::Path::new("c/summary.json"));
        assert!(
            line.starts_with("roster check overall (PARTIAL: interrupted, the figures cover only"),
            "{line}"
        );
        assert!(line.ends_with("wrote c/summary.json"), "{line}");
        // Variant: a whole check's line is as before.
        let line = roster_check_line(&summary(false), std::path::Path::new("c/summary.json"));
        assert!(
            line.starts_with("roster check overall: service level "),
            "{line}"
        );
    }
}

/// Checks `staff --interval`: whole minutes, dividing a day, and a whole multiple of the run's
/// report interval `report` (15 minutes for runs up to a day's scale, longer for long
/// horizons); `written` is the flag's text, echoed as given (`25h`, not `1d1h`). Errors: the
/// message names the value and lists the lengths accepted.
fn staff_interval(
    iv: crate::time::SimDuration,
    written: &str,
    report: crate::time::SimDuration,
) -> Result<(), String> {
    const DAY_MS: u64 = 86_400_000;
    let (ms, r) = (iv.as_millis(), report.as_millis().max(60_000));
    let fits = |m: u64| m > 0 && m <= DAY_MS && DAY_MS % m == 0 && m % r == 0;
    if fits(ms) {
        return Ok(());
    }
    let ok: Vec<String> = (1..=DAY_MS / r)
        .map(|k| k * r)
        .filter(|&m| fits(m))
        .map(|m| crate::time::SimDuration::from_millis(m).to_string())
        .collect();
    // The first rule it breaks, then the rule and the lengths that meet it.
    let reason = if ms == 0 {
        "is not positive".to_string()
    } else if ms > DAY_MS {
        "is longer than a day".to_string()
    } else if DAY_MS % ms != 0 {
        "does not divide a day".to_string()
    } else {
        format!("is not a whole multiple of the report interval ({report})")
    };
    Err(format!(
        "--interval {written} {reason}: staff intervals are whole multiples of the report interval \
         ({report}) that divide a day; use one of {}",
        ok.join(", ")
    ))
}

#[cfg(test)]
mod interval_tests {
    use super::staff_interval;
    use crate::time::SimDuration;

    /// Issue 25, fourth pass (F15a): `--interval 7m` suggested 5m, 10m and 20m, which staff
    /// then refused; every length suggested is now accepted.
    #[test]
    fn every_suggested_interval_is_accepted() {
        let q = SimDuration::from_secs(900);
        let e = staff_interval(SimDuration::from_secs(420), "7m", q).unwrap_err();
        assert!(
            e.contains("use one of 15m, 30m, 45m, 1h, 1h30m, 2h, 3h, 4h, 6h, 8h, 12h, 1d"),
            "{e}"
        );
        let list = e.split("use one of ").nth(1).unwrap();
        for x in list.split(", ") {
            let d = crate::time::parse_duration(x).unwrap();
            assert!(staff_interval(d, x, q).is_ok(), "{x}");
        }
        // Each refusal names the first rule the length breaks.
        assert!(
            e.starts_with("--interval 7m does not divide a day: "),
            "{e}"
        );
        for (secs, why) in [
            (0, "is not positive"),
            (90_000, "is longer than a day"),
            (1200, "is not a whole multiple of the report interval (15m)"),
        ] {
            let e =
                staff_interval(SimDuration::from_secs(secs), &format!("{secs}s"), q).unwrap_err();
            assert!(e.contains(why), "{secs}: {e}");
        }
        for bad in [300, 600, 1200, 3600 * 5, 86_400 * 2] {
            assert!(
                staff_interval(SimDuration::from_secs(bad), "x", q).is_err(),
                "{bad}"
            );
        }
    }
}
