//! Issue 25, fifth pass (a fresh tester's findings): a subprocess engine runs in a process
//! group of its own and is killed with it (stop, timeout, drop), so an engine started by an
//! ordinary wrapper script (not `exec`) is not left running, reparented to PID 1.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use omnisim::service::client::{Client, EngineSpec};

use crate::signals::{temp_dir, wait_at_most};

pub(crate) fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn omnisim")
}

/// Sends `signal` after `after` (the child must still run), and returns its exit code, stderr
/// and the seconds it took to end (at most 10 s).
pub(crate) fn signal_after(
    mut child: Child,
    after: Duration,
    signal: &str,
) -> (Option<i32>, String, f64) {
    std::thread::sleep(after);
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "the command ended before the signal"
    );
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("run kill")
        .success();
    assert!(sent, "kill {signal} failed");
    let t = Instant::now();
    let status = wait_at_most(&mut child, Duration::from_secs(10));
    let secs = t.elapsed().as_secs_f64();
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    (status.code(), err, secs)
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

/// Whether process `pid` still lives (a zombie does not count).
pub(crate) fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            let state = s.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z')
        })
        .unwrap_or(false)
}

/// Both processes of [`wrapper_engine`] are gone (within half a second: the kill is sent
/// before the command exits, the grandchild's reaping is its new parent's).
pub(crate) fn assert_both_gone(what: &str, pids: [&Path; 2]) {
    for p in pids {
        let pid = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{what}: {e}"));
        let until = Instant::now() + Duration::from_millis(500);
        while alive(pid.trim()) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        if alive(pid.trim()) {
            // Killed here so that a failing test neither leaves it nor waits on the pipes it
            // holds (its standard error is the command's).
            let _ = Command::new("kill").args(["-KILL", pid.trim()]).status();
            panic!(
                "{what}: process {} ({}) was left running",
                pid.trim(),
                p.display()
            );
        }
    }
}

/// Found by a fresh tester: `conform --engine "cmd:./wrap.sh"` killed the wrapper on SIGINT
/// and left its child, the engine, running under PID 1. Now the whole group goes.
#[test]
fn conform_kills_an_engine_started_by_a_wrapper_script() {
    let dir = temp_dir("engine-conform-group");
    let (engine, wrap, inner) = wrapper_engine(&dir);
    let out = dir.join("out");
    let child = spawn(&[
        "conform",
        "--engine",
        &engine,
        "--out",
        out.to_str().unwrap(),
    ]);
    let (code, err, _) = signal_after(child, Duration::from_millis(1500), "-INT");
    assert_eq!(code, Some(130), "{err}");
    assert_both_gone("conform", [&wrap, &inner]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Dropping a client whose engine lingers (it does not end on end of input) kills the whole
/// group within about a second, the wrapper's child included.
#[test]
fn dropping_the_client_kills_the_engines_whole_group() {
    let dir = temp_dir("engine-drop-group");
    let (engine, wrap, inner) = wrapper_engine(&dir);
    let spec = EngineSpec::parse(&engine).unwrap();
    let client = Client::start(&spec, Duration::from_secs(5)).expect("the wrapper starts");
    let until = Instant::now() + Duration::from_secs(5);
    let written = |p: &Path| std::fs::read_to_string(p).is_ok_and(|s| s.ends_with('\n'));
    while !(written(&inner) && written(&wrap)) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let t = Instant::now();
    drop(client);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_both_gone("drop", [&wrap, &inner]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends `signal` twice, back to back (one `sh`, two `kill`s: well inside the client's 50 ms
/// look at the stop flag), and returns the exit code (the command must end within 10 s). Its
/// standard error is read only once the engine is known gone ([`stderr`]): a survivor holds
/// the pipe open.
fn signal_twice(child: &mut Child, signal: &str) -> Option<i32> {
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "the command ended before the signals"
    );
    let sent = Command::new("sh")
        .args(["-c", &format!("kill {signal} $0 && kill {signal} $0")])
        .arg(child.id().to_string())
        .status()
        .expect("run sh")
        .success();
    assert!(sent, "kill {signal} failed");
    wait_at_most(child, Duration::from_secs(10)).code()
}

/// What the ended `child` wrote to standard error.
fn stderr(child: &mut Child) -> String {
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    err
}

/// Issue 25 (left open by the fifth and sixth passes): a second signal ends omnisim at once,
/// with no destructor run, so an engine whose group the first signal had not yet got killed
/// (the client looks at the stop flag every 50 ms) outlived it. Now the second signal's handler
/// kills every engine group still running before omnisim exits.
#[test]
fn a_second_signal_while_waiting_for_an_engine_kills_its_group() {
    let dir = temp_dir("engine-second-signal");
    let sc = dir.join("mmc.toml");
    std::fs::write(&sc, crate::mmc::scenario("mmc-second", "1h", "0s", 1)).unwrap();
    let (engine, wrap, inner) = wrapper_engine(&dir);
    for (cmd, signal) in [("run", "-INT"), ("conform", "-TERM")] {
        let _ = std::fs::remove_file(&wrap);
        let _ = std::fs::remove_file(&inner);
        let out = dir.join(cmd);
        let mut args = vec![cmd];
        if cmd == "run" {
            args.push(sc.to_str().unwrap());
        }
        args.extend(["--engine", &engine, "--out", out.to_str().unwrap()]);
        let mut child = spawn(&args);
        wait_for_pids(&[&wrap, &inner]);
        std::thread::sleep(Duration::from_millis(300));
        let code = signal_twice(&mut child, signal);
        assert_both_gone(cmd, [&wrap, &inner]);
        assert_eq!(code, Some(130), "{cmd}: {}", stderr(&mut child));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits (at most 10 s) until every file in `pids` holds a whole line.
fn wait_for_pids(pids: &[&Path]) {
    let until = Instant::now() + Duration::from_secs(10);
    let written = |p: &Path| std::fs::read_to_string(p).is_ok_and(|s| s.ends_with('\n'));
    while !pids.iter().all(|p| written(p)) {
        assert!(Instant::now() < until, "the engine never wrote its pids");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The wait the task names: a run on a real engine (`omnisim serve --stdio` behind a wrapper
/// script that, once the engine has exited, starts a child that stays) ends, and omnisim gives
/// the wrapper a second to exit after closing its input. Two signals in that second ended
/// omnisim (the first was not looked at, the second exited at once) and left the wrapper and
/// its child running; now the group goes.
#[test]
fn a_second_signal_while_an_engine_is_given_time_to_exit_kills_its_group() {
    let dir = temp_dir("engine-exit-wait");
    let sc = dir.join("mmc.toml");
    std::fs::write(&sc, crate::mmc::scenario("mmc-exit-wait", "10m", "0s", 1)).unwrap();
    let script = dir.join("linger.sh");
    let (wrap, inner) = (dir.join("wrap.pid"), dir.join("engine.pid"));
    std::fs::write(
        &script,
        format!(
            "echo $$ > {}\n{} serve {} --stdio\nsleep 1000 &\necho $! > {}\nwait\n",
            wrap.display(),
            env!("CARGO_BIN_EXE_omnisim"),
            sc.display(),
            inner.display()
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let mut child = spawn(&[
        "run",
        sc.to_str().unwrap(),
        "--engine",
        &format!("cmd:sh {}", script.display()),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    // The lingering child is started once the engine has exited at end of input: omnisim is
    // then in its second of waiting.
    wait_for_pids(&[&wrap, &inner]);
    let code = signal_twice(&mut child, "-INT");
    assert_both_gone("run", [&wrap, &inner]);
    assert_eq!(code, Some(130), "{}", stderr(&mut child));
    let _ = std::fs::remove_dir_all(&dir);
}
