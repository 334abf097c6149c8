//! The keys of a registry that say who may sign its releases: `signers` (git), `keyring`
//! (helm), `cosign_key` (oci).

use super::{RegistryConfig, RegistryKind, check_relative_path};
use crate::diagnostic::{Diagnostic, Source};

/// `signers` (git registries) and `cosign_key` (OCI registries): files inside the catalog.
pub(super) fn check_trust_keys(source: &Source, r: &RegistryConfig) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if let Some(v) = &r.keyring {
        if *r.kind.get_ref() != RegistryKind::Helm {
            problems.push(Diagnostic::at(
                source,
                v.span(),
                "`keyring` is for helm registries (their archives carry provenance files)",
            ));
        } else if let Err(why) = check_relative_path(v.get_ref()) {
            problems.push(Diagnostic::at(
                source,
                v.span(),
                format!("`keyring`: {why}"),
            ));
        }
    }
    if let Some(v) = &r.cosign_key {
        if *r.kind.get_ref() != RegistryKind::Oci {
            problems.push(Diagnostic::at(
                source,
                v.span(),
                "`cosign_key` is for oci registries (their releases carry cosign signatures)",
            ));
        } else if let Err(why) = check_relative_path(v.get_ref()) {
            problems.push(Diagnostic::at(
                source,
                v.span(),
                format!("`cosign_key`: {why}"),
            ));
        }
    }
    if let Some(v) = &r.signers {
        if *r.kind.get_ref() != RegistryKind::Git {
            problems.push(Diagnostic::at(
                source,
                v.span(),
                "`signers` is for git registries (their release tags are signed)",
            ));
        } else if let Err(why) = check_relative_path(v.get_ref()) {
            problems.push(Diagnostic::at(
                source,
                v.span(),
                format!("`signers`: {why}"),
            ));
        }
    }
    problems
}
