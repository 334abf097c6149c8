//! The words of a review: what happened to a profile, a layer, a file or a cluster
//! ([`Status`]), and the kind of a layer's release change ([`Kind`]).

use std::fmt;

use serde::Serialize;

/// What happened to a profile, a layer or a rendered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Removed,
    Changed,
    /// The profile has problems at one side.
    Invalid,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
            Status::Invalid => "invalid",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a layer's change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Kind {
    #[serde(rename = "major")]
    Major,
    #[serde(rename = "minor")]
    Minor,
    #[serde(rename = "patch")]
    Patch,
    #[serde(rename = "downgrade")]
    Downgrade,
    /// Between pre-releases of one version, or to its release.
    #[serde(rename = "pre-release")]
    PreRelease,
    #[serde(rename = "pack swapped")]
    PackSwapped,
    #[serde(rename = "registry changed")]
    RegistryChanged,
    #[serde(rename = "spec changed")]
    SpecChanged,
    /// The same version with another commit or digest.
    #[serde(rename = "content changed")]
    ContentChanged,
    /// Another key signed the release (or one now does, or none does).
    #[serde(rename = "signer changed")]
    SignerChanged,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Major => "major",
            Kind::Minor => "minor",
            Kind::Patch => "patch",
            Kind::Downgrade => "downgrade",
            Kind::PreRelease => "pre-release",
            Kind::PackSwapped => "pack swapped",
            Kind::RegistryChanged => "registry changed",
            Kind::SpecChanged => "spec changed",
            Kind::ContentChanged => "content changed",
            Kind::SignerChanged => "signer changed",
        }
    }
}
