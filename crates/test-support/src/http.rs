//! A real HTTP server on loopback serving a folder (chart repositories in tests), and chart
//! archives and `index.yaml` files built by the tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// What the server answers instead of a file, by URL path: a status and a `Location`.
pub type Overrides = Arc<Mutex<Vec<(String, u16, Option<String>)>>>;

/// An HTTP server on `127.0.0.1` serving the files under a folder. Each file has a strong
/// ETag (its sha256), and `If-None-Match` with it gets `304 Not Modified`. Stopped when
/// dropped.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Every request's method and path, in order (` (with Authorization)` after a request
    /// that carried credentials, ` -> 304` when it was answered Not Modified).
    pub requests: Arc<Mutex<Vec<String>>>,
    /// Paths answered with a status instead of the file.
    pub overrides: Overrides,
}

impl Server {
    /// Serves `root`; requests must carry `Authorization: Basic <user:password>` when
    /// `basic` is given.
    pub fn serve(root: &Path, basic: Option<(&str, &str)>) -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("a loopback port"));
        let port = server.server_addr().to_ip().expect("an IP listener").port();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let overrides: Overrides = Arc::default();
        let auth = basic.map(|(u, p)| format!("Basic {}", base64(format!("{u}:{p}").as_bytes())));
        let (srv, reqs, over, root) = (
            server.clone(),
            requests.clone(),
            overrides.clone(),
            root.to_path_buf(),
        );
        let thread = std::thread::spawn(move || {
            for rq in srv.incoming_requests() {
                let path = rq.url().split('?').next().unwrap_or("").to_string();
                let header = |name: &str| {
                    rq.headers()
                        .iter()
                        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                        .map(|h| h.value.as_str().to_string())
                };
                let authorized = if header("Authorization").is_some() {
                    " (with Authorization)"
                } else {
                    ""
                };
                let entry = {
                    let mut r = reqs.lock().unwrap();
                    r.push(format!("{} {path}{authorized}", rq.method()));
                    r.len() - 1
                };
                let status = over
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|(p, _, _)| *p == path)
                    .map(|(_, s, l)| (*s, l.clone()));
                let response = if let Some((status, location)) = status {
                    let r = tiny_http::Response::from_data(Vec::new()).with_status_code(status);
                    match location {
                        Some(l) => r.with_header(h("Location", &l)),
                        None => r,
                    }
                } else if auth.is_some() && header("Authorization") != auth {
                    tiny_http::Response::from_data(Vec::new())
                        .with_status_code(401)
                        .with_header(h("WWW-Authenticate", "Basic realm=\"charts\""))
                } else {
                    file_response(&root, &path, header("If-None-Match"))
                };
                if response.status_code().0 == 304 {
                    reqs.lock().unwrap()[entry].push_str(" -> 304");
                }
                let _ = rq.respond(response);
            }
        });
        Server {
            url: format!("http://127.0.0.1:{port}"),
            server,
            thread: Some(thread),
            requests,
            overrides,
        }
    }

    /// Answers `path` with `status` from now on.
    pub fn answer(&self, path: &str, status: u16) {
        self.overrides
            .lock()
            .unwrap()
            .push((path.to_string(), status, None));
    }

    /// Redirects `path` to `location` from now on.
    pub fn redirect(&self, path: &str, location: &str) {
        self.overrides
            .lock()
            .unwrap()
            .push((path.to_string(), 302, Some(location.to_string())));
    }

    /// The requests so far, as `GET /path`.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn h(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid header")
}

fn file_response(
    root: &Path,
    path: &str,
    if_none_match: Option<String>,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let rel: PathBuf = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    match fs_err::read(root.join(rel)) {
        Ok(bytes) => {
            let etag = format!("\"{}\"", sha256_hex(&bytes));
            if if_none_match.as_deref() == Some(etag.as_str()) {
                return tiny_http::Response::from_data(Vec::new()).with_status_code(304);
            }
            tiny_http::Response::from_data(bytes).with_header(h("ETag", &etag))
        }
        Err(_) => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
    }
}

/// The sha256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Standard base64 (for `Authorization: Basic` in fixtures).
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One member of an archive: a path and what it is.
pub enum Member<'a> {
    File(&'a str, &'a [u8]),
    Symlink(&'a str, &'a str),
}

/// A gzipped tar of `members`, as `helm package` lays it out (paths start with the chart's
/// folder). Paths are written as given, so tests can build hostile archives.
pub fn tgz(members: &[Member]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for m in members {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_mtime(0);
        match m {
            Member::File(path, bytes) => {
                header.set_size(bytes.len() as u64);
                header.set_entry_type(tar::EntryType::Regular);
                set_path(&mut header, path);
                header.set_cksum();
                tar.append(&header, *bytes).unwrap();
            }
            Member::Symlink(path, target) => {
                header.set_size(0);
                header.set_entry_type(tar::EntryType::Symlink);
                set_path(&mut header, path);
                header.set_link_name(target).unwrap();
                header.set_cksum();
                tar.append(&header, std::io::empty()).unwrap();
            }
        }
    }
    let mut gz = tar.into_inner().unwrap();
    gz.flush().unwrap();
    gz.finish().unwrap()
}

/// Writes the path bytes as given (`..` included), which `Header::set_path` refuses.
fn set_path(header: &mut tar::Header, path: &str) {
    let name = &mut header.as_old_mut().name;
    name.fill(0);
    name[..path.len()].copy_from_slice(path.as_bytes());
}

/// A chart archive: `<name>/Chart.yaml` and `<name>/values.yaml`, plus `extra` files.
pub fn chart(name: &str, version: &str, values: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let chart_yaml = format!(
        "apiVersion: v2\nname: {name}\nversion: {version}\ndescription: The {name} chart\nkubeVersion: \">=1.25.0-0\"\n"
    );
    let mut files = vec![
        (format!("{name}/Chart.yaml"), chart_yaml),
        (format!("{name}/values.yaml"), values.to_string()),
    ];
    files.extend(
        extra
            .iter()
            .map(|(p, t)| (format!("{name}/{p}"), t.to_string())),
    );
    let members: Vec<Member> = files
        .iter()
        .map(|(p, t)| Member::File(p, t.as_bytes()))
        .collect();
    tgz(&members)
}

/// An `index.yaml` of `(name, version, url, digest)` entries.
pub fn index_yaml(entries: &[(&str, &str, &str, Option<&str>)]) -> String {
    let mut by_chart: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (name, version, url, digest) in entries {
        let mut e = format!(
            "  - apiVersion: v2\n    name: {name}\n    version: {version}\n    kubeVersion: \">=1.25.0-0\"\n    description: The {name} chart\n    created: \"2026-01-01T00:00:00Z\"\n    urls:\n      - {url}\n"
        );
        if let Some(d) = digest {
            e.push_str(&format!("    digest: {d}\n"));
        }
        by_chart.entry(name).or_default().push(e);
    }
    let mut out = String::from("apiVersion: v1\nentries:\n");
    for (name, list) in by_chart {
        out.push_str(&format!("  {name}:\n"));
        for e in list {
            out.push_str(&e);
        }
    }
    out.push_str("generated: \"2026-01-01T00:00:00Z\"\n");
    out
}
