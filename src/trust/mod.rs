//! Trust: who published what strata locks. Signed tags of git registries (SSH or
//! OpenPGP) checked against the keys a registry lists (`signers`), cosign signatures of OCI
//! releases checked against a key (`cosign_key`), and the signer recorded in the lock.

pub mod cosign;
pub mod prov;
pub mod signers;
pub mod tags;

pub use signers::Signers;

/// What a release's signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by a listed key: who (`ssh:SHA256:<fingerprint> <principal>`,
    /// `pgp:<fingerprint>`).
    Signed(String),
    /// Refused: why, in words that follow "tag `x` " (`is not signed`, `is signed by …,
    /// which the signers do not list`, `has a signature that does not verify: …`).
    Refused(String),
}

/// A verdict kept in `cache` by `key` (the digest of what it depends on): computed once,
/// read afterwards.
pub fn kept(
    cache: Option<&std::path::Path>,
    key: &str,
    compute: impl FnOnce() -> crate::error::Result<Verdict>,
) -> crate::error::Result<Verdict> {
    let key = crate::digest::sha256(key.as_bytes());
    let file = cache.map(|dir| dir.join(key.trim_start_matches("sha256:")));
    if let Some(known) = file.as_ref().and_then(|f| fs_err::read_to_string(f).ok())
        && let Some(verdict) = parse_kept(&known)
    {
        return Ok(verdict);
    }
    let verdict = compute()?;
    if let Some(file) = &file {
        let text = match &verdict {
            Verdict::Signed(who) => format!("signed {who}\n"),
            Verdict::Refused(why) => format!("refused {why}\n"),
        };
        // The cache only saves work: failing to keep a verdict is no error.
        let _ = file
            .parent()
            .map(fs_err::create_dir_all)
            .map(|_| crate::atomic::write(file, text.as_bytes()));
    }
    Ok(verdict)
}

fn parse_kept(text: &str) -> Option<Verdict> {
    let line = text.strip_suffix('\n')?;
    if let Some(who) = line.strip_prefix("signed ") {
        return Some(Verdict::Signed(who.to_string()));
    }
    line.strip_prefix("refused ")
        .map(|why| Verdict::Refused(why.to_string()))
}
