//! `omnisim erlang --rate 300/h --aht 100s --agents 10`: Erlang C (and A with `--patience`)
//! figures, and with `--target-sl` the smallest agent count meeting a service level.

use crate::report::table::num;
use crate::stats::{erlang_a, erlang_c, erlang_c_service_level};
use crate::time::{parse_duration, parse_rate};

use super::{EXIT_BAD_INPUT, EXIT_OK, EXIT_THRESHOLD};

/// The low-level arguments of `erlang`.
#[derive(Debug)]
pub(crate) struct ErlangArgs {
    pub(crate) rate: String,
    pub(crate) aht: String,
    pub(crate) agents: Option<u32>,
    pub(crate) patience: Option<String>,
    pub(crate) sl: String,
    pub(crate) target_sl: Option<f64>,
}

/// The most agents the `--target-sl` search tries.
const MAX_AGENTS: u32 = 100_000;

/// The smallest agent count whose Erlang C service level within `t_s` is at least `target`.
pub fn smallest_agents(lambda: f64, aht_s: f64, t_s: f64, target: f64) -> Option<u32> {
    let start = (lambda * aht_s).floor().max(0.0) as u32 + 1;
    (start..=MAX_AGENTS)
        .find(|&n| erlang_c_service_level(lambda, aht_s, n, t_s).is_some_and(|sl| sl >= target))
}

/// Runs the command.
pub(crate) fn run(a: ErlangArgs) -> u8 {
    let parsed = (|| -> Result<(f64, f64, f64, Option<f64>), String> {
        let lambda = parse_rate(&a.rate).map_err(|e| format!("--rate: {e}"))?;
        let aht = parse_duration(&a.aht)
            .map_err(|e| format!("--aht: {e}"))?
            .as_secs_f64();
        let sl = parse_duration(&a.sl)
            .map_err(|e| format!("--sl: {e}"))?
            .as_secs_f64();
        let pat = a
            .patience
            .as_deref()
            .map(|p| parse_duration(p).map(|d| d.as_secs_f64()))
            .transpose()
            .map_err(|e| format!("--patience: {e}"))?;
        if aht <= 0.0 || pat == Some(0.0) {
            return Err("--aht and --patience must be positive".into());
        }
        if a.agents.is_none() && a.target_sl.is_none() {
            return Err("give --agents N, --target-sl X, or both".into());
        }
        if a.agents == Some(0) || a.target_sl.is_some_and(|x| !(0.0..1.0).contains(&x)) {
            return Err("--agents must be positive and --target-sl in [0, 1)".into());
        }
        Ok((lambda, aht, sl, pat))
    })();
    let (lambda, aht, sl, pat) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    println!(
        "offered load A = {} Erlangs ({} arrivals/h, mean handle time {} s)",
        num(lambda * aht),
        num(lambda * 3600.0),
        num(aht)
    );
    if let Some(n) = a.agents {
        if let Some(c) = erlang_c(lambda, aht, n) {
            let sl_v = erlang_c_service_level(lambda, aht, n, sl).unwrap_or(0.0);
            println!("Erlang C, {n} agents (no abandonment):");
            println!("  P(wait)            {}", num(c.p_wait));
            println!("  mean wait          {} s", num(c.mean_wait_s));
            println!("  service level {}s  {}", num(sl), num(sl_v));
            println!("  occupancy          {}", num(c.occupancy));
        }
        if let Some(p) = pat {
            if let Some(e) = erlang_a(lambda, aht, p, n) {
                println!("Erlang A, {n} agents, mean patience {} s:", num(p));
                println!("  P(wait)            {}", num(e.p_wait));
                println!("  P(abandon)         {}", num(e.p_abandon));
                println!("  mean wait          {} s", num(e.mean_wait_s));
                println!("  occupancy          {}", num(e.occupancy));
            }
        }
    }
    if let Some(x) = a.target_sl {
        match smallest_agents(lambda, aht, sl, x) {
            Some(n) => {
                println!(
                    "smallest agent count with service level ({} s) >= {}: {n} (Erlang C: {})",
                    num(sl),
                    num(x),
                    num(erlang_c_service_level(lambda, aht, n, sl).unwrap_or(0.0))
                );
            }
            None => {
                println!(
                    "no agent count up to {MAX_AGENTS} meets service level >= {}",
                    num(x)
                );
                return EXIT_THRESHOLD;
            }
        }
    }
    EXIT_OK
}
