//! Workflows built on runs: A/B comparison with common random numbers ([`ab`]), parameter
//! sweeps with a target search ([`sweep`], over TOML-level [`overrides`]), and sharded runs with
//! a lossless merge ([`shard`]), and sharded sweeps merged the same way ([`sweep_shard`]). The
//! command line calls these; they print nothing.

pub mod ab;
pub mod ab_html;
pub mod grid;
pub mod inputs;
pub mod overrides;
pub mod shard;
pub mod sweep;
pub mod sweep_precision;
pub mod sweep_render;
pub mod sweep_shard;
pub mod target;
