//! `omnisim erlang --rate 300/h --aht 100s --agents 10 [--patience 2m] [--chat K --slowdown …]
//! [--target-sl 0.8] [--shrinkage 30%] [--json]`: Erlang C, Erlang A and multi-chat figures of
//! one queue, every mean wait labelled with whom it averages; with `--target-sl` the smallest
//! agent count meeting a service level per model, with `--shrinkage` the agents to schedule.
//!
//! The math is in [`crate::erlang`]; this file reads flags, checks them (all problems at once,
//! exit 2) and prints the terminal text or the one JSON object of the contract.

use serde::Serialize;

use crate::erlang::{self, chat, Figures, MAX_AGENTS};
use crate::report::format::plural_text;
use crate::report::table::num;
use crate::time::{parse_duration, parse_rate};

use super::error::{CliError, CmdResult};
use super::{EXIT_OK, EXIT_THRESHOLD};

/// `omnisim erlang` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct ErlangArgs {
    /// Arrival rate, e.g. 300/h or 646/30m.
    #[arg(long)]
    pub(crate) rate: String,
    /// Mean handle time, e.g. 100s.
    #[arg(long)]
    pub(crate) aht: String,
    /// Agents (fractional, e.g. 13.5, for Erlang C only).
    #[arg(long)]
    pub(crate) agents: Option<String>,
    /// Mean patience (exponential): adds Erlang A figures.
    #[arg(long)]
    pub(crate) patience: Option<String>,
    /// The service-level threshold.
    #[arg(long, default_value = "20s")]
    pub(crate) sl: String,
    /// Print, per model, the smallest agent count whose service level meets this fraction.
    #[arg(long)]
    pub(crate) target_sl: Option<f64>,
    /// Shrinkage, e.g. 30%: adds scheduled agents = agents needed / (1 − shrinkage).
    #[arg(long)]
    pub(crate) shrinkage: Option<String>,
    /// Chat slots per agent: adds the exact multi-chat model.
    #[arg(long)]
    pub(crate) chat: Option<u32>,
    /// Concurrency slowdown per chats held, e.g. 1,1.3,1.7 (needs --chat).
    #[arg(long)]
    pub(crate) slowdown: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Checked inputs.
#[derive(Debug)]
struct Input {
    lambda: f64,
    aht: f64,
    sl: f64,
    patience: Option<f64>,
    agents: Option<f64>,
    target: Option<f64>,
    shrinkage: Option<f64>,
    chat: Option<u32>,
    slowdown: Vec<f64>,
}

/// Reads a share: `"30%"` or `"0.3"`.
fn parse_share(text: &str) -> Option<f64> {
    let t = text.trim();
    let x = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok()? / 100.0,
        None => t.parse::<f64>().ok()?,
    };
    x.is_finite().then_some(x)
}

/// Checks every flag and returns all problems at once.
fn check(a: &ErlangArgs) -> Result<Input, Vec<String>> {
    let mut errs = Vec::new();
    let lambda = match parse_rate(&a.rate) {
        Ok(r) if r >= 0.0 => r,
        Ok(_) => {
            errs.push(format!("--rate {:?}: must not be negative", a.rate));
            0.0
        }
        Err(e) => {
            errs.push(format!("--rate: {e}"));
            0.0
        }
    };
    let dur = |flag: &str, text: &str, errs: &mut Vec<String>| match parse_duration(text) {
        Ok(d) => Some(d.as_secs_f64()),
        Err(e) => {
            errs.push(format!("{flag}: {e}"));
            None
        }
    };
    let aht = dur("--aht", &a.aht, &mut errs);
    if aht == Some(0.0) {
        errs.push("--aht: must be positive, e.g. \"100s\"".into());
    }
    let sl = dur("--sl", &a.sl, &mut errs).unwrap_or(20.0);
    let patience = a
        .patience
        .as_deref()
        .and_then(|p| dur("--patience", p, &mut errs));
    if patience == Some(0.0) {
        errs.push("--patience: must be positive, e.g. \"2m\"".into());
    }
    let agents = a.agents.as_deref().and_then(|t| match t.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= f64::from(MAX_AGENTS) => Some(x),
        _ => {
            errs.push(format!(
                "--agents {t:?}: expected a number of agents above 0 and at most {MAX_AGENTS}, e.g. 10 or 13.5"
            ));
            None
        }
    });
    if a.agents.is_none() && a.target_sl.is_none() {
        errs.push("give --agents N, --target-sl X, or both".into());
    }
    if let Some(x) = a.target_sl {
        if !(0.0..1.0).contains(&x) {
            errs.push(format!(
                "--target-sl {x}: expected a fraction in [0, 1), e.g. 0.8"
            ));
        }
    }
    let shrinkage = a.shrinkage.as_deref().and_then(|t| match parse_share(t) {
        Some(x) if (0.0..1.0).contains(&x) => Some(x),
        _ => {
            errs.push(format!(
                "--shrinkage {t:?}: expected a share in [0, 100%), e.g. \"30%\" or 0.3"
            ));
            None
        }
    });
    if a.chat == Some(0) {
        errs.push("--chat 0: expected the chat slots per agent, at least 1".into());
    }
    let mut slowdown = Vec::new();
    if let Some(text) = &a.slowdown {
        for (i, part) in text.split(',').enumerate() {
            match part.trim().parse::<f64>() {
                Ok(x) if x.is_finite() && (1.0..=1000.0).contains(&x) => slowdown.push(x),
                _ => errs.push(format!(
                    "--slowdown {text:?}: entry {} {:?} is not a factor in [1, 1000] (expected e.g. 1,1.3,1.7)",
                    i + 1,
                    part.trim()
                )),
            }
        }
        // As the scenario's `concurrency_slowdown`: more chats never make each one faster.
        if slowdown.windows(2).any(|w| w[1] < w[0]) {
            errs.push(format!(
                "--slowdown {text:?}: the factors must not decrease (expected e.g. 1,1.3,1.7)"
            ));
        }
        match a.chat {
            None => errs
                .push("--slowdown needs --chat K (the chat slots per agent it applies to)".into()),
            Some(k) if slowdown.len() > k as usize => errs.push(format!(
                "--slowdown has {} entries but --chat {k} gives agents only {}; \
                 give at most {k} (the last entry holds beyond the list)",
                slowdown.len(),
                crate::report::format::plural(u64::from(k), "slot")
            )),
            _ => {}
        }
    }
    if let Some(x) = agents {
        if x.fract() != 0.0 && (a.patience.is_some() || a.chat.is_some()) {
            errs.push(format!(
                "--agents {x}: fractional agents are defined for Erlang C only (the \
                 incomplete-gamma extension); --patience and --chat need a whole number"
            ));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Input {
        lambda,
        aht: aht.unwrap_or(1.0),
        sl,
        patience,
        agents,
        target: a.target_sl,
        shrinkage,
        chat: a.chat,
        slowdown,
    })
}

/// One model in the JSON object.
#[derive(Debug, Serialize)]
struct ModelOut {
    #[serde(flatten)]
    figures: Option<Figures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agents_needed: Option<Option<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_agents: Option<Option<f64>>,
}

/// The JSON object of `erlang --json` (keys fixed by the contract; `agents`, `stable`,
/// `service_level_threshold_s` and `slots_per_agent` are additions).
#[derive(Debug, Serialize)]
struct Output {
    offered_load: f64,
    service_level_threshold_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    slots_per_agent: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    erlang_c: Option<ModelOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    erlang_a: Option<ModelOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chat: Option<ModelOut>,
}

/// Why a model's figures cannot be given at an agent count.
#[derive(Debug)]
enum EvalError {
    /// The inputs are invalid for this model there (a search treats it as not meeting).
    Invalid(String),
    /// Beyond the documented work limit ([`erlang::MAX_TAIL_WORK`]): stops the command, exit 2.
    TooBig(String),
}

impl EvalError {
    fn message(self) -> String {
        match self {
            EvalError::Invalid(m) | EvalError::TooBig(m) => m,
        }
    }
}

/// Figures of one model for a given agent count.
type Eval<'a> = Box<dyn Fn(f64) -> Result<Figures, EvalError> + 'a>;

/// `Err` when the waiting-time tail of a model with all-busy completion rate `c` (per second)
/// needs more than [`erlang::MAX_TAIL_WORK`] steps.
fn tail_budget(inp: &Input, model: &str, agents: f64, c: f64) -> Result<(), EvalError> {
    let Some(p) = inp.patience else {
        return Ok(());
    };
    let work = erlang::tail_work(inp.lambda, c, 1.0 / p, inp.sl);
    if work <= erlang::MAX_TAIL_WORK {
        return Ok(());
    }
    Err(EvalError::TooBig(format!(
        "{model} at {}: {} arrivals/h with a mean patience of {} s and --sl {} s need about {work:.1e} \
         steps for the exact waiting times, over the limit of {:.0e} (docs/erlang.md, \"Limits\"); \
         give a smaller --rate, --patience or --sl, or simulate the queue with `omnisim run`",
        plural_text(&num(agents), "agent"),
        num(inp.lambda * 3600.0),
        num(p),
        num(inp.sl),
        erlang::MAX_TAIL_WORK
    )))
}

/// Runs one model: figures at `--agents` (or at the agents needed), the search (from `start`)
/// and shrinkage.
fn model(inp: &Input, eval: &Eval<'_>, start: u32, max: u32) -> Result<ModelOut, String> {
    let needed = inp
        .target
        .map(|target| {
            erlang::fewest_agents(start, max, |n| match eval(f64::from(n)) {
                Ok(f) => Ok(f.service_level >= target),
                Err(EvalError::Invalid(_)) => Ok(false),
                Err(e) => Err(e.message()),
            })
        })
        .transpose()?;
    let at = inp.agents.or(needed.flatten().map(f64::from));
    let figures = at.map(eval).transpose().map_err(EvalError::message)?;
    let base = match needed {
        Some(n) => n.map(f64::from),
        None => inp.agents,
    };
    let scheduled = inp.shrinkage.map(|s| base.map(|b| b / (1.0 - s)));
    Ok(ModelOut {
        figures,
        agents_needed: needed,
        scheduled_agents: scheduled,
    })
}

/// Runs the command.
pub(crate) fn run(a: ErlangArgs) -> CmdResult {
    let inp = check(&a).map_err(CliError::BadInput)?;
    let slots = inp.chat.unwrap_or(1);
    let m = f64::from(slots);
    let (lambda, aht, t) = (inp.lambda, inp.aht, inp.sl);
    let ec: Eval<'_> = Box::new(move |n: f64| {
        erlang::erlang_c(lambda, aht, n * m, t)
            .map(|mut f| {
                f.agents = n;
                f
            })
            .ok_or_else(|| EvalError::Invalid("invalid Erlang C input".to_string()))
    });
    let inp_ref = &inp;
    let ea: Option<Eval<'_>> = inp.patience.map(|p| -> Eval<'_> {
        Box::new(move |n: f64| {
            tail_budget(inp_ref, "Erlang A", n, n * m / aht)?;
            erlang::erlang_a(lambda, aht, p, (n * m) as u32, t)
                .map(|mut f| {
                    f.agents = n;
                    f
                })
                .ok_or_else(|| EvalError::Invalid("invalid Erlang A input".to_string()))
        })
    });
    let pat = inp.patience.unwrap_or(f64::INFINITY);
    // Each chain is solved once (a search's last count is also the one printed; a chain of a
    // million states takes seconds).
    let solved: std::cell::RefCell<std::collections::BTreeMap<(u32, u32), _>> = Default::default();
    let solve_chat = |n: f64, k: u32| {
        let key = (n as u32, k);
        if let Some(r) = solved.borrow().get(&key) {
            return Clone::clone(r);
        }
        let r = chat::solve(lambda, aht, pat, key.0, k, &inp.slowdown, t);
        solved.borrow_mut().insert(key, r.clone());
        r
    };
    let ch: Option<Eval<'_>> = inp.chat.map(|k| -> Eval<'_> {
        Box::new(move |n: f64| {
            // All agents holding K chats complete n·K/(aht·s_K) a second.
            let s_k = inp_ref
                .slowdown
                .get((k as usize).min(inp_ref.slowdown.len()).wrapping_sub(1))
                .copied()
                .unwrap_or(1.0);
            tail_budget(
                inp_ref,
                "the multi-chat model",
                n,
                n * f64::from(k) / (aht * s_k),
            )?;
            solve_chat(n, k)
                .map(|r| r.figures)
                .map_err(|e| EvalError::Invalid(e.to_string()))
        })
    });
    // Every search starts at the least stable count, ⌊A ÷ slots⌋ + 1 (Erlang A may need
    // fewer: the search walks down from there).
    let start = ((lambda * aht / m).floor().min(f64::from(MAX_AGENTS))) as u32 + 1;
    // The chat search stops where the state space would pass chat::MAX_STATES.
    let chat_max = inp.chat.map_or(1, |k| {
        let mut n = 1u32;
        while n < MAX_AGENTS && states(n + 1, k) <= chat::MAX_STATES as f64 {
            n += 1;
        }
        n
    });
    let run_model = |eval: &Eval<'_>, max: u32| model(&inp, eval, start.min(max), max);
    let results = (|| -> Result<Output, String> {
        let erlang_c = Some(run_model(&ec, MAX_AGENTS)?);
        let erlang_a = ea.as_ref().map(|e| run_model(e, MAX_AGENTS)).transpose()?;
        let chat = ch.as_ref().map(|e| run_model(e, chat_max)).transpose()?;
        Ok(Output {
            offered_load: lambda * aht,
            service_level_threshold_s: t,
            slots_per_agent: inp.chat,
            erlang_c,
            erlang_a,
            chat,
        })
    })();
    let out = results.map_err(CliError::bad)?;
    // The chain behind the printed chat figures (at --agents, or at agents_needed).
    let chat_info = match (&out.chat, inp.chat) {
        (
            Some(ModelOut {
                figures: Some(f), ..
            }),
            Some(k),
        ) if f.stable => solve_chat(f.agents, k)
            .ok()
            .map(|r| (r.states, r.queue_kept, r.residual)),
        _ => None,
    };
    if a.json {
        let s = serde_json::to_string_pretty(&out).map_err(|e| CliError::bad(e.to_string()))?;
        println!("{s}");
    } else {
        print_text(&inp, &out, chat_info);
    }
    let unmet = [&out.erlang_c, &out.erlang_a, &out.chat]
        .into_iter()
        .flatten()
        .any(|m| m.agents_needed == Some(None));
    Ok(if unmet { EXIT_THRESHOLD } else { EXIT_OK })
}

/// C(n + k, k) as a float.
fn states(n: u32, k: u32) -> f64 {
    (1..=k).fold(1.0, |acc, i| acc * f64::from(n + i) / f64::from(i))
}

/// One labelled line of the terminal report.
fn line(label: &str, value: String) {
    println!("  {label:<52} {value}");
}

fn print_text(inp: &Input, out: &Output, chat_info: Option<(usize, usize, f64)>) {
    println!(
        "offered load A = {} ({} arrivals/h, mean handle time {} s)",
        plural_text(&num(out.offered_load), "Erlang"),
        num(inp.lambda * 3600.0),
        num(inp.aht)
    );
    let slots = inp.chat.unwrap_or(1);
    let servers = |n: f64| {
        if slots > 1 {
            format!(
                "{} × {slots} independent slots",
                plural_text(&num(n), "agent")
            )
        } else {
            plural_text(&num(n), "agent")
        }
    };
    let pat = inp
        .patience
        .map(|p| format!("mean patience {} s", num(p)))
        .unwrap_or_else(|| "no abandonment".into());
    let sd = if inp.slowdown.is_empty() {
        "no slowdown".to_string()
    } else {
        let v: Vec<String> = inp.slowdown.iter().map(|x| num(*x)).collect();
        format!("slowdown {}", v.join(", "))
    };
    let models = [
        (&out.erlang_c, Kind::C),
        (&out.erlang_a, Kind::A),
        (&out.chat, Kind::Chat),
    ];
    for (model, kind) in models {
        let Some(m) = model else { continue };
        let n = m.figures.map(|f| f.agents);
        let who = n.map(servers).unwrap_or_else(|| "no agent count".into());
        match kind {
            Kind::C => println!("Erlang C, {who} (no abandonment):"),
            Kind::A => println!("Erlang A, {who}, {pat}:"),
            Kind::Chat => println!(
                "Multi-chat (exact), {} × {}, {sd}, {pat}:",
                n.map_or("no agent count".into(), |n| plural_text(&num(n), "agent")),
                crate::report::format::plural(u64::from(slots), "chat")
            ),
        }
        if let Some(f) = &m.figures {
            print_figures(inp, f, kind == Kind::Chat);
            if let (Kind::Chat, Some((states, kept, residual))) = (kind, chat_info) {
                let kept = if kept == usize::MAX {
                    "geometric, summed exactly".to_string()
                } else {
                    format!("tail of {kept} lengths")
                };
                line(
                    "chain",
                    format!("{states} agent states, queue {kept}, residual {residual:.1e}"),
                );
            }
        }
        if let Some(needed) = m.agents_needed {
            let label = format!(
                "agents needed for service level >= {}",
                num(inp.target.unwrap_or(0.0))
            );
            match needed {
                Some(n) => line(&label, n.to_string()),
                None => line(&label, "not met within the search limit".into()),
            }
        }
        if let (Some(Some(s)), Some(sh)) = (m.scheduled_agents, inp.shrinkage) {
            line(
                &format!("scheduled agents at {}% shrinkage", num(sh * 100.0)),
                format!("{} (round up: {})", num(s), s.ceil()),
            );
        }
    }
}

/// Which model a block of the terminal report is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    C,
    A,
    Chat,
}

fn print_figures(inp: &Input, f: &Figures, chat: bool) {
    if !f.stable {
        line(
            "unstable",
            "the offered load needs more capacity; waits grow without bound".into(),
        );
        return;
    }
    let secs = |x: f64| format!("{} s", num(x));
    line("P(wait)", num(f.p_wait));
    line("P(abandon)", num(f.p_abandon));
    line(
        "mean wait of answered conversations (ASA)",
        secs(f.mean_wait_answered_s),
    );
    line(
        "mean wait of all arrivals (incl. abandoned)",
        secs(f.mean_wait_all_s),
    );
    line(
        &format!(
            "service level (answered within {} s ÷ arrivals)",
            num(inp.sl)
        ),
        num(f.service_level),
    );
    let occ = if chat {
        "occupancy (chats in progress ÷ slots)"
    } else {
        "occupancy (busy servers ÷ servers)"
    };
    line(occ, num(f.occupancy));
}
