//! `omnisim compare BASELINE.json CURRENT.json`: exit 1 on a regression, 2 on bad input
//! (unreadable files, not summaries, a misspelt `--tolerance-for` metric, or summaries of
//! different scenarios or service-level definitions without `--allow-different`).

use std::path::{Path, PathBuf};

use crate::report::compare::{self, parse_pct, Tolerances};
use crate::report::{compare_table, write_atomic};

use super::{EXIT_BAD_INPUT, EXIT_OK, EXIT_THRESHOLD};

/// How to print the comparison.
pub(crate) struct Output {
    /// A GitHub Markdown table instead of the terminal one.
    pub markdown: bool,
    /// Every metric, not only regressions and significant changes.
    pub all: bool,
    /// Where to write JUnit XML.
    pub junit: Option<PathBuf>,
    /// Compare different scenarios or service-level definitions (with a warning).
    pub allow_different: bool,
    /// Print nothing but errors and warnings.
    pub quiet: bool,
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("error: {} is not valid JSON: {e}", path.display()))
}

/// Runs the command.
pub(crate) fn run(
    baseline: &Path,
    current: &Path,
    tolerance: &str,
    tolerance_for: &[String],
    out: Output,
) -> u8 {
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
        compare::check_tolerances(&b, &c, &tol)?;
        let cmp = compare::compare_runs(&b, &c, &tol).map_err(|e| {
            let file = if e.to_string().starts_with("baseline") {
                baseline
            } else {
                current
            };
            format!("error: {}: {e}", file.display())
        })?;
        let diffs = compare::differences(&b, &c);
        if !diffs.is_empty() && !out.allow_different {
            return Err(format!(
                "{} and {} are not runs of the same test ({}); pass --allow-different to \
                 compare them anyway",
                baseline.display(),
                current.display(),
                diffs.join("; ")
            ));
        }
        let scenario = c
            .get("scenario")
            .and_then(|s| s.as_str())
            .unwrap_or("summary")
            .to_string();
        Ok((cmp, diffs, scenario))
    })();
    let (cmp, diffs, scenario) = match parsed {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "{}",
                e.strip_prefix("error: ")
                    .map_or(format!("error: {e}"), |s| format!("error: {s}"))
            );
            return EXIT_BAD_INPUT;
        }
    };
    for d in &diffs {
        eprintln!("warning: comparing different runs (--allow-different): {d}");
    }
    for w in &cmp.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(path) = &out.junit {
        let xml = compare_table::render_junit(&cmp, &scenario);
        if let Err(e) = write_atomic(path, xml.as_bytes()) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return EXIT_BAD_INPUT;
        }
    }
    if out.markdown {
        print!("{}", compare_table::render_markdown(&cmp, out.all));
    } else if !out.quiet {
        print!("{}", compare_table::render_text(&cmp, out.all));
    }
    if cmp.rows.iter().any(|r| r.regression) {
        EXIT_THRESHOLD
    } else {
        EXIT_OK
    }
}
