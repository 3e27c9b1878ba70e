//! The roster check's lines of `omnisim staff` ([`check_text`]): whether the roster, run with
//! its absence, meets the target in every interval, decided as the verification decides, and
//! the figures printed to enough digits that a miss never reads as the target.

use std::fmt::Write;

use super::{label, small, StaffResult};
use crate::report::format::pct;

/// The roster check's lines: whether the roster, run with its absence, meets the target in
/// every interval, decided as the verification decides (a clear miss only when the interval's
/// bound is wholly on the wrong side of the target), the worst clear misses, and the intervals
/// too close to call at this precision with the half-width reached.
pub fn check_text(
    r: &StaffResult,
    spec: &super::super::StaffSpec,
    rc: &super::super::RosterCheck,
) -> String {
    let absence = if spec.shrinkage > 0.0 {
        format!(
            "each agent absent with probability {} (the shrinkage)",
            pct(Some(spec.shrinkage))
        )
    } else {
        "no absence (shrinkage 0)".to_string()
    };
    let plural = crate::report::format::plural;
    let mut o = format!(
        "roster check ({absence}; {}, another seed; decided as the verification, at ±{} (95%)): ",
        plural(u64::from(rc.replications), "replication"),
        small(rc.precision.half_width)
    );
    let n = r.rows.len();
    // An interval with its estimate and half-width, to enough digits that a miss never reads
    // as the target.
    let figure = |i: usize| -> Option<(f64, String)> {
        if rc.starved.get(i) == Some(&true) {
            // Customers and none answered: an unbounded wait, the worst miss.
            let at = label(r, r.rows[i].start);
            return Some((f64::INFINITY, format!("{at} none answered")));
        }
        let v = rc.value[i]?;
        let hw = rc.half_width[i].map_or_else(String::new, |h| {
            format!(" ±{}", digits(h, digits_for(&r.target.metric)))
        });
        Some((
            v,
            format!(
                "{} {}{hw}",
                label(r, r.rows[i].start),
                apart(v, r.target.value, &r.target.metric)
            ),
        ))
    };
    let close = rc.too_close.len();
    // Intervals the check has no value for are never "met" (nothing to judge).
    let unmeasured = (0..n)
        .filter(|&i| rc.value[i].is_none() && rc.starved.get(i) != Some(&true))
        .count();
    let measured = if unmeasured == 0 {
        String::new()
    } else {
        format!(
            " ({} of {n} not measured: no conversation counted there)",
            plural(unmeasured as u64, "interval")
        )
    };
    // The same count on the lines that judge some intervals (too close, clear misses).
    let tail = match unmeasured {
        0 => String::new(),
        k => format!(
            "; {} of {n} not measured (no conversation counted there)",
            plural(k as u64, "interval")
        ),
    };
    if unmeasured == n && n > 0 {
        let _ = writeln!(
            o,
            "not measured: no interval has a value of {} to judge (no conversation counted \
             in any)",
            r.target.metric
        );
    } else if rc.missed.is_empty() && close == 0 {
        let every = if unmeasured == 0 {
            "every interval"
        } else {
            "every measured interval"
        };
        let _ = writeln!(o, "{every} meets {}{measured}", r.target);
    } else if rc.missed.is_empty() {
        let _ = writeln!(
            o,
            "no interval clearly misses {}; {} of {n} too close to call (below){tail}",
            r.target,
            plural(close as u64, "interval")
        );
    } else {
        let mut worst: Vec<(f64, String)> = rc.missed.iter().filter_map(|&i| figure(i)).collect();
        // Worst first: furthest on the wrong side of the target.
        let higher_is_better = r.target.metric == "service_level.fraction";
        worst.sort_by(|a, b| {
            if higher_is_better {
                a.0.total_cmp(&b.0)
            } else {
                b.0.total_cmp(&a.0)
            }
        });
        let list: Vec<String> = worst.into_iter().take(5).map(|x| x.1).collect();
        let _ = writeln!(
            o,
            "{} of {n} clearly miss {} (worst: {}){}{tail}",
            plural(rc.missed.len() as u64, "interval"),
            r.target,
            list.join(", "),
            if close > 0 {
                format!("; {close} too close to call (below)")
            } else {
                String::new()
            }
        );
    }
    if close > 0 {
        let widest = rc
            .too_close
            .iter()
            .filter_map(|&i| rc.half_width[i])
            .reduce(f64::max);
        let list: Vec<String> = rc
            .too_close
            .iter()
            .take(5)
            .filter_map(|&i| figure(i).map(|x| x.1))
            .collect();
        let _ = writeln!(
            o,
            "roster check too close to call at this precision: {} within the noise of {} at {} \
             ({}{}){}{}",
            plural(close as u64, "interval"),
            r.target,
            plural(u64::from(rc.replications), "replication"),
            list.join(", "),
            if close > 5 { ", …" } else { "" },
            match widest {
                Some(h) => format!(
                    "; half-width reached ±{} at most, asked ±{}",
                    digits(h, digits_for(&r.target.metric)),
                    small(rc.precision.half_width)
                ),
                None => "; no half-width (fewer than two replications with data)".to_string(),
            },
            // The intervals with nothing to judge are neither close nor met: counted here too.
            tail
        );
    }
    o
}

/// Decimals a roster-check figure of `metric` is printed with: 4 for a fraction, 2 for seconds.
fn digits_for(metric: &str) -> usize {
    if metric.starts_with("wait_s.") {
        2
    } else {
        4
    }
}

/// `x` to `places` decimals.
fn digits(x: f64, places: usize) -> String {
    format!("{x:.places$}")
}

/// `v` to [`digits_for`] decimals, or more when those would print it as the target `t` while it
/// differs from it (0.79996 is "0.79996", not "0.8000", beside a target of 0.8).
pub(crate) fn apart(v: f64, t: f64, metric: &str) -> String {
    let mut places = digits_for(metric);
    while v != t && places < 12 && digits(v, places) == digits(t, places) {
        places += 1;
    }
    digits(v, places)
}
