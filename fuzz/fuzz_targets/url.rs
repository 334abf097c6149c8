//! Registry URLs: any text parses or is refused, and no password ever reaches what is shown.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata::registry::url::{GitUrl, redact};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = redact(text);
    if let Ok(url) = GitUrl::parse(text, std::path::Path::new("/catalog")) {
        let _ = url.cache_key();
        // A password written as `user:SECRET@` never shows. (Only where that is user info
        // beyond doubt: in `https://host//u:p@x` the `u:p@x` is part of the path, which git
        // sends as such, with no credentials.)
        if let Some((_, rest)) = text.split_once("://") {
            if let Some((userinfo, _)) = rest.split_once('@').filter(|(u, _)| !u.contains('/')) {
                if let Some((_, password)) = userinfo.split_once(':') {
                    if password.len() > 3 && !password.contains('/') && !password.contains('@') {
                        assert!(
                            !url.display.contains(&format!(":{password}@")),
                            "{text} -> {}",
                            url.display
                        );
                    }
                }
            }
        }
    }
});
