//! `omnisim fit HISTORY.csv`: a runnable scenario fitted to a conversation history.
//!
//! Key items: [`fit_file`] (history → [`Fitted`]), [`Fitted::write`] (`fitted.toml`,
//! `fit.json`, `actuals.json`, `fit.html`), [`FitReport`] (the `fit.json` shape of contract
//! "Real traffic"), [`mle`] (the maximum-likelihood fits).
//!
//! Per queue: arrival rates per interval of the day (per hour, averaged over the days the
//! history covers and over its replications when it has a `replication` column), and handle, wrap-up and patience fitted as exponential, lognormal and gamma
//! by maximum likelihood, the lowest AIC chosen. Patience is fitted to censored data: an
//! abandoned customer's wait is its patience, an answered customer's wait only a lower bound
//! (ignoring that would fit the patience of the impatient ones only). The history is read in
//! one streaming pass keeping a few numbers per row.
//!
//! `fitted.toml` sets one work stream per queue (voice, one conversation per agent: edit
//! `channel`, `capacity_units` and `capacity` for multi-chat) and one agent group serving every
//! queue, sized as ⌈peak offered load ÷ 0.85⌉ (offered load = arrival rate × (mean handle +
//! mean wrap-up) at the busiest interval of the day): a starting point for `omnisim sweep`.
//!
//! What the history does not say is stated, never faked: a queue without handle times gets
//! [`ASSUMED_HANDLE_S`] (exponential) in `fitted.toml`, marked there as not fitted, listed in
//! `fit.json` (`assumed_handle`, `notes`) and on stderr by the command. The scenario's `start`
//! is the midnight of the history's first day when its times are date-times; a history in
//! seconds since t = 0 has no calendar, so `start` is the default Monday (noted likewise). A
//! history mixing both is an error (each row named).

pub mod html;
pub mod mle;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::scenario::Diagnostic;
use crate::time::{SimDuration, SimTime};
use crate::traffic::{parse_csv_duration, read, Problems};
use mle::{best, fit_all, Candidate, Sample};

const DAY_MS: u64 = 24 * 3_600_000;

/// The mean handle time (s) `fitted.toml` assumes, exponential, for a queue whose history has
/// no handle times: 5 minutes, a round figure for a voice call, so a run is possible; it is not
/// a fit and says so (a 1 s placeholder would make every staffing figure meaningless).
pub const ASSUMED_HANDLE_S: f64 = 300.0;

/// `fit.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// `[scenario] start` of `fitted.toml` (`YYYY-MM-DDTHH:MM`).
    #[serde(default)]
    pub start: String,
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
    /// `"HH:MM"` → arrivals per hour, averaged over the days covered.
    pub by_time_of_day: BTreeMap<String, f64>,
}

/// Every candidate of one duration and the best by AIC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistFit {
    /// The candidate with the lowest AIC.
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

/// What one row of the history said.
#[derive(Clone, Copy, Debug)]
struct Obs {
    queue: u32,
    arrival_ms: u64,
    outcome: u8, // 0 open, 1 answered, 2 abandoned, 3 overflowed
    wait_ms: Option<u64>,
}

/// A fitted history, ready to write.
#[derive(Debug)]
pub struct Fitted {
    /// The history's queues, sorted by name.
    pub queue_names: Vec<String>,
    /// Interval length of the arrival profile.
    pub interval: SimDuration,
    /// Days covered.
    pub days: u64,
    /// The calendar of t = 0 (midnight of the first day).
    pub calendar: Calendar,
    /// `fit.json`.
    pub report: FitReport,
    /// Per queue: arrivals per interval of the day, averaged per day (count, not per hour).
    pub profile: Vec<Vec<f64>>,
    /// Per queue: the samples (handle, wrap-up, patience) and their candidates, for plots.
    pub samples: Vec<[(Sample, Option<Vec<Candidate>>); 3]>,
    obs: Vec<Obs>,
    rows: u64,
}

/// Reads and fits a history. `interval` is the arrival-profile interval (default 30 min).
///
/// Errors: every problem of the file (missing column, unparsable time or duration, unknown
/// outcome), each with file, line and column.
pub fn fit_file(path: &Path, interval: SimDuration) -> Result<Fitted, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let mut p = Problems::new(&shown);
    // Date-times are read against a Monday far in the past, then re-anchored at the first
    // day's midnight.
    let epoch = Calendar::parse("1900-01-01T00:00").expect("a valid date");
    let mut iso = false;
    // The line and kind of the first readable arrival: a history uses one clock.
    let mut clock_of: Option<(u64, bool)> = None;
    let mut names: BTreeMap<String, u32> = BTreeMap::new();
    let mut obs: Vec<Obs> = Vec::new();
    let mut durations: Vec<[Sample; 3]> = Vec::new();
    let mut rows = 0u64;
    let mut replications: std::collections::BTreeSet<String> = Default::default();
    read(
        path,
        &mut p,
        &[
            &["arrival"],
            &["queue", "workstream"],
            &["outcome"],
            &["wait"],
        ],
        |r, p| {
            let arrival = r.required(p, "arrival").and_then(|s| {
                let is_iso = s.parse::<f64>().is_err();
                let t = match is_iso {
                    false => Calendar::default().parse_time(s),
                    true => epoch.parse_time(s),
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
            let col = if r.cell("queue").is_some() {
                "queue"
            } else {
                "workstream"
            };
            let queue = r.required(p, col).map(str::to_string);
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
            let (Some(arrival), Some(queue), Some(outcome), Some(wait), Some(handle), Some(wrap)) =
                (arrival, queue, outcome, wait, handle, wrap)
            else {
                return;
            };
            rows += 1;
            if let Some(rep) = r.cell("replication") {
                if !replications.contains(rep) {
                    replications.insert(rep.to_string());
                }
            }
            let next = names.len() as u32;
            let q = *names.entry(queue).or_insert(next);
            if durations.len() <= q as usize {
                durations.resize_with(q as usize + 1, Default::default);
            }
            let d = &mut durations[q as usize];
            let outcome = outcome.unwrap_or(0);
            if outcome == 1 {
                if let Some(h) = handle {
                    d[0].events.push(h.as_secs_f64());
                }
            }
            if let Some(w) = wrap {
                d[1].events.push(w.as_secs_f64());
            }
            match (outcome, wait) {
                (1, Some(w)) if w > SimDuration::ZERO => d[2].censored.push(w.as_secs_f64()),
                (2, Some(w)) => d[2].events.push(w.as_secs_f64()),
                _ => {}
            }
            obs.push(Obs {
                queue: q,
                arrival_ms: arrival.as_millis(),
                outcome,
                wait_ms: wait.map(|w| w.as_millis()),
            });
        },
    );
    if !p.any() && obs.is_empty() {
        p.file("the history has no rows");
    }
    if p.any() {
        return Err(p.finish());
    }
    // Queue ids in name order (deterministic whatever the row order).
    let queue_names: Vec<String> = names.keys().cloned().collect();
    let remap: Vec<u32> = {
        let mut m = vec![0; names.len()];
        for (sorted, (_, &first_seen)) in names.iter().enumerate() {
            m[first_seen as usize] = sorted as u32;
        }
        m
    };
    let mut by_name: Vec<[Sample; 3]> = vec![Default::default(); names.len()];
    for (first_seen, d) in durations.into_iter().enumerate() {
        by_name[remap[first_seen] as usize] = d;
    }
    for o in &mut obs {
        o.queue = remap[o.queue as usize];
    }
    let min = obs.iter().map(|o| o.arrival_ms).min().unwrap_or(0);
    let t0 = if iso { min / DAY_MS * DAY_MS } else { 0 };
    let calendar = if iso {
        Calendar {
            start: epoch.to_local(SimTime(t0)),
        }
    } else {
        Calendar::default()
    };
    for o in &mut obs {
        o.arrival_ms -= t0;
    }
    let max = obs.iter().map(|o| o.arrival_ms).max().unwrap_or(0);
    let days = (max / DAY_MS + 1).max(1);
    // A simulator's log holds every replication over the same days: each is a copy of them.
    let copies = replications.len().max(1) as f64;
    let iv = interval.as_millis().max(1);
    let buckets = DAY_MS.div_ceil(iv) as usize;
    let mut profile = vec![vec![0.0; buckets]; queue_names.len()];
    for o in &obs {
        profile[o.queue as usize][((o.arrival_ms % DAY_MS) / iv) as usize] += 1.0;
    }
    for row in &mut profile {
        row.iter_mut().for_each(|c| *c /= days as f64 * copies);
    }
    let per_hour = 3_600_000.0 / iv as f64;
    let start = calendar.start.strftime("%Y-%m-%dT%H:%M").to_string();
    let mut notes = Vec::new();
    if !iso {
        notes.push(format!(
            "the history's times are seconds since t = 0 (no calendar): fitted.toml starts at \
             the default {start} (a Monday); set [scenario] start to the history's first day"
        ));
    }
    let mut report = FitReport {
        start,
        notes: Vec::new(),
        queues: BTreeMap::new(),
    };
    let mut samples = Vec::new();
    for (q, name) in queue_names.iter().enumerate() {
        let counts = &profile[q];
        let first = counts.iter().position(|c| *c > 0.0).unwrap_or(0);
        let last = counts.iter().rposition(|c| *c > 0.0).unwrap_or(0);
        let by_time_of_day = (first..=last)
            .map(|b| {
                let ms = b as u64 * iv;
                (
                    format!("{:02}:{:02}", ms / 3_600_000, ms / 60_000 % 60),
                    counts[b] * per_hour,
                )
            })
            .collect();
        let [h, w, pt] = std::mem::take(&mut by_name[q]);
        let fits = [h, w, pt].map(|s| {
            let c = fit_all(&s);
            (s, c)
        });
        let to_json = |c: &Option<Vec<Candidate>>| {
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
        let handle = to_json(&fits[0].1);
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
        report.queues.insert(
            name.clone(),
            QueueFit {
                arrivals: ArrivalFit {
                    interval_s: iv / 1000,
                    by_time_of_day,
                },
                handle,
                wrap_up: to_json(&fits[1].1),
                patience: to_json(&fits[2].1),
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
        calendar,
        report,
        profile,
        samples,
        obs,
        rows,
    })
}

/// A duration for a scenario file.
fn secs(s: f64) -> String {
    format!("\"{:.3}s\"", s.max(0.001))
}

fn dist_toml(f: &Option<Vec<Candidate>>) -> Option<String> {
    let b = best(f.as_ref()?)?;
    let (m, sd) = b.family.mean_sd();
    Some(match b.family.name() {
        "exponential" => format!("{{ dist = \"exponential\", mean = {} }}", secs(m)),
        name => format!(
            "{{ dist = \"{name}\", mean = {}, sd = {} }}",
            secs(m),
            secs(sd)
        ),
    })
}

impl Fitted {
    /// The runnable scenario `fitted.toml`.
    pub fn scenario_toml(&self) -> String {
        let mut s = format!(
            "# Fitted by `omnisim fit` from {} over {}.\n\
             # One work stream per queue (voice, one conversation per agent: edit channel,\n\
             # capacity_units and capacity for multi-chat); agents = ceil(peak offered load / 0.85),\n\
             # a starting point for `omnisim sweep … --vary agent_groups.agents.count=…`.\n\
             [scenario]\nname = \"fitted\"\nstart = \"{}\"\nhorizon = \"{}d\"\nseed = 1\nreplications = 5\n\n",
            crate::report::format::plural(self.rows, "conversation"),
            crate::report::format::plural(self.days, "day"),
            self.calendar.start.strftime("%Y-%m-%dT%H:%M"),
            self.days
        );
        let iv = self.interval.as_millis();
        let mut peak_load = vec![0.0; self.profile.first().map_or(0, Vec::len)];
        for (q, name) in self.queue_names.iter().enumerate() {
            let [h, w, p] = &self.samples[q];
            let handle = match dist_toml(&h.1) {
                Some(d) => d,
                None => format!(
                    "{{ dist = \"exponential\", mean = {} }}   # NOT FITTED: the history has no \
                     handle times; an assumed default, replace it",
                    secs(ASSUMED_HANDLE_S)
                ),
            };
            s += &format!(
                "[[workstreams]]\nname = {name:?}\nchannel = \"voice\"\ncapacity_units = 100\nhandle_time = {handle}\n"
            );
            if let Some(d) = dist_toml(&w.1) {
                s += &format!("wrap_up_time = {d}\n");
            }
            if let Some(d) = dist_toml(&p.1) {
                s += &format!("patience = {d}\n");
            }
            let busy = |x: &Option<Vec<Candidate>>| {
                x.as_ref()
                    .and_then(|c| best(c))
                    .map_or(0.0, |b| b.family.mean_sd().0)
            };
            let handle_s = if h.1.is_none() {
                ASSUMED_HANDLE_S
            } else {
                busy(&h.1)
            };
            let work_s = handle_s + busy(&w.1);
            for (b, c) in self.profile[q].iter().enumerate() {
                peak_load[b] += c / (iv as f64 / 1000.0) * work_s;
            }
            s += &format!("\n[[queues]]\nname = {name:?}\nworkstream = {name:?}\n");
            let mut entries = Vec::new();
            for d in 0..self.days {
                for (b, c) in self.profile[q].iter().enumerate() {
                    let at = d * DAY_MS + b as u64 * iv;
                    entries.push(format!(
                        "[\"{}s\", \"{:.6}/h\"]",
                        at / 1000,
                        c * 3_600_000.0 / iv as f64
                    ));
                }
            }
            if self.profile[q].iter().all(|c| *c == 0.0) {
                s += "\n";
            } else {
                s += &format!("arrivals = {{ profile = [{}] }}\n\n", entries.join(", "));
            }
        }
        let peak = peak_load.iter().copied().fold(0.0, f64::max);
        let count = ((peak / 0.85).ceil() as u64).max(1);
        let queues: Vec<String> = self.queue_names.iter().map(|q| format!("{q:?}")).collect();
        s += &format!(
            "[[agent_groups]]\nname = \"agents\"\ncount = {count}\ncapacity = 100\nqueues = [{}]\n",
            queues.join(", ")
        );
        s
    }

    /// `actuals.json`: the history's own outcomes in `summary.json` form (the figures a run
    /// of `sc` would report, from the history's rows instead of a simulation).
    pub fn actuals(&self, sc: &crate::scenario::Scenario) -> crate::report::Summary {
        use crate::metrics::Recorder;
        use crate::model::QueueId;
        let mut rec = Recorder::new(
            0,
            SimTime::ZERO,
            sc.horizon,
            sc.service_level,
            sc.queues.len(),
            &[],
            Vec::new(),
        );
        let mut open = 0;
        let mut end = 0;
        // Rows still waiting at the end of the history (no outcome, a wait above 0) are delayed.
        let mut late = vec![0u64; sc.queues.len()];
        for o in &self.obs {
            let q = QueueId(o.queue);
            let at = SimTime(o.arrival_ms);
            let wait = SimDuration::from_millis(o.wait_ms.unwrap_or(0));
            rec.arrived(at, q, true);
            end = end.max(o.arrival_ms + wait.as_millis());
            match o.outcome {
                1 => {
                    rec.answered(at + wait, q, wait, true);
                    rec.closed(q, true);
                }
                2 => {
                    rec.abandoned(at + wait, q, wait, true);
                    rec.closed(q, true);
                }
                3 => rec.closed(q, true),
                _ => {
                    open += 1;
                    late[o.queue as usize] += (wait > SimDuration::ZERO) as u64;
                }
            }
        }
        let mut rep = rec.finish(SimTime(end), open);
        for (q, n) in rep.queues.iter_mut().zip(&late) {
            q.delayed += n;
            rep.total.delayed += n;
        }
        let out = crate::sim::RunOutput {
            dashboard: None,
            seed: sc.seed,
            replications: 1,
            reps: vec![rep],
            wall_s: 0.0,
            partial: false,
        };
        let mut named = sc.clone();
        named.name = "actuals".into();
        crate::report::build(&named, &out)
    }

    /// Writes `fitted.toml`, `fit.json`, `actuals.json` and `fit.html` into `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        let toml = self.scenario_toml();
        let sc = crate::scenario::load_str_with(
            &toml,
            "fitted.toml",
            &crate::scenario::LoadOptions { allow_huge: true },
        )
        .map_err(|e| std::io::Error::other(format!("the fitted scenario does not load: {e}")))?;
        let mut fit = serde_json::to_string_pretty(&self.report).map_err(std::io::Error::other)?;
        fit.push('\n');
        let mut actuals =
            serde_json::to_string_pretty(&self.actuals(&sc)).map_err(std::io::Error::other)?;
        actuals.push('\n');
        let html = html::render(self);
        std::fs::create_dir_all(dir)?;
        let mut out = Vec::new();
        for (name, bytes) in [
            ("fitted.toml", toml.as_bytes()),
            ("fit.json", fit.as_bytes()),
            ("actuals.json", actuals.as_bytes()),
            ("fit.html", html.as_bytes()),
        ] {
            let p = dir.join(name);
            crate::report::write_atomic(&p, bytes)?;
            out.push(p);
        }
        Ok(out)
    }
}
