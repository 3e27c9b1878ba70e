//! Maximum-likelihood fits of exponential, lognormal and gamma distributions to durations in
//! seconds, with right-censored observations (a customer answered after waiting `w` had a
//! patience above `w`), AIC and the Kolmogorov–Smirnov statistic.
//!
//! Uncensored fits are closed form (exponential, lognormal) or a Newton iteration on the gamma
//! shape (`ln k − ψ(k) = ln x̄ − mean(ln x)`, Choi–Wette start). With censoring, the exponential
//! stays closed form (Σ times ÷ events) and the two-parameter families maximize
//! `Σ ln f(events) + Σ ln S(censored)` by Nelder–Mead over log-parameters, started at the
//! uncensored fit of all times. Special functions and CDFs are `statrs`'s. The KS statistic
//! compares the fitted CDF with the empirical CDF (Kaplan–Meier when censored).

use statrs::distribution::{Continuous, ContinuousCDF, Exp, Gamma, LogNormal};
use statrs::function::gamma::digamma;

/// Smallest duration used (s): a zero duration has no log.
const FLOOR_S: f64 = 1e-3;

/// A fitted family.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Family {
    /// Mean `mean`.
    Exponential {
        /// Mean (s).
        mean: f64,
    },
    /// `ln X ~ N(mu, sigma²)`.
    Lognormal {
        /// Mean of ln X.
        mu: f64,
        /// Sd of ln X.
        sigma: f64,
    },
    /// Shape `k`, scale `theta`.
    Gamma {
        /// Shape.
        k: f64,
        /// Scale (s).
        theta: f64,
    },
}

/// One candidate's result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// The fitted distribution.
    pub family: Family,
    /// Its log-likelihood at the fit.
    pub log_likelihood: f64,
    /// `2·parameters − 2·log-likelihood`.
    pub aic: f64,
    /// Kolmogorov–Smirnov statistic against the (Kaplan–Meier) empirical CDF.
    pub ks: f64,
}

impl Family {
    /// The family's name as in `fit.json` and scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Family::Exponential { .. } => "exponential",
            Family::Lognormal { .. } => "lognormal",
            Family::Gamma { .. } => "gamma",
        }
    }

    /// Mean and standard deviation of the distribution (s).
    pub fn mean_sd(&self) -> (f64, f64) {
        match *self {
            Family::Exponential { mean } => (mean, mean),
            Family::Lognormal { mu, sigma } => {
                let m = (mu + sigma * sigma / 2.0).exp();
                (m, m * ((sigma * sigma).exp() - 1.0).sqrt())
            }
            Family::Gamma { k, theta } => (k * theta, k.sqrt() * theta),
        }
    }

    fn params(&self) -> f64 {
        match self {
            Family::Exponential { .. } => 1.0,
            _ => 2.0,
        }
    }

    /// `(ln f(x), ln S(x))`.
    fn ln_pdf_sf(&self, x: f64) -> (f64, f64) {
        match *self {
            Family::Exponential { mean } => (-mean.ln() - x / mean, -x / mean),
            Family::Lognormal { mu, sigma } => match LogNormal::new(mu, sigma) {
                Ok(d) => (d.ln_pdf(x), d.sf(x).max(1e-300).ln()),
                Err(_) => (f64::NEG_INFINITY, f64::NEG_INFINITY),
            },
            Family::Gamma { k, theta } => match Gamma::new(k, 1.0 / theta) {
                Ok(d) => (d.ln_pdf(x), d.sf(x).max(1e-300).ln()),
                Err(_) => (f64::NEG_INFINITY, f64::NEG_INFINITY),
            },
        }
    }

    /// The CDF at `x`.
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Family::Exponential { mean } => Exp::new(1.0 / mean).map_or(f64::NAN, |d| d.cdf(x)),
            Family::Lognormal { mu, sigma } => {
                LogNormal::new(mu, sigma).map_or(f64::NAN, |d| d.cdf(x))
            }
            Family::Gamma { k, theta } => Gamma::new(k, 1.0 / theta).map_or(f64::NAN, |d| d.cdf(x)),
        }
    }

    /// The density at `x`.
    pub fn pdf(&self, x: f64) -> f64 {
        self.ln_pdf_sf(x).0.exp()
    }
}

/// Durations to fit: exact `events` and right-censored `censored` (the value is a lower bound).
#[derive(Clone, Debug, Default)]
pub struct Sample {
    /// Observed values (s).
    pub events: Vec<f64>,
    /// Lower bounds (s); zero bounds carry no information and may be left out.
    pub censored: Vec<f64>,
}

impl Sample {
    fn log_likelihood(&self, f: &Family) -> f64 {
        let mut ll = 0.0;
        for &x in &self.events {
            ll += f.ln_pdf_sf(x.max(FLOOR_S)).0;
        }
        for &c in &self.censored {
            if c > 0.0 {
                ll += f.ln_pdf_sf(c).1;
            }
        }
        ll
    }
}

/// Fits the three families; `None` without any event. With fewer than two distinct event
/// values only the exponential: a two-parameter family has no spread to fit there (one
/// abandonment among answered waits gave a lognormal of sd 0.001 s at that abandonment's
/// wait, its likelihood unbounded, so every simulated customer abandoned at exactly 45 s).
pub fn fit_all(s: &Sample) -> Option<Vec<Candidate>> {
    let &first = s.events.first()?;
    if s.events.iter().all(|x| (x - first).abs() <= 1e-9) {
        let total: f64 = s.events.iter().sum::<f64>() + s.censored.iter().sum::<f64>();
        let f = Family::Exponential {
            mean: (total / s.events.len() as f64).max(FLOOR_S),
        };
        let ll = s.log_likelihood(&f);
        return Some(vec![Candidate {
            family: f,
            log_likelihood: ll,
            aic: 2.0 * f.params() - 2.0 * ll,
            ks: ks(s, &f),
        }]);
    }
    let logs: Vec<f64> = s.events.iter().map(|x| x.max(FLOOR_S).ln()).collect();
    let n = logs.len() as f64;
    let total: f64 = s.events.iter().sum::<f64>() + s.censored.iter().sum::<f64>();
    let exp = Family::Exponential {
        mean: (total / n).max(FLOOR_S),
    };
    // Uncensored closed forms (the start points when censored).
    let mu = logs.iter().sum::<f64>() / n;
    let sigma = (logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / n)
        .sqrt()
        .max(1e-6);
    let mean = s.events.iter().map(|x| x.max(FLOOR_S)).sum::<f64>() / n;
    let k = gamma_shape(mean.ln() - mu);
    let mut lognormal = Family::Lognormal { mu, sigma };
    let mut gamma = Family::Gamma { k, theta: mean / k };
    if s.censored.iter().any(|c| *c > 0.0) {
        lognormal = nelder_mead(
            [mu, sigma.ln()],
            |p| Family::Lognormal {
                mu: p[0],
                sigma: p[1].exp(),
            },
            s,
        );
        gamma = nelder_mead(
            [k.ln(), (mean / k).ln()],
            |p| Family::Gamma {
                k: p[0].exp().min(MAX_GAMMA_SHAPE),
                theta: p[1].exp(),
            },
            s,
        );
    }
    Some(
        [exp, lognormal, gamma]
            .into_iter()
            .map(|f| {
                let ll = s.log_likelihood(&f);
                Candidate {
                    family: f,
                    log_likelihood: ll,
                    aic: 2.0 * f.params() - 2.0 * ll,
                    ks: ks(s, &f),
                }
            })
            .collect(),
    )
}

/// The value of a sample without spread: every event equal (within 1e-9 s) and nothing
/// censored, e.g. a history whose every wrap-up is 0. No family is fitted to such a sample
/// (the lognormal's σ collapses and its "best" fit is a point mass dressed as a
/// distribution): `fit` writes it as a constant (`None` otherwise).
pub fn constant(s: &Sample) -> Option<f64> {
    let &first = s.events.first()?;
    (s.censored.iter().all(|c| *c <= 0.0) && s.events.iter().all(|x| (x - first).abs() <= 1e-9))
        .then_some(first.max(0.0))
}

/// AIC differences up to this have "substantial support" (Burnham & Anderson, *Model
/// Selection and Multimodel Inference*, 2nd ed., 2002, §2.6): the data cannot tell such
/// candidates apart.
pub const AIC_TIE: f64 = 2.0;

/// The chosen candidate: the one with the fewest parameters among those within [`AIC_TIE`]
/// of the lowest AIC (then the lowest AIC among those). On a large history the families'
/// AICs differ by far more, so this is the lowest-AIC one; on a small one (a day's 20
/// abandonments) a two-parameter family that the data cannot tell from the exponential would
/// otherwise set the mean by its tail, far beyond any wait seen (a lognormal patience mean of
/// 406 s beside the exponential's 141 s from 27 abandonments of a true 180 s).
/// `None` for no candidates.
pub fn best(c: &[Candidate]) -> Option<&Candidate> {
    let low = c.iter().map(|x| x.aic).min_by(f64::total_cmp)?;
    c.iter().filter(|x| x.aic <= low + AIC_TIE).min_by(|a, b| {
        (a.family.params().total_cmp(&b.family.params())).then(a.aic.total_cmp(&b.aic))
    })
}

/// Gamma shape MLE from `s = ln(mean) − mean(ln x)`: Choi–Wette start, then Newton steps on
/// `ln k − ψ(k) = s` (ψ′ by a central difference of statrs's digamma).
fn gamma_shape(s: f64) -> f64 {
    if s <= 1e-12 {
        return MAX_GAMMA_SHAPE;
    }
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..50 {
        let f = k.ln() - digamma(k) - s;
        let h = 1e-5 * k;
        let trigamma = (digamma(k + h) - digamma(k - h)) / (2.0 * h);
        let step = f / (1.0 / k - trigamma);
        let next = (k - step).max(k / 10.0);
        if (next - k).abs() < 1e-10 * k {
            return next.min(MAX_GAMMA_SHAPE);
        }
        k = next;
    }
    k.min(MAX_GAMMA_SHAPE)
}

/// The largest gamma shape fitted: a coefficient of variation of 1%, narrower than any real
/// duration's spread. Identical durations (all waits 30 s) would otherwise drive the shape to
/// 10⁶, where each incomplete-gamma evaluation takes ~10⁶ steps and `fit` seemed to hang.
const MAX_GAMMA_SHAPE: f64 = 1e4;

/// Maximizes the censored log-likelihood over two unconstrained parameters.
fn nelder_mead(start: [f64; 2], make: impl Fn([f64; 2]) -> Family, s: &Sample) -> Family {
    let cost = |p: [f64; 2]| {
        let v = -s.log_likelihood(&make(p));
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let mut pts = [
        start,
        [start[0] + 0.1, start[1]],
        [start[0], start[1] + 0.1],
    ];
    let mut vals = pts.map(cost);
    for _ in 0..400 {
        let mut idx = [0usize, 1, 2];
        idx.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        let (b, m, w) = (idx[0], idx[1], idx[2]);
        if (vals[w] - vals[b]).abs() < 1e-10 * (1.0 + vals[b].abs()) {
            break;
        }
        let c = [(pts[b][0] + pts[m][0]) / 2.0, (pts[b][1] + pts[m][1]) / 2.0];
        let at = |t: f64| [c[0] + t * (pts[w][0] - c[0]), c[1] + t * (pts[w][1] - c[1])];
        let r = at(-1.0);
        let fr = cost(r);
        if fr < vals[b] {
            let e = at(-2.0);
            let fe = cost(e);
            (pts[w], vals[w]) = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < vals[m] {
            (pts[w], vals[w]) = (r, fr);
        } else {
            let k = at(0.5);
            let fk = cost(k);
            if fk < vals[w] {
                (pts[w], vals[w]) = (k, fk);
            } else {
                for i in [m, w] {
                    pts[i] = [(pts[i][0] + pts[b][0]) / 2.0, (pts[i][1] + pts[b][1]) / 2.0];
                    vals[i] = cost(pts[i]);
                }
            }
        }
    }
    let b = (0..3)
        .min_by(|&a, &c| vals[a].total_cmp(&vals[c]))
        .unwrap_or(0);
    make(pts[b])
}

/// Kolmogorov–Smirnov distance between `f` and the empirical CDF of the sample (Kaplan–Meier
/// when some observations are censored), over the event times.
fn ks(s: &Sample, f: &Family) -> f64 {
    let mut all: Vec<(f64, bool)> = s
        .events
        .iter()
        .map(|&x| (x, true))
        .chain(s.censored.iter().map(|&c| (c, false)))
        .collect();
    // Events before censorings at the same time (the usual Kaplan–Meier convention).
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = all.len() as f64;
    let mut surv = 1.0;
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < all.len() {
        let t = all[i].0;
        let (mut events, mut leaving) = (0.0, 0.0);
        while i < all.len() && all[i].0 == t {
            events += all[i].1 as u8 as f64;
            leaving += 1.0;
            i += 1;
        }
        if events > 0.0 {
            let before = 1.0 - surv;
            surv *= 1.0 - events / at_risk;
            let fx = f.cdf(t.max(FLOOR_S));
            d = d.max((fx - before).abs()).max((1.0 - surv - fx).abs());
        }
        at_risk -= leaving;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Source};
    use rand_distr::Distribution;

    fn draws(d: impl Distribution<f64>, n: usize) -> Vec<f64> {
        let mut rng = stream(3, 0, Source::Other { tag: 9, index: 0 });
        (0..n).map(|_| d.sample(&mut rng)).collect()
    }

    #[test]
    fn recovers_each_family_and_picks_it_by_aic() {
        let n = 20_000;
        let cases: [(&str, Vec<f64>, f64); 3] = [
            (
                "exponential",
                draws(rand_distr::Exp::new(1.0 / 90.0).unwrap(), n),
                90.0,
            ),
            (
                "lognormal",
                draws(rand_distr::LogNormal::new(5.0, 0.6).unwrap(), n),
                (5.0f64 + 0.18).exp(),
            ),
            (
                "gamma",
                draws(rand_distr::Gamma::new(3.0, 40.0).unwrap(), n),
                120.0,
            ),
        ];
        for (name, xs, mean) in cases {
            let c = fit_all(&Sample {
                events: xs,
                censored: vec![],
            })
            .unwrap();
            let b = best(&c).unwrap();
            assert_eq!(b.family.name(), name, "{c:?}");
            let (m, _) = b.family.mean_sd();
            assert!((m - mean).abs() / mean < 0.03, "{name}: {m} vs {mean}");
            assert!(b.ks < 0.02, "{name}: ks {}", b.ks);
        }
    }

    fn candidate(family: Family, aic: f64) -> Candidate {
        Candidate {
            family,
            log_likelihood: 0.0,
            aic,
            ks: 0.0,
        }
    }

    /// Within 2 of the lowest AIC the fewest parameters win; beyond it the lowest AIC does.
    #[test]
    fn the_simplest_family_wins_when_the_data_cannot_tell_them_apart() {
        let exp = Family::Exponential { mean: 141.0 };
        let ln = Family::Lognormal {
            mu: 4.0,
            sigma: 1.5,
        };
        let ga = Family::Gamma {
            k: 0.5,
            theta: 180.0,
        };
        let tie = [
            candidate(exp, 323.1),
            candidate(ln, 321.5),
            candidate(ga, 322.7),
        ];
        assert_eq!(best(&tie).unwrap().family.name(), "exponential");
        let clear = [
            candidate(exp, 330.0),
            candidate(ln, 321.5),
            candidate(ga, 322.7),
        ];
        assert_eq!(best(&clear).unwrap().family.name(), "lognormal");
        // Two two-parameter families within the tie: the lower AIC.
        let two = [
            candidate(exp, 330.0),
            candidate(ln, 322.7),
            candidate(ga, 321.5),
        ];
        assert_eq!(best(&two).unwrap().family.name(), "gamma");
        assert!(best(&[]).is_none());
    }

    /// One abandonment (or several at one wait) among answered waits: the exponential only.
    #[test]
    fn one_distinct_event_fits_only_the_exponential() {
        for events in [vec![45.0], vec![45.0, 45.0]] {
            let s = Sample {
                events,
                censored: (0..39).map(|i| i as f64).collect(),
            };
            let c = fit_all(&s).unwrap();
            assert_eq!(c.len(), 1, "{c:?}");
            assert_eq!(best(&c).unwrap().family.name(), "exponential");
        }
    }

    #[test]
    fn censored_patience_is_recovered_where_the_naive_mean_is_biased() {
        // Patience exponential mean 120 s; each customer is answered after a uniform 0–240 s
        // wait if that comes first (censored), else abandons (an event).
        let p = draws(rand_distr::Exp::new(1.0 / 120.0).unwrap(), 20_000);
        let w = draws(rand_distr::Uniform::new(0.0, 240.0).unwrap(), 20_000);
        let mut s = Sample::default();
        for (p, w) in p.into_iter().zip(w) {
            if p < w {
                s.events.push(p);
            } else {
                s.censored.push(w);
            }
        }
        let naive = s.events.iter().sum::<f64>() / s.events.len() as f64;
        assert!(naive < 90.0, "{naive}");
        let c = fit_all(&s).unwrap();
        let e = c[0].family.mean_sd().0;
        assert!((e - 120.0).abs() < 6.0, "{e}");
        // The lognormal and gamma fits see the same data; gamma nests the exponential (k = 1).
        let Family::Gamma { k, .. } = c[2].family else {
            panic!()
        };
        assert!((k - 1.0).abs() < 0.1, "{k}");
        assert!(c[0].ks < 0.02, "{}", c[0].ks);
    }

    /// Identical durations (every wait 30 s, two of them abandonments) fit at once: the gamma
    /// shape stops at its cap instead of 10⁶ (where `fit` took minutes per queue).
    #[test]
    fn identical_durations_fit_quickly_with_a_capped_gamma_shape() {
        let s = Sample {
            events: vec![30.0, 30.0],
            censored: vec![30.0; 200],
        };
        let c = fit_all(&s).unwrap();
        for cand in &c {
            if let Family::Gamma { k, .. } = cand.family {
                assert!(k <= MAX_GAMMA_SHAPE, "{k}");
            }
        }
        assert!(best(&c).is_some());
    }
}
