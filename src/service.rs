//! The rules engine as a service (`omnisim serve`): the scenario's engine behind a small
//! versioned JSON protocol ([`protocol`], `docs/protocol.md`), over HTTP/1.1 on a loopback
//! address ([`http`]) or as JSON lines on standard input and output ([`stdio`]).
//!
//! Key items: [`Session`] (one engine, its simulated clock and its counters; every request of
//! either framing is answered by it), [`protocol`] (the wire messages), [`serve_stdio`],
//! [`serve_http`]; [`client`] (a remote engine over HTTP or as a JSON-lines subprocess:
//! [`connect`], [`Client`]).
//!
//! Layering: this module reads `setup`, `scenario`, `engine`, `model` and `time`; it is below
//! the drivers (so a driver can one day speak the protocol to a remote engine) and never reads
//! `sim`, `load`, `report` or `cli` (see ARCHITECTURE.md).

mod broken;
pub mod client;
pub mod http;
pub mod protocol;
pub mod remote;
mod session;
pub mod stdio;
mod views;

pub use client::{connect, Client, ClientError, EngineSpec};
pub use http::serve_http;
pub use session::{ProtoError, Session};
pub use stdio::serve_stdio;
pub use views::{AgentRow, AgentsView, ConversationRow, ConversationsView, SetupTag, SetupView};
