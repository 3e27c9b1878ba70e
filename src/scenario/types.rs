//! The validated scenario: what the simulator, the load driver and the policies consume.
//!
//! A [`Scenario`] is only built by the loader after every check has passed, so its references
//! (queue → work stream, group → queues, scripts → agents and queues) are indices that resolve.
//! Code after validation does not check them again.

use crate::calendar::Calendar;
use crate::dist::Dist;
use crate::engine::EngineConfig;
use crate::metrics::SlDefinition;
use crate::model::{
    AgentId, AssignmentMethod, Channel, ConvState, MessageMode, QueueId, WorkstreamId,
    WorkstreamRules,
};
use crate::time::{SimDuration, SimTime};
use crate::traffic::{RosterAgent, Traffic};

/// A whole validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// `[scenario].name`: free text.
    pub name: String,
    /// Arrivals happen in `[0, horizon)`.
    pub horizon: SimDuration,
    /// Conversations arriving before this are not counted.
    pub warmup: SimDuration,
    /// The base seed.
    pub seed: u64,
    /// Independent replications.
    pub replications: u32,
    /// The service-level threshold.
    pub service_level: SimDuration,
    /// The service level's denominator (`service_level_definition`).
    pub service_level_definition: SlDefinition,
    /// Abandons within this leave the service level and the abandonment rate
    /// (`short_abandon`); `None`: every abandon counts.
    pub short_abandon: Option<SimDuration>,
    /// After the horizon, the run stops at the latest this long later (conversations nobody can
    /// serve must not hang the run); what is still live counts as `in_system_at_end`.
    pub drain_limit: SimDuration,
    /// `[scenario] start`: the local date-time of t = 0 (default: a Monday at 00:00).
    pub calendar: Calendar,
    /// The rules under test.
    pub engine: EngineConfig,
    /// Work streams, in file order.
    pub workstreams: Vec<Workstream>,
    /// Queues, in file order.
    pub queues: Vec<Queue>,
    /// Agent groups, in file order.
    pub agent_groups: Vec<AgentGroup>,
    /// Supervisors, in file order.
    pub supervisors: Vec<Supervisor>,
    /// Checks after the run.
    pub thresholds: Vec<Threshold>,
    /// `[traffic]`: the replayed history and the forecast's handle-time factors (the forecast's
    /// volumes are already in the queues' arrivals, the roster's agents in `agent_groups`).
    pub traffic: Traffic,
    /// Skill names, by skill id: those the agent groups hold (first appearance first), then those
    /// only roster agents hold (roster order).
    pub skills: Vec<String>,
    /// Problems that do not stop a run (a rule that can never match), in file order;
    /// `omnisim validate` and `run` print them as `warning: …` on standard error.
    pub warnings: Vec<super::Diagnostic>,
}

/// A work stream: the engine's rules plus the simulator's customer behaviour.
#[derive(Clone, Debug)]
pub struct Workstream {
    /// Its name.
    pub name: String,
    /// What the engine applies.
    pub rules: WorkstreamRules,
    /// Time from accept to end (Active → Wrap-up).
    pub handle_time: Dist,
    /// Wrap-up time; `None` closes at once.
    pub wrap_up_time: Option<Dist>,
    /// Customer patience while Open; `None` never abandons.
    pub patience: Option<Dist>,
    /// Sentiment random walk, if any.
    pub sentiment: Option<Sentiment>,
    /// Open auto-close (LC-ABANDON), counted from arrival; `None` (the default) never.
    pub open_auto_close: Option<SimDuration>,
    /// Wrap-up auto-close (LC-WRAPUP): chat default 15 min; `None` never.
    pub wrap_up_auto_close: Option<SimDuration>,
    /// Persistent chat only: probability that an Active conversation is set Waiting once, mid-handle.
    pub waiting_probability: f64,
    /// How long a Waiting customer stays away before returning (Waiting → Open).
    pub waiting_time: Option<Dist>,
    /// Waiting inactivity auto-close (LC-WAITING); `None` never.
    pub waiting_auto_close: Option<SimDuration>,
    /// Attributes, skill matching and classification (unified routing).
    pub routing: super::routing::WsRouting,
    /// `concurrency_slowdown`: entry `k−1` is the factor by which each conversation of this
    /// work stream slows while its agent holds `k` of them Active (the last entry holds beyond);
    /// every entry finite, ≥ 1 and non-decreasing. `None`: no slowdown (independent slots).
    pub concurrency_slowdown: Option<Vec<f64>>,
    /// `retrial`: abandoned customers come back.
    pub retrial: Option<Retrial>,
    /// `transfer`: a share of handled conversations moves to another queue.
    pub transfer: Option<Transfer>,
}

/// An abandoned customer comes back, as a new conversation of the same queue, with
/// `probability` after `delay` (again after each abandonment).
#[derive(Clone, Debug, PartialEq)]
pub struct Retrial {
    /// In [0, 1].
    pub probability: f64,
    /// Time from the abandonment to the new contact.
    pub delay: Dist,
}

/// At the end of handling, a share of conversations moves to another queue (Active → Open
/// there, LC-ACTIVE; no wrap-up for the first agent).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transfer {
    /// In [0, 1].
    pub probability: f64,
    /// The target queue: same channel; not a queue of this work stream when `probability` is 1.
    pub queue: QueueId,
}

/// Sentiment: a random walk per minute, kept in [-1, 1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sentiment {
    /// Value at arrival.
    pub start: f64,
    /// Mean step per minute.
    pub drift: f64,
    /// Standard deviation of a step per minute.
    pub volatility: f64,
}

/// A queue.
#[derive(Clone, Debug)]
pub struct Queue {
    /// Its name: free text.
    pub name: String,
    /// Its work stream.
    pub workstream: WorkstreamId,
    /// RT-METHOD.
    pub assignment: AssignmentMethod,
    /// RT-ORDER: lower is served first.
    pub priority: u32,
    /// How conversations arrive.
    pub arrivals: Arrivals,
    /// `[[queues.overflow]]`, checked in order (OVF-*).
    pub overflow: Vec<super::overflow::OverflowRule>,
    /// `operating_hours`; empty: always open.
    pub operating_hours: Vec<super::overflow::OperatingHours>,
    /// `[[queues.prioritization]]`, in order (RT-PRIORITIZE); empty: arrival order.
    pub prioritization: Vec<super::rulesets::PriorityRule>,
    /// `[[queues.assignment_rules]]`, in order (RT-RULESET); empty: `assignment` decides.
    pub assignment_rules: Vec<super::rulesets::AssignmentRuleSpec>,
}

/// How conversations arrive at a queue.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// Poisson at this rate (per second).
    Rate(f64),
    /// Piecewise-constant Poisson: `(from, rate per second)`, sorted by time, first at 0.
    Profile(Vec<(SimTime, f64)>),
    /// A fixed, sorted list of arrival times.
    Times(Vec<SimTime>),
    /// No arrivals of its own (only transfers in).
    None,
}

impl Arrivals {
    /// The expected number of arrivals in `[from, to)` (simulated time): a rate times the
    /// seconds of overlap with each of its pieces (a profile's piece lasts until the next one
    /// starts, the last one for ever), or the listed times that fall inside. 0 when `to <=
    /// from`. The one reading of an arrival process as a mass: the size limits, the load
    /// driver's split across sources and staffing's offered load all use it.
    pub fn mass(&self, from: SimTime, to: SimTime) -> f64 {
        if to <= from {
            return 0.0;
        }
        let over = |a: SimTime, b: SimTime, rate: f64| {
            let (a, b) = (a.max(from), b.min(to));
            if b > a {
                rate * (b.as_millis() - a.as_millis()) as f64 / 1000.0
            } else {
                0.0
            }
        };
        match self {
            Arrivals::Rate(r) => over(from, to, *r),
            Arrivals::Profile(steps) => steps
                .iter()
                .enumerate()
                .map(|(i, &(at, rate))| {
                    let until = steps.get(i + 1).map_or(SimTime(u64::MAX), |s| s.0);
                    over(at, until, rate)
                })
                .sum(),
            Arrivals::Times(ts) => {
                (ts.partition_point(|t| *t < to) - ts.partition_point(|t| *t < from)) as f64
            }
            Arrivals::None => 0.0,
        }
    }
}

/// A group of identical agents, named `<name>-1` … `<name>-<count>`.
#[derive(Clone, Debug)]
pub struct AgentGroup {
    /// The group name.
    pub name: String,
    /// How many agents.
    pub count: u32,
    /// Units each agent has.
    pub capacity: u32,
    /// Queues each agent is a member of.
    pub queues: Vec<QueueId>,
    /// On shift in `[start, end)`; `None` means the whole run.
    pub shift: Option<Shift>,
    /// Breaks, if any.
    pub breaks: Option<Breaks>,
    /// Time from invitation to accept.
    pub accept_delay: Dist,
    /// Probability of rejecting an invitation.
    pub reject_probability: f64,
    /// Probability that an invitation is never seen (it times out).
    pub ignore_probability: f64,
    /// Connection drops, if any.
    pub disconnects: Option<Disconnects>,
    /// The first agent's id; agent `k` (1-based) of the group is `first + k - 1`.
    pub first: AgentId,
    /// A `[traffic] roster` agent (a group of one named after it, with its own shifts and
    /// breaks instead of `shift` and `breaks`).
    pub roster: Option<RosterAgent>,
    /// `absence`: the probability that an agent does not come in at all in a replication
    /// (drawn per agent and replication from its own stream); 0 by default.
    pub absence: f64,
    /// Skills with ratings 1–10 (ids into [`Scenario::skills`]), sorted by skill.
    pub skills: crate::engine::SkillSet,
}

/// Agents' connection drops: each agent disconnects after an exponential time with mean
/// `every` (while on shift), stays away for `duration`; if it is not back within
/// `reconnect_timeout`, its Active conversations return to Open and are routed again.
#[derive(Clone, Debug, PartialEq)]
pub struct Disconnects {
    /// Mean time between disconnects.
    pub every: SimDuration,
    /// How long a disconnect lasts.
    pub duration: Dist,
    /// How long the engine waits for the agent before releasing its conversations.
    pub reconnect_timeout: SimDuration,
}

/// A shift.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shift {
    /// When the agent goes on shift.
    pub start: SimTime,
    /// When the agent goes off shift (it completes what it holds).
    pub end: SimTime,
}

/// Regular breaks: every `every` on shift, Away for `length`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breaks {
    /// Time between break starts.
    pub every: SimDuration,
    /// Length of a break.
    pub length: SimDuration,
}

/// A supervisor.
#[derive(Clone, Debug)]
pub struct Supervisor {
    /// Its name.
    pub name: String,
    /// Its scope.
    pub queues: Vec<QueueId>,
    /// Time from seeing a condition to acting on it.
    pub reaction: SimDuration,
    /// If the supervisor also works as this agent (MON-SELF).
    pub agent: Option<AgentId>,
    /// Periodic rules.
    pub policies: Vec<Policy>,
    /// Timeline lines, sorted by `at` (stable: file order among equal times).
    pub script: Vec<ScriptLine>,
}

/// A periodic policy.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Its name (default `policy-<n>`).
    pub name: String,
    /// Checked every this long.
    pub every: SimDuration,
    /// Which conversations it acts on.
    pub when: Filter,
    /// What it does to each.
    pub action: Action,
}

/// A condition over conversations in a supervisor's scope.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// States to match (default: open).
    pub states: Vec<ConvState>,
    /// Queues to match (default: all of the supervisor's).
    pub queues: Option<Vec<QueueId>>,
    /// Channels to match (default: any).
    pub channels: Option<Vec<Channel>>,
    /// Waited at least this long since arrival.
    pub waited_at_least: Option<SimDuration>,
    /// Sentiment strictly below this.
    pub sentiment_below: Option<f64>,
    /// At most this many conversations per check, oldest first.
    pub limit: Option<u32>,
}

/// How a supervisor picks the agent for an assignment or transfer.
#[derive(Clone, Debug, PartialEq)]
pub enum AgentPick {
    /// A named agent.
    Named(AgentId),
    /// The member of the conversation's queue with the most free units.
    MostFreeCapacity,
    /// The member holding the fewest conversations.
    LeastLoaded,
    /// The members in turn.
    RoundRobin,
}

/// A supervisor action.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Monitor; then join if sentiment is below the given value.
    Monitor {
        /// Join at once if sentiment is below this.
        join_if_sentiment_below: Option<f64>,
        /// Message mode for that join.
        message_mode: MessageMode,
    },
    /// Join (must already be monitoring).
    Join {
        /// Message mode.
        message_mode: MessageMode,
    },
    /// Assign an Open conversation to an agent.
    AssignToAgent(AgentPick),
    /// Assign an Open conversation to another queue.
    AssignToQueue(QueueId),
    /// Transfer an Active or Waiting conversation to an agent.
    TransferToAgent(AgentPick),
    /// Force close.
    ForceClose,
}

/// One timeline line.
#[derive(Clone, Debug)]
pub struct ScriptLine {
    /// When it acts.
    pub at: SimTime,
    /// What it does.
    pub action: Action,
    /// Which conversation it acts on.
    pub target: Target,
    /// 1-based position in the file's script list (for reports).
    pub line: usize,
}

/// Which conversation a script line acts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The queue to look in (any queue, even outside the supervisor's scope).
    pub queue: QueueId,
    /// The state to look for (default open).
    pub state: ConvState,
    /// Oldest or newest by arrival.
    pub pick: TargetPick,
}

/// Oldest or newest by arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TargetPick {
    /// The earliest arrival.
    #[default]
    Oldest,
    /// The latest arrival.
    Newest,
}

/// A check on a dotted path into a report: `summary.json` for a run, `load.json` for a load
/// test (`omnisim load --threshold`, and the scenario's thresholds on `load.json` paths).
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    /// A dotted path into the report.
    pub metric: String,
    /// The smallest passing value.
    pub min: Option<f64>,
    /// The largest passing value.
    pub max: Option<f64>,
}

impl Threshold {
    /// Whether `value` is within the bounds (each inclusive).
    pub fn passes(&self, value: f64) -> bool {
        self.min.is_none_or(|m| value >= m) && self.max.is_none_or(|m| value <= m)
    }
}

impl Scenario {
    /// Number of agents in all groups.
    pub fn agent_count(&self) -> usize {
        self.agent_groups.iter().map(|g| g.count as usize).sum()
    }

    /// The display name of an agent (`<group>-<k>`, or a roster agent's own name). Groups hold
    /// consecutive ids in order (each group's `first` follows the one before), so the group is
    /// found by binary search: O(log groups) even with a million roster agents.
    pub fn agent_name(&self, agent: AgentId) -> String {
        let i = self
            .agent_groups
            .partition_point(|g| g.first.0 <= agent.0)
            .checked_sub(1);
        // Groups of 0 agents share their `first` with the next group: step back over them.
        for g in self.agent_groups[..i.map_or(0, |i| i + 1)].iter().rev() {
            let k = agent.0.wrapping_sub(g.first.0);
            if agent.0 >= g.first.0 && k < g.count {
                if let Some(r) = &g.roster {
                    return r.name.clone();
                }
                return format!("{}-{}", g.name, k + 1);
            }
            if g.count > 0 {
                break;
            }
        }
        format!("agent#{}", agent.0)
    }

    /// Whether a conversation can be answered (or closed) in a queue other than the one it
    /// arrived at without starting a leg: some supervisor policy or script line has
    /// `assign_to = "queue"`, or some queue has an overflow rule with `action = "transfer"`
    /// (`waited_over` while it waits, or `out_of_hours` / `work_items_over` before it queues).
    /// Then `conversations.csv` (`run --log`) has its `ended_in` column (`report::log`, which
    /// also writes it when an external engine moved a row); otherwise the file is as it was
    /// without it. A transfer at the end of handling starts a leg (a row of its own) instead.
    pub fn moves_between_queues(&self) -> bool {
        let supervisor = self.supervisors.iter().any(|s| {
            s.policies
                .iter()
                .map(|p| &p.action)
                .chain(s.script.iter().map(|l| &l.action))
                .any(|a| matches!(a, Action::AssignToQueue(_)))
        });
        // Every overflow transfer, before queueing or while waiting (issue 25, a seventeenth
        // tester: an `out_of_hours` transfer alone left the column out, so `fit` mixed the
        // handle times of the two queues).
        let overflow = self.queues.iter().any(|q| {
            q.overflow
                .iter()
                .any(|r| matches!(r.action, super::overflow::OverflowAction::Transfer(_)))
        });
        supervisor || overflow
    }
}
