//! Walking the spanned TOML tree: typed getters that report problems instead of stopping.
//!
//! Every getter returns `Option`: `None` means a problem was reported to the [`Ctx`]. The
//! `opt_*`/`*_or` forms treat a missing key as "use the default"; `req` reports it.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::diag::Ctx;
use super::suggest::{closest, quoted_list};
use crate::dist::Dist;
use crate::time::{parse_duration, parse_rate, SimDuration};

/// A spanned TOML value.
pub(crate) type Val<'i> = Spanned<DeValue<'i>>;

/// A byte range of the source.
pub(crate) type Span = Range<usize>;

/// A table together with its key path and position.
#[derive(Clone, Debug)]
pub(crate) struct Table<'a, 'i> {
    pub(crate) path: &'a str,
    pub(crate) span: Option<Span>,
    pub(crate) map: &'a DeTable<'i>,
}

/// `parent.key` (or `key` at the top level).
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl<'a, 'i> Table<'a, 'i> {
    /// The value of `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Val<'i>> {
        self.map.get(key)
    }

    /// The key path of `key` in this table.
    pub(crate) fn path_of(&self, key: &str) -> String {
        join(self.path, key)
    }

    /// Reports every key not in `allowed`, with a "did you mean" hint for likely typos.
    pub(crate) fn check_keys(&self, cx: &mut Ctx<'_>, allowed: &[&str]) {
        for (k, _) in self.map.iter() {
            let key: &str = k.get_ref();
            if allowed.contains(&key) {
                continue;
            }
            let hint = match closest(key, allowed.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("expected one of {}", quoted_list(allowed.iter().copied())),
            };
            cx.report(
                &self.path_of(key),
                Some(k.span()),
                format!("unknown key `{key}`"),
                Some(hint),
            );
        }
    }

    /// Reports a missing required key.
    pub(crate) fn missing(&self, cx: &mut Ctx<'_>, key: &str, what: &str) {
        let where_ = if self.path.is_empty() {
            "the file".to_string()
        } else {
            format!("`{}`", self.path)
        };
        cx.report(
            &self.path_of(key),
            self.span.clone(),
            format!("missing required key `{key}` ({what}) in {where_}"),
            None,
        );
    }

    /// A required key, converted by `f`.
    pub(crate) fn req<T>(
        &self,
        cx: &mut Ctx<'_>,
        key: &str,
        what: &str,
        f: impl FnOnce(&mut Ctx<'_>, &str, &Val<'_>) -> Option<T>,
    ) -> Option<T> {
        match self.get(key) {
            Some(v) => f(cx, &self.path_of(key), v),
            None => {
                self.missing(cx, key, what);
                None
            }
        }
    }

    /// An optional key: `Some(None)` when absent, `None` after a reported problem.
    pub(crate) fn opt<T>(
        &self,
        cx: &mut Ctx<'_>,
        key: &str,
        f: impl FnOnce(&mut Ctx<'_>, &str, &Val<'_>) -> Option<T>,
    ) -> Option<Option<T>> {
        match self.get(key) {
            Some(v) => f(cx, &self.path_of(key), v).map(Some),
            None => Some(None),
        }
    }

    /// An optional key with a default.
    pub(crate) fn or<T>(
        &self,
        cx: &mut Ctx<'_>,
        key: &str,
        default: T,
        f: impl FnOnce(&mut Ctx<'_>, &str, &Val<'_>) -> Option<T>,
    ) -> Option<T> {
        self.opt(cx, key, f).map(|o| o.unwrap_or(default))
    }
}

/// The TOML type name of a value, for messages.
pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn wrong_type(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, expected: &str) {
    cx.error(
        path,
        v.span(),
        format!("expected {expected}, found {}", type_name(v.get_ref())),
    );
}

/// A table value.
pub(crate) fn table<'a, 'i>(
    cx: &mut Ctx<'_>,
    path: &'a str,
    v: &'a Val<'i>,
) -> Option<Table<'a, 'i>> {
    match v.get_ref() {
        DeValue::Table(map) => Some(Table {
            path,
            span: Some(v.span()),
            map,
        }),
        _ => {
            wrong_type(cx, path, v, "a table");
            None
        }
    }
}

/// An array value.
pub(crate) fn array<'a, 'i>(cx: &mut Ctx<'_>, path: &str, v: &'a Val<'i>) -> Option<&'a [Val<'i>]> {
    match v.get_ref() {
        DeValue::Array(items) => Some(items),
        _ => {
            wrong_type(cx, path, v, "an array");
            None
        }
    }
}

/// A string value.
pub(crate) fn string(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<String> {
    match v.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        _ => {
            wrong_type(cx, path, v, "a string");
            None
        }
    }
}

/// A non-empty string value without control characters (names).
pub(crate) fn name(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<String> {
    let s = string(cx, path, v)?;
    if s.trim().is_empty() {
        cx.error(path, v.span(), "a name must not be empty");
        return None;
    }
    // A newline or another control character would break every one-line-per-event output
    // that shows the name (`explain`, terminal tables, CSV readers downstream).
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        cx.error(
            path,
            v.span(),
            format!(
                "name {s:?} holds the control character U+{:04X}; a name is one line of \
                 printable characters",
                u32::from(c)
            ),
        );
        cx.refused_name(&s);
        return None;
    }
    Some(s)
}

/// A boolean value.
pub(crate) fn boolean(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<bool> {
    match v.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        _ => {
            wrong_type(cx, path, v, "true or false");
            None
        }
    }
}

/// An integer value as `i128` (wide enough for every TOML integer).
pub(crate) fn integer(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<i128> {
    match v.get_ref() {
        DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Some(n),
            Err(_) => {
                cx.error(path, v.span(), "integer too large");
                None
            }
        },
        _ => {
            wrong_type(cx, path, v, "an integer");
            None
        }
    }
}

/// An integer in `[min, u32::MAX]`.
pub(crate) fn u32_at_least(min: u32) -> impl Fn(&mut Ctx<'_>, &str, &Val<'_>) -> Option<u32> {
    move |cx, path, v| {
        let n = integer(cx, path, v)?;
        if n < i128::from(min) {
            cx.error(path, v.span(), format!("must be at least {min}, found {n}"));
            return None;
        }
        match u32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                cx.error(
                    path,
                    v.span(),
                    format!("{n} is too large; at most {}", u32::MAX),
                );
                None
            }
        }
    }
}

/// A non-negative integer that fits in `u64`.
pub(crate) fn u64_value(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<u64> {
    let n = integer(cx, path, v)?;
    match u64::try_from(n) {
        Ok(n) => Some(n),
        Err(_) => {
            cx.error(
                path,
                v.span(),
                format!("must be a whole number from 0 to {}, found {n}", u64::MAX),
            );
            None
        }
    }
}

/// A finite number (integer or float).
pub(crate) fn number(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<f64> {
    let x = match v.get_ref() {
        DeValue::Integer(_) => integer(cx, path, v)? as f64,
        DeValue::Float(f) => f.as_str().parse::<f64>().unwrap_or(f64::NAN),
        _ => {
            wrong_type(cx, path, v, "a number");
            return None;
        }
    };
    if !x.is_finite() {
        cx.error(path, v.span(), "must be a finite number");
        return None;
    }
    Some(x)
}

/// A probability: a number in `[0, 1]`.
pub(crate) fn probability(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<f64> {
    let p = number(cx, path, v)?;
    if !(0.0..=1.0).contains(&p) {
        cx.error(path, v.span(), format!("probability {p} is outside [0, 1]"));
        return None;
    }
    Some(p)
}

/// A number in `[-1, 1]` (sentiment values).
pub(crate) fn unit_interval(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<f64> {
    let x = number(cx, path, v)?;
    if !(-1.0..=1.0).contains(&x) {
        cx.error(
            path,
            v.span(),
            format!("{} is outside [-1, 1]", crate::text::number(x)),
        );
        return None;
    }
    Some(x)
}

/// A duration string such as `"90s"` or `"1h30m"`.
pub(crate) fn duration(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<SimDuration> {
    let DeValue::String(s) = v.get_ref() else {
        cx.report(
            path,
            Some(v.span()),
            format!(
                "expected a duration string, found {}",
                type_name(v.get_ref())
            ),
            Some("write durations with a unit, e.g. \"90s\", \"5m\" or \"1h30m\"".into()),
        );
        return None;
    };
    match parse_duration(s) {
        Ok(d) => Some(d),
        Err(e) => {
            cx.error(path, v.span(), e.to_string());
            None
        }
    }
}

/// A duration that must be more than zero.
pub(crate) fn positive_duration(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<SimDuration> {
    let d = duration(cx, path, v)?;
    if d == SimDuration::ZERO {
        cx.error(path, v.span(), zero_message(v));
        return None;
    }
    Some(d)
}

/// "must be longer than 0s", and when the text is not zero (`"0.1ms"`), that it rounds to 0:
/// times are whole milliseconds.
pub(crate) fn zero_message(v: &Val<'_>) -> String {
    let nonzero = match v.get_ref() {
        DeValue::String(s) => s.bytes().any(|b| (b'1'..=b'9').contains(&b)),
        _ => false,
    };
    if nonzero {
        format!(
            "must be longer than 0s: {:?} rounds to 0 ms (times are whole milliseconds); use \
             at least \"1ms\"",
            v.get_ref().as_str().unwrap_or_default().trim()
        )
    } else {
        "must be longer than 0s".to_string()
    }
}

/// A rate string such as `"90/h"`, in events per second; zero is allowed when `allow_zero`.
pub(crate) fn rate(allow_zero: bool) -> impl Fn(&mut Ctx<'_>, &str, &Val<'_>) -> Option<f64> {
    move |cx, path, v| {
        let DeValue::String(s) = v.get_ref() else {
            cx.report(
                path,
                Some(v.span()),
                format!("expected a rate string, found {}", type_name(v.get_ref())),
                Some("write rates as \"N/s\", \"N/m\", \"N/h\", \"N/d\" or N per a duration, e.g. \"90/h\" or \"646/30m\"".into()),
            );
            return None;
        };
        match parse_rate(s) {
            Ok(r) if r < 0.0 || (r == 0.0 && !allow_zero) => {
                let need = if allow_zero {
                    "at least 0"
                } else {
                    "more than 0"
                };
                cx.error(path, v.span(), format!("rate {s:?} must be {need}"));
                None
            }
            Ok(r) => Some(r),
            Err(e) => {
                cx.error(path, v.span(), e.to_string());
                None
            }
        }
    }
}

/// A string that must be one of `choices`.
pub(crate) fn one_of<'c>(
    choices: &'c [&'c str],
) -> impl Fn(&mut Ctx<'_>, &str, &Val<'_>) -> Option<&'c str> + 'c {
    move |cx, path, v| {
        let s = string(cx, path, v)?;
        if let Some(c) = choices.iter().find(|c| **c == s) {
            return Some(c);
        }
        let hint = closest(&s, choices.iter().copied()).map(|c| format!("did you mean {c:?}?"));
        cx.report(
            path,
            Some(v.span()),
            format!(
                "unknown value {s:?}; expected one of {}",
                quoted_list(choices.iter().copied())
            ),
            hint,
        );
        None
    }
}

/// A string or an array of strings, each checked by `f`; the result is never empty.
pub(crate) fn one_or_many<T>(
    cx: &mut Ctx<'_>,
    path: &str,
    v: &Val<'_>,
    f: impl Fn(&mut Ctx<'_>, &str, &Val<'_>) -> Option<T>,
) -> Option<Vec<T>> {
    match v.get_ref() {
        DeValue::Array(items) => {
            if items.is_empty() {
                cx.error(path, v.span(), "the list must not be empty");
                return None;
            }
            let mut out = Vec::with_capacity(items.len());
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                match f(cx, &format!("{path}[{i}]"), item) {
                    Some(x) => out.push(x),
                    None => ok = false,
                }
            }
            ok.then_some(out)
        }
        _ => f(cx, path, v).map(|x| vec![x]),
    }
}

/// A distribution: an inline table `{ dist = …, … }`, or a duration string for a constant.
pub(crate) fn dist(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<Dist> {
    let t = match v.get_ref() {
        DeValue::String(_) => return duration(cx, path, v).map(Dist::Constant),
        DeValue::Table(map) => Table {
            path,
            span: Some(v.span()),
            map,
        },
        other => {
            cx.report(
                path,
                Some(v.span()),
                format!("expected a distribution, found {}", type_name(other)),
                Some("e.g. { dist = \"exponential\", mean = \"100s\" }, or a duration string such as \"5s\" for a constant".into()),
            );
            return None;
        }
    };
    const KINDS: [&str; 6] = [
        "constant",
        "exponential",
        "uniform",
        "lognormal",
        "gamma",
        "empirical",
    ];
    let kind = t.req(cx, "dist", "the distribution's name", one_of(&KINDS))?;
    let d = match kind {
        "constant" => {
            t.check_keys(cx, &["dist", "value"]);
            Dist::Constant(t.req(cx, "value", "a duration", duration)?)
        }
        "exponential" => {
            t.check_keys(cx, &["dist", "mean"]);
            Dist::Exponential {
                mean: t.req(cx, "mean", "a duration", positive_duration)?,
            }
        }
        "uniform" => {
            t.check_keys(cx, &["dist", "min", "max"]);
            let min = t.req(cx, "min", "a duration", duration);
            let max = t.req(cx, "max", "a duration", duration);
            let (min, max) = (min?, max?);
            if min > max {
                cx.error(
                    path,
                    v.span(),
                    format!("uniform min ({min}) is greater than max ({max})"),
                );
                return None;
            }
            Dist::Uniform { min, max }
        }
        "lognormal" | "gamma" => {
            t.check_keys(cx, &["dist", "mean", "sd"]);
            let mean = t.req(cx, "mean", "a duration", positive_duration);
            let sd = t.req(cx, "sd", "a duration", duration);
            let (mean, sd) = (mean?, sd?);
            if kind == "lognormal" {
                Dist::LogNormal { mean, sd }
            } else {
                Dist::Gamma { mean, sd }
            }
        }
        _ => {
            t.check_keys(cx, &["dist", "values"]);
            let vals = t.req(cx, "values", "a list of durations", |cx, p, v| {
                let items = array(cx, p, v)?;
                if items.is_empty() {
                    cx.error(
                        p,
                        v.span(),
                        "an empirical distribution needs at least one value",
                    );
                    return None;
                }
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match duration(cx, &format!("{p}[{i}]"), item) {
                        Some(d) => out.push(d),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            })?;
            Dist::Empirical(vals)
        }
    };
    Some(d)
}

/// Reports every string of the array `v` that repeats an earlier one, as `{what} "x" listed
/// twice` at the repeat (`path[i]`); a value that is not an array (one name) has no repeats.
/// Returns whether there were none.
pub(crate) fn no_repeats(cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, what: &str) -> bool {
    let DeValue::Array(items) = v.get_ref() else {
        return true;
    };
    let mut seen: Vec<&str> = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let DeValue::String(s) = item.get_ref() else {
            continue;
        };
        if seen.contains(&s.as_ref()) {
            cx.error(
                &format!("{path}[{i}]"),
                item.span(),
                format!("{what} {s:?} listed twice"),
            );
            ok = false;
        } else {
            seen.push(s.as_ref());
        }
    }
    ok
}

/// The value at a dotted route below `root` (`"queues.2.overflow.0.queue"`: a number steps into
/// an array), for placing a diagnostic found after loading; `None` when it is not there.
pub(crate) fn value_at<'a, 'i>(root: &Table<'a, 'i>, route: &str) -> Option<&'a Val<'i>> {
    let mut steps = route.split('.');
    let mut v = root.get(steps.next()?)?;
    for step in steps {
        v = match (v.get_ref(), step.parse::<usize>()) {
            (DeValue::Array(items), Ok(i)) => items.get(i)?,
            (DeValue::Table(t), _) => t.get(step)?,
            _ => return None,
        };
    }
    Some(v)
}
