//! The `busy` column of a history (written by `omnisim run --log` from branch `fixa-15`, issue
//! 25, fifteenth session): each spell of an agent holding the row's conversation, so
//! `actuals.json`'s `agent_groups.G.busy_s` is the agents' real busy time. A row without a
//! `busy` cell is one spell by its `agent` from acceptance to acceptance + handle + wrap-up (the
//! log writes a cell only where that is not so), which misses a Waiting spell (the agent freed
//! while the customer is away, the rest done later, perhaps by another agent), a release back
//! to the queue and a supervisor's transfer to another agent: a tester's log, written before
//! the column, gave 86,889 s against the run's 101,766 s. A history without the column reads
//! every row so, with a note ([`NO_COLUMN`]).

use std::collections::HashMap;

use super::actuals::Groups;
use crate::traffic::{Problems, Row};

/// The note of a history with agent groups and no `busy` column.
pub const NO_COLUMN: &str = "agent_groups.*.busy_s reads each answered row as one spell from \
     acceptance to the end of wrap-up: the history has no `busy` column. `omnisim run --log` \
     writes one only when a handling was split or held otherwise (a Waiting spell, a release \
     back to the queue, a transfer to another agent, a wrap-up that frees the units early, a \
     slowed or unfinished handling), so its log without one is exact; a log of such a run \
     written by an omnisim without the column (or another tool's export) misses their gaps, \
     and its busy_s is not comparable with the run's";

/// The rows' `busy` cells: which rows have one and their spells.
#[derive(Debug, Default)]
pub(crate) struct Cells {
    /// Indices (in `Fitted`'s actual rows, ascending) of the rows with a `busy` cell: their
    /// spells are those of `spells` (none for `[]`); any other answered row is one spell.
    pub rows: Vec<u32>,
    /// Their spells, in row order.
    pub spells: Vec<Spell>,
}

impl Cells {
    /// Whether row `row` has a `busy` cell.
    pub(crate) fn has(&self, row: u32) -> bool {
        self.rows.binary_search(&row).is_ok()
    }

    /// Row `row` (the next, in order) has the cell [`read`] gave (nothing for an empty one).
    pub(crate) fn add(&mut self, row: u32, cell: Read) {
        let Some(held) = cell else { return };
        self.rows.push(row);
        self.spells
            .extend(held.into_iter().map(|(agent, from_ms, len_ms)| Spell {
                row,
                agent,
                from_ms,
                len_ms,
            }));
    }
}

/// One spell of an agent holding a row's conversation, as the `busy` cell gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Spell {
    /// Index into `Fitted`'s actual rows of the row it belongs to.
    pub row: u32,
    /// Its (replication, agent) index, as the row's `agent` is numbered.
    pub agent: u32,
    /// Start, in ms since the row's arrival.
    pub from_ms: u64,
    /// Length in ms.
    pub len_ms: u64,
}

/// The longest spell start or length a cell may give: 400 days, as a history's durations.
const MAX_MS: f64 = 400.0 * 86_400_000.0;

/// A row's `busy` cell as [`read`] gives it: its spells (agent index, start in ms since the
/// row's arrival, length in ms), `None` for an empty cell or no column.
pub(crate) type Read = Option<Vec<(u32, u64, u64)>>;

/// Reads row `r`'s `busy` cell: `[[from_s, length_s, "agent", "group"], …]`
/// (`crate::report::log::busy_cell`). Each agent is numbered by (`replication`, name) in
/// `agents` as the `agent` column is, and its group noted in `groups`. `None` after a problem
/// at the cell (a cell that is not such a list, a negative or non-finite time, an empty agent
/// name), else [`Read`].
pub(crate) fn read(
    r: &Row<'_>,
    p: &mut Problems,
    agents: &mut HashMap<(String, String), u32>,
    groups: &mut Groups,
) -> Option<Read> {
    let parsed = r.parse(p, "busy", |s| {
        let expected = || {
            format!(
                "{s:?} is not a list of busy spells; expected [[from_s, length_s, \"agent\", \
                 \"group\"], …] (seconds since the row's arrival, as `omnisim run --log` \
                 writes it)"
            )
        };
        let spells: Vec<(f64, f64, String, String)> =
            serde_json::from_str(s).map_err(|_| expected())?;
        for (i, (from, len, agent, _)) in spells.iter().enumerate() {
            let ok = |x: &f64| x.is_finite() && (0.0..=MAX_MS / 1000.0).contains(x);
            if !ok(from) || !ok(len) || agent.is_empty() {
                return Err(format!(
                    "{}: spell {} needs a start and a length of 0 to 400 days and an agent",
                    expected(),
                    i + 1
                ));
            }
        }
        Ok(spells)
    })?;
    let rep = r.cell("replication").unwrap_or("").to_string();
    Some(parsed.map(|spells| {
        spells
            .into_iter()
            .map(|(from, len, agent, group)| {
                let next = agents.len() as u32;
                let i = *agents.entry((rep.clone(), agent)).or_insert(next);
                groups.note(i, Some(group.as_str()).filter(|g| !g.is_empty()));
                let ms = |s: f64| (s * 1000.0).round() as u64;
                (i, ms(from), ms(len))
            })
            .collect()
    }))
}
