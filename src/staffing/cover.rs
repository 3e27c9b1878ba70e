//! The cheapest set of shifts that covers a requirement per interval: a set-covering integer
//! program (Dantzig 1954, "A comment on Edie's traffic delays at toll booths", the origin of
//! shift-scheduling IPs), solved with the pure-Rust `microlp` branch and bound (exactly, up to a node limit).
//!
//! ```text
//! minimise   Σ_j cost_j · x_j
//! subject to Σ_{j covers i} x_j ≥ required_i   for every interval i
//!            0 ≤ x_j ≤ max_j,  x_j integer
//! ```
//!
//! A candidate *covers* an interval when the interval lies wholly inside the shift and overlaps
//! none of its breaks (an agent on break does not count toward coverage).

use microlp::{
    ComparisonOp, LinearExpr, OptimizationDirection, Problem, SolutionStatus, SolveOptions,
    Variable,
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

/// The integer program's answer: agent counts per candidate and how close to the optimum.
#[derive(Clone, Debug, PartialEq)]
pub struct Cover {
    /// Agents per candidate (`x_j`, same order as the candidates).
    pub agents: Vec<u32>,
    /// A proven lower bound on the cost of any cover (the branch and bound's best bound); equal
    /// to the cost (within 1e-6) when the cover is proven cheapest.
    pub lower_bound: f64,
    /// Whether the search proved this cover the cheapest; `false` when it stopped at
    /// [`NODE_LIMIT`] with the best cover found so far.
    pub optimal: bool,
}

/// Branch-and-bound nodes the search may solve before it stops with its best cover so far.
/// A node count, not a time limit, so the roster is the same on every machine. The covers of
/// the bundled shift templates are proven optimal well within it; a larger problem with many
/// same-cost break placements can stop at it (the cover then says how far from the bound it is).
pub const NODE_LIMIT: u64 = 2_000;

/// The least-cost agent counts per candidate covering `required[i]` agents in every interval
/// `[i·len, min((i+1)·len, end))` (`end`: the horizon, so a last interval cut short by it needs
/// no shift past it).
///
/// Solved with `microlp`'s branch and bound, warm-started by the linear relaxation rounded up
/// (always a cover), stopped after [`NODE_LIMIT`] nodes: the answer is deterministic, and
/// [`Cover::optimal`] / [`Cover::lower_bound`] say how good it is.
///
/// # Errors
/// [`CoverError::Uncovered`] when an interval that needs agents has no covering candidate;
/// [`CoverError::Infeasible`] when the `max_agents` caps leave too few; [`CoverError::Solver`]
/// for a solver failure.
pub fn cheapest_cover(
    candidates: &[Candidate],
    required: &[u32],
    interval_ms: u64,
    end: SimTime,
) -> Result<Cover, CoverError> {
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
    if required.iter().all(|&r| r == 0) {
        return Ok(Cover {
            agents: vec![0; candidates.len()],
            lower_bound: 0.0,
            optimal: true,
        });
    }
    let cap = |c: &Candidate| {
        c.max_agents
            .map_or(i32::MAX, |m| m.min(i32::MAX as u32) as i32)
    };
    let build = |integer: bool| {
        let mut p = Problem::new(OptimizationDirection::Minimize);
        let xs: Vec<Variable> = candidates
            .iter()
            .map(|c| {
                if integer {
                    p.add_integer_var(c.cost, (0, cap(c)))
                } else {
                    p.add_var(c.cost, (0.0, f64::from(cap(c))))
                }
            })
            .collect();
        for (i, c) in covering.iter().enumerate() {
            if required[i] > 0 {
                let lhs: LinearExpr = c.iter().map(|&j| (xs[j], 1.0)).collect();
                p.add_constraint(lhs, ComparisonOp::Ge, f64::from(required[i]));
            }
        }
        (p, xs)
    };
    let solver_error = |e: microlp::Error| match e {
        microlp::Error::Infeasible => CoverError::Infeasible,
        other => CoverError::Solver(other.to_string()),
    };
    // The relaxation rounded up covers every interval (coefficients are 0/1, caps integers).
    let (relaxed, rx) = build(false);
    let lp = relaxed
        .solve()
        .map_err(solver_error)?
        .into_solution()
        .map_err(|_| CoverError::Solver("the linear relaxation stopped early".into()))?;
    let start: Vec<(Variable, f64)> = rx
        .iter()
        .map(|&x| (x, (lp.var_value(x) - 1e-7).ceil().max(0.0)))
        .collect();
    let (integer, xs) = build(true);
    let warm: Vec<(Variable, f64)> = xs.iter().zip(&start).map(|(&x, &(_, v))| (x, v)).collect();
    // `SolveOptions` is non-exhaustive: set the two fields on the defaults.
    let mut options = SolveOptions::default();
    options.node_limit = Some(NODE_LIMIT);
    options.warm_start = Some(warm);
    let solution = integer
        .solve_with(options)
        .map_err(solver_error)?
        .into_solution()
        .map_err(|_| CoverError::Solver("no integer cover found within the node limit".into()))?;
    let agents: Vec<u32> = xs
        .iter()
        .map(|&x| solution.var_value(x).round().max(0.0) as u32)
        .collect();
    let cost: f64 = agents
        .iter()
        .zip(candidates)
        .map(|(&n, c)| c.cost * f64::from(n))
        .sum();
    let optimal = solution.status() == SolutionStatus::Optimal;
    let lower_bound = if optimal {
        cost
    } else {
        solution
            .stats()
            .best_bound
            .unwrap_or(lp.objective())
            .max(lp.objective())
            .min(cost)
    };
    Ok(Cover {
        agents,
        lower_bound,
        optimal,
    })
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
        feasible_at(c, x, req, H)
    }

    fn feasible_at(c: &[Candidate], x: &[u32], req: &[u32], len: u64) -> bool {
        req.iter().enumerate().all(|(i, &r)| {
            let (a, b) = (SimTime(i as u64 * len), SimTime((i as u64 + 1) * len));
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
        let cover = cheapest_cover(&c, &req, H, SimTime::MAX).unwrap();
        assert!(cover.optimal);
        let x = cover.agents;
        assert!((cover.lower_bound - total(&c, &x)).abs() < 1e-9);
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
        assert_eq!(
            cheapest_cover(&c, &[0, 0, 0], H, SimTime::MAX).map(|c| c.agents),
            Ok(vec![0])
        );
    }

    /// Many same-cost break placements over a long day (the kind that took minutes to prove):
    /// the answer is a cover, costs no less than its bound, and says whether it is proven.
    #[test]
    fn many_break_placements_give_a_bounded_cover() {
        const M: u64 = 5 * 60_000;
        let mut c = Vec::new();
        for start in (0..60).step_by(6) {
            for brk in 42..54 {
                c.push(Candidate {
                    template: 0,
                    start: SimTime(start * M),
                    end: SimTime((start + 102) * M),
                    breaks: vec![(SimTime((start + brk) * M), SimTime((start + brk + 6) * M))],
                    cost: 1.0,
                    max_agents: None,
                });
            }
            c.push(Candidate {
                template: 1,
                start: SimTime(start * M),
                end: SimTime((start + 48) * M),
                breaks: vec![],
                cost: 0.5,
                max_agents: None,
            });
        }
        let req: Vec<u32> = (0..150u32)
            .map(|i| 80 + (i * 37 % 23) * 9 + if (30..90).contains(&i) { 150 } else { 0 })
            .collect();
        let cover = cheapest_cover(&c, &req, M, SimTime::MAX).unwrap();
        assert!(feasible_at(&c, &cover.agents, &req, M), "not a cover");
        let cost = total(&c, &cover.agents);
        assert!(
            cover.lower_bound <= cost + 1e-9,
            "{} > {cost}",
            cover.lower_bound
        );
        assert_eq!(cover.optimal, (cost - cover.lower_bound).abs() < 1e-6);
        // Determinism: the same problem gives the same cover.
        assert_eq!(cheapest_cover(&c, &req, M, SimTime::MAX).unwrap(), cover);
    }
}
