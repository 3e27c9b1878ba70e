//! CSV renderings of a [`Report`]: `series.csv` ([`series`], [`write_series`]) and `agents.csv`
//! ([`agents`], [`write_agents`]).
//!
//! The column names are stable; scripts may rely on them. Numbers are plain decimals (seconds
//! for times); an empty cell means "no value" (e.g. no service level in an interval where
//! nothing was answered or abandoned).
//!
//! `series.csv`, one row per (15-minute interval, queue), pooled over replications, interval
//! by interval and queues in scenario order within an interval:
//!
//! | column | meaning |
//! |---|---|
//! | `interval_start_s` | start of the interval, seconds since the start of the run |
//! | `queue` | queue name |
//! | `arrived` | conversations that arrived in the interval |
//! | `answered` | conversations first accepted in the interval |
//! | `abandoned` | conversations abandoned in the interval |
//! | `service_level` | answered within the threshold ÷ (answered + abandoned); empty when 0 |
//! | `wait_p90_s` | 90th percentile wait of those answered in the interval; empty when none |
//! | `queue_len_mean` | time-averaged Open conversations in the queue |
//! | `occupancy` | units held ÷ units staffed, center-wide (same on each queue's row) |
//! | `overallocated_units` | time-averaged units above capacity, center-wide |
//!
//! `agents.csv`, one row per agent, summed over replications:
//!
//! | column | meaning |
//! |---|---|
//! | `agent` | agent name (`<group>-<k>`, or a roster agent's own name) |
//! | `conversations` | conversations accepted, picked or transferred to the agent by a supervisor |
//! | `busy_s` | seconds holding any units |
//! | `overallocated_unit_s` | units above capacity × seconds |
//! | `overallocated_s` | seconds above capacity |
//! | `overallocation_events` | changes that left the agent above capacity |
//! | `refusals` | invitations rejected or timed out |

use std::io;

use super::Report;

/// The header of `series.csv`.
pub const SERIES_COLUMNS: [&str; 10] = [
    "interval_start_s",
    "queue",
    "arrived",
    "answered",
    "abandoned",
    "service_level",
    "wait_p90_s",
    "queue_len_mean",
    "occupancy",
    "overallocated_units",
];

/// The header of `agents.csv`.
pub const AGENTS_COLUMNS: [&str; 7] = [
    "agent",
    "conversations",
    "busy_s",
    "overallocated_unit_s",
    "overallocated_s",
    "overallocation_events",
    "refusals",
];

/// A CSV number: the shortest round-trip form, trimmed of float noise beyond 6 decimals.
pub(crate) fn num(x: f64) -> String {
    let r = (x * 1e6).round() / 1e6;
    if r == 0.0 {
        "0".into()
    } else {
        r.to_string()
    }
}

/// A CSV number, or an empty cell for a figure without data.
pub(crate) fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

/// `series.csv`.
pub fn series(report: &Report) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_series(report, &mut out)?;
    Ok(out)
}

/// `series.csv`, streamed to `out`.
pub fn write_series<W: io::Write>(report: &Report, out: W) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(SERIES_COLUMNS)?;
    for r in &report.series {
        w.write_record([
            num(r.start_s),
            r.queue.clone(),
            r.arrived.to_string(),
            r.answered.to_string(),
            r.abandoned.to_string(),
            opt(r.service_level),
            opt(r.wait_p90_s),
            num(r.queue_len_mean),
            opt(r.occupancy),
            num(r.overallocated_units),
        ])?;
    }
    w.flush()
}

/// `agents.csv`.
pub fn agents(report: &Report) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_agents(report, &mut out)?;
    Ok(out)
}

/// `agents.csv`, streamed to `out` (one row per agent: a million with a large roster).
pub fn write_agents<W: io::Write>(report: &Report, out: W) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(AGENTS_COLUMNS)?;
    for a in &report.agents {
        w.write_record([
            a.name.as_str(),
            &a.conversations.to_string(),
            &num(a.busy_s),
            &num(a.over_unit_s),
            &num(a.over_s),
            &a.over_events.to_string(),
            &a.refusals.to_string(),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_are_plain_and_trimmed() {
        assert_eq!(num(900.0), "900");
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(1.0 / 3.0), "0.333333");
    }
}
