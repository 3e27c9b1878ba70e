//! Scenario files: TOML → validated [`Scenario`].
mod types;
pub use types::*;
