//! Planner answers of `forecast` and `fit` on the files people hand them (branch plan-7): a
//! multi-replication `run --log` history is averaged over its replications, not summed; an
//! interval the history cannot calibrate says so; `fit` given a volume file says to use
//! `forecast`.

fn omnisim(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let o = crate::procs::run_in(dir, args);
    let text = crate::procs::text;
    (
        o.status.code().unwrap_or(-1),
        text(&o.stdout),
        text(&o.stderr),
    )
}

fn dir(name: &str) -> crate::procs::TempDir {
    crate::procs::TempDir::new(&format!("fc-reps-{name}"))
}

/// A conversation log of one Monday, 60 arrivals 08:00–12:00 in each of `reps` replications
/// (the same arrivals in each).
fn log(reps: &[u32]) -> String {
    let mut s =
        String::from("id,arrival,queue,outcome,wait,handle,wrap_up,patience,agent,replication\n");
    for &r in reps {
        for k in 0..60 {
            let m = 8 * 60 + k * 4;
            s.push_str(&format!(
                "{k},2003-03-03T{:02}:{:02}:00,retail,answered,1,100,5,60,a-1,{r}\n",
                m / 60,
                m % 60
            ));
        }
    }
    s
}

#[test]
fn forecast_averages_a_multi_replication_log() {
    let d = dir("avg");
    std::fs::write(d.join("all.csv"), log(&[1, 2, 3])).unwrap();
    std::fs::write(d.join("one.csv"), log(&[1])).unwrap();
    let (rc, all, err) = omnisim(&d, &["forecast", "all.csv", "--out", "fa"]);
    assert_eq!(rc, 0, "{err}");
    let (rc, one, _) = omnisim(&d, &["forecast", "one.csv", "--out", "fo"]);
    assert_eq!(rc, 0);
    // Before: 180 (three copies summed) against 60.
    let day = |s: &str| s.lines().next().unwrap().to_string();
    assert_eq!(day(&all), day(&one), "{all}\n{one}");
    assert!(day(&all).starts_with("retail: 2003-03-10 60 "), "{all}");
    assert!(
        err.contains("log of 3 replications") && err.contains("averaged over them"),
        "{err}"
    );
    let json = std::fs::read_to_string(d.join("fa/forecast.json")).unwrap();
    assert!(json.contains("averaged over them"), "{json}");
}

#[test]
fn forecast_warns_when_the_interval_cannot_be_calibrated() {
    let d = dir("calib");
    std::fs::write(d.join("one.csv"), log(&[1])).unwrap();
    let (rc, _, err) = omnisim(&d, &["forecast", "one.csv", "--out", "f1"]);
    assert_eq!(rc, 0, "{err}");
    assert!(
        err.contains("could not be calibrated by backtesting"),
        "{err}"
    );
    let json = std::fs::read_to_string(d.join("f1/forecast.json")).unwrap();
    assert!(json.contains("\"interval_calibrated\": false"), "{json}");
    // Five weeks of weekdays calibrate it: no warning.
    let mut v = String::from("interval_start,volume\n");
    let mut day = jiff::civil::date(2003, 3, 3);
    for _ in 0..35 {
        if day.weekday().to_monday_zero_offset() < 5 {
            for h in 8..16 {
                let n = 40 + (day.day() as i32 * 7 + h * 3) % 11;
                v.push_str(&format!("{day}T{h:02}:00,{n}\n"));
            }
        }
        day = day.tomorrow().unwrap();
    }
    std::fs::write(d.join("v.csv"), v).unwrap();
    let (rc, _, err) = omnisim(
        &d,
        &["forecast", "v.csv", "--interval", "1h", "--out", "f2"],
    );
    assert_eq!(rc, 0, "{err}");
    assert!(!err.contains("could not be calibrated"), "{err}");
    let json = std::fs::read_to_string(d.join("f2/forecast.json")).unwrap();
    assert!(json.contains("\"interval_calibrated\": true"), "{json}");
}

#[test]
fn fit_on_a_volume_file_points_to_forecast() {
    let d = dir("fitvol");
    std::fs::write(
        d.join("v.csv"),
        "interval_start,volume,aht\n2003-03-03T07:00,10,300\n",
    )
    .unwrap();
    let (rc, _, err) = omnisim(&d, &["fit", "v.csv", "--out", "f"]);
    assert_eq!(rc, 2, "{err}");
    assert!(
        err.contains("v.csv:1: this looks like a volume file")
            && err.contains("omnisim forecast v.csv"),
        "{err}"
    );
    assert!(!err.contains("missing column"), "{err}");
}

/// A final fresh tester: `fit` and `forecast` took any text in the `replication` column as a
/// replication of its own (`x`, `-1`: "a log of 4 replications", every volume divided by 4,
/// `replications = 4` in `fitted.toml`). A cell that is not a replication number is now bad
/// input at its line and column, as replay reads it, every such cell at once.
#[test]
fn a_replication_that_is_not_a_number_is_bad_input() {
    let d = dir("badrep");
    let mut text = log(&[1]);
    text = text.replacen(",a-1,1\n", ",a-1,x\n", 1);
    text.push_str("99,2003-03-03T12:30:00,retail,answered,1,100,5,60,a-1,-1\n");
    std::fs::write(d.join("h.csv"), &text).unwrap();
    for cmd in ["fit", "forecast"] {
        let (rc, _, err) = omnisim(&d, &[cmd, "h.csv", "--out", cmd]);
        assert_eq!(rc, 2, "{cmd}: {err}");
        assert!(
            err.contains("h.csv:2:10") && err.contains("\"x\" is not a replication number"),
            "{cmd}: {err}"
        );
        assert!(
            err.contains("h.csv:62:10") && err.contains("\"-1\" is not a replication number"),
            "{cmd}: {err}"
        );
        assert!(!d.join(cmd).exists(), "{cmd} wrote its folder");
    }
}
