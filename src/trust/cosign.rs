//! cosign signatures by key, checked in Rust: the signature artifact `sha256-<hex>.sig` of
//! a release's manifest holds layers whose blob is a simple-signing payload naming the
//! manifest digest (`critical.image.docker-manifest-digest`) and whose annotation
//! `dev.cosignproject.cosign/signature` is the base64 ECDSA P-256 / SHA-256 signature of
//! that payload. Keyless signatures (Fulcio certificates, Rekor entries) are not checked.

use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use p256::pkcs8::{DecodePublicKey, EncodePublicKey};

use super::Verdict;

/// The annotation that holds a layer's signature.
pub const ANNOTATION: &str = "dev.cosignproject.cosign/signature";

/// The most a payload may be.
pub const MAX_PAYLOAD: u64 = 64 << 10;

/// A cosign public key (PEM): the key and `sha256:` of its DER encoding.
#[derive(Debug)]
pub struct Key {
    key: VerifyingKey,
    pub digest: String,
}

impl Key {
    pub fn parse(pem: &str) -> Result<Key, String> {
        let key = VerifyingKey::from_public_key_pem(pem.trim()).map_err(|_| {
            "it is no PEM ECDSA P-256 public key (`cosign generate-key-pair` writes one)"
                .to_string()
        })?;
        let der = key
            .to_public_key_der()
            .map_err(|e| format!("its key cannot be encoded: {e}"))?;
        Ok(Key {
            digest: crate::digest::sha256(der.as_bytes()),
            key,
        })
    }

    /// The signer a lock records for this key.
    pub fn signer(&self) -> String {
        format!("cosign:{}", self.digest)
    }
}

/// The signature tag of a manifest digest: `sha256-<hex>.sig`.
pub fn signature_tag(manifest_digest: &str) -> String {
    format!("{}.sig", manifest_digest.replacen(':', "-", 1))
}

/// The layers of a signature manifest that carry a signature: (payload blob digest,
/// base64 signature).
pub fn signed_layers(manifest: &[u8]) -> Vec<(String, String)> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(manifest) else {
        return Vec::new();
    };
    v["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| {
            let digest = l["digest"].as_str()?;
            let sig = l["annotations"][ANNOTATION].as_str()?;
            digest
                .starts_with("sha256:")
                .then(|| (digest.to_string(), sig.to_string()))
        })
        .collect()
}

/// The verdict on one signed layer: its payload must name `manifest_digest` and its
/// signature verify with `key`. `Err` says why it does not (words after "its manifest ").
pub fn check(
    key: &Key,
    manifest_digest: &str,
    payload: &[u8],
    signature: &str,
) -> Result<(), String> {
    let named = serde_json::from_slice::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| {
            v["critical"]["image"]["docker-manifest-digest"]
                .as_str()
                .map(str::to_string)
        })
        .ok_or("has a cosign payload that names no manifest digest")?;
    let sig = base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .ok()
        .and_then(|b| DerSignature::from_bytes(&b).ok())
        .ok_or("has a cosign signature that is not a base64 DER ECDSA signature")?;
    key.key
        .verify(payload, &sig)
        .map_err(|_| "has a cosign signature that the key does not verify".to_string())?;
    if named != manifest_digest {
        return Err(format!(
            "has a cosign payload signed for `{}`, not for this manifest",
            crate::shown::shorten(&crate::shown::one_line(&named), 80)
        ));
    }
    Ok(())
}

/// The verdict over every signed layer: signed when one of them holds, else refused with
/// the first reason.
pub fn verdict(key: &Key, results: Vec<Result<(), String>>) -> Verdict {
    if results.iter().any(Result::is_ok) {
        return Verdict::Signed(key.signer());
    }
    Verdict::Refused(
        results
            .into_iter()
            .find_map(Result::err)
            .unwrap_or_else(|| "has no cosign signature".to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::{Key, check, signature_tag};
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer;
    use p256::pkcs8::{EncodePublicKey, LineEnding};

    #[test]
    fn a_payload_signed_by_the_key_for_this_digest_holds_and_nothing_else() {
        let signing = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let pem = signing
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let key = Key::parse(&pem).unwrap();
        let digest = "sha256:aa";
        let payload = format!(
            "{{\"critical\":{{\"identity\":{{\"docker-reference\":\"r/demo\"}},\"image\":{{\"docker-manifest-digest\":\"{digest}\"}},\"type\":\"cosign container image signature\"}},\"optional\":null}}"
        );
        let sig: p256::ecdsa::DerSignature = signing.sign(payload.as_bytes());
        let b64 =
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig.as_bytes());
        assert_eq!(check(&key, digest, payload.as_bytes(), &b64), Ok(()));
        assert_eq!(
            check(&key, "sha256:bb", payload.as_bytes(), &b64),
            Err("has a cosign payload signed for `sha256:aa`, not for this manifest".to_string())
        );
        let other = Key::parse(
            &SigningKey::from_slice(&[9u8; 32])
                .unwrap()
                .verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            check(&other, digest, payload.as_bytes(), &b64),
            Err("has a cosign signature that the key does not verify".to_string())
        );
        assert_eq!(signature_tag("sha256:ab12"), "sha256-ab12.sig");
        assert!(
            Key::parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").is_err()
        );
    }
}
