//! The cheapest set of shifts that covers a requirement per interval: a set-covering integer
//! program (Dantzig 1954, "A comment on Edie's traffic delays at toll booths", the origin of
//! shift-scheduling IPs), solved exactly with `good_lp` on its pure-Rust `microlp` backend.
//!
//! ```text
//! minimise   Σ_j cost_j · x_j
//! subject to Σ_{j covers i} x_j ≥ required_i   for every interval i
//!            0 ≤ x_j ≤ max_j,  x_j integer
//! ```
//!
//! A candidate *covers* an interval when the interval lies wholly inside the shift and overlaps
//! none of its breaks (an agent on break does not count toward coverage).

use good_lp::{
    constraint, microlp, variable, Expression, ProblemVariables, Solution, SolverModel, Variable,
};

use crate::time::SimTime;

/// One candidate shift: a template at one start time.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Index of its template.
    pub template: usize,
    /// On shift from.
    pub start: SimTime,
    /// Off shift at.
    pub end: SimTime,
    /// Breaks `[from, to)`, absolute.
    pub breaks: Vec<(SimTime, SimTime)>,
    /// Cost per agent.
    pub cost: f64,
    /// At most this many agents (`None`: no cap).
    pub max_agents: Option<u32>,
}

impl Candidate {
    /// Whether an agent on this shift works all of `[from, to)` (on shift, on no break).
    pub fn covers(&self, from: SimTime, to: SimTime) -> bool {
        self.start <= from
            && to <= self.end
            && self.breaks.iter().all(|&(b0, b1)| b1 <= from || to <= b0)
    }
}

/// Why no roster was found.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CoverError {
    /// Some interval needs agents and no candidate shift works all of it: add a template
    /// whose shifts cover it.
    #[error("no candidate shift covers the interval starting at {0} (needs agents): add a shift template that works through it")]
    Uncovered(SimTime),
    /// The caps (`max_agents`) leave too few agents for some interval: raise or drop them.
    #[error("the shifts' max_agents caps cannot cover every interval's requirement")]
    Infeasible,
    /// The solver failed for another reason.
    #[error("the integer program could not be solved: {0}")]
    Solver(String),
}

/// The least-cost agent counts per candidate (`x_j`, same order as `candidates`) covering
/// `required[i]` agents in every interval `[i·len, min((i+1)·len, end))` (`end`: the horizon, so
/// a last interval cut short by it needs no shift past it).
pub fn cheapest_cover(
    candidates: &[Candidate],
    required: &[u32],
    interval_ms: u64,
    end: SimTime,
) -> Result<Vec<u32>, CoverError> {
    let span = |i: usize| {
        (
            SimTime(i as u64 * interval_ms),
            SimTime((i as u64 + 1) * interval_ms).min(end),
        )
    };
    let covering: Vec<Vec<usize>> = (0..required.len())
        .map(|i| {
            let (a, b) = span(i);
            (0..candidates.len())
                .filter(|&j| candidates[j].covers(a, b))
                .collect()
        })
        .collect();
    for (i, c) in covering.iter().enumerate() {
        if required[i] > 0 && c.is_empty() {
            return Err(CoverError::Uncovered(span(i).0));
        }
    }
    let mut vars = ProblemVariables::new();
    let xs: Vec<Variable> = candidates
        .iter()
        .map(|c| {
            let v = variable().integer().min(0);
            vars.add(match c.max_agents {
                Some(m) => v.max(m),
                None => v,
            })
        })
        .collect();
    let objective: Expression = xs.iter().zip(candidates).map(|(x, c)| c.cost * *x).sum();
    let mut model = vars.minimise(objective).using(microlp);
    for (i, c) in covering.iter().enumerate() {
        if required[i] == 0 {
            continue;
        }
        let lhs: Expression = c.iter().map(|&j| xs[j]).sum();
        model = model.with(constraint!(lhs >= required[i] as f64));
    }
    let solution = model.solve().map_err(|e| match e {
        good_lp::ResolutionError::Infeasible => CoverError::Infeasible,
        other => CoverError::Solver(other.to_string()),
    })?;
    Ok(xs
        .iter()
        .map(|x| solution.value(*x).round().max(0.0) as u32)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = 3_600_000;

    fn cand(start_h: u64, len_h: u64, cost: f64, brk: Option<u64>) -> Candidate {
        Candidate {
            template: 0,
            start: SimTime(start_h * H),
            end: SimTime((start_h + len_h) * H),
            breaks: brk
                .map(|b| vec![(SimTime(b * H), SimTime((b + 1) * H))])
                .unwrap_or_default(),
            cost,
            max_agents: Some(6),
        }
    }

    fn total(c: &[Candidate], x: &[u32]) -> f64 {
        c.iter().zip(x).map(|(c, &n)| c.cost * n as f64).sum()
    }

    fn feasible(c: &[Candidate], x: &[u32], req: &[u32]) -> bool {
        req.iter().enumerate().all(|(i, &r)| {
            let (a, b) = (SimTime(i as u64 * H), SimTime((i as u64 + 1) * H));
            c.iter()
                .zip(x)
                .filter(|(c, _)| c.covers(a, b))
                .map(|(_, &n)| n)
                .sum::<u32>()
                >= r
        })
    }

    /// Brute force over every count vector (caps 0..=6) agrees with the integer program.
    #[test]
    fn matches_brute_force() {
        let c = vec![
            cand(0, 4, 1.0, Some(2)),
            cand(1, 4, 1.0, None),
            cand(2, 4, 1.1, None),
            cand(4, 4, 0.9, Some(5)),
            cand(0, 8, 1.7, Some(4)),
        ];
        let req = [2, 3, 4, 5, 3, 2, 4, 1];
        let x = cheapest_cover(&c, &req, H, SimTime::MAX).unwrap();
        assert!(feasible(&c, &x, &req), "{x:?}");
        let mut best = f64::INFINITY;
        let mut v = vec![0u32; c.len()];
        loop {
            if feasible(&c, &v, &req) {
                best = best.min(total(&c, &v));
            }
            let mut k = 0;
            while k < v.len() && v[k] == 6 {
                v[k] = 0;
                k += 1;
            }
            if k == v.len() {
                break;
            }
            v[k] += 1;
        }
        assert!(
            (total(&c, &x) - best).abs() < 1e-9,
            "{} vs {best}",
            total(&c, &x)
        );
    }

    #[test]
    fn reports_uncovered_and_infeasible() {
        let c = vec![cand(0, 2, 1.0, None)];
        assert_eq!(
            cheapest_cover(&c, &[1, 1, 1], H, SimTime::MAX),
            Err(CoverError::Uncovered(SimTime(2 * H)))
        );
        assert_eq!(
            cheapest_cover(&c, &[7, 1], H, SimTime::MAX),
            Err(CoverError::Infeasible)
        );
        assert_eq!(cheapest_cover(&c, &[0, 0, 0], H, SimTime::MAX), Ok(vec![0]));
    }
}
