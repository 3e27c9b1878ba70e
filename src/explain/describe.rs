//! One trace line about the subject in plain words ([`describe`]): routing decisions with
//! their order and the candidates passed over, supervisors' actions, overflow moves and ends,
//! refusals, states. Part of `omnisim explain` (the story's order and cut-off are the parent's).

use super::{s, why, Subject, Times};
use crate::trace::{clock, Kind, TraceLine};

/// Plain words for the reasons a routing rule passed candidates over.
fn passed_over(l: &TraceLine) -> String {
    let Some(p) = &l.passed_over else {
        return String::new();
    };
    let total: u32 = p.values().sum();
    if total == 0 {
        return "; no other candidate".to_string();
    }
    let parts = why::reasons(p, l.assignment_rule.is_some());
    let mut o = format!("; passed over {total} ({})", parts.join(", "));
    o.push_str(&why::tried(l));
    o
}

/// What the routing method ordered by, with the chosen agent's value (`at` writes an
/// instant: the last release of `least_active`).
fn order_by(l: &TraceLine, at: Times) -> String {
    let key = l.key.unwrap_or(0);
    match l.order_by.as_deref() {
        Some("free_units") => format!("most free units, {key}"),
        Some("queue_turns") => format!("fewest turns in this queue, {key}"),
        Some("member_position") => format!("next member after the last chosen, position {key}"),
        Some("last_release_ms" | "least_active") if key < 0 => {
            "longest since it last released capacity: never (it has released none yet)".to_string()
        }
        Some("last_release_ms") => format!(
            "longest since it last released capacity, at {}",
            at.at(key as f64 / 1000.0)
        ),
        Some("available_capacity") => format!("most free units, {key}"),
        Some("round_robin") => format!("fewest turns in this queue, {key}"),
        Some("least_active") => format!(
            "longest since it last released capacity, at {}",
            at.at(key as f64 / 1000.0)
        ),
        Some("most_proficient") => format!("highest sum of required-skill ratings, {key}"),
        Some("nearest_proficient") => format!(
            "nearest to the required ratings, {} missing, distance {}",
            key / 1000,
            key % 1000
        ),
        Some("skill_count") => format!("most required skills at rating, {key}"),
        Some(other) => format!("{other}, {key}"),
        None => String::new(),
    }
}

/// The assignment rule and prioritization bucket of a routing line, in words.
fn rule_and_bucket(l: &TraceLine) -> String {
    let mut o = String::new();
    if let Some(r) = &l.assignment_rule {
        o.push_str(&format!(", rule {r:?}"));
    }
    if let Some(b) = l.bucket {
        o.push_str(&format!(", priority bucket {b}"));
    }
    o
}

/// One line in plain words, or `None` when another line of the story already says it.
/// Instants (a last release) are written by `at`; durations as `H:MM:SS`.
pub(super) fn describe(
    l: &TraceLine,
    subject: &Subject,
    counted: bool,
    at: Times,
) -> Option<String> {
    let about_agent = matches!(subject, Subject::Agent(_));
    let rule = l.rule.as_deref().unwrap_or("");
    let sup = s(&l.supervisor);
    Some(match l.kind {
        Kind::Refusal | Kind::Interrupted | Kind::Start | Kind::End => return None,
        Kind::GaveUp => gave_up(l),
        Kind::Routing if l.what == "waiting" => why::waiting(l),
        Kind::Routing if l.what == "picked" => {
            if about_agent {
                format!("picked it ({rule}: the oldest it may take)")
            } else {
                format!("picked by {} ({rule}: the oldest it may take)", s(&l.agent))
            }
        }
        Kind::Routing => {
            let who = if about_agent {
                "chosen".to_string()
            } else {
                format!("routed to {}", s(&l.agent))
            };
            format!(
                "{who} by {rule} ({}{}: {}){}",
                s(&l.method),
                rule_and_bucket(l),
                order_by(l, at),
                passed_over(l)
            )
        }
        Kind::Command => {
            let ok = l.ok.unwrap_or(true);
            let target = match l.what.as_str() {
                "assign_to_agent" => format!("assign it to {}", s(&l.agent)),
                "assign_to_queue" => format!("move it to queue {}", s(&l.queue)),
                "transfer" => format!("transfer it to {}", s(&l.agent)),
                "monitor" => "monitor it".to_string(),
                "join" => "join it".to_string(),
                "force_close" => "force-close it".to_string(),
                "arrive" => {
                    return Some(
                        match rule {
                            "OVF-HOURS" => format!(
                                "arrived for queue {} out of its hours: sent on to queue {}{} \
                                 (OVF-HOURS)",
                                s(&l.from),
                                s(&l.queue),
                                hops(l)
                            ),
                            "OVF-LIMIT" => format!(
                                "arrived for queue {} at its work-item limit: sent on to queue \
                                 {}{} (OVF-LIMIT)",
                                s(&l.from),
                                s(&l.queue),
                                hops(l)
                            ),
                            "RT-QUEUE" => format!(
                            "arrived on its work stream; route-to-queue chose queue {} (RT-QUEUE)",
                            s(&l.queue)
                        ),
                            _ => format!("arrived in queue {}", s(&l.queue)),
                        } + &why::tags(l)
                            + &retrial_of(l),
                    )
                }
                "pick" if ok => return None,
                "set_presence" if ok => return None,
                other if ok => {
                    let _ = other;
                    return None;
                }
                other => {
                    return Some(format!(
                        "{} refused by {rule}{}",
                        other.replace('_', " "),
                        if rule == "LC-CLOSED" || rule == "RT-INVITE" {
                            " (too late: the invitation or conversation was gone)"
                        } else {
                            ""
                        }
                    ))
                }
            };
            if ok {
                let done = match l.what.as_str() {
                    "assign_to_agent" => format!("assigned it to {}", s(&l.agent)),
                    "assign_to_queue" => format!("moved it to queue {}", s(&l.queue)),
                    "transfer" => format!("transferred it to {}", s(&l.agent)),
                    "monitor" => "started monitoring it".to_string(),
                    "join" => "joined it".to_string(),
                    _ => "force-closed it".to_string(),
                };
                format!("{sup} {done} (accepted)")
            } else {
                format!(
                    "{sup} tried to {target}: refused by {rule}{}",
                    if counted {
                        " (counted in rule_violations)"
                    } else {
                        ""
                    }
                )
            }
        }
        Kind::Effect => match l.what.as_str() {
            "arrived" => return None,
            "invited" if rule == "ASSIGN-INVITE" => format!(
                "invitation sent to {} by the supervisor's assignment ({rule})",
                s(&l.agent)
            ),
            "invited" => format!("offered to {} ({rule})", s(&l.agent)),
            "invite_withdrawn" => format!("invitation to {} withdrawn", s(&l.agent)),
            "unmatched" => format!(
                "no member of queue {} can serve it by an exact match ({rule}; counted in \
                 routing.unmatched)",
                s(&l.queue)
            ),
            "invite_refused" => format!("{} {} the invitation", s(&l.agent), {
                if l.detail.as_deref() == Some("timed out") {
                    "let time out"
                } else {
                    "rejected"
                }
            }),
            "accepted" => format!(
                "{} accepted it after a wait of {}",
                s(&l.agent),
                clock(l.waited_s.unwrap_or(0.0))
            ),
            "state" => format!("{} → {}", s(&l.from), s(&l.to)),
            "units" => format!(
                "units in use {} of {}",
                l.units.unwrap_or(0),
                l.capacity.unwrap_or(0)
            ),
            "overallocated" => format!(
                "{} over capacity ({rule})",
                crate::report::format::plural(l.units.unwrap_or(0).max(0) as u64, "unit")
            ),
            "presence" => format!("presence {} → {}", s(&l.from), s(&l.to)),
            "requeued" if rule.is_empty() => {
                format!("moved from queue {} to {}", s(&l.from), s(&l.to))
            }
            "requeued" => format!(
                "moved from queue {0} to {1} ({rule}: it had waited in {0} longer than {0}'s \
                 overflow rule allows)",
                s(&l.from),
                s(&l.to)
            ),
            "monitoring" => format!("{sup} is monitoring"),
            "joined" => format!("{sup} joined ({})", s(&l.detail)),
            "transferred" => format!("transferred from {} to {}", s(&l.from), s(&l.to)),
            "notified" => {
                let who = l
                    .agent
                    .clone()
                    .or(l.to.clone())
                    .or(l.supervisor.clone())
                    .unwrap_or_default();
                format!("{who} notified ({})", s(&l.detail))
            }
            "closed" if rule == "OVF-WAIT" => format!(
                "ended by queue {}'s waiting-time overflow rule (OVF-WAIT: it waited there longer \
                 than the rule allows), {} after it arrived; counted as overflowed",
                s(&l.queue),
                clock(in_system(l))
            ),
            "closed" if rule == "OVF-HOURS" || rule == "OVF-LIMIT" => format!(
                "ended before queueing by {rule} at queue {} ({}); counted as overflowed",
                s(&l.queue),
                if rule == "OVF-HOURS" {
                    "it arrived out of the queue's hours"
                } else {
                    "the queue was at its work-item limit"
                }
            ),
            "closed" => format!(
                "closed ({}) {} after it arrived",
                s(&l.detail).replace('_', " "),
                clock(in_system(l))
            ),
            "will_retry" => format!(
                "its customer will try again in {} (the work stream's retrial: a new \
                 conversation then)",
                clock(l.retry_in_s.unwrap_or(0.0))
            ),
            "retried" => match l.retrial {
                Some(n) if l.replayed == Some(true) => format!(
                    "the replayed history's retry contact of this conversation's row arrived \
                     as conversation {n} (it arrives as the history says, whatever happened to \
                     this one in the replay)"
                ),
                Some(n) => format!("its customer came back: the retrial is conversation {n}"),
                None => "its customer came back (a retrial)".to_string(),
            },
            "absent" => format!(
                "absent all day ({}, drawn for this replication): never available, never on \
                 shift, for the whole replication",
                l.detail.as_deref().unwrap_or("its absence")
            ),
            "assigned_by_rule" => format!(
                "counted in routing.by_rule as an assignment of rule {:?} of queue {} (RT-RULESET)",
                s(&l.assignment_rule),
                s(&l.queue)
            ),
            other => other.replace('_', " "),
        },
    })
}

/// A `closed` line's seconds since arrival: `in_system_s`, or in a trace written before that
/// field existed, `waited_s` (which then held it).
fn in_system(l: &TraceLine) -> f64 {
    l.in_system_s.or(l.waited_s).unwrap_or(0.0)
}

/// A retrial's arrival: the conversation whose customer abandoned and came back as this one.
fn retrial_of(l: &TraceLine) -> String {
    match l.retrial_of {
        Some(o) if l.replayed == Some(true) => format!(
            " (a replayed retry contact: its history row's retrial_of names the row replayed as \
             conversation {o}; it arrives as the history says, whatever happened to conversation \
             {o} in the replay)"
        ),
        Some(o) => format!(
            " (a retrial: the customer of conversation {o}, which closed unanswered, came back)"
        ),
        None => String::new(),
    }
}

/// How many before-queueing transfers moved an arrival, when more than one (the trace line's
/// `detail`, "N transfers"): a chain, or a cycle gone round once (one per queue).
fn hops(l: &TraceLine) -> String {
    match l.detail.as_deref() {
        Some(d) => format!(" ({d}, one per queue it passed)"),
        None => String::new(),
    }
}

/// A `gave_up` line: which policy gave the conversation up, after how many failed attempts,
/// and why (the bound, or the agent it names, or every agent of the queue for a pick,
/// skipped by RT-ELIGIBLE).
fn gave_up(l: &TraceLine) -> String {
    let attempts = l.attempts.unwrap_or(0);
    let after = format!(
        "after {} {}",
        super::fold::grouped(u64::from(attempts)),
        if attempts == 1 { "attempt" } else { "attempts" }
    );
    let who = format!("policy {}/{}", s(&l.supervisor), s(&l.policy));
    match l.rule.as_deref() {
        Some(rule) if l.agent.is_none() => format!(
            "{who} gave up {after}: every agent of its queue refused this conversation too \
             often to be offered it again ({rule}, [engine] refusals_before_skip); it no longer \
             acts on it (counted in given_up)"
        ),
        Some(rule) => format!(
            "{who} gave up {after}: {}, the agent it names, refused this conversation too \
             often to be offered it again ({rule}, [engine] refusals_before_skip); it no longer \
             acts on it (counted in given_up)",
            s(&l.agent)
        ),
        None => format!(
            "{who} gave up {after}: each was refused, found nobody to act on or was declined; \
             it no longer acts on this conversation (counted in given_up)"
        ),
    }
}
