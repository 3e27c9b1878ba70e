//! omnisim's integration tests, one binary grouped by topic.

mod engine_props;
mod faults;
mod figures;
mod fuzz_replay;
mod limits;
mod load;
mod overflow;
mod policies;
mod reports;
mod route_queue;
mod rules;
mod signals;
mod sim;
mod skills;
mod support;
mod validation;
mod workflows;
