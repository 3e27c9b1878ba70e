//! Small English text helpers shared by every layer that writes messages for people (scenario
//! diagnostics and warnings, reports): a count with its noun.
//!
//! A foundation module: it imports nothing from the crate.

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

/// Milliseconds as seconds, shortest exact form: `12`, `12.5`, `12.345`.
pub fn seconds(ms: u64) -> String {
    let (s, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        return s.to_string();
    }
    let f = format!("{frac:03}");
    format!("{s}.{}", f.trim_end_matches('0'))
}
