//! Defects left over from a fresh user's trial, each fixed as a kind: `fit` without handle
//! times and with a history's calendar, `validate` warnings for queues nobody serves,
//! `erlang` at huge rates, `sweep` diagnostics that point to the right place, `explain`'s
//! rounding and transfers, singular counts, and `delayed` at the end of a run.

use std::path::PathBuf;
use std::process::Command;

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("omnisim-leftovers-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn omnisim(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args(args)
        .output()
        .expect("omnisim runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// One voice queue `q` fed by `arrivals`, one group `a` of `count` agents serving it.
fn one_queue(arrivals: &str, count: u32) -> String {
    format!(
        r#"[scenario]
name = "one"
horizon = "1h"
replications = 1

[[workstreams]]
name = "w"
channel = "voice"
capacity_units = 100
handle_time = "100s"

[[queues]]
name = "q"
workstream = "w"
{arrivals}

[[agent_groups]]
name = "a"
count = {count}
capacity = 100
queues = ["q"]
"#
    )
}

/// A count of one reads in the singular: `validate` of one queue and one agent.
#[test]
fn one_of_a_thing_is_singular() {
    let dir = temp_dir("plural");
    let path = dir.join("one.toml");
    std::fs::write(&path, one_queue(r#"arrivals = { rate = "10/h" }"#, 1)).unwrap();
    let (code, out, err) = omnisim(&["validate", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("valid (1 queue, 1 agent, 0 supervisors)"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
