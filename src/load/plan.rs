//! [`Plan`]: what the tasks of a load run read from the scenario, precomputed once (samplers,
//! which group each agent is in, which worker owns it, how arrivals split across queues).

use crate::dist::Sampler;
use crate::model::{AgentId, QueueId};
use crate::rng::SimRng;
use crate::scenario::{Arrivals, Scenario};
use crate::time::SimDuration;

/// An agent group's behaviour.
#[derive(Clone, Debug)]
pub(crate) struct GroupPlan {
    pub(crate) accept: Sampler,
    pub(crate) reject_p: f64,
    pub(crate) ignore_p: f64,
}

/// A work stream's customer behaviour.
#[derive(Clone, Debug)]
pub(crate) struct WsPlan {
    pub(crate) handle: Sampler,
    pub(crate) wrap: Option<Sampler>,
    pub(crate) patience: Option<Sampler>,
}

/// Read-only, shared by every task.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) groups: Vec<GroupPlan>,
    pub(crate) agent_group: Vec<u32>,
    pub(crate) ws: Vec<WsPlan>,
    pub(crate) queue_ws: Vec<usize>,
    /// Cumulative arrival weights of the queues (last = 1).
    pub(crate) queue_cum: Vec<f64>,
    pub(crate) timeout: SimDuration,
    pub(crate) speed: f64,
    pub(crate) workers: usize,
}

/// What an agent answers to an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    Accept,
    Reject,
    Timeout,
}

impl Plan {
    pub(crate) fn new(sc: &Scenario, speed: f64, workers: usize) -> Plan {
        let mut agent_group = Vec::with_capacity(sc.agent_count());
        for (i, g) in sc.agent_groups.iter().enumerate() {
            agent_group.extend(std::iter::repeat_n(i as u32, g.count as usize));
        }
        let weights: Vec<f64> = sc
            .queues
            .iter()
            .map(|q| match &q.arrivals {
                Arrivals::Rate(r) => *r,
                Arrivals::Profile(p) => p.iter().map(|x| x.1).fold(0.0, f64::max),
                Arrivals::Times(t) => t.len() as f64,
                Arrivals::None => 0.0,
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let n = weights.len().max(1) as f64;
        let mut acc = 0.0;
        let queue_cum = weights
            .iter()
            .map(|w| {
                acc += if total > 0.0 { w / total } else { 1.0 / n };
                acc
            })
            .collect();
        Plan {
            groups: sc
                .agent_groups
                .iter()
                .map(|g| GroupPlan {
                    accept: Sampler::new(&g.accept_delay),
                    reject_p: g.reject_probability,
                    ignore_p: g.ignore_probability,
                })
                .collect(),
            agent_group,
            ws: sc
                .workstreams
                .iter()
                .map(|w| WsPlan {
                    handle: Sampler::new(&w.handle_time),
                    wrap: w.wrap_up_time.as_ref().map(Sampler::new),
                    patience: w.patience.as_ref().map(Sampler::new),
                })
                .collect(),
            queue_ws: sc.queues.iter().map(|q| q.workstream.index()).collect(),
            queue_cum,
            timeout: sc.engine.notification_timeout,
            speed,
            workers: workers.max(1),
        }
    }

    /// The worker task that owns an agent.
    #[inline]
    pub(crate) fn owner(&self, agent: AgentId) -> usize {
        agent.index() % self.workers
    }

    /// A scenario duration as wall nanoseconds.
    #[inline]
    pub(crate) fn wall_ns(&self, d: SimDuration) -> u64 {
        (d.as_millis() as f64 * 1e6 / self.speed) as u64
    }

    /// The queue arrival `i` goes to, weighted by the scenario's arrival rates.
    pub(crate) fn queue_for(&self, rng: &mut SimRng) -> QueueId {
        let u = rng.uniform01();
        let i = self.queue_cum.partition_point(|&c| c <= u);
        QueueId(i.min(self.queue_cum.len().saturating_sub(1)) as u32)
    }

    /// An agent's answer to an invitation and its delay (scenario time), as the simulator decides.
    pub(crate) fn answer(&self, agent: AgentId, rng: &mut SimRng) -> (Answer, SimDuration) {
        let g = &self.groups[self.agent_group[agent.index()] as usize];
        let (answer, delay) = if g.ignore_p == 0.0 && g.reject_p == 0.0 {
            (Answer::Accept, g.accept.sample(rng))
        } else {
            let u = rng.uniform01();
            if u < g.ignore_p {
                (Answer::Timeout, self.timeout)
            } else if u < g.ignore_p + g.reject_p {
                (Answer::Reject, g.accept.sample(rng))
            } else {
                (Answer::Accept, g.accept.sample(rng))
            }
        };
        if delay >= self.timeout {
            (Answer::Timeout, self.timeout)
        } else {
            (answer, delay)
        }
    }
}
