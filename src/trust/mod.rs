//! Trust: who published what strata locks. Signed tags of git registries (SSH or
//! OpenPGP), Helm provenance files, and cosign signatures in OCI registries, each checked
//! against the keys a registry lists, and the signer recorded in the lock.
