//! Loading a scenario: TOML text → spanned tree → validated [`Scenario`], every problem at once.
//!
//! The walk visits sections in dependency order (scenario, engine, work streams, queues, agent
//! groups, supervisors, thresholds), whatever their order in the file, so every reference points
//! to something already read. A problem is recorded and the walk goes on; a [`Scenario`] is only
//! built when nothing was recorded.
//!
//! # Keys beyond the contract
//!
//! These keys are omnisim's own additions to the scenario format of `contract.md`:
//!
//! | section | key | default | meaning |
//! |---|---|---|---|
//! | `[[workstreams]]` | `capacity_units` | `100` | (contract key, default ours) units one conversation takes |
//! | `[[workstreams]]` | `open_auto_close` | `"never"` (the product's chat value is `"20m"`; off by default because the contract's default is that customers never abandon) | LC-ABANDON: an Open conversation closes (abandoned) after this long from arrival; a duration or `"never"` |
//! | `[[workstreams]]` | `wrap_up_auto_close` | `"15m"` for the chat channels; `"never"` otherwise | LC-WRAPUP: wrap-up closes after this long; a duration or `"never"` |
//! | `[[workstreams]]` | `waiting_probability` | `0` | persistent_chat/messaging only: probability an Active conversation is set Waiting once, mid-handle |
//! | `[[workstreams]]` | `waiting_time` | `{ dist = "exponential", mean = "10m" }` when `waiting_probability > 0` | persistent_chat/messaging only: how long a Waiting customer stays away |
//! | `[[workstreams]]` | `concurrency_slowdown`, `retrial`, `transfer` | none | (contract keys, "Chat behaviour") read in `chat` |
//! | `[[workstreams]]` | `waiting_auto_close` | `"never"` | persistent_chat/messaging only: LC-WAITING inactivity auto-close |
//! | `[[agent_groups]]` | `capacity` | `100` | (contract key, default ours) units each agent has |
//! | `[[agent_groups]]` | `ignore_probability` | `0` | probability an invitation is never seen (it times out); `reject_probability + ignore_probability ≤ 1` |
//! | `[[supervisors]]` | `agent` | none | the agent (e.g. `"tier1-3"`, or a roster agent's name) this supervisor also works as (MON-SELF) |
//! | `[scenario]` | `drain_limit` | `"24h"` | after the horizon, the run stops at the latest this long later; what is still open counts as `in_system_at_end` |
//! | `[engine]` | `monitor_channels` | every channel but entity_records | MON-CHANNEL: the channels that may be monitored |
//!
//! Distributions may also be written as a plain duration string (`accept_delay = "3s"`), meaning
//! a constant. A policy's `name` defaults to `policy-<n>` (1-based within its supervisor), an
//! assignment rule's to `rule-<n>` (1-based within its queue). An assignment rule's `groups` may
//! also name `[traffic] roster` agents (each a group of one, by the agent's name).
//!
//! What loads but most likely is not meant is a warning ([`Scenario::warnings`]), never an error.

use std::path::Path;

use toml::de::DeTable;

use super::diag::{Ctx, Diagnostic, LoadError};
use super::groups::agent_groups;
use super::limits::{self, LoadOptions};
use super::sections::{queues, workstreams, Names};
use super::spanned::{
    boolean, duration, integer, one_or_many, positive_duration, string, table, u32_at_least,
    u64_value, Table,
};
use super::supervisors::supervisors;
use super::thresholds::thresholds;
use super::types::Scenario;
use crate::calendar::Calendar;
use crate::engine::{EngineConfig, Overallocation};
use crate::metrics::SlDefinition;
use crate::model::Channel;
use crate::time::SimDuration;
use crate::traffic::cache::ReadCache;

/// Parses TOML text into a spanned tree, with the diagnostics context for `origin`; a syntax
/// error is a failed load naming its line and column.
pub(crate) fn parse_toml<'i>(
    origin: &str,
    text: &'i str,
) -> Result<(Ctx<'i>, toml::Spanned<DeTable<'i>>), LoadError> {
    let mut cx = Ctx::new(origin, text);
    match DeTable::parse(text) {
        Ok(root) => Ok((cx, root)),
        Err(e) => {
            cx.report(
                "",
                e.span(),
                format!("TOML syntax error: {}", e.message().trim()),
                // Reading `[traffic]`'s files needs the parsed scenario (their paths, queues,
                // calendar): said, so a roster's own problems coming later is no surprise
                // (issue 25 leftovers).
                text.lines()
                    .any(|l| l.trim_start().starts_with("[traffic]"))
                    .then(|| {
                        "the [traffic] files (roster, forecast, replay) are not read until the \
                         scenario file parses; their problems, if any, are listed then"
                            .to_string()
                    }),
            );
            Err(LoadError {
                diagnostics: cx.finish(),
            })
        }
    }
}

/// Reads and validates the scenario file at `path`, within the size limits.
///
/// An unreadable file is one diagnostic naming the file.
pub fn load_file(path: &Path) -> Result<Scenario, LoadError> {
    load_file_with(path, &LoadOptions::default())
}

/// As [`load_file`], with options (e.g. [`LoadOptions::allow_huge`]).
pub fn load_file_with(path: &Path, opts: &LoadOptions) -> Result<Scenario, LoadError> {
    let origin = path.display().to_string();
    let fail = |line: Option<usize>, column: Option<usize>, message: String| LoadError {
        diagnostics: vec![Diagnostic {
            file: origin.clone(),
            path: String::new(),
            line,
            column,
            message,
            hint: None,
        }],
    };
    let bytes = std::fs::read(path)
        .map_err(|e| fail(None, None, format!("cannot read the scenario file: {e}")))?;
    match String::from_utf8(bytes) {
        Ok(text) => load_str_with(&text, &origin, opts),
        Err(e) => {
            let (line, column, byte) = first_bad_byte(e.as_bytes(), e.utf8_error().valid_up_to());
            Err(fail(
                Some(line),
                Some(column),
                format!(
                    "byte 0x{byte:02x} is not UTF-8; expected a UTF-8 scenario file (save it \
                     as UTF-8: a Latin-1 or Windows-1252 export writes accented letters as \
                     single bytes)"
                ),
            ))
        }
    }
}

/// The 1-based line and column (in characters) of the byte at `at`, the first that is not
/// UTF-8 (everything before it is), and that byte.
fn first_bad_byte(bytes: &[u8], at: usize) -> (usize, usize, u8) {
    let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[start..].chars().count() + 1;
    (line, column, bytes.get(at).copied().unwrap_or(0))
}

/// Validates scenario text, within the size limits; `origin` names it in diagnostics (usually
/// the file name).
pub fn load_str(text: &str, origin: &str) -> Result<Scenario, LoadError> {
    load_str_with(text, origin, &LoadOptions::default())
}

/// As [`load_str`], with options (e.g. [`LoadOptions::allow_huge`]).
pub fn load_str_with(text: &str, origin: &str, opts: &LoadOptions) -> Result<Scenario, LoadError> {
    load_str_cached(text, origin, opts, None)
}

/// As [`load_str_with`], reading the `[traffic]` forecast and roster through `cache` when
/// given (`sweep` shares one [`ReadCache`] among its points, so a roster is parsed once, not
/// once per point). The result is the same as without the cache.
pub fn load_str_cached(
    text: &str,
    origin: &str,
    opts: &LoadOptions,
    cache: Option<&ReadCache>,
) -> Result<Scenario, LoadError> {
    let (mut cx, root) = parse_toml(origin, text)?;
    let scenario = walk(&mut cx, root.get_ref(), opts, cache);
    match scenario {
        Some(mut s) if !cx.has_errors() => {
            s.warnings = cx.take_warnings();
            Ok(s)
        }
        _ => {
            if !cx.has_errors() {
                cx.report("", None, "internal error: scenario incomplete", None);
            }
            Err(LoadError {
                diagnostics: cx.finish(),
            })
        }
    }
}

const TOP_KEYS: [&str; 8] = [
    "scenario",
    "engine",
    "workstreams",
    "queues",
    "agent_groups",
    "supervisors",
    "thresholds",
    "traffic",
];

/// The `[scenario]` section, before it is merged into [`Scenario`].
struct Head {
    name: String,
    horizon: SimDuration,
    warmup: SimDuration,
    seed: u64,
    replications: u32,
    service_level: SimDuration,
    sl_definition: SlDefinition,
    short_abandon: Option<SimDuration>,
    drain_limit: SimDuration,
    calendar: Calendar,
}

fn walk(
    cx: &mut Ctx<'_>,
    root: &DeTable<'_>,
    opts: &LoadOptions,
    cache: Option<&ReadCache>,
) -> Option<Scenario> {
    let root = Table {
        path: "",
        span: None,
        map: root,
    };
    root.check_keys(cx, &TOP_KEYS);
    let parts_head = root.req(cx, "scenario", "the [scenario] section", head);
    let engine = root.or(cx, "engine", EngineConfig::default(), engine);
    // Every `[scenario]` key that parsed reaches the readers below, even when another key of
    // the section is bad (issue 25, validation pass: a bad `seed` lost `start`, and the CSV
    // readers then called every dated cell an error).
    let horizon = parts_head.as_ref().and_then(|h| h.horizon);
    // A `start` that did not parse (its own error) is no missing start for the readers.
    let cal = parts_head.as_ref().map(|h| {
        h.calendar.unwrap_or(Calendar {
            unread: true,
            ..Calendar::default()
        })
    });
    let head = parts_head.and_then(HeadParts::whole);
    let mut names = Names::default();
    let ws = workstreams(cx, &root, &mut names, horizon);
    let qs = queues(cx, &root, &mut names, horizon);
    let groups = agent_groups(cx, &root, &mut names);
    let pending = std::mem::take(&mut names.pending_skills);
    let pending_queues = std::mem::take(&mut names.pending_queues);
    let mut ws = ws;
    // Resolved even when a work stream failed, so every bad name is reported at once.
    let mut none = Vec::new();
    let w = ws.as_mut().unwrap_or(&mut none);
    super::routing::resolve_queues(cx, &names, w, pending_queues);
    let transfers = super::chat::transfers(cx, &root, &names);
    if let Some(w) = ws.as_mut() {
        for (w, t) in w.iter_mut().zip(transfers) {
            w.transfer = t;
        }
    }
    let mut parts = super::traffic::traffic(cx, &root, &names, cal, horizon, cache);
    // Supervisors may name roster agents (issue 25, twelfth tester): read after the roster.
    names.roster =
        super::agents::RosterNames::new(super::traffic::roster_names(&root, parts.as_ref()));
    let sups = supervisors(cx, &root, &names);
    // After the supervisors: `policies.<S/P>` paths name their policies (diagnostics are
    // sorted by position, so the order of reading changes no message's place).
    let ths = thresholds(cx, &root, &names, qs.as_deref(), sups.as_deref());
    // Roster agents' skills join the skill table before classification names are resolved.
    if let Some(p) = parts.as_mut() {
        super::traffic::roster_skills(p, &mut names);
    }
    let roster_unread = parts.as_ref().is_some_and(|p| p.roster_unread);
    let w = ws.as_mut().unwrap_or(&mut none);
    super::routing::resolve_requirements(cx, &names, w, pending, roster_unread);
    let pending_groups = std::mem::take(&mut names.pending_groups);
    super::rulesets::check_group_names(cx, &names, names.roster.list(), &pending_groups);
    let (head, engine, ws, mut qs, mut groups, sups, ths, parts) =
        (head?, engine?, ws?, qs?, groups?, sups?, ths?, parts?);
    let traffic = super::traffic::merge(cx, parts, &ws, &mut qs, &mut groups);
    super::rulesets::resolve_groups(cx, pending_groups, &mut qs, &groups);
    let scenario = Scenario {
        name: head.name,
        horizon: head.horizon,
        warmup: head.warmup,
        seed: head.seed,
        replications: head.replications,
        service_level: head.service_level,
        service_level_definition: head.sl_definition,
        short_abandon: head.short_abandon,
        drain_limit: head.drain_limit,
        calendar: head.calendar,
        engine,
        workstreams: ws,
        queues: qs,
        agent_groups: groups,
        supervisors: sups,
        thresholds: ths,
        traffic,
        skills: names.skills.clone(),
        warnings: Vec::new(),
    };
    super::reach::unmatched_requirements(cx, &root, &scenario);
    let cycles = super::overflow::waited_cycles(cx, &root, &scenario);
    super::overflow::before_queue_cycles(cx, &root, &scenario);
    super::rule_checks::check(cx, &root, &scenario);
    super::never_acts::check(cx, &root, &scenario);
    super::compound_keys::check(cx, &root, &scenario);
    limits::check_attributes(cx, &root, &scenario);
    limits::instant_arrivals(cx, &root, &scenario);
    limits::check_memberships(cx, &root, &scenario, opts.allow_huge);
    super::timed::check(cx, &root, &scenario, opts);
    super::queue_memory::check(cx, &root, &scenario, opts);
    if !opts.allow_huge {
        limits::check(cx, &root, &scenario);
        super::loops::check(cx, &root, &scenario, &cycles);
        super::refusals::check(cx, &root, &scenario);
        super::moves::check(cx, &root, &scenario);
        super::mixed::check(cx, &root, &scenario);
    }
    Some(scenario)
}

/// The `[scenario]` keys, each `None` when it failed (its problem is recorded); `ok` is false
/// when a check between keys failed.
struct HeadParts {
    name: Option<String>,
    horizon: Option<SimDuration>,
    warmup: Option<SimDuration>,
    seed: Option<u64>,
    replications: Option<u32>,
    service_level: Option<SimDuration>,
    sl_definition: Option<SlDefinition>,
    short_abandon: Option<Option<SimDuration>>,
    drain_limit: Option<SimDuration>,
    calendar: Option<Calendar>,
    ok: bool,
}

impl HeadParts {
    /// The whole section, when every key parsed and every check passed.
    fn whole(self) -> Option<Head> {
        if !self.ok {
            return None;
        }
        Some(Head {
            name: self.name?,
            horizon: self.horizon?,
            warmup: self.warmup?,
            seed: self.seed?,
            replications: self.replications?,
            service_level: self.service_level?,
            sl_definition: self.sl_definition?,
            short_abandon: self.short_abandon?,
            drain_limit: self.drain_limit?,
            calendar: self.calendar?,
        })
    }
}

fn head(cx: &mut Ctx<'_>, path: &str, v: &super::spanned::Val<'_>) -> Option<HeadParts> {
    let t = table(cx, path, v)?;
    t.check_keys(
        cx,
        &[
            "name",
            "horizon",
            "warmup",
            "seed",
            "replications",
            "service_level",
            "service_level_definition",
            "short_abandon",
            "drain_limit",
            "start",
        ],
    );
    let name = t.req(cx, "name", "the scenario's name", super::spanned::name);
    let horizon = t.req(
        cx,
        "horizon",
        "a duration such as \"8h\"",
        positive_duration,
    );
    let warmup = t.or(cx, "warmup", SimDuration::ZERO, duration);
    let seed = t.or(cx, "seed", 1, u64_value);
    let replications = t.or(cx, "replications", 1, u32_at_least(1));
    let service_level = t.or(cx, "service_level", SimDuration::from_secs(20), duration);
    const SL_DEFINITIONS: [&str; 3] = ["answered_and_abandoned", "answered", "offered"];
    let sl_definition = t.or(
        cx,
        "service_level_definition",
        SlDefinition::default(),
        |cx, p, v| {
            let name = super::spanned::one_of(&SL_DEFINITIONS)(cx, p, v)?;
            SlDefinition::ALL
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, d)| *d)
        },
    );
    let short_abandon = t.or(cx, "short_abandon", None, |cx, p, v| {
        duration(cx, p, v).map(Some)
    });
    let drain_limit = t.or(
        cx,
        "drain_limit",
        SimDuration::from_secs(24 * 3600),
        duration,
    );
    let calendar = t.or(cx, "start", Calendar::default(), |cx, p, v| {
        let text = string(cx, p, v)?;
        match Calendar::parse(&text) {
            Ok(c) => Some(c),
            Err(e) => {
                cx.error(p, v.span(), e);
                None
            }
        }
    });
    let mut ok = true;
    if let (Some(h), Some(w)) = (horizon, warmup) {
        if w >= h {
            let span = t.get("warmup").map(|v| v.span());
            cx.report(
                &t.path_of("warmup"),
                span,
                format!("warmup ({w}) must be shorter than the horizon ({h})"),
                None,
            );
            ok = false;
        }
    }
    Some(HeadParts {
        name,
        horizon,
        warmup,
        seed,
        replications,
        service_level,
        sl_definition,
        short_abandon,
        drain_limit,
        calendar,
        ok,
    })
}

fn engine(cx: &mut Ctx<'_>, path: &str, v: &super::spanned::Val<'_>) -> Option<EngineConfig> {
    let t = table(cx, path, v)?;
    t.check_keys(
        cx,
        &[
            "assign_enabled",
            "monitor_enabled",
            "transfer_enabled",
            "force_close_enabled",
            "monitor_waiting",
            "monitor_channels",
            "overallocation",
            "assign_overrides_presence",
            "reserve_on_invite",
            "refusals_before_skip",
            "notification_timeout",
            "max_consultants",
        ],
    );
    let d = EngineConfig::default();
    let assign_enabled = t.or(cx, "assign_enabled", d.assign_enabled, boolean);
    let monitor_enabled = t.or(cx, "monitor_enabled", d.monitor_enabled, boolean);
    let transfer_enabled = t.or(cx, "transfer_enabled", d.transfer_enabled, boolean);
    let force_close_enabled = t.or(cx, "force_close_enabled", d.force_close_enabled, boolean);
    let monitor_waiting = t.or(cx, "monitor_waiting", d.monitor_waiting, boolean);
    let monitor_channels = t.or(cx, "monitor_channels", d.monitor_channels, |cx, p, v| {
        let chans = one_or_many(cx, p, v, channel)?;
        Some(chans.iter().fold(0, |m, c| m | c.bit()))
    });
    let overallocation = t.or(cx, "overallocation", d.overallocation, overallocation);
    let assign_overrides_presence = t.or(
        cx,
        "assign_overrides_presence",
        d.assign_overrides_presence,
        boolean,
    );
    let reserve_on_invite = t.or(cx, "reserve_on_invite", d.reserve_on_invite, boolean);
    let refusals_before_skip = t.or(
        cx,
        "refusals_before_skip",
        d.refusals_before_skip,
        u32_at_least(1),
    );
    let notification_timeout = t.or(
        cx,
        "notification_timeout",
        d.notification_timeout,
        positive_duration,
    );
    let max_consultants = t.or(cx, "max_consultants", d.max_consultants, u32_at_least(0));
    Some(EngineConfig {
        assign_enabled: assign_enabled?,
        monitor_enabled: monitor_enabled?,
        transfer_enabled: transfer_enabled?,
        force_close_enabled: force_close_enabled?,
        monitor_waiting: monitor_waiting?,
        monitor_channels: monitor_channels?,
        overallocation: overallocation?,
        assign_overrides_presence: assign_overrides_presence?,
        reserve_on_invite: reserve_on_invite?,
        refusals_before_skip: refusals_before_skip?,
        notification_timeout: notification_timeout?,
        max_consultants: max_consultants?,
    })
}

/// A channel name.
pub(crate) fn channel(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &super::spanned::Val<'_>,
) -> Option<Channel> {
    const NAMES: [&str; 5] = [
        "live_chat",
        "persistent_chat",
        "messaging",
        "voice",
        "entity_records",
    ];
    super::spanned::one_of(&NAMES)(cx, path, v).and_then(Channel::parse)
}

fn overallocation(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &super::spanned::Val<'_>,
) -> Option<Overallocation> {
    use toml::de::DeValue;
    match v.get_ref() {
        DeValue::Integer(_) => {
            let n = integer(cx, path, v)?;
            match u32::try_from(n) {
                Ok(n) => Some(Overallocation::UpTo(n)),
                Err(_) => {
                    cx.error(
                        path,
                        v.span(),
                        format!("{n} is not a number of units from 0 to {}", u32::MAX),
                    );
                    None
                }
            }
        }
        DeValue::String(_) => match string(cx, path, v)?.as_str() {
            "allow" => Some(Overallocation::Allow),
            "deny" => Some(Overallocation::Deny),
            other => {
                cx.error(
                    path,
                    v.span(),
                    format!("unknown value {other:?}; expected \"allow\", \"deny\" or a number of units"),
                );
                None
            }
        },
        _ => {
            cx.error(
                path,
                v.span(),
                "expected \"allow\", \"deny\" or a whole number of units",
            );
            None
        }
    }
}
