//! `pack.toml`: any bytes load as a pack release or give diagnostics, never a panic.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use strata::diagnostic::Source;
use strata::model::version::Version;
use strata::registry::format::strata::read_manifest;

fuzz_target!(|data: &[u8]| {
    let version = Version::parse("1.2.3").expect("a version");
    if let Ok(source) = Source::from_bytes("packs/p/1.2.3/pack.toml", data) {
        let mut files = BTreeMap::new();
        files.insert("pack.toml".to_string(), data.to_vec());
        if let Err(problems) = read_manifest("p", &version, source, files) {
            for d in problems {
                let _ = d.to_string();
            }
        }
    }
});
