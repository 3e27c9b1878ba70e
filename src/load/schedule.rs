//! The open-model arrival schedule: when the `i`-th conversation is due, from a constant rate or
//! k6-style ramping stages (`--ramp 10s:1000,20s:5000`: the rate moves linearly from the
//! previous target to each stage's target over the stage, then holds the last target).
//!
//! Due times are known in advance and never depend on how the system keeps up, so the lateness
//! of every arrival is measured exactly (no coordinated omission).

use std::fmt;

/// One `--ramp` stage: over `secs` seconds, move linearly to `target` conversations per second.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Stage {
    /// Length of the stage in seconds (`duration_s` in `load.json`'s `ramp`).
    #[serde(rename = "duration_s")]
    pub secs: f64,
    /// The rate reached at its end, per second (`rate_per_s` in `load.json`'s `ramp`).
    #[serde(rename = "rate_per_s")]
    pub target: f64,
}

/// A ramp (`DURATION:RATE,…`) that could not be read; the messages name no flag (the command
/// line adds it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RampError {
    /// The text holds no stage at all: give at least one `DURATION:RATE`.
    NoStage,
    /// Stages that are not `DURATION:RATE` with a duration and a rate ≥ 0: the message names
    /// every such stage and what was expected, one per line.
    Stage(String),
}

impl fmt::Display for RampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RampError::NoStage => f.write_str("has no stage"),
            RampError::Stage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RampError {}

/// Reads `10s:1000,20s:5000` (durations as in scenario files, targets per second ≥ 0).
pub fn parse_ramp(text: &str) -> Result<Vec<Stage>, RampError> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match stage(part) {
            Ok(s) => out.push(s),
            Err(e) => bad.push(e),
        }
    }
    if !bad.is_empty() {
        return Err(RampError::Stage(bad.join("\n")));
    }
    if out.is_empty() {
        return Err(RampError::NoStage);
    }
    Ok(out)
}

/// One `DURATION:RATE` stage, or what is wrong with it (naming it).
fn stage(part: &str) -> Result<Stage, String> {
    let (d, r) = part
        .split_once(':')
        .ok_or_else(|| format!("ramp stage {part:?}: expected DURATION:RATE, e.g. 10s:1000"))?;
    let d = crate::time::parse_duration(d.trim()).map_err(|e| format!("ramp stage {part:?}: {e}"));
    let r = match r.trim().parse::<f64>() {
        Err(_) => Err(format!(
            "ramp stage {part:?}: the rate {r:?} is not a number (conversations per second)"
        )),
        Ok(r) if !r.is_finite() || r < 0.0 => Err(format!(
            "ramp stage {part:?}: the rate must be a finite number ≥ 0"
        )),
        Ok(r) => Ok(r),
    };
    match (d, r) {
        (Ok(d), Ok(r)) => Ok(Stage {
            secs: d.as_secs_f64(),
            target: r,
        }),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(a), Err(b)) => Err(format!("{a}; {}", b.split_once(": ").map_or(&*b, |x| x.1))),
    }
}

/// A linear piece of the rate curve: from `start` (seconds), rate `a + b·s` at `s` seconds into
/// it, `c0` arrivals before it.
#[derive(Clone, Copy, Debug)]
struct Piece {
    start: f64,
    len: f64,
    a: f64,
    b: f64,
    c0: f64,
}

/// The due time of every arrival of a run, as a piecewise-linear rate curve.
#[derive(Clone, Debug)]
pub struct ArrivalSchedule {
    pieces: Vec<Piece>,
    end_s: f64,
}

impl ArrivalSchedule {
    /// Starts at `rate` per second; follows `ramp` if given; arrivals stop at `duration_s`.
    pub fn new(rate: f64, ramp: &[Stage], duration_s: f64) -> ArrivalSchedule {
        let mut pieces = Vec::new();
        let (mut t, mut c, mut r) = (0.0, 0.0, rate.max(0.0));
        for s in ramp {
            if s.secs > 0.0 {
                let b = (s.target - r) / s.secs;
                pieces.push(Piece {
                    start: t,
                    len: s.secs,
                    a: r,
                    b,
                    c0: c,
                });
                c += r * s.secs + b * s.secs * s.secs / 2.0;
                t += s.secs;
            }
            r = s.target;
        }
        pieces.push(Piece {
            start: t,
            len: f64::INFINITY,
            a: r,
            b: 0.0,
            c0: c,
        });
        ArrivalSchedule {
            pieces,
            end_s: duration_s,
        }
    }

    /// When arrival `i` (0-based) is due, in nanoseconds from the start, or `None` if it falls
    /// at or after the end of the run. The first arrival is due at 0.
    pub fn due_ns(&self, i: u64) -> Option<u64> {
        let n = i as f64;
        for p in &self.pieces {
            let end_c = if p.len.is_finite() {
                p.c0 + p.a * p.len + p.b * p.len * p.len / 2.0
            } else {
                f64::INFINITY
            };
            if n >= end_c || (p.a <= 0.0 && p.b <= 0.0) {
                continue;
            }
            let k = n - p.c0;
            let s = if p.b.abs() < 1e-12 {
                k / p.a
            } else {
                (-p.a + (p.a * p.a + 2.0 * p.b * k).max(0.0).sqrt()) / p.b
            };
            let t = p.start + s.max(0.0);
            return (t < self.end_s).then_some((t * 1e9) as u64);
        }
        None
    }

    /// Arrivals due before the end (the offered load).
    pub fn offered(&self) -> u64 {
        let mut c = 0.0;
        for p in &self.pieces {
            let len = (self.end_s - p.start).clamp(0.0, p.len);
            c += p.a * len + p.b * len * len / 2.0;
        }
        c.ceil() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_rate_is_evenly_spaced() {
        let s = ArrivalSchedule::new(1000.0, &[], 1.0);
        assert_eq!(s.due_ns(0), Some(0));
        assert_eq!(s.due_ns(1), Some(1_000_000));
        assert_eq!(s.due_ns(999), Some(999_000_000));
        assert_eq!(s.due_ns(1000), None);
        assert_eq!(s.offered(), 1000);
    }

    #[test]
    fn ramp_follows_the_stages() {
        let st = parse_ramp("10s:1000,20s:1000").unwrap();
        assert_eq!(st.len(), 2);
        let s = ArrivalSchedule::new(0.0, &st, 30.0);
        // 0→1000 over 10 s is 5000 arrivals, then 20 000 more.
        assert_eq!(s.offered(), 25_000);
        let t = s.due_ns(5000).unwrap();
        assert!((t as f64 / 1e9 - 10.0).abs() < 1e-6, "{t}");
        let mut last = 0;
        for i in (0..25_000).step_by(97) {
            let t = s.due_ns(i).unwrap();
            assert!(t >= last);
            last = t;
        }
    }

    #[test]
    fn bad_ramps_are_explained() {
        assert!(parse_ramp("10s")
            .unwrap_err()
            .to_string()
            .contains("DURATION:RATE"));
        assert!(parse_ramp("10s:-5").is_err());
        assert!(parse_ramp("ten:5").is_err());
        // No stage names no flag: the command line prints "--ramp has no stage".
        assert_eq!(parse_ramp(""), Err(RampError::NoStage));
        assert_eq!(RampError::NoStage.to_string(), "has no stage");
    }
}
