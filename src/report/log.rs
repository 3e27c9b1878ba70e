//! `conversations.csv` (`omnisim run --log`): one row per conversation of every replication, in
//! the history format of contract "Real traffic", plus `replication`.
//!
//! Columns: `id`, `arrival`, `queue`, `outcome` (`answered` | `abandoned`, empty when still
//! open at the end), `wait`, `handle`, `wrap_up`, `patience`, `agent`, `agent_group` (the
//! agent's group as `summary.json`'s `agent_groups` names it: a roster agent's own name; so
//! `fit`'s `actuals.json` counts per group, issue 25), `replication`, then the replayed
//! history's attribute columns (if any). Durations are seconds with up to three
//! decimals (exact: the simulator's resolution is a millisecond); empty when unknown.
//! `arrival` is a local ISO date-time when the scenario has a calendar (`[scenario] start`),
//! so `fit` of the log puts 07:00 at 07:00, else seconds since t = 0. When some work stream
//! has a `retrial` or a `transfer`, two columns follow `replication`: `leg` (1 for the queue
//! it arrived at; 2, 3, … for the queue a transfer at the end of handling sent it to, a row of
//! its own with the same `id`) and `retrial_of` (a retry contact: the `id` of the abandoned
//! contact its customer came back from; empty otherwise; a replayed history's retry contact
//! keeps its row's `retrial_of`, and a replay of such a history writes both columns). Without
//! them the file is as before. When the scenario can move a waiting conversation to another
//! queue without starting a leg ([`Scenario::moves_between_queues`]: a supervisor's
//! `assign_to = "queue"`, any overflow `transfer`, before queueing or while waiting), or an
//! external engine moved a row, one more column follows: `ended_in`, the queue the row's
//! conversation was in when it was answered (that leg's first acceptance) or closed
//! unanswered, empty when that is the row's `queue` (a move starts no leg; a before-queueing
//! transfer at arrival counts as a move here too). Without such a rule the file is as before.
//! When some row's agents held its conversation otherwise than in one spell from acceptance to
//! acceptance + `handle` + `wrap_up` (a Waiting spell, a release back to the queue, a
//! supervisor's transfer to another agent, a wrap-up block that frees the units early, a slowed
//! or unfinished handling), one more column follows: `busy` ([`busy_cell`]), its spells, empty
//! on the other rows (issue 25, fifteenth session: `fit`'s `busy_s` missed the gaps). Without
//! such a row the file is as before. Rows are in replication order, then arrival order:
//! deterministic for a scenario and seed, whatever the thread count. The file is valid input
//! for `[traffic] replay`.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::scenario::Scenario;
use crate::sim::log::{ConvLog, ConvRecord, LogOutcome, RecordId};
use crate::time::SimDuration;

/// The fixed columns, in order.
pub const COLUMNS: [&str; 11] = [
    "id",
    "arrival",
    "queue",
    "outcome",
    "wait",
    "handle",
    "wrap_up",
    "patience",
    "agent",
    "agent_group",
    "replication",
];

/// The columns written after `replication` when some work stream has a `retrial` or a
/// `transfer` (see the module docs).
pub const CONTACT_COLUMNS: [&str; 2] = ["leg", "retrial_of"];

/// The column written after those when the scenario can move a conversation to another queue
/// without starting a leg ([`Scenario::moves_between_queues`]; see the module docs).
pub const MOVE_COLUMN: &str = "ended_in";

/// The column written after those when some row's agents held its conversation otherwise
/// than in one spell from acceptance to acceptance + `handle` + `wrap_up` ([`busy_cell`]).
pub const BUSY_COLUMN: &str = "busy";

pub use crate::text::seconds;

fn dur(d: Option<SimDuration>) -> String {
    d.map(|d| seconds(d.as_millis())).unwrap_or_default()
}

/// Renders the logs (in replication order) as CSV bytes.
pub fn render(sc: &Scenario, logs: &[ConvLog]) -> io::Result<Vec<u8>> {
    render_stoppable(sc, logs, None)
}

/// [`render`], watching `stop` (SIGINT or SIGTERM) every 4,096 rows: a stop request ends it
/// with [`io::ErrorKind::Interrupted`] (nothing rendered is kept).
pub fn render_stoppable(
    sc: &Scenario,
    logs: &[ConvLog],
    stop: Option<&AtomicBool>,
) -> io::Result<Vec<u8>> {
    let mut rows = 0u64;
    let replay = sc.traffic.replay.as_deref();
    // The replayed history's attribute columns, then every other attribute name of the work
    // streams (first appearance), so a run's own log replays with its attributes.
    let mut attrs: Vec<String> = replay.map_or(Vec::new(), |r| r.attribute_names.clone());
    for w in &sc.workstreams {
        for a in &w.routing.attributes {
            if !attrs.contains(&a.name) {
                attrs.push(a.name.clone());
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = COLUMNS.to_vec();
    // A replayed history's retry contacts are the replay's retrials: marked as in the history.
    let contacts = sc
        .workstreams
        .iter()
        .any(|w| w.retrial.is_some() || w.transfer.is_some())
        || replay.is_some_and(|h| h.rows.iter().any(|r| r.retrial_of.is_some()));
    if contacts {
        header.extend(CONTACT_COLUMNS);
    }
    // The scenario's moves, or a move an external engine (`run --engine`) made on its own.
    let moves = sc.moves_between_queues()
        || logs
            .iter()
            .flat_map(|l| &l.rows)
            .any(|r| r.ended_in.is_some_and(|q| q != r.queue));
    if moves {
        header.push(MOVE_COLUMN);
    }
    // Some handling split or held otherwise than its row says (a Waiting spell, a release,
    // a transfer to another agent, a wrap-up block ended early, a slowed or unfinished one).
    let busy = logs.iter().flat_map(|l| &l.rows).any(|r| !plain(r));
    if busy {
        header.push(BUSY_COLUMN);
    }
    header.extend(attrs.iter().map(String::as_str));
    w.write_record(&header)?;
    let agent_names: Vec<String> = (0..sc.agent_count() as u32)
        .map(|a| sc.agent_name(crate::model::AgentId(a)))
        .collect();
    // Each agent's group name, by agent id (a group's agents hold consecutive ids from its
    // `first`; a roster agent is a group of one under its own name, as `agent_groups` counts).
    let mut group_of: Vec<&str> = vec![""; agent_names.len()];
    for g in &sc.agent_groups {
        let first = g.first.index();
        for slot in group_of.iter_mut().skip(first).take(g.count as usize) {
            *slot = &g.name;
        }
    }
    let mut rec: Vec<String> = Vec::with_capacity(header.len());
    for log in logs {
        // 1-based, as in `trace.jsonl`, `explain --replication` and `--shard K/N`.
        let rep = (log.replication + 1).to_string();
        for r in &log.rows {
            rows += 1;
            if rows % 4096 == 1 && stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                return Err(io::Error::new(
                    io::ErrorKind::Interrupted,
                    "interrupted while writing conversations.csv",
                ));
            }
            rec.clear();
            let row = match r.id {
                RecordId::Replay(i) => replay.and_then(|h| h.rows.get(i as usize)),
                RecordId::Seq(_) => None,
            };
            let id_text = |id: RecordId| match id {
                RecordId::Replay(i) => match replay.and_then(|h| h.rows.get(i as usize)) {
                    Some(row) => row.id.to_string(),
                    None => i.to_string(),
                },
                RecordId::Seq(n) => n.to_string(),
            };
            rec.push(id_text(r.id));
            rec.push(match sc.calendar.given {
                true => sc.calendar.iso(r.arrival),
                false => seconds(r.arrival.as_millis()),
            });
            rec.push(sc.queues[r.queue.index()].name.clone());
            rec.push(r.outcome.as_str().to_string());
            rec.push(dur(r.wait));
            rec.push(dur(r.handle));
            rec.push(dur(r.wrap_up));
            rec.push(dur(r.patience));
            rec.push(
                r.agent
                    .map(|a| agent_names[a.index()].clone())
                    .unwrap_or_default(),
            );
            rec.push(
                r.agent
                    .and_then(|a| group_of.get(a.index()))
                    .map_or(String::new(), |g| g.to_string()),
            );
            rec.push(rep.clone());
            if contacts {
                rec.push(r.leg.to_string());
                // A replayed retry contact keeps its history row's `retrial_of` (the id of the
                // replayed row it names, or of a contact before the history's first row).
                let replayed_of = row
                    .filter(|_| r.leg == 1)
                    .and_then(|x| x.retrial_of.as_deref());
                match (r.retrial_of, replayed_of) {
                    (Some(id), _) => rec.push(id_text(id)),
                    (None, Some(of)) => rec.push(of.to_string()),
                    (None, None) => rec.push(String::new()),
                }
            }
            if moves {
                rec.push(match r.ended_in {
                    Some(q) if q != r.queue => sc.queues[q.index()].name.clone(),
                    _ => String::new(),
                });
            }
            if busy {
                rec.push(busy_cell(r, &agent_names, &group_of));
            }
            for (i, name) in attrs.iter().enumerate() {
                let drawn = r.attributes.as_ref().and_then(|(w, vals)| {
                    let spec = &sc.workstreams[w.index()].routing.attributes;
                    let a = spec.iter().position(|a| a.name == *name)?;
                    Some(spec[a].values[vals[a] as usize].clone())
                });
                let replayed = row.and_then(|x| x.attributes.get(i)).map(|v| v.to_string());
                rec.push(drawn.or(replayed).unwrap_or_default());
            }
            w.write_record(&rec)?;
        }
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// Whether row `r`'s spells ([`crate::sim::log::Spell`]) are what its other cells say: none
/// for a row nobody answered, one by its `agent` from acceptance (`arrival` + `wait`) for
/// `handle` + `wrap_up` for an answered one. `fit` reads such a row so without a `busy` cell.
pub fn plain(r: &ConvRecord) -> bool {
    if r.outcome != LogOutcome::Answered {
        return r.busy.is_empty();
    }
    let (Some(agent), Some(wait), Some(handle)) = (r.agent, r.wait, r.handle) else {
        return false;
    };
    let from = r.arrival + wait;
    let to = from + handle + r.wrap_up.unwrap_or(SimDuration::ZERO);
    match r.busy.as_slice() {
        [s] => s.agent == agent && s.from == from && s.to == to,
        // Nothing held (no units): plain only when there was nothing to hold.
        [] => to == from,
        _ => false,
    }
}

/// The `busy` cell of row `r`: empty when it is [`plain`], else its spells as a JSON list of
/// `[from_s, length_s, "agent", "group"]`, `from_s` in seconds since the row's `arrival`,
/// `length_s` in seconds (both to the millisecond), the agent and its group as `agent` and
/// `agent_group` name them (`[[25,60,"a-1","a"],[145,575,"a-2","a"]]` for a handling paused
/// in Waiting and resumed by another agent; `[]` for an answered row no agent held). JSON
/// quotes any name, so no agent or group name can break the list.
pub fn busy_cell(r: &ConvRecord, agent_names: &[String], group_of: &[&str]) -> String {
    if plain(r) {
        return String::new();
    }
    let spells: Vec<serde_json::Value> = r
        .busy
        .iter()
        .map(|s| {
            let ms = |d: SimDuration| d.as_millis() as f64 / 1000.0;
            serde_json::json!([
                ms(s.from.since(r.arrival)),
                ms(s.to.since(s.from)),
                agent_names.get(s.agent.index()).map_or("", String::as_str),
                group_of.get(s.agent.index()).copied().unwrap_or(""),
            ])
        })
        .collect();
    serde_json::Value::Array(spells).to_string()
}

/// Writes `dir/conversations.csv` atomically; returns its path. A stop request (`stop`) while
/// it renders ends it with [`io::ErrorKind::Interrupted`] and the file not written.
pub fn write(
    dir: &Path,
    sc: &Scenario,
    logs: &[ConvLog],
    stop: Option<&AtomicBool>,
) -> io::Result<std::path::PathBuf> {
    let bytes = render_stoppable(sc, logs, stop)?;
    std::fs::create_dir_all(dir)?;
    let path = dir.join("conversations.csv");
    super::write_atomic(&path, &bytes)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_exact_and_short() {
        assert_eq!(seconds(0), "0");
        assert_eq!(seconds(12_000), "12");
        assert_eq!(seconds(12_500), "12.5");
        assert_eq!(seconds(12_345), "12.345");
        assert_eq!(seconds(7), "0.007");
    }
}
