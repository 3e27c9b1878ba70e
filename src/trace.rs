//! The `trace.jsonl` line: one engine command, effect, counted refusal or routing decision of a
//! traced run (`omnisim run --trace`), and how conversations are named in it.
//!
//! Key items: [`TraceLine`], [`Kind`], [`conversation_id`], [`clock`].
//!
//! Every line has `t` (seconds since the start of the replication), `replication` (1-based),
//! `kind`, `conversation` (its id, see [`conversation_id`], or null), `agent` (its name, or
//! null) and `rule` (the rule id that refused or decided, or null), then `what` (the command or
//! effect, in snake case) and only the fields that kind of line needs. `omnisim explain` reads
//! these lines back.
//!
//! A routing line with `what: "waiting"` (and `agent` null) says that a conversation that just
//! entered a queue found nobody who could take it: `passed_over` counts every member by why,
//! `tried` does so per assignment rule, `missing` names the required skills nobody in the
//! queue holds.
//!
//! Every replication's lines begin with a `start` line at 0 and end with an `end` line at the
//! end of the run (or an `interrupted` line when a stop request cut it): a replication without
//! its `end` line in a trace with `start` lines was cut. Traces of versions before them have
//! neither, and read as before.
//!
//! The `start` line is the replication's header: a scenario with `[scenario] start` gives it
//! `starts_at`, the local date-time of t = 0 (`2026-03-02T07:00:00`, as conversations.csv
//! writes its `arrival`s), so `explain` tells its times as the same date-times. Without it (no
//! `[scenario] start`, or a trace of a version before the field) times read since t = 0.
//!
//! Retrials: a conversation closed unanswered whose customer will come back gets a `will_retry`
//! effect line (`retry_in_s`); when it comes back, the new contact's `arrive` line names it in
//! `retrial_of`, and a `retried` effect line on the abandoned conversation names the new one in
//! `retrial`. A retrial that a before-queueing overflow rule ends has its `arrive`, `arrived` and
//! `closed` lines like any arrival so ended. An agent a roster or group `absence` kept away
//! for the whole replication has an `absent` effect line at 0. A supervisor policy that gives a
//! conversation up has a `gave_up` line ([`Kind::GaveUp`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An engine command, accepted (`ok: true`) or refused (`ok: false`, `rule` names why).
    Command,
    /// One effect of the command before it.
    Effect,
    /// A refusal counted in `summary.json` `rule_violations.by_rule`: a supervisor action
    /// refused after warm-up. (Other refused commands, such as an agent's answer to an
    /// invitation already withdrawn, are `command` lines with `ok: false` only.)
    Refusal,
    /// A routing decision: the rule that chose the agent and the candidates it passed over
    /// (`what: "routed"`), or an agent's pick (`what: "picked"`, RT-PICK).
    Routing,
    /// The last line of a replication cut short by a stop request (SIGINT, SIGTERM; `what:
    /// "interrupted"`): the replication's trace is partial, and a story still open at `t`
    /// was cut off there, not ended.
    Interrupted,
    /// The first line of a replication's trace (`what: "start"`, at 0). With it, a replication
    /// whose trace has no `end` line (nor `interrupted` line) was cut (say, copied short at a
    /// line boundary). Absent from traces of versions before it.
    Start,
    /// The last line of a replication that ran to its end (`what: "end"`, at the end of the
    /// run: the horizon, or later while conversations drained). A conversation with no
    /// `closed` line was still in the system then. Absent from traces of versions before it
    /// (and from a replication an interruption cut: it ends with `interrupted`).
    End,
    /// A supervisor policy gave a conversation up (`what: "gave_up"`, `sim::sup_tries`): its
    /// `attempts` on it failed (refused, not sent, declined) up to the bound, or (`rule:
    /// "RT-ELIGIBLE"`, `agent`) the agent it names refused the conversation
    /// `refusals_before_skip` times; it no longer acts on it. `supervisor` and `policy` name
    /// it. Counted in `summary.json`'s `given_up` when after warm-up. Absent from traces of
    /// versions before it.
    GaveUp,
}

/// One line of `trace.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceLine {
    /// Seconds since the start of the replication (millisecond precision).
    pub t: f64,
    /// The replication, 1-based.
    pub replication: u32,
    /// What the line records.
    pub kind: Kind,
    /// The conversation's id ([`conversation_id`]), or null.
    pub conversation: Option<u64>,
    /// The agent's name (`<group>-<k>`, or a roster agent's own name), or null.
    pub agent: Option<String>,
    /// The rule that refused or decided, or null.
    pub rule: Option<String>,
    /// The command or effect, e.g. `assign_to_agent`, `accepted`, `state`.
    pub what: String,
    /// Commands: accepted or refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
    /// The queue involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// The supervisor who acted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor: Option<String>,
    /// Before a change (a state, a presence, a queue, an agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// After a change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Units: used after a change (`units`), above capacity (`overallocated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<i64>,
    /// The agent's capacity in units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Seconds of the wait a line ends, as docs/metrics.md counts waits. `accepted`: the first
    /// acceptance's, from the arrival (conversations.csv's `wait`); the first acceptance's in
    /// a queue a transfer at the end of handling sent it to, from that transfer (that leg's
    /// `wait`); absent when the acceptance ends no wait (the handling resumed after a Waiting
    /// spell or a release back to the queue: `detail` says which). `closed`: its wait, as
    /// conversations.csv's `wait` — arrival to its first acceptance when it was answered,
    /// arrival to the close when it never was (abandoned, auto-closed, overflowed,
    /// force-closed while Open). Traces before branch `fixf-14` gave every `accepted` line the
    /// time since arrival here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waited_s: Option<f64>,
    /// Seconds since its arrival. `closed`: to the close (time in system: wait, handling,
    /// wrap-up, any transfer); absent from traces of versions before it (their `closed`
    /// `waited_s` held this). `accepted`: on every acceptance but the first (whose
    /// `waited_s` is this), to the acceptance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_system_s: Option<f64>,
    /// A free-text detail: why a conversation closed, a notice, an invitation's sender, why an
    /// acceptance ends no wait (`resumed: …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Routing: the assignment method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Routing: what the method orders by (`free_units`, `queue_turns`, `member_position`,
    /// `last_release_ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<String>,
    /// Routing: the chosen agent's value of `order_by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<i64>,
    /// Routing: candidates passed over, by reason (`pending_invitation`, `away`, `offline`,
    /// `capacity`, `presence`, `rule_groups`, `skills`, `refused`, `ranked_below`); only
    /// reasons with a count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed_over: Option<BTreeMap<String, u32>>,
    /// Routing (RT-RULESET): the name of the assignment rule that chose the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_rule: Option<String>,
    /// Routing (RT-PRIORITIZE): the conversation's prioritization bucket, 1 for the first
    /// rule's; one more than the number of rules for a conversation matching none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<u32>,
    /// Arrivals: the conversation's attribute values by attribute name (`language: es`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BTreeMap<String, String>>,
    /// Arrivals and waits: the skills the conversation requires, by name, with the rating
    /// (RT-CLASSIFY); absent without skill routing or when it requires none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<BTreeMap<String, u8>>,
    /// Routing: the assignment rules tried before the one that decided (every rule, for a
    /// wait), in order, each with the members by why it found none of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tried: Option<Vec<RuleTried>>,
    /// Waits: the required skills (with the rating) that no member of the queue holds at that
    /// rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<BTreeMap<String, u8>>,
    /// Waits with required skills: how many members of the queue hold them all at their
    /// ratings, whatever their state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualified: Option<u32>,
    /// A retrial's `arrive` line: the conversation whose customer abandoned and came back as
    /// this one. Absent from traces of versions before it (they had no retrial lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrial_of: Option<u64>,
    /// `retried` (on the abandoned conversation's story): the conversation its customer came
    /// back as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrial: Option<u64>,
    /// `will_retry`: seconds from the abandonment until the customer comes back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_in_s: Option<f64>,
    /// `true` on a replayed history's retry contact: its `arrive` line (with `retrial_of`, the
    /// conversation of the history row it retries) and that conversation's `retried` line. It
    /// arrives as the history says, whatever became of that conversation in this run (it may
    /// have been answered here). Absent otherwise, and from traces of versions before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replayed: Option<bool>,
    /// The `start` line of a scenario with `[scenario] start`: the local date-time of t = 0,
    /// ISO without a zone (`2026-03-02T07:00:00`, milliseconds when not whole), as
    /// `conversations.csv` writes its `arrival`s. Absent otherwise, and from traces of versions
    /// before it (their times read since t = 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    /// `gave_up`: the policy's name (`supervisor` names its supervisor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// `gave_up`: the policy's failed attempts on the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
}

/// One assignment rule that found nobody, on a routing line (`tried`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleTried {
    /// The assignment rule's name.
    pub rule: String,
    /// The queue's members by why the rule could not choose them (the same reasons as a
    /// routing line's `passed_over`; only reasons with a count).
    pub passed_over: BTreeMap<String, u32>,
}

impl TraceLine {
    /// A line with the required fields and nothing else.
    pub fn new(t_ms: u64, replication: u32, kind: Kind, what: &str) -> TraceLine {
        TraceLine {
            t: t_ms as f64 / 1000.0,
            replication,
            kind,
            conversation: None,
            agent: None,
            rule: None,
            what: what.to_string(),
            ok: None,
            queue: None,
            supervisor: None,
            from: None,
            to: None,
            units: None,
            capacity: None,
            waited_s: None,
            in_system_s: None,
            detail: None,
            method: None,
            order_by: None,
            key: None,
            passed_over: None,
            assignment_rule: None,
            bucket: None,
            attributes: None,
            requires: None,
            tried: None,
            missing: None,
            qualified: None,
            retrial_of: None,
            retrial: None,
            retry_in_s: None,
            replayed: None,
            starts_at: None,
            policy: None,
            attempts: None,
        }
    }
}

/// A conversation's id in a replication: its arrival number, 1-based, across all queues (the
/// first conversation to arrive is 1). Arrivals at the same instant are numbered in the order
/// the simulator handles them: by scheduled order, queues in file order at time 0. The id is
/// the engine's arrival sequence number plus one, so it does not depend on routing or rules.
pub fn conversation_id(arrival_seq: u64) -> u64 {
    arrival_seq + 1
}

/// A clock time `H:MM:SS` (hours past 24 keep counting), rounded to the nearest second (half
/// a second rounds up): `59.6` → `0:01:00`.
pub fn clock(t_s: f64) -> String {
    let s = t_s.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times() {
        assert_eq!(clock(0.0), "0:00:00");
        assert_eq!(clock(312.9), "0:05:13");
        assert_eq!(clock(312.4), "0:05:12");
        assert_eq!(clock(59.5), "0:01:00");
        assert_eq!(clock(90_061.0), "25:01:01");
    }

    #[test]
    fn optional_fields_are_left_out() {
        let l = TraceLine::new(1500, 1, Kind::Command, "monitor");
        let s = serde_json::to_string(&l).unwrap();
        assert_eq!(
            s,
            r#"{"t":1.5,"replication":1,"kind":"command","conversation":null,"agent":null,"rule":null,"what":"monitor"}"#
        );
        assert_eq!(serde_json::from_str::<TraceLine>(&s).unwrap(), l);
    }
}
