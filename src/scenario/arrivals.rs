//! A queue's `arrivals`: a Poisson rate, a piecewise-constant profile or a fixed list of times.

use super::diag::Ctx;
use super::spanned::{array, duration, rate, table, Val};
use super::types::Arrivals;
use crate::time::{SimDuration, SimTime};

/// `arrivals = { rate } | { profile } | { times }`; times must fall before the horizon.
pub(crate) fn arrivals(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    horizon: Option<SimDuration>,
) -> Option<Arrivals> {
    let t = table(cx, path, v)?;
    t.check_keys(cx, &["rate", "profile", "times"]);
    let given: Vec<&str> = ["rate", "profile", "times"]
        .into_iter()
        .filter(|k| t.get(k).is_some())
        .collect();
    if given.len() != 1 {
        cx.report(
            path,
            Some(v.span()),
            format!(
                "arrivals need exactly one of `rate`, `profile` or `times`, found {}",
                if given.is_empty() {
                    "none".to_string()
                } else {
                    given.join(" and ")
                }
            ),
            Some("e.g. arrivals = { rate = \"90/h\" }".into()),
        );
        return None;
    }
    if let Some(r) = t.get("rate") {
        return rate(false)(cx, &t.path_of("rate"), r).map(Arrivals::Rate);
    }
    if let Some(pv) = t.get("profile") {
        let p = t.path_of("profile");
        let items = array(cx, &p, pv)?;
        if items.is_empty() {
            cx.error(
                &p,
                pv.span(),
                "the profile is empty; give at least [[\"0h\", rate]]",
            );
            return None;
        }
        let mut out: Vec<(SimTime, f64)> = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{p}[{i}]");
            let pair = array(cx, &ip, item);
            let Some(pair) = pair else {
                ok = false;
                continue;
            };
            if pair.len() != 2 {
                cx.error(
                    &ip,
                    item.span(),
                    format!("expected a pair [time, rate], found {} items", pair.len()),
                );
                ok = false;
                continue;
            }
            let at = duration(cx, &format!("{ip}[0]"), &pair[0]);
            let r = rate(true)(cx, &format!("{ip}[1]"), &pair[1]);
            let (Some(at), Some(r)) = (at, r) else {
                ok = false;
                continue;
            };
            let at = SimTime(at.as_millis());
            if i == 0 && at != SimTime::ZERO {
                cx.error(
                    &format!("{ip}[0]"),
                    pair[0].span(),
                    "the profile must start at \"0h\"",
                );
                ok = false;
            }
            if let Some((prev, _)) = out.last() {
                if at <= *prev {
                    cx.error(
                        &format!("{ip}[0]"),
                        pair[0].span(),
                        "profile times must increase",
                    );
                    ok = false;
                }
            }
            out.push((at, r));
        }
        if ok && out.iter().all(|(_, r)| *r == 0.0) {
            cx.error(
                &p,
                pv.span(),
                "every rate of the profile is 0: nothing would arrive",
            );
            ok = false;
        }
        return ok.then_some(Arrivals::Profile(out));
    }
    let tv = t.get("times")?;
    let p = t.path_of("times");
    let items = array(cx, &p, tv)?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let ip = format!("{p}[{i}]");
        match duration(cx, &ip, item) {
            Some(d) if horizon.is_some_and(|h| d >= h) => {
                cx.report(
                    &ip,
                    Some(item.span()),
                    format!(
                        "arrival at {d} is not before the horizon ({})",
                        horizon.unwrap_or_default()
                    ),
                    Some("arrivals happen in [0, horizon)".into()),
                );
                ok = false;
            }
            Some(d) => out.push(SimTime(d.as_millis())),
            None => ok = false,
        }
    }
    out.sort();
    ok.then_some(Arrivals::Times(out))
}
