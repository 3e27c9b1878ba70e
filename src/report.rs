//! Reports: one [`Summary`] model built from a run, rendered as `summary.json`, a terminal table,
//! CSV time series and an HTML page. Renderers compute nothing; they format the model.

pub mod compare;
pub mod compare_table;
pub mod junit;
mod summary;
pub mod table;

pub use summary::*;
