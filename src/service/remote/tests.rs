//! Tests of the remote engine adapter against a scripted engine (a shell loop answering every
//! line with a health object).

use super::*;
use crate::engine::Engine;
use crate::service::client::EngineSpec;

fn scripted() -> SharedLink {
    let spec = EngineSpec::Command(vec![
        "sh".into(),
        "-c".into(),
        "while read l; do echo '{\"status\":\"ok\",\"v\":1}'; done".into(),
    ]);
    Link::new(Client::connect(&spec).expect("the scripted engine answers health"))
}

fn engine(link: &SharedLink) -> RemoteEngine {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance/rules-monitor-assign.toml");
    let sc = crate::scenario::load_file(&p).expect("a conformance scenario loads");
    let template = Engine::new(crate::setup::engine_setup(&sc));
    let m = Mirror::new(
        &template,
        sc.agent_count(),
        sc.queues.len(),
        sc.supervisors.len(),
    );
    RemoteEngine::new(link.clone(), m, None)
}

#[test]
fn an_empty_batch_is_no_round_trip() {
    // Regression: an empty batch (every agent already on shift before `load --engine`)
    // computed `0 - 1` same-instant commands and panicked.
    let link = scripted();
    let mut e = engine(&link);
    let (mut fx, mut ends) = (Vec::new(), Vec::new());
    e.apply_all(SimTime::ZERO, &[], &mut fx, &mut ends);
    assert!(ends.is_empty() && fx.is_empty());
    let l = Link::lock(&link);
    assert_eq!((l.stats.round_trips, l.stats.commands), (0, 0));
    assert!(l.failure.is_none());
}

#[test]
fn a_bad_answer_fails_once_and_arrivals_still_get_a_conversation() {
    let link = scripted();
    let mut e = engine(&link);
    let mut fx = Vec::new();
    // The scripted engine answers a batch with a health object: no "results".
    let r = e.apply(
        SimTime::ZERO,
        Command::Arrive(QueueId(0), Default::default()),
        &mut fx,
    );
    assert!(r.is_ok());
    assert!(matches!(fx[0], Effect::Arrived { .. }), "{fx:?}");
    let f = Link::lock(&link)
        .failure
        .take()
        .expect("a failure recorded");
    assert!(f.to_string().contains("bad answer to commands"), "{f}");
    // Afterwards nothing goes to the remote: other commands are refused locally.
    fx.clear();
    let r = e.apply(SimTime(1), Command::Pick(AgentId(0)), &mut fx);
    assert_eq!(r, Err(RuleId::LcClosed));
    assert_eq!(Link::lock(&link).stats.round_trips, 1);
}
