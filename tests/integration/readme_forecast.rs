//! README's "The week after the data" block is the programs' real output: the `$ ` lines are
//! the commands (checked against the ones run here), every other line but `…` is a line of
//! their output, in order; the scenario's data file is the forecast these commands write
//! (`scripts/readme-forecast-week.sh` regenerates both). The test staffs the whole week
//! (145 intervals, about 52 s of CPU in the test profile; the roster with `--shifts` is not in
//! the block, see the script).

use std::path::Path;
use std::process::Command;

const FORECAST: &str = "$ omnisim forecast scenarios/data/bank-calls.csv --horizon 1w";
const STAFF: &str =
    "$ omnisim staff scenarios/bank-forecast-week.toml --target \"service_level.fraction>=0.8\"";

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
        "--out",
        dir.join("staff").to_str().unwrap(),
    ]);
    let mut lines = stdout.lines();
    for want in block.iter().filter(|l| **l != "…" && !l.starts_with("$ ")) {
        assert!(
            lines.any(|got| got == *want),
            "README line not in the output (in order): {want:?}\n--- output ---\n{stdout}"
        );
    }
}
