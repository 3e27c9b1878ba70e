//! Watching a replication without changing it: the `--trace` writer (every command, effect,
//! counted refusal and routing decision as a [`TraceLine`]) and the dashboard recorder (a
//! compact event log of one replication, replayed by `report.html`).
//!
//! Key types: `Observer` (crate-private), [`TraceOptions`], [`DashOptions`], [`DashLog`].
//!
//! A world without an observer pays one `Option` test per engine command. The observer never
//! draws a random number and never schedules an event, so a traced run's results are those of
//! the untraced run.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::engine::{Command, ConvId, Decision, Effect, Outcome};
use crate::model::{AgentId, Channel, ConvState, Presence};
use crate::scenario::Scenario;
use crate::time::SimTime;
use crate::trace::{conversation_id, Kind, TraceLine};

mod assemble;
mod dash;
mod lines;
mod retired;
mod retrials;
mod waits;

pub use assemble::{assemble, assemble_stoppable};

pub(crate) use retired::Retired;

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
    /// Most events kept: the log covers the window from its start until this many events
    /// (then it stops, and says until when it covers).
    pub max_events: usize,
    /// The window's start (ms since the replication's start; 0: the start). The log holds
    /// what is live at that moment and the events from it on.
    pub from_ms: u64,
    /// The window's end (ms), when it ends before the run does; `None`: the end of the run.
    pub to_ms: Option<u64>,
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
    /// The window's first moment (ms): events before it are only those of what is live then
    /// (and the supervisor actions of the five minutes before).
    pub from_ms: u64,
    /// The last moment the log covers (ms): the end of the run, of the window
    /// (`DashOptions::to_ms`), or just before the event that would have passed the cap.
    pub until_ms: u64,
    /// True when the log stops before the run's end (the cap or the window's end).
    pub truncated: bool,
    /// True when `max_events` cut the log short.
    pub capped: bool,
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

/// Bytes `trace.jsonl` takes per conversation, as measured on the instruction-count workload
/// (reports/trace-cost.md: 26.7 MB for about 12,000 conversations, ~16 lines of ~140 bytes).
/// Conversations passed over by many agents, transferred or retried take more.
pub const TRACE_BYTES_PER_CONVERSATION: f64 = 2_200.0;

/// The expected size of `trace.jsonl` in bytes when `replications` replications of `sc` are
/// traced: expected arrivals per replication ([`crate::scenario::expected_arrivals`]) ×
/// `replications` × [`TRACE_BYTES_PER_CONVERSATION`]. An estimate for a warning, not a bound.
pub fn trace_bytes_estimate(sc: &Scenario, replications: u32) -> f64 {
    crate::scenario::expected_arrivals(sc) * f64::from(replications) * TRACE_BYTES_PER_CONVERSATION
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

/// An arrival's attribute values and required skills (with ratings), by name.
type ArrivalTags = (BTreeMap<String, String>, Option<BTreeMap<String, u8>>);

/// The open trace part: its writer, its path, where write errors go.
type TraceFile = (BufWriter<File>, PathBuf, Arc<Mutex<Vec<String>>>);

struct Names {
    agents: Vec<String>,
    queues: Vec<String>,
    supervisors: Vec<String>,
    /// Assignment rule names by queue and rule number.
    rules: Vec<Vec<String>>,
    /// Skill names by id.
    skills: Vec<String>,
}

/// The trace writer and dashboard recorder of one replication.
pub(crate) struct Observer {
    rep: u32,
    names: Names,
    /// Conversation ids by engine slot: (generation, id).
    ids: Vec<(u32, u64)>,
    /// Ids of closed conversations whose slot a later arrival took, by (slot, generation): a
    /// supervisor command naming one (refused with LC-CLOSED) still names it in the trace (an
    /// eleventh fresh tester: such `refusal` lines had `conversation: null`). Kept only when
    /// tracing, and only while a pending event names one ([`Retired::prune`]).
    retired: Retired,
    /// The next arrival is a replayed history's retry contact (its `retrial_of` is the
    /// history's link, not a customer who closed unanswered here). Set with `retrial_of`.
    pub(crate) retrial_replayed: bool,
    /// The replication's `start` line was written.
    started: bool,
    /// The start line's `starts_at`: the local date-time of t = 0 when the scenario has a
    /// `[scenario] start`.
    starts_at: Option<String>,
    /// By engine slot: the waits of its conversation (`waits`); reset when the slot takes a
    /// new conversation.
    waits: waits::Waits,
    arrivals: u64,
    trace: Option<TraceFile>,
    decisions: Vec<Decision>,
    /// The last command, for the refusal line that may follow it.
    last: Option<TraceLine>,
    dash: Option<DashLog>,
    /// The dashboard window's end (ms), when before the run's.
    dash_to: Option<u64>,
    /// What is live before the dashboard's window opens (`None` once open).
    shadow: Option<Box<dash::Shadow>>,
    /// Conversations whose sentiment the world should record now.
    pub(crate) want_sentiment: Vec<ConvId>,
    /// Why the next arrival is in its queue: the queue an overflow rule sent it on from (and
    /// the rule, and how many transfer actions moved it), or route-to-queue (`RT-QUEUE`). Set
    /// by the simulator just before it.
    pub(crate) arrival_note: Option<(Option<crate::model::QueueId>, &'static str, u32)>,
    /// The next arrival's attribute values and required skills, by name (set by
    /// [`Observer::note_attributes`] just before it).
    arrival_tags: Option<ArrivalTags>,
    /// The next arrival is a retrial of this conversation (its trace id). Set by the simulator
    /// just before it.
    pub(crate) retrial_of: Option<u64>,
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
        engine: &mut impl crate::engine::RulesEngine,
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
            skills: sc.skills.clone(),
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
        let shadow = dash
            .filter(|d| d.from_ms > 0)
            .map(|_| Box::<dash::Shadow>::default());
        let dash_to = dash.and_then(|d| d.to_ms);
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
            from_ms: d.from_ms,
            until_ms: 0,
            truncated: false,
            capped: false,
            max_events: d.max_events,
        });
        Some(Box::new(Observer {
            rep,
            names,
            ids: Vec::new(),
            retired: Retired::default(),
            retrial_replayed: false,
            started: false,
            starts_at: sc.calendar.given.then(|| sc.calendar.iso(SimTime::ZERO)),
            waits: waits::Waits::default(),
            arrivals: 0,
            trace,
            decisions: Vec::new(),
            last: None,
            dash,
            dash_to,
            shadow,
            want_sentiment: Vec::new(),
            arrival_note: None,
            arrival_tags: None,
            retrial_of: None,
        }))
    }

    /// Notes the attribute values `attrs` drawn for the next arrival, of work stream `ws`
    /// (indices into its attributes' values), and the skills its classification requires, for
    /// the arrival's trace line. Only the trace reads them.
    pub(crate) fn note_attributes(&mut self, sc: &Scenario, ws: usize, attrs: &[u16]) {
        if self.trace.is_none() {
            return;
        }
        let routing = &sc.workstreams[ws].routing;
        let values = routing
            .attributes
            .iter()
            .zip(attrs)
            .map(|(a, &v)| {
                let value = a.values.get(v as usize).cloned().unwrap_or_default();
                (a.name.clone(), value)
            })
            .collect();
        let requires = self.skill_names(&routing.classify(attrs));
        self.arrival_tags = Some((values, requires));
    }

    /// The trace id the next arrival will get.
    pub(crate) fn next_conversation(&self) -> u64 {
        conversation_id(self.arrivals)
    }

    /// Whether the retired ids are due a prune (one comparison).
    #[inline]
    pub(crate) fn wants_prune(&self) -> bool {
        self.retired.wants_prune()
    }

    /// Keeps only the retired ids some pending event names ([`Retired::prune`]).
    pub(crate) fn prune_retired(&mut self, pending: impl Iterator<Item = ConvId>) {
        self.retired.prune(pending);
    }

    /// The retired ids (tests).
    #[cfg(test)]
    pub(crate) fn retired_mut(&mut self) -> &mut Retired {
        &mut self.retired
    }

    fn id(&self, conv: ConvId) -> Option<u64> {
        self.ids
            .get(conv.slot as usize)
            .filter(|(g, _)| *g == conv.gen)
            .map(|(_, id)| *id)
            .or_else(|| self.retired.get(conv))
    }

    /// The wait (ms) until `conv`'s first acceptance, when it has been accepted.
    fn first_wait(&self, conv: ConvId) -> Option<u64> {
        self.id(conv)?;
        self.waits.first(conv.slot as usize)
    }

    fn line(&self, now: SimTime, kind: Kind, what: &str) -> TraceLine {
        TraceLine::new(now.as_millis(), self.rep + 1, kind, what)
    }

    fn agent(&self, a: AgentId) -> Option<String> {
        self.names.agents.get(a.index()).cloned()
    }

    fn write(&mut self, l: &TraceLine) {
        if !self.started && self.trace.is_some() {
            // The replication's first line: its `start` line.
            self.started = true;
            let mut s = self.line(SimTime::ZERO, Kind::Start, "start");
            s.starts_at.clone_from(&self.starts_at);
            self.write(&s);
        }
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
        engine: &mut impl crate::engine::RulesEngine,
    ) {
        // Name new conversations first, so the command line of an arrival carries its id.
        for e in fx {
            if let Effect::Arrived { conv, .. } = *e {
                self.arrivals += 1;
                let slot = conv.slot as usize;
                if self.ids.len() <= slot {
                    self.ids.resize(slot + 1, (u32::MAX, 0));
                }
                let (gen, old) = self.ids[slot];
                if gen != u32::MAX && gen != conv.gen && self.trace.is_some() {
                    self.retired.insert(
                        ConvId {
                            slot: conv.slot,
                            gen,
                        },
                        old,
                    );
                }
                self.ids[slot] = (conv.gen, conversation_id(self.arrivals - 1));
                self.waits.arrived(slot);
            }
        }
        if let Some(d) = self.dash.as_mut() {
            let ms = now.as_millis();
            let past_end = self.dash_to.is_some_and(|to| ms > to);
            if d.count >= d.max_events || past_end {
                if !d.truncated {
                    // This command is not in the log: it covers up to just before it (or to
                    // the window's end).
                    d.truncated = true;
                    d.capped = !past_end;
                    d.until_ms = match self.dash_to {
                        Some(to) if past_end => to,
                        _ => ms.saturating_sub(1),
                    }
                    .max(d.from_ms);
                }
            } else {
                if self.shadow.is_some() && ms >= d.from_ms {
                    self.open_window();
                }
                self.dash_command(now, cmd, r, fx);
            }
        }
        if self.trace.is_none() {
            return;
        }
        let mut l = self.command_line(now, cmd);
        l.ok = Some(r.is_ok());
        if let (Command::Arrive(..), Some((from, rule, hops))) = (cmd, self.arrival_note.take()) {
            l.from = from.and_then(|q| self.names.queues.get(q.index()).cloned());
            l.rule = Some(rule.into());
            // Several before-queueing transfers (a chain or a cycle): how many.
            if hops > 1 {
                l.detail = Some(format!("{hops} transfers"));
            }
        }
        if let (Command::Arrive(..), Some((values, requires))) = (cmd, self.arrival_tags.take()) {
            l.attributes = (!values.is_empty()).then_some(values);
            l.requires = requires;
        }
        let retried = match cmd {
            Command::Arrive(..) => self.retrial_of.take(),
            _ => None,
        };
        let replayed =
            matches!(cmd, Command::Arrive(..)) && std::mem::take(&mut self.retrial_replayed);
        l.retrial_of = retried;
        l.replayed = (replayed && retried.is_some()).then_some(true);
        // The simulator issues overflow commands only for waiting-time rules (before-queueing
        // rules act before the engine sees the conversation).
        let overflow = matches!(cmd, Command::OverflowTransfer(..) | Command::OverflowEnd(_))
            .then_some("OVF-WAIT");
        if let Err(rule) = r {
            l.rule = Some(rule.as_str().to_string());
        } else if let Some(o) = overflow {
            l.rule = Some(o.into());
        }
        self.write(&l);
        self.last = Some(l);
        if let Some(old) = retried {
            self.retried(now, old, replayed);
        }
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
            let mut l = self.effect_line(now, e);
            self.waits.follow(now, cmd, e, &mut l);
            if l.rule.is_none() && matches!(e, Effect::Requeued { .. } | Effect::Closed { .. }) {
                l.rule = overflow.map(String::from);
            }
            self.write(&l);
        }
        for d in next {
            let l = self.decision_line(now, d);
            self.write(&l);
        }
        self.decisions = decisions;
    }

    /// An arrival that a before-queueing overflow rule ended (OVF-HOURS, OVF-LIMIT): the engine
    /// never saw it, yet conversations.csv and summary.json count it, so it takes the next
    /// conversation id and gets its story: its arrival (`arrive`, `arrived`, at `queue`, the
    /// queue it reached; `moved`, the first transfer rule and how many transfers moved it there
    /// from `first`) and its end there (`closed`, `overflowed`, by `rule`).
    #[cold]
    pub(crate) fn ended_before_queue(
        &mut self,
        now: SimTime,
        first: crate::model::QueueId,
        queue: crate::model::QueueId,
        rule: &'static str,
        moved: Option<(&'static str, u32)>,
    ) {
        self.arrivals += 1;
        self.arrival_note = None;
        self.arrival_tags = None;
        let retried = self.retrial_of.take();
        let replayed = std::mem::take(&mut self.retrial_replayed);
        if self.trace.is_none() {
            return;
        }
        let id = Some(conversation_id(self.arrivals - 1));
        let name = |q: crate::model::QueueId| self.names.queues.get(q.index()).cloned();
        let mut a = self.line(now, Kind::Command, "arrive");
        a.conversation = id;
        a.ok = Some(true);
        a.queue = name(queue);
        a.retrial_of = retried;
        a.replayed = (replayed && retried.is_some()).then_some(true);
        if let Some((r, hops)) = moved {
            a.from = name(first);
            a.rule = Some(r.into());
            if hops > 1 {
                a.detail = Some(format!("{hops} transfers"));
            }
        }
        let mut e = self.line(now, Kind::Effect, "arrived");
        e.conversation = id;
        e.queue = name(queue);
        let mut c = self.line(now, Kind::Effect, "closed");
        c.conversation = id;
        c.queue = name(queue);
        c.rule = Some(rule.into());
        c.detail = Some("overflowed".into());
        c.waited_s = Some(0.0);
        c.in_system_s = Some(0.0);
        self.write(&a);
        if let Some(old) = retried {
            self.retried(now, old, replayed);
        }
        for l in [e, c] {
            self.write(&l);
        }
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

    /// Drops the observer of a replication a stop reached before it began: its trace part is
    /// removed and it has no dashboard log, so a stopped run's trace holds exactly the
    /// replications `summary.json`'s `by_replication` lists (issue 25: such a replication's
    /// part held a `start` and an `interrupted` line, a replication the summary had no row
    /// for).
    pub(crate) fn discard(mut self) {
        if let Some((w, path, _)) = self.trace.take() {
            drop(w);
            let _ = std::fs::remove_file(path);
        }
    }

    /// Flushes the trace and hands back the dashboard log.
    pub(crate) fn finish(mut self, now: SimTime, interrupted: bool) -> Option<DashLog> {
        if interrupted {
            // The replication's trace ends here, cut off by a stop request: say so, so
            // `omnisim explain` does not present a cut-off story as whole.
            let mut l = self.line(now, Kind::Interrupted, "interrupted");
            l.detail = Some(
                "the run was interrupted (SIGINT or SIGTERM): this replication's trace stops \
                 here and is partial"
                    .into(),
            );
            self.write(&l);
        } else if self.trace.is_some() {
            // The replication ran to its end: a conversation without a `closed` line was still
            // in the system here.
            let l = self.line(now, Kind::End, "end");
            self.write(&l);
        }
        if let Some((mut w, path, errors)) = self.trace.take() {
            if let Err(e) = w.flush() {
                push_err(&errors, format!("cannot write {}: {e}", path.display()));
            }
        }
        if self.dash.as_ref().is_some_and(|d| !d.truncated) {
            // A window opening after the run's end shows the end.
            self.open_window();
        }
        let mut d = self.dash.take()?;
        if !d.truncated {
            d.until_ms = now.as_millis();
        }
        d.from_ms = d.from_ms.min(d.until_ms);
        Some(d)
    }
}

fn push_err(errors: &Mutex<Vec<String>>, msg: String) {
    if let Ok(mut v) = errors.lock() {
        v.push(msg);
    }
}

impl<E: crate::engine::RulesEngine> super::world::World<'_, E> {
    /// Hands a command and its effects to the observer (present), then the sentiment readings
    /// it asked for.
    #[cold]
    pub(crate) fn observe(&mut self, cmd: Command, r: Outcome, fx: &[Effect]) {
        let now = self.now;
        let Some(o) = self.out.observer() else {
            return;
        };
        o.command(now, cmd, r, fx, &mut self.engine);
        let mut want = std::mem::take(&mut o.want_sentiment);
        for conv in want.drain(..) {
            let has = self.customers.get(conv).is_some_and(|c| c.mood.is_some());
            if has {
                let v = self.sentiment(conv);
                if let Some(o) = self.out.observer() {
                    o.sentiment(now, conv, v);
                }
            }
        }
        if let Some(o) = self.out.observer() {
            o.want_sentiment = want;
            if o.done() {
                // Nothing more to record: keep the log, stop observing (free from here on).
                self.out.stop_watching(now);
            }
        }
    }
}
