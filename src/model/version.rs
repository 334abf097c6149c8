//! Release versions and the version specs a layer or a constraint may give.
//!
//! Release versions are semantic versions read leniently: a leading `v` is ignored, and
//! one- or two-part and zero-padded spellings (`22.04`) are accepted and ordered as
//! `22.4.0` while keeping their spelling for display and tag names.
//!
//! A [`VersionSpec`] is what a layer's `version =` (or a `requires`/`conflicts` range)
//! says: an exact pin, a train (`1.x`, `1.27.x`), any release (`x`, `*`), or a semver
//! requirement (`>=1.27, <1.30`). A bare `1.27.5` is an exact pin, never `^1.27.5`.

use std::cmp::Ordering;
use std::fmt;

/// A release version with the spelling it was written in.
#[derive(Debug, Clone)]
pub struct Version {
    sem: semver::Version,
    text: String,
}

impl Version {
    /// Reads a release version leniently; `None` when it is not a version at all.
    pub fn parse(text: &str) -> Option<Version> {
        let bare = text.strip_prefix('v').unwrap_or(text);
        let (core, rest) = match bare.find(['-', '+']) {
            Some(i) => bare.split_at(i),
            None => (bare, ""),
        };
        let mut nums = [0u64; 3];
        for (i, part) in core.split('.').enumerate() {
            if i == 3
                || part.is_empty()
                || !part.bytes().all(|b| b.is_ascii_digit())
                || part.len() > 18
            {
                return None;
            }
            nums[i] = part.parse().ok()?;
        }
        // A plain `1.2.3` needs no pre-release or build parsing (most tags of a registry).
        let sem = if rest.is_empty() {
            semver::Version::new(nums[0], nums[1], nums[2])
        } else {
            let canonical = format!("{}.{}.{}{rest}", nums[0], nums[1], nums[2]);
            semver::Version::parse(&canonical).ok()?
        };
        Some(Version {
            sem,
            text: text.to_string(),
        })
    }

    /// The version as written (for display and tag names), without a leading `v`.
    pub fn as_str(&self) -> &str {
        self.text.strip_prefix('v').unwrap_or(&self.text)
    }

    pub fn semver(&self) -> &semver::Version {
        &self.sem
    }

    pub fn major(&self) -> u64 {
        self.sem.major
    }

    pub fn minor(&self) -> u64 {
        self.sem.minor
    }

    pub fn is_prerelease(&self) -> bool {
        !self.sem.pre.is_empty()
    }

    /// The same release without pre-release or build parts, for range checks.
    fn base(&self) -> semver::Version {
        semver::Version::new(self.sem.major, self.sem.minor, self.sem.patch)
    }

    /// Ordering and equality ignore build metadata, as semver precedence does.
    fn key(&self) -> (u64, u64, u64, &semver::Prerelease) {
        (
            self.sem.major,
            self.sem.minor,
            self.sem.patch,
            &self.sem.pre,
        )
    }

    /// True when the two differ only in `+build` metadata (which is an error in a registry).
    pub fn clashes_with(&self, other: &Version) -> bool {
        self.key() == other.key() && self.sem.build != other.sem.build
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Written as its spelling (`22.04`), read leniently like a folder or tag name.
impl schemars::JsonSchema for Version {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Version".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "description": "A semantic version: 1.27.3"})
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Version, D::Error> {
        let text = String::deserialize(d)?;
        Version::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid version `{text}`")))
    }
}

/// What a layer or a constraint asks for.
#[derive(Debug, Clone)]
pub enum VersionSpec {
    /// Exactly this release (pre-releases included).
    Pin(Version),
    /// The newest stable release with this major (and minor).
    Train { major: u64, minor: Option<u64> },
    /// The newest stable release.
    Any,
    /// The newest stable release matching a semver requirement.
    Req(semver::VersionReq),
}

/// Why a version spec did not parse, with a hint that shows the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub message: String,
    pub hint: &'static str,
}

const SPEC_HINT: &str = "use a pin (`1.27.5`), a train (`1.27.x`, `1.x`), `x` for the newest, or a requirement (`>=1.27, <1.30`)";

impl VersionSpec {
    pub fn parse(text: &str) -> Result<VersionSpec, SpecError> {
        let t = text.trim();
        let err = |message: String| SpecError {
            message,
            hint: SPEC_HINT,
        };
        if t.is_empty() {
            return Err(err("empty version".to_string()));
        }
        if t == "x" || t == "*" || t == "X" {
            return Ok(VersionSpec::Any);
        }
        if let Some(train) = parse_train(t) {
            return Ok(train);
        }
        if let Some(v) = Version::parse(t) {
            return Ok(VersionSpec::Pin(v));
        }
        let starts_like_req = t.starts_with(['>', '<', '=', '~', '^']);
        if starts_like_req {
            let normalized = normalize_req(t);
            return semver::VersionReq::parse(&normalized)
                .map(VersionSpec::Req)
                .map_err(|e| err(format!("invalid version requirement `{t}`: {e}")));
        }
        Err(err(format!("invalid version `{t}`")))
    }

    /// Whether a layer with this spec may select `v`: pre-releases only when pinned exactly.
    pub fn admits(&self, v: &Version) -> bool {
        match self {
            VersionSpec::Pin(p) => p == v,
            _ if v.is_prerelease() => false,
            _ => self.covers(v),
        }
    }

    /// Whether `v` lies in the range this spec describes, for `requires`/`conflicts` checks.
    /// A pre-release counts as the release it precedes, so `1.31.0-rc.1` is not `<1.31`.
    pub fn covers(&self, v: &Version) -> bool {
        match self {
            VersionSpec::Pin(p) => p == v,
            VersionSpec::Any => true,
            VersionSpec::Train { major, minor } => {
                v.major() == *major && minor.is_none_or(|m| v.minor() == m)
            }
            VersionSpec::Req(req) => req.matches(&v.base()),
        }
    }
}

/// `1.x`, `1.*`, `1.27.x`, `22.04.x`, with an optional leading `v`.
fn parse_train(t: &str) -> Option<VersionSpec> {
    let bare = t.strip_prefix('v').unwrap_or(t);
    let parts: Vec<&str> = bare.split('.').collect();
    let wild = |p: &str| matches!(p, "x" | "X" | "*");
    let num = |p: &str| {
        (!p.is_empty() && p.len() < 19 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u64>().ok())
            .flatten()
    };
    match parts.as_slice() {
        [major, w] if wild(w) => Some(VersionSpec::Train {
            major: num(major)?,
            minor: None,
        }),
        [major, w1, w2] if wild(w1) && wild(w2) => Some(VersionSpec::Train {
            major: num(major)?,
            minor: None,
        }),
        [major, minor, w] if wild(w) => Some(VersionSpec::Train {
            major: num(major)?,
            minor: Some(num(minor)?),
        }),
        _ => None,
    }
}

/// Rewrites zero-padded numbers (`>=22.04`) so the semver crate accepts them.
fn normalize_req(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            out.push_str(if trimmed.is_empty() { "0" } else { trimmed });
            digits.clear();
        }
    };
    let mut in_pre = false;
    for c in t.chars() {
        if c.is_ascii_digit() && !in_pre {
            digits.push(c);
            continue;
        }
        flush(&mut digits, &mut out);
        match c {
            '-' | '+' => in_pre = true,
            ',' | ' ' => in_pre = false,
            _ => {}
        }
        out.push(c);
    }
    flush(&mut digits, &mut out);
    out
}

impl fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionSpec::Pin(v) => write!(f, "{v}"),
            VersionSpec::Train { major, minor: None } => write!(f, "{major}.x"),
            VersionSpec::Train {
                major,
                minor: Some(m),
            } => write!(f, "{major}.{m}.x"),
            VersionSpec::Any => f.write_str("x"),
            VersionSpec::Req(r) => write!(f, "{r}"),
        }
    }
}

/// Sorts releases ascending and reports pairs that differ only in build metadata.
pub fn sort_releases<T>(
    items: &mut [T],
    version: impl Fn(&T) -> &Version,
) -> Option<(usize, usize)> {
    items.sort_by(|a, b| version(a).cmp(version(b)));
    items
        .windows(2)
        .position(|w| version(&w[0]).clashes_with(version(&w[1])))
        .map(|i| (i, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn lenient_versions() {
        let table = [
            ("1.27.5", "1.27.5", "1.27.5"),
            ("v1.27.5", "1.27.5", "1.27.5"),
            ("22.04", "22.4.0", "22.04"),
            ("22.04.3", "22.4.3", "22.04.3"),
            ("3", "3.0.0", "3"),
            ("1.28.0-rc.1", "1.28.0-rc.1", "1.28.0-rc.1"),
            ("1.2.3+build.7", "1.2.3+build.7", "1.2.3+build.7"),
        ];
        for (input, canonical, display) in table {
            let got = v(input);
            assert_eq!(got.semver().to_string(), canonical, "{input}");
            assert_eq!(got.to_string(), display, "{input}");
        }
    }

    #[test]
    fn not_versions() {
        for input in [
            "", "latest", "1.2.3.4", "1..2", "v", "1.x", "a.b.c", "1.2.3-", "-1",
        ] {
            assert!(Version::parse(input).is_none(), "{input} should not parse");
        }
    }

    #[test]
    fn ordering_uses_numbers_not_spelling() {
        let mut list = [
            v("22.10"),
            v("22.04.1"),
            v("22.4"),
            v("1.28.0-rc.1"),
            v("1.28.0"),
        ];
        list.sort();
        let shown: Vec<String> = list.iter().map(|v| v.to_string()).collect();
        assert_eq!(shown, ["1.28.0-rc.1", "1.28.0", "22.4", "22.04.1", "22.10"]);
        assert_eq!(v("22.04"), v("22.4.0"));
    }

    #[test]
    fn build_metadata_clash() {
        assert!(v("1.2.3+a").clashes_with(&v("1.2.3+b")));
        assert!(!v("1.2.3+a").clashes_with(&v("1.2.3+a")));
        assert!(!v("1.2.3").clashes_with(&v("1.2.4")));
        let mut list = vec![v("1.0.0"), v("1.2.3+b"), v("1.1.0"), v("1.2.3+a")];
        assert_eq!(sort_releases(&mut list, |x| x), Some((2, 3)));
        let mut ok = vec![v("1.0.0"), v("1.1.0")];
        assert_eq!(sort_releases(&mut ok, |x| x), None);
    }

    #[test]
    fn spec_forms() {
        let table = [
            ("1.27.5", "1.27.5"),
            ("22.04", "22.04"),
            ("1.x", "1.x"),
            ("1.*", "1.x"),
            ("1.27.x", "1.27.x"),
            ("22.04.x", "22.4.x"),
            ("1.x.x", "1.x"),
            ("x", "x"),
            ("*", "x"),
            (">=1.27, <1.30", ">=1.27, <1.30"),
            ("~1.27", "~1.27"),
            ("^3.2", "^3.2"),
            (">=22.04", ">=22.4"),
        ];
        for (input, shown) in table {
            let spec = VersionSpec::parse(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(spec.to_string(), shown, "{input}");
        }
    }

    #[test]
    fn spec_errors() {
        let table = [
            ("", "empty version"),
            ("latest", "invalid version `latest`"),
            ("1.2.x.4", "invalid version `1.2.x.4`"),
            (
                ">=1.27 <<1.30",
                "invalid version requirement `>=1.27 <<1.30`",
            ),
        ];
        for (input, message) in table {
            let err = VersionSpec::parse(input).unwrap_err();
            assert!(err.message.starts_with(message), "{input}: {}", err.message);
        }
    }

    #[test]
    fn admits_and_covers() {
        // (spec, version, admits, covers)
        let table = [
            ("1.27.5", "1.27.5", true, true),
            ("1.27.5", "1.27.6", false, false),
            ("1.27.5", "1.28.0", false, false),
            ("1.28.0-rc.1", "1.28.0-rc.1", true, true),
            ("1.27.x", "1.27.9", true, true),
            ("1.27.x", "1.28.0", false, false),
            ("1.x", "1.99.0", true, true),
            ("1.x", "2.0.0", false, false),
            ("1.28.x", "1.28.0-rc.1", false, true),
            ("x", "9.9.9", true, true),
            ("x", "9.9.9-beta", false, true),
            (">=1.27, <1.30", "1.29.9", true, true),
            (">=1.27, <1.30", "1.30.0", false, false),
            (">=1.27, <1.31", "1.31.0-rc.1", false, false),
            ("~1.27", "1.27.3", true, true),
            ("^3.2", "3.9.0", true, true),
            ("^3.2", "4.0.0", false, false),
            (">=22.04", "22.04.5", true, true),
            ("22.04.x", "22.04.5", true, true),
        ];
        for (spec, version, admits, covers) in table {
            let s = VersionSpec::parse(spec).unwrap();
            assert_eq!(s.admits(&v(version)), admits, "{spec} admits {version}");
            assert_eq!(s.covers(&v(version)), covers, "{spec} covers {version}");
        }
    }
}
