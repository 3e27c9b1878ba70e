//! `omnisim run --engine`: the simulator in lockstep with a remote engine, in simulated time.
//!
//! Key item: [`run_remote`]. The replications run one after another on one connection (the
//! remote holds one engine): before each, the remote is reset and a
//! [`RemoteEngine`](crate::service::remote::RemoteEngine) starts from the setup's state. The
//! event loop is the in-process one ([`World`] is generic over the engine); each command is
//! one round trip, since the simulator needs a command's effects before its next step.
//!
//! Routing tags are interned into a local engine built from the setup and never commanded (the
//! remote, built from the same scenario, interns them to the same ids); that engine also gives
//! the mirror its starting state. It decides nothing.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::engine::Engine;
use crate::scenario::Scenario;
use crate::service::client::{Client, ClientError, EngineSpec};
use crate::service::remote::{Link, LinkStats, Mirror, RemoteEngine, RemoteFailure};
use crate::service::Session;
use crate::setup::{engine_setup, RoutingTags};

use super::log::ConvLog;
use super::world::World;
use super::{mine, Progress, RunOptions, RunOutput};

/// Why `run --engine` could not produce results.
#[derive(Debug, thiserror::Error)]
pub enum RemoteRunError {
    /// The engine could not be reached, or its setup is not the scenario's.
    #[error("{0}")]
    Connect(#[from] ClientError),
    /// The run stopped on a failure of the remote engine.
    #[error("replication {replication}: {failure}")]
    Failed {
        /// The replication (1-based).
        replication: u32,
        /// What failed.
        failure: RemoteFailure,
    },
}

/// Runs every replication (of this run; no shards) on the engine at `spec`, in replication
/// order, like [`run_logged`](super::run_logged) (the conversation logs are empty unless `log`).
/// Returns the output, the logs and the link's round-trip statistics. Errors: see
/// [`RemoteRunError`]; a stop request (SIGINT) is not an error (the output is partial).
pub fn run_remote(
    sc: &Scenario,
    opts: &RunOptions,
    spec: &EngineSpec,
    log: bool,
    progress: Progress<'_>,
) -> Result<(RunOutput, Vec<ConvLog>, LinkStats), RemoteRunError> {
    let started = std::time::Instant::now();
    let mut client = Client::connect(spec)?;
    client.check_setup(&Session::new(sc.clone()).setup())?;
    let link = Link::new(client);
    let stop = opts
        .stop
        .clone()
        .unwrap_or_else(|| Arc::new(AtomicBool::new(false)));
    let opts = RunOptions {
        stop: Some(stop.clone()),
        ..opts.clone()
    };
    let (reps_to_run, replications) = mine(sc, &opts);
    let mut reps = Vec::with_capacity(reps_to_run.len());
    let mut logs = Vec::new();
    let mut dashboard = None;
    for r in reps_to_run {
        Link::lock(&link).client.reset()?;
        let mut template = Engine::new(engine_setup(sc));
        let tags = RoutingTags::new(sc, &mut template);
        let mirror = Mirror::new(
            &template,
            sc.agent_count(),
            sc.queues.len(),
            sc.supervisors.len(),
        );
        let engine = RemoteEngine::new(link.clone(), mirror, Some(stop.clone()));
        let (m, l, d) =
            World::with_engine(sc, r, &opts, log, engine, tags).run(&|t, n| progress(r, t, n));
        let failure = Link::lock(&link).failure.take();
        if let Some(failure) = failure {
            return Err(RemoteRunError::Failed {
                replication: r + 1,
                failure,
            });
        }
        reps.push(m);
        logs.extend(l.map(|l| *l));
        dashboard = dashboard.or(d);
    }
    let stats = Link::lock(&link).stats.clone();
    let out = RunOutput {
        dashboard,
        ..RunOutput::of(
            opts.seed.unwrap_or(sc.seed),
            replications,
            reps,
            started.elapsed().as_secs_f64(),
        )
    };
    Ok((out, logs, stats))
}

#[cfg(test)]
mod tests;
