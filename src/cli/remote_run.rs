//! `--engine URL | "cmd:PROGRAM ARGS"` for `omnisim run`: parses the flag and runs the
//! simulator on the remote engine (`sim::run_remote`), turning a failure into exit 2 with the
//! engine named and what went wrong; [`reach`] checks the engine answers before the work
//! begins.

use crate::scenario::Scenario;
use crate::service::client::{Client, ClientError, EngineSpec, Stop};
use crate::sim::{self, log::ConvLog, Progress, RunOptions, RunOutput};

use super::CliError;

/// Reads `--engine`; a bad value is bad input naming what was expected.
pub(crate) fn parse_engine(s: &str) -> Result<EngineSpec, CliError> {
    EngineSpec::parse(s).map_err(|e| CliError::bad(format!("--engine {e}")))
}

/// Reaches the engine (starts it or connects) and checks its protocol version: done before a
/// command clears the folder's older outputs, so an engine that cannot be reached is bad input
/// found before the work begins (the folder left as it was). Returns the client, to be handed
/// to the work (`run`, `load::run_remote`), so a `cmd:` engine is started once per command,
/// not once to check it and again to run (issue 25 leftover); `None` when a stop came while
/// waiting, which is no error here: the work that follows sees it. Errors: bad input (exit 2)
/// naming the engine and what went wrong.
pub(crate) fn reach(spec: &EngineSpec, stop: Stop) -> Result<Option<Client>, CliError> {
    match Client::connect_stoppable(spec, Some(stop)) {
        Ok(client) => Ok(Some(client)),
        Err(ClientError::Interrupted { .. }) => Ok(None),
        Err(e) => Err(CliError::bad(format!("--engine {spec}: {e}"))),
    }
}

/// Runs on the remote engine (`reached`: the client [`reach`] gave, else it is reached
/// again); prints the round trips unless `quiet` (or none were made). A
/// stop (SIGINT, SIGTERM) while waiting for the engine is no error: the output is partial. Errors: bad input (exit
/// 2) naming the engine and the failure.
pub(crate) fn run(
    sc: &Scenario,
    opts: &RunOptions,
    spec: &EngineSpec,
    reached: Option<Client>,
    log: bool,
    progress: Progress<'_>,
    quiet: bool,
) -> Result<(RunOutput, Vec<ConvLog>), CliError> {
    match sim::run_remote(sc, opts, spec, reached, log, progress) {
        Ok((out, logs, stats)) => {
            // Nothing to tell when the stop came before the first command.
            if !quiet && stats.round_trips > 0 {
                let wire_s = stats.wire_ns as f64 / 1e9;
                let h = &stats.round_trip_us;
                eprintln!(
                    "engine {spec}: {} commands in {} round trips ({} at the instant of the command before), {:.0} commands/s of run time; {:.1} s waiting for answers, round trip p50 {} µs, p99 {} µs",
                    stats.commands,
                    stats.round_trips,
                    stats.same_instant,
                    stats.commands as f64 / out.wall_s.max(1e-9),
                    wire_s,
                    h.value_at_quantile(0.5),
                    h.value_at_quantile(0.99),
                );
            }
            Ok((out, logs))
        }
        Err(e) => Err(CliError::bad(format!("--engine {spec}: {e}"))),
    }
}
