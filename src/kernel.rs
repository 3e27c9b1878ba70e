//! The discrete-event core: a time-ordered queue of events that knows nothing of the domain.
//!
//! Key types: [`EventQueue`], generic over the event payload `E`, and [`Generation`], a small
//! helper for lazy cancellation.
//!
//! # Ordering
//!
//! Events pop in order of `(time, tie class, insertion sequence)`: the earliest time first, and
//! events scheduled for the same instant in the order they were scheduled (first in, first out).
//! Results therefore never depend on heap internals.
//!
//! The tie class has two values. Almost every event is *ordinary*. An event scheduled with
//! [`EventQueue::schedule_reserved_last`] is *last at its instant*: it pops after every
//! ordinary event of the same instant, including those scheduled while the queue is already at
//! that instant (a cascade of follow-ups at the same time), and among other last events by
//! sequence. The simulator schedules a customer's give-up so: a customer an agent can take at
//! the instant its patience runs out is served (it abandons only if its wait is strictly longer
//! than its patience). Between different instants the class changes nothing.
//!
//! # Time never goes backwards
//!
//! [`EventQueue::now`] is the time of the last popped event. Scheduling an event *before* `now`
//! is a caller bug; the queue **clamps** such an event to `now` (it then runs after every event
//! already scheduled for `now`). Clamping rather than panicking keeps the kernel total — it
//! cannot fail — and keeps release and debug builds behaving identically.
//!
//! # Cancellation is lazy, and the caller's job
//!
//! Removing an arbitrary entry from a binary heap is costly, and most timeouts (patience,
//! invitation expiry) are cancelled. So the queue offers no `cancel`. Instead:
//!
//! 1. the object the event is about (a conversation, an agent) keeps a [`Generation`];
//! 2. the event payload carries a copy of that generation when it is scheduled;
//! 3. cancelling (or rescheduling) is [`Generation::bump`] on the object — O(1);
//! 4. when the event pops, the caller compares: a stale generation means "drop it".
//!
//! ```
//! use omnisim::kernel::{EventQueue, Generation};
//! use omnisim::time::{SimDuration, SimTime};
//!
//! #[derive(Clone, Copy, Debug)]
//! enum Ev { Timeout { conv: u32, gen: Generation } }
//!
//! let mut gens = vec![Generation::default(); 1]; // one per conversation
//! let mut q = EventQueue::new();
//! q.schedule(SimTime(5_000), Ev::Timeout { conv: 0, gen: gens[0] });
//! gens[0].bump(); // the conversation was answered: cancel its timeout
//! while let Some((_t, ev)) = q.pop() {
//!     match ev {
//!         Ev::Timeout { conv, gen } if gen != gens[conv as usize] => continue, // stale
//!         Ev::Timeout { .. } => unreachable!("the timeout was cancelled"),
//!     }
//! }
//! assert_eq!(q.now(), SimTime(5_000));
//! # let _ = SimDuration::ZERO;
//! ```
//!
//! # Cost
//!
//! Events due at the current instant wait in a FIFO beside the heap (they need no sifting);
//! the rest are in a 4-ary min-heap of keys packed into one `u128` each (16 bytes, a node's four
//! children's keys in 64 contiguous bytes): the time in the high 64 bits, then the tie class
//! (one bit), then the insertion sequence, then the *slot* of the payload in a slab beside the
//! heap. Only keys move when the
//! heap is sifted (16 bytes a level, not a key and a payload); the payload is written once when
//! scheduled and read once when popped, and its slot is reused (a free list). Payloads are
//! `Copy` and stored inline, so nothing is allocated per event once the slab and the heap have
//! grown to their working size.
//!
//! The low half's 63 bits below the class bit are split between the sequence and the slot: the
//! slot takes as many bits as the slab needs (at least 16), the sequence the rest. When the
//! slab outgrows its bits, every key in the heap is re-encoded with more (the same order: the
//! split only moves bits that are below every sequence difference), once per sixteenfold
//! growth. The split needs
//! `sequence numbers · pending events < 2⁶³`; a run would have to schedule 2³² events with
//! more than 2³¹ pending (hundreds of gigabytes) to pass it, and then the queue panics with a
//! message rather than misorder.

use crate::time::{SimDuration, SimTime};

/// A heap key: `(time, last, seq, slot)` as one integer, `time` in the high 64 bits, the tie
/// class in the top bit of the low half ([`LAST`]) and the slot in the lowest `slot_bits`, so
/// that comparing two keys is one `u128` comparison without branches. Keys are unique (each
/// sequence number is used once, and the slot sits below it), so the heap's order is total, the
/// order of `(time, last, seq)`, and pops never depend on heap internals.
type Key = u128;

/// The tie-class bit of a key's low half: set for an event that pops after every ordinary event
/// of its instant ([`EventQueue::schedule_reserved_last`]).
const LAST: u64 = 1 << 63;

/// The key of an event at `time` (last at its instant when `last`) with insertion sequence
/// `seq` and payload slot `slot`, for a split of `bits` slot bits (the caller has checked that
/// `seq` and `slot` fit below the class bit).
#[inline(always)]
fn key(time: u64, last: bool, seq: u64, slot: usize, bits: u32) -> Key {
    (Key::from(time) << 64) | Key::from((u64::from(last) << 63) | (seq << bits) | slot as u64)
}

/// The time of a key.
#[inline(always)]
fn key_time(k: Key) -> u64 {
    (k >> 64) as u64
}

/// The fewest slot bits a key has: 2¹⁶ pending events before the first re-encoding, 2⁴⁷
/// sequence numbers (the class bit takes one).
const MIN_SLOT_BITS: u32 = 16;

/// Slot bits added at a re-encoding (a sixteenfold growth of the slab).
const SLOT_BITS_STEP: u32 = 4;

/// Children per node of the heap: a 4-ary heap is half as deep as a binary one, and a node's
/// four 16-byte children's keys lie in 64 contiguous bytes (one or two cache lines per level).
const ARITY: usize = 4;

/// A queue of future events ordered by `(time, tie class, insertion sequence)` (see the
/// [module docs](self#ordering)).
///
/// `E` is the caller's payload, a small `Copy` value (ideally an enum); it is stored inline.
pub struct EventQueue<E> {
    /// A 4-ary min-heap of keys: `keys[0]` is the next event's; the children of `i` are
    /// `ARITY·i + 1 ..= ARITY·i + ARITY`. Each key names its payload's slot in `slab`.
    keys: Vec<Key>,
    /// Payloads by slot; a slot in `free` holds a stale copy.
    slab: Vec<E>,
    /// Slots of `slab` no pending heap event uses, reused last in, first out.
    free: Vec<usize>,
    /// Bits of a key's low half that hold the slot (the sequence has the rest below the class
    /// bit): at least [`MIN_SLOT_BITS`], and `slab.len() ≤ 2^slot_bits`.
    slot_bits: u32,
    /// Ordinary events scheduled for exactly `now` (an agent answering at once, say), in
    /// sequence order: they need no heap, since every ordinary heap entry for `now` was
    /// scheduled before them (or holds a reserved, older number, which `pop` compares), and
    /// every last one goes after them.
    due: std::collections::VecDeque<(u64, E)>,
    now: SimTime,
    next_seq: u64,
}

impl<E> std::fmt::Debug for EventQueue<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventQueue")
            .field("now", &self.now)
            .field("len", &self.keys.len())
            .field("next_seq", &self.next_seq)
            .finish()
    }
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue at time zero with room for `cap` events before it reallocates.
    pub fn with_capacity(cap: usize) -> Self {
        EventQueue {
            keys: Vec::with_capacity(cap),
            slab: Vec::with_capacity(cap),
            free: Vec::with_capacity(cap),
            slot_bits: MIN_SLOT_BITS,
            due: std::collections::VecDeque::new(),
            now: SimTime::ZERO,
            next_seq: 0,
        }
    }

    /// Schedules `ev` at `at`. An `at` before [`now`](Self::now) is clamped to `now`.
    #[inline]
    pub fn schedule(&mut self, at: SimTime, ev: E) {
        let time = at.0.max(self.now.0);
        let seq = self.next_seq;
        self.next_seq += 1;
        if time == self.now.0 {
            self.due.push_back((seq, ev));
            return;
        }
        self.push(time, false, seq, ev);
    }

    /// Takes the next insertion sequence number without scheduling anything, for an event that
    /// may be scheduled later with [`schedule_reserved`](Self::schedule_reserved) (or never).
    ///
    /// Scheduled later with its reserved number, the event pops exactly where it would have if it
    /// had been scheduled now: among events for the same instant, by sequence.
    #[inline]
    pub fn reserve_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Schedules `ev` at `at` with a sequence number from [`reserve_seq`](Self::reserve_seq).
    /// `at` must not be before [`now`](Self::now) (it is clamped to `now`, as in
    /// [`schedule`](Self::schedule), but then it may pop before events already due at `now`);
    /// each reserved number must be used at most once.
    #[inline]
    pub fn schedule_reserved(&mut self, at: SimTime, seq: u64, ev: E) {
        debug_assert!(
            seq < self.next_seq,
            "schedule_reserved with an unreserved number"
        );
        let time = at.0.max(self.now.0);
        self.push(time, false, seq, ev);
    }

    /// Schedules `ev` at `at` (clamped to [`now`](Self::now)) with a sequence number from
    /// [`reserve_seq`](Self::reserve_seq), *last at its instant*: it pops after every ordinary
    /// event at `at`, whether scheduled before or after it (also those scheduled while the queue
    /// is at `at`), and after the last events at `at` with older numbers. Each reserved number
    /// must be used at most once.
    #[inline]
    pub fn schedule_reserved_last(&mut self, at: SimTime, seq: u64, ev: E) {
        debug_assert!(
            seq < self.next_seq,
            "schedule_reserved_last with an unreserved number"
        );
        let time = at.0.max(self.now.0);
        self.push(time, true, seq, ev);
    }

    /// Schedules `ev` at `now + delay` (saturating).
    #[inline]
    pub fn schedule_in(&mut self, delay: SimDuration, ev: E) {
        self.schedule(self.now + delay, ev);
    }

    /// Removes the next event, advances [`now`](Self::now) to its time, and returns both.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if let Some(&(seq, _)) = self.due.front() {
            // A heap entry goes first only if it is due now, ordinary, with an older (reserved)
            // number (a last one's rank holds the class bit above every number).
            let heap_first = self
                .keys
                .first()
                .is_some_and(|&top| (key_time(top), self.rank_of(top)) < (self.now.0, seq));
            if !heap_first {
                let (_, ev) = self.due.pop_front()?;
                return Some((self.now, ev));
            }
        }
        let (time, payload) = self.pop_min()?;
        let t = SimTime(time);
        debug_assert!(t >= self.now, "kernel invariant: time went backwards");
        self.now = t;
        Some((t, payload))
    }

    /// The time of the next event, if any, without removing it.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        if !self.due.is_empty() {
            return Some(self.now);
        }
        self.keys.first().map(|&k| SimTime(key_time(k)))
    }

    /// The number of pending events (stale ones included: cancellation is lazy).
    #[inline]
    pub fn len(&self) -> usize {
        self.keys.len() + self.due.len()
    }

    /// Whether no events are pending.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.due.is_empty()
    }

    /// The current simulated time: the time of the last popped event (zero at first).
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Every pending event (stale ones included), in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &E> + '_ {
        let mask = (1u64 << self.slot_bits) - 1;
        self.keys
            .iter()
            .map(move |&k| &self.slab[(k as u64 & mask) as usize])
            .chain(self.due.iter().map(|(_, e)| e))
    }

    /// How many events have ever been scheduled.
    pub fn scheduled_count(&self) -> u64 {
        self.next_seq
    }

    /// Drops every pending event; keeps `now`, the sequence counter and the allocation.
    pub fn clear(&mut self) {
        self.keys.clear();
        self.slab.clear();
        self.free.clear();
        self.due.clear();
    }

    /// Inserts an event (last at its instant when `last`): its payload into a free slot, its
    /// key by a sift up from the new leaf (moving parents down into the hole: keys only).
    #[inline]
    fn push(&mut self, time: u64, last: bool, seq: u64, ev: E) {
        let slot = match self.free.pop() {
            Some(s) => {
                self.slab[s] = ev;
                s
            }
            None => {
                self.slab.push(ev);
                self.slab.len() - 1
            }
        };
        // Both fit unless the slab outgrew its bits or the sequence reached its own.
        if ((slot as u64) >> self.slot_bits) | (seq >> (63 - self.slot_bits)) != 0 {
            self.refit(seq);
        }
        let k = key(time, last, seq, slot, self.slot_bits);
        let mut hole = self.keys.len();
        self.keys.push(k);
        let keys = &mut self.keys[..=hole];
        while hole > 0 {
            let parent = (hole - 1) / ARITY;
            let pk = keys[parent];
            if k >= pk {
                break;
            }
            keys[hole] = pk;
            hole = parent;
        }
        keys[hole] = k;
    }

    /// Moves the split of the keys' low half so that the slab's slots and sequence numbers up
    /// to `seq` fit: the fewest slot bits in steps of [`SLOT_BITS_STEP`] from
    /// [`MIN_SLOT_BITS`] that hold every slot, or, when the sequence numbers do not fit beside
    /// those, the fewest that hold every slot at all; every key in the heap is re-encoded. A
    /// key's `(time, class, seq)` and slot are the same after, so the heap's order is too.
    ///
    /// # Panics
    ///
    /// When no split holds both (about 2⁶³ / `seq` pending events: see the module docs).
    #[cold]
    #[inline(never)]
    fn refit(&mut self, seq: u64) {
        let top_slot = self.slab.len().saturating_sub(1) as u64;
        let seq_max = seq.max(self.next_seq.saturating_sub(1));
        let fits = |bits: u32| bits < 63 && top_slot >> bits == 0 && seq_max >> (63 - bits) == 0;
        let mut bits = MIN_SLOT_BITS;
        while bits < 63 && top_slot >> bits != 0 {
            bits += SLOT_BITS_STEP;
        }
        if !fits(bits) {
            bits = (u64::BITS - top_slot.leading_zeros()).max(1);
        }
        assert!(
            fits(bits),
            "event queue: {} pending events with sequence numbers up to {seq_max} do not fit \
             one 64-bit key half",
            self.slab.len()
        );
        if bits == self.slot_bits {
            return;
        }
        let old = self.slot_bits;
        let mask = (1u64 << old) - 1;
        for k in &mut self.keys {
            let low = *k as u64;
            let (s, slot) = ((low & !LAST) >> old, low & mask);
            *k = key(key_time(*k), low & LAST != 0, s, slot as usize, bits);
        }
        self.slot_bits = bits;
    }

    /// Removes the smallest entry: its time and payload. The last leaf fills the root's place
    /// top-down: the hole goes down along the smallest children (a full node's four keys
    /// compared as a tournament of three branch-free comparisons) while the smallest child is
    /// smaller than the moved entry, which then fills the hole. In a simulator's heap the last
    /// leaf is not among the largest keys (a new event's time is random, not the latest), so
    /// stopping early beats going down to a leaf and sifting the entry back up (issue 28,
    /// seventh round: 11% fewer instructions in pops of the M/M/c, 4% in the 1,000-agent center).
    ///
    /// The walk has two parts: the nodes with four children (every node before
    /// `(n − 1) / ARITY`: one bound computed once, so a level is the tournament, one comparison
    /// and one move of a key, the payload staying in its slot, with no test of how many children
    /// there are), then at most one node with
    /// fewer (the heap's last parent) or none (a leaf).
    #[inline]
    fn pop_min(&mut self) -> Option<(u64, E)> {
        let last_key = self.keys.pop()?;
        let n = self.keys.len();
        if n == 0 {
            return Some(self.take(last_key));
        }
        let keys = &mut self.keys[..n];
        let top = keys[0];
        // Nodes before `full` have all four children: `ARITY·hole + ARITY < n`.
        let full = (n - 1) / ARITY;
        let mut hole = 0;
        let placed = loop {
            if hole >= full {
                break false;
            }
            let first = hole * ARITY + 1;
            let Some(kids) = keys.get(first..first + ARITY) else {
                break false; // not reached: `hole < full` has four children
            };
            let Ok(kids) = <&[Key; ARITY]>::try_from(kids) else {
                break false; // not reached: the range has four keys
            };
            // The tournament on positions (each comparison a flag added to a position), the
            // winner's key read again: fewer registers live than carrying keys and positions
            // through it, which made the compiler spill and compare twice.
            let lo = usize::from(kids[1] < kids[0]);
            let hi = 2 + usize::from(kids[3] < kids[2]);
            let pick = if kids[hi] < kids[lo] { hi } else { lo };
            let (best, best_key) = (first + pick, kids[pick]);
            // Keys are unique: the moved entry stops above every larger child.
            if last_key < best_key {
                break true;
            }
            keys[hole] = best_key;
            hole = best;
        };
        if !placed {
            // The last parent, with fewer than four children (or a leaf: none).
            let first = hole * ARITY + 1;
            if let Some(kids) = keys.get(first..n).filter(|k| !k.is_empty()) {
                let mut best = 0;
                for (c, &k) in kids.iter().enumerate().skip(1) {
                    if k < kids[best] {
                        best = c;
                    }
                }
                let best_key = kids[best];
                if best_key < last_key {
                    keys[hole] = best_key;
                    hole = first + best;
                }
            }
        }
        keys[hole] = last_key;
        Some(self.take(top))
    }

    /// The rank of a key within its instant: its insertion sequence, with the class bit above
    /// every sequence number when the event is last at its instant.
    #[inline(always)]
    fn rank_of(&self, k: Key) -> u64 {
        k as u64 >> self.slot_bits
    }

    /// The time and payload of a key taken off the heap; its slot becomes free.
    #[inline(always)]
    fn take(&mut self, k: Key) -> (u64, E) {
        let slot = (k as u64 & ((1u64 << self.slot_bits) - 1)) as usize;
        self.free.push(slot);
        (key_time(k), self.slab[slot])
    }
}

/// A generation counter for lazy cancellation (see the [module docs](self)).
///
/// The object keeps one; each scheduled event carries a copy; [`bump`](Self::bump) invalidates
/// every copy in flight. Wraps after 2³² bumps of the same object, which a run never reaches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Generation(pub u32);

impl Generation {
    /// Invalidates every event that carries the current value; returns the new value.
    #[inline]
    pub fn bump(&mut self) -> Generation {
        self.0 = self.0.wrapping_add(1);
        *self
    }

    /// Whether an event carrying `carried` is still current.
    #[inline]
    pub fn is_current(self, carried: Generation) -> bool {
        self == carried
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::new();
        for t in [30, 10, 20] {
            q.schedule(SimTime(t), t);
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.peek_time(), Some(SimTime(10)));
        let got: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(t, _)| t.0).collect();
        assert_eq!(got, vec![10, 20, 30]);
        assert_eq!(q.now(), SimTime(30));
        assert!(q.is_empty());
        assert_eq!(q.peek_time(), None);
    }

    /// `iter` yields exactly the pending events (heap and due-now), after pops freed slots
    /// and later schedules reused them (the slab holds stale copies in free slots).
    #[test]
    fn iter_yields_the_pending_events_only() {
        let mut q = EventQueue::new();
        for t in [50u64, 10, 40, 20, 30] {
            q.schedule(SimTime(t), t);
        }
        q.pop();
        q.pop();
        q.schedule(SimTime(60), 60);
        q.schedule(q.now(), 99);
        let mut got: Vec<u64> = q.iter().copied().collect();
        got.sort_unstable();
        assert_eq!(got, vec![30, 40, 50, 60, 99]);
        assert_eq!(got.len(), q.len());
    }

    #[test]
    fn ties_are_fifo() {
        let mut q = EventQueue::new();
        for i in 0..100u32 {
            q.schedule(SimTime(7), i);
        }
        let got: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn scheduling_in_the_past_is_clamped_to_now() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(100), 'a');
        q.schedule(SimTime(100), 'b');
        assert_eq!(q.pop(), Some((SimTime(100), 'a')));
        q.schedule(SimTime(5), 'c');
        assert_eq!(q.peek_time(), Some(SimTime(100)));
        // 'c' was clamped to now = 100 and runs after 'b', scheduled earlier for 100.
        assert_eq!(q.pop(), Some((SimTime(100), 'b')));
        assert_eq!(q.pop(), Some((SimTime(100), 'c')));
    }

    #[test]
    fn schedule_in_is_relative_to_now() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(1_000), 0);
        q.pop();
        q.schedule_in(SimDuration(250), 1);
        assert_eq!(q.pop(), Some((SimTime(1_250), 1)));
        q.schedule_in(SimDuration(u64::MAX), 2);
        assert_eq!(q.pop(), Some((SimTime::MAX, 2)));
    }

    #[test]
    fn reserved_sequence_numbers_keep_their_place() {
        let mut q = EventQueue::new();
        let early = q.reserve_seq();
        q.schedule(SimTime(10), 'b');
        q.schedule(SimTime(5), 'x');
        assert_eq!(q.pop(), Some((SimTime(5), 'x')));
        // Scheduled after 'b' but with a number reserved before it: pops first among time 10.
        q.schedule_reserved(SimTime(10), early, 'a');
        assert_eq!(q.pop(), Some((SimTime(10), 'a')));
        assert_eq!(q.pop(), Some((SimTime(10), 'b')));
        assert_eq!(q.scheduled_count(), 3);
        // At the current instant too: an older reserved number goes before events due now.
        let older = q.reserve_seq();
        q.schedule(SimTime(10), 'd');
        q.schedule_reserved(SimTime(10), older, 'c');
        assert_eq!(q.len(), 2);
        assert_eq!(q.peek_time(), Some(SimTime(10)));
        assert_eq!(q.pop(), Some((SimTime(10), 'c')));
        assert_eq!(q.pop(), Some((SimTime(10), 'd')));
        assert!(q.is_empty());
    }

    /// A last event pops after every ordinary event of its instant: those scheduled before it,
    /// after it, and while the queue is already at that instant (a cascade), whatever their
    /// numbers; last events among themselves by number; other instants unaffected.
    #[test]
    fn last_events_pop_after_every_ordinary_event_of_their_instant() {
        let mut q = EventQueue::new();
        let (first, second) = (q.reserve_seq(), q.reserve_seq());
        q.schedule(SimTime(10), 'b');
        q.schedule_reserved_last(SimTime(10), second, 'z');
        q.schedule_reserved_last(SimTime(10), first, 'y');
        q.schedule(SimTime(10), 'c');
        q.schedule(SimTime(5), 'a');
        q.schedule(SimTime(11), 'n');
        assert_eq!(q.pop(), Some((SimTime(5), 'a')));
        assert_eq!(q.pop(), Some((SimTime(10), 'b')));
        // Scheduled at the current instant while at it: still before the last ones.
        q.schedule(SimTime(10), 'd');
        assert_eq!(q.pop(), Some((SimTime(10), 'c')));
        assert_eq!(q.pop(), Some((SimTime(10), 'd')));
        assert_eq!(q.pop(), Some((SimTime(10), 'y')));
        // After a last event popped, an ordinary one due now still goes before the next.
        q.schedule(SimTime(10), 'e');
        assert_eq!(q.pop(), Some((SimTime(10), 'e')));
        assert_eq!(q.pop(), Some((SimTime(10), 'z')));
        // A last event scheduled for now (or the past: clamped) waits for what is due now.
        let late = q.reserve_seq();
        q.schedule_reserved_last(SimTime(3), late, 'x');
        q.schedule(SimTime(10), 'f');
        assert_eq!(q.pop(), Some((SimTime(10), 'f')));
        assert_eq!(q.pop(), Some((SimTime(10), 'x')));
        assert_eq!(q.pop(), Some((SimTime(11), 'n')));
        assert!(q.is_empty());
    }

    /// Re-encoding the keys as the slab grows keeps each event's class.
    #[test]
    fn re_encoding_keeps_the_class() {
        let mut q = EventQueue::new();
        let reserved: Vec<u64> = (0..100).map(|_| q.reserve_seq()).collect();
        for (i, &seq) in reserved.iter().enumerate() {
            q.schedule_reserved_last(SimTime(7), seq, 1_000_000 + i as u32);
        }
        for i in 0..70_000u32 {
            q.schedule(SimTime(7 + u64::from(i % 2)), i);
        }
        assert!(q.slot_bits > MIN_SLOT_BITS);
        let at7: Vec<u32> = std::iter::from_fn(|| q.pop())
            .take_while(|&(t, _)| t == SimTime(7))
            .map(|(_, e)| e)
            .collect();
        assert_eq!(at7.len(), 35_000 + 100);
        assert!(at7[..35_000].iter().all(|&e| e < 1_000_000));
        assert!(at7[35_000..].iter().copied().eq(1_000_000..1_000_100));
    }

    #[test]
    fn generations_mark_stale_events() {
        let mut g = Generation::default();
        let carried = g;
        assert!(g.is_current(carried));
        let newer = g.bump();
        assert!(!g.is_current(carried));
        assert!(g.is_current(newer));
    }

    /// Pops everything; the `(time, payload)` pairs must be `expected`, in its order.
    fn drain_in_order(q: &mut EventQueue<u32>, expected: &[(u64, u32)]) {
        let got: Vec<(u64, u32)> = std::iter::from_fn(|| q.pop())
            .map(|(t, id)| (t.0, id))
            .collect();
        let first_wrong = got.iter().zip(expected).position(|(g, e)| g != e);
        assert_eq!(
            (got.len(), first_wrong),
            (expected.len(), None),
            "popped {} events, expected {}",
            got.len(),
            expected.len()
        );
    }

    /// More pending events than the first split's 2¹⁶ slots: the keys are re-encoded with
    /// more slot bits while the heap holds them (and while freed slots are being reused), and
    /// the order stays `(time, insertion)`.
    #[test]
    fn keys_are_re_encoded_as_the_slab_grows() {
        let mut q = EventQueue::new();
        // The payload is the insertion number, so `(time, payload)` order is the queue's.
        let mut expected = Vec::new();
        let mut next = 0u32;
        let mut x: u64 = 12_345;
        for i in 0..70_000u32 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let t = 1 + (x >> 40) % 5_000; // many ties
                                           // After a pop an earlier time is clamped to now.
            expected.push((t.max(q.now().0), next));
            q.schedule(SimTime(t), next);
            next += 1;
            if i % 1_000 == 999 {
                // Pop one and schedule another at its time (now): freed slots are reused.
                let (t, old) = q.pop().expect("pending");
                expected.retain(|&e| e != (t.0, old));
                q.schedule(t, next);
                expected.push((t.0, next));
                next += 1;
            }
        }
        assert_eq!(q.slot_bits, MIN_SLOT_BITS + SLOT_BITS_STEP);
        expected.sort_unstable();
        drain_in_order(&mut q, &expected);
    }

    /// Sequence numbers near the top of the first split (2⁴⁷): the split gives the slot fewer
    /// bits (the slab is small), the keys are re-encoded, and the order stays `(time,
    /// insertion)`, with reserved numbers and events due now among them.
    #[test]
    fn keys_are_re_encoded_for_large_sequence_numbers() {
        let mut q = EventQueue::new();
        q.next_seq = (1 << 48) - 3;
        let early = q.reserve_seq();
        for (id, t) in [(0u32, 30u64), (1, 10), (2, 20), (3, 10), (4, 30)] {
            q.schedule(SimTime(t), id);
        }
        assert!(q.slot_bits < MIN_SLOT_BITS);
        assert_eq!(q.pop(), Some((SimTime(10), 1)));
        q.schedule_reserved(SimTime(20), early, 9);
        q.schedule(SimTime(10), 5); // due now
        drain_in_order(
            &mut q,
            &[(10, 3), (10, 5), (20, 9), (20, 2), (30, 0), (30, 4)],
        );
    }

    /// A split that holds neither the slots nor the sequence numbers is refused, not misread.
    #[test]
    #[should_panic(expected = "do not fit")]
    fn no_split_holds_both_panics() {
        let mut q = EventQueue::new();
        q.next_seq = u64::MAX - 1;
        q.schedule(SimTime(5), 0u32);
        q.schedule(SimTime(6), 1u32);
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// Schedule at `now + delta` (a negative delta tests clamping).
        Schedule(i64),
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (-50i64..200).prop_map(Op::Schedule),
            2 => Just(Op::Pop),
        ]
    }

    proptest! {
        /// Time never goes back; same-time events pop in insertion order; every scheduled
        /// event pops exactly once; popped times are never before the requested (clamped) time.
        #[test]
        fn queue_invariants(ops in proptest::collection::vec(op(), 0..400)) {
            let mut q = EventQueue::new();
            // payload = insertion id; remember each id's effective time
            let mut effective: Vec<u64> = Vec::new();
            let mut popped = vec![false; 0];
            let mut last: Option<(u64, u32)> = None;
            let mut check_pop = |t: SimTime, id: u32, effective: &Vec<u64>, popped: &mut Vec<bool>| {
                prop_assert_eq!(t.0, effective[id as usize]);
                prop_assert!(!popped[id as usize], "popped twice");
                popped[id as usize] = true;
                if let Some((lt, lid)) = last {
                    prop_assert!(t.0 >= lt, "time went back");
                    if t.0 == lt {
                        prop_assert!(id > lid, "tie out of insertion order");
                    }
                }
                last = Some((t.0, id));
                Ok(())
            };
            for op in ops {
                match op {
                    Op::Schedule(delta) => {
                        let now = q.now().0 as i64;
                        let at = (now + delta).max(0) as u64;
                        let id = effective.len() as u32;
                        effective.push(at.max(q.now().0));
                        popped.push(false);
                        q.schedule(SimTime(at), id);
                    }
                    Op::Pop => {
                        if let Some((t, id)) = q.pop() {
                            check_pop(t, id, &effective, &mut popped)?;
                            prop_assert_eq!(q.now(), t);
                        }
                    }
                }
            }
            while let Some((t, id)) = q.pop() {
                check_pop(t, id, &effective, &mut popped)?;
            }
            prop_assert!(popped.iter().all(|&p| p), "an event never popped");
            prop_assert_eq!(q.scheduled_count(), effective.len() as u64);
        }
    }
}
