//! Runs of identical steps in a story, folded: `explain` writes the first [`SHOWN`] of a run
//! of lines that say the same after their time, then one line with how many more there were
//! and the time of the last (issue 25, thirteenth pass: a policy refused 10,000 times in a row
//! printed 10,000 identical lines). Used for every story, a conversation's and an agent's.
//!
//! Key items: [`Fold`] (a writer that folds as the story streams through it, holding one
//! line), [`fold_text`] (the same for a story already in memory).

use std::io::Write;

/// Lines of a run of identical steps written before the rest are folded into a count.
pub(super) const SHOWN: u64 = 3;

/// A writer that passes a story's lines to `out`, folding each run of lines identical but
/// for their first word (the time: `0:02:54` or `2026-03-02T07:00:00`) after [`SHOWN`] of
/// them into one line: `… and 9,997 more the same, the last at 0:02:54`. Flushing ends the
/// story (writes a run's count still open): call [`Write::flush`] once, at the end.
pub(super) struct Fold<W: Write> {
    out: W,
    /// Bytes of a line not yet ended.
    partial: Vec<u8>,
    /// The last line written, without its time.
    last: Option<String>,
    /// Lines identical to `last` seen after it.
    repeats: u64,
    /// Of those, the ones not written, and the time of the last of them.
    hidden: u64,
    hidden_at: String,
}

impl<W: Write> Fold<W> {
    /// A folding writer over `out`.
    pub(super) fn new(out: W) -> Self {
        Fold {
            out,
            partial: Vec::new(),
            last: None,
            repeats: 0,
            hidden: 0,
            hidden_at: String::new(),
        }
    }

    /// The writer under it (flush first).
    pub(super) fn into_inner(self) -> W {
        self.out
    }

    fn line(&mut self, line: &[u8]) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(line);
        let (at, rest) = text.split_once(' ').unwrap_or(("", &text));
        if !rest.is_empty() && self.last.as_deref() == Some(rest) {
            self.repeats += 1;
            if self.repeats >= SHOWN {
                self.hidden += 1;
                at.clone_into(&mut self.hidden_at);
                return Ok(());
            }
        } else {
            self.count()?;
            self.last = Some(rest.to_string());
            self.repeats = 0;
        }
        self.out.write_all(line)?;
        self.out.write_all(b"\n")
    }

    /// Writes the count of the run's lines not written, if any.
    fn count(&mut self) -> std::io::Result<()> {
        if self.hidden > 0 {
            writeln!(
                self.out,
                "… and {} more the same, the last at {}",
                grouped(self.hidden),
                self.hidden_at
            )?;
            self.hidden = 0;
        }
        Ok(())
    }
}

impl<W: Write> Write for Fold<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            if self.partial.is_empty() {
                self.line(&rest[..i])?;
            } else {
                self.partial.extend_from_slice(&rest[..i]);
                let line = std::mem::take(&mut self.partial);
                self.line(&line)?;
            }
            rest = &rest[i + 1..];
        }
        self.partial.extend_from_slice(rest);
        Ok(buf.len())
    }

    /// Ends the story: the open run's count, then any unended line.
    fn flush(&mut self) -> std::io::Result<()> {
        self.count()?;
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.out.write_all(&line)?;
        }
        self.out.flush()
    }
}

/// `text` (a whole story) with its runs of identical steps folded as [`Fold`] does.
pub(super) fn fold_text(text: &str) -> String {
    let mut f = Fold::new(Vec::new());
    // Writing to memory does not fail.
    let _ = f.write_all(text.as_bytes()).and_then(|_| f.flush());
    String::from_utf8_lossy(&f.into_inner()).into_owned()
}

/// `n` with a comma between thousands: `9990` → `9,990`.
pub(super) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 25, thirteenth pass: a run of identical steps shows its first three and a count
    /// with the last one's time; lines that differ (another time is not a difference) end a
    /// run; a run of three or fewer is written whole.
    #[test]
    fn runs_of_identical_steps_are_folded_with_their_count() {
        let mut text = String::from("Conversation 2, replication 1:\n0:01:00 arrived\n");
        for s in 0..10_000 {
            text.push_str(&format!(
                "0:0{}:{:02} s tried: refused\n",
                2 + s / 6000,
                s / 100 % 60
            ));
        }
        text.push_str("0:03:40 s gave up\n0:04:00 x\n0:04:01 x\n0:04:02 x\n0:04:03 y\n");
        let folded = fold_text(&text);
        assert_eq!(
            folded,
            "Conversation 2, replication 1:\n0:01:00 arrived\n0:02:00 s tried: refused\n\
             0:02:00 s tried: refused\n0:02:00 s tried: refused\n\
             … and 9,997 more the same, the last at 0:03:39\n0:03:40 s gave up\n\
             0:04:00 x\n0:04:01 x\n0:04:02 x\n0:04:03 y\n"
        );
        // The same through the streaming writer, written in pieces that cut lines anywhere.
        let mut f = Fold::new(Vec::new());
        for chunk in text.as_bytes().chunks(7) {
            f.write_all(chunk).unwrap();
        }
        f.flush().unwrap();
        assert_eq!(String::from_utf8(f.into_inner()).unwrap(), folded);
        // A run open at the end is counted too.
        assert_eq!(
            fold_text("1 a\n2 a\n3 a\n4 a\n5 a\n"),
            "1 a\n2 a\n3 a\n… and 2 more the same, the last at 5\n"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(9990), "9,990");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
