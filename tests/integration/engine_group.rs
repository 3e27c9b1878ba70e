//! Issue 25, fifth pass (a fresh tester's findings): a subprocess engine runs in a process
//! group of its own and is killed with it (stop, timeout, drop), so an engine started by an
//! ordinary wrapper script (not `exec`) is not left running, reparented to PID 1.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use omnisim::service::client::{Client, EngineSpec};

use crate::procs::{
    assert_gone, signal_once, spawn, stderr, temp_dir, wait_ended, wrapper_engine, written,
    HANG_GUARD,
};

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
    // Once the wrapper and its engine are up (their pid files), not after a fixed sleep.
    let (code, err) = signal_once(child, || written(&wrap) && written(&inner), "-INT");
    assert_eq!(code, Some(130), "{err}");
    assert_gone("conform", &[&wrap, &inner]);
}

/// Dropping a client whose engine lingers (it does not end on end of input) kills the whole
/// group, the wrapper's child included, and does not wait for the engine to end by itself:
/// the engine sleeps 1,000 s, so a drop that waited for it would outlast the hang guard (no
/// wall-clock bound on the drop: it was 3 s, failed on a loaded machine).
#[test]
fn dropping_the_client_kills_the_engines_whole_group() {
    let dir = temp_dir("engine-drop-group");
    let (engine, wrap, inner) = wrapper_engine(&dir);
    let spec = EngineSpec::parse(&engine).unwrap();
    let client = Client::start(&spec, Duration::from_secs(5)).expect("the wrapper starts");
    wait_for_pids(&[&inner, &wrap]);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(client);
        let _ = tx.send(());
    });
    assert!(
        rx.recv_timeout(HANG_GUARD).is_ok(),
        "hung: dropping the client waited {HANG_GUARD:?} for its engine to end"
    );
    assert_gone("drop", &[&wrap, &inner]);
}

/// Sends `signal` twice, back to back (one `sh`, two `kill`s: well inside the client's 50 ms
/// look at the stop flag), and returns the exit code (the command must end within the hang
/// guard). Its
/// standard error is read only once the engine is known gone ([`stderr`](crate::procs::stderr)): a survivor holds
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
    wait_ended(child).code()
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
        assert_gone(cmd, &[&wrap, &inner]);
        assert_eq!(code, Some(130), "{cmd}: {}", stderr(&mut child));
    }
}

/// Waits until every file in `pids` holds a whole line; fails with "hung" after the hang
/// guard.
fn wait_for_pids(pids: &[&Path]) {
    let until = Instant::now() + HANG_GUARD;
    while !pids.iter().all(|p| written(p)) {
        assert!(
            Instant::now() < until,
            "hung: the engine never wrote its pids"
        );
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
    assert_gone("run", &[&wrap, &inner]);
    assert_eq!(code, Some(130), "{}", stderr(&mut child));
}
