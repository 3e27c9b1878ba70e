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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::scenario::Scenario;
use crate::service::client::{Client, ClientError, EngineSpec, Stop};
use crate::service::remote::{Link, LinkStats, Mirror, RemoteEngine, RemoteFailure};
use crate::service::Session;
use crate::setup::RoutingTags;

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

/// Runs every replication (of this run; no shards) on the engine at `spec` (through `reached`,
/// a client already connected to it and version-checked, when the caller has one: a `cmd:`
/// engine is then not started a second time), in replication order, like [`run_logged`](super::run_logged) (the conversation logs are empty unless `log`).
/// Returns the output, the logs and the link's round-trip statistics. Errors: see
/// [`RemoteRunError`]; a stop request (SIGINT, `opts.stop`) is not an error: it is looked at
/// from the first wait for the engine on (health, setup, reset, every command), ends that wait
/// within a tenth of a second (a subprocess engine's process group killed), and the output is
/// partial: the replications finished, the one cut, and every later one empty, as in-process.
pub fn run_remote(
    sc: &Scenario,
    opts: &RunOptions,
    spec: &EngineSpec,
    reached: Option<Client>,
    log: bool,
    progress: Progress<'_>,
) -> Result<(RunOutput, Vec<ConvLog>, LinkStats), RemoteRunError> {
    let started = std::time::Instant::now();
    let stop = opts
        .stop
        .clone()
        .unwrap_or_else(|| Arc::new(AtomicBool::new(false)));
    let opts = RunOptions {
        stop: Some(stop.clone()),
        ..opts.clone()
    };
    let stopped = || stop.load(Ordering::Relaxed);
    // `None`: stopped while the engine was being reached (nothing to drive any more).
    let link = match connect(sc, spec, reached, &stop) {
        Ok(client) => Some(Link::new(client)),
        Err(e) => cut_or(e)?,
    };
    let (reps_to_run, replications) = mine(sc, &opts);
    let mut reps = Vec::with_capacity(reps_to_run.len());
    // Replications a stop reached before they began: in the totals, not kept (as in-process).
    let mut not_begun = Vec::new();
    let mut logs = Vec::new();
    let mut dashboard = None;
    for r in reps_to_run {
        let mut template = crate::setup::engine_or_hollow(sc, &stopped);
        let tags = RoutingTags::new(sc, &mut template);
        let live = match link.as_ref().filter(|_| !stopped()) {
            Some(link) => match Link::lock(link).client.reset() {
                Ok(()) => Some(link),
                Err(e) => cut_or(e)?,
            },
            None => None,
        };
        let Some(link) = live else {
            // Stopped before this replication began: the world sees the stop before its first
            // event and reports the replication empty and partial; the local engine is never
            // commanded.
            let ran = World::with_engine(sc, r, &opts, log, template, tags)
                .run(&|t, n| progress(r, t, n));
            not_begun.push(ran.out.0);
            continue;
        };
        let mirror = Mirror::new(
            &template,
            sc.agent_count(),
            sc.queues.len(),
            sc.supervisors.len(),
        );
        let engine = RemoteEngine::new(link.clone(), mirror, Some(stop.clone()));
        crate::worklog::note(crate::worklog::Unit::Rep);
        let ran =
            World::with_engine(sc, r, &opts, log, engine, tags).run(&|t, n| progress(r, t, n));
        let (mut m, l, d) = ran.out;
        if !ran.began {
            not_begun.push(m);
            continue;
        }
        let failure = Link::lock(link).failure.take();
        match failure {
            None => {}
            // The stop ended a wait for an answer: the replication is cut there, as by a stop
            // in-process (its log, if any, is not kept whole: the caller drops a partial log).
            Some(RemoteFailure::Client(ClientError::Interrupted { .. })) => m.partial = true,
            Some(failure) => {
                return Err(RemoteRunError::Failed {
                    replication: r + 1,
                    failure,
                })
            }
        }
        reps.push(m);
        logs.extend(l.map(|l| *l));
        dashboard = dashboard.or(d);
    }
    let stats = link
        .map(|l| Link::lock(&l).stats.clone())
        .unwrap_or_default();
    let mut out = RunOutput {
        dashboard,
        ..RunOutput::of(
            opts.seed.unwrap_or(sc.seed),
            replications,
            reps,
            started.elapsed().as_secs_f64(),
        )
    };
    for m in not_begun {
        out.totals.add_owned(m);
    }
    out.partial = out.totals.partial();
    Ok((out, logs, stats))
}

/// Starts or reaches the engine (unless `reached` already did) with `stop` watched from the
/// first wait, and checks its setup is the scenario's.
fn connect(
    sc: &Scenario,
    spec: &EngineSpec,
    reached: Option<Client>,
    stop: &Stop,
) -> Result<Client, ClientError> {
    let mut client = match reached {
        Some(mut c) => {
            c.set_stop(stop.clone());
            c
        }
        None => Client::connect_stoppable(spec, Some(stop.clone()))?,
    };
    client.check_setup(&Session::new(sc.clone()).setup())?;
    Ok(client)
}

/// A stop while waiting for the engine is no error (`Ok(None)`: nothing more is driven); any
/// other client error is.
fn cut_or<T>(e: ClientError) -> Result<Option<T>, RemoteRunError> {
    match e {
        ClientError::Interrupted { .. } => Ok(None),
        e => Err(e.into()),
    }
}

#[cfg(test)]
mod tests;
