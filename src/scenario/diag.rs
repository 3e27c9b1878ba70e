//! Validation diagnostics: one [`Diagnostic`] per problem, all of them gathered in a [`LoadError`].

use std::ops::Range;

/// The diagnostic type lives one layer down, in [`crate::diag`], so the traffic readers use it
/// without importing the scenario layer.
pub use crate::diag::Diagnostic;

/// Why a scenario could not be loaded: every problem found, in file order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::diag::render(.diagnostics))]
pub struct LoadError {
    /// The problems, sorted by position (problems without a position come first).
    pub diagnostics: Vec<Diagnostic>,
}

/// Maps byte offsets of the source text to 1-based line and column.
#[derive(Debug)]
pub(crate) struct LineIndex {
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line and column (in characters) of byte `offset` of `text`.
    pub(crate) fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// Collects diagnostics while a file is walked.
#[derive(Debug)]
pub(crate) struct Ctx<'s> {
    file: String,
    text: &'s str,
    lines: LineIndex,
    diags: Vec<(usize, Diagnostic)>,
    /// Problems that do not stop a load (see [`Ctx::warn`]).
    warnings: Vec<(usize, Diagnostic)>,
}

impl<'s> Ctx<'s> {
    pub(crate) fn new(file: &str, text: &'s str) -> Self {
        Ctx {
            file: file.to_string(),
            text,
            lines: LineIndex::new(text),
            diags: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Records a problem at `span` (or without a position when `span` is `None`).
    pub(crate) fn report(
        &mut self,
        path: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let d = self.diagnostic(path, span, message.into(), hint);
        self.diags.push(d);
    }

    /// Records a warning: something that loads and runs but most likely does not do what the
    /// author meant (a rule that can never match). Warnings never fail a load; a loaded
    /// [`super::Scenario`] carries them in `warnings`.
    pub(crate) fn warn(
        &mut self,
        path: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let d = self.diagnostic(path, span, message.into(), hint);
        self.warnings.push(d);
    }

    fn diagnostic(
        &self,
        path: &str,
        span: Option<Range<usize>>,
        message: String,
        hint: Option<String>,
    ) -> (usize, Diagnostic) {
        let (line, column, order) = match span {
            Some(s) => {
                let (l, c) = self.lines.position(self.text, s.start);
                (Some(l), Some(c), s.start.saturating_add(1))
            }
            None => (None, None, 0),
        };
        (
            order,
            Diagnostic {
                file: self.file.clone(),
                path: path.to_string(),
                line,
                column,
                message,
                hint,
            },
        )
    }

    /// Records a problem at `span` with no hint.
    pub(crate) fn error(&mut self, path: &str, span: Range<usize>, message: impl Into<String>) {
        self.report(path, Some(span), message, None);
    }

    /// The file being read, as named in messages.
    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    /// Records a problem found in another file (a `[traffic]` CSV file); listed after the
    /// scenario file's own problems, in the order recorded.
    pub(crate) fn external(&mut self, d: Diagnostic) {
        self.diags.push((usize::MAX, d));
    }

    /// Records a warning found in another file (a `[traffic]` CSV file); listed after the
    /// scenario file's own warnings.
    pub(crate) fn warn_external(&mut self, d: Diagnostic) {
        self.warnings.push((usize::MAX, d));
    }

    /// Whether any problem was recorded.
    pub(crate) fn has_errors(&self) -> bool {
        !self.diags.is_empty()
    }

    /// The recorded warnings, sorted by position (stable); they are taken out of the context.
    pub(crate) fn take_warnings(&mut self) -> Vec<Diagnostic> {
        let mut w = std::mem::take(&mut self.warnings);
        w.sort_by_key(|(o, _)| *o);
        w.into_iter().map(|(_, d)| d).collect()
    }

    /// The recorded problems, sorted by position (stable).
    pub(crate) fn finish(mut self) -> Vec<Diagnostic> {
        self.diags.sort_by_key(|(o, _)| *o);
        self.diags.into_iter().map(|(_, d)| d).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let text = "ab\ncdé\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, 3), (2, 1));
        assert_eq!(idx.position(text, 8), (3, 1));
        assert_eq!(idx.position(text, 99), (3, 2));
    }

    #[test]
    fn display_has_every_part() {
        let d = Diagnostic {
            file: "s.toml".into(),
            path: "queues[2].workstream".into(),
            line: Some(12),
            column: Some(14),
            message: "unknown work stream".into(),
            hint: Some("did you mean \"web-chat\"?".into()),
        };
        assert_eq!(
            d.to_string(),
            "s.toml:12:14: queues[2].workstream: unknown work stream (hint: did you mean \"web-chat\"?)"
        );
    }
}
