//! The part of a staffing interval with traffic: the time its arrivals/h, offered load and
//! pointwise Erlang columns are read over, and the time its agent-hours count.
//!
//! A staffing interval can be longer than the traffic in it: a forecast row of 5 minutes at
//! 21:00, then nothing until morning; a 10-minute row among half-hours; a rate curve or a
//! replayed history that stops inside it; a queue whose operating hours cut it (its closed
//! minutes carry no load); the horizon. Averaged over the whole interval, 78 calls in 21:00–21:05
//! read 157/h and an Erlang C of 16 agents, while the same calls in an interval the horizon cuts
//! at 21:05 read 941/h (issue 25, sixteenth session). So an interval's rate is its expected
//! arrivals over the time with traffic ([`TrafficSpan::active`]), and its agent-hours count
//! that time plus the mean holding time of its conversations (the last arrivals' service),
//! within the interval ([`TrafficSpan::needed`]): the same traffic reads alike wherever it
//! falls, and a busy 5 minutes is staffed for a busy 5 minutes, not for a quiet half-hour.
//!
//! The time with traffic comes from the offered load's 1-minute bins of expected arrivals
//! ([`super::offered::OfferedLoad::arrivals`]): for rates (a queue's or a work stream's rate or
//! profile, what a `[traffic] forecast` becomes) a bin with no expected arrival has none, so
//! the time is the bins with some. Point arrivals (a replayed history, fixed `times`) leave
//! empty minutes by chance: their time is the stretch from the first bin with an arrival to
//! the last, widened at each side by its mean gap between arrivals (the gap before the first
//! and after the last arrival of traffic spread evenly), within the interval; with fewer than
//! two arrivals, the whole interval.
//!
//! Key items: [`TrafficSpan`], [`traffic_span`], [`per_interval`], [`has_points`], [`note`].

use crate::scenario::{Arrivals, Scenario};
use crate::time::{SimDuration, SimTime};

use super::offered::OfferedLoad;
use super::StaffResult;

/// Where an interval's traffic falls, and how long agents are needed for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrafficSpan {
    /// Start of the traffic (the interval's start when nothing arrives).
    pub from: SimTime,
    /// End of the traffic (the interval's end, cut by the horizon, when nothing arrives).
    pub to: SimTime,
    /// Time with traffic in `[from, to)`: the divisor of the interval's arrival rate (less than
    /// `to − from` when a rate stops and resumes inside it).
    pub active: SimDuration,
    /// How long the interval's agents are needed: `active` plus the mean holding time of its
    /// arrivals, at most until the interval's end (not cut by the horizon: the last interval's
    /// agents stay on into the drain); the interval cut by the horizon when nothing arrives.
    pub needed: SimDuration,
    /// Whether the traffic covers only part of the interval (some arrive, and `active` is
    /// shorter than the interval's nominal length).
    pub partial: bool,
}

/// The traffic span of the interval of `interval_ms` starting at `start`, from `arrivals`
/// (expected arrivals per bin of `step_ms`, bin 0 at t = 0, up to the horizon), with `hold_s`
/// the mean holding time (seconds) of the interval's arrivals; `points`: some arrivals are
/// points (see the [module docs](self)).
pub fn traffic_span(
    arrivals: &[f64],
    step_ms: u64,
    start: SimTime,
    interval_ms: u64,
    horizon: SimTime,
    hold_s: f64,
    points: bool,
) -> TrafficSpan {
    let step_ms = step_ms.max(1);
    let nominal_end = start.as_millis() + interval_ms;
    let end = nominal_end.min(horizon.as_millis()).max(start.as_millis());
    let a = (start.as_millis() / step_ms) as usize;
    let b = (end.div_ceil(step_ms) as usize).min(arrivals.len());
    let bin = |k: usize| {
        (
            (k as u64 * step_ms).max(start.as_millis()),
            ((k as u64 + 1) * step_ms).min(end),
        )
    };
    let some: Vec<usize> = (a..b.max(a)).filter(|&k| arrivals[k] > 0.0).collect();
    let count: f64 = (a..b.max(a)).map(|k| arrivals[k]).sum();
    let whole = TrafficSpan {
        from: start,
        to: SimTime(end),
        active: SimDuration(end - start.as_millis()),
        needed: SimDuration(end - start.as_millis()),
        partial: false,
    };
    let (Some(&first), Some(&last)) = (some.first(), some.last()) else {
        return whole;
    };
    let (mut from, mut to) = (bin(first).0, bin(last).1);
    let active = if points && count < 2.0 {
        // One arrival tells no rate: the interval.
        (from, to) = (start.as_millis(), end);
        to - from
    } else if points {
        let gap = ((to - from) as f64 / count).round() as u64;
        from = from.saturating_sub(gap).max(start.as_millis());
        to = (to + gap).min(end);
        to - from
    } else {
        some.iter().map(|&k| bin(k).1 - bin(k).0).sum()
    };
    let needed = (active + (hold_s.max(0.0) * 1000.0).round() as u64).min(nominal_end - from);
    TrafficSpan {
        from: SimTime(from),
        to: SimTime(to),
        active: SimDuration(active),
        needed: SimDuration(needed),
        partial: active < interval_ms,
    }
}

/// Each of the `n` intervals of `interval_ms` of `sc`'s horizon read over its part with traffic
/// (a 5-minute row at 21:00 is 5 minutes of traffic, wherever the horizon ends): its
/// [`TrafficSpan`], its offered load in agents (`load`'s mean conversations in service over
/// the span ÷ `slots`, the conversations an agent holds at once) and its arrival rate per
/// second over the time with traffic.
pub fn per_interval(
    sc: &Scenario,
    load: &OfferedLoad,
    interval_ms: u64,
    n: usize,
    slots: u32,
) -> (Vec<TrafficSpan>, Vec<f64>, Vec<f64>) {
    let step_ms = load.step.as_millis().max(1);
    let horizon = SimTime::ZERO + sc.horizon;
    let points = has_points(sc);
    let (mut spans, mut offered, mut rates) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let start = SimTime(i as u64 * interval_ms);
        let end = (start.as_millis() + interval_ms).min(horizon.as_millis());
        let (a, b) = (
            (start.as_millis() / step_ms) as usize,
            end.div_ceil(step_ms) as usize,
        );
        let hold = load.hold_in(a, b);
        let t = traffic_span(
            &load.arrivals,
            step_ms,
            start,
            interval_ms,
            horizon,
            hold,
            points,
        );
        let (f, l) = (
            (t.from.as_millis() / step_ms) as usize,
            t.to.as_millis().div_ceil(step_ms) as usize,
        );
        offered.push(load.busy_in(f, l) / f64::from(slots));
        rates.push(load.arrivals_in(a, b) / t.active.as_secs_f64().max(1e-9));
        spans.push(t);
    }
    (spans, offered, rates)
}

/// Whether some arrivals of `sc` are points, not a rate: a replayed history, or fixed `times`
/// of a queue or a work stream.
pub fn has_points(sc: &Scenario) -> bool {
    let times = |a: &Arrivals| matches!(a, Arrivals::Times(_));
    sc.traffic.replay.is_some()
        || sc.queues.iter().any(|q| times(&q.arrivals))
        || sc
            .workstreams
            .iter()
            .any(|w| w.routing.arrivals.as_ref().is_some_and(times))
}

/// The terminal's line naming the intervals whose traffic covers only part of them (empty
/// when none does): `arrivals only 21:00–21:05` each, and what that changes.
pub fn note(r: &StaffResult, label: impl Fn(SimTime) -> String) -> String {
    let clock = |t: SimTime| match &r.calendar {
        Some(c) => c.clock(t),
        None => crate::report::format::clock(t.as_secs_f64()),
    };
    let parts: Vec<String> = r
        .rows
        .iter()
        .filter(|x| x.traffic.partial && x.arrival_rate_per_h > 0.0)
        .map(|x| {
            let t = &x.traffic;
            let gaps = if t.active < t.to.since(t.from) {
                format!(", {} min of it", (t.active.as_secs_f64() / 60.0).round())
            } else {
                String::new()
            };
            format!(
                "{} (arrivals only {}–{}{gaps})",
                label(x.start),
                clock(t.from),
                clock(t.to)
            )
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    let shown = parts.len().min(8);
    format!(
        "traffic in part of the interval: {}{}: arrivals/h, offered load and the Erlang columns \
         read that part; its agent-hours count it plus the mean holding time \
         (docs/verdicts.md)\n",
        parts[..shown].join(", "),
        if parts.len() > shown {
            format!(", … {} more", parts.len() - shown)
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;

    /// Issue 25, sixteenth session: 78 calls in the first 5 minutes of a half-hour read as
    /// spread over the half-hour (157/h) unless the horizon cut the interval at 21:05 (941/h).
    /// The span is the same 5 minutes either way, and the agents are needed for them plus the
    /// mean holding time (here 4.5 minutes) on both days.
    #[test]
    fn traffic_in_part_of_an_interval_reads_over_that_part_wherever_it_falls() {
        let mut bins = vec![15.68; 5];
        bins.extend(vec![0.0; 25]);
        let monday = traffic_span(
            &bins,
            MIN,
            SimTime(0),
            30 * MIN,
            SimTime(60 * MIN),
            270.0,
            false,
        );
        let tuesday = traffic_span(
            &bins[..5],
            MIN,
            SimTime(0),
            30 * MIN,
            SimTime(5 * MIN),
            270.0,
            false,
        );
        assert_eq!(monday, tuesday);
        assert_eq!(monday.active, SimDuration(5 * MIN));
        assert_eq!(monday.needed, SimDuration(9 * MIN + 30_000));
        assert!(monday.partial);
        // A 10-minute row in the middle of the day, after a gap: 10:10–10:20 of 10:00–10:30.
        let mut mid = vec![0.0; 10];
        mid.extend(vec![2.0; 10]);
        mid.extend(vec![0.0; 10]);
        let s = traffic_span(
            &mid,
            MIN,
            SimTime(0),
            30 * MIN,
            SimTime(30 * MIN),
            300.0,
            false,
        );
        assert_eq!((s.from, s.to), (SimTime(10 * MIN), SimTime(20 * MIN)));
        assert_eq!(
            (s.active, s.needed),
            (SimDuration(10 * MIN), SimDuration(15 * MIN))
        );
        // A rate that stops and resumes (a queue closed 10 minutes inside the interval).
        let mut gap = vec![1.0; 30];
        gap[10..20].iter_mut().for_each(|x| *x = 0.0);
        let s = traffic_span(
            &gap,
            MIN,
            SimTime(0),
            30 * MIN,
            SimTime(30 * MIN),
            300.0,
            false,
        );
        assert_eq!(s.active, SimDuration(20 * MIN));
        // A whole interval of traffic: unchanged, needed for the interval.
        let full = traffic_span(
            &[1.0; 30],
            MIN,
            SimTime(0),
            30 * MIN,
            SimTime(30 * MIN),
            300.0,
            false,
        );
        assert_eq!(
            (full.active, full.needed, full.partial),
            (SimDuration(30 * MIN), SimDuration(30 * MIN), false)
        );
        // Nothing arriving: the interval, cut by the horizon.
        let none = traffic_span(
            &[0.0; 30],
            MIN,
            SimTime(0),
            30 * MIN,
            SimTime(20 * MIN),
            300.0,
            false,
        );
        assert_eq!(
            (none.active, none.needed, none.partial),
            (SimDuration(20 * MIN), SimDuration(20 * MIN), false)
        );
    }

    /// Points (a replay): sparse arrivals over a whole interval leave empty minutes by chance
    /// but span the interval; 78 points in its first 5 minutes span about them.
    #[test]
    fn points_span_from_the_first_to_the_last_widened_by_their_mean_gap() {
        let mut sparse = vec![0.0; 30];
        for k in [1, 4, 8, 11, 15, 17, 21, 24, 26, 28] {
            sparse[k] = 1.0;
        }
        let s = traffic_span(
            &sparse,
            MIN,
            SimTime(0),
            30 * MIN,
            SimTime(30 * MIN),
            300.0,
            true,
        );
        assert_eq!(s.active, SimDuration(30 * MIN), "{s:?}");
        let mut dense = vec![15.6; 5];
        dense.extend(vec![0.0; 25]);
        let s = traffic_span(
            &dense,
            MIN,
            SimTime(0),
            30 * MIN,
            SimTime(30 * MIN),
            270.0,
            true,
        );
        assert!(
            s.partial && s.active > SimDuration(5 * MIN) && s.active < SimDuration(5 * MIN + 5_000),
            "{s:?}"
        );
        // A rate read as points only widens a little; read as a rate it is exact.
        let one = traffic_span(
            &[0.0, 1.0, 0.0],
            MIN,
            SimTime(0),
            3 * MIN,
            SimTime(3 * MIN),
            60.0,
            true,
        );
        assert_eq!(one.active, SimDuration(3 * MIN));
    }
}
