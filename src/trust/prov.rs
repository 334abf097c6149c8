//! Helm provenance, checked in Rust: a chart archive's `.prov` file is an OpenPGP
//! clear-signed document (the chart's `Chart.yaml`, then `files:` naming the archive and its
//! sha256) that must verify with a key of the registry's keyring and name the downloaded
//! archive's digest.

use pgp::composed::{CleartextSignedMessage, Deserializable, SignedPublicKey};
use pgp::types::KeyDetails;

use super::Verdict;

/// The most a provenance file may be.
pub const MAX_PROV: u64 = 1 << 20;

/// The public keys of an ASCII-armored keyring.
pub fn keys(keyring: &[u8]) -> Result<Vec<SignedPublicKey>, String> {
    let (found, _) = SignedPublicKey::from_armor_many(keyring)
        .map_err(|e| format!("it is no OpenPGP keyring: {e}"))?;
    let mut keys = Vec::new();
    for k in found {
        keys.push(k.map_err(|e| format!("it holds a key that cannot be read: {e}"))?);
    }
    Ok(keys)
}

/// The fingerprint of a key as a lock records it (upper-case hex, as `gpg` prints it).
pub fn fingerprint(key: &SignedPublicKey) -> String {
    format!("{:X}", key.fingerprint())
}

/// The verdict on `prov` for the archive `name` whose sha256 is `hex` (words after "its
/// manifest " when refused).
pub fn check(prov: &str, name: &str, hex: &str, keys: &[SignedPublicKey]) -> Verdict {
    let Ok((message, _)) = CleartextSignedMessage::from_string(prov) else {
        return Verdict::Refused(
            "has a provenance file that is no OpenPGP clear-signed document".to_string(),
        );
    };
    let signer = keys.iter().find(|k| {
        message.verify(*k).is_ok() || k.public_subkeys.iter().any(|s| message.verify(s).is_ok())
    });
    let Some(signer) = signer else {
        return Verdict::Refused(
            "has a provenance file that no key of the keyring verifies".to_string(),
        );
    };
    let text = message.signed_text();
    let named = text.lines().find_map(|l| {
        let (file, digest) = l.trim().split_once(": ")?;
        (file.trim_matches(['"', '\'']) == name).then(|| digest.trim().to_string())
    });
    match named {
        None => Verdict::Refused(format!("has a provenance file that names no `{name}`")),
        Some(d) if d.trim_start_matches("sha256:") != hex => Verdict::Refused(format!(
            "has a provenance file for `{}`, not for this archive (`sha256:{hex}`)",
            crate::shown::shorten(&crate::shown::one_line(&d), 80)
        )),
        Some(_) => Verdict::Signed(format!("pgp:{}", fingerprint(signer))),
    }
}
