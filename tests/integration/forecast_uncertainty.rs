//! Issue 23, `[traffic] forecast = { file = "…", uncertainty = true }`: each replication draws
//! each forecast day's level from the band (`volume_lo`–`volume_hi`), so day counts vary by
//! Poisson plus the level's variance; without `uncertainty` the band is ignored and runs are
//! what they were; bad bands are errors at their line and column, a missing band at the key.

use std::path::Path;

use omnisim::scenario::{load_file, Scenario};
use omnisim::sim::{self, RunOptions};
use omnisim::traffic::level::{day_count_variance, z_of};

use super::traffic::{temp_dir, write};

/// One queue, plenty of agents (the test is about arrivals); `FORECAST` is the key's value.
const SCENARIO: &str = r#"
[scenario]
name = "band"
start = "2026-03-02T08:00"
horizon = "34h"
seed = 9
replications = REPS

[[workstreams]]
name = "calls"
channel = "voice"
capacity_units = 100
handle_time = { dist = "exponential", mean = "1m" }

[[queues]]
name = "retail"
workstream = "calls"

[[agent_groups]]
name = "agents"
count = 40
capacity = 100
queues = ["retail"]

[traffic]
forecast = FORECAST
"#;

/// Two days of two hours (08:00–10:00), 200 calls a half hour on day 1 and 100 on day 2, with
/// 80% bands whose extra variance beyond Poisson is `v1` and `v2` (as `omnisim forecast`
/// writes them: `f·exp(±z·√(V + 1/f))`).
fn band_file(v1: f64, v2: f64) -> String {
    let z = z_of(80.0);
    let mut s = String::from("interval_start,volume,volume_lo,volume_hi,interval\n");
    for (day, f, v) in [("2026-03-02", 200.0_f64, v1), ("2026-03-03", 100.0, v2)] {
        let sd = (v + 1.0 / f).sqrt();
        let (lo, hi) = (f * (-z * sd).exp(), f * (z * sd).exp());
        for t in ["08:00", "08:30", "09:00", "09:30"] {
            s.push_str(&format!("{day}T{t},{f},{lo:.4},{hi:.4},30m\n"));
        }
    }
    s
}

fn scenario(dir: &Path, name: &str, forecast: &str, reps: u32) -> std::path::PathBuf {
    write(
        dir,
        name,
        &SCENARIO
            .replace("FORECAST", forecast)
            .replace("REPS", &reps.to_string()),
    )
}

fn load(path: &Path) -> Scenario {
    load_file(path).unwrap_or_else(|e| panic!("{e}"))
}

fn errors(path: &Path) -> String {
    load_file(path).unwrap_err().to_string()
}

/// Arrivals per replication in each of the two days (day 2 starts 24 h after t = 0).
fn day_counts(sc: &Scenario) -> Vec<(f64, f64)> {
    let logs = sim::run_logged(sc, &RunOptions::default(), &|_, _, _| {}).1;
    assert_eq!(logs.len(), sc.replications as usize);
    logs.iter()
        .map(|l| {
            let d1 = l
                .rows
                .iter()
                .filter(|r| r.arrival.as_millis() < 86_400_000)
                .count();
            (d1 as f64, (l.rows.len() - d1) as f64)
        })
        .collect()
}

/// Day 1: Λ = 800, σ² = V = 0.04: Var N = 800 + 800²·(e^0.04 − 1) = 800 + 26,119 = 26,919
/// (Poisson alone: 800). Day 2: Λ = 400, σ² = 0.01: 400 + 1,608 = 2,008. 300 replications:
/// the sample variance's relative sd is about √(2/299)·1.15 ≈ 9.4%, so ±30% is over 3 sd (the
/// unit test in `sim::arrivals` checks the formula to ±12% on 2,000 draws).
#[test]
fn day_counts_vary_by_poisson_plus_the_level() {
    let dir = temp_dir("band-var");
    write(&dir, "f.csv", &band_file(0.04, 0.01));
    let sc = load(&scenario(
        &dir,
        "s.toml",
        r#"{ file = "f.csv", queue = "retail", uncertainty = true }"#,
        300,
    ));
    let levels = sc.traffic.levels[0].as_ref().expect("levels read");
    assert_eq!(levels.days.len(), 2);
    // σ recovered from the band's 4-decimal bounds.
    assert!((levels.days[0].1 - 0.2).abs() < 1e-3, "{:?}", levels.days);
    assert!((levels.days[1].1 - 0.1).abs() < 1e-3, "{:?}", levels.days);
    let counts = day_counts(&sc);
    let n = counts.len() as f64;
    let stats = |x: Vec<f64>| {
        let m = x.iter().sum::<f64>() / n;
        (
            m,
            x.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (n - 1.0),
        )
    };
    let (m1, v1) = stats(counts.iter().map(|c| c.0).collect());
    let (m2, v2) = stats(counts.iter().map(|c| c.1).collect());
    let (w1, w2) = (
        day_count_variance(800.0, 0.2),
        day_count_variance(400.0, 0.1),
    );
    assert!(
        (w1 - 26_919.0).abs() < 1.0 && (w2 - 2_008.0).abs() < 1.0,
        "{w1} {w2}"
    );
    // Mean 1: the mean count is the forecast's (3 sd).
    assert!((m1 - 800.0).abs() < 3.0 * (w1 / n).sqrt(), "{m1}");
    assert!((m2 - 400.0).abs() < 3.0 * (w2 / n).sqrt(), "{m2}");
    assert!((v1 / w1 - 1.0).abs() < 0.3, "day 1 variance {v1} vs {w1}");
    assert!((v2 / w2 - 1.0).abs() < 0.3, "day 2 variance {v2} vs {w2}");
}

/// Without `uncertainty` (the plain string, `uncertainty = false`, or a file without a band)
/// the band is ignored: the same arrival profile, no levels, the same runs to the bit.
#[test]
fn without_uncertainty_the_band_changes_nothing() {
    let dir = temp_dir("band-off");
    write(&dir, "f.csv", &band_file(0.04, 0.01));
    let plain: String = band_file(0.04, 0.01)
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{}\n", c[0], c[1], c[4])
        })
        .collect();
    write(&dir, "plain.csv", &plain);
    let logs = |sc: &Scenario| sim::run_logged(sc, &RunOptions::default(), &|_, _, _| {}).1;
    let runs: Vec<_> = [
        r#"{ file = "f.csv", queue = "retail" }"#,
        r#"{ file = "f.csv", queue = "retail", uncertainty = false }"#,
        r#"{ file = "plain.csv", queue = "retail" }"#,
    ]
    .iter()
    .enumerate()
    .map(|(i, spec)| {
        let sc = load(&scenario(&dir, &format!("s{i}.toml"), spec, 3));
        assert!(sc.traffic.levels.is_empty());
        logs(&sc)
    })
    .collect();
    assert!(runs[0][0].rows.len() > 1000);
    assert!(runs[0] == runs[1] && runs[0] == runs[2]);
    // With it, the same seed gives other arrivals (the levels move them), the same run twice.
    let sc = load(&scenario(
        &dir,
        "u.toml",
        r#"{ file = "f.csv", queue = "retail", uncertainty = true }"#,
        3,
    ));
    let (a, b) = (logs(&sc), logs(&sc));
    assert!(a == b);
    assert!(a != runs[0]);
    // Staffing's verification simulates a copy of the scenario: it keeps the levels.
    let staffed = omnisim::staffing::layout::staffed(&sc, 0, 1_800_000, &[3; 68]).unwrap();
    assert_eq!(staffed.traffic.levels, sc.traffic.levels);
}

/// Bad bands: every problem at its line and column; a band asked for but absent at the key.
#[test]
fn bad_bands_are_errors_at_their_place() {
    let dir = temp_dir("band-bad");
    let on = r#"{ file = "f.csv", queue = "retail", uncertainty = true }"#;
    let path = scenario(&dir, "s.toml", on, 1);
    let f = dir.join("f.csv").display().to_string();
    write(
        &dir,
        "f.csv",
        "interval_start,volume,volume_lo,volume_hi\n\
         2026-03-02T08:00,10,12,9\n\
         2026-03-02T08:30,10,-1,12\n\
         2026-03-02T09:00,10,,12\n\
         2026-03-02T09:30,10,11,12\n\
         2026-03-02T10:00,10,8,lots\n",
    );
    let e = errors(&path);
    for want in [
        format!("{f}:2:3: volume_lo: 12 is above volume_hi 9"),
        format!("{f}:3:3: volume_lo: \"-1\" is not a volume bound; expected a number ≥ 0"),
        format!("{f}:4:3: volume_lo: `volume_lo` is empty"),
        format!("{f}:5:2: volume: 10 is outside its band [11, 12]"),
        format!("{f}:6:4: volume_hi: \"lots\" is not a volume bound"),
    ] {
        assert!(e.contains(&want), "missing {want:?} in\n{e}");
    }
    // The same file without uncertainty: the band is not read, the file is fine.
    load(&scenario(
        &dir,
        "off.toml",
        r#"{ file = "f.csv", queue = "retail" }"#,
        1,
    ));
    // No band at all: an error at the key, naming the columns.
    write(
        &dir,
        "f.csv",
        "interval_start,volume\n2026-03-02T08:00,10\n2026-03-02T08:30,10\n",
    );
    let e = errors(&path);
    assert!(
        e.contains("traffic.forecast.uncertainty: uncertainty = true reads the band"),
        "{e}"
    );
    assert!(e.contains("no `volume_lo` and `volume_hi` columns"), "{e}");
    // `level` needs uncertainty, and is a percentage; `uncertainty` is a boolean.
    for (name, forecast, says) in [
        (
            "l.toml",
            r#"{ file = "f.csv", queue = "retail", level = 90 }"#,
            "traffic.forecast.level: `level` says what the band",
        ),
        (
            "m.toml",
            r#"{ file = "f.csv", queue = "retail", uncertainty = true, level = 120 }"#,
            "traffic.forecast.level: 120 is not a level",
        ),
        (
            "n.toml",
            r#"{ file = "f.csv", queue = "retail", uncertainty = "yes" }"#,
            "traffic.forecast.uncertainty",
        ),
    ] {
        let e = errors(&scenario(&dir, name, forecast, 1));
        assert!(e.contains(says), "{name}: {e}");
    }
}

/// Issue 25 (found by a fresh tester): bands of 0.001 to 100,000 around 100 gave σ ≈ 7 and no
/// arrivals in any of 50 replications, silently. A day whose bands imply σ > 1 is an error
/// naming the day; σ = 0.9 (V = 0.81) on the other day is still accepted on its own.
#[test]
fn a_band_too_wide_for_any_level_is_refused_naming_its_day() {
    let dir = temp_dir("band-wide");
    let on = r#"{ file = "f.csv", queue = "retail", uncertainty = true }"#;
    let path = scenario(&dir, "s.toml", on, 1);
    write(
        &dir,
        "f.csv",
        "interval_start,volume,volume_lo,volume_hi\n\
         2026-03-02T08:00,100,0.001,100000\n\
         2026-03-02T08:30,100,0.001,100000\n",
    );
    let e = errors(&path);
    assert!(e.contains("2026-03-02's rows imply a day level"), "{e}");
    assert!(e.contains("σ = 7.19"), "{e}");
    // V = 0.81 beyond Poisson on day 1, 0.002 on day 2: σ = 0.9, accepted.
    write(&dir, "f.csv", &band_file(0.81, 0.002));
    load(&path);
    // V = 1.21 (σ = 1.1) on day 2 only: that day is named, not day 1.
    write(&dir, "f.csv", &band_file(0.002, 1.21));
    let e = errors(&path);
    assert!(
        e.contains("2026-03-03's rows") && !e.contains("2026-03-02's"),
        "{e}"
    );
}

/// Issue 25: a forecast file with a header and no rows was valid and a run saw no arrivals
/// without a word; now it is an error (with and without uncertainty).
#[test]
fn a_forecast_without_rows_is_an_error() {
    let dir = temp_dir("band-empty");
    write(&dir, "f.csv", "interval_start,queue,volume\n");
    for key in [
        r#"{ file = "f.csv", queue = "retail" }"#,
        r#"{ file = "f.csv", queue = "retail", uncertainty = true }"#,
    ] {
        let e = errors(&scenario(&dir, "s.toml", key, 1));
        assert!(e.contains("the forecast has no rows"), "{e}");
    }
}
