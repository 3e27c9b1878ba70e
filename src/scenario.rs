//! Scenario files: TOML → validated [`Scenario`], every problem reported at once.
//!
//! Key items: [`load_file`] and [`load_str`] return a [`Scenario`] or a [`LoadError`] listing
//! every [`Diagnostic`] (file, key path, line:column, message, hint); [`load_file_with`] and
//! [`load_str_with`] take [`LoadOptions`] (`allow_huge` lifts the size limits).
//!
//! ```
//! let err = omnisim::scenario::load_str("[scenario]\nname = \"x\"\nhorizon = 5\n", "s.toml")
//!     .unwrap_err();
//! assert!(err.to_string().contains("s.toml:3:11: scenario.horizon: expected a duration string"));
//! ```
mod agents;
mod arrivals;
mod available;
mod chat;
mod compound_keys;
mod cycles;
mod diag;
mod groups;
mod limits;
mod lint;
mod load;
mod loops;
pub(crate) mod metric_paths;
mod mixed;
mod moves;
mod never_acts;
mod overflow;
mod queue_memory;
mod reach;
mod refusals;
mod routing;
mod rule_checks;
mod rulesets;
mod sections;
mod shifts;
mod spanned;
pub(crate) mod suggest;
mod supervisors;
mod thresholds;
mod timed;
mod traffic;
mod types;
mod waits;

pub use diag::{Diagnostic, LoadError};
pub use limits::{
    expected_arrivals, memberships, replication_override_problems, LoadOptions,
    BYTES_PER_MEMBERSHIP, MAX_AGENTS, MAX_ATTRIBUTE_COMBINATIONS, MAX_EXPECTED_ARRIVALS,
    MAX_HORIZON_DAYS, MAX_MEMBERSHIPS, MAX_RATE_PER_S, MAX_REPLICATIONS, MAX_TIMES,
    WARN_MEMBERSHIPS,
};
pub use lint::{warnings, Warning};
pub use load::{load_file, load_file_with, load_str, load_str_cached, load_str_with};
pub use loops::MAX_ROUNDS_PER_ARRIVAL;
pub use metric_paths::{
    is_known_metric, MetricScope, QueueScope, FIXED as METRIC_PATHS, OVERFLOW_KINDS, QUEUE_LEAVES,
};
pub use overflow::{
    before_queue_rule, closes_out_of_hours, is_open, weekday_minute, OperatingHours,
    OverflowAction, OverflowRule, OverflowWhen,
};
pub use queue_memory::{
    queue_bytes, BYTES_PER_QUEUE, BYTES_PER_QUEUE_REPLICATION, MAX_QUEUE_BYTES, WARN_QUEUE_BYTES,
};
pub use routing::{Attribute, Classification, Condition, QueueTarget, RouteRule, WsRouting};
pub use rulesets::{AssignmentRuleSpec, PriorityRule};
pub use shifts::{
    load_shifts_file, load_shifts_str, parse_clock, ShiftTemplate, DEFAULT_BREAK_WINDOW,
};
pub(crate) use suggest::closest;
pub use timed::{MAX_TIMED_EVENTS, WARN_TIMED_EVENTS};
pub use types::*;
