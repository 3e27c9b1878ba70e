//! The wire messages of the engine service (`docs/protocol.md`), version [`VERSION`]: every
//! [`Command`] the engine takes ([`WireCommand`]), every [`Effect`] it reports ([`WireEffect`]),
//! a command's result ([`WireResult`]: `{ "effects": [...] }` or `{ "refused": "RULE-ID" }`),
//! a batch of commands at one simulated instant ([`CommandBatch`] → [`BatchResults`]), and the
//! requests of the JSON-lines framing ([`Request`]).
//!
//! Ids on the wire: agents, queues and supervisors are their indices in scenario order (plain
//! integers); a conversation is the opaque string `"SLOT.GEN"` the engine gave it in its
//! `arrived` effect; an invitation is an integer. Times are integer milliseconds of simulated
//! time (`now_ms`, `waited_ms`, `arrived_at_ms`). Every conversion here is total both ways, so
//! a message read back equals the one written (the round-trip tests below).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::engine::{AttrId, Command, ConvId, Effect, InviteId, ReqId, RoutingTag, RuleId};
use crate::model::{AgentId, MessageMode, Presence, QueueId, SupervisorId};

/// The protocol version this module speaks: `"v": 1` in a JSON line, `/v1` in a URL.
pub const VERSION: u32 = 1;

/// A conversation id on the wire: `"SLOT.GEN"` (e.g. `"0.0"`), opaque to clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WireConv(pub ConvId);

impl fmt::Display for WireConv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0.slot, self.0.gen)
    }
}

impl WireConv {
    /// Reads `"SLOT.GEN"` (two unsigned 32-bit integers); `None` for anything else.
    pub fn parse(s: &str) -> Option<WireConv> {
        let (slot, gen) = s.split_once('.')?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(slot) || !digits(gen) {
            return None;
        }
        Some(WireConv(ConvId {
            slot: slot.parse().ok()?,
            gen: gen.parse().ok()?,
        }))
    }
}

impl Serialize for WireConv {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for WireConv {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        WireConv::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a conversation id \"SLOT.GEN\" such as \"0.0\", got {s:?}"
            ))
        })
    }
}

/// A rule id on the wire: its catalogue spelling, e.g. `"ASSIGN-STATE"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WireRule(pub RuleId);

impl Serialize for WireRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for WireRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RuleId::parse(&s).map(WireRule).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown rule id {s:?} (expected one of the catalogue, e.g. \"ASSIGN-STATE\")"
            ))
        })
    }
}

/// An arrival's routing tag on the wire: `{ "req": 0, "attrs": 0 }`, the interned requirement
/// and attribute set (`setup::RoutingTags`); both default to 0 (requires nothing, no attributes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireTag {
    /// The interned requirement (RT-SKILL).
    #[serde(default)]
    pub req: u32,
    /// The interned attribute set (RT-PRIORITIZE).
    #[serde(default)]
    pub attrs: u32,
}

fn is_default_tag(t: &WireTag) -> bool {
    *t == WireTag::default()
}

/// One command on the wire: `{ "type": "accept", "conv": "0.0", "invite": 1 }`. The types and
/// their fields are those of [`Command`], in snake case.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[allow(missing_docs)]
pub enum WireCommand {
    /// A conversation arrives in `queue` with its routing tag (default: none).
    Arrive {
        queue: u32,
        #[serde(default, skip_serializing_if = "is_default_tag")]
        tag: WireTag,
    },
    /// An agent accepts invitation `invite`.
    Accept { conv: WireConv, invite: u64 },
    /// An agent rejects invitation `invite`.
    Reject { conv: WireConv, invite: u64 },
    /// Invitation `invite` timed out (the caller times it).
    Timeout { conv: WireConv, invite: u64 },
    /// An agent picks the oldest routable conversation of a pick-mode queue.
    Pick { agent: u32 },
    /// The agent ends the conversation (→ Wrap-up).
    End { conv: WireConv },
    /// Wrap-up ends.
    ReleaseWrapUp { conv: WireConv },
    /// Closes a conversation in Wrap-up.
    Close { conv: WireConv },
    /// Active → Waiting (persistent chat).
    SetWaiting { conv: WireConv },
    /// Waiting → Active.
    Resume { conv: WireConv },
    /// The customer writes again.
    CustomerReturn { conv: WireConv },
    /// The agent releases the conversation back to its queue.
    Release { conv: WireConv },
    /// Transfer to another queue.
    TransferToQueue { conv: WireConv, queue: u32 },
    /// Overflow moves the conversation to another queue.
    OverflowTransfer { conv: WireConv, queue: u32 },
    /// Overflow ends the conversation.
    OverflowEnd { conv: WireConv },
    /// The customer leaves while Open.
    Abandon { conv: WireConv },
    /// An auto-close timer fired.
    AutoClose { conv: WireConv },
    /// Sets an agent's presence by hand; `null` goes back to automatic presence.
    SetPresence {
        agent: u32,
        presence: Option<Presence>,
    },
    /// An agent joins a queue.
    JoinQueue { agent: u32, queue: u32 },
    /// An agent leaves a queue.
    LeaveQueue { agent: u32, queue: u32 },
    /// A supervisor monitors a conversation.
    Monitor { supervisor: u32, conv: WireConv },
    /// A supervisor joins as a consultant (`mode` defaults to `"internal"`).
    Join {
        supervisor: u32,
        conv: WireConv,
        #[serde(default)]
        mode: MessageMode,
    },
    /// A supervisor assigns the conversation to an agent.
    AssignToAgent {
        supervisor: u32,
        conv: WireConv,
        agent: u32,
    },
    /// A supervisor assigns the conversation to a queue.
    AssignToQueue {
        supervisor: u32,
        conv: WireConv,
        queue: u32,
    },
    /// A supervisor transfers the conversation to another agent.
    Transfer {
        supervisor: u32,
        conv: WireConv,
        agent: u32,
    },
    /// A supervisor force-closes the conversation.
    ForceClose { supervisor: u32, conv: WireConv },
}

impl WireCommand {
    /// The command's `type` spelling (the label of `omnisim_commands_total`).
    pub fn kind(&self) -> &'static str {
        use WireCommand as W;
        match self {
            W::Arrive { .. } => "arrive",
            W::Accept { .. } => "accept",
            W::Reject { .. } => "reject",
            W::Timeout { .. } => "timeout",
            W::Pick { .. } => "pick",
            W::End { .. } => "end",
            W::ReleaseWrapUp { .. } => "release_wrap_up",
            W::Close { .. } => "close",
            W::SetWaiting { .. } => "set_waiting",
            W::Resume { .. } => "resume",
            W::CustomerReturn { .. } => "customer_return",
            W::Release { .. } => "release",
            W::TransferToQueue { .. } => "transfer_to_queue",
            W::OverflowTransfer { .. } => "overflow_transfer",
            W::OverflowEnd { .. } => "overflow_end",
            W::Abandon { .. } => "abandon",
            W::AutoClose { .. } => "auto_close",
            W::SetPresence { .. } => "set_presence",
            W::JoinQueue { .. } => "join_queue",
            W::LeaveQueue { .. } => "leave_queue",
            W::Monitor { .. } => "monitor",
            W::Join { .. } => "join",
            W::AssignToAgent { .. } => "assign_to_agent",
            W::AssignToQueue { .. } => "assign_to_queue",
            W::Transfer { .. } => "transfer",
            W::ForceClose { .. } => "force_close",
        }
    }

    /// The agent, queue and supervisor ids the command names (each at most once), for range
    /// checks.
    pub fn ids(&self) -> (Option<u32>, Option<u32>, Option<u32>) {
        use WireCommand as W;
        match *self {
            W::Arrive { queue, .. } => (None, Some(queue), None),
            W::Pick { agent } | W::SetPresence { agent, .. } => (Some(agent), None, None),
            W::TransferToQueue { queue, .. } | W::OverflowTransfer { queue, .. } => {
                (None, Some(queue), None)
            }
            W::JoinQueue { agent, queue } | W::LeaveQueue { agent, queue } => {
                (Some(agent), Some(queue), None)
            }
            W::Monitor { supervisor, .. }
            | W::Join { supervisor, .. }
            | W::ForceClose { supervisor, .. } => (None, None, Some(supervisor)),
            W::AssignToAgent {
                supervisor, agent, ..
            }
            | W::Transfer {
                supervisor, agent, ..
            } => (Some(agent), None, Some(supervisor)),
            W::AssignToQueue {
                supervisor, queue, ..
            } => (None, Some(queue), Some(supervisor)),
            W::Accept { .. }
            | W::Reject { .. }
            | W::Timeout { .. }
            | W::End { .. }
            | W::ReleaseWrapUp { .. }
            | W::Close { .. }
            | W::SetWaiting { .. }
            | W::Resume { .. }
            | W::CustomerReturn { .. }
            | W::Release { .. }
            | W::OverflowEnd { .. }
            | W::Abandon { .. }
            | W::AutoClose { .. } => (None, None, None),
        }
    }

    /// The engine command (ids are not range-checked here: the session does that).
    pub fn to_command(self) -> Command {
        use WireCommand as W;
        let (a, q, s) = (AgentId, QueueId, SupervisorId);
        match self {
            W::Arrive { queue, tag } => Command::Arrive(
                q(queue),
                RoutingTag {
                    req: ReqId(tag.req),
                    attrs: AttrId(tag.attrs),
                },
            ),
            W::Accept { conv, invite } => Command::Accept(conv.0, InviteId(invite)),
            W::Reject { conv, invite } => Command::Reject(conv.0, InviteId(invite)),
            W::Timeout { conv, invite } => Command::Timeout(conv.0, InviteId(invite)),
            W::Pick { agent } => Command::Pick(a(agent)),
            W::End { conv } => Command::End(conv.0),
            W::ReleaseWrapUp { conv } => Command::ReleaseWrapUp(conv.0),
            W::Close { conv } => Command::Close(conv.0),
            W::SetWaiting { conv } => Command::SetWaiting(conv.0),
            W::Resume { conv } => Command::Resume(conv.0),
            W::CustomerReturn { conv } => Command::CustomerReturn(conv.0),
            W::Release { conv } => Command::Release(conv.0),
            W::TransferToQueue { conv, queue } => Command::TransferToQueue(conv.0, q(queue)),
            W::OverflowTransfer { conv, queue } => Command::OverflowTransfer(conv.0, q(queue)),
            W::OverflowEnd { conv } => Command::OverflowEnd(conv.0),
            W::Abandon { conv } => Command::Abandon(conv.0),
            W::AutoClose { conv } => Command::AutoClose(conv.0),
            W::SetPresence { agent, presence } => Command::SetPresence(a(agent), presence),
            W::JoinQueue { agent, queue } => Command::JoinQueue(a(agent), q(queue)),
            W::LeaveQueue { agent, queue } => Command::LeaveQueue(a(agent), q(queue)),
            W::Monitor { supervisor, conv } => Command::Monitor(s(supervisor), conv.0),
            W::Join {
                supervisor,
                conv,
                mode,
            } => Command::Join(s(supervisor), conv.0, mode),
            W::AssignToAgent {
                supervisor,
                conv,
                agent,
            } => Command::AssignToAgent(s(supervisor), conv.0, a(agent)),
            W::AssignToQueue {
                supervisor,
                conv,
                queue,
            } => Command::AssignToQueue(s(supervisor), conv.0, q(queue)),
            W::Transfer {
                supervisor,
                conv,
                agent,
            } => Command::Transfer(s(supervisor), conv.0, a(agent)),
            W::ForceClose { supervisor, conv } => Command::ForceClose(s(supervisor), conv.0),
        }
    }
}

impl From<Command> for WireCommand {
    fn from(c: Command) -> WireCommand {
        use WireCommand as W;
        let w = WireConv;
        match c {
            Command::Arrive(q, t) => W::Arrive {
                queue: q.0,
                tag: WireTag {
                    req: t.req.0,
                    attrs: t.attrs.0,
                },
            },
            Command::Accept(c, i) => W::Accept {
                conv: w(c),
                invite: i.0,
            },
            Command::Reject(c, i) => W::Reject {
                conv: w(c),
                invite: i.0,
            },
            Command::Timeout(c, i) => W::Timeout {
                conv: w(c),
                invite: i.0,
            },
            Command::Pick(a) => W::Pick { agent: a.0 },
            Command::End(c) => W::End { conv: w(c) },
            Command::ReleaseWrapUp(c) => W::ReleaseWrapUp { conv: w(c) },
            Command::Close(c) => W::Close { conv: w(c) },
            Command::SetWaiting(c) => W::SetWaiting { conv: w(c) },
            Command::Resume(c) => W::Resume { conv: w(c) },
            Command::CustomerReturn(c) => W::CustomerReturn { conv: w(c) },
            Command::Release(c) => W::Release { conv: w(c) },
            Command::TransferToQueue(c, q) => W::TransferToQueue {
                conv: w(c),
                queue: q.0,
            },
            Command::OverflowTransfer(c, q) => W::OverflowTransfer {
                conv: w(c),
                queue: q.0,
            },
            Command::OverflowEnd(c) => W::OverflowEnd { conv: w(c) },
            Command::Abandon(c) => W::Abandon { conv: w(c) },
            Command::AutoClose(c) => W::AutoClose { conv: w(c) },
            Command::SetPresence(a, p) => W::SetPresence {
                agent: a.0,
                presence: p,
            },
            Command::JoinQueue(a, q) => W::JoinQueue {
                agent: a.0,
                queue: q.0,
            },
            Command::LeaveQueue(a, q) => W::LeaveQueue {
                agent: a.0,
                queue: q.0,
            },
            Command::Monitor(s, c) => W::Monitor {
                supervisor: s.0,
                conv: w(c),
            },
            Command::Join(s, c, mode) => W::Join {
                supervisor: s.0,
                conv: w(c),
                mode,
            },
            Command::AssignToAgent(s, c, a) => W::AssignToAgent {
                supervisor: s.0,
                conv: w(c),
                agent: a.0,
            },
            Command::AssignToQueue(s, c, q) => W::AssignToQueue {
                supervisor: s.0,
                conv: w(c),
                queue: q.0,
            },
            Command::Transfer(s, c, a) => W::Transfer {
                supervisor: s.0,
                conv: w(c),
                agent: a.0,
            },
            Command::ForceClose(s, c) => W::ForceClose {
                supervisor: s.0,
                conv: w(c),
            },
        }
    }
}

mod count;
mod effect;
mod results;
pub use count::{count_commands, too_many_commands, MAX_BATCH_COMMANDS, SCAN_FROM};
pub use effect::{WireCloseReason, WireEffect, WireNotice, WireRecipient};
pub use results::why_not_results;

/// One command's result: `{ "effects": [...] }` (applied; effects in the order they happened)
/// or `{ "refused": "RULE-ID" }` (the first rule of the catalogue that refused it; nothing
/// changed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WireResult {
    /// Applied.
    Effects {
        /// What it did.
        effects: Vec<WireEffect>,
    },
    /// Refused.
    Refused {
        /// The rule that refused it.
        refused: WireRule,
    },
}

impl WireResult {
    /// The wire form of an engine outcome and its effects.
    pub fn new(outcome: Result<(), RuleId>, effects: &[Effect]) -> WireResult {
        match outcome {
            Ok(()) => WireResult::Effects {
                effects: effects.iter().map(|e| WireEffect::from(*e)).collect(),
            },
            Err(rule) => WireResult::Refused {
                refused: WireRule(rule),
            },
        }
    }

    /// Back to an engine outcome, with the effects appended to `out`.
    pub fn to_outcome(&self, out: &mut Vec<Effect>) -> Result<(), RuleId> {
        match self {
            WireResult::Effects { effects } => {
                out.extend(effects.iter().filter_map(|e| e.to_effect()));
                Ok(())
            }
            WireResult::Refused { refused } => Err(refused.0),
        }
    }
}

/// `POST /v1/commands` (and the `"commands"` JSON line): commands applied in order at simulated
/// time `now_ms` (never before the previous batch's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandBatch {
    /// The protocol version (optional; 1 when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<u32>,
    /// Simulated time of the batch, in milliseconds since the start.
    pub now_ms: u64,
    /// The commands, in order.
    pub commands: Vec<WireCommand>,
}

/// The answer to a [`CommandBatch`]: one result per command, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchResults {
    /// One per command.
    pub results: Vec<WireResult>,
}

/// A JSON-lines request (`--stdio`): `{ "op": "commands", "now_ms": …, "commands": [...] }`,
/// `{ "op": "reset" }`, `{ "op": "setup" }`, `{ "op": "conversations" }`, `{ "op": "agents" }`,
/// `{ "op": "health" }`, `{ "op": "metrics" }`, and the supervisor actions `monitor`, `join`,
/// `assign` (answered like a command). `"v": 1` may accompany any of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Sets the engine up (with a `scenario`: that configuration; without: the served
    /// scenario's, afresh) and answers the setup view.
    Setup(SetupRequest),
    /// Back to the start (a fresh engine, simulated time 0).
    Reset,
    /// A batch of commands at one instant.
    Commands {
        /// Simulated time in milliseconds.
        now_ms: u64,
        /// The commands, in order.
        commands: Vec<WireCommand>,
    },
    /// The Ongoing Conversations view.
    Conversations,
    /// The agents view.
    Agents,
    /// Liveness and counts.
    Health,
    /// The Prometheus text, as a JSON string.
    Metrics,
    /// A supervisor monitors a conversation.
    Monitor(Action),
    /// A supervisor joins a conversation.
    Join(Action),
    /// A supervisor assigns a conversation to an agent or a queue.
    Assign(Action),
}

/// The body of `POST /v1/setup` (and the fields of the `setup` JSON line): the engine
/// configuration to use from now on, as scenario TOML text (its `[engine]`, `[[workstreams]]`,
/// `[[queues]]`, `[[agent_groups]]` and `[[supervisors]]`; ids are scenario order). Without
/// `scenario`, the engine restarts from its current configuration. Either way the engine is
/// fresh at simulated time 0 afterwards.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The protocol version (optional; 1 when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<u32>,
    /// The scenario text (TOML) whose engine to build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

/// The body of a supervisor action (`POST /v1/conversations/{id}/monitor|join|assign`); in a
/// JSON line it also carries `conv`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// The conversation (in a JSON line; over HTTP it is in the path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conv: Option<WireConv>,
    /// The acting supervisor.
    pub supervisor: u32,
    /// `join`: internal (default) or public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<MessageMode>,
    /// `assign`: the target agent (exactly one of `agent` and `queue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<u32>,
    /// `assign`: the target queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<u32>,
    /// Simulated time of the action (default: the last batch's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now_ms: Option<u64>,
}

/// A refused request (never a refused command: that is a [`WireResult::Refused`]): HTTP 4xx
/// body, or the answer line of `--stdio`. `field` is the key path of the offending value
/// (`commands[2].conv`), when one is to blame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireError {
    /// What was wrong and what was expected.
    pub error: String,
    /// The key path of the bad value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests;
