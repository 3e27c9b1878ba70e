//! Sweep targets: `"service_level.fraction>=0.8"` parsed into a metric path, a comparison and a
//! value.

use std::fmt;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `<`
    Lt,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Lt => "<",
        }
    }
}

/// A condition on one summary metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The dotted `summary.json` path.
    pub metric: String,
    /// How to compare.
    pub op: Op,
    /// The bound.
    pub value: f64,
}

impl Target {
    /// Whether `x` meets the target (NaN never does).
    pub fn meets(&self, x: f64) -> bool {
        match self.op {
            Op::Ge => x >= self.value,
            Op::Le => x <= self.value,
            Op::Gt => x > self.value,
            Op::Lt => x < self.value,
        }
    }
}

impl Target {
    /// Whether the target's metric is a count (a figure that adds up over replications:
    /// [`crate::report::compare::is_count`], e.g. `conversations.abandoned`, `customers`,
    /// `agent_groups.G.conversations`), so the target judges its **mean per replication**
    /// (the figure per simulated horizon), not its total over the replications, which would
    /// grow with `--replications` (issue 25, fifteenth session: `conversations.abandoned<=20`
    /// answered 7 agents at 1 replication, 9 at 4, none at 16).
    pub fn per_replication(&self) -> bool {
        crate::report::compare::is_count(&self.metric)
    }

    /// The figure the target judges in `s`: a count's total ÷ the replications it covers
    /// ([`per_replication`](Self::per_replication)): those asked for, or on a partial run the
    /// replications that began, whose parts the totals hold), any other metric as the summary
    /// has it (pooled over the replications); `None` without data.
    pub fn judged(&self, s: &crate::report::Summary) -> Option<f64> {
        let x = crate::report::lookup(s, &self.metric)?;
        if !self.per_replication() {
            return Some(x);
        }
        let n = if s.partial {
            s.by_replication.len() as f64
        } else {
            f64::from(s.replications)
        };
        Some(x / n.max(1.0))
    }

    /// `" per replication"` for a count ([`per_replication`](Self::per_replication)), else
    /// empty: the unit every sweep output adds after the target's figure.
    pub fn unit(&self) -> &'static str {
        if self.per_replication() {
            " per replication"
        } else {
            ""
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.metric, self.op.as_str(), self.value)
    }
}

/// Parses `METRIC>=X` (also `<=`, `>`, `<`); see [`check`] for the metric itself.
pub fn parse(text: &str) -> Result<Target, String> {
    let bad =
        || format!("target {text:?}: expected METRIC>=VALUE, e.g. \"service_level.fraction>=0.8\"");
    let (i, op, len) = [(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt)]
        .iter()
        .find_map(|(s, op)| text.find(s).map(|i| (i, *op, s.len())))
        .ok_or_else(bad)?;
    let metric = text[..i].trim().to_string();
    let value: f64 = text[i + len..].trim().parse().map_err(|_| bad())?;
    if metric.is_empty() || !value.is_finite() {
        return Err(bad());
    }
    Ok(Target { metric, op, value })
}

/// Checks that the target's metric is a `summary.json` path of `sc`.
pub fn check(t: &Target, sc: &crate::scenario::Scenario) -> Result<(), String> {
    let scope = crate::scenario::MetricScope::of_scenario(sc);
    if crate::scenario::is_known_metric(&t.metric, &scope) {
        Ok(())
    } else {
        let hint = crate::scenario::metric_paths::suggest(&t.metric, &scope)
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        Err(format!("target {t}: unknown metric {:?}{hint}", t.metric))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let t = parse("service_level.fraction >= 0.8").unwrap();
        assert_eq!(
            (t.metric.as_str(), t.op, t.value),
            ("service_level.fraction", Op::Ge, 0.8)
        );
        assert!(t.meets(0.8) && !t.meets(0.79));
        assert_eq!(parse("wait_s.p90<30").unwrap().op, Op::Lt);
        assert!(parse("wait_s.p90").is_err());
    }
}
