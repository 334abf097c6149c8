//! File writes that never leave a half-written file: a temporary file in the same folder,
//! then a rename over the target.

use std::io::Write;
use std::path::Path;

use crate::error::Result;

/// Writes `bytes` to `path` atomically, creating the parent folder if needed.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".strata-")
        .tempfile_in(dir)
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot create a temporary file in `{}`: {e}", dir.display()),
            )
        })?;
    // No fsync: the rename keeps readers from ever seeing half a file, which is the
    // promise; syncing every lock file of a thousand-profile catalog would cost seconds.
    tmp.write_all(bytes).map_err(|e| {
        std::io::Error::new(e.kind(), format!("cannot write `{}`: {e}", path.display()))
    })?;
    tmp.persist(path).map_err(|e| {
        std::io::Error::new(
            e.error.kind(),
            format!("cannot write `{}`: {}", path.display(), e.error),
        )
    })?;
    Ok(())
}

/// Writes many files atomically, a few at a time in parallel: creating a file is a metadata
/// operation whose latency, not its bandwidth, dominates a thousand small lock files.
pub fn write_all(files: &[(std::path::PathBuf, &[u8])]) -> Result<()> {
    const WORKERS: usize = 4;
    if files.len() < 2 * WORKERS {
        return files.iter().try_for_each(|(p, b)| write(p, b));
    }
    let chunk = files.len().div_ceil(WORKERS);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().try_for_each(|(p, b)| write(p, b))))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(crate::error::Error::panicked("a writer")))
            })
            .collect::<Result<Vec<()>>>()
            .map(|_| ())
    })
}
