//! History files for `[traffic] replay`: one row per conversation, each arriving with its own
//! handle, wrap-up and patience.
//!
//! Columns (contract "Real traffic"): `id`, `arrival`, `queue` (or `workstream`), `outcome`
//! (`answered` | `abandoned` | `overflowed`), `wait`, `handle`, `wrap_up`, `patience`, `agent`,
//! and `replication` (as `omnisim run --log` writes it); every other column is an attribute
//! (its non-empty cells checked by the caller's [`CheckAttribute`] as rows are read).
//! `leg` and `retrial_of` (see [`Contact`]): a row of leg 2 or more is skipped (the replay
//! makes its own transfers); a retry contact is replayed as an arrival, counted as a retrial
//! and marked as one in the replay's own log and trace (the links between rows are checked by
//! [`super::links`], as `fit` and `forecast` check them). `ended_in` (written by `--log` when
//! a scenario can move a waiting conversation: the queue it was answered or closed in, empty
//! when its `queue`) must name a queue of the scenario and is otherwise not used: the replay
//! makes its own moves. A history without it reads as before. `busy` (written by `--log`: each
//! spell of an agent holding the row's conversation) is read by `fit` only.
//! Required: `arrival`, `queue` (or `workstream`), and `handle` on answered rows. A row's
//! `patience` is used when present, else an abandoned row's `wait` is its patience, else the
//! work stream draws it.

use std::path::Path;

use super::{parse_csv_duration, read, Problems};
use crate::calendar::Calendar;
use crate::diag::Diagnostic;
use crate::model::QueueId;
use crate::time::{SimDuration, SimTime};

/// The fixed columns of the history format; any other column is an attribute.
pub const COLUMNS: [&str; 16] = [
    "id",
    "arrival",
    "queue",
    "workstream",
    "outcome",
    "wait",
    "handle",
    "wrap_up",
    "patience",
    "agent",
    "agent_group",
    "replication",
    "leg",
    "retrial_of",
    "ended_in",
    "busy",
];

/// What a row of `omnisim run --log` is beyond its conversation (its `leg` and `retrial_of`
/// cells, written when a work stream has a transfer or a retrial; empty or absent: an arrival
/// the scenario offered, leg 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    /// The row is the conversation's leg in a queue a transfer at the end of handling sent it
    /// to (`leg` 2 or more): not an arrival (replay, `fit` and `forecast` skip it).
    pub later_leg: bool,
    /// The row is a customer's retry contact (`retrial_of` names the abandoned one): an
    /// arrival in the log, but not one the scenario offered (`fit` and `forecast` do not count
    /// it; replay replays it, counted as a retrial, as it generates no retries of its own).
    pub retrial: bool,
}

impl Contact {
    /// An arrival the scenario offered: neither a later leg nor a retrial.
    pub fn offered(self) -> bool {
        !self.later_leg && !self.retrial
    }
}

/// Reads row `r`'s [`Contact`]; a `leg` that is not a whole number ≥ 1 is a problem at its
/// cell (then `None`).
pub fn contact(r: &super::Row<'_>, p: &mut Problems) -> Option<Contact> {
    let leg = r.parse(p, "leg", |s| match s.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "{s:?} is not a leg number; expected 1 (the queue it arrived at), 2, 3, … (a queue a \
             transfer sent it to)"
        )),
    })?;
    Some(Contact {
        later_leg: leg.is_some_and(|n| n > 1),
        retrial: r.cell("retrial_of").is_some(),
    })
}

/// The distinct `replication` values of a conversation history read so far. A simulator's log
/// (`omnisim run --log`) holds every replication over the same days: each is a copy of them, so
/// a reader counting volumes divides by [`Replications::copies`]. Shared by `fit` and
/// `forecast` (before, `forecast` summed the copies: 3 replications gave 3 times the volume).
#[derive(Debug, Default)]
pub struct Replications(std::collections::BTreeSet<u32>);

impl Replications {
    /// Notes row `r`'s `replication` cell (nothing without the column or with an empty cell);
    /// a cell that is not a replication number (0, 1, 2, …, as replay reads it) is a problem
    /// at that cell, not a replication of its own (`x`, `-1` were counted, and every volume
    /// divided by them).
    pub fn note(&mut self, r: &super::Row<'_>, p: &mut Problems) {
        if let Some(Some(rep)) = r.parse(p, "replication", parse_replication) {
            self.0.insert(rep);
        }
    }

    /// How many distinct replications (0 without a `replication` column).
    pub fn count(&self) -> usize {
        self.0.len()
    }

    /// The divisor of a volume counted over the rows: the replications, at least 1.
    pub fn copies(&self) -> f64 {
        self.0.len().max(1) as f64
    }
}

/// A `replication` cell: a whole number ≥ 0 (`omnisim run --log` numbers them from 1).
fn parse_replication(s: &str) -> Result<u32, String> {
    s.parse::<u32>()
        .map_err(|_| format!("{s:?} is not a replication number (0, 1, 2, …)"))
}

/// A history file, ready to replay.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    /// The file as named in messages.
    pub file: String,
    /// Rows sorted by (replication, arrival), file order among equals.
    pub rows: Vec<ReplayRow>,
    /// The attribute columns, in file order (each row's `attributes` follow it).
    pub attribute_names: Vec<String>,
    /// The 1-based header position of each of [`Replay::attribute_names`].
    pub attribute_columns: Vec<usize>,
    /// The distinct `replication` values with the range of `rows` of each, sorted; one entry
    /// (value 0, every row) when the file has no `replication` column.
    pub groups: Vec<(u32, std::ops::Range<usize>)>,
    /// What the reader ignored (a header's trailing empty columns); the scenario warns.
    pub warnings: Vec<Diagnostic>,
}

/// One conversation to replay.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayRow {
    /// Its `id` (the 1-based data row number when the column is absent).
    pub id: Box<str>,
    /// When it arrives.
    pub arrival: SimTime,
    /// Its queue.
    pub queue: QueueId,
    /// Its `replication` (0 without the column).
    pub replication: u32,
    /// Its handle time (the first handling); `None` draws from the work stream.
    pub handle: Option<SimDuration>,
    /// Its wrap-up time; `None` draws from the work stream.
    pub wrap_up: Option<SimDuration>,
    /// Its patience; `None` draws from the work stream.
    pub patience: Option<SimDuration>,
    /// Its attribute values, in the order of [`Replay::attribute_names`] (empty cells kept).
    pub attributes: Box<[Box<str>]>,
    /// A customer's retry contact: its `retrial_of` cell (the id of the abandoned contact).
    /// The replay counts it as a retrial, not as a new customer, and its own log and trace
    /// mark it so.
    pub retrial_of: Option<Box<str>>,
    /// The index in [`Replay::rows`] of the row `retrial_of` names (`None` when it names no
    /// replayed row: one before the history's first, see [`super::links`]).
    pub retrial_row: Option<u32>,
}

impl Replay {
    /// The rows replication `rep` replays: the history's replication groups in turn
    /// (`rep mod groups`), so a log of N replications replays replication k as replication k.
    pub fn rows_for(&self, rep: u32) -> (usize, &[ReplayRow]) {
        if self.groups.is_empty() {
            return (0, &[]);
        }
        let (_, range) = &self.groups[rep as usize % self.groups.len()];
        (range.start, &self.rows[range.clone()])
    }
}

/// Resolves a queue name (or reports an unknown one with a suggestion).
pub type Resolve<'a> = &'a dyn Fn(&str) -> Result<QueueId, String>;

/// Checks a non-empty attribute cell: `(queue of the row, column name, trimmed cell)`; the
/// error is the message reported at the cell (what was expected, with a suggestion).
pub type CheckAttribute<'a> = &'a dyn Fn(QueueId, &str, &str) -> Result<(), String>;

/// Reads a history file for replay. `queue` resolves the `queue` column, `workstream` the
/// `workstream` column (to the work stream's one queue); arrivals must fall before `horizon`;
/// `attribute` checks every non-empty attribute cell of a row whose queue resolved.
///
/// Errors: every problem found (missing column, unparsable time or duration, unknown queue,
/// answered row without `handle`, arrival not before the horizon, an attribute value
/// `attribute` refuses, a broken link between rows: [`super::links`]), each with file, line
/// and column, at most [`super::MAX_PROBLEMS`] listed. A `retrial_of` naming no row of its
/// replication, or a later leg without an earlier one, is a warning (a history that starts
/// after the abandoned contact or the first legs).
pub fn read_replay(
    path: &Path,
    file: &str,
    cal: &Calendar,
    horizon: SimDuration,
    queue: Resolve<'_>,
    workstream: Resolve<'_>,
    attribute: CheckAttribute<'_>,
) -> Result<Replay, Vec<Diagnostic>> {
    let mut p = Problems::new(file);
    let mut rows = Vec::new();
    let mut attr_cols: Vec<usize> = Vec::new();
    let mut attr_seen = false;
    let mut n: u64 = 0;
    // Whether a row so far had a dated arrival inside the horizon: then a later one past it is
    // the horizon's fault (a run's log drains past its horizon), not `[scenario] start`'s.
    let mut inside = false;
    let mut seen = crate::calendar::CsvOffsets::default();
    let mut links = super::links::Links::default();
    let header = read(
        path,
        &mut p,
        &[&["arrival"], &["queue", "workstream"]],
        // Other columns are attributes; only a mistyped one (`Handle`, `wiat`) is refused.
        &COLUMNS,
        |r, p| {
            n += 1;
            links.note(r, p);
            // A transfer's later leg is not an arrival: the replay's own transfers make it. A
            // bad `leg` (reported) does not hide the row's other cells: they are checked as an
            // arrival's, and the row is not kept (issue 25, twelfth session).
            let contact = contact(r, p);
            if contact.is_some_and(|c| c.later_leg) {
                return;
            }
            if !attr_seen {
                attr_seen = true;
                attr_cols = (0..r.header.names().len())
                    .filter(|&i| !COLUMNS.contains(&r.header.names()[i].as_str()))
                    .collect();
            }
            let arrival = r
                .required(p, "arrival")
                // A dated arrival read against an unreadable `[scenario] start` (its own
                // error) would be called out of range: skipped instead.
                .filter(|s| !(cal.unread && s.trim().parse::<f64>().is_err()))
                .and_then(|s| match cal.parse_csv_time(s, &mut seen) {
                    Ok(t) if t.as_millis() >= horizon.as_millis() => {
                        r.problem(
                            p,
                            "arrival",
                            if s.parse::<f64>().is_ok() {
                                format!(
                                    "arrival {s} is not before the horizon ({horizon}); arrivals happen in [0, horizon)"
                                )
                            } else {
                                format!(
                                    "arrival {s} is not before the horizon ({horizon} after t = 0 = {}); {}",
                                    cal.iso(crate::time::SimTime::ZERO),
                                    if inside {
                                        "earlier rows are inside it, so the history runs past \
                                         it (a run's own log goes on while its contacts drain: \
                                         retries, later legs): make `[scenario] horizon` longer \
                                         or remove the later rows"
                                    } else {
                                        "set `[scenario] start` to the history's first day"
                                    }
                                )
                            },
                        );
                        None
                    }
                    Ok(t) => {
                        inside = true;
                        Some(t)
                    }
                    Err(e) => {
                        r.problem(p, "arrival", e);
                        None
                    }
                });
            let q = match (r.cell("queue"), r.cell("workstream")) {
                (Some(name), _) => match queue(name) {
                    Ok(q) => Some(q),
                    Err(e) => {
                        r.problem(p, "queue", e);
                        None
                    }
                },
                (None, Some(name)) => match workstream(name) {
                    Ok(q) => Some(q),
                    Err(e) => {
                        r.problem(p, "workstream", e);
                        None
                    }
                },
                (None, None) => {
                    let col = if r.header.col("queue").is_some() {
                        "queue"
                    } else {
                        "workstream"
                    };
                    r.problem(p, col, format!("`{col}` is empty"));
                    None
                }
            };
            // Where it ended up: not replayed (the replay makes its own moves), but a queue of
            // the scenario, as `queue` is.
            if let Some(name) = r.cell("ended_in") {
                if let Err(e) = queue(name) {
                    r.problem(p, "ended_in", e);
                }
            }
            if let Some(q) = q {
                for &i in &attr_cols {
                    let cell = r.rec.get(i).unwrap_or("").trim();
                    if cell.is_empty() {
                        continue;
                    }
                    let name = r.header.names()[i].as_str();
                    if let Err(e) = attribute(q, name, cell) {
                        r.problem(p, name, e);
                    }
                }
            }
            let outcome = r.parse(p, "outcome", |s| match s {
                "answered" | "abandoned" | "overflowed" => Ok(s.to_string()),
                _ => Err(format!(
                    "unknown outcome {s:?}; expected \"answered\", \"abandoned\" or \"overflowed\""
                )),
            });
            let wait = r.parse(p, "wait", parse_csv_duration);
            let handle = r.parse(p, "handle", parse_csv_duration);
            let wrap_up = r.parse(p, "wrap_up", parse_csv_duration);
            let patience = r.parse(p, "patience", parse_csv_duration);
            let replication = r.parse(p, "replication", parse_replication);
            if let (Some(Some(o)), Some(None)) = (&outcome, &handle) {
                if o == "answered" {
                    let col = if r.header.col("handle").is_some() {
                        "handle"
                    } else {
                        "outcome"
                    };
                    r.problem(
                        p,
                        col,
                        "an answered row needs its `handle` time to be replayed",
                    );
                }
            }
            let (
                Some(arrival),
                Some(q),
                Some(outcome),
                Some(wait),
                Some(handle),
                Some(wrap_up),
                Some(patience),
                Some(replication),
            ) = (
                arrival,
                q,
                outcome,
                wait,
                handle,
                wrap_up,
                patience,
                replication,
            )
            else {
                return;
            };
            if contact.is_none() {
                return;
            }
            let patience = patience.or(if outcome.as_deref() == Some("abandoned") {
                wait
            } else {
                None
            });
            rows.push(ReplayRow {
                id: r
                    .cell("id")
                    .map_or_else(|| n.to_string(), str::to_string)
                    .into(),
                arrival,
                queue: q,
                replication: replication.unwrap_or(0),
                handle,
                wrap_up,
                patience,
                attributes: attr_cols
                    .iter()
                    .map(|&i| Box::from(r.rec.get(i).unwrap_or("").trim()))
                    .collect(),
                retrial_of: r.cell("retrial_of").map(Box::from),
                retrial_row: None,
            });
        },
    );
    links.finish(&mut p, true);
    if p.any() {
        return Err(p.finish());
    }
    let header = header.expect("no problems means the header was read");
    let attribute_columns: Vec<usize> = (0..header.names().len())
        .filter(|&i| !COLUMNS.contains(&header.names()[i].as_str()))
        .collect();
    let attribute_names = attribute_columns
        .iter()
        .map(|&i| header.names()[i].clone())
        .collect();
    rows.sort_by_key(|r| (r.replication, r.arrival));
    let mut groups: Vec<(u32, std::ops::Range<usize>)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match groups.last_mut() {
            Some((rep, range)) if *rep == r.replication => range.end = i + 1,
            _ => groups.push((r.replication, i..i + 1)),
        }
    }
    link_retrials(&mut rows);
    Ok(Replay {
        file: file.to_string(),
        rows,
        attribute_names,
        attribute_columns: attribute_columns.into_iter().map(|i| i + 1).collect(),
        groups,
        warnings: p.take_warnings(),
    })
}

/// Points each retry contact of `rows` (sorted) at the row its `retrial_of` names in the same
/// replication ([`ReplayRow::retrial_row`]), when that row is replayed.
fn link_retrials(rows: &mut [ReplayRow]) {
    if rows.iter().all(|r| r.retrial_of.is_none()) {
        return;
    }
    let at: std::collections::HashMap<(u32, Box<str>), u32> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.replication, r.id.clone()), i as u32))
        .collect();
    for r in rows.iter_mut() {
        if let Some(of) = &r.retrial_of {
            r.retrial_row = at.get(&(r.replication, of.clone())).copied();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 25, sixth pass (tester): a `run --log` history with rows repeated (same `id`,
    /// same `replication`) replayed them as extra arrivals (913 → 1,213). Each repeat is an
    /// error at its `id` cell naming the earlier line; the same id in another replication, and
    /// a history without `id`, are fine.
    #[test]
    fn a_repeated_conversation_is_an_error_naming_the_earlier_line() {
        let dir = std::env::temp_dir().join(format!("omnisim-hist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("h.csv");
        let read = |text: &str| {
            std::fs::write(&path, text).unwrap();
            read_replay(
                &path,
                "h.csv",
                &Calendar::default(),
                SimDuration::from_secs(3600),
                &|_| Ok(QueueId(0)),
                &|_| Ok(QueueId(0)),
                &|_, _, _| Ok(()),
            )
        };
        let text = "id,arrival,queue,outcome,handle,replication\n\
            1,10,q,answered,60,0\n2,20,q,answered,60,0\n1,10,q,answered,60,1\n\
            2,20,q,answered,60,0\n1,10,q,answered,60,1\n";
        let e: Vec<String> = read(text)
            .unwrap_err()
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            e,
            [
                "h.csv:5:1: id: conversation \"2\" of replication 0 is already on line 3; \
                 expected one row per conversation (a log appended to itself?)",
                "h.csv:6:1: id: conversation \"1\" of replication 1 is already on line 4; \
                 expected one row per conversation (a log appended to itself?)",
            ]
        );
        let ok = read("id,arrival,queue,handle,replication\n1,10,q,60,0\n1,10,q,60,1\n").unwrap();
        assert_eq!(ok.rows.len(), 2);
        let no_id = read("arrival,queue,handle\n10,q,60\n10,q,60\n").unwrap();
        assert_eq!(no_id.rows.len(), 2);
        // Issue 25 leftover: a retry contact of a contact that was answered (not abandoned)
        // is a warning at its `retrial_of` cell naming the answered row's line; one of an
        // abandoned contact is not. Replayed as a retrial all the same.
        let text = "id,arrival,queue,outcome,handle,retrial_of\n\
            1,10,q,answered,60,\n2,20,q,abandoned,,\n3,30,q,answered,60,1\n\
            4,40,q,answered,60,2\n5,50,q,answered,60,1\n";
        let w: Vec<String> = read(text)
            .unwrap()
            .warnings
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            w,
            ["h.csv:4:6: retrial_of: retrial_of \"1\" names a contact that was answered at line \
              2 (its outcome); expected the id of an abandoned contact its customer came back \
              from (and 1 more such: line 6): replayed as retrials all the same; check the ids \
              if the history is a whole log"]
        );
    }
}
