//! No input may panic: every prefix and many single-byte mutations of real files are
//! parsed and checked through the library.

use std::collections::BTreeMap;

use strata::catalog::Catalog;
use strata::check::check_profile;
use strata::diagnostic::Source;
use strata::model::version::{Version, VersionSpec};
use strata::output::{Output, OutputFormat, Verbosity};
use strata::profile::Profile;
use strata::registry::Settings;
use strata::registry::format::strata::read_manifest;

const PROFILE: &str = r#"[profile]
name = "aws-prod"
cloud = "aws"
tags = ["env:prod"]

[[layer]]
type = "os"
pack = "ubuntu"
version = "22.04.x"

[[layer]]
type = "kubernetes"
pack = "kubernetes"
version = ">=1.35, <1.37"

[[layer]]
type = "network"
pack = "calico"
version = "3.x"
[layer.values]
mtu = 1450

[[layer]]
type = "storage"
pack = "aws-ebs-csi"
version = "1.64.0"

[[layer]]
type = "addon"
name = "monitoring"
pack = "kube-prometheus-stack"
version = "x"
[layer.values]
grafana_admin_secret = "grafana-admin"
"#;

/// Single-byte replacements that tend to break structure: quotes, brackets, digits,
/// newlines, multibyte characters.
const NOISE: [&str; 9] = ["\"", "[", "]", "=", "\n", "9", "é", "\u{0}", "."];

fn variants(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let boundaries: Vec<usize> = (0..=text.len())
        .filter(|i| text.is_char_boundary(*i))
        .collect();
    for &i in &boundaries {
        out.push(text[..i].to_string());
    }
    for (n, &i) in boundaries.iter().enumerate().step_by(3) {
        if let Some(&next) = boundaries.get(n + 1) {
            let noise = NOISE[n % NOISE.len()];
            out.push(format!("{}{}{}", &text[..i], noise, &text[next..]));
        }
    }
    out
}

#[test]
fn mutated_profiles_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("strata.toml"), "[catalog]\nname = \"t\"\n").unwrap();
    let out = Output {
        format: OutputFormat::Text,
        verbosity: Verbosity::Quiet,
    };
    let settings = Settings::new(dir.path().join("cache"), true, out);
    let catalog = Catalog::open(dir.path(), &settings).unwrap();
    let (mut ok, mut bad) = (0, 0);
    for text in variants(PROFILE) {
        let source = Source::new("profiles/p/profile.toml", text.as_str());
        match Profile::parse(source, "profiles/p", "p") {
            Ok(p) => match check_profile(&catalog, p).unwrap() {
                Ok(_) => ok += 1,
                Err(problems) => {
                    assert!(!problems.is_empty());
                    for d in problems {
                        let _ = d.to_string();
                    }
                    bad += 1
                }
            },
            Err(problems) => {
                assert!(!problems.is_empty());
                for d in problems {
                    let _ = d.to_string();
                }
                bad += 1
            }
        }
    }
    // The whole file is valid; most damaged copies are not.
    assert!(ok >= 1, "ok={ok}");
    assert!(bad > 500, "bad={bad}");
}

#[test]
fn mutated_manifests_never_panic() {
    let manifest = include_str!("../../catalog/calico/3.32.1/pack.toml");
    let version = Version::parse("3.32.1").unwrap();
    let mut loaded = 0;
    for text in variants(manifest) {
        let source = Source::new("packs/calico/3.32.1/pack.toml", text.as_str());
        match read_manifest("calico", &version, source, BTreeMap::new()) {
            Ok(_) => loaded += 1,
            Err(problems) => {
                assert!(!problems.is_empty());
                for d in problems {
                    let _ = d.to_string();
                }
            }
        }
    }
    assert!(loaded >= 1);
}

#[test]
fn version_parsers_never_panic() {
    let inputs = [
        "",
        "v",
        "x",
        "*",
        "1.",
        ".1",
        "1..x",
        "1.x.2",
        ">=",
        ">=1.2,",
        "^",
        "~x",
        "1.2.3-",
        "1.2.3+",
        "99999999999999999999.1",
        "1.2.3-rc.1+b",
        ">=1.27, <1.30,",
        "é",
        "1.2.3.4.5",
        "=1.2.3",
        "1.2.3 || 2",
        "v1.x",
        "01.02.03",
        "1.2.*",
        "<=0.0.0-0",
    ];
    for s in inputs {
        let _ = Version::parse(s);
        let _ = VersionSpec::parse(s);
    }
    assert_eq!(Version::parse("01.02.03").unwrap().to_string(), "01.02.03");
    assert!(VersionSpec::parse("99999999999999999999.x").is_err());
}
