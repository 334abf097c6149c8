//! Profile tags, Palette-style: `key:value` or a bare `key`. Tags reach the cloud (volume
//! tags, labels) and the nodes (Kubernetes node labels), so a tag must satisfy the rules of
//! each place it goes: the generic rule, Kubernetes label syntax, and the stricter rules of
//! some clouds.

use std::collections::BTreeMap;

/// A tag split at its first `:`; a bare key has an empty value.
pub fn split(tag: &str) -> (&str, &str) {
    tag.split_once(':').unwrap_or((tag, ""))
}

/// The tags as a map (the template context's `profile.tags`).
pub fn map<'a>(tags: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    tags.into_iter()
        .map(|t| {
            let (k, v) = split(t);
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Why a tag cannot be used on `cloud`: the rule it breaks, in words.
pub fn check(tag: &str, cloud: &str) -> Result<(), String> {
    let (key, value) = split(tag);
    if key.is_empty() {
        return Err("a tag is `key:value` or `key`, and this one has no key".to_string());
    }
    if tag.chars().any(char::is_whitespace) {
        return Err("a tag holds no whitespace".to_string());
    }
    let key_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-');
    if key.chars().count() > 63 || !key.chars().all(key_chars) {
        return Err(
            "a tag key is at most 63 characters of letters, digits, `.`, `_`, `/` and `-`"
                .to_string(),
        );
    }
    // Kubernetes label syntax: tags become node labels.
    let name = key.rsplit('/').next().unwrap_or(key);
    let alnum_ends = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
    };
    if key.matches('/').count() > 1 || !alnum_ends(name) || !alnum_ends(key) {
        return Err("a tag key starts and ends with a letter or digit, with at most one `/` (it becomes a Kubernetes node label)".to_string());
    }
    let value_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if !value.is_empty()
        && (value.chars().count() > 63 || !value.chars().all(value_chars) || !alnum_ends(value))
    {
        return Err("a tag value is at most 63 letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit (it becomes a Kubernetes node label)".to_string());
    }
    match cloud {
        "gcp" => {
            if key.chars().any(|c| c.is_ascii_uppercase())
                || value.chars().any(|c| c.is_ascii_uppercase())
            {
                return Err("GCP labels are lower case".to_string());
            }
            if !key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                || key.contains(['.', '/'])
            {
                return Err("a GCP label key starts with a lower-case letter and holds only lower-case letters, digits, `_` and `-`".to_string());
            }
            if value.contains('.') {
                return Err(
                    "a GCP label value holds only lower-case letters, digits, `_` and `-`"
                        .to_string(),
                );
            }
        }
        "azure" if key.contains('/') => {
            return Err("an Azure tag name holds no `/`".to_string());
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        // (tag, cloud, error)
        let table = [
            ("env:prod", "aws", None),
            ("team", "aws", None),
            ("example.com/owner:platform", "aws", None),
            (
                ":prod",
                "aws",
                Some("a tag is `key:value` or `key`, and this one has no key"),
            ),
            ("env:pro d", "aws", Some("a tag holds no whitespace")),
            ("Env:Prod", "gcp", Some("GCP labels are lower case")),
            ("env:prod", "gcp", None),
            (
                "cost.center:4711",
                "gcp",
                Some(
                    "a GCP label key starts with a lower-case letter and holds only lower-case letters, digits, `_` and `-`",
                ),
            ),
            ("a/b:c", "azure", Some("an Azure tag name holds no `/`")),
            (
                "-env:x",
                "aws",
                Some(
                    "a tag key starts and ends with a letter or digit, with at most one `/` (it becomes a Kubernetes node label)",
                ),
            ),
            (
                "env:-x",
                "aws",
                Some(
                    "a tag value is at most 63 letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit (it becomes a Kubernetes node label)",
                ),
            ),
        ];
        for (tag, cloud, err) in table {
            assert_eq!(check(tag, cloud).err().as_deref(), err, "{tag} on {cloud}");
        }
        let long = format!("{}:x", "k".repeat(64));
        assert!(check(&long, "aws").is_err());
        assert_eq!(map(["env:prod", "team"])["team"], "");
    }
}
