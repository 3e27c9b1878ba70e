//! `omnisim load --engine`: the load driver on a remote engine over the network.
//!
//! Key items: [`run_remote`], [`RemoteLatency`] (`load.json`'s `remote`), [`RemoteLoadError`].
//!
//! The run is the in-process one ([`drive`](super::drive) is generic over the engine) with a
//! [`RemoteEngine`]: each worker's due commands go in one request (they never depend on each
//! other's results), on one kept-alive connection shared under the engine lock; supervisor
//! actions go one per request. Before the run the remote is reset and every agent put on shift
//! (`set_presence` back to automatic for those the setup has off shift), as the in-process
//! driver does. Latency is still measured from each command's due time; `remote` splits it:
//! the round trip of the command's batch, and of that the engine's own time (from the remote's
//! `/metrics`, `omnisim_command_latency_seconds`, when it reports it), the rest being network,
//! framing and JSON.

use serde::Serialize;

use crate::engine::{Engine, RulesEngine};
use crate::model::AgentId;
use crate::scenario::Scenario;
use crate::service::client::{Client, ClientError, EngineSpec};
use crate::service::remote::{Link, LinkStats, Mirror, RemoteEngine, RemoteFailure};
use crate::service::Session;
use crate::time::SimTime;

use super::report::{LatencyUs, LoadReport};
use super::{drive, plan, LoadOptions};

/// Why `load --engine` produced no report.
#[derive(Debug, thiserror::Error)]
pub enum RemoteLoadError {
    /// The engine could not be reached, speaks another version, or serves another setup.
    #[error("{0}")]
    Connect(ClientError),
    /// The remote failed during the run.
    #[error("{0}")]
    Failed(RemoteFailure),
    /// The stop flag (SIGINT, SIGTERM) was set while the engine was being reached or set up,
    /// before the load began (a subprocess engine's process group was killed): nothing ran.
    #[error("interrupted while waiting for the engine, before the load began")]
    Interrupted,
}

impl From<ClientError> for RemoteLoadError {
    fn from(e: ClientError) -> RemoteLoadError {
        match e {
            ClientError::Interrupted { .. } => RemoteLoadError::Interrupted,
            e => RemoteLoadError::Connect(e),
        }
    }
}

impl From<RemoteFailure> for RemoteLoadError {
    fn from(f: RemoteFailure) -> RemoteLoadError {
        match f {
            RemoteFailure::Client(e) => e.into(),
            f => RemoteLoadError::Failed(f),
        }
    }
}

/// `load.json`'s `remote`: where a command's latency went when the engine is remote.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RemoteLatency {
    /// The engine (`--engine`).
    pub engine: String,
    /// Requests sent.
    pub round_trips: u64,
    /// Commands per request, mean.
    pub commands_per_round_trip: f64,
    /// Commands sent whose answer never arrived (the engine stopped answering, the run was
    /// stopped while waiting): counted in `unapplied`, as are the commands never sent once the
    /// link had stopped.
    pub unanswered: u64,
    /// Request written to answer read, microseconds.
    pub round_trip_us: LatencyUs,
    /// Of a round trip, the mean time the engine itself took for its commands (the sum of its
    /// per-command times), microseconds; `null` when the engine reports no
    /// `omnisim_command_latency_seconds`.
    pub engine_us_per_round_trip: Option<f64>,
    /// Round trip minus engine time, mean, microseconds: the network, HTTP or JSON-lines
    /// framing and JSON of both ends.
    pub network_us_per_round_trip: Option<f64>,
    /// `network_us_per_round_trip` ÷ the mean command latency (from its due time): the part
    /// of the latency that is the network. The rest is the engine and the wait for a turn
    /// (the engine lock, the next batch).
    pub network_share_of_latency: Option<f64>,
}

/// The engine's total command time (seconds) and count from its Prometheus text.
fn engine_time(client: &mut Client) -> Option<(f64, u64)> {
    let text = client.metrics().ok()?;
    let get = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
    };
    Some((
        get("omnisim_command_latency_seconds_sum ")?,
        get("omnisim_command_latency_seconds_count ")? as u64,
    ))
}

impl RemoteLatency {
    fn new(
        spec: &EngineSpec,
        st: &LinkStats,
        engine_s: Option<f64>,
        latency_mean_us: Option<f64>,
    ) -> RemoteLatency {
        let trips = st.round_trips.max(1) as f64;
        let rt_mean = st.wire_ns as f64 / 1e3 / trips;
        let engine = engine_s.map(|s| s * 1e6 / trips);
        let network = engine.map(|e| (rt_mean - e).max(0.0));
        let round1 = |x: f64| (x * 10.0).round() / 10.0;
        RemoteLatency {
            engine: spec.to_string(),
            round_trips: st.round_trips,
            commands_per_round_trip: round1(st.commands as f64 / trips),
            unanswered: st.unanswered,
            round_trip_us: LatencyUs::of(&st.round_trip_us, st.round_trip_us.max()),
            engine_us_per_round_trip: engine.map(round1),
            network_us_per_round_trip: network.map(round1),
            network_share_of_latency: network
                .zip(latency_mean_us)
                .filter(|(_, l)| *l > 0.0)
                .map(|(n, l)| ((n / l).min(1.0) * 1000.0).round() / 1000.0),
        }
    }
}

/// Runs a load test of `scenario` on the engine at `spec` (through `reached`, a client already
/// connected to it and version-checked, when the caller has one: a `cmd:` engine is then not
/// started a second time). Errors: see [`RemoteLoadError`]; an
/// interrupt (`opts.stop`, looked at from the first wait for the engine on) during the load is
/// not an error (the report is partial, as in-process); one before the load began is
/// [`RemoteLoadError::Interrupted`].
pub fn run_remote(
    scenario: &Scenario,
    opts: &LoadOptions,
    spec: &EngineSpec,
    reached: Option<Client>,
) -> Result<LoadReport, RemoteLoadError> {
    let workers = opts.workers.max(1);
    let stop = opts.stop.clone().unwrap_or_default();
    let mut client = match reached {
        Some(mut c) => {
            c.set_stop(stop.clone());
            c
        }
        None => Client::connect_stoppable(spec, Some(stop.clone()))?,
    };
    client.check_setup(&Session::new(scenario.clone()).setup())?;
    client.reset()?;
    let before = engine_time(&mut client);
    // The remote holds the scenario's setup as it is; the mirror starts from the same.
    let setup = crate::setup::engine_setup(scenario);
    let off: Vec<AgentId> = (0..setup.agents.len())
        .filter(|&a| !setup.agents[a].on_shift)
        .map(|a| AgentId(a as u32))
        .collect();
    let mut template = Engine::new(setup);
    let tags = crate::setup::RoutingTags::new(scenario, &mut template);
    let mirror = Mirror::new(
        &template,
        scenario.agent_count(),
        scenario.queues.len(),
        scenario.supervisors.len(),
    );
    let link = Link::new(client);
    let mut engine = RemoteEngine::new(link.clone(), mirror, Some(stop.clone()));
    let on_shift: Vec<_> = off
        .iter()
        .map(|&a| crate::engine::Command::SetPresence(a, None))
        .collect();
    let (mut fx, mut ends) = (Vec::new(), Vec::new());
    engine.apply_all(SimTime::ZERO, &on_shift, &mut fx, &mut ends);
    if let Some(f) = Link::lock(&link).failure.take() {
        return Err(f.into());
    }
    Link::lock(&link).stats = LinkStats::default();
    let plan = plan::Plan::new(scenario, tags, opts.speed.max(1e-9), workers);
    let opts = LoadOptions {
        stop: Some(stop),
        ..opts.clone()
    };
    let mut rep = drive(scenario, &opts, engine, plan);
    let mut l = Link::lock(&link);
    match l.failure.take() {
        None => {}
        // The stop ended a wait for an answer: the run is cut there, as by a stop in-process.
        Some(RemoteFailure::Client(ClientError::Interrupted { .. })) => {
            rep.interrupted = true;
            rep.partial = true;
        }
        Some(f) => return Err(RemoteLoadError::Failed(f)),
    }
    let after = engine_time(&mut l.client);
    let engine_s = before
        .zip(after)
        .filter(|(b, a)| a.1 > b.1)
        .map(|(b, a)| a.0 - b.0);
    rep.driver.design = "remote-batched".into();
    rep.remote = Some(RemoteLatency::new(
        spec,
        &l.stats,
        engine_s,
        rep.latency_us.mean,
    ));
    // Judged again now that `remote` is written and a stop while waiting marked the run
    // partial: before, a latency threshold of such a run could pass, and `remote.…` read as
    // absent.
    rep.check(&super::thresholds(scenario, &opts, true));
    Ok(rep)
}
