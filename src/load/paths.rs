//! The paths a `load` threshold may name: every number, boolean and `null` figure `load.json`
//! writes (issue 25, fourteenth session: `policies."S/P".…`, `routing.…`, `remote.…`, `ramp.…`
//! and some `driver` figures could not be named). The known paths are not listed by hand: they
//! are the leaves of an empty [`LoadReport`] of this scenario and these options
//! ([`LoadScope`]), so whatever `load.json` gains can be gated. Only `thresholds` (the results
//! of the gates themselves) is left out.
//!
//! A key holding a dot or a slash may be quoted (`policies."sup/p".given_up`); unquoted, a run
//! of keys also matches a key holding dots, the longest first (`crate::text::path`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::engine::RuleId;
use crate::scenario::Scenario;
use crate::text::path::{self, Key};

use super::remote::RemoteLatency;
use super::report::{
    CommandStats, Conversations, Driver, LatencyUs, LoadReport, LoadRouting, PolicyCounts,
};
use super::stats::KINDS;

/// A threshold that could not be read or names no path of `load.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdError(pub String);

impl std::fmt::Display for ThresholdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ThresholdError {}

/// A threshold on a `load.json` path, e.g. `latency_us.p99` or
/// `policies."sup/p".given_up`: the scenario's [`Threshold`](crate::scenario::Threshold).
pub type LoadThreshold = crate::scenario::Threshold;

/// Reads `metric<=value` or `metric>=value` (as `--threshold` takes it). The operator is looked
/// for outside double quotes, so a quoted key may hold `<=` or `>=`.
pub fn parse_threshold(text: &str) -> Result<LoadThreshold, ThresholdError> {
    let mut quoted = false;
    let mut cut = None;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => quoted = !quoted,
            b'<' | b'>' if !quoted && bytes.get(i + 1) == Some(&b'=') => {
                cut = Some((i, b == b'<'));
                break;
            }
            _ => {}
        }
    }
    // A quote left open: the first operator anywhere (the path check then says what is open).
    let cut = cut.or_else(|| {
        let le = text.find("<=").map(|i| (i, true));
        let ge = text.find(">=").map(|i| (i, false));
        le.into_iter().chain(ge).min()
    });
    let Some((i, at_most)) = cut else {
        return Err(ThresholdError(format!(
            "threshold {text:?}: expected METRIC<=VALUE or METRIC>=VALUE, e.g. latency_us.p99<=5000"
        )));
    };
    let (metric, value) = (&text[..i], &text[i + 2..]);
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|_| ThresholdError(format!("threshold {text:?}: {value:?} is not a number")))?;
    let metric = metric.trim().to_string();
    Ok(LoadThreshold {
        metric,
        min: (!at_most).then_some(value),
        max: at_most.then_some(value),
    })
}

/// The value at a path of a JSON value: `Some(Some(x))` for a number (a boolean reads as 0 or
/// 1), `Some(None)` for `null` (a figure with no data), `None` when the path is absent or names
/// no figure.
pub fn lookup(v: &Value, metric: &str) -> Option<Option<f64>> {
    let keys = path::split(metric).ok()?;
    match path::resolve(v, &keys)? {
        Value::Bool(b) => Some(Some(f64::from(u8::from(*b)))),
        Value::Null => Some(None),
        other => other.as_f64().map(Some),
    }
}

/// What the shape of `load.json` depends on: the scenario's policies and assignment rules,
/// the ramp's stages and whether the engine is remote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadScope {
    /// `S/P` of every supervisor policy (`policies`).
    pub policies: Vec<String>,
    /// With unified routing, `Q/R` of every assignment rule (`routing.by_rule`); `None` when the
    /// scenario does not use it (no `routing`).
    pub routing: Option<Vec<String>>,
    /// `--ramp`'s stages (`ramp.<i>`).
    pub ramp: usize,
    /// Whether the engine is remote (`remote`, with `--engine`).
    pub remote: bool,
}

impl LoadScope {
    /// The scope of a load of `sc` with `ramp` stages, on a remote engine or not.
    pub fn of(sc: &Scenario, ramp: usize, remote: bool) -> LoadScope {
        LoadScope {
            policies: sc
                .supervisors
                .iter()
                .flat_map(|s| s.policies.iter().map(|p| format!("{}/{}", s.name, p.name)))
                .collect(),
            routing: crate::setup::uses_routing(sc).then(|| {
                sc.queues
                    .iter()
                    .flat_map(|q| {
                        q.assignment_rules
                            .iter()
                            .map(|r| format!("{}/{}", q.name, r.name))
                    })
                    .collect()
            }),
            ramp,
            remote,
        }
    }

    /// `load.json` of a run of this scope with every figure 0 or without data, as JSON: every
    /// key a run writes (`refused_by_rule` with every rule), `thresholds` empty.
    fn skeleton(&self) -> Value {
        let stats = CommandStats {
            count: 0,
            unapplied: 0,
            refused: 0,
            latency_us: LatencyUs::default(),
        };
        let rep = LoadReport {
            format: "omnisim.load/1",
            omnisim_version: env!("CARGO_PKG_VERSION"),
            scenario: String::new(),
            rate_per_s: 0.0,
            ramp: vec![
                super::Stage {
                    secs: 0.0,
                    target: 0.0
                };
                self.ramp
            ],
            duration_s: 0.0,
            speed: 0.0,
            offered: 0,
            commands: 0,
            unapplied: 0,
            throughput_per_s: 0.0,
            latency_us: LatencyUs::default(),
            refused: 0,
            errors: 0,
            partial: false,
            interrupted: false,
            invariant_violations: 0,
            conservation_ok: true,
            conversations: Conversations::default(),
            by_command: KINDS
                .iter()
                .map(|k| ((*k).to_string(), stats.clone()))
                .collect(),
            refused_by_rule: RuleId::ALL
                .iter()
                .map(|r| (r.as_str().to_string(), 0))
                .collect(),
            driver: Driver {
                design: String::new(),
                workers: 0,
                supervisor_tasks: 0,
                threads: 0,
                batch: 0,
                offered_arrivals: 0,
                missed_policy_ticks: 0,
                wall_s: 0.0,
            },
            thresholds: Vec::new(),
            routing: self.routing.as_ref().map(|rules| LoadRouting {
                unmatched: 0,
                by_rule: rules.iter().map(|r| (r.clone(), 0)).collect(),
            }),
            policies: self
                .policies
                .iter()
                .map(|p| (p.clone(), PolicyCounts::default()))
                .collect::<BTreeMap<_, _>>(),
            remote: self.remote.then(|| RemoteLatency {
                engine: String::new(),
                round_trips: 0,
                commands_per_round_trip: 0.0,
                unanswered: 0,
                round_trip_us: LatencyUs::default(),
                engine_us_per_round_trip: None,
                network_us_per_round_trip: None,
                network_share_of_latency: None,
            }),
        };
        serde_json::to_value(rep).unwrap_or_default()
    }

    /// Every path a threshold may name, rendered (keys with a dot or a slash quoted), in
    /// `load.json`'s key order.
    pub fn paths(&self) -> Vec<String> {
        path::leaves(&self.skeleton())
            .iter()
            .map(|keys| path::render(keys))
            .collect()
    }

    /// Whether `metric` names a figure of `load.json` in this scope.
    pub fn knows(&self, metric: &str) -> bool {
        let Ok(keys) = path::split(metric) else {
            return false;
        };
        matches!(
            path::resolve(&self.skeleton(), &keys),
            Some(Value::Number(_) | Value::Bool(_) | Value::Null)
        )
    }

    /// Checks that `metric` names a figure of `load.json` in this scope; otherwise a message
    /// naming it (and no flag: the command line adds `--threshold`): a path that cannot be
    /// read, a part of `load.json` this run does not write, a group of figures rather than one
    /// (its figures listed), or the closest known path as a "did you mean" hint.
    pub fn check(&self, metric: &str) -> Result<(), ThresholdError> {
        let keys = path::split(metric).map_err(|e| {
            ThresholdError(format!("load.json path {metric:?} cannot be read: {e}"))
        })?;
        let skeleton = self.skeleton();
        let unknown =
            |why: String| ThresholdError(format!("unknown load.json path {metric:?}{why}"));
        match path::resolve(&skeleton, &keys) {
            Some(Value::Number(_) | Value::Bool(_) | Value::Null) => return Ok(()),
            Some(Value::Object(o)) if !o.is_empty() => {
                let under: Vec<String> = path::leaves(&Value::Object(o.clone()))
                    .iter()
                    .take(8)
                    .map(|k| format!("{metric}.{}", path::render(k)))
                    .collect();
                return Err(ThresholdError(format!(
                    "load.json path {metric:?} is a group of figures, not one: name one of \
                     them, e.g. {}",
                    under.join(", ")
                )));
            }
            _ => {}
        }
        let head = match keys.first() {
            Some(Key::Plain(k) | Key::Quoted(k)) => k.as_str(),
            None => "",
        };
        let absent = match head {
            "policies" if self.policies.is_empty() => {
                Some("this scenario has no supervisor policy, so load.json has no `policies`")
            }
            "routing" if self.routing.is_none() => Some(
                "this scenario does not use unified routing (skills, prioritization or \
                 assignment rules), so load.json has no `routing`",
            ),
            "remote" if !self.remote => {
                Some("load.json has `remote` only when the engine is remote (--engine)")
            }
            "ramp" if self.ramp == 0 => {
                Some("load.json has `ramp` only when ramping stages are given (--ramp)")
            }
            "thresholds" => Some("the threshold results cannot be gated on"),
            _ => None,
        };
        if let Some(why) = absent {
            return Err(unknown(format!(": {why}")));
        }
        // Compared as written: with quotes against the quoted paths, without against the keys
        // joined by dots; the hint is always the quoted form.
        let leaves = path::leaves(&skeleton);
        let rendered: Vec<String> = leaves.iter().map(|k| path::render(k)).collect();
        let plain: Vec<String> = leaves.iter().map(|k| k.join(".")).collect();
        let pool = if metric.contains('"') {
            &rendered
        } else {
            &plain
        };
        let hint = crate::scenario::closest(metric, pool.iter().map(String::as_str))
            .and_then(|c| pool.iter().position(|p| p == c))
            .map(|i| format!(" (did you mean {}?)", rendered[i]));
        let hint = hint.or_else(|| {
            (head == "policies").then(|| {
                format!(
                    " (this scenario's policies: {})",
                    self.policies
                        .iter()
                        .map(|p| format!("policies.{}", path::render(&[p])))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        });
        Err(unknown(hint.unwrap_or_else(|| {
            " (every figure of load.json is listed in docs/load.md)".to_string()
        })))
    }
}

/// Whether a path is a latency figure (`latency_us.*` or `by_command.<type>.latency_us.*`),
/// which cannot pass on a partial run.
pub fn is_latency_path(metric: &str) -> bool {
    let Ok(keys) = path::split(metric) else {
        return false;
    };
    let key = |i: usize| match keys.get(i) {
        Some(Key::Plain(k) | Key::Quoted(k)) => k.as_str(),
        None => "",
    };
    key(0) == "latency_us" || (key(0) == "by_command" && key(2) == "latency_us")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> LoadScope {
        LoadScope {
            policies: vec!["sup/p".into(), "a.b/c".into()],
            routing: Some(vec!["q/closest-fit".into()]),
            ramp: 2,
            remote: false,
        }
    }

    #[test]
    fn thresholds_parse_and_paths_are_known() {
        let t = parse_threshold("latency_us.p99<=5000").unwrap();
        assert_eq!(t.max, Some(5000.0));
        let t = parse_threshold("throughput_per_s >= 1e5").unwrap();
        assert_eq!((t.metric.as_str(), t.min), ("throughput_per_s", Some(1e5)));
        let t = parse_threshold("policies.\"a<=b/p\".given_up<=0").unwrap();
        assert_eq!(t.metric, "policies.\"a<=b/p\".given_up");
        assert!(parse_threshold("p99 = 3").is_err());
        let s = LoadScope::default();
        for p in [
            "latency_us.p999",
            "by_command.accept.latency_us.p99",
            "refused_by_rule.ASSIGN-STATE",
            "unapplied",
            "offered",
            "by_command.arrive.unapplied",
            "driver.threads",
            "driver.batch",
            "driver.supervisor_tasks",
        ] {
            assert!(s.knows(p), "{p}");
        }
        for p in ["latency_us.p98", "wait_s.p90", "latency_us", "thresholds"] {
            assert!(!s.knows(p), "{p}");
        }
        for p in s.paths() {
            assert!(s.knows(&p), "{p}");
        }
    }

    /// Issue 25, fourteenth session: `policies."S/P".…` could not be named, nor `routing`,
    /// `ramp`, `remote` or three `driver` figures; quoted keys hold dots and slashes.
    #[test]
    fn policies_routing_ramp_and_remote_figures_can_be_named() {
        let s = scope();
        for p in [
            "policies.\"sup/p\".given_up",
            "policies.sup/p.refused",
            "policies.\"a.b/c\".accepted",
            "policies.a.b/c.accepted",
            "routing.unmatched",
            "routing.by_rule.\"q/closest-fit\"",
            "routing.by_rule.q/closest-fit",
            "ramp.1.rate_per_s",
        ] {
            assert!(s.knows(p), "{p}");
            assert!(s.check(p).is_ok(), "{p}");
        }
        assert!(s
            .paths()
            .contains(&"policies.\"sup/p\".given_up".to_string()));
        assert!(!s.knows("ramp.2.rate_per_s"));
        assert!(!s.knows("remote.round_trips"));
        let remote = LoadScope {
            remote: true,
            ..scope()
        };
        assert!(remote.knows("remote.round_trip_us.p99"));
        assert!(remote.knows("remote.network_share_of_latency"));
        for p in remote.paths() {
            assert!(remote.knows(&p), "{p}");
        }
    }

    #[test]
    fn an_unknown_path_is_named_with_a_suggestion() {
        let s = scope();
        let e = s.check("latency_us.P99").unwrap_err().0;
        assert!(e.contains("\"latency_us.P99\""), "{e}");
        assert!(e.contains("did you mean latency_us.p99?"), "{e}");
        let e = s.check("by_command.abandn.latency_us.p99").unwrap_err().0;
        assert!(
            e.contains("did you mean by_command.abandon.latency_us.p99?"),
            "{e}"
        );
        let e = s.check("policies.\"sup/p\".givenup").unwrap_err().0;
        assert!(
            e.contains("did you mean policies.\"sup/p\".given_up?"),
            "{e}"
        );
        let e = s.check("policies.sup/q.given_up").unwrap_err().0;
        assert!(
            e.contains("did you mean policies.\"sup/p\".given_up?"),
            "{e}"
        );
        let e = s
            .check("policies.other-supervisor/x.given_up")
            .unwrap_err()
            .0;
        assert!(
            e.contains("this scenario's policies: policies.\"sup/p\""),
            "{e}"
        );
        let e = s.check("policies.\"sup/p\"").unwrap_err().0;
        assert!(e.contains("a group of figures"), "{e}");
        assert!(e.contains("policies.\"sup/p\".given_up"), "{e}");
        let e = s.check("policies.\"sup/p.given_up").unwrap_err().0;
        assert!(e.contains("not closed"), "{e}");
        let e = s.check("remote.round_trips").unwrap_err().0;
        assert!(e.contains("only when the engine is remote"), "{e}");
        let e = LoadScope::default()
            .check("policies.\"s/p\".given_up")
            .unwrap_err()
            .0;
        assert!(e.contains("no supervisor policy"), "{e}");
        let e = LoadScope::default()
            .check("routing.unmatched")
            .unwrap_err()
            .0;
        assert!(e.contains("does not use unified routing"), "{e}");
        assert!(s.check("by_command.abandon.latency_us.p99").is_ok());
    }

    #[test]
    fn latency_paths_are_told_by_their_keys() {
        assert!(is_latency_path("latency_us.p99"));
        assert!(is_latency_path("by_command.accept.latency_us.max"));
        assert!(!is_latency_path("policies.\"x.latency_us.y/p\".given_up"));
        assert!(!is_latency_path("remote.round_trip_us.p99"));
    }
}
