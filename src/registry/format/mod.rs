//! How a registry's releases are laid out and read: which folders or tags are releases,
//! and how a release's files become a [`Pack`]. A format reads only through a
//! [`Source`], so adding one touches no source code (and no git code).

pub(crate) mod helm;
pub(crate) mod palette;
pub mod strata;
mod values;

use std::collections::BTreeMap;

use crate::error::Result;
use crate::model::pack::Pack;
use crate::model::version::Version;
use crate::registry::source::Source;

/// One release of a pack as a registry lists it.
#[derive(Debug, Clone)]
pub struct ReleaseRef {
    pub version: Version,
    /// The pack folder inside the registry source, `/`-separated (`calico/3.27.2`).
    pub path: String,
    /// Git registries: the tag (`calico/v3.27.2`) or commit id the release is read at.
    pub rev: Option<String>,
}

/// Every pack of a registry and its releases, in no particular order.
pub type Index = BTreeMap<String, Vec<ReleaseRef>>;

/// A source and the registry name messages give it.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    pub registry: &'a str,
    pub source: &'a dyn Source,
    /// Where what the format skips is reported.
    pub warnings: &'a crate::diagnostic::Warnings,
}

/// A release folder as read at its revision.
pub struct Release {
    /// Every file of the folder by its path inside it.
    pub files: crate::registry::source::Tree,
    /// The folder as messages show it, ending in `/`.
    pub base: String,
    /// The manifest (`pack.json`, `Chart.yaml`), named as messages show it.
    pub manifest: crate::diagnostic::Source,
}

/// Reads a release folder and its manifest; a missing folder or manifest is a problem of
/// that release.
pub fn read_release(at: Reader, release: &ReleaseRef, manifest: &str) -> Result<Release> {
    use crate::diagnostic::Diagnostic;
    let rev = release.rev.as_deref();
    let Some(files) = at.source.read_dir(rev, &release.path)? else {
        return Err(Diagnostic::plain(format!(
            "registry `{}`: `{}` does not exist{}",
            at.registry,
            release.path,
            rev.map(|r| format!(" at `{r}`")).unwrap_or_default()
        ))
        .into());
    };
    let shown = at
        .source
        .display(rev, &crate::registry::source::join(&release.path, manifest));
    let base = shown.strip_suffix(manifest).unwrap_or(&shown).to_string();
    let Some(bytes) = files.get(manifest) else {
        return Err(
            Diagnostic::plain(format!("registry `{}`: `{shown}` is missing", at.registry)).into(),
        );
    };
    let manifest = crate::diagnostic::Source::from_bytes(shown.clone(), bytes)?;
    Ok(Release {
        files,
        base,
        manifest,
    })
}

pub trait Format: Send + Sync {
    /// The name `strata.toml` gives the format (`format = "…"`).
    fn name(&self) -> &'static str;

    /// Every pack and its releases, read once per run.
    fn index(&self, at: Reader) -> Result<Index>;

    /// One pack's releases without listing every other pack's, where the layout allows it
    /// (tags named `<pack>/v<version>`); `None` when only [`Format::index`] can tell.
    fn pack_releases(&self, _at: Reader, _pack: &str) -> Result<Option<Vec<ReleaseRef>>> {
        Ok(None)
    }

    /// The release in `folder` at a revision the user named with `ref =` (`reference` is
    /// what they wrote, `rev` the tag or commit it names); an error when no release is there.
    fn release_at(
        &self,
        at: Reader,
        folder: &str,
        rev: &str,
        reference: &str,
    ) -> Result<ReleaseRef>;

    /// Reads and checks one release.
    fn load(&self, at: Reader, pack: &str, release: &ReleaseRef) -> Result<Pack>;

    /// The branch whose folders are the releases, for a format that follows one (palette);
    /// `None` when releases are tags or folders.
    fn branch(&self) -> Option<String> {
        None
    }
}

/// The release at `rev` of a format whose releases are tags: the version its manifest (in
/// `folder`) states, read by `version_of`; a manifest that is missing or states none is a
/// registry problem naming `field`.
pub(super) fn tagged_release(
    at: Reader,
    folder: &str,
    rev: &str,
    reference: &str,
    manifest: &str,
    field: &str,
    version_of: &dyn Fn(&[u8]) -> Option<String>,
) -> Result<ReleaseRef> {
    let manifest = crate::registry::source::join(folder, manifest);
    let version = at
        .source
        .read_file(Some(rev), &manifest)?
        .as_deref()
        .and_then(version_of)
        .and_then(|v| Version::parse(&v));
    match version {
        Some(version) => Ok(ReleaseRef {
            version,
            path: folder.to_string(),
            rev: Some(rev.to_string()),
        }),
        None => Err(crate::diagnostic::Diagnostic::plain(format!(
            "registry `{}`: `{manifest}` at `{reference}` is missing or states no valid {field}",
            at.registry
        ))
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::source::memory::Memory;

    /// One pack's releases as [`Format::pack_releases`] lists them, or `None`.
    fn one(format: &dyn Format, source: &Memory, pack: &str) -> Option<Vec<String>> {
        let at = Reader {
            registry: "r",
            source,
            warnings: &Default::default(),
        };
        let list = format.pack_releases(at, pack).unwrap()?;
        Some(
            list.iter()
                .map(|r| format!("{} {} {}", r.version, r.path, r.rev.as_deref().unwrap()))
                .collect(),
        )
    }

    /// The same pack's releases as the whole index lists them.
    fn indexed(format: &dyn Format, source: &Memory, pack: &str) -> Vec<String> {
        let at = Reader {
            registry: "r",
            source,
            warnings: &Default::default(),
        };
        let index = format.index(at).unwrap();
        index
            .get(pack)
            .into_iter()
            .flatten()
            .map(|r| format!("{} {} {}", r.version, r.path, r.rev.as_deref().unwrap()))
            .collect()
    }

    #[test]
    fn one_packs_tags_are_what_the_index_lists_for_it() {
        let strata = Memory::default().with_tags(&[
            "calico/v3.27.1",
            "calico/v3.27.2",
            "calico-extra/v1.0.0",
            "calico/vx",
            "calico/3.28.0",
            "team/calico/v9.0.0",
            "cilium/v1.15.0",
            "calico/v3.28.0-rc.1",
        ]);
        let f = super::strata::Strata;
        for pack in ["calico", "calico-extra", "cilium", "none"] {
            assert_eq!(
                one(&f, &strata, pack).unwrap(),
                indexed(&f, &strata, pack),
                "{pack}"
            );
        }
        assert_eq!(
            one(&f, &strata, "calico").unwrap(),
            [
                "3.27.1 calico calico/v3.27.1",
                "3.27.2 calico calico/v3.27.2",
                "3.28.0-rc.1 calico calico/v3.28.0-rc.1"
            ]
        );
        // A `v1.2.0` tag belongs to the pack its manifest names: only the index can tell.
        let single = Memory::default().with_tags(&["v1.0.0", "calico/v3.27.1"]);
        assert_eq!(one(&f, &single, "calico"), None);

        let helm = Memory::default()
            .with_tags(&[
                "argo-cd-7.1.0",
                "argo-cd-7.2.0",
                "argo-cd-image-updater-0.9.1",
                "argo-cd-v7.3.0",
                "argo-7.0.0",
                "argo-cd",
                "cert-manager-1.14.0",
                "yace-0.39.1",
                "ghost-1.0.0",
            ])
            .with("argo-cd/Chart.yaml", "name: argo-cd\n")
            .with(
                "argo-cd-image-updater/Chart.yaml",
                "name: argo-cd-image-updater\n",
            )
            .with("argo/Chart.yaml", "name: argo\n")
            .with("cert-manager/Chart.yaml", "name: cert-manager\n")
            .with("prometheus-yace/Chart.yaml", "name: yace\n");
        let f = super::helm::Helm { chart_repo: None };
        for pack in [
            "argo-cd",
            "argo-cd-image-updater",
            "argo",
            "cert-manager",
            "yace",
            "ghost",
            "none",
        ] {
            assert_eq!(
                one(&f, &helm, pack).unwrap(),
                indexed(&f, &helm, pack),
                "{pack}"
            );
        }
        assert_eq!(one(&f, &helm, "argo-cd").unwrap().len(), 3);
        // A chart's tags name its Chart.yaml `name`, not its folder.
        assert_eq!(
            one(&f, &helm, "yace").unwrap(),
            ["0.39.1 prometheus-yace yace-0.39.1"]
        );
        assert_eq!(one(&f, &helm, "ghost").unwrap(), Vec::<String>::new());
    }
}
