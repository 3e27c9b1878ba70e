//! `omnisim ab SCENARIO --variant OTHER.toml`: writes `DIR/ab.json` and `DIR/ab.html` and
//! prints the report, significant changes first.

use std::path::{Path, PathBuf};

use crate::workflows::ab;

use super::error::{CliError, CmdResult};
use super::{default_out_dir, load_unwarned, Global, EXIT_OK};
use crate::report::write_atomic;

/// `omnisim ab` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct AbArgs {
    /// The base scenario.
    pub(crate) scenario: PathBuf,
    /// The variant scenario.
    #[arg(long)]
    pub(crate) variant: PathBuf,
    /// Output folder (default: reports/<scenario name>/).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Replications of each (default: the base scenario's).
    #[arg(long)]
    pub(crate) replications: Option<u32>,
    /// Accept scenarios and --replications beyond the size limits (agents, horizon,
    /// replications, arrivals, loops), as `run --allow-huge` does.
    #[arg(long)]
    pub(crate) allow_huge: bool,
    /// Compare scenarios that measure differently (another service-level threshold or
    /// definition, short-abandon limit, horizon or warm-up): their figures differ by
    /// definition, not by the change. Refused without it, as `compare` refuses such runs.
    #[arg(long)]
    pub(crate) allow_different: bool,
    #[command(flatten)]
    pub(crate) global: Global,
}

/// Runs the command: exit 0, 2 on bad input, 130 interrupted (a partial `ab.json` written).
pub(crate) fn run(a: AbArgs) -> CmdResult {
    // Both scenarios are loaded and every problem of both reported, the base's first.
    // Read side by side: a large center's roster takes seconds to read, and a Ctrl-C meanwhile
    // waits for both.
    let (base, var) = match rayon::join(
        || load_unwarned(&a.scenario, a.allow_huge, a.replications),
        // The variant's problems name its flag (issue 25, twelfth session).
        || {
            load_unwarned(&a.variant, a.allow_huge, a.replications)
                .map_err(|e| flag_named(e, &a.variant, "--variant"))
        },
    ) {
        // Each one's warnings, as every command reading a scenario prints them (issue 25):
        // the base's, then the variant's (its file names it).
        (Ok((b, base_warnings)), Ok((v, variant_warnings))) => {
            super::warnings::print(&base_warnings);
            super::warnings::print(&variant_warnings);
            (b, v)
        }
        (Err(CliError::BadInput(mut b)), Err(CliError::BadInput(v))) => {
            b.extend(v);
            return Err(CliError::BadInput(b));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    super::check_replications(a.replications, &base, Some(a.allow_huge))?;
    let differ = measure_differences(&base, &var);
    if !differ.is_empty() && !a.allow_different {
        return Err(CliError::bad(format!(
            "{} and {} measure differently ({}): a figure would change by its definition, \
             not by the variant's rules; make them measure alike, or pass --allow-different to \
             compare anyway",
            a.scenario.display(),
            a.variant.display(),
            differ.join("; ")
        )));
    }
    for d in &differ {
        eprintln!("warning: comparing scenarios that measure differently (--allow-different): {d}");
    }
    if !a.global.quiet {
        // Both sides run on the base's random numbers: the variant's own differ silently else.
        let mut ignored = Vec::new();
        if var.seed != base.seed {
            ignored.push(format!(
                "seed {} (the base's {} is used)",
                var.seed, base.seed
            ));
        }
        if var.replications != base.replications && a.replications.is_none() {
            ignored.push(format!(
                "replications {} (the base's {} are used)",
                var.replications, base.replications
            ));
        }
        if let Some(note) = replay_note(&base, &var, &a.scenario, &a.variant) {
            eprintln!("{note}");
        }
        if !ignored.is_empty() {
            eprintln!(
                "note: {}: the variant's {} ignored: both sides run on common random numbers",
                a.variant.display(),
                ignored.join(" and ")
            );
        }
    }
    let dir = a.out.unwrap_or_else(|| default_out_dir(&base.name));
    // The work begins: an older comparison goes first (however this one ends).
    super::stale::clear(&dir, super::stale::Starting::Ab);
    let report = ab::run_stoppable(&base, &var, a.replications, Some(super::stop_flag()));
    let written = std::fs::create_dir_all(&dir).and_then(|_| {
        // Streamed: a comparison of a large center's groups is hundreds of megabytes.
        crate::report::write_atomic_with(&dir.join("ab.json"), |w| {
            serde_json::to_writer_pretty(w, &report).map_err(std::io::Error::other)
        })?;
        write_atomic(
            &dir.join("ab.html"),
            crate::workflows::ab_html::render_html(&report).as_bytes(),
        )
    });
    written.map_err(|e| CliError::bad(format!("cannot write to {}: {e}", dir.display())))?;
    if !a.global.quiet {
        print!("{}", ab::render_text(&report));
        println!(
            "\nwrote {} and {}",
            dir.join("ab.json").display(),
            dir.join("ab.html").display()
        );
    }
    let result = if report.partial {
        Err(CliError::Interrupted(format!(
            "wrote a partial comparison (\"partial\": true, {} replications both sides \
             finished) to {}",
            report.replications,
            dir.join("ab.json").display()
        )))
    } else {
        Ok(EXIT_OK)
    };
    super::leave_to_exit((report, base, var));
    result
}

/// The replayed history a scenario reads (`[traffic] replay`), if any: as written, and
/// resolved.
fn replay_file(sc: &crate::scenario::Scenario) -> Option<(&str, &std::path::Path)> {
    sc.traffic
        .files
        .iter()
        .find(|(key, _, _)| key == "traffic.replay")
        .map(|(_, shown, path)| (shown.as_str(), path.as_path()))
}

/// `e` with its first problem's "`path` is not a valid scenario" saying the path came from
/// `flag` ("`path` (--variant) is not …").
fn flag_named(e: CliError, path: &Path, flag: &str) -> CliError {
    match e {
        CliError::BadInput(mut v) => {
            let shown = path.display().to_string();
            if let Some(rest) = v.first().and_then(|m| m.strip_prefix(shown.as_str())) {
                v[0] = format!("{shown} ({flag}){rest}");
            }
            CliError::BadInput(v)
        }
        e => e,
    }
}

/// A note when base and variant do not replay the same history (different files, or only one
/// replays): replication *i* of both then does not see the same customers, so the pairing
/// that `ab`'s paired tests rest on no longer holds. Files with the same bytes count as one.
fn replay_note(
    base: &crate::scenario::Scenario,
    var: &crate::scenario::Scenario,
    base_path: &std::path::Path,
    var_path: &std::path::Path,
) -> Option<String> {
    let (a, b) = (replay_file(base), replay_file(var));
    let same = match (a, b) {
        (None, None) => true,
        (Some((_, x)), Some((_, y))) => {
            let canon = |p: &std::path::Path| std::fs::canonicalize(p).ok();
            (canon(x).is_some() && canon(x) == canon(y))
                || matches!((std::fs::read(x), std::fs::read(y)), (Ok(p), Ok(q)) if p == q)
        }
        _ => false,
    };
    if same {
        return None;
    }
    let shown = |sc: &std::path::Path, f: Option<(&str, &std::path::Path)>| match f {
        Some((f, _)) => format!("{} replays {f}", sc.display()),
        None => format!("{} replays no history", sc.display()),
    };
    Some(format!(
        "note: {} but {}: the two sides do not see the same customers, so the pairs compare \
         different traffic and a difference may be the traffic's, not the change's",
        shown(base_path, a),
        shown(var_path, b)
    ))
}

/// What the two scenarios measure differently (`[scenario]` keys that define figures rather
/// than the center: the service-level threshold and definition, the short-abandon limit, the
/// horizon totals count over, the warm-up left out), each as "key: base (base) vs variant
/// (variant)". `compare` refuses summaries whose service level differs the same way
/// ([`crate::report::compare::differences`]).
fn measure_differences(
    base: &crate::scenario::Scenario,
    var: &crate::scenario::Scenario,
) -> Vec<String> {
    let short =
        |s: &crate::scenario::Scenario| s.short_abandon.map_or("none".into(), |d| d.to_string());
    [
        (
            "service_level",
            base.service_level.to_string(),
            var.service_level.to_string(),
        ),
        (
            "service_level_definition",
            base.service_level_definition.as_str().to_string(),
            var.service_level_definition.as_str().to_string(),
        ),
        ("short_abandon", short(base), short(var)),
        ("horizon", base.horizon.to_string(), var.horizon.to_string()),
        ("warmup", base.warmup.to_string(), var.warmup.to_string()),
    ]
    .into_iter()
    .filter(|(_, b, v)| b != v)
    .map(|(k, b, v)| format!("{k}: {b} (base) vs {v} (variant)"))
    .collect()
}
