//! Fault scenarios (`scenarios/faults/`): how the system copes with disconnects, a whole team
//! going off shift, invitations nobody sees, an arrival spike, a supervisor assignment storm, a
//! staffing gap and a queue nobody serves. Every run drains or stops at its drain limit, keeps
//! every invariant (checked after every event), and counts every conversation.

use std::path::PathBuf;

use omnisim::report::{Report, SeriesRow, Summary};
use omnisim::scenario::{load_file, load_str, Scenario};
use omnisim::sim::{self, RunOptions};

fn fault(name: &str) -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/faults")
        .join(format!("{name}.toml"));
    load_file(&path).unwrap_or_else(|e| panic!("{} should load:\n{e}", path.display()))
}

/// Runs with the invariants checked after every event and asserts what every fault run must
/// keep: no invariant broken, every conversation counted (arrived = closed + in system), and the
/// run ends by the drain limit.
fn run(name: &str, sc: &Scenario) -> Report {
    let opts = RunOptions {
        check_invariants: true,
        ..RunOptions::default()
    };
    let report = Report::build(sc, &sim::run(sc, &opts, &|_, _, _| {}));
    let s = &report.summary;
    let c = &s.conversations;
    assert_eq!(s.invariant_violations, 0, "{name}: invariants");
    assert!(!s.partial, "{name}: partial");
    assert!(c.arrived > 0, "{name}: nothing arrived");
    assert_eq!(
        c.arrived,
        c.closed + c.in_system_at_end,
        "{name}: every conversation counted: {c:?}"
    );
    assert_eq!(
        c.closed,
        c.answered + c.abandoned,
        "{name}: every closed conversation was answered or abandoned: {c:?}"
    );
    let limit = (sc.horizon + sc.drain_limit).as_secs_f64();
    assert!(s.simulated_s <= limit, "{name}: ran past the drain limit");
    report
}

/// The series rows of queue `q` whose interval starts in `[from_h, to_h)` hours.
fn rows(r: &Report, q: usize, from_h: f64, to_h: f64) -> Vec<&SeriesRow> {
    r.queue_series(q)
        .filter(|row| row.start_s >= from_h * 3600.0 && row.start_s < to_h * 3600.0)
        .collect()
}

fn worst_p90(rows: &[&SeriesRow]) -> f64 {
    rows.iter().filter_map(|r| r.wait_p90_s).fold(0.0, f64::max)
}

fn queue<'a>(s: &'a Summary, name: &str) -> &'a omnisim::report::QueueSummary {
    &s.queues[name]
}

#[test]
fn agents_disconnecting_mid_chat_lose_nothing() {
    let sc = fault("agent-disconnects");
    let r = run("agent-disconnects", &sc);
    let c = &r.summary.conversations;
    assert!(c.released > 0, "no chat was released: {c:?}");
    assert_eq!(c.in_system_at_end, 0, "every conversation closes: {c:?}");
    assert!(
        r.summary.simulated_s < (sc.horizon + sc.drain_limit).as_secs_f64(),
        "drained before the limit"
    );
}

#[test]
fn a_whole_team_ending_its_shift_completes_what_it_holds() {
    let sc = fault("shift-end-all");
    let r = run("shift-end-all", &sc);
    let s = &r.summary;
    let c = &s.conversations;
    // What they held they completed: nothing went back to a queue.
    assert_eq!(c.released, 0);
    // Nobody answers after the shift ends at 1h.
    for row in rows(&r, 0, 1.0, 10.0)
        .into_iter()
        .chain(rows(&r, 1, 1.0, 10.0))
    {
        assert_eq!(row.answered, 0, "answered after the shift: {row:?}");
    }
    // Chat customers after 1h give up; callback customers never do and are still there at
    // the drain limit, exactly those of the callback queue nobody answered.
    let chat = queue(s, "chat");
    let callback = queue(s, "callback");
    assert!(chat.abandoned > 0 && callback.abandoned == 0);
    assert_eq!(chat.arrived, chat.answered + chat.abandoned);
    assert_eq!(c.in_system_at_end, callback.arrived - callback.answered);
    assert!(c.in_system_at_end > 0);
    assert_eq!(s.simulated_s, (sc.horizon + sc.drain_limit).as_secs_f64());
}

#[test]
fn unseen_invitations_are_rerouted_after_the_notification_timeout() {
    let sc = fault("ignored-invitations");
    let r = run("ignored-invitations", &sc);
    let s = &r.summary;
    let c = &s.conversations;
    assert_eq!(c.in_system_at_end, 0);
    assert_eq!(c.answered, c.arrived, "every customer is served in the end");
    // About half the first invitations time out: those customers wait at least 30 s.
    let delayed = c.delayed as f64 / c.arrived as f64;
    assert!((0.4..0.6).contains(&delayed), "delayed fraction {delayed}");
    assert!(s.wait_s.p90 >= Some(30.0), "p90 {:?}", s.wait_s.p90);
    assert!(s.wait_s.mean >= Some(20.0), "mean {:?}", s.wait_s.mean);
    let refusals: u64 = r.agents.iter().map(|a| a.refusals).sum();
    assert!(
        refusals > c.arrived / 3,
        "timeouts count as refusals: {refusals}"
    );

    // The same traffic with every invitation seen: nobody waits.
    let seen = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/faults/ignored-invitations.toml"),
    )
    .expect("readable")
    .replace("ignore_probability = 0.5", "ignore_probability = 0");
    let seen = load_str(&seen, "seen.toml").expect("valid");
    let r = run("ignored-invitations (control)", &seen);
    assert_eq!(r.summary.conversations.delayed, 0);
    assert_eq!(r.summary.wait_s.max, Some(0.0));
}

#[test]
fn waits_grow_during_an_arrival_spike_and_recover_after() {
    let sc = fault("arrival-spike");
    let r = run("arrival-spike", &sc);
    let before = worst_p90(&rows(&r, 0, 0.0, 2.0));
    let during = worst_p90(&rows(&r, 0, 2.0, 3.0));
    let after = worst_p90(&rows(&r, 0, 4.0, 5.0));
    assert!(before < 120.0, "before the spike p90 {before}");
    assert!(during > 600.0, "during the spike p90 {during}");
    assert!(after < 120.0, "recovered p90 {after}");
    assert!(during > 5.0 * before.max(after));
    let spike_arrivals: u64 = rows(&r, 0, 2.0, 2.25).iter().map(|r| r.arrived).sum();
    let base_arrivals: u64 = rows(&r, 0, 1.0, 1.25).iter().map(|r| r.arrived).sum();
    assert!(spike_arrivals > 5 * base_arrivals);
}

#[test]
fn a_supervisor_assignment_storm_keeps_overallocation_within_its_limit() {
    let sc = fault("supervisor-storm");
    let r = run("supervisor-storm", &sc);
    let s = &r.summary;
    let limit = 50;
    assert!(
        s.overallocation.max_units <= limit,
        "overallocated by {} units, limit {limit}",
        s.overallocation.max_units
    );
    assert!(s.overallocation.events > 0, "the storm overallocates");
    let accepted = s.supervisor_actions["assign_to_agent"];
    let refused = s.supervisor_actions["refused"];
    // Issue 25, fifteenth session: the supervisor passes over the agents it sees full, and once
    // nobody can take another chat a tick sends nothing more (one `skipped_no_agent`): no
    // ASSIGN-CAPACITY refusal (before: 275,943 in two replications of `scripts/summaries.sh`,
    // 1,000 a tick at most), at most one skip a tick, the same accepted assignments.
    assert!(accepted > 0);
    assert_eq!(
        s.rule_violations
            .by_rule
            .get("ASSIGN-CAPACITY")
            .copied()
            .unwrap_or(0),
        0
    );
    let p = &s.policies["storm/assign-everything"];
    let ticks = s.simulated_s as u64 + 1;
    assert!(
        p.skipped_no_agent > 0 && p.skipped_no_agent <= ticks,
        "{} skips in {ticks} ticks",
        p.skipped_no_agent
    );
    // Refusals are counted by rule and by policy, and agree.
    assert_eq!(s.rule_violations.total, refused);
    assert_eq!(
        s.rule_violations.by_rule.values().sum::<u64>(),
        s.rule_violations.total
    );
    assert_eq!(s.policies["storm/assign-everything"].refused, refused);

    // Without reservation (CAP-RESERVE's product default) an invitation holds no units until
    // accepted, but ASSIGN-CAPACITY and the policy's view count the units of pending
    // invitations all the same, so the storm keeps within the limit too (issue 25, branch
    // fixa-16; before, pending assignments raced for the same units and the storm overshot
    // the limit, which this test asserted as documented behaviour).
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/faults/supervisor-storm.toml"),
    )
    .expect("readable")
    .replace("reserve_on_invite = true", "reserve_on_invite = false");
    let racing = load_str(&text, "racing.toml").expect("valid");
    let r = run("supervisor-storm (not reserving)", &racing);
    assert!(
        r.summary.overallocation.max_units <= limit,
        "the limit holds without reservation too: {}",
        r.summary.overallocation.max_units
    );
    assert!(
        r.summary.overallocation.events > 0,
        "the storm overallocates"
    );
}

#[test]
fn an_hour_without_agents_shows_in_waits_and_abandonment_then_recovers() {
    let sc = fault("staffing-gap");
    let r = run("staffing-gap", &sc);
    let gap = rows(&r, 0, 2.0, 3.0);
    let arrived: u64 = gap.iter().map(|r| r.arrived).sum();
    let abandoned: u64 = gap.iter().map(|r| r.abandoned).sum();
    let answered: u64 = gap.iter().map(|r| r.answered).sum();
    assert_eq!(answered, 0, "nobody answers in the gap");
    assert!(
        abandoned * 2 >= arrived,
        "{abandoned} of {arrived} abandoned in the gap"
    );
    // The late team clears the backlog: long waits right at 3h, short ones from 4h on. (A
    // single 15-minute interval's p90 rests on ~15 answers, so one cluster of arrivals can push
    // it to a few minutes: across 17 seeds the worst late interval ranged 0–180 s, always well
    // under half the backlog's. The service level over the two hours is the steadier signal:
    // 10 slots at 50% load answer ~98% within 60 s in steady state.)
    let backlog_p90 = worst_p90(&rows(&r, 0, 3.0, 3.25));
    assert!(backlog_p90 > 300.0, "backlog p90 {backlog_p90}");
    let late = rows(&r, 0, 4.0, 6.0);
    assert!(
        worst_p90(&late) < backlog_p90 / 2.0,
        "recovered p90 {} vs backlog {backlog_p90}",
        worst_p90(&late)
    );
    let offered: u64 = late.iter().map(|r| r.answered + r.abandoned).sum();
    let in_sl: f64 = late
        .iter()
        .map(|r| r.service_level.unwrap_or(0.0) * (r.answered + r.abandoned) as f64)
        .sum();
    assert!(
        in_sl >= 0.9 * offered as f64,
        "late service level {:.3}",
        in_sl / offered as f64
    );
    let late_arrived: u64 = late.iter().map(|r| r.arrived).sum();
    let late_abandoned: u64 = late.iter().map(|r| r.abandoned).sum();
    assert!(
        late_abandoned * 50 <= late_arrived,
        "{late_abandoned} of {late_arrived} abandoned after recovery"
    );
    assert_eq!(r.summary.conversations.in_system_at_end, 0);
}

/// Regression (issue 8): when no event was left (records nobody serves, customers who never
/// give up) the run ended at its last event instead of at `horizon + drain_limit`.
#[test]
fn an_unserved_records_queue_stops_at_the_drain_limit_and_counts_what_is_left() {
    let sc = fault("records-unserved");
    let r = run("records-unserved", &sc);
    let s = &r.summary;
    assert_eq!(s.simulated_s, (sc.horizon + sc.drain_limit).as_secs_f64());
    let cases = queue(s, "cases");
    let chat = queue(s, "chat");
    assert_eq!(cases.answered + cases.abandoned, 0);
    assert_eq!(s.conversations.in_system_at_end, cases.arrived);
    assert_eq!(chat.arrived, chat.answered, "the chat queue is served");
}
