//! The read views of the service: the Ongoing Conversations view ([`ConversationsView`]: state,
//! queue, wait so far, agent, supervisors), the agents view ([`AgentsView`]: presence, units in
//! use, units over capacity), the setup ([`SetupView`]: the ids a client needs), health, and
//! `/metrics` in Prometheus text format.

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{AgentId, ConvState, Presence, QueueId, SupervisorId};

use super::protocol::{WireConv, VERSION};
use super::session::{Session, LATENCY_BUCKETS};

/// `GET /v1/conversations`: every live conversation, queue by queue, oldest first.
#[derive(Clone, Debug, Serialize)]
pub struct ConversationsView {
    /// Simulated time of the view (the last batch's), ms.
    pub now_ms: u64,
    /// The conversations.
    pub conversations: Vec<ConversationRow>,
}

/// One row of the Ongoing Conversations view.
#[derive(Clone, Debug, Serialize)]
pub struct ConversationRow {
    /// Its id.
    pub id: WireConv,
    /// Its state.
    pub state: ConvState,
    /// Its queue (id and name).
    pub queue: u32,
    /// The queue's name.
    pub queue_name: String,
    /// Time waited so far (until answered, or until now while never answered), ms.
    pub wait_ms: u64,
    /// Its primary agent.
    pub agent: Option<u32>,
    /// The primary agent's name.
    pub agent_name: Option<String>,
    /// The agent invited, while an invitation is pending.
    pub invited: Option<u32>,
    /// Supervisors monitoring or joined.
    pub supervisors: Vec<SupervisorOn>,
}

/// A supervisor on a conversation.
#[derive(Clone, Debug, Serialize)]
pub struct SupervisorOn {
    /// Its id.
    pub supervisor: u32,
    /// Its name.
    pub name: String,
    /// Monitoring.
    pub monitoring: bool,
    /// Joined as a consultant.
    pub joined: bool,
}

/// `GET /v1/agents`: every agent in id order.
#[derive(Clone, Debug, Serialize)]
pub struct AgentsView {
    /// Simulated time of the view, ms.
    pub now_ms: u64,
    /// The agents.
    pub agents: Vec<AgentRow>,
}

/// One agent.
#[derive(Clone, Debug, Serialize)]
pub struct AgentRow {
    /// Its id.
    pub id: u32,
    /// Its name (`<group>-<k>` or the roster's).
    pub name: String,
    /// Effective presence.
    pub presence: Presence,
    /// Presence set by hand.
    pub manual: bool,
    /// Units.
    pub capacity: u32,
    /// Units in use.
    pub used: i64,
    /// Units reserved by pending invitations.
    pub reserved: i64,
    /// Units above capacity (0 unless overallocated).
    pub over: i64,
    /// Conversations it is primary on.
    pub holding: u32,
    /// Pending invitations.
    pub pending_invites: u32,
}

/// `GET /v1/setup`: the ids and names a client needs to speak to this engine.
#[derive(Clone, Debug, Serialize)]
pub struct SetupView {
    /// Protocol version.
    pub v: u32,
    /// The scenario's name.
    pub scenario: String,
    /// Queues by id: `{ "id", "name", "workstream" }`.
    pub queues: Vec<Named>,
    /// Agents by id: `{ "id", "name", "capacity", "queues" }`.
    pub agents: Vec<SetupAgent>,
    /// Supervisors by id: `{ "id", "name", "queues" }`.
    pub supervisors: Vec<SetupSupervisor>,
    /// The routing tag of each attribute-value combination of each work stream with
    /// attributes (absent when no work stream has any): what an `arrive` of a conversation
    /// with those values carries in its queue of that work stream.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<SetupTag>,
}

/// One routing tag of the setup: `{ "workstream", "attributes": { "tier": "vip" }, "tag": {
/// "req", "attrs" } }`.
#[derive(Clone, Debug, Serialize)]
pub struct SetupTag {
    /// The work stream's name.
    pub workstream: String,
    /// One value per attribute of the work stream, by attribute name.
    pub attributes: std::collections::BTreeMap<String, String>,
    /// The tag an arrival with these values carries.
    pub tag: super::protocol::WireTag,
}

/// A queue of the setup.
#[derive(Clone, Debug, Serialize)]
pub struct Named {
    /// Its id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Its work stream's name.
    pub workstream: String,
}

/// An agent of the setup.
#[derive(Clone, Debug, Serialize)]
pub struct SetupAgent {
    /// Its id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Units.
    pub capacity: u32,
    /// Queues it is a member of at the start.
    pub queues: Vec<u32>,
}

/// A supervisor of the setup.
#[derive(Clone, Debug, Serialize)]
pub struct SetupSupervisor {
    /// Its id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Its scope.
    pub queues: Vec<u32>,
}

/// `GET /v1/health`.
#[derive(Clone, Debug, Serialize)]
pub struct Health {
    /// `"ok"`.
    pub status: &'static str,
    /// Protocol version.
    pub v: u32,
    /// The scenario's name.
    pub scenario: String,
    /// Simulated time of the last batch, ms.
    pub now_ms: u64,
    /// Conversations in the system.
    pub live_conversations: usize,
    /// Commands handled since the start (or the last reset).
    pub commands: u64,
}

impl Session {
    /// The Ongoing Conversations view.
    pub fn conversations(&self) -> ConversationsView {
        let e = &self.engine;
        let now = self.now;
        let mut rows = Vec::new();
        for (qi, q) in self.sc.queues.iter().enumerate() {
            let queue = QueueId(qi as u32);
            let ids: Vec<_> = e.open_in(queue).chain(e.engaged_in(queue)).collect();
            for id in ids {
                let Some(v) = e.conversation(id) else {
                    continue;
                };
                let supervisors = (0..self.sc.supervisors.len())
                    .map(|s| SupervisorId(s as u32))
                    .filter_map(|s| {
                        let (monitoring, joined) = (e.is_monitoring(s, id), e.has_joined(s, id));
                        (monitoring || joined).then(|| SupervisorOn {
                            supervisor: s.0,
                            name: self.sc.supervisors[s.index()].name.clone(),
                            monitoring,
                            joined,
                        })
                    })
                    .collect();
                rows.push(ConversationRow {
                    id: WireConv(id),
                    state: v.state,
                    queue: queue.0,
                    queue_name: q.name.clone(),
                    wait_ms: v.answered_at.unwrap_or(now).since(v.arrived_at).0,
                    agent: v.primary.map(|a| a.0),
                    agent_name: v.primary.map(|a| self.sc.agent_name(a)),
                    invited: v.invited.map(|a| a.0),
                    supervisors,
                });
            }
        }
        ConversationsView {
            now_ms: now.0,
            conversations: rows,
        }
    }

    /// The agents view.
    pub fn agents(&self) -> AgentsView {
        let agents = (0..self.engine.agent_count())
            .map(|i| {
                let a = AgentId(i as u32);
                let v = self.engine.agent(a);
                AgentRow {
                    id: a.0,
                    name: self.sc.agent_name(a),
                    presence: v.presence,
                    manual: v.manual,
                    capacity: v.capacity,
                    used: v.used,
                    reserved: v.reserved,
                    over: (v.used - i64::from(v.capacity)).max(0),
                    holding: v.holding,
                    pending_invites: v.pending_invites,
                }
            })
            .collect();
        AgentsView {
            now_ms: self.now.0,
            agents,
        }
    }

    /// The setup view.
    pub fn setup(&self) -> SetupView {
        let sc = &self.sc;
        let mut agents = Vec::with_capacity(sc.agent_count());
        for g in &sc.agent_groups {
            for k in 0..g.count {
                let id = g.first.0 + k;
                agents.push(SetupAgent {
                    id,
                    name: sc.agent_name(AgentId(id)),
                    capacity: g.capacity,
                    queues: g.queues.iter().map(|q| q.0).collect(),
                });
            }
        }
        SetupView {
            v: VERSION,
            scenario: sc.name.clone(),
            queues: sc
                .queues
                .iter()
                .enumerate()
                .map(|(i, q)| Named {
                    id: i as u32,
                    name: q.name.clone(),
                    workstream: sc.workstreams[q.workstream.index()].name.clone(),
                })
                .collect(),
            agents,
            supervisors: sc
                .supervisors
                .iter()
                .enumerate()
                .map(|(i, s)| SetupSupervisor {
                    id: i as u32,
                    name: s.name.clone(),
                    queues: s.queues.iter().map(|q| q.0).collect(),
                })
                .collect(),
            tags: self.tag_table(),
        }
    }

    /// Every attribute-value combination of every work stream with attributes (first attribute
    /// most significant), with the tag `setup::RoutingTags` interned for it.
    fn tag_table(&self) -> Vec<SetupTag> {
        let mut out = Vec::new();
        for (w, ws) in self.sc.workstreams.iter().enumerate() {
            let attrs = &ws.routing.attributes;
            if attrs.is_empty() {
                continue;
            }
            let combos: usize = attrs.iter().map(|a| a.values.len().max(1)).product();
            let mut values = vec![0u16; attrs.len()];
            for combo in 0..combos {
                let mut rest = combo;
                for (k, a) in attrs.iter().enumerate().rev() {
                    let n = a.values.len().max(1);
                    values[k] = (rest % n) as u16;
                    rest /= n;
                }
                let t = self.tags.tag(w, w, w, &values);
                out.push(SetupTag {
                    workstream: ws.name.clone(),
                    attributes: attrs
                        .iter()
                        .zip(&values)
                        .map(|(a, &v)| (a.name.clone(), a.values[v as usize].clone()))
                        .collect(),
                    tag: super::protocol::WireTag {
                        req: t.req.0,
                        attrs: t.attrs.0,
                    },
                });
            }
        }
        out
    }

    /// The health view.
    pub fn health(&self) -> Health {
        Health {
            status: "ok",
            v: VERSION,
            scenario: self.sc.name.clone(),
            now_ms: self.now.0,
            live_conversations: self.engine.live_conversations(),
            commands: self.engine.counters().commands,
        }
    }

    /// `/metrics` in Prometheus text format (version 0.0.4): commands by type, refusals by
    /// rule, the command-latency histogram (seconds, engine time only), bad requests, live
    /// conversations.
    pub fn metrics(&self) -> String {
        let s = &self.stats;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# HELP omnisim_commands_total Engine commands handled, by type."
        );
        let _ = writeln!(o, "# TYPE omnisim_commands_total counter");
        for (k, n) in &s.commands {
            let _ = writeln!(o, "omnisim_commands_total{{type=\"{k}\"}} {n}");
        }
        let _ = writeln!(
            o,
            "# HELP omnisim_refusals_total Refused commands, by rule id."
        );
        let _ = writeln!(o, "# TYPE omnisim_refusals_total counter");
        for (k, n) in &s.refusals {
            let _ = writeln!(o, "omnisim_refusals_total{{rule=\"{k}\"}} {n}");
        }
        let _ = writeln!(
            o,
            "# HELP omnisim_command_latency_seconds Time the engine took per command."
        );
        let _ = writeln!(o, "# TYPE omnisim_command_latency_seconds histogram");
        let mut cum = 0;
        for (i, le) in LATENCY_BUCKETS.iter().enumerate() {
            cum += s.latency[i];
            let _ = writeln!(
                o,
                "omnisim_command_latency_seconds_bucket{{le=\"{le:e}\"}} {cum}"
            );
        }
        cum += s.latency[LATENCY_BUCKETS.len()];
        let _ = writeln!(
            o,
            "omnisim_command_latency_seconds_bucket{{le=\"+Inf\"}} {cum}"
        );
        let _ = writeln!(o, "omnisim_command_latency_seconds_sum {}", s.latency_sum);
        let _ = writeln!(o, "omnisim_command_latency_seconds_count {cum}");
        let _ = writeln!(
            o,
            "# HELP omnisim_bad_requests_total Requests refused with a 4xx."
        );
        let _ = writeln!(o, "# TYPE omnisim_bad_requests_total counter");
        let _ = writeln!(o, "omnisim_bad_requests_total {}", s.bad_requests);
        let _ = writeln!(
            o,
            "# HELP omnisim_live_conversations Conversations in the system."
        );
        let _ = writeln!(o, "# TYPE omnisim_live_conversations gauge");
        let _ = writeln!(
            o,
            "omnisim_live_conversations {}",
            self.engine.live_conversations()
        );
        o
    }
}
