//! Concurrency slowdown: processor sharing with a load-dependent rate, per agent and work stream.
//!
//! A conversation's drawn handle time is its *solo work*. While its agent holds `k` Active
//! conversations of the same work stream, each progresses at `1/slowdown[k−1]` of its solo speed
//! (the last factor holds beyond), so completion times move whenever that number changes.
//!
//! Work is counted in integers: [`UNITS_PER_MS`] units per solo millisecond, and a level's speed
//! is `round(UNITS_PER_MS / factor)` units per millisecond (a relative error below 1e-6 for
//! factors up to 1000). A conversation due at `now + ceil(left / speed)` has done all its work
//! by then, so a completion event never fires early; all arithmetic is integer, so runs are
//! deterministic. When the load changes, only the agent's own conversations of that work stream
//! are settled and rescheduled (at most its slots); the caller bumps each one's epoch so the
//! completion events scheduled before are dropped when popped (lazy cancellation).

use crate::engine::ConvId;
use crate::time::{SimDuration, SimTime};

/// Work units per millisecond of solo work.
pub(crate) const UNITS_PER_MS: u64 = 1_000_000;

/// A work stream's speeds per number of parallel conversations, in units per millisecond.
#[derive(Clone, Debug)]
pub(crate) struct Speeds(Box<[u64]>);

impl Speeds {
    /// From `concurrency_slowdown` factors (validated: non-empty, each in [1, 1000]).
    pub(crate) fn new(factors: &[f64]) -> Speeds {
        Speeds(
            factors
                .iter()
                .map(|f| ((UNITS_PER_MS as f64 / f).round() as u64).max(1))
                .collect(),
        )
    }

    /// The speed of each of `k ≥ 1` parallel conversations.
    fn at(&self, k: usize) -> u64 {
        self.0[k.clamp(1, self.0.len()) - 1]
    }
}

/// One Active conversation's remaining solo work on its agent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Share {
    pub(crate) conv: ConvId,
    /// Its work stream.
    pub(crate) ws: u32,
    /// Remaining work, in units, as of `since`.
    pub(crate) left: u64,
    since: SimTime,
    /// When the work is done it goes Waiting (rather than ending).
    pub(crate) then_waiting: bool,
}

/// A conversation whose completion moved: schedule its end at `due` (after bumping its epoch).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Due {
    pub(crate) conv: ConvId,
    pub(crate) due: SimTime,
    pub(crate) then_waiting: bool,
}

/// The Active slowed-down conversations of one agent (at most its slots; few).
#[derive(Clone, Debug, Default)]
pub(crate) struct AgentShares {
    items: Vec<Share>,
}

impl AgentShares {
    /// How many conversations it holds.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    fn count(&self, ws: u32) -> usize {
        self.items.iter().filter(|s| s.ws == ws).count()
    }

    /// Brings the remaining work of `ws`'s conversations up to `now` at `k`'s speed.
    fn settle(&mut self, ws: u32, k: usize, now: SimTime, speeds: &Speeds) {
        if k == 0 {
            return;
        }
        let v = speeds.at(k);
        for s in self.items.iter_mut().filter(|s| s.ws == ws) {
            let done = now.since(s.since).as_millis().saturating_mul(v);
            s.left = s.left.saturating_sub(done);
            s.since = now;
        }
    }

    /// New completion times of `ws`'s conversations at the current load, into `out`; only
    /// `conv`'s when the speed did not change (`same_speed`): the others' ends stay where they
    /// were (`t₀ + ⌈left₀/v⌉` is the same from any later settled point), and so do their events.
    fn reschedule(
        &self,
        ws: u32,
        now: SimTime,
        speeds: &Speeds,
        only: Option<ConvId>,
        out: &mut Vec<Due>,
    ) {
        let k = self.count(ws);
        if k == 0 {
            return;
        }
        let v = speeds.at(k);
        for s in self
            .items
            .iter()
            .filter(|s| s.ws == ws && only.is_none_or(|c| c == s.conv))
        {
            out.push(Due {
                conv: s.conv,
                due: now + SimDuration::from_millis(s.left.div_ceil(v)),
                then_waiting: s.then_waiting,
            });
        }
    }

    /// A conversation with `work` units of solo work left joins at `now`; every conversation of
    /// its work stream on this agent (itself included) gets its new completion time in `out`.
    #[allow(
        clippy::too_many_arguments,
        reason = "one call site; a struct would only rename them"
    )]
    pub(crate) fn join(
        &mut self,
        conv: ConvId,
        ws: u32,
        work: u64,
        then_waiting: bool,
        now: SimTime,
        speeds: &Speeds,
        out: &mut Vec<Due>,
    ) {
        let k = self.count(ws);
        let same_speed = k > 0 && speeds.at(k) == speeds.at(k + 1);
        self.settle(ws, k, now, speeds);
        self.items.push(Share {
            conv,
            ws,
            left: work,
            since: now,
            then_waiting,
        });
        self.reschedule(ws, now, speeds, same_speed.then_some(conv), out);
    }

    /// The conversation leaves at `now` (done, released, Waiting, transferred, closed); the
    /// others of its work stream speed up and get new completion times in `out`. `speeds` is
    /// indexed by work stream. Returns what is left of it (its work stream, remaining work and
    /// whether it then goes Waiting), or `None` when it was not here.
    pub(crate) fn leave(
        &mut self,
        conv: ConvId,
        now: SimTime,
        speeds: &[Option<Speeds>],
        out: &mut Vec<Due>,
    ) -> Option<Share> {
        let i = self.items.iter().position(|s| s.conv == conv)?;
        let ws = self.items[i].ws;
        let sp = speeds[ws as usize].as_ref()?;
        let k = self.count(ws);
        self.settle(ws, k, now, sp);
        // `remove`, not `swap_remove`: the order (of joining) decides the order of rescheduling.
        let gone = self.items.remove(i);
        if k > 1 && sp.at(k - 1) != sp.at(k) {
            self.reschedule(ws, now, sp, None, out);
        }
        Some(gone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(slot: u32) -> ConvId {
        ConvId { slot, gen: 0 }
    }

    fn at(min: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(min * 60)
    }

    fn work(min: u64) -> u64 {
        min * 60_000 * UNITS_PER_MS
    }

    #[test]
    fn two_chats_started_together_each_take_twice_as_long() {
        // slowdown [1, 2]: two 10-minute chats from t = 0 both end at 20 minutes.
        let sp = [Some(Speeds::new(&[1.0, 2.0]))];
        let mut a = AgentShares::default();
        let mut out = Vec::new();
        a.join(
            conv(0),
            0,
            work(10),
            false,
            at(0),
            sp[0].as_ref().unwrap(),
            &mut out,
        );
        assert_eq!(out[0].due, at(10));
        out.clear();
        a.join(
            conv(1),
            0,
            work(10),
            false,
            at(0),
            sp[0].as_ref().unwrap(),
            &mut out,
        );
        assert_eq!(
            out.iter().map(|d| d.due).collect::<Vec<_>>(),
            [at(20), at(20)]
        );
    }

    #[test]
    fn the_other_speeds_up_when_one_leaves() {
        // slowdown [1, 2]; A (10 min of work) from 0, B (10 min) from 2 min.
        // 0–2: A alone, 2 min done, 8 left. From 2 both at half speed: A ends at 2 + 16 = 18,
        // by then B has done 8, 2 left, alone at full speed: B ends at 20.
        let sp = [Some(Speeds::new(&[1.0, 2.0]))];
        let s0 = sp[0].as_ref().unwrap();
        let mut a = AgentShares::default();
        let mut out = Vec::new();
        a.join(conv(0), 0, work(10), false, at(0), s0, &mut out);
        out.clear();
        a.join(conv(1), 0, work(10), false, at(2), s0, &mut out);
        assert_eq!(
            out[0],
            Due {
                conv: conv(0),
                due: at(18),
                then_waiting: false
            }
        );
        assert_eq!(out[1].due, at(22));
        out.clear();
        let left = a.leave(conv(0), at(18), &sp, &mut out).map(|g| g.left);
        assert_eq!(left, Some(0));
        assert_eq!(
            out,
            [Due {
                conv: conv(1),
                due: at(20),
                then_waiting: false
            }]
        );
    }

    #[test]
    fn the_last_factor_holds_beyond_and_other_work_streams_do_not_count() {
        // [1, 4]: three chats of 1 minute at once still take 4 minutes each; a chat of another
        // work stream on the same agent neither slows them nor is slowed.
        let sp = [
            Some(Speeds::new(&[1.0, 4.0])),
            Some(Speeds::new(&[1.0, 4.0])),
        ];
        let mut a = AgentShares::default();
        let mut out = Vec::new();
        for c in 0..3 {
            out.clear();
            a.join(
                conv(c),
                0,
                work(1),
                false,
                at(0),
                sp[0].as_ref().unwrap(),
                &mut out,
            );
        }
        // The third join leaves the speed at 1/4: only the newcomer is scheduled (at 4 min);
        // the other two were rescheduled to 4 min when the second joined.
        assert_eq!(
            out,
            [Due {
                conv: conv(2),
                due: at(4),
                then_waiting: false
            }]
        );
        out.clear();
        a.join(
            conv(9),
            1,
            work(1),
            false,
            at(0),
            sp[1].as_ref().unwrap(),
            &mut out,
        );
        assert_eq!(
            out,
            [Due {
                conv: conv(9),
                due: at(1),
                then_waiting: false
            }]
        );
        assert_eq!(
            a.leave(conv(42), at(0), &sp, &mut out).map(|g| g.left),
            None
        );
    }

    #[test]
    fn completion_never_comes_before_the_work_is_done() {
        // 1.3 is not a whole number of units per ms: the due time rounds up.
        let s = Speeds::new(&[1.3]);
        let mut a = AgentShares::default();
        let mut out = Vec::new();
        a.join(
            conv(0),
            0,
            1_000 * UNITS_PER_MS,
            false,
            SimTime::ZERO,
            &s,
            &mut out,
        );
        // 1,000 ms of work at 1/1.3 speed: 1,300 ms (±1 from the speed's rounding).
        let due = out[0].due.as_millis();
        assert!((1_300..=1_301).contains(&due), "{due}");
    }

    #[test]
    fn an_unchanged_speed_moves_nobody_else() {
        // [1, 2, 2]: the third chat leaves the speed at 1/2, so only it is scheduled; when it
        // leaves, nobody moves either.
        let sp = [Some(Speeds::new(&[1.0, 2.0, 2.0]))];
        let s0 = sp[0].as_ref().unwrap();
        let mut a = AgentShares::default();
        let mut out = Vec::new();
        a.join(conv(0), 0, work(10), false, at(0), s0, &mut out);
        a.join(conv(1), 0, work(10), false, at(0), s0, &mut out);
        out.clear();
        a.join(conv(2), 0, work(1), false, at(4), s0, &mut out);
        assert_eq!(
            out,
            [Due {
                conv: conv(2),
                due: at(6),
                then_waiting: false
            }]
        );
        out.clear();
        assert_eq!(
            a.leave(conv(2), at(6), &sp, &mut out).map(|g| g.left),
            Some(0)
        );
        assert!(out.is_empty());
        // The first two still end at 20 minutes: leaving one makes the other speed up.
        assert_eq!(
            a.leave(conv(0), at(20), &sp, &mut out).map(|g| g.left),
            Some(0)
        );
        assert_eq!(
            out,
            [Due {
                conv: conv(1),
                due: at(20),
                then_waiting: false
            }]
        );
    }
}
