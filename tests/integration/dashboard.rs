//! Issue 24: the replayed dashboard of `report.html`. Its window (`run --dashboard-from`,
//! `--dashboard-to`) holds what is live when it opens, so replaying the windowed log to any
//! moment in the window gives what the log from the start gives; and, in headless Chromium
//! (when installed), "next event" walks the log's event times one by one (it stuck at 0:00:02
//! when it searched from the slider's rounded value) and no column is clipped at 1,400 px.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use omnisim::report::{self, Report};
use omnisim::scenario::{load_file, Scenario};
use omnisim::sim::{self, DashLog, DashOptions, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dash(sc: &Scenario, max_events: usize, from_ms: u64, to_ms: Option<u64>) -> DashLog {
    let opts = RunOptions {
        replications: Some(1),
        dashboard: Some(DashOptions {
            replication: 0,
            max_events,
            from_ms,
            to_ms,
        }),
        ..RunOptions::default()
    };
    sim::run(sc, &opts, &|_, _, _| {})
        .dashboard
        .expect("a dashboard log")
}

fn events(d: &DashLog) -> Vec<Vec<i64>> {
    serde_json::from_str(&format!("[{}]", d.events)).expect("events parse")
}

/// What the page shows at `t_ms`, replayed as its script does: live conversations (id →
/// state, queue, agent, answered at), agents' units and presence.
type Moment = (
    BTreeMap<i64, (i64, i64, i64, i64)>,
    BTreeMap<i64, i64>,
    BTreeMap<i64, i64>,
);

fn at(ev: &[Vec<i64>], t_ms: i64) -> Moment {
    let (mut convs, mut units, mut presence) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for e in ev.iter().take_while(|e| e[0] <= t_ms) {
        match e[1] {
            0 => {
                convs.insert(e[2], (0, e[3], -1, -1));
            }
            1 if e[3] == 4 => {
                convs.remove(&e[2]);
            }
            1 => {
                if let Some(c) = convs.get_mut(&e[2]) {
                    c.0 = e[3];
                    if e[3] == 1 && c.3 < 0 {
                        c.3 = e[0];
                    }
                }
            }
            2 => {
                if let Some(c) = convs.get_mut(&e[2]) {
                    c.2 = e[3];
                }
            }
            3 => {
                units.insert(e[2], e[3]);
            }
            4 => {
                presence.insert(e[2], e[3]);
            }
            5 => {
                if let Some(c) = convs.get_mut(&e[2]) {
                    c.1 = e[3];
                }
            }
            _ => {}
        }
    }
    (convs, units, presence)
}

/// The bilingual day's peak (12:00–13:00) through a window: the same moments as the whole
/// day's log shows, from far fewer events than the log from the start would need (it stopped
/// at 10:27 with the default 5,000).
#[test]
fn a_window_shows_what_the_log_from_the_start_shows() {
    let sc = load_file(&root().join("scenarios/bilingual-support.toml")).unwrap();
    let hour = 3_600_000u64;
    let whole = dash(&sc, usize::MAX, 0, None);
    assert!(!whole.truncated);
    let window = dash(&sc, 5_000, 12 * hour, Some(13 * hour));
    assert_eq!(window.from_ms, 12 * hour);
    assert!(window.truncated && !window.capped, "{}", window.until_ms);
    assert_eq!(window.until_ms, 13 * hour);
    let (w, all) = (events(&window), events(&whole));
    assert_eq!(w.len(), window.count);
    assert!(w.windows(2).all(|p| p[0][0] <= p[1][0]), "time order");
    assert!(w.iter().all(|e| e[0] <= 13 * hour as i64));
    let before = w.iter().filter(|e| e[0] < 12 * hour as i64).count();
    let from_start = all.iter().filter(|e| e[0] <= 13 * hour as i64).count();
    assert!(
        w.len() < from_start / 2,
        "{} events against {from_start}",
        w.len()
    );
    assert!(before > 0, "what is live at 12:00 is in the log");
    for t in [12 * hour, 12 * hour + 1, 12 * hour + 17 * 60_000, 13 * hour] {
        let (a, b) = (at(&w, t as i64), at(&all, t as i64));
        assert!(!b.0.is_empty(), "conversations live at {t}");
        assert_eq!(a, b, "the moment {t} ms");
    }
    // The default (no window) still starts at 0 and says the cap cut it.
    let capped = dash(&sc, 5_000, 0, None);
    assert!(capped.truncated && capped.capped && capped.from_ms == 0);
}

/// Writes `sc`'s report (replication 1, the dashboard window `from_ms`..`to_ms`) with a probe
/// that clicks the real "next event" button ten times, then measures every cell of the
/// dashboard, and returns what headless Chromium at 1,400 × 900 px saw: `times` (the clock's
/// moment after each click, s), `clipped` (cells past the page's main column, tables wider
/// than their box), `width`. `None` when Chromium is not installed.
fn probe(sc: &Scenario, tag: &str, from_ms: u64, to_ms: Option<u64>) -> Option<serde_json::Value> {
    let opts = RunOptions {
        replications: Some(1),
        dashboard: Some(DashOptions {
            replication: 0,
            max_events: 10_000,
            from_ms,
            to_ms,
        }),
        ..RunOptions::default()
    };
    let rep = Report::build(sc, &sim::run(sc, &opts, &|_, _, _| {}));
    let dir = crate::procs::TempDir::new(&format!("dash-{tag}"));
    report::write_all(&dir, &rep).expect("written");
    let chromium = std::path::Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        println!("note: /usr/bin/chromium is not installed; the dashboard was not clicked");
        std::fs::remove_dir_all(&dir).unwrap();
        return None;
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let probe = r#"<script>(function(){var b=document.getElementById('dash-step'),c=document.getElementById('dash-clock'),t=[];
for(var i=0;i<10;i++){b.click();t.push(c.getAttribute('data-t'));}
var main=document.querySelector('main')||document.body,right=main.getBoundingClientRect().right,clipped=[];
document.querySelectorAll('#dash th, #dash td').forEach(function(e){var r=e.getBoundingClientRect();if(r.right>right+0.5)clipped.push(e.textContent);});
document.querySelectorAll('#dash .grid > div').forEach(function(e){if(e.scrollWidth>e.clientWidth+1)clipped.push('scroll:'+e.id);});
var p=document.createElement('pre');p.id='probe';p.textContent=JSON.stringify({times:t,clipped:clipped,width:window.innerWidth,cells:document.querySelectorAll('#dash td').length});document.body.appendChild(p);})();</script></body>"#;
    assert!(html.contains("</body>"));
    let page = dir.join("probe.html");
    std::fs::write(&page, html.replacen("</body>", probe, 1)).unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--window-size=1400,900",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let at = dom.find("<pre id=\"probe\">").expect("the probe ran") + "<pre id=\"probe\">".len();
    let json = dom[at..]
        .split("</pre>")
        .next()
        .unwrap()
        .replace("&quot;", "\"");
    std::fs::remove_dir_all(&dir).unwrap();
    Some(serde_json::from_str(&json).expect("probe JSON"))
}

/// Headless Chromium clicks "next event" ten times from 12:00 of the bilingual day (a window
/// at its peak): each click moves to the next event time of the log, to the millisecond (never
/// stuck, never skipping); and at 1,400 px no cell of the dashboard reaches past the page's
/// main column, at the peak or with the conformance scenario's long supervisor tags.
#[test]
fn next_event_advances_through_the_first_events_in_chromium() {
    let sc = load_file(&root().join("scenarios/bilingual-support.toml")).unwrap();
    let from = 12 * 3_600_000u64;
    let to = Some(13 * 3_600_000u64);
    let log = dash(&sc, 10_000, from, to);
    let mut times: Vec<i64> = events(&log).iter().map(|e| e[0]).collect();
    times.dedup();
    let want: Vec<f64> = times
        .iter()
        .filter(|t| **t > from as i64)
        .take(10)
        .map(|t| *t as f64 / 1000.0)
        .collect();
    assert_eq!(want.len(), 10);
    // Times that are not whole seconds: the slider's rounding made the old button stick.
    assert!(
        want.iter().filter(|t| t.fract() != 0.0).count() >= 5,
        "{want:?}"
    );
    let Some(v) = probe(&sc, "bilingual", from, to) else {
        return;
    };
    let got: Vec<f64> = v["times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(got, want, "next event, ten clicks from 12:00");
    assert_eq!(v["width"], 1400);
    assert!(v["cells"].as_u64().unwrap() > 100, "{v}");
    assert_eq!(v["clipped"], serde_json::json!([]), "clipped at 1,400 px");
    let sc = load_file(&root().join("tests/conformance/rules-monitor-assign.toml")).unwrap();
    let v = probe(&sc, "conformance", 0, None).expect("chromium ran above");
    assert_eq!(v["clipped"], serde_json::json!([]), "clipped at 1,400 px");
}
