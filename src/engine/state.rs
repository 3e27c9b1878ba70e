//! The engine's live state: conversations in a generational slab, agents, queues, supervisors.
//!
//! Everything is indexed by compact ids; closed conversations leave the slab, so memory follows
//! the conversations in the system, not all that ever arrived.

use crate::model::{
    AgentId, AssignmentMethod, ConvState, MessageMode, Presence, QueueId, SupervisorId,
    WorkstreamId,
};
use crate::time::SimTime;

use super::effect::InviteId;
use super::index::RoutingIndex;
use super::seqset::SeqSet;

/// A conversation's handle. Stale after the conversation closes: commands on it are refused with
/// LC-CLOSED.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConvId {
    /// Slot in the slab.
    pub slot: u32,
    /// Generation of the slot when the conversation arrived.
    pub gen: u32,
}

/// A key in the per-queue ordered sets: (arrival sequence, slot).
pub(crate) type SeqKey = (u64, u32);

/// What routing needs of a conversation beyond its arrival: its requirement (RT-CLASSIFY) and
/// its attribute set (RT-PRIORITIZE).
pub(crate) type Tag = (super::skills::ReqId, super::ruleset::AttrId);

/// A pending invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Invite {
    pub(crate) id: InviteId,
    pub(crate) agent: AgentId,
    pub(crate) by_supervisor: bool,
    /// Whether its units are reserved on the agent (CAP-RESERVE, `reserve_on_invite`).
    pub(crate) reserves: bool,
    /// The units its conversation will hold on the agent once accepted (its queue's
    /// `capacity_units` when sent).
    pub(crate) units: u32,
    /// The assignment rule that chose the agent (RT-RULESET), if one did.
    pub(crate) rule: Option<u16>,
}

impl Invite {
    /// Units reserved on the agent for it (CAP-RESERVE), 0 when not reserving.
    #[inline]
    pub(crate) fn reserved(&self) -> u32 {
        if self.reserves {
            self.units
        } else {
            0
        }
    }

    /// Units it promises the agent without reserving them (`reserve_on_invite` off): counted
    /// in the agent's [`Agent::pending_units`]; 0 when reserving.
    #[inline]
    pub(crate) fn unreserved(&self) -> u32 {
        self.units - self.reserved()
    }
}

/// A consultant on a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Participant {
    /// A supervisor who joined.
    Supervisor(SupervisorId, MessageMode),
    /// An agent who transferred the conversation away.
    Agent(AgentId),
}

/// A live conversation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Conv {
    pub(crate) seq: u64,
    pub(crate) queue: QueueId,
    pub(crate) origin: QueueId,
    pub(crate) state: ConvState,
    pub(crate) primary: Option<AgentId>,
    /// Units held on the primary agent right now.
    pub(crate) held: u32,
    pub(crate) invite: Option<Invite>,
    pub(crate) refusals: Vec<(AgentId, u32)>,
    pub(crate) consultants: Vec<Participant>,
    pub(crate) monitors: Vec<SupervisorId>,
    pub(crate) arrived_at: SimTime,
    pub(crate) answered_at: Option<SimTime>,
    /// Its required skills (RT-CLASSIFY); `ReqId(0)` requires none.
    pub(crate) req: super::skills::ReqId,
    /// Its attribute set (RT-PRIORITIZE); `AttrId(0)` without prioritization.
    pub(crate) attrs: super::ruleset::AttrId,
}

impl Conv {
    /// A conversation just arrived in `queue` at `now`: Open, nobody on it, `seq` its arrival
    /// order (RT-ORDER), `req` / `attrs` its skills and attribute set. Inlined so that the
    /// record is built in its slot (issue 28: `Slab::vacant`).
    #[inline(always)]
    pub(crate) fn arrived(
        seq: u64,
        queue: QueueId,
        now: SimTime,
        req: super::skills::ReqId,
        attrs: super::ruleset::AttrId,
    ) -> Conv {
        Conv {
            seq,
            queue,
            origin: queue,
            state: ConvState::Open,
            primary: None,
            held: 0,
            invite: None,
            refusals: Vec::new(),
            consultants: Vec::new(),
            monitors: Vec::new(),
            arrived_at: now,
            answered_at: None,
            req,
            attrs,
        }
    }

    pub(crate) fn key(&self, slot: u32) -> SeqKey {
        (self.seq, slot)
    }

    pub(crate) fn tag(&self) -> Tag {
        (self.req, self.attrs)
    }

    pub(crate) fn refusals_by(&self, agent: AgentId) -> u32 {
        self.refusals
            .iter()
            .find(|(a, _)| *a == agent)
            .map_or(0, |(_, n)| *n)
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Slot {
    gen: u32,
    conv: Option<Conv>,
}

/// Conversations by slot, with generations so stale handles are detected.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Slab {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
}

impl Slab {
    /// A free slot for a new conversation, counted live: its handle and its empty record, for
    /// the caller to fill at once (`*slot = Some(Conv { .. })`, built in place rather than
    /// copied in from an argument). A freed slot is reused with its bumped generation.
    pub(crate) fn vacant(&mut self) -> (ConvId, &mut Option<Conv>) {
        self.live += 1;
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(Slot { gen: 0, conv: None });
                self.slots.len() as u32 - 1
            }
        };
        let s = &mut self.slots[slot as usize];
        (ConvId { slot, gen: s.gen }, &mut s.conv)
    }

    pub(crate) fn get(&self, id: ConvId) -> Option<&Conv> {
        let s = self.slots.get(id.slot as usize)?;
        if s.gen == id.gen {
            s.conv.as_ref()
        } else {
            None
        }
    }

    pub(crate) fn get_mut(&mut self, id: ConvId) -> Option<&mut Conv> {
        let s = self.slots.get_mut(id.slot as usize)?;
        if s.gen == id.gen {
            s.conv.as_mut()
        } else {
            None
        }
    }

    /// The live conversation in `slot`, with its current handle.
    pub(crate) fn by_slot(&self, slot: u32) -> Option<(ConvId, &Conv)> {
        let s = self.slots.get(slot as usize)?;
        s.conv.as_ref().map(|c| (ConvId { slot, gen: s.gen }, c))
    }

    /// Drops the conversation in place (read what you need first: moving the ~170-byte record
    /// out would copy it for nothing). A stale handle changes nothing.
    pub(crate) fn remove(&mut self, id: ConvId) {
        let Some(s) = self.slots.get_mut(id.slot as usize) else {
            return;
        };
        if s.gen != id.gen || s.conv.is_none() {
            return;
        }
        s.conv = None;
        s.gen = s.gen.wrapping_add(1);
        self.free.push(id.slot);
        self.live -= 1;
    }

    pub(crate) fn live(&self) -> usize {
        self.live
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (ConvId, &Conv)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.conv.as_ref().map(|c| {
                (
                    ConvId {
                        slot: i as u32,
                        gen: s.gen,
                    },
                    c,
                )
            })
        })
    }
}

/// An agent's live state.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Agent {
    pub(crate) capacity: u32,
    /// Units held by its conversations (may exceed capacity after a supervisor assignment).
    pub(crate) used: i64,
    /// Units reserved by pending invitations (CAP-RESERVE).
    pub(crate) reserved: i64,
    /// Units its pending invitations will hold once accepted but do not reserve
    /// (`reserve_on_invite` off; 0 when reserving): the sum of their
    /// [`Invite::unreserved`]. Routing and presence ignore them (CAP-RESERVE: free units are
    /// capacity − used − reserved); ASSIGN-CAPACITY counts them, so a supervisor assignment or
    /// transfer under `overallocation = "deny"` or a number never passes on units that pending
    /// invitations already promised (issue 25, branch fixa-16).
    pub(crate) pending_units: i64,
    /// Presence set by hand (PR-MANUAL); `None` follows capacity (PR-AUTO).
    pub(crate) manual: Option<Presence>,
    /// Effective presence.
    pub(crate) presence: Presence,
    /// Its place in each queue it serves, sorted by the queue's (priority, id); the index of a
    /// place is the queue's *slot*. One record per queue, so a re-keying reads and writes one
    /// contiguous entry (issue 28, eighth round: these were four parallel lists).
    pub(crate) places: Vec<Place>,
    /// `(queue, its slot in places)` for each of `places`, sorted by queue: [`Agent::slot_of`]
    /// by binary search (a linear search there made setting up 5,000 queues with 2,500 agents
    /// in all of them take agents × queues² steps, 100 s; issue 25, fourth pass, F7). Rebuilt
    /// by [`Agent::index_slots`] whenever `places` gains or loses a queue.
    pub(crate) slots: Vec<(QueueId, u32)>,
    /// Its last assignment in each of `queues` (advanced round robin's rotation), as a counter.
    pub(crate) queue_turn: Vec<u64>,
    pub(crate) pending: u32,
    /// Conversations it is primary on (Active, Waiting, Wrap-up).
    pub(crate) holding: u32,
    /// When it last took a conversation (`None`: never); see [`Agent::assign_key`].
    pub(crate) last_assign: Option<SimTime>,
    /// When it last released units (`None`: never); see [`Agent::release_key`].
    pub(crate) last_release: Option<SimTime>,
    /// No routing index holds a key for it (see [`Keyless`]).
    pub(crate) keyless: Keyless,
}

/// An agent's place in one of its queues: everything a re-keying reads and writes there, in one
/// record (48 bytes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Place {
    /// Its current key in the queue's routing index (`None`: not eligible there; in a queue
    /// with assignment rules, whose method ranks nobody, the member-order key `(0, 0, id)`).
    pub(crate) key: Option<IndexKey>,
    /// The queue.
    pub(crate) queue: QueueId,
    /// Its position among the queue's members (its leaf in the queue's routing index).
    pub(crate) member_pos: u32,
    /// Skill queues: its profile group in the queue (0 otherwise).
    pub(crate) group: u32,
    /// Skill queues: its position in that group (0 otherwise).
    pub(crate) group_pos: u32,
}

impl Place {
    /// A place in `queue` with no key, at position 0 (set when the members are placed).
    pub(crate) fn new(queue: QueueId) -> Place {
        Place {
            key: None,
            queue,
            member_pos: 0,
            group: 0,
            group_pos: 0,
        }
    }
}

/// Whether no routing index holds a key for an agent: every entry of its `keys` is `None` and so
/// is its leaf in every rule cell (with assignment rules), as left by its last re-keying. Only a
/// hint, which lets the re-keying skip an
/// agent that was keyless and still cannot take any work (its keys would all come out `None`
/// again); anything else that writes an agent's keys (a rebuild, a membership change) sets it
/// to `false`, which never skips. Equality ignores it: two engines with the same keys are equal
/// however the hint was left.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Keyless(pub(crate) bool);

impl PartialEq for Keyless {
    fn eq(&self, _: &Keyless) -> bool {
        true
    }
}

impl Agent {
    /// Its last assignment as an order-by key, earliest first: never assigned (0) ranks before
    /// any time, even 0 ms (time + 1), so an agent that took work at 0 s is not taken again
    /// before one that never did.
    #[inline]
    pub(crate) fn assign_key(&self) -> u64 {
        self.last_assign.map_or(0, |t| t.as_millis() + 1)
    }

    /// Its last release of units as a key (least active), with never (0) before any time.
    #[inline]
    pub(crate) fn release_key(&self) -> u64 {
        self.last_release.map_or(0, |t| t.as_millis() + 1)
    }

    pub(crate) fn free(&self) -> i64 {
        self.capacity as i64 - self.used - self.reserved
    }

    pub(crate) fn slot_of(&self, q: QueueId) -> Option<usize> {
        let i = self.slots.binary_search_by_key(&q, |s| s.0).ok()?;
        Some(self.slots[i].1 as usize)
    }

    /// The queues it serves, in slot order (by the queue's priority, then id).
    pub(crate) fn queues(&self) -> impl ExactSizeIterator<Item = QueueId> + '_ {
        self.places.iter().map(|p| p.queue)
    }

    /// The `slots` of `places` (see the field).
    pub(crate) fn slots_of(places: &[Place]) -> Vec<(QueueId, u32)> {
        let mut slots: Vec<(QueueId, u32)> = places
            .iter()
            .enumerate()
            .map(|(i, p)| (p.queue, i as u32))
            .collect();
        slots.sort_unstable();
        slots
    }

    /// Rebuilds `slots` after `places` gained or lost a queue.
    pub(crate) fn index_slots(&mut self) {
        self.slots = Agent::slots_of(&self.places);
    }

    /// PR-AUTO: presence that follows capacity.
    pub(crate) fn auto_presence(&self) -> Presence {
        let used = self.used + self.reserved;
        if used <= 0 {
            Presence::Available
        } else if used >= self.capacity as i64 {
            Presence::BusyDnd
        } else {
            Presence::Busy
        }
    }
}

/// A routing-index key: the method's order, then the agent id (so ties are deterministic).
pub(crate) type IndexKey = (u64, u64, u32);

/// A queue's live state.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Queue {
    pub(crate) workstream: WorkstreamId,
    pub(crate) method: AssignmentMethod,
    pub(crate) priority: u32,
    /// Member agents, in id order.
    pub(crate) members: Vec<AgentId>,
    /// Every Open conversation, by arrival (kept only with supervisors, see [`ViewSet`]).
    pub(crate) open: ViewSet,
    /// Open conversations with no pending invitation, by arrival (what routing serves).
    pub(crate) routable: SeqSet,
    /// Its routable conversations less those every member refused too often (what routing
    /// walks; see `engine::offerable`).
    pub(crate) offerable: SeqSet,
    /// Active, Waiting and Wrap-up conversations, by arrival (kept only with supervisors).
    pub(crate) engaged: ViewSet,
    /// Eligible agents in the method's order (RT-ELIGIBLE ∩ RT-METHOD), one leaf per member.
    pub(crate) index: RoutingIndex,
    /// Round robin: the member position chosen last.
    pub(crate) rr_last: u64,
    /// Advanced round robin: assignments made so far in this queue.
    pub(crate) turns: u64,
    /// Skill routing state, when its work stream matches skills.
    pub(crate) skills: Option<Box<super::skills::QueueSkills>>,
}

/// A supervisor's view of a queue (its Open or its engaged conversations, oldest first), kept
/// up to date only when `on`: routing never reads it, so an engine without supervisors skips
/// the cost and [`Engine::open_in`](super::Engine::open_in) /
/// [`Engine::engaged_in`](super::Engine::engaged_in) fall back to a scan of the live
/// conversations.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct ViewSet {
    pub(crate) on: bool,
    pub(crate) set: SeqSet,
    /// Its insertions below its newest sequence ever (`engine::view_marks`), when `on` (boxed:
    /// an engine without supervisors keeps its queues as small as before).
    pub(crate) inserts: Option<Box<super::view_marks::Inserts>>,
}

impl ViewSet {
    /// An empty view, kept up to date when `on`.
    pub(crate) fn new(on: bool) -> Self {
        ViewSet {
            on,
            set: SeqSet::default(),
            inserts: on.then(Default::default),
        }
    }

    #[inline]
    pub(crate) fn insert(&mut self, key: SeqKey) {
        if self.on {
            if let Some(i) = self.inserts.as_deref_mut() {
                i.note(key.0);
            }
            self.set.insert(key);
        }
    }

    #[inline]
    pub(crate) fn remove(&mut self, key: &SeqKey) {
        if self.on {
            self.set.remove(key);
        }
    }
}

/// A supervisor.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Supervisor {
    pub(crate) queues: Vec<QueueId>,
    pub(crate) agent: Option<AgentId>,
}

impl Supervisor {
    pub(crate) fn sees(&self, q: QueueId) -> bool {
        self.queues.contains(&q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(seq: u64) -> Conv {
        Conv::arrived(
            seq,
            QueueId(0),
            SimTime::ZERO,
            super::super::skills::ReqId(0),
            super::super::ruleset::AttrId(0),
        )
    }

    fn put(slab: &mut Slab, seq: u64) -> ConvId {
        let (id, record) = slab.vacant();
        assert!(record.is_none(), "a vacant slot holds no record");
        *record = Some(conv(seq));
        id
    }

    #[test]
    fn a_vacant_slot_is_filled_in_place_and_reused_with_a_new_generation() {
        let mut slab = Slab::default();
        let a = put(&mut slab, 1);
        let b = put(&mut slab, 2);
        assert_eq!(
            (a, b),
            (ConvId { slot: 0, gen: 0 }, ConvId { slot: 1, gen: 0 })
        );
        assert_eq!(slab.live(), 2);
        assert_eq!(slab.get(b).map(|c| c.seq), Some(2));
        slab.remove(a);
        assert_eq!(slab.live(), 1);
        let c = put(&mut slab, 3);
        assert_eq!(
            c,
            ConvId { slot: 0, gen: 1 },
            "the freed slot, one generation on"
        );
        assert_eq!(slab.get(a), None, "the old handle is stale");
        assert_eq!(slab.get(c).map(|c| c.seq), Some(3));
        assert_eq!(slab.by_slot(0).map(|(id, c)| (id, c.seq)), Some((c, 3)));
        let d = put(&mut slab, 4);
        assert_eq!(d, ConvId { slot: 2, gen: 0 });
        let seqs: Vec<_> = slab.iter().map(|(id, c)| (id.slot, c.seq)).collect();
        assert_eq!(seqs, vec![(0, 3), (1, 2), (2, 4)]);
        assert_eq!(slab.live(), 3);
    }
}
