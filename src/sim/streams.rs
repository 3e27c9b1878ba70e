//! The work streams' draws of one replication: each work stream's samplers (handle, wrap-up,
//! patience, waiting), the routing-attribute streams and the routing tags interned into the
//! engine at setup.
//!
//! Built once per replication from the scenario; arrivals, retrials and handling read them.
//! Holds no state that changes during the run apart from the attribute streams' members,
//! which are derived per customer key (`StreamFamily::member`), so draws do not depend on
//! the order in which customers arrive.

use crate::dist::Sampler;
use crate::rng::StreamFamily;
use crate::scenario::Scenario;
use crate::setup::RoutingTags;

/// Per-work-stream samplers, built once.
#[derive(Debug)]
pub(crate) struct WsSim {
    pub(crate) handle: Sampler,
    pub(crate) wrap_up: Option<Sampler>,
    pub(crate) patience: Option<Sampler>,
    pub(crate) waiting: Option<Sampler>,
}

/// The work streams' samplers, attribute streams and routing tags of one replication.
#[derive(Debug)]
pub(crate) struct Streams {
    /// One entry per work stream, in scenario order (indexed by `WsId`).
    pub(crate) ws: Vec<WsSim>,
    /// The routing attributes' random streams, one member per customer key.
    pub(crate) attributes: StreamFamily,
    /// Every routing tag an arrival can carry, interned into the engine at setup.
    pub(crate) tags: RoutingTags,
}

impl Streams {
    /// `sc`'s work streams' samplers and the attribute streams of replication `rep` of `seed`,
    /// with the routing `tags` already interned into this replication's engine.
    pub(crate) fn new(sc: &Scenario, seed: u64, rep: u32, tags: RoutingTags) -> Streams {
        let ws = sc
            .workstreams
            .iter()
            .map(|w| WsSim {
                handle: Sampler::new(&w.handle_time),
                wrap_up: w.wrap_up_time.as_ref().map(Sampler::new),
                patience: w.patience.as_ref().map(Sampler::new),
                waiting: w.waiting_time.as_ref().map(Sampler::new),
            })
            .collect();
        Streams {
            ws,
            attributes: super::routing::attribute_family(seed, rep),
            tags,
        }
    }
}
