//! `strata.toml`: any bytes parse to a configuration or to diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata::diagnostic::Source;
use strata::model::config::Config;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = Source::from_bytes("strata.toml", data) {
        if let Err(problems) = Config::parse(&source) {
            for d in problems {
                let _ = d.to_string();
            }
        }
    }
});
