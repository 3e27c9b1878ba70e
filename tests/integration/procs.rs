//! Shared helpers of the tests that run the omnisim binary and signal it (`signals*`,
//! `engine_group`, `stale_outputs`, `interrupt_writes`): start it, send a signal after a delay,
//! wait with a generous bound, read its stderr and its JSON outputs, and the test engines a
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

/// Waits at most `limit` for the child to exit; kills it and fails if it does not.
pub(crate) fn wait_at_most(child: &mut Child, limit: Duration) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running {limit:?} after the signal");
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

/// Sends `signal` to the child after `after`, and returns its exit code, stderr and the
/// seconds it took to end (at most 10 s: a generous bound); `None` when it ended before.
pub(crate) fn try_signal_after(
    mut child: Child,
    after: Duration,
    signal: &str,
) -> Option<(Option<i32>, String, f64)> {
    std::thread::sleep(after);
    if child.try_wait().expect("try_wait").is_some() {
        return None;
    }
    kill(signal, child.id());
    let t = Instant::now();
    let status = wait_at_most(&mut child, Duration::from_secs(10));
    let secs = t.elapsed().as_secs_f64();
    Some((status.code(), stderr(&mut child), secs))
}

/// As [`try_signal_after`]; the child must still run at the signal.
pub(crate) fn signal_after(
    child: Child,
    after: Duration,
    signal: &str,
) -> (Option<i32>, String, f64) {
    try_signal_after(child, after, signal).expect("the command ended before the signal")
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

/// Every process whose id is in one of `pids` (files an engine script wrote) is gone, within
/// half a second (the kill is sent before the command exits; a grandchild's reaping is its new
/// parent's). A survivor is killed before the test fails, so that a failing test neither
/// leaves it nor waits on the pipes it holds (its standard error is the command's).
pub(crate) fn assert_gone(what: &str, pids: &[&Path]) {
    for p in pids {
        let pid = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{what}: {e}"));
        let until = Instant::now() + Duration::from_millis(500);
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
