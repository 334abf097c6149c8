//! A chart repository's `index.yaml`: any bytes are read or refused with a reason, within
//! the YAML loader's bounds, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((charts, _skipped)) = strata::registry::hostile::chart_index(data) {
        assert!(charts <= data.len());
    }
});
