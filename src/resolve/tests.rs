//! Resolution on an in-memory registry: preferences, locks, and explanations.

use std::path::{Path, PathBuf};

use super::{Preferences, resolve, why_not};
use crate::catalog::Catalog;
use crate::diagnostic::Source;
use crate::files::Files;
use crate::lockfile::{Lock, LockedLayer};
use crate::model::config::Config;
use crate::output::{Output, OutputFormat, Verbosity};
use crate::profile::Profile;
use crate::registry::format::strata::Strata;
use crate::registry::source::memory::Memory;
use crate::registry::{Registries, Registry};

const QUIET: Output = Output {
    format: OutputFormat::Text,
    verbosity: Verbosity::Quiet,
};

/// A `pack.toml` of `layer`, with `extra` TOML after the `[pack]` table.
fn pack(name: &str, version: &str, layer: &str, extra: &str) -> String {
    format!("[pack]\nname = \"{name}\"\nversion = \"{version}\"\nlayer = \"{layer}\"\n{extra}")
}

/// Kubernetes 1.30.2, 1.31.1 and 1.32.0-rc.1; calico 3.27.0 (kubernetes < 1.32) and 3.28.0
/// (kubernetes < 1.31); an OS and a CSI.
fn registry() -> Memory {
    let kube_max =
        |max: &str| format!("[[requires]]\nlayer = \"kubernetes\"\nversion = \">=1.29, <{max}\"\n");
    Memory::default()
        .with("ubuntu/24.04/pack.toml", &pack("ubuntu", "24.04", "os", ""))
        .with(
            "kubernetes/1.30.2/pack.toml",
            &pack("kubernetes", "1.30.2", "kubernetes", ""),
        )
        .with(
            "kubernetes/1.31.1/pack.toml",
            &pack("kubernetes", "1.31.1", "kubernetes", ""),
        )
        .with(
            "kubernetes/1.32.0-rc.1/pack.toml",
            &pack("kubernetes", "1.32.0-rc.1", "kubernetes", ""),
        )
        .with(
            "calico/3.27.0/pack.toml",
            &pack("calico", "3.27.0", "network", &kube_max("1.32")),
        )
        .with(
            "calico/3.28.0/pack.toml",
            &pack("calico", "3.28.0", "network", &kube_max("1.31")),
        )
        .with("csi/1.0.0/pack.toml", &pack("csi", "1.0.0", "storage", ""))
}

fn catalog() -> Catalog {
    let config_source = Source::new("strata.toml", "[catalog]\nname = \"t\"\n");
    let config = Config::parse(&config_source).unwrap();
    let registry = Registry::new("mem", Box::new(registry()), Box::new(Strata));
    Catalog::new(
        Path::new("/nonexistent"),
        Files::Disk(PathBuf::from("/nonexistent")),
        config,
        config_source,
        Registries::new(vec![registry], QUIET),
    )
}

fn profile(kube: &str, calico: &str) -> Profile {
    let text = format!(
        "[profile]\ncloud = \"aws\"\n\n[[layer]]\ntype = \"os\"\npack = \"ubuntu\"\nversion = \"x\"\n\n\
         [[layer]]\ntype = \"kubernetes\"\npack = \"kubernetes\"\nversion = \"{kube}\"\n\n\
         [[layer]]\ntype = \"network\"\npack = \"calico\"\nversion = \"{calico}\"\n\n\
         [[layer]]\ntype = \"storage\"\npack = \"csi\"\nversion = \"x\"\n"
    );
    Profile::parse(
        Source::new("profiles/p/profile.toml", text),
        "profiles/p",
        "p",
    )
    .unwrap()
}

/// The chosen `pack version` of every layer, or the problems' messages.
fn chosen(
    catalog: &Catalog,
    profile: &Profile,
    prefs: &Preferences,
) -> Result<Vec<String>, Vec<String>> {
    match resolve(catalog, profile, prefs).unwrap() {
        Ok(c) => Ok(c
            .iter()
            .map(|c| format!("{} {}", c.pack.name, c.pack.version))
            .collect()),
        Err(d) => Err(d.iter().map(|d| d.to_string()).collect()),
    }
}

#[test]
fn earlier_layers_get_the_newer_release() {
    // calico 3.28.0 would need kubernetes 1.30; the newer kubernetes wins and calico steps back.
    let c = catalog();
    assert_eq!(
        chosen(&c, &profile("1.x", "3.x"), &Preferences::default()),
        Ok(vec![
            "ubuntu 24.04".to_string(),
            "kubernetes 1.31.1".to_string(),
            "calico 3.27.0".to_string(),
            "csi 1.0.0".to_string(),
        ])
    );
    // Pinning the earlier layer lets the later one take its newest.
    assert_eq!(
        chosen(&c, &profile("1.30.x", "3.x"), &Preferences::default()).unwrap()[2],
        "calico 3.28.0"
    );
}

#[test]
fn pre_releases_only_when_pinned() {
    let c = catalog();
    assert_eq!(
        chosen(&c, &profile("1.32.x", "3.27.x"), &Preferences::default()),
        Err(vec![
            "profiles/p/profile.toml:12:11: `kubernetes` 1.32.x has no stable release\n    |\n 12 | version = \"1.32.x\"\n    |           ^^^^^^^^\n  hint: pre-releases are used only when pinned exactly: `1.32.0-rc.1`".to_string()
        ])
    );
    assert_eq!(
        chosen(&c, &profile("1.32.0-rc.1", "3.27.x"), &Preferences::default()),
        Err(vec![
            "profiles/p/profile.toml:12:11: calico 3.27.x (line 14) requires kubernetes >=1.29, <1.32, but this layer asks for kubernetes 1.32.0-rc.1\n    |\n 12 | version = \"1.32.0-rc.1\"\n    |           ^^^^^^^^^^^^^\n  hint: choose kubernetes releases in `>=1.29, <1.32`, or calico releases that accept kubernetes 1.32.0-rc.1".to_string()
        ])
    );
}

#[test]
fn a_locked_release_is_kept_until_unlocked() {
    let c = catalog();
    let p = profile("1.x", "3.x");
    let first = resolve(&c, &profile("1.30.x", "3.x"), &Preferences::default())
        .unwrap()
        .unwrap_or_else(|d| panic!("{d:?}"));
    // A lock made when the profile asked for 1.30.x: kubernetes 1.30.2, calico 3.28.0.
    let layers = first
        .iter()
        .zip(&p.layers)
        .map(|(c, layer)| LockedLayer {
            ty: c.layer.ty,
            name: c.layer.name.clone(),
            pack: c.pack.name.clone(),
            registry: c.registry.name.clone(),
            source: c.registry.source(),
            path: c.release.path.clone(),
            requested: layer.requested.get_ref().clone(),
            version: c.pack.version.clone(),
            tag: None,
            commit: None,
            digest: c.pack.digest.clone(),
            signer: None,
            values: None,
            rendered: None,
            charts: Vec::new(),
        })
        .collect();
    let lock = Lock {
        profile: "p".into(),
        inputs: String::new(),
        bases: Vec::new(),
        layers,
    };
    let prefs = Preferences {
        lock: Some(&lock),
        ..Preferences::default()
    };
    assert_eq!(
        chosen(&c, &p, &prefs).unwrap()[1..3],
        ["kubernetes 1.30.2", "calico 3.28.0"]
    );
    let unlocked = Preferences {
        lock: Some(&lock),
        unlock: ["kubernetes".to_string(), "calico".to_string()].into(),
        ..Preferences::default()
    };
    assert_eq!(
        chosen(&c, &p, &unlocked).unwrap()[1..3],
        ["kubernetes 1.31.1", "calico 3.27.0"]
    );
}

#[test]
fn why_a_newer_release_was_passed_over() {
    let c = catalog();
    let p = profile("1.x", "3.x");
    let picked = resolve(&c, &p, &Preferences::default()).unwrap().unwrap();
    let reg = c.registries.get("mem").unwrap();
    let releases = reg.releases("calico").unwrap();
    let newer = reg.pack("calico", releases.last().unwrap()).unwrap();
    assert_eq!(
        why_not(&p, &picked, 2, &newer).as_deref(),
        Some("it requires kubernetes >=1.29, <1.31, and layer `kubernetes` has kubernetes 1.31.1")
    );
}
