//! Tests of the engine client: specs, and failures to reach or understand an engine.

use super::*;

#[test]
fn specs_parse_or_say_what_was_expected() {
    assert_eq!(
        EngineSpec::parse("http://127.0.0.1:7070/"),
        Ok(EngineSpec::Http {
            authority: "127.0.0.1:7070".into(),
            prefix: String::new()
        })
    );
    assert_eq!(
        EngineSpec::parse("http://127.0.0.1:7070/engine/"),
        Ok(EngineSpec::Http {
            authority: "127.0.0.1:7070".into(),
            prefix: "/engine".into()
        })
    );
    assert_eq!(
        EngineSpec::parse("cmd:omnisim serve s.toml --stdio"),
        Ok(EngineSpec::Command(vec![
            "omnisim".into(),
            "serve".into(),
            "s.toml".into(),
            "--stdio".into()
        ]))
    );
    for (bad, why) in [
        ("", "unknown scheme"),
        ("ftp://x", "unknown scheme"),
        ("127.0.0.1:7070", "unknown scheme"),
        ("cmd:  ", "no program"),
        ("http://", "no port"),
        ("http://localhost", "no port"),
        ("http://localhost:99999", "port from 0 to 65535"),
        ("https://h:1", "HTTPS"),
    ] {
        let e = EngineSpec::parse(bad).unwrap_err().to_string();
        assert!(
            e.contains(why) && e.contains("expected http://HOST:PORT"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn a_refused_connection_or_a_missing_program_is_a_connect_error_naming_it() {
    // Bind then drop a listener: its port is free and nothing listens there, unless a test
    // running beside this one binds the same port in between (seen once in a full run:
    // "connection reset during health"). A fresh port each try; the last try must be refused.
    let refused = || {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let spec = EngineSpec::parse(&format!("http://127.0.0.1:{port}")).unwrap();
        Client::connect(&spec).err()
    };
    let mut e = refused();
    for _ in 0..4 {
        if matches!(e, Some(ClientError::Connect { .. })) {
            break;
        }
        e = refused();
    }
    let e = e.expect("a refused connection is an error");
    assert!(matches!(e, ClientError::Connect { .. }), "{e}");
    assert!(
        e.to_string().contains("cannot connect to 127.0.0.1:"),
        "{e}"
    );
    let spec = EngineSpec::Command(vec!["/nonexistent/omnisim-engine".into()]);
    let e = Client::connect(&spec).unwrap_err();
    assert!(matches!(e, ClientError::Connect { .. }), "{e}");
    assert!(e.to_string().contains("cannot start"), "{e}");
    assert!(e.loses_the_engine());
}

#[test]
fn a_program_that_is_not_an_engine_is_a_bad_answer_or_a_lost_engine() {
    // `echo` answers one line that is not JSON and exits: the health check reports it.
    let spec = EngineSpec::Command(vec!["echo".into(), "hello".into()]);
    let e = Client::connect(&spec).unwrap_err();
    assert!(
        matches!(e, ClientError::BadAnswer { .. } | ClientError::Io { .. }),
        "{e}"
    );
    assert!(e.loses_the_engine());
}

#[test]
fn an_error_line_is_a_refusal_with_its_field_and_the_engine_stays() {
    // Answers health, then an error object with a field for everything else.
    let spec = EngineSpec::Command(vec![
        "sh".into(),
        "-c".into(),
        "read l; echo '{\"v\":1}'; while read l; do echo '{\"error\":\"time went back\",\"field\":\"now_ms\"}'; done"
            .into(),
    ]);
    let mut c = Client::connect(&spec).expect("health answers v 1");
    let e = c.commands(1, &[]).unwrap_err();
    assert!(
        matches!(&e, ClientError::Refused { status: 400, field: Some(f), .. } if f == "now_ms"),
        "{e}"
    );
    assert!(!e.loses_the_engine());
    let e = c.commands_raw(1, &[]).unwrap_err();
    assert!(e.to_string().contains("[field now_ms]"), "{e}");
}

#[test]
fn an_answer_with_the_wrong_number_of_results_is_a_bad_answer() {
    let spec = EngineSpec::Command(vec![
        "sh".into(),
        "-c".into(),
        "while read l; do echo '{\"v\":1,\"results\":[]}'; done".into(),
    ]);
    let mut c = Client::connect(&spec).expect("health answers v 1");
    let arrive = WireCommand::Arrive {
        queue: 0,
        tag: Default::default(),
    };
    for e in [
        c.commands(0, std::slice::from_ref(&arrive)).unwrap_err(),
        c.commands_raw(0, std::slice::from_ref(&arrive))
            .unwrap_err(),
    ] {
        assert!(e.to_string().contains("0 results for 1 commands"), "{e}");
    }
}
