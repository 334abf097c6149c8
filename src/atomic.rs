//! File writes that never leave a half-written file: each file is written to a temporary
//! file beside it, then renamed over it. A batch is staged whole before the first rename,
//! so a failure while writing leaves every target as it was. Written files keep the mode of
//! the file they replace, or the umask's default for new files. Temporary files left by a
//! killed run are removed by the next write to their folder.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Temporary files are named `.strata-tmp-<pid>-<random>`, so a later run can tell whether
/// their writer is still alive.
const TEMP_PREFIX: &str = ".strata-tmp-";

/// A file written under a temporary name, renamed over its target by [`Staged::commit`].
struct Staged<'a> {
    /// The written temporary file, closed (a run writing thousands of files must not keep
    /// them all open until they are renamed); removed if it is never committed.
    tmp: tempfile::TempPath,
    path: &'a Path,
}

fn io(e: std::io::Error, what: String) -> Error {
    std::io::Error::new(e.kind(), format!("{what}: {e}")).into()
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn stage<'a>(path: &'a Path, bytes: &[u8]) -> Result<Staged<'a>> {
    let dir = parent(path);
    fs_err::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    builder.prefix(&prefix);
    // The mode of the file being replaced, else 0666 less the umask (as for any new file).
    let existing = std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| {
        io(
            e,
            format!("cannot create a temporary file in `{}`", dir.display()),
        )
    })?;
    if let Some(perms) = existing {
        tmp.as_file()
            .set_permissions(perms)
            .map_err(|e| io(e, format!("cannot write `{}`", path.display())))?;
    }
    // No fsync: the rename keeps readers from ever seeing half a file, which is the
    // promise; syncing every lock file of a thousand-profile catalog would cost seconds.
    tmp.write_all(bytes)
        .map_err(|e| io(e, format!("cannot write `{}`", path.display())))?;
    Ok(Staged {
        tmp: tmp.into_temp_path(),
        path,
    })
}

impl Staged<'_> {
    fn commit(self) -> Result<()> {
        let path = self.path;
        self.tmp
            .persist(path)
            .map_err(|e| io(e.error, format!("cannot write `{}`", path.display())))?;
        Ok(())
    }
}

/// Writes `bytes` to `path` atomically, creating the parent folder if needed.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    remove_stale(parent(path));
    stage(path, bytes)?.commit()
}

/// Writes many files: every file is staged (a few at a time in parallel: creating a file
/// is a metadata operation whose latency dominates a thousand small lock files) before the
/// first is renamed into place, so a failure while writing changes nothing.
pub fn write_all(files: &[(PathBuf, &[u8])]) -> Result<()> {
    const WORKERS: usize = 4;
    let dirs: BTreeSet<&Path> = files.iter().map(|(p, _)| parent(p)).collect();
    dirs.into_iter().for_each(remove_stale);
    let staged: Vec<Staged> =
        crate::parallel::map(files, WORKERS, "a writer", |(p, b)| stage(p, b))?
            .into_iter()
            .collect::<Result<_>>()?;
    staged.into_iter().try_for_each(Staged::commit)
}

/// Writes files under `base` (paths relative to it), refusing to write through a symlink
/// anywhere below `base`: a folder of rendered output must not redirect strata's writes.
pub fn write_under(base: &Path, files: &[(PathBuf, &[u8])]) -> Result<()> {
    let mut checked = BTreeSet::new();
    for (rel, _) in files {
        let mut path = base.to_path_buf();
        for part in rel.components() {
            path.push(part);
            if !checked.insert(path.clone()) {
                continue;
            }
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Error::usage_hint(
                        format!(
                            "`{}` is a symlink; strata does not write through symlinks",
                            path.display()
                        ),
                        Some("remove it, or choose another output folder".to_string()),
                    ));
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
    let full: Vec<(PathBuf, &[u8])> = files.iter().map(|(r, b)| (base.join(r), *b)).collect();
    write_all(&full)
}

/// Removes the temporary files that a killed run left in `dir` (their writer is gone).
fn remove_stale(dir: &Path) {
    let Ok(entries) = fs_err::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if !alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with this id runs (on other systems: assume it does).
fn alive(pid: i32) -> bool {
    #[cfg(unix)]
    {
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// The umask's default mode for a new file (0666 less the umask), as `stat` shows it.
#[cfg(test)]
fn default_mode() -> u32 {
    // SAFETY: umask is set back at once; tests run this while no other file is created.
    unsafe {
        let mask = libc::umask(0);
        libc::umask(mask);
        0o666 & !(mask as u32)
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn modes_are_kept_or_follow_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.lock");
        write(&new, b"a").unwrap();
        assert_eq!(mode(&new), default_mode());
        let kept = dir.path().join("kept.lock");
        std::fs::File::create(&kept).unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
        write(&kept, b"b").unwrap();
        assert_eq!(mode(&kept), 0o640);
        assert_eq!(fs_err::read_to_string(&kept).unwrap(), "b");
    }

    #[test]
    fn stale_temporary_files_are_removed_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // pid 0 is never a process of ours; `kill(0, 0)` addresses the process group, so use
        // a pid far above `pid_max`.
        let stale = dir.path().join(format!("{TEMP_PREFIX}999999999-abc"));
        let live = dir
            .path()
            .join(format!("{TEMP_PREFIX}{}-abc", std::process::id()));
        fs_err::write(&stale, "x").unwrap();
        fs_err::write(&live, "x").unwrap();
        write(&dir.path().join("f"), b"y").unwrap();
        assert!(!stale.exists());
        assert!(live.exists());
    }

    #[test]
    fn a_failed_batch_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        fs_err::write(&a, "old").unwrap();
        // The second target's folder is a regular file: staging it fails.
        let blocker = dir.path().join("blocker");
        fs_err::write(&blocker, "").unwrap();
        let files: Vec<(PathBuf, &[u8])> = vec![(a.clone(), b"new"), (blocker.join("b"), b"x")];
        assert!(write_all(&files).is_err());
        assert_eq!(fs_err::read_to_string(&a).unwrap(), "old");
        let left: Vec<_> = fs_err::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }
}
