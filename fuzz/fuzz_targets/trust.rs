//! What comes with signed releases: a signers file (an SSH allowed-signers file or an
//! OpenPGP keyring), a Helm provenance file with a keyring, a cosign signature manifest and
//! payload. Any bytes are read or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = strata::registry::hostile::signers("allowed_signers", data);
    let _ = strata::registry::hostile::signers("keyring.asc", data);
    let (a, b) = data.split_at(data.len() / 2);
    let _ = strata::registry::hostile::provenance(a, b, "demo-1.0.0.tgz", "00");
    let _ = strata::registry::hostile::cosign(a, b);
});
