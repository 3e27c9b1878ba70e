//! Issue 25, fresh tester (a cut-off trace): `explain` refused a `trace.jsonl` cut in the
//! middle of its last line (`head -c` of a trace being written) with "line N: not a trace
//! line", though the conversation asked about was complete near the top. A last line without a
//! newline that is not a whole trace line is now the cut of a truncated file: stories are told
//! up to it and say where the trace ends; a story that goes on past it is cut off. A bad line in
//! the middle stays an error. Every mode: `--conversation` (whole, cut off, unknown), `--agent`.

use std::path::Path;

use omnisim::trace::{Kind, TraceLine};

use crate::procs::{run_in, temp_dir, text};

const SCENARIO: &str = "scenarios/demo.toml";

/// `omnisim explain ARGS…` in `dir`: exit code, stdout, stderr.
fn explain(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    let o = run_in(dir, &all);
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

#[test]
fn a_trace_cut_in_its_last_line_tells_the_stories_up_to_the_cut() {
    let dir = temp_dir("explain-cut");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = run_in(
        &dir,
        &[
            "run",
            root.join(SCENARIO).to_str().expect("utf-8"),
            "--out",
            "r1",
            "--trace",
            "--quiet",
            "--replications",
            "1",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let trace = std::fs::read(dir.join("r1/trace.jsonl")).expect("trace");
    // Cut in the middle of the line that holds the middle byte, as `head -c` does.
    let mid = trace.len() / 2;
    let start = trace[..mid]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let cut_at = start + 7;
    let whole = trace[..start].iter().filter(|&&b| b == b'\n').count();
    let partial_line = whole + 1;
    std::fs::create_dir(dir.join("cut")).expect("mkdir");
    std::fs::write(dir.join("cut/trace.jsonl"), &trace[..cut_at]).expect("write cut");
    let lines: Vec<TraceLine> = text(&trace)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a trace line"))
        .collect();
    let (before, after) = lines.split_at(whole);
    let closed_before = |c: u64| {
        before
            .iter()
            .any(|l| l.conversation == Some(c) && l.kind == Kind::Effect && l.what == "closed")
    };
    let cut_words = format!("the trace ends in a partial line at line {partial_line}");

    // Conversation 1, closed before the cut: its whole story, and a note of the cut.
    assert!(closed_before(1));
    let (code, out, err) = explain(&dir, &["cut", "--conversation", "1"]);
    assert_eq!(code, Some(0), "{err}");
    let (_, full, _) = explain(&dir, &["r1", "--conversation", "1"]);
    assert!(out.starts_with(&full), "{out}\n---\n{full}");
    assert!(
        out.contains(&format!("(it closed before the cut: {cut_words}")),
        "{out}"
    );

    // A conversation with lines on both sides of the cut: told up to it, then cut off.
    let c = before
        .iter()
        .filter_map(|l| l.conversation)
        .find(|&c| !closed_before(c) && after.iter().any(|l| l.conversation == Some(c)))
        .expect("a conversation the cut goes through");
    let (code, out, err) = explain(&dir, &["cut", "--conversation", &c.to_string()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(&cut_words) && out.trim_end().ends_with("its story is cut off, not ended"),
        "{out}"
    );

    // A conversation that arrived after the cut: unknown, saying why.
    let last = before
        .iter()
        .filter_map(|l| l.conversation)
        .max()
        .expect("some");
    let (code, out, err) = explain(&dir, &["cut", "--conversation", &(last + 1).to_string()]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        err.contains(&cut_words) && err.contains(&format!("1 to {last} before it")),
        "{err}"
    );

    // An agent's story: told up to the cut, then cut off; the trace file itself works too.
    let agent = before
        .iter()
        .find_map(|l| l.agent.clone())
        .expect("an agent");
    let (code, out, err) = explain(&dir, &["cut/trace.jsonl", "--agent", &agent]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(&cut_words)
            && out
                .trim_end()
                .ends_with("the agent's story is cut off, not ended"),
        "{out}"
    );

    // Variant: a bad line in the middle (ending with its newline) is still an error, at its line.
    let mut bad = trace[..start].to_vec();
    bad.extend_from_slice(b"{\"t\": 1, \"repl\n");
    bad.extend_from_slice(&trace[start..]);
    std::fs::create_dir(dir.join("bad")).expect("mkdir");
    std::fs::write(dir.join("bad/trace.jsonl"), bad).expect("write bad");
    let (code, _, err) = explain(&dir, &["bad", "--conversation", "1"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("line {partial_line}: not a trace line")),
        "{err}"
    );
}
