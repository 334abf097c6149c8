//! `profile.lock`: any bytes parse to a lock (which renders back) or to a diagnostic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata::diagnostic::Source;
use strata::lockfile::Lock;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = Source::from_bytes("profiles/p/profile.lock", data) {
        match Lock::parse(&source) {
            Ok(lock) => {
                // What strata writes, it reads back the same.
                let text = lock.render();
                let again = Lock::parse(&Source::new("again", text.as_str())).expect("reads back");
                assert_eq!(again, lock);
            }
            Err(d) => {
                let _ = d.to_string();
            }
        }
    }
});
