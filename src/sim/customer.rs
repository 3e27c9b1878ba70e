//! The simulator's side of a conversation: its customer's own random stream, lazy sentiment,
//! and bookkeeping for lazy cancellation.

use crate::engine::{ConvId, InviteId};
use crate::model::QueueId;
use crate::rng::{SimRng, Source, StreamFamily};
use crate::scenario::Sentiment;
use crate::time::{SimDuration, SimTime};

/// The tag of the sentiment streams (kept apart from the customer's other draws so that looking
/// at sentiment never shifts handle times or patience).
const SENTIMENT_TAG: u32 = 1001;

/// Sim-side data of one live conversation, stored by engine slot.
#[derive(Clone, Debug)]
pub(crate) struct ConvSim {
    pub(crate) id: ConvId,
    pub(crate) origin: QueueId,
    pub(crate) queue: QueueId,
    pub(crate) counted: bool,
    /// Bumped at each acceptance; events of earlier acceptances are stale.
    pub(crate) epoch: u32,
    /// Already went Waiting once.
    pub(crate) waited: bool,
    /// Supervisor actions scheduled but not yet applied.
    pub(crate) pending_acts: u16,
    pub(crate) rng: SimRng,
    pub(crate) mood: Option<Mood>,
    /// The give-up timer while it is *not yet* in the event queue (lazy patience timers).
    pub(crate) give_up: Option<LazyGiveUp>,
    /// Its row in the conversation log (`u32::MAX` when not logging).
    pub(crate) row: u32,
    /// Its replayed history row (`u32::MAX` when not replayed).
    pub(crate) replay: u32,
    /// Its log row of the queue it was last transferred to at the end of handling (its leg
    /// there; `u32::MAX` before a transfer or when not logging). `row` stays its first leg.
    pub(crate) leg: u32,
    /// The customer's key ([`customer_key`] of its first contact; a retrial keeps it).
    pub(crate) key: u64,
    /// When the current Active spell began.
    pub(crate) active_since: SimTime,
    /// Active time of this handling before the current spell (before a Waiting spell or a
    /// release back to the queue), in ms.
    pub(crate) active_ms: u64,
    /// The work of the handling under way: what the next acceptance resumes after a
    /// suspension instead of drawing a new handle time.
    pub(crate) work: Work,
    /// The agent whose slowdown shares hold it (`u32::MAX`: none).
    pub(crate) share_agent: u32,
    /// Being transferred to another queue: the Active → Open change is not a release.
    pub(crate) moving: bool,
    /// When it entered its current queue by a transfer, until answered there.
    pub(crate) entered: Option<SimTime>,
    /// It has moved to another queue (transfer or overflow): `conversations.transferred`
    /// counts it once.
    pub(crate) moved: bool,
    /// An overflow callback: the customer no longer abandons.
    pub(crate) callback: bool,
    /// A `waited_over` move in progress: its caller schedules the new queue's waiting-time
    /// rules after the command, so the `Requeued` follow-up leaves them.
    pub(crate) overflowing: bool,
    /// When it entered its current queue, however (arrival, a `waited_over` move, a transfer
    /// at the end of handling, a supervisor's move): set when that queue's waiting-time rules
    /// are scheduled; a rule's timer whose due time is not this + its `after` is of an earlier
    /// stay in the queue, and stale.
    pub(crate) queued_at: SimTime,
    /// Supervisor policies' failed attempts on it and RT-ELIGIBLE refusals, once a supervisor
    /// has something to remember ([`SupTries`](super::sup_tries::SupTries)).
    pub(crate) sup: Option<Box<super::sup_tries::SupTries>>,
}

impl ConvSim {
    /// A new contact of `queue` (its origin).
    pub(crate) fn new(
        id: ConvId,
        queue: QueueId,
        counted: bool,
        rng: SimRng,
        mood: Option<Mood>,
        give_up: Option<LazyGiveUp>,
        key: u64,
    ) -> ConvSim {
        ConvSim {
            id,
            origin: queue,
            queue,
            counted,
            epoch: 0,
            waited: false,
            pending_acts: 0,
            rng,
            mood,
            give_up,
            key,
            active_since: SimTime::ZERO,
            active_ms: 0,
            work: Work::default(),
            share_agent: u32::MAX,
            moving: false,
            entered: None,
            moved: false,
            row: u32::MAX,
            replay: u32::MAX,
            leg: u32::MAX,
            callback: false,
            overflowing: false,
            queued_at: SimTime::ZERO,
            sup: None,
        }
    }

    /// Its handling ended (Wrap-up, or a transfer at the end of handling): the next
    /// acceptance starts a new one.
    pub(crate) fn handling_ended(&mut self) {
        self.active_ms = 0;
        self.work = Work::default();
    }
}

/// The work of one handling (from an acceptance to Wrap-up or a transfer at the end of
/// handling), drawn once at its first acceptance and kept across every suspension: a Waiting
/// spell (the customer away) and a release back to the queue (the agent disconnected). An
/// acceptance after a suspension resumes the rest, so a handling's Active time adds up to its
/// drawn handle time (docs/metrics.md, handle time), whoever takes it up again.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Work {
    /// Solo work left of the current segment (to the Waiting spell, or to the end of
    /// handling), in sharing units ([`UNITS_PER_MS`](super::sharing::UNITS_PER_MS) per ms), as
    /// of the segment's last (re)start; brought up to date at each suspension.
    pub(crate) seg: u64,
    /// Solo work after the Waiting spell the current segment ends in, in ms (0 without one).
    pub(crate) rest_ms: u64,
    /// The current segment ends in a Waiting spell.
    pub(crate) then_waiting: bool,
    /// A handling is under way (drawn, not ended): the next acceptance resumes it.
    pub(crate) under_way: bool,
}

/// A patience (or Open auto-close) timer kept out of the event queue while an invitation that
/// will be accepted no later than it is due covers it: most conversations are answered, and then
/// the timer would only be popped and dropped. It enters the queue, with the sequence number
/// reserved at arrival, last at its instant (so it pops exactly where it would have: after every
/// other event of that instant, among the give-ups by number), as soon as it is no longer
/// covered: the covering invitation is withdrawn, refused or replaced. Acceptance discards it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LazyGiveUp {
    pub(crate) at: SimTime,
    pub(crate) seq: u64,
    pub(crate) auto: bool,
    /// The invitation whose acceptance is due no later than `at`, if any.
    pub(crate) cover: Option<InviteId>,
}

/// A sentiment random walk, advanced only when someone looks.
#[derive(Clone, Debug)]
pub(crate) struct Mood {
    value: f64,
    minutes: u64,
    arrived_min: u64,
    rng: SimRng,
}

impl Mood {
    /// A walk from `start` for the customer `key`, drawing from its stream in `family`
    /// ([`sentiment_family`]).
    pub(crate) fn new(family: StreamFamily, key: u64, start: f64, arrived_ms: u64) -> Mood {
        Mood {
            value: start.clamp(-1.0, 1.0),
            minutes: 0,
            arrived_min: arrived_ms / 60_000,
            rng: family.member(key),
        }
    }

    /// The sentiment at `now_ms`: one step per whole minute since arrival, each
    /// `drift + volatility·N(0,1)`, clamped to [-1, 1] after every step.
    #[inline]
    pub(crate) fn at(&mut self, s: &Sentiment, now_ms: u64) -> f64 {
        let target = (now_ms / 60_000).saturating_sub(self.arrived_min);
        while self.minutes < target {
            let z = normal(&mut self.rng);
            self.value = (self.value + s.drift + s.volatility * z).clamp(-1.0, 1.0);
            self.minutes += 1;
        }
        self.value
    }
}

/// A standard normal draw: `rand_distr`'s ziggurat (one `u64` and a table look-up in about 99%
/// of draws), several times cheaper than Box–Muller's `ln`, `sqrt` and `cos`.
#[inline]
fn normal(rng: &mut SimRng) -> f64 {
    use rand_distr::Distribution;
    rand_distr::StandardNormal.sample(rng)
}

/// The stream key of a customer: its queue and its arrival index in that queue, so the same
/// customer gets the same draws whatever the rules do (common random numbers).
pub(crate) fn customer_key(queue: QueueId, index: u64) -> u64 {
    ((queue.0 as u64) << 40) | (index & ((1 << 40) - 1))
}

/// The customers' streams of a replication: `.member(customer_key(..))` is a customer's stream.
pub(crate) fn customer_family(seed: u64, rep: u32) -> StreamFamily {
    StreamFamily::of(seed, rep, Source::Customer(0))
}

/// The customers' sentiment streams of a replication (apart from their other draws).
pub(crate) fn sentiment_family(seed: u64, rep: u32) -> StreamFamily {
    StreamFamily::of(
        seed,
        rep,
        Source::Other {
            tag: SENTIMENT_TAG,
            index: 0,
        },
    )
}

/// Which of a state's two timers fires: its auto-close timer (`true`) when due no later than the
/// drawn one (patience, time away, wrap-up), else the drawn one (`false`).
pub(crate) fn first_timer(
    drawn: SimDuration,
    auto_close: Option<SimDuration>,
) -> (SimDuration, bool) {
    match auto_close {
        Some(a) if a <= drawn => (a, true),
        _ => (drawn, false),
    }
}
