//! omnisim's integration tests, one binary grouped by topic.

mod engine_props;
mod load;
mod policies;
mod reports;
mod rules;
mod sim;
mod support;
mod validation;
mod workflows;
