//! What `fit` writes: the runnable scenario `fitted.toml` ([`Fitted::scenario_toml`]),
//! `actuals.json` ([`Fitted::actuals_json`], counted in [`super::actuals`]) and the four files together ([`Fitted::write`]).
//!
//! `fitted.toml` gives each queue a piecewise-constant arrival profile over the history's span,
//! day by day: an open day gets its weekday's profile (averaged over that weekday's open days),
//! a closed day none; an entry is written only where the rate changes. Its `replications` is
//! the history's replication count (a simulator's log) or 5 for a single history, so a run of
//! it is compared like for like with the log it came from.

use std::path::{Path, PathBuf};

use super::arrivals::DAY_MS;
use super::mle::{best, constant, Candidate, Sample};
use super::{html, Fitted, ASSUMED_HANDLE_S};

/// Replications of `fitted.toml` when the history has no `replication` column.
pub const DEFAULT_REPLICATIONS: u64 = 5;

/// A duration for a scenario file (seconds, 3 decimals, at least 0.001 s), quoted.
pub(crate) fn secs(s: f64) -> String {
    format!("\"{:.3}s\"", s.max(0.001))
}

/// The scenario value of a fitted duration: a constant sample as its value (`None` for a
/// constant 0 when `zero_is_none`: no wrap-up), else the best candidate.
fn dist_toml((sample, f): &(Sample, Option<Vec<Candidate>>), zero_is_none: bool) -> Option<String> {
    if let Some(v) = constant(sample) {
        return (!(zero_is_none && v == 0.0)).then(|| secs(v));
    }
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
    /// The name of `fitted.toml`'s one agent group: the history's group when every answered
    /// row's agent is in one named group (so a backtest compares `agent_groups.NAME` with the
    /// history's), else `agents`.
    pub fn group_name(&self) -> &str {
        let plain = |n: &str| {
            n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))
        };
        match self.groups.names.as_slice() {
            [one] if plain(one) && self.groups.known(&self.actual_rows) => one,
            _ => "agents",
        }
    }

    /// The runnable scenario `fitted.toml`.
    pub fn scenario_toml(&self) -> String {
        let group = self.group_name();
        let mut s = format!(
            "# Fitted by `omnisim fit` from {} over {}.\n\
             # One work stream per queue (voice, one conversation per agent: edit channel,\n\
             # capacity_units and capacity for multi-chat); agents = ceil(peak offered load / 0.85),\n\
             # a starting point for `omnisim sweep … --vary agent_groups.{group}.count=…`.{}\n\
             # Arrivals: each open day has its weekday's profile, closed days none.\n\
             [scenario]\nname = \"fitted\"\nstart = \"{}\"\nhorizon = \"{}d\"\nseed = 1\nreplications = {}\n{}\n",
            crate::report::format::plural(self.rows, "conversation"),
            crate::report::format::plural(self.days, "day"),
            match self.groups.names.len() {
                n if n > 1 && group == "agents" => format!(
                    "\n# The history's {n} agent groups ({}) are this one group: split it by \
                     group to compare agent_groups.* with actuals.json.",
                    crate::traffic::shown(&self.groups.names.join(", ")).replace('\n', " ")
                ),
                _ => String::new(),
            },
            self.calendar.start.strftime("%Y-%m-%dT%H:%M"),
            self.days,
            match self.replications {
                0 => DEFAULT_REPLICATIONS,
                n => n,
            },
            // Only when set (`fit --service-level`): a default fit's fitted.toml is as before.
            match self.service_level {
                super::DEFAULT_SERVICE_LEVEL => String::new(),
                t => format!("service_level = \"{}s\"\n", t.as_millis() as f64 / 1000.0),
            },
        );
        let iv = self.interval.as_millis();
        // Offered load per weekday and interval of the day, summed over the queues.
        let buckets = self.profile.first().map_or(0, Vec::len);
        let mut peak_load = vec![vec![0.0; buckets]; 7];
        for (q, name) in self.queue_names.iter().enumerate() {
            let [h, w, p] = &self.samples[q];
            let handle = match dist_toml(h, false) {
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
            if let Some(d) = dist_toml(w, true) {
                s += &format!("wrap_up_time = {d}\n");
            }
            if let Some(d) = dist_toml(p, false) {
                s += &format!("patience = {d}\n");
            }
            let busy = |(s, x): &(Sample, Option<Vec<Candidate>>)| {
                constant(s).unwrap_or_else(|| {
                    x.as_ref()
                        .and_then(|c| best(c))
                        .map_or(0.0, |b| b.family.mean_sd().0)
                })
            };
            let handle_s = if h.1.is_none() {
                ASSUMED_HANDLE_S
            } else {
                busy(h)
            };
            let work_s = handle_s + busy(w);
            let weekday = &self.arrivals.weekday[q];
            for (wd, p) in weekday.iter().enumerate() {
                for (b, c) in p.iter().flatten().enumerate() {
                    peak_load[wd][b] += c / (iv as f64 / 1000.0) * work_s;
                }
            }
            s += &format!("\n[[queues]]\nname = {name:?}\nworkstream = {name:?}\n");
            let mut entries = Vec::new();
            let mut last: Option<String> = None;
            for d in 0..self.days {
                let day = match (
                    self.arrivals.open[d as usize],
                    &weekday[self.arrivals.weekday_of(d)],
                ) {
                    (true, Some(p)) => Some(p),
                    _ => None,
                };
                for b in 0..buckets {
                    let c = day.map_or(0.0, |p| p[b]);
                    let rate = format!("{:.6}/h", c * 3_600_000.0 / iv as f64);
                    if last.as_ref() != Some(&rate) {
                        let at = d * DAY_MS + b as u64 * iv;
                        entries.push(format!("[\"{}s\", \"{rate}\"]", at / 1000));
                        last = Some(rate);
                    }
                }
            }
            if self.profile[q].iter().all(|c| *c == 0.0) {
                s += "\n";
            } else {
                s += &format!("arrivals = {{ profile = [{}] }}\n\n", entries.join(", "));
            }
        }
        let peak = peak_load.iter().flatten().copied().fold(0.0, f64::max);
        let count = ((peak / 0.85).ceil() as u64).max(1);
        let queues: Vec<String> = self.queue_names.iter().map(|q| format!("{q:?}")).collect();
        s += &format!(
            "[[agent_groups]]\nname = {group:?}\ncount = {count}\ncapacity = 100\nqueues = [{}]\n",
            queues.join(", ")
        );
        s
    }

    /// Writes `fitted.toml`, `fit.json`, `actuals.json` and `fit.html` into `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        let toml = self.scenario_toml();
        let sc = crate::scenario::load_str_with(
            &toml,
            "fitted.toml",
            &crate::scenario::LoadOptions {
                allow_huge: true,
                replications: None,
            },
        )
        .map_err(|e| std::io::Error::other(format!("the fitted scenario does not load: {e}")))?;
        let mut fit = serde_json::to_string_pretty(&self.report).map_err(std::io::Error::other)?;
        fit.push('\n');
        let actuals = self.actuals_json(&sc).map_err(std::io::Error::other)?;
        let mut actuals = serde_json::to_string_pretty(&actuals).map_err(std::io::Error::other)?;
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

/// Milliseconds holding a conversation, from `(agent, from, to)` spans: one agent's
/// overlapping spans count once (a multi-chat agent holding two is busy once); spans without
/// an agent are summed.
pub(crate) fn busy_ms(spans: impl Iterator<Item = (Option<u32>, u64, u64)>) -> i128 {
    let mut total: i128 = 0;
    let mut named: Vec<(u32, u64, u64)> = Vec::new();
    for (agent, from, to) in spans {
        match agent {
            Some(a) => named.push((a, from, to)),
            None => total += (to - from) as i128,
        }
    }
    named.sort_unstable();
    let mut current: Option<(u32, u64, u64)> = None;
    for (a, from, to) in named {
        match &mut current {
            Some((ca, _, end)) if *ca == a && from <= *end => *end = (*end).max(to),
            _ => {
                if let Some((_, s, e)) = current {
                    total += (e - s) as i128;
                }
                current = Some((a, from, to));
            }
        }
    }
    if let Some((_, s, e)) = current {
        total += (e - s) as i128;
    }
    total
}
