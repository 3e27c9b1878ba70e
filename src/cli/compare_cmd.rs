//! `omnisim compare BASELINE.json CURRENT.json`: exit 1 on a regression, 2 on bad input
//! (unreadable files, not summaries, a misspelt `--tolerance-for` metric, or summaries of
//! different scenarios or service-level definitions without `--allow-different`, or a partial
//! run, one cut short by Ctrl-C or a signal, without `--allow-partial`, or with it but too few
//! finished replications to judge (none in common on the same seed, none on a side otherwise),
//! or runs of different seeds with a single replication on a side without `--allow-untested`,
//! or a summary whose `by_replication` rows disagree with its pooled figures: hand-edited or
//! mixed, refused whatever the flags).

use std::path::{Path, PathBuf};

use crate::report::compare::{self, parse_pct, Tolerances};
use crate::report::{compare_table, write_atomic};

use super::error::{CliError, CmdResult};
use super::{Global, EXIT_OK, EXIT_THRESHOLD};

/// `omnisim compare` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct CompareArgs {
    /// The baseline summary.json.
    pub(crate) baseline: PathBuf,
    /// The current summary.json.
    pub(crate) current: PathBuf,
    /// How much worse a metric may get, in percent of the baseline (e.g. 5%).
    #[arg(long, default_value = "5%")]
    pub(crate) tolerance: String,
    /// A tolerance for one metric or a prefix of whole segments (wait_s.p90=10%).
    #[arg(long, value_name = "METRIC=PCT")]
    pub(crate) tolerance_for: Vec<String>,
    /// Print a GitHub Markdown table.
    #[arg(long)]
    pub(crate) markdown: bool,
    /// List every metric, not only regressions and significant changes.
    #[arg(long)]
    pub(crate) all: bool,
    /// Write JUnit XML, one test case per metric, to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,
    /// Compare summaries of different scenarios or service-level definitions.
    #[arg(long)]
    pub(crate) allow_different: bool,
    /// Compare a partial (interrupted) run: its figures cover only what finished.
    #[arg(long)]
    pub(crate) allow_partial: bool,
    /// Compare runs of different seeds with a single replication on a side, on the tolerance
    /// alone (nothing can be tested: a change by chance fails).
    #[arg(long)]
    pub(crate) allow_untested: bool,
    #[command(flatten)]
    pub(crate) global: Global,
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// Why two summaries give nothing to test, or `None`: different seeds (`seed`) with a single
/// replication (`replications`) on either side. With the same seed a single replication is a
/// deterministic comparison (any difference is caused by the change), so it stays allowed.
fn untestable(b: &serde_json::Value, c: &serde_json::Value) -> Option<String> {
    let seed = |v: &serde_json::Value| v.get("seed").and_then(serde_json::Value::as_u64);
    // A partial run tests only the replications that finished (`compare` leaves the cut ones
    // out), not the count asked for.
    let reps = |v: &serde_json::Value| {
        let key = match compare::is_partial(v) {
            true => "replications_finished",
            false => "replications",
        };
        v.get(key).and_then(serde_json::Value::as_u64)
    };
    let (sb, sc) = (seed(b)?, seed(c)?);
    let (rb, rc) = (reps(b)?, reps(c)?);
    if sb == sc || rb.min(rc) > 1 {
        return None;
    }
    let one = |n: u64, v: &serde_json::Value| match (n, compare::is_partial(v)) {
        (0, _) => "no replication that finished",
        (_, true) => "a single replication that finished",
        _ => "a single replication",
    };
    let side = match (rb <= 1, rc <= 1) {
        (true, true) if one(rb, b) == one(rc, c) => format!("each has {}", one(rb, b)),
        (true, true) => format!(
            "the baseline has {} and the current run {}",
            one(rb, b),
            one(rc, c)
        ),
        (true, false) => format!("the baseline has {}", one(rb, b)),
        _ => format!("the current run has {}", one(rc, c)),
    };
    Some(format!(
        "they ran with different seeds ({sb} and {sc}) and {side}"
    ))
}

/// Runs the command: exit 0, 1 on a regression, 2 on bad input.
pub(crate) fn run(a: CompareArgs) -> CmdResult {
    let (baseline, current, tolerance, tolerance_for) =
        (&a.baseline, &a.current, &a.tolerance, &a.tolerance_for);
    let parsed = (|| -> Result<_, String> {
        let mut tol =
            Tolerances::new(parse_pct(tolerance).map_err(|e| format!("--tolerance: {e}"))?);
        for t in tolerance_for {
            let (m, p) = t
                .split_once('=')
                .ok_or_else(|| format!("--tolerance-for {t:?}: expected METRIC=PCT"))?;
            let p = parse_pct(p).map_err(|e| format!("--tolerance-for: {e}"))?;
            tol.per_metric.insert(m.trim().to_string(), p);
        }
        let (b, c) = (read_json(baseline)?, read_json(current)?);
        compare::check_tolerances(&b, &c, &tol).map_err(|unknown| {
            let flagged: Vec<String> = unknown
                .iter()
                .map(|m| format!("--tolerance-for: {m}"))
                .collect();
            flagged.join("\nerror: ")
        })?;
        let cmp = compare::compare_runs(&b, &c, &tol).map_err(|e| {
            let file = if e.to_string().starts_with("baseline") {
                baseline
            } else {
                current
            };
            format!("{}: {e}", file.display())
        })?;
        // A file whose per-replication rows disagree with its pooled figures is two runs at
        // once (the tests read one, the tolerance the other): refused, every key named.
        let contradicted: Vec<String> = [(baseline, &b), (current, &c)]
            .iter()
            .flat_map(|(p, v)| {
                compare::pooled_disagreements(v).into_iter().map(move |d| {
                    format!(
                        "{}: by_replication disagrees with the pooled figures: {d}",
                        p.display()
                    )
                })
            })
            .collect();
        if !contradicted.is_empty() {
            return Err(format!(
                "{}\nerror: such a summary holds figures of two runs (hand-edited, or pieces of \
                 two files put together) and cannot be judged; compare the summary.json a run \
                 or `omnisim merge` wrote",
                contradicted.join("\nerror: ")
            ));
        }
        let partial: Vec<String> = [(baseline, &b), (current, &c)]
            .iter()
            .filter(|(_, v)| compare::is_partial(v))
            .map(|(p, _)| p.display().to_string())
            .collect();
        if !partial.is_empty() && !a.allow_partial {
            return Err(format!(
                "{} {} a partial run (interrupted: its figures cover only what finished before \
                 the signal, so a comparison would pass or fail on where it was cut); rerun it to \
                 the end, or pass --allow-partial to compare anyway",
                partial.join(" and "),
                if partial.len() == 1 { "is" } else { "are" }
            ));
        }
        if let Some(why) = compare::unjudgeable(&b, &c) {
            return Err(format!(
                "{} and {} hold too few finished replications to judge: {why}. Rerun the \
                 partial run until at least one replication finishes (on both sides, for the \
                 same seed)",
                baseline.display(),
                current.display()
            ));
        }
        for p in &partial {
            eprintln!(
                "warning: {p} is a partial run (--allow-partial): only its replications that \
                 finished are tested"
            );
        }
        let diffs = compare::differences(&b, &c);
        if !diffs.is_empty() && !a.allow_different {
            return Err(format!(
                "{} and {} are not runs of the same test ({}); pass --allow-different to \
                 compare them anyway",
                baseline.display(),
                current.display(),
                diffs.join("; ")
            ));
        }
        let untested = untestable(&b, &c);
        if let Some(why) = &untested {
            if !a.allow_untested {
                return Err(format!(
                    "{} and {} cannot be tested against each other: {why}; a change by chance \
                     would pass or fail on the tolerance alone. Rerun both with --replications \
                     2 or more (a test across replications), or with the same --seed (a \
                     difference is then caused by the change), or pass --allow-untested to \
                     compare on the tolerance alone",
                    baseline.display(),
                    current.display()
                ));
            }
            eprintln!(
                "warning: {why} (--allow-untested): compared on the tolerance alone, so a \
                 change by chance can fail"
            );
        }
        let scenario = c
            .get("scenario")
            .and_then(|s| s.as_str())
            .unwrap_or("summary")
            .to_string();
        Ok((cmp, diffs, scenario))
    })();
    let (cmp, diffs, scenario) = parsed.map_err(CliError::bad)?;
    for d in &diffs {
        eprintln!("warning: comparing different runs (--allow-different): {d}");
    }
    for w in &cmp.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(path) = &a.junit {
        let xml = compare_table::render_junit(&cmp, &scenario);
        write_atomic(path, xml.as_bytes())
            .map_err(|e| CliError::bad(format!("cannot write {}: {e}", path.display())))?;
    }
    if a.markdown {
        print!("{}", compare_table::render_markdown(&cmp, a.all));
    } else if !a.global.quiet {
        print!("{}", compare_table::render_text(&cmp, a.all));
    }
    Ok(if cmp.rows.iter().any(|r| r.regression) {
        EXIT_THRESHOLD
    } else {
        EXIT_OK
    })
}
