//! How precisely `staff`'s verification decides each interval ([`Precision`]): 5% of the
//! target's distance from its metric's best value, at most ±0.01 for a fraction.

use crate::workflows::target::Target;

/// How precisely the simulation must decide each interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Precision {
    /// Half-width of the 95% interval below which an interval's estimate is taken as it is
    /// (in the target metric's unit: a fraction, or seconds). An estimate must meet the target
    /// by half of it (the guard band) to count as meeting it, and must miss it by more than it
    /// (with an interval as narrow) to get an agent without a significant miss.
    pub half_width: f64,
    /// Family-wise error rate of the "significantly misses" decisions over the intervals.
    pub alpha: f64,
    /// Replications the verification starts with (at least the scenario's).
    pub min_replications: u32,
    /// Replications it may grow to.
    pub max_replications: u32,
}

/// The precision's share of the target's distance from its metric's best value.
pub const PRECISION_SHARE: f64 = 0.05;

/// The widest precision of a fraction target (a service level, an abandonment rate, an
/// occupancy).
pub const FRACTION_PRECISION: f64 = 0.01;

impl Precision {
    /// The default for `target`: 5% ([`PRECISION_SHARE`]) of the target's distance from its
    /// metric's best value (1 − X for `service_level.fraction>=X`, X for a wait in seconds, an
    /// abandonment rate or an occupancy), at most ±0.01 ([`FRACTION_PRECISION`]) for a
    /// fraction: ±0.01 for a service level of 0.8 or an occupancy of 0.85, ±0.0005 for
    /// `abandonment_rate<=0.01`, ±1.5 s for `wait_s.mean<=30`, ±0.1 s for `wait_s.p50<=2`. A
    /// fixed ±0.01 (or ±0.5 s) is meaningless at a small target's scale: its guard band was
    /// half of `abandonment_rate<=0.01`. 5% family-wise; 10 to 128 replications (at least
    /// `replications`). A target at its best value has precision 0 (refused by
    /// [`super::check_target`]).
    pub fn for_target(target: &Target, replications: u32) -> Self {
        let fraction = matches!(
            target.metric.as_str(),
            "service_level.fraction" | "abandonment_rate" | "occupancy"
        );
        let distance = if target.metric == "service_level.fraction" {
            1.0 - target.value
        } else {
            target.value
        };
        let share = (PRECISION_SHARE * distance).max(0.0);
        let half_width = if fraction {
            share.min(FRACTION_PRECISION)
        } else {
            share
        };
        Precision {
            half_width: round_float_noise(half_width),
            alpha: 0.05,
            min_replications: replications.max(10),
            max_replications: replications.max(128),
        }
    }
}

/// `x` to 10 significant digits: 0.05 · (1 − 0.8) is 0.01, not 0.009999999999999998.
fn round_float_noise(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(9 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}
