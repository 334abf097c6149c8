//! Editing `strata.toml` as the user wrote it (comments and layout kept): adding and
//! removing registries. Every edit is checked by parsing the new text as strata reads it,
//! so strata never writes a file it would refuse.

use std::path::Path;

use crate::diagnostic::Source;
use crate::error::{Error, Result};
use crate::model::config::{self, Config, RegistryKind, is_identifier};
use crate::registry::url::GitUrl;

/// A registry to add, as `registry add` was given it.
pub struct NewRegistry {
    pub name: String,
    pub kind: RegistryKind,
    /// A git URL, or a dir registry's folder relative to the catalog root.
    pub url: String,
    /// The folder of packs inside a git repository.
    pub path: Option<String>,
}

/// The kind a registry is added with when none is given: dir for a folder of the catalog
/// that is not a git repository and does not look like a URL, else git.
pub fn default_kind(root: &Path, url: &str) -> RegistryKind {
    let looks_like_url =
        url.contains("://") || url.ends_with(".git") || (url.contains('@') && url.contains(':'));
    if root.join(url).is_dir() && !looks_like_url && git2::Repository::open(root.join(url)).is_err()
    {
        RegistryKind::Dir
    } else {
        RegistryKind::Git
    }
}

/// `text` (strata.toml at `root`) with the registry added last; and its URL as shown
/// (without credentials).
pub fn add_registry(root: &Path, text: &str, new: &NewRegistry) -> Result<(String, String)> {
    let current = Config::parse(&Source::new(config::FILE_NAME, text)).map_err(Error::Catalog)?;
    if !is_identifier(&new.name) {
        return Err(Error::usage_hint(
            format!("invalid registry name `{}`", new.name),
            Some("use lowercase letters, digits, `-`, `_` and `.`".to_string()),
        ));
    }
    if current
        .registry
        .iter()
        .any(|r| r.get_ref().name.get_ref() == &new.name)
        || (current.registry.is_empty() && new.name == "public")
    {
        return Err(Error::usage(format!(
            "registry `{}` already exists",
            new.name
        )));
    }
    let (entry, shown) = entry(root, new)?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::usage(e.to_string()))?;
    let array = doc
        .entry("registry")
        .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| Error::usage("`registry` in strata.toml is not an array of tables"))?;
    if current.registry.is_empty() {
        // Without any [[registry]] the builtin one was implied; keep it first.
        let mut public = toml_edit::Table::new();
        public.insert("name", toml_edit::value("public"));
        public.insert("kind", toml_edit::value("builtin"));
        array.push(public);
    }
    array.push(entry);
    Ok((checked(doc.to_string())?, shown))
}

/// The `[[registry]]` table of a new registry, and its URL as shown.
fn entry(root: &Path, new: &NewRegistry) -> Result<(toml_edit::Table, String)> {
    let mut entry = toml_edit::Table::new();
    entry.insert("name", toml_edit::value(new.name.as_str()));
    entry.insert("kind", toml_edit::value(new.kind.as_str()));
    let shown = match new.kind {
        RegistryKind::Dir => {
            if new.path.is_some() {
                return Err(Error::usage_hint(
                    "`--path` is for git registries",
                    Some(format!(
                        "for a dir registry, give the folder as the URL: `strata registry add {} FOLDER --kind dir`",
                        new.name
                    )),
                ));
            }
            config::check_relative_path(&new.url).map_err(|why| {
                Error::usage_hint(
                    why,
                    Some("give the folder relative to the catalog root".to_string()),
                )
            })?;
            if !root.join(&new.url).is_dir() {
                return Err(Error::usage(format!(
                    "folder `{}` does not exist (relative to the catalog root)",
                    new.url
                )));
            }
            entry.insert("path", toml_edit::value(new.url.as_str()));
            new.url.clone()
        }
        RegistryKind::Git => {
            let url = GitUrl::parse(&new.url, root).map_err(Error::usage)?;
            if let Some(p) = &new.path {
                config::check_relative_path(p).map_err(Error::usage)?;
            }
            // strata.toml is committed: strata never writes credentials into it.
            if url.credentials {
                return Err(Error::usage_hint(
                    format!(
                        "the URL carries credentials; strata does not write them into `{}`",
                        config::FILE_NAME
                    ),
                    Some(format!(
                        "add `{}` and let git supply the credentials (a credential helper, ssh-agent, or GIT_ASKPASS)",
                        url.display
                    )),
                ));
            }
            entry.insert("url", toml_edit::value(new.url.as_str()));
            if let Some(p) = &new.path {
                entry.insert("path", toml_edit::value(p.as_str()));
            }
            url.display
        }
        RegistryKind::Helm => {
            if new.path.is_some() {
                return Err(Error::usage("`--path` is for git registries"));
            }
            let url = crate::model::http_url::check(&new.url, false)
                .map_err(|r| Error::usage_hint(r.0, r.1))?;
            if url.userinfo.is_some() {
                return Err(Error::usage_hint(
                    format!(
                        "the URL carries credentials; strata does not write them into `{}`",
                        config::FILE_NAME
                    ),
                    Some(format!(
                        "add `{}` and give the credentials in the environment (see docs/registries.md)",
                        url.display
                    )),
                ));
            }
            entry.insert("url", toml_edit::value(new.url.as_str()));
            url.display
        }
        RegistryKind::Oci => {
            if new.path.is_some() {
                return Err(Error::usage("`--path` is for git registries"));
            }
            let url = crate::model::http_url::check_oci(&new.url, false)
                .map_err(|r| Error::usage_hint(r.0, r.1))?;
            entry.insert("url", toml_edit::value(new.url.as_str()));
            url.display
        }
        RegistryKind::Builtin => {
            return Err(Error::usage("the builtin registry is never added"));
        }
    };
    Ok((entry, shown))
}

/// `text` (strata.toml) without registry `name`.
pub fn remove_registry(text: &str, name: &str) -> Result<String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::usage(e.to_string()))?;
    let array = doc
        .get_mut("registry")
        .and_then(|r| r.as_array_of_tables_mut())
        .ok_or_else(|| Error::usage("`registry` in strata.toml is not an array of tables"))?;
    let at = array
        .iter()
        .position(|t| t.get("name").and_then(|n| n.as_str()) == Some(name))
        .ok_or_else(|| Error::usage(format!("unknown registry `{name}`")))?;
    array.remove(at);
    if array.is_empty() {
        doc.remove("registry");
    }
    checked(doc.to_string())
}

/// The new text of strata.toml, when strata would read it.
fn checked(text: String) -> Result<String> {
    Config::parse(&Source::new(config::FILE_NAME, text.as_str())).map_err(Error::Catalog)?;
    Ok(text)
}
