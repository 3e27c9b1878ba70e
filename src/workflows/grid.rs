//! Sweep axes: `PATH=FROM..TO[:STEP]` (inclusive, `sweep --vary`) or `--vary PATH=A,B,C`, and the grid
//! of their combinations.
//!
//! A list with a value that is not a number (`order_by=most_proficient,available_capacity`) is
//! a *labelled* axis: its points are the positions 0, 1, 2, … of the values in the order given,
//! each written to the scenario as a TOML string (or a number, for an item that reads as one)
//! and shown by its text in every report.

/// One varied scenario key and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    /// The dotted TOML path (`agent_groups.tier1.count`).
    pub path: String,
    /// Its values, ascending.
    pub values: Vec<f64>,
    /// Whether every value is an integer (written to TOML as integers).
    pub integer: bool,
    /// A labelled axis' values in the order given (then `values` are their positions and
    /// `integer` is false, so a target search scans the grid); `None` for a numeric axis.
    pub labels: Option<Vec<String>>,
}

impl Vary {
    /// The label at position `v` of a labelled axis.
    fn label(&self, v: f64) -> Option<&str> {
        let labels = self.labels.as_ref()?;
        labels.get(v as usize).map(String::as_str)
    }

    /// Value `v` of this axis as reports show it: its label, or the number.
    pub fn show(&self, v: f64) -> String {
        match self.label(v) {
            Some(l) => l.to_string(),
            None => crate::report::table::num(v),
        }
    }

    /// Value `v` as written to the scenario file: a label that reads as a number is that
    /// number, any other label a string; a numeric axis' value is an integer when the axis is.
    pub fn toml(&self, v: f64) -> toml_edit::Value {
        if let Some(l) = self.label(v) {
            return match (l.parse::<i64>(), l.parse::<f64>()) {
                (Ok(i), _) => toml_edit::Value::from(i),
                (_, Ok(x)) if x.is_finite() => toml_edit::Value::from(x),
                _ => toml_edit::Value::from(l),
            };
        }
        if self.integer {
            toml_edit::Value::from(v as i64)
        } else {
            toml_edit::Value::from(v)
        }
    }
}

/// The most points one axis may have.
pub const MAX_POINTS: usize = 10_000;

/// An axis (`PATH=FROM..TO[:STEP]` or `PATH=A,B,C`) that could not be read: the text as given
/// and what is wrong with it. The message names no flag (the command line adds `--vary`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{text:?}: {problem}")]
pub struct AxisError {
    /// The axis as given.
    pub text: String,
    /// What is wrong.
    pub problem: AxisProblem,
}

/// What is wrong with an axis; each says what was expected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AxisProblem {
    /// No `=`: write `PATH=FROM..TO[:STEP]` or `PATH=A,B,C`.
    #[error("expected PATH=FROM..TO[:STEP] or PATH=A,B,C")]
    Shape,
    /// An empty key path or an empty segment in it (`a..b`): name a scenario key.
    #[error("bad key path {0:?}")]
    Path(String),
    /// A list with an empty item (`a,,b`): remove it.
    #[error("an empty value in the list")]
    EmptyValue,
    /// A bound or step of a range that is not a finite number.
    #[error("{0:?} is not a number")]
    NotANumber(String),
    /// `FROM > TO` or a step ≤ 0: write FROM <= TO and a positive STEP.
    #[error("expected FROM <= TO and a positive STEP")]
    Range,
    /// More than [`MAX_POINTS`] points: use a larger STEP or a shorter range.
    #[error("{0} points, at most {MAX_POINTS}")]
    TooManyPoints(usize),
}

fn number(text: &str, whole: &str) -> Result<f64, AxisError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| bad(whole, AxisProblem::NotANumber(text.to_string())))
}

fn bad(text: &str, problem: AxisProblem) -> AxisError {
    AxisError {
        text: text.to_string(),
        problem,
    }
}

/// Parses one axis (a `--vary` argument); the values come out ascending.
///
/// Errors: [`AxisError`], naming the axis and the [`AxisProblem`].
pub fn parse(text: &str) -> Result<Vary, AxisError> {
    let (path, spec) = text
        .split_once('=')
        .ok_or_else(|| bad(text, AxisProblem::Shape))?;
    let path = path.trim().to_string();
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(bad(text, AxisProblem::Path(path)));
    }
    let items: Vec<&str> = spec.split(',').map(str::trim).collect();
    if !spec.contains("..") && items.iter().any(|s| number(s, text).is_err()) {
        if items.iter().any(|s| s.is_empty()) {
            return Err(bad(text, AxisProblem::EmptyValue));
        }
        let mut labels: Vec<String> = Vec::new();
        for s in items {
            if !labels.iter().any(|l| l == s) {
                labels.push(s.to_string());
            }
        }
        return Ok(Vary {
            path,
            values: (0..labels.len()).map(|i| i as f64).collect(),
            integer: false,
            labels: Some(labels),
        });
    }
    let (values, integer) = if let Some((from, rest)) = spec.split_once("..") {
        let (to, step) = match rest.split_once(':') {
            Some((t, s)) => (t, Some(s)),
            None => (rest, None),
        };
        let (a, b) = (number(from, text)?, number(to, text)?);
        let step = match step {
            Some(s) => number(s, text)?,
            None => 1.0,
        };
        let integer = [a, b, step].iter().all(|x| x.fract() == 0.0);
        if step <= 0.0 || b < a {
            return Err(bad(text, AxisProblem::Range));
        }
        let n = ((b - a) / step + 1e-9).floor() as usize + 1;
        if n > MAX_POINTS {
            return Err(bad(text, AxisProblem::TooManyPoints(n)));
        }
        ((0..n).map(|i| a + step * i as f64).collect(), integer)
    } else {
        let mut v: Vec<f64> = spec
            .split(',')
            .map(|s| number(s, text))
            .collect::<Result<_, _>>()?;
        v.sort_by(f64::total_cmp);
        v.dedup();
        let integer = v.iter().all(|x| x.fract() == 0.0) && !spec.contains('.');
        (v, integer)
    };
    Ok(Vary {
        path,
        values,
        integer,
        labels: None,
    })
}

/// Every combination of the axes' values, the first axis varying slowest.
pub fn points(axes: &[Vary]) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::new()];
    for a in axes {
        out = out
            .into_iter()
            .flat_map(|p| {
                a.values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(*v);
                    q
                })
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_lists() {
        let v = parse("agent_groups.a.count=20..60:20").unwrap();
        assert_eq!(
            (v.values.clone(), v.integer),
            (vec![20.0, 40.0, 60.0], true)
        );
        assert_eq!(parse("x.y=1..3").unwrap().values, vec![1.0, 2.0, 3.0]);
        let f = parse("x.p=0,0.5").unwrap();
        assert!(!f.integer);
        assert!(parse("x=5..1").is_err());
        assert!(parse("x").is_err());
        let g = points(&[v, parse("b=1,2").unwrap()]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[1], vec![20.0, 2.0]);
    }

    /// A list with a word is a labelled axis: positions in the order given, duplicates
    /// dropped, each written as a string (or a number when it reads as one).
    #[test]
    fn word_lists_are_labelled_axes() {
        let v = parse(
            "queues.q.assignment_rules.r.order_by=most_proficient, round_robin,most_proficient,3",
        )
        .unwrap();
        assert_eq!(v.values, vec![0.0, 1.0, 2.0]);
        assert!(!v.integer);
        assert_eq!(v.show(1.0), "round_robin");
        assert_eq!(v.toml(0.0).as_str(), Some("most_proficient"));
        assert_eq!(v.toml(2.0).as_integer(), Some(3));
        assert!(parse("x=a,,b").is_err());
        // Ranges stay numeric.
        // The message names the axis and the problem, not the flag (the CLI adds `--vary`).
        assert_eq!(
            parse("x=a..b").unwrap_err().to_string(),
            "\"x=a..b\": \"a\" is not a number"
        );
        assert_eq!(parse("x").unwrap_err().problem, AxisProblem::Shape);
        assert_eq!(parse("x=1,2").unwrap().labels, None);
    }
}
