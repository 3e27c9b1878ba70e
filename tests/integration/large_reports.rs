//! Issue 25, ninth pass (large inputs): what a run's reports and `ab`'s replications hold in
//! memory on a center of many roster agents. `run` stopped on a 2,000,000-row roster held
//! every report file whole before writing the first (summary.json alone 420 MB: up to
//! 3.2 GB), and `ab` turned each replication's summary into a JSON tree of every agent group
//! twice over (its `by_replication` element held them again).
//!
//! Memory is counted, not timed: this test binary's allocator keeps, per thread, the bytes
//! allocated and the most held at once ([`peak_during`]), so tests running beside each other
//! do not disturb the figure.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use omnisim::report::{self, Report};
use omnisim::scenario::load_file;
use omnisim::sim::{self, RunOptions, RunOutput};
use omnisim::workflows::ab;

use crate::procs::temp_dir;

/// The system allocator, counting this thread's bytes held and the most held at once.
struct Counting;

thread_local! {
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    /// Bytes allocated so far (growth by `realloc` included), never decreased.
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    let _ = HELD.try_with(|h| {
        let now = h.get() + delta;
        h.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
    if delta > 0 {
        let _ = ALLOCATED.try_with(|a| a.set(a.get() + delta as usize));
    }
}

// SAFETY: every call goes to the system allocator unchanged; the counting touches only
// const-initialised thread-locals without destructors (no allocation, no panic).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        // SAFETY: `ptr` came from `System` with `layout`; the caller's new size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `f`'s result and the most bytes this thread held at once during `f`, beyond what it held
/// before.
pub(crate) fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = HELD.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let out = f();
    let peak = PEAK.with(Cell::get) - start;
    (out, peak.max(0) as usize)
}

/// `f`'s result and the bytes this thread allocated during `f` (freed or not).
fn allocated_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = ALLOCATED.with(Cell::get);
    let out = f();
    (out, ALLOCATED.with(Cell::get) - start)
}

/// `queues` queues and a roster of `agents` agents (each its own agent group, on two
/// queues), plus the groups `extra` (TOML) ; one hour, one replication.
fn center(dir: &Path, queues: usize, agents: usize, extra: &str) {
    let mut toml = String::from(
        "[scenario]\nname = \"wide\"\nhorizon = \"1h\"\nreplications = 1\n\n\
         [[workstreams]]\nname = \"chat\"\nchannel = \"live_chat\"\n\
         handle_time = { dist = \"exponential\", mean = \"5m\" }\n\n",
    );
    for q in 0..queues {
        let _ = write!(
            toml,
            "[[queues]]\nname = \"q{q}\"\nworkstream = \"chat\"\narrivals = {{ rate = \"20/h\" }}\n\n"
        );
    }
    toml.push_str(extra);
    toml.push_str("[traffic]\nroster = \"roster.csv\"\n");
    std::fs::write(dir.join("s.toml"), toml).expect("write s.toml");
    let mut csv = String::from("agent,queues,shift_start,shift_end,capacity\n");
    for i in 0..agents {
        let _ = writeln!(csv, "r{i},q{};q{},0,3600,2", i % queues, (i + 1) % queues);
    }
    std::fs::write(dir.join("roster.csv"), csv).expect("write roster.csv");
}

/// The run's reports are written file by file as they are rendered, not held whole: on a
/// center of 60,000 roster agents stopped before it began (the partial summary a Ctrl-C
/// writes), writing them holds a small part of their size. Before: each of the four files
/// whole at once (more than their total size, 2.5x here).
#[test]
fn a_large_centers_reports_are_written_without_holding_them_whole() {
    let dir = temp_dir("large-reports");
    center(&dir, 50, 60_000, "");
    let sc = load_file(&dir.join("s.toml")).expect("valid");
    let opts = RunOptions {
        stop: Some(Arc::new(AtomicBool::new(true))),
        ..RunOptions::default()
    };
    let out = sim::run_keep(&sc, &opts, &|_, _, _| {}, &|m| report::rep_row(&sc, m));
    let rep = Report::build(&sc, &out);
    assert!(rep.summary.partial);
    let out_dir = dir.join("out");
    let (written, peak) = peak_during(|| report::write_all(&out_dir, &rep));
    let written = written.expect("written");
    let total: u64 = written
        .iter()
        .map(|p| std::fs::metadata(p).expect("written").len())
        .sum();
    // Each file whole, as before, for comparison (not asserted: the figure the bound beats).
    let (_, whole) = peak_during(|| {
        let json = serde_json::to_string_pretty(&rep.summary).expect("json");
        let parts = [
            report::csv::series(&rep).expect("csv"),
            report::csv::agents(&rep).expect("csv"),
            report::html::render(&rep).into_bytes(),
        ];
        (json, parts)
    });
    eprintln!("reports: {total} bytes, held {peak} writing them (whole: {whole})");
    // 12 MB: since `fixb-10` the replication not begun has no `by_replication` row (which
    // held its 60,000 agent groups again: the reports were 16 MB).
    assert!(total > 10_000_000, "the reports are {total} bytes");
    assert!(
        (peak as u64) < total / 4,
        "writing {total} bytes of reports held {peak} bytes at once (whole: {whole})"
    );
    // The same bytes as the whole renderings.
    let summary = std::fs::read_to_string(out_dir.join("summary.json")).expect("read");
    assert_eq!(
        summary,
        serde_json::to_string_pretty(&rep.summary).expect("json") + "\n"
    );
    assert_eq!(
        std::fs::read(out_dir.join("agents.csv")).expect("read"),
        report::csv::agents(&rep).expect("csv")
    );
    assert_eq!(
        std::fs::read_to_string(out_dir.join("report.html")).expect("read"),
        report::html::render(&rep)
    );
    let leftovers: Vec<_> = std::fs::read_dir(&out_dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp~"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `ab` keeps of each replication its metrics' values, read from one summary of it without a
/// JSON tree of every agent group: on 30,000 roster agents a small part of what the summary
/// built and turned into JSON whole holds (measured beside it, as before the change), and
/// the same values, a group name holding a dot included (the longest name wins).
#[test]
fn ab_reads_a_replications_values_without_a_json_copy_of_its_groups() {
    let dir = temp_dir("ab-values");
    let extra = "[[agent_groups]]\nname = \"team\"\ncount = 3\nqueues = [\"q0\"]\n\n\
                 [[agent_groups]]\nname = \"team.x\"\ncount = 2\nqueues = [\"q1\"]\n\n";
    center(&dir, 20, 30_000, extra);
    let sc = load_file(&dir.join("s.toml")).expect("valid");
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    assert!(!out.partial);
    let mut paths: Vec<String> = ab::METRICS.iter().map(|m| m.to_string()).collect();
    for g in &sc.agent_groups {
        for m in ab::GROUP_METRICS {
            paths.push(format!("agent_groups.{}.{m}", g.name));
        }
    }
    paths.push("agent_groups.team.x.conversations".into());
    paths.push("agent_groups.team.busy_s".into());
    paths.push("queues.q3.answered".into());
    paths.push("agent_groups.nobody.busy_s".into());
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (now, peak) = peak_during(|| ab::per_replication(&sc, &out, &refs));
    // Before: the replication's whole summary (its by_replication element holding every
    // group again) turned into JSON.
    let (before, whole) = peak_during(|| {
        let one = RunOutput::of(0, 1, out.reps.clone(), 0.0);
        report::lookup_many(&report::build(&sc, &one), &refs)
    });
    let now: Vec<Option<f64>> = now.into_iter().map(|v| v[0]).collect();
    assert_eq!(now, before);
    let at = |p: &str| now[paths.iter().position(|x| x == p).expect("asked")];
    assert!(at("agent_groups.team.x.conversations").is_some());
    assert!(at("agent_groups.r29999.busy_s").is_some());
    assert_eq!(at("agent_groups.nobody.busy_s"), None);
    let groups = sc.agent_groups.len();
    eprintln!("ab values of {groups} groups: held {peak} (the summary as JSON: {whole})");
    // Since `fixa-14` the reference summary's row no longer repeats its 30,002 groups (more
    // than `MAX_REP_AGENT_GROUPS`): its JSON is the groups once (36.5 MB, the values 18.9 MB),
    // where it held them twice; a JSON copy of every group would hold at least as much.
    assert!(
        peak < whole / 4 * 3,
        "{groups} groups: the values held {peak} bytes at once, the summary as JSON {whole}"
    );
}

/// A wide center (issue 25 leftovers, Ctrl-C taking 2–4 s on 3,000 queues): `queues` queues,
/// 10 agent groups of 5 agents each serving a tenth of them, a conversation every hour per
/// queue, `replications` replications of `horizon`.
fn wide(dir: &Path, queues: usize, replications: u32, horizon: &str) {
    let mut toml = format!(
        "[scenario]\nname = \"wide\"\nhorizon = \"{horizon}\"\nreplications = {replications}\n\n\
         [[workstreams]]\nname = \"chat\"\nchannel = \"live_chat\"\n\
         handle_time = {{ dist = \"exponential\", mean = \"5m\" }}\n\n"
    );
    for q in 0..queues {
        let _ = write!(
            toml,
            "[[queues]]\nname = \"q{q}\"\nworkstream = \"chat\"\narrivals = {{ rate = \"1/h\" }}\n\n"
        );
    }
    for g in 0..10 {
        let served: Vec<String> = (0..queues / 10)
            .map(|k| format!("\"q{}\"", g * (queues / 10) + k))
            .collect();
        let _ = write!(
            toml,
            "[[agent_groups]]\nname = \"g{g}\"\ncount = 5\nqueues = [{}]\n\n",
            served.join(", ")
        );
    }
    std::fs::write(dir.join("s.toml"), toml).expect("write s.toml");
}

/// A stop that reaches every replication of a 1,000-queue run before it begins builds the
/// empty metrics of one of them, not of each: the run allocates about what a one-replication
/// run does. Before, each of the 30 built its recorder (two 16 kB histograms per queue) and
/// folded it into the totals: 30 times the bytes, most of the 2–4 s from a Ctrl-C to the exit
/// on 3,000 queues. Allocation is counted on one thread (a one-thread pool runs the
/// replications on the thread that counts), not timed.
#[test]
fn a_stop_before_the_replications_begin_builds_one_empty_replication_not_each() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let stopped = |replications: u32| {
        let dir = temp_dir(&format!("stop-wide-{replications}"));
        wide(&dir, 1_000, replications, "1h");
        let sc = load_file(&dir.join("s.toml")).expect("valid");
        let opts = RunOptions {
            stop: Some(Arc::new(AtomicBool::new(true))),
            ..RunOptions::default()
        };
        let (out, bytes) =
            pool.install(|| allocated_during(|| sim::run(&sc, &opts, &|_, _, _| {})));
        assert!(out.partial);
        assert_eq!((out.totals.count, out.totals.finished), (replications, 0));
        assert!(out.reps.is_empty());
        // The partial summary counts every replication, none finished.
        let summary = report::build(&sc, &out);
        assert!(summary.partial);
        bytes
    };
    let (one, thirty) = (stopped(1), stopped(30));
    eprintln!("allocated: 1 replication {one} bytes, 30 replications {thirty} bytes");
    assert!(
        thirty < 2 * one,
        "a stop before 30 replications began allocated {thirty} bytes, one {one}"
    );
}

/// Folding a replication into the totals reads none of its empty histograms: on 1,000 queues
/// that waited no conversation (nor was transferred), the second replication's fold allocates
/// almost nothing. Before, each empty histogram was copied into the totals' empty one: two
/// 16 kB copies per queue (32 MB here).
#[test]
fn folding_a_replication_copies_none_of_its_empty_histograms() {
    let dir = temp_dir("fold-wide");
    wide(&dir, 1_000, 2, "1m");
    let sc = load_file(&dir.join("s.toml")).expect("valid");
    let out = sim::run(&sc, &RunOptions::default(), &|_, _, _| {});
    assert_eq!(out.reps.len(), 2);
    let mut totals = sim::RunTotals::default();
    totals.add(&out.reps[0]);
    let ((), bytes) = allocated_during(|| totals.add(&out.reps[1]));
    eprintln!("folding the second replication allocated {bytes} bytes");
    assert!(bytes < 2_000_000, "the fold allocated {bytes} bytes");
    // The same figures as the run's own fold (compared figure by figure: a histogram's
    // layout depends on which replication the run folded first, its counts do not).
    let figures = |t: &sim::RunTotals| -> Vec<(u64, u64, u128, u64, Option<f64>)> {
        std::iter::once(&t.total)
            .chain(&t.queues)
            .map(|q| {
                (
                    q.arrived,
                    q.answered,
                    q.wait_sum_ms,
                    q.wait.len(),
                    q.wait_quantile_s(0.9),
                )
            })
            .collect()
    };
    assert_eq!(figures(&totals), figures(&out.totals));
    assert_eq!(totals.chat.transferred(), out.totals.chat.transferred());
    assert_eq!(totals.count, out.totals.count);
}

/// `serve --stdio` fed a line that never ends (`< /dev/zero`): the over-long line is refused
/// (413) and skipped while holding at most about one line limit, and the session goes on (a
/// fresh tester's find: 7.5 GB in 8 s, the rest of the line was read whole to skip it).
#[test]
fn an_endless_stdio_line_is_skipped_in_bounded_memory() {
    use omnisim::service::{serve_stdio, stdio::MAX_LINE, Session};
    use std::io::{BufReader, Read as _};

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sc = load_file(&root.join("tests/conformance/rules-monitor-assign.toml")).expect("valid");
    let mut session = Session::new(sc);
    let long = std::io::repeat(b'0').take(4 * MAX_LINE as u64);
    let input = BufReader::new(long.chain(&b"\n{\"op\":\"health\"}\n"[..]));
    let mut out = Vec::new();
    let (res, peak) = peak_during(|| serve_stdio(&mut session, input, &mut out));
    res.expect("no I/O error");
    let text = String::from_utf8(out).expect("UTF-8 answers");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "one refusal and one answer: {text}");
    assert!(
        lines[0].contains("at most"),
        "the long line is refused: {}",
        lines[0]
    );
    assert!(
        !lines[1].contains("error"),
        "the session goes on: {}",
        lines[1]
    );
    eprintln!("peak {peak} bytes for a {} byte line", 4 * MAX_LINE);
    // The line buffer itself may double past the limit (2 × MAX_LINE); reading the rest of
    // the line to skip it held 3 × MAX_LINE more (384 MiB here).
    assert!(peak < 3 * MAX_LINE, "held {peak} bytes skipping the line");
}
