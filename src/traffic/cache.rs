//! Parsed `[traffic]` CSV files kept for reuse across loads of scenarios that differ in other
//! keys: `omnisim sweep` loads one scenario per grid point, and a 100,000-row roster read once
//! per point was 2.3 s of a 5.2 s sweep of 5 points (issue 25, eleventh pass).
//!
//! An entry is found by the file's path and what the file system says of its content (its
//! length, modification time and, on Unix, device and inode: an edited or replaced file is
//! read again; the hit opens nothing, so a stop watching the file sees only real readings)
//! and by a context string the caller builds from every other input
//! of the reader (`[scenario] start`, the horizon, the queue names, …). What the cache gives is
//! what the reader would give: callers keep the reader's inputs that vary per point out of the
//! cached read (the roster's clash with `[[agent_groups]]` agent names is checked afterwards,
//! see `scenario::traffic`). Only regular files are cached; anything else is read as before.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diag::Diagnostic;
use crate::traffic::forecast::Forecast;
use crate::traffic::RosterAgent;

/// What a reader gave for one file: kept whole (errors and warnings too).
#[derive(Clone, Debug)]
pub enum Cached {
    /// `read_roster`'s result and the warnings it pushed.
    Roster(Result<Vec<RosterAgent>, Vec<Diagnostic>>, Vec<Diagnostic>),
    /// `read_forecast`'s result.
    Forecast(Result<Forecast, Vec<Diagnostic>>),
}

#[derive(Debug)]
struct Entry {
    kind: &'static str,
    path: PathBuf,
    stamp: Stamp,
    context: String,
    value: Cached,
}

/// What the file system says of a file's content: length, modification time, (device, inode).
pub type Stamp = (u64, std::time::SystemTime, (u64, u64));

/// The [`Stamp`] of `path`, when it is a regular file whose modification time is known
/// (`None` otherwise). A sweep compares the stamps of its points' files to refuse one that
/// changed while it ran (`workflows::sweep`).
pub fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    #[cfg(unix)]
    let node = {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    };
    #[cfg(not(unix))]
    let node = (0, 0);
    Some((m.len(), m.modified().ok()?, node))
}

/// Parsed CSV files, shared by clones (`Arc`): create one per sweep and pass it to every load
/// of the sweep (`scenario::load_str_cached`). Holds each distinct (kind, path, file stamp,
/// context) once; memory is that of the parsed files.
#[derive(Clone, Debug, Default)]
pub struct ReadCache {
    entries: Arc<Mutex<Vec<Entry>>>,
}

impl ReadCache {
    /// The cached result of reading `path` as `kind` (`"roster"`, `"forecast"`) under
    /// `context`, or `read()`'s, kept for the next call. A path that is not a regular file
    /// (or whose modification time is unknown) is left to `read()` uncached, so its error is
    /// the reader's; so is a file that changed while `read()` read it.
    pub fn get_or_read(
        &self,
        kind: &'static str,
        path: &Path,
        context: String,
        read: impl FnOnce() -> Cached,
    ) -> Cached {
        let Some(before) = stamp(path) else {
            return read();
        };
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            let hit = entries.iter().find(|e| {
                e.kind == kind && e.stamp == before && e.context == context && e.path == path
            });
            if let Some(e) = hit {
                return e.value.clone();
            }
        }
        let value = read();
        if stamp(path) == Some(before) {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.push(Entry {
                kind,
                path: path.to_path_buf(),
                stamp: before,
                context,
                value: value.clone(),
            });
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_or_context_is_read_again() {
        let dir = std::env::temp_dir().join(format!("omnisim-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.csv");
        std::fs::write(&path, "a\n1\n").unwrap();
        let cache = ReadCache::default();
        let reads = std::cell::Cell::new(0);
        let read = || {
            reads.set(reads.get() + 1);
            Cached::Forecast(Err(Vec::new()))
        };
        cache.get_or_read("forecast", &path, "x".into(), read);
        cache.get_or_read("forecast", &path, "x".into(), read);
        assert_eq!(reads.get(), 1);
        cache.get_or_read("forecast", &path, "y".into(), read);
        assert_eq!(reads.get(), 2);
        std::fs::write(&path, "a\n22\n").unwrap();
        cache.get_or_read("forecast", &path, "x".into(), read);
        assert_eq!(reads.get(), 3);
        cache.get_or_read("roster", &path, "x".into(), read);
        assert_eq!(reads.get(), 4);
        // A folder is never cached: the reader says what it is each time.
        cache.get_or_read("forecast", &dir, "x".into(), read);
        cache.get_or_read("forecast", &dir, "x".into(), read);
        assert_eq!(reads.get(), 6);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
