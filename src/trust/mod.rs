//! Trust: who published what strata locks. Signed tags of git registries (SSH or
//! OpenPGP), checked against the keys a registry lists (`signers`), and the signer recorded
//! in the lock.

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
