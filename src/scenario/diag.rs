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
    /// Names already refused (a control character): a reference to one is not reported
    /// again as unknown.
    bad_names: std::collections::BTreeSet<String>,
}

impl<'s> Ctx<'s> {
    pub(crate) fn new(file: &str, text: &'s str) -> Self {
        Ctx {
            file: file.to_string(),
            text,
            lines: LineIndex::new(text),
            diags: Vec::new(),
            warnings: Vec::new(),
            bad_names: std::collections::BTreeSet::new(),
        }
    }

    /// Remembers a name refused where it was given, so references to it are not also
    /// reported as unknown (one error per bad name).
    pub(crate) fn refused_name(&mut self, name: &str) {
        self.bad_names.insert(name.to_string());
    }

    /// Whether `name` was refused where it was given ([`Ctx::refused_name`]).
    pub(crate) fn is_refused_name(&self, name: &str) -> bool {
        self.bad_names.contains(name)
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
    /// scenario file's own problems, by file name, then line and column (see [`in_order`]).
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

    /// The recorded warnings, sorted by position (stable, see [`in_order`]); they are taken
    /// out of the context.
    pub(crate) fn take_warnings(&mut self) -> Vec<Diagnostic> {
        in_order(std::mem::take(&mut self.warnings))
    }

    /// The recorded problems, sorted by position (stable, see [`in_order`]).
    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        in_order(self.diags)
    }
}

/// Problems in the order a reader fixes them (issue 25, tenth pass: they were listed in the
/// order the checks ran): the scenario file's first, by position (`order`: 1 + the byte
/// offset, 0 for a problem without one, which comes first); then each other file's (`order`
/// = `usize::MAX`), files by name, each by line then column, a problem without a line (the
/// file as a whole, the count of problems beyond a reader's cap) after its lines. Stable:
/// problems at one place keep the order they were found in.
fn in_order(mut list: Vec<(usize, Diagnostic)>) -> Vec<Diagnostic> {
    list.sort_by(|(a, x), (b, y)| {
        let other = |o: &usize| *o == usize::MAX;
        other(a).cmp(&other(b)).then_with(|| {
            if other(a) {
                let line = |d: &Diagnostic| d.line.unwrap_or(usize::MAX);
                let col = |d: &Diagnostic| d.column.unwrap_or(0);
                x.file
                    .cmp(&y.file)
                    .then(line(x).cmp(&line(y)))
                    .then(col(x).cmp(&col(y)))
            } else {
                a.cmp(b)
            }
        })
    });
    list.into_iter().map(|(_, d)| d).collect()
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

    /// Issue 25, tenth pass: a roster's overlap (line 4) was listed after a later line's bad
    /// capacity (line 5), and files in the order they were read.
    #[test]
    fn other_files_are_listed_by_name_then_line_then_column() {
        let d = |file: &str, line: Option<usize>, column: Option<usize>, m: &str| Diagnostic {
            file: file.into(),
            path: String::new(),
            line,
            column,
            message: m.into(),
            hint: None,
        };
        let mut cx = Ctx::new("s.toml", "a = 1\nb = 2\n");
        cx.external(d("roster.csv", Some(5), Some(5), "capacity"));
        cx.external(d("roster.csv", None, None, "and more"));
        cx.external(d("roster.csv", Some(4), Some(3), "overlap"));
        cx.external(d("hist.csv", Some(3), Some(2), "queue"));
        cx.external(d("roster.csv", Some(4), Some(2), "queue"));
        cx.report("b", Some(6..7), "second line", None);
        cx.report("", None, "whole file", None);
        cx.report("a", Some(0..1), "first line", None);
        let got: Vec<String> = cx.finish().into_iter().map(|d| d.message).collect();
        assert_eq!(
            got,
            [
                "whole file",
                "first line",
                "second line",
                "queue",
                "queue",
                "overlap",
                "capacity",
                "and more"
            ]
        );
    }
}
