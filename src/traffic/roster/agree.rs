//! The agreement of one roster agent's rows: every row of an agent names the same queues,
//! capacity, skills and absence (its shifts and breaks are what rows add). Each value is
//! compared with the first row where it parsed, whether or not the rest of either row did, so a
//! row with another bad cell does not hide the disagreement of the next (issue 25, eleventh
//! tester).

use crate::model::QueueId;
use crate::traffic::{Problems, Row};

/// The first parsed value of each agreed column of one agent, with its CSV line.
#[derive(Debug, Default)]
pub(super) struct Firsts {
    /// Queues, sorted (their order in a row does not matter).
    queues: Option<(Vec<QueueId>, u64)>,
    /// Units (an empty cell is 100).
    capacity: Option<(u32, u64)>,
    /// Skills in file order (an empty cell is none).
    skills: Option<(Vec<(String, u8)>, u64)>,
    /// The probability of not coming in (an empty cell is 0).
    absence: Option<(f64, u64)>,
}

impl Firsts {
    /// Compares row `r` of agent `name` with the agent's first values, reporting each
    /// difference at `r`'s cell with the other line; a value seen first here is kept. The
    /// arguments are the row's parsed cells as the roster reader holds them (`None`: the cell
    /// was bad, reported already; `Some(None)`: empty). A row's skills are compared only when
    /// its `skills` cell is given (a later row may leave them out).
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
            match &self.queues {
                Some((first, line)) if *first != q => r.problem(
                    p,
                    "queues",
                    format!("agent {name:?} has other queues on line {line}"),
                ),
                Some(_) => {}
                None => self.queues = Some((q, r.line)),
            }
        }
        if let Some(c) = capacity {
            let c = c.unwrap_or(100);
            match self.capacity {
                Some((first, line)) if first != c => r.problem(
                    p,
                    "capacity",
                    format!("agent {name:?} has capacity {first} on line {line}"),
                ),
                Some(_) => {}
                None => self.capacity = Some((c, r.line)),
            }
        }
        if let Some(s) = skills {
            match &self.skills {
                Some((first, line)) if s.is_some() && Some(first) != s.as_ref() => r.problem(
                    p,
                    "skills",
                    format!("agent {name:?} has other skills on line {line}"),
                ),
                Some(_) => {}
                None => self.skills = Some((s.clone().unwrap_or_default(), r.line)),
            }
        }
        if let Some(a) = absence {
            let a = a.unwrap_or(0.0);
            match self.absence {
                Some((first, line)) if first != a => r.problem(
                    p,
                    "absence",
                    format!(
                        "agent {name:?} has absence {first} on line {line}; an agent's absence \
                         is one probability for all its rows (whether it comes in at all in a \
                         replication)"
                    ),
                ),
                Some(_) => {}
                None => self.absence = Some((a, r.line)),
            }
        }
    }
}
