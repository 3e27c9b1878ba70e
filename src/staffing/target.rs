//! The staffing target's checks: a per-interval metric that more agents help meet, compared
//! the way that helps ([`check_target`]), and not a target the verification's precision can
//! never show met (`out_of_reach`: the best value less half the precision).

use super::{Precision, StaffError, METRICS};
use crate::workflows::target::{Op, Target};

/// Checks the target: a per-interval metric that more agents help meet.
pub fn check_target(t: &Target) -> Result<(), StaffError> {
    if !METRICS.contains(&t.metric.as_str()) {
        let hint = crate::scenario::closest(&t.metric, METRICS.iter().copied())
            .map(|c| format!(" (did you mean {c:?}?)"))
            .unwrap_or_default();
        return Err(StaffError::Metric(t.to_string(), hint));
    }
    let fraction = matches!(
        t.metric.as_str(),
        "service_level.fraction" | "abandonment_rate" | "occupancy"
    );
    if !t.value.is_finite() || t.value < 0.0 || (fraction && t.value > 1.0) {
        return Err(StaffError::Metric(
            t.to_string(),
            format!(
                "; {} must be {}",
                t.metric,
                if fraction {
                    "in [0, 1]"
                } else {
                    "a number of seconds ≥ 0"
                }
            ),
        ));
    }
    if let Some(why) = out_of_reach(t) {
        return Err(StaffError::Unreachable(t.to_string(), why));
    }
    let higher_is_better = t.metric == "service_level.fraction";
    let asks_higher = matches!(t.op, Op::Ge | Op::Gt);
    if higher_is_better != asks_higher {
        let (way, use_) = if higher_is_better {
            ("higher", ">= or >")
        } else {
            ("lower", "<= or <")
        };
        return Err(StaffError::Direction(
            t.to_string(),
            t.metric.clone(),
            way,
            use_,
        ));
    }
    Ok(())
}

/// Why a target can never be shown met, if so: an estimate must clear the target by half the
/// precision (the guard band, [`verdict`]), and no metric can be better than its best value
/// (a service level of 100%, no wait, no abandonment, no occupancy). One rule for every
/// metric staff evaluates, each worded in its own unit.
fn out_of_reach(t: &Target) -> Option<String> {
    let band = Precision::for_target(t, 1).half_width / 2.0;
    let higher_is_better = t.metric == "service_level.fraction";
    let seconds = t.metric.starts_with("wait_s.");
    let unit = if seconds { " s" } else { "" };
    let (unreachable, best, limit) = if higher_is_better {
        let limit = 1.0 - band;
        let past = match t.op {
            Op::Gt => t.value >= limit,
            Op::Ge => t.value > limit,
            // A wrong-way target: the direction check says why.
            Op::Lt | Op::Le => false,
        };
        (past, "100%".to_string(), limit)
    } else {
        let short = match t.op {
            Op::Lt => t.value <= band,
            Op::Le => t.value < band,
            Op::Gt | Op::Ge => false,
        };
        (short, format!("0{unit}"), band)
    };
    if !unreachable {
        return None;
    }
    let what = match t.metric.as_str() {
        "service_level.fraction" => "a service level".to_string(),
        "wait_s.mean" => "a mean wait".to_string(),
        "abandonment_rate" => "an abandonment rate".to_string(),
        "occupancy" => "an occupancy".to_string(),
        m => format!("a {}th-percentile wait", m.trim_start_matches("wait_s.p")),
    };
    let (way, bound) = match t.op {
        Op::Ge => ("above", format!("at most {limit}{unit}")),
        Op::Gt => ("above", format!("below {limit}{unit}")),
        Op::Le => ("below", format!("at least {limit}{unit}")),
        Op::Lt => ("below", format!("above {limit}{unit}")),
    };
    let hint = if higher_is_better {
        " (as `erlang --target-sl` takes a fraction below 1)"
    } else {
        ""
    };
    Some(format!(
        "it can never be shown met: an interval's estimate must clear the target by \
         {band}{unit} (half the ±{}{unit} precision), and {what} cannot be {way} {best}; \
         expected a target {bound}{hint}",
        2.0 * band
    ))
}
