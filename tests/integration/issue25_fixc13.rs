//! Issue 25, thirteenth session (fixc-13): every command that reads a scenario prints its
//! warnings, once, as `run` and `validate` do (`sweep`, `staff`, `ab` and its variant, `load`
//! printed none); `load.json` counts each supervisor policy's given-up conversations as
//! `summary.json` does. (The Ctrl-C time of a center of many queues and the load supervisor's
//! give-up bound are counted in unit tests: `report::summary::walks`, `load::supervisor::tests`.)

use std::path::Path;

use crate::procs::{json, run_in, text, TempDir};

/// A center whose queue `lost` has arrivals and no agent (a warning: nobody serves it), and
/// whose queue `q` is served by group `g` of `count` agents.
fn center(name: &str, count: u32, lost: &str) -> String {
    format!(
        "[scenario]\nname = \"{name}\"\nhorizon = \"30m\"\nseed = 1\nreplications = 1\n\n\
         [[workstreams]]\nname = \"calls\"\nchannel = \"voice\"\n\
         handle_time = {{ dist = \"exponential\", mean = \"3m\" }}\n\
         patience = {{ dist = \"exponential\", mean = \"2m\" }}\n\n\
         [[queues]]\nname = \"q\"\nworkstream = \"calls\"\narrivals = {{ rate = \"60/h\" }}\n\n\
         [[queues]]\nname = \"{lost}\"\nworkstream = \"calls\"\narrivals = {{ rate = \"6/h\" }}\n\n\
         [[agent_groups]]\nname = \"g\"\ncount = {count}\nqueues = [\"q\"]\n"
    )
}

fn dir(tag: &str) -> TempDir {
    TempDir::new(&format!("fixc13-{tag}"))
}

/// How many stderr lines are warnings naming `what`.
fn warned(err: &str, what: &str) -> usize {
    err.lines()
        .filter(|l| l.starts_with("warning: ") && l.contains(what))
        .count()
}

/// The tester's example: `sweep`, `staff`, `ab` and `load` printed no scenario warning at all
/// (`run` and `validate` did). Each now prints the unserved queue's warning once, under
/// `--quiet` too, and `ab` its variant's as well, after the base's.
#[test]
fn every_command_reading_a_scenario_prints_its_warnings_once() {
    let d = dir("all");
    let p: &Path = d.as_ref();
    std::fs::write(p.join("s.toml"), center("s", 4, "lost")).unwrap();
    std::fs::write(p.join("v.toml"), center("s", 5, "gone")).unwrap();
    let runs: [&[&str]; 5] = [
        &["validate", "s.toml", "--quiet"],
        &[
            "sweep",
            "s.toml",
            "--vary",
            "agent_groups.g.count=3..5",
            "--quiet",
            "--out",
            "sw",
        ],
        &[
            "staff",
            "s.toml",
            "--target",
            "service_level.fraction>=0.5",
            "--group",
            "g",
            "--quiet",
            "--out",
            "st",
        ],
        &[
            "ab",
            "s.toml",
            "--variant",
            "v.toml",
            "--replications",
            "2",
            "--quiet",
            "--out",
            "ab",
        ],
        &[
            "load",
            "s.toml",
            "--rate",
            "5",
            "--duration",
            "1s",
            "--drain",
            "1s",
            "--quiet",
            "--out",
            "l",
        ],
    ];
    for args in runs {
        let o = run_in(p, args);
        let err = text(&o.stderr);
        assert!(o.status.code().is_some_and(|c| c < 2), "{args:?}: {err}");
        assert_eq!(
            warned(&err, "s.toml: queues[1]: queue \"lost\""),
            1,
            "{args:?}: {err}"
        );
    }
    let o = run_in(p, runs[3]);
    let err = text(&o.stderr);
    assert_eq!(
        warned(&err, "v.toml: queues[1]: queue \"gone\""),
        1,
        "{err}"
    );
    assert!(
        err.find("queue \"lost\"") < err.find("queue \"gone\""),
        "the base's first: {err}"
    );
}

/// A variant: a sweep whose points warn differently. A warning only some grid points give
/// names them (`agent_groups.g.count=0`: nobody serves `q` there); one every point gives is
/// printed once, as `run` prints it. `sweep --shard` prints the same.
#[test]
fn a_sweep_prints_each_points_warning_once_naming_the_points_it_holds_at() {
    let d = dir("sweep");
    let p: &Path = d.as_ref();
    std::fs::write(p.join("s.toml"), center("s", 1, "lost")).unwrap();
    for args in [
        &[
            "sweep",
            "s.toml",
            "--vary",
            "agent_groups.g.count=0..2",
            "--quiet",
            "--out",
            "sw",
        ][..],
        &[
            "sweep",
            "s.toml",
            "--vary",
            "agent_groups.g.count=0..2",
            "--shard",
            "1/2",
            "--quiet",
            "--out",
            "sh",
        ][..],
    ] {
        let o = run_in(p, args);
        let err = text(&o.stderr);
        assert!(o.status.code().is_some_and(|c| c < 2), "{args:?}: {err}");
        assert_eq!(warned(&err, "queue \"lost\""), 1, "{args:?}: {err}");
        let only: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("warning: ") && l.contains("queue \"q\""))
            .collect();
        assert_eq!(only.len(), 1, "{args:?}: {err}");
        assert!(
            only[0].ends_with("(at agent_groups.g.count=0 only)"),
            "{args:?}: {err}"
        );
    }
}

/// `load.json` reports each supervisor policy as `summary.json` does, `given_up` included
/// (`policies."S/P"`); before, it had no such key (and the load supervisor no bound).
#[test]
fn load_json_counts_each_policys_given_up_conversations() {
    let d = dir("load");
    let p: &Path = d.as_ref();
    let sc = center("s", 1, "lost").replace(
        "queues = [\"q\"]\n",
        "queues = [\"q\"]\n\n[[supervisors]]\nname = \"s\"\nqueues = [\"q\"]\n\n\
         [[supervisors.policies]]\nname = \"p\"\nevery = \"1s\"\nwhen = { state = \"open\" }\n\
         action = { assign_to = \"agent\", agent = \"g-1\" }\n",
    );
    std::fs::write(p.join("s.toml"), sc).unwrap();
    let o = run_in(
        p,
        &[
            "load",
            "s.toml",
            "--rate",
            "20",
            "--duration",
            "1s",
            "--drain",
            "1s",
            "--quiet",
            "--out",
            "l",
        ],
    );
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&o.stderr)
    );
    let l = json(&p.join("l/load.json"));
    let pol = &l["policies"]["s/p"];
    for key in ["accepted", "refused", "given_up"] {
        assert!(pol[key].is_u64(), "{key}: {l}");
    }
    assert_eq!(
        pol["accepted"].as_u64().unwrap() + pol["refused"].as_u64().unwrap(),
        l["by_command"]["assign_to_agent"]["count"]
            .as_u64()
            .unwrap(),
        "{l}"
    );
}
