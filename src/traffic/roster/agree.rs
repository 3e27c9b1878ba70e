//! The agreement of one roster agent's rows: every row of an agent names the same queues,
//! capacity, skills and absence (its shifts and breaks are what rows add). Each value is
//! compared with the first row where it parsed, whether or not the rest of either row did, so a
//! row with another bad cell does not hide the disagreement of the next (issue 25, eleventh
//! tester).
//!
//! An omitted cell means the same whatever the order of the rows (issue 25, twelfth tester: an
//! empty `skills` cell on the first row made the second row's `x:3` "other skills on line 2"
//! while the other order was valid): an empty `skills` cell leaves the skills out, so only the
//! rows that give skills are compared, and the agent's skills are theirs ([`Firsts::skills`]);
//! an empty `capacity` is 100 and an empty `absence` 0 on any row, and a message about such a
//! row says that its cell is empty. Queues and skills are compared as sets (their order in a
//! cell does not matter).
use crate::model::QueueId;
use crate::traffic::{Problems, Row};

/// The first parsed value of each agreed column of one agent, with its CSV line.
#[derive(Debug, Default)]
pub(super) struct Firsts {
    /// Queues, sorted (their order in a row does not matter), with the cell as written.
    queues: Option<(Vec<QueueId>, u64, String)>,
    /// Units (an empty cell is 100), and whether the cell was empty.
    capacity: Option<(u32, u64, bool)>,
    /// Skills in file order, from the first row that gives any (an empty cell gives none).
    skills: Option<(Vec<(String, u8)>, u64)>,
    /// The probability of not coming in (an empty cell is 0), and whether the cell was empty.
    absence: Option<(f64, u64, bool)>,
}

impl Firsts {
    /// Compares row `r` of agent `name` with the agent's first values, reporting each
    /// difference at `r`'s cell with the other line; a value seen first here is kept. The
    /// arguments are the row's parsed cells as the roster reader holds them (`None`: the cell
    /// was bad, reported already; `Some(None)`: empty). A row's skills are compared only when
    /// its `skills` cell is given (any row may leave them out, before or after the rows that
    /// give them).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn agree(
        &mut self,
        r: &Row<'_>,
        p: &mut Problems,
        name: &str,
        queues: &Option<Vec<QueueId>>,
        capacity: &Option<Option<u32>>,
        skills: &Option<Option<Vec<(String, u8)>>>,
        absence: &Option<Option<f64>>,
    ) {
        if let Some(q) = queues {
            let mut q = q.clone();
            q.sort();
            let cell = r.cell("queues").unwrap_or_default();
            match &self.queues {
                Some((first, line, there)) if *first != q => r.problem(
                    p,
                    "queues",
                    format!(
                        "agent {name:?} has other queues on line {line} ({there:?} there, \
                         {cell:?} here)"
                    ),
                ),
                Some(_) => {}
                None => self.queues = Some((q, r.line, cell.to_string())),
            }
        }
        if let Some(c) = capacity {
            let (empty, c) = (c.is_none(), c.unwrap_or(100));
            match self.capacity {
                Some((first, line, first_empty)) if first != c => r.problem(
                    p,
                    "capacity",
                    format!(
                        "agent {name:?} has capacity {first} on line {line}{}, {c} on this row",
                        empty_words(first_empty, empty, "capacity", "100")
                    ),
                ),
                Some(_) => {}
                None => self.capacity = Some((c, r.line, empty)),
            }
        }
        if let Some(Some(s)) = skills {
            match &self.skills {
                Some((first, line)) if !same_skills(first, s) => r.problem(
                    p,
                    "skills",
                    format!(
                        "agent {name:?} has other skills on line {line} ({:?} there, {:?} here)",
                        written(first),
                        written(s)
                    ),
                ),
                Some(_) => {}
                None => self.skills = Some((s.clone(), r.line)),
            }
        }
        if let Some(a) = absence {
            let (empty, a) = (a.is_none(), a.unwrap_or(0.0));
            match self.absence {
                Some((first, line, first_empty)) if first != a => r.problem(
                    p,
                    "absence",
                    format!(
                        "agent {name:?} has absence {first} on line {line}{}, {a} on this row; \
                         an agent's \
                         absence is one probability for all its rows (whether it comes in at \
                         all in a replication)",
                        empty_words(first_empty, empty, "absence", "0")
                    ),
                ),
                Some(_) => {}
                None => self.absence = Some((a, r.line, empty)),
            }
        }
    }

    /// The skills of the first row that gave any (`None` when no row did), taken out.
    pub(super) fn skills(&mut self) -> Option<Vec<(String, u8)>> {
        self.skills.take().map(|(s, _)| s)
    }
}

/// Skills as a cell writes them: `spanish:4;billing:2`.
fn written(s: &[(String, u8)]) -> String {
    let parts: Vec<String> = s.iter().map(|(n, r)| format!("{n}:{r}")).collect();
    parts.join(";")
}

/// Whether two skill lists hold the same (name, rating) pairs, in any order.
fn same_skills(a: &[(String, u8)], b: &[(String, u8)]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    fn sorted(s: &[(String, u8)]) -> Vec<(&str, u8)> {
        let mut v: Vec<(&str, u8)> = s.iter().map(|(n, r)| (n.as_str(), *r)).collect();
        v.sort_unstable();
        v
    }
    sorted(a) == sorted(b)
}

/// What a disagreement message adds when a cell of `key` is empty (worth `default`): the other
/// line's (`first_empty`) or this row's (`empty`), so a message never names a line's value that
/// the line does not show.
fn empty_words(first_empty: bool, empty: bool, key: &str, default: &str) -> String {
    match (first_empty, empty) {
        (true, _) => format!(" (its cell is empty: an empty {key} is {default})"),
        (false, true) => format!(" (this row's cell is empty: an empty {key} is {default})"),
        (false, false) => String::new(),
    }
}
