//! Handling a conversation: from acceptance to the end of handling (Wrap-up, or a transfer to
//! another queue), with an optional Waiting spell, concurrency slowdown and the handle-time
//! figure.
//!
//! Without `concurrency_slowdown`, the drawn handle time is when handling ends. With it, the
//! drawn time is solo work shared out by [`super::sharing`]: the completion event is
//! rescheduled (epoch bumped, the old event dropped when popped) whenever the agent's number of
//! Active conversations of that work stream changes.

use crate::engine::{Command, ConvId};
use crate::model::{AgentId, WrapUpBlock};
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};

use super::chat::schedule_dues;
use super::customer::{ConvSim, Work};
use super::event::Event;
use super::outputs::Outputs;
use super::replay;
use super::sharing::{Share, UNITS_PER_MS};
use super::streams::Streams;
use super::world::{first_timer, World};

impl<E: crate::engine::RulesEngine> World<'_, E> {
    /// After the acceptance of `conv` by `agent` (`first`: in the queue it arrived in; else
    /// answered after a transfer): its lazy give-up timer dropped, then the handling's work,
    /// shared with the agent's other conversations under a slowdown. A new handling draws its
    /// handle time (and, for persistent channels, maybe a Waiting spell); one a suspension
    /// interrupted (a Waiting spell, a release back to the queue) resumes what was left of its
    /// work.
    ///
    /// One look-up of the record for all of it (issue 28: was four), and a new handling's end
    /// is scheduled from its drawn milliseconds ([`solo_ms`]: what the work record's units
    /// give back, without the division); only resumed work is converted from units.
    pub(crate) fn start_handling(&mut self, conv: ConvId, agent: AgentId, first: bool) {
        let now = self.now;
        let sc = self.sc;
        // Read before the record is borrowed; only a replayed handle-time profile needs it.
        let arrived = match sc.traffic.aht.is_empty() {
            true => now,
            false => self.engine.conversation(conv).map_or(now, |c| c.arrived_at),
        };
        // Answered: its lazy give-up timer is dropped.
        let Some(c) = self.customers.answered(conv) else {
            return;
        };
        if !first {
            // Transferred: answered in its new queue (the recorder read when it came).
            c.entered = None;
        }
        c.epoch += 1;
        c.active_since = now;
        let epoch = c.epoch;
        let ws_id = sc.queues[c.queue.index()].workstream.index();
        // A new handling's first segment in ms; `None` when resuming (its units are the record's).
        let drawn_ms = match c.work.under_way {
            false => Some(draw_work(
                sc,
                &self.streams,
                &mut self.out,
                c,
                ws_id,
                arrived,
            )),
            true => None,
        };
        let Work {
            seg, then_waiting, ..
        } = c.work;
        if self.chat.slowed() && self.chat.slows(ws_id) {
            c.share_agent = agent.0;
            let dues = self
                .chat
                .join(agent.index(), conv, ws_id as u32, seg, then_waiting, now);
            schedule_dues(&mut self.customers, &mut self.events, dues);
        } else {
            let work = match drawn_ms {
                Some(ms) => solo_ms(ms),
                None => seg.div_ceil(UNITS_PER_MS),
            };
            let ev = match then_waiting {
                true => Event::GoWaiting { conv, epoch },
                false => Event::HandleEnd { conv, epoch },
            };
            self.events
                .schedule(now + SimDuration::from_millis(work), ev);
        }
    }

    /// A conversation stopped being Active for a reason other than the end of its handling
    /// (`to`: Open, a release back to the queue; Waiting is [`go_waiting`](Self::go_waiting)'s):
    /// its Active spell counts in the handling's time and the work it left (`left`, a slowed
    /// conversation's share) is what the next acceptance resumes. Nothing for a transfer at the
    /// end of handling (`moving`: that handling ended) or a conversation no handling holds.
    pub(crate) fn suspend(&mut self, conv: ConvId, left: Option<Share>) {
        let now = self.now;
        let Some(c) = self.customers.get_mut(conv) else {
            return;
        };
        if c.moving || !c.work.under_way {
            return;
        }
        let spent = now.since(c.active_since).as_millis();
        c.active_ms += spent;
        c.work.seg = match left {
            Some(s) => s.left,
            None => c
                .work
                .seg
                .saturating_sub(spent.saturating_mul(UNITS_PER_MS)),
        };
    }

    /// A slowed conversation stops being Active on its agent (end, Waiting, release, transfer,
    /// close): the agent's other conversations of its work stream speed up. Returns what was
    /// left of its work.
    pub(crate) fn share_leave(&mut self, conv: ConvId) -> Option<Share> {
        let c = self.customers.get_mut(conv)?;
        let agent = std::mem::replace(&mut c.share_agent, u32::MAX);
        if agent == u32::MAX {
            return None;
        }
        let (left, dues) = self.chat.leave(agent as usize, conv, self.now);
        schedule_dues(&mut self.customers, &mut self.events, dues);
        left
    }

    /// A supervisor moved an Active slowed conversation to another agent: its remaining work
    /// (and a Waiting spell due at its end) goes with it.
    pub(crate) fn share_move(&mut self, conv: ConvId, to: AgentId) {
        let Some(gone) = self.share_leave(conv) else {
            return;
        };
        let Some(c) = self.customers.get_mut(conv) else {
            return;
        };
        c.share_agent = to.0;
        let dues = self.chat.join(
            to.index(),
            conv,
            gone.ws,
            gone.left,
            gone.then_waiting,
            self.now,
        );
        schedule_dues(&mut self.customers, &mut self.events, dues);
    }

    pub(crate) fn go_waiting(&mut self, conv: ConvId) {
        if self.run_cmd(Command::SetWaiting(conv)).is_err() {
            return;
        }
        let now = self.now;
        let sc = self.sc;
        let Some(c) = self.customers.get_mut(conv) else {
            return;
        };
        c.active_ms += now.since(c.active_since).as_millis();
        // The segment before the spell is done: the customer's return resumes the rest.
        c.work = Work {
            seg: c.work.rest_ms.saturating_mul(UNITS_PER_MS),
            rest_ms: 0,
            then_waiting: false,
            under_way: true,
        };
        let ws_id = sc.queues[c.queue.index()].workstream.index();
        let away = self.streams.ws[ws_id]
            .waiting
            .as_ref()
            .map_or(SimDuration::from_secs(600), |s| s.sample(&mut c.rng));
        let epoch = c.epoch;
        let (after, auto) = first_timer(away, sc.workstreams[ws_id].waiting_auto_close);
        self.events
            .schedule(now + after, Event::WaitingOver { conv, epoch, auto });
    }

    /// Active → Wrap-up, then the wrap-up timers (or close at once without wrap-up); or, for
    /// the work stream's `transfer` share, Active → Open in the target queue.
    pub(crate) fn end_handling(&mut self, conv: ConvId) {
        let now = self.now;
        let sc = self.sc;
        let Some(c) = self.customers.get_mut(conv) else {
            return;
        };
        let handled = SimDuration::from_millis(c.active_ms + now.since(c.active_since).as_millis());
        let counted = c.counted;
        let ws_id = sc.queues[c.queue.index()].workstream.index();
        if let Some(t) = sc.workstreams[ws_id].transfer {
            // A transfer the engine refuses (the conversation is already in the target queue,
            // ASSIGN-QUEUE-SAME, after a supervisor moved it there) ends the handling as if
            // none was drawn: it was left Active with its agent for ever.
            if c.rng.uniform01() < t.probability && self.transfer(conv, t.queue, handled, counted) {
                return;
            }
        }
        if self.streams.ws[ws_id].wrap_up.is_none() && !self.out.watching() {
            // No wrap-up: End and Close back to back, absorbed as one batch.
            if self.end_and_close(conv) {
                self.rec.handled(now, handled, counted);
                if let Some(c) = self.customers.get_mut(conv) {
                    c.handling_ended();
                }
            }
            return;
        }
        if self.run_cmd(Command::End(conv)).is_err() {
            return;
        }
        self.rec.handled(now, handled, counted);
        let Some(c) = self.customers.get_mut(conv) else {
            return;
        };
        c.handling_ended();
        let ws = &sc.workstreams[ws_id];
        let Some(wrap) = self.streams.ws[ws_id]
            .wrap_up
            .as_ref()
            .map(|s| s.sample(&mut c.rng))
        else {
            let _ = self.run_cmd(Command::Close(conv));
            return;
        };
        let wrap = match self.out.rows() {
            true => {
                let (feed, log) = (self.out.feed.as_deref(), self.out.log.as_deref_mut());
                replay::wrap_up_time(feed, log, c, wrap)
            }
            false => wrap,
        };
        let (after, auto) = first_timer(wrap, ws.wrap_up_auto_close);
        if let WrapUpBlock::For(d) = ws.rules.block_capacity_for_wrap_up {
            if d < after {
                self.events.schedule(now + d, Event::WrapUpRelease { conv });
            }
        }
        self.events
            .schedule(now + after, Event::WrapUpEnd { conv, auto });
    }

    /// End, then Close, of a conversation without wrap-up (the observer off): what
    /// `run_cmd(End)` and then `run_cmd(Close)` do, with one pass over the effects of both
    /// instead of two (issue 28: a command fewer through [`World::absorb`] per conversation).
    /// False when the engine refused the End (nothing changed).
    ///
    /// The same as the two calls because what lies between them reads and changes nothing the
    /// other side sees: when the End only changed the state (its one effect, Active → Wrap-up,
    /// whose only follow-up is a slowed conversation's share leaving its agent, which neither
    /// reads nor commands the engine), the Close is applied before that effect is absorbed and
    /// the effects are absorbed in the engine's order. When the End did more (units freed at
    /// the end, `block_capacity_for_wrap_up = "never"`, and routing after it), its effects are
    /// absorbed first, as by `run_cmd`, since their follow-ups read the engine (a pick queue's
    /// waiting work). Each command's decision time is sampled as `run_cmd` samples it.
    fn end_and_close(&mut self, conv: ConvId) -> bool {
        let mut fx = self.lend_fx();
        let t0 = self.sample_clock();
        let ended = self
            .engine
            .apply(self.now, Command::End(conv), &mut fx)
            .is_ok();
        self.record_clock(t0);
        if ended && fx.len() == 1 {
            let t0 = self.sample_clock();
            let _ = self.engine.apply(self.now, Command::Close(conv), &mut fx);
            self.record_clock(t0);
            self.absorb(&mut fx);
            self.return_fx(fx);
            return true;
        }
        self.absorb(&mut fx);
        self.return_fx(fx);
        if ended {
            let _ = self.run_cmd(Command::Close(conv));
        }
        ended
    }

    /// Active → Open in `target` (no wrap-up): the wait there, from now to Active, will count
    /// in `target`'s wait figures. False when the engine refused it (nothing changed).
    fn transfer(
        &mut self,
        conv: ConvId,
        target: crate::model::QueueId,
        handled: SimDuration,
        counted: bool,
    ) -> bool {
        let now = self.now;
        let Some(c) = self.customers.get_mut(conv) else {
            return true;
        };
        // Set before the command: its effects (the queue length, no release) read them.
        let from = std::mem::replace(&mut c.queue, target);
        c.moving = true;
        // Its leg in `target`: a row of its own (docs/scenario-format.md, `leg`), started
        // before the command, whose effects may answer it there at once.
        let prev_leg = c.leg;
        if let Some(log) = self.out.log.as_deref_mut() {
            let prev = if c.leg != u32::MAX { c.leg } else { c.row };
            c.leg = log.transferred(prev, now, target);
        }
        let ok = self.run_cmd(Command::TransferToQueue(conv, target)).is_ok();
        let Some(c) = self.customers.get_mut(conv) else {
            return true;
        };
        c.moving = false;
        if !ok {
            c.queue = from;
            if let Some(log) = self.out.log.as_deref_mut() {
                log.unstart(c.leg);
            }
            c.leg = prev_leg;
        } else {
            c.handling_ended();
            c.entered = Some(now);
            let first = !std::mem::replace(&mut c.moved, true);
            self.rec.handled(now, handled, counted);
            self.rec.transferred(target, first, counted);
            // Its wait in `target` starts now: that queue's waiting-time rules apply from here.
            self.schedule_waits(conv, target);
        }
        ok
    }
}

/// A new handling's work (its first acceptance, or the first in a queue a transfer at the end
/// of handling sent it to), written to `c.work`: the drawn (or replayed) handle time and, for
/// persistent channels, whether and when a Waiting spell interrupts it. Returns the first
/// segment's solo work in ms (`c.work.seg` holds it in sharing units). `ws_id` is the work
/// stream of `c`'s queue; `arrived` the conversation's arrival (read by a replayed
/// handle-time profile only).
#[inline(always)]
fn draw_work(
    sc: &Scenario,
    streams: &Streams,
    out: &mut Outputs,
    c: &mut ConvSim,
    ws_id: usize,
    arrived: SimTime,
) -> u64 {
    let ws = &sc.workstreams[ws_id];
    let mut handle = streams.ws[ws_id].handle.sample(&mut c.rng);
    if out.rows() || !sc.traffic.aht.is_empty() {
        let (feed, log) = (out.feed.as_deref(), out.log.as_deref_mut());
        handle = replay::handle_time(feed, log, &sc.traffic.aht, c, handle, arrived);
    }
    let wait_p = ws.waiting_probability;
    let (seg, rest_ms, then_waiting) = if !c.waited && wait_p > 0.0 && c.rng.uniform01() < wait_p {
        c.waited = true;
        let at = (handle.as_millis() as f64 * c.rng.uniform01()) as u64;
        (at, handle.as_millis() - at, true)
    } else {
        (handle.as_millis(), 0, false)
    };
    c.work = Work {
        seg: seg.saturating_mul(UNITS_PER_MS),
        rest_ms,
        then_waiting,
        under_way: true,
    };
    seg
}

/// The solo time, in ms, of `ms` of drawn work: `ms` written in sharing units (saturating)
/// and read back rounding up, as resumed work is read, without the multiplication and the
/// division (equal for every `ms`: below `u64::MAX / UNITS_PER_MS` exactly `ms`, above it the
/// saturated units' `u64::MAX.div_ceil(UNITS_PER_MS)`).
#[inline(always)]
pub(crate) const fn solo_ms(ms: u64) -> u64 {
    let cap = u64::MAX.div_ceil(UNITS_PER_MS);
    if ms < cap {
        ms
    } else {
        cap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `solo_ms` is the round trip through the work record's units at every edge.
    #[test]
    fn solo_ms_is_the_units_round_trip() {
        let lim = u64::MAX / UNITS_PER_MS;
        for ms in [
            0,
            1,
            2,
            999,
            100_000,
            lim - 1,
            lim,
            lim + 1,
            lim + 2,
            u64::MAX / 2,
            u64::MAX,
        ] {
            let units = ms.saturating_mul(UNITS_PER_MS);
            assert_eq!(solo_ms(ms), units.div_ceil(UNITS_PER_MS), "{ms} ms");
        }
    }
}
