//! The shift templates file of `omnisim staff --shifts` (contract "Staffing"): candidate shifts
//! with their start times, length, breaks, cost and cap, validated like a scenario (every
//! problem at once, with key path, line and column).
//!
//! ```toml
//! [[shifts]]
//! name = "early"
//! starts = ["07:00", "07:30", "08:00"]   # each start is its own candidate shift
//! length = "8h"
//! breaks = [{ after = "4h", length = "30m", window = "1h" }]   # window: optional, default 1h (after ± 30m)
//! cost = 1.0                             # default 1, per agent on the shift
//! max_agents = 40                        # optional
//! ```

use std::path::Path;

use super::diag::{Ctx, Diagnostic, LoadError};
use super::sections::{section, unique_name};
use super::spanned::{array, number, positive_duration, string, table, u32_at_least, Table, Val};
use crate::time::SimDuration;

/// One shift template: a candidate shift for each of its start times (on each day of the run).
#[derive(Clone, Debug, PartialEq)]
pub struct ShiftTemplate {
    /// Its name.
    pub name: String,
    /// Start clock times, in minutes after midnight (`"07:30"` → 450), in file order.
    pub starts: Vec<u32>,
    /// Shift length.
    pub length: SimDuration,
    /// Breaks: `(after the shift's start, length)`, in file order.
    pub breaks: Vec<(SimDuration, SimDuration)>,
    /// Each break's `window`: it may start anywhere in `after ± window/2` (on the staffing
    /// interval's grid), which the roster optimiser chooses per agent group so a start time's
    /// agents do not all break together. Default [`DEFAULT_BREAK_WINDOW`]; `"0s"` fixes it.
    pub break_windows: Vec<SimDuration>,
    /// Cost per agent on one such shift (default 1).
    pub cost: f64,
    /// The most agents on one candidate shift of this template, if capped.
    pub max_agents: Option<u32>,
}

/// Reads and validates a shift templates file.
///
/// Errors: an unreadable file, TOML syntax, unknown keys (with suggestions), a missing `[[shifts]]`
/// array, bad clock times (`HH:MM`, 00:00–23:59), non-positive lengths, a break that does not end
/// within its shift, a negative or non-finite cost — all of them, with key path and position.
pub fn load_shifts_file(path: &Path) -> Result<Vec<ShiftTemplate>, LoadError> {
    let origin = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => load_shifts_str(&text, &origin),
        Err(e) => Err(LoadError {
            diagnostics: vec![Diagnostic {
                file: origin,
                path: String::new(),
                line: None,
                column: None,
                message: format!("cannot read the shift templates file: {e}"),
                hint: None,
            }],
        }),
    }
}

/// As [`load_shifts_file`], from text; `origin` names it in diagnostics.
pub fn load_shifts_str(text: &str, origin: &str) -> Result<Vec<ShiftTemplate>, LoadError> {
    let (mut cx, root) = super::load::parse_toml(origin, text)?;
    let root = Table {
        path: "",
        span: None,
        map: root.get_ref(),
    };
    root.check_keys(&mut cx, &["shifts"]);
    let items = section(&mut cx, &root, "shifts");
    if items.is_empty() && !cx.has_errors() {
        root.missing(&mut cx, "shifts", "at least one [[shifts]] table");
    }
    let mut seen = super::sections::Seen::default();
    let out: Vec<Option<ShiftTemplate>> = items
        .iter()
        .map(|(p, v)| template(&mut cx, p, v, &mut seen))
        .collect();
    if cx.has_errors() {
        return Err(LoadError {
            diagnostics: cx.finish(),
        });
    }
    Ok(out.into_iter().flatten().collect())
}

fn template(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    seen: &mut super::sections::Seen,
) -> Option<ShiftTemplate> {
    let t = table(cx, path, v)?;
    t.check_keys(
        cx,
        &["name", "starts", "length", "breaks", "cost", "max_agents"],
    );
    let name = unique_name(cx, &t, "shift", seen);
    let starts = t.req(
        cx,
        "starts",
        "start clock times such as [\"07:00\"]",
        |cx, p, v| {
            let items = array(cx, p, v)?;
            if items.is_empty() {
                cx.error(p, v.span(), "the list must not be empty");
                return None;
            }
            // A start listed twice is an error, as a day or a presence listed twice is.
            let mut first_at: std::collections::HashMap<u32, usize> = Default::default();
            let parsed: Vec<Option<u32>> = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let ip = format!("{p}[{i}]");
                    let s = string(cx, &ip, item)?;
                    match parse_clock(&s) {
                        Ok(m) => match first_at.get(&m) {
                            Some(j) => {
                                cx.error(
                                    &ip,
                                    item.span(),
                                    format!("start {s:?} listed twice (the same time as {p}[{j}])"),
                                );
                                None
                            }
                            None => {
                                first_at.insert(m, i);
                                Some(m)
                            }
                        },
                        Err(e) => {
                            cx.error(&ip, item.span(), e);
                            None
                        }
                    }
                })
                .collect();
            parsed.into_iter().collect()
        },
    );
    let length = t.req(cx, "length", "a duration such as \"8h\"", positive_duration);
    let breaks = t.or(cx, "breaks", Vec::new(), |cx, p, v| {
        let items = array(cx, p, v)?;
        let parsed: Vec<Option<(SimDuration, SimDuration, SimDuration)>> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let ip = format!("{p}[{i}]");
                let b = table(cx, &ip, item)?;
                b.check_keys(cx, &["after", "length", "window"]);
                let after = b.req(cx, "after", "a duration such as \"4h\"", positive_duration);
                let len = b.req(
                    cx,
                    "length",
                    "a duration such as \"30m\"",
                    positive_duration,
                );
                let window = b.or(cx, "window", DEFAULT_BREAK_WINDOW, super::spanned::duration);
                Some((after?, len?, window?))
            })
            .collect();
        parsed.into_iter().collect::<Option<Vec<_>>>()
    });
    let break_windows = breaks
        .as_ref()
        .map(|bs: &Vec<(SimDuration, SimDuration, SimDuration)>| bs.iter().map(|b| b.2).collect());
    let breaks = breaks.map(|bs| bs.into_iter().map(|b| (b.0, b.1)).collect::<Vec<_>>());
    let cost = t.or(cx, "cost", 1.0, |cx, p, v| {
        let c = number(cx, p, v)?;
        if c.is_finite() && c >= 0.0 {
            Some(c)
        } else {
            cx.error(p, v.span(), "a cost must be a finite number ≥ 0");
            None
        }
    });
    let max_agents = t.opt(cx, "max_agents", u32_at_least(0));
    if let (Some(len), Some(bs)) = (length, breaks.as_ref()) {
        for (i, (after, blen)) in bs.iter().enumerate() {
            if *after + *blen > len {
                let span = t.get("breaks").map(|v| v.span());
                cx.report(
                    &format!("{}[{i}]", t.path_of("breaks")),
                    span,
                    format!("the break ends after the shift ({after} + {blen} > {len})"),
                    None,
                );
            }
        }
        // Breaks that overlap (issue 25, found by a fresh tester: `after = "1h", length = "2h"`
        // beside `after = "1h30m"` was accepted): each break against the one before it in
        // start order against the latest-ending break before it, every overlap reported.
        let mut order: Vec<usize> = (0..bs.len()).collect();
        order.sort_by_key(|&i| (bs[i].0, i));
        let mut latest: Option<usize> = None;
        for &i in &order {
            let (a1, l1) = bs[i];
            if let Some(j) = latest {
                let (a0, l0) = bs[j];
                if a1 < a0 + l0 {
                    cx.report(
                        &format!("{}[{i}]", t.path_of("breaks")),
                        t.get("breaks").map(|v| v.span()),
                        format!(
                            "the break overlaps break [{j}] ({a1} is before its end, {a0} + \
                             {l0}); expected breaks that follow one another"
                        ),
                        None,
                    );
                }
            }
            if latest.is_none_or(|j| a1 + l1 > bs[j].0 + bs[j].1) {
                latest = Some(i);
            }
        }
    }
    Some(ShiftTemplate {
        name: name?,
        starts: starts?,
        length: length?,
        breaks: breaks?,
        break_windows: break_windows?,
        cost: cost?,
        max_agents: max_agents?,
    })
}

/// The default `window` of a break: it may start up to half an hour before or after its `after`.
pub const DEFAULT_BREAK_WINDOW: SimDuration = SimDuration::from_secs(3600);

/// Parses a clock time `HH:MM` (00:00–23:59) into minutes after midnight.
pub fn parse_clock(s: &str) -> Result<u32, String> {
    let bad = || format!("{s:?} is not a clock time (expected HH:MM, e.g. \"07:30\")");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_templates() {
        let t = load_shifts_str(
            r#"
[[shifts]]
name = "early"
starts = ["07:00", "07:30"]
length = "8h"
breaks = [{ after = "4h", length = "30m" }]
max_agents = 40

[[shifts]]
name = "late"
starts = ["13:00"]
length = "4h"
cost = 0.6
"#,
            "s.toml",
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].starts, [420, 450]);
        assert_eq!(
            t[0].breaks,
            [(
                SimDuration::from_secs(4 * 3600),
                SimDuration::from_secs(1800)
            )]
        );
        assert_eq!((t[0].cost, t[0].max_agents), (1.0, Some(40)));
        assert_eq!((t[1].cost, t[1].max_agents), (0.6, None));
    }

    #[test]
    fn reports_every_problem() {
        let e = load_shifts_str(
            r#"
[[shifts]]
name = "x"
starts = ["25:00", "7h"]
length = "2h"
breaks = [{ after = "90m", length = "1h" }]
cots = 2
"#,
            "s.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("shifts[0].starts[0]") && e.contains("\"25:00\""),
            "{e}"
        );
        assert!(e.contains("shifts[0].starts[1]"), "{e}");
        assert!(e.contains("break ends after the shift"), "{e}");
        assert!(e.contains("did you mean `cost`?"), "{e}");
        assert!(load_shifts_str("", "s.toml").is_err());
    }

    /// Issue 25: overlapping breaks are errors at the later break, every overlap at once;
    /// Issue 25, ninth pass: a start listed twice (also not next to its first) is an error
    /// at the repeat, as a day or a presence listed twice is.
    #[test]
    fn a_start_listed_twice_is_refused_at_the_repeat() {
        for starts in [r#"["07:00", "07:00"]"#, r#"["07:00", "08:00", "07:00"]"#] {
            let text = format!("[[shifts]]\nname = \"x\"\nstarts = {starts}\nlength = \"8h\"\n");
            let e = load_shifts_str(&text, "s.toml").unwrap_err().to_string();
            assert!(
                e.contains("listed twice (the same time as shifts[0].starts[0])"),
                "{e}"
            );
        }
    }

    /// breaks that touch (one ends as the next starts) are fine.
    #[test]
    fn overlapping_breaks_are_errors() {
        let shifts = |breaks: &str| {
            load_shifts_str(
                &format!(
                    "[[shifts]]\nname = \"x\"\nstarts = [\"08:00\"]\nlength = \"8h\"\nbreaks = {breaks}\n"
                ),
                "s.toml",
            )
        };
        let e = shifts(
            r#"[{ after = "1h", length = "2h" }, { after = "1h30m", length = "30m" }, { after = "2h30m", length = "1h" }, { after = "6h", length = "15m" }]"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("shifts[0].breaks[1]") && e.contains("overlaps break [0]"),
            "{e}"
        );
        assert!(
            e.contains("shifts[0].breaks[2]") && e.contains("overlaps break [0]"),
            "{e}"
        );
        assert!(!e.contains("breaks[3]"), "{e}");
        // Listed out of order, touching: accepted.
        assert!(
            shifts(r#"[{ after = "4h", length = "30m" }, { after = "2h", length = "2h" }]"#)
                .is_ok()
        );
    }
}
