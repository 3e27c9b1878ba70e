//! The rules engine as a service (`omnisim serve`): the scenario's engine behind a small
//! versioned JSON protocol ([`protocol`], `docs/protocol.md`), over HTTP/1.1 on a loopback
//! address ([`http`]) or as JSON lines on standard input and output ([`stdio`]).
//!
//! Key items: [`Session`] (one engine, its simulated clock and its counters; every request of
//! either framing is answered by it), [`protocol`] (the wire messages), [`serve_stdio`],
//! [`serve_http`]; [`client`] (the one client of a remote engine, over HTTP or as a JSON-lines
//! subprocess: [`Client`], used by `conform` and by `run --engine` / `load --engine`).
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

pub use client::{Client, ClientError, EngineSpec, SpecError};
pub use http::serve_http;
pub use session::{ProtoError, Session};
pub use stdio::serve_stdio;
pub use views::{AgentRow, AgentsView, ConversationRow, ConversationsView, SetupTag, SetupView};

/// Makes a write to a pipe whose reader is gone an error (`EPIPE`) instead of a fatal SIGPIPE,
/// for the rest of the process. `main` restores SIGPIPE's default (so `omnisim … | head` ends
/// quietly); a client that starts an engine subprocess calls this first, so an engine that
/// exits early (`--engine "cmd:echo hello"`) is a named failure (exit 2), not a silent death
/// by signal.
pub(crate) fn ignore_broken_pipes() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: setting a signal's disposition to SIG_IGN installs no handler code; it is
        // process-wide and idempotent.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
    });
}
