//! Watching a replication without changing it: the `--trace` writer (every command, effect,
//! counted refusal and routing decision as a [`TraceLine`]) and the dashboard recorder (a
//! compact event log of one replication, replayed by `report.html`).
//!
//! Key types: `Observer` (crate-private), [`TraceOptions`], [`DashOptions`], [`DashLog`].
//!
//! A world without an observer pays one `Option` test per engine command. The observer never
//! draws a random number and never schedules an event, so a traced run's results are those of
//! the untraced run.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::engine::{CloseReason, Command, ConvId, Decision, Effect, Engine, Outcome, Recipient};
use crate::model::{AgentId, Channel, ConvState, Presence, QueueId, SupervisorId};
use crate::scenario::Scenario;
use crate::time::SimTime;
use crate::trace::{conversation_id, Kind, TraceLine};

/// What `--trace` asks of the simulator.
#[derive(Clone, Debug)]
pub struct TraceOptions {
    /// The folder: replication `r` (0-based) writes `trace.jsonl.part-<r>` there, and
    /// [`assemble`] joins the parts in replication order into `trace.jsonl`.
    pub dir: PathBuf,
    /// Trace only this replication (0-based); `None`: all.
    pub replication: Option<u32>,
    /// Write errors, one per replication that failed (the run itself goes on).
    pub errors: Arc<Mutex<Vec<String>>>,
}

/// What the dashboard recorder keeps.
#[derive(Clone, Copy, Debug)]
pub struct DashOptions {
    /// The replication recorded (0-based).
    pub replication: u32,
    /// Most events kept: the log covers the replication from its start until this many
    /// events (then it stops, and says until when it covers).
    pub max_events: usize,
}

/// The compact event log of one replication that `report.html` replays.
///
/// `events` are arrays `[t_ms, code, …]`: `0` arrival `[conv, queue]`, `1` state
/// `[conv, state]` (0 open, 1 active, 2 waiting, 3 wrap_up, 4 closed), `2` primary agent
/// `[conv, agent]`, `3` units in use `[agent, units]`, `4` presence `[agent, presence]` (index
/// into `presences`), `5` moved to a queue `[conv, queue]`, `6` monitoring `[conv, supervisor]`,
/// `7` joined `[conv, supervisor]`, `8` supervisor action `[supervisor, conv, action, rule,
/// target]` (`action` indexes `actions`, `rule` indexes `rules` or is -1 when accepted,
/// `target` an agent or queue index or -1), `9` sentiment `[conv, hundredths]`.
#[derive(Clone, Debug, Serialize)]
pub struct DashLog {
    /// The replication, 1-based.
    pub replication: u32,
    /// Agents by id: name, capacity (units), presence at the start.
    pub agents: Vec<(String, u32, u8)>,
    /// Queues by id: name, whether its channel may be monitored (MON-CHANNEL).
    pub queues: Vec<(String, bool)>,
    /// Supervisors by id: name, the agent it also works as (MON-SELF).
    pub supervisors: Vec<(String, Option<u32>)>,
    /// Presence names by index.
    pub presences: Vec<&'static str>,
    /// Supervisor action names by index.
    pub actions: Vec<&'static str>,
    /// Rule ids by index.
    pub rules: Vec<&'static str>,
    /// The events, in order: the inside of a JSON array of arrays, written as recorded (no
    /// allocation per event); [`DashLog::to_json`] puts it in place.
    #[serde(skip)]
    pub events: String,
    /// How many events `events` holds.
    pub count: usize,
    /// The last moment the log covers (ms): the end of the run, or of the window when full.
    pub until_ms: u64,
    /// True when `max_events` cut the log short.
    pub truncated: bool,
    /// The cap on events.
    pub max_events: usize,
}

impl DashLog {
    /// The whole log as one JSON object, `events` included.
    pub fn to_json(&self) -> String {
        let head = serde_json::to_string(self).unwrap_or_else(|_| "{}".into());
        let head = head.strip_suffix('}').unwrap_or(&head);
        let sep = if head.len() > 1 { "," } else { "" };
        format!("{head}{sep}\"events\":[{}]}}", self.events)
    }
}

/// The supervisor actions, as event 8 numbers them.
const ACTIONS: [&str; 6] = [
    "monitor",
    "join",
    "assign_to_agent",
    "assign_to_queue",
    "transfer",
    "force_close",
];

/// The open trace part: its writer, its path, where write errors go.
type TraceFile = (BufWriter<File>, PathBuf, Arc<Mutex<Vec<String>>>);

struct Names {
    agents: Vec<String>,
    queues: Vec<String>,
    supervisors: Vec<String>,
    /// Assignment rule names by queue and rule number.
    rules: Vec<Vec<String>>,
}

/// The trace writer and dashboard recorder of one replication.
pub(crate) struct Observer {
    rep: u32,
    names: Names,
    /// Conversation ids by engine slot: (generation, id).
    ids: Vec<(u32, u64)>,
    arrivals: u64,
    trace: Option<TraceFile>,
    decisions: Vec<Decision>,
    /// The last command, for the refusal line that may follow it.
    last: Option<TraceLine>,
    dash: Option<DashLog>,
    /// Conversations whose sentiment the world should record now.
    pub(crate) want_sentiment: Vec<ConvId>,
}

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observer").field("rep", &self.rep).finish()
    }
}

fn state_code(s: ConvState) -> i64 {
    match s {
        ConvState::Open => 0,
        ConvState::Active => 1,
        ConvState::Waiting => 2,
        ConvState::WrapUp => 3,
        ConvState::Closed => 4,
    }
}

fn presence_code(p: Presence) -> u8 {
    Presence::ALL.iter().position(|x| *x == p).unwrap_or(0) as u8
}

fn rule_code(r: crate::engine::RuleId) -> i64 {
    crate::engine::RuleId::ALL
        .iter()
        .position(|x| *x == r)
        .map_or(-1, |i| i as i64)
}

impl Observer {
    /// An observer for replication `rep` (0-based), or `None` when neither option covers it.
    pub(crate) fn new(
        sc: &Scenario,
        engine: &mut Engine,
        rep: u32,
        trace: Option<&TraceOptions>,
        dash: Option<&DashOptions>,
    ) -> Option<Box<Observer>> {
        let trace = trace.filter(|t| t.replication.is_none_or(|r| r == rep));
        let dash = dash.filter(|d| d.replication == rep && d.max_events > 0);
        if trace.is_none() && dash.is_none() {
            return None;
        }
        let names = Names {
            agents: (0..sc.agent_count() as u32)
                .map(|a| sc.agent_name(AgentId(a)))
                .collect(),
            queues: sc.queues.iter().map(|q| q.name.clone()).collect(),
            supervisors: sc.supervisors.iter().map(|s| s.name.clone()).collect(),
            rules: sc
                .queues
                .iter()
                .map(|q| q.assignment_rules.iter().map(|r| r.name.clone()).collect())
                .collect(),
        };
        let trace = match trace {
            None => None,
            Some(t) => {
                let path = t.dir.join(format!("trace.jsonl.part-{rep}"));
                match File::create(&path) {
                    Ok(f) => {
                        engine.set_explain(true);
                        Some((BufWriter::new(f), path, t.errors.clone()))
                    }
                    Err(e) => {
                        push_err(&t.errors, format!("cannot write {}: {e}", path.display()));
                        None
                    }
                }
            }
        };
        let dash = dash.map(|d| DashLog {
            replication: rep + 1,
            agents: (0..sc.agent_count())
                .map(|a| {
                    let v = engine.agent(AgentId(a as u32));
                    (
                        names.agents[a].clone(),
                        v.capacity,
                        presence_code(v.presence),
                    )
                })
                .collect(),
            queues: sc
                .queues
                .iter()
                .map(|q| {
                    let ch = sc.workstreams[q.workstream.index()].rules.channel;
                    let ok =
                        ch != Channel::EntityRecords && sc.engine.monitor_channels & ch.bit() != 0;
                    (q.name.clone(), ok)
                })
                .collect(),
            supervisors: sc
                .supervisors
                .iter()
                .map(|s| (s.name.clone(), s.agent.map(|a| a.0)))
                .collect(),
            presences: Presence::ALL.iter().map(|p| p.as_str()).collect(),
            actions: ACTIONS.to_vec(),
            rules: crate::engine::RuleId::ALL
                .iter()
                .map(|r| r.as_str())
                .collect(),
            events: String::new(),
            count: 0,
            until_ms: 0,
            truncated: false,
            max_events: d.max_events,
        });
        Some(Box::new(Observer {
            rep,
            names,
            ids: Vec::new(),
            arrivals: 0,
            trace,
            decisions: Vec::new(),
            last: None,
            dash,
            want_sentiment: Vec::new(),
        }))
    }

    fn id(&self, conv: ConvId) -> Option<u64> {
        self.ids
            .get(conv.slot as usize)
            .filter(|(g, _)| *g == conv.gen)
            .map(|(_, id)| *id)
    }

    fn line(&self, now: SimTime, kind: Kind, what: &str) -> TraceLine {
        TraceLine::new(now.as_millis(), self.rep + 1, kind, what)
    }

    fn agent(&self, a: AgentId) -> Option<String> {
        self.names.agents.get(a.index()).cloned()
    }

    fn write(&mut self, l: &TraceLine) {
        let Some((w, path, errors)) = self.trace.as_mut() else {
            return;
        };
        let r = serde_json::to_writer(&mut *w, l)
            .map_err(std::io::Error::from)
            .and_then(|()| w.write_all(b"\n"));
        if let Err(e) = r {
            push_err(errors, format!("cannot write {}: {e}", path.display()));
            self.trace = None;
        }
    }

    /// One engine command and its effects (the engine's routing decisions are collected here).
    pub(crate) fn command(
        &mut self,
        now: SimTime,
        cmd: Command,
        r: Outcome,
        fx: &[Effect],
        engine: &mut Engine,
    ) {
        // Name new conversations first, so the command line of an arrival carries its id.
        for e in fx {
            if let Effect::Arrived { conv, .. } = *e {
                self.arrivals += 1;
                let slot = conv.slot as usize;
                if self.ids.len() <= slot {
                    self.ids.resize(slot + 1, (u32::MAX, 0));
                }
                self.ids[slot] = (conv.gen, conversation_id(self.arrivals - 1));
            }
        }
        if let Some(d) = self.dash.as_mut() {
            if d.count >= d.max_events {
                if !d.truncated {
                    // This command is not in the log: it covers up to just before it.
                    d.truncated = true;
                    d.until_ms = now.as_millis().saturating_sub(1);
                }
            } else {
                self.dash_command(now, cmd, r, fx);
            }
        }
        if self.trace.is_none() {
            return;
        }
        let mut l = self.command_line(now, cmd);
        l.ok = Some(r.is_ok());
        if let Err(rule) = r {
            l.rule = Some(rule.as_str().to_string());
        }
        self.write(&l);
        self.last = Some(l);
        if let (Command::Pick(agent), Ok(())) = (cmd, r) {
            // RT-PICK: the agent took the oldest conversation it may take.
            let conv = fx.iter().find_map(|e| match *e {
                Effect::Accepted { conv, .. } => Some(conv),
                _ => None,
            });
            let mut p = self.line(now, Kind::Routing, "picked");
            p.conversation = conv.and_then(|c| self.id(c));
            p.agent = self.agent(agent);
            p.rule = Some(crate::engine::RuleId::RtPick.as_str().to_string());
            p.method = Some("pick".into());
            p.order_by = Some("oldest_first".into());
            self.write(&p);
        }
        let mut decisions = std::mem::take(&mut self.decisions);
        decisions.clear();
        engine.take_decisions(&mut decisions);
        let mut next = decisions.iter().peekable();
        for (i, e) in fx.iter().enumerate() {
            while let Some(d) = next.next_if(|d| d.effect_index <= i) {
                let l = self.decision_line(now, d);
                self.write(&l);
            }
            let l = self.effect_line(now, e);
            self.write(&l);
        }
        for d in next {
            let l = self.decision_line(now, d);
            self.write(&l);
        }
        self.decisions = decisions;
    }

    /// Whether the observer has nothing left to do: no trace, and the dashboard log is full.
    pub(crate) fn done(&self) -> bool {
        self.trace.is_none() && self.dash.as_ref().is_none_or(|d| d.truncated)
    }

    /// A refusal that `summary.json` counts, of the command just observed.
    pub(crate) fn refusal(&mut self, rule: crate::engine::RuleId) {
        let Some(last) = self.last.clone() else {
            return;
        };
        let mut l = last;
        l.kind = Kind::Refusal;
        l.ok = None;
        l.rule = Some(rule.as_str().to_string());
        self.write(&l);
    }

    fn command_line(&self, now: SimTime, cmd: Command) -> TraceLine {
        let (what, conv, agent, sup, queue): (
            &str,
            Option<ConvId>,
            Option<AgentId>,
            Option<SupervisorId>,
            Option<QueueId>,
        ) = match cmd {
            Command::Arrive(q) => ("arrive", None, None, None, Some(q)),
            Command::Accept(c, _) => ("accept", Some(c), None, None, None),
            Command::Reject(c, _) => ("reject", Some(c), None, None, None),
            Command::Timeout(c, _) => ("timeout", Some(c), None, None, None),
            Command::Pick(a) => ("pick", None, Some(a), None, None),
            Command::End(c) => ("end", Some(c), None, None, None),
            Command::ReleaseWrapUp(c) => ("release_wrap_up", Some(c), None, None, None),
            Command::Close(c) => ("close", Some(c), None, None, None),
            Command::SetWaiting(c) => ("set_waiting", Some(c), None, None, None),
            Command::Resume(c) => ("resume", Some(c), None, None, None),
            Command::CustomerReturn(c) => ("customer_return", Some(c), None, None, None),
            Command::Release(c) => ("release", Some(c), None, None, None),
            Command::TransferToQueue(c, q) => ("transfer_to_queue", Some(c), None, None, Some(q)),
            Command::OverflowTransfer(c, q) => ("overflow_transfer", Some(c), None, None, Some(q)),
            Command::OverflowEnd(c) => ("overflow_end", Some(c), None, None, None),
            Command::Abandon(c) => ("abandon", Some(c), None, None, None),
            Command::AutoClose(c) => ("auto_close", Some(c), None, None, None),
            Command::SetPresence(a, _) => ("set_presence", None, Some(a), None, None),
            Command::JoinQueue(a, q) => ("join_queue", None, Some(a), None, Some(q)),
            Command::LeaveQueue(a, q) => ("leave_queue", None, Some(a), None, Some(q)),
            Command::Monitor(s, c) => ("monitor", Some(c), None, Some(s), None),
            Command::Join(s, c, _) => ("join", Some(c), None, Some(s), None),
            Command::AssignToAgent(s, c, a) => ("assign_to_agent", Some(c), Some(a), Some(s), None),
            Command::AssignToQueue(s, c, q) => ("assign_to_queue", Some(c), None, Some(s), Some(q)),
            Command::Transfer(s, c, a) => ("transfer", Some(c), Some(a), Some(s), None),
            Command::ForceClose(s, c) => ("force_close", Some(c), None, Some(s), None),
        };
        let mut l = self.line(now, Kind::Command, what);
        l.conversation = conv.and_then(|c| self.id(c));
        if let Command::Arrive(_) = cmd {
            l.conversation = (self.arrivals > 0).then(|| conversation_id(self.arrivals - 1));
        }
        l.agent = agent.and_then(|a| self.agent(a));
        l.supervisor = sup.and_then(|s| self.names.supervisors.get(s.index()).cloned());
        l.queue = queue.and_then(|q| self.names.queues.get(q.index()).cloned());
        if let Command::SetPresence(_, p) = cmd {
            l.to = Some(p.map_or("automatic", |p| p.as_str()).to_string());
        }
        l
    }

    fn decision_line(&self, now: SimTime, d: &Decision) -> TraceLine {
        let mut l = self.line(now, Kind::Routing, "routed");
        l.conversation = self.id(d.conv);
        l.agent = self.agent(d.agent);
        l.rule = Some(d.rule.to_string());
        l.assignment_rule = d.assignment_rule.and_then(|r| {
            self.names
                .rules
                .get(d.queue.index())?
                .get(r as usize)
                .cloned()
        });
        l.bucket = d.bucket.map(|b| b as u32 + 1);
        l.queue = self.names.queues.get(d.queue.index()).cloned();
        l.method = Some(d.method.to_string());
        l.order_by = Some(d.order_by.to_string());
        l.key = Some(d.key);
        l.passed_over = Some(
            d.passed
                .reasons()
                .iter()
                .filter(|r| r.1 > 0)
                .map(|(k, n)| (k.to_string(), *n))
                .collect(),
        );
        l
    }

    fn effect_line(&self, now: SimTime, e: &Effect) -> TraceLine {
        let q = |q: QueueId| self.names.queues.get(q.index()).cloned();
        let s = |s: SupervisorId| self.names.supervisors.get(s.index()).cloned();
        let mut l;
        match *e {
            Effect::AssignedByRule { conv, queue, rule } => {
                l = self.line(now, Kind::Effect, "assigned_by_rule");
                l.conversation = self.id(conv);
                l.queue = q(queue);
                l.rule = Some("RT-RULESET".into());
                l.assignment_rule = self
                    .names
                    .rules
                    .get(queue.index())
                    .and_then(|r| r.get(rule as usize).cloned());
            }
            Effect::Unmatched { conv, queue } => {
                l = self.line(now, Kind::Effect, "unmatched");
                l.conversation = self.id(conv);
                l.queue = q(queue);
                l.rule = Some("RT-SKILL".into());
            }
            Effect::Arrived { conv, queue } => {
                l = self.line(now, Kind::Effect, "arrived");
                l.conversation = self.id(conv);
                l.queue = q(queue);
            }
            Effect::Invited {
                conv,
                agent,
                by_supervisor,
                ..
            } => {
                l = self.line(now, Kind::Effect, "invited");
                l.conversation = self.id(conv);
                l.agent = self.agent(agent);
                l.rule = Some(
                    if by_supervisor {
                        "ASSIGN-INVITE"
                    } else {
                        "RT-INVITE"
                    }
                    .into(),
                );
            }
            Effect::InviteWithdrawn { conv, agent, .. } => {
                l = self.line(now, Kind::Effect, "invite_withdrawn");
                l.conversation = self.id(conv);
                l.agent = self.agent(agent);
            }
            Effect::Refusal {
                conv,
                agent,
                timed_out,
            } => {
                l = self.line(now, Kind::Effect, "invite_refused");
                l.conversation = self.id(conv);
                l.agent = self.agent(agent);
                l.detail = Some(if timed_out { "timed out" } else { "rejected" }.into());
            }
            Effect::Accepted {
                conv,
                agent,
                waited,
                ..
            } => {
                l = self.line(now, Kind::Effect, "accepted");
                l.conversation = self.id(conv);
                l.agent = self.agent(agent);
                l.waited_s = Some(waited.as_millis() as f64 / 1000.0);
            }
            Effect::StateChanged { conv, from, to } => {
                l = self.line(now, Kind::Effect, "state");
                l.conversation = self.id(conv);
                l.from = Some(from.as_str().into());
                l.to = Some(to.as_str().into());
            }
            Effect::Units {
                agent,
                after,
                capacity,
                ..
            } => {
                l = self.line(now, Kind::Effect, "units");
                l.agent = self.agent(agent);
                l.units = Some(after);
                l.capacity = Some(capacity);
            }
            Effect::Overallocated { agent, over } => {
                l = self.line(now, Kind::Effect, "overallocated");
                l.agent = self.agent(agent);
                l.units = Some(over as i64);
                l.rule = Some("CAP-OVER".into());
            }
            Effect::Presence { agent, from, to } => {
                l = self.line(now, Kind::Effect, "presence");
                l.agent = self.agent(agent);
                l.from = Some(from.as_str().into());
                l.to = Some(to.as_str().into());
            }
            Effect::Requeued { conv, from, to } => {
                l = self.line(now, Kind::Effect, "requeued");
                l.conversation = self.id(conv);
                l.from = q(from);
                l.to = q(to);
            }
            Effect::Monitoring { conv, supervisor } => {
                l = self.line(now, Kind::Effect, "monitoring");
                l.conversation = self.id(conv);
                l.supervisor = s(supervisor);
            }
            Effect::Joined {
                conv,
                supervisor,
                mode,
            } => {
                l = self.line(now, Kind::Effect, "joined");
                l.conversation = self.id(conv);
                l.supervisor = s(supervisor);
                l.detail = Some(format!("{mode:?}").to_lowercase());
            }
            Effect::Transferred { conv, from, to } => {
                l = self.line(now, Kind::Effect, "transferred");
                l.conversation = self.id(conv);
                l.agent = self.agent(to);
                l.from = self.agent(from);
                l.to = self.agent(to);
            }
            Effect::Notified { conv, to, notice } => {
                l = self.line(now, Kind::Effect, "notified");
                l.conversation = self.id(conv);
                match to {
                    Recipient::Agent(a) => l.agent = self.agent(a),
                    Recipient::Customer => l.to = Some("customer".into()),
                    Recipient::Supervisor(x) => l.supervisor = s(x),
                }
                l.detail = Some(match notice {
                    crate::engine::Notice::SupervisorJoined(x, mode) => format!(
                        "supervisor {} joined ({})",
                        s(x).unwrap_or_default(),
                        format!("{mode:?}").to_lowercase()
                    ),
                    crate::engine::Notice::Transferred => "transferred".into(),
                    crate::engine::Notice::ForceClosed => "force closed".into(),
                });
            }
            Effect::PickAvailable { queue } => {
                l = self.line(now, Kind::Effect, "pick_available");
                l.queue = q(queue);
                l.rule = Some("RT-PICK".into());
            }
            Effect::Closed {
                conv,
                queue,
                reason,
                arrived_at,
                ..
            } => {
                l = self.line(now, Kind::Effect, "closed");
                l.conversation = self.id(conv);
                l.queue = q(queue);
                l.detail = Some(
                    match reason {
                        CloseReason::Completed => "completed",
                        CloseReason::Abandoned => "abandoned",
                        CloseReason::AutoClosed => "auto_closed",
                        CloseReason::ForceClosed => "force_closed",
                        CloseReason::Overflowed => "overflowed",
                    }
                    .into(),
                );
                l.waited_s = Some(now.since(arrived_at).as_millis() as f64 / 1000.0);
            }
        }
        l
    }

    fn dash_command(&mut self, now: SimTime, cmd: Command, r: Outcome, fx: &[Effect]) {
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

    /// Flushes the trace and hands back the dashboard log.
    pub(crate) fn finish(mut self, now: SimTime) -> Option<DashLog> {
        if let Some((mut w, path, errors)) = self.trace.take() {
            if let Err(e) = w.flush() {
                push_err(&errors, format!("cannot write {}: {e}", path.display()));
            }
        }
        let mut d = self.dash.take()?;
        if !d.truncated {
            d.until_ms = now.as_millis();
        }
        Some(d)
    }
}

fn push_err(errors: &Mutex<Vec<String>>, msg: String) {
    if let Ok(mut v) = errors.lock() {
        v.push(msg);
    }
}

/// Joins the replications' trace parts in replication order into `dir/trace.jsonl` (streaming)
/// and removes the parts. Replications are `reps` (0-based), in order.
pub fn assemble(dir: &std::path::Path, reps: &[u32]) -> std::io::Result<PathBuf> {
    let out_path = dir.join("trace.jsonl");
    let mut out = BufWriter::new(File::create(&out_path)?);
    for r in reps {
        let part = dir.join(format!("trace.jsonl.part-{r}"));
        if let Ok(mut f) = File::open(&part) {
            std::io::copy(&mut f, &mut out)?;
            drop(f);
            std::fs::remove_file(&part)?;
        }
    }
    out.flush()?;
    Ok(out_path)
}

impl super::world::World<'_> {
    /// Hands a command and its effects to the observer (present), then the sentiment readings
    /// it asked for.
    #[cold]
    pub(crate) fn observe(&mut self, cmd: Command, r: Outcome, fx: &[Effect]) {
        let now = self.now;
        let Some(o) = self.obs.as_mut() else {
            return;
        };
        o.command(now, cmd, r, fx, &mut self.engine);
        let mut want = std::mem::take(&mut o.want_sentiment);
        for conv in want.drain(..) {
            let has = self.conv_sim(conv).is_some_and(|c| c.mood.is_some());
            if has {
                let v = self.sentiment(conv);
                if let Some(o) = self.obs.as_mut() {
                    o.sentiment(now, conv, v);
                }
            }
        }
        if let Some(o) = self.obs.as_mut() {
            o.want_sentiment = want;
            if o.done() {
                // Nothing more to record: keep the log, stop observing (free from here on).
                let o = self.obs.take().expect("present");
                self.dash_done = o.finish(now);
            }
        }
    }
}
