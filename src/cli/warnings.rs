//! A scenario's warnings on standard error: the one path every command that reads a scenario
//! prints them by (issue 25: `sweep`, `staff`, `ab` and `load` printed none, while `run` and
//! `validate` did). A command reads its scenario through [`super::load`], which prints them;
//! `ab` (two scenarios read side by side) prints each one's with [`print`], the base's first;
//! `sweep` prints its grid points' ([`point_lines`]), each warning once.
//!
//! The lines are `warning: …` on stderr, printed under `--quiet` too (a warning is not
//! chatter: docs/outputs.md, "What `--quiet` hides").

use std::path::Path;

use crate::scenario::{self, Scenario};

/// The warning lines of `sc` (read from `path`), without the `warning: ` prefix: those found
/// while reading it (with their position), then the whole-scenario checks of
/// [`scenario::warnings`] (queues nobody serves), after the file's name.
pub(crate) fn lines(sc: &Scenario, path: &Path) -> Vec<String> {
    let mut out: Vec<String> = sc.warnings.iter().map(ToString::to_string).collect();
    out.extend(
        scenario::warnings(sc)
            .into_iter()
            .map(|w| format!("{}: {w}", path.display())),
    );
    out
}

/// Prints `lines` (from [`lines`]) as `warning: …` lines on standard error.
pub(crate) fn print(lines: &[String]) {
    for w in lines {
        eprintln!("warning: {w}");
    }
}

/// The warnings of a sweep's grid points (`points`: each point's label, such as
/// `agent_groups.g.count=20`, with its warning lines), each distinct warning once, in the
/// order first met. A warning every point gives is printed as it is; one only some points
/// give names them: `… (at agent_groups.g.count=0 only)`, or, past three points, the first
/// three and how many more.
pub(crate) fn point_lines(points: &[(String, Vec<String>)]) -> Vec<String> {
    let mut order: Vec<&str> = Vec::new();
    let mut at: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for (label, ws) in points {
        for w in ws {
            let seen = at.entry(w.as_str()).or_default();
            if seen.is_empty() {
                order.push(w.as_str());
            }
            // A warning given twice by one point (it cannot be, but) is one point's.
            if seen.last() != Some(&label.as_str()) {
                seen.push(label.as_str());
            }
        }
    }
    order
        .into_iter()
        .map(|w| {
            let labels = &at[w];
            if labels.len() == points.len() {
                w.to_string()
            } else if labels.len() <= 3 {
                format!("{w} (at {} only)", labels.join("; "))
            } else {
                format!(
                    "{w} (at {} and {} more of the {} grid points)",
                    labels[..3].join("; "),
                    labels.len() - 3,
                    points.len()
                )
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::point_lines;

    fn pts(v: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        v.iter()
            .map(|(l, ws)| (l.to_string(), ws.iter().map(|w| w.to_string()).collect()))
            .collect()
    }

    #[test]
    fn a_warning_of_every_point_is_printed_once_as_it_is() {
        let p = pts(&[("n=1", &["a", "b"]), ("n=2", &["a"]), ("n=3", &["a"])]);
        assert_eq!(
            point_lines(&p),
            vec!["a".to_string(), "b (at n=1 only)".into()]
        );
    }

    #[test]
    fn a_warning_of_many_points_names_three_and_counts_the_rest() {
        let p = pts(&[
            ("n=1", &["w"]),
            ("n=2", &["w"]),
            ("n=3", &["w"]),
            ("n=4", &["w"]),
            ("n=5", &["w"]),
            ("n=6", &[]),
        ]);
        assert_eq!(
            point_lines(&p),
            vec!["w (at n=1; n=2; n=3 and 2 more of the 6 grid points)".to_string()]
        );
    }
}
