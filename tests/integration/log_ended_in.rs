//! Issue 25 leftover (fixd-12): `conversations.csv`'s `ended_in` column. A conversation moved
//! while it waits (a supervisor's `assign_to = "queue"`, a queue's `waited_over` transfer)
//! starts no leg, so its row keeps the queue it arrived at; before, nothing in the file said
//! where it was answered or closed, and `fit` fitted its handle time to its arrival queue
//! (a run draws it from the work stream of the queue that accepts it). Now the column is
//! written when the scenario can move a waiting conversation (empty when the conversation
//! ended in its row's `queue`), replay checks it names a queue, `fit` fits handle and wrap-up
//! to the queue that answered and `actuals.json` counts the move; a log without the column
//! reads as before, and a scenario without such a rule writes the file as before.

use crate::procs::{json, run_in, text, TempDir};

/// A folder with `name.toml` holding `scenario` (a one-replication `[scenario]` header, then
/// `body`; `extra` lines go into the header).
fn with(tag: &str, extra: &str, body: &str) -> TempDir {
    let dir = TempDir::new(&format!("ended-in-{tag}"));
    let sc = format!(
        "[scenario]\nname = \"e\"\nhorizon = \"1h\"\nseed = 1\nreplications = 1\n{extra}\n{body}\n"
    );
    std::fs::write(dir.join("e.toml"), sc).unwrap();
    dir
}

/// Runs `e.toml` with `--log` into `r/` and returns `conversations.csv`.
fn log(dir: &TempDir) -> String {
    let o = run_in(dir, &["run", "e.toml", "--out", "r", "--log", "--quiet"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    std::fs::read_to_string(dir.join("r/conversations.csv")).unwrap()
}

const HEADER: &str =
    "id,arrival,queue,outcome,wait,handle,wrap_up,patience,agent,agent_group,replication";

/// Nobody serves a; a script moves one of its conversations to b at 0:02:00, answered there;
/// the other, and one arriving later, abandon in a.
const SUPERVISOR: &str = r#"
[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "constant", value = "1m" }
patience = { dist = "constant", value = "5m" }

[[queues]]
name = "a"
workstream = "chat"
arrivals = { times = ["0s", "30s", "10m"] }

[[queues]]
name = "b"
workstream = "chat"

[[agent_groups]]
name = "gb"
count = 2
queues = ["b"]

[[supervisors]]
name = "sup"
queues = ["a", "b"]

[[supervisors.script]]
at = "2m"
action = { assign_to = "queue", queue = "b" }
target = { queue = "a" }
"#;

#[test]
fn a_supervisor_move_names_the_queue_that_answered() {
    let dir = with("sup", "", SUPERVISOR);
    assert_eq!(
        log(&dir),
        format!(
            "{HEADER},ended_in\n\
             1,0,a,answered,120,60,,300,gb-1,gb,1,b\n\
             2,30,a,abandoned,300,,,300,,,1,\n\
             3,600,a,abandoned,300,,,300,,,1,\n"
        )
    );
}

/// a's one agent handles a 1-minute call; the others wait 30 s, are moved to b by a's
/// `waited_over` rule and answered there (b's work stream: 10 minutes); b has an arrival of its
/// own at 0:40:00.
const WAITED_OVER: &str = r#"
[[workstreams]]
name = "front"
channel = "voice"
handle_time = { dist = "constant", value = "1m" }

[[workstreams]]
name = "back"
channel = "voice"
handle_time = { dist = "constant", value = "10m" }

[[queues]]
name = "a"
workstream = "front"
arrivals = { times = ["0s", "0s", "0s", "20m", "20m", "20m"] }

[[queues.overflow]]
when = "waited_over"
after = "30s"
action = "transfer"
queue = "b"

[[queues]]
name = "b"
workstream = "back"
arrivals = { times = ["40m"] }

[[agent_groups]]
name = "ga"
count = 1
queues = ["a"]

[[agent_groups]]
name = "gb"
count = 4
queues = ["b"]
"#;

const WAITED_OVER_LOG: &str = "1,0,a,answered,0,60,,,ga-1,ga,1,\n\
     2,0,a,answered,30,600,,,gb-1,gb,1,b\n\
     3,0,a,answered,30,600,,,gb-2,gb,1,b\n\
     4,1200,a,answered,0,60,,,ga-1,ga,1,\n\
     5,1200,a,answered,30,600,,,gb-3,gb,1,b\n\
     6,1200,a,answered,30,600,,,gb-4,gb,1,b\n\
     7,2400,b,answered,0,600,,,gb-1,gb,1,\n";

#[test]
fn a_waited_over_move_names_the_queue_that_answered() {
    let dir = with("waited", "", WAITED_OVER);
    assert_eq!(log(&dir), format!("{HEADER},ended_in\n{WAITED_OVER_LOG}"));
}

/// Two `waited_over` moves, a → b → c, answered in c; a second scenario mixes them with an
/// end-of-handling transfer and supervisor moves: conversation 1 waits in a (its agent starts
/// at 0:02:00), is moved to d at 0:01:00 and back to a by a script at 0:03:00, answered in a
/// (its row: empty, it ended in its `queue`), transferred at the end of handling to b (leg 2)
/// and moved from b to c at 0:25:00 (its leg-2 row: c); conversation 2's leg in b is still
/// open at the end (empty).
#[test]
fn a_chain_of_moves_names_the_last_queue_of_the_row_s_leg() {
    let overflow = |from: &str, to: &str| {
        format!(
            "[[queues]]\nname = \"{from}\"\nworkstream = \"chat\"\n{}\n[[queues.overflow]]\n\
             when = \"waited_over\"\nafter = \"1m\"\naction = \"transfer\"\nqueue = \"{to}\"\n",
            if from == "a" {
                "arrivals = { times = [\"0s\"] }"
            } else {
                ""
            }
        )
    };
    let body = format!(
        "[[workstreams]]\nname = \"chat\"\nchannel = \"live_chat\"\n\
         handle_time = {{ dist = \"constant\", value = \"1m\" }}\n\n{}\n{}\n\
         [[queues]]\nname = \"c\"\nworkstream = \"chat\"\n\n\
         [[agent_groups]]\nname = \"gc\"\ncount = 1\nqueues = [\"c\"]\n",
        overflow("a", "b"),
        overflow("b", "c")
    );
    let dir = with("chain", "", &body);
    assert_eq!(
        log(&dir),
        format!("{HEADER},ended_in\n1,0,a,answered,120,60,,,gc-1,gc,1,c\n")
    );

    let dir = with("mixed", "\n[engine]\ntransfer_enabled = true", MIXED);
    assert_eq!(
        log(&dir),
        format!(
            "{HEADER},leg,retrial_of,ended_in\n\
             1,0,a,answered,180,120,,,ga-1,ga,1,1,,\n\
             1,300,b,answered,1200,120,,,gc-1,gc,1,2,,c\n\
             2,1200,a,answered,0,120,,,ga-1,ga,1,1,,\n\
             2,1320,b,,,,,,,,1,2,,\n"
        )
    );
}

const MIXED: &str = r#"
[[workstreams]]
name = "front"
channel = "live_chat"
handle_time = { dist = "constant", value = "2m" }
transfer = { probability = 1.0, queue = "b" }

[[workstreams]]
name = "back"
channel = "live_chat"
handle_time = { dist = "constant", value = "2m" }

[[queues]]
name = "a"
workstream = "front"
arrivals = { times = ["0s", "20m"] }

[[queues.overflow]]
when = "waited_over"
after = "1m"
action = "transfer"
queue = "d"

[[queues]]
name = "b"
workstream = "back"

[[queues]]
name = "c"
workstream = "back"

[[queues]]
name = "d"
workstream = "front"

[[agent_groups]]
name = "ga"
count = 1
queues = ["a"]
shift = { start = "2m", end = "1h" }

[[agent_groups]]
name = "gc"
count = 1
queues = ["c"]

[[supervisors]]
name = "sup"
queues = ["a", "b", "c", "d"]

[[supervisors.script]]
at = "3m"
action = { assign_to = "queue", queue = "a" }
target = { queue = "d" }

[[supervisors.script]]
at = "25m"
action = { assign_to = "queue", queue = "c" }
target = { queue = "b" }
"#;

/// Two arrivals at once at a, whose `work_items_over` rule sends the second to b before it
/// queues; nobody serves a.
const BEFORE_QUEUEING: &str = r#"
[[workstreams]]
name = "chat"
channel = "live_chat"
handle_time = { dist = "constant", value = "1m" }

[[queues]]
name = "a"
workstream = "chat"
arrivals = { times = ["0s", "0s"] }

[[queues.overflow]]
when = "work_items_over"
limit = 1
action = "transfer"
queue = "b"

[[queues]]
name = "b"
workstream = "chat"

[[agent_groups]]
name = "gb"
count = 2
queues = ["b"]
"#;

/// A scenario that cannot move a conversation to another queue writes no `ended_in` (the file
/// as it was); a before-queueing transfer alone writes it (issue 25, a seventeenth tester:
/// before, only a rule moving a *waiting* conversation did, and `fit` of such a log mixed the
/// two queues' handle times), as a `waited_over` transfer as well (one that never fires) does.
#[test]
fn the_column_is_written_when_a_conversation_can_move_to_another_queue() {
    let dir = with("none", "", BEFORE_QUEUEING);
    assert_eq!(
        log(&dir),
        format!("{HEADER},ended_in\n1,0,a,,,,,,,,1,\n2,0,a,answered,0,60,,,gb-1,gb,1,b\n")
    );
    let unmoved = BEFORE_QUEUEING.replace(
        "action = \"transfer\"\nqueue = \"b\"",
        "action = \"assign_anyway\"",
    );
    let dir = with("unmoved", "", &unmoved);
    assert_eq!(
        log(&dir),
        format!("{HEADER}\n1,0,a,,,,,,,,1\n2,0,a,,,,,,,,1\n")
    );
    let later = "\n[[queues.overflow]]\nwhen = \"waited_over\"\nafter = \"1h\"\n\
                 action = \"transfer\"\nqueue = \"a\"\n";
    let dir = with("some", "", &format!("{BEFORE_QUEUEING}{later}"));
    assert_eq!(
        log(&dir),
        format!("{HEADER},ended_in\n1,0,a,,,,,,,,1,\n2,0,a,answered,0,60,,,gb-1,gb,1,b\n")
    );
    // The bundled center without supervisors' queue moves: no column.
    let o = run_in(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            "run",
            "scenarios/demo.toml",
            "--replications",
            "1",
            "--log",
            "--quiet",
            "--out",
            dir.join("demo").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let demo = std::fs::read_to_string(dir.join("demo/conversations.csv")).unwrap();
    assert!(!demo.lines().next().unwrap().contains("ended_in"));
}

/// `fit` of a log with moves: a's handle time is its own work stream's 60 s (before, the four
/// conversations b answered in 600 s were fitted to a: exponential, mean 420 s), b's 600 s;
/// `actuals.json` counts the four moves as the run's summary does (before: none). A log with a
/// queue only moves reached (the chain's b and c: no arrivals of their own) leaves their
/// handle times out, noted.
#[test]
fn fit_fits_handle_times_to_the_queue_that_answered() {
    let dir = with("fit", "", WAITED_OVER);
    log(&dir);
    let o = run_in(&dir, &["fit", "r/conversations.csv", "--out", "f"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let fit = json(&dir.join("f/fit.json"));
    for (q, mean) in [("a", 60.0), ("b", 600.0)] {
        let h = &fit["queues"][q]["handle"];
        assert_eq!(h["best"], "constant", "queue {q}: {h}");
        assert_eq!(h["candidates"]["constant"]["mean_s"], mean, "queue {q}");
    }
    let stderr = text(&o.stderr);
    assert!(
        stderr.contains("4 conversations answered in another queue than the one they arrived at"),
        "{stderr}"
    );
    let actuals = json(&dir.join("f/actuals.json"));
    let run = json(&dir.join("r/summary.json"));
    for path in [
        &["conversations", "transferred"][..],
        &["queues", "b", "transferred_in"],
        &["queues", "a", "transferred_in"],
        &["queues", "a", "answered"],
        &["queues", "b", "arrived"],
    ] {
        let at = |v: &serde_json::Value| path.iter().fold(v.clone(), |v, k| v[k].clone());
        assert_eq!(at(&actuals), at(&run), "{path:?}");
    }
    assert_eq!(actuals["conversations"]["transferred"], 4);

    // Moved from a to c, which has no arrivals of its own: not fitted, its handle time left out.
    let chain = "1,0,a,answered,120,60,,,gc-1,gc,1,c\n2,10,a,answered,0,30,,,ga-1,ga,1,\n";
    std::fs::write(dir.join("chain.csv"), format!("{HEADER},ended_in\n{chain}")).unwrap();
    let o = run_in(&dir, &["fit", "chain.csv", "--out", "g"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let fit = json(&dir.join("g/fit.json"));
    assert_eq!(
        fit["queues"]["a"]["handle"]["candidates"]["constant"]["mean_s"],
        30.0
    );
    assert!(fit["queues"].get("c").is_none(), "{fit}");
    assert!(
        text(&o.stderr).contains(
            "the handle times of 1 of them, answered in queues with no arrivals of their own \
             (not in fitted.toml), are left out"
        ),
        "{}",
        text(&o.stderr)
    );
}

/// A log without `ended_in` (as written before, or by a scenario without moves) is read by
/// `fit`, `forecast` and replay as before: `fit` cannot know where a row was answered and fits
/// its handle time to its `queue`; replaying either log reproduces it.
#[test]
fn a_log_without_the_column_is_still_read_by_fit_forecast_and_replay() {
    let dir = with("old", "start = \"2026-03-02T08:00\"", WAITED_OVER);
    let new = log(&dir);
    let old: String = new
        .lines()
        .map(|l| format!("{}\n", l.rsplit_once(',').unwrap().0))
        .collect();
    std::fs::write(dir.join("old.csv"), &old).unwrap();
    std::fs::write(dir.join("new.csv"), &new).unwrap();
    for file in ["old.csv", "new.csv"] {
        let o = run_in(&dir, &["fit", file, "--out", "f"]);
        assert!(o.status.success(), "{file}: {}", text(&o.stderr));
        let best = json(&dir.join("f/fit.json"))["queues"]["a"]["handle"]["best"].clone();
        // Without the column the moved rows' 600 s stay with a, as before.
        assert_eq!(best == "constant", file == "new.csv", "{file}: {best}");
        let o = run_in(&dir, &["forecast", file, "--out", "fc"]);
        assert!(o.status.success(), "{file}: {}", text(&o.stderr));
    }
    // Replayed under the same rules, either history gives the run's own log back.
    let replay = WAITED_OVER
        .replace(
            "arrivals = { times = [\"0s\", \"0s\", \"0s\", \"20m\", \"20m\", \"20m\"] }\n",
            "",
        )
        .replace("arrivals = { times = [\"40m\"] }\n", "");
    for file in ["old.csv", "new.csv"] {
        let sc = format!(
            "[scenario]\nname = \"e\"\nhorizon = \"1h\"\nseed = 1\nreplications = 1\n\
             start = \"2026-03-02T08:00\"\n\n[traffic]\nreplay = \"{file}\"\n{replay}"
        );
        std::fs::write(dir.join("rp.toml"), sc).unwrap();
        let o = run_in(&dir, &["run", "rp.toml", "--out", "rp", "--log", "--quiet"]);
        assert!(o.status.success(), "{file}: {}", text(&o.stderr));
        let again = std::fs::read_to_string(dir.join("rp/conversations.csv")).unwrap();
        assert_eq!(again, new, "{file}");
    }
}

/// Replay checks `ended_in` as it checks `queue`: a name of no queue of the scenario is an
/// error at its line and column, every one listed (before, the column was an attribute nobody
/// had, ignored).
#[test]
fn replay_refuses_an_ended_in_naming_no_queue() {
    let dir = with("bad", "", "");
    let history = format!(
        "{HEADER},ended_in\n1,0,a,answered,30,600,,,gb-1,gb,1,bb\n2,0,a,answered,0,60,,,ga-1,ga,1,\n\
         3,5,a,answered,30,600,,,gb-2,gb,1,x\n"
    );
    std::fs::write(dir.join("h.csv"), history).unwrap();
    let replay = WAITED_OVER
        .replace(
            "arrivals = { times = [\"0s\", \"0s\", \"0s\", \"20m\", \"20m\", \"20m\"] }\n",
            "",
        )
        .replace("arrivals = { times = [\"40m\"] }\n", "");
    let sc = format!(
        "[scenario]\nname = \"e\"\nhorizon = \"1h\"\nseed = 1\nreplications = 1\n\n\
         [traffic]\nreplay = \"h.csv\"\n{replay}"
    );
    std::fs::write(dir.join("e.toml"), sc).unwrap();
    let o = run_in(&dir, &["run", "e.toml", "--out", "r", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    let e = text(&o.stderr);
    for line in [
        "h.csv:2:12: ended_in: unknown queue \"bb\"; expected one of \"a\", \"b\" (did you mean \"b\"?)",
        "h.csv:4:12: ended_in: unknown queue \"x\"",
    ] {
        assert!(e.contains(line), "{line:?} not in {e}");
    }
}
