//! Rosters for `[traffic] roster`: individual agents, one row per shift, many days.
//!
//! Columns (contract "Real traffic"): `agent`, `queues` (`;`-separated), `shift_start`,
//! `shift_end`, optional `capacity` (default 100), `skills` (`spanish:4;billing:2`, ratings
//! 1–10; the agent's routing skills, see `crate::scenario`), `breaks` (`start-end` pairs,
//! `;`-separated). Several rows for one agent are several shifts; its `queues`, `capacity`,
//! `skills` and `absence` must agree across them (`agree`). The `breaks` cell is read against
//! its row's shift by `breaks`.

use std::collections::HashMap;
use std::path::Path;

mod agree;
mod breaks;
use agree::Firsts;
pub use breaks::{parse_breaks, Shift};

use super::{read, Problems};
use crate::calendar::Calendar;
use crate::diag::Diagnostic;
use crate::model::QueueId;
use crate::time::SimTime;

/// One rostered agent.
#[derive(Clone, Debug, PartialEq)]
pub struct RosterAgent {
    /// Its name (the `agent` column, trimmed like every cell).
    pub name: String,
    /// The CSV line of its first row (0 for an agent not read from a file), for messages.
    pub line: u64,
    /// Units it has.
    pub capacity: u32,
    /// Queues it is a member of.
    pub queues: Vec<QueueId>,
    /// Its skills: (name, rating 1–10), in file order.
    pub skills: Vec<(String, u8)>,
    /// Its shifts `[start, end)`, sorted, not overlapping.
    pub shifts: Vec<(SimTime, SimTime)>,
    /// Its breaks `[start, end)`, sorted (Away while on shift).
    pub breaks: Vec<(SimTime, SimTime)>,
    /// The probability that it does not come in at all in a replication (`absence` column;
    /// 0 when absent).
    pub absence: f64,
}

/// Every column a roster may have.
pub const COLUMNS: [&str; 8] = [
    "agent",
    "queues",
    "shift_start",
    "shift_end",
    "capacity",
    "skills",
    "breaks",
    "absence",
];

/// [`COLUMNS`] and the label columns `omnisim staff` writes in its own `roster.csv` that
/// nothing reads (`shift`: the shift template's name): accepted without the ignored-column
/// warning, so `staff`'s `rostered.toml` runs as it is (issue 25, twelfth tester).
const QUIET: [&str; 9] = [
    "agent",
    "queues",
    "shift_start",
    "shift_end",
    "capacity",
    "skills",
    "breaks",
    "absence",
    "shift",
];

/// Reads a roster; `queue` resolves queue names; `taken` says what already has a given name,
/// if anything, as the end of "roster agent NAME has …" (`Some("the name of an agent of
/// [[agent_groups]] \"agent\"")` for `agent-3`; an `[[agent_groups]]` entry's own name too).
/// Agents come out in order of first appearance.
///
/// Errors: every problem (missing column, unparsable time, a shift that ends before it starts,
/// overlapping shifts of one agent, unknown queue, bad capacity, skills or breaks, rows of one
/// agent that disagree, an agent name a group's agent has, a header name close to one of
/// [`COLUMNS`] such as `break` or `absense`), each with file, line and column, all at once.
/// A column that is none of [`COLUMNS`] and close to none is ignored with a warning, pushed
/// onto `warnings`.
pub fn read_roster(
    path: &Path,
    file: &str,
    cal: &Calendar,
    queue: super::history::Resolve<'_>,
    taken: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Vec<RosterAgent>, Vec<Diagnostic>> {
    let mut p = Problems::new(file);
    let mut agents: Vec<RosterAgent> = Vec::new();
    let mut seen = crate::calendar::CsvOffsets::default();
    // Each agent's index in `agents`, by name: one look-up per row, not a scan (a
    // million-agent roster is read in near-linear time).
    let mut by_name: HashMap<String, usize> = HashMap::new();
    // Per agent (like `agents`): each row's shift and line, for the overlap check.
    let mut rows: Vec<Vec<(SimTime, SimTime, u64)>> = Vec::new();
    // The shifts of rows left out for another bad cell: agent name, shift, line.
    let mut unkept: Vec<(String, SimTime, SimTime, u64)> = Vec::new();
    let mut start_col: Option<Option<usize>> = None;
    let mut undated_reported = false;
    // Per agent name: the first row's queues, capacity, skills and absence that parsed, each
    // with its line, whether or not the rest of that row did (issue 25, eleventh tester: a bad
    // row hid the next row's disagreement).
    let mut firsts: HashMap<String, Firsts> = HashMap::new();
    // Agent names already reported as a group agent's name (once per agent, not per row).
    let mut clashed: std::collections::HashSet<String> = std::collections::HashSet::new();
    let header = read(
        path,
        &mut p,
        &[&["agent"], &["queues"], &["shift_start"], &["shift_end"]],
        &COLUMNS,
        |r, p| {
            let name = r.required(p, "agent").map(str::to_string);
            // A newline (a quoted CSV field) or another control character would break every
            // one-line-per-event output that names the agent (`explain`, traces).
            // An invisible format character (a zero-width space, a direction mark) makes a
            // second agent that looks like the first: refused alike (issue 25, eleventh tester).
            let name = name.filter(
                |n| match n.chars().find(|&c| c.is_control() || invisible(c)) {
                    Some(c) => {
                        r.problem(
                            p,
                            "agent",
                            format!(
                                "agent name {n:?} holds the {} character U+{:04X}; a name \
                             is one line of printable characters",
                                if c.is_control() {
                                    "control"
                                } else {
                                    "invisible format"
                                },
                                u32::from(c)
                            ),
                        );
                        false
                    }
                    None => true,
                },
            );
            if let Some(n) = &name {
                if let Some(what) = taken(n).filter(|_| !clashed.contains(n)) {
                    clashed.insert(n.clone());
                    r.problem(
                        p,
                        "agent",
                        format!(
                            "roster agent {n:?} has {what}; rename the roster agent (names \
                             are compared after trimming spaces), or the group"
                        ),
                    );
                }
            }
            let queues = r.required(p, "queues").and_then(|s| {
                let mut out = Vec::new();
                let mut ok = true;
                // An empty name between separators (`q;;q2`, `;q`) is a typo, not nothing; a
                // trailing `;` is allowed.
                let parts: Vec<&str> = s.split(';').map(str::trim).collect();
                if parts[..parts.len() - 1].iter().any(|x| x.is_empty()) {
                    r.problem(
                        p,
                        "queues",
                        format!("{s:?} has an empty queue name; separate queue names with one ';'"),
                    );
                    ok = false;
                }
                for part in parts.into_iter().filter(|x| !x.is_empty()) {
                    match queue(part) {
                        Ok(q) if out.contains(&q) => {
                            r.problem(p, "queues", format!("queue {part:?} is listed twice"));
                            ok = false;
                        }
                        Ok(q) => out.push(q),
                        Err(e) => {
                            r.problem(p, "queues", e);
                            ok = false;
                        }
                    }
                }
                if ok && out.is_empty() {
                    r.problem(p, "queues", "the agent needs at least one queue");
                    ok = false;
                }
                ok.then_some(out)
            });
            let mut time = |col: &str, p: &mut Problems| {
                r.required(p, col).and_then(|s| {
                    let mut probe = seen;
                    let dated = matches!(cal.csv_local(s, &mut probe), Ok(Err(_)));
                    match cal.parse_csv_time(s, &mut seen) {
                        // A date-time read against the default t = 0 (Monday 2024-01-01)
                        // would put a 2026 shift years past the horizon: nobody on shift,
                        // every call abandoned, without a word. Once per file, as a dated
                        // forecast.
                        _ if dated && !cal.given => {
                            if !undated_reported && cal.unread {
                                // Said once: the dated cells wait for a usable start (issue
                                // 25 leftovers: they were skipped without a word).
                                undated_reported = true;
                                r.problem(
                                    p,
                                    col,
                                    format!(
                                        "{s:?} and the roster's other date-times are not \
                                         checked: `[scenario] start` is unusable (its own \
                                         error); they are once it is fixed"
                                    ),
                                );
                            } else if !undated_reported {
                                undated_reported = true;
                                r.problem(
                                    p,
                                    col,
                                    format!(
                                        "{s:?} is a date-time but the scenario has no \
                                         `[scenario] start`: a dated roster needs one (the \
                                         calendar its dates are read against); set `[scenario] \
                                         start` to the roster's first day, e.g. \"{}T00:00\", \
                                         or give times in seconds since t = 0",
                                        s.trim().get(..10).unwrap_or(s.trim())
                                    ),
                                );
                            }
                            None
                        }
                        Ok(t) => Some(t),
                        Err(e) => {
                            r.problem(p, col, e);
                            None
                        }
                    }
                })
            };
            let start = time("shift_start", p);
            let end = time("shift_end", p);
            if let (Some(s), Some(e)) = (start, end) {
                if e <= s {
                    r.problem(
                        p,
                        "shift_end",
                        format!(
                            "the shift must end after it starts (shift_start {:?}, shift_end \
                             {:?})",
                            r.cell("shift_start").unwrap_or_default(),
                            r.cell("shift_end").unwrap_or_default()
                        ),
                    );
                }
            }
            let capacity = r.parse(p, "capacity", |s| match s.parse::<u32>() {
                Ok(c) if c >= 1 => Ok(c),
                _ => Err(format!(
                    "{s:?} is not a capacity; expected a whole number from 1 to {}",
                    u32::MAX
                )),
            });
            let skills = r.parse(p, "skills", parse_skills);
            let absence = r.parse(p, "absence", |s| match s.trim().parse::<f64>() {
                Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
                _ => Err(format!(
                    "{s:?} is not an absence probability; expected a number from 0 to 1, e.g. 0.3"
                )),
            });
            // Checked against the shift; when its end is unusable (reported above), against
            // an open end, so a bad break is still reported in the same pass.
            let breaks = match start {
                // Break date-times with an offset convert to the shifts' reference offset.
                Some(s) => {
                    let cal = Calendar {
                        offset: cal.offset.or(seen.first()),
                        ..*cal
                    };
                    // The shift's end unusable (reported above): checked against the start
                    // only, not against a made-up end.
                    let shift = Shift {
                        start: s,
                        end: end.filter(|e| *e > s),
                        written: (
                            r.cell("shift_start").unwrap_or_default(),
                            r.cell("shift_end").unwrap_or_default(),
                        ),
                    };
                    r.parse(p, "breaks", |b| parse_breaks(b, &cal, shift))
                }
                // The shift's start unusable (reported above): the breaks are still checked on
                // their own (syntax, order, overlaps), against an open day from t = 0.
                None => r.parse(p, "breaks", |b| breaks::breaks_on_their_own(b, cal)),
            };
            // Every row names its agent's queues, capacity, skills and absence alike; a row
            // with other bad cells is compared with whatever of these did parse.
            if let Some(n) = &name {
                let f = match firsts.get_mut(n.as_str()) {
                    Some(f) => f,
                    None => firsts.entry(n.clone()).or_default(),
                };
                f.agree(r, p, n, &queues, &capacity, &skills, &absence);
            }
            // A row whose other cells are bad still takes part in the overlap check (its
            // shift is known), so every problem of the file is listed at once.
            if let (Some(n), Some(s), Some(e)) = (&name, start, end) {
                let bad = queues.is_none()
                    || capacity.is_none()
                    || skills.is_none()
                    || breaks.is_none()
                    || absence.is_none();
                if bad && e > s {
                    start_col.get_or_insert_with(|| r.loc("shift_start").map(|(_, c)| c));
                    unkept.push((n.clone(), s, e, r.line));
                }
            }
            let (
                Some(name),
                Some(queues),
                Some(start),
                Some(end),
                Some(capacity),
                Some(skills),
                Some(breaks),
                Some(absence),
            ) = (name, queues, start, end, capacity, skills, breaks, absence)
            else {
                return;
            };
            if end <= start {
                return;
            }
            let capacity = capacity.unwrap_or(100);
            let skills = skills.unwrap_or_default();
            let absence = absence.unwrap_or(0.0);
            match by_name.get(&name).map(|&i| &mut agents[i]) {
                Some(a) => {
                    // Overlaps are checked once every row is read, per agent in start order
                    // (a scan of the agent's shifts per row was quadratic in its rows).
                    rows[by_name[&name]].push((start, end, r.line));
                    a.shifts.push((start, end));
                    a.breaks.extend(breaks.unwrap_or_default());
                }
                None => {
                    by_name.insert(name.clone(), agents.len());
                    rows.push(vec![(start, end, r.line)]);
                    start_col.get_or_insert_with(|| r.loc("shift_start").map(|(_, c)| c));
                    agents.push(RosterAgent {
                        name,
                        line: r.line,
                        capacity,
                        queues,
                        skills,
                        shifts: vec![(start, end)],
                        breaks: breaks.unwrap_or_default(),
                        absence,
                    })
                }
            }
        },
    );
    // A row may leave `skills` out, before or after the rows that give them: an agent's skills
    // are those its rows give (`agree`), not its first row's (issue 25, twelfth tester).
    for a in &mut agents {
        if let Some(s) = firsts.get_mut(&a.name).and_then(Firsts::skills) {
            a.skills = s;
        }
    }
    // Rows left out join their agent's kept rows, or (an agent with no row kept) each other.
    let mut names: Vec<&str> = agents.iter().map(|a| a.name.as_str()).collect();
    for (n, s, e, line) in &unkept {
        let i = match by_name.get(n) {
            Some(&i) => i,
            None => {
                by_name.insert(n.clone(), names.len());
                rows.push(Vec::new());
                names.push(n);
                names.len() - 1
            }
        };
        rows[i].push((*s, *e, *line));
    }
    for (name, rows) in names.iter().zip(&mut rows) {
        rows.sort_unstable();
        // The shift reaching latest so far (start, end, line): a shift starting before its end
        // overlaps it; both are shown.
        let mut reach: Option<(SimTime, SimTime, u64)> = None;
        for &(start, end, line) in rows.iter() {
            match reach {
                Some((s, e, other)) if start < e => p.at(
                    line,
                    start_col.flatten().map(|c| ("shift_start", c)),
                    format!(
                        "this shift overlaps another shift of agent {name:?} (line {other}): \
                         {} here, {} there",
                        breaks::span(cal, start, end),
                        breaks::span(cal, s, e)
                    ),
                ),
                Some((_, e, _)) if e >= end => {}
                _ => reach = Some((start, end, line)),
            }
        }
    }
    if p.any() {
        return Err(p.finish());
    }
    if let Some(h) = &header {
        super::warn_ignored(&mut p, h, &QUIET);
        lookalike_names(
            &mut p,
            h.col("agent").map_or(1, |c| c + 1),
            &agents,
            &by_name,
        );
    }
    warnings.extend(p.take_warnings());
    for a in &mut agents {
        a.shifts.sort();
        a.breaks.sort();
    }
    Ok(agents)
}

/// Warns (at the later row's `agent` cell, column `col`) of two agents whose names differ only
/// in how Unicode writes them: equal under NFC (an "é" as one code point or as "e" and a
/// combining accent), so they look identical but are two agents. Only an identical name is
/// one agent. Names already in NFC (every ASCII name) cost one check; `by_name` indexes
/// `agents` by name.
fn lookalike_names(
    p: &mut Problems,
    col: usize,
    agents: &[RosterAgent],
    by_name: &HashMap<String, usize>,
) {
    use unicode_normalization::UnicodeNormalization as _;
    // The NFC form of each name not in NFC, to the first agent written so.
    let mut odd: HashMap<String, usize> = HashMap::new();
    for (i, a) in agents.iter().enumerate() {
        if a.name.is_ascii() || unicode_normalization::is_nfc(&a.name) {
            continue;
        }
        let nfc: String = a.name.nfc().collect();
        match by_name.get(&nfc).or_else(|| odd.get(&nfc)) {
            Some(&j) => {
                let (first, later) = if agents[j].line < a.line {
                    (&agents[j], a)
                } else {
                    (a, &agents[j])
                };
                p.warn(
                    later.line,
                    ("agent", col),
                    format!(
                        "agent {:?} looks identical to agent {:?} of line {} but is written \
                         with other Unicode code points (the two are equal under Unicode \
                         normalization, NFC): they are two agents; write the name the same \
                         way on every row if they are one",
                        later.name, first.name, first.line
                    ),
                );
            }
            None => {
                odd.insert(nfc, i);
            }
        }
    }
}

/// Whether `c` is an invisible Unicode format character (general category Cf: a soft hyphen,
/// zero-width spaces and joiners, direction marks and isolates, a byte-order mark): a name
/// holding one looks like the name without it.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{600}'..='\u{605}'
            | '\u{61C}'
            | '\u{6DD}'
            | '\u{70F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// `spanish:4;billing:2` → `[("spanish", 4), ("billing", 2)]`, ratings 1–10.
///
/// Errors: every bad item of the cell at once (not only the first), in cell order, joined by
/// `; `: an item that is not `name:rating` with a rating from 1 to 10, a skill given twice.
pub fn parse_skills(s: &str) -> Result<Vec<(String, u8)>, String> {
    let mut out: Vec<(String, u8)> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for part in s.split(';').map(str::trim).filter(|x| !x.is_empty()) {
        let parsed = part.split_once(':').and_then(|(name, rating)| {
            let rating: u8 = rating.trim().parse().ok()?;
            let name = name.trim();
            (!name.is_empty() && (1..=10).contains(&rating)).then_some((name, rating))
        });
        match parsed {
            None => bad.push(format!("{part:?}")),
            Some((name, _)) if out.iter().any(|(n, _)| n == name) => {
                bad.push(format!("{part:?} (skill {name:?} is given twice)"))
            }
            Some((name, rating)) => out.push((name.to_string(), rating)),
        }
    }
    match bad.len() {
        0 => Ok(out),
        1 if bad[0].contains("given twice") => Err(format!("{}; expected each skill once", bad[0])),
        n => Err(format!(
            "{} {} not a skill; expected name:rating with a rating from 1 to 10, e.g. \
             \"spanish:4\", each skill once",
            bad.join(", "),
            if n == 1 { "is" } else { "are" }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills() {
        assert_eq!(
            parse_skills("spanish:4; billing:2").unwrap(),
            vec![("spanish".to_string(), 4), ("billing".to_string(), 2)]
        );
        assert!(parse_skills("spanish:11").is_err());
        assert!(parse_skills("spanish").is_err());
        // Issue 25, fourth pass (F15c): every bad item at once, not only the first.
        let e = parse_skills("spanish:11;x:0;:3;billing").unwrap_err();
        assert!(
            e.starts_with("\"spanish:11\", \"x:0\", \":3\", \"billing\" are not a skill"),
            "{e}"
        );
        let e = parse_skills("a:1;b:2;a:3;c:99").unwrap_err();
        assert!(
            e.contains("\"a:3\" (skill \"a\" is given twice), \"c:99\""),
            "{e}"
        );
    }

    /// The problems of roster `text` (which must have some) read as `r.csv` without
    /// `[scenario] start`, every queue known; `tag` names its temporary file.
    fn errors(tag: &str, text: &str) -> Vec<String> {
        let path =
            std::env::temp_dir().join(format!("omnisim-roster-{tag}-{}.csv", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let resolve = |_: &str| Ok::<_, String>(crate::model::QueueId(0));
        let e = read_roster(
            &path,
            "r.csv",
            &Calendar::default(),
            &resolve,
            &|_| None,
            &mut Vec::new(),
        );
        let _ = std::fs::remove_file(&path);
        e.unwrap_err().iter().map(|d| d.to_string()).collect()
    }

    /// Issue 25, fourth pass (F15d): a row whose `shift_start` is bad still gets its `breaks`
    /// checked, all in one pass.
    #[test]
    fn a_bad_shift_start_does_not_hide_bad_breaks() {
        let e = errors(
            "bad",
            "agent,queues,shift_start,shift_end,breaks\nann,q,9am,3600,lunch;10:15-10:00\n",
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with("r.csv:2:3: shift_start:"), "{}", e[0]);
        assert!(
            e[1].starts_with("r.csv:2:5: breaks: \"lunch\" is not a break"),
            "{}",
            e[1]
        );
    }

    /// Issue 25, sixth pass: a dated roster without `[scenario] start` reported, beside the
    /// missing start, a valid night break `23:30-00:15` as not ending after it starts. Only
    /// the real error is reported now; a break that is wrong whatever the start still is.
    #[test]
    fn a_night_break_is_not_called_reversed_when_the_shift_start_is_unusable() {
        let e = errors(
            "night",
            "agent,queues,shift_start,shift_end,breaks\n\
             ann,q,2026-03-02T22:00,2026-03-03T06:00,23:30-00:15\n\
             bob,q,2026-03-02T22:00,2026-03-03T06:00,01:00-01:30;00:45-01:15\n",
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with("r.csv:2:3: shift_start: \"2026-03-02T22:00\" is a date-time"));
        assert!(
            e[1].starts_with(
                "r.csv:3:5: breaks: breaks \"00:45-01:15\" and \"01:00-01:30\" overlap"
            ),
            "{}",
            e[1]
        );
        // With a usable start the reversed break is still one.
        let cal = Calendar::parse("2026-03-02T00:00").unwrap();
        let h = 3_600_000;
        let shift = |start: u64, end: u64| Shift {
            start: SimTime(start * h),
            end: Some(SimTime(end * h)),
            written: ("", ""),
        };
        assert!(parse_breaks("10:15-10:00", &cal, shift(9, 17)).is_err());
        assert!(parse_breaks("23:30-00:15", &cal, shift(22, 30)).is_ok());
    }

    /// Issue 27 item 11: shift and break date-times with UTC offsets convert to the file's
    /// first offset (+02:00 here): 07:00Z is 09:00, a break at 10:00+01:00 is 11:00.
    #[test]
    fn roster_offsets_are_converted() {
        let path =
            std::env::temp_dir().join(format!("omnisim-roster-off-{}.csv", std::process::id()));
        std::fs::write(
            &path,
            "agent,queues,shift_start,shift_end,breaks
             ann,q,2026-03-02T08:00+02:00,2026-03-02T14:00Z,2026-03-02T10:00+01:00-2026-03-02T10:30+01:00
",
        )
        .unwrap();
        let cal = Calendar::parse("2026-03-02T07:00").unwrap();
        let resolve = |_: &str| Ok::<_, String>(crate::model::QueueId(0));
        let r = read_roster(&path, "r.csv", &cal, &resolve, &|_| None, &mut Vec::new()).unwrap();
        let _ = std::fs::remove_file(&path);
        let h = 3_600_000;
        assert_eq!(r[0].shifts, vec![(SimTime(h), SimTime(9 * h))]);
        assert_eq!(r[0].breaks, vec![(SimTime(4 * h), SimTime(4 * h + h / 2))]);
    }
}
