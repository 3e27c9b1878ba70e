//! The links between a conversation history's rows: a retry contact's `retrial_of` (the `id`
//! of the abandoned contact its customer came back from) and a transferred conversation's
//! `leg`s (one row per queue, same `id`, `leg` 1, 2, 3, …). One rule, one checker
//! ([`Links`]), shared by the three readers of such a history: `[traffic] replay`, `fit` and
//! `forecast` (issue 25).
//!
//! The rule (within a replication; rows read in file order, which is arrival order in a log
//! `omnisim run --log` writes: a retry after its abandoned contact, a leg after the one before):
//!
//! - a row repeating a conversation's `(replication, id, leg)`: an error at its `id` cell
//!   ([`super::history::SeenIds`]);
//! - a `retrial_of` naming the row's own `id`, or naming a row on a later line: an error at
//!   its `retrial_of` cell (a contact cannot retry itself or a contact yet to come);
//! - a `retrial_of` naming no row: one warning (the abandoned contact may lie before the
//!   history's first row: a history cut from a longer one);
//! - a `retrial_of` naming a contact whose `outcome` says it was answered: one warning at the
//!   first such cell, naming the answered row's line (a customer retries a contact nobody
//!   answered), unless the answered contact's `patience` had run out by the time the retry
//!   arrived (`arrival` + `patience` ≤ the retry's `arrival`): that is a replay's own log,
//!   where a contact abandoned in the replayed history was answered in the replay and the
//!   history's retry contact, replayed all the same, keeps its link (issue 25 leftovers: a
//!   replay of a replay's `conversations.csv` warned of 25 such rows);
//! - a `leg` k ≥ 2 whose conversation has no row of an earlier leg: one warning (its first legs
//!   may lie before the history's first row);
//! - a `leg` k ≥ 2 whose conversation has an earlier leg but not leg k − 1 on an earlier line
//!   (a leg missing in between, or legs out of order): an error at its `leg` cell.
//!
//! Errors are listed with the reader's other problems, all at once; warnings name the lines.
//! A history without an `id` column has no legs to link (only `retrial_of`, against the data
//! row numbers).

use std::collections::HashMap;

use super::history::SeenIds;
use super::{Problems, Row};

/// A conversation's `(replication, id)` (the data row number without an `id` column).
type Key = (Box<str>, Box<str>);

/// A retry contact: `(replication, retrial_of, line, column, arrival in seconds)`.
type Retry = (Box<str>, Box<str>, u64, usize, Option<f64>);

/// The links of a history read so far; see the module docs. Use: [`Links::note`] each row as
/// it is read, then [`Links::finish`] once.
#[derive(Debug, Default)]
pub struct Links {
    /// Repeated `(replication, id, leg)`.
    seen: SeenIds,
    /// Data rows read.
    n: u64,
    /// Each conversation's rows: `(leg, line)`, in file order.
    rows: HashMap<Key, Vec<(u32, u64)>>,
    /// The line of each conversation's first row whose `outcome` is `answered`, and when its
    /// customer's patience ran out (`arrival` + `patience`, seconds; `None` when either cell
    /// is missing or unreadable).
    answered: HashMap<Key, (u64, Option<f64>)>,
    /// Each retry contact's `(replication, retrial_of, line, column, arrival in seconds)`.
    retrials: Vec<Retry>,
    /// Each later leg's `(conversation, leg, line, column)`.
    legs: Vec<(Key, u32, u64, usize)>,
}

impl Links {
    /// Notes row `r`: a repeat, or a `retrial_of` naming its own row, is a problem at once;
    /// the rest is checked by [`Links::finish`]. A `leg` that is not a number ≥ 1 is left to
    /// [`super::history::contact`], which reports it.
    pub fn note(&mut self, r: &Row<'_>, p: &mut Problems) {
        self.n += 1;
        self.seen.check(r, p);
        let rep: Box<str> = r.cell("replication").unwrap_or("").into();
        let named = r.cell("id");
        let id: Box<str> = named
            .map_or_else(|| self.n.to_string(), str::to_string)
            .into();
        let leg = match r.cell("leg") {
            None => 1,
            Some(s) => match s.parse::<u32>() {
                Ok(k) if k >= 1 => k,
                _ => return,
            },
        };
        if let Some(of) = r.cell("retrial_of") {
            if *of == *id {
                r.problem(
                    p,
                    "retrial_of",
                    format!(
                        "retrial_of {of:?} is this row's own id; expected the id of the abandoned \
                         contact its customer came back from (another row), or an empty cell"
                    ),
                );
            } else if let Some((_, col)) = r.loc("retrial_of") {
                self.retrials
                    .push((rep.clone(), of.into(), r.line, col, arrival_s(r)));
            }
        }
        if leg > 1 && named.is_some() {
            if let Some((_, col)) = r.loc("leg") {
                self.legs
                    .push(((rep.clone(), id.clone()), leg, r.line, col));
            }
        }
        if r.cell("outcome") == Some("answered") {
            let gave_up = arrival_s(r).zip(
                r.cell("patience")
                    .and_then(|s| s.parse::<f64>().ok())
                    .filter(|x| x.is_finite()),
            );
            self.answered
                .entry((rep.clone(), id.clone()))
                .or_insert((r.line, gave_up.map(|(a, p)| a + p)));
        }
        self.rows.entry((rep, id)).or_default().push((leg, r.line));
    }

    /// Checks what needs the whole file: errors into `p`'s problems, warnings into its
    /// warnings, which say what the reader does with such rows all the same (`replaying`:
    /// `[traffic] replay` replays a retry contact as a retrial and skips a later leg; `fit` and
    /// `forecast` leave both out).
    pub fn finish(&self, p: &mut Problems, replaying: bool) {
        let (retried, legged) = match replaying {
            true => (
                "replayed as retrials all the same",
                "skipped as any later leg is (the replay makes its own transfers)",
            ),
            false => ("left out all the same", "left out all the same"),
        };
        let mut unknown: Vec<(&str, u64, usize)> = Vec::new();
        // Retry contacts of an answered contact: `(retrial_of, line, column, answered line)`.
        let mut of_answered: Vec<(&str, u64, usize, u64)> = Vec::new();
        for (rep, of, line, col, arrived) in &self.retrials {
            let key = (rep.clone(), of.clone());
            let Some(rows) = self.rows.get(&key) else {
                unknown.push((of, *line, *col));
                continue;
            };
            // A replay's own log: the answered contact's customer had given up in the history
            // before this retry came (1 ms of slack: each cell is rounded to the millisecond).
            let replayed =
                |gave_up: Option<f64>| gave_up.zip(*arrived).is_some_and(|(g, a)| a >= g - 0.002);
            if let Some(&(at, gave_up)) = self.answered.get(&key) {
                if at < *line && !replayed(gave_up) {
                    of_answered.push((of, *line, *col, at));
                }
            }
            let first = rows.first().map_or(0, |r| r.1);
            if first > *line {
                p.at(
                    *line,
                    Some(("retrial_of", *col)),
                    format!(
                        "retrial_of {of:?} names the row on line {first}, after this one; \
                         expected an earlier row: the abandoned contact comes before its \
                         customer's retry (rows in arrival order, as `omnisim run --log` writes \
                         them)"
                    ),
                );
            }
        }
        answered_warning(p, &of_answered, retried);
        warn(
            p,
            &unknown,
            "retrial_of",
            "retrial_of cell",
            "naming no row of its replication",
            &format!("{retried} (the abandoned contact may lie before the history's first row)"),
        );
        let mut cut: Vec<(&str, u64, usize)> = Vec::new();
        for ((rep, id), k, line, col) in &self.legs {
            let rows = &self.rows[&(rep.clone(), id.clone())];
            if rows.iter().any(|&(g, l)| g + 1 == *k && l < *line) {
                continue;
            }
            if !rows.iter().any(|&(g, _)| g < *k) {
                cut.push((id, *line, *col));
                continue;
            }
            let of = match &**rep {
                "" => String::new(),
                _ => format!(" of replication {rep}"),
            };
            let message = match rows.iter().find(|&&(g, _)| g + 1 == *k) {
                Some((_, l)) => format!(
                    "leg {k} of conversation {id:?}{of} comes before its leg {} (line {l}); \
                     expected legs 1, 2, 3, … in turn, each on a later line (as `omnisim run \
                     --log` writes them)",
                    k - 1
                ),
                None => format!(
                    "leg {k} of conversation {id:?}{of} has no leg {}; expected legs 1, 2, 3, … \
                     in turn, none missing",
                    k - 1
                ),
            };
            p.at(*line, Some(("leg", *col)), message);
        }
        warn(
            p,
            &cut,
            "leg",
            "later-leg row",
            "whose conversation has no earlier leg",
            &format!("{legged} (its first legs may lie before the history's first row)"),
        );
    }
}

/// A row's `arrival` in seconds: seconds since t = 0 as written, or a date-time (a UTC offset
/// applied when given) in seconds since 1970-01-01T00:00 on the civil clock; `None` when the
/// cell is missing or unreadable (the reader reports it). Only compared within one file.
fn arrival_s(r: &Row<'_>) -> Option<f64> {
    let s = r.cell("arrival")?;
    if let Ok(x) = s.parse::<f64>() {
        return x.is_finite().then_some(x);
    }
    let (local, offset) = crate::calendar::split_offset(s).ok()?;
    let dt: jiff::civil::DateTime = local.trim().parse().ok()?;
    let epoch = jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0);
    let secs = dt.duration_since(epoch).as_secs_f64();
    Some(secs - f64::from(offset.unwrap_or(0)))
}

/// One warning, at the first of `cells` (`(retrial_of, line, column, line of the answered
/// row)`): a retry contact whose `retrial_of` names a contact that was answered, the others'
/// lines listed; `kept` says what the reader does with them all the same.
fn answered_warning(p: &mut Problems, cells: &[(&str, u64, usize, u64)], kept: &str) {
    let Some(&(of, line, col, at)) = cells.first() else {
        return;
    };
    let more = match cells.len() {
        1 => String::new(),
        n => {
            let lines: Vec<String> = cells
                .iter()
                .skip(1)
                .take(9)
                .map(|c| c.1.to_string())
                .collect();
            let rest = match n.saturating_sub(10) {
                0 => String::new(),
                m => format!(" and {m} more"),
            };
            let word = if n == 2 { "line" } else { "lines" };
            format!(
                " (and {} more such: {word} {}{rest})",
                n - 1,
                lines.join(", ")
            )
        }
    };
    p.warn(
        line,
        ("retrial_of", col),
        format!(
            "retrial_of {of:?} names a contact that was answered at line {at} (its outcome); \
             expected the id of an abandoned contact its customer came back from{more}: {kept}; \
             check the ids if the history is a whole log"
        ),
    );
}

/// One warning, at the first of `cells` (`(id, line, column)` in column `col`), listing the
/// lines: "N `what`s `why` (first: id; lines …): `kept`; check the ids if the history is a
/// whole log".
fn warn(
    p: &mut Problems,
    cells: &[(&str, u64, usize)],
    col: &str,
    what: &str,
    why: &str,
    kept: &str,
) {
    let Some((id, line, column)) = cells.first() else {
        return;
    };
    let lines: Vec<String> = cells.iter().take(10).map(|c| c.1.to_string()).collect();
    let word = if cells.len() == 1 { "line" } else { "lines" };
    let more = match cells.len().saturating_sub(10) {
        0 => String::new(),
        m => format!(" and {m} more"),
    };
    p.warn(
        *line,
        (col, *column),
        format!(
            "{} {why} (first: {id:?}; {word} {}{more}): {kept}; check the ids if the history is \
             a whole log",
            crate::text::plural(cells.len() as u64, what),
            lines.join(", "),
        ),
    );
}
