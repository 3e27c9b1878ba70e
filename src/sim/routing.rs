//! The simulator's side of unified routing: each conversation draws its attribute values from
//! its own stream (keyed like its customer stream, apart from its other draws, so common random
//! numbers hold and a scenario without attributes draws nothing new), and classification
//! (RT-CLASSIFY) turns them into the engine's interned requirement.

use crate::engine::{Engine, ReqId};
use crate::rng::{SimRng, Source, StreamFamily};
use crate::scenario::WsRouting;

/// The tag of the attribute streams.
const ATTRIBUTE_TAG: u32 = 1002;

/// The conversations' attribute streams of a replication: `.member(customer_key(..))`.
pub(crate) fn attribute_family(seed: u64, rep: u32) -> StreamFamily {
    StreamFamily::of(
        seed,
        rep,
        Source::Other {
            tag: ATTRIBUTE_TAG,
            index: 0,
        },
    )
}

/// The tag of the work streams' arrival-time streams.
const WS_ARRIVALS_TAG: u32 = 1003;

/// The arrival-time stream of work stream `ws`'s own arrivals.
pub(crate) fn ws_arrival_stream(seed: u64, rep: u32, ws: usize) -> SimRng {
    crate::rng::stream(
        seed,
        rep,
        Source::Other {
            tag: WS_ARRIVALS_TAG,
            index: ws as u64,
        },
    )
}

/// The customer key of the `index`-th arrival of work stream `ws`: apart from every queue's
/// keys (queue ids stay far below 2^23), and independent of the queue it is routed to, so a
/// change of route-to-queue rules never shifts a customer's draws.
pub(crate) fn ws_customer_key(ws: usize, index: u64) -> u64 {
    super::customer::customer_key(crate::model::QueueId((1 << 23) + ws as u32), index)
}

/// One value index per attribute, each drawn with the attribute's weights (inverse CDF on one
/// uniform per attribute, in attribute order).
pub(crate) fn draw_attributes(ws: &WsRouting, rng: &mut SimRng) -> Vec<u16> {
    ws.attributes
        .iter()
        .map(|a| {
            let u = rng.uniform01();
            let mut acc = 0.0;
            for (i, w) in a.weights.iter().enumerate() {
                acc += w;
                if u < acc {
                    return i as u16;
                }
            }
            // Rounding left the sum a hair under 1: the last value with weight.
            a.weights.iter().rposition(|w| *w > 0.0).unwrap_or(0) as u16
        })
        .collect()
}

/// Whether the work stream uses attributes or classification at all.
pub(crate) fn used(ws: &WsRouting) -> bool {
    !ws.attributes.is_empty() || !ws.classification.is_empty()
}

/// The requirement of a conversation with attribute values `attrs` (RT-CLASSIFY).
pub(crate) fn requirement(engine: &mut Engine, ws: &WsRouting, attrs: &[u16]) -> ReqId {
    if ws.classification.is_empty() {
        return ReqId(0);
    }
    let req = ws.classify(attrs);
    engine.requirement(&req)
}
