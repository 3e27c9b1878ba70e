//! Simulated time: integer milliseconds, and the duration and rate strings of scenario files.
//!
//! Key types: [`SimTime`] (an instant since the start of a run) and [`SimDuration`].
//! Both are whole milliseconds in a `u64`, so there are no float epsilons anywhere in the
//! kernel or the engine. [`parse_duration`] and [`parse_rate`] read the contract's
//! `"1h30m"` and `"90/h"` forms.
//!
//! ```
//! use omnisim::time::{parse_duration, SimDuration};
//! assert_eq!(parse_duration("1h30m").unwrap(), SimDuration::from_secs(5400));
//! assert_eq!(parse_duration("250ms").unwrap().as_millis(), 250);
//! ```

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An instant of simulated time, in milliseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in milliseconds (serialized as the plain number).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The start of a run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable instant (used as "never").
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Milliseconds since the start.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Seconds since the start, as a float (for reports only).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// The time elapsed since `earlier` (zero if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A duration of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms)
    }

    /// A duration of `s` whole seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * 1000)
    }

    /// Whole milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Seconds, as a float (for reports only).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// A duration from float seconds, rounded to the nearest millisecond; negative or NaN gives zero.
    pub fn from_secs_f64(s: f64) -> Self {
        if s.is_nan() || s <= 0.0 {
            SimDuration(0)
        } else if s >= (u64::MAX / 2) as f64 / 1000.0 {
            SimDuration(u64::MAX / 2)
        } else {
            SimDuration(round_non_negative(s * 1000.0))
        }
    }

    /// A duration from float milliseconds, rounded to the nearest millisecond; negative or NaN
    /// gives zero, huge values saturate at `u64::MAX / 2` ms.
    #[inline]
    pub fn from_millis_f64(x: f64) -> Self {
        const CAP: f64 = (u64::MAX / 2) as f64;
        if x >= CAP {
            SimDuration(u64::MAX / 2)
        } else if x > 0.0 {
            SimDuration(round_non_negative(x))
        } else {
            SimDuration(0)
        }
    }
}

/// Rounds a non-negative, finite float below 2^63 to the nearest integer, halves away from
/// zero: exactly `x.round() as u64` for those values, without the libm call that `f64::round`
/// costs on x86-64's baseline instruction set (it is on the simulator's hot path).
#[inline]
pub(crate) fn round_non_negative(x: f64) -> u64 {
    let t = x as u64; // truncation
                      // The fractional part of a double is exactly representable, so this subtraction is exact.
                      // Added as 0 or 1 rather than branched on: for random durations it is a coin toss, which a
                      // branch predictor gets wrong half the time.
    t + u64::from(x - t as f64 >= 0.5)
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.since(rhs)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        if ms == 0 {
            return write!(f, "0s");
        }
        let (d, rem) = (ms / 86_400_000, ms % 86_400_000);
        let (h, rem) = (rem / 3_600_000, rem % 3_600_000);
        let (m, rem) = (rem / 60_000, rem % 60_000);
        let (s, msr) = (rem / 1000, rem % 1000);
        let mut out = String::new();
        for (v, u) in [(d, "d"), (h, "h"), (m, "m"), (s, "s"), (msr, "ms")] {
            if v > 0 {
                out.push_str(&format!("{v}{u}"));
            }
        }
        f.write_str(&out)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0 / 1000;
        write!(f, "{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    }
}

/// Why a duration or rate string could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeParseError {
    /// The string was empty.
    #[error("empty string; expected a duration such as \"20s\", \"5m\" or \"1h30m\"")]
    Empty,
    /// A number had no unit after it.
    #[error("missing unit after {number:?}; expected one of ms, s, m, h, d (e.g. \"{number}s\")")]
    MissingUnit {
        /// The number that had no unit.
        number: String,
    },
    /// An unknown unit.
    #[error("unknown unit {unit:?}; expected one of ms, s, m, h, d")]
    UnknownUnit {
        /// The unit as written.
        unit: String,
    },
    /// Not a number where one was expected.
    #[error("{text:?} is not a duration; expected a number followed by a unit, e.g. \"90s\" or \"1h30m\"")]
    NotANumber {
        /// The text as written.
        text: String,
    },
    /// The value does not fit.
    #[error("duration too large")]
    TooLarge,
    /// A rate not written as `N/unit`.
    #[error(
        "{text:?} is not a rate; expected \"N/s\", \"N/m\", \"N/h\", \"N/d\" or N per a positive duration (e.g. \"90/h\", \"646/30m\")"
    )]
    BadRate {
        /// The text as written.
        text: String,
    },
}

/// Reads a duration string: one or more `<number><unit>` parts, units `ms`, `s`, `m`, `h`, `d`.
///
/// Numbers may have a fraction (`"1.5h"`); the total is rounded to the nearest millisecond.
pub fn parse_duration(text: &str) -> Result<SimDuration, TimeParseError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(TimeParseError::Empty);
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total_ms = 0f64;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let number = &s[start..i];
        if number.is_empty() {
            return Err(TimeParseError::NotANumber {
                text: s.to_string(),
            });
        }
        let value: f64 = number.parse().map_err(|_| TimeParseError::NotANumber {
            text: s.to_string(),
        })?;
        let ustart = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = &s[ustart..i];
        let factor = match unit {
            "" => {
                return Err(TimeParseError::MissingUnit {
                    number: number.to_string(),
                })
            }
            "ms" => 1.0,
            "s" => 1000.0,
            "m" | "min" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            other => {
                return Err(TimeParseError::UnknownUnit {
                    unit: other.to_string(),
                })
            }
        };
        total_ms += value * factor;
    }
    if !total_ms.is_finite() || total_ms >= 9.0e18 {
        return Err(TimeParseError::TooLarge);
    }
    Ok(SimDuration(total_ms.round() as u64))
}

/// Reads a rate string and returns events per second: `"N/unit"` with unit `s`, `m` (`min`),
/// `h` or `d` (`"90/h"`), or `"N/duration"` with any duration [`parse_duration`] reads
/// (`"646/30m"`, `"10/1h30m"`, `"3/250ms"`); the duration must be positive.
pub fn parse_rate(text: &str) -> Result<f64, TimeParseError> {
    let bad = || TimeParseError::BadRate {
        text: text.to_string(),
    };
    let (n, unit) = text.trim().split_once('/').ok_or_else(bad)?;
    let n: f64 = n.trim().parse().map_err(|_| bad())?;
    if !n.is_finite() {
        return Err(bad());
    }
    let per = match unit.trim() {
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        other => match parse_duration(other) {
            Ok(d) if d.as_millis() > 0 => d.as_secs_f64(),
            _ => return Err(bad()),
        },
    };
    Ok(n / per)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        let cases = [
            ("250ms", 250),
            ("20s", 20_000),
            ("5m", 300_000),
            ("1.5h", 5_400_000),
            ("2d", 172_800_000),
            ("1h30m", 5_400_000),
            ("0s", 0),
        ];
        for (text, ms) in cases {
            assert_eq!(parse_duration(text).unwrap().as_millis(), ms, "{text}");
        }
    }

    #[test]
    fn bad_durations_are_refused() {
        for text in ["", "5", "5x", "h", "-5s", "abc"] {
            assert!(parse_duration(text).is_err(), "{text}");
        }
    }

    #[test]
    fn fast_rounding_matches_f64_round() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let specials = [
            0.0,
            0.5,
            1.5,
            2.5,
            0.499_999_999_999_999_94,
            1e15 + 0.5,
            4.5e15,
            9.0e18,
        ];
        for x in specials {
            assert_eq!(round_non_negative(x), x.round() as u64, "{x}");
        }
        for _ in 0..200_000 {
            let r = next();
            let x = (r >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((r % 16) as i32);
            assert_eq!(round_non_negative(x), x.round() as u64, "{x}");
            let half = (r % 1_000_000) as f64 + 0.5;
            assert_eq!(round_non_negative(half), half.round() as u64, "{half}");
        }
    }

    #[test]
    fn rates_parse() {
        assert!((parse_rate("90/h").unwrap() - 0.025).abs() < 1e-12);
        assert_eq!(parse_rate("2/s").unwrap(), 2.0);
        assert!(parse_rate("2").is_err());
        assert!(parse_rate("2/y").is_err());
        // N per a duration
        assert!((parse_rate("646/30m").unwrap() - 646.0 / 1800.0).abs() < 1e-15);
        assert!((parse_rate("10/1h30m").unwrap() - 10.0 / 5400.0).abs() < 1e-15);
        assert_eq!(parse_rate("3/250ms").unwrap(), 12.0);
        assert_eq!(parse_rate("60/min").unwrap(), 1.0);
        assert!((parse_rate(" 1.5 / 2h ").unwrap() - 1.5 / 7200.0).abs() < 1e-15);
        for bad in ["5/0s", "5/30", "5/-1h", "5/", "/h", "5/30x", "inf/h"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_round_trips() {
        for text in ["1h30m", "250ms", "2d", "45s"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(parse_duration(&d.to_string()).unwrap(), d);
        }
    }
}
