//! The rows of a CSV file whose every cell is empty or spaces (`,,,`, as a spreadsheet exports
//! an empty row): [`super::read`] skips them as it skips blank lines (docs/scenario-format.md)
//! and warns once per file, naming the first few lines.

use super::Problems;
use crate::diag::Diagnostic;
use crate::text::plural;

/// The rows of a file whose every cell is empty or spaces (`,,,`, as a spreadsheet exports an
/// empty row): skipped like blank lines (docs/scenario-format.md), with one warning per file.
#[derive(Default)]
pub(super) struct EmptyRows {
    /// How many.
    count: u64,
    /// The first [`EmptyRows::SHOWN`] lines.
    lines: Vec<u64>,
}

impl EmptyRows {
    /// Lines named in the warning.
    const SHOWN: usize = 5;

    /// Whether `rec` (at `line`) is such a row (then counted). A row of one empty cell is a
    /// blank line, skipped by the reader without a word.
    pub(super) fn skip(&mut self, rec: &csv::StringRecord, line: u64) -> bool {
        if rec.len() < 2 || !rec.iter().all(|c| c.trim().is_empty()) {
            return false;
        }
        self.count += 1;
        if self.lines.len() < Self::SHOWN {
            self.lines.push(line);
        }
        true
    }

    /// The one warning, at the first such line, naming the first few.
    pub(super) fn warn(&self, p: &mut Problems) {
        let Some(&first) = self.lines.first() else {
            return;
        };
        let mut lines: Vec<String> = self.lines.iter().map(u64::to_string).collect();
        if self.count > self.lines.len() as u64 {
            lines.push(format!("… ({} in all)", self.count));
        }
        p.warnings.push(Diagnostic {
            file: p.file.clone(),
            path: String::new(),
            line: Some(first as usize),
            column: None,
            message: format!(
                "{} of only empty cells (only commas, as a spreadsheet exports an empty row) \
                 skipped as blank lines are: line{} {}",
                plural(self.count, "row"),
                if self.count == 1 { "" } else { "s" },
                lines.join(", ")
            ),
            hint: None,
        });
    }
}
