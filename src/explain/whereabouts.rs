//! [`Whereabouts`]: where a conversation is as its story goes, and the queues of the wait in
//! progress, so a story names the queue (or queues) it waited in for each wait: from its
//! arrival, or from a transfer at the end of handling, to the next acceptance or its close,
//! through any move while it waited (a supervisor's `assign_to = "queue"`, a `waited_over`
//! overflow rule: the trace's `requeued` lines). An acceptance that resumes a handling (after
//! a Waiting spell, or a release back to the queue) ends no wait, and its words say so.

use super::{describe, s, Subject, Times};
use crate::trace::{clock, Kind, TraceLine};

/// Where a conversation is, as its story goes.
#[derive(Debug, Default)]
pub(super) struct Whereabouts {
    /// The queue it is in.
    queue: Option<String>,
    /// The wait in progress: each queue it waited in, with when it entered it (seconds), in
    /// order. Empty while it is not waiting for a first acceptance (handled, or closed).
    wait: Vec<(String, f64)>,
    /// The wait in progress began with a transfer at the end of handling.
    transferred: bool,
    /// Open again mid-handling, since this instant (seconds): the customer came back from a
    /// Waiting spell (`true`) or it was released back to its queue (`false`). The next
    /// acceptance resumes the handling and ends no wait.
    resumed: Option<(f64, bool)>,
    /// Its wait until its first acceptance (seconds), once accepted.
    first_wait: Option<f64>,
}

impl Whereabouts {
    /// Follows `l`; the words for it when they differ from [`describe`]'s: the transfer line,
    /// the acceptance after a transfer with the wait in the queue it was transferred to, and
    /// an acceptance or a close after a wait in more than one queue, with each queue's share
    /// (instants written by `at`).
    pub(super) fn observe(&mut self, l: &TraceLine, at: Times) -> Option<String> {
        let ok = l.ok.unwrap_or(true);
        match (l.kind, l.what.as_str()) {
            (Kind::Command, "arrive") if l.queue.is_some() => {
                self.queue.clone_from(&l.queue);
                self.wait = vec![(s(&l.queue).to_string(), l.t)];
                self.transferred = false;
            }
            (Kind::Routing, _) if l.queue.is_some() => self.queue.clone_from(&l.queue),
            (Kind::Command, "assign_to_queue") if ok => self.queue.clone_from(&l.queue),
            (Kind::Effect, "requeued") => {
                self.queue.clone_from(&l.to);
                if !self.wait.is_empty() {
                    self.wait.push((s(&l.to).to_string(), l.t));
                }
            }
            (Kind::Command, "transfer_to_queue") if ok => {
                let from = self.queue.replace(s(&l.queue).to_string());
                self.wait = vec![(s(&l.queue).to_string(), l.t)];
                self.transferred = true;
                return Some(format!(
                    "transferred from queue {} to {} at the end of handling (LC-ACTIVE: the \
                     work stream's transfer share; Active → Open there)",
                    from.as_deref().unwrap_or("?"),
                    s(&l.queue)
                ));
            }
            // Open again mid-handling (read from the state lines, so traces written before
            // `accepted` lines said so read alike). A transfer at the end of handling is not
            // this: its command line began a wait just before.
            (Kind::Effect, "state") if l.to.as_deref() == Some("open") => match l.from.as_deref() {
                Some("waiting") => self.resumed = Some((l.t, true)),
                Some("active") if self.wait.is_empty() => self.resumed = Some((l.t, false)),
                _ => {}
            },
            (Kind::Effect, "accepted") => {
                let wait = std::mem::take(&mut self.wait);
                if let Some((since, returned)) = self.resumed.take() {
                    let why = match returned {
                        true => "the customer came back from Waiting".to_string(),
                        false => format!("it was released back to queue {}", s(&self.queue)),
                    };
                    return Some(format!(
                        "{} took it up again {} after {why}: the rest of its handling, not a \
                         wait (its wait, until its first acceptance, was {})",
                        s(&l.agent),
                        clock(l.t - since),
                        clock(self.first_wait.unwrap_or(0.0))
                    ));
                }
                // `waited_s` of a first acceptance is its wait from the arrival.
                let first = *self.first_wait.get_or_insert(l.waited_s.unwrap_or(0.0));
                return match (wait.first(), self.transferred) {
                    (Some(&(_, entered)), true) => Some(format!(
                        "{} accepted it after a wait of {} in {} ({} since it arrived)",
                        s(&l.agent),
                        clock(l.t - entered),
                        queues(&wait, l.t),
                        // Traces before `in_system_s` gave the time since arrival in `waited_s`.
                        clock(l.in_system_s.or(l.waited_s).unwrap_or(0.0))
                    )),
                    _ if wait.len() > 1 => Some(format!(
                        "{} accepted it after a wait of {} in {}",
                        s(&l.agent),
                        clock(first),
                        queues(&wait, l.t)
                    )),
                    _ => None,
                };
            }
            (Kind::Effect, "closed") => {
                let wait = std::mem::take(&mut self.wait);
                if wait.len() > 1 || self.transferred && !wait.is_empty() {
                    let words = describe(l, &Subject::Conversation(0), false, at)?;
                    return Some(format!("{words}, unanswered after waiting in {}", {
                        queues(&wait, l.t)
                    }));
                }
            }
            _ => {}
        }
        None
    }
}

/// The queues of a wait that ended at `end` (seconds): "queue b", or, moved while it waited,
/// each with its share: "queues a (0:01:00), b (0:02:00) then c (0:00:30)".
fn queues(wait: &[(String, f64)], end: f64) -> String {
    match wait {
        [] => "queue ?".to_string(),
        [(q, _)] => format!("queue {q}"),
        _ => {
            let each: Vec<String> = wait
                .iter()
                .enumerate()
                .map(|(i, (q, from))| {
                    let to = wait.get(i + 1).map_or(end, |n| n.1);
                    format!("{q} ({})", clock(to - from))
                })
                .collect();
            let (last, rest) = each.split_last().expect("two or more");
            format!("queues {} then {last}", rest.join(", "))
        }
    }
}
