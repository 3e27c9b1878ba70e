//! [`SeqSet`]: an ordered set of conversations by arrival, built for queue order.
//!
//! A queue's sets (routable, Open, engaged) are keyed by `(arrival sequence, slot)` and used
//! nearly like queues: new conversations have the largest sequence so far and join at the
//! back; routing takes from the front. A `BTreeSet` pays a tree search, and a node allocation
//! whenever the set goes from empty to non-empty, for each of those. Here the keys sit sorted
//! in a `VecDeque`:
//!
//! - insert at the back (a new arrival) or remove at the front (the oldest is routed) is O(1);
//! - removing from the middle (an abandonment, a close in the engaged set) leaves a tombstone
//!   after an O(log n) search; tombstones are compacted away once they outnumber the live keys,
//!   so they cost O(1) amortized and never more than double the memory;
//! - inserting an old key again (a withdrawn invitation, a released conversation) revives its
//!   tombstone if it has one, or is placed by binary search (the `VecDeque` shifts the shorter
//!   side, and old keys sit near the front).
//!
//! The front and the back are never tombstones, so `first` is O(1).

use std::collections::VecDeque;

use super::state::SeqKey;

/// The slot value that marks a removed key. A real slot never reaches it (it would take 2³²
/// live conversations).
const DEAD: u32 = u32::MAX;

/// Tombstones are compacted when there are more than this many and more than live keys.
const COMPACT_MIN: usize = 32;

/// An ordered set of [`SeqKey`]s (see the [module docs](self)). Sequences are unique: two keys
/// with the same sequence are the same conversation.
#[derive(Clone, Debug, Default)]
pub(crate) struct SeqSet {
    /// Ascending by sequence; a slot of [`DEAD`] marks a tombstone. Never starts or ends with one.
    keys: VecDeque<SeqKey>,
    live: usize,
}

impl SeqSet {
    /// How many keys are in the set.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Whether the set is empty.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The smallest key.
    #[inline]
    pub(crate) fn first(&self) -> Option<SeqKey> {
        self.keys.front().copied()
    }

    /// The smallest key with a sequence above `after`'s.
    pub(crate) fn first_after(&self, after: SeqKey) -> Option<SeqKey> {
        let from = self.keys.partition_point(|k| k.0 <= after.0);
        self.keys.range(from..).find(|k| k.1 != DEAD).copied()
    }

    /// Every key, ascending (from either end, with an exact length).
    pub(crate) fn iter(&self) -> Iter<'_> {
        Iter {
            keys: self.keys.iter(),
            left: self.live,
        }
    }

    /// The keys with a sequence of at least `from`, ascending (a binary search, then the keys
    /// in order).
    pub(crate) fn iter_from(&self, from: u64) -> IterFrom<'_> {
        let i = self.keys.partition_point(|k| k.0 < from);
        IterFrom {
            keys: self.keys.range(i..),
        }
    }

    /// Adds `key`; returns whether it was absent.
    #[inline]
    pub(crate) fn insert(&mut self, key: SeqKey) -> bool {
        debug_assert_ne!(key.1, DEAD, "slot {DEAD} is the tombstone marker");
        match self.keys.back() {
            Some(back) if back.0 >= key.0 => self.insert_inside(key),
            _ => {
                self.keys.push_back(key);
                self.live += 1;
                true
            }
        }
    }

    /// Inserts a key that does not belong at the back.
    fn insert_inside(&mut self, key: SeqKey) -> bool {
        let i = self.keys.partition_point(|k| k.0 < key.0);
        match self.keys.get_mut(i) {
            Some(k) if k.0 == key.0 => {
                if k.1 != DEAD {
                    return false;
                }
                k.1 = key.1;
            }
            _ => self.keys.insert(i, key),
        }
        self.live += 1;
        true
    }

    /// Removes `key`; returns whether it was present.
    #[inline]
    pub(crate) fn remove(&mut self, key: &SeqKey) -> bool {
        if self.keys.front().is_some_and(|k| k.0 == key.0) {
            self.keys.pop_front();
            self.live -= 1;
            self.trim_front();
            return true;
        }
        self.remove_inside(key)
    }

    /// Removes a key that is not at the front.
    fn remove_inside(&mut self, key: &SeqKey) -> bool {
        let i = self.keys.partition_point(|k| k.0 < key.0);
        match self.keys.get_mut(i) {
            Some(k) if k.0 == key.0 && k.1 != DEAD => k.1 = DEAD,
            _ => return false,
        }
        self.live -= 1;
        if i + 1 == self.keys.len() {
            while self.keys.back().is_some_and(|k| k.1 == DEAD) {
                self.keys.pop_back();
            }
        }
        let dead = self.keys.len() - self.live;
        if dead > COMPACT_MIN && dead > self.live {
            self.keys.retain(|k| k.1 != DEAD);
        }
        true
    }

    /// Drops tombstones from the front.
    #[inline]
    fn trim_front(&mut self) {
        while self.keys.front().is_some_and(|k| k.1 == DEAD) {
            self.keys.pop_front();
        }
    }
}

/// The keys of a [`SeqSet`], ascending.
#[derive(Clone, Debug)]
pub(crate) struct Iter<'a> {
    keys: std::collections::vec_deque::Iter<'a, SeqKey>,
    left: usize,
}

impl Iterator for Iter<'_> {
    type Item = SeqKey;

    fn next(&mut self) -> Option<SeqKey> {
        let k = *self.keys.find(|k| k.1 != DEAD)?;
        self.left -= 1;
        Some(k)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<SeqKey> {
        let k = *self.keys.rfind(|k| k.1 != DEAD)?;
        self.left -= 1;
        Some(k)
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The keys of a [`SeqSet`] from a sequence on, ascending ([`SeqSet::iter_from`]).
#[derive(Clone, Debug)]
pub(crate) struct IterFrom<'a> {
    keys: std::collections::vec_deque::Iter<'a, SeqKey>,
}

impl Iterator for IterFrom<'_> {
    type Item = SeqKey;

    #[inline]
    fn next(&mut self) -> Option<SeqKey> {
        self.keys.find(|k| k.1 != DEAD).copied()
    }
}

impl PartialEq for SeqSet {
    /// The same keys (tombstones are an implementation detail).
    fn eq(&self, other: &SeqSet) -> bool {
        self.live == other.live && self.iter().eq(other.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn behaves_like_a_queue_in_the_common_case() {
        let mut s = SeqSet::default();
        for seq in 0..5 {
            assert!(s.insert((seq, seq as u32)));
        }
        assert_eq!(s.first(), Some((0, 0)));
        assert!(s.remove(&(0, 0)));
        assert!(s.remove(&(2, 2))); // a tombstone in the middle
        assert_eq!(s.iter().collect::<Vec<_>>(), [(1, 1), (3, 3), (4, 4)]);
        assert!(s.remove(&(1, 1))); // the front goes, and the tombstone behind it
        assert_eq!(s.first(), Some((3, 3)));
        assert_eq!(s.first_after((3, 3)), Some((4, 4)));
        assert!(s.insert((2, 2))); // an old key comes back in order
        assert_eq!(s.iter().collect::<Vec<_>>(), [(2, 2), (3, 3), (4, 4)]);
        assert!(!s.insert((3, 3)));
        assert!(!s.remove(&(9, 9)));
        assert_eq!(s.len(), 3);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Insert(u64),
        Remove(u64),
        Arrive,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            2 => (0u64..200).prop_map(Op::Insert),
            3 => (0u64..200).prop_map(Op::Remove),
            3 => Just(Op::Arrive),
        ]
    }

    proptest! {
        /// Against a `BTreeSet` model, through long runs of arrivals, removals anywhere and
        /// re-inserts (which exercise tombstones, revival and compaction).
        #[test]
        fn matches_a_btreeset(ops in proptest::collection::vec(op(), 1..600)) {
            let mut s = SeqSet::default();
            let mut model = BTreeSet::new();
            let mut next = 0u64;
            for op in ops {
                let key = match op {
                    Op::Insert(seq) | Op::Remove(seq) => (seq, (seq % 7) as u32),
                    Op::Arrive => {
                        next += 1;
                        (199 + next, 3)
                    }
                };
                match op {
                    Op::Remove(_) => prop_assert_eq!(s.remove(&key), model.remove(&key)),
                    _ => prop_assert_eq!(s.insert(key), model.insert(key)),
                }
                prop_assert_eq!(s.len(), model.len());
                prop_assert_eq!(s.first(), model.first().copied());
                prop_assert!(s.iter().eq(model.iter().copied()));
                prop_assert!(s.iter().rev().eq(model.iter().rev().copied()));
                prop_assert_eq!(s.iter().len(), model.len());
                if let Some(&k) = model.iter().nth(model.len() / 2) {
                    prop_assert_eq!(s.first_after(k), model.range((k.0 + 1, 0)..).next().copied());
                    prop_assert!(s.iter_from(k.0).eq(model.range(k..).copied()));
                    prop_assert!(s.iter_from(k.0 + 1).eq(model.range((k.0 + 1, 0)..).copied()));
                }
                prop_assert!(s.keys.len() <= 2 * s.len() + COMPACT_MIN + 1);
            }
        }
    }
}
