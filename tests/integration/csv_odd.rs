//! Issue 25, eleventh pass: odd-but-real CSV inputs given to every reader (`[traffic]`
//! roster, forecast and replay through `validate`; `fit`'s history; `forecast`'s volume file),
//! as a fresh user would. Each gives a clear error (exit 2, the file, the line, what was
//! expected) or is read correctly. The faults found and fixed here:
//!
//! - a file that is one huge line (no line end) was quoted whole in "the header has …", once
//!   per missing column: 125 MB of messages for a 30 MB roster;
//! - a tab- or semicolon-separated file given as CSV was told it lacked every column (the
//!   header quoted with its tabs), and `forecast` added "did you mean "interval_start"?";
//! - a file of blank lines only was called "empty".

use crate::procs::{code_and_stderr, run_in, temp_dir, text, TempDir};

const SCENARIO: &str = r#"[scenario]
name = "odd"
start = "2026-01-05T08:00"
horizon = "2h"

[[workstreams]]
name = "calls"
channel = "voice"
handle_time = { dist = "exponential", mean = "5m" }

[[queues]]
name = "q"
workstream = "calls"

[[agent_groups]]
name = "ag"
count = 1
queues = ["q"]
"#;

const ROSTER: &str = "agent,queues,shift_start,shift_end\nr1,q,2026-01-05T08:00,2026-01-05T10:00\n";
const FORECAST: &str =
    "interval_start,queue,volume\n2026-01-05T08:00,q,10\n2026-01-05T08:30,q,12\n";
const HISTORY: &str =
    "id,arrival,queue,outcome,wait,handle\n1,2026-01-05T08:00:10,q,answered,0,60\n";
const VOLUMES: &str = "interval_start,volume\n2026-01-05T08:00,10\n2026-01-05T08:30,12\n";

/// One reader given `content`: its folder and the command that reads it.
struct Case {
    name: &'static str,
    dir: TempDir,
    args: Vec<&'static str>,
}

/// Every reader, each given the file `content(good)` made from its own good file.
fn cases(tag: &str, content: impl Fn(&str) -> Vec<u8>) -> Vec<Case> {
    let readers: [(&str, &str, &str); 6] = [
        ("roster", ROSTER, "roster = \"x.csv\""),
        ("traffic-forecast", FORECAST, "forecast = \"x.csv\""),
        ("replay", HISTORY, "replay = \"x.csv\""),
        ("fit", HISTORY, ""),
        ("forecast-history", HISTORY, ""),
        ("forecast-volumes", VOLUMES, ""),
    ];
    readers
        .into_iter()
        .map(|(name, good, traffic)| {
            let dir = temp_dir(&format!("csv-odd-{tag}-{name}"));
            std::fs::write(dir.join("x.csv"), content(good)).expect("x.csv");
            let args = if traffic.is_empty() {
                let cmd = if name == "fit" { "fit" } else { "forecast" };
                vec![cmd, "x.csv", "--out", "out", "--quiet"]
            } else {
                std::fs::write(
                    dir.join("s.toml"),
                    format!("{SCENARIO}\n[traffic]\n{traffic}\n"),
                )
                .expect("s.toml");
                vec!["validate", "s.toml"]
            };
            Case { name, dir, args }
        })
        .collect()
}

#[test]
fn a_file_of_one_huge_line_is_not_quoted_whole() {
    for c in cases("huge", |_| vec![b'a'; 1_000_000]) {
        let (code, err) = code_and_stderr(&c.dir, &c.args);
        assert_eq!(code, Some(2), "{}: {}", c.name, &err[..err.len().min(500)]);
        assert!(
            err.len() < 5_000,
            "{}: {} bytes of messages",
            c.name,
            err.len()
        );
        assert!(
            err.contains("x.csv:1: missing column") && err.contains("(1000000 characters in all)"),
            "{}: {err}",
            c.name
        );
    }
}

#[test]
fn a_tab_or_semicolon_separated_file_is_named_as_such() {
    for (sep, kind) in [('\t', "tab-separated"), (';', "semicolon-separated")] {
        let tag = if sep == '\t' { "tsv" } else { "semi" };
        for c in cases(tag, |good| good.replace(',', &sep.to_string()).into_bytes()) {
            let (code, err) = code_and_stderr(&c.dir, &c.args);
            assert_eq!(code, Some(2), "{}: {err}", c.name);
            assert!(
                err.contains("x.csv:1: the header row is one column holding")
                    && err.contains(&format!("the file looks {kind}; expected comma-separated")),
                "{}: {err}",
                c.name
            );
            assert!(!err.contains("missing column"), "{}: {err}", c.name);
            assert!(!err.contains("did you mean"), "{}: {err}", c.name);
        }
    }
}

#[test]
fn a_file_of_blank_lines_is_not_called_empty() {
    for c in cases("blank", |_| b"\n\n  \n".to_vec()) {
        let (code, err) = code_and_stderr(&c.dir, &c.args);
        assert_eq!(code, Some(2), "{}: {err}", c.name);
        assert!(
            err.contains("x.csv: the file has no header row (its first line holds only blank"),
            "{}: {err}",
            c.name
        );
    }
    for c in cases("empty", |_| Vec::new()) {
        let (code, err) = code_and_stderr(&c.dir, &c.args);
        assert_eq!(code, Some(2), "{}: {err}", c.name);
        assert!(
            err.contains("x.csv: the file is empty"),
            "{}: {err}",
            c.name
        );
    }
}

/// A good file made odd.
type Variant = dyn Fn(&str) -> Vec<u8>;

/// The exit code of a case and what it read: `validate`'s line (the agents and queues
/// counted), `fit`'s `fitted.toml`, `forecast`'s `forecast.csv`.
fn outcome(c: &Case) -> (Option<i32>, Vec<u8>) {
    let out = run_in(&c.dir, &c.args);
    let read = match c.args[0] {
        "fit" => std::fs::read(c.dir.join("out/fitted.toml")).expect("fitted.toml"),
        "forecast" => std::fs::read(c.dir.join("out/forecast.csv")).expect("forecast.csv"),
        _ => out.stdout,
    };
    (out.status.code(), read)
}

/// The odd files read correctly: a byte-order mark, CRLF and CR line ends, quoted cells with
/// commas, columns in another order, an unknown column (warned), spaces after the commas of
/// the header, blank lines between rows.
#[test]
fn odd_but_well_formed_files_are_read_as_the_plain_file() {
    let plain = cases("plain", |good| good.as_bytes().to_vec());
    let expected: Vec<(Option<i32>, Vec<u8>)> = plain.iter().map(outcome).collect();
    let reorder = |good: &str| -> Vec<u8> {
        good.lines()
            .map(|l| l.split(',').rev().collect::<Vec<_>>().join(",") + "\n")
            .collect::<String>()
            .into_bytes()
    };
    let variants: [(&str, &Variant); 4] = [
        ("bom", &|g: &str| {
            [b"\xef\xbb\xbf".as_slice(), g.as_bytes()].concat()
        }),
        ("crlf", &|g: &str| g.replace('\n', "\r\n").into_bytes()),
        ("cr", &|g: &str| g.replace('\n', "\r").into_bytes()),
        ("reordered", &reorder),
    ];
    for (tag, v) in variants {
        for (c, want) in cases(tag, v).iter().zip(&expected) {
            let got = outcome(c);
            assert_eq!(want.0, Some(0), "plain {}", c.name);
            assert_eq!(got.0, want.0, "{tag} {}", c.name);
            assert_eq!(text(&got.1), text(&want.1), "{tag} {}", c.name);
        }
    }
}
