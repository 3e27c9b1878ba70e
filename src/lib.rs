//! omnisim: a discrete-event simulator and load-testing harness for the monitor & assign rules
//! engine of an omnichannel customer-service center.
//!
//! # Tour
//!
//! - [`model`]: the domain vocabulary (ids, channels, presence, conversation states).
//! - [`engine`]: the rules engine. It owns the live state, takes commands with the caller's
//!   `now`, and answers each with its effects or a refusal naming a rule id. No clock, no I/O,
//!   no randomness.
//! - [`scenario`]: TOML scenario files → a validated [`scenario::Scenario`], every problem
//!   reported at once.
//! - [`kernel`]: the discrete-event core (integer time, events ordered by time then insertion).
//! - [`rng`] and [`dist`]: portable seeded random streams and the scenario's distributions.
//! - [`stats`]: confidence intervals across replications; Erlang C and Erlang A formulas.
//! - [`time`]: integer simulated time and duration strings.
//! - [`trace`] and [`explain`]: the `trace.jsonl` line of `run --trace` and the stories
//!   `omnisim explain` tells from it.
//!
//! # Same-time events
//!
//! Simulated time is an integer number of milliseconds. Events scheduled for the same instant run
//! in the order they were scheduled (first in, first out), so results never depend on heap
//! internals.
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub mod calendar;
pub mod cli;
pub mod conform;
pub mod diag;
pub mod dist;
pub mod engine;
pub mod erlang;
pub mod explain;
pub mod fit;
pub mod forecast;
pub mod harness;
pub mod kernel;
pub mod load;
pub mod metrics;
pub mod model;
pub mod policy;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod service;
pub mod setup;
pub mod sim;
pub mod staffing;
pub mod stats;
pub mod text;
pub mod time;
pub mod trace;
pub mod traffic;
pub mod workflows;
pub mod worklog;
