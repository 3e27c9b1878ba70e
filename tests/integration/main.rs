//! omnisim's integration tests, one binary grouped by topic.

mod chat;
mod engine_props;
mod erlang;
mod explain;
mod faults;
mod figures;
mod fuzz_replay;
mod leftovers;
mod limits;
mod load;
mod load_omission;
mod overflow;
mod policies;
mod reports;
mod route_queue;
mod rules;
mod scale;
mod signals;
mod sim;
mod skills;
mod staffing;
mod support;
mod traffic;
mod validation;
mod workflows;
