//! Content digests: Go's `h1` dirhash for pack folders, and `sha256:` digests of text.

use std::collections::BTreeMap;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Go's `h1` directory hash of a pack folder's files: a line
/// `<sha256 hex>  <path>\n` per file, sorted by path bytes, then `h1:` and the standard
/// base64 of the sha256 of those lines.
pub fn h1<'a, I>(files: I) -> String
where
    I: IntoIterator<Item = (&'a String, &'a Vec<u8>)>,
{
    let sorted: BTreeMap<&str, &[u8]> = files
        .into_iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let mut summary = String::with_capacity(sorted.len() * 80);
    for (path, bytes) in sorted {
        summary.push_str(&hex(&Sha256::digest(bytes)));
        summary.push_str("  ");
        summary.push_str(path);
        summary.push('\n');
    }
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(summary.as_bytes()))
    )
}

/// `sha256:<hex>` of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

/// The sha256 of some bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Whether `hex` is a sha256 in hex (64 hex digits).
pub fn is_sha256_hex(hex: &str) -> bool {
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `digest` is `sha256:` and a sha256 in hex.
pub fn is_sha256(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(is_sha256_hex)
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// The digest of a TOML file's content as parsed (keys sorted at every level, comments and
/// layout gone); of its bytes when it does not parse.
pub fn content_digest(bytes: &[u8]) -> String {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| table_digest(&t))
        .unwrap_or_else(|| sha256(bytes))
}

/// The [`content_digest`] of a file that parsed into `table`.
pub fn table_digest(table: &toml::Table) -> Option<String> {
    serde_json::to_string(table)
        .ok()
        .map(|json| sha256(json.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h1_of_known_content() {
        // Go: dirhash.Hash1 over {"a.txt": "hello\n"} with no prefix.
        let mut files = BTreeMap::new();
        files.insert("a.txt".to_string(), b"hello\n".to_vec());
        let line = format!("{}  a.txt\n", hex(&Sha256::digest(b"hello\n")));
        let expected =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(line.as_bytes()));
        assert_eq!(h1(&files), format!("h1:{expected}"));
        assert_eq!(
            hex(&Sha256::digest(b"hello\n")),
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
    }

    #[test]
    fn order_is_by_path_bytes() {
        let mut a = BTreeMap::new();
        a.insert("b/x".to_string(), b"1".to_vec());
        a.insert("a".to_string(), b"2".to_vec());
        a.insert("B".to_string(), b"3".to_vec());
        let mut lines = String::new();
        for (p, b) in [("B", b"3"), ("a", b"2"), ("b/x", b"1")] {
            lines.push_str(&format!("{}  {p}\n", hex(&Sha256::digest(b))));
        }
        let expected =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(lines.as_bytes()));
        assert_eq!(h1(&a), format!("h1:{expected}"));
    }
}
