//! The dashboard recorder of an [`Observer`]: each command's effects as compact events of the
//! [`DashLog`](super::DashLog), and its window (`run --dashboard-from`): before the window
//! opens, events update a [`Shadow`] of what is live instead of the log, and when it opens the
//! shadow's events (the live conversations' and the agents' latest ones, and the supervisor
//! actions of the five minutes before) enter the log in time order, so the page rebuilds the
//! moment the window opens exactly as a log from the start would, at the cost of what is live
//! then rather than of everything before.

use std::collections::BTreeMap;

use crate::engine::{Command, ConvId, Effect, Outcome};
use crate::model::ConvState;
use crate::time::SimTime;

use super::{presence_code, rule_code, state_code, Observer};

/// What is live before the dashboard's window opens, as the events that built it.
#[derive(Debug, Default)]
pub(super) struct Shadow {
    /// Events of each live conversation, by id: (sequence, event).
    convs: BTreeMap<i64, Vec<(u64, Vec<i64>)>>,
    /// Each agent's latest units-in-use event.
    units: BTreeMap<i64, (u64, Vec<i64>)>,
    /// Each agent's latest presence event.
    presence: BTreeMap<i64, (u64, Vec<i64>)>,
    /// Supervisor actions (those older than five minutes before the window are dropped when it
    /// opens).
    actions: Vec<(u64, Vec<i64>)>,
    /// Events kept so far (their order among equal times).
    seq: u64,
}

impl Shadow {
    /// Keeps event `vals` (`[t_ms, code, …]`, see [`DashLog`](super::DashLog)) if it still
    /// matters: a closed conversation's events are dropped, an agent keeps its latest only.
    fn keep(&mut self, vals: &[i64]) {
        self.seq += 1;
        let e = (self.seq, vals.to_vec());
        match vals[1] {
            0 => {
                self.convs.insert(vals[2], vec![e]);
            }
            1 if vals[3] == state_code(ConvState::Closed) => {
                self.convs.remove(&vals[2]);
            }
            3 => {
                self.units.insert(vals[2], e);
            }
            4 => {
                self.presence.insert(vals[2], e);
            }
            8 => self.actions.push(e),
            _ => {
                if let Some(c) = self.convs.get_mut(&vals[2]) {
                    c.push(e);
                }
            }
        }
    }

    /// The events kept, in time order (ties in the order they happened), leaving out
    /// supervisor actions before `from_ms` − 5 minutes.
    fn events(self, from_ms: u64) -> Vec<Vec<i64>> {
        let since = from_ms as i64 - 300_000;
        let mut all: Vec<(u64, Vec<i64>)> = self.convs.into_values().flatten().collect();
        all.extend(self.units.into_values());
        all.extend(self.presence.into_values());
        all.extend(self.actions.into_iter().filter(|(_, e)| e[0] >= since));
        all.sort_by_key(|(seq, e)| (e[0], *seq));
        all.into_iter().map(|(_, e)| e).collect()
    }
}

impl Observer {
    /// Opens the dashboard's window: the shadow's events enter the log.
    pub(super) fn open_window(&mut self) {
        let Some(sh) = self.shadow.take() else {
            return;
        };
        let from = self.dash.as_ref().map_or(0, |d| d.from_ms);
        for e in sh.events(from) {
            self.dash_event(&e);
        }
    }

    pub(super) fn dash_command(&mut self, now: SimTime, cmd: Command, r: Outcome, fx: &[Effect]) {
        let t = now.as_millis() as i64;
        let action = match cmd {
            Command::Monitor(s, c) => Some((s, c, 0, -1)),
            Command::Join(s, c, _) => Some((s, c, 1, -1)),
            Command::AssignToAgent(s, c, a) => Some((s, c, 2, a.0 as i64)),
            Command::AssignToQueue(s, c, q) => Some((s, c, 3, q.0 as i64)),
            Command::Transfer(s, c, a) => Some((s, c, 4, a.0 as i64)),
            Command::ForceClose(s, c) => Some((s, c, 5, -1)),
            _ => None,
        };
        if let Some((s, c, k, target)) = action {
            let rule = r.err().map_or(-1, rule_code);
            let id = self.id_or(c);
            self.dash_event(&[t, 8, s.0 as i64, id, k, rule, target]);
        }
        for e in fx {
            match *e {
                Effect::Arrived { conv, queue } => {
                    let id = self.id_or(conv);
                    self.dash_event(&[t, 0, id, queue.0 as i64]);
                    self.want_sentiment.push(conv);
                }
                Effect::StateChanged { conv, to, .. } => {
                    let id = self.id_or(conv);
                    self.dash_event(&[t, 1, id, state_code(to)]);
                    if to != ConvState::Closed {
                        self.want_sentiment.push(conv);
                    }
                }
                Effect::Closed { conv, .. } => {
                    let id = self.id_or(conv);
                    self.dash_event(&[t, 1, id, 4]);
                }
                Effect::Accepted { conv, agent, .. }
                | Effect::Transferred {
                    conv, to: agent, ..
                } => {
                    let id = self.id_or(conv);
                    self.dash_event(&[t, 2, id, agent.0 as i64]);
                }
                Effect::Units { agent, after, .. } => {
                    self.dash_event(&[t, 3, agent.0 as i64, after]);
                }
                Effect::Presence { agent, to, .. } => {
                    self.dash_event(&[t, 4, agent.0 as i64, presence_code(to) as i64]);
                }
                Effect::Requeued { conv, to, .. } => {
                    let id = self.id_or(conv);
                    self.dash_event(&[t, 5, id, to.0 as i64]);
                }
                Effect::Monitoring { conv, supervisor } => {
                    let id = self.id_or(conv);
                    self.dash_event(&[t, 6, id, supervisor.0 as i64]);
                }
                Effect::Joined {
                    conv, supervisor, ..
                } => {
                    let id = self.id_or(conv);
                    self.dash_event(&[t, 7, id, supervisor.0 as i64]);
                }
                _ => {}
            }
        }
    }

    fn id_or(&self, conv: ConvId) -> i64 {
        self.id(conv).map_or(-1, |x| x as i64)
    }

    /// Appends one event to the dashboard log as JSON text.
    fn dash_event(&mut self, vals: &[i64]) {
        if let Some(sh) = self.shadow.as_mut() {
            sh.keep(vals);
            return;
        }
        let mut buf = itoa::Buffer::new();
        let Some(d) = self.dash.as_mut() else {
            return;
        };
        if d.count > 0 {
            d.events.push(',');
        }
        d.events.push('[');
        for (i, v) in vals.iter().enumerate() {
            if i > 0 {
                d.events.push(',');
            }
            d.events.push_str(buf.format(*v));
        }
        d.events.push(']');
        d.count += 1;
    }

    /// A sentiment reading for the dashboard (−1…1).
    pub(crate) fn sentiment(&mut self, now: SimTime, conv: ConvId, value: f64) {
        let id = self.id_or(conv);
        if self.dash.as_ref().is_some_and(|d| !d.truncated) {
            self.dash_event(&[
                now.as_millis() as i64,
                9,
                id,
                (value * 100.0).round() as i64,
            ]);
        }
    }
}
