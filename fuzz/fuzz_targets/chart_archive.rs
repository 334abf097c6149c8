//! A chart archive (gzipped tar): any bytes are unpacked within the bounds or refused, and
//! what is unpacked holds only plain relative paths.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(files) = strata::registry::hostile::chart_archive(data) {
        let total: usize = files.iter().map(|(_, n)| n).sum();
        assert!(total <= 128 << 20);
        for (path, _) in files {
            assert!(!path.is_empty() && !path.starts_with('/'), "{path}");
            assert!(path.split('/').all(|p| !p.is_empty() && p != "." && p != ".."), "{path}");
            assert!(!path.contains(['\n', '\r', '\0', '\\']), "{path:?}");
        }
    }
});
