//! Only what a trusted publisher signed: a registry with `signers` (git) or `cosign_key`
//! (OCI) offers a layer only the releases signed by a listed key. A newer release that is refused is said
//! (the train stays on the newest signed one); a train with no signed release is a problem
//! naming what was refused and why.

use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::profile::Layer;
use crate::registry::{Registry, ReleaseRef};
use crate::trust::Verdict;

/// The releases shown in a problem before a count of the rest.
const SHOWN: usize = 3;

/// `admitted` (positions in `releases`, newest first) without the releases whose
/// signatures are refused; `Err` when none is left.
pub fn signed_only(
    registry: &Registry,
    layer: &Layer,
    releases: &[ReleaseRef],
    admitted: Vec<u32>,
) -> Result<std::result::Result<Vec<u32>, Diagnostic>> {
    let Some(signers) = &registry.signers else {
        return Ok(Ok(admitted));
    };
    let verdicts = crate::parallel::pool(&admitted, 8, "a signature check", |&i| {
        registry.signature(&releases[i as usize])
    })?;
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for (i, verdict) in admitted.into_iter().zip(verdicts) {
        match verdict? {
            Some(Verdict::Refused(why)) => refused.push((i, why)),
            _ => kept.push(i),
        }
    }
    let pack = layer.pack.get_ref();
    let show = |i: u32, why: &str| {
        let r = &releases[i as usize];
        use crate::model::config::RegistryKind;
        match (&r.rev, registry.kind()) {
            (Some(rev), RegistryKind::Git) if registry.branch().is_some() => {
                format!("{}: its commit `{rev}` {why}", r.version)
            }
            (Some(tag), RegistryKind::Git) => format!("{}: its tag `{tag}` {why}", r.version),
            (_, RegistryKind::Helm) => format!("{}: its archive {why}", r.version),
            _ => format!("{}: its manifest {why}", r.version),
        }
    };
    let Some(&newest) = kept.first() else {
        let mut lines: Vec<String> = refused
            .iter()
            .take(SHOWN)
            .map(|(i, w)| show(*i, w))
            .collect();
        if refused.len() > SHOWN {
            lines.push(format!("and {} more", refused.len() - SHOWN));
        }
        return Ok(Err(Diagnostic::at(
            &layer.requested_src,
            layer.requested.span(),
            format!(
                "no release of `{pack}` that `{}` admits is signed by a key of `{}` (registry `{}`): {}",
                layer.requested.get_ref(),
                signers.file,
                registry.name,
                lines.join("; ")
            ),
        )
        .with_hint(match signers.kind {
            _ if registry.kind() == crate::model::config::RegistryKind::Helm => format!(
                "sign the chart with `helm package --sign` and a key of `{}`, or pin a signed release",
                signers.file
            ),
            _ if registry.branch().is_some() => format!(
                "sign the commit with a listed key (`git commit -S`), add the key that signed it to `{}`, or pin a signed release",
                signers.file
            ),
            crate::trust::signers::Kind::Cosign => format!(
                "sign the release with `cosign sign --key` and the key of `{}`, or pin a signed release",
                signers.file
            ),
            _ => format!(
                "sign the release tag with a listed key (`git tag -s`), add the key that signed it to `{}`, or pin a signed release",
                signers.file
            ),
        })));
    };
    for (i, why) in refused.iter().filter(|(i, _)| *i > newest) {
        registry.warn(Diagnostic::plain(format!(
            "registry `{}`: refused `{pack}` {}; `{}` stays on {}",
            registry.name,
            show(*i, why),
            layer.requested.get_ref(),
            releases[newest as usize].version
        )));
    }
    Ok(Ok(kept))
}

/// Why a release a layer asks for by `ref` is refused (`None`: it is signed, or the
/// registry lists no signers).
pub fn refused(registry: &Registry, release: &ReleaseRef) -> Result<Option<String>> {
    Ok(match registry.signature(release)? {
        Some(Verdict::Refused(why)) => Some(why),
        _ => None,
    })
}
