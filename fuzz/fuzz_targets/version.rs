//! Versions and version specs: any text parses or is refused, and ordering is total.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata::model::version::{Version, VersionSpec};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, "1.2.3"));
    let spec = VersionSpec::parse(a);
    if let (Ok(spec), Some(v)) = (&spec, Version::parse(b)) {
        // A spec that admits a release covers it.
        if spec.admits(&v) {
            assert!(spec.covers(&v));
        }
        let _ = spec.to_string();
    }
    if let (Some(x), Some(y)) = (Version::parse(a), Version::parse(b)) {
        assert_eq!(x.cmp(&y), y.cmp(&x).reverse());
    }
});
