//! Small English text helpers shared by every layer that writes messages for people (scenario
//! diagnostics and warnings, reports): a count with its noun; the edit distance of "did you
//! mean" hints (`scenario::suggest`, the CSV readers' column names in `traffic`); weekday
//! names; user numbers in messages (`number`, `whole`: scientific notation beyond 1e9).
//!
//! `path`: metric paths into a JSON report, a key in double quotes taken whole.
//!
//! A foundation module: it imports nothing from the crate.

pub mod path;

/// A count with its noun, singular for exactly one: `plural(1, "agent")` → `1 agent`,
/// `plural(3, "agent")` → `3 agents`, `plural(0, "agent")` → `0 agents`. The plural adds an
/// `s`; nouns that do not (none used yet) need their own words.
pub(crate) fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// As [`plural`] for a figure already formatted as `text` (e.g. `13.5` agents): singular only
/// when it reads exactly `1`.
pub(crate) fn plural_text(text: &str, noun: &str) -> String {
    if text == "1" {
        format!("1 {noun}")
    } else {
        format!("{text} {noun}s")
    }
}

/// How `fit` and `forecast` name a first (`last` false) or last day cut short by the export,
/// in one wording: the interval holding the day's first (last) traffic against the median
/// day's, each `(start, end)` as `HH:MM` (`24:00` for midnight at the end). Issue 25,
/// fourteenth session: `fit` said a day "ends at 00:00" (its last arrival's minute) where
/// `forecast` said "ends at 00:30" (its last interval's end) for the same day.
pub fn cut_day(last: bool, date: &str, day: (&str, &str), median: (&str, &str)) -> String {
    let edge = if last { "last" } else { "first" };
    format!(
        "the {edge} day, {date}, has its {edge} traffic in {}–{} while the median day has its \
         {edge} in {}–{}",
        day.0, day.1, median.0, median.1
    )
}

/// Milliseconds as seconds, shortest exact form: `12`, `12.5`, `12.345`.
pub fn seconds(ms: u64) -> String {
    let (s, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        return s.to_string();
    }
    let f = format!("{frac:03}");
    format!("{s}.{}", f.trim_end_matches('0'))
}

/// Numbers beyond this magnitude are written in scientific notation by [`number`] and
/// [`whole`] (a mistyped exponent such as `1e308` would otherwise print 309 digits).
pub(crate) const SCIENTIFIC_BEYOND: f64 = 1e9;

/// A user's number in a message, as Rust's `{}` writes it (`12.5`, `100`, `1000000000`) up to
/// [`SCIENTIFIC_BEYOND`] in magnitude, else with three decimals of scientific notation
/// (`1.000e308`); NaN and infinities as `{}` writes them.
pub(crate) fn number(x: f64) -> String {
    if x.is_finite() && x.abs() > SCIENTIFIC_BEYOND {
        format!("{x:.3e}")
    } else {
        format!("{x}")
    }
}

/// As [`number`], rounded to a whole number (`{:.0}`) up to [`SCIENTIFIC_BEYOND`].
pub(crate) fn whole(x: f64) -> String {
    if x.is_finite() && x.abs() > SCIENTIFIC_BEYOND {
        format!("{x:.3e}")
    } else {
        format!("{x:.0}")
    }
}

/// The Levenshtein distance between `a` and `b`, in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Weekday names, Monday first (the weekday index `fit` and `forecast` use, Monday = 0).
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[cfg(test)]
mod tests {
    use super::{number, whole};

    #[test]
    fn numbers_beyond_1e9_are_scientific() {
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(1e9), "1000000000");
        assert_eq!(number(1e308), "1.000e308");
        assert_eq!(number(-1e300), "-1.000e300");
        assert_eq!(whole(555555.6), "555556");
        assert_eq!(whole(5.555e304), "5.555e304");
        assert_eq!(number(f64::INFINITY), "inf");
    }
}
