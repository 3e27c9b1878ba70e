//! Tests of `fit` on histories written here: censored patience, open-day and weekday rates,
//! rows far outside the rest, UTC offsets, the interval check (issue 27 items 6–8 and 11,
//! issue 25 item 9).

use super::*;

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("omnisim-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

use std::path::PathBuf;

fn errors(r: Result<Fitted, Vec<Diagnostic>>) -> String {
    crate::diag::render(&r.unwrap_err())
}

/// Issue 27 item 6: 20,000 customers with exponential patience of mean 600 s, offered an
/// agent after 0–300 s and overflowed at 200 s when still waiting. Every wait that did not end
/// in an abandonment is a lower bound of patience; the estimate is within 3% of 600 s (it was
/// 162 s when overflowed rows were left out: they are the most patient customers).
#[test]
fn patience_is_censored_by_every_wait_that_did_not_abandon() {
    let n = 20_000u64;
    let mut csv = String::from("arrival,queue,outcome,wait\n");
    let (mut abandoned, mut all_wait, mut wait_without_overflowed) = (0u64, 0.0, 0.0);
    for i in 0..n {
        // A Weyl sequence for the patience quantile (deterministic, evenly spread) and a
        // different stride for the offered wait.
        let u = ((i + 1) as f64 * 0.618_033_988_749_895).fract();
        let patience = -600.0 * (1.0 - u).ln();
        let offered = (i * 7919 % 1000) as f64 * 0.3;
        let (outcome, wait) = if patience < offered.min(200.0) {
            ("abandoned", patience)
        } else if offered < 200.0 {
            ("answered", offered)
        } else if i % 50 == 0 {
            ("", 200.0) // still waiting when the history was cut
        } else {
            ("overflowed", 200.0)
        };
        let wait = (wait * 1000.0).round() / 1000.0;
        abandoned += (outcome == "abandoned") as u64;
        all_wait += wait;
        if outcome != "overflowed" && !outcome.is_empty() {
            wait_without_overflowed += wait;
        }
        csv += &format!("{},q,{outcome},{wait}\n", i * 3);
    }
    let fitted = fit_file(&write("cens.csv", &csv), SimDuration::from_secs(1800)).unwrap();
    let p = fitted.report.queues["q"].patience.as_ref().unwrap();
    let e = p.candidates["exponential"].mean_s;
    // The exponential MLE: every wait over the abandonments.
    assert!((e - all_wait / abandoned as f64).abs() < 1e-6 * e, "{e}");
    assert!(
        (e - 600.0).abs() < 0.03 * 600.0,
        "patience {e} s, truth 600 s"
    );
    // Leaving the overflowed and still-waiting rows out reads far lower (354 s here).
    let old = wait_without_overflowed / abandoned as f64;
    assert!(old < 360.0, "{old}");
}

/// A Monday–Friday history over two weeks from Monday 2026-03-02: 10 calls between 09:00 and
/// 10:00 every weekday, 20 on Fridays.
fn weekdays_history() -> String {
    let mut csv = String::from("arrival,queue,outcome,wait,handle\n");
    for d in 0..12u32 {
        let n = match d % 7 {
            0..=3 => 10,
            4 => 20,
            _ => 0,
        };
        for k in 0..n {
            let date = civil_date(d);
            csv += &format!("{date}T09:{:02}:00,calls,answered,0,120\n", k * 2);
        }
    }
    csv
}

fn civil_date(d: u32) -> String {
    jiff::civil::date(2026, 3, 2)
        .checked_add(jiff::Span::new().days(d as i64))
        .unwrap()
        .to_string()
}

/// Issue 27 item 7: rates average over the open days (a Monday–Friday history read 2/7 ≈ 17%
/// low over calendar days), each weekday keeps its profile, and fitted.toml carries them day
/// by day (no arrivals at the weekend).
#[test]
fn rates_average_over_open_days_with_weekday_profiles() {
    let fitted = fit_file(
        &write("wk.csv", &weekdays_history()),
        SimDuration::from_secs(3600),
    )
    .unwrap();
    let r = &fitted.report;
    assert_eq!(r.start, "2026-03-02T00:00");
    assert_eq!(r.open_days.len(), 10);
    assert_eq!(r.closed_days, ["2026-03-07", "2026-03-08"]);
    let a = &r.queues["calls"].arrivals;
    // (4 × 10 + 20) × 2 ÷ 10 open days = 12 an hour (over the 12 calendar days: 10).
    assert_eq!(a.by_time_of_day["09:00"], 12.0);
    let days: Vec<&str> = a.by_day_of_week.keys().map(String::as_str).collect();
    assert_eq!(days, ["fri", "mon", "thu", "tue", "wed"]);
    assert_eq!(a.by_day_of_week["mon"]["09:00"], 10.0);
    assert_eq!(a.by_day_of_week["fri"]["09:00"], 20.0);
    let toml = fitted.scenario_toml();
    let sc = crate::scenario::load_str(&toml, "fitted.toml").unwrap();
    assert_eq!(sc.calendar.weekday(SimTime(0)), "mon");
    let crate::scenario::Arrivals::Profile(p) = &sc.queues[0].arrivals else {
        panic!("{:?}", sc.queues[0].arrivals)
    };
    let rate_at = |t: u64| {
        p.iter()
            .rev()
            .find(|(from, _)| from.as_millis() <= t)
            .map_or(0.0, |x| x.1 * 3600.0)
    };
    let h = 3_600_000;
    let near = |a: f64, b: f64| (a - b).abs() < 1e-3;
    assert!(near(rate_at(9 * h + 1), 10.0)); // Monday
    assert!(near(rate_at(4 * 24 * h + 9 * h), 20.0)); // Friday
    assert!(near(rate_at(5 * 24 * h + 9 * h), 0.0)); // Saturday: closed
    assert!(near(rate_at(7 * 24 * h + 9 * h), 10.0)); // the next Monday
    assert!(near(rate_at(10 * h), 0.0));
    // Only changes are written: 2 entries per open day (09:00 on, 10:00 off) and t = 0.
    assert_eq!(p.len(), 1 + 2 * 10, "{p:?}");
    assert!(toml.contains("replications = 5"), "{toml}");
}

/// Issue 27 item 8: one mistyped year (2062 in a 2026 history) is an error at its line and
/// column, not a 13,000-day fitted.toml.
#[test]
fn a_mistyped_year_is_an_error_at_its_line() {
    let mut csv = weekdays_history();
    csv += "2062-03-10T09:30:00,calls,answered,0,120\n";
    let line = csv.lines().count();
    let e = errors(fit_file(
        &write("y.csv", &csv),
        SimDuration::from_secs(3600),
    ));
    assert!(
        e.contains(&format!("y.csv:{line}:1: arrival: 2062-03-10 is ")),
        "{e}"
    );
    assert!(e.contains("a mistyped date?"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    // The same history a month later, and a row a week after the rest: no error.
    let mut ok = weekdays_history();
    ok += "2026-03-20T09:30:00,calls,answered,0,120\n";
    assert!(fit_file(&write("y2.csv", &ok), SimDuration::from_secs(3600)).is_ok());
}

/// Issue 27 item 11 converted every date-time to the first row's offset; a sixteenth tester
/// found that this moves a history's hours at a daylight-saving change (traffic at 09:00 local
/// became 08:00 after the spring change) while `forecast` bins by the wall clock written in the
/// row. Both now bin by the wall clock written in the row, and a change of offsets within the
/// history is noted once with its dates; a row without an offset is its wall clock too.
#[test]
fn offsets_do_not_move_the_wall_clock_and_a_change_is_noted() {
    let csv = "arrival,queue,outcome,wait\n\
               2026-10-24T09:00:00+02:00,q,answered,0\n\
               2026-10-24T07:30:00Z,q,answered,0\n\
               2026-10-26T08:00:00+01:00,q,answered,0\n";
    let fitted = fit_file(&write("off.csv", csv), SimDuration::from_secs(3600)).unwrap();
    let a = &fitted.report.queues["q"].arrivals.by_time_of_day;
    // One call at each written hour over two open days. On 2026-10-24 the offset falls by
    // two hours with every +02:00 row before every Z row in real time: a fall-back whose
    // repeated wall clock (07:30–09:30, `calendar::dst`) half covers the 07:00 and 09:00
    // hours and wholly 08:00, so each hour's count is over its exposure there (fixf-13):
    // 1 ÷ (1.5 + 1) = 0.4 at 07:00 and 09:00 (0.5 before), 1 ÷ (2 + 1) at 08:00.
    assert_eq!(a.len(), 3, "{a:?}");
    assert_eq!(a["09:00"], 0.4);
    assert_eq!(a["07:00"], 0.4);
    assert!((a["08:00"] - 1.0 / 3.0).abs() < 1e-12, "{a:?}");
    let notes = fitted.report.notes.join("\n");
    assert!(
        notes.contains("+02:00 on 2026-10-24, Z on 2026-10-24, +01:00 on 2026-10-26"),
        "{notes}"
    );
    assert!(
        notes.contains("on 2026-10-24 the wall clock 07:30–09:30 happened twice"),
        "{notes}"
    );
    let mixed = "arrival,queue,outcome,wait\n2026-10-24T09:00:00,q,answered,0\n2026-10-24T09:00:00+02:00,q,answered,0\n";
    let fitted = fit_file(&write("off2.csv", mixed), SimDuration::from_secs(3600)).unwrap();
    assert_eq!(
        fitted.report.queues["q"].arrivals.by_time_of_day["09:00"],
        2.0
    );
    let one = "arrival,queue,outcome,wait\n2026-10-24T09:00:00+02:00,q,answered,0\n";
    let fitted = fit_file(&write("off3.csv", one), SimDuration::from_secs(3600)).unwrap();
    assert!(fitted
        .report
        .notes
        .iter()
        .all(|n| !n.contains("UTC offsets")));
}

/// Issue 25 item 9: `fit` refuses an interval that does not divide a day.
#[test]
fn an_interval_that_does_not_divide_a_day_is_refused() {
    let e = errors(fit_file(
        &write("iv.csv", "arrival,queue,outcome,wait\n0,q,answered,0\n"),
        SimDuration::from_secs(420),
    ));
    assert!(e.contains("does not divide a day"), "{e}");
}

/// Issue 27's "left" list: a stray weekend row, a last day cut short and few abandonments are
/// named in `fit.json` `notes` (the fit itself unchanged).
#[test]
fn stray_days_cut_short_days_and_few_abandonments_are_noted() {
    let mut csv = String::from("arrival,queue,outcome,wait,handle\n");
    // Mon 2003-03-03 … Fri 03-07, 09:00–17:00, 40 calls a day; two abandonments in all.
    for d in 3..=7 {
        for k in 0..40 {
            let (h, m) = (9 + k / 5, (k % 5) * 12);
            let outcome = if d == 4 && k < 2 {
                "abandoned"
            } else {
                "answered"
            };
            csv += &format!("2003-03-0{d}T{h:02}:{m:02}:00,q,{outcome},30,200\n");
        }
    }
    // Mon 03-10 until 10:00 only (the export's end), and one stray Saturday row.
    for k in 0..5 {
        csv += &format!("2003-03-10T09:{:02}:00,q,answered,10,200\n", k * 12);
    }
    csv += "2003-03-08T11:00:00,q,answered,5,200\n";
    let f = fit_file(&write("notes.csv", &csv), SimDuration::from_secs(1800)).unwrap();
    let notes = f.report.notes.join("\n");
    assert!(notes.contains("2003-03-08 (1)"), "{notes}");
    assert!(
        notes.contains("the last day, 2003-03-10, has its last traffic in 09:30–10:00"),
        "{notes}"
    );
    assert!(notes.contains("only 2 abandonments"), "{notes}");
    // The days are still open days: the fit is unchanged by the notes.
    assert_eq!(f.report.open_days.len(), 7);
}

/// Issue 25, fourth pass (F16): every wrap-up 0 was fitted as "lognormal (mean 0.0 s, KS
/// 0.500)", fitted.toml writing sd "0.001s" while fit.json said ~1e-9. A sample without spread
/// is a constant: fit.json's best is `constant` (mean 0, sd 0), a note says so, fitted.toml has
/// no wrap-up. Variant: every handle time 240 s is the constant "240.000s" in fitted.toml and
/// the offered load uses it.
#[test]
fn a_sample_without_spread_is_a_constant() {
    let mut csv = String::from("arrival,queue,outcome,wait,handle,wrap_up\n");
    for d in 3..=7 {
        for k in 0..40 {
            let (h, m) = (9 + k / 5, (k % 5) * 12);
            csv += &format!("2003-03-0{d}T{h:02}:{m:02}:00,q,answered,30,240,0\n");
        }
    }
    let f = fit_file(&write("constant.csv", &csv), SimDuration::from_secs(1800)).unwrap();
    let q = &f.report.queues["q"];
    let w = q.wrap_up.as_ref().unwrap();
    assert_eq!(w.best, "constant");
    assert_eq!(
        (
            w.candidates["constant"].mean_s,
            w.candidates["constant"].sd_s
        ),
        (0.0, 0.0)
    );
    let h = q.handle.as_ref().unwrap();
    assert_eq!(h.best, "constant");
    assert_eq!(h.candidates["constant"].mean_s, 240.0);
    let notes = f.report.notes.join("\n");
    assert!(
        notes.contains("every wrap-up time is 0 s (200 conversations)")
            && notes.contains("fitted as no wrap-up"),
        "{notes}"
    );
    assert!(notes.contains("every handle time is 240 s"), "{notes}");
    let toml = f.scenario_toml();
    assert!(!toml.contains("wrap_up_time"), "{toml}");
    assert!(toml.contains("handle_time = \"240.000s\""), "{toml}");
    assert!(crate::scenario::load_str(&toml, "fitted.toml").is_ok());
}

/// Issue 25, sixth pass (tester): `fit` counted a conversation repeated in its history (same
/// `id` and `replication`) twice. It is an error at its line naming the earlier one.
#[test]
fn a_repeated_conversation_is_an_error_at_its_line() {
    let e = errors(fit_file(
        &write(
            "dup.csv",
            "id,arrival,queue,outcome,wait,handle,replication\n\
             a,10,q,answered,0,60,0\nb,20,q,answered,0,60,0\na,10,q,answered,0,60,0\n",
        ),
        SimDuration::from_secs(3600),
    ));
    assert!(
        e.contains("dup.csv:4:1: id: conversation \"a\" of replication 0 is already on line 2"),
        "{e}"
    );
}
