//! The files `omnisim staff` writes: `staffing.csv` (contract columns first), `roster.csv` (the
//! roster format of "Real traffic", so it feeds straight back into a scenario) and
//! `staffing.html` (requirement, Erlang C and the roster's coverage side by side, one
//! self-contained page), plus the terminal text.

use std::fmt::Write;

use crate::report::csv::{num, opt};
use crate::report::format::{clock, pct, value};
use crate::scenario::Scenario;
use crate::time::SimTime;

use super::{IntervalRow, Roster, StaffResult};

/// `staffing.csv` columns: the contract's, then omnisim's (`erlang_a` comes after
/// `service_level_ci_high` when customers have patience). `target_ci95_half` is the 95%
/// half-width of `target_value` the decision read (`target_status` is `met` only when
/// `target_value` ± it clears the target).
pub const COLUMNS: [&str; 19] = [
    "interval_start",
    "group",
    "required",
    "erlang_c",
    "offered_load",
    "service_level",
    "service_level_ci_low",
    "service_level_ci_high",
    "arrival_rate_per_h",
    "scheduled",
    "target_metric",
    "target_value",
    "erlang_c_service_level",
    "roster_coverage",
    "model",
    "target_status",
    "existing",
    "target_ci95_half",
    "reason",
];

/// An interval's `target_status` in `staffing.csv`: `met`, `not_confirmed` (within the noise of
/// the target at the most replications: the terminal's "not confirmed"), `missed` (still
/// significantly missing it when more agents stopped helping: the terminal's "missed"),
/// `not_measured` (no conversation the target's metric counts in the interval, so nothing to
/// judge: the terminal's "not measured"; never `met`), or empty when a stop request cut the
/// verification short (nothing decided).
fn target_status(r: &StaffResult, i: usize) -> &'static str {
    if r.interrupted.is_some() {
        ""
    } else if r.missed.contains(&i) || r.rows[i].starved {
        "missed"
    } else if r.unresolved.contains(&i) {
        "not_confirmed"
    } else if r.rows[i].value.is_none() {
        "not_measured"
    } else {
        "met"
    }
}

/// An interval's `reason` in `staffing.csv`: why its `required` is what it is when the
/// simulation had nothing there to judge. `closed` (every queue of the group closed, its
/// traffic sent elsewhere or ended: 0 agents), `no_traffic` (nothing arrives for the group's
/// queues: 0 agents), `unconfirmed` (not measured, yet the stationary model asks for agents:
/// `required` is its figure, not confirmed by the simulation); empty otherwise.
fn reason(r: &StaffResult, i: usize) -> &'static str {
    let row = &r.rows[i];
    match &row.no_traffic {
        Some(super::NoTraffic::Closed(_)) => "closed",
        Some(super::NoTraffic::NoArrivals) => "no_traffic",
        None if unconfirmed(r, i) => "unconfirmed",
        None => "",
    }
}

/// Whether row `i` of `r` is not measured by the simulation and yet requires agents: its
/// `required` is the stationary model's, not confirmed (the table marks it `*`).
fn unconfirmed(r: &StaffResult, i: usize) -> bool {
    let row = &r.rows[i];
    r.interrupted.is_none() && row.value.is_none() && !row.starved && row.required > 0
}

/// The intervals of `r` whose target metric has no value (no conversation it counts in the
/// interval, in any replication): indexes into `r.rows`. Their verdict is "not measured",
/// never "met" (issue 25, a seventeenth tester: a group whose queue only receives moved
/// conversations read "every interval meets the target").
pub fn unmeasured(r: &StaffResult) -> Vec<usize> {
    (0..r.rows.len())
        .filter(|&i| r.rows[i].value.is_none() && !r.rows[i].starved)
        .collect()
}

/// Whether no interval of `r` was measured (every one [`unmeasured`]): the target is not
/// shown met anywhere, so `staff` exits 1 as for a target it cannot meet.
pub fn nothing_measured(r: &StaffResult) -> bool {
    !r.rows.is_empty() && r.rows.iter().all(|x| x.value.is_none() && !x.starved)
}

/// Why an interval is not measured, in words (the same for every target metric).
const UNMEASURED_WHY: &str = "no conversation that arrived at the group's queues was answered \
     or abandoned there in the interval, so the target's metric has no value (a conversation \
     moved into a queue, by an overflow rule, a supervisor or a transfer, counts in the queue \
     it arrived at; docs/metrics.md)";

/// A CSV time: the local ISO date-time when the scenario sets `[scenario] start`, else seconds
/// since t = 0 (both are what the traffic CSV readers take).
fn time(r: &StaffResult, t: SimTime) -> String {
    match &r.calendar {
        Some(c) => c.iso(t),
        None => num(t.as_secs_f64()),
    }
}

/// `staffing.csv`: one row per interval; `interval_start` as a local date-time with
/// `[scenario] start`, else in seconds since t = 0; figures without data are empty; an
/// interrupted staffing adds a last column `partial`, 1 on every row.
pub fn csv(r: &StaffResult) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let with_a = r.rows.iter().any(|x| x.erlang_a.is_some());
    let mut header: Vec<&str> = COLUMNS.to_vec();
    if with_a {
        header.insert(8, "erlang_a");
    }
    // Interrupted (the last finished verification round, nothing decided): a last column
    // `partial`, 1 on every row, as an interrupted sweep's `sweep.csv` has; a whole staffing's
    // CSV has no such column (issue 25, twelfth session).
    let partial = r.interrupted.is_some();
    if partial {
        header.push("partial");
    }
    w.write_record(&header)?;
    for (i, row) in r.rows.iter().enumerate() {
        let ci = row.service_level_ci;
        let mut rec = vec![
            time(r, row.start),
            r.group.clone(),
            row.required.to_string(),
            row.erlang_c.map(|n| n.to_string()).unwrap_or_default(),
            num(row.offered_load),
            opt(row.service_level),
            opt(ci.map(|c| c[0])),
            opt(ci.map(|c| c[1])),
            num(row.arrival_rate_per_h),
            row.scheduled.to_string(),
            r.target.metric.clone(),
            opt(row.value),
            opt(row.erlang_c_service_level),
            row.roster_coverage
                .map(|n| n.to_string())
                .unwrap_or_default(),
            row.model.to_string(),
            target_status(r, i).to_string(),
            num((row.existing * 100.0).round() / 100.0),
            opt(row.value_ci95_half),
            reason(r, i).to_string(),
        ];
        if with_a {
            rec.insert(8, row.erlang_a.map(|n| n.to_string()).unwrap_or_default());
        }
        if partial {
            rec.push("1".to_string());
        }
        w.write_record(&rec)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}

/// `roster.csv` (contract roster format): one row per agent and shift; agents are named
/// `<group>-<k>`; times as local date-times with `[scenario] start` (breaks as `HH:MM-HH:MM`
/// clock pairs on the shift's day), else in seconds since t = 0 (breaks as `start-end`); with
/// `absence` > 0 (the shrinkage), an `absence` column: each agent's probability of not coming
/// in, so the roster run as it is models the shrinkage.
pub fn roster_csv(
    sc: &Scenario,
    r: &StaffResult,
    roster: &Roster,
    absence: f64,
) -> Result<String, csv::Error> {
    let g = &sc.agent_groups[r.group_index];
    let queues: Vec<&str> = g
        .queues
        .iter()
        .map(|q| sc.queues[q.index()].name.as_str())
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "agent",
        "queues",
        "shift_start",
        "shift_end",
        "capacity",
        "breaks",
        "shift",
    ];
    if absence > 0.0 {
        header.push("absence");
    }
    w.write_record(&header)?;
    let mut k = 0;
    for s in &roster.shifts {
        let breaks = s
            .shift
            .breaks
            .iter()
            .map(|&(a, b)| match &r.calendar {
                Some(c) => format!("{}-{}", c.clock(a), c.clock(b)),
                None => format!("{}-{}", num(a.as_secs_f64()), num(b.as_secs_f64())),
            })
            .collect::<Vec<_>>()
            .join(";");
        for _ in 0..s.agents {
            k += 1;
            let mut rec = vec![
                format!("{}-{k}", r.group),
                queues.join(";"),
                time(r, s.shift.start),
                time(r, s.shift.end),
                g.capacity.to_string(),
                breaks.clone(),
                s.template.clone(),
            ];
            if absence > 0.0 {
                rec.push(num(absence));
            }
            w.write_record(&rec)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}

/// An interval's label: clock time, with the date when the run spans more than a day.
fn label(r: &StaffResult, t: SimTime) -> String {
    let multi_day = r.rows.len() as f64 * r.interval.as_secs_f64() > 86_400.0;
    match &r.calendar {
        Some(c) if multi_day => c.iso(t).replace('T', " "),
        Some(c) => c.clock(t),
        None => clock(t.as_secs_f64()),
    }
}

fn row_text(r: &StaffResult, i: usize, row: &IntervalRow) -> Vec<String> {
    let mut cells = vec![
        label(r, row.start),
        num((row.arrival_rate_per_h * 10.0).round() / 10.0),
        format!("{:.1}", row.offered_load),
        match unconfirmed(r, i) {
            true => format!("{}*", row.required),
            false => row.required.to_string(),
        },
        row.erlang_c.map_or_else(|| "—".into(), |n| n.to_string()),
        row.erlang_a.map_or_else(|| "—".into(), |n| n.to_string()),
        pct(row.service_level),
        pct(row.erlang_c_service_level),
        row.roster_coverage
            .map_or_else(|| "—".into(), |n| n.to_string()),
    ];
    if r.existing.any() {
        cells.insert(3, format!("{:.1}", row.existing));
    }
    cells
}

/// The table's header: [`HEADER`], with an `existing` column before `required` when other
/// agents serve the queues.
fn header(r: &StaffResult) -> Vec<&'static str> {
    let mut h = HEADER.to_vec();
    if r.existing.any() {
        h.insert(3, "existing");
    }
    h
}

/// The paragraph on the existing staff (empty without): every figure is in addition to it.
/// The precision reached, when wider than the precision asked (the most replications were
/// not enough): a line saying so and what `met` then rests on. Empty otherwise.
fn reached_text(r: &StaffResult) -> String {
    match r.reached {
        Some(h) if h > r.precision.half_width && r.interrupted.is_none() => format!(
            "\nPrecision reached: ±{} at most (the widest interval's 95% half-width at {}), \
             wider than ±{}: a row is met only when its estimate meets the target by the guard \
             band (±{}) and its 95% interval clears the target; a row whose interval still \
             reaches the target is too close to call (not confirmed)",
            small(h),
            crate::report::format::plural(u64::from(r.replications), "replication"),
            small(r.precision.half_width),
            small(r.precision.half_width / 2.0)
        ),
        _ => String::new(),
    }
}

fn existing_text(r: &StaffResult) -> String {
    let e = &r.existing;
    if !e.any() {
        return String::new();
    }
    let mut o = format!(
        "Existing staff serving these queues, kept in every simulation: {}. `required`, the \
         model's, Erlang C's and Erlang A's figures are agents of group {} IN ADDITION to them; \
         `existing` is those present per interval (mean, in agents of group {}: shifts, breaks, \
         absence and capacity counted)\n",
        e.describe(),
        r.group,
        r.group
    );
    if e.shared > 0 {
        let _ = writeln!(
            o,
            "Approximation: {} also {} other queues (or only some of these); the stationary \
             model counts them as wholly available here, so its start point may be low, and the \
             simulation, with them in place, adds agents where the target is then missed",
            crate::report::format::plural(u64::from(e.shared), "existing agent"),
            if e.shared == 1 { "serves" } else { "serve" }
        );
    }
    o
}

/// Most intervals a "not measured" line names (then how many more).
const LIST: usize = 8;

/// A line for each Erlang column left "—" and why ([`super::erlang_blank`]); empty when both
/// are filled.
pub fn erlang_notes(r: &StaffResult) -> String {
    let patience = r.model_name == "Erlang A";
    let mut o = String::new();
    for (name, c) in [("Erlang C", true), ("Erlang A", false)] {
        if let Some(why) = super::erlang_blank(&r.target.metric, c, patience) {
            let _ = writeln!(o, "{name} —: {why}");
        }
    }
    o
}

const HEADER: [&str; 9] = [
    "interval",
    "arrivals/h",
    "offered load",
    "required",
    "Erlang C",
    "Erlang A",
    "SL (required)",
    "SL (Erlang C)",
    "roster",
];

/// Which simulation the figures come from, for the header: "40 replications, the last of 4
/// simulations"; when the verification was interrupted, the last one that finished (the one
/// cut short is not the figures'), or none.
fn verified_by(r: &StaffResult) -> String {
    let sims = crate::report::format::plural(r.evaluations as u64, "simulation");
    match (&r.interrupted, r.replications) {
        (None, reps) => format!(
            "{}, the last of {sims}",
            crate::report::format::plural(u64::from(reps), "replication")
        ),
        (Some(_), 0) => format!("no simulation finished of {sims} started: interrupted"),
        (Some(_), reps) => format!(
            "{}, the last finished of {sims} started: interrupted",
            crate::report::format::plural(u64::from(reps), "replication")
        ),
    }
}

/// The terminal summary: one line per interval and the verdict.
pub fn text(r: &StaffResult) -> String {
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .enumerate()
        .map(|(i, x)| row_text(r, i, x))
        .collect();
    let mut o = format!(
        "Staffing group {} for {} per {} interval\n\
         Offered load from the arrival process; each interval staffed by the stationary model \
         ({}), then verified by simulation with the rules in the loop \
         ({}; decided at ±{} (95%), {}% family-wise over the intervals){}\n{}\n{}",
        r.group,
        r.target,
        crate::time::SimDuration::from_millis(r.interval.as_millis()),
        r.model_name,
        verified_by(r),
        small(r.precision.half_width),
        value(r.precision.alpha * 100.0),
        reached_text(r),
        existing_text(r),
        crate::report::table::text(&header(r), &rows)
    );
    o.push_str(&erlang_notes(r));
    o.push_str(&super::span::note(r, |t| label(r, t)));
    let peak = r.rows.iter().map(|x| x.required).max().unwrap_or(0);
    // Each interval's agents for the time they are needed ([`super::span::TrafficSpan::needed`]).
    let agent_hours: f64 = r
        .rows
        .iter()
        .map(|x| x.required as f64 * x.traffic.needed.as_secs_f64() / 3600.0)
        .sum();
    let unmeasured = unmeasured(r);
    // "every interval" when each was measured, else only the measured ones are judged.
    let every = if unmeasured.is_empty() {
        "every interval"
    } else {
        "every measured interval"
    };
    let _ = writeln!(
        o,
        "\n{} · peak {} · {:.1} agent-hours required{}",
        if r.interrupted.is_some() {
            "INTERRUPTED: not decided".to_string()
        } else if nothing_measured(r) {
            "NOT MEASURED: no interval has a value of the target's metric to judge".to_string()
        } else if r.met && r.unresolved.is_empty() {
            format!("{every} meets the target")
        } else if r.met {
            format!(
                "no interval misses the target; {} too close to call at {} (not confirmed, \
                 below)",
                crate::report::format::plural(r.unresolved.len() as u64, "interval"),
                crate::report::format::plural(u64::from(r.replications), "replication")
            )
        } else {
            "the target CANNOT be met in every interval".to_string()
        },
        crate::report::format::plural(u64::from(peak), "agent"),
        agent_hours,
        if r.existing.any() {
            format!(
                " in addition to the existing staff ({})",
                r.existing.describe()
            )
        } else {
            String::new()
        }
    );
    if let Some(why) = &r.interrupted {
        let _ = writeln!(o, "interrupted: {why}");
    }
    if !unmeasured.is_empty() && r.interrupted.is_none() {
        let mut at: Vec<String> = unmeasured
            .iter()
            .take(LIST)
            .map(|&i| label(r, r.rows[i].start))
            .collect();
        if unmeasured.len() > LIST {
            at.push(format!("… {} more", unmeasured.len() - LIST));
        }
        let unsure: Vec<usize> = (0..r.rows.len()).filter(|&i| unconfirmed(r, i)).collect();
        let _ = writeln!(
            o,
            "not measured: {} of {} ({}): {UNMEASURED_WHY}; the target is not judged there \
             (`target_status` not_measured){}",
            crate::report::format::plural(unmeasured.len() as u64, "interval"),
            r.rows.len(),
            at.join(", "),
            match unsure.is_empty() {
                true => String::new(),
                false => format!(
                    "; `required` at {} (marked *) is the stationary model's figure on the \
                     expected arrivals, NOT confirmed by the simulation, which had none there \
                     (`reason` unconfirmed)",
                    runs(r, &unsure)
                ),
            }
        );
    }
    o.push_str(&no_traffic_text(r));
    if !r.missed.is_empty() && r.interrupted.is_none() {
        let at: Vec<String> = r
            .missed
            .iter()
            .map(|&i| match r.rows[i].starved {
                true => format!("{} (none answered)", label(r, r.rows[i].start)),
                false => label(r, r.rows[i].start),
            })
            .collect();
        let _ = writeln!(
            o,
            "missed: {} still significantly missing the target at {} ({}): more agents did not \
             close the gap",
            crate::report::format::plural(r.missed.len() as u64, "interval"),
            crate::report::format::plural(u64::from(r.replications), "replication"),
            at.join(", ")
        );
    }
    if !r.unresolved.is_empty() {
        let at: Vec<String> = r
            .unresolved
            .iter()
            .map(|&i| label(r, r.rows[i].start))
            .collect();
        let _ = writeln!(
            o,
            "not confirmed: {} too close to call at {} ({}): the 95% interval still \
             reaches the target (or the estimate is within the guard band); the staffing is \
             kept there",
            crate::report::format::plural(r.unresolved.len() as u64, "interval"),
            crate::report::format::plural(u64::from(r.replications), "replication"),
            at.join(", ")
        );
    }
    match &r.roster {
        Some(Ok(ro)) => {
            let agents: u32 = ro.shifts.iter().map(|s| s.agents).sum();
            let hours: f64 = ro
                .shifts
                .iter()
                .map(|s| {
                    f64::from(s.agents) * s.shift.end.since(s.shift.start).as_secs_f64() / 3600.0
                })
                .sum();
            let _ = writeln!(
                o,
                "roster: {} on {} · {:.1} agent-hours on shift · cost {}",
                crate::report::format::plural(u64::from(agents), "agent"),
                crate::report::format::plural(ro.shifts.len() as u64, "shift"),
                hours,
                value(ro.cost)
            );
            if !ro.optimal {
                let _ = writeln!(
                    o,
                    "  (not proven the cheapest: no roster of these shifts costs less than {}; \
                     the search stopped at {} branch-and-bound nodes)",
                    value(ro.lower_bound),
                    super::cover::NODE_LIMIT
                );
            }
        }
        // An uncovered interval is named as the table names it (clock time, with the date on
        // a multi-day run), not in seconds from t = 0 (a thirteenth tester's finding 8).
        Some(Err(super::cover::CoverError::Uncovered(t))) => {
            let _ = writeln!(
                o,
                "roster: no candidate shift covers the interval starting at {} (needs agents): \
                 add a shift template that works through it",
                label(r, *t)
            );
        }
        Some(Err(e)) => {
            let _ = writeln!(o, "roster: {e}");
        }
        None => {}
    }
    o
}

/// The intervals `at` (indexes into `r.rows`, ascending) as runs of consecutive ones:
/// `0:00–7:30, 20:00–23:30` (each run from its first interval's start to its last's), at most
/// [`LIST`] runs, then how many more.
fn runs(r: &StaffResult, at: &[usize]) -> String {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &i in at {
        match out.last_mut() {
            Some(run) if run.1 + 1 == i => run.1 = i,
            _ => out.push((i, i)),
        }
    }
    let mut words: Vec<String> = out
        .iter()
        .take(LIST)
        .map(|&(a, b)| match a == b {
            true => label(r, r.rows[a].start),
            false => format!(
                "{}–{}",
                label(r, r.rows[a].start),
                label(r, r.rows[b].start)
            ),
        })
        .collect();
    if out.len() > LIST {
        words.push(format!("… {} more", out.len() - LIST));
    }
    words.join(", ")
}

/// The lines on the intervals no conversation can reach the group in
/// ([`super::IntervalRow::no_traffic`]): closed, or nothing arriving; empty without.
fn no_traffic_text(r: &StaffResult) -> String {
    let n = r.rows.len();
    let mut o = String::new();
    let closed: Vec<usize> = (0..n)
        .filter(|&i| matches!(r.rows[i].no_traffic, Some(super::NoTraffic::Closed(_))))
        .collect();
    let none: Vec<usize> = (0..n)
        .filter(|&i| r.rows[i].no_traffic == Some(super::NoTraffic::NoArrivals))
        .collect();
    if !closed.is_empty() {
        let mut why: Vec<&str> = Vec::new();
        for &i in &closed {
            if let Some(super::NoTraffic::Closed(w)) = &r.rows[i].no_traffic {
                if !why.contains(&w.as_str()) {
                    why.push(w);
                }
            }
        }
        let _ = writeln!(
            o,
            "closed: {} of {n} ({}): {}; no conversation reaches group {} there, so it needs no \
             agent for any target and has no Erlang figure (`reason` closed)",
            crate::report::format::plural(closed.len() as u64, "interval"),
            runs(r, &closed),
            why.join(" / "),
            r.group
        );
    }
    if !none.is_empty() {
        let _ = writeln!(
            o,
            "no traffic: {} of {n} ({}): nothing arrives for group {}'s queues there, so it needs \
             no agent for any target and has no Erlang figure (`reason` no_traffic)",
            crate::report::format::plural(none.len() as u64, "interval"),
            runs(r, &none),
            r.group
        );
    }
    o
}

/// A precision (or guard band) as it is decided at: 4 decimals, or enough for three
/// significant digits when it is smaller (±0.00025 for half of `abandonment_rate<=0.01`'s
/// ±0.0005, not a rounded ±0.0003), trailing zeros dropped.
pub(crate) fn small(x: f64) -> String {
    let places = if x > 0.0 && x.is_finite() {
        (2 - x.log10().floor() as i32).max(4) as usize
    } else {
        4
    };
    let t = format!("{x:.places$}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

mod check;
mod html;
pub use check::check_text;
pub use html::html;

#[cfg(test)]
mod tests {
    use super::{check::apart, csv, small, text};
    use crate::staffing::{IntervalRow, NoTraffic, Precision, StaffResult};
    use crate::time::{SimDuration, SimTime};

    /// Three half hours: one measured, one the simulation had nothing in while the model asks
    /// 2 agents, one closed.
    fn result() -> StaffResult {
        let target = crate::workflows::target::parse("service_level.fraction>=0.8").unwrap();
        let row = |i: u64, required: u32, value: Option<f64>, no_traffic: Option<NoTraffic>| {
            IntervalRow {
                start: SimTime(i * 1_800_000),
                arrival_rate_per_h: if no_traffic.is_some() { 0.0 } else { 4.0 },
                required,
                scheduled: required,
                model: required,
                erlang_c: no_traffic.is_none().then_some(required),
                erlang_a: None,
                offered_load: 0.5,
                traffic: crate::staffing::span::TrafficSpan {
                    from: SimTime(i * 1_800_000),
                    to: SimTime((i + 1) * 1_800_000),
                    active: SimDuration::from_secs(1800),
                    needed: SimDuration::from_secs(1800),
                    partial: false,
                },
                value,
                value_ci95_half: value.map(|_| 0.001),
                starved: false,
                service_level: value,
                service_level_ci: None,
                erlang_c_service_level: None,
                roster_coverage: None,
                existing: 0.0,
                no_traffic,
            }
        };
        StaffResult {
            group: "g".into(),
            group_index: 0,
            existing: Default::default(),
            interval: SimDuration::from_secs(1800),
            precision: Precision::for_target(&target, 10),
            target,
            rows: vec![
                row(0, 3, Some(0.9), None),
                row(1, 2, None, None),
                row(
                    2,
                    0,
                    None,
                    Some(NoTraffic::Closed("q: out of hours, ended".into())),
                ),
            ],
            horizon: SimDuration::from_secs(5400),
            model_name: "Erlang C",
            met: true,
            evaluations: 1,
            replications: 10,
            reached: None,
            unresolved: Vec::new(),
            missed: Vec::new(),
            roster: None,
            calendar: None,
            interrupted: None,
        }
    }

    /// Issue 25, sixteenth session: a not-measured interval kept the model's `required`
    /// silently; a closed one gave no reason. The table marks the first `*`, the text says it
    /// is not confirmed, and `staffing.csv`'s `reason` names both.
    #[test]
    fn unmeasured_model_figures_are_marked_and_closed_intervals_give_their_reason() {
        let r = result();
        let t = text(&r);
        assert!(
            t.lines()
                .any(|l| l.starts_with("0:30") && l.contains(" 2* ")),
            "{t}"
        );
        assert!(
            t.lines()
                .any(|l| l.starts_with("0:00") && l.contains(" 3 ")),
            "{t}"
        );
        assert!(
            t.contains("`required` at 0:30 (marked *) is the stationary model's figure"),
            "{t}"
        );
        assert!(t.contains("NOT confirmed by the simulation"), "{t}");
        assert!(
            t.contains("closed: 1 interval of 3 (1:00): q: out of hours, ended; no conversation reaches group g there"),
            "{t}"
        );
        let c = csv(&r).unwrap();
        let reasons: Vec<&str> = c
            .lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap())
            .collect();
        assert_eq!(reasons, ["", "unconfirmed", "closed"], "{c}");
        assert!(
            c.lines()
                .next()
                .unwrap()
                .ends_with(",target_ci95_half,reason"),
            "{c}"
        );
    }

    /// The precision printed is the one decided at: `abandonment_rate<=0.01` is decided at
    /// ±0.0005 with a ±0.00025 guard band (4 decimals printed it ±0.0003).
    #[test]
    fn a_small_precision_is_printed_as_it_is() {
        assert_eq!(small(0.01), "0.01");
        assert_eq!(small(0.005), "0.005");
        assert_eq!(small(0.0005), "0.0005");
        assert_eq!(small(0.00025), "0.00025");
        assert_eq!(small(0.000125), "0.000125");
        assert_eq!(small(1.5), "1.5");
        assert_eq!(small(0.75), "0.75");
    }

    /// Issue 25 leftovers: a roster-check value printed as "0.8" was reported a miss of
    /// ">=0.8". Four decimals always (two for seconds), more when those read as the target.
    #[test]
    fn a_figure_never_reads_as_the_target_it_differs_from() {
        let sl = "service_level.fraction";
        assert_eq!(apart(0.7966, 0.8, sl), "0.7966");
        assert_eq!(apart(0.79996, 0.8, sl), "0.79996");
        assert_eq!(apart(0.8, 0.8, sl), "0.8000");
        assert_eq!(apart(30.004, 30.0, "wait_s.mean"), "30.004");
        assert_eq!(apart(31.5, 30.0, "wait_s.mean"), "31.50");
    }
}
