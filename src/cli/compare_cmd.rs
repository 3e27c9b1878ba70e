//! `omnisim compare BASELINE.json CURRENT.json`: exit 1 on a regression, 2 on bad input.

use std::path::Path;

use crate::report::compare::{self, parse_pct, Tolerances};
use crate::report::compare_table;

use super::{EXIT_BAD_INPUT, EXIT_OK, EXIT_THRESHOLD};

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
    markdown: bool,
    quiet: bool,
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
        let rows = compare::compare(&b, &c, &tol).map_err(|e| {
            let file = if e.to_string().starts_with("baseline") {
                baseline
            } else {
                current
            };
            format!("error: {}: {e}", file.display())
        })?;
        Ok(rows)
    })();
    let rows = match parsed {
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
    if markdown {
        print!("{}", compare_table::render_markdown(&rows));
    } else if !quiet {
        print!("{}", compare_table::render_text(&rows));
    }
    if rows.iter().any(|r| r.regression) {
        EXIT_THRESHOLD
    } else {
        EXIT_OK
    }
}
