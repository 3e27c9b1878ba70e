//! Reports: one [`Report`] model built from a run, rendered as `summary.json`, a terminal
//! summary, CSV time series and a self-contained HTML page. Renderers compute nothing; they
//! format the model.
//!
//! Key items: [`Report`] ([`Report::build`]), [`Summary`] (`summary.json`), [`terminal`],
//! [`csv`], [`html`], [`write_all`] (every file, each written atomically).
//!
//! ```no_run
//! use omnisim::{report, scenario, sim};
//! let sc = scenario::load_file("scenarios/demo.toml".as_ref()).unwrap();
//! let out = sim::run(&sc, &sim::RunOptions::default(), &|_, _, _| {});
//! let rep = report::Report::build(&sc, &out);
//! print!("{}", report::terminal::render(&rep));
//! report::write_all("reports/demo".as_ref(), &rep).unwrap();
//! ```

pub mod compare;
pub mod compare_stats;
pub mod compare_table;
pub mod csv;
mod dashboard;
mod files;
pub(crate) mod format;
pub mod html;
mod html_routing;
pub mod junit;
pub mod log;
mod model;
mod summary;
mod summary_ci;
mod summary_field;
pub mod summary_reps;
pub(crate) mod svg;
pub mod table;
mod tenths;
pub mod terminal;

pub use files::{write_all, write_atomic, write_atomic_with, FILES};
pub use format::NO_DATA;
pub use model::*;
pub use summary::*;
pub use summary_reps::rep_values;
