//! omnisim's integration tests, one binary grouped by topic.
mod reports;
mod validation;
