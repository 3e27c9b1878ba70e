//! [`RoutingTags`]: every routing tag (interned requirement and attribute set) an arrival can
//! carry, computed and interned into the engine once at setup, so that during a run every
//! engine change is a [`Command`](crate::engine::Command) and an arrival's tag is a table
//! lookup.
//!
//! A contact's attribute values are one value index per attribute of the work stream it drew
//! them for (`src`); the tables hold one entry per combination of those values (mixed radix,
//! first attribute most significant), at most [`MAX_TAGGED_COMBINATIONS`] per work stream
//! (`scenario::limits` refuses more).

use crate::engine::{AttrId, Engine, ReqId, RoutingTag};
use crate::scenario::Scenario;

use super::attributes::{prioritized, used, AttrSpace};

/// Most attribute-value combinations of one work stream (the product of its attributes' value
/// counts): a larger attribute space is refused when the scenario loads, since its routing tags
/// are all interned at setup.
pub const MAX_TAGGED_COMBINATIONS: u64 = crate::scenario::MAX_ATTRIBUTE_COMBINATIONS;

/// The routing tags of a scenario, interned into one engine. Built by [`RoutingTags::new`]
/// before the engine's first command; read by [`RoutingTags::tag`].
#[derive(Clone, Debug, Default)]
pub struct RoutingTags {
    /// Work streams.
    n: usize,
    /// `radix[src]`: the value count of each attribute of work stream `src`.
    radix: Vec<Vec<u16>>,
    /// `req[ws * n + src][combo]`: the requirement RT-CLASSIFY gives by work stream `ws`'s rules
    /// to values drawn for `src` (empty where that pair never occurs).
    req: Vec<Vec<ReqId>>,
    /// `set[drawn * n + src][combo]`: the interned attribute set of values drawn for `src`
    /// numbered as work stream `drawn`'s (empty where that pair never occurs or nothing
    /// prioritizes).
    set: Vec<Vec<AttrId>>,
}

impl RoutingTags {
    /// Computes and interns every tag of `sc` into `engine` (built from
    /// `engine_setup``(sc)`, before any command). Pairs of different
    /// work streams only occur for a retrial that overflowed into another work stream's queue,
    /// so they are built only when some work stream has retrials.
    pub fn new(sc: &Scenario, engine: &mut Engine) -> RoutingTags {
        let n = sc.workstreams.len();
        let radix: Vec<Vec<u16>> = sc
            .workstreams
            .iter()
            .map(|w| {
                w.routing
                    .attributes
                    .iter()
                    .map(|a| a.values.len() as u16)
                    .collect()
            })
            .collect();
        let cross = n > 1 && sc.workstreams.iter().any(|w| w.retrial.is_some());
        let space = prioritized(sc).then(|| AttrSpace::new(sc));
        let mut req = vec![Vec::new(); n * n];
        let mut set = vec![Vec::new(); n * n];
        for src in 0..n {
            let combos: u64 = radix[src].iter().map(|&k| u64::from(k.max(1))).product();
            debug_assert!(
                combos <= MAX_TAGGED_COMBINATIONS,
                "scenario::limits refuses more"
            );
            let mut attrs = vec![0u16; radix[src].len()];
            for combo in 0..combos {
                decode(combo, &radix[src], &mut attrs);
                for other in 0..n {
                    if other != src && !cross {
                        continue;
                    }
                    let routing = &sc.workstreams[other].routing;
                    let r = if used(routing) && !routing.classification.is_empty() {
                        engine.requirement(&routing.classify(&attrs))
                    } else {
                        ReqId(0)
                    };
                    req[other * n + src].push(r);
                    if let Some(space) = &space {
                        let a = if attrs.is_empty() {
                            AttrId(0)
                        } else {
                            engine.attributes(&space.pairs(other, &attrs))
                        };
                        set[other * n + src].push(a);
                    }
                }
            }
        }
        RoutingTags { n, radix, req, set }
    }

    /// The tag of a contact entering a queue of work stream `ws` with the attribute values
    /// `attrs` drawn for work stream `src`, numbered as work stream `drawn`'s (`drawn` is `src`
    /// except for a retrial of a queue's own arrival, see `sim::chat`): its requirement by
    /// `ws`'s classification and, when some queue prioritizes, its attribute set. An empty
    /// `attrs` (a work stream without attributes) classifies as no values.
    #[inline]
    pub fn tag(&self, ws: usize, drawn: usize, src: usize, attrs: &[u16]) -> RoutingTag {
        let combo = encode(attrs, &self.radix[src]);
        RoutingTag {
            req: self.req[ws * self.n + src]
                .get(combo)
                .copied()
                .unwrap_or_default(),
            attrs: self.set[drawn * self.n + src]
                .get(combo)
                .copied()
                .unwrap_or_default(),
        }
    }
}

/// The combination number of `attrs` (first attribute most significant).
#[inline]
fn encode(attrs: &[u16], radix: &[u16]) -> usize {
    debug_assert_eq!(attrs.len(), radix.len());
    attrs.iter().zip(radix).fold(0usize, |acc, (&v, &k)| {
        acc * usize::from(k.max(1)) + usize::from(v)
    })
}

/// The attribute values of combination number `combo` into `out`.
fn decode(mut combo: u64, radix: &[u16], out: &mut [u16]) {
    for (slot, &k) in out.iter_mut().zip(radix).rev() {
        let k = u64::from(k.max(1));
        *slot = (combo % k) as u16;
        combo /= k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_round_trip_in_mixed_radix() {
        let radix = [2u16, 3, 2];
        let mut v = [0u16; 3];
        for c in 0..12u64 {
            decode(c, &radix, &mut v);
            assert_eq!(encode(&v, &radix), c as usize);
        }
        // (1, 2, 1) = 1·6 + 2·2 + 1 = 11: the last combination.
        assert_eq!(encode(&[1, 2, 1], &radix), 11);
        assert_eq!(encode(&[], &[]), 0);
    }
}
