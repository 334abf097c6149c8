//! `strata site`: a static website of the catalog for the people who use its profiles. The
//! records here ([`Site`]) are gathered from the locks, the release tags and the cache only
//! (nothing is fetched, nothing re-resolved) and are what `--format json` prints; [`html`]
//! turns them into pages with the templates in `templates/site/`.

mod history;
pub(crate) mod html;
mod packs;
mod profiles;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::error::Result;
use crate::registry::Settings;

pub const SCHEMA_VERSION: u32 = 1;

/// Everything the site shows.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Site {
    pub schema_version: u32,
    /// `[catalog] name`.
    pub catalog: String,
    pub profiles: Vec<ProfilePage>,
    pub clusters: Vec<ClusterPage>,
    pub packs: Vec<PackPage>,
    /// Every layer type in stack order, for the matrix's columns.
    pub layer_columns: Vec<String>,
}

/// A profile, as its page shows it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProfilePage {
    /// `[profile] name`, or the folder's name for a profile that does not parse.
    pub name: String,
    /// The page, relative to the site's root (`profiles/<name>.html`).
    pub page: String,
    pub file: String,
    pub description: String,
    pub cloud: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub tags: Vec<String>,
    /// The profiles it extends, nearest first.
    pub bases: Vec<Link>,
    /// `current`, `stale`, `missing` (no lock file) or `invalid` (the profile has problems).
    pub lock: &'static str,
    /// What is wrong, as `strata validate` says it.
    pub problems: Vec<String>,
    /// Its layers as locked (OS first).
    pub layers: Vec<LayerRecord>,
    /// Its releases (`profiles/<name>/v<version>` tags), newest first.
    pub releases: Vec<ReleaseRecord>,
    /// The newest stable release, if any.
    pub newest_release: Option<String>,
    /// The clusters that pin it, as their profile or an add-on profile.
    pub clusters: Vec<PinRecord>,
}

/// A page and the name that links to it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Link {
    pub name: String,
    pub page: String,
}

/// One locked layer.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LayerRecord {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub pack: String,
    /// The pack's page.
    pub pack_page: String,
    pub registry: String,
    pub requested: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    pub charts: Vec<ChartRecord>,
    pub freshness: Freshness,
    /// Every parameter's effective value and where it came from (as `strata explain`);
    /// empty when the lock is not current.
    pub values: Vec<ValueRecord>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ChartRecord {
    pub name: String,
    pub repo: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl ChartRecord {
    /// A chart as a pack names it (`name`, `repo`, `version`), and its digest if known.
    fn of(chart: (&str, &str, &str), digest: Option<String>) -> ChartRecord {
        ChartRecord {
            name: chart.0.to_string(),
            repo: chart.1.to_string(),
            version: chart.2.to_string(),
            digest,
        }
    }
}

/// How a locked release stands against the releases the cache knows.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Freshness {
    /// `current` (the newest of its train and overall), `behind` (a newer release in its
    /// train), `newer-train` (a newer release only outside its train) or `unknown` (the
    /// registry's releases are not in the cache).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_in_train: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ValueRecord {
    pub name: String,
    /// The value as TOML; `(sensitive)` for a secret.
    pub value: String,
    /// Where it came from: `pack default`, `<file>:<line>`, `from <layer>.<param> (…)`, and
    /// the variable it is.
    pub origin: String,
}

/// A release of a profile and what it changed against the one before.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReleaseRecord {
    pub version: String,
    pub tag: String,
    /// One line per change (as `strata diff`), empty for the first release.
    pub changes: Vec<String>,
    /// Why the changes could not be read, when they could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A cluster's pin of a profile.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PinRecord {
    pub cluster: String,
    pub cluster_page: String,
    pub profile: String,
    pub profile_page: String,
    /// The pinned release (`None`: the working tree).
    pub version: Option<String>,
    /// The profile's newest stable release, when it is newer than the pin.
    pub newer: Option<String>,
}

/// A cluster, as its page shows it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ClusterPage {
    pub name: String,
    pub page: String,
    pub file: String,
    pub description: String,
    pub tags: Vec<String>,
    /// Its profile, then its add-on profiles.
    pub pins: Vec<PinRecord>,
    /// `[variables]`, sensitive ones masked.
    pub variables: Vec<VariableRecord>,
    pub problems: Vec<String>,
    /// What moving each pin to its profile's newest release would change (as `strata diff`).
    pub upgrade: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct VariableRecord {
    pub name: String,
    pub value: String,
}

/// A pack some profile uses, as its page shows it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PackPage {
    pub name: String,
    pub registry: String,
    pub page: String,
    pub description: String,
    pub layer: String,
    /// The release the parameters are shown for: the newest one a profile locks.
    pub version: String,
    /// Every release the cache knows, newest first (empty when none is cached).
    pub releases: Vec<String>,
    pub requires: Vec<String>,
    pub conflicts: Vec<String>,
    pub params: Vec<ParamRecord>,
    pub charts: Vec<ChartRecord>,
    /// Which profiles use which release.
    pub used_by: Vec<UseRecord>,
    pub problems: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ParamRecord {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// The default as TOML, if any.
    pub default: Option<String>,
    pub required: bool,
    pub description: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct UseRecord {
    pub profile: String,
    pub profile_page: String,
    pub layer: String,
    pub version: String,
}

/// Gathers the site of `catalog`. `settings` opens the catalog at each release tag (to say
/// what a release changed); they should read the cache only.
pub fn gather(catalog: &Catalog, settings: &Settings) -> Result<Site> {
    let clusters = crate::cluster::load_clusters(catalog)?;
    let mut history = history::History::new(catalog, settings);
    let (mut profiles, sensitive) = profiles::all(catalog, &mut history)?;
    let clusters = history::clusters(&clusters, &mut profiles, &sensitive, &mut history)?;
    let packs = packs::all(catalog, &profiles)?;
    let mut columns: Vec<String> = Vec::new();
    for l in profiles.iter().flat_map(|p| &p.layers) {
        if !columns.contains(&l.name) {
            columns.push(l.name.clone());
        }
    }
    Ok(Site {
        schema_version: SCHEMA_VERSION,
        catalog: catalog.config.catalog.name.get_ref().clone(),
        profiles,
        clusters,
        packs,
        layer_columns: columns,
    })
}

/// The page of a profile named `name`.
pub fn page_of(name: &str) -> String {
    format!("profiles/{}.html", slug(name))
}

/// The page of a pack of a registry.
pub fn pack_page(registry: &str, pack: &str) -> String {
    format!("packs/{}/{}.html", slug(registry), slug(pack))
}

/// The page of a cluster named `name`.
pub fn cluster_page(name: &str) -> String {
    format!("clusters/{}.html", slug(name))
}

/// A file name for a name from the catalog: itself when it is a plain name (what valid
/// profiles, clusters, registries and packs are), else a readable part and a digest, so
/// that no name can reach outside its folder or collide with another.
pub fn slug(name: &str) -> String {
    let plain = !name.is_empty()
        && name.len() <= 100
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if plain {
        return name.to_string();
    }
    let readable: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(40)
        .collect::<String>()
        .to_ascii_lowercase();
    let digest = crate::digest::sha256(name.as_bytes());
    let hex = digest.trim_start_matches("sha256:");
    format!("x-{readable}-{}", &hex[..12])
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_keep_plain_names_and_confine_the_rest() {
        assert_eq!(super::slug("aws-prod"), "aws-prod");
        assert_eq!(super::slug("calico.v3_x"), "calico.v3_x");
        for hostile in ["..", "../etc", "<script>", "a/b", "", "Aws", ".hidden"] {
            let s = super::slug(hostile);
            assert!(s.starts_with("x-"), "{hostile}: {s}");
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{hostile}: {s}"
            );
        }
        assert_ne!(super::slug("<a>"), super::slug("<b>"));
    }
}
