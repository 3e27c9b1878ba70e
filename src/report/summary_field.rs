//! One top-level field of a [`Summary`] as JSON, for [`super::lookup`]: a metric path names
//! one field by its first segment (top-level keys hold no dots), so only that field is turned
//! into JSON, not the whole summary. A center of 100,000 roster agents has 100,000 agent
//! groups; `sweep` looked up about twenty metrics per point, each turning all of them into
//! JSON (a 5-point sweep took 31 s against 1 s for one `run`, issue 25 tenth pass).

use serde_json::Value;

use super::Summary;

/// The JSON of the field `head` of `summary` (as it appears in the whole summary's JSON, so a
/// look-up in it finds what a look-up in the whole would), or `None` when `head` is not a
/// field listed here (the caller then turns the whole summary into JSON). A field left out by
/// `skip_serializing_if` is `Value::Null` here: no number is found under it either way.
pub(super) fn field(summary: &Summary, head: &str) -> Option<Value> {
    let s = summary;
    let v = match head {
        "format" => serde_json::to_value(&s.format),
        "omnisim_version" => serde_json::to_value(&s.omnisim_version),
        "scenario" => serde_json::to_value(&s.scenario),
        "seed" => serde_json::to_value(s.seed),
        "replications" => serde_json::to_value(s.replications),
        "partial" => serde_json::to_value(s.partial),
        "replications_finished" => serde_json::to_value(s.replications_finished),
        "simulated_s" => serde_json::to_value(s.simulated_s),
        "conversations" => serde_json::to_value(&s.conversations),
        "customers" => serde_json::to_value(s.customers),
        "handle_s" => serde_json::to_value(&s.handle_s),
        "invitations" => serde_json::to_value(s.invitations),
        "wait_s" => serde_json::to_value(&s.wait_s),
        "service_level" => serde_json::to_value(&s.service_level),
        "abandonment_rate" => serde_json::to_value(s.abandonment_rate),
        "occupancy" => serde_json::to_value(s.occupancy),
        "overallocation" => serde_json::to_value(&s.overallocation),
        "rule_violations" => serde_json::to_value(&s.rule_violations),
        "invariant_violations" => serde_json::to_value(s.invariant_violations),
        "supervisor_actions" => serde_json::to_value(&s.supervisor_actions),
        "supervisor_reaction_s" => serde_json::to_value(&s.supervisor_reaction_s),
        "joins" => serde_json::to_value(&s.joins),
        "policies" => serde_json::to_value(&s.policies),
        "engine" => serde_json::to_value(&s.engine),
        "ci95" => serde_json::to_value(&s.ci95),
        "queues" => serde_json::to_value(&s.queues),
        "agent_groups" => serde_json::to_value(&s.agent_groups),
        "thresholds" => serde_json::to_value(&s.thresholds),
        "routing" => serde_json::to_value(&s.routing),
        "overflow" => serde_json::to_value(&s.overflow),
        "by_replication_left_out" => serde_json::to_value(&s.by_replication_left_out),
        "by_replication" => serde_json::to_value(&s.by_replication),
        _ => return None,
    };
    v.ok()
}

#[cfg(test)]
mod tests {
    use crate::report::{build, lookup, lookup_many};
    use crate::scenario::load_str;
    use crate::sim::{run, RunOptions};

    /// The field look-up finds what the whole summary's JSON gives, for every kind of path:
    /// numbers, objects, queue and group names, missing keys, optional fields.
    #[test]
    fn a_field_look_up_finds_what_the_whole_summary_gives() {
        let sc = load_str(
            "[scenario]\nname = \"f\"\nhorizon = \"1h\"\nreplications = 2\n\
             [[workstreams]]\nname = \"w\"\nchannel = \"live_chat\"\nhandle_time = \"5m\"\n\
             patience = \"2m\"\n[[queues]]\nname = \"a.b\"\nworkstream = \"w\"\n\
             arrivals = { rate = \"30/h\" }\n[[agent_groups]]\nname = \"g\"\ncount = 2\n\
             queues = [\"a.b\"]\n",
            "f.toml",
        )
        .expect("loads");
        let s = build(&sc, &run(&sc, &RunOptions::default(), &|_, _, _| {}));
        let paths = [
            "conversations.arrived",
            "wait_s.mean",
            "wait_s.p90",
            "service_level.fraction",
            "abandonment_rate",
            "occupancy",
            "overallocation.unit_seconds",
            "rule_violations.total",
            "queues.a.b.wait_s.mean",
            "queues.a.b",
            "agent_groups.g.occupancy",
            "replications",
            "replications_finished",
            "routing.unmatched",
            "conversations",
            "nothing.here",
            "",
        ];
        let whole = lookup_many(&s, &paths);
        for (p, w) in paths.iter().zip(whole) {
            assert_eq!(lookup(&s, p), w, "{p}");
        }
        assert!(lookup(&s, "conversations.arrived").is_some_and(|n| n > 0.0));
        assert!(lookup(&s, "queues.a.b.wait_s.mean").is_some());
    }
}
