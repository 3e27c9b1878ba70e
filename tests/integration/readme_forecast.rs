//! README's "The week after the data" block is the programs' real output: the `$ ` lines are
//! the commands (checked against the ones run here), every other line but `…` is a line of
//! their output, in order (the roster check's " · wrote …" path left out); the scenario's data
//! file is the forecast these commands write (`scripts/readme-forecast-week.sh` regenerates
//! both). The test forecasts with the 20-day backtest, staffs the whole week (145 intervals)
//! and rosters it with its check run (128 replications each; about 70 s of CPU in release).

use std::path::Path;
use std::process::Command;

const FORECAST: &str =
    "$ omnisim forecast scenarios/data/bank-calls.csv --horizon 1w --backtest 20";
const STAFF: &str = "$ omnisim staff scenarios/bank-forecast-week.toml --target \
                     \"service_level.fraction>=0.8\" --shifts scenarios/shifts/bank.toml \
                     --shrinkage 30%";

#[test]
fn readme_forecast_week_block_is_the_programs_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("<!-- readme-forecast-week:")
        .expect("README has the readme-forecast-week block");
    let body = &readme[start..];
    let open = body.find("```text\n").unwrap() + "```text\n".len();
    let close = open + body[open..].find("```").unwrap();
    let block: Vec<&str> = body[open..close].lines().collect();
    let commands: Vec<&str> = block
        .iter()
        .copied()
        .filter(|l| l.starts_with("$ "))
        .collect();
    assert_eq!(commands, [FORECAST, STAFF], "the block's commands changed");
    for part in [
        "level-profile ",
        "roster: ",
        "roster check ",
        "roster check overall: ",
    ] {
        assert!(
            block.iter().any(|l| l.starts_with(part)),
            "the block shows {part:?}"
        );
    }

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-forecast-week");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
            .current_dir(root)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let fc_dir = dir.join("forecast");
    let mut stdout = run(&[
        "forecast",
        "scenarios/data/bank-calls.csv",
        "--horizon",
        "1w",
        "--backtest",
        "20",
        "--out",
        fc_dir.to_str().unwrap(),
    ]);
    // The scenario reads exactly what the command writes.
    assert_eq!(
        std::fs::read_to_string(fc_dir.join("forecast.csv")).unwrap(),
        std::fs::read_to_string(root.join("scenarios/data/bank-forecast-week-2003-10-27.csv"))
            .unwrap(),
        "scenarios/data/bank-forecast-week-2003-10-27.csv is stale: run scripts/readme-forecast-week.sh"
    );
    stdout += &run(&[
        "staff",
        "scenarios/bank-forecast-week.toml",
        "--target",
        "service_level.fraction>=0.8",
        "--shifts",
        "scenarios/shifts/bank.toml",
        "--shrinkage",
        "30%",
        "--out",
        dir.join("staff").to_str().unwrap(),
    ]);
    let mut lines = stdout
        .lines()
        .map(|l| l.split(" · wrote ").next().unwrap_or(l));
    for want in block.iter().filter(|l| **l != "…" && !l.starts_with("$ ")) {
        assert!(
            lines.any(|got| got == *want),
            "README line not in the output (in order): {want:?}\n--- output ---\n{stdout}"
        );
    }
}

/// README's `readme-forecast-day` block: the first lines of `omnisim run
/// scenarios/bank-forecast-day.toml`, whose data file is what `omnisim forecast` writes for the
/// day after the series (its 21:00 row 5 minutes long: the run's arrivals end at 21:05, so it
/// simulates 14h 32m with the drain, where a 30-minute tail ran to 21:30 and beyond).
#[test]
fn readme_forecast_day_block_is_the_programs_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("<!-- readme-forecast-day:")
        .expect("README has the readme-forecast-day block");
    let body = &readme[start..];
    let open = body.find("```text\n").unwrap() + "```text\n".len();
    let close = open + body[open..].find("```").unwrap();
    let block = &body[open..close];
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-forecast-day");
    let _ = std::fs::remove_dir_all(&dir);
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
            .current_dir(root)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let fc = dir.join("forecast");
    run(&[
        "forecast",
        "scenarios/data/bank-calls.csv",
        "--quiet",
        "--out",
        fc.to_str().unwrap(),
    ]);
    let written = std::fs::read_to_string(fc.join("forecast.csv")).unwrap();
    assert_eq!(
        written,
        std::fs::read_to_string(root.join("scenarios/data/bank-forecast-2003-10-27.csv")).unwrap(),
        "scenarios/data/bank-forecast-2003-10-27.csv is stale: run scripts/readme-forecast-week.sh"
    );
    assert!(written.trim_end().ends_with(",5m"), "the 21:05 tail");
    let out = run(&[
        "run",
        "scenarios/bank-forecast-day.toml",
        "--out",
        dir.join("run").to_str().unwrap(),
    ]);
    let head: String = out.lines().take(6).map(|l| format!("{l}\n")).collect();
    assert_eq!(block, head, "README's readme-forecast-day block");
    assert!(block.contains("14h 32m simulated"), "{block}");
}
