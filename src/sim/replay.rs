//! Replayed traffic and per-interval handle times inside a replication: the history rows a
//! replication replays, queue by queue, and the draws they override.
//!
//! Every draw still happens (so the customer's random stream advances exactly as in a run that
//! drew it); a replayed row's own handle (first handling only), wrap-up and patience then
//! replace the drawn values. Customers keep their stream key (queue, arrival index in the
//! queue), so replaying a run's own log under the same rules and seed reproduces every wait.

use std::sync::Arc;

use crate::model::QueueId;
use crate::scenario::{Scenario, WsRouting};
use crate::time::{SimDuration, SimTime};
use crate::traffic::{AhtProfile, Replay, ReplayRow};

use super::arrivals::ArrivalProcess;
use super::customer::ConvSim;
use super::log::ConvLog;
use super::world::World;

/// No row (no log, or not a replayed conversation).
pub(crate) const NONE: u32 = u32::MAX;

/// The rows one replication replays.
#[derive(Debug)]
pub(crate) struct Feed {
    replay: Arc<Replay>,
    /// Per queue, indices into `replay.rows` in arrival order.
    per_queue: Vec<Vec<u32>>,
    /// The trace id of each replayed row that arrived (only when traced and the history has
    /// retry contacts), for a later retry contact's `retrial_of`.
    traced: std::collections::HashMap<u32, u64>,
    /// Some retry contact names a replayed row (else `traced` stays empty).
    linked: bool,
}

impl Feed {
    /// The feed of replication `rep`, or `None` without `[traffic] replay`.
    fn new(sc: &Scenario, rep: u32) -> Option<Feed> {
        let replay = sc.traffic.replay.clone()?;
        let mut per_queue = vec![Vec::new(); sc.queues.len()];
        let (base, rows) = replay.rows_for(rep);
        for (i, r) in rows.iter().enumerate() {
            per_queue[r.queue.index()].push((base + i) as u32);
        }
        let linked = rows.iter().any(|r| r.retrial_row.is_some());
        Some(Feed {
            replay,
            per_queue,
            traced: Default::default(),
            linked,
        })
    }

    /// The replayed row behind the `idx`-th arrival at `queue`.
    pub(crate) fn row_index(&self, queue: QueueId, idx: u64) -> u32 {
        self.per_queue[queue.index()]
            .get(idx as usize)
            .copied()
            .unwrap_or(NONE)
    }

    /// Row `i`.
    pub(crate) fn row(&self, i: u32) -> Option<&ReplayRow> {
        self.replay.rows.get(i as usize)
    }

    /// Overwrites drawn attribute values (`attrs`, a value index per attribute of `ws`) with
    /// replayed row `i`'s, attribute by name: a history column of the attribute's name with a
    /// value the attribute lists wins; an absent column or an empty cell keeps the draw.
    pub(crate) fn replay_attributes(&self, i: u32, ws: &WsRouting, attrs: &mut [u16]) {
        let Some(row) = self.row(i) else { return };
        for (a, spec) in ws.attributes.iter().enumerate() {
            let Some(col) = self
                .replay
                .attribute_names
                .iter()
                .position(|n| *n == spec.name)
            else {
                continue;
            };
            let cell = row.attributes.get(col).map_or("", |c| &**c);
            if let Some(v) = spec.values.iter().position(|v| v == cell) {
                attrs[a] = v as u16;
            }
        }
    }
}

impl<E: crate::engine::RulesEngine> World<'_, E> {
    /// Replaces the arrival processes of the queues this replication replays.
    pub(crate) fn install_replay(&mut self, seed: u64, rep: u32) {
        let Some(feed) = Feed::new(self.sc, rep) else {
            return;
        };
        for (q, rows) in feed.per_queue.iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let times = rows
                .iter()
                .map(|&i| feed.replay.rows[i as usize].arrival)
                .collect();
            let rng = crate::rng::stream(seed, rep, crate::rng::Source::Arrivals(q as u32));
            self.intake.queues[q] = ArrivalProcess::replayed(rng, times);
        }
        self.out.replay(feed);
    }

    /// The `idx`-th arrival at `queue` is about to arrive: whether its replayed row is a
    /// customer's retry contact (its `retrial_of`). When traced, the arrival's trace line names
    /// the conversation of the replayed row it retries (`retrial_of`), as a simulated
    /// retrial's does.
    pub(crate) fn replayed_retrial(&mut self, queue: QueueId, idx: u64) -> bool {
        let Some(f) = &self.out.feed else {
            return false;
        };
        let i = f.row_index(queue, idx);
        let Some(row) = f.replay.rows.get(i as usize) else {
            return false;
        };
        let (retrial, of) = (row.retrial_of.is_some(), row.retrial_row);
        if !f.linked {
            return retrial;
        }
        let Some(next) = self.out.observer().map(|o| o.next_conversation()) else {
            return retrial;
        };
        let Some(f) = self.out.feed.as_deref_mut() else {
            return retrial;
        };
        let named = of.and_then(|j| f.traced.get(&j).copied());
        f.traced.insert(i, next);
        if let (Some(o), Some(named)) = (self.out.observer(), named) {
            o.retrial_of = Some(named);
            o.retrial_replayed = true;
        }
        retrial
    }

    /// At arrival: the replayed row (if any), the patience to use (the row's, else the drawn
    /// one) and the log row (if logging). Returns `(patience, log row, replay row)`.
    pub(crate) fn arrival_rows(
        &mut self,
        queue: QueueId,
        idx: u64,
        drawn: Option<SimDuration>,
    ) -> (Option<SimDuration>, u32, u32) {
        let (patience, replay) = match &self.out.feed {
            Some(f) => {
                let i = f.row_index(queue, idx);
                (f.row(i).and_then(|r| r.patience).or(drawn), i)
            }
            None => (drawn, NONE),
        };
        let row = match &mut self.out.log {
            Some(log) => log.arrived(
                (replay != NONE).then_some(replay),
                self.now,
                queue,
                patience,
            ),
            None => NONE,
        };
        (patience, row, replay)
    }
}

/// The handle time of an acceptance: the replayed row's on the first handling (`first`), else
/// the drawn one scaled by the forecast's `aht` factor of the conversation's arrival interval
/// (`aht` by queue, empty without one); logged when logging.
#[inline]
pub(crate) fn handle_time(
    feed: Option<&Feed>,
    log: Option<&mut ConvLog>,
    aht: &[Option<AhtProfile>],
    c: &ConvSim,
    drawn: SimDuration,
    arrived: SimTime,
) -> SimDuration {
    let replayed = feed
        .filter(|_| c.epoch == 1)
        .and_then(|f| f.row(c.replay)?.handle);
    let d = match replayed {
        Some(d) => d,
        None => match aht.get(c.origin.index()) {
            Some(Some(p)) => SimDuration::from_secs_f64(drawn.as_secs_f64() * p.factor(arrived)),
            _ => drawn,
        },
    };
    // Its current leg's row (its first row before any transfer): a leg-1 row keeps the
    // first handling's time, a later leg's row its own.
    if let Some(log) = log {
        log.handle(if c.leg != u32::MAX { c.leg } else { c.row }, d);
    }
    d
}

/// The wrap-up time: the replayed row's, else the drawn one; logged when logging.
#[inline]
pub(crate) fn wrap_up_time(
    feed: Option<&Feed>,
    log: Option<&mut ConvLog>,
    c: &ConvSim,
    drawn: SimDuration,
) -> SimDuration {
    let d = feed.and_then(|f| f.row(c.replay)?.wrap_up).unwrap_or(drawn);
    // Only the leg it ends in has a wrap-up: a transfer at the end of handling has none, so
    // the first leg's row of a transferred conversation stays empty (issue 25).
    if let Some(log) = log {
        log.wrap_up(if c.leg != u32::MAX { c.leg } else { c.row }, d);
    }
    d
}
