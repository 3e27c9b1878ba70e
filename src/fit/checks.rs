//! What in a history can quietly bend a fit, said as notes (stderr and `fit.json` `notes`):
//! a day with a small fraction of the usual traffic (a stray row, a test call, a half-loaded
//! export), a weekday open on only a few of its dates (one stray Saturday makes Saturday an
//! open weekday), a first or last day cut short by the export's window, and a patience fitted
//! from few abandonments.
//!
//! None of these is an error: each can be real (a holiday's skeleton crew, a Saturday opening).
//! They are stated with the figures so the planner decides; the fit itself is unchanged.
//!
//! Key items: [`day_notes`], [`patience_note`], [`AbandonedCells`] (abandoned rows' cells that
//! contradict the outcome: warnings at their cells).

use super::arrivals::clock_label;
use crate::text::WEEKDAYS;

/// A day with less than this share of the median open day's arrivals is named.
pub const THIN_DAY_SHARE: f64 = 0.2;
/// At least this many open days before days are compared with the median.
pub const MIN_DAYS_TO_COMPARE: usize = 5;
/// A first or last day whose traffic starts later (ends earlier) than the usual by more than
/// this is named as cut short (ms).
pub const EDGE_SLACK_MS: u64 = 3_600_000;
/// A patience fitted from fewer abandonments than this is named as uncertain (about ±35% on
/// an exponential mean at 95% with 30 events: 1.96/√30).
pub const FEW_ABANDONMENTS: usize = 30;
/// Most dates, or rows of one kind, listed in one note or warning.
pub const LIST: usize = 5;

/// One day of the history's span, seen from its arrivals (all queues).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Day {
    /// Arrivals that day, divided by the history's replications.
    pub arrivals: f64,
    /// The first and last arrival's time of day (ms), `None` on a day without traffic.
    pub first_last: Option<(u64, u64)>,
}

/// Per day of the span from the arrivals of `tally` ([`super::arrivals::Tally`]), its day
/// `t0_day` the span's first; `days` long.
pub fn days(tally: &super::arrivals::Tally, t0_day: u64, days: usize, copies: f64) -> Vec<Day> {
    let mut out = vec![Day::default(); days];
    for (d, c) in tally.days() {
        let Some(day) = out.get_mut((d - t0_day) as usize) else {
            continue;
        };
        // Added one arrival at a time, as each row was (the same sum to the last bit).
        for _ in 0..c.arrivals {
            day.arrivals += 1.0 / copies;
        }
        day.first_last = Some((c.first, c.last));
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn one_decimal(x: f64) -> String {
    crate::report::format::value((x * 10.0).round() / 10.0)
}

fn listed(items: &[String]) -> String {
    if items.len() <= LIST {
        items.join(", ")
    } else {
        format!("{}, … ({} in all)", items[..LIST].join(", "), items.len())
    }
}

/// Notes on the days of a history: `days` per day of the span (day 0 = the first day),
/// `first_weekday` Monday = 0, `date(d)` the label of day `d`, `iv` the arrival profile's
/// interval (ms): a cut first or last day is named by the interval of its first (last)
/// arrival, as `forecast` names it ([`crate::text::cut_day`]).
pub fn day_notes(
    days: &[Day],
    first_weekday: usize,
    date: &dyn Fn(usize) -> String,
    iv: u64,
) -> Vec<String> {
    let mut notes = Vec::new();
    let open: Vec<usize> = (0..days.len())
        .filter(|&d| days[d].first_last.is_some())
        .collect();
    if open.len() < MIN_DAYS_TO_COMPARE {
        return notes;
    }
    let typical = median(open.iter().map(|&d| days[d].arrivals).collect());
    let thin: Vec<String> = open
        .iter()
        .filter(|&&d| days[d].arrivals < THIN_DAY_SHARE * typical)
        .map(|&d| format!("{} ({})", date(d), one_decimal(days[d].arrivals)))
        .collect();
    if !thin.is_empty() {
        notes.push(format!(
            "{} {} less than {:.0}% of the median open day's {} arrivals: {}; each is counted as \
             an open day and lowers the averages (a stray row or a partial export? remove it, or \
             keep it if the center really opened)",
            crate::text::plural(thin.len() as u64, "day"),
            if thin.len() == 1 { "has" } else { "have" },
            THIN_DAY_SHARE * 100.0,
            one_decimal(typical),
            listed(&thin)
        ));
    }
    // A weekday open on few of its dates: its own profile rests on those few days.
    for (wd, name) in WEEKDAYS.iter().enumerate() {
        let dates: Vec<usize> = (0..days.len())
            .filter(|d| (first_weekday + d) % 7 == wd)
            .collect();
        let opened: Vec<usize> = dates
            .iter()
            .copied()
            .filter(|&d| days[d].first_last.is_some())
            .collect();
        if dates.len() >= 4 && !opened.is_empty() && opened.len() * 4 <= dates.len() {
            let named: Vec<String> = opened.iter().map(|&d| date(d)).collect();
            notes.push(format!(
                "{} had traffic on {} of the span's {} {}s ({}): fitted.toml opens every {} with \
                 a profile from {}; if those were exceptions, remove their rows",
                name,
                opened.len(),
                dates.len(),
                name,
                listed(&named),
                name,
                crate::text::plural(opened.len() as u64, "day")
            ));
        }
    }
    // The export's window cutting the first or last day.
    let firsts = median(
        open.iter()
            .filter_map(|&d| days[d].first_last.map(|f| f.0 as f64))
            .collect(),
    ) as u64;
    let lasts = median(
        open.iter()
            .filter_map(|&d| days[d].first_last.map(|f| f.1 as f64))
            .collect(),
    ) as u64;
    let (first_day, last_day) = (open[0], open[open.len() - 1]);
    // The interval holding a time of day, as `HH:MM` start and end.
    let iv = iv.max(1);
    let within = |t: u64| (clock_label(t / iv * iv), clock_label(t / iv * iv + iv));
    let cut = |last: bool, d: usize, t: u64, usual: u64| {
        let (day, median) = (within(t), within(usual));
        crate::text::cut_day(last, &date(d), (&day.0, &day.1), (&median.0, &median.1))
    };
    if let Some((a, _)) = days[first_day].first_last {
        if a > firsts + EDGE_SLACK_MS {
            notes.push(format!(
                "{}: it looks cut short by the export and lowers the early intervals' \
                 averages; remove it if so",
                cut(false, first_day, a, firsts)
            ));
        }
    }
    if let Some((_, b)) = days[last_day].first_last {
        if b + EDGE_SLACK_MS < lasts {
            notes.push(format!(
                "{}: it looks cut short by the export and lowers the late intervals' averages; \
                 remove it if so",
                cut(true, last_day, b, lasts)
            ));
        }
    }
    notes
}

/// A note when queue `name`'s chosen patience family (`family`, mean `mean_s` seconds) is not
/// the exponential and its mean lies beyond `longest_s`, the longest wait in the history
/// (abandoned or not): the mean then comes from the family's tail, which no wait observed,
/// and runs whose waits exceed `longest_s` extrapolate. (The exponential's constant hazard
/// is the usual assumption there, Gans, Koole & Mandelbaum, "Telephone call centers", 2003,
/// §6.3.)
pub fn patience_tail_note(name: &str, family: &str, mean_s: f64, longest_s: f64) -> Option<String> {
    (family != "exponential" && family != "constant" && mean_s.round() > longest_s.round()).then(
        || {
            format!(
                "queue {name:?}: the fitted {family} patience has mean {mean_s:.0} s, beyond the \
             longest wait in the history ({longest_s:.0} s): that mean comes from the tail, \
             which no wait observed; runs with longer waits than {longest_s:.0} s extrapolate"
            )
        },
    )
}

/// A note when queue `name`'s patience rests on few abandonments (`abandoned`, with
/// `censored` waits that only bound it from below).
pub fn patience_note(name: &str, abandoned: usize, censored: usize) -> Option<String> {
    (abandoned > 0 && abandoned < FEW_ABANDONMENTS).then(|| {
        format!(
            "queue {name:?}: patience fitted from only {} ({} only {} it from below): its \
             mean is uncertain by roughly ±{:.0}% at 95%; treat the abandonment figures of \
             runs of fitted.toml as rough",
            crate::text::plural(abandoned as u64, "abandonment"),
            crate::text::plural(censored as u64, "other wait"),
            if censored == 1 { "bounds" } else { "bound" },
            196.0 / (abandoned as f64).sqrt()
        )
    })
}

/// The note on answered rows a move took to another queue (`ended_in`, written by `run --log`
/// when the scenario has a supervisor's `assign_to = "queue"` or an overflow `transfer`, before
/// queueing or while waiting): `answered` such rows, `unfitted` of their handle times answered in a queue with
/// no arrivals of its own (not fitted, as a later leg's queue is not). `None` when there are
/// none.
pub fn moved_note(answered: u64, unfitted: usize) -> Option<String> {
    (answered > 0).then(|| {
        let left = match unfitted {
            0 => String::new(),
            n => format!(
                "; the handle times of {n} of them, answered in queues with no arrivals of \
                 their own (not in fitted.toml), are left out"
            ),
        };
        format!(
            "{} answered in another queue than the one {} arrived at (`ended_in`: moved \
             by a supervisor or an overflow rule, before queueing or while waiting): handle and wrap-up times are \
             fitted to the queue that answered each (a run draws them from that queue's work \
             stream), patience to the queue each arrived at{left}; fitted.toml has no such \
             move: add the overflow rules and supervisors yourself",
            crate::text::plural(answered, "conversation"),
            if answered == 1 { "it" } else { "they" },
        )
    })
}

/// The note on `moved` offered rows a move took to another queue (`ended_in`), whatever their
/// outcome: their waits are fitted to the patience of the queue each arrived at, which is
/// right for a move while waiting (a `waited_over` rule or a supervisor: the customer arrived
/// with that queue's patience) and wrong for a transfer before queueing (`out_of_hours`,
/// `work_items_over`: the customer waits only in the queue it entered, with that queue's
/// patience). The log cannot tell the two apart (`wait` is the whole wait, `ended_in` only
/// the queue it ended in; issue 25, fourteenth session), so the note says so. `None` when
/// there are none.
pub fn moved_patience_note(moved: u64) -> Option<String> {
    (moved > 0).then(|| {
        format!(
            "{} moved to another queue (`ended_in`) {} fitted to the patience of the queue {} \
             arrived at; the history does not say whether a move came before the customer \
             waited (an `out_of_hours` or `work_items_over` transfer: the customer waits, \
             with that queue's patience, only in the queue it entered) or while it waited (a \
             `waited_over` rule or a supervisor), so a queue that transfers arrivals before \
             queueing gets the patience of the customers of the queue they entered",
            crate::text::plural(moved, "conversation"),
            if moved == 1 { "is" } else { "are" },
            if moved == 1 { "it" } else { "each" },
        )
    })
}

/// Abandoned rows whose cells contradict their outcome: a `handle` (nobody handled them) and a
/// `patience` shorter than the `wait` (the customer leaves when the patience runs out). `fit`
/// reads neither (an abandoned row's wait is its patience), so each is a warning at its cell,
/// not an error (docs/scenario-format.md: replay uses an abandoned row's `handle` if the
/// replay answers it); the first [`LIST`] of each kind, then one count ([`Self::note`]).
#[derive(Debug, Default)]
pub struct AbandonedCells {
    /// Rows seen: [with a handle, patience < wait].
    counts: [u64; 2],
}

impl AbandonedCells {
    /// Checks row `r`, abandoned, with its `handle` and `wait` as read.
    pub fn check(
        &mut self,
        r: &crate::traffic::Row<'_>,
        p: &mut crate::traffic::Problems,
        handle: Option<crate::time::SimDuration>,
        wait: Option<crate::time::SimDuration>,
    ) {
        if let (Some(h), Some(loc)) = (handle, r.loc("handle")) {
            self.counts[0] += 1;
            if self.counts[0] <= LIST as u64 {
                p.warn(
                    r.line,
                    loc,
                    format!(
                        "an abandoned row with a handle time ({} s): nobody handled it; fit \
                         leaves it out of the handle fit (expected an empty `handle` on \
                         abandoned rows, or outcome \"answered\")",
                        h.as_secs_f64()
                    ),
                );
            }
        }
        let patience = r
            .cell("patience")
            .and_then(|c| crate::traffic::parse_csv_duration(c).ok());
        if let (Some(pt), Some(w), Some(loc)) = (patience, wait, r.loc("patience")) {
            if pt < w {
                self.counts[1] += 1;
                if self.counts[1] <= LIST as u64 {
                    p.warn(
                        r.line,
                        loc,
                        format!(
                            "an abandoned row's patience ({} s) is shorter than its wait ({} \
                             s): a customer leaves when the patience runs out; fit takes the \
                             wait as the patience (expected patience ≥ wait)",
                            pt.as_secs_f64(),
                            w.as_secs_f64()
                        ),
                    );
                }
            }
        }
    }

    /// The count of such rows beyond the first [`LIST`] warned about, if any.
    pub fn note(&self) -> Option<String> {
        let more: Vec<String> = self
            .counts
            .iter()
            .zip([
                "with a handle time",
                "with a patience shorter than the wait",
            ])
            .filter(|(n, _)| **n > LIST as u64)
            .map(|(n, what)| format!("{} abandoned rows {what}", n - LIST as u64))
            .collect();
        (!more.is_empty()).then(|| {
            format!(
                "{} more (besides the lines named): see the warnings above",
                more.join(" and ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::arrivals::DAY_MS;
    use super::*;

    const H: u64 = 3_600_000;

    /// Twenty weekdays 08:00–18:00 with 100 calls each (weekends closed), day 0 a Monday.
    fn weekdays(extra: &[(usize, u64)]) -> Vec<Day> {
        let mut t = super::super::arrivals::Tally::new(H);
        for d in 0..28u64 {
            if d % 7 < 5 {
                for k in 0..100 {
                    t.note(0, d * DAY_MS + 8 * H + k * (10 * H) / 99);
                }
            }
        }
        for &(d, tod) in extra {
            t.note(0, d as u64 * DAY_MS + tod);
        }
        days(&t, 0, 28, 1.0)
    }

    fn label(d: usize) -> String {
        format!("day{d}")
    }

    /// A two-parameter patience whose mean lies past every wait seen is named; the
    /// exponential, or a mean inside the data, is not.
    #[test]
    fn a_patience_mean_beyond_every_wait_is_named() {
        let n = patience_tail_note("q", "lognormal", 30_388.0, 240.0).unwrap();
        assert!(n.contains("mean 30388 s") && n.contains("(240 s)"), "{n}");
        assert!(!n.contains("  "), "{n}");
        assert!(patience_tail_note("q", "exponential", 30_388.0, 240.0).is_none());
        assert!(patience_tail_note("q", "gamma", 200.0, 240.0).is_none());
        // Equal as printed: not "beyond".
        assert!(patience_tail_note("q", "gamma", 30.0000001, 30.0).is_none());
    }

    #[test]
    fn an_ordinary_weekday_history_gives_no_note() {
        assert!(day_notes(&weekdays(&[]), 0, &label, H).is_empty());
    }

    /// One stray Saturday row: a thin day, and a weekday open on 1 of its 4 dates.
    #[test]
    fn a_stray_weekend_row_is_named() {
        let notes = day_notes(&weekdays(&[(12, 10 * H)]), 0, &label, H);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("1 day has less than 20%") && notes[0].contains("day12 (1)"));
        assert!(notes[1].starts_with("Saturday had traffic on 1 of the span's 4 Saturdays"));
    }

    /// The export ends at 11:00 on the last day: named as cut short (and thin).
    #[test]
    fn a_last_day_cut_short_is_named() {
        let mut d = weekdays(&[]);
        d.push(Day {
            arrivals: 30.0,
            first_last: Some((8 * H, 11 * H)),
        });
        let notes = day_notes(&d, 0, &label, H / 2);
        assert!(
            notes.iter().any(|n| n.starts_with(
                "the last day, day28, has its last traffic in 11:00–11:30 while the median day \
                 has its last in 18:00–18:30"
            )),
            "{notes:?}"
        );
        // A first day starting at 15:00.
        let mut d = weekdays(&[]);
        d[0].first_last = Some((15 * H, 18 * H));
        let notes = day_notes(&d, 0, &label, H / 2);
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("the first day, day0, has its first traffic in 15:00–15:30")),
            "{notes:?}"
        );
    }

    #[test]
    fn few_abandonments_are_named() {
        assert!(patience_note("q", 0, 100).is_none());
        assert!(patience_note("q", 30, 100).is_none());
        let n = patience_note("q", 4, 100).unwrap();
        assert!(
            n.contains("only 4 abandonments") && n.contains("±98%"),
            "{n}"
        );
    }
}
