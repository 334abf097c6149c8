//! A chart archive (`.tgz`) read as hostile input: regular files only, every path inside
//! the chart's one top folder, bounded file size, total size, file count and
//! decompression ratio. Nothing is written to disk: the files become a [`Tree`].

use std::io::Read;

use crate::registry::source::{Tree, bad_name};

/// The most bytes of a chart archive strata downloads.
pub const MAX_ARCHIVE: u64 = 64 << 20;
/// The most bytes of one file in a chart.
pub const MAX_FILE: u64 = 32 << 20;
/// The most bytes of all files of a chart, unpacked.
pub const MAX_TOTAL: u64 = 128 << 20;
/// The most files in a chart.
pub const MAX_FILES: usize = 10_000;
/// The most an archive may grow when unpacked (beyond its first MiB).
pub const MAX_RATIO: u64 = 100;

/// Counts what the decompressor yields and stops past the total or the ratio.
struct Counted<R> {
    inner: R,
    read: u64,
    compressed: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > MAX_TOTAL + (1 << 20) {
            return Err(std::io::Error::other(format!(
                "it unpacks to more than {} MiB, the most strata reads of a chart",
                MAX_TOTAL >> 20
            )));
        }
        if self.read > (1 << 20) && self.read > self.compressed.saturating_mul(MAX_RATIO) {
            return Err(std::io::Error::other(format!(
                "it unpacks to more than {MAX_RATIO} times its size (a decompression bomb?)"
            )));
        }
        Ok(n)
    }
}

/// The files of the chart in `bytes` (a gzipped tar), relative to its top folder.
pub fn unpack(bytes: &[u8]) -> Result<Tree, String> {
    unpack_folder(bytes, true)
}

/// The files of a pack folder in `bytes` (a gzipped tar): relative to the one top folder
/// they share, or as they are when they share none (a Palette pack archive may hold its
/// files at the top).
pub fn unpack_pack(bytes: &[u8]) -> Result<Tree, String> {
    let tree = unpack_folder(bytes, false)?;
    let mut tops = tree.keys().map(|k| k.split_once('/').map(|(t, _)| t));
    let first = tops.next().flatten();
    if first.is_some() && tops.all(|t| t == first) {
        let prefix = format!("{}/", first.unwrap_or_default());
        return Ok(tree
            .into_iter()
            .map(|(k, v)| (k[prefix.len()..].to_string(), v))
            .collect());
    }
    Ok(tree)
}

/// The files in `bytes`; with `top`, every path must be inside one top folder, which is
/// taken off.
fn unpack_folder(bytes: &[u8], top_folder: bool) -> Result<Tree, String> {
    let gz = flate2::read::GzDecoder::new(bytes);
    let counted = Counted {
        inner: gz,
        read: 0,
        compressed: bytes.len() as u64,
    };
    let mut archive = tar::Archive::new(counted);
    let mut tree = Tree::new();
    let mut top: Option<String> = None;
    let mut total = 0u64;
    let entries = archive
        .entries()
        .map_err(|e| format!("it is not a gzipped tar archive: {}", one_line(&e)))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("it cannot be read: {}", one_line(&e)))?;
        let raw = entry.path_bytes().into_owned();
        let path =
            String::from_utf8(raw).map_err(|_| "a file name in it is not UTF-8".to_string())?;
        let shown = crate::shown::shorten(&crate::shown::one_line(&path), 120).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if !(kind.is_file() || kind.is_contiguous()) {
            return Err(format!(
                "`{shown}` is {}; a chart archive may hold only regular files and folders",
                match () {
                    _ if kind.is_symlink() => "a symbolic link",
                    _ if kind.is_hard_link() => "a hard link",
                    _ => "a special file",
                }
            ));
        }
        let parts: Vec<&str> = path
            .trim_start_matches("./")
            .split('/')
            .filter(|p| !p.is_empty())
            .collect();
        if path.starts_with('/') || parts.is_empty() || (top_folder && parts.len() < 2) {
            return Err(format!("`{shown}` is not inside the chart's folder"));
        }
        for p in &parts {
            if let Some(why) = bad_name(p) {
                return Err(format!("`{shown}`: a name in the path {why}"));
            }
        }
        match &top {
            _ if !top_folder => {}
            None => top = Some(parts[0].to_string()),
            Some(t) if t != parts[0] => {
                return Err(format!(
                    "`{shown}` is outside the chart's folder `{}`",
                    crate::shown::one_line(t)
                ));
            }
            Some(_) => {}
        }
        let size = entry.size();
        if size > MAX_FILE {
            return Err(format!(
                "`{shown}` is larger than {} MiB, the most strata reads of one file",
                MAX_FILE >> 20
            ));
        }
        total += size;
        if total > MAX_TOTAL {
            return Err(format!(
                "it unpacks to more than {} MiB, the most strata reads of a chart",
                MAX_TOTAL >> 20
            ));
        }
        if tree.len() >= MAX_FILES {
            return Err(format!(
                "it holds more than {MAX_FILES} files, the most strata reads of a chart"
            ));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| format!("`{shown}` cannot be read: {}", one_line(&e)))?;
        let rel = parts[usize::from(top_folder)..].join("/");
        if tree.insert(rel, bytes).is_some() {
            return Err(format!("`{shown}` is in it twice"));
        }
    }
    if tree.is_empty() {
        return Err("it holds no files".to_string());
    }
    Ok(tree)
}

fn one_line(e: &std::io::Error) -> String {
    crate::shown::shorten(&crate::shown::one_line(&e.to_string()), 200).into_owned()
}
