//! Shared helpers of the tests that run the omnisim binary and signal it (`signals*`,
//! `engine_group`, `stale_outputs`, `interrupt_writes`): start it with a work log, send a
//! signal once the log shows the work under way, wait with a hang guard, count the work done
//! after the signal, read its stderr and its JSON outputs, and the test engines a
//! subprocess client starts (a wrapper script, a silent one) with the checks that they are gone.
//! Also [`TempDir`], the temporary folder every integration test that writes files uses.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A test's temporary folder, `omnisim-NAME-PID` in the system's temporary folder, removed
/// with everything in it when the guard is dropped: at the end of a test that passed. A test
/// that fails (its thread panicking) keeps it for a look, and its path is printed. Derefs to
/// its `Path`.
#[derive(Debug)]
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    /// A fresh, empty folder (an older one of the name is removed first).
    pub(crate) fn new(name: &str) -> TempDir {
        let d = TempDir::unmade(name);
        std::fs::create_dir_all(&d.0).expect("temp dir");
        d
    }

    /// The folder's name, nothing there yet (an older one is removed): for a command that
    /// creates its own output folder.
    pub(crate) fn unmade(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("omnisim-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the failed test's files are kept in {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A fresh, empty folder for one test: `omnisim-signal-TAG-PID` ([`TempDir`]).
pub(crate) fn temp_dir(tag: &str) -> TempDir {
    TempDir::new(&format!("signal-{tag}"))
}

/// `omnisim` as a command to build on.
pub(crate) fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_omnisim"))
}

/// Runs `omnisim ARGS…` in `dir` to its end, its output captured.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run omnisim")
}

/// As [`run_in`]: its exit code (`None` when a signal ended it) and stderr.
pub(crate) fn code_and_stderr(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = run_in(dir, args);
    (o.status.code(), text(&o.stderr))
}

/// Bytes a command printed, as text (invalid UTF-8 replaced).
pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Starts `omnisim ARGS…` with its output discarded and stderr kept.
pub(crate) fn spawn(args: &[&str]) -> Child {
    bin()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn omnisim")
}

/// Sends `signal` (`-INT`, `-TERM`, …) to process `pid` with `kill`; fails the test if it
/// cannot.
pub(crate) fn kill(signal: &str, pid: u32) {
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill {signal} failed");
}

/// How long a test waits for a command to end before it calls it hung, kills it and fails: a
/// guard against a hang in CI, never the assertion (issue 25: bounds of 5–10 s after a signal
/// failed at load averages of 15–19 on two shared cores). What a prompt stop means is checked
/// by counting the work done after the signal ([`WorkLog`]).
pub(crate) const HANG_GUARD: Duration = Duration::from_secs(300);

/// Waits for the child to exit; kills it and fails with "hung" after [`HANG_GUARD`].
pub(crate) fn wait_ended(child: &mut Child) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hung: still running {HANG_GUARD:?} on (killed)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What the ended `child` wrote to standard error.
pub(crate) fn stderr(child: &mut Child) -> String {
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    err
}

/// The work log of one command (`OMNISIM_TEST_WORK_LOG`, `src/worklog.rs`): a line per unit
/// of work (`started`, `rows`, `build`, `point`, `rep`, `events`, `request`, `load`) and
/// `signal` at the first stop signal. A test waits for a unit before it signals (not a fixed
/// sleep, racy on a loaded machine) and counts the units after the signal: a prompt stop does
/// at most the unit under way on each thread. The file is removed when the guard is dropped.
#[derive(Debug)]
pub(crate) struct WorkLog(PathBuf);

impl WorkLog {
    /// A fresh log file in the system's temporary folder, unique to this test process.
    pub(crate) fn new() -> WorkLog {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("omnisim-work-{}-{k}.log", std::process::id()));
        let _ = std::fs::remove_file(&path);
        WorkLog(path)
    }

    /// The log's lines so far (none before the command opened it).
    pub(crate) fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.0)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Lines of `unit` so far.
    pub(crate) fn count(&self, unit: &str) -> usize {
        self.lines().iter().filter(|l| *l == unit).count()
    }

    /// Lines of `unit` after the `signal` line; fails if the command never noted the signal
    /// (its handler was not registered, or the hook is gone).
    pub(crate) fn after_signal(&self, unit: &str) -> usize {
        let lines = self.lines();
        let at = lines
            .iter()
            .position(|l| l == "signal")
            .unwrap_or_else(|| panic!("no signal line in the work log: {lines:?}"));
        lines[at + 1..].iter().filter(|l| *l == unit).count()
    }

    /// At most `most` lines of each `(unit, most)` after the signal: what "it stopped at once"
    /// stands for, counted in work rather than seconds. `what` names the command.
    pub(crate) fn assert_stopped_within(&self, what: &str, bounds: &[(&str, usize)]) {
        for &(unit, most) in bounds {
            let n = self.after_signal(unit);
            assert!(
                n <= most,
                "{what}: {n} `{unit}` units of work after the signal (at most {most}): it went \
                 on working; units before it: {}",
                self.lines()
                    .iter()
                    .take_while(|l| *l != "signal")
                    .filter(|l| *l == unit)
                    .count()
            );
        }
    }

    /// Waits until the log holds at least `n` lines of `unit` (a sign the work under test has
    /// started); `false` when the child ended first. Fails with "hung" after [`HANG_GUARD`].
    pub(crate) fn wait_for(&self, child: &mut Child, unit: &str, n: usize) -> bool {
        let start = Instant::now();
        loop {
            if self.count(unit) >= n {
                return true;
            }
            if child.try_wait().expect("try_wait").is_some() {
                return false;
            }
            if start.elapsed() > HANG_GUARD {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "hung: no `{unit}` line {n} in {HANG_GUARD:?}: {:?}",
                    self.lines()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Sets the log's variable on `cmd`.
    pub(crate) fn on(&self, cmd: &mut Command) {
        cmd.env("OMNISIM_TEST_WORK_LOG", &self.0);
    }
}

impl Drop for WorkLog {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the work log is kept in {}", self.0.display());
        } else {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

/// This thread's CPU time in seconds: the work done, whatever else the machine runs (a
/// bound on work for a scaling test, where a wall-clock one fails on a loaded machine).
pub(crate) fn thread_cpu_s() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime");
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// The threads a command runs replications (or points) on: the machine's (rayon's default).
pub(crate) fn threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// Blocks of 4,096 events (`events` lines) a stopped simulation may still run after the
/// signal: the event loop reads the stop flag at least every 4,096 events, so a block or two on
/// each thread, twice over for room. One that ignores the signal (or reads the flag far less
/// often) runs thousands.
pub(crate) fn events_after() -> usize {
    2 * threads().max(2)
}

/// 10,000-row chunks of a CSV file (`rows` lines) a command may still read after the signal:
/// its reading thread goes on until the watcher (every 25 ms) ends the process, a chunk or
/// two, with room for a loaded machine. One that read on did the rest of the file.
pub(crate) const ROWS_AFTER: usize = 8;

/// As [`spawn`], with a fresh [`WorkLog`].
pub(crate) fn spawn_logged(args: &[&str]) -> (Child, WorkLog) {
    spawn_logged_in(None, args)
}

/// As [`spawn_logged`], run in `dir` when given.
pub(crate) fn spawn_logged_in(dir: Option<&Path>, args: &[&str]) -> (Child, WorkLog) {
    let log = WorkLog::new();
    let mut cmd = bin();
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    log.on(&mut cmd);
    (cmd.spawn().expect("spawn omnisim"), log)
}

/// Once `log` holds `n` lines of `unit`, sends `signal` to the child and returns its exit
/// code and stderr once it ended ([`wait_ended`]); `None` when it ended before.
pub(crate) fn try_signal_when(
    mut child: Child,
    log: &WorkLog,
    (unit, n): (&str, usize),
    signal: &str,
) -> Option<(Option<i32>, String)> {
    if !log.wait_for(&mut child, unit, n) {
        return None;
    }
    kill(signal, child.id());
    let status = wait_ended(&mut child);
    Some((status.code(), stderr(&mut child)))
}

/// Once `ready()` holds (a sign the work under test is under way: files an engine wrote),
/// sends `signal` to the child and returns its exit code and stderr once it ended. Fails if
/// the child ends first, and with "hung" after [`HANG_GUARD`].
pub(crate) fn signal_once(
    mut child: Child,
    ready: impl Fn() -> bool,
    signal: &str,
) -> (Option<i32>, String) {
    let start = Instant::now();
    while !ready() {
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!(
                "ended before the signal ({status:?}): {}",
                stderr(&mut child)
            );
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hung: never ready for the signal in {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    kill(signal, child.id());
    let status = wait_ended(&mut child);
    (status.code(), stderr(&mut child))
}

/// Whether `path` holds a whole line (a pid file an engine script wrote).
pub(crate) fn written(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|s| s.ends_with('\n'))
}

/// As [`try_signal_when`]; the child must still run at the signal.
pub(crate) fn signal_when(
    child: Child,
    log: &WorkLog,
    at: (&str, usize),
    signal: &str,
) -> (Option<i32>, String) {
    try_signal_when(child, log, at, signal).unwrap_or_else(|| {
        panic!(
            "the command ended before the signal (before `{}` {}): {:?}",
            at.0,
            at.1,
            log.lines()
        )
    })
}

/// A JSON output file, parsed.
pub(crate) fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("parses")
}

/// The folder's file names, sorted (none when it does not exist).
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// No temporary file anywhere under `dir`.
pub(crate) fn no_temporaries(dir: &Path) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let e = e.expect("entry");
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp"), "temporary file left: {name}");
        if e.path().is_dir() {
            no_temporaries(&e.path());
        }
    }
}

/// An ordinary wrapper script as the engine: it starts the "engine" (`sleep`, which never
/// answers) as its child, not with `exec`, and writes both process ids. Answers the spec and
/// the two pid files (wrapper, engine).
pub(crate) fn wrapper_engine(dir: &Path) -> (String, PathBuf, PathBuf) {
    let script = dir.join("wrap.sh");
    let (wrap, engine) = (dir.join("wrap.pid"), dir.join("engine.pid"));
    std::fs::write(
        &script,
        format!(
            "echo $$ > {}\nsleep 1000 &\necho $! > {}\nwait\n",
            wrap.display(),
            engine.display()
        ),
    )
    .unwrap();
    (format!("cmd:sh {}", script.display()), wrap, engine)
}

/// A `sh` engine that writes its process id to the file answered beside its spec, then never
/// answers (`exec sleep`: one process).
pub(crate) fn silent_engine(dir: &Path) -> (String, PathBuf) {
    let script = dir.join("silent.sh");
    let pid = dir.join("engine.pid");
    std::fs::write(
        &script,
        format!("echo $$ > {}\nexec sleep 1000\n", pid.display()),
    )
    .unwrap();
    (format!("cmd:sh {}", script.display()), pid)
}

/// Whether process `pid` still lives (a zombie does not count).
pub(crate) fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            let state = s.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z')
        })
        .unwrap_or(false)
}

/// How long [`assert_gone`] waits for a killed engine process to be gone: the kill is sent
/// before the command exits, and a killed process needs only to be scheduled to die; a leaked
/// one (the test engines sleep 1,000 s) is still there. Generous for a loaded machine: the
/// fault is a process left running, not a slow death.
const GONE_GUARD: Duration = Duration::from_secs(60);

/// Every process whose id is in one of `pids` (files an engine script wrote) is gone within
/// [`GONE_GUARD`] (the kill is sent before the command exits; a grandchild's reaping is its
/// new parent's). A survivor is killed before the test fails, so that a failing test neither
/// leaves it nor waits on the pipes it holds (its standard error is the command's).
pub(crate) fn assert_gone(what: &str, pids: &[&Path]) {
    for p in pids {
        let pid = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{what}: {e}"));
        let until = Instant::now() + GONE_GUARD;
        while alive(pid.trim()) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        if alive(pid.trim()) {
            let _ = Command::new("kill").args(["-KILL", pid.trim()]).status();
            panic!(
                "{what}: process {} ({}) was left running",
                pid.trim(),
                p.display()
            );
        }
    }
}

/// The guard removes its folder at the end of a test that passed, and keeps it (printing its
/// path) when the test fails: ~1,000 `omnisim-*` folders of earlier runs were left in /tmp.
#[test]
fn a_temp_dir_is_removed_unless_its_test_fails() {
    let d = TempDir::new("guard-passed");
    std::fs::write(d.join("f.txt"), "x").unwrap();
    let path = d.to_path_buf();
    drop(d);
    assert!(!path.exists(), "{} was left", path.display());
    let kept = std::thread::spawn(|| {
        let d = TempDir::new("guard-failed");
        let path = d.to_path_buf();
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _d = d;
            panic!("a failing test (on purpose)");
        }));
        path
    })
    .join()
    .unwrap();
    assert!(kept.exists(), "a failed test's folder is kept");
    std::fs::remove_dir_all(&kept).unwrap();
}

/// A CSV's rows (no quoted cells: omnisim's own number tables, `staffing.csv`, `sweep.csv`),
/// each a map from column name to cell.
pub(crate) fn csv_rows(csv: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    lines
        .map(|l| {
            head.iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}
