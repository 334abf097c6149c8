//! Signed chart releases: cosign signatures of OCI releases (made by the test from the
//! format with P-256 keys, pushed to the real `docker-registry`), and Helm provenance files
//! checked against a keyring (keys and signatures made by the real `gpg`).

use std::path::Path;

use crate::trust::{pgp_key, profile};
use crate::util::Env;

/// A cosign signature as `cosign sign --key` makes it: the simple-signing payload naming
/// `digest`, signed with `key` (ECDSA P-256, SHA-256), pushed as `sha256-<hex>.sig`.
fn cosign_sign(
    registry: &strata_test_support::oci::Registry,
    repo: &str,
    digest: &str,
    key: &p256::ecdsa::SigningKey,
) {
    use base64::Engine;
    use p256::ecdsa::signature::Signer;
    let payload = format!(
        "{{\"critical\":{{\"identity\":{{\"docker-reference\":\"{}/{repo}\"}},\"image\":{{\"docker-manifest-digest\":\"{digest}\"}},\"type\":\"cosign container image signature\"}},\"optional\":null}}",
        registry.host
    );
    let sig: p256::ecdsa::DerSignature = key.sign(payload.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(sig.as_bytes());
    let layer = registry.push_blob(repo, payload.as_bytes());
    let config = registry.push_blob(repo, b"{}");
    let manifest = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{config}\",\"size\":2}},\"layers\":[{{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"digest\":\"{layer}\",\"size\":{},\"annotations\":{{\"dev.cosignproject.cosign/signature\":\"{sig}\"}}}}]}}",
        payload.len()
    );
    registry.push_manifest(
        repo,
        &format!("{}.sig", digest.replacen(':', "-", 1)),
        "application/vnd.oci.image.manifest.v1+json",
        manifest.as_bytes(),
    );
}

#[test]
fn oci_releases_need_a_cosign_signature_by_the_key() {
    if !strata_test_support::tool("docker-registry", "trust::oci_releases_need") {
        return;
    }
    use p256::pkcs8::EncodePublicKey;
    let env = Env::new();
    let registry = strata_test_support::oci::Registry::start(&env.outside("registry"), None);
    let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let other = p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap();
    let archive = |v: &str| strata_test_support::http::chart("demo", v, "replicas: 1\n", &[]);
    let v1 = registry.push_chart("charts/demo", "1.0.0", &archive("1.0.0"));
    cosign_sign(&registry, "charts/demo", &v1, &key);
    let v2 = registry.push_chart("charts/demo", "1.1.0", &archive("1.1.0"));
    cosign_sign(&registry, "charts/demo", &v2, &other);
    registry.push_chart("charts/demo", "1.2.0", &archive("1.2.0"));
    let pem = key
        .verifying_key()
        .to_public_key_pem(p256::pkcs8::LineEnding::LF)
        .unwrap();
    env.write("security/cosign.pub", &pem);
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"charts\"\nkind = \"oci\"\nurl = \"oci://{}/charts\"\ncosign_key = \"security/cosign.pub\"\n",
            registry.host
        ),
    );
    env.profile("edge", &profile("1.x"));
    let run = env.run(&["lock"]);
    run.success();
    assert_eq!(
        run.stderr.lines().filter(|l| l.starts_with("warning: ")).collect::<Vec<_>>(),
        [
            format!("warning: registry `charts`: refused `demo` 1.2.0: its manifest has no cosign signature (no `{}.sig` in `charts/demo`); `1.x` stays on 1.0.0", registry_tag_of(&env, &registry)),
            "warning: registry `charts`: refused `demo` 1.1.0: its manifest has a cosign signature that the key does not verify; `1.x` stays on 1.0.0".to_string(),
        ],
        "{}",
        run.stderr
    );
    let key_digest = {
        let der = key.verifying_key().to_public_key_der().unwrap();
        format!(
            "sha256:{}",
            strata_test_support::http::sha256_hex(der.as_bytes())
        )
    };
    let lock = env.read("profiles/edge/profile.lock");
    assert!(
        lock.contains(&format!(
            "version = \"1.0.0\"\ndigest = \"{v1}\"\nsigner = \"cosign:{key_digest}\"\n"
        )),
        "{lock}"
    );
    env.run(&["lock", "--check"]).success();
    env.run(&["verify", "-q"]).success();
    // Another key in the catalog: the lock is stale.
    env.write(
        "security/cosign.pub",
        &other
            .verifying_key()
            .to_public_key_pem(p256::pkcs8::LineEnding::LF)
            .unwrap(),
    );
    let render = env.run(&["render", "edge"]);
    assert_eq!(render.code, 1);
    assert!(
        render.stderr.starts_with(&format!("error: profiles/edge/profile.lock: lock file is stale: layer `demo`: its signer `cosign:{key_digest}` is no longer trusted: `security/cosign.pub` is another key now\n")),
        "{}",
        render.stderr
    );
}

/// The signature tag cosign would look for of the unsigned 1.2.0.
fn registry_tag_of(_env: &Env, registry: &strata_test_support::oci::Registry) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let r = agent
        .get(format!(
            "http://{}/v2/charts/demo/manifests/1.2.0",
            registry.host
        ))
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .call()
        .unwrap();
    let digest = r
        .headers()
        .get("docker-content-digest")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    digest.replacen(':', "-", 1)
}

/// A clear-signed provenance file as `helm package --sign` writes it: the chart's
/// `Chart.yaml`, then `files:` naming the archive and `digest`, signed by `gpg` in `home`.
fn provenance(home: &Path, chart_yaml: &str, name: &str, digest: &str) -> String {
    let text = format!("{chart_yaml}\n...\nfiles:\n  {name}: sha256:{digest}\n");
    let mut child = std::process::Command::new("gpg")
        .env("GNUPGHOME", home)
        .args([
            "--batch",
            "--passphrase",
            "",
            "--clearsign",
            "--digest-algo",
            "SHA256",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn helm_releases_need_provenance_signed_by_the_keyring() {
    if !strata_test_support::tool("gpg", "trust::helm_releases_need_provenance") {
        return;
    }
    use strata_test_support::http::{Server, chart, index_yaml, sha256_hex};
    let env = Env::new();
    let home = env.outside("gnupg");
    let (fpr, public) = pgp_key(&home, "Alice <alice@example.com>");
    let dir = env.outside("served");
    fs_err::create_dir_all(&dir).unwrap();
    let server = Server::serve(&dir, None);
    let mut entries = Vec::new();
    let bob_home = env.outside("gnupg-bob");
    pgp_key(&bob_home, "Bob <bob@example.com>");
    for v in ["1.0.0", "1.1.0", "1.2.0", "1.3.0"] {
        let archive = chart("demo", v, "replicas: 1\n", &[]);
        let name = format!("demo-{v}.tgz");
        fs_err::write(dir.join(&name), &archive).unwrap();
        let chart_yaml = format!("apiVersion: v2\nname: demo\nversion: {v}");
        match v {
            "1.0.0" => fs_err::write(
                dir.join(format!("{name}.prov")),
                provenance(&home, &chart_yaml, &name, &sha256_hex(&archive)),
            )
            .unwrap(),
            // Signed by a key the keyring does not hold.
            "1.1.0" => fs_err::write(
                dir.join(format!("{name}.prov")),
                provenance(&bob_home, &chart_yaml, &name, &sha256_hex(&archive)),
            )
            .unwrap(),
            // A provenance file of another archive.
            "1.2.0" => fs_err::write(
                dir.join(format!("{name}.prov")),
                provenance(&home, &chart_yaml, &name, &sha256_hex(b"another")),
            )
            .unwrap(),
            _ => {}
        }
        entries.push((v, name, sha256_hex(&archive)));
    }
    let index: Vec<(&str, &str, &str, Option<&str>)> = entries
        .iter()
        .map(|(v, n, d)| ("demo", *v, n.as_str(), Some(d.as_str())))
        .collect();
    fs_err::write(dir.join("index.yaml"), index_yaml(&index)).unwrap();
    env.write("security/charts.asc", &public);
    env.write(
        "strata.toml",
        &format!(
            "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"charts\"\nkind = \"helm\"\nurl = \"{}\"\nkeyring = \"security/charts.asc\"\n",
            server.url
        ),
    );
    env.profile("edge", &profile("1.x"));
    let run = env.run(&["lock"]);
    run.success();
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("warning: "))
            .collect::<Vec<_>>(),
        [
            format!(
                "warning: registry `charts`: refused `demo` 1.3.0: its archive has no provenance file (`{}/demo-1.3.0.tgz.prov`); `1.x` stays on 1.0.0",
                server.url.trim_end_matches('/')
            ),
            format!(
                "warning: registry `charts`: refused `demo` 1.2.0: its archive has a provenance file for `sha256:{}`, not for this archive (`sha256:{}`); `1.x` stays on 1.0.0",
                sha256_hex(b"another"),
                entries[2].2
            ),
            "warning: registry `charts`: refused `demo` 1.1.0: its archive has a provenance file that no key of the keyring verifies; `1.x` stays on 1.0.0".to_string(),
        ],
        "{}",
        run.stderr
    );
    let lock = env.read("profiles/edge/profile.lock");
    assert!(
        lock.contains(&format!("signer = \"pgp:{fpr}\"\n")),
        "{lock}"
    );
    env.run(&["lock", "--check"]).success();
    env.run(&["verify", "-q"]).success();
}
