//! [`Agents`]: the agents subsystem of a replication's [`World`]: each agent's simulator state
//! ([`AgentSim`]: its own random stream, absence, shift, break, link and pick state), each
//! group's accept-delay sampler and the pick scratch list; and the agents' steps in the event
//! loop: shifts (a group's one shift, or a roster agent's many), breaks (a group's regular
//! breaks, or a roster agent's own), presence, connection drops and picks.
//!
//! Its interface: `agents[i]` is agent `i`'s state; [`Agents::accept_delay`] draws an agent's
//! accept (or pick) delay from its own stream; the steps below are the world's handlers of
//! the agent events. Building it draws the absence streams in agent id order, as the world
//! always has, so the split changes no result.

use std::ops::{Index, IndexMut};

use crate::dist::Sampler;
use crate::engine::Command;
use crate::model::{AgentId, ConvState, Presence, QueueId, RoutingMode};
use crate::rng::{stream, SimRng, Source};
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};

use super::event::Event;
use super::world::World;

/// The tag of the agents' absence streams (one draw per agent and replication).
const ABSENCE_TAG: u32 = 1011;

/// Per-agent simulator state.
#[derive(Debug)]
pub(crate) struct AgentSim {
    pub(crate) group: usize,
    pub(crate) rng: SimRng,
    /// Stays away for the whole replication (`absence`): never on shift.
    pub(crate) absent: bool,
    pub(crate) on_shift: bool,
    pub(crate) on_break: bool,
    pub(crate) pick_pending: bool,
    pub(crate) picks: bool,
    /// Its connection is down.
    pub(crate) disconnected: bool,
    /// Bumped at each disconnect, so a stale reconnect timeout is ignored.
    pub(crate) link_epoch: u32,
}

/// Every agent's simulator state, by agent id. See the module docs.
#[derive(Debug)]
pub(crate) struct Agents {
    list: Vec<AgentSim>,
    /// Per group: its accept-delay sampler.
    accept: Vec<Sampler>,
    /// Scratch list of the agents a pick signal reaches (kept to reuse its allocation).
    pick_buf: Vec<AgentId>,
}

impl Agents {
    /// The agents absent for the whole replication, with their group's index.
    pub(crate) fn absent(&self) -> impl Iterator<Item = (AgentId, usize)> + '_ {
        self.list
            .iter()
            .enumerate()
            .filter(|(_, a)| a.absent)
            .map(|(i, a)| (AgentId(i as u32), a.group))
    }

    /// The agents of `sc` for replication `rep` with `seed`, and each agent's capacity (for
    /// the recorder), in agent id order.
    pub(crate) fn new(sc: &Scenario, seed: u64, rep: u32) -> (Agents, Vec<u32>) {
        let mut agents = Vec::with_capacity(sc.agent_count());
        let mut capacities = Vec::with_capacity(sc.agent_count());
        for (gi, g) in sc.agent_groups.iter().enumerate() {
            let picks = g.queues.iter().any(|q| {
                sc.workstreams[sc.queues[q.index()].workstream.index()]
                    .rules
                    .mode
                    == RoutingMode::Pick
            });
            for k in 0..g.count {
                let id = g.first.0 + k;
                agents.push(AgentSim {
                    group: gi,
                    rng: stream(seed, rep, Source::Agent(id)),
                    absent: g.absence > 0.0
                        && stream(
                            seed,
                            rep,
                            Source::Other {
                                tag: ABSENCE_TAG,
                                index: u64::from(id),
                            },
                        )
                        .bernoulli(g.absence),
                    on_shift: false,
                    on_break: false,
                    pick_pending: false,
                    picks,
                    disconnected: false,
                    link_epoch: 0,
                });
                capacities.push(g.capacity);
            }
        }
        let accept = sc
            .agent_groups
            .iter()
            .map(|g| Sampler::new(&g.accept_delay))
            .collect();
        let agents = Agents {
            list: agents,
            accept,
            pick_buf: Vec::new(),
        };
        (agents, capacities)
    }

    /// Agent `agent`'s accept (or pick) delay: its group's sampler, on its own stream.
    #[inline]
    pub(crate) fn accept_delay(&mut self, agent: usize) -> SimDuration {
        let a = &mut self.list[agent];
        self.accept[a.group].sample(&mut a.rng)
    }
}

impl Index<usize> for Agents {
    type Output = AgentSim;

    #[inline]
    fn index(&self, agent: usize) -> &AgentSim {
        &self.list[agent]
    }
}

impl IndexMut<usize> for Agents {
    #[inline]
    fn index_mut(&mut self, agent: usize) -> &mut AgentSim {
        &mut self.list[agent]
    }
}

impl<E: crate::engine::RulesEngine> World<'_, E> {
    /// Puts the agents on shift at 0 or schedules their shifts, breaks and connection drops.
    pub(crate) fn start_agents(&mut self) {
        for (gi, g) in self.sc.agent_groups.iter().enumerate() {
            if let Some(r) = &g.roster {
                let agent = g.first.0;
                if self.agents[agent as usize].absent {
                    // The engine set it up on shift when its shift starts at 0: Offline.
                    self.apply_presence(agent);
                    continue;
                }
                for &(start, end) in &r.shifts {
                    if start == SimTime::ZERO {
                        self.agents[agent as usize].on_shift = true;
                        self.rec.staffed(SimTime::ZERO, g.capacity as i64);
                        self.rec.agent_shift(SimTime::ZERO, AgentId(agent), true);
                    } else {
                        self.events.schedule(start, Event::ShiftStart { agent });
                    }
                    self.events.schedule(end, Event::ShiftEnd { agent });
                }
                for &(start, end) in &r.breaks {
                    self.events.schedule(start, Event::BreakStart { agent });
                    self.events.schedule(end, Event::BreakEnd { agent });
                }
                continue;
            }
            for k in 0..g.count {
                let agent = g.first.0 + k;
                if self.agents[agent as usize].absent {
                    self.apply_presence(agent);
                    continue;
                }
                let start = g.shift.map_or(SimTime::ZERO, |s| s.start);
                if start == SimTime::ZERO {
                    self.agents[agent as usize].on_shift = true;
                    self.rec.staffed(SimTime::ZERO, g.capacity as i64);
                    self.rec.agent_shift(SimTime::ZERO, AgentId(agent), true);
                    self.schedule_break(agent, gi, SimTime::ZERO, true);
                    self.schedule_disconnect(agent);
                } else {
                    self.events.schedule(start, Event::ShiftStart { agent });
                }
                if let Some(s) = g.shift {
                    self.events.schedule(s.end, Event::ShiftEnd { agent });
                }
            }
        }
    }

    /// A break begins (only on shift): Away; a group's regular break ends after its length (a
    /// roster break's end is scheduled with it).
    pub(crate) fn break_start(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if a.on_shift {
            a.on_break = true;
            let g = a.group;
            self.apply_presence(agent);
            if let Some(b) = self.sc.agent_groups[g].breaks {
                self.events
                    .schedule(self.now + b.length, Event::BreakEnd { agent });
            }
        }
    }

    /// A break ends: back to work, and the group's next regular break is scheduled.
    pub(crate) fn break_end(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if a.on_shift && a.on_break {
            a.on_break = false;
            let g = a.group;
            self.apply_presence(agent);
            self.schedule_break(agent, g, self.now, false);
        }
    }

    /// The connection is back.
    pub(crate) fn reconnect(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if a.disconnected {
            a.disconnected = false;
            self.apply_presence(agent);
            self.schedule_disconnect(agent);
        }
    }

    /// The engine gives up on a disconnected agent: its Active conversations go back to Open.
    pub(crate) fn reconnect_timeout(&mut self, agent: u32, epoch: u32) {
        let a = &self.agents[agent as usize];
        if a.disconnected && a.link_epoch == epoch {
            let held = self.engine.held_by(AgentId(agent), ConvState::Active);
            for conv in held {
                let _ = self.run_cmd(Command::Release(conv));
            }
        }
    }

    /// Schedules the agent's next break. The first break of a shift is staggered across the
    /// group (agent k of n starts at `every·(k+1)/(n+1)` into the shift), so a group never goes
    /// on break all at once; later breaks follow every `every` after the previous one ended.
    pub(crate) fn schedule_break(&mut self, agent: u32, group: usize, from: SimTime, first: bool) {
        let g = &self.sc.agent_groups[group];
        if let Some(b) = g.breaks {
            let gap = if first {
                let k = (agent - g.first.0) as u64;
                SimDuration::from_millis(b.every.as_millis() * (k + 1) / (g.count as u64 + 1))
            } else {
                b.every
            };
            let at = from + gap;
            if g.shift.is_none_or(|s| at < s.end) {
                self.events.schedule(at, Event::BreakStart { agent });
            }
        }
    }

    pub(crate) fn shift_start(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if a.on_shift {
            return;
        }
        a.on_shift = true;
        let g = a.group;
        self.rec
            .staffed(self.now, self.sc.agent_groups[g].capacity as i64);
        self.rec.agent_shift(self.now, AgentId(agent), true);
        let _ = self.run_cmd(Command::SetPresence(AgentId(agent), None));
        self.schedule_break(agent, g, self.now, true);
    }

    /// Offline: no new work; what it holds it completes.
    pub(crate) fn shift_end(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if !a.on_shift {
            return;
        }
        a.on_shift = false;
        a.on_break = false;
        let g = a.group;
        self.rec
            .staffed(self.now, -(self.sc.agent_groups[g].capacity as i64));
        self.rec.agent_shift(self.now, AgentId(agent), false);
        let _ = self.run_cmd(Command::SetPresence(
            AgentId(agent),
            Some(Presence::Offline),
        ));
    }

    /// The run ended before its horizon with nothing left to do: records the shift changes
    /// still scheduled up to the horizon, so agents on shift count in occupancy's window
    /// [warm-up, horizon] for as long as they are on shift (contract "Planner answers"). The
    /// engine is not driven: there is no work left for it.
    pub(crate) fn record_shifts_to_horizon(&mut self) {
        let horizon = self.horizon();
        while let Some((t, ev)) = self.events.pop() {
            if t > horizon {
                break;
            }
            let (agent, on) = match ev {
                Event::ShiftStart { agent } => (agent, true),
                Event::ShiftEnd { agent } => (agent, false),
                _ => continue,
            };
            let a = &mut self.agents[agent as usize];
            if a.on_shift != on {
                a.on_shift = on;
                let cap = self.sc.agent_groups[a.group].capacity as i64;
                self.rec.staffed(t, if on { cap } else { -cap });
            }
        }
    }

    /// Sets the agent's presence from its situation: off shift or disconnected → Offline, on a
    /// break → Away (both by hand, PR-MANUAL), otherwise following capacity (PR-AUTO).
    pub(crate) fn apply_presence(&mut self, agent: u32) {
        let a = &self.agents[agent as usize];
        let p = if !a.on_shift || a.disconnected {
            Some(Presence::Offline)
        } else if a.on_break {
            Some(Presence::Away)
        } else {
            None
        };
        let _ = self.run_cmd(Command::SetPresence(AgentId(agent), p));
    }

    /// Schedules the agent's next connection drop, if its group has them.
    pub(crate) fn schedule_disconnect(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        let Some(d) = &self.sc.agent_groups[a.group].disconnects else {
            return;
        };
        let gap = a.rng.exp1() * d.every.as_secs_f64();
        self.events.schedule(
            self.now + SimDuration::from_secs_f64(gap),
            Event::Disconnect { agent },
        );
    }

    /// The agent's connection drops: Offline at once (pending invitations are withdrawn); back
    /// after its drawn duration; its Active conversations are released if it is not back within
    /// the reconnect timeout.
    pub(crate) fn disconnect(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if !a.on_shift || a.disconnected {
            return;
        }
        let Some(d) = &self.sc.agent_groups[a.group].disconnects else {
            return;
        };
        a.disconnected = true;
        a.link_epoch += 1;
        let epoch = a.link_epoch;
        let away = Sampler::new(&d.duration).sample(&mut a.rng);
        let timeout = d.reconnect_timeout;
        self.events
            .schedule(self.now + away, Event::Reconnect { agent });
        self.events
            .schedule(self.now + timeout, Event::ReconnectTimeout { agent, epoch });
        self.apply_presence(agent);
    }

    /// RT-PICK: a pick-mode agent with room picks after its accept delay.
    pub(crate) fn offer_pick(&mut self, agent: AgentId) {
        let a = &mut self.agents[agent.index()];
        if a.pick_pending || !a.on_shift {
            return;
        }
        a.pick_pending = true;
        let delay = self.agents.accept_delay(agent.index());
        self.events
            .schedule(self.now + delay, Event::Pick { agent: agent.0 });
    }

    /// Work waits in a pick queue: members who could pick (in id order) and have no pick under
    /// way go and pick, one per waiting conversation.
    pub(crate) fn pick_available(&mut self, queue: QueueId) {
        let want = self.engine.routable_count(queue);
        let mut chosen = std::mem::take(&mut self.agents.pick_buf);
        for agent in self.engine.pick_candidates(queue) {
            if chosen.len() >= want {
                break;
            }
            if !self.agents[agent.index()].pick_pending {
                chosen.push(agent);
            }
        }
        for &agent in &chosen {
            self.offer_pick(agent);
        }
        chosen.clear();
        self.agents.pick_buf = chosen;
    }
}
