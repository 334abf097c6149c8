//! The readers of what chart repositories and OCI registries send (and of the signers files
//! and signatures that come with releases), for the fuzz targets: each takes any bytes and
//! either reads them or says why not, never panicking.

/// A chart repository's `index.yaml`: the number of charts and of skipped entries.
pub fn chart_index(bytes: &[u8]) -> Result<(usize, usize), String> {
    super::source::http::parse_index(bytes).map(|i| (i.charts.len(), i.skipped))
}

/// A chart archive: its files' paths and sizes.
pub fn chart_archive(bytes: &[u8]) -> Result<Vec<(String, usize)>, String> {
    super::source::http::unpack(bytes).map(|t| t.into_iter().map(|(k, v)| (k, v.len())).collect())
}

/// An OCI manifest's chart layer digest.
pub fn oci_manifest(bytes: &[u8]) -> Result<String, String> {
    super::source::oci::chart_layer(bytes)
}

/// A page of an OCI tag list, and a `Link` header's next target.
pub fn oci_tags(bytes: &[u8], link: &str) -> (Option<Vec<String>>, Option<String>) {
    (
        super::source::oci::api::tag_page(bytes),
        super::source::oci::api::next_link(link),
    )
}

/// A signers file (named `name`, whose suffix `.asc` makes it a keyring): its kind and how
/// many SSH keys it lists.
pub fn signers(name: &str, bytes: &[u8]) -> Result<(String, usize), String> {
    crate::trust::Signers::parse(name, bytes.to_vec())
        .map(|s| (format!("{:?}", s.kind), s.keys.len()))
}

/// A provenance file checked against the keys of `keyring`, for `archive` with sha256 `hex`:
/// `Ok(signer)` or why it is refused.
pub fn provenance(prov: &[u8], keyring: &[u8], archive: &str, hex: &str) -> Result<String, String> {
    let keys = crate::trust::prov::keys(keyring).unwrap_or_default();
    match crate::trust::prov::check(&String::from_utf8_lossy(prov), archive, hex, &keys) {
        crate::trust::Verdict::Signed(who) => Ok(who),
        crate::trust::Verdict::Refused(why) => Err(why),
    }
}

/// A cosign signature manifest and one payload, checked with a fixed key: each signed
/// layer's verdict.
pub fn cosign(manifest: &[u8], payload: &[u8]) -> Vec<Result<(), String>> {
    use p256::pkcs8::EncodePublicKey;
    let Ok(signing) = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]) else {
        return Vec::new();
    };
    let Ok(pem) = signing
        .verifying_key()
        .to_public_key_pem(p256::pkcs8::LineEnding::LF)
    else {
        return Vec::new();
    };
    let Ok(key) = crate::trust::cosign::Key::parse(&pem) else {
        return Vec::new();
    };
    crate::trust::cosign::signed_layers(manifest)
        .into_iter()
        .map(|(_, sig)| crate::trust::cosign::check(&key, "sha256:00", payload, &sig))
        .collect()
}
