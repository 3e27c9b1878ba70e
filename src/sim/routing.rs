//! The simulator's side of unified routing: each conversation draws its attribute values from
//! its own stream (keyed like its customer stream, apart from its other draws, so common random
//! numbers hold and a scenario without attributes draws nothing new). The draws themselves and
//! classification (RT-CLASSIFY) into routing tags live in [`crate::setup`].

use crate::rng::{SimRng, Source, StreamFamily};

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
