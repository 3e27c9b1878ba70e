//! The command-count cap of one batch ([`MAX_BATCH_COMMANDS`]), checked on the request's bytes
//! before anything is built from them: a body within the byte cap can still hold a million
//! small commands, whose JSON tree takes tens of times the body's size (a 48 MB body of 1.5 M
//! arrivals grew the server to 2.1 GB). [`count_commands`] counts the `commands` array without
//! keeping its elements.

use std::fmt;

use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;

/// Most commands one request (`POST /v1/commands`, a `"commands"` JSON line) may carry; a
/// larger batch is refused with status 413 before it is read. `load --engine` sends at most
/// `--batch` (1,024 by default) per request.
pub const MAX_BATCH_COMMANDS: usize = 100_000;

/// Bodies up to this many bytes are not scanned: a command takes at least 12 bytes
/// (`{"type":"x"}`), so they cannot hold more than [`MAX_BATCH_COMMANDS`] of them (the hot path
/// of `load --engine` pays nothing).
pub const SCAN_FROM: usize = 1 << 20;

/// How many elements the `commands` array of the JSON object `body` holds, counted without
/// building them; `None` when `body` is not such an object (the full reading then says why).
pub fn count_commands(body: &[u8]) -> Option<usize> {
    #[derive(Deserialize)]
    struct Count {
        #[serde(default, deserialize_with = "count_seq")]
        commands: usize,
    }
    serde_json::from_slice::<Count>(body)
        .ok()
        .map(|c| c.commands)
}

fn count_seq<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    struct Counter;
    impl<'de> Visitor<'de> for Counter {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut n = 0;
            while seq.next_element::<IgnoredAny>()?.is_some() {
                n += 1;
            }
            Ok(n)
        }
    }
    d.deserialize_seq(Counter)
}

/// The refusal (status 413) of a request `body` whose `commands` array holds more than
/// [`MAX_BATCH_COMMANDS`]; `None` for any other body (bodies up to [`SCAN_FROM`] bytes are not
/// scanned).
pub fn too_many_commands(body: &[u8]) -> Option<String> {
    if body.len() <= SCAN_FROM {
        return None;
    }
    let n = count_commands(body).filter(|&n| n > MAX_BATCH_COMMANDS)?;
    Some(format!(
        "a batch holds at most {MAX_BATCH_COMMANDS} commands; this one has {n}: send it in \
         several requests"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_without_building() {
        assert_eq!(
            count_commands(br#"{"now_ms":1,"commands":[{"type":"arrive"},{"x":[1,2]},3]}"#),
            Some(3)
        );
        assert_eq!(count_commands(br#"{"op":"health"}"#), Some(0));
        assert_eq!(count_commands(br#"{"commands":5}"#), None);
        assert_eq!(count_commands(b"not json"), None);
        let mut big = br#"{"now_ms":0,"commands":["#.to_vec();
        for _ in 0..=MAX_BATCH_COMMANDS {
            big.extend_from_slice(br#"{"type":"arrive","queue":0},"#);
        }
        big.pop();
        big.extend_from_slice(b"]}");
        let e = too_many_commands(&big).unwrap();
        assert!(
            e.contains("at most 100000 commands; this one has 100001"),
            "{e}"
        );
        assert_eq!(too_many_commands(br#"{"commands":[]}"#), None);
    }
}
