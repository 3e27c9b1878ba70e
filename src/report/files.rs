//! Writing the report files: [`write_all`] renders every file of a [`Report`] into a folder,
//! each one atomically ([`write_atomic`]), so a reader never sees half a file.

use std::io;
use std::path::{Path, PathBuf};

use super::{csv, html, Report};

/// The files [`write_all`] writes, in order.
pub const FILES: [&str; 4] = ["summary.json", "series.csv", "agents.csv", "report.html"];

/// Writes a file atomically: a temporary file in the same folder, then a rename over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".{}.tmp~", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    if let Err(e) = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// Creates `dir` if needed and writes [`FILES`] into it (`summary.json`, `series.csv`,
/// `agents.csv`, `report.html`); returns their paths.
///
/// Everything is rendered before the first file is written, so a rendering error leaves the
/// folder as it was.
pub fn write_all(dir: &Path, report: &Report) -> io::Result<Vec<PathBuf>> {
    let mut json = serde_json::to_string_pretty(&report.summary).map_err(io::Error::other)?;
    json.push('\n');
    let contents: [Vec<u8>; 4] = [
        json.into_bytes(),
        csv::series(report)?,
        csv::agents(report)?,
        html::render(report).into_bytes(),
    ];
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::with_capacity(FILES.len());
    for (name, bytes) in FILES.iter().zip(&contents) {
        let path = dir.join(name);
        write_atomic(&path, bytes)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_and_leaves_no_temp_file() {
        let dir = std::env::temp_dir().join(format!("omnisim-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.json")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
