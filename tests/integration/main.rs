//! omnisim's integration tests, one binary grouped by topic.

mod engine_props;
mod rules;
mod support;
mod validation;
mod workflows;
