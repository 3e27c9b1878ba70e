//! The simulator's batched commands give the results of one command at a time (issue 28,
//! tenth round). Without wrap-up, the End and the Close of a conversation are applied back to
//! back and their effects absorbed in one pass; with `--trace` on, the observer needs each
//! command's own effects, so the same run takes the one-command-at-a-time path. The two runs
//! must agree on every figure of `summary.json` (the wall-clock `engine` block aside), and the
//! engine must have counted the same commands.

use omnisim::report::{self, Summary};
use omnisim::scenario::load_str;
use omnisim::sim::{self, RunOptions, TraceOptions};

use crate::procs::temp_dir;

/// `summary.json` of `toml` run untraced and traced, each without its `engine` block, and the
/// two runs' engine command counts.
fn untraced_and_traced(toml: &str, tag: &str) -> ((String, u64), (String, u64)) {
    let sc = load_str(toml, tag).unwrap_or_else(|e| panic!("{tag} should load:\n{e}"));
    let plain = report::build(&sc, &sim::run(&sc, &RunOptions::default(), &|_, _, _| {}));
    let dir = temp_dir(&format!("batches-{tag}"));
    let opts = RunOptions {
        trace: Some(TraceOptions {
            dir: dir.to_path_buf(),
            replication: None,
            errors: Default::default(),
        }),
        ..RunOptions::default()
    };
    let traced = report::build(&sc, &sim::run(&sc, &opts, &|_, _, _| {}));
    (strip(&plain), strip(&traced))
}

fn strip(s: &Summary) -> (String, u64) {
    let mut v = serde_json::to_value(s).expect("serializable");
    v.as_object_mut().expect("an object").remove("engine");
    let text = serde_json::to_string_pretty(&v).expect("serializable");
    (text, s.engine.commands)
}

/// An M/M/c-like center without wrap-up: `extra_ws` is added to its work stream, `extra_group`
/// to its agent group.
fn center(extra_ws: &str, extra_group: &str) -> String {
    format!(
        r#"
[scenario]
name = "batches"
horizon = "8h"
warmup = "30m"
seed = 7
replications = 2
service_level = "20s"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 50
handle_time = {{ dist = "exponential", mean = "4m" }}
patience = {{ dist = "exponential", mean = "3m" }}
{extra_ws}

[[queues]]
name = "support"
workstream = "chat"
arrivals = {{ rate = "50/h" }}

[[agent_groups]]
name = "agent"
count = 2
capacity = 100
queues = ["support"]
{extra_group}
"#
    )
}

fn same_either_way(toml: &str, tag: &str) {
    let ((plain, plain_cmds), (traced, traced_cmds)) = untraced_and_traced(toml, tag);
    assert!(
        plain.contains("\"arrived\""),
        "{tag}: a summary with conversations"
    );
    assert_eq!(plain, traced, "{tag}: batched and one-at-a-time summaries");
    assert_eq!(plain_cmds, traced_cmds, "{tag}: engine commands counted");
}

#[test]
fn end_and_close_batched_give_the_unbatched_results() {
    same_either_way(&center("", ""), "plain");
}

#[test]
fn batched_ends_with_refusals_delays_and_retrials_give_the_unbatched_results() {
    same_either_way(
        &center(
            r#"retrial = { probability = 0.5, delay = { dist = "exponential", mean = "5m" } }"#,
            r#"accept_delay = { dist = "uniform", min = "0s", max = "4s" }
reject_probability = 0.1"#,
        ),
        "refusals",
    );
}

#[test]
fn batched_ends_that_free_units_at_the_end_give_the_unbatched_results() {
    // `never`: the End frees the units and routes at once, so End's effects are absorbed
    // before the Close (the batch is not taken).
    same_either_way(
        &center(r#"block_capacity_for_wrap_up = "never""#, ""),
        "never",
    );
}

#[test]
fn batched_ends_under_concurrency_slowdown_give_the_unbatched_results() {
    same_either_way(&center("concurrency_slowdown = [1.0, 1.4]", ""), "slowdown");
}

#[test]
fn batched_ends_in_pick_mode_give_the_unbatched_results() {
    same_either_way(&center(r#"mode = "pick""#, ""), "pick");
}
