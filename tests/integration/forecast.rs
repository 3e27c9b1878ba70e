//! Issue 23, `omnisim forecast`: the backtest on the bundled bank data (164 real weekdays,
//! `scenarios/data/bank-calls.csv`, credited in `scenarios/data/README.md`) beats the best
//! baseline with honest intervals; the forecast file feeds `[traffic] forecast` as it is; bad
//! CSV exits 2 with file:line:column.

use std::path::PathBuf;
use std::process::Command;

fn omnisim(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("omnisim-it-forecast-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The protocol: one day ahead over the last 20 days, 30-minute counts. Measured
/// (docs/forecast.md): level-profile RMSE 97.5, MAPE 4.15%; seasonal naive 142.3 (8.02%); mean
/// of the last 4 same weekdays 102.0 (4.65%), the peer figures to the decimal.
#[test]
fn backtest_on_bank_data_beats_the_best_baseline_with_calibrated_intervals() {
    let dir = out_dir("bt");
    let (code, _, err) = omnisim(&[
        "forecast",
        "scenarios/data/bank-calls.csv",
        "--backtest",
        "20",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("forecast.json")).unwrap()).unwrap();
    let bt = json["queues"][0]["backtest"].as_array().unwrap();
    let rmse = |i: usize| bt[i]["rmse"].as_f64().unwrap();
    assert_eq!(bt[0]["method"], "level-profile");
    assert_eq!(bt[0]["days"], 20);
    // The baselines reproduce the measured peers.
    assert!((rmse(1) - 142.3).abs() < 0.05, "seasonal naive {}", rmse(1));
    assert!((rmse(2) - 102.0).abs() < 0.05, "mean of 4 {}", rmse(2));
    // The target: at most 0.97 × the best peer.
    assert!(
        rmse(0) <= 0.97 * rmse(2),
        "method {} vs {}",
        rmse(0),
        rmse(2)
    );
    let cov = bt[0]["coverage"].as_f64().unwrap();
    assert!((0.75..=0.90).contains(&cov), "coverage {cov}");
    let mape = bt[0]["mape_day_pct"].as_f64().unwrap();
    assert!(
        mape < bt[2]["mape_day_pct"].as_f64().unwrap(),
        "MAPE {mape}"
    );
    // The next open day after Friday 24 October 2003 is Monday 27th (weekends are closed).
    assert_eq!(json["queues"][0]["days"][0]["date"], "2003-10-27");
    assert_eq!(
        json["queues"][0]["closed_weekdays"],
        serde_json::json!(["Sat", "Sun"])
    );
    // A window the method was not tuned on, and two days ahead: still not worse than the best
    // baseline (measured: days 41–60 from the end 97.1 vs 114.8 at lead 1 over the last 60).
    let (code, out, err) = omnisim(&[
        "forecast",
        "scenarios/data/bank-calls.csv",
        "--backtest",
        "60",
        "--backtest-lead",
        "2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 open day(s) ahead"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("forecast.json")).unwrap()).unwrap();
    let bt = json["queues"][0]["backtest"].as_array().unwrap();
    let (m, b) = (
        bt[0]["rmse"].as_f64().unwrap(),
        bt[2]["rmse"].as_f64().unwrap(),
    );
    assert!(m < b, "lead 2 over 60 days: {m} vs {b}");
}

/// forecast.csv feeds `[traffic] forecast` unchanged: a day scenario reading it runs, and its
/// arrivals match the forecast's day total within Poisson noise.
#[test]
fn forecast_csv_feeds_a_scenario() {
    let dir = out_dir("feed");
    let (code, _, err) = omnisim(&[
        "forecast",
        "scenarios/data/bank-calls.csv",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let csv = std::fs::read_to_string(dir.join("forecast.csv")).unwrap();
    assert!(
        csv.starts_with("interval_start,volume,volume_lo,volume_hi,interval\n2003-10-27T07:00,")
    );
    let total: f64 = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<f64>().unwrap())
        .sum();
    let scen = std::fs::read_to_string("scenarios/bank-forecast-day.toml")
        .unwrap()
        .replace(
            "data/bank-forecast-2003-10-27.csv",
            dir.join("forecast.csv").to_str().unwrap(),
        );
    let scen = scen.replace("replications = 8", "replications = 1");
    let path = dir.join("s.toml");
    std::fs::write(&path, scen).unwrap();
    let run = dir.join("run");
    let (code, _, err) = omnisim(&[
        "run",
        path.to_str().unwrap(),
        "--quiet",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(!err.contains("outside the run"), "{err}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    let arrived = summary["conversations"]["arrived"].as_f64().unwrap();
    assert!(
        (arrived - total).abs() < 4.0 * total.sqrt(),
        "arrived {arrived} vs {total}"
    );
}

/// A bad row: exit 2 naming file:line:column.
#[test]
fn bad_history_exits_2_with_its_place() {
    let dir = out_dir("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("h.csv");
    std::fs::write(
        &p,
        "interval_start,volume\n2003-03-03T07:00,5\n2003-03-03T07:05,many\n",
    )
    .unwrap();
    let (code, _, err) = omnisim(&[
        "forecast",
        p.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("h.csv:3:2"), "{err}");
    let (code, _, err) = omnisim(&["forecast", p.to_str().unwrap(), "--horizon", "soon"]);
    assert_eq!(code, 2);
    assert!(err.contains("--horizon"), "{err}");
}
