//! `strata.toml`, the catalog repository's root file: the catalog's name, where profiles
//! live, the registries in search order, and organisation-wide parameter defaults.

mod trust;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Source};

pub const FILE_NAME: &str = "strata.toml";

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub catalog: CatalogSection,
    #[serde(default)]
    #[schemars(with = "Vec<RegistryConfig>")]
    pub registry: Vec<Spanned<RegistryConfig>>,
    #[serde(default)]
    #[schemars(
        with = "std::collections::BTreeMap<String, std::collections::BTreeMap<String, serde_json::Value>>"
    )]
    pub defaults: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    /// Chart repositories read (and exported) from an internal copy.
    #[serde(default)]
    #[schemars(with = "Vec<MirrorConfig>")]
    pub mirror: Vec<Spanned<MirrorConfig>>,
}

/// `[[mirror]]`: a chart repository (a `[[chart]] repo` of a pack, or a registry's `url`)
/// read from, and exported as, an internal copy.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MirrorConfig {
    /// The repository as packs and registries write it.
    #[schemars(with = "String")]
    pub repo: Spanned<String>,
    /// The copy: an `https://` Helm repository or an `oci://` registry path.
    #[schemars(with = "String")]
    pub url: Spanned<String>,
    /// The copy speaks plain HTTP to a host that is not this machine.
    #[schemars(with = "Option<bool>")]
    pub plain_http: Option<Spanned<bool>>,
}

impl MirrorConfig {
    pub fn plain_http(&self) -> bool {
        self.plain_http.as_ref().is_some_and(|p| *p.get_ref())
    }
}

/// Two spellings of one repository URL are the same repository (`…/charts/` and `…/charts`).
pub fn same_repo(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

impl Config {
    /// The mirror of repository `repo`, if one is configured.
    pub fn mirror_of(&self, repo: &str) -> Option<&MirrorConfig> {
        self.mirror
            .iter()
            .map(|m| m.get_ref())
            .find(|m| same_repo(m.repo.get_ref(), repo))
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogSection {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    #[serde(default = "default_profiles")]
    #[schemars(with = "String")]
    pub profiles: Spanned<String>,
    /// Resolve every chart a strata or palette pack delivers in its repository, and record
    /// its digest in the lock (`[[layer.chart]]`).
    #[serde(default)]
    pub lock_charts: bool,
}

fn default_profiles() -> Spanned<String> {
    Spanned::new(0..0, "profiles".to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistryKind {
    Builtin,
    Git,
    Dir,
    /// A Helm chart repository over HTTP(S): `<url>/index.yaml` and chart archives.
    Helm,
    /// An OCI registry (the Distribution API): a pack is the repository `<url>/<pack>`.
    Oci,
}

impl RegistryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistryKind::Builtin => "builtin",
            RegistryKind::Git => "git",
            RegistryKind::Dir => "dir",
            RegistryKind::Helm => "helm",
            RegistryKind::Oci => "oci",
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    #[schemars(with = "RegistryKind")]
    pub kind: Spanned<RegistryKind>,
    #[schemars(with = "Option<String>")]
    pub url: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub path: Option<Spanned<String>>,
    /// How the registry lays out its releases (default: strata's own).
    #[schemars(with = "Option<RegistryFormat>")]
    pub format: Option<Spanned<RegistryFormat>>,
    /// A palette git registry: the branch whose folders are the releases (default: the
    /// remote's default branch).
    #[serde(rename = "ref")]
    #[schemars(with = "Option<String>")]
    pub git_ref: Option<Spanned<String>>,
    /// A helm registry: the Helm repository its charts are published to (for exports).
    #[schemars(with = "Option<String>")]
    pub chart_repo: Option<Spanned<String>>,
    /// A chart repository over HTTP: allow `http://` to a host that is not loopback.
    #[schemars(with = "Option<bool>")]
    pub plain_http: Option<Spanned<bool>>,
    /// A git registry: the file of the catalog repository that lists who may sign its
    /// release tags (an SSH allowed-signers file, or an OpenPGP keyring `.asc`).
    #[schemars(with = "Option<String>")]
    pub signers: Option<Spanned<String>>,
    /// An OCI registry: the file of the catalog repository with the cosign public key
    /// (PEM) whose signature each release must carry.
    #[schemars(with = "Option<String>")]
    pub cosign_key: Option<Spanned<String>>,
    /// A helm registry: the file of the catalog repository with the OpenPGP keyring (`.asc`)
    /// that each release's provenance file (`.prov`) must verify with.
    #[schemars(with = "Option<String>")]
    pub keyring: Option<Spanned<String>>,
}

/// How a registry lays out its releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RegistryFormat {
    /// strata's `pack.toml` packs.
    Strata,
    /// Spectro Cloud Palette pack folders (`pack.json`).
    Palette,
    /// Helm charts in the chart-releaser layout (`Chart.yaml`, tags `<chart>-<version>`).
    Helm,
}

impl RegistryFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistryFormat::Strata => "strata",
            RegistryFormat::Palette => "palette",
            RegistryFormat::Helm => "helm",
        }
    }
}

impl RegistryConfig {
    pub fn format(&self) -> RegistryFormat {
        let default = match self.kind.get_ref() {
            RegistryKind::Helm | RegistryKind::Oci => RegistryFormat::Helm,
            _ => RegistryFormat::Strata,
        };
        self.format.as_ref().map_or(default, |f| *f.get_ref())
    }
}

impl Config {
    /// Parses and checks `strata.toml`: registry names unique, each kind with the keys it needs.
    pub fn parse(source: &Source) -> Result<Config, Vec<Diagnostic>> {
        let config: Config = source.parse().map_err(|d| vec![d])?;
        let mut problems = Vec::new();
        let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
        for reg in &config.registry {
            let name = reg.get_ref().name.get_ref();
            let twice = seen.insert(name, ()).is_some();
            problems.extend(check_registry(source, reg, twice));
        }
        problems.extend(check_mirrors(source, &config.mirror));
        if let Err(why) = check_relative_path(config.catalog.profiles.get_ref()) {
            problems.push(Diagnostic::at(source, config.catalog.profiles.span(), why));
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }
}

/// One `[[registry]]` entry (`twice`: its name was used before): a valid name, and the
/// keys its kind and format take.
fn check_registry(source: &Source, reg: &Spanned<RegistryConfig>, twice: bool) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let r = reg.get_ref();
    let name = r.name.get_ref();
    if !is_identifier(name) {
        problems.push(
            Diagnostic::at(
                source,
                r.name.span(),
                format!("invalid registry name `{name}`"),
            )
            .with_hint("use lowercase letters, digits, `-` and `_`"),
        );
    }
    if twice {
        problems.push(Diagnostic::at(
            source,
            r.name.span(),
            format!("registry `{name}` is defined twice"),
        ));
    }
    let fmt = r.format();
    if let Some(f) = &r.format
        && *r.kind.get_ref() == RegistryKind::Builtin
    {
        problems.push(Diagnostic::at(
            source,
            f.span(),
            "the builtin registry is in strata's format; `format` is for git and dir registries",
        ));
    }
    if let Some(v) = &r.git_ref
        && !(fmt == RegistryFormat::Palette && *r.kind.get_ref() == RegistryKind::Git)
    {
        problems.push(
            Diagnostic::at(source, v.span(), "`ref` is for git registries in the palette format")
                .with_hint("a palette repository's releases are the folders at this branch; strata and helm registries release with tags"),
        );
    }
    if let Some(f) = &r.format
        && *r.kind.get_ref() == RegistryKind::Helm
        && fmt != RegistryFormat::Helm
    {
        problems.push(Diagnostic::at(
            source,
            f.span(),
            "a helm registry holds Helm charts; its format is `helm`",
        ));
    }
    if let Some(f) = &r.format
        && *r.kind.get_ref() == RegistryKind::Oci
        && fmt == RegistryFormat::Strata
    {
        problems.push(Diagnostic::at(
            source,
            f.span(),
            "an oci registry holds Helm charts (`helm`) or Palette packs (`palette`)",
        ));
    }
    if let Some(v) = &r.plain_http
        && !matches!(r.kind.get_ref(), RegistryKind::Helm | RegistryKind::Oci)
    {
        problems.push(Diagnostic::at(
            source,
            v.span(),
            "`plain_http` is for chart repositories and OCI registries",
        ));
    }
    if let Some(v) = &r.chart_repo {
        if matches!(r.kind.get_ref(), RegistryKind::Helm | RegistryKind::Oci) {
            problems.push(
                Diagnostic::at(
                    source,
                    v.span(),
                    "a helm registry's charts are published at its `url`",
                )
                .with_hint("remove `chart_repo`"),
            );
        } else if fmt != RegistryFormat::Helm {
            problems.push(Diagnostic::at(
                source,
                v.span(),
                "`chart_repo` is for registries in the helm format",
            ));
        } else if !v.get_ref().starts_with("https://") && !v.get_ref().starts_with("oci://") {
            problems.push(Diagnostic::at(
                source,
                v.span(),
                format!("chart repository `{}` is neither an `https://` Helm repository nor an `oci://` registry", v.get_ref()),
            ));
        }
    }
    problems.extend(trust::check_trust_keys(source, r));
    problems.extend(check_kind_keys(source, reg));
    if let Some(path) = &r.path {
        // A dir registry's folder stays inside the catalog, a git registry's `path`
        // inside its repository.
        if let Err(why) = check_relative_path(path.get_ref()) {
            problems.push(Diagnostic::at(source, path.span(), why));
        }
    }
    problems
}

/// The keys a registry's kind needs and refuses (`url`, `path`).
fn check_kind_keys(source: &Source, reg: &Spanned<RegistryConfig>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let r = reg.get_ref();
    let name = r.name.get_ref();
    match r.kind.get_ref() {
        RegistryKind::Builtin => {
            for (key, value) in [("url", &r.url), ("path", &r.path)] {
                if let Some(v) = value {
                    problems.push(Diagnostic::at(
                        source,
                        v.span(),
                        format!("a builtin registry takes no `{key}`"),
                    ));
                }
            }
        }
        RegistryKind::Dir => {
            if let Some(url) = &r.url {
                problems.push(
                    Diagnostic::at(source, url.span(), "a dir registry takes `path`, not `url`")
                        .with_hint("write `path = \"packs\"` (relative to the catalog root)"),
                );
            } else if r.path.is_none() {
                problems.push(
                    Diagnostic::at(
                        source,
                        reg.span(),
                        format!("dir registry `{name}` needs a `path`"),
                    )
                    .with_hint("write `path = \"packs\"` (relative to the catalog root)"),
                );
            }
        }
        RegistryKind::Git => {
            if r.url.is_none() {
                problems.push(Diagnostic::at(
                    source,
                    reg.span(),
                    format!("git registry `{name}` needs a `url`"),
                ));
            }
        }
        RegistryKind::Helm => problems.extend(check_helm_keys(source, reg)),
        RegistryKind::Oci => {
            if let Some(path) = &r.path {
                problems.push(
                    Diagnostic::at(source, path.span(), "an oci registry takes no `path`")
                        .with_hint(
                            "put the repositories' prefix in `url`: `oci://ghcr.io/example/charts`",
                        ),
                );
            }
            match &r.url {
                None => problems.push(Diagnostic::at(
                    source,
                    reg.span(),
                    format!("oci registry `{name}` needs a `url`"),
                )),
                Some(url) => {
                    let plain = r.plain_http.as_ref().is_some_and(|p| *p.get_ref());
                    if let Err(why) = crate::model::http_url::check_oci(url.get_ref(), plain) {
                        problems
                            .push(Diagnostic::at(source, url.span(), why.0).with_hint_opt(why.1));
                    }
                }
            }
        }
    }
    problems
}

/// A helm registry: an `http(s)://` `url` (plain HTTP only to this machine or with
/// `plain_http = true`) and no `path`.
fn check_helm_keys(source: &Source, reg: &Spanned<RegistryConfig>) -> Vec<Diagnostic> {
    let r = reg.get_ref();
    let name = r.name.get_ref();
    let mut problems = Vec::new();
    if let Some(path) = &r.path {
        problems.push(
            Diagnostic::at(source, path.span(), "a helm registry takes no `path`")
                .with_hint("a chart repository's charts are listed by its `index.yaml`; put a sub-path in `url`"),
        );
    }
    let Some(url) = &r.url else {
        problems.push(
            Diagnostic::at(
                source,
                reg.span(),
                format!("helm registry `{name}` needs a `url`"),
            )
            .with_hint(
                "the URL that `index.yaml` is under, e.g. `url = \"https://charts.example.com\"`",
            ),
        );
        return problems;
    };
    let plain = r.plain_http.as_ref().is_some_and(|p| *p.get_ref());
    if let Err(why) = crate::model::http_url::check(url.get_ref(), plain) {
        problems.push(Diagnostic::at(source, url.span(), why.0).with_hint_opt(why.1));
    }
    problems
}

/// `[[mirror]]` entries: each repository mirrored once, each copy a URL strata reads.
fn check_mirrors(source: &Source, mirrors: &[Spanned<MirrorConfig>]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (i, m) in mirrors.iter().enumerate() {
        let m = m.get_ref();
        let repo = m.repo.get_ref();
        if !["https://", "http://", "oci://"]
            .iter()
            .any(|p| repo.starts_with(p))
        {
            problems.push(Diagnostic::at(
                source,
                m.repo.span(),
                "a mirrored repository is an `https://` Helm repository or an `oci://` registry path",
            ));
        }
        if mirrors[..i]
            .iter()
            .any(|o| same_repo(o.get_ref().repo.get_ref(), repo))
        {
            problems.push(Diagnostic::at(
                source,
                m.repo.span(),
                "this repository is mirrored twice",
            ));
        }
        let url = m.url.get_ref();
        let checked = if url.starts_with("oci://") {
            crate::model::http_url::check_oci(url, m.plain_http()).map(|_| ())
        } else {
            crate::model::http_url::check(url, m.plain_http()).map(|_| ())
        };
        if let Err(why) = checked {
            problems.push(Diagnostic::at(source, m.url.span(), why.0).with_hint_opt(why.1));
        }
    }
    problems
}

/// Names of registries, packs, profiles and layers: `[a-z0-9][a-z0-9._-]*`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// A path written in a catalog file: never absolute, so that nothing written depends on
/// where the catalog is checked out.
pub fn check_not_absolute(p: &str) -> Result<(), String> {
    if p.starts_with('/') || p.starts_with('\\') || p.contains(':') || p.starts_with('~') {
        return Err(format!("path `{p}` must be relative"));
    }
    Ok(())
}

/// A folder inside the catalog or a repository: relative, `/`-separated, never leaving it.
pub fn check_relative_path(p: &str) -> Result<(), String> {
    check_not_absolute(p)?;
    if p.split(['/', '\\']).any(|c| c == "..") {
        return Err(format!("path `{p}` must not leave its root (`..`)"));
    }
    Ok(())
}
