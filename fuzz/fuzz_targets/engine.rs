//! Fuzz target: bytes → a small engine and a command sequence; no panic, invariants after every
//! command, refusals change nothing. See `omnisim::harness::engine_bytes`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = omnisim::harness::engine_bytes(data) {
        panic!("engine harness: {e}");
    }
});
