//! Property tests for the engine: long random sequences of legal and illegal commands against
//! random worlds and configs. After every command the invariants hold, a refused command leaves
//! the engine equal to its state before (and reports no effect), and conversations are conserved
//! (arrived = closed + live, also as counted from the effects).
//!
//! The checks and the decoding of bytes into an engine setup and commands (biased towards live
//! conversations in the right state and towards pending invitations, with closed ones and
//! made-up ids mixed in) are `omnisim::harness::engine_bytes`, the same code the coverage-guided
//! fuzz target runs; here proptest feeds it random byte strings of 200–800 commands.

use proptest::prelude::*;

use omnisim::harness::engine_bytes;

/// Bytes a setup takes at most before the commands start (generously).
const SETUP_BYTES: usize = 128;
/// Bytes one command takes.
const COMMAND_BYTES: usize = 5;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_command_sequences_keep_every_invariant(
        data in prop::collection::vec(any::<u8>(), SETUP_BYTES + 200 * COMMAND_BYTES..SETUP_BYTES + 800 * COMMAND_BYTES)
    ) {
        if let Err(e) = engine_bytes(&data) {
            prop_assert!(false, "{e}");
        }
    }

    /// Mostly-constant inputs steer the decoder into repeating one command kind against one
    /// target, the shape that found the reassignment bug.
    #[test]
    fn repetitive_sequences_keep_every_invariant(
        seed in prop::collection::vec(any::<u8>(), 16..64),
        len in 1_000usize..4_000,
    ) {
        let data: Vec<u8> = (0..len).map(|i| seed[i % seed.len()]).collect();
        if let Err(e) = engine_bytes(&data) {
            prop_assert!(false, "{e}");
        }
    }
}
