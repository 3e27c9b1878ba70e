//! `omnisim conform`: the rule catalogue (product.md, both parts) as a conformance kit. Every
//! rule id has step-by-step cases ([`cases`], data in `src/conform/cases/*.toml`); each case
//! sets the engine up afresh from its own small scenario, sends its commands one by one at
//! their simulated times and compares each result with what the rule defines ([`check`] says
//! what is compared). A rule passes when all its cases do; the report names the first step that
//! differed.
//!
//! Key items: [`run`] (cases against a connected engine → [`Report`]), [`CATALOGUE`] (every rule
//! id, with why a rule has no cases when the protocol cannot show it), [`render_json`]
//! (`conformance.json`), [`render_junit`] (`conformance.xml`).
//!
//! Layering: a workflow module; it reads `service` (the client and the wire types) and
//! `report` (XML escaping) only.

pub mod cases;
pub mod check;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::service::client::{Client, EngineSpec};

pub use check::Failure;

/// How long `conform` waits for one answer before the case fails and the engine is started
/// again: 10 s (cases are a few small commands).
pub const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// After this many cases in a row lost in their setup, with none past its setup yet, the run
/// ends (an engine that never answers would otherwise be waited for in every case, 15 minutes).
pub const SETUPS_BEFORE_GIVING_UP: usize = 3;

/// A stop request (SIGINT, SIGTERM), set by a signal handler.
pub type Stop = crate::service::client::Stop;

/// Every rule id of the catalogue, in product.md's order (first part, then unified routing),
/// with `Some(reason)` when the protocol cannot show the rule to a client, so it has no cases.
pub const CATALOGUE: &[(&str, Option<&str>)] = &[
    ("LC-OPEN-ACTIVE", None),
    ("LC-ABANDON", None),
    ("LC-ACTIVE", None),
    ("LC-WAITING", None),
    ("LC-WRAPUP", None),
    ("LC-CLOSED", None),
    ("CAP-UNITS", None),
    ("CAP-HOLD", None),
    ("CAP-OVER", None),
    ("CAP-RESERVE", None),
    ("PR-AUTO", None),
    ("PR-MANUAL", None),
    ("PR-ALLOWED", None),
    ("RT-ELIGIBLE", None),
    ("RT-ORDER", None),
    ("RT-METHOD", None),
    ("RT-TRIGGER", None),
    ("RT-INVITE", None),
    ("RT-PICK", None),
    ("MON-DISABLED", None),
    ("MON-SCOPE", None),
    ("MON-CHANNEL", None),
    ("MON-STATE", None),
    ("MON-SELF", None),
    ("JOIN-MONITORING", None),
    ("JOIN-STATE", None),
    ("JOIN-LIMIT", None),
    ("JOIN-NOTIFY", None),
    ("ASSIGN-DISABLED", None),
    ("ASSIGN-SCOPE", None),
    ("ASSIGN-STATE", None),
    ("ASSIGN-AGENT-QUEUE", None),
    ("ASSIGN-AGENT-PRESENCE", None),
    ("ASSIGN-CAPACITY", None),
    ("ASSIGN-QUEUE-SAME", None),
    ("ASSIGN-INVITE", None),
    ("TRANSFER-STATE", None),
    ("FORCE-CLOSE", None),
    ("RT-CLASSIFY", None),
    (
        "RT-QUEUE",
        Some("route-to-queue is decided by the driver before the arrive command; the engine only sees its outcome (the arrival's queue)"),
    ),
    ("RT-SKILL", None),
    ("RT-CLOSEST", None),
    ("RT-PRIORITIZE", None),
    ("RT-RULESET", None),
    ("OVF-HOURS", None),
    ("OVF-LIMIT", None),
    ("OVF-WAIT", None),
];

/// One rule's outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleOutcome {
    /// All its cases passed (`false` also when it has none).
    pub passed: bool,
    /// Its cases.
    pub cases: usize,
    /// The first case that failed, with its first differing step.
    pub failure: Option<FailureJson>,
    /// Why the rule has no cases (absent when it has some).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_covered: Option<&'static str>,
}

/// A failure as `conformance.json` writes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailureJson {
    /// The case's name.
    pub case: String,
    /// The 1-based step that differed (0: the setup).
    pub step: usize,
    /// What was expected and what came back.
    pub message: String,
}

/// The whole run: `conformance.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The engine spec as given.
    pub engine: String,
    /// The protocol version spoken.
    pub protocol: u32,
    /// Rules with cases that all passed.
    pub passed: usize,
    /// Rules with a failed case.
    pub failed: usize,
    /// Rules without cases (see `not_covered` on each).
    pub not_covered: usize,
    /// Every rule id of the catalogue, in catalogue order.
    pub rules: BTreeMap<String, RuleOutcome>,
    /// Catalogue order of `rules` (a JSON object's keys are unordered).
    pub order: Vec<String>,
    /// A stop request (SIGINT, SIGTERM) cut the run short: `rules` holds only the rules whose
    /// every case ran to its end (absent from the JSON when false).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

impl Report {
    /// Whether every rule with cases passed.
    pub fn all_passed(&self) -> bool {
        self.failed == 0
    }
}

/// Runs every case (all rules, or only `only` when given) on the engine `spec` names, a fresh
/// setup per case; after a case that lost the engine (I/O error, an answer out of protocol) the
/// next case connects again.
/// Errors: the engine cannot be reached or started at all (bad spec, nothing listening, no
/// such program), the engine was lost in the setup of every case (it exits, drops the
/// connection or never answers: nothing could be judged; the run ends after
/// [`SETUPS_BEFORE_GIVING_UP`] such cases), or a broken case file (omnisim's own bug).
pub fn run(spec: &EngineSpec, only: Option<&[String]>) -> Result<Report, String> {
    run_stoppable(spec, only, None)
}

/// As [`run`]; once `stop` is set the case under way ends within a tenth of a second (a
/// subprocess engine is killed and reaped), no further case runs, and the report holds the
/// rules whose every case ran, marked `partial`.
pub fn run_stoppable(
    spec: &EngineSpec,
    only: Option<&[String]>,
    stop: Option<&Stop>,
) -> Result<Report, String> {
    let stopped = || stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed));
    let all = cases::load()?;
    let connect = || {
        Client::start(spec, ANSWER_TIMEOUT).map(|mut c| {
            if let Some(s) = stop {
                c.set_stop(s.clone());
            }
            c
        })
    };
    let mut client: Option<Client> = Some(connect().map_err(|e| e.to_string())?);
    // Cases per rule, to tell in a partial run which rules ran all theirs.
    let mut wanted: BTreeMap<&str, usize> = BTreeMap::new();
    let mut partial = false;
    let mut setups_lost = 0;
    let mut first: BTreeMap<&str, (usize, Option<Failure>)> = BTreeMap::new();
    // The first failure of a case whose setup never reached the engine (lost at step 0), and
    // whether any case got past its setup: when none did, the engine is not one that can be
    // judged rule by rule (a program that exits at once, a server that drops every
    // connection), and saying "46 rules failed" would blame the rules.
    let (mut setup_lost, mut any_setup) = (None::<Failure>, false);
    for case in &all {
        if only.is_some_and(|o| !o.iter().any(|r| r == &case.rule)) {
            continue;
        }
        *wanted.entry(case.rule.as_str()).or_default() += 1;
        if partial || stopped() {
            partial = true;
            continue;
        }
        if client.is_none() {
            // The engine was lost in an earlier case: start again (a case fails when it cannot).
            client = connect().ok();
        }
        let failure = match &mut client {
            Some(c) => check::run_case(c, case),
            None => Some(Failure {
                case: case.name.clone(),
                step: 0,
                message: format!("the engine {spec} cannot be reached again"),
                lost: true,
            }),
        };
        if stopped() {
            // Cut short (or judged as the signal came): not counted. Dropping the client ends
            // a subprocess engine (killed and reaped).
            partial = true;
            client = None;
            continue;
        }
        if failure.as_ref().is_some_and(|f| f.lost) {
            client = None;
        }
        match &failure {
            Some(f) if f.lost && f.step == 0 => {
                setup_lost.get_or_insert_with(|| f.clone());
                setups_lost += 1;
            }
            _ => any_setup = true,
        }
        if let (false, Some(f), true) = (
            any_setup,
            &setup_lost,
            setups_lost >= SETUPS_BEFORE_GIVING_UP,
        ) {
            return Err(format!(
                "the engine {spec} was lost in the setup of every case (the first {setups_lost} \
                 cases; none got past its setup), so no rule could be judged; first: {}",
                f.message
            ));
        }
        let entry = first.entry(case.rule.as_str()).or_default();
        entry.0 += 1;
        if entry.1.is_none() {
            entry.1 = failure;
        }
    }
    drop(client);
    if let (false, Some(f), false) = (any_setup, setup_lost, partial) {
        return Err(format!(
            "the engine {spec} was lost in the setup of every case, so no rule could be judged; \
             first: {}",
            f.message
        ));
    }
    let mut rules = BTreeMap::new();
    let mut order = Vec::new();
    let (mut passed, mut failed, mut uncovered) = (0, 0, 0);
    for (rule, why) in CATALOGUE {
        if only.is_some_and(|o| !o.iter().any(|r| r == rule)) {
            continue;
        }
        let (n, fail) = first.remove(rule).unwrap_or((0, None));
        if partial && (n == 0 || n < wanted.get(rule).copied().unwrap_or(0)) {
            // Not every case of the rule ran (or none did, as for a rule with no cases): no
            // verdict, and not counted as run.
            continue;
        }
        let outcome = RuleOutcome {
            passed: n > 0 && fail.is_none(),
            cases: n,
            failure: fail.map(|f| FailureJson {
                case: f.case,
                step: f.step,
                message: f.message,
            }),
            not_covered: if n == 0 {
                Some(why.unwrap_or("no cases yet"))
            } else {
                None
            },
        };
        match (n, outcome.passed) {
            (0, _) => uncovered += 1,
            (_, true) => passed += 1,
            _ => failed += 1,
        }
        rules.insert(rule.to_string(), outcome);
        order.push(rule.to_string());
    }
    if let Some((rule, _)) = first.into_iter().next() {
        return Err(format!("case file: rule {rule:?} is not in the catalogue"));
    }
    Ok(Report {
        engine: spec.to_string(),
        protocol: crate::service::protocol::VERSION,
        passed,
        failed,
        not_covered: uncovered,
        rules,
        order,
        partial,
    })
}

/// `conformance.json`, pretty-printed with a final newline.
pub fn render_json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}

/// `conformance.xml`: one JUnit test suite, one test case per rule id (class `omnisim.conform`);
/// a failed rule carries a `<failure>` with its first differing step, an uncovered one is
/// `<skipped>` with the reason.
pub fn render_junit(r: &Report) -> String {
    use crate::report::junit::escape;
    let mut body = String::new();
    for rule in &r.order {
        let o = &r.rules[rule];
        body.push_str(&format!(
            "    <testcase classname=\"omnisim.conform\" name=\"{}\">",
            escape(rule)
        ));
        if let Some(why) = o.not_covered {
            body.push_str(&format!("<skipped message=\"{}\"/>", escape(why)));
        } else if let Some(f) = &o.failure {
            body.push_str(&format!(
                "<failure message=\"{}\">case {}, step {}: {}</failure>",
                escape(&format!("case {:?}, step {}", f.case, f.step)),
                escape(&f.case),
                f.step,
                escape(&f.message)
            ));
        }
        body.push_str("</testcase>\n");
    }
    if r.partial {
        // Interrupted: the rules not run to their end are left out.
        body.insert_str(
            0,
            "    <properties><property name=\"partial\" value=\"true\"/></properties>\n",
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"omnisim conform {}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n{body}</testsuite>\n",
        escape(&r.engine),
        r.order.len(),
        r.failed,
        r.not_covered
    )
}

/// The terminal lines: one per rule (`PASS`, `FAIL` with the first differing step, or `SKIP`
/// with the reason), then a total.
pub fn render_text(r: &Report) -> String {
    let mut out = String::new();
    for rule in &r.order {
        let o = &r.rules[rule];
        let line = match (&o.failure, o.not_covered) {
            (_, Some(why)) => format!("SKIP {rule}: {why}"),
            (Some(f), None) => format!(
                "FAIL {rule}: case {:?}, step {}: {}",
                f.case, f.step, f.message
            ),
            (None, None) => format!(
                "PASS {rule} ({})",
                crate::text::plural(o.cases as u64, "case")
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&format!(
        "{} passed, {} failed, {} without cases (engine {})\n",
        r.passed, r.failed, r.not_covered, r.engine
    ));
    if r.partial {
        out.push_str("interrupted (partial): only the rules whose every case ran are listed\n");
    }
    out
}
