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
//!   (naming the earlier line);
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

use super::{Problems, Row};

/// A conversation's `(replication, id)`: the `replication` cell's index in [`Links`]'s table
/// of them and the id as [`Ids::of`] numbers it (the data row number without an `id` cell).
type Key = (u32, u64);

/// The first id number [`Ids::of`] gives an id that is not a plain decimal number.
const TEXT: u64 = 1 << 63;

/// A row's [`Rec::seen`] when it has no `id` cell (not checked for repeats).
const NO_ID: u32 = u32::MAX;

/// The first leg key [`Links`] gives a `leg` cell that is not a plain decimal number below it.
const ODD_LEG: u32 = 1 << 31;

/// Conversation ids as numbers, so that a history's million rows cost no string each (issue
/// 25: `fit` and `forecast` of an 84 MB log used 816 / 630 MB, most of it these links keyed by
/// strings). A plain decimal number below 2⁶³ (`17`: what `omnisim run --log` writes; no sign,
/// no leading zero) is its own number; any other text is numbered from 2⁶³ in order of first
/// appearance and kept once. Two cells get the same number exactly when they are the same
/// text.
#[derive(Debug, Default)]
pub struct Ids {
    text: HashMap<Box<str>, u64>,
    names: Vec<Box<str>>,
}

impl Ids {
    /// The number of id `s` (a trimmed cell).
    pub fn of(&mut self, s: &str) -> u64 {
        if let Some(n) = plain(s).filter(|&n| n < TEXT) {
            return n;
        }
        if let Some(&i) = self.text.get(s) {
            return i;
        }
        let i = TEXT + self.names.len() as u64;
        self.text.insert(s.into(), i);
        self.names.push(s.into());
        i
    }

    /// The text of id number `id` (as [`Ids::of`] gave it).
    pub fn name(&self, id: u64) -> String {
        match id.checked_sub(TEXT) {
            Some(i) => self.names[i as usize].to_string(),
            None => id.to_string(),
        }
    }
}

/// `s` as a number when it is written as `n.to_string()` writes one (no sign, no leading zero).
fn plain(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let digits = !b.is_empty() && b.iter().all(u8::is_ascii_digit);
    if !digits || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    s.parse().ok()
}

/// One row of a conversation, as the links keep it (16 bytes).
#[derive(Clone, Copy, Debug)]
struct Rec {
    /// Its line.
    line: u64,
    /// Its `leg` (1 without the cell); 0 when the cell is not a leg number: then the row is
    /// only checked for repeats (as [`super::history::contact`] reports the cell).
    leg: u32,
    /// The key of its `leg` cell for the repeat check (an empty cell and `1` alike), or
    /// [`NO_ID`].
    seen: u32,
}

/// A conversation: its first row, the line of its first answered row (0: none), when that
/// row's customer's patience ran out (`arrival` + `patience` in seconds; NaN when either cell
/// is missing or unreadable) and, when it has more rows, 1 + their index in [`Links::more`]
/// (0: none).
#[derive(Clone, Copy, Debug)]
struct Conv {
    first: Rec,
    answered: u64,
    gave_up: f64,
    more: u32,
}

/// A run of conversations of one row each so far, on consecutive lines with consecutive ids
/// (an `omnisim run --log` log, or a history without an `id` column): each of leg 1 and the same
/// [`Rec::seen`], none answered with a known patience; whether each was answered is one bit
/// of [`Convs::answered`] (32 bytes a run).
#[derive(Clone, Copy, Debug)]
struct Run {
    /// The id of its first conversation.
    id: u64,
    /// The line of its first conversation.
    line: u64,
    /// Its conversations.
    len: u32,
    /// Their [`Rec::seen`].
    seen: u32,
    /// The index in [`Convs::answered`] of its first conversation's bit.
    bits: u64,
}

/// Every conversation seen, by `(replication, id)`: in [`Run`]s while they come one row
/// each in order (a bit per conversation), else in a table entry of 56 bytes (issue 25,
/// thirteenth session: the table alone held 120 bytes a row of a million-row log). A
/// conversation of a run that gets a second row moves to the table, which is read first.
#[derive(Debug, Default)]
struct Convs {
    table: HashMap<Key, Conv>,
    /// Per replication index, its runs sorted by id, none overlapping.
    runs: Vec<Vec<Run>>,
    /// One bit per conversation of a run: its first row was answered.
    answered: Vec<u64>,
    bits: u64,
}

impl Convs {
    /// Conversation `key`, if seen.
    fn get(&self, key: &Key) -> Option<Conv> {
        if let Some(c) = self.table.get(key) {
            return Some(*c);
        }
        let runs = self.runs.get(key.0 as usize)?;
        let i = runs.partition_point(|r| r.id + u64::from(r.len) <= key.1);
        let run = runs.get(i).filter(|r| r.id <= key.1)?;
        let k = key.1 - run.id;
        let bit = run.bits + k;
        let answered = self.answered[(bit / 64) as usize] >> (bit % 64) & 1 == 1;
        let line = run.line + k;
        Some(Conv {
            first: Rec {
                line,
                leg: 1,
                seen: run.seen,
            },
            answered: if answered { line } else { 0 },
            gave_up: f64::NAN,
            more: 0,
        })
    }

    /// Conversation `key` (seen: [`Convs::get`] is some) in the table, moved there from its
    /// run if it was in one.
    fn table_entry(&mut self, key: Key) -> &mut Conv {
        if !self.table.contains_key(&key) {
            let c = self.get(&key).expect("a conversation seen");
            self.table.insert(key, c);
        }
        self.table.get_mut(&key).expect("just inserted")
    }

    /// A new conversation `key` (not seen) with first row `first`, answered there or not,
    /// `gave_up` as [`Conv::gave_up`].
    fn insert(&mut self, key: Key, first: Rec, answered: bool, gave_up: f64) {
        let (rep, id) = key;
        let in_run = first.leg == 1 && (first.seen == 1 || first.seen == NO_ID) && gave_up.is_nan();
        if in_run {
            if self.runs.len() <= rep as usize {
                self.runs.resize_with(rep as usize + 1, Vec::new);
            }
            let runs = &mut self.runs[rep as usize];
            let bit = self.bits;
            let extends = runs.last().is_some_and(|r| {
                let n = u64::from(r.len);
                r.id + n == id
                    && r.line + n == first.line
                    && r.seen == first.seen
                    && r.len < u32::MAX
            });
            let after = runs.last().is_none_or(|r| id >= r.id + u64::from(r.len));
            if extends || after {
                match (extends, runs.last_mut()) {
                    (true, Some(r)) => r.len += 1,
                    _ => runs.push(Run {
                        id,
                        line: first.line,
                        len: 1,
                        seen: first.seen,
                        bits: bit,
                    }),
                }
                if bit % 64 == 0 {
                    self.answered.push(0);
                }
                if answered {
                    self.answered[(bit / 64) as usize] |= 1 << (bit % 64);
                }
                self.bits += 1;
                return;
            }
        }
        let conv = Conv {
            first,
            answered: if answered { first.line } else { 0 },
            gave_up,
            more: 0,
        };
        self.table.insert(key, conv);
    }
}

/// The links of a history read so far; see the module docs. Use: [`Links::note`] each row as
/// it is read, then [`Links::finish`] once. Memory (`Convs`): a bit per conversation of one
/// row in order, else one 56-byte table entry per conversation (and 16 bytes per row beyond a
/// conversation's first), ids and replications as numbers ([`Ids`]).
#[derive(Debug, Default)]
pub struct Links {
    /// Data rows read.
    n: u64,
    /// The `replication` cells seen ("" for none), by index, and their indices.
    reps: HashMap<Box<str>, u32>,
    rep_names: Vec<Box<str>>,
    /// The ids (and `retrial_of` cells) seen.
    ids: Ids,
    /// `leg` cells that are not plain numbers below [`ODD_LEG`], keyed from it.
    odd_legs: HashMap<Box<str>, u32>,
    /// Each conversation.
    convs: Convs,
    /// The rows of a conversation after its first, in file order.
    more: Vec<Vec<Rec>>,
    /// Each retry contact's `(replication, retrial_of, line, column, arrival in seconds)`.
    retrials: Vec<(u32, u64, u64, usize, Option<f64>)>,
    /// Each later leg's `(conversation, leg, line, column)`.
    legs: Vec<(Key, u32, u64, usize)>,
}

impl Links {
    /// Notes row `r`: a row repeating a conversation's `(replication, id, leg)`, or a
    /// `retrial_of` naming its own row, is a problem at once; the rest is checked by
    /// [`Links::finish`]. A `leg` that is not a number ≥ 1 is left to
    /// [`super::history::contact`], which reports it. Returns the number of the row's `id`
    /// cell ([`Ids::of`]; `None` without one).
    pub fn note(&mut self, r: &Row<'_>, p: &mut Problems) -> Option<u64> {
        self.n += 1;
        let rep_cell = r.cell("replication").unwrap_or("");
        let rep = match self.reps.get(rep_cell) {
            Some(&i) => i,
            None => {
                let i = self.rep_names.len() as u32;
                self.reps.insert(rep_cell.into(), i);
                self.rep_names.push(rep_cell.into());
                i
            }
        };
        let named = r.cell("id");
        let id = match named {
            Some(s) => self.ids.of(s),
            None => self.n,
        };
        // A transfer's later leg keeps its conversation's id (`leg` 2, 3, …).
        let leg_cell = r.cell("leg").filter(|l| *l != "1");
        let seen = match (named, leg_cell) {
            (None, _) => NO_ID,
            (Some(_), None) => 1,
            (Some(_), Some(s)) => match plain(s).filter(|&k| k < u64::from(ODD_LEG)) {
                Some(k) => k as u32,
                None => {
                    let next = ODD_LEG + self.odd_legs.len() as u32;
                    *self.odd_legs.entry(s.into()).or_insert(next)
                }
            },
        };
        if seen != NO_ID {
            if let Some(first) = self.rows_of(&(rep, id)).find(|x| x.seen == seen) {
                repeated(r, p, rep_cell, leg_cell, first.line);
            }
        }
        let leg = match r.cell("leg") {
            None => 1,
            Some(s) => match s.parse::<u32>() {
                Ok(k) if k >= 1 => k,
                _ => 0,
            },
        };
        let rec = Rec {
            line: r.line,
            leg,
            seen,
        };
        // Its first answered row, and when that row's customer's patience ran out.
        let answered = leg != 0 && r.cell("outcome") == Some("answered");
        let gave_up = || {
            let patience = r
                .cell("patience")
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|x| x.is_finite());
            arrival_s(r).zip(patience).map_or(f64::NAN, |(a, p)| a + p)
        };
        let key = (rep, id);
        if self.convs.get(&key).is_none() {
            let up = if answered { gave_up() } else { f64::NAN };
            self.convs.insert(key, rec, answered, up);
        } else {
            let c = self.convs.table_entry(key);
            if c.more == 0 {
                self.more.push(Vec::new());
                c.more = self.more.len() as u32;
            }
            self.more[c.more as usize - 1].push(rec);
            if answered && c.answered == 0 {
                c.answered = r.line;
                c.gave_up = gave_up();
            }
        }
        if leg == 0 {
            return named.map(|_| id);
        }
        if let Some(of) = r.cell("retrial_of") {
            let of_id = self.ids.of(of);
            if of_id == id {
                r.problem(
                    p,
                    "retrial_of",
                    format!(
                        "retrial_of {of:?} is this row's own id; expected the id of the abandoned \
                         contact its customer came back from (another row), or an empty cell"
                    ),
                );
            } else if let Some((_, col)) = r.loc("retrial_of") {
                self.retrials.push((rep, of_id, r.line, col, arrival_s(r)));
            }
        }
        if leg > 1 && named.is_some() {
            if let Some((_, col)) = r.loc("leg") {
                self.legs.push(((rep, id), leg, r.line, col));
            }
        }
        named.map(|_| id)
    }

    /// Every row noted of conversation `key`, in file order.
    fn rows_of(&self, key: &Key) -> impl Iterator<Item = Rec> + '_ {
        let conv = self.convs.get(key);
        let more = conv
            .filter(|c| c.more > 0)
            .map_or(&[][..], |c| &self.more[c.more as usize - 1][..]);
        conv.map(|c| c.first)
            .into_iter()
            .chain(more.iter().copied())
    }

    /// The `(leg, line)` of each row of conversation `key` with a leg number, in file order;
    /// `None` when there is none.
    fn legs_of(&self, key: &Key) -> Option<Vec<(u32, u64)>> {
        let rows: Vec<(u32, u64)> = self
            .rows_of(key)
            .filter(|x| x.leg > 0)
            .map(|x| (x.leg, x.line))
            .collect();
        (!rows.is_empty()).then_some(rows)
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
        let mut unknown: Vec<(String, u64, usize)> = Vec::new();
        // Retry contacts of an answered contact: `(retrial_of, line, column, answered line)`.
        let mut of_answered: Vec<(String, u64, usize, u64)> = Vec::new();
        for &(rep, of, line, col, arrived) in &self.retrials {
            let key = (rep, of);
            let Some(rows) = self.legs_of(&key) else {
                unknown.push((self.ids.name(of), line, col));
                continue;
            };
            let (answered, gave_up) = self
                .convs
                .get(&key)
                .map_or((0, f64::NAN), |c| (c.answered, c.gave_up));
            // A replay's own log: the answered contact's customer had given up in the history
            // before this retry came (1 ms of slack: each cell is rounded to the millisecond).
            let replayed = arrived.is_some_and(|a| a >= gave_up - 0.002);
            if answered != 0 && answered < line && !replayed {
                of_answered.push((self.ids.name(of), line, col, answered));
            }
            let first = rows.first().map_or(0, |r| r.1);
            if first > line {
                let of = self.ids.name(of);
                p.at(
                    line,
                    Some(("retrial_of", col)),
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
        let mut cut: Vec<(String, u64, usize)> = Vec::new();
        for &(key, k, line, col) in &self.legs {
            let rows = self.legs_of(&key).unwrap_or_default();
            let id = self.ids.name(key.1);
            if rows.iter().any(|&(g, l)| g + 1 == k && l < line) {
                continue;
            }
            if !rows.iter().any(|&(g, _)| g < k) {
                cut.push((id, line, col));
                continue;
            }
            let of = match &*self.rep_names[key.0 as usize] {
                "" => String::new(),
                rep => format!(" of replication {rep}"),
            };
            let message = match rows.iter().find(|&&(g, _)| g + 1 == k) {
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
            p.at(line, Some(("leg", col)), message);
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

/// Row `r` repeats the `(replication, id, leg)` of the row on line `first` (issue 25, sixth
/// pass: a log appended to itself gave 1,213 replayed arrivals for 913): an error at its `id`
/// cell naming that line. `rep` and `leg` are its cells (`leg` `None` for leg 1).
fn repeated(r: &Row<'_>, p: &mut Problems, rep: &str, leg: Option<&str>, first: u64) {
    let id = r.cell("id").unwrap_or("");
    let mut of = match rep {
        "" => String::new(),
        _ => format!(" of replication {rep}"),
    };
    if let Some(leg) = leg {
        of.push_str(&format!(", leg {leg},"));
    }
    r.problem(
        p,
        "id",
        format!(
            "conversation {id:?}{of} is already on line {first}; expected one row per \
             conversation (a log appended to itself?)"
        ),
    );
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
fn answered_warning(p: &mut Problems, cells: &[(String, u64, usize, u64)], kept: &str) {
    let Some((of, line, col, at)) = cells.first() else {
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
        *line,
        ("retrial_of", *col),
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
    cells: &[(String, u64, usize)],
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 25 leftover (memory of `fit` and `forecast` on big logs): an id is a number
    /// without a string when it is written as one, and text otherwise, two cells sharing a
    /// number exactly when they are the same text; a conversation costs one small entry.
    #[test]
    fn ids_are_numbers_and_equal_only_when_the_text_is() {
        let mut ids = Ids::default();
        let cells = [
            "17",
            "017",
            "+17",
            "a-17",
            "0",
            "00",
            "18446744073709551615",
            "17",
        ];
        let n: Vec<u64> = cells.iter().map(|c| ids.of(c)).collect();
        assert_eq!(n[0], 17);
        assert_eq!(n[0], n[7]);
        assert_eq!(n[4], 0);
        let distinct: std::collections::BTreeSet<u64> = n[..7].iter().copied().collect();
        assert_eq!(distinct.len(), 7, "{n:?}");
        for (c, k) in cells.iter().zip(&n) {
            assert_eq!(ids.name(*k), *c);
        }
        // `017`, `+17`, `a-17`, `00` and a number past 2⁶³ are texts.
        assert_eq!(ids.names.len(), 5, "only the texts are kept");
        assert!(std::mem::size_of::<Conv>() <= 40);
        assert!(std::mem::size_of::<(Key, Conv)>() <= 56);
    }
}
