//! `clusters/<name>/cluster.toml`: the file format, the clusters of a catalog, and the
//! releases of a profile a cluster may pin.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use toml::Spanned;

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::error::{Error, Result};
use crate::model::config::is_identifier;
use crate::model::variable::ValueTable;
use crate::model::version::Version;

/// The folder of cluster files, at the catalog root.
pub const DIR: &str = "clusters";
pub const FILE_NAME: &str = "cluster.toml";

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClusterFile {
    cluster: ClusterMeta,
    #[serde(default)]
    addon: Vec<AddonDecl>,
    #[schemars(with = "Option<std::collections::BTreeMap<String, serde_json::Value>>")]
    variables: Option<Spanned<ValueTable>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ClusterMeta {
    #[schemars(with = "Option<String>")]
    name: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    #[schemars(with = "String")]
    profile: Spanned<String>,
    #[schemars(with = "Option<String>")]
    version: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    tags: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct AddonDecl {
    #[schemars(with = "String")]
    profile: Spanned<String>,
    #[schemars(with = "Option<String>")]
    version: Option<Spanned<String>>,
}

/// A profile a cluster pins: its name, and the release (`None`: the working tree).
#[derive(Debug, Clone)]
pub struct ProfileRef {
    pub profile: Spanned<String>,
    pub version: Option<(Spanned<String>, Version)>,
}

impl ProfileRef {
    /// The release tag, when pinned.
    pub fn tag(&self) -> Option<String> {
        self.version
            .as_ref()
            .map(|(_, v)| release_tag(self.profile.get_ref(), v))
    }

    /// `aws-prod 1.2.0`, or `aws-prod (working tree)`.
    pub fn label(&self) -> String {
        match &self.version {
            Some((_, v)) => format!("{} {v}", self.profile.get_ref()),
            None => format!("{} (working tree)", self.profile.get_ref()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Cluster {
    pub name: String,
    pub description: String,
    pub source: Source,
    pub profile: ProfileRef,
    pub addons: Vec<ProfileRef>,
    pub tags: Vec<Spanned<String>>,
    pub variables: ValueTable,
    /// Where `[variables]` is (or the `profile` key, without it), for problems about a
    /// variable the file does not give.
    pub variables_span: std::ops::Range<usize>,
}

/// The release tag of a profile version.
pub fn release_tag(profile: &str, version: &Version) -> String {
    format!("profiles/{profile}/v{version}")
}

impl Cluster {
    pub fn parse(
        source: Source,
        folder_name: &str,
    ) -> std::result::Result<Cluster, Vec<Diagnostic>> {
        let file: ClusterFile = source.parse().map_err(|d| vec![d])?;
        let mut problems = Vec::new();
        let at = |span, msg: String| Diagnostic::at(&source, span, msg);
        let name = match &file.cluster.name {
            Some(n) => {
                if !is_identifier(n.get_ref()) {
                    problems.push(
                        at(n.span(), format!("invalid cluster name `{}`", n.get_ref()))
                            .with_hint("use lowercase letters, digits, `-`, `_` and `.`"),
                    );
                }
                n.get_ref().clone()
            }
            None => folder_name.to_string(),
        };
        let mut pin = |profile: Spanned<String>, version: Option<Spanned<String>>| {
            let version = version.and_then(|v| match Version::parse(v.get_ref()) {
                Some(parsed) => Some((v, parsed)),
                None => {
                    problems.push(
                        at(v.span(), format!("invalid profile version `{}`", v.get_ref()))
                            .with_hint("a release version such as `1.2.0` (its tag is profiles/<profile>/v1.2.0)"),
                    );
                    None
                }
            });
            ProfileRef { profile, version }
        };
        let profile = pin(file.cluster.profile, file.cluster.version);
        let addons: Vec<ProfileRef> = file
            .addon
            .into_iter()
            .map(|a| pin(a.profile, a.version))
            .collect();
        let variables_span = file
            .variables
            .as_ref()
            .map_or(profile.profile.span(), |v| v.span());
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Cluster {
            name,
            description: file.cluster.description,
            source,
            profile,
            addons,
            tags: file.cluster.tags,
            variables: file.variables.map(Spanned::into_inner).unwrap_or_default(),
            variables_span,
        })
    }

    pub fn file(&self) -> &str {
        &self.source.name
    }
}

/// A cluster file and what parsing it gave.
pub type LoadedCluster = (String, std::result::Result<Cluster, Vec<Diagnostic>>);

/// Every `clusters/<name>/cluster.toml`, sorted by path; names are unique.
pub fn load_clusters(catalog: &Catalog) -> Result<Vec<LoadedCluster>> {
    let mut out: Vec<LoadedCluster> = Vec::new();
    for (path, kind) in catalog.files.walk(DIR, true)? {
        if kind.is_other() {
            continue;
        }
        let Some(dir) = path.strip_suffix(FILE_NAME) else {
            continue;
        };
        if !(dir.is_empty() || dir.ends_with('/')) {
            continue;
        }
        let file = format!("{DIR}/{path}");
        let folder = format!("{DIR}/{}", dir.trim_end_matches('/'));
        let folder_name = folder.rsplit('/').next().unwrap_or(&folder).to_string();
        let parsed = match crate::error::problems(catalog.files.read(&file))? {
            Ok(bytes) => match Source::from_bytes(&file, &bytes.unwrap_or_default()) {
                Ok(source) => Cluster::parse(source, &folder_name),
                Err(d) => Err(vec![d]),
            },
            Err(d) => Err(d),
        };
        out.push((file, parsed));
    }
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for (file, parsed) in &mut out {
        let Ok(c) = parsed else { continue };
        match first.get(&c.name) {
            Some(other) => {
                *parsed = Err(vec![
                    Diagnostic::file(
                        file.as_str(),
                        format!("cluster name `{}` is already used by `{other}`", c.name),
                    )
                    .with_hint("cluster names are unique; set a distinct `name` in `[cluster]`"),
                ]);
            }
            None => {
                first.insert(c.name.clone(), file.clone());
            }
        }
    }
    Ok(out)
}

/// The released versions of a profile: its tags `profiles/<profile>/v<version>`, oldest
/// first (none when the catalog is not in a git repository).
pub fn releases(catalog: &Catalog, profile: &str) -> Vec<Version> {
    release_tags(catalog, &format!("profiles/{profile}/v*"))
        .remove(profile)
        .unwrap_or_default()
}

/// Every profile's released versions, oldest first, from one listing of the tags.
pub fn all_releases(catalog: &Catalog) -> BTreeMap<String, Vec<Version>> {
    release_tags(catalog, "profiles/*/v*")
}

/// The versions of the release tags matching `pattern`, by profile.
fn release_tags(catalog: &Catalog, pattern: &str) -> BTreeMap<String, Vec<Version>> {
    let mut out: BTreeMap<String, Vec<Version>> = BTreeMap::new();
    let Ok(repo) = git2::Repository::discover(&catalog.root) else {
        return out;
    };
    let Ok(names) = repo.tag_names(Some(pattern)) else {
        return out;
    };
    for name in names.iter() {
        let Some((profile, version)) = name
            .ok()
            .flatten()
            .and_then(|n| n.strip_prefix("profiles/"))
            .and_then(|rest| rest.rsplit_once("/v"))
        else {
            continue;
        };
        if let Some(v) = Version::parse(version)
            && !profile.contains('/')
        {
            out.entry(profile.to_string()).or_default().push(v);
        }
    }
    for versions in out.values_mut() {
        versions.sort();
        versions.dedup();
    }
    out
}

/// The named clusters (all when none is named); an unknown name is a usage error with the
/// near miss.
pub fn select(loaded: Vec<LoadedCluster>, names: &[String]) -> Result<Vec<LoadedCluster>> {
    if names.is_empty() {
        return Ok(loaded);
    }
    let known = self::names(&loaded);
    for n in names {
        if !known.contains(n) {
            return Err(Error::usage_hint(
                format!("no cluster named `{n}`"),
                suggest(n, known.iter().map(String::as_str)).or_else(|| {
                    known
                        .is_empty()
                        .then(|| format!("a cluster is `{}/<name>/{}`", DIR, FILE_NAME))
                }),
            ));
        }
    }
    Ok(loaded
        .into_iter()
        .filter(|(_, c)| c.as_ref().is_ok_and(|c| names.contains(&c.name)))
        .collect())
}

/// One cluster by name, parsed; an unknown name is a usage error with the near miss.
pub fn find(catalog: &Catalog, name: &str) -> Result<Cluster> {
    let loaded = select(
        load_clusters(catalog)?,
        std::slice::from_ref(&name.to_string()),
    )?;
    match loaded.into_iter().next() {
        Some((_, parsed)) => parsed.map_err(Error::Catalog),
        None => Err(Error::Internal("a selected cluster was lost".to_string())),
    }
}

/// The clusters' names, for near misses.
pub fn names(loaded: &[LoadedCluster]) -> BTreeSet<String> {
    loaded
        .iter()
        .filter_map(|(_, c)| c.as_ref().ok().map(|c| c.name.clone()))
        .collect()
}
