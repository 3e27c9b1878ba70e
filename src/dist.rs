//! Random durations: the scenario file's distributions and how they are sampled.
//!
//! Key type: [`Dist`]. Sampling takes any [`rand::Rng`]; the simulator passes a portable,
//! seeded generator from [`crate::rng`], so the same stream always gives the same durations.

use crate::time::SimDuration;

/// A distribution of durations, as written in a scenario (`{ dist = "exponential", mean = "100s" }`).
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always the same value.
    Constant(SimDuration),
    /// Exponential with this mean.
    Exponential {
        /// The mean.
        mean: SimDuration,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// The smallest value.
        min: SimDuration,
        /// The largest value.
        max: SimDuration,
    },
    /// Log-normal with this mean and standard deviation (of the distribution itself).
    LogNormal {
        /// The mean.
        mean: SimDuration,
        /// The standard deviation.
        sd: SimDuration,
    },
    /// Gamma with this mean and standard deviation.
    Gamma {
        /// The mean.
        mean: SimDuration,
        /// The standard deviation.
        sd: SimDuration,
    },
    /// Each listed value equally likely.
    Empirical(Vec<SimDuration>),
}
