//! `omnisim serve SCENARIO [--listen 127.0.0.1:7070] [--stdio]`: the scenario's rules engine as
//! a service (`docs/protocol.md`). Over HTTP it prints the bound address on standard output
//! first (`listening on http://127.0.0.1:PORT`; `--listen 127.0.0.1:0` picks a free port) and
//! serves until SIGINT or SIGTERM; with `--stdio` it answers JSON lines until end of input.
//!
//! Exit codes: 0 stopped cleanly (with `--stdio`, end of input) · 130 stopped by SIGINT or
//! SIGTERM, as every command (over HTTP within a tenth of a second; with `--stdio` at once,
//! even while waiting for a line) · 2 bad input (scenario, a `--listen` that is not a loopback
//! `IP:PORT`, a port that cannot be bound).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::service::{serve_http, serve_stdio, Session};

use super::error::{CliError, CmdResult};
use super::{load, stop_flag, EXIT_OK};

/// `omnisim serve` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// The scenario file.
    scenario: PathBuf,
    /// The loopback address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:7070")]
    listen: String,
    /// Speak JSON lines on standard input and output instead of HTTP.
    #[arg(long)]
    stdio: bool,
    /// Accept a scenario beyond the size limits or the loop limits (as `run --allow-huge`).
    #[arg(long)]
    allow_huge: bool,
}

/// Runs the command; see the module docs for the exit codes.
pub(crate) fn run(a: ServeArgs) -> CmdResult {
    let sc = load(&a.scenario, a.allow_huge, None)?;
    let mut session = Session::new(sc);
    // Test-only (tests/integration/conform.rs): answer as an engine that breaks one rule.
    if let Ok(rule) = std::env::var("OMNISIM_TEST_BREAK_RULE") {
        session
            .break_rule(&rule)
            .map_err(|e| CliError::bad(format!("OMNISIM_TEST_BREAK_RULE: {e}")))?;
        eprintln!(
            "warning: serve answers as an engine that breaks {rule} (OMNISIM_TEST_BREAK_RULE)"
        );
    }
    if a.stdio {
        // Answered on a thread of its own: this one watches the stop flag, so a signal ends
        // serve at once even while it waits for a line or answers a long batch.
        let stop = stop_flag();
        let worker = std::thread::spawn(move || {
            serve_stdio(
                &mut session,
                std::io::stdin().lock(),
                std::io::stdout().lock(),
            )
        });
        while !worker.is_finished() {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(CliError::Interrupted(
                    "serve --stdio stopped by a signal; the request being answered, if any, was abandoned"
                        .into(),
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        return match worker.join() {
            Ok(Ok(())) => Ok(EXIT_OK),
            // The reader went away (a closed pipe): nothing more to answer.
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(EXIT_OK),
            Ok(Err(e)) => Err(CliError::bad(format!("serve --stdio: {e}"))),
            Err(p) => std::panic::resume_unwind(p),
        };
    }
    let addr: SocketAddr = a.listen.parse().map_err(|_| {
        CliError::bad(format!(
            "--listen {:?}: expected a loopback IP:PORT such as 127.0.0.1:7070",
            a.listen
        ))
    })?;
    if !addr.ip().is_loopback() {
        return Err(CliError::bad(format!(
            "--listen {addr}: not a loopback address; omnisim serve listens on loopback only \
             (127.0.0.1 or ::1)"
        )));
    }
    let stop = stop_flag();
    let result = serve_http(session, addr, stop, |bound| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{bound}");
        let _ = out.flush();
    });
    match result {
        // The server returns only when a signal set the stop flag: exit 130, as every other
        // command stopped by SIGINT or SIGTERM (a sixteenth tester: it exited 0 while the
        // README's exit-code table says 130).
        Ok(()) => Err(CliError::Interrupted(
            "serve stopped by a signal (SIGINT or SIGTERM); the request being answered, if any, \
             was abandoned"
                .into(),
        )),
        Err(e) => Err(CliError::bad(format!("serve --listen {addr}: {e}"))),
    }
}
