//! The files of `omnisim forecast`: `forecast.csv` (the forecast format of `[traffic]
//! forecast` plus `volume_lo`, `volume_hi`; `interval` is each row's length: a day's last
//! bucket its true length, e.g. `5m` for the bank's 21:00–21:05 at `--interval 30m`), `forecast.json` (method, parameters, days,
//! backtest scores) and `forecast.html` (one self-contained page: the history's tail, the
//! forecast with its band, the backtest table; inline SVG, no scripts).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::Serialize;

use super::backtest::Score;
use super::model::{DayForecast, Params};
use super::{History, QueueHistory};

/// One forecast day of one queue.
#[derive(Clone, Debug, PartialEq)]
pub struct ForecastDay {
    /// The date.
    pub date: Date,
    /// Open days after the history's last open day (1 = the next).
    pub lead: u32,
    /// The bucket forecasts.
    pub forecast: DayForecast,
    /// Days of the history whose own lead-`lead` errors calibrated the interval
    /// ([`super::model::Spread::days`]); below [`super::model::MIN_CALIBRATION_DAYS`] the
    /// interval is a fixed guess, `"interval_calibrated": false` in `forecast.json`.
    pub calibration_days: usize,
}

/// Everything forecast for one queue.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueResult {
    /// The queue (`None`: the file has no queue column).
    pub queue: Option<String>,
    /// The forecast days.
    pub days: Vec<ForecastDay>,
    /// Backtest scores (method first, then the baselines); empty without `--backtest`.
    pub backtest: Vec<Score>,
}

/// The whole result of one `forecast` command.
#[derive(Clone, Debug)]
pub struct Output<'a> {
    /// The history file as given.
    pub file: String,
    /// The binned history.
    pub history: &'a History,
    /// The method's parameters.
    pub params: Params,
    /// Prediction-interval level in percent.
    pub level: f64,
    /// Backtest days (0: none) and lead (open days).
    pub backtest: (usize, u32),
    /// The date the backtest window ends on (`--backtest-until`); `None`: the last day.
    pub backtest_until: Option<Date>,
    /// Per queue.
    pub queues: Vec<QueueResult>,
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl Output<'_> {
    /// `HH:MM` of bucket `b` (from the grid's phase, [`History::phase_min`]).
    fn clock(&self, b: usize) -> String {
        let m = self.history.phase_min as usize
            + (self.history.first_bucket as usize + b) * self.history.interval_min as usize;
        format!("{:02}:{:02}", m / 60, m % 60)
    }

    /// Length in minutes of bucket `b`: `--interval`, the day's last bucket its true length
    /// ([`History::last_bucket_min`]).
    fn bucket_min(&self, b: usize) -> u32 {
        if b + 1 == self.history.n_buckets {
            self.history.last_bucket_min
        } else {
            self.history.interval_min
        }
    }

    fn has_queue(&self) -> bool {
        self.queues.iter().any(|q| q.queue.is_some())
    }

    /// The CSV text of `forecast.csv`.
    pub fn csv(&self) -> String {
        let queue = self.has_queue();
        let mut s = String::from(if queue {
            "interval_start,queue,volume,volume_lo,volume_hi,interval\n"
        } else {
            "interval_start,volume,volume_lo,volume_hi,interval\n"
        });
        // Rows in time order, queues within a time.
        let n = self.history.n_buckets;
        let mut dates: Vec<Date> = self
            .queues
            .iter()
            .flat_map(|q| q.days.iter().map(|d| d.date))
            .collect();
        dates.sort();
        dates.dedup();
        for date in dates {
            for b in 0..n {
                for q in &self.queues {
                    let Some(d) = q.days.iter().find(|d| d.date == date) else {
                        continue;
                    };
                    let f = &d.forecast;
                    let _ = write!(s, "{date}T{}", self.clock(b));
                    if queue {
                        let _ = write!(s, ",{}", q.queue.as_deref().unwrap_or(""));
                    }
                    let _ = writeln!(
                        s,
                        ",{:.1},{:.1},{:.1},{}m",
                        f.mean[b],
                        f.lo[b],
                        f.hi[b],
                        self.bucket_min(b)
                    );
                }
            }
        }
        s
    }

    /// The JSON value of `forecast.json`.
    pub fn json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Day {
            date: String,
            weekday: &'static str,
            lead: u32,
            volume: f64,
            volume_lo: f64,
            volume_hi: f64,
            interval_calibrated: bool,
            interval_calibration_days: usize,
        }
        let queues: Vec<serde_json::Value> = self
            .queues
            .iter()
            .zip(&self.history.queues)
            .map(|(q, h)| {
                let days: Vec<Day> = q
                    .days
                    .iter()
                    .map(|d| Day {
                        date: d.date.to_string(),
                        weekday: WEEKDAYS[super::weekday_index(d.date)],
                        lead: d.lead,
                        volume: d.forecast.mean.iter().sum(),
                        volume_lo: d.forecast.lo.iter().sum(),
                        volume_hi: d.forecast.hi.iter().sum(),
                        interval_calibrated: d.calibration_days
                            >= super::model::MIN_CALIBRATION_DAYS,
                        interval_calibration_days: d.calibration_days,
                    })
                    .collect();
                serde_json::json!({
                    "queue": q.queue,
                    "history_days": h.days.len(),
                    "first_day": h.days.first().map(|d| d.date.to_string()),
                    "last_day": h.days.last().map(|d| d.date.to_string()),
                    "closed_weekdays": closed(h),
                    "days": days,
                    "backtest": q.backtest,
                })
            })
            .collect();
        serde_json::json!({
            "history": self.file,
            "method": "level-profile",
            "parameters": self.params,
            "interval_min": self.history.interval_min,
            "last_interval_min": self.history.last_bucket_min,
            "level_pct": self.level,
            "backtest_days": self.backtest.0,
            "backtest_lead_days": self.backtest.1,
            "backtest_until": self.backtest_until.map(|d| d.to_string()),
            "notes": self.history.notes,
            "queues": queues,
        })
    }

    /// Writes the three files into `dir`; returns their paths.
    ///
    /// Errors: the folder or a file cannot be written (the message names it).
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let json = serde_json::to_string_pretty(&self.json()).unwrap_or_default() + "\n";
        let files = [
            ("forecast.csv", self.csv()),
            ("forecast.json", json),
            ("forecast.html", super::html::page(self)),
        ];
        let mut out = Vec::new();
        for (name, text) in files {
            let p = dir.join(name);
            // Atomically: a signal that ends the process mid-write leaves no half-written file.
            crate::report::write_atomic(&p, text.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            out.push(p);
        }
        Ok(out)
    }

    /// The backtest table as terminal text (one block per queue).
    pub fn backtest_table(&self) -> String {
        let mut s = String::new();
        for q in &self.queues {
            if q.backtest.is_empty() {
                continue;
            }
            let name = q
                .queue
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let window = match self.backtest_until {
                Some(u) => format!("{} days to {u}", q.backtest[0].days),
                None => format!("last {} days", q.backtest[0].days),
            };
            let _ = writeln!(
                s,
                "backtest{name}: {window}, {} open day(s) ahead, {}-minute counts",
                self.backtest.1, self.history.interval_min
            );
            let _ = writeln!(
                s,
                "{:<30} {:>8} {:>10} {:>10}",
                "method",
                "RMSE",
                "MAPE day",
                format!("{}% cover", self.level)
            );
            for sc in &q.backtest {
                let cov = sc
                    .coverage
                    .map_or("-".to_string(), |c| format!("{:.1}%", 100.0 * c));
                let _ = writeln!(
                    s,
                    "{:<30} {:>8.1} {:>9.2}% {:>10}",
                    sc.method, sc.rmse, sc.mape_day_pct, cov
                );
            }
        }
        s
    }
}

/// The closed weekdays of `h` by name.
pub fn closed(h: &QueueHistory) -> Vec<&'static str> {
    (0..7)
        .filter(|&w| !h.open[w])
        .map(|w| WEEKDAYS[w])
        .collect()
}
