//! [`Diagnostic`]: one problem found in an input file (a scenario, a traffic CSV), with its file,
//! key path, line and column, what was expected and a hint. Collected by the scenario loader
//! into a `scenario::LoadError` and by the traffic readers.
//!
//! A foundation module: it imports nothing from the crate, so every input layer can use it.

use std::fmt;

/// One problem found in a scenario file.
///
/// Displayed as `file:line:column: path: message (hint: …)`; parts that are unknown are left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file (or other origin) the scenario came from.
    pub file: String,
    /// The key path of the offending value, e.g. `queues[2].workstream`; empty for the whole file.
    pub path: String,
    /// 1-based line, when the position is known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when the position is known.
    pub column: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
    /// How to fix it, when there is a likely fix (e.g. "did you mean `handle_time`?").
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        f.write_str(": ")?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// `diags`, one [`Display`](fmt::Display)ed per line (no trailing newline): how a list of
/// problems is shown (a `scenario::LoadError`, a traffic reader's errors).
pub fn render(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(Diagnostic::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
