//! omnisim's integration tests, one binary grouped by topic.
mod policies;
mod sim;
mod validation;
