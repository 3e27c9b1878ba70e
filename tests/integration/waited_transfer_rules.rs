//! Issue 25 (wrong answers), an eighteenth fresh tester's find: a waiting-time transfer
//! (`when = "waited_over"`, `action = "transfer"`) moved conversations into a queue past its
//! before-queueing rules. Queue `a` moves conversations to `b` after 1 s; `b` is always closed
//! and ends out-of-hours arrivals: 817 conversations sat in `b` to the end of the run with
//! `by_queue.b.out_of_hours` 0, while direct arrivals to `b` were ended. docs/scenario-format.md:
//! a transfer means "moved there; that queue's rules apply in turn". Now they do, each queue's
//! rule at most once, as on arrival. The tester's file is tests/data/waited-transfer/.

use std::path::Path;

use crate::procs::{json, run_in, temp_dir};

fn run(tag: &str, toml: &str) -> serde_json::Value {
    let dir = temp_dir(tag);
    std::fs::write(dir.join("s.toml"), toml).expect("write");
    let out = run_in(&dir, &["run", "s.toml", "--out", "out", "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&dir.join("out/summary.json"))
}

fn tester_file() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/waited-transfer/ovfend.toml"),
    )
    .expect("the tester's file")
}

fn num(v: &serde_json::Value, path: &[&str]) -> f64 {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_f64()
        .unwrap_or_else(|| panic!("no number at {path:?}: {cur}"))
}

#[test]
fn a_closed_queue_ends_conversations_a_waiting_time_transfer_brings() {
    let s = run("waited-transfer-end", &tester_file());
    let ended_b = num(&s, &["overflow", "by_queue", "b", "out_of_hours"]);
    let in_system = num(&s, &["conversations", "in_system_at_end"]);
    assert!(ended_b > 500.0, "b's out-of-hours rule applied: {ended_b}");
    assert!(
        in_system < 10.0,
        "none left waiting in the closed queue: {in_system}"
    );
}

#[test]
fn the_targets_before_queueing_transfer_is_followed_in_turn() {
    // Variant: closed `b` transfers on to `c`, whose work-item limit 0 ends every arrival.
    let toml = tester_file().replace(
        "[[queues.overflow]]\nwhen = \"out_of_hours\"\naction = \"end\"",
        "[[queues.overflow]]\nwhen = \"out_of_hours\"\naction = \"transfer\"\nqueue = \"c\"\n\n\
         [[queues]]\nname = \"c\"\nworkstream = \"w\"\n\n\
         [[queues.overflow]]\nwhen = \"work_items_over\"\nlimit = 0\naction = \"end\"",
    );
    assert!(toml.contains("name = \"c\""), "the variant was made");
    let s = run("waited-transfer-chain", &toml);
    let via_b = num(&s, &["overflow", "by_queue", "b", "out_of_hours"]);
    let ended_c = num(&s, &["overflow", "by_queue", "c", "work_items_over"]);
    let in_system = num(&s, &["conversations", "in_system_at_end"]);
    assert!(via_b > 500.0 && ended_c == via_b, "b {via_b}, c {ended_c}");
    assert!(in_system < 10.0, "{in_system}");
}
