//! The staffing target's checks: a per-interval metric that more agents help meet, compared
//! the way that helps ([`check_target`]), and not a target the verification's precision can
//! never show met (`out_of_reach`: a target at its metric's best value, where the precision,
//! a share of the distance from it, is none).

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

/// Why a target can never be shown met, if so: the verification's precision is a share of the
/// target's distance from its metric's best value ([`Precision::for_target`]: a service level
/// of 100%, no wait, no abandonment, no occupancy), so a target at that value (or past it, with
/// `<` or `>`) has no precision and no guard band, and no estimate can be shown to meet it.
/// One rule for every metric staff evaluates, each worded in its own unit.
fn out_of_reach(t: &Target) -> Option<String> {
    let higher_is_better = t.metric == "service_level.fraction";
    let seconds = t.metric.starts_with("wait_s.");
    let unit = if seconds { " s" } else { "" };
    let (best, best_text) = if higher_is_better {
        (1.0, "100%".to_string())
    } else {
        (0.0, format!("0{unit}"))
    };
    let unreachable = match t.op {
        // A wrong-way target: the direction check says why.
        Op::Ge | Op::Gt if !higher_is_better => false,
        Op::Le | Op::Lt if higher_is_better => false,
        _ => Precision::for_target(t, 1).half_width <= 0.0 || t.value == best,
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
    let (way, bound) = if higher_is_better {
        ("above", format!("below {best}"))
    } else {
        ("below", format!("above {best}{unit}"))
    };
    let hint = if higher_is_better {
        " (as `erlang --target-sl` takes a fraction below 1)"
    } else {
        ""
    };
    Some(format!(
        "it can never be shown met: the verification decides at a precision of {}% of the \
         target's distance from {best_text}, which is none here (no guard band an estimate \
         could clear), and {what} cannot be {way} {best_text}; expected a target {bound}{hint}",
        super::PRECISION_SHARE * 100.0
    ))
}
