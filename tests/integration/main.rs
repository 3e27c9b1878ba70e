//! omnisim's integration tests, one binary grouped by topic.

mod engine_props;
mod faults;
mod fuzz_replay;
mod limits;
mod load;
mod policies;
mod reports;
mod rules;
mod signals;
mod sim;
mod support;
mod traffic;
mod validation;
mod workflows;
