//! A registry's signers file: an SSH allowed-signers file (git's
//! `gpg.ssh.allowedSignersFile` format: principals, options such as `namespaces="git"`,
//! `valid-after`, `valid-before`, a key type and the key), or an OpenPGP keyring (`.asc`).
//! Read from the catalog repository, checked when `strata.toml` is read, and asked whether a
//! recorded signer is still trusted.

use base64::Engine;
use sha2::Digest;

/// The most a signers file may hold.
pub const MAX_SIZE: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ssh,
    Pgp,
    /// A cosign public key (`cosign_key` of an OCI registry).
    Cosign,
}

/// One key of an allowed-signers file.
#[derive(Debug, Clone)]
pub struct SshKey {
    pub principals: Vec<String>,
    /// `SHA256:<base64>`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// `valid-before`, as written (`YYYYMMDD[HHMM[SS]]`, UTC).
    pub valid_before: Option<String>,
}

/// A registry's signers.
#[derive(Debug)]
pub struct Signers {
    /// The file, relative to the catalog root.
    pub file: String,
    pub kind: Kind,
    pub bytes: Vec<u8>,
    /// `sha256:` of the bytes: verdicts are kept by it.
    pub digest: String,
    /// The keys of an allowed-signers file.
    pub keys: Vec<SshKey>,
    /// The fingerprints of an OpenPGP keyring's keys, listed by `gpg` when first asked.
    pgp_keys: std::sync::OnceLock<Result<Vec<String>, String>>,
    /// A cosign key.
    pub cosign: Option<super::cosign::Key>,
}

impl Signers {
    /// The signers in `bytes` of `file`; `Err` says why the file cannot be used (with the
    /// line for an allowed-signers file).
    pub fn parse(file: &str, bytes: Vec<u8>) -> Result<Signers, String> {
        if bytes.len() > MAX_SIZE {
            return Err(format!("it is larger than {} KiB", MAX_SIZE >> 10));
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
        if text.contains("-----BEGIN PUBLIC KEY-----") {
            let key = super::cosign::Key::parse(text)?;
            return Ok(Signers {
                file: file.to_string(),
                kind: Kind::Cosign,
                digest: crate::digest::sha256(&bytes),
                bytes,
                keys: Vec::new(),
                pgp_keys: std::sync::OnceLock::new(),
                cosign: Some(key),
            });
        }
        let pgp = file.ends_with(".asc") || text.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----");
        let keys = if pgp {
            if !text.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
                return Err("it is no ASCII-armored OpenPGP keyring (`-----BEGIN PGP PUBLIC KEY BLOCK-----`)".to_string());
            }
            if super::prov::keys(&bytes)?.is_empty() {
                return Err("it holds no key".to_string());
            }
            Vec::new()
        } else {
            let mut keys = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                keys.push(ssh_line(line).map_err(|why| format!("line {}: {why}", i + 1))?);
            }
            if keys.is_empty() {
                return Err("it lists no key".to_string());
            }
            keys
        };
        Ok(Signers {
            file: file.to_string(),
            kind: if pgp { Kind::Pgp } else { Kind::Ssh },
            digest: crate::digest::sha256(&bytes),
            bytes,
            keys,
            pgp_keys: std::sync::OnceLock::new(),
            cosign: None,
        })
    }

    /// The fingerprints (and subkey fingerprints) of an OpenPGP keyring, read in Rust.
    fn pgp_fingerprints(&self) -> &Result<Vec<String>, String> {
        self.pgp_keys.get_or_init(|| {
            let keys = super::prov::keys(&self.bytes)?;
            Ok(keys
                .iter()
                .flat_map(|k| {
                    std::iter::once(super::prov::fingerprint(k)).chain(
                        k.public_subkeys
                            .iter()
                            .map(|s| format!("{:X}", pgp::types::KeyDetails::fingerprint(s))),
                    )
                })
                .collect())
        })
    }

    /// Why a signer recorded in a lock is no longer trusted by this file (`None`: it is): its
    /// key is gone, or its `valid-before` has passed (`today` is `YYYYMMDD`).
    pub fn distrusts(&self, signer: &str, today: &str) -> Option<String> {
        if signer.starts_with("cosign:") {
            let key = self.cosign.as_ref().map(super::cosign::Key::signer);
            return (key.as_deref() != Some(signer))
                .then(|| format!("`{}` is another key now", self.file));
        }
        if let Some(fpr) = signer.strip_prefix("pgp:") {
            return match self.pgp_fingerprints() {
                Ok(keys) if keys.iter().any(|k| k == fpr) => None,
                Ok(_) => Some(format!(
                    "the OpenPGP key {fpr} is no longer in `{}`",
                    self.file
                )),
                Err(why) => Some(format!(
                    "the keys of `{}` cannot be listed: {why}",
                    self.file
                )),
            };
        }
        let rest = signer.strip_prefix("ssh:")?;
        let (fingerprint, principal) = rest.split_once(' ').unwrap_or((rest, ""));
        let key = self
            .keys
            .iter()
            .find(|k| k.fingerprint == fingerprint && k.principals.iter().any(|p| p == principal));
        match key {
            None => Some(format!(
                "the key {fingerprint} of `{principal}` is no longer in `{}`",
                self.file
            )),
            Some(k) => k
                .valid_before
                .as_ref()
                .filter(|v| v.get(..8).is_some_and(|d| d <= today))
                .map(|v| {
                    format!("the key {fingerprint} of `{principal}` was valid before {v} only")
                }),
        }
    }
}

/// Today's date in UTC as `YYYYMMDD`, to compare with `valid-before`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil(i64::try_from(secs / 86_400).unwrap_or(0));
    format!("{y:04}{m:02}{d:02}")
}

/// The calendar date of a day number since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Key types an allowed-signers line may name.
const KEY_TYPES: [&str; 6] = [
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
];

/// One allowed-signers line: principals, options, key type, key.
fn ssh_line(line: &str) -> Result<SshKey, String> {
    let mut words = split_words(line).into_iter();
    let principals = words.next().ok_or("it is empty")?;
    let mut word = words.next().ok_or("it names no key")?;
    let mut valid_before = None;
    let looks_like_key = |w: &str| ["ssh-", "ecdsa-", "sk-"].iter().any(|p| w.starts_with(p));
    if !KEY_TYPES.contains(&word.as_str()) && !looks_like_key(&word) {
        for option in split_outside_quotes(&word, ',') {
            let (name, value) = option.split_once('=').unwrap_or((option, ""));
            let value = value.trim_matches('"');
            match name.to_ascii_lowercase().as_str() {
                "namespaces" if !value.split(',').any(|n| n == "git") => {
                    return Err(format!("its namespaces `{value}` do not include `git`"));
                }
                "valid-before" => valid_before = Some(value.to_string()),
                "namespaces" | "valid-after" | "cert-authority" => {}
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        word = words.next().ok_or("it names no key")?;
    }
    if !KEY_TYPES.contains(&word.as_str()) {
        return Err(format!(
            "`{}` is not a key type ({})",
            crate::shown::shorten(&word, 40),
            KEY_TYPES.map(|k| format!("`{k}`")).join(", ")
        ));
    }
    let blob = words.next().ok_or("it has a key type but no key")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(blob.as_bytes())
        .map_err(|_| "its key is not base64".to_string())?;
    let fingerprint = format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(sha2::Sha256::digest(&bytes))
    );
    Ok(SshKey {
        principals: principals.split(',').map(str::to_string).collect(),
        fingerprint,
        valid_before,
    })
}

/// `text` split at `sep` outside double quotes (`namespaces="git,file",valid-before=…`).
fn split_outside_quotes(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Words split at spaces outside double quotes.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.push(c);
            }
            ' ' | '\t' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::Signers;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILU6+Uyz1/PawaQTk1wHrfpsPR5BZtFQlPMipYweNr/w";

    #[test]
    fn day_numbers_are_calendar_dates() {
        assert_eq!(super::civil(0), (1970, 1, 1));
        assert_eq!(super::civil(20_428), (2025, 12, 6));
        assert_eq!(super::civil(11_016), (2000, 2, 29));
    }

    #[test]
    fn allowed_signers_lines_give_fingerprints_and_bad_lines_their_number() {
        let text = format!(
            "# who may sign\nalice@example.com,bob namespaces=\"file,git\",valid-before=\"20270101\" {KEY}\n"
        );
        let s = Signers::parse("allowed_signers", text.into_bytes()).unwrap();
        // As `ssh-keygen -lf` prints it for the same key.
        assert_eq!(
            s.keys[0].fingerprint,
            "SHA256:nRXGG/jqJsZFsMiedzKgoSIqg1RYlg0mHtoG+I1hwHI"
        );
        assert_eq!(s.keys[0].principals, ["alice@example.com", "bob"]);
        let signer = "ssh:SHA256:nRXGG/jqJsZFsMiedzKgoSIqg1RYlg0mHtoG+I1hwHI alice@example.com";
        assert_eq!(s.distrusts(signer, "20261206"), None);
        assert_eq!(
            s.distrusts(signer, "20270101").as_deref(),
            Some(
                "the key SHA256:nRXGG/jqJsZFsMiedzKgoSIqg1RYlg0mHtoG+I1hwHI of `alice@example.com` was valid before 20270101 only"
            )
        );
        assert_eq!(
            s.distrusts("ssh:SHA256:other carol", "20261206").as_deref(),
            Some("the key SHA256:other of `carol` is no longer in `allowed_signers`")
        );
        let bad = |text: &str| Signers::parse("s", text.as_bytes().to_vec()).unwrap_err();
        assert_eq!(
            bad(&format!("a namespaces=\"file\" {KEY}\n")),
            "line 1: its namespaces `file` do not include `git`"
        );
        assert!(
            bad("\nalice ssh-dss AAAA\n")
                .starts_with("line 2: `ssh-dss` is not a key type (`ssh-ed25519`, ")
        );
        assert_eq!(
            bad(&format!("alice expiry=1 {KEY}\n")),
            "line 1: unknown option `expiry`"
        );
        assert_eq!(
            bad("alice ssh-ed25519 !!!\n"),
            "line 1: its key is not base64"
        );
        assert_eq!(bad("# nothing\n"), "it lists no key");
    }
}
