//! A token service for a registry in Distribution's token auth mode: on
//! `GET /token?service=…&scope=repository:<name>:<actions>` with the right Basic
//! credentials, a JWT (ES256, signed by a self-signed certificate the registry trusts,
//! given in the `x5c` header) granting those actions. This is the service behind Docker
//! Hub's, GHCR's and Quay's `WWW-Authenticate: Bearer` challenges, small enough for a test.

use std::sync::{Arc, Mutex};

/// A running token service, stopped when dropped.
pub struct TokenService {
    /// `http://127.0.0.1:<port>/token`.
    pub realm: String,
    /// The certificate the registry must trust (`rootcertbundle`), as PEM.
    pub cert_pem: String,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The scopes asked for, in order (` (refused)` when the credentials were wrong).
    pub asked: Arc<Mutex<Vec<String>>>,
}

pub const SERVICE: &str = "strata-test-registry";
pub const ISSUER: &str = "strata-test-issuer";

fn b64url(bytes: &[u8]) -> String {
    crate::http::base64(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

impl TokenService {
    /// Starts the service; it grants tokens to `user` with `password`.
    pub fn start(user: &str, password: &str) -> TokenService {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["strata-test-token".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let der = cert.der().to_vec();
        let pkcs8 = key.serialize_der();
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let asked: Arc<Mutex<Vec<String>>> = Arc::default();
        let expected = format!(
            "Basic {}",
            crate::http::base64(format!("{user}:{password}").as_bytes())
        );
        let (srv, log) = (server.clone(), asked.clone());
        let thread = std::thread::spawn(move || {
            let rng = ring::rand::SystemRandom::new();
            let signer = ring::signature::EcdsaKeyPair::from_pkcs8(
                &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                &pkcs8,
                &rng,
            )
            .unwrap();
            for rq in srv.incoming_requests() {
                let url = url::Url::parse(&format!("http://x{}", rq.url())).unwrap();
                let scopes: Vec<String> = url
                    .query_pairs()
                    .filter(|(k, _)| k == "scope")
                    .map(|(_, v)| v.into_owned())
                    .collect();
                let authorized = rq.headers().iter().any(|h| {
                    h.field
                        .as_str()
                        .as_str()
                        .eq_ignore_ascii_case("authorization")
                        && h.value.as_str() == expected
                });
                log.lock().unwrap().push(format!(
                    "{}{}",
                    scopes.join(" "),
                    if authorized { "" } else { " (refused)" }
                ));
                if !authorized {
                    let _ = rq
                        .respond(tiny_http::Response::from_data(Vec::new()).with_status_code(401));
                    continue;
                }
                let access: Vec<serde_json::Value> = scopes
                    .iter()
                    .filter_map(|s| {
                        let mut parts = s.splitn(3, ':');
                        let (ty, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
                        Some(serde_json::json!({"type": ty, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
                    })
                    .collect();
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [crate::http::base64(&der)]});
                let claims = serde_json::json!({
                    "iss": ISSUER, "sub": "bot", "aud": SERVICE,
                    "exp": now + 600, "nbf": now - 60, "iat": now - 60,
                    "jti": format!("{now}-{}", log.lock().unwrap().len()),
                    "access": access,
                });
                let input = format!(
                    "{}.{}",
                    b64url(header.to_string().as_bytes()),
                    b64url(claims.to_string().as_bytes())
                );
                let sig = signer.sign(&rng, input.as_bytes()).unwrap();
                let token = format!("{input}.{}", b64url(sig.as_ref()));
                let body =
                    serde_json::json!({"token": token, "access_token": token, "expires_in": 600});
                let _ = rq.respond(tiny_http::Response::from_data(
                    body.to_string().into_bytes(),
                ));
            }
        });
        TokenService {
            realm: format!("http://127.0.0.1:{port}/token"),
            cert_pem: cert.pem(),
            server,
            thread: Some(thread),
            asked,
        }
    }
}

impl Drop for TokenService {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
