//! Issue 25/27, a fresh tester's findings on `load`, `serve` and the engine protocol under
//! faults (reports/tester14-fixh.md): `load --engine` counted commands the engine never
//! answered as applied; `run --engine` refused answers with unknown fields or effect types that
//! `conform` passes, with serde's words for a bad answer; `serve --stdio` ignored the first
//! signal while waiting for a line; a batch of any command count was read whole.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;

use crate::procs::{bin, json, signal_once, spawn, stderr, temp_dir, text, wait_ended};

/// ci-smoke, two replications: small and quick over a JSON-lines engine.
fn small_scenario(dir: &Path) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/ci-smoke.toml"
    ))
    .unwrap()
    .replace("replications = 30", "replications = 2");
    let p = dir.join("smoke.toml");
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// A bash engine in front of `omnisim serve SC --stdio`: each request line is forwarded and
/// logged to `log`, each answer to a `commands` line passed through `edit` (bash statements on
/// `$ans`), and after `stall_after` lines it stops answering.
fn proxy(dir: &Path, sc: &str, edit: &str, stall_after: u32) -> (String, std::path::PathBuf) {
    let log = dir.join("forwarded.log");
    let script = dir.join("proxy.sh");
    std::fs::write(
        &script,
        format!(
            "coproc E {{ exec {bin} serve {sc} --stdio; }}\nn=0\n\
             while IFS= read -r line; do n=$((n+1)); \
             if [ $n -gt {stall_after} ]; then exec sleep 1000; fi\n\
             printf '%s\\n' \"$line\" >> {log}; printf '%s\\n' \"$line\" >&\"${{E[1]}}\"; \
             IFS= read -r ans <&\"${{E[0]}}\" || exit 1\n\
             case \"$ans\" in *'\"results\"'*) {edit} ;; esac\n\
             printf '%s\\n' \"$ans\"; done\n",
            bin = env!("CARGO_BIN_EXE_omnisim"),
            log = log.display(),
        ),
    )
    .unwrap();
    (format!("cmd:bash {}", script.display()), log)
}

/// Found by the tester: with the engine stopped (SIGSTOP, or a proxy that stops answering)
/// and `load --engine` then interrupted, load.json counted 11,839 commands and 9,001 applied
/// arrivals while the engine had received 6,303 commands: the commands answered locally after
/// the stop counted as applied. Now a command counts as applied only when the engine's answer
/// arrived: applied arrivals are exactly those the engine answered, the rest are unapplied,
/// and `remote.unanswered` counts the batch sent but never answered.
#[test]
fn load_on_an_engine_that_stops_answering_counts_only_answered_commands() {
    let dir = temp_dir("fixh-unanswered");
    let sc = small_scenario(&dir);
    let (engine, log) = proxy(&dir, &sc, ":", 60);
    let out = dir.join("load");
    let child = spawn(&[
        "load",
        &sc,
        "--rate",
        "400",
        "--duration",
        "20s",
        "--engine",
        &engine,
        "--out",
        out.to_str().unwrap(),
    ]);
    // Once the proxy has forwarded its 60 lines and stalls (not after a fixed 3 s).
    let forwarded_all = || std::fs::read_to_string(&log).is_ok_and(|f| f.lines().count() >= 60);
    let (code, err) = signal_once(child, forwarded_all, "-TERM");
    assert_eq!(code, Some(130), "{err}");
    let l = json(&out.join("load.json"));
    let forwarded = std::fs::read_to_string(&log).unwrap();
    let sent_arrivals = forwarded.matches("\"arrive\"").count() as u64;
    assert!(sent_arrivals > 0, "{forwarded}");
    assert_eq!(
        l["by_command"]["arrive"]["count"], sent_arrivals,
        "applied arrivals are the ones the engine answered: {l}"
    );
    assert_eq!(l["partial"], true, "{l}");
    assert!(l["unapplied"].as_u64().unwrap() > 0, "{l}");
    assert!(l["remote"]["unanswered"].as_u64().unwrap() >= 1, "{l}");
}

/// Found by the tester: an engine adding a field to every effect and an effect of an unknown
/// type passed `conform` but `run --engine` exited 2 "data did not match any variant of
/// untagged enum WireResult", though docs/protocol.md says a client ignores both. Now the run
/// reads them (the unknown effect skipped); a genuinely bad answer names its path.
#[test]
fn run_on_an_engine_with_newer_fields_and_effect_types_reads_them() {
    let dir = temp_dir("fixh-lenient");
    let sc = small_scenario(&dir);
    let edit = "ans=${ans//'\"conv\":'/'\"vendor_extra\":1,\"conv\":'}; \
                ans=${ans//'\"effects\":[{'/'\"effects\":[{\"type\":\"vendor_event\",\"x\":1},{'}";
    let (engine, _) = proxy(&dir, &sc, edit, u32::MAX);
    let out = dir.join("run");
    let o = bin()
        .args(["run", &sc, "--engine", &engine, "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let s = json(&out.join("summary.json"));
    assert!(s["conversations"]["arrived"].as_u64().unwrap() > 0, "{s}");

    let dir = temp_dir("fixh-badanswer");
    let sc = small_scenario(&dir);
    let (engine, _) = proxy(
        &dir,
        &sc,
        "ans=${ans//'\"queue\":0}'/'\"queue\":\"zero\"}'}",
        u32::MAX,
    );
    let o = bin()
        .args(["run", &sc, "--engine", &engine, "--quiet", "--out"])
        .arg(dir.join("run"))
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "results[0].effects[0] (arrived): invalid type: string \"zero\", expected u32"
        ),
        "{err}"
    );
    assert!(!err.contains("untagged"), "{err}");
}

/// Found by the tester: `serve --stdio` waiting for its next line ignored the first SIGINT
/// (still running 3 s later) and stopped only at a second one, with a message about output
/// folders. Now: exit 130 at the first signal, with a message about serve.
#[test]
fn serve_stdio_stops_at_the_first_signal_while_waiting_for_a_line() {
    let dir = temp_dir("fixh-serve-int");
    let sc = small_scenario(&dir);
    let mut child = bin()
        .args(["serve", &sc, "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // One answered line: it is up and waiting for the next.
    let mut input = child.stdin.take().unwrap();
    writeln!(input, "{{\"op\":\"health\"}}").unwrap();
    let mut answer = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut answer)
        .unwrap();
    assert!(answer.contains("\"status\""), "{answer}");
    crate::procs::kill("-INT", child.id());
    let status = wait_ended(&mut child);
    let err = stderr(&mut child);
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("serve --stdio stopped by a signal"), "{err}");
    assert!(!err.contains("tmp~"), "{err}");
    drop(input);
}

/// Found by the tester: a 48 MB batch of 1.5 M arrivals grew `serve` to 2.1 GB (the 64 MiB
/// byte cap does not bound a batch's JSON tree). Now a batch of more than 100,000 commands is
/// refused (413) before it is read, over JSON lines and HTTP alike (one check).
#[test]
fn serve_refuses_a_batch_of_too_many_commands_before_reading_it() {
    let dir = temp_dir("fixh-serve-cap");
    let sc = small_scenario(&dir);
    let mut child = bin()
        .args(["serve", &sc, "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut line = String::from("{\"op\":\"commands\",\"now_ms\":0,\"commands\":[");
    for i in 0..100_001 {
        if i > 0 {
            line.push(',');
        }
        line.push_str("{\"type\":\"arrive\",\"queue\":0}");
    }
    line.push_str("]}\n");
    input.write_all(line.as_bytes()).unwrap();
    let mut answer = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut answer)
        .unwrap();
    assert!(
        answer.contains("a batch holds at most 100000 commands; this one has 100001"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    drop(input);
    let status = wait_ended(&mut child);
    assert_eq!(status.code(), Some(0));
}

/// Found by the tester: `serve` took `"tag":{"req":99,"attrs":99}` on a scenario without skills
/// or attributes (bilingual-support refuses it as a bad tag). Now only the default tag is
/// known there.
#[test]
fn serve_refuses_a_tag_never_interned_on_a_scenario_without_skills() {
    let dir = temp_dir("fixh-serve-tag");
    let sc = small_scenario(&dir);
    let o = bin()
        .args(["serve", &sc, "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            let mut i = c.stdin.take().unwrap();
            writeln!(
                i,
                "{{\"op\":\"commands\",\"now_ms\":0,\"commands\":[{{\"type\":\"arrive\",\"queue\":0,\"tag\":{{\"req\":99,\"attrs\":99}}}}]}}"
            )?;
            writeln!(
                i,
                "{{\"op\":\"commands\",\"now_ms\":0,\"commands\":[{{\"type\":\"arrive\",\"queue\":0,\"tag\":{{\"req\":0,\"attrs\":0}}}}]}}"
            )?;
            drop(i);
            c.wait_with_output()
        })
        .unwrap();
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("\"error\"") && lines[0].contains("commands[0].tag"),
        "{out}"
    );
    assert!(lines[1].contains("\"arrived\""), "{out}");
}

/// Found by the tester: `load` and `serve` told users to "pass --allow-huge" but took no such
/// flag; load.json did not record `--ramp`; ramp stages longer than `--duration` were cut
/// silently; only the first bad stage was named; `--speed inf` read "--speed > 0".
#[test]
fn load_records_its_ramp_and_names_every_bad_flag() {
    let dir = temp_dir("fixh-ramp");
    let sc = small_scenario(&dir);
    let out = dir.join("l");
    let o = bin()
        .args([
            "load",
            &sc,
            "--rate",
            "50",
            "--duration",
            "1s",
            "--drain",
            "1s",
            "--ramp",
            "0.5s:100,1s:200",
            "--allow-huge",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: --ramp's stages last 1.5s in all, longer than --duration"),
        "{err}"
    );
    let l = json(&out.join("load.json"));
    assert_eq!(
        l["ramp"],
        serde_json::json!([
            {"duration_s": 0.5, "rate_per_s": 100.0},
            {"duration_s": 1.0, "rate_per_s": 200.0}
        ]),
        "{l}"
    );
    let o = bin()
        .args([
            "load",
            &sc,
            "--rate",
            "50",
            "--duration",
            "1s",
            "--speed",
            "inf",
            "--ramp",
            "x:1,2s:-1,1s:5",
            "--out",
        ])
        .arg(dir.join("bad"))
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for want in [
        "--speed inf: must be a finite number > 0",
        "ramp stage \"x:1\"",
        "ramp stage \"2s:-1\": the rate must be a finite number ≥ 0",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    let o = bin()
        .args(["serve", &sc, "--stdio", "--allow-huge"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}
