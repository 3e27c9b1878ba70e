//! Small statistics: confidence intervals across replications, and the analytic queueing
//! formulas (Erlang C, Erlang A) used as test oracles (`omnisim erlang` uses [`crate::erlang`]).
//!
//! Key items: [`mean_ci95`], [`paired_ci95`], [`t975`]; [`erlang_c`] → [`ErlangC`],
//! [`erlang_c_service_level`]; [`erlang_a`] → [`ErlangA`].
//!
//! Rates are per second and durations in seconds (`f64`): these are report-side numbers, not
//! simulation time.
//!
//! ```
//! use omnisim::stats::{erlang_c, mean_ci95};
//! let c = erlang_c(300.0 / 3600.0, 100.0, 10).unwrap();
//! assert!((c.p_wait - 0.4876).abs() < 5e-4);
//! let (mean, half) = mean_ci95(&[1.0, 2.0, 3.0]).unwrap();
//! assert_eq!(mean, 2.0);
//! assert!((half - 2.4841).abs() < 1e-3); // t(0.975, 2) = 4.3027, s = 1, n = 3
//! ```

/// t(0.975, df) for df = 1..=30, exact to 9 decimals.
const T975: [f64; 30] = [
    12.706_204_736,
    4.302_652_730,
    3.182_446_305,
    2.776_445_105,
    2.570_581_836,
    2.446_911_851,
    2.364_624_252,
    2.306_004_135,
    2.262_157_163,
    2.228_138_852,
    2.200_985_160,
    2.178_812_830,
    2.160_368_656,
    2.144_786_688,
    2.131_449_546,
    2.119_905_299,
    2.109_815_578,
    2.100_922_040,
    2.093_024_054,
    2.085_963_447,
    2.079_613_845,
    2.073_873_068,
    2.068_657_610,
    2.063_898_562,
    2.059_538_553,
    2.055_529_439,
    2.051_830_516,
    2.048_407_142,
    2.045_229_642,
    2.042_272_456,
];

/// z(0.975), the standard normal quantile.
const Z975: f64 = 1.959_963_984_540_054;

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
///
/// Exact (table) for df ≤ 30; above, the Cornish–Fisher expansion in 1/df to the fourth order,
/// which is within 1e-6 of the exact value there. `df = 0` gives +∞.
pub fn t975(df: u64) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T975[(df - 1) as usize],
        _ => {
            let z = Z975;
            let v = df as f64;
            let z2 = z * z;
            let g1 = (z2 + 1.0) * z / 4.0;
            let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
            let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
            let g4 =
                ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92_160.0;
            z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v)
        }
    }
}

/// The mean of `samples` and the half-width of its 95 % confidence interval,
/// t(0.975, n − 1) · s / √n. `None` when there are fewer than two samples.
pub fn mean_ci95(samples: &[f64]) -> Option<(f64, f64)> {
    let n = samples.len();
    if n < 2 {
        return None;
    }
    let mean = samples.iter().sum::<f64>() / n as f64;
    let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some((mean, t975(n as u64 - 1) * (var / n as f64).sqrt()))
}

/// The mean of the paired differences `a[i] − b[i]` and the half-width of its 95 % confidence
/// interval (use with common random numbers: replication `i` of both variants shares seeds).
/// `None` when the lengths differ or there are fewer than two pairs.
pub fn paired_ci95(a: &[f64], b: &[f64]) -> Option<(f64, f64)> {
    if a.len() != b.len() {
        return None;
    }
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    mean_ci95(&diffs)
}

/// Erlang C (M/M/N, no abandonment) results.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangC {
    /// Probability an arrival waits (all servers busy). 1 when the load is unstable.
    pub p_wait: f64,
    /// Mean wait over all arrivals, in seconds; +∞ when the load is unstable (A ≥ N).
    pub mean_wait_s: f64,
    /// Server occupancy A / N, capped at 1.
    pub occupancy: f64,
}

fn valid_rates(lambda_per_s: f64, mean_service_s: f64, servers: u32) -> bool {
    servers > 0
        && lambda_per_s.is_finite()
        && lambda_per_s >= 0.0
        && mean_service_s.is_finite()
        && mean_service_s > 0.0
}

/// Erlang C for arrival rate `lambda_per_s`, mean service time `mean_service_s` and `servers`.
///
/// With A = λ·mean service: B₀ = 1, Bₖ = A·Bₖ₋₁/(k + A·Bₖ₋₁) (Erlang B, numerically stable);
/// C = N·B_N/(N − A(1 − B_N)); mean wait = C/(Nμ − λ); occupancy A/N.
/// `None` when `servers` is 0 or a rate or time is negative, zero (service) or not finite.
pub fn erlang_c(lambda_per_s: f64, mean_service_s: f64, servers: u32) -> Option<ErlangC> {
    if !valid_rates(lambda_per_s, mean_service_s, servers) {
        return None;
    }
    let a = lambda_per_s * mean_service_s;
    let n = f64::from(servers);
    if a >= n {
        return Some(ErlangC {
            p_wait: 1.0,
            mean_wait_s: f64::INFINITY,
            occupancy: 1.0,
        });
    }
    let mut b = 1.0;
    for k in 1..=servers {
        b = a * b / (f64::from(k) + a * b);
    }
    let c = n * b / (n - a * (1.0 - b));
    let mu = 1.0 / mean_service_s;
    Some(ErlangC {
        p_wait: c,
        mean_wait_s: c / (n * mu - lambda_per_s),
        occupancy: a / n,
    })
}

/// Erlang C service level: the probability an arrival waits at most `t_s` seconds,
/// 1 − C·e^{−(Nμ − λ)t}. 0 when the load is unstable; `None` on invalid input (see [`erlang_c`]).
pub fn erlang_c_service_level(
    lambda_per_s: f64,
    mean_service_s: f64,
    servers: u32,
    t_s: f64,
) -> Option<f64> {
    let c = erlang_c(lambda_per_s, mean_service_s, servers)?;
    if c.mean_wait_s.is_infinite() {
        return Some(0.0);
    }
    let rate = f64::from(servers) / mean_service_s - lambda_per_s;
    Some(1.0 - c.p_wait * (-rate * t_s.max(0.0)).exp())
}

/// Erlang A (M/M/N+M: exponential patience) results.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangA {
    /// Probability an arrival finds all servers busy (and so waits).
    pub p_wait: f64,
    /// Probability an arrival abandons: θ·E(queue)/λ.
    pub p_abandon: f64,
    /// Server occupancy E[min(k, N)]/N.
    pub occupancy: f64,
    /// Mean number waiting.
    pub mean_queue: f64,
    /// Mean wait over all arrivals (served or abandoned), in seconds: E(queue)/λ (Little).
    pub mean_wait_s: f64,
}

/// The most states [`erlang_a`] visits before truncating the chain.
const MAX_STATES: u64 = 50_000_000;

/// Erlang A for arrival rate `lambda_per_s`, mean service `mean_service_s`, mean patience
/// `patience_mean_s` (exponential, rate θ = 1/patience) and `servers`.
///
/// Solves the birth–death chain with birth rate λ and death rate min(k, N)·μ + max(k − N, 0)·θ
/// in log space (so thousands of servers do not overflow), truncated once past the mode the
/// terms fall 60 nats (~1e-26) below the largest, or after 50 million states. An infinite
/// patience is Erlang C (and unstable loads then give p_wait 1, occupancy 1, infinite wait).
/// `None` on invalid input (see [`erlang_c`]; the patience must also be positive, not NaN).
pub fn erlang_a(
    lambda_per_s: f64,
    mean_service_s: f64,
    patience_mean_s: f64,
    servers: u32,
) -> Option<ErlangA> {
    if !valid_rates(lambda_per_s, mean_service_s, servers)
        || patience_mean_s.is_nan()
        || patience_mean_s <= 0.0
    {
        return None;
    }
    let n = u64::from(servers);
    let mu = 1.0 / mean_service_s;
    let theta = 1.0 / patience_mean_s; // 0 when patience is infinite
    if lambda_per_s == 0.0 {
        return Some(ErlangA {
            p_wait: 0.0,
            p_abandon: 0.0,
            occupancy: 0.0,
            mean_queue: 0.0,
            mean_wait_s: 0.0,
        });
    }
    if theta == 0.0 && lambda_per_s * mean_service_s >= n as f64 {
        return Some(ErlangA {
            p_wait: 1.0,
            p_abandon: 0.0,
            occupancy: 1.0,
            mean_queue: f64::INFINITY,
            mean_wait_s: f64::INFINITY,
        });
    }
    let ln_lambda = lambda_per_s.ln();
    // Running log-sum-exp: sums are scaled by e^{-max_log}.
    let (mut log_w, mut max_log) = (0.0f64, 0.0f64);
    let (mut total, mut busy, mut queue, mut waiting) = (1.0f64, 0.0f64, 0.0f64, 0.0f64);
    if n == 0 {
        waiting = 1.0;
    }
    let mut k: u64 = 0;
    loop {
        k += 1;
        let served = k.min(n) as f64;
        let queued = k.saturating_sub(n) as f64;
        let death = served * mu + queued * theta;
        log_w += ln_lambda - death.ln();
        if log_w > max_log {
            let scale = (max_log - log_w).exp();
            total *= scale;
            busy *= scale;
            queue *= scale;
            waiting *= scale;
            max_log = log_w;
        }
        let w = (log_w - max_log).exp();
        total += w;
        busy += served * w;
        queue += queued * w;
        if k >= n {
            waiting += w;
        }
        let past_mode = death > lambda_per_s;
        if (k >= n && past_mode && log_w < max_log - 60.0) || k >= MAX_STATES {
            break;
        }
    }
    let mean_queue = queue / total;
    Some(ErlangA {
        p_wait: waiting / total,
        p_abandon: theta * mean_queue / lambda_per_s,
        occupancy: busy / total / n as f64,
        mean_queue,
        mean_wait_s: mean_queue / lambda_per_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAMBDA: f64 = 300.0 / 3600.0;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b} (± {tol})");
    }

    #[test]
    fn t_quantiles() {
        close(t975(1), 12.7062, 1e-4);
        close(t975(30), 2.0423, 1e-4);
        // Cornish–Fisher just past the table, against exact values.
        close(t975(31), 2.039_513_446, 1e-6);
        close(t975(40), 2.021_075_390, 1e-6);
        close(t975(60), 2.000_297_822, 1e-6);
        close(t975(120), 1.979_930_405, 1e-6);
        close(t975(1_000_000), Z975, 1e-5);
        assert!(t975(0).is_infinite());
    }

    #[test]
    fn confidence_intervals() {
        assert_eq!(mean_ci95(&[]), None);
        assert_eq!(mean_ci95(&[1.0]), None);
        let (m, h) = mean_ci95(&[2.0, 4.0, 6.0, 8.0]).unwrap();
        close(m, 5.0, 1e-12);
        // s = sqrt(20/3), n = 4, t(3) = 3.182446305
        close(h, 3.182_446_305 * (20.0f64 / 3.0).sqrt() / 2.0, 1e-9);
        let (m, h) = mean_ci95(&[3.0; 5]).unwrap();
        assert_eq!((m, h), (3.0, 0.0));
    }

    #[test]
    fn paired_intervals() {
        let a = [10.0, 12.0, 14.0];
        let b = [9.0, 10.0, 11.0];
        let (m, h) = paired_ci95(&a, &b).unwrap();
        close(m, 2.0, 1e-12);
        close(h, 4.302_652_730 / 3f64.sqrt(), 1e-9);
        assert_eq!(paired_ci95(&a, &b[..2]), None);
    }

    #[test]
    fn erlang_c_reference() {
        let c = erlang_c(LAMBDA, 100.0, 10).unwrap();
        close(c.p_wait, 0.4876, 5e-4);
        close(c.mean_wait_s, 29.26, 5e-3);
        close(c.occupancy, 0.8333, 5e-4);
        close(
            erlang_c_service_level(LAMBDA, 100.0, 10, 20.0).unwrap(),
            0.6506,
            5e-4,
        );
    }

    #[test]
    fn erlang_c_edges() {
        assert_eq!(erlang_c(LAMBDA, 100.0, 0), None);
        assert_eq!(erlang_c(-1.0, 100.0, 1), None);
        assert_eq!(erlang_c(LAMBDA, 0.0, 1), None);
        let c = erlang_c(1.0, 10.0, 10).unwrap(); // A = N
        assert_eq!((c.p_wait, c.occupancy), (1.0, 1.0));
        assert!(c.mean_wait_s.is_infinite());
        assert_eq!(erlang_c_service_level(1.0, 10.0, 10, 20.0), Some(0.0));
        let c = erlang_c(0.0, 10.0, 3).unwrap();
        assert_eq!((c.p_wait, c.mean_wait_s), (0.0, 0.0));
        // one server: M/M/1, P(wait) = ρ, W = ρ/(μ − λ)
        let c = erlang_c(0.5, 1.0, 1).unwrap();
        close(c.p_wait, 0.5, 1e-12);
        close(c.mean_wait_s, 1.0, 1e-12);
    }

    #[test]
    fn erlang_a_reference() {
        let a = erlang_a(LAMBDA, 100.0, 120.0, 10).unwrap();
        close(a.p_wait, 0.3366, 5e-4);
        close(a.p_abandon, 0.0589, 5e-4);
        close(a.occupancy, 0.7842, 5e-4);
        // flow balance: served load = λ(1 − P(ab))·E[S]
        close(
            a.occupancy * 10.0,
            LAMBDA * (1.0 - a.p_abandon) * 100.0,
            1e-9,
        );
    }

    #[test]
    fn erlang_a_tends_to_erlang_c() {
        let c = erlang_c(LAMBDA, 100.0, 10).unwrap();
        let a = erlang_a(LAMBDA, 100.0, f64::INFINITY, 10).unwrap();
        close(a.p_wait, c.p_wait, 1e-9);
        close(a.mean_wait_s, c.mean_wait_s, 1e-6);
        assert_eq!(a.p_abandon, 0.0);
        let a = erlang_a(LAMBDA, 100.0, 1e9, 10).unwrap();
        close(a.p_wait, c.p_wait, 1e-5);
    }

    #[test]
    fn erlang_a_overload_and_scale() {
        // Overloaded (A = 20 on 10 servers) is stable with abandonment.
        let a = erlang_a(0.2, 100.0, 60.0, 10).unwrap();
        assert!(a.p_wait > 0.95 && a.occupancy > 0.99, "{a:?}");
        // fluid limit: the excess load λ − Nμ abandons, 1 − Nμ/λ = 0.5
        close(a.p_abandon, 0.5, 0.01);
        close(a.occupancy * 10.0, 0.2 * (1.0 - a.p_abandon) * 100.0, 1e-6);
        // Thousands of servers do not overflow.
        let a = erlang_a(19.0, 100.0, 120.0, 2000).unwrap();
        assert!(a.p_wait.is_finite() && a.p_wait > 0.0 && a.p_wait < 1.0);
        close(
            a.occupancy * 2000.0,
            19.0 * (1.0 - a.p_abandon) * 100.0,
            1e-6,
        );
        assert_eq!(erlang_a(LAMBDA, 100.0, 0.0, 10), None);
    }
}
