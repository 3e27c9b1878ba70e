//! The monitor & assign rules engine.
mod config;
pub use config::{EngineConfig, Overallocation};
