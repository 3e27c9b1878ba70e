//! What a run measures: counters, HdrHistogram latencies, time-weighted gauges and interval
//! series (15 minutes up to a 30-day horizon, wider beyond: at most 2,880 intervals), recorded by the simulator as effects happen.
//!
//! Key types: [`Recorder`] (one per replication, fed by the simulator), [`RepMetrics`] (what a
//! finished replication hands to reports), [`TimeWeighted`] (an integer integral of a level
//! over time, split by interval), [`LogHistogram`] (a small fixed-bucket histogram for
//! per-interval percentiles).
//!
//! All time integrals are exact integers (units × milliseconds in `u128`), so a 30-day run loses
//! no precision.

mod agent;
mod chat;
mod gauge;
mod interval;
mod lazyhist;
mod loghist;
pub mod lossless;
mod quantile;
mod recorder;
mod rep_figures;
mod routing;
mod service_level;

pub use agent::AgentStats;
pub use chat::{ChatStats, Durations, Invitations, QueueChat};
pub use gauge::TimeWeighted;
pub use interval::{interval_for, INTERVAL, MAX_INTERVALS};
pub use lazyhist::LazyHist;
pub use loghist::LogHistogram;
pub use quantile::{add_histogram, hdr_quantile};
pub use recorder::{Interval, QueueStats, Recorder, RepMetrics, SourceStats, ACTION_KINDS};
pub use routing::RoutingCounts;
pub use service_level::{SlCounts, SlDefinition};
