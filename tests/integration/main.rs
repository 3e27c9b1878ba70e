//! omnisim's integration tests, one binary grouped by topic.
mod load;
mod validation;
