//! Real traffic: the CSV files of `[traffic]` (history replay, interval forecasts, rosters).
//!
//! Key items: [`Traffic`] (what a validated scenario keeps of them), [`Replay`] and
//! [`ReplayRow`] (history rows that arrive with their own handle, wrap-up and patience),
//! [`AhtProfile`] (per-interval handle-time scale factors of a forecast), [`level::DayLevels`]
//! (a forecast's day-level uncertainty), [`RosterAgent`]
//! (an individual agent's shifts, breaks and skills). The readers are [`history`], [`forecast`]
//! and [`roster`]; each reports every bad cell as a [`Diagnostic`] naming the file, the line,
//! the column and what was expected (formats: contract "Real traffic", `docs/scenario-format.md`).
//!
//! A CSV time is seconds since t = 0 or a local ISO date-time read against `[scenario] start`
//! ([`crate::calendar::Calendar::parse_time`]); a duration is seconds or a duration string.

pub mod cache;
mod empty_rows;
pub mod forecast;
pub mod history;
pub mod level;
pub mod links;
mod quote;
pub use quote::{cut_quoted, shown, SHOWN_CHARS};
pub mod roster;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::text::plural;
use crate::time::{parse_duration, SimDuration, SimTime};
use empty_rows::EmptyRows;

pub use history::{Replay, ReplayRow};
pub use roster::RosterAgent;

/// What a scenario keeps of its `[traffic]` files (the forecast's volumes become the queues'
/// arrival profiles, the roster's agents become one-agent groups).
#[derive(Clone, Debug, Default)]
pub struct Traffic {
    /// `[traffic] replay`: shared, because scenarios are cloned by sweeps and A/B runs.
    pub replay: Option<Arc<Replay>>,
    /// Per queue (by id), the forecast's handle-time scale factors; empty without an `aht`
    /// column.
    pub aht: Vec<Option<AhtProfile>>,
    /// Per queue (by id), the forecast's day-level spreads (`[traffic] forecast = { …,
    /// uncertainty = true }`): each replication scales each day of the queue's profile by a
    /// factor drawn from them ([`level`]); empty without `uncertainty`.
    pub levels: Vec<Option<level::DayLevels>>,
    /// The CSV files `[traffic]` names, in the order replay, forecast, roster: (the key,
    /// e.g. `"traffic.roster"`; the path as written in the scenario; the path read, resolved
    /// against the scenario file's folder). Shards record their contents' hashes.
    pub files: Vec<(String, String, std::path::PathBuf)>,
}

/// Per-interval handle-time scale factors of one queue: `(from, factor)` sorted by time; a
/// conversation arriving at `t` has its drawn handle time multiplied by the factor of the last
/// entry at or before `t` (1 before the first).
#[derive(Clone, Debug, PartialEq)]
pub struct AhtProfile(pub Vec<(SimTime, f64)>);

impl AhtProfile {
    /// The factor for a conversation arriving at `t`.
    pub fn factor(&self, t: SimTime) -> f64 {
        let i = self.0.partition_point(|(from, _)| *from <= t);
        if i == 0 {
            1.0
        } else {
            self.0[i - 1].1
        }
    }
}

/// Most problems reported per CSV file; the rest are counted in one last line.
pub const MAX_PROBLEMS: usize = 50;

/// Problems found in one CSV file, capped at [`MAX_PROBLEMS`].
#[derive(Debug)]
pub struct Problems {
    file: String,
    list: Vec<Diagnostic>,
    more: usize,
    /// Warnings (a column read by nobody, [`warn_ignored`]); the reader hands them on.
    warnings: Vec<Diagnostic>,
}

impl Problems {
    /// An empty list for `file` (as shown in messages).
    pub fn new(file: &str) -> Problems {
        Problems {
            file: file.to_string(),
            list: Vec::new(),
            more: 0,
            warnings: Vec::new(),
        }
    }

    /// The warnings recorded so far, taken out.
    pub fn take_warnings(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.warnings)
    }

    /// Records a problem at `line` (1-based, the header is line 1) in `column` (name and
    /// 1-based position).
    pub fn at(&mut self, line: u64, column: Option<(&str, usize)>, message: impl Into<String>) {
        if self.list.len() >= MAX_PROBLEMS {
            self.more += 1;
            return;
        }
        self.list.push(Diagnostic {
            file: self.file.clone(),
            path: column.map(|(n, _)| n.to_string()).unwrap_or_default(),
            line: Some(line as usize),
            column: column.map(|(_, c)| c),
            message: cut_quoted(message.into()),
            hint: None,
        });
    }

    /// Counts `n` problems beyond the cap without their messages: for a check that records
    /// its first [`MAX_PROBLEMS`] problems and counts the rest, each after as many others
    /// ([`crate::stats::DayTally::outside`]), as [`Problems::at`] would have counted them.
    pub fn count_beyond_cap(&mut self, n: u64) {
        self.more += n as usize;
    }

    /// Records a warning at `line` in `column` (name and 1-based position); the reader hands
    /// it on with its result.
    pub fn warn(&mut self, line: u64, column: (&str, usize), message: impl Into<String>) {
        self.warnings.push(Diagnostic {
            file: self.file.clone(),
            path: column.0.to_string(),
            line: Some(line as usize),
            column: Some(column.1),
            message: cut_quoted(message.into()),
            hint: None,
        });
    }

    /// Records a problem of the whole file.
    pub fn file(&mut self, message: impl Into<String>) {
        self.list.push(Diagnostic {
            file: self.file.clone(),
            path: String::new(),
            line: None,
            column: None,
            message: cut_quoted(message.into()),
            hint: None,
        });
    }

    /// Whether any problem was recorded.
    pub fn any(&self) -> bool {
        !self.list.is_empty()
    }

    /// Every problem, by line then column (stable; a problem of the whole file after the
    /// lines', as the scenario loader lists them), plus one line counting those beyond the cap.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.list
            .sort_by_key(|d| (d.line.is_none(), d.line, d.column));
        if self.more > 0 {
            self.list.push(Diagnostic {
                file: self.file.clone(),
                path: String::new(),
                line: None,
                column: None,
                message: format!("… and {} more problems in this file", self.more),
                hint: None,
            });
        }
        self.list
    }
}

/// Headers of at most this many columns are scanned by [`Header::col`] rather than hashed.
const SCAN_COLUMNS: usize = 16;

/// A CSV file's header: column name → 0-based index.
#[derive(Debug)]
pub struct Header {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Header {
    /// The 0-based index of `name` (of its last column when named twice, as the index holds
    /// it). Asked several times per row: a header of a few columns is scanned, which costs
    /// less than hashing the name (a two-million-row roster spent a quarter of its reading
    /// time hashing column names).
    pub fn col(&self, name: &str) -> Option<usize> {
        if self.names.len() <= SCAN_COLUMNS {
            self.names.iter().rposition(|n| n == name)
        } else {
            self.index.get(name).copied()
        }
    }

    /// Column names in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// One data row being read: its cells, line, and the file's problems.
#[derive(Debug)]
pub struct Row<'a> {
    /// The cells.
    pub rec: &'a csv::StringRecord,
    /// The 1-based line of the row.
    pub line: u64,
    /// The header.
    pub header: &'a Header,
}

impl Row<'_> {
    /// The trimmed cell of column `name`, `None` when the column is absent or the cell empty.
    pub fn cell(&self, name: &str) -> Option<&str> {
        let i = self.header.col(name)?;
        self.rec.get(i).map(str::trim).filter(|s| !s.is_empty())
    }

    /// The column of `name` as a problem names it: its name and 1-based position.
    pub(crate) fn loc<'n>(&self, name: &'n str) -> Option<(&'n str, usize)> {
        self.header.col(name).map(|i| (name, i + 1))
    }

    /// A required cell; reports it when empty.
    pub fn required(&self, p: &mut Problems, name: &str) -> Option<&str> {
        let c = self.cell(name);
        if c.is_none() {
            p.at(self.line, self.loc(name), format!("`{name}` is empty"));
        }
        c
    }

    /// Parses cell `name` with `f` when present, reporting `f`'s error. `Some(None)`: empty.
    pub fn parse<T>(
        &self,
        p: &mut Problems,
        name: &str,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match self.cell(name) {
            None => Some(None),
            Some(s) => match f(s) {
                Ok(v) => Some(Some(v)),
                Err(e) => {
                    p.at(self.line, self.loc(name), e);
                    None
                }
            },
        }
    }

    /// Reports a problem in column `name` of this row.
    pub fn problem(&self, p: &mut Problems, name: &str, message: impl Into<String>) {
        p.at(self.line, self.loc(name), message);
    }
}

/// Reads through `inner` with every line end turned into LF: CRLF (Windows) and a lone CR (old
/// Mac style), also inside a quoted cell, so a file reads the same values and the same line
/// numbers whichever line ends it was saved with, mixed ones too (the csv reader ends a row
/// at a lone CR but counts lines by LF only: a CR-only file was "line 1" everywhere, and one
/// saved with CRLF one short). It also notes where blank lines are: the csv reader skips them
/// but gives a record after them the position of the first one (a row on line 5 after two
/// blank lines was "line 3"). Every CSV file omnisim reads goes through it ([`read`],
/// [`header_names`]; `docs/scenario-format.md`, "Line ends").
struct CrLf<R> {
    inner: R,
    /// A CR ended the last buffer; whether an LF follows is not known yet.
    held_cr: bool,
    /// Bytes handed out so far.
    written: u64,
    /// The last byte handed out was an LF (or none was handed out yet).
    after_lf: bool,
    /// The offsets (in what was handed out) of the LFs ending a blank line, ascending.
    blank: Vec<u64>,
}

impl<R: std::io::BufRead> CrLf<R> {
    fn new(inner: R) -> Self {
        CrLf {
            inner,
            held_cr: false,
            written: 0,
            after_lf: true,
            blank: Vec::new(),
        }
    }

    /// The real line of a record the csv reader places at `pos`: its line plus the blank
    /// lines that start there (skipped before the record).
    fn line_of(&self, pos: Option<&csv::Position>) -> u64 {
        let Some(pos) = pos else {
            return 0;
        };
        let at = self.blank.partition_point(|&o| o < pos.byte());
        let skipped = self.blank[at..]
            .iter()
            .zip(pos.byte()..)
            .take_while(|(o, b)| **o == *b)
            .count();
        pos.line() + skipped as u64
    }
}

impl<R: std::io::BufRead> std::io::Read for CrLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut w = 0;
        while w < out.len() {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                if std::mem::take(&mut self.held_cr) {
                    out[w] = b'\n';
                    w += 1;
                }
                break;
            }
            if std::mem::take(&mut self.held_cr) && buf[0] != b'\n' {
                out[w] = b'\n';
                w += 1;
                continue;
            }
            let mut i = 0;
            while i < buf.len() && w < out.len() {
                let b = buf[i];
                if b == b'\r' {
                    match buf.get(i + 1) {
                        Some(b'\n') => {
                            i += 1;
                            continue;
                        }
                        None => {
                            self.held_cr = true;
                            i += 1;
                            break;
                        }
                        // A lone CR ends a line as an LF does.
                        Some(_) => {
                            out[w] = b'\n';
                            w += 1;
                            i += 1;
                            continue;
                        }
                    }
                }
                out[w] = b;
                w += 1;
                i += 1;
            }
            self.inner.consume(i);
        }
        for &b in &out[..w] {
            if b == b'\n' && self.after_lf {
                self.blank.push(self.written);
            }
            self.after_lf = b == b'\n';
            self.written += 1;
        }
        Ok(w)
    }
}

/// The known column a header name most likely meant, when it is not one itself: the same name
/// in another case (`AHT`), or within an edit distance of a third of its length, at least 1
/// (`ahts`, `absense`, `break`), of a known column the header does not already have.
fn meant<'k>(name: &str, known: &[&'k str], header: &Header) -> Option<&'k str> {
    if known.contains(&name) {
        return None;
    }
    let free = known.iter().copied().filter(|k| header.col(k).is_none());
    let lower = name.trim().to_lowercase();
    let limit = (lower.chars().count() / 3).max(1);
    free.map(|k| (crate::text::edit_distance(&lower, k), k))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// Refuses every header name that looks like a mistyped column of `known` (see [`meant`]): a
/// column read by nobody would be silently dropped (an `AHT` or `ahts` column left the work
/// stream's mean handle time in force; issue 25, fifth pass). Line 1, the column's position,
/// `did you mean "aht"?`.
fn check_names(p: &mut Problems, header: &Header, known: &[&str]) {
    for (i, n) in header.names.iter().enumerate() {
        let Some(k) = meant(n, known, header) else {
            continue;
        };
        let why = if n.trim().eq_ignore_ascii_case(k) {
            "column names are lower case"
        } else {
            "a mistyped column would be ignored"
        };
        p.at(
            1,
            Some((n, i + 1)),
            format!(
                "unknown column {n:?}: did you mean {k:?}? ({why}; the columns this file may \
                 have: {})",
                known.join(", ")
            ),
        );
    }
}

/// Warns about every header column that is not in `known` (and not a mistyped one, refused by
/// [`read`]): nothing reads it, so it is ignored. Taken out by [`Problems::take_warnings`].
pub fn warn_ignored(p: &mut Problems, header: &Header, known: &[&str]) {
    for (i, n) in header.names.iter().enumerate() {
        if known.contains(&n.as_str()) || n.trim().is_empty() {
            continue;
        }
        p.warnings.push(Diagnostic {
            file: p.file.clone(),
            path: shown(n),
            line: Some(1),
            column: Some(i + 1),
            message: format!(
                "column {:?} is not one this file may have, so it is ignored (the columns: {})",
                shown(n),
                known.join(", ")
            ),
            hint: None,
        });
    }
}

/// What a header of one column that holds tabs or semicolons most likely is: a file separated
/// by them, given as CSV (`("tab-separated", "tab characters")`); `None` otherwise.
fn other_separator(names: &[String]) -> Option<(&'static str, &'static str)> {
    let [only] = names else {
        return None;
    };
    if only.contains('\t') {
        Some(("tab-separated", "tab characters"))
    } else if only.contains(';') {
        Some(("semicolon-separated", "semicolons"))
    } else {
        None
    }
}

/// The trimmed names of `path`'s header row (a byte-order mark dropped); empty when the file
/// cannot be read. For a reader's hint about what kind of file it was given, before [`read`]
/// lists what is missing.
pub fn header_names(path: &Path) -> Vec<String> {
    let Ok(f) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(CrLf::new(std::io::BufReader::new(f)));
    rdr.headers()
        .map(|h| {
            h.iter()
                .map(|n| n.trim().trim_start_matches('\u{feff}').to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Reads `path` (shown as `file`) with a header row; reports every missing column of
/// `required` (each a list of alternatives) and every header name that looks like a mistyped
/// column of `known` (every column the reader reads: `AHT` or `ahts` for `aht`), and calls
/// `row` on every data row. Rows with the wrong number of cells are reported and skipped.
pub fn read(
    path: &Path,
    p: &mut Problems,
    required: &[&[&str]],
    known: &[&str],
    mut row: impl FnMut(&Row<'_>, &mut Problems),
) -> Option<Header> {
    // Only regular files: a device or a pipe could stream forever.
    let size = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m.len(),
        Ok(_) => {
            p.file("not a regular file; expected a CSV file");
            return None;
        }
        Err(e) => {
            p.file(format!("cannot read the CSV file: {e}"));
            return None;
        }
    };
    let mut rdr = match std::fs::File::open(path) {
        Ok(f) => csv::ReaderBuilder::new()
            .trim(csv::Trim::Headers)
            .flexible(true)
            .from_reader(CrLf::new(std::io::BufReader::new(f))),
        Err(e) => {
            p.file(format!("cannot read the CSV file: {e}"));
            return None;
        }
    };
    let names: Vec<String> = match rdr.headers() {
        // A spreadsheet's UTF-8 byte-order mark is not part of the first column's name.
        Ok(h) => h
            .iter()
            .map(|n| n.trim_start_matches('\u{feff}').to_string())
            .collect(),
        Err(e) => {
            match (e.kind(), rdr.byte_headers()) {
                (csv::ErrorKind::Utf8 { .. }, Ok(bytes)) => not_utf8(p, 1, bytes, None),
                _ => p.file(format!("cannot read the header row: {e}")),
            }
            return None;
        }
    };
    // A spreadsheet export may end every line with empty cells (`volume,,`): empty trailing
    // header columns, with nothing under them, are not columns (warned, then ignored).
    let mut names = names;
    let width = names
        .iter()
        .rposition(|n| !n.trim().is_empty())
        .map_or(0, |i| i + 1);
    let trailing = names.len() - width;
    if trailing > 0 && width > 0 {
        names.truncate(width);
        p.warnings.push(Diagnostic {
            file: p.file.clone(),
            path: String::new(),
            line: Some(1),
            column: Some(width + 1),
            message: format!(
                "the header ends with {} (trailing commas, as a spreadsheet export writes \
                 them); they and the empty cells under them are ignored",
                crate::text::plural(trailing as u64, "empty column")
            ),
            hint: None,
        });
    }
    // Rows with more cells than the header whose extra cells are all empty (trailing
    // commas): the first such line, warned about once.
    let mut extra_empty: Option<u64> = None;
    // Rows of only empty cells (`,,,`: a spreadsheet's empty row): skipped as blank lines are,
    // their count and first lines warned about once.
    let mut empty_rows = EmptyRows::default();
    let mut index = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        if index.insert(n.clone(), i).is_some() {
            p.at(1, Some((n, i + 1)), format!("column `{n}` appears twice"));
        }
    }
    let header = Header { names, index };
    if header.names.iter().all(|n| n.trim().is_empty()) {
        p.file(if size == 0 {
            "the file is empty; expected a header row naming its columns, then one row per line"
        } else {
            "the file has no header row (its first line holds only blank lines, spaces or empty \
             cells); expected a header row naming its columns, then one row per line"
        });
        return None;
    }
    let missing = |header: &Header| -> Vec<String> {
        required
            .iter()
            .filter(|alts| !alts.iter().any(|a| header.col(a).is_some()))
            .map(|alts| {
                alts.iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            })
            .collect()
    };
    if let Some((kind, chars)) = other_separator(&header.names) {
        if !missing(&header).is_empty() {
            let wanted: Vec<String> = required.iter().map(|alts| alts.join(" or ")).collect();
            p.at(
                1,
                None,
                format!(
                    "the header row is one column holding {chars} ({}): the file looks \
                     {kind}; expected comma-separated columns ({}): save or export it as CSV \
                     (comma-delimited)",
                    shown(&header.names[0]),
                    wanted.join(", ")
                ),
            );
            return None;
        }
    }
    check_names(p, &header, known);
    for want in missing(&header) {
        p.at(
            1,
            None,
            format!(
                "missing column {want}; the header has {}",
                shown(&header.names.join(", "))
            ),
        );
    }
    if p.any() {
        return None;
    }
    // Rows are read as bytes and checked for UTF-8 cell by cell, so a cell that is not text is
    // named by its column (the csv reader's own message gives a 0-based field index); the
    // conversion to text and back reuses the row's buffers.
    let mut bytes = csv::ByteRecord::new();
    let mut read_rows: u64 = 0;
    loop {
        match rdr.read_byte_record(&mut bytes) {
            Ok(false) => break,
            Ok(true) => {
                read_rows += 1;
                if read_rows % crate::worklog::ROWS_PER_UNIT == 0 {
                    crate::worklog::note(crate::worklog::Unit::Rows);
                }
                let line = rdr.get_ref().line_of(bytes.position());
                match csv::StringRecord::from_byte_record(std::mem::take(&mut bytes)) {
                    Ok(rec) => {
                        let trail = (trailing, &mut extra_empty);
                        if empty_rows.skip(&rec, line) {
                            bytes = rec.into_byte_record();
                            continue;
                        }
                        data_row(&rec, line, &header, trail, p, &mut row);
                        bytes = rec.into_byte_record();
                    }
                    Err(e) => {
                        bytes = e.into_byte_record();
                        not_utf8(p, line, &bytes, Some(&header));
                    }
                }
            }
            Err(e) => {
                let line = rdr.get_ref().line_of(e.position());
                p.at(line, None, format!("unreadable row: {e}"));
                break;
            }
        }
    }
    empty_rows.warn(p);
    if let Some(line) = extra_empty {
        p.warnings.push(Diagnostic {
            file: p.file.clone(),
            path: String::new(),
            line: Some(line as usize),
            column: Some(header.names.len() + 1),
            message: format!(
                "rows end with empty cells beyond the header's {} columns (trailing commas, as \
                 a spreadsheet export writes them; this is the first); they are ignored",
                header.names.len()
            ),
            hint: None,
        });
    }
    Some(header)
}

/// One data row read as text: skipped when blank, reported when its cell count is not the
/// header's, else handed to `row`. Cells beyond the header's that are all empty (trailing
/// commas) are accepted; `trail` is the header's dropped trailing empty columns and the first
/// line with more empty cells than those (warned about once by the caller).
fn data_row(
    rec: &csv::StringRecord,
    line: u64,
    header: &Header,
    trail: (usize, &mut Option<u64>),
    p: &mut Problems,
    row: &mut impl FnMut(&Row<'_>, &mut Problems),
) {
    if rec.len() == 1 && rec.get(0).is_some_and(|s| s.trim().is_empty()) {
        return;
    }
    let (trailing, extra_empty) = trail;
    let w = header.names.len();
    if rec.len() > w && rec.iter().skip(w).all(|c| c.trim().is_empty()) {
        if rec.len() > w + trailing {
            extra_empty.get_or_insert(line);
        }
    } else if rec.len() != w {
        // Named at the column where the row runs short (its first missing cell, under a
        // header name) or long (its first cell past the header).
        let message = format!(
            "{}, expected {} (one per header column)",
            plural(rec.len() as u64, "cell"),
            w
        );
        match header.names.get(rec.len()) {
            Some(name) => p.at(line, Some((name, rec.len() + 1)), message),
            None => p.at(line, Some(("", w + 1)), message),
        }
        return;
    }
    row(&Row { rec, line, header }, p);
}

/// Reports every cell of the row at `line` that is not UTF-8 text, by its column's name and
/// 1-based number (by number alone in the header row, `header` `None`, or past the header's
/// columns), with what was expected.
fn not_utf8(p: &mut Problems, line: u64, rec: &csv::ByteRecord, header: Option<&Header>) {
    for (i, cell) in rec.iter().enumerate() {
        let Err(e) = std::str::from_utf8(cell) else {
            continue;
        };
        let after = match e.valid_up_to() {
            0 => "at its start".to_string(),
            n => format!("after its first {}", plural(n as u64, "byte")),
        };
        let what = if header.is_some() {
            "cell"
        } else {
            "column name"
        };
        let message = format!(
            "the {what} in column {} holds a byte that is not UTF-8 text ({after}); expected \
             UTF-8 text (save or export the file as UTF-8)",
            i + 1
        );
        match header.and_then(|h| h.names.get(i)) {
            Some(name) => p.at(line, Some((name, i + 1)), message),
            None => p.at(line, None, message),
        }
    }
}

/// The longest duration a history cell may hold: 400 days, the longest run a scenario may have
/// (`scenario::MAX_HORIZON_DAYS`). A longer wait or handle time is an export or unit error (a
/// handle of 10¹⁵ s turned a fitted exponential into a lognormal; 10³⁰⁰ s was clamped).
pub const MAX_CSV_DURATION_S: f64 = 400.0 * 86_400.0;

/// A CSV duration: seconds (`"90"`, `"4.5"`), a duration string (`"1m30s"`) or a clock-style
/// `"H:MM:SS"` / `"MM:SS"` (as spreadsheets export them); never negative, at most
/// [`MAX_CSV_DURATION_S`].
pub fn parse_csv_duration(s: &str) -> Result<SimDuration, String> {
    let d = parse_any_duration(s)?;
    if d.as_secs_f64() > MAX_CSV_DURATION_S {
        return Err(format!(
            "{s:?} is longer than 400 days, the longest run a scenario may have; expected a \
             duration in seconds (a unit or export error?)"
        ));
    }
    Ok(d)
}

fn parse_any_duration(s: &str) -> Result<SimDuration, String> {
    if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        let nums: Option<Vec<f64>> = parts.iter().map(|p| p.parse::<f64>().ok()).collect();
        return match nums.as_deref() {
            Some(&[m, sec]) if m >= 0.0 && (0.0..60.0).contains(&sec) && m.fract() == 0.0 => {
                Ok(SimDuration::from_secs_f64(m * 60.0 + sec))
            }
            Some(&[h, m, sec])
                if h >= 0.0 && (0.0..60.0).contains(&m) && (0.0..60.0).contains(&sec) =>
            {
                Ok(SimDuration::from_secs_f64(h * 3600.0 + m * 60.0 + sec))
            }
            _ => Err(format!(
                "{s:?} is not a duration; expected seconds, e.g. \"4m30s\" or \"0:04:30\""
            )),
        };
    }
    if let Ok(secs) = s.parse::<f64>() {
        if !secs.is_finite() {
            return Err(format!(
                "{s:?} is not a duration: not a finite number of seconds"
            ));
        }
        if secs < 0.0 {
            return Err(format!("{s:?} is not a duration: it must be ≥ 0 seconds"));
        }
        if secs > MAX_CSV_DURATION_S {
            return Err(format!(
                "{s:?} is longer than 400 days, the longest run a scenario may have; expected \
                 a duration in seconds (a unit or export error?)"
            ));
        }
        return Ok(SimDuration::from_secs_f64(secs));
    }
    // A cell that is no number at all is said once ("abc" is not a duration ("abc" is not a
    // duration; …) said it twice); a unit problem keeps its reason.
    parse_duration(s).map_err(|e| match e {
        crate::time::TimeParseError::NotANumber { .. } => format!(
            "{s:?} is not a duration; expected seconds, e.g. \"270\", \"4m30s\" or \"0:04:30\""
        ),
        e => format!("{s:?} is not a duration ({e}); expected seconds or e.g. \"4m30s\""),
    })
}

#[cfg(test)]
mod tests;
