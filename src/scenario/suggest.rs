//! "Did you mean …?" hints: the candidate that differs from the word only in case, else the
//! closest by edit distance. Every suggestion site (scenario keys and values, queue, group,
//! agent and skill names, metric paths, CSV columns, command-line values) goes through
//! [`closest`].

pub(crate) use crate::text::edit_distance;

/// The candidate closest to `word`, if it is close enough to be a likely typo: first one
/// equal to it but for case (`C` means `c`, not `a`), else the least edit distance ignoring
/// case (at most a third of the word's length, at least 2), ties going to the least exact
/// distance, then to the first; else the only candidate `word` (4 or more characters) begins.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let lower = word.to_lowercase();
    if let Some(c) = candidates.iter().find(|c| c.to_lowercase() == lower) {
        return Some(c);
    }
    let by_distance = candidates
        .iter()
        .map(|c| {
            let d = edit_distance(&lower, &c.to_lowercase());
            (d, edit_distance(word, c), *c)
        })
        .filter(|(d, _, _)| *d <= limit)
        .min_by_key(|(d, exact, _)| (*d, *exact))
        .map(|(_, _, c)| c);
    // A shortened key (`waited` for `waited_at_least`) is a likely slip too.
    by_distance.or_else(|| {
        let mut prefixed = candidates
            .iter()
            .filter(|c| word.chars().count() >= 4 && c.starts_with(word));
        match (prefixed.next(), prefixed.next()) {
            (Some(c), None) => Some(*c),
            _ => None,
        }
    })
}

/// The names an "unknown …; expected one of" message lists: each once, empty ones left out (a
/// section with a duplicate or empty name is already reported at its key and must not show up
/// as `""` in the list of known names).
pub(crate) fn distinct_names<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    for &n in names {
        if !n.is_empty() && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// Quotes and joins names: `"a", "b", "c"`.
pub(crate) fn quoted_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("handel_time", "handle_time"), 2);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn typos_find_their_key() {
        let keys = ["handle_time", "wrap_up_time", "patience"];
        assert_eq!(closest("handel_time", keys), Some("handle_time"));
        assert_eq!(closest("patiense", keys), Some("patience"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(
            closest("waited", ["waited_at_least", "limit"]),
            Some("waited_at_least")
        );
        assert_eq!(closest("webchat", ["web-chat", "email"]), Some("web-chat"));
    }

    /// Issue 25, thirteenth pass (tester: key `C` suggested "a" while `c` exists): a
    /// candidate equal but for case comes first, wherever it is in the list; otherwise case
    /// costs nothing (`Handel_Time` is one slip from `handle_time`, not four).
    #[test]
    fn a_match_but_for_case_comes_first() {
        assert_eq!(closest("C", ["a", "b", "c"]), Some("c"));
        assert_eq!(closest("c", ["A", "C"]), Some("C"));
        assert_eq!(closest("Support", ["sales", "support"]), Some("support"));
        assert_eq!(
            closest("Handel_Time", ["wrap_up_time", "handle_time"]),
            Some("handle_time")
        );
        assert_eq!(closest("AB", ["ax", "Ax"]), Some("Ax"));
    }

    #[test]
    fn lists_are_quoted() {
        assert_eq!(quoted_list(["a", "b"]), "\"a\", \"b\"");
    }

    #[test]
    fn known_names_are_listed_once_without_empty_ones() {
        assert_eq!(distinct_names(&["q", ""]), vec!["q"]);
        assert_eq!(distinct_names(&["q", "", "r", "r", "q"]), vec!["q", "r"]);
    }
}
