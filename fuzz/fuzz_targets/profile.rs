//! `profile.toml`: any bytes parse to a profile or to diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata::diagnostic::Source;
use strata::profile::Profile;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = Source::from_bytes("profiles/p/profile.toml", data) {
        if let Err(problems) = Profile::parse(source, "profiles/p", "p") {
            for d in problems {
                let _ = d.to_string();
            }
        }
    }
});
