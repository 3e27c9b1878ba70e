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
//! | `partial` | only in an interrupted run's file (`summary.json` `"partial": true`): 1 on every row |
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
//! | `partial` | only in an interrupted run's file: 1 on every row |

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
///
/// That is `r = round(x·10⁶) / 10⁶` written shortest, `0` for zero. Below 10⁹ in magnitude
/// consecutive doubles are under 1.2·10⁻⁷ apart, so the decimal `round(x·10⁶)` millionths
/// (trailing zeros cut) is the one shortest text that reads back as `r`: it is written from
/// the integer, without the float formatter (about 700 instructions a number, `series.csv`
/// has six a row). Larger magnitudes, NaN and infinities take the formatter.
pub(crate) fn num(x: f64) -> String {
    let micros = (x * 1e6).round();
    if micros.abs() < 1e15 {
        return millionths(micros as i64);
    }
    let r = micros / 1e6;
    if r == 0.0 {
        "0".into()
    } else {
        r.to_string()
    }
}

/// `k` millionths as a plain decimal: sign, whole part, and the fraction's digits without
/// trailing zeros (`"0"` for 0).
fn millionths(k: i64) -> String {
    let mut whole = k.unsigned_abs();
    let mut frac = whole % 1_000_000;
    whole /= 1_000_000;
    // Written from the right: at most 19 digits, a point, 6 digits and a sign.
    let mut buf = [0u8; 28];
    let mut i = buf.len();
    if frac != 0 {
        let mut places = 6;
        while frac % 10 == 0 {
            frac /= 10;
            places -= 1;
        }
        for _ in 0..places {
            i -= 1;
            buf[i] = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        i -= 1;
        buf[i] = b'.';
    }
    loop {
        i -= 1;
        buf[i] = b'0' + (whole % 10) as u8;
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    if k < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    // ASCII only: always UTF-8.
    String::from_utf8_lossy(&buf[i..]).into_owned()
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
    let partial = report.summary.partial;
    w.write_record(
        SERIES_COLUMNS
            .into_iter()
            .chain(partial.then_some("partial")),
    )?;
    for r in &report.series {
        let cells = [
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
        ];
        w.write_record(cells.into_iter().chain(partial.then(|| "1".to_string())))?;
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
    let partial = report.summary.partial;
    w.write_record(
        AGENTS_COLUMNS
            .into_iter()
            .chain(partial.then_some("partial")),
    )?;
    for a in &report.agents {
        let cells: [&str; 7] = [
            a.name.as_str(),
            &a.conversations.to_string(),
            &num(a.busy_s),
            &num(a.over_unit_s),
            &num(a.over_s),
            &a.over_events.to_string(),
            &a.refusals.to_string(),
        ];
        w.write_record(cells.into_iter().chain(partial.then_some("1")))?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::num;

    /// `num` as it was written before its integer path: the oracle.
    fn by_formatter(x: f64) -> String {
        let r = (x * 1e6).round() / 1e6;
        if r == 0.0 {
            "0".into()
        } else {
            r.to_string()
        }
    }

    #[test]
    fn numbers_match_the_float_formatter() {
        let mut fixed = vec![
            0.0,
            -0.0,
            4e-7,
            5e-7,
            -5e-7,
            1e-6,
            0.1,
            0.3,
            900.0,
            -900.5,
            999_999_999.999_999,
            999_999_999.999_999_5,
            1e9,
            -1e9,
            1e9 + 0.25,
            1e12,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for k in 0..20_000i64 {
            fixed.push(k as f64 / 1e6);
            fixed.push(-(k as f64) * 0.37);
            fixed.push(k as f64 / 7.0);
            fixed.push(k as f64 * 900.0);
        }
        let mut x: u64 = 0x0DDB_A11C_AFE5_EED5;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            fixed.extend([
                f64::from_bits(x),
                u,
                u * 100.0,
                u * 2e9 - 1e9,
                u * 1e-4,
                (u * 1e6).round() / 1e6 * 5e3,
            ]);
        }
        for v in fixed {
            assert_eq!(num(v), by_formatter(v), "{v:e} ({:#x})", v.to_bits());
        }
    }

    #[test]
    fn numbers_are_plain_and_trimmed() {
        assert_eq!(num(900.0), "900");
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(1.0 / 3.0), "0.333333");
    }
}
