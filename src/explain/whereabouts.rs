//! [`Whereabouts`]: where a conversation is as its story goes, and the queues of the wait in
//! progress, so a story names the queue (or queues) it waited in for each wait: from its
//! arrival, or from a transfer at the end of handling, to the next acceptance or its close,
//! through any move while it waited (a supervisor's `assign_to = "queue"`, a `waited_over`
//! overflow rule: the trace's `requeued` lines).

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
            (Kind::Effect, "accepted") => {
                let wait = std::mem::take(&mut self.wait);
                let since = l.waited_s.unwrap_or(0.0);
                return match (wait.first(), self.transferred) {
                    (Some(&(_, entered)), true) => Some(format!(
                        "{} accepted it after a wait of {} in {} ({} since it arrived)",
                        s(&l.agent),
                        clock(l.t - entered),
                        queues(&wait, l.t),
                        clock(since)
                    )),
                    _ if wait.len() > 1 => Some(format!(
                        "{} accepted it after a wait of {} in {}",
                        s(&l.agent),
                        clock(since),
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
