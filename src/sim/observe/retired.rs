//! The trace ids of closed conversations whose engine slot a later arrival took, so that a
//! command still naming one (refused LC-CLOSED: an invitation answered, or a supervisor's
//! delayed action come due, after the conversation closed) names it in the trace. Kept only
//! when tracing, and pruned to the ones a pending event names: a closed conversation gets no
//! new event, so no other can be named again (the map grew ~32 B per conversation of a
//! traced run).

use std::collections::{HashMap, HashSet};

use crate::engine::ConvId;

/// Retired ids kept before the first prune.
const PRUNE_AT: usize = 65_536;

/// Trace ids by `(slot, generation)` of conversations no longer in their slot.
#[derive(Debug)]
pub(crate) struct Retired {
    ids: HashMap<(u32, u32), u64>,
    /// Size at which the next prune is due.
    prune_at: usize,
}

impl Default for Retired {
    fn default() -> Self {
        Retired {
            ids: HashMap::new(),
            prune_at: PRUNE_AT,
        }
    }
}

impl Retired {
    /// Notes that `conv` (trace id `id`) left its slot.
    pub(crate) fn insert(&mut self, conv: ConvId, id: u64) {
        self.ids.insert((conv.slot, conv.gen), id);
    }

    /// The trace id of `conv`, when it is kept.
    pub(crate) fn get(&self, conv: ConvId) -> Option<u64> {
        self.ids.get(&(conv.slot, conv.gen)).copied()
    }

    /// Whether a prune is due (one comparison).
    #[inline]
    pub(crate) fn wants_prune(&self) -> bool {
        self.ids.len() >= self.prune_at
    }

    /// Keeps only the ids of the conversations `pending` (those the pending events name)
    /// names; the trace is unchanged. The next prune is due when the map has doubled (at least
    /// [`PRUNE_AT`]), so pruning costs O(1) per conversation.
    pub(crate) fn prune(&mut self, pending: impl Iterator<Item = ConvId>) {
        let named: HashSet<(u32, u32)> = pending.map(|c| (c.slot, c.gen)).collect();
        self.ids.retain(|k, _| named.contains(k));
        self.prune_at = PRUNE_AT.max(2 * self.ids.len());
    }

    /// How many ids are kept (tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Prunes from `at` ids on (tests: a small value prunes often).
    #[cfg(test)]
    pub(crate) fn set_prune_at(&mut self, at: usize) {
        self.prune_at = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prune_keeps_only_what_pending_events_name() {
        let mut r = Retired::default();
        let c = |slot, gen| ConvId { slot, gen };
        for i in 0..10 {
            r.insert(c(i, 1), u64::from(i) + 100);
        }
        assert!(!r.wants_prune());
        r.set_prune_at(10);
        assert!(r.wants_prune());
        r.prune([c(3, 1), c(3, 2), c(7, 1)].into_iter());
        assert_eq!(r.len(), 2);
        assert_eq!((r.get(c(3, 1)), r.get(c(7, 1))), (Some(103), Some(107)));
        assert_eq!(r.get(c(4, 1)), None);
        assert!(!r.wants_prune());
    }
}
