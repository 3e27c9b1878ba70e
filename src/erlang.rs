//! The math of `omnisim erlang`: steady-state figures of a single queue under Erlang C (M/M/N,
//! fractional N allowed), Erlang A (M/M/N+M) and the multi-chat model (N agents × K slots,
//! concurrency slowdown, exponential patience), each labelled with whom it averages.
//!
//! Key items: [`Figures`] (one model's figures), [`erlang_c`] (any real N > 0),
//! [`erlang_a`], [`chat::solve`] → [`chat::Chat`], [`fewest_agents`] (the one search for the
//! fewest agents meeting a target: `erlang --target-sl`, `staff`'s model), [`erlang_c_agents`].
//!
//! Rates are per second and durations in seconds (`f64`). Two mean waits are kept apart
//! everywhere: `mean_wait_answered_s` averages the conversations that were answered (the
//! simulator's `wait_s.mean`, "ASA"; zero waits included) and `mean_wait_all_s` averages every
//! arrival, the abandoned ones up to their abandonment (= E(queue)/λ by Little's law).
//!
//! The queue part is shared by all three models: a customer can only wait when every server
//! (slot) is busy, and then the total completion rate is a constant `c` (Nμ, or N·K·μ/s_K for
//! chat). [`fifo_tail`] turns the probability of that all-busy, empty-queue state into the
//! exact waiting figures (see its docs).
//!
//! ```
//! use omnisim::erlang::erlang_a;
//! // issue 12's example: 600/h, 100 s handling, 10 agents, 2-minute mean patience
//! let f = erlang_a(600.0 / 3600.0, 100.0, 120.0, 10, 20.0).unwrap();
//! assert!((f.mean_wait_all_s - 48.27).abs() < 0.005);
//! assert!((f.mean_wait_answered_s - 57.06).abs() < 0.005);
//! ```

pub mod chat;
mod classic;
mod search;

pub use classic::{erlang_a, erlang_b, erlang_c};
pub use search::{erlang_c_agents, fewest_agents, MAX_AGENTS};

/// One model's steady-state figures for one queue.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Figures {
    /// Agents the figures are for (fractional only under Erlang C).
    pub agents: f64,
    /// False when the load cannot be carried (no abandonment and offered load ≥ capacity):
    /// the waits are then infinite (`null` in JSON) and the service level 0.
    pub stable: bool,
    /// Probability an arrival waits (finds every server, or slot, busy).
    pub p_wait: f64,
    /// Probability an arrival abandons.
    pub p_abandon: f64,
    /// Mean wait of answered conversations, seconds (zero waits included; "ASA").
    #[serde(serialize_with = "finite_or_null")]
    pub mean_wait_answered_s: f64,
    /// Mean wait over all arrivals (abandoned ones until they left), seconds.
    #[serde(serialize_with = "finite_or_null")]
    pub mean_wait_all_s: f64,
    /// Answered within the threshold ÷ all arrivals (the contract's default definition,
    /// answered within ÷ (answered + abandoned), in steady state).
    pub service_level: f64,
    /// Busy servers ÷ servers (for chat: chats in progress ÷ slots).
    pub occupancy: f64,
}

fn finite_or_null<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(*x)
    } else {
        s.serialize_none()
    }
}

/// The waiting figures of the all-busy block of a chain, conditional on being in it (see
/// [`fifo_tail`]): "all busy" means every server or slot busy, with any queue length.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tail {
    /// ln Z, Z = Σ_q w_q = P(all busy) ÷ P(all busy, queue empty).
    pub ln_z: f64,
    /// E[queue length | all busy].
    pub queue: f64,
    /// P(abandon | arrival finds all busy).
    pub abandon: f64,
    /// E[wait · 1{answered} | arrival finds all busy], seconds.
    pub wait_answered: f64,
    /// E[wait | arrival finds all busy], seconds (answered or not).
    pub wait_all: f64,
    /// P(answered within the threshold | arrival finds all busy).
    pub answered_within: f64,
    /// Queue lengths kept (the rest of the tail is below 1e-17 of the largest term);
    /// `usize::MAX` when θ = 0 (closed forms, nothing truncated).
    pub kept: usize,
}

impl Tail {
    /// The model's figures given π_F = P(all busy) (= P(wait), by PASTA) and the occupancy.
    pub fn figures(&self, agents: f64, p_busy: f64, occupancy: f64) -> Figures {
        let p_abandon = p_busy * self.abandon;
        Figures {
            agents,
            stable: true,
            p_wait: p_busy,
            p_abandon,
            mean_wait_answered_s: p_busy * self.wait_answered / (1.0 - p_abandon),
            mean_wait_all_s: p_busy * self.wait_all,
            service_level: (1.0 - p_busy) + p_busy * self.answered_within,
            occupancy,
        }
    }
}

/// The figures of a model whose load cannot be carried (θ = 0, λ ≥ capacity).
pub fn unstable(agents: f64) -> Figures {
    Figures {
        agents,
        stable: false,
        p_wait: 1.0,
        p_abandon: 0.0,
        mean_wait_answered_s: f64::INFINITY,
        mean_wait_all_s: f64::INFINITY,
        service_level: 0.0,
        occupancy: 1.0,
    }
}

/// Relative size below which the tail's terms are dropped.
const TAIL_EPS: f64 = 1e-17;
/// The most queue positions [`fifo_tail`] keeps.
const MAX_TAIL: usize = 20_000_000;

/// The exact waiting figures of a FIFO queue in front of servers whose total completion rate,
/// while all are busy, is the constant `c` (per second), with Poisson arrivals at `lambda` and
/// exponential patience of rate `theta` (0: none), for the threshold `t_s`.
///
/// Queue lengths q > 0 exist only in
/// the all-busy state, and the cut between q and q + 1 gives p_q = p₀·w_q (p₀ = P(all busy, queue empty)) with
/// w_q = Π_{i=1..q} λ/(c + iθ). By PASTA an arrival sees q with probability p_q and takes queue
/// position p = q + 1. At position i the customer moves up at rate c + (i − 1)θ (a completion
/// or an abandonment ahead) and abandons at rate θ, so it stays an Exp(c + iθ) time there,
/// independent of where it goes next (Gross & Harris, *Fundamentals of Queueing Theory*, 4th ed.,
/// §2.3 and §2.10; Garnett, Mandelbaum & Reiman 2002, "Designing a call center with impatient
/// customers"). Hence P(answered | p) = Π_{i≤p} (c + (i−1)θ)/(c + iθ),
/// E[W·1{answered} | p] = P(answered | p)·Σ_{i≤p} 1/(c + iθ), and the wait of an answered
/// customer is the sum of those Exp(c + iθ) times, whose distribution up to `t_s` is computed by
/// uniformization of the position chain (Jensen's method; Stewart, *Introduction to the
/// Numerical Solution of Markov Chains*, 1994, §8.4), the Poisson weights truncated below 1e-16.
/// With θ = 0 the tail is geometric and closed forms are used (Erlang C's).
///
/// The tail is kept until, past its mode, a term falls below 1e-17 of the largest (or 20
/// million positions). `None` when θ = 0 and λ ≥ c (no steady state), or on non-finite input.
pub fn fifo_tail(lambda: f64, c: f64, theta: f64, t_s: f64) -> Option<Tail> {
    if !(lambda.is_finite() && c.is_finite() && c > 0.0 && lambda >= 0.0 && theta >= 0.0) {
        return None;
    }
    if theta == 0.0 || !theta.is_finite() {
        if theta != 0.0 {
            return None;
        }
        let rho = lambda / c;
        if rho >= 1.0 {
            return None;
        }
        // Given all busy, the queue is geometric: E[q] = ρ/(1 − ρ), the wait Exp(c − λ).
        let w = 1.0 / (c - lambda);
        return Some(Tail {
            ln_z: -(1.0 - rho).ln(),
            queue: rho / (1.0 - rho),
            abandon: 0.0,
            wait_answered: w,
            wait_all: w,
            answered_within: 1.0 - (-(c - lambda) * t_s.max(0.0)).exp(),
            kept: usize::MAX,
        });
    }
    // Weights w_q in log space, rescaled by the largest so overloaded centers do not overflow.
    let mut ln_w = vec![0.0f64];
    let mut max_ln = 0.0f64;
    let ln_lambda = lambda.ln();
    for q in 1..MAX_TAIL {
        let rate = c + q as f64 * theta;
        let next = ln_w[q - 1] + ln_lambda - rate.ln();
        ln_w.push(next);
        max_ln = max_ln.max(next);
        if rate > lambda && next < max_ln + TAIL_EPS.ln() {
            break;
        }
    }
    // w_q = exp(ln_w − max)·e^{max}; the conditional figures do not need e^{max}.
    let w: Vec<f64> = ln_w.iter().map(|l| (l - max_ln).exp()).collect();
    let (mut z, mut queue, mut abandon, mut wait_answered, mut wait_all) =
        (0.0, 0.0, 0.0, 0.0, 0.0);
    // Walk positions p = 1, 2, … keeping P(answered | p) and Σ 1/(c + iθ) as running products.
    let (mut p_ans, mut sum_inv) = (1.0f64, 0.0f64);
    // E[W | p] = Σ_{i≤p} P(reach i | p)/(c + iθ), with P(reach i | p) = p_ans(p)/p_ans(i).
    let mut e_all = 0.0f64; // E[W | p] built by the recursion E_p = 1/r_p + (c+(p−1)θ)/r_p·E_{p−1}
    for (q, &wq) in w.iter().enumerate() {
        let p = (q + 1) as f64;
        let r = c + p * theta;
        let up = (c + (p - 1.0) * theta) / r;
        p_ans *= up;
        sum_inv += 1.0 / r;
        e_all = 1.0 / r + up * e_all;
        z += wq;
        queue += q as f64 * wq;
        abandon += wq * (1.0 - p_ans);
        wait_answered += wq * p_ans * sum_inv;
        wait_all += wq * e_all;
    }
    let within = answered_within(c, theta, &w, t_s);
    Some(Tail {
        ln_z: z.ln() + max_ln,
        queue: queue / z,
        abandon: abandon / z,
        wait_answered: wait_answered / z,
        wait_all: wait_all / z,
        answered_within: within / z,
        kept: w.len(),
    })
}

/// Σ_q w_q·P(answered within t | position q + 1), by uniformization of the position chain.
fn answered_within(c: f64, theta: f64, w: &[f64], t_s: f64) -> f64 {
    let t = t_s.max(0.0);
    if t == 0.0 || w.is_empty() {
        return 0.0;
    }
    let positions = w.len();
    let big = c + positions as f64 * theta; // the fastest leaving rate
    let lt = big * t;
    // v[i] = mass at position i + 1; served = mass answered so far (after k jumps).
    let mut v = w.to_vec();
    let start: f64 = w.iter().sum();
    let mut drained = false;
    let mut served = 0.0f64;
    // Poisson(lt) weights in log space: ln P(k) = −lt + k ln lt − ln k!.
    let ln_lt = lt.ln();
    let mut ln_fact = 0.0f64;
    let (mut total, mut weight) = (0.0f64, 0.0f64);
    let k_max = (lt + 12.0 * lt.sqrt() + 40.0).ceil() as usize;
    for k in 0..=k_max {
        if k > 0 {
            ln_fact += (k as f64).ln();
        }
        // Once the mass still waiting is negligible, `served` is final: skip the jumps.
        if k % 64 == 0 && !drained {
            drained = v.iter().sum::<f64>() < 1e-18 * start;
        }
        if k > 0 && !drained {
            // one uniformized jump
            served += v[0] * c / big;
            for i in 0..positions {
                let r = c + (i + 1) as f64 * theta;
                let stay = v[i] * (1.0 - r / big);
                let from_behind = if i + 1 < positions {
                    v[i + 1] * (c + (i + 1) as f64 * theta) / big
                } else {
                    0.0
                };
                v[i] = stay + from_behind;
            }
        }
        let pk = (-lt + k as f64 * ln_lt - ln_fact).exp();
        total += pk * served;
        weight += pk;
        // Past the mode the Poisson tail after k is below p_k·x/(1 − x), x = lt/(k + 1).
        let x = lt / (k + 1) as f64;
        if x < 1.0 && pk * x / (1.0 - x) < 1e-17 {
            break;
        }
    }
    // The weights left out (past the break, or past k_max = lt + 12√lt + 40) are below 1e-16;
    // dividing by the weights' computed sum cancels the rounding of ln k! they share (as Fox &
    // Glynn 1988, "Computing Poisson probabilities", normalize).
    total / weight
}

/// The most work [`fifo_tail`] may take: queue positions × uniformization jumps (see
/// [`tail_work`]). Beyond it `omnisim erlang` exits 2 rather than compute for minutes: at about
/// 10⁸ steps one evaluation takes a fraction of a second (release build), and a search makes a
/// few dozen.
pub const MAX_TAIL_WORK: f64 = 1e8;

/// An upper estimate of [`fifo_tail`]'s work for arrivals `lambda`, all-busy completion rate
/// `c` and abandonment rate `theta` per waiting customer (per second), threshold `t_s`: the
/// positions it keeps (up to where the weights fall below 10⁻¹⁷ of the largest, past the
/// balance point (λ − c)/θ by about √(78 λ/θ)) times the Poisson jumps over `t_s` at the fastest
/// leaving rate. 0 without abandonment (the closed geometric form).
pub fn tail_work(lambda: f64, c: f64, theta: f64, t_s: f64) -> f64 {
    if theta <= 0.0 || !theta.is_finite() {
        return 0.0;
    }
    let positions = ((lambda - c) / theta).max(0.0) + (78.0 * lambda / theta).sqrt() + 1.0;
    let lt = (c + positions * theta) * t_s.max(0.0);
    positions * (lt + 12.0 * lt.sqrt() + 40.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b} (± {tol})");
    }

    #[test]
    fn tail_means_agree_with_little() {
        // E[W over all] = E[queue]/λ and P(abandon) = θ·E[queue]/λ, both relative to p₀.
        let (lambda, c, theta) = (0.5, 0.4, 1.0 / 30.0);
        let t = fifo_tail(lambda, c, theta, 20.0).unwrap();
        // conditional on all busy: E[W] = E[q | busy]/λ (PASTA + Little on the queue)
        close(t.wait_all, t.queue / lambda, 1e-9 * t.wait_all);
        close(t.abandon, theta * t.queue / lambda, 1e-9 * t.abandon);
    }

    #[test]
    fn tail_service_level_by_hand_for_one_position() {
        // Only q = 0 matters when λ is tiny: the wait is Exp(c + θ), answered with
        // probability c/(c + θ); P(answered within t) = c/(c+θ)·(1 − e^{−(c+θ)t}).
        let (c, theta, t) = (0.1, 0.05, 10.0);
        let tail = fifo_tail(1e-12, c, theta, t).unwrap();
        close(
            tail.answered_within,
            c / (c + theta) * (1.0 - (-(c + theta) * t).exp()),
            1e-9,
        );
        close(tail.wait_answered, c / (c + theta) / (c + theta), 1e-9);
    }

    #[test]
    fn uniformization_matches_the_hypoexponential_cdf() {
        // All mass at position 2: answered with probability c/(c + 2θ), after an
        // Exp(c + 2θ) then an Exp(c + θ) stay, whose sum has the two-rate hypoexponential CDF
        // 1 − (r₂e^{−r₁t} − r₁e^{−r₂t})/(r₂ − r₁).
        let (c, theta, t) = (0.3f64, 0.05f64, 7.0f64);
        let (r1, r2) = (c + theta, c + 2.0 * theta);
        let cdf = 1.0 - (r2 * (-r1 * t).exp() - r1 * (-r2 * t).exp()) / (r2 - r1);
        let got = answered_within(c, theta, &[0.0, 1.0], t);
        close(got, c / (c + 2.0 * theta) * cdf, 1e-13);
        // a long threshold tends to P(answered)
        close(
            answered_within(c, theta, &[0.0, 1.0], 1e4),
            c / (c + 2.0 * theta),
            1e-12,
        );
    }

    #[test]
    fn tail_work_grows_with_rate_times_patience() {
        // No abandonment: the closed form, no work.
        assert_eq!(tail_work(1e6, 10.0, 0.0, 20.0), 0.0);
        // 10⁹ calls an hour, 10 agents of 100 s, 2-minute patience: far beyond the limit.
        let lambda = 1e9 / 3600.0;
        assert!(tail_work(lambda, 0.1, 1.0 / 120.0, 20.0) > 1e3 * MAX_TAIL_WORK);
        // issue 12's center (600/h, 10 agents, 2-minute patience): tiny.
        assert!(tail_work(600.0 / 3600.0, 0.1, 1.0 / 120.0, 20.0) < 1e5);
    }
}
