//! Quoting user text in messages: a cell or header longer than [`SHOWN_CHARS`] characters is
//! cut to its first [`SHOWN_CHARS`] and its length (a 30 MB header line and a 20 MB cell were
//! quoted whole, issue 25). [`shown`] for one text, [`cut_quoted`] for every quoted string of
//! a finished message (each CSV reader's problems and warnings go through it).

/// At most this many characters of a header are quoted in a message: a file that is one huge
/// line is all header (a 30 MB line was quoted whole, once per missing column).
pub const SHOWN_CHARS: usize = 200;

/// `text` as a message quotes it: whole when at most [`SHOWN_CHARS`] characters, else its
/// first [`SHOWN_CHARS`], `…` and its length in characters.
pub fn shown(text: &str) -> String {
    match cut(text) {
        None => text.to_string(),
        Some((head, n)) => format!("{head}… ({n} characters in all)"),
    }
}

/// `text`'s first [`SHOWN_CHARS`] characters and its length in characters, when it is longer;
/// `None` when it is short enough to quote whole. The one cut of [`shown`] and [`cut_quoted`].
fn cut(text: &str) -> Option<(&str, usize)> {
    let (i, _) = text.char_indices().nth(SHOWN_CHARS)?;
    Some((&text[..i], text.chars().count()))
}

/// `message` with every double-quoted string in it (a cell quoted as `{s:?}` writes one) that
/// is longer than [`SHOWN_CHARS`] characters cut as [`shown`] cuts it, the quote closed after
/// the cut: `"999…"… (20000000 characters in all)`. Every CSV reader's problem and warning
/// goes through it (`Problems::at`, `Problems::warn`), so a 20 MB cell is not quoted whole
/// (issue 25, eleventh tester). Short messages come back unchanged, at no cost.
pub fn cut_quoted(message: String) -> String {
    if message.len() <= SHOWN_CHARS {
        return message;
    }
    let mut out = String::new();
    let mut rest = message.as_str();
    while let Some(i) = rest.find('"') {
        out.push_str(&rest[..=i]);
        let body = &rest[i + 1..];
        // The closing quote: the next one not escaped by a backslash.
        let mut escaped = false;
        let end = body.char_indices().find_map(|(j, c)| {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => return Some(j),
                _ => {}
            }
            None
        });
        let Some(j) = end else {
            out.push_str(body);
            return out;
        };
        let inner = &body[..j];
        match cut(inner) {
            None => {
                out.push_str(inner);
                out.push('"');
            }
            Some((head, n)) => {
                // Not ending inside an escape (`\"` would read as an escaped quote).
                let head = head.trim_end_matches('\\');
                out.push_str(&format!("{head}\"… ({n} characters in all)"));
            }
        }
        rest = &body[j + 1..];
    }
    out.push_str(rest);
    out
}
