//! Number and time formatting shared by the human-facing renderers (terminal and HTML).
//!
//! Figures without data (`None`: the wait of a queue nobody answered) render as [`NO_DATA`],
//! never as 0.

/// How a figure without data reads in the terminal and the HTML report.
pub const NO_DATA: &str = "—";

/// Counts with their nouns (`plural`, `plural_text`) live one layer down, in [`crate::text`],
/// so scenario messages use them too.
pub(crate) use crate::text::{plural, plural_text};

/// A fraction as a percentage with one decimal: `0.8523` → `85.2%`.
pub(crate) fn pct(x: impl Into<Option<f64>>) -> String {
    x.into()
        .map_or_else(|| NO_DATA.into(), |x| format!("{:.1}%", x * 100.0))
}

/// Seconds since the start of the run as `h:mm` (`5400` → `1:30`); days roll into hours.
pub(crate) fn clock(s: f64) -> String {
    let m = (s.max(0.0) / 60.0).round() as u64;
    format!("{}:{:02}", m / 60, m % 60)
}

/// A duration in seconds, compact: `42.5s` (under 100 s), `3m 20s`, `4h 12m`.
pub(crate) fn duration(s: impl Into<Option<f64>>) -> String {
    let Some(s) = s.into() else {
        return NO_DATA.into();
    };
    let s = s.max(0.0);
    if s < 100.0 {
        format!("{}s", short(s))
    } else if s < 3600.0 {
        let t = s.round() as u64;
        format!("{}m {:02}s", t / 60, t % 60)
    } else {
        let m = (s / 60.0).round() as u64;
        format!("{}h {:02}m", m / 60, m % 60)
    }
}

/// A number with at most one decimal and no trailing `.0`: `12.0` → `12`, `3.14` → `3.1`.
pub(crate) fn short(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// A large number compactly: `255544.2` → `255.5k`, `1234567` → `1.23M`, `950.25` → `950.3`.
pub(crate) fn compact(x: f64) -> String {
    let a = x.abs();
    if a >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else {
        short(x)
    }
}

/// An axis tick: at most 2 decimals, trailing zeros dropped (`0.25`, `0.5`, `1`, `2.5`).
pub(crate) fn tick(x: f64) -> String {
    let t = format!("{x:.2}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".into()
    } else {
        t.to_string()
    }
}

/// A metric value with at most 4 decimals and no trailing zeros: `0.85231` → `0.8523`.
pub(crate) fn value(x: impl Into<Option<f64>>) -> String {
    let Some(x) = x.into() else {
        return NO_DATA.into();
    };
    let t = format!("{x:.4}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".into()
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(plural(1, "agent"), "1 agent");
        assert_eq!(plural(0, "agent"), "0 agents");
        assert_eq!(plural(2, "replication"), "2 replications");
        assert_eq!(plural_text("1", "agent"), "1 agent");
        assert_eq!(plural_text("1.5", "agent"), "1.5 agents");
    }

    #[test]
    fn formats() {
        assert_eq!(pct(0.8523), "85.2%");
        assert_eq!(clock(5400.0), "1:30");
        assert_eq!(clock(0.0), "0:00");
        assert_eq!(clock(90_000.0), "25:00");
        assert_eq!(duration(42.54), "42.5s");
        assert_eq!(duration(200.0), "3m 20s");
        assert_eq!(duration(60.0), "60s");
        assert_eq!(compact(255_544.2), "255.5k");
        assert_eq!(compact(1_234_567.0), "1.23M");
        assert_eq!(compact(950.25), "950.3");
        assert_eq!(duration(15_120.0), "4h 12m");
        assert_eq!(short(12.0), "12");
        assert_eq!(short(-0.04), "0");
        assert_eq!(value(0.85231), "0.8523");
        assert_eq!(value(120.0), "120");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(40.0), "40");
        assert_eq!(pct(None), "—");
        assert_eq!(duration(None), "—");
        assert_eq!(value(None), "—");
    }
}
