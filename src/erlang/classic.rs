//! Erlang C (M/M/N, any real N > 0 through the incomplete-gamma extension) and Erlang A
//! (M/M/N+M, exponential patience) as [`Figures`].

use super::{fifo_tail, unstable, Figures};

fn valid(lambda: f64, aht_s: f64) -> bool {
    lambda.is_finite() && lambda >= 0.0 && aht_s.is_finite() && aht_s > 0.0
}

/// Erlang B blocking probability for offered load `a` (Erlangs) and `x > 0` servers.
///
/// Whole `x`: the stable recurrence B₀ = 1, Bₖ = a·Bₖ₋₁/(k + a·Bₖ₋₁). Fractional `x`: the
/// continuous extension B(x, a) = aˣ·e^{−a} / Γ(x + 1, a) with Γ(·,·) the upper incomplete gamma
/// function (Jagerman 1974, "Some properties of the Erlang loss function", *Bell System
/// Technical Journal* 53(3); it equals the recurrence at whole x and decreases in x). Computed
/// in log space with `statrs`' ln Γ and regularized upper Q(x + 1, a), so thousands of servers do
/// not overflow.
pub fn erlang_b(a: f64, x: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    if x.fract() == 0.0 && x <= 1e7 {
        let mut b = 1.0;
        for k in 1..=(x as u64) {
            b = a * b / (k as f64 + a * b);
        }
        return b;
    }
    let q = statrs::function::gamma::gamma_ur(x + 1.0, a);
    (x * a.ln() - a - statrs::function::gamma::ln_gamma(x + 1.0) - q.ln()).exp()
}

/// Erlang C figures for arrival rate `lambda` (per second), mean handle time `aht_s`,
/// `servers` (> 0, fractional allowed) and service-level threshold `t_s` seconds.
///
/// With A = λ·aht and B = [`erlang_b`]`(A, x)`: C = x·B/(x − A(1 − B)) (P(wait));
/// every arrival is answered, so both mean waits are C/(xμ − λ); service level
/// 1 − C·e^{−(xμ−λ)t}; occupancy A/x. At whole x these are the classic formulas (Gross &
/// Harris §2.3); between whole numbers they are the continuous extension through Erlang B.
/// Unstable (A ≥ x) gives [`super::unstable`] figures. `None` on invalid input (negative or
/// non-finite rate, non-positive handle time or servers).
pub fn erlang_c(lambda: f64, aht_s: f64, servers: f64, t_s: f64) -> Option<Figures> {
    if !(valid(lambda, aht_s) && servers.is_finite() && servers > 0.0) {
        return None;
    }
    let a = lambda * aht_s;
    if a >= servers {
        return Some(unstable(servers));
    }
    let b = erlang_b(a, servers);
    let c = servers * b / (servers - a * (1.0 - b));
    let gap = servers / aht_s - lambda; // xμ − λ
    let w = if lambda == 0.0 { 0.0 } else { c / gap };
    Some(Figures {
        agents: servers,
        stable: true,
        p_wait: c,
        p_abandon: 0.0,
        mean_wait_answered_s: w,
        mean_wait_all_s: w,
        service_level: 1.0 - c * (-gap * t_s.max(0.0)).exp(),
        occupancy: a / servers,
    })
}

/// Erlang A figures for arrival rate `lambda`, mean handle time `aht_s`, mean patience
/// `patience_s` (exponential; `f64::INFINITY` gives Erlang C), `servers` and threshold `t_s`.
///
/// The birth–death chain over customers present k has birth rate λ and death rate
/// min(k, N)·μ + max(k − N, 0)·θ (Palm 1943; Garnett, Mandelbaum & Reiman 2002). States
/// k < N are solved in log space; the all-busy block (k ≥ N) is aggregated exactly by
/// [`fifo_tail`], which also gives the answered-only mean wait (not E(queue)/λ, which averages
/// all arrivals) and the service level (answered within t ÷ arrivals).
/// `None` on invalid input (as [`erlang_c`]; patience must be positive, not NaN).
pub fn erlang_a(
    lambda: f64,
    aht_s: f64,
    patience_s: f64,
    servers: u32,
    t_s: f64,
) -> Option<Figures> {
    if !valid(lambda, aht_s) || servers == 0 || patience_s.is_nan() || patience_s <= 0.0 {
        return None;
    }
    let n = f64::from(servers);
    let mu = 1.0 / aht_s;
    let theta = 1.0 / patience_s;
    if lambda == 0.0 {
        return erlang_c(0.0, aht_s, n, t_s);
    }
    let Some(tail) = fifo_tail(lambda, n * mu, theta, t_s) else {
        return Some(unstable(n));
    };
    // ln u_k = Σ_{j≤k} ln(λ/(jμ)), k = 0..N; the block k ≥ N weighs u_N·Z.
    let mut ln_u = Vec::with_capacity(servers as usize + 1);
    ln_u.push(0.0f64);
    for j in 1..=servers {
        let prev = ln_u[j as usize - 1];
        ln_u.push(prev + (lambda / (f64::from(j) * mu)).ln());
    }
    let ln_block = ln_u[servers as usize] + tail.ln_z;
    let top = ln_u[..servers as usize]
        .iter()
        .copied()
        .fold(ln_block, f64::max);
    let (mut total, mut busy) = (0.0f64, 0.0f64);
    for (k, l) in ln_u[..servers as usize].iter().enumerate() {
        let w = (l - top).exp();
        total += w;
        busy += k as f64 * w;
    }
    let block = (ln_block - top).exp();
    total += block;
    busy += n * block;
    let p_busy = block / total;
    Some(tail.figures(n, p_busy, busy / total / n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test oracles, independent of the code above: the textbook formulas, each computed the
    /// plain way (they were `stats::erlang_c` and `stats::erlang_a`, a second implementation,
    /// until issue 22 left one).
    mod oracle {
        /// Erlang C by the Erlang B recurrence: (P(wait), mean wait of all arrivals, SL(t)).
        pub(super) fn erlang_c(lambda: f64, aht: f64, n: u32, t: f64) -> (f64, f64, f64) {
            let a = lambda * aht;
            let mut b = 1.0;
            for k in 1..=n {
                b = a * b / (f64::from(k) + a * b);
            }
            let nf = f64::from(n);
            let c = nf * b / (nf - a * (1.0 - b));
            let gap = nf / aht - lambda;
            (c, c / gap, 1.0 - c * (-gap * t).exp())
        }

        /// Erlang A by the whole birth–death chain (birth λ, death min(k, N)·μ + max(k − N,
        /// 0)·θ) in log space, truncated 60 nats below the largest term past the mode:
        /// (P(wait), P(abandon), occupancy, mean wait of all arrivals = E(queue)/λ).
        pub(super) fn erlang_a(lambda: f64, aht: f64, patience: f64, n: u32) -> [f64; 4] {
            let (mu, theta, n) = (1.0 / aht, 1.0 / patience, u64::from(n));
            let (mut log_w, mut max_log) = (0.0f64, 0.0f64);
            let (mut total, mut busy, mut queue, mut waiting) = (1.0f64, 0.0, 0.0, 0.0);
            let mut k = 0u64;
            loop {
                k += 1;
                let served = k.min(n) as f64;
                let queued = k.saturating_sub(n) as f64;
                let death = served * mu + queued * theta;
                log_w += lambda.ln() - death.ln();
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
                if k >= n && death > lambda && log_w < max_log - 60.0 {
                    break;
                }
            }
            let mean_queue = queue / total;
            [
                waiting / total,
                theta * mean_queue / lambda,
                busy / total / n as f64,
                mean_queue / lambda,
            ]
        }
    }

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b} (± {tol})");
    }

    const LAMBDA: f64 = 300.0 / 3600.0;

    #[test]
    fn whole_erlang_c_matches_the_oracle() {
        for n in [9u32, 10, 12, 20, 2000] {
            let lambda = if n == 2000 { 19.0 } else { LAMBDA };
            let f = erlang_c(lambda, 100.0, f64::from(n), 20.0).unwrap();
            let (p_wait, wait, sl) = oracle::erlang_c(lambda, 100.0, n, 20.0);
            close(f.p_wait, p_wait, 1e-12);
            close(f.mean_wait_answered_s, wait, 1e-9);
            close(f.mean_wait_all_s, wait, 1e-9);
            close(f.service_level, sl, 1e-12);
        }
        // The reference figures of 300/h, 100 s, 10 agents (kept from `stats::erlang_c`).
        let f = erlang_c(LAMBDA, 100.0, 10.0, 20.0).unwrap();
        close(f.p_wait, 0.4876, 5e-4);
        close(f.mean_wait_all_s, 29.26, 5e-3);
        close(f.occupancy, 0.8333, 5e-4);
        close(f.service_level, 0.6506, 5e-4);
    }

    /// The edges `stats::erlang_c` held, now held here: invalid input is `None`, A = N is
    /// unstable, no arrivals wait for nothing, one server is M/M/1 (P(wait) = ρ, W = ρ/(μ − λ)).
    #[test]
    fn erlang_c_edges() {
        assert_eq!(erlang_c(LAMBDA, 100.0, 0.0, 20.0), None);
        assert_eq!(erlang_c(-1.0, 100.0, 1.0, 20.0), None);
        assert_eq!(erlang_c(LAMBDA, 0.0, 1.0, 20.0), None);
        let c = erlang_c(1.0, 10.0, 10.0, 20.0).unwrap(); // A = N
        assert!(!c.stable && c.mean_wait_all_s.is_infinite());
        assert_eq!((c.p_wait, c.occupancy, c.service_level), (1.0, 1.0, 0.0));
        let c = erlang_c(0.0, 10.0, 3.0, 20.0).unwrap();
        assert_eq!((c.p_wait, c.mean_wait_all_s), (0.0, 0.0));
        let c = erlang_c(0.5, 1.0, 1.0, 20.0).unwrap();
        close(c.p_wait, 0.5, 1e-12);
        close(c.mean_wait_all_s, 1.0, 1e-12);
    }

    /// Erlang A against the whole chain, from light load to twice overloaded and to 2,000
    /// agents, and the flow balance every model must keep: busy servers = λ(1 − P(ab))·E[S].
    #[test]
    fn erlang_a_matches_the_whole_chain() {
        for (lambda, patience, n) in [
            (LAMBDA, 120.0, 10u32),
            (600.0 / 3600.0, 120.0, 10),
            (0.2, 60.0, 10),
            (19.0, 120.0, 2000),
        ] {
            let f = erlang_a(lambda, 100.0, patience, n, 20.0).unwrap();
            let [p_wait, p_abandon, occupancy, wait_all] =
                oracle::erlang_a(lambda, 100.0, patience, n);
            close(f.p_wait, p_wait, 1e-9);
            close(f.p_abandon, p_abandon, 1e-9);
            close(f.occupancy, occupancy, 1e-9);
            close(f.mean_wait_all_s, wait_all, 1e-6 * wait_all.max(1.0));
            close(
                f.occupancy * f64::from(n),
                lambda * (1.0 - f.p_abandon) * 100.0,
                1e-6,
            );
        }
        // The reference figures of 300/h, 100 s, 10 agents, 2-minute patience.
        let f = erlang_a(LAMBDA, 100.0, 120.0, 10, 20.0).unwrap();
        close(f.occupancy, 0.7842, 5e-4);
        // Twice overloaded, the fluid limit: the excess λ − Nμ abandons, 1 − Nμ/λ = 0.5.
        let f = erlang_a(0.2, 100.0, 60.0, 10, 20.0).unwrap();
        assert!(f.p_wait > 0.95 && f.occupancy > 0.99, "{f:?}");
        close(f.p_abandon, 0.5, 0.01);
        assert_eq!(erlang_a(LAMBDA, 100.0, 0.0, 10, 20.0), None);
    }

    #[test]
    fn incomplete_gamma_extension_agrees_at_whole_numbers() {
        // the continuous formula, evaluated at whole x, against the recurrence
        for (a, n) in [(8.333, 10u32), (5.5, 12), (150.0, 170), (1900.0, 2000)] {
            let q = statrs::function::gamma::gamma_ur(f64::from(n) + 1.0, a);
            let cont = (f64::from(n) * a.ln()
                - a
                - statrs::function::gamma::ln_gamma(f64::from(n) + 1.0)
                - q.ln())
            .exp();
            let rec = erlang_b(a, f64::from(n));
            close(cont / rec, 1.0, 1e-9);
        }
    }

    #[test]
    fn fractional_erlang_c_is_monotone_between_whole_numbers() {
        let at = |x: f64| erlang_c(LAMBDA, 100.0, x, 20.0).unwrap();
        let mut last = at(9.0);
        let mut x = 9.0;
        while x < 14.0 {
            x += 0.05;
            let f = at(x);
            assert!(f.p_wait < last.p_wait, "P(wait) must fall: {x}");
            assert!(f.mean_wait_all_s < last.mean_wait_all_s, "{x}");
            assert!(f.service_level > last.service_level, "{x}");
            last = f;
        }
        // 13.5 lies strictly between 13 and 14, continuously close to both ends
        let (lo, mid, hi) = (at(13.0), at(13.5), at(14.0));
        assert!(hi.p_wait < mid.p_wait && mid.p_wait < lo.p_wait);
        close(at(13.0 + 1e-9).p_wait, lo.p_wait, 1e-7);
        close(at(14.0 - 1e-9).p_wait, hi.p_wait, 1e-7);
    }

    #[test]
    fn erlang_a_issue_12_example() {
        // 600/h, 100 s, 10 agents, 2-minute patience (issue 12 item 4; a Ciw run gave 57.06 s)
        let f = erlang_a(600.0 / 3600.0, 100.0, 120.0, 10, 20.0).unwrap();
        close(f.mean_wait_all_s, 48.27, 0.005);
        close(f.mean_wait_answered_s, 57.06, 0.005);
        let [p_wait, p_abandon, occupancy, wait_all] =
            oracle::erlang_a(600.0 / 3600.0, 100.0, 120.0, 10);
        close(f.p_wait, p_wait, 1e-10);
        close(f.p_abandon, p_abandon, 1e-10);
        close(f.occupancy, occupancy, 1e-10);
        close(f.mean_wait_all_s, wait_all, 1e-8);
    }

    #[test]
    fn erlang_a_reference_and_limits() {
        let f = erlang_a(LAMBDA, 100.0, 120.0, 10, 20.0).unwrap();
        close(f.p_wait, 0.3366, 5e-4);
        close(f.p_abandon, 0.0589, 5e-4);
        // answered within t is below P(no wait) + P(wait) and above P(no wait)
        assert!(f.service_level > 1.0 - f.p_wait && f.service_level < 1.0);
        // infinite patience is Erlang C, including the answered-only wait and service level
        let a = erlang_a(LAMBDA, 100.0, f64::INFINITY, 10, 20.0).unwrap();
        let c = erlang_c(LAMBDA, 100.0, 10.0, 20.0).unwrap();
        close(a.p_wait, c.p_wait, 1e-10);
        close(a.mean_wait_answered_s, c.mean_wait_answered_s, 1e-8);
        close(a.service_level, c.service_level, 1e-10);
        // very long patience tends to it
        let a = erlang_a(LAMBDA, 100.0, 1e8, 10, 20.0).unwrap();
        close(a.service_level, c.service_level, 1e-5);
        // unstable without abandonment
        let u = erlang_c(0.2, 100.0, 10.0, 20.0).unwrap();
        assert!(!u.stable && u.mean_wait_all_s.is_infinite());
        // thousands of agents, overloaded: finite and consistent
        let big = erlang_a(40.0, 100.0, 120.0, 2000, 20.0).unwrap();
        close(
            big.occupancy * 2000.0,
            40.0 * (1.0 - big.p_abandon) * 100.0,
            1e-6,
        );
        assert!(big.mean_wait_answered_s.is_finite());
    }
}
