//! Agent worker tasks: each owns a share of the agents and of the arrival stream, and drives
//! them like a timer wheel. Every loop it takes *all* commands due by now (arrivals from the
//! open-model schedule, accepts, ends, closes… from its own timer heap), applies them under one
//! lock of the [`SharedEngine`], records each command's latency from its due time, then turns
//! the effects into the next due commands (an invitation to an agent another worker owns is sent
//! to that worker). No tokio wake-up per command; a worker sleeps only when nothing is due.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use hdrhistogram::Histogram;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::engine::{Command, Effect, Engine, RulesEngine};
use crate::model::ConvState;
use crate::rng::{stream, Source};

use super::plan::{Answer, Plan};
use super::schedule::ArrivalSchedule;
use super::shared::SharedEngine;
use super::stats::{kind_of, TaskStats};

/// A command and when it is due (nanoseconds from the start of the run).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Job {
    pub(crate) due: u64,
    pub(crate) cmd: Command,
}

/// Heap entry: earliest due first, then first scheduled first.
#[derive(Debug)]
struct Entry(u64, u64, Command);

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        (self.0, self.1) == (o.0, o.1)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        (o.0, o.1).cmp(&(self.0, self.1))
    }
}

/// What all tasks share besides the engine: live figures for the progress line and the stop flag.
#[derive(Debug)]
pub(crate) struct Live {
    pub(crate) commands: AtomicU64,
    pub(crate) in_system: AtomicU64,
    /// Supervisor policy ticks skipped because the task was late by more than a period.
    pub(crate) missed_ticks: AtomicU64,
    /// Latencies (µs) applied since the progress line last looked, and their exact maximum.
    pub(crate) recent: Mutex<(Histogram<u64>, u64)>,
    /// Set once arrivals are over and nothing is left in the system.
    pub(crate) done: AtomicBool,
    /// When the run was declared over (ns; `u64::MAX` until then): commands due before
    /// `min(this, deadline_ns)` fell due, later ones did not. See [`Live::cutoff`].
    pub(crate) cutoff_ns: AtomicU64,
    /// Workers that still have arrivals to apply (the run is not done before this is 0).
    pub(crate) arrival_workers: AtomicUsize,
    /// Arrivals are due before this (ns).
    pub(crate) end_ns: u64,
    /// Everything stops at this (ns): the end plus the drain.
    pub(crate) deadline_ns: u64,
}

impl Live {
    /// Commands due before this fell due in the run: the deadline, or the moment the run
    /// was declared over (everything done, or interrupted) if that came first.
    pub(crate) fn cutoff(&self) -> u64 {
        self.cutoff_ns.load(Relaxed).min(self.deadline_ns)
    }

    /// Declares the run over at `now` (ns): the stop flag and the cutoff.
    pub(crate) fn finish(&self, now: u64) {
        self.cutoff_ns.fetch_min(now, Relaxed);
        self.done.store(true, Relaxed);
    }
}

/// What a group of workers measured (issue 27: 1,024 workers each with its own fourteen
/// latency histograms took 2.8 GB): workers share one per [`tallies`] slot, locked once per
/// batch (tasks on one runtime thread never contend for it).
#[derive(Debug)]
pub(crate) struct Tally {
    /// Counts and latency histograms.
    pub(crate) stats: TaskStats,
    /// Latencies (µs) since the progress line last took them, and their exact maximum.
    recent: Histogram<u64>,
    recent_max: u64,
}

/// The tallies of `workers` workers on `threads` runtime threads: one per worker up to twice
/// the threads, so a few workers keep one each and many share a bounded number. Worker `id`
/// uses `id % len`.
pub(crate) fn tallies(workers: usize, threads: usize) -> Vec<Arc<Mutex<Tally>>> {
    (0..workers.min(2 * threads.max(1)).max(1))
        .map(|_| {
            Arc::new(Mutex::new(Tally {
                stats: TaskStats::default(),
                recent: super::stats::new_hist(),
                recent_max: 0,
            }))
        })
        .collect()
}

/// Routes jobs to the worker owning their agent.
#[derive(Clone, Debug)]
pub(crate) struct Mailboxes(pub(crate) Vec<UnboundedSender<Vec<Job>>>);

/// One worker task, generic over the engine it drives.
#[derive(Debug)]
pub(crate) struct Worker<E = Engine> {
    pub(crate) id: usize,
    pub(crate) plan: Arc<Plan>,
    pub(crate) shared: Arc<SharedEngine<E>>,
    pub(crate) live: Arc<Live>,
    pub(crate) schedule: Arc<ArrivalSchedule>,
    pub(crate) inbox: UnboundedReceiver<Vec<Job>>,
    pub(crate) mail: Mailboxes,
    /// Most commands applied under one lock.
    pub(crate) batch: usize,
    /// Fault injection ([`LoadOptions::panic_worker`](super::LoadOptions::panic_worker)).
    pub(crate) panics: bool,
    /// Where it records ([`tallies`]).
    pub(crate) tally: Arc<Mutex<Tally>>,
    /// The agents' answers to invitations, read by the supervisor policies when one assigns
    /// to agents (`super::refusals`).
    pub(crate) book: Option<Arc<super::refusals::Book>>,
}

/// What a worker leaves when it stops: what fell due that it never applied (counted by
/// [`super::unapplied`] once every task has stopped); its measurements are in its [`Tally`].
#[derive(Debug)]
pub(crate) struct WorkerEnd {
    /// The index of the first arrival it never took (it owns every `workers`-th from there).
    pub(crate) next_arrival: u64,
    /// Its timers not yet applied (due or not).
    pub(crate) pending: Vec<Job>,
    /// Its inbox: jobs other tasks sent it that it never took.
    pub(crate) inbox: UnboundedReceiver<Vec<Job>>,
    /// Commands it handed a remote engine that never answered them (sent, or not sent because
    /// the link had already failed or been stopped): never applied.
    pub(crate) lost: Vec<Job>,
}

/// Most time a worker sleeps before looking at the stop flag again.
const POLL_NS: u64 = 20_000_000;
/// Once the run is over, most time a worker goes on applying commands that fell due before it
/// ended (a worker keeping up needs microseconds; one that cannot stops with them unapplied).
const FINISH_NS: u64 = 20_000_000;
/// How often a worker publishes its recent latencies for the progress line.
const PUBLISH_NS: u64 = 200_000_000;

impl<E: RulesEngine> Worker<E> {
    /// Runs until the deadline, or until arrivals are over and the system is empty.
    pub(crate) async fn run(mut self) -> WorkerEnd {
        let clock = self.shared.clock();
        let plan = self.plan.clone();
        let mut rng = stream(1, 0, Source::Load(self.id as u32));
        let mut heap: BinaryHeap<Entry> = BinaryHeap::new();
        let mut seq = 0u64;
        let mut next_arrival = self.id as u64;
        let mut arrival_due = self.schedule.due_ns(next_arrival);
        let mut arrivals_over = false;
        let mut note_over = |arrival_due: Option<u64>, live: &Live| {
            if arrival_due.is_none() && !arrivals_over {
                arrivals_over = true;
                live.arrival_workers.fetch_sub(1, Relaxed);
            }
        };
        note_over(arrival_due, &self.live);
        // Grown as needed: a thousand workers do not each hold a full batch's room.
        let mut batch: Vec<Job> = Vec::new();
        let mut fx: Vec<Effect> = Vec::new();
        let mut fx_ws: Vec<u32> = Vec::new();
        let multi_ws = plan.ws.len() > 1;
        let mut marks: Vec<(usize, u64)> = Vec::new();
        let mut out: Vec<Vec<Job>> = vec![Vec::new(); plan.workers];
        let mut last_publish = 0u64;
        let mut rb = RemoteBatch::default();
        let mut lost: Vec<Job> = Vec::new();
        loop {
            while let Ok(v) = self.inbox.try_recv() {
                for j in v {
                    heap.push(Entry(j.due, seq, j.cmd));
                    seq += 1;
                }
            }
            let now = clock.ns();
            let cutoff = self.live.cutoff();
            if now >= cutoff {
                // Over: finish what fell due by the cutoff, for at most FINISH_NS.
                let next = heap
                    .peek()
                    .map_or(u64::MAX, |e| e.0)
                    .min(arrival_due.unwrap_or(u64::MAX));
                if next >= cutoff || now >= cutoff.saturating_add(FINISH_NS) {
                    break;
                }
            }
            let upto = now.min(cutoff);
            batch.clear();
            while batch.len() < self.batch {
                let h = heap.peek().map_or(u64::MAX, |e| e.0);
                match arrival_due {
                    Some(a) if a <= upto && a <= h => {
                        batch.push(Job {
                            due: a,
                            cmd: plan.arrival(&mut rng),
                        });
                        next_arrival += plan.workers as u64;
                        arrival_due = self.schedule.due_ns(next_arrival);
                        note_over(arrival_due, &self.live);
                    }
                    _ if h <= upto => {
                        let e = heap.pop().expect("peeked");
                        batch.push(Job { due: e.0, cmd: e.2 });
                    }
                    _ => break,
                }
            }
            if batch.is_empty() {
                let next = heap
                    .peek()
                    .map_or(u64::MAX, |e| e.0)
                    .min(arrival_due.unwrap_or(u64::MAX))
                    .min(now + POLL_NS)
                    .min(self.live.deadline_ns);
                let wake = tokio::time::Instant::from_std(clock.at(next));
                tokio::select! {
                    biased;
                    m = self.inbox.recv() => if let Some(v) = m {
                        for j in v {
                            heap.push(Entry(j.due, seq, j.cmd));
                            seq += 1;
                        }
                    },
                    _ = tokio::time::sleep_until(wake) => {}
                }
                continue;
            }
            fx.clear();
            fx_ws.clear();
            marks.clear();
            let live_now;
            // The tally is held for the batch and its follow-ups, never across an await.
            {
                let mut tally = self.tally.lock().unwrap_or_else(|p| p.into_inner());
                let Tally {
                    stats,
                    recent,
                    recent_max,
                } = &mut *tally;
                {
                    let mut g = self.shared.lock();
                    if E::BATCHES {
                        // A remote engine: the due commands go in one round trip (they never depend
                        // on each other's results: follow-ups are made from effects after it).
                        remote_batch(&mut g, &batch, &mut rb, &mut fx);
                        let done = clock.ns();
                        let mut start = 0;
                        if !g.engine().answered() {
                            // The engine never answered (a stop, a failure): the commands were not
                            // applied, and the local stand-in answers make no follow-ups.
                            lost.extend(rb.sent.iter().map(|&k| batch[k]));
                            rb.ends.clear();
                        }
                        for (k, &(r, end)) in rb.ends.iter().enumerate() {
                            let job = &batch[rb.sent[k]];
                            if multi_ws {
                                for e in &fx[start..end] {
                                    fx_ws.push(ws_of(g.engine(), &plan, e));
                                }
                            }
                            let lat = done.saturating_sub(job.due);
                            stats.record(kind_of(&job.cmd), lat, r);
                            let lat_us = (lat / 1000).max(1);
                            recent.saturating_record(lat_us);
                            *recent_max = (*recent_max).max(lat_us);
                            marks.push((end, done));
                            start = end;
                        }
                    }
                    for job in batch.iter().filter(|_| !E::BATCHES) {
                        if let Command::Abandon(c) = job.cmd {
                            // Patience is cancelled lazily: a conversation no longer waiting unanswered
                            // is not abandoned, and no command is sent.
                            let waiting = g.engine().conversation(c).is_some_and(|v| {
                                v.state == ConvState::Open && v.answered_at.is_none()
                            });
                            if !waiting {
                                continue;
                            }
                        }
                        let start = fx.len();
                        let r = g.apply(job.cmd, &mut fx);
                        if multi_ws {
                            // Effects do not carry the queue: look up the work stream while locked.
                            for e in &fx[start..] {
                                let ws = match e {
                                    Effect::Accepted { conv, .. }
                                    | Effect::StateChanged { conv, .. } => g
                                        .engine()
                                        .conversation(*conv)
                                        .map_or(0, |v| plan.queue_ws[v.queue.index()]),
                                    _ => 0,
                                };
                                fx_ws.push(ws as u32);
                            }
                        }
                        let done = clock.ns();
                        let lat = done.saturating_sub(job.due);
                        stats.record(kind_of(&job.cmd), lat, r);
                        let lat_us = (lat / 1000).max(1);
                        recent.saturating_record(lat_us);
                        *recent_max = (*recent_max).max(lat_us);
                        marks.push((fx.len(), done));
                    }
                    if let Some(book) = &self.book {
                        // Refusals (and their policies' failures) seen before the next tick.
                        book.absorb(g.engine(), &fx, None);
                    }
                    assert!(!self.panics, "injected fault: worker {} panics", self.id);
                    live_now = g.engine().live_conversations() as u64;
                }
                self.live.commands.fetch_add(marks.len() as u64, Relaxed);
                self.live.in_system.store(live_now, Relaxed);
                let mut from = 0;
                for &(to, done) in &marks {
                    for (k, e) in fx[from..to].iter().enumerate() {
                        stats.routing_effect(e);
                        let ws = fx_ws.get(from + k).map_or(0, |&w| w as usize);
                        follow_up(&plan, self.id, e, ws, done, &mut rng, &mut out);
                    }
                    from = to;
                }
            }
            for j in out[self.id].drain(..) {
                heap.push(Entry(j.due, seq, j.cmd));
                seq += 1;
            }
            for (w, v) in out.iter_mut().enumerate() {
                if !v.is_empty() {
                    let _ = self.mail.0[w].send(std::mem::take(v));
                }
            }
            let now = clock.ns();
            // Done only when no worker has arrivals left: one behind must not be cut short.
            if now >= self.live.end_ns
                && live_now == 0
                && self.live.arrival_workers.load(Relaxed) == 0
            {
                self.live.finish(now);
            }
            // Let supervisor, timer and progress tasks run: a busy worker never parks otherwise.
            tokio::task::yield_now().await;
            if now >= last_publish + PUBLISH_NS {
                last_publish = now;
                let mut t = self.tally.lock().unwrap_or_else(|p| p.into_inner());
                if let Ok(mut h) = self.live.recent.lock() {
                    let _ = h.0.add(&t.recent);
                    h.1 = h.1.max(t.recent_max);
                }
                t.recent.reset();
                t.recent_max = 0;
            }
        }
        WorkerEnd {
            next_arrival,
            pending: heap
                .into_iter()
                .map(|e| Job { due: e.0, cmd: e.2 })
                .collect(),
            inbox: self.inbox,
            lost,
        }
    }
}

/// The scratch lists of a batch sent to a remote engine.
#[derive(Default)]
struct RemoteBatch {
    /// Positions in the batch of the commands sent.
    sent: Vec<usize>,
    cmds: Vec<Command>,
    ends: Vec<(crate::engine::Outcome, usize)>,
}

/// Sends the batch's commands in one [`RulesEngine::apply_all`], leaving out abandonments of
/// conversations no longer waiting (as the per-command path does, judged before the batch).
fn remote_batch<E: RulesEngine>(
    g: &mut super::shared::EngineGuard<'_, E>,
    batch: &[Job],
    rb: &mut RemoteBatch,
    fx: &mut Vec<Effect>,
) {
    rb.sent.clear();
    rb.cmds.clear();
    rb.ends.clear();
    for (i, job) in batch.iter().enumerate() {
        if let Command::Abandon(c) = job.cmd {
            let waiting = g
                .engine()
                .conversation(c)
                .is_some_and(|v| v.state == ConvState::Open && v.answered_at.is_none());
            if !waiting {
                continue;
            }
        }
        rb.sent.push(i);
        rb.cmds.push(job.cmd);
    }
    g.apply_all(&rb.cmds, fx, &mut rb.ends);
}

/// The work stream of the conversation an effect names (0 when it names none or has closed).
fn ws_of<E: RulesEngine>(engine: &E, plan: &Plan, e: &Effect) -> u32 {
    match e {
        Effect::Accepted { conv, .. } | Effect::StateChanged { conv, .. } => engine
            .conversation(*conv)
            .map_or(0, |v| plan.queue_ws[v.queue.index()] as u32),
        _ => 0,
    }
}

/// Turns one effect into the next due command, pushed to the owner's list in `out`:
/// an invitation → the agent's answer after its delay; an acceptance → the end of handling;
/// wrap-up → the close; an arrival with patience → the abandonment (cancelled lazily). `ws` is
/// the work stream of the conversation (effects do not carry it; the caller looked it up).
pub(crate) fn follow_up(
    plan: &Plan,
    me: usize,
    e: &Effect,
    ws: usize,
    base: u64,
    rng: &mut crate::rng::SimRng,
    out: &mut [Vec<Job>],
) {
    let ws_of = |q: crate::model::QueueId| &plan.ws[plan.queue_ws[q.index()]];
    match *e {
        Effect::Arrived { conv, queue } => {
            if let Some(p) = &ws_of(queue).patience {
                let d = plan.wall_ns(p.sample(rng));
                out[me].push(Job {
                    due: base + d,
                    cmd: Command::Abandon(conv),
                });
            }
        }
        Effect::Invited {
            conv,
            agent,
            invite,
            ..
        } => {
            let (answer, d) = plan.answer(agent, rng);
            let cmd = match answer {
                Answer::Accept => Command::Accept(conv, invite),
                Answer::Reject => Command::Reject(conv, invite),
                Answer::Timeout => Command::Timeout(conv, invite),
            };
            out[plan.owner(agent)].push(Job {
                due: base + plan.wall_ns(d),
                cmd,
            });
        }
        Effect::Accepted { conv, agent, .. } => {
            let d = plan.wall_ns(plan.ws[ws].handle.sample(rng));
            out[plan.owner(agent)].push(Job {
                due: base + d,
                cmd: Command::End(conv),
            });
        }
        Effect::StateChanged {
            conv,
            to: ConvState::WrapUp,
            ..
        } => {
            let d = plan.ws[ws]
                .wrap
                .as_ref()
                .map_or(0, |w| plan.wall_ns(w.sample(rng)));
            out[me].push(Job {
                due: base + d,
                cmd: Command::Close(conv),
            });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::tallies;

    #[test]
    fn many_workers_share_a_bounded_number_of_tallies() {
        // Issue 27: 1,024 workers held 14 histograms each (2.8 GB). Now at most two per thread.
        assert_eq!(tallies(1024, 2).len(), 4);
        assert_eq!(tallies(2, 2).len(), 2, "a few workers keep one each");
        assert_eq!(tallies(1, 0).len(), 1);
    }
}
