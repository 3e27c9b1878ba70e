//! The `[traffic]` section: paths (relative to the scenario file) of a history to replay, an
//! interval forecast and a roster, read with [`crate::traffic`] and merged into the scenario.
//!
//! A queue the forecast or the replay feeds must not have `arrivals` of its own. The forecast
//! sets the queue's arrivals to its piecewise-constant profile; roster agents become one-agent
//! groups after the `[[agent_groups]]` (ids follow theirs), with their `skills` column as their
//! routing skills (names the groups do not hold join the skill table, see [`roster_skills`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::diag::Ctx;
use super::sections::Names;
use super::spanned::{boolean, number, string, table, Span, Table, Val};
use super::suggest::{closest, edit_distance, quoted_list};
use super::types::{AgentGroup, Arrivals, Queue, Workstream};
use crate::calendar::Calendar;
use crate::dist::Dist;
use crate::engine::{Rating, SkillId, SkillSet};
use crate::model::{AgentId, QueueId};
use crate::scenario::Diagnostic;
use crate::time::SimDuration;
use crate::traffic::cache::{Cached, ReadCache};
use crate::traffic::forecast::{read_forecast, Forecast};
use crate::traffic::history::read_replay;
use crate::traffic::roster::read_roster;
use crate::traffic::{Replay, RosterAgent, Traffic};

/// The files of `[traffic]`, read but not yet merged.
#[derive(Debug, Default)]
pub(crate) struct Parts {
    replay: Option<(Replay, Span)>,
    forecast: Option<(Forecast, Span)>,
    roster: Option<(Vec<RosterAgent>, Span)>,
    /// Per roster agent: its skills as ids into the skill table (set by [`roster_skills`]).
    roster_skills: Vec<SkillSet>,
    /// A roster was named but could not be read (its problems are reported): the skills it may
    /// hold are unknown.
    pub(crate) roster_unread: bool,
    /// (key, path as written, path resolved) of every file named (see [`Traffic::files`]).
    files: Vec<(String, String, PathBuf)>,
}

/// Maps the roster agents' skills onto the scenario's skill table: a name no agent group holds
/// joins the table (after the groups' names, in roster order), so classification rules may
/// require it. Call before classification skill names are resolved.
pub(crate) fn roster_skills(parts: &mut Parts, names: &mut Names) {
    let Some((agents, _)) = &parts.roster else {
        return;
    };
    parts.roster_skills = agents
        .iter()
        .map(|a| {
            let mut set: SkillSet = a
                .skills
                .iter()
                .map(|(name, rating)| {
                    let id = names.intern_skill(name);
                    (id as SkillId, *rating as Rating)
                })
                .collect();
            set.sort_unstable();
            set
        })
        .collect();
}

/// Reads `[traffic]` and its CSV files; every CSV problem is recorded in `cx`. With `cache`,
/// the forecast and the roster are read through it (a sweep's points share one read of each:
/// [`ReadCache`]); what they give is the same.
pub(crate) fn traffic(
    cx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    names: &Names,
    cal: Option<Calendar>,
    horizon: Option<SimDuration>,
    cache: Option<&ReadCache>,
) -> Option<Parts> {
    let Some(v) = root.get("traffic") else {
        return Some(Parts::default());
    };
    let t = table(cx, "traffic", v)?;
    t.check_keys(cx, &["replay", "forecast", "roster"]);
    let cal = cal.unwrap_or_default();
    let base: PathBuf = Path::new(cx.file())
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // Names to ids through hash maps (each file row looks its names up: a scan of the queues
    // per row made a roster's reading grow with queues × agents, issue 25 seventh pass). The
    // first of a repeated name wins, as the scans did.
    let queue_names: Vec<&str> = names.queues.iter().map(|q| q.name.as_str()).collect();
    let mut queue_ids: HashMap<&str, u32> = HashMap::with_capacity(queue_names.len());
    for (i, q) in queue_names.iter().enumerate() {
        queue_ids.entry(q).or_insert(i as u32);
    }
    let queue = |name: &str| -> Result<QueueId, String> {
        match queue_ids.get(name) {
            Some(&i) => Ok(QueueId(i)),
            None => Err(unknown("queue", name, &queue_names)),
        }
    };
    let ws_names: Vec<&str> = names.workstreams.iter().map(|w| w.name.as_str()).collect();
    let mut ws_ids: HashMap<&str, usize> = HashMap::with_capacity(ws_names.len());
    for (i, w) in ws_names.iter().enumerate() {
        ws_ids.entry(w).or_insert(i);
    }
    // Per work stream: how many queues it feeds, and the first.
    let mut fed: Vec<(usize, usize)> = vec![(0, 0); ws_names.len()];
    for (q, queue) in names.queues.iter().enumerate() {
        if let Some(f) = queue.workstream.and_then(|w| fed.get_mut(w)) {
            if f.0 == 0 {
                f.1 = q;
            }
            f.0 += 1;
        }
    }
    let workstream = |name: &str| -> Result<QueueId, String> {
        let Some(&wi) = ws_ids.get(name) else {
            return Err(unknown("work stream", name, &ws_names));
        };
        match fed[wi] {
            (1, q) => Ok(QueueId(q as u32)),
            (n, _) => Err(format!(
                "work stream {name:?} has {n} queues; give a `queue` column (route-to-queue rules are not modelled yet)"
            )),
        }
    };
    let mut parts = Parts::default();
    let mut ok = true;
    let file_of = |cx: &mut Ctx<'_>, key: &str, v: &Val<'_>| -> Option<(PathBuf, String)> {
        let rel = string(cx, &t.path_of(key), v)?;
        let path = base.join(&rel);
        Some((path.clone(), path.display().to_string()))
    };
    let mut files = Vec::new();
    if let Some(v) = t.get("replay") {
        match file_of(cx, "replay", v) {
            Some((path, _)) if !readable(cx, &t.path_of("replay"), v, &rel_of(v), &path) => {
                files.push(("traffic.replay".to_string(), rel_of(v), path));
            }
            Some((path, shown)) => {
                files.push(("traffic.replay".to_string(), rel_of(v), path.clone()));
                let horizon = horizon.unwrap_or(SimDuration(u64::MAX));
                let check =
                    |q: QueueId, name: &str, cell: &str| attribute_value(names, q, name, cell);
                match read_replay(&path, &shown, &cal, horizon, &queue, &workstream, &check) {
                    Ok(mut r) => {
                        std::mem::take(&mut r.warnings)
                            .into_iter()
                            .for_each(|d| cx.warn_external(d));
                        unknown_columns(cx, names, &r);
                        parts.replay = Some((r, v.span()));
                    }
                    Err(ds) => ds.into_iter().for_each(|d| cx.external(d)),
                }
            }
            None => ok = false,
        }
    }
    if let Some(v) = t.get("forecast") {
        let spec = forecast_spec(cx, &t.path_of("forecast"), v, &queue);
        match spec.map(|(rel, fixed, band)| {
            let path = base.join(&rel);
            (path.clone(), path.display().to_string(), fixed, rel, band)
        }) {
            Some((path, _, _, rel, _))
                if !readable(
                    cx,
                    &forecast_file_key(&t.path_of("forecast"), v),
                    v,
                    &rel,
                    &path,
                ) =>
            {
                files.push(("traffic.forecast".to_string(), rel, path));
            }
            Some((path, shown, fixed, rel, band)) => {
                files.push(("traffic.forecast".to_string(), rel, path.clone()));
                let read = || read_forecast(&path, &shown, &cal, horizon, fixed, &queue, band);
                let read = match cache {
                    // Every input of the reader but the file: the path (and `shown`, made
                    // from it) and the content are the cache's own key.
                    Some(c) => {
                        let context =
                            format!("{cal:?}|{horizon:?}|{fixed:?}|{band:?}|{queue_names:?}");
                        match c.get_or_read("forecast", &path, context, || Cached::Forecast(read()))
                        {
                            Cached::Forecast(r) => r,
                            Cached::Roster(..) => read(),
                        }
                    }
                    None => read(),
                };
                match read {
                    Ok(mut f) => {
                        if f.band_missing {
                            let key = t.path_of("forecast");
                            cx.error(
                                &format!("{key}.uncertainty"),
                                v.span(),
                                format!(
                                    "uncertainty = true reads the band of each interval, but \
                                     {shown} has no `volume_lo` and `volume_hi` columns; \
                                     expected a forecast with its band (as `omnisim forecast` \
                                     writes it) or `uncertainty = false`"
                                ),
                            );
                        }
                        for d in std::mem::take(&mut f.ignored) {
                            cx.warn_external(d);
                        }
                        if f.outside > 0 {
                            cx.warn_external(Diagnostic {
                                file: shown.clone(),
                                path: "interval_start".into(),
                                line: f.outside_line.map(|l| l as usize),
                                column: None,
                                message: format!(
                                    "{} outside the run (before its start or at or after its \
                                     horizon) skipped; the first is here",
                                    crate::text::plural(f.outside, "row")
                                ),
                                hint: Some(
                                    "check `[scenario] start` and `horizon` against the \
                                     forecast's dates"
                                        .into(),
                                ),
                            });
                        }
                        parts.forecast = Some((f, v.span()))
                    }
                    Err(ds) => ds.into_iter().for_each(|d| cx.external(d)),
                }
            }
            None => ok = false,
        }
    }
    if let Some(v) = t.get("roster") {
        match file_of(cx, "roster", v) {
            Some((path, _)) if !readable(cx, &t.path_of("roster"), v, &rel_of(v), &path) => {
                files.push(("traffic.roster".to_string(), rel_of(v), path));
                parts.roster_unread = true;
            }
            Some((path, shown)) => {
                files.push(("traffic.roster".to_string(), rel_of(v), path.clone()));
                // The [[agent_groups]] by name, with their counts: a roster agent may not
                // take the name of one of their agents (`agent-3`), checked with the roster's
                // other problems so that all are reported at once.
                let counts: HashMap<&str, u32> = names
                    .groups
                    .iter()
                    .filter_map(|g| Some((g.name.as_str(), g.count?)))
                    .collect();
                // A roster agent is an agent group of its own under its name, so an
                // [[agent_groups]] entry's own name is taken too (one `agent_groups` key
                // would count both; a twenty-second fresh tester's find).
                let group_names: std::collections::HashSet<&str> =
                    names.groups.iter().map(|g| g.name.as_str()).collect();
                let taken = |name: &str| {
                    if group_names.contains(name) {
                        return Some(format!(
                            "the name of agent group {name:?}: summary.json's `agent_groups` \
                             key {name:?} (and agents.csv, conversations.csv's `agent_group`) \
                             would count the two as one group"
                        ));
                    }
                    is_group_agent_name(name, &counts).then(|| {
                        format!(
                            "the name of an agent of [[agent_groups]] {:?}",
                            name.rsplit_once('-').map_or("", |(g, _)| g)
                        )
                    })
                };
                let mut ignored = Vec::new();
                let hit = cache.and_then(|c| {
                    cached_roster(c, &path, &shown, &cal, &queue, &queue_names, &taken)
                });
                let read = match hit {
                    Some((r, w)) => {
                        ignored = w;
                        r
                    }
                    None => read_roster(&path, &shown, &cal, &queue, &taken, &mut ignored),
                };
                match read {
                    Ok(r) => {
                        ignored.into_iter().for_each(|d| cx.warn_external(d));
                        if let Some(d) = horizon.and_then(|h| off_shift(&r, h, &cal, &shown)) {
                            cx.warn_external(d);
                        }
                        parts.roster = Some((r, v.span()))
                    }
                    Err(ds) => {
                        parts.roster_unread = true;
                        ds.into_iter().for_each(|d| cx.external(d));
                    }
                }
            }
            None => ok = false,
        }
    }
    parts.files = files;
    ok.then_some(parts)
}

/// Whether the `[traffic]` file at `path` (written `rel` at key `key`, value `v`) can be
/// opened as a regular file; if not, an error at the key naming the path as written and, when
/// it differs, as resolved against the scenario's folder (issue 25, twelfth session: a missing
/// file was named only as resolved, or only as written, without its key).
fn readable(cx: &mut Ctx<'_>, key: &str, v: &Val<'_>, rel: &str, path: &Path) -> bool {
    // The metadata first: opening a named pipe would wait for a writer.
    let why = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => match std::fs::File::open(path) {
            Ok(_) => return true,
            Err(e) => e.to_string(),
        },
        Ok(_) => "not a regular file; expected a CSV file".to_string(),
        Err(e) => e.to_string(),
    };
    let resolved = path.display().to_string();
    let shown = if resolved == rel {
        format!("{rel:?}")
    } else {
        format!("{rel:?} (resolved against the scenario's folder: {resolved})")
    };
    cx.error(
        key,
        v.span(),
        format!(
            "cannot read {shown}: {why}; a [traffic] path is relative to the scenario file's \
             folder, not to the current directory"
        ),
    );
    false
}

/// The key path of a forecast's file: `traffic.forecast` for `forecast = "f.csv"`,
/// `traffic.forecast.file` for `forecast = { file = "f.csv", … }`.
fn forecast_file_key(key: &str, v: &Val<'_>) -> String {
    match v.get_ref() {
        toml::de::DeValue::String(_) => key.to_string(),
        _ => format!("{key}.file"),
    }
}

/// The roster at `path` read through `cache`, when that is what [`read_roster`] with `taken`
/// gives: the cached read is made without the clash check (`taken` depends on the groups'
/// counts, which a sweep varies), and used only when it read cleanly and no agent of it has a
/// group agent's name; the check then finds nothing, as it would have while reading. `None`
/// otherwise: the caller reads the file with `taken`, so every problem is reported as before.
fn cached_roster(
    cache: &ReadCache,
    path: &Path,
    shown: &str,
    cal: &Calendar,
    queue: crate::traffic::history::Resolve<'_>,
    queue_names: &[&str],
    taken: &dyn Fn(&str) -> Option<String>,
) -> Option<RosterRead> {
    let context = format!("{cal:?}|{queue_names:?}");
    let read = || {
        let mut warnings = Vec::new();
        let r = read_roster(path, shown, cal, queue, &|_| None, &mut warnings);
        Cached::Roster(r, warnings)
    };
    match cache.get_or_read("roster", path, context, read) {
        Cached::Roster(Ok(agents), warnings)
            if !agents.iter().any(|a| taken(&a.name).is_some()) =>
        {
            Some((Ok(agents), warnings))
        }
        _ => None,
    }
}

/// A roster's read and the warnings it gave.
type RosterRead = (Result<Vec<RosterAgent>, Vec<Diagnostic>>, Vec<Diagnostic>);

/// A warning when roster agents have no shift that starts before `horizon` (every shift at
/// or after the run's end): the whole roster (nobody is ever on shift, every conversation
/// waits or abandons: almost always dates against the wrong `[scenario] start` or a horizon
/// too short), or the agents concerned, named with their lines. `None` when every agent works
/// in the run. Times are shown as the calendar's date-times with `[scenario] start`, else in
/// seconds.
fn off_shift(
    agents: &[RosterAgent],
    horizon: SimDuration,
    cal: &Calendar,
    shown: &str,
) -> Option<Diagnostic> {
    let end = crate::time::SimTime::ZERO + horizon;
    let show = |t: crate::time::SimTime| match cal.given {
        true => cal.iso(t),
        false => crate::text::seconds(t.as_millis()),
    };
    let idle: Vec<&RosterAgent> = agents
        .iter()
        .filter(|a| a.shifts.iter().all(|&(s, _)| s >= end))
        .collect();
    let first = idle.first()?;
    let run = format!(
        "the run ({} to {})",
        show(crate::time::SimTime::ZERO),
        show(end)
    );
    let message = if idle.len() == agents.len() {
        let earliest = agents
            .iter()
            .filter_map(|a| a.shifts.first())
            .map(|s| s.0)
            .min()?;
        format!(
            "no shift of the roster starts within {run}; the earliest starts at {}: none of \
             its {} agents is ever on shift (without other agents, every conversation waits \
             or abandons)",
            show(earliest),
            agents.len()
        )
    } else {
        let named: Vec<String> = idle
            .iter()
            .take(5)
            .map(|a| format!("{:?} (line {})", a.name, a.line))
            .collect();
        format!(
            "{} {} no shift within {run}: {}{}; {} never on shift",
            idle.len(),
            if idle.len() == 1 {
                "agent has"
            } else {
                "agents have"
            },
            named.join(", "),
            if idle.len() > 5 { ", …" } else { "" },
            if idle.len() == 1 { "it is" } else { "they are" }
        )
    };
    Some(Diagnostic {
        file: shown.to_string(),
        path: "shift_start".into(),
        line: Some(first.line as usize),
        column: None,
        message,
        hint: Some("check `[scenario] start` and `horizon` against the roster's shifts".into()),
    })
}

/// A `[traffic]` file key's path as written (a string, already checked by `file_of`).
fn rel_of(v: &Val<'_>) -> String {
    v.get_ref().as_str().unwrap_or_default().to_string()
}

/// The roster's agent names (each is a group of one), for references to groups: empty
/// without a roster; `None` when `[traffic] roster` is given but could not be read (its
/// problems are already reported).
pub(crate) fn roster_names(root: &Table<'_, '_>, parts: Option<&Parts>) -> Option<Vec<String>> {
    let given = root.get("traffic").is_some_and(
        |v| matches!(v.get_ref(), toml::de::DeValue::Table(t) if t.contains_key("roster")),
    );
    match parts.and_then(|p| p.roster.as_ref()) {
        Some((agents, _)) => Some(agents.iter().map(|a| a.name.clone()).collect()),
        None if given => None,
        None => Some(Vec::new()),
    }
}

/// A replayed attribute value routes the conversation: it must be one the attribute of that
/// name of the row's queue's work stream lists (an empty cell draws one; a column that is no
/// attribute of that work stream is not checked). The error suggests the value meant (`"EN"`
/// → `"en"`).
fn attribute_value(names: &Names, q: QueueId, name: &str, cell: &str) -> Result<(), String> {
    let Some(ws) = names
        .queues
        .get(q.index())
        .and_then(|qi| qi.workstream)
        .and_then(|w| names.workstreams.get(w))
    else {
        return Ok(());
    };
    let Some(spec) = ws.attributes.iter().find(|a| a.name == name) else {
        return Ok(());
    };
    if spec.values.iter().any(|v| v == cell) {
        return Ok(());
    }
    let values = || spec.values.iter().map(String::as_str);
    // A short value is only a typo of one it shares a letter with (`fr` is not `en`).
    let hint = values()
        .find(|v| v.eq_ignore_ascii_case(cell))
        .or_else(|| closest(cell, values()).filter(|c| edit_distance(cell, c) < cell.len()))
        .map(|c| format!(" (did you mean {c:?}?)"))
        .unwrap_or_default();
    Err(format!(
        "{cell:?} is not a value of the attribute `{name}` of work stream {:?} (queue {:?}); \
         expected one of {} or an empty cell{hint}",
        ws.name,
        names.queues[q.index()].name,
        quoted_list(values())
    ))
}

/// Warns about a replayed column that is neither a history column nor an attribute of any
/// work stream but is close to an attribute (`langauge` for `language`): its values would be
/// ignored and the attribute drawn at random. One close to a history column (`wrapup`) is
/// refused by the reader (`traffic::read`, issue 25, fifth pass). Other extra columns are
/// allowed silently (contract "Real traffic": extra columns are allowed).
fn unknown_columns(cx: &mut Ctx<'_>, names: &Names, r: &Replay) {
    let attrs: Vec<&str> = names
        .workstreams
        .iter()
        .flat_map(|w| w.attributes.iter().map(|a| a.name.as_str()))
        .collect();
    for (name, &col) in r.attribute_names.iter().zip(&r.attribute_columns) {
        if attrs.contains(&name.as_str()) {
            continue;
        }
        let Some(meant) = closest(name, attrs.iter().copied()) else {
            continue;
        };
        let what = "an attribute of any work stream";
        cx.warn_external(Diagnostic {
            file: r.file.clone(),
            path: name.clone(),
            line: Some(1),
            column: Some(col),
            message: format!("column `{name}` is not {what}; did you mean `{meant}`?"),
            hint: Some(
                "an extra column is ignored unless a work stream has an attribute of that name"
                    .into(),
            ),
        });
    }
}

/// `forecast = "file.csv"` or `{ file = "...", queue = "retail", uncertainty = true, level =
/// 80 }`: (file, fixed queue, the band's level in percent when `uncertainty` is on). `level`
/// (default 80, `omnisim forecast`'s default `--level`) is the central interval the file's
/// `volume_lo`–`volume_hi` stand for; it needs `uncertainty = true`.
fn forecast_spec(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    queue: &dyn Fn(&str) -> Result<QueueId, String>,
) -> Option<(String, Option<QueueId>, Option<f64>)> {
    use toml::de::DeValue;
    if let DeValue::String(_) = v.get_ref() {
        return string(cx, path, v).map(|s| (s, None, None));
    }
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["file", "queue", "uncertainty", "level"]);
    let uncertain = t.or(cx, "uncertainty", false, boolean);
    let level = t.opt(cx, "level", |cx, p, v| {
        let x = number(cx, p, v)?;
        if !(x > 0.0 && x < 100.0) {
            cx.error(
                p,
                v.span(),
                format!("{} is not a level; expected a percentage above 0 and below 100 (the band's central interval, e.g. 80)", crate::text::number(x)),
            );
            return None;
        }
        Some(x)
    });
    let band = match (uncertain, level) {
        (Some(true), Some(l)) => Some(Some(l.unwrap_or(80.0))),
        (Some(false), Some(Some(_))) => {
            let p = t.path_of("level");
            let span = t.get("level").map(|v| v.span());
            cx.error(
                &p,
                span.unwrap_or_else(|| v.span()),
                "`level` says what the band stands for, which only `uncertainty = true` reads; \
                 expected `uncertainty = true` beside it, or no `level`",
            );
            None
        }
        (Some(false), Some(None)) => Some(None),
        _ => None,
    };
    let file = t.req(cx, "file", "the forecast CSV file", string);
    let q = t.opt(cx, "queue", |cx, p, v| {
        let name = string(cx, p, v)?;
        match queue(&name) {
            Ok(q) => Some(q),
            Err(e) => {
                cx.error(p, v.span(), e);
                None
            }
        }
    });
    Some((file?, q?, band?))
}

fn unknown(what: &str, given: &str, known: &[&str]) -> String {
    let known = &super::suggest::distinct_names(known)[..];
    let hint = closest(given, known.iter().copied())
        .map(|c| format!(" (did you mean {c:?}?)"))
        .unwrap_or_default();
    if known.is_empty() {
        format!("unknown {what} {given:?}; none are defined")
    } else {
        format!(
            "unknown {what} {given:?}; expected one of {}{hint}",
            quoted_list(known.iter().copied())
        )
    }
}

/// Merges the files into the scenario: forecast profiles into queues, roster agents into
/// groups; returns what the simulator keeps.
pub(crate) fn merge(
    cx: &mut Ctx<'_>,
    parts: Parts,
    ws: &[Workstream],
    qs: &mut [Queue],
    groups: &mut Vec<AgentGroup>,
) -> Traffic {
    let mut out = Traffic {
        files: parts.files,
        ..Traffic::default()
    };
    if let Some((f, span)) = parts.forecast {
        out.aht = vec![None; qs.len()];
        out.levels = vec![None; qs.len()];
        for qf in &f.queues {
            let q = &mut qs[qf.queue.index()];
            if q.arrivals != Arrivals::None {
                cx.report(
                    "traffic.forecast",
                    Some(span.clone()),
                    format!(
                        "queue {:?} has its own `arrivals`; the forecast feeds it",
                        q.name
                    ),
                    Some("remove the queue's `arrivals` or its rows from the forecast".into()),
                );
                continue;
            }
            q.arrivals = Arrivals::Profile(qf.profile.clone());
            let mean = ws[q.workstream.index()].handle_time.mean();
            out.aht[qf.queue.index()] = qf.aht_profile(mean);
            out.levels[qf.queue.index()] = qf.levels.clone();
        }
        if out.aht.iter().all(Option::is_none) {
            out.aht.clear();
        }
        if out.levels.iter().all(Option::is_none) {
            out.levels.clear();
        }
    }
    if let Some((r, span)) = parts.replay {
        if r.rows.is_empty() {
            cx.warn(
                "traffic.replay",
                Some(span.clone()),
                format!("{}: no rows; nothing arrives from the history", r.file),
                None,
            );
        }
        let mut fed = vec![false; qs.len()];
        r.rows.iter().for_each(|row| fed[row.queue.index()] = true);
        for (q, _) in fed.iter().enumerate().filter(|(_, f)| **f) {
            if qs[q].arrivals != Arrivals::None {
                cx.report(
                    "traffic.replay",
                    Some(span.clone()),
                    format!(
                        "queue {:?} has its own `arrivals`; the replayed history feeds it",
                        qs[q].name
                    ),
                    Some("remove the queue's `arrivals`".into()),
                );
            }
        }
        out.replay = Some(Arc::new(r));
    }
    if let Some((agents, span)) = parts.roster {
        if agents.is_empty() {
            // As a header-only replay file: said, not silently a center without those agents.
            cx.warn(
                "traffic.roster",
                Some(span.clone()),
                "the roster has no rows; no roster agent is added".to_string(),
                None,
            );
        }
        let first: u32 = groups.iter().map(|g| g.count).sum();
        let mut skills = parts.roster_skills.into_iter();
        // A roster agent with a group agent's name is refused by `read_roster`.
        for (next, a) in (first..).zip(agents) {
            let skills = skills.next().unwrap_or_default();
            groups.push(AgentGroup {
                name: a.name.clone(),
                count: 1,
                capacity: a.capacity,
                queues: a.queues.clone(),
                shift: None,
                breaks: None,
                accept_delay: Dist::Constant(SimDuration::ZERO),
                reject_probability: 0.0,
                ignore_probability: 0.0,
                disconnects: None,
                first: AgentId(next),
                skills,
                absence: a.absence,
                roster: Some(a),
            });
        }
    }
    out
}

/// Whether `name` is exactly the name of an agent of a group in `counts` (group name → count):
/// `<group>-<k>` with `k` written as [`Scenario::agent_name`](super::Scenario::agent_name)
/// writes it (no sign, no leading zero) and in 1..=count. `agent-01` or `agent-+1` beside group
/// `agent` only look like one. A group name may itself hold `-` (`tier-2-1`), and `k` never does,
/// so the split is at the last `-`.
fn is_group_agent_name(name: &str, counts: &HashMap<&str, u32>) -> bool {
    let Some((group, k)) = name.rsplit_once('-') else {
        return false;
    };
    let canonical = !k.is_empty()
        && !k.starts_with('0')
        && k.len() <= 10
        && k.bytes().all(|b| b.is_ascii_digit());
    canonical
        && counts
            .get(group)
            .is_some_and(|&n| k.parse::<u64>().is_ok_and(|k| k <= u64::from(n)))
}
