//! What an OCI registry sends: a manifest (its chart layer, whose digest must be a sha256),
//! a tag list page and a `Link` header. Any bytes are read or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(digest) = strata::registry::hostile::oci_manifest(data) {
        assert_eq!(digest.len(), 71);
        assert!(digest.starts_with("sha256:"));
    }
    let (split, rest) = data.split_at(data.len() / 2);
    let link = String::from_utf8_lossy(rest);
    let _ = strata::registry::hostile::oci_tags(split, &link);
});
