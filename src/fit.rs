//! `omnisim fit HISTORY.csv`: a runnable scenario fitted to a conversation history.
//!
//! Key items: [`fit_file`] (history → [`Fitted`]), [`Fitted::write`] (`fitted.toml`,
//! `fit.json`, `actuals.json`, `fit.html`), [`FitReport`] (the `fit.json` shape of contract
//! "Real traffic"), [`mle`] (the maximum-likelihood fits).
//!
//! Per queue: arrival rates per interval of the day (per hour, averaged over the days that had
//! traffic, `open_days`, and over its replications when it has a `replication` column; also
//! per weekday, [`arrivals`]), and handle, wrap-up and patience fitted as exponential,
//! lognormal and gamma by maximum likelihood, the lowest AIC chosen. Patience is fitted to
//! censored data: an abandoned customer's wait is its patience, every other wait (answered,
//! overflowed, still waiting) only a lower bound (ignoring that would fit the patience of the
//! impatient ones only). An answered row's handle and wrap-up go to the queue its `ended_in`
//! names when a move while waiting took it there (a run draws them from the work stream of the
//! queue that accepts it); its arrival and patience stay with its `queue`. The history is read
//! in one streaming pass keeping per row only what the outputs need of it (its `actuals.json`
//! row, its handle, wrap-up and wait samples): arrivals are counted per queue, weekday,
//! interval and day as they are read ([`arrivals::Tally`]), the far-row check's days per day
//! ([`crate::stats::DayTally`]). A row far outside the rest (a mistyped year,
//! [`crate::stats::bulk_range`]) is an error at its line.
//!
//! `fitted.toml` ([`output`]) sets one work stream per queue (voice, one conversation per
//! agent: edit `channel`, `capacity_units` and `capacity` for multi-chat), arrivals day by day
//! with each open day's weekday profile (closed days none), and one agent group serving every
//! queue, sized as ⌈peak offered load ÷ 0.85⌉ (offered load = arrival rate × (mean handle +
//! mean wrap-up) at the busiest interval of any weekday): a starting point for `omnisim sweep`.
//! Its `replications` is the history's replication count (a simulator's log), else 5.
//!
//! What the history does not say is stated, never faked: a queue without handle times gets
//! [`ASSUMED_HANDLE_S`] (exponential) in `fitted.toml`, marked there as not fitted, listed in
//! `fit.json` (`assumed_handle`, `notes`) and on stderr by the command. The scenario's `start`
//! is the midnight of the history's first day when its times are date-times; a history in
//! seconds since t = 0 has no calendar, so `start` is the default Monday (noted likewise). A
//! history mixing both is an error (each row named).

pub mod actuals;
pub mod arrivals;
pub mod busy;
pub mod checks;
pub mod html;
pub mod mle;
pub mod output;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CsvOffsets, DAY_NAMES};
use crate::scenario::Diagnostic;
use crate::time::{SimDuration, SimTime};
use crate::traffic::{parse_csv_duration, read, Problems};
use arrivals::{check_interval, clock_label, Profiles, DAY_MS};
use mle::{best, constant, fit_all, Candidate, Sample};

/// The mean handle time (s) `fitted.toml` assumes, exponential, for a queue whose history has
/// no handle times: 5 minutes, a round figure for a voice call, so a run is possible; it is not
/// a fit and says so (a 1 s placeholder would make every staffing figure meaningless).
pub const ASSUMED_HANDLE_S: f64 = 300.0;

/// The service-level threshold `fitted.toml` and `actuals.json` use unless `fit
/// --service-level` says otherwise: 20 s, the scenario default (`[scenario] service_level`).
pub const DEFAULT_SERVICE_LEVEL: SimDuration = SimDuration::from_secs(20);

/// `fit.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// `[scenario] start` of `fitted.toml` (`YYYY-MM-DDTHH:MM`).
    #[serde(default)]
    pub start: String,
    /// The days of the history's span that had traffic (`YYYY-MM-DD`); rates are averaged
    /// over these.
    #[serde(default)]
    pub open_days: Vec<String>,
    /// The days of the span without traffic.
    #[serde(default)]
    pub closed_days: Vec<String>,
    /// What the fit assumed because the history does not say it (also printed on stderr).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// By queue name.
    pub queues: BTreeMap<String, QueueFit>,
}

/// A distribution `fitted.toml` assumes instead of fitting it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assumed {
    /// The family (`exponential`).
    pub dist: String,
    /// Its mean (s).
    pub mean_s: f64,
    /// Why it is assumed.
    pub reason: String,
}

/// One queue's fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueFit {
    /// Arrival rates by time of day.
    pub arrivals: ArrivalFit,
    /// Handle time (answered rows with a `handle`).
    pub handle: Option<DistFit>,
    /// Wrap-up time (rows with a `wrap_up`).
    pub wrap_up: Option<DistFit>,
    /// Patience (abandoned waits; answered waits as lower bounds).
    pub patience: Option<DistFit>,
    /// With no handle times in the history (`handle` null): the handle time `fitted.toml`
    /// assumes instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_handle: Option<Assumed>,
}

/// Arrival rates per interval of the day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArrivalFit {
    /// The interval length (s).
    pub interval_s: u64,
    /// `"HH:MM"` → arrivals per hour, averaged over the open days.
    pub by_time_of_day: BTreeMap<String, f64>,
    /// `"mon"` … `"sun"` → `"HH:MM"` → arrivals per hour, averaged over that weekday's open
    /// days (the same intervals as `by_time_of_day`); weekdays without an open day are absent.
    #[serde(default)]
    pub by_day_of_week: BTreeMap<String, BTreeMap<String, f64>>,
}

/// Every candidate of one duration and the best by AIC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistFit {
    /// The candidate with the lowest AIC, or `constant` for a sample without spread (then the
    /// only candidate: sd 0, log-likelihood 0, AIC 2, KS 0).
    pub best: String,
    /// By family name.
    pub candidates: BTreeMap<String, CandidateFit>,
}

/// One candidate in `fit.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateFit {
    /// Mean of the fitted distribution (s).
    pub mean_s: f64,
    /// Standard deviation of the fitted distribution (s).
    pub sd_s: f64,
    /// Log-likelihood at the fit.
    pub log_likelihood: f64,
    /// Akaike information criterion.
    pub aic: f64,
    /// Kolmogorov–Smirnov statistic.
    pub ks: f64,
}

/// A fitted history, ready to write.
#[derive(Debug)]
pub struct Fitted {
    /// The history's queues, sorted by name.
    pub queue_names: Vec<String>,
    /// Interval length of the arrival profile.
    pub interval: SimDuration,
    /// Days covered (first to last day with traffic).
    pub days: u64,
    /// Replications in the history (its distinct `replication` values; 0 without the column).
    pub replications: u64,
    /// The calendar of t = 0 (midnight of the first day).
    pub calendar: Calendar,
    /// `fit.json`.
    pub report: FitReport,
    /// The service-level threshold of `fitted.toml` and `actuals.json` ([`DEFAULT_SERVICE_LEVEL`]
    /// unless the caller sets it: `fit --service-level`).
    pub service_level: SimDuration,
    /// Per queue: arrivals per interval of the day, averaged per open day (count, not per hour).
    pub profile: Vec<Vec<f64>>,
    /// The open days and per-weekday profiles.
    pub arrivals: Profiles,
    /// Per queue: the samples (handle, wrap-up, patience) and their candidates, for plots.
    pub samples: Vec<[(Sample, Option<Vec<Candidate>>); 3]>,
    rows: u64,
    /// Every row as `actuals.json` counts it ([`actuals`]), and the queue names they index.
    actual_rows: Vec<actuals::ActualRow>,
    actual_queues: Vec<String>,
    /// The agents' groups as the rows' `agent_group` cells name them.
    groups: actuals::Groups,
    /// The rows' `busy` cells, `None` when the history has no such column.
    busy: Option<busy::Cells>,
}

/// Reads and fits a history. `interval` is the arrival-profile interval (default 30 min; whole
/// minutes dividing a day, [`check_interval`]).
///
/// Errors: every problem of the file (missing column, a header name close to a history column
/// the file lacks such as `Handle` or `wrapup`, unparsable time or duration, unknown outcome, a
/// UTC offset with no reference, a row far outside the rest), each with file, line and column;
/// an interval that does not divide a day.
pub fn fit_file(path: &Path, interval: SimDuration) -> Result<Fitted, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let mut p = Problems::new(&shown);
    if let Err(e) = check_interval(interval) {
        p.file(format!("the arrival-profile interval {interval} {e}"));
        return Err(p.finish());
    }
    // A volume file (the forecast format) is not a conversation history: one hint, not a list
    // of every history column it lacks.
    let names = crate::traffic::header_names(path);
    let has = |c: &str| names.iter().any(|n| n == c);
    let busy_column = has("busy");
    let mut cells = busy::Cells::default();
    if has("interval_start") && has("volume") && !has("arrival") {
        p.at(
            1,
            None,
            format!(
                "this looks like a volume file (interval_start, volume: the forecast format), \
                 not a conversation history; `fit` reads one row per conversation (arrival, \
                 queue, outcome, wait, handle, … as `omnisim run --log` writes \
                 conversations.csv). For interval volumes use `omnisim forecast {shown}`; \
                 the header has {}",
                crate::traffic::shown(&names.join(", "))
            ),
        );
        return Err(p.finish());
    }
    let mut seen = CsvOffsets::default();
    // A history's time of day is the local wall clock written in each row, its offset not
    // used to move it (as `forecast` bins), with one note when the offsets change.
    let mut zones = crate::calendar::OffsetChanges::default();
    // Date-times are read against a Monday far in the past, then re-anchored at the first
    // day's midnight.
    let epoch = Calendar::parse("1900-01-01T00:00").expect("a valid date");
    let mut iso = false;
    // The line and kind of the first readable arrival: a history uses one clock.
    let mut clock_of: Option<(u64, bool)> = None;
    let mut names: BTreeMap<String, u32> = BTreeMap::new();
    // The offered rows' arrivals, counted per queue, weekday, interval and day (issue 25,
    // thirteenth session: not kept a row each).
    let mut tally = arrivals::Tally::new(interval.as_millis());
    // The day (and first lines of each) of every offered row whose arrival was read, whatever
    // its other cells: the check of rows far outside the rest runs on these, so a row's bad
    // `wait` does not hide its mistyped year (issue 25, twelfth session).
    let mut placed = crate::stats::DayTally::new(crate::traffic::MAX_PROBLEMS);
    let mut durations: Vec<[Sample; 3]> = Vec::new();
    let mut rows = 0u64;
    let mut replications = crate::traffic::history::Replications::default();
    // Repeats, and retry contacts and legs that link to no row as they should.
    let mut links = crate::traffic::links::Links::default();
    // (replication, agent) → index: one agent's time line per replication of a log.
    let mut agents: std::collections::HashMap<(String, String), u32> = Default::default();
    let mut groups = actuals::Groups::default();
    // Every row as actuals.json counts it, and its queues (by name, in order of appearance).
    let mut actual_rows: Vec<actuals::ActualRow> = Vec::new();
    let mut actual_queues: BTreeMap<String, u32> = BTreeMap::new();
    // Rows left out: [later legs of transfers, retry contacts].
    let mut left_out = [0u64; 2];
    // Per queue (as `names` numbers it): whether an offered row arrived there; a queue only
    // an `ended_in` names has no arrivals of its own.
    let mut arrives: Vec<bool> = Vec::new();
    // Offered answered rows a move while waiting took to another queue (`ended_in`).
    let mut answered_elsewhere = 0u64;
    // Offered rows a move took to another queue, whatever their outcome (their waits go to
    // the arrival queue's patience: the log does not say when the move came).
    let mut moved_rows = 0u64;
    let mut abandoned_cells = checks::AbandonedCells::default();
    let header = read(
        path,
        &mut p,
        &[
            &["arrival"],
            &["queue", "workstream"],
            &["outcome"],
            &["wait"],
        ],
        // Other columns (a history's attributes) are not read; a mistyped one is refused.
        &crate::traffic::history::COLUMNS,
        |r, p| {
            let id = links.note(r, p);
            // Read before any cell can skip the row: a bad replication must not hide behind
            // the same row's other problems.
            replications.note(r, p);
            // A run's log with transfers or retrials: a later leg or a retry contact is not an
            // arrival the scenario offered (the fitted scenario has neither; counted once), but
            // actuals.json counts it as the run's summary does.
            // A bad `leg` (reported) does not hide the row's other cells: they are checked as
            // an offered arrival's, and the row is not kept (issue 25, twelfth session).
            let read_contact = crate::traffic::history::contact(r, p);
            let contact = read_contact.unwrap_or_default();
            let offered = contact.offered();
            if !offered {
                left_out[usize::from(contact.retrial)] += 1;
            }
            let arrival = r.required(p, "arrival").and_then(|s| {
                let is_iso = s.parse::<f64>().is_err();
                let t = match is_iso {
                    false => Calendar::default().parse_time(s),
                    true => {
                        zones.see(s);
                        // A zone name (`[Europe/Paris]`) or a bad offset keeps its own error.
                        let local = crate::calendar::split_offset(s.trim()).map_or(s, |(l, _)| l);
                        // A bad cell is quoted as written, its offset with it (as forecast does).
                        epoch
                            .parse_csv_time(local, &mut seen)
                            .map_err(|e| e.replacen(&format!("{local:?}"), &format!("{s:?}"), 1))
                    }
                };
                let t = t.map_err(|e| r.problem(p, "arrival", e)).ok()?;
                match clock_of {
                    None => {
                        clock_of = Some((r.line, is_iso));
                        iso = is_iso;
                    }
                    Some((line, first)) if first != is_iso => {
                        let (this, that) = match is_iso {
                            true => ("a local date-time", "seconds since t = 0"),
                            false => ("seconds since t = 0", "a local date-time"),
                        };
                        r.problem(
                            p,
                            "arrival",
                            format!(
                                "{s:?} is {this} but line {line} gives {that}; a history keeps \
                                 one clock: write every arrival the same way"
                            ),
                        );
                        return None;
                    }
                    Some(_) => {}
                }
                Some(t)
            });
            // The column the file has (an empty `queue` cell is named as `queue`, not as a
            // `workstream` column the file lacks).
            let col = if r.cell("queue").is_some() || r.header.col("workstream").is_none() {
                "queue"
            } else {
                "workstream"
            };
            if let (true, Some(a)) = (offered, arrival) {
                placed.note(a.as_millis() / DAY_MS, r.line);
            }
            let queue = r.required(p, col).map(str::to_string);
            // Where a move while waiting took it (a log of a scenario with moves); empty: its
            // `queue`.
            let ended_in = r.cell("ended_in").map(str::to_string);
            let outcome = r.parse(p, "outcome", |s| match s {
                "answered" => Ok(1u8),
                "abandoned" => Ok(2),
                "overflowed" => Ok(3),
                _ => Err(format!(
                    "unknown outcome {s:?}; expected \"answered\", \"abandoned\" or \"overflowed\""
                )),
            });
            let wait = r.parse(p, "wait", parse_csv_duration);
            let handle = r.parse(p, "handle", parse_csv_duration);
            let wrap = r.parse(p, "wrap_up", parse_csv_duration);
            // Not fitted (an abandoned row's wait is its patience), but checked as replay
            // checks it: a bad cell is an error at its cell (issue 25, a thirteenth tester).
            let patience = r.parse(p, "patience", parse_csv_duration);
            // As replay reads it (docs/scenario-format.md: `handle` required on answered
            // rows): an empty handle time of an answered row is an error at its cell, not a
            // row silently left out of the handle fit. A history with no `handle` column at
            // all has its handle time assumed (the notes say so).
            if let (true, Some(Some(1)), Some(None)) = (offered, outcome, handle) {
                if r.header.col("handle").is_some() {
                    r.problem(
                        p,
                        "handle",
                        "an answered row needs its handle time (the `handle` column is \
                         required on answered rows; the fit reads it as replay does)",
                    );
                    return;
                }
            }
            if let (true, Some(Some(2)), Some(h), Some(w)) = (offered, outcome, handle, wait) {
                abandoned_cells.check(r, p, h, w);
            }
            let busy = busy::read(r, p, &mut agents, &mut groups);
            let (
                Some(arrival),
                Some(queue),
                Some(outcome),
                Some(wait),
                Some(handle),
                Some(wrap),
                Some(_),
                Some(_),
            ) = (
                arrival,
                queue,
                outcome,
                wait,
                handle,
                wrap,
                patience,
                read_contact,
            )
            else {
                return;
            };
            let outcome = outcome.unwrap_or(0);
            let agent = r.cell("agent").map(|a| {
                let key = (
                    r.cell("replication").unwrap_or("").to_string(),
                    a.to_string(),
                );
                let next = agents.len() as u32;
                let i = *agents.entry(key).or_insert(next);
                groups.note(i, r.cell("agent_group"));
                i
            });
            let next = actual_queues.len() as u32;
            let aq = *actual_queues.entry(queue.clone()).or_insert(next);
            let moved_to = ended_in.as_ref().filter(|e| **e != queue).map(|e| {
                let next = actual_queues.len() as u32;
                *actual_queues.entry(e.clone()).or_insert(next)
            });
            let answered = |d: Option<SimDuration>| d.filter(|_| outcome == 1);
            let row = actual_rows.len() as u32;
            // A bad `busy` cell was reported: the row is not kept, as for its other cells.
            let Some(busy) = busy else { return };
            cells.add(row, busy);
            actual_rows.push(actuals::ActualRow {
                queue: aq,
                rep: r.cell("replication").and_then(|c| c.parse().ok()),
                leg: r.cell("leg").and_then(|c| c.parse().ok()).unwrap_or(1),
                retrial: contact.retrial,
                outcome,
                arrival_ms: arrival.as_millis(),
                wait_ms: actuals::Ms::of(wait),
                handle_ms: actuals::Ms::of(answered(handle)),
                wrap_ms: actuals::Ms::of(answered(wrap)),
                agent: agent.filter(|_| outcome == 1),
                id: id.unwrap_or(actuals::NO_ID),
                moved_to,
            });
            if !offered {
                return;
            }
            rows += 1;
            let mut number = |name: String| {
                let next = names.len() as u32;
                let q = *names.entry(name).or_insert(next);
                if durations.len() <= q as usize {
                    durations.resize_with(q as usize + 1, Default::default);
                    arrives.resize(q as usize + 1, false);
                }
                q
            };
            // Handle and wrap-up are the answering queue's (a run draws them from the work
            // stream of the queue that accepts it); patience and the arrival stay with `queue`.
            let handled_in = match moved_to {
                Some(_) if outcome == 1 => {
                    answered_elsewhere += 1;
                    ended_in.map(&mut number)
                }
                _ => None,
            };
            let q = number(queue);
            arrives[q as usize] = true;
            moved_rows += u64::from(moved_to.is_some());
            let d = &mut durations[handled_in.unwrap_or(q) as usize];
            if outcome == 1 {
                if let Some(h) = handle {
                    d[0].events.push(h.as_secs_f64());
                }
            }
            if let Some(w) = wrap {
                d[1].events.push(w.as_secs_f64());
            }
            let d = &mut durations[q as usize];
            // Abandoned: the wait is the patience. Answered, overflowed or still waiting: the
            // customer was still there, so the wait is a lower bound of its patience.
            match (outcome, wait) {
                (2, Some(w)) => d[2].events.push(w.as_secs_f64()),
                (_, Some(w)) if w > SimDuration::ZERO => d[2].censored.push(w.as_secs_f64()),
                _ => {}
            }
            tally.note(q as usize, arrival.as_millis());
        },
    );
    links.finish(&mut p, false);
    // Row problems do not stop this check (on every row whose arrival was read).
    // A row far outside the rest (a mistyped year) is an error at its line: it would stretch
    // the fitted horizon over decades and read every rate thousands of times too low.
    if let Some(((lo, hi), (q1, q3))) = placed.range() {
        let col = header
            .as_ref()
            .and_then(|h| h.col("arrival"))
            .map_or(1, |c| c + 1);
        let day = |d: u64| match iso {
            true => epoch
                .to_local(SimTime(d * DAY_MS))
                .strftime("%Y-%m-%d")
                .to_string(),
            false => format!("day {} (from t = 0)", d + 1),
        };
        let (far, others) = placed.outside((lo, hi));
        for (line, d) in far {
            let gap = if d > hi { d - q3 } else { q1 - d };
            p.at(
                line,
                Some(("arrival", col)),
                format!(
                    "{} is {gap} days from the bulk of the history (its middle half is {} … {}): \
                     a mistyped date? expected a day between {} and {} (three interquartile \
                     ranges and a month beyond the middle half); fix or remove the row",
                    day(d),
                    day(q1),
                    day(q3),
                    day(lo),
                    day(hi)
                ),
            );
        }
        p.count_beyond_cap(others);
    }
    drop(placed);
    if rows == 0 {
        if !p.any() {
            p.file("the history has no rows");
        }
        return Err(p.finish());
    }
    // Queue ids in name order (deterministic whatever the row order). A queue only an
    // `ended_in` names (no arrivals of its own) is not fitted, as a later leg's queue is not:
    // the handle times answered there are left out (noted).
    let fitted: Vec<(&String, u32)> = names
        .iter()
        .filter(|(_, &i)| arrives[i as usize])
        .map(|(n, &i)| (n, i))
        .collect();
    let queue_names: Vec<String> = fitted.iter().map(|(n, _)| (*n).clone()).collect();
    let remap: Vec<u32> = {
        let mut m = vec![u32::MAX; names.len()];
        for (sorted, (_, first_seen)) in fitted.iter().enumerate() {
            m[*first_seen as usize] = sorted as u32;
        }
        m
    };
    let mut by_name: Vec<[Sample; 3]> = vec![Default::default(); queue_names.len()];
    let mut handled_unfitted = 0usize;
    for (first_seen, d) in durations.into_iter().enumerate() {
        match by_name.get_mut(remap[first_seen] as usize) {
            Some(b) => *b = d,
            None => handled_unfitted += d[0].events.len(),
        }
    }
    tally.renumber(&remap, queue_names.len());
    if p.any() {
        return Err(p.finish());
    }
    let t0_day = if iso {
        tally.first_day().unwrap_or(0)
    } else {
        0
    };
    let t0 = t0_day * DAY_MS;
    let calendar = if iso {
        Calendar {
            start: epoch.to_local(SimTime(t0)),
            offset: None,
            given: true,
            unread: false,
        }
    } else {
        Calendar::default()
    };
    for r in &mut actual_rows {
        r.arrival_ms = r.arrival_ms.saturating_sub(t0);
    }
    let actual_queues = {
        let mut v = vec![String::new(); actual_queues.len()];
        for (name, i) in actual_queues {
            v[i as usize] = name;
        }
        v
    };
    // A simulator's log holds every replication over the same days: each is a copy of them.
    let copies = replications.copies();
    let iv = interval.as_millis();
    let profiles = arrivals::profiles(
        &tally,
        queue_names.len(),
        t0_day,
        &calendar,
        copies,
        &day_changes(&zones, &calendar),
    );
    let days = profiles.days;
    let profile = profiles.profile.clone();
    let per_hour = 3_600_000.0 / iv as f64;
    let start = calendar.start.strftime("%Y-%m-%dT%H:%M").to_string();
    // What the CSV reader ignored (a header's trailing empty columns).
    let mut notes: Vec<String> = p.take_warnings().iter().map(|d| d.to_string()).collect();
    notes.extend(abandoned_cells.note());
    notes.extend(zones.note());
    if left_out != [0, 0] {
        notes.push(format!(
            "{} of transfers and {} were left out: fit counts each arrival the scenario \
             offered once, so fitted.toml has no transfer, no retrial and no agents of the \
             queues the later legs went to; add the work streams' transfer and retrial (and \
             those queues) yourself",
            crate::text::plural(left_out[0], "later-leg row"),
            crate::text::plural(left_out[1], "retry contact"),
        ));
    }
    notes.extend(checks::moved_note(answered_elsewhere, handled_unfitted));
    notes.extend(checks::moved_patience_note(moved_rows));
    let groups = groups.sorted();
    notes.extend(groups.unknown_note(&actual_rows));
    if !iso {
        notes.push(format!(
            "the history's times are seconds since t = 0 (no calendar): fitted.toml starts at \
             the default {start} (a Monday); set [scenario] start to the history's first day"
        ));
    }
    let date = |d: usize| {
        calendar
            .to_local(SimTime(d as u64 * DAY_MS))
            .strftime("%Y-%m-%d")
            .to_string()
    };
    let span_days = checks::days(&tally, t0_day, profiles.days as usize, copies);
    notes.extend(checks::day_notes(
        &span_days,
        profiles.first_weekday,
        &date,
        iv,
    ));
    let (open_days, closed_days) = profiles
        .open
        .iter()
        .enumerate()
        .partition::<Vec<_>, _>(|(_, o)| **o);
    let mut report = FitReport {
        start,
        open_days: open_days.into_iter().map(|(d, _)| date(d)).collect(),
        closed_days: closed_days.into_iter().map(|(d, _)| date(d)).collect(),
        notes: Vec::new(),
        queues: BTreeMap::new(),
    };
    let mut samples = Vec::new();
    for (q, name) in queue_names.iter().enumerate() {
        let counts = &profile[q];
        let first = counts.iter().position(|c| *c > 0.0).unwrap_or(0);
        let last = counts.iter().rposition(|c| *c > 0.0).unwrap_or(0);
        let by_time_of_day = (first..=last)
            .map(|b| (clock_label(b as u64 * iv), counts[b] * per_hour))
            .collect();
        let by_day_of_week = profiles.weekday[q]
            .iter()
            .enumerate()
            .filter_map(|(wd, c)| {
                let c = c.as_ref()?;
                let by = (first..=last)
                    .map(|b| (clock_label(b as u64 * iv), c[b] * per_hour))
                    .collect();
                Some((DAY_NAMES[wd].to_string(), by))
            })
            .collect();
        let [h, w, pt] = std::mem::take(&mut by_name[q]);
        notes.extend(checks::patience_note(
            name,
            pt.events.len(),
            pt.censored.len(),
        ));
        let fits = [h, w, pt].map(|s| {
            let c = fit_all(&s);
            (s, c)
        });
        let to_json = |s: &Sample, c: &Option<Vec<Candidate>>| {
            // A sample without spread is a constant (fit.json's only candidate; the log-
            // likelihood of a point mass on its own data is 0, its KS distance 0).
            if let Some(v) = constant(s) {
                let fit = CandidateFit {
                    mean_s: v,
                    sd_s: 0.0,
                    log_likelihood: 0.0,
                    aic: 2.0,
                    ks: 0.0,
                };
                return Some(DistFit {
                    best: "constant".to_string(),
                    candidates: BTreeMap::from([("constant".to_string(), fit)]),
                });
            }
            c.as_ref().map(|c| DistFit {
                best: best(c).map_or("", |b| b.family.name()).to_string(),
                candidates: c
                    .iter()
                    .map(|c| {
                        let (mean_s, sd_s) = c.family.mean_sd();
                        (
                            c.family.name().to_string(),
                            CandidateFit {
                                mean_s,
                                sd_s,
                                log_likelihood: c.log_likelihood,
                                aic: c.aic,
                                ks: c.ks,
                            },
                        )
                    })
                    .collect(),
            })
        };
        for ((s, _), what) in fits.iter().zip(["handle", "wrap-up", "patience"]) {
            if let Some(v) = constant(s) {
                let written = match (what, v > 0.0) {
                    ("wrap-up", false) => {
                        "no wrap-up (fitted.toml has no wrap_up_time)".to_string()
                    }
                    _ => format!("the constant {} in fitted.toml", output::secs(v)),
                };
                notes.push(format!(
                    "queue {name:?}: every {what} time is {v} s ({}): no distribution fits a \
                     sample without spread; fitted as {written}",
                    crate::report::format::plural(s.events.len() as u64, "conversation")
                ));
            }
        }
        let handle = to_json(&fits[0].0, &fits[0].1);
        let assumed_handle = handle.is_none().then(|| {
            let reason = "the history has no handle times for this queue".to_string();
            notes.push(format!(
                "queue {name:?}: {reason}; fitted.toml assumes handle_time exponential with \
                 mean {ASSUMED_HANDLE_S} s (not fitted: replace it with your own)"
            ));
            Assumed {
                dist: "exponential".into(),
                mean_s: ASSUMED_HANDLE_S,
                reason,
            }
        });
        let patience = to_json(&fits[2].0, &fits[2].1);
        if let Some(p) = &patience {
            let longest = fits[2].0.events.iter().chain(&fits[2].0.censored);
            let longest = longest.copied().fold(0.0, f64::max);
            if let Some(c) = p.candidates.get(&p.best) {
                notes.extend(checks::patience_tail_note(name, &p.best, c.mean_s, longest));
            }
        }
        report.queues.insert(
            name.clone(),
            QueueFit {
                arrivals: ArrivalFit {
                    interval_s: iv / 1000,
                    by_time_of_day,
                    by_day_of_week,
                },
                handle,
                wrap_up: to_json(&fits[1].0, &fits[1].1),
                patience,
                assumed_handle,
            },
        );
        samples.push(fits);
    }
    report.notes = notes;
    Ok(Fitted {
        queue_names,
        interval: SimDuration::from_millis(iv),
        days,
        replications: replications.count() as u64,
        calendar,
        report,
        service_level: DEFAULT_SERVICE_LEVEL,
        profile,
        arrivals: profiles,
        samples,
        rows,
        actual_rows,
        actual_queues,
        groups,
        busy: busy_column.then_some(cells),
    })
}

/// The daylight-saving changes the history's rows show, by day of the span (day 0 =
/// `cal.start`'s date): where a wall-clock interval's count is over its exposure.
fn day_changes(
    zones: &crate::calendar::OffsetChanges,
    cal: &Calendar,
) -> Vec<(u64, crate::calendar::dst::ClockChange)> {
    let first = cal.start.date();
    zones
        .clock_changes()
        .into_iter()
        .filter_map(|c| Some((u64::try_from((c.date - first).get_days()).ok()?, c)))
        .collect()
}

#[cfg(test)]
mod tests;
