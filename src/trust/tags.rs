//! Signed tags, checked with the `git` program (`git verify-tag --raw`) against a
//! registry's signers given through `-c` (never the user's own git configuration): SSH
//! signatures need `ssh-keygen`, OpenPGP ones `gpg` (with a keyring imported into a
//! private, temporary `GNUPGHOME`). Verdicts are kept in the cache by (tag, the object it
//! names, the signers' digest): a signed release is checked once.

use std::path::Path;
use std::process::Command;

use super::Verdict;
use super::signers::{Kind, Signers};
use crate::error::{Error, Result};

/// The verdict on `tag` (naming `target`) of the bare repository `git_dir`, from `cache`
/// when it was checked before.
pub fn verify(
    git_dir: &Path,
    (tag, target): (&str, &str),
    signers: &Signers,
    cache: Option<&Path>,
) -> Result<Verdict> {
    let key = format!("strata-signature 1\n{tag}\n{target}\n{}\n", signers.digest);
    super::kept(cache, &key, || run(git_dir, ("verify-tag", tag), signers))
}

/// The verdict on commit `commit` (a registry that follows a branch releases commits, not
/// tags): `git verify-commit`, kept in the cache like a tag's.
pub fn verify_commit(
    git_dir: &Path,
    commit: &str,
    signers: &Signers,
    cache: Option<&Path>,
) -> Result<Verdict> {
    let key = format!("strata-signature 1\ncommit\n{commit}\n{}\n", signers.digest);
    super::kept(cache, &key, || {
        run(git_dir, ("verify-commit", commit), signers)
    })
}

/// `git verify-tag --raw` of a tag (or `verify-commit` of a commit), its output read into a
/// verdict.
fn run(git_dir: &Path, (verb, tag): (&str, &str), signers: &Signers) -> Result<Verdict> {
    let home = tempfile::Builder::new()
        .prefix("strata-verify")
        .tempdir()
        .map_err(Error::Io)?;
    let mut cmd = Command::new("git");
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", home.path())
        .env("LC_ALL", "C")
        .arg("--git-dir")
        .arg(git_dir);
    let tool = match signers.kind {
        Kind::Ssh => {
            let file = home.path().join("allowed_signers");
            fs_err::write(&file, &signers.bytes)?;
            cmd.args(["-c", "gpg.format=ssh", "-c"])
                .arg(format!("gpg.ssh.allowedSignersFile={}", file.display()));
            "ssh-keygen"
        }
        Kind::Pgp => {
            let gnupg = home.path().join("gnupg");
            import_keyring(&gnupg, &signers.bytes)?;
            cmd.args(["-c", "gpg.format=openpgp", "-c", "gpg.program=gpg"])
                .env("GNUPGHOME", &gnupg);
            "gpg"
        }
        Kind::Cosign => {
            return Err(Error::Internal(
                "a cosign key checks OCI releases, not git tags".to_string(),
            ));
        }
    };
    let out = cmd
        .args([verb, "--raw", "--", tag])
        .output()
        .map_err(|_| missing("git", "git"))?;
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        return signed(&text, signers.kind)
            .map(Verdict::Signed)
            .ok_or_else(|| {
                Error::Internal(format!(
                    "`git verify-tag` said yes but named no signer: {}",
                    crate::shown::one_line(&text)
                ))
            });
    }
    if text.contains("No such file or directory") && text.contains(tool)
        || text.contains("cannot run") && text.contains(tool)
    {
        return Err(missing(
            tool,
            if tool == "gpg" {
                "gnupg"
            } else {
                "openssh-client"
            },
        ));
    }
    Ok(Verdict::Refused(refused(&text)))
}

fn missing(tool: &str, package: &str) -> Error {
    Error::usage_hint(
        format!("checking signed tags needs `{tool}`, which cannot be run"),
        Some(format!(
            "install it (`apt-get install {package}`; scripts/install-deps does)"
        )),
    )
}

/// A private keyring with the signers' keys.
fn import_keyring(gnupg: &Path, keyring: &[u8]) -> Result<()> {
    fs_err::create_dir_all(gnupg)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs_err::set_permissions(gnupg, std::fs::Permissions::from_mode(0o700))?;
    }
    let file = gnupg.join("signers.asc");
    fs_err::write(&file, keyring)?;
    let out = Command::new("gpg")
        .env("GNUPGHOME", gnupg)
        .args(["--batch", "--quiet", "--import"])
        .arg(&file)
        .output()
        .map_err(|_| missing("gpg", "gnupg"))?;
    if !out.status.success() {
        return Err(Error::usage(format!(
            "the OpenPGP keyring cannot be imported: {}",
            crate::shown::shorten(
                &crate::shown::one_line(&String::from_utf8_lossy(&out.stderr)),
                300
            )
        )));
    }
    Ok(())
}

/// Who signed, from a good verification's output.
fn signed(text: &str, kind: Kind) -> Option<String> {
    match kind {
        // `Good "git" signature for alice@example.com with ED25519 key SHA256:…`
        Kind::Ssh => text.lines().find_map(|l| {
            let rest = l.strip_prefix("Good \"git\" signature for ")?;
            let (principal, key) = rest.split_once(" with ")?;
            let fingerprint = key.split_whitespace().find(|w| w.starts_with("SHA256:"))?;
            Some(format!("ssh:{fingerprint} {principal}"))
        }),
        // `[GNUPG:] VALIDSIG <fingerprint> …`
        Kind::Pgp => text.lines().find_map(|l| {
            let fpr = l
                .strip_prefix("[GNUPG:] VALIDSIG ")?
                .split_whitespace()
                .next()?;
            Some(format!("pgp:{fpr}"))
        }),
        Kind::Cosign => None,
    }
}

/// Why a verification failed, in words that follow "tag `x` ".
fn refused(text: &str) -> String {
    if text.contains("cannot verify a non-tag object") {
        return "is not annotated, so it carries no signature".to_string();
    }
    // `git verify-commit` of an unsigned commit says nothing.
    if text.contains("no signature found") || text.trim().is_empty() {
        return "is not signed".to_string();
    }
    if text.contains("No principal matched") {
        let key = text
            .split_whitespace()
            .find(|w| w.starts_with("SHA256:"))
            .unwrap_or("a key");
        return format!("is signed by {key}, which the signers do not list");
    }
    if let Some(id) = text
        .lines()
        .find_map(|l| l.strip_prefix("[GNUPG:] NO_PUBKEY "))
    {
        return format!(
            "is signed by the OpenPGP key {}, which the signers do not list",
            id.trim()
        );
    }
    format!(
        "has a signature that does not verify: {}",
        crate::shown::shorten(&crate::shown::one_line(text.trim()), 200)
    )
}
