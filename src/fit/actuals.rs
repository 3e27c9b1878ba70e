//! `actuals.json`: a history's own outcomes in `summary.json` form ([`Fitted::actuals`],
//! [`Fitted::actuals_json`]), counted by the definitions of a run's summary
//! (docs/metrics.md), so the actuals of a run's own log (`omnisim run --log`) equal that run's
//! summary for every figure a log carries.
//!
//! Every row counts: a retry contact (`retrial_of`) is an arrival (and a retrial) of its queue,
//! answered or abandoned there; a later leg (`leg` 2, 3, …) is a transfer into its queue
//! (`transferred_in`; `conversations.transferred` once per conversation), its wait that
//! queue's transfer wait and its handle time one more handling (`handle_s` covers every leg);
//! a conversation closes, or is still in the system, with its last leg. A log's replications
//! are replications here too (`replications`, `by_replication`, `ci95`). What a history cannot
//! know is written null, each with a [`NOT_RECORDED`] note saying why, and `seed` is null (a
//! history has no seed): `compare` shows those metrics "not comparable".
//!
//! A row's `ended_in` (a move while waiting: an overflow or supervisor moved it to that queue,
//! starting no row) is a transfer into that queue (`transferred_in`; `conversations.transferred`
//! once per conversation, its legs' moves included); its arrival, answer or abandonment stay
//! with its `queue`, as the summary counts them.
//!
//! Agent groups: a row's `agent_group` (written by `omnisim run --log`, issue 25,
//! fourteenth session) puts its agent in that group, and `agent_groups` holds one entry per
//! group under the name the simulator's summary uses. A history that does not say the group
//! of every answered row's agent gets no `agent_groups` at all (no group is invented; before,
//! every agent was put in the fitted scenario's one group `agents`, which no run of the real
//! scenario has), and a note, also in `fit.json`, says so; `compare` repeats it.
//!
//! Busy time: each agent group's `busy_s` is the union, per agent and replication, of the
//! spells the `busy` column gives (`fit::busy`: Waiting spells, releases and transfers to
//! another agent included, so a run's own log gives its summary's figure), a row without a
//! cell one spell from acceptance to the end of wrap-up (a history without the column, with a
//! note).
//!
//! Not covered: a run's warm-up (its summary counts arrivals after it; its log holds them all),
//! moves a log without `ended_in` does not show (an overflow or supervisor moving a waiting
//! conversation), and of a chain of moves all but the queue it ended in (`ended_in` names only
//! the last; a move back to its `queue` shows none).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use super::Fitted;
use crate::metrics::{AgentStats, Recorder};
use crate::model::{AgentId, QueueId};
use crate::report::compare::GROUPS_UNKNOWN;
use crate::report::Summary;
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};

/// The figures a conversation history does not record, by summary path (each numeric figure
/// under it is written null in `actuals.json`, also in `by_replication`), and why.
pub const NOT_RECORDED: [(&str, &str); 9] = [
    ("overallocation", "no agent's capacity is in a history"),
    ("rule_violations", "refused commands are not in a history"),
    ("invariant_violations", "engine checks are not in a history"),
    (
        "supervisor_actions",
        "supervisor actions and refusals are not in a history",
    ),
    (
        "supervisor_reaction_s",
        "supervisor actions are not in a history",
    ),
    (
        "joins",
        "joins and their notifications are not in a history",
    ),
    (
        "invitations",
        "invitations (sent, rejected or timed out) are not in a history",
    ),
    (
        "conversations.released",
        "a conversation released back to its queue keeps one row",
    ),
    (
        "simulated_s",
        "a history ends with its last recorded event, not when a run stopped",
    ),
];

/// The summary paths `actuals.json` does not have at all (a run's summary has them when its
/// scenario sets `short_abandon`, has supervisor policies or uses unified routing; `*` is any
/// queue), and why: each gets a note, so every figure of a summary is either in
/// `actuals.json` or named in its notes.
pub const NOT_IN_ACTUALS: [(&str, &str); 5] = [
    (
        "conversations.short_abandoned",
        "the short-abandon threshold is the scenario's (`short_abandon`), not in a history: \
         abandonment_rate and service_level here count every abandonment",
    ),
    (
        "queues.*.short_abandoned",
        "the short-abandon threshold is the scenario's, not in a history",
    ),
    (
        "policies",
        "supervisor policies' actions, refusals, skips and give-ups are not in a history",
    ),
    (
        "routing",
        "routing decisions (assignments by rule, unmatched skills) are not in a history",
    ),
    (
        "overflow",
        "overflow rules' triggers, moves and callbacks are not in a history (the rows an \
         overflow ended are: conversations.overflowed and each queue's overflowed)",
    ),
];

/// [`ActualRow::id`] of a row without an `id` cell.
pub(crate) const NO_ID: u64 = u64::MAX;

/// An optional duration (ms) in 8 bytes: `u64::MAX` is none (a history's durations are at
/// most 400 days, [`crate::traffic::parse_csv_duration`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ms(u64);

impl Ms {
    /// `d` in ms, or none.
    pub(crate) fn of(d: Option<SimDuration>) -> Self {
        Ms(d.map_or(u64::MAX, |d| d.as_millis().min(u64::MAX - 1)))
    }

    /// The duration in ms, `None` for none.
    pub(crate) fn get(self) -> Option<u64> {
        (self.0 != u64::MAX).then_some(self.0)
    }
}

/// One row of the history as `actuals.json` counts it (every row: offered arrivals, retry
/// contacts, later legs), in 80 bytes (no string: a log's million rows are kept whole until
/// `actuals.json` is written, issue 25).
#[derive(Clone, Debug)]
pub(crate) struct ActualRow {
    /// Index into [`Fitted`]'s `actual_queues` (the row's queue name).
    pub queue: u32,
    /// The row's `replication` cell.
    pub rep: Option<u32>,
    /// 1 for the queue it arrived at, 2, 3, … for a queue a transfer sent it to.
    pub leg: u32,
    /// A retry contact (`retrial_of` set).
    pub retrial: bool,
    /// 0 open, 1 answered, 2 abandoned, 3 overflowed.
    pub outcome: u8,
    /// Arrival (ms since the history's t = 0; a later leg: the transfer).
    pub arrival_ms: u64,
    pub wait_ms: Ms,
    pub handle_ms: Ms,
    pub wrap_ms: Ms,
    /// Index of its (replication, agent) pair, if named.
    pub agent: Option<u32>,
    /// Its `id` cell as [`crate::traffic::links::Ids::of`] numbers it (a later leg keeps its
    /// conversation's id); [`NO_ID`] without one.
    pub id: u64,
    /// Index into [`Fitted`]'s `actual_queues` of its `ended_in` cell, when that names another
    /// queue than `queue` (a move while waiting).
    pub moved_to: Option<u32>,
}

/// The agent groups a history names: each `(replication, agent)` pair's `agent_group` cell
/// (the first a row gives it), by [`ActualRow::agent`] index.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    /// Per agent index, its group (an index into `names`).
    of_agent: Vec<Option<u32>>,
    /// Group names (in order of appearance until [`Groups::sorted`]).
    pub names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Groups {
    /// Agent `agent`'s row names `group` (nothing for an empty or absent cell).
    pub(crate) fn note(&mut self, agent: u32, group: Option<&str>) {
        let Some(group) = group else { return };
        let a = agent as usize;
        if self.of_agent.len() <= a {
            self.of_agent.resize(a + 1, None);
        }
        if self.of_agent[a].is_some() {
            return;
        }
        let next = self.names.len() as u32;
        let names = &mut self.names;
        let g = *self.index.entry(group.to_string()).or_insert_with(|| {
            names.push(group.to_string());
            next
        });
        self.of_agent[a] = Some(g);
    }

    /// The same groups numbered in name order (deterministic whatever the row order).
    pub(crate) fn sorted(mut self) -> Self {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        let mut new_of = vec![0u32; order.len()];
        for (new, old) in order.iter().enumerate() {
            new_of[*old as usize] = new as u32;
        }
        for g in self.of_agent.iter_mut().flatten() {
            *g = new_of[*g as usize];
        }
        self.names = order
            .iter()
            .map(|o| std::mem::take(&mut self.names[*o as usize]))
            .collect();
        self.index.clear();
        self
    }

    /// The group of agent index `agent`, if the history says it.
    pub(crate) fn of(&self, agent: Option<u32>) -> Option<u32> {
        self.of_agent.get(agent? as usize).copied().flatten()
    }

    /// Answered rows whose agent's group the history does not say (no `agent`, or no
    /// `agent_group` for it), and all answered rows.
    fn unknown(&self, rows: &[ActualRow]) -> (u64, u64) {
        let answered = rows.iter().filter(|r| r.outcome == 1);
        let all = answered.clone().count() as u64;
        let unknown = answered.filter(|r| self.of(r.agent).is_none()).count() as u64;
        (unknown, all)
    }

    /// Whether every answered row's agent has a group (and some group is named).
    pub(crate) fn known(&self, rows: &[ActualRow]) -> bool {
        !self.names.is_empty() && self.unknown(rows).0 == 0
    }

    /// The note of a history whose agents' groups are not known ([`GROUPS_UNKNOWN`]), or none.
    pub(crate) fn unknown_note(&self, rows: &[ActualRow]) -> Option<String> {
        let (unknown, all) = self.unknown(rows);
        if self.known(rows) || all == 0 {
            return None;
        }
        Some(format!(
            "{GROUPS_UNKNOWN} ({unknown} of {} without an `agent` with an `agent_group`; \
             `omnisim run --log` writes both): actuals.json has no agent_groups (none is \
             invented), so `compare` compares no agent group's figures",
            crate::text::plural(all, "answered row")
        ))
    }
}

/// Per replication, what the recorder does not hold itself.
struct Rep {
    rec: Recorder,
    open: u64,
    late: Vec<u64>,
    end: u64,
    /// Per group (one without known groups): (agent, from, to) of each answered row.
    spans: Vec<Vec<(Option<u32>, u64, u64)>>,
    /// Per group: answered rows.
    answered: Vec<u64>,
}

impl Fitted {
    /// `actuals.json` as a [`Summary`] (the figures a run of `sc`, the fitted scenario, would
    /// report, from the history's rows instead of a simulation), before the figures a history
    /// does not record are written null ([`Fitted::actuals_json`]). Counts, waits, service
    /// level, abandonment, handle time, retrials and transfers as a run's summary counts them
    /// (module docs); queues a later leg reached are added to `sc`'s. Each agent group's
    /// `conversations` (answered rows, every leg) and `busy_s` (agent-seconds holding a
    /// conversation: the `busy` column's spells, a row without a cell accept to end of
    /// wrap-up, overlaps of one agent in one `replication` counted once), under the groups the history's `agent_group` cells name; none when the
    /// history does not say every answered row's group ([`GROUPS_UNKNOWN`], noted).
    /// `occupancy` stays null: a history does not say when agents were on shift. `seed` is
    /// `None`.
    pub fn actuals(&self, sc: &Scenario) -> Summary {
        let mut named = sc.clone();
        named.name = "actuals".into();
        // Queues only a later leg reached are not in the fitted scenario: added for counting.
        let qmap: Vec<usize> = self
            .actual_queues
            .iter()
            .map(
                |name| match named.queues.iter().position(|q| &q.name == name) {
                    Some(i) => i,
                    None => {
                        let mut q = named.queues[0].clone();
                        q.name = name.clone();
                        named.queues.push(q);
                        named.queues.len() - 1
                    }
                },
            )
            .collect();
        let nq = named.queues.len();
        // The history's own agent groups, one summary group of one slot each (its figures
        // are the sums over its agents), when every answered row says its group.
        let known = self.groups.known(&self.actual_rows);
        let ng = if known { self.groups.names.len() } else { 1 };
        if known {
            let like = named.agent_groups[0].clone();
            named.agent_groups = self
                .groups
                .names
                .iter()
                .enumerate()
                .map(|(i, name)| crate::scenario::AgentGroup {
                    name: name.clone(),
                    count: 1,
                    first: AgentId(i as u32),
                    roster: None,
                    ..like.clone()
                })
                .collect();
        }
        let reps: BTreeMap<Option<u32>, usize> = {
            let mut keys: Vec<Option<u32>> = self.actual_rows.iter().map(|r| r.rep).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect()
        };
        let mut state: Vec<Rep> = (0..reps.len().max(1))
            .map(|i| Rep {
                rec: Recorder::new(
                    i as u32,
                    SimTime::ZERO,
                    sc.horizon,
                    sc.service_level,
                    nq,
                    &[],
                    Vec::new(),
                ),
                open: 0,
                late: vec![0; nq],
                end: 0,
                spans: vec![Vec::new(); ng],
                answered: vec![0; ng],
            })
            .collect();
        // The later legs (replication, id, leg): a row followed by one did not close.
        let later: HashSet<(Option<u32>, u64, u32)> = self
            .actual_rows
            .iter()
            .filter(|r| r.leg > 1 && r.id != NO_ID)
            .map(|r| (r.rep, r.id, r.leg))
            .collect();
        // The queue each conversation an overflow ended in a later leg arrived at (where the
        // summary counts it, as its abandonment): (replication, id) → its first row's queue.
        let over_later: HashSet<(Option<u32>, u64)> = self
            .actual_rows
            .iter()
            .filter(|r| r.leg > 1 && r.outcome == 3 && r.id != NO_ID)
            .map(|r| (r.rep, r.id))
            .collect();
        let origins: HashMap<(Option<u32>, u64), u32> = self
            .actual_rows
            .iter()
            .filter(|r| r.leg <= 1 && !over_later.is_empty() && over_later.contains(&(r.rep, r.id)))
            .map(|r| ((r.rep, r.id), r.queue))
            .collect();
        // The conversations (replication, id) counted as moved so far (legs, `ended_in`).
        let mut moved: HashSet<(Option<u32>, u64)> = HashSet::new();
        for (i, r) in self.actual_rows.iter().enumerate() {
            // Its first move: a conversation counts once in `conversations.transferred`.
            let mut first = |r: &ActualRow| r.id == NO_ID || moved.insert((r.rep, r.id));
            let s = &mut state[reps[&r.rep]];
            let q = QueueId(qmap[r.queue as usize] as u32);
            let at = SimTime(r.arrival_ms);
            let wait = SimDuration::from_millis(r.wait_ms.get().unwrap_or(0));
            s.end = s.end.max(r.arrival_ms + wait.as_millis());
            let last = r.id == NO_ID || !later.contains(&(r.rep, r.id, r.leg + 1));
            let rec = &mut s.rec;
            if r.leg <= 1 {
                rec.arrived(at, q, true);
                if r.retrial {
                    rec.retrial(q, true);
                }
                match r.outcome {
                    1 => rec.answered(at + wait, q, wait, true),
                    2 => rec.abandoned(at + wait, q, wait, true),
                    0 => s.late[q.index()] += (wait > SimDuration::ZERO) as u64,
                    _ => {}
                }
            } else {
                let first = if r.id == NO_ID { r.leg == 2 } else { first(r) };
                rec.transferred(q, first, true);
                if r.outcome == 1 {
                    rec.transfer_wait(at + wait, q, wait, true);
                }
            }
            if let Some(to) = r.moved_to {
                let first = first(r);
                rec.transferred(QueueId(qmap[to as usize] as u32), first, true);
            }
            if r.outcome == 1 {
                if let Some(h) = r.handle_ms.get() {
                    rec.handled(at + wait, SimDuration::from_millis(h), true);
                }
                let g = self.groups.of(r.agent).filter(|_| known).unwrap_or(0) as usize;
                // Without a `busy` cell, one spell from acceptance to the end of wrap-up.
                if !self.busy.as_ref().is_some_and(|b| b.has(i as u32)) {
                    let from = r.arrival_ms + wait.as_millis();
                    let work = r.handle_ms.get().unwrap_or(0) + r.wrap_ms.get().unwrap_or(0);
                    s.spans[g].push((r.agent, from, from + work));
                }
                s.answered[g] += 1;
            }
            if r.outcome == 3 && last {
                // Ended by overflow: counted in the queue it arrived at, as a run counts it.
                let origin = match origins.get(&(r.rep, r.id)) {
                    Some(&o) if r.leg > 1 => QueueId(qmap[o as usize] as u32),
                    _ => q,
                };
                rec.overflow_ended(origin, true);
            }
            match r.outcome {
                0 => s.open += 1,
                _ if last => rec.closed(q, true),
                _ => {}
            }
        }
        // The `busy` column's spells: each in its row's replication, under its agent's group.
        for sp in self.busy.iter().flat_map(|b| &b.spells) {
            let r = &self.actual_rows[sp.row as usize];
            let g = self
                .groups
                .of(Some(sp.agent))
                .filter(|_| known)
                .unwrap_or(0) as usize;
            let from = r.arrival_ms + sp.from_ms;
            state[reps[&r.rep]].spans[g].push((Some(sp.agent), from, from + sp.len_ms));
        }
        // The agents' work as the history gives it, per group (each group's one slot holds its
        // sums: a group's figures are sums over its agents).
        let agents: u32 = named.agent_groups.iter().map(|g| g.count).sum();
        let out: Vec<_> = state
            .into_iter()
            .map(|s| {
                let mut rep = s.rec.finish(SimTime(s.end), s.open);
                for (q, n) in rep.queues.iter_mut().zip(&s.late) {
                    q.delayed += n;
                    rep.total.delayed += n;
                }
                rep.agents = vec![AgentStats::default(); agents as usize];
                for ((a, spans), answered) in rep.agents.iter_mut().zip(s.spans).zip(s.answered) {
                    a.conversations = answered;
                    a.busy_ms = super::output::busy_ms(spans.into_iter());
                }
                rep
            })
            .collect();
        // The rows an overflow ended, per queue and per replication (the summary writes them
        // only for a scenario with unified routing; a history records them whatever the
        // fitted scenario).
        let over_q: Vec<u64> = (0..nq)
            .map(|i| out.iter().map(|m| m.queues[i].overflowed).sum())
            .collect();
        let over_rep: Vec<u64> = out
            .iter()
            .map(|m| m.queues.iter().map(|q| q.overflowed).sum())
            .collect();
        let n = out.len() as u32;
        let mut summary =
            crate::report::build(&named, &crate::sim::RunOutput::of(sc.seed, n, out, 0.0));
        summary.conversations.overflowed = Some(over_q.iter().sum());
        for (spec, n) in named.queues.iter().zip(&over_q) {
            if let Some(q) = summary.queues.get_mut(&spec.name) {
                q.overflowed = Some(*n);
            }
        }
        for (r, n) in summary.by_replication.iter_mut().zip(&over_rep) {
            r.conversations.overflowed = Some(*n);
        }
        summary.seed = None;
        summary.notes = vec![
            "occupancy (and each agent group's) is null: a conversation history does not say \
             when agents were on shift (the denominator); busy_s is the agents' time holding a \
             conversation: each spell of a row's `busy` cell where it has one (Waiting spells \
             and releases included), else acceptance to the end of wrap-up"
                .to_string(),
            "seed is null: a history has no seed".to_string(),
        ];
        if !known {
            summary.agent_groups.clear();
            for groups in summary
                .by_replication
                .iter_mut()
                .flat_map(|r| &mut r.agent_groups)
            {
                groups.clear();
            }
            summary
                .notes
                .extend(self.groups.unknown_note(&self.actual_rows));
        }
        summary
    }

    /// `actuals.json`: [`Fitted::actuals`] with every figure of [`NOT_RECORDED`] null (at the
    /// top and in each `by_replication` element) and one note per such figure saying why, so
    /// `compare` shows them "not comparable" rather than a difference from 0.
    pub fn actuals_json(&self, sc: &Scenario) -> serde_json::Result<Value> {
        let mut s = self.actuals(sc);
        for (path, why) in NOT_RECORDED {
            s.notes
                .push(format!("{path} is null (not comparable): {why}"));
        }
        for (path, why) in NOT_IN_ACTUALS {
            s.notes
                .push(format!("{path} is absent (not comparable): {why}"));
        }
        if self.busy.is_none() && !s.agent_groups.is_empty() {
            s.notes.push(super::busy::NO_COLUMN.to_string());
        }
        let mut v = serde_json::to_value(&s)?;
        for (path, _) in NOT_RECORDED {
            null_at(&mut v, path);
            if let Some(Value::Array(reps)) = v.get_mut("by_replication") {
                for r in reps {
                    null_at(r, path);
                }
            }
        }
        Ok(v)
    }
}

/// Writes null over every number at dotted `path` of `v` (the number itself, or each one
/// under an object or array there); nothing when the path is absent.
fn null_at(v: &mut Value, path: &str) {
    fn nulls(v: &mut Value) {
        match v {
            Value::Number(_) => *v = Value::Null,
            Value::Object(m) => m.values_mut().for_each(nulls),
            Value::Array(a) => a.iter_mut().for_each(nulls),
            _ => {}
        }
    }
    let mut at = Some(v);
    for k in path.split('.') {
        at = at.and_then(|x| x.get_mut(k));
    }
    if let Some(x) = at {
        nulls(x);
    }
}
