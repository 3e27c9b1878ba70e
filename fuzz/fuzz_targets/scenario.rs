//! Fuzz target: any bytes as a scenario file → a clear error or a valid scenario (small valid
//! ones are simulated with every invariant checked). See `omnisim::harness::scenario_bytes`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = omnisim::harness::scenario_bytes(data) {
        panic!("scenario harness: {e}");
    }
});
