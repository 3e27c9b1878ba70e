//! Parameter sweeps: run a scenario at every point of a grid of TOML overrides (points in
//! parallel), and find the smallest value meeting a target.
//!
//! Target search: with one integer axis whose grid results pass the target in a monotone way
//! (fail … fail, pass … pass), the gap between the last failing and the first passing grid value
//! is closed by bisection, so a coarse grid (`20..60:10`) still gives the exact smallest count.
//! Otherwise the grid is scanned and the first passing point (in grid order, the first axis
//! slowest) is the answer. Every point uses the scenario's seed: points share their random
//! streams (common random numbers), which keeps the search's comparisons paired.
//!
//! Sharded sweeps ([`super::sweep_shard`]) run the grid points on several machines; the merge
//! then runs [`finish`], the same search as one machine, bisection points included.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::report::{self, Summary};
use crate::scenario::{self, Scenario};
use crate::sim::{self, RunOptions};
use crate::traffic::cache::ReadCache;

use super::grid::{self, Vary};
use super::overrides;
use super::sweep_precision::{read, Reading};
use super::target::{self, Target};

/// What to sweep.
#[derive(Clone, Debug)]
pub struct SweepSpec {
    /// The scenario file's text.
    pub text: String,
    /// Its file name, for error messages.
    pub origin: String,
    /// The varied keys.
    pub axes: Vec<Vary>,
    /// The target to search for, if any.
    pub target: Option<Target>,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Overrides the scenario's replication count.
    pub replications: Option<u32>,
    /// `--allow-huge`: every point's scenario is loaded beyond the size limits
    /// ([`scenario::LoadOptions::allow_huge`]), as `run --allow-huge` loads one.
    pub allow_huge: bool,
    /// The stamps of the files its points read (shared by clones): every point, grid and
    /// bisection step, must see each file as the first point did ([`pin`]). Start with
    /// `Default::default()`.
    pub pins: std::sync::Arc<std::sync::Mutex<Pins>>,
}

/// One point run.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    /// The varied values, in axis order.
    pub values: Vec<f64>,
    /// Its summary.
    pub summary: Summary,
    /// Whether it was added by the bisection (not on the grid).
    pub refined: bool,
}

/// How the answer was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Bisection between grid values.
    Bisection,
    /// The first passing grid point.
    GridScan,
}

/// The smallest point meeting the target.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// Its varied values.
    pub values: Vec<f64>,
    /// The target metric there.
    pub metric_value: f64,
    /// How it was found.
    pub method: Method,
}

/// A finished sweep.
#[derive(Clone, Debug)]
pub struct SweepResult {
    /// The axes.
    pub axes: Vec<Vary>,
    /// Every point run, sorted by values.
    pub points: Vec<SweepPoint>,
    /// The target, if any.
    pub target: Option<Target>,
    /// With a target: the answer, or `None` when no value meets it.
    pub answer: Option<Answer>,
    /// True when a stop request (SIGINT, SIGTERM) cut the sweep short: `points` holds only the
    /// points run to their end and `answer` is `None`. Cut in the grid (or while the search
    /// refined its points: each keeps its last whole run), no target search was made; cut in
    /// the bisection, see `search_cut`.
    pub partial: bool,
    /// When the stop request came during the bisection: the last failing and the first passing
    /// value it had reached (the smallest value meeting the target lies in `(lo, hi]`); the
    /// grid and the finished bisection steps are in `points`.
    pub search_cut: Option<(f64, f64)>,
    /// When an input file changed during the target search ([`SweepError::Changed`], bad
    /// input): its message. The result is then `partial` like a stopped search (the grid and
    /// the finished steps kept, `search_cut` where it was cut), and the command exits 2 once it
    /// has written them.
    pub refused: Option<String>,
}

/// Why a sweep could not run (bad input).
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// An axis' key path does not exist in the scenario: fix the axis (`--vary`; the command
    /// line adds the flag's name).
    #[error("{0}")]
    Override(String),
    /// A point's scenario is invalid (e.g. a count of 0).
    #[error("the scenario at {point} is invalid:\n{message}")]
    Invalid {
        /// `path=value, …`
        point: String,
        /// The validation report.
        message: String,
    },
    /// The target names an unknown metric.
    #[error("{0}")]
    Target(String),
    /// A file the scenario reads (`[traffic]` replay, forecast, roster) changed while the
    /// sweep ran: its points would mix two versions of it (issue 25, eleventh tester).
    #[error(
        "{key} = {file} changed while the sweep ran (its points read different versions of \
         it); run the sweep again once the file no longer changes"
    )]
    Changed {
        /// The scenario key naming the file, e.g. `traffic.roster`.
        key: String,
        /// The file, as the scenario names it.
        file: String,
    },
}

/// The file stamps a sweep's points saw, by resolved path: the first seen of each file
/// (`None`: not a regular file), with the scenario key naming it and the file as the scenario
/// names it.
pub type Pins =
    BTreeMap<std::path::PathBuf, (Option<crate::traffic::cache::Stamp>, String, String)>;

/// Checks the stamps of `sc`'s `[traffic]` files against those `spec`'s points saw first
/// (adding the files not seen yet; taken after each point's load): `Err(Changed)` for a file
/// whose stamp differs, so one sweep never mixes two versions of an input (a roster edited
/// between the grid and a bisection step).
pub fn pin(spec: &SweepSpec, sc: &Scenario) -> Result<(), SweepError> {
    let mut pins = spec.pins.lock().unwrap_or_else(|e| e.into_inner());
    for (key, shown, path) in &sc.traffic.files {
        let now = crate::traffic::cache::stamp(path);
        match pins.get(path) {
            Some((first, _, _)) if *first != now => {
                return Err(SweepError::Changed {
                    key: key.clone(),
                    file: shown.clone(),
                })
            }
            Some(_) => {}
            None => {
                pins.insert(path.clone(), (now, key.clone(), shown.clone()));
            }
        }
    }
    Ok(())
}

/// `err`, a point's scenario that did not load, as [`SweepError::Changed`] when a file an
/// earlier point read fine has changed since (issue 25, twelfth tester: a forecast rewritten
/// in place mid-sweep read as empty, "the scenario at … is invalid: fc.csv: the file is
/// empty"); else `err` as it is.
fn or_changed(spec: &SweepSpec, err: SweepError) -> SweepError {
    if !matches!(err, SweepError::Invalid { .. }) {
        return err;
    }
    let pins = spec.pins.lock().unwrap_or_else(|e| e.into_inner());
    pins.iter()
        .find(|(path, (first, _, _))| crate::traffic::cache::stamp(path) != *first)
        .map_or(err, |(_, (_, key, file))| SweepError::Changed {
            key: key.clone(),
            file: file.clone(),
        })
}

/// Why the words of a sweep (axes, target, overrides) do not make one; the messages name no
/// flag (the command line adds them).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SpecError {
    /// No axis: give at least one `PATH=FROM..TO[:STEP]`.
    #[error("a sweep needs at least one axis PATH=FROM..TO[:STEP]")]
    NoAxis,
    /// Zero replications: give at least 1.
    #[error("replications must be at least 1")]
    ZeroReplications,
    /// An axis that does not parse.
    #[error(transparent)]
    Axis(#[from] grid::AxisError),
    /// A target that does not parse (the message says what was expected).
    #[error("{0}")]
    Target(String),
    /// Two axes vary the same key path (the grid would hold contradictory points, the last
    /// value silently winning): give each key one axis, listing all its values there.
    #[error("{0:?} is varied twice: give each key one axis (e.g. {0}=8,10,12)")]
    DuplicateAxis(String),
}

impl SweepSpec {
    /// Builds a spec from the command line's words: the scenario file's `text` and name
    /// (`origin`), the axes (`--vary`), the target text (`--target`) and the overrides. The
    /// merge of sweep shards rebuilds the spec from the same words, so both see the very same
    /// grid.
    ///
    /// Errors: [`SpecError`]: no axis, 0 replications, or an axis or target that does not parse.
    pub fn from_args(
        text: String,
        origin: String,
        vary: &[String],
        target: Option<&str>,
        seed: Option<u64>,
        replications: Option<u32>,
    ) -> Result<SweepSpec, SpecError> {
        if vary.is_empty() {
            return Err(SpecError::NoAxis);
        }
        if replications == Some(0) {
            return Err(SpecError::ZeroReplications);
        }
        let axes: Vec<Vary> = vary
            .iter()
            .map(|v| grid::parse(v))
            .collect::<Result<_, _>>()?;
        for (i, a) in axes.iter().enumerate() {
            if axes[..i].iter().any(|b| b.path == a.path) {
                return Err(SpecError::DuplicateAxis(a.path.clone()));
            }
        }
        Ok(SweepSpec {
            text,
            origin,
            axes,
            target: target
                .map(target::parse)
                .transpose()
                .map_err(SpecError::Target)?,
            seed,
            replications,
            allow_huge: false,
            pins: Default::default(),
        })
    }
}

/// A point's values as `sweep` names the point: `PATH=VALUE` per axis, joined by `, `
/// (`agent_groups.g.count=20, queues.q.arrivals.rate=3/m`).
pub fn describe(axes: &[Vary], values: &[f64]) -> String {
    axes.iter()
        .zip(values)
        .map(|(a, v)| format!("{}={}", a.path, a.show(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The scenario of one point, and whether `--allow-huge` lifted a size limit for it (it is
/// loaded without the flag first: a scenario within every limit loads once). With `cache`, its
/// `[traffic]` forecast and roster are read through it (shared by the grid's points).
fn scenario_at(
    spec: &SweepSpec,
    values: &[f64],
    cache: Option<&ReadCache>,
) -> Result<(Scenario, bool), SweepError> {
    let sets: Vec<(&str, toml_edit::Value)> = spec
        .axes
        .iter()
        .zip(values)
        .map(|(a, v)| (a.path.as_str(), a.toml(*v)))
        .collect();
    let text = overrides::apply(&spec.text, &sets).map_err(SweepError::Override)?;
    let shown: Vec<(&str, String)> = spec
        .axes
        .iter()
        .zip(values)
        .map(|(a, v)| (a.path.as_str(), a.show(*v)))
        .collect();
    // The sweep's --replications, which each point runs, counted in its size estimates.
    let strict_opts = scenario::LoadOptions {
        allow_huge: false,
        replications: spec.replications,
    };
    let strict = scenario::load_str_cached(&text, &spec.origin, &strict_opts, cache);
    let (loaded, lifted) = match strict {
        Err(_) if spec.allow_huge => {
            let opts = scenario::LoadOptions {
                allow_huge: true,
                replications: spec.replications,
            };
            let huge = scenario::load_str_cached(&text, &spec.origin, &opts, cache);
            let lifted = huge.is_ok();
            (huge, lifted)
        }
        r => (r, false),
    };
    loaded
        .map(|sc| (sc, lifted))
        .map_err(|e| SweepError::Invalid {
            point: describe(&spec.axes, values),
            message: overrides::located(&spec.text, &spec.origin, &text, &shown, e),
        })
}

/// [`scenario_at`], given up at once when `stop` is set while it reads (`None`): a point's
/// scenario is a whole load, its CSV files too (seconds for a roster of a million rows), so
/// the bisection reads it on a thread of its own and watches the flag every 25 ms. The thread
/// given up finishes its read and its result is dropped (the command is ending). Without a
/// flag, read here.
fn scenario_watched(
    spec: &SweepSpec,
    values: &[f64],
    stop: Option<&Stop>,
) -> Option<Result<(Scenario, bool), SweepError>> {
    let Some(stop) = stop else {
        return Some(scenario_at(spec, values, None));
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let (spec_owned, values_owned) = (spec.clone(), values.to_vec());
    std::thread::spawn(move || {
        let _ = tx.send(scenario_at(&spec_owned, &values_owned, None));
    });
    loop {
        if stopped(Some(stop)) {
            return None;
        }
        match rx.recv_timeout(std::time::Duration::from_millis(25)) {
            Ok(r) => return Some(r),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                // The reading thread panicked: read here, so the panic is not lost.
                return Some(scenario_at(spec, values, None));
            }
        }
    }
}

/// Runs the scenario `sc` of one point with the sweep's seed and replication overrides; the
/// raw output, so a sweep shard can store it losslessly (see [`super::sweep_shard`]).
pub fn evaluate(spec: &SweepSpec, sc: &Scenario) -> sim::RunOutput {
    evaluate_stoppable(spec, sc, None)
}

/// As [`evaluate`], stopping at the next check once `stop` is set (the output is then marked
/// partial).
pub fn evaluate_stoppable(spec: &SweepSpec, sc: &Scenario, stop: Option<&Stop>) -> sim::RunOutput {
    let opts = point_options(spec, stop);
    let out = sim::run(sc, &opts, &|_, _, _| {});
    if !out.partial {
        crate::worklog::note(crate::worklog::Unit::Point);
    }
    out
}

/// The summary of one point (marked partial when a stop request cut it short): its run keeps
/// of each replication only its `by_replication` element (issue 25: not its histograms and
/// series).
fn point_summary(
    spec: &SweepSpec,
    sc: &Scenario,
    stop: Option<&Stop>,
    replications: Option<u32>,
) -> report::Summary {
    let mut opts = point_options(spec, stop);
    opts.replications = replications.or(opts.replications);
    let out = sim::run_keep(sc, &opts, &|_, _, _| {}, &|m| report::rep_row(sc, m));
    let summary = report::build(sc, &out);
    if !summary.partial {
        crate::worklog::note(crate::worklog::Unit::Point);
    }
    summary
}

/// The run options of one point: the sweep's seed and replications, stoppable by `stop`.
fn point_options(spec: &SweepSpec, stop: Option<&Stop>) -> RunOptions {
    RunOptions {
        seed: spec.seed,
        replications: spec.replications,
        check_invariants: false,
        shard: None,
        stop: stop.cloned(),
        ..RunOptions::default()
    }
}

/// A stop request: set by a signal handler, read by every run at its next check.
pub type Stop = std::sync::Arc<std::sync::atomic::AtomicBool>;

/// Whether `stop` was set.
pub fn stopped(stop: Option<&Stop>) -> bool {
    stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
}

/// Runs one bisection point; `None` when a stop request cut it short.
fn run_one(
    spec: &SweepSpec,
    sc: &Scenario,
    values: Vec<f64>,
    stop: Option<&Stop>,
) -> Option<SweepPoint> {
    let summary = point_summary(spec, sc, stop, None);
    (!summary.partial).then_some(SweepPoint {
        values,
        summary,
        refined: true,
    })
}

/// The figure `t` judges at `p` ([`Target::judged`]: a count per replication); NaN without
/// data (never meets).
fn metric(t: &Target, p: &SweepPoint) -> f64 {
    t.judged(&p.summary).unwrap_or(f64::NAN)
}

/// Builds and checks every grid point's scenario (and the target's metric) before anything
/// runs: the grid in order (the first axis slowest), each point's values with its scenario.
pub fn prepare(spec: &SweepSpec) -> Result<Vec<(Vec<f64>, Scenario)>, SweepError> {
    prepare_until(spec, None)
}

/// As [`prepare`]; once `stop` is set, no further point is built (a point's scenario is a
/// whole load, roster and all: seconds for a large center) and the grid returned is cut
/// short, its points those built before the stop.
pub fn prepare_until(
    spec: &SweepSpec,
    stop: Option<&Stop>,
) -> Result<Vec<(Vec<f64>, Scenario)>, SweepError> {
    prepare_noting(spec, stop).map(|(grid, _)| grid)
}

/// As [`prepare_until`], also saying whether `--allow-huge` ([`SweepSpec::allow_huge`]) lifted
/// a size limit for any point built (a sweep shard records it, as a run shard does).
pub fn prepare_noting(spec: &SweepSpec, stop: Option<&Stop>) -> Result<Prepared, SweepError> {
    let mut grid = grid::points(&spec.axes);
    let mut lifted = false;
    // Every invalid point at once (an override error is the same for every point: the first).
    let mut scenarios: Vec<Scenario> = Vec::with_capacity(grid.len());
    let mut invalid: Vec<(String, String)> = Vec::new();
    // The grid's CSV files, each parsed once for all the points that read it alike.
    let cache = ReadCache::default();
    for v in &grid {
        if stopped(stop) {
            break;
        }
        match scenario_at(spec, v, Some(&cache)) {
            Ok((sc, l)) => {
                crate::worklog::note(crate::worklog::Unit::Build);
                pin(spec, &sc)?;
                lifted |= l;
                scenarios.push(sc);
            }
            Err(e @ SweepError::Invalid { .. }) => match or_changed(spec, e) {
                SweepError::Invalid { point, message } => invalid.push((point, message)),
                changed => return Err(changed),
            },
            Err(e) => return Err(e),
        }
    }
    match invalid.len() {
        0 => {}
        1 => {
            let (point, message) = invalid.remove(0);
            return Err(SweepError::Invalid { point, message });
        }
        n => {
            let points: Vec<&str> = invalid.iter().map(|(p, _)| p.as_str()).collect();
            let message = invalid
                .iter()
                .map(|(p, m)| format!("at {p}:\n{m}"))
                .collect::<Vec<_>>()
                .join("\n");
            return Err(SweepError::Invalid {
                point: format!("{n} points ({})", points.join("; ")),
                message,
            });
        }
    }
    if let (Some(t), Some(sc)) = (&spec.target, scenarios.first()) {
        target::check(t, sc).map_err(SweepError::Target)?;
    }
    grid.truncate(scenarios.len());
    Ok((grid.into_iter().zip(scenarios).collect(), lifted))
}

/// The grid points built by [`prepare_noting`] (values with their scenario, in grid order) and
/// whether `--allow-huge` lifted a size limit for any of them.
pub type Prepared = (Vec<(Vec<f64>, Scenario)>, bool);

/// Runs the sweep. Every grid point's scenario is built and checked before anything runs.
pub fn run(spec: &SweepSpec) -> Result<SweepResult, SweepError> {
    run_stoppable(spec, None)
}

/// As [`run`]; once `stop` is set (a signal handler), points not yet started are skipped and
/// points running stop at their next check. The result then holds only the points run to
/// their end, makes no target search, and is marked `partial`.
pub fn run_stoppable(spec: &SweepSpec, stop: Option<&Stop>) -> Result<SweepResult, SweepError> {
    let grid = prepare_until(spec, stop)?;
    run_prepared(spec, grid, stop)
}

/// As [`run_stoppable`], with the grid points already built ([`prepare`], in grid order):
/// `omnisim sweep` builds them under its read-stop rule (a stop while they are read ends the
/// command at once, nothing written) and runs them here. A grid cut short is a partial sweep.
pub fn run_prepared(
    spec: &SweepSpec,
    grid: Vec<(Vec<f64>, Scenario)>,
    stop: Option<&Stop>,
) -> Result<SweepResult, SweepError> {
    // Stopped while the points were built: a partial sweep of no point.
    let cut = grid.len() < grid::points(&spec.axes).len();
    let points: Vec<Option<SweepPoint>> = grid
        .into_par_iter()
        .map(|(values, sc)| {
            if stopped(stop) {
                return None;
            }
            let summary = point_summary(spec, &sc, stop, None);
            (!summary.partial).then_some(SweepPoint {
                values,
                summary,
                refined: false,
            })
        })
        .collect();
    if cut || points.iter().any(Option::is_none) {
        let mut r = finish(
            &SweepSpec {
                target: None,
                ..spec.clone()
            },
            points.into_iter().flatten().collect(),
        )?;
        r.target.clone_from(&spec.target);
        r.partial = true;
        return Ok(r);
    }
    finish_stoppable(spec, points.into_iter().flatten().collect(), stop)
}

/// Finishes a sweep from its grid points (in grid order, as [`prepare`] gives them): searches
/// for the target (running the bisection points, if any, here) and sorts the points by value.
/// `run` and the merge of sweep shards share it, so both give the same result.
pub fn finish(spec: &SweepSpec, points: Vec<SweepPoint>) -> Result<SweepResult, SweepError> {
    finish_stoppable(spec, points, None)
}

/// As [`finish`]; once `stop` is set the bisection stops (the step under way at its next
/// check): the result keeps the grid and the finished steps, is marked `partial` and says
/// where the search was cut (`search_cut`).
pub fn finish_stoppable(
    spec: &SweepSpec,
    mut points: Vec<SweepPoint>,
    stop: Option<&Stop>,
) -> Result<SweepResult, SweepError> {
    let (answer, search_cut, refused, grid_cut) = match &spec.target {
        None => (None, None, None, false),
        Some(t) => search(spec, t, &mut points, stop)?,
    };
    points.sort_by(|a, b| {
        a.values
            .iter()
            .zip(&b.values)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(SweepResult {
        axes: spec.axes.clone(),
        points,
        target: spec.target.clone(),
        answer,
        partial: search_cut.is_some() || grid_cut,
        search_cut,
        refused,
    })
}

/// The answer, or where a stop request or a changed input cut the bisection (the last failing
/// and the first passing value, and the changed input's message), and whether a stop or a
/// changed input cut the search before its bisection (while it refined the grid).
type Search = (Option<Answer>, Option<(f64, f64)>, Option<String>, bool);

/// The fewest replications a refinement may double an undecided point up to (or the sweep's
/// own, when more): the same cap as `staff`'s verification
/// ([`crate::staffing::Precision::max_replications`]).
pub const MAX_REFINED_REPLICATIONS: u32 = 128;

/// How refining a point ended.
enum Refined {
    /// Its interval decides the target, or it reached the cap.
    Done,
    /// A stop request came first: the point keeps its last whole run.
    Stopped,
    /// An input file changed: its message.
    Changed(String),
}

/// Doubles `p`'s replications (a fresh run of its scenario on the sweep's seed, so its first
/// replications are those it had) while its 95 % interval reaches the target
/// ([`Reading::Undecided`]), up to [`MAX_REFINED_REPLICATIONS`] or the sweep's own: a
/// decision is taken at a stated precision, not on what a few replications happened to show
/// (issue 25, sixteenth session: a step whose interval reached the target was decided on its
/// estimate). A point without an interval ([`Reading::NoMargin`]) is left as it is.
fn refine(
    spec: &SweepSpec,
    t: &Target,
    p: &mut SweepPoint,
    stop: Option<&Stop>,
) -> Result<Refined, SweepError> {
    let cap = MAX_REFINED_REPLICATIONS.max(p.summary.replications);
    while read(t, p) == Reading::Undecided && p.summary.replications < cap {
        let n = p.summary.replications.saturating_mul(2).min(cap);
        let Some(built) = scenario_watched(spec, &p.values, stop) else {
            return Ok(Refined::Stopped);
        };
        let pinned = built
            .map_err(|e| or_changed(spec, e))
            .and_then(|(sc, _)| pin(spec, &sc).map(|()| sc));
        let sc = match pinned {
            Ok(sc) => sc,
            Err(e @ SweepError::Changed { .. }) => return Ok(Refined::Changed(e.to_string())),
            Err(e) => return Err(e),
        };
        if stopped(stop) {
            return Ok(Refined::Stopped);
        }
        let summary = point_summary(spec, &sc, stop, Some(n));
        if summary.partial {
            return Ok(Refined::Stopped);
        }
        p.summary = summary;
    }
    Ok(Refined::Done)
}

fn search(
    spec: &SweepSpec,
    t: &Target,
    points: &mut Vec<SweepPoint>,
    stop: Option<&Stop>,
) -> Result<Search, SweepError> {
    // The grid in order up to its first point meeting the target: each undecided point is
    // refined first, so which points pass (and so the answer, or the gap the bisection closes)
    // rests on intervals that decide.
    for p in points.iter_mut() {
        match refine(spec, t, p, stop)? {
            Refined::Done => {}
            Refined::Stopped => return Ok((None, None, None, true)),
            Refined::Changed(m) => return Ok((None, None, Some(m), true)),
        }
        if t.meets(metric(t, p)) {
            break;
        }
    }
    let pass: Vec<bool> = points.iter().map(|p| t.meets(metric(t, p))).collect();
    let first = match pass.iter().position(|&x| x) {
        Some(i) => i,
        None => return Ok((None, None, None, false)),
    };
    let monotone = pass[first..].iter().all(|&x| x);
    let one_int_axis = spec.axes.len() == 1 && spec.axes[0].integer;
    if !(monotone && one_int_axis && first > 0) {
        return Ok((
            Some(Answer {
                values: points[first].values.clone(),
                metric_value: metric(t, &points[first]),
                method: Method::GridScan,
            }),
            None,
            None,
            false,
        ));
    }
    let (mut lo, mut hi) = (points[first - 1].values[0], points[first].values[0]);
    let mut best = (hi, metric(t, &points[first]));
    let mut method = Method::GridScan;
    while hi - lo > 1.0 {
        method = Method::Bisection;
        let mid = (lo + (hi - lo) / 2.0).floor();
        // A stop while the step's scenario is read ends the search at once too.
        let Some(built) = scenario_watched(spec, &[mid], stop) else {
            return Ok((None, Some((lo, hi)), None, false));
        };
        // The step read the grid's files as they were (issue 25: not an edited roster); a file
        // that changed (a read that fails now, or other contents) ends the search here, the
        // grid and the steps run so far kept, marked partial (twelfth tester: they were lost).
        let pinned = built
            .map_err(|e| or_changed(spec, e))
            .and_then(|(sc, _)| pin(spec, &sc).map(|()| sc));
        let sc = match pinned {
            Ok(sc) => sc,
            Err(e @ SweepError::Changed { .. }) => {
                return Ok((None, Some((lo, hi)), Some(e.to_string()), false))
            }
            Err(e) => return Err(e),
        };
        // A stop request ends the search here: the steps run so far are kept.
        let Some(mut p) = (!stopped(stop))
            .then(|| run_one(spec, &sc, vec![mid], stop))
            .flatten()
        else {
            return Ok((None, Some((lo, hi)), None, false));
        };
        // An undecided step is refined before it moves the gap; cut there, the step is kept
        // with its last whole run and the gap stays as it was.
        match refine(spec, t, &mut p, stop)? {
            Refined::Done => {}
            Refined::Stopped => {
                points.push(p);
                return Ok((None, Some((lo, hi)), None, false));
            }
            Refined::Changed(m) => {
                points.push(p);
                return Ok((None, Some((lo, hi)), Some(m), false));
            }
        }
        let m = metric(t, &p);
        if t.meets(m) {
            hi = mid;
            best = (mid, m);
        } else {
            lo = mid;
        }
        points.push(p);
    }
    Ok((
        Some(Answer {
            values: vec![best.0],
            metric_value: best.1,
            method,
        }),
        None,
        None,
        false,
    ))
}
