//! The waits of a traced replication's conversations, by engine slot, so that each `accepted`
//! line's `waited_s` is the wait docs/metrics.md counts for that acceptance: the first one's,
//! from the arrival (conversations.csv's `wait`), and the first one's in a queue a transfer at
//! the end of handling sent it to, from that transfer (that leg's `wait`). An acceptance that
//! ends no wait, a handling resumed after a Waiting spell or a release back to the queue, has
//! no `waited_s` and says so in `detail`. Every later acceptance gives its time since arrival
//! in `in_system_s`. The first wait is also the `closed` line's `waited_s`.

use crate::engine::{Command, Effect};
use crate::model::ConvState;
use crate::time::{SimDuration, SimTime};
use crate::trace::TraceLine;

/// `detail` of an acceptance after the customer came back from a Waiting spell.
const RESUMED_RETURNED: &str = "resumed: the customer came back from Waiting";
/// `detail` of an acceptance after a release back to the queue (the agent disconnected).
const RESUMED_RELEASED: &str = "resumed: released back to the queue";

/// Why a conversation is Open, for the acceptance that ends it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Opened {
    /// Since it arrived: its first wait.
    #[default]
    Arrived,
    /// Since a transfer at the end of handling, at this instant: its wait in that queue.
    Transferred(SimTime),
    /// The customer came back from a Waiting spell: its handling resumes.
    Returned,
    /// Released back to its queue mid-handling: its handling resumes.
    Released,
}

/// One conversation's waits.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// The wait until its first acceptance, in ms, once accepted.
    first: Option<u64>,
    opened: Opened,
}

/// The waits of the conversations in the engine's slots.
#[derive(Debug, Default)]
pub(super) struct Waits(Vec<Slot>);

impl Waits {
    /// A new conversation took `slot`.
    pub(super) fn arrived(&mut self, slot: usize) {
        if self.0.len() <= slot {
            self.0.resize(slot + 1, Slot::default());
        }
        self.0[slot] = Slot::default();
    }

    /// The wait (ms) until the first acceptance of the conversation in `slot`, once accepted.
    pub(super) fn first(&self, slot: usize) -> Option<u64> {
        self.0.get(slot).and_then(|s| s.first)
    }

    /// Follows effect `e` of command `cmd` at `now`; on an acceptance, sets its trace line
    /// `l`'s `waited_s`, `in_system_s` and `detail` (see the module doc).
    pub(super) fn follow(&mut self, now: SimTime, cmd: Command, e: &Effect, l: &mut TraceLine) {
        match *e {
            Effect::StateChanged {
                conv,
                from,
                to: ConvState::Open,
            } => {
                let Some(s) = self.0.get_mut(conv.slot as usize) else {
                    return;
                };
                s.opened = match from {
                    ConvState::Waiting => Opened::Returned,
                    ConvState::Active if matches!(cmd, Command::TransferToQueue(..)) => {
                        Opened::Transferred(now)
                    }
                    ConvState::Active => Opened::Released,
                    _ => s.opened,
                };
            }
            Effect::Accepted {
                conv,
                first,
                waited,
                ..
            } => {
                let Some(s) = self.0.get_mut(conv.slot as usize) else {
                    return;
                };
                let opened = std::mem::take(&mut s.opened);
                if first {
                    // Its first wait, from the arrival: `waited_s` as the engine gave it.
                    s.first.get_or_insert(waited.as_millis());
                    return;
                }
                l.in_system_s = Some(secs(waited));
                match opened {
                    Opened::Transferred(at) => l.waited_s = Some(secs(now.since(at))),
                    Opened::Returned => {
                        l.waited_s = None;
                        l.detail = Some(RESUMED_RETURNED.into());
                    }
                    Opened::Released | Opened::Arrived => {
                        l.waited_s = None;
                        l.detail = Some(RESUMED_RELEASED.into());
                    }
                }
            }
            _ => {}
        }
    }
}

fn secs(d: SimDuration) -> f64 {
    d.as_millis() as f64 / 1000.0
}
