//! [`Plan`]: what the tasks of a load run read from the scenario, precomputed once (samplers,
//! which group each agent is in, which worker owns it, how arrivals split across their sources,
//! the routing tags).
//!
//! Arrivals come from the same sources as in the simulator: each queue's own arrivals and each
//! work stream's own arrivals (routed to a queue by its route-to-queue rules, RT-QUEUE). The
//! offered `--rate` is split across the sources in proportion to their expected arrivals over
//! the scenario's horizon (one unit, a count, whatever the form: rate, profile or times list).
//! Every arrival draws its attribute values as the simulator does and carries its routing tag
//! (requirement and attribute set, interned at setup), so skills, prioritization buckets and
//! assignment rules act as the scenario describes. Before-queueing overflow rules are not
//! applied by the load driver.

use crate::dist::Sampler;
use crate::engine::{Command, RoutingTag};
use crate::model::{AgentId, QueueId};
use crate::rng::SimRng;
use crate::scenario::{Scenario, WsRouting};
use crate::setup::{draw_attributes, used, RoutingTags};
use crate::time::SimDuration;

/// Where an arrival comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArrivalSource {
    /// A queue's own arrivals.
    Queue(QueueId),
    /// A work stream's own arrivals, routed to one of its queues.
    Workstream(usize),
}

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
    /// The arrival sources with expected arrivals, in queue then work-stream order.
    pub(crate) sources: Vec<ArrivalSource>,
    /// Cumulative arrival weights of `sources` (last = 1).
    pub(crate) source_cum: Vec<f64>,
    /// Each work stream's routing (attributes, classification, route-to-queue).
    pub(crate) routing: Vec<WsRouting>,
    /// The routing tags, interned into the run's engine at setup.
    pub(crate) tags: RoutingTags,
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

/// The arrival sources of `sc` and their cumulative weights: each queue's and each work
/// stream's expected arrivals over the horizon, as shares of all (every queue evenly when none
/// is expected).
pub(crate) fn split(sc: &Scenario) -> (Vec<ArrivalSource>, Vec<f64>) {
    let horizon = crate::time::SimTime::ZERO + sc.horizon;
    let mut sources = Vec::new();
    let mut weights = Vec::new();
    for (i, q) in sc.queues.iter().enumerate() {
        sources.push(ArrivalSource::Queue(QueueId(i as u32)));
        weights.push(q.arrivals.mass(crate::time::SimTime::ZERO, horizon));
    }
    for (w, ws) in sc.workstreams.iter().enumerate() {
        if let Some(a) = &ws.routing.arrivals {
            sources.push(ArrivalSource::Workstream(w));
            weights.push(a.mass(crate::time::SimTime::ZERO, horizon));
        }
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        // Nothing expected: every queue evenly.
        sources.retain(|s| matches!(s, ArrivalSource::Queue(_)));
        let n = sources.len().max(1) as f64;
        let cum = (1..=sources.len()).map(|k| k as f64 / n).collect();
        return (sources, cum);
    }
    let mut acc = 0.0;
    let mut out = (Vec::new(), Vec::new());
    for (s, w) in sources.into_iter().zip(weights) {
        if w > 0.0 {
            acc += w / total;
            out.0.push(s);
            out.1.push(acc);
        }
    }
    out
}

impl Plan {
    /// The plan of a load run of `sc` whose engine's routing tags are `tags` (built on that
    /// engine by [`RoutingTags::new`]).
    pub(crate) fn new(sc: &Scenario, tags: RoutingTags, speed: f64, workers: usize) -> Plan {
        let mut agent_group = Vec::with_capacity(sc.agent_count());
        for (i, g) in sc.agent_groups.iter().enumerate() {
            agent_group.extend(std::iter::repeat_n(i as u32, g.count as usize));
        }
        let (sources, source_cum) = split(sc);
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
            sources,
            source_cum,
            routing: sc.workstreams.iter().map(|w| w.routing.clone()).collect(),
            tags,
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

    /// The next arrival: its source drawn by weight, then, as in the simulator, its attribute
    /// values (one uniform per attribute), for a work stream's arrival one more uniform and its
    /// route-to-queue rules, and its routing tag.
    pub(crate) fn arrival(&self, rng: &mut SimRng) -> Command {
        let u = rng.uniform01();
        let i = self
            .source_cum
            .partition_point(|&c| c <= u)
            .min(self.sources.len().saturating_sub(1));
        match self.sources.get(i) {
            Some(&ArrivalSource::Queue(q)) => {
                let w = self.queue_ws[q.index()];
                Command::Arrive(q, self.tag(w, rng).1)
            }
            Some(&ArrivalSource::Workstream(w)) => {
                let (attrs, tag) = self.tag(w, rng);
                let u = rng.uniform01();
                let q = self.routing[w]
                    .route(&attrs, u, |_| false)
                    .expect("validation requires a fallback queue when a rule may not match");
                Command::Arrive(q, tag)
            }
            None => Command::Arrive(QueueId(0), RoutingTag::default()),
        }
    }

    /// Attribute values drawn for work stream `w` and their routing tag (none drawn when the
    /// work stream uses neither attributes nor classification).
    fn tag(&self, w: usize, rng: &mut SimRng) -> (Vec<u16>, RoutingTag) {
        let routing = &self.routing[w];
        if !used(routing) {
            return (Vec::new(), RoutingTag::default());
        }
        let attrs = draw_attributes(routing, rng);
        let tag = self.tags.tag(w, w, w, &attrs);
        (attrs, tag)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(queues: &str) -> Scenario {
        let text = format!(
            "[scenario]\nname = \"t\"\nhorizon = \"1h\"\n[[workstreams]]\nname = \"w\"\n\
             channel = \"voice\"\nhandle_time = \"1m\"\n{queues}\
             [[agent_groups]]\nname = \"a\"\ncount = 1\nqueues = [\"q1\"]\n"
        );
        crate::scenario::load_str(&text, "t.toml").expect("valid")
    }

    /// The bug this fixes: a rate (per second) and a times list (a count) were weighed
    /// against each other as they stood, so 36 arrivals an hour (0.01/s) against 12 listed
    /// times gave the listed queue 12 / 12.01 = 99.9% of the load. Both are counts over the
    /// hour now: 36 and 12, shares 36/48 = 0.75 and 0.25.
    #[test]
    fn rates_and_times_lists_split_by_expected_arrivals() {
        let times: Vec<String> = (0..12).map(|i| format!("\"{}m\"", i * 5)).collect();
        let sc = scenario(&format!(
            "[[queues]]\nname = \"q1\"\nworkstream = \"w\"\narrivals = {{ rate = \"36/h\" }}\n\
             [[queues]]\nname = \"q2\"\nworkstream = \"w\"\narrivals = {{ times = [{}] }}\n",
            times.join(", ")
        ));
        let (sources, cum) = split(&sc);
        assert_eq!(
            sources,
            vec![
                ArrivalSource::Queue(QueueId(0)),
                ArrivalSource::Queue(QueueId(1))
            ]
        );
        assert!((cum[0] - 0.75).abs() < 1e-12, "{cum:?}");
        assert!((cum[1] - 1.0).abs() < 1e-12, "{cum:?}");
    }

    /// Without expected arrivals anywhere, every queue gets an even share.
    #[test]
    fn no_expected_arrivals_splits_evenly() {
        let sc = scenario(
            "[[queues]]\nname = \"q1\"\nworkstream = \"w\"\n\
             [[queues]]\nname = \"q2\"\nworkstream = \"w\"\n",
        );
        let (sources, cum) = split(&sc);
        assert_eq!(sources.len(), 2);
        assert_eq!(cum, vec![0.5, 1.0]);
    }
}
