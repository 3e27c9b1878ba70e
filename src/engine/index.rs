//! [`RoutingIndex`]: a queue's eligible agents in its assignment method's order, as a
//! four-child tournament tree over the queue's members.
//!
//! Each member (in id order) owns one leaf holding its current key, or nothing when it is not
//! eligible; each inner node holds the smallest key of its four children. Changing an agent's
//! key rewrites one root-ward path (log₄ of the member count: two levels for 16 members, five
//! for 1,024; no allocation, no rebalancing), which is what routing does most: every capacity or
//! invitation change re-keys the agent in each of its queues. Four children a node halve the
//! levels of a two-child tree for about a third more work a level (three siblings instead of
//! one), as the event heap's four-child tournament does. The method's favourite is the root.
//! Walking further in key order (past agents that refused the conversation) is a best-first
//! descent, O(k log n) for the first k keys; round robin's "first eligible member at or after a
//! position" is a left-to-right descent, O(log n). Nothing here scans all members except
//! membership changes (rebuild) and the invariant check.
//!
//! Keys are stored packed into one `u128` each while every key set so far fits (a tie-break
//! below 2⁴⁰, an agent id below 2²⁴: see [`pack`]), so a level of a re-key compares and moves
//! 16 bytes instead of 24; the first key that does not fit widens the tree to `(u64, u64, u32)`
//! nodes for good. Packing preserves the order, so both layouts answer alike.
//!
//! Layout: node 0 is the root, the children of node `n` are `4n + 1 ..= 4n + 4`, and with
//! `width` leaves (a power of four) the `(width − 1) / 3` inner nodes come first, so leaf `p`
//! is node `(width − 1) / 3 + p`.

use super::state::IndexKey;

/// The empty leaf. Real keys never reach it: their first component is a turn counter, a time
/// in milliseconds or a capacity offset, all far below `u64::MAX`.
const ABSENT: IndexKey = (u64::MAX, u64::MAX, u32::MAX);

/// The empty leaf of a packed tree (never a packed key: [`pack`] refuses a first component of
/// `u64::MAX`).
const PACKED_ABSENT: u128 = u128::MAX;

/// Bits of a packed key's agent id (the lowest); the tie-break takes the 40 above it and the
/// first component the high 64.
const ID_BITS: u32 = 24;

/// Bits of a packed key's tie-break: with times in milliseconds, 2⁴⁰ ms is about 34 years.
const TIE_BITS: u32 = 40;

/// `key` as one `u128` in the same order (`pack(a) < pack(b)` exactly when `a < b` in tuple
/// order), or `None` when it does not fit: a tie-break of 2⁴⁰ or more, an agent id of 2²⁴ or
/// more, or a first component of `u64::MAX`.
#[inline(always)]
fn pack(key: &IndexKey) -> Option<u128> {
    let fits = (key.1 >> TIE_BITS == 0) & (key.2 >> ID_BITS == 0) & (key.0 != u64::MAX);
    fits.then(|| (u128::from(key.0) << 64) | (u128::from(key.1) << ID_BITS) | u128::from(key.2))
}

/// The key a packed node holds ([`ABSENT`] for [`PACKED_ABSENT`]).
#[inline(always)]
fn unpack(p: u128) -> IndexKey {
    if p == PACKED_ABSENT {
        return ABSENT;
    }
    let low = p as u64;
    (
        (p >> 64) as u64,
        low >> ID_BITS,
        (low as u32) & ((1 << ID_BITS) - 1),
    )
}

/// `a < b` in tuple order, without branches: which of two keys is smaller is a coin toss on
/// the routing hot path, and a mispredicted branch per tree level cost more than the
/// comparisons themselves.
///
/// The first two components compare as one `u128` (a subtract with borrow), the agent id only
/// on a tie.
#[inline(always)]
fn less(a: &IndexKey, b: &IndexKey) -> bool {
    let ha = (u128::from(a.0) << 64) | u128::from(a.1);
    let hb = (u128::from(b.0) << 64) | u128::from(b.1);
    (ha < hb) | ((ha == hb) & (a.2 < b.2))
}

/// Children a node has.
const ARITY: usize = 4;

/// The root's node number.
const ROOT: usize = 0;

/// The smallest of four children under `less` (the first of equals: only [`ABSENT`] ones tie).
#[inline(always)]
fn min4<T: Copy>(c: &[T; ARITY], less: &impl Fn(&T, &T) -> bool) -> T {
    let lo = if less(&c[1], &c[0]) { c[1] } else { c[0] };
    let hi = if less(&c[3], &c[2]) { c[3] } else { c[2] };
    if less(&hi, &lo) {
        hi
    } else {
        lo
    }
}

/// The four children of inner node `n`.
#[inline(always)]
fn children<T: Copy>(tree: &[T], n: usize) -> &[T; ARITY] {
    let first = ARITY * n + 1;
    tree[first..first + ARITY]
        .try_into()
        .expect("an inner node has four children")
}

/// Writes `key` at node `n` (a leaf) and, unless `leaves`, carries the change up the root-ward
/// path. Returns how the count of present leaves changes (−1, 0 or 1).
///
/// Keys are unique (each ends with its agent id; only [`ABSENT`] leaves repeat), so a key that
/// became smaller (or present) is the new minimum of exactly the ancestors that held a larger
/// one: one comparison a level, no sibling read. A key that became larger (or absent) changes
/// only the ancestors that held the old key: those take the smallest of their four children,
/// and the first ancestor that held another key ends the walk unread. Either way every inner
/// node ends as the minimum of its children, as a recomputation of the whole path would leave it.
#[inline(always)]
fn set_path<T: Copy + PartialEq>(
    tree: &mut [T],
    mut n: usize,
    key: T,
    absent: T,
    leaves: bool,
    less: impl Fn(&T, &T) -> bool,
) -> isize {
    let old = tree[n];
    if old == key {
        return 0;
    }
    let delta = (key != absent) as isize - (old != absent) as isize;
    tree[n] = key;
    if leaves {
        return delta;
    }
    if less(&key, &old) {
        while n > ROOT {
            let parent = (n - 1) / ARITY;
            if !less(&key, &tree[parent]) {
                break;
            }
            tree[parent] = key;
            n = parent;
        }
        return delta;
    }
    while n > ROOT {
        let parent = (n - 1) / ARITY;
        if tree[parent] != old {
            break;
        }
        tree[parent] = min4(children(tree, parent), &less);
        n = parent;
    }
    delta
}

/// The tree's nodes: packed while every key fits ([`pack`]), else the keys themselves.
#[derive(Clone, Debug)]
enum Nodes {
    Packed(Vec<u128>),
    Wide(Vec<IndexKey>),
}

/// A queue's eligible agents, keyed in the method's order (see the [module docs](self)).
///
/// An index whose queue never walks it (a push queue with skills or assignment rules chooses
/// from its profile groups' or rules' cells instead) is kept as leaves only
/// ([`leaves_only`](Self::leaves_only)): [`set`](Self::set) then writes the leaf and the count
/// and no root-ward path, so its upkeep costs no more than the count and membership the
/// engine reads from it ([`len`](Self::len), [`is_empty`](Self::is_empty),
/// [`key_at`](Self::key_at), [`contains`](Self::contains)).
///
/// Two indices are equal when they hold the same keys in the same nodes, whichever layout
/// each uses.
#[derive(Clone, Debug)]
pub(crate) struct RoutingIndex {
    /// Leaves: a power of four, at least the member count.
    width: usize,
    /// Inner nodes, `(width − 1) / 3`: leaf `p` is node `base + p`; node 0 is the root (see the
    /// [module docs](self) for the layout).
    base: usize,
    nodes: Nodes,
    len: usize,
    /// Only the leaves and the count are kept (the inner nodes stay empty): no walks.
    leaves: bool,
}

impl PartialEq for RoutingIndex {
    fn eq(&self, o: &Self) -> bool {
        self.width == o.width
            && self.len == o.len
            && self.leaves == o.leaves
            && (0..self.base + self.width).all(|n| self.node(n) == o.node(n))
    }
}

impl Default for RoutingIndex {
    fn default() -> Self {
        RoutingIndex::new(0)
    }
}

impl RoutingIndex {
    /// An empty index for `members` member positions (packed until a key does not fit).
    pub(crate) fn new(members: usize) -> Self {
        let mut width = 1;
        while width < members {
            width *= ARITY;
        }
        let base = (width - 1) / 3;
        RoutingIndex {
            width,
            base,
            nodes: Nodes::Packed(vec![PACKED_ABSENT; base + width]),
            len: 0,
            leaves: false,
        }
    }

    /// Keeps only the leaves and the count from now on (see the type's docs): for a queue that
    /// never walks its index. Call it before the first [`set`](Self::set); a rebuild keeps it.
    pub(crate) fn leaves_only(&mut self) {
        debug_assert_eq!(self.len, 0, "leaves_only before any key is set");
        self.leaves = true;
    }

    /// The key at node `n` ([`ABSENT`] when empty), whichever the layout.
    #[inline(always)]
    fn node(&self, n: usize) -> IndexKey {
        match &self.nodes {
            Nodes::Packed(t) => unpack(t[n]),
            Nodes::Wide(t) => t[n],
        }
    }

    /// Whether node `n` is empty.
    #[inline(always)]
    fn absent(&self, n: usize) -> bool {
        match &self.nodes {
            Nodes::Packed(t) => t[n] == PACKED_ABSENT,
            Nodes::Wide(t) => t[n] == ABSENT,
        }
    }

    /// Whether the nodes are packed (tests).
    #[cfg(test)]
    fn packed(&self) -> bool {
        matches!(self.nodes, Nodes::Packed(_))
    }

    /// Switches to the wide layout for good (a key that does not pack arrived): every node
    /// unpacked in place of its packed value, so the tree stays valid.
    #[cold]
    #[inline(never)]
    fn widen(&mut self) {
        if let Nodes::Packed(t) = &self.nodes {
            self.nodes = Nodes::Wide(t.iter().map(|&p| unpack(p)).collect());
        }
    }

    /// Rebuilds from every member's key, by position (after a membership change).
    pub(crate) fn rebuild(&mut self, keys: impl ExactSizeIterator<Item = Option<IndexKey>>) {
        let leaves = self.leaves;
        *self = RoutingIndex::new(keys.len());
        self.leaves = leaves;
        let base = self.base;
        for (p, k) in keys.enumerate() {
            let Some(k) = k else { continue };
            self.len += 1;
            if let (Nodes::Packed(t), Some(pk)) = (&mut self.nodes, pack(&k)) {
                t[base + p] = pk;
                continue;
            }
            self.widen();
            if let Nodes::Wide(t) = &mut self.nodes {
                t[base + p] = k;
            }
        }
        if leaves {
            return;
        }
        match &mut self.nodes {
            Nodes::Packed(t) => {
                for n in (0..base).rev() {
                    t[n] = min4(children(t, n), &|a: &u128, b: &u128| a < b);
                }
            }
            Nodes::Wide(t) => {
                for n in (0..base).rev() {
                    t[n] = min4(children(t, n), &less);
                }
            }
        }
    }

    /// Sets the key of the member at position `pos` (`None`: not eligible).
    #[inline(always)]
    pub(crate) fn set(&mut self, pos: usize, key: Option<IndexKey>) {
        let n = self.base + pos;
        let leaves = self.leaves;
        if let Nodes::Packed(t) = &mut self.nodes {
            let packed = match key {
                None => Some(PACKED_ABSENT),
                Some(k) => pack(&k),
            };
            if let Some(p) = packed {
                let d = set_path(t, n, p, PACKED_ABSENT, leaves, |a, b| a < b);
                self.len = self.len.wrapping_add_signed(d);
                return;
            }
            self.widen();
        }
        if let Nodes::Wide(t) = &mut self.nodes {
            let d = set_path(t, n, key.unwrap_or(ABSENT), ABSENT, leaves, less);
            self.len = self.len.wrapping_add_signed(d);
        }
    }

    /// The smallest key held (the root), `None` when no member is eligible. Not for an index
    /// kept as [`leaves_only`](Self::leaves_only), whose inner nodes stay empty.
    #[inline(always)]
    pub(crate) fn min_key(&self) -> Option<IndexKey> {
        // Not `bool::then`: that stayed a call across codegen units on the routing hot path.
        if self.absent(ROOT) {
            None
        } else {
            Some(self.node(ROOT))
        }
    }

    /// The key of the member at position `pos` (`None`: not eligible).
    pub(crate) fn key_at(&self, pos: usize) -> Option<IndexKey> {
        let k = self.node(self.base + pos);
        (k != ABSENT).then_some(k)
    }

    /// How many members are eligible.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether no member is eligible.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `key` is some member's current key (a scan of every leaf: tests only).
    #[cfg(test)]
    pub(crate) fn contains(&self, key: &IndexKey) -> bool {
        *key != ABSENT && (self.base..self.base + self.width).any(|n| self.node(n) == *key)
    }

    /// The agent with the smallest key that passes `ok`, walking keys in order.
    #[inline]
    pub(crate) fn first_ok(&self, ok: impl Fn(u32) -> bool) -> Option<u32> {
        self.first_key_ok(ok).map(|k| k.2)
    }

    /// The smallest key whose agent passes `ok`, walking keys in order.
    #[inline]
    pub(crate) fn first_key_ok(&self, ok: impl Fn(u32) -> bool) -> Option<IndexKey> {
        debug_assert!(!self.leaves, "a leaves-only index is never walked");
        let root = self.node(ROOT);
        if root == ABSENT {
            return None;
        }
        if ok(root.2) {
            return Some(root);
        }
        self.in_order().find(|k| ok(k.2))
    }

    /// Every key in ascending order (best-first over the tree).
    fn in_order(&self) -> impl Iterator<Item = IndexKey> + '_ {
        let mut frontier: std::collections::BinaryHeap<std::cmp::Reverse<(IndexKey, usize)>> =
            std::collections::BinaryHeap::new();
        if !self.absent(ROOT) {
            frontier.push(std::cmp::Reverse((self.node(ROOT), ROOT)));
        }
        std::iter::from_fn(move || {
            // Descend from the smallest frontier node to the leaf holding its key (keys are
            // unique: one child holds it), pushing the other subtrees passed on the way.
            let std::cmp::Reverse((key, mut n)) = frontier.pop()?;
            while n < self.base {
                let first = ARITY * n + 1;
                let mut down = first;
                for c in first..first + ARITY {
                    if self.node(c) == key {
                        down = c;
                    }
                }
                for c in first..first + ARITY {
                    if c != down && !self.absent(c) {
                        frontier.push(std::cmp::Reverse((self.node(c), c)));
                    }
                }
                n = down;
            }
            Some(key)
        })
    }

    /// Round robin: the first eligible member at position `from` or later that passes `ok`,
    /// in position order.
    pub(crate) fn first_from(&self, from: usize, ok: impl Fn(u32) -> bool) -> Option<u32> {
        debug_assert!(!self.leaves, "a leaves-only index is never walked");
        let mut at = from;
        while let Some(p) = self.next_present(at) {
            let a = self.node(self.base + p).2;
            if ok(a) {
                return Some(a);
            }
            at = p + 1;
        }
        None
    }

    /// Every member holding a key, in position order (agent id order), O(log n) per step.
    pub(crate) fn in_position_order(&self) -> impl Iterator<Item = u32> + '_ {
        debug_assert!(!self.leaves, "a leaves-only index is never walked");
        let mut at = 0;
        std::iter::from_fn(move || {
            let p = self.next_present(at)?;
            at = p + 1;
            Some(self.node(self.base + p).2)
        })
    }

    /// The first position at or after `from` holding a key.
    fn next_present(&self, from: usize) -> Option<usize> {
        if from >= self.width {
            return None;
        }
        // Climb from the leaf while it is its parent's last child, step to the next sibling,
        // and again while that one is empty; then descend to the leftmost present leaf.
        let mut n = self.base + from;
        if !self.absent(n) {
            return Some(from);
        }
        loop {
            while n != ROOT && (n - 1) % ARITY == ARITY - 1 {
                n = (n - 1) / ARITY;
            }
            if n == ROOT {
                return None;
            }
            n += 1;
            if !self.absent(n) {
                break;
            }
        }
        while n < self.base {
            let first = ARITY * n + 1;
            n = (first..first + ARITY)
                .find(|&c| !self.absent(c))
                .expect("a present inner node has a present child");
        }
        Some(n - self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// `less` is tuple order, at the edges of each component too (the first two compared as
    /// one `u128`: a borrow from the low half must reach the high half).
    #[test]
    fn less_is_tuple_order() {
        let vals = [0, 1, u64::MAX / 2, u64::MAX - 1, u64::MAX];
        let ids = [0, 1, u32::MAX];
        let mut keys = Vec::new();
        for &a in &vals {
            for &b in &vals {
                for &c in &ids {
                    keys.push((a, b, c));
                }
            }
        }
        for x in &keys {
            for y in &keys {
                assert_eq!(less(x, y), x < y, "{x:?} < {y:?}");
            }
        }
    }

    /// Four children a node: 16 members fit two levels under the root (5 inner nodes), 17
    /// need a third; one member is the root itself. A re-key on the deepest leaf reaches the
    /// root, and the smallest key is the root's.
    #[test]
    fn four_children_a_node() {
        for (members, width, base) in [(1, 1, 0), (4, 4, 1), (5, 16, 5), (16, 16, 5), (17, 64, 21)]
        {
            let idx = RoutingIndex::new(members);
            assert_eq!((idx.width, idx.base), (width, base), "{members} members");
        }
        let mut idx = RoutingIndex::new(17);
        idx.set(16, Some((1, 0, 16)));
        idx.set(3, Some((2, 0, 3)));
        assert_eq!(idx.node(ROOT), (1, 0, 16));
        idx.set(16, Some((3, 0, 16)));
        assert_eq!(idx.node(ROOT), (2, 0, 3));
        assert_eq!(idx.in_position_order().collect::<Vec<_>>(), vec![3, 16]);
        assert_eq!(idx.first_from(4, |_| true), Some(16));
    }

    /// A leaves-only index answers the count, the leaves and membership exactly as a full one
    /// does, through sets, clears and a rebuild (which keeps the mode).
    #[test]
    fn leaves_only_keeps_count_and_leaves() {
        let mut full = RoutingIndex::new(5);
        let mut leaves = RoutingIndex::new(5);
        leaves.leaves_only();
        let ops = [
            (0, Some((3, 0, 0))),
            (2, Some((1, 0, 2))),
            (4, Some((2, 0, 4))),
            (2, None),
            (0, Some((5, 0, 0))),
        ];
        for (pos, key) in ops {
            full.set(pos, key);
            leaves.set(pos, key);
            assert_eq!(leaves.len(), full.len());
            for p in 0..5 {
                assert_eq!(leaves.key_at(p), full.key_at(p));
            }
        }
        // Members 0 and 4 hold keys (5, 0, 0) and (2, 0, 4); the inner nodes stay empty.
        assert_eq!(leaves.len(), 2);
        assert!(leaves.contains(&(5, 0, 0)) && !leaves.contains(&(1, 0, 2)));
        assert_eq!(leaves.node(ROOT), ABSENT);
        assert_eq!(full.node(ROOT), (2, 0, 4));
        leaves.rebuild((0..3u32).map(|p| (p != 1).then_some((u64::from(p), 0, p))));
        assert!(leaves.leaves);
        assert_eq!(leaves.len(), 2);
        assert!(leaves.contains(&(2, 0, 2)));
        assert_eq!(leaves.node(ROOT), ABSENT);
    }

    /// Packing keeps tuple order, at the edges of each component that fits, and unpacks to
    /// the key; keys beyond the bounds do not pack.
    #[test]
    fn pack_is_tuple_order() {
        let firsts = [0, 1, u64::MAX / 2, u64::MAX - 1];
        let ties = [0, 1, (1 << 39) + 7, (1 << 40) - 1];
        let ids = [0, 1, (1 << 23) + 5, (1 << 24) - 1];
        let mut keys = Vec::new();
        for &a in &firsts {
            for &b in &ties {
                for &c in &ids {
                    keys.push((a, b, c));
                }
            }
        }
        for x in &keys {
            let px = pack(x).expect("fits");
            assert_ne!(px, PACKED_ABSENT);
            assert_eq!(unpack(px), *x);
            for y in &keys {
                assert_eq!(px < pack(y).expect("fits"), x < y, "{x:?} < {y:?}");
            }
        }
        assert_eq!(pack(&(0, 1 << 40, 0)), None);
        assert_eq!(pack(&(0, 0, 1 << 24)), None);
        assert_eq!(pack(&(u64::MAX, 0, 0)), None);
        assert_eq!(pack(&ABSENT), None);
        assert_eq!(unpack(PACKED_ABSENT), ABSENT);
    }

    /// A key that does not pack widens the index for good; it answers as before, and equals an
    /// index that holds the same keys packed.
    #[test]
    fn widening_keeps_the_keys() {
        let mut a = RoutingIndex::new(4);
        let mut b = RoutingIndex::new(4);
        for (p, k) in [(0, (5, 3, 0)), (1, (2, 9, 1)), (3, (2, 8, 3))] {
            a.set(p, Some(k));
            b.set(p, Some(k));
        }
        assert!(a.packed());
        a.set(2, Some((7, 1 << 41, 2)));
        assert!(!a.packed());
        assert_eq!(a.len(), 4);
        assert_eq!(a.first_key_ok(|_| true), Some((2, 8, 3)));
        assert_eq!(a.first_ok(|x| x != 3 && x != 1), Some(0));
        assert_eq!(a.key_at(2), Some((7, 1 << 41, 2)));
        a.set(2, None);
        assert_eq!(a, b);
        let mut c = RoutingIndex::default();
        c.rebuild([Some((1, 0, 0)), Some((0, 1 << 45, 1)), None].into_iter());
        assert!(!c.packed());
        assert_eq!(c.len(), 2);
        assert_eq!(c.first_key_ok(|_| true), Some((0, 1 << 45, 1)));
        assert_eq!(c.in_position_order().collect::<Vec<_>>(), vec![0, 1]);
    }

    proptest! {
        /// The tree answers like an ordered set of (key) with positions: smallest key, keys in
        /// order with a filter, first present position from a point, length.
        #[test]
        fn agrees_with_an_ordered_set(
            n in 1usize..40,
            ops in proptest::collection::vec((0usize..40, proptest::option::of(0u64..6), 0u64..16), 0..200),
            from in 0usize..45,
            banned in proptest::collection::vec(0u32..40, 0..5),
        ) {
            let mut idx = RoutingIndex::new(n);
            let mut model: BTreeMap<usize, IndexKey> = BTreeMap::new();
            for (pos, k, k2) in ops {
                let pos = pos % n;
                // A tie-break of 15 stands for one too large to pack (the index widens).
                let k2 = if k2 == 15 { (1 << 40) + 1 } else { k2 % 3 };
                let key = k.map(|k| (k, k2, pos as u32));
                idx.set(pos, key);
                match key {
                    Some(key) => { model.insert(pos, key); }
                    None => { model.remove(&pos); }
                }
                prop_assert_eq!(idx.len(), model.len());
            }
            let mut sorted: Vec<IndexKey> = model.values().copied().collect();
            sorted.sort();
            prop_assert_eq!(idx.in_order().collect::<Vec<_>>(), sorted.clone());
            let ok = |a: u32| !banned.contains(&a);
            prop_assert_eq!(idx.first_ok(ok), sorted.iter().map(|k| k.2).find(|&a| ok(a)));
            let want = model.range(from..).map(|(_, k)| k.2).find(|&a| ok(a));
            prop_assert_eq!(idx.first_from(from, ok), want);
            let mut rebuilt = RoutingIndex::default();
            rebuilt.rebuild((0..n).map(|p| model.get(&p).copied()));
            prop_assert_eq!(rebuilt.in_order().collect::<Vec<_>>(), sorted);
            prop_assert_eq!(rebuilt.len(), idx.len());
            // Every inner node is the minimum of its children, as a rebuild computes them
            // (the re-keys' walks stop early: set_path).
            prop_assert!(rebuilt == idx);
            for k in model.values() {
                prop_assert!(idx.contains(k));
            }
        }
    }
}
