//! `omnisim forecast HISTORY.csv [--horizon 1d|1w|N days] [--interval 30m] [--level 80]
//! [--method auto] [--backtest N] [--backtest-lead L] [--backtest-until DATE] [--out DIR]`:
//! 0 ok · 2 bad input.
//!
//! Reads and bins the history ([`crate::forecast::read_history`]), forecasts the next open
//! days of each queue ([`crate::forecast::model`]), optionally backtests, prints the day
//! totals and the backtest table and writes forecast.csv, forecast.json, forecast.html.

use std::path::PathBuf;

use crate::forecast::backtest::backtest;
use crate::forecast::model::{forecast, spread, Params, Target, MIN_CALIBRATION_DAYS};
use crate::forecast::output::{ForecastDay, Output, QueueResult};
use crate::forecast::{read_history_with, Horizon};

use super::error::{CliError, CmdResult};
use super::{Global, EXIT_OK};

/// The arguments of `forecast`.
#[derive(Debug, clap::Args)]
pub(crate) struct ForecastArgs {
    /// The history: a volume file (interval_start, [queue], volume) or a conversation
    /// history (arrival, [queue]).
    history: PathBuf,
    /// How far ahead: `1d` / `N days` (open days) or `1w` / `N weeks` (calendar weeks).
    #[arg(long, default_value = "1d")]
    horizon: String,
    /// Interval of the forecast (divides a day; a multiple of the history's grid)
    /// [default: 30m, or the shortest multiple of a coarser grid that divides a day: 1h for
    /// an hourly history].
    #[arg(long)]
    interval: Option<String>,
    /// Prediction-interval level in percent.
    #[arg(long, default_value_t = 80.0)]
    level: f64,
    /// The method: `auto` (= `level-profile`, the only one).
    #[arg(long, default_value = "auto")]
    method: String,
    /// Backtest the last N days (one day ahead unless --backtest-lead).
    #[arg(long)]
    backtest: Option<usize>,
    /// Open days ahead of each backtest forecast.
    #[arg(long, default_value_t = 1)]
    backtest_lead: u32,
    /// End the backtest window on this date (YYYY-MM-DD; the last day with traffic on or
    /// before it) instead of the history's last day: `--backtest 20 --backtest-until
    /// 2003-08-15` scores the 20 days up to 15 August, each forecast from the days before it.
    #[arg(long, value_name = "DATE")]
    backtest_until: Option<String>,
    /// Output folder (default: reports/forecast/).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    global: Global,
}

/// Runs the command.
pub(crate) fn run(a: ForecastArgs) -> CmdResult {
    let mut bad = Vec::new();
    // A bad option is the option's fault, not the history's (it used to read
    // "… bank-calls.csv is not a valid history: the forecast interval 7m …"); its reason is
    // fit's, the same rule (positive, at most a day, whole minutes, dividing a day).
    // `None`: not given, the history's grid decides (`forecast::default_interval`).
    let mut interval_min = None;
    // A length check_interval refuses: worded once the history's grid is known (below).
    let mut refused = None;
    if let Some(text) = &a.interval {
        match crate::time::parse_duration(text) {
            Ok(d) => match crate::fit::arrivals::check_interval(d) {
                Ok(()) => interval_min = Some((d.as_millis() / 60_000) as u32),
                Err(e) => {
                    refused = Some((bad.len(), e));
                    bad.push(format!("--interval {} {e}", text.trim()));
                }
            },
            Err(e) => bad.push(format!(
                "--interval {text:?}: {e}; expected whole minutes such as \"30m\""
            )),
        }
    }
    let horizon = Horizon::parse(&a.horizon)
        .map_err(|e| bad.push(format!("--{e}")))
        .ok();
    if !(a.level > 0.0 && a.level < 100.0) {
        bad.push(format!(
            "--level {}: expected a percentage between 0 and 100, e.g. 80",
            a.level
        ));
    }
    if !matches!(a.method.as_str(), "auto" | "level-profile") {
        bad.push(format!(
            "--method {:?}: expected auto or level-profile",
            a.method
        ));
    }
    if a.backtest == Some(0) {
        bad.push("--backtest 0: expected a number of days ≥ 1".to_string());
    }
    if a.backtest_lead == 0 {
        bad.push("--backtest-lead 0: expected open days ≥ 1".to_string());
    }
    let until = match &a.backtest_until {
        None => None,
        Some(_) if a.backtest.is_none() => {
            bad.push(
                "--backtest-until needs --backtest N (the number of days the window scores)"
                    .to_string(),
            );
            None
        }
        Some(s) => match s.trim().parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                bad.push(format!(
                    "--backtest-until {s:?}: expected a date such as 2003-08-15"
                ));
                None
            }
        },
    };
    let file = a.history.display().to_string();
    // A refused --interval suggests only lengths the history's grid accepts (25h on an hourly
    // grid suggested 15m and 30m, which that grid refuses): the grid of a readable volume file.
    // A few of them, marked "e.g." (an eleventh tester took the list for all: 8h and 12h too).
    if let Some((i, e)) = refused {
        let grid = read_history_with(&a.history, &file, None).map_or(0, |h| h.grid_min);
        if grid > 1 {
            bad[i] = format!(
                "--interval {} {}; on the {grid}-minute grid of {file} use a multiple of \
                 {grid}m that divides 24 h, e.g. {}",
                a.interval.as_deref().unwrap_or("").trim(),
                e.reason(),
                crate::forecast::intervals_on_grid(grid)
            );
        }
    }
    let Some(horizon) = horizon.filter(|_| bad.is_empty()) else {
        return Err(CliError::BadInput(bad));
    };
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports/forecast"));
    // Reading the history is the forecast's work: an older forecast's three files go before
    // it begins, so a stop, a bad history or an error while the files are written leaves
    // none of them to be read as this forecast's (issue 25, thirteenth pass).
    super::stale::clear(&dir, super::stale::Starting::Forecast);
    let history = read_history_with(&a.history, &file, interval_min).map_err(|ds| {
        // The interval against the file's grid is the option's problem: said as such.
        if ds.iter().all(|d| d.message.starts_with("--interval")) {
            return CliError::BadInput(ds.iter().map(|d| d.message.clone()).collect());
        }
        let mut text = format!("{file} is not a valid history:");
        for d in ds {
            text.push_str(&format!("\n{d}"));
        }
        CliError::bad(text)
    })?;
    // What the history does not say, and the model assumed instead (also in forecast.json).
    for note in &history.notes {
        super::warn_about(&file, note);
    }
    let params = Params::default();
    let mut queues = Vec::new();
    // Queues whose backtest can score no day (exit 2, all at once).
    let mut unscorable = Vec::new();
    // A window ending after the history's last day scored only to that day, and said "to"
    // the later date: refused, naming the history's range.
    let first = history
        .queues
        .iter()
        .filter_map(|q| q.days.first())
        .map(|d| d.date)
        .min();
    let last = history
        .queues
        .iter()
        .filter_map(|q| q.days.last())
        .map(|d| d.date)
        .max();
    if let (Some(u), Some(f), Some(l)) = (until, first, last) {
        if u > l {
            return Err(CliError::bad(format!(
                "--backtest-until {u}: the history {file} runs from {f} to {l}; expected a date \
                 on or before {l}"
            )));
        }
    }
    for q in &history.queues {
        let mut days = Vec::new();
        // No forecast day gets the day-after-a-closure effect: a closure is an open weekday
        // without traffic *between* days with traffic. Days without traffic at the end of the
        // file (a cut last day left out, zeros, a queue's export ending early) are missing
        // data, not a holiday; future holidays are not known.
        for (i, date) in horizon
            .dates(history.last_date, &q.open)
            .into_iter()
            .enumerate()
        {
            let lead = i as u32 + 1;
            if let Some(f) = forecast(&q.days, Target::plain(date), lead, a.level, &params) {
                days.push(ForecastDay {
                    date,
                    lead,
                    forecast: f,
                    calibration_days: spread(&q.days, lead, a.level, &params).days,
                });
            }
        }
        // An interval the history's own errors could not calibrate is a fixed guess: say so.
        if let Some(d) = days
            .iter()
            .find(|d| d.calibration_days < MIN_CALIBRATION_DAYS)
        {
            let qname = q
                .queue
                .as_deref()
                .map(|n| format!(" (queue {n})"))
                .unwrap_or_default();
            eprintln!(
                "warning: {file}{qname}: the {}% interval of {} could not be calibrated by \
                 backtesting: that needs {MIN_CALIBRATION_DAYS} days each forecast from the \
                 days before it (at least {} days with traffic), and the history has {}; it uses \
                 a fixed spread (log sd 14% beyond Poisson), a guess, not a calibrated \
                 interval (\"interval_calibrated\": false in forecast.json)",
                crate::report::format::value(a.level),
                if days.len() > 1
                    && days
                        .iter()
                        .all(|x| x.calibration_days < MIN_CALIBRATION_DAYS)
                {
                    "every forecast day".to_string()
                } else {
                    d.date.to_string()
                },
                10 + d.lead as usize + MIN_CALIBRATION_DAYS,
                q.days.len()
            );
        }
        // The window ends on `until`: the days after it are not there for the backtest.
        let end = until.map_or(q.days.len(), |u| q.days.partition_point(|d| d.date <= u));
        if let (Some(u), Some(first)) = (until, q.days.first()) {
            if end == 0 {
                return Err(CliError::bad(format!(
                    "--backtest-until {u}: the history {file} starts on {}; expected a date on \
                     or after it",
                    first.date
                )));
            }
        }
        let scores = a
            .backtest
            .map(|n| backtest(&q.days[..end], n, a.backtest_lead, a.level, &params))
            .unwrap_or_default();
        if let (Some(n), Some(s)) = (a.backtest, scores.first()) {
            let qname = q
                .queue
                .as_deref()
                .map(|n| format!(" (queue {n})"))
                .unwrap_or_default();
            let window = &q.days[..end];
            let range = match (window.first(), window.last()) {
                (Some(f), Some(l)) => format!(" ({} … {})", f.date, l.date),
                _ => String::new(),
            };
            if s.days == 0 {
                // A score of no days would print RMSE 0.0: a perfect score from no data.
                unscorable.push(format!(
                    "--backtest {n}: no day of {file}{qname} can be scored: each scored day \
                     needs an earlier day of its weekday at least {} open day(s) before it, \
                     and the history has {} day(s) with traffic{range}; expected about a week \
                     of history more than the days to score ({} days for --backtest {n})",
                    a.backtest_lead,
                    window.len(),
                    n + 7 + a.backtest_lead as usize - 1
                ));
            } else if s.days < n {
                eprintln!(
                    "warning: {file}{qname}: --backtest {n} scored {} day(s): the others have \
                     no earlier day of their weekday {} open day(s) before them in the \
                     history's {} day(s) with traffic",
                    s.days,
                    a.backtest_lead,
                    window.len()
                );
            }
        }
        queues.push(QueueResult {
            queue: q.queue.clone(),
            days,
            backtest: scores,
        });
    }
    if !unscorable.is_empty() {
        return Err(CliError::BadInput(unscorable));
    }
    let out = Output {
        file: file.clone(),
        history: &history,
        params,
        level: a.level,
        backtest: (a.backtest.unwrap_or(0), a.backtest_lead),
        backtest_until: until,
        queues,
    };
    match out.write(&dir) {
        Ok(paths) => {
            if !a.global.quiet {
                for q in &out.queues {
                    let name = q
                        .queue
                        .as_deref()
                        .map(|n| format!("{n}: "))
                        .unwrap_or_default();
                    for d in &q.days {
                        println!(
                            "{name}{} {:.0} (interval sums {:.0}–{:.0})",
                            d.date,
                            d.forecast.mean.iter().sum::<f64>(),
                            d.forecast.lo.iter().sum::<f64>(),
                            d.forecast.hi.iter().sum::<f64>()
                        );
                    }
                }
                let table = out.backtest_table();
                if !table.is_empty() {
                    println!("\n{table}");
                }
                println!("Wrote:");
                for p in paths {
                    println!("  {}", p.display());
                }
            }
            Ok(EXIT_OK)
        }
        Err(e) => Err(CliError::bad(e)),
    }
}
