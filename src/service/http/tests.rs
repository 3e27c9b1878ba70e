//! The service's answers through [`route`] and the JSON-lines framing, on a one-agent scenario
//! whose figures are computed by hand, and a byte-mutation fuzz of both request parsers.

use serde_json::Value;

use super::route;
use crate::service::stdio::{answer_line, serve_stdio};
use crate::service::Session;

/// One chat queue `a` served by one agent of 100 units (a chat takes 100: one at a time), and a
/// supervisor over `a`.
const SCENARIO: &str = r#"
[scenario]
name = "serve-unit"
horizon = "1m"

[[workstreams]]
name = "chat"
channel = "live_chat"
capacity_units = 100
handle_time = { dist = "constant", value = "1h" }

[[queues]]
name = "a"
workstream = "chat"
arrivals = { times = ["0s"] }

[[agent_groups]]
name = "a"
count = 1
capacity = 100
queues = ["a"]

[[supervisors]]
name = "lead"
queues = ["a"]
"#;

fn session() -> Session {
    Session::new(crate::scenario::load_str(SCENARIO, "serve-unit.toml").expect("valid"))
}

fn call(s: &mut Session, method: &str, path: &str, body: &str) -> (u16, Value) {
    let a = route(s, method, path, body.as_bytes());
    let v = serde_json::from_str(&a.body).unwrap_or(Value::String(a.body.clone()));
    (a.status, v)
}

fn effects_of(v: &Value) -> Vec<String> {
    v["effects"]
        .as_array()
        .expect("effects")
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_session_over_http_answers_by_hand_computed_figures() {
    let mut s = session();
    let (st, h) = call(&mut s, "GET", "/v1/health", "");
    assert_eq!(
        (st, h["status"].as_str(), h["v"].as_u64()),
        (200, Some("ok"), Some(1))
    );

    // Two arrivals at 1 s: the first invites agent 0, the second waits (the agent is invited).
    let (st, r) = call(
        &mut s,
        "POST",
        "/v1/commands",
        r#"{"now_ms":1000,"commands":[{"type":"arrive","queue":0},{"type":"arrive","queue":0}]}"#,
    );
    assert_eq!(st, 200, "{r}");
    let first = &r["results"][0];
    assert!(
        effects_of(first).contains(&"invited".to_string()),
        "{first}"
    );
    assert_eq!(effects_of(&r["results"][1]), ["arrived"]);
    let conv1 = first["effects"][0]["conv"].as_str().unwrap().to_string();
    let conv2 = r["results"][1]["effects"][0]["conv"]
        .as_str()
        .unwrap()
        .to_string();
    let invite = first["effects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "invited")
        .unwrap()["invite"]
        .as_u64()
        .unwrap();

    // Accepted at 2 s: waited 2000 − 1000 = 1000 ms.
    let body = format!(
        r#"{{"now_ms":2000,"commands":[{{"type":"accept","conv":"{conv1}","invite":{invite}}}]}}"#
    );
    let (st, r) = call(&mut s, "POST", "/v1/commands", &body);
    assert_eq!(st, 200, "{r}");
    let acc = r["results"][0]["effects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "accepted")
        .cloned()
        .expect("accepted");
    assert_eq!(acc["waited_ms"].as_u64(), Some(1000));

    // The view: conversation 1 active with agent 0 after waiting 1000 ms; conversation 2 open,
    // waiting 2000 − 1000 = 1000 ms so far.
    let (_, v) = call(&mut s, "GET", "/v1/conversations", "");
    let rows = v["conversations"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{v}");
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(row(&conv1)["state"], "active");
    assert_eq!(row(&conv1)["agent_name"], "a-1");
    assert_eq!(row(&conv1)["wait_ms"].as_u64(), Some(1000));
    assert_eq!(row(&conv2)["state"], "open");
    assert_eq!(row(&conv2)["wait_ms"].as_u64(), Some(1000));

    // Monitoring an open chat is refused (MON-STATE); assigning it to the full agent is
    // accepted (overallocation allowed by default) and invites the agent.
    let (st, r) = call(
        &mut s,
        "POST",
        &format!("/v1/conversations/{conv2}/monitor"),
        r#"{"supervisor":0}"#,
    );
    assert_eq!((st, r["refused"].as_str()), (200, Some("MON-STATE")), "{r}");
    let (st, r) = call(
        &mut s,
        "POST",
        &format!("/v1/conversations/{conv2}/assign"),
        r#"{"supervisor":0,"agent":0}"#,
    );
    assert_eq!(st, 200, "{r}");
    let inv = r["effects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "invited")
        .cloned()
        .expect("invited");
    assert_eq!(inv["by_supervisor"], true);

    let (_, a) = call(&mut s, "GET", "/v1/agents", "");
    assert_eq!(a["agents"][0]["used"].as_i64(), Some(100), "{a}");
    assert_eq!(a["agents"][0]["presence"], "busy_dnd");

    // A bad id refuses the whole batch, names the field and changes nothing.
    let before = s.engine().counters();
    let (st, e) = call(
        &mut s,
        "POST",
        "/v1/commands",
        r#"{"now_ms":3000,"commands":[{"type":"arrive","queue":0},{"type":"pick","agent":5}]}"#,
    );
    assert_eq!(
        (st, e["field"].as_str()),
        (400, Some("commands[1].agent")),
        "{e}"
    );
    assert_eq!(s.engine().counters(), before);
    assert_eq!(s.now().0, 2000);
    let (st, e) = call(
        &mut s,
        "POST",
        "/v1/commands",
        r#"{"now_ms":10,"commands":[]}"#,
    );
    assert_eq!((st, e["field"].as_str()), (409, Some("now_ms")));
    let (st, e) = call(
        &mut s,
        "POST",
        "/v1/commands",
        r#"{"now_ms":10,"comands":[]}"#,
    );
    assert_eq!(st, 400);
    assert!(e["error"].as_str().unwrap().contains("comands"), "{e}");
    let (st, e) = call(
        &mut s,
        "POST",
        "/v1/commands",
        r#"{"v":2,"now_ms":10,"commands":[]}"#,
    );
    assert_eq!((st, e["field"].as_str()), (400, Some("v")));
    assert_eq!(call(&mut s, "GET", "/v1/commands", "").0, 405);
    assert_eq!(call(&mut s, "GET", "/v1/nothing", "").0, 404);
    let (st, e) = call(&mut s, "GET", "/v2/health", "");
    assert_eq!(st, 404);
    assert!(e["error"].as_str().unwrap().contains("/v1"));

    // Metrics count 2 arrivals, 1 accept, 1 refusal by MON-STATE and 7 bad requests.
    let m = route(&mut s, "GET", "/metrics", b"");
    assert!(m.content_type.starts_with("text/plain"));
    for line in [
        "omnisim_commands_total{type=\"arrive\"} 2",
        "omnisim_commands_total{type=\"accept\"} 1",
        "omnisim_commands_total{type=\"assign_to_agent\"} 1",
        "omnisim_refusals_total{rule=\"MON-STATE\"} 1",
        "omnisim_command_latency_seconds_count 5",
        "omnisim_bad_requests_total 7",
        "omnisim_live_conversations 2",
    ] {
        assert!(m.body.lines().any(|l| l == line), "{line} in\n{}", m.body);
    }

    // Reset: a fresh engine at 0.
    let (st, h) = call(&mut s, "POST", "/v1/reset", "");
    assert_eq!(
        (st, h["live_conversations"].as_u64(), h["now_ms"].as_u64()),
        (200, Some(0), Some(0))
    );
    let (_, setup) = call(&mut s, "GET", "/v1/setup", "");
    assert_eq!(setup["agents"][0]["name"], "a-1");
    assert_eq!(setup["queues"][0]["workstream"], "chat");
}

#[test]
fn json_lines_answer_each_line_and_name_bad_fields() {
    let mut s = session();
    let input = concat!(
        "{\"op\":\"health\"}\n",
        "\n",
        "not json\n",
        "{\"v\":1,\"op\":\"commands\",\"now_ms\":0,\"commands\":[{\"type\":\"arrive\",\"queue\":0}]}\n",
        "{\"op\":\"commands\",\"now_ms\":0,\"commands\":[{\"type\":\"end\",\"conv\":7}]}\n",
        "{\"op\":\"monitor\",\"supervisor\":0,\"conv\":\"0.0\"}\n",
        "{\"commands\":[]}\n",
        "[1]\n",
        "{\"op\":\"agents\"}"
    );
    let mut out = Vec::new();
    let mut bytes = input.as_bytes().to_vec();
    bytes.extend_from_slice(b"\n\xff\xfe\n");
    serve_stdio(&mut s, &bytes[..], &mut out).unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 9, "{lines:?}");
    assert_eq!(lines[0]["status"], "ok");
    assert!(lines[1]["error"].as_str().unwrap().contains("not JSON"));
    assert_eq!(lines[2]["results"][0]["effects"][0]["type"], "arrived");
    assert_eq!(lines[3]["field"], "commands[0].conv");
    assert_eq!(lines[4]["refused"], "MON-STATE", "{}", lines[4]);
    assert_eq!(lines[5]["field"], "op");
    assert!(lines[6]["error"].is_string());
    assert_eq!(lines[7]["agents"][0]["id"], 0);
    assert!(lines[8]["error"].as_str().unwrap().contains("UTF-8"));
}

/// Byte flips, truncations and splices of valid requests: every answer is JSON, nothing panics.
#[test]
fn mutated_requests_never_panic() {
    let seeds: [&[u8]; 4] = [
        br#"{"now_ms":5,"commands":[{"type":"arrive","queue":0,"tag":{"req":0,"attrs":0}},{"type":"accept","conv":"0.0","invite":0},{"type":"set_presence","agent":0,"presence":"away"}]}"#,
        br#"{"supervisor":0,"agent":0,"queue":0,"mode":"public","now_ms":9}"#,
        br#"{"op":"assign","conv":"0.0","supervisor":0,"queue":0}"#,
        br#"{"op":"commands","now_ms":7,"commands":[{"type":"join","supervisor":0,"conv":"0.0","mode":"public"},{"type":"transfer","supervisor":0,"conv":"0.0","agent":0}]}"#,
    ];
    let paths = [
        ("POST", "/v1/commands"),
        ("POST", "/v1/conversations/0.0/assign"),
        ("POST", "/v1/conversations/0.0/join"),
        ("POST", "/v1/setup"),
    ];
    let mut s = session();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    for round in 0..4000 {
        let mut m = seeds[round % seeds.len()].to_vec();
        for _ in 0..1 + next(4) {
            let i = next(m.len());
            match next(4) {
                0 => {
                    m[i] = {
                        let pool = b"{}[]\":,0123456789.-aez\\ \xff";
                        pool[next(pool.len())]
                    }
                }
                1 => m.truncate(i),
                2 => m.insert(i, m[next(m.len())]),
                _ => m[i] ^= 1 << next(8),
            }
            if m.is_empty() {
                m.push(b'{');
            }
        }
        let (method, path) = paths[round % paths.len()];
        let a = route(&mut s, method, path, &m);
        assert!(serde_json::from_str::<Value>(&a.body).is_ok(), "{}", a.body);
        let line = answer_line(&mut s, &m);
        assert!(serde_json::from_str::<Value>(&line).is_ok(), "{line}");
        if round % 500 == 0 {
            s.reset();
        }
    }
    assert!(s.engine().check_invariants().is_empty());
}

#[test]
fn setup_with_a_scenario_text_replaces_the_configuration_and_a_bad_one_changes_nothing() {
    let mut s = session();
    // Two agents now: the arrival goes to agent 0, and the setup answer lists both.
    let two = SCENARIO
        .replace("count = 1", "count = 2")
        .replace("serve-unit", "serve-two");
    let body = serde_json::json!({ "v": 1, "scenario": two }).to_string();
    let (st, v) = call(&mut s, "POST", "/v1/setup", &body);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["scenario"], "serve-two");
    assert_eq!(v["agents"].as_array().map(Vec::len), Some(2));
    assert!(v.get("tags").is_none(), "no attributes, no tags: {v}");
    // A scenario that does not load: 400 naming the field and the diagnostic; still two agents.
    let bad = serde_json::json!({ "scenario": "[scenario]\nname = 3\n" }).to_string();
    let (st, v) = call(&mut s, "POST", "/v1/setup", &bad);
    assert_eq!((st, v["field"].as_str()), (400, Some("scenario")), "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("setup.scenario"),
        "{v}"
    );
    let (_, v) = call(&mut s, "GET", "/v1/setup", "");
    assert_eq!(v["scenario"], "serve-two");
    // The same over a JSON line.
    let line = serde_json::json!({ "op": "setup", "scenario": SCENARIO }).to_string();
    let v: Value = serde_json::from_str(&answer_line(&mut s, line.as_bytes())).unwrap();
    assert_eq!(v["agents"].as_array().map(Vec::len), Some(1), "{v}");
}

#[test]
fn the_setup_view_lists_a_tag_for_every_attribute_combination() {
    let with_attrs = SCENARIO.replace(
        "capacity_units = 100\n",
        "capacity_units = 100\nattributes = { tier = { vip = 0.2, standard = 0.8 }, language = { en = 0.5, es = 0.5 } }\n",
    );
    let mut s = Session::new(crate::scenario::load_str(&with_attrs, "t.toml").expect("valid"));
    let (_, v) = call(&mut s, "GET", "/v1/setup", "");
    let tags = v["tags"].as_array().expect("tags");
    // 2 tiers × 2 languages.
    assert_eq!(tags.len(), 4, "{v}");
    let combos: std::collections::BTreeSet<(String, String)> = tags
        .iter()
        .map(|t| {
            assert_eq!(t["workstream"], "chat");
            let a = &t["attributes"];
            (a["tier"].to_string(), a["language"].to_string())
        })
        .collect();
    assert_eq!(combos.len(), 4, "each combination once: {v}");
    // Every listed tag is one the engine knows: an arrival with it is accepted.
    for t in tags {
        let body = serde_json::json!({ "now_ms": 0, "commands": [{ "type": "arrive", "queue": 0, "tag": t["tag"] }] });
        let (st, v) = call(&mut s, "POST", "/v1/commands", &body.to_string());
        assert_eq!(st, 200, "{v}");
    }
}
