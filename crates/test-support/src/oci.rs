//! A real OCI registry for tests: Debian's `docker-registry` (the CNCF Distribution
//! server) on a free loopback port with its own config and storage, optionally behind
//! htpasswd basic auth; and pushing artifacts to it through the Distribution API.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::sha256_hex;

/// A running registry. The server stops when this is dropped, or when the test process
/// ends (a watcher kills it and removes its folder), whichever comes first.
pub struct Registry {
    /// `127.0.0.1:<port>`.
    pub host: String,
    child: Child,
    _dir: PathBuf,
    credentials: Option<(String, String)>,
    /// Token auth: the realm to ask for push tokens (with `credentials`).
    realm: Option<String>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Registry {
    /// Starts `docker-registry` with storage under `dir`; with `basic`, requests need that
    /// user and password.
    pub fn start(dir: &Path, basic: Option<(&str, &str)>) -> Registry {
        Registry::start_with(dir, basic, None)
    }

    /// Starts `docker-registry` in token auth mode: requests need a Bearer token from
    /// `tokens`, which grants them to `user` with `password`.
    pub fn start_with_tokens(
        dir: &Path,
        tokens: &crate::token::TokenService,
        user: &str,
        password: &str,
    ) -> Registry {
        Registry::start_with(dir, Some((user, password)), Some(tokens))
    }

    fn start_with(
        dir: &Path,
        basic: Option<(&str, &str)>,
        tokens: Option<&crate::token::TokenService>,
    ) -> Registry {
        fs_err::create_dir_all(dir.join("storage")).unwrap();
        let port = free_port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("storage").display()
        );
        if let Some(t) = tokens {
            fs_err::write(dir.join("token.pem"), &t.cert_pem).unwrap();
            config.push_str(&format!(
                "auth:\n  token:\n    realm: {}\n    service: {}\n    issuer: {}\n    rootcertbundle: {}\n",
                t.realm,
                crate::token::SERVICE,
                crate::token::ISSUER,
                dir.join("token.pem").display()
            ));
        } else if let Some((user, password)) = basic {
            let hash = bcrypt::hash(password, 4).unwrap();
            fs_err::write(dir.join("htpasswd"), format!("{user}:{hash}\n")).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: test\n    path: {}\n",
                dir.join("htpasswd").display()
            ));
        }
        fs_err::write(dir.join("config.yml"), config).unwrap();
        // The watcher ends the server when the test process is gone.
        let script = format!(
            "docker-registry serve '{}' & r=$!; while kill -0 {} 2>/dev/null && kill -0 $r 2>/dev/null; do sleep 1; done; kill $r 2>/dev/null; wait $r; rm -rf '{}'",
            dir.join("config.yml").display(),
            std::process::id(),
            dir.display()
        );
        let child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let registry = Registry {
            host: format!("127.0.0.1:{port}"),
            child,
            _dir: dir.to_path_buf(),
            credentials: basic.map(|(u, p)| (u.to_string(), p.to_string())),
            realm: tokens.map(|t| t.realm.clone()),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(&registry.host).is_err() {
            assert!(Instant::now() < deadline, "docker-registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into()
    }

    fn authorize(
        &self,
        repo: &str,
        mut req: ureq::RequestBuilder<ureq::typestate::WithBody>,
    ) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        if let (Some(realm), Some((u, p))) = (&self.realm, &self.credentials) {
            let mut answer = Registry::agent()
                .get(format!(
                    "{realm}?service={}&scope=repository:{repo}:pull,push",
                    crate::token::SERVICE
                ))
                .header(
                    "Authorization",
                    format!(
                        "Basic {}",
                        crate::http::base64(format!("{u}:{p}").as_bytes())
                    ),
                )
                .call()
                .unwrap();
            let v: serde_json::Value =
                serde_json::from_slice(&answer.body_mut().read_to_vec().unwrap()).unwrap();
            return req.header(
                "Authorization",
                format!("Bearer {}", v["token"].as_str().unwrap()),
            );
        }
        if let Some((u, p)) = &self.credentials {
            req = req.header(
                "Authorization",
                format!(
                    "Basic {}",
                    crate::http::base64(format!("{u}:{p}").as_bytes())
                ),
            );
        }
        req
    }

    /// Uploads a blob to `repo`; its digest.
    pub fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let digest = format!("sha256:{}", sha256_hex(bytes));
        let agent = Registry::agent();
        let start = self
            .authorize(
                repo,
                agent.post(format!("http://{}/v2/{repo}/blobs/uploads/", self.host)),
            )
            .send_empty()
            .unwrap();
        assert_eq!(start.status().as_u16(), 202, "upload start");
        let location = start
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let url = if location.starts_with("http") {
            location
        } else {
            format!("http://{}{location}", self.host)
        };
        let sep = if url.contains('?') { '&' } else { '?' };
        let put = self
            .authorize(repo, agent.put(format!("{url}{sep}digest={digest}")))
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .unwrap();
        assert_eq!(put.status().as_u16(), 201, "upload of {digest}");
        digest
    }

    /// Puts a manifest under `reference` (a tag); its digest.
    pub fn push_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> String {
        let agent = Registry::agent();
        let put = self
            .authorize(
                repo,
                agent.put(format!(
                    "http://{}/v2/{repo}/manifests/{reference}",
                    self.host
                )),
            )
            .header("Content-Type", media_type)
            .send(bytes)
            .unwrap();
        assert_eq!(put.status().as_u16(), 201, "manifest {repo}:{reference}");
        format!("sha256:{}", sha256_hex(bytes))
    }

    /// Pushes a Helm chart archive as Helm does (config, chart layer, OCI manifest) under
    /// `tag`; the manifest's digest.
    pub fn push_chart(&self, repo: &str, tag: &str, archive: &[u8]) -> String {
        let config = br#"{"name":"chart","version":"0.0.0"}"#;
        let config_digest = self.push_blob(repo, config);
        let layer_digest = self.push_blob(repo, archive);
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.cncf.helm.config.v1+json", "digest": config_digest, "size": config.len()},
            "layers": [{"mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip", "digest": layer_digest, "size": archive.len()}]
        });
        let bytes = serde_json::to_vec(&manifest).unwrap();
        self.push_manifest(
            repo,
            tag,
            "application/vnd.oci.image.manifest.v1+json",
            &bytes,
        )
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        // The watcher and the server are one process group.
        let _ = Command::new("kill")
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .status();
        let _ = self.child.wait();
    }
}
