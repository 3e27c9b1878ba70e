//! Writing the report files: [`write_all`] renders every file of a [`Report`] into a folder,
//! each one atomically ([`write_atomic`]), so a reader never sees half a file.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::{csv, html, Report};

/// The files [`write_all`] writes, in order.
pub const FILES: [&str; 4] = ["summary.json", "series.csv", "agents.csv", "report.html"];

/// The temporary name [`write_atomic`] and [`write_all`] write `path` under first.
fn temp_path(path: &Path) -> PathBuf {
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".{}.tmp~", std::process::id()));
    path.with_file_name(tmp_name)
}

/// Writes a file atomically: a temporary file in the same folder, then a rename over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_path(path);
    if let Err(e) = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// Writes `path`'s temporary file (see [`write_atomic`]) through a buffer, `render` streaming
/// the contents into it; the temporary file is removed on an error.
fn write_temp(
    path: &Path,
    render: impl FnOnce(&mut io::BufWriter<std::fs::File>) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let tmp = temp_path(path);
    let written = std::fs::File::create(&tmp).and_then(|f| {
        let mut w = io::BufWriter::with_capacity(1 << 20, f);
        render(&mut w)?;
        w.into_inner().map_err(io::IntoInnerError::into_error)?;
        Ok(())
    });
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// [`write_atomic`] of contents `render` streams into a buffered writer: a large file (a
/// comparison of a million metrics) is never held whole in memory.
pub fn write_atomic_with(
    path: &Path,
    render: impl FnOnce(&mut io::BufWriter<std::fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = write_temp(path, render)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Creates `dir` if needed and writes [`FILES`] into it (`summary.json`, `series.csv`,
/// `agents.csv`, `report.html`); returns their paths.
///
/// Each file is streamed into a temporary file beside it (no copy of a large report's
/// contents is held in memory: a center of a million roster agents has a summary of hundreds
/// of megabytes), and only when all four are written are they renamed into place, so an
/// error leaves the folder as it was.
pub fn write_all(dir: &Path, report: &Report) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let paths: Vec<PathBuf> = FILES.iter().map(|name| dir.join(name)).collect();
    let mut temps: Vec<PathBuf> = Vec::with_capacity(FILES.len());
    let mut render = |i: usize| -> io::Result<()> {
        let tmp = write_temp(&paths[i], |w| match i {
            0 => {
                serde_json::to_writer_pretty(&mut *w, &report.summary).map_err(io::Error::other)?;
                w.write_all(b"\n")
            }
            1 => csv::write_series(report, w),
            2 => csv::write_agents(report, w),
            _ => html::write(report, w),
        })?;
        temps.push(tmp);
        Ok(())
    };
    let rendered = (0..FILES.len()).try_for_each(&mut render);
    let renamed = rendered.and_then(|()| {
        temps
            .iter()
            .zip(&paths)
            .try_for_each(|(tmp, path)| std::fs::rename(tmp, path))
    });
    if let Err(e) = renamed {
        for tmp in &temps {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(e);
    }
    Ok(paths)
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
