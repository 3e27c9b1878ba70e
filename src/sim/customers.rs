//! [`Customers`]: the customers subsystem of a replication's [`World`](super::world::World).
//! It owns the simulator's record of every live conversation ([`ConvSim`], stored by engine
//! slot: patience timer, retrial key, mood, epochs), the customers' random stream families
//! (one stream per customer key, and a separate sentiment stream), the count of live counted
//! (post-warm-up) conversations, and the latest lazy give-up time ever discarded.
//!
//! Its step interface: [`Customers::store`] (or [`Customers::vacant`], written in place) /
//! [`Customers::remove`] a record at arrival and
//! close; [`Customers::get`] / [`Customers::get_mut`] by conversation id (stale ids miss);
//! [`Customers::answered`] drops an answered conversation's lazy give-up timer;
//! [`Customers::admitted`] / [`Customers::left`] count live counted conversations. It schedules
//! no event and draws no random number itself, so moving this state out of the world changes
//! no result.

use crate::engine::ConvId;
use crate::rng::{SimRng, StreamFamily};
use crate::time::SimTime;

use super::customer::{customer_family, sentiment_family, ConvSim};

/// The live conversations' simulator records and the customers' streams. See the module docs.
#[derive(Debug)]
pub(crate) struct Customers {
    /// Per engine slot: the live conversation's record, if any.
    slots: Vec<Option<ConvSim>>,
    /// The customers' streams: `.member(key)` is a customer's stream.
    streams: StreamFamily,
    /// The customers' sentiment streams (apart from their other draws).
    sentiment: StreamFamily,
    /// Live conversations that count (arrived after the warm-up).
    live_counted: u64,
    /// The latest give-up time ever kept out of the event queue and then discarded (see
    /// [`LazyGiveUp`](super::customer::LazyGiveUp)): a stale timer popped after the last real
    /// event would have moved the clock there.
    lazy_give_up_max: Option<SimTime>,
}

impl Customers {
    /// No customer yet; the stream families of replication `rep` with `seed`.
    pub(crate) fn new(seed: u64, rep: u32) -> Customers {
        Customers {
            slots: Vec::new(),
            streams: customer_family(seed, rep),
            sentiment: sentiment_family(seed, rep),
            live_counted: 0,
            lazy_give_up_max: None,
        }
    }

    /// The customer `key`'s own random stream.
    #[inline]
    pub(crate) fn stream(&self, key: u64) -> SimRng {
        self.streams.member(key)
    }

    /// The sentiment stream family (a [`Mood`](super::customer::Mood) draws its member).
    #[inline]
    pub(crate) fn sentiment(&self) -> StreamFamily {
        self.sentiment
    }

    /// The record of a live conversation (`None` for a closed or stale id).
    #[inline]
    pub(crate) fn get(&self, conv: ConvId) -> Option<&ConvSim> {
        self.slots
            .get(conv.slot as usize)
            .and_then(|c| c.as_ref())
            .filter(|c| c.id == conv)
    }

    /// The record of a live conversation, to change it.
    #[inline]
    pub(crate) fn get_mut(&mut self, conv: ConvId) -> Option<&mut ConvSim> {
        self.slots
            .get_mut(conv.slot as usize)
            .and_then(|c| c.as_mut())
            .filter(|c| c.id == conv)
    }

    /// The record in engine slot `slot`, whichever conversation holds it.
    #[inline]
    pub(crate) fn at(&self, slot: usize) -> Option<&ConvSim> {
        self.slots.get(slot).and_then(|c| c.as_ref())
    }

    /// The record in engine slot `slot`, to change it.
    #[inline]
    pub(crate) fn at_mut(&mut self, slot: usize) -> Option<&mut ConvSim> {
        self.slots.get_mut(slot).and_then(|c| c.as_mut())
    }

    /// Every live conversation's record, in slot order.
    pub(crate) fn live(&self) -> impl Iterator<Item = &ConvSim> {
        self.slots.iter().flatten()
    }

    /// Stores a new contact's record in its engine slot.
    #[inline]
    pub(crate) fn store(&mut self, cs: ConvSim) {
        let slot = cs.id.slot as usize;
        if self.slots.len() <= slot {
            self.slots.resize_with(slot + 1, || None);
        }
        self.slots[slot] = Some(cs);
    }

    /// The slot of new conversation `conv`, to write its record in place
    /// (`Option::insert`): grown to hold it if needed; empty unless a record was left there.
    #[inline(always)]
    pub(crate) fn vacant(&mut self, conv: ConvId) -> &mut Option<ConvSim> {
        let slot = conv.slot as usize;
        if self.slots.len() <= slot {
            self.slots.resize_with(slot + 1, || None);
        }
        &mut self.slots[slot]
    }

    /// Clears engine slot `slot` (its conversation closed).
    #[inline]
    pub(crate) fn remove(&mut self, slot: usize) {
        self.slots[slot] = None;
    }

    /// An answered conversation: drops its lazy give-up timer (it would only have been dropped
    /// when popped), remembering how far it would have moved the clock; then its record.
    #[inline]
    pub(crate) fn answered(&mut self, conv: ConvId) -> Option<&mut ConvSim> {
        let c = self
            .slots
            .get_mut(conv.slot as usize)
            .and_then(|c| c.as_mut())
            .filter(|c| c.id == conv)?;
        if let Some(g) = c.give_up.take() {
            self.lazy_give_up_max = self.lazy_give_up_max.max(Some(g.at));
        }
        Some(c)
    }

    /// The latest discarded lazy give-up time, if any.
    #[inline]
    pub(crate) fn lazy_give_up_max(&self) -> Option<SimTime> {
        self.lazy_give_up_max
    }

    /// A conversation was admitted; `counted` ones are counted live.
    #[inline]
    pub(crate) fn admitted(&mut self, counted: bool) {
        self.live_counted += counted as u64;
    }

    /// A conversation closed; `counted` ones leave the live count.
    #[inline]
    pub(crate) fn left(&mut self, counted: bool) {
        self.live_counted -= counted as u64;
    }

    /// Live conversations that count.
    #[inline]
    pub(crate) fn live_counted(&self) -> u64 {
        self.live_counted
    }
}
