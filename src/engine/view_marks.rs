//! What a queue's supervisor view (its Open or its engaged conversations, oldest first)
//! remembers of the keys put back into it, so that a reader remembering a prefix of the view
//! can start its next walk after that prefix instead of stepping over it again (issue 25: a
//! policy stepped over every conversation it had given up, at every tick, for as long as they
//! waited).
//!
//! A new arrival has the largest sequence so far and joins a view at its back. Any other
//! insertion (an engaged conversation back to Open, a move or overflow into another queue, an
//! accepted conversation joining the engaged view behind newer ones) puts back a sequence at
//! or below the largest the view ever held: [`Inserts`] counts those (the count is the
//! view's *mark*) and keeps the lowest sequence inserted since any mark, in a few entries
//! (a conservative answer once more were needed: lower than the truth, never higher). A
//! reader holding "every key of the view below sequence `s` is one I may skip" remembers the
//! mark it read; at its next walk, [`Engine::view_inserts`] gives the lowest sequence put
//! back since, and `s` drops to it when lower. Removals never break such a prefix.
//!
//! [`Engine::view_from`] walks a view from a sequence on (a binary search into the view's
//! [`SeqSet`](super::seqset::SeqSet), then its keys in order).

use crate::model::{ConvState, QueueId};

use super::seqset;
use super::state::SeqKey;
use super::{ConvId, Engine};

/// Which of a queue's supervisor views (see [`Engine::open_in`], [`Engine::engaged_in`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The queue's Open conversations.
    Open,
    /// The queue's Active, Waiting and Wrap-up conversations.
    Engaged,
}

/// Entries [`Inserts`] keeps; one more merges its two oldest.
const KEEP: usize = 8;

/// A view's insertions below its newest sequence ever (see the [module docs](self)).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Inserts {
    /// One more than the largest sequence ever inserted (0: none yet).
    top: u64,
    /// Insertions at or below the largest sequence so far: the view's mark.
    count: u64,
    /// `(count after it, sequence)` of the insertions that matter for the lowest since a mark:
    /// counts ascending and sequences strictly ascending (an insertion drops the entries of
    /// sequences at or above its own). Its first entry with a count above a mark holds the
    /// lowest sequence inserted since that mark (or lower, after a merge).
    lows: Vec<(u64, u64)>,
}

impl Inserts {
    /// A key of sequence `seq` was inserted into the view.
    #[inline]
    pub(crate) fn note(&mut self, seq: u64) {
        if seq >= self.top {
            self.top = seq + 1;
        } else {
            self.low(seq);
        }
    }

    /// An insertion at or below the largest sequence so far.
    #[inline(never)]
    fn low(&mut self, seq: u64) {
        self.count += 1;
        while self.lows.last().is_some_and(|&(_, s)| s >= seq) {
            self.lows.pop();
        }
        if self.lows.len() == KEEP {
            // The two oldest merge: the newer count with the lower sequence, so a mark
            // between them is told a sequence lower than the truth (a shorter prefix), never
            // a higher one.
            let (_, lowest) = self.lows.remove(0);
            self.lows[0].1 = lowest;
        }
        self.lows.push((self.count, seq));
    }

    /// `(the mark now, the lowest sequence inserted after mark `since`)`: `None` when none was.
    pub(crate) fn since(&self, since: u64) -> (u64, Option<u64>) {
        let low = self.lows.iter().find(|&&(c, _)| c > since).map(|&(_, s)| s);
        (self.count, low)
    }
}

impl Engine {
    /// A queue view's mark and the lowest sequence put back into it since the mark `since`
    /// (an insertion at or below the largest sequence it ever held: a requeue, a move, an
    /// accepted conversation behind newer ones; arrivals are none), for a reader remembering
    /// a prefix of the view (see the `engine::view_marks` module docs): `(mark, lowest)`,
    /// `lowest` possibly lower than the truth, never higher. `None` when the engine keeps no
    /// views (built without supervisors; then [`view_from`](Self::view_from) scans).
    pub fn view_inserts(
        &self,
        queue: QueueId,
        view: View,
        since: u64,
    ) -> Option<(u64, Option<u64>)> {
        let q = &self.queues[queue.index()];
        let v = match view {
            View::Open => &q.open,
            View::Engaged => &q.engaged,
        };
        v.inserts.as_deref().map(|i| i.since(since))
    }

    /// The conversations of a queue view with an arrival sequence of at least `from`, oldest
    /// first, each with its sequence: the view's keys from a binary search on (a scan of the
    /// live conversations, sorted, when the engine keeps no views, as
    /// [`open_in`](Self::open_in)).
    pub fn view_from(
        &self,
        queue: QueueId,
        view: View,
        from: u64,
    ) -> impl Iterator<Item = (u64, ConvId)> + '_ {
        let q = &self.queues[queue.index()];
        let v = match view {
            View::Open => &q.open,
            View::Engaged => &q.engaged,
        };
        let keys = if v.on {
            FromKeys::Set(v.set.iter_from(from))
        } else {
            let mut list = self.scan_view(queue, view == View::Engaged);
            list.retain(|k| k.0 >= from);
            FromKeys::List(list.into_iter())
        };
        FromIn { engine: self, keys }
    }

    /// The keys of a queue's Open (or engaged) conversations, sorted: a scan of the live
    /// conversations, for an engine that keeps no views.
    pub(super) fn scan_view(&self, queue: QueueId, engaged: bool) -> Vec<SeqKey> {
        let mut list: Vec<SeqKey> = self
            .convs
            .iter()
            .filter(|(_, c)| {
                c.queue == queue
                    && if engaged {
                        matches!(
                            c.state,
                            ConvState::Active | ConvState::Waiting | ConvState::WrapUp
                        )
                    } else {
                        c.state == ConvState::Open
                    }
            })
            .map(|(id, c)| c.key(id.slot))
            .collect();
        list.sort_unstable();
        list
    }
}

/// The conversations of a queue view from a sequence on (see [`Engine::view_from`]).
struct FromIn<'a> {
    engine: &'a Engine,
    keys: FromKeys<'a>,
}

enum FromKeys<'a> {
    Set(seqset::IterFrom<'a>),
    List(std::vec::IntoIter<SeqKey>),
}

impl Iterator for FromIn<'_> {
    type Item = (u64, ConvId);

    #[inline]
    fn next(&mut self) -> Option<(u64, ConvId)> {
        let (seq, slot) = match &mut self.keys {
            FromKeys::Set(it) => it.next()?,
            FromKeys::List(it) => it.next()?,
        };
        Some((seq, self.engine.handle(slot)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lowest sequence inserted since each mark, against a model keeping every insertion:
    /// never higher than the truth, and exact while few enough entries were needed.
    #[test]
    fn the_lowest_since_a_mark_is_never_above_the_truth() {
        let mut ins = Inserts::default();
        let mut all: Vec<(u64, u64)> = Vec::new(); // (mark after, sequence) of each low insert
        let mut x = 12345u64;
        for seq in 1000..1400 {
            ins.note(seq); // an arrival: no mark
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if x >> 61 == 0 {
                let back = seq - (x >> 20) % 300;
                ins.note(back);
                all.push((ins.since(0).0, back));
            }
            let (mark, _) = ins.since(0);
            for since in 0..=mark {
                let truth = all.iter().filter(|(c, _)| *c > since).map(|p| p.1).min();
                let got = ins.since(since).1;
                assert_eq!(got.is_some(), truth.is_some(), "since {since}");
                assert!(got <= truth, "since {since}: {got:?} > {truth:?}");
                if all.len() <= KEEP {
                    assert_eq!(got, truth);
                }
            }
        }
        assert!(all.len() > KEEP, "the merge was exercised");
        assert!(ins.lows.len() <= KEEP);
    }
}
