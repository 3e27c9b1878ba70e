//! Older files in an output folder: a command leaves no file of a kind it did not write this
//! time, since a reader (`explain`, `merge`, a person) would take it for this run's
//! (`docs/workflows.md`, "Older files in the output folder"). Two passes:
//!
//! - [`clear`], once a command's inputs are read and checked and before its work begins (for
//!   `fit` and `forecast`, whose reading of the history is their work, once their options are
//!   checked and before they read it; for `merge`, once its shards are read and of one kind),
//!   removes the older files of every kind the command writes or removes, so whatever ends it
//!   — a stop, a second signal ("ended at once"), an error, a kill — the folder holds no older
//!   file beside the new ones or in their place (issue 25, twelfth tester: a second Ctrl-C left
//!   an older run's 42 MB `conversations.csv` and `trace.jsonl` beside a new partial summary;
//!   thirteenth: an interrupted or failed `fit` left the older fit's four files, read as its);
//! - [`remove_stale`], called once the new output is written, removes the names of the kinds
//!   the command did not write after all: `run` an older log, trace and run shard; `run --shard`
//!   an older run's reports, log and trace; `sweep` an older `target.json` and sweep shard;
//!   `sweep --shard` an older sweep's files.
//!
//! Only omnisim's own file names are removed. A `run` and a `sweep` may share a folder (the
//! default, `reports/<scenario name>/`), so neither touches the other's files; a `shard.json`
//! is removed only when it is omnisim's and of a kind the command writes or replaces (its
//! `format`), and never by `merge`, whose output folder may hold one of its inputs. Every
//! command also removes the temporary files an older command left when a second signal or a
//! kill ended it (`trace.jsonl.part-<r>`, `<output name>.<pid>.tmp~`).

use std::path::Path;

use crate::report::FILES;
use crate::workflows::{shard, sweep_shard};

/// What a command wrote into its output folder this time.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Wrote {
    /// `run` (or `merge` of run shards, `merged`): the reports ([`FILES`]), with or without
    /// `conversations.csv` (`log`) and `trace.jsonl` (`trace`).
    Run {
        log: bool,
        trace: bool,
        merged: bool,
    },
    /// `run --shard`: a run `shard.json`.
    RunShard,
    /// `sweep` (or `merge` of sweep shards, `merged`): `sweep.csv`, `sweep.html`, with or
    /// without `target.json` (`target`).
    Sweep { target: bool, merged: bool },
    /// `sweep --shard`: a sweep `shard.json`.
    SweepShard,
}

/// A run's optional files: the log and the trace.
const RUN_EXTRA: [&str; 2] = ["conversations.csv", "trace.jsonl"];

/// What `sweep` writes.
const SWEEP_FILES: [&str; 3] = ["sweep.csv", "sweep.html", "target.json"];

/// What `staff` writes (and its roster check's folder, `roster-check/`).
const STAFF_FILES: [&str; 4] = [
    "staffing.csv",
    "staffing.html",
    "roster.csv",
    "rostered.toml",
];

/// What `ab` writes.
const AB_FILES: [&str; 2] = ["ab.json", "ab.html"];

/// What `fit` writes.
const FIT_FILES: [&str; 4] = ["fitted.toml", "fit.json", "actuals.json", "fit.html"];

/// What `forecast` writes.
const FORECAST_FILES: [&str; 3] = ["forecast.csv", "forecast.json", "forecast.html"];

/// What `load` writes.
const LOAD_FILES: [&str; 1] = ["load.json"];

/// What `conform` writes.
const CONFORM_FILES: [&str; 2] = ["conformance.json", "conformance.xml"];

/// A command about to begin its work in an output folder, for [`clear`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Starting {
    /// `run`: the reports ([`FILES`]), `conversations.csv`, `trace.jsonl` and its parts, a run
    /// `shard.json`.
    Run,
    /// `run --shard`: the same, and a sweep `shard.json` (its `shard.json` replaces any).
    RunShard,
    /// `sweep`: `sweep.csv`, `sweep.html`, `target.json`, a sweep `shard.json`.
    Sweep,
    /// `sweep --shard`: the same, and a run `shard.json`.
    SweepShard,
    /// `staff`: `staffing.csv`, `staffing.html`, `roster.csv`, `rostered.toml`, `roster-check/`.
    Staff,
    /// `ab`: `ab.json`, `ab.html`.
    Ab,
    /// `fit`: `fitted.toml`, `fit.json`, `actuals.json`, `fit.html`.
    Fit,
    /// `forecast`: `forecast.csv`, `forecast.json`, `forecast.html`.
    Forecast,
    /// `load`: `load.json`.
    Load,
    /// `merge` of run shards: a run's reports, `conversations.csv`, `trace.jsonl` and its
    /// parts (never a `shard.json`: the folder may hold one of its inputs).
    MergeRuns,
    /// `merge` of sweep shards: `sweep.csv`, `sweep.html`, `target.json` (never a
    /// `shard.json`).
    MergeSweeps,
    /// `conform`: `conformance.json`, `conformance.xml`.
    Conform,
}

/// Removes from `dir` the older files of every kind `what` writes or removes (see the module
/// docs), and the temporary files an ended command left there. Files that are not there, or
/// cannot be removed, are passed over: this never fails, and a folder that does not exist yet
/// is left so.
pub(crate) fn clear(dir: &Path, what: Starting) {
    let remove = |names: &[&str]| {
        for name in names {
            let _ = std::fs::remove_file(dir.join(name));
        }
    };
    let run = matches!(
        what,
        Starting::Run | Starting::RunShard | Starting::MergeRuns
    );
    match what {
        Starting::Run | Starting::RunShard => {
            remove(&FILES);
            remove(&RUN_EXTRA);
            remove_shard(dir, shard::FORMAT);
            if what == Starting::RunShard {
                remove_shard(dir, sweep_shard::FORMAT);
            }
        }
        Starting::Sweep | Starting::SweepShard => {
            remove(&SWEEP_FILES);
            remove_shard(dir, sweep_shard::FORMAT);
            if what == Starting::SweepShard {
                remove_shard(dir, shard::FORMAT);
            }
        }
        Starting::Staff => {
            remove(&STAFF_FILES);
            let _ = std::fs::remove_dir_all(dir.join("roster-check"));
        }
        Starting::Ab => remove(&AB_FILES),
        Starting::Fit => remove(&FIT_FILES),
        Starting::Forecast => remove(&FORECAST_FILES),
        Starting::Load => remove(&LOAD_FILES),
        Starting::MergeRuns => {
            remove(&FILES);
            remove(&RUN_EXTRA);
        }
        Starting::MergeSweeps => remove(&SWEEP_FILES),
        Starting::Conform => remove(&CONFORM_FILES),
    }
    remove_temporaries(dir, run);
}

/// Removes from `dir` the older files of the kinds `wrote` does not cover (see the module
/// docs). Files that are not there, or cannot be removed, are passed over: this never fails.
pub(crate) fn remove_stale(dir: &Path, wrote: Wrote) {
    let remove = |name: &str| {
        let _ = std::fs::remove_file(dir.join(name));
    };
    match wrote {
        Wrote::Run { log, trace, merged } => {
            for (name, written) in RUN_EXTRA.iter().zip([log, trace]) {
                if !written {
                    remove(name);
                }
            }
            if !merged {
                remove_shard(dir, shard::FORMAT);
            }
        }
        Wrote::RunShard => FILES.iter().chain(&RUN_EXTRA).for_each(|n| remove(n)),
        Wrote::Sweep { target, merged } => {
            if !target {
                remove("target.json");
            }
            if !merged {
                remove_shard(dir, sweep_shard::FORMAT);
            }
        }
        Wrote::SweepShard => SWEEP_FILES.iter().for_each(|n| remove(n)),
    }
    remove_temporaries(dir, matches!(wrote, Wrote::Run { .. } | Wrote::RunShard));
}

/// Removes an older command's temporary files, left by a second stop signal or a kill:
/// replications' trace parts (`trace.jsonl.part-<r>`, joined into `trace.jsonl` and removed
/// by a run that ends; only by a run, `parts`) and atomic writes' temporaries
/// (`<name>.<pid>.tmp~`, `name` one of omnisim's output files) of a process that is gone
/// (this one's are renamed or removed by now).
fn remove_temporaries(dir: &Path, parts: bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let own = std::process::id().to_string();
    let ours = |name: &str| {
        if let Some(r) = name.strip_prefix("trace.jsonl.part-") {
            return parts && digits(r);
        }
        let Some((stem, pid)) = name
            .strip_suffix(".tmp~")
            .and_then(|rest| rest.rsplit_once('.'))
        else {
            return false;
        };
        digits(pid)
            && pid != own
            && !Path::new("/proc").join(pid).exists()
            && FILES
                .iter()
                .chain(&RUN_EXTRA)
                .chain(&SWEEP_FILES)
                .chain(&STAFF_FILES)
                .chain(&AB_FILES)
                .chain(&FIT_FILES)
                .chain(&FORECAST_FILES)
                .chain(&LOAD_FILES)
                .chain(&CONFORM_FILES)
                .chain(&["shard.json"])
                .any(|n| *n == stem)
    };
    for e in entries.flatten() {
        if e.file_name().to_str().is_some_and(ours) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Removes `dir/shard.json` when its `format` is `format`'s kind (any version: the part of
/// `format` before its `/`). A shard is written compact with `format` first; only its first
/// bytes are read.
fn remove_shard(dir: &Path, format: &str) {
    use std::io::Read;
    let path = dir.join("shard.json");
    let kind = format.split('/').next().unwrap_or(format);
    let mut head = [0u8; 128];
    let n = std::fs::File::open(&path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    let found = head
        .split_once("\"format\"")
        .map(|(_, rest)| rest.trim_start().trim_start_matches(':').trim_start())
        .and_then(|rest| rest.strip_prefix('"'))
        .is_some_and(|rest| rest.starts_with(&format!("{kind}/")));
    if found {
        let _ = std::fs::remove_file(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_is_removed_only_by_its_own_kind() {
        let dir = std::env::temp_dir().join(format!("omnisim-stale-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let shard = dir.join("shard.json");
        std::fs::write(&shard, r#"{"format":"omnisim.sweep-shard/2","x":1}"#).unwrap();
        remove_shard(&dir, shard::FORMAT);
        assert!(shard.exists(), "a run removed a sweep shard");
        remove_shard(&dir, sweep_shard::FORMAT);
        assert!(!shard.exists());
        std::fs::write(&shard, r#"{"format": "omnisim.shard/1"}"#).unwrap();
        remove_shard(&dir, shard::FORMAT);
        assert!(!shard.exists(), "an older version of the run shard format");
        std::fs::write(&shard, r#"{"format":"someone-else/1"}"#).unwrap();
        remove_shard(&dir, shard::FORMAT);
        remove_shard(&dir, sweep_shard::FORMAT);
        assert!(shard.exists(), "not omnisim's");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Issue 25, twelfth tester: [`clear`] removes every kind the starting command writes and
    /// no other command's files.
    #[test]
    fn clear_removes_the_starting_commands_kinds_only() {
        let dir = std::env::temp_dir().join(format!("omnisim-clear-{}", std::process::id()));
        let all: Vec<&str> = FILES
            .iter()
            .chain(&RUN_EXTRA)
            .chain(&SWEEP_FILES)
            .chain(&STAFF_FILES)
            .chain(&AB_FILES)
            .chain(&FIT_FILES)
            .chain(&FORECAST_FILES)
            .chain(&LOAD_FILES)
            .chain(&CONFORM_FILES)
            .chain(&["trace.jsonl.part-3", "notes.txt"])
            .copied()
            .collect();
        let cases: [(Starting, &[&str]); 10] = [
            (
                Starting::Run,
                &[&FILES[..], &RUN_EXTRA[..], &["trace.jsonl.part-3"]].concat(),
            ),
            (Starting::Sweep, &SWEEP_FILES),
            (Starting::Staff, &STAFF_FILES),
            (Starting::Ab, &AB_FILES),
            (Starting::Fit, &FIT_FILES),
            (Starting::Forecast, &FORECAST_FILES),
            (Starting::Load, &LOAD_FILES),
            (
                Starting::MergeRuns,
                &[&FILES[..], &RUN_EXTRA[..], &["trace.jsonl.part-3"]].concat(),
            ),
            (Starting::MergeSweeps, &SWEEP_FILES),
            (Starting::Conform, &CONFORM_FILES),
        ];
        for (what, gone) in cases {
            std::fs::create_dir_all(dir.join("roster-check")).unwrap();
            for name in &all {
                std::fs::write(dir.join(name), "x").unwrap();
            }
            std::fs::write(dir.join("shard.json"), r#"{"format":"omnisim.shard/3"}"#).unwrap();
            clear(&dir, what);
            for name in &all {
                assert_eq!(
                    dir.join(name).exists(),
                    !gone.contains(name),
                    "{what:?}: {name}"
                );
            }
            assert_eq!(dir.join("roster-check").exists(), what != Starting::Staff);
            assert_eq!(dir.join("shard.json").exists(), what != Starting::Run);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
