//! omnisim's integration tests, one binary grouped by topic.

mod engine_props;
mod erlang;
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
mod validation;
mod workflows;
