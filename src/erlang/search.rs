//! The one search for the fewest agents that meet a target ([`fewest_agents`]), and its use
//! for Erlang C's service level ([`erlang_c_agents`]).

use super::erlang_c;

/// The most agents [`erlang_c_agents`] and `omnisim erlang` try (the most `--agents` takes).
pub const MAX_AGENTS: u32 = 100_000;

/// The fewest agents in `1..=max` that meet a target, `meets(n)` telling whether `n` agents do
/// (more agents never make the figures worse, so the answer is where `meets` turns true):
/// galloping from `start` (down while it meets, up while it does not, doubling the step) then
/// bisection. A good guess such as the stable minimum ⌊A⌋ + 1 costs a handful of evaluations
/// near the answer, none at a tiny, hugely overloaded count; from `start = 1` the probes are
/// 1, 2, 4, 8, … then the bisection. `Ok(None)` when even `max` does not meet it; `meets`'
/// error stops the search.
///
/// The one minimum search of the crate: `omnisim erlang --target-sl` (per model, its error the
/// work limit), `staff`'s stationary model ([`crate::staffing`]'s `Model::required`) and
/// [`erlang_c_agents`].
pub fn fewest_agents<E>(
    start: u32,
    max: u32,
    mut meets: impl FnMut(u32) -> Result<bool, E>,
) -> Result<Option<u32>, E> {
    let max = max.max(1);
    let start = start.clamp(1, max);
    // lo fails (0: nothing below), hi meets.
    let (mut lo, mut hi);
    let mut step = 1u32;
    if meets(start)? {
        hi = start;
        loop {
            if hi == 1 {
                return Ok(Some(1));
            }
            let probe = hi.saturating_sub(step).max(1);
            if meets(probe)? {
                hi = probe;
                step = step.saturating_mul(2);
            } else {
                lo = probe;
                break;
            }
        }
    } else {
        lo = start;
        loop {
            if lo >= max {
                return Ok(None);
            }
            let probe = lo.saturating_add(step).min(max);
            if meets(probe)? {
                hi = probe;
                break;
            }
            lo = probe;
            step = step.saturating_mul(2);
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if meets(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(Some(hi))
}

/// The fewest agents (at most [`MAX_AGENTS`]) whose Erlang C service level within `t_s` seconds
/// is at least `target`, for `lambda` arrivals per second and a mean handle time of `aht_s`
/// seconds; the search starts at the stable minimum ⌊λ·aht⌋ + 1. `None` when even
/// [`MAX_AGENTS`] fall short or the inputs are invalid (see [`erlang_c`]).
pub fn erlang_c_agents(lambda: f64, aht_s: f64, t_s: f64, target: f64) -> Option<u32> {
    let start = (lambda * aht_s).floor().clamp(0.0, f64::from(MAX_AGENTS)) as u32 + 1;
    let meets = |n: u32| {
        Ok::<_, std::convert::Infallible>(
            erlang_c(lambda, aht_s, f64::from(n), t_s).is_some_and(|f| f.service_level >= target),
        )
    };
    match fewest_agents(start, MAX_AGENTS, meets) {
        Ok(n) => n,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn galloping_then_bisection_finds_the_smallest_from_any_start() {
        let at = |target: f64| move |n: u32| Ok::<_, ()>(f64::from(n) / 100.0 >= target);
        for start in [1, 5, 36, 37, 38, 500, 1000, 5000] {
            assert_eq!(
                fewest_agents(start, 1000, at(0.37)),
                Ok(Some(37)),
                "{start}"
            );
            assert_eq!(fewest_agents(start, 1000, at(0.01)), Ok(Some(1)), "{start}");
            assert_eq!(fewest_agents(start, 20, at(0.5)), Ok(None), "{start}");
        }
        // Started at the answer, a search makes a handful of evaluations, none far below.
        let mut asked = Vec::new();
        let r = fewest_agents(38, 100_000, |n| {
            asked.push(n);
            Ok::<_, ()>(f64::from(n) / 100.0 >= 0.37)
        });
        assert_eq!(r, Ok(Some(37)));
        assert!(
            asked.len() <= 4 && asked.iter().all(|&n| n >= 35),
            "{asked:?}"
        );
        // An evaluation that cannot be made stops the search.
        assert_eq!(fewest_agents(1, 10, |_| Err::<bool, _>("big")), Err("big"));
    }

    /// The search that `staff`'s model used before (`Model::required`: probe 1, 2, 4, … up to
    /// the cap, then bisect) and the search `erlang --target-sl` used: from 1 they probe the
    /// very same counts, so they agree even on a predicate that is not monotone.
    #[test]
    fn from_one_it_probes_as_the_old_staffing_search_did() {
        fn old_required(cap: u32, meets: &mut dyn FnMut(u32) -> bool) -> u32 {
            let (mut lo, mut hi) = (0u32, 1u32);
            while !meets(hi) {
                if hi >= cap {
                    return cap;
                }
                lo = hi;
                hi = hi.saturating_mul(2).min(cap);
            }
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if meets(mid) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            hi
        }
        let preds: [&dyn Fn(u32) -> bool; 4] = [
            &|n| n >= 37,
            &|n| n >= 1,
            &|n| n % 3 == 0 && n > 5, // not monotone
            &|_| false,
        ];
        for cap in [1u32, 10, 37, 1000] {
            for p in preds {
                let (mut old_asked, mut new_asked) = (Vec::new(), Vec::new());
                let old = old_required(cap, &mut |n| {
                    old_asked.push(n);
                    p(n)
                });
                let new = fewest_agents(1, cap, |n| {
                    new_asked.push(n);
                    Ok::<_, ()>(p(n))
                })
                .unwrap()
                .unwrap_or(cap);
                assert_eq!(new, old, "cap {cap}");
                assert_eq!(new_asked, old_asked, "cap {cap}");
            }
        }
    }

    /// The linear scan `cli::smallest_agents` did (from ⌊A⌋ + 1 up, Erlang C's service level)
    /// against the galloping search, over loads from 0.5 to 400 Erlangs: the same counts. By
    /// hand for one: 300/h of 100 s (A = 8.33) within 20 s at 80% needs 11 (10 agents give
    /// 0.6506, 11 give 0.8242).
    #[test]
    fn erlang_c_agents_agree_with_the_linear_scan() {
        let linear = |lambda: f64, aht: f64, t: f64, target: f64| {
            let start = (lambda * aht).floor() as u32 + 1;
            (start..=MAX_AGENTS).find(|&n| {
                erlang_c(lambda, aht, f64::from(n), t).is_some_and(|f| f.service_level >= target)
            })
        };
        assert_eq!(erlang_c_agents(300.0 / 3600.0, 100.0, 20.0, 0.8), Some(11));
        for a in [0.5, 3.0, 8.33, 24.0, 99.5, 400.0] {
            for target in [0.5, 0.8, 0.95] {
                let lambda = a / 240.0;
                assert_eq!(
                    erlang_c_agents(lambda, 240.0, 20.0, target),
                    linear(lambda, 240.0, 20.0, target),
                    "A {a}, target {target}"
                );
            }
        }
        assert_eq!(erlang_c_agents(-1.0, 100.0, 20.0, 0.8), None);
    }
}
