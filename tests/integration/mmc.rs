//! The M/M/10 queue the command-level tests run: 300 arrivals/h, exponential handle time of
//! 100 s, 10 agents of one chat each, service level at 20 s (the erlang-c conformance queue),
//! as scenario text with each test's own name, horizon, warm-up and replication count.

/// The queue's scenario text (TOML), seed 11.
pub fn scenario(name: &str, horizon: &str, warmup: &str, replications: u32) -> String {
    format!(
        r#"
[scenario]
name = "{name}"
horizon = "{horizon}"
warmup = "{warmup}"
seed = 11
replications = {replications}
service_level = "20s"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = {{ dist = "exponential", mean = "100s" }}

[[queues]]
name = "support"
workstream = "chat"
arrivals = {{ rate = "300/h" }}

[[agent_groups]]
name = "agent"
count = 10
capacity = 100
queues = ["support"]
"#
    )
}
